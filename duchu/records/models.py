"""The record models of ../shared/spec/RECORDS.md: campaign, group, unit, meeting, appraisal.

Every model refuses unknown keys (a typo must not pass silently) and is strict about types:
YAML already gives numbers and lists, so a quoted number or a ``yes`` where text belongs
is a mistake to show, not a value to coerce. Dates stay text here; ``duchu.records.dates`` parses
them and ``duchu.records.checks`` reports the ones that name no real day. Where the format allows a
short form (``plan: 2014-02-17`` for ``plan: {date: 2014-02-17}``) a before-validator
widens it, so the rest of duchu sees one shape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)
from pydantic.dataclasses import dataclass

from duchu.records.dates import Calendar, campaign_calendar

# Records are pydantic dataclasses with slots rather than ``BaseModel``s: a province keeps
# hundreds of thousands of records in memory at once, and a slotted instance is a tenth of
# the size of a model with its ``__dict__`` and fields-set. Strictness is per type (``Strict*``)
# because a strict dataclass would only accept instances of itself, not a mapping. Their
# validators are built when first used, not when this module is imported: a warm run reads
# its records from a snapshot (``duchu.records.snapshot``) and validates none.
RECORD = ConfigDict(extra="forbid", defer_build=True)

Text = Annotated[StrictStr, Field(min_length=1)]
OptionalText = StrictStr | None


def _widen(key: str) -> BeforeValidator:
    """Accept a bare string where a mapping with ``key`` is meant."""

    def widen(value: Any) -> Any:
        return {key: value} if isinstance(value, str) else value

    return BeforeValidator(widen)


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class MeetingKind:
    name: Text
    appraisal: StrictBool = False
    supervision: StrictBool = False  # (1.2) an attended meeting of this kind counts as 督查


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class AppraisalScheme:
    team: Text = "领导班子"
    ratings: list[Text] = Field(default_factory=lambda: ["好", "较好", "一般", "差"], min_length=1)
    positive: list[Text] = Field(default_factory=lambda: ["好", "较好"])
    negative: list[Text] = Field(default_factory=lambda: ["差"])
    flag_at: StrictFloat = Field(default=1 / 3, ge=0, le=1)


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Action:
    id: Text
    name: Text
    due: Text
    by: Literal["unit", "group"] = "unit"
    meeting: Text | None = None
    after: list[Text] = Field(default_factory=list)
    applies_to: list[Text] | None = None


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Phase:
    id: Text
    name: Text
    start: Text | None = None
    due: Text
    actions: list[Action]


Grade = Literal["blue", "yellow", "red"]
DEFAULT_LEVELS: dict[Grade, str] = {"blue": "提醒", "yellow": "督办", "red": "挂牌督办"}


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class NoticeSettings:
    """(1.2) campaign ``notices:``: the campaign's words for the grades of 督办 and its days."""

    levels: dict[Grade, Text] = Field(default_factory=lambda: dict(DEFAULT_LEVELS))
    blue_days: StrictInt | None = Field(default=None, ge=0)  # None: the campaign's warn_days
    red_days: StrictInt = Field(default=7, ge=0)


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class DocumentSettings:
    """(1.2) campaign ``documents:``: what an official document carries (GB/T 9704 版头, 版记)."""

    issuer_mark: Text | None = None  # 发文机关标志
    number_prefix: Text | None = None  # 发文字号: {prefix}〔{year}〕{n}号
    copy_to: list[Text] = Field(default_factory=list)  # 抄送
    printed_by: Text | None = None  # 印发机关


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Campaign:
    name: Text
    issuer: Text | None = None
    office_accounts: list[Text] = Field(default_factory=list)
    year: StrictInt = Field(ge=1900, le=2999)
    warn_days: StrictInt = Field(default=7, ge=0)
    report_within: StrictInt = Field(default=7, ge=0)  # (1.2) days to record a meeting
    meeting_kinds: dict[StrictStr, Annotated[MeetingKind, _widen("name")]] = Field(
        default_factory=dict
    )
    appraisal: AppraisalScheme = Field(default_factory=AppraisalScheme)
    phases: list[Phase]
    notices: NoticeSettings | None = None
    documents: DocumentSettings | None = None

    @property
    def calendar(self) -> Calendar:
        """Where the campaign's phrases and dates without a year fall (../shared/spec/RECORDS.md
        1.2: in the first year in which their period ends on or after the campaign's first start).
        Every phrase and short date is read with this, never with ``year`` alone."""
        return campaign_calendar(self.year, tuple(phase.start for phase in self.phases))


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Dated:
    date: Text
    note: OptionalText = None


