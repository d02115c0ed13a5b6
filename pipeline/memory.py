"""Giving freed memory back to the system between the stages of a large run (issue 19).

A national run frees the files' reads (≈280 MB at 5,000 templates) once the report is built, but the C
allocator keeps the freed pages for the process: its resident size stays at its peak, and each writer process
forked after it starts with that size. `give_back` asks glibc's allocator to return every free page
(`malloc_trim`); elsewhere (Windows, macOS, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def give_back() -> bool:
    """Return the allocator's free pages to the system; True when it could be asked."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
