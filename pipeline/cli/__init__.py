"""The `negtgel` command line: a thin adapter over the library, one module per command group."""

from __future__ import annotations

import sys

import click

from pipeline import __version__
from pipeline.cli.periods import close_command, pin_command, reopen_command, status_command, unpin_command
from pipeline.cli.run import run_command
from pipeline.cli.validate import validate_command


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Жишээ / example:  negtgel run input --period 2026-10",
)
@click.version_option(__version__, prog_name="negtgel")
def cli() -> None:
    """negtgel — хэлтэс, нэгжүүдийн төлөвлөгөөний биелэлтийн Excel загваруудыг нэгтгэж, үнэлнэ.

    Consolidates departments' filled Excel plan templates into one scored, charted report.
    """


for command in (run_command, validate_command, status_command, pin_command, unpin_command, close_command, reopen_command):
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="negtgel")
    except KeyboardInterrupt:
        click.echo("Зогсоосон / interrupted.", err=True)
        sys.exit(130)
