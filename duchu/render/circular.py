"""The facts of the activity office's circular (通报) on one phase across all its groups.

``circular_context`` turns the office rollup (``duchu.judge.office``) of the phase into plain data
for a template -- the same rows ``status --by group`` shows, never counted again -- plus the
comparisons a circular states: which groups move fastest and slowest, which supervise less
than the others, which report late. Every list may be empty and the template says so in
its own sentence, so the circular never states what the records do not hold.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from duchu.judge.office import FileDates, GroupRow, office_rollup
from duchu.judge.status import ActionStatus, UnknownIdError, unit_status
from duchu.records.ballots import percent
from duchu.records.dates import format_deadline, parse_deadline
from duchu.records.load import Tree
from duchu.render.report import (
    STATE_WORDS,
    Provenance,
    action_cell,
    chinese_number,
    next_phase_context,
    phase_window,
    provenance_context,
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


def _per_unit(row: GroupRow) -> Fraction:
    return Fraction(row.attended, len(row.units)) if row.units else Fraction(0)


def _one_decimal(value: Fraction) -> str:
    return f"{float(value):.1f}".removesuffix(".0")


def circular_context(
    tree: Tree,
    phase_id: str,
    as_of: date,
    provenance: Provenance,
    file_dates: FileDates | None,
    *,
    known_commit: str | None = None,
) -> dict[str, Any]:
    """Everything the built-in circular states, for one phase as of a date."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    phases = {p.id: p for p in campaign.phases}
    if phase_id not in phases:
        raise UnknownIdError("phase", phase_id)
    phase = phases[phase_id]
    year = campaign.year
    start, due = phase_window(phase, year)
    status = unit_status(tree, as_of, phase=phase_id)
    office = office_rollup(
        tree,
        status,
        file_dates,
        known=known_commit is not None,
        commit=known_commit,
        since=start,
        until=min(due, as_of),
    )
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
            "done": row.on_time + row.late,
            "on_time": row.on_time,
            "late": row.late,
            "overdue": row.overdue,
            "done_rate": percent(row.done_share) if row.done_share is not None else "—",
            "attended": row.attended,
            "per_unit": _one_decimal(_per_unit(row)),
            "kinds": [
                {"name": kind_names.get(k, k), "count": n} for k, n in row.attended_by_kind.items()
            ],
            "last_change": zh_day(row.last_change) if row.last_change else "",
            "delay_median": delay.median_number if delay else None,
            "delay_max": delay.max if delay else None,
            "late_reporting": delay is not None and delay.median > warn_days,
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
    due_total = sum(r.due for r in rows)
    done_total = sum(r.on_time + r.late for r in rows)
    kinds_total: dict[str, int] = {}
    for row in rows:
        for kind, count in row.attended_by_kind.items():
            kinds_total[kind] = kinds_total.get(kind, 0) + count
    kind_place = {kid: i for i, kid in enumerate(kind_names)}

    # comparisons between groups: only where there are groups to compare
    rated = [r for r in rows if r.done_share is not None]
    fastest: list[str] = []
    slowest: list[str] = []
    if len(rated) >= 2:
        best = max(r.done_share for r in rated if r.done_share is not None)
        worst = min(r.done_share for r in rated if r.done_share is not None)
        if best != worst:
            fastest = [r.name for r in rated if r.done_share == best]
            slowest = [r.name for r in rated if r.done_share == worst]
    units_total = sum(len(r.units) for r in rows)
    visits_total = sum(r.attended for r in rows)
    average = Fraction(visits_total, units_total) if units_total else Fraction(0)
    few_visits = (
        [g for g, r in zip(groups, rows, strict=True) if r.units and _per_unit(r) < average]
        if len(rows) >= 2
        else []
    )
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
    action_names = [a.name for a in phase.actions if a.by == "unit"]
    unit_action_ids = [a.id for a in phase.actions if a.by == "unit"]
    progress = [
        {
            "group": row.name,
            "units": [
                {
                    "unit": u.unit.label,
                    # an action that does not apply to the unit (`applies_to`) has no state
                    "cells": [
                        cells.get(aid, "不适用")
                        for cells in [{a.planned.id: short_cell(a) for a in u.actions}]
                        for aid in unit_action_ids
                    ],
                }
                for u in row.units
            ],
        }
        for row in sorted(rows, key=lambda r: list(tree.groups).index(r.id))
    ]

    phase_index = campaign.phases.index(phase)
    # the last phase's circular covers the whole campaign: what is still overdue from the
    # phases before it
    earlier_overdue: list[dict[str, Any]] = []
    if phase_index == len(campaign.phases) - 1:
        phase_names = {p.id: p.name for p in campaign.phases}
        whole = unit_status(tree, as_of)
        group_names = {gid: g.name for gid, g in tree.groups.items()}
        for u in sorted(whole.units, key=lambda u: u.position):
            overdue = [a for a in u.in_state("overdue") if a.planned.phase_id != phase_id]
            if overdue:
                earlier_overdue.append(
                    {
                        "group": group_names.get(u.unit.group, u.unit.group),
                        "unit": u.unit.label,
                        "overdue": [
                            {
                                "name": a.planned.action.name,
                                "phase": phase_names[a.planned.phase_id],
                                "days": a.days_overdue,
                            }
                            for a in overdue
                        ],
                    }
                )
    return {
        "campaign": {"name": campaign.name, "issuer": campaign.issuer or ""},
        "office": office_name(campaign.issuer),
        "phase": {
            "id": phase.id,
            "name": phase.name,
            "start": zh_day(start) if start else "",
            "due": zh_day(due),
            "due_text": format_deadline(parse_deadline(phase.due, year), "zh"),
            "number": chinese_number(phase_index + 1),
            "begun": start is None or start <= as_of,
            "ended": due < as_of,
        },
        "as_of": zh_day(as_of),
        "warn_days": warn_days,
        "totals": {
            "groups": len(rows),
            "units": units_total,
            "due": due_total,
            "done": done_total,
            "late": sum(r.late for r in rows),
            "overdue": sum(r.overdue for r in rows),
            "done_rate": percent(Fraction(done_total, due_total)) if due_total else "—",
            "lagging": office.lagging,
            "attended": visits_total,
            "per_unit": _one_decimal(average),
            "kinds": [
                {"name": kind_names.get(k, k), "count": n}
                for k, n in sorted(kinds_total.items(), key=lambda kv: kind_place.get(kv[0], 99))
            ],
            "delays_known": any(r.report_delay is not None for r in rows),
        },
        "groups": groups,
        "fastest": fastest,
        "slowest": slowest,
        "few_visits": few_visits,
        "late_reporting": [g for g in groups if g["late_reporting"]],
        "group_actions_behind": [
            {"group": g["name"], **a} for g in groups for a in g["actions"] if a["behind"]
        ],
        "lagging_units": lagging_units,
        "earlier_overdue": earlier_overdue,
        "action_names": action_names,
        "progress": progress,
        "next_phase": next_phase_context(campaign, phase_index, as_of),
        "provenance": provenance_context(provenance, as_of),
    }
