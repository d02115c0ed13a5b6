"""`negtgel validate`: check templates without consolidating them."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import lang_option, load_config_or_fail, mappings_option
from pipeline.problems import Lang
from pipeline.validate import validate_paths


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
    language: Lang = "en" if lang == "en" else "mn"
    result = validate_paths(list(paths), config)
    for problem in result.problems:
        location = " ".join(part for part in (problem.sheet, problem.cell) if part) or "—"
        severity = problem.severity if language == "en" else {"error": "алдаа", "warning": "анхааруулга"}[problem.severity]
        click.echo(f"{problem.file}\t{location}\t{problem.code}\t{severity}\t{problem.message(language)}")
    counts = result.problems.counts()
    if language == "en":
        click.echo(f"{result.files} files checked: {counts['error']} errors, {counts['warning']} warnings.", err=True)
    else:
        click.echo(f"{result.files} файл шалгалаа: {counts['error']} алдаа, {counts['warning']} анхааруулга.", err=True)
    if result.problems.has_errors():
        raise SystemExit(1)
