"""The evaluators' workbook: written for each evaluator, filled in, returned and read back.

Sheet «Үнэлгээ»: a title, the scorecard, period and evaluator cells, a hidden row of column keys (how the
workbook is read back, whatever the labels say), the header with each criterion's maximum, then one row per
organisation. The computed criteria are filled in from the consolidation and locked (the sheet is protected
without a password); the evaluator criteria, the evaluator's name and the note are the only cells open, each
criterion's cells with a validation that refuses less than 0 or more than its maximum. Sheet «Заавар» says
what to do, in Mongolian.

Reading back never raises: the file is checked as a received template is (`read.package.inspect_file`) and
read with python-calamine; whatever is wrong becomes a Problem at its cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine

from pipeline.config import Config, Department, header_key
from pipeline.intake import DepartmentMatcher
from pipeline.output.safe import Written, new_workbook, write_atomically
from pipeline.problems import Problem
from pipeline.read.package import MAX_SHEET_CELLS, Package, Refusal, inspect_file, sheet_marks
from pipeline.read.table import cell_text
from pipeline.read.workbook import a1
from pipeline.rollup import round_half_up
from pipeline.scorecard.facts import Facts
from pipeline.scorecard.score import Given, computed_points
from pipeline.scorecard.spec import Scorecard

SHEET = "Үнэлгээ"
GUIDE_SHEET = "Заавар"
MARKER = "#negtgel-scorecard"  # the first cell of the hidden key row
META = {"scorecard": "Үнэлгээний хуудас:", "period": "Тайлант сар:", "evaluator": "Үнэлгээчин:"}
KEY_ROW, HEADER_ROW, FIRST_ROW = 5, 6, 7
NAME_COL, SHORT_COL, FIRST_CRITERION_COL = 1, 2, 3
SEARCH_ROWS = 40
MAX_ROWS = 5000  # rows read of a returned sheet: far more than organisations
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def template_name(card: Scorecard, period: str, evaluator: str = "") -> str:
    cleaned = re.sub(r"[^\w-]+", "_", evaluator).strip("_")
    suffix = f"_{cleaned}" if cleaned else ""
    return f"scorecard_{card.name}_{period}_evaluator{suffix}.xlsx"


def _note(card: Scorecard, facts: Facts | None) -> str:
    if facts is None or not facts.reported:
        return "Тайлан ирүүлээгүй: тооцоолох шалгуурт 0 оноо"
    missing = [c.label for c in card.computed if computed_points(c, facts) is None]
    return f"Хугацаа болсон арга хэмжээ алга: {', '.join(missing)} тооцоогүй" if missing else ""


def write_template(path: Path, card: Scorecard, period: str, organisations: Sequence[Department],
                   facts: Mapping[str, Facts], evaluator: str = "") -> Written:
    """Write the evaluators' workbook for `period` (atomically)."""
    return write_atomically(path, lambda tmp: _write(tmp, card, period, organisations, facts, evaluator))


