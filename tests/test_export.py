"""Issue 17, part 2: a published result is input one level up. Three levels, each a workspace of its own, on
real template files, through the command line:

    Монгол Улс (улс, reports: false)                          nation: 1440 / 20 = 72.0
    ├── Аймгууд (reports: false)                              (740 + 300) / 15 = 69.33 -> 69.3
    │   ├── Алтантал аймаг  <- its export: the tree of tests/test_hierarchy.py, 740 / 10 = 74.0, Өлзийт сум missing
    │   └── Баянтал аймаг   <- its export:
    │       ├── Захиргаа, удирдлагын хэлтэс (хэлтэс): 100, 100      (the same name as in Алтантал)
    │       └── Мөрөн сум (сум): 70, 30, 0                            -> 300 / 5 = 60.0
    ├── Сангийн яам (яам), its own template: 100, 70                   -> 85.0
    └── Боловсролын яам (яам), its own template: 30, 100, 100, not due -> 230 / 3 = 76.67 -> 76.7

Then Жаргалант сум corrects its report (100, 100): Алтантал reopens, runs, closes and exports again:
810 / 10 = 81.0, and the nation (newer export supersedes) 1510 / 20 = 75.5. A tampered export is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.test_hierarchy import (
    AIMAG,
    AIMAG_UNITS,
    BH,
    JA,
    OL,
    SOUMS,
    ZUH,
    cli_run,
    fill_aimag_inputs,
    measures,
    run_ws,
    sheet_rows,
    template,
    workspace_with,
)

BAYAN = "Баянтал аймаг"
MORON = "Мөрөн сум"
NATION = "Монгол Улс"
AIMAGS = "Аймгууд"
MOF, MOE = "Сангийн яам", "Боловсролын яам"

BAYAN_UNITS = f"""departments:
  - {{name: "{BAYAN}", short: "Баянтал", level: "аймаг", reports: false}}
  - {{name: "{ZUH}", short: "ЗУХ", parent: "{BAYAN}", level: "хэлтэс"}}
  - {{name: "{MORON}", short: "МС", parent: "{BAYAN}", level: "сум"}}
"""

NATION_UNITS = f"""departments:
  - {{name: "{NATION}", short: "Улс", level: "улс", reports: false}}
  - {{name: "{AIMAGS}", parent: "Улс", reports: false}}
  - {{name: "{AIMAG}", short: "Алтантал", parent: "{AIMAGS}", level: "аймаг"}}
  - {{name: "{BAYAN}", short: "Баянтал", parent: "{AIMAGS}", level: "аймаг"}}
  - {{name: "{MOF}", short: "СЯ", parent: "Улс", level: "яам"}}
  - {{name: "{MOE}", short: "БЯ", parent: "Улс", level: "яам"}}
