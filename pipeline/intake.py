"""Intake: every file that arrives is recorded once, archived under a name that never collides, and
matched to its department and period. Nothing received is ever overwritten or deleted.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.archive import archived_path, sha256_of
from pipeline.config import Config, Department, default_period_words, header_key
from pipeline.cycles import PeriodWords, alternatives, period_in_text, try_parse
from pipeline.export import read_export
from pipeline.model import tz_of
from pipeline.normalise import pack_read
from pipeline.problems import Problem
from pipeline.read.package import is_skipped_name, saved_time
from pipeline.read.parallel import read_guarded, read_many
from pipeline.read.table import cell_text
from pipeline.read.workbook import READER_VERSION, FileRead
from pipeline.store import Store, Submission
from pipeline.timing import checkpoint, stage
from pipeline.workspace import Workspace

ARCHIVE_DIR = "archive"
QUARANTINE_DIR = "quarantine"
UNKNOWN_FOLDER = "тодорхойгүй"
NO_PERIOD_FOLDER = "хугацаагүй"


@dataclass(frozen=True)
class Arrival:
    """A file handed to intake, with what is known of how it came."""

    path: Path
    name: str  # the file's name as received
    origin: str = "folder"  # folder | mail | ingest
    received_at: dt.datetime | None = None  # the email's date, when it came by mail
    sender: str | None = None
    subject: str | None = None
    message_id: str | None = None


@dataclass
class Intake:
    """What happened to the arrivals of one intake pass."""

    new: list[Submission] = field(default_factory=list)
    known: list[Submission] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reads: dict[str, FileRead] = field(default_factory=dict)  # sha256 -> read (packed: `normalise.pack_read`), for files read in this pass


def reader_key(config: Config) -> str:
    return f"{READER_VERSION}:{config.fingerprint}"


def discover(folder: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Every file waiting in the input folder, skipping the archive, quarantine, lock and hidden files.

    Not only spreadsheet names: a report saved as .csv or .xlsb, or a renamed one, must be listed (and kept),
    never silently left behind; the reader says what a file that is not a spreadsheet looks like.
    `skip`: the workspace's own folders (archive, output, mappings), when the input folder holds them."""
    found: list[Path] = []
    if not folder.is_dir():
        return found
    skipped = {p.absolute() for p in skip}
    for root, dirs, files in os.walk(folder):
        top = Path(root) == folder
        # Pruned, not filtered: the archive grows every month and is never walked. `archive` and `quarantine`
        # directly in an input folder are where versions before the workspace kept them.
        dirs[:] = [d for d in dirs if not is_skipped_name(d) and not (top and d in (ARCHIVE_DIR, QUARANTINE_DIR))
                   and (Path(root) / d).absolute() not in skipped]
        for name in files:
            if not is_skipped_name(name):
                path = Path(root) / name
                if path.is_file():  # not a pipe or a device that would block the reader
                    found.append(path)
    return sorted(found)


class DepartmentMatcher:
    """Finds the expected department a name, a file name or a sender's address belongs to."""

    def __init__(self, departments: Sequence[Department]):
        self.departments = tuple(departments)
        self.exact: dict[str, Department] = {}
        self.contained: list[tuple[str, Department]] = []
        self.tokens: dict[str, Department] = {}
        self.emails: dict[str, Department] = {}
        for dept in departments:
            for alias in (dept.name, *dept.aliases):
                key = header_key(alias)
                self.exact[key] = dept
                if len(key) >= 5:
                    self.contained.append((key, dept))
            if dept.short:
                self.exact[header_key(dept.short)] = dept
                self.tokens[dept.short.casefold()] = dept
            for email in dept.emails:
                self.emails[email.casefold()] = dept

    def by_text(self, text: str) -> list[Department]:
        key = header_key(text)
        if not key:
            return []
        if key in self.exact:
            return [self.exact[key]]
        found = {dept.name: dept for alias, dept in self.contained if alias in key}
        for token in re.split(r"[\W_]+", text.casefold()):
            if token in self.tokens:
                found.setdefault(self.tokens[token].name, self.tokens[token])
        return list(found.values())

    def by_sender(self, sender: str | None) -> list[Department]:
        if not sender:
            return []
        address = sender.casefold().strip()
        match = re.search(r"[\w.+-]+@[\w.-]+", address)
        address = match.group(0) if match else address
        return [self.emails[address]] if address in self.emails else []


