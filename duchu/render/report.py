"""The words of a phase summary (督导工作总结), for a template.

``report_context`` words what ``duchu.judge.summary`` judged -- the meetings and visits, the
progress, the findings, the appraisals and their comparison -- as plain data: dicts, lists,
text and numbers, dates already written as officials write them, so a template (built-in
or a records tree's own) needs no Python and cannot reach any. It counts nothing, never
reads the clock or runs git: the as-of date and the provenance (commit, uncommitted
changes) are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from duchu.judge.asof import Provenance
from duchu.judge.phase import EarlierOverdue, PhaseStanding
from duchu.judge.records_view import Records
from duchu.judge.summary import GroupSummary, HeldMeeting
from duchu.judge.tally import MeetingTally, UnitComparison
from duchu.judge.visits import Visits
from duchu.records.dates import Deadline, format_deadline, parse_deadline
from duchu.records.models import Campaign
from duchu.render.words import (
    STATE_WORDS,
    action_cell,
    chinese_number,
    one_decimal,
    percent,
    points,
    zh_day,
)

__all__ = [
    "STATE_WORDS",
    "action_cell",
    "chinese_number",
    "report_context",
    "zh_day",
]


def phase_context(campaign: Campaign, phase: PhaseStanding) -> dict[str, Any]:
    """A phase as a report names it: its name, its dates written out, its number in Chinese
    and whether it has begun and ended (the summary's and the circular's alike)."""
    return {
        "id": phase.phase.id,
        "name": phase.phase.name,
        "start": zh_day(phase.start) if phase.start else "",
        "due": zh_day(phase.due),
        "due_text": format_deadline(parse_deadline(phase.phase.due, campaign.calendar), "zh"),
        "number": chinese_number(phase.index + 1),
        "begun": phase.begun,
        "ended": phase.ended,
    }


def next_phase_context(
    campaign: Campaign, following: PhaseStanding | None
) -> dict[str, Any] | None:
    """The phase after the one reported on, with its actions and deadlines (None after the
    last), and whether it had begun by the as-of date."""
    if following is None:
        return None
    year = campaign.year
    start, due = following.start, following.due
    by_deadline: dict[str, list[str]] = {}  # actions due together, named together
    for action in following.phase.actions:
        deadline = short_deadline(parse_deadline(action.due, campaign.calendar), year)
        by_deadline.setdefault(deadline, []).append(
            ("督导组" if action.by == "group" else "") + action.name
        )
    return {
        "name": following.phase.name,
        "start": zh_day(start) if start else "",
        "due": zh_day(due),
        "start_short": month_day(start, year) if start else "",
        "due_short": month_day(due, year),
        "begun": following.begun,
        "ended": following.ended,  # its deadline passed: a 通报 urges no work already due
        "deadlines": [{"due": due, "actions": names} for due, names in by_deadline.items()],
        "actions": [
            {
                "name": a.name,
                "due": format_deadline(parse_deadline(a.due, campaign.calendar), "zh"),
                "by_group": a.by == "group",
            }
            for a in following.phase.actions
        ],
    }


def provenance_context(provenance: Provenance, as_of: date) -> dict[str, Any]:
    return {
        "as_of": zh_day(as_of),
        "commit": provenance.commit[:8] if provenance.commit else "",
        "dirty": provenance.dirty,
        "in_git": provenance.in_git,
    }


def meeting_units_label(tree: Records, meeting_id: str, group_units: list[str]) -> str:
    """Whose meeting it was, in a table cell: a unit's short name, several names, or all
    of the group's units."""
    units = [uid for uid in tree.meeting_units.get(meeting_id, ()) if uid in group_units]
    if len(units) > 1 and len(units) == len(group_units):
        return f"全部{len(units)}个单位"
    return "、".join(tree.units[uid].label for uid in units)


def month_day(day: date, year: int) -> str:
    """A day in running text: 2月19日 within the campaign's year, else with its year."""
    if day.year == year:
        return f"{day.month}月{day.day}日"
    return zh_day(day)


def short_deadline(deadline: Deadline, year: int) -> str:
    """A deadline in running text: the phrase as written (4月中旬), else 2月28日."""
    return deadline.text.strip() if deadline.is_phrase else month_day(deadline.day, year)


def note_text(text: str | None) -> str:
    """A record's note as one run of text: YAML block lines joined (Chinese wraps without
    spaces), surrounding blanks dropped."""
    if not text:
        return ""
    return "".join(line.strip() for line in text.splitlines()).strip()


def sentence(text: str) -> str:
    """A note set among others in running text ends as a sentence does."""
    return text if not text or text[-1] in "。！？；…" else text + "。"