def _write(tmp: Path, card: Scorecard, period: str, organisations: Sequence[Department], facts: Mapping[str, Facts],
           evaluator: str) -> None:
    workbook = new_workbook(tmp)
    base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
    header = workbook.add_format({**base, "bold": True, "text_wrap": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF",
                                  "border": 1, "align": "center", "valign": "vcenter"})
    text = workbook.add_format({**base, "text_wrap": True, "border": 1})
    locked_number = workbook.add_format({**base, "border": 1, "bg_color": "#E7E6E6", "num_format": "0.##"})
    open_number = workbook.add_format({**base, "border": 1, "bg_color": "#FFF2CC", "locked": False, "num_format": "0.##"})
    open_text = workbook.add_format({**base, "border": 1, "bg_color": "#FFF2CC", "locked": False, "text_wrap": True})
    title = workbook.add_format({"bold": True, "font_size": 14, "font_name": "Arial"})
    bold = workbook.add_format({**base, "bold": True})

    ws = workbook.add_worksheet(SHEET)
    ws.write_string(0, 0, f"{card.label} — {period} үнэлгээний хуудас", title)
    ws.write_string(1, 0, META["scorecard"], bold)
    ws.write_string(1, 1, card.name)
    ws.write_string(2, 0, META["period"], bold)
    ws.write_string(2, 1, period)
    ws.write_string(3, 0, META["evaluator"], bold)
    ws.write_string(3, 1, evaluator, open_text)
    ws.write_string(4, 0, "Шар нүдийг бөглөнө; саарал нүд нэгтгэлээс тооцоологдсон тул өөрчлөгдөхгүй.")

    columns = [("№", "no", 5), ("Байгууллага, нэгж", "organisation", 40), ("Товч нэр", "short", 10)]
    columns += [(f"{c.label}\n(тооцоолсон, дээд {c.max:g})", f"criterion:{c.key}", 14) for c in card.computed]
    columns += [(f"{c.label}\n(дээд оноо {c.max:g})", f"criterion:{c.key}", 14) for c in card.evaluated]
    columns.append(("Үнэлгээчний тайлбар", "note", 30))
    if card.computed:
        columns.append(("Тэмдэглэл", "remark", 30))
    for col, (label, key, width) in enumerate(columns):
        ws.write_string(KEY_ROW, col, MARKER if col == 0 else key)
        ws.write_string(HEADER_ROW, col, label, header)
        ws.set_column(col, col, width)
    ws.set_row(KEY_ROW, None, None, {"hidden": True})
    ws.set_row(HEADER_ROW, 45)

    by_key = {key: col for col, (_, key, _) in enumerate(columns)}
    for index, dept in enumerate(organisations):
        row = FIRST_ROW + index
        found = facts.get(dept.name)
        ws.write_number(row, 0, index + 1, text)
        ws.write_string(row, NAME_COL, dept.name, text)
        ws.write_string(row, SHORT_COL, dept.short, text)
        for criterion in card.computed:
            points = round_half_up(computed_points(criterion, found), card.rounding)
            col = by_key[f"criterion:{criterion.key}"]
            if points is None:
                ws.write_blank(row, col, None, locked_number)
            else:
                ws.write_number(row, col, points, locked_number)
        for criterion in card.evaluated:
            ws.write_blank(row, by_key[f"criterion:{criterion.key}"], None, open_number)
        ws.write_blank(row, by_key["note"], None, open_text)
        if card.computed:
            ws.write_string(row, by_key["remark"], _note(card, found), text)
    last = FIRST_ROW + max(len(organisations), 1) - 1
    for criterion in card.evaluated:
        col = by_key[f"criterion:{criterion.key}"]
        ws.data_validation(FIRST_ROW, col, last, col, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": _number(criterion.max),
            "input_title": "Оноо", "input_message": f"0-ээс {criterion.max:g} хүртэл оноо бичнэ үү.",
            "error_title": "Буруу оноо",
            "error_message": f"«{criterion.label}» шалгуурын оноо 0-ээс {criterion.max:g} хүртэл байна.",
        })
    ws.freeze_panes(FIRST_ROW, FIRST_CRITERION_COL)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})
    _guide(workbook.add_worksheet(GUIDE_SHEET), card, period, title, workbook.add_format({**base, "text_wrap": True}))
    workbook.close()


def _number(value: float) -> float | int:
    """30 rather than 30.0 in the validation Excel shows when it refuses a value."""
    return int(value) if float(value).is_integer() else value


