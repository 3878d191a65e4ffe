"""Everyday faults and heavy input, the rest of issue 16: a file with thousands of problems
(item 22), a long history (item 22), a month folder that is a file (item 21), and
``new unit``'s hints (item 26)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli import app
from duchu.problems import problem
from duchu.yamlio import locate
from tests.conftest import build_tree

runner = CliRunner()


# --- item 22: a file with thousands of problems -----------------------------------------------


def _unit_with_unknown_keys(root: Path, name: str, count: int) -> None:
    keys = "".join(f"k{i}: 1\n" for i in range(count))
    (root / "units" / f"{name}.yaml").write_text(f"name: 某单位\ngroup: g1\n{keys}", "utf-8")


@pytest.mark.parametrize(("count", "hidden"), [(100, 0), (101, 1), (2500, 2400)])
def test_a_file_lists_its_first_100_problems_then_a_count(
    tmp_path: Path, count: int, hidden: int
) -> None:
    root = build_tree(tmp_path / "t")
    _unit_with_unknown_keys(root, "many", count)
    _unit_with_unknown_keys(root, "few", 3)  # another file's problems are listed in full
    for lang, more in (("zh", f"…及另外 {hidden} 个问题"), ("en", f"…and {hidden} more problem")):
        result = runner.invoke(app, ["check", "--records", str(root), "--lang", lang])
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        many = [line for line in lines if line.startswith("units/many.yaml:")]
        assert len([line for line in many if "[unknown-key]" in line]) == min(count, 100)
        # the first hundred in order of their lines, then the count in one line
        assert many[0].startswith("units/many.yaml:3:1:") and "'k0'" in many[0]
        assert many[99].startswith("units/many.yaml:102:1:")
        assert len([line for line in lines if line.startswith("units/few.yaml:")]) == 3
        assert bool(hidden) == (more in result.stdout)
        if hidden:
            assert many[-1].startswith(f"units/many.yaml: {more}")
        # the summary counts every problem, listed or not
        assert str(count + 3) in lines[-1]


def test_json_lists_every_problem(tmp_path: Path) -> None:
    """A script counting or filtering problems by code must see all of them, and the count
    agrees with the summary line; a record file is bounded in size, so the list is too."""
    root = build_tree(tmp_path / "t")
    _unit_with_unknown_keys(root, "many", 2500)
    result = runner.invoke(app, ["check", "--records", str(root), "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    assert len([p for p in problems if p["code"] == "unknown-key"]) == 2500


def test_the_refusal_of_a_tree_with_errors_is_capped_too(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t")
    _unit_with_unknown_keys(root, "many", 300)
    result = runner.invoke(app, ["status", "--records", str(root), "--as-of", "2014-03-01"])
    assert result.exit_code == 2
    assert result.stderr.count("[unknown-key]") == 100
    assert "…及另外 200 个问题" in result.stderr


def test_placing_many_problems_in_one_file_takes_linear_time() -> None:
    """Each problem's line was found by a linear search of its mapping: 50,000 unknown keys
    took minutes. 20,000 take well under a second now (the old way: about a minute)."""
    count = 20_000
    text = "name: 某\n" + "".join(f"k{i}: 1\n" for i in range(count)) + "k7: 2\n"
    wanted = [problem("u.yaml", "unknown-key", loc=(f"k{i}",), anchor="key") for i in range(count)]
    started = time.perf_counter()
    placed = locate(text, wanted)
    assert time.perf_counter() - started < 10
    assert [placed[p].line for p in wanted[:3]] == [2, 3, 4]
    # a key written twice is placed where PyYAML takes its value from: the last one
    assert placed[wanted[7]].line == count + 2