DoneMap = dict[StrictStr, Annotated[Dated, _widen("date")]]


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Group:
    name: Text
    leader: Text | None = None
    members: list[Text] = Field(default_factory=list)
    order: StrictInt | None = None
    accounts: list[Text] = Field(default_factory=list)
    done: DoneMap = Field(default_factory=dict)


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Leader:
    name: Text
    post: OptionalText = None


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Finding:
    id: Text | None = None
    text: Text
    found: Text | None = None
    owner: Text | None = None
    due: Text | None = None
    resolved: Text | None = None


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Unit:
    name: Text
    short: Text | None = None
    order: StrictInt | None = None
    group: Text
    category: Text | None = None
    leaders: list[Annotated[Leader, _widen("name")]] = Field(default_factory=list)
    done: DoneMap = Field(default_factory=dict)
    waived: dict[StrictStr, Text] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The name used in tables: the short name when there is one."""
        return self.short or self.name


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Absence:
    name: Text
    reason: OptionalText = None


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Appraisal:
    distributed: StrictInt | None = None
    returned: StrictInt | None = None
    invalid: StrictInt | None = None
    counts: dict[StrictStr, dict[StrictStr, StrictInt]] | None = None
    ballots: Text | None = None


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Meeting:
    """A meeting or visit. It belongs to one unit (``unit``), to several (``units``), or to
    every unit of a group (``group``); exactly one of the three is given (checked in
    ``duchu.records.checks``), and ``Tree.meeting_units`` says which units that is."""

    date: Text
    unit: Text | None = None
    units: list[Text] | None = None
    group: Text | None = None
    kind: Text
    title: OptionalText = None
    attended_by: list[Text] = Field(default_factory=list)
    absent: list[Annotated[Absence, _widen("name")]] = Field(default_factory=list)
    completes: list[Text] = Field(default_factory=list)
    people: StrictInt | None = Field(default=None, ge=0)
    notes: OptionalText = None
    appraisal: Appraisal | None = None
    draft: StrictBool = False  # (1.2) not filled in yet: counts for nothing


@dataclass(config=RECORD, frozen=True, slots=True, kw_only=True)
class Notice:
    """(1.2) A notice a group or the office gave a unit (../shared/spec/RECORDS.md, Notices):
    a graded 督办 about ``actions`` (level blue, yellow or red) or a reminder talk (level
    ``talk``) with ``subjects``."""

    date: Text
    unit: Text | None = None
    units: list[Text] | None = None
    level: Text
    actions: list[Text] = Field(default_factory=list)
    subjects: list[Text] = Field(default_factory=list)
    by: Text
    number: OptionalText = None
    reply_by: Text | None = None
    note: OptionalText = None


RECORD_CLASSES = (Campaign, Group, Unit, Meeting, Notice)


def build_serializers() -> None:
    """Build the record classes' serializers where ``defer_build`` left them unbuilt: a
    process that validated no record itself (its records came from the snapshot, or from
    worker processes) must still write them to the record cache. pydantic before 2.14
    refuses to serialize a class whose serializer is still the deferred placeholder."""
    from pydantic.dataclasses import rebuild_dataclass
    from pydantic_core import SchemaSerializer

    for cls in RECORD_CLASSES:
        if not isinstance(getattr(cls, "__pydantic_serializer__", None), SchemaSerializer):
            rebuild_dataclass(cls, force=True)  # type: ignore[arg-type]  # a pydantic dataclass
