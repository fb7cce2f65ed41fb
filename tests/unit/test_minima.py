"""Closed-form minima (clverify.theory.minima) against independent routes.

* hand-derived closed forms (the DHEL hypothesis of the spec, the others derived by hand in
  the comments) compared symbolically;
* the loss on explicit simplex / cross-polytope vectors at 40 digits (a different code path:
  explicit Gram matrices instead of double-constant / row-regular ones);
* the CrossPolytope structure's contract.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from clverify.proofs_check.koromilas_checks import explicit_value
from clverify.theory import minima
from clverify.theory.errors import InvalidParameterError
from clverify.theory.minima import M, gamma, t, tau
from clverify.theory.structures import CrossPolytope, SimplexETF

# By hand, on u = v = simplex: positive similarity 1, every negative -1/(M-1).
E_NEG = sp.exp(-1 / ((M - 1) * tau))
HAND = {
    "infonce": -1 / tau + sp.log(sp.exp(1 / tau) + (M - 1) * E_NEG),
    "infonce-sym": 2 * (-1 / tau + sp.log(sp.exp(1 / tau) + (M - 1) * E_NEG)),
    "ntxent": -1 / tau + sp.log(sp.exp(1 / tau) + 2 * (M - 1) * E_NEG),
    "dcl": -1 / tau + sp.log(2 * (M - 1)) - 1 / ((M - 1) * tau),
    "dhel": -1 / tau + 2 * sp.log(M - 1) - 2 / ((M - 1) * tau),   # the spec's hypothesis
    "dhel-1view": -1 / tau + sp.log(M - 1) - 1 / ((M - 1) * tau),
    # |u_i - u_j|^2 = 2 + 2/(M-1) = 2M/(M-1); K(u_i, v_i) = K(0 distance)
    "kcl": -2 + 2 * gamma * sp.exp(-2 * t * M / (M - 1)),
    "kcl-log": -2 * gamma * sp.log(1 + 2 * t * M / (M - 1)),
    "kcl-imq": -2 + 2 * gamma * t / sp.sqrt(t**2 + 2 * M / (M - 1)),
}


def _factored_exponents(expr):
    return expr.replace(sp.exp, lambda a: sp.exp(sp.factor(sp.together(a))))


@pytest.mark.parametrize("loss", sorted(HAND))
def test_simplex_minimum_equals_hand_closed_form(loss):
    # the difference is real, so it is 0 iff its exponential is 1; SymPy sees that once the
    # exponents are put over one denominator (M/(M - 1) and 1 + 1/(M - 1) are one number)
    difference = sp.expand_log(minima.minimum_value(loss) - HAND[loss], force=True)
    ratio = sp.simplify(_factored_exponents(sp.expand(sp.exp(difference))))
    assert sp.simplify(_factored_exponents(ratio)) == 1


def test_kcl_cross_polytope_closed_form_by_hand():
    # per point: one antipode at |x-y|^2 = 4, M-2 orthogonal points at |x-y|^2 = 2
    hand = -2 + 2 * gamma * (sp.exp(-4 * t) + (M - 2) * sp.exp(-2 * t)) / (M - 1)
    assert sp.simplify(minima.minimum_value("kcl", structure="cross-polytope") - hand) == 0


@pytest.mark.parametrize("loss", minima.KOROMILAS_LOSSES)
@pytest.mark.parametrize("size", [2, 3, 5])
def test_closed_form_equals_loss_on_explicit_simplex_vectors(loss, size):
    # riesz with t = -2: K = -|x-y|^2 is smooth at u = v (t = -1 would put sqrt(rounding) there)
    params = {"tau": sp.Rational(3, 10), "gamma": 16, "t": -2 if loss == "kcl-riesz" else 2}
    params = {k: v for k, v in params.items() if k in minima.parameter_symbols(loss)}
    closed = minima.minimum_value(loss).subs(
        {M: size, **{minima.parameter_symbols(loss)[k]: v for k, v in params.items()}})
    U, V = SimplexETF(size, size + 1).vectors()   # padded with a zero column: d > M - 1 too
    with mpmath.workdps(40):
        exact = explicit_value(loss, U, V, params, digits=40)
        assert abs(mpmath.mpf(sp.N(closed, 50)) - exact) < mpmath.mpf(10) ** -30


@pytest.mark.parametrize("d", [1, 2, 3])
def test_cross_polytope_value_on_explicit_vectors(d):
    params = {"gamma": 16, "t": 2}
    closed = minima.minimum_value("kcl", N=2 * d, structure="cross-polytope", **params)
    with mpmath.workdps(40):
        exact = explicit_value("kcl", *CrossPolytope(2 * d).vectors(), params, digits=40)
        assert abs(mpmath.mpf(sp.N(closed, 50)) - exact) < mpmath.mpf(10) ** -30


def test_ccem_at_delta_one_is_the_simplex_and_at_zero_antipodal():
    N = 5
    for loss in ("infonce", "ntxent", "dcl", "dhel", "kcl"):
        at_one = minima.ccem_value(loss, N, 1)
        assert sp.simplify(at_one - minima.simplex_value(loss, N)) == 0
    # delta = 0: u_i = e, v_i = -e for all i; DHEL within-view similarities all 1
    hand = 1 / tau + 2 * sp.log((N - 1) * sp.exp(1 / tau))
    assert sp.simplify(sp.expand_log(minima.ccem_value("dhel", N, 0) - hand, force=True)) == 0


def test_cross_polytope_structure_contract():
    cp = CrossPolytope(6)
    U, V = cp.array()
    assert cp.check(U, V) == (True, "")
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    perm = rng.permutation(6)
    assert cp.check(U[perm] @ Q, V[perm] @ Q)[0]            # rotation + permutation invariant
    ok, reason = cp.check(*SimplexETF(4, 3).array(), tol=1e-9)
    assert not ok
    bad = U.copy()
    bad[0] = (U[0] + U[2]) / np.linalg.norm(U[0] + U[2])
    assert not cp.check(bad, bad)[0]
    with pytest.raises(InvalidParameterError, match="even"):
        CrossPolytope(5)
    with pytest.raises(InvalidParameterError, match="d must be"):
        CrossPolytope(6, 2)


def test_bad_parameters_are_input_errors():
    with pytest.raises(InvalidParameterError, match="tau"):
        minima.minimum_value("dhel", N=3, tau=-1)
    with pytest.raises(InvalidParameterError, match="riesz"):
        minima.minimum_value("kcl-riesz", N=3, t=2)
    with pytest.raises(InvalidParameterError, match="not a parameter"):
        minima.minimum_value("dhel", N=3, gamma=2)
