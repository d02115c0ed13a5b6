"""Each submission's normalised rows, kept in the store so that a run normalises only the files it has not seen.

Normalising (`normalise.normalised_columns`) reads every target, timeframe, achieved value and progress text;
a row's reading depends only on that row, the mappings and the code. So the columns it adds are kept per
submission, by content hash, under a key of the reader, the mappings (`Config.fingerprint`) and the source of
the normalising code: a re-run with one changed file among 1,000 normalises that one file.

An entry is plain columnar data — one list of plain values (text, numbers, None, lists of codes) per column,
and the problems as tuples of their fields — pickled, with no class of this program in it. An entry that does
not load, or that was made for another department, file name or number of rows, is computed again: it is a
cache, never a source of figures.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from pipeline.config import Config
from pipeline.normalise import (
    NORMALISED_COLUMNS,
    Source,
    frame_of_records,
    normalised_columns,
    record_columns,
    with_normalised,
)
from pipeline.problems import Problem
from pipeline.read.workbook import READER_VERSION

ENTRY_FORMAT = 1
# The code a normalised row depends on: a change to any of it makes every entry stale.
_CODE = ("normalise.py", "score.py", "values.py", "read/table.py", "notation")


class NormalisedCache(Protocol):
    def normalised(self, sha256s: Sequence[str], norm_key: str) -> dict[str, bytes]: ...
    def save_normalised(self, entries: Sequence[tuple[str, bytes]], norm_key: str) -> None: ...


@functools.cache
def _code_digest() -> str:
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _CODE:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


class GatheredCache:
    """The entries of a period's submissions as the repository gathered them before the report is built, and
    the entries made while building it, for the repository to keep after (`Repository.commit`): so the pure
    core reads and writes nothing. An entry is handed out once and then let go."""

    def __init__(self, key: str, entries: dict[str, bytes] | None = None) -> None:
        self.key = key
        self.entries = dict(entries or {})
        self.made: list[tuple[str, bytes]] = []

    def normalised(self, sha256s: Sequence[str], norm_key: str) -> dict[str, bytes]:
        if norm_key != self.key:
            return {}
        return {sha: self.entries.pop(sha) for sha in sha256s if sha in self.entries}

    def save_normalised(self, entries: Sequence[tuple[str, bytes]], norm_key: str) -> None:
        if norm_key == self.key:
            self.made.extend(entries)


def cache_key(config: Config) -> str:
    """The key entries are kept under: the entry format, the reader, the mappings and the normalising code."""
    return f"{ENTRY_FORMAT}:{READER_VERSION}:{config.fingerprint}:{_code_digest()}"


def normalised_for(
    sources: Sequence[Source], config: Config, cache: NormalisedCache | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """The normalised measures of `sources` (the frame `normalise_measures(records_frame(sources))` gives,
    row for row) and their problems in the same order; only the sources without a usable entry in `cache`
    are normalised, and their entries stored."""
    frame = frame_of_records(record_columns(sources))
    counts = [sum(t.rows for t in s.read.tables) for s in sources]
    key = cache_key(config) if cache is not None else ""  # no cache: no code digest read (the pure core reads no file)
    parts: list[tuple[dict[str, list[Any]], list[Problem]] | None] = [None] * len(sources)
    if cache is not None:
        for first in range(0, len(sources), _BATCH):  # a batch of payloads at a time: only their lists stay
            batch = range(first, min(first + _BATCH, len(sources)))
            stored = cache.normalised([sources[i].sha256 for i in batch if sources[i].sha256], key)
            for i in batch:
                if sources[i].sha256:
                    parts[i] = _load(stored.get(sources[i].sha256), sources[i], counts[i])
    missing = [i for i, part in enumerate(parts) if part is None]
    derived: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    problem_rows: list[int] = []
    if missing:
        if len(missing) == len(sources):
            fresh_frame = frame
        else:
            starts = [0]
            for count in counts:
                starts.append(starts[-1] + count)
            fresh_frame = frame.iloc[[p for i in missing for p in range(starts[i], starts[i + 1])]].reset_index(drop=True)
        derived, problems, problem_rows = normalised_columns(fresh_frame, config)
        del fresh_frame
    # The columns in the order of the sources: a kept entry's lists, or this run's slice of the fresh ones.
    # On a cold run every row is fresh and in order: the fresh lists are the columns (not copied, issue 19).
    every_fresh = len(missing) == len(sources)
    columns: dict[str, list[Any]] = derived if every_fresh else {name: [] for name in NORMALISED_COLUMNS}
    found: list[Problem] = []
    entries: list[tuple[str, bytes]] = []
    offset = at = 0
    for i, source in enumerate(sources):
        part = parts[i]
        if part is None:
            end, first = offset + counts[i], at
            while at < len(problems) and problem_rows[at] < end:
                at += 1
            part = {name: values[offset:end] for name, values in derived.items()}, problems[first:at]
            offset = end
            if source.sha256 and cache is not None:
                entries.append((source.sha256, _dump(part[0], part[1], source, counts[i])))
                if len(entries) >= _BATCH:
                    cache.save_normalised(entries, key)
                    entries = []
        parts[i] = None
        if not every_fresh:
            for name, values in part[0].items():
                columns[name].extend(values)
        found.extend(part[1])
    if cache is not None:
        cache.save_normalised(entries, key)
    del derived
    if not sources:
        columns = {name: [] for name in NORMALISED_COLUMNS}
    return with_normalised(frame, columns, copy=False), found


_BATCH = 200


def _dump(columns: dict[str, list[Any]], problems: list[Problem], source: Source, rows: int) -> bytes:
    entry = {
        "format": ENTRY_FORMAT,
        "department": source.department,
        "name": source.read.name,
        "rows": rows,
        "columns": columns,
        "problems": [(p.code, p.file, p.sheet, p.cell, p.row, p.value, p.detail, p.extra) for p in problems],
    }
    return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)


def _load(payload: bytes | None, source: Source, rows: int) -> tuple[dict[str, list[Any]], list[Problem]] | None:
    """An entry's columns and problems; None when there is none or it does not fit this source."""
    if payload is None:
        return None
    try:
        entry = pickle.loads(payload)
        if (entry["format"] != ENTRY_FORMAT or entry["department"] != source.department or entry["name"] != source.read.name
                or entry["rows"] != rows):
            return None
        columns = entry["columns"]
        if list(columns) != NORMALISED_COLUMNS or any(len(values) != rows for values in columns.values()):
            return None
        problems = [Problem(code, file, sheet, cell, row, value, detail, tuple(extra))
                    for code, file, sheet, cell, row, value, detail, extra in entry["problems"]]
    except Exception:  # an entry from another version, or damaged: normalised again
        return None
    return columns, problems
