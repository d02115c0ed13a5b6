"""The approved plan of the year (issue 16, part 1): stored per department, compared with every report.

A department's approved plan (`БАТЛАВ`, docs/methodology.md §1) is read from its plan workbook, or from a
report the specialist marks as the plan, and kept in the workspace as data files, not in the store:

    <workspace>/plans/2026/<department short name>.json    the plan: measures, indicators, baselines,
                                                            targets, timeframes; the source file's sha256
    <workspace>/plans/2026/log.jsonl                        every import and every accepted change, appended
    <workspace>/archive/plans/2026/<file>                   the source files, never overwritten

Each report is compared with its department's plan (measures matched by number and text, as `measure_key`):
a target, timeframe or indicator changed, a measure removed or added is a `plan-changed` warning. Scoring
uses the approved target and timeframe (settings.yaml `plan_targets: approved | report`); a removed measure
counts as not done (level 0, basis `plan`) while it is due, until the specialist accepts the change
(`negtgel plan accept`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import pandas as pd

from pipeline import cycles
from pipeline.archive import sha256_of
from pipeline.config import Config, Department
from pipeline.errors import NegtgelError
from pipeline.jsonlog import append_line, read_lines
from pipeline.normalise import FRAME_COLUMNS, normalise_measures
from pipeline.output.safe import atomic_path
from pipeline.problems import Problem
from pipeline.read.table import cell_text
from pipeline.read.workbook import FileRead, a1
from pipeline.score import measure_key
from pipeline.words import both
from pipeline.workspace import Workspace

PLANS_DIR = "plans"
LOG_NAME = "log.jsonl"
PLAN_VERSION = 1
# What a plan holds of each measure (the department's progress columns are not part of it).
PLAN_FIELDS = ("no", "goal", "measure", "indicator", "baseline", "target", "timeframe", "responsible")
# The fields whose change a report must not make silently, with the names the change sheet uses.
COMPARED = ("measure", "indicator", "target", "timeframe")
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "measure": ("Арга хэмжээ", "Measure"),
    "indicator": ("Шалгуур үзүүлэлт", "Indicator"),
    "target": ("Хүрэх түвшин", "Target"),
    "timeframe": ("Хугацаа", "Timeframe"),
    "removed": ("Арга хэмжээ хасагдсан", "Measure removed"),
    "added": ("Арга хэмжээ нэмэгдсэн", "Measure added"),
}
# Columns of the frame the typed plan columns replace when scoring by the approved plan.
TARGET_COLUMNS = ("target_raw", "target_pct_fmt", "target_pct_header", "target_text", "target_kind", "target_op",
                  "target_value", "target_unit")
TIMEFRAME_COLUMNS = ("timeframe_raw", "timeframe_text", "quarters", "q_first", "q_last", "q_count", "tf_confidence",
                     "tf_status")


class PlanError(NegtgelError):
    """A plan cannot be imported or a change accepted as asked."""


# --- where plans live -------------------------------------------------------------------------------------


def plans_dir(workspace: Workspace, year: int) -> Path:
    return workspace.root / PLANS_DIR / str(year)


def archive_dir(workspace: Workspace, year: int) -> Path:
    return workspace.archive / PLANS_DIR / str(year)


def safe_name(department: Department) -> str:
    base = department.short or department.name
    return re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", base).strip(" .") or "хэлтэс"


def plan_path(workspace: Workspace, year: int, department: Department) -> Path:
    return plans_dir(workspace, year) / f"{safe_name(department)}.json"


def _write_json_atomically(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def append_log(workspace: Workspace, year: int, entry: Mapping[str, Any]) -> None:
    """One line appended to the year's log (imports and accepted changes); never rewritten."""
    append_line(plans_dir(workspace, year) / LOG_NAME, entry)


def read_log(workspace: Workspace, year: int) -> list[dict[str, Any]]:
    return read_lines(plans_dir(workspace, year) / LOG_NAME)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# --- the plan ---------------------------------------------------------------------------------------------