def _guide(ws: Any, card: Scorecard, period: str, title: Any, wrap: Any) -> None:
    lines = [
        f"«{card.label}» — {period} үнэлгээ хийх заавар",
        "",
        "1. «Үнэлгээ» хуудасны «Үнэлгээчин» нүдэнд өөрийн нэрийг бичнэ.",
        "2. Байгууллага бүрийн мөрөнд шар нүдэнд шалгуур тус бүрийн оноог бичнэ. Оноо 0-ээс тухайн шалгуурын дээд оноо хүртэл "
        "байна; түүнээс их, бага оноог Excel хүлээж авахгүй. Бутархай оноог цэгээр бичнэ (жишээ нь 4.5).",
        "3. Оноо өгөөгүй нүдийг хоосон үлдээвэл «дутуу» гэж тэмдэглэгдэнэ, 0 гэж тооцохгүй. 0 оноо өгөх бол 0 гэж бичнэ.",
        "4. Саарал нүдний оноо тайлангийн нэгтгэлээс тооцоологдсон тул өөрчлөх боломжгүй.",
        "5. Бөглөсөн файлыг нэрийг нь өөрчлөлгүй хариуцсан мэргэжилтэнд буцааж илгээнэ.",
        "",
        "Шалгуурууд:",
    ]
    for criterion in card.criteria:
        how = "нэгтгэлээс тооцоолно" if criterion.computed else "үнэлгээчин үнэлнэ"
        lines.append(f"  • {criterion.label} — дээд оноо {criterion.max:g} ({how})")
    lines += ["", f"Нийт дээд оноо: {card.total:g}. Олон үнэлгээчний оноог шалгуур бүрээр нэгтгэнэ "
                  "(дундаж, эсвэл үнэлгээний хуудсанд заасан аргаар)."]
    ws.set_column(0, 0, 110)
    for row, line in enumerate(lines):
        ws.write_string(row, 0, line, title if row == 0 else wrap)


# --- reading a returned workbook -------------------------------------------------------------------------
@dataclass
class Returned:
    """What one returned workbook held: its points (or None when it could not be used) and its problems."""

    file: str
    given: Given | None
    problems: list[Problem] = field(default_factory=list)
    scorecard: str = ""
    period: str = ""


def read_returned(path: Path, card: Scorecard, period: str, config: Config, lang: str = "mn") -> Returned:
    """Read an evaluator's workbook. Never raises for a bad file: every fault is a Problem (criteria named in `lang`)."""
    name = path.name
    package = inspect_file(path, config.settings.limits)
    if isinstance(package, Refusal):
        return Returned(name, None, [Problem(package.code, file=name, detail=package.detail)])
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        try:
            return _read(workbook, path, package, card, period, config, lang)
        finally:
            workbook.close()
    except calamine.PasswordError:
        return Returned(name, None, [Problem("file-encrypted", file=name)])
    except Exception as exc:  # a damaged file of any kind: listed, never a traceback
        return Returned(name, None, [Problem("file-unreadable", file=name, detail=_short(exc))])
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":  # the Rust reader's own failure; interrupts still pass
            raise
        return Returned(name, None, [Problem("file-unreadable", file=name, detail=_short(exc))])


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"гэмтсэн файл / damaged file: {text[:120]}"


def _find_keys(workbook: Any, path: Path, package: Package, problems: list[Problem]) -> tuple[str, list[list[Any]], int] | None:
    for meta in workbook.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        # Bound the grid before the reader builds it, as templates are: one far-away value would ask for gigabytes.
        marks = sheet_marks(path, package, meta.name)
        if marks.cells > MAX_SHEET_CELLS:
            rows, cols = marks.extent
            problems.append(Problem("sheet-too-large", file=path.name, sheet=meta.name,
                                    detail=f"A1:{a1(rows - 1, cols - 1)}, {marks.cells:,} нүд / cells"))
            continue
        grid = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False, nrows=MAX_ROWS)
        for r, row in enumerate(grid[:SEARCH_ROWS]):
            if row and cell_text(row[0]).strip() == MARKER:
                return meta.name, grid, r
    return None


def _meta(grid: list[list[Any]], key_row: int) -> dict[str, str]:
    wanted = {header_key(label): key for key, label in META.items()}
    found: dict[str, str] = {}
    for row in grid[:key_row]:
        if len(row) > 1 and header_key(cell_text(row[0])) in wanted:
            found[wanted[header_key(cell_text(row[0]))]] = cell_text(row[1]).strip()
    return found


