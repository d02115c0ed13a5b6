"""Write every output of a period into OUTPUT_DIR/YYYY-MM/, each file atomically; English outputs under
their own names (`names.py`), beside the Mongolian ones.

Writing the consolidated workbook is the single biggest cost of a large run (every measure, every
column, through xlsxwriter), so for large reports it is written in a forked child process while this
process writes the summary, the CSVs and the review file on the other core.

The charts and the PDF digest are drawn by a `Drawer`: a process forked before the report is built, which
imports matplotlib and loads the fonts (≈0.5 s) while this process consolidates, then draws from the small
`ChartData` it is sent while this process writes the workbooks. A run that writes nothing (unchanged) starts
none, so it imports nothing of matplotlib.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Config, Methodology
from pipeline.errors import NegtgelError
from pipeline.model import Report
from pipeline.output.charts import ChartData, chart_data, draw_charts, warm_up
from pipeline.output.consolidated import write_consolidated
from pipeline.output.csvs import write_measures_csv, write_problems_csv
from pipeline.output.names import MEASURES_CSV, consolidated_name, problems_name, summary_name
from pipeline.output.safe import Written
from pipeline.output.summary import write_summary
from pipeline.problems import Lang
from pipeline.timing import stage

# Above this many measures the consolidated workbook takes longer than the charts (about 2 s at any size).
CONSOLIDATED_ALONE_FROM = 20000


class Drawer:
    """A forked process that gets matplotlib ready while the report is built, then draws the figures of the
    `ChartData` it is sent (`draw`) and answers with the files (`result`). Closing it unused ends it."""

    def __init__(self, method: Methodology):
        context = multiprocessing.get_context("fork")
        self._conn, child_conn = context.Pipe(duplex=True)
        self._process = context.Process(target=_drawer_main, args=(child_conn, self._conn, method), daemon=True)
        self._process.start()
        child_conn.close()
        self._sent = False
        self._sending: threading.Thread | None = None

    def draw(self, data: ChartData, period_dir: Path) -> None:
        # Sent from a thread: a pipe holds 64 KB, and the process may still be importing matplotlib; this one
        # goes on writing the workbooks meanwhile.
        self._sending = threading.Thread(target=self._send, args=((data, period_dir),), daemon=True)
        self._sending.start()
        self._sent = True

    def _send(self, job: Any) -> None:
        with contextlib.suppress(OSError):  # the process ended: `result` says so
            self._conn.send(job)

    def sent(self) -> None:
        """Wait until the data is with the drawing process (before forking another: no thread at a fork)."""
        if self._sending is not None:
            self._sending.join()

    def result(self) -> list[Written]:
        self.sent()
        status, value = _answer(self._process, self._conn)
        if status != "ok":
            raise NegtgelError(f"Гаралтын файлыг бичиж чадсангүй / could not write an output: {value}")
        return list(value)

    def close(self) -> None:
        if self._process.exitcode is None and not self._sent:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self.sent()
        self._conn.close()
        self._process.join()


def _drawer_main(conn: Any, parent_end: Any, method: Methodology) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    parent_end.close()  # so that the parent's end closing (or the parent dying) ends the wait below
    try:
        try:
            warm_up()
        except Exception:  # drawing will say what is wrong
            pass
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        data, period_dir = job
        conn.send(("ok", draw_charts(data, period_dir, method)))
    except BaseException as exc:  # reported by the parent as a clear error
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


@contextlib.contextmanager
def drawing(method: Methodology) -> Iterator[Drawer | None]:
    """A `Drawer` for the run's outputs, started now (None where processes cannot be forked); always ended."""
    drawer = Drawer(method) if _can_fork() else None
    try:
        yield drawer
    finally:
        if drawer is not None:
            drawer.close()


def write_outputs(
    report: Report, period_dir: Path, config: Config, *, lang: Lang = "mn", per_department_files: bool = False,
    drawer: Drawer | None = None,
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
            return draw_charts(chart_data(report, lang), period_dir, config.methodology)

    def measures_csv() -> list[Written]:
        with stage("measures.csv"):
            return [write_measures_csv(report.measures, period_dir / MEASURES_CSV)]

    def the_rest() -> list[Written]:
        with stage("summary workbook"):
            written = [write_summary(report, period_dir / summary_name(report.period, lang), lang, config.methodology)]
        with stage("problems.csv"):
            written.append(write_problems_csv(problems, period_dir / problems_name(lang)))
        return written

    if drawer is not None:
        with stage("charts: data sent to the drawing process"):
            drawer.draw(chart_data(report, lang), period_dir)
        if len(report.measures) >= CONSOLIDATED_ALONE_FROM and _can_fork():
            drawer.sent()
            # The workbook alone in its process (≈4.3 s at 50,000 measures); measures.csv (≈0.7 s) beside the
            # summary (≈2.7 s) in this one, which would otherwise wait.
            written = _side_by_side([consolidated], lambda: measures_csv() + the_rest())
        else:
            written = consolidated() + measures_csv() + the_rest()
        with stage("charts and digest (waiting for the drawing process)"):
            return drawer.result() + written
    if not _can_fork():
        return consolidated() + charts() + measures_csv() + the_rest()
    if len(report.measures) >= CONSOLIDATED_ALONE_FROM:
        # The consolidated workbook and measures.csv grow with the measures and are then the largest costs:
        # they get a process of their own; the charts (the same at any size) and the rest share this one.
        return _side_by_side([lambda: consolidated() + measures_csv()], lambda: charts() + the_rest())
    # For a small report the charts (drawing and fonts, the same at any size) are the largest cost.
    return _side_by_side([charts], lambda: consolidated() + measures_csv() + the_rest())


def _can_fork() -> bool:
    # NEGTGEL_START_METHOD=spawn (read/parallel.py) runs as on Windows, where there is no fork: all in this process.
    return ("fork" in multiprocessing.get_all_start_methods() and os.environ.get("NEGTGEL_START_METHOD") != "spawn"
            and (os.cpu_count() or 1) > 1)


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
