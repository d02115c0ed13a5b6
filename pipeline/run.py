"""The monthly consolidation, end to end: intake -> read -> normalise -> score -> roll up -> outputs.

Each stage is a plain function from tables to tables; this module wires them and keeps I/O (the input
folder, the store, the output folder) at the edges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import export, hierarchy, manifest
from pipeline.archive import ArchiveError, archived_path, check_archive
from pipeline.config import Config, Methodology
from pipeline.errors import NegtgelError
from pipeline.intake import Arrival, Intake, discover, previous_month, read_cached, rematch_departments, take_in, tz_of
from pipeline.manifest import RunSummary
from pipeline.normalise import Source
from pipeline.normcache import normalised_for
from pipeline.output.names import LANGS, consolidated_name
from pipeline.plan import apply_plans
from pipeline.plan import fingerprint as plan_fingerprint
from pipeline.problems import Lang, Problem, ProblemLog
from pipeline.read.workbook import FileRead
from pipeline.review import (
    UNMATCHED_SHEETS,
    Overrides,
    StoredOverride,
    invalid_problems,
    load_overrides,
    refused_edits,
    rekey,
    save_overrides,
)
from pipeline.rollup import Overall, overall, rollup, standing_rank
from pipeline.score import score_measures
from pipeline.store import Store, Submission, open_store
from pipeline.timing import stage
from pipeline.values import is_missing
from pipeline.workspace import Workspace

Progress = Callable[[str, int, int], None]  # (stage, done, total): the terminal's progress bar


@dataclass
class Closing:
    closed_at: str
    reason: str


@dataclass
class Report:
    """Everything the outputs show for one period."""

    period: str
    generated_at: str
    measures: pd.DataFrame  # scored measures, one row each
    departments: pd.DataFrame  # one row per expected or reporting department
    goals: pd.DataFrame
    overall: Overall
    problems: ProblemLog
    submissions: pd.DataFrame
    history: pd.DataFrame  # period, department, pct: the last 12 periods
    methodology_name: str
    expected: int
    reported: int
    overrides: Overrides = field(default_factory=Overrides)
    unmatched_overrides: list[StoredOverride] = field(default_factory=list)
    closing: Closing | None = None
    late_after_closing: list[str] = field(default_factory=list)
    previous_period: str | None = None
    overall_previous: float | None = None
    plan_changes: pd.DataFrame | None = None  # changes against the approved plans (None: the year has no plan)
    hierarchy: Any = None  # pipeline.hierarchy.Hierarchy when departments.yaml has a parent (issue 17)


def deadline_for(period: str, config: Config) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    month += config.settings.deadline_months_after
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, config.settings.deadline_day)


def current_submissions(subs: Sequence[Submission], pins: dict[str, int]) -> dict[str, Submission]:
    """The submission consolidated for each department: the pinned one, else the newest that could be read
    (a broken resubmission does not push out a good report), else the newest."""
    chosen: dict[str, Submission] = {}
    for sub in sorted(subs, key=lambda s: (s.readable, s.received_at, s.id)):
        if sub.department is not None:
            chosen[sub.department] = sub
    for dept, sid in pins.items():
        pinned = next((s for s in subs if s.id == sid), None)
        if pinned is not None:
            chosen[dept] = pinned
    return chosen


def _submission_state(sub: Submission, chosen: dict[str, Submission], read: FileRead | None) -> str:
    if sub.department is None:
        return "department-unknown"
    if read is not None and not read.readable:
        return "unreadable"
    current = chosen.get(sub.department)
    if current is not None and current.id == sub.id:
        return "consolidated"
    return "superseded"


def _attach_read_flags(measures: pd.DataFrame, problems: list[Problem]) -> None:
    """Problems found while reading a measure's row (legacy font, formula without value) become its flags."""
    by_row: dict[tuple[str, str, int], list[str]] = {}
    for p in problems:
        if p.row is not None:
            by_row.setdefault((p.file, p.sheet, p.row), []).append(p.code)
    if not by_row:
        return
    keys = zip(measures["source_file"], measures["sheet"], measures["row"], strict=True)
    measures["flags"] = [
        [*flags, *(c for c in by_row.get((file, sheet, int(row)), ()) if c not in flags)]
        for flags, (file, sheet, row) in zip(measures["flags"], keys, strict=True)
    ]


