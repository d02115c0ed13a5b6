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
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.notation.clean import clean_text, is_placeholder
from pipeline.notation.numbers import STRAY_SIGNS, Analysis, NumberContext, analyse, lex, merge_cmp, role_start
from pipeline.notation.status import match_status
from pipeline.notation.vocab import NotationVocab, fold
from pipeline.words import Noted, Text

MISSING = "target-missing"
UNPARSED = "target-unparsed"
RANGE = "target-range"  # "30-50 хувь": read by its upper end, for a person to check
FROM_BASELINE = "target-direction-from-baseline"  # a bare target below the row's baseline: read as "reduce to"
# In a %-formatted cell a number from here up is far likelier typed as "85" (85 %) than a share (8500 %).
PERCENT_FORMAT_TYPED = 2.0


@dataclass(frozen=True, slots=True)
class TargetReading(Noted):
    kind: str  # "percent" | "count" | "binary" | "text"
    op: str | None  # ">=" | "<=" | "done" | None (text only)
    value: float | None  # None for binary and text
    unit: str | None  # "%", "удаа", "өрх", ...
    rule: str
    said: Text  # how the cell was read: a catalogue key and its parameters (notation.yaml `target.*`)
    flags: tuple[str, ...] = ()
    # The direction was not written ("0.25", "80%"): "at least" by default, which a baseline above the
    # target turns round (`apply_baseline`).
    implicit_op: bool = False


def fmt_number(value: float) -> str:
    value = float(value)  # callers may hand over an int (e.g. a literal 0)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def describe(kind: str, op: str | None, value: float | None, unit: str | None) -> Text:
    """The wording of a target reading."""
    if kind == "binary":
        return Text.of("notation.target.done_not_done")
    if kind == "text" or value is None or op is None:
        return Text.of("notation.target.no_measurable_target")
    number = fmt_number(value)
    comparison = Text.of("notation.target.at_least" if op == ">=" else "notation.target.at_most", op=op)
    if kind == "percent":
        return Text.of("notation.target.percent", comparison=comparison, number=number)
    return Text.of("notation.target.count", comparison=comparison, number=number, unit=f" {unit}" if unit else "")


def _reading(text: str, kind: str, op: str | None, value: float | None, unit: str | None, rule: str,
             why: Text | Sequence[Text] = (), *, flags: tuple[str, ...] = (), implicit: bool = False) -> TargetReading:  # fmt: skip
    reasons = (why,) if isinstance(why, Text) else tuple(why)
    said = Text.of("notation.target.read_as", text=text, reading=describe(kind, op, value, unit),
                   why=Text.of("notation.target.why", why=reasons) if reasons else "")
    return TargetReading(kind, op, value, unit, rule, said, flags, implicit)


def _unparsed(text: str, rule: str, why: Text) -> TargetReading:
    return TargetReading("text", None, None, None, rule, Text.of("notation.target.unparsed", text=text, why=why), (UNPARSED,))


def _missing() -> TargetReading:
    return TargetReading("text", None, None, None, "empty", Text.of("notation.target.target_empty"), (MISSING,))


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
        return _unparsed(s, "direction", Text.of("notation.target.from_fmt_number_fmt", fmt_number=fmt_number(start), fmt_number2=fmt_number(value)))  # fmt: skip
    op = ">=" if rising else "<="
    percent = second.percent or (first.percent and second.unit is None) or (percent_ctx and not (first.unit or second.unit))
    unit = "%" if percent else (second.unit or first.unit)
    why = Text.of("notation.target.from_to", start=fmt_number(start), value=fmt_number(value))
    return _reading(s, "percent" if percent else "count", op, value, unit, "from-to", why)


def _bare_number(text: str, value: float, percent_ctx: bool, percent_format: bool) -> TargetReading:
    if value < 0:
        return _unparsed(text, "negative", Text.of("notation.target.negative_number"))
    if percent_format:
        if value >= PERCENT_FORMAT_TYPED:
            # "85" in a %-formatted cell shows as 8500 %: it was typed meaning 85 %. Targets have no
            # "interpreted" problem code, so the note says it.
            return _reading(text, "percent", ">=", value, "%", "number-percent-format-typed",
                            Text.of("notation.target.formatted_cell_holding_text", text=text, fmt_number=fmt_number(value * 100)),
                            implicit=True)  # fmt: skip
        return _reading(text, "percent", "<=" if value == 0 else ">=", value * 100, "%", "number-percent-format",
                        Text.of("notation.target.percent_formatted_cell"), implicit=value != 0)  # fmt: skip
    if percent_ctx:
        if 0 < value < 1:
            return _reading(text, "percent", ">=", value * 100, "%", "percent-fraction",
                            Text.of("notation.target.fraction_under_percent_header"), implicit=True)  # fmt: skip
        return _reading(text, "percent", "<=" if value == 0 else ">=", value, "%", "number-percent-header",
                        Text.of("notation.target.header_or_indicator_speaks"), implicit=value != 0)  # fmt: skip
    if value == 0:
        return _reading(text, "count", "<=", 0.0, None, "zero", Text.of("notation.target.zero_means_none_may"))
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
        return _unparsed(str(text), "boolean", Text.of("notation.target.true_false_value"))
    if isinstance(text, (int, float)):
        value = float(text)
        if math.isnan(value):
            return _missing()
        if math.isinf(value):
            return _unparsed(str(text), "malformed", Text.of("notation.target.not_finite_number"))
        return _bare_number(fmt_number(value) if abs(value) < 1e15 else repr(value), value, percent_ctx, percent_format)
    if isinstance(text, (dt.date, dt.datetime, dt.time)):
        return _unparsed(str(text), "date", Text.of("notation.target.date_not_level"))
    s = clean_text(text if isinstance(text, str) else str(text)).text
    if is_placeholder(s):
        return _missing()
    return read_target_text(s, vocab, percent_ctx)


