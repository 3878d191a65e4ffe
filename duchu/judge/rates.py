"""How rates are rounded and compared, once for every output.

A rate is shown to a tenth of a percent (96.2%); a change between two rates is the change
*as shown* -- both rates rounded to tenths first, then subtracted -- so a reader who
subtracts 96.2% from 96.2% finds 0, never +0.1, and every output (the terminal, the
workbook, the site, the summary) says the same rose, same or fell.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Direction = Literal["rose", "same", "fell"]


def round_half_up(value: Fraction, places: int) -> Fraction:
    """``value`` to ``places`` decimal places, a half away from zero: 81.25 is 81.3 and
    0.25 is 0.3, as an office rounds by hand (四舍五入). The specification names no
    rounding for what is shown (only that JSON keeps 4 places), so this is the one rule
    for every rate, change and average duchu shows or stores; in integers, because a
    province's tallies and pages ask for hundreds of thousands of them."""
    scale = 10**places
    whole, rest = divmod(abs(value.numerator) * scale, value.denominator)
    if 2 * rest >= value.denominator:
        whole += 1
    return Fraction(-whole if value.numerator < 0 else whole, scale)


def tenths_of_percent(rate: Fraction) -> int:
    """The rate in tenths of a percent, rounded half up (``round_half_up(rate, 3)`` times
    1000): 13/16 = 81.25% is 813."""
    whole, rest = divmod(abs(rate.numerator) * 1000, rate.denominator)
    if 2 * rest >= rate.denominator:
        whole += 1
    return -whole if rate.numerator < 0 else whole


@dataclass(frozen=True, slots=True)
class Shift:
    """How far a rate moved between two rates as they are shown, in tenths of a
    percentage point (+32 is +3.2 points), and so which way."""

    tenths: int

    @property
    def direction(self) -> Direction:
        return "rose" if self.tenths > 0 else "fell" if self.tenths < 0 else "same"


def shift(before: Fraction | None, after: Fraction | None) -> Shift | None:
    """The change from ``before`` to ``after`` as shown; None when either is missing."""
    if before is None or after is None:
        return None
    return Shift(tenths_of_percent(after) - tenths_of_percent(before))


class Rounding:
    """The rounding rules, for the renderers to apply (they round nothing their own way),
    all half up (``round_half_up``): a rate shown as a percentage is rounded to tenths of
    a percent; a rate in JSON or in a workbook's cell keeps four places; an average in
    running text one."""

    @staticmethod
    def tenths(rate: Fraction) -> int:
        """The rate in tenths of a percent as shown (20.0% is 200)."""
        return tenths_of_percent(rate)

    @staticmethod
    def four_places(rate: Fraction | None) -> float | None:
        """A rate as JSON shows it: 4 decimal places (half up), None when nothing was
        rated."""
        return None if rate is None else float(round_half_up(rate, 4))

    @staticmethod
    def one_place(value: Fraction | float) -> Fraction:
        """An average in running text to one decimal place, half up (3.75 is 3.8, 0.25 is
        0.3); a float as the decimal it prints as."""
        exact = value if isinstance(value, Fraction) else Fraction(repr(float(value)))
        return round_half_up(exact, 1)
