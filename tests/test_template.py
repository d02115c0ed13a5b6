"""The standard template: what it looks like to the official (openpyxl) and how it reads back (read_file)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli.template import template_command
from pipeline.config import header_key
from pipeline.notation import canonical_timeframes
from pipeline.read.table import HeaderMatcher
from pipeline.read.workbook import read_file
from pipeline.template import (
    GUIDE_SHEET,
    LISTS_SHEET,
    META_LABELS,
    PLAN_SHEET,
    TemplateError,
    resolve_department,
    template_filename,
    write_template,
)
from tests.conftest import EXAMPLES, MAPPINGS
from tests.helpers import STANDARD_HEADER, write_xlsx

DEPT = "Захиргаа, удирдлагын хэлтэс"

PREFILLED: list[dict[str, Any]] = [
    {"goal": "Зорилго 1: Төрийн үйлчилгээг ил тод болгох", "no": "1.1", "measure": "Цахим үйлчилгээг нэвтрүүлнэ.",
     "indicator": "Үйлчилгээний тоо", "baseline": 2, "target": "Гурваас доошгүй", "timeframe": "I-IV улирал",
     "responsible": "Мэргэжилтэн"},
    {"goal": "Зорилго 1: Төрийн үйлчилгээг ил тод болгох", "no": "1.2", "measure": "Мэдээллийг улирал бүр байршуулна.",
     "target": "Дөрвөн удаа", "timeframe": "I-IV улирал", "responsible": "Мэргэжилтэн"},
    {"goal": "Хүний нөөцийн чадавхыг бэхжүүлэх", "no": "2.1", "measure": "Сургалт зохион байгуулна.",
     "target": "95-аас доошгүй хувь", "timeframe": "II-IV улирал", "responsible": "Хүний нөөцийн мэргэжилтэн"},
]


@pytest.fixture()
def template(tmp_path: Path, config) -> Path:
    return write_template(tmp_path / "t.xlsx", department="ЗУХ", year=2026, month=10, config=config)


def plan_sheet(path: Path):
    return openpyxl.load_workbook(path)[PLAN_SHEET]


def validations(ws) -> dict[str, Any]:
    """First cell of each validation's range -> the validation."""
    result = {}
    for dv in ws.data_validations.dataValidation:
        first = str(dv.sqref).split()[0].split(":")[0]
        result[first] = dv
    return result


