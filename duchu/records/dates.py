"""Dates and deadlines as officials write them, parsed by duchu's own rules.

A date is ISO ``2014-02-28`` or Chinese ``2014年2月28日``; the forms officials type are read
too (issue 24): ``2014-2-28``, ``2014.2.28``, ``2014/2/28`` (one separator throughout), and a
``datetime.date`` as a spreadsheet's date cell gives it. A deadline may also be a ten-day
phrase in the campaign's year: ``9月上旬`` (by 9-10), ``9月中旬`` (by 9-20), ``9月下旬`` /
``9月底`` / ``9月末`` (by the month's last day), ``7月初`` (by 7-05). Used as a start, a phrase
means the first day of its period. A campaign may run across a year end (../shared/spec/RECORDS.md
1.2): a phrase or a date without a year then falls in the first year in which its period ends on
or after the campaign's first start (a campaign starting 2014-09-15 reads ``1月上旬`` as
2015-01-10); ``Calendar`` carries that start, and every caller passes the campaign's
``Campaign.calendar`` so that there is one rule. YAML timestamps are switched off in the
loader, so every date reaches this module as the text the user typed, and a date that names no
real day (``2月30日``, ``13月上旬``) is a problem we report rather than one PyYAML guesses at.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

Meaning = Literal["due", "start"]


@dataclass(frozen=True)
class Calendar:
    """Where a phrase or a date without a year falls: the campaign's ``year`` and its first
    start (None when no phase has a readable start: then every such day is in ``year``)."""

    year: int
    first_start: date | None = None


# A bare int is a fixed year (a date typed before the campaign is read, a test); None: no year.
Year = Calendar | int | None

# A date is read after NFKC normalisation, so the full-width ２０１４年６月２０日 and
# ２０１４－０６－２０ a Chinese input method types read as their ASCII forms (and an
# ideographic space as a space); the digits are then ASCII digits, [0-9]: \d would also
# take ٢٠١٤ and other scripts' digits, which int() reads and no record here is written in.
# ISO, and the same with '.' or '/' as officials type it (2014.4.25, 2014/4/25): one separator
# throughout, so 2014-4/25 is no date
_ISO = re.compile(r"([0-9]{4})([-./])([0-9]{1,2})\2([0-9]{1,2})")
_CHINESE = re.compile(r"(?:([0-9]{4})\s*年\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]")
_PHRASE = re.compile(r"(?:([0-9]{4})\s*年\s*)?([0-9]{1,2})\s*月\s*(上旬|中旬|下旬|底|末|初)")

# period -> (first day, last day or None for the month's last day)
_PERIODS: dict[str, tuple[int, int | None]] = {
    "初": (1, 5),
    "上旬": (1, 10),
    "中旬": (11, 20),
    "下旬": (21, None),
    "底": (21, None),
    "末": (21, None),
}


class DateError(ValueError):
    """The text is not a date, or names no real day. ``reason`` is a message-catalogue key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Deadline:
    """A parsed date or ten-day phrase, with the text it was written as."""

    text: str
    day: date
    is_phrase: bool


def _real_day(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise DateError("date-no-such-month")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError("date-no-such-day") from None


def _year_of(year: Year, month: int, last_day: int | None) -> int:
    """The year a month's period (ending on ``last_day``, None: the month's last day) falls
    in: the calendar's first year in which the period ends on or after the first start."""
    if year is None:
        raise DateError("date-needs-year")
    if isinstance(year, int):
        return year
    start = year.first_start
    if start is None:
        return year.year
    if not 1 <= month <= 12:
        raise DateError("date-no-such-month")
    end = last_day if last_day is not None else calendar.monthrange(start.year, month)[1]
    # Compared as (month, day): a 2月29日 asked of a non-leap year is still "before" 3-1.
    return start.year if (month, end) >= (start.month, start.day) else start.year + 1


@lru_cache(maxsize=4096)
def campaign_calendar(year: int, starts: tuple[str | None, ...]) -> Calendar:
    """The campaign's calendar from its ``year`` and its phases' starts, in order: the first
    start is that of the first phase that has one, read in ``year`` (the year in which, by
    ../shared/spec/RECORDS.md, the campaign starts). When that start names no day (``check`` says
    so), or no phase has one, every phrase and short date falls in ``year``, as in 1.1."""
    text = next((start for start in starts if start is not None), None)
    if text is None:
        return Calendar(year)
    try:
        return Calendar(year, parse_deadline(text, year, "start").day)
    except DateError:
        return Calendar(year)


@lru_cache(maxsize=4096)
def parse_date(text: str | date, year: Year = None) -> date:
    """An exact day. ``year`` (the campaign's calendar) allows the short form ``2月28日``.
    A ``date`` (a spreadsheet's date cell; a ``datetime`` counts by its day) is that day."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    stripped = unicodedata.normalize("NFKC", text).strip()
    match = _ISO.fullmatch(stripped)
    if match:
        return _real_day(int(match[1]), int(match[3]), int(match[4]))
    match = _CHINESE.fullmatch(stripped)
    if match:
        month, day = int(match[2]), int(match[3])
        if match[1] is not None:
            return _real_day(int(match[1]), month, day)
        return _real_day(_year_of(year, month, day), month, day)
    if _PHRASE.fullmatch(stripped):
        raise DateError("date-phrase-not-allowed")
    raise DateError("date-unreadable")


@lru_cache(maxsize=4096)
def parse_deadline(text: str | date, year: Year, meaning: Meaning = "due") -> Deadline:
    """A date or ten-day phrase. As a due date a phrase is its period's last day, as a
    start its first day; a phrase without its own year falls by the campaign's calendar
    (the first year in which its period ends on or after the campaign's first start)."""
    if isinstance(text, date):
        day = parse_date(text)
        return Deadline(day.isoformat(), day, is_phrase=False)
    stripped = unicodedata.normalize("NFKC", text).strip()
    match = _PHRASE.fullmatch(stripped)
    if match is None:
        return Deadline(text, parse_date(stripped, year), is_phrase=False)
    month = int(match[2])
    if not 1 <= month <= 12:
        raise DateError("date-no-such-month")
    first, last = _PERIODS[match[3]]
    the_year = int(match[1]) if match[1] is not None else _year_of(year, month, last)
    if meaning == "start":
        return Deadline(text, date(the_year, month, first), is_phrase=True)
    last_day = last if last is not None else calendar.monthrange(the_year, month)[1]
    return Deadline(text, date(the_year, month, last_day), is_phrase=True)


def format_date(day: date, lang: str) -> str:
    """A day as users write it: ``2014年2月28日`` in Chinese, ISO in English."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def format_deadline(deadline: Deadline, lang: str) -> str:
    """A deadline as written when it was a phrase (``9月下旬``), else as a formatted day."""
    if deadline.is_phrase and lang == "zh":
        return deadline.text.strip()
    return format_date(deadline.day, lang)
