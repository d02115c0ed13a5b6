"""`negtgel explain`: show how a timeframe, target or achieved-value string is read, and why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline import cycles
from pipeline.cli.common import lang_option, mappings_option
from pipeline.errors import NegtgelError
from pipeline.notation import explain, load_vocab
from pipeline.notation.explain import record


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
@click.option("--indicator", default=None, help="Мөрийн шалгуур үзүүлэлт / the row's indicator (\"…, хувиар\" makes 100 a percent).")
@click.option("--baseline", default=None, help="Мөрийн суурь түвшин / the row's baseline (a bare target below it means reduce).")
@click.option("--period", default=None, metavar="PERIOD",
              help="Тайлант хугацаа (2026-10, 2026-Q3, 2026-H2, 2026): хугацаа болсон эсэх (due) / the period, for `due`.")
@click.option("--json", "as_json", is_flag=True, help="Мөр бүрт нэг JSON / one JSON object a line, the fields of measures.csv.")
@mappings_option
def explain_command(text: str, as_: str, lang: str, by_month: bool, percent_header: bool, indicator: str | None,
                    baseline: str | None, period: str | None, as_json: bool, mappings: str) -> None:  # fmt: skip
    """Нэг бичлэгийг хэрхэн уншиж байгааг алхам алхмаар тайлбарлана.

    Explains, step by step, how one timeframe, target or achieved-value string is read: the cleaned
    text, any legacy-font conversion, the rule and words that matched, and the result. TEXT "-" reads
    one string a line from standard input; --json prints one JSON object a line (quarters, due,
    target_kind, target_op, target_value, actual_value, status, level, flags, rule).

    \b
    Жишээ / examples:
      negtgel explain "1-1V улирал" --as timeframe
      negtgel explain "95-аас доошгүй хувь" --as target --lang en
      negtgel explain "I-VI" --as timeframe --by-month
      negtgel explain "0.25" --as target --baseline 0.30
      printf '80%%\\n5-аас хэтрэхгүй\\n' | negtgel explain - --as target --json
    """
    try:
        quarter = cycles.parse(period).quarter if period else None  # that of the period's last month
    except cycles.PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    texts = [line.rstrip("\r\n") for line in sys.stdin] if text == "-" else [text]
    try:
        vocab = load_vocab(Path(mappings) / "notation.yaml")
        for item in texts:
            if as_json:
                fields = record(item, as_, vocab, by_month=by_month, percent_header=percent_header, indicator=indicator,
                                baseline=baseline, quarter=quarter)  # fmt: skip
                click.echo(json.dumps(fields, ensure_ascii=False))
                continue
            for line in explain(item, as_, vocab, lang=lang, by_month=by_month, percent_header=percent_header,
                                indicator=indicator, baseline=baseline):  # fmt: skip
                click.echo(line)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # a reader bug must still reach the user as a message, not a traceback
        raise click.ClickException(f"дотоод алдаа / internal error: {type(exc).__name__}: {exc}") from None
