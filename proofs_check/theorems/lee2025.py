r"""Lee, Lim, Lee, Sohn (ICML 2025), *On the Similarities of Embeddings in Contrastive Learning*:
the mean similarities of a fixed embedding, and the sigmoid loss's excessive separation.

Conventions: ``t`` multiplies the similarity and ``b`` is subtracted from the logit in the
sigmoid loss (the paper's eq. 9 has the same signs; SigLIP's bias is ``-b``), losses are
normalised by ``1/n``.  For a fixed embedding (no augmentation randomness) the paper's
:math:`E[s(f; p_{pos})]` is :math:`m_{pos} = \frac1n\sum_i u_i\cdot v_i` and
:math:`E[s(f; p_{neg})]` is :math:`m_{neg} = \frac{1}{n(n-1)}\sum_{i\ne j} u_i\cdot v_j`.

Lemma C.6 and Theorem 5.2 are both bounds :math:`m_{neg} \ge a\sum_i s_{ii} - c` whose slack is
a positive combination of three squares (exact, derived below from the aggregates
:math:`A = |\sum u|^2`, :math:`B = |\sum v|^2`, :math:`C = (\sum u)\cdot(\sum v)`,
:math:`T = \sum_i u_i\cdot v_i`), each vanishing iff one condition holds:

* ``sum_zero``: :math:`|\sum_i (u_i + v_i)|^2 = A + B + 2C` (:math:`\sum u + \sum v = 0`);
* ``diff_constant``: :math:`\sum_i |w_i - \bar w|^2 = 2n - 2T - (A + B - 2C)/n`,
  :math:`w_i = u_i - v_i` (:math:`u_i - v_i = c` for all i);
* ``aligned``: :math:`\sum_i |u_i - v_i|^2 = 2n - 2T` (:math:`u_i = v_i` for all i).

A claim ``(a, c, terms)`` says: the slack equals :math:`\sum_k \mathrm{terms}[k]\,q_k`, so that
equality holds iff every condition in ``terms`` holds.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.theory import CCEM, SimplexETF
from clverify.theory import derivation as D

from ..claims import claim_ball
from ..registry import Check, Inconclusive, Mutant, Theorem

n = sp.Symbol("n", positive=True, integer=True)
A, B, C, T = sp.symbols("A B C T", real=True)
N, t, b = D.N, D.t, D.b
#: Float64 agreement of an identity evaluated on unit vectors (sums of O(n^2) terms of size 1).
_IDENTITY_TOLERANCE = 1e-11
#: A slack (or a squared condition) below this is zero in float64 on our constructions.
_ZERO = 1e-10

#: The three squares, as polynomials in the aggregates, by condition name.
SQUARES = {
    "sum_zero": A + B + 2 * C,
    "diff_constant": 2 * n - 2 * T - (A + B - 2 * C) / n,
    "aligned": 2 * n - 2 * T,
}


def _squares(U, V) -> dict:
    """The three squares computed directly from the vectors (not from the aggregates)."""
    W = U - V
    return {"sum_zero": float(np.sum((U.sum(0) + V.sum(0)) ** 2)),
            "diff_constant": float(np.sum((W - W.mean(0)) ** 2)),
            "aligned": float(np.sum(W ** 2))}


def _slack(claim, U, V) -> float:
    """:math:`m_{neg} - (a\\sum_i s_{ii} - c)` from the similarity matrix."""
    a, c, _ = claim
    k = len(U)
    S = U @ V.T
    trace = float(np.trace(S))
    return (float(S.sum()) - trace) / (k * (k - 1)) - (float(a.subs(n, k)) * trace - float(c.subs(n, k)))



def _configurations(k: int, seed: int) -> dict:
    """Embeddings (d = k) in every combination of the three conditions that unit vectors allow:
    CCEM(0.8) and the antipodal pair (``sum_zero`` and ``diff_constant``), the ETF (all three),
    ``V = U`` random (``diff_constant`` and ``aligned``), ``V = -U`` random (``sum_zero``) and a
    random pair (none)."""
    rng = np.random.default_rng(seed)
    U = unit_rows(rng.standard_normal((k, k)))
    anti = np.zeros((k, k))
    anti[:, 0] = 1
    return {"ccem_0.8": CCEM(k, sp.Rational(4, 5)).array(), "antipodal": (anti, -anti),
            "etf": SimplexETF(k, k).array(), "aligned_random": (U, U.copy()), "opposed_random": (U, -U),
            "random": (U, unit_rows(rng.standard_normal((k, k))))}


def _slack_is_sum_of_squares(claim, point, evidence):
    """SymPy: with :math:`\\sum_{i\\ne j} s_{ij} = C - T`, the slack minus the claimed combination of
    squares is identically 0 in (n, A, B, C, T), and every coefficient is > 0 for n >= 2."""
    a, c, terms = claim
    slack = (C - T) / (n * (n - 1)) - (a * T - c)
    rest = sp.simplify(slack - sum(coeff * SQUARES[name] for name, coeff in terms.items()))
    evidence["remainder"] = str(rest)
    if rest != 0:
        return f"the slack is not the claimed combination of squares: slack - combination = {sp.factor(rest)}"
    m = sp.Symbol("m", nonnegative=True, integer=True)
    weak = [name for name, coeff in terms.items() if sp.simplify(coeff.subs(n, m + 2)).is_positive is not True]
    return f"coefficients not shown > 0 for n >= 2: {weak}" if weak else None


def _slack_identity_on_configurations(claim, point, evidence):
    """Float64 on the constructions and on random pairs: the slack computed from the similarity
    matrix equals the claimed combination of the squares computed from the vectors."""
    k, seed = point["n"], point["seed"]
    rng = np.random.default_rng(seed + 1)
    cases = dict(_configurations(k, seed))
    for j in range(20):
        d = int(rng.integers(1, k + 3))
        cases[f"random_d{d}_{j}"] = (unit_rows(rng.standard_normal((k, d))), unit_rows(rng.standard_normal((k, d))))
    worst = 0.0
    for name, (U, V) in cases.items():
        squares = _squares(U, V)
        combination = sum(float(coeff.subs(n, k)) * squares[cond] for cond, coeff in claim[2].items())
        err = abs(_slack(claim, U, V) - combination)
        worst = max(worst, err)
        if err > _IDENTITY_TOLERANCE:
            return (f"n={k}, {name}: slack {_slack(claim, U, V):.12g} but the claimed combination "
                    f"of squares is {combination:.12g}")
    evidence["max_error"] = worst
    return None


def _equality_iff_conditions(claim, point, evidence):
    """On each construction: the slack is 0 (float64, below 1e-10) exactly when every claimed
    condition holds (its square below 1e-10); the slack is never negative."""
    k = point["n"]
    slacks = {}
    for name, (U, V) in _configurations(k, point["seed"]).items():
        slack, squares = _slack(claim, U, V), _squares(U, V)
        slacks[name] = slack
        if slack < -_ZERO:
            return f"n={k}, {name}: the bound is violated (slack {slack:.6g})"
        conditions = all(squares[cond] < _ZERO for cond in claim[2])
        if conditions != (slack < _ZERO):
            said = "hold" if conditions else "fail"
            return (f"n={k}, {name}: the claimed equality conditions {sorted(claim[2])} {said}, "
                    f"but the slack is {slack:.6g}")
    evidence["slacks"] = slacks
    return None


_DECOMPOSITION_CHECKS = (
    Check("slack_is_claimed_sum_of_squares", "proof", _slack_is_sum_of_squares,
          scope="every n >= 2, every d, all unit vectors", whole_domain=True),
    Check("slack_identity_on_configurations", "empirical", _slack_identity_on_configurations,
          points=({"n": 4, "seed": 0}, {"n": 9, "seed": 1}), thorough_points=({"n": 30, "seed": 2},)),
    Check("equality_iff_conditions_on_constructions", "empirical", _equality_iff_conditions,
          points=({"n": 5, "seed": 0}, {"n": 10, "seed": 1}), thorough_points=({"n": 40, "seed": 2},)),
)

_LEMMA_C6 = ((n - 2) / (2 * n * (n - 1)), n / (2 * (n - 1)))

LEMMA_C6 = Theorem(
    id="lee2025.lemC6",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Lemma C.6 (restating Lee et al. 2024, Lemma 1): "
           "'where the equality conditions are { u_i - v_i = c for all i in [n], for some constant "
           "vector c, sum u_i + sum v_i = 0 }'",
    statement=r"\frac{1}{n(n-1)}\sum_{i\ne j} u_i\cdot v_j \ge \frac{n-2}{2n(n-1)}\sum_i u_i\cdot v_i"
              r" - \frac{n}{2(n-1)},\ \text{equality} \iff u_i - v_i = c\ \forall i \text{ and } "
              r"\textstyle\sum_i u_i + \sum_i v_i = 0",
    hypotheses={"n": "integer >= 2", "d": "any", "u_i, v_i": "unit vectors"},
    claim=(*_LEMMA_C6, {"sum_zero": 1 / (4 * n * (n - 1)), "diff_constant": 1 / (4 * (n - 1))}),
    checks=_DECOMPOSITION_CHECKS,
    mutants=(
        Mutant("equality_iff_sum_zero", "V = -U has sum u + sum v = 0 yet u_i - v_i = 2u_i varies: slack > 0",
               (*_LEMMA_C6, {"sum_zero": 1 / (2 * n * (n - 1))})),
        Mutant("equality_iff_diff_constant", "V = U random has constant difference 0 but sum u != 0: slack > 0",
               (*_LEMMA_C6, {"diff_constant": 1 / (2 * (n - 1))})),
        Mutant("equality_needs_alignment", "CCEM(delta < 1) attains equality with u_i != v_i",
               (*_LEMMA_C6, {"sum_zero": 1 / (4 * n * (n - 1)), "diff_constant": 1 / (4 * (n - 1)),
                             "aligned": 1 / (4 * (n - 1))})),
    ),
)

# --- Theorem 5.2: m_pos <= 1 + m_neg + 1/(n-1), i.e. m_neg >= (1/n) sum s_ii - n/(n-1) --------

_THM5_2 = (1 / n, n / (n - 1))
#: The gap implied by the paper's Lemma C.3 (n/(n-1)) Q, Q = tr Var(u - v)/2 + |ubar + vbar|^2/2:
#: it vanishes iff tr Var(u - v) = 0 and E[u + v] = 0, the printed equality condition.
_PRINTED_TERMS = {"diff_constant": 1 / (2 * (n - 1)), "sum_zero": 1 / (2 * n * (n - 1))}
#: The exact gap (n/(2(n-1))) (Q + 1 - m_pos).
_CORRECTED_TERMS = {"diff_constant": 1 / (4 * (n - 1)), "sum_zero": 1 / (4 * n * (n - 1)),
                    "aligned": 1 / (4 * (n - 1))}
_THM5_2_SOURCE = ("Lee, Lim, Lee, Sohn (ICML 2025), Theorem 5.2, eq. (7): 'E[s(f;p_pos)] <= 1 + "
                  "(E[s(f;p_neg)] + 1/(n-1)) ... where the equality in (7) holds if and only if "
                  "tr(Var[u - v]) = 0 and E[u + v] = 0'")

THM5_2_GAP = Theorem(
    id="lee2025.thm5_2_gap",
    source=_THM5_2_SOURCE + "; corrected here: the proof's Lemma C.3 drops a factor 2 on the "
           "independent-pair term, and equality also needs m_pos = 1",
    statement=r"1 + m_{neg} + \tfrac{1}{n-1} - m_{pos} = \tfrac{n}{2(n-1)}\big(Q + 1 - m_{pos}\big),\ "
              r"Q = \tfrac12\operatorname{tr}\mathrm{Var}(u - v) + \tfrac12|\bar u + \bar v|^2;\ "
              r"\text{equality in (7)} \iff u_i = v_i\ \forall i,\ \textstyle\sum_i u_i = 0",
    hypotheses={"n": "integer >= 2", "d": "any", "u_i, v_i": "unit vectors (a fixed embedding)"},
    claim=(*_THM5_2, _CORRECTED_TERMS),
    checks=_DECOMPOSITION_CHECKS,
    mutants=(
        Mutant("printed_equality_condition", "CCEM(delta < 1) has tr Var = 0 and ubar + vbar = 0, yet "
               "the gap is (n/(n-1))(1 - delta^2) > 0", (*_THM5_2, _PRINTED_TERMS)),
        Mutant("gap_without_half", "(n/(n-1))(Q + 1 - m_pos) is twice the gap",
               (*_THM5_2, {k: 2 * v for k, v in _CORRECTED_TERMS.items()})),
    ),
)

THM5_2_PRINTED = Theorem(
    id="lee2025.thm5_2",
    source=_THM5_2_SOURCE + " (the 'if' direction is false; the inequality holds)",
    statement=r"m_{pos} \le 1 + m_{neg} + \tfrac{1}{n-1},\ \text{equality} \iff "
              r"\operatorname{tr}\mathrm{Var}(u - v) = 0 \text{ and } \bar u + \bar v = 0\ "
              r"\text{(as the gap } \tfrac{n}{n-1}Q \text{ of Lemma C.3)}",
    hypotheses=THM5_2_GAP.hypotheses,
    claim=(*_THM5_2, _PRINTED_TERMS),
    checks=_DECOMPOSITION_CHECKS,
    kind="refutation",
    corrected_by="lee2025.thm5_2_gap",
)


# --- Theorems 5.1, 5.3 and Example 5.4 / C.11: the sigmoid loss's ETF vs excessive separation --
# claim: (ratio(N, t, b), threshold(N)): excessive separation iff ratio < threshold, else the ETF.

_A = sp.exp(t / (N - 1) + b)  # e^{t/(n-1) + b}, the paper's negative-pair factor at the ETF
_RATIO = (1 + _A) / (1 + sp.exp(t - b))
_EX_POINTS = ((10, "5", "0"), (10, "5", "5"), (10, "1", "0"), (10, "1", "1.6"), (10, "1", "1.5"),
              (100, "10", "6.9"), (100, "10", "7"), (5, "0.5", "0.3"), (57, "3", "2.5"))


def _excessive(claim, k, tv, bv) -> bool | None:
    """Whether the claim predicts excessive separation (certified ball sign; None: undecided)."""
    ball = claim_ball(claim[1] - claim[0], N=k, t=tv, b=bv)
    return None if ball.contains(0) else bool(ball > 0)


def _condition_is_l_prime_at_one(claim, point, evidence):
    """SymPy: l'(1) (derived from the CCEM) equals 2t/(1 + e^{t/(N-1)+b}) (threshold - ratio), so
    the claim's sign is that of l'(1); l'(1) is also -2 times Thm 5.1(iii)'s
    phi'(1) - (N-2)/(2(N-1)) psi'(-1/(N-1)) for Table 3's phi, psi."""
    ratio, threshold = claim
    lp1 = D.etf_condition()
    rest = sp.simplify(lp1 * (1 + _A) / (2 * t) - (threshold - ratio))
    if rest != 0:
        return f"l'(1) (1 + e^(t/(N-1)+b)) / (2t) - (threshold - ratio) = {rest}, not 0"
    z = sp.Symbol("z", real=True)
    phi = -sp.log(1 + sp.exp(-t * z + b))
    psi = (N - 1) * sp.log(1 + sp.exp(t * z - b))
    cond = sp.diff(phi, z).subs(z, 1) - (N - 2) / (2 * (N - 1)) * sp.diff(psi, z).subs(z, -1 / (N - 1))
    gap = sp.simplify(lp1 + 2 * cond)
    evidence["thm5_1_vs_l_prime"] = str(gap)
    return None if gap == 0 else f"l'(1) + 2 (Thm 5.1 condition) = {gap}, not 0"


