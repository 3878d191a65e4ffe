"""Ballots from a workbook (RECORDS.md 1.1 ``ballots: x.xlsx``), and the ballot CSV's bounds.

A workbook's counts are the counts of its CSV twin; each problem stands at its cell, with
the column as the sheet shows it; a file that is no workbook is one line saying what it is.
The fast scanner of sheets and openpyxl's own reading are held to the same cells.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.problems import column_letters
from duchu.records.ballot_counts import MAX_PROBLEMS
from duchu.records.ballot_xlsx import _openpyxl_rows, _Scan, _Unsure
from duchu.records.ballots import read_ballots
from duchu.records.load import load_tree
from duchu.records.workbook import _Book
from tests.conftest import build_tree

runner = CliRunner()
FIXTURE_CHECK = HealthCheck.function_scoped_fixture  # tmp_path: each example writes anew
RATINGS = ["好", "较好", "一般", "差"]
SUBJECTS = ["领导班子", "刘某"]
HEADER = ["ballot", "领导班子", "刘某", "invalid"]
B_MOB = [
    [1, "好", "好", None],
    [2, "较好", "差", None],
    [3, "好", None, None],
    [4, None, None, "作废"],
]


def read(path: Path | bytes, name: str = "b.xlsx", subjects: list[str] = SUBJECTS) -> Any:
    return read_ballots(path, name, subjects=subjects, team="领导班子", ratings=RATINGS)


def workbook(path: Path, rows: list[list[Any]], **sheets: list[list[Any]]) -> Path:
    """A workbook as Excel saves one (shared strings), the rows on its first sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for title, more in sheets.items():
        extra = book.create_sheet(title)
        for row in more:
            extra.append(row)
    book.save(path)
    return path


def ballot_tree(tmp_path: Path, rows: list[list[Any]], name: str = "b-mob.xlsx") -> Path:
    """The base tree with b-mob's ballots in a workbook."""
    root = build_tree(
        tmp_path / "tree",
        files={
            "meetings/2014-02/b-mob.yaml": (
                "date: 2014-02-27\nunit: b\nkind: mobilization\nattended_by: [张某, 赵某]\n"
                f"appraisal:\n  distributed: 5\n  ballots: {name}\n"
            )
        },
    )
    (root / "meetings" / "2014-02" / "b-mob.csv").unlink()
    workbook(root / "meetings" / "2014-02" / name, [HEADER, *rows])
    return root


def check_lines(root: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["check", "--records", str(root)])
    return result.exit_code, result.stdout.strip().splitlines()[:-1]


# --- the same counts as the CSV ------------------------------------------------------------


def test_a_workbook_tallies_as_its_csv_twin(tmp_path: Path) -> None:
    root = ballot_tree(tmp_path, B_MOB)
    csv_root = build_tree(tmp_path / "csv")
    assert check_lines(root) == (0, [])
    as_json = ["tally", "--format", "json", "--records"]
    from_workbook = runner.invoke(app, [*as_json, str(root)]).stdout
    from_csv = runner.invoke(app, [*as_json, str(csv_root)]).stdout
    assert from_workbook == from_csv and '"returned": 4' in from_workbook


