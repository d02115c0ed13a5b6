"""The leadership summary workbook, the PNG charts and the PDF digest, from real template files run through the
whole pipeline, read back with openpyxl and from the xlsx package's XML."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from pipeline.config import load_config
from pipeline.model import Closing, Report
from pipeline.output.charts import write_charts
from pipeline.output.summary import write_summary
from pipeline.rollup import overall
from pipeline.run import run_consolidation
from pipeline.workspace import Workspace
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"
STS = "Санхүү, төрийн сангийн хэлтэс"
HEZ = "Хууль, эрх зүйн хэлтэс"
BG = "Боловсролын газар"
OBG = "Онцгой байдлын газар"
WORDS = {100: "Бүрэн хэрэгжсэн", 70: "Хэрэгжих шатандаа", 30: "Хэрэгжилт хангалтгүй", 0: "Хэрэгжээгүй", None: "ХБ"}
INJECTED = '=HYPERLINK("http://example.com/x","дар")'
SHEETS = ["Самбар", "Хэлтсүүд", "Хангалтгүй хэрэгжилт", "Зорилго", "Ирц", "Чиг хандлага", "Графикийн өгөгдөл"]


def template(folder: Path, name: str, department: str, month: int, levels: list[int | None], saved: dt.datetime,
             texts: dict[int, tuple[str, str]] | None = None) -> Path:
    """A filled standard template; each measure's level is given by a status word in `Хүрсэн түвшин`."""
    rows: list[list[Any]] = [["Зорилго 1: Төлөвлөгөөг хэрэгжүүлэх"]]
    for i, level in enumerate(levels, start=1):
        measure, note = (texts or {}).get(i, (f"{department}: арга хэмжээ {i}-ийг хэрэгжүүлнэ.", ""))
        rows.append([f"1.{i}", measure, "Хэрэгжилтийн хувиар", None, "Хэрэгжилт - 100%", "I-IV улирал", "Мэргэжилтэн",
                     f"Гүйцэтгэл {i}.", WORDS[level], None, note or None])
    return write_xlsx(folder / name, template_rows(rows, department=department, month=month), saved=saved)


def glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "glyph" in str(w.message).lower() or "missing from font" in str(w.message).lower()]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """September (two departments), then October (four of ten; one late, one with a formula-looking measure)."""
    root = tmp_path_factory.mktemp("summary")
    inbox, out = root / "input", root / "output"
    inbox.mkdir()
    config = load_config(MAPPINGS)
    workspace = Workspace.at(root, MAPPINGS)
    template(inbox, "ЗУХ 9 сар.xlsx", ZUH, 9, [100, 70], dt.datetime(2026, 10, 2, 9))
    template(inbox, "БГ 9 сар.xlsx", BG, 9, [100, 100], dt.datetime(2026, 10, 3, 9))
    assert run_consolidation(workspace, config, input_dir=inbox, output_dir=out).report is not None
    template(inbox, "ЗУХ 10 сар.xlsx", ZUH, 10, [100, 100, 100, 70], dt.datetime(2026, 11, 3, 9))
    template(inbox, "СТСХ 10 сар.xlsx", STS, 10, [100, 70, 70, 30, None], dt.datetime(2026, 11, 8, 9))
    template(inbox, "ХЭЗХ 10 сар.xlsx", HEZ, 10, [100, 70, 0, 30], dt.datetime(2026, 11, 4, 9),
             texts={3: (INJECTED, "=1+1 санхүүжилт олгогдоогүй")})
    template(inbox, "БГ 10 сар.xlsx", BG, 10, [100, 100, 70, 70, 100], dt.datetime(2026, 11, 2, 9))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_consolidation(workspace, config, input_dir=inbox, output_dir=out)
    assert result.report is not None
    period_dir = out / "2026-10"
    return {
        "report": result.report,
        "dir": period_dir,
        "path": period_dir / "summary_2026-10.xlsx",
        "book": openpyxl.load_workbook(period_dir / "summary_2026-10.xlsx"),
        "warnings": caught,
        "config": config,
        "outputs": result.outputs,
    }


def rows(ws: Any, first: int) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


def test_the_period_is_consolidated_as_expected(world: dict[str, Any]) -> None:
    report: Report = world["report"]
    assert report.period == "2026-10"
    assert report.overall.pct == 75.3 and report.overall_previous == 92.5


