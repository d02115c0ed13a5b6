"""`negtgel template`: write a department's report template, empty or prefilled from its plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipeline.cli.common import load_config_or_fail, mappings_option
from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.read.workbook import read_file
from pipeline.template import plan_only, resolve_department, template_filename, write_template
from pipeline.words import both

DEFAULT_DIR = Path("output/templates")


def plan_measures(path: Path, config: Config) -> list[dict[str, Any]]:
    """The measures of an existing plan workbook, reduced to the plan's columns; ClickException if unreadable."""
    read = read_file(path, config)
    if not read.readable:
        messages = "\n".join(f"  - {p.message('mn')}" for p in read.problems) or f"  - {both('cli.template.no_table', sep=' / ')}"
        raise click.ClickException(f"{both('cli.template.unreadable', name=path.name)}\n{messages}")
    measures = [plan_only(record) for table in read.tables for record in table.measures]
    if not measures:
        raise click.ClickException(both("cli.template.no_measures", name=path.name))
    return measures


@click.command("template")
@click.option("--department", "-d", "department",
              help=both("messages.cli_template.department_full_name_short", sep=" / "))
@click.option("--year", "-y", "year", type=click.IntRange(2000, 2100),
              help=both("messages.cli_template.plan_s_year", sep=" / "))
@click.option("--all", "all_departments", is_flag=True,
              help=both("messages.cli_template.every_expected_department_pre", sep=" / "))
@click.option("--period", "period", callback=lambda ctx, param, value: _period(value),
              help=both("messages.cli_template.period_templates_yyyy_mm", sep=" / "))
@click.option("--month", "-m", "month", type=click.IntRange(1, 12),
              help=both("messages.cli_template.reporting_month_else_left", sep=" / "))
@click.option("--from-plan", "from_plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=both("messages.cli_template.prefill_measures_from_this", sep=" / "))
@click.option("-o", "--output", "output_dir", default=str(DEFAULT_DIR), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help=both("messages.cli_template.output_folder", sep=" / "))
@mappings_option
def template_command(
    department: str | None, year: int | None, all_departments: bool, period: str | None, month: int | None,
    from_plan: Path | None, output_dir: Path, mappings: str
) -> None:
    """Хэлтэс, нэгжид илгээх тайлангийн стандарт Excel загварыг бэлтгэнэ.

    Writes the standard report template for one department: an instruction sheet, the plan sheet with a
    locked header, dropdowns for timeframes, achieved levels and self-assessment, and A4 print setup.
    With --from-plan the measures (goals, numbers, targets, timeframes, ...) of an existing plan are
    filled in. The file is OUTPUT/<short name>_<year>_тайлан.xlsx.

    With --all --period every expected department's template for the period is written to the workspace's
    output/templates/PERIOD/ (or -o), pre-filled from its approved plan (`negtgel plan import`) and its last
    consolidated progress of the year, so the official only updates what moved.

    \b
    Жишээ / example:
      negtgel template --department ЗУХ --year 2026 --month 10
      negtgel template -d "Хүнс, хөдөө аж ахуйн газар" -y 2026 --from-plan plan.xlsx -o templates
      negtgel template --all --period 2026-11
      negtgel template --all --period 2026        # the year-end templates, every department
    """
    config = load_config_or_fail(mappings)
    if all_departments:
        _write_all(config, period, output_dir, mappings)
        return
    if department is None or year is None:
        raise click.UsageError(both("cli.template.needs_department"))
    try:
        dept = resolve_department(department, config.departments)
        measures = plan_measures(from_plan, config) if from_plan is not None else None
        path = write_template(output_dir / template_filename(dept, year), department=dept, year=year, month=month,
                              config=config, measures=measures)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(both("cli.template.cannot_write", error=exc)) from None
    click.echo(str(path))


def _period(value: str | None) -> str | None:
    if value is None:
        return None
    from pipeline.cli.run import parse_period

    return str(parse_period(value))


def _write_all(config: Config, period: str | None, output_dir: Path, mappings: str | None) -> None:
    from pipeline.cli.common import workspace_or_fail
    from pipeline.prefill import write_all

    if period is None:
        raise click.UsageError(both("cli.template.all_needs_period"))
    workspace = workspace_or_fail(mappings)
    folder = None if output_dir == DEFAULT_DIR else output_dir
    try:
        written = write_all(workspace, config, period, folder)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(both("cli.template.cannot_write", error=exc)) from None
    for item in written:
        source = both("cli.fragment.plan" if item.from_plan else "cli.fragment.no_plan", sep=" / ")
        progress = f", {both('cli.fragment.progress', sep=' / ')} {item.progress_from}" if item.progress_from else ""
        measures = both("cli.fragment.measures", sep=" / ", count=item.measures)
        click.echo(f"  {item.department.name}: {measures} ({source}{progress}) — {item.path}")
