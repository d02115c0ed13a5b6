"""`explain`: how one string is read, step by step, for a specialist checking a surprising reading."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pipeline.notation.actual import parse_actual, read_actual_text
from pipeline.notation.baseline import apply_baseline
from pipeline.notation.clean import clean_text
from pipeline.notation.numbers import analyse
from pipeline.notation.target import TargetReading, parse_target
from pipeline.notation.timeframe import parse_timeframe, read_timeframe_text
from pipeline.notation.vocab import NotationVocab
from pipeline.words import Text

# The fields of measures.csv a single reading can fill, plus the rule that read it; the others stay null.
RECORD_FIELDS = ("quarters", "due", "target_kind", "target_op", "target_value", "actual_value", "status", "level", "flags", "rule")


def read_as_target(text: object, vocab: NotationVocab, *, percent_header: bool = False, indicator: str | None = None,
                   baseline: object = None) -> TargetReading:  # fmt: skip
    """A target read as `normalise` reads it: with the row's indicator and baseline."""
    return apply_baseline(parse_target(text, vocab, percent_header=percent_header, indicator=indicator), baseline, vocab)


def record(
    text: object,
    as_: str,
    vocab: NotationVocab,
    *,
    by_month: bool = False,
    percent_header: bool = False,
    indicator: str | None = None,
    baseline: object = None,
    quarter: int | None = None,
) -> dict[str, Any]:
    """One string's reading as the fields of measures.csv (`RECORD_FIELDS`), for other tools. `due` needs
    the period's quarter; `level` is the scorer's and stays null here."""
    out: dict[str, Any] = dict.fromkeys(RECORD_FIELDS)
    out["flags"] = []
    if as_ == "timeframe":
        tf = parse_timeframe(text, vocab, by_month=by_month)
        out["quarters"] = ",".join(str(q) for q in tf.quarters)
        if quarter is not None:
            out["due"] = tf.status != "not_due" and (not tf.quarters or tf.quarters[0] <= quarter)
        out["status"] = tf.status
        if tf.confidence == "interpreted":
            out["flags"] = ["timeframe-interpreted"]
        elif tf.confidence == "invalid" and tf.status is None:
            out["flags"] = ["timeframe-invalid"]
        out["rule"] = tf.rule
    elif as_ == "target":
        t = read_as_target(text, vocab, percent_header=percent_header, indicator=indicator, baseline=baseline)
        out.update(target_kind=t.kind, target_op=t.op or "", target_value=t.value, flags=list(t.flags), rule=t.rule)
    else:
        a = parse_actual(text, vocab, percent_header=percent_header)
        out.update(actual_value=a.value, status=a.status, flags=list(a.flags), rule=a.rule)
    return out

_ROLE_EN = {
    "cmp": "comparison", "cmp_than": "comparison after a 'than' form", "about": "approximate", "plan": "the plan, not the result",
    "reduce": "reduce", "increase": "increase", "to": "'to the level'", "relative": "ratio",
    "percent": "percent", "label": "label", "time": "time/duration", "year": "year", "done_state": "state reached",
    "done_word": "yes/done", "unit": "unit", "rate": "per period (a rate)", "reference": "clause reference",
}  # fmt: skip
_ROLE_MN = {
    "cmp": "харьцуулалт", "cmp_than": "-аас хэлбэрийн дараах харьцуулалт", "about": "ойролцоо", "plan": "төлөвлөгөө",
    "reduce": "бууруулах", "increase": "нэмэгдүүлэх", "to": "түвшинд хүргэх", "relative": "харьцаа",
    "percent": "хувь", "label": "нэр", "time": "хугацаа", "year": "он", "done_state": "хүрсэн төлөв",
    "done_word": "тийм/хийгдсэн", "unit": "нэгж", "rate": "давтамж", "reference": "заалтын дугаар",
}  # fmt: skip
_EXCLUDED_EN = {
    "date": "a date", "year": "a year", "time": "a time or duration", "ordinal": "an ordinal (Nth)",
    "reference": "a reference number", "fraction": "part of a fraction", "weak-word": "a number word not used as a quantity",
}  # fmt: skip
_EXCLUDED_MN = {
    "date": "огноо", "year": "он", "time": "хугацаа", "ordinal": "дэс тоо", "reference": "дугаар", "fraction": "бутархай",
    "weak-word": "тоо хэмжээ заагаагүй тоон үг",
}  # fmt: skip


