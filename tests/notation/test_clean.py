"""Cleaning: Unicode form, invisible characters, spaces, and legacy-font text detected per cell."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.notation import NotationVocab, clean_text, looks_legacy, parse_actual, parse_target, parse_timeframe

_UKRAINIAN = str.maketrans({"Ө": "Є", "ө": "є", "Ү": "Ї", "ү": "ї"})


def mojibake(text: str) -> str:
    """What a legacy 8-bit Mongolian font cell looks like when read: cp1251 bytes shown as Latin-1."""
    return text.translate(_UKRAINIAN).encode("cp1251").decode("latin-1")


def test_mojibake_helper_matches_domain_example() -> None:
    assert mojibake("Хугацаа Нэг жил") == "Õóãàöàà Íýã æèë"
    assert mojibake("Өө Үү") == "ªº ¯¿"


LEGACY = [
    "Хугацаа Нэг жил",
    "Хөдөлмөрийн дотоод журам шинэчлэгдсэн байна.",
    "Гурваас доошгүй удаа",
    "Хэрэгжилт - 80%",
    "I-IV улирал",
    "Үнэлээгүй",
    "Өрх",
    "ХБ",
    "ЗДТГ",
    "Тийм",
    "Үгүй",
    "Ёс зүйн зөвлөл",
    "Хүний нөөц, сургалт, сурталчилгаа, төлөвлөгөө, тайлан хариуцсан мэргэжилтэн",
    "Excel файл",
]


@pytest.mark.parametrize("text", LEGACY)
def test_legacy_text_is_converted(text: str) -> None:
    result = clean_text(mojibake(text))
    assert (result.text, result.legacy_converted) == (text, True)


NOT_LEGACY = [
    "Excel file",
    "café",
    "Zürich",
    "naïve",
    "e-mongolia.mn",
    "À la carte",
    "Ärger über Öl",
    "São Paulo",
    "façade",
    "Ça va",
    "¿Qué?",
    "2×3×4",
    "éé",
    "ÓÓÓ",
    "Ö",
    "25 °C, ±5",
    "Хугацаа Нэг жил",
    "I-IV улирал",
    "Хүрэх түвшин, 2026 он",
    "Õóãàöàà Нэг жил",  # real Cyrillic in the cell: never converted
]


@pytest.mark.parametrize("text", NOT_LEGACY)
def test_real_text_is_never_converted(text: str) -> None:
    result = clean_text(text)
    assert not result.legacy_converted
    assert result.text == unicodedata.normalize("NFC", text)
    assert not looks_legacy(text)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  I-IV\u00a0улирал ", "I-IV улирал"),
        ("Хүрэх\u200bтүвшин", "Хүрэхтүвшин"),
        ("Хэрэгжилт\u202f-\u202f80%", "Хэрэгжилт - 80%"),
        ("\ufeffЖилийн турш", "Жилийн турш"),
        ("ХЭРЭГЖҮҮЛЭХ\nАРГА  ХЭМЖЭЭ", "ХЭРЭГЖҮҮЛЭХ АРГА ХЭМЖЭЭ"),
        ("a\tb\r\nc", "a b c"),
        ("1\u20111V", "1-1V"),
        ("x\u00ady", "xy"),
        ("e\u0301", "é"),
        ("\x00\x07ok\x7f", "ok"),
        ("", ""),
    ],
)
def test_cleaning(raw: str, clean: str) -> None:
    assert clean_text(raw).text == clean


def test_legacy_cells_read_through_every_reader(vocab: NotationVocab) -> None:
    assert parse_timeframe(mojibake("I-IV улирал"), vocab).quarters == (1, 2, 3, 4)
    assert parse_timeframe(mojibake("Хугацаа болоогүй"), vocab).status == "not_due"
    target = parse_target(mojibake("Гурваас доошгүй удаа"), vocab)
    assert (target.kind, target.op, target.value, target.unit) == ("count", ">=", 3, "удаа")
    assert parse_actual(mojibake("Хэрэгжилт хангалтгүй"), vocab).status == "insufficient"
