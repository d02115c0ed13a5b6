"""Reading many files on all cores: each file is independent, so a process pool reads them side by side.

A worker hands back the read already pickled (the form the store keeps it in) and the time the workbook
says it was saved, so the parent neither pickles it again nor opens the file once more.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.read.package import saved_time
from pipeline.read.workbook import FileRead, read_file

# Below this many files the pool costs more than it saves.
PARALLEL_FROM = 24

_config: Config | None = None


@dataclass(frozen=True)
class Parsed:
    read: FileRead
    payload: bytes  # `read`, pickled, for the store's parse cache
    saved_at: str | None  # when the workbook says it was saved (docProps), if it says


def _init(config: Config) -> None:
    global _config
    _config = config


def _parse(path: Path, name: str, config: Config) -> tuple[bytes, str | None]:
    read = read_file(path, config, name=name)
    saved = saved_time(path) if read.kind in ("xlsx", "xlsm") else None
    return pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL), saved


def _work(job: tuple[Path, str]) -> tuple[bytes, str | None]:
    assert _config is not None
    return _parse(job[0], job[1], _config)


def workers() -> int:
    wanted = os.environ.get("NEGTGEL_WORKERS")
    if wanted and wanted.isdecimal():
        return max(1, int(wanted))
    return max(1, min(os.cpu_count() or 1, 8))


def read_many(
    jobs: list[tuple[Path, str]], config: Config, progress: Callable[[str, int, int], None] | None = None
) -> Generator[Parsed, None, None]:
    """Read (path, name) jobs, yielding each read in order as soon as it is done (the caller records and
    archives one file while the workers read the next); in a process pool when there are enough jobs and
    cores to share."""
    count = workers()
    if len(jobs) < PARALLEL_FROM or count == 1:
        yield from _collect((_parse(path, name, config) for path, name in jobs), len(jobs), progress)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(processes=count, initializer=_init, initargs=(config,)) as pool:
        yield from _collect(pool.imap(_work, jobs, chunksize=16), len(jobs), progress)


def _collect(
    answers: Iterable[tuple[bytes, str | None]], total: int, progress: Callable[[str, int, int], None] | None
) -> Iterator[Parsed]:
    for index, (payload, saved) in enumerate(answers):
        yield Parsed(pickle.loads(payload), payload, saved)
        if progress:
            progress("read", index + 1, total)
