"""What each page of the site shows, as plain data for its template.

One judgement, many renderings: every state, count and rate here was judged by
``duchu.judge.site`` (from ``duchu.judge.status``, ``duchu.judge.office`` and
``duchu.judge.tally``); this module only picks them out, writes dates and percentages as the
other views do, and links the pages. It reads no clock and runs no git: the as-of date and
the provenance come in.

Record texts stay plain ``str``: the HTML environment escapes every one of them. Only the
charts (``duchu.render.site.charts``) are markup, made by duchu from numbers.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from duchu import __version__
from duchu.judge.office import GroupRow
from duchu.judge.site import SiteInput
from duchu.judge.status import ActionStatus, UnitStatus
from duchu.judge.tally import MeetingTally, UnitComparison
from duchu.messages import message
from duchu.records.dates import format_date, format_deadline
from duchu.render.site import charts
from duchu.render.site.folder import file_names
from duchu.render.site.overview import overview_sections
from duchu.render.text import action_notes
from duchu.render.words import percent, signed_percent

# How much one page may list before it is split: at 20,000 units a single overview would
# run to megabytes; the first page of each list is on the overview, the rest on numbered
# pages after it.
GROUPS_PER_PAGE = 100
LAGGING_PER_PAGE = 200
FLAGGED_SHOWN = 300  # the appraisals page lists this many flagged subjects, then counts
FELL_SHOWN = 50  # units whose team's positive rate fell the most

Words = Callable[..., str]


@dataclass(frozen=True)
class Page:
    """One file of the site: where it goes, its template, and what the template gets."""

    path: str
    template: str
    context: dict[str, Any]


def _pages_of(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page))


def list_page_path(kind: str, number: int) -> str:
    """The overview is the first page of each list; later pages are ``groups-2.html`` ..."""
    return "index.html" if number == 1 else f"{kind}-{number}.html"


class SiteBuilder:
    """Builds the pages of one site from a ``SiteInput``."""

    def __init__(self, data: SiteInput) -> None:
        self.data = data
        self._words = _Words(data.lang)
        tree = data.tree
        campaign = tree.campaign
        assert campaign is not None
        self.campaign = campaign
        self.lang = data.lang
        self.as_of = data.status.as_of
        self.units = {u.id: u for u in data.status.units}
        self.rows = {row.id: row for row in data.office.groups}
        self.unit_file = file_names([uid for uid in tree.units if uid in self.units])
        self.group_file = file_names([gid for gid in tree.groups if gid in self.rows])
        self.phase_names = {p.id: p.name for p in campaign.phases}
        self.action_names = {a.id: a.name for p in campaign.phases for a in p.actions}
        self.names = {**self.phase_names, **self.action_names}
        self.kind_names = {kid: k.name for kid, k in campaign.meeting_kinds.items()}
        self.unit_actions = data.unit_actions
        self.flag_at = data.flag_at
        self.tallies_of: dict[str, list[MeetingTally]] = defaultdict(list)
        for tally in data.tallies:
            self.tallies_of[tally.unit].append(tally)
        self.comparison_of = {c.unit: c for c in data.comparisons}
        self.meetings_of = data.meetings_of
        self._common: dict[int, dict[str, Any]] = {}

    # --- words -----------------------------------------------------------------------------

    def t(self, key: str, /, **args: object) -> str:
        if args:
            return message(key, self.lang, **args)
        # a word without fields is looked up once: a province's grids ask for each of the
        # six states' words hundreds of thousands of times
        return self._words[key]

    def line(self, key: str) -> str:
        """A column heading the terminal folds over two lines, on one (``完成\n率``)."""
        text = self.t(key)
        return text.replace("-\n", "").replace("\n", "" if self.lang == "zh" else " ")

    def day(self, day: date | None) -> str:
        return format_date(day, self.lang) if day is not None else "—"

    # --- every page ------------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        """Every page of the site, one at a time (a province's pages are written as they are
        made, never held all at once)."""
        for _, build in self.jobs():
            yield build()

    def jobs(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """Every page's path, and how to make it: the site can be shared out among
        processes by path, each making only the pages it writes."""
        for page in self.overview_pages():  # a handful, even for a province
            yield page.path, functools.partial(_given, page)
        yield "appraisals.html", self.appraisals_page
        for row in self.data.office.groups:
            yield self.group_path(row.id), functools.partial(self.group_page, row)
        for uid in self.unit_file:
            yield self.unit_path(uid), functools.partial(self.unit_page, self.units[uid])

    def group_path(self, gid: str) -> str:
        return f"groups/{self.group_file[gid]}.html"

    def unit_path(self, uid: str) -> str:
        return f"units/{self.unit_file[uid]}.html"

    def common(self, depth: int, title: str, here: str) -> dict[str, Any]:
        """What every page has: words, links back, the provenance."""
        shared = self._common.get(depth)
        if shared is None:  # the same for every page as deep: worded once
            shared = self._common[depth] = self._common_words(depth)
        return {**shared, "title": title, "here": here}

    def _common_words(self, depth: int) -> dict[str, Any]:
        root = "../" * depth
        data = self.data
        prov = data.provenance
        pieces = [self.t("site-prov-as-of", as_of=self.day(self.as_of))]
        if data.known and prov.commit:
            pieces.append(self.t("site-prov-known", commit=prov.commit[:8]))
        elif prov.in_git and prov.commit:
            pieces.append(self.t("site-prov-commit", commit=prov.commit[:8]))
            if prov.dirty:
                pieces.append(self.t("site-prov-dirty"))
        elif not prov.in_git:
            pieces.append(self.t("site-prov-no-git"))
        group = data.tree.groups.get(data.group) if data.group else None
        return {
            "t": self.t,
            # the words without fields, as a mapping: ``w["col-state"]`` in a template is an
            # item looked up, where ``t("col-state")`` is a call -- a tenth of a unit page's
            # rendering
            "w": self._words,
            "line": self.line,
            "lang": "zh-CN" if self.lang == "zh" else "en",
            "root": root,
            "title": "",
            "here": "",
            "campaign": self.campaign.name,
            "issuer": self.campaign.issuer or "",
            "as_of": self.day(self.as_of),
            "provenance": self.t("site-sep").join(pieces),
            "dirty": bool(prov.dirty and not data.known),
            "made_by": self.t("site-made-by", version=__version__),
            "only_group": group.name if group else "",
        }

    # --- overview --------------------------------------------------------------------------

    def overview_pages(self) -> Iterator[Page]:
        office = self.data.office
        lagging = [(row, u) for row in office.groups for u in row.units if u.lagging]
        group_pages = _pages_of(len(office.groups), GROUPS_PER_PAGE)
        lagging_pages = _pages_of(len(lagging), LAGGING_PER_PAGE)
        summary = self.t(
            "office-title",
            as_of=self.day(office.as_of),
            groups=len(office.groups),
            units=office.units,
            lagging=office.lagging,
            known="",
        )
        yield self._overview_page(
            "index.html",
            summary,
            office.groups[:GROUPS_PER_PAGE],
            lagging[:LAGGING_PER_PAGE],
            1,
            1,
            "",
            len(lagging),
            group_pages=group_pages,
            lagging_pages=lagging_pages,
        )
        for number in range(2, group_pages + 1):
            part = slice((number - 1) * GROUPS_PER_PAGE, number * GROUPS_PER_PAGE)
            yield self._overview_page(
                list_page_path("groups", number),
                summary,
                office.groups[part],
                [],
                number,
                group_pages,
                "groups",
                len(lagging),
            )
        for number in range(2, lagging_pages + 1):
            part = slice((number - 1) * LAGGING_PER_PAGE, number * LAGGING_PER_PAGE)
            yield self._overview_page(
                list_page_path("lagging", number),
                summary,
                [],
                lagging[part],
                number,
                lagging_pages,
                "lagging",
                len(lagging),
            )

    def _overview_page(
        self,
        path: str,
        summary: str,
        groups: list[GroupRow],
        lagging: list[tuple[GroupRow, UnitStatus]],
        number: int,
        pages: int,
        kind: str,
        lagging_count: int,
        *,
        group_pages: int = 1,
        lagging_pages: int = 1,
    ) -> Page:
        title = self.t("site-title", campaign=self.campaign.name)
        context = self.common(0, title, "overview")
        context.update(
            {
                "summary": summary,
                "overview": number == 1,
                "groups": [self.group_row(row) for row in groups],
                "lagging": [self.lagging_row(row, u) for row, u in lagging],
                "lagging_count": lagging_count,
                "group_count": len(self.data.office.groups),
                "late_legend": self.t("office-legend-late", within=self.data.office.report_within),
                "pager": self._pager(kind, number, pages) if number > 1 else None,
                "more_groups": [list_page_path("groups", n) for n in range(2, group_pages + 1)],
                "more_lagging": [list_page_path("lagging", n) for n in range(2, lagging_pages + 1)],
                # the filter keys a group by its id: two groups may share a name
                "lagging_groups": self.filter_choices(row for row, _ in lagging),
                "trend": None,
                "findings": None,
                "notices": None,
            }
        )
        if number == 1:  # the trend, the notices and the open findings: on the overview only
            context.update(
                overview_sections(self.data, self.t, self.lang, lambda u: self.unit_href(u, 0))
            )
        return Page(path, "site/overview.html.j2", context)

    def _pager(self, kind: str, number: int, pages: int) -> dict[str, Any]:
        return {
            "text": self.t("site-page", page=number, pages=pages),
            "previous": list_page_path(kind, number - 1),
            "next": list_page_path(kind, number + 1) if number < pages else "",
        }

    def group_href(self, gid: str, depth: int) -> str:
        return "../" * depth + self.group_path(gid)

    def unit_href(self, uid: str, depth: int) -> str:
        return "../" * depth + self.unit_path(uid)

    def group_row(self, row: GroupRow, depth: int = 0) -> dict[str, Any]:
        """A group's row as the office sees it (``status --by group``), with its bars."""
        delay = row.report_delay
        units = len(row.units)
        return {
            "name": row.name,
            "href": self.group_href(row.id, depth),
            "light": row.light,
            "light_word": self.t(f"site-light-{row.light}"),
            "lagging": row.lagging,
            "units": units,
            "lagging_share": float(row.lagging_share),
            "lagging_bar": charts.stacked_bar(
                [charts.Segment(row.lagging, "seg-overdue", self.t("unit-lagging"))],
                units,
                width=80,
                label=f"{row.lagging}/{units}",
            ),
            "days_overdue": row.days_overdue,
            "due": row.due,
            "on_time": row.on_time,
            "late": row.late,
            "overdue": row.overdue,
            "done_share": percent(row.done_share),
            "done_value": float(row.done_share) if row.done_share is not None else -1,
            "done_bar": charts.stacked_bar(
                [
                    charts.Segment(
                        row.on_time, "seg-done", f"{self.t('state-done')} {row.on_time}"
                    ),
                    charts.Segment(row.late, "seg-late", f"{self.t('state-late')} {row.late}"),
                    charts.Segment(
                        row.overdue, "seg-overdue", f"{self.t('state-overdue')} {row.overdue}"
                    ),
                ],
                row.due,
                label=percent(row.done_share),
            ),
            "attended": row.attended,
            "judged": row,  # supervised, due_today, silent, late_reports as they are
            "last_report": self._silence(row),
            "report_delay": "—"
            if delay is None
            else self.t("report-delay-days", median=delay.median_number, max=delay.max),
            "report_delay_value": delay.median if delay is not None else -1,
        }

    def _silence(self, row: GroupRow) -> str:
        """最近上报 and the days silent since (``—`` outside git); a date in a narrow column,
        without its year when it is the as-of date's."""
        day, days = row.last_report, row.silent_days
        if day is None or days is None:
            return "—" if days is None else self.t("last-report-silent", date="—", days=days)
        if self.lang == "zh" and day.year == self.as_of.year:
            return self.t("last-report-silent", date=f"{day.month}月{day.day}日", days=days)
        return self.t("last-report-silent", date=format_date(day, self.lang), days=days)

    def filter_choices(self, rows: Iterable[GroupRow]) -> list[dict[str, str]]:
        """A group filter's choices, once a group, keyed by id; a name two groups of the
        office share is told apart by the id beside it."""
        unique = list({row.id: row for row in rows}.values())
        names = Counter(row.name for row in self.rows.values())
        return [
            {"id": row.id, "label": row.name if names[row.name] == 1 else f"{row.name}（{row.id}）"}
            for row in unique
        ]

    def lagging_row(self, row: GroupRow, unit: UnitStatus, depth: int = 0) -> dict[str, Any]:
        overdue = sorted(unit.in_state("overdue"), key=lambda a: -a.days_overdue)
        return {
            "group": row.name,
            "group_id": row.id,
            "group_href": self.group_href(row.id, depth),
            "name": unit.unit.label,
            "href": self.unit_href(unit.id, depth),
            "days_overdue": unit.days_overdue,
            "overdue": [
                self.t("overdue-item", action=a.planned.action.name, days=a.days_overdue)
                for a in overdue
            ],
        }

    # --- a group ---------------------------------------------------------------------------

    def group_page(self, row: GroupRow) -> Page:
        tree = self.data.tree
        record = tree.groups[row.id]
        context = self.common(1, row.name, "group")
        phases: list[dict[str, Any]] = []
        for planned in self.unit_actions:
            if not phases or phases[-1]["id"] != planned.phase_id:
                phases.append(
                    {"id": planned.phase_id, "name": self.phase_names[planned.phase_id], "span": 0}
                )
            phases[-1]["span"] += 1
        grid = []
        for unit in row.units:
            by_action = {a.planned.id: a for a in unit.actions}
            grid.append(
                {
                    "name": unit.unit.label,
                    "full_name": unit.unit.name,
                    "href": self.unit_href(unit.id, 1),
                    "light": unit.light,
                    "days_overdue": unit.days_overdue,
                    "progress": f"{unit.done_of_due}/{unit.due}",
                    "cells": [
                        self._cell(by_action.get(planned.id), unit) for planned in self.unit_actions
                    ],
                }
            )
        meetings: dict[str, date] = {}
        for unit in row.units:
            for day, meeting_id in self.meetings_of.get(unit.id, []):
                meetings[meeting_id] = day
        unit_ids = [u.id for u in row.units]
        context.update(
            {
                "group": {
                    "name": row.name,
                    "leader": record.leader or "",
                    "members": [m for m in record.members if m != record.leader],
                    "row": self.group_row(row, 1),
                },
                "phases": phases,
                "actions": [
                    {
                        "name": p.action.name,
                        "due": format_deadline(p.due, self.lang),
                    }
                    for p in self.unit_actions
                ],
                "grid": grid,
                "legend": self._legend(),
                "meetings": [
                    self._meeting(mid, day, unit_ids, depth=1)
                    for mid, day in sorted(meetings.items(), key=lambda kv: (kv[1], kv[0]))
                ],
                "group_actions": [
                    {
                        "name": a.planned.action.name,
                        "due": format_deadline(a.planned.due, self.lang),
                        "state": a.state,
                        "state_word": self.t(f"state-{a.state}"),
                        "done": self.day(a.done) if a.done else "",
                        "note": _note(record.done.get(a.planned.id)) if a.done else "",
                    }
                    for a in row.actions
                ],
            }
        )
        return Page(self.group_path(row.id), "site/group.html.j2", context)

    def _legend(self) -> list[dict[str, str]]:
        return [
            {
                "state": state,
                "glyph": self.t(f"site-glyph-{state}"),
                "word": self.t(f"state-{state}"),
            }
            for state in ("done", "late", "overdue", "due_soon", "open", "waived")
        ]

    def _cell(self, action: ActionStatus | None, unit: UnitStatus) -> dict[str, str] | None:
        """A light of the grid; its tooltip names the action, its state and its day."""
        if action is None:  # the action does not apply to this kind of unit
            return None
        pieces = [action.planned.action.name, self.t(f"state-{action.state}")]
        if action.done is not None:
            pieces.append(self.day(action.done))
        pieces.extend(action_notes(action, unit, self.names, self.lang))
        pieces.append(self.t("site-due-on", due=format_deadline(action.planned.due, self.lang)))
        return {
            "state": action.state,
            "glyph": self.t(f"site-glyph-{action.state}"),
            "title": self.t("site-sep").join(p for p in pieces if p),
            "problem": "problem" if action.problems else "",
        }

    def _meeting(
        self, meeting_id: str, day: date, unit_ids: list[str], depth: int
    ) -> dict[str, Any]:
        tree = self.data.tree
        meeting = tree.meetings[meeting_id]
        wanted = set(unit_ids)  # a group's page looks each meeting's units up in its own
        whose = [uid for uid in tree.meeting_units.get(meeting_id, ()) if uid in wanted]
        return {
            "date": self.day(day),
            "kind": self.kind_names.get(meeting.kind, meeting.kind),
            "title": meeting.title or "",
            "units": [
                {"name": tree.units[uid].label, "href": self.unit_href(uid, depth)}
                for uid in whose
                if uid in self.unit_file
            ]
            if len(whose) < len(unit_ids) or len(unit_ids) == 1
            else [],
            "all_units": len(whose) == len(unit_ids) and len(unit_ids) > 1,
            "attended_by": ("、" if self.lang == "zh" else ", ").join(meeting.attended_by),
            "absent": [{"name": a.name, "reason": a.reason or ""} for a in meeting.absent],
            "absent_text": [
                self.t("site-with-note", name=a.name, note=a.reason) if a.reason else a.name
                for a in meeting.absent
            ],
            "people": meeting.people,
            "notes": (meeting.notes or "").strip(),
        }

    # --- a unit ----------------------------------------------------------------------------

    def unit_page(self, unit: UnitStatus) -> Page:
        record = unit.unit
        row = self.rows.get(record.group)
        context = self.common(1, record.name, "unit")
        phases: list[dict[str, Any]] = []
        for action in unit.actions:
            phase_id = action.planned.phase_id
            if not phases or phases[-1]["id"] != phase_id:
                phases.append({"id": phase_id, "name": self.phase_names[phase_id], "actions": []})
            phases[-1]["actions"].append(
                {
                    "name": action.planned.action.name,
                    "due": format_deadline(action.planned.due, self.lang),
                    "state": action.state,
                    "state_word": self.t(f"state-{action.state}"),
                    "glyph": self.t(f"site-glyph-{action.state}"),
                    "done": self.day(action.done) if action.done else "",
                    "notes": action_notes(action, unit, self.names, self.lang),
                    "record_note": _note(record.done.get(action.planned.id)) if action.done else "",
                }
            )
        context.update(
            {
                "unit": {
                    "name": record.name,
                    "short": record.short or "",
                    "category": record.category or "",
                    "group": row.name if row else record.group,
                    "group_href": self.group_href(record.group, 1) if row else "",
                    "leaders": [{"name": x.name, "post": x.post or ""} for x in record.leaders],
                    "leaders_text": [
                        self.t("site-with-note", name=x.name, note=x.post) if x.post else x.name
                        for x in record.leaders
                    ],
                    "light": unit.light,
                    "light_word": self.t(f"site-light-{unit.light}"),
                    "days_overdue": unit.days_overdue,
                    "progress": f"{unit.done_of_due}/{unit.due}",
                    "overdue": [
                        self.t("overdue-item", action=a.planned.action.name, days=a.days_overdue)
                        for a in sorted(unit.in_state("overdue"), key=lambda a: -a.days_overdue)
                    ],
                },
                "phases": phases,
                "meetings": [
                    self._meeting(mid, day, [unit.id], depth=1)
                    for day, mid in self.meetings_of.get(unit.id, [])
                ],
                "findings": self._findings(unit),
                "appraisals": [self._tally(t) for t in self.tallies_of.get(unit.id, [])],
                "ratings": list(self.campaign.appraisal.ratings),
                "legend": self._rating_legend(),
                "comparison": self._comparison(self.comparison_of.get(unit.id)),
            }
        )
        return Page(self.unit_path(unit.id), "site/unit.html.j2", context)

    def _findings(self, unit: UnitStatus) -> list[dict[str, Any]]:
        """The unit's findings known by the as-of date: rectified ones as well as open ones
        (as the report carries them), each with where it stands that day (judged)."""
        return [
            {
                "text": item.finding.text,
                "found": self.day(item.found) if item.found else "—",
                "owner": item.finding.owner or "—",
                "due": format_deadline(item.deadline, self.lang) if item.deadline else "—",
                "resolved": self.day(item.resolved) if item.resolved else "",
                "state": item.state,
                "state_word": self.t(f"site-finding-{item.state}"),
            }
            for item in self.data.findings_of.get(unit.id, [])
        ]

    def _rating_legend(self) -> list[dict[str, str]]:
        scheme = self.campaign.appraisal
        return [
            {
                "rating": rating,
                "css": charts.rating_css(rating, scheme.positive, scheme.negative, i),
            }
            for i, rating in enumerate(scheme.ratings)
        ]

    @functools.cached_property
    def _rating_classes(self) -> dict[str, str]:
        """Each rating's colour class, worked out once for all the bars of a site."""
        scheme = self.campaign.appraisal
        return {
            rating: charts.rating_css(rating, scheme.positive, scheme.negative, i)
            for i, rating in enumerate(scheme.ratings)
        }

    def _tally(self, tally: MeetingTally, depth: int = 1) -> dict[str, Any]:
        ratings = self.campaign.appraisal.ratings
        counts = tally.counts
        valid = counts.valid
        css = self._rating_classes
        bar, segment = charts.stacked_bar, charts.Segment
        return {
            "date": self.day(tally.date),
            "kind": self.kind_names.get(tally.kind, tally.kind),
            "forms": self.t(
                "tally-forms",
                distributed="—" if counts.distributed is None else counts.distributed,
                returned=counts.returned,
                valid=counts.valid,
                invalid=counts.invalid,
            ),
            "subjects": [
                {
                    "subject": s.subject,
                    "counts": [s.counts[r] for r in ratings],
                    "unrated": s.unrated,
                    "bar": bar(
                        [
                            segment(count, css.get(rating, ""), f"{rating} {count}")
                            for rating, count in s.counts.items()
                        ],
                        valid,
                        label=s.subject,
                    ),
                    "positive": percent(s.positive_rate),
                    "negative": percent(s.negative_rate),
                    "flagged": s.flagged,
                }
                for s in tally.subjects
            ],
        }

    def _comparison(self, item: UnitComparison | None) -> dict[str, Any] | None:
        if item is None:
            return None
        before_word = f"{self.kind_names.get(item.before.kind, item.before.kind)}"
        after_word = f"{self.kind_names.get(item.after.kind, item.after.kind)}"
        rows = []
        pairs = []
        for change in item.subjects:
            before, after = change.before, change.after
            rows.append(
                {
                    "subject": change.subject,
                    "positive_before": percent(before.positive_rate if before else None),
                    "positive_after": percent(after.positive_rate if after else None),
                    "positive_change": signed_percent(change.positive_shift),
                    "positive_css": charts.change_css(change.positive_shift, good_when_up=True),
                    "negative_before": percent(before.negative_rate if before else None),
                    "negative_after": percent(after.negative_rate if after else None),
                    "negative_change": signed_percent(change.negative_shift),
                    "negative_css": charts.change_css(change.negative_shift, good_when_up=False),
                    "flagged_before": bool(before and before.flagged),
                    "flagged_after": bool(after and after.flagged),
                }
            )
            pairs.append(
                charts.Pair(
                    change.subject,
                    before.positive_rate if before else None,
                    after.positive_rate if after else None,
                    percent(before.positive_rate if before else None),
                    percent(after.positive_rate if after else None),
                )
            )
        return {
            "title": self.t(
                "compare-title",
                unit=self.data.tree.units[item.unit].label,
                before=before_word,
                before_date=self.day(item.before.date),
                after=after_word,
                after_date=self.day(item.after.date),
            ),
            "rows": rows,
            "chart": charts.before_after(
                pairs,
                before_label=f"{before_word} {self.t('col-positive-rate')}",
                after_label=f"{after_word} {self.t('col-positive-rate')}",
            ),
            "before": before_word,
            "after": after_word,
        }

    # --- appraisals across the tree --------------------------------------------------------

    def appraisals_page(self) -> Page:
        tree = self.data.tree
        scheme = self.campaign.appraisal
        context = self.common(0, self.t("site-nav-appraisals"), "appraisals")
        flagged = [
            (t, s)
            for t in self.data.tallies
            if t.unit in self.unit_file
            for s in t.subjects
            if s.flagged
        ]
        flagged.sort(key=lambda ts: (-(ts[1].negative_rate or 0), ts[0].date, ts[0].id))
        kinds: dict[str, list[MeetingTally]] = defaultdict(list)
        for tally in self.data.tallies:
            kinds[tally.kind].append(tally)
        distributions = []
        edges = [f"{i * 10}%" for i in range(11)]
        for kind in sorted(
            kinds,
            key=lambda k: (
                list(self.kind_names).index(k) if k in self.kind_names else len(self.kind_names)
            ),
        ):
            positive = [0] * 10
            negative = [0] * 10
            subjects = 0
            for tally in kinds[kind]:
                for s in tally.subjects:
                    if s.positive_rate is None or s.negative_rate is None:
                        continue
                    subjects += 1
                    positive[min(int(s.positive_rate * 10), 9)] += 1
                    negative[min(int(s.negative_rate * 10), 9)] += 1
            name = self.kind_names.get(kind, kind)
            distributions.append(
                {
                    "kind": name,
                    "meetings": len(kinds[kind]),
                    "subjects": subjects,
                    "positive": charts.histogram(
                        positive, edges, label=f"{name} {self.t('col-positive-rate')}"
                    ),
                    "negative": charts.histogram(
                        negative,
                        edges,
                        css=[
                            "seg-overdue" if (i + 1) / 10 > self.flag_at else "seg-bin"
                            for i in range(10)
                        ],
                        marker=float(self.flag_at),
                        marker_label=self.t("site-flag-line", flag_at=percent(self.flag_at)),
                        label=f"{name} {self.t('col-negative-rate')}",
                    ),
                }
            )
        team = scheme.team
        shifts = self.data.team
        context.update(
            {
                "flag_at": percent(self.flag_at),
                "meetings": len(self.data.tallies),
                "flagged_count": len(flagged),
                "flagged_shown": FLAGGED_SHOWN,
                "flagged": [
                    {
                        "unit": tree.units[t.unit].label,
                        "href": self.unit_href(t.unit, 0),
                        "group": self.rows[tree.units[t.unit].group].name
                        if tree.units[t.unit].group in self.rows
                        else "",
                        "group_id": tree.units[t.unit].group,
                        "kind": self.kind_names.get(t.kind, t.kind),
                        "date": self.day(t.date),
                        "subject": s.subject,
                        "negative": percent(s.negative_rate),
                        "negative_value": float(s.negative_rate or 0),
                    }
                    for t, s in flagged[:FLAGGED_SHOWN]
                ],
                "flagged_groups": self.filter_choices(
                    (
                        self.rows[tree.units[t.unit].group]
                        for t, _ in flagged[:FLAGGED_SHOWN]
                        if tree.units[t.unit].group in self.rows
                    )
                ),
                "distributions": distributions,
                "team": team,
                "compared": len(shifts.items),
                "rose": shifts.count("rose"),
                "fell": shifts.count("fell"),
                "same": shifts.count("same"),
                "fell_most": [
                    {
                        "unit": tree.units[item.unit].label,
                        "href": self.unit_href(item.unit, 0),
                        "change": signed_percent(change),
                    }
                    for item, change in shifts.fell_most(FELL_SHOWN)
                ],
                "legend": self._rating_legend(),
            }
        )
        return Page("appraisals.html", "site/appraisals.html.j2", context)


def _given(page: Page) -> Page:
    return page


def _note(entry: object) -> str:
    note = getattr(entry, "note", None)
    return note.strip() if isinstance(note, str) else ""


class _Words(dict[str, str]):
    """The tool's words without fields, each looked up once in ``duchu.messages``: a
    province's pages ask for the same few hundred thousands of times."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __missing__(self, key: str) -> str:
        word = self[key] = message(key, self.lang)
        return word