def match_department(
    read: FileRead, arrival: Arrival, matcher: DepartmentMatcher
) -> tuple[str | None, str, Problem | None]:
    """(department, where it came from, problem): the department cell, else the file name, else the sender."""
    cell = cell_text(read.meta.get("department", "")).strip()
    if not matcher.departments:
        if cell:
            return cell, "cell", None
        return None, "none", Problem("department-unknown", file=arrival.name, detail="")
    stem = Path(arrival.name).stem
    for source, found in (("cell", matcher.by_text(cell) if cell else []), ("filename", matcher.by_text(stem)),
                          ("sender", matcher.by_sender(arrival.sender))):
        if len(found) == 1:
            return found[0].name, source, None
        if len(found) > 1:
            names = ", ".join(sorted(d.name for d in found))
            return None, source, Problem("department-ambiguous", file=arrival.name, value=cell, detail=names)
    if cell:
        # The cell is filled: the name is missing from the list, which the specialist can fix in one place.
        return None, "none", Problem("department-not-listed", file=arrival.name, value=cell)
    return None, "none", Problem("department-unknown", file=arrival.name, value=cell, detail="")


@dataclass(frozen=True)
class _MonthPatterns:
    """The month in a text, built once from headers.yaml `period_words` (`year_word`, `month_word`, `month_ordinal`)."""

    period: re.Pattern[str]  # "2026 оны 10", "2026-10", "2026_10"
    month: re.Pattern[str]  # "10 дугаар сар", "10-р сар"
    year_word: re.Pattern[str]  # "2026 он": the word after a year's digits


@functools.cache
def _month_patterns(words: PeriodWords) -> _MonthPatterns:
    year_word = alternatives(words.year_word)
    year = f"{year_word}|" if year_word else ""
    ordinal = f"(?:{alternatives(words.month_ordinal)})?" if words.month_ordinal else ""
    month_word = alternatives(words.month_word) or r"(?!)"
    return _MonthPatterns(
        period=re.compile(rf"(20\d{{2}})\s*(?:{year}[-./_ ])\s*(\d{{1,2}})(?!\d)"),
        month=re.compile(rf"(?<!\d)(\d{{1,2}})\s*{ordinal}\s*(?:{month_word})", re.IGNORECASE),
        year_word=re.compile(rf"(?<=\d)\s*(?:{year_word or r'(?!)'})\s*$"),
    )


