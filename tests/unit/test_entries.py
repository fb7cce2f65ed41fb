"""Registry entries: the statements their checks rest on, by routes independent of the checks
(hand-typed formulas from THEORY.md, explicit vectors, numpy, mpmath root finding)."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from clverify.proofs_check import registry
from clverify.proofs_check import sigmoid_proofs as P
from clverify.proofs_check.theorems import lee2024 as L24
from clverify.proofs_check.theorems import lee2024_optimum as OPT
from clverify.theory import derivation as D
from clverify.theory.structures import CCEM, Antipodal, SimplexETF

N, t, b, x = D.N, D.t, D.b, D.x


def _unit(rng, *shape):
    z = rng.standard_normal(shape)
    return z / np.linalg.norm(z, axis=-1, keepdims=True)


# --- lee2024.lemma1 --------------------------------------------------------------------------

def test_slack_equals_the_sum_of_squares_on_random_vectors():
    """THEORY.md's Lemma 1 slack against (|sum(u+v)|^2 + sum_{i<j}|w_i - w_j|^2)/(4N(N-1)),
    summed by hand in numpy: the identity the symbolic check proves."""
    rng = np.random.default_rng(3)
    for n, d in ((3, 2), (6, 4), (9, 12)):
        U, V = _unit(rng, n, d), _unit(rng, n, d)
        S = U @ V.T
        lhs = (S.sum() - np.trace(S)) / (n * (n - 1))
        rhs = (n - 2) / (2 * n * (n - 1)) * np.trace(S) - n / (2 * (n - 1))
        W = U - V
        squares = np.sum((U + V).sum(axis=0) ** 2) + sum(
            np.sum((W[i] - W[j]) ** 2) for i in range(n) for j in range(i + 1, n))
        assert lhs - rhs == pytest.approx(squares / (4 * n * (n - 1)), abs=1e-12)


def test_recorded_equality_case_is_exact_and_no_ccem():
    """N = 4, d = 2, u = v = {e1, -e1, e2, -e2}: equality in exact arithmetic, and the cross Gram
    has off-diagonal values 0 and -1, so it is not double-constant (no CCEM)."""
    U = sp.Matrix([[1, 0], [-1, 0], [0, 1], [0, -1]])
    S = U * U.T
    n = 4
    lhs = (sum(S) - S.trace()) / (n * (n - 1))
    rhs = sp.Rational(n - 2, 2 * n * (n - 1)) * S.trace() - sp.Rational(n, 2 * (n - 1))
    assert lhs == rhs
    assert {S[i, j] for i in range(n) for j in range(n) if i != j} == {0, -1}
    A = np.array(U, dtype=float)
    assert L24._constant_difference_and_zero_sum(A, A) and not L24._is_ccem(A, A)


def test_blind_sampling_misses_the_wrong_slope_the_search_refutes():
    """At N = 8, d = 3 the slope 1/(2N) survives 500 seeded random configurations (the former
    check) but the worst-configuration search refutes it; the true slope survives the search."""
    wrong = next(m.claim for m in L24.LEMMA1.mutants if m.name == "slope_one_over_2N")
    n, d = 8, 3
    rng = np.random.default_rng(0)
    U, V = _unit(rng, 500, n, d), _unit(rng, 500, n, d)
    S = U @ V.transpose(0, 2, 1)
    trace = np.trace(S, axis1=1, axis2=2)
    slack = (S.sum(axis=(1, 2)) - trace) / (n * (n - 1)) - (trace / (2 * n) - n / (2 * (n - 1)))
    assert slack.min() > 0
    point = {"N": n, "d": d, "seed": 0}
    assert "LHS - RHS" in L24._lemma1_worst_configuration(wrong, point, {})
    assert L24._lemma1_worst_configuration(L24.LEMMA1.claim, point, {}) is None


# --- lee2024.prop1, thm1: ranks ---------------------------------------------------------------

@pytest.mark.parametrize(("structure", "rank"), [
    (CCEM(5, sp.Rational(1, 2)), 5), (CCEM(5, 1), 4), (CCEM(5, 0), 1), (SimplexETF(6), 5),
    (Antipodal(4), 1)], ids=repr)
def test_gram_rank_is_the_rank_of_explicit_vectors(structure, rank):
    U, V = structure.array()
    assert np.linalg.matrix_rank(np.vstack([U, V]), tol=1e-9) == rank
    assert structure.grams().rank() == rank


def test_thm1_dimension_variant_is_refuted_where_the_optimum_is_interior():
    """N = 6, t = b = 0.5 (t_A(6) < 0.5 < t_E(6)): the bound needs rank 6, so d >= N - 1 fails."""
    wrong = next(m.claim for m in OPT.THM1.mutants if m.name == "dimension_N_minus_1")
    point = {"N": 6, "t": "0.5", "b": "0.5"}
    assert "strictly above" in OPT._thm1_attained_only_in_dimension_N(wrong, point, {})
    assert OPT._thm1_attained_only_in_dimension_N(OPT.THM1.claim, point, {}) is None


# --- the (t, b) regimes and the monotone optimum -----------------------------------------------

def test_retired_regimes_id_resolves_to_the_phase_entry():
    assert registry.aliases()["lee2024.regimes_general"] == ("ext.sigmoid_phase_tb", "2026-11-29")
    assert registry.get("lee2024.regimes_general").id == "ext.sigmoid_phase_tb"


def test_logits_are_theory_md_s():
    A, B = P.logits()
    assert sp.simplify(A - (b - t * (2 * x - 1))) == 0
    assert sp.simplify(B - (t * (x * (N - 2) / (N - 1) - 1) - b)) == 0


def test_same_sign_proves_the_antipodal_boundary_and_only_it():
    b_A = sp.log((N - 2) / 2) - t       # THEORY.md
    assert P.same_sign(b - b_A, 0, -1, b) is not None
    assert P.same_sign(b - (sp.log(N - 2) - t), 0, -1, b) is None


def test_sign_counterexample_on_either_side_of_the_true_boundary():
    """N = 10, t = 1: the true antipodal boundary is b = log 4 - 1; a claim shifted to
    log 8 - 1 disagrees just above the true one, the true claim nowhere."""
    true = float(np.log(4) - 1)
    points = [(10, "1", f"{true + s:.6f}") for s in (-1e-3, 1e-3)]
    assert P.sign_counterexample(t + b - sp.log(N - 2), 0, -1, points) is not None
    assert P.sign_counterexample(t + b - sp.log((N - 2) / 2), 0, -1, points) is None


def test_slope_lemma_decides_t_eq_b_but_not_fixed_b():
    assert P.decreasing(t, path=t) is True
    assert P.decreasing(t, path=sp.Integer(1)) is None


def test_x_star_increases_along_t_eq_b_by_root_finding():
    """THEORY.md's l'(x) typed by hand, its root by mpmath at N = 10, t = b = 1.0 < 1.1."""
    def root(tv, n=10):
        def dl(z):
            return (-2 * tv * mpmath.sigmoid(tv - tv * (2 * z - 1))
                    + (n - 2) * tv * mpmath.sigmoid(tv * (z * (n - 2) / (n - 1) - 1) - tv))
        return mpmath.findroot(dl, (mpmath.mpf("0.01"), mpmath.mpf("0.99")), solver="anderson")

    with mpmath.workdps(30):
        assert root(mpmath.mpf("1.0")) < root(mpmath.mpf("1.1"))


def test_slope_lemma_reads_a_decreasing_optimum_along_b_eq_3_minus_t():
    """Along b = 3 - t the slopes swap signs at x = 1 (dA/dt = -2, dB/dt = (N-2)/(N-1)):
    G increases in t there, so the lemma returns False, not True."""
    assert P.decreasing(t, path=3 - t, x_values=(1,)) is False
