"""Stage timings for benchmarks: `NEGTGEL_TIMINGS=1 negtgel run ...` prints where the time went.

`NEGTGEL_KILL_AT=<part of a stage name>` ends the process abruptly (as SIGKILL does) when that stage starts:
the promise tests use it to prove that a kill at any point of a run loses nothing. Nothing else sets it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator

_ON = os.environ.get("NEGTGEL_TIMINGS") == "1"
_KILL_AT = os.environ.get("NEGTGEL_KILL_AT") or None


def _killed_here(name: str) -> None:
    if _KILL_AT is not None and _KILL_AT in name:
        kill = getattr(signal, "SIGKILL", None)
        if kill is not None:
            os.kill(os.getpid(), kill)
        os._exit(137)  # where there is no SIGKILL (Windows): as abrupt, no cleanup runs


def checkpoint(name: str) -> None:
    """A point inside a stage where a promise test may end the process (NEGTGEL_KILL_AT)."""
    _killed_here(name)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    _killed_here(name)
    if not _ON:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        print(f"[timing] {name}: {time.perf_counter() - start:.3f} s{_peak()}", file=sys.stderr)


def _peak() -> str:
    """This process's peak resident memory so far (where the platform tells it)."""
    try:
        import resource
    except ImportError:  # Windows
        return ""
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return f" (peak {kilobytes / (1024 * 1024 if sys.platform == 'darwin' else 1024):.0f} MB)"
