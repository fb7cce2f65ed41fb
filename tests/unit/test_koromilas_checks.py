"""Every check of clverify.proofs_check.koromilas_checks passes on the statement and refutes a false variant.

A check returns None on a pass and a message (str) on a fail; it never raises for a false claim.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from clverify.proofs_check import koromilas_checks as K
from clverify.theory import minima
from clverify.theory.minima import M, gamma, t, tau
from clverify.theory.structures import Antipodal, SimplexETF


def _fails(result):
    assert isinstance(result, str) and result, f"expected a failure message, got {result!r}"
    return result


@pytest.mark.parametrize("loss", K.THM4_1_LOSSES)
@pytest.mark.parametrize("M_,d", [(2, 2), (4, 3)])   # more sizes in tests/slow
def test_thm4_1_holds(loss, M_, d):
    assert K.thm4_1(loss, M_, d) is None


def test_thm4_1_other_temperatures():
    assert K.thm4_1("dcl", 5, 4, tau=2.0) is None
    # (tau = 0.1 is too flat for float64 GD: Gram error ~1e-5 at gradient norm 1e-9)
    assert K.thm4_1("infonce", 3, 4, tau=0.2) is None


def test_thm4_1_refutes_a_wrong_structure():
    assert "not Antipodal" in _fails(K.thm4_1("ntxent", 4, 3, claimed=Antipodal(4, 3)))


@pytest.mark.parametrize("loss", K.THM4_1_LOSSES + ("dhel-1view",))
def test_min_values_hold(loss):
    assert K.min_values(loss, 4, 3) is None


def test_min_values_refutes_wrong_closed_forms():
    wrong_dhel = -1 / tau + 2 * sp.log(M) - 2 / ((M - 1) * tau)   # log M instead of log(M-1)
    assert "explicit simplex" in _fails(K.min_values("dhel", 4, 3, claimed_value=wrong_dhel))
    # DCL with the positive kept in the denominator (that is NT-Xent's value)
    wrong_dcl = minima.minimum_value("ntxent")
    _fails(K.min_values("dcl", 3, 2, claimed_value=wrong_dcl))


@pytest.mark.parametrize("kernel", ["gaussian", "log", "imq"])
def test_kcl_simplex_holds(kernel):
    assert K.kcl_simplex(4, 3, kernel=kernel) is None


def test_kcl_simplex_refutes_wrong_value_and_structure():
    _fails(K.kcl_simplex(4, 3, claimed_value=-2 + 2 * gamma * sp.exp(-2 * t)))   # |x-y|^2 = 2
    _fails(K.kcl_simplex(3, 2, claimed=Antipodal(3, 2)))


def test_kcl_cross_polytope_holds():
    assert K.kcl_cross_polytope(2) is None    # d = 3, 4 in tests/slow


def test_kcl_cross_polytope_refutes_the_simplex_value_and_antipodal_structure():
    # the simplex value at M = 2d is below what 2d points in R^d can reach
    assert "cross-polytope" in _fails(
        K.kcl_cross_polytope(2, claimed_value=minima.minimum_value("kcl")))
    _fails(K.kcl_cross_polytope(2, claimed=Antipodal(4, 2)))


@pytest.mark.parametrize("loss", ["kcl", "kcl-log", "kcl-imq"])
def test_kcl_batch_independence_holds(loss):
    assert K.kcl_batch_independence(loss) is None


def test_infonce_batch_dependence_contrast():
    assert K.kcl_batch_independence("infonce", claimed_independent=False) is None
    assert "depend on M" in _fails(K.kcl_batch_independence("infonce"))
    _fails(K.kcl_batch_independence("kcl", claimed_independent=False))


@pytest.mark.parametrize("loss", ["dhel", "dhel-1view", "kcl"])
def test_decoupling_holds_beyond_the_simplex(loss):
    assert K.decoupling(loss, 6, 3) is None       # M = 6 > d + 1 = 4


def test_decoupling_refutes_antialigned_views():
    _fails(K.decoupling("dhel", 6, 3, claimed_v=lambda U: -U))
    _fails(K.decoupling("kcl", 5, 3, claimed_v=lambda U: U[::-1].copy()))


@pytest.mark.parametrize("n", [2, 3, 7, 128])
def test_density_holds(n):
    assert K.density(n) is None


def test_density_refutes_wrong_variance_and_wrong_exponent():
    assert "variance" in _fails(K.density(5, claimed_variance=lambda n: mpmath.mpf(1) / (n - 1)))

    def off_by_one(s, n):   # exponent (n-2)/2 with the normaliser of n: not a density
        c = mpmath.gamma(mpmath.mpf(n) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(n - 1) / 2))
        return c * ((1 - s) * (1 + s)) ** (mpmath.mpf(n - 2) / 2)

    assert "total mass" in _fails(K.density(5, pdf=off_by_one))


def test_asymptotic_uniform_trend_and_a_wrong_limit():
    assert K.asymptotic_uniform(sizes=(4, 8)) is None   # (4, 8, 12, 16) in tests/slow
    _fails(K.asymptotic_uniform(sizes=(4, 8), claimed_limit=-1.0))   # drops log E e^{s/tau}


def test_gd_minimiser_is_a_simplex_up_to_permutation():
    r = K.gd_minimum("dhel", 4, 3, seed=5)
    assert SimplexETF(4, 3).check(r.U, r.V, tol=K.STRUCTURE_TOL)[0]


def test_an_unconverged_run_is_undecided_not_a_refutation():
    """A GD run that did not converge yields an Undecided message, which the registry grades
    as Inconclusive (koromilas2024._call), never as a failure."""
    from types import SimpleNamespace

    from clverify.proofs_check.koromilas_checks import Undecided, _structure_message
    from clverify.proofs_check.registry import Inconclusive
    from clverify.proofs_check.theorems.koromilas2024 import _call

    stuck = SimpleNamespace(converged=False, grad_norm=1e-3)
    message = _structure_message("demo", stuck, None, 1e-5)
    assert isinstance(message, Undecided) and "did not converge" in message
    with pytest.raises(Inconclusive):
        _call(message)
    assert _call("a refutation") == "a refutation"