def parse_points(value: Any) -> float | str | None:
    """A cell as points: a number, None when empty, or the text as typed when it is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return float(value)
    text = cell_text(value).strip()
    if _NUMBER.fullmatch(text):
        return float(text.replace(",", "."))
    return text


def _read(workbook: Any, path: Path, package: Package, card: Scorecard, period: str, config: Config,
          lang: str) -> Returned:
    name = path.name
    refused: list[Problem] = []
    found = _find_keys(workbook, path, package, refused)
    if found is None:
        return Returned(name, None, refused or [Problem("scorecard-not-a-scorecard", file=name, detail=card.name)])
    sheet, grid, key_row = found
    meta = _meta(grid, key_row)
    result = Returned(name, None, scorecard=meta.get("scorecard", ""), period=meta.get("period", ""))
    if (result.scorecard, result.period) != (card.name, period):
        result.problems.append(Problem("scorecard-other-workbook", file=name, sheet=sheet,
                                       value=f"{result.scorecard} {result.period}".strip(), detail=f"{card.name} {period}"))
        return result
    keys = {cell_text(v).strip(): c for c, v in enumerate(grid[key_row])}
    evaluator = meta.get("evaluator") or Path(name).stem
    given = Given(evaluator=evaluator, file=name)
    result.given = given
    for criterion in card.evaluated:
        if f"criterion:{criterion.key}" not in keys:
            result.problems.append(Problem("scorecard-column-missing", file=name, sheet=sheet, detail=criterion.name(lang)))
    matcher = DepartmentMatcher(config.departments)
    name_col = keys.get("organisation", NAME_COL)
    for r in range(key_row + 2, len(grid)):
        row = grid[r]
        cells = {c.key: row[keys[f"criterion:{c.key}"]] if keys.get(f"criterion:{c.key}", len(row)) < len(row) else None
                 for c in card.evaluated}
        label = cell_text(row[name_col]).strip() if name_col < len(row) else ""
        if not label and all(parse_points(v) is None for v in cells.values()):
            continue
        matches = matcher.by_text(label) if label else []
        if len(matches) != 1:
            result.problems.append(Problem("scorecard-unknown-organisation", file=name, sheet=sheet, cell=a1(r, name_col),
                                           row=r + 1, value=label))
            continue
        org = matches[0].name
        if org in given.rows:
            result.problems.append(Problem("scorecard-organisation-twice", file=name, sheet=sheet, cell=a1(r, name_col),
                                           row=r + 1, value=org))
            continue
        given.rows.add(org)
        for criterion in card.evaluated:
            col = keys.get(f"criterion:{criterion.key}")
            if col is None:
                continue
            cell = a1(r, col)
            points = parse_points(cells[criterion.key])
            if points is None:
                problem: Problem | None = Problem("scorecard-value-missing", file=name, sheet=sheet, cell=cell, row=r + 1,
                                                  value=org, detail=criterion.name(lang))
            elif isinstance(points, str) or points < 0:
                problem = Problem("scorecard-value-invalid", file=name, sheet=sheet, cell=cell, row=r + 1,
                                  value=cell_text(cells[criterion.key]), detail=f"{criterion.name(lang)}: 0-{criterion.max:g}")
            elif points > criterion.max + 1e-9:
                problem = Problem("scorecard-value-over-max", file=name, sheet=sheet, cell=cell, row=r + 1, value=f"{points:g}",
                                  detail=f"{criterion.name(lang)}: {criterion.max:g}")
            else:
                problem = None
            if problem is not None:
                result.problems.append(problem)
                if problem.code != "scorecard-value-missing":
                    given.refused.add((org, criterion.key))
            elif isinstance(points, float):
                given.values[(org, criterion.key)] = points
    for dept in config.departments:
        if dept.reports and dept.name not in given.rows and card.evaluated:
            result.problems.append(Problem("scorecard-value-missing", file=name, sheet=sheet, value=dept.name,
                                           detail=", ".join(c.name(lang) for c in card.evaluated)))
    return result
