"""Balls and enclosures (clverify.numerics.precision.certify): the operations that turn an Arb
ball into a yes/no or into printed digits, checked against exact rational arithmetic.

Expected values come from :class:`fractions.Fraction` built from the integers that define each
input (``man * 2**exp``) or from flint's own exact ``man_exp``, never from the code under test.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

import mpmath
import pytest
from exact_values import ball_bounds, dyadic, exact
from exact_values import decimal_fraction as as_fraction
from flint import arb
from hypothesis import example, given, target
from hypothesis import strategies as st

from clverify.numerics.precision.certify import Enclosure, _round, _to_decimal, arb_to_mpf, ball_sign

MANTISSAS = st.integers(-(2**300), 2**300)
EXPONENTS = st.integers(-400, 400)


# --- ball_sign: the sign of every point of the ball, or None ----------------------------------

@given(m=MANTISSAS, e=EXPONENTS, r=st.integers(0, 2**300), shift=st.integers(-40, 40))
@example(m=1, e=0, r=2, shift=0)    # [-1, 3]: positive midpoint, not a positive ball
@example(m=-1, e=0, r=2, shift=0)   # [-3, 1]: negative midpoint, not a negative ball
@example(m=1, e=0, r=1, shift=0)    # [0, 2] (or a hair wider): touches 0
@example(m=0, e=0, r=0, shift=0)    # the exact zero
@example(m=0, e=0, r=1, shift=-60)  # a tiny ball around 0
def test_ball_sign_is_the_sign_of_every_point(m, e, r, shift):
    ball = arb(arb(dyadic(m, e)), arb(dyadic(r, e + shift)))
    lo, hi = ball_bounds(ball)  # the radius flint stored (rounded up), read back exactly
    expected = 1 if lo > 0 else -1 if hi < 0 else 0 if lo == hi == 0 else None
    scale = max(abs(lo), abs(hi), Fraction(1, 2**1000))
    target(-float(min(abs(lo), abs(hi)) / scale), label="an end close to 0")
    assert ball_sign(ball) == expected


def test_ball_sign_of_non_finite_balls_is_unknown_unless_the_ball_is_an_infinity():
    assert ball_sign(arb("nan")) is None
    assert ball_sign(arb(0, "inf")) is None
    assert ball_sign(arb(1) / 0) is None  # flint: division by zero gives "any real"


def test_ball_sign_of_a_computed_ball():
    assert ball_sign(arb(2).log() - 1) == -1         # log 2 < 1
    assert ball_sign(arb(3).sqrt() - arb(2).sqrt()) == 1
    assert ball_sign((arb(2).sqrt()) ** 2 - 2) is None  # exactly 0, but not as an exact ball


# --- arb_to_mpf: the midpoint, exactly --------------------------------------------------------

@given(m=MANTISSAS, e=EXPONENTS)
@example(m=2**299 + 1, e=-350)  # 300 bits: more than any default precision holds
@example(m=0, e=0)
def test_arb_to_mpf_is_the_exact_midpoint(m, e):
    value = arb(arb(dyadic(m, e)), arb(2) ** -2000)  # a ball: only its midpoint is converted
    assert arb(arb_to_mpf(value)) == value.mid()  # flint compares exact balls exactly
    assert arb_to_mpf(value) == dyadic(m, e)


def test_arb_to_mpf_of_a_computed_ball_at_high_precision():
    from flint import ctx

    with ctx.workprec(1000):
        third = arb(1) / 3
    m, e = third.mid().man_exp()
    assert arb_to_mpf(third) == dyadic(int(m), int(e))


# --- _to_decimal and _round: exact, then outward ----------------------------------------------

@given(m=MANTISSAS, e=EXPONENTS)
def test_to_decimal_is_exact(m, e):
    assert Fraction(_to_decimal(dyadic(m, e))) == exact(m, e)


def test_to_decimal_keeps_infinities_and_refuses_nan():
    assert _to_decimal(mpmath.inf) == decimal.Decimal("Infinity")
    assert _to_decimal(-mpmath.inf) == decimal.Decimal("-Infinity")
    with pytest.raises(ValueError, match="NaN"):
        _to_decimal(mpmath.nan)


@given(m=st.integers(-(2**200), 2**200), e=st.integers(-300, 100), digits=st.integers(1, 40))
@example(m=1, e=-1, digits=1)                       # 0.5 is a tie for round-half-even
@example(m=-(2**53 - 1), e=-53, digits=3)           # -0.99999... just above -1
@example(m=3 * 2**50 + 1, e=-50, digits=1)          # 3.000...: floor 3, ceiling 4
def test_round_floor_and_ceiling_enclose_the_value_tightly(m, e, digits):
    value, truth = dyadic(m, e), exact(m, e)
    down, up = _round(value, digits, decimal.ROUND_FLOOR), _round(value, digits, decimal.ROUND_CEILING)
    for text in (down, up):
        assert len(decimal.Decimal(text).as_tuple().digits) <= digits, text
    assert as_fraction(down) <= truth <= as_fraction(up)
    # tight: one unit in the last printed place further would cross the value
    for text, step in ((down, 1), (up, -1)):
        if as_fraction(text) != truth:
            ulp = Fraction(10) ** (decimal.Decimal(text).adjusted() - digits + 1)
            target(-float(abs(as_fraction(text) - truth) / ulp), label=f"distance to the {step} side")
            if step > 0:
                assert as_fraction(text) + ulp > truth
            else:
                assert as_fraction(text) - ulp < truth


@given(lo=st.tuples(MANTISSAS, EXPONENTS), width=st.tuples(st.integers(0, 2**300), EXPONENTS),
       digits=st.integers(1, 60))
def test_enclosure_strings_contain_the_exact_interval(lo, width, digits):
    a = dyadic(*lo)
    with mpmath.workprec(2000):  # exact: the ends span at most ~1400 bits
        b = a + dyadic(*width)
    b_exact = exact(*lo) + exact(*width)
    enc = Enclosure(a, b, True, "test", digits=digits)
    s_lo, s_hi = enc.strings()
    assert as_fraction(s_lo) <= exact(*lo) and as_fraction(s_hi) >= b_exact
    assert enc.__jsonable__() == [s_lo, s_hi]


def test_strings_default_to_the_enclosure_digits_plus_five():
    with mpmath.workdps(60):
        third = mpmath.mpf(1) / 3
    assert Enclosure(third, third, True, digits=10).strings() == ("0.333333333333333", "0.333333333333334")
    assert Enclosure(-third, third, True, digits=10).strings(3) == ("-0.334", "0.334")


def test_strings_of_an_infinite_end():
    assert Enclosure(-mpmath.inf, mpmath.mpf(1), False).strings() == ("-Infinity", "1")


# --- Enclosure: containment, width, construction ----------------------------------------------

@given(a=st.tuples(MANTISSAS, EXPONENTS), b=st.tuples(MANTISSAS, EXPONENTS),
       v=st.one_of(st.tuples(MANTISSAS, EXPONENTS).map(lambda p: exact(*p)),
                   st.fractions(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_contains_is_exact_and_closed(a, b, v):
    (lo, lo_exact), (hi, hi_exact) = sorted([(dyadic(*a), exact(*a)), (dyadic(*b), exact(*b))],
                                            key=lambda pair: pair[1])
    enc = Enclosure(lo, hi, True)
    assert enc.contains(lo) and enc.contains(hi)  # closed at both ends
    assert enc.contains(v) == (lo_exact <= Fraction(v) <= hi_exact)


def test_contains_reads_a_decimal_string_exactly():
    tenth = mpmath.mpf("0.1")  # the binary double nearest to 1/10, just above it
    enc = Enclosure(tenth, tenth, True)
    assert enc.contains(0.1) and enc.contains(tenth)
    assert not enc.contains("0.1")  # one tenth is not the double 0.1
    assert Enclosure(mpmath.mpf(0), tenth, True).contains("0.1")
    assert not Enclosure(mpmath.mpf(0), mpmath.mpf(1), True).contains("1.0000000000000000000000001")


def test_contains_with_infinite_or_nan_ends():
    assert Enclosure(-mpmath.inf, mpmath.mpf(0), True).contains("-1e500")
    assert not Enclosure(mpmath.mpf(0), mpmath.inf, True).contains(-1)
    assert not Enclosure(mpmath.nan, mpmath.mpf(1), True).contains(0)
    assert not Enclosure(mpmath.mpf(0), mpmath.nan, True).contains(mpmath.mpf(0))
    assert not Enclosure(-mpmath.inf, -mpmath.inf, True).contains(0)
    assert not Enclosure(mpmath.inf, mpmath.inf, True).contains(0)


@given(a=st.tuples(MANTISSAS, EXPONENTS), b=st.tuples(MANTISSAS, EXPONENTS))
@example(a=(1, 200), b=(1, -200))  # 2**200 - 2**-200 needs 400 bits
@example(a=(-2, 0), b=(7, 0))      # 7 - (-2) = 9: one bit more than either end
def test_width_is_exact(a, b):
    width = Enclosure(dyadic(*a), dyadic(*b), True).width
    assert Fraction(_to_decimal(width)) == exact(*b) - exact(*a)


@given(m=MANTISSAS, e=EXPONENTS, r=st.integers(0, 2**64), shift=st.integers(-80, 10))
def test_from_ball_contains_the_ball(m, e, r, shift):
    ball = arb(arb(dyadic(m, e)), arb(dyadic(r, e + shift)))
    enc = Enclosure.from_ball(ball, True, "ball")
    lo, hi = ball_bounds(ball)
    assert enc.contains(lo) and enc.contains(hi)
    assert enc.lo == dyadic(*_man_exp(ball.lower())) and enc.hi == dyadic(*_man_exp(ball.upper()))


def _man_exp(x: arb) -> tuple[int, int]:
    m, e = x.man_exp()
    return int(m), int(e)


def test_from_ball_of_a_non_finite_ball_is_the_whole_line():
    enc = Enclosure.from_ball(arb("nan"), True, "no information")
    assert (enc.lo, enc.hi) == (-mpmath.inf, mpmath.inf) and enc.contains(10**100)


def test_point_keeps_its_value_exactly():
    big = 2**80 + 1  # not a double
    enc = Enclosure.point(big, "exact")
    assert enc.certified is True and enc.reason == "exact"
    assert enc.contains(big) and not enc.contains(big - 1) and enc.width == 0
    assert Enclosure.point(0, "zero").contains(0) and Enclosure.point(-1, "one").contains(-1)
    assert Enclosure.point(1 / 3, "a double with all 53 bits").contains(1 / 3)
    with pytest.raises(TypeError, match="value must be"):
        Enclosure.point("0.1", "not a binary number")


def test_an_enclosure_is_immutable():
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        Enclosure.point(1, "exact").certified = False