def test_sheets_in_order_and_the_data_sheet_hidden(world: dict[str, Any]) -> None:
    book = world["book"]
    assert book.sheetnames == SHEETS
    assert [ws.sheet_state for ws in book.worksheets] == ["visible"] * 6 + ["hidden"]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_dashboard_headline_completeness_and_status_counts(world: dict[str, Any]) -> None:
    ws = world["book"]["Самбар"]
    assert ws["A1"].value == "2026 оны 10 дугаар сарын төлөвлөгөөний хэрэгжилт"
    assert ws["A2"].value == world["config"].methodology.name
    assert ws["A3"].value.startswith("Тайлант үе нээлттэй")
    pairs = {r[0]: r[1] for r in ws.iter_rows(min_row=5, max_row=16, max_col=2, values_only=True)}
    # 1280 / 17 = 75.29 -> 75.3 (C); points 75.29 / 20 = 3.76; September 92.5 -> change -17.2.
    assert pairs["Нийт хэрэгжилт, %"] == 75.3
    assert pairs["Үнэлгээ"] == "Хангалттай (C)"
    assert pairs["Оноо (5-аас)"] == 3.76
    assert pairs["Өмнөх үе (2026-09), %"] == 92.5
    assert pairs["Өөрчлөлт"] == -17.2
    assert pairs["Ирүүлсэн хэлтэс / хүлээгдэж буй"] == "4 / 10"
    assert (pairs["Хугацаандаа ирүүлсэн"], pairs["Хоцорч ирүүлсэн"], pairs["Ирүүлээгүй"]) == (3, 1, 6)
    assert (pairs["Нийт арга хэмжээ"], pairs["Хугацаа болсон"], pairs["Үнэлэгдсэн"]) == (18, 17, 17)
    status = {r[3]: r[4] for r in ws.iter_rows(min_row=6, max_row=12, values_only=True)}
    assert status == {"Хэрэгжсэн": 8, "Хэрэгжих шатандаа": 6, "Хэрэгжилт хангалтгүй": 2, "Хэрэгжээгүй": 1,
                      "Хугацаа болоогүй": 1, "Үнэлэх боломжгүй": 0, "Нийт": 18}
    listed = {r[7]: r[8] for r in ws.iter_rows(min_row=6, values_only=True) if r[7]}
    assert listed[OBG] == "Л.Ганзориг, хурандаа, 9911-2210"
    assert listed[STS] == "3 хоног"
    assert ws.freeze_panes == "A4"


def test_department_table_ranks_rates_and_lists_the_missing_last(world: dict[str, Any]) -> None:
    ws = world["book"]["Хэлтсүүд"]
    header = [c.value for c in ws[4]]
    assert header[:9] == ["Байр", "Хэлтэс, нэгж", "Товч нэр", "Хэрэгжилт, %", "Үнэлгээ", "Зэрэг", "Оноо (5)", "Өмнөх үе, %", "Өөрчлөлт"]
    data = rows(ws, 5)
    assert len(data) == 10
    top = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[8]) for r in data[:4]]
    assert top == [
        (1, ZUH, "ЗУХ", 92.5, "Маш сайн", "A", 4.63, 7.5),
        (2, BG, "БГ", 88.0, "Сайн", "B", 4.4, -12.0),
        (3, STS, "СТСХ", 67.5, "Сайжруулах шаардлагатай", "D", 3.38, None),
        (4, HEZ, "ХЭЗХ", 50.0, "Хангалтгүй", "F", 2.5, None),
    ]
    timely = header.index("Тайлан ирүүлсэн")
    counts = [header.index(h) for h in ("Нийт арга хэмжээ", "Хугацаа болсон", "Хэрэгжсэн", "Хангалтгүй (30, 0)")]
    assert [data[2][i] for i in counts] == [5, 4, 1, 1]
    assert [r[timely] for r in data[:4]] == ["Хугацаандаа", "Хугацаандаа", "3 хоног хоцорч ирүүлсэн", "Хугацаандаа"]
    missing = data[4:]
    assert {r[1] for r in missing} >= {OBG} and all(r[0] is None and r[3] == "—" for r in missing)
    assert {r[timely] for r in missing} == {"Ирүүлээгүй"}
    assert ws.freeze_panes == "C5" and ws.auto_filter.ref == "A4:R14"
    (rule_set,) = [cf for cf in ws.conditional_formatting]
    assert str(rule_set.sqref) == "D5:D14"
    bands = world["config"].methodology.bands
    assert [r.dxf.fill.bgColor.rgb[-6:] for r in rule_set.rules] == [b.color[1:].upper() for b in bands]
    assert rule_set.rules[0].formula == ["AND(ISNUMBER(D5),D5>90)"]


