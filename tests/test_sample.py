"""The embedded sample ``records/`` (seed 000's second group and seven units): it is valid,
and it tells the stories it was written to tell."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from duchu.cli import app
from duchu.loader import load_tree
from duchu.status import status_json, unit_status
from tests.conftest import SAMPLE

runner = CliRunner()


def test_sample_has_no_problems() -> None:
    result = runner.invoke(app, ["check", "--records", str(SAMPLE)])
    assert result.exit_code == 0
    assert result.stdout.startswith("0 个问题")


def by_id(as_of: date) -> dict[str, dict[str, dict[str, object]]]:
    data = status_json(unit_status(load_tree(SAMPLE), as_of))
    return {u["id"]: {a["id"]: a for a in u["actions"]} for u in data["units"]}  # type: ignore[attr-defined,index]


def test_mobilization_week() -> None:
    """Seed 000: mobilization meetings 2-19 to 2-28, all before the 2-28 deadline."""
    units = by_id(date(2014, 2, 26))
    held = {u for u, acts in units.items() if acts["mobilization"]["state"] == "done"}
    assert held == {"zhengfuban", "zhengwu", "fagaiwei"}
    assert {u for u, acts in units.items() if acts["mobilization"]["state"] == "due_soon"} == {
        "jiaotong",
        "huanbao",
        "zhujian",
        "guihua",
    }
    after = by_id(date(2014, 3, 1))
    assert all(acts["mobilization"]["state"] == "done" for acts in after.values())


def test_the_planted_stories() -> None:
    units = by_id(date(2026, 11, 21))
    # 市环保局 held its democratic life meeting before its materials were approved
    assert units["huanbao"]["democratic_life"]["problems"] == ["before:materials"]
    assert units["huanbao"]["democratic_life"]["done"] == "2014-06-05"
    # late, but done
    assert units["zhujian"]["materials"]["state"] == "late"
    assert units["jiaotong"]["talks"]["state"] == "late"
    # 市规划局 never finished 建章立制: the one lagging unit
    assert units["guihua"]["rules"]["state"] == "overdue"
    assert units["zhengfuban"]["dl_report"]["state"] == "waived"
    assert "special" not in units["fagaiwei"]  # applies to 窗口服务单位 only


def test_status_out_of_the_box_names_the_lagging_unit() -> None:
    result = runner.invoke(
        app, ["status", "--records", str(SAMPLE), "--as-of", "2026-11-21", "--format", "json"]
    )
    data = json.loads(result.stdout)
    assert data["summary"] == {"units": 7, "lagging": 1}
    assert data["units"][0]["id"] == "guihua"
    assert data["units"][0]["days_overdue"] == (date(2026, 11, 21) - date(2014, 8, 31)).days
