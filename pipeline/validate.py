"""Validation without consolidation: read each file and its notation, collect every problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.intake import discover
from pipeline.normalise import Source, normalise_measures, records_frame
from pipeline.problems import ProblemLog
from pipeline.read.package import is_skipped_name
from pipeline.read.parallel import read_many
from pipeline.read.table import cell_text


@dataclass
class Validation:
    files: int
    problems: ProblemLog


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(discover(path))
        elif not is_skipped_name(path.name):
            files.append(path)
    return files


def validate_paths(paths: list[Path], config: Config) -> Validation:
    log = ProblemLog()
    sources = []
    files = _expand(paths)
    # The same guarded reading as `run`: a file that crashes or hangs its reader is listed, the others checked.
    reads = read_many([(path, str(path)) for path in files], config)
    for index, parsed in enumerate(reads):
        read = parsed.read
        log.extend(read.problems)
        if read.readable:
            sources.append(Source(index, cell_text(read.meta.get("department", "")), read))
    _, problems = normalise_measures(records_frame(sources), config)
    log.extend(problems)
    ordered = sorted(log, key=lambda p: (p.file, p.sheet, p.row or 0, p.cell, p.code))
    return Validation(files=len(files), problems=ProblemLog(ordered))
