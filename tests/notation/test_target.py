"""Target readings: every Хүрэх түвшин of seed 003 and every example of docs/methodology.md §4, exactly."""

from __future__ import annotations

import pytest

from pipeline.notation import NotationVocab, parse_target

U = ("target-unparsed",)
M = ("target-missing",)
R = ("target-range",)
P, C, B, T = "percent", "count", "binary", "text"

# (text, kind, op, value, unit, flags)
CASES: list[tuple[str, str, str | None, float | None, str | None, tuple[str, ...]]] = [
    # Seed 003, column Хүрэх түвшин.
    ("Хэрэгжилт - 80%", P, ">=", 80, "%", ()),
    ("Хэрэгжилт - 100%", P, ">=", 100, "%", ()),
    ("Шийдвэрлэлт - 90%", P, ">=", 90, "%", ()),
    ("Дөрвөн удаа", C, ">=", 4, "удаа", ()),
    ("Гурваас доошгүй", C, ">=", 3, None, ()),
    ("95-аас доошгүй хувь", P, ">=", 95, "%", ()),
    ("98-аас доошгүй хувь", P, ">=", 98, "%", ()),
    ("100 хувь", P, ">=", 100, "%", ()),
    ("Хөдөлмөрийн дотоод журам шинэчлэгдсэн байна.", B, "done", None, None, ()),
    ("Хууль журмын дагуу хариуцлага тооцсон байна.", B, "done", None, None, ()),
    ("10-с доошгүй", C, ">=", 10, None, ()),
    ("Хөдөлмөрийн дотоод журамд тусгаж, хэрэгжилтийг хангасан байна.", B, "done", None, None, ()),
    ("Гурваас доошгүй удаа", C, ">=", 3, "удаа", ()),
    ("Хоёроос доошгүй удаа", C, ">=", 2, "удаа", ()),
    ("Согтууруулах ундаа хэрэглэх явдлыг зогсоон байна.", B, "done", None, None, ()),
    ("Бүх хэлбэрийн хууль бус дарамт шахалт, ялгавартай хандах үйлдлийг таслан зогсоосон байна.", B, "done", None, None, ()),
    ("Таваас доошгүй", C, ">=", 5, None, ()),
    ("95 хувиас доошгүй", P, ">=", 95, "%", ()),
    ("Хоёроос доошгүй", C, ">=", 2, None, ()),
    ("Чиг үүргээ биелүүлээгүй албан хаагчдад хариуцлага тооцсон байна.", B, "done", None, None, ()),
    # Domain.md §4.
    ("жилд хоёроос доошгүй удаа", C, ">=", 2, "удаа", ()),
    ("Шалгуурыг хангасан 160 малчин өрх", C, ">=", 160, "өрх", ()),
    ("5-аас хэтрэхгүй", C, "<=", 5, None, ()),
    ("0", C, "<=", 0, None, ()),
    ("…боловсруулсан байх", B, "done", None, None, ()),
    ("Төлөвлөгөө боловсруулсан байх", B, "done", None, None, ()),
    ("Журам шинэчлэгдсэн", B, "done", None, None, ()),
    ("Тийм", B, "done", None, None, ()),
    ("Хэрэгжсэн", B, "done", None, None, ()),
    ("Тийм/Үгүй", B, "done", None, None, ()),
    ("100", C, ">=", 100, None, ()),
    ("100%", P, ">=", 100, "%", ()),
    ("Хэрэгжилт 100 хувь", P, ">=", 100, "%", ()),
    ("Биелэлт - 95%", P, ">=", 95, "%", ()),
    # Digits: thousands and decimal marks.
    ("1,500", C, ">=", 1500, None, ()),
    ("10,000", C, ">=", 10000, None, ()),
    ("10 000 төгрөг", C, ">=", 10000, "төгрөг", ()),
    ("1.500.000 төгрөг", C, ">=", 1500000, "төгрөг", ()),
    ("2,5", C, ">=", 2.5, None, ()),
    ("0,75", C, ">=", 0.75, None, ()),
    ("2.5 хувь", P, ">=", 2.5, "%", ()),
    ("85,5%", P, ">=", 85.5, "%", ()),
    ("1.500", T, None, None, None, U),
    ("5 мянга", C, ">=", 5000, None, ()),
    ("1,5 сая төгрөг", C, ">=", 1500000, "төгрөг", ()),
    # Number words in every case form, and compounds.
    ("Нэг удаа", C, ">=", 1, "удаа", ()),
    ("Нэгээс доошгүй", C, ">=", 1, None, ()),
    ("Дөрвөөс доошгүй", C, ">=", 4, None, ()),
    ("Зургаагаас доошгүй удаа", C, ">=", 6, "удаа", ()),
    ("Долоогоос доошгүй", C, ">=", 7, None, ()),
    ("Наймаас доошгүй", C, ">=", 8, None, ()),
    ("Есөөс доошгүй", C, ">=", 9, None, ()),
    ("Арваас доошгүй", C, ">=", 10, None, ()),
    ("Хориос доошгүй", C, ">=", 20, None, ()),
    ("Гучаас доошгүй", C, ">=", 30, None, ()),
    ("Дөчөөс доошгүй", C, ">=", 40, None, ()),
    ("Тавиас доошгүй", C, ">=", 50, None, ()),
    ("Жараас доошгүй", C, ">=", 60, None, ()),
    ("Далаас доошгүй", C, ">=", 70, None, ()),
    ("Наяас доошгүй", C, ">=", 80, None, ()),
    ("Ерөөс доошгүй хувь", P, ">=", 90, "%", ()),
    ("Зуунаас доошгүй", C, ">=", 100, None, ()),
    ("Мянгаас доошгүй", C, ">=", 1000, None, ()),
    ("Таван удаа", C, ">=", 5, "удаа", ()),
    ("Гурван сургалт", C, ">=", 3, "сургалт", ()),
    ("Долоон удаа", C, ">=", 7, "удаа", ()),
    ("арван хоёр", C, ">=", 12, None, ()),
    ("хорин тав", C, ">=", 25, None, ()),
    ("хоёр зуу", C, ">=", 200, None, ()),
    ("мянга таван зуу", C, ">=", 1500, None, ()),
    ("Арван таван өрх", C, ">=", 15, "өрх", ()),
    ("Хорин таваас доошгүй хүн", C, ">=", 25, "хүн", ()),
    ("Хоёр зуун иргэн", C, ">=", 200, "иргэн", ()),
    ("Мянга таван зуун өрх", C, ">=", 1500, "өрх", ()),
    # Digit endings and "not less / not more" words.
    ("1-ээс доошгүй", C, ">=", 1, None, ()),
    ("2-оос доошгүй", C, ">=", 2, None, ()),
    ("3-аас доошгүй", C, ">=", 3, None, ()),
    ("4-өөс доошгүй", C, ">=", 4, None, ()),
    ("10-аас доошгүй", C, ">=", 10, None, ()),
    ("10 –аас доошгүй", C, ">=", 10, None, ()),
    ("10-аас багагүй", C, ">=", 10, None, ()),
    ("3-аас дээш", C, ">=", 3, None, ()),
    ("5-аас дээшгүй", C, "<=", 5, None, ()),
    ("5-аас ихгүй", C, "<=", 5, None, ()),
    ("≥ 80%", P, ">=", 80, "%", ()),
    ("<5%", P, "<=", 5, "%", ()),
    ("хамгийн багадаа 3 удаа", C, ">=", 3, "удаа", ()),
    ("Жилд 2 удаа", C, ">=", 2, "удаа", ()),
    ("I-IV улиралд 4 удаа", C, ">=", 4, "удаа", ()),
    ("80-100%", P, ">=", 100, "%", R),  # a range: its upper end, flagged
    ("2-3 удаа", C, ">=", 3, "удаа", R),
    # Reduce / increase: a level "to", never a change "by".
    ("осол гэмтлийг 10-аас хэтрэхгүй болгох", C, "<=", 10, None, ()),
    ("тохиолдлыг 5 хүртэл бууруулах", C, "<=", 5, None, ()),
    ("Ажилгүйдлийн түвшинг 5 хувь хүртэл бууруулах", P, "<=", 5, "%", ()),
    ("80 хувьд хүргэх", P, ">=", 80, "%", ()),
    ("Хамрагдалтыг 90 хувьд хүргэж нэмэгдүүлэх", P, ">=", 90, "%", ()),
    ("5 хувиар бууруулах", T, None, None, None, U),
    ("Гэмт хэргийг 10 хувиар буруулах", T, None, None, None, U),
    ("Хамрагдалтыг 10 хувиар нэмэгдүүлэх", T, None, None, None, U),
    ("2 дахин нэмэгдүүлэх", T, None, None, None, U),
    ("Зөрчлийн тохиолдлыг бууруулах", T, None, None, None, U),
    ("10 хүртэл", T, None, None, None, U),
    # Several numbers: chosen only when the grammar makes it clear.
    ("2022 онд 3 удаа", C, ">=", 3, "удаа", ()),
    ("2022 онд 5-аас доошгүй", C, ">=", 5, None, ()),
    ("1.1-д заасан ажлыг 5-аас доошгүй удаа", C, ">=", 5, "удаа", ()),
    ("2022 оны 05 дугаар сарын 01-ний дотор шийдвэрлэсэн байна", B, "done", None, None, ()),
    ("7 хоногийн дотор шийдвэрлэж, хариу өгсөн байна", B, "done", None, None, ()),
    ("Ажлын хоёроос доошгүй өдрийн дотор хариу тайлагнасан байна", B, "done", None, None, ()),
    ("2 сургалт, 100 хүн", T, None, None, None, U),
    ("1-р улиралд 2, 2-р улиралд 3", T, None, None, None, U),
    ("2025", T, None, None, None, U),
    ("2026 он", T, None, None, None, U),
    ("Арван нэгдүгээр сарын 15", T, None, None, None, U),
    ("-5%", T, None, None, None, U),
    # More real-world spellings.
    ("Хэрэгжилтийн хувь 90-ээс доошгүй", P, ">=", 90, "%", ()),
    ("90-ээс доошгүй хувьтай", P, ">=", 90, "%", ()),
    ("95%-иас доошгүй", P, ">=", 95, "%", ()),
    ("80%-иас багагүй", P, ">=", 80, "%", ()),
    ("80-аас дээш хувь", P, ">=", 80, "%", ()),
    ("Санал хүсэлтийн 90-ээс доошгүй хувийг шийдвэрлэх", P, ">=", 90, "%", ()),
    ("Хэрэгжилт: 90 %", P, ">=", 90, "%", ()),
    ("100% хангах", P, ">=", 100, "%", ()),
    ("Төсвийн гүйцэтгэл 95-100%", P, ">=", 100, "%", R),
    ("Сургалтад 50-аас доошгүй албан хаагч хамруулах", C, ">=", 50, "албан хаагч", ()),
    ("4 удаагийн сургалт", C, ">=", 4, "удаа", ()),
    ("Сард 1 удаа", T, None, None, None, U),  # once a month: a rate, not the year's total
    ("2 удаа (I, III улиралд)", C, ">=", 2, "удаа", ()),
    ("2025-2026 онд 2 удаа", C, ">=", 2, "удаа", ()),
    ("21 сум", C, ">=", 21, "сум", ()),
    ("1000 ширхэг мод", C, ">=", 1000, "ширхэг", ()),
    ("5 сая төгрөг", C, ">=", 5000000, "төгрөг", ()),
    ("0 тохиолдол", C, "<=", 0, "тохиолдол", ()),
    ("Осол, гэмтэл 0", C, "<=", 0, None, ()),
    ("≤ 3", C, "<=", 3, None, ()),
    ("3-аас ихгүй удаа", C, "<=", 3, "удаа", ()),
    ("Таваас илүүгүй", C, "<=", 5, None, ()),
    ("3 ба түүнээс дээш", C, ">=", 3, None, ()),
    ("Ажилгүйдлийг 10 хувиас доош бууруулах", P, "<=", 10, "%", ()),
    ("90-ээс доошгүй хувьд хүргэж нэмэгдүүлэх", P, ">=", 90, "%", ()),
    ("Зөрчил гаргахгүй байх", B, "done", None, None, ()),
    ("Мэдээллийг сар бүр 5-ны дотор хүргүүлсэн байна", B, "done", None, None, ()),
    ("Тайланг 1 сарын 15-ны дотор хүргүүлсэн байна", B, "done", None, None, ()),
    ("А/123 тоот тушаал гаргасан", B, "done", None, None, ()),
    ("10-аас доошгүй хувиар нэмэгдүүлэх", T, None, None, None, U),
    ("Хамрагдалтын хувийг 5-аас доошгүй нэмэгдүүлэх", T, None, None, None, U),
    ("5-аас доошгүй бууруулах", T, None, None, None, U),
    ("2026 онд 2 удаа, 2027 онд 3 удаа", T, None, None, None, U),
    ("Тайлангийн хугацаа 30 хоног", T, None, None, None, U),
    ("3 хоногт багтаан шийдвэрлэх", T, None, None, None, U),
    ("Журам батлагдах", T, None, None, None, U),
    ("Таваас", T, None, None, None, U),
    ("Таваас дутуугүй", C, ">=", 5, None, ()),
    ("3/4", T, None, None, None, U),
    # Intransitive change verbs: "by N %" is a change, reported; "to N" is a level.
    ("Гомдол 10 хувиар буурна", T, None, None, None, U),
    ("Ирц 5 хувиар нэмэгдэнэ", T, None, None, None, U),
    ("Өмнөх оноос 5%-иар өснө", T, None, None, None, U),
    ("Гомдол 20 хувиар буурсан байна", T, None, None, None, U),
    ("Зөрчил 10 хувиар багасна", T, None, None, None, U),
    ("Орлого 15 хувиар дээшилнэ", T, None, None, None, U),
    ("5 хүртэл буурна", C, "<=", 5, None, ()),
    ("Хамрагдалт 90 хувь хүртэл нэмэгдэнэ", P, ">=", 90, "%", ()),
    # A state to reach in the future tense; a number with the same verb stays a count.
    ("Журам шинэчлэгдэнэ", B, "done", None, None, ()),
    ("Батлуулна", B, "done", None, None, ()),
    ("Боловсруулна", B, "done", None, None, ()),
    ("Зохион байгуулна", B, "done", None, None, ()),
    ("3 удаа зохион байгуулна", C, ">=", 3, "удаа", ()),
    ("Гурваас доошгүй удаа зохион байгуулна", C, ">=", 3, "удаа", ()),
    # Number words that do not build one number: reported, never one of the parts.
    ("Хорин тавиас доошгүй", T, None, None, None, U),
    ("хоёр гурван удаа", T, None, None, None, U),
    ("Тав хорь", T, None, None, None, U),
    ("Хорин таваас доошгүй", C, ">=", 25, None, ()),
    # Marks are no target.
    ("✓", T, None, None, None, U),
    # Not a target: reported, never a number.
    ("Хэрэгжээгүй", T, None, None, None, U),
    ("Тогтмол", T, None, None, None, U),
    ("Бүх хэлбэрийн хууль бус дарамт шахалт,", T, None, None, None, U),
    ("Ер нь сайн ажиллах", T, None, None, None, U),
    ("", T, None, None, None, M),
    ("   ", T, None, None, None, M),
    ("-", T, None, None, None, M),
    # A sign after a plain number may be read either way: reported. After a "than" form it is sure.
    ("95%<", T, None, None, None, U),
    ("95%‹", T, None, None, None, U),
    ("95%«", T, None, None, None, U),
    ("95 >", T, None, None, None, U),
    ("95-аас <", C, "<=", 95, None, ()),
    ("95 хувиас >", P, ">=", 95, "%", ()),
    ("80% «Сайн» үнэлгээ", P, ">=", 80, "%", ()),  # a quotation mark, not a sign
    # A letter O typed for zero, and "~" for "about": reported with a note, never read as 8 or -80.
    ("Хэрэгжилт - 8О%", T, None, None, None, U),
    ("Хэрэгжилт - 8o%", T, None, None, None, U),
    ("~80%", T, None, None, None, U),
    ("~0", T, None, None, None, U),  # found by hypothesis: a zero "about" once crashed the note
    ("80~90%", P, ">=", 90, "%", R),
    # A clause or article number is no target.
    ("Хуулийн 3.1-д заасны дагуу", T, None, None, None, U),
    ("4.2-т заасан", T, None, None, None, U),
    ("5.1-ийн дагуу", T, None, None, None, U),
    ("5 дугаар зүйл", T, None, None, None, U),
    ("2.5-д хүргэх", C, ">=", 2.5, None, ()),
    # A count per month / quarter / week is a rate, not the year's total.
    ("Улиралд 2 удаа", T, None, None, None, U),
    ("7 хоногт 1 удаа", T, None, None, None, U),
    ("Сар бүр 1 удаа", T, None, None, None, U),
    ("3-р улиралд 1 удаа", C, ">=", 1, "удаа", ()),
    ("IV улиралд 2 удаа", C, ">=", 2, "удаа", ()),
    ("Жил бүр 2 удаа", C, ">=", 2, "удаа", ()),
    ("Сард 95%", P, ">=", 95, "%", ()),  # a monthly level is still a level
]


