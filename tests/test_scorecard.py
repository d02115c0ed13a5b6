"""Scorecards (issue 18): organisations ranked on several criteria, computed and evaluators' points.

Every workbook here is a real file: the evaluators' workbooks are written by `negtgel scorecard template`, filled in
with openpyxl as an evaluator's Excel would save them, read back with python-calamine, and the result workbook is
read back too. The totals and ranks are checked against values worked out by hand below.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as calamine
import xlsxwriter
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.scorecard import load_scorecard, make_templates, returned_folder, run_scorecard
from pipeline.scorecard.facts import Facts
from pipeline.scorecard.score import Row, computed_points, rank
from pipeline.scorecard.sheet import FIRST_ROW, SHEET
from pipeline.scorecard.spec import EARLIER_REPORT, Criterion
from pipeline.workspace import Workspace
from tests.conftest import EXAMPLES, MAPPINGS

PERIOD = "2026-10"
ORGANISATIONS = [
    ("Зуунмод сумын Засаг даргын Тамгын газар", "ЗСЗДТГ"),
    ("Мөнгөнморьт сумын Ерөнхий боловсролын сургууль", "МСЕБС"),
    ("Монгол туургатан театр", "МТТ"),
    ("Аймгийн Нэгдсэн эмнэлэг", "АНЭ"),
    ("Татварын хэлтэс", "ТХ"),
    ("Статистикийн хэлтэс", "СтХ"),
    ("Газар зохион байгуулалтын алба", "ГЗБА"),
    ("Нийгмийн даатгалын хэлтэс", "НДХ"),
    ("Хөдөлмөр, халамжийн үйлчилгээний газар", "ХХҮГ"),
    ("Шүүхийн шийдвэр гүйцэтгэх алба", "ШШГА"),
    ("Мэргэжлийн хяналтын газар", "МХГ"),
    ("Соёлын төв", "СТ"),
]
CONTEST = """\
name: contest
label: {mn: "Аяны үнэлгээ", en: "Campaign"}
total: 20
criteria:
  - {key: work, label: "Хийсэн ажил", label_en: "Work done", max: 10, source: evaluator}
  - {key: initiative, label: "Санаачилга", label_en: "Initiative", max: 5, source: evaluator, combine: max}
  - {key: outreach, label: "Нөлөөлөл", label_en: "Outreach", max: 5, source: evaluator}
