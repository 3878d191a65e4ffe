"""``duchu export`` / ``duchu import`` (../shared/spec/CLI.md 1.2): the entry workbook out and
back in -- unchanged round trips (the sample tree, generated trees, a LibreOffice save),
each kind of edit in each sheet as its exact YAML change (golden diffs), conflicts, bad
cells, foreign workbooks, workbooks too big, and ``--commit``."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import BASE, SAMPLE, copy_tree

GOLDEN = Path(__file__).parent / "golden" / "entry"
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def export(root: Path, group: str, out: Path) -> Path:
    result = run("export", "--records", str(root), "--group", group, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def import_(root: Path, book: Path, *extra: str) -> Any:
    return run("import", "--records", str(root), str(book), *extra)


def edit_book(book: Path, sheet: str, cells: dict[str, object]) -> None:
    """Fill cells as a clerk's program would (openpyxl keeps the hidden sheets as they are)."""
    workbook = openpyxl.load_workbook(book)
    for ref, value in cells.items():
        workbook[sheet][ref] = value
    workbook.save(book)


def diff(before: dict[str, bytes], after: dict[str, bytes]) -> str:
    lines: list[str] = []
    for path in sorted(set(before) | set(after)):
        old = before.get(path, b"").decode("utf-8").splitlines(keepends=True)
        new = after.get(path, b"").decode("utf-8").splitlines(keepends=True)
        if old != new:
            lines += difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", n=1)
    return "".join(lines)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


# --- unchanged round trips ----------------------------------------------------


@pytest.mark.parametrize("group", ["g1", "g2", "g3"])
def test_export_then_import_changes_nothing(sample: Path, tmp_path: Path, group: str) -> None:
    book = export(sample, group, tmp_path / f"{group}.xlsx")
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "共 0 处改动"
    assert snapshot(sample) == before


def test_workbook_layout(sample: Path, tmp_path: Path) -> None:
    """The sheets in order, the meta sheet very hidden, the lists hidden, headers locked
    and the data cells not, dates as date cells, the key columns hidden, A4 set up."""
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames[:6] == [
        "说明",
        "会议",
        "规定动作",
        "问题整改",
        "民主评议",
        "督导组事项",
    ]
    assert workbook["_duchu"].sheet_state == "veryHidden"
    assert workbook["_lists"].sheet_state == "hidden"
    meetings = workbook["会议"]
    assert meetings.protection.sheet and not meetings.protection.password
    assert meetings["C1"].value == "日期" and meetings["C1"].protection.locked
    assert not meetings["D2"].protection.locked
    assert meetings["C2"].is_date and "年" in meetings["C2"].number_format
    assert meetings.column_dimensions["A"].hidden
    assert meetings.page_setup.paperSize == 9 and meetings.page_setup.orientation == "landscape"
    assert meetings.print_title_rows == "$1:$1"
    lists = [v.sqref for v in meetings.data_validations.dataValidation if v.type == "list"]
    assert lists  # units, kinds, members, actions
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_text_that_looks_like_a_formula_stays_text(sample: Path, tmp_path: Path) -> None:
    meeting = sample / "meetings/2014-02/fagaiwei-mobilization.yaml"
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("title: ", "title: =1+2 ", 1), encoding="utf-8")
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    with zipfile.ZipFile(book) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in package.read(name)
    result = import_(sample, book)
    assert result.exit_code == 0 and "共 0 处改动" in result.output


# --- each kind of edit, as its YAML change ------------------------------------

