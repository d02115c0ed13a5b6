"""The command line is a thin adapter: every command has help with an example; errors are messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import COMMANDS, cli
from tests.conftest import MAPPINGS


def test_the_command_list_is_complete() -> None:
    # The commands are imported lazily, so the list is the group's own; each entry must load.
    assert len(COMMANDS) == 17
    for name in COMMANDS:
        assert cli.get_command(None, name).name == name  # type: ignore[arg-type, union-attr]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Жишээ / example" in result.output
    assert f"negtgel {name}" in result.output


def test_the_group_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("init", "run", "validate", "template", "explain", "status", "close", "reopen", "pin"):
        assert name in result.output


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("- {min: 70, level: 70}", "- {min: 70, level: 75}", "methodology.yaml: thresholds[1].level"),
        ('label_en: "Good"', "label_en: 5", "methodology.yaml: bands[1].label_en"),
        ("late_penalty_per_day: 1", "late_penalty_per_dya: 1",
         'methodology.yaml: late_penalty_per_dya: үл мэдэгдэх түлхүүр / unknown key; did you mean "late_penalty_per_day"?'),
    ],
)
def test_a_broken_mapping_is_a_message_naming_file_and_key(tmp_path: Path, old: str, new: str, named: str) -> None:
    broken = tmp_path / "mappings"
    broken.mkdir()
    for source in MAPPINGS.glob("*.yaml"):
        (broken / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    text = (broken / "methodology.yaml").read_text(encoding="utf-8")
    assert old in text
    (broken / "methodology.yaml").write_text(text.replace(old, new), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "--mappings", str(broken)])
    assert result.exit_code == 1
    assert named in result.output
    assert "Traceback" not in result.output


def test_run_on_a_missing_folder_is_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "nowhere"), "--mappings", str(MAPPINGS)])
    assert result.exit_code == 1
    assert "олдсонгүй" in result.output and "Traceback" not in result.output


def test_run_with_a_bad_period_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "--period", "2026-13", "--mappings", str(MAPPINGS)])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output
