"""The facts of a phase summary (督导工作总结), gathered from the records for a template.

``report_context`` returns plain data -- dicts, lists, text and numbers, dates already
written as officials write them -- so a template (built-in or a records tree's own) needs no
Python and cannot reach any. It never reads the clock or runs git: the as-of date and the
provenance (commit, uncommitted changes) are passed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any

from duchu.judge.asof import Provenance as Provenance  # re-exported: the one provenance type
from duchu.judge.status import ActionStatus, StatusReport, UnknownIdError, unit_status
from duchu.judge.tally import MeetingTally, UnitComparison, compare_units, tally_meetings
from duchu.records.ballots import exact_fraction, percent
from duchu.records.dates import Deadline, format_date, format_deadline, parse_date, parse_deadline
from duchu.records.load import Tree
from duchu.records.models import Campaign, Meeting, Phase

STATE_WORDS = {
    "done": "按时完成",
    "late": "逾期完成",
    "overdue": "逾期未完成",
    "due_soon": "临近截止",
    "open": "未到期",
    "waived": "免做",
}
CHINESE_NUMERALS = "〇一二三四五六七八九十"


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


def next_phase_context(
    campaign: Campaign, index: int, as_of: date | None = None
) -> dict[str, Any] | None:
    """The phase after the one at ``index``, with its actions and deadlines (None after the
    last), and whether it had begun by ``as_of``."""
    if index + 1 >= len(campaign.phases):
        return None
    following = campaign.phases[index + 1]
    year = campaign.year
    start, due = phase_window(following, year)
    by_deadline: dict[str, list[str]] = {}  # actions due together, named together
    for action in following.actions:
        deadline = short_deadline(parse_deadline(action.due, year), year)
        by_deadline.setdefault(deadline, []).append(
            ("督导组" if action.by == "group" else "") + action.name
        )
    return {
        "name": following.name,
        "start": zh_day(start) if start else "",
        "due": zh_day(due),
        "start_short": month_day(start, year) if start else "",
        "due_short": month_day(due, year),
        "begun": as_of is not None and (start is None or start <= as_of),
        "deadlines": [{"due": due, "actions": names} for due, names in by_deadline.items()],
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


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class _Scope:
    """What one group summary is about: the group's units in official order, the phase, its
    window and the as-of date."""

    tree: Tree
    campaign: Campaign
    group_id: str
    unit_ids: list[str]
    phase: Phase
    phase_index: int
    start: date | None
    due: date
    as_of: date

    @property
    def year(self) -> int:
        return self.campaign.year

    @property
    def last(self) -> bool:
        return self.phase_index == len(self.campaign.phases) - 1

    def label(self, unit_id: str) -> str:
        return self.tree.units[unit_id].label

    def kind_name(self, kind: str) -> str:
        return (
            self.campaign.meeting_kinds[kind].name if kind in self.campaign.meeting_kinds else kind
        )

    def day(self, text: str) -> date:
        return parse_date(text, self.year)

    def where(self, meeting_id: str, day: date) -> str:
        """Whose meeting and when, in running text: 市政府办（2月19日）."""
        units = meeting_units_label(self.tree, meeting_id, self.unit_ids)
        return f"{units}（{month_day(day, self.year)}）"


def _phase_meetings(scope: _Scope) -> list[tuple[date, str, Meeting]]:
    """The meetings a phase's summary lists: those of the group's units held in the phase's
    window (up to the as-of date), and those that did one of the phase's actions even when
    held after its deadline -- a 民主生活会 held late is both the late action in 附件1 and a
    meeting the group attended, never one without the other (issue 16 item 14)."""
    tree, campaign = scope.tree, scope.campaign
    phase_kinds = {a.meeting for a in scope.phase.actions if a.meeting}
    phase_actions = {a.id for a in scope.phase.actions}
    wanted = set(scope.unit_ids)
    window_start = scope.start or date.min
    found = []
    for mid, meeting in tree.meetings.items():
        if not wanted.intersection(tree.meeting_units.get(mid, ())):
            continue
        day = parse_date(meeting.date, campaign.year)
        if day > scope.as_of:
            continue
        in_window = window_start <= day <= scope.due
        does_phase_work = meeting.kind in phase_kinds or bool(
            phase_actions & set(meeting.completes)
        )
        if in_window or does_phase_work:
            found.append((day, mid, meeting))
    found.sort(key=lambda item: (item[0], item[1]))
    return found


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


def _practices(
    scope: _Scope, meetings: list[tuple[date, str, Meeting]], members: list[str]
) -> list[dict[str, Any]]:
    """What the group did, kind by kind in the campaign's order: how many meetings, when,
    which units, who of the group attended, and the notes they recorded -- identical notes
    given once with every meeting they stand for."""
    tree = scope.tree
    by_kind: dict[str, list[tuple[date, str, Meeting]]] = {}
    for item in meetings:
        by_kind.setdefault(item[2].kind, []).append(item)
    order = list(scope.campaign.meeting_kinds)
    sections = []
    for kind in sorted(by_kind, key=lambda k: order.index(k) if k in order else len(order)):
        items = by_kind[kind]
        attended = [item for item in items if item[2].attended_by]
        not_attended = [item for item in items if not item[2].attended_by]
        units = [
            uid
            for uid in scope.unit_ids
            if any(uid in tree.meeting_units[mid] for _, mid, _ in attended)
        ]
        everyone = bool(attended) and all(
            set(members) <= set(m.attended_by) for _, _, m in attended
        )
        present = [name for name in members if any(name in m.attended_by for _, _, m in attended)]
        notes: dict[str, list[tuple[date, str]]] = {}
        for day, mid, m in items:
            text = sentence(note_text(m.notes))
            if text:
                notes.setdefault(text, []).append((day, mid))
        people = [m.people for _, _, m in attended if m.people is not None]
        sections.append(
            {
                "kind": scope.kind_name(kind),
                "count": len(attended),
                "span": _span([d for d, _, _ in attended], scope.year) if attended else "",
                "units": [scope.label(uid) for uid in units],
                "all_units": len(units) == len(scope.unit_ids) and len(units) > 1,
                "everyone": everyone,
                "present": present,
                "people": sum(people) if people else None,
                "not_attended": [scope.where(mid, d) for d, mid, _ in not_attended],
                "absent": [
                    f"{meeting_units_label(tree, mid, scope.unit_ids)}{a.name}"
                    + (f"（{a.reason}）" if a.reason else "")
                    for _, mid, m in items
                    for a in m.absent
                ],
                "notes": _notes_in_order(scope, notes, len(items)),
            }
        )
    return sections


def _reminder_day(scope: _Scope, unit_id: str, subject: str, since: date) -> date | None:
    """The day a reminder talk (谈话提醒) with a flagged subject is on record: the unit's first
    meeting on or after the appraisal, by the as-of date, whose title or notes name the
    subject and say 提醒. RECORDS.md has no field for it; this is how groups write it."""
    tree = scope.tree
    for mid, meeting in tree.meetings.items():
        if unit_id not in tree.meeting_units.get(mid, ()):
            continue
        day = scope.day(meeting.date)
        if not since <= day <= scope.as_of:
            continue
        text = (meeting.title or "") + (meeting.notes or "")
        if subject in text and "提醒" in text:
            return day
    return None


def _tenths(rate: Fraction) -> int:
    """A rate in tenths of a percent, rounded as ``percent`` shows it (20.0% -> 200)."""
    return round(rate * 1000)


def _rate_change(before: Fraction | None, after: Fraction | None) -> int | None:
    """How far a rate moved, in tenths of a percentage point, between the two rates as they
    are shown: a reader subtracting 96.2% from 96.2% must find 0, not +0.1."""
    if before is None or after is None:
        return None
    return _tenths(after) - _tenths(before)


def _points(tenths: int | None) -> str:
    """+3.2, -1.0, 0; — when either rate is missing."""
    if tenths is None:
        return "—"
    return "0" if tenths == 0 else f"{tenths / 10:+.1f}"


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
    its leadership team's rate of positive ratings moved -- the sentence of the last phase."""
    team = scope.campaign.appraisal.team
    rose: list[str] = []
    same: list[str] = []
    fell: list[str] = []
    rows = []
    for comparison in comparisons:
        label = scope.label(comparison.unit)
        for change in comparison.subjects:
            before, after = change.before, change.after
            moved = _rate_change(
                before.positive_rate if before else None, after.positive_rate if after else None
            )
            rows.append(
                {
                    "unit": label,
                    "subject": change.subject,
                    "before": percent(before.positive_rate) if before else "—",
                    "after": percent(after.positive_rate) if after else "—",
                    "change": _points(moved),
                    "before_negative": percent(before.negative_rate) if before else "—",
                    "after_negative": percent(after.negative_rate) if after else "—",
                }
            )
            if change.subject == team and moved is not None:
                (rose if moved > 0 else fell if moved < 0 else same).append(label)
    first = comparisons[0] if comparisons else None
    return {
        "team": team,
        "units": len(comparisons),
        "rows": rows,
        "team_rose": rose,
        "team_same": same,
        "team_fell": fell,
        "before_kind": scope.kind_name(first.before.kind) if first else "",
        "after_kind": scope.kind_name(first.after.kind) if first else "",
    }