@dataclass
class ApprovedPlan:
    department: str
    year: int
    source_file: str
    sha256: str
    archived_as: str
    imported_at: str
    measures: list[dict[str, Any]] = field(default_factory=list)
    by_month: bool = False
    target_pct_header: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"version": PLAN_VERSION, "department": self.department, "year": self.year,
                "source_file": self.source_file, "sha256": self.sha256, "archived_as": self.archived_as,
                "imported_at": self.imported_at, "by_month": self.by_month, "target_pct_header": self.target_pct_header,
                "measures": self.measures}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApprovedPlan:
        return cls(department=str(data["department"]), year=int(data["year"]), source_file=str(data.get("source_file", "")),
                   sha256=str(data.get("sha256", "")), archived_as=str(data.get("archived_as", "")),
                   imported_at=str(data.get("imported_at", "")), measures=list(data.get("measures", [])),
                   by_month=bool(data.get("by_month", False)), target_pct_header=bool(data.get("target_pct_header", False)))


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def plan_measures(read: FileRead) -> tuple[list[dict[str, Any]], bool, bool]:
    """The plan's measures from a read workbook (progress columns dropped), and whether its timeframe column
    counts months and its target header speaks of percent."""
    measures: list[dict[str, Any]] = []
    by_month = pct_header = False
    for table in read.tables:
        by_month = by_month or table.layout.by_month
        pct_header = pct_header or "target" in table.layout.percent_header
        for record in table.measures:
            kept = {name: _json_value(record.get(name)) for name in PLAN_FIELDS if record.get(name) not in (None, "")}
            kept["no"] = cell_text(record.get("no", ""))
            if record.get("target_pct_fmt"):
                kept["target_pct_fmt"] = True
            kept["row"] = int(record.get("row", 0))
            measures.append(kept)
    return measures, by_month, pct_header


def department_of(read: FileRead, name: str, config: Config, asked: str | None) -> Department:
    """The department a plan file belongs to: `--department`, else its department cell or file name."""
    from pipeline.intake import Arrival, DepartmentMatcher, match_department
    from pipeline.template import TemplateError, resolve_department

    if asked:
        try:
            return resolve_department(asked, config.departments)
        except TemplateError as exc:
            raise PlanError(str(exc)) from None
    found, _, problem = match_department(read, Arrival(Path(name), name), DepartmentMatcher(config.departments))
    if found is None:
        why = problem.message("mn") if problem is not None else ""
        raise PlanError(both("messages.plan.department_unknown", sep=" / ", name=name, why=why))
    return next(d for d in config.departments if d.name == found) if config.departments else resolve_department(found, ())


def year_of(read: FileRead, name: str, asked: int | None) -> int:
    if asked is not None:
        return asked
    for text in (cell_text(read.meta.get("year", "")), name):
        match = re.search(r"(?<!\d)(20\d{2})(?!\d)", text)
        if match:
            return int(match.group(1))
    raise PlanError(both("messages.plan.year_missing", sep=" / ", name=name))


