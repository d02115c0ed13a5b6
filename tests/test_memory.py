"""Freed memory handed back to the system between the run's stages (issue 19)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline import memory
from tests.conftest import ROOT


def _resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim and /proc: Linux only")
def test_freed_blocks_go_back_to_the_system() -> None:
    # 120,000 blocks of 2 KB (above Python's small-object allocator: from the C heap), then one kept after them,
    # so the heap's top cannot shrink by itself when the others are freed.
    blocks = [bytes(2048) + i.to_bytes(4, "little") for i in range(120_000)]
    pin = bytes(2048) + b"pin"
    before = _resident_mb()
    del blocks
    assert memory.give_back() is True
    assert before - _resident_mb() > 150  # ≈240 MB freed; without the trim the resident size stays
    assert pin.endswith(b"pin")


def test_elsewhere_nothing_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory.sys, "platform", "win32")
    memory._trim.cache_clear()
    memory._libc.cache_clear()
    try:
        assert memory.give_back() is False
        assert memory.large_blocks_mapped() is False
    finally:
        memory._trim.cache_clear()
        memory._libc.cache_clear()


PROBE = """
import sys
from pipeline import memory
from tests.test_memory import _resident_mb
if sys.argv[1] == "fixed":
    assert memory.large_blocks_mapped() is True
first = bytearray(256 * 1024)
del first  # glibc alone now raises its threshold above 256 KB: the blocks below would come from its heap
blocks = [bytearray(256 * 1024) for _ in range(400)]  # 100 MB
for block in blocks:
    block[::4096] = bytes(len(block[::4096]))  # every page touched
before = _resident_mb()
pin = bytes(2048)
del blocks, block
print(round(before - _resident_mb()))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
@pytest.mark.parametrize(("threshold", "given_back"), [("fixed", True), ("glibc's own", False)])
def test_large_blocks_are_given_back_when_freed(threshold: str, given_back: bool) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, threshold], capture_output=True, text=True, cwd=ROOT, check=True)
    freed = int(done.stdout)
    assert (freed > 80) is given_back, freed  # ≈100 MB unmapped at once, or kept in the heap
