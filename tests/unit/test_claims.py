"""Claimed closed forms against certified enclosures (clverify.proofs_check.claims): agree
(None), disjoint (a counterexample), or undecided (Inconclusive: too wide, not finite, not
certified). Reference values come from mpmath at twice the digits the comparison needs."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from flint import arb

from clverify.numerics.precision.certify import Enclosure
from clverify.proofs_check import claims
from clverify.proofs_check.claims import AGREEMENT_DIGITS, claim_ball, compare_claim
from clverify.proofs_check.registry import Claim, H, Inconclusive
from clverify.theory.derivation import N, t

DPS = 2 * AGREEMENT_DIGITS + 20


def around(value, half_width) -> Enclosure:
    """A certified enclosure [value - half_width, value + half_width] (exact mpf ends)."""
    with mpmath.workdps(DPS):
        return Enclosure(value - half_width, value + half_width, True, "test")


def log2(width_digits=AGREEMENT_DIGITS + 15):
    with mpmath.workdps(DPS):
        return around(mpmath.log(2), mpmath.mpf(10) ** -width_digits)


def test_agreement_is_none():
    assert compare_claim("log 2", sp.log(N - 1), log2(), N=3) is None


def test_a_disjoint_claim_is_a_counterexample_with_both_sides():
    message = compare_claim("log 3", sp.log(N), log2(), N=3)
    assert message.startswith("claimed log 3 = 1.0986122886681... lies outside the certified "
                              "[0.69314718055995..., 0.69314718055995...] (N=3)")


def test_a_claim_off_by_less_than_the_agreement_digits_but_more_than_the_widths_is_refuted():
    off = sp.log(N - 1) + sp.Rational(1, 10**(AGREEMENT_DIGITS + 5))
    assert compare_claim("log 2 + tiny", off, log2(AGREEMENT_DIGITS + 15), N=3) is not None


def test_a_wide_enclosure_is_inconclusive_not_a_pass():
    with pytest.raises(Inconclusive, match="certified enclosure too wide"):
        compare_claim("log 2", sp.log(N - 1), log2(AGREEMENT_DIGITS - 1), N=3)


def test_a_wide_claim_ball_is_inconclusive_not_a_pass(monkeypatch):
    """A claim evaluated to a ball wider than the agreement digits decides nothing, even when
    the ball meets the enclosure."""
    with mpmath.workdps(DPS):
        wide = arb(mpmath.log(2)).mid() + arb(0, arb(10) ** -(AGREEMENT_DIGITS - 5))
    monkeypatch.setattr(claims, "claim_ball", lambda expr, **values: wide)
    with pytest.raises(Inconclusive, match="ball of the claimed value too wide"):
        compare_claim("log 2", sp.log(N - 1), log2(), N=3)


def test_the_agreement_width_is_relative_to_the_size_of_the_value():
    """N = 10**40: an enclosure 10**8 wide is 10**-32 relative: narrow enough."""
    n = 10**40
    with mpmath.workprec(200):
        enc = Enclosure(mpmath.mpf(n - 10**8), mpmath.mpf(n + 10**8), True, "exact ints")
    assert compare_claim("N", N, enc, N=n) is None


def test_an_agreement_width_just_above_the_threshold_is_inconclusive():
    with mpmath.workdps(DPS):
        enc = Enclosure(mpmath.mpf(1), 1 + mpmath.mpf(10) ** -(AGREEMENT_DIGITS - 1), True, "test")
    assert enc.width > 0
    with pytest.raises(Inconclusive, match="too wide"):
        compare_claim("one", sp.Integer(1) + 0 * N, enc, N=3)


def test_a_non_finite_claim_is_inconclusive_not_a_refutation():
    """log(N - 3) at N = 3: Arb's log(0) is NaN (no information), which refutes nothing."""
    with pytest.raises(Inconclusive, match="not finite"):
        compare_claim("log 0", sp.log(N - 3), log2(), N=3)


@pytest.mark.parametrize("enclosure, reason", [(None, "no enclosure"),
                                               (Enclosure(mpmath.mpf(0), mpmath.mpf(1), False, "estimate only"),
                                                "estimate only")])
def test_an_uncertified_reference_is_inconclusive(enclosure, reason):
    with pytest.raises(Inconclusive, match=f"not certified \\({reason}; N=3\\)"):
        compare_claim("x", N, enclosure, N=3)


def test_parameters_are_read_exactly():
    """t = 1/3 to 60 digits: the claim 3t is compared at that exact t, not at str(t)'s 15 digits."""
    with mpmath.workdps(60):
        third = mpmath.mpf(1) / 3
        three_t = 3 * third  # exact (the precision grows by 2 bits)
    with mpmath.workprec(mpmath.mpf(three_t).context.prec + 10):
        enc = Enclosure(three_t, three_t, True, "exact")
    assert compare_claim("3t", 3 * t, enc, t=third) is None
    tenth = Enclosure(mpmath.mpf(1), mpmath.mpf(1), True, "exact")  # 10 * (decimal 0.1) = 1 exactly
    assert compare_claim("10t", 10 * t, tenth, t="0.1") is None
    assert compare_claim("10t", 10 * t, tenth, t=0.1) is not None  # the double 0.1 is not 1/10


