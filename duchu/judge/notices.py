"""(1.2) The notices due now (``duchu remind``; ../shared/spec/RECORDS.md, Notices, and
../shared/spec/CLI.md, duchu remind): for each unit action not done and not waived, the grade
it is due for -- blue when due within ``blue_days``, yellow when overdue, red when a yellow
notice went unheeded ``red_days`` or more -- escalating from the notices already given; and the
reminder talks due for subjects an appraisal flagged.

一事一单: a notice is about one matter, one unit's one action (or one unit's flagged subjects
of one appraisal), so each due notice names one action; the grade it is due for, why, and the
last notice given about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from duchu.judge.given import RANK, GivenNotice, NoticeIndex, blue_days, given_notices, level_words
from duchu.judge.status import ActionStatus, unit_status
from duchu.judge.tally import tally_meetings
from duchu.records.models import Campaign
from duchu.records.notices import TALK, notice_settings
from duchu.records.tree import Tree

Reason = Literal["due_soon", "overdue", "unheeded", "flagged"]


@dataclass(frozen=True)
class DueNotice:
    """A notice due now: to ``unit`` (of ``group``), at ``level``, about ``actions`` (a graded
    notice) or ``subjects`` (a talk); ``reason`` and ``days`` say why (days until the
    deadline, days overdue, days since the yellow notice, days since the appraisal)."""

    unit: str
    group: str
    level: str
    actions: tuple[str, ...]
    subjects: tuple[str, ...]
    reason: Reason
    days: int
    previous: GivenNotice | None
    due: date | None = None  # the action's deadline (a graded notice)
    meeting: str | None = None  # the appraisal's meeting (a talk)
    since: date | None = None  # the appraisal's day (a talk), the yellow notice's (red)
    reply_by: date | None = None  # when the unit answers: see ``_reply_by``
    number: str | None = None  # its 发文字号 on a 督办通知单 (``number_notices``)


@dataclass
class RemindReport:
    as_of: date
    notices: list[DueNotice]
    words: dict[str, str]  # level -> the campaign's word for it
    campaign: str = ""  # the campaign's name
    unit_labels: dict[str, str] = field(default_factory=dict)  # id -> short name or name
    unit_names: dict[str, str] = field(default_factory=dict)  # id -> full name (主送)
    action_names: dict[str, str] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)
    meeting_kinds: dict[str, str] = field(default_factory=dict)  # talk's meeting id -> kind name


def _reply_by(level: str, due: date, as_of: date, campaign: Campaign) -> date:
    """When a unit answers a notice: a blue one by the action's deadline; a yellow or red one
    within ``red_days`` (after which an unheeded yellow escalates to red)."""
    if level == "blue":
        return due
    return as_of + timedelta(days=notice_settings(campaign).red_days)


def number_notices(report: RemindReport, first: int, prefix: str) -> None:
    """Number the notices for print: ``{prefix}督〔year〕N号`` from ``first`` on, in order."""
    year = report.as_of.year
    report.notices = [
        replace(notice, number=f"{prefix}督〔{year}〕{first + offset}号")
        for offset, notice in enumerate(report.notices)
    ]


def grade_due(
    action: ActionStatus,
    index: NoticeIndex,
    unit_id: str,
    campaign: Campaign,
) -> tuple[str, Reason, int] | None:
    """The grade one unit action is due for as of the index's day, why and the days; None when
    none is: done or waived, not near its deadline, or already given at that grade or above."""
    if action.state not in ("overdue", "due_soon", "open"):
        return None
    as_of = index.as_of
    settings = notice_settings(campaign)
    levels = settings.levels
    action_id = action.planned.id
    highest = index.highest(unit_id, action_id)
    yellow = index.first_at(unit_id, action_id, "yellow")
    if yellow is not None and "red" in levels and highest < RANK["red"]:
        waited = (as_of - yellow.date).days
        if waited >= settings.red_days:
            return "red", "unheeded", waited
    days_left = (action.planned.due.day - as_of).days
    if days_left < 0 and "yellow" in levels and highest < RANK["yellow"]:
        return "yellow", "overdue", -days_left
    if 0 <= days_left <= blue_days(campaign) and "blue" in levels and highest < RANK["blue"]:
        return "blue", "due_soon", days_left
    return None


def _talks_due(tree: Tree, index: NoticeIndex, units: set[str]) -> list[DueNotice]:
    """Per unit and appraisal: the subjects flagged there (at their latest flagged appraisal)
    with no reminder talk naming them on or after that appraisal's day."""
    latest: dict[tuple[str, str], tuple[date, str]] = {}
    for tally in tally_meetings(tree, until=index.as_of):  # in date order
        if tally.unit not in units:
            continue
        for flagged in tally.flagged:
            latest[(tally.unit, flagged.subject)] = (tally.date, tally.id)
    by_meeting: dict[tuple[str, str, date], list[str]] = {}
    for (unit_id, subject), (day, meeting_id) in latest.items():
        if index.talk_since(unit_id, subject, day) is None:
            by_meeting.setdefault((unit_id, meeting_id, day), []).append(subject)
    due = []
    for (unit_id, meeting_id, day), subjects in by_meeting.items():
        previous = None
        for subject in subjects:
            talks = index.talks.get((unit_id, subject), [])
            if talks and (previous is None or talks[-1].date > previous.date):
                previous = talks[-1]
        due.append(
            DueNotice(
                unit=unit_id,
                group=tree.units[unit_id].group,
                level=TALK,
                actions=(),
                subjects=tuple(subjects),
                reason="flagged",
                days=(index.as_of - day).days,
                previous=previous,
                meeting=meeting_id,
                since=day,
            )
        )
    return due