def quoted(text: str) -> str:
    """Text set in “”: quotation marks inside it become ‘’, as Chinese nests them."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _span(days: list[date], year: int) -> str:
    """2月19日; 2月19日至28日 within a month; 3月18日至4月2日."""
    first, last = min(days), max(days)
    if first == last:
        return month_day(first, year)
    if (first.year, first.month) == (last.year, last.month) and first.year == year:
        return f"{month_day(first, year)}至{last.day}日"
    return f"{month_day(first, year)}至{month_day(last, year)}"


@dataclass(frozen=True)
class _Scope:
    """What one group summary is about, for the wording: the judged summary, its tree's
    names, the group's units in official order."""

    summary: GroupSummary

    @property
    def tree(self) -> Records:
        return self.summary.tree

    @property
    def campaign(self) -> Campaign:
        return self.summary.campaign

    @property
    def unit_ids(self) -> list[str]:
        return self.summary.unit_ids

    @property
    def year(self) -> int:
        return self.campaign.year

    def label(self, unit_id: str) -> str:
        return self.tree.units[unit_id].label

    def kind_name(self, kind: str) -> str:
        return (
            self.campaign.meeting_kinds[kind].name if kind in self.campaign.meeting_kinds else kind
        )

    def where(self, meeting_id: str, day: date) -> str:
        """Whose meeting and when, in running text: 市政府办（2月19日）."""
        units = meeting_units_label(self.tree, meeting_id, self.unit_ids)
        return f"{units}（{month_day(day, self.year)}）"


def _note_where(scope: _Scope, held: list[tuple[date, str]], of_kind: int) -> str:
    """Which meetings a note was recorded at, as briefly as is still exact: nothing when
    every meeting of the kind recorded it (the sentence before names them), else their
    units -- a group reports by unit, and the dates are in 附件2."""
    if len(held) == of_kind:  # every meeting of the kind, or the only one: said before
        return ""
    if len(held) > 1:
        positions = {uid: i for i, uid in enumerate(scope.unit_ids)}

        def first_unit(meeting_id: str) -> int:
            units = scope.tree.meeting_units.get(meeting_id, ())
            return min((positions[u] for u in units if u in positions), default=len(positions))

        in_order = sorted((mid for _, mid in held), key=first_unit)  # official, not by date
        return "、".join(
            dict.fromkeys(meeting_units_label(scope.tree, mid, scope.unit_ids) for mid in in_order)
        )
    return meeting_units_label(scope.tree, held[0][1], scope.unit_ids)


def _notes_in_order(
    scope: _Scope, notes: dict[str, list[tuple[date, str]]], of_kind: int
) -> list[dict[str, str]]:
    """The notes of one kind of meeting, each with where it was recorded. When every
    meeting has a note and most share one, that one comes last for 其余N个单位, so that a
    list of six units does not stand before a formula the drafter will shorten anyway."""
    items = [
        {"where": _note_where(scope, held, of_kind), "text": text} for text, held in notes.items()
    ]
    if len(notes) < 2 or sum(len(held) for held in notes.values()) != of_kind:
        return items
    common, held = max(notes.items(), key=lambda kv: len(kv[1]))
    one_unit_each = all(len(scope.tree.meeting_units.get(mid, ())) == 1 for _, mid in held)
    if len(held) < 3 or len(held) * 2 <= of_kind or not one_unit_each:
        return items
    rest = [item for item in items if item["text"] != common]
    return [*rest, {"where": f"其余{len(held)}个单位", "text": common}]


def _practices(scope: _Scope) -> list[dict[str, Any]]:
    """What the group did, kind by kind in the campaign's order (``KindPractice``): how
    many visits, when, which units, who of the group attended, and the notes recorded --
    identical notes given once with every meeting they stand for."""
    tree = scope.tree
    sections = []
    for practice in scope.summary.practices:
        notes: dict[str, list[tuple[date, str]]] = {}
        for day, mid, m in practice.meetings:
            text = sentence(note_text(m.notes))
            if text:
                notes.setdefault(text, []).append((day, mid))
        visits, units = practice.visits, practice.units
        sections.append(
            {
                "kind": scope.kind_name(practice.kind),
                "count": len(visits),
                "span": _span([d for d, _, _ in visits], scope.year) if visits else "",
                "units": [scope.label(uid) for uid in units],
                "all_units": len(units) == len(scope.unit_ids) and len(units) > 1,
                "everyone": practice.everyone,
                "present": practice.present,
                "people": practice.people,
                "not_attended": [scope.where(mid, d) for d, mid, _ in practice.not_visits],
                "absent": [
                    f"{meeting_units_label(tree, mid, scope.unit_ids)}{a.name}"
                    + (f"（{a.reason}）" if a.reason else "")
                    for _, mid, m in practice.meetings
                    for a in m.absent
                ],
                "notes": _notes_in_order(scope, notes, len(practice.meetings)),
            }
        )
    return sections


