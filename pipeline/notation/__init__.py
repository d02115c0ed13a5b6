"""Readers of the notation found in plan cells: cleaning, timeframe, target and achieved value.

Every word they know lives in `mappings/notation.yaml` (see `load_vocab`); the readers never raise
on cell content and say how sure they are (`confidence`, `flags`) instead of guessing silently.
"""

from pipeline.notation.actual import ActualReading, fraction_as_percent, parse_actual
from pipeline.notation.baseline import apply_baseline
from pipeline.notation.clean import CleanText, clean_text, looks_legacy
from pipeline.notation.explain import explain, record
from pipeline.notation.target import TargetReading, parse_target
from pipeline.notation.timeframe import TimeframeReading, canonical_timeframes, format_quarters, parse_timeframe
from pipeline.notation.vocab import STATUS_KEYS, NotationVocab, load_vocab

__all__ = [
    "STATUS_KEYS",
    "ActualReading",
    "CleanText",
    "NotationVocab",
    "TargetReading",
    "TimeframeReading",
    "apply_baseline",
    "canonical_timeframes",
    "clean_text",
    "explain",
    "format_quarters",
    "fraction_as_percent",
    "load_vocab",
    "looks_legacy",
    "parse_actual",
    "parse_target",
    "parse_timeframe",
    "record",
]
