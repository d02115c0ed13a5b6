"""Unchanged re-runs: when nothing that the outputs depend on has changed, they are not written again.

The fingerprint covers the program and reader versions, the mappings, which store it is, the period's
submissions, pins, closing, overrides and the trend history (the run checks the archived files before it, so
"no change" is never said over figures that rest on a missing file); the manifest beside the outputs records it with each output's
hash. An output edited (the review file) or removed since makes the run rebuild everything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline import __version__, cycles
from pipeline.config import Config
from pipeline.intake import Intake, reader_key
from pipeline.output.safe import write_atomically
from pipeline.store import Store

MANIFEST_NAME = ".negtgel-manifest.json"


def manifest_name(lang: str = "mn") -> str:
    """Each language's outputs have their own manifest, so a Mongolian and an English run of the same period
    each find their own files as written ("no change") whichever ran last."""
    return MANIFEST_NAME if lang != "en" else ".negtgel-manifest.en.json"


@dataclass(frozen=True)
class RunSummary:
    """The figures the terminal prints after a run."""

    period: str
    files: int
    reported: int
    expected: int
    measures: int
    errors: int
    warnings: int
    overall_pct: float | None
    rating: str
    closed: bool
    errors_shown: list[str] = field(default_factory=list)  # the first errors, as "file sheet cell: message"
    missing: list[str] = field(default_factory=list)  # expected departments that did not report
    overrides_read: int | None = None  # reviewer's levels read from the edited review workbook (None: not read)
    overrides_in_force: int = 0  # reviewer's levels applied to a measure
    overrides_refused: int = 0  # edits to a closed period's review columns, refused


def fingerprint(store: Store, config: Config, period: str, intake: Intake, options: dict[str, object]) -> str:
    digest = hashlib.sha256()

    def feed(*parts: object) -> None:
        digest.update(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\n")

    feed(__version__, reader_key(config), period, sorted(options.items()), store.store_id)
    for sub in store.submissions(period):
        feed("submission", sub.id, sub.sha256, sub.department, sub.period, sub.period_source, sub.received_at, sub.readable,
             sub.origin, sub.original_name)
    feed("pins", sorted(store.pins(period).items()))
    frozen = store.frozen(period)
    feed("closed", frozen[0] if frozen else None)
    feed("events", store.events(period))
    feed("overrides", sorted(store.overrides(period)))
    earlier = cycles.trend(store.result_periods(), period, 11, include=False)  # the history the run shows
    feed("history", sorted(store.results(earlier), key=str))
    feed("intake", sorted((p.code, p.file, str(p.detail)) for p in intake.problems))
    return digest.hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def unchanged(period_dir: Path, print_: str, lang: str = "mn") -> RunSummary | None:
    """The recorded summary, when the language's manifest fingerprint matches and every output is as written."""
    try:
        manifest = json.loads((period_dir / manifest_name(lang)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != print_:
        return None
    for name, recorded in manifest.get("outputs", {}).items():
        if _file_hash(period_dir / name) != recorded:
            return None
    try:
        return RunSummary(**manifest["summary"])
    except (KeyError, TypeError):
        return None


def edited_since_written(period_dir: Path, name: str, lang: str = "mn") -> bool:
    """Whether an output was changed (saved by someone) after the run (of `lang`) that wrote it."""
    path = period_dir / name
    if not path.exists():
        return False
    try:
        recorded = json.loads((period_dir / manifest_name(lang)).read_text(encoding="utf-8")).get("outputs", {}).get(name)
    except (OSError, ValueError):
        return True
    return recorded != _file_hash(path)


def record(period_dir: Path, print_: str, outputs: list[Path], summary: RunSummary, lang: str = "mn") -> None:
    hashes = {}
    for path in outputs:
        try:
            name = str(path.relative_to(period_dir))
        except ValueError:
            continue
        digest = _file_hash(path)
        if digest:
            hashes[name] = digest
    text = json.dumps({"fingerprint": print_, "outputs": hashes, "summary": asdict(summary)}, ensure_ascii=False, indent=1)
    write_atomically(period_dir / manifest_name(lang), lambda tmp: tmp.write_text(text, encoding="utf-8"))
