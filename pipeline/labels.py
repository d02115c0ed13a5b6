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