def _archive_copy(source: Path, folder: Path) -> Path:
    """Copy `source` into `folder` under a name that is not taken (the same bytes already there: that file)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = sha256_of(source)
    stem, suffix = source.stem, source.suffix
    for n in range(1000):
        candidate = folder / (source.name if n == 0 else f"{stem} ({n}){suffix}")
        if candidate.exists():
            if sha256_of(candidate) == digest:
                return candidate
            continue
        with atomic_path(candidate) as tmp:
            shutil.copyfile(source, tmp)
            os.replace(tmp, candidate)
        return candidate
    raise PlanError(both("messages.plan.no_archive_name", sep=" / ", name=source.name))


@dataclass(frozen=True)
class Imported:
    department: str
    year: int
    measures: int
    path: Path
    replaced: bool  # an earlier plan of the department for the year was replaced
    unchanged: bool  # the same file was already the plan
    notes: tuple[str, ...] = ()  # what in the plan cannot be read (a timeframe "I-V улирал"): to fix in the plan


def import_plan(path: Path, config: Config, workspace: Workspace, *, year: int | None = None,
                department: str | None = None) -> Imported:
    """Read a plan workbook (or a report marked as the plan) and store it as the department's approved plan."""
    from pipeline.read.workbook import read_file

    read = read_file(path, config)
    if not read.readable:
        messages = "; ".join(p.message("mn") for p in read.problems) or both("messages.plan.no_table", sep=" / ")
        raise PlanError(both("messages.plan.unreadable", sep=" / ", name=path.name) + f": {messages}")
    measures, by_month, pct_header = plan_measures(read)
    if not measures:
        raise PlanError(both("messages.plan.no_measures", sep=" / ", name=path.name))
    dept = department_of(read, path.name, config, department)
    plan_year = year_of(read, path.name, year)
    digest = sha256_of(path)
    target = plan_path(workspace, plan_year, dept)
    previous = load_plan_file(target)
    if previous is not None and previous.sha256 == digest:
        return Imported(dept.name, plan_year, len(previous.measures), target, replaced=False, unchanged=True)
    copy = _archive_copy(path, archive_dir(workspace, plan_year))
    plan = ApprovedPlan(department=dept.name, year=plan_year, source_file=path.name, sha256=digest,
                        archived_as=copy.relative_to(workspace.root).as_posix(), imported_at=_now(), measures=measures,
                        by_month=by_month, target_pct_header=pct_header)
    _write_json_atomically(target, plan.to_json())
    append_log(workspace, plan_year, {"action": "import", "department": dept.name, "file": path.name, "sha256": digest,
                                      "measures": len(measures), "at": plan.imported_at,
                                      "replaced": previous.sha256 if previous else ""})
    return Imported(dept.name, plan_year, len(measures), target, replaced=previous is not None, unchanged=False,
                    notes=plan_notes(plan, config))


def plan_notes(plan: ApprovedPlan, config: Config) -> tuple[str, ...]:
    """The plan's targets and timeframes that cannot be read, as "row N: message" lines (errors first)."""
    _, problems = plan_frame([plan], config, with_problems=True)
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.row or 0))
    return tuple(f"{both('messages.plan.row', sep=' / ')} {p.row}: {p.message('mn')}" for p in ordered if p.severity == "error" or p.code == "target-unparsed")


def load_plan_file(path: Path) -> ApprovedPlan | None:
    try:
        return ApprovedPlan.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_plans(workspace: Workspace, year: int) -> dict[str, ApprovedPlan]:
    """Every department's approved plan for the year, by the department's full name."""
    folder = plans_dir(workspace, year)
    plans: dict[str, ApprovedPlan] = {}
    if not folder.is_dir():
        return plans
    for path in sorted(folder.glob("*.json")):
        plan = load_plan_file(path)
        if plan is not None and plan.year == year:
            plans[plan.department] = plan
    return plans


def fingerprint(workspace: Workspace, year: int) -> str:
    """Changes whenever a plan of the year or the log of accepted changes changes (for the "no change" re-run)."""
    folder = plans_dir(workspace, year)
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file() and (path.suffix == ".json" or path.name == LOG_NAME):
                digest.update(path.name.encode("utf-8"))
                digest.update(path.read_bytes())
    return digest.hexdigest()


# --- accepted changes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    department: str
    measure_no: str
    key: str  # the plan measure's key, "" when the number named no plan measure (an added one)
    reason: str
    at: str


def acceptances(workspace: Workspace, year: int) -> list[Acceptance]:
    return [Acceptance(str(e.get("department", "")), str(e.get("measure_no", "")), str(e.get("key", "")),
                       str(e.get("reason", "")), str(e.get("at", "")))
            for e in read_log(workspace, year) if e.get("action") == "accept"]


def _gist(text: str) -> str:
    return "".join(str(text).casefold().split()).rstrip(".;,")


