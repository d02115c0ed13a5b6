"""Reading a target (Хүрэх түвшин): a percent or a count with "at least"/"at most", a state, or text.

A number is only taken when the grammar says it is the target: years, dates, ordinals ("2-р улиралд"),
durations ("7 хоногийн дотор") and references are set aside, and when more than one number is left
the one with a comparison word ("-аас доошгүй") wins or none is taken. A change "by" an amount
("5 хувиар бууруулах") cannot be compared with an achieved level and is reported, never turned into
a level.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from pipeline.notation.clean import clean_text, is_placeholder
from pipeline.notation.numbers import STRAY_SIGNS, Analysis, NumberContext, analyse, lex, merge_cmp, role_start
from pipeline.notation.status import match_status
from pipeline.notation.vocab import NotationVocab, fold

MISSING = "target-missing"
UNPARSED = "target-unparsed"
RANGE = "target-range"  # "30-50 хувь": read by its upper end, for a person to check
FROM_BASELINE = "target-direction-from-baseline"  # a bare target below the row's baseline: read as "reduce to"
# In a %-formatted cell a number from here up is far likelier typed as "85" (85 %) than a share (8500 %).
PERCENT_FORMAT_TYPED = 2.0


@dataclass(frozen=True, slots=True)
class TargetReading:
    kind: str  # "percent" | "count" | "binary" | "text"
    op: str | None  # ">=" | "<=" | "done" | None (text only)
    value: float | None  # None for binary and text
    unit: str | None  # "%", "удаа", "өрх", ...
    rule: str
    note: str
    note_mn: str
    flags: tuple[str, ...] = ()
    # The direction was not written ("0.25", "80%"): "at least" by default, which a baseline above the
    # target turns round (`apply_baseline`).
    implicit_op: bool = False


def fmt_number(value: float) -> str:
    value = float(value)  # callers may hand over an int (e.g. a literal 0)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


_OP_EN = {">=": "at least", "<=": "at most"}


def describe(kind: str, op: str | None, value: float | None, unit: str | None) -> tuple[str, str]:
    """(English, Mongolian) wording of a target reading."""
    if kind == "binary":
        return "done / not done", "биелсэн эсэх (тийм/үгүй)"
    if kind == "text" or value is None or op is None:
        return "no measurable target", "тоон түвшингүй"
    number = fmt_number(value)
    if kind == "percent":
        return f"{_OP_EN[op]} {number} %", f"хувь {op} {number}"
    unit_part = f" {unit}" if unit else ""
    return f"{_OP_EN[op]} {number}{unit_part}", f"тоо {op} {number}{unit_part}"


def _reading(text: str, kind: str, op: str | None, value: float | None, unit: str | None, rule: str,
             why_en: str = "", why_mn: str = "", *, flags: tuple[str, ...] = (), implicit: bool = False) -> TargetReading:  # fmt: skip
    en, mn = describe(kind, op, value, unit)
    note = f"`{text}` read as {en}" + (f" ({why_en})" if why_en else "")
    note_mn = f"`{text}` гэснийг {mn} гэж уншлаа" + (f" ({why_mn})" if why_mn else "")
    return TargetReading(kind, op, value, unit, rule, note, note_mn, flags, implicit)


def _unparsed(text: str, rule: str, why_en: str, why_mn: str) -> TargetReading:
    return TargetReading(
        "text", None, None, None, rule,
        f"No measurable target in `{text}`: {why_en}",
        f"`{text}` гэснээс тоон түвшин, нөхцөл тодорхойлсонгүй: {why_mn}",
        (UNPARSED,),
    )  # fmt: skip


def _missing() -> TargetReading:
    return TargetReading("text", None, None, None, "empty", "The target is empty", "Хүрэх түвшин хоосон байна", (MISSING,))


def says_percent(text: str | None, vocab: NotationVocab) -> bool:
    """Whether an indicator or header speaks of percent ("Хэрэгжилтийн хувиар", "…, %")."""
    if not text:
        return False
    toks = lex(fold(text))
    texts = [t.text for t in toks]
    for i in range(len(toks)):
        phrase = vocab.target.match(texts, i)
        if phrase is not None and phrase.meaning[0] == "percent":
            return True
    return False


def done_state_word(a: Analysis, vocab: NotationVocab) -> str | None:
    """The word that makes a target a state to reach ("... шинэчлэгдсэн байна."), if any."""
    words = [i for i, t in enumerate(a.toks) if t.kind == "word"]
    if not words:
        return None
    last = words[-1]
    role = a.roles[last]
    if role is not None and role[0] == "done_state":
        return a.role_text[last]
    if role is not None and role[0] == "reference":
        return None  # "4.2-т заасан": "stated in 4.2", not a state reached
    word = a.texts[last]
    for ending in vocab.done_state_endings:
        if word.endswith(ending) and len(word) >= len(ending) + 3:
            return word
    return None


_ROMAN_WORD = re.compile("[ivxі]+")


def original(s: str, a: Analysis, first: int, last: int) -> str:
    """The cell's own text of tokens first..last (the folded text when folding changed its length)."""
    if len(a.folded) != len(s):
        return a.folded[a.toks[first].start : a.toks[last].end]
    return s[a.toks[first].start : a.toks[last].end]


