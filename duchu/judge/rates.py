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


def tenths_of_percent(rate: Fraction) -> int:
    """``round(rate * 1000)`` -- half to even, as Fraction rounds -- in integers: a
    province's tallies and pages ask for hundreds of thousands of rates, and Fraction's
    arithmetic made a tenth of a unit page's making."""
    whole, rest = divmod(rate.numerator * 1000, rate.denominator)
    twice = 2 * rest
    if twice > rate.denominator or (twice == rate.denominator and whole % 2):
        whole += 1
    return whole


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
    """The rounding rules, for the renderers to apply (they round nothing their own way):
    a rate shown as a percentage is rounded to tenths of a percent; a rate in JSON or in a
    workbook's cell keeps four places."""

    @staticmethod
    def tenths(rate: Fraction) -> int:
        """The rate in tenths of a percent as shown (20.0% is 200)."""
        return tenths_of_percent(rate)

    @staticmethod
    def four_places(rate: Fraction | None) -> float | None:
        """A rate as JSON shows it: 4 decimal places, None when nothing was rated."""
        return None if rate is None else float(round(rate, 4))
