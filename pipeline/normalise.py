"""Normalise: turn the raw cells of every measure into typed columns, reading each distinct text once.

Input: the measure records of the files being consolidated. Output: one DataFrame row per measure with
the target's kind/op/value, the timeframe's quarters, the achieved value or status word, and the
problems each reading raised (with the cell they belong to).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.config import Config
from pipeline.notation import parse_actual, parse_target, parse_timeframe
from pipeline.notation.actual import fraction_as_percent
from pipeline.notation.baseline import apply_baseline
from pipeline.notation.numbers import lex
from pipeline.notation.status import match_status
from pipeline.notation.target import says_percent
from pipeline.notation.vocab import NotationVocab, fold
from pipeline.problems import Phrase, Problem, Text
from pipeline.read.table import cell_text
from pipeline.read.workbook import FileRead, a1
from pipeline.score import measure_key


@dataclass(frozen=True)
class Source:
    """Which submission a file read belongs to, and under which department it is consolidated."""

    submission_id: int
    department: str
    read: FileRead


def records_frame(sources: Sequence[Source]) -> pd.DataFrame:
    """One row per measure, with the raw cell values and where each field sits in its sheet."""
    rows: list[dict[str, Any]] = []
    for source in sources:
        for table in source.read.tables:
            layout = table.layout
            cols = layout.columns
            shared = {
                "submission_id": source.submission_id,
                "department": source.department,
                "source_file": source.read.name,
                "sheet": table.sheet,
                "c_target": cols.get("target", -1),
                "c_timeframe": cols.get("timeframe", -1),
                "c_actual": cols.get("actual", -1),
                "c_self_pct": cols.get("self_pct", -1),
                "c_evaluation": cols.get("evaluation", -1),
                "c_progress": cols.get("progress", -1),
                "target_pct_header": "target" in layout.percent_header,
                "actual_pct_header": "actual" in layout.percent_header,
                "by_month": layout.by_month,
                "has_target_col": "target" in cols,
                "has_actual_col": "actual" in cols,
            }
            for record in table.measures:
                rows.append(
                    {
                        **shared,
                        "row": record["row"],
                        "goal": cell_text(record.get("goal", "")),
                        "measure_no": record.get("no", ""),
                        "measure": cell_text(record.get("measure", "")),
                        "indicator": cell_text(record.get("indicator", "")),
                        "baseline": cell_text(record.get("baseline", "")),
                        "responsible": cell_text(record.get("responsible", "")),
                        "progress": cell_text(record.get("progress", "")),
                        "note": cell_text(record.get("note", "")),
                        "budget": cell_text(record.get("budget", "")),
                        "target_raw": record.get("target"),
                        "timeframe_raw": record.get("timeframe"),
                        "actual_raw": record.get("actual"),
                        "self_raw": record.get("self_pct"),
                        "evaluation_raw": record.get("evaluation"),
                        "target_pct_fmt": bool(record.get("target_pct_fmt")),
                        "actual_pct_fmt": bool(record.get("actual_pct_fmt")),
                        "self_pct_fmt": bool(record.get("self_pct_pct_fmt")),
                        "evaluation_pct_fmt": bool(record.get("evaluation_pct_fmt")),
                    }
                )
    frame = pd.DataFrame.from_records(rows, columns=FRAME_COLUMNS)
    return frame


FRAME_COLUMNS = [
    "submission_id", "department", "source_file", "sheet", "row", "goal", "measure_no", "measure", "indicator",
    "baseline", "responsible", "progress", "note", "budget", "target_raw", "timeframe_raw", "actual_raw", "self_raw",
    "evaluation_raw", "target_pct_fmt", "actual_pct_fmt", "self_pct_fmt", "evaluation_pct_fmt", "c_target",
    "c_timeframe", "c_actual", "c_self_pct", "c_evaluation", "target_pct_header", "actual_pct_header", "by_month",
    "has_target_col", "has_actual_col", "c_progress",
]


def _hashable(value: Any) -> Hashable:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def shown_as_typed(values: pd.Series, percent_format: pd.Series) -> list[str]:
    """A cell as the official saw it in Excel: 0.682 under a percent format is "68.2%"."""
    return [
        f"{v * 100:.10g}%" if pct and isinstance(v, int | float) and not isinstance(v, bool) else cell_text(v)
        for v, pct in zip(values, percent_format, strict=True)
    ]


def read_distinct(keys: Iterable[Hashable], reader: Callable[..., Any]) -> list[Any]:
    """Apply `reader` once per distinct key: a plan repeats "I-IV улирал" hundreds of times."""
    memo: dict[Hashable, Any] = {}
    out = []
    for key in keys:
        try:
            out.append(memo[key])
        except KeyError:
            memo[key] = value = reader(key)
            out.append(value)
    return out


def narrative_not_due(text: str, vocab: NotationVocab) -> tuple[str, str]:
    """What a progress narrative (`Гүйцэтгэл`) says about "not yet due": ("not_due", "") when the cell is
    essentially the status word itself ("ХБ", "Хугацаа болоогүй байна.", "(ХБ)"); ("", words) when a longer
    text merely mentions one ("Хугацаа болоогүй тул ..."), which the scorer flags and never takes as not
    due; ("", "") otherwise."""
    folded = fold(text) if text else ""
    toks = lex(folded)
    shown = text if len(folded) == len(text) else folded  # the mention quoted as typed where the positions agree
    found = match_status(toks, vocab)
    if found is not None and found.status == "not_due" and found.full:
        return "not_due", ""
    texts = [t.text for t in toks]
    for k, tok in enumerate(toks):
        phrase = vocab.status.match(texts, k) if tok.kind == "word" else None
        if phrase is not None and phrase.meaning == ("status", "not_due"):
            return "", shown[tok.start : toks[k + len(phrase.words) - 1].end]
    return "", ""


def _narrative_not_due(progress: pd.Series, vocab: NotationVocab) -> tuple[list[str], list[str]]:
    readings = read_distinct(progress, lambda text: narrative_not_due(text, vocab))
    return [r[0] for r in readings], [r[1] for r in readings]


def normalise_measures(frame: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    """Read target, timeframe, achieved, self-assessed and evaluation cells into typed columns."""
    vocab = config.vocab
    out = frame.copy()
    n = len(out)
    out["measure_key"] = [
        measure_key(d, no, t) for d, no, t in zip(out["department"], out["measure_no"], out["measure"], strict=True)
    ]

    # Timeframes: the reading depends only on the text and whether the column counts months.
    tf_keys = [(_hashable(v), bool(m)) for v, m in zip(out["timeframe_raw"], out["by_month"], strict=True)]
    tf = read_distinct(tf_keys, lambda k: parse_timeframe(k[0], vocab, by_month=k[1]))
    out["timeframe_text"] = [cell_text(v) for v in out["timeframe_raw"]]
    out["quarters"] = [",".join(str(q) for q in r.quarters) for r in tf]
    out["q_first"] = pd.array([r.quarters[0] if r.quarters else None for r in tf], dtype="Int64")
    out["q_last"] = pd.array([r.quarters[-1] if r.quarters else None for r in tf], dtype="Int64")
    out["q_count"] = [len(r.quarters) for r in tf]
    out["tf_confidence"] = [r.confidence for r in tf]
    out["tf_status"] = [r.status for r in tf]

    # Targets: "100" means 100 % under a header or an indicator that speaks of percent.
    indicator_pct = read_distinct(out["indicator"], lambda text: says_percent(text, vocab))
    # The row's baseline can turn a bare target round ("0.25" under a baseline of 0.30 means reduce to).
    columns_in = (out["target_raw"], out["target_pct_header"], indicator_pct, out["target_pct_fmt"], out["baseline"])
    target_keys = [(_hashable(v), bool(h), bool(ip), bool(f), b or None) for v, h, ip, f, b in zip(*columns_in, strict=True)]

    def read_target(key: tuple[Any, bool, bool, bool, str | None]) -> Any:
        value, header, ind, pct_format, baseline = key
        reading = parse_target(value, vocab, percent_header=header, indicator="хувиар" if ind else None, percent_format=pct_format)
        return apply_baseline(reading, baseline, vocab)

    targets = read_distinct(target_keys, read_target)
    out["target_text"] = shown_as_typed(out["target_raw"], out["target_pct_fmt"])
    out["target_kind"] = [t.kind for t in targets]
    out["target_op"] = [t.op or "" for t in targets]
    out["target_value"] = pd.array([t.value for t in targets], dtype="Float64")
    out["target_unit"] = [t.unit or "" for t in targets]

    def actual_column(raw: str, pct_fmt: str, header: str | None) -> list[Any]:
        headers = out[header] if header else pd.Series(False, index=out.index)
        keys = [(_hashable(v), bool(f), bool(h)) for v, f, h in zip(out[raw], out[pct_fmt], headers, strict=True)]
        return read_distinct(keys, lambda k: parse_actual(k[0], vocab, percent_format=k[1], percent_header=k[2]))

    actual = actual_column("actual_raw", "actual_pct_fmt", "actual_pct_header")
    # 0.85 typed in a General cell under "80%" is a share: read as 85 % (flagged), in run and validate alike.
    actual = [fraction_as_percent(r) if t.kind == "percent" else r for r, t in zip(actual, targets, strict=True)]
    own = actual_column("self_raw", "self_pct_fmt", None)
    evaluation = actual_column("evaluation_raw", "evaluation_pct_fmt", None)
    for prefix, readings in (("actual", actual), ("self", own), ("eval", evaluation)):
        out[f"{prefix}_value"] = pd.array([r.value for r in readings], dtype="Float64")
        out[f"{prefix}_is_pct"] = [r.is_percent for r in readings]
        out[f"{prefix}_status"] = [r.status or "" for r in readings]
    out["progress_status"], out["progress_mention"] = _narrative_not_due(out["progress"], vocab)
    out["actual_text"] = shown_as_typed(out["actual_raw"], out["actual_pct_fmt"])
    out["self_text"] = shown_as_typed(out["self_raw"], out["self_pct_fmt"])
    out["eval_text"] = shown_as_typed(out["evaluation_raw"], out["evaluation_pct_fmt"])

    problems: list[Problem] = []
    flags: list[list[str]] = [[] for _ in range(n)]
    files = out["source_file"].tolist()
    sheets = out["sheet"].tolist()
    rows = out["row"].tolist()
    columns = {name: out[name].tolist() for name in ("c_timeframe", "c_target", "c_actual", "c_self_pct")}
    texts = {name: out[name].tolist() for name in ("timeframe_text", "target_text", "actual_text", "self_text")}
    has_target_col = out["has_target_col"].tolist()

    def report(i: int, code: str, column: str, text: str, detail: str | Phrase | Text = "") -> None:
        c = int(columns[column][i])
        cell = a1(rows[i] - 1, c) if c >= 0 else ""
        flags[i].append(code)
        problems.append(Problem(code, files[i], sheets[i], cell, rows[i], value=texts[text][i], detail=detail))

    for i in range(n):
        r = tf[i]
        if r.confidence == "interpreted":
            report(i, "timeframe-interpreted", "c_timeframe", "timeframe_text", r.said)
        elif r.confidence == "invalid" and r.status is None:
            report(i, "timeframe-invalid", "c_timeframe", "timeframe_text")
        t = targets[i]
        for code in t.flags:
            if code == "target-missing" and not has_target_col[i]:
                continue  # the missing column is reported once per table, not once per row
            report(i, code, "c_target", "target_text", t.said)
        for code in actual[i].flags:
            report(i, code, "c_actual", "actual_text", actual[i].said)
        for code in own[i].flags:
            report(i, code, "c_self_pct", "self_text", own[i].said)
    out["flags"] = flags
    return out, problems
