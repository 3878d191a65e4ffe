"""(1.2) The notices given by a day (../shared/spec/RECORDS.md, Notices): per unit action, the
graded notices (督办) given about it; per unit and subject, the reminder talks (谈话提醒). A
notice dated after the as-of date has not been given yet. ``status`` shows an action's latest
notice from here; ``remind`` escalates from here; summaries know a reminder talk from here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from duchu.records.models import Campaign
from duchu.records.notices import GRADES, TALK, notice_settings, resolved_notices
from duchu.records.tree import Tree

# the rank of a grade: a notice at a grade or above it means that grade is not due again
RANK = {grade: index for index, grade in enumerate(GRADES)}


@dataclass(frozen=True, slots=True)
class GivenNotice:
    """A notice on record: its id (path under notices/), level and date."""

    id: str
    level: str
    date: date
    word: str = ""  # the campaign's word for its grade (notices.levels), for people

    def json(self) -> dict[str, object]:
        return {"id": self.id, "level": self.level, "date": self.date.isoformat()}


@dataclass
class NoticeIndex:
    """The notices given by ``as_of``, each list in date order (then id)."""

    as_of: date
    # (unit id, action id) -> the graded notices about it
    graded: dict[tuple[str, str], list[GivenNotice]] = field(default_factory=dict)
    # (unit id, subject) -> the reminder talks naming the subject
    talks: dict[tuple[str, str], list[GivenNotice]] = field(default_factory=dict)
    # group id (or "office") -> how many notices it gave, talks included
    given_by: dict[str, int] = field(default_factory=dict)

    def latest(self, unit_id: str, action_id: str) -> GivenNotice | None:
        found = self.graded.get((unit_id, action_id))
        return found[-1] if found else None

    def highest(self, unit_id: str, action_id: str) -> int:
        """The rank of the highest grade given about the action (-1: none)."""
        found = self.graded.get((unit_id, action_id), [])
        return max((RANK[n.level] for n in found), default=-1)

    def first_at(self, unit_id: str, action_id: str, level: str) -> GivenNotice | None:
        for notice in self.graded.get((unit_id, action_id), []):
            if notice.level == level:
                return notice
        return None

    def talk_since(self, unit_id: str, subject: str, since: date) -> GivenNotice | None:
        """The first reminder talk with ``subject`` on or after ``since`` (by the as-of day)."""
        for notice in self.talks.get((unit_id, subject), []):
            if notice.date >= since:
                return notice
        return None


def given_notices(tree: Tree, as_of: date) -> NoticeIndex:
    """Every notice of the tree dated on or before ``as_of``, indexed by matter."""
    index = NoticeIndex(as_of)
    words = level_words(tree.campaign) if tree.campaign is not None else {}
    graded: dict[tuple[str, str], list[GivenNotice]] = defaultdict(list)
    talks: dict[tuple[str, str], list[GivenNotice]] = defaultdict(list)
    given_by: dict[str, int] = defaultdict(int)
    for item in resolved_notices(tree):  # in date order
        if item.day is None or item.day > as_of:
            continue
        notice = GivenNotice(item.id, item.level, item.day, words.get(item.level, item.level))
        if item.by is not None:
            given_by[item.by] += 1
        for unit_id in item.units:
            if item.level == TALK:
                for subject in item.notice.subjects:
                    talks[(unit_id, subject)].append(notice)
            elif item.level in RANK:
                for action_id in item.actions:
                    graded[(unit_id, action_id)].append(notice)
    index.graded = dict(graded)
    index.talks = dict(talks)
    index.given_by = dict(given_by)
    return index


def level_words(campaign: Campaign) -> dict[str, str]:
    """The campaign's words for the grades it defines (``notices.levels``, or the defaults)."""
    return {str(level): word for level, word in notice_settings(campaign).levels.items()}


def blue_days(campaign: Campaign) -> int:
    settings = notice_settings(campaign)
    return campaign.warn_days if settings.blue_days is None else settings.blue_days