def build_report(
    store: Store,
    config: Config,
    period: str,
    workspace: Workspace,
    overrides: Overrides,
    intake: Intake | None = None,
) -> Report:
    """Score the period from the store's submissions (the archive), whatever is in the input folder now.
    Raises ArchiveError, before anything is built, when a file the period needs is missing or changed."""
    subs = store.submissions(period)
    missing = check_archive(subs, workspace, store)
    if missing:
        raise ArchiveError(period, missing)
    chosen = current_submissions(subs, store.pins(period))
    log = ProblemLog()
    reads: dict[int, FileRead] = {}
    sources: list[Source] = []
    consolidated = {s.id for s in chosen.values()}
    for sub in subs:
        read = _load(sub, store, config, workspace, intake)
        reads[sub.id] = read
        log.extend(sub.problems())
        if sub.period_source == "assumed":
            log.add(Problem("period-missing", file=sub.original_name, detail=period))
        if sub.id in consolidated:
            log.extend(read.problems)
            if read.readable and sub.department:
                sources.append(Source(sub.id, sub.department, read, sub.sha256))
        elif sub.department is not None and read.readable:
            log.add(Problem("submission-superseded", file=sub.original_name, detail=_when(sub.received_at)))
        else:
            log.extend(read.problems)

    measures, notation_problems = normalised_for(sources, config, store)  # each submission normalised once (issue 19)
    measures, removed, plan_changes, plan_problems = apply_plans(measures, sources, config, workspace, period)
    unmatched = rekey(overrides, measures)
    log.extend(overrides.problems)
    review_file = overrides.source or consolidated_name(period)
    for row in unmatched:
        log.add(Problem("review-row-unmatched", file=review_file, sheet=UNMATCHED_SHEETS[overrides.source_lang == "en"],
                        value=row.measure))
    scored, score_problems = score_measures(measures, period, config.methodology, overrides.parsed(config.methodology))
    log.extend(notation_problems)
    log.extend(score_problems)
    log.extend(plan_problems)
    if removed is not None:  # the approved plan's measures no report holds: not done until accepted
        scored = pd.concat([scored, removed[scored.columns]], ignore_index=True)
    _attach_read_flags(scored, list(log))
    scored, imports = export.with_imported(scored, chosen, reads)  # issue 17: the exports of the units below, as published
    if intake is not None:
        log.extend(intake.problems)

    scored = scored.sort_values(["department", "source_file", "sheet", "row"], kind="stable").reset_index(drop=True)
    log.extend(_invalid_review_problems(overrides, scored, unmatched, config.methodology, review_file))
    departments = _department_table(scored, chosen, config, period, subs)
    log.extend(_timeliness_problems(departments))
    goals = rollup(scored, config.methodology, ["department", "goal"])
    _update_counts(store, subs, reads, log)
    submissions = _submission_table(subs, chosen, reads, log, config)
    report = Report(
        period=period,
        generated_at=dt.datetime.now(tz_of(config)).replace(microsecond=0).isoformat(),
        measures=scored,
        departments=departments,
        goals=goals,
        overall=overall(scored, config.methodology),
        problems=log,
        submissions=submissions,
        history=pd.DataFrame(columns=["period", "department", "pct"]),
        methodology_name=config.methodology.name,
        expected=sum(1 for d in config.departments if d.reports),
        reported=int(departments["reported"].sum()) if len(departments) else 0,
        overrides=overrides,
        unmatched_overrides=unmatched,
        plan_changes=plan_changes,
    )
    # Issue 17: parent_path and every level's figures; nothing without a parent or an export.
    hierarchy.apply(report, config, imports.units if imports else (), imports.states if imports else None)
    return report


def _invalid_review_problems(
    overrides: Overrides, scored: pd.DataFrame, unmatched: list[StoredOverride], method: Methodology, review_file: str
) -> list[Problem]:
    """Every kept review value that is not a level, at its cell of the workbook this run writes (rows in `scored` order)."""
    from pipeline.output.consolidated import review_cell

    if not overrides.source:
        overrides.source = review_file
    lang: Lang = "en" if overrides.source_lang == "en" else "mn"
    return invalid_problems(overrides, list(scored["measure_key"]), unmatched, method,
                            lambda position, on_unmatched: review_cell(position, on_unmatched, lang))


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _local(iso: str, tz: dt.tzinfo) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(tz).replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")


