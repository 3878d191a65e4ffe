"""Spreadsheets, CLI.md 1.2: a number shows the digits it has (a median of 7.5 days is 7.5,
never 8); ``status --format xlsx`` carries the 台账 (units × actions, the state and the
date, coloured as the traffic lights); every sheet of every workbook prints on A4
landscape, fitted to the page's width, its header rows on every page. Read back with
openpyxl, and printed through LibreOffice where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.judge.asof import Provenance
from duchu.records.load import load_tree
from duchu.render.xlsx import Cell, Sheet, write_workbook
from tests.conftest import SAMPLE, copy_tree, write_tree
from tests.test_office import git

runner = CliRunner()
AS_OF = "2014-04-10"
GREEN, RED, YELLOW, ORANGE = "FFC6EFCE", "FFFFC7CE", "FFFFEB9C", "FFFCE4D6"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(SAMPLE, tmp_path_factory.mktemp("sample") / "records")


def written(root: Path, out: Path, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--records", str(root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out)


# --- the digits a number has -----------------------------------------------------------------


def test_a_number_shows_the_digits_it_has(tmp_path: Path) -> None:
    out = tmp_path / "n.xlsx"
    sheet = Sheet("n", ["a", "b", "c"], [[7.5, 8, Cell(7.0, "number")]], [])
    write_workbook(out, [sheet], lang="zh", source=Provenance(date(2014, 4, 10)), title="t")
    cells = openpyxl.load_workbook(out)["n"][2]
    assert cells[0].value == 7.5 and cells[0].number_format == "General"
    assert cells[1].value == 8 and cells[1].number_format == "0"
    assert cells[2].number_format == "0"  # 7.0 is an integer: no decimals


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_median_of_seven_and_a_half_days_shows_so(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "--quiet", "--initial-branch=main")
    campaign = (SAMPLE / "campaign.yaml").read_text(encoding="utf-8")
    write_tree(
        top,
        {
            "campaign.yaml": campaign,
            "groups/g.yaml": "name: 一组\nleader: 甲\n",
            "units/u.yaml": "name: 某局\ngroup: g\nleaders: [某书记]\n",
        },
    )
    git(top, "add", "--all")
    git(top, "commit", "-qm", "名单", when="2014-02-10T09:00:00+08:00")
    for name, held, recorded in (("m1", "2014-03-01", "2014-03-08"), ("m2", "2014-03-02", "03-10")):
        write_tree(
            top,
            {f"meetings/{name}.yaml": f"date: {held}\nunit: u\nkind: visit\nattended_by: [甲]\n"},
        )
        git(top, "add", "--all")
        when = recorded if recorded.startswith("2014") else f"2014-{recorded}"
        git(top, "commit", "-qm", name, when=f"{when}T18:00:00+08:00")
    book = written(top, tmp_path / "g.xlsx", "status", "--by", "group", "--as-of", "2014-03-20")
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    median = sheet.cell(2, headers.index("上报用时中位数（天）") + 1)
    assert median.value == 7.5 and median.number_format == "General"
    longest = sheet.cell(2, headers.index("上报用时最长（天）") + 1)
    assert longest.value == 8 and longest.number_format == "0"


# --- the 台账 --------------------------------------------------------------------------------


def test_the_ledger_is_units_by_actions(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "s.xlsx", "status", "--as-of", AS_OF)
    assert book.sheetnames[-1] == "台账"
    ledger = book["台账"]
    tree = load_tree(sample)
    assert tree.campaign is not None
    unit_actions = [(p, a) for p in tree.campaign.phases for a in p.actions if a.by == "unit"]
    # the band: each phase's name over its actions, merged
    merged = {str(r) for r in ledger.merged_cells.ranges}
    first = unit_actions[0][0]
    span = sum(1 for p, _ in unit_actions if p is first)
    assert ledger.cell(1, 3).value == first.name
    assert f"C1:{openpyxl.utils.get_column_letter(2 + span)}1" in merged
    # the headers: the action's name and its deadline
    headers = [c.value for c in ledger[2]]
    assert headers[:2] == ["督导组", "单位"]
    assert len(headers) == 2 + len(unit_actions)
    for header, (_, action) in zip(headers[2:], unit_actions, strict=True):
        assert header.replace("\n", "").startswith(action.name)
    # the units in official order, grouped by group
    labels = [tree.units[u].label for u in tree.units]
    group_order = list(tree.groups)
    rows = [[c.value for c in row] for row in ledger.iter_rows(min_row=3, max_row=2 + len(labels))]
    groups_seen = [tree.groups[g].name for g in group_order]
    assert [r[0] for r in rows] == sorted(
        (r[0] for r in rows), key=lambda name: groups_seen.index(name)
    )
    assert sorted(r[1] for r in rows) == sorted(labels)
    # cells: the state and the date, coloured as the traffic lights
    by_unit = {r[1]: (i + 3, r) for i, r in enumerate(rows)}
    row_number, row = by_unit["市农委"]
    mobilization = 2 + [a.id for _, a in unit_actions].index("mobilization")
    assert row[mobilization] == "逾期完成 3月5日"  # its 动员大会 of 2014-03-05
    assert ledger.cell(row_number, mobilization + 1).fill.fgColor.rgb == ORANGE
    central = 2 + [a.id for _, a in unit_actions].index("central_study")
    assert row[central] == "逾期10天"
    assert ledger.cell(row_number, central + 1).fill.fgColor.rgb == RED
    opinions = 2 + [a.id for _, a in unit_actions].index("opinions")
    assert row[opinions] == "今日到期"  # due 4月上旬 = 4-10, the as-of date, not done
    assert ledger.cell(row_number, opinions + 1).fill.fgColor.rgb == YELLOW
    row_number, row = by_unit["市教育局"]
    assert row[mobilization].startswith("按时 ")
    assert ledger.cell(row_number, mobilization + 1).fill.fgColor.rgb == GREEN
    assert ledger.freeze_panes == "C3"
    assert ledger.print_title_rows == "$1:$2"


def test_the_offices_workbook_carries_the_ledger_too(sample: Path, tmp_path: Path) -> None:
    office = written(sample, tmp_path / "o.xlsx", "status", "--by", "group", "--as-of", AS_OF)
    units = written(sample, tmp_path / "u.xlsx", "status", "--as-of", AS_OF)
    assert office.sheetnames[-1] == "台账"

    def cells(book: Any) -> list[list[Any]]:
        return [[c.value for c in row] for row in book["台账"].iter_rows()]

    assert cells(office) == cells(units)


def test_the_ledger_in_english(sample: Path, tmp_path: Path) -> None:
    book = written(sample, tmp_path / "e.xlsx", "status", "--as-of", AS_OF, "--lang", "en")
    ledger = book["Ledger"]
    assert [c.value for c in ledger[2]][:2] == ["Group", "Unit"]
    values = {c.value for row in ledger.iter_rows(min_row=3) for c in row}
    assert "10 d overdue" in values and "due today" in values


# --- print: every sheet of every workbook ------------------------------------------------------

WORKBOOKS = {
    "status": ["status", "--as-of", AS_OF],
    "groups": ["status", "--by", "group", "--as-of", AS_OF],
    "tally": ["tally"],
    "compare": ["tally", "--compare"],
}


@pytest.mark.parametrize("which", list(WORKBOOKS))
def test_every_sheet_prints_on_a4_landscape_fitted_to_width(
    which: str, sample: Path, tmp_path: Path
) -> None:
    book = written(sample, tmp_path / f"{which}.xlsx", *WORKBOOKS[which])
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # fitted to one page wide (OOXML: fitToWidth absent means 1), any number tall
        assert int(setup.fitToWidth or 1) == 1 and int(setup.fitToHeight) == 0
        assert sheet.print_title_rows in ("$1:$1", "$1:$2")
        assert sheet.freeze_panes in ("A2", "C3")


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
    reason="LibreOffice (soffice) or poppler (pdfinfo) is not installed",
)
@pytest.mark.parametrize("which", ["status", "groups"])
def test_printed_through_libreoffice_every_page_is_a4_landscape(
    which: str, sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / f"{which}.xlsx"
    written(sample, out, *WORKBOOKS[which])
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / f"{which}.pdf"
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page") and "size" in line]
    assert sizes
    for line in sizes:  # "Page    1 size: 841.89 x 595.304 pts (A4)"
        width, height = (float(x) for x in line.split("size:")[1].split("pts")[0].split(" x "))
        assert round(width) == 842 and round(height) == 595, line
    pages = int(next(x for x in info.splitlines() if x.startswith("Pages:")).split()[1])
    # fitted to the width: one page a sheet for the sample's 15 units
    assert pages == len(openpyxl.load_workbook(out).worksheets)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True
        )
        assert len(list(tmp_path.glob("page*.png"))) == pages


def test_the_lines_below_a_table_wrap_within_its_width(sample: Path, tmp_path: Path) -> None:
    """A long legend in one cell would widen what prints, and fitting that to the page's
    width would shrink the table: each line below is merged across the table and wraps."""
    book = written(sample, tmp_path / "o.xlsx", "status", "--by", "group", "--as-of", AS_OF)
    sheet = book.worksheets[0]
    width = sheet.max_column
    last = openpyxl.utils.get_column_letter(width)
    legend = next(
        row[0]
        for row in sheet.iter_rows()
        if isinstance(row[0].value, str) and row[0].value.startswith("应完成")
    )
    assert f"A{legend.row}:{last}{legend.row}" in {str(r) for r in sheet.merged_cells.ranges}
    assert legend.alignment.wrap_text
    assert sheet.row_dimensions[legend.row].height > 20  # more than one line tall
