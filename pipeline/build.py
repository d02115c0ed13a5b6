"""The pure core of a period: from the inputs the repository gathered to the `Report` the outputs write.

Nothing here touches a file or the store (a test holds it to that): `build_report` scores an open period,
`frozen_report` reproduces a closed one, `period_report` chooses between them and adds the review's refusals
and the trend history. The repository (`repository.py`) gathers every input before and keeps every result
after; `run.py` runs the sequence gather -> build -> commit -> write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from pipeline import cycles, export, hierarchy
from pipeline.config import Config, Methodology
from pipeline.model import OverrideRow, Overrides, PeriodInputs, Report, Source, StoredOverride, Submission, tz_of
from pipeline.normcache import normalised_for
from pipeline.output.names import consolidated_name
from pipeline.plan import apply_plans
from pipeline.problems import Lang, Problem, ProblemLog
from pipeline.read.workbook import FileRead
from pipeline.review import UNMATCHED_SHEETS, invalid_problems, merge_overrides, refused_edits, rekey
from pipeline.rollup import overall, rollup, standing_rank
from pipeline.score import score_measures
from pipeline.values import is_missing

HISTORY_MONTHS = 12  # the trend: this many periods, the report's own the last


def deadline_for(period: str, config: Config) -> dt.date:
    """`deadline.day` of the `deadline.months_after`-th month after the period's last month (pipeline/cycles.py)."""
    return cycles.parse(period).deadline(config.settings.deadline_day, config.settings.deadline_months_after)


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


def build_report(inputs: PeriodInputs, overrides: Overrides, config: Config, period: str) -> Report:
    """Score an open period from its gathered inputs (`Repository.gather`: the submissions, each one's read,
    the pins, the plans, the intake problems): a function of tables that reads and writes nothing. The review
    `overrides` are followed to their measures (`rekey`) in place."""
    subs = inputs.submissions
    chosen = current_submissions(subs, inputs.pins)
    log = ProblemLog()
    reads: dict[int, FileRead] = {}
    sources: list[Source] = []
    consolidated = {s.id for s in chosen.values()}
    for sub in subs:
        read = inputs.reads[sub.id]
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

    # Each submission normalised once (issue 19): the rows kept for a file come from the gathered cache.
    measures, notation_problems = normalised_for(sources, config, inputs.normalised)
    measures, removed, plan_changes, plan_problems = apply_plans(measures, sources, config, inputs.plans, inputs.acceptances, period)
    unmatched = rekey(overrides, measures)
    log.extend(overrides.problems)
    review_file = overrides.source or consolidated_name(period)
    for row in unmatched:
        log.add(Problem("review-row-unmatched", file=review_file, sheet=UNMATCHED_SHEETS[overrides.source_lang == "en"],
                        value=row.measure))
    scored, score_problems = score_measures(measures, period, config.methodology, overrides.parsed(config.methodology))
    del measures  # scored is a copy: the unscored frame is not held to the end of the build (issue 19)
    log.extend(notation_problems)
    log.extend(score_problems)
    log.extend(plan_problems)
    if removed is not None:  # the approved plan's measures no report holds: not done until accepted
        scored = pd.concat([scored, removed[scored.columns]], ignore_index=True)
    _attach_read_flags(scored, list(log))
    scored, imports = export.with_imported(scored, chosen, reads)  # issue 17: the exports of the units below, as published
    log.extend(inputs.intake_problems)

    scored = scored.sort_values(["department", "source_file", "sheet", "row"], kind="stable").reset_index(drop=True)
    log.extend(_invalid_review_problems(overrides, scored, unmatched, config.methodology, review_file))
    departments = _department_table(scored, chosen, config, period, subs)
    log.extend(_timeliness_problems(departments))
    goals = rollup(scored, config.methodology, ["department", "goal"])
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
        expected=len(cycles.expected(config.departments, config.settings.cycle, period)),
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
    # A grouping unit (reports: false) is not expected, nor one whose cycle does not make this kind of period.
    expected = {d.name: d for d in config.departments if cycles.expected_in(d, config.settings.cycle, period)}
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
                "measures": sum(t.rows for t in reads[sub.id].tables) if sub.id in reads else 0,
                "sender": sub.sender or "",
                "origin": sub.origin,
                "archive_path": sub.archive_path,
                "sha256": sub.sha256[:12],
            }
        )
    columns = ["file", "department", "received_at", "state", "errors", "warnings", "measures", "sender", "origin", "archive_path", "sha256"]
    return pd.DataFrame(rows, columns=columns)


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


def _frozen_overrides(frozen: dict[str, Any], stored: list[OverrideRow]) -> tuple[Overrides, list[StoredOverride]]:
    """The overrides a closed period was frozen with (the store's for a period closed before they were
    frozen too), and those that match none of its measures."""
    overrides = Overrides()
    if "overrides" in frozen:
        overrides.rows = dict(frozen["overrides"])
    else:
        for dept, key, no, measure, level, comment in stored:
            overrides.rows[key] = StoredOverride(dept, key, no, measure, level, comment)
    keys = set(frozen["measures"]["measure_key"]) if "measure_key" in frozen["measures"].columns else set()
    return overrides, [o for k, o in overrides.rows.items() if k not in keys]


