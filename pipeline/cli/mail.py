"""`negtgel fetch-mail` and `negtgel ingest`: reports that arrive by email."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from pipeline.cli.common import Progress, lang_option, load_config_or_fail, mappings_option, store_option, workspace_or_fail
from pipeline.config import Config
from pipeline.errors import ConfigError, ConfigIssue, NegtgelError
from pipeline.mail import MailSummary, ingest_paths
from pipeline.mail.imap import fetch_mail
from pipeline.mail.settings import MailSettings, load_mail_settings
from pipeline.problems import Lang
from pipeline.run import store_location
from pipeline.store import Store, open_store
from pipeline.words import LANGS, both, say


def _settings_or_fail(mappings: str | None) -> MailSettings:
    try:
        return load_mail_settings(workspace_or_fail(mappings).mappings)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None


def _fail_on(issues: list[ConfigIssue]) -> None:
    if issues:
        raise click.ClickException(str(ConfigError(issues)))


def _secret(service: str, user: str, host: str) -> str:
    """The password from NEGTGEL_<SERVICE>_PASSWORD, else typed at the terminal; never from a file."""
    name = f"NEGTGEL_{service}_PASSWORD"
    value = os.environ.get(name)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return str(click.prompt(both("cli.mail.password_prompt", sep=" / ", service=service, user=user, host=host),
                                hide_input=True, err=True))
    raise click.ClickException(both("cli.mail.no_password", sep=" / ", service=service, name=name))


def _reply_setup(settings: MailSettings, reply: bool | None) -> tuple[bool, str | None]:
    reply_on = settings.smtp.reply if reply is None else reply
    if not reply_on:
        return False, None
    _fail_on(settings.smtp_issues())
    password = _secret("SMTP", settings.smtp.user, settings.smtp.host) if settings.smtp.user else None
    return True, password


def _store_path(config: Config, store_path: Path | str | None) -> Path | str:
    return store_location(config, workspace_or_fail(), store_path)


def _keeping_root(input_dir: Path | None) -> Path:
    """Where archive/ and quarantine/ are: the workspace; `--input` (kept for scripts written before the
    workspace) names another folder to keep them in."""
    return input_dir if input_dir is not None else workspace_or_fail().root


def print_summary(summary: MailSummary, lang: str, input_dir: Path) -> None:
    counts = (summary.errors, len(summary.problems) - summary.errors)
    for each in LANGS:  # no --lang for the counts: Mongolian, then English
        click.echo(say("cli.mail.summary", each, messages=summary.messages, already=summary.already,
                       taken=summary.files_taken, duplicates=summary.duplicates, quarantined=summary.quarantined,
                       errors=counts[0], warnings=counts[1], sent=summary.receipts_sent)
                   + (say("cli.mail.summary_failed", each, failed=summary.receipts_failed) if summary.receipts_failed else "."))
    if summary.not_reports:
        click.echo(both("cli.mail.not_reports", sep=" / ", count=summary.not_reports))
    for sub in summary.submissions:
        click.echo(f"  + {sub.original_name} → {input_dir / sub.archive_path} ({sub.department or '?'}, {sub.period or '?'})")
    for path in summary.quarantine_paths:
        click.echo(f"  ! {path}")
    language: Lang = "en" if lang == "en" else "mn"
    for problem in summary.problems:
        location = " ".join(part for part in (problem.sheet, problem.cell) if part) or "—"
        click.echo(f"{problem.file}\t{location}\t{problem.code}\t{problem.message(language)}")


def _take_mail(config: Config, store_path: Path | str | None, lang: str, input_dir: Path,
               take: Callable[[Store, Callable[[int, int], None]], MailSummary]) -> None:
    """Run `take` (fetch or ingest) on the store with a progress bar; its errors become messages."""
    bar = Progress(lang)
    try:
        with open_store(_store_path(config, store_path)) as store:
            summary = take(store, bar.of("mail"))
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(both("cli.mail.cannot_write", sep=" / ", error=exc)) from None
    finally:
        bar.close()
    print_summary(summary, lang, input_dir)
    _finish(summary)


def _finish(summary: MailSummary) -> None:
    if summary.receipt_errors:
        raise click.ClickException(both("cli.mail.receipts_failed", sep=" / ", failed=summary.receipts_failed,
                                        error=summary.receipt_errors[0]))


input_option = click.option("--input", "input_dir", default=None, hidden=True,
                            type=click.Path(file_okay=False, path_type=Path),
                            help=both("messages.cli_mail.where_archive_quarantine_kept", sep=" / "))
reply_option = click.option("--reply/--no-reply", default=None,
                            help=both("messages.cli_mail.send_receipts_default_smtp", sep=" / "))


@click.command("fetch-mail")
@input_option
@store_option
@reply_option
@mappings_option
@lang_option
def fetch_mail_command(input_dir: Path | None, store_path: Path | str | None, reply: bool | None, mappings: str | None, lang: str) -> None:
    """Шуудангийн хайрцгаас шинэ захидлыг татаж, Excel тайланг хүлээн авна.

    Reads the new messages of the mailbox in mappings/mail.yaml, takes their Excel reports into the
    archive, quarantines files from unknown senders and marks each message processed. Safe to run again:
    a message is never taken twice. Passwords come from NEGTGEL_IMAP_PASSWORD / NEGTGEL_SMTP_PASSWORD
    or are asked for.

    \b
    Жишээ / example:
      NEGTGEL_IMAP_PASSWORD=... negtgel fetch-mail --reply
    """
    config = load_config_or_fail(mappings)
    input_dir = _keeping_root(input_dir)
    settings = _settings_or_fail(mappings)
    _fail_on(settings.imap_issues())
    reply_on, smtp_password = _reply_setup(settings, reply)
    password = _secret("IMAP", settings.imap.user, settings.imap.host)
    input_dir.mkdir(parents=True, exist_ok=True)
    _take_mail(config, store_path, lang, input_dir, lambda store, progress: fetch_mail(
        settings, password, store, config, input_dir, reply=reply_on, smtp_password=smtp_password, progress=progress))


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@input_option
@store_option
@reply_option
@mappings_option
@lang_option
def ingest_command(paths: tuple[Path, ...], input_dir: Path | None, store_path: Path | str | None, reply: bool | None,
                   mappings: str | None, lang: str) -> None:
    """Хадгалсан захидлаас (.eml, Outlook .msg) Excel тайланг хүлээн авна.

    Takes the Excel reports out of saved messages (.eml, Outlook .msg; a folder means every such file in
    it) exactly as fetch-mail does: archive, quarantine for unknown senders, receipts when asked.

    \b
    Жишээ / example:
      negtgel ingest "Тайлан ЗУХ.msg" saved-mail/
    """
    config = load_config_or_fail(mappings)
    input_dir = _keeping_root(input_dir)
    settings = _settings_or_fail(mappings)
    reply_on, smtp_password = _reply_setup(settings, reply)
    input_dir.mkdir(parents=True, exist_ok=True)
    _take_mail(config, store_path, lang, input_dir, lambda store, progress: ingest_paths(
        list(paths), store, config, settings, input_dir, reply=reply_on, smtp_password=smtp_password, progress=progress))