def _sign_after(a: Analysis, c: NumberContext, vocab: NotationVocab) -> str:
    """The comparison a sign written after the number states: ">=" / "<=" after a "than" form
    ("95-аас <", "95 хувиас >"), "ambiguous" after a plain number ("95%<", "95%‹"), "" when there is none.
    A guillemet followed by words is a quotation mark ("80% «...»"), not a sign."""
    k = c.sign_after
    if k < 0:
        return ""
    mark = a.toks[k]
    if mark.text in STRAY_SIGNS:
        if any(t.kind in ("word", "num") for t in a.toks[k + 1 :]):
            return ""
        return "ambiguous"
    than = c.num.case == "ablative" or any(
        t.kind == "word" and (vocab.endings.get(t.text) == "ablative" or (a.roles[j] is not None and a.roles[j][0] == "percent"  # type: ignore[index]
                                                                           and vocab.case_of(t.text, min_len=2) == "ablative"))
        for j, t in enumerate(a.toks[c.num.last + 1 : k], start=c.num.last + 1)
    )  # fmt: skip
    if not than:
        return "ambiguous"
    return ">=" if mark.text in (">", ">=", "≥") else "<="


def _rate_word(a: Analysis) -> str | None:
    """A "per period" word ("Сард", "улирал бүр") that makes a count a rate, if any. After an ordinal or
    a Roman numeral the word names one period ("3-р улиралд", "IV улиралд"), not a rate."""
    ends = {num.last: num for num in a.nums}
    for k, role in enumerate(a.roles):
        if role is None or role[0] != "rate" or not role_start(a, k):
            continue
        before = ends.get(k - 1)
        if before is not None and before.case == "ordinal":
            continue
        if k > 0 and a.toks[k - 1].kind == "word" and _ROMAN_WORD.fullmatch(a.texts[k - 1]):
            continue
        return a.role_text[k]
    return None


def _stray_comparison(a: Analysis, c: NumberContext, vocab: NotationVocab) -> bool:
    """Whether a negative comparison word ("хэтрэхгүй", "доошгүй") stands in the cell without binding the
    number. Plain comparatives ("их", "олон", "бага") are ordinary words elsewhere ("олон нийт") and do not count."""
    window = set(_window_of(a, c))
    return any(
        role is not None and role[0] == "cmp" and k not in window and a.texts[k].endswith(vocab.negation_endings)
        for k, role in enumerate(a.roles)
    )


def _window_of(a: Analysis, c: NumberContext) -> range:
    return range(c.num.first, min(len(a.toks), c.num.last + 6))


