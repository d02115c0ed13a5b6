"""`negtgel run`: the monthly consolidation."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

from pipeline import cycles
from pipeline.cli.common import (
    Progress,
    lang_option,
    load_config_or_fail,
    mappings_option,
    output_option,
    store_option,
    workspace_or_fail,
)
from pipeline.errors import NegtgelError
from pipeline.manifest import RunSummary
from pipeline.output.names import problems_name
from pipeline.run import run_consolidation


def parse_period(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return cycles.canonical(value)  # 2026-10, 2026-Q3, 2026-H2, 2026
    except cycles.PeriodError as exc:
        raise click.BadParameter(str(exc)) from None


def period_option(fn: Any) -> Any:
    return click.option(
        "--period",
        callback=lambda ctx, param, value: parse_period(value),
        help="Тайлант хугацаа: 2026-10, 2026-Q3, 2026-H2 эсвэл 2026 (анхдагч: хамгийн сүүлийн) "
             "/ period: a month, quarter, half-year or year, default the latest.",
    )(fn)


OUTPUT_LANG_HELP = (
    "Гаралтын файл ба мессежийн хэл: en нь англи гаралтыг .en нэрээр (summary_YYYY-MM.en.xlsx г.м.) монгол гаралтын "
    "хажууд бичнэ / the language of the outputs and the messages: en writes English outputs under their own .en names "
    "(summary_YYYY-MM.en.xlsx, …) beside the Mongolian ones, never over them."
)


def review_line(summary: RunSummary, en: bool) -> str | None:
    """What the run did with the reviewer's levels, when there is anything to say."""
    read, in_force, refused = summary.overrides_read, summary.overrides_in_force, summary.overrides_refused
    if read is None and not in_force and not refused:
        return None
    if en:
        text = (f"Review: {plural(read, 'override')} read from the review workbook, " if read is not None
                else "Review: workbook not edited, ")
        text += f"{in_force} in force"
        if refused:
            text += f", {plural(refused, 'edit')} refused (the period is closed: reopen first)"
        return text + "."
    text = f"Хянагчийн түвшин: ажлын номоос {read} уншлаа, " if read is not None else "Хянагчийн түвшин: ажлын ном засагдаагүй, "
    text += f"мөрдөж буй {in_force}"
    if refused:
        text += f", {refused} засварыг хүлээж аваагүй (үе хаагдсан: эхлээд дахин нээнэ үү)"
    return text + "."


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@click.command("run")
@click.argument("input_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@period_option
@output_option
@store_option
@click.option("--per-department", is_flag=True,
              help="Хэлтэс бүрийн тусдаа ажлын ном бичнэ (departments/) / also write a workbook per department.")
@mappings_option
@functools.partial(lang_option, help=OUTPUT_LANG_HELP)
def run_command(
    input_dir: Path | None, period: str | None, output_dir: Path | None, store_path: Path | str | None, per_department: bool,
    mappings: str | None, lang: str,
) -> None:
    """Бүх загварыг уншиж, шалгаж, үнэлээд OUTPUT/YYYY-MM/ хавтаст нэгтгэлийг бичнэ. --lang en нь
    англи хэлээрх гаралтыг .en нэрээр (summary_YYYY-MM.en.xlsx г.м.) монгол гаралтын хажууд бичнэ.

    Takes every new file in INPUT_DIR (default: the workspace's input/) into the workspace's archive,
    validates, scores, and writes the consolidated workbook, the summary workbook, measures.csv and
    problems.csv into OUTPUT/YYYY-MM/ (default: the workspace's output/). Exit code 1 when any file had an
    error, or when a file the period needs is missing from the archive (then nothing is published).
    --lang en writes the English outputs (negtgel_YYYY-MM.en.xlsx, summary_YYYY-MM.en.xlsx, problems.en.csv,
    charts and digest *.en.*) beside the Mongolian ones; measures.csv is the same in both.

    \b
    Жишээ / example:
      negtgel run
      negtgel run "D:/Тайлан/10 сар" --period 2026-10
      negtgel run --period 2026-Q3                # a quarter; 2026-H2 a half-year, 2026 the annual evaluation
    """
    config = load_config_or_fail(mappings)
    workspace = workspace_or_fail(mappings)
    progress = Progress()
    try:
        result = run_consolidation(workspace, config, input_dir=input_dir, output_dir=output_dir, period=period,
                                   store_path=store_path,
                                   lang="en" if lang == "en" else "mn", progress=progress,
                                   per_department_files=per_department)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    summary = result.summary
    pct = "—" if summary.overall_pct is None else f"{summary.overall_pct:.{config.methodology.rounding}f} %"
    closed = " (хаагдсан / closed)" if summary.closed else ""
    if lang == "en":
        click.echo(f"Period {summary.period}{closed}: {plural(summary.files, 'file')}, {summary.reported}/{summary.expected} departments, "
                   f"{plural(summary.measures, 'measure')}, {plural(summary.errors, 'error')}, {plural(summary.warnings, 'warning')}.")
        click.echo(f"Overall implementation: {pct} {summary.rating}")
        click.echo(("Nothing changed; outputs left as they were in " if result.unchanged else "Written to ") + str(result.output_dir))
    else:
        click.echo(f"{summary.period}{closed}: {summary.files} файл, {summary.reported}/{summary.expected} хэлтэс, "
                   f"{summary.measures} арга хэмжээ, {summary.errors} алдаа, {summary.warnings} анхааруулга.")
        click.echo(f"Нийт хэрэгжилт: {pct} {summary.rating}")
        click.echo(("Өөрчлөлт алга; гаралт хэвээр: " if result.unchanged else "Гаралт: ") + str(result.output_dir))
    en = lang == "en"
    review = review_line(summary, en)
    if review:
        click.echo(review)
    for line in summary.errors_shown:
        click.echo(f"  ✗ {line}")
    if summary.errors > len(summary.errors_shown):
        more = summary.errors - len(summary.errors_shown)
        name = problems_name("en" if en else "mn")
        click.echo(f"  … {more} more errors: {name}" if en else f"  … бусад {more} алдаа: {name}")
    if summary.missing:
        click.echo(("Not reported: " if en else "Ирүүлээгүй: ") + ", ".join(summary.missing))
    other = sorted({s.period for s in result.intake.new if s.period and s.period != summary.period})
    if other:
        click.echo(f"Бусад сарын тайлан хүлээн авлаа / reports for other periods received: {', '.join(other)} "
                   f"(negtgel run --period ...)")
    for path in result.alongside:
        click.echo(f"Анхаар: файл нээлттэй байсан тул шинийг {path} нэрээр хадгаллаа / the file was open; "
                   f"the new one was saved as {path}", err=True)
    if result.has_errors:
        raise SystemExit(1)
