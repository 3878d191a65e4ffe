"""The facts of a phase summary (督导工作总结), gathered from the records for a template.

``report_context`` returns plain data -- dicts, lists, text and numbers, dates already
written as officials write them -- so a template (built-in or a records tree's own) needs no
Python and cannot reach any. It never reads the clock or runs git: the as-of date and the
provenance (commit, uncommitted changes) are passed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from duchu.appraisal import exact_fraction, percent
from duchu.dates import format_date, format_deadline, parse_date, parse_deadline
from duchu.loader import Tree
from duchu.models import Campaign, Phase
from duchu.status import ActionStatus, UnknownIdError, unit_status
from duchu.tally import tally_meetings

STATE_WORDS = {
    "done": "按时完成",
    "late": "逾期完成",
    "overdue": "逾期未完成",
    "due_soon": "临近截止",
    "open": "未到期",
    "waived": "免做",
}
CHINESE_NUMERALS = "〇一二三四五六七八九十"


@dataclass(frozen=True)
class Provenance:
    """Where the records came from: the commit checked out, if any, and whether the tree
    had uncommitted changes."""

    commit: str | None = None
    dirty: bool = False
    in_git: bool = False


def chinese_number(number: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十: for section numbers and counts in running text."""
    if number <= 10:
        return CHINESE_NUMERALS[number]
    tens, ones = divmod(number, 10)
    if number < 20:
        return "十" + (CHINESE_NUMERALS[ones] if ones else "")
    if number < 100:
        return CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")
    return str(number)


def zh_day(day: date) -> str:
    return format_date(day, "zh")


def action_cell(status: ActionStatus) -> str:
    word = STATE_WORDS[status.state]
    if status.state in ("done", "late") and status.done is not None:
        word += f"（{status.done.month}月{status.done.day}日）"
    if status.state == "overdue":
        word += f"（{status.days_overdue}天）"
    return word


def phase_window(phase: Phase, year: int) -> tuple[date | None, date]:
    """A phase's first day (None when it has no start) and its deadline."""
    start = parse_deadline(phase.start, year, "start").day if phase.start else None
    return start, parse_deadline(phase.due, year).day


def next_phase_context(campaign: Campaign, index: int) -> dict[str, Any] | None:
    """The phase after the one at ``index``, with its actions and deadlines (None after the
    last)."""
    if index + 1 >= len(campaign.phases):
        return None
    following = campaign.phases[index + 1]
    year = campaign.year
    start, due = phase_window(following, year)
    return {
        "name": following.name,
        "start": zh_day(start) if start else "",
        "due": zh_day(due),
        "actions": [
            {
                "name": a.name,
                "due": format_deadline(parse_deadline(a.due, year), "zh"),
                "by_group": a.by == "group",
            }
            for a in following.actions
        ],
    }


def provenance_context(provenance: Provenance, as_of: date) -> dict[str, Any]:
    return {
        "as_of": zh_day(as_of),
        "commit": provenance.commit[:8] if provenance.commit else "",
        "dirty": provenance.dirty,
        "in_git": provenance.in_git,
    }


def meeting_units_label(tree: Tree, meeting_id: str, group_units: list[str]) -> str:
    """Whose meeting it was, in a table cell: a unit's short name, several names, or all
    of the group's units."""
    units = [uid for uid in tree.meeting_units.get(meeting_id, ()) if uid in group_units]
    if len(units) > 1 and len(units) == len(group_units):
        return f"全部{len(units)}个单位"
    return "、".join(tree.units[uid].label for uid in units)


