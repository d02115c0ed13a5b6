"""Outputs are safe to open: template text never becomes a formula or a link, a killed run never leaves half a
report in place of the last good one, and a report held open in Excel gets the new one written alongside."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.output.csvs import NUMBER_COLUMNS
from pipeline.output.safe import csv_safe
from tests import hostile_fixtures as hf
from tests.conftest import MAPPINGS, ROOT

PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
    "http://example.com",
    "\tfoo",
    "\r=2+2",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def free_mappings(tmp: Path) -> Path:
    """The repository's mappings with no expected departments, so any department cell is taken as written."""
    mappings = tmp / "mappings"
    shutil.copytree(MAPPINGS, mappings)
    (mappings / "departments.yaml").write_text("departments: []\n", encoding="utf-8")
    return mappings


def injected_inbox(tmp: Path) -> Path:
    inbox = tmp / "input"
    inbox.mkdir()
    measures = []
    for i, text in enumerate(PAYLOADS, start=1):
        # measure, target, achieved and note cells all carry the payload
        measures.append([f"1.{i}", text, None, None, text, "I-IV улирал", None, None, text, None, text])
    hf.good_template(inbox / "ЗУХ 2026-10.xlsx", measures=measures)
    # A department cell, a sheet name and a file name can carry one too.
    hf.good_template(inbox / "=1+1 2026-10.xlsx", department="=cmd|' /C calc'!A0", sheet="+SUM(A1)")
    return inbox