def _reduces_to_theorem2_on_diagonal(claim, point, evidence):
    """SymPy: on t = b the claimed boundary ratio = threshold is crossed at t_E(N) =
    ((N-1)/N) log(N-3), Lee et al. (2024)'s Theorem 2 (derived in clverify.theory.derivation)."""
    ratio, threshold = claim
    at = sp.simplify((ratio - threshold).subs(b, t).subs(t, D.etf_threshold_tb()))
    return None if at == 0 else f"at t = b = t_E(N) the claim gives ratio - threshold = {at}, not 0"


def _matches_certified_regime(claim, point, evidence):
    """At the points: excessive separation (predicted) iff the certified CCEM optimum is not the ETF."""
    undecided = 0
    for k, tv, bv in _EX_POINTS:
        predicted = _excessive(claim, k, tv, bv)
        regime = sigmoid_optimum(k, tv, bv, digits=30).regime
        if predicted is None:
            undecided += 1
        elif predicted != (regime != "etf"):
            return (f"N={k}, t={tv}, b={bv}: the claim predicts {'excessive separation' if predicted else 'the ETF'}, "
                    f"the certified optimum is {regime}")
    evidence["undecided"] = undecided
    return None


@lru_cache(maxsize=None)
def _grid_argmin(k: int, tv: str, bv: str) -> tuple[int, bool]:
    """mpmath (30 digits): the index of the least l(j/2000), j = 0..2000, and whether l decreases
    on the last step, with l(x) = sp(b - t(2x-1)) + (N-1) sp(t(x(N-2)/(N-1) - 1) - b) written out."""
    with mpmath.workdps(30):
        t_, b_ = mpmath.mpf(tv), mpmath.mpf(bv)
        values = [mpmath.log1p(mpmath.exp(b_ - t_ * (2 * x - 1)))
                  + (k - 1) * mpmath.log1p(mpmath.exp(t_ * (x * (k - 2) / (k - 1) - 1) - b_))
                  for x in (mpmath.mpf(j) / 2000 for j in range(2001))]
    return min(range(2001), key=values.__getitem__), bool(values[1999] > values[2000])


