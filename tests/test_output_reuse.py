"""Outputs that show only part of the report are written again only when that part changed: the PNG charts
(their key is kept in the file) and the per-department workbooks (`departments/.negtgel-departments.json`)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.output.charts import chart_data, figure_keys, png_key, write_charts
from pipeline.output.consolidated import _department_workbooks
from pipeline.output.safe import write_atomically
from pipeline.run import run_consolidation
from pipeline.workspace import Workspace
from tests.conftest import MAPPINGS
from tests.test_summary import BG, HEZ, STS, ZUH, template


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    root = tmp_path_factory.mktemp("reuse")
    inbox = root / "input"
    inbox.mkdir()
    config = load_config(MAPPINGS)
    template(inbox, "ЗУХ 10 сар.xlsx", ZUH, 10, [100, 100, 100, 70], dt.datetime(2026, 11, 3, 9))
    template(inbox, "СТСХ 10 сар.xlsx", STS, 10, [100, 70, 70, 30, None], dt.datetime(2026, 11, 8, 9))
    template(inbox, "ХЭЗХ 10 сар.xlsx", HEZ, 10, [100, 70, 0, 30], dt.datetime(2026, 11, 4, 9))
    template(inbox, "БГ 10 сар.xlsx", BG, 10, [100, 100, 70, 70, 100], dt.datetime(2026, 11, 2, 9))
    result = run_consolidation(Workspace.at(root, MAPPINGS), config, input_dir=inbox, output_dir=root / "output")
    assert result.report is not None
    return result.report, config


def stamps(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}


def test_a_chart_is_drawn_again_only_when_what_it_shows_changed(report: tuple[Any, Any], tmp_path: Path) -> None:
    rep, config = report
    method = config.methodology
    first = write_charts(rep, tmp_path, method)
    keys = figure_keys(chart_data(rep), method)
    assert {name: png_key(tmp_path / name) for name in keys} == keys
    before = stamps(tmp_path)
    again = write_charts(rep, tmp_path, method)
    assert [w.path for w in again] == [w.path for w in first]
    after = stamps(tmp_path)
    assert {n for n in after if after[n] != before[n]} == {"digest_2026-10.pdf"}  # it says when it was made

    changed = copy.deepcopy(rep)
    changed.departments.loc[changed.departments["department"] == BG, "pct"] = 12.5
    write_charts(changed, tmp_path, method)
    assert stamps(tmp_path)["departments_2026-10.png"] != after["departments_2026-10.png"]
    assert stamps(tmp_path)["status_2026-10.png"] == after["status_2026-10.png"]  # the status mix did not change

    # A chart replaced by something else (not holding its key) is drawn again.
    write_atomically(tmp_path / "status_2026-10.png", lambda tmp: tmp.write_bytes(b"not a chart"))
    write_charts(changed, tmp_path, method)
    assert png_key(tmp_path / "status_2026-10.png") == keys["status_2026-10.png"]


def test_a_department_workbook_is_written_again_only_when_its_department_changed(report: tuple[Any, Any], tmp_path: Path) -> None:
    rep, _ = report
    folder = tmp_path / "departments"
    first = _department_workbooks(rep, folder, "mn")
    assert len(first) == 4
    before = stamps(folder)
    changed = copy.deepcopy(rep)
    row = changed.measures.index[changed.measures["department"] == HEZ][0]
    changed.measures.loc[row, "progress"] = "Засварласан гүйцэтгэл"
    again = _department_workbooks(changed, folder, "mn")
    assert [w.path for w in again] == [w.path for w in first]
    after = stamps(folder)
    rewritten = {n for n in after if after[n] != before[n] and not n.startswith(".")}
    assert len(rewritten) == 1  # the changed department's workbook only

    # A workbook edited since it was written is written again even though its department did not change.
    edited = next(w.path for w in again if w.path.name not in rewritten)
    edited.write_bytes(b"edited")
    _department_workbooks(changed, folder, "mn")
    assert edited.read_bytes().startswith(b"PK")
