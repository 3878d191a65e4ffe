"""The facts of the activity office's circular (通报) on one phase across all its groups.

``circular_context`` turns the office rollup (``duchu.judge.office``) of the phase into plain data
for a template -- the same rows ``status --by group`` shows, never counted again -- plus the
comparisons a circular states: which groups move fastest and slowest, which supervise less
than the others, which report late. Every list may be empty and the template says so in
its own sentence, so the circular never states what the records do not hold.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from duchu.judge.asof import Provenance
from duchu.judge.circular import OfficeCircular
from duchu.judge.office import GroupRow
from duchu.judge.status import ActionStatus
from duchu.records.dates import format_deadline
from duchu.render.report import (
    earlier_overdue_context,
    next_phase_context,
    note_text,
    phase_context,
    provenance_context,
    sentence,
)
from duchu.render.words import (
    STATE_WORDS,
    action_cell,
    one_decimal,
    percent,
    zh_day,
)


def short_cell(status: ActionStatus) -> str:
    """An action's state in a narrow cell of a table of many units (附件): the date it was
    done, marked when late; for one not done, how long overdue, or that it is not due."""
    done = status.done
    if status.state == "done" and done is not None:
        return f"{done.month}月{done.day}日"
    if status.state == "late" and done is not None:
        return f"{done.month}月{done.day}日（逾期）"
    if status.state == "overdue":
        return f"未完成（{status.days_overdue}天）"
    if status.state == "waived":
        return "免做"
    return "未到期"


def office_name(issuer: str | None) -> str:
    """Who sends a circular: the office of the leading group the reports go to
    (中共××市委教育实践活动领导小组 → …领导小组办公室), else 活动办."""
    if not issuer:
        return "教育实践活动办公室"
    return issuer if issuer.endswith("办公室") else issuer + "办公室"


def month_day_short(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day is not None else ""


# A list of names in running text: the first few, then "等N个单位" (the count is the list's).
NAMED_AT_MOST = 5


def brief_names(names: list[str]) -> dict[str, Any]:
    """Names as a 通报 lists them: all of a few; of many, the first five and the count."""
    return {"names": names[:NAMED_AT_MOST], "count": len(names), "more": len(names) > NAMED_AT_MOST}


def milestone_words(name: str) -> tuple[str, str]:
    """An action's name as a milestone says it, done and not done: 召开动员大会 -> (召开了动员
    大会, 召开); any other -> (完成了“name”, 完成)."""
    for verb in ("召开", "制定", "开展", "报送"):
        if name.startswith(verb):
            return f"{verb}了{name[len(verb) :]}", verb
    return f"完成了“{name}”", "完成"


def inner_quotes(text: str) -> str:
    """Record text set inside the circular's own “”: its quotation marks become ‘’."""
    return text.replace("“", "‘").replace("”", "’")


def practice_text(notes: str) -> str:
    """A meeting's notes as the circular quotes them: without an opening fragment too short
    to stand after "在…上，" (上午召开。), which reads as a slip in a 通报."""
    text = note_text(notes)
    head, mark, rest = text.partition("。")
    if mark and rest and len(head) <= 6:
        return rest
    return text


