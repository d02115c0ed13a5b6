"""What the user reads in the output workbooks: column titles and status names, Mongolian first.

The words are in the catalogue (pipeline/words/labels.yaml); these tables are its sections by key."""

from __future__ import annotations

from pipeline.problems import Lang
from pipeline.words import catalogue


def _pairs(section: str) -> dict[str, tuple[str, str]]:
    """A section of pipeline/words/labels.yaml as (Mongolian, English) by key, in the file's order."""
    prefix = f"labels.{section}."
    return {key.removeprefix(prefix): (w.mn, w.en) for key, w in catalogue().items() if key.startswith(prefix)}


STATUS_LABELS: dict[str, tuple[str, str]] = _pairs("status")

BASIS_LABELS: dict[str, tuple[str, str]] = {**_pairs("basis"), "": ("", "")}

COLUMN_LABELS: dict[str, tuple[str, str]] = _pairs("column")


def label(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]

# The short names of the problems that mark a measure (the "flags" column of the workbooks; measures.csv
# keeps the codes).
FLAG_LABELS: dict[str, tuple[str, str]] = _pairs("flag")

ORIGIN_LABELS: dict[str, tuple[str, str]] = _pairs("origin")

# The column heads (catalogue keys) over cells that show text as it was typed in a template or in the mappings:
# names, measures, readings as typed, file and sheet names. In an English output those cells stay in the
# template's language; everything else is English. tests/test_words.py reads the English outputs past these
# columns, and past text quoted «so», "so" or `so` (how a message quotes a cell).
QUOTING_KEYS = frozenset({
    *(f"labels.column.{key}" for key in (
        "department", "source_file", "sheet", "goal", "measure", "indicator", "baseline", "target_text", "timeframe_text",
        "responsible", "progress", "actual_text", "self_text", "note", "review_level", "review_comment", "measure_key")),
    "consolidated.file", "consolidated.sheet", "consolidated.department", "consolidated.measure", "consolidated.approved",
    "consolidated.report", "consolidated.sender", "consolidated.archived", "consolidated.path_hierarchy",
    "summary.department", "summary.department_2", "summary.short", "summary.not_reported_2", "summary.responsible_official",
    "summary.reported_late", "summary.measure", "summary.target", "summary.achieved", "summary.progress_2", "summary.note",
    "summary.timeframe", "summary.goal", "summary.file",
    "hierarchy.unit", "hierarchy.parent", "hierarchy.units_missing", "hierarchy.path",
})
