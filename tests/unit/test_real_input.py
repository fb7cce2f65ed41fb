"""User parameters kept exact (clverify.numerics.precision.real_input.RealInput): the ball
contains the exact value given, and the mpf is that value correctly rounded."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from exact_values import ball_bounds, decimal_fraction, dyadic, exact, mpf_fraction
from flint import ctx
from hypothesis import given
from hypothesis import strategies as st

from clverify.numerics.precision.real_input import RealInput
from clverify.theory.errors import InvalidParameterError

DECIMALS = st.builds(lambda m, e: f"{m}e{e}", st.integers(-(10**40), 10**40), st.integers(-60, 60))


@given(text=st.one_of(DECIMALS, st.decimals(allow_nan=False, allow_infinity=False).map(str)),
       bits=st.sampled_from([53, 200, 1000]))
def test_the_ball_of_a_decimal_string_contains_the_decimal_exactly(text, bits):
    with ctx.workprec(bits):
        lo, hi = ball_bounds(RealInput.finite("t", text).ball())
    assert lo <= decimal_fraction(text) <= hi


@pytest.mark.parametrize("text", ["0.1", " 0.1 ", "1_000.5", "+2.5", ".5", "5.", "1E-30", "-0"])
def test_every_spelling_python_reads_is_enclosed(text):
    lo, hi = ball_bounds(RealInput.finite("b", text).ball())
    assert lo <= decimal_fraction(text.replace("_", "")) <= hi
    assert str(RealInput.finite("b", text)) == text.strip()  # kept as given, for the report


@given(value=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**200), 2**200),
                       st.tuples(st.integers(-(2**300), 2**300), st.integers(-300, 300)).map(lambda p: dyadic(*p))))
def test_binary_inputs_give_exact_point_balls(value):
    lo, hi = ball_bounds(RealInput.finite("t", value).ball())
    truth = mpf_fraction(value) if isinstance(value, mpmath.mpf) else Fraction(value)
    assert lo == hi == truth


@given(p=st.integers(-(10**60), 10**60), q=st.integers(1, 10**60))
def test_fractions_are_enclosed_and_rounded_once(p, q):
    value = RealInput.finite("t", Fraction(p, q))
    lo, hi = ball_bounds(value.ball())
    assert lo <= Fraction(p, q) <= hi
    with mpmath.workdps(30):
        prec, rounded = mpmath.mp.prec, value.mpf()
    _, man, exp, bits = rounded._mpf_
    half_ulp = exact(1, exp + bits - prec - 1) if man else 0  # half a unit in the last place
    assert abs(mpf_fraction(rounded) - Fraction(p, q)) <= half_ulp


def test_mpf_of_a_decimal_string_is_rounded_to_the_current_precision():
    with mpmath.workdps(50):
        assert RealInput.finite("t", "0.1").mpf() == mpmath.mpf(1) / 10


@pytest.mark.parametrize("constructor, value, message", [
    (RealInput.finite, "abc", "t must be a real number"),
    (RealInput.finite, "nan", "t must be a finite real number"),
    (RealInput.finite, float("inf"), "t must be a finite real number"),
    (RealInput.positive, "-1", "t must be a finite real number > 0"),
    (RealInput.positive, 0, "t must be a finite real number > 0"),
])
def test_bad_values_name_the_parameter_and_the_value(constructor, value, message):
    with pytest.raises(InvalidParameterError) as info:
        constructor("t", value)
    assert str(info.value).startswith(message + ", got ") and str(value) in str(info.value)
