"""The standard report template: an instruction sheet, the plan sheet with a locked header and
dropdowns, and a hidden sheet with the dropdowns' lists.

`write_template` turns data (a department, a period, optional measures) into one .xlsx file. The same
function writes a prefilled template (`negtgel template --from-plan`) and the filled example reports
(`tools/make_examples.py`): measure records are dicts keyed by field name, as `read_file` returns them,
so a template written from a read plan reads back to the same measures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline import cycles
from pipeline.config import Config, Department, HeaderConfig, header_key
from pipeline.errors import NegtgelError
from pipeline.notation import canonical_timeframes
from pipeline.output.safe import new_workbook, write_atomically
from pipeline.words import Text, both, say

GUIDE_SHEET = "Заавар"
PLAN_SHEET = "Төлөвлөгөө"
LISTS_SHEET = "Жагсаалт"
TEMPLATE_VERSION = "1"

# The plan sheet's columns, A..K, and the labels used when the configuration has none for a field.
COLUMNS: tuple[str, ...] = (
    "no", "measure", "indicator", "baseline", "target", "timeframe", "responsible", "progress", "actual",
    "self_pct", "note",
)
DEFAULT_LABELS: Mapping[str, str] = {
    "no": "№",
    "measure": "Хэрэгжүүлэх арга хэмжээ",
    "indicator": "Шалгуур үзүүлэлт",
    "baseline": "Суурь түвшин",
    "target": "Хүрэх түвшин",
    "timeframe": "Хугацаа",
    "responsible": "Хариуцах эзэн",
    "progress": "Гүйцэтгэл",
    "actual": "Хүрсэн түвшин",
    "self_pct": "Хэрэгжилтийн хувь",
    "note": "Тайлбар",
}
# Fields a plan carries (the rest are the department's monthly progress).
PLAN_FIELDS: tuple[str, ...] = ("no", "goal", "measure", "indicator", "baseline", "target", "timeframe", "responsible")
# "no" is wide enough for the labels written above the table in its column ("Загварын хувилбар:").
COLUMN_WIDTHS: Mapping[str, float] = {
    "no": 19, "measure": 50, "indicator": 24, "baseline": 12, "target": 18, "timeframe": 14, "responsible": 24,
    "progress": 44, "actual": 16, "self_pct": 13, "note": 24,
}

# Rows (0-based) of the plan sheet.
TITLE_ROW = 0
META_ROWS: Mapping[str, int] = {"department": 1, "year": 2, "month": 3, "version": 4}
META_LABELS: Mapping[str, str] = {
    "department": "Хэлтэс, нэгж:",
    "year": "Он:",
    "month": "Тайлант сар:",
    "version": "Загварын хувилбар:",
}
PERIOD_LABEL = "Тайлант хугацаа:"  # the month row of a quarter's, half-year's or year's template (headers.yaml meta.period)
HEADER_ROW = 6
FIRST_DATA_ROW = 7
EMPTY_ROWS = 200
GUIDE_WIDTH = 110

GOAL_PREFIX = say("template.goal_prefix", "mn")  # "Зорилго": read back as a goal row by headers.yaml goal_row_words
_SECTION_START = re.compile(r"^\s*(\d{1,2}|[IVX]{1,5})\s*[.):]\s*\S")


class TemplateError(NegtgelError):
    """A template cannot be written as asked (an unknown department, a bad period)."""


# --- departments ---------------------------------------------------------------------------------


def resolve_department(name: str, departments: Sequence[Department]) -> Department:
    """The expected department named by its full name, short name or an alias (case and spacing free).

    With no departments configured, any non-empty name stands for itself.
    """
    key = header_key(name)
    if not key:
        raise TemplateError(both("messages.template.department_name_empty", sep=" / "))
    if not departments:
        return Department(name=name.strip(), short=name.strip(), aliases=(), emails=(), official="")
    for dept in departments:
        if key in {header_key(alias) for alias in (dept.name, dept.short, *dept.aliases) if alias}:
            return dept
    known = "\n".join(f"  - {d.name}" + (f" ({d.short})" if d.short else "") for d in departments)
    raise TemplateError(
        f"\"{name.strip()}\" нэртэй хэлтэс, нэгж departments.yaml-д алга / unknown department. "
        f"Мэдэгдэх нэрс / known names:\n{known}"
    )


def template_filename(department: Department, year: int) -> str:
    """`<short>_<year>_тайлан.xlsx`, safe on every file system."""
    base = department.short or department.name
    base = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", base).strip(" .") or "хэлтэс"
    return f"{base}_{year}_тайлан.xlsx"


# --- rows of the plan sheet ----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRow:
    text: str


@dataclass(frozen=True)
class MeasureRow:
    record: Mapping[str, Any]


PlanRow = GoalRow | MeasureRow


def goal_title(text: str, number: int, headers: HeaderConfig | None = None) -> str:
    """A goal's text as a goal row: kept when it already reads as one (it starts with a goal word or a section
    numeral of headers.yaml, or a number), else `Зорилго N: text`."""
    text = " ".join(text.split())
    if _SECTION_START.match(text) or (headers is not None and _reads_as_goal(text, headers)):
        return text
    return f"{GOAL_PREFIX} {number}: {text}"


def _reads_as_goal(text: str, headers: HeaderConfig) -> bool:
    lowered = text.casefold()
    for word in headers.goal_row_words:
        rest = lowered[len(word):] if lowered.startswith(word.casefold()) else None
        if rest is not None and (not rest or not rest[0].isalpha()):
            return True
    return any(lowered.startswith(n.casefold()) and lowered[len(n):].lstrip()[:1] in (".", ")", ":")
               for n in headers.section_numerals)


def plan_rows(measures: Iterable[Mapping[str, Any]], headers: HeaderConfig | None = None) -> Iterator[PlanRow]:
    """Measures in order, with a goal row wherever the goal changes (goals in read order)."""
    current: str | None = None
    number = 0
    for record in measures:
        goal = _text(record.get("goal"))
        if goal and goal != current:
            number += 1
            yield GoalRow(goal_title(goal, number, headers))
        if goal:
            current = goal
        yield MeasureRow(record)


def plan_only(record: Mapping[str, Any]) -> dict[str, Any]:
    """A read measure reduced to what a plan holds (its number, goal, text, target, timeframe, ...)."""
    kept = {name: record[name] for name in PLAN_FIELDS if record.get(name) not in (None, "")}
    for name in PLAN_FIELDS:
        if record.get(f"{name}_pct_fmt"):
            kept[f"{name}_pct_fmt"] = True
    return kept


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def field_labels(config: Config) -> dict[str, str]:
    """Header labels from headers.yaml where they read back to their own field, else the defaults."""
    labels: dict[str, str] = {}
    for name in COLUMNS:
        label = config.headers.labels.get(name, "")
        labels[name] = label if label and config.headers.titles.get(header_key(label)) == name else DEFAULT_LABELS[name]
    return labels


def title_text(department: Department, year: int) -> str:
    return f"{department.name} — {year} оны үйл ажиллагааны төлөвлөгөөний хэрэгжилтийн тайлан"


# --- the workbook --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lists:
    """The dropdowns' choices, kept on the hidden sheet."""

    timeframes: tuple[str, ...]
    statuses: tuple[str, ...]
    levels: tuple[float | str, ...]


