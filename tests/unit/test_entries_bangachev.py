"""Independent checks of the facts the bangachev2025 entries rely on: the configuration that pins
the 2/N of Thms 3.1-3.2, the Example-3 configuration of Thm 3.6, the printed phi^2 of Thm 3.3,
the counts of App. D, and the helpers that read a claim's hypotheses.  Expected values are
derived by hand or computed by another route (the library loss at high precision, exact
rationals), never by the checks under test."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import linprog

from clverify.numerics.precision.ops import MPMATH_OPS
from clverify.proofs_check.registry import Claim, H, get
from clverify.proofs_check.runner import run_check
from clverify.proofs_check.theorems import bangachev2025 as B
from clverify.proofs_check.theorems import bangachev2025_appendix as A
from clverify.proofs_check.theorems import bangachev2025_geometry as G
from clverify.proofs_check.theorems import bangachev2025_size as Z
from clverify.theory import ExplicitSimilarity, Grams, sigmoid_loss


def _two_critical_vectors():
    """N = 6, d = 8: u_i = v_i = e_i, then v_0 = 0.6 e_0 + 0.8 e_7, v_2 = sqrt(0.91) e_2 + 0.3 e_1."""
    U = [[1 if k == i else 0 for k in range(8)] for i in range(6)]
    V = [row[:] for row in U]
    V[0] = [0.6 if k == 0 else 0.8 if k == 7 else 0 for k in range(8)]
    V[2] = [0.3 if k == 1 else np.sqrt(0.91) if k == 2 else 0 for k in range(8)]
    return np.array(U, dtype=float), np.array(V, dtype=float)


@pytest.mark.parametrize("t", [200, 800])
def test_two_critical_pairs_have_inf_loss_two_over_n_softplus(t):
    """inf_b L = (2/N) sp(-t m*) with m* = 0.15 to 8 digits: the library's loss at 50 digits,
    minimised in b by mpmath's secant method on dL/db (numerical differentiation)."""
    U, V = _two_critical_vectors()
    assert np.allclose(np.linalg.norm(V, axis=1), 1)
    S = U @ V.T
    assert np.isclose(np.diag(S).min(), 0.6) and np.isclose(S[~np.eye(6, dtype=bool)].max(), 0.3)
    with mpmath.workdps(50):
        E = ExplicitSimilarity(mpmath.matrix(S.tolist()), MPMATH_OPS)
        loss = lambda b: sigmoid_loss(Grams(E, E, E), MPMATH_OPS, t=mpmath.mpf(t), b=b)   # noqa: E731
        b_opt = mpmath.findroot(lambda b: mpmath.diff(loss, b), mpmath.mpf(t) * mpmath.mpf("0.45"))
        closed = 2 * mpmath.log1p(mpmath.exp(-t * mpmath.mpf("0.15"))) / 6
        assert abs(loss(b_opt) / closed - 1) < 1e-8
        assert abs(b_opt / t - mpmath.mpf("0.45")) < 1e-6
    assert np.array_equal(S, B._zero_loss_configurations()["two_critical_pairs"])     # the check's configuration


def test_lower_bound_constant_is_pinned_by_the_two_critical_pairs():
    thm = get("bangachev2025.thm3_1_3_2")
    check = next(c for c in thm.checks if c.name == "bounds_hold_at_optimal_bias")
    four = next(m for m in thm.mutants if m.name == "lower_4_over_N")
    assert run_check(check, thm.claim, {}).status == "pass"
    assert run_check(check, four.claim, {}).status == "fail"
    ratios = run_check(check, thm.claim, {}).evidence["inf_over_lower"]
    assert abs(ratios["two_critical_pairs,t=200"] - 1) < 1e-12