def _load(sub: Submission, store: Store, config: Config, workspace: Workspace, intake: Intake | None) -> FileRead:
    """A submission's read: from this intake, else the parse cache, else the archived copy (already verified)."""
    if intake is not None and sub.sha256 in intake.reads:
        return intake.reads[sub.sha256]
    return read_cached(archived_path(sub, workspace), sub.sha256, sub.original_name, store, config)


def first_reports(subs: Sequence[Submission]) -> dict[str, Submission]:
    """Each department's first report of the period: the earliest submission that could be read and held
    measures (`Submission.readable`; an empty template is not readable). Timeliness is set by it alone."""
    first: dict[str, Submission] = {}
    for sub in sorted(subs, key=lambda s: (s.received_at, s.id)):
        if sub.department is not None and sub.readable and sub.department not in first:
            first[sub.department] = sub
    return first


def corrections_of(subs: Sequence[Submission], first: dict[str, Submission]) -> dict[str, list[Submission]]:
    """The readable submissions that came after each department's first report, oldest first."""
    later: dict[str, list[Submission]] = {}
    for sub in sorted(subs, key=lambda s: (s.received_at, s.id)):
        head = first.get(sub.department or "")
        if head is not None and sub.readable and sub.id != head.id:
            later.setdefault(head.department or "", []).append(sub)
    return later


def lateness(sub: Submission, deadline: dt.date, tz: dt.tzinfo) -> tuple[str, int]:
    """A submission's local received time ("2026-11-03 10:24") and whole days after the deadline (0 when on time)."""
    moment = dt.datetime.fromisoformat(sub.received_at).astimezone(tz)
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes"), max(0, (moment.date() - deadline).days)


def _department_table(
    scored: pd.DataFrame, chosen: dict[str, Submission], config: Config, period: str, subs: Sequence[Submission]
) -> pd.DataFrame:
    """One row per department: figures, and timeliness from its first report (corrections never make it late)."""
    table = rollup(scored, config.methodology, ["department"])
    expected = {d.name: d for d in config.departments if d.reports}  # a grouping unit (reports: false) is not expected
    names = list(expected) + [d for d in table["department"] if d not in expected]
    names += [d for d in chosen if d not in names]
    table = table.set_index("department").reindex(names)
    table.index.name = "department"
    table = table.reset_index()
    for column in ("measures", "due", "scored", "lagging", "self_assessed", "done", "in_progress", "insufficient", "not_done",
                   "not_due", "unscored"):
        table[column] = table[column].fillna(0).astype("int64")
    deadline = deadline_for(period, config)
    tz = tz_of(config)
    first = first_reports(subs)
    later = corrections_of(subs, first)
    received: list[str] = []
    days_late: list[int | None] = []
    corrected: list[str] = []
    corrections: list[str] = []
    for name in table["department"]:
        sub = first.get(name)
        if sub is None:
            received.append("")
            days_late.append(None)
            corrected.append("")
            corrections.append("")
            continue
        when, late = lateness(sub, deadline, tz)
        received.append(when)
        days_late.append(late)
        fixes = later.get(name, [])
        times = [lateness(fix, deadline, tz)[0] for fix in fixes]
        corrected.append(times[-1] if times else "")
        corrections.append("; ".join(times))
    table["short"] = [expected[n].short if n in expected else "" for n in table["department"]]
    table["official"] = [expected[n].official if n in expected else "" for n in table["department"]]
    table["expected"] = [n in expected for n in table["department"]]
    table["reported"] = [n in first for n in table["department"]]
    table["received_at"] = received  # the first report's time: the one timeliness is set by
    table["last_correction_at"] = corrected
    table["corrections"] = corrections  # every later correction's time, oldest first
    table["days_late"] = pd.array(days_late, dtype="Int64")
    table["on_time"] = [None if d is None else d == 0 for d in days_late]
    table["source_file"] = [chosen[n].original_name if n in chosen else "" for n in table["department"]]
    table["first_file"] = [first[n].original_name if n in first else "" for n in table["department"]]
    table["deadline"] = deadline.isoformat()
    table["rank"] = standing_rank(table["pct"].where(table["reported"]), table["days_late"], config.methodology.late_penalty_per_day)
    return table