def dropdown_lists(config: Config) -> Lists:
    method = config.methodology
    statuses = (*(level.label for level in method.levels), method.not_due_label)
    levels: tuple[float | str, ...] = (*(_number(level.value) for level in method.levels), method.not_due_short)
    return Lists(tuple(canonical_timeframes()), statuses, levels)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class _Formats:
    def __init__(self, wb: Workbook):
        base = {"font_name": "Arial", "font_size": 10, "valign": "top", "text_wrap": True}
        border = {**base, "border": 1, "border_color": "#A6A6A6"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center", "valign": "vcenter"})
        self.label = wb.add_format({**base, "bold": True, "align": "right", "text_wrap": False})
        self.meta_input = wb.add_format({**border, "locked": False, "bg_color": "#FFF9E5", "text_wrap": False,
                                         "align": "left"})
        self.meta_fixed = wb.add_format({**border, "text_wrap": False, "align": "left", "font_color": "#595959"})
        self.header = wb.add_format({**border, "bold": True, "align": "center", "valign": "vcenter",
                                     "bg_color": "#D9E1F2", "border_color": "#808080"})
        self.goal = wb.add_format({**border, "bold": True, "bg_color": "#E2EFDA", "locked": False})
        self.cell = wb.add_format({**border, "locked": False})
        self.number_cell = wb.add_format({**border, "locked": False, "num_format": "@", "align": "center"})
        self.center_cell = wb.add_format({**border, "locked": False, "align": "center"})
        self.percent_cell = wb.add_format({**border, "locked": False, "num_format": "0%", "align": "center"})
        self.date_cell = wb.add_format({**border, "locked": False, "num_format": "yyyy.mm.dd", "align": "center"})
        self.unlocked = wb.add_format({"locked": False})
        # Guide sheet
        self.guide_title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.guide_heading = wb.add_format({**base, "bold": True, "font_size": 11, "bg_color": "#D9E1F2"})
        self.guide_text = wb.add_format(base)
        self.guide_key = wb.add_format({**base, "bold": True})
        self.guide_example = wb.add_format({**base, "bold": True, "font_color": "#1F4E79"})
        self.guide_plain = wb.add_format({"font_name": "Arial", "font_size": 10})

    def for_column(self, name: str) -> Format:
        if name == "no":
            return self.number_cell
        if name in ("baseline", "target", "timeframe", "actual", "self_pct"):
            return self.center_cell
        return self.cell


def write_template(
    path: str | Path,
    *,
    department: Department | str,
    year: int,
    month: int | None,
    config: Config,
    measures: list[dict[str, Any]] | None = None,
    saved: dt.datetime | None = None,
    period: str | None = None,
) -> Path:
    """Write the standard template for one department and year; returns the path written.

    `period` a quarter, half-year or year (2026-Q3, 2026-H2, 2026): the month row becomes the period row
    (`Тайлант хугацаа:` «2026 оны III улирал», read back by intake); a month period fills the month cell.

    `measures` (dicts as `read_file` returns them: no, goal, measure, ..., optionally `<field>_pct_fmt`)
    are written below the header, with a goal row wherever the goal changes. `saved` sets the document's
    created/modified time (UTC); without it the file is stamped with the current time.
    """
    dept = department if isinstance(department, Department) else resolve_department(department, config.departments)
    if not 1900 <= year <= 2200:
        raise TemplateError(f"Он буруу байна: {year} / invalid year.")
    if month is not None and not 1 <= month <= 12:
        raise TemplateError(f"Тайлант сар 1-12 хооронд байна: {month} / the month must be 1-12.")
    destination = Path(path)
    rows = list(plan_rows(measures or [], config.headers))

    def writer(tmp: Path) -> None:
        wb = new_workbook(tmp)
        wb.set_properties(_properties(dept, saved))
        formats = _Formats(wb)
        _write_guide(wb.add_worksheet(GUIDE_SHEET), formats, config, dept, period)
        plan = wb.add_worksheet(PLAN_SHEET)
        lists_sheet = wb.add_worksheet(LISTS_SHEET)
        sources = _write_lists(lists_sheet, dropdown_lists(config))
        _write_plan(plan, formats, config, dept, year, month, rows, sources, period)
        lists_sheet.hide()
        plan.activate()
        wb.close()

    return write_atomically(destination, writer).path


def _properties(dept: Department, saved: dt.datetime | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "title": f"{dept.name} — төлөвлөгөөний хэрэгжилтийн тайлан",
        "subject": "Үйл ажиллагааны төлөвлөгөөний хэрэгжилтийн тайлангийн загвар",
        "author": dept.name,
        "company": dept.name,
        "keywords": f"negtgel, загвар {TEMPLATE_VERSION}",
    }
    if saved is not None:
        moment = saved.astimezone(dt.UTC).replace(tzinfo=None) if saved.tzinfo else saved
        props["created"] = moment
    return props


def _write_lists(ws: Worksheet, lists: Lists) -> dict[str, str]:
    """The dropdown sources; the headings say what the lists are for, never a plan column's title."""
    sources: dict[str, str] = {}
    columns = (
        ("timeframe", "Сонголт: хугацааны бичиглэл", lists.timeframes),
        ("actual", "Сонголт: хэрэгжилтийн төлөв", lists.statuses),
        ("self_pct", "Сонголт: үнэлгээний түвшин", lists.levels),
    )
    for c, (name, heading, values) in enumerate(columns):
        ws.write_string(0, c, heading)
        for r, value in enumerate(values, start=1):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
        letter = xl_col_to_name(c)
        sources[name] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        ws.set_column(c, c, 30)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    return sources


def _write_plan(
    ws: Worksheet,
    f: _Formats,
    config: Config,
    dept: Department,
    year: int,
    month: int | None,
    rows: Sequence[PlanRow],
    sources: Mapping[str, str],
    period: str | None = None,
) -> None:
    labels = field_labels(config)
    named = cycles.try_parse(period)
    cycle_period = named if named is not None and named.kind != "month" else None
    last_col = len(COLUMNS) - 1
    col = {name: i for i, name in enumerate(COLUMNS)}

    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, title_text(dept, year), f.title)
    ws.set_row(TITLE_ROW, 36)
    for key, r in META_ROWS.items():
        ws.write_string(r, 0, PERIOD_LABEL if key == "month" and cycle_period is not None else META_LABELS[key], f.label)
    ws.merge_range(META_ROWS["department"], 1, META_ROWS["department"], 4, dept.name, f.meta_input)
    ws.write_number(META_ROWS["year"], 1, year, f.meta_input)
    if cycle_period is not None:  # a quarter, half-year or year: named in words, as the officials write it
        ws.write_string(META_ROWS["month"], 1, cycle_period.label("mn"), f.meta_input)
    elif month is None:
        ws.write_blank(META_ROWS["month"], 1, None, f.meta_input)
    else:
        ws.write_number(META_ROWS["month"], 1, month, f.meta_input)
    ws.write_string(META_ROWS["version"], 1, TEMPLATE_VERSION, f.meta_fixed)
    ws.data_validation(META_ROWS["year"], 1, META_ROWS["year"], 1, {
        "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
        "error_title": "Он", "error_message": "Тайлант оныг 4 оронтой тоогоор бичнэ үү, жишээ нь 2026.",
    })
    if cycle_period is None:
        ws.data_validation(META_ROWS["month"], 1, META_ROWS["month"], 1, {
            "validate": "list", "source": list(range(1, 13)),
            "input_title": "Тайлант сар", "input_message": "Тайлан гаргаж буй сарын дугаарыг 1-12-оос сонгоно уу.",
            "error_title": "Тайлант сар", "error_message": "Сарын дугаар 1-12 хооронд байна.",
        })

    for name in COLUMNS:
        ws.write_string(HEADER_ROW, col[name], labels[name], f.header)
        ws.set_column(col[name], col[name], COLUMN_WIDTHS[name], f.unlocked)
    ws.set_row(HEADER_ROW, 32)

    r = FIRST_DATA_ROW
    for row in rows:
        if isinstance(row, GoalRow):
            ws.merge_range(r, 0, r, last_col, row.text, f.goal)
        else:
            _write_measure(ws, f, r, row.record)
        r += 1
    last_input = r + max(EMPTY_ROWS, len(rows)) - 1
    for empty in range(r, last_input + 1):
        for name in COLUMNS:
            ws.write_blank(empty, col[name], None, f.for_column(name))

    span = (FIRST_DATA_ROW, last_input)
    ws.data_validation(span[0], col["timeframe"], span[1], col["timeframe"], {
        "validate": "list", "source": sources["timeframe"], "error_type": "information",
        "input_title": "Хугацаа", "input_message": "Жагсаалтаас сонгох эсвэл \"II улирал\" гэх мэтээр бичнэ үү.",
        "error_title": "Хугацаа", "error_message": "Жагсаалтад байхгүй бичиглэл. Зөв бол \"OK\" дарна уу.",
    })
    ws.data_validation(span[0], col["actual"], span[1], col["actual"], {
        "validate": "list", "source": sources["actual"], "error_type": "information",
        "input_title": "Хүрсэн түвшин", "input_message": "Тоо, хувь (85%) эсвэл жагсаалтаас төлөвийг сонгоно уу.",
        "error_title": "Хүрсэн түвшин", "error_message": "Тоо, хувь бол \"OK\" дарж үргэлжлүүлнэ үү.",
    })
    ws.data_validation(span[0], col["self_pct"], span[1], col["self_pct"], {
        "validate": "list", "source": sources["self_pct"], "error_type": "warning",
        "input_title": "Хэрэгжилтийн хувь", "input_message": "Өөрийн үнэлгээг жагсаалтаас сонгоно уу.",
        "error_title": "Хэрэгжилтийн хувь", "error_message": "Үнэлгээний түвшин жагсаалтаас сонгогдоно. Үргэлжлүүлэх үү?",
    })

    ws.freeze_panes(FIRST_DATA_ROW, 0)
    ws.protect("", {
        "insert_rows": True, "delete_rows": True, "format_columns": True, "format_rows": True,
        "autofilter": True, "sort": True, "select_locked_cells": True, "select_unlocked_cells": True,
    })
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&L&8" + dept.name.replace("&", "&&") + say("template.page_footer", "mn"))
    ws.hide_gridlines(0)
    ws.set_zoom(90)


