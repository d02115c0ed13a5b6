"""`negtgel export`: the period's published result as one file for the level above (issue 17)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import load_config_or_fail, mappings_option, store_option, workspace_or_fail
from pipeline.cli.run import parse_period
from pipeline.errors import NegtgelError
from pipeline.words import both


@click.command("export")
@click.option("--period", required=True, callback=lambda ctx, param, value: parse_period(value),
              help=both("messages.cli_export.period_yyyy_mm", sep=" / "))
@click.option("--unit", default=None,
              help=both("messages.cli_export.sending_unit_default_one", sep=" / "))
@click.option("-o", "--output", "output", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help=both("messages.cli_export.file_write", sep=" / "))
@store_option
@mappings_option
def export_command(period: str, unit: str | None, output: Path | None, store_path: Path | None, mappings: str | None) -> None:
    """Тайлант үеийн нийтэлсэн дүнг дээд шатны нэгтгэлд илгээх нэг файл болгоно.

    Writes the period's published result (the measures with their levels and flags, the unit tree, the
    department figures, the closing state) as one zip of CSVs with a manifest.json holding each part's
    sha256. Put the file in the upper workspace's input/ (or mail it): its units join the upper tree under
    the sending unit. Export a closed period; an open one is exported with a warning and the manifest says
    "closed": false.

    \b
    Жишээ / example:
      negtgel close --period 2026-10 --reason "Удирдлагад танилцуулсан"
      negtgel export --period 2026-10
    """
    from pipeline.export import now_iso, write_export
    from pipeline.intake import tz_of
    from pipeline.repository import published_report

    config = load_config_or_fail(mappings)
    workspace = workspace_or_fail(mappings)
    assert period is not None
    try:
        report = published_report(config, workspace, store_path, period)
        written, manifest = write_export(report, config, workspace.output / period, unit, now_iso(tz_of(config)), output)
    except NegtgelError as exc:
        raise click.ClickException(str(exc)) from None
    if not manifest["closed"]:
        click.echo(both("cli.export.open", period=period), err=True)
    pct = "—" if manifest["overall"]["pct"] is None else f"{manifest['overall']['pct']} %"
    click.echo(both("cli.export.written", path=written.path, unit=manifest["unit"], period=period,
                    measures=manifest["rows"]["measures.csv"], units=manifest["rows"]["units.csv"], pct=pct))