def _appraisal_data(
    scope: _Scope, tally: MeetingTally, reminded: set[tuple[str, str, str]]
) -> dict[str, Any]:
    """One appraisal for 附件: its forms and each subject's counts and rates; a flagged
    subject marked as needing a reminder talk, or as having had one (``reminded`` holds
    (meeting, unit, subject) of those with one on record)."""
    counts = tally.counts
    return {
        "date": month_day(tally.date, scope.year),
        "unit": scope.label(tally.unit),
        "kind": scope.kind_name(tally.kind),
        "distributed": counts.distributed if counts.distributed is not None else "—",
        "returned": counts.returned,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "subjects": [
            {
                "subject": s.subject,
                "counts": [s.counts[r] for r in scope.campaign.appraisal.ratings],
                "unrated": s.unrated,
                "positive_rate": percent(s.positive_rate),
                "negative_rate": percent(s.negative_rate),
                "flagged": s.flagged,
                "reminded": (tally.id, tally.unit, s.subject) in reminded,
            }
            for s in tally.subjects
        ],
    }


def _comparison_data(scope: _Scope, comparisons: list[UnitComparison]) -> dict[str, Any]:
    """Before/after appraisal of each unit (its first and last appraised meetings), and how
    its leadership team's rate of positive ratings moved -- the sentence of the last phase:
    rose, same or fell as the change is shown (``duchu.judge.rates``)."""
    team = scope.campaign.appraisal.team
    moved: dict[str, list[str]] = {"rose": [], "same": [], "fell": []}
    rows = []
    for comparison in comparisons:
        label = scope.label(comparison.unit)
        for change in comparison.subjects:
            before, after = change.before, change.after
            shift = change.positive_shift
            rows.append(
                {
                    "unit": label,
                    "subject": change.subject,
                    "before": percent(before.positive_rate) if before else "—",
                    "after": percent(after.positive_rate) if after else "—",
                    "change": points(shift),
                    "before_negative": percent(before.negative_rate) if before else "—",
                    "after_negative": percent(after.negative_rate) if after else "—",
                }
            )
            if change.subject == team and shift is not None:
                moved[shift.direction].append(label)
    first = comparisons[0] if comparisons else None
    return {
        "team": team,
        "units": len(comparisons),
        "rows": rows,
        "team_rose": moved["rose"],
        "team_same": moved["same"],
        "team_fell": moved["fell"],
        "before_kind": scope.kind_name(first.before.kind) if first else "",
        "after_kind": scope.kind_name(first.after.kind) if first else "",
    }


def _findings(scope: _Scope) -> list[dict[str, Any]]:
    """The findings the summary reports (``GroupSummary.findings``), worded."""
    year = scope.year
    return [
        {
            "unit": scope.label(item.unit),
            "text": item.finding.text,
            "quoted": quoted(item.finding.text),
            "found": month_day(item.found, year) if item.found else "",
            "owner": item.finding.owner or "",
            "due": format_deadline(item.deadline, "zh") if item.deadline else "",
            "due_short": short_deadline(item.deadline, year) if item.deadline else "",
            "resolved": month_day(item.resolved, year) if item.resolved else "",
            "on_time": item.on_time,
            "overdue_days": item.overdue_days,
        }
        for item in scope.summary.findings
    ]


