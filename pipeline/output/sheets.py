"""Writing a table to an xlsxwriter sheet: typed cells, a styled header, widths, filter and frozen panes.

All text goes through `write_string`, so nothing from a template can become a formula or a link.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, Worksheet

from pipeline.values import is_missing

MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = set('[]:*?/\\')


class TableSheet(Worksheet):
    """A worksheet for large plain tables: the same XML as xlsxwriter writes, a quarter faster.

    xlsxwriter writes every cell through a general routine (attribute lists, escaping); the cells of our
    tables are only formatted strings and numbers, whose references and indices never need escaping, so
    they are written directly. Anything else goes the general way. `tests/test_output_safety.py` checks
    that the sheet XML is byte-identical to xlsxwriter's own.
    """

    _column_names: ClassVar[dict[int, str]] = {}  # shared: column letters never change

    def write_column(self, col: int, first_row: int, cells: Sequence[Any], fmt: Any, *, blanks: bool = False) -> None:
        """Write cells (None: nothing, a float, or text) down a column, as `_write_number`/`_write_string`
        would one by one, without their per-cell checks: the bounds are checked once for the column.
        `fmt` is one format or one per cell; with `blanks`, an empty cell that has a format is written
        blank (for shading), as `write_blank` does."""
        formats = fmt if isinstance(fmt, list) else None
        last = first_row + len(cells) - 1
        if self.constant_memory or not cells or first_row < 0 or last >= self.xls_rowmax or col >= self.xls_colmax:
            for i, (r, cell) in enumerate(enumerate(cells, first_row)):
                cell_fmt = formats[i] if formats is not None else fmt
                if cell is None:
                    if blanks:
                        self._write_blank(r, col, None, cell_fmt)
                else:
                    (self._write_number if isinstance(cell, float) else self._write_string)(r, col, cell, cell_fmt)
            return
        table = self.table
        shared = self.str_table._get_shared_string_index
        short = self.xls_strmax // 2
        written: list[int] = []
        for i, (r, cell) in enumerate(enumerate(cells, first_row)):
            if formats is not None:
                fmt = formats[i]
            if cell is None:
                if blanks and fmt is not None:
                    table[r][col] = CellBlankTuple(fmt)
                    written.append(r)
                continue
            if cell.__class__ is float:
                if cell != cell or cell in (math.inf, -math.inf):
                    self._write_number(r, col, cell, fmt)  # NaN and infinity become error cells
                    continue
                table[r][col] = CellNumberTuple(cell, fmt)
            elif len(cell) > short:
                self._write_string(r, col, cell, fmt)  # may need truncating to Excel's limit
                continue
            else:
                table[r][col] = CellStringTuple(shared(cell), fmt)
            written.append(r)
        if written:
            self._check_dimensions(written[0], col)
            self._check_dimensions(written[-1], col)

    def _write_rows(self) -> None:
        """xlsxwriter's `_write_rows` with the common cells (formatted strings and numbers) written straight
        into one string per row: a million cells are a million method calls fewer."""
        if self.constant_memory or self.comments:
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, row_spans, write = self.table, self.row_info, self.row_spans, self.fh.write
        names = [xl_col_to_name(c) for c in range(self.dim_colmax + 1)] if self.dim_colmax is not None else []
        xf: dict[int, int] = {}  # id(format) -> its index, asked of each format once
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            if not cells:
                if row_num in row_info:  # a blank row with a height or format only
                    self._write_empty_row(row_num, row_spans.get(row_num // 16), row_info[row_num])
                continue
            self._write_row(row_num, row_spans.get(row_num // 16), row_info.get(row_num))
            r = str(row_num + 1)
            parts: list[str] = []
            for col_num in sorted(cells):
                cell = cells[col_num]
                fmt = cell.format
                kind = cell.__class__
                if fmt is None or (kind is not CellStringTuple and kind is not CellNumberTuple):
                    write("".join(parts))
                    parts = []
                    self._write_cell(row_num, col_num, cell)
                    continue
                index = xf.get(id(fmt))
                if index is None:
                    index = xf[id(fmt)] = fmt._get_xf_index()
                if kind is CellStringTuple:
                    parts.append(f'<c r="{names[col_num]}{r}" s="{index}" t="s"><v>{cell.string}</v></c>')
                else:
                    parts.append(f'<c r="{names[col_num]}{r}" s="{index}"><v>{cell.number:.16G}</v></c>')
            write("".join(parts))
            self._xml_end_tag("row")

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        kind = cell.__class__.__name__
        fmt = cell.format
        if fmt is None or self.constant_memory or kind not in ("String", "Number"):
            super()._write_cell(row, col, cell)
            return
        name = self._column_names.get(col)
        if name is None:
            name = self._column_names[col] = xl_col_to_name(col)
        if kind == "String":
            self.fh.write(f'<c r="{name}{row + 1}" s="{fmt._get_xf_index()}" t="s"><v>{cell.string}</v></c>')
        else:
            self.fh.write(f'<c r="{name}{row + 1}" s="{fmt._get_xf_index()}"><v>{cell.number:.16G}</v></c>')


@dataclass(frozen=True)
class Col:
    """One output column: where its values come from, its title, width and how to write it."""

    key: str
    title: str
    width: float = 14
    kind: str = "text"  # text | wrap | number | int | percent | datetime | review | hidden
    render: Callable[[Any], Any] | None = None


class Formats:
    """The few cell formats every workbook shares, created once per workbook."""

    def __init__(self, workbook: Workbook):
        base = {"valign": "top", "font_name": "Arial", "font_size": 10}
        self.header = workbook.add_format(
            {**base, "bold": True, "text_wrap": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
             "valign": "vcenter", "align": "center"}
        )
        self.text = workbook.add_format(base)
        self.wrap = workbook.add_format({**base, "text_wrap": True})
        self.number = workbook.add_format({**base, "num_format": "General"})  # 30 not "30.", 2.5 as 2.5
        self.int = workbook.add_format({**base, "num_format": "0"})
        self.percent = workbook.add_format({**base, "num_format": "0.0"})
        self.date = workbook.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
        # The specialist's own columns (the review): yellow, so they stand out as the ones to fill.
        self.review = workbook.add_format({**base, "text_wrap": True, "bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"})
        self.title = workbook.add_format({"bold": True, "font_size": 14, "font_name": "Arial"})
        self.subtitle = workbook.add_format({"italic": True, "font_size": 10, "font_name": "Arial", "font_color": "#555555"})

    def for_kind(self, kind: str) -> Any:
        kinds = {"wrap": self.wrap, "number": self.number, "int": self.int, "percent": self.percent, "review": self.review}
        return kinds.get(kind, self.text)


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique sheet name (Excel: at most 31 characters, none of []:*?/\\)."""
    cleaned = "".join("_" if ch in _BAD_SHEET_CHARS else ch for ch in text).strip("'") or "Хуудас"
    name = cleaned[:MAX_SHEET_NAME]
    n = 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name = cleaned[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def cell_values(values: Sequence[Any], render: Callable[[Any], Any] | None, numeric: bool) -> list[Any]:
    """A column's cells as written: None (empty), a float, or text; each distinct value rendered once."""
    memo: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    append = out.append
    for value in values:
        key = (value.__class__, value)  # True, 1 and 1.0 are equal keys but are shown differently
        try:
            append(memo[key])
            continue
        except KeyError:
            pass
        except TypeError:  # an unhashable value (a list of flags) is rendered every time
            key = None  # type: ignore[assignment]
        shown = render(value) if render is not None else value
        if is_missing(shown) or shown == "":
            cell: Any = None
        elif isinstance(shown, bool):
            cell = "Тийм" if shown else "Үгүй"
        elif numeric and isinstance(shown, int | float):
            cell = float(shown)
        else:
            cell = str(shown)
        if key is not None:
            memo[key] = cell
        append(cell)
    return out


LINE_HEIGHT = 12.75  # points per line of 10-point Arial
MAX_ROW_HEIGHT = 409  # Excel's limit


def row_heights(columns: Sequence[Sequence[Any]], widths: Sequence[float]) -> list[float | None]:
    """Heights that show every line of wrapped text: neither Excel nor LibreOffice grow rows on opening."""
    if not columns:
        return []
    lines = [1] * len(columns[0])
    for values, width in zip(columns, widths, strict=True):
        per_line = max(4, int(width * 0.95))  # Cyrillic runs a little wider than the digit "0" that sets the unit
        for i, value in enumerate(values):
            if isinstance(value, str) and (len(value) > per_line or "\n" in value):
                needed = sum(-(-len(part) // per_line) or 1 for part in value.split("\n"))
                if needed > lines[i]:
                    lines[i] = needed
    return [None if n == 1 else min(MAX_ROW_HEIGHT, n * LINE_HEIGHT + 3) for n in lines]


def set_row_heights(sheet: Worksheet, first_row: int, heights: Sequence[float | None]) -> None:
    for i, height in enumerate(heights):
        if height is not None:
            sheet.set_row(first_row + i, height)


def write_table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    cols: Sequence[Col],
    formats: Formats,
    *,
    first_row: int = 0,
    autofilter: bool = True,
    freeze_cols: int = 0,
) -> int:
    """Write a header and one row per record, column by column; return the next free row."""
    for c, col in enumerate(cols):
        sheet.write_string(first_row, c, col.title, formats.header)
        sheet.set_column(c, c, col.width, formats.for_kind(col.kind), {"hidden": col.kind == "hidden"})
    sheet.set_row(first_row, 32)
    write_string, write_number = sheet.write_string, sheet.write_number
    start = first_row + 1
    wrapped: list[list[Any]] = []
    wrapped_widths: list[float] = []
    for c, col in enumerate(cols):
        raw = frame[col.key].tolist() if col.key in frame.columns else [None] * len(frame)
        fmt = formats.for_kind(col.kind)
        cells = cell_values(raw, col.render, col.kind in ("number", "int", "percent"))
        if col.kind in ("wrap", "review"):
            wrapped.append(cells)
            wrapped_widths.append(col.width)
        if col.kind == "datetime":
            _write_datetimes(sheet, c, start, cells, formats.date)
            continue
        if isinstance(sheet, TableSheet):
            sheet.write_column(c, start, cells, fmt)
            continue
        for r, cell in enumerate(cells, start):
            if cell is None:
                continue
            if isinstance(cell, float):
                write_number(r, c, cell, fmt)
            else:
                write_string(r, c, cell, fmt)
    set_row_heights(sheet, start, row_heights(wrapped, wrapped_widths))
    last = first_row + len(frame)
    if autofilter and len(cols):
        sheet.autofilter(first_row, 0, max(last, first_row), len(cols) - 1)
    sheet.freeze_panes(first_row + 1, freeze_cols)
    return last + 1


def _write_datetimes(sheet: Worksheet, col: int, first_row: int, cells: Sequence[Any], fmt: Any) -> None:
    """"2026-11-03 10:24" as a real date and time, so a column sorts and filters as dates."""
    for r, cell in enumerate(cells, first_row):
        if cell is None:
            continue
        try:
            sheet.write_datetime(r, col, dt.datetime.fromisoformat(str(cell)), fmt)
        except ValueError:
            sheet.write_string(r, col, str(cell), fmt)


def print_setup(sheet: Worksheet, *, title: str, header_rows: tuple[int, int] | None = None, landscape: bool = True) -> None:
    """A4, fit to width, repeated header rows, the title and page numbers in header/footer."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_rows is not None:
        sheet.repeat_rows(*header_rows)
    # A space after the font-size code: "&8" followed by "2026 ..." would read as font size 82026.
    safe_title = title.replace("&", "&&")
    sheet.set_header(f"&L&8 {safe_title}")
    sheet.set_footer("&L&8negtgel&R&8Хуудас &P / &N")