@pytest.mark.parametrize(("k", "d"), [(5, 3), (6, 3), (6, 4), (8, 4), (7, 5), (9, 6)])
def test_example3_leaves_d_minus_1_pairs_unseparable(k, d):
    """Sign-separated, U in an open half-space, and its first d - 1 pairs have V_j = U_j: every h
    with <h, U_i> > 0 has <h, V_j> > 0 there, so at most k - d + 1 negatives (the bound the
    mixed-integer programme of the check attains); sampled h in the cone agree."""
    U, V = G.example3_configuration(k, d)
    S = U @ V.T
    assert np.allclose(np.linalg.norm(U, axis=1), 1) and np.allclose(np.linalg.norm(V, axis=1), 1)
    assert np.diag(S).min() > 1e-4 and S[~np.eye(k, dtype=bool)].max() < -1e-4
    assert np.array_equal(V[: d - 1], U[: d - 1])
    h = linprog(np.zeros(d), A_ub=-U, b_ub=-np.ones(k), bounds=[(None, None)] * d, method="highs").x
    assert (U @ h > 0).all()
    rng = np.random.default_rng(k * 10 + d)
    for _ in range(2000):
        g = h + rng.standard_normal(d) * rng.uniform(0, 3)
        if (U @ g > 0).all():
            assert (V @ g < 0).sum() <= k - d + 1
    assert G._most_negative_vs(U, V) == k - d + 1


def test_thm3_3_printed_phi2_misses_the_relative_bias_and_the_corrected_one_is_zero():
    """Construction 1 on an alpha-code: b' = delta^2 (1+alpha)/2 + phi^2 - (1 - delta^2 - phi^2).
    At (m, b_rel) = (1/10, 0): alpha = 7/11, delta^2 = 2m/(1-alpha) = 11/20; with delta^2 (3+alpha)
    phi^2 = 0 and b' = 0; with the printed delta (3+alpha), phi^2 = 1/2 - sqrt(55)/11 < 0 (no real
    phi) and b' = 2 phi^2 != 0."""
    m, b = sp.Rational(1, 10), sp.Integer(0)
    alpha = (1 + b - 3 * m) / (1 + b + m)
    d2 = 2 * m / (1 - alpha)
    assert (alpha, d2) == (sp.Rational(7, 11), sp.Rational(11, 20))
    for phi2, expected_b in (((2 * b + 2 - d2 * (3 + alpha)) / 4, 0), ((2 * b + 2 - sp.sqrt(d2) * (3 + alpha)) / 4, None)):
        b_prime = sp.nsimplify(d2 * (1 + alpha) / 2 + phi2 - (1 - d2 - phi2))
        if expected_b is None:
            assert phi2 == sp.Rational(1, 2) - sp.sqrt(55) / 11 and phi2 < 0 and sp.simplify(b_prime - 2 * phi2) == 0
        else:
            assert phi2 == 0 and b_prime == expected_b


def test_thm3_5_reference_exponents():
    """LATER.md B3 (Fig. 11, b_rel = 0, m = 0.1): alpha = 0.636364, lower bound 0.259562 nats,
    Thm 3.5's upper bound 0.505800 nats."""
    claim = get("bangachev2025.thm3_5").claim
    at = {H.m: sp.Rational(1, 10), B.B_REL: 0}
    alpha = claim.alpha.subs(at)
    assert abs(float(alpha) - 0.636364) < 5e-7
    assert abs(float(claim.bound.subs(at)) - 0.505800) < 5e-7
    assert abs(float(claim.bound_in_alpha.subs(Z.ALPHA, alpha)) - 0.505800) < 5e-7
    assert abs(float(Z.CODE_EXPONENT.subs(Z.ALPHA, alpha)) - 0.259562) < 5e-7


def test_obs1_adapter_identity_with_the_library_loss():
    """Explicit adapted vectors and the library's sigmoid loss at 40 digits (not the check's
    float64 torch loss): L(AU, AV; t, b_rel t) = L(U, V; delta^2 t, (b_rel + 1 - delta^2) t)."""
    rng = np.random.default_rng(3)
    U, V = (x / np.linalg.norm(x, axis=1, keepdims=True) for x in rng.standard_normal((2, 5, 4)))
    delta, t, b_rel = 0.7, 12.0, 0.35
    tail = np.full((5, 1), np.sqrt(1 - delta ** 2))
    AU, AV = np.hstack([delta * U, tail]), np.hstack([delta * V, -tail])
    assert np.allclose(AU @ AV.T, delta ** 2 * (U @ V.T) - (1 - delta ** 2))
    with mpmath.workdps(40):
        def loss(S, tt, bb):
            E = ExplicitSimilarity(mpmath.matrix(S.tolist()), MPMATH_OPS)
            return sigmoid_loss(Grams(E, E, E), MPMATH_OPS, t=mpmath.mpf(tt), b=mpmath.mpf(bb))
        lhs = loss(AU @ AV.T, t, b_rel * t)
        rhs = loss(U @ V.T, delta ** 2 * t, (b_rel + 1 - delta ** 2) * t)
        assert abs(lhs / rhs - 1) < 1e-12