def test_missing_parameters_are_zero_and_constants_are_balls():
    assert claim_ball(N + t).contains(0)
    assert claim_ball(sp.Integer(7)) == arb(7)


def test_an_enclosure_exactly_as_wide_as_the_agreement_width_is_inconclusive():
    """Agreement needs a width certainly below 10**-AGREEMENT_DIGITS (relative), not 'not above'."""
    with mpmath.workdps(DPS):
        enc = Enclosure(mpmath.mpf(1), 1 + mpmath.mpf(10) ** -AGREEMENT_DIGITS, True, "test")
    with pytest.raises(Inconclusive, match="too wide"):
        compare_claim("one", sp.Integer(1), enc, N=3)


def test_a_claim_below_the_enclosure_is_a_counterexample_too():
    assert compare_claim("log 1", sp.log(N - 2), log2(), N=3).startswith("claimed log 1 = 0.0... lies outside")


@pytest.mark.parametrize("end", ["lo", "hi"])
def test_a_claim_exactly_at_an_end_of_the_enclosure_agrees(end):
    """The enclosure is closed: a claim equal to one of its ends is inside, not a counterexample."""
    with mpmath.workdps(DPS):
        enc = Enclosure(1 - mpmath.mpf(10) ** -40, mpmath.mpf(1), True, "test") if end == "hi" else \
            Enclosure(mpmath.mpf(1), 1 + mpmath.mpf(10) ** -40, True, "test")
    assert compare_claim("one", sp.Integer(1), enc, N=3) is None


def test_near_zero_the_agreement_width_is_absolute():
    with mpmath.workdps(DPS):
        enc = Enclosure(-mpmath.mpf(10) ** -35, mpmath.mpf(10) ** -35, True, "test")
    assert compare_claim("zero", sp.Integer(0), enc, N=3) is None


def test_an_enclosure_half_the_agreement_width_agrees():
    with mpmath.workdps(DPS):
        enc = Enclosure(mpmath.mpf(1), 1 + mpmath.mpf(10) ** -AGREEMENT_DIGITS / 2, True, "test")
    assert compare_claim("one", sp.Integer(1), enc, N=3) is None


@pytest.mark.parametrize("radius, agrees", [("0.4", True), ("0.6", False)])
def test_the_claim_ball_counts_with_its_full_width(monkeypatch, radius, agrees):
    """A claim ball of radius r has width 2r: 0.8e-30 agrees, 1.2e-30 is too wide."""
    with mpmath.workdps(DPS):
        ball = arb(1, arb(radius) * arb(10) ** -AGREEMENT_DIGITS)
    monkeypatch.setattr(claims, "claim_ball", lambda expr, **values: ball)
    exact_one = Enclosure(mpmath.mpf(1), mpmath.mpf(1), True, "exact")
    if agrees:
        assert compare_claim("one", sp.Integer(1), exact_one, N=3) is None
    else:
        with pytest.raises(Inconclusive, match="ball of the claimed value too wide"):
            compare_claim("one", sp.Integer(1), exact_one, N=3)


# --- reading a claim's dimension hypothesis (plain, least, dimension_shortfall) -------------------

def test_plain_replaces_the_derivation_symbols_by_name_only():
    expr = claims.plain(N - 1 + t)
    assert expr == sp.Symbol("N") - 1 + sp.Symbol("t") and expr.free_symbols == {H.N, H.t}
    assert claims.plain(3) == 3


def test_least_turns_an_unreadable_hypothesis_into_inconclusive():
    assert claims.least(Claim({}, {"d": H.d >= H.N - 1}), "d") == H.N - 1
    with pytest.raises(Inconclusive, match="not of the form d >= f"):
        claims.least(Claim({}, {"d": sp.Eq(H.d, H.N)}), "d")


@pytest.mark.parametrize("hypotheses, needed, shortfall", [
    ({"N": H.N >= 3, "d": H.d >= H.N - 1}, H.N - 1, None),        # the ETF fits in every admitted d
    ({"N": H.N >= 3, "d": H.d >= H.N}, H.N - 1, None),
    ({"N": H.N >= 3, "d": H.d >= H.N - 1}, H.N, 3),               # rank N needs d >= N: short at N = 3
    ({"N": H.N >= 5, "d": H.d >= H.N - 2}, H.N - 1, 5),           # the first admitted N, not 3
    ({"N": H.N >= 3, "d": H.d >= 4}, H.N - 1, 6),                 # enough up to N = 5, short from 6
    ({"N": H.N >= 3, "d": H.d >= 2 * H.N - 10}, H.N, 3),          # short at the start, enough later
    ({"N": H.N >= 5, "d": H.d >= 2 * H.N - 6}, H.N - 1, None),     # short only below the admitted N
])
def test_dimension_shortfall_finds_the_first_admitted_size_where_the_structure_does_not_fit(
        hypotheses, needed, shortfall):
    assert claims.dimension_shortfall(Claim({}, hypotheses), needed) == shortfall


def test_dimension_shortfall_is_inconclusive_beyond_its_search():
    # d >= 30 holds rank N - 1 up to N = 31 (beyond the 20 sizes searched) but not for every N
    with pytest.raises(Inconclusive, match="cannot decide whether d >= 30 reaches rank N - 1"):
        claims.dimension_shortfall(Claim({}, {"N": H.N >= 3, "d": H.d >= 30}), H.N - 1)
