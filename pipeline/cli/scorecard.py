"""`negtgel scorecard template | run`: rank organisations on several criteria (mappings/scorecards/NAME.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipeline.cli.common import lang_option, load_config_or_fail, mappings_option, output_option, store_option, workspace_or_fail
from pipeline.cli.run import parse_period
from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.problems import Lang
from pipeline.scorecard import load_scorecard, make_templates, returned_folder, run_scorecard
from pipeline.scorecard.result import problem_lines
from pipeline.scorecard.spec import Scorecard
from pipeline.words import both, say
from pipeline.workspace import Workspace

required_period = click.option(
    "--period", required=True, callback=lambda ctx, param, value: parse_period(value), help=both("messages.cli_scorecard.period_yyyy_mm", sep=" / ")
)


@click.group("scorecard", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def scorecard_group() -> None:
    """Байгууллагуудыг хэд хэдэн шалгуураар үнэлж эрэмбэлнэ (mappings/scorecards/НЭР.yaml).

    Ranks organisations on several criteria: some computed from the period's consolidation (plan %, timeliness,
    report quality, completeness), some typed by evaluators in a workbook that `template` writes and `run` reads back.

    \b
    Жишээ / example:
      negtgel scorecard template monthly --period 2026-10 --evaluator "Б.Бат"
      negtgel scorecard run monthly --period 2026-10
    """


def _lang(value: str) -> Lang:
    return "en" if value == "en" else "mn"


def _options(fn: Any) -> Any:
    """What both commands take: the period, the output folder, the store, the workspace and the language."""
    return required_period(output_option(store_option(mappings_option(lang_option(fn)))))


def _start(mappings: str | None, name: str) -> tuple[Config, Workspace, Scorecard]:
    """The workspace's configuration and the scorecard NAME, validated (every mistake as one message)."""
    config = load_config_or_fail(mappings)
    workspace = workspace_or_fail(mappings)
    try:
        return config, workspace, load_scorecard(workspace.mappings, name)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None


@scorecard_group.command("template")
@click.argument("name")
@click.option("--evaluator", "evaluators", multiple=True,
              help=both("messages.cli_scorecard.evaluator_s_name_repeat", sep=" / "))
@_options
def template_command(name: str, period: str, evaluators: tuple[str, ...], output_dir: Path | None, store_path: Path | None,
                     mappings: str | None, lang: str) -> None:
    """Үнэлгээчний ажлын номыг бичнэ: байгууллага бүр нэг мөр, шалгуур бүр дээд оноотой багана.

    Writes the evaluators' workbook to OUTPUT/YYYY-MM/scorecard_NAME_YYYY-MM_evaluator[_NAME].xlsx: one row per
    organisation (mappings/departments.yaml), one column per evaluator criterion with its maximum and a validation
    that refuses more (or less than 0), the computed criteria filled in from the period's consolidation and locked,
    and an instruction sheet. Put the returned workbooks in <workspace>/scorecards/NAME/YYYY-MM/.

    \b
    Жишээ / example:
      negtgel scorecard template campaign --period 2026-10
      negtgel scorecard template monthly --period 2026-10 --evaluator "Б.Бат" --evaluator "Д.Сараа"
    """
    config, workspace, card = _start(mappings, name)
    en = lang == "en"
    try:
        written = make_templates(config, workspace, card, period, evaluators, output_dir, store_path, _lang(lang))
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(say("cli.scorecard.cannot_write", _lang(lang), error=exc)) from None
    for item in written:
        click.echo(str(item.path))
    folder = returned_folder(workspace, card, period)
    click.echo(f"Put the returned workbooks in {folder}, then: negtgel scorecard run {name} --period {period}" if en else
               f"Бөглөж ирүүлсэн ажлын номыг {folder} хавтаст хуулаад: negtgel scorecard run {name} --period {period}")


@scorecard_group.command("run")
@click.argument("name")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_options
def run_command(name: str, files: tuple[Path, ...], period: str, output_dir: Path | None, store_path: Path | None,
                mappings: str | None, lang: str) -> None:
    """Үнэлгээчдийн ажлын номыг уншиж, оноог нэгтгэн эрэмбэлнэ.

    Reads the returned workbooks (FILES, default: <workspace>/scorecards/NAME/YYYY-MM/), combines the evaluators'
    points per criterion (mean, or as the scorecard says), adds the computed criteria and writes
    OUTPUT/YYYY-MM/scorecard_NAME_YYYY-MM.xlsx: total, rank, the points per criterion, a chart, the award list and
    the problems. Missing points are never taken as 0: the total is marked incomplete and ranked after the complete
    ones. Exit code 1 when any workbook had an error.

    \b
    Жишээ / example:
      negtgel scorecard run monthly --period 2026-10
      negtgel scorecard run campaign --period 2026-10 "D:/Үнэлгээ/Бат.xlsx" "D:/Үнэлгээ/Сараа.xlsx"
    """
    config, workspace, card = _start(mappings, name)
    try:
        result = run_scorecard(config, workspace, card, period, files, output_dir, store_path, _lang(lang))
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    complete = sum(row.complete for row in result.rows)
    counts = result.problems.counts()
    click.echo(say("cli.scorecard.summary", _lang(lang), title=card.title(_lang(lang)), period=period, given=len(result.given),
                   complete=complete, rows=len(result.rows), errors=counts["error"], warnings=counts["warning"]))
    for row in result.rows[: card.award_top]:
        total = f"{row.total:g}" if row.complete else say("cli.scorecard.incomplete", _lang(lang), total=f"{row.total:g}")
        click.echo(f"  {row.rank}. {row.organisation} — {total}")
    for line in problem_lines(result.problems, _lang(lang)):
        click.echo(f"  ✗ {line}")
    click.echo(say("cli.scorecard.written", _lang(lang), path=result.written.path))
    if result.has_errors:
        raise SystemExit(1)