def notices_due(
    tree: Tree, as_of: date, *, group: str | None = None, units: list[str] | None = None
) -> RemindReport:
    """The notices due as of ``as_of`` for the selected units (a group's, the named ones, or
    all), in the units' official order, graded notices (by grade, highest first) before talks."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    status = unit_status(tree, as_of, group=group)
    index = given_notices(tree, as_of)
    wanted = set(units) if units is not None else None
    chosen = sorted(
        (u for u in status.units if wanted is None or u.id in wanted), key=lambda u: u.position
    )
    found: list[DueNotice] = []
    for unit in chosen:
        graded = []
        for action in unit.actions:
            due = grade_due(action, index, unit.id, campaign)
            if due is None:
                continue
            level, reason, days = due
            graded.append(
                DueNotice(
                    unit=unit.id,
                    group=unit.unit.group,
                    level=level,
                    actions=(action.planned.id,),
                    subjects=(),
                    reason=reason,
                    days=days,
                    previous=index.latest(unit.id, action.planned.id),
                    due=action.planned.due.day,
                    since=_yellow_day(index, unit.id, action.planned.id, level),
                    reply_by=_reply_by(level, action.planned.due.day, as_of, campaign),
                )
            )
        graded.sort(key=lambda n: -RANK[n.level])  # stable: the campaign's order within a grade
        found += graded
    position = {u.id: u.position for u in chosen}
    talks = _talks_due(tree, index, set(position))
    talks.sort(key=lambda n: (position[n.unit], n.meeting or ""))
    return RemindReport(
        as_of=as_of,
        notices=found + talks,
        words=level_words(campaign),
        campaign=campaign.name,
        unit_labels={uid: tree.units[uid].label for uid in position},
        unit_names={uid: tree.units[uid].name for uid in position},
        action_names={a.id: a.name for phase in campaign.phases for a in phase.actions},
        group_names={gid: group.name for gid, group in tree.groups.items()},
        meeting_kinds={
            n.meeting: _kind_name(campaign, tree.meetings[n.meeting].kind)
            for n in talks
            if n.meeting is not None
        },
    )


def _kind_name(campaign: Campaign, kind: str) -> str:
    found = campaign.meeting_kinds.get(kind)
    return found.name if found is not None else kind


def _yellow_day(index: NoticeIndex, unit_id: str, action_id: str, level: str) -> date | None:
    if level != "red":
        return None
    yellow = index.first_at(unit_id, action_id, "yellow")
    return yellow.date if yellow is not None else None


def remind_json(report: RemindReport) -> dict[str, object]:
    """The ``remind --format json`` document of ../shared/spec/CLI.md."""
    return {
        "as_of": report.as_of.isoformat(),
        "notices": [
            {
                "unit": n.unit,
                "level": n.level,
                "actions": list(n.actions),
                "subjects": list(n.subjects),
                "reason": n.reason,
                "days": n.days,
                "previous": n.previous.json() if n.previous is not None else None,
            }
            for n in report.notices
        ],
    }


def write_due_notices(tree: Tree, report: RemindReport) -> list[str]:
    """``remind --write``: each notice due as a notice record dated the as-of day, given by
    the unit's group, under notices/YYYY-MM/ (never overwriting). The paths written."""
    from duchu.records.write import NoticeDraft, new_notice

    written = []
    for notice in report.notices:
        draft = NoticeDraft(
            day=report.as_of,
            unit=notice.unit,
            level=notice.level,
            by=notice.group,
            actions=notice.actions,
            subjects=notice.subjects,
            reply_by=notice.reply_by,
        )
        written.append(new_notice(tree, draft).rel)
    return written


def judge_remind(
    tree: Tree,
    as_of: date,
    *,
    group: str | None,
    units: list[str] | None,
    number: int | None = None,
) -> RemindReport:
    """What ``remind`` shows: the notices due; numbered for print from ``number`` on."""
    report = notices_due(tree, as_of, group=group, units=units)
    if number is not None:
        documents = tree.campaign.documents if tree.campaign is not None else None
        prefix = (documents.number_prefix if documents is not None else None) or ""
        number_notices(report, number, prefix)
    return report
