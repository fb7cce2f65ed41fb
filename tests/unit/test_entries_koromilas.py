"""The ``koromilas2024`` entries and ``ext.anchor_form_simplex``: the facts their proof checks rest
on (:mod:`clverify.proofs_check.koromilas_proofs`), by routes independent of those checks
(numpy sums over explicit vectors, hand formulas in mpmath, random configurations), and the
helpers that read a claim's hypotheses."""

import itertools

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from clverify.numerics.descent.torch_losses import TORCH_LOSSES
from clverify.proofs_check import koromilas_proofs as P
from clverify.proofs_check.registry import Claim, H, Inconclusive, theorems
from clverify.proofs_check.theorems import koromilas2024 as K24
from clverify.theory.losses import LOSSES
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams
from clverify.theory.structures import Antipodal, CrossPolytope, SimplexETF


def _unit(rng, *shape):
    z = rng.standard_normal(shape)
    return z / np.linalg.norm(z, axis=-1, keepdims=True)


def _grams(U, V):
    return Grams(*(ExplicitSimilarity(sp.Matrix(A)) for A in (U @ V.T, U @ U.T, V @ V.T)))


# --- the claims are data -------------------------------------------------------------------

def test_every_entry_declares_parts_and_a_claim_with_its_hypotheses():
    mine = [t for t in theorems(papers=("koromilas2024",))] + [theorems(only=("ext.anchor_form_simplex",))[0]]
    for thm in mine:
        assert isinstance(thm.claim, Claim) and thm.parts, thm.id
        assert all(c.parts or not c.counts for c in thm.checks), thm.id
        assert not any(c.whole_domain for c in thm.checks), f"{thm.id}: hand-argued steps, no whole domain"


# --- Theorem 4.1: anchor forms ---------------------------------------------------------------

def test_anchor_forms_match_the_losses_beyond_the_proved_batch_size():
    """The symbolic identity runs at M = 3; numerically at M = 5 on random unit vectors it holds too."""
    rng = np.random.default_rng(1)
    U, V = _unit(rng, 5, 4), _unit(rng, 5, 4)
    for loss, form in K24.ANCHOR_FORMS.items():
        grams = _grams(U, V)
        value = float(LOSSES[loss](grams, SYMPY_OPS, tau=sp.Float(0.7)))
        assert value == pytest.approx(float(P.anchor_form_value(form, grams, sp.Float(0.7))), rel=1e-12), loss


def _margins_by_hand(view, U, V, kappa):
    """tau times every margin of ``view``, summed over its anchors: explicit loops."""
    A, B = (U, V) if view[0] == "u" else (V, U)
    kind, m, total = view.split("_")[1], len(U), 0.0
    for i in range(m):
        s = A[i] @ B[i]
        negatives = {"cross": [B[j] for j in range(m) if j != i], "within": [A[j] for j in range(m) if j != i]}
        negatives["all"] = negatives["cross"] + negatives["within"]
        total += sum(A[i] @ n - kappa * s for n in negatives[kind])
    return total


@pytest.mark.parametrize("view", P.VIEWS)
def test_margin_sum_coefficients_against_explicit_loops(view):
    rng = np.random.default_rng(7)
    U, V = _unit(rng, 6, 3), _unit(rng, 6, 3)
    s, r, P_ = U.sum(0), V.sum(0), float(np.sum(U * V))
    c = P.margin_sum(view, sp.Rational(3, 5))
    table = float((c.alpha * (s @ r) + c.beta_u * (s @ s) + c.beta_v * (r @ r) - c.gamma * P_ + c.delta).subs(P.M, 6))
    assert table == pytest.approx(_margins_by_hand(view, U, V, 0.6), rel=1e-12)


def test_cauchy_schwarz_step_on_random_configurations():
    """P <= M - |s - r|^2/(2M): the step the margin bound rests on (hand-argued in the checks)."""
    rng = np.random.default_rng(2)
    for m, d in ((3, 2), (5, 4), (8, 3)):
        U, V = _unit(rng, 200, m, d), _unit(rng, 200, m, d)
        P_ = np.sum(U * V, axis=(1, 2))
        gap = np.sum((U - V).sum(1) ** 2, axis=1) / (2 * m)
        assert np.all(P_ <= m - gap + 1e-12)