def _timeliness_problems(departments: pd.DataFrame) -> list[Problem]:
    """Who has not reported and who reported late (by the first report), for the specialist's list of things to chase."""
    problems = []
    for row in departments.itertuples():
        if row.expected and not row.reported:
            problems.append(Problem("report-missing", value=row.department, detail=row.official or "—"))
        elif row.reported and not is_missing(row.days_late) and row.days_late > 0:
            first_file = getattr(row, "first_file", "") or row.source_file
            problems.append(Problem("report-late", file=first_file, value=row.department, detail=str(row.days_late)))
    return problems


def _update_counts(store: Store, subs: Sequence[Submission], reads: dict[int, FileRead], log: ProblemLog) -> None:
    """Record each submission's validation result now that its measures have been read too."""
    counts: dict[str, tuple[int, int]] = {}
    for p in log:
        errors, warnings = counts.get(p.file, (0, 0))
        counts[p.file] = (errors + (p.severity == "error"), warnings + (p.severity == "warning"))
    with store.transaction():
        for sub in subs:
            errors, warnings = counts.get(sub.original_name, (0, 0))
            if (errors, warnings) != (sub.errors, sub.warnings):
                store.set_counts(sub.id, errors, warnings)


def _submission_table(
    subs: Sequence[Submission], chosen: dict[str, Submission], reads: dict[int, FileRead], log: ProblemLog, config: Config
) -> pd.DataFrame:
    counts: dict[str, list[int]] = {}
    for p in log:
        counts.setdefault(p.file, [0, 0])[p.severity == "warning"] += 1
    tz = tz_of(config)
    rows = []
    for sub in subs:
        errors, warnings = counts.get(sub.original_name, [0, 0])
        rows.append(
            {
                "file": sub.original_name,
                "department": sub.department or "",
                "received_at": _local(sub.received_at, tz),
                "state": _submission_state(sub, chosen, reads.get(sub.id)),
                "errors": errors,
                "warnings": warnings,
                "measures": sum(len(t.measures) for t in reads[sub.id].tables) if sub.id in reads else 0,
                "sender": sub.sender or "",
                "origin": sub.origin,
                "archive_path": sub.archive_path,
                "sha256": sub.sha256[:12],
            }
        )
    columns = ["file", "department", "received_at", "state", "errors", "warnings", "measures", "sender", "origin", "archive_path", "sha256"]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class RunResult:
    summary: RunSummary
    outputs: list[Path]
    alongside: list[Path]
    intake: Intake
    output_dir: Path
    report: Report | None = None  # None when nothing changed and the outputs were left as they were

    @property
    def has_errors(self) -> bool:
        return self.summary.errors > 0

    @property
    def unchanged(self) -> bool:
        return self.report is None


ERRORS_SHOWN = 10


def summarise(report: Report, lang: Lang = "mn", method: Methodology | None = None) -> RunSummary:
    counts = report.problems.counts()
    errors = [p for p in report.problems if p.severity == "error"]
    table = report.departments
    missing = [str(d) for d, e, r in zip(table["department"], table["expected"], table["reported"], strict=True) if e and not r]
    return RunSummary(
        errors_shown=[f"{p.file} {p.sheet} {p.cell}".strip() + f": {p.message(lang)}" for p in errors[:ERRORS_SHOWN]],
        missing=missing,
        period=report.period,
        files=len(report.submissions),
        reported=report.reported,
        expected=report.expected,
        measures=len(report.measures),
        errors=counts["error"],
        warnings=counts["warning"],
        overall_pct=report.overall.pct,
        rating=method.rating_name(report.overall.rating, lang) if method else report.overall.rating,
        closed=report.closing is not None,
        **_override_counts(report, method),
    )


def _override_counts(report: Report, method: Methodology | None) -> dict[str, Any]:
    """How many reviewer's levels the run read from the workbook, how many are applied to a measure, how many were refused."""
    keys = set(report.measures["measure_key"]) if "measure_key" in report.measures.columns else set()
    valid = report.overrides.parsed(method) if method is not None else report.overrides.rows
    return {
        "overrides_read": report.overrides.read,
        "overrides_in_force": sum(1 for key in valid if key in keys),
        "overrides_refused": sum(1 for p in report.problems if p.code == "review-period-closed"),
    }