def _twins(tmp_path: Path, rows: list[list[str]]) -> tuple[Path, Path]:
    """A ballot CSV and the workbook Excel would make of it (text cells, numbers typed)."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([HEADER, *rows])
    csv_path = tmp_path / "twin.csv"
    csv_path.write_text(text.getvalue(), encoding="utf-8-sig")
    cells = [[int(c) if c.isdigit() else (c or None) for c in row] for row in rows]
    return csv_path, workbook(tmp_path / "twin.xlsx", [HEADER, *cells])


ballot_cell = st.sampled_from([*RATINGS, "", " 好 ", "优"])
ballot_row = st.tuples(
    st.integers(1, 30).map(str), ballot_cell, ballot_cell, st.sampled_from(["", "", "", "作废"])
).map(list)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ballot_row, max_size=40))
def test_random_ballots_tally_alike_from_a_workbook_and_a_csv(
    tmp_path: Path, rows: list[list[str]]
) -> None:
    csv_path, xlsx_path = _twins(tmp_path, rows)
    from_csv, csv_problems = read(csv_path, "twin.csv")
    from_xlsx, xlsx_problems = read(xlsx_path, "twin.xlsx")
    assert from_csv == from_xlsx
    # the same problems (bad cells, repeated form numbers) on the same rows
    assert [(p.code, p.line) for p in csv_problems] == [(p.code, p.line) for p in xlsx_problems]


# --- the scanner reads what openpyxl reads ---------------------------------------------------

cell_value = st.one_of(
    st.none(),
    st.sampled_from([*RATINGS, "", " ", "a&b<c>\"'", "=1+1", "第一行\n第二行", "ṩ𝔘", "_x000D_"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)


def _cells_two_ways(path: Path) -> tuple[list[Any], list[Any]]:
    found: list[Any] = []
    with _Book(path, "x.xlsx") as book:
        sheet = book.sheets[0]
        assert sheet.path is not None
        scanned = list(_Scan(book, sheet.path, lambda *f: found.append(("f", *f[:2]))).rows())
        scanned.append(found)
        found2: list[Any] = []
        reference = list(_openpyxl_rows(sheet.worksheet, lambda *f: found2.append(("f", *f[:2]))))
        reference.append(found2)
    return scanned, reference


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(cell_value, max_size=6), max_size=8),
    writer=st.sampled_from(["openpyxl", "openpyxl-write-only", "xlsxwriter"]),
)
def test_the_scanner_reads_every_cell_as_openpyxl_does(
    tmp_path: Path, rows: list[list[Any]], writer: str
) -> None:
    path = tmp_path / "cells.xlsx"
    clean = [[v.replace("\r", "") if isinstance(v, str) else v for v in row] for row in rows]
    if writer == "xlsxwriter":  # shared strings, as Excel and WPS write them
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
        sheet = book.add_worksheet()
        for r, row in enumerate(clean):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        book.close()
    else:  # openpyxl; write-only mode writes inline strings
        made = openpyxl.Workbook(write_only=writer.endswith("write-only"))
        target = made.create_sheet() if writer.endswith("write-only") else made.active
        assert target is not None
        for row in clean:
            target.append(row)
        made.save(path)
    scanned, reference = _cells_two_ways(path)
    assert scanned == reference


def test_a_sheet_the_scanner_does_not_read_to_the_letter_is_read_by_openpyxl(
    tmp_path: Path,
) -> None:
    """Rich text (several runs in a cell) is outside the scanner's shapes: openpyxl reads
    the sheet, and the counts are the same."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = tmp_path / "rich.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *B_MOB]:
        sheet.append(row)
    sheet["B2"] = CellRichText([TextBlock(InlineFont(b=True), "好")])
    book.save(path)
    with _Book(path, "x.xlsx") as opened:
        assert opened.sheets[0].path is not None
        with pytest.raises(_Unsure):
            list(_Scan(opened, opened.sheets[0].path, lambda *_: None).rows())
    counts, problems = read(path)
    plain, _ = read(workbook(tmp_path / "plain.xlsx", [HEADER, *B_MOB]))
    assert problems == [] and counts == plain and counts.by_subject["领导班子"]["好"] == 2


# --- problems at their cells -------------------------------------------------------------------


def test_each_problem_of_a_ballot_sheet_at_its_cell(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [1, "好", "好", None],
        [2, "=1+1", 5, None],  # row 3: a formula in B, a number in C
        [3, "优", None, None],  # row 4: not a rating, in B
        [3, "好", None, None, "多余"],  # row 5: the form number again; a cell with no header
    ]
    root = ballot_tree(tmp_path, rows)
    path = root / "meetings" / "2014-02" / "b-mob.xlsx"
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("B7:C8")  # type: ignore[union-attr]
    book.create_sheet("备注")["A1"] = "录入人：张某"
    book.save(path)
    code, lines = check_lines(root)
    where = "meetings/2014-02/b-mob.xlsx"
    assert code == 1
    assert [line.split(": ")[0] + " " + line.rsplit(" ", 1)[1] for line in lines] == [
        f"{where}:1:A [xlsx-second-sheet]",
        f"{where}:3:B [ballot-formula-cell]",
        f"{where}:3:C [ballot-not-text]",
        f"{where}:4:B [ballot-cell]",
        f"{where}:5:A [ballot-duplicate]",
        f"{where}:5:E [ballot-no-column]",
        f"{where}:7:B [xlsx-merged]",
    ]
    assert "工作表“备注”也有内容" in lines[0]
    assert "数字 '5'" in lines[2] and "B7:C8" in lines[-1]
    json_out = runner.invoke(app, ["check", "--records", str(root), "--format", "json"]).stdout
    assert '"column": 3' in json_out  # JSON keeps the column a number


