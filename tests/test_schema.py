"""pipeline/schema.py on its own: a small model, as notation.yaml or mail.yaml would use it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field, ValidationInfo, field_validator

from pipeline import config
from pipeline.errors import ConfigError, ConfigIssue
from pipeline.schema import (
    FILE_KEY,
    MISSING,
    Invalid,
    Items,
    Schema,
    Text,
    dotted,
    field_keys,
    load_yaml_model,
    read_yaml,
    validate_model,
)


class Server(Schema):
    host: Text = "localhost"
    port: int = 993
    sender: str = Field("", alias="from")
    security: Literal["tls", "starttls", "plain"] = "tls"
    ca_file: str = ""

    @field_validator("ca_file")
    @classmethod
    def _relative_to_the_file(cls, value: str, info: ValidationInfo) -> str:
        if value:
            assert info.context is not None  # validate_model passes the file as context
            path = info.context["file"].parent / value
            if not path.is_file():
                raise Invalid(f"{path} файл олдсонгүй / file not found")
        return value


class Mail(Schema):
    imap: Server = Server()  # type: ignore[call-arg]  # mypy takes the alias "from" for a required argument
    words: dict[int, Items[Text]] = Field(default_factory=dict)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mail.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_list_the_mistakes_are_raised(tmp_path: Path) -> None:
    path = write(tmp_path, "imap: {hots: a, frm: b, security: tsl, ca_file: ca.pem}\nwords: {1: [нэг, ''], x: [a]}\n")
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, Mail)
    assert [(issue.key, issue.message) for issue in caught.value.issues] == [
        ("imap.security", '"tsl" (текст) биш: tls, starttls, plain-ийн аль нэг / must be one of tls, starttls, plain, '
                          'got the text "tsl"; did you mean "tls"?'),
        ("imap.ca_file", f"{tmp_path / 'ca.pem'} файл олдсонгүй / file not found"),
        ("imap.hots", 'үл мэдэгдэх түлхүүр / unknown key; did you mean "host"?'),
        ("imap.frm", 'үл мэдэгдэх түлхүүр / unknown key; did you mean "from"?'),  # the alias, as written in the file
        ("words.1[1]", "хоосон байж болохгүй / must not be empty"),
        ("words.x", 'түлхүүр бүхэл тоо байх ёстой, "x" (текст) байна / the key must be a whole number, got the text "x"'),
    ]


def test_with_a_list_the_mistakes_are_added_to_it(tmp_path: Path) -> None:
    issues: list[ConfigIssue] = []
    assert load_yaml_model(write(tmp_path, "imap: {port: x}\n"), Mail, issues) is None
    assert issues == [ConfigIssue(str(tmp_path / "mail.yaml"), "imap.port",
                                  'бүхэл тоо байх ёстой, "x" (текст) байна / must be a whole number, got the text "x"')]


def test_a_good_file_is_its_model(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x", encoding="utf-8")
    mail = load_yaml_model(write(tmp_path, "imap: {host: ' mail.x.mn ', from: a@x.mn, ca_file: ca.pem}\nwords: {2: [хоёр]}\n"), Mail)
    assert mail == Mail.model_validate({"imap": {"host": "mail.x.mn", "from": "a@x.mn", "ca_file": "ca.pem"}, "words": {2: ("хоёр",)}},
                                       context={"file": tmp_path / "mail.yaml"})
    assert mail is not None and mail.imap.sender == "a@x.mn" and mail.words == {2: ("хоёр",)}


def test_a_missing_file_is_a_mistake_unless_it_may_be_missing(tmp_path: Path) -> None:
    path = tmp_path / "mail.yaml"
    assert load_yaml_model(path, Mail, missing_ok=True) == Mail()
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, Mail)
    assert [(issue.key, issue.message) for issue in caught.value.issues] == [(FILE_KEY, "файл олдсонгүй / file not found")]
    assert read_yaml(path, [], missing_ok=True) is MISSING


def test_the_yaml_traps_are_reported_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "imap:\n  port: 1\n  port: 2\n  on: x\n")
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, Mail)
    assert [(issue.key, issue.message) for issue in caught.value.issues] == [
        ("imap.on", 'түлхүүрийг хашилтад бичнэ үү (4-р мөр) / write the key in quotes (line 4), '
                    'e.g. "on": — a bare on means true or false in YAML'),
        ("imap.port", "түлхүүр давхардсан (3-р мөр) / the key is listed twice (line 3)"),
        ("imap.on", 'үл мэдэгдэх түлхүүр / unknown key; known: host, port, from, security, ca_file'),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1\n", "YAML бичлэгийн алдаа 2-р мөрөнд / not valid YAML at line 2, column 1: expected ',' or ']', but got '<stream end>'"),
        ("a: 'x\n", "YAML бичлэгийн алдаа 2-р мөрөнд / not valid YAML at line 2, column 1: found unexpected end of stream"),
        ("a:\n\tb: 1\n", "YAML бичлэгийн алдаа 2-р мөрөнд / not valid YAML at line 2, column 1: found character '\\t' that cannot start any token"),
        ("? [a]\n: 1\n", "YAML бичлэгийн алдаа 1-р мөрөнд / not valid YAML at line 1, column 3: a key cannot be a list or a mapping"),
        ("!!python/object:os.system {}\n", "YAML бичлэгийн алдаа 1-р мөрөнд / not valid YAML at line 1, column 1: "
                                           "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system'"),
    ],
)
def test_a_yaml_mistake_names_its_line(tmp_path: Path, text: str, message: str) -> None:
    issues: list[ConfigIssue] = []
    assert load_yaml_model(write(tmp_path, text), Mail, issues) is None
    assert [(issue.key, issue.message) for issue in issues] == [
        (FILE_KEY, message + " (check the indentation, a missing ':' or an unclosed quote or bracket)")]


def test_text_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mail.yaml"
    path.write_bytes("imap: {host: Сервер}\n".encode("cp1251"))
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, Mail)
    assert [(issue.key, issue.message) for issue in caught.value.issues] == [
        (FILE_KEY, "UTF-8 кодчилолтой текст байх ёстой / must be saved as UTF-8 text")]


@pytest.mark.parametrize(
    ("loc", "model", "text"),
    [
        ((), None, FILE_KEY),
        (("bands", 2, "label_en"), None, "bands[2].label_en"),
        (("fields", "target", "titles", 0), None, "fields.target.titles[0]"),
        (("a", "b c"), None, "a.b c"),
        (("words", 1, "[key]"), Mail, "words.1"),
        (("words", 1, 0), Mail, "words.1[0]"),
        (("words", 1, 0), None, "words[1][0]"),  # without the model a number key reads like a list index
    ],
)
def test_dotted_keys(loc: tuple[str | int, ...], model: type[Schema] | None, text: str) -> None:
    assert dotted(loc, model) == text


# Whatever a file holds, each mistake is told in plain words: no pydantic wording, link or class name.
_MODELS = [config.HeadersFile, config.SettingsFile, config.MethodologyFile, config.DepartmentsFile]
_PARTS = [config.FieldFile, config.LevelFile, config.BandFile, config.StatusLevelsFile, config.ThresholdFile,
          config.DepartmentFile, config.LimitsFile, config.DeadlineFile, config.NotDueFile]
_KEYS = sorted({key for model in (*_MODELS, *_PARTS) for key in field_keys(model)} | {"mesure", "x"})
_SCALARS = (st.none() | st.booleans() | st.integers(-5, 200) | st.floats() | st.text(max_size=5)
            | st.sampled_from(["done", "#123456", "a@b", "Хугацаа"]))
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(_KEYS) | st.integers(0, 3), inner, max_size=5), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_MODELS), _DATA)
def test_every_message_is_plain(model: type[Schema], data: object) -> None:
    issues: list[ConfigIssue] = []
    validate_model(data, model, Path("x.yaml"), issues)
    for issue in issues:
        assert " / " in issue.message  # Mongolian, then English
        for jargon in ("Input should", "pydantic", "http", "Value error", "not a valid value", "Error", "Invalid"):
            assert jargon not in issue.message, issue


def test_an_impossible_date_unquoted_is_a_message_not_a_crash(tmp_path: Path) -> None:
    from pipeline.schema import read_yaml

    path = tmp_path / "mail.yaml"
    path.write_text("imap:\n  since: 2026-13-01\n", encoding="utf-8")
    issues: list[ConfigIssue] = []
    assert read_yaml(path, issues) is None
    assert [(i.key, i.message.split(" (")[0]) for i in issues] == [("(файл)", "огноо эсвэл тоо буруу бичигдсэн / an impossible date or number")]
