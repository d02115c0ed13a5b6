"""`negtgel plan import | list | accept`: the approved plan of the year and the changes the specialist accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from pipeline.cli.common import load_config_or_fail, mappings_option, workspace_or_fail
from pipeline.errors import NegtgelError
from pipeline.plan import accept_change, import_plan, plan_status
from pipeline.words import both


def _default_year(mappings: str | None) -> int:
    """The latest year that has plans in the workspace, else this year."""
    from pipeline.plan import PLANS_DIR

    folder = workspace_or_fail(mappings).root / PLANS_DIR
    years = [int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit()] if folder.is_dir() else []
    return max(years, default=dt.date.today().year)


@click.group("plan")
def plan_group() -> None:
    """Хэлтэс, нэгжийн батлагдсан төлөвлөгөөг оруулж, тайланг түүнтэй тулгана.

    The approved plan of the year: each department's measures, indicators, baselines, targets and
    timeframes, against which every report is compared and scored.

    \b
    Жишээ / example:
      negtgel plan import ЗУХ_төлөвлөгөө.xlsx ХХААГ_төлөвлөгөө.xlsx --year 2026
      negtgel plan list --year 2026
      negtgel plan accept --department ЗУХ --measure 2.6 --reason "Засаг даргын шийдвэрээр хасав"
    """


@plan_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", "-y", type=click.IntRange(2000, 2100),
              help=both("messages.cli_plan.plan_s_year_default", sep=" / "))
@click.option("--department", "-d", help=both("messages.cli_plan.department_default_from_file", sep=" / "))
@mappings_option
def import_command(files: tuple[Path, ...], year: int | None, department: str | None, mappings: str | None) -> None:
    """Батлагдсан төлөвлөгөөг (эсвэл төлөвлөгөө гэж тэмдэглэсэн тайланг) оруулна.

    Stores each file as its department's approved plan for the year, in the workspace's plans/YEAR/
    (the source file is archived under archive/plans/YEAR/, never overwritten). A later import of another
    file for the same department replaces the plan; the log keeps both.

    \b
    Жишээ / example:
      negtgel plan import ЗУХ_2026_төлөвлөгөө.xlsx --year 2026
      negtgel plan import 2026_тайлан_10сар.xlsx --department ЗУХ --year 2026
    """
    config = load_config_or_fail(mappings)
    workspace = workspace_or_fail(mappings)
    failed = 0
    for path in files:
        try:
            done = import_plan(path, config, workspace, year=year, department=department)
        except NegtgelError as exc:
            failed += 1
            click.echo(f"  ✗ {path.name}: {exc}", err=True)
            continue
        if done.unchanged:
            click.echo(f"  = {done.department} {done.year}: {both('cli.fragment.already_plan', sep=' / ')} — {path.name}")
        else:
            again = ", " + both("cli.fragment.replaces_plan", sep=" / ") if done.replaced else ""
            measures = both("cli.fragment.measures", sep=" / ", count=done.measures)
            click.echo(f"  ✓ {done.department} {done.year}: {measures}{again} — {path.name}")
            for note in done.notes:
                click.echo(f"      ! {note}")
    if failed:
        raise click.exceptions.Exit(1)


@plan_group.command("list")
@click.option("--year", "-y", type=click.IntRange(2000, 2100), default=None,
              help=both("messages.cli_plan.year_default_latest_with", sep=" / "))
@mappings_option
def list_command(year: int | None, mappings: str | None) -> None:
    """Аль хэлтэс батлагдсан төлөвлөгөөтэй, аль нь байхгүйг харуулна.

    Lists every expected department with its approved plan for the year (measures, file, when imported),
    and those that have none, with the official to ask.

    \b
    Жишээ / example:
      negtgel plan list --year 2026
    """
    config = load_config_or_fail(mappings)
    chosen = year or _default_year(mappings)
    rows = plan_status(workspace_or_fail(mappings), config, chosen)
    with_plan = [r for r in rows if r.has_plan]
    click.echo(both("cli.plan.with_plan", period=chosen, count=len(with_plan), total=len(config.departments)))
    for r in with_plan:
        measures = both("cli.fragment.measures", sep=" / ", count=r.measures)
        click.echo(f"  ✓ {r.department}: {measures} — {r.source_file} ({r.imported_at[:10]})")
    for r in rows:
        if not r.has_plan:
            official = f" — {r.official}" if r.official else ""
            click.echo(f"  ✗ {r.department}: {both('cli.fragment.no_plan', sep=' / ')}{official}")


@plan_group.command("accept")
@click.option("--department", "-d", required=True, help=both("messages.cli_plan.department", sep=" / "))
@click.option("--measure", "-m", required=True, help=both("messages.cli_plan.measure_s_number_or", sep=" / "))
@click.option("--reason", "-r", required=True, help=both("messages.cli_plan.why_change_accepted", sep=" / "))
@click.option("--year", "-y", type=click.IntRange(2000, 2100), default=None,
              help=both("messages.cli_plan.plan_s_year_default_2", sep=" / "))
@mappings_option
def accept_command(department: str, measure: str, reason: str, year: int | None, mappings: str | None) -> None:
    """Тайланд орсон төлөвлөгөөний өөрчлөлтийг (хасагдсан, өөрчлөгдсөн арга хэмжээ) зөвшөөрнө.

    Accepts the change a department made to one measure of its approved plan: a removed measure no
    longer counts as not done, a changed target or timeframe is scored as reported. Recorded with the
    time and the reason in plans/YEAR/log.jsonl; the next run uses it.

    \b
    Жишээ / example:
      negtgel plan accept --department ЗУХ --measure 2.6 --reason "Засаг даргын 2026.03.02-ны шийдвэрээр хасав"
    """
    config = load_config_or_fail(mappings)
    try:
        done = accept_change(workspace_or_fail(mappings), config, year=year or _default_year(mappings), department=department,
                             measure=measure, reason=reason)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"  ✓ {done.department} {done.measure_no}: {both('cli.fragment.accepted', sep=' / ')} {done.at} — {done.reason}")
