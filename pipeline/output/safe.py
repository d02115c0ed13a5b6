"""Safe output: no template text becomes a formula or a link, and no crash leaves half a report.

Every output file is written to a temporary file beside its destination and renamed into place, so the
last good report stays until a complete new one replaces it. A destination held open (locked) by Excel
gets the new file alongside, under a name that says so, instead of a failed run.
"""

from __future__ import annotations

import contextlib
import glob
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

# xlsxwriter otherwise turns "=..." text into formulas and "http://..." into links.
SAFE_WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(text: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula (OWASP CSV injection guidance)."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def new_workbook(path: str | os.PathLike[str], **options: Any) -> xlsxwriter.Workbook:
    from pipeline.output.sheets import FastWorkbook

    return FastWorkbook(str(path), {**SAFE_WORKBOOK_OPTIONS, **options})


@dataclass
class Written:
    """Where an output ended up; `alongside` when the intended file was locked."""

    path: Path
    alongside: bool = False


def temp_pattern(destination: Path) -> str:
    """The glob of the temporary files `atomic_path` makes for `destination` (mkstemp adds 8 characters)."""
    return f".{glob.escape(destination.stem)}.{'?' * 8}{glob.escape(destination.suffix)}.tmp"


def remove_stale_temps(destination: Path) -> None:
    """Delete temporary files a killed run left beside `destination`. A run holds the store's lock while it
    writes, so no other run is writing them now."""
    for stale in destination.parent.glob(temp_pattern(destination)):
        with contextlib.suppress(OSError):
            stale.unlink()


def _hold_interrupts() -> Any:
    """Hold SIGINT back where the platform can (POSIX, main thread); what `_release_interrupts` restores."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_interrupts(held: Any) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextlib.contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces `destination` in one rename."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(destination)
    # A Ctrl-C just after the file is made, before the path is known here, would leave the file behind: it is
    # held back (pending, not lost) until the path is known, and then raised where the file is removed.
    held = _hold_interrupts()
    tmp_path: Path | None = None
    try:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{destination.stem}.", suffix=destination.suffix + ".tmp", dir=destination.parent)
            os.close(fd)
            tmp_path = Path(tmp)
        finally:
            _release_interrupts(held)
        yield tmp_path
    except BaseException:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    """The permissions a newly created file gets (mkstemp's temporary files are owner-only)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def commit(tmp_path: Path, destination: Path) -> Written:
    """Move a finished temporary file into place, or alongside when the destination is locked."""
    with contextlib.suppress(OSError):
        os.chmod(tmp_path, _default_mode())
    try:
        os.replace(tmp_path, destination)
        return Written(destination)
    except PermissionError:
        for n in range(1, 100):
            candidate = destination.with_name(f"{destination.stem} (шинэ {n}){destination.suffix}")
            if not candidate.exists():
                os.replace(tmp_path, candidate)
                return Written(candidate, alongside=True)
        raise


def write_atomically(destination: Path, writer: Any) -> Written:
    """Call `writer(tmp_path)` and move the result into place."""
    with atomic_path(destination) as tmp:
        writer(tmp)
        return commit(tmp, destination)
