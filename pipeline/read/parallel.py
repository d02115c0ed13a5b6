"""Guarded reading: every received file is read in a worker process that one file cannot take down with it.

A file can make a native reader ask for gigabytes, abort, crash or loop. So each file is read in a worker of
a small pool of our own with a memory limit (`limits.max_read_mb`: RLIMIT_AS in the worker; where the system
has no such limit, as on Windows, a watchdog thread in the worker checks its own resident memory and the parent
watches it too, for a native reader that holds the interpreter) and a deadline (`limits.max_read_seconds`).
The workers start with `fork` where the system has it, else with `spawn` (Windows); `NEGTGEL_START_METHOD=spawn`
and `NEGTGEL_MEMORY_GUARD=watchdog` make a Linux run work as a Windows one does.
A worker that dies, is killed or overruns is replaced and its file is listed (`file-reader-crashed`,
`file-too-slow`); the run goes on. The parent waits on every worker's pipe and process sentinel together,
so it never waits on a dead worker (a `concurrent.futures` pool breaks as a whole when one worker dies, and
`multiprocessing.Pool` waits forever for the lost task).

A worker hands back the read already pickled (the form the store keeps it in) and the time the workbook
says it was saved, so the parent neither pickles it again nor opens the file once more.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import importlib
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.problems import Problem
from pipeline.read.package import saved_time
from pipeline.read.workbook import FileRead, read_file
from pipeline.words import Text

MB = 1024 * 1024
# A reader that replaces read_file in the workers ("module:function"); for tests of the guard only.
HOOK_ENV = "NEGTGEL_READER_HOOK"
# How workers start: "fork" or "spawn" (the default: fork where the system has it, as Windows has not).
START_METHOD_ENV = "NEGTGEL_START_METHOD"
# How a worker's memory is bounded: "rlimit" (the default: the system's limit, else the watchdog and the parent)
# or "watchdog" (only the worker's own thread, as where neither the limit nor the parent's watch would act).
MEMORY_GUARD_ENV = "NEGTGEL_MEMORY_GUARD"
# The exit code of a worker its watchdog ended for memory.
WATCHDOG_EXIT = 86
# How often the parent looks at a worker's memory where the system cannot limit it.
WATCH_EVERY = 0.1
# A worker that cannot even start this many times in a row means processes cannot be started here at all.
MAX_FAILED_STARTS = 3

Reader = Callable[[Path, Config, str], FileRead]


@dataclass(frozen=True)
class Parsed:
    read: FileRead
    payload: bytes  # `read`, pickled, for the store's parse cache
    saved_at: str | None  # when the workbook says it was saved (docProps), if it says
    cacheable: bool = True  # False when the read was stopped for time: a busy machine must not list a file for ever
    seconds: float = 0.0  # how long the read took
    peak_mb: float = 0.0  # the reading worker's peak resident memory so far


def default_start_method() -> str:
    """`NEGTGEL_START_METHOD` when it names a method this system has, else fork where there is one, else spawn."""
    methods = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "")
    if wanted in methods:
        return wanted
    return "fork" if "fork" in methods else "spawn"


def workers() -> int:
    wanted = os.environ.get("NEGTGEL_WORKERS")
    if wanted and wanted.isdecimal():
        return max(1, int(wanted))
    return max(1, min(os.cpu_count() or 1, 8))


def _hooked_reader() -> Reader | None:
    spec = os.environ.get(HOOK_ENV, "")
    if ":" not in spec:
        return None
    module, _, function = spec.partition(":")
    found: Reader = getattr(importlib.import_module(module), function)
    return found


def _parse(path: Path, name: str, config: Config, reader: Reader | None) -> tuple[bytes, str | None]:
    read = reader(path, config, name) if reader is not None else read_file(path, config, name=name)
    saved = saved_time(path) if read.kind in ("xlsx", "xlsm") else None
    return pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL), saved


# --- the worker ---------------------------------------------------------------------------------------------

def _address_space() -> int:
    """The process's current virtual size in bytes (0 where /proc does not say)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


def _limit_memory(max_mb: int) -> bool:
    """Cap the worker's address space at what it has now plus `max_mb`; False where the system cannot."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + max_mb * MB
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        return sys.platform.startswith("linux")  # elsewhere (macOS) the limit is accepted but not enforced
    except (ValueError, OSError, AttributeError):
        return False


def _own_resident_bytes() -> int:
    """This process's resident memory: /proc on Linux, the process API on Windows, the peak elsewhere (0: unknown)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError, IndexError):
        pass
    if sys.platform == "win32":
        return _windows_resident(os.getpid())
    try:
        import resource
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the peak only: enough for a limit
    return int(peak * (1 if sys.platform == "darwin" else 1024))


