"""The archive of received files, as the store knows it: find each recorded file in the workspace and prove
it is the file that was received (its sha256), before any figure is built from it.

A figure must never rest on a file that is not there, or that changed since it arrived: a run that cannot find
or verify a file it needs publishes nothing for the period (the previous outputs stay) and names the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import NegtgelError
from pipeline.problems import Problem
from pipeline.store import Store, Submission
from pipeline.workspace import INPUT_DIR, Workspace


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archived_path(sub: Submission, workspace: Workspace) -> Path:
    """Where a submission's archive copy is. Versions before the workspace kept the archive inside the input
    folder (`input/archive/...`), with the same recorded path: a workspace that was such a folder's parent
    still finds those copies."""
    path = workspace.resolve(sub.archive_path)
    if not path.exists():
        legacy = workspace.root / INPUT_DIR / sub.archive_path
        if legacy.exists():
            return legacy
    return path


@dataclass(frozen=True)
class ArchiveCheck:
    path: Path
    problem: Problem | None


def check_one(sub: Submission, workspace: Workspace, store: Store) -> ArchiveCheck:
    """Is the archived copy there, and byte for byte what was received? The hash is computed once per copy
    and remembered by its path, size and modification time, so an unchanged archive costs a stat per file."""
    path = archived_path(sub, workspace)
    try:
        stat = path.stat()
    except OSError:
        return ArchiveCheck(path, Problem("archive-file-missing", file=sub.original_name, value=sub.archive_path,
                                          detail=_when(sub)))
    location = str(path.absolute())
    known = store.seen_hash(location, stat.st_size, stat.st_mtime_ns)
    if known is None:
        if stat.st_size != sub.size:
            known = ""
        else:
            try:
                known = sha256_of(path)
            except OSError:
                known = ""
            if known == sub.sha256:
                store.remember_file(location, stat.st_size, stat.st_mtime_ns, known)
    if known != sub.sha256:
        return ArchiveCheck(path, Problem("archive-file-changed", file=sub.original_name, value=sub.archive_path,
                                          detail=_when(sub)))
    return ArchiveCheck(path, None)


def check_archive(subs: Iterable[Submission], workspace: Workspace, store: Store) -> list[Problem]:
    """The problem of every submission whose archived file is missing or changed."""
    problems = []
    with store.transaction():  # the remembered hashes: one commit for all
        for sub in subs:
            found = check_one(sub, workspace, store)
            if found.problem is not None:
                problems.append(found.problem)
    return problems


class ArchiveError(NegtgelError):
    """The period cannot be consolidated: files it needs are missing from the archive or changed."""

    def __init__(self, period: str, problems: Sequence[Problem], lang: str = "mn"):
        self.period = period
        self.problems = list(problems)
        lines = [f"  ✗ {p.value} ({p.file}): {p.message('en' if lang == 'en' else 'mn')}" for p in self.problems]
        if lang == "en":
            head = (f"Period {period} was not published: {len(self.problems)} archived file(s) are missing or changed. "
                    f"The previous outputs are unchanged. Restore the files (from a backup or the original email) and run again.")
        else:
            head = (f"{period} сарын нэгтгэлийг нийтлээгүй: архивын {len(self.problems)} файл олдсонгүй эсвэл өөрчлөгдсөн. "
                    f"Өмнөх гаралт хэвээр үлдлээ. Файлыг нөөц хуулбар эсвэл ирсэн захидлаас сэргээж, дахин ажиллуулна уу.")
        super().__init__("\n".join([head, *lines]))


def _when(sub: Submission) -> str:
    return sub.received_at[:16].replace("T", " ")