def report_context(
    tree: Tree, phase_id: str, group_id: str | None, as_of: date, provenance: Provenance
) -> dict[str, Any]:
    """Everything the built-in report states, for one phase (and group) as of a date."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    phases = {p.id: p for p in campaign.phases}
    if phase_id not in phases:
        raise UnknownIdError("phase", phase_id)
    if group_id is None:
        if len(tree.groups) != 1:
            raise UnknownIdError("group", "")
        group_id = next(iter(tree.groups))
    group = tree.groups.get(group_id)
    if group is None:
        raise UnknownIdError("group", group_id)
    phase = phases[phase_id]
    year = campaign.year
    start, due = phase_window(phase, year)
    window_start = start or date.min
    window_end = min(due, as_of)
    unit_ids = [uid for uid, unit in tree.units.items() if unit.group == group_id]
    kind_names = {kid: kind.name for kid, kind in campaign.meeting_kinds.items()}
    kind_order = {kid: i for i, kid in enumerate(kind_names)}
    unit_order = {uid: i for i, uid in enumerate(unit_ids)}

    status = unit_status(tree, as_of, group=group_id, phase=phase_id)
    meetings = sorted(
        (
            (parse_date(m.date, year), mid, m)
            for mid, m in tree.meetings.items()
            if set(tree.meeting_units.get(mid, ())) & set(unit_ids)
            and window_start <= parse_date(m.date, year) <= window_end
        ),
        key=lambda item: (item[0], item[1]),
    )
    kinds_held = Counter(m.kind for _, _, m in meetings)
    # a meeting of several units is listed once, and counted for each of them
    per_unit_kinds = {
        uid: Counter(m.kind for _, mid, m in meetings if uid in tree.meeting_units[mid])
        for uid in unit_ids
    }
    meeting_ids = [mid for _, mid, m in meetings if mid in tree.appraisals]
    tallies = tally_meetings(tree, meeting_ids) if meeting_ids else []

    phase_index = campaign.phases.index(phase)

    def unit_label(uid: str) -> str:
        return tree.units[uid].label

    findings = []
    for uid in unit_ids:
        for finding in tree.units[uid].findings:
            found = parse_date(finding.found, year) if finding.found else None
            resolved = parse_date(finding.resolved, year) if finding.resolved else None
            if (found is None or found <= as_of) and (resolved is None or resolved > as_of):
                deadline = parse_deadline(finding.due, year) if finding.due else None
                findings.append(
                    {
                        "unit": unit_label(uid),
                        "text": finding.text,
                        "found": zh_day(found) if found else "—",
                        "owner": finding.owner or "—",
                        "due": format_deadline(deadline, "zh") if deadline else "—",
                        "overdue": deadline is not None and deadline.day < as_of,
                    }
                )

    lagging = [u for u in status.units if u.lagging]
    all_done = [
        u
        for u in status.units
        if all(a.state in ("done", "waived") for a in u.actions) and u.actions
    ]
    planned_names = {a.planned.id: a.planned.action.name for u in status.units for a in u.actions}
    return {
        "campaign": {"name": campaign.name, "issuer": campaign.issuer or ""},
        "group": {
            "id": group_id,
            "name": group.name,
            "leader": group.leader or "",
            "members": [m for m in group.members if m != group.leader],
        },
        "phase": {
            "id": phase.id,
            "name": phase.name,
            "start": zh_day(start) if start else "",
            "due": zh_day(due),
            "due_text": format_deadline(parse_deadline(phase.due, year), "zh"),
            "number": chinese_number(phase_index + 1),
        },
        "as_of": zh_day(as_of),
        "units": [
            {
                "name": tree.units[uid].name,
                "short": unit_label(uid),
                "category": tree.units[uid].category or "",
                "leaders": len(tree.units[uid].leaders),
            }
            for uid in unit_ids
        ],
        "meetings": [
            {
                "date": zh_day(day),
                "unit": meeting_units_label(tree, mid, unit_ids),
                "kind": kind_names.get(m.kind, m.kind),
                "title": m.title or "",
                "attended_by": "、".join(m.attended_by) or "—",
            }
            for day, mid, m in meetings
        ],
        "meeting_kinds": [
            {"name": kind_names.get(kind, kind), "count": count}
            for kind, count in sorted(
                kinds_held.items(),
                key=lambda kv: kind_order.get(kv[0], len(kind_order)),
            )
        ],
        "kind_columns": [kind_names.get(k, k) for k in kind_names if kinds_held.get(k)],
        "meetings_per_unit": [
            {
                "unit": unit_label(uid),
                "counts": [per_unit_kinds[uid].get(k, 0) for k in kind_names if kinds_held.get(k)],
                "total": sum(per_unit_kinds[uid].values()),
            }
            for uid in unit_ids
        ],
        "actions": [
            {"name": a.planned.action.name, "due": format_deadline(a.planned.due, "zh")}
            for a in (status.units[0].actions if status.units else [])
        ],
        "progress": [
            {
                "unit": u.unit.label,
                "actions": [
                    {
                        "name": a.planned.action.name,
                        "due": format_deadline(a.planned.due, "zh"),
                        "state": action_cell(a),
                        "problems": [planned_names.get(p.split(":", 1)[1], p) for p in a.problems],
                    }
                    for a in u.actions
                ],
                "lagging": u.lagging,
            }
            for u in sorted(status.units, key=lambda u: unit_order[u.id])
        ],
        "lagging": [
            {
                "unit": u.unit.label,
                "overdue": [
                    {"name": a.planned.action.name, "days": a.days_overdue}
                    for a in u.in_state("overdue")
                ],
            }
            for u in lagging
        ],
        "all_done_count": len(all_done),
        "late": [
            {"unit": u.unit.label, "actions": [a.planned.action.name for a in u.in_state("late")]}
            for u in sorted(status.units, key=lambda u: unit_order[u.id])
            if u.in_state("late")
        ],
        "group_actions": [
            {
                "name": a.planned.action.name,
                "due": format_deadline(a.planned.due, "zh"),
                "state": action_cell(a),
            }
            for g in status.groups
            for a in g.actions
        ],
        "appraisals": [
            {
                "date": zh_day(t.date),
                "unit": unit_label(t.unit),
                "kind": kind_names.get(t.kind, t.kind),
                "distributed": t.counts.distributed if t.counts.distributed is not None else "—",
                "returned": t.counts.returned,
                "valid": t.counts.valid,
                "invalid": t.counts.invalid,
                "subjects": [
                    {
                        "subject": s.subject,
                        "counts": [s.counts[r] for r in campaign.appraisal.ratings],
                        "unrated": s.unrated,
                        "positive_rate": percent(s.positive_rate),
                        "negative_rate": percent(s.negative_rate),
                        "flagged": s.flagged,
                    }
                    for s in t.subjects
                ],
            }
            for t in tallies
        ],
        "ratings": list(campaign.appraisal.ratings),
        "flag_at": percent(exact_fraction(campaign.appraisal.flag_at)),
        "flagged": [
            {
                "unit": unit_label(t.unit),
                "kind": kind_names.get(t.kind, t.kind),
                "subject": s.subject,
                "negative_rate": percent(s.negative_rate),
            }
            for t in tallies
            for s in t.subjects
            if s.flagged
        ],
        "findings": findings,
        "next_phase": next_phase_context(campaign, phase_index),
        "provenance": provenance_context(provenance, as_of),
    }
