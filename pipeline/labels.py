"""What the user reads in the output workbooks: column titles and status names, Mongolian first."""

from __future__ import annotations

from pipeline.problems import Lang

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "done": ("Хэрэгжсэн", "Done"),
    "in_progress": ("Хэрэгжих шатандаа", "In progress"),
    "insufficient": ("Хэрэгжилт хангалтгүй", "Insufficient"),
    "not_done": ("Хэрэгжээгүй", "Not done"),
    "not_due": ("Хугацаа болоогүй", "Not due"),
    "unscored": ("Үнэлэх боломжгүй", "Unscored"),
}

BASIS_LABELS: dict[str, tuple[str, str]] = {
    "evaluator": ("Үнэлгээчин", "Evaluator"),
    "status_word": ("Төлөвийн үг", "Status word"),
    "computed": ("Тооцоолсон", "Computed"),
    "self_assessed": ("Өөрийн үнэлгээ", "Self-assessed"),
    "": ("", ""),
}

KIND_LABELS: dict[str, tuple[str, str]] = {
    "percent": ("Хувь", "Percent"),
    "count": ("Тоо", "Count"),
    "binary": ("Биелсэн эсэх", "Done/not done"),
    "text": ("Текст", "Text"),
}

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "department": ("Хэлтэс, нэгж", "Department"),
    "source_file": ("Файл", "File"),
    "sheet": ("Хуудас", "Sheet"),
    "row": ("Мөр", "Row"),
    "goal": ("Зорилго", "Goal"),
    "measure_no": ("№", "No."),
    "measure": ("Хэрэгжүүлэх арга хэмжээ", "Measure"),
    "indicator": ("Шалгуур үзүүлэлт", "Indicator"),
    "baseline": ("Суурь түвшин", "Baseline"),
    "target_text": ("Хүрэх түвшин", "Target"),
    "target_kind": ("Зорилтын төрөл", "Target kind"),
    "target_op": ("Нөхцөл", "Condition"),
    "target_value": ("Зорилтын тоо", "Target value"),
    "timeframe_text": ("Хугацаа", "Timeframe"),
    "quarters": ("Улирал", "Quarters"),
    "due": ("Хугацаа болсон", "Due"),
    "responsible": ("Хариуцах эзэн", "Responsible"),
    "progress": ("Гүйцэтгэл", "Progress"),
    "actual_text": ("Хүрсэн түвшин", "Achieved"),
    "actual_value": ("Хүрсэн тоо", "Achieved value"),
    "self_text": ("Хэрэгжилтийн хувь (өөрийн)", "Self-assessed %"),
    "achievement": ("Биелэлт, %", "Achievement, %"),
    "level": ("Түвшин", "Level"),
    "status": ("Төлөв", "Status"),
    "basis": ("Үндэслэл", "Basis"),
    "flags": ("Анхааруулга", "Flags"),
    "note": ("Тайлбар", "Note"),
    "pct": ("Хэрэгжилт, %", "Implementation, %"),
    "rating": ("Үнэлгээ", "Rating"),
    "grade": ("Зэрэг", "Grade"),
    "points": ("Оноо (5)", "Points (of 5)"),
    "rank": ("Байр", "Rank"),
    "measures": ("Нийт арга хэмжээ", "Measures"),
    "lagging": ("Хангалтгүй (30, 0)", "Lagging (30, 0)"),
    "review_level": ("Хянагчийн түвшин", "Reviewer's level"),
    "review_comment": ("Хянагчийн тайлбар", "Reviewer's comment"),
    "measure_key": ("Түлхүүр (бүү өөрчил)", "Key (do not edit)"),
}


def label(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]