def _start_watchdog(max_mb: int) -> bool:
    """Where the system cannot cap the worker's memory: a thread that ends the worker (`WATCHDOG_EXIT`) once its
    resident memory grows `max_mb` beyond what it is now. False where this process cannot see its memory."""
    import threading

    now = _own_resident_bytes()
    if now <= 0:
        return False
    limit = now + max_mb * MB

    def watch() -> None:
        while True:
            time.sleep(WATCH_EVERY)
            if _own_resident_bytes() > limit:
                os._exit(WATCHDOG_EXIT)  # no clean-up: the file's read is lost anyway, and memory is short

    threading.Thread(target=watch, name="negtgel-memory-watchdog", daemon=True).start()
    return True


def _no_core_dumps() -> None:
    """A reader that crashes leaves no core file on the specialist's disk, and dies at once instead of while
    the system writes one (which can outlast the deadline and turn a crash into "too slow")."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    except (ImportError, ValueError, OSError, AttributeError):
        pass


def _peak_mb() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (MB if sys.platform == "darwin" else 1024)


def _worker_main(conn: Connection, config: Config, max_mb: int, use_rlimit: bool, reader: Reader | None) -> None:
    # Nothing here is POSIX-only without a fallback: the signal and dup2 calls exist on Windows, resource is
    # optional (_limit_memory, _no_core_dumps, _peak_mb), and the parent-death check below is for fork only.
    # A crash is reported by the parent as a problem of the file; a fault handler inherited from the parent
    # (pytest, python -X faulthandler) would print the worker's stack on the terminal instead.
    faulthandler.disable()
    # The parent stops the workers; Ctrl-C in the terminal must not print a worker's traceback.
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A native reader's abort or panic message goes straight to file descriptor 2: keep it off the screen,
    # the problem list says what happened to the file.
    with contextlib.suppress(OSError):
        sink = os.open(os.devnull, os.O_WRONLY)
        os.dup2(sink, 2)
        os.close(sink)
    reader = reader or _hooked_reader()
    _no_core_dumps()
    limited = _limit_memory(max_mb) if use_rlimit else False
    watched = not limited and _start_watchdog(max_mb)
    conn.send(("ready", limited, watched))
    parent = os.getppid()
    while True:
        try:
            # A forked worker also holds the parent's end of its pipe, so the parent's death (a kill, a crash) brings
            # no end-of-file: look for a new parent while waiting, or an orphan would hold the terminal's pipes open.
            # (A spawned worker, as on Windows, holds only its own end: it gets the end-of-file; there getppid
            # keeps the dead parent's id, which is harmless.)
            while not conn.poll(0.5):
                if os.getppid() != parent:
                    return
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        index, path, name = job
        started = time.perf_counter()
        try:
            payload, saved = _parse(Path(path), name, config, reader)
        except MemoryError:
            # The failed allocation was released with the frames that asked for it; a fresh worker reads the next file.
            with contextlib.suppress(MemoryError, OSError):
                conn.send(("memory", index))
            return
        conn.send(("done", index, payload, saved, time.perf_counter() - started, _peak_mb()))


# --- the parent ---------------------------------------------------------------------------------------------

def _resident_bytes(pid: int) -> int:
    """A worker's resident memory, without psutil: /proc on Linux, the process API on Windows, ps elsewhere."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError, IndexError):
        pass
    if sys.platform == "win32":
        return _windows_resident(pid)
    try:
        out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, timeout=5).stdout
        return int(out.strip() or 0) * 1024
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def _windows_resident(pid: int) -> int:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD), ("PeakWorkingSetSize", ctypes.c_size_t),
                    ("WorkingSetSize", ctypes.c_size_t), ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
                    ("QuotaPagedPoolUsage", ctypes.c_size_t), ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
                    ("QuotaNonPagedPoolUsage", ctypes.c_size_t), ("PagefileUsage", ctypes.c_size_t),
                    ("PeakPagefileUsage", ctypes.c_size_t)]

    kernel = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel.OpenProcess(0x1000 | 0x0010, False, pid)  # query limited information | vm read
    if not handle:
        return 0
    try:
        counters = Counters()
        counters.cb = ctypes.sizeof(counters)
        if not kernel.K32GetProcessMemoryInfo(handle, ctypes.byref(counters), counters.cb):
            return 0
        return int(counters.WorkingSetSize)
    finally:
        kernel.CloseHandle(handle)