def frozen_report(inputs: PeriodInputs, config: Config) -> Report:
    """A closed period's report: the frozen figures, plus the files that arrived after closing, listed only."""
    frozen, closing, period = inputs.frozen, inputs.closing, inputs.period
    assert frozen is not None and closing is not None
    log = ProblemLog(frozen["problems"])
    submissions: pd.DataFrame = frozen["submissions"].copy()
    tz = tz_of(config)
    # Submissions recorded after the close: their ids are above the last one the snapshot saw.
    late = [s for s in inputs.submissions if s.id > frozen.get("last_submission_id", 0)]
    rows = []
    for sub in late:
        log.add(Problem("arrived-after-closing", file=sub.original_name))
        rows.append({"file": sub.original_name, "department": sub.department or "", "received_at": _local(sub.received_at, tz),
                     "state": "after-closing", "errors": sub.errors, "warnings": sub.warnings, "measures": 0,
                     "sender": sub.sender or "", "origin": sub.origin, "archive_path": sub.archive_path, "sha256": sub.sha256[:12]})
    if rows:
        submissions = pd.concat([submissions, pd.DataFrame(rows, columns=submissions.columns)], ignore_index=True)
    log.extend(inputs.intake_problems)
    overrides, unmatched = _frozen_overrides(frozen, inputs.stored_overrides)
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


def results_rows(report: Report) -> list[tuple[str, float | None, int, int, int]]:
    """The period's figures as the store keeps them for trends; the overall figure under the department ""."""
    rows = [
        (row.department, None if is_missing(row.pct) else float(row.pct), int(row.measures), int(row.due), int(row.scored))
        for row in report.departments.itertuples()
        if row.reported
    ]
    rows.append(("", report.overall.pct, report.overall.measures, report.overall.due, report.overall.scored))
    return rows


def attach_history(report: Report, inputs: PeriodInputs, months: int = HISTORY_MONTHS) -> None:
    """The last 12 periods' figures (of the same kind: quarters with quarters), and each department's change
    against the previous period of that kind. An open period's own figures are the report's (the repository
    keeps them after); a closed one's are as kept."""
    kept = cycles.trend(inputs.history_periods, report.period, len(inputs.history_periods))
    rows = list(inputs.history)
    if report.closing is None:
        periods = cycles.trend({*kept, report.period}, report.period, months)
        rows = [r for r in rows if r[0] != report.period]
        rows += [(report.period, department, pct) for department, pct, *_ in results_rows(report)]
    else:
        periods = kept[-months:]
    history = pd.DataFrame([r for r in rows if r[0] in periods], columns=["period", "department", "pct"])
    history["order"] = [cycles.sort_key(p) for p in history["period"]]
    history = history.sort_values(["order", "department"], kind="stable").drop(columns="order").reset_index(drop=True)
    report.history = history
    earlier = [p for p in periods if p != report.period]
    previous = history[history["period"] == earlier[-1]].set_index("department")["pct"] if earlier else pd.Series(dtype="float64")
    report.previous_period = earlier[-1] if earlier else None
    table = report.departments
    table["previous_pct"] = [previous.get(d) if d in previous.index else None for d in table["department"]]
    table["previous_pct"] = table["previous_pct"].astype("float64")
    table["change"] = (table["pct"].astype("float64") - table["previous_pct"]).round(1)
    report.overall_previous = float(previous[""]) if "" in previous.index and not is_missing(previous[""]) else None


def period_report(inputs: PeriodInputs, config: Config) -> Report:
    """The period's report from its gathered inputs: rebuilt while open (the review workbook's edits merged
    over the store's overrides), reproduced from the frozen figures once closed (every edited review cell
    that differs from the overrides in force refused, `review-period-closed`); edits typed into the other
    language's workbook listed; the trend history attached."""
    if inputs.closing is not None:
        report = frozen_report(inputs, config)
        report.overrides.source, report.overrides.source_lang = inputs.review_name, inputs.review_lang
        if inputs.review is not None:
            report.problems.extend(refused_edits(inputs.review, report.overrides, inputs.period))
            report.overrides.read = 0
    else:
        overrides = merge_overrides(inputs.stored_overrides, inputs.review, inputs.review_name, inputs.review_lang)
        report = build_report(inputs, overrides, config, inputs.period)
    report.problems.extend(_edits_elsewhere(inputs, report.overrides))
    attach_history(report, inputs)
    return report


def _edits_elsewhere(inputs: PeriodInputs, in_force: Overrides) -> list[Problem]:
    """Review cells typed into the workbook that is not read back: listed, never silently dropped."""
    problems = []
    for other in inputs.other_reviews:
        for p in refused_edits(other, in_force, inputs.period):
            if p.code == "review-period-closed":
                p = Problem("review-other-workbook", file=p.file, sheet=p.sheet, cell=p.cell, value=p.value,
                            detail=inputs.review_name)
            problems.append(p)
    return problems
