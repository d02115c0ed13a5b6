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
    "plan": ("Батлагдсан төлөвлөгөө", "Approved plan"),
    "": ("", ""),
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
    "target_due": ("Тухайн үед хүрэх түвшин", "Target due this period"),
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

# The short names of the problems that mark a measure (the "flags" column of the workbooks; measures.csv
# keeps the codes).
FLAG_LABELS: dict[str, tuple[str, str]] = {
    "timeframe-interpreted": ("хугацааг тайлбарлаж уншсан", "timeframe interpreted"),
    "timeframe-invalid": ("хугацаа ойлгомжгүй", "timeframe not understood"),
    "target-missing": ("хүрэх түвшин хоосон", "no target"),
    "target-unparsed": ("хүрэх түвшин тоон бус", "target not measurable"),
    "target-range": ("хүрэх түвшин хязгаараар", "target given as a range"),
    "target-direction-from-baseline": ("чиглэлийг суурь түвшнээс", "direction from the baseline"),
    "actual-fraction-as-percent": ("бутархайг хувь болгосон", "fraction read as a percent"),
    "actual-from-narrative": ("хүрсэн түвшин тайлбараас", "achieved value from narrative"),
    "actual-ambiguous": ("хүрсэн түвшин ойлгомжгүй", "achieved value ambiguous"),
    "actual-interpreted": ("хүрсэн түвшнийг тайлбарлаж уншсан", "achieved value interpreted"),
    "actual-unread": ("хүрсэн түвшин уншигдаагүй", "achieved value not read"),
    "self-assessed": ("өөрийн үнэлгээгээр", "self-assessed"),
    "unscored": ("үнэлэх боломжгүй", "unscored"),
    "legacy-text-converted": ("хуучин фонт хөрвүүлсэн", "legacy font converted"),
    "formula-no-value": ("томьёоны утга алга", "formula without value"),
    "evaluation-invalid": ("үнэлгээ буруу", "evaluation not a level"),
    "not-due-in-narrative": ("гүйцэтгэлд «хугацаа болоогүй» дурдсан", "narrative mentions not due"),
    "plan-changed": ("төлөвлөгөөнөөс өөрчлөгдсөн", "changed from the plan"),
    "plan-removed": ("тайлангаас хасагдсан", "removed from the report"),
}

ORIGIN_LABELS: dict[str, tuple[str, str]] = {
    "folder": ("Хавтас", "Folder"),
    "mail": ("И-мэйл", "Email"),
    "ingest": ("Хадгалсан захидал", "Saved message"),
}