EDITS: dict[str, tuple[str, dict[str, object]]] = {
    "meeting-title": ("会议", {"F2": "市发改委动员大会（改）"}),
    "meeting-people-notes": ("会议", {"I3": 15, "K3": "两行\n说明"}),
    "meeting-attended": ("会议", {"G2": "孙某"}),
    "meeting-new": (
        "会议",
        {"C60": "2014-04-02", "D60": "市发改委", "E60": "督导检查", "G60": "赵某、钱某", "I60": 8},
    ),
    "meeting-new-same-month": (
        "会议",
        {
            **{"C60": "2014年3月28日", "D60": "市发改委", "E60": "督导检查", "H60": "徐某（出差）"},
            **{"C61": "2014-03-30", "D61": "fagaiwei", "E61": "visit", "F61": "再次督导检查"},
        },
    ),
    "action-done": ("规定动作", {"E3": "2014-03-18"}),
    "action-note-waived": ("规定动作", {"E4": "2014年2月27日", "F4": "会上审定", "G5": "单位撤并"}),
    "finding-resolved": ("问题整改", {"I2": "2014-05-06"}),
    "finding-new": (
        "问题整改",
        {"C40": "市发改委", "E40": "调研不深入", "F40": "2014-03-20", "H40": "4月底"},
    ),
    "appraisal-count": ("民主评议", {"G2": 31}),
    "group-done": ("督导组事项", {"D2": "2014-10-10", "E2": "已报市委活动办"}),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_edit_is_its_yaml_change(sample: Path, tmp_path: Path, name: str) -> None:
    sheet, cells = EDITS[name]
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    edit_book(book, sheet, cells)
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    changed = diff(before, snapshot(sample))
    out_golden, diff_golden = GOLDEN / f"{name}.out", GOLDEN / f"{name}.diff"
    GOLDEN.mkdir(parents=True, exist_ok=True)
    if not out_golden.exists():  # a new edit: its goldens are written once, to be read
        out_golden.write_text(result.output, encoding="utf-8")
    assert result.output == out_golden.read_text(encoding="utf-8")
    if not diff_golden.exists():
        diff_golden.write_text(changed, encoding="utf-8")
    assert changed == diff_golden.read_text(encoding="utf-8")  # the YAML, to the byte
    again = import_(sample, book)  # the same workbook again changes nothing
    assert again.exit_code == 0 and again.output.strip().splitlines()[-1] == "共 0 处改动"
    checked = run("check", "--records", str(sample))
    assert checked.exit_code == 0 and "（0 个错误" in checked.output, checked.output


def test_dry_run_writes_nothing(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    edit_book(book, "规定动作", {"E3": "2014-03-18"})
    before = snapshot(sample)
    result = import_(sample, book, "--dry-run")
    assert result.exit_code == 0
    assert "~ units/" in result.output and "未写入" in result.output
    assert snapshot(sample) == before


def test_deleted_rows_are_kept(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    workbook = openpyxl.load_workbook(book)
    workbook["会议"].delete_rows(2)
    workbook.save(book)
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    assert "记录保留" in result.output
    assert snapshot(sample) == before


# --- conflicts and bad cells --------------------------------------------------


def test_conflict_refused_and_untouched_change_accepted(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    for unit in (sample / "units").glob("*.yaml"):
        unit.write_text(unit.read_text(encoding="utf-8") + "# 活动办补记\n", encoding="utf-8")
    unchanged = import_(sample, book)  # the workbook does not touch the unit: no conflict
    assert unchanged.exit_code == 0 and "共 0 处改动" in unchanged.output
    edit_book(book, "规定动作", {"E3": "2014-03-18"})
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 1
    assert "规定动作!E3" in result.output and "entry-conflict" in result.output
    assert snapshot(sample) == before


def test_bad_cells_each_a_problem_at_its_cell(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    workbook = openpyxl.load_workbook(book)
    meetings = workbook["会议"]
    meetings["F2"] = "=1+1"  # a formula
    meetings["F3"] = "标题\u202e响铃"  # a bidirectional override
    meetings["C4"] = 41700  # a number where a date belongs (a general cell, not a date's)
    meetings["C4"].number_format = "General"
    meetings["C5"] = "2014-02-30"  # no such day
    meetings["C60"], meetings["D60"], meetings["E60"] = "2014-04-01", "市委办", "督导检查"
    meetings.merge_cells("K10:L10")
    workbook.save(book)
    before = snapshot(sample)
    result = import_(sample, book)
    assert result.exit_code == 1
    out = result.output
    for place, code in [
        ("会议!F2", "entry-formula"),
        ("会议!F3", "control-in-text"),
        ("会议!C4", "entry-number-for-date"),
        ("会议!C5", "entry-bad-date"),
        ("会议!D60", "entry-"),
        ("会议!K10", "entry-merged"),
    ]:
        assert any(f"g2.xlsx:{place}:" in line and code in line for line in out.splitlines()), (
            place,
            out,
        )
    assert snapshot(sample) == before


def test_a_unit_of_another_group_is_refused(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    edit_book(book, "会议", {"C60": "2014-04-01", "D60": "市教育局", "E60": "督导检查"})
    assert "group: g1" in (sample / "units/jiaoyu.yaml").read_text(encoding="utf-8")
    result = import_(sample, book)
    assert result.exit_code == 1 and "会议!D60" in result.output
    assert "entry-foreign-unit" in result.output


# --- foreign workbooks and bounds ---------------------------------------------


def one_line_exit_2(result: Any) -> None:
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_any_other_workbook_is_refused(sample: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "日期"
    workbook.save(other)
    before = snapshot(sample)
    one_line_exit_2(import_(sample, other))
    text = tmp_path / "text.xlsx"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    one_line_exit_2(import_(sample, text))
    assert snapshot(sample) == before


def test_a_workbook_of_another_tree_or_group_is_refused(tmp_path: Path) -> None:
    first = copy_tree(BASE, tmp_path / "first")
    second = copy_tree(BASE, tmp_path / "second")
    for root in (first, second):
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run(["git", "-C", str(root), "add", "."], check=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                f"init {root.name}",
            ],
            check=True,
        )
    book = export(first, "g1", tmp_path / "g1.xlsx")
    one_line_exit_2(import_(second, book))
    (first / "groups/g1.yaml").rename(first / "groups/g9.yaml")
    for unit in (first / "units").glob("*.yaml"):
        unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: g9"))
    one_line_exit_2(import_(first, book))


def test_a_workbook_of_many_rows_is_refused(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["会议"]
    for row in range(100, 100_001, 1):
        sheet.cell(row=row, column=6, value="x")
    workbook.save(book)
    one_line_exit_2(import_(sample, book))


def test_a_zip_bomb_is_refused(sample: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        package.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 << 20))
    one_line_exit_2(import_(sample, bomb))


# --- LibreOffice --------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
@pytest.mark.parametrize("edited", [False, True])
def test_saved_again_by_libreoffice_imports_the_same(
    sample: Path, tmp_path: Path, edited: bool
) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    if edited:
        edit_book(book, "规定动作", {"E3": "2014-03-18"})
    saved = tmp_path / "saved"
    saved.mkdir()
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    before = snapshot(sample)
    result = import_(sample, saved / "g2.xlsx")
    assert result.exit_code == 0, result.output
    if not edited:
        assert result.output.strip().splitlines()[-1] == "共 0 处改动", result.output
        assert snapshot(sample) == before
        return
    assert result.output.strip().splitlines()[-1] == "共 1 处改动", result.output
    assert "~ units/zhengfuban.yaml: done.mobilization 2014-03-18" in result.output
    assert len(diff(before, snapshot(sample)).splitlines()) > 0


# --- commit -------------------------------------------------------------------


def test_commit_names_the_workbook_and_the_author(tmp_path: Path) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    git = ["git", "-C", str(root), "-c", "user.name=office", "-c", "user.email=o@x"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    subprocess.run([*git[:3], "config", "user.name", "office"], check=True)
    subprocess.run([*git[:3], "config", "user.email", "o@x"], check=True)
    book = export(root, "g2", tmp_path / "第二组.xlsx")
    edit_book(book, "规定动作", {"E3": "2014-03-18"})
    (root / "stray.txt").write_text("not mine", encoding="utf-8")
    result = import_(root, book, "--commit", "--author", "赵某 <zhao@example.cn>")
    assert result.exit_code == 0, result.output
    log = subprocess.run(
        [*git, "log", "-1", "--format=%an <%ae>%n%s", "--name-only"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "赵某 <zhao@example.cn>" in log and "第二组.xlsx" in log
    assert "stray.txt" not in log and "units/" in log


def test_nothing_is_written_outside_the_tree(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample / "meetings/2014-11").symlink_to(outside, target_is_directory=True)
    edit_book(book, "会议", {"C60": "2014-11-03", "D60": "市发改委", "E60": "督导检查"})
    result = import_(sample, book)
    assert result.exit_code in (1, 2)
    assert list(outside.iterdir()) == []


def test_author_goes_with_commit(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    one_line_exit_2(import_(sample, book, "--author", "赵某 <zhao@example.cn>"))


def test_english_output(sample: Path, tmp_path: Path) -> None:
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    edit_book(book, "规定动作", {"E3": "2014-03-18"})
    result = import_(sample, book, "--dry-run", "--lang", "en")
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == "1 changes, nothing written (--dry-run)"


def test_a_new_meeting_with_its_appraisal(sample: Path, tmp_path: Path) -> None:
    """A new 动员大会 in 会议 and its subjects in 民主评议 make one record; importing the
    workbook again changes nothing."""
    book = export(sample, "g2", tmp_path / "g2.xlsx")
    workbook = openpyxl.load_workbook(book)
    meetings, appraisal = workbook["会议"], workbook["民主评议"]
    for ref, value in {"C60": "2014-05-06", "D60": "市发改委", "E60": "动员大会"}.items():
        meetings[ref] = value
    meetings["L60"], meetings["M60"], meetings["N60"] = 30, 28, 1
    for row, subject in ((80, "领导班子"), (81, "吴某")):
        appraisal[f"C{row}"], appraisal[f"D{row}"] = "2014-05-06", "市发改委"
        appraisal[f"E{row}"], appraisal[f"F{row}"] = "动员大会", subject
        appraisal[f"G{row}"], appraisal[f"H{row}"] = 20, 7
    workbook.save(book)
    result = import_(sample, book)
    assert result.exit_code == 0, result.output
    assert "+ meetings/2014-05/fagaiwei-mobilization.yaml" in result.output
    written = (sample / "meetings/2014-05/fagaiwei-mobilization.yaml").read_text(encoding="utf-8")
    assert "distributed: 30" in written and "吴某" in written and "领导班子" in written
    again = import_(sample, book)
    assert again.exit_code == 0 and again.output.strip().splitlines()[-1] == "共 0 处改动"


def test_commit_without_a_git_identity_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone with no git identity: one line saying how to set it, exit 2, and the
    records untouched (not written first and left uncommitted)."""
    root = copy_tree(SAMPLE, tmp_path / "records")
    git = ["git", "-C", str(root), "-c", "user.name=office", "-c", "user.email=o@x"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
        "GIT_CONFIG_GLOBAL",
    ):
        monkeypatch.delenv(name, raising=False)
    book = export(root, "g2", tmp_path / "g2.xlsx")
    edit_book(book, "规定动作", {"E3": "2014-03-18"})
    result = import_(root, book, "--commit")
    assert result.exit_code == 2, result.output
    assert "git config --global user.name" in result.output
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True
    )
    assert status.stdout == ""
