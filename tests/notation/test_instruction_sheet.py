"""An instruction sheet (`Заавар`) beside the plan: its sentences begin with header words, but it is no plan.

Written with openpyxl, as a template author would save it, and read through `read_file`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.config import HeaderConfig
from pipeline.read.table import HeaderMatcher, find_layout, is_sentence
from pipeline.read.workbook import read_file
from tests.helpers import STANDARD_HEADER

# The instructions laid out under the columns they explain, as some templates do.
INSTRUCTIONS = [
    ["ЗААВАР"],
    ["Тайланг дараах байдлаар бөглөнө."],
    [
        "Д/д: арга хэмжээний дугаарыг 1.1, 1.2 гэж бичнэ.",
        "Арга хэмжээний дугаар, нэрийг батлагдсан төлөвлөгөөнөөс хуулж бичнэ.",
        "Шалгуур үзүүлэлтийг төлөвлөгөөнд заасны дагуу бичнэ.",
        "Суурь түвшин: өмнөх оны гүйцэтгэлийг бичнэ",
        "Хүрэх түвшин баганад тоо, хувийг бичнэ.",
        "Хугацаа баганад I-IV улирал гэх мэтээр бичнэ.",
        "Хариуцах эзэн баганад хэлтэс, мэргэжилтний нэрийг бичнэ.",
        "Гүйцэтгэл баганад хийсэн ажлаа товч бичнэ.",
        "Хүрсэн түвшин баганад тоо эсвэл хувийг бичнэ.",
    ],
    ["Жишээ нь:", "Сургалт зохион байгуулах", "Сургалтын тоо", "2", "Гурваас доошгүй", "Тайлант хугацаанд багтаан", "ХН", "", ""],
    ["", "Цахим үйлчилгээ нэвтрүүлэх", "", "", "100 хувь", "Хугацааг улирлаар бичнэ", "", "", ""],
    ["", "Мэдээллийг байршуулах", "", "", "", "Сар бүр", "", "", ""],
    ["", "Журам шинэчлэх", "", "", "", "I-V улирал гэж бичихгүй", "", "", ""],
]

PLAN = [
    ["Захиргаа, удирдлагын хэлтэс — 2026 оны төлөвлөгөөний хэрэгжилт"],
    ["Хэлтэс, нэгж:", "Захиргаа, удирдлагын хэлтэс"],
    ["Он:", 2026],
    ["Тайлант сар:", 10],
    [],
    list(STANDARD_HEADER),
    ["1.1", "Цахим үйлчилгээг нэвтрүүлнэ.", "Үйлчилгээний тоо", 2, "Гурваас доошгүй", "I-IV улирал", "Мэргэжилтэн", "", 3, 100, ""],
    ["1.2", "Сургалт зохион байгуулна.", "Сургалтын тоо", None, "Дөрвөн удаа", "II-IV улирал", "ХН", "", 2, None, None],
]


def _write(path: Path, instructions_first: bool) -> Path:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    sheets: list[tuple[str, Sequence[Any]]] = [("Заавар", INSTRUCTIONS), ("Төлөвлөгөө", PLAN)]
    if not instructions_first:
        sheets.reverse()
    first.title = sheets[0][0]
    for index, (name, rows) in enumerate(sheets):
        sheet = first if index == 0 else workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("instructions_first", [True, False])
def test_instruction_sheet_gives_no_measure_and_no_false_error(tmp_path: Path, config, instructions_first: bool) -> None:
    read = read_file(_write(tmp_path / "plan.xlsx", instructions_first), config)
    assert [t.sheet for t in read.tables] == ["Төлөвлөгөө"]
    (table,) = read.tables
    assert [m["no"] for m in table.measures] == ["1.1", "1.2"]
    codes = [p.code for p in read.problems]
    assert "several-plan-sheets" not in codes and "timeframe-invalid" not in codes
    assert codes == []


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Хугацаа баганад I-IV улирал гэх мэтээр бичнэ.", True),
        ("Суурь түвшин: өмнөх оны гүйцэтгэлийг бичнэ", True),
        ("Арга хэмжээний дугаар, нэрийг батлагдсан төлөвлөгөөнөөс хуулж бичих бөгөөд", True),
        ("Хүрэх түвшин, 2026 он", False),
        ("Төлөвлөгдсөн хугацаа /сараар/", False),
        ("Зарцуулсан хөрөнгийн хэмжээ, эх үүсвэр (сая төгрөг)", False),
        ("Д/д.", False),
        ("Хүрэх түвшин, үр дүн (тоо).", False),
        ("Хүрэх түвшин: 2026", False),
        ("Хүрэх түвшин: 2026 он", False),
        ("Суурь түвшин: өмнөх оны түвшин", True),
    ],
)
def test_is_sentence(text: str, sentence: bool) -> None:
    assert is_sentence(text) is sentence


def test_prefix_match_only_for_labels(config) -> None:
    matcher = HeaderMatcher(config.headers)
    assert matcher.field("Хүрэх түвшин, 2026 он") == "target"
    assert matcher.field("Хүрэх түвшин баганад тоо, хувийг бичнэ.") is None
    assert matcher.field("Хүрэх түвшин") == "target"  # an exact title is a label whatever follows in the row


def test_sheet_named_as_instructions(config) -> None:
    fields = dict(config.headers.__dict__)
    headers = HeaderConfig(**fields)
    object.__setattr__(headers, "instruction_sheet_words", ("Заавар", "Бөглөх заавар"))  # the key the lead adds
    matcher = HeaderMatcher(headers)
    grid: list[list[object]] = [list(STANDARD_HEADER), ["1.1", "Арга хэмжээ", "", "", "5", "I-IV улирал"]]
    assert find_layout(grid, [], matcher, str, sheet_name="Заавар") is None
    assert find_layout(grid, [], matcher, str, sheet_name="БӨГЛӨХ ЗААВАР (2026)") is None
    assert find_layout(grid, [], matcher, str, sheet_name="Төлөвлөгөө") is not None
