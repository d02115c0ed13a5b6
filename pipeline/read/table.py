"""Find a plan table in a sheet's grid and turn its rows into measure records.

The table is found by its header row (synonyms from mappings/headers.yaml), never by position, so a plan
pasted from another body's file reads too. Goal section rows set the goal of the measures below them;
continuation rows (a measure's text broken over a page) are joined to the measure above.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import HeaderConfig, header_key

HEADER_SCAN_ROWS = 30
# Fields whose cells may carry a percent number format that changes their meaning (0.85 shown as 85 %).
PERCENT_FIELDS = ("target", "actual", "self_pct", "evaluation")

Cell = Any  # str | float | int | bool | date | datetime | None, as python-calamine returns it


@dataclass(frozen=True)
class Layout:
    """Where the table is: header rows, the column of each field, and what the headers say."""

    header_rows: tuple[int, ...]  # 0-based
    columns: dict[str, int]  # field -> 0-based column
    titles: dict[str, str]  # field -> header text as written
    first_data_row: int  # 0-based
    percent_header: frozenset[str]  # fields whose header carries "%" or "хувь"
    by_month: bool  # the timeframe header says "/сараар/": Roman numerals are months


@dataclass
class SheetTable:
    sheet: str
    layout: Layout
    meta: dict[str, Cell]
    measures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """How many measures the table holds."""
        return len(self.measures)


@dataclass
class PackedTable(SheetTable):
    """A table whose measure records were packed into one list a field (`normalise.pack_read`, issue 19): what
    the build reads of them, without a dict a measure. `measures` is empty; `columns` holds the records."""

    columns: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.columns.get("row", ()))


def cell_text(value: Cell) -> str:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date) and value != value:
        return ""  # pandas' NaT: an empty cell in a column of dates (it subclasses datetime, and .time() raises)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# A header is a row of short labels. A cell of more words than this, or a sentence ("Хугацаа баганад
# I-IV улирал гэж бичнэ."), or a label followed by an explanation ("Хугацаа: улирлаар бичнэ"), explains a
# column rather than titling it: an instruction sheet's text, which must not be taken for a plan's header
# because it begins with a header word.
MAX_HEADER_WORDS = 8


def is_sentence(text: str) -> bool:
    """Whether a header cell's text reads as a sentence rather than a column title."""
    words = text.split()
    if len(words) > MAX_HEADER_WORDS:
        return True
    if len(words) >= 6 and text.rstrip().endswith((".", "!", "?")):
        return True  # a title may end with a stray full stop; six words and one is a sentence
    # "Суурь түвшин: өмнөх оны гүйцэтгэлийг бичнэ" explains; "Хүрэх түвшин: 2026 он" still titles.
    _, colon, rest = text.partition(":")
    return bool(colon) and len(rest.split()) >= 3


class HeaderMatcher:
    """Matches header cell text to fields: exact synonyms first, then the longest synonym it starts with
    (never for a sentence: an instruction that begins with a header word is no title)."""

    def __init__(self, headers: HeaderConfig):
        self.exact = dict(headers.titles)
        self.by_prefix: dict[str, list[tuple[str, str]]] = {}
        for key, name in sorted(headers.titles.items(), key=lambda kv: -len(kv[0])):
            self.by_prefix.setdefault(key[:3], []).append((key, name))
        self.meta = dict(headers.meta)
        self.memo: dict[str, str | None] = {}  # header texts repeat from file to file
        # Sheet names that say "instructions" (`instruction_sheet_words` of headers.yaml): such a sheet is
        # never a plan, whatever its rows begin with.
        words = headers.instruction_sheet_words
        self.instruction_words = tuple(k for k in (header_key(w) for w in words) if k)
        # headers.yaml `percent_header_words`, `month_header_words`: what a header says about its numbers.
        self.percent_words = tuple(w.casefold() for w in headers.percent_header_words if w)
        self.month_words = tuple(k for k in (header_key(w) for w in headers.month_header_words) if k)

    def is_instruction_sheet(self, name: str) -> bool:
        key = header_key(name)
        return bool(key) and any(key.startswith(word) for word in self.instruction_words)

    def field(self, text: str) -> str | None:
        if not text or len(text) > MAX_HEADER_CHARS:
            return None
        try:
            return self.memo[text]
        except KeyError:
            found = self.memo[text] = self._field(text)
            return found

    def _field(self, text: str) -> str | None:
        key = header_key(text)
        if not key:
            return None
        found = self.exact.get(key)
        if found is not None:
            return found
        if is_sentence(text):
            return None
        for title, name in self.by_prefix.get(key[:3], ()):
            if key.startswith(title):
                return name
        return None


