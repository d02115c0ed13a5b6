"""What the computed criteria rest on: each department's figures of the period, as `negtgel run` publishes them.

An open period's figures are rebuilt from the store and the archive by the consolidation's own report builder
(`build.build_report` on the repository's inputs, with the reviews kept in the store), exactly as `negtgel close` does; a closed period's
come from its frozen snapshot. Nothing is written but each submission's validation counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.build import build_report
from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.repository import Repository, closing_of
from pipeline.review import merge_overrides
from pipeline.run import store_location
from pipeline.store import open_store
from pipeline.values import is_missing
from pipeline.workspace import Workspace


@dataclass(frozen=True)
class Facts:
    """One department's figures for the period."""

    department: str
    reported: bool
    pct: float | None = None  # the published implementation %
    days_late: int | None = None  # by the first report
    errors: int = 0  # errors listed for the accepted (consolidated) report
    due: int = 0
    scored: int = 0
    received_at: str = ""  # the first report's local time, "2026-11-03 10:24"
    source_file: str = ""


def _facts(departments: Any, problems: list[Any]) -> dict[str, Facts]:
    errors: dict[str, int] = {}
    for p in problems:
        if p.severity == "error" and p.file:
            errors[p.file] = errors.get(p.file, 0) + 1
    found: dict[str, Facts] = {}
    for row in departments.to_dict("records"):
        reported = bool(row.get("reported"))
        source = str(row.get("source_file") or "")
        found[str(row["department"])] = Facts(
            department=str(row["department"]),
            reported=reported,
            pct=None if is_missing(row.get("pct")) else float(row["pct"]),
            days_late=None if is_missing(row.get("days_late")) else int(row["days_late"]),
            errors=errors.get(source, 0) if reported and source else 0,
            due=0 if is_missing(row.get("due")) else int(row["due"]),
            scored=0 if is_missing(row.get("scored")) else int(row["scored"]),
            received_at=str(row.get("received_at") or ""),
            source_file=source,
        )
    return found


def period_facts(config: Config, workspace: Workspace, period: str, store_path: Path | None = None,
                 lang: str = "mn") -> dict[str, Facts]:
    """Every department's figures for `period`; NegtgelError when the period has not been consolidated."""
    with open_store(store_location(config, workspace, store_path)) as store:
        if closing_of(store, period) is not None:
            frozen = store.frozen(period)
            assert frozen is not None
            return _facts(frozen[1]["departments"], list(frozen[1]["problems"]))
        if not store.submissions(period):
            if lang == "en":
                raise NegtgelError(f"No reports for {period} in the store: the computed criteria need the period's "
                                   f"consolidation. Run `negtgel run --period {period}` first.")
            raise NegtgelError(f"{period} сарын тайлан санд алга: тооцоолох шалгуурт энэ сарын нэгтгэл хэрэгтэй. "
                               f"Эхлээд `negtgel run --period {period}` гэж ажиллуулна уу.")
        repository = Repository(store, config, workspace)
        inputs = repository.gather(period, workspace.output / period, reviews=False)
        report = build_report(inputs, merge_overrides(inputs.stored_overrides, None, inputs.review_name, inputs.review_lang),
                              config, period)
        repository.record_counts(inputs, report.problems)
        return _facts(report.departments, list(report.problems))