"""
ON_TIME = dt.datetime(2026, 11, 4, 9, 0).timestamp()


def ws_args(ws: Path) -> list[str]:
    return ["--workspace", str(ws), "--mappings", str(ws / "mappings")]


def close(ws: Path) -> None:
    cli_run("close", "--period", "2026-10", "--reason", "Хянаж баталсан", *ws_args(ws))


def export(ws: Path) -> tuple[Path, str]:
    output = cli_run("export", "--period", "2026-10", *ws_args(ws))
    files = sorted((ws / "output" / "2026-10").glob("export_*_2026-10.zip"))
    assert len(files) == 1, output
    return files[0], output


def deliver(export_file: Path, nation: Path, when: float = ON_TIME) -> Path:
    target = nation / "input" / export_file.name
    shutil.copy2(export_file, target)
    os.utime(target, (when, when))  # received (by hand, into input/) before the deadline
    return target


def tree_table(ws: Path) -> dict[str, dict[str, Any]]:
    """The Шатлал sheet's table, by each unit's path (names repeat across aimags; paths do not)."""
    rows = sheet_rows(ws / "output" / "2026-10" / "summary_2026-10.xlsx", "Шатлал")
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Нэгж")
    header = rows[start]
    table = {}
    for row in rows[start + 1:]:
        if not row or not row[0]:
            break
        record = dict(zip(header, row, strict=False))
        table[str(record["Шатлал дахь байршил"])] = record
    return table


def problems(ws: Path) -> list[dict[str, str]]:
    with (ws / "output" / "2026-10" / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def levels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("levels")
    altantal = workspace_with(base / "altantal", AIMAG_UNITS)
    fill_aimag_inputs(altantal / "input")
    run_ws(altantal)
    close(altantal)
    altantal_export, _ = export(altantal)

    bayan = workspace_with(base / "bayan", BAYAN_UNITS)
    template(bayan / "input", ZUH, [100, 100])
    template(bayan / "input", MORON, [70, 30, 0])
    run_ws(bayan)
    open_export, open_output = export(bayan)  # before closing: warned, and the manifest says so
    open_manifest = json.loads(zipfile.ZipFile(open_export).read("manifest.json"))
    open_export.unlink()
    close(bayan)
    bayan_export, bayan_output = export(bayan)

    nation = workspace_with(base / "nation", NATION_UNITS)
    deliver(altantal_export, nation)
    deliver(bayan_export, nation)
    template(nation / "input", MOF, [100, 70])
    template(nation / "input", MOE, [30, 100, 100, None])
    run_ws(nation)
    return {"altantal": altantal, "bayan": bayan, "nation": nation, "altantal_export": altantal_export,
            "bayan_export": bayan_export, "open_manifest": open_manifest, "open_output": open_output,
            "bayan_output": bayan_output, "base": base}


def test_the_export_is_a_zip_of_csvs_with_a_manifest_of_hashes(levels: dict[str, Any]) -> None:
    archive = zipfile.ZipFile(levels["altantal_export"])
    assert sorted(archive.namelist()) == ["departments.csv", "manifest.json", "measures.csv", "units.csv"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "negtgel-export"
    assert (manifest["unit"], manifest["period"], manifest["closed"]) == (AIMAG, "2026-10", True)
    assert manifest["reason"] == "Хянаж баталсан"
    assert manifest["overall"]["pct"] == 74.0
    assert manifest["rows"] == {"measures.csv": 11, "units.csv": 7, "departments.csv": 5}
    import hashlib

    for part in ("measures.csv", "units.csv", "departments.csv"):
        assert manifest["sha256"][part] == hashlib.sha256(archive.read(part)).hexdigest()
    rows = list(csv.DictReader(io.StringIO(archive.read("measures.csv").decode("utf-8-sig"))))
    assert {r["parent_path"] for r in rows if r["department"] == BH} == {f"{AIMAG}/{SOUMS}/{BH}"}
    assert sorted({r["level"] for r in rows}) == ["", "0", "100", "30", "70"]
    units = list(csv.DictReader(io.StringIO(archive.read("units.csv").decode("utf-8-sig"))))
    assert {u["name"]: u["reported"] for u in units}[OL] == "false"


def test_an_open_period_is_exported_with_a_warning_and_the_manifest_says_so(levels: dict[str, Any]) -> None:
    assert levels["open_manifest"]["closed"] is False
    assert "closed\": false" in levels["open_output"]
    assert "warning" not in levels["bayan_output"]


def test_each_aimag_has_its_own_figures(levels: dict[str, Any]) -> None:
    table = tree_table(levels["bayan"])
    assert table[BAYAN]["Хэрэгжилт, %"] == 60.0
    assert table[f"{BAYAN}/{MORON}"]["Хэрэгжилт, %"] == 33.3
    assert table[BAYAN]["Ирц"] == "2 нэгжээс бүгд ирүүлсэн"


def test_the_nation_ranks_the_aimags_and_ministries_with_drill_down_and_completeness_at_every_level(levels: dict[str, Any]) -> None:
    nation = levels["nation"]
    table = tree_table(nation)
    pct = {path: row["Хэрэгжилт, %"] for path, row in table.items()}
    top = f"{NATION}/{AIMAGS}"
    assert pct[NATION] == 72.0
    assert pct[top] == 69.3
    assert pct[f"{top}/{AIMAG}"] == 74.0
    assert pct[f"{top}/{BAYAN}"] == 60.0
    assert pct[f"{NATION}/{MOF}"] == 85.0
    assert pct[f"{NATION}/{MOE}"] == 76.7
    # drill-down to the aimags' own units, the same names kept apart by their paths
    assert pct[f"{top}/{AIMAG}/{SOUMS}"] == 80.0
    assert pct[f"{top}/{AIMAG}/{SOUMS}/{BH}"] == 90.0
    assert pct[f"{top}/{AIMAG}/{ZUH}"] == 60.0
    assert pct[f"{top}/{BAYAN}/{ZUH}"] == 100.0
    assert pct[f"{top}/{AIMAG}/{SOUMS}/{OL}"] is None
    done = {path: row["Ирц"] for path, row in table.items()}
    assert done[NATION] == "11 нэгжээс 1 нь ирүүлээгүй"
    assert done[top] == "9 нэгжээс 1 нь ирүүлээгүй"
    assert done[f"{top}/{AIMAG}"] == "5 нэгжээс 1 нь ирүүлээгүй"  # sent its export, but a soum was missing
    assert done[f"{top}/{AIMAG}/{SOUMS}"] == "3 сумаас 1 нь ирүүлээгүй"
    assert done[f"{top}/{BAYAN}"] == "2 нэгжээс бүгд ирүүлсэн"
    rank = {path: row["Дотроо байр"] for path, row in table.items()}
    assert (rank[f"{top}/{AIMAG}"], rank[f"{top}/{BAYAN}"]) == (1, 2)
    assert (rank[f"{NATION}/{MOF}"], rank[f"{NATION}/{MOE}"], rank[top]) == (1, 2, 3)
    # the department table ranks what reports to the nation: the aimags and the ministries
    rows = sheet_rows(nation / "output" / "2026-10" / "summary_2026-10.xlsx", "Хэлтсүүд")
    ranked = [(row[0], row[1], row[3]) for row in rows[4:] if row and row[1]]
    assert ranked == [(1, MOF, 85.0), (2, MOE, 76.7), (3, AIMAG, 74.0), (4, BAYAN, 60.0)]
    lines = measures(nation)
    assert list(lines[0])[-1] == "parent_path"
    assert {r["parent_path"] for r in lines if r["measure"].startswith(BH)} == {f"{top}/{AIMAG}/{SOUMS}/{BH}"}
    assert {r["department"] for r in lines if r["measure"].startswith(BH)} == {AIMAG}
    assert len(lines) == 11 + 5 + 2 + 4
    assert "export-period-open" not in {p["code"] for p in problems(nation)}


def test_a_newer_export_supersedes_the_older_and_a_tampered_one_is_refused(levels: dict[str, Any]) -> None:
    altantal, nation = levels["altantal"], levels["nation"]
    cli_run("reopen", "--period", "2026-10", "--reason", "Жаргалант сум засвар ирүүлсэн", *ws_args(altantal))
    template(altantal / "input", JA, [100, 100], tag=" засвар")
    run_ws(altantal)
    close(altantal)
    newer, _ = export(altantal)
    assert json.loads(zipfile.ZipFile(newer).read("manifest.json"))["overall"]["pct"] == 81.0
    deliver(newer, nation, ON_TIME + 3600)
    run_ws(nation)
    pct = {path: row["Хэрэгжилт, %"] for path, row in tree_table(nation).items()}
    assert pct[f"{NATION}/{AIMAGS}/{AIMAG}"] == 81.0
    assert pct[NATION] == 75.5
    assert pct[f"{NATION}/{AIMAGS}/{AIMAG}/{SOUMS}/{JA}"] == 100.0
    submissions = sheet_rows(nation / "output" / "2026-10" / "negtgel_2026-10.xlsx", "Ирүүлсэн файлууд")
    states = [row[3] for row in submissions[1:] if row[1] == AIMAG]
    assert len(states) == 2 and len(set(states)) == 2  # one consolidated, one superseded

    # A level changed inside measures.csv, the manifest left as it was: refused, the good export stays in force.
    tampered = levels["base"] / "tampered" / levels["bayan_export"].name
    tampered.parent.mkdir()
    with zipfile.ZipFile(levels["bayan_export"]) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "measures.csv":
                data = data.replace(b",0,not_done,", b",100,done,")
                assert data != source.read(name)
            target.writestr(name, data)
    deliver(tampered, nation, ON_TIME + 7200)
    run_ws(nation, ok=(1,))
    found = [p for p in problems(nation) if p["code"] == "export-tampered"]
    assert len(found) == 1
    assert "measures.csv sha256" in found[0]["message"]
    assert found[0]["severity"] == "error"
    pct = {path: row["Хэрэгжилт, %"] for path, row in tree_table(nation).items()}
    assert pct[f"{NATION}/{AIMAGS}/{BAYAN}"] == 60.0
    assert pct[NATION] == 75.5


def test_an_export_sent_by_mail_is_taken_like_a_report(levels: dict[str, Any], tmp_path: Path) -> None:
    from email.message import EmailMessage

    nation = workspace_with(tmp_path / "nation", NATION_UNITS.replace(
        f'short: "Баянтал", parent: "{AIMAGS}"', f'short: "Баянтал", emails: ["negtgel@bayantal.gov.mn"], parent: "{AIMAGS}"'))
    message = EmailMessage()
    message["From"] = "negtgel@bayantal.gov.mn"
    message["To"] = "negtgel@cabinet.gov.mn"
    message["Subject"] = "2026 оны 10 сарын нэгтгэл"
    message["Date"] = "Wed, 04 Nov 2026 09:00:00 +0800"
    message["Message-ID"] = "<export-1@bayantal.gov.mn>"
    message.set_content("Нэгтгэлийг хавсаргав.")
    export_file = levels["bayan_export"]
    message.add_attachment(export_file.read_bytes(), maintype="application", subtype="zip", filename=export_file.name)
    saved = tmp_path / "export.eml"
    saved.write_bytes(message.as_bytes())
    cli_run("ingest", str(saved), *ws_args(nation), ok=(0, 1))
    run_ws(nation)
    table = tree_table(nation)
    assert table[f"{NATION}/{AIMAGS}/{BAYAN}"]["Хэрэгжилт, %"] == 60.0
    assert table[f"{NATION}/{AIMAGS}/{BAYAN}/{MORON}"]["Хэрэгжилт, %"] == 33.3
    assert table[f"{NATION}/{AIMAGS}"]["Ирц"] == "4 нэгжээс 1 нь ирүүлээгүй"  # Алтантал sent nothing


def _rewritten(source: Path, target: Path, change: Any) -> Path:
    """The export with its parts changed by `change(parts)` (a dict name -> bytes), the zip rebuilt."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def _manifest_edit(edit: Any) -> Any:
    def change(parts: dict[str, bytes]) -> None:
        manifest = json.loads(parts["manifest.json"])
        edit(manifest)
        parts["manifest.json"] = json.dumps(manifest).encode()
    return change


