"""Inputs for the pure core, in memory: submissions as the store would list them, reads of real template
files (written by tests.helpers and read by the real reader), review records as the edge reads them.

A test gathers nothing from a store or a workspace: it builds `PeriodInputs` here and runs
`build.period_report` / `build.build_report` on them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.model import Closing, PeriodInputs, ReviewRead, Submission
from pipeline.output.names import consolidated_name
from pipeline.read.workbook import FileRead, read_file
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"
SANKHUU = "Санхүү, төрийн сангийн хэлтэс"


def measures(numbering: Sequence[str] = ("1.1", "1.2", "1.3"),
             actual: Sequence[str] = ("Бүрэн хэрэгжсэн", "Хэрэгжих шатандаа", "Хэрэгжээгүй")) -> list[list[object]]:
    """Three measures of a whole-year timeframe, scored 100, 70 and 0 by their actual text."""
    texts = ["Цахим үйлчилгээг нэвтрүүлнэ.", "Сургалт зохион байгуулна.", "Журмыг шинэчилнэ."]
    return [[no, text, None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None, a, None, None]
            for no, text, a in zip(numbering, texts, actual, strict=True)]


def template_read(folder: Path, name: str, config: Config, rows: list[list[Any]] | None = None, *,
                  department: str = ZUH) -> FileRead:
    """A real template file written to `folder` and read by the reader (the file may be deleted after)."""
    path = write_xlsx(folder / name, rows if rows is not None else template_rows(measures(), department=department))
    return read_file(path, config, name=name)


def submission(sid: int, name: str, department: str | None = ZUH, *, received_at: str = "2026-11-02T09:00:00+08:00",
               period: str = "2026-10", readable: int = 1, errors: int = 0, warnings: int = 0) -> Submission:
    """A submission as the store lists it (the archive path is never opened by the pure core)."""
    sha = hashlib.sha256(f"{sid}:{name}".encode()).hexdigest()
    return Submission(id=sid, sha256=sha, original_name=name, archive_path=f"archive/{period}/{department}/{name}",
                      department=department, department_source="meta", period=period, period_source="meta",
                      received_at=received_at, sender=None, subject=None, message_id=None, origin="folder", size=1000,
                      errors=errors, warnings=warnings, recorded_at=received_at, intake_problems=None, readable=readable)


def inputs(files: Sequence[tuple[Submission, FileRead]], period: str = "2026-10", **fields: Any) -> PeriodInputs:
    """An open period's inputs from (submission, read) pairs; any other field by keyword."""
    return PeriodInputs(period=period, submissions=[s for s, _ in files], reads={s.id: r for s, r in files},
                        pins=fields.pop("pins", {}), stored_overrides=fields.pop("stored_overrides", []),
                        review_name=fields.pop("review_name", consolidated_name(period)), **fields)


def review(rows: Sequence[tuple[str, str, str]], *, name: str = "negtgel_2026-10.xlsx", lang: str = "mn",
           sheet: str = "Нэгтгэл") -> ReviewRead:
    """The review workbook as `review_workbook.read_review` returns it: (measure key, level, comment) per row,
    at rows 2, 3, … with the level in column Q and the comment in R, where the consolidated workbook has them."""
    records = [{"measure_key": key, "override": level, "comment": comment, "department": key.split("|", 1)[0],
                "measure_no": "", "measure": "", "_sheet": sheet, "_cell": f"Q{r}", "_comment_cell": f"R{r}"}
               for r, (key, level, comment) in enumerate(rows, start=2)]
    return ReviewRead(name, lang, records)


def closed(frozen: dict[str, Any], submissions: Sequence[Submission], period: str = "2026-10", **fields: Any) -> PeriodInputs:
    """A closed period's inputs: its snapshot and the submissions the store lists now."""
    return PeriodInputs(period=period, submissions=list(submissions), reads={}, pins={},
                        stored_overrides=fields.pop("stored_overrides", []), review_name=consolidated_name(period),
                        closing=Closing("2026-11-20T10:00:00+08:00", "approved"), frozen=frozen, **fields)
