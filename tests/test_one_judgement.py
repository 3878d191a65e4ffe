"""One judgement, every output (CLI.md 1.2: "every number in a report is the number
``status``, ``status --by group`` and ``tally`` give for the same tree and date").

Over small generated trees and dates: a group's visits and visits per unit, its completion
counts and rate, each unit's light, and whether a leadership team's positive rate rose,
stayed or fell are the same in the status JSON, the office JSON, the group summary's and
the circular's contexts, the site's judged pages, the terminal's table and the workbook's
cells -- each output picks them from ``duchu.judge``, none counts them again.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duchu.judge.asof import Provenance
from duchu.judge.circular import office_circular
from duchu.judge.office import office_json, office_rollup
from duchu.judge.site import judge_for_site
from duchu.judge.status import status_json, unit_status
from duchu.judge.summary import group_summary
from duchu.messages import message
from duchu.records.load import load_tree
from duchu.records.tree import Tree
from duchu.render.circular import circular_context
from duchu.render.report import report_context
from duchu.render.site.pages import SiteBuilder
from duchu.render.text import UNIT_LIGHT as TEXT_LIGHT
from duchu.render.text import _change_style, _unit_row
from duchu.render.words import one_decimal, percent
from duchu.render.xlsx import UNIT_LIGHT as XLSX_LIGHT
from duchu.render.xlsx import _unit_state, compare_sheets
from tests.conftest import write_tree

CAMPAIGN = """\
name: 测试活动
year: 2014
warn_days: 7
meeting_kinds:
  coordination: 协调会
  mobilization: {name: 动员大会, appraisal: true}
  visit: 督导检查
  summary: {name: 总结大会, appraisal: true}
appraisal:
  team: 领导班子
  ratings: [好, 较好, 一般, 差]
  positive: [好, 较好]
  negative: [差]
  flag_at: 0.2
phases:
  - id: first
    name: 第一环节
    start: 2014-02-10
    due: 2014-03-31
    actions:
      - {id: plan, name: 审定实施方案, due: 2014-02-20}
      - {id: mobilization, name: 召开动员大会, due: 2014-02-28, meeting: mobilization}
      - {id: study, name: 专题学习, due: 2014-03-20}
      - {id: g_report, name: 报送督导报告, due: 2014-03-31, by: group}
  - id: last
    name: 第二环节
    start: 2014-04-01
    due: 2014-05-31
    actions:
      - {id: talks, name: 谈心谈话, due: 2014-04-30}
      - {id: summary, name: 召开总结大会, due: 2014-05-20, meeting: summary}
