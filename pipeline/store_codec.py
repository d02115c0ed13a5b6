"""How the store keeps a closed period's snapshot and a submission's intake problems: as JSON data.

A pickle breaks when pandas or one of our classes changes, and a closed period is the one thing that must
never change. So the snapshot is written as plain JSON (version `SNAPSHOT_VERSION`): every frame column with
its dtype and its values exactly (floats as Python writes them, which reads back to the same bits; missing
values and NaN told apart), the index and the column labels with their own dtypes, and the few records
(`Overall`, `StoredOverride`, `Problem`) by their field names. Anything else is refused when the snapshot is
written, never silently approximated. `Problem` lists (intake problems) are JSON lists of their fields.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from pipeline.hierarchy import Hierarchy, Tree, Unit
from pipeline.model import (  # noqa: F401 - the store and mail state import them here
    StoredOverride,
    detail_json,
    detail_of,
    problem_fields,
    problem_of,
    problems_from_json,
    problems_to_json,
)
from pipeline.problems import Problem
from pipeline.rollup import Overall

SNAPSHOT_VERSION = 1

_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# --- snapshots --------------------------------------------------------------------------------------------
def _records() -> dict[str, type]:
    # The unit tree a period was closed with (issue 17) is kept with it, field by field like the others.
    return {"Overall": Overall, "StoredOverride": StoredOverride, "Hierarchy": Hierarchy, "Tree": Tree, "Unit": Unit}


def snapshot_to_json(snapshot: dict[str, Any]) -> str:
    """A closed period's snapshot (a dict of frames, records and plain values) as JSON text."""
    return json.dumps({"version": SNAPSHOT_VERSION, "snapshot": _encode(snapshot)}, ensure_ascii=False, allow_nan=False)


def snapshot_from_json(text: str) -> dict[str, Any]:
    document = json.loads(text)
    if document.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot format {document.get('version')!r} is not {SNAPSHOT_VERSION}")
    decoded = _decode(document["snapshot"])
    assert isinstance(decoded, dict)
    return decoded


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"$float": repr(number).replace("nan", "NaN").replace("inf", "Infinity")}
    if value is pd.NA:
        return {"$na": True}
    if value is pd.NaT:
        return {"$nat": True}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, pd.DataFrame):
        return {"$frame": _frame(value)}
    if isinstance(value, Problem):
        return {"$problem": problem_fields(value)}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _records().get(name) is type(value):
        return {"$record": name, "fields": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise TypeError(f"a snapshot cannot hold a {name}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$float" in value:
        return _FLOATS[value["$float"]]
    if "$na" in value:
        return pd.NA
    if "$nat" in value:
        return pd.NaT
    if "$tuple" in value:
        return tuple(_decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {_decode(k): _decode(v) for k, v in value["$dict"]}
    if "$frame" in value:
        return _unframe(value["$frame"])
    if "$problem" in value:
        return problem_of(value["$problem"])
    if "$record" in value:
        return _records()[value["$record"]](**{k: _decode(v) for k, v in value["fields"].items()})
    raise ValueError(f"not a snapshot value: {sorted(value)}")


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    if isinstance(frame.index, pd.RangeIndex):
        index: dict[str, Any] = {"range": [frame.index.start, frame.index.stop, frame.index.step]}
    else:
        index = {"values": _column(frame.index, "index")}
    return {
        "index": {**index, "name": _encode(frame.index.name)},
        "columns": {"values": _column(frame.columns, "columns"), "name": _encode(frame.columns.name)},
        "data": [_column(frame.iloc[:, i], str(frame.columns[i])) for i in range(frame.shape[1])],
    }


def _unframe(spec: dict[str, Any]) -> pd.DataFrame:
    index_spec = spec["index"]
    if "range" in index_spec:
        index = pd.RangeIndex(*index_spec["range"], name=_decode(index_spec["name"]))
    else:
        values = _uncolumn(index_spec["values"])
        index = pd.Index(values, dtype=values.dtype, name=_decode(index_spec["name"]))
    labels = _uncolumn(spec["columns"]["values"])
    columns = pd.Index(labels, dtype=labels.dtype, name=_decode(spec["columns"]["name"]))
    # With the dtype given, so that pandas infers nothing (an object column of text stays object).
    arrays = (_uncolumn(data) for data in spec["data"])
    frame = pd.DataFrame({i: pd.Series(a, index=index, dtype=a.dtype, copy=False) for i, a in enumerate(arrays)}, index=index)
    frame.columns = columns
    return frame


def _floats(values: Iterable[float]) -> list[float | str]:
    return [v if math.isfinite(v) else ("NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")) for v in values]


def _column(column: pd.Series | pd.Index, name: str) -> dict[str, Any]:
    """One column (or index) exactly: its dtype and its values."""
    dtype, array = column.dtype, column.array
    if isinstance(dtype, pd.StringDtype):
        na = "nan" if dtype.na_value is not pd.NA else "NA"
        return {"dtype": "string", "storage": dtype.storage, "na": na, "values": [None if pd.isna(v) else str(v) for v in array]}
    if isinstance(array, pd.arrays.IntegerArray | pd.arrays.FloatingArray | pd.arrays.BooleanArray):
        data, mask = array._data, array._mask
        values = _floats(data.tolist()) if dtype.kind == "f" else data.tolist()
        return {"dtype": dtype.name, "values": values, "missing": np.flatnonzero(mask).tolist()}
    if isinstance(dtype, np.dtype) and dtype.kind in "biu":
        return {"dtype": dtype.name, "values": column.to_numpy().tolist()}
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return {"dtype": dtype.name, "values": _floats(column.to_numpy().tolist())}
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return {"dtype": "object", "values": [_encode(v) for v in array]}
    raise TypeError(f"a snapshot cannot hold the column {name!r} of dtype {dtype}")


def _uncolumn(spec: dict[str, Any]) -> Any:
    kind = spec["dtype"]
    values = spec["values"]
    if kind == "string":
        na_value = np.nan if spec["na"] == "nan" else pd.NA
        try:
            dtype = pd.StringDtype(spec["storage"], na_value=na_value)
        except ImportError:  # written where pyarrow was installed, read where it is not
            dtype = pd.StringDtype("python", na_value=na_value)
        return pd.array(values, dtype=dtype)
    if kind == "object":
        column = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            column[i] = _decode(v)
        return column
    if "missing" in spec:
        dtype = pd.api.types.pandas_dtype(kind)
        numpy_type = dtype.numpy_dtype
        data = np.array([_FLOATS.get(v, v) if isinstance(v, str) else v for v in values], dtype=numpy_type)
        mask = np.zeros(len(values), dtype=bool)
        mask[spec["missing"]] = True
        return dtype.construct_array_type()(data, mask)
    numpy_dtype = np.dtype(kind)
    if numpy_dtype.kind == "f":
        return np.array([_FLOATS.get(v, v) if isinstance(v, str) else v for v in values], dtype=numpy_dtype)
    return np.array(values, dtype=numpy_dtype)
