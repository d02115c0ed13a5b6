"""Read one received file into measure records and problems. Never raises for a bad file.

Cell values come from python-calamine (fast); percent formats and formulas without a saved value, which
calamine cannot see, come from a scan of the sheet XML (`package.sheet_marks`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine

from pipeline.config import Config
from pipeline.notation import clean_text
from pipeline.problems import Problem
from pipeline.read.package import DAMAGED, MAX_SHEET_CELLS, Package, Refusal, inspect_file, prepared, sheet_marks
from pipeline.read.table import SheetTable, find_layout, matcher_for, read_meta, read_rows

READER_VERSION = "3"  # 3: guarded reading, the package index, the formats and refusals of issue 12
# All sheets of one workbook together: a file of many large sheets is bounded in time, not only in memory.
MAX_WORKBOOK_CELLS = 3 * MAX_SHEET_CELLS


def column_letters(index: int) -> str:
    """0-based column index -> Excel letters (0 -> "A", 26 -> "AA")."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based row and column -> "B12"."""
    return f"{column_letters(col)}{row + 1}"


@dataclass
class FileRead:
    """What one file held: its tables' measures, the meta cells, and what was wrong."""

    name: str
    kind: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    tables: list[SheetTable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return bool(self.tables)


class _Cleaner:
    """Cleans cell text once per distinct string and remembers which cells were in a legacy font."""

    def __init__(self, max_chars: int) -> None:
        self.memo: dict[str, str] = {}
        self.converted: dict[str, str] = {}
        self.max_chars = max_chars
        self.truncated: set[str] = set()

    def __call__(self, text: str) -> str:
        try:
            return self.memo[text]
        except KeyError:
            pass
        source = text
        if len(source) > self.max_chars:
            self.truncated.add(source[:200])
            source = source[: self.max_chars]
        cleaned = clean_text(source)
        if cleaned.legacy_converted:
            self.converted[text] = cleaned.text
        self.memo[text] = cleaned.text
        return cleaned.text


def read_file(path: Path, config: Config, *, name: str | None = None) -> FileRead:
    """Read every plan table in a workbook. `name` is the file's name as received (for messages)."""
    result = FileRead(name=name or path.name)
    # Copies the reader is given instead of the file (decrypted, repacked) live only as long as this read.
    work = _Workdir()
    try:
        _read_into(result, path, work, config)
    finally:
        work.remove()
    return result


class _Workdir:
    """A temporary folder made when a copy of the file is first needed (rarely: decrypted, repacked). Making
    and removing an empty one costs several milliseconds on a busy disk, more than reading a template."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def __call__(self) -> Path:
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix="negtgel-read-"))
        return self._path

    def remove(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None


class _Unreadable(Exception):
    """No sheet could be read; `detail` says why the first one could not."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _read_into(result: FileRead, path: Path, work: _Workdir, config: Config) -> None:
    try:
        package = inspect_file(path, config.settings.limits)
        if isinstance(package, Refusal) and package.code == "file-encrypted":  # perhaps Excel's default password
            package = inspect_file(path, config.settings.limits, work())
    except MemoryError:
        raise  # the guard lists the file; a half-done check is not a finding about it
    except Exception as exc:  # the checks themselves must not stop the consolidation on a file they did not foresee
        package = Refusal("file-unreadable", _short_error(exc))
    if isinstance(package, Refusal):
        result.problems.append(Problem(package.code, file=result.name, detail=package.detail))
        return
    result.kind = "ods" if package.kind == "fods" else package.kind
    warnings: list[Problem] = []
    if package.kind == "xls":
        warnings.append(Problem("file-legacy-format", file=result.name, detail=".xls (Excel 97-2003)"))
    if package.has_macros:
        warnings.append(Problem("file-macros-ignored", file=result.name))
    failure: Problem | None = None
    try:
        source = prepared(path, package, work()) if package.prepare else package.decrypted or path
        with _native_messages_muted():
            found = list(_read_tables(source, package, config, result, original=path))
    except MemoryError:
        raise
    except calamine.PasswordError:
        failure = Problem("file-encrypted", file=result.name)
    except _Unreadable as exc:
        failure = Problem("file-unreadable", file=result.name, detail=exc.detail)
    except Exception as exc:  # calamine's own errors, OSError, ValueError, and reader defects on a strange file
        failure = Problem("file-unreadable", file=result.name, detail=_short_error(exc))
    except BaseException as exc:
        # The Rust reader turns its own failures (index out of range on a malformed file) into a
        # PanicException, which derives from BaseException; interrupts and exits still pass.
        if type(exc).__name__ != "PanicException":
            raise
        failure = Problem("file-unreadable", file=result.name, detail=_short_error(exc))
    if failure is not None:
        # One finding per file: "read, but save as .xlsx next time" beside "could not be read" contradicts it.
        result.tables.clear()
        result.meta.clear()
        result.problems.append(failure)
        return
    result.problems.extend([*warnings, *found])


@contextlib.contextmanager
def _native_messages_muted() -> Iterator[None]:
    """Keep the Rust reader's panic messages (and backtraces, with RUST_BACKTRACE set) off the specialist's
    screen: they go straight to file descriptor 2; the problem list says what was wrong with the file."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        saved = -1
    if saved < 0:
        yield
        return
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


# Names of exception classes ("ValueError: ", "OleFileError", "XlsError::Password") mean nothing to an official.
_CLASS_NAMES = re.compile(r"\b(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning)\b(?:::\w+)?:?\s*")


def _short_error(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    text = _CLASS_NAMES.sub("", lines[0] if lines else "").strip(" :()")
    return f"{DAMAGED}: {text[:120]}" if text else DAMAGED


# What the value reader opens by the file's extension; any other name (or a workbook under the wrong one) is
# given to it as bytes, and it tells the format from the content.
_READER_SUFFIXES = {"xls": (".xls", ".xla"), "xlsx": (".xlsx", ".xlsm", ".xlam"), "xlsm": (".xlsx", ".xlsm", ".xlam"),
                    "xlsb": (".xlsb",), "ods": (".ods",), "fods": (".ods",)}


def _open_workbook(path: Path, kind: str) -> Any:
    if path.suffix.lower() in _READER_SUFFIXES.get(kind, ()):
        return calamine.CalamineWorkbook.from_path(str(path))
    with path.open("rb") as handle:
        return calamine.CalamineWorkbook.from_filelike(handle)


def _read_tables(path: Path, package: Package, config: Config, result: FileRead, *, original: Path) -> Iterator[Problem]:
    workbook = _open_workbook(path, package.kind)
    try:
        matcher = matcher_for(config.headers)
        limits = config.settings.limits
        cleaner = _Cleaner(limits.max_cell_chars)
        hidden_plans: list[str] = []
        budget = MAX_WORKBOOK_CELLS
        too_large = False
        broken: list[tuple[str, str]] = []
        for meta in workbook.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            # Bound the grid before the reader builds it: one far-away value would ask for gigabytes.
            marks = sheet_marks(original, package, meta.name)
            if marks.cells > min(MAX_SHEET_CELLS, budget):
                rows, cols = marks.extent
                yield Problem("sheet-too-large", file=result.name, sheet=meta.name,
                              detail=f"A1:{a1(rows - 1, cols - 1)}, {marks.cells:,} нүд / cells")
                too_large = True
                continue
            budget -= marks.cells
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                grid = sheet.to_python(skip_empty_area=False, nrows=limits.max_rows + 40)
                merged = sheet.merged_cell_ranges or []
            except calamine.PasswordError:
                raise
            except Exception as exc:  # one damaged sheet: the others may hold the plan (Excel opens the rest too)
                broken.append((meta.name, _short_error(exc)))
                continue
            before = set(cleaner.converted)
            layout = find_layout(grid, merged, matcher, cleaner, sheet_name=meta.name)
            if layout is None:
                continue
            if meta.visible != calamine.SheetVisibleEnum.Visible:
                hidden_plans.append(meta.name)
                continue
            table = SheetTable(sheet=meta.name, layout=layout, meta=read_meta(grid, layout.header_rows[0], matcher, cleaner))
            table.measures = read_rows(grid, merged, layout, config.headers, cleaner, marks.percent_cells, limits.max_rows)
            if len(grid) > layout.first_data_row + limits.max_rows:
                yield Problem("rows-truncated", file=result.name, sheet=meta.name, detail=f"> {limits.max_rows}")
            yield from _formula_problems(result.name, meta.name, layout.columns, layout.first_data_row, marks.formulas_without_value)
            yield from _legacy_problems(result.name, meta.name, grid, layout, cleaner, before)
            result.tables.append(table)
        for hidden in hidden_plans:
            yield Problem("sheet-hidden-skipped", file=result.name, sheet=hidden)
        for text in sorted(cleaner.truncated):
            yield Problem("text-truncated", file=result.name, value=text, detail=str(limits.max_cell_chars))
    finally:
        workbook.close()
    if not result.tables and broken and not too_large:
        raise _Unreadable(broken[0][1])
    for sheet_name, detail in broken:
        yield Problem("sheet-unreadable", file=result.name, sheet=sheet_name, detail=detail)
    if not result.tables and too_large:
        return
    if not result.tables:
        expected = config.headers.labels.get("measure", "measure")
        yield Problem(
            "header-missing",
            file=result.name,
            detail=f"эхний 30 мөрөнд \"{expected}\" баганатай хүснэгт алга / no sheet has a \"{expected}\" column in its first 30 rows",
        )
        return
    if len(result.tables) > 1:
        yield Problem("several-plan-sheets", file=result.name, detail=str(len(result.tables)))
    for table in result.tables:
        for name in ("target", "actual"):
            if name not in table.layout.columns:
                yield Problem("column-missing", file=result.name, sheet=table.sheet, detail=config.headers.labels.get(name, name))
        for key, value in table.meta.items():
            result.meta.setdefault(key, value)
    empty = [table for table in result.tables if not table.measures]
    if len(empty) < len(result.tables):
        for table in empty:
            yield Problem("table-empty", file=result.name, sheet=table.sheet,
                          cell=a1(table.layout.header_rows[-1], table.layout.columns["measure"]))
        return
    # A template with its header but no measure is not a report: the department must not count as
    # reported (on time, or at all), and its receipt must not say "accepted". The meta cells stay, so
    # the file is still recorded under its department and period and listed with this error.
    first = result.tables[0]
    yield Problem("template-empty", file=result.name, sheet=first.sheet,
                  cell=a1(first.layout.header_rows[-1], first.layout.columns["measure"]))
    result.tables.clear()


def _formula_problems(
    file: str, sheet: str, columns: dict[str, int], first_row: int, cells: tuple[tuple[int, int], ...]
) -> Iterator[Problem]:
    used = set(columns.values())
    for row, col in cells:
        if row >= first_row and col in used:
            yield Problem("formula-no-value", file=file, sheet=sheet, cell=a1(row, col), row=row + 1)


def _legacy_problems(
    file: str, sheet: str, grid: list[list[Any]], layout: Any, cleaner: _Cleaner, before: set[str]
) -> Iterator[Problem]:
    """One warning per converted cell of this sheet, so the official can retype it properly."""
    fresh = {k: v for k, v in cleaner.converted.items() if k not in before}
    if not fresh:
        return
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, str) and value in fresh:
                yield Problem(
                    "legacy-text-converted", file=file, sheet=sheet, cell=a1(r, c), row=r + 1, value=value, detail=fresh[value]
                )