"""
GROUPS = {"g1": ("张某", ["赵某", "钱某"]), "g2": ("孙某", ["李某"])}
UNIT_ACTIONS = ("plan", "mobilization", "study", "talks", "summary")
FIRST_DAY = date(2014, 2, 10)
DAYS = 130  # to 6月下旬, past the campaign's end


def _day(offset: int) -> str:
    return (FIRST_DAY + timedelta(days=offset)).isoformat()


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    """A small tree: two groups, up to three units each, meetings of one unit, of several
    (``units:``) or of a whole group, some with the group's people there, some with
    appraisals; actions done on some day or not."""
    files = {"campaign.yaml": CAMPAIGN}
    units: dict[str, str] = {}
    for gid, (leader, members) in GROUPS.items():
        done = {a: _day(draw(st.integers(0, DAYS))) for a in ("g_report",) if draw(st.booleans())}
        done_text = "".join(f"\n  {k}: {v}" for k, v in done.items())
        files[f"groups/{gid}.yaml"] = (
            f"name: 督导组{gid}\nleader: {leader}\nmembers: [{', '.join(members)}]\n"
            + (f"done:{done_text}\n" if done else "")
        )
        for n in range(draw(st.integers(1, 3))):
            uid = f"{gid}u{n}"
            units[uid] = gid
            unit_done = {
                a: _day(draw(st.integers(0, DAYS)))
                for a in UNIT_ACTIONS
                if draw(st.integers(0, 3)) > 0
            }
            done_text = "".join(f"\n  {k}: {v}" for k, v in unit_done.items())
            files[f"units/{uid}.yaml"] = (
                f"name: 单位{uid}\ngroup: {gid}\nleaders:\n  - {{name: 王{uid}}}\n"
                + (f"done:{done_text}\n" if unit_done else "")
            )
    unit_ids = sorted(units)
    for m in range(draw(st.integers(0, 8))):
        shape = draw(st.sampled_from(["unit", "units", "group"]))
        if shape == "units" and len(unit_ids) >= 2:
            whose = draw(st.lists(st.sampled_from(unit_ids), min_size=2, max_size=3, unique=True))
            head = f"units: [{', '.join(whose)}]"
        elif shape == "group":
            gid = draw(st.sampled_from(sorted(GROUPS)))
            whose = [u for u in unit_ids if units[u] == gid]
            head = f"group: {gid}"
        else:
            whose = [draw(st.sampled_from(unit_ids))]
            head = f"unit: {whose[0]}"
        groups = sorted({units[u] for u in whose})
        people = [p for g in groups for p in [GROUPS[g][0], *GROUPS[g][1]]]
        attended = draw(st.lists(st.sampled_from(people), max_size=2, unique=True))
        kind = draw(st.sampled_from(["coordination", "mobilization", "visit", "summary"]))
        text = (
            f"date: {_day(draw(st.integers(0, DAYS)))}\n{head}\nkind: {kind}\n"
            f"attended_by: [{', '.join(attended)}]\n"
        )
        one_unit = head.startswith("unit:")
        if one_unit and kind in ("mobilization", "summary") and draw(st.booleans()):
            good, fair, bad = (draw(st.integers(0, 40)) for _ in range(3))
            text += (
                f"appraisal:\n  returned: {good + fair + bad}\n  invalid: 0\n  counts:\n"
                f"    领导班子: {{好: {good}, 较好: {fair}, 差: {bad}}}\n"
            )
        files[f"meetings/m{m}.yaml"] = text
    return files


def _provenance(day: date) -> Provenance:
    return Provenance(as_of=day)


def _check(tree: Tree, day: date) -> None:
    campaign = tree.campaign
    assert campaign is not None and not tree.errors(), [p.message("en") for p in tree.errors()]
    status = unit_status(tree, day)
    office = office_rollup(tree, status, None)
    office_data = office_json(office)
    status_data = status_json(status)
    site = judge_for_site(tree, day, lang="zh", git_facts=lambda: (_provenance(day), None))
    builder = SiteBuilder(site)

    # --- units' lights: status JSON, terminal, workbook, site ------------------------------
    lagging_json = {u["id"]: u["lagging"] for u in status_data["units"]}
    site_units = {u.id: u for u in site.status.units}
    for unit in status.units:
        assert (unit.light == "lagging") == lagging_json[unit.id]
        word = message(TEXT_LIGHT[unit.light][0], "zh")
        assert _unit_row(unit, {}, "zh")[1].plain == "● " + word
        cell = _unit_state(unit, "zh")
        assert cell.value == message(XLSX_LIGHT[unit.light][0], "zh") == word
        page = builder.unit_page(site_units[unit.id]).context["unit"]
        assert page["light"] == site_units[unit.id].light == unit.light

    # --- the office: its JSON, the site's rows, the units' own counts ----------------------
    site_rows = {r.id: r for r in site.office.groups}
    for row, data in zip(office.groups, office_data["groups"], strict=True):
        assert data["id"] == row.id
        assert data["due"] == sum(u.due for u in row.units)
        assert data["on_time"] + data["late"] == sum(u.done_of_due for u in row.units)
        # 1.2: what is due that very day and not done yet is due as well
        parts = data["on_time"] + data["late"] + data["overdue"] + data["due_today"]
        assert parts == data["due"]
        assert data["supervised"] == row.supervised
        shown = builder.group_row(site_rows[row.id])
        assert shown["attended"] == data["attended"] == row.attended
        assert shown["done_share"] == percent(row.done_share)

    # --- each phase: the group summaries and the circular agree ----------------------------
    for phase in campaign.phases:
        circular = circular_context(office_circular(tree, phase.id, day, None), _provenance(day))
        by_name = {g["name"]: g for g in circular["groups"]}
        for gid, group in tree.groups.items():
            summary = group_summary(tree, phase.id, gid, day)
            context = report_context(summary, _provenance(day))
            row = by_name[group.name]
            work = context["work"]
            assert row["attended"] == work["attended"] == summary.visits.meetings
            assert sum(p["count"] for p in context["practices"]) == work["attended"]
            if len(summary.unit_ids) > 0:
                assert row["per_unit"] == work["per_unit"] == one_decimal(summary.visits.per_unit)
            # 附件2's table: each unit's visits; its average is the one stated
            table = context["meetings_per_unit"]["rows"]
            assert sum(r["total"] for r in table) == summary.visits.unit_visits
            progress = context["progress"]
            assert (row["due"], row["done"]) == (progress["due"], progress["done"])
            assert row["done_rate"] == progress["done_rate"]
            if phase is campaign.phases[-1]:
                _check_rose_fell(tree, context, site, builder, gid)


def _check_rose_fell(
    tree: Tree, context: dict[str, Any], site: Any, builder: Any, gid: str
) -> None:
    """The team's rose/same/fell: the summary's sentence, the site's unit pages and the
    appraisals page, the terminal's colour and the workbook's change cells."""
    comparison = context["comparison"]
    team = comparison["team"]
    said = {
        **dict.fromkeys(comparison["team_rose"], "rose"),
        **dict.fromkeys(comparison["team_same"], "same"),
        **dict.fromkeys(comparison["team_fell"], "fell"),
    }
    css = {"good": "rose", "bad": "fell", "": "same"}
    ink = {"green": "rose", "red": "fell", None: "same"}
    own = [c for c in site.comparisons if tree.units[c.unit].group == gid]
    sheet = compare_sheets(own, [], lang="zh", unit_names={}, kind_names={})[0]
    cells = iter(sheet.rows)
    for item in own:
        label = tree.units[item.unit].label
        page = builder._comparison(item)
        for change, row in zip(item.subjects, page["rows"], strict=True):
            cell = next(cells)[8]
            shift = change.positive_shift
            if change.subject != team or shift is None:
                continue
            assert said[label] == shift.direction
            assert css[row["positive_css"]] == shift.direction
            style = _change_style(shift, good_when_up=True)
            assert {"green": "rose", "red": "fell", "": "same"}[style] == shift.direction
            assert ink[cell.ink] == shift.direction
            assert (cell.value > 0, cell.value < 0) == (
                shift.direction == "rose",
                shift.direction == "fell",
            )
    counts = builder.appraisals_page().context
    everyone = site.team.items
    assert counts["rose"] == sum(1 for _, s in everyone if s.direction == "rose")
    assert counts["same"] == sum(1 for _, s in everyone if s.direction == "same")
    assert counts["fell"] == sum(1 for _, s in everyone if s.direction == "fell")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=trees(), offset=st.integers(0, DAYS + 10))
def test_every_output_says_what_the_judge_decided(files: dict[str, str], offset: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "tree", files)
        tree = load_tree(root, use_cache=False)
        _check(tree, FIRST_DAY + timedelta(days=offset))


def test_the_sample_says_one_thing_everywhere() -> None:
    """The sample on a day in each phase, and after the campaign."""
    from tests.conftest import SAMPLE

    tree = load_tree(SAMPLE, use_cache=False)
    for day in (date(2014, 4, 25), date(2014, 6, 20), date(2014, 10, 15)):
        _check(tree, day)