def _matches_grid_minimum(claim, point, evidence):
    """mpmath: l(x), written out here, on a grid of 2001 x in [0, 1]: an argmin at index <= 1997
    shows x* < 1 (not the ETF); the least value at x = 1 after a decrease shows the ETF."""
    for k, tv, bv in _EX_POINTS:
        j, falling = _grid_argmin(k, tv, bv)
        predicted = _excessive(claim, k, tv, bv)
        if predicted is False and j <= 1997:
            return f"N={k}, t={tv}, b={bv}: the claim predicts the ETF, l is least at x = {j / 2000:.4f}"
        if predicted is True and j == 2000 and falling:
            return f"N={k}, t={tv}, b={bv}: the claim predicts x* < 1, l decreases up to x = 1 on the grid"
    return None


@lru_cache(maxsize=None)
def _free_optimum(k: int, d: int, tv: str, bv: str, seed: int):
    """The best of 2 restarts of torch L-BFGS on free embeddings (independent of the claim)."""
    return optimise_batch(k, d, t=[float(tv)], b=[float(bv)], seeds=seed, restarts=2)[0]


def _gradient_descent_structure(claim, point, evidence):
    """Free embeddings (torch L-BFGS, d = N, and d = N - 1 in the ETF case): s_pos = 1 and
    s_neg = -1/(N-1) where the claim predicts the ETF (Thm 5.1); s_pos < 1 and
    s_neg < -1/(N-1) where it predicts excessive separation (Thm 5.3)."""
    k, tv, bv, seed = point["N"], point["t"], point["b"], point["seed"]
    predicted = _excessive(claim, k, tv, bv)
    if predicted is None:
        raise Inconclusive(f"N={k}, t={tv}, b={bv}: the claimed condition is undecided")
    dims = (k,) if predicted else (k, k - 1)
    for d in dims:
        run = _free_optimum(k, d, tv, bv, seed)
        if not run.converged:
            raise Inconclusive(f"optimiser did not converge at N={k}, d={d}, t={tv}, b={bv}")
        etf = abs(run.s_pos_mean - 1) < 1e-6 and abs(run.s_neg_mean + 1 / (k - 1)) < 1e-6
        separated = run.s_pos_mean < 1 - 1e-4 and run.s_neg_mean < -1 / (k - 1) - 1e-4
        evidence[f"d={d}"] = {"s_pos": run.s_pos_mean, "s_neg": run.s_neg_mean}
        if (separated if predicted else etf) is False:
            return (f"N={k}, d={d}, t={tv}, b={bv}: the claim predicts {'excessive separation' if predicted else 'the ETF'}, "
                    f"gradient descent finds s_pos = {run.s_pos_mean:.8f}, s_neg = {run.s_neg_mean:.8f}")
    return None