def test_lagging_sheet_lists_the_30_and_0_measures_with_notes_and_keeps_formula_text_as_text(world: dict[str, Any]) -> None:
    ws = world["book"]["Хангалтгүй хэрэгжилт"]
    assert ws["A1"].value == "Хэрэгжилт хангалтгүй арга хэмжээ: 3"
    header = [c.value for c in ws[4]]
    assert header[:4] == ["Хэлтэс, нэгж", "Товч нэр", "№", "Хэрэгжүүлэх арга хэмжээ"]
    data = rows(ws, 5)
    col = {h: i for i, h in enumerate(header)}
    got = [(r[col["Хэлтэс, нэгж"]], r[col["№"]], r[col["Түвшин"]], r[col["Төлөв"]]) for r in data]
    # The lowest-scoring department first, then plan order.
    assert got == [(HEZ, "1.3", 0, "Хэрэгжээгүй"), (HEZ, "1.4", 30, "Хэрэгжилт хангалтгүй"), (STS, "1.4", 30, "Хэрэгжилт хангалтгүй")]
    assert data[0][col["Хэрэгжүүлэх арга хэмжээ"]] == INJECTED
    assert data[0][col["Тайлбар"]] == "=1+1 санхүүжилт олгогдоогүй"
    assert data[0][col["Гүйцэтгэл"]] == "Гүйцэтгэл 3."
    cell = ws.cell(row=5, column=col["Хэрэгжүүлэх арга хэмжээ"] + 1)
    assert cell.data_type == "s"
    with zipfile.ZipFile(world["path"]) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in package.read(n).decode() for n in sheets), "a text cell became a formula"
        assert not any(n.startswith("xl/externalLinks") for n in package.namelist())
        assert "hyperlink" not in package.read("xl/worksheets/sheet3.xml").decode()


def test_goals_completeness_and_trends(world: dict[str, Any]) -> None:
    book = world["book"]
    goals = rows(book["Зорилго"], 5)
    assert [(r[0], r[2], r[3]) for r in goals] == [(ZUH, 92.5, "Маш сайн"), (BG, 88.0, "Сайн"), (STS, 67.5, "Сайжруулах шаардлагатай"),
                                                   (HEZ, 50.0, "Хангалтгүй")]
    assert [c.value for c in book["Зорилго"][4]][5:] == ["Нийт арга хэмжээ", "Хугацаа болсон", "Хэрэгжсэн", "Хангалтгүй (30, 0)"]
    assert goals[2][5:] == (5, 4, 1, 1)

    ws = book["Ирц"]
    header = [c.value for c in ws[4]]
    data = rows(ws, 5)
    assert len(data) == 10
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    assert by_name[OBG]["Ирүүлсэн эсэх"] == "Үгүй" and by_name[OBG]["Хугацаа"] == "Ирүүлээгүй"
    assert by_name[OBG]["Хариуцах албан тушаалтан"] == "Л.Ганзориг, хурандаа, 9911-2210"
    assert by_name[STS]["Хугацаа"] == "3 хоног хоцорч ирүүлсэн" and by_name[STS]["Файл"] == "СТСХ 10 сар.xlsx"
    # Real dates (they sort and filter as dates), shown as typed.
    received, deadline = by_name[STS]["Анх ирүүлсэн"], by_name[STS]["Эцсийн хугацаа"]
    assert isinstance(received, dt.datetime) and received.date() == dt.date(2026, 11, 8)
    assert deadline == dt.datetime(2026, 11, 5)
    col = header.index("Анх ирүүлсэн") + 1
    assert ws.cell(row=5 + [r[0] for r in data].index(STS), column=col).number_format == "yyyy-mm-dd hh:mm"
    assert by_name[OBG]["Анх ирүүлсэн"] is None
    assert data[0][2] == "Үгүй" and data[6][0] == STS  # the missing first, then the late

    ws = book["Чиг хандлага"]
    assert [c.value for c in ws[4]] == ["Хэлтэс, нэгж", "Товч нэр", "2026-09", "2026-10", "Өөрчлөлт"]
    data = rows(ws, 5)
    assert data[0] == ("Нийт дүн", "Нийт", 92.5, 75.3, -17.2)
    assert data[1] == (ZUH, "ЗУХ", 85.0, 92.5, 7.5)
    assert data[2] == (BG, "БГ", 100.0, 88.0, -12.0)


