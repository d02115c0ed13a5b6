"""Issue 14, by class: no silent misreading (unknown comparison words, ranges, a share under a percent
target, the baseline's direction) and no needless flag (ordinal months, clock times, weekdays, frequency
case forms, 7х, spaced and legacy-font dates, a rise from one figure to another)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.normalise import Source, normalise_measures, records_frame
from pipeline.notation import NotationVocab, parse_actual, parse_target, parse_timeframe
from pipeline.notation.actual import fraction_as_percent
from pipeline.notation.baseline import apply_baseline
from pipeline.read.workbook import read_file
from pipeline.validate import validate_paths
from tests.helpers import template_rows, write_xlsx
from tests.notation.test_clean import mojibake

U = ("target-unparsed",)
R = ("target-range",)
B = ("target-direction-from-baseline",)
P, C, T = "percent", "count", "text"

# (text, kind, op, value, unit, flags)
TARGETS: list[tuple[str, str, str | None, float | None, str | None, tuple[str, ...]]] = [
    # Limiting verbs with their causative and negative forms, after a percent and after a bare number.
    ("80 хувиас хэтрүүлэхгүй", P, "<=", 80, "%", ()),
    ("80 хувиас давахгүй", P, "<=", 80, "%", ()),
    ("80%-иас давуулахгүй байх", P, "<=", 80, "%", ()),
    ("5-аас хэтрүүлэхгүй", C, "<=", 5, None, ()),
    ("5 удаагаас хэтрүүлэхгүй", C, "<=", 5, "удаа", ()),
    ("5-аас илүүгүй", C, "<=", 5, None, ()),
    ("Гомдол 3-аас ихгүй байх", C, "<=", 3, None, ()),
    ("10 хувиас дээшгүй", P, "<=", 10, "%", ()),
    ("5 хувиас хэтрэлгүй", P, "<=", 5, "%", ()),
    ("15-аас хэтэрсэнгүй", C, "<=", 15, None, ()),
    ("2 удаагаас дээшгүй", C, "<=", 2, "удаа", ()),
    ("3%-с хэтрэхгүй", P, "<=", 3, "%", ()),
    ("60 хувиас дээш гаргахгүй", T, None, None, None, U),  # "not let rise above": a known word, then an unknown limit
    ("90 хувиас багагүй", P, ">=", 90, "%", ()),
    ("90 хувиас дутуугүй", P, ">=", 90, "%", ()),
    ("Таваас дутуугүй удаа", C, ">=", 5, "удаа", ()),
    ("95 хувиас буурахгүй", P, ">=", 95, "%", ()),
    ("дээд тал нь 5 удаа", C, "<=", 5, "удаа", ()),
    ("доод тал нь 3 удаа", C, ">=", 3, "удаа", ()),
    # A word after a "than" form that no list knows: flagged wherever it stands, never ">=".
    ("80 хувиас хэлбэлзэхгүй", T, None, None, None, U),
    ("80%-иас зөрөхгүй", T, None, None, None, U),
    ("5 удаагаас доройтохгүй", T, None, None, None, U),
    ("Таваас цөөрөхгүй", T, None, None, None, U),
    ("90 хувиас сайжрах", T, None, None, None, U),
    ("Зөрчлийг 5-д хүргэхгүй", T, None, None, None, U),
    ("Хэтрэхгүй: 5 удаа", T, None, None, None, U),
    ("95-аас доошгүй хэлбэлзэхгүй", T, None, None, None, U),
    ("80 орчим хувь", T, None, None, None, U),  # about 80 %: no firm level
    ("80 гаруй хувь", T, None, None, None, U),
    # "more", "less" compare only after a "than" form; elsewhere they are adjectives.
    ("2 бага сургууль", C, ">=", 2, None, ()),
    ("5-аас бага", C, "<=", 5, None, ()),
    ("95 хувиас их", P, ">=", 95, "%", ()),
    ("5 ба түүнээс бага", C, "<=", 5, None, ()),
    ("Өртгөөс бага байх", T, None, None, None, U),  # compared with a figure the cell does not give
    # Ranges: from 0 an at-most target at its upper end; otherwise the upper end, flagged.
    ("0-40%", P, "<=", 40, "%", ()),
    ("0-2 тохиолдол", C, "<=", 2, "тохиолдол", ()),
    ("30-50 хувь", P, ">=", 50, "%", R),
    ("2-3 удаа", C, ">=", 3, "удаа", R),
    ("85–90%", P, ">=", 90, "%", R),
    # A rise or a fall from one figure to another: the target is the second, the direction the figures'.
    ("12 хувиас 20 хувьд хүргэх", P, ">=", 20, "%", ()),
    ("12%-аас 20%-д хүргэх", P, ">=", 20, "%", ()),
    ("12 хувь байсныг 20 хувьд хүргэх", P, ">=", 20, "%", ()),
    ("Ядуурлыг 27 хувиас 20 хувьд бууруулах", P, "<=", 20, "%", ()),
    ("0.30-аас 0.25 болгох", C, "<=", 0.25, None, ()),
    ("30-аас 25 болгон бууруулах", C, "<=", 25, None, ()),
    ("20-оос 30 болгож бууруулах", T, None, None, None, U),  # the figures rise, the verb says reduce
    ("12-оос 20", T, None, None, None, U),  # no verb: a range or two figures, not read
    # A count of years beside the target is a duration, not the target.
    ("2 жилд 1 удаа", C, ">=", 1, "удаа", ()),
    ("5 жилийн хугацаанд 1000 өрх", C, ">=", 1000, "өрх", ()),
    ("2030 он гэхэд 50 хувьд хүргэх", P, ">=", 50, "%", ()),
]


@pytest.mark.parametrize(("text", "kind", "op", "value", "unit", "flags"), TARGETS, ids=[c[0] for c in TARGETS])
def test_target(vocab: NotationVocab, text: str, kind: str, op: str | None, value: float | None, unit: str | None,
                flags: tuple[str, ...]) -> None:  # fmt: skip
    t = parse_target(text, vocab)
    assert (t.kind, t.op, t.value, t.unit, t.flags) == (kind, op, value, unit, flags), t.note


# (target, baseline, op, flags): a bare target below the baseline means reduce; no baseline, no guess.
BASELINES: list[tuple[object, object, str, tuple[str, ...]]] = [
    ("0.25", "0.30", "<=", B),
    ("0.25", "0.20", ">=", ()),
    ("0.25", "", ">=", ()),
    ("0.25", None, ">=", ()),
    ("25%", "30%", "<=", B),
    ("25%", "0.30", "<=", B),  # a share beside a percent: 30 %
    ("25%", "30 хувь", "<=", B),
    ("25%", "Хэрэгжээгүй", ">=", ()),  # no number: no guess
    ("25%", "20, 30", ">=", ()),  # two numbers: no guess
    ("12", "15", "<=", B),
    (12.0, 15.0, "<=", B),
    ("12", "15%", ">=", ()),  # a percent baseline beside a count: not compared
    ("12-оос доошгүй", "15", ">=", ()),  # the direction is written
    ("25-аас ихгүй", "10", "<=", ()),
    ("0", "5", "<=", ()),
    ("30-50 хувь", "60%", "<=", (*R, *B)),
    ("2025 онд 30 байсныг 25 болгох", "30", "<=", ()),
]


@pytest.mark.parametrize(("target", "baseline", "op", "flags"), BASELINES, ids=[f"{c[0]}|{c[1]}" for c in BASELINES])
def test_baseline(vocab: NotationVocab, target: object, baseline: object, op: str, flags: tuple[str, ...]) -> None:
    t = apply_baseline(parse_target(target, vocab), baseline, vocab)
    assert (t.op, t.flags) == (op, flags), t.note


# (cell, value, flags) of an achieved value under a percent target.
FRACTIONS: list[tuple[object, float | None, tuple[str, ...]]] = [
    (0.85, 85.0, ("actual-fraction-as-percent",)),
    ("0.85", 85.0, ("actual-fraction-as-percent",)),
    (1.2, 120.0, ("actual-fraction-as-percent",)),
    (1.5, 150.0, ("actual-fraction-as-percent",)),
    (1.51, 1.51, ()),
    (85, 85.0, ()),
    (0, 0.0, ()),
    ("85%", 85.0, ()),
    ("0.85%", 0.85, ()),  # written as percent: not a share
    ("Бүрэн хэрэгжсэн", None, ()),
    ("1 удаа", 1.0, ()),  # a count names its unit: not a share
    ("2026 онд 0.85", 85.0, ("actual-from-narrative", "actual-fraction-as-percent")),
]


@pytest.mark.parametrize(("cell", "value", "flags"), FRACTIONS, ids=[repr(c[0]) for c in FRACTIONS])
def test_fraction_as_percent(vocab: NotationVocab, cell: object, value: float | None, flags: tuple[str, ...]) -> None:
    a = fraction_as_percent(parse_actual(cell, vocab))
    assert (a.value, a.flags) == (value, flags), a.note


def test_fraction_under_percent_format_is_left_alone(vocab: NotationVocab) -> None:
    a = fraction_as_percent(parse_actual(0.85, vocab, percent_format=True))
    assert (a.value, a.flags) == (85.0, ())


def _plan(tmp_path: Path, measures: list[list[object]]) -> Path:
    return write_xlsx(tmp_path / "plan.xlsx", template_rows(measures))


def test_normalise_and_validate_read_a_share_under_a_percent_target(tmp_path: Path, config) -> None:
    path = _plan(tmp_path, [
        ["1.1", "Хамрагдалт", "Хамрагдалт", None, "80%", "I-IV улирал", "ХН", "", 0.85, None, None],
        ["1.2", "Сургалт", "Тоо", None, "3 удаа", "I-IV улирал", "ХН", "", 0.85, None, None],
        ["1.3", "Индекс", "Индекс", 0.30, 0.25, "I-IV улирал", "ХН", "", 0.28, None, None],
    ])  # fmt: skip
    read = read_file(path, config)
    frame, problems = normalise_measures(records_frame([Source(1, "ЗУХ", read)]), config)
    assert frame["actual_value"].tolist() == [85.0, 0.85, 0.28]
    assert frame["flags"].tolist() == [["actual-fraction-as-percent"], [], ["target-direction-from-baseline"]]
    assert frame["target_op"].tolist() == [">=", ">=", "<="]
    assert sorted(p.code for p in problems) == ["actual-fraction-as-percent", "target-direction-from-baseline"]
    codes = sorted(p.code for p in validate_paths([path], config).problems)
    assert codes == ["actual-fraction-as-percent", "target-direction-from-baseline"]


# (text, quarters, confidence): read at once by a person, so no flag.
TIMEFRAMES: list[tuple[str, tuple[int, ...], str]] = [
    ("арванхоёрдугаар сар", (4,), "exact"),
    ("Арванхоёрдугаар сарын 25-ны дотор", (4,), "exact"),
    ("арваннэгдүгээр сард", (4,), "exact"),
    ("долдугаар сар", (3,), "exact"),
    ("Долдугаар сарын 15-ны өдөр", (3,), "exact"),
    ("наймдугаар сараас өмнө", (3,), "interpreted"),  # "before" stays checked, as for every month
    ("есдүгээр сарын", (3,), "exact"),
    ("2026-03-14 09:30", (1,), "exact"),
    ("2026.03.14 9:30", (1,), "exact"),
    ("2026-03-14T09:30", (1,), "exact"),
    ("2026 оны 3 сарын 14-ний өдөр 10 цагт", (1,), "exact"),
    ("3-р сарын 14-ний 09:30 цагт", (1,), "exact"),
    ("05 сарын 20-ны 14 цаг 30 минутад", (2,), "exact"),
    ("2026 оны 3 сарын 18-ны Лхагва гарагт", (1,), "exact"),
    ("2026.05.15 Баасан гараг", (2,), "exact"),
    ("сар бүрд", (1, 2, 3, 4), "exact"),
    ("Сар бүрт", (1, 2, 3, 4), "exact"),
    ("улирал бүрийн эхэнд", (1, 2, 3, 4), "exact"),
    ("Улирал бүрт", (1, 2, 3, 4), "exact"),
    ("улирал тутамд", (1, 2, 3, 4), "exact"),
    ("7х бүр", (1, 2, 3, 4), "exact"),
    ("7 хоног тутамд", (1, 2, 3, 4), "exact"),
    ("долоо хоног бүрийн даваа гарагт", (1, 2, 3, 4), "exact"),
    ("Жил бүрт", (1, 2, 3, 4), "exact"),
    ("2026 / 04 / 15", (2,), "exact"),
    ("2026 . 10 . 01", (4,), "exact"),
    ("15 / 04 / 2026", (2,), "exact"),
    ("2026.0З.15", (1,), "exact"),
    ("2026.03.З1", (1,), "exact"),
    ("2026.1З.15", (), "invalid"),  # month 13: a legacy 3 does not make a date valid
    ("З-р сар", (1,), "exact"),
    ("З-р улирал", (3,), "exact"),
    (mojibake("2026.0З.15-ны дотор"), (1,), "exact"),
    ("2026.0Ç.15", (1,), "exact"),
    # From a month or a day on: the rest of the plan year.
    ("7-р сараас", (3, 4), "exact"),
    ("2020 оны зургаадугаар сарын 02-ны өдрөөс", (2, 3, 4), "exact"),
    ("Гуравдугаар сарын 1-нээс эхлэн", (1, 2, 3, 4), "exact"),
    # A day and month after a full date share its year; Roman months right after a year.
    ("2013.08.24 – 08.25", (3,), "exact"),
    ("2024 VII - IX", (3,), "exact"),
    ("2024 I-II", (1, 2), "exact"),  # quarters still: I-IV after a year are quarters
    ("2024 I-V", (), "invalid"),  # no fifth quarter, and I-V may not be months
    # One dated deadline in a sentence; a negation keeps the flag.
    ("Зөвшөөрлийн хуудсыг 11 сарын 15-ны дотор өгнө үү.", (4,), "exact"),
    ("11 сарын 15-ны дотор биш", (4,), "interpreted"),
    ("11 сарын 15-аас хойшлуулахгүй", (4,), "interpreted"),
    ("3-р сард хийнэ", (1,), "interpreted"),  # a month without a day is no deadline: still checked
    ("сар бүрийн эхний долоо хоногийн Пүрэв гаригт", (1, 2, 3, 4), "exact"),
    ("9 сарын эхний 7х", (3,), "exact"),
    ("сар бүрийн 1 - 20 ны хооронд", (1, 2, 3, 4), "exact"),
    ("Жил бүрийн эцэст", (4,), "exact"),  # at the end of every year: IV, not the whole year
    ("жил бүрийн эхэнд", (1,), "exact"),
    ("2026.03.14 10.00 цагт", (1,), "exact"),
    ("2026.03.14-ний 10.30 цагаас", (1,), "exact"),  # 10.30 before "цаг" is a time, not 30 October
    ("10.30", (4,), "interpreted"),  # alone it is a day and a month, checked
    ("зургадугаар сар", (2,), "exact"),
    ("2019 оны 2 дугаарын сарын 02-ны өдөр", (1,), "exact"),
    ("эхний зургаан сард", (1, 2), "exact"),
    ("сүүлийн хоёр улиралд", (3, 4), "exact"),
    ("гурван сарын дотор", (), "invalid"),  # within three months: no period
    ("Даваа гараг бүр", (1, 2, 3, 4), "exact"),
    ("улирал бүрийн эхний сард", (1, 2, 3, 4), "exact"),
    ("улирал тутмын эхний 10 хоногт", (1, 2, 3, 4), "exact"),
    ("2026 оны 0З сарын 15", (1,), "exact"),
    ("эхний сард", (), "invalid"),  # the first month of what? no period named
    ("2013 оны эхний есөн сарын гүйцэтгэлээр", (1, 2, 3), "exact"),
    ("05 сарын 01-20 ны хооронд", (2,), "exact"),
    # Still errors: a clock time is no period, nor is a weekday alone.
    ("10:00 цагт", (), "invalid"),
    ("Лхагва гараг", (), "invalid"),
]


@pytest.mark.parametrize(("text", "quarters", "confidence"), TIMEFRAMES, ids=[c[0] for c in TIMEFRAMES])
def test_timeframe(vocab: NotationVocab, text: str, quarters: tuple[int, ...], confidence: str) -> None:
    r = parse_timeframe(text, vocab)
    assert (r.quarters, r.confidence) == (quarters, confidence), r.note


def test_not_due_remark_at_the_end(vocab: NotationVocab) -> None:
    r = parse_timeframe("Шалгалт өгөх хугацаа болоогүй байна", vocab)
    assert (r.status, r.quarters) == ("not_due", ())
    assert parse_actual("Шалгалт өгөх хугацаа болоогүй байна", vocab).status == "not_due"


# (cell, value, is_percent, status, flags) of achieved values that state one figure, or not.
INT = ("actual-interpreted",)
N = ("actual-from-narrative",)
A = ("actual-ambiguous",)
ACTUALS: list[tuple[str, float | None, bool, str | None, tuple[str, ...]]] = [
    ("Нийгмийн хөгжил - 88,8%", 88.8, True, None, ()),
    ("Зүрх бага сургууль-70%", 70.0, True, None, ()),  # "бага" here binds no figure
    ("төсвийн гүйцэтгэл 79.9 хувьтай байна", 79.9, True, None, ()),
    ("төлөвлөгөөг 131.5 хувиар биелүүлсэн байна", 131.5, True, None, ()),
    ("төлөвлөгөөг 142.6 хувиар биелүүлжээ", 142.6, True, None, ()),
    ("115 малчин өрх", 115.0, False, None, ()),
    ("226 малчдын худаг", 226.0, False, None, ()),
    ("11 000 хүн цаг", 11000.0, False, None, ()),
    ("2 удаа хойшлогдсон", 2.0, False, None, N),  # postponed twice: a verb after the count
    ("2 удаа хойшлогдов", 2.0, False, None, N),
    ("80% орчим", 80.0, True, None, N),  # about 80 %
    ("Зорилт 80%", 80.0, True, None, N),  # the plan's figure, not the result
    # A change, a shortfall, a negation, a comparison, a rate or a status before the figure: flagged.
    ("татварын орлогын төлөвлөгөө 23.6 хувиар тасарч", 23.6, True, None, N),
    ("Өмнөх оноос 5 хувиар өссөн", 5.0, True, None, N),
    ("3 хүн хамрагдаагүй", 3.0, False, None, N),
    ("Сард 2 удаа", 2.0, False, None, N),
    ("18.020400 төгрөгийн өртөг бүхий", 18.0204, False, None, N),  # not a whole count
    ("Хэрэгжих шатандаа буюу 70 хувьтай хэрэгжиж байгаа", None, False, "in_progress", ()),  # "буюу": the status, then its %
    ("Бүрэн хэрэгжсэн 59 арга хэмжээ нь нийт арга хэмжээний 73.7 хувийг", None, False, None, A),
    # A remark that ends in its one status word is plain; a partial one is checked.
    ("Хараахан хэрэгжээгүй", None, False, "not_done", ()),
    ("5/5 алхам бүрэн хэрэгжсэн.", None, False, "done", ()),
    ("Бүх ажил бүрэн хэрэгжсэн (2025-12-11)", None, False, "done", ()),
    ("Хагас хийгдсэн", None, False, "insufficient", INT),
]


@pytest.mark.parametrize(("cell", "value", "pct", "status", "flags"), ACTUALS, ids=[c[0] for c in ACTUALS])
def test_actual(vocab: NotationVocab, cell: str, value: float | None, pct: bool, status: str | None, flags: tuple[str, ...]) -> None:
    a = parse_actual(cell, vocab)
    assert (a.value, a.is_percent, a.status, a.flags) == (value, pct, status, flags), a.note