def test_a_subject_without_a_column_is_a_warning(tmp_path: Path) -> None:
    counts, problems = read(workbook(tmp_path / "b.xlsx", [["ballot", "刘某"], [1, "好"]]))
    assert [(p.code, p.severity, dict(p.args)["subject"]) for p in problems] == [
        ("subject-missing", "warning", "领导班子")
    ]
    assert counts.by_subject == {"刘某": {"好": 1, "较好": 0, "一般": 0, "差": 0}}


def test_a_sheet_without_a_header_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A3"] = "ballot"  # type: ignore[index]
    book.save(tmp_path / "b.xlsx")
    assert [p.code for p in read(tmp_path / "b.xlsx")[1]] == ["ballot-empty"]
    empty = openpyxl.Workbook()
    empty.save(tmp_path / "empty.xlsx")
    assert [p.code for p in read(tmp_path / "empty.xlsx")[1]] == ["ballot-empty"]


def test_a_committed_workbook_is_read_from_its_bytes(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [HEADER, *B_MOB])
    assert read(path.read_bytes()) == read(path)


def test_a_workbook_reports_its_first_problems_then_counts_the_rest(tmp_path: Path) -> None:
    rows = [[n, "优", "好", None] for n in range(1, 1001)]
    problems = read(workbook(tmp_path / "b.xlsx", [HEADER, *rows]))[1]
    assert len(problems) == MAX_PROBLEMS + 1
    last = problems[-1]
    assert last.code == "ballot-more-problems" and dict(last.args)["count"] == "900"
    assert last.line == 1001


# --- files that are no workbook ------------------------------------------------------------


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(80):
                member.write(block)
    return path