def read_target_text(s: str, vocab: NotationVocab, percent_ctx: bool) -> TargetReading:
    a = analyse(s, vocab)
    status = match_status(a.toks, vocab)
    if status is not None and status.full:
        if status.status == "done" and not status.mark:
            return _reading(s, "binary", "done", None, None, "done-word", Text.of("notation.target.word", word=status.word))
        return _unparsed(s, "status-word", Text.of("notation.target.status_word_word_not", word=status.word))  # fmt: skip
    words = [i for i, t in enumerate(a.toks) if t.kind in ("word", "num", "date")]
    if words and all(a.roles[i] is not None and a.roles[i][0] == "done_word" for i in words):  # type: ignore[index]
        return _reading(s, "binary", "done", None, None, "done-word", Text.of("notation.target.word", word=a.role_text[words[0]]))
    candidates = [c for c in a.contexts if not c.excluded]
    if not candidates:
        if any(r is not None and r[0] in ("cmp", "cmp_than") for r in a.roles) and not a.contexts:
            # "Батлагдсан төсөвт өртгөөс багагүй байх": compared with a figure the cell does not give.
            return _unparsed(s, "no-number", Text.of("notation.target.comparison_with_no_figure"))  # fmt: skip
        state = done_state_word(a, vocab)
        if state is not None:
            return _reading(s, "binary", "done", None, None, "done-state", Text.of("notation.target.state_reach_state", state=state))
        if any(c.excluded == "reference" for c in a.contexts):
            listed = ", ".join(c.num.text for c in a.contexts if c.excluded == "reference")
            return _unparsed(s, "reference", Text.of("notation.target.listed_clause_or_article", listed=listed))  # fmt: skip
        if any(c.num.date or c.excluded == "year" or c.year_like for c in a.contexts):
            return _unparsed(s, "year-only", Text.of("notation.target.only_year_or_date"))
        return _unparsed(s, "no-number", Text.of("notation.target.no_number_no_state"))
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
            return _unparsed(s, "several-numbers", Text.of("notation.target.several_numbers_listed_nothing", listed=listed))  # fmt: skip
        candidates = with_cmp
    return _from_context(s, a, candidates[0], vocab, percent_ctx, several=len(a.contexts) > 1)


