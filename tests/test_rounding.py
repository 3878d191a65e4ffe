"""One rounding rule for every rate and average duchu shows (issue 25): half up, as an
office rounds by hand (四舍五入) -- the specification names none for what is shown, only
that JSON keeps four places. 13/16 = 81.25% is 81.3%, 0.25 visits a unit is 0.3, and the
terminal, the reports, JSON and the workbooks all go through ``duchu.judge.rates``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from duchu.judge.rates import Rounding, round_half_up, shift, tenths_of_percent
from duchu.render.words import one_decimal, percent, points, signed_percent

rates = st.builds(
    Fraction, st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6)
)


def _decimal_half_up(value: Fraction, places: int) -> Fraction:
    """The same rule by another road: decimal's ROUND_HALF_UP on the quotient, to 200
    digits -- far more than a half at six places and a denominator of a million needs."""
    with localcontext() as context:
        context.prec = 200
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return Fraction(rounded)


def test_the_officials_examples() -> None:
    assert percent(Fraction(13, 16)) == "81.3%"  # 81.25
    assert percent(Fraction(1, 8)) == "12.5%"
    assert percent(Fraction(1, 3)) == "33.3%" and percent(Fraction(2, 3)) == "66.7%"
    assert percent(Fraction(1, 1600)) == "0.1%"  # 0.0625% -> 0.1
    assert percent(Fraction(1, 2000)) == "0.1%"  # 0.05% -> 0.1 (half even said 0.0)
    assert percent(Fraction(3, 2000)) == "0.2%"  # 0.15%
    assert one_decimal(Fraction(1, 4)) == "0.3"  # half even said 0.2
    assert one_decimal(Fraction(15, 4)) == "3.8"
    assert one_decimal(4.0) == "4" and one_decimal(0.15) == "0.2" and one_decimal(2.25) == "2.3"
    assert Rounding.four_places(Fraction(81245, 100000)) == 0.8125  # half even said 0.8124
    assert Rounding.four_places(None) is None and percent(None) == "—"


@given(rates)
def test_percent_is_half_up(rate: Fraction) -> None:
    expected = _decimal_half_up(rate * 100, 1)
    assert tenths_of_percent(rate) == expected * 10
    assert percent(rate) == f"{Decimal(expected.numerator) / expected.denominator:.1f}%"


@given(rates, st.integers(min_value=0, max_value=6))
def test_round_half_up_matches_decimal(rate: Fraction, places: int) -> None:
    assert round_half_up(rate, places) == _decimal_half_up(rate, places)
    assert round_half_up(-rate, places) == -round_half_up(rate, places)  # away from zero


@given(rates, rates)
def test_a_change_is_the_change_of_the_rates_as_shown(before: Fraction, after: Fraction) -> None:
    change = shift(before, after)
    assert change is not None
    shown = [Decimal(percent(r)[:-1]) for r in (before, after)]
    assert Decimal(change.tenths) / 10 == shown[1] - shown[0]
    if change.tenths == 0:
        assert signed_percent(change) == "±0.0%" and points(change) == "0"


@given(rates)
def test_json_keeps_four_places_half_up(rate: Fraction) -> None:
    assert Rounding.four_places(rate) == float(_decimal_half_up(rate, 4))
