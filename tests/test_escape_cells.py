"""No text from the records becomes a formula, a link or a command in a spreadsheet.

Every CSV and workbook duchu writes -- the empty ballot sheets of ``new meeting --ballots
csv|xlsx``, ``status``/``tally --format xlsx`` -- is opened in Excel or WPS by people who did
not write the records. A leader named ``=HYPERLINK("http://x","点击")`` must stay that name:
text in every cell, never a formula (no ``<f>`` in the sheet's XML), quote-prefixed in a
workbook so that editing the cell keeps it text, and written ``'=...`` in a CSV, which duchu
reads back as the name it wrote.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.records.ballot_sheet import FORMULA_START, csv_cell, header_name
from duchu.records.ballots import read_ballots
from tests.conftest import build_tree

runner = CliRunner()
RATINGS = ["好", "较好", "一般", "差"]
PREFIXES = ["=", "+", "-", "@", "'=", "''+", "'"]
FUNCTION_SCOPED = HealthCheck.function_scoped_fixture

# a name's characters: printable, no control character (``check`` refuses those), no quote
# YAML would need escaped beyond JSON's
_name_chars = st.characters(
    codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029"
)
formula_names = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(PREFIXES),
    st.text(_name_chars, min_size=1, max_size=12).filter(lambda s: s.strip()),
).filter(lambda s: s == s.strip() and s.strip("'"))


@given(st.text())
def test_a_csv_cell_is_never_a_formula_and_reads_back_as_written(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_START)
    assert header_name(cell) == text


@given(st.text())
def test_a_header_typed_by_hand_reads_as_it_is_unless_duchu_could_have_written_it(
    text: str,
) -> None:
    if not re.match(r"'+[=+\-@\t\r]", text):
        assert header_name(text) == text


def _tree_with_leaders(root: Path, names: list[str]) -> Path:
    build_tree(root)
    leaders = "".join(
        f"  - {{name: {json.dumps(n, ensure_ascii=False)}, post: 副职}}\n" for n in names
    )
    (root / "units" / "a.yaml").write_text(
        f"name: 甲单位\ngroup: g1\nleaders:\n{leaders}done:\n  plan: 2014-02-15\n",
        encoding="utf-8",
    )
    for meeting in (root / "meetings").rglob("a-*.yaml"):
        meeting.unlink()  # its counts name the old leaders
    return root


def _formulas_in(path: Path) -> list[str]:
    """The formulas a workbook holds: <f> elements anywhere in its sheets' XML, and cells
    openpyxl reads as formulas."""
    found = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = package.read(name).decode("utf-8")
                found += re.findall(r"<f[ >].*?</f>", xml)
                found += re.findall(r"<hyperlink\b[^>]*>", xml)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            found += [str(c.value) for c in row if c.data_type == "f"]
    return found


@settings(max_examples=15, deadline=None, suppress_health_check=[FUNCTION_SCOPED])
@given(names=st.lists(formula_names, min_size=1, max_size=3, unique=True))
def test_ballot_sheets_hold_leaders_names_as_text_and_read_back(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    root = _tree_with_leaders(tmp_path_factory.mktemp("t") / "tree", names)
    subjects = ["领导班子", *names]
    for kind, month in (("csv", "03"), ("xlsx", "04")):
        new = ["new", "meeting", "--records", str(root), "--unit", "a", "--kind", "mobilization"]
        result = runner.invoke(app, [*new, "--date", f"2014-{month}-01", "--ballots", kind])
        assert result.exit_code == 0, result.output
        sheet = root / "meetings" / f"2014-{month}" / f"a-mobilization.{kind}"
        if kind == "csv":
            text = sheet.read_text(encoding="utf-8-sig")
            header = next(csv.reader(io.StringIO(text)))
            assert not [cell for cell in header if cell.startswith(FORMULA_START)], header
        else:
            assert _formulas_in(sheet) == []
            book = openpyxl.load_workbook(sheet)
            cells = next(iter(book.worksheets[0].iter_rows(max_row=1)))
            assert [c.value for c in cells] == ["ballot", *subjects, "invalid"]
            for cell in cells:
                if str(cell.value).startswith(FORMULA_START):
                    assert cell.quotePrefix, cell.value  # edited, it stays text
        counts, problems = read_ballots(
            sheet, sheet.name, subjects=subjects, team="领导班子", ratings=RATINGS
        )
        assert [p.code for p in problems] == [], (kind, problems)
        assert counts is not None
    check = runner.invoke(app, ["check", "--format", "json", "--records", str(root)])
    codes = [p["code"] for p in json.loads(check.stdout)["problems"]]
    assert "unknown-subject" not in codes and "subject-missing" not in codes, codes


def test_the_reported_name_is_one_csv_cell_of_text(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://x","点击")'
    root = _tree_with_leaders(tmp_path / "t", [name])
    args = ["new", "meeting", "--records", str(root), "--unit", "a", "--kind", "mobilization"]
    result = runner.invoke(app, [*args, "--date", "2014-03-01", "--ballots", "csv"])
    assert result.exit_code == 0, result.output
    text = (root / "meetings" / "2014-03" / "a-mobilization.csv").read_text(encoding="utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == ["ballot", "领导班子", "'" + name, "invalid"]


def test_a_rating_that_cannot_stand_in_a_written_out_list_is_picked_from_cells(
    tmp_path: Path,
) -> None:
    """A validation list written out is one string of Excel's, "a,b,c": a rating with a
    quotation mark could close it and add a formula, and with a comma it would be two
    choices. Such ratings are picked from cells of a hidden sheet instead, written as text:
    the list offers exactly the ratings and nothing in the book is a formula."""
    from duchu.records.ballot_sheet import write_ballot_template

    for ratings in (['好","x"&HYPERLINK("http://x")&"', "差"], ["好,较好", "差"]):
        path = tmp_path / "b.xlsx"
        write_ballot_template(path, ["ballot", "王某", "invalid"], ratings, 1, lang="zh")
        with zipfile.ZipFile(path) as package:
            xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
        source = re.search(r"<formula1>(.*?)</formula1>", xml)
        assert source is not None and re.fullmatch(r"'[^']+'!\$A\$1:\$A\$2", source.group(1))
        assert _formulas_in(path) == []
        book = openpyxl.load_workbook(path)
        hidden = book.worksheets[1]
        assert hidden.sheet_state == "hidden"
        assert [row[0].value for row in hidden.iter_rows()] == ratings


@settings(max_examples=8, deadline=None, suppress_health_check=[FUNCTION_SCOPED])
@given(name=formula_names, note=formula_names)
def test_status_and_tally_workbooks_hold_records_text_as_text(
    tmp_path_factory: pytest.TempPathFactory, name: str, note: str
) -> None:
    root = build_tree(tmp_path_factory.mktemp("t") / "tree")
    unit = root / "units" / "b.yaml"
    text = unit.read_text(encoding="utf-8").replace(
        "name: 乙单位", f"name: {json.dumps(name, ensure_ascii=False)}"
    )
    done = f"plan: {{date: 2014-02-18, note: {json.dumps(note, ensure_ascii=False)}}}"
    unit.write_text(text.replace("plan: 2014年2月18日", done), encoding="utf-8")
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    for number, args in enumerate(
        (
            ["status", "--all", "--as-of", "2014-03-30"],
            ["status", "--unit", "b", "--as-of", "2014-03-30"],
            ["status", "--by", "group", "--as-of", "2014-03-30"],
            ["tally"],
        )
    ):
        path = out / f"{number}.xlsx"
        result = runner.invoke(
            app, [*args, "--records", str(root), "--format", "xlsx", "-o", str(path), "--force"]
        )
        assert result.exit_code in (0, 1), (args, result.output)
        assert _formulas_in(path) == [], args
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                        assert cell.quotePrefix, (args, cell.coordinate, cell.value)