def accept_change(workspace: Workspace, config: Config, *, year: int, department: str, measure: str,
                  reason: str, via: str = "command") -> Acceptance:
    """Record that the specialist accepts the change of one measure (by its number or its text); `via` says
    where: `negtgel plan accept` ("command") or the consolidated workbook's change sheet ("workbook")."""
    from pipeline.template import TemplateError, resolve_department

    if not reason.strip():
        raise PlanError(both("messages.plan.reason_empty", sep=" / "))
    try:
        dept = resolve_department(department, config.departments)
    except TemplateError as exc:
        raise PlanError(str(exc)) from None
    plan = load_plans(workspace, year).get(dept.name)
    if plan is None:
        raise PlanError(both("messages.plan.no_approved_plan", sep=" / ", department=dept.name, year=year))
    wanted = measure.strip()
    found = [m for m in plan.measures if str(m.get("no", "")).strip().rstrip(".") == wanted.rstrip(".")]
    if not found:
        found = [m for m in plan.measures if _gist(m.get("measure", "")) == _gist(wanted)]
    key = measure_key(dept.name, str(found[0].get("no", "")), str(found[0].get("measure", ""))) if found else ""
    no = str(found[0].get("no", "")) if found else wanted
    entry = Acceptance(dept.name, no, key, reason.strip(), _now())
    append_log(workspace, year, {"action": "accept", "department": entry.department, "measure_no": entry.measure_no,
                                 "key": entry.key, "measure": str(found[0].get("measure", "")) if found else "",
                                 "reason": entry.reason, "at": entry.at, "via": via})
    return entry


ACCEPT_TITLES = ("Зөвшөөрөх шалтгаан", "Reason to accept")  # the yellow column of the change sheet


def accept_in_workbook(wanted: Sequence[tuple[str, str, str, str, str]], file_name: str, workspace: Workspace, config: Config,
                       year: int) -> list[Problem]:
    """The changes the specialist accepted on the consolidated workbook's `Төлөвлөгөөний өөрчлөлт` sheet
    (`review_workbook.read_plan_acceptances`: department, measure number, reason, sheet, cell): each is recorded in
    plans/YYYY/log.jsonl as `negtgel plan accept` records it (time, reason; `via: workbook`), once; what cannot
    be recorded is a problem, never a traceback."""
    problems: list[Problem] = []
    done: set[tuple[str, str]] = set()
    earlier = {(a.department, _number(a.measure_no), a.reason) for a in acceptances(workspace, year)}
    for department, no, reason, sheet, cell in wanted:
        if (department, no) in done:  # one change of a measure accepts all its rows
            continue
        done.add((department, no))
        if (department, _number(no), reason) in earlier:  # recorded already (a run stopped before rewriting the workbook)
            continue
        try:  # shown on the next run in the sheet's Зөвшөөрсөн column, with its time and reason
            accept_change(workspace, config, year=year, department=department, measure=no, reason=reason, via="workbook")
        except PlanError as exc:
            problems.append(Problem("plan-accept-refused", file=file_name, sheet=sheet, cell=cell, value=department,
                                    detail=str(exc), extra=(("no", no),)))
    return problems


# --- comparing a report with the plan ---------------------------------------------------------------------


CHANGE_COLUMNS = ["department", "measure_no", "measure", "field", "file", "sheet", "cell", "old", "new", "accepted"]


@dataclass
class Comparison:
    """What comparing the period's reports with the approved plans gives."""

    measures: pd.DataFrame  # the report's measures, targets and timeframes from the plan where approved
    removed: pd.DataFrame  # the plan's measures no report holds (normalised), not accepted
    changes: pd.DataFrame  # one row per change (CHANGE_COLUMNS)
    problems: list[Problem]


@overload
def plan_frame(plans: Iterable[ApprovedPlan], config: Config) -> pd.DataFrame: ...


@overload
def plan_frame(plans: Iterable[ApprovedPlan], config: Config, *, with_problems: bool) -> tuple[pd.DataFrame, list[Problem]]: ...


