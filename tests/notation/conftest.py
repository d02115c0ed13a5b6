from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.notation import NotationVocab, load_vocab

NOTATION_YAML = Path(__file__).resolve().parents[2] / "mappings" / "notation.yaml"


@pytest.fixture(scope="session")
def vocab() -> NotationVocab:
    return load_vocab(NOTATION_YAML)
