"""`negtgel send-templates` and `negtgel remind`: the mail the specialist sends out (issue 16, parts 2 and 3)."""

from __future__ import annotations

import datetime as dt

import click

from pipeline import cycles
from pipeline.cli.common import load_config_or_fail, mappings_option, workspace_or_fail
from pipeline.cli.mail import _fail_on, _secret, _settings_or_fail
from pipeline.cli.run import parse_period
from pipeline.errors import NegtgelError
from pipeline.mail.settings import SmtpSettings
from pipeline.outbox import deliver, describe
from pipeline.words import both

required_period = click.option("--period", required=True, callback=lambda ctx, param, value: parse_period(value),
                               help=both("messages.cli_outgoing.period_yyyy_mm", sep=" / "))
send_option = click.option("--send", is_flag=True,
                           help=both("messages.cli_outgoing.really_send_default_dry", sep=" / "))


def _smtp(mappings: str | None, send: bool) -> tuple[SmtpSettings | None, str | None]:
    if not send:
        return None, None
    settings = _settings_or_fail(mappings)
    _fail_on(settings.smtp_issues())
    password = _secret("SMTP", settings.smtp.user, settings.smtp.host) if settings.smtp.user else None
    return settings.smtp, password


@click.command("send-templates")
@required_period
@send_option
@mappings_option
def send_templates_command(period: str, send: bool, mappings: str | None) -> None:
    """Хэлтэс бүрт тайлангийн загварыг (төлөвлөгөө, сүүлийн гүйцэтгэлээр бөглөсөн) и-мэйлээр илгээнэ.

    Emails every expected department its pre-filled template for the period (`negtgel template --all`),
    through the SMTP server of mail.yaml (as for receipts), to the addresses in departments.yaml. Without
    --send it only lists what would go. Every sending is recorded in the workspace's outbox/templates.jsonl:
    the same file is never sent twice to a department for a period.

    \b
    Жишээ / example:
      negtgel send-templates --period 2026-11            # what would go
      negtgel send-templates --period 2026-11 --send
      negtgel send-templates --period 2026-Q4 --send    # the quarterly departments
    """
    from pipeline.prefill import write_all
    from pipeline.remind import template_message
    from pipeline.run import deadline_for

    config = load_config_or_fail(mappings)
    workspace = workspace_or_fail(mappings)
    smtp, password = _smtp(mappings, send)
    try:
        written = write_all(workspace, config, period)
        deadline = deadline_for(period, config)
        items = [template_message(w.department, period, w, deadline) for w in written]
        outcomes = deliver(workspace, "templates", items, send=send, smtp=smtp, password=password)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(both("cli.outgoing.sent" if send else "cli.outgoing.dry_run", period=period))
    for line in describe(outcomes):
        click.echo(line)
    if any(o.state == "failed" for o in outcomes):
        raise click.exceptions.Exit(1)


@click.command("remind")
@required_period
@send_option
@click.option("--force", is_flag=True,
              help=both("messages.cli_outgoing.send_day_reminders_setting", sep=" / "))
@mappings_option
def remind_command(period: str, send: bool, force: bool, mappings: str | None) -> None:
    """Тайлангаа ирүүлээгүй, эсвэл алдаатай тайлантай хэлтсүүдийг жагсааж, сануулга илгээнэ.

    Lists the departments that have not reported for the period, or whose consolidated report still has
    errors, with the official to call. With --send each gets a reminder (Mongolian, then English) naming
    what is missing and the deadline; at most one a day, recorded in outbox/reminders.jsonl. For a scheduled
    daily run: without --force reminders go only on the days settings.yaml names
    (`reminders: {days_before: [2], days_after: [1, 3]}` around the deadline).

    \b
    Жишээ / example:
      negtgel remind --period 2026-10
      negtgel remind --period 2026-10 --send            # daily, e.g. from cron or the Task Scheduler
      negtgel remind --period 2026-10 --send --force    # today, whatever the day
      negtgel remind --period 2026-Q3                   # a quarter: only the departments reporting quarterly
    """
    from pipeline.remind import is_reminder_day, local_today, reminder_offset, reminders

    config = load_config_or_fail(mappings)
    workspace = workspace_or_fail(mappings)
    today = local_today(config)
    try:
        due, items = reminders(workspace, config, period, today)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    offset = reminder_offset(config, period, today)
    click.echo(both("cli.outgoing.waiting", period=period, deadline=(today - dt.timedelta(days=offset)).isoformat(),
                    count=len(due), total=len(cycles.expected(config.departments, config.settings.cycle, period))))
    for item in due:
        what = (f"{item.file}: {both('cli.fragment.errors', sep=' / ', count=item.errors)}" if item.reported
                else both("cli.fragment.not_reported", sep=" / "))
        official = f" — {item.department.official}" if item.department.official else ""
        click.echo(f"  ✗ {item.department.name}: {what}{official}")
    if not send:
        return
    if not force and not is_reminder_day(config, period, today):
        click.echo(both("cli.outgoing.not_reminder_day", today=today.isoformat()))
        return
    smtp, password = _smtp(mappings, send)
    outcomes = deliver(workspace, "reminders", items, send=True, smtp=smtp, password=password)
    for line in describe(outcomes):
        click.echo(line)
    if any(o.state == "failed" for o in outcomes):
        raise click.exceptions.Exit(1)