def _progress(scope: _Scope) -> dict[str, Any]:
    """Where the units stand on the phase's actions: the counts of the sentence in 基本情况,
    the late, lagging and waived actions by name, the records' notes on the actions done,
    the procedure breaches (``after``), and the rows of 附件1."""
    tree = scope.tree
    names = {a.id: a.name for p in scope.campaign.phases for a in p.actions}
    judged = scope.summary.progress
    units = judged.units
    late, lagging, waived, done_notes, breaches, rows = [], [], [], [], [], []
    for u in units:
        record = tree.units[u.id]
        label = u.unit.label
        overdue = u.in_state("overdue")
        if overdue:
            lagging.append(
                {
                    "unit": label,
                    "overdue": [
                        {"name": a.planned.action.name, "days": a.days_overdue} for a in overdue
                    ],
                }
            )
        for a in u.actions:
            action = a.planned.action
            note = ""
            if a.state == "late" and a.done is not None:
                late.append(
                    {
                        "unit": label,
                        "name": action.name,
                        "days": a.days_late,
                        "done": month_day(a.done, scope.year),
                    }
                )
            if a.state == "waived":
                note = note_text(record.waived.get(action.id))
                waived.append({"unit": label, "name": action.name, "reason": note})
            entry = record.done.get(action.id)
            if a.state in ("done", "late") and entry is not None and entry.note:
                note = note_text(entry.note)
                done_notes.append({"unit": label, "name": action.name, "note": sentence(note)})
            for problem in a.problems:
                before_id = problem.split(":", 1)[1]
                breaches.append(
                    {"unit": label, "name": action.name, "before": names.get(before_id, before_id)}
                )
                note = "；".join(
                    filter(None, [note, f"早于“{names.get(before_id, before_id)}”完成"])
                )
            rows.append(
                {
                    "unit": label,
                    "name": action.name,
                    "due": format_deadline(a.planned.due, "zh"),
                    "state": action_cell(a),
                    "note": note,
                }
            )
    return {
        "due": judged.due,
        "done": judged.done,
        "done_rate": percent(judged.done_share),
        "late_count": len(judged.late),
        "overdue_count": judged.overdue,
        "due_today": judged.due_today,
        "pending": judged.pending,
        "units_with_due": judged.units_with_due,
        "on_time_units": [u.unit.label for u in judged.on_time_units],
        "all_finished": judged.all_finished,
        "late": late,
        "late_units": list(dict.fromkeys(item["unit"] for item in late)),
        "late_by_unit": [
            {"unit": unit, "actions": [item for item in late if item["unit"] == unit]}
            for unit in dict.fromkeys(item["unit"] for item in late)
        ],
        "lagging": lagging,
        "waived": waived,
        "done_notes": done_notes,
        "breaches": breaches,
        "rows": rows,
    }


def _group_actions(scope: _Scope) -> list[dict[str, Any]]:
    group = scope.summary.group
    actions = []
    for a in scope.summary.group_actions:
        if True:
            entry = group.done.get(a.planned.id)
            actions.append(
                {
                    "name": a.planned.action.name,
                    "due": format_deadline(a.planned.due, "zh"),
                    "state": a.state,
                    "done": month_day(a.done, scope.year) if a.done else "",
                    "note": note_text(entry.note) if entry is not None else "",
                    "days_late": a.days_late,
                    "days_overdue": a.days_overdue,
                    # the summary is itself this report: it never asks for it
                    "own": a.planned.id in scope.summary.own_reports,
                }
            )
    return actions