def office_facts(
    circular: OfficeCircular,
    group_names: dict[str, str],
    unit_label: dict[str, str],
    kind_names: dict[str, str],
) -> dict[str, Any]:
    """What a 通报 states beyond the rollup's rows: milestones, the best groups, good
    practice, silence, findings, flagged subjects, breaches, the actions still to come."""
    office = circular.office
    milestones = []
    for m in circular.milestones:
        done_words, verb = milestone_words(m.planned.action.name)
        milestones.append(
            {
                "units": m.units,
                "done": m.done,
                "left": m.left,
                "all": m.done == m.units,
                "none": m.done == 0,
                "done_words": done_words,
                "verb": verb,
                "name": m.planned.action.name,
            }
        )
    return {
        "milestones": milestones,
        "best": [{"name": r.name, "done_rate": percent(r.done_share)} for r in office.fastest],
        "worst": [{"name": r.name, "done_rate": percent(r.done_share)} for r in office.slowest],
        "most_supervised": [
            {"name": r.name, "supervised": r.supervised} for r in circular.most_supervised
        ],
        "practices": [
            {
                "group": group_names.get(p.group, p.group),
                "unit": unit_label.get(p.unit, p.unit),
                "kind": kind_names.get(p.kind, p.kind),
                "day": month_day_short(p.day),
                "notes": sentence(practice_text(p.notes)),
            }
            for p in circular.practices[:3]
        ],
        "silent": [
            {
                "name": r.name,
                "days": r.silent_days,
                "last": month_day_short(r.last_report),
                "never": r.last_report is None,
            }
            for r in office.silent_groups
        ],
        "late_reporters": [
            {"name": r.name, "count": r.late_reports} for r in circular.late_reporters
        ],
        "report_within": office.report_within,
        "overdue_findings": [
            {
                "group": group_names.get(gid, gid),
                "unit": unit_label.get(f.unit, f.unit),
                "text": inner_quotes(note_text(f.finding.text)),
                "days": f.overdue_days,
            }
            for gid, f in circular.overdue_findings
        ],
        "unreminded": [
            {
                "group": group_names.get(gid, gid),
                "unit": unit_label.get(f.tally.unit, f.tally.unit),
                "subject": f.subject,
                "rate": percent(f.negative_rate),
            }
            for gid, f in circular.unreminded
        ],
        "breaches": [
            {
                "group": group_names.get(b.group, b.group),
                "unit": unit_label.get(b.unit, b.unit),
                "action": b.action.name,
                "before": b.before.name,
            }
            for b in circular.breaches
        ],
        "remaining": [
            {
                "name": p.action.name,
                "due": format_deadline(p.due, "zh"),
                "by_group": p.action.by == "group",
            }
            for p in circular.remaining
        ],
    }