# A real header has a few dozen merged ranges; a crafted sheet may hold a million. Past this many in the
# header rows the rest are ignored, so finding the header stays bounded in time.
MAX_HEADER_MERGES = 5_000

Merged = Sequence[tuple[tuple[int, int], tuple[int, int]]]


def _header_merges(merged: Merged) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [m for m in merged if m[0][0] < HEADER_SCAN_ROWS + 2][:MAX_HEADER_MERGES]


def _merged_lookup(merged: Merged) -> dict[tuple[int, int], tuple[int, int]]:
    """Each covered cell of a merged range -> the range's top-left cell (header rows only: small)."""
    result: dict[tuple[int, int], tuple[int, int]] = {}
    for (r1, c1), (r2, c2) in merged:
        if r1 >= HEADER_SCAN_ROWS + 2 or (r2 - r1 + 1) * (c2 - c1 + 1) > 400:
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                result[(r, c)] = (r1, c1)
    return result


def _wide_cells(merged: Merged, width: int) -> set[tuple[int, int]]:
    """Header-row cells inside a range merged across columns, within the grid's width: each row's spans are
    joined first, so overlapping ranges cost no more than the width they cover."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for (r1, c1), (r2, c2) in merged:
        if c2 > c1 and r1 < HEADER_SCAN_ROWS:
            for r in range(r1, min(r2, HEADER_SCAN_ROWS) + 1):
                spans.setdefault(r, []).append((c1, min(c2, width - 1)))
    cells: set[tuple[int, int]] = set()
    for r, items in spans.items():
        reach = -1
        for c1, c2 in sorted(items):
            cells.update((r, c) for c in range(max(c1, reach + 1), c2 + 1))
            reach = max(reach, c2)
    return cells


def _header_cell(grid: list[list[Cell]], merged: dict[tuple[int, int], tuple[int, int]], r: int, c: int) -> str:
    r0, c0 = merged.get((r, c), (r, c))
    row = grid[r0] if r0 < len(grid) else []
    value = row[c0] if c0 < len(row) else None
    return value if isinstance(value, str) else cell_text(value)


MAX_HEADER_CHARS = 120
# A header naming this many fields (the measure among them) is taken as the table's: rows further down are
# not searched for a better one.
STRONG_HEADER = 4
_MATCHERS: dict[int, tuple[HeaderConfig, HeaderMatcher]] = {}


def matcher_for(headers: HeaderConfig) -> HeaderMatcher:
    """One matcher (and its memo) per configuration, shared by every file of a run."""
    cached = _MATCHERS.get(id(headers))
    if cached is None or cached[0] is not headers:
        cached = _MATCHERS[id(headers)] = (headers, HeaderMatcher(headers))
    return cached[1]


def _short(clean: Callable[[str], str], text: str) -> str:
    return clean(text) if text and len(text) <= MAX_HEADER_CHARS else ""


def find_layout(
    grid: list[list[Cell]],
    merged_ranges: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    matcher: HeaderMatcher,
    clean: Callable[[str], str],
    sheet_name: str = "",
) -> Layout | None:
    """The header that names the most fields (the measure column among them) in the first 30 rows.
    A sheet named as instructions (`Заавар`) has none; nor has a row whose cells are mostly sentences."""
    if sheet_name and matcher.is_instruction_sheet(sheet_name):
        return None
    header_merges = _header_merges(merged_ranges)
    merged = _merged_lookup(header_merges)
    limit = min(len(grid), HEADER_SCAN_ROWS)
    width = max((len(row) for row in grid[: limit + 1]), default=0)
    wide = _wide_cells(header_merges, width)
    rows_read = min(len(grid), limit + 1)
    texts: list[list[str]] = []
    fields_by_row: list[list[str | None]] = []

    def read_header_row(r: int) -> None:
        # Header titles are short: long texts (a measure's sentence) are neither cleaned nor matched here.
        while len(texts) <= r:
            row_texts = [_short(clean, _header_cell(grid, merged, len(texts), c)) for c in range(width)]
            texts.append(row_texts)
            fields_by_row.append([matcher.field(t) if t else None for t in row_texts])

    best: tuple[tuple[int, int], int, Layout] | None = None
    for r in range(limit):
        if best is not None and best[0][0] >= STRONG_HEADER and r > best[1] + 1:
            break  # a clear header has been found; the rows below it are data
        read_header_row(min(r + 1, rows_read - 1))
        single = _columns_from(fields_by_row[r], texts[r])
        candidates: list[tuple[tuple[int, ...], tuple[dict[str, int], dict[str, str]]]] = [((r,), single)]
        if r + 1 < rows_read and any(f is not None for f in fields_by_row[r]):
            # A sub-column title counts only under a group cell (merged across columns) or an empty one,
            # so a data row right under a one-row header is never taken for a second header row.
            combined_fields = list(fields_by_row[r])
            combined_texts = list(texts[r])
            for c, lower in enumerate(fields_by_row[r + 1]):
                if lower is not None and (not texts[r][c] or (r, c) in wide):
                    combined_fields[c] = lower
                    combined_texts[c] = texts[r + 1][c]
            combined = _columns_from(combined_fields, combined_texts)
            if combined[0] != single[0]:
                candidates.append(((r, r + 1), combined))
        for rows, (columns, titles) in candidates:
            if "measure" not in columns or len(columns) < 2 or _mostly_sentences(grid, merged, rows, width):
                continue
            # More fields wins; on a tie, two header rows (a group row over its sub-columns) beat one.
            score = (len(columns), len(rows))
            if best is None or score > best[0]:
                layout = Layout(
                    header_rows=rows,
                    columns=columns,
                    titles=titles,
                    first_data_row=rows[-1] + 1,
                    percent_header=frozenset(
                        f for f, t in titles.items() if any(w in t.casefold() for w in matcher.percent_words)
                    ),
                    by_month=any(w in header_key(titles.get("timeframe", "")) for w in matcher.month_words),
                )
                best = (score, r, layout)
    if best is None:
        return None
    layout = best[2]
    if _is_numbering_row(grid, layout.first_data_row, layout.columns):
        layout = Layout(**{**layout.__dict__, "first_data_row": layout.first_data_row + 1})
    return layout


def _mostly_sentences(grid: list[list[Cell]], merged: dict[tuple[int, int], tuple[int, int]], rows: tuple[int, ...],
                      width: int) -> bool:  # fmt: skip
    """Whether most filled cells of the header rows are sentences (an instruction sheet's rows), judged on
    the raw cells, since the header reader passes over long texts without reading them."""
    filled = sentences = 0
    for r in rows:
        for c in range(width):
            text = _header_cell(grid, merged, r, c).strip()
            if text:
                filled += 1
                sentences += len(text) > MAX_HEADER_CHARS or is_sentence(text)
    return sentences * 2 > filled


def _columns_from(fields: list[str | None], texts: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    columns: dict[str, int] = {}
    titles: dict[str, str] = {}
    for c, name in enumerate(fields):
        if name is not None and name not in columns:
            columns[name] = c
            titles[name] = texts[c]
    return columns, titles


def _is_numbering_row(grid: list[list[Cell]], r: int, columns: dict[str, int]) -> bool:
    """Many plans number their columns 1, 2, 3, ... on the row under the header."""
    if r >= len(grid):
        return False
    row = grid[r]
    values = [row[c] for c in sorted(columns.values()) if c < len(row) and row[c] not in (None, "")]
    if len(values) < 3:
        return False
    numbers = []
    for value in values:
        text = cell_text(value).strip().rstrip(".")
        if not text.isdecimal():  # not isdigit: "²" is a digit that int() refuses
            return False
        numbers.append(int(text))
    return numbers == sorted(numbers) and numbers[0] <= 2 and len(set(numbers)) == len(numbers)


def read_meta(grid: list[list[Cell]], before_row: int, matcher: HeaderMatcher, clean: Callable[[str], str]) -> dict[str, Cell]:
    """Cells above the table that say whose report it is and for when: "Хэлтэс: ..." or a label then a value."""
    meta: dict[str, Cell] = {}
    for r in range(min(before_row, len(grid))):
        row = grid[r]
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                continue
            text = clean(value)
            label, sep, rest = text.partition(":")
            key = matcher.meta.get(header_key(label))
            if key is None or key in meta:
                continue
            if sep and rest.strip():
                meta[key] = rest.strip()
                continue
            for later in row[c + 1 :]:
                if later not in (None, ""):
                    meta[key] = clean(later) if isinstance(later, str) else later
                    break
    return meta


_MEASURE_NO = re.compile(r"^\s*(\d{1,3}(?:\s*[.,]\s*\d{1,3}){0,3})\s*[.)]?\s*$")
_SECTION_NO = re.compile(r"^\s*(\d{1,2}|[IVX]{1,5})\s*[.)]\s+\S")


def measure_number(value: Cell) -> str:
    """"1.2." -> "1.2", 3.0 -> "3"; anything else is kept as written."""
    text = cell_text(value).strip()
    match = _MEASURE_NO.match(text)
    if match:
        return re.sub(r"\s*[.,]\s*", ".", match.group(1))
    return text


class RowReader:
    """Turns data rows into measure records, tracking the current goal and the measure being continued."""

    def __init__(self, headers: HeaderConfig, layout: Layout, clean: Callable[[str], str]):
        self.layout = layout
        self.clean = clean
        self.goal_words = tuple(w.casefold() for w in headers.goal_row_words)
        self.section_numerals = tuple(w.casefold() for w in headers.section_numerals)
        self.footer_words = tuple(w.casefold() for w in headers.footer_words)  # headers.yaml `footer_words`

    def is_goal_text(self, text: str) -> bool:
        lowered = text.casefold().lstrip()
        for word in self.goal_words:
            if lowered.startswith(word):
                rest = lowered[len(word) :]
                if not rest or not rest[0].isalpha():
                    return True
        for numeral in self.section_numerals:
            if lowered.startswith(numeral) and lowered[len(numeral) : len(numeral) + 1] in (".", ")", ":"):
                return True
        return bool(_SECTION_NO.match(text)) and sum(ch.isupper() for ch in text) > len(text) * 0.5

    def is_footer(self, texts: list[str]) -> bool:
        """Signature lines under the table ("Тайлан гаргасан: ...") end it."""
        return bool(texts) and texts[0][:20].casefold().startswith(self.footer_words)


def read_rows(
    grid: list[list[Cell]],
    merged_ranges: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    layout: Layout,
    headers: HeaderConfig,
    clean: Callable[[str], str],
    percent_cells: frozenset[tuple[int, int]],
    max_rows: int,
) -> list[dict[str, Any]]:
    """Measure records of one table, each with the raw (cleaned) value of every mapped field."""
    reader = RowReader(headers, layout, clean)
    columns = layout.columns
    col_list = sorted(columns.values())
    lo_col, hi_col = col_list[0], col_list[-1]
    field_of = {c: f for f, c in columns.items()}
    no_col = columns.get("no")
    timeframe_col = columns.get("timeframe")
    goal_col = columns.get("goal")

    # Vertically merged cells (a responsible unit or timeframe shared by several measures) fill down.
    # Each column's ranges are taken top-down and a row already filled is not filled again, so overlapping
    # ranges (Excel never writes them; a crafted file may hold thousands) cost no more than the rows they cover.
    fill: dict[tuple[int, int], Cell] = {}
    wide_rows: set[int] = set()
    tall: dict[int, list[tuple[int, int]]] = {}
    for (r1, c1), (r2, c2) in merged_ranges:
        if r2 < layout.first_data_row:
            continue
        if c2 > c1 and r1 == r2 and (c2 - c1 + 1) >= max(2, (hi_col - lo_col + 1) // 2):
            wide_rows.add(r1)
        if r2 > r1 and c1 in field_of:
            tall.setdefault(c1, []).append((r1, r2))
    last_row = layout.first_data_row + max_rows
    for c1, spans in tall.items():
        reach = -1
        for r1, r2 in sorted(spans):
            top = grid[r1][c1] if r1 < len(grid) and c1 < len(grid[r1]) else None
            for r in range(max(r1 + 1, reach + 1), min(r2, last_row) + 1):
                fill[(r, c1)] = top
            reach = max(reach, r2)

    measures: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    goal = ""
    end = min(len(grid), layout.first_data_row + max_rows)
    fields_in_order = sorted(field_of.items())
    for r in range(layout.first_data_row, end):
        row = grid[r]
        width = len(row)
        values: dict[str, Cell] = {}
        texts: list[str] = []  # the filled cells as text, left to right
        for c, name in fields_in_order:
            value = row[c] if c < width else None
            if fill and (value is None or value == "") and (r, c) in fill:
                value = fill[(r, c)]
            if value is None or value == "":
                continue
            if isinstance(value, str):
                value = clean(value)
                if not value:
                    continue
                texts.append(value)
            else:
                texts.append(cell_text(value))
            values[name] = value
        if not values:
            continue
        if reader.is_footer(texts):
            break
        no_text = measure_number(values["no"]) if "no" in values else ""
        measure_text = cell_text(values.get("measure", ""))
        first_text = texts[0]
        first_is_goal = reader.is_goal_text(first_text)

        # Goal section rows: "Зорилго 1: ...", "НЭГ. ДЭД БҮТЭЦ", or one text across the whole row.
        only_text = len(set(texts)) == 1 and not _looks_numeric(first_text)
        if goal_col is not None and "goal" in values and len(values) == 1:
            goal = cell_text(values["goal"])
            current = None
            continue
        if (only_text or r in wide_rows) and (
            first_is_goal
            or (no_col is not None and "no" in values and not _MEASURE_NO.match(cell_text(values["no"])))
            or r in wide_rows
        ):
            goal = first_text
            current = None
            continue
        if only_text and "no" not in values and _SECTION_NO.match(first_text) and not _MEASURE_NO.match(first_text):
            goal = first_text
            current = None
            continue
        if first_is_goal and "timeframe" not in values and "target" not in values:
            goal = first_text
            current = None
            continue

        continuation = (
            current is not None
            and not no_text
            and (timeframe_col is None or "timeframe" not in values or values.get("timeframe") == current.get("timeframe"))
            and _continues(measure_text, current, values)
        )
        if continuation and current is not None:
            for name, value in values.items():
                if name in ("no", "timeframe") and name in current:
                    continue
                previous = current.get(name)
                if previous in (None, ""):
                    current[name] = value
                elif isinstance(previous, str) or isinstance(value, str):
                    current[name] = f"{cell_text(previous)} {cell_text(value)}".strip()
            current["rows"] += 1
            continue
        if not measure_text and set(values) <= {"no"}:
            continue  # a lone number: a numbering artefact, not a measure
        record: dict[str, Any] = dict(values)
        record["no"] = no_text
        record["row"] = r + 1
        record["rows"] = 1
        record["goal"] = cell_text(values["goal"]) if "goal" in values else goal
        for name in PERCENT_FIELDS:
            column = columns.get(name)
            if column is not None and (r, column) in percent_cells:
                record[f"{name}_pct_fmt"] = True
        measures.append(record)
        current = record
    return measures


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,%-]+", text))


def _continues(measure_text: str, current: dict[str, Any], values: dict[str, Cell]) -> bool:
    """A row without a number continues the measure above when its text reads as the rest of a sentence.

    Officials who skip numbering still start each new measure with a capital letter, and a new measure
    usually has its own target or achieved value; a page-broken sentence goes on in lower case.
    """
    if not measure_text:
        return True
    first = measure_text.lstrip()[:1]
    if first.islower() or first in ",;:)-–":
        return True
    if any(name in values for name in ("target", "actual", "self_pct", "evaluation")):
        return False
    previous = cell_text(current.get("measure", "")).rstrip()
    return bool(previous) and previous[-1:] not in ".!?;:" and not first.isdigit()
