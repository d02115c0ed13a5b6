"""`negtgel status | pin | unpin | close | reopen`: a period's completeness and its life cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipeline import periods
from pipeline.cli.common import load_config_or_fail, mappings_option, output_option, store_option, workspace_or_fail
from pipeline.cli.run import parse_period, period_option
from pipeline.errors import NegtgelError
from pipeline.words import LANGS, both, say


def _common(fn: Any) -> Any:
    return mappings_option(store_option(fn))


required_period = click.option(
    "--period", required=True, callback=lambda ctx, param, value: parse_period(value), help=both("messages.cli_periods.period_yyyy_mm", sep=" / ")
)


def _fail(exc: NegtgelError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.command("status")
@period_option
@_common
def status_command(period: str | None, store_path: Path | str | None, mappings: str | None) -> None:
    """Тайлант хугацаанд хэн тайлангаа ирүүлсэн, хоцорсон, ирүүлээгүйг хэвлэнэ.

    Prints which expected departments reported for the period, on time or how many days late, and which
    are missing, with the official to chase.

    \b
    Жишээ / example:
      negtgel status --period 2026-10
    """
    config = load_config_or_fail(mappings)
    try:
        result = periods.status(config, workspace_or_fail(mappings), store_path, period)
    except NegtgelError as exc:
        raise _fail(exc) from None
    table = result.table
    closed = {lang: say("cli.status.closed", lang) if result.closed else "" for lang in LANGS}
    for lang in LANGS:
        click.echo(say("cli.status.deadline", lang, period=result.period, closed=closed[lang],
                       deadline=result.deadline.isoformat()))
    reported = table[table["reported"]]
    click.echo(both("cli.status.reported", reported=len(reported),
                    expected=int(table["department"].isin([d.name for d in config.departments]).sum())))
    for row in reported.itertuples():
        if row.on_time:
            click.echo(f"  ✓ {row.department}: {row.received_at}, {both('cli.status.on_time', sep=' / ')} — {row.file}")
        else:
            late = both("cli.status.days_late", sep=" / ", days=row.days_late)
            click.echo(f"  ! {row.department}: {row.received_at}, {late} — {row.file}")
        if row.corrections:
            click.echo(f"      {both('cli.status.corrections', sep=' / ')}: {row.corrections}")
    missing = table[~table["reported"]]
    if len(missing):
        click.echo(both("cli.status.missing", count=len(missing)))
        for row in missing.itertuples():
            click.echo(f"  ✗ {row.department} — {row.official or both('cli.status.no_official', sep=' / ')}")
    if result.quarantined:
        click.echo(both("cli.status.quarantined", count=len(result.quarantined)))
        for sender, date, subject in result.quarantined:
            click.echo(f"  ? {sender} {date} — {subject}")


@click.command("close")
@required_period
@click.option("--reason", required=True, help=both("messages.cli_periods.why_period_closed", sep=" / "))
@output_option
@_common
def close_command(period: str, reason: str, output_dir: Path | None, store_path: Path | str | None, mappings: str | None) -> None:
    """Тайлант хугацааг хааж, нийтэлсэн дүнг царцаана.

    Freezes the period: later runs reproduce these figures exactly, and files that arrive afterwards are
    archived and listed without changing them until the period is reopened.

    \b
    Жишээ / example:
      negtgel close --period 2026-10 --reason "Удирдлагад танилцуулсан"
    """
    config = load_config_or_fail(mappings)
    try:
        report = periods.close(config, workspace_or_fail(mappings), output_dir, store_path, period, reason)
    except NegtgelError as exc:
        raise _fail(exc) from None
    pct = "—" if report.overall.pct is None else f"{report.overall.pct} %"
    click.echo(both("cli.closed", period=period, pct=pct))


@click.command("reopen")
@required_period
@click.option("--reason", required=True, help=both("messages.cli_periods.why_reopened", sep=" / "))
@_common
def reopen_command(period: str, reason: str, store_path: Path | str | None, mappings: str | None) -> None:
    """Хаасан тайлант хугацааг дахин нээнэ.

    Reopens a closed period; the next run recomputes its figures from the archive.

    \b
    Жишээ / example:
      negtgel reopen --period 2026-10 --reason "ХХААГ засвар ирүүлсэн"
    """
    config = load_config_or_fail(mappings)
    try:
        periods.reopen(config, workspace_or_fail(mappings), store_path, period, reason)
    except NegtgelError as exc:
        raise _fail(exc) from None
    click.echo(both("cli.reopened", period=period))


@click.command("pin")
@required_period
@click.option("--submission", required=True, help=both("messages.cli_periods.submission_number_file_name", sep=" / "))
@click.option("--reason", default="", help=both("messages.cli_periods.why", sep=" / "))
@_common
def pin_command(period: str, submission: str, reason: str, store_path: Path | str | None, mappings: str | None) -> None:
    """Хэлтсийн хамгийн сүүлийн биш, өмнөх тайланг нэгтгэлд ашиглана.

    Consolidates an older submission of a department instead of its newest one.

    \b
    Жишээ / example:
      negtgel pin --period 2026-10 --submission "ЗУХ 10 сарын тайлан.xlsx" --reason "Шинэ файл буруу"
    """
    config = load_config_or_fail(mappings)
    try:
        what = periods.pin(config, workspace_or_fail(mappings), store_path, period, submission, reason)
    except NegtgelError as exc:
        raise _fail(exc) from None
    click.echo(both("cli.pinned", what=what))


@click.command("unpin")
@required_period
@click.option("--department", required=True, help=both("messages.cli_periods.department", sep=" / "))
@_common
def unpin_command(period: str, department: str, store_path: Path | str | None, mappings: str | None) -> None:
    """Сонголтыг цуцалж, хамгийн сүүлийн тайланг дахин ашиглана.

    Removes a pin: the department's newest submission is consolidated again.

    \b
    Жишээ / example:
      negtgel unpin --period 2026-10 --department ЗУХ
    """
    config = load_config_or_fail(mappings)
    try:
        removed = periods.unpin(config, workspace_or_fail(mappings), store_path, period, department)
    except NegtgelError as exc:
        raise _fail(exc) from None
    click.echo(both("cli.unpinned" if removed else "cli.no_pin"))

