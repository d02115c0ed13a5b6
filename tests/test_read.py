"""Reading plan tables from real workbook files: header by synonyms, goal and continuation rows, formats."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from pipeline.read.workbook import read_file
from tests.helpers import template_rows, write_xlsx


def codes(read) -> list[str]:
    return [p.code for p in read.problems]


def test_standard_template_reads_meta_goals_and_measures(tmp_path: Path, config) -> None:
    rows = template_rows(
        [
            ["Зорилго 1: Төрийн үйлчилгээг ил тод болгох"],
            ["1.1", "Цахим үйлчилгээг нэвтрүүлнэ.", "Үйлчилгээний тоо", 2, "Гурваас доошгүй", "I-IV улирал", "Мэргэжилтэн", "2 үйлчилгээ", 2, 70, ""],
            ["1.2.", "Мэдээллийг улирал бүр байршуулна.", "Давтамж", None, "Дөрвөн удаа", "I-IV улирал", "Мэргэжилтэн", "", "Бүрэн хэрэгжсэн", None, None],
            ["Зорилго 2: Хүний нөөц"],
            [2.1, "Сургалт зохион байгуулна.", "Сургалтын тоо", None, "10-с доошгүй", "II-IV улирал", "ХН", "", 12, None, None],
        ]
    )
    path = write_xlsx(tmp_path / "ЗУХ.xlsx", rows, merges=["A8:K8", "A11:K11"])
    read = read_file(path, config)
    assert codes(read) == []
    assert read.meta["department"] == "Захиргаа, удирдлагын хэлтэс"
    assert read.meta["year"] == 2026
    assert read.meta["month"] == 10
    (table,) = read.tables
    assert table.layout.header_rows == (6,)
    assert [m["no"] for m in table.measures] == ["1.1", "1.2", "2.1"]
    assert [m["row"] for m in table.measures] == [9, 10, 12]
    assert [m["goal"] for m in table.measures] == [
        "Зорилго 1: Төрийн үйлчилгээг ил тод болгох",
        "Зорилго 1: Төрийн үйлчилгээг ил тод болгох",
        "Зорилго 2: Хүний нөөц",
    ]
    assert table.measures[0]["target"] == "Гурваас доошгүй"
    assert table.measures[2]["actual"] == 12


def test_header_found_by_synonyms_in_any_order_case_and_line_breaks(tmp_path: Path, config) -> None:
    rows: list[list[Any]] = [
        ["БАТЛАВ."],
        ["ГАЗРЫН ДАРГА Э.БАЛЖИННЯМ"],
        [],
        ["Хэлтэс: Хүнс, хөдөө аж ахуйн газар"],
        ["Д/д", "ХЭРЭГЖҮҮЛЭХ\nАРГА  ХЭМЖЭЭ", "Хэрэгжих хугацаа", "Хүрэх түвшин, үр дүн", "Биелэлт", "Хүрсэн үр дүн", "Биелэлт %"],
        ["1", "Арга хэмжээ А", "I-IV улирал", "100 хувь", "Хийсэн", "100%", 100],
    ]
    read = read_file(write_xlsx(tmp_path / "plan.xlsx", rows), config)
    (table,) = read.tables
    assert table.layout.columns == {"no": 0, "measure": 1, "timeframe": 2, "target": 3, "progress": 4, "actual": 5, "self_pct": 6}
    assert read.meta["department"] == "Хүнс, хөдөө аж ахуйн газар"
    assert table.measures[0]["measure"] == "Арга хэмжээ А"


def test_two_row_header_under_merged_group_and_numbering_row(tmp_path: Path, config) -> None:
    rows: list[list[Any]] = [
        ["Төлөвлөгөөний биелэлт"],
        ["№", "Арга хэмжээ", "Хүрэх түвшин", "Хугацаа", "Хэрэгжилт", None, None],
        [None, None, None, None, "Гүйцэтгэл", "Хүрсэн түвшин", "Хувь"],
        [1, 2, 3, 4, 5, 6, 7],
        ["1.1", "Сургалт", "Хоёроос доошгүй удаа", "I-IV улирал", "2 удаа", 2, 100],
    ]
    read = read_file(write_xlsx(tmp_path / "two.xlsx", rows, merges=["E2:G2", "A2:A3", "B2:B3", "C2:C3", "D2:D3"]), config)
    (table,) = read.tables
    assert table.layout.header_rows == (1, 2)
    assert table.layout.columns == {"no": 0, "measure": 1, "target": 2, "timeframe": 3, "progress": 4, "actual": 5, "self_pct": 6}
    assert [m["no"] for m in table.measures] == ["1.1"]
    assert table.measures[0]["row"] == 5


def test_continuation_rows_join_the_measure_above(tmp_path: Path, config) -> None:
    # Seed 003, measures 2.2 and 4.9: a sentence broken over a page, the rest on a row with no number.
    rows = template_rows(
        [
            ["2.2", "Хугацаа хэтэрсэн өргөдөл, гомдлыг 2022", "Шийдвэрлэлтийн хувиар", None, "Шийдвэрлэлт - 90%", "I-II улирал", "Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын асуудал"],
            [None, "оны 05 дугаар сарын 01-ний өдөрт багтаан шийдвэрлэн хариу өгнө.", None, None, None, None, "хариуцсан мэргэжилтэн"],
            ["4.9", "Ажлын байран дахь дарамтыг таслан зогсоож, зөрэг уур", "Гаргасан эсэх", None, "Бүх хэлбэрийн хууль бус дарамт шахалт,", "I-IV улирал", "Захиргаа"],
            [None, "амьсгалтай ажиллах орчныг бүрдүүлнэ.", None, None, "ялгавартай хандах үйлдлийг таслан зогсоосон байна.", None, None],
        ]
    )
    read = read_file(write_xlsx(tmp_path / "cont.xlsx", rows), config)
    first, second = read.tables[0].measures
    assert first["measure"] == "Хугацаа хэтэрсэн өргөдөл, гомдлыг 2022 оны 05 дугаар сарын 01-ний өдөрт багтаан шийдвэрлэн хариу өгнө."
    assert first["responsible"] == "Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын асуудал хариуцсан мэргэжилтэн"
    assert first["rows"] == 2
    assert second["target"] == "Бүх хэлбэрийн хууль бус дарамт шахалт, ялгавартай хандах үйлдлийг таслан зогсоосон байна."
    assert second["row"] == 10


def test_unnumbered_measure_with_its_own_target_is_not_a_continuation(tmp_path: Path, config) -> None:
    rows = template_rows(
        [
            ["1.1", "Эхний арга хэмжээ", None, None, "100 хувь", "I-IV улирал"],
            [None, "Дараагийн арга хэмжээ дугааргүй", None, None, "Хоёроос доошгүй", None],
        ]
    )
    measures = read_file(write_xlsx(tmp_path / "x.xlsx", rows), config).tables[0].measures
    assert [m["measure"] for m in measures] == ["Эхний арга хэмжээ", "Дараагийн арга хэмжээ дугааргүй"]


def test_section_goal_rows_in_number_column(tmp_path: Path, config) -> None:
    rows = template_rows(
        [
            ["НЭГ. ДЭД БҮТЭЦ, ХОТ БАЙГУУЛАЛТ"],
            ["1.1", "Зам засвар", None, None, "2 км", "II-III улирал"],
            ["1. Хүний хөгжлийн бодлого"],
            ["1.2", "Сургууль барих", None, None, "1", "I-IV улирал"],
        ]
    )
    measures = read_file(write_xlsx(tmp_path / "s.xlsx", rows), config).tables[0].measures
    assert [m["goal"] for m in measures] == ["НЭГ. ДЭД БҮТЭЦ, ХОТ БАЙГУУЛАЛТ", "1. Хүний хөгжлийн бодлого"]


def test_percent_format_is_seen(tmp_path: Path, config) -> None:
    rows = template_rows([["1.1", "Төсвийн гүйцэтгэл", None, None, "95-аас доошгүй хувь", "I-IV улирал", None, None, 0.85]])
    read = read_file(write_xlsx(tmp_path / "p.xlsx", rows, percent_cells=[(7, 8)]), config)
    (measure,) = read.tables[0].measures
    assert measure["actual"] == 0.85
    assert measure["actual_pct_fmt"] is True


def test_formula_without_saved_value_is_reported(tmp_path: Path, config) -> None:
    path = tmp_path / "formula.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in template_rows([["1.1", "Арга хэмжээ", None, None, "100 хувь", "I-IV улирал", None, None, None]]):
        ws.append(row)
    ws["I8"] = "=50+50"  # openpyxl saves formulas without a cached value, as scripts do
    wb.save(path)
    read = read_file(path, config)
    problem = next(p for p in read.problems if p.code == "formula-no-value")
    assert (problem.sheet, problem.cell, problem.severity) == ("Sheet", "I8", "warning")


def test_hidden_plan_sheet_is_skipped_with_a_warning(tmp_path: Path, config) -> None:
    plan = template_rows([["1.1", "Арга хэмжээ", None, None, "100 хувь", "I-IV улирал"]])
    path = write_xlsx(tmp_path / "h.xlsx", plan, extra_sheets={"Хуучин": plan}, hidden_sheets=["Хуучин"])
    read = read_file(path, config)
    assert [t.sheet for t in read.tables] == ["Төлөвлөгөө"]
    assert codes(read) == ["sheet-hidden-skipped"]


def test_no_header_is_a_problem_not_an_exception(tmp_path: Path, config) -> None:
    read = read_file(write_xlsx(tmp_path / "n.xlsx", [["Сайн байна уу"], [1, 2, 3]]), config)
    assert not read.readable
    assert codes(read) == ["header-missing"]
    assert "Хэрэгжүүлэх арга хэмжээ" in read.problems[0].message("mn")


def test_missing_target_and_actual_columns_warn(tmp_path: Path, config) -> None:
    rows = [["№", "Арга хэмжээ", "Хугацаа"], ["1", "Ажил", "I улирал"]]
    read = read_file(write_xlsx(tmp_path / "m.xlsx", rows), config)
    assert read.readable
    assert sorted(str(p.detail) for p in read.problems if p.code == "column-missing") == ["Хүрсэн түвшин", "Хүрэх түвшин"]


def test_not_a_workbook_says_what_it_looks_like(tmp_path: Path, config) -> None:
    pdf = tmp_path / "report.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n...")
    docx = tmp_path / "word.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    messages = {p.name: read_file(p, config).problems[0] for p in (pdf, docx, empty)}
    assert {k: v.code for k, v in messages.items()} == {
        "report.xlsx": "file-unreadable", "word.xlsx": "file-unreadable", "empty.xlsx": "file-unreadable"
    }
    assert "PDF" in messages["report.xlsx"].message("mn")
    assert "Word" in messages["word.xlsx"].message("mn")
    assert "0 байт" in messages["empty.xlsx"].message("mn")
