"""Giving freed memory back to the system between the stages of a large run (issue 19).

A national run frees the files' reads (≈280 MB at 5,000 templates) once the report is built, but the C
allocator keeps the freed pages for the process: its resident size stays at its peak, and each writer process
forked after it starts with that size. `give_back` asks glibc's allocator to return every free page
(`malloc_trim`); `large_blocks_mapped` keeps every block of 128 KB or more (the frames' arrays) in pages of
its own, given back when freed (glibc would otherwise raise that limit after the first such block is freed and
place later ones in its heap, between small objects). Elsewhere (Windows, macOS, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is None:  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
_MAPPED_FROM = 128 * 1024  # glibc's own default, kept fixed


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def large_blocks_mapped() -> bool:
    """Keep glibc's mmap threshold at 128 KB for this process (and the processes it forks); True when set."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None:  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MAPPED_FROM))


def give_back() -> bool:
    """Return the allocator's free pages to the system; True when it could be asked."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
