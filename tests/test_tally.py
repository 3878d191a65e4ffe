"""``duchu tally``: counts from records and from ballot files, worked out by hand.

Base fixture (tests/fixtures/base), flag_at 0.2:
  a-mob (counts): returned 9, invalid 1 -> valid 8.
    领导班子 好5 较好2 一般1 差0: rated 8, unrated 0, positive 7/8, negative 0.
    王某 好6 差2: rated 8, unrated 0, positive 6/8, negative 2/8 = 0.25 >= 0.2: flagged.
    李某 好8: rated 8, unrated 0, positive 1, negative 0 (every leader has counts: 1.1).
  b-mob (ballots b-mob.csv): 4 rows, row 4 void -> returned 4, invalid 1, valid 3.
    领导班子: 好 (1), 较好 (2), 好 (3): rated 3, positive 3/3, negative 0.
    刘某: 好 (1), 差 (2), empty (3): rated 2, unrated 1, positive 1/2, negative 1/2: flagged.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.judge.tally import compare_units, tally_meetings
from duchu.records.ballots import exact_fraction, tally_subject
from duchu.records.load import load_tree
from tests.conftest import BASE, SAMPLE, build_tree

runner = CliRunner()


def test_tally_from_counts_and_from_ballots(base_tree: Path) -> None:
    result = runner.invoke(app, ["tally", "--records", str(base_tree), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "meetings": [
            {
                "id": "2014-02/a-mob",
                "unit": "a",
                "kind": "mobilization",
                "date": "2014-02-26",
                "distributed": 10,
                "returned": 9,
                "invalid": 1,
                "valid": 8,
                "subjects": [
                    {
                        "subject": "领导班子",
                        "counts": {"好": 5, "较好": 2, "一般": 1, "差": 0},
                        "rated": 8,
                        "unrated": 0,
                        "positive_rate": 0.875,
                        "negative_rate": 0.0,
                        "flagged": False,
                    },
                    {
                        "subject": "王某",
                        "counts": {"好": 6, "较好": 0, "一般": 0, "差": 2},
                        "rated": 8,
                        "unrated": 0,
                        "positive_rate": 0.75,
                        "negative_rate": 0.25,
                        "flagged": True,
                    },
                    {
                        "subject": "李某",
                        "counts": {"好": 8, "较好": 0, "一般": 0, "差": 0},
                        "rated": 8,
                        "unrated": 0,
                        "positive_rate": 1.0,
                        "negative_rate": 0.0,
                        "flagged": False,
                    },
                ],
            },
            {
                "id": "2014-02/b-mob",
                "unit": "b",
                "kind": "mobilization",
                "date": "2014-02-27",
                "distributed": 5,
                "returned": 4,
                "invalid": 1,
                "valid": 3,
                "subjects": [
                    {
                        "subject": "领导班子",
                        "counts": {"好": 2, "较好": 1, "一般": 0, "差": 0},
                        "rated": 3,
                        "unrated": 0,
                        "positive_rate": 1.0,
                        "negative_rate": 0.0,
                        "flagged": False,
                    },
                    {
                        "subject": "刘某",
                        "counts": {"好": 1, "较好": 0, "一般": 0, "差": 1},
                        "rated": 2,
                        "unrated": 1,
                        "positive_rate": 0.5,
                        "negative_rate": 0.5,
                        "flagged": True,
                    },
                ],
            },
        ]
    }


SCHEME = {"ratings": ["好", "较好", "一般", "差"], "positive": ["好", "较好"], "negative": ["差"]}


@pytest.mark.parametrize(
    ("counts", "flag_at", "flagged"),
    [
        ({"好": 4, "差": 1}, 0.2, True),  # exactly 1/5 = 0.2: at the threshold is flagged
        ({"好": 81, "差": 19}, 0.2, False),  # 0.19
        ({"好": 79, "差": 21}, 0.2, True),
        ({"好": 2, "差": 1}, 1 / 3, True),  # the default threshold, exactly one third
        ({"好": 7, "差": 3}, 0.3, True),  # 0.3 is not exactly representable as a float
        ({"好": 3, "一般": 1}, 0.0, True),  # flag_at 0: every rated subject
        ({}, 0.0, False),  # nothing rated: no rate, no flag
    ],
)
def test_flag_at_the_threshold(counts: dict[str, int], flag_at: float, flagged: bool) -> None:
    result = tally_subject("王某", counts, 100, flag_at=exact_fraction(flag_at), **SCHEME)
    assert result.flagged is flagged


def test_rates_are_exact_and_null_when_unrated() -> None:
    result = tally_subject(
        "王某", {"好": 1, "较好": 1, "差": 1}, 5, flag_at=Fraction(1, 3), **SCHEME
    )
    assert (result.rated, result.unrated) == (3, 2)
    assert result.positive_rate == Fraction(2, 3) and result.negative_rate == Fraction(1, 3)
    empty = tally_subject("李某", {}, 5, flag_at=Fraction(1, 3), **SCHEME)
    assert (empty.positive_rate, empty.negative_rate, empty.unrated) == (None, None, 5)


def test_json_rounds_to_four_places(tmp_path: Path) -> None:
    counts = "    领导班子: {好: 38, 较好: 0, 一般: 3, 差: 1}\n    王某: {好: 2}\n"
    meeting = (
        "date: 2014-02-26\nunit: a\nkind: mobilization\nappraisal:\n  distributed: 45\n"
        "  returned: 43\n  invalid: 1\n  counts:\n" + counts
    )
    root = build_tree(tmp_path / "t", files={"meetings/2014-02/a-mob.yaml": meeting})
    data = json.loads(
        runner.invoke(
            app, ["tally", "2014-02/a-mob", "--records", str(root), "--format", "json"]
        ).stdout
    )
    team, wang = data["meetings"][0]["subjects"]
    assert (team["positive_rate"], team["negative_rate"]) == (0.9048, 0.0238)  # 38/42, 1/42
    assert (wang["rated"], wang["unrated"]) == (2, 40)


def test_filters_and_meeting_arguments(base_tree: Path) -> None:
    def ids(*args: str) -> list[str]:
        result = runner.invoke(
            app, ["tally", *args, "--records", str(base_tree), "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        return [m["id"] for m in json.loads(result.stdout)["meetings"]]

    assert ids() == ["2014-02/a-mob", "2014-02/b-mob"]
    assert ids("--unit", "b") == ["2014-02/b-mob"]
    assert ids("--kind", "democratic_life") == []
    assert ids("--group", "g1") == ["2014-02/a-mob", "2014-02/b-mob"]
    assert ids("2014-02/b-mob") == ["2014-02/b-mob"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["2014-02/zz"], "没有会议 '2014-02/zz'"),
        (["--unit", "zz"], "没有单位“zz”"),
        (["--kind", "zz"], "没有会议类型“zz”"),
    ],
)
def test_tally_cannot_run(base_tree: Path, args: list[str], words: str) -> None:
    result = runner.invoke(app, ["tally", *args, "--records", str(base_tree)])
    assert result.exit_code == 2 and words in result.stderr


def test_a_meeting_without_appraisal(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "t",
        files={"meetings/2014-03/a-dl.yaml": "date: 2014-03-05\nunit: a\nkind: democratic_life\n"},
    )
    result = runner.invoke(app, ["tally", "2014-03/a-dl", "--records", str(root)])
    assert result.exit_code == 2 and "会议 '2014-03/a-dl' 没有民主评议记录" in result.stderr


def test_table_shows_forms_bars_and_flags(base_tree: Path) -> None:
    out = runner.invoke(app, ["tally", "--records", str(base_tree)]).stdout
    assert "2014年2月27日 乙单位 动员大会（2014-02/b-mob）" in out
    assert "发出 5 张，收回 4 张，有效 3 张，无效 1 张" in out
    # 刘某: 好 1 and 差 1 of 3 valid forms -> 7 cells █, 6 cells ░ (cumulative rounding of
    # 20/3 = 6.67 -> 7, 40/3 = 13.33 -> 13), 7 cells blank for the unrated form
    row = next(line for line in out.splitlines() if "刘某" in line)
    assert "███████░░░░░░       " in row and "50.0%" in row and "⚑ 谈话提醒" in row
    en = runner.invoke(app, ["tally", "--records", str(base_tree), "--lang", "en"]).stdout
    assert "5 handed out, 4 returned, 3 valid, 1 void" in en and "⚑ reminder talk" in en


def test_compare_first_and_last(tmp_path: Path) -> None:
    """Unit a: mobilization (王某 差 2/8) and a later summary (王某 差 1/10)."""
    summary = (
        "date: 2014-09-20\nunit: a\nkind: mobilization\nappraisal:\n  distributed: 10\n"
        "  returned: 10\n  counts:\n    王某: {好: 8, 一般: 1, 差: 1}\n    李某: {好: 10}\n"
    )
    # 李某 has no counts at the mobilization (a warning since 1.1: tallied all the same)
    mobilization = BASE / "meetings" / "2014-02" / "a-mob.yaml"
    before = mobilization.read_text(encoding="utf-8").replace("    李某: {好: 8}\n", "")
    root = build_tree(
        tmp_path / "t",
        files={"meetings/2014-09/a-sum.yaml": summary, "meetings/2014-02/a-mob.yaml": before},
    )
    comparisons, single = compare_units(tally_meetings(load_tree(root)))
    assert single == ["b"]
    [unit_a] = comparisons
    assert (unit_a.before.id, unit_a.after.id) == ("2014-02/a-mob", "2014-09/a-sum")
    by_subject = {c.subject: c for c in unit_a.subjects}
    wang = by_subject["王某"]
    assert wang.negative_change == Fraction(1, 10) - Fraction(2, 8)  # -0.15
    assert wang.positive_change == Fraction(8, 10) - Fraction(6, 8)  # +0.05
    assert by_subject["李某"].before is None and by_subject["李某"].positive_change is None
    result = runner.invoke(app, ["tally", "--compare", "--records", str(root), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["not_compared"] == ["b"]
    wang_json = data["units"][0]["subjects"][1]
    assert wang_json["subject"] == "王某"
    assert (wang_json["positive_change"], wang_json["negative_change"]) == (0.05, -0.15)
    table = runner.invoke(app, ["tally", "--compare", "--records", str(root)]).stdout
    assert "甲单位：动员大会（2014年2月26日）→ 动员大会（2014年9月20日）" in table
    assert "−15.0%" in table and "+5.0%" in table


def test_sample_flags_the_leader_at_exactly_the_threshold() -> None:
    tree = load_tree(SAMPLE)
    [mobilization] = tally_meetings(tree, ["2014-02/zhujian-mobilization"])
    xie = next(s for s in mobilization.subjects if s.subject == "谢某")
    assert (xie.counts["差"], xie.rated, xie.negative_rate, xie.flagged) == (
        10,
        50,
        Fraction(1, 5),
        True,
    )
    # the ballot file of 市交通局's summary meeting is tallied like any counts
    [summary] = tally_meetings(tree, ["2014-09/jiaotong-summary"])
    assert summary.counts.returned == sum(
        1
        for line in (SAMPLE / "meetings/2014-09/jiaotong-summary.csv")
        .read_text("utf-8-sig")
        .splitlines()[1:]
        if line.strip()
    )


def test_a_large_ballot_file_agrees_with_an_independent_count(tmp_path: Path) -> None:
    import csv
    import sys
    from collections import Counter

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from make_ballots import make  # type: ignore[import-not-found]

    make(20_000, tmp_path / "big")
    [tally] = tally_meetings(load_tree(tmp_path / "big"))
    with open(tmp_path / "big/meetings/summary.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    valid = [r for r in rows if not r["invalid"]]
    assert (tally.counts.returned, tally.counts.invalid) == (20_000, 400)
    for subject in tally.subjects:
        expected = Counter(r[subject.subject] for r in valid)
        assert subject.counts == {rating: expected[rating] for rating in subject.counts}
        assert subject.unrated == expected[""]


def test_signed_changes_as_shown() -> None:
    """A change is the change between the rates as shown (rounded to tenths first)."""
    from duchu.judge.rates import shift
    from duchu.render.text import percent, signed_percent

    assert percent(Fraction(1, 49)) == "2.0%" and percent(None) == "—"
    # 2.04% -> 2.08%: +0.04 points raw, but 2.0% -> 2.1% as shown, so +0.1 (it was ±0.0%)
    assert signed_percent(shift(Fraction(1, 49), Fraction(1, 48))) == "+0.1%"
    assert signed_percent(shift(Fraction(1, 5), Fraction(1, 20))) == "−15.0%"
    assert signed_percent(shift(Fraction(0), Fraction(1, 20))) == "+5.0%"
    assert signed_percent(None) == "—"
    # 96.24% and 96.16% are both shown as 96.2%: the same, whatever the raw difference
    same = shift(Fraction(9624, 10000), Fraction(9616, 10000))
    assert same is not None and same.direction == "same" and signed_percent(same) == "±0.0%"
    # 96.14% (96.1%) -> 96.16% (96.2%): +0.02 points raw, rose 0.1 as shown
    rose = shift(Fraction(9614, 10000), Fraction(9616, 10000))
    assert rose is not None and rose.direction == "rose" and signed_percent(rose) == "+0.1%"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_rate_in_tenths_of_a_percent_rounds_half_up(numerator: int, extra: int) -> None:
    """The integer rounding that percent() uses is half up (issue 25: the specification
    names no rule; an office rounds 81.25% to 81.3%): floor(rate x 1000 + 1/2)."""
    import math
    from fractions import Fraction

    from duchu.judge.rates import tenths_of_percent

    rate = Fraction(numerator, numerator + extra)
    assert tenths_of_percent(rate) == math.floor(rate * 1000 + Fraction(1, 2))
    assert tenths_of_percent(Fraction(1, 2000)) == 1 and tenths_of_percent(Fraction(3, 2000)) == 2


def test_a_subjects_rates_and_counts_are_the_same_whatever_is_shared() -> None:
    """``tally_subject`` shares the record's counts when they hold every rating in order,
    and one ``Fraction`` for equal rates: the same values as made afresh, a shared one never
    changed by a later tally."""
    from fractions import Fraction

    from duchu.records.ballots import tally_subject

    ratings, positive, negative = ["好", "较好", "一般", "差"], ["好", "较好"], ["差"]
    kept = {"好": 3, "较好": 1, "一般": 0, "差": 2}
    first = tally_subject(
        "班子",
        kept,
        7,
        ratings=ratings,
        positive=positive,
        negative=negative,
        flag_at=Fraction(1, 3),
    )
    assert first.counts is kept and first.counts == {"好": 3, "较好": 1, "一般": 0, "差": 2}
    assert (first.rated, first.unrated, first.flagged) == (6, 1, True)
    assert (first.positive_rate, first.negative_rate) == (Fraction(2, 3), Fraction(1, 3))
    partial = {"差": 2, "好": 4}  # out of order, a rating missing: made in order
    second = tally_subject(
        "王某",
        partial,
        6,
        ratings=ratings,
        positive=positive,
        negative=negative,
        flag_at=Fraction(1, 2),
    )
    assert (
        second.counts == {"好": 4, "较好": 0, "一般": 0, "差": 2} and second.counts is not partial
    )
    assert list(second.counts) == ratings and partial == {"差": 2, "好": 4}
    assert (second.positive_rate, second.negative_rate, second.flagged) == (
        Fraction(2, 3),
        Fraction(1, 3),
        False,
    )
    assert second.positive_rate is first.positive_rate  # one object for one rate
    assert first.positive_rate == Fraction(2, 3)
