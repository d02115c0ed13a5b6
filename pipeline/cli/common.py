"""What every command shares: the mappings option, and turning domain errors into click errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from pipeline.config import MAPPINGS_ENV, Config, load_config
from pipeline.errors import NegtgelError

F = TypeVar("F", bound=Callable[..., Any])


def mappings_option(fn: F) -> F:
    return click.option(
        "--mappings",
        "mappings",
        type=click.Path(file_okay=False, path_type=str),
        default="mappings",
        envvar=MAPPINGS_ENV,
        show_default=True,
        help="Тохиргооны хавтас / the configuration folder.",
    )(fn)


def lang_option(fn: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["mn", "en"]),
        default="mn",
        show_default=True,
        help="Мессежийн хэл / language of messages.",
    )(fn)


def load_config_or_fail(mappings: str, methodology: str | None = None) -> Config:
    try:
        return load_config(mappings, methodology=methodology)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
