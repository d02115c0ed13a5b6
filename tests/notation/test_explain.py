"""`explain` and the `negtgel explain` command."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli.explain import explain_command
from pipeline.notation import NotationVocab, explain
from tests.notation.conftest import NOTATION_YAML
from tests.notation.test_clean import mojibake

MAPPINGS = str(NOTATION_YAML.parent)


def test_explain_timeframe_lines(vocab: NotationVocab) -> None:
    lines = explain("1-1V улирал", "timeframe", vocab, lang="en")
    text = "\n".join(lines)
    assert "Rule: lookalike-quarters" in text
    assert "Quarters: 1, 2, 3, 4" in text
    assert "Confidence: interpreted" in text
    assert "read as I-IV улирал" in text


def test_explain_target_names_the_words(vocab: NotationVocab) -> None:
    text = "\n".join(explain("95-аас доошгүй хувь", "target", vocab, lang="en"))
    assert "`доошгүй`: comparison >=" in text
    assert "`хувь`: percent" in text
    assert "Kind: percent; op: >=; value: 95.0" in text
    mn = "\n".join(explain("95-аас доошгүй хувь", "target", vocab))
    assert "Төрөл: percent" in mn and "Уншилт:" in mn


def test_explain_actual_and_legacy(vocab: NotationVocab) -> None:
    text = "\n".join(explain("2026 оны 3 сард 2 удаа", "actual", vocab, lang="en"))
    assert "`2026` = 2026: set aside, a year" in text
    assert "Flags: actual-from-narrative" in text
    text = "\n".join(explain(mojibake("Хугацаа болоогүй"), "actual", vocab, lang="en"))
    assert "legacy 8-bit font" in text and "status: not_due" in text


def test_cli_explain() -> None:
    runner = CliRunner()
    result = runner.invoke(explain_command, ["1-1V улирал", "--as", "timeframe", "--lang", "en", "--mappings", MAPPINGS])
    assert result.exit_code == 0, result.output
    assert "Quarters: 1, 2, 3, 4" in result.output
    result = runner.invoke(explain_command, ["I-VI", "--as", "timeframe", "--by-month", "--mappings", MAPPINGS])
    assert result.exit_code == 0 and "Улирал: 1, 2" in result.output
    result = runner.invoke(explain_command, ["100", "--as", "target", "--percent-header", "--lang", "en"], env={"NEGTGEL_MAPPINGS": MAPPINGS})
    assert result.exit_code == 0 and "Kind: percent" in result.output
    assert "negtgel explain" in runner.invoke(explain_command, ["--help"]).output


def test_cli_config_error_is_a_message(tmp_path: Path) -> None:
    shutil.copy(NOTATION_YAML, tmp_path / "notation.yaml")
    with (tmp_path / "notation.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nbogus_section: {}\n")
    result = CliRunner().invoke(explain_command, ["x", "--as", "target", "--mappings", str(tmp_path)])
    assert result.exit_code == 1
    assert "bogus_section" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(explain_command, ["x", "--as", "target", "--mappings", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
