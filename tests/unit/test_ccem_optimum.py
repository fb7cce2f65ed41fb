"""The CCEM optimum of any loss: the generic route against the sigmoid loss's own route (a
log-ratio solver and a symbolic convexity proof), the convexity certificate against its
tempting bugs, and the non-convex fallback."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from flint import arb

from clverify.numerics.precision.ccem_optimum import _positive, ccem_optimum
from clverify.numerics.precision.certify import certify_positive
from clverify.numerics.precision.sigmoid_optimum import sigmoid_optimum
from clverify.theory import derivation as D
from clverify.theory import minima
from clverify.theory.errors import LossDefinitionError
from clverify.theory.losses import LOSSES, Loss


@pytest.mark.parametrize("N, t, b", [(10, "1.2", "1.2"), (10, "0.2", "0.2"), (7, "5", "5"),
                                     (10, "1000", "0"), (12, "2", "-1")])
def test_generic_route_equals_the_sigmoid_route(N, t, b):
    mine = ccem_optimum(LOSSES["sigmoid"], N, {"t": t, "b": b}, digits=30)
    theirs = sigmoid_optimum(N, t, b, digits=30)
    assert mine.regime == theirs.regime and mine.certified and theirs.x_enclosure.certified
    with mpmath.workdps(30):
        for a, c in ((mine.x, theirs.x), (mine.value, theirs.loss), (mine.s_neg, theirs.s_neg)):
            assert abs(a - c) <= mpmath.mpf(10) ** -27 * max(1, abs(c))


def test_the_infonce_family_sits_at_the_etf_and_the_sigmoid_at_small_t_antipodal():
    for loss in ("infonce", "ntxent", "dcl", "dhel", "kcl"):
        assert ccem_optimum(LOSSES[loss], 6, {}, digits=20).regime == "etf"
    # t = b = 0.25 <= t_A(10) = log((N - 2)/2)/2 = 0.69: antipodal (Lee et al.'s threshold)
    assert ccem_optimum(LOSSES["sigmoid"], 10, {"t": "0.25", "b": "0.25"}, digits=20).x == 0


def test_a_loss_not_convex_on_the_ccem_is_minimised_numerically_and_says_so():
    opt = ccem_optimum(LOSSES["kcl"], 10, {}, digits=20)
    assert not opt.convex and not opt.certified and "not certified convex" in opt.note
    values = minima.ccem_value("kcl", 10, gamma=16, t=2)   # SymPy, on CCEM(delta), delta = sqrt(x)
    with mpmath.workdps(20):
        grid = [float(values.subs(minima.delta, sp.sqrt(sp.Rational(k, 200)))) for k in range(201)]
    assert float(opt.value) <= min(grid) + 1e-15


def test_certify_positive_never_accepts_a_box_that_may_be_negative():
    assert certify_positive(lambda z: (z - arb(1) / 3) ** 2 + arb(10) ** -8, 0, 1, digits=20)[0]
    # negative only on |z - 1/3| < 1e-5, between every midpoint a bisection visits
    proved, why = certify_positive(lambda z: (z - arb(1) / 3) ** 2 - arb(10) ** -10, 0, 1, digits=20)
    assert not proved and ("<= 0" in why or "not shown" in why)
    # zero at a point is not > 0
    assert not certify_positive(lambda z: (z - arb(1) / 2) ** 2, 0, 1, digits=20)[0]


def test_positivity_by_structure_refuses_what_it_cannot_see():
    t = sp.Symbol("t", real=True)
    assert _positive(t**2 * sp.exp(-t * D.x), {t: sp.Rational(1, 3)})
    assert not _positive(t**2 * sp.exp(-t * D.x), {t: 0})                      # zero coefficient
    assert not _positive(sp.exp(D.x) - 1, {})                                   # zero at x = 0
    assert not _positive((D.x - 1) ** 2 + sp.exp(D.x), {})                      # base not positive


def test_a_loss_with_a_nan_value_is_an_error():
    nan = Loss("nan", lambda grams, ops, *, t: sp.nan * grams.uv.sum_diagonal(lambda s: t * s), ("t",))
    with pytest.raises(LossDefinitionError, match="not a finite real number"):
        ccem_optimum(nan, 5, {"t": 1}, digits=20)