def explain(
    text: object,
    as_: Literal["timeframe", "target", "actual"] | str,
    vocab: NotationVocab,
    *,
    lang: str = "mn",
    by_month: bool = False,
    percent_header: bool = False,
    indicator: str | None = None,
    baseline: object = None,
) -> list[str]:
    """Lines saying how `text` is read as a timeframe, target or achieved value, and why."""
    en = lang == "en"
    lines: list[str] = []

    def say(english: str | Text, mongolian: str = "") -> None:
        """A line from the catalogue (`Text`), or one still given in both languages."""
        lines.append(english.render(lang) if isinstance(english, Text) else english if en else mongolian)

    say(Text.of("notation.explain.input_text_r", text=text))
    if isinstance(text, str):
        cleaned = clean_text(text)
        if cleaned.text != text:
            say(Text.of("notation.explain.cleaned_text_r", text=cleaned.text))
        if cleaned.legacy_converted:
            say(Text.of("notation.explain.typed_legacy_bit_font"))
        s = cleaned.text
    else:
        s = ""
        kind = "empty" if text is None else type(text).__name__
        say(Text.of("notation.explain.kind_value_not_text", kind=kind))

    if as_ == "timeframe":
        if s:
            trace: list[tuple[str, str]] = []
            reading = read_timeframe_text(s, vocab, by_month=by_month, trace=trace)
            for english, mongolian in trace:
                say(f"Word: {english}", f"Үг: {mongolian}")
        else:
            reading = parse_timeframe(text, vocab, by_month=by_month)
        if by_month:
            say(Text.of("notation.explain.column_counts_months_roman"))
        say(Text.of("notation.explain.rule_rule", rule=reading.rule))
        say(Text.of("notation.explain.quarters_value", value=', '.join(map(str, reading.quarters)) or '-'))
        if reading.months:
            say(Text.of("notation.explain.months_value", value=', '.join(map(str, reading.months))))
        conf_mn = {"exact": "тодорхой", "interpreted": "тайлбарлаж уншсан, шалгах", "invalid": "уншигдаагүй"}[reading.confidence]
        say(f"Confidence: {reading.confidence}", f"Итгэл: {conf_mn}")
        if reading.status:
            say(f"Status: {reading.status}", "Төлөв: хугацаа болоогүй")
        say(f"Reading: {reading.note}", f"Уншилт: {reading.note_mn}")
        return lines

    if s and not isinstance(text, (dt.date, dt.datetime)):
        a = analyse(s, vocab)
        for c in a.contexts:
            number = "date" if c.num.date else (f"{c.num.value:g}" if c.num.value is not None else "?")
            if c.excluded:
                say(f"Number `{c.num.text}` = {number}: set aside, {_EXCLUDED_EN[c.excluded]}",
                    f"Тоо `{c.num.text}` = {number}: {_EXCLUDED_MN[c.excluded]} тул авсангүй")  # fmt: skip
            else:
                extra = [f"case {c.num.case}"] if c.num.case else []
                say(f"Number `{c.num.text}` = {number}" + (f" ({', '.join(extra)})" if extra else ""),
                    f"Тоо `{c.num.text}` = {number}" + (f" ({c.num.case} нөхцөл)" if c.num.case else ""))  # fmt: skip
        seen: set[int] = set()
        for k, role in enumerate(a.roles):
            if role is None or k in seen or (k > 0 and a.roles[k - 1] == role and a.role_text[k - 1] == a.role_text[k]):
                continue
            seen.add(k)
            detail = f" {role[1]}" if role[1] else ""
            say(f"Word `{a.role_text[k]}`: {_ROLE_EN.get(role[0], role[0])}{detail}",
                f"Үг `{a.role_text[k]}`: {_ROLE_MN.get(role[0], role[0])}{detail}")  # fmt: skip
        for k, meaning in enumerate(a.before):
            if meaning is not None and (k == 0 or a.before[k - 1] is None):
                say(Text.of("notation.explain.word_item_before_number", item=a.texts[k], item2=meaning[1]))

    if as_ == "target":
        if percent_header:
            say(Text.of("notation.explain.header_speaks_percent"))
        if indicator:
            say(Text.of("notation.explain.indicator_indicator_r", indicator=indicator))
        if baseline not in (None, ""):
            say(Text.of("notation.explain.baseline_baseline_r", baseline=baseline))
        target = read_as_target(text, vocab, percent_header=percent_header, indicator=indicator, baseline=baseline)
        say(Text.of("notation.explain.rule_rule", rule=target.rule))
        say(Text.of("notation.explain.kind_kind_op_op", kind=target.kind, op=target.op, value=target.value, unit=target.unit))  # fmt: skip
        if target.flags:
            say(Text.of("notation.explain.flags_value", value=', '.join(target.flags)))
        say(f"Reading: {target.note}", f"Уншилт: {target.note_mn}")
        return lines

    if as_ == "actual":
        if percent_header:
            say(Text.of("notation.explain.header_speaks_percent"))
        actual = read_actual_text(s, vocab, percent_header=percent_header) if s else parse_actual(text, vocab, percent_header=percent_header)
        say(Text.of("notation.explain.rule_rule", rule=actual.rule))
        value = "—" if actual.value is None else f"{actual.value:g}"
        status = actual.status or "—"
        say(f"Value: {value}; percent: {'yes' if actual.is_percent else 'no'}; status: {status}",
            f"Утга: {value}; хувь эсэх: {'тийм' if actual.is_percent else 'үгүй'}; төлөв: {status}")
        if actual.flags:
            say(Text.of("notation.explain.flags_value", value=', '.join(actual.flags)))
        say(f"Reading: {actual.note}", f"Уншилт: {actual.note_mn}")
        return lines

    say(Text.of("notation.explain.unknown_reader_r_use", reader=as_))
    return lines

