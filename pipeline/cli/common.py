"""What every command shares: the mappings option, and turning domain errors into click errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

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


def lang_option(fn: F, help: str = "Мессежийн хэл / language of messages.") -> F:
    return click.option(
        "--lang",
        type=click.Choice(["mn", "en"]),
        default="mn",
        show_default=True,
        help=help,
    )(fn)


def load_config_or_fail(mappings: str, methodology: str | None = None) -> Config:
    try:
        return load_config(mappings, methodology=methodology)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None


class Progress:
    """A progress bar on the terminal (stderr) for each stage that goes item by item."""

    LABELS: ClassVar[dict[str, str]] = {
        "intake": "Хүлээн авч байна / receiving",
        "read": "Уншиж байна / reading",
        "mail": "Захидал / messages",
    }

    def __init__(self) -> None:
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or self.bar is None:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=total, label=self.LABELS.get(stage, stage), file=sys.stderr)
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