_YEAR_TEXT = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _period(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _year_of(value: object) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    match = _YEAR_TEXT.search(cell_text(value))
    return int(match.group(1)) if match else None


def _month_of(value: object, patterns: _MonthPatterns) -> int | None:
    if isinstance(value, dt.date):
        return value.month
    text = cell_text(value).strip()
    if text.isdecimal() and len(text) <= 2:
        return int(text)
    match = patterns.month.search(text)
    return int(match.group(1)) if match else None


PENDING = "pending"


def _cycle_period(text: object, words: PeriodWords | None, year: int | None, received: dt.datetime, *,
                  annual: bool = True) -> str | None:
    """A quarter, half-year or year the text names (`III улирал`, `эхний хагас жил`, `жилийн эцсийн`, `2026-Q3`);
    with no year anywhere, the year whose such period ended last before the file was received."""
    if words is None:
        return None
    found = period_in_text(cell_text(text), words, year, annual=annual, received=received.date())
    return found.name if found is not None else None


def resolve_period(
    read: FileRead, name: str, received: dt.datetime, words: PeriodWords | None = None
) -> tuple[str | None, str, Problem | None]:
    """(period, source, problem): the template's period cells, else the file name; else None ("pending"):
    the next run puts the file in the period it consolidates (`Store.assign_pending`), so a file that
    says nothing of its period, or cannot be read at all, is listed where the specialist looks.
    A quarter, half-year or year (headers.yaml `period_words`: config.headers.period_words) is looked for
    before a month, in the cells and then in the file name."""
    patterns = _month_patterns(words if words is not None else default_period_words())
    meta = read.meta
    written = meta.get("period")
    cell_year = _year_of(meta.get("year")) if meta.get("year") not in (None, "") else None
    if written not in (None, ""):
        if isinstance(written, dt.date):
            return f"{written.year:04d}-{written.month:02d}", "cell", None
        # 2026-10, 2026-Q3, 2026-H2, 2026; "2026 он" (a year's template) is the year.
        if (named := try_parse(patterns.year_word.sub("", cell_text(written)).strip())) is not None:
            return named.name, "cell", None
        if found := _cycle_period(written, words, cell_year, received):
            return found, "cell", None
        match = patterns.period.search(cell_text(written))
        if match and (found := _period(int(match.group(1)), int(match.group(2)))):
            return found, "cell", None
        year, month = _year_of(written), _month_of(written, patterns)
        if year and month and (found := _period(year, month)):
            return found, "cell", None
    if meta.get("month") not in (None, ""):
        year = _year_of(meta.get("year")) or received.year
        if found := _cycle_period(meta["month"], words, cell_year, received):  # "III улирал" typed in the month cell
            return found, "cell", None
        month = _month_of(meta["month"], patterns)
        found = _period(year, month) if month else None
        if found:
            return found, "cell", None
        return None, PENDING, Problem("period-invalid", file=name, value=cell_text(meta["month"]))
    stem = Path(name).stem
    if found := _cycle_period(stem, words, cell_year, received, annual=False):
        return found, "filename", None
    match = patterns.period.search(stem)
    if match and (found := _period(int(match.group(1)), int(match.group(2)))):
        return found, "filename", None
    month_match = patterns.month.search(stem)
    if month_match:
        year = _year_of(stem) or _year_of(meta.get("year")) or received.year
        if found := _period(year, int(month_match.group(1))):
            return found, "filename", None
    if found := _cycle_period(stem, words, cell_year, received):  # "жилийн эцсийн тайлан": the year
        return found, "filename", None
    return None, PENDING, None


NOT_LOOKED = "not looked"


def received_time(arrival: Arrival, tz: dt.tzinfo, saved: str | None = NOT_LOOKED) -> dt.datetime:
    """The email's date; else the time the workbook says it was saved; else the file's modification time.
    `saved` is the workbook's own time when the reader already looked (None: it says nothing)."""
    if arrival.received_at is not None:
        moment = arrival.received_at
        return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz)
    if saved == NOT_LOOKED:
        saved = saved_time(arrival.path) if arrival.path.suffix.lower() in (".xlsx", ".xlsm") else None
    if saved:
        try:
            moment = dt.datetime.fromisoformat(saved.replace("Z", "+00:00"))
            if 2000 <= moment.year <= 2100:
                return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(tz)
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(arrival.path.stat().st_mtime, tz)


MAX_COMPONENT = 80


def _safe_component(text: str, *, keep_suffix: bool = False) -> str:
    """A folder or file name every file system takes; a long file name is shortened before its extension, so
    the archived copy still opens in Excel."""
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", text).strip(" .")
    if len(cleaned) <= MAX_COMPONENT:
        return cleaned or "_"
    suffix = Path(cleaned).suffix if keep_suffix else ""
    if len(suffix) > 16:  # not an extension, just a dot in a long name
        suffix = ""
    return cleaned[: MAX_COMPONENT - len(suffix)].rstrip(" .") + suffix


