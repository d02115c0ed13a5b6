"""The data the stages pass between them, in one place: what the edge gathers for a period, what the pure
core builds from it, and what the outputs show.

No module here reads or writes anything: the repository (`repository.py`) fills `PeriodInputs` from the
store, the archive, the workspace's plans and the review workbook; `build.build_report` turns them into a
`Report`; the repository records what the report says (counts, results, overrides) and the outputs write it.
The outputs import these types, never the orchestrator.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.problems import Problem, ProblemLog
from pipeline.read.workbook import FileRead
from pipeline.rollup import Overall
from pipeline.words import Said, said_of

if TYPE_CHECKING:
    from pipeline.config import Config, Methodology
    from pipeline.plan import Acceptance, ApprovedPlan
    from pipeline.score import Override


# --- a problem as JSON (the store keeps intake problems and snapshots so) ---------------------------------------------------------------------------------------------
def problem_fields(problem: Problem) -> dict[str, Any]:
    return {"code": problem.code, "file": problem.file, "sheet": problem.sheet, "cell": problem.cell, "row": problem.row,
            "value": problem.value, "detail": detail_json(problem.detail), "extra": [list(pair) for pair in problem.extra]}


def detail_json(detail: str | Said) -> Any:
    """A detail as JSON: plain text as it is, a `Text` as its key and parameters (rendered when shown), a
    `Phrase` as its two texts."""
    return detail if isinstance(detail, str) else detail.to_json()


def detail_of(value: Any) -> str | Said:
    """The inverse of `detail_json`; a text detail stored before details became `Text` stays text."""
    return said_of(value) if isinstance(value, dict) else str(value or "")


def problem_of(fields: dict[str, Any]) -> Problem | None:
    """A problem from its fields; None for a code no longer in the catalogue (it could not be shown)."""
    try:
        return Problem(**{**fields, "detail": detail_of(fields.get("detail")),
                          "extra": tuple(tuple(pair) for pair in fields.get("extra", ()))})
    except (KeyError, TypeError):
        return None


def problems_to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([problem_fields(p) for p in problems], ensure_ascii=False)


def problems_from_json(text: str | None) -> list[Problem]:
    found = (problem_of(item) for item in json.loads(text or "[]"))
    return [p for p in found if p is not None]


@dataclass(frozen=True)
class Submission:
    """One received file as the store records it (the same bytes are one submission)."""

    id: int
    sha256: str
    original_name: str
    archive_path: str
    department: str | None
    department_source: str
    period: str | None
    period_source: str
    received_at: str
    sender: str | None
    subject: str | None
    message_id: str | None
    origin: str
    size: int
    errors: int
    warnings: int
    recorded_at: str
    intake_problems: str | bytes | None = None  # JSON (bytes: a pickle the migration could not read)
    readable: int = 1

    def problems(self) -> list[Any]:
        """Intake's findings about who sent it and for when (department and period problems)."""
        if not self.intake_problems:
            return []
        if isinstance(self.intake_problems, bytes):
            return list(pickle.loads(self.intake_problems))
        return problems_from_json(self.intake_problems)


@dataclass(frozen=True)
class Source:
    """Which submission a file read belongs to, and under which department it is consolidated."""

    submission_id: int
    department: str
    read: FileRead
    sha256: str = ""  # the file's content hash: the key of its normalised rows in the store (`normcache.py`)


@dataclass
class StoredOverride:
    department: str
    measure_key: str
    measure_no: str
    measure: str
    level: str  # as typed: "70", "ХБ", "Бүрэн хэрэгжсэн"
    comment: str


OverrideRow = tuple[str, str, str, str, str, str]  # the store's row: department, key, number, measure, level, comment


@dataclass
class Overrides:
    """The period's overrides by measure key, and what was wrong with the review file."""

    rows: dict[str, StoredOverride] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""  # the review workbook's file name
    source_lang: str = "mn"  # the language it was written in (its sheet and column titles)
    read: int | None = None  # levels read from the workbook this run (None: the workbook was not read)

    def parsed(self, method: Methodology) -> dict[str, Override]:
        from pipeline.score import Override, parse_override

        result = {}
        for key, row in self.rows.items():
            found = parse_override(row.level, method)
            if found is not None:
                result[key] = Override(found.level, found.status, row.comment)
        return result

    def as_rows(self) -> list[OverrideRow]:
        return [(o.department, o.measure_key, o.measure_no, o.measure, o.level, o.comment) for o in self.rows.values()]


@dataclass(frozen=True)
class ReviewRead:
    """A review workbook as the edge read it: its rows that carry a measure key (with the review columns and
    their cells), or the problem that kept it from being read (`records` None)."""

    name: str  # the workbook's file name
    lang: str  # the language it was written in
    records: list[dict[str, str]] | None = None
    problem: Problem | None = None


@dataclass
class Closing:
    closed_at: str
    reason: str


@dataclass
class PeriodInputs:
    """Everything a period's report is built from, gathered before anything is built (`Repository.gather`)."""

    period: str
    submissions: list[Submission]  # every submission of the period, as the store lists them
    reads: dict[int, FileRead]  # each submission's read, by submission id (empty for a closed period)
    pins: dict[str, int]  # department -> the pinned submission's id
    stored_overrides: list[OverrideRow]  # the overrides the store keeps for the period
    review: ReviewRead | None = None  # the review workbook, when it was edited since written (and exists)
    review_name: str = ""  # the review workbook's file name, read or not
    review_lang: str = "mn"
    other_reviews: list[ReviewRead] = field(default_factory=list)  # edited workbooks of the other language
    plans: dict[str, ApprovedPlan] = field(default_factory=dict)  # the year's approved plans by department
    acceptances: list[Acceptance] = field(default_factory=list)  # plan changes accepted (plans/YYYY/log.jsonl)
    intake_problems: list[Problem] = field(default_factory=list)  # this run's intake problems
    history: list[tuple[str, str, float | None]] = field(default_factory=list)  # (period, department, pct) of other periods
    history_periods: list[str] = field(default_factory=list)  # the periods with results, up to and with this one
    closing: Closing | None = None
    frozen: dict[str, Any] | None = None  # a closed period's snapshot
    current_results: list[tuple[str, str, float | None]] = field(default_factory=list)  # this period's kept results (closed)
    normalised: Any = None  # normcache.GatheredCache: the kept normalised rows of the period's files (issue 19)


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


def tz_of(config: Config) -> dt.timezone:
    """The offices' local time (settings.yaml `utc_offset_hours`)."""
    return dt.timezone(dt.timedelta(hours=config.settings.utc_offset_hours))