def chart_parts(path: Path) -> dict[str, list[str]]:
    """Sheet name -> the XML of the charts drawn on it (through workbook, sheet and drawing relationships)."""
    with zipfile.ZipFile(path) as package:
        def read(name: str) -> str:
            return package.read(name).decode()

        def targets(rels: str) -> dict[str, str]:
            return dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', read(rels))) if rels in package.namelist() else {}

        workbook_rels = targets("xl/_rels/workbook.xml.rels")
        result: dict[str, list[str]] = {}
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="hidden")? r:id="(rId\d+)"', read("xl/workbook.xml")):
            sheet = "xl/" + workbook_rels[rid]
            charts: list[str] = []
            for target in targets(sheet.replace("worksheets/", "worksheets/_rels/") + ".rels").values():
                if "drawing" not in target:
                    continue
                drawing = "xl/drawings/" + target.rsplit("/", 1)[1]
                for chart in targets(drawing.replace("drawings/", "drawings/_rels/") + ".rels").values():
                    charts.append(read("xl/charts/" + chart.rsplit("/", 1)[1]))
            result[name] = charts
    return result


def chart_kind(xml: str) -> tuple[str, ...]:
    return tuple(re.findall(r"<c:(barChart|lineChart|doughnutChart|pieChart)>", xml))


def test_native_charts_read_cells_of_the_workbook(world: dict[str, Any]) -> None:
    charts = chart_parts(world["path"])
    assert {name: len(c) for name, c in charts.items()} == {name: n for name, n in zip(SHEETS, [4, 0, 0, 0, 0, 1, 0], strict=True)}
    bars, doughnut, mix, trend = charts["Самбар"]
    assert chart_kind(bars) == ("barChart", "lineChart") and '<c:barDir val="col"/>' in bars
    # One colour per bar, by band, in rank order: 92.5 A, 88.0 B, 67.5 D, 50.0 F.
    bar_part = bars.split("<c:lineChart>")[0]
    fills = re.findall(r'<c:dPt><c:idx val="\d+"/><c:spPr><a:solidFill><a:srgbClr val="(\w+)"', bar_part)
    assert fills == ["1A9850", "91CF60", "FC8D59", "D73027"]
    assert len(re.findall(r"<c:ser>", bars.split("<c:lineChart>")[1])) == 4  # the lines at 90, 80, 70, 60
    assert chart_kind(doughnut) == ("doughnutChart",)
    assert chart_kind(mix) == ("barChart",) and '<c:grouping val="percentStacked"/>' in mix and '<c:barDir val="bar"/>' in mix
    assert chart_kind(trend) == ("lineChart",)
    assert chart_kind(charts["Чиг хандлага"][0]) == ("lineChart",)
    book = world["book"]
    for xml in [*charts["Самбар"], *charts["Чиг хандлага"]]:
        for ref in re.findall(r"<c:f>([^<]+)</c:f>", xml):
            sheet, cells = ref.rsplit("!", 1)
            assert sheet.strip("'") in book.sheetnames, ref
            ends = cells.replace("$", "").split(":")
            if len(ends) == 2:  # a range, never backwards (empty)
                first, last = (openpyxl.utils.cell.coordinate_from_string(e) for e in ends)
                assert first[1] <= last[1] and openpyxl.utils.column_index_from_string(first[0]) <= openpyxl.utils.column_index_from_string(last[0])
    data = book["Графикийн өгөгдөл"]
    assert [data.cell(row=r, column=1).value for r in range(2, 6)] == ["1. ЗУХ", "2. БГ", "3. СТСХ", "4. ХЭЗХ"]


def test_every_sheet_is_print_ready(world: dict[str, Any]) -> None:
    for ws in world["book"].worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 9 and setup.orientation == "landscape", ws.title
        # Fit to width; the dashboard fits on one page, the tables run on as long as they need.
        one_page = ws.title == "Самбар"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1), ws.title
        assert setup.fitToHeight in ((None, 1) if one_page else (0,)), ws.title
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
        assert "2026 оны 10 дугаар сарын" in ws.oddHeader.left.text, ws.title
        assert "&P" in ws.oddFooter.right.text, ws.title


