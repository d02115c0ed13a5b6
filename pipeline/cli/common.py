"""What every command shares: finding the workspace and its mappings, and turning domain errors into click errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

from pipeline.config import MAPPINGS_ENV, Config, load_config
from pipeline.errors import NegtgelError
from pipeline.words import both, lang_of, say
from pipeline.workspace import WORKSPACE_ENV, Workspace, locate

F = TypeVar("F", bound=Callable[..., Any])


WORKSPACE_KEY = "negtgel.workspace"
WORKSPACE_OPTION_KEY = "negtgel.workspace_option"


def _remember_workspace(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta[WORKSPACE_OPTION_KEY] = value


def mappings_option(fn: F) -> F:
    """`--workspace` and `--mappings`: where the command works. Both are optional: a command run inside a
    workspace (or a folder below it) finds it, as git finds `.git`."""
    fn = click.option(
        "--mappings",
        "mappings",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        envvar=MAPPINGS_ENV,
        help=both("messages.cli_common.configuration_folder_default_workspace", sep=" / "),
    )(fn)
    return click.option(
        "--workspace",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        envvar=WORKSPACE_ENV,
        expose_value=False,
        is_eager=True,
        callback=_remember_workspace,
        help=both("messages.cli_common.workspace_default_one_current", sep=" / "),
    )(fn)


def workspace_or_fail(mappings: str | None = None) -> Workspace:
    """The command's workspace, from `--workspace`, the current folder or `--mappings`."""
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(WORKSPACE_KEY) if ctx is not None else None
    if isinstance(found, Workspace):
        return found
    try:
        workspace = locate(ctx.meta.get(WORKSPACE_OPTION_KEY) if ctx is not None else None, mappings)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    if ctx is not None:
        ctx.meta[WORKSPACE_KEY] = workspace
    return workspace


def output_option(fn: F) -> F:
    return click.option("-o", "--output", "output_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
                        help=both("messages.cli_common.output_folder_default_workspace", sep=" / "))(fn)


def _store_value(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Path | str | None:
    """A file, or a database server's URL kept as text (a Path would fold postgresql:// into postgresql:/)."""
    return None if value is None else (value if "://" in value else Path(value))


def store_option(fn: F) -> F:
    return click.option("--store", "store_path", type=str, callback=_store_value, metavar="FILE|postgresql://USER@HOST:PORT/DB",
                        help=both("messages.cli_common.store_default_workspace_s", sep=" / "))(fn)


def lang_option(fn: F, help: str = both("messages.cli_common.language_messages", sep=" / ")) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["mn", "en"]),
        default="mn",
        show_default=True,
        help=help,
    )(fn)


def load_config_or_fail(mappings: str | None = None, methodology: str | None = None) -> Config:
    """The workspace's configuration, validated; every mistake in it, as one clear error."""
    workspace = workspace_or_fail(mappings)
    try:
        return load_config(workspace.mappings, methodology=methodology)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None


class Progress:
    """A progress bar on the terminal (stderr) for each stage that goes item by item; labelled in `lang` when one
    was chosen (`--lang en`: English only), else Mongolian / English."""

    STAGES: ClassVar[tuple[str, ...]] = ("intake", "read", "mail")

    def __init__(self, lang: str | None = None) -> None:
        self.labels = {stage: say(f"cli.progress.{stage}", lang_of(lang)) if lang == "en"
                       else both(f"cli.progress.{stage}", sep=" / ") for stage in self.STAGES}
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or self.bar is None:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=total, label=self.labels.get(stage, stage), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def of(self, stage: str) -> Callable[[int, int], None]:
        """This bar as a (done, total) callback for one stage."""
        return lambda done, total: self(stage, done, total)
