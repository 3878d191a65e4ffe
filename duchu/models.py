"""The record models of RECORDS.md: campaign, group, unit, meeting, appraisal.

Every model refuses unknown keys (a typo must not pass silently) and is strict about types:
YAML already gives numbers and lists, so a quoted number or a ``yes`` where text belongs
is a mistake to show, not a value to coerce. Dates stay text here; ``duchu.dates`` parses
them and ``duchu.checks`` reports the ones that name no real day. Where the format allows a
short form (``plan: 2014-02-17`` for ``plan: {date: 2014-02-17}``) a before-validator
widens it, so the rest of duchu sees one shape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Text = Annotated[str, Field(min_length=1)]


def _widen(key: str) -> BeforeValidator:
    """Accept a bare string where a mapping with ``key`` is meant."""

    def widen(value: Any) -> Any:
        return {key: value} if isinstance(value, str) else value

    return BeforeValidator(widen)


class MeetingKind(Record):
    name: Text
    appraisal: bool = False


class AppraisalScheme(Record):
    team: Text = "领导班子"
    ratings: list[Text] = Field(default_factory=lambda: ["好", "较好", "一般", "差"], min_length=1)
    positive: list[Text] = Field(default_factory=lambda: ["好", "较好"])
    negative: list[Text] = Field(default_factory=lambda: ["差"])
    flag_at: float = Field(default=1 / 3, ge=0, le=1)


class Action(Record):
    id: Text
    name: Text
    due: Text
    by: Literal["unit", "group"] = "unit"
    meeting: Text | None = None
    after: list[Text] = Field(default_factory=list)
    applies_to: list[Text] | None = None


class Phase(Record):
    id: Text
    name: Text
    start: Text | None = None
    due: Text
    actions: list[Action]


class Campaign(Record):
    name: Text
    issuer: Text | None = None
    year: int = Field(ge=1900, le=2999)
    warn_days: int = Field(default=7, ge=0)
    meeting_kinds: dict[str, Annotated[MeetingKind, _widen("name")]] = Field(default_factory=dict)
    appraisal: AppraisalScheme = Field(default_factory=AppraisalScheme)
    phases: list[Phase]


class Dated(Record):
    date: Text
    note: str | None = None


DoneMap = dict[str, Annotated[Dated, _widen("date")]]


class Group(Record):
    name: Text
    leader: Text | None = None
    members: list[Text] = Field(default_factory=list)
    done: DoneMap = Field(default_factory=dict)


class Leader(Record):
    name: Text
    post: str | None = None


class Finding(Record):
    id: Text | None = None
    text: Text
    found: Text | None = None
    owner: Text | None = None
    due: Text | None = None
    resolved: Text | None = None


class Unit(Record):
    name: Text
    short: Text | None = None
    group: Text
    category: Text | None = None
    leaders: list[Annotated[Leader, _widen("name")]] = Field(default_factory=list)
    done: DoneMap = Field(default_factory=dict)
    waived: dict[str, Text] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The name used in tables: the short name when there is one."""
        return self.short or self.name


class Absence(Record):
    name: Text
    reason: str | None = None


class Appraisal(Record):
    distributed: int | None = None
    returned: int | None = None
    invalid: int | None = None
    counts: dict[str, dict[str, int]] | None = None
    ballots: Text | None = None


class Meeting(Record):
    date: Text
    unit: Text
    kind: Text
    title: str | None = None
    attended_by: list[Text] = Field(default_factory=list)
    absent: list[Annotated[Absence, _widen("name")]] = Field(default_factory=list)
    completes: list[Text] = Field(default_factory=list)
    notes: str | None = None
    appraisal: Appraisal | None = None