def _from_to(s: str, a: Analysis, candidates: list[NumberContext], vocab: NotationVocab, percent_ctx: bool) -> TargetReading | None:
    """"12 хувиас 20 хувьд хүргэх", "0.30-аас 0.25 болгох", "12 хувь байсныг 20 хувьд хүргэх": a rise or a
    fall from one figure to another. The target is the second figure; the direction is the one both the
    figures and the verb give. None when the cell does not take this form (the caller flags it)."""
    if len(candidates) != 2:
        return None
    first, second = candidates
    if not (first.than or first.start) or not (second.dative or second.to or second.become):
        return None
    reduce, increase = a.has_role("reduce"), a.has_role("increase")
    if not (reduce or increase or second.become or a.has_role("become")):
        return None  # "12-оос 20": a range or two figures, not a change
    for c in (first, second):
        if c.num.problem or c.num.value is None or c.num.high is not None or c.cmp or c.relative or c.unknown:
            return None
    start, value = first.num.value, second.num.value
    assert start is not None and value is not None
    rising = value > start
    if value == start or (reduce and increase) or (increase and not rising) or (reduce and rising):
        return _unparsed(s, "direction", f"from {fmt_number(start)} to {fmt_number(value)} does not agree with the verb",
                         f"{fmt_number(start)}-аас {fmt_number(value)} хүртэл гэсэн нь үйл үгтэйгээ зөрж байна")  # fmt: skip
    op = ">=" if rising else "<="
    percent = second.percent or (first.percent and second.unit is None) or (percent_ctx and not (first.unit or second.unit))
    unit = "%" if percent else (second.unit or first.unit)
    why_en = f"from {fmt_number(start)} to {fmt_number(value)}: the target is {fmt_number(value)}"
    why_mn = f"{fmt_number(start)}-аас {fmt_number(value)} болгох тул хүрэх түвшин {fmt_number(value)}"
    return _reading(s, "percent" if percent else "count", op, value, unit, "from-to", why_en, why_mn)


def _bare_number(text: str, value: float, percent_ctx: bool, percent_format: bool) -> TargetReading:
    if value < 0:
        return _unparsed(text, "negative", "a negative number", "сөрөг тоо")
    if percent_format:
        if value >= PERCENT_FORMAT_TYPED:
            # "85" in a %-formatted cell shows as 8500 %: it was typed meaning 85 %. Targets have no
            # "interpreted" problem code, so the note says it.
            return _reading(text, "percent", ">=", value, "%", "number-percent-format-typed",
                            f"a %-formatted cell holding {text}: taken as {text} %, not {fmt_number(value * 100)} %",
                            f"хувийн форматтай нүдэнд {text} гэж бичсэнийг {fmt_number(value * 100)} % биш {text} % гэж үзлээ",
                            implicit=True)  # fmt: skip
        return _reading(text, "percent", "<=" if value == 0 else ">=", value * 100, "%", "number-percent-format",
                        "a percent-formatted cell", "хувийн форматтай нүд", implicit=value != 0)  # fmt: skip
    if percent_ctx:
        if 0 < value < 1:
            return _reading(text, "percent", ">=", value * 100, "%", "percent-fraction",
                            "a fraction under a percent header", "хувийн баганад бутархайгаар бичсэн", implicit=True)  # fmt: skip
        return _reading(text, "percent", "<=" if value == 0 else ">=", value, "%", "number-percent-header",
                        "the header or indicator speaks of percent", "гарчиг эсвэл шалгуур үзүүлэлт нь хувиар", implicit=value != 0)  # fmt: skip
    if value == 0:
        return _reading(text, "count", "<=", 0.0, None, "zero", "zero means none may happen", "тэг нь огт гаргахгүй гэсэн утгатай")
    return _reading(text, "count", ">=", value, None, "number", implicit=True)


def parse_target(
    text: object,
    vocab: NotationVocab,
    *,
    percent_header: bool = False,
    indicator: str | None = None,
    percent_format: bool = False,
) -> TargetReading:
    """Read a target cell. `percent_header`/`indicator` make a bare number a percent; `percent_format`
    (the cell is formatted as %) makes a numeric 0.8 read as 80 %."""
    percent_ctx = percent_header or says_percent(indicator, vocab)
    if text is None:
        return _missing()
    if isinstance(text, bool):
        return _unparsed(str(text), "boolean", "a TRUE/FALSE value", "үнэн/худал утга")
    if isinstance(text, (int, float)):
        value = float(text)
        if math.isnan(value):
            return _missing()
        if math.isinf(value):
            return _unparsed(str(text), "malformed", "not a finite number", "тоо биш")
        return _bare_number(fmt_number(value) if abs(value) < 1e15 else repr(value), value, percent_ctx, percent_format)
    if isinstance(text, (dt.date, dt.datetime, dt.time)):
        return _unparsed(str(text), "date", "a date, not a level", "огноо нь түвшин биш")
    s = clean_text(text if isinstance(text, str) else str(text)).text
    if is_placeholder(s):
        return _missing()
    return read_target_text(s, vocab, percent_ctx)