def _write_measure(ws: Worksheet, f: _Formats, r: int, record: Mapping[str, Any]) -> None:
    for c, name in enumerate(COLUMNS):
        value = record.get(name)
        fmt = f.for_column(name)
        if record.get(f"{name}_pct_fmt") and isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, c, value, f.percent_cell)
        elif value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        elif isinstance(value, str):
            ws.write_string(r, c, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(r, c, value, fmt)
        elif isinstance(value, dt.date):
            moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
            ws.write_datetime(r, c, moment, f.date_cell)
        else:
            ws.write_string(r, c, str(value), fmt)


# --- the instruction sheet -----------------------------------------------------------------------


COLUMN_HELP: Mapping[str, str] = {
    "no": "Арга хэмжээний дугаар: зорилгын дугаар, цэг, арга хэмжээний дугаар (1.1, 1.2, 2.1 ...).",
    "measure": "Батлагдсан төлөвлөгөөнд бичигдсэн арга хэмжээний нэрийг өөрчлөлгүй бичнэ.",
    "indicator": "Биелэлтийг юугаар хэмжихийг заана (тоо, хувь, эсэх).",
    "baseline": "Өмнөх оны эсвэл төлөвлөгөө батлагдах үеийн түвшин.",
    "target": "Төлөвлөгөөгөөр хүрэх түвшин. Доорх \"Хүрэх түвшин\" хэсгийн жишээгээр бичнэ.",
    "timeframe": "Хэрэгжүүлэх хугацаа, улирлаар. Жагсаалтаас сонгох эсвэл доорх жишээгээр бичнэ.",
    "responsible": "Хариуцан хэрэгжүүлэх албан тушаалтан, нэгж.",
    "progress": "Тайлант хугацаанд хийсэн ажлын товч тайлан: юу хийсэн, хэзээ, хэдэн удаа, хэнийг хамруулсан.",
    "actual": "Тайлант сарын байдлаар хүрсэн түвшин: тоо, хувь эсвэл жагсаалтаас хэрэгжилтийн төлөв.",
    "self_pct": "Хэлтсийн өөрийн үнэлгээ: жагсаалтаас сонгоно (ХБ = хугацаа болоогүй).",
    "note": "Хэрэгжээгүй, хоцорсон шалтгаан болон бусад тайлбар.",
}


def guide_lines(config: Config, dept: Department, period: str | None = None) -> list[tuple[str, str, str]]:
    """The instruction sheet as (kind, left, right) lines; kind is title | heading | text | key | example.
    `period` (2026-10, 2026-Q3, ...): the report's kind («сарын», «улирлын» тайлан) and its period row."""
    labels = field_labels(config)
    method = config.methodology
    day = config.settings.deadline_day
    levels = ", ".join(f"{_number(lv.value)} — {lv.label}" for lv in method.levels)
    named = cycles.try_parse(period)
    cycle_period = named if named is not None and named.kind != "month" else None
    kind = cycle_period.kind if cycle_period is not None else "month"
    lines: list[tuple[str, str, str]] = [
        ("title", f"Тайлан бөглөх заавар — {dept.name}", ""),
        ("text", "", say("template.guide.intro", "mn", kind=Text(f"template.guide.kind.{kind}"), sheet=PLAN_SHEET)),
        ("heading", "1. Ерөнхий мэдээлэл", ""),
        ("key", META_LABELS["department"].rstrip(":"), "Хэлтэс, нэгжийн нэр бөглөгдсөн байна. Өөрчлөх шаардлагагүй."),
        ("key", META_LABELS["year"].rstrip(":"), "Тайлант он, 4 оронтой тоогоор (жишээ нь 2026)."),
        ("key", META_LABELS["month"].rstrip(":"), say("template.guide.month_key", "mn")) if cycle_period is None else
        ("key", PERIOD_LABEL.rstrip(":"), say("template.guide.period_key", "mn", period=cycle_period.label("mn"))),
        ("heading", "2. Баганууд", ""),
        *[("key", labels[name], COLUMN_HELP[name]) for name in COLUMNS],
        ("heading", "3. Зорилгын мөр", ""),
        ("text", "", f"Зорилго бүрийг тусдаа мөрөнд \"{GOAL_PREFIX} 1: ...\", \"{GOAL_PREFIX} 2: ...\" гэж эхлүүлэн "
                     "бичиж, түүний доор тухайн зорилгын арга хэмжээнүүдийг 1.1, 1.2 гэж дугаарлана. "
                     "Нэг арга хэмжээг хоёр мөрөнд хувааж бичихгүй, нэг нүдэнд багтаана (Alt+Enter-ээр мөр шилжүүлж болно)."),
        ("example", "Жишээ", f"{GOAL_PREFIX} 1: Төрийн үйлчилгээг иргэдэд хүртээмжтэй, шуурхай хүргэх"),
        ("heading", "4. Хугацааг бичих", ""),
        ("text", "", "Улирлыг ром тоогоор бичнэ. Жагсаалтаас сонгох нь хамгийн найдвартай. "
                     "Жилийн 4 улирал л байдаг тул \"I-V улирал\" гэж бичихгүй; \"1-1V\" гэх мэтээр тоо, үсэг "
                     "холихгүй."),
        ("example", "I-IV улирал", "Жилийн турш (4 улирал)"),
        ("example", "I-II улирал", "Эхний хагас жил"),
        ("example", "III-IV улирал", "Хоёрдугаар хагас жил"),
        ("example", "II улирал", "Зөвхөн II улиралд"),
        ("heading", "5. Хүрэх түвшинг бичих", ""),
        ("text", "", "Хүрэх түвшин нь хэмжигдэхүйц байна: тоо, хувь, эсвэл хүрэх үр дүнг \"... байна.\" гэж бичнэ."),
        ("example", "95-аас доошгүй хувь", "Хувиар: хүрсэн хувь 95-аас багагүй байх"),
        ("example", "Гурваас доошгүй", "Тоогоор: 3 ба түүнээс дээш (\"Хоёроос доошгүй удаа\", \"Дөрвөн удаа\" ч болно)"),
        ("example", "Журам шинэчлэгдсэн байна.", "Хийгдсэн эсэхээр: үр дүн бий болсон эсэх"),
        ("heading", "6. Хүрсэн түвшин, хэрэгжилтийн хувийг бичих", ""),
        ("text", "", "Хүрсэн түвшинд тоо (жишээ нь 12), хувь (85%) эсвэл дараах төлөвийн аль нэгийг бичнэ. "
                     "Тоо, хувийг текстэн тайлбартай холихгүй, тайлбарыг \""
                     + labels["progress"] + "\" баганад бичнэ."),
        *[("example", lv.label, f"{_number(lv.value)} хувь") for lv in method.levels],
        ("example", f"{method.not_due_label} ({method.not_due_short})",
         "Хугацаа нь хараахан болоогүй арга хэмжээ; дундаж хувьд тооцогдохгүй"),
        ("text", "", f"\"{labels['self_pct']}\" баганад хэлтсийн өөрийн үнэлгээг сонгоно: {levels}, "
                     f"{method.not_due_short} — хугацаа болоогүй."),
        ("heading", "7. Анхаарах зүйл", ""),
        ("text", "", "Хүснэгтийн толгой мөр, баганын дараалал, хуудасны нэрийг өөрчлөхгүй; багана нэмэх, устгахгүй. "
                     "Шаардлагатай бол мөр нэмж, устгаж болно."),
        ("text", "", "Файлыг нууц үгээр хамгаалахгүй, өөр хуудас руу хуулж, хуваахгүй. Томьёо ашигласан бол "
                     "утгыг нь хадгалсан байна."),
        ("heading", "8. Илгээх", ""),
        ("text", "", f"Бөглөсөн тайланг дараа сарын {day}-{_genitive(day)} дотор Хяналт-шинжилгээ, үнэлгээний нэгжид "
                     "и-мэйлээр хавсралт болгон илгээнэ. Файлыг Excel-ийн .xlsx хэлбэрээр (PDF, зураг, .xls биш) "
                     "хадгална. Хоцорсон, ирүүлээгүй тайлан нь нэгжийн үнэлгээнд нөлөөлнө."),
    ]
    if dept.official:
        lines.append(("text", "", f"Тайлан хариуцах албан хаагч: {dept.official}"))
    return lines


def _genitive(day: int) -> str:
    """The genitive ending after a day number: 1-ний, 4-ний, 9-ний, 5-ны, 10-ны."""
    return "ний" if day % 10 in (1, 4, 9) else "ны"


def _write_guide(ws: Worksheet, f: _Formats, config: Config, dept: Department, period: str | None = None) -> None:
    """One column of text (B), so the reader never takes the instructions for a plan table."""
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, GUIDE_WIDTH)
    c = 1
    for r, (kind, left, right) in enumerate(guide_lines(config, dept, period)):
        if kind == "title":
            ws.write_string(r, c, left, f.guide_title)
            ws.set_row(r, 26)
        elif kind == "heading":
            ws.write_string(r, c, left, f.guide_heading)
            ws.set_row(r, 20)
        elif kind == "text":
            ws.write_string(r, c, right, f.guide_text)
            ws.set_row(r, _text_height(right))
        else:
            label_format = f.guide_key if kind == "key" else f.guide_example
            prefix = "" if kind == "key" else "    "
            ws.write_rich_string(r, c, label_format, f"{prefix}{left}", f.guide_plain, f" — {right}", f.guide_text)
            ws.set_row(r, _text_height(f"{prefix}{left} — {right}"))
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.hide_gridlines(2)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True,
                    "format_rows": True})


def _text_height(text: str) -> float:
    """Row height (points) for wrapped text in the guide's column."""
    lines = max(1, -(-len(text) // int(GUIDE_WIDTH * 1.05)))
    return 15 * lines + 2
