"""The shape of the code: `pipeline/` has no import cycle, and no stage between intake and output touches a
file or the store — the pure core builds a period's report from in-memory inputs alone.

What counts as an import (the graph is built from the source with `ast`, not by importing):
- module-level: every `import` / `from … import` that runs when the module is imported (also inside `if`,
  `try` at module level), except under `if TYPE_CHECKING:` (never runs). This graph must have no cycle at all.
- function-level: imports inside a function body, run when it is called. They may close a cycle only where
  listed in `KNOWN_FUNCTION_CYCLES` (each says why); a new one fails, and none may pass through the orchestration
  (model, build, repository, run, periods, review, normalise, score).
A name imported from a package counts as an import of its submodule when one of that name exists.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import pathlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import build
from pipeline.config import Config
from pipeline.score import measure_key
from tests.helpers import template_rows
from tests.pure import SANKHUU, ZUH, inputs, measures, review, submission, template_read

ROOT = Path(__file__).resolve().parents[1] / "pipeline"

# Function-level imports that close a cycle, each on purpose (neither passes through the orchestration).
KNOWN_FUNCTION_CYCLES = {
    # config validates departments.yaml `parent` with hierarchy's checks; hierarchy folds names with config's header_key.
    frozenset({"pipeline.config", "pipeline.hierarchy", "pipeline.rollup"}),
    # msg.py builds on message.py; message.py opens an Outlook .msg through msg.py when it meets one.
    frozenset({"pipeline.mail.message", "pipeline.mail.msg"}),
}

# The pure core: between intake and output, tables in and tables out.
PURE = ("pipeline.model", "pipeline.build", "pipeline.normalise", "pipeline.score", "pipeline.rollup", "pipeline.review",
        "pipeline.hierarchy")
# What reads or writes files or the store: the edge.
IO = {"pipeline.store", "pipeline.store_schema", "pipeline.store_codec", "pipeline.repository", "pipeline.workspace",
      "pipeline.archive", "pipeline.intake", "pipeline.manifest", "pipeline.review_workbook", "pipeline.run",
      "pipeline.periods", "pipeline.jsonlog", "pipeline.outbox", "pipeline.mail", "pipeline.output.writer",
      "pipeline.read.parallel"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> dict[str, set[str]]:
    """The pipeline modules `module` imports: {"module": at import time, "function": inside functions}."""
    found: dict[str, set[str]] = {"module": set(), "function": set()}
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(ast.Module(body=[other], type_ignores=[]), in_function)
                continue
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package
                    for _ in range(child.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                names = [base, *(f"{base}.{alias.name}" for alias in child.names)]
            for name in names:
                target = _resolve(name) if name.startswith("pipeline") else None
                if target is not None and target != module:
                    found["function" if in_function else "module"].add(target)
            visit(child, nested)

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")), False)
    return found


GRAPH = {m: _imports(m) for m in MODULES}


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def test_the_graph_is_read_from_the_source() -> None:
    """The graph sees what it must, or the tests below would pass on an empty one."""
    assert {"pipeline.model", "pipeline.build", "pipeline.repository", "pipeline.read.workbook"} <= set(MODULES)
    assert "pipeline.model" in GRAPH["pipeline.build"]["module"]
    assert "pipeline.output.consolidated" in GRAPH["pipeline.build"]["function"]  # review_cell, imported where used
    assert "pipeline.model" in GRAPH["pipeline.output.writer"]["module"]  # the outputs import the model
    assert "pipeline.run" not in GRAPH["pipeline.output.charts"]["module"] | GRAPH["pipeline.output.charts"]["function"]
    assert GRAPH["pipeline.hierarchy"]["module"] >= {"pipeline.rollup", "pipeline.schema"}
    assert "pipeline.model" not in GRAPH["pipeline.hierarchy"]["module"]  # its Report import is for typing only
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_pipeline_has_no_module_level_import_cycle() -> None:
    assert _cycles({m: g["module"] for m, g in GRAPH.items()}) == []


def test_function_level_imports_close_only_the_known_cycles() -> None:
    cycles = _cycles({m: g["module"] | g["function"] for m, g in GRAPH.items()})
    assert set(cycles) == KNOWN_FUNCTION_CYCLES
    core = {"pipeline.model", "pipeline.build", "pipeline.repository", "pipeline.run", "pipeline.periods", "pipeline.review",
            "pipeline.normalise", "pipeline.score"}
    assert [c for c in cycles if c & core] == []


def test_the_pure_stages_import_nothing_that_reads_or_writes() -> None:
    for module in PURE:
        imported = GRAPH[module]["module"] | GRAPH[module]["function"]
        touching = {m for m in imported if m in IO or any(m.startswith(f"{io_}.") for io_ in IO)}
        assert touching == set(), module
        text = MODULES[module].read_text(encoding="utf-8")
        assert "open(" not in text.replace("_open(", ""), module  # no file is opened there either


PATH_METHODS = ("open", "read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_file", "is_dir", "iterdir",
                "mkdir", "glob", "stat", "unlink", "touch", "rename", "replace")


@contextlib.contextmanager
def no_io() -> Iterator[list[str]]:
    """Any file opened or looked at, any store connected to, fails (and is listed)."""
    import pipeline.output.consolidated
    import pipeline.store

    touched: list[str] = []

    def refuse(what: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            touched.append(f"{what} {args[:1]}")
            raise AssertionError(f"the pure core touched {what}: {args[:1]}")
        return call

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", refuse("open"))
        patch.setattr(io, "open", refuse("io.open"))
        for name in ("stat", "listdir", "scandir", "remove", "replace", "rename"):
            patch.setattr(os, name, refuse(f"os.{name}"))
        for method in PATH_METHODS:
            patch.setattr(pathlib.Path, method, refuse(f"Path.{method}"))
        patch.setattr(sqlite3, "connect", refuse("sqlite3.connect"))
        patch.setattr(pipeline.store.Store, "__init__", refuse("Store"))
        yield touched


def test_the_guard_catches_a_read(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_text("x", encoding="utf-8")
    with no_io() as touched, pytest.raises(AssertionError):
        target.read_text(encoding="utf-8")
    assert touched == [f"Path.read_text ({target!r},)"]


def test_a_period_is_built_from_inputs_in_memory(tmp_path: Path, config: Config) -> None:
    """Two departments, a resubmission, the review's levels, the trend: no workspace, archive or store anywhere."""
    finance = SANKHUU
    first = template_read(tmp_path, "ЗУХ.xlsx", config)
    later = template_read(tmp_path, "ЗУХ засвар.xlsx", config, template_rows(
        measures(actual=("Бүрэн хэрэгжсэн", "Бүрэн хэрэгжсэн", "Хэрэгжээгүй")), department=ZUH))
    other = template_read(tmp_path, "СТСХ.xlsx", config, department=finance)
    for path in tmp_path.iterdir():
        path.unlink()
    files = [
        (submission(1, "ЗУХ.xlsx", received_at="2026-11-04T09:00:00+08:00"), first),
        (submission(2, "ЗУХ засвар.xlsx", received_at="2026-11-07T09:00:00+08:00"), later),  # a correction, after the deadline
        (submission(3, "СТСХ.xlsx", finance, received_at="2026-11-06T12:00:00+08:00"), other),  # the first report, a day late
    ]
    key = measure_key(finance, "1.3", "Журмыг шинэчилнэ.")
    period_inputs = inputs(files, review=review([(key, "30", "Төсөл боловсруулсан")]),
                           history=[("2026-09", ZUH, 50.0), ("2026-09", "", 40.0)], history_periods=["2026-09"])

    with no_io() as touched:
        report = build.period_report(period_inputs, config)

    assert touched == []
    table = report.departments.set_index("department")
    assert table.loc[ZUH, "pct"] == 66.7  # the correction: (100 + 100 + 0) / 3
    assert table.loc[ZUH, "source_file"] == "ЗУХ засвар.xlsx"
    assert (table.loc[ZUH, "days_late"], table.loc[ZUH, "corrections"]) == (0, "2026-11-07 09:00")  # by the first report
    assert table.loc[finance, "pct"] == 66.7  # (100 + 70 + 30) / 3: the reviewer's 30 in place of 0
    assert table.loc[finance, "days_late"] == 1
    assert table.loc[ZUH, "previous_pct"] == 50.0 and table.loc[ZUH, "change"] == 16.7
    assert report.overall.pct == 66.7 and report.overall_previous == 40.0 and report.previous_period == "2026-09"
    assert list(report.submissions["state"]) == ["superseded", "consolidated", "consolidated"]
    assert report.overrides.read == 1 and list(report.overrides.rows) == [key]
    by_key = report.measures.set_index("measure_key")
    assert (by_key.loc[key, "level"], by_key.loc[key, "basis"]) == (30.0, "evaluator")
    assert sorted((p.code, p.file) for p in report.problems if p.code in ("report-late", "submission-superseded")) == [
        ("report-late", "СТСХ.xlsx"), ("submission-superseded", "ЗУХ.xlsx")]
    assert [(r.period, r.department, r.pct) for r in report.history.itertuples()] == [
        ("2026-09", "", 40.0), ("2026-09", ZUH, 50.0), ("2026-10", "", 66.7), ("2026-10", ZUH, 66.7), ("2026-10", finance, 66.7)]
