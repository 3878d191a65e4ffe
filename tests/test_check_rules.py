"""Every rule of RECORDS.md, one small broken tree each (tests/fixtures/broken/<case>/,
laid over tests/fixtures/base/), with the exact path, line, column and code worked out by
hand in the case's expected.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from duchu.loader import load_tree
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
        "yml-extension",
        "duplicate-id",
        "unknown-after",
        "after-later",
        "phase-due-before-start",
        "unknown-rating-scheme",
        "unknown-group",
        "unknown-action",
        "duplicate-leader",
        "done-before-campaign",
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
    }
    assert problem_codes <= set(CATALOGUE)
    assert problem_codes - codes_in_cases == set()
