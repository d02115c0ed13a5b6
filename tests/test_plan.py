"""The approved plan of the year (issue 16, part 1): import, list, compare each report, score by the plan, accept.

A small plan year in a temporary workspace, from real template files: three departments' plans (a plan
workbook written by `negtgel template`, a seed-003-shaped approved plan with its БАТЛАВ block, and a report
marked as the plan), then the October reports: one target quietly lowered, one measure removed.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.read.workbook import read_file
from pipeline.template import PLAN_FIELDS, write_template
from tests.conftest import EXAMPLES, MAPPINGS
from tests.helpers import write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"
HHAAG = "Хүнс, хөдөө аж ахуйн газар"
EMG = "Эрүүл мэндийн газар"
EXAMPLE = {ZUH: "ЗУХ 10 сарын тайлан.xlsx", HHAAG: "ХХААГ_2026-10_тайлан.xlsx", EMG: "ЭМГ 10-р сарын биелэлт.xlsx"}


def example_measures(config: Config, department: str) -> list[dict[str, Any]]:
    read = read_file(EXAMPLES / EXAMPLE[department], config)
    return [dict(m) for t in read.tables for m in t.measures]


def plan_part(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in PLAN_FIELDS and v not in (None, "")}


@pytest.fixture
def year(tmp_path: Path, config: Config) -> dict[str, Any]:
    """A workspace (the repository's mappings copied), three plan files and the October reports in input/."""
    root = tmp_path / "ws"
    shutil.copytree(MAPPINGS, root / "mappings")
    (root / "input").mkdir()
    files = tmp_path / "files"
    files.mkdir()

    # ЗУХ: a plan workbook as `negtgel template --from-plan` writes it (no month, no progress).
    zuh = example_measures(config, ZUH)
    zuh_plan = write_template(files / "ЗУХ_2026_төлөвлөгөө.xlsx", department=ZUH, year=2026, month=None, config=config,
                              measures=[plan_part(m) for m in zuh])
    # ХХААГ: seed 003's shape: the approval block, a title, goal rows, the plan columns only.
    hhaag = example_measures(config, HHAAG)
    rows: list[list[Any]] = [["БАТЛАВ."], ["ХҮНС, ХӨДӨӨ АЖ АХУЙН ГАЗРЫН ДАРГА"], ["2026 оны 01-р сарын 15-ны өдөр"], [],
                             ["Хэлтэс: " + HHAAG], ["2026 ОНД ЗОХИОН БАЙГУУЛАХ АЖЛЫН ТӨЛӨВЛӨГӨӨ"],
                             ["№", "Хэрэгжүүлэх арга хэмжээ", "Шалгуур үзүүлэлт", "Хүрэх түвшин", "Хугацаа", "Хариуцах эзэн"]]
    goal = None
    for m in hhaag:
        if m.get("goal") != goal:
            goal = m.get("goal")
            rows.append([goal])
        rows.append([m.get("no"), m.get("measure"), m.get("indicator"), m.get("target"), m.get("timeframe"),
                     m.get("responsible")])
    hhaag_plan = write_xlsx(files / "ХХААГ батлагдсан төлөвлөгөө 2026.xlsx", rows)
    # ЭМГ: its report, marked as the plan (`--department`).
    emg_plan = files / "ЭМГ_2026.xlsx"
    shutil.copyfile(EXAMPLES / EXAMPLE[EMG], emg_plan)

    # The October reports. ЗУХ lowers the target of 1.2 (10 -> 7) and reports 7; ХХААГ drops 2.2.
    lowered = [dict(m) for m in zuh]
    assert lowered[1]["no"] == "1.2" and lowered[1]["target"] == "10-аас доошгүй"
    lowered[1].update(target="7-оос доошгүй", actual=7)
    write_template(root / "input" / "ЗУХ_2026_10.xlsx", department=ZUH, year=2026, month=10, config=config, measures=lowered)
    removed = next(m for m in hhaag if m["no"] == "2.2")
    write_template(root / "input" / "ХХААГ_2026_10.xlsx", department=HHAAG, year=2026, month=10, config=config,
                   measures=[m for m in hhaag if m is not removed])
    shutil.copyfile(EXAMPLES / EXAMPLE[EMG], root / "input" / EXAMPLE[EMG])
    return {"root": root, "plans": (zuh_plan, hhaag_plan, emg_plan), "removed": removed}


def negtgel(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args[:1], *(args[1:2] if args[0] == "plan" else ()),
                                    "--workspace", str(root), "--mappings", str(root / "mappings"),
                                    *args[2 if args[0] == "plan" else 1:]])