def test_positive_definiteness_threshold_of_cross_view_negatives_is_the_hand_one():
    """For cross-view negatives the form is definite iff kappa > (M - 2)/(2(M - 1)) (by hand:
    g = gamma/(2M), det = g - 1/4, gamma = 1 + kappa(M - 1)); kappa = 1/4 is the boundary at
    M = 3 (semidefinite), kappa = 0.3 first fails at M = 4, kappa = 1/2 never."""
    assert P.first_indefinite_size("u_cross", sp.Rational(1, 4)) == 3
    assert P.first_indefinite_size("u_cross", sp.Rational(3, 10)) == 4
    assert P.first_indefinite_size("u_cross", sp.Rational(1, 2)) is None
    cross = P.AnchorForm("lse1", P.kappa, ("u_cross",))
    assert P.positive_definite(cross, sp.Rational(1, 2)) and not P.positive_definite(cross, sp.Rational(1, 4))


def test_antipodal_beats_the_simplex_below_the_threshold_by_hand():
    """M = 4, kappa = 1/4, tau = 1, lse1 on cross-view negatives: the simplex's margins are
    -1/3 - 1/4, the antipodal structure's -1 + 1/4 (lower), so the mutant kappa >= 1/4 is false."""
    form = P.AnchorForm("lse1", sp.Rational(1, 4), ("u_cross",))
    simplex = float(P.anchor_form_value(form, SimplexETF(4).grams(), 1))
    antipodal = float(P.anchor_form_value(form, Antipodal(4).grams(), 1))
    assert simplex == pytest.approx(float(mpmath.log(1 + 3 * mpmath.exp(mpmath.mpf(-7) / 12))), rel=1e-14)
    assert antipodal == pytest.approx(float(mpmath.log(1 + 3 * mpmath.exp(mpmath.mpf(-3) / 4))), rel=1e-14)
    assert antipodal < simplex


def test_jensen_bounds_are_the_hand_minima():
    """The bound of each loss at M = 5, tau = 0.7 against the hand closed forms (mpmath)."""
    m, tau = 5, mpmath.mpf("0.7")
    e = mpmath.exp(-m / (tau * (m - 1)))
    hand = {"infonce": mpmath.log(1 + 4 * e), "infonce-sym": 2 * mpmath.log(1 + 4 * e),
            "ntxent": mpmath.log(1 + 8 * e), "dcl": -1 / tau + mpmath.log(8) - 1 / (4 * tau),
            "dhel": -1 / tau + 2 * mpmath.log(4) - 2 / (4 * tau), "dhel-1view": -1 / tau + mpmath.log(4) - 1 / (4 * tau)}
    for loss, form in K24.ANCHOR_FORMS.items():
        bound = P.anchor_bound(form).subs({P.M: m, P.tau: sp.Rational(7, 10)})
        assert float(bound) == pytest.approx(float(hand[loss]), rel=1e-13), loss


def test_no_random_configuration_beats_the_jensen_bound():
    """200 random batches (torch float64 backend) per loss stay above the bound."""
    rng = np.random.default_rng(5)
    U, V = (torch.from_numpy(_unit(rng, 200, 4, 3)) for _ in range(2))
    for loss, form in K24.ANCHOR_FORMS.items():
        bound = float(P.anchor_bound(form).subs({P.M: 4, P.tau: sp.Rational(1, 2)}))
        assert float(TORCH_LOSSES[loss](U, V, tau=0.5).min()) >= bound - 1e-12, loss


def test_positive_on_orthant_reads_signs_not_values():
    m, k = sp.symbols("m k", nonnegative=True)
    assert P.positive_on_orthant(1 + m + m * k, (m, k))
    assert P.positive_on_orthant((1 + m) / (2 + k), (m, k))
    assert P.positive_on_orthant((-1 - m) / (-2 - k), (m, k))
    assert not P.positive_on_orthant(1 - m, (m, k))        # negative for m > 1
    assert not P.positive_on_orthant(m + k, (m, k))        # zero at the origin
    assert not P.positive_on_orthant((1 + m) / (-1 - k), (m, k))


# --- KCL: simplex (Jensen) and cross-polytope (LP bound) --------------------------------------

def _kcl_by_hand(U, V, gamma, t):
    m = len(U)
    align = np.mean(np.exp(-t * np.sum((U - V) ** 2, axis=1)))
    energy = [np.mean([np.exp(-t * np.sum((X[i] - X[j]) ** 2)) for i, j in itertools.permutations(range(m), 2)])
              for X in (U, V)]
    return -2 * align + gamma * sum(energy)


