"""Writing a table to an xlsxwriter sheet: typed cells, a styled header, widths, filter and frozen panes.

All text goes through `write_string`, so nothing from a template can become a formula or a link.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, RowInfo, Worksheet

from pipeline.values import is_missing
from pipeline.words import say

MAX_SHEET_NAME = 31
_BLANK = object()  # a formatted blank cell in a stored column
_BAD_SHEET_CHARS = set('[]:*?/\\')


class TableSheet(Worksheet):
    """A worksheet for large plain tables: the same XML as xlsxwriter writes, in about half the time.

    xlsxwriter keeps every cell as a tuple in a dict per row and writes each through a general routine
    (attribute lists, escaping). Our tables are written a column at a time, and their cells are only
    formatted strings, numbers and shaded blanks, whose references and indices never need escaping. So
    `write_column` keeps a column as one list (strings already as shared-string indices), and the sheet
    XML is assembled from whole columns, row by row, with the cells xlsxwriter kept itself (headers,
    anything unusual) merged in. `tests/test_output_safety.py` checks that the XML is byte-identical to
    xlsxwriter's own.
    """

    _column_names: ClassVar[dict[int, str]] = {}  # shared: column letters never change
    ROWS_PER_CHUNK = 4096  # rows assembled at a time: bounds the memory the cell texts take

    def __init__(self) -> None:
        super().__init__()
        # col -> (first row, cells, their formats, the format of every cell when the column has one): a cell
        # is a shared-string index (int), a number (float), _BLANK (a formatted blank) or None (nothing, or a
        # cell xlsxwriter keeps in `table`).
        self._columns: dict[int, tuple[int, list[Any], list[Any], Any]] = {}

    def write_column(self, col: int, first_row: int, cells: Sequence[Any], fmt: Any, *, blanks: bool = False) -> None:
        """Write cells (None: nothing, a float, or text) down a column, as `_write_number`/`_write_string`
        would one by one, without their per-cell checks: the bounds are checked once for the column.
        `fmt` is one format or one per cell; with `blanks`, an empty cell that has a format is written
        blank (for shading), as `write_blank` does. A cell written later in the same place wins."""
        formats: list[Any] = fmt if isinstance(fmt, list) else [fmt] * len(cells)
        last = first_row + len(cells) - 1
        if (self.constant_memory or not cells or first_row < 0 or last >= self.xls_rowmax or col >= self.xls_colmax
                or col in self._columns):
            for r, cell, cell_fmt in zip(range(first_row, last + 1), cells, formats, strict=True):
                if cell is None:
                    if blanks:
                        self._write_blank(r, col, None, cell_fmt)
                else:
                    (self._write_number if isinstance(cell, float) else self._write_string)(r, col, cell, cell_fmt)
            return
        for r in [r for r, row in self.table.items() if col in row and first_row <= r <= last]:
            del self.table[r][col]  # this column overwrites what was there
        shared = self.str_table._get_shared_string_index
        short = self.xls_strmax // 2
        stored: list[Any] = []
        append = stored.append
        first = last_written = -1
        for r, cell, cell_fmt in zip(range(first_row, last + 1), cells, formats, strict=True):
            if cell_fmt is None:  # an unformatted cell takes its row's or column's format: xlsxwriter's way
                append(None)
                if cell is not None:
                    (self._write_number if isinstance(cell, float) else self._write_string)(r, col, cell, None)
                elif blanks:
                    self._write_blank(r, col, None, None)
                continue
            if cell is None:
                append(_BLANK if blanks else None)
                if not blanks:
                    continue
            elif cell.__class__ is float:
                if cell != cell or cell in (math.inf, -math.inf):
                    append(None)
                    self._write_number(r, col, cell, cell_fmt)  # NaN and infinity become error cells
                    continue
                append(cell)
            elif len(cell) > short:
                append(None)
                self._write_string(r, col, cell, cell_fmt)  # may need truncating to Excel's limit
                continue
            else:
                append(shared(cell))
            if first < 0:
                first = r
            last_written = r
        self._columns[col] = (first_row, stored, formats, None if isinstance(fmt, list) else fmt)
        if first >= 0:
            self._check_dimensions(first, col)
            self._check_dimensions(last_written, col)

    def set_heights(self, first_row: int, heights: Sequence[float | None]) -> None:
        """`set_row(row, height)` for each row with a height (None: leave the row be), checking the bounds
        once; the same row records as xlsxwriter's."""
        rows = [(r, h) for r, h in enumerate(heights, first_row) if h is not None]
        if not rows:
            return
        if self.constant_memory or rows[0][0] < 0 or rows[-1][0] >= self.xls_rowmax or any(h <= 0 for _, h in rows):
            for r, h in rows:
                self.set_row(r, h)
            return
        min_col = self.dim_colmin if self.dim_colmin is not None else 0
        self._check_dimensions(rows[0][0], min_col)
        self._check_dimensions(rows[-1][0], min_col)
        row_info, row_sizes = self.row_info, self.row_sizes
        for r, h in rows:
            pixels = int(h * 4.0 / 3.0 + 0.5)
            row_info[r] = RowInfo(height=pixels, row_format=None, hidden=False, level=0, collapsed=False)
            row_sizes[r] = [pixels, False]

    def _materialise(self) -> None:
        """Move the stored columns into xlsxwriter's own `table`, for the code that reads it."""
        for col, (first_row, stored, formats, _) in self._columns.items():
            for r, cell, fmt in zip(range(first_row, first_row + len(stored)), stored, formats, strict=True):
                if cell is None or col in self.table.get(r, ()):
                    continue
                if cell is _BLANK:
                    self.table[r][col] = CellBlankTuple(fmt)
                elif cell.__class__ is float:
                    self.table[r][col] = CellNumberTuple(cell, fmt)
                else:
                    self.table[r][col] = CellStringTuple(cell, fmt)
        self._columns.clear()

    def _get_range_data(self, row_start: int, col_start: int, row_end: int, col_end: int) -> Any:
        self._materialise()  # a chart that draws from this sheet caches its values from `table`
        return super()._get_range_data(row_start, col_start, row_end, col_end)

    def _write_rows(self) -> None:
        if self.constant_memory or self.comments:
            self._materialise()
            super()._write_rows()
            return
        assert self.dim_rowmin is not None and self.dim_rowmax is not None and self.dim_colmax is not None
        names = self._column_names
        for c in range(self.dim_colmax + 1):
            if c not in names:
                names[c] = xl_col_to_name(c)
        xf: dict[int, int] = {}  # id(format) -> its index, asked of each format once

        def index(fmt: Any) -> int:
            found = xf.get(id(fmt))
            if found is None:
                found = xf[id(fmt)] = fmt._get_xf_index()
            return found

        table, row_info, write = self.table, self.row_info, self.fh.write
        self.row_spans = spans = self._spans()
        order = sorted(self._columns)
        step = self.ROWS_PER_CHUNK
        for chunk in range(self.dim_rowmin, self.dim_rowmax + 1, step):
            stop = min(chunk + step, self.dim_rowmax + 1)
            # Each stored column's cell XML for these rows ("" where it has none), then one string per row.
            columns = [self._cell_xml(c, chunk, stop, index) for c in order]
            rows = list(map("".join, zip(*columns))) if columns else [""] * (stop - chunk)
            for row_num, stored in zip(range(chunk, stop), rows, strict=True):
                general = table.get(row_num)
                if not general and not stored:
                    if row_num in row_info:  # a blank row with a height or format only
                        self._write_empty_row(row_num, spans.get(row_num // 16), row_info[row_num])
                    continue
                self._write_row(row_num, spans.get(row_num // 16), row_info.get(row_num))
                if general:
                    self._write_merged(row_num, general, columns, order, row_num - chunk, index)
                else:
                    write(stored)
                self._xml_end_tag("row")

    def _cell_xml(self, col: int, start: int, stop: int, index: Any) -> list[str]:
        """The XML of a stored column's cells in rows [start, stop)."""
        size = stop - start
        if col not in self._columns:
            return [""] * size
        first_row, stored, formats, uniform = self._columns[col]
        name = self._column_names[col]
        lo, hi = max(start, first_row), min(stop, first_row + len(stored))
        out = [""] * max(0, lo - start)
        if uniform is not None:  # one format for the column: its index once, the cells in one comprehension
            s = index(uniform)
            out.extend([
                "" if cell is None else
                f'<c r="{name}{r}" s="{s}"/>' if cell is _BLANK else
                f'<c r="{name}{r}" s="{s}"><v>{cell:.16G}</v></c>' if cell.__class__ is float else
                f'<c r="{name}{r}" s="{s}" t="s"><v>{cell}</v></c>'
                for r, cell in zip(range(lo + 1, hi + 1), stored[lo - first_row:hi - first_row], strict=True)
            ])
            out.extend([""] * (size - len(out)))
            return out
        for r, cell, fmt in zip(range(lo + 1, hi + 1), stored[lo - first_row:hi - first_row],
                                formats[lo - first_row:hi - first_row], strict=True):
            if cell is None:
                out.append("")
            elif cell is _BLANK:
                out.append(f'<c r="{name}{r}" s="{index(fmt)}"/>')
            elif cell.__class__ is float:
                out.append(f'<c r="{name}{r}" s="{index(fmt)}"><v>{cell:.16G}</v></c>')
            else:
                out.append(f'<c r="{name}{r}" s="{index(fmt)}" t="s"><v>{cell}</v></c>')
        out.extend([""] * (size - len(out)))
        return out

    def _write_merged(self, row_num: int, general: dict[int, Any], columns: list[list[str]], order: list[int],
                      offset: int, index: Any) -> None:
        """A row with cells in both places, in column order; xlsxwriter's own cell wins a tie."""
        stored = {c: columns[i][offset] for i, c in enumerate(order) if columns[i][offset]}
        for col in sorted(set(general) | set(stored)):
            if col in general:
                self._write_cell(row_num, col, general[col])
            else:
                self.fh.write(stored[col])

    def _spans(self) -> dict[int, str]:
        """The `spans` of each block of 16 rows (first:last column with a cell), as xlsxwriter computes them."""
        low: dict[int, int] = {}
        high: dict[int, int] = {}

        def see(block: int, col: int) -> None:
            if block not in low or col < low[block]:
                low[block] = col
            if block not in high or col > high[block]:
                high[block] = col

        for r, row in self.table.items():
            if row and self.dim_rowmin <= r <= self.dim_rowmax:
                see(r // 16, min(row))
                see(r // 16, max(row))
        for col, (first_row, stored, _, _) in self._columns.items():
            for block in {r // 16 for r, cell in enumerate(stored, first_row) if cell is not None}:
                see(block, col)
        return {block: f"{low[block] + 1}:{high[block] + 1}" for block in low}

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


class FastSharedStrings(SharedStrings):
    """xlsxwriter's shared-strings part, written a chunk of strings at a time: most strings need no
    escaping and no whitespace mark, and are written directly; the others go xlsxwriter's own way."""

    _PLAIN_UNTIL = 4096

    def _write_sst_strings(self) -> None:
        special = _SST_SPECIAL.search
        parts: list[str] = []
        for string in self.string_table.string_array:
            if special(string) is None:
                parts.append(f"<si><t>{string}</t></si>")
                if len(parts) >= self._PLAIN_UNTIL:
                    self.fh.write("".join(parts))
                    parts.clear()
                continue
            self.fh.write("".join(parts))
            parts.clear()
            self._write_si(string)
        self.fh.write("".join(parts))


class FastPackager(Packager):
    def _write_shared_strings_file(self) -> None:
        if not self.workbook.str_table.count:
            return
        sst = FastSharedStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class FastWorkbook(Workbook):
    """A workbook whose shared strings are written by `FastSharedStrings` (xlsxwriter's packager hook)."""

    def _get_packager(self) -> Packager:
        return FastPackager()


# Anything xlsxwriter would change or mark in a shared string: its `_xHHHH_` escape and control
# characters, non-characters, XML-special characters (with `"` and newlines, which it checks for), and
# leading or trailing whitespace.
_SST_SPECIAL = re.compile(r'_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff"&<>\n]|^\s|\s$')


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
    per_column = [_lines(values, max(4, int(width * 0.95)))  # Cyrillic runs a little wider than "0", the unit
                  for values, width in zip(columns, widths, strict=True)]
    lines = list(map(max, *per_column)) if len(per_column) > 1 else per_column[0]
    return [None if n == 1 else min(MAX_ROW_HEIGHT, n * LINE_HEIGHT + 3) for n in lines]


def _lines(values: Sequence[Any], per_line: int) -> list[int]:
    """The lines each cell's text takes in a column `per_line` characters wide."""
    return [
        sum(-(-len(part) // per_line) or 1 for part in value.split("\n"))
        if value.__class__ is str and (len(value) > per_line or "\n" in value) else 1
        for value in values
    ]


def write_cells(sheet: Worksheet, col: int, first_row: int, cells: Sequence[Any], fmt: Any, *, blanks: bool = False) -> None:
    """Cells (None, a float or text) down a column, in one call on a `TableSheet`, one by one on any other
    sheet (the same XML either way): callers never need to know which kind of sheet they write to. `fmt` is
    one format or one per cell; with `blanks`, an empty cell is written blank with its format (shading)."""
    if isinstance(sheet, TableSheet):
        sheet.write_column(col, first_row, cells, fmt, blanks=blanks)
        return
    formats: Sequence[Any] = fmt if isinstance(fmt, list) else [fmt] * len(cells)
    for r, (cell, cell_fmt) in enumerate(zip(cells, formats, strict=True), first_row):
        if cell is None:
            if blanks:
                sheet.write_blank(r, col, None, cell_fmt)
        elif isinstance(cell, float):
            sheet.write_number(r, col, cell, cell_fmt)
        else:
            sheet.write_string(r, col, cell, cell_fmt)


def set_row_heights(sheet: Worksheet, first_row: int, heights: Sequence[float | None]) -> None:
    if isinstance(sheet, TableSheet):
        sheet.set_heights(first_row, heights)
        return
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
        write_cells(sheet, c, start, cells, fmt)
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


def print_setup(sheet: Worksheet, *, title: str, header_rows: tuple[int, int] | None = None, landscape: bool = True,
                lang: str = "mn") -> None:
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
    sheet.set_footer(say("consolidated.page_footer", lang))
