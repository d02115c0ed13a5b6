"""`negtgel init`: a new workspace for an office's consolidation."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.errors import NegtgelError
from pipeline.words import both
from pipeline.workspace import init


@click.command("init")
@click.argument("folder", default=".", type=click.Path(path_type=Path))
def init_command(folder: Path) -> None:
    """Шинэ ажлын хавтас үүсгэнэ: тохиргоо (mappings/), input/, output/ болон заавар.

    Creates a workspace in FOLDER (default: the current folder): the default mappings to edit, an empty
    input/ for reports, output/, and a short README in Mongolian. Every other command then works from
    inside it (or with --workspace FOLDER). An existing workspace is never changed.

    \b
    Жишээ / example:
      negtgel init ~/negtgel-work
      cd ~/negtgel-work && negtgel run
    """
    try:
        workspace = init(folder)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(both("cli.init.created", root=workspace.root))
    click.echo(both("cli.init.departments", path=workspace.mappings / "departments.yaml"))
    click.echo(both("cli.init.input", path=workspace.input))
    click.echo(f"  3. cd \"{workspace.root}\" && negtgel run")
