"""Root certification (clverify.numerics.precision.certify.certify_root): a root is certified
only by a sign change at both ends AND a derivative ball that excludes 0 on the interval.

Every expected root is checked exactly (rational arithmetic or a much higher precision).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from exact_values import mpf_fraction
from flint import arb, ctx, fmpq
from hypothesis import example, given, target
from hypothesis import strategies as st

from clverify.numerics.precision.certify import Enclosure, arb_to_mpf, certify_positive, certify_root
from clverify.numerics.precision.evaluators import GUARD_BITS, bits_for_digits

DIGITS = 40
THIRD = fmpq(1, 3)


def cubic(roots):
    """``f(z) = prod(z - r)`` and its derivative, as ball functions (roots are fmpq, exact)."""
    def f(z):
        out = arb(1)
        for r in roots:
            out *= z - arb(r)
        return out

    def df(z):
        total = arb(0)
        for i in range(len(roots)):
            term = arb(1)
            for j, r in enumerate(roots):
                if j != i:
                    term *= z - arb(r)
            total += term
        return total

    return f, df


def roots_inside(enc: Enclosure, roots) -> int:
    lo, hi = mpf_fraction(enc.lo), mpf_fraction(enc.hi)
    return sum(lo <= Fraction(int(r.p), int(r.q)) <= hi for r in roots)


def test_a_simple_root_is_certified_narrow_and_contains_the_root_at_twice_the_precision():
    f, df = (lambda z: z.exp() - 3 * z - 1), (lambda z: z.exp() - 3)  # root near 1.9
    with mpmath.workdps(DIGITS + 10):
        estimate = mpmath.findroot(lambda z: mpmath.exp(z) - 3 * z - 1, 1.9)
    enc = certify_root(f, df, estimate, digits=DIGITS)
    with mpmath.workdps(2 * DIGITS):
        twice = mpmath.findroot(lambda z: mpmath.exp(z) - 3 * z - 1, 1.9)
    assert enc.certified and enc.contains(twice)
    assert enc.width <= mpmath.mpf(10) ** -DIGITS * 2
    assert enc.reason.endswith(f"{bits_for_digits(DIGITS)} bits")  # the first precision sufficed


@given(p=st.integers(1, 10**12), q=st.integers(1, 10**12), digits=st.integers(15, 60))
@example(p=2, q=1, digits=30)
@example(p=10**12, q=1, digits=15)  # root 10**6: the width scales with |root|
@example(p=1, q=10**6, digits=20)   # root 10**-3: the width does not shrink with it
def test_square_roots_are_enclosed_exactly(p, q, digits):
    """z**2 - p/q: the enclosure [lo, hi] has lo**2 <= p/q <= hi**2, exactly, and the width
    asked, 10**-digits * max(1, root), within a factor 4 (no needless work either)."""
    value = fmpq(p, q)
    with mpmath.workdps(digits + 10):
        estimate = mpmath.sqrt(mpmath.mpf(p) / q)
    enc = certify_root(lambda z: z * z - arb(value), lambda z: 2 * z, estimate, digits=digits)
    lo, hi = mpf_fraction(enc.lo), mpf_fraction(enc.hi)
    assert enc.certified
    assert 0 < lo and lo * lo <= Fraction(p, q) <= hi * hi
    assert Fraction(1, 10**digits) * max(1, lo) / 4 <= hi - lo <= Fraction(1, 10**digits) * max(1, hi)


def test_a_triple_root_has_a_sign_change_but_is_not_certified():
    """(z - 1/3)**3 changes sign at 1/3, but its derivative vanishes there."""
    f, df = cubic([THIRD] * 3)
    enc = certify_root(f, df, mpmath.mpf(1) / 3, digits=20)
    assert not enc.certified
    assert enc.reason in ("the derivative ball over the interval contains 0",
                          "the sign of f at an end of the interval is not certain at this precision",
                          "the sign of f at a bisection point is not certain at this precision")


def test_three_simple_roots_in_one_interval_are_not_certified_as_one():
    """Roots 1/3 - 1/1000, 1/3, 1/3 + 1/1000 all lie in the first interval tried (half-width
    1/4 around 1/3): f changes sign across it, but f' is 0 twice inside."""
    roots = [THIRD - fmpq(1, 1000), THIRD, THIRD + fmpq(1, 1000)]
    f, df = cubic(roots)
    enc = certify_root(f, df, mpmath.mpf(1) / 3, digits=0, width=1)
    assert not enc.certified or roots_inside(enc, roots) == 1