def archive_copy(source: Path, archive_root: Path, period: str | None, folder: str, name: str) -> Path:
    """Copy into archive/YYYY-MM/<department>/ under a name no earlier file has; never overwrite."""
    target_dir = archive_root / (period or NO_PERIOD_FOLDER) / _safe_component(folder)
    target_dir.mkdir(parents=True, exist_ok=True)
    base = Path(_safe_component(name, keep_suffix=True))
    stem, suffix = base.stem, base.suffix
    for n in range(1, 10_000):
        candidate = target_dir / (base.name if n == 1 else f"{stem} ({n}){suffix}")
        try:
            with source.open("rb") as src, candidate.open("xb") as dst:
                shutil.copyfileobj(src, dst)
            return candidate
        except FileExistsError:
            continue
    raise OSError(f"no free archive name for {name} in {target_dir}")


def renamed(read: FileRead, name: str) -> FileRead:
    """A cached read under the name this copy of the file arrived with."""
    if read.name == name:
        return read
    read.name = name
    read.problems = [replace(p, file=name) if p.file != name else p for p in read.problems]
    return read


def read_cached(path: Path, sha: str, name: str, store: Store, config: Config) -> FileRead:
    key = reader_key(config)
    cached = store.parsed(sha, key)
    if isinstance(cached, FileRead):
        return renamed(cached, name)
    read = read_export(path, name, config) or read_guarded(path, config, name)  # an export (issue 17), else a template, guarded
    store.save_parsed(sha, key, read)
    return read


def _note_arrival(
    arrival: Arrival, store: Store, result: Intake, first_of: dict[str, str], fresh: list[tuple[Arrival, str, int]]
) -> None:
    """Hash an arrival (unless its path, size and time are known) and sort it: known, a duplicate, or new."""
    try:
        stat = arrival.path.stat()
    except OSError:
        return
    location = str(arrival.path.resolve())
    sha = store.seen_hash(location, stat.st_size, stat.st_mtime_ns) if arrival.origin == "folder" else None
    if sha is None:
        sha = sha256_of(arrival.path)
        if arrival.origin == "folder":
            store.remember_file(location, stat.st_size, stat.st_mtime_ns, sha)
    known = store.by_hash(sha)
    if known is not None:
        result.known.append(known)
        if arrival.origin != "folder" or arrival.name not in (known.original_name, Path(known.archive_path).name):
            result.problems.append(Problem("file-duplicate", file=arrival.name, detail=known.original_name))
    elif sha in first_of:
        result.problems.append(Problem("file-duplicate", file=arrival.name, detail=first_of[sha]))
    else:
        first_of[sha] = arrival.name
        fresh.append((arrival, sha, stat.st_size))


def take_in(
    arrivals: Iterable[Arrival],
    store: Store,
    config: Config,
    workspace: Workspace,
    progress: Callable[[str, int, int], None] | None = None,
) -> Intake:
    """Record, read and archive each arrival into the workspace's archive; the same bytes twice are one
    submission, from whichever folder or mailbox they come."""
    result = Intake()
    arrivals = list(arrivals)

    # 1. Which arrivals are new: the hash decides, remembered per path so unchanged files are not re-hashed.
    fresh: list[tuple[Arrival, str, int]] = []
    first_of: dict[str, str] = {}
    with stage("  which files are new"), store.transaction():  # the "seen" cache only: one commit for all
        for arrival in arrivals:
            _note_arrival(arrival, store, result, first_of, fresh)

    # 2. Read the new files (in parallel when there are many), each at most once ever, and 3. record and
    # archive each in arrival order while the workers read the ones after it.
    key = reader_key(config)
    reads: dict[str, FileRead] = {}
    to_read: list[tuple[Path, str]] = []
    for arrival, sha, _ in fresh:
        cached = store.parsed(sha, key)
        if isinstance(cached, FileRead):
            reads[sha] = renamed(cached, arrival.name)
        elif (exported := read_export(arrival.path, arrival.name, config)) is not None:  # issue 17: a lower level's export
            reads[sha] = exported
            store.save_parsed(sha, key, exported)
        else:
            to_read.append((arrival.path, arrival.name))
    record = _Recorder(store, config, workspace, result)
    # `closing`: a failure here stops the workers at once.
    with stage("  read, record and archive"), closing(read_many(to_read, config, progress)) as parsed, store.transaction():
        for arrival, sha, size in fresh:
            saved_at: str | None = NOT_LOOKED
            read = reads.pop(sha, None)  # each read let go once recorded: the intake keeps it packed (issue 19)
            if read is None:
                done = next(parsed)
                if done.cacheable:
                    store.save_parsed_payload(sha, key, done.payload)
                read, saved_at = done.read, done.saved_at
            record(arrival, sha, size, read, saved_at)
    return result


