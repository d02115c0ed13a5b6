"""Normalise: turn the raw cells of every measure into typed columns, reading each distinct text once.

Input: the measure records of the files being consolidated. Output: one DataFrame row per measure with
the target's kind/op/value, the timeframe's quarters, the achieved value or status word, and the
problems each reading raised (with the cell they belong to).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import pandas as pd

from pipeline.config import Config
from pipeline.model import Source
from pipeline.notation import parse_actual, parse_target, parse_timeframe
from pipeline.notation.actual import fraction_as_percent
from pipeline.notation.baseline import apply_baseline
from pipeline.notation.numbers import lex
from pipeline.notation.status import match_status
from pipeline.notation.target import says_percent
from pipeline.notation.vocab import NotationVocab, fold
from pipeline.problems import Phrase, Problem, Text
from pipeline.read.table import PackedTable, SheetTable, cell_text
from pipeline.read.workbook import FileRead, a1
from pipeline.score import measure_key


def record_columns(sources: Sequence[Source]) -> dict[str, list[Any]]:
    """The measure records of `sources` as one list a column (no dict a measure): the frame's raw columns."""
    columns: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for source in sources:
        for table in source.read.tables:
            n = table.rows
            if not n:
                continue
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
            for name, value in shared.items():
                columns[name].extend([value] * n)
            packed = table.columns if isinstance(table, PackedTable) else table_columns(table.measures)
            for name, values in packed.items():
                columns[name].extend(values)
    return columns