class _Worker:
    def __init__(self, context: Any, config: Config, max_mb: int, use_rlimit: bool, reader: Reader | None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, config, max_mb, use_rlimit, reader), daemon=True)
        self.process.start()
        child.close()  # so the parent sees end-of-file when the worker dies
        self.ready = False
        self.limited = False  # the system caps its memory
        self.watched = False  # its own watchdog thread does
        self.job: tuple[int, str] | None = None  # (index, name) being read
        self.started = time.monotonic()

    def send(self, index: int, path: Path, name: str) -> bool:
        try:
            self.conn.send((index, str(path), name))
        except (OSError, ValueError):
            return False
        self.job = (index, name)
        self.started = time.monotonic()
        return True

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.process.is_alive():
                self.process.kill()
        self.process.join(5)
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(ValueError):
            self.process.close()


def _refused(name: str, code: str, detail: str | Text) -> Parsed:
    read = FileRead(name=name, problems=[Problem(code, file=name, detail=detail)])
    return Parsed(read, pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL), None, cacheable=code != "file-too-slow")


def _memory_detail(max_mb: int) -> Text:
    return Text.of("messages.read.memory", mb=f"{max_mb:,}")


def _death_detail(exitcode: int | None, limited: bool = False, max_mb: int = 0) -> Text:
    if exitcode == WATCHDOG_EXIT:
        return _memory_detail(max_mb)
    if limited and exitcode == -signal.SIGABRT:
        # A native reader aborts the process when an allocation fails: under the limit, that is the likely cause.
        return Text.of("messages.read.memory_likely", mb=f"{max_mb:,}")
    if exitcode is not None and exitcode < 0:
        return Text.of("messages.read.signal", signal=-exitcode)
    return Text.of("messages.read.exit_code", code=exitcode)


