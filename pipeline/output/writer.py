"""Write every output of a period into OUTPUT_DIR/YYYY-MM/, each file atomically; English outputs under
their own names (`names.py`), beside the Mongolian ones.

Writing the consolidated workbook is the single biggest cost of a large run (every measure, every
column, through xlsxwriter), so for large reports it is written in a forked child process while this
process writes the summary, the charts, the CSVs and the review file on the other core.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.output.charts import write_charts
from pipeline.output.consolidated import write_consolidated
from pipeline.output.csvs import write_measures_csv, write_problems_csv
from pipeline.output.names import MEASURES_CSV, consolidated_name, problems_name, summary_name
from pipeline.output.safe import Written
from pipeline.output.summary import write_summary
from pipeline.problems import Lang
from pipeline.timing import stage

# Above this many measures the consolidated workbook takes longer than the charts (about 2 s at any size).
CONSOLIDATED_ALONE_FROM = 20000


def write_outputs(
    report: Any, period_dir: Path, config: Config, *, lang: Lang = "mn", per_department_files: bool = False
) -> list[Written]:
    period_dir.mkdir(parents=True, exist_ok=True)
    problems = report.problems.to_frame(lang)

    def consolidated() -> list[Written]:
        with stage("consolidated workbook"):
            return write_consolidated(
                report,
                period_dir / consolidated_name(report.period, lang),
                lang,
                method=config.methodology,
                department_sheets_max=config.settings.department_sheets_max,
                problems=problems,
                per_department_files=per_department_files,
            )

    def charts() -> list[Written]:
        with stage("charts and digest"):
            return write_charts(report, period_dir, config.methodology, lang)

    def measures_csv() -> list[Written]:
        with stage("measures.csv"):
            return [write_measures_csv(report.measures, period_dir / MEASURES_CSV)]

    def the_rest() -> list[Written]:
        with stage("summary workbook"):
            written = [write_summary(report, period_dir / summary_name(report.period, lang), lang, config.methodology)]
        with stage("problems.csv"):
            written.append(write_problems_csv(problems, period_dir / problems_name(lang)))
        return written

    if not _can_fork():
        return consolidated() + charts() + measures_csv() + the_rest()
    if len(report.measures) >= CONSOLIDATED_ALONE_FROM:
        # The consolidated workbook and measures.csv grow with the measures and are then the largest costs:
        # they get a process of their own; the charts (the same at any size) and the rest share this one.
        return _side_by_side([lambda: consolidated() + measures_csv()], lambda: charts() + the_rest())
    # For a small report the charts (drawing and fonts, the same at any size) are the largest cost.
    return _side_by_side([charts], lambda: consolidated() + measures_csv() + the_rest())


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def _child(task: Callable[[], list[Written]], sender: Any) -> None:
    # Ctrl-C is the parent's to handle: the child finishes its (atomic) file, the parent stops cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sender.send(("ok", task()))
    except BaseException as exc:  # reported by the parent as a clear error
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _side_by_side(children: list[Callable[[], list[Written]]], here: Callable[[], list[Written]]) -> list[Written]:
    """Run each of `children` in a forked process (it inherits the report without copying) and `here` in
    this one; the files come back in the order given."""
    context = multiprocessing.get_context("fork")
    started = []
    for task in children:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(task, sender), daemon=True)
        child.start()
        sender.close()
        started.append((child, receiver))
    try:
        rest = here()
    finally:
        outcomes = [_answer(child, receiver) for child, receiver in started]
    written: list[Written] = []
    for status, value in outcomes:
        if status != "ok":
            raise NegtgelError(f"Гаралтын файлыг бичиж чадсангүй / could not write an output: {value}")
        written.extend(value)
    return written + rest


def _answer(child: Any, receiver: Any) -> tuple[str, Any]:
    try:
        return receiver.recv() if receiver.poll(timeout=3600) else ("error", "no answer from the writer process")
    except EOFError:
        return ("error", f"the writer process stopped (exit code {child.exitcode})")
    finally:
        child.join()
        receiver.close()