def _from_context(s: str, a: Analysis, c: NumberContext, vocab: NotationVocab, percent_ctx: bool,
                  several: bool) -> TargetReading:  # fmt: skip
    num = c.num
    if num.problem == "thousands-ambiguous":
        return _unparsed(s, "ambiguous-number", Text.of("notation.target.text_may_decimal_or", text=num.text))  # fmt: skip
    if num.problem == "negative":
        return _unparsed(s, "negative", Text.of("notation.target.negative_number"))
    if num.problem == "about":
        # "~80%": about 80 %. A target has no "interpreted" flag, so a loose level is reported, not read.
        return _unparsed(s, "about", Text.of("notation.target.before_number_means_about", fmt_number=fmt_number(num.value or 0.0)))  # fmt: skip
    if num.problem == "letter-o":
        # "8О%": 80 % with a letter O for the zero, most likely; a target cannot carry "please check", so
        # the reading is reported rather than taken.
        shown = fmt_number(num.value) if num.value is not None else "?"
        typed = original(s, a, num.first, num.last)
        return _unparsed(s, "letter-o", Text.of("notation.target.typed_read_shown_letter", typed=typed, shown=shown))  # fmt: skip
    if num.problem == "compound":
        return _unparsed(s, "malformed", Text.of("notation.target.number_words_text_do", text=num.text))  # fmt: skip
    if num.problem or num.value is None:
        return _unparsed(s, "malformed", Text.of("notation.target.number_text_not_well", text=num.text))
    if c.relative:
        return _unparsed(s, "relative", Text.of("notation.target.ratio_n_times_not"))
    if a.has_role("about"):
        # "80 орчим хувь", "80 гаруй хувь": about or over 80 %, as "~80%": no firm level.
        return _unparsed(s, "about", Text.of("notation.target.text_given_approximate_figure", text=num.text))  # fmt: skip
    sign = _sign_after(a, c, vocab)
    if sign == "ambiguous":
        mark = a.texts[c.sign_after]
        return _unparsed(s, "sign-after", Text.of("notation.target.sign_mark_after_number", mark=mark))  # fmt: skip
    if sign:
        c.cmp = merge_cmp(c.cmp, sign)
    if c.cmp == "conflict":
        return _unparsed(s, "conflict", Text.of("notation.target.both_not_less_not"))
    if c.year_like and not (c.unit or c.percent or c.cmp):
        return _unparsed(s, "year-only", Text.of("notation.target.text_looks_like_year", text=num.text))
    op = c.cmp
    why: list[Text] = []
    reduce = a.has_role("reduce")
    increase = a.has_role("increase")
    pct_case = vocab.case_of(c.percent_word, min_len=1) if c.percent_word and c.percent_word != "%" else None
    if reduce or increase:
        by = num.case == "instrumental" or pct_case == "instrumental"
        to = c.to or num.case == "dative" or pct_case == "dative"
        if reduce and increase and op is None:
            return _unparsed(s, "direction", Text.of("notation.target.both_reduce_increase_words"))
        # "10-аас доошгүй хувиар нэмэгдүүлэх" is a change of at least 10 %, still not a level; only
        # "reduce below N" ("10 хувиас доош бууруулах") states a level without a "to" word.
        if by or (not to and not (reduce and op == "<=")):
            return _unparsed(s, "change-by", Text.of("notation.target.change_text_cannot_compared", text=num.text))  # fmt: skip
        if c.percent and c.to and not (num.case == "dative" or pct_case == "dative" or a.has_role("label") or percent_ctx):
            # "төлбөрийг 40% хүртэл бууруулах": by up to 40 %, or to 40 %? Only a rate or level
            # ("түвшинг 5 хувь хүртэл", "Хамрагдалт 90 хувь хүртэл") is reduced or raised *to* a percent.
            return _unparsed(s, "up-to-percent", Text.of("notation.target.text_may_mean_up", text=num.text))  # fmt: skip
        if op is None:
            op = "<=" if reduce else ">="
            why.append(Text.of("notation.target.reduce_to" if reduce else "notation.target.raise_to"))
    elif op is None and (c.than or c.unknown):
        # "Таваас ...", "80 хувиас ..." mean "than five", "than 80 %": without a known comparison word the
        # direction is unknown, and "at least" would be a guess.
        unknown = (Text.of("notation.target.words_shown", words=", ".join(c.unknown)) if c.unknown
                 else Text.of("notation.target.no_known_word"))
        return _unparsed(s, "unknown-comparison", Text.of("notation.target.needs_comparison_word", text=num.text, shown=unknown))
    if c.unknown:
        # "95-аас доошгүй, хэтрүүлэхгүй": a known word and an unknown limiting word may say opposite things.
        return _unparsed(s, "unknown-comparison", Text.of("notation.target.word_value_beside_text", value=', '.join(c.unknown), text=num.text))  # fmt: skip
    if op is None and _stray_comparison(a, c, vocab):
        # "Хэтрэхгүй: 5": a comparison word that does not stand where it binds the number.
        return _unparsed(s, "unknown-comparison", Text.of("notation.target.comparison_word_stands_apart"))  # fmt: skip
    elif op is None and c.to:
        return _unparsed(s, "up-to", Text.of("notation.target.up_text_without_saying", text=num.text))  # fmt: skip
    value = num.value
    flags: tuple[str, ...] = ()
    if num.high is not None:
        if value == 0 and op in (None, "<="):
            # "0-40%": from none up to 40 %, an at-most target at its upper end.
            op = "<="
            why.append(Text.of("notation.target.runs_from_zero", text=num.text))
        else:
            # "30-50 хувь", "2-3 удаа": the lower end would credit the department with the least it
            # promised; the upper end is the whole promise. Read so, and flagged for a person.
            flags = (RANGE,)
            why.append(Text.of("notation.target.range_upper_end", text=num.text))
        value = num.high
    percent = c.percent
    if not percent and c.unit is None:
        if not several and a.has_role("percent"):
            percent = True
        elif percent_ctx:
            percent = True
            if 0 < value < 1 and not num.word:
                value *= 100
                why.append(Text.of("notation.target.fraction_under_percent_header"))
            why.append(Text.of("notation.target.header_or_indicator_speaks"))
    implicit = op is None and value != 0
    if op is None:
        op = "<=" if value == 0 else ">="
        if value == 0:
            why.append(Text.of("notation.target.zero_means_none_may"))
    kind = "percent" if percent else "count"
    unit = "%" if percent else c.unit
    rate = _rate_word(a) if kind == "count" else None
    if rate is not None:
        return _unparsed(s, "rate", Text.of("notation.target.rate_fmt_number_per", fmt_number=fmt_number(value), rate=rate))  # fmt: skip
    rule = "percent" if c.percent else ("number-percent-header" if percent and percent_ctx else "number")
    if kind == "percent" and not c.percent and not percent_ctx:
        rule = "percent-word"
    if num.high is not None:
        rule = "range" if flags else "range-from-zero"
    return _reading(s, kind, op, value, unit, rule, why, flags=flags, implicit=implicit)
