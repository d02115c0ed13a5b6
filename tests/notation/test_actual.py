"""Achieved-value readings: numbers, percents, status words and narratives, with their flags."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.notation import NotationVocab, parse_actual

N = ("actual-from-narrative",)
A = ("actual-ambiguous",)
INT = ("actual-interpreted",)
U = ("actual-unread",)  # text with no value and no status

# (value, kwargs, expected value, is_percent, status, flags)
CASES: list[tuple[object, dict[str, bool], float | None, bool, str | None, tuple[str, ...]]] = [
    # Numbers and percents.
    (85, {}, 85, False, None, ()),
    (85.5, {}, 85.5, False, None, ()),
    (0.85, {"percent_format": True}, 85, True, None, ()),
    (1, {"percent_format": True}, 100, True, None, ()),
    (85, {"percent_header": True}, 85, True, None, ()),
    (0.85, {"percent_header": True}, 85, True, None, INT),
    (1, {"percent_header": True}, 100, True, None, INT),
    (0, {"percent_header": True}, 0, True, None, ()),
    (0, {}, 0, False, None, ()),
    ("85%", {}, 85, True, None, ()),
    ("85 %", {}, 85, True, None, ()),
    ("85 хувь", {}, 85, True, None, ()),
    ("85,5%", {}, 85.5, True, None, ()),
    ("85.5%", {}, 85.5, True, None, ()),
    ("Хэрэгжилт - 85%", {}, 85, True, None, ()),
    ("100 хувь", {}, 100, True, None, ()),
    ("12", {}, 12, False, None, ()),
    (" 12 ", {}, 12, False, None, ()),
    ("12", {"percent_header": True}, 12, True, None, ()),
    ("0.85", {"percent_header": True}, 85, True, None, INT),
    ("1,500", {}, 1500, False, None, ()),
    ("3 удаа", {}, 3, False, None, ()),
    ("Гурван удаа", {}, 3, False, None, ()),
    ("Дөрөв", {}, 4, False, None, ()),
    ("Арван хоёр", {}, 12, False, None, ()),
    ("160 өрх", {}, 160, False, None, ()),
    # Status words.
    ("Бүрэн хэрэгжсэн", {}, None, False, "done", ()),
    ("Хэрэгжсэн", {}, None, False, "done", ()),
    ("ХЭРЭГЖСЭН", {}, None, False, "done", ()),
    ("  бүрэн   хэрэгжсэн. ", {}, None, False, "done", ()),
    ("Тийм", {}, None, False, "done", ()),
    ("Биелсэн", {}, None, False, "done", ()),
    ("Хэрэгжих шатандаа", {}, None, False, "in_progress", ()),
    ("Хэрэгжиж байна", {}, None, False, "in_progress", ()),
    ("Хэрэгжилт хангалттай", {}, None, False, "in_progress", ()),
    ("Хэрэгжилт хангалтгүй", {}, None, False, "insufficient", ()),
    ("Хангалтгүй", {}, None, False, "insufficient", ()),
    ("Хэрэгжээгүй", {}, None, False, "not_done", ()),
    ("Хэрэгжээгүй.", {}, None, False, "not_done", ()),
    ("Үгүй", {}, None, False, "not_done", ()),
    ("Хийгдээгүй", {}, None, False, "not_done", ()),
    ("Биелээгүй", {}, None, False, "not_done", ()),
    ("Хугацаа болоогүй", {}, None, False, "not_due", ()),
    ("ХБ", {}, None, False, "not_due", ()),
    ("Х/Б", {}, None, False, "not_due", ()),
    ("Үнэлээгүй", {}, None, False, "not_evaluated", ()),
    ("Хэрэгжсэн. Сургалтыг 3 удаа зохион байгуулсан", {}, None, False, "done", ()),
    # A status and a count with nothing else: both kept, flagged (a "done" under the target contradicts itself).
    ("Хэрэгжсэн, 3 удаа", {}, 3, False, "done", INT),
    ("Хийгдсэн, 2 удаа", {}, 2, False, "done", INT),
    ("Хэрэгжсэн 3 удаа", {}, 3, False, "done", INT),
    ("Хэрэгжсэн 100%", {}, None, False, "done", ()),
    ("Хэрэгжээгүй: санхүүжилт олгогдоогүй", {}, None, False, "not_done", ()),
    ("Õýðýãæñýí", {}, None, False, "done", ()),  # legacy font
    (True, {}, None, False, "done", ()),
    (False, {}, None, False, "not_done", ()),
    ("Хийгдэж байгаа", {}, None, False, "in_progress", ()),
    ("Хэрэгжсэн /100%/", {}, None, False, "done", ()),
    ("Хэрэгжих шатандаа 70%", {}, None, False, "in_progress", ()),
    ("Хангалтгүй /30%/", {}, None, False, "insufficient", ()),
    ("ХБ.", {}, None, False, "not_due", ()),
    ("Үгүй, хийгдээгүй", {}, None, False, "not_done", ()),
    # More status words, and trailing words that leave the status unchanged.
    ("Хэрэгжээгүй байна", {}, None, False, "not_done", ()),
    ("Хэрэгжээгүй байгаа", {}, None, False, "not_done", ()),
    ("Хэрэгжсэн байна.", {}, None, False, "done", ()),
    ("Хэрэгжсэнгүй", {}, None, False, "not_done", ()),
    ("Биелсэнгүй", {}, None, False, "not_done", ()),
    ("Хийгдсэнгүй", {}, None, False, "not_done", ()),
    ("Хэрэгжүүлэх шатандаа", {}, None, False, "in_progress", ()),
    ("Хэрэгжиж эхэлсэн", {}, None, False, "in_progress", ()),
    ("Хэрэгжүүлж эхэлсэн", {}, None, False, "in_progress", ()),
    ("Биелэлт хангалтгүй", {}, None, False, "insufficient", ()),
    ("х.б", {}, None, False, "not_due", ()),
    ("Х.Б.", {}, None, False, "not_due", ()),
    ("х/б", {}, None, False, "not_due", ()),
    ("Yes", {}, None, False, "done", ()),
    ("OK", {}, None, False, "done", ()),
    ("Хэрэгжсэн байна гэж үзэхгүй", {}, None, False, None, U),
    # Marks: read as a status only as the whole cell, and flagged.
    ("✓", {}, None, False, "done", INT),
    ("+", {}, None, False, "done", INT),
    ("No", {}, None, False, "not_done", INT),
    ("No 5", {}, 5, False, None, N),  # "number 5", not "no"
    ("+5", {}, 5, False, None, ()),
    # A short remark ending in a status word: that status, flagged; "partly" makes a done word insufficient.
    ("Хагас хэрэгжсэн", {}, None, False, "insufficient", INT),
    ("Хэсэгчлэн хэрэгжсэн", {}, None, False, "insufficient", INT),
    ("Хэсэгчлэн биелсэн", {}, None, False, "insufficient", INT),
    ("Бүрэн хэрэгжээгүй", {}, None, False, "insufficient", INT),
    ("Хугацаандаа хийгдсэн", {}, None, False, "done", ()),  # the one status word ends the remark: plain
    ("Тайлант хугацаанд хийгдээгүй", {}, None, False, "not_done", ()),
    ("Төсөвгүйн улмаас хэрэгжээгүй байна.", {}, None, False, "not_done", ()),
    ("Хийгдсэн боловч хэрэгжээгүй", {}, None, False, "not_done", INT),  # a negative at the end wins
    ("Төлөвлөгөө хэрэгжээгүй тул хийгдсэн", {}, None, False, None, U),  # positive end after a negative: not read
    ("Хугацаа болоогүй тул хэрэгжээгүй", {}, None, False, None, U),  # not due mixed with another status
    ("Бүрэн", {}, None, False, "done", ()),
    # Text with no status word and no number: flagged, never silently empty.
    ("Хэрэгжих боломжгүй", {}, None, False, None, U),
    ("N/A", {}, None, False, None, U),
    ("?", {}, None, False, None, U),
    ("..", {}, None, False, None, ()),
    # A typed "85" in a %-formatted cell: 85 %, flagged (8500 % is not plausible).
    (85, {"percent_format": True}, 85, True, None, INT),
    (100, {"percent_format": True}, 100, True, None, INT),
    (1.2, {"percent_format": True}, 120, True, None, ()),
    # Number words that do not build one number.
    ("хоёр гурван удаа", {}, None, False, None, A),
    ("85%-тай", {}, 85, True, None, ()),
    ("Сургалт 2 удаа", {}, 2, False, None, ()),
    ("10 000 төгрөг", {}, 10000, False, None, ()),
    # Narratives.
    ("3-р сарын 15-нд 1 удаа зохион байгуулсан", {}, 1, False, None, N),
    ("Гурван удаа зохион байгуулсан", {}, 3, False, None, N),  # a verb after a count: what it counts is to be checked
    ("Нийт 4 удаагийн сургалтад 120 албан хаагч хамрагдсан", {}, None, False, None, A),
    ("3 сургалт 2 удаа", {}, None, False, None, A),
    ("3/4", {}, None, False, None, A),
    ("№5 тогтоол гарсан", {}, None, False, None, U),  # text, no value: flagged, never silently empty
    ("3 удаа сургалт зохион байгуулсан", {}, 3, False, None, N),
    ("Сургалтыг 3 удаа зохион байгуулж, мэдээлэл хүргэсэн", {}, 3, False, None, N),
    ("2026 оны 3 сард 2 удаа", {}, 2, False, None, N),
    ("2026 оны 3 сард 2 удаа сургалт, 150 хүн хамрагдсан", {}, None, False, None, A),
    ("Нийт 45 иргэнд үйлчилсэн", {}, 45, False, None, N),
    ("Шийдвэрлэлт 92 хувьд хүрсэн", {}, 92, True, None, ()),
    ("Шийдвэрлэлт 92 хувьд хүрч, 3 өргөдөл хугацаа хэтэрсэн", {}, None, False, None, A),
    ("Өргөдлийн 92 хувийг шийдвэрлэсэн", {}, 92, True, None, ()),
    ("1-р улиралд 2, 2-р улиралд 3 удаа", {}, None, False, None, A),
    ("Хэрэгжсэн гэж үзэхгүй", {}, None, False, None, U),
    ("Ер нь сайн", {}, None, False, None, U),
    ("2026 оны 05 сарын 01-нд хийсэн", {}, None, False, "done", ()),  # a date, then the one status word
    # "~" before a number is "about"; a letter O typed for zero: both read and flagged.
    ("~80%", {}, 80, True, None, INT),
    ("8О%", {}, 80, True, None, INT),
    ("Хэрэгжилт - 1ОО%", {}, 100, True, None, INT),
    ("1.500", {}, None, False, None, A),
    ("80-90%", {}, None, False, None, A),
    # Empty.
    (None, {}, None, False, None, ()),
    ("", {}, None, False, None, ()),
    ("-", {}, None, False, None, ()),
    (float("nan"), {}, None, False, None, ()),
    (float("inf"), {}, None, False, None, U),
    (dt.date(2026, 3, 1), {}, None, False, None, U),
    (-5, {}, None, False, None, U),
]


@pytest.mark.parametrize(("value", "kwargs", "expected", "is_percent", "status", "flags"), CASES,
                         ids=[f"{c[0]!r}-{'-'.join(c[1])}" for c in CASES])  # fmt: skip
def test_actual(vocab: NotationVocab, value: object, kwargs: dict[str, bool], expected: float | None, is_percent: bool,
                status: str | None, flags: tuple[str, ...]) -> None:  # fmt: skip
    r = parse_actual(value, vocab, **kwargs)
    assert (r.value, r.is_percent, r.status, r.flags) == (expected, is_percent, status, flags), r.note
    assert r.rule and r.note and r.note_mn


def test_negative_forms_never_read_positive(vocab: NotationVocab) -> None:
    for text in ("Хэрэгжээгүй", "Хийгдээгүй", "Биелээгүй", "Хэрэгжүүлээгүй", "Хэрэгжилт хангалтгүй"):
        assert parse_actual(text, vocab).status not in ("done", "in_progress"), text


def test_narrative_note_names_the_number(vocab: NotationVocab) -> None:
    r = parse_actual("3 удаа сургалт зохион байгуулсан", vocab)
    assert "`3`" in r.note_mn and "→ 3" in r.note_mn