THM5_1_5_3 = Theorem(
    id="lee2025.thm5_1_5_3_ex5_4",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Theorems 5.1 (iii), 5.3 and Example 5.4 / C.11, eq. (10): "
           "'(1 + exp(t/(n-1) + b)) / (1 + exp(t - b)) < (n-2)/2' gives excessive separation; the same "
           "condition as the ETF boundary b_E of ext.sigmoid_phase_tb (formerly lee2024.regimes_general; l'(1) > 0), checked here directly",
    statement=r"d \ge n:\ \frac{1 + e^{t/(n-1) + b}}{1 + e^{t-b}} < \frac{n-2}{2} \Rightarrow s_{pos} < 1,\ "
              r"s_{neg} < -\tfrac{1}{n-1};\ \text{otherwise } (d \ge n-1) \text{ the ETF is optimal}",
    hypotheses={"n": "integer >= 3", "t": "> 0", "b": "real", "d": ">= n (Thm 5.3), >= n - 1 (Thm 5.1)"},
    claim=(_RATIO, (N - 2) / 2),
    checks=(
        Check("condition_is_l_prime_at_one", "proof", _condition_is_l_prime_at_one,
              scope="every n >= 3, t > 0, b real: the condition is the sign of l'(1) on the CCEM"),
        Check("reduces_to_theorem2_on_diagonal", "proof", _reduces_to_theorem2_on_diagonal,
              scope="every n >= 4, t = b"),
        Check("matches_certified_regime", "certified", _matches_certified_regime,
              scope=f"{len(_EX_POINTS)} (n, t, b) points"),
        Check("matches_grid_minimum", "numerical", _matches_grid_minimum, scope=f"{len(_EX_POINTS)} (n, t, b) points"),
        Check("gradient_descent_structure", "empirical", _gradient_descent_structure,
              points=({"N": 6, "t": "2", "b": "0", "seed": 0}, {"N": 6, "t": "2", "b": "2", "seed": 0}),
              thorough_points=({"N": 10, "t": "5", "b": "0", "seed": 1}, {"N": 10, "t": "5", "b": "5", "seed": 1})),
    ),
    mutants=(
        Mutant("siglip_sign_of_bias", "b added instead of subtracted (SigLIP's sign) moves the boundary",
               (_RATIO.subs(b, -b), (N - 2) / 2)),
        Mutant("threshold_n_minus_1_over_2", "(n-1)/2 for (n-2)/2 shifts the boundary",
               (_RATIO, (N - 1) / 2)),
        Mutant("t_over_n", "t/n for t/(n-1) in the negative-pair factor",
               ((1 + sp.exp(t / N + b)) / (1 + sp.exp(t - b)), (N - 2) / 2)),
    ),
)

THEOREMS = [LEMMA_C6, THM5_2_PRINTED, THM5_2_GAP, THM5_1_5_3]
