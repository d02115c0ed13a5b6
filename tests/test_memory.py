"""Freed memory handed back to the system between the run's stages (issue 19)."""

from __future__ import annotations

import sys

import pytest

from pipeline import memory


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
    try:
        assert memory.give_back() is False
    finally:
        memory._trim.cache_clear()
