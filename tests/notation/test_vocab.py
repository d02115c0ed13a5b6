"""notation.yaml: validated at start with file and key, and extended by a specialist without code."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.errors import ConfigError
from pipeline.notation import load_vocab, parse_actual, parse_target, parse_timeframe
from tests.notation.conftest import NOTATION_YAML


def _copy(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "notation.yaml"
    shutil.copy(NOTATION_YAML, path)
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _issues(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as err:
        load_vocab(path)
    return [(issue.file, issue.key) for issue in err.value.issues]


def test_shipped_file_loads() -> None:
    vocab = load_vocab(NOTATION_YAML)
    assert vocab.number_words["гурваас"] == 3
    assert vocab.endings["аас"] == "ablative"


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d["status_words"].__setitem__("finished", ["Дууссан"]), "status_words.finished"),
        (lambda d: d["status_words"]["done"].append("Хэрэгжээгүй"), "status_words.not_done[0]"),
        (lambda d: d["status_words"]["done"].__setitem__(3, None), "status_words.done[3]"),
        (lambda d: d["number_words"].__setitem__("арав", ["арав"]), "number_words.арав"),
        (lambda d: d["number_words"][2].append("гурав"), "number_words.3[0]"),
        (lambda d: d.__setitem__("extra_section", {}), "extra_section"),
        (lambda d: d["timeframe"].__setitem__("quarter_words", "улирал"), "timeframe.quarter_words"),
        (lambda d: d["timeframe"]["phrases"]["whole_year"].__setitem__("quarters", [1, 5]), "timeframe.phrases.whole_year.quarters[1]"),
        (lambda d: d["timeframe"]["phrases"]["as_needed"].__setitem__("confidence", "maybe"), "timeframe.phrases.as_needed.confidence"),
        (lambda d: d["timeframe"]["phrases"]["first_half"]["words"].append("Жилийн турш"), "timeframe.phrases.first_half.words[4]"),
        (lambda d: d["target"]["at_most"].insert(0, "доошгүй"), "target.at_most[0]"),
        (lambda d: d["endings"].__setitem__("locative", ["д"]), "endings.locative"),
        (lambda d: d["endings"]["dative"].append("аас"), "endings.dative[4]"),
        (lambda d: d["units"].__setitem__("удаа", "удаа"), "units.удаа"),
        (lambda d: d["target"].__setitem__("at_least", None), "target.at_least"),
        (lambda d: d["target"]["percent_words"].append(""), "target.percent_words[10]"),
        (lambda d: d.pop("status_words"), "status_words"),
    ],
)
def test_broken_file_names_file_and_key(tmp_path: Path, edit: Callable[[dict], object], key: str) -> None:
    path, data = _copy(tmp_path)
    edit(data)
    _write(path, data)
    issues = _issues(path)
    assert (str(path), key) in issues, issues


def test_duplicate_names_both_places(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["status_words"]["done"].append("Хэрэгжээгүй")
    where = f"status_words.done[{len(data['status_words']['done']) - 1}]"
    _write(path, data)
    with pytest.raises(ConfigError) as err:
        load_vocab(path)
    (issue,) = err.value.issues
    assert issue.key == "status_words.not_done[0]"
    assert where in issue.message
    assert where in str(err.value)


def test_all_issues_are_reported_together(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["status_words"]["finished"] = ["Дууссан"]
    data["number_words"]["abc"] = ["abc"]
    data["target"]["at_most"].insert(0, "доошгүй")
    _write(path, data)
    keys = {key for _, key in _issues(path)}
    assert {"status_words.finished", "number_words.abc", "target.at_most[0]"} <= keys


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "notation.yaml"
    path.write_text("status_words: [unclosed\n", encoding="utf-8")
    assert _issues(path) == [(str(path), "(файл)")]
    assert _issues(tmp_path / "absent.yaml") == [(str(tmp_path / "absent.yaml"), "(файл)")]
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert (str(path), "(файл)") in _issues(path)


def test_specialist_additions_need_no_code(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["target"]["at_least"].append("дутагдахгүй")  # a new way to write "not less than"
    data["timeframe"]["phrases"]["whole_year"]["words"].append("Он даяар")  # a new whole-year phrase
    data["status_words"]["in_progress"].append("Хэрэгжүүлэлт үргэлжилж байна")  # a new status word
    data["units"]["гэрээ"] = ["гэрээ", "гэрээг"]  # a new unit word
    _write(path, data)
    vocab = load_vocab(path)

    target = parse_target("Таваас дутагдахгүй гэрээ", vocab)
    assert (target.kind, target.op, target.value, target.unit) == ("count", ">=", 5, "гэрээ")
    timeframe = parse_timeframe("Он даяар", vocab)
    assert (timeframe.quarters, timeframe.confidence) == ((1, 2, 3, 4), "exact")
    assert parse_actual("Хэрэгжүүлэлт үргэлжилж байна", vocab).status == "in_progress"

    shipped = load_vocab(NOTATION_YAML)
    assert parse_target("Таваас дутагдахгүй гэрээ", shipped).flags == ("target-unparsed",)
    assert parse_timeframe("Он даяар", shipped).confidence == "invalid"


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (lambda d: d["timeframe"].__setitem__("quater_words", d["timeframe"].pop("quarter_words")), "timeframe.quater_words",
         'үл мэдэгдэх түлхүүр / unknown key; did you mean "quarter_words"?'),
        (lambda d: d.__setitem__("status_word", d.pop("status_words")), "status_word",
         'үл мэдэгдэх түлхүүр / unknown key; did you mean "status_words"?'),
        (lambda d: d["timeframe"]["phrases"]["whole_year"].__setitem__("quartres", [1, 2, 3, 4]),
         "timeframe.phrases.whole_year.quartres", 'үл мэдэгдэх түлхүүр / unknown key; did you mean "quarters"?'),
    ],
)
def test_an_unknown_key_names_the_nearest_valid_one(tmp_path: Path, edit: Any, key: str, message: str) -> None:
    data = yaml.safe_load(NOTATION_YAML.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "notation.yaml"
    _write(path, data)
    with pytest.raises(ConfigError) as err:
        load_vocab(path)
    found = {issue.key: issue.message for issue in err.value.issues}
    assert found.get(key, "").startswith(message), found
