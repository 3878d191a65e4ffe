"""What the overview adds in 1.2 (../shared/spec/CLI.md, ``duchu site``): each group's
completion week by week as the office knew it, drawn as a line chart with its numbers in a
table beside, and the findings still open, the most overdue first.

Both were judged in ``duchu.judge`` (``Trend`` by ``duchu.judge.trend``, the open findings
by ``duchu.judge.site``); this module only words and draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from duchu.judge.office import OfficeReport
from duchu.judge.site import SiteInput
from duchu.judge.status import ActionStatus, UnitStatus
from duchu.judge.summary import FindingState
from duchu.judge.trend import Trend
from duchu.records.dates import format_date, format_deadline
from duchu.render.site import charts
from duchu.render.words import percent

# More groups than this and the chart draws the whole office only (twelve lines are as
# many as dash patterns and markers tell apart); the table still has every group.
LINES_DRAWN = 12
OPEN_FINDINGS_SHOWN = 200  # the overview's list; each unit's page has all of its own

Words = Callable[..., str]


def _tick(day: date, lang: str) -> str:
    return f"{day.month}/{day.day}" if lang == "en" else f"{day.month}月{day.day}日"


def trend_context(trend: Trend, t: Words, lang: str, *, one_group: bool) -> dict[str, Any]:
    """The trend section: a sentence instead of a chart outside git (or before the
    campaign began); else the chart, its legend and the table of the same numbers."""
    if trend.state != "drawn":
        if trend.state == "not-begun":
            start = format_date(trend.start, lang) if trend.start else "—"
            return {"note": t("site-trend-not-begun", start=start)}
        return {"note": t(f"site-trend-{trend.state}")}
    ticks = [_tick(day, lang) for day in trend.weeks]
    drawn_groups = len(trend.lines) <= LINES_DRAWN
    series: list[charts.Series] = []
    legend: list[dict[str, Any]] = []
    if not one_group:
        total = charts.Series(
            t("site-trend-total"),
            [float(v) if v is not None else None for v in trend.total],
            [percent(v) for v in trend.total],
            0,
            total=True,
        )
        series.append(total)
        legend.append({"name": total.label, "swatch": charts.line_swatch(0, total=True)})
    if drawn_groups:
        for index, line in enumerate(trend.lines):
            series.append(
                charts.Series(
                    line.name,
                    [float(v) if v is not None else None for v in line.shares],
                    [percent(v) for v in line.shares],
                    index,
                )
            )
            legend.append({"name": line.name, "swatch": charts.line_swatch(index)})
    columns = ([] if one_group else [t("site-trend-total")]) + [line.name for line in trend.lines]
    rows = []
    for i, day in enumerate(trend.weeks):
        values = ([] if one_group else [trend.total[i]]) + [line.shares[i] for line in trend.lines]
        rows.append({"day": format_date(day, lang), "values": [percent(v) for v in values]})
    return {
        "note": "",
        "chart": charts.line_chart(
            series,
            ticks,
            label=t("site-trend-heading"),
            axis_label=t("site-trend-axis"),
            tick_width=34 if lang == "en" else 52,
        ),
        "legend": legend,
        "many": "" if drawn_groups else t("site-trend-many", count=len(trend.lines)),
        "caption": t("site-trend-caption", as_of=format_date(trend.weeks[-1], lang)),
        "columns": columns,
        "rows": rows,
    }


def open_findings_context(
    findings: list[FindingState],
    t: Words,
    lang: str,
    unit_name: Callable[[str], str],
    unit_href: Callable[[str], str],
) -> dict[str, Any]:
    """The open findings' rows (the most overdue first, as judged), at most
    ``OPEN_FINDINGS_SHOWN`` of them, and how many there are."""
    return {
        "count": len(findings),
        "shown": OPEN_FINDINGS_SHOWN,
        "rows": [
            {
                "unit": unit_name(item.unit),
                "href": unit_href(item.unit),
                "text": item.finding.text,
                "owner": item.finding.owner or "—",
                "due": format_deadline(item.deadline, lang) if item.deadline else "—",
                "overdue_days": item.overdue_days or "",
                "state": item.state,
                "state_word": t(f"site-finding-{item.state}"),
            }
            for item in findings[:OPEN_FINDINGS_SHOWN]
        ],
    }


NOTICES_SHOWN = 200  # the overview's list; each unit's page marks its own


def notices_context(
    office: OfficeReport,
    under_notice: list[tuple[UnitStatus, ActionStatus]],
    t: Words,
    lang: str,
    unit_href: Callable[[str], str],
) -> dict[str, Any]:
    """The notices section (../shared/spec/CLI.md 1.2): how many notices each group gave,
    and the unit actions still under a notice, the highest grade first (as judged)."""
    rows = []
    for unit, action in under_notice[:NOTICES_SHOWN]:
        notice = action.notice
        assert notice is not None
        rows.append(
            {
                "unit": unit.unit.label,
                "href": unit_href(unit.id),
                "action": action.planned.action.name,
                "level": notice.level,
                "word": notice.word or notice.level,
                "given": format_date(notice.date, lang),
                "state_word": t(f"state-{action.state}"),
            }
        )
    return {
        "groups": [
            {"name": row.name, "given": row.notices_given}
            for row in office.groups
            if row.notices_given
        ],
        "count": len(under_notice),
        "rows": rows,
    }


def overview_sections(
    data: SiteInput, t: Words, lang: str, unit_href: Callable[[str], str]
) -> dict[str, Any]:
    """What the overview's first page adds to the group table: the trend, the notices and
    the open findings."""
    return {
        "trend": trend_context(data.trend, t, lang, one_group=bool(data.group)),
        "findings": open_findings_context(
            data.open_findings, t, lang, lambda uid: data.tree.units[uid].label, unit_href
        ),
        "notices": notices_context(data.office, data.under_notice, t, lang, unit_href),
    }
