"""The `negtgel` command line: a thin adapter over the library, one module per command group."""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

import click

from pipeline import __version__
from pipeline.cli.explain import explain_command
from pipeline.cli.mail import fetch_mail_command, ingest_command
from pipeline.cli.periods import close_command, pin_command, reopen_command, status_command, unpin_command
from pipeline.cli.run import run_command
from pipeline.cli.template import template_command
from pipeline.cli.validate import validate_command
from pipeline.read.package import xml_defences_active


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Жишээ / example:  negtgel run input --period 2026-10",
)
@click.version_option(__version__, prog_name="negtgel")
def cli() -> None:
    """negtgel — хэлтэс, нэгжүүдийн төлөвлөгөөний биелэлтийн Excel загваруудыг нэгтгэж, үнэлнэ.

    Consolidates departments' filled Excel plan templates into one scored, charted report.
    """
    if not xml_defences_active():
        raise click.ClickException(
            "defusedxml суугаагүй эсвэл OPENPYXL_DEFUSEDXML=False байна; XML халдлагаас хамгаалалтгүй ажиллахгүй. "
            "/ defusedxml is not active; refusing to run without XML attack protection."
        )


for command in (run_command, validate_command, template_command, explain_command, fetch_mail_command, ingest_command, status_command, pin_command, unpin_command, close_command, reopen_command):
    cli.add_command(command)


def main() -> None:
    try:
        code = cli(prog_name="negtgel", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("Зогсоосон / interrupted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Зогсоосон / interrupted.", err=True)
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
        click.echo(
            "Программын дотоод алдаа гарлаа; дэлгэрэнгүйг хөгжүүлэгчдэд илгээнэ үү / an internal error occurred; "
            f"please send {log} to the developers.",
            err=True,
        )
        sys.exit(3)
