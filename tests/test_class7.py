"""Hostile or unusual input, class 7: a bound always named in a range message; ids that may
not start with '-' or '.', said the same way by the loader, ``duchu new`` and the message; a
rating holding ',' or '"' still gives the ballot sheet its drop-down list."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.messages import message
from duchu.records.ballot_sheet import write_ballot_template
from duchu.records.ballot_xlsx import read_workbook_ballots
from duchu.records.load import load_tree
from duchu.records.tree import ID_PATTERN
from tests.conftest import build_tree

runner = CliRunner()

# --- (a) every bound of a range given --------------------------------------------------------


def messages_of(root: Path, lang: str) -> list[str]:
    return [p.message(lang) for p in load_tree(root).problems]


@pytest.mark.parametrize(
    ("old", "new", "zh", "en"),
    [
        ("year: 2014", "year: 1800", "应在 1900 到 2999 之间", "between 1900 and 2999"),
        ("year: 2014", "year: 3000", "应在 1900 到 2999 之间", "between 1900 and 2999"),
        ("year: 2014", "year: 2014\nwarn_days: -1", "应不小于 0", "expected 0 or more"),
        ("flag_at: 0.2", "flag_at: 1.5", "应在 0 到 1 之间", "between 0 and 1"),
        ("flag_at: 0.2", "flag_at: -0.5", "应在 0 到 1 之间", "between 0 and 1"),
    ],
)
def test_a_number_out_of_range_names_its_bounds(
    tmp_path: Path, old: str, new: str, zh: str, en: str
) -> None:
    root = build_tree(tmp_path / "tree")
    campaign = root / "campaign.yaml"
    campaign.write_text(campaign.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    [text_zh] = messages_of(root, "zh")
    [text_en] = messages_of(root, "en")
    assert zh in text_zh and en in text_en
    for text in (text_zh, text_en):
        assert not re.search(r"到\s+之间|到\s*$|and\s*$|between\s+and", text), text


def test_a_meeting_with_fewer_than_no_people(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    meeting = next((root / "meetings").rglob("*.yaml"))
    meeting.write_text(meeting.read_text(encoding="utf-8") + "people: -3\n", encoding="utf-8")
    assert any("应不小于 0" in text for text in messages_of(root, "zh"))
    assert any("expected 0 or more" in text for text in messages_of(root, "en"))


def test_no_bound_message_can_be_left_blank() -> None:
    """Every catalogue message about a bound has its bound as a field (none is empty text)."""
    for key in (
        "expect-range",
        "expect-at-least",
        "expect-at-most",
        "expect-above",
        "expect-below",
    ):
        for lang in ("zh", "en"):
            text = message(key, lang, low=1, high=2, bound=3)
            assert re.search(r"[123]", text), (key, lang, text)


# --- (b) ids may not start with '-' or '.' ----------------------------------------------------


@pytest.mark.parametrize("ident", ["-x", "-", ".x", "a b", "a\u200bb"])
def test_ids_refused_alike_by_the_loader_and_by_new(tmp_path: Path, ident: str) -> None:
    assert not ID_PATTERN.fullmatch(ident)
    root = build_tree(tmp_path / "tree", files={f"units/{ident}.yaml": "name: 丙\ngroup: g1\n"})
    codes = [(p.path, p.code) for p in load_tree(root).problems]
    if ident.startswith("."):  # a hidden file is not a record: told apart, never read
        assert ("units/" + ident + ".yaml", "bad-id") not in codes
    else:
        assert (f"units/{ident}.yaml", "bad-id") in codes
    (root / "units" / f"{ident}.yaml").unlink()
    result = runner.invoke(
        app, ["new", "unit", "--records", str(root), "--group", "g1", "--name", "丙", "--", ident]
    )
    assert result.exit_code != 0
    assert "不能以 - 或 . 开头" in result.output + (result.stderr or "")
    assert not (root / "units" / f"{ident}.yaml").exists()


def test_the_id_message_says_where_dash_and_dot_may_not_go() -> None:
    assert "不能以 - 或 . 开头" in message("bad-id", "zh", id="-x")
    assert "do not start with - or ." in message("bad-id", "en", id="-x")


@given(st.from_regex(r"[A-Za-z0-9\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5_.-]{0,20}", fullmatch=True))
def test_ids_of_the_allowed_letters_are_accepted(ident: str) -> None:
    assert ID_PATTERN.fullmatch(ident)


# --- (c) ratings with commas and quotes in the ballot sheet ----------------------------------

rating_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


def _list_of(book: openpyxl.Workbook) -> list[str]:
    """The drop-down list of the ballot sheet's subject columns, as Excel reads it."""
    sheet = book.worksheets[0]
    [rule] = sheet.data_validations.dataValidation
    assert rule.type == "list"
    source = rule.formula1
    if source.startswith('"'):  # written out: Excel splits at every comma
        return source[1:-1].split(",")
    match = re.fullmatch(r"'((?:[^']|'')+)'!\$A\$1:\$A\$(\d+)", source)
    assert match, source
    hidden = book[match[1].replace("''", "'")]
    assert hidden.sheet_state == "hidden"
    return [hidden.cell(row, 1).value for row in range(1, int(match[2]) + 1)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rating_text, min_size=1, max_size=6, unique=True))