def choose_period(store: Store, requested: str | None, today: dt.date | None = None, *, assign: bool = True) -> str:
    """The period asked for, else the latest period any report names; files that name none join it
    (when `assign`: a run does, a look at the status does not)."""
    if requested:
        chosen = requested
    else:
        known = [s.period for s in store.submissions() if s.period and s.period_source != "assumed"]
        periods = sorted(set(known)) or store.periods()
        if periods:
            chosen = periods[-1]
        elif store.has_pending():
            chosen = previous_month(today or dt.date.today())
        else:
            raise NegtgelError("Нэгтгэх тайлан олдсонгүй / no reports were found to consolidate.")
    if assign:
        store.assign_pending(chosen)
    return chosen


SNAPSHOT_FIELDS = ("measures", "departments", "goals", "overall", "submissions", "methodology_name", "expected", "reported")


def snapshot(report: Report) -> dict[str, object]:
    """What closing a period freezes: the figures exactly as published."""
    frozen: dict[str, object] = {name: getattr(report, name) for name in SNAPSHOT_FIELDS}
    frozen["problems"] = list(report.problems)
    # The overrides in force, so the review columns keep showing them while the period is closed.
    frozen["overrides"] = dict(report.overrides.rows)
    frozen["plan_changes"] = report.plan_changes  # the changes against the approved plans, as published
    if report.hierarchy is not None:
        frozen["hierarchy"] = report.hierarchy
    return frozen


def _frozen_overrides(frozen: dict[str, Any], store: Store, period: str) -> tuple[Overrides, list[StoredOverride]]:
    """The overrides a closed period was frozen with (from the store for a period closed before they were
    frozen too), and those that match none of its measures."""
    overrides = Overrides()
    if "overrides" in frozen:
        overrides.rows = dict(frozen["overrides"])
    else:
        for dept, key, no, measure, level, comment in store.overrides(period):
            overrides.rows[key] = StoredOverride(dept, key, no, measure, level, comment)
    keys = set(frozen["measures"]["measure_key"]) if "measure_key" in frozen["measures"].columns else set()
    return overrides, [o for k, o in overrides.rows.items() if k not in keys]


def frozen_report(frozen: dict[str, Any], closing: Closing, store: Store, config: Config, period: str, intake: Intake) -> Report:
    """A closed period's report: the frozen figures, plus the files that arrived after closing, listed only."""
    log = ProblemLog(frozen["problems"])
    submissions: pd.DataFrame = frozen["submissions"].copy()
    tz = tz_of(config)
    # Submissions recorded after the close: their ids are above the last one the snapshot saw.
    late = [s for s in store.submissions(period) if s.id > frozen.get("last_submission_id", 0)]
    rows = []
    for sub in late:
        log.add(Problem("arrived-after-closing", file=sub.original_name))
        rows.append({"file": sub.original_name, "department": sub.department or "", "received_at": _local(sub.received_at, tz),
                     "state": "after-closing", "errors": sub.errors, "warnings": sub.warnings, "measures": 0,
                     "sender": sub.sender or "", "origin": sub.origin, "archive_path": sub.archive_path, "sha256": sub.sha256[:12]})
    if rows:
        submissions = pd.concat([submissions, pd.DataFrame(rows, columns=submissions.columns)], ignore_index=True)
    log.extend(intake.problems)
    overrides, unmatched = _frozen_overrides(frozen, store, period)
    return Report(
        period=period,
        generated_at=dt.datetime.now(tz).replace(microsecond=0).isoformat(),
        measures=frozen["measures"],
        departments=frozen["departments"].copy(),
        goals=frozen["goals"],
        overall=frozen["overall"],
        problems=log,
        submissions=submissions,
        history=pd.DataFrame(columns=["period", "department", "pct"]),
        methodology_name=frozen["methodology_name"],
        expected=frozen["expected"],
        reported=frozen["reported"],
        closing=closing,
        late_after_closing=[s.original_name for s in late],
        overrides=overrides,
        unmatched_overrides=unmatched,
        plan_changes=frozen.get("plan_changes"),
        hierarchy=frozen.get("hierarchy"),
    )