def measures_csv(root: Path) -> list[dict[str, str]]:
    with (root / "output" / "2026-10" / "measures.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def problems_csv(root: Path) -> list[dict[str, str]]:
    with (root / "output" / "2026-10" / "problems.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def import_all(root: Path, plans: tuple[Path, ...]) -> str:
    zuh, hhaag, emg = plans
    result = negtgel(root, "plan", "import", str(zuh), str(hhaag), "--year", "2026")
    assert result.exit_code == 0, result.output
    again = negtgel(root, "plan", "import", str(emg), "--year", "2026", "--department", "ЭМГ")
    assert again.exit_code == 0, again.output
    return result.output + again.output


def test_import_stores_each_plan_as_data_with_its_hash_and_archives_the_file(year: dict[str, Any]) -> None:
    root = year["root"]
    output = import_all(root, year["plans"])
    # The plan's own unreadable timeframe (seed 003's "I-V улирал") is said at import, to fix in the plan.
    assert "! мөр / row" in output and "«I-V улирал»" in output
    folder = root / "plans" / "2026"
    stored = {p.name for p in folder.glob("*.json")}
    assert stored == {"ЗУХ.json", "ХХААГ.json", "ЭМГ.json"}
    plan = json.loads((folder / "ХХААГ.json").read_text(encoding="utf-8"))
    assert plan["department"] == HHAAG and plan["year"] == 2026
    assert len(plan["sha256"]) == 64
    assert (root / plan["archived_as"]).read_bytes() == year["plans"][1].read_bytes()
    assert [m["no"] for m in plan["measures"]][:3] == ["1.1", "1.2", "1.3"]
    assert all("progress" not in m and "actual" not in m for m in plan["measures"])
    emg = json.loads((folder / "ЭМГ.json").read_text(encoding="utf-8"))
    assert emg["measures"][1]["target"] == "5000-аас доошгүй" and "actual" not in emg["measures"][1]
    # The same file again changes nothing; the log holds the three imports.
    again = negtgel(root, "plan", "import", str(year["plans"][0]), "--year", "2026")
    assert again.exit_code == 0 and "=" in again.output
    log = [json.loads(line) for line in (folder / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in log] == ["import"] * 3


def test_list_shows_who_has_a_plan_and_who_has_not(year: dict[str, Any]) -> None:
    root = year["root"]
    import_all(root, year["plans"])
    result = negtgel(root, "plan", "list", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert f"✓ {ZUH}" in result.output and f"✓ {EMG}" in result.output
    assert "✗ Хууль, эрх зүйн хэлтэс: төлөвлөгөө алга / no plan — Г.Ганбат" in result.output


def test_lowered_target_is_flagged_and_scored_by_the_approved_one(year: dict[str, Any]) -> None:
    root = year["root"]
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    rows = {(r["department"], r["measure_no"]): r for r in measures_csv(root)}
    lowered = rows[(ZUH, "1.2")]
    assert lowered["target_text"] == "10-аас доошгүй"  # the approved target, not the report's 7
    assert lowered["level"] == "70" and lowered["basis"] == "computed"
    assert "plan-changed" in lowered["flags"]
    changed = [p for p in problems_csv(root) if p["code"] == "plan-changed" and p["file"] == "ЗУХ_2026_10.xlsx"]
    assert len(changed) == 1
    assert changed[0]["cell"] == "E10" and changed[0]["severity"] == "warning"
    assert "«10-аас доошгүй»" in changed[0]["message"] and "«7-оос доошгүй»" in changed[0]["message"]
    # The sheet of changes in the consolidated workbook, and the count on the summary's dashboard.
    book = openpyxl.load_workbook(root / "output" / "2026-10" / "negtgel_2026-10.xlsx", read_only=True)
    sheet = [list(r) for r in book["Төлөвлөгөөний өөрчлөлт"].iter_rows(values_only=True)]
    assert sheet[0][:4] == ["Хэлтэс, нэгж", "№", "Арга хэмжээ", "Өөрчлөлт"]
    target_row = next(r for r in sheet if r[0] == ZUH)
    assert target_row[3] == "Хүрэх түвшин" and target_row[5:8] == ["E10", "10-аас доошгүй", "7-оос доошгүй"]
    summary = openpyxl.load_workbook(root / "output" / "2026-10" / "summary_2026-10.xlsx", read_only=True)
    cells = [list(r) for ws in summary.worksheets[:1] for r in ws.iter_rows(values_only=True)]
    assert any(r[0] == "Төлөвлөгөөний өөрчлөлт" and r[1] == 2 for r in cells)  # the lowered target, the removed measure


def test_the_report_own_target_when_the_setting_says_so(year: dict[str, Any]) -> None:
    root = year["root"]
    settings = root / "mappings" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("plan_targets: approved", "plan_targets: report"),
                        encoding="utf-8")
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    lowered = {(r["department"], r["measure_no"]): r for r in measures_csv(root)}[(ZUH, "1.2")]
    assert lowered["target_text"] == "7-оос доошгүй" and lowered["level"] == "100"
    assert "plan-changed" in lowered["flags"]  # listed all the same


def test_removed_measure_counts_as_not_done_until_accepted(year: dict[str, Any]) -> None:
    root = year["root"]
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    rows = [r for r in measures_csv(root) if r["department"] == HHAAG]
    gone = [r for r in rows if r["measure_no"] == "2.2"]
    assert len(gone) == 1
    assert gone[0]["level"] == "0" and gone[0]["basis"] == "plan" and gone[0]["status"] == "not_done"
    assert "plan-removed" in gone[0]["flags"]
    removed = [p for p in problems_csv(root) if p["code"] == "plan-changed" and p["file"] == "ХХААГ_2026_10.xlsx"]
    assert len(removed) == 1 and "2.2" in removed[0]["message"]

    accepted = negtgel(root, "plan", "accept", "--department", "ХХААГ", "--measure", "2.2", "--reason",
                       "Газрын даргын шийдвэрээр хасав", "--year", "2026")
    assert accepted.exit_code == 0, accepted.output
    log = (root / "plans" / "2026" / "log.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(log[-1])
    assert entry["action"] == "accept" and entry["measure_no"] == "2.2" and entry["reason"] == "Газрын даргын шийдвэрээр хасав"
    assert entry["at"].startswith("20")

    rerun = negtgel(root, "run", "--period", "2026-10")  # the acceptance alone makes the run rebuild
    assert "өөрчлөлтгүй" not in rerun.output.casefold() or "no change" not in rerun.output
    rows = [r for r in measures_csv(root) if r["department"] == HHAAG]
    assert not [r for r in rows if r["measure_no"] == "2.2"]
    assert not [p for p in problems_csv(root) if p["code"] == "plan-changed" and p["file"] == "ХХААГ_2026_10.xlsx"]
    book = openpyxl.load_workbook(root / "output" / "2026-10" / "negtgel_2026-10.xlsx", read_only=True)
    sheet = [list(r) for r in book["Төлөвлөгөөний өөрчлөлт"].iter_rows(values_only=True)]
    row = next(r for r in sheet if r[0] == HHAAG)
    assert row[3] == "Арга хэмжээ хасагдсан" and "Газрын даргын шийдвэрээр хасав" in row[8]


def test_unchanged_report_has_no_change_and_no_plan_means_no_sheet(year: dict[str, Any]) -> None:
    root = year["root"]
    negtgel(root, "run", "--period", "2026-10")
    book = openpyxl.load_workbook(root / "output" / "2026-10" / "negtgel_2026-10.xlsx", read_only=True)
    assert "Төлөвлөгөөний өөрчлөлт" not in book.sheetnames
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    assert not [p for p in problems_csv(root) if p["code"] == "plan-changed" and EMG[:3] in p["file"]]
    assert not [p for p in problems_csv(root) if p["code"] == "plan-changed" and p["file"] == EXAMPLE[EMG]]


def test_a_closed_period_keeps_its_changes_and_a_later_acceptance_waits_for_reopening(year: dict[str, Any]) -> None:
    root = year["root"]
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    closed = negtgel(root, "close", "--period", "2026-10", "--reason", "Хянаж баталсан")
    assert closed.exit_code == 0, closed.output
    negtgel(root, "plan", "accept", "--department", "ХХААГ", "--measure", "2.2", "--reason", "хасав", "--year", "2026")
    negtgel(root, "run", "--period", "2026-10")
    gone = [r for r in measures_csv(root) if r["department"] == HHAAG and r["measure_no"] == "2.2"]
    assert len(gone) == 1 and gone[0]["basis"] == "plan"  # the frozen figures
    book = openpyxl.load_workbook(root / "output" / "2026-10" / "negtgel_2026-10.xlsx", read_only=True)
    assert "Төлөвлөгөөний өөрчлөлт" in book.sheetnames


def test_a_change_is_accepted_by_writing_a_reason_on_the_change_sheet(year: dict[str, Any]) -> None:
    root = year["root"]
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    path = root / "output" / "2026-10" / "negtgel_2026-10.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Төлөвлөгөөний өөрчлөлт"]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["Зөвшөөрсөн", "Зөвшөөрөх шалтгаан"]
    rows = list(sheet.iter_rows(min_row=2))
    removed = next(r for r in rows if r[0].value == HHAAG and r[1].value == "2.2")
    assert removed[len(header) - 2].value is None and removed[len(header) - 1].value is None
    removed[len(header) - 1].value = "Газрын даргын шийдвэрээр хасав"
    lowered = next(r for r in rows if r[0].value == ZUH and r[1].value == "1.2")
    lowered[0].value = "Сансрын хэлтэс"  # no such department: listed, not a traceback
    lowered[len(header) - 1].value = "зөвшөөрөв"
    book.save(path)

    rerun = negtgel(root, "run", "--period", "2026-10")
    assert rerun.exit_code in (0, 1), rerun.output
    log = [json.loads(line) for line in (root / "plans" / "2026" / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    accepts = [e for e in log if e["action"] == "accept"]
    assert [(e["department"], e["measure_no"], e["reason"], e["via"]) for e in accepts] == [
        (HHAAG, "2.2", "Газрын даргын шийдвэрээр хасав", "workbook")]
    assert accepts[0]["at"].startswith("20")
    # Scored as `plan accept` would have it: the removed measure is gone, the lowered target still flagged.
    assert not [r for r in measures_csv(root) if r["department"] == HHAAG and r["measure_no"] == "2.2"]
    assert [p for p in problems_csv(root) if p["code"] == "plan-changed" and p["file"] == "ЗУХ_2026_10.xlsx"]
    (refused,) = [p for p in problems_csv(root) if p["code"] == "plan-accept-refused"]
    assert refused["file"] == "negtgel_2026-10.xlsx" and refused["sheet"] == "Төлөвлөгөөний өөрчлөлт"
    assert refused["cell"] == f"J{lowered[0].row}" and refused["message"].startswith("Сансрын хэлтэс (1.2): ")
    shown = openpyxl.load_workbook(path, read_only=True)
    row = next(list(r) for r in shown["Төлөвлөгөөний өөрчлөлт"].iter_rows(values_only=True) if r[0] == HHAAG and r[1] == "2.2")
    assert "Газрын даргын шийдвэрээр хасав" in row[len(header) - 2] and row[len(header) - 1] is None

    # Recorded once: running again (the workbook rewritten, nothing typed) adds nothing.
    negtgel(root, "run", "--period", "2026-10")
    again = (root / "plans" / "2026" / "log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(again) == len(log)


def test_a_closed_periods_change_sheet_refuses_a_reason_cell_by_cell(year: dict[str, Any]) -> None:
    root = year["root"]
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    negtgel(root, "close", "--period", "2026-10", "--reason", "хянав")
    path = root / "output" / "2026-10" / "negtgel_2026-10.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Төлөвлөгөөний өөрчлөлт"]
    header = [c.value for c in sheet[1]]
    removed = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == HHAAG and r[1].value == "2.2")
    removed[len(header) - 1].value = "хожим хасав"
    book.save(path)

    rerun = negtgel(root, "run", "--period", "2026-10")
    assert rerun.exit_code in (0, 1), rerun.output
    log = (root / "plans" / "2026" / "log.jsonl").read_text(encoding="utf-8")
    assert "хожим хасав" not in log and '"accept"' not in log  # nothing recorded for a closed period
    (refused,) = [p for p in problems_csv(root) if p["code"] == "review-period-closed"]
    assert (refused["sheet"], refused["cell"]) == ("Төлөвлөгөөний өөрчлөлт", f"J{removed[0].row}")
    assert "«хожим хасав»" in refused["message"] or "хожим хасав" in refused["message"]
    gone = [r for r in measures_csv(root) if r["department"] == HHAAG and r["measure_no"] == "2.2"]
    assert len(gone) == 1 and gone[0]["basis"] == "plan"  # the frozen figures
    shown = openpyxl.load_workbook(path, read_only=True)
    row = next(list(r) for r in shown["Төлөвлөгөөний өөрчлөлт"].iter_rows(values_only=True) if r[0] == HHAAG and r[1] == "2.2")
    assert row[len(header) - 1] is None  # written back as frozen