def test_png_charts_and_the_pdf_digest(world: dict[str, Any]) -> None:
    folder = world["dir"]
    for name in ("departments_2026-10.png", "status_2026-10.png", "trend_2026-10.png"):
        data = (folder / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000, name
        assert folder / name in world["outputs"]
    pdf = (folder / "digest_2026-10.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert glyph_warnings(world["warnings"]) == []
    assert not list(folder.glob(".*.tmp"))


# --- edge cases, on reports derived from the real one ---------------------------------------------------------------


def write_all(report: Report, folder: Path, config: Any, lang: str = "mn") -> tuple[openpyxl.Workbook, list[Path], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = write_summary(report, folder / f"summary_{report.period}.xlsx", lang, config.methodology)  # type: ignore[arg-type]
        pictures = write_charts(report, folder, config.methodology, lang)  # type: ignore[arg-type]
    for written in pictures:
        head = written.path.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") or head.startswith(b"%PDF"), written.path
    return openpyxl.load_workbook(summary.path), [w.path for w in pictures], glyph_warnings(caught)


def test_no_measures_at_all_and_no_history(world: dict[str, Any], tmp_path: Path) -> None:
    report: Report = copy.deepcopy(world["report"])
    method = world["config"].methodology
    report.measures = report.measures.iloc[0:0]
    report.goals = report.goals.iloc[0:0]
    table = report.departments
    for name in ("measures", "due", "scored", "done", "in_progress", "insufficient", "not_done", "not_due", "unscored", "lagging"):
        table[name] = 0
    table[["pct", "pct_raw", "points"]] = float("nan")
    table["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    report.overall = overall(report.measures, method)
    report.history = report.history.iloc[0:0]
    report.previous_period = report.overall_previous = None
    book, pictures, glyphs = write_all(report, tmp_path, world["config"])
    assert {name: len(c) for name, c in chart_parts(tmp_path / "summary_2026-10.xlsx").items()} == dict.fromkeys(SHEETS, 0)
    assert book["Самбар"]["B5"].value == "—"
    assert [r[0] for r in rows(book["Хангалтгүй хэрэгжилт"], 5)] == ["Хэрэгжилт хангалтгүй арга хэмжээ алга."]
    assert [p.name for p in pictures] == ["departments_2026-10.png", "status_2026-10.png", "digest_2026-10.pdf"]
    assert glyphs == []


def test_one_department_with_nothing_due_and_a_closed_period(world: dict[str, Any], tmp_path: Path) -> None:
    report: Report = copy.deepcopy(world["report"])
    method = world["config"].methodology
    report.departments = report.departments[report.departments["department"] == BG].reset_index(drop=True)
    measures = report.measures[report.measures["department"] == BG].reset_index(drop=True)
    report.measures = measures.assign(due=False, status="not_due", level=pd.array([pd.NA] * len(measures), dtype="Float64"))
    report.departments = report.departments.assign(due=0, scored=0, done=0, in_progress=0, lagging=0, not_due=len(measures),
                                                   pct=float("nan"), rating="", grade="", points=float("nan"),
                                                   rank=pd.array([pd.NA], dtype="Int64"))
    report.overall = overall(report.measures, method)
    report.expected = report.reported = 1
    report.closing = Closing("2026-11-20T09:00:00+08:00", "Удирдлагад танилцуулсан")
    report.late_after_closing = ["БГ 10 сар засвар.xlsx"]
    book, _, glyphs = write_all(report, tmp_path, world["config"])
    state = book["Самбар"]["A3"].value
    assert state.startswith("Тайлант үе хаагдсан: 2026-11-20 09:00") and "Удирдлагад танилцуулсан" in state and "БГ 10 сар засвар.xlsx" in state
    assert rows(book["Хэлтсүүд"], 5)[0][:4] == (None, BG, "БГ", "—")
    # Nothing scored: no % bars; the status mix and the doughnut still have data; the trend has two periods.
    kinds = [chart_kind(x) for x in chart_parts(tmp_path / "summary_2026-10.xlsx")["Самбар"]]
    assert kinds == [("doughnutChart",), ("barChart",), ("lineChart",)]
    assert glyphs == []


def scaled(report: Report, n: int, method: Any) -> Report:
    """A report of n departments made of copies of the real ones, every 17th one missing."""
    base = report.departments[report.departments["reported"]].reset_index(drop=True)
    tables, measures, goals, history = [], [], [], []
    for i in range(n):
        row = base.iloc[i % len(base)].copy()
        old, name = row["department"], f"Сум {i:04d} — Засаг даргын Тамгын газар"
        row["department"], row["short"] = name, f"С{i:04d}" if i % 2 else ""
        row["pct"] = round(35 + (i * 37 % 650) / 10, 1)
        band = method.band_for(row["pct"])
        row["rating"], row["grade"], row["color"] = band.label, band.grade, band.color
        if i % 17 == 5:
            row["reported"], row["pct"], row["rating"], row["grade"] = False, float("nan"), "", ""
            row["days_late"] = pd.NA
        else:
            measures.append(report.measures[report.measures["department"] == old].assign(department=name))
            goals.append(report.goals[report.goals["department"] == old].assign(department=name))
            history += [("2026-09", name, row["pct"] - 3), ("2026-10", name, row["pct"])]
        tables.append(row)
    big = copy.deepcopy(report)
    big.departments = pd.DataFrame(tables).reset_index(drop=True)
    big.departments["rank"] = big.departments["pct"].rank(method="min", ascending=False).astype("Int64")
    big.measures = pd.concat(measures, ignore_index=True)
    big.goals = pd.concat(goals, ignore_index=True)
    big.history = pd.concat([report.history[report.history["department"] == ""],
                             pd.DataFrame(history, columns=["period", "department", "pct"])], ignore_index=True)
    big.expected, big.reported = n, int(big.departments["reported"].sum())
    return big


def test_two_hundred_departments_keep_the_charts_readable(world: dict[str, Any], tmp_path: Path) -> None:
    method = world["config"].methodology
    big = scaled(world["report"], 200, method)
    book, pictures, glyphs = write_all(big, tmp_path, world["config"])
    assert len(rows(book["Хэлтсүүд"], 5)) == 200
    charts = chart_parts(tmp_path / "summary_2026-10.xlsx")
    bars = charts["Самбар"][0]
    assert len(re.findall(r"<c:dPt>", bars.split("<c:lineChart>")[0])) == 60
    assert "эхний 30, сүүлийн 30" in bars
    assert len(re.findall(r"<c:ser>", charts["Чиг хандлага"][0])) == 11  # overall + top 5 + bottom 5
    assert "trend_2026-10.png" in [p.name for p in pictures]
    assert glyphs == []


def test_english_headings(world: dict[str, Any], tmp_path: Path) -> None:
    book, _, _ = write_all(dataclasses.replace(world["report"]), tmp_path, world["config"], lang="en")
    assert book.sheetnames == ["Dashboard", "Departments", "Lagging", "Goals", "Completeness", "Trends", "Chart data"]
    assert book["Dashboard"]["A1"].value == "Plan implementation, October 2026"
    assert [c.value for c in book["Departments"][4]][:4] == ["Rank", "Department", "Short", "Implementation, %"]
    # Ratings in English too (label_en in the methodology), everywhere a rating is shown.
    pairs = {r[0]: r[1] for r in book["Dashboard"].iter_rows(min_row=5, max_row=16, max_col=2, values_only=True)}
    assert pairs["Rating"] == "Satisfactory (C)"
    top = [(r[1], r[4]) for r in rows(book["Departments"], 5)[:4]]
    assert top == [(ZUH, "Very good"), (BG, "Good"), (STS, "Needs improvement"), (HEZ, "Unsatisfactory")]
    assert [r[3] for r in rows(book["Goals"], 5)][:2] == ["Very good", "Good"]


def test_a_band_without_an_english_label_shows_the_mongolian_one(world: dict[str, Any]) -> None:
    method = world["config"].methodology
    plain = dataclasses.replace(method, bands=tuple(dataclasses.replace(b, label_en="") for b in method.bands))
    assert method.rating_name("Маш сайн", "en") == "Very good"
    assert plain.rating_name("Маш сайн", "en") == "Маш сайн"
    assert method.rating_name("Маш сайн", "mn") == "Маш сайн"
    assert method.rating_name("", "en") == ""


def test_english_lagging_sheet_names_the_status_in_english(world: dict[str, Any], tmp_path: Path) -> None:
    book, _, _ = write_all(dataclasses.replace(world["report"]), tmp_path, world["config"], lang="en")
    ws = book["Lagging"]
    header = [c.value for c in ws[4]]
    col = {h: i for i, h in enumerate(header)}
    got = [(r[col["Level"]], r[col["Status"]]) for r in rows(ws, 5)]
    assert got == [(0, "Not done"), (30, "Insufficient"), (30, "Insufficient")]