tie_break: [initiative]
award_top: 3
"""
# (work, initiative, outreach) typed by each evaluator, organisation by organisation; None: left empty.
EVALUATOR_A = [(10, 5, 5), (9, 4, 5), (8, 5, 4), (8, 4, 4), (7, 5, 4), (7, 3, 3),
               (6, 2, None), (6, 3, 3), (6, 3, 3), (5, 1, 1), (4, 0, 1), (3, 0, 0)]
EVALUATOR_B = [(9, 4, 5), (10, 5, 4), (11, 5, 4), (8, 3, 5), (8, 4, 4), (7, 3, 4),
               (6, 2, 3), (7, 2, 3), (7, 3, 3), (5, 2, 2), (3, 1, 1), (2, 0, 1)]
# Worked by hand: work = mean, initiative = max, outreach = mean; total = their sum.
#   1 ЗСЗДТГ  (10+9)/2=9.5  max(5,4)=5  (5+5)/2=5    = 19.5   rank 1
#   2 МСЕБС   9.5           5           4.5          = 19.0   rank 2
#   3 МТТ     B's 11 > 10: refused -> work 8 (A only)  5  4 = 17 so far: incomplete, ranked after every complete one
#   4 АНЭ     8             4           4.5          = 16.5   tie with ТХ, broken by initiative (4 < 5): rank 4
#   5 ТХ      7.5           5           4            = 16.5   rank 3
#   6 СтХ     7             3           3.5          = 13.5   rank 5
#   7 ГЗБА    6             2           A left outreach empty -> 3 (B only) = 11 so far: incomplete
#   8 НДХ     6.5           3           3            = 12.5   tie with ХХҮГ, same initiative: both rank 6
#   9 ХХҮГ    6.5           3           3            = 12.5   rank 6
#  10 ШШГА    5             2           1.5          = 8.5    rank 8
#  11 МХГ     3.5           1           1            = 5.5    rank 9
#  12 СТ      2.5           0           0.5          = 3.0    rank 10
#  incomplete: МТТ 17 rank 11, ГЗБА 11 rank 12
EXPECTED = [  # (rank, short, total shown, points so far, status)
    (1, "ЗСЗДТГ", 19.5, 19.5, "Бүрэн"),
    (2, "МСЕБС", 19.0, 19.0, "Бүрэн"),
    (3, "ТХ", 16.5, 16.5, "Бүрэн"),
    (4, "АНЭ", 16.5, 16.5, "Бүрэн"),
    (5, "СтХ", 13.5, 13.5, "Бүрэн"),
    (6, "НДХ", 12.5, 12.5, "Бүрэн"),
    (6, "ХХҮГ", 12.5, 12.5, "Бүрэн"),
    (8, "ШШГА", 8.5, 8.5, "Бүрэн"),
    (9, "МХГ", 5.5, 5.5, "Бүрэн"),
    (10, "СТ", 3.0, 3.0, "Бүрэн"),
    (11, "МТТ", "дутуу", 17.0, "дутуу"),
    (12, "ГЗБА", "дутуу", 11.0, "дутуу"),
]


def mappings_with(folder: Path, scorecards: dict[str, str] | None = None) -> Path:
    """The repository's mappings with the twelve organisations and the given scorecards."""
    mappings = folder / "mappings"
    shutil.copytree(MAPPINGS, mappings)
    lines = ["departments:"] + [f'  - {{name: "{name}", short: "{short}"}}' for name, short in ORGANISATIONS]
    (mappings / "departments.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, text in (scorecards or {}).items():
        (mappings / "scorecards" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return mappings


def fill(template: Path, destination: Path, points: Sequence[Sequence[object]], first_col: int, *,
         evaluator: str | None = None) -> Path:
    """An evaluator's Excel: type the points into the open cells and save under another name."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[SHEET]
    if evaluator is not None:
        sheet.cell(4, 2).value = evaluator
    for index, values in enumerate(points):
        for offset, value in enumerate(values):
            sheet.cell(FIRST_ROW + 1 + index, first_col + 1 + offset).value = value
    destination.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(destination)
    return destination


def grid(path: Path, sheet: str) -> list[list[Any]]:
    workbook = calamine.CalamineWorkbook.from_path(str(path))
    try:
        return workbook.get_sheet_by_name(sheet).to_python()
    finally:
        workbook.close()


@pytest.fixture
def contest(tmp_path: Path) -> tuple[Workspace, Path]:
    mappings = mappings_with(tmp_path, {"contest": CONTEST})
    return Workspace.at(tmp_path, mappings), mappings


def test_two_evaluators_for_twelve_organisations_are_combined_ranked_and_awarded(contest: tuple[Workspace, Path]) -> None:
    workspace, mappings = contest
    config = load_config(mappings)
    card = load_scorecard(mappings, "contest")
    written = make_templates(config, workspace, card, PERIOD, ["Б.Бат", "Д.Сараа"])
    assert [w.path.name for w in written] == ["scorecard_contest_2026-10_evaluator_Б_Бат.xlsx",
                                              "scorecard_contest_2026-10_evaluator_Д_Сараа.xlsx"]
    folder = returned_folder(workspace, card, PERIOD)
    assert folder == workspace.root / "scorecards" / "contest" / PERIOD and folder.is_dir()
    fill(written[0].path, folder / "Бат.xlsx", EVALUATOR_A, 3)
    fill(written[1].path, folder / "Сараа.xlsx", EVALUATOR_B, 3)
    (folder / "~$Бат.xlsx").write_bytes(b"lock")  # Excel's lock file is not a workbook to read

    run = run_scorecard(config, workspace, card, PERIOD)

    assert [g.evaluator for g in run.given] == ["Б.Бат", "Д.Сараа"]
    assert [(r.rank, next(s for n, s in ORGANISATIONS if n == r.organisation), r.total, r.complete) for r in run.rows] == [
        (rank, short, so_far, status == "Бүрэн") for rank, short, _, so_far, status in EXPECTED]
    problems = [(p.file, p.cell, p.code, p.severity) for p in run.problems]
    assert problems == [("Бат.xlsx", "F14", "scorecard-value-missing", "warning"),
                        ("Сараа.xlsx", "D10", "scorecard-value-over-max", "error")]
    over = next(p for p in run.problems if p.code == "scorecard-value-over-max")
    assert over.message() == ("11 оноо нь шалгуурын дээд оноо (Хийсэн ажил: 10)-оос их тул тооцоогүй; байгууллагын нийт оноо "
                              "дутуу. Засаж дахин илгээнэ үү.")
    assert run.has_errors

    # The result workbook, read back.
    assert run.written.path == workspace.output / PERIOD / "scorecard_contest_2026-10.xlsx"
    rows = grid(run.written.path, "Дүн")
    assert rows[3][:7] == ["Байр", "Байгууллага, нэгж", "Товч нэр", "Нийт оноо (20)", "Бүрдсэн оноо", "Төлөв", "Хийсэн ажил (10)"]
    body = [row for row in rows[4:] if row[0] != ""]
    assert [(int(r[0]), r[2], r[3], r[4], r[5]) for r in body] == EXPECTED
    mtt = next(r for r in body if r[2] == "МТТ")
    assert mtt[6:9] == [8.0, 5.0, 4.0] and mtt[9] == "Хийсэн ажил (Д.Сараа)"
    gzba = next(r for r in body if r[2] == "ГЗБА")
    assert gzba[9] == "Нөлөөлөл (Б.Бат)"
    awards = grid(run.written.path, "Шагнал")
    assert [(int(r[0]), r[1], r[2]) for r in awards[3:6]] == [
        (1, ORGANISATIONS[0][0], 19.5), (2, ORGANISATIONS[1][0], 19.0), (3, ORGANISATIONS[4][0], 16.5)]
    by_evaluator = grid(run.written.path, "Үнэлгээчид")
    assert by_evaluator[0][2:] == ["Б.Бат\nБат.xlsx", "Д.Сараа\nСараа.xlsx", "Нэгтгэсэн"]
    assert grid(run.written.path, "Алдаа")[2][:5] == ["Сараа.xlsx", "Үнэлгээ", "D10", "scorecard-value-over-max", "error"]
    with zipfile.ZipFile(run.written.path) as package:
        chart = package.read("xl/charts/chart1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart and '<c:grouping val="stacked"/>' in chart
    assert chart.count("<c:ser>") == 3


def test_the_evaluators_workbook_refuses_points_above_the_maximum_and_locks_the_rest(contest: tuple[Workspace, Path]) -> None:
    workspace, mappings = contest
    card = load_scorecard(mappings, "contest")
    path = make_templates(load_config(mappings), workspace, card, PERIOD, ["Б.Бат"])[0].path
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    assert sheet.protection.sheet and not sheet.protection.password
    first, last = FIRST_ROW + 1, FIRST_ROW + len(ORGANISATIONS)
    assert [sheet.cell(r, 2).value for r in range(first, last + 1)] == [name for name, _ in ORGANISATIONS]
    assert sheet.cell(first, 2).protection.locked  # the organisation's name
    assert not sheet.cell(first, 4).protection.locked and not sheet.cell(last, 6).protection.locked  # the points
    assert sheet.cell(4, 2).value == "Б.Бат" and not sheet.cell(4, 2).protection.locked
    rules = {str(v.sqref): (v.type, v.operator, v.formula1, v.formula2) for v in sheet.data_validations.dataValidation}
    # "between" is the rule's default operator, so the file does not write it.
    assert rules == {f"D{first}:D{last}": ("decimal", None, "0", "10"),
                     f"E{first}:E{last}": ("decimal", None, "0", "5"),
                     f"F{first}:F{last}": ("decimal", None, "0", "5")}
    assert "Заавар" in book.sheetnames
    guide = [row[0] for row in grid(path, "Заавар")]
    assert any("0 гэж тооцохгүй" in str(line) for line in guide)


def test_a_broken_or_foreign_workbook_is_a_problem_never_a_traceback(contest: tuple[Workspace, Path]) -> None:
    workspace, mappings = contest
    config = load_config(mappings)
    card = load_scorecard(mappings, "contest")
    template = make_templates(config, workspace, card, PERIOD)[0].path
    folder = returned_folder(workspace, card, PERIOD)
    filled = fill(template, folder / "a.xlsx", [*EVALUATOR_B[:1], (1, "сайн", -1)], 3, evaluator="А")
    book = openpyxl.load_workbook(filled)  # a row typed below the table, for an organisation not in the list
    book[SHEET].cell(FIRST_ROW + len(ORGANISATIONS) + 2, 2).value = "Үл мэдэгдэх байгууллага"
    book[SHEET].cell(FIRST_ROW + len(ORGANISATIONS) + 2, 4).value = 5
    book.save(filled)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    openpyxl.Workbook().save(folder / "other.xlsx")
    huge = xlsxwriter.Workbook(str(folder / "huge.xlsx"))
    huge.add_worksheet(SHEET).write_number(1_048_575, 16_383, 1)  # one value at XFD1048576: never a 17-billion-cell grid
    huge.close()
    run = run_scorecard(config, workspace, card, PERIOD)
    codes = sorted((p.file, p.cell, p.code) for p in run.problems if p.code != "scorecard-value-missing")
    assert codes == [("a.xlsx", "B21", "scorecard-unknown-organisation"), ("a.xlsx", "E9", "scorecard-value-invalid"),
                     ("a.xlsx", "F9", "scorecard-value-invalid"), ("broken.xlsx", "", "file-unreadable"),
                     ("huge.xlsx", "", "sheet-too-large"), ("other.xlsx", "", "scorecard-not-a-scorecard")]
    # The only evaluator gave every point of the first organisation alone; ten were left empty, one typed wrongly.
    assert [r.organisation for r in run.rows if r.complete] == [ORGANISATIONS[0][0]]


def test_an_evaluators_second_workbook_replaces_the_first(contest: tuple[Workspace, Path]) -> None:
    workspace, mappings = contest
    config = load_config(mappings)
    card = load_scorecard(mappings, "contest")
    template = make_templates(config, workspace, card, PERIOD, ["Б.Бат"])[0].path
    folder = returned_folder(workspace, card, PERIOD)
    first = fill(template, folder / "Бат 1.xlsx", [(11, 5, 5)] * 12, 3)  # over the maximum everywhere
    second = fill(template, folder / "Бат засвар.xlsx", EVALUATOR_A, 3)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(second, (1_700_000_900, 1_700_000_900))
    run = run_scorecard(config, workspace, card, PERIOD)
    assert [(g.evaluator, g.file) for g in run.given] == [("Б.Бат", "Бат засвар.xlsx")]
    # The first workbook's own faults no longer count: only that it was not used.
    assert sorted((p.file, p.code) for p in run.problems) == [("Бат 1.xlsx", "scorecard-evaluator-twice"),
                                                              ("Бат засвар.xlsx", "scorecard-value-missing")]
    assert run.rows[0].total == 20.0  # A alone: 10 + 5 + 5


def test_ties_are_broken_in_the_configured_order_and_what_still_ties_shares_a_rank() -> None:
    def row(name: str, plan: float | None, other: float, received: str, complete: bool = True) -> Row:
        points = {"plan": plan, "other": other}
        return Row(name, name, points, set(), [], sum(p for p in points.values() if p is not None), complete, received)

    rows = [row("late", 20, 10, "2026-11-05 12:00"), row("early", 20, 10, "2026-11-03 09:00"),
            row("none", 20, 10, ""), row("more plan", 25, 5, "2026-11-09 09:00"), row("same", 20, 10, "2026-11-03 09:00"),
            row("best so far", 30, 10, "2026-11-01 09:00", complete=False)]
    ranked = rank(rows, ["plan", EARLIER_REPORT])
    assert [(r.rank, r.organisation) for r in ranked] == [
        (1, "more plan"), (2, "early"), (2, "same"), (4, "late"), (5, "none"), (6, "best so far")]
    # Without a tie-break every complete total of 30 shares the first place.
    assert [(r.rank, r.organisation) for r in rank(rows, [])][:5] == [
        (1, "late"), (1, "early"), (1, "none"), (1, "more plan"), (1, "same")]


@pytest.mark.parametrize(
    ("rule", "facts", "points"),
    [
        # 89.2 % of 30 points = 26.76
        ({"rule": "plan_percent"}, Facts("x", True, pct=89.2), 26.76),
        ({"rule": "plan_percent"}, Facts("x", True, pct=None, due=0), None),  # nothing due: missing, not 0
        ({"rule": "on_time", "per_day": 2}, Facts("x", True, days_late=0), 30),
        ({"rule": "on_time", "per_day": 2}, Facts("x", True, days_late=3), 24),
        ({"rule": "on_time", "per_day": 2}, Facts("x", True, days_late=20), 0),  # floor 0
        ({"rule": "report_quality", "per_error": 1.5}, Facts("x", True, errors=4), 24),
        ({"rule": "report_quality", "per_error": 10}, Facts("x", True, errors=4), 0),
        ({"rule": "completeness"}, Facts("x", True, due=50, scored=45), 27),  # 45/50 × 30
        ({"rule": "completeness"}, Facts("x", True, due=0), None),
        ({"rule": "plan_percent"}, Facts("x", False), 0),  # did not report: 0, and listed
        ({"rule": "on_time", "per_day": 2}, None, 0),
    ],
)
def test_computed_criteria_follow_their_rule(rule: dict[str, object], facts: Facts | None, points: float | None) -> None:
    criterion = Criterion(key="c", label="c", label_en="", max=30, source="computed", **rule)  # type: ignore[arg-type]
    value = computed_points(criterion, facts)
    assert value == (None if points is None else pytest.approx(points))


# --- the scorecard file: every mistake named with its file and key ----------------------------------------------------
GOOD = """\
name: card
label: {mn: "Үнэлгээ"}
total: 20
criteria:
  - {key: plan, label: "Биелэлт", max: 10, source: computed, rule: plan_percent}
  - {key: late, label: "Хугацаа", max: 5, source: computed, rule: on_time, per_day: 1}
  - {key: idea, label: "Санаачилга", max: 5, source: evaluator}
tie_break: [plan, earlier_report]
"""


@pytest.mark.parametrize(
    ("old", "new", "messages"),
    [
        ("rule: plan_percent", "rule: plan_procent",
         ['criteria[0].rule: "plan_procent" (текст) биш: plan_percent, on_time, report_quality, completeness-ийн аль нэг / '
          'must be one of plan_percent, on_time, report_quality, completeness, got the text "plan_procent"; did you mean '
          '"plan_percent"?']),
        ("max: 5, source: evaluator", "max: 6, source: evaluator",
         ["total: шалгууруудын дээд оноо нийлээд 21, total 20-оос их / the criteria's maxima add to 21, above total 20"]),
        ("key: idea", "key: plan",
         ['criteria[2].key: "plan" түлхүүр давхардсан (criteria[0]-д бас байна) / the key "plan" is listed twice (also '
          'criteria[0])']),
        ("tie_break: [plan, earlier_report]", "tie_break: [plann, earlier_reports]",
         ['tie_break[0]: "plann" шалгуур алга / no criterion "plann"; did you mean "plan"?',
          'tie_break[1]: "earlier_reports" шалгуур алга / no criterion "earlier_reports"; did you mean "earlier_report"?']),
        ("per_day: 1", "per_dya: 1",
         ['criteria[1].per_dya: үл мэдэгдэх түлхүүр / unknown key; did you mean "per_day"?']),
        ("per_day: 1}", "}",
         ["criteria[1].per_day: on_time дүрэмд per_day заавал байна / the rule on_time needs per_day"]),
        ("source: evaluator}", "source: evaluator, combine: meen}",
         ['criteria[2].combine: "meen" (текст) биш: mean, median, max, min-ийн аль нэг / must be one of mean, median, max, '
          'min, got the text "meen"; did you mean "mean"?']),
        ("rule: plan_percent}", "rule: plan_percent, per_error: 1}",
         ["criteria[0].per_error: per_error нь зөвхөн report_quality дүрэмд / per_error belongs to the rule report_quality "
          "only"]),
        ("max: 10, source: computed, rule: plan_percent", "max: 10, source: evaluator, rule: plan_percent",
         ["criteria[0].rule: үнэлгээчний шалгуурт rule байхгүй (source: computed гэж үү?) / an evaluator criterion has no "
          "rule (did you mean source: computed?)"]),
        ("name: card", "name: other",
         ['name: файлын нэртэй ижил байна: "card" / must be the file\'s name, "card", got "other"']),
        ("max: 10,", "max: -1,",
         ["criteria[0].max: эерэг тоо байх ёстой, -1 (тоо) байна / must be positive, got the number -1"]),
    ],
)
def test_a_wrong_scorecard_is_an_error_naming_file_and_key(tmp_path: Path, old: str, new: str, messages: list[str]) -> None:
    assert old in GOOD
    (tmp_path / "scorecards").mkdir()
    path = tmp_path / "scorecards" / "card.yaml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_scorecard(tmp_path, "card")
    assert [str(issue) for issue in caught.value.issues] == [f"{path}: {message}" for message in messages]


def test_the_good_scorecard_and_the_shipped_examples_load() -> None:
    for name, criteria, total in (("campaign", 7, 35), ("monthly", 10, 95)):
        card = load_scorecard(MAPPINGS, name)
        assert (len(card.criteria), card.total) == (criteria, total)
    monthly = load_scorecard(MAPPINGS, "monthly")
    assert {c.rule for c in monthly.computed} == {"plan_percent", "on_time", "report_quality", "completeness"}
    assert monthly.evaluated and monthly.tie_break == ("plan", "earlier_report")


def test_an_unknown_scorecard_name_says_what_there_is(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_scorecard(MAPPINGS, "campain")
    assert str(caught.value.issues[0]) == (f'{MAPPINGS / "scorecards" / "campain.yaml"}: (файл): "campain" үнэлгээний хуудас '
                                           f'олдсонгүй / no scorecard "campain"; did you mean "campaign"?')


# --- the commands ------------------------------------------------------------------------------------------------------
def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("command", ["template", "run"])
def test_both_commands_have_help_with_an_example(command: str) -> None:
    result = invoke("scorecard", command, "--help")
    assert result.exit_code == 0
    assert "Жишээ / example" in result.output and f"negtgel scorecard {command}" in result.output


def test_monthly_scorecard_from_the_example_consolidation(tmp_path: Path, own_workspace: Path) -> None:
    inbox = tmp_path / "input"
    shutil.copytree(EXAMPLES, inbox)
    assert invoke("run", str(inbox)).exit_code == 1  # the example's one deliberate error (ХХААГ, I-V улирал)
    made = invoke("scorecard", "template", "monthly", "--period", PERIOD, "--evaluator", "Б.Бат")
    assert made.exit_code == 0, made.output
    template = own_workspace / "output" / PERIOD / "scorecard_monthly_2026-10_evaluator_Б_Бат.xlsx"
    assert str(template) in made.output
    assert "scorecards/monthly/2026-10" in made.output

    # The computed criteria, filled in and locked: the plan points are the published % × 30 / 100.
    cells = {row[2]: row for row in grid(template, SHEET)[FIRST_ROW:]}
    summary = grid(own_workspace / "output" / PERIOD / "summary_2026-10.xlsx", "Хэлтсүүд")
    header = next(i for i, row in enumerate(summary) if "Хэрэгжилт, %" in row)
    pct_col, name_col = summary[header].index("Хэрэгжилт, %"), summary[header].index("Хэлтэс, нэгж")
    published = {row[name_col]: row[pct_col] for row in summary[header + 1:] if isinstance(row[pct_col], float)}
    assert len(published) == 9  # every department that reported
    names = {row[2]: row[1] for row in grid(template, SHEET)[FIRST_ROW:]}
    for short, row in cells.items():
        if names[short] in published:
            assert row[3] == pytest.approx(round(float(published[names[short]]) * 0.3, 2)), short
    # Timeliness, 10 less 2 a day: ЭМГ 2 days late -> 6, БОАЖГ 5 days -> 0; quality, 10 less 1 an error: ХХААГ's
    # one error (I-V улирал) -> 9; ОБГ did not report: 0 for every computed criterion, said in the remark.
    assert (cells["ЭМГ"][4], cells["БОАЖГ"][4], cells["ЗУХ"][4]) == (6.0, 0.0, 10.0)
    assert (cells["ХХААГ"][5], cells["ЗУХ"][5]) == (9.0, 10.0)
    assert cells["ОБГ"][3:7] == [0.0, 0.0, 0.0, 0.0] and "ирүүлээгүй" in str(cells["ОБГ"][-1])

    # Closed, the period's frozen figures give the same points.
    assert invoke("close", "--period", PERIOD, "--reason", "шалгалт").exit_code == 0
    assert invoke("scorecard", "template", "monthly", "--period", PERIOD, "-o", str(tmp_path / "closed")).exit_code == 0
    closed = tmp_path / "closed" / PERIOD / "scorecard_monthly_2026-10_evaluator.xlsx"
    assert [row[3:7] for row in grid(closed, SHEET)[FIRST_ROW:]] == [row[3:7] for row in grid(template, SHEET)[FIRST_ROW:]]

    folder = own_workspace / "scorecards" / "monthly" / PERIOD
    fill(template, folder / "Бат.xlsx", [(8, 4, 4, 4, 4, 4)] * 10, 7)
    result = invoke("scorecard", "run", "monthly", "--period", PERIOD)
    assert result.exit_code == 0, result.output
    assert "1 үнэлгээчин, бүрэн оноотой 10/10, 0 алдаа, 1 анхааруулга" in result.output
    # ЗУХ: plan 27.99 (93.3 % × 0.3) + 10 + 10 + 10 + evaluator 8 + 4 × 5 = 85.99
    zuh = next(r for r in grid(own_workspace / "output" / PERIOD / "scorecard_monthly_2026-10.xlsx", "Дүн") if r[2] == "ЗУХ")
    assert zuh[3] == pytest.approx(cells["ЗУХ"][3] + 30 + 8 + 20)

    english = invoke("scorecard", "run", "monthly", "--period", PERIOD, "--lang", "en")
    assert "1 evaluator, 10/10 complete" in english.output
    assert (own_workspace / "output" / PERIOD / "scorecard_monthly_2026-10.en.xlsx").is_file()
    assert grid(own_workspace / "output" / PERIOD / "scorecard_monthly_2026-10.en.xlsx", "Result")[3][0] == "Rank"


def test_run_with_an_error_exits_1_and_lists_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mappings = mappings_with(tmp_path, {"contest": CONTEST})
    monkeypatch.setenv("NEGTGEL_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("NEGTGEL_MAPPINGS", str(mappings))
    made = invoke("scorecard", "template", "contest", "--period", PERIOD)
    template = Path(made.output.splitlines()[0])
    filled = fill(template, tmp_path / "elsewhere" / "A.xlsx", EVALUATOR_B, 3, evaluator="А")
    result = invoke("scorecard", "run", "contest", "--period", PERIOD, str(filled))
    assert result.exit_code == 1
    assert "✗ A.xlsx Үнэлгээ D10: 11 оноо нь шалгуурын дээд оноо" in result.output
    assert "  1. " in result.output and "Гаралт:" in result.output
    english = invoke("scorecard", "run", "contest", "--period", PERIOD, str(filled), "--lang", "en")
    assert "✗ A.xlsx Үнэлгээ D10: 11 points is above the criterion's maximum (Work done: 10)" in english.output
    assert "Written to" in english.output and "Гаралт" not in english.output


def test_a_scorecard_mistake_stops_the_command_with_the_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mappings = mappings_with(tmp_path, {"contest": CONTEST.replace("tie_break: [initiative]", "tie_break: [initiativ]")})
    monkeypatch.setenv("NEGTGEL_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("NEGTGEL_MAPPINGS", str(mappings))
    for command in ("template", "run"):
        result = invoke("scorecard", command, "contest", "--period", PERIOD)
        assert result.exit_code == 1
        assert 'contest.yaml: tie_break[0]: "initiativ" шалгуур алга / no criterion "initiativ"; did you mean "initiative"?' in result.output


def test_run_without_returned_workbooks_says_where_to_put_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mappings = mappings_with(tmp_path, {"contest": CONTEST})
    monkeypatch.setenv("NEGTGEL_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("NEGTGEL_MAPPINGS", str(mappings))
    result = invoke("scorecard", "run", "contest", "--period", PERIOD)
    assert result.exit_code == 1
    assert "үнэлгээчний ажлын ном алга" in result.output and "negtgel scorecard template contest" in result.output


def test_computed_criteria_need_the_period_consolidated(tmp_path: Path) -> None:
    result = invoke("scorecard", "template", "monthly", "--period", "2026-09")
    assert result.exit_code == 1
    assert "negtgel run --period 2026-09" in result.output
