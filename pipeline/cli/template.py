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

DEFAULT_DIR = Path("output/templates")


def plan_measures(path: Path, config: Config) -> list[dict[str, Any]]:
    """The measures of an existing plan workbook, reduced to the plan's columns; ClickException if unreadable."""
    read = read_file(path, config)
    if not read.readable:
        messages = "\n".join(f"  - {p.message('mn')}" for p in read.problems) or "  - хүснэгт олдсонгүй"
        raise click.ClickException(f"\"{path.name}\" төлөвлөгөөг уншиж чадсангүй / could not read the plan:\n{messages}")
    measures = [plan_only(record) for table in read.tables for record in table.measures]
    if not measures:
        raise click.ClickException(f"\"{path.name}\" файлд арга хэмжээ олдсонгүй / the plan holds no measures.")
    return measures


@click.command("template")
@click.option("--department", "-d", "department",
              help="Хэлтэс, нэгжийн нэр, товч нэр эсвэл өөр нэр / department: full name, short name or alias.")
@click.option("--year", "-y", "year", type=click.IntRange(2000, 2100),
              help="Төлөвлөгөөний он / the plan's year.")
@click.option("--all", "all_departments", is_flag=True,
              help="Бүх хэлтэст, батлагдсан төлөвлөгөө, сүүлийн гүйцэтгэлээр бөглөнө (--period-той) / every expected "
                   "department, pre-filled from its approved plan and last accepted progress (with --period).")
@click.option("--period", "period", callback=lambda ctx, param, value: _period(value),
              help="Тайлант хугацаа 2026-11, 2026-Q4, 2026-H2, 2026 (--all-той) / the period the templates are for (with --all).")
@click.option("--month", "-m", "month", type=click.IntRange(1, 12),
              help="Тайлант сар 1-12 (хоосон бол хэлтэс бөглөнө) / reporting month, else left for the department.")
@click.option("--from-plan", "from_plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Арга хэмжээг энэ төлөвлөгөөний файлаас бөглөнө / prefill the measures from this plan workbook.")
@click.option("-o", "--output", "output_dir", default=str(DEFAULT_DIR), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Гаралтын хавтас / output folder.")
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
        raise click.UsageError("--department, --year (эсвэл --all --period) заавал / are required (or --all --period).")
    try:
        dept = resolve_department(department, config.departments)
        measures = plan_measures(from_plan, config) if from_plan is not None else None
        path = write_template(output_dir / template_filename(dept, year), department=dept, year=year, month=month,
                              config=config, measures=measures)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"Файл бичиж чадсангүй / could not write the file: {exc}") from None
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
        raise click.UsageError("--all-д --period хэрэгтэй / --all needs --period (2026-11, 2026-Q4, ...).")
    workspace = workspace_or_fail(mappings)
    folder = None if output_dir == DEFAULT_DIR else output_dir
    try:
        written = write_all(workspace, config, period, folder)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"Файл бичиж чадсангүй / could not write the file: {exc}") from None
    for item in written:
        source = "төлөвлөгөө / plan" if item.from_plan else "төлөвлөгөө алга / no plan"
        progress = f", гүйцэтгэл / progress {item.progress_from}" if item.progress_from else ""
        click.echo(f"  {item.department.name}: {item.measures} арга хэмжээ / measures ({source}{progress}) — {item.path}")
