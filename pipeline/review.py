"""The specialist's review: any measure's level can be overruled in the consolidated workbook itself.

The main sheet of `negtgel_YYYY-MM.xlsx` lists every measure with its level, and two yellow columns,
"Хянагчийн түвшин" and "Хянагчийн тайлбар". The specialist types a level (or ХБ / Үнэлээгүй) and a comment
and saves; the next run sees the workbook changed since it was written (its hash differs from the
manifest's), reads the overrides back, keeps them in the store, applies them (basis `evaluator`), and
writes the workbook again with them filled in. An override whose measure cannot be found after a
resubmission is kept on the "Тохироогүй" sheet, never dropped.

This module is the pure part: it works on the records `review_workbook.read_review` read at the edge and on
the store's rows the repository gathered; the repository keeps the result (`Repository.commit`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pipeline.config import Methodology
from pipeline.model import OverrideRow, Overrides, ReviewRead, StoredOverride
from pipeline.problems import Problem
from pipeline.score import parse_override

UNMATCHED_SHEETS = ("Тохироогүй", "Unmatched overrides")
# The review columns, by the titles the consolidated workbook gives them in either language.
KEY_TITLES = ("Түлхүүр (бүү өөрчил)", "Key (do not edit)")
OVERRIDE_TITLES = ("Хянагчийн түвшин", "Reviewer's level")
COMMENT_TITLES = ("Хянагчийн тайлбар", "Reviewer's comment")


def merge_overrides(stored: list[OverrideRow], review: ReviewRead | None, name: str, lang: str = "mn") -> Overrides:
    """The overrides in force: those read from the review workbook when the specialist edited it since the
    last run wrote it (`review`, read at the edge), else the store's (`stored`). A value that is not a level
    of the methodology is kept as typed (it stays in its cell and `invalid_problems` reports it on every run
    until it is fixed); it is never applied. A workbook that could not be read is listed and the store's
    overrides stay in force."""
    result = Overrides(source=name, source_lang=lang)
    if review is not None and review.problem is not None:
        result.problems.append(review.problem)
    if review is not None and review.records is not None:
        for record in review.records:
            level = record["override"]
            if not level:
                continue
            result.rows[record["measure_key"]] = StoredOverride(
                record["department"], record["measure_key"], record["measure_no"], record["measure"], level, record["comment"]
            )
        result.read = len(result.rows)
        return result
    for dept, key, no, measure, level, comment in stored:
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


def refused_edits(review: ReviewRead, in_force: Overrides, period: str) -> list[Problem]:
    """A closed period's review columns are not read: every cell that differs from the overrides in force
    (a level or comment typed, changed or cleared since closing) is a `review-period-closed` error."""
    if review.records is None:
        return [review.problem] if review.problem is not None else []
    problems = []
    for record in review.records:
        kept = in_force.rows.get(record["measure_key"])
        level, comment = (kept.level, kept.comment or "") if kept else ("", "")
        if record["override"] != level.strip():
            cell, typed = record["_cell"], record["override"]
        elif record["override"] and (record["comment"] or "") != comment.strip():
            cell, typed = record["_comment_cell"], record["comment"]
        else:
            continue
        problems.append(Problem("review-period-closed", file=review.name, sheet=record["_sheet"], cell=cell,
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
