"""The regime rule (trust code): the table of every pair of signs, written by hand from the
statement (l'' > 0 on [0, 1]: the ETF iff l'(1) <= 0, the antipodal structure iff l'(0) >= 0,
else intermediate), and the decision of a sign against its tempting bugs (an exactly zero
slope taken as intermediate or as undecided, a ball containing 0 taken as 0, the guard
precision not raised, SymPy's exact zero not asked or asked where a parameter is a ball)."""

from __future__ import annotations

import pytest
import sympy as sp
from flint import arb, ctx

from clverify.numerics.precision.ccem_optimum import ccem_optimum
from clverify.numerics.precision.regime import SIGN_GUARD_BITS, SIGN_GUARD_STEPS, end_slope_sign, regime
from clverify.theory.losses import Loss

# (sign of l'(1), sign of l'(0)) -> regime; None: the known signs do not decide it.
TABLE = {
    (-1, -1): "etf", (0, -1): "etf", (-1, None): "etf", (0, None): "etf",
    (1, 1): "antipodal", (1, 0): "antipodal", (None, 1): "antipodal", (None, 0): "antipodal",
    (1, -1): "intermediate",
    (1, None): None, (None, -1): None, (None, None): None,
}
# l'(1) <= 0 <= l'(0): no strictly convex l has these signs (l' increases strictly).
IMPOSSIBLE = [(-1, 0), (-1, 1), (0, 0), (0, 1)]


def test_the_table_covers_every_pair_of_signs():
    signs = (-1, 0, 1, None)
    assert set(TABLE) | set(IMPOSSIBLE) == {(a, b) for a in signs for b in signs}


@pytest.mark.parametrize("signs, expected", TABLE.items(), ids=str)
def test_regime_follows_the_non_strict_rule(signs, expected):
    assert regime(*signs) == expected


@pytest.mark.parametrize("signs", IMPOSSIBLE, ids=str)
def test_signs_no_strictly_convex_loss_has_are_refused(signs):
    with pytest.raises(ArithmeticError, match="not strictly convex"):
        regime(*signs)


class FakeRestriction:
    """``slope_ball`` returns ``value`` (exact) with a radius of 2^``spread`` ulps of the
    current precision (so a larger precision shrinks it; none for ``spread=None``),
    ``slope_exact`` a given SymPy value; both count their calls."""

    def __init__(self, value, spread=None, exact=None):
        self.value, self.spread, self.exact = arb(value), spread, exact
        self.precisions, self.exact_calls = [], 0

    def slope_ball(self, end, N, numeric):
        self.precisions.append(ctx.prec)
        if self.spread is None:
            return self.value
        return self.value + arb(0, 1) * arb(2) ** (self.spread - ctx.prec)

    def slope_exact(self, end, N, numeric):
        self.exact_calls += 1
        return self.exact


def test_an_exact_zero_ball_is_zero_at_once():
    fake = FakeRestriction(0)
    assert end_slope_sign(fake, 1, 4, {}, 20) == (0, "l'(1) = 0 exactly (an exact ball)")
    assert len(fake.precisions) == 1 and fake.exact_calls == 0


@pytest.mark.parametrize("value, sign", [(1e-30, 1), (-1e-30, -1)])
def test_a_ball_of_certain_sign_decides(value, sign):
    assert end_slope_sign(FakeRestriction(value, 0), 0, 4, {}, 20)[0] == sign


def test_a_tiny_slope_is_decided_at_a_higher_guard_precision_never_taken_as_zero():
    # l' = 2^-200 with a radius of 2^20 ulps: straddles 0 at 20 digits (67 bits) + 32 and + 128
    # guard bits, is positive at + 512
    fake = FakeRestriction(arb(2) ** -200, 20, exact=sp.Integer(0))
    assert end_slope_sign(fake, 1, 4, {}, 20) == (1, "l'(1) > 0 (an Arb ball)")
    assert len(fake.precisions) == 3 and fake.precisions == sorted(set(fake.precisions))
    assert fake.exact_calls == 0


def test_every_guard_step_is_tried_before_sympy():
    fake = FakeRestriction(0, 10**4, exact=sp.Integer(0))
    assert end_slope_sign(fake, 0, 4, {}, 20) == (0, "l'(0) = 0 exactly (SymPy at the exact parameter values)")
    assert len(fake.precisions) == SIGN_GUARD_STEPS + 1 and fake.exact_calls == 1
    assert fake.precisions[-1] - fake.precisions[0] == SIGN_GUARD_BITS * (4**SIGN_GUARD_STEPS - 1)


@pytest.mark.parametrize("exact", [None, sp.exp(-sp.Integer(10) ** 9), sp.log(2) - sp.Rational(693, 1000)],
                         ids=["a ball parameter", "tiny but not 0", "unevaluated, not 0"])
def test_a_straddling_ball_is_undecided_unless_sympy_gives_exactly_zero(exact):
    sign, how = end_slope_sign(FakeRestriction(0, 10**4, exact=exact), 1, 4, {}, 20)
    assert sign is None and "not decided by balls" in how


@pytest.mark.parametrize("shift, x, expected", [(sp.Rational(1, 10), 0, "antipodal"),
                                                (-sp.Rational(1, 10), 1, "etf")])
def test_a_minimiser_found_numerically_at_an_end_is_that_end_s_structure(shift, x, expected):
    """l = -(s+ - c)^2 on the CCEM (s+ = 2x - 1) is concave: not certified, minimised on the
    grid at the end farther from s+ = c (x = 0 for c = 1/10, x = 1 for c = -1/10)."""
    concave = Loss("concave", lambda grams, ops: -grams.uv.sum_diagonal(lambda s: (s - shift) ** 2) / grams.N, ())
    opt = ccem_optimum(concave, 5, {}, digits=20)
    assert (opt.regime, opt.x, opt.convex, opt.certified) == (expected, x, False, False)
