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
from pipeline.words import both


@click.command("explain")
@click.argument("text")
@click.option(
    "--as",
    "as_",
    type=click.Choice(["timeframe", "target", "actual"]),
    required=True,
    help=both("messages.cli_explain.which_column_s_notation", sep=" / "),
)
@lang_option
@click.option("--by-month", is_flag=True, help=both("messages.cli_explain.timeframe_column_counts_months", sep=" / "))
@click.option("--percent-header", is_flag=True, help=both("messages.cli_explain.column_header_speaks_percent", sep=" / "))
@click.option("--indicator", default=None, help=both("messages.cli_explain.row_s_indicator_makes", sep=" / "))
@click.option("--baseline", default=None, help=both("messages.cli_explain.row_s_baseline_bare", sep=" / "))
@click.option("--period", default=None, metavar="PERIOD", help=both("messages.cli_explain.period_due", sep=" / "))
@click.option("--json", "as_json", is_flag=True, help=both("messages.cli_explain.one_json_object_line", sep=" / "))
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