def sheet_xml(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")}


def test_template_text_never_becomes_a_formula_or_a_link_in_any_output(tmp_path: Path) -> None:
    inbox = injected_inbox(tmp_path)
    out = tmp_path / "output"
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(free_mappings(tmp_path))])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    period = out / "2026-10"
    workbooks = sorted(period.rglob("*.xlsx"))
    names = {p.name for p in workbooks}
    assert {"negtgel_2026-10.xlsx", "summary_2026-10.xlsx"} <= names

    shown: set[str] = set()
    for path in workbooks:
        book = openpyxl.load_workbook(path)  # formulas as formulas, not their values
        for sheet in book.worksheets:
            assert not sheet._hyperlinks, (path.name, sheet.title)
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                    assert cell.hyperlink is None, (path.name, sheet.title, cell.coordinate)
                    if isinstance(cell.value, str):
                        shown.add(cell.value)
        for part, xml in sheet_xml(path).items():
            assert b"<hyperlink" not in xml, (path.name, part)
            for formula in re.findall(rb"<f\b[^>]*>(.*?)</f>", xml, re.S):
                text = formula.decode("utf-8", "replace")
                for payload in PAYLOADS:
                    assert payload.strip().lstrip("=+@-") not in text, (path.name, part, text)
            if part.endswith(".rels"):
                assert b"/hyperlink" not in xml, (path.name, part)
    # ... and every payload is still shown, as text.
    for payload in PAYLOADS:
        visible = payload.strip()
        assert any(visible in value for value in shown), payload
    assert any("=cmd|' /C calc'!A0" in value for value in shown)

    for name in ("measures.csv", "problems.csv"):
        with (period / name).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows
        for row in rows:
            for column, value in row.items():
                if value.startswith(TRIGGERS):
                    assert name == "measures.csv" and column in NUMBER_COLUMNS | {"achievement"}, (name, column, value)
                    float(value)  # a number, not a formula
    with (period / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        measures = list(csv.DictReader(handle))
    texts = {r["measure"] for r in measures} | {r["target_text"] for r in measures} | {r["actual_text"] for r in measures}
    for payload in PAYLOADS:
        visible = payload.strip()
        assert any(t == csv_safe(visible) or t.endswith(visible) for t in texts), payload
    assert "'=1+1 2026-10.xlsx" in {r["source_file"] for r in measures}
    assert "'=cmd|' /C calc'!A0" in {r["department"] for r in measures}
    assert "'+SUM(A1)" in {r["sheet"] for r in measures}


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@a", "\tx", "\rx"])
def test_csv_safe_neutralises_every_trigger(text: str) -> None:
    assert csv_safe(text) == "'" + text
    assert csv_safe("1" + text) == "1" + text


# --- killed mid-write ------------------------------------------------------------------------------------

def outputs(period: Path) -> list[str]:
    """Every report file of a period folder (not the hidden manifest or temporary files)."""
    return sorted(p.name for p in period.iterdir() if p.is_file() and not p.name.startswith("."))


def run_cli(inbox: Path, out: Path, mappings: Path, workspace: Path | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if workspace is not None:
        env["NEGTGEL_WORKSPACE"] = str(workspace)
    # Its own process group, so a kill can reach the run and the writer process it forks.
    return subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(inbox), "-o", str(out), "--mappings", str(mappings)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*.tmp") if p.is_file()] if folder.exists() else []


def kill_while_writing(process: subprocess.Popen[bytes], folder: Path, sig: signal.Signals) -> list[Path]:
    """Send `sig` as soon as a temporary output file appears; return the temp files seen."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        seen = temp_files(folder)
        if seen:
            # SIGKILL ends the whole tree (the run and the writer process it forks): nothing can clean up.
            # SIGINT goes to the run, which stops its writer and removes its temporary files.
            if sig == signal.SIGKILL:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
            process.wait(60)
            while True:  # until every process of the group has ended
                try:
                    os.killpg(process.pid, 0)
                except ProcessLookupError:
                    return seen
                time.sleep(0.01)
        if process.poll() is not None:
            pytest.fail(f"the run ended before writing was caught: {process.returncode}")
        time.sleep(0.002)
    process.kill()
    pytest.fail("no temporary output file appeared")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """150 generated templates (benchmarks/generate.py) and mappings that expect no particular departments."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate

    base = tmp_path_factory.mktemp("big")
    generate(base / "templates", 152)
    return base / "templates", free_mappings(base)


def add_template(inbox: Path, templates: Path, index: int) -> None:
    shutil.copy2(templates / f"unit_{index:04d}.xlsx", inbox / f"unit_{index:04d}.xlsx")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, generated: tuple[Path, Path]) -> Path:
    """A workspace (store, archive), an input folder of 150 templates and the outputs of their run: built once,
    copied by each test that interrupts the next run (a moved workspace keeps its history)."""
    templates, mappings = generated
    base = tmp_path_factory.mktemp("published")
    inbox = base / "input"
    inbox.mkdir()
    for i in range(150):
        add_template(inbox, templates, i)
    first = run_cli(inbox, base / "output", mappings, base / "workspace")
    _, err = first.communicate(timeout=300)
    assert first.returncode in (0, 1), err.decode()
    return base


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_run_killed_while_writing_leaves_the_last_good_outputs(tmp_path: Path, generated: tuple[Path, Path], published: Path,
                                                                 sig: signal.Signals) -> None:
    templates, mappings = generated
    base = shutil.copytree(published, tmp_path / "published")
    inbox, out, workspace = base / "input", base / "output", base / "workspace"
    period = out / "2026-10"
    before = {name: (period / name).read_bytes() for name in outputs(period)}
    assert {"negtgel_2026-10.xlsx", "summary_2026-10.xlsx", "measures.csv", "problems.csv"} <= set(before)

    add_template(inbox, templates, 150)  # something new, so the next run writes every output again
    second = run_cli(inbox, out, mappings, workspace)
    kill_while_writing(second, period, sig)
    _, err = second.communicate()
    left = temp_files(period)
    assert b"Traceback" not in err, err.decode()
    if sig == signal.SIGINT:
        assert second.returncode == 130 and "Зогсоосон" in err.decode()
        assert not temp_files(period), "an interrupted run removes its temporary file"
    else:
        assert second.returncode == -signal.SIGKILL
    for name, old in before.items():
        path = period / name
        assert path.exists(), name
        now = path.read_bytes()
        if now != old:  # replaced by a complete new file before the kill: it must open
            assert path.suffix != ".xlsx" or openpyxl.load_workbook(path, read_only=True).sheetnames
    # A temporary file the kill left behind belongs to an output that was being written: that output is the old one.
    being_written = {p.name.split(".")[1] for p in left}
    for name in before:
        if Path(name).stem in being_written:
            assert (period / name).read_bytes() == before[name], f"{name} was replaced while its new copy was being written"
    for name in before:
        if name.endswith(".xlsx"):
            assert openpyxl.load_workbook(period / name, read_only=True).sheetnames
    assert all(re.fullmatch(r"\..+\.\w{8}\.\w+\.tmp", p.name) for p in left)
    if sig == signal.SIGKILL:
        assert left, "a killed run cannot clean up: the next one must"

    third = run_cli(inbox, out, mappings, workspace)
    _, err = third.communicate(timeout=300)
    assert third.returncode in (0, 1), err.decode()
    assert not temp_files(period), "the following run cleans up what the killed one left"
    assert openpyxl.load_workbook(period / "negtgel_2026-10.xlsx", read_only=True).sheetnames


# --- an output open in Excel -----------------------------------------------------------------------------

def test_a_locked_output_gets_the_new_report_alongside_and_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "input"
    inbox.mkdir()
    hf.good_template(inbox / "ЗУХ 2026-10.xlsx")
    out = tmp_path / "output"
    args = ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    locked = out / "2026-10" / "negtgel_2026-10.xlsx"
    old = locked.read_bytes()

    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == locked:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    hf.good_template(inbox / "ХБТХ 2026-10.xlsx", department="Хөгжлийн бодлого, төлөвлөлтийн хэлтэс")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    alongside = locked.with_name("negtgel_2026-10 (шинэ 1).xlsx")
    assert alongside.exists()
    assert locked.read_bytes() == old
    values = [str(c) for row in openpyxl.load_workbook(alongside).worksheets[0].iter_rows(values_only=True) for c in row]
    assert any("Хөгжлийн бодлого" in v for v in values)  # the new report, with the new department
    assert str(alongside) in result.output and "нээлттэй" in result.output
    assert not temp_files(out)


def test_the_fast_table_sheet_writes_exactly_what_xlsxwriter_writes(tmp_path: Path) -> None:
    import zipfile

    import pandas as pd

    from pipeline.output.safe import new_workbook
    from pipeline.output.sheets import Col, Formats, TableSheet, write_table

    frame = pd.DataFrame({"text": [None, "Арга хэмжээ & <тест> \"ишлэл\"", "=1+1", None, "", "x" * 40000, None],
                          "number": [None, 1.0, 2.5, float("nan"), 1e20, -0.000123, 1 / 3],
                          "flag": [None, True, False, True, None, False, None]})
    cols = [Col("text", "Текст", 30, "wrap"), Col("number", "Тоо", 10, "number"), Col("flag", "Тийм/Үгүй", 8)]
    xml = []
    for cls in (None, TableSheet):
        path = tmp_path / f"{cls is None}.xlsx"
        workbook = new_workbook(path)
        sheet = workbook.add_worksheet("Хүснэгт", worksheet_class=cls)
        write_table(sheet, frame, cols, Formats(workbook))
        sheet.write_blank(10, 0, None)  # a cell kind the fast path leaves to xlsxwriter
        sheet.write_string(10, 2, "формат байхгүй")  # a cell without a format, after one the fast path skipped
        sheet.write_number(10, 1, 7.0, workbook.add_format({"bold": True}))
        sheet.set_row(12, 40)  # a row with a height and no cells
        sheet.write_string(40, 5, "хол")  # another span of sixteen rows
        workbook.close()
        with zipfile.ZipFile(path) as archive:
            xml.append(archive.read("xl/worksheets/sheet1.xml"))
    assert xml[0] == xml[1]


def test_stored_columns_mixed_with_single_cells_and_a_chart_match_xlsxwriter(tmp_path: Path) -> None:
    """Columns kept whole by the fast sheet, cells written one by one before and after them in the same
    rows, rows beyond one chunk, and a chart that caches a column's values: the same files as xlsxwriter's."""
    import zipfile

    from pipeline.output.safe import new_workbook
    from pipeline.output.sheets import TableSheet

    n = 40
    texts: list[str | float | None] = [None if i % 7 == 0 else f"Мөр {i % 5}" for i in range(n)]
    numbers: list[str | float | None] = [None if i % 3 == 0 else float(i) / 4 for i in range(n)]
    parts = {}
    for fast in (False, True):
        path = tmp_path / f"{fast}.xlsx"
        workbook = new_workbook(path)
        shade, plain = workbook.add_format({"bg_color": "#EEEEEE"}), workbook.add_format({"font_name": "Arial"})
        text_formats = [shade if i % 4 < 2 else plain for i in range(n)]
        sheet = workbook.add_worksheet("Хүснэгт", worksheet_class=TableSheet if fast else None)
        if fast:
            sheet.ROWS_PER_CHUNK = 16  # several chunks in a small sheet
        sheet.write_string(0, 0, "Гарчиг", plain)
        sheet.write_string(5, 1, "өмнө бичсэн", plain)  # overwritten by the column below
        sheet.set_row(3, 30)
        columns = [(1, 2, texts, text_formats), (3, 1, numbers, [plain] * n), (20, 4, texts, [plain] * n)]
        for col, first, cells, formats in columns:
            if fast:
                sheet.write_column(col, first, cells, formats, blanks=col == 1)
            else:
                for r, (cell, fmt) in enumerate(zip(cells, formats, strict=True), first):
                    if cell is None:
                        if col == 1:
                            sheet.write_blank(r, col, None, fmt)
                    elif isinstance(cell, float):
                        sheet.write_number(r, col, cell, fmt)
                    else:
                        sheet.write_string(r, col, cell, fmt)
        sheet.write_string(10, 3, "дараа бичсэн", plain)  # overwrites a number of the column
        sheet.write_number(12, 2, 5.0, plain)  # between two stored columns
        sheet.write_string(n + 10, 0, "сүүлд", None)
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({"values": ["Хүснэгт", 1, 3, n, 3]})
        sheet.insert_chart(2, 6, chart)
        workbook.close()
        with zipfile.ZipFile(path) as archive:
            parts[fast] = {name: archive.read(name) for name in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                                                  "xl/charts/chart1.xml")}
    assert parts[True] == parts[False]