def test_kcl_bounds_hold_on_random_configurations():
    rng = np.random.default_rng(11)
    simplex = float(P.kcl_simplex_bound().subs({P.M: 4, P.gamma: 3, P.t: sp.Rational(1, 2)}))
    cross = float(P.cross_polytope_bound(3).subs({P.M: 6, P.gamma: 3, P.t: sp.Rational(1, 2)}))
    for _ in range(50):
        assert _kcl_by_hand(_unit(rng, 4, 3), _unit(rng, 4, 3), 3, 0.5) >= simplex - 1e-12
        assert _kcl_by_hand(_unit(rng, 6, 3), _unit(rng, 6, 3), 3, 0.5) >= cross - 1e-12
    W, _ = CrossPolytope(6).array()
    assert _kcl_by_hand(W, W, 3, 0.5) == pytest.approx(cross, rel=1e-13)


@pytest.mark.parametrize("t", [0.1, 0.75, 3.0])
def test_cross_polytope_interpolant_by_hand_and_below_the_kernel(t):
    """h = e^{-2t}(1 + 2t x + (e^{-2t} - 1 + 2t) x^2) (solved by hand), and f - h >= 0 on [-1, 1]."""
    a, b, c = (float(v.subs(P.t, sp.Float(t))) for v in P.cross_polytope_interpolant())
    e = np.exp(-2 * t)
    assert (a, b, c) == pytest.approx((e, 2 * t * e, e * (e - 1 + 2 * t)), rel=1e-13)
    x = np.linspace(-1, 1, 2001)
    assert np.all(np.exp(-t * (2 - 2 * x)) - (a + b * x + c * x**2) >= -1e-15)
    assert P.interpolant_signs() is None


def test_distance_sum_and_kernel_steps():
    assert P.distance_sum_holds(3) and P.distance_sum_holds(5) and P.kernel_decreasing_convex()


# --- reading hypotheses ----------------------------------------------------------------------

def test_smallest_dimension_and_missing_structure_read_the_relation():
    assert P.smallest_dimension(K24.SIMPLEX_DIMENSION, 5) == 4
    assert P.smallest_dimension(sp.And(H.M > 1, H.M <= H.d + 2), 5) == 3
    assert P.smallest_dimension(sp.Eq(H.M, 2 * H.d), 5) is None
    assert P.missing_structure(SimplexETF, K24.SIMPLEX_DIMENSION) is None
    assert P.missing_structure(CrossPolytope, sp.Eq(H.M, 2 * H.d)) is None
    assert "M = 3, d = 1" in P.missing_structure(CrossPolytope, H.M >= 2 * H.d)


def test_outside_finds_a_value_beyond_the_proofs_domain():
    tau = H.tau
    assert P.outside(tau > 0, tau) is None
    assert P.outside(sp.Ne(tau, 0), tau) == -1
    assert P.outside(sp.And(tau > -3, tau < -2), tau) == sp.Rational(-5, 2)
    assert P.outside(tau >= 0, tau) == 0
    assert P.outside(sp.And(tau >= sp.Rational(1, 4), tau < 1), tau, sp.Interval(sp.Rational(1, 2), sp.oo)) \
        == sp.Rational(3, 8)


def test_dimension_of_a_point_outside_the_claim_is_inconclusive():
    with pytest.raises(Inconclusive):
        K24._dimension(K24.THM4_1.claim, {"M": 5, "d": 3})
    assert K24._dimension(K24.THM4_1.claim, {"M": 5}) == 4


def test_margin_sum_holds_fails_on_a_wrong_coefficient(monkeypatch):
    right = P.margin_sum
    monkeypatch.setattr(P, "margin_sum", lambda view, k=P.kappa: right(view, k)._replace(gamma=right(view, k).gamma + 1))
    assert not P.margin_sum_holds("u_cross", 3)


def test_is_zero_decides_by_value_then_by_simplification():
    assert P.is_zero(sp.log(P.M - 1) + sp.log(2) - sp.log(2 * P.M - 2))
    assert P.is_zero(sp.log(2) - sp.Rational(69, 100)) is False
    with pytest.raises(Inconclusive):                  # below the witness tolerance, yet not zero
        P.is_zero(sp.exp(-100 * P.M))