def earlier_overdue_context(
    campaign: Campaign, items: list[EarlierOverdue], group_names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Actions of earlier phases still overdue (``duchu.judge.phase.earlier_overdue``),
    unit by unit; with ``group_names``, each with its group's name (the circular)."""
    phase_names = {p.id: p.name for p in campaign.phases}
    words = []
    for item in items:
        unit = item.unit
        words.append(
            {
                **(
                    {"group": group_names.get(unit.unit.group, unit.unit.group)}
                    if group_names is not None
                    else {}
                ),
                "unit": unit.unit.label,
                "overdue": [
                    {
                        "name": a.planned.action.name,
                        "phase": phase_names[a.planned.phase_id],
                        "days": a.days_overdue,
                        **(
                            {}
                            if group_names is not None
                            else {"due": format_deadline(a.planned.due, "zh")}
                        ),
                    }
                    for a in item.actions
                ],
            }
        )
    return words


def _work_totals(
    scope: _Scope, visits: Visits, meetings: list[HeldMeeting], people: int | None
) -> dict[str, Any]:
    """The group's supervision in a set of meetings, as judged (``duchu.judge.visits``):
    the visits, by kind in the campaign's order, per unit on average, the meetings it did
    not attend, and the people it talked with."""
    return {
        "attended": visits.meetings,
        "supervised": visits.supervised,  # 督查次数 (``duchu.judge.visits``)
        "not_attended": len(meetings) - visits.meetings,
        "per_unit": one_decimal(visits.per_unit) if visits.units else "0",
        "kinds": [{"name": scope.kind_name(k), "count": n} for k, n in visits.by_kind.items()],
        "people": people,
    }


def _meetings_per_unit(scope: _Scope) -> dict[str, Any]:
    """For 附件2: each unit's visits by kind (``GroupSummary.unit_kinds``); a meeting of
    several units counts for each of them."""
    held = scope.summary.kinds_held
    rows = []
    for uid in scope.unit_ids:
        kinds = scope.summary.unit_kinds[uid]
        rows.append(
            {
                "unit": scope.label(uid),
                "counts": [kinds.get(k, 0) for k in held],
                "total": scope.summary.unit_supervised[uid],  # its 督查, as judged
            }
        )
    return {
        "kinds": [scope.kind_name(k) for k in held],
        "rows": rows,
        "supervision_marked": scope.summary.supervision_marked,
    }


def report_context(summary: GroupSummary, provenance: Provenance) -> dict[str, Any]:
    """Everything the built-in group summary states, for one phase and group as of a date
    (``duchu.judge.summary.group_summary``), worded.

    Every list may be empty and every count zero; the template has a sentence for each
    case, so the summary never states what the records do not hold."""
    scope = _Scope(summary)
    tree, campaign, group = summary.tree, summary.campaign, summary.group
    phase, as_of, year = summary.phase, summary.as_of, summary.campaign.year
    start, due = phase.start, phase.due
    flagged = [
        {
            "unit": scope.label(item.tally.unit),
            "subject": item.subject,
            "kind": scope.kind_name(item.tally.kind),
            "date": month_day(item.tally.date, year),
            "negative_rate": percent(item.negative_rate),
            "reminded": month_day(item.reminded, year) if item.reminded else "",
        }
        for item in summary.flagged
    ]
    progress = _progress(scope)
    findings = _findings(scope)
    comparisons = summary.comparisons or []
    attachments = {
        "progress": bool(progress["rows"]),
        "meetings": bool(summary.meetings),
        "appraisals": bool(summary.tallies or comparisons),
        "findings": bool(findings),
    }
    numbers, titles = dict.fromkeys(attachments, 0), []  # 0: no such attachment
    title_of = {
        "progress": "各单位规定动作完成情况",
        "meetings": "督导组参加会议和督导检查情况",
        "appraisals": "民主评议情况",
        "findings": "发现问题及整改情况",
    }
    for key, present in attachments.items():
        if present:
            titles.append(title_of[key])
            numbers[key] = len(titles)
    appraisal = summary.appraisal
    return {
        "campaign": {"name": campaign.name, "issuer": campaign.issuer or ""},
        "group": {
            "id": summary.group_id,
            "name": group.name,
            "leader": group.leader or "",
            "members": [m for m in summary.members if m != group.leader],
        },
        "phase": {
            **phase_context(campaign, phase),
            "start_short": month_day(start, year) if start else "",
            "due_short": month_day(due, year),
            "due_words": short_deadline(parse_deadline(phase.phase.due, campaign.calendar), year),
            "running": phase.running,
            "last": phase.last,
        },
        "as_of": zh_day(as_of),
        "units": [
            {
                "name": tree.units[uid].name,
                "short": scope.label(uid),
                "category": tree.units[uid].category or "",
                "leaders": len(tree.units[uid].leaders),
            }
            for uid in summary.unit_ids
        ],
        "work": _work_totals(scope, summary.visits, summary.meetings, summary.people),
        "campaign_work": None
        if summary.campaign_visits is None
        else _work_totals(
            scope, summary.campaign_visits, summary.campaign_meetings, summary.campaign_people
        ),
        "practices": _practices(scope),
        "progress": progress,
        "lagging": progress["lagging"],  # as the 1.0 template named it: users' templates use it
        "group_actions": _group_actions(scope),
        "earlier_overdue": earlier_overdue_context(campaign, summary.earlier_overdue),
        "findings": findings,
        "rectified": [f for f in findings if f["resolved"]],
        "open_findings": [f for f in findings if not f["resolved"]],
        "appraisal": {
            "meetings": appraisal.meetings,
            "units": appraisal.units,
            "kinds": [scope.kind_name(k) for k in appraisal.kinds],
            "distributed": appraisal.distributed,
            "returned": appraisal.returned,
            "valid": appraisal.valid,
        },
        "appraisals": [_appraisal_data(scope, t, summary.reminded) for t in summary.tallies],
        "comparison": _comparison_data(scope, comparisons)
        if summary.comparisons is not None
        else None,
        "ratings": list(campaign.appraisal.ratings),
        "flag_at": percent(summary.flag_at),
        "flagged": flagged,
        "meetings": [
            {
                "date": month_day(day, year),
                "unit": meeting_units_label(tree, mid, summary.unit_ids),
                "kind": scope.kind_name(m.kind),
                "title": m.title or "",
                "attended_by": "、".join(m.attended_by) or "未派员参加",
            }
            for day, mid, m in summary.meetings
        ],
        "meetings_per_unit": _meetings_per_unit(scope),
        "attachments": numbers,
        "attachment_titles": titles,
        "next_phase": next_phase_context(campaign, summary.next_phase),
        "provenance": provenance_context(provenance, as_of),
    }
