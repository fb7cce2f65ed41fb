"""Lee, Chang, Sohn (AISTATS 2024) registry entries: the facts their claims and checks rest on,
by routes independent of the checks (hand-typed formulas from THEORY.md, exhaustive
enumeration, explicit vectors, numpy), and the dimension hypotheses the checks read."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp

from clverify.proofs_check.claims import dimension_shortfall, least
from clverify.proofs_check.registry import Claim, H, Inconclusive
from clverify.proofs_check.theorems import lee2024 as L24
from clverify.proofs_check.theorems import lee2024_optimum as OPT
from clverify.proofs_check.theorems import lee2024_regimes as REG
from clverify.theory.structures import CCEM, Antipodal, SimplexETF


def _unit(rng, *shape):
    z = rng.standard_normal(shape)
    return z / np.linalg.norm(z, axis=-1, keepdims=True)


def _hand_slack(U, V):
    """THEORY.md's Lemma 1: LHS - RHS, typed by hand."""
    n = U.shape[0]
    S = U @ V.T
    return (S.sum() - np.trace(S)) / (n * (n - 1)) - ((n - 2) / (2 * n * (n - 1)) * np.trace(S) - n / (2 * (n - 1)))


def _mutant(thm, name):
    return next(m.claim for m in thm.mutants if m.name == name)


# --- lee2024.lemma1 --------------------------------------------------------------------------

