"""Workbooks (``--format xlsx -o FILE``, CLI.md 1.1 "Spreadsheets") read back with openpyxl:
the text table's columns and rows, values of the right types, number formats, the frozen
header, traffic-light fills, provenance; and the empty ballot sheet of ``new meeting``."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.messages import message
from duchu.records.load import load_tree
from tests.conftest import SAMPLE, build_tree, copy_tree

runner = CliRunner()
AS_OF = "2014-10-05"
RED, GREEN = "FFFFC7CE", "FFC6EFCE"
ZH_DATE = 'yyyy"年"m"月"d"日"'


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def written(root: Path, out: Path, *args: str) -> openpyxl.Workbook:
    result = invoke(*args, "--records", str(root), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert str(out) in result.stderr  # 已写入 / written
    return openpyxl.load_workbook(out)


def rows_of(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table(sheet: Any) -> list[list[Any]]:
    """The table's rows: from the second row to the first empty one."""
    found = []
    for row in rows_of(sheet)[1:]:
        if all(value is None for value in row):
            break
        found.append(row)
    return found


def json_of(root: Path, *args: str) -> Any:
    result = invoke(*args, "--records", str(root), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# --- status ------------------------------------------------------------------------------------


def test_status_workbook_has_the_text_tables_columns_and_rows(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "进度.xlsx", "status", "--as-of", AS_OF, "--all")
    assert book.sheetnames == ["单位进度", "督导组事项", "台账"]  # 1.2: the 台账 too
    units = book["单位进度"]
    header = [cell.value for cell in units[1]]
    keys = ["col-unit", "col-group", "col-state", "col-days-overdue", "col-overdue"]
    keys += ["col-due-soon", "col-late", "col-finished", "col-owed-count", "col-problems"]
    assert header == [message(key, "zh") for key in keys]
    assert units.freeze_panes == "A2"
    # columns as wide as their Chinese text (a CJK character is two widths of a digit)
    longest = max(len(str(row[0])) for row in table(units))
    assert units.column_dimensions["A"].width >= 2 * longest
    assert units.column_dimensions["D"].width <= 12  # days overdue: as wide as its header
    assert units.auto_filter.ref is not None and units.auto_filter.ref.startswith("A1:")
    # the rows: every unit, in the order of the text table (and of the JSON)
    data = json_of(sample, "status", "--as-of", AS_OF, "--all")
    tree = load_tree(sample)
    rows = table(units)
    assert [row[0] for row in rows] == [tree.units[u["id"]].label for u in data["units"]]
    text = invoke("status", "--records", str(sample), "--as-of", AS_OF, "--all").stdout
    positions = [text.index(f"  {row[0]} ") for row in rows]
    assert positions == sorted(positions)
    for row, unit in zip(rows, data["units"], strict=True):
        assert row[3] == (unit["days_overdue"] or None)  # a number, not "107"
        counted = [a for a in unit["actions"] if a["state"] != "waived"]
        assert row[7] == sum(1 for a in counted if a["state"] in ("done", "late"))
        assert row[8] == len(counted)
        assert row[2] == ("滞后" if unit["lagging"] else row[2])
    # the traffic light: a word and a fill
    lagging = next(r for r in range(2, len(rows) + 2) if units.cell(r, 3).value == "滞后")
    assert units.cell(lagging, 3).fill.fgColor.rgb == RED
    on_track = next(r for r in range(2, len(rows) + 2) if units.cell(r, 3).value == "正常")
    assert units.cell(on_track, 3).fill.fgColor.rgb == GREEN
    assert (
        isinstance(units.cell(lagging, 4).value, int)
        and units.cell(lagging, 4).number_format == "0"
    )
    overdue = units.cell(lagging, 5)
    assert "逾期" in overdue.value and overdue.alignment.wrap_text  # one line an action
    # below the table: the title, the provenance as the last row
    after = [row[0] for row in rows_of(units)[len(rows) + 1 :] if row[0] is not None]
    assert after[0].startswith("截至 2014年10月5日") and "个滞后" in after[0]
    assert after[-1] == "本表依据截至2014年10月5日的记录生成（duchu）"
    # the groups' own actions: dates as dates, shown as officials write them
    actions = book["督导组事项"]
    first = actions.cell(2, 3)
    assert isinstance(first.value, datetime) and first.number_format == ZH_DATE
    assert actions.cell(2, 4).value in {message(f"state-{s}", "zh") for s in ("done", "late")}
    assert book.properties.title == "教育实践活动进度" and book.properties.creator == "duchu"
    properties = {p.name: p.value for p in book.custom_doc_props.props}
    assert properties["as_of"] == AS_OF and properties["known"] is False


def test_status_workbook_lists_the_units_the_text_table_lists(sample: Path, tmp_path: Path) -> None:
    """Without --all the table lists the lagging and due-soon units and counts the rest."""
    as_of = "2014-06-15"
    book = written(sample, tmp_path / "s.xlsx", "status", "--as-of", as_of)
    rows = table(book["单位进度"])
    text = invoke("status", "--records", str(sample), "--as-of", as_of).stdout
    tree = load_tree(sample)
    listed = [u.label for u in tree.units.values() if f"  {u.label} " in text]
    assert sorted(row[0] for row in rows) == sorted(listed)
    notes = [row[0] for row in rows_of(book["单位进度"])[len(rows) + 1 :] if row[0]]
    rest = len(tree.units) - len(rows)
    assert (message("status-rest", "zh", count=rest) in notes) == (rest > 0)


def test_one_units_workbook_is_its_actions(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "u.xlsx", "status", "--as-of", AS_OF, "--unit", "市水利局")
    sheet = book.worksheets[0]
    assert sheet.title == load_tree(sample).units["shuili"].name
    assert [c.value for c in sheet[1]][:4] == ["环节", "事项", "期限", "状态"]
    states = {row[3] for row in table(sheet)}
    assert "逾期未完成" in states
    due = sheet.cell(2, 3)
    assert isinstance(due.value, datetime)


def test_status_by_group_workbook_holds_the_offices_numbers(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "o.xlsx", "status", "--as-of", AS_OF, "--by", "group")
    assert book.sheetnames == ["督导组进度", "滞后单位", "督导组事项", "台账"]  # 1.2: the 台账
    sheet = book["督导组进度"]
    data = json_of(sample, "status", "--as-of", AS_OF, "--by", "group")
    rows = table(sheet)
    assert [row[0] for row in rows] == [g["name"] for g in data["groups"]]
    for row, group in zip(rows, data["groups"], strict=True):
        assert row[1:8] == [
            group["lagging"],
            group["units"],
            group["days_overdue"] or None,
            group["due"],
            group["on_time"],
            group["late"],
            group["overdue"],
        ]
        # 1.2: due today beside the overdue, 督查次数 is ``supervised``, then the reporting
        assert row[8] == group["due_today"]
        assert row[9] == pytest.approx((group["on_time"] + group["late"]) / group["due"], abs=1e-4)
        assert row[10] == group["supervised"]
        assert row[12] == group["silent_days"]
        assert row[15] == group["late_reports"]
    share = sheet.cell(2, 10)
    assert share.number_format == "0.0%" and isinstance(share.value, float)
    assert sheet.cell(2, 1).fill.fgColor.rgb == RED  # the group lagging most
    lagging = table(book["滞后单位"])
    assert len(lagging) == sum(g["lagging"] for g in data["groups"])


# --- tally ---------------------------------------------------------------------------------------


def test_tally_workbook_holds_the_json_numbers(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "评议.xlsx", "tally")
    sheet = book["民主评议汇总"]
    data = json_of(sample, "tally")
    expected = [(m, s) for m in data["meetings"] for s in m["subjects"]]
    rows = table(sheet)
    assert len(rows) == len(expected)
    ratings = ["好", "较好", "一般", "差"]
    assert [c.value for c in sheet[1]][9:13] == ratings
    for row, (meeting, subject) in zip(rows, expected, strict=True):
        assert row[0] == datetime.fromisoformat(meeting["date"])
        assert row[3] == meeting["id"]
        assert row[4:8] == [
            meeting["distributed"],
            meeting["returned"],
            meeting["valid"],
            meeting["invalid"],
        ]
        assert row[8] == subject["subject"]
        assert row[9:13] == [subject["counts"][r] for r in ratings]
        assert row[13] == subject["unrated"]
        assert row[14:16] == [subject["positive_rate"], subject["negative_rate"]]
        assert (row[16] == "⚑ 谈话提醒") == subject["flagged"]
    assert sheet.cell(2, 15).number_format == "0.0%"
    flagged = next(i for i, row in enumerate(rows, start=2) if row[16])
    assert sheet.cell(flagged, 17).fill.fgColor.rgb == RED


def test_tally_compare_workbook_holds_the_json_rates_and_the_changes_as_shown(
    sample: Path, tmp_path: Path
) -> None:
    """The rates as the JSON has them; a change as every output shows it: the rates rounded
    to tenths of a percent, then compared (``duchu.judge.rates``)."""
    from duchu.judge.tally import compare_units, tally_meetings

    book = written(sample, tmp_path / "c.xlsx", "tally", "--compare")
    sheet = book["民主评议对比"]
    data = json_of(sample, "tally", "--compare")
    expected = [(u, s) for u in data["units"] for s in u["subjects"]]
    comparisons, _ = compare_units(tally_meetings(load_tree(sample)))
    shifts = [change.positive_shift for c in comparisons for change in c.subjects]
    rows = table(sheet)
    assert len(rows) == len(expected) == len(shifts)
    for row, (unit, subject), shift in zip(rows, expected, shifts, strict=True):
        assert row[2] == datetime.fromisoformat(unit["before"]["date"])
        assert row[5] == subject["subject"]
        before = subject["before"]["positive_rate"] if subject["before"] else "—"
        assert row[6] == before
        assert row[8] == ("—" if shift is None else shift.tenths / 1000)
    changes = [sheet.cell(r, 9) for r in range(2, len(rows) + 2)]
    assert {c.number_format for c in changes if isinstance(c.value, float)} == {"+0.0%;-0.0%;0.0%"}


def test_a_workbook_in_english(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "t.xlsx", "tally", "--lang", "en")
    sheet = book["Appraisals"]
    assert [c.value for c in sheet[1]][:4] == ["Date", "Unit", "Kind", "Meeting"]
    assert sheet.cell(2, 1).number_format == "yyyy-mm-dd"


# --- text is text --------------------------------------------------------------------------------


def test_text_from_records_is_never_a_formula(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    unit = root / "units" / "a.yaml"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace("name: 甲单位", 'name: \'=HYPERLINK("x","y")\''),
        encoding="utf-8",
    )
    group = root / "groups" / "g1.yaml"
    text = group.read_text(encoding="utf-8")
    group.write_text(text.replace("name:", "name: '@SUM(1)' #", 1), encoding="utf-8")
    assert invoke("check", "--records", str(root)).exit_code == 0
    book = written(root, tmp_path / "t.xlsx", "tally")
    cell = book.worksheets[0].cell(2, 2)
    assert cell.value == '=HYPERLINK("x","y")' and cell.data_type == "s"
    assert cell.quotePrefix  # stays text when someone edits it
    book = written(root, tmp_path / "s.xlsx", "status", "--as-of", "2014-03-30", "--all")
    names = [row[0] for row in table(book.worksheets[0])]
    assert '=HYPERLINK("x","y")' in names
    actions = book["督导组事项"]
    assert actions.cell(2, 1).value == "@SUM(1)" and actions.cell(2, 1).data_type == "s"


def test_a_deadline_phrase_keeps_its_words_over_its_day(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    book = written(root, tmp_path / "s.xlsx", "status", "--as-of", "2014-03-30")
    due = book["督导组事项"].cell(2, 3)  # the group's report, due 3月下旬
    assert due.value == datetime(2014, 3, 31) and due.number_format == 'm"月下旬"'


# --- where it is written -----------------------------------------------------------------------


def test_a_workbook_needs_a_file_that_is_a_file(sample: Path, tmp_path: Path) -> None:
    no_file = invoke("status", "--records", str(sample), "--format", "xlsx")
    assert no_file.exit_code == 2 and "-o" in no_file.stderr
    folder = tmp_path / "进度.xlsx"
    folder.mkdir()
    result = invoke("status", "--records", str(sample), "-o", str(folder))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "不是普通文件" in result.stderr
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    result = invoke("tally", "--records", str(sample), "-o", str(fifo))
    assert result.exit_code == 2 and "不是普通文件" in result.stderr
    wrong = invoke("tally", "--records", str(sample), "-o", str(tmp_path / "t.csv"))
    assert wrong.exit_code == 2 and "扩展名" in wrong.stderr
    mismatch = invoke(
        "tally", "--records", str(sample), "--format", "json", "-o", str(tmp_path / "t.xlsx")
    )
    assert mismatch.exit_code == 2
    out = tmp_path / "t.xlsx"
    assert invoke("tally", "--records", str(sample), "-o", str(out)).exit_code == 0
    again = invoke("tally", "--records", str(sample), "-o", str(out))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert invoke("tally", "--records", str(sample), "-o", str(out), "--force").exit_code == 0
    inside = invoke("tally", "--records", str(sample), "-o", str(sample / "t.xlsx"))
    assert inside.exit_code == 2 and not (sample / "t.xlsx").exists()


def test_provenance_names_the_commit(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "records"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    book = written(root, tmp_path / "t.xlsx", "tally")
    properties = {p.name: p.value for p in book.custom_doc_props.props}
    assert properties["commit"] == commit and properties["dirty"] is False
    last = [row[0] for row in rows_of(book.worksheets[0]) if row[0]][-1]
    assert f"git 提交 {commit[:8]}" in last
    (root / "units" / "a.yaml").write_text(
        (root / "units" / "a.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    book = written(root, tmp_path / "t2.xlsx", "tally")
    last = [row[0] for row in rows_of(book.worksheets[0]) if row[0]][-1]
    assert "另有未提交的修改" in last


# --- the empty ballot sheet ----------------------------------------------------------------------


def test_new_meeting_writes_an_empty_ballot_workbook(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    result = invoke(
        "new", "meeting", "--records", str(root), "--unit", "a", "--kind", "mobilization",
        "--date", "2014-09-20", "--ballots", "xlsx",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet_path = root / "meetings" / "2014-09" / "a-mobilization.xlsx"
    assert "a-mobilization.xlsx" in result.stdout
    record = (root / "meetings" / "2014-09" / "a-mobilization.yaml").read_text(encoding="utf-8")
    assert "ballots: a-mobilization.xlsx" in record
    book = openpyxl.load_workbook(sheet_path)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["ballot", "领导班子", "王某", "李某", "invalid"]
    assert sheet.freeze_panes == "A2"
    [rule] = sheet.data_validations.dataValidation
    assert rule.type == "list" and rule.formula1 == '"好,较好,一般,差"'
    assert str(rule.sqref).startswith("B2:D")
    assert invoke("check", "--records", str(root)).exit_code == 0
    # the clerk types the forms in; the tally reads them
    for number, row in enumerate([["好", "较好", "差"], ["好", None, "好"]], start=1):
        sheet.append([number, *row])
    book.save(sheet_path)
    record_path = root / "meetings" / "2014-09" / "a-mobilization.yaml"
    record_path.write_text(record.replace("distributed: 0", "distributed: 2"), encoding="utf-8")
    data = json_of(root, "tally", "2014-09/a-mobilization")
    [meeting] = data["meetings"]
    assert meeting["returned"] == 2
    assert meeting["subjects"][2]["counts"] == {"好": 1, "较好": 0, "一般": 0, "差": 1}
    # never over an existing file
    again = invoke(
        "new", "meeting", "--records", str(root), "--unit", "a", "--kind", "mobilization",
        "--date", "2014-09-21", "--ballots", "xlsx",
    )  # fmt: skip
    assert again.exit_code == 2 and book is not None


def test_new_meeting_writes_an_empty_ballot_csv(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    result = invoke(
        "new", "meeting", "--records", str(root), "--unit", "b", "--kind", "mobilization",
        "--date", "2014-09-20", "--ballots", "csv", "--name", "b-sum",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    raw = (root / "meetings" / "2014-09" / "b-sum.csv").read_bytes()
    assert raw == "\ufeffballot,领导班子,刘某,invalid\r\n".encode()
    assert invoke("check", "--records", str(root)).exit_code == 0
    bad = invoke(
        "new", "meeting", "--records", str(root), "--unit", "b", "--kind", "mobilization",
        "--date", "2014-09-20", "--ballots", "ods",
    )  # fmt: skip
    assert bad.exit_code == 2 and "csv|xlsx" in bad.stderr


def test_a_workbook_is_whole_or_absent(sample: Path, tmp_path: Path, monkeypatch: Any) -> None:
    import duchu.render.xlsx

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(duchu.render.xlsx, "write_workbook", broken)
    out = tmp_path / "t.xlsx"
    result = invoke("tally", "--records", str(sample), "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".t.xlsx")] == []
    assert date.today()  # the clock is read only by the command