def plan_frame(plans: Iterable[ApprovedPlan], config: Config, *, with_problems: bool | None = None) -> Any:
    """The plans' measures as a normalised measures frame (as if each plan were a report with no progress)."""
    rows: list[dict[str, Any]] = []
    for plan in plans:
        for m in plan.measures:
            rows.append({
                "submission_id": -1, "department": plan.department, "source_file": plan.source_file, "sheet": "",
                "row": int(m.get("row", 0)), "goal": str(m.get("goal", "") or ""), "measure_no": str(m.get("no", "")),
                "measure": cell_text(m.get("measure", "")), "indicator": cell_text(m.get("indicator", "")),
                "baseline": cell_text(m.get("baseline", "")), "responsible": cell_text(m.get("responsible", "")),
                "progress": "", "note": "", "budget": "", "target_raw": m.get("target"),
                "timeframe_raw": m.get("timeframe"), "actual_raw": None, "self_raw": None, "evaluation_raw": None,
                "target_pct_fmt": bool(m.get("target_pct_fmt")), "actual_pct_fmt": False, "self_pct_fmt": False,
                "evaluation_pct_fmt": False, "c_target": -1, "c_timeframe": -1, "c_actual": -1, "c_self_pct": -1,
                "c_evaluation": -1, "target_pct_header": plan.target_pct_header, "actual_pct_header": False,
                "by_month": plan.by_month, "has_target_col": True, "has_actual_col": False, "c_progress": -1,
            })
    frame = pd.DataFrame.from_records(rows, columns=FRAME_COLUMNS)
    normalised, problems = normalise_measures(frame, config)  # the plan's own problems are shown at import
    return (normalised, problems) if with_problems else normalised


def _same(field_name: str, old: str, new: str, old_q: str = "", new_q: str = "") -> bool:
    if field_name == "timeframe" and old_q and new_q:
        return old_q == new_q
    if field_name == "measure":
        return _gist(old) == _gist(new)
    return " ".join(old.casefold().split()) == " ".join(new.casefold().split())


Columns = dict[str, list[Any]]
# The columns a comparison reads, taken out of the frames once as lists (a plan year has 50,000 measures).
READ_COLUMNS = ("department", "measure_no", "measure", "measure_key", "indicator", "target_text", "timeframe_text",
                "quarters", "source_file", "sheet", "row")


def _number(value: Any) -> str:
    return str(value).strip().rstrip(".")


def _match(report: Columns, mine: list[int], planned: Columns, theirs: list[int]) -> dict[int, int]:
    """Report row -> plan row (positions): by key (number and text), then by number, then by text alone."""
    matched: dict[int, int] = {}
    used: set[int] = set()
    for column, norm in (("measure_key", str), ("measure_no", _number), ("measure", _gist)):
        free: dict[str, list[int]] = {}
        for j in theirs:
            value = norm(planned[column][j])
            if j not in used and value:
                free.setdefault(value, []).append(j)
        for i in mine:
            if i in matched:
                continue
            for j in free.get(norm(report[column][i]), []):
                if j not in used:
                    matched[i] = j
                    used.add(j)
                    break
    return matched


class _Accepted:
    """The specialist's acceptances, looked up by a measure's key or number."""

    def __init__(self, accepted: Sequence[Acceptance]):
        self.by: dict[tuple[str, str], str] = {}
        for a in accepted:
            note = f"{a.at[:16].replace('T', ' ')} — {a.reason}"
            if a.key:
                self.by[(a.department, a.key)] = note
            self.by.setdefault((a.department, "no:" + _number(a.measure_no)), note)

    def __call__(self, dept: str, key: str, no: Any) -> str:
        return self.by.get((dept, key)) or self.by.get((dept, "no:" + _number(no)), "")


