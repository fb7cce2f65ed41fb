"""Facts the lee2025 and ext entries (and bangachev2025's SigLIP 2 bias entries) rely on, each
checked by a route independent of the check that uses it: values derived by hand, the paper's
printed numbers, a brute-force grid, or another method."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.proofs_check.registry import Claim, theorems
from clverify.proofs_check.runner import run_check
from clverify.proofs_check.theorems import bangachev2025_siglip2, ext, lee2025, lee2025_batches
from clverify.proofs_check.theorems.lee2025 import n


def test_every_entry_of_these_modules_has_parts_and_a_claim():
    for module in (lee2025, lee2025_batches, ext, bangachev2025_siglip2):
        for thm in module.THEOREMS:
            assert thm.parts and isinstance(thm.claim, Claim), thm.id
            declared = {p.name for p in thm.parts}
            assert declared == {p for c in thm.checks for p in c.parts}, f"{thm.id}: a part no check names"


def _conditions(U, V) -> set:
    """The conditions a configuration satisfies, computed directly in float64."""
    U, V = np.array(U, dtype=float), np.array(V, dtype=float)
    W = U - V
    found = set()
    if np.allclose(U.sum(0) + V.sum(0), 0):
        found.add("sum_zero")
    if np.allclose(W, W[0]):
        found.add("diff_constant")
    if np.allclose(U, V):
        found.add("aligned")
    return found


def test_witnesses_realise_every_set_of_conditions_unit_vectors_allow():
    expected = {"alternating_aligned": {"sum_zero", "diff_constant", "aligned"},
                "antipodal": {"sum_zero", "diff_constant"}, "aligned_off_centre": {"diff_constant", "aligned"},
                "opposed_basis": {"sum_zero"}, "shifted": {"diff_constant"}, "generic": set()}
    witnesses = lee2025._witnesses()
    assert set(witnesses) == set(expected)
    for name, (U, V) in witnesses.items():
        assert np.allclose(np.linalg.norm(np.array(U, dtype=float), axis=1), 1)
        assert np.allclose(np.linalg.norm(np.array(V, dtype=float), axis=1), 1)
        assert _conditions(U, V) == expected[name], name
    # the six sets are the subsets closed under aligned => diff_constant
    assert {lee2025._closure(s) for s in expected.values()} == {frozenset(s) for s in expected.values()}


def test_sum_of_squares_weights_match_the_hand_derivation():
    """By hand (coefficients of A + B, C, T and 1): q_sum = 1/(4n(n-1)), q_diff = 1/(4(n-1)),
    q_aligned = a/2 - (n-2)/(4n(n-1)), c0 = n(a + 1/(n(n-1)))."""
    for a, q_aligned, c0 in (((n - 2) / (2 * n * (n - 1)), 0, n / (2 * (n - 1))),
                             (1 / n, 1 / (4 * (n - 1)), n / (n - 1))):
        weights, found_c0 = lee2025.sos_coefficients(a)
        assert sp.simplify(weights["sum_zero"] - 1 / (4 * n * (n - 1))) == 0
        assert sp.simplify(weights["diff_constant"] - 1 / (4 * (n - 1))) == 0
        assert sp.simplify(weights["aligned"] - q_aligned) == 0
        assert sp.simplify(found_c0 - c0) == 0


def test_bound_check_reads_a_norm_range_the_probe_norms_miss():
    """The tempting bug: testing the norm hypothesis only at a few probe values.  A claim for
    norms in [1, 11/10] is refuted at r = 11/10 (u_i = v_i = r x_i, sum x_i = 0: the slack
    (2n - 2n r^2)/(4(n-1)) < 0), not proved."""
    claim = lee2025.LEMMA_C6.claim.vary(norms=sp.And(lee2025.R >= 1, lee2025.R <= sp.Rational(11, 10)))
    bound = next(c for c in lee2025.LEMMA_C6.checks if c.name == "bound_is_sum_of_squares")
    outcome = run_check(bound, claim, {})
    assert outcome.status == "fail" and "11/10" in outcome.message
    assert run_check(bound, lee2025.LEMMA_C6.claim, {}).status == "pass"


def test_antipodal_gap_of_theorem_5_2_by_hand():
    """u_i = e, v_i = -e, n = 4: m_pos = m_neg = -1, so the gap 1 + m_neg + 1/(n-1) - m_pos = 4/3."""
    U, V = lee2025._witnesses()["antipodal"]
    assert lee2025._exact_slack(lee2025.THM5_2_GAP.claim, U, V) == sp.Rational(4, 3)


def test_descent_in_dimension_n_minus_1_reaches_the_etf_below_b_E():
    """The fact behind the mutants 'Thm 5.3 in d = n - 1' and 'd >= N - 1': at N = 6, t = 5,
    b = 2.1 < b_E = 2.364 the certified CCEM optimum (d >= N) is interior, while descent in
    d = 5 ends at the ETF, whose loss is sp(b - t) + (N-1) sp(-t/(N-1) - b) (by hand)."""
    assert sigmoid_optimum(6, "5", "2.1", digits=20).regime == "intermediate"
    run = optimise_batch(6, 5, t=[5.0], b=[2.1], seeds=0, restarts=2)[0]
    etf_loss = float(mpmath.log1p(mpmath.exp(2.1 - 5)) + 5 * mpmath.log1p(mpmath.exp(-1 - 2.1)))
    assert run.converged and abs(run.loss - etf_loss) < 1e-9


@pytest.mark.parametrize(("nn", "mm", "lower", "upper"), [
    (4, 2, Fraction(2, 9), Fraction(8, 9)),           # the paper's Figure 2
    (12, 3, 0.037190, 0.446281), (20, 5, 0.010388, 0.207756),
])
def test_theorem_5_5_bounds_at_printed_values(nn, mm, lower, upper):
    claim = lee2025_batches.THM5_5.claim
    at = {lee2025_batches.n: nn, lee2025_batches.m: mm}
    assert float(claim.lower.subs(at)) == pytest.approx(float(lower), abs=5e-7)
    assert float(claim.upper.subs(at)) == pytest.approx(float(upper), abs=5e-7)


def test_vrns_by_hand():
    """The batch ETF of m = 3 (negative pairs at -1/2) with n = 6: (-1/2 + 1/5)^2 = 9/100; the
    README's + 1/n at the 6-point ETF (pairs at -1/5): (-1/5 + 1/6)^2 = 1/900; Thm 5.5's upper
    bound at n = 50000 is 0.0322 at m = 32 and 0.00194 at m = 512."""
    G3 = sp.Matrix(3, 3, lambda i, j: 1 if i == j else sp.Rational(-1, 2))
    assert lee2025_batches._vrns(G3, 6) == sp.Rational(9, 100)
    readme = next(m for m in lee2025_batches.DEF5_7.mutants if m.name == "readme_target_1_over_n")
    G6 = sp.Matrix(6, 6, lambda i, j: 1 if i == j else sp.Rational(-1, 5))
    assert readme.claim.vrns(G6[:3, :3], 6) == sp.Rational(1, 900)
    upper = lee2025_batches._UPPER
    for size, value in ((32, 0.0322), (512, 0.00194)):
        assert float(upper.subs({lee2025_batches.n: 50000, lee2025_batches.m: size})) == pytest.approx(value, rel=2e-3)


def test_fixed_relative_bias_moves_the_large_t_optimum():
    """The mutant 'fixed_relative_bias' is false: with b = c t (c = 1/10), N = 10, the certified
    x* at t = 2000 is near 2(N-1)(1 + c)/(3N-4) = 0.7615, not 2(N-1)/(3N-4) = 0.6923."""
    x_star = float(sigmoid_optimum(10, "2000", "200", digits=30).x)
    assert abs(x_star - 18 * 1.1 / 26) < 5e-3 and abs(x_star - 18 / 26) > 0.05


def _grid_argmins(k: int, b: str, ts) -> list[float]:
    """Brute force: argmin of l(x) = sp(b - t(2x-1)) + (k-1) sp(t(x(k-2)/(k-1) - 1) - b) on 1001 x."""
    out = []
    with mpmath.workdps(30):
        for tv in ts:
            t_, b_ = mpmath.mpf(tv), mpmath.mpf(b)
            xs = [mpmath.mpf(j) / 1000 for j in range(1001)]
            values = [mpmath.log1p(mpmath.exp(b_ - t_ * (2 * x - 1)))
                      + (k - 1) * mpmath.log1p(mpmath.exp(t_ * (x * (k - 2) / (k - 1) - 1) - b_)) for x in xs]
            out.append(float(xs[min(range(1001), key=values.__getitem__)]))
    return out


def test_shape_of_x_star_on_the_grid_by_brute_force():
    """At N = 10 the argmin rises then falls at b = 1 and only rises at b = 0 (the mutant
    'every_b_in_0_1' is false)."""
    grid = ("0.5", "1", "2", "5", "10", "100")
    at_one, at_zero = _grid_argmins(10, "1", grid), _grid_argmins(10, "0", grid)
    peak = at_one.index(max(at_one))
    assert 0 < peak < len(grid) - 1 and at_one[-1] < at_one[peak] - 0.01
    assert all(a <= c for a, c in zip(at_zero, at_zero[1:])) and at_zero[-1] > at_zero[0]


def test_siglip2_bias_in_the_paper_convention():
    """Hugging Face: logit = t s + logit_bias; the paper: t (s - b_rel).  With t = 117.8 and
    logit_bias = -12.9: b_rel = 12.9 / 117.8 = 0.10951 (two decimals: 0.11), b = 12.9."""
    b_paper, b_rel = bangachev2025_siglip2._paper_values(bangachev2025_siglip2.SIGLIP2_RELATIVE_BIAS.claim, 1)
    assert b_paper == sp.Rational(129, 10) and b_rel == sp.Rational(129, 1178)
    assert round(float(b_rel), 2) == 0.11


def test_later_entries_are_listed_with_their_corrections():
    ids = {t.id for t in theorems(papers=("lee2025", "bangachev2025"))}
    assert {"lee2025.def5_7", "bangachev2025.siglip2_relative_bias",
            "bangachev2025.siglip2_relative_bias_printed"} <= ids