class _Pool:
    """Workers, each reading one file at a time under its deadline and memory limit; replaced when lost."""

    def __init__(self, jobs: list[tuple[Path, str]], config: Config, count: int, reader: Reader | None,
                 start_method: str | None, use_rlimit: bool, parent_watch: bool = True) -> None:
        self.context = multiprocessing.get_context(start_method or default_start_method())
        if os.environ.get(MEMORY_GUARD_ENV) == "watchdog":
            use_rlimit = parent_watch = False
        self.jobs, self.config, self.count, self.reader, self.use_rlimit = jobs, config, count, reader, use_rlimit
        self.parent_watch = parent_watch
        limits = config.settings.limits
        self.max_mb, self.max_seconds = max(1, limits.max_read_bytes // (1024 * 1024)), limits.max_read_seconds
        # Starting a worker under spawn imports the product again: not the file's time.
        self.start_allowance = max(60.0, self.max_seconds)
        self.pending: deque[int] = deque(range(len(jobs)))
        self.workers: list[_Worker] = []
        self.failed_starts = 0

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in self.workers:
            worker.stop()
        self.workers.clear()

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        self.workers.remove(worker)

    def _lost(self, worker: _Worker, done: dict[int, Parsed], code: str, detail: str | Text) -> None:
        if worker.job is not None:
            index, name = worker.job
            done[index] = _refused(name, code, detail)
            self.failed_starts = 0
        elif not worker.ready:
            self.failed_starts += 1
        self._replace(worker)

    def step(self, done: dict[int, Parsed], window_end: int) -> None:
        """Start, feed and watch the workers until at least one thing happens (or a short while passes)."""
        if self.failed_starts >= MAX_FAILED_STARTS:
            # Processes cannot be started here at all: read in this process rather than not at all.
            while self.pending:
                index = self.pending.popleft()
                payload, saved = _parse(*self.jobs[index], self.config, self.reader)
                done[index] = Parsed(pickle.loads(payload), payload, saved)
            return
        self._feed(window_end)
        now = time.monotonic()
        timeout = 1.0
        for worker in self.workers:
            limit = self.max_seconds if worker.job is not None else self.start_allowance if not worker.ready else None
            if limit is not None:
                timeout = min(timeout, max(0.0, worker.started + limit - now))
            if worker.job is not None and not worker.limited and self.parent_watch:
                timeout = min(timeout, WATCH_EVERY)
        by_handle: dict[Any, _Worker] = {}
        for worker in self.workers:
            by_handle[worker.conn] = worker
            by_handle[worker.process.sentinel] = worker
        ready = wait(list(by_handle), timeout)
        handled: set[int] = set()
        for handle in ready:
            worker = by_handle[handle]
            if id(worker) in handled or worker not in self.workers:
                continue
            handled.add(id(worker))
            self._answer(worker, done)
        self._watch(done)
        # The next files go out now, so the workers read while the caller records the ones just done.
        self._feed(window_end)

    def _feed(self, window_end: int) -> None:
        """Replace lost workers and give every idle one the next file."""
        wanted = min(self.count, len(self.pending) + sum(w.job is not None for w in self.workers))
        while len(self.workers) < wanted:
            self.workers.append(_Worker(self.context, self.config, self.max_mb, self.use_rlimit, self.reader))
        for worker in self.workers:
            if worker.ready and worker.job is None and self.pending and self.pending[0] < window_end:
                index = self.pending.popleft()
                if not worker.send(index, *self.jobs[index]):
                    self.pending.appendleft(index)

    def _answer(self, worker: _Worker, done: dict[int, Parsed]) -> None:
        # A worker that answered just before it died: take the answer first.
        while True:
            try:
                if not worker.conn.poll():
                    break
                message = worker.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "ready":
                worker.ready, worker.limited = True, bool(message[1])
                worker.watched = bool(message[2])
                worker.started = time.monotonic()
            elif message[0] == "done":
                _, index, payload, saved, seconds, peak = message
                done[index] = Parsed(pickle.loads(payload), payload, saved, True, seconds, peak)
                worker.job = None
                self.failed_starts = 0
            elif message[0] == "memory":
                self._lost(worker, done, "file-reader-crashed", _memory_detail(self.max_mb))
                return
        if not worker.process.is_alive():
            worker.process.join(1)
            self._lost(worker, done, "file-reader-crashed", _death_detail(worker.process.exitcode, worker.limited, self.max_mb))

    def _watch(self, done: dict[int, Parsed]) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.job is not None and now - worker.started > self.max_seconds:
                self._lost(worker, done, "file-too-slow", f"{self.max_seconds:g}")
            elif worker.job is None and not worker.ready and now - worker.started > self.start_allowance:
                self._lost(worker, done, "file-reader-crashed", _death_detail(None))
            elif (worker.job is not None and not worker.limited and self.parent_watch
                  and _resident_bytes(worker.process.pid) > self.max_mb * MB):
                self._lost(worker, done, "file-reader-crashed", _memory_detail(self.max_mb))


def read_many(
    jobs: list[tuple[Path, str]],
    config: Config,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    reader: Reader | None = None,
    start_method: str | None = None,
    use_rlimit: bool = True,
    parent_watch: bool = True,
) -> Generator[Parsed, None, None]:
    """Read (path, name) jobs in guarded workers, yielding each read in input order as soon as it and the
    ones before it are done (the caller records and archives one file while the workers read the next).

    `reader` replaces read_file in the workers; `use_rlimit=False` makes the workers guard their memory as
    they do where the system has no limits (their watchdog, and the parent's watch unless `parent_watch=False`):
    for tests of the guard."""
    if not jobs:
        return
    count = max(1, min(workers(), len(jobs)))
    pool = _Pool(jobs, config, count, reader, start_method, use_rlimit, parent_watch)
    # Reads done ahead of the one the caller waits for are held in memory: bound how many.
    window = max(32, 4 * count)
    done: dict[int, Parsed] = {}
    next_out = 0
    try:
        while next_out < len(jobs):
            if next_out in done:
                yield done.pop(next_out)
                next_out += 1
                if progress:
                    progress("read", next_out, len(jobs))
                continue
            pool.step(done, next_out + window)
    finally:
        pool.close()


_kept: list[_Pool] = []  # the one-worker pool `read_guarded` reuses from call to call


def read_guarded(path: Path, config: Config, name: str) -> FileRead:
    """One file through the guard (a file read again from the archive must not stop the run either). Files are
    often read this way one after another, so the worker is kept for the next call rather than started for each."""
    if _kept and _kept[0].config is not config:
        _kept.pop().close()
    if not _kept:
        _kept.append(_Pool([], config, 1, None, None, True))
    pool = _kept[0]
    index = len(pool.jobs)
    pool.jobs.append((path, name))
    pool.pending.append(index)
    done: dict[int, Parsed] = {}
    try:
        while index not in done:
            pool.step(done, index + 1)
    except BaseException:
        _close_kept()
        raise
    return done[index].read


def _close_kept() -> None:
    while _kept:
        _kept.pop().close()


atexit.register(_close_kept)