@pytest.mark.parametrize(("text", "kind", "op", "value", "unit", "flags"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_target(vocab: NotationVocab, text: str, kind: str, op: str | None, value: float | None, unit: str | None,
                flags: tuple[str, ...]) -> None:  # fmt: skip
    r = parse_target(text, vocab)
    assert (r.kind, r.op, r.value, r.unit, r.flags) == (kind, op, value, unit, flags), r.note
    assert r.rule and r.note and r.note_mn


def test_none_is_missing(vocab: NotationVocab) -> None:
    r = parse_target(None, vocab)
    assert (r.kind, r.op, r.flags) == ("text", None, ("target-missing",))


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("100", {"percent_header": True}, ("percent", ">=", 100.0)),
        ("100", {"indicator": "Хэрэгжилтийн хувиар"}, ("percent", ">=", 100.0)),
        ("95", {"indicator": "Хууль ёсны томилгоо хийсэн хувь"}, ("percent", ">=", 95.0)),
        ("100", {"indicator": "Зохион байгуулсан арга хэмжээний тоо"}, ("count", ">=", 100.0)),
        ("0.8", {"percent_header": True}, ("percent", ">=", 80.0)),
        ("3 удаа", {"percent_header": True}, ("count", ">=", 3.0)),
        ("0", {"percent_header": True}, ("percent", "<=", 0.0)),
        (100, {}, ("count", ">=", 100.0)),
        (0.95, {"percent_format": True}, ("percent", ">=", 95.0)),
        (1, {"percent_format": True}, ("percent", ">=", 100.0)),
        (1.2, {"percent_format": True}, ("percent", ">=", 120.0)),
        (85, {"percent_format": True}, ("percent", ">=", 85.0)),  # typed "85" in a % cell: 85 %, not 8500 %
        (100, {"percent_format": True}, ("percent", ">=", 100.0)),
        (0.8, {"percent_header": True}, ("percent", ">=", 80.0)),
    ],
)
def test_target_percent_context(vocab: NotationVocab, text: object, kwargs: dict[str, object], expected: tuple[object, ...]) -> None:
    r = parse_target(text, vocab, **kwargs)  # type: ignore[arg-type]
    assert (r.kind, r.op, r.value) == expected, r.note


def test_target_notes(vocab: NotationVocab) -> None:
    r = parse_target("95-аас доошгүй хувь", vocab)
    assert r.note == "`95-аас доошгүй хувь` read as at least 95 %"
    assert r.note_mn == "`95-аас доошгүй хувь` гэснийг хувь >= 95 гэж уншлаа"
    assert "5 хувиар бууруулах" in parse_target("5 хувиар бууруулах", vocab).note_mn


def test_percent_format_typed_number_has_a_note(vocab: NotationVocab) -> None:
    r = parse_target(85, vocab, percent_format=True)
    assert "8500" in r.note and "8500" in r.note_mn

