"""Every rule of RECORDS.md, one small broken tree each (tests/fixtures/broken/<case>/,
laid over tests/fixtures/base/), with the exact path, line, column and code worked out by
hand in the case's expected.txt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from duchu.records.load import load_tree
from tests.conftest import BROKEN, build_tree

CASES = sorted(path.name for path in BROKEN.iterdir() if path.is_dir())


def reported(root: Path) -> list[str]:
    tree = load_tree(root)
    return [f"{p.path}:{p.line}:{p.column}: {p.severity} [{p.code}]" for p in tree.problems]


def test_base_tree_is_clean(base_tree: Path) -> None:
    assert reported(base_tree) == []


@pytest.mark.parametrize("case", CASES)
def test_broken_case(case: str, tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree", BROKEN / case)
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert reported(root) == expected


def test_symlinks_out_of_the_tree_are_refused_and_not_read(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c.yaml").write_text("name: 丙单位\ngroup: g1\n", encoding="utf-8")
    (root / "units" / "c.yaml").symlink_to(outside / "c.yaml")
    (root / "meetings" / "elsewhere").symlink_to(outside)
    (root / "meetings" / "2014-02" / "again.yaml").symlink_to(
        root / "meetings" / "2014-02" / "a-mob.yaml"  # inside the tree: read as usual
    )
    assert reported(root) == [
        "meetings/elsewhere:1:1: error [outside-tree]",
        "units/c.yaml:1:1: error [outside-tree]",
    ]
    assert "2014-02/again" in load_tree(root).meetings


def test_a_record_folder_linked_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    outside = tmp_path / "outside"
    shutil.move(root / "units", outside)
    (root / "units").symlink_to(outside)
    assert "units:1:1: error [outside-tree]" in reported(root)
    assert load_tree(root).units == {}


def test_an_unparsable_ballot_file(tmp_path: Path) -> None:
    # a cell longer than the csv module's field limit (131,072 characters) cannot be read
    huge = '1,好,好,\n2,"' + "好" * 140_000 + '",,\n'
    root = build_tree(
        tmp_path / "tree",
        files={"meetings/2014-02/b-mob.csv": "ballot,领导班子,刘某,invalid\n" + huge},
    )
    assert reported(root) == ["meetings/2014-02/b-mob.csv:3:1: error [csv-syntax]"]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        # the root mapping is level 1, so level 51 is the 50th bracket or dash
        ("name: " + "[" * 200_000 + "]" * 200_000 + "\n", "1:56"),  # flow: crashed libyaml
        ("name:\n" + "".join(" " * i + "- \n" for i in range(60)), "51:50"),  # block
        ("- " * 60 + "x\n", "1:101"),  # compact block sequences on one line
    ],
)
def test_absurd_nesting_is_refused_before_parsing(tmp_path: Path, text: str, position: str) -> None:
    root = build_tree(tmp_path / "tree", files={"units/b.yaml": text})
    assert f"units/b.yaml:{position}: error [too-deep]" in reported(root)


def test_pipes_and_devices_are_never_opened(tmp_path: Path) -> None:
    import os

    root = build_tree(tmp_path / "tree")
    os.mkfifo(root / "units" / "c.yaml")  # reading it would block forever
    (root / "meetings" / "2014-02" / "b-mob.csv").unlink()
    os.mkfifo(root / "meetings" / "2014-02" / "b-mob.csv")
    assert reported(root) == [
        "meetings/2014-02/b-mob.yaml:7:12: error [not-a-file]",
        "units/c.yaml:1:1: error [not-a-file]",
    ]


def test_a_file_too_large_to_be_a_record(tmp_path: Path) -> None:
    from duchu.records.parse import MAX_FILE_BYTES

    notes = "  " + "督导组组长讲话。" * (MAX_FILE_BYTES // 20) + "\n"
    meeting = "date: 2014-02-26\nunit: a\nkind: democratic_life\nnotes: |\n" + notes
    root = build_tree(tmp_path / "tree", files={"meetings/2014-03/a-dl.yaml": meeting})
    assert reported(root) == ["meetings/2014-03/a-dl.yaml:1:1: error [too-large]"]


# codes whose trees are made by the tests above rather than kept under fixtures/broken
MADE_AT_TEST_TIME = {"outside-tree", "csv-syntax", "too-deep", "not-a-file", "too-large"}


def test_there_is_a_case_for_every_problem_code() -> None:
    """A rule without a broken tree is a rule nobody has seen fire."""
    from duchu.messages import CATALOGUE

    codes_in_cases = {
        line.rsplit("[", 1)[1].rstrip("]")
        for case in CASES
        for line in (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    }
    problem_codes = {
        "encoding",
        "yaml-syntax",
        "full-width-colon",
        "tab",
        "duplicate-key",
        "yaml-tag",
        "empty-file",
        "not-a-mapping",
        "unknown-key",
        "missing-key",
        "bad-value",
        "invalid-date",
        "bad-id",
        "ignored-file",
        "duplicate-id",
        "unknown-after",
        "after-later",
        "phase-due-before-start",
        "due-before-start",
        "unknown-rating-scheme",
        "unknown-group",
        "unknown-action",
        "duplicate-leader",
        "done-before-campaign",
        "meeting-before-campaign",
        "rating-both-ways",
        "no-leaders",
        "unknown-unit",
        "unknown-kind",
        "not-a-member",
        "not-a-leader",
        "absent-no-reason",
        "missing-appraisal",
        "counts-and-ballots",
        "no-counts",
        "ballots-with-returned",
        "returned-over-distributed",
        "invalid-over-returned",
        "negative-number",
        "unknown-subject",
        "unknown-rating",
        "over-valid",
        "ballots-outside",
        "ballots-missing",
        "ballot-cell",
        "id-collision",
        "duplicate-name",
        "blank-name",
        # (1.2) notices
        "notice-no-unit",
        "unknown-level",
        "notice-no-actions",
        "notice-no-subjects",
        "notice-talk-actions",
        "notice-grade-subjects",
        "notice-action-not-unit",
        "notice-before-campaign",
        "reply-before-date",
        "notice-duplicate",
        # (1.2) names where ids go, draft meetings and empty appraisals
        "ambiguous-name",
        "same-thing-twice",
        "draft-meeting",
        "appraisal-empty",
    }
    assert problem_codes <= set(CATALOGUE)
    assert problem_codes - codes_in_cases == set()
