"""The example reports in input/: they read cleanly, carry the deliberate mistakes, and regenerate identically."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.intake import Arrival, DepartmentMatcher, match_department, resolve_period
from pipeline.read.package import saved_time
from pipeline.read.workbook import FileRead, read_file
from tests.conftest import EXAMPLES, MAPPINGS, ROOT

MN = dt.timezone(dt.timedelta(hours=8))
SEED_FILE = "ХХААГ_2026-10_тайлан.xlsx"
FINANCE_FILE = "Санхүүгийн хэлтэс 2026.10 биелэлт.xlsx"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "tools" / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_examples", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reads(config) -> dict[str, FileRead]:
    return {p.name: read_file(p, config) for p in sorted(EXAMPLES.glob("*.xlsx"))}


def measures(reads: dict[str, FileRead], name: str) -> list[dict[str, Any]]:
    return [m for t in reads[name].tables for m in t.measures]


def by_no(reads: dict[str, FileRead], name: str, no: str) -> dict[str, Any]:
    return next(m for m in measures(reads, name) if m["no"] == no)


def test_input_holds_exactly_the_generated_files() -> None:
    generator = load_generator()
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(generator.EXAMPLE_FILES)
    assert len(generator.EXAMPLE_FILES) == 9


def test_every_file_reads_without_errors(reads: dict[str, FileRead]) -> None:
    for name, read in reads.items():
        assert read.readable, name
        assert [p for p in read.problems if p.severity == "error"] == [], name
        assert len(read.tables) == 1, name
        assert 12 <= len(measures(reads, name)) <= 30, name
        goals = {m["goal"] for m in measures(reads, name)}
        assert 3 <= len(goals) <= 5 and all(g.startswith("Зорилго ") for g in goals), name
    warnings = {(name, p.code) for name, read in reads.items() for p in read.problems}
    assert warnings == {("ХЭЗХ тайлан 2026-10.xlsx", "legacy-text-converted")}


def test_nine_departments_report_for_2026_10_and_one_is_missing(reads: dict[str, FileRead], config) -> None:
    matcher = DepartmentMatcher(config.departments)
    found: dict[str, str] = {}
    for name, read in reads.items():
        department, _, problem = match_department(read, Arrival(EXAMPLES / name, name), matcher)
        assert problem is None and department is not None, name
        found[department] = name
        period, _, problem = resolve_period(read, name, dt.datetime(2026, 11, 5, tzinfo=MN))
        assert (period, problem) == ("2026-10", None), name
    expected = {d.name for d in config.departments}
    assert len(found) == 9 and expected - set(found) == {"Онцгой байдлын газар"}


def test_saved_times_mostly_on_time_and_two_late() -> None:
    times = {}
    for path in EXAMPLES.glob("*.xlsx"):
        stamp = saved_time(path)
        assert stamp, path.name
        times[path.name] = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(MN)
    on_time = [t for t in times.values() if dt.datetime(2026, 11, 2, tzinfo=MN) <= t < dt.datetime(2026, 11, 6, tzinfo=MN)]
    late = sorted(name for name, t in times.items() if t >= dt.datetime(2026, 11, 6, tzinfo=MN))
    assert len(on_time) == 7
    assert late == ["БОАЖГ_тайлан_10сар.xlsx", "ЭМГ 10-р сарын биелэлт.xlsx"]


def test_seed_003_file_keeps_its_measures_goals_and_continuations(reads: dict[str, FileRead]) -> None:
    read = reads[SEED_FILE]
    assert read.meta["department"] == "Хүнс, хөдөө аж ахуйн газар"
    assert read.meta["period"] == "2026 оны 10 дугаар сар"
    rows = measures(reads, SEED_FILE)
    expected = [f"1.{i}" for i in range(1, 4)] + [f"2.{i}" for i in range(1, 9)] + [f"3.{i}" for i in range(1, 6)]
    expected += [f"4.{i}" for i in range(1, 13)] + ["5.2", "5.3"]
    assert [m["no"] for m in rows] == expected  # 30 measures ("1.2." is read as 1.2)
    goals = [m["goal"][:9] for m in rows]
    assert goals.count("Зорилго 1") == 3 and goals.count("Зорилго 4") == 12 and goals[-1] == "Зорилго 5"
    m22 = by_no(reads, SEED_FILE, "2.2")
    assert m22["measure"].endswith("гомдлыг 2022 оны 05 дугаар сарын 01-ний өдөрт багтаан шийдвэрлэн хариу өгнө.")
    assert m22["responsible"] == "Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын асуудал хариуцсан мэргэжилтэн"
    m49 = by_no(reads, SEED_FILE, "4.9")
    assert m49["measure"].endswith("зөрэг уур амьсгалтай, сэтгэл зүйн дарамтгүй ажиллах орчныг бүрдүүлэх арга хэмжээ авна.")
    assert m49["target"] == "Бүх хэлбэрийн хууль бус дарамт шахалт, ялгавартай хандах үйлдлийг таслан зогсоосон байна."
    assert by_no(reads, SEED_FILE, "2.6")["timeframe"] == "I-V улирал"
    assert by_no(reads, SEED_FILE, "5.3")["timeframe"] == "1-1V улирал"
    assert by_no(reads, SEED_FILE, "2.4")["target"] == "Дөрвөн удаа"


def test_finance_file_two_row_header_with_other_titles_is_mapped(reads: dict[str, FileRead]) -> None:
    (table,) = reads[FINANCE_FILE].tables
    layout = table.layout
    assert layout.header_rows == (7, 8) and layout.first_data_row == 10  # numbering row skipped
    assert layout.columns == {"no": 0, "measure": 1, "indicator": 2, "timeframe": 3, "target": 4, "responsible": 5,
                              "progress": 6, "actual": 7, "self_pct": 8, "note": 9}
    assert layout.titles["self_pct"] == "Биелэлт %" and layout.titles["timeframe"] == "Хэрэгжих хугацаа"
    assert len(table.measures) == 16  # the signature lines below the table are not measures
    assert reads[FINANCE_FILE].meta["department"] == "Санхүү, төрийн сангийн хэлтэс"


def test_deliberate_mistakes_are_present(reads: dict[str, FileRead]) -> None:
    texts = {v for name in reads for m in measures(reads, name) for v in m.values() if isinstance(v, str)}
    for needle in ("1-1V улирал", "І-IV улирал", "I-V улирал", "IV улирал", "Гурваас доошгүй", "Дөрвөн удаа",
                   "Хоёроос доошгүй удаа", "85%", "90 хувь", "Нийт 4380 хүүхдийг вакцинжуулсан", "ХБ"):
        assert needle in texts, needle
    assert by_no(reads, "Хөгжлийн бодлого 10-р сар.xlsx", "1.4").get("actual_pct_fmt") is True
    assert by_no(reads, "Хөгжлийн бодлого 10-р сар.xlsx", "1.4")["actual"] == pytest.approx(0.682)
    assert "target" not in by_no(reads, "БОАЖГ_тайлан_10сар.xlsx", "2.2")
    emg = by_no(reads, "ЭМГ 10-р сарын биелэлт.xlsx", "2.5")
    assert emg["rows"] == 2 and emg["measure"].endswith("шүдний үзлэг, фторт лакаар бүрэх үйлчилгээнд хамруулна.")
    assert emg["responsible"] == "Эх, хүүхдийн эрүүл мэндийн мэргэжилтэн"
    legacy = next(p for p in reads["ХЭЗХ тайлан 2026-10.xlsx"].problems if p.code == "legacy-text-converted")
    assert str(legacy.detail).startswith("Төрийн өмчийн 8 объектыг")
    assert "month" not in reads["Хяналт шинжилгээ 10 сар.xlsx"].meta  # the month is only in the file name


def test_regenerating_gives_byte_identical_files(tmp_path: Path, config) -> None:
    generator = load_generator()
    written = generator.generate(tmp_path, config)
    assert sorted(p.name for p in written) == sorted(p.name for p in EXAMPLES.glob("*.xlsx"))
    for path in written:
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), path.name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # nothing else


def test_departments_land_in_their_intended_bands(tmp_path: Path) -> None:
    from pipeline.cli import cli

    inbox = tmp_path / "input"
    shutil.copytree(EXAMPLES, inbox)
    out = tmp_path / "output"
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS)])
    assert result.exit_code in (0, 1), result.output
    import pandas as pd

    frame = pd.read_csv(out / "2026-10" / "measures.csv", dtype={"measure_no": str})
    scored = frame[frame["level"].notna()]
    pct = scored.groupby("department")["level"].mean().round(1).to_dict()
    assert pct == {
        "Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын хэлтэс": 98.0,
        "Боловсролын газар": 95.7,
        "Захиргаа, удирдлагын хэлтэс": 93.3,
        "Санхүү, төрийн сангийн хэлтэс": 88.1,
        "Хөгжлийн бодлого, төлөвлөлтийн хэлтэс": 81.9,
        "Хүнс, хөдөө аж ахуйн газар": 78.6,  # "I-V улирал" (2.6) stays unscored
        "Эрүүл мэндийн газар": 79.0,
        "Хууль, эрх зүйн хэлтэс": 67.1,
        "Байгаль орчин, аялал жуулчлалын газар": 55.6,
    }