def test_a_shaded_column_written_at_once_matches_cell_by_cell(tmp_path: Path) -> None:
    import zipfile

    from pipeline.output.safe import new_workbook
    from pipeline.output.sheets import TableSheet

    cells = [None, "Хэлтэс", 2.5, None, "Тайлбар", None]
    xml = []
    for fast in (False, True):
        path = tmp_path / f"{fast}.xlsx"
        workbook = new_workbook(path)
        shade = workbook.add_format({"bg_color": "#EEEEEE"})
        formats = [shade, None, shade, None, shade, shade]
        sheet = workbook.add_worksheet("Хүснэгт", worksheet_class=TableSheet if fast else None)
        if fast:
            sheet.write_column(0, 3, cells, formats, blanks=True)
        else:
            for r, (cell, fmt) in enumerate(zip(cells, formats, strict=True), 3):
                if cell is None:
                    sheet.write_blank(r, 0, None, fmt)
                elif isinstance(cell, float):
                    sheet.write_number(r, 0, cell, fmt)
                else:
                    sheet.write_string(r, 0, cell, fmt)
        workbook.close()
        with zipfile.ZipFile(path) as archive:
            xml.append(archive.read("xl/worksheets/sheet1.xml"))
    assert xml[0] == xml[1]


def test_the_fast_shared_strings_match_xlsxwriter(tmp_path: Path) -> None:
    """Plain strings are written directly; every kind xlsxwriter escapes or marks goes its own way."""
    import zipfile

    import xlsxwriter

    from pipeline.output.safe import SAFE_WORKBOOK_OPTIONS, new_workbook

    tricky = ["Арга хэмжээ", " эхэндээ зайтай", "төгсгөлдөө зайтай ", "мөр\nшилжсэн", "A & B <c> \"d\"", "_x0041_",
              "хяналт\x01тэмдэгт", "\ufffe", "таб\t", "\u00a0nbsp", "😀 эможи", "<r>биш баялаг</r>", "=1+1", "x" * 3000]
    strings = [*tricky, *(f"Мөр {i}" for i in range(5000))]
    parts = []
    for fast in (False, True):
        path = tmp_path / f"{fast}.xlsx"
        workbook = new_workbook(path) if fast else xlsxwriter.Workbook(str(path), SAFE_WORKBOOK_OPTIONS)
        sheet = workbook.add_worksheet("Хүснэгт")
        for r, text in enumerate(strings):
            sheet.write_string(r, 0, text)
        bold = workbook.add_format({"bold": True})
        sheet.write_rich_string(0, 1, "энгийн ", bold, "тод", " төгсгөл")
        workbook.close()
        with zipfile.ZipFile(path) as archive:
            parts.append(archive.read("xl/sharedStrings.xml"))
    assert parts[0] == parts[1]
    assert b"<t xml:space=\"preserve\"> " in parts[1] and b"_x005F_x0041_" in parts[1]  # the slow path did run