def read_target_text(s: str, vocab: NotationVocab, percent_ctx: bool) -> TargetReading:
    a = analyse(s, vocab)
    status = match_status(a.toks, vocab)
    if status is not None and status.full:
        if status.status == "done" and not status.mark:
            return _reading(s, "binary", "done", None, None, "done-word", f"`{status.word}`", f"`{status.word}`")
        return _unparsed(s, "status-word", f"the status word `{status.word}` is not a target",
                         f"`{status.word}` нь төлөвийн үг, хүрэх түвшин биш")  # fmt: skip
    words = [i for i, t in enumerate(a.toks) if t.kind in ("word", "num", "date")]
    if words and all(a.roles[i] is not None and a.roles[i][0] == "done_word" for i in words):  # type: ignore[index]
        return _reading(s, "binary", "done", None, None, "done-word", f"`{a.role_text[words[0]]}`", f"`{a.role_text[words[0]]}`")
    candidates = [c for c in a.contexts if not c.excluded]
    if not candidates:
        if any(r is not None and r[0] in ("cmp", "cmp_than") for r in a.roles) and not a.contexts:
            # "Батлагдсан төсөвт өртгөөс багагүй байх": compared with a figure the cell does not give.
            return _unparsed(s, "no-number", "a comparison with no figure to compare with",
                             "харьцуулах үг байгаа боловч харьцуулах тоо алга")  # fmt: skip
        state = done_state_word(a, vocab)
        if state is not None:
            return _reading(s, "binary", "done", None, None, "done-state", f"a state to reach: `{state}`", f"хүрэх төлөв: `{state}`")
        if any(c.excluded == "reference" for c in a.contexts):
            listed = ", ".join(c.num.text for c in a.contexts if c.excluded == "reference")
            return _unparsed(s, "reference", f"`{listed}` is a clause or article number, not a level",
                             f"`{listed}` нь хууль, журмын заалтын дугаар, түвшин биш")  # fmt: skip
        if any(c.num.date or c.excluded == "year" or c.year_like for c in a.contexts):
            return _unparsed(s, "year-only", "only a year or a date, no quantity", "зөвхөн он, огноо байна, тоон түвшин алга")
        return _unparsed(s, "no-number", "no number and no state to reach", "тоо ч, хүрэх төлөв ч олдсонгүй")
    if len(candidates) > 1:
        rise = _from_to(s, a, candidates, vocab, percent_ctx)
        if rise is not None:
            return rise
        with_cmp = [c for c in candidates if c.cmp or c.sign_after >= 0]  # "95%< 100": one sign, two numbers
        # "бакалаврт 2.8-аас, магистрт 3.0-оос доошгүй": a second "than" form shares the comparison, so
        # there are two targets, not one.
        if len(with_cmp) == 1 and any(c.than for c in candidates if c is not with_cmp[0]):
            with_cmp = []
        if len(with_cmp) != 1:
            listed = ", ".join(c.num.text for c in candidates)
            return _unparsed(s, "several-numbers", f"several numbers ({listed}) and nothing says which is the target",
                             f"хэд хэдэн тоо ({listed}) байгаа тул аль нь хүрэх түвшин болохыг тодорхойлсонгүй")  # fmt: skip
        candidates = with_cmp
    return _from_context(s, a, candidates[0], vocab, percent_ctx, several=len(a.contexts) > 1)