def _compound_file(path: Path, *, encrypted: bool) -> Path:
    """The start of an Office compound file: what an encrypted workbook and an old .xls are."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000
    if encrypted:
        body += "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(body + b"\0" * 512)
    return path


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (
            lambda p: p.write_text("ballot,领导班子\n1,好\n", encoding="utf-8") or p,
            "xlsx-is-text",
            "CSV UTF-8",
        ),
        (
            lambda p: p.write_bytes("ballot,领导班子\n1,好\n".encode("gbk")) or p,
            "xlsx-is-text",
            "CSV UTF-8",
        ),
        (_zip_bomb, "xlsx-bomb", "另存为 .xlsx 或 CSV UTF-8"),
        (lambda p: _compound_file(p, encrypted=True), "xlsx-encrypted", "取消密码"),
        (
            lambda p: _compound_file(p, encrypted=False),
            "xlsx-old-format",
            "另存为 .xlsx 或 CSV UTF-8",
        ),
        (lambda p: p.write_bytes(b"PK\x03\x04 broken") or p, "xlsx-not-workbook", "另存为"),
        (lambda p: p.write_bytes(b"") or p, "ballot-empty", "表头"),
    ],
)
def test_a_file_that_is_no_workbook_is_one_line(
    tmp_path: Path, make: Any, code: str, words: str
) -> None:
    root = ballot_tree(tmp_path, B_MOB)
    make(root / "meetings" / "2014-02" / "b-mob.xlsx")
    exit_code, lines = check_lines(root)
    assert exit_code == 1  # as check exits on any error
    assert len(lines) == 1 and lines[0].endswith(f"[{code}]") and words in lines[0], lines
    assert lines[0].startswith("meetings/2014-02/b-mob.xlsx:1:A: ")
    # every other command refuses the tree, saying why
    status = runner.invoke(app, ["status", "--records", str(root)])
    assert status.exit_code == 2 and code in status.stderr


def test_a_workbook_named_csv_and_an_old_xls_are_named_for_what_they_are(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [HEADER, *B_MOB])
    assert [p.code for p in read(path, "b.csv")[1]] == ["csv-is-workbook"]
    old = _compound_file(tmp_path / "b.xls", encrypted=False)
    assert [p.code for p in read(old, "b.xls")[1]] == ["csv-is-old-workbook"]


# --- made by LibreOffice -------------------------------------------------------------------------


def _libreoffice_converts(source: Path, folder: Path) -> Path | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = folder / "profile"
    command = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--infilter=CSV:44,34,76,1",  # comma, double quote, UTF-8, from line 1
        "--convert-to",
        "xlsx",
        "--outdir",
        str(folder),
        str(source),
    ]
    try:
        subprocess.run(command, capture_output=True, timeout=180, check=False)
    except subprocess.TimeoutExpired:
        return None
    made = folder / (source.stem + ".xlsx")
    return made if made.is_file() else None


def test_a_workbook_made_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    rows = [
        [
            str(n),
            RATINGS[n % 4],
            RATINGS[(n * 7) % 4] if n % 5 else "",
            "作废" if n % 9 == 0 else "",
        ]
        for n in range(1, 120)
    ]
    csv_path, _ = _twins(tmp_path, rows)
    out = tmp_path / "lo"
    out.mkdir()
    made = _libreoffice_converts(csv_path, out)
    if made is None:
        pytest.skip("LibreOffice Calc (soffice) is not installed: no workbook of its making")
    assert read(made, "twin.xlsx") == read(csv_path, "twin.csv")
    # the scanner read it (LibreOffice writes the shapes Excel writes), as openpyxl would
    scanned, reference = _cells_two_ways(made)
    assert scanned == reference


# --- a tree: workbook ballots through the loader -----------------------------------------------


def test_a_workbook_is_read_from_the_commit_with_known(tmp_path: Path) -> None:
    root = ballot_tree(tmp_path, B_MOB)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    env = {"GIT_COMMITTER_DATE": "2014-03-01T10:00:00", "GIT_AUTHOR_DATE": "2014-03-01T10:00:00"}
    import os

    subprocess.run([*git, "commit", "-qm", "ballots"], check=True, env={**os.environ, **env})
    result = runner.invoke(
        app,
        ["tally", "--known", "--as-of", "2014-03-02", "--records", str(root), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert '"returned": 4' in result.stdout and '"invalid": 1' in result.stdout
    assert load_tree(root).appraisals["2014-02/b-mob"].returned == 4


# --- the ballot CSV's bounds (the hostile-input issue) ------------------------------------------


def test_a_gbk_ballot_csv_is_an_error_with_the_hint(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("ballot,领导班子,刘某\n1,好,差\n".encode("gbk"))
    [problem] = read(path, "b.csv")[1]
    assert problem.code == "encoding" and problem.hint == "hint-gbk"
    assert "另存为 UTF-8" in problem.message("zh")


def test_a_header_of_a_million_columns_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("," * 1_000_000 + "\n" + "好\n" * 10, encoding="utf-8")
    started = time.monotonic()
    [problem] = read(path, "b.csv")[1]
    assert problem.code == "ballot-too-wide" and time.monotonic() - started < 5
    path.write_text("ballot," * 1_000_000 + "\n", encoding="utf-8")  # 7 MB: one line too long
    [problem] = read(path, "b.csv")[1]
    assert problem.code == "line-too-long"


def test_a_huge_one_line_csv_is_refused_after_reading_a_megabyte(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(64):  # 64 MB, one line (the 500 MB behaves alike)
            handle.write("好," * (1 << 19))
    tracemalloc.start()
    started = time.monotonic()
    problems = read(path, "b.csv")[1]
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [p.code for p in problems] == ["line-too-long"]
    assert elapsed < 5 and peak < 64 << 20


def test_a_csv_reports_its_first_hundred_problems_then_a_count(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("ballot,领导班子,刘某\n" + "".join(f"{n},优,好\n" for n in range(1, 1001)))
    problems = read(path, "b.csv")[1]
    assert [p.code for p in problems] == ["ballot-cell"] * MAX_PROBLEMS + ["ballot-more-problems"]
    assert problems[-1].line == 1001 and dict(problems[-1].args)["count"] == "900"
    assert "另有 900 个问题未列出" in problems[-1].message("zh")


def test_an_unterminated_quote_is_one_problem_where_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text('ballot,领导班子,刘某\n1,好,好\n2,"好,差\n3,好,好\n' + "4,好,好\n" * 50_000)
    problems = read(path, "b.csv")[1]
    assert [(p.code, p.line, p.hint) for p in problems] == [
        ("csv-syntax", 3, "hint-unclosed-quote")
    ]
    path.write_text('ballot,领导班子,刘某\n1,好,好\n2,"好,差\n3,好,好\n')  # to the end
    assert [(p.code, p.line) for p in read(path, "b.csv")[1]] == [("csv-syntax", 3)]


def test_duplicate_form_numbers_and_missing_columns_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("ballot,刘某\n7,好\n8,差\n7,好\n", encoding="utf-8")
    counts, problems = read(path, "b.csv")
    assert [(p.code, p.line, str(p.severity)) for p in problems] == [
        ("subject-missing", 1, "warning"),
        ("ballot-duplicate", 4, "warning"),
    ]
    assert counts.returned == 3  # a warning: the form is counted all the same


def test_a_leader_left_out_of_counts_is_a_warning(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    meeting = root / "meetings" / "2014-02" / "a-mob.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("    李某: {好: 8}\n", ""))
    code, lines = check_lines(root)
    assert code == 0
    assert len(lines) == 1 and lines[0].startswith("meetings/2014-02/a-mob.yaml:9:3: warning: ")
    assert "评议对象 李某 没有计票" in lines[0] and lines[0].endswith("[subject-missing]")


def test_column_letters() -> None:
    assert [column_letters(n) for n in (1, 26, 27, 52, 703, 16384)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "AAA",
        "XFD",
    ]


# --- a workbook damaged within (the hostile-workbook issue) ------------------------------------

SHEET = "xl/worksheets/sheet1.xml"
B2 = b'<c r="B2" t="inlineStr"><is><t>&#22909;</t></is></c>'  # 好, as openpyxl writes it
A2 = b'<c r="A2" t="n"><v>1</v></c>'  # form number 1
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b"<!ENTITY " + bytes([c]) + b' "' + (b"&" + bytes([c - 1]) + b";") * 10 + b'">'
        for c in b"bcdefghi"
    )
    + b"]>"
)


def _rewritten(data: bytes, part: str, edit: Any) -> bytes:
    """The workbook ``data`` with one part's bytes put through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            raw = source.read(info)
            target.writestr(info, edit(raw) if info.filename == part else raw)
    return out.getvalue()


