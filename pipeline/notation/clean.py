"""Cleaning a cell's text before any reading: Unicode form, invisible characters, spaces, legacy fonts.

Older files were typed in 8-bit Mongolian fonts: the bytes are Windows-1251 with Ukrainian letters
standing for Mongolian ones, and Excel shows them to us as Latin-1 text (`Õóãàöàà` = `Хугацаа`).
Such a cell is recognised on its own (never a whole file at once) and converted; real Cyrillic and
real Latin text (`café`, `Zürich`, `e-mongolia.mn`) are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Latin-1 characters that are letters once their byte is read as Windows-1251 and the font's
# Ukrainian letters are put back to Mongolian (0xAA Є->Ө, 0xBA є->ө, 0xAF Ї->Ү, 0xBF ї->ү).
_UKRAINIAN_TO_MONGOLIAN = {"Є": "Ө", "є": "ө", "Ї": "Ү", "ї": "ү"}
_LETTER_BYTES = [*range(0xC0, 0x100), 0xA8, 0xB8, 0xAA, 0xBA, 0xAF, 0xBF]
# Punctuation a legacy cell may carry as C1 controls (read as Latin-1) or as the Windows-1252 view.
_PUNCT_BYTES = [0x84, 0x85, 0x8B, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x9B, 0xB9]


def _legacy_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for byte in [*_LETTER_BYTES, *_PUNCT_BYTES]:
        target = bytes([byte]).decode("cp1251")
        target = _UKRAINIAN_TO_MONGOLIAN.get(target, target)
        table[byte] = target
    return table


_LEGACY = _legacy_table()
_HIGH_LETTERS = frozenset(chr(b) for b in _LETTER_BYTES)
_HIGH_CLASS = "".join(re.escape(chr(b)) for b in sorted(_LETTER_BYTES))
_HIGH_SEARCH = re.compile(f"[{_HIGH_CLASS}]")
_WORD_RUN = re.compile(f"[A-Za-z{_HIGH_CLASS}]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_VOWELS = frozenset("аэиоуөүыеёюя")
# Latin words a legacy-font cell may hold besides its Cyrillic: Roman numerals ("I-IV улирал").
_ROMAN_WORD = re.compile("[IVXivx]+")
_CONSONANT_RUN = re.compile("[бвгджзклмнпрстфхцчшщ]{5,}")

# Zero-width characters, the soft hyphen and control characters other than whitespace.
_DROP = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")


# A cell of only these characters is a placeholder for "nothing" ("-", "..", "/"): read as empty.
_PLACEHOLDER = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212~_.,…/\\|*·•'\"`()[]{} ")


def is_placeholder(text: str) -> bool:
    """Whether a cleaned cell holds only a placeholder for nothing ("", "-", "..", "/"); "✓" or "?" is not one."""
    return all(ch in _PLACEHOLDER for ch in text)


@dataclass(frozen=True, slots=True)
class CleanText:
    text: str
    legacy_converted: bool


def _plausible_mongolian(word: str) -> bool:
    lower = word.lower()
    if len(word) < 2:
        return True
    if re.search(r"(.)\1\1", lower):
        return False
    if word.isupper() and len(word) <= 6:
        return True  # an abbreviation: ХБ, ЗДТГ, ТАЗ
    if not any(ch in _VOWELS for ch in lower):
        return False
    if lower[0] in "ьъы":
        return False
    return not _CONSONANT_RUN.search(lower)


def looks_legacy(text: str) -> bool:
    """Whether a cell reads as Mongolian typed in a legacy 8-bit font (judged on this cell alone)."""
    if _CYRILLIC.search(text) or not _HIGH_SEARCH.search(text):
        return False
    high_words = ascii_words = high_letters = 0
    converted: list[str] = []
    for run in _WORD_RUN.findall(text):
        high = sum(ch in _HIGH_LETTERS for ch in run)
        if high and high != len(run):
            return False  # "café", "Zürich": accented letters inside a Latin word
        if high:
            high_words += 1
            high_letters += high
            converted.append(run.translate(_LEGACY))
        elif not _ROMAN_WORD.fullmatch(run):
            ascii_words += 1
    if high_letters < 2 or high_words < ascii_words or not any(len(w) >= 2 for w in converted):
        return False
    longer = [w for w in converted if len(w) >= 2]
    plausible = sum(_plausible_mongolian(w) for w in longer)
    return plausible >= 0.8 * len(longer)


def clean_text(value: str) -> CleanText:
    """NFC, legacy-font conversion, invisible characters removed, whitespace collapsed and stripped."""
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    converted = False
    if not text.isascii() and looks_legacy(text):
        text = text.translate(_LEGACY)
        converted = True
    if text.isprintable():
        # No control, invisible or non-ASCII space characters (all are "not printable"): the common case,
        # which needs only double spaces folded.
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return CleanText(text.replace("\u2011", "-").strip(), converted)
    text = _DROP.sub("", text)
    text = text.replace("\u2011", "-")
    text = _SPACES.sub(" ", text).strip()
    return CleanText(text, converted)