class _Recorder:
    """Records one arrival: its department and period, its archive copy and its submission row."""

    def __init__(self, store: Store, config: Config, workspace: Workspace, result: Intake):
        self.store, self.config, self.workspace, self.result = store, config, workspace, result
        self.matcher = DepartmentMatcher(config.departments)
        self.tz = tz_of(config)

    def __call__(self, arrival: Arrival, sha: str, size: int, read: FileRead, saved_at: str | None) -> None:
        received = received_time(arrival, self.tz, saved_at)
        department, dept_source, dept_problem = match_department(read, arrival, self.matcher)
        period, period_source, period_problem = resolve_period(read, arrival.name, received, self.config.headers.period_words)
        problems = [p for p in (dept_problem, period_problem) if p is not None]
        short = next((d.short for d in self.config.departments if d.name == department and d.short), None)
        archived = archive_copy(arrival.path, self.workspace.archive, period, short or department or UNKNOWN_FOLDER, arrival.name)
        checkpoint("archived, not yet recorded")
        all_problems = [*read.problems, *problems]
        submission = self.store.add_submission(
            sha256=sha,
            original_name=arrival.name,
            archive_path=self.workspace.relative(archived),
            department=department,
            department_source=dept_source,
            period=period,
            period_source=period_source,
            received_at=received.isoformat(),
            sender=arrival.sender,
            subject=arrival.subject,
            message_id=arrival.message_id,
            origin=arrival.origin,
            size=size,
            errors=sum(p.severity == "error" for p in all_problems),
            warnings=sum(p.severity == "warning" for p in all_problems),
            intake_problems=problems,
            readable=int(read.readable),
        )
        self.result.new.append(submission)
        self.result.reads[sha] = pack_read(read)  # one list a field, not a dict a measure, until the build (issue 19)


DEPARTMENT_CODES = ("department-unknown", "department-not-listed", "department-ambiguous")


def rematch_departments(store: Store, config: Config, workspace: Workspace) -> list[Submission]:
    """Files whose department could not be found are matched again against today's departments.yaml: adding a
    unit (or an alias) to the list takes in its reports already received, without asking anyone to resend."""
    matcher = DepartmentMatcher(config.departments)
    found: list[Submission] = []
    for sub in store.unmatched():
        path = archived_path(sub, workspace)
        if not path.exists():
            continue  # the archive check names it when its period is consolidated
        read = read_cached(path, sub.sha256, sub.original_name, store, config)
        arrival = Arrival(path, sub.original_name, origin=sub.origin, sender=sub.sender)
        department, source, problem = match_department(read, arrival, matcher)
        if department is None:
            continue
        kept = [p for p in sub.problems() if p.code not in DEPARTMENT_CODES]
        if problem is not None:
            kept.append(problem)
        store.set_department(sub.id, department, source, kept)
        found.append(sub)
    return found
