"""Pre-filled templates for the next period (issue 16, part 2): each expected department's approved plan with
its last accepted progress, so the official only updates what moved.

`negtgel template --all --period 2026-11` writes `<workspace>/output/templates/2026-11/<short>_2026-11_тайлан.xlsx`
for every department in departments.yaml. The plan comes from `plans/2026/` (`negtgel plan import`); the
progress (Гүйцэтгэл, Хүрсэн түвшин, Хэрэгжилтийн хувь, Тайлбар) from the department's consolidated report of
the latest earlier period of the same year (reports are cumulative from the start of the year). The files are
stamped with the period's first day, so the same plan and progress give the same bytes (and the same hash:
`negtgel send-templates` never sends one file twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import cycles
from pipeline.config import Config, Department
from pipeline.plan import load_plans, safe_name
from pipeline.score import measure_key
from pipeline.workspace import Workspace

TEMPLATES_DIR = "templates"
PROGRESS_FIELDS = ("progress", "actual", "self_pct", "note")


@dataclass(frozen=True)
class Prefilled:
    department: Department
    path: Path
    measures: int
    from_plan: bool
    progress_from: str  # the period whose report the progress comes from, "" when none


def templates_dir(workspace: Workspace, period: str) -> Path:
    return workspace.output / TEMPLATES_DIR / period


def template_name(department: Department, period: str) -> str:
    return f"{safe_name(department)}_{period}_тайлан.xlsx"


def _key(department: str, record: dict[str, Any]) -> str:
    return measure_key(department, str(record.get("no", "")), str(record.get("measure", "")))


def last_progress(workspace: Workspace, config: Config, period: str) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Each department's measures as last consolidated in an earlier period of the same year: (period, records)."""
    from pipeline.archive import archived_path
    from pipeline.intake import read_cached
    from pipeline.run import current_submissions, store_location
    from pipeline.store import open_store

    store_file = store_location(config, workspace)
    if isinstance(store_file, Path) and not store_file.exists():  # a PostgreSQL store (a URL) is always there
        return {}
    found: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    with open_store(store_file) as store:
        this = cycles.parse(period)
        # Any earlier period of the year that has ended by this one's end: a quarterly department's Q2, a month's.
        earlier = [p for p in reversed(cycles.ordered(store.periods()))
                   if (q := cycles.try_parse(p)) is not None and q.year == this.year and q.sort_key < this.sort_key]
        for p in earlier:
            for dept, sub in current_submissions(store.submissions(p), store.pins(p)).items():
                if dept in found or not sub.readable:
                    continue
                path = archived_path(sub, workspace)
                if not path.is_file():
                    continue
                read = read_cached(path, sub.sha256, sub.original_name, store, config)
                records = [dict(m) for t in read.tables for m in t.measures]
                if records:
                    found[dept] = (p, records)
    return found


def prefill(plan: Sequence[dict[str, Any]], progress: Sequence[dict[str, Any]], department: str) -> list[dict[str, Any]]:
    """The plan's measures, each with the progress of the same measure (by number and text, then number)."""
    by_key = {_key(department, r): r for r in progress}
    by_no = {str(r.get("no", "")).strip().rstrip("."): r for r in progress}
    rows = []
    for measure in plan:
        row = {k: v for k, v in measure.items() if k != "row"}
        done = by_key.get(_key(department, measure)) or by_no.get(str(measure.get("no", "")).strip().rstrip("."))
        if done is not None:
            for name in PROGRESS_FIELDS:
                if done.get(name) not in (None, ""):
                    row[name] = done[name]
                if done.get(f"{name}_pct_fmt"):
                    row[f"{name}_pct_fmt"] = True
        rows.append(row)
    return rows


def write_all(workspace: Workspace, config: Config, period: str, output_dir: Path | None = None) -> list[Prefilled]:
    """Every department expected in the period (its cycle makes it: a quarterly one gets 2026-Q3's, not
    2026-08's) gets its template for the period, pre-filled; returns what was written."""
    from pipeline.template import plan_only, write_template

    this = cycles.parse(period)
    year, month = this.year, (this.number if this.kind == "month" else None)
    plans = load_plans(workspace, year)
    progress = last_progress(workspace, config, period)
    folder = output_dir or templates_dir(workspace, period)
    stamp = dt.datetime.combine(this.first_day, dt.time(), tzinfo=dt.UTC)
    written = []
    for dept in config.departments:
        if not cycles.expected_in(dept, config.settings.cycle, period):
            continue
        plan = plans.get(dept.name)
        since, records = progress.get(dept.name, ("", []))
        base = plan.measures if plan is not None else [plan_only(r) for r in records]
        measures = prefill(base, records, dept.name)
        path = write_template(folder / template_name(dept, period), department=dept, year=year, month=month,
                              config=config, measures=measures, saved=stamp, period=period)
        written.append(Prefilled(dept, path, len(measures), plan is not None, since))
    return written