def _cell(old: bytes, new: bytes) -> Any:
    def edit(sheet: bytes) -> bytes:
        assert old in sheet
        return sheet.replace(old, new, 1)

    return edit


def _fallback(edit: Any) -> Any:
    """``edit``, and a comment in the sheet's data: the scanner hands the sheet to openpyxl."""
    return lambda sheet: edit(sheet).replace(b"<sheetData>", b"<sheetData><!-- x -->", 1)


HOSTILE_SHEETS: list[tuple[str, Any, str, str]] = [
    # (id, an edit of the first sheet's XML, where the problem stands, what it quotes)
    ("charref-past-unicode", _cell(b"&#22909;", b"&#x110000;"), "2:B", "&#x110000;"),
    ("charref-overflow", _cell(b"&#22909;", b"&#99999999999999999999999;"), "2:B", "&#999"),
    ("charref-5000-digits", _cell(b"&#22909;", b"&#" + b"9" * 5000 + b";"), "2:B", "&#999"),
    ("surrogate", _cell(b"&#22909;", b"&#xD800;"), "2:B", "&#xD800;"),
    ("nul-in-text", _cell(b"&#22909;", b"&#0;"), "2:B", "&#0;"),
    ("fffe", _cell(b"&#22909;", b"&#xFFFE;"), "2:B", "&#xFFFE;"),
    ("raw-control-byte", _cell(b"&#22909;", b"\x01"), "2:B", "U+0001"),
    ("raw-ff-byte", _cell(b"&#22909;", b"\xff"), "2:B", "\\xff"),
    ("undefined-entity", _cell(b"&#22909;", b"&foo;"), "2:B", "&foo;"),
    ("bare-ampersand", _cell(b"&#22909;", b"a & b"), "2:B", "& b"),
    ("shared-string-missing", _cell(B2, b'<c r="B2" t="s"><v>99</v></c>'), "2:B", "<v>99</v>"),
    ("shared-string-negative", _cell(B2, b'<c r="B2" t="s"><v>-1</v></c>'), "2:B", "<v>-1</v>"),
    ("shared-string-nan", _cell(B2, b'<c r="B2" t="s"><v>x</v></c>'), "2:B", "<v>x</v>"),
    ("number-nan", _cell(B2, b'<c r="B2"><v>NaN</v></c>'), "2:B", "<v>NaN</v>"),
    ("number-5000-nines", _cell(B2, b'<c r="B2"><v>0' + b"9" * 5000 + b"</v></c>"), "2:B", "<v>09"),
    ("number-5000-digits", _cell(A2, b'<c r="A2"><v>' + b"9" * 5000 + b"</v></c>"), "2:A", "<v>9"),
    ("number-past-double", _cell(A2, b'<c r="A2"><v>1e999</v></c>'), "2:A", "<v>1e999</v>"),
    ("bool-not-0-or-1", _cell(B2, b'<c r="B2" t="b"><v>2</v></c>'), "2:B", "<v>2</v>"),
    ("form-number-nul", _cell(A2, b'<c r="A2" t="inlineStr"><is><t>&#0;</t></is></c>'), "2:A", ""),
    (
        "form-number-esc",
        _cell(A2, b'<c r="A2" t="inlineStr"><is><t>&#27;1</t></is></c>'),
        "2:A",
        "",
    ),
    ("row-zero", _cell(b'r="A2"', b'r="A0"'), "1:A", 'r="A0"'),
    ("row-past-excel", _cell(b'r="A2"', b'r="A9999999"'), "1:A", 'r="A9999999"'),
    ("column-past-xfd", _cell(b'r="B2"', b'r="XFE2"'), "1:A", 'r="XFE2"'),
    (
        "merge-5000-digits",
        _cell(
            b"</sheetData>",
            b'</sheetData><mergeCells><mergeCell ref="A' + b"9" * 5000 + b':B2"/></mergeCells>',
        ),
        "1:A",
        'mergeCell ref="A999',
    ),
    (
        "merge-row-zero",
        _cell(b"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="A0:B2"/></mergeCells>'),
        "1:A",
        "A0:B2",
    ),
    ("billion-laughs", lambda s: LAUGHS + s.replace(b"&#22909;", b"&i;", 1), "1:A", "<!DOCTYPE"),
    (
        "external-entity",
        lambda s: (
            b'<!DOCTYPE worksheet [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
            + s.replace(b"&#22909;", b"&a;", 1)
        ),
        "1:A",
        "<!DOCTYPE",
    ),
    ("cut-after-300-bytes", lambda s: s[:300], "1:A", "unclosed token"),
    ("cut-in-the-data", lambda s: s[: s.index(B2) + 20], "1:A", ""),
    ("not-xml", lambda s: b"\x00\x01garbage" * 50, "1:A", ""),
    # the same, read by openpyxl: whatever stops its parser is the one problem too
    ("fallback-surrogate", _fallback(_cell(b"&#22909;", b"&#xD800;")), "1:A", "invalid character"),
    ("fallback-nan", _fallback(_cell(B2, b'<c r="B2"><v>NaN</v></c>')), "1:A", "NaN"),
    ("fallback-shared-string", _fallback(_cell(B2, b'<c r="B2" t="s"><v>99</v></c>')), "1:A", ""),
    (
        "fallback-5000-nines",
        _fallback(_cell(B2, b'<c r="B2"><v>' + b"9" * 5000 + b"</v></c>")),
        "1:A",
        "",
    ),
    ("fallback-raw-ff", _fallback(_cell(b"&#22909;", b"\xff")), "1:A", "not well-formed"),
    (
        "fallback-laughs",
        lambda s: LAUGHS + _fallback(lambda x: x)(s).replace(b"&#22909;", b"&i;", 1),
        "1:A",
        "DOCTYPE",
    ),
    ("fallback-bool", _fallback(_cell(B2, b'<c r="B2" t="b"><v>true</v></c>')), "1:A", ""),
]


def _by_xlsxwriter(path: Path, rows: list[list[Any]]) -> Path:
    """A workbook with shared strings, as Excel and WPS write them."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def test_a_sheet_whose_crc_fails_and_a_damaged_second_sheet_are_one_problem(
    tmp_path: Path,
) -> None:
    data = workbook(tmp_path / "b.xlsx", [HEADER, *B_MOB]).read_bytes()
    stored = io.BytesIO()  # the parts stored, not deflated: one byte of a rating changed
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stored, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_STORED)
    raw = stored.getvalue()
    at = raw.index(b"&#22909;")
    counts, problems = read(raw[:at] + b"&#22908;" + raw[at + 8 :])
    assert counts is None and [(p.code, p.line, p.column) for p in problems] == [
        ("xlsx-not-workbook", 1, 1)
    ]
    assert "CRC" in dict(problems[0].args)["detail"]
    # a second sheet, read to see whether it holds anything, damaged
    two = workbook(tmp_path / "two.xlsx", [HEADER, *B_MOB], 备注=[["x", 1]]).read_bytes()
    broken = _rewritten(
        two, "xl/worksheets/sheet2.xml", lambda s: s.replace(b"<v>1</v>", b"<v>NaN</v>", 1)
    )
    counts, problems = read(broken)
    assert [(p.code, p.line, p.column, dict(p.args)["detail"]) for p in problems] == [
        ("xlsx-not-workbook", 1, 1, "备注!B1: <v>NaN</v>")
    ]


@pytest.mark.parametrize(
    ("edit", "where", "detail"),
    [pytest.param(edit, where, detail, id=name) for name, edit, where, detail in HOSTILE_SHEETS],
)
def test_a_workbook_damaged_within_is_one_problem_where_it_is(
    tmp_path: Path, edit: Any, where: str, detail: str
) -> None:
    """Whatever a sheet holds that no spreadsheet and no XML parser reads -- through the
    scanner or openpyxl -- `check` says so in one line at the file (at the cell when the
    scanner met it there), and goes on with the other files; never an internal error."""
    root = ballot_tree(tmp_path, B_MOB)
    path = root / "meetings" / "2014-02" / "b-mob.xlsx"
    path.write_bytes(_rewritten(path.read_bytes(), SHEET, edit))
    (root / "meetings" / "2014-02" / "c-talk.yaml").write_text(
        "date: 2014-02-28\nunit: nobody\nkind: mobilization\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["check", "--records", str(root)])
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert "内部错误" not in output and "internal error" not in output.lower()
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = output.strip().splitlines()
    ours = [line for line in lines if line.startswith("meetings/2014-02/b-mob.xlsx:")]
    assert len(ours) == 1, lines
    assert ours[0].startswith(f"meetings/2014-02/b-mob.xlsx:{where}: error: ")
    assert ours[0].endswith("[xlsx-not-workbook]") and detail in ours[0], ours[0]
    assert "另存为 .xlsx 或 CSV UTF-8" in ours[0]
    # the other file's problem is still listed
    assert any(line.startswith("meetings/2014-02/c-talk.yaml:") for line in lines), lines
    # and the commands that judge the tree refuse it, saying why, without a crash
    for command in (["tally"], ["site", "-o", str(tmp_path / "site")]):
        refused = runner.invoke(app, [*command, "--records", str(root)])
        said = refused.stdout + refused.stderr
        assert refused.exit_code == 2 and "xlsx-not-workbook" in said, said
        assert "内部错误" not in said and "internal error" not in said.lower()


def test_a_workbook_damaged_within_reads_nothing_outside_it(tmp_path: Path) -> None:
    """An entity naming a file (or a DTD to fetch) is never followed: the scanner refuses a
    DTD, and the parts openpyxl reads are parsed without loading external entities."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    dtd = b'<!DOCTYPE sst [<!ENTITY a SYSTEM "' + secret.as_uri().encode() + b'">]>'
    path = workbook(tmp_path / "b.xlsx", [HEADER, *B_MOB])
    data = _rewritten(path.read_bytes(), SHEET, lambda s: dtd + s.replace(b"&#22909;", b"&a;", 1))
    counts, problems = read(data)
    assert counts is None and [p.code for p in problems] == ["xlsx-not-workbook"]
    assert "SECRET" not in problems[0].message("en")
    # shared strings (xlsxwriter writes them), where openpyxl's own parser reads the entity
    made = _by_xlsxwriter(tmp_path / "shared.xlsx", [HEADER, *B_MOB])
    data = _rewritten(
        made.read_bytes(),
        "xl/sharedStrings.xml",
        lambda s: s.replace(b"?>", b"?>" + dtd, 1).replace("好".encode(), b"&a;", 1),
    )
    counts, problems = read(data)
    assert [p.code for p in problems] == ["xlsx-not-workbook"]
    assert all("SECRET" not in p.message(lang) for p in problems for lang in ("zh", "en"))


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter", "rich-text"])
@pytest.mark.parametrize(
    ("number", "code_point"),
    [("\u202e12", "U+202E"), ("1\x9b2", "U+009B"), ("1\x7f", "U+007F"), ("1\t2", "U+0009")],
)
def test_a_form_number_with_a_control_character_is_an_error_at_its_cell(
    tmp_path: Path, writer: str, number: str, code_point: str
) -> None:
    """As in a record's text (RECORDS.md 1.1): a form number can disguise itself too. Read
    by the scanner from inline or shared strings, or by openpyxl (rich text elsewhere)."""
    rows: list[list[Any]] = [[1, "好", "好", None], [number, "较好", "差", None]]
    path = tmp_path / "b.xlsx"
    if writer == "xlsxwriter":
        _by_xlsxwriter(path, [HEADER, *rows])
    else:
        workbook(path, [HEADER, *rows])
        if writer == "rich-text":
            from openpyxl.cell.rich_text import CellRichText, TextBlock
            from openpyxl.cell.text import InlineFont

            made = openpyxl.load_workbook(path, rich_text=True)
            made.active["B2"] = CellRichText([TextBlock(InlineFont(b=True), "好")])  # type: ignore[index]
            made.save(path)
    counts, problems = read(path)
    assert [(p.code, p.line, p.column, str(p.severity)) for p in problems] == [
        ("control-in-text", 3, 1, "error")
    ]
    assert dict(problems[0].args)["code_point"] == code_point
    assert counts is not None and counts.returned == 2  # the form is counted all the same


SPLICES = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"&#",
            b"&#x",
            b";",
            b"&",
            b"<",
            b">",
            b"</t>",
            b"</c>",
            b"<v>",
            b"]]>",
            b"<!--",
            b"&#xD800;",
            b"&#0;",
            b"&#x110000;",
            b"&amp;",
            b"&#13;",
            b"\r",
            b"\xff",
            b"\xed\xa0\x80",
        ]
    ).map(lambda s: s * 2),
)


