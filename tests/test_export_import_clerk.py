"""The entry workbook as a new clerk meets it (../shared/spec/CLI.md 1.2, ``duchu export`` /
``duchu import``): the actions a meeting already completed shown read-only and never read
back, the finding ids locked and made, an unknown unit answered with this group's units,
names parted by spaces or commas, the date forms the guide and the cells' messages name,
and a cleared value said plainly as a removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from tests.conftest import SAMPLE, copy_tree
from tests.test_export_import import edit_book, export, import_, snapshot

ACTIONS = "规定动作"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


def row_of(book: Path, sheet: str, key: str) -> int:
    """The row number of the row keyed ``key``."""
    workbook = openpyxl.load_workbook(book)
    for cells in workbook[sheet].iter_rows(min_row=2):
        if cells[0].value == key:
            return int(cells[0].row)
    raise AssertionError(key)


def first_empty_row(book: Path, sheet: str) -> int:
    workbook = openpyxl.load_workbook(book)
    rows = workbook[sheet]
    number = 2
    while rows.cell(number, 1).value:
        number += 1
    return number


def unit_file(root: Path, uid: str) -> Any:
    return yaml.safe_load((root / "units" / f"{uid}.yaml").read_text(encoding="utf-8"))


# --- 1. 规定动作: the meeting that completed an action ---------------------------------


def test_actions_a_meeting_completes_are_shown_and_locked(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    sheet = openpyxl.load_workbook(book)[ACTIONS]
    assert sheet["H1"].value == "会议记录"
    shown = {sheet.cell(r, 1).value: sheet.cell(r, 8) for r in range(2, sheet.max_row + 1)}
    # completes: [central_study] of a visit; meeting: mobilization of its earliest such meeting
    assert shown["fagaiwei|central_study"].value == "3月21日督导检查"
    assert shown["fagaiwei|mobilization"].value == "2月26日动员大会"
    assert shown["fagaiwei|opinions"].value is None  # done by its own date only
    # a meeting of a plan action's completes and the unit's own date: both shown
    assert shown["zhengfuban|plan"].value == "2月19日动员大会"
    assert all(cell.protection.locked for key, cell in shown.items() if key)
    empty = first_empty_row(book, ACTIONS)
    assert sheet.cell(empty, 8).protection.locked  # nothing to fill in, in any row
    assert not sheet.cell(empty, 5).protection.locked


def test_a_draft_meeting_completes_nothing_in_the_sheet(sample: Path, tmp_path: Path) -> None:
    path = sample / "meetings/2014-03/fagaiwei-study-visit.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    sheet = openpyxl.load_workbook(book)[ACTIONS]
    row = row_of(book, ACTIONS, "fagaiwei|central_study")
    assert sheet.cell(row, 8).value is None


def test_the_earliest_of_several_meetings_is_named(sample: Path, tmp_path: Path) -> None:
    (sample / "meetings/2014-03/fagaiwei-again.yaml").write_text(
        "date: 2014-03-02\nunit: fagaiwei\nkind: visit\ncompletes: [central_study]\n",
        encoding="utf-8",
    )
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    sheet = openpyxl.load_workbook(book)[ACTIONS]
    assert sheet.cell(row_of(book, ACTIONS, "fagaiwei|central_study"), 8).value == (
        "3月2日督导检查"
    )


def test_typing_in_the_meeting_column_changes_nothing(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    empty = first_empty_row(book, ACTIONS)
    first = row_of(book, ACTIONS, "fagaiwei|opinions")
    second = row_of(book, ACTIONS, "fagaiwei|central_study")
    edit_book(
        book,
        ACTIONS,
        {f"H{first}": "4月1日督导检查", f"H{second}": "=1+1", f"H{empty}": "随便写的"},
    )
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "共 0 处改动"
    assert snapshot(sample) == before


def test_a_changed_row_with_the_meeting_column_changes_its_own_field(
    sample: Path, tmp_path: Path
) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = row_of(book, ACTIONS, "fagaiwei|central_study")
    edit_book(book, ACTIONS, {f"E{row}": "2014-03-25", f"H{row}": "改过的"})
    result = import_(sample, book, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        "~ units/fagaiwei.yaml: done.central_study 2014-03-25",
        "共 1 处改动，未写入（--dry-run）",
    ]


def test_the_guide_explains_the_new_columns_and_the_dates(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    guide = "\n".join(
        str(c.value) for c in openpyxl.load_workbook(book)["说明"]["A"] if c.value is not None
    )
    assert "该事项已由会议记录完成的，在“会议记录”列显示，无需重复填写完成日期" in guide
    assert "问题编号可不填，系统自动生成；已有问题的编号不要改动" in guide
    for form in ("2014-3-5", "2014.3.5", "2014/3/5", "2014年3月5日"):
        assert form in guide


# --- 2. 问题编号 -------------------------------------------------------------------------


def test_an_existing_finding_id_is_locked(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    sheet = openpyxl.load_workbook(book)["问题整改"]
    row = row_of(book, "问题整改", "fagaiwei|0")
    assert sheet.cell(row, 4).value == "opinions-few" and sheet.cell(row, 4).protection.locked
    assert not sheet.cell(first_empty_row(book, "问题整改"), 4).protection.locked
    edit_book(book, "问题整改", {f"D{row}": "other-id"})
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 1 and f"问题整改!D{row}" in result.output
    assert "entry-fixed-changed" in result.output
    assert snapshot(sample) == before


def test_a_cleared_finding_id_is_kept(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = row_of(book, "问题整改", "fagaiwei|0")
    edit_book(book, "问题整改", {f"D{row}": None, f"I{row}": "2014-04-17"})
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[0] == (
        "~ units/fagaiwei.yaml: findings.0.resolved 2014-04-17"
    )
    assert unit_file(sample, "fagaiwei")["findings"][0]["id"] == "opinions-few"


def test_new_findings_without_an_id_are_given_free_ones(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = first_empty_row(book, "问题整改")
    cells = {f"C{row}": "市住建局", f"E{row}": "问题甲", f"C{row + 1}": "市住建局"}
    cells |= {f"E{row + 1}": "问题乙", f"C{row + 2}": "市住建局", f"D{row + 2}": "finding-4"}
    edit_book(book, "问题整改", cells | {f"E{row + 2}": "问题丙"})
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    ids = [f["id"] for f in unit_file(sample, "zhujian")["findings"]]
    assert ids == ["publicity", "approval-delay", "finding-3", "finding-5", "finding-4"]
    again = import_(sample, book)
    assert again.output.strip().splitlines()[-1] == "共 0 处改动"


# --- 3. an unknown unit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "cells", "at"),
    [
        (ACTIONS, {"C{r}": "市发改", "D{r}": "建章立制", "E{r}": "2014-04-01"}, "C"),
        ("问题整改", {"C{r}": "市发改", "E{r}": "问题"}, "C"),
        ("会议", {"C{r}": "2014-04-01", "D{r}": "市发改", "E{r}": "督导检查"}, "D"),
    ],
)
def test_an_unknown_unit_names_this_groups_units(
    sample: Path, tmp_path: Path, sheet: str, cells: dict[str, str], at: str
) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = first_empty_row(book, sheet)
    edit_book(book, sheet, {ref.format(r=row): value for ref, value in cells.items()})
    result = import_(sample, book)
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if f"{sheet}!{at}{row}:" in x)
    assert "单位" in line and "一项" not in line and "市发改委" in line
    others = ["市教育局", "jiaoyu"]  # a unit of group g1
    assert not any(name in line for name in others), line


def test_an_unknown_unit_in_english(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = first_empty_row(book, "问题整改")
    edit_book(book, "问题整改", {f"C{row}": "nowhere", f"E{row}": "问题"})
    result = import_(sample, book, "--lang", "en")
    assert result.exit_code == 1 and "this group has no unit called 'nowhere'" in result.output


# --- 4. several names in one cell ----------------------------------------------------------


SEVERAL = ["赵某 钱某", "赵某,钱某", "赵某，钱某", "赵某;钱某", "赵某；钱某", "赵某  、 钱某"]


@pytest.mark.parametrize("members", SEVERAL)
def test_several_members_parted_any_way(sample: Path, tmp_path: Path, members: str) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = first_empty_row(book, "会议")
    cells = {f"C{row}": "2014-04-02", f"D{row}": "市发改委", f"E{row}": "督导检查"}
    edit_book(book, "会议", cells | {f"G{row}": members})
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    written = sample / "meetings/2014-04/fagaiwei-visit.yaml"
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["attended_by"] == ["赵某", "钱某"]


def test_a_known_name_with_a_space_stays_one_name() -> None:
    from duchu.records.entry_diff import split_names

    assert split_names("Li Ming 赵某", {"Li Ming"}) == ["Li Ming", "赵某"]
    assert split_names("赵某 Li  Ming 钱某", {"Li Ming"}) == ["赵某", "Li Ming", "钱某"]
    assert split_names("Li Ming 赵某") == ["Li", "Ming", "赵某"]
    assert split_names("Li Ming、赵某", {"Li Ming"}) == ["Li Ming", "赵某"]
    assert split_names("赵某\n钱某 孙某") == ["赵某", "钱某", "孙某"]


def test_several_units_parted_by_a_space(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = first_empty_row(book, "会议")
    cells = {f"C{row}": "2014-04-02", f"D{row}": "市发改委 市政务局", f"E{row}": "督导检查"}
    edit_book(book, "会议", cells)
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(
        (sample / "meetings/2014-04/fagaiwei-visit.yaml").read_text(encoding="utf-8")
    )
    assert data["units"] == ["fagaiwei", "zhengwu"]


def test_a_unit_cell_of_two_names_hints_at_the_separator(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = first_empty_row(book, "问题整改")
    edit_book(book, "问题整改", {f"C{row}": "市发改委 市政务局", f"E{row}": "问题"})
    result = import_(sample, book)
    assert result.exit_code == 1
    assert "多个姓名请用“、”分隔" in result.output
    edit_book(book, "问题整改", {f"C{row}": "市发改"})
    assert "多个姓名请用" not in import_(sample, book).output


# --- 5. dates ---------------------------------------------------------------------------


def test_date_cells_take_a_message_not_a_date_rule(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    workbook = openpyxl.load_workbook(book)
    for name in ("会议", ACTIONS, "问题整改", "督导组事项"):
        rules = workbook[name].data_validations.dataValidation
        assert not [rule for rule in rules if rule.type == "date"], name
        prompts = [rule.prompt or "" for rule in rules]
        assert any("2014.3.5" in text and "2014年3月5日" in text for text in prompts), name


def test_a_date_typed_with_dots_is_read(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = row_of(book, ACTIONS, "fagaiwei|central_study")
    edit_book(book, ACTIONS, {f"E{row}": "2014.4.25"})
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    assert "done.central_study 2014-04-25" in result.output


# --- 6. a value cleared -----------------------------------------------------------------


def test_a_cleared_date_is_said_as_a_removal(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = row_of(book, ACTIONS, "zhengwu|summary_report")
    other = row_of(book, ACTIONS, "fagaiwei|summary_report")
    edit_book(book, ACTIONS, {f"E{row}": None, f"E{other}": None})
    result = import_(sample, book, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "~ units/zhengwu.yaml: done.summary_report 删除（原为 2014-09-29）" in lines
    assert "~ units/fagaiwei.yaml: done.summary_report 删除（原为 2014-09-28）" in lines
    assert lines[-2:] == ["共 2 处改动，未写入（--dry-run）", "其中 2 处删除了原有内容，请核对"]
    english = import_(sample, book, "--dry-run", "--lang", "en").output
    assert "done.summary_report removed (was 2014-09-29)" in english


def test_a_change_that_removes_nothing_has_no_warning(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    row = row_of(book, ACTIONS, "fagaiwei|central_study")
    edit_book(book, ACTIONS, {f"E{row}": "2014-04-25"})
    result = import_(sample, book, "--dry-run")
    assert "删除" not in result.output and "请核对" not in result.output
