"""Each submission's normalised rows are kept in the store: a re-run normalises only the files it has not seen,
and gives the frame a run without the cache gives (issue 19)."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import normcache
from pipeline.config import load_config
from pipeline.normalise import Source, normalise_measures, pack_read, record_columns, records_frame
from pipeline.read.table import PackedTable
from pipeline.read.workbook import read_file
from pipeline.run import run_consolidation
from pipeline.store import Store
from pipeline.workspace import Workspace
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx
from tests.test_summary import BG, HEZ, OBG, STS, ZUH, template

FILES: dict[str, tuple[str, list[int | None], dt.datetime]] = {
    "ЗУХ 10 сар.xlsx": (ZUH, [100, 100, 100, 70], dt.datetime(2026, 11, 3, 9)),
    "СТСХ 10 сар.xlsx": (STS, [100, 70, 70, 30, None], dt.datetime(2026, 11, 8, 9)),
    "ХЭЗХ 10 сар.xlsx": (HEZ, [100, 70, 0, 30], dt.datetime(2026, 11, 4, 9)),
}
ODD = "ОБГ 10 сар.xlsx"


def fill(inbox: Path) -> None:
    for name, (department, levels, saved) in FILES.items():
        template(inbox, name, department, 10, levels, saved)
    odd(inbox)


def odd(inbox: Path, achieved: str = "2 удаа сургалт зохион байгуулсан") -> None:
    """A report whose cells the notation flags, so that the kept rows carry problems too."""
    rows: list[list[Any]] = [["Зорилго 1: Төлөвлөгөөг хэрэгжүүлэх"],
            ["1.1", "Сургалт зохион байгуулна.", "Сургалтын тоо", None, "2", "1-1V улирал", "Мэргэжилтэн", "Гүйцэтгэл.", achieved],
            ["1.2", "Журам батална.", "Хэрэгжилтийн хувиар", None, "Хэрэгжилт - 100%", "I-IV улирал", "Мэргэжилтэн", "ХБ", "ХБ"]]
    write_xlsx(inbox / ODD, template_rows(rows, department=OBG))


def counted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The file of each row every call of the normalising itself was given."""
    calls: list[list[str]] = []
    real = normcache.normalised_columns

    def spy(frame: pd.DataFrame, config: Any) -> Any:
        calls.append(frame["source_file"].tolist())
        return real(frame, config)

    monkeypatch.setattr(normcache, "normalised_columns", spy)
    return calls


def notation_problems(report: Any) -> list[Any]:
    return [p for p in report.problems if p.row is not None]


def test_a_rerun_normalises_only_the_changed_file_and_equals_a_cold_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(MAPPINGS)
    inbox = tmp_path / "input"
    inbox.mkdir()
    fill(inbox)
    calls = counted(monkeypatch)
    workspace = Workspace.at(tmp_path / "ws", MAPPINGS)
    first = run_consolidation(workspace, config, input_dir=inbox, output_dir=tmp_path / "out")
    assert [len(c) for c in calls] == [15] and set(calls[0]) == {*FILES, ODD}
    # The Boards of Education's report arrives, and the legal department corrects its own.
    template(inbox, "БГ 10 сар.xlsx", BG, 10, [100, 70], dt.datetime(2026, 11, 9, 9))
    template(inbox, "ХЭЗХ 10 сар.xlsx", HEZ, 10, [100, 100, 100, 100], dt.datetime(2026, 11, 10, 9))
    calls.clear()
    second = run_consolidation(workspace, config, input_dir=inbox, output_dir=tmp_path / "out")
    assert sorted(calls[0]) == ["БГ 10 сар.xlsx"] * 2 + ["ХЭЗХ 10 сар.xlsx"] * 4 and len(calls) == 1
    assert first.report is not None and second.report is not None
    assert len(second.report.measures) == 17

    # The same files, cold, in a workspace of their own: the same rows and the same notation problems.
    cold_inbox = tmp_path / "cold-input"
    cold_inbox.mkdir()
    for path in inbox.iterdir():
        (cold_inbox / path.name).write_bytes(path.read_bytes())
    calls.clear()
    cold = run_consolidation(Workspace.at(tmp_path / "cold", MAPPINGS), config, input_dir=cold_inbox, output_dir=tmp_path / "cold-out")
    assert cold.report is not None and [len(c) for c in calls] == [17]
    ids = ["submission_id"]
    pd.testing.assert_frame_equal(second.report.measures.drop(columns=ids), cold.report.measures.drop(columns=ids), check_exact=True)
    kept = notation_problems(second.report)
    assert kept == notation_problems(cold.report)
    assert {p.code for p in kept} >= {"timeframe-interpreted"}
    assert (tmp_path / "out" / "2026-10" / "measures.csv").read_bytes() == (tmp_path / "cold-out" / "2026-10" / "measures.csv").read_bytes()