def test_sheets_title_meta_and_exact_header(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [GUIDE_SHEET, PLAN_SHEET, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert wb.active.title == PLAN_SHEET
    ws = wb[PLAN_SHEET]
    assert ws["A1"].value == f"{DEPT} — 2026 оны үйл ажиллагааны төлөвлөгөөний хэрэгжилтийн тайлан"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:K1", "B2:E2"} <= merged
    assert [ws[f"A{r}"].value for r in range(2, 6)] == ["Хэлтэс, нэгж:", "Он:", "Тайлант сар:", "Загварын хувилбар:"]
    assert (ws["B2"].value, ws["B3"].value, ws["B4"].value, ws["B5"].value) == (DEPT, 2026, 10, "1")
    assert [c.value for c in ws[7]][:11] == STANDARD_HEADER
    assert ws["L7"].value is None


def test_meta_labels_are_the_configured_ones(config) -> None:
    matcher = HeaderMatcher(config.headers)
    for key, label in META_LABELS.items():
        assert matcher.meta.get(header_key(label)) == key


def test_dropdowns_on_the_right_columns_with_sources_on_the_hidden_sheet(template: Path, config) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb[PLAN_SHEET]
    dvs = validations(ws)
    timeframe, actual, level, month = dvs["F8"], dvs["I8"], dvs["J8"], dvs["B4"]
    assert timeframe.type == "list" and timeframe.errorStyle == "information"
    assert timeframe.formula1 == f"'{LISTS_SHEET}'!$A$2:$A${len(canonical_timeframes()) + 1}"
    assert actual.type == "list" and actual.errorStyle == "information" and "$B$2" in actual.formula1
    assert level.type == "list" and level.errorStyle == "warning" and "$C$2" in level.formula1
    assert month.type == "list" and month.formula1 == '"1,2,3,4,5,6,7,8,9,10,11,12"'
    assert (str(timeframe.sqref), str(actual.sqref), str(level.sqref)) == ("F8:F207", "I8:I207", "J8:J207")

    lists = wb[LISTS_SHEET]
    column = {c: [cell.value for cell in lists[c]][1:] for c in "ABC"}
    column = {c: values[: len(values) - next(i for i, v in enumerate(reversed(values)) if v is not None)]
              for c, values in column.items()}
    assert column["A"] == canonical_timeframes()
    method = config.methodology
    assert column["B"] == [lv.label for lv in method.levels] + [method.not_due_label]
    assert column["C"] == [lv.value for lv in method.levels] + [method.not_due_short]
    # The list sheet must not read as a plan table: no cell names the measure column.
    matcher = HeaderMatcher(config.headers)
    assert all(matcher.field(str(c.value)) != "measure" for row in lists.iter_rows() for c in row if c.value)


def test_protection_locks_the_header_and_leaves_the_input_unlocked(template: Path) -> None:
    ws = plan_sheet(template)
    p = ws.protection
    assert p.sheet is True and not p.password
    # openpyxl: False means the action is allowed on the protected sheet.
    assert not any((p.insertRows, p.deleteRows, p.formatColumns, p.formatRows, p.autoFilter, p.sort))
    for ref in ("A1", "A2", "A4", "B5", "A7", "F7", "K7"):
        assert ws[ref].protection.locked is True, ref
    for ref in ("B2", "B3", "B4", "A8", "F8", "K8", "I150", "J207"):
        assert ws[ref].protection.locked is False, ref


def test_freeze_panes_and_print_setup(template: Path) -> None:
    ws = plan_sheet(template)
    assert ws.freeze_panes == "A8"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # absent width = 1 page
    assert ws.print_title_rows == "$7:$7"
    assert ws.column_dimensions["B"].width > 40 and ws["B8"].alignment.wrap_text
    guide = openpyxl.load_workbook(template)[GUIDE_SHEET]
    assert int(guide.page_setup.paperSize) == 9 and guide.column_dimensions["B"].width >= 100


def test_guide_explains_the_notations_and_sending(template: Path, config) -> None:
    guide = openpyxl.load_workbook(template, rich_text=False)[GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for needle in ("I-IV улирал", "II улирал", "Гурваас доошгүй", "95-аас доошгүй хувь", "байна.", "Бүрэн хэрэгжсэн",
                   "Хэрэгжих шатандаа", "Хэрэгжилт хангалтгүй", "Хэрэгжээгүй", "Хугацаа болоогүй (ХБ)", "Зорилго 1:",
                   "нууц үг", "толгой", ".xlsx", f"сарын {config.settings.deadline_day}-", "Тайлант сар"):
        assert needle in text, needle
    assert guide["B1"].font.bold


def test_the_guide_names_the_report_by_its_period(tmp_path: Path, config) -> None:
    def guide_of(period: str | None) -> list[str]:
        month = 10 if period in (None, "2026-10") else None
        path = write_template(tmp_path / f"{period}.xlsx", department="ЗУХ", year=2026, month=month, config=config,
                              period=period)
        sheet = openpyxl.load_workbook(path, rich_text=False)[GUIDE_SHEET]
        return [" | ".join(str(c.value) for c in row if c.value) for row in sheet.iter_rows() if any(c.value for c in row)]

    intro = ("Энэ файл нь үйл ажиллагааны төлөвлөгөөний хэрэгжилтийн {} тайлангийн стандарт загвар юм. Тайланг "
             f"\"{PLAN_SHEET}\" хуудсанд бөглөнө. Мэдээллийг нэгтгэлийн програм автоматаар уншдаг тул доорх дүрмийг "
             "баримтална уу.")
    month = guide_of(None)
    assert month == guide_of("2026-10")
    assert month[1] == intro.format("сарын")
    assert month[5] == ("Тайлант сар — Тайлан гаргаж буй сарын дугаарыг (1-12) жагсаалтаас заавал сонгоно. Тайлан нь оны "
                        "эхнээс тухайн сарын эцэс хүртэлх өссөн дүнгээр бичигдэнэ.")
    quarter = guide_of("2026-Q3")
    assert quarter[1] == intro.format("улирлын")
    assert quarter[5] == ("Тайлант хугацаа — Тайлант хугацаа (2026 оны III улирал) бөглөгдсөн байна. Өөрчлөх "
                          "шаардлагагүй. Тайлан нь оны эхнээс тухайн хугацааны эцэс хүртэлх өссөн дүнгээр бичигдэнэ.")
    assert [line for line in quarter if line not in month] == [quarter[1], quarter[5]]
    assert guide_of("2026-H2")[1] == intro.format("хагас жилийн")
    assert guide_of("2026")[1] == intro.format("жилийн")


def test_empty_template_reads_back_with_its_meta(template: Path, config) -> None:
    read = read_file(template, config)
    assert read.meta["department"] == DEPT
    assert read.meta["year"] == 2026 and read.meta["month"] == 10
    # A blank template is not a report: no table is kept, and the one error names the measure header cell.
    assert read.tables == [] and not read.readable
    (problem,) = read.problems
    assert (problem.code, problem.sheet, problem.cell) == ("template-empty", PLAN_SHEET, "B7")


def test_month_left_empty_when_not_given(tmp_path: Path, config) -> None:
    path = write_template(tmp_path / "t.xlsx", department=DEPT, year=2027, month=None, config=config)
    assert plan_sheet(path)["B4"].value is None
    read = read_file(path, config)
    assert "month" not in read.meta and read.meta["year"] == 2027


def test_prefilled_measures_read_back_with_their_goals(tmp_path: Path, config) -> None:
    path = write_template(tmp_path / "t.xlsx", department=DEPT, year=2026, month=10, config=config, measures=PREFILLED)
    ws = plan_sheet(path)
    assert ws["A8"].value == "Зорилго 1: Төрийн үйлчилгээг ил тод болгох" and ws["A8"].font.bold
    assert "A8:K8" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A11"].value == "Зорилго 2: Хүний нөөцийн чадавхыг бэхжүүлэх"
    read = read_file(path, config)
    assert [p.code for p in read.problems] == []
    measures = read.tables[0].measures
    assert [m["no"] for m in measures] == ["1.1", "1.2", "2.1"]
    assert [m["goal"] for m in measures] == [
        "Зорилго 1: Төрийн үйлчилгээг ил тод болгох",
        "Зорилго 1: Төрийн үйлчилгээг ил тод болгох",
        "Зорилго 2: Хүний нөөцийн чадавхыг бэхжүүлэх",
    ]
    for written, back in zip(PREFILLED, measures, strict=True):
        for name in ("measure", "indicator", "baseline", "target", "timeframe", "responsible"):
            assert back.get(name) == written.get(name), name


def test_departments_resolve_by_name_short_name_or_alias(config) -> None:
    for name in (DEPT, "ЗУХ", "зух", "Захиргааны хэлтэс", "  Захиргаа  удирдлага "):
        assert resolve_department(name, config.departments).short == "ЗУХ"
    with pytest.raises(TemplateError) as info:
        resolve_department("Сансрын хэлтэс", config.departments)
    assert "Онцгой байдлын газар" in str(info.value)
    free = resolve_department("Шинэ алба", ())
    assert (free.name, template_filename(free, 2026)) == ("Шинэ алба", "Шинэ алба_2026_тайлан.xlsx")


def test_no_departments_configured_any_name_is_written(tmp_path: Path, config) -> None:
    bare = dataclasses.replace(config, departments=())
    path = write_template(tmp_path / "t.xlsx", department="Баян сум", year=2026, month=3, config=bare)
    assert read_file(path, config).meta["department"] == "Баян сум"


# --- the command ---------------------------------------------------------------------------------


def run(args: list[str]):
    return CliRunner().invoke(template_command, [*args, "--mappings", str(MAPPINGS)])


def test_command_writes_the_named_file_and_prints_it(tmp_path: Path, config) -> None:
    result = run(["--department", "Захиргааны хэлтэс", "--year", "2026", "--month", "10", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "ЗУХ_2026_тайлан.xlsx"
    assert result.output.strip() == str(path)
    assert read_file(path, config).meta["department"] == DEPT


def test_command_from_a_plan_with_goal_and_continuation_rows(tmp_path: Path, config) -> None:
    plan = write_xlsx(tmp_path / "төлөвлөгөө.xlsx", [
        ["БАТЛАВ."],
        ["Хэлтэс: Хүнс, хөдөө аж ахуйн газар"],
        ["№", "Хэрэгжүүлэх арга хэмжээ", "Шалгуур үзүүлэлт", "Хүрэх түвшин", "Хугацаа", "Хариуцах эзэн", "Гүйцэтгэл"],
        ["Зорилго 1: Өргөдөл, гомдлыг шийдвэрлэх"],
        ["1.1", "Хугацаа хэтэрсэн өргөдлийг 2022", "Шийдвэрлэлтийн хувиар", "Шийдвэрлэлт - 90%", "I-II улирал",
         "Хяналт-шинжилгээний", "Хийсэн."],
        [None, "оны 05 дугаар сарын 01-ний өдөрт багтаан шийдвэрлэнэ.", None, None, None, "мэргэжилтэн"],
        ["1.2", "Мэдээг улирал бүр байршуулна.", "Давтамж", "Дөрвөн удаа", "I-IV улирал", "Архивын мэргэжилтэн"],
        ["Зорилго 2: Хүний нөөц"],
        ["2.1", "Сургалт зохион байгуулна.", "Тоо", "10-с доошгүй", "II-IV улирал", "Ёс зүйн зөвлөл"],
    ], merges=["A4:F4", "A8:F8"])
    out = tmp_path / "out"
    result = run(["-d", "ХХААГ", "-y", "2027", "--from-plan", str(plan), "-o", str(out)])
    assert result.exit_code == 0, result.output
    read = read_file(out / "ХХААГ_2027_тайлан.xlsx", config)
    assert read.meta["department"] == "Хүнс, хөдөө аж ахуйн газар" and read.meta["year"] == 2027
    assert [p.code for p in read.problems] == []
    measures = read.tables[0].measures
    assert [m["no"] for m in measures] == ["1.1", "1.2", "2.1"]
    assert measures[0]["measure"] == "Хугацаа хэтэрсэн өргөдлийг 2022 оны 05 дугаар сарын 01-ний өдөрт багтаан шийдвэрлэнэ."
    assert measures[0]["responsible"] == "Хяналт-шинжилгээний мэргэжилтэн"
    assert measures[0]["rows"] == 1  # the continuation is one cell in the template
    assert [m["goal"] for m in measures] == ["Зорилго 1: Өргөдөл, гомдлыг шийдвэрлэх"] * 2 + ["Зорилго 2: Хүний нөөц"]
    assert measures[2]["target"] == "10-с доошгүй" and measures[2]["timeframe"] == "II-IV улирал"
    assert "progress" not in measures[0]  # the plan's progress is not carried into a new template


def test_command_from_an_example_file(tmp_path: Path, config) -> None:
    plan = EXAMPLES / "ХХААГ_2026-10_тайлан.xlsx"
    result = run(["-d", "Хүнс, хөдөө аж ахуйн газар", "-y", "2027", "--from-plan", str(plan), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    read = read_file(tmp_path / "ХХААГ_2027_тайлан.xlsx", config)
    measures = read.tables[0].measures
    assert len(measures) == 30
    assert len({m["goal"] for m in measures}) == 5
    assert all(m["goal"].startswith("Зорилго ") for m in measures)
    assert not any(name in m for m in measures for name in ("progress", "actual", "self_pct"))
    assert next(m for m in measures if m["no"] == "2.6")["timeframe"] == "I-V улирал"  # kept as written


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(template_command, ["--help"])
    assert result.exit_code == 0
    assert "Жишээ / example" in result.output and "negtgel template --department" in result.output


def test_unknown_department_is_a_clear_error(tmp_path: Path) -> None:
    result = run(["--department", "Сансрын хэлтэс", "--year", "2026", "-o", str(tmp_path)])
    assert result.exit_code != 0
    assert "Сансрын хэлтэс" in result.output and "Боловсролын газар" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not list(tmp_path.iterdir())


def test_unreadable_plan_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "plan.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = run(["-d", "ЗУХ", "-y", "2026", "--from-plan", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "уншиж чадсангүй" in result.output and "Traceback" not in result.output
