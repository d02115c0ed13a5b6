"""The methodology the code and tests cite is in the repository, and every section they cite exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODOLOGY = ROOT / "docs" / "methodology.md"
CITATION = re.compile(r"docs/methodology\.md`?\s*(§[\d.]+(?:\s*[–-]\s*§[\d.]+)?)")


def cited_files() -> list[Path]:
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    for folder in ("pipeline", "tests", "mappings", "tools", "benchmarks"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", ".yaml") and "_work" not in p.parts]
    return files


def test_every_cited_section_of_the_methodology_exists() -> None:
    sections = set(re.findall(r"^#+ §([\d.]+) ", METHODOLOGY.read_text(encoding="utf-8"), re.M))
    assert {"1", "3", "4", "6", "6.2", "7", "8", "9"} <= sections
    cited: list[tuple[str, str]] = []
    for path in cited_files():
        for span in CITATION.findall(path.read_text(encoding="utf-8")):
            cited += [(str(path.relative_to(ROOT)), number) for number in re.findall(r"§([\d.]+)", span)]
    assert len(cited) >= 8  # README, rollup.py, methodology.yaml and the tests cite it
    assert [(where, number) for where, number in cited if number not in sections] == []


def test_nothing_cites_the_notes_outside_the_repository() -> None:
    outside = "domain" + ".md"  # split, so that this file does not name it
    assert [str(p.relative_to(ROOT)) for p in cited_files() if outside in p.read_text(encoding="utf-8")] == []
