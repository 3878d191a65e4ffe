"""How duchu writes what was judged: percentages, changes, days, numbers and the states'
words -- in one place, so that the terminal, the workbook, the site and the reports write
a number the same way. Nothing here decides a number: rates are rounded by
``duchu.judge.rates`` (``Rounding``), changes come judged (``Shift``).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from duchu.judge.rates import Rounding, Shift
from duchu.judge.status import ActionStatus
from duchu.records.dates import format_date

STATE_WORDS = {
    "done": "按时完成",
    "late": "逾期完成",
    "overdue": "逾期未完成",
    "due_soon": "临近截止",
    "open": "未到期",
    "waived": "免做",
}
CHINESE_NUMERALS = "〇一二三四五六七八九十"


def percent(rate: Fraction | None) -> str:
    """A rate as people read it: one decimal place ("20.0%"), "—" when nothing was rated."""
    if rate is None:
        return "—"
    return f"{Rounding.tenths(rate) / 10:.1f}%"


def signed_percent(change: Shift | None) -> str:
    """A change of a rate as shown: +5.0%, −15.0%; ±0.0% when the shown rates are equal."""
    if change is None:
        return "—"
    if change.tenths == 0:
        return "±0.0%"
    return ("+" if change.tenths > 0 else "−") + f"{abs(change.tenths) / 10:.1f}%"


def points(change: Shift | None) -> str:
    """A change in percentage points in a report's table: +3.2, -1.0, 0; — when either rate
    is missing."""
    if change is None:
        return "—"
    return "0" if change.tenths == 0 else f"{change.tenths / 10:+.1f}"


def one_decimal(value: Fraction | float) -> str:
    """3.75 -> 3.8, 0.25 -> 0.3, 4.0 -> 4: an average in running text (rounded by
    ``Rounding.one_place``, half up)."""
    tenths = Rounding.one_place(value) * 10
    whole, tenth = divmod(abs(int(tenths)), 10)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{whole}" if tenth == 0 else f"{sign}{whole}.{tenth}"


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