@pytest.mark.parametrize(("change", "reason"), [
    (lambda parts: parts.pop("units.csv"), "units.csv −"),
    (lambda parts: parts.update({"extra.xlsx": b"PK"}), "+ extra.xlsx"),
    (lambda parts: parts.update({"units.csv": parts["units.csv"] + b"x,x,,,,,,,,\r\n"}), "units.csv sha256"),
    (_manifest_edit(lambda m: m["rows"].update({"measures.csv": 3})), "measures.csv: 5 ≠ 3"),
    (_manifest_edit(lambda m: m.update({"period": "2026-11"})), "departments.csv: period ≠ 2026-11"),
    (_manifest_edit(lambda m: m.update({"unit": "Өөр аймаг"})), "units.csv: unit ≠ Өөр аймаг"),
    (_manifest_edit(lambda m: m.update({"version": 7})), "version 7"),
])
def test_an_export_that_contradicts_its_manifest_is_refused_with_the_reason(
    levels: dict[str, Any], tmp_path: Path, change: Any, reason: str, config: Any
) -> None:
    from pipeline.export import read_export

    path = _rewritten(levels["bayan_export"], tmp_path / "export_Баянтал_2026-10.zip", change)
    read = read_export(path, path.name, config)
    assert read is not None and not read.readable
    assert [(p.code, p.detail) for p in read.problems] == [("export-tampered", reason)]
    assert reason in read.problems[0].message("mn") and "manifest.json" in read.problems[0].message("en")


