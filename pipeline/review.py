"""The specialist's review: any measure's level can be overruled in the consolidated workbook itself.

The main sheet of `negtgel_YYYY-MM.xlsx` lists every measure with its level, and two yellow columns,
"Хянагчийн түвшин" and "Хянагчийн тайлбар". The specialist types a level (or ХБ / Үнэлээгүй) and a comment
and saves; the next run sees the workbook changed since it was written (its hash differs from the
manifest's), reads the overrides back, keeps them in the store, applies them (basis `evaluator`), and
writes the workbook again with them filled in. An override whose measure cannot be found after a
resubmission is kept on the "Тохироогүй" sheet, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import python_calamine as calamine

from pipeline.config import Config, Methodology, header_key
from pipeline.model import Overrides, StoredOverride
from pipeline.problems import Problem
from pipeline.read.table import cell_text
from pipeline.read.workbook import column_letters
from pipeline.score import parse_override
from pipeline.store import Store

UNMATCHED_SHEETS = ("Тохироогүй", "Unmatched overrides")
# The review columns, by the titles the consolidated workbook gives them in either language.
KEY_TITLES = ("Түлхүүр (бүү өөрчил)", "Key (do not edit)")
OVERRIDE_TITLES = ("Хянагчийн түвшин", "Reviewer's level")
COMMENT_TITLES = ("Хянагчийн тайлбар", "Reviewer's comment")


def _column(titles: dict[str, int], names: tuple[str, ...] | list[str]) -> int | None:
    return next((titles[header_key(name)] for name in names if header_key(name) in titles), None)


def _read_review_columns(path: Path) -> list[dict[str, str]]:
    """Rows of the consolidated workbook's sheets that carry a measure key, with the review columns."""
    from pipeline.labels import COLUMN_LABELS

    workbook = calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows: list[dict[str, str]] = []
        for sheet_name in workbook.sheet_names:
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False, nrows=1)
            titles = {header_key(cell_text(t)): i for i, t in enumerate(grid[0])} if grid else {}
            key_col = _column(titles, KEY_TITLES)
            override_col = _column(titles, OVERRIDE_TITLES)
            if key_col is None or override_col is None:
                continue
            index = {
                "measure_key": key_col,
                "override": override_col,
                "comment": _column(titles, COMMENT_TITLES),
                "department": _column(titles, COLUMN_LABELS["department"]),
                "measure_no": _column(titles, COLUMN_LABELS["measure_no"]),
                "measure": _column(titles, COLUMN_LABELS["measure"]),
            }
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            for r, raw in enumerate(grid[1:], start=2):
                record = {name: cell_text(raw[i]).strip() if i is not None and i < len(raw) else "" for name, i in index.items()}
                if record["measure_key"]:
                    record["_sheet"] = sheet_name
                    record["_cell"] = f"{column_letters(override_col)}{r}"
                    comment_col = index["comment"]
                    record["_comment_cell"] = f"{column_letters(comment_col)}{r}" if comment_col is not None else record["_cell"]
                    rows.append(record)
        return rows
    finally:
        workbook.close()


def load_overrides(store: Store, config: Config, period: str, workbook: Path, edited: bool, lang: str = "mn") -> Overrides:
    """The overrides in force: read from the review workbook when the specialist has edited it since the
    last run wrote it (`edited`), else the store's. A value that is not a level of the methodology is kept
    as typed (it stays in its cell and `invalid_problems` reports it on every run until it is fixed); it is
    never applied."""
    result = Overrides(source=workbook.name, source_lang=lang)
    if edited and workbook.exists():
        try:
            records = _read_review_columns(workbook)
        except (calamine.CalamineError, OSError, ValueError) as exc:
            result.problems.append(Problem("file-unreadable", file=workbook.name, detail=str(exc)[:120]))
            records = None
        if records is not None:
            for record in records:
                level = record["override"]
                if not level:
                    continue
                result.rows[record["measure_key"]] = StoredOverride(
                    record["department"], record["measure_key"], record["measure_no"], record["measure"], level, record["comment"]
                )
            result.read = len(result.rows)
            save_overrides(store, result, period)
            return result
    for dept, key, no, measure, level, comment in store.overrides(period):
        result.rows[key] = StoredOverride(dept, key, no, measure, level, comment)
    return result


