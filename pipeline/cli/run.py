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
from pipeline.words import both, lang_of, say


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
        help=both("messages.cli_run.period_default_latest", sep=" / "),
    )(fn)


OUTPUT_LANG_HELP = (
    both("messages.cli_run.language_outputs_messages_en", sep=" / ")
)


def review_line(summary: RunSummary, en: bool) -> str | None:
    """What the run did with the reviewer's levels, when there is anything to say."""
    read, in_force, refused = summary.overrides_read, summary.overrides_in_force, summary.overrides_refused
    if read is None and not in_force and not refused:
        return None
    lang = lang_of("en" if en else "mn")
    text = say("cli.run.review_read", lang, read=read) if read is not None else say("cli.run.review_not_edited", lang)
    text += say("cli.run.review_in_force", lang, in_force=in_force)
    if refused:
        text += say("cli.run.review_refused", lang, refused=refused)
    return text + "."


@click.command("run")
@click.argument("input_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@period_option
@output_option
@store_option
@click.option("--per-department", is_flag=True,
              help=both("messages.cli_run.also_write_workbook_per", sep=" / "))
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
    progress = Progress(lang)
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
    language = lang_of(lang)
    closed = say("cli.run.closed", language) if summary.closed else ""
    click.echo(say("cli.run.summary", language, period=summary.period, closed=closed, files=summary.files,
                   reported=summary.reported, expected=summary.expected, measures=summary.measures,
                   errors=summary.errors, warnings=summary.warnings))
    click.echo(say("cli.run.overall", language, pct=pct, rating=summary.rating))
    click.echo(say("cli.run.unchanged" if result.unchanged else "cli.run.written", language, folder=result.output_dir))
    review = review_line(summary, language == "en")
    if review:
        click.echo(review)
    for line in summary.errors_shown:
        click.echo(f"  ✗ {line}")
    if summary.errors > len(summary.errors_shown):
        more = summary.errors - len(summary.errors_shown)
        click.echo(say("cli.run.more_errors", language, more=more, name=problems_name(language)))
    if summary.missing:
        click.echo(say("cli.run.not_reported", language, names=", ".join(summary.missing)))
    other = sorted({s.period for s in result.intake.new if s.period and s.period != summary.period})
    if other:
        click.echo(say("cli.run.other_periods", language, periods=", ".join(other)))
    for path in result.alongside:
        click.echo(say("cli.run.saved_alongside", language, path=path), err=True)
    if result.has_errors:
        raise SystemExit(1)
