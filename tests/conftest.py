from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "mappings"
EXAMPLES = ROOT / "input"

# Charts are rendered without a screen.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def config():
    from pipeline.config import load_config

    return load_config(MAPPINGS)