def sources_of(tmp_path: Path) -> list[Source]:
    fill(tmp_path)
    config = load_config(MAPPINGS)
    found = []
    named = [(name, department) for name, (department, _, _) in FILES.items()] + [(ODD, OBG)]
    for index, (name, department) in enumerate(named, start=1):
        found.append(Source(index, department, read_file(tmp_path / name, config), f"{index:064d}"))
    return found


def test_an_entry_that_does_not_fit_is_normalised_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(MAPPINGS)
    sources = sources_of(tmp_path)
    expected, expected_problems = normalise_measures(records_frame(sources), config)
    store = Store(tmp_path / "negtgel.db")
    try:
        calls = counted(monkeypatch)
        frame, problems = normcache.normalised_for(sources, config, store)
        assert [len(c) for c in calls] == [15]
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)
        assert problems == expected_problems
        assert [(p.code, p.cell) for p in problems] == [("timeframe-interpreted", "F9"), ("actual-from-narrative", "I9")]
        key = normcache.cache_key(config)
        entries = store.normalised([s.sha256 for s in sources], key)
        assert len(entries) == 4
        first, second, third, fourth = (s.sha256 for s in sources)
        damaged = entries[first][:40]
        other = pickle.loads(entries[second])
        other["department"] = BG  # made when the file was matched to another department
        store.save_normalised([(first, damaged), (second, pickle.dumps(other))], key)
        calls.clear()
        frame, problems = normcache.normalised_for(sources, config, store)
        assert [sorted(set(c)) for c in calls] == [["ЗУХ 10 сар.xlsx", "СТСХ 10 сар.xlsx"]]
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)
        assert problems == expected_problems
        calls.clear()
        frame, problems = normcache.normalised_for(sources, config, store)  # every entry fits now
        assert calls == []
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)
        assert problems == expected_problems
        # Another mappings or program version: another key, so nothing stored is taken.
        monkeypatch.setattr(normcache, "ENTRY_FORMAT", 2)
        assert normcache.cache_key(config) != key
        normcache.normalised_for(sources, config, store)
        assert [len(c) for c in calls] == [15]
        assert set(store.normalised([third, fourth], key)) == {third, fourth}  # the entries of the old key stay
    finally:
        store.close()


def test_without_a_store_everything_is_normalised(tmp_path: Path) -> None:
    config = load_config(MAPPINGS)
    sources = sources_of(tmp_path)
    expected, expected_problems = normalise_measures(records_frame(sources), config)
    frame, problems = normcache.normalised_for(sources, config)
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert problems == expected_problems
    empty, none = normcache.normalised_for([], config)
    assert len(empty) == 0 and none == [] and list(empty.columns) == list(expected.columns)


def test_packed_reads_give_the_frame_and_counts_of_the_records(tmp_path: Path) -> None:
    """Issue 19: the repository packs each read into column lists; the build sees the same records."""
    config = load_config(MAPPINGS)
    sources = sources_of(tmp_path)
    packed = [Source(s.submission_id, s.department, pack_read(s.read), s.sha256) for s in sources]
    assert [sum(t.rows for t in s.read.tables) for s in packed] == [sum(len(t.measures) for t in s.read.tables) for s in sources]
    assert [sum(t.rows for t in s.read.tables) for s in packed] == [4, 5, 4, 2]
    assert all(isinstance(t, PackedTable) and t.measures == [] for s in packed for t in s.read.tables)
    assert [(s.read.name, s.read.meta, s.read.problems) for s in packed] == [(s.read.name, s.read.meta, s.read.problems) for s in sources]
    assert record_columns(packed) == record_columns(sources)
    assert pack_read(packed[0].read) is packed[0].read  # packing a packed read changes nothing
    expected, expected_problems = normalise_measures(records_frame(sources), config)
    frame, problems = normcache.normalised_for(packed, config)
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert problems == expected_problems
    assert [(p.code, p.cell) for p in problems] == [("timeframe-interpreted", "F9"), ("actual-from-narrative", "I9")]
