"""Generate N realistic filled templates for benchmarks: 40-60 measures each, Mongolian text of real length,
the header block, goal rows and the usual notation mix. Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

HEADER = ["№", "Хэрэгжүүлэх арга хэмжээ", "Шалгуур үзүүлэлт", "Суурь түвшин", "Хүрэх түвшин", "Хугацаа",
          "Хариуцах эзэн", "Гүйцэтгэл", "Хүрсэн түвшин", "Хэрэгжилтийн хувь", "Тайлбар"]

VERBS = ["хэрэгжүүлж", "зохион байгуулж", "хяналт тавьж", "боловсронгуй болгож", "сайжруулж", "нэвтрүүлж", "шинэчилж", "бэхжүүлж"]
OBJECTS = [
    "төрийн үйлчилгээний чанар, хүртээмжийг", "иргэдийн өргөдөл, гомдлын шийдвэрлэлтийг", "албан хаагчдын ёс зүй, сахилга хариуцлагыг",
    "цахим үйлчилгээний хамрах хүрээг", "төсвийн хөрөнгийн зарцуулалтын ил тод байдлыг", "малчин өрхийн амьжиргааг дэмжих ажлыг",
    "сургуулийн өмнөх боловсролын хамрагдалтыг", "урьдчилан сэргийлэх үзлэгийн хамрагдалтыг", "байгаль орчныг хамгаалах арга хэмжээг",
    "хууль тогтоомжийн хэрэгжилтийг", "дотоод хяналт, аудитын тогтолцоог", "архив, албан хэрэг хөтлөлтийн стандартыг",
]
PURPOSES = [
    "аймгийн хөгжлийн бодлогын баримт бичигт тусгагдсан зорилтыг хангана.", "үр дүнг олон нийтэд тогтмол мэдээлнэ.",
    "холбогдох байгууллагуудтай хамтран ажиллана.", "хэрэгжилтийг улирал бүр тайлагнана.", "иргэдийн сэтгэл ханамжийг дээшлүүлнэ.",
]
INDICATORS = ["Хэрэгжилтийн хувиар", "Зохион байгуулсан арга хэмжээний тоо", "Хамрагдсан иргэдийн тоо", "Шийдвэрлэлтийн хувь", "Шинэчилсэн эсэх"]
TARGETS = ["Хэрэгжилт - 100%", "95-аас доошгүй хувь", "Гурваас доошгүй", "Дөрвөн удаа", "10-с доошгүй", "Хоёроос доошгүй удаа",
           "100 хувь", "Журам шинэчлэгдсэн байна.", "5-аас хэтрэхгүй", "90 хувиас доошгүй", "Таваас доошгүй"]
TIMEFRAMES = ["I-IV улирал", "I-II улирал", "III-IV улирал", "II-IV улирал", "IV улирал", "1-р улирал", "Жилийн турш", "1-1V улирал"]
ACTUALS = ["Бүрэн хэрэгжсэн", "Хэрэгжих шатандаа", 3, 4, 2, "85%", 0.92, "100 хувь", "Хэрэгжээгүй", "2 удаа сургалт зохион байгуулсан", 12, "ХБ"]
PEOPLE = ["Хяналт-шинжилгээ, үнэлгээ хариуцсан мэргэжилтэн", "Газрын дарга, Албаны дарга нар", "Хүний нөөцийн мэргэжилтэн", "Нийт албан хаагчид"]


def measure_text(rng: random.Random) -> str:
    parts = [f"{rng.choice(OBJECTS).capitalize()} {rng.choice(VERBS)}, {rng.choice(OBJECTS)} {rng.choice(VERBS)}"]
    if rng.random() < 0.6:
        parts.append(f"{rng.choice(OBJECTS)} {rng.choice(VERBS)}")
    return ", ".join(parts) + ", " + rng.choice(PURPOSES)


def write_template(path: Path, index: int, rng: random.Random, period: tuple[int, int] = (2026, 10),
                   department: str | None = None) -> int:
    """One filled template; `department` names it (else a name is drawn), as a changed resubmission does."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"created": dt.datetime(2026, 11, 1 + index % 9, 9, 0)})
    sheet = workbook.add_worksheet("Төлөвлөгөө")
    pct = workbook.add_format({"num_format": "0%"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    if department is None:
        department = f"Нэгж {index:04d} — {rng.choice(['сум', 'хэлтэс', 'газар', 'алба'])}"
    sheet.merge_range(0, 0, 0, 10, f"{department}: {period[0]} оны үйл ажиллагааны төлөвлөгөөний биелэлт")
    for r, (label, value) in enumerate([("Хэлтэс, нэгж:", department), ("Он:", period[0]), ("Тайлант сар:", period[1]),
                                        ("Загварын хувилбар:", "1")], start=1):
        sheet.write(r, 0, label)
        sheet.write(r, 1, value)
    for c, title in enumerate(HEADER):
        sheet.write(6, c, title)
    row = 7
    count = rng.randint(40, 60)
    goals = rng.randint(3, 6)
    per_goal = count // goals + 1
    written = 0
    for g in range(1, goals + 1):
        sheet.merge_range(row, 0, row, 10, f"Зорилго {g}: {rng.choice(OBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(PURPOSES)}")
        row += 1
        for m in range(1, per_goal + 1):
            if written >= count:
                break
            actual = rng.choice(ACTUALS)
            values = [f"{g}.{m}", measure_text(rng), rng.choice(INDICATORS), rng.choice(["", 0, 2, "-"]), rng.choice(TARGETS),
                      rng.choice(TIMEFRAMES), rng.choice(PEOPLE), measure_text(rng), actual,
                      rng.choice(["", 100, 70, 30]), rng.choice(["", "Тайлан ирүүлсэн", "Санхүүжилт дутсан"])]
            for c, value in enumerate(values):
                if value == "":
                    continue
                if c == 8 and isinstance(value, float):
                    sheet.write_number(row, c, value, pct)
                else:
                    sheet.write(row, c, value, wrap if c in (1, 7) else None)
            row += 1
            written += 1
    workbook.close()
    return written


def department_of(path: Path) -> str:
    """The department a generated template names (cell B2)."""
    from python_calamine import CalamineWorkbook

    return str(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1][1])


def generate(folder: Path, n: int, seed: int = 20261029) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    return sum(write_template(folder / f"unit_{i:04d}.xlsx", i, rng) for i in range(n))


if __name__ == "__main__":
    import sys

    print(generate(Path(sys.argv[1]), int(sys.argv[2])))