def test_write_cells_gives_the_same_sheet_on_the_fast_and_the_plain_sheet(tmp_path: Path) -> None:
    """`write_cells` is how callers write a column without knowing the sheet's class: the same XML from both."""
    import zipfile

    from pipeline.output.safe import new_workbook
    from pipeline.output.sheets import TableSheet, write_cells

    cells: list[str | float | None] = [None, "Хэлтэс", 2.5, None, "A & <B>", 1e-7, None]
    xml = []
    for cls in (None, TableSheet):
        path = tmp_path / f"{cls is None}.xlsx"
        workbook = new_workbook(path)
        shade, plain = workbook.add_format({"bg_color": "#EEEEEE"}), workbook.add_format({"font_name": "Arial"})
        sheet = workbook.add_worksheet("Хүснэгт", worksheet_class=cls)
        write_cells(sheet, 0, 1, cells, [shade, None, shade, plain, shade, None, shade], blanks=True)
        write_cells(sheet, 2, 3, cells, plain)  # one format, empty cells left out
        workbook.close()
        with zipfile.ZipFile(path) as archive:
            xml.append((archive.read("xl/worksheets/sheet1.xml"), archive.read("xl/sharedStrings.xml")))
    assert xml[0] == xml[1]
    assert xml[0][0].count(b"<c ") == 7 + 4  # every cell of A has a value or a format, four of C a value


def test_only_the_sheets_module_knows_the_fast_sheet_class() -> None:
    """The fast path on xlsxwriter's internals stays in one module: no caller branches on `TableSheet`."""
    import re

    from tests.conftest import ROOT

    branching = re.compile(r"isinstance\([^)]*TableSheet")
    found = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "pipeline").rglob("*.py"))
             if path.name != "sheets.py" and branching.search(path.read_text(encoding="utf-8"))]
    assert found == []
