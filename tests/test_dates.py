"""Dates and ten-day phrases, correct to the day (RECORDS.md, "Dates and deadlines")."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duchu.records.dates import DateError, format_date, format_deadline, parse_date, parse_deadline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-02-28", date(2014, 2, 28)),
        ("2014-2-8", date(2014, 2, 8)),
        ("2014年2月28日", date(2014, 2, 28)),
        ("2014年 2月 8日", date(2014, 2, 8)),
        ("2016-02-29", date(2016, 2, 29)),
        # the forms officials type (issue 24)
        ("2014.4.25", date(2014, 4, 25)),
        ("2014/4/25", date(2014, 4, 25)),
        ("2014-4-25", date(2014, 4, 25)),
        ("2014．4．25", date(2014, 4, 25)),  # full-width, as an input method types it
        (date(2014, 4, 25), date(2014, 4, 25)),  # a spreadsheet's date cell
        (datetime(2014, 4, 25, 0, 0), date(2014, 4, 25)),
    ],
)
def test_exact_dates(text: str | date, expected: date) -> None:
    assert parse_date(text) == expected


def test_short_chinese_date_takes_the_campaign_year() -> None:
    assert parse_date("7月13日", 2014) == date(2014, 7, 13)
    with pytest.raises(DateError) as err:
        parse_date("7月13日")
    assert err.value.reason == "date-needs-year"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2014-02-30", "date-no-such-day"),
        ("2014年2月30日", "date-no-such-day"),
        ("2015-02-29", "date-no-such-day"),
        ("2014-13-01", "date-no-such-month"),
        ("二月底", "date-unreadable"),
        ("2014-4/25", "date-unreadable"),  # one separator throughout (2014/4/25 is a date)
        ("2014.2.30", "date-no-such-day"),
        ("2014/13/1", "date-no-such-month"),
        ("", "date-unreadable"),
        ("9月上旬", "date-phrase-not-allowed"),
    ],
)
def test_dates_that_name_no_real_day(text: str, reason: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(text, 2014)
    assert err.value.reason == reason


@pytest.mark.parametrize(
    ("text", "due", "start"),
    [
        ("9月上旬", date(2014, 9, 10), date(2014, 9, 1)),
        ("9月中旬", date(2014, 9, 20), date(2014, 9, 11)),
        ("9月下旬", date(2014, 9, 30), date(2014, 9, 21)),
        ("9月底", date(2014, 9, 30), date(2014, 9, 21)),
        ("9月末", date(2014, 9, 30), date(2014, 9, 21)),
        ("7月初", date(2014, 7, 5), date(2014, 7, 1)),
        ("2月底", date(2014, 2, 28), date(2014, 2, 21)),
        ("12月下旬", date(2014, 12, 31), date(2014, 12, 21)),
        ("2016年2月底", date(2016, 2, 29), date(2016, 2, 21)),
    ],
)
def test_ten_day_phrases(text: str, due: date, start: date) -> None:
    assert parse_deadline(text, 2014).day == due
    assert parse_deadline(text, 2014, "start").day == start
    assert parse_deadline(text, 2014).is_phrase


def test_phrase_needs_a_month_that_exists_and_a_year() -> None:
    with pytest.raises(DateError) as err:
        parse_deadline("13月上旬", 2014)
    assert err.value.reason == "date-no-such-month"
    with pytest.raises(DateError) as err:
        parse_deadline("9月上旬", None)
    assert err.value.reason == "date-needs-year"


def test_formatting_as_users_write_dates() -> None:
    assert format_date(date(2014, 2, 9), "zh") == "2014年2月9日"
    assert format_date(date(2014, 2, 9), "en") == "2014-02-09"
    assert format_deadline(parse_deadline("9月下旬", 2014), "zh") == "9月下旬"
    assert format_deadline(parse_deadline("9月下旬", 2014), "en") == "2014-09-30"


days = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))


@given(days)
def test_every_real_day_reads_the_same_in_both_forms(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(format_date(day, "zh")) == day
    assert parse_date(f"{day.month}月{day.day}日", day.year) == day


@given(days, st.sampled_from(["上旬", "中旬", "下旬", "底", "末", "初"]))
def test_a_phrase_is_a_period_that_contains_its_start_and_its_due(day: date, period: str) -> None:
    text = f"{day.month}月{period}"
    start = parse_deadline(text, day.year, "start").day
    due = parse_deadline(text, day.year).day
    assert start.month == due.month == day.month
    assert 0 <= (due - start).days <= 10
    last = calendar.monthrange(day.year, day.month)[1]
    if period in ("下旬", "底", "末"):
        assert due.day == last and (due + timedelta(days=1)).month != due.month
    if period == "上旬":
        assert due.day == 10 and start.day == 1


@given(st.integers(1, 12), st.integers(29, 32), st.integers(1990, 2030))
def test_days_past_the_month_end_are_refused(month: int, day_number: int, year: int) -> None:
    last = calendar.monthrange(year, month)[1]
    text = f"{year}年{month}月{day_number}日"
    if day_number <= last:
        assert parse_date(text) == date(year, month, day_number)
    else:
        with pytest.raises(DateError):
            parse_date(text)
