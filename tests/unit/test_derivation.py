"""The SymPy derivation of the sigmoid loss on the CCEM, checked by independent routes.

* l(x) against the loss summed by hand (mpmath) over explicit CCEM vectors;
* l'(x) against numerical differentiation of a hand-written l(x) (THEORY.md);
* closed forms against the expected forms typed here (never in library code);
* the compiled evaluators: no float literal in the Arb code, both backends agree.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from flint import arb

from clverify.numerics.precision.certify import arb_to_mpf
from clverify.numerics.precision.evaluators import FORMULAS, arb_precision, evaluator, generated_source
from clverify.theory import derivation as D
from clverify.theory.structures import CCEM

DIGITS = 50
MATCH_DIGITS = 40


def _hand_loss_on_vectors(N, d, delta, t, b):
    """(1/N)[sum_i softplus(b - t u_i.v_i) + sum_{i != j} softplus(t u_i.v_j - b)], by hand."""
    U, V = CCEM(N, delta, d).vectors()
    U = mpmath.matrix([[mpmath.mpf(sp.N(U[i, k], DIGITS + 10)) for k in range(d)] for i in range(N)])
    V = mpmath.matrix([[mpmath.mpf(sp.N(V[i, k], DIGITS + 10)) for k in range(d)] for i in range(N)])
    total = mpmath.mpf(0)
    for i in range(N):
        for j in range(N):
            s = mpmath.fsum(U[i, k] * V[j, k] for k in range(d))
            z = (b - t * s) if i == j else (t * s - b)
            total += mpmath.log1p(mpmath.exp(z))
    return total / N


def _hand_l(x, N, t, b):
    """l(x) as written in THEORY.md (softplus via log1p(exp))."""
    sp_ = lambda z: mpmath.log1p(mpmath.exp(z))  # noqa: E731
    return sp_(b - t * (2 * x - 1)) + (N - 1) * sp_(t * (x * (N - 2) / (N - 1) - 1) - b)


@pytest.mark.parametrize("N,d,delta,t,b", [
    (3, 3, sp.Rational(3, 5), "1.5", "0.25"),
    (4, 6, sp.Rational(1, 2), "3", "-1"),
    (7, 7, sp.Rational(5, 7), "0.7", "2"),
    (5, 5, sp.Integer(0), "2", "1"),
    (6, 6, sp.Integer(1), "4", "4"),
])
def test_loss_x_matches_loss_summed_over_explicit_ccem_vectors(N, d, delta, t, b):
    with mpmath.workdps(DIGITS):
        t_, b_ = mpmath.mpf(t), mpmath.mpf(b)
        expected = _hand_loss_on_vectors(N, d, delta, t_, b_)
        x = mpmath.mpf(sp.N(delta**2, DIGITS + 10))
        got = evaluator("loss_x", "mpmath")(x, mpmath.mpf(N), t_, b_)
        assert abs(got - expected) <= mpmath.mpf(10) ** -MATCH_DIGITS * max(1, abs(expected))


@pytest.mark.parametrize("N,t,b,x", [(3, 1, 0.5, 0.3), (10, 2, 2, 0.9), (50, 7, -3, 0.1)])
def test_loss_dx_and_dx2_match_numerical_derivatives_of_theory_formula(N, t, b, x):
    with mpmath.workdps(DIGITS):
        args = (mpmath.mpf(x), mpmath.mpf(N), mpmath.mpf(t), mpmath.mpf(b))
        hand = lambda z: _hand_l(z, *args[1:])  # noqa: E731
        for name, order in (("loss_dx", 1), ("loss_dx2", 2)):
            expected = mpmath.diff(hand, args[0], order)
            got = evaluator(name, "mpmath")(*args)
            assert abs(got - expected) <= mpmath.mpf(10) ** -MATCH_DIGITS * max(1, abs(expected))


def test_loss_evaluates_for_t_up_to_1e4_without_overflow():
    with mpmath.workdps(DIGITS):
        N, t, b, x = mpmath.mpf(10), mpmath.mpf(10) ** 4, mpmath.mpf(3), mpmath.mpf("0.25")
        for name in ("loss_x", "loss_dx"):
            value = evaluator(name, "mpmath")(x, N, t, b)
            assert mpmath.isfinite(value)
        expected = _hand_l(x, N, t, b)
        assert abs(evaluator("loss_x", "mpmath")(x, N, t, b) - expected) <= expected * mpmath.mpf(10) ** -40
    with arb_precision(DIGITS):
        ball = evaluator("loss_dx", "arb")(arb("0.25"), arb(10), arb(10) ** 4, arb(3))
        assert ball.is_finite() and ball.rad() < abs(ball.mid()) * arb(10) ** -40


def test_ccem_loss_is_certified_strictly_convex():
    assert D.check_ccem_loss_strictly_convex() == (True, "")


def test_threshold_closed_forms_equal_expected_forms():
    N, t = D.N, D.t
    assert sp.simplify(D.etf_threshold_tb() - (N - 1) / N * sp.log(N - 3)) == 0
    assert sp.simplify(D.antipodal_threshold_tb() - sp.log((N - 2) / sp.Integer(2)) / 2) == 0
    # b_A = log((N-2)/2) - t, written with the quotient's log split
    assert sp.simplify(D.antipodal_boundary_b() - (sp.log(N - 2) - sp.log(2) - t)) == 0
    assert sp.simplify(D.fixed_b_limit_x() - 2 * (N - 1) / (3 * N - 4)) == 0


def test_etf_boundary_b_solves_theory_condition():
    # (N-2)(1 + e^{t-b}) = 2(1 + e^{t/(N-1) + b}) at b = b_E, checked at sample points
    N, t, b = D.N, D.t, D.b
    condition = (N - 2) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b))
    for n, tt in ((5, 1), (10, 3), (40, sp.Rational(1, 3))):
        value = condition.subs({N: n, t: tt, b: D.etf_boundary_b().subs({N: n, t: tt})})
        assert abs(sp.N(value, 50)) < sp.Float(10) ** -40


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_arb_code_has_no_float_literal_nor_module_call(name):
    source = generated_source(name, "arb")
    import re

    assert not re.search(r"(?<![\w.])\d+\.\d*|(?<![\w.])\.\d+|\d[eE][-+]?\d", source), source
    assert "mpmath." not in source and "math." not in source


@pytest.mark.parametrize("name", ["loss_x", "loss_dx", "loss_dx2", "etf_condition",
                                  "etf_condition_db", "etf_boundary_b", "loss_dx_log_ratio"])
def test_arb_ball_contains_mpmath_value_at_twice_the_precision(name):
    point = ("0.3", 11, "2.5", "-0.75")
    with mpmath.workdps(2 * DIGITS):
        expected = evaluator(name, "mpmath")(*(mpmath.mpf(v) for v in point))
    with arb_precision(DIGITS):
        ball = evaluator(name, "arb")(*(arb(v) for v in point))
        lo, hi = arb_to_mpf(ball.lower()), arb_to_mpf(ball.upper())
        assert lo <= expected <= hi
        assert ball.rad() <= arb(10) ** -(DIGITS - 5) * max(arb(1), abs(ball.mid()))


def test_log_ratio_has_the_sign_of_loss_dx():
    f, g = evaluator("loss_dx", "mpmath"), evaluator("loss_dx_log_ratio", "mpmath")
    with mpmath.workdps(30):
        for x in ("0", "0.2", "0.5", "0.7", "1"):
            args = (mpmath.mpf(x), mpmath.mpf(10), mpmath.mpf(3), mpmath.mpf(1))
            assert mpmath.sign(f(*args)) == mpmath.sign(g(*args))