def _from_context(s: str, a: Analysis, c: NumberContext, vocab: NotationVocab, percent_ctx: bool,
                  several: bool) -> TargetReading:  # fmt: skip
    num = c.num
    if num.problem == "thousands-ambiguous":
        return _unparsed(s, "ambiguous-number", f"`{num.text}` may be a decimal or thousands",
                         f"`{num.text}` нь бутархай эсвэл мянгат байж болох тул тодорхойгүй")  # fmt: skip
    if num.problem == "negative":
        return _unparsed(s, "negative", "a negative number", "сөрөг тоо")
    if num.problem == "about":
        # "~80%": about 80 %. A target has no "interpreted" flag, so a loose level is reported, not read.
        return _unparsed(s, "about", f"`~` before the number means 'about {fmt_number(num.value or 0.0)}', not a firm level",
                         f"`~` нь 'ойролцоогоор {fmt_number(num.value or 0.0)}' гэсэн утгатай тул тогтсон түвшин биш")  # fmt: skip
    if num.problem == "letter-o":
        # "8О%": 80 % with a letter O for the zero, most likely; a target cannot carry "please check", so
        # the reading is reported rather than taken.
        shown = fmt_number(num.value) if num.value is not None else "?"
        typed = original(s, a, num.first, num.last)
        return _unparsed(s, "letter-o", f"`{typed}` read as {shown}? a letter O seems typed for the digit zero; please check",
                         f"`{typed}` гэснийг {shown} гэж уншив уу? тэгийн оронд О үсэг бичсэн бололтой тул шалгана уу")  # fmt: skip
    if num.problem == "compound":
        return _unparsed(s, "malformed", f"the number words `{num.text}` do not form one number",
                         f"`{num.text}` гэсэн тоон үгс нэг тоо болохгүй байна")  # fmt: skip
    if num.problem or num.value is None:
        return _unparsed(s, "malformed", f"the number `{num.text}` is not well formed", f"`{num.text}` тоо буруу бичигдсэн")
    if c.relative:
        return _unparsed(s, "relative", "a ratio ('N times') is not a level", "харьцаа (дахин) нь түвшин биш")
    if a.has_role("about"):
        # "80 орчим хувь", "80 гаруй хувь": about or over 80 %, as "~80%": no firm level.
        return _unparsed(s, "about", f"`{num.text}` is given as an approximate figure, not a firm level",
                         f"`{num.text}` нь ойролцоо тоо тул тогтсон түвшин биш")  # fmt: skip
    sign = _sign_after(a, c, vocab)
    if sign == "ambiguous":
        mark = a.texts[c.sign_after]
        return _unparsed(s, "sign-after", f"the sign `{mark}` after the number may mean 'at least' or 'at most'; write it before the number",
                         f"тооны ард бичсэн `{mark}` тэмдэг нь 'багагүй', 'ихгүй'-н аль нь болох тодорхойгүй; тэмдгийг тооны өмнө бичнэ үү")  # fmt: skip
    if sign:
        c.cmp = merge_cmp(c.cmp, sign)
    if c.cmp == "conflict":
        return _unparsed(s, "conflict", "both 'not less' and 'not more' words", "доошгүй, ихгүй гэсэн зөрүүтэй үг хоёулаа байна")
    if c.year_like and not (c.unit or c.percent or c.cmp):
        return _unparsed(s, "year-only", f"`{num.text}` looks like a year", f"`{num.text}` нь он байж болзошгүй")
    op = c.cmp
    why_en: list[str] = []
    why_mn: list[str] = []
    reduce = a.has_role("reduce")
    increase = a.has_role("increase")
    pct_case = vocab.case_of(c.percent_word, min_len=1) if c.percent_word and c.percent_word != "%" else None
    if reduce or increase:
        by = num.case == "instrumental" or pct_case == "instrumental"
        to = c.to or num.case == "dative" or pct_case == "dative"
        if reduce and increase and op is None:
            return _unparsed(s, "direction", "both 'reduce' and 'increase' words", "бууруулах, нэмэгдүүлэх үг хоёулаа байна")
        # "10-аас доошгүй хувиар нэмэгдүүлэх" is a change of at least 10 %, still not a level; only
        # "reduce below N" ("10 хувиас доош бууруулах") states a level without a "to" word.
        if by or (not to and not (reduce and op == "<=")):
            return _unparsed(s, "change-by", f"a change by `{num.text}` cannot be compared with an achieved level",
                             f"`{num.text}`-аар өөрчлөх гэсэн нь хүрэх түвшин биш тул харьцуулах боломжгүй")  # fmt: skip
        if c.percent and c.to and not (num.case == "dative" or pct_case == "dative" or a.has_role("label") or percent_ctx):
            # "төлбөрийг 40% хүртэл бууруулах": by up to 40 %, or to 40 %? Only a rate or level
            # ("түвшинг 5 хувь хүртэл", "Хамрагдалт 90 хувь хүртэл") is reduced or raised *to* a percent.
            return _unparsed(s, "up-to-percent", f"'{num.text} % хүртэл' may mean 'by up to' or 'to' {num.text} %",
                             f"'{num.text} % хүртэл' нь '{num.text} хувиар' эсвэл '{num.text} хувьд хүртэл' гэсний аль нь болох тодорхойгүй")  # fmt: skip
        if op is None:
            op = "<=" if reduce else ">="
            why_en.append("reduce to" if reduce else "raise to")
            why_mn.append("хүртэл бууруулах" if reduce else "хүртэл нэмэгдүүлэх")
    elif op is None and (c.than or c.unknown):
        # "Таваас ...", "80 хувиас ..." mean "than five", "than 80 %": without a known comparison word the
        # direction is unknown, and "at least" would be a guess.
        shown = f"`{', '.join(c.unknown)}`" if c.unknown else "no known word"
        return _unparsed(s, "unknown-comparison", f"`{num.text}` needs a comparison word ('доошгүй', 'хэтрэхгүй'); {shown} is not known",
                         f"`{num.text}` гэсний харьцуулах үг (доошгүй, хэтрэхгүй г.м.) танигдсангүй")  # fmt: skip
    if c.unknown:
        # "95-аас доошгүй, хэтрүүлэхгүй": a known word and an unknown limiting word may say opposite things.
        return _unparsed(s, "unknown-comparison", f"the word `{', '.join(c.unknown)}` beside `{num.text}` may limit it and is not known",
                         f"`{num.text}`-ын хажууд бичсэн `{', '.join(c.unknown)}` үг танигдсангүй")  # fmt: skip
    if op is None and _stray_comparison(a, c, vocab):
        # "Хэтрэхгүй: 5": a comparison word that does not stand where it binds the number.
        return _unparsed(s, "unknown-comparison", "a comparison word stands apart from the number",
                         "харьцуулах үг тооноос тусдаа бичигдсэн тул аль тоонд хамаарах нь тодорхойгүй")  # fmt: skip
    elif op is None and c.to:
        return _unparsed(s, "up-to", f"'up to {num.text}' without saying whether to raise or reduce",
                         f"'{num.text} хүртэл' гэснээс нэмэх, бууруулахын аль нь болох тодорхойгүй")  # fmt: skip
    value = num.value
    flags: tuple[str, ...] = ()
    if num.high is not None:
        if value == 0 and op in (None, "<="):
            # "0-40%": from none up to 40 %, an at-most target at its upper end.
            op = "<="
            why_en.append(f"`{num.text}` runs from 0: at most its upper end")
            why_mn.append(f"`{num.text}` 0-ээс эхэлсэн тул дээд хязгаараас ихгүй")
        else:
            # "30-50 хувь", "2-3 удаа": the lower end would credit the department with the least it
            # promised; the upper end is the whole promise. Read so, and flagged for a person.
            flags = (RANGE,)
            why_en.append(f"a range `{num.text}`: read by its upper end, please check")
            why_mn.append(f"`{num.text}` хүрээ тул дээд хязгаараар нь уншлаа, шалгана уу")
        value = num.high
    percent = c.percent
    if not percent and c.unit is None:
        if not several and a.has_role("percent"):
            percent = True
        elif percent_ctx:
            percent = True
            if 0 < value < 1 and not num.word:
                value *= 100
                why_en.append("a fraction under a percent header")
                why_mn.append("хувийн баганад бутархайгаар бичсэн")
            why_en.append("the header or indicator speaks of percent")
            why_mn.append("гарчиг эсвэл шалгуур үзүүлэлт нь хувиар")
    implicit = op is None and value != 0
    if op is None:
        op = "<=" if value == 0 else ">="
        if value == 0:
            why_en.append("zero means none may happen")
            why_mn.append("тэг нь огт гаргахгүй гэсэн утгатай")
    kind = "percent" if percent else "count"
    unit = "%" if percent else c.unit
    rate = _rate_word(a) if kind == "count" else None
    if rate is not None:
        return _unparsed(s, "rate", f"a rate: {fmt_number(value)} per period (`{rate}`), not the year's total",
                         f"давтамж: `{rate}` {fmt_number(value)}, жилийн нийт тоо биш")  # fmt: skip
    rule = "percent" if c.percent else ("number-percent-header" if percent and percent_ctx else "number")
    if kind == "percent" and not c.percent and not percent_ctx:
        rule = "percent-word"
    if num.high is not None:
        rule = "range" if flags else "range-from-zero"
    return _reading(s, kind, op, value, unit, rule, "; ".join(why_en), "; ".join(why_mn), flags=flags, implicit=implicit)