def compare(
    measures: pd.DataFrame,
    plans: Mapping[str, ApprovedPlan],
    config: Config,
    accepted: Sequence[Acceptance],
    columns_of: Mapping[tuple[str, str], Mapping[str, int]],
    *,
    use: str = "approved",
) -> Comparison:
    """Compare each reporting department's measures with its approved plan.

    `columns_of` gives each (file, sheet) the 0-based column of each field, so a change names its cell.
    With `use="approved"` a measure's target and timeframe are the plan's (unless the change is accepted)."""
    out = measures.copy()
    reporting = [d for d in dict.fromkeys(out["department"]) if d in plans]
    if not reporting:
        return Comparison(out, out.iloc[0:0], pd.DataFrame(columns=CHANGE_COLUMNS), [])
    planned = plan_frame((plans[d] for d in reporting), config).reset_index(drop=True)
    is_accepted = _Accepted(accepted)
    R: Columns = {c: out[c].tolist() for c in READ_COLUMNS}
    P: Columns = {c: planned[c].tolist() for c in READ_COLUMNS}
    rows_of: dict[str, list[int]] = {}
    for i, dept in enumerate(R["department"]):
        rows_of.setdefault(dept, []).append(i)
    plan_rows_of: dict[str, list[int]] = {}
    for j, dept in enumerate(P["department"]):
        plan_rows_of.setdefault(dept, []).append(j)

    changes: list[dict[str, Any]] = []
    problems: list[Problem] = []
    removed_rows: list[int] = []
    replace: list[tuple[int, int]] = []  # (report row, plan row) whose target and timeframe are the plan's
    flagged: list[int] = []

    def add(dept: str, no: str, text: str, field_name: str, file: str, sheet: str, cell: str, row: int | None,
            old: str, new: str, ok: str) -> None:
        changes.append({"department": dept, "measure_no": no, "measure": text, "field": field_name, "file": file,
                        "sheet": sheet, "cell": cell, "old": old, "new": new, "accepted": ok})
        if not ok:
            what = FIELD_LABELS[field_name][0]
            problems.append(Problem("plan-changed", file, sheet, cell, row, value=new or "—", detail=old or "—",
                                    extra=(("no", no), ("what", what), ("what_en", FIELD_LABELS[field_name][1]))))

    def cell_of(i: int, field_name: str) -> str:
        c = columns_of.get((str(R["source_file"][i]), str(R["sheet"][i])), {}).get(field_name, -1)
        return a1(int(R["row"][i]) - 1, c) if c >= 0 else ""

    for dept in reporting:
        mine, theirs = rows_of[dept], plan_rows_of.get(dept, [])
        matched = _match(R, mine, P, theirs)
        for i, j in matched.items():
            ok = is_accepted(dept, P["measure_key"][j], P["measure_no"][j]) or is_accepted(dept, R["measure_key"][i],
                                                                                           R["measure_no"][i])
            changed = False
            for name in COMPARED:
                source = {"target": "target_text", "timeframe": "timeframe_text"}.get(name, name)
                old, new = str(P[source][j] or ""), str(R[source][i] or "")
                quarters = (str(P["quarters"][j]), str(R["quarters"][i])) if name == "timeframe" else ("", "")
                if _same(name, old, new, *quarters):
                    continue
                changed = True
                add(dept, str(R["measure_no"][i]), str(P["measure"][j]), name, str(R["source_file"][i]),
                    str(R["sheet"][i]), cell_of(i, name), int(R["row"][i]), old, new, ok)
            if changed and not ok:
                flagged.append(i)
                if use == "approved":
                    replace.append((i, j))
        first_file = str(R["source_file"][mine[0]])
        taken = set(matched.values())
        for j in theirs:
            if j in taken:
                continue
            ok = is_accepted(dept, P["measure_key"][j], P["measure_no"][j])
            add(dept, str(P["measure_no"][j]), str(P["measure"][j]), "removed", first_file, "", "", None,
                f"{P['measure_no'][j]} {P['measure'][j]}".strip(), "", ok)
            if not ok:
                removed_rows.append(j)
        for i in mine:
            if i in matched:
                continue
            ok = is_accepted(dept, R["measure_key"][i], R["measure_no"][i])
            add(dept, str(R["measure_no"][i]), str(R["measure"][i]), "added", str(R["source_file"][i]), str(R["sheet"][i]),
                cell_of(i, "measure"), int(R["row"][i]), "", f"{R['measure_no'][i]} {R['measure'][i]}".strip(), ok)

    if flagged:
        flags = out["flags"].tolist()
        for i in flagged:
            flags[i] = [*flags[i], "plan-changed"]
        out["flags"] = pd.Series(flags, index=out.index, dtype=object)
    if replace:
        for column in (*TARGET_COLUMNS, *TIMEFRAME_COLUMNS):
            if column in out.columns and column in planned.columns:
                values, approved = out[column].tolist(), planned[column].tolist()
                for i, j in replace:
                    values[i] = approved[j]
                dtype = measures[column].dtype
                column_values = pd.Series(values, index=out.index, dtype=object)
                out[column] = column_values if pd.api.types.is_object_dtype(dtype) else column_values.astype(dtype)
    removed = planned.iloc[removed_rows].copy()
    if len(removed):
        first = {d: str(R["source_file"][rows_of[d][0]]) for d in reporting}
        removed["source_file"] = [first[d] for d in removed["department"]]
        removed["row"] = 0
        removed["flags"] = [["plan-removed"] for _ in range(len(removed))]
    return Comparison(out, removed, pd.DataFrame(changes, columns=CHANGE_COLUMNS), problems)


