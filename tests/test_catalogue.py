"""The problem catalogue holds only codes the product can emit."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.problems import CATALOGUE

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"


def string_constants(path: Path) -> set[str]:
    """Every whole string literal of a module; of an f-string only its literal parts count."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_every_catalogue_code_is_written_whole_where_it_is_emitted() -> None:
    """A code no module outside the catalogue names is one nothing emits. Codes are written whole where
    they are chosen (`"attachment-winmail-unreadable" if ... else "attachment-not-spreadsheet"`), never
    assembled (`f"{field}-invalid"`), so that a search for a code finds every place that emits it."""
    sources = [p for p in PIPELINE.rglob("*.py") if p != PIPELINE / "problems.py"]
    assert len(sources) > 20  # the walk found the package
    referenced: set[str] = set().union(*(string_constants(p) for p in sources))
    never = sorted(code for code in CATALOGUE if code not in referenced)
    assert never == [], f"catalogue codes that no module of pipeline/ emits: {never}"