@settings(max_examples=150, deadline=None)
@given(
    where=st.sampled_from(["text", "form-number", "attributes", "anywhere"]),
    splice=SPLICES,
    at=st.integers(0, 10_000),
)
def test_bytes_spliced_into_a_sheet_never_raise(where: str, splice: bytes, at: int) -> None:
    """Whatever is spliced into the sheet's XML, reading it gives counts or problems, every
    problem printable (no lone surrogate; what quotes a cell is escaped where it is shown) --
    never an exception."""
    sheet = _BASE_SHEET
    if where == "text":
        start = sheet.index(b"&#22909;")
        sheet = sheet[:start] + splice + sheet[start:]
    elif where == "form-number":
        sheet = sheet.replace(A2, b'<c r="A2" t="inlineStr"><is><t>' + splice + b"</t></is></c>", 1)
    elif where == "attributes":
        start = sheet.index(b'<c r="B2"') + len(b'<c r="B2"')
        sheet = sheet[:start] + b' x="' + splice + b'"' + sheet[start:]
    else:
        at %= len(sheet) + 1
        sheet = sheet[:at] + splice + sheet[at:]
    counts, problems = read(_rewritten(_BASE_BOOK, SHEET, lambda _: sheet))
    assert counts is not None or any(p.severity == "error" for p in problems)
    for found in problems:
        assert found.path == "b.xlsx" and found.line >= 1 and found.column >= 1
        for lang in ("zh", "en"):
            found.message(lang).encode("utf-8")  # no lone surrogate: it can be printed


def _base_book() -> bytes:
    out = io.BytesIO()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *B_MOB]:
        sheet.append(row)
    book.save(out)
    return out.getvalue()


_BASE_BOOK = _base_book()
with zipfile.ZipFile(io.BytesIO(_BASE_BOOK)) as _opened:
    _BASE_SHEET = _opened.read(SHEET)
