"""The names of a period's outputs, by language.

Mongolian outputs (the default) keep their plain names; English ones (`--lang en`) get `.en` before the
extension (`summary_2026-10.en.xlsx`), so an English run never writes over the files leadership reads.
`measures.csv` holds codes, not words: it is byte-identical in both languages and shared.
"""

from __future__ import annotations

from pipeline.problems import Lang

LANGS: tuple[Lang, ...] = ("mn", "en")


def localized(name: str, lang: Lang) -> str:
    """"summary_2026-10.xlsx" -> "summary_2026-10.en.xlsx" in English; unchanged in Mongolian."""
    if lang != "en":
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.en.{ext}" if dot else f"{name}.en"


def consolidated_name(period: str, lang: Lang = "mn") -> str:
    return localized(f"negtgel_{period}.xlsx", lang)


def summary_name(period: str, lang: Lang = "mn") -> str:
    return localized(f"summary_{period}.xlsx", lang)


def problems_name(lang: Lang = "mn") -> str:
    return localized("problems.csv", lang)


MEASURES_CSV = "measures.csv"  # the same bytes in either language
