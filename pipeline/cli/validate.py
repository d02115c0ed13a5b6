"""`negtgel validate`: check templates without consolidating them."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import lang_option, load_config_or_fail, mappings_option
from pipeline.validate import validate_paths
from pipeline.words import lang_of, say


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@mappings_option
@lang_option
def validate_command(paths: tuple[Path, ...], mappings: str, lang: str) -> None:
    """Загваруудыг нэгтгэлгүйгээр шалгаж, асуудал бүрийг файл, хуудас, нүдээр нь хэвлэнэ.

    Checks templates without consolidating and prints each problem as file, sheet, cell, code and
    message. Exit code 0 when clean, 1 when any file has an error.

    \b
    Жишээ / example:
      negtgel validate input/ "ЗУХ 10 сарын тайлан.xlsx" --lang en
    """
    config = load_config_or_fail(mappings)
    language = lang_of(lang)
    result = validate_paths(list(paths), config)
    for problem in result.problems:
        location = " ".join(part for part in (problem.sheet, problem.cell) if part) or "—"
        severity = say(f"cli.severity.{problem.severity}", language)
        click.echo(f"{problem.file}\t{location}\t{problem.code}\t{severity}\t{problem.message(language)}")
    counts = result.problems.counts()
    click.echo(say("cli.validate.summary", language, files=result.files, errors=counts["error"],
                   warnings=counts["warning"]), err=True)
    if result.problems.has_errors():
        raise SystemExit(1)