def test_app_d_counts_need_no_assumption_on_n():
    """Read as m*: exactly 29 printed values exceed 1/2 and 7 are below -1; the smallest value
    above 1/2 is 0.513416, above N/(2(N-1)) exactly from N = 39 on (38/74 = 0.51351...)."""
    values = [Fraction(v) for rows in A.PRINTED.values() for v in rows.values()]
    above = [v for v in values if v > Fraction(1, 2)]
    assert len(values) == 82 and len(above) == 29 and sum(v < -1 for v in values) == 7
    assert min(above) == Fraction("0.513416")
    assert Fraction(38, 74) > min(above) > Fraction(39, 76)
    thm = get("bangachev2025.appD_tables")
    outcome = run_check(thm.checks[0], thm.claim, {})
    assert outcome.status == "fail" and "7 printed values are below -1" in outcome.message
    assert "29 exceed 1/2" in outcome.message and "N >= 39" in outcome.message


def test_authors_log_puts_the_factor_near_two():
    """The raw log against Table 2's neighbouring rows (hand-interpolated at b_rel = 1/9 and 1):
    0.33173.../0.171251 = 1.937, 0.513416/0.276367 = 1.858."""
    at_one_ninth = Fraction("0.329022") + (Fraction("0.353406") - Fraction("0.329022")) * Fraction(1, 9)
    ratios = (at_one_ninth / Fraction(A.AUTHORS_HALF_GAP_LOG["0.111111"]),
              Fraction("0.513416") / Fraction(A.AUTHORS_HALF_GAP_LOG["1"]))
    assert [round(float(r), 3) for r in ratios] == [1.937, 1.858]
    full_gap = get("bangachev2025.appD_full_gap")
    check = next(c for c in full_gap.checks if c.name == "authors_half_gap_log_matches_claimed_quantity")
    assert [run_check(check, full_gap.claim.vary(factor=f), {}).status for f in (2, Fraction(12, 5), 1)] == \
        ["pass", "fail", "fail"]


def test_region_vertices_and_alpha_range_of_thm3_3():
    """m >= 0, -1 <= b <= 1, m + b < 1, 3m < 1 + b: vertices (0, -1), (0, 1), (1/2, 1/2); alpha
    is 0/0 at (0, -1) and ranges over [0, 1] (substituting b first would give -3m/m = -3)."""
    claim = get("bangachev2025.thm3_3").claim
    assert Z.region_vertices(claim) == [(0, -1), (0, 1), (sp.Rational(1, 2), sp.Rational(1, 2))]
    assert Z._alpha_range(claim) == (0, 1)
    assert Z._alpha_range(claim.vary(code=H.m < 2))[0] == -3


def test_allows_reads_only_the_hypotheses_in_the_given_symbols():
    claim = Claim({}, {"N": H.N >= 2, "t": sp.Gt(H.t, 0)})
    assert B.allows(claim, t=1) and not B.allows(claim, t=-1) and not B.allows(claim, N=1)
    assert B.smallest_admitted(claim, "N", range(1, 5)) == 2
    assert B.smallest_admitted(Claim({}, {"N": H.N >= H.d + 2}), "N", range(1, 20), d=4) == 6


def test_statistics_and_evaluate_read_the_extremes_and_means():
    S = np.array([[0.9, -0.2, 0.1], [0.3, 0.5, -0.4], [0.0, -0.1, 0.7]])
    assert B.statistics(S) == pytest.approx({"min_s_ii": 0.5, "max_s_ij": 0.3, "mean_s_ii": 0.7,
                                             "mean_s_ij": -0.3 / 6})
    assert B.evaluate((B.S_MIN - B.S_MAX) / 2, S) == pytest.approx(0.1)
