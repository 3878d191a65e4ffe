"""The facts of the activity office's circular (通报) on one phase across all its groups.

``circular_context`` turns the office rollup (``duchu.judge.office``) of the phase into plain data
for a template -- the same rows ``status --by group`` shows, never counted again -- plus the
comparisons a circular states: which groups move fastest and slowest, which supervise less
than the others, which report late. Every list may be empty and the template says so in
its own sentence, so the circular never states what the records do not hold.
"""

from __future__ import annotations

from typing import Any

from duchu.judge.asof import Provenance
from duchu.judge.circular import OfficeCircular
from duchu.judge.office import GroupRow
from duchu.judge.status import ActionStatus
from duchu.records.dates import format_deadline
from duchu.render.report import (
    earlier_overdue_context,
    next_phase_context,
    phase_context,
    provenance_context,
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
            "last_report": zh_day(row.last_report) if row.last_report else "",
            "silent_days": row.silent_days,
            "silent": row.silent,
            "late_reports": row.late_reports,
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
    return {
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
        "supervision_marked": any(k.supervision for k in campaign.meeting_kinds.values()),
        "group_actions_behind": [
            {"group": g["name"], **a} for g in groups for a in g["actions"] if a["behind"]
        ],
        "lagging_units": lagging_units,
        "earlier_overdue": earlier_overdue_context(campaign, circular.earlier_overdue, group_names),
        "action_names": [a.name for a in unit_actions],
        "progress": progress,
        "next_phase": next_phase_context(campaign, circular.next_phase),
        "provenance": provenance_context(provenance, as_of),
    }
