"""`explain` and the `negtgel explain` command."""

from __future__ import annotations

import json
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
    assert "read as quarters I-IV" in text


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


FIELDS = ["quarters", "due", "target_kind", "target_op", "target_value", "actual_value", "status", "level", "flags", "rule"]


def _json_lines(args: list[str], stdin: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(explain_command, [*args, "--mappings", MAPPINGS], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_cli_json_targets_from_stdin() -> None:
    lines = _json_lines(["-", "--as", "target", "--json"], "95 хувиас доошгүй\n5-аас хэтрүүлэхгүй\n80 хувиас хэлбэлзэхгүй\n0-40%\n30-50 хувь\n")
    assert all(list(obj) == FIELDS for obj in lines)
    got = [(o["target_kind"], o["target_op"], o["target_value"], o["flags"], o["rule"]) for o in lines]
    assert got == [
        ("percent", ">=", 95.0, [], "percent"),
        ("count", "<=", 5.0, [], "number"),
        ("text", "", None, ["target-unparsed"], "unknown-comparison"),
        ("percent", "<=", 40.0, [], "range-from-zero"),
        ("percent", ">=", 50.0, ["target-range"], "range"),
    ]
    assert all(o["quarters"] is None and o["due"] is None and o["level"] is None for o in lines)


def test_cli_json_indicator_and_baseline() -> None:
    (plain,) = _json_lines(["-", "--as", "target", "--json"], "100\n")
    assert (plain["target_kind"], plain["target_op"], plain["target_value"]) == ("count", ">=", 100.0)
    (pct,) = _json_lines(["-", "--as", "target", "--json", "--indicator", "Хамрагдалт, хувиар"], "100\n")
    assert (pct["target_kind"], pct["target_op"], pct["target_value"]) == ("percent", ">=", 100.0)
    (down,) = _json_lines(["-", "--as", "target", "--json", "--baseline", "0.30"], "0.25\n")
    assert (down["target_op"], down["target_value"], down["flags"]) == ("<=", 0.25, ["target-direction-from-baseline"])
    (up,) = _json_lines(["-", "--as", "target", "--json", "--baseline", "0.20"], "0.25\n")
    assert (up["target_op"], up["flags"]) == (">=", [])


def test_cli_json_timeframe_and_actual() -> None:
    tf = _json_lines(["-", "--as", "timeframe", "--json", "--period", "2026-05"], "III-IV улирал\nI-IV улирал\nI-V улирал\nХБ\n")
    assert [(o["quarters"], o["due"], o["flags"]) for o in tf] == [
        ("3,4", False, []), ("1,2,3,4", True, []), ("", True, ["timeframe-invalid"]), ("", False, []),
    ]
    assert tf[3]["status"] == "not_due"
    actual = _json_lines(["-", "--as", "actual", "--json"], "85%\nБүрэн хэрэгжсэн\n")
    assert [(o["actual_value"], o["status"], o["flags"]) for o in actual] == [(85.0, None, []), (None, "done", [])]


def test_cli_text_mode_reads_stdin_and_shows_baseline() -> None:
    result = CliRunner().invoke(explain_command, ["-", "--as", "target", "--lang", "en", "--baseline", "0.30", "--mappings", MAPPINGS],
                                input="0.25\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Baseline: '0.30'" in result.output and "Flags: target-direction-from-baseline" in result.output
    bad = CliRunner().invoke(explain_command, ["x", "--as", "timeframe", "--json", "--period", "2026-13", "--mappings", MAPPINGS])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