def circular_context(circular: OfficeCircular, provenance: Provenance) -> dict[str, Any]:
    """Everything the built-in circular states, for one phase as of a date
    (``duchu.judge.circular.office_circular``), worded."""
    tree, campaign, office = circular.tree, circular.campaign, circular.office
    phase, as_of = circular.phase, circular.as_of
    kind_names = {kid: kind.name for kid, kind in campaign.meeting_kinds.items()}
    rows = office.groups
    warn_days = campaign.warn_days

    def group_data(rank: int, row: GroupRow) -> dict[str, Any]:
        delay = row.report_delay
        return {
            "rank": rank,
            "name": row.name,
            "leader": tree.groups[row.id].leader or "",
            "units": len(row.units),
            "unit_names": [u.unit.label for u in row.units],
            "lagging": row.lagging,
            "lagging_units": [u.unit.label for u in row.units if u.lagging],
            "days_overdue": row.days_overdue,
            "due": row.due,
            "done": row.done,
            "on_time": row.on_time,
            "late": row.late,
            "overdue": row.overdue,
            "due_today": row.due_today,
            "done_rate": percent(row.done_share),
            "attended": row.attended,
            "supervised": row.supervised,
            "per_unit": one_decimal(row.per_unit),
            "kinds": [
                {"name": kind_names.get(k, k), "count": n} for k, n in row.attended_by_kind.items()
            ],
            "last_change": zh_day(row.last_change) if row.last_change else "",
            "delay_median": delay.median_number if delay else None,
            "delay_max": delay.max if delay else None,
            "late_reporting": row.late_reporting,
            "notices_given": row.notices_given,
            "last_report": zh_day(row.last_report) if row.last_report else "",
            "silent_days": row.silent_days,
            "silent": row.silent,
            "late_reports": row.late_reports,
            "last_report_short": month_day_short(row.last_report),
            "lagging_brief": brief_names([u.unit.label for u in row.units if u.lagging]),
            "actions": [
                {
                    "name": a.planned.action.name,
                    "due": format_deadline(a.planned.due, "zh"),
                    "state": action_cell(a),
                    "behind": a.state in ("late", "overdue"),
                    "days": a.days_overdue or a.days_late,
                    "word": STATE_WORDS[a.state],
                    "pending": a.state in ("overdue", "due_soon", "open"),
                }
                for a in row.actions
            ],
        }

    groups = [group_data(i + 1, row) for i, row in enumerate(rows)]
    by_id = {row.id: data for row, data in zip(rows, groups, strict=True)}
    lagging_units = [
        {
            "group": row.name,
            "unit": u.unit.label,
            "days": u.days_overdue,
            "overdue": [
                {"name": a.planned.action.name, "days": a.days_overdue}
                for a in sorted(u.in_state("overdue"), key=lambda a: -a.days_overdue)
            ],
        }
        for row in rows
        for u in row.units
        if u.lagging
    ]
    unit_actions = [a for a in phase.phase.actions if a.by == "unit"]
    official = {gid: i for i, gid in enumerate(tree.groups)}
    progress = [
        {
            "group": row.name,
            "units": [
                {
                    "unit": u.unit.label,
                    # an action that does not apply to the unit (`applies_to`) has no state
                    "cells": [
                        cells.get(a.id, "不适用")
                        for cells in [{s.planned.id: short_cell(s) for s in u.actions}]
                        for a in unit_actions
                    ],
                }
                for u in row.units
            ],
        }
        for row in sorted(rows, key=lambda r: official[r.id])
    ]
    group_names = {gid: g.name for gid, g in tree.groups.items()}
    unit_label = {uid: u.label for uid, u in tree.units.items()}
    return {
        **office_facts(circular, group_names, unit_label, kind_names),
        "campaign": {"name": campaign.name, "issuer": campaign.issuer or ""},
        "office": office_name(campaign.issuer),
        "phase": phase_context(campaign, phase),
        "as_of": zh_day(as_of),
        "warn_days": warn_days,
        "totals": {
            "groups": len(rows),
            "units": office.units,
            "due": office.due,
            "done": office.done,
            "late": office.late,
            "overdue": office.overdue,
            "due_today": office.due_today,
            "done_rate": percent(office.done_share),
            "lagging": office.lagging,
            "attended": office.attended,
            "supervised": office.supervised,
            "notices_given": office.notices_given,
            "per_unit": one_decimal(office.per_unit),
            "kinds": [
                {"name": kind_names.get(k, k), "count": n}
                for k, n in office.attended_by_kind.items()
            ],
            "delays_known": any(r.report_delay is not None for r in rows),
        },
        "groups": groups,
        "fastest": [r.name for r in office.fastest],
        "slowest": [r.name for r in office.slowest],
        "few_visits": [by_id[r.id] for r in office.few_visits],
        "late_reporting": [g for g in groups if g["late_reporting"]],
        "silent_groups": [by_id[r.id] for r in office.silent_groups],
        "report_within": campaign.report_within,
        "supervision_marked": office.supervision_marked,
        "group_actions_behind": [
            {"group": g["name"], **a} for g in groups for a in g["actions"] if a["behind"]
        ],
        "lagging_units": lagging_units,
        # (1.2) units under a red notice (挂牌督办) whose action is still not done
        "red_units": [
            {"group": row.name, "unit": u.unit.label, "action": a.planned.action.name}
            for row in rows
            for u, a in row.stay_red
        ],
        "red_word": (campaign.notices.levels.get("red") if campaign.notices else None)
        or "挂牌督办",
        "earlier_overdue": earlier_overdue_context(campaign, circular.earlier_overdue, group_names),
        "action_names": [a.name for a in unit_actions],
        "progress": progress,
        "next_phase": next_phase_context(campaign, circular.next_phase),
        "provenance": provenance_context(provenance, as_of),
    }