def test_the_ballot_sheet_offers_exactly_the_ratings(ratings: list[str]) -> None:
    data = BytesIO()
    header = ["ballot", "领导班子", "王某", "invalid"]
    write_ballot_template(data, header, ratings, 2, lang="zh", rows=20)
    book = openpyxl.load_workbook(BytesIO(data.getvalue()))
    assert _list_of(book) == ratings
    # the clerk types two forms in; the reader counts them and passes over the hidden list
    sheet = book.worksheets[0]
    for row, cells in enumerate([[ratings[0], ratings[-1]], [ratings[-1], None]], start=2):
        sheet.cell(row, 1, row - 1)
        for column, rating in enumerate(cells, start=2):
            if rating is not None:  # picked from the list: text, even '=0'
                cell = sheet.cell(row, column)
                cell.value = rating
                cell.data_type = "s"
    filled = BytesIO()
    book.save(filled)
    counts, problems = read_workbook_ballots(
        filled.getvalue(), "meetings/m.xlsx", subjects=["领导班子", "王某"], team="领导班子",
        ratings=ratings,
    )  # fmt: skip
    assert problems == []
    assert counts is not None and counts.returned == 2
    team, leader = counts.by_subject["领导班子"], counts.by_subject["王某"]
    assert sum(team.values()) == 2 and team[ratings[-1]] >= 1 and team[ratings[0]] >= 1
    assert sum(leader.values()) == 1 and leader[ratings[-1]] == 1


def test_a_rating_with_a_comma_through_new_meeting_and_check(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    campaign = root / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    new = 'ratings: [好, 较好, "较好,有进步", "一般\\"中\\"", 一般, 差]'
    text = text.replace("ratings: [好, 较好, 一般, 差]", new)
    campaign.write_text(text, encoding="utf-8")
    assert load_tree(root).problems == []
    result = runner.invoke(
        app,
        ["new", "meeting", "--records", str(root), "--unit", "a", "--kind", "mobilization",
         "--date", "2014-09-20", "--ballots", "xlsx"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [sheet_path] = (root / "meetings").rglob("a-mobilization*.xlsx")
    book = openpyxl.load_workbook(sheet_path)
    assert _list_of(book) == ["好", "较好", "较好,有进步", '一般"中"', "一般", "差"]
    # a hidden sheet that holds more than a list is a second sheet like any other
    book.worksheets[1]["B2"] = "好"
    book.save(sheet_path)
    codes = [p.code for p in load_tree(root).problems]
    assert "xlsx-second-sheet" in codes
