"""A closed period's snapshot written by an earlier format still reads back to the same figures.

`tests/data/snapshot_v1.json` was written by format 1 of `store_codec` (two departments of 2026-10, one late,
a reviewer's level in force). It is committed as written and never regenerated: when `SNAPSHOT_VERSION`
changes, this file stays and this test keeps proving that a period closed before reproduces exactly.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import build
from pipeline.config import Config
from pipeline.model import StoredOverride
from pipeline.score import measure_key
from pipeline.store import open_store, store_location_of
from pipeline.store_codec import snapshot_from_json
from pipeline.store_schema import TABLES
from tests.pure import SANKHUU, ZUH, closed, submission

SNAPSHOT_V1 = Path(__file__).parent / "data" / "snapshot_v1.json"


def _assert_figures_of_v1(frozen: dict[str, object], config: Config) -> None:
    late = submission(3, "ЗУХ дахин.xlsx", received_at="2026-11-21T09:00:00+08:00")
    subs = [submission(1, "ЗУХ.xlsx", received_at="2026-11-04T09:00:00+08:00"),
            submission(2, "СТСХ.xlsx", SANKHUU, received_at="2026-11-08T16:30:00+08:00"), late]
    report = build.frozen_report(closed(frozen, subs), config)

    overall = report.overall
    assert (overall.pct, overall.rating, overall.grade, overall.points) == (50.0, "Хангалтгүй", "F", 2.5)
    assert (overall.measures, overall.due, overall.scored) == (6, 6, 6)
    assert overall.counts == {"done": 3, "in_progress": 0, "insufficient": 0, "not_done": 3, "not_due": 0, "unscored": 0}
    table = report.departments.set_index("department")
    assert (table.loc[ZUH, "pct"], table.loc[ZUH, "days_late"], table.loc[ZUH, "rank"]) == (66.7, 0, 1)
    assert (table.loc[SANKHUU, "pct"], table.loc[SANKHUU, "days_late"], table.loc[SANKHUU, "rank"]) == (33.3, 3, 2)
    assert int(table["reported"].sum()) == 2 and (report.expected, report.reported) == (10, 2)
    assert [(r.department, r.measure_no, r.level, r.basis) for r in report.measures.itertuples()] == [
        (ZUH, "1.1", 100.0, "status_word"), (ZUH, "1.2", 100.0, "evaluator"), (ZUH, "1.3", 0.0, "status_word"),
        (SANKHUU, "1.1", 100.0, "status_word"), (SANKHUU, "1.2", 0.0, "status_word"), (SANKHUU, "1.3", 0.0, "status_word")]
    key = measure_key(ZUH, "1.2", "Сургалт зохион байгуулна.")
    assert report.overrides.rows == {key: StoredOverride(ZUH, key, "", "", "Бүрэн хэрэгжсэн", "Нотлох баримттай")}
    assert report.unmatched_overrides == []
    assert [(p.code, p.file, p.detail) for p in report.problems if p.code in ("report-late", "arrived-after-closing")] == [
        ("report-late", "СТСХ.xlsx", "3"), ("arrived-after-closing", "ЗУХ дахин.xlsx", "")]
    assert report.late_after_closing == ["ЗУХ дахин.xlsx"]
    assert list(report.submissions["state"]) == ["consolidated", "consolidated", "after-closing"]
    assert report.plan_changes is None and report.hierarchy is None


def test_a_format_1_snapshot_reproduces_its_figures(config: Config) -> None:
    text = SNAPSHOT_V1.read_text(encoding="utf-8")
    assert text.startswith('{"version": 1, ')
    _assert_figures_of_v1(snapshot_from_json(text), config)


def test_the_store_reads_a_format_1_snapshot_as_written(tmp_path: Path, config: Config) -> None:
    """Stored as that version wrote it (not re-encoded by this one), read through the store."""
    with open_store(store_location_of(tmp_path / "negtgel.db")) as store:
        store.execute(TABLES.tables["snapshots"].insert(), {"period": "2026-10", "closed_at": "2026-11-20T10:00:00+08:00",
                                                            "version": 1, "data": SNAPSHOT_V1.read_text(encoding="utf-8")})
        found = store.frozen("2026-10")
    assert found is not None and found[0] == "2026-11-20T10:00:00+08:00"
    _assert_figures_of_v1(found[1], config)