def invalid_problems(overrides: Overrides, measure_keys: list[str], unmatched: list[StoredOverride], method: Methodology,
                     cell_of: Callable[[int, bool], tuple[str, str]]) -> list[Problem]:
    """A `review-level-invalid` error for every kept value that is not a level, at the cell the workbook shows
    it in: `cell_of(position, on_unmatched_sheet)` gives (sheet, cell) of the position-th row."""
    problems = []
    allowed = ", ".join(f"{lv.value:g}" for lv in method.levels)
    position = {key: i for i, key in enumerate(measure_keys)}
    unmatched_position = {o.measure_key: i for i, o in enumerate(unmatched)}
    for key, row in overrides.rows.items():
        if parse_override(row.level, method) is not None:
            continue
        if key in position:
            sheet, cell = cell_of(position[key], False)
        elif key in unmatched_position:
            sheet, cell = cell_of(unmatched_position[key], True)
        else:
            sheet, cell = "", ""
        problems.append(Problem("review-level-invalid", file=overrides.source, sheet=sheet, cell=cell, value=row.level, detail=allowed))
    return problems


def refused_edits(workbook: Path, in_force: Overrides, period: str) -> list[Problem]:
    """A closed period's review columns are not read: every cell that differs from the overrides in force
    (a level or comment typed, changed or cleared since closing) is a `review-period-closed` error."""
    try:
        records = _read_review_columns(workbook)
    except (calamine.CalamineError, OSError, ValueError) as exc:
        return [Problem("file-unreadable", file=workbook.name, detail=str(exc)[:120])]
    problems = []
    for record in records:
        kept = in_force.rows.get(record["measure_key"])
        level, comment = (kept.level, kept.comment or "") if kept else ("", "")
        if record["override"] != level.strip():
            cell, typed = record["_cell"], record["override"]
        elif record["override"] and (record["comment"] or "") != comment.strip():
            cell, typed = record["_comment_cell"], record["comment"]
        else:
            continue
        problems.append(Problem("review-period-closed", file=workbook.name, sheet=record["_sheet"], cell=cell,
                                value=typed or "—", detail=period))
    return problems


def rekey(overrides: Overrides, measures: pd.DataFrame) -> list[StoredOverride]:
    """Follow overrides to their measure after a resubmission changed its number or wording.

    Same department and same text with another number, else same department and number with edited
    text (when only one measure has that number). Returns the overrides that match nothing.
    """
    if not overrides.rows:
        return []
    current = set(measures["measure_key"])
    by_text: dict[tuple[str, str], list[str]] = {}
    by_no: dict[tuple[str, str], list[str]] = {}
    for key, dept, no in zip(measures["measure_key"], measures["department"], measures["measure_no"], strict=True):
        by_text.setdefault((dept, key.rsplit("|", 1)[-1]), []).append(key)
        by_no.setdefault((dept, no), []).append(key)
    unmatched: list[StoredOverride] = []
    for key, row in list(overrides.rows.items()):
        if key in current:
            continue
        text_hash = key.rsplit("|", 1)[-1]
        candidates = by_text.get((row.department, text_hash)) or by_no.get((row.department, row.measure_no)) or []
        if len(candidates) == 1 and candidates[0] not in overrides.rows:
            del overrides.rows[key]
            overrides.rows[candidates[0]] = StoredOverride(
                row.department, candidates[0], row.measure_no, row.measure, row.level, row.comment
            )
        else:
            unmatched.append(row)
    return unmatched


def save_overrides(store: Store, overrides: Overrides, period: str) -> None:
    store.replace_overrides(
        period, [(o.department, o.measure_key, o.measure_no, o.measure, o.level, o.comment) for o in overrides.rows.values()]
    )
