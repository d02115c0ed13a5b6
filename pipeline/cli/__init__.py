"""The `negtgel` command line: a thin adapter over the library, one module per command group."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from pipeline import __version__
from pipeline.read.package import xml_defences_active
from pipeline.words import both

# Each command's module is imported when the command is used: a run need not load the mail code.
COMMANDS: dict[str, str] = {
    "init": "pipeline.cli.init:init_command",
    "run": "pipeline.cli.run:run_command",
    "validate": "pipeline.cli.validate:validate_command",
    "template": "pipeline.cli.template:template_command",
    "explain": "pipeline.cli.explain:explain_command",
    "status": "pipeline.cli.periods:status_command",
    "pin": "pipeline.cli.periods:pin_command",
    "unpin": "pipeline.cli.periods:unpin_command",
    "close": "pipeline.cli.periods:close_command",
    "reopen": "pipeline.cli.periods:reopen_command",
    "fetch-mail": "pipeline.cli.mail:fetch_mail_command",
    "ingest": "pipeline.cli.mail:ingest_command",
    "scorecard": "pipeline.cli.scorecard:scorecard_group",
    "plan": "pipeline.cli.plan:plan_group",
    "send-templates": "pipeline.cli.outgoing:send_templates_command",
    "remind": "pipeline.cli.outgoing:remind_command",
    "export": "pipeline.cli.export:export_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, name = target.partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=both("messages.cli.example_negtgel_init_negtgel", sep=" / "),
)
@click.version_option(__version__, prog_name="negtgel")
def cli() -> None:
    """negtgel — хэлтэс, нэгжүүдийн төлөвлөгөөний биелэлтийн Excel загваруудыг нэгтгэж, үнэлнэ.

    Consolidates departments' filled Excel plan templates into one scored, charted report.
    """
    if not xml_defences_active():
        raise click.ClickException(both("cli.no_xml_defences"))


def main() -> None:
    try:
        code = cli(prog_name="negtgel", standalone_mode=False)
        _exit_now(code if isinstance(code, int) else 0)
    except click.exceptions.Abort:
        click.echo(both("cli.interrupted"), err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo(both("cli.interrupted"), err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception:
        # A defect, not the user's mistake: keep the details for the developers, show a sentence.
        log = Path(tempfile.gettempdir()) / "negtgel-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        click.echo(both("cli.internal_error", log=log), err=True)
        sys.exit(3)


def _exit_now(code: int) -> None:
    """End the process once the command has finished: every file is written and closed, every worker
    process joined. Python would otherwise spend a quarter of a second on a large run freeing, one by one,
    objects that the operating system takes back at once."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
