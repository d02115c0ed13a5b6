"""The shape of `notation.yaml`, checked by pydantic models on `pipeline/schema.py` before the vocabulary is built:
every key known (an unknown one named with the nearest valid key), every list a list of words, every number a
number. What a word means — a case ending claimed twice, a number word with two values, a phrase's quarters —
is checked by the builder in `vocab.py`, which names the same dotted keys.

The models are made from the key lists of `vocab.py` (TOP_KEYS, TIMEFRAME_KEYS, TARGET_KEYS, CASES, STATUS_KEYS),
so a word list added there is checked here without a second list to keep in step.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import create_model

from pipeline.schema import Items, Schema, Text


class PhraseFile(Schema):
    quarters: Items[int]
    words: Items[Text]
    confidence: Literal["exact", "interpreted"] = "exact"
    qualifier: bool = False


def _words_model(name: str, keys: tuple[str, ...], optional: tuple[str, ...] = (), **special: Any) -> type[Schema]:
    fields: dict[str, Any] = {}
    for key in keys:
        if key in special:
            fields[key] = special[key]
        elif key in optional:
            fields[key] = (Items[Text], ())
        else:
            fields[key] = (Items[Text], ...)
    return create_model(name, __base__=Schema, **fields)


def notation_model(top: tuple[str, ...], timeframe: tuple[str, ...], timeframe_optional: tuple[str, ...],
                   target: tuple[str, ...], target_optional: tuple[str, ...], cases: tuple[str, ...],
                   statuses: tuple[str, ...]) -> type[Schema]:
    """The model of the whole file, from vocab.py's key lists."""
    timeframe_model = _words_model("TimeframeFile", timeframe, timeframe_optional, phrases=(dict[Text, PhraseFile], ...))
    target_model = _words_model("TargetFile", target, target_optional)
    endings_model = _words_model("EndingsFile", cases, cases)
    status_model = _words_model("StatusWordsFile", statuses, statuses)
    fields: dict[str, Any] = {
        "number_words": (dict[int, Items[Text]], ...),
        "ordinal_stems": (dict[int, Items[Text]], {}),
        "abbreviations": (dict[Text, Text], {}),
        "endings": (endings_model, ...),
        "timeframe": (timeframe_model, ...),
        "target": (target_model, ...),
        "units": (dict[Text, Items[Text]], ...),
        "status_words": (status_model, ...),
        "status_marks": (status_model, None),
        "status_partial_words": (Items[Text], ()),
        "status_trailing_words": (Items[Text], ()),
    }
    unknown = set(fields) - set(top)
    assert not unknown, f"vocab.TOP_KEYS lacks {sorted(unknown)}"
    return create_model("NotationFile", __base__=Schema, **{key: fields[key] for key in top})