def _findings(scope: _Scope) -> list[dict[str, Any]]:
    """The findings a summary reports: those found by the phase's end that were still open
    when it began, with their state on the as-of date; in the last phase, every finding of
    the campaign."""
    findings = []
    window_start = scope.start or date.min
    for uid in scope.unit_ids:
        for finding in scope.tree.units[uid].findings:
            found = scope.day(finding.found) if finding.found else None
            if found is not None and found > scope.as_of:
                continue
            if found is not None and found > scope.due and not scope.last:
                continue  # found after the phase: a later phase's summary tells it
            resolved = scope.day(finding.resolved) if finding.resolved else None
            if resolved is not None and resolved > scope.as_of:
                resolved = None  # rectified after the as-of date: still open then
            if resolved is not None and resolved < window_start and not scope.last:
                continue  # rectified before this phase began: told in an earlier summary
            deadline = parse_deadline(finding.due, scope.year) if finding.due else None
            overdue_days = (
                (scope.as_of - deadline.day).days
                if resolved is None and deadline is not None and deadline.day < scope.as_of
                else 0
            )
            findings.append(
                {
                    "unit": scope.label(uid),
                    "text": finding.text,
                    "quoted": quoted(finding.text),
                    "found": month_day(found, scope.year) if found else "",
                    "owner": finding.owner or "",
                    "due": format_deadline(deadline, "zh") if deadline else "",
                    "due_short": short_deadline(deadline, scope.year) if deadline else "",
                    "resolved": month_day(resolved, scope.year) if resolved else "",
                    "on_time": resolved is not None
                    and (deadline is None or resolved <= deadline.day),
                    "overdue_days": overdue_days,
                }
            )
    return findings


