"""Reading many files on all cores: each file is independent, so a process pool reads them side by side."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.read.workbook import FileRead, read_file

# Below this many files the pool costs more than it saves.
PARALLEL_FROM = 24

_config: Config | None = None


def _init(config: Config) -> None:
    global _config
    _config = config


def _read(job: tuple[Path, str]) -> FileRead:
    assert _config is not None
    path, name = job
    return read_file(path, _config, name=name)


def workers() -> int:
    wanted = os.environ.get("NEGTGEL_WORKERS")
    if wanted and wanted.isdecimal():
        return max(1, int(wanted))
    return max(1, min(os.cpu_count() or 1, 8))


def read_many(
    jobs: list[tuple[Path, str]], config: Config, progress: Callable[[str, int, int], None] | None = None
) -> list[FileRead]:
    """Read (path, name) jobs in order; in a process pool when there are enough of them and cores to share."""
    count = workers()
    results: list[FileRead] = []
    if len(jobs) < PARALLEL_FROM or count == 1:
        for index, job in enumerate(jobs):
            results.append(read_file(job[0], config, name=job[1]))
            if progress:
                progress("read", index + 1, len(jobs))
        return results
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(processes=count, initializer=_init, initargs=(config,)) as pool:
        for index, read in enumerate(pool.imap(_read, jobs, chunksize=8)):
            results.append(read)
            if progress:
                progress("read", index + 1, len(jobs))
    return results
