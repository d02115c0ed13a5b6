"""Timeframe readings: every form of docs/methodology.md §3 and seed 003, with the exact quarters and confidence."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.notation import NotationVocab, canonical_timeframes, format_quarters, parse_timeframe

ALL = (1, 2, 3, 4)
E, IN, X = "exact", "interpreted", "invalid"

CASES: list[tuple[str, tuple[int, ...], str]] = [
    # Seed 003, column Хугацаа.
    ("I-IV улирал", ALL, E),
    ("I-II улирал", (1, 2), E),
    ("II-IV улирал", (2, 3, 4), E),
    ("III-IV улирал", (3, 4), E),
    ("I-V улирал", (), X),
    ("1-1V улирал", ALL, IN),
    # Roman quarters, single, ranges and lists.
    ("II улирал", (2,), E),
    ("IV улирал", (4,), E),
    ("I, III улирал", (1, 3), E),
    ("I,III улирал", (1, 3), E),
    ("I,II,III улирал", (1, 2, 3), E),
    ("I ба III улирал", (1, 3), E),
    ("II болон IV улирал", (2, 4), E),
    ("I-II, IV улирал", (1, 2, 4), E),
    ("I - IV улирал", ALL, E),
    ("I–IV улирал", ALL, E),
    ("I—IV улирал", ALL, E),
    ("I~IV улирал", ALL, E),
    ("i-iv улирал", ALL, E),
    ("I-IV", ALL, E),
    ("III", (3,), E),
    ("I-IVулирал", ALL, E),
    ("Ⅰ-Ⅳ улирал", ALL, E),
    ("Ⅱ улирал", (2,), E),
    ("II улиралд", (2,), E),
    ("II-IV улиралд", (2, 3, 4), E),
    ("I-IV улирлын турш", ALL, E),
    ("I-IV улиралд багтаан", ALL, E),
    ("IV улирлын эцэст", (4,), E),
    ("2026 оны II улирал", (2,), E),
    ("2026 оны I-IV улирал", ALL, E),
    ("I улирлаас III улирал хүртэл", (1, 2, 3), E),
    # Arabic quarters and the -р / дугаар / -д / -т endings.
    ("1-р улирал", (1,), E),
    ("1 -р улирал", (1,), E),
    ("1р улирал", (1,), E),
    ("2 дугаар улирал", (2,), E),
    ("4 дүгээр улирал", (4,), E),
    ("1-4 улирал", ALL, E),
    ("1-4-р улирал", ALL, E),
    ("3-р улиралд", (3,), E),
    ("2-т улиралд", (2,), E),
    ("1, 3-р улирал", (1, 3), E),
    ("1-р улирлаас 4-р улирал хүртэл", ALL, E),
    ("Нэгдүгээр улирал", (1,), E),
    ("Хоёрдугаар улирал", (2,), E),
    ("Гуравдугаар улиралд", (3,), E),
    ("Дөрөвдүгээр улирал", (4,), E),
    ("хоёр дугаар улирал", (2,), E),
    # Words (docs/methodology.md §3).
    ("Жилийн турш", ALL, E),
    ("Жилдээ", ALL, E),
    ("Жил бүр", ALL, E),
    ("Жил бүрийн 12 дугаар сард", (4,), E),  # December of every year: the month, not the whole year
    ("Жил бүр 4-р улиралд", (4,), E),
    ("Хагас жил бүр", ALL, E),
    ("2-р улиралд 1 удаа", (2,), E),  # a frequency beside a period adds nothing
    ("Байнга", ALL, E),
    ("Тогтмол", ALL, E),
    ("Тухай бүр", ALL, E),
    ("Сар бүр", ALL, E),
    ("Улирал бүр", ALL, E),
    ("Нэг жил", ALL, E),
    ("ЖИЛИЙН ТУРШ", ALL, E),
    ("жилийн  туршид", ALL, E),
    ("Хугацаа Нэг жил", ALL, E),
    ("Эхний хагас жил", (1, 2), E),
    ("Хагас жил", (1, 2), E),
    ("Хоёрдугаар хагас жил", (3, 4), E),
    ("II хагас жил", (3, 4), E),
    ("I хагас жил", (1, 2), E),
    ("Жилийн эцэст", (4,), E),
    ("Жилийн эцсээр", (4,), E),
    ("Оны эхэнд", (1,), E),
    # Months and dates: the quarters that hold them.
    ("3-р сар", (1,), E),
    ("3 сард", (1,), E),
    ("05 дугаар сарын 01-ний өдөрт", (2,), E),
    ("07 сарын 03-ны дотор", (3,), E),
    ("2022.05.01", (2,), E),
    ("2022-05-01", (2,), E),
    ("2022/05/01", (2,), E),
    ("2026.09", (3,), E),
    ("25.05.2022", (2,), E),
    ("3-5 сар", (1, 2), E),
    ("12-р сар", (4,), E),
    ("10 дугаар сар", (4,), E),
    ("Арван хоёрдугаар сар", (4,), E),
    ("Арван нэгдүгээр сарын 15", (4,), E),
    ("3, 6, 9, 12 дугаар сар", ALL, E),
    ("2022 оны 07-р сарын 25-ны өдөр", (3,), E),
    ("6 сарын 30-ны дотор", (2,), E),
    ("3-р сараас 5-р сар хүртэл", (1, 2), E),
    ("05 сарын 01 хүртэл", (2,), E),
    # More real-world spellings.
    ("I улирал, II улирал", (1, 2), E),
    ("1-р улирал, 3-р улирал", (1, 3), E),
    ("1,2,3,4-р улирал", ALL, E),
    ("I-IV улирал.", ALL, E),
    ("(I-IV улирал)", ALL, E),
    ("I-IV улирлууд", ALL, E),
    ("I-IV улиралын турш", ALL, E),
    ("II-III", (2, 3), E),
    ("I–II улиралд", (1, 2), E),
    ("Iулирал", (1,), E),
    ("I-IV ул", ALL, E),
    ("2026 оны 1-4 улирал", ALL, E),
    ("I-IV улирал (2026 он)", ALL, E),
    ("I-IV улирал /жил бүр/", ALL, E),
    ("Байнга, тухай бүр", ALL, E),
    ("Жилийн эцэс хүртэл", ALL, E),
    ("Хагас жилд", (1, 2), E),
    ("1-р хагас жил", (1, 2), E),
    ("Жилийн эхний улиралд", (1,), E),
    ("Сар бүрийн 5-ны дотор", ALL, E),
    ("2026 оны 6 дугаар сарын 30-ны дотор", (2,), E),
    ("2026.06.30-ны дотор", (2,), E),
    ("6-р сарын 30", (2,), E),
    ("XII сар", (4,), E),
    ("3-р сарын дотор", (1,), E),
    ("Гуравдугаар сарын дотор", (1,), E),
    # Read, but a person should glance: look-alikes and other non-canonical forms.
    ("1-1V", ALL, IN),
    ("l-IV улирал", ALL, IN),
    ("І-ІV улирал", ALL, IN),  # Cyrillic І
    ("ІІ улирал", (2,), IN),
    ("ІІІ-ІV улирал", (3, 4), IN),
    ("11-1V улирал", (2, 3, 4), IN),
    ("1-IV улирал", ALL, IN),
    ("IУ улирал", (4,), IN),  # Cyrillic У for V
    ("11 улирал", (2,), IN),
    ("1-4", ALL, IN),
    ("2", (2,), IN),
    ("2026 он", ALL, IN),
    ("2022-2024 он", ALL, IN),
    ("Шаардлагатай үед", ALL, IN),
    ("2026.03.01-ээс хойш", ALL, E),  # "from ... onwards": to the plan year's end, as written
    ("III улирал хүртэл", (3,), IN),
    ("I-IV улирал, ажлын төлөвлөгөөний дагуу", ALL, IN),
    ("05.01.2022", (1,), IN),  # 5 January or 1 May: read day first, flagged
    ("I улирал, 9-р сар", (1, 3), IN),
    ("ІV улирал", (4,), IN),
    ("1V улирал", (4,), IN),
    ("2-4", (2, 3, 4), IN),
    ("2-р улиралаас эхлэн", (2, 3, 4), E),
    ("7-р сараас", (3, 4), E),  # from July on: the rest of the plan year
    ("3 сарын дотор", (1,), IN),  # March, or within three months
    ("6 сарын хугацаанд", (2,), IN),
    ("Эхний хагаст", (1, 2), IN),
    ("Жилд 2 удаа", ALL, IN),  # twice a year: a frequency, not quarter II
    ("Жилд нэг удаа", ALL, IN),
    ("31.12", (4,), IN),  # day.month without a year
    ("31.12-ны дотор", (4,), IN),
    ("12.31", (4,), IN),  # month.day: the order is certain (31 is no month) but unusual
    # Never guessed.
    ("I-IY улирал", (), X),
    ("5", (), X),
    ("Дараа сарын 5-ны дотор", (), X),
    ("V улирал", (), X),
    ("31.02", (), X),
    ("IV-II улирал", (), X),
    ("IV-I", (), X),
    ("I-VII улирал", (), X),
    ("5-р улирал", (), X),
    ("0 улирал", (), X),
    ("IIII улирал", (), X),
    ("I-V", (), X),
    ("I-XII", (), X),
    ("13-р сар", (), X),
    ("0-р сар", (), X),
    ("5 сарын 32", (), X),
    ("2022.13.01", (), X),
    ("", (), X),
    ("   ", (), X),
    ("сайн ажиллана", (), X),
    ("Тухайн үед", (), X),
    ("Хэрэгжсэн", (), X),
    # A dash between two periods, each with its unit word, is a range ("~" too).
    ("1-р улирал - 4-р улирал", ALL, E),
    ("II улирал~IV улирал", (2, 3, 4), E),
    ("I улирал-III улирал", (1, 2, 3), E),
    ("3-р сар - 9-р сар", (1, 2, 3), E),
    ("2026.01.01-2026.06.30", (1, 2), E),
    ("05 сарын 01 - 06 сарын 30", (2,), E),  # May 1 to June 30, not months 1-6
    ("IV улирал - I улирал", (), X),
    # "from ... until the year end".
    ("III улирлаас эхлэн жилийн эцэс хүртэл", (3, 4), E),
    ("II улирлаас жилийн эцэст", (2, 3, 4), E),
    # "the first / last N months (quarters)" of the year.
    ("Жилийн эхний 6 сард", (1, 2), E),
    ("эхний 3 сард", (1,), E),
    ("сүүлийн 6 сард", (3, 4), E),
    ("Сүүлийн 2 улиралд", (3, 4), E),
    ("эхний 13 сард", (), X),
    ("Сар бүрийн эхний 5 хоногт", ALL, E),  # the first days of each month: the phrase gives the period
    # "before": the deadline's quarter, flagged.
    ("9-р сараас өмнө", (3,), IN),
    ("10-р сараас өмнө", (3,), IN),
    ("2026.07.01-ээс өмнө", (2,), IN),
    ("07 сарын 15-наас өмнө", (3,), IN),
    ("III улирлаас өмнө", (2,), IN),
    ("1-р сараас өмнө", (), X),
    # "as of the year end".
    ("Жилийн эцсийн байдлаар", (4,), E),
    ("Оны эцсийн байдлаар", (4,), E),
    ("Хагас жилийн байдлаар", (1, 2), E),
]


@pytest.mark.parametrize(("text", "quarters", "confidence"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_timeframe(vocab: NotationVocab, text: str, quarters: tuple[int, ...], confidence: str) -> None:
    reading = parse_timeframe(text, vocab)
    assert (reading.quarters, reading.confidence) == (quarters, confidence), reading.note
    assert reading.status is None
    assert reading.note and reading.note_mn and reading.rule


BY_MONTH: list[tuple[str, tuple[int, ...], str]] = [
    ("I-VI", (1, 2), E),
    ("I-XII", ALL, E),
    ("X-XII", (4,), E),
    ("III", (1,), E),
    ("IV-V", (2,), E),
    ("3-5", (1, 2), E),
    ("I-IV улирал", ALL, E),  # the quarter word wins over the column's months
    ("XIII", (), X),
    ("VI-II", (), X),
]


@pytest.mark.parametrize(("text", "quarters", "confidence"), BY_MONTH, ids=[c[0] for c in BY_MONTH])
def test_timeframe_by_month(vocab: NotationVocab, text: str, quarters: tuple[int, ...], confidence: str) -> None:
    reading = parse_timeframe(text, vocab, by_month=True)
    assert (reading.quarters, reading.confidence) == (quarters, confidence), reading.note


def test_months_are_reported(vocab: NotationVocab) -> None:
    assert parse_timeframe("3-5 сар", vocab).months == (3, 4, 5)
    assert parse_timeframe("I-VI", vocab, by_month=True).months == (1, 2, 3, 4, 5, 6)
    assert parse_timeframe("I-IV улирал", vocab).months == ()


@pytest.mark.parametrize("text", ["Хугацаа болоогүй", "ХБ", "хб", "Х/Б", "Хугацаа болоогүй байна."])
def test_not_due(vocab: NotationVocab, text: str) -> None:
    reading = parse_timeframe(text, vocab)
    assert (reading.status, reading.quarters, reading.confidence) == ("not_due", (), X)


VALUES: list[tuple[object, tuple[int, ...], str]] = [
    (dt.date(2026, 5, 1), (2,), E),
    (dt.datetime(2026, 11, 3, 10, 0), (4,), E),
    (3, (3,), IN),
    (3.0, (3,), IN),
    (7, (), X),
    (2.5, (), X),
    (None, (), X),
    (float("nan"), (), X),
    (True, (), X),
]


@pytest.mark.parametrize(("value", "quarters", "confidence"), VALUES, ids=[repr(v[0]) for v in VALUES])
def test_timeframe_values(vocab: NotationVocab, value: object, quarters: tuple[int, ...], confidence: str) -> None:
    reading = parse_timeframe(value, vocab)
    assert (reading.quarters, reading.confidence) == (quarters, confidence)


def test_notes_say_the_reading(vocab: NotationVocab) -> None:
    reading = parse_timeframe("1-1V улирал", vocab)
    assert "read as quarters I-IV" in reading.note
    assert reading.note_mn.startswith("`1-1V улирал` гэснийг I-IV улирал гэж уншлаа")
    fifth = parse_timeframe("I-V улирал", vocab)
    assert (fifth.note, fifth.note_mn) == ("`I-V улирал` not understood: there is no quarter 5",
                                           "`I-V улирал` гэснийг ойлгосонгүй: 5 дугаар улирал гэж байхгүй")
    assert "5" in parse_timeframe("I-V улирал", vocab).note
    assert "IV-II" in parse_timeframe("IV-II улирал", vocab).note


def test_rule_ids_are_stable(vocab: NotationVocab) -> None:
    assert parse_timeframe("I-IV улирал", vocab).rule == "roman-quarters"
    assert parse_timeframe("1-р улирал", vocab).rule == "arabic-quarters"
    assert parse_timeframe("1-1V улирал", vocab).rule == "lookalike-quarters"
    assert parse_timeframe("Жилийн турш", vocab).rule == "phrase:whole_year"
    assert parse_timeframe("2022.05.01", vocab).rule == "date"
    assert parse_timeframe("", vocab).rule == "empty"
    assert parse_timeframe("ХБ", vocab).rule == "status-not-due"


@pytest.mark.parametrize(
    ("quarters", "text"),
    [((1, 2, 3, 4), "I-IV улирал"), ((1, 3), "I, III улирал"), ((2,), "II улирал"), ((1, 2, 4), "I-II, IV улирал"), ((), "")],
)
def test_format_quarters(quarters: tuple[int, ...], text: str) -> None:
    assert format_quarters(quarters) == text


def test_canonical_timeframes_read_back_exact(vocab: NotationVocab) -> None:
    forms = canonical_timeframes()
    assert forms[0] == "I-IV улирал"
    assert len(forms) == len(set(forms))
    for form in forms:
        assert parse_timeframe(form, vocab).confidence == E