@given(gap=st.integers(1, 10**6), centre=st.integers(-10**6, 10**6), offset=st.integers(-10**6, 10**6),
       width_exp=st.integers(-30, 2))
@example(gap=1000, centre=333333, offset=0, width_exp=0)
def test_a_certified_enclosure_holds_exactly_one_root(gap, centre, offset, width_exp):
    """Three simple roots c - g, c, c + g: whatever the estimate and width, a certified
    enclosure contains exactly one of them."""
    c, g = fmpq(centre, 10**6) + THIRD, fmpq(gap, 10**6)
    roots = [c - g, c, c + g]
    f, df = cubic(roots)
    estimate = mpmath.mpf(centre + offset) / 10**6 + mpmath.mpf(1) / 3
    enc = certify_root(f, df, estimate, digits=15, width=mpmath.mpf(10) ** width_exp)
    target(float(width_exp) - float(gap) / 10**6, label="wide interval, close roots")
    if enc.certified:
        assert roots_inside(enc, roots) == 1


def test_a_double_root_has_no_sign_change():
    enc = certify_root(lambda z: (z - 1) ** 2, lambda z: 2 * (z - 1), mpmath.mpf(1), digits=20)
    assert not enc.certified and enc.reason == "no sign change of f on the interval"


@pytest.mark.parametrize("f", [lambda z: z * z + 1, lambda z: -z * z - 1], ids=["positive", "negative"])
def test_a_bracket_without_a_sign_change_is_reported_not_hidden(f):
    enc = certify_root(f, lambda z: 2 * z, None, digits=20, bracket=(1, 4))
    assert not enc.certified and enc.reason == "no certified sign change at the bracket's ends"
    assert enc.lo == enc.hi == mpmath.mpf(5) / 2  # the bracket's midpoint, flagged uncertified


@pytest.mark.parametrize("bracket", [(0, 1), (1, 2)])
def test_an_exact_root_at_an_end_of_the_bracket_is_enclosed(bracket):
    enc = certify_root(lambda z: z - 1, lambda z: arb(1), None, digits=20, bracket=bracket)
    assert enc.certified and enc.contains(1) and enc.width <= mpmath.mpf(10) ** -20


@pytest.mark.parametrize("estimate", [0, 1])
@pytest.mark.parametrize("sign", [1, -1])
def test_a_far_root_is_found_by_widening_on_both_sides_until_the_sign_changes(estimate, sign):
    """Root +-10**6 / 3: the first widenings have one sign at both ends; only a sign change
    makes a bracket, on either side of the estimate."""
    enc = certify_root(lambda z: z - sign * arb(10**6) / 3, lambda z: arb(1), mpmath.mpf(estimate), digits=20)
    assert enc.certified and enc.contains(sign * Fraction(10**6, 3)) and enc.width <= mpmath.mpf(10) ** -20


def test_a_root_beyond_additive_reach_is_found_by_multiplying_the_half_width():
    """Root 10**15 / 3 from estimate 0: a few widenings by a large factor reach it."""
    enc = certify_root(lambda z: z - arb(10**15) / 3, lambda z: arb(1), mpmath.mpf(0), digits=20)
    assert enc.certified and enc.contains(Fraction(10**15, 3))


@pytest.mark.parametrize("lost, guard", [(45, 2 * GUARD_BITS), (100, 4 * GUARD_BITS)])
def test_doubled_guard_bits_are_tried_when_a_precision_cannot_decide(lost, guard):
    """(z + 2**k) - 2**k - 1/3 loses k bits to cancellation: at 15 digits a guard of 32 bits
    cannot certify a sign 10**-15 from the root; 64 bits can for k = 45, 128 bits for k = 100."""
    big = arb(2) ** lost

    def f(z):
        return (z + big) - big - arb(1) / 3

    enc = certify_root(f, lambda z: arb(1), mpmath.mpf(1) / 3, digits=15)
    assert enc.certified and enc.contains(Fraction(1, 3))
    assert enc.reason.endswith(f"{bits_for_digits(15, guard)} bits")


def test_bisection_fallback_from_bracket_alone():
    enc = certify_root(lambda z: z.sin(), lambda z: z.cos(), None, digits=30, bracket=(3, 4))
    with mpmath.workdps(60):
        assert enc.certified and enc.contains(mpmath.pi)
        assert enc.width <= mpmath.mpf(10) ** -30