def score_removed(removed: pd.DataFrame, period: str, config: Config) -> pd.DataFrame:
    """A removed, not accepted measure: not done (level 0, basis `plan`) when due by the approved timeframe."""
    from pipeline.score import score_measures

    scored, _ = score_measures(removed, period, config.methodology)
    zero = min(lv.value for lv in config.methodology.levels)
    status = next((lv.status for lv in config.methodology.levels if lv.value == zero), "not_done")
    due = scored["due"].astype(bool)
    scored["level"] = pd.array([zero if d else None for d in due], dtype="Float64")
    scored["basis"] = ["plan" if d else "" for d in due]
    scored["status"] = [status if d else "not_due" for d in due]
    scored["achievement"] = pd.array([None] * len(scored), dtype="Float64")
    return scored


def apply_plans(
    measures: pd.DataFrame,
    sources: Sequence[Any],
    config: Config,
    plans: Mapping[str, ApprovedPlan],
    accepted: Sequence[Acceptance],
    period: str,
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, list[Problem]]:
    """The run's entry point, on the year's plans and accepted changes as the repository read them
    (`load_plans`, `acceptances`): (measures to score, removed measures to add once scored, the changes table
    or None when the year has no plan, problems)."""
    year = cycles.year_of(period)
    if not plans:
        return measures, None, None, []
    columns_of = {(s.read.name, t.sheet): dict(t.layout.columns) for s in sources for t in s.read.tables}
    result = compare(measures, plans, config, accepted, columns_of, use=config.settings.plan_targets)
    removed = score_removed(result.removed, period, config) if len(result.removed) else None
    files = measures.drop_duplicates("department")
    missing = [Problem("plan-missing", file=str(f), value=str(d), detail=str(year))
               for d, f in zip(files["department"], files["source_file"], strict=True) if d not in plans]
    return result.measures, removed, result.changes, [*result.problems, *missing]


@dataclass(frozen=True)
class PlanStatus:
    department: str
    short: str
    official: str
    has_plan: bool
    measures: int
    source_file: str
    imported_at: str


def plan_status(workspace: Workspace, config: Config, year: int) -> list[PlanStatus]:
    """Every expected department (then any other with a plan): whether it has an approved plan for the year."""
    plans = load_plans(workspace, year)
    rows = [PlanStatus(d.name, d.short, d.official, d.name in plans, len(plans[d.name].measures) if d.name in plans else 0,
                       plans[d.name].source_file if d.name in plans else "",
                       plans[d.name].imported_at if d.name in plans else "") for d in config.departments]
    known = {d.name for d in config.departments}
    rows += [PlanStatus(name, "", "", True, len(p.measures), p.source_file, p.imported_at)
             for name, p in sorted(plans.items()) if name not in known]
    return rows