def closing_of(store: Store, period: str) -> Closing | None:
    if store.frozen(period) is None:
        return None
    closes = [(at, reason) for action, reason, at in store.events(period) if action == "close"]
    at, reason = closes[-1] if closes else ("", "")
    return Closing(closed_at=at, reason=reason)


def save_results(store: Store, report: Report) -> None:
    """Keep the period's figures for trends; the overall figure is kept under the department ""."""
    rows = [
        (row.department, None if is_missing(row.pct) else float(row.pct), int(row.measures), int(row.due), int(row.scored))
        for row in report.departments.itertuples()
        if row.reported
    ]
    rows.append(("", report.overall.pct, report.overall.measures, report.overall.due, report.overall.scored))
    store.save_results(report.period, rows)


def attach_history(report: Report, store: Store, months: int = 12) -> None:
    """The last 12 periods' figures, and each department's change against the previous period."""
    periods = [p for p in store.result_periods() if p <= report.period][-months:]
    history = pd.DataFrame(store.results(periods), columns=["period", "department", "pct"])
    report.history = history.sort_values(["period", "department"], kind="stable").reset_index(drop=True)
    earlier = [p for p in periods if p < report.period]
    previous = history[history["period"] == earlier[-1]].set_index("department")["pct"] if earlier else pd.Series(dtype="float64")
    report.previous_period = earlier[-1] if earlier else None
    table = report.departments
    table["previous_pct"] = [previous.get(d) if d in previous.index else None for d in table["department"]]
    table["previous_pct"] = table["previous_pct"].astype("float64")
    table["change"] = (table["pct"].astype("float64") - table["previous_pct"]).round(1)
    report.overall_previous = float(previous[""]) if "" in previous.index and not is_missing(previous[""]) else None


def review_workbook(period_dir: Path, period: str, lang: Lang = "mn") -> tuple[Path, Lang]:
    """The workbook whose review columns are read back: the Mongolian `negtgel_YYYY-MM.xlsx`, whichever
    language the run writes; the English one only when the period has no Mongolian workbook."""
    for candidate in ("mn", "en"):
        path = consolidated_path(period_dir, period, candidate)
        if path.exists():
            return path, candidate
    return consolidated_path(period_dir, period, lang), lang


def review_pending(period_dir: Path, period: str) -> bool:
    """Whether a review workbook of either language was saved since its run wrote it (an English run must
    not say "no change" over edits typed into the Mongolian workbook)."""
    return any(manifest.edited_since_written(period_dir, consolidated_name(period, lang), lang) for lang in LANGS)


def _edits_elsewhere(period_dir: Path, period: str, source: Path, in_force: Overrides) -> list[Problem]:
    """Review cells typed into the workbook that is not read back: listed, never silently dropped."""
    problems = []
    for lang in LANGS:
        other = consolidated_path(period_dir, period, lang)
        if other == source or not manifest.edited_since_written(period_dir, other.name, lang):
            continue
        for p in refused_edits(other, in_force, period):
            if p.code == "review-period-closed":
                p = Problem("review-other-workbook", file=p.file, sheet=p.sheet, cell=p.cell, value=p.value, detail=source.name)
            problems.append(p)
    return problems


def consolidate_period(
    store: Store,
    config: Config,
    period: str,
    workspace: Workspace,
    period_dir: Path,
    intake: Intake,
    lang: Lang = "mn",
) -> Report:
    """The period's report: rebuilt from the archive while open, reproduced from the frozen figures once closed.

    The review workbook (`review_workbook`) is read back when edited since written; a closed period's is not:
    every cell that differs from the overrides in force is refused (`review-period-closed`) and the in-force
    values are written back."""
    closing = closing_of(store, period)
    workbook, source_lang = review_workbook(period_dir, period, lang)
    edited = manifest.edited_since_written(period_dir, workbook.name, source_lang)
    if closing is not None:
        frozen = store.frozen(period)
        assert frozen is not None
        report = frozen_report(frozen[1], closing, store, config, period, intake)
        report.overrides.source, report.overrides.source_lang = workbook.name, source_lang
        if edited and workbook.exists():
            refused = refused_edits(workbook, report.overrides, period)
            report.problems.extend(refused)
            report.overrides.read = 0
    else:
        overrides = load_overrides(store, config, period, workbook, edited, source_lang)
        report = build_report(store, config, period, workspace, overrides, intake)
        save_overrides(store, report.overrides, period)
        save_results(store, report)
    report.problems.extend(_edits_elsewhere(period_dir, period, workbook, report.overrides))
    attach_history(report, store)
    return report


