"""`negtgel explain`: show how a timeframe, target or achieved-value string is read, and why."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import lang_option, mappings_option
from pipeline.errors import NegtgelError
from pipeline.notation import explain, load_vocab


@click.command("explain")
@click.argument("text")
@click.option(
    "--as",
    "as_",
    type=click.Choice(["timeframe", "target", "actual"]),
    required=True,
    help="Ямар баганын утга гэж уншихыг / which column's notation to read the text as.",
)
@lang_option
@click.option("--by-month", is_flag=True, help="Хугацааны багана сараар (/сараар/) / the timeframe column counts months.")
@click.option("--percent-header", is_flag=True, help="Баганын гарчиг хувиар (%) / the column header speaks of percent.")
@mappings_option
def explain_command(text: str, as_: str, lang: str, by_month: bool, percent_header: bool, mappings: str) -> None:
    """Нэг бичлэгийг хэрхэн уншиж байгааг алхам алхмаар тайлбарлана.

    Explains, step by step, how one timeframe, target or achieved-value string is read: the cleaned
    text, any legacy-font conversion, the rule and words that matched, and the result.

    \b
    Жишээ / examples:
      negtgel explain "1-1V улирал" --as timeframe
      negtgel explain "95-аас доошгүй хувь" --as target --lang en
      negtgel explain "I-VI" --as timeframe --by-month
    """
    try:
        vocab = load_vocab(Path(mappings) / "notation.yaml")
        lines = explain(text, as_, vocab, lang=lang, by_month=by_month, percent_header=percent_header)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # a reader bug must still reach the user as a message, not a traceback
        raise click.ClickException(f"дотоод алдаа / internal error: {type(exc).__name__}: {exc}") from None
    for line in lines:
        click.echo(line)
