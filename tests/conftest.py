from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "mappings"
EXAMPLES = ROOT / "input"

# Charts are rendered without a screen.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def own_workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test works in a workspace of its own (archive, store, outputs), with the repository's mappings:
    no test writes into the repository or reads what a user's run there left behind."""
    root = tmp_path_factory.mktemp("workspace")
    monkeypatch.setenv("NEGTGEL_WORKSPACE", str(root))
    monkeypatch.setenv("NEGTGEL_MAPPINGS", str(MAPPINGS))
    return root


@pytest.fixture(scope="session")
def config():
    from pipeline.config import load_config

    return load_config(MAPPINGS)