def test_a_reversed_bracket_gives_the_same_enclosure():
    ahead = certify_root(lambda z: z.sin(), lambda z: z.cos(), None, digits=30, bracket=(3, 4))
    reversed_ = certify_root(lambda z: z.sin(), lambda z: z.cos(), None, digits=30, bracket=(4, 3))
    assert (reversed_.lo, reversed_.hi, reversed_.certified) == (ahead.lo, ahead.hi, True)
    assert reversed_.lo < reversed_.hi


def test_an_exact_zero_met_by_bisection_is_a_point_enclosure():
    enc = certify_root(lambda z: z - 1, lambda z: arb(1), None, digits=20, bracket=(0, 2))
    assert enc.certified and enc.lo == enc.hi == 1 and enc.reason == "f is exactly 0 at this point"


def uncertain_left_of_a_third(z):
    """z - 1/3, known only to +-1e-10 left of 1/3 (a legal ball function: it encloses z - 1/3)."""
    value = z - arb(1) / 3
    return value + arb(0, arb(10) ** -10) if z.upper() < arb(1) / 3 else value


def test_an_end_of_uncertain_sign_is_reported_not_certified():
    with mpmath.workdps(60):  # the first interval straddles 1/3: one end uncertain, one positive
        third = mpmath.mpf(1) / 3
    enc = certify_root(uncertain_left_of_a_third, lambda z: arb(1), third, digits=20)
    assert not enc.certified and "not certain" in enc.reason
    enc = certify_root(uncertain_left_of_a_third, lambda z: arb(1), None, digits=20,
                       bracket=(mpmath.mpf(1) / 3 - mpmath.mpf(10) ** -12, 1))
    assert not enc.certified and enc.reason == "no certified sign change at the bracket's ends"


def test_the_options_are_keyword_only():
    with pytest.raises(TypeError):
        certify_root(lambda z: z, lambda z: arb(1), mpmath.mpf(0), 20)


def test_an_estimate_far_from_the_root_is_widened_then_bisected():
    enc = certify_root(lambda z: z.exp() - 3, lambda z: z.exp(), mpmath.mpf("1.1"), digits=40)
    with mpmath.workdps(60):
        assert enc.certified and enc.contains(mpmath.log(3))


def test_no_sign_change_is_never_certified_whatever_the_derivative_says():
    """The certificate trusts ``df`` (callers compile f and df from one SymPy expression), but a
    derivative ball that excludes 0 never replaces the sign change."""
    enc = certify_root(lambda z: z * z + 1, lambda z: arb(1), mpmath.mpf(0), digits=20)
    assert not enc.certified


def test_flint_precision_is_restored():
    before = ctx.prec
    certify_root(lambda z: z * z - 2, lambda z: 2 * z, None, digits=200, bracket=(1, 2))
    assert ctx.prec == before


def test_no_estimate_and_no_bracket_is_an_input_error():
    with pytest.raises(ValueError, match="needs an estimate or a bracket"):
        certify_root(lambda z: z, lambda z: arb(1), None, digits=20)


# --- certify_positive: f > 0 on an interval, by balls over a covering --------------------------

def counted(f):
    """``f`` and the list of the boxes (balls of positive radius) it was evaluated on."""
    boxes = []

    def g(z):
        if z.rad() > 0:
            boxes.append(z)
        return f(z)

    return g, boxes


def test_positivity_is_proved_through_splitting_where_one_ball_is_too_wide():
    """z*z - z + 1/4 + 1/100 = (z - 1/2)**2 + 1/100 > 0, but as written its ball over [0, 1] is
    about [-0.74, 1.26]: only a covering by smaller boxes proves it (every midpoint is positive)."""
    f, boxes = counted(lambda z: z * z - z + arb(1) / 4 + arb(10) ** -2)
    proved, how = certify_positive(f, 0, 1, digits=20)
    assert proved and len(boxes) > 1
    assert how == f"f > 0 on {len(boxes)} boxes covering [0, 1], ball arithmetic at {bits_for_digits(20)} bits"