def test_slack_equals_the_sum_of_squares_on_random_vectors():
    """THEORY.md's Lemma 1 slack against (|sum(u+v)|^2 + sum_{i<j}|w_i - w_j|^2)/(4N(N-1)),
    summed by hand in numpy: the identity the symbolic check proves."""
    rng = np.random.default_rng(3)
    for n, d in ((3, 2), (6, 4), (9, 12), (5, 1)):
        U, V = _unit(rng, n, d), _unit(rng, n, d)
        W = U - V
        squares = np.sum((U + V).sum(axis=0) ** 2) + sum(
            np.sum((W[i] - W[j]) ** 2) for i in range(n) for j in range(i + 1, n))
        assert _hand_slack(U, V) == pytest.approx(squares / (4 * n * (n - 1)), abs=1e-12)


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_equality_cases_in_d_1_are_counted_by_hand(n):
    """In d = 1 every u_i, v_i is +-1.  Equality needs u_i - v_i constant and sum(u + v) = 0:
    u = v with N/2 signs of each (C(N, N/2) for even N), or u = -v = +-1 (2).  The slack by
    hand over all 2^(2N) sign configurations, and the claimed predicate on each."""
    equal = 0
    for signs in itertools.product((-1.0, 1.0), repeat=2 * n):
        U, V = np.array(signs[:n])[:, None], np.array(signs[n:])[:, None]
        attained = abs(_hand_slack(U, V)) < 1e-12
        equal += attained
        assert L24._says_equality(L24.LEMMA1.claim, U, V) == attained, signs
    assert equal == (math.comb(n, n // 2) if n % 2 == 0 else 0) + 2


def test_pattern_witnesses_have_their_patterns_for_every_size():
    """The four witnesses of the equality proof, in span(e_1), by the definitions: the sum
    sum(u_i + v_i) zero or not, the differences u_i - v_i equal or not."""
    for n in range(2, 8):
        for d in (1, 2, 3):
            for (zero_sum, constant), (name, U, V) in L24._pattern_witnesses(n, d).items():
                assert np.all(np.abs(U).sum(axis=1) == 1) and np.all(np.abs(V).sum(axis=1) == 1), name
                assert (not (U + V).sum(axis=0).any()) == zero_sum, (n, d, name)
                assert (len({tuple(w) for w in U - V}) == 1) == constant, (n, d, name)


def test_d_1_equality_refutes_the_d_at_least_2_variant():
    """N = 3, d = 1, u_i = e, v_i = -e: slack 0 by hand; the proof check refutes 'and d >= 2'
    there and proves the claimed conjunction."""
    e = np.ones((3, 1))
    assert _hand_slack(e, -e) == pytest.approx(0, abs=1e-15)
    wrong = _mutant(L24.LEMMA1, "equality_needs_d_at_least_2")
    assert "N=3, d=1, u_i = e, v_i = -e" in L24._lemma1_equality_pattern(wrong, {}, {})
    assert L24._lemma1_equality_pattern(L24.LEMMA1.claim, {}, {}) is None


def test_equality_proof_refutes_a_dropped_condition_and_never_proves_vacuously():
    """'iff sum(u + v) = 0' fails at u_i = -v_i = (-1)^i e (sum 0, strict: slack 4/3 at N = 3,
    = 32/24 by the squares); a claim admitting only d >= 5 leaves no witness to compare: not proved."""
    a = np.array([[1.0], [-1.0], [1.0]])
    assert _hand_slack(a, -a) == pytest.approx(4 / 3)
    claim = L24.LEMMA1.claim
    assert "u_i = -v_i = (-1)^i e" in L24._lemma1_equality_pattern(claim.vary(equality=L24.ZERO_SUM), {}, {})
    with pytest.raises(Inconclusive, match="four patterns"):
        L24._lemma1_equality_pattern(claim.vary(d=H.d >= 5), {}, {})


def test_equality_predicate_beyond_the_squares_is_not_proved_when_no_witness_refutes_it():
    """'constant difference and zero sum, or a CCEM' is equivalent to the truth (every CCEM
    satisfies both conditions), but it is not a function of the two squares: not proved."""
    claim = L24.LEMMA1.claim.vary(equality=sp.Or(sp.And(L24.CONSTANT_DIFFERENCE, L24.ZERO_SUM), L24.IS_CCEM))
    with pytest.raises(Inconclusive, match="not decided by the two squares"):
        L24._lemma1_equality_pattern(claim, {}, {})


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
    assert L24._says_equality(L24.LEMMA1.claim, A, A) and not L24._is_ccem(A, A)


def test_blind_sampling_misses_the_wrong_slope_the_search_refutes():
    """At N = 8, d = 3 the slope 1/(2N) survives 500 seeded random configurations (the former
    check) but the worst-configuration search refutes it; the true slope survives the search."""
    wrong = _mutant(L24.LEMMA1, "slope_one_over_2N")
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


# --- the dimension hypotheses ------------------------------------------------------------------

def test_least_and_dimension_shortfall_read_the_hypotheses():
    claim = Claim({}, {"N": H.N >= 5, "d": H.d >= H.N - 2})
    assert least(claim, "N") == 5 and least(claim, "d") == H.N - 2
    assert dimension_shortfall(claim, H.N - 2) is None
    assert dimension_shortfall(claim, H.N - 1) == 5          # the least N the claim admits
    assert dimension_shortfall(Claim({}, {"N": H.N >= 3, "d": H.d >= 4}), H.N) == 5
    with pytest.raises(Inconclusive):
        least(Claim({}, {"d": H.d < H.N}), "d")


@pytest.mark.parametrize(("structure", "rank"), [
    (CCEM(5, sp.Rational(1, 2)), 5), (CCEM(5, 1), 4), (CCEM(5, 0), 1), (SimplexETF(6), 5),
    (Antipodal(4), 1)], ids=repr)
def test_gram_rank_is_the_rank_of_explicit_vectors(structure, rank):
    U, V = structure.array()
    assert np.linalg.matrix_rank(np.vstack([U, V]), tol=1e-9) == rank
    assert structure.grams().rank() == rank


def test_prop1_dimension_variant_is_refuted_by_the_rank():
    wrong = _mutant(L24.PROP1, "ccem_at_d_N_minus_1")
    assert "Gram rank 3" in L24._prop1_dimension(wrong, {}, {})
    assert L24._prop1_dimension(L24.PROP1.claim, {}, {}) is None


def test_thm1_dimension_variant_is_refuted_where_the_optimum_is_interior():
    """N = 6, t = b = 0.5 (t_A(6) < 0.5 < t_E(6)): the bound needs rank 6, so d >= N - 1 fails."""
    wrong = _mutant(OPT.THM1, "dimension_N_minus_1")
    point = {"N": 6, "t": "0.5", "b": "0.5"}
    assert "strictly above" in OPT._thm1_attained_only_in_dimension_N(wrong, point, {})
    assert OPT._thm1_attained_only_in_dimension_N(OPT.THM1.claim, point, {}) is None


def test_thm2_proof_reads_the_dimension():
    """d >= N - 2 admits no simplex ETF (rank N - 1): refuted; d >= N - 1 holds the ETF but not
    the CCEM the argument needs: not decided; d >= N: proved."""
    claim = OPT.THM2.claim
    assert "simplex ETF" in OPT._thresholds_proved(claim.vary(d=H.d >= H.N - 2), {}, {})
    with pytest.raises(Inconclusive, match="d >= N"):
        OPT._thresholds_proved(claim.vary(d=H.d >= H.N - 1), {}, {})
    assert OPT._thresholds_proved(claim, {}, {}) is None


def test_infonce_proof_reads_the_dimension():
    claim = REG.INFONCE_ETF.claim
    assert "simplex ETF" in REG._infonce_argument(claim.vary(d=H.d >= H.N - 2), {}, {})
    assert REG._infonce_argument(claim, {}, {}) is None


def test_coincidence_probe_lies_just_below_the_etf_threshold():
    """N = 6: t_E = (5/6) log 3 = 0.9155 (THEORY.md), so t = b = 0.9 is outside the ETF regime,
    the point where descent in d = N - 1 reaches the ETF."""
    assert 0.9 < 5 / 6 * math.log(3) < 0.92
    assert ("0.9", "0.9") in REG._COINCIDENCE_POINTS[6]


# --- lee2024.convexity, monotone_t_eq_b ----------------------------------------------------------

def test_ccem_loss_is_constant_at_t_0():
    """THEORY.md's l(x) at t = 0 is softplus(b) + (N-1) softplus(-b) for every x: the variant
    't >= 0' of strict convexity is refuted there."""
    def loss(x, n, t, b):
        sp_ = lambda z: math.log1p(math.exp(z))
        return sp_(b - t * (2 * x - 1)) + (n - 1) * sp_(t * (x * (n - 2) / (n - 1) - 1) - b)
    assert len({round(loss(x, 7, 0.0, 0.3), 14) for x in np.linspace(0, 1, 11)}) == 1
    wrong = _mutant(L24.CONVEXITY, "t_nonnegative")
    assert "t = 0" in L24._convex_symbolic(wrong, {}, {})


def test_monotone_path_is_read_from_the_hypothesis_on_b():
    assert REG._path(REG.MONOTONE_T_EQ_B.claim) == OPT.t
    assert REG._path(_mutant(REG.MONOTONE_T_EQ_B, "increasing_at_fixed_b")) == 1
