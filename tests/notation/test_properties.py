"""Properties: no cell content makes a reader raise; canonical quarters read back exactly."""

from __future__ import annotations

import datetime as dt
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.notation import (
    NotationVocab,
    clean_text,
    explain,
    format_quarters,
    load_vocab,
    parse_actual,
    parse_target,
    parse_timeframe,
)
from pipeline.notation.actual import fraction_as_percent
from pipeline.notation.baseline import apply_baseline
from pipeline.notation.explain import RECORD_FIELDS, record
from tests.notation.conftest import NOTATION_YAML

VOCAB: NotationVocab = load_vocab(NOTATION_YAML)

# Text biased towards the notation's own alphabet, so the fuzzing reaches deep into the readers.
_ALPHABET = st.sampled_from(list("IVXlіІ1234567890-–—~,.;/%() ахуирлсбгдүөэнтоыйжВХУ\u00a0\u200bÕóãàöÀÿª¿"))
_NOTATION_TEXT = st.lists(
    st.one_of(
        _ALPHABET,
        st.sampled_from(["улирал", "сар", "сарын", "доошгүй", "хувь", "удаа", "аас", "-р", "дугаар", "хүртэл", "бууруулах",
                         "ХБ", "Хэрэгжсэн", "байна", "таван", "зуу", "мянга", "2026", "оны", "хагас жил", "Жилийн турш"]),
    ),
    max_size=30,
).map("".join)
_ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    _ANY_TEXT,
    _NOTATION_TEXT,
)
# CI runs a fixed, derandomised set; NOTATION_FUZZ=40000 searches deeper with fresh random seeds, by hand.
_DEEP = os.environ.get("NOTATION_FUZZ")
_FAST = settings(max_examples=int(_DEEP or "300"), derandomize=_DEEP is None, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(_CELL, st.booleans(), st.booleans())
def test_readers_never_raise(cell: object, flag_a: bool, flag_b: bool) -> None:
    tf = parse_timeframe(cell, VOCAB, by_month=flag_a)
    assert tf.confidence in ("exact", "interpreted", "invalid")
    assert all(1 <= q <= 4 for q in tf.quarters) and list(tf.quarters) == sorted(set(tf.quarters))
    assert (tf.confidence == "invalid") == (not tf.quarters)
    target = parse_target(cell, VOCAB, percent_header=flag_a, percent_format=flag_b)
    assert target.kind in ("percent", "count", "binary", "text")
    assert (target.op is None) == (target.kind == "text")
    assert (target.value is None) == (target.kind in ("binary", "text"))
    actual = parse_actual(cell, VOCAB, percent_format=flag_a, percent_header=flag_b)
    assert actual.status in (None, "done", "in_progress", "insufficient", "not_done", "not_due", "not_evaluated")
    assert actual.value is None or actual.value == actual.value


@_FAST
@given(_NOTATION_TEXT | _ANY_TEXT, st.sampled_from(["timeframe", "target", "actual"]), st.sampled_from(["mn", "en"]))
def test_clean_and_explain_never_raise(text: str, as_: str, lang: str) -> None:
    cleaned = clean_text(text)
    assert cleaned.text == cleaned.text.strip()
    assert "  " not in cleaned.text
    assert explain(text, as_, VOCAB, lang=lang)


@_FAST
@given(_CELL, _CELL, st.sampled_from(["timeframe", "target", "actual"]), st.integers(min_value=1, max_value=4))
def test_context_readers_never_raise(cell: object, context: object, as_: str, quarter: int) -> None:
    target = apply_baseline(parse_target(cell, VOCAB), context, VOCAB)
    assert target.op in (None, ">=", "<=", "done")
    actual = fraction_as_percent(parse_actual(cell, VOCAB))
    assert actual.value is None or actual.value == actual.value
    fields = record(cell, as_, VOCAB, indicator=context if isinstance(context, str) else None, baseline=context, quarter=quarter)
    assert tuple(fields) == RECORD_FIELDS


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)), st.sampled_from([" / ", " . ", "/", "."]))
def test_spaced_and_legacy_dates_read_as_their_quarter(day: dt.date, sep: str) -> None:
    quarter = (day.month - 1) // 3 + 1
    text = sep.join((f"{day.year}", f"{day.month:02d}", f"{day.day:02d}"))
    for typed in (text, text.replace("3", "З")):
        reading = parse_timeframe(typed, VOCAB)
        assert (reading.quarters, reading.confidence) == ((quarter,), "exact"), typed


def test_huge_and_control_strings() -> None:
    for text in ("I-IV улирал " * 5000, "\x00\x01\x1f" * 1000, "9" * 10000, "1," * 5000, "-" * 10000, "Õ" * 10000):
        parse_timeframe(text, VOCAB)
        parse_target(text, VOCAB)
        parse_actual(text, VOCAB)
        clean_text(text)


@given(st.sets(st.integers(min_value=1, max_value=4), min_size=1))
def test_canonical_quarters_read_back_exact(quarters: set[int]) -> None:
    text = format_quarters(quarters)
    reading = parse_timeframe(text, VOCAB)
    assert (reading.quarters, reading.confidence) == (tuple(sorted(quarters)), "exact")


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_read_as_their_quarter(day: dt.date) -> None:
    quarter = (day.month - 1) // 3 + 1
    for text in (day.isoformat(), day.strftime("%Y.%m.%d")):
        reading = parse_timeframe(text, VOCAB)
        assert (reading.quarters, reading.confidence) == ((quarter,), "exact")