def test_a_zero_or_a_negative_value_at_a_midpoint_is_a_counterexample():
    assert certify_positive(lambda z: (z - arb(1) / 2) ** 2, 0, 1, digits=20) == (
        False, "f <= 0 at 0.5, certified by a ball")
    assert certify_positive(lambda z: arb(1) / 4 - z, 0, 1, digits=20) == (
        False, "f <= 0 at 0.5, certified by a ball")
    assert certify_positive(lambda z: z - arb(1) / 8, 0, 1, digits=20) == (
        False, "f <= 0 at 0.125, certified by a ball")


def test_negative_values_between_the_midpoints_exhaust_the_budget_not_the_proof():
    """(z - 1/3)**2 - 1e-10 < 0 only within 1e-5 of 1/3, where no dyadic midpoint of the first
    20 boxes falls: the budget runs out and nothing is proved (a larger budget finds a
    negative midpoint)."""
    f = lambda z: (z - arb(1) / 3) ** 2 - arb(10) ** -10  # noqa: E731
    assert certify_positive(f, 0, 1, digits=20, max_boxes=20) == (False, "f > 0 not shown with 20 boxes")
    assert certify_positive(f, 0, 1, digits=20) == (False, "f <= 0 at 0.333328247070313, certified by a ball")


def test_a_zero_between_the_midpoints_is_never_proved_positive():
    """|z - 1/3| >= 0 with a zero at 1/3, which no dyadic midpoint hits: the ball of a box
    around 1/3 is not certainly positive, so the budget runs out."""
    assert certify_positive(lambda z: abs(z - arb(1) / 3), 0, 1, digits=20, max_boxes=200) == (
        False, "f > 0 not shown with 200 boxes")


def test_a_function_negative_on_the_whole_interval_is_not_positive():
    """The first ball is certainly negative (it excludes 0, but on the wrong side): its midpoint
    is a counterexample, never a box proved positive."""
    assert certify_positive(lambda z: z - 10, 0, 1, digits=20) == (False, "f <= 0 at 0.5, certified by a ball")


def test_a_function_that_is_exactly_zero_is_not_positive():
    """f = 0 evaluates to the exact ball 0 on every box: >= 0 is not > 0."""
    assert certify_positive(lambda z: arb(0), 0, 1, digits=20) == (False, "f <= 0 at 0.5, certified by a ball")


def test_the_box_budget_is_exact():
    f, boxes = counted(lambda z: z * z - z + arb(1) / 4 + arb(10) ** -2)
    certify_positive(f, 0, 1, digits=20)
    needed = len(boxes)
    assert certify_positive(f, 0, 1, digits=20, max_boxes=needed)[0]
    assert certify_positive(f, 0, 1, digits=20, max_boxes=needed - 1) == (
        False, f"f > 0 not shown with {needed - 1} boxes")


def test_positivity_options_are_keyword_only():
    with pytest.raises(TypeError):
        certify_positive(lambda z: z, 0, 1, 20)


def test_a_widened_end_exactly_at_the_root_is_a_bracket():
    """Rebuild the first widened bracket of certify_root (estimate 0, 20 digits) and put the root
    exactly at its upper end: a sign of 0 there is a bracket, and the root is enclosed."""
    from clverify.numerics.precision import certify as C
    from clverify.numerics.precision.evaluators import arb_precision

    with arb_precision(20):
        half = arb(10) ** -20 * arb(C._FIRST_HALF_WIDTH) * C._WIDEN_FACTOR
        end = (arb(0) + half).upper()
    enc = certify_root(lambda z: z - end, lambda z: arb(1), mpmath.mpf(0), digits=20)
    assert enc.certified and enc.contains(arb_to_mpf(end))



def test_an_end_exactly_at_the_root_on_the_last_widening_is_a_bracket():
    """The root exactly at the upper end of the last widened interval, where no earlier one
    changes sign: a sign of 0 there is a bracket. At 100 digits the precision suffices to bisect
    that wide interval down to the target width, so the root is certified, not given up."""
    from clverify.numerics.precision import certify as C
    from clverify.numerics.precision.evaluators import arb_precision

    with arb_precision(100):
        half = arb(10) ** -100 * arb(C._FIRST_HALF_WIDTH)
        for _ in range(C._WIDEN_STEPS):
            half = half * C._WIDEN_FACTOR
        end = (arb(0) + half).upper()
    enc = certify_root(lambda z: z - end, lambda z: arb(1), mpmath.mpf(0), digits=100)
    assert enc.certified and enc.contains(arb_to_mpf(end))