def _progress(scope: _Scope, status: StatusReport) -> dict[str, Any]:
    """Where the units stand on the phase's actions: the counts of the sentence in 基本情况,
    the late, lagging and waived actions by name, the records' notes on the actions done,
    the procedure breaches (``after``), and the rows of 附件1."""
    tree = scope.tree
    names = {a.id: a.name for p in scope.campaign.phases for a in p.actions}
    units = sorted(status.units, key=lambda u: u.position)
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
    due = sum(u.due for u in units)
    done = sum(u.done_of_due for u in units)
    on_time = [u.unit.label for u in units if u.due and not u.lagging and not u.in_state("late")]
    pending = sum(1 for u in units for a in u.actions if a.state in ("open", "due_soon"))
    return {
        "due": due,
        "done": done,
        "done_rate": percent(Fraction(done, due)) if due else "—",
        "late_count": len(late),
        "overdue_count": sum(len(item["overdue"]) for item in lagging),
        "pending": pending,
        "units_with_due": sum(1 for u in units if u.due),
        "on_time_units": on_time,
        "all_finished": bool(units)
        and all(a.state in ("done", "late", "waived") for u in units for a in u.actions),
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


def _group_actions(scope: _Scope, status: StatusReport) -> list[dict[str, Any]]:
    group = scope.tree.groups[scope.group_id]
    actions = []
    for g in status.groups:
        for a in g.actions:
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
                }
            )
    return actions


