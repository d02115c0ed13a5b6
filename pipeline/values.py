"""Small value helpers shared by the stages."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """None, pandas' NA and float NaN all mean "no value"."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