def table_columns(records: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """A table's measure records as one list a field (the record columns of the frame, text as `cell_text`)."""
    columns: dict[str, list[Any]] = {"row": [r["row"] for r in records], "measure_no": [r.get("no", "") for r in records]}
    for name, field_ in _TEXT_FIELDS:
        values = [r.get(field_, "") for r in records]
        columns[name] = [v if type(v) is str else cell_text(v) for v in values]  # text is kept as it is
    for name, field_ in _RAW_FIELDS:
        columns[name] = [r.get(field_) for r in records]
    for name, field_ in _FORMAT_FIELDS:
        columns[name] = [bool(r.get(field_)) for r in records]
    return columns


def pack_read(read: FileRead) -> FileRead:
    """A template's read with each table's records packed into column lists (`PackedTable`): what the build
    needs of it at a fraction of the memory (issue 19: 5,000 reads are held until the report is built). Other
    reads (an export's) and reads already packed come back as they are."""
    if type(read) is not FileRead or all(isinstance(t, PackedTable) for t in read.tables):
        return read
    tables: list[SheetTable] = [
        t if isinstance(t, PackedTable) else PackedTable(t.sheet, t.layout, t.meta, [], _shared_texts(table_columns(t.measures)))
        for t in read.tables
    ]
    return FileRead(read.name, read.kind, read.meta, tables, read.problems)


def _shared_texts(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Each text one object across the run's files (`sys.intern`): the same responsible unit, indicator or
    target written in 5,000 templates is read 5,000 times, as 5,000 strings, and held until the report is built."""
    intern = sys.intern
    return {name: [intern(v) if type(v) is str else v for v in values] for name, values in columns.items()}


_TEXT_FIELDS = (("goal", "goal"), ("measure", "measure"), ("indicator", "indicator"), ("baseline", "baseline"),
                ("responsible", "responsible"), ("progress", "progress"), ("note", "note"), ("budget", "budget"))
_RAW_FIELDS = (("target_raw", "target"), ("timeframe_raw", "timeframe"), ("actual_raw", "actual"), ("self_raw", "self_pct"),
               ("evaluation_raw", "evaluation"))
_FORMAT_FIELDS = (("target_pct_fmt", "target_pct_fmt"), ("actual_pct_fmt", "actual_pct_fmt"),
                  ("self_pct_fmt", "self_pct_pct_fmt"), ("evaluation_pct_fmt", "evaluation_pct_fmt"))


def records_frame(sources: Sequence[Source]) -> pd.DataFrame:
    """One row per measure, with the raw cell values and where each field sits in its sheet."""
    return frame_of_records(record_columns(sources))


def frame_of_records(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The records frame from its column lists (each column's type inferred from all its values, as one frame)."""
    return pd.DataFrame({name: columns[name] for name in FRAME_COLUMNS}, columns=FRAME_COLUMNS)


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
    if not _not_due_pattern(vocab).search(folded):
        return "", ""  # no "not due" entry can match it: most narratives, without lexing them
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


@functools.cache
def _not_due_pattern(vocab: NotationVocab) -> re.Pattern[str]:
    """What a folded text must hold for a "not due" status entry to match its tokens. The lexer
    (`notation.numbers.lex`) makes every run of non-space characters into tokens and skips only white space,
    so the tokens an entry matches are its words (a prefix word: its word and more letters) one after the
    other, with nothing but white space between them."""
    entries = sorted({(p.words, p.stems) for p in vocab.status.phrases if p.meaning[1] == "not_due"})
    alternatives = [r"\s*".join(re.escape(w) + (r"\S*" if stem else "") for w, stem in zip(words, stems, strict=True))
                    for words, stems in entries]
    return re.compile("|".join(alternatives) or r"(?!)")


def _narrative_not_due(progress: pd.Series, vocab: NotationVocab) -> tuple[list[str], list[str]]:
    readings = read_distinct(progress, lambda text: narrative_not_due(text, vocab))
    return [r[0] for r in readings], [r[1] for r in readings]


# The columns normalising adds, in order, with the nullable dtype of those that have one (the others take the
# type pandas infers from their values, as the frame is built).
NORMALISED_COLUMNS = [
    "measure_key", "timeframe_text", "quarters", "q_first", "q_last", "q_count", "tf_confidence", "tf_status", "target_text",
    "target_kind", "target_op", "target_value", "target_unit", "actual_value", "actual_is_pct", "actual_status", "self_value",
    "self_is_pct", "self_status", "eval_value", "eval_is_pct", "eval_status", "progress_status", "progress_mention",
    "actual_text", "self_text", "eval_text", "flags",
]
NORMALISED_DTYPES: dict[str, str] = {"q_first": "Int64", "q_last": "Int64", "target_value": "Float64",
                                     "actual_value": "Float64", "self_value": "Float64", "eval_value": "Float64"}


def normalise_measures(frame: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    """Read target, timeframe, achieved, self-assessed and evaluation cells into typed columns."""
    derived, problems, _ = normalised_columns(frame, config)
    return with_normalised(frame, derived), problems


def with_normalised(frame: pd.DataFrame, derived: dict[str, list[Any]], *, copy: bool = True) -> pd.DataFrame:
    """The records frame with the normalised columns (plain lists, one value a row) added in their order
    (to `frame` itself when not `copy`)."""
    out = frame.copy() if copy else frame
    for name, values in derived.items():
        dtype = NORMALISED_DTYPES.get(name)
        out[name] = pd.array(values, dtype=dtype) if dtype else values
    return out


def normalised_columns(frame: pd.DataFrame, config: Config) -> tuple[dict[str, list[Any]], list[Problem], list[int]]:
    """The normalised columns of a records frame as plain lists (a row's values depend on that row alone),
    the problems found, and the frame row each problem belongs to."""
    vocab = config.vocab
    n = len(frame)
    data = {name: frame[name].tolist() for name in FRAME_COLUMNS}  # plain lists: iterating a column costs 10x more
    col: dict[str, list[Any]] = {}
    departments, numbers, measures = data["department"], data["measure_no"], data["measure"]
    col["measure_key"] = [measure_key(d, no, t) for d, no, t in zip(departments, numbers, measures, strict=True)]

    # Timeframes: the reading depends only on the text and whether the column counts months.
    tf_keys = [(_hashable(v), bool(m)) for v, m in zip(data["timeframe_raw"], data["by_month"], strict=True)]
    tf = read_distinct(tf_keys, lambda k: parse_timeframe(k[0], vocab, by_month=k[1]))
    col["timeframe_text"] = [cell_text(v) for v in data["timeframe_raw"]]
    texts_of: dict[tuple[int, ...], str] = {}  # one text a set of quarters, not one a measure (issue 19)
    col["quarters"] = [texts_of.get(r.quarters) or texts_of.setdefault(r.quarters, ",".join(str(q) for q in r.quarters))
                       for r in tf]
    col["q_first"] = [r.quarters[0] if r.quarters else None for r in tf]
    col["q_last"] = [r.quarters[-1] if r.quarters else None for r in tf]
    col["q_count"] = [len(r.quarters) for r in tf]
    col["tf_confidence"] = [r.confidence for r in tf]
    col["tf_status"] = [r.status for r in tf]

    # Targets: "100" means 100 % under a header or an indicator that speaks of percent.
    indicator_pct = read_distinct(data["indicator"], lambda text: says_percent(text, vocab))
    # The row's baseline can turn a bare target round ("0.25" under a baseline of 0.30 means reduce to).
    columns_in = (data["target_raw"], data["target_pct_header"], indicator_pct, data["target_pct_fmt"], data["baseline"])
    target_keys = [(_hashable(v), bool(h), bool(ip), bool(f), b or None) for v, h, ip, f, b in zip(*columns_in, strict=True)]

    def read_target(key: tuple[Any, bool, bool, bool, str | None]) -> Any:
        value, header, ind, pct_format, baseline = key
        reading = parse_target(value, vocab, percent_header=header, indicator="хувиар" if ind else None, percent_format=pct_format)
        return apply_baseline(reading, baseline, vocab)

    targets = read_distinct(target_keys, read_target)
    col["target_text"] = shown_as_typed(data["target_raw"], data["target_pct_fmt"])
    col["target_kind"] = [t.kind for t in targets]
    col["target_op"] = [t.op or "" for t in targets]
    col["target_value"] = [t.value for t in targets]
    col["target_unit"] = [t.unit or "" for t in targets]

    def actual_column(raw: str, pct_fmt: str, header: str | None) -> list[Any]:
        headers = data[header] if header else [False] * n
        keys = [(_hashable(v), bool(f), bool(h)) for v, f, h in zip(data[raw], data[pct_fmt], headers, strict=True)]
        return read_distinct(keys, lambda k: parse_actual(k[0], vocab, percent_format=k[1], percent_header=k[2]))

    actual = actual_column("actual_raw", "actual_pct_fmt", "actual_pct_header")
    # 0.85 typed in a General cell under "80%" is a share: read as 85 % (flagged), in run and validate alike.
    actual = [fraction_as_percent(r) if t.kind == "percent" else r for r, t in zip(actual, targets, strict=True)]
    own = actual_column("self_raw", "self_pct_fmt", None)
    evaluation = actual_column("evaluation_raw", "evaluation_pct_fmt", None)
    for prefix, readings in (("actual", actual), ("self", own), ("eval", evaluation)):
        col[f"{prefix}_value"] = [r.value for r in readings]
        col[f"{prefix}_is_pct"] = [r.is_percent for r in readings]
        col[f"{prefix}_status"] = [r.status or "" for r in readings]
    col["progress_status"], col["progress_mention"] = _narrative_not_due(data["progress"], vocab)
    col["actual_text"] = shown_as_typed(data["actual_raw"], data["actual_pct_fmt"])
    col["self_text"] = shown_as_typed(data["self_raw"], data["self_pct_fmt"])
    col["eval_text"] = shown_as_typed(data["evaluation_raw"], data["evaluation_pct_fmt"])

    problems: list[Problem] = []
    problem_rows: list[int] = []
    flags: list[list[str]] = [[] for _ in range(n)]
    files = data["source_file"]
    sheets = data["sheet"]
    rows = data["row"]
    columns = {name: data[name] for name in ("c_timeframe", "c_target", "c_actual", "c_self_pct")}
    texts = {name: col[name] for name in ("timeframe_text", "target_text", "actual_text", "self_text")}
    has_target_col = data["has_target_col"]

    def report(i: int, code: str, column: str, text: str, detail: str | Phrase | Text = "") -> None:
        c = int(columns[column][i])
        cell = a1(rows[i] - 1, c) if c >= 0 else ""
        flags[i].append(code)
        problems.append(Problem(code, files[i], sheets[i], cell, rows[i], value=texts[text][i], detail=detail))
        problem_rows.append(i)

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
    col["flags"] = flags
    assert list(col) == NORMALISED_COLUMNS
    return col, problems, problem_rows
