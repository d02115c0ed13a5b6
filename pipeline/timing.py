"""Stage timings for benchmarks: `NEGTGEL_TIMINGS=1 negtgel run ...` prints where the time went."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator

_ON = os.environ.get("NEGTGEL_TIMINGS") == "1"


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    if not _ON:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        print(f"[timing] {name}: {time.perf_counter() - start:.3f} s", file=sys.stderr)