def _earlier_overdue(scope: _Scope) -> list[dict[str, Any]]:
    """Actions of earlier phases still not done on the as-of date, unit by unit."""
    earlier = {p.id: p.name for p in scope.campaign.phases[: scope.phase_index]}
    if not earlier:
        return []
    whole = unit_status(scope.tree, scope.as_of, group=scope.group_id)
    items = []
    for u in sorted(whole.units, key=lambda u: u.position):
        overdue = [a for a in u.in_state("overdue") if a.planned.phase_id in earlier]
        if overdue:
            items.append(
                {
                    "unit": u.unit.label,
                    "overdue": [
                        {
                            "name": a.planned.action.name,
                            "phase": earlier[a.planned.phase_id],
                            "days": a.days_overdue,
                            "due": format_deadline(a.planned.due, "zh"),
                        }
                        for a in overdue
                    ],
                }
            )
    return items


def _work_totals(scope: _Scope, meetings: list[tuple[date, str, Meeting]]) -> dict[str, Any]:
    """The counts of the group's supervision in a set of meetings: those it attended, by
    kind in the campaign's order, per unit on average, and the people it talked with."""
    attended = [(d, mid, m) for d, mid, m in meetings if m.attended_by]
    kinds = Counter(m.kind for _, _, m in attended)
    order = list(scope.campaign.meeting_kinds)
    people = [m.people for _, _, m in attended if m.people is not None]
    units = len(scope.unit_ids)
    # a meeting of several units counts once for each of them, as 附件2's table counts it:
    # the average of that table, not the meetings over the units
    wanted = set(scope.unit_ids)
    visits = sum(len(wanted.intersection(scope.tree.meeting_units[mid])) for _, mid, _ in attended)
    return {
        "attended": len(attended),
        "not_attended": len(meetings) - len(attended),
        "per_unit": _one_decimal(visits / units) if units else "0",
        "kinds": [
            {"name": scope.kind_name(k), "count": kinds[k]}
            for k in sorted(kinds, key=lambda k: order.index(k) if k in order else len(order))
        ],
        "people": sum(people) if people else None,
    }


