"""Outputs kept from the last run when what they show has not changed.

An output that depends on a small part of the report (a chart of the top and bottom departments, one
department's workbook) gets a key: a hash of exactly what it shows. A folder's keys file records, for each such
output, the key it was written from and the hash of the file as written. The next run leaves the file as it
is when its key is the same and the file is still as written (not edited, not removed); else it is written
again. The keys file only saves time: a missing or broken one means everything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from pipeline.output.safe import Written, write_atomically


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _recorded(keys_file: Path) -> dict[str, dict[str, str]]:
    try:
        recorded = json.loads(keys_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def unchanged(keys_file: Path, keys: dict[str, str]) -> set[str]:
    """The names (beside `keys_file`) whose file is as the run that wrote it from the same key left it."""
    recorded = _recorded(keys_file)
    same = set()
    for name, key in keys.items():
        entry = recorded.get(name)
        if isinstance(entry, dict) and entry.get("key") == key and entry.get("sha256") == file_hash(keys_file.parent / name):
            same.add(name)
    return same


def remember(keys_file: Path, keys: dict[str, str], written: list[Written]) -> None:
    """Record the key and the file's hash of each output just written under its name in `keys`."""
    recorded = _recorded(keys_file)
    for w in written:
        if w.path.name in keys and not w.alongside:
            recorded[w.path.name] = {"key": keys[w.path.name], "sha256": file_hash(w.path) or ""}
    text = json.dumps(recorded, ensure_ascii=False, indent=1, sort_keys=True)
    with contextlib.suppress(OSError):  # only a saving for the next run
        write_atomically(keys_file, lambda tmp: tmp.write_text(text, encoding="utf-8"))