def test_a_zip_that_is_no_export_is_left_to_the_template_reader(tmp_path: Path, config: Any) -> None:
    from pipeline.export import read_export

    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert read_export(path, path.name, config) is None
    assert read_export(tmp_path / "x.xlsx", "x.xlsx", config) is None  # never opened: not a .zip


def _resealed(parts: dict[str, bytes], edit: Any) -> None:
    """Parts changed by `edit` and the manifest's hashes made to match: a valid export with the changed text."""
    import hashlib

    edit(parts)
    manifest = json.loads(parts["manifest.json"])
    manifest["sha256"] = {name: hashlib.sha256(parts[name]).hexdigest() for name in manifest["sha256"]}
    parts["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode("utf-8")


def test_text_in_an_export_never_becomes_a_formula_or_a_link_one_level_up(levels: dict[str, Any], tmp_path: Path) -> None:
    evil_unit, evil_measure = '=HYPERLINK("http://example.com/x","Мөрөн")', "=1+1 http://example.com/y"

    def edit(parts: dict[str, bytes]) -> None:
        for name, column, old, new in (("units.csv", "name", MORON, evil_unit),
                                       ("measures.csv", "measure", f"{MORON}: арга хэмжээ 1", evil_measure)):
            rows = list(csv.reader(io.StringIO(parts[name].decode("utf-8-sig"))))
            at = rows[0].index(column)
            for row in rows[1:]:
                if row[at] == old:
                    row[at] = "'" + new  # as the exporting side neutralised it
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n").writerows(rows)
            parts[name] = ("\ufeff" + out.getvalue()).encode("utf-8")

    nation = workspace_with(tmp_path / "nation", NATION_UNITS)
    crafted = _rewritten(levels["bayan_export"], nation / "input" / levels["bayan_export"].name, lambda p: _resealed(p, edit))
    os.utime(crafted, (ON_TIME, ON_TIME))
    run_ws(nation)
    assert "export-tampered" not in {p["code"] for p in problems(nation)}
    paths = set(tree_table(nation))
    assert any(evil_unit in path for path in paths)  # taken, shown as the text it is
    for book in (nation / "output" / "2026-10").glob("*.xlsx"):
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    data = archive.read(name).decode("utf-8")
                    assert "<f>" not in data and "<hyperlink " not in data, (book.name, name)  # no formula, no link
                    assert "relationships/hyperlink" not in data, (book.name, name)
                    assert not re.search(r"<c:f>[^<]*(HYPERLINK|1\+1)", data), (book.name, name)  # a chart reads cells only
    lines = (nation / "output" / "2026-10" / "measures.csv").read_text(encoding="utf-8-sig")
    assert f"'{evil_measure}" in lines


def test_an_export_from_a_unit_the_upper_list_lacks_is_named_so(levels: dict[str, Any], tmp_path: Path) -> None:
    nation = workspace_with(tmp_path / "nation", NATION_UNITS.replace(
        f'  - {{name: "{BAYAN}", short: "Баянтал", parent: "{AIMAGS}", level: "аймаг"}}\n', ""))
    deliver(levels["bayan_export"], nation)
    run_ws(nation, ok=(1,))
    found = [p for p in problems(nation) if p["code"] == "department-not-listed"]
    assert len(found) == 1 and BAYAN in found[0]["message"]
    assert not any(BAYAN in path for path in tree_table(nation))


def test_a_workspace_without_a_tree_exports_under_the_unit_it_names(tmp_path: Path) -> None:
    flat = workspace_with(tmp_path / "flat", f"""departments:
  - {{name: "{ZUH}", short: "ЗУХ"}}
  - {{name: "{MORON}", short: "МС"}}
""")
    template(flat / "input", ZUH, [100, 100])
    template(flat / "input", MORON, [70, 30, 0])
    run_ws(flat)
    close(flat)
    result = cli_run("export", "--period", "2026-10", *ws_args(flat), ok=(1,))
    assert "--unit" in result
    cli_run("export", "--period", "2026-10", "--unit", BAYAN, *ws_args(flat))
    archive = zipfile.ZipFile(next((flat / "output" / "2026-10").glob("export_*.zip")))
    units = list(csv.DictReader(io.StringIO(archive.read("units.csv").decode("utf-8-sig"))))
    assert [(u["name"], u["parent_key"]) for u in units] == [(BAYAN, ""), (ZUH, BAYAN), (MORON, BAYAN)]
    assert json.loads(archive.read("manifest.json"))["overall"]["pct"] == 60.0