def run_consolidation(
    workspace: Workspace,
    config: Config,
    *,
    input_dir: Path | None = None,
    output_dir: Path | None = None,
    period: str | None = None,
    store_path: Path | str | None = None,
    lang: Lang = "mn",
    progress: Progress | None = None,
    arrivals: Sequence[Arrival] | None = None,
    per_department_files: bool = False,
) -> RunResult:
    """Take in every new file from `input_dir` (default: the workspace's input/) into the workspace, consolidate
    the period and write its outputs to `output_dir` (default: the workspace's output/). Raises only NegtgelError."""
    from pipeline.output.writer import drawing, write_outputs

    if input_dir is None:  # the workspace's own input folder: made when missing, never an error
        input_dir = workspace.input
        with contextlib.suppress(OSError):
            input_dir.mkdir(parents=True, exist_ok=True)
    output_dir = workspace.output if output_dir is None else output_dir
    if arrivals is None and input_dir.absolute() == workspace.root:
        raise NegtgelError(f"Ажлын хавтас {workspace.root} өөрөө оролтын хавтас биш: тайлангуудыг {workspace.input} хавтаст "
                           f"хуулна уу / the workspace itself is not an input folder: put the reports in {workspace.input}.")
    if arrivals is None and not input_dir.is_dir():
        raise NegtgelError(f"Оролтын хавтас {input_dir} олдсонгүй / input folder not found.")
    with gc_paused(), open_store(store_location(config, workspace, store_path)) as store:
        own = (workspace.archive, workspace.quarantine, workspace.output, output_dir, workspace.mappings)
        found = list(arrivals) if arrivals is not None else [Arrival(p, p.name) for p in discover(input_dir, skip=own)]
        with stage("intake (hash, read new files, archive)"):
            intake = take_in(found, store, config, workspace, progress=progress)
            with store.transaction():
                rematch_departments(store, config, workspace)
        chosen_period = choose_period(store, period)
        period_dir = output_dir / chosen_period
        if closing_of(store, chosen_period) is None:
            missing = check_archive(store.submissions(chosen_period), workspace, store)
            if missing:
                raise ArchiveError(chosen_period, missing, lang)
        print_ = manifest.fingerprint(store, config, chosen_period, intake, {"lang": lang, "split": per_department_files,
                                                                      "plans": plan_fingerprint(workspace, int(chosen_period[:4]))})
        summary = None if review_pending(period_dir, chosen_period) else manifest.unchanged(period_dir, print_, lang)
        if summary is not None:
            return RunResult(summary, [], [], intake, period_dir)
        # The drawing process gets matplotlib ready on the other core while this one builds the report.
        with drawing(config.methodology) as drawer:
            with stage("consolidate (normalise, score, roll up)"):
                report = consolidate_period(store, config, chosen_period, workspace, period_dir, intake, lang)
            intake.reads.clear()  # every read is in the report now: not kept (and not forked) while writing (issue 19)
            with stage("write outputs"):
                written = write_outputs(report, period_dir, config, lang=lang, per_department_files=per_department_files,
                                        drawer=drawer)
        summary = summarise(report, lang, config.methodology)
        manifest.record(period_dir, print_, [w.path for w in written], summary, lang)
    return RunResult(
        summary=summary,
        outputs=[w.path for w in written],
        alongside=[w.path for w in written if w.alongside],
        intake=intake,
        output_dir=period_dir,
        report=report,
    )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """A run builds hundreds of thousands of objects that live to its end and form no cycles: the cyclic
    collector would only walk them again and again (about 7 % of a large run)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def consolidated_path(period_dir: Path, period: str, lang: Lang = "mn") -> Path:
    return period_dir / consolidated_name(period, lang)


def store_location(config: Config, workspace: Workspace, store_path: Path | str | None = None) -> Path | str:
    """`--store`, else settings.yaml `store:` (relative to the workspace), else the workspace's negtgel.db."""
    return workspace.store_path(config.settings.store, store_path)
