"""Readers that misbehave, for tests of the guarded reading: the worker calls one of these instead of
read_file (`read_many(reader=...)` or the NEGTGEL_READER_HOOK variable), so the real worker code path runs.

Each looks at the file's name: a name holding one of the words below misbehaves that way; any other file
is read normally. Module-level functions, so a worker started with `spawn` can import them.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from pipeline.config import Config
from pipeline.read.workbook import FileRead, read_file


def misbehaving(path: Path, config: Config, name: str) -> FileRead:
    stem = path.name.lower()
    if "hoard" in stem:
        # 64 MB at a time up to 1.5 GB, then waiting: only a memory guard ends it before the deadline
        kept = [b"\x01" * (64 * 1024 * 1024) for _ in range(24)]
        time.sleep(120 + len(kept))
    if "allocate" in stem:
        hoard = []
        while True:  # without bound, 64 MB at a time, each page touched
            hoard.append(b"\x01" * (64 * 1024 * 1024))
    if "exit" in stem:
        os._exit(3)
    if "segfault" in stem:
        os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(10)
    if "abort" in stem:
        os.abort()
    if "spin" in stem:
        while True:
            pass
    return read_file(path, config, name=name)


def recording(path: Path, config: Config, name: str) -> FileRead:
    """Reads normally, and leaves in the folder `NEGTGEL_TEST_RECORD` a note of how the reading process was
    started ("spawn", "fork"; nothing set in a process multiprocessing did not start), one file per read."""
    import multiprocessing
    import uuid

    folder = os.environ.get("NEGTGEL_TEST_RECORD")
    if folder:
        method = multiprocessing.get_start_method(allow_none=True) or "none"
        (Path(folder) / f"{os.getpid()}-{uuid.uuid4().hex}.txt").write_text(method, encoding="utf-8")
    return read_file(path, config, name=name)
