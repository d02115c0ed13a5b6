"""The row's baseline (Суурь түвшин) and the direction of a target that does not write one.

An index expected to fall (baseline 0.30, target 0.25) is typed as a bare number like any other; read as
"at least" it would score the department against its own goal. When the row has a baseline above such a
target the target means "reduce to": `<=`, flagged so a person sees why. No baseline, no guess.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.notation.actual import FROM_NARRATIVE, parse_actual
from pipeline.notation.target import FROM_BASELINE, TargetReading, fmt_number
from pipeline.notation.vocab import NotationVocab
from pipeline.words import Text


def baseline_value(baseline: object, vocab: NotationVocab, *, percent: bool, target: float) -> float | None:
    """The baseline as a number on the target's scale, or None when it is not one clear number."""
    if baseline is None or (isinstance(baseline, str) and not baseline.strip()):
        return None
    reading = parse_actual(baseline, vocab)
    if reading.value is None or reading.status is not None or set(reading.flags) - {FROM_NARRATIVE}:
        return None
    value = reading.value
    if percent and not reading.is_percent and 0 < value <= 1.5 < target:
        return value * 100  # "0.30" beside "25%": a share, as an achieved value in a General cell is read
    if reading.is_percent and not percent:
        return None  # a percent baseline beside a count target: not the same scale
    return value


def apply_baseline(reading: TargetReading, baseline: object, vocab: NotationVocab) -> TargetReading:
    """A target with no written direction below the baseline reads as "reduce to" (flagged)."""
    if not reading.implicit_op or reading.op != ">=" or reading.value is None or reading.kind not in ("percent", "count"):
        return reading
    base = baseline_value(baseline, vocab, percent=reading.kind == "percent", target=reading.value)
    if base is None or base <= reading.value:
        return reading
    target = fmt_number(reading.value)
    shown = fmt_number(base)
    unit = " %" if reading.kind == "percent" else (f" {reading.unit}" if reading.unit else "")
    return replace(
        reading,
        op="<=",
        rule=f"{reading.rule}+baseline",
        said=Text.of("notation.target.below_baseline", reading=reading.said, baseline=shown, target=target, unit=unit),
        flags=(*reading.flags, FROM_BASELINE),
        implicit_op=False,
    )