def report_context(
    tree: Tree, phase_id: str, group_id: str | None, as_of: date, provenance: Provenance
) -> dict[str, Any]:
    """Everything the built-in group summary states, for one phase and group as of a date.

    Every list may be empty and every count zero; the template has a sentence for each
    case, so the summary never states what the records do not hold."""
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
    start, due = phase_window(phase, campaign.year)
    scope = _Scope(
        tree=tree,
        campaign=campaign,
        group_id=group_id,
        unit_ids=[uid for uid, unit in tree.units.items() if unit.group == group_id],
        phase=phase,
        phase_index=campaign.phases.index(phase),
        start=start,
        due=due,
        as_of=as_of,
    )
    year = campaign.year
    members = list(dict.fromkeys([*([group.leader] if group.leader else []), *group.members]))
    status = unit_status(tree, as_of, group=group_id, phase=phase_id)
    meetings = _phase_meetings(scope)
    # every meeting of the campaign so far, for the last phase's look back over the whole
    campaign_meetings = (
        _phase_meetings(replace(scope, start=date.min, due=date.max)) if scope.last else meetings
    )
    tallied = [
        mid
        for _, mid, _ in (campaign_meetings if scope.last else meetings)
        if mid in tree.appraisals
    ]
    tallies = tally_meetings(tree, tallied) if tallied else []
    phase_tallies = [t for t in tallies if any(t.id == mid for _, mid, _ in meetings)]
    comparisons, _ = compare_units(tallies) if scope.last else ([], [])
    positions = {uid: i for i, uid in enumerate(scope.unit_ids)}
    comparisons.sort(key=lambda c: positions[c.unit])  # official order, not the dates
    flagged = []
    reminded_ones: set[tuple[str, str, str]] = set()
    for t in tallies if scope.last else phase_tallies:
        for s in t.subjects:
            if s.flagged:
                reminded = _reminder_day(scope, t.unit, s.subject, t.date)
                if reminded is not None:
                    reminded_ones.add((t.id, t.unit, s.subject))
                flagged.append(
                    {
                        "unit": scope.label(t.unit),
                        "subject": s.subject,
                        "kind": scope.kind_name(t.kind),
                        "date": month_day(t.date, year),
                        "negative_rate": percent(s.negative_rate),
                        "reminded": month_day(reminded, year) if reminded else "",
                    }
                )
    progress = _progress(scope, status)
    findings = _findings(scope)
    appraisal_forms = [t.counts for t in phase_tallies]
    distributed = [c.distributed for c in appraisal_forms if c.distributed is not None]
    shown_tallies = phase_tallies
    attachments = {
        "progress": bool(progress["rows"]),
        "meetings": bool(meetings),
        "appraisals": bool(shown_tallies or comparisons),
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
    return {
        "campaign": {"name": campaign.name, "issuer": campaign.issuer or ""},
        "group": {
            "id": group_id,
            "name": group.name,
            "leader": group.leader or "",
            "members": [m for m in members if m != group.leader],
        },
        "phase": {
            "id": phase.id,
            "name": phase.name,
            "start": zh_day(start) if start else "",
            "due": zh_day(due),
            "due_text": format_deadline(parse_deadline(phase.due, year), "zh"),
            "start_short": month_day(start, year) if start else "",
            "due_short": month_day(due, year),
            "due_words": short_deadline(parse_deadline(phase.due, year), year),
            "number": chinese_number(scope.phase_index + 1),
            "begun": start is None or start <= as_of,
            "ended": due < as_of,
            "running": (start is None or start <= as_of) and as_of < due,
            "last": scope.last,
        },
        "as_of": zh_day(as_of),
        "units": [
            {
                "name": tree.units[uid].name,
                "short": scope.label(uid),
                "category": tree.units[uid].category or "",
                "leaders": len(tree.units[uid].leaders),
            }
            for uid in scope.unit_ids
        ],
        "work": _work_totals(scope, meetings),
        "campaign_work": _work_totals(scope, campaign_meetings) if scope.last else None,
        "practices": _practices(scope, meetings, members),
        "progress": progress,
        "lagging": progress["lagging"],  # as the 1.0 template named it: users' templates use it
        "group_actions": _group_actions(scope, status),
        "earlier_overdue": _earlier_overdue(scope),
        "findings": findings,
        "rectified": [f for f in findings if f["resolved"]],
        "open_findings": [f for f in findings if not f["resolved"]],
        "appraisal": {
            "meetings": len(phase_tallies),
            "units": len({t.unit for t in phase_tallies}),
            "kinds": list(dict.fromkeys(scope.kind_name(t.kind) for t in phase_tallies)),
            "distributed": sum(distributed) if distributed else None,
            "returned": sum(c.returned for c in appraisal_forms),
            "valid": sum(c.valid for c in appraisal_forms),
        },
        "appraisals": [_appraisal_data(scope, t, reminded_ones) for t in shown_tallies],
        "comparison": _comparison_data(scope, comparisons) if scope.last else None,
        "ratings": list(campaign.appraisal.ratings),
        "flag_at": percent(exact_fraction(campaign.appraisal.flag_at)),
        "flagged": flagged,
        "meetings": [
            {
                "date": month_day(day, year),
                "unit": meeting_units_label(tree, mid, scope.unit_ids),
                "kind": scope.kind_name(m.kind),
                "title": m.title or "",
                "attended_by": "、".join(m.attended_by) or "未派员参加",
            }
            for day, mid, m in meetings
        ],
        "meetings_per_unit": _meetings_per_unit(scope, meetings),
        "attachments": numbers,
        "attachment_titles": titles,
        "next_phase": next_phase_context(campaign, scope.phase_index, as_of),
        "provenance": provenance_context(provenance, as_of),
    }


def _meetings_per_unit(scope: _Scope, meetings: list[tuple[date, str, Meeting]]) -> dict[str, Any]:
    """For 附件2: each unit's attended meetings by kind; a meeting of several units counts for
    each of them."""
    attended = [(mid, m) for _, mid, m in meetings if m.attended_by]
    order = list(scope.campaign.meeting_kinds)
    held = sorted(
        {m.kind for _, m in attended}, key=lambda k: order.index(k) if k in order else len(order)
    )
    rows = []
    for uid in scope.unit_ids:
        kinds = Counter(m.kind for mid, m in attended if uid in scope.tree.meeting_units[mid])
        rows.append(
            {
                "unit": scope.label(uid),
                "counts": [kinds.get(k, 0) for k in held],
                "total": sum(kinds.values()),
            }
        )
    return {"kinds": [scope.kind_name(k) for k in held], "rows": rows}
