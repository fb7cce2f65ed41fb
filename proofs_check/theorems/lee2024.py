r"""Lee, Chang, Sohn (AISTATS 2024): the sigmoid loss and the CCEM.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the
logit, the loss is normalised by ``1/N`` (``docs/theory.md``).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.boxes import MAX_BOXES, box_region, positive_cover
from clverify.numerics.precision.evaluators import evaluator
from clverify.numerics.precision.sigmoid_optimum import sigmoid_optimum
from clverify.numerics.precision.thresholds import antipodal_threshold_tb, etf_threshold_tb
from clverify.theory import CCEM
from clverify.theory import derivation as D

from ..claims import compare_claim
from ..registry import Check, Inconclusive, Mutant, Theorem

N, delta = D.N, D.delta
_LEMMA1_TOLERANCE = 1e-12
#: Working precision (decimal digits) of the certified checks.
_DIGITS = 40
#: Relative distance from a threshold at which gradient descent probes each regime.
_MARGIN = 0.02
#: Agreement of a float64 similarity with a structure's exact value.
_GRAM_TOLERANCE = 1e-6
#: Agreement of a converged float64 loss with a high-precision value.
_LOSS_TOLERANCE = 1e-8


# --- Lemma 1 ---------------------------------------------------------------------------------
# claim: (a, c) such that mean_{i!=j} u_i.v_j >= a sum_i u_i.v_i - c, as expressions in N.

def _lemma1_implied_by_proof(claim, point, evidence):
    r"""The proof's chain :math:`\sum_{i\ne j} u_i\cdot v_j = (\sum u)\cdot(\sum v) - \sum_i s_{ii}
    \ge -\frac N4 \sum_i |u_i - v_i|^2 - \sum_i s_{ii}` gives a bound that must imply the claim."""
    a, c = claim
    trace = sp.Symbol("T", real=True)  # sum_i u_i.v_i, any value in [-N, N]
    chain = (-(N / 4) * (2 * N - 2 * trace) - trace) / (N * (N - 1))
    slack = sp.simplify(sp.expand(chain - (a * trace - c)))
    evidence["bound_minus_claim"] = str(slack)
    # the claim is implied iff the slack is >= 0 for every trace in [-N, N] and every N >= 3
    lo, hi = sp.expand(slack.subs(trace, -N)), sp.expand(slack.subs(trace, N))
    n = sp.Symbol("n", nonnegative=True, integer=True)
    bad = [e for e in (lo, hi) if sp.expand(e.subs(N, n + 3) * (n + 2) * (n + 3)).is_nonnegative is not True]
    if bad:
        return f"the proof's bound does not imply the claim: bound - claim = {slack} (not >= 0 at an end of T in [-N, N])"
    return None


def _lemma1_equality_on_ccem(claim, point, evidence):
    """Equality on CCEM(delta) for symbolic N and delta (Proposition 1's other half)."""
    G = CCEM(N, delta).grams().uv
    mean_off = G.sum_off_diagonal(lambda s: s) / (N * (N - 1))
    a, c = claim
    gap = sp.simplify(mean_off - (a * G.sum_diagonal(lambda s: s) - c))
    evidence["ccem_gap"] = str(gap)
    return None if gap == 0 else f"CCEM(delta) is not an equality case: LHS - RHS = {gap}"


def _lemma1_random_unit_vectors(claim, point, evidence):
    """``LHS >= RHS`` on seeded random unit vectors, ``d < N`` included, and on CCEM vectors."""
    n, d, seed = point["N"], point["d"], point["seed"]
    rng = np.random.default_rng(seed)
    a, c = (float(e.subs(N, n)) for e in claim)
    U = rng.standard_normal((500, n, d))
    V = rng.standard_normal((500, n, d))
    U /= np.linalg.norm(U, axis=-1, keepdims=True)
    V /= np.linalg.norm(V, axis=-1, keepdims=True)
    S = U @ V.transpose(0, 2, 1)
    trace = np.trace(S, axis1=1, axis2=2)
    gaps = (S.sum(axis=(1, 2)) - trace) / (n * (n - 1)) - (a * trace - c)
    worst = float(gaps.min())
    evidence["min_gap_random"] = worst
    if worst < -_LEMMA1_TOLERANCE:
        return f"violated by a random configuration (N={n}, d={d}, seed={seed}): LHS - RHS = {worst:.3e}"
    if d >= n:  # CCEM vectors: the equality cases, where a too-strong bound is violated
        for frac in (0, sp.Rational(1, 3), 1):
            Uc, Vc = CCEM(n, frac, d).array()
            S = Uc @ Vc.T
            gap = (S.sum() - np.trace(S)) / (n * (n - 1)) - (a * np.trace(S) - c)
            evidence[f"ccem_gap[delta={frac}]"] = float(gap)
            if abs(gap) > _LEMMA1_TOLERANCE:
                kind = "violated" if gap < 0 else "not attained"
                return f"{kind} on CCEM({frac}) vectors (N={n}, d={d}): LHS - RHS = {gap:.3e}"
    return None


LEMMA1 = Theorem(
    id="lee2024.lemma1",
    source="Lee, Chang, Sohn (AISTATS 2024), Lemma 1",
    statement=r"\frac{1}{N(N-1)}\sum_{i\ne j} u_i\cdot v_j \ge \frac{N-2}{2N(N-1)}\sum_i u_i\cdot v_i"
              r" - \frac{N}{2(N-1)}, \text{ equality on the CCEM}",
    hypotheses={"N": "integer >= 3", "d": "any integer >= 1", "u_i, v_i": "unit vectors"},
    claim=((N - 2) / (2 * N * (N - 1)), N / (2 * (N - 1))),
    checks=(
        Check("implied_by_proof_chain", "proof", _lemma1_implied_by_proof),
        Check("equality_on_ccem", "proof", _lemma1_equality_on_ccem),
        Check("holds_on_random_unit_vectors", "empirical", _lemma1_random_unit_vectors,
              points=tuple({"N": n, "d": d, "seed": 0} for n, d in ((3, 2), (5, 5), (8, 3), (8, 11))),
              thorough_points=tuple({"N": n, "d": d, "seed": s} for n in (4, 12, 30)
                                    for d in (2, n - 1, n, n + 5) for s in (1, 2))),
    ),
    mutants=(
        Mutant("slope_one_over_2N", "a larger slope: fails at the ETF, where the true bound is tight",
               (1 / (2 * N), N / (2 * (N - 1)))),
        Mutant("offset_without_N", "a smaller offset c = 1/(2(N-1)) raises the bound above the CCEM",
               ((N - 2) / (2 * N * (N - 1)), 1 / (2 * (N - 1)))),
    ),
)


# --- Proposition 1 ---------------------------------------------------------------------------
# claim: the smallest dimension in which CCEM(delta) exists, as an expression in N.

def _ccem_rank_within_claim(claim, point, evidence):
    """The 2N x 2N Gram of (U; V) on CCEM(1/2) is exact and rational; its rank is the least
    dimension that holds the structure, and must not exceed the claimed one."""
    n = point["N"]
    G = CCEM(n, sp.Rational(1, 2)).grams()
    blocks = [[G.uu, G.uv], [G.uv.T, G.vv]]
    gram = sp.Matrix(2 * n, 2 * n, lambda r, c: (
        blocks[r // n][c // n].diagonal if r % n == c % n else blocks[r // n][c // n].off_diagonal))
    rank, claimed = gram.rank(), int(claim.subs(N, n))
    evidence["gram_rank"] = rank
    return None if rank <= claimed else (
        f"CCEM(1/2) at N={n} needs dimension {rank} > claimed {claimed}")


def _ccem_vectors_double_constant(claim, point, evidence):
    """Exact vectors for symbolic delta: unit rows, double-constant cross Gram, Lemma 1 equality."""
    n = point["N"]
    U, V = CCEM(n, delta, max(n, int(claim.subs(N, n)))).vectors()
    norms = [sp.simplify(U[i, :].dot(U[i, :]) - 1) for i in range(n)] + [
        sp.simplify(V[i, :].dot(V[i, :]) - 1) for i in range(n)]
    if any(norms):
        return f"rows not unit at N={n}: |u|^2 - 1 = {norms}"
    S = (U * V.T).applyfunc(sp.simplify)
    off = {S[i, j] for i in range(n) for j in range(n) if i != j}
    diag = {S[i, i] for i in range(n)}
    if len(off) != 1 or len(diag) != 1:
        return f"not double-constant at N={n}: diagonal {diag}, off-diagonal {off}"
    a, c = LEMMA1.claim
    gap = sp.simplify(sum(off) - (a * n * sum(diag) - c).subs(N, n))
    evidence["lemma1_gap"] = str(gap)
    return None if gap == 0 else f"Lemma 1 not attained at N={n}: LHS - RHS = {gap}"


PROP1 = Theorem(
    id="lee2024.prop1",
    source="Lee, Chang, Sohn (AISTATS 2024), Proposition 1",
    statement=r"d \ge N \Rightarrow \mathrm{CCEM}(\delta) \text{ exists for every } \delta\in[0,1],"
              r" \text{ is double-constant and attains equality in Lemma 1}",
    hypotheses={"N": "integer >= 3", "delta": "[0, 1]"},
    claim=N,
    checks=(
        Check("gram_rank_le_dimension", "proof", _ccem_rank_within_claim,
              points=tuple({"N": n} for n in (3, 5, 8)), thorough_points=({"N": 12},)),
        Check("vectors_double_constant_lemma1_equality", "proof", _ccem_vectors_double_constant,
              points=tuple({"N": n} for n in (3, 5)), thorough_points=({"N": 8},)),
    ),
    mutants=(
        Mutant("ccem_at_d_N_minus_1", "the CCEM's Gram has rank N for 0 < delta < 1: it needs d >= N",
               N - 1),
    ),
)


# --- Convexity of l(x) -----------------------------------------------------------------------
# claim: the variable ("x" = delta^2, or "delta") in which the CCEM loss is strictly convex.

_SECOND_DERIVATIVE = {"x": D.ccem_loss_dx2, "delta": D.ccem_loss_ddelta2}
_CONVEXITY_GRID = {"N": (3, 5, 10, 50), "t": (sp.Rational(1, 10), 1, 10, 100), "b": (-3, 0, 3)}


def _convex_symbolic(claim, point, evidence):
    """The second derivative is a sum of non-negative terms (one positive) over a positive
    denominator, for every N >= 3, t > 0 and real b (clverify.theory.derivation)."""
    if claim == "x":
        ok, reason = D.check_ccem_loss_strictly_convex()
        return None if ok else reason
    return f"no symbolic positivity certificate for the second derivative in {claim}"


def _convex_on_grid(claim, point, evidence):
    """The second derivative in the claimed variable is > 0 on a grid (exact rationals, 30 digits)."""
    var = D.x if claim == "x" else D.delta
    second = _SECOND_DERIVATIVE[claim]()
    worst = None
    for n in _CONVEXITY_GRID["N"]:
        for tv in _CONVEXITY_GRID["t"]:
            for bv in _CONVEXITY_GRID["b"]:
                for k in range(11):
                    at = {D.N: n, D.t: tv, D.b: bv, var: sp.Rational(k, 10)}
                    value = second.subs(at).evalf(30)
                    if worst is None or value < worst[0]:
                        worst = (value, at)
    evidence["min_second_derivative"] = str(sp.N(worst[0], 6))
    if worst[0] <= 0:
        where = ", ".join(f"{k}={v}" for k, v in worst[1].items())
        return f"second derivative in {claim} is {sp.N(worst[0], 6)} <= 0 at {where}"
    return None


def _convex_on_boxes(claim, point, evidence):
    """Arb balls of the second derivative over boxes covering x in [0, 1], t in [t_lo, t_hi],
    b in [b_lo, b_hi] at fixed N (:func:`clverify.numerics.precision.boxes.positive_cover`):
    every box positive (a proof on the whole region), or a box or the centre of an undecided
    box certified negative (a counterexample); undecided boxes are split along their widest
    side."""
    n = point["N"]
    region = box_region(x=(0, 1), t=point["t"], b=point["b"])
    cover = positive_cover(_SECOND_DERIVATIVE[claim]().subs(D.delta, D.x), n, region)
    if cover.exhausted:
        raise Inconclusive(f"N={n}: more than {MAX_BOXES} boxes needed")
    if cover.negative_at is not None:
        where = ", ".join(f"{k}={v}" for k, v in zip((claim, "t", "b"), cover.negative_at.values()))
        return f"N={n}: the second derivative in {claim} is < 0 at {where} (certified)"
    evidence["boxes"] = cover.leaves
    return None


CONVEXITY = Theorem(
    id="lee2024.convexity",
    source="Lee, Chang, Sohn (AISTATS 2024), proof of Theorem 2 (reconstructed)",
    statement=r"\ell(x) = L_{sig}(\mathrm{CCEM}(\sqrt x)) \text{ is strictly convex on } [0,1]",
    hypotheses={"N": "integer >= 3", "t": "> 0", "b": "real"},
    claim="x",
    checks=(
        Check("second_derivative_sum_of_positive_terms", "proof", _convex_symbolic),
        Check("second_derivative_positive_on_grid", "proof", _convex_on_grid),
        Check("second_derivative_positive_on_boxes", "certified", _convex_on_boxes,
              points=tuple({"N": n, "t": "1/10:2", "b": "-1:1"} for n in (3, 10, 100)),
              thorough_points=tuple({"N": n, "t": "1/10:10", "b": "-3:3"} for n in (3, 10, 1000))),
    ),
    mutants=(
        Mutant("convex_in_delta", "at delta = 0, d2L/ddelta2 = 2 l'(0) < 0 outside the antipodal regime",
               "delta"),
    ),
)


# --- Theorem 1 (the CCEM contains the optimum) ------------------------------------------------
# claim: (x_lo, x_hi): the sub-family CCEM(sqrt(x)), x in [x_lo, x_hi], said to hold the optimum.

_THM1_POINTS = tuple({"N": n, "t": t, "b": b, "seed": 0}
                     for n, t, b in ((3, "2", "0.5"), (5, "0.5", "0.5"), (8, "1.5", "1.5"),
                                     (8, "6", "-2"), (10, "0.3", "-1")))


def _family_minimum(claim, n, t, b):
    """min of l over x in the claimed interval (l is convex: clamp the certified x*)."""
    opt = sigmoid_optimum(n, t, b, digits=_DIGITS)
    lo, hi = (mpmath.mpf(v) for v in claim)
    x = min(max(opt.x, lo), hi)
    with mpmath.workdps(_DIGITS):
        return evaluator("loss_x", "mpmath")(x, mpmath.mpf(n), mpmath.mpf(t), mpmath.mpf(b))


def _ccem_attains_jensen_lemma1_bound(claim, point, evidence):
    r"""Jensen (softplus convex) and Lemma 1 (softplus increasing) bound :math:`L_{sig}` below by
    :math:`h(p) = \mathrm{sp}(b - tp) + (N-1)\mathrm{sp}(t g(p) - b)`, :math:`p` the mean positive
    similarity, :math:`g(p) = ((N-2)p - N)/(2(N-1))`; the claimed family must attain it for every
    :math:`p \in [-1, 1]`."""
    G = CCEM(N, delta).grams().uv
    g = ((N - 2) * G.diagonal - N) / (2 * (N - 1))
    if sp.simplify(G.off_diagonal - g) != 0:
        return f"CCEM's s_neg is not g(s_pos): {sp.simplify(G.off_diagonal - g)}"
    lo, hi = (sp.nsimplify(v) for v in claim)
    covered = (sp.simplify(G.diagonal.subs(delta, sp.sqrt(lo))), sp.simplify(G.diagonal.subs(delta, sp.sqrt(hi))))
    evidence["s_pos_range"] = [str(c) for c in covered]
    if covered != (-1, 1):
        return f"the claimed family covers s_pos in [{covered[0]}, {covered[1]}], not [-1, 1]"
    return None


def _gd_reaches_family_minimum(claim, point, evidence):
    """Free embeddings (d = N) reach min over the claimed family, and never go below it."""
    n, t, b = point["N"], point["t"], point["b"]
    run = optimise_batch(n, n, t=[float(t)], b=[float(b)], seeds=point["seed"], restarts=3)[0]
    claimed = float(_family_minimum(claim, n, t, b))
    evidence["loss_gap"] = run.loss - claimed
    if not run.converged:
        raise Inconclusive(f"optimiser did not converge at N={n}, t={t}, b={b}")
    if abs(run.loss - claimed) > _LOSS_TOLERANCE:
        return (f"N={n}, t={t}, b={b}, seed={point['seed']}: gradient descent reaches {run.loss:.12g}, "
                f"the claimed family's minimum is {claimed:.12g}")
    return None


THM1 = Theorem(
    id="lee2024.thm1",
    source="Lee, Chang, Sohn (AISTATS 2024), Theorem 1 (name descriptive)",
    statement=r"N \ge 3,\ d \ge N:\ \min_{U,V} L_{sig}(U, V; t, b) = \min_{\delta\in[0,1]} "
              r"L_{sig}(\mathrm{CCEM}(\delta); t, b)",
    hypotheses={"N": "integer >= 3", "d": ">= N", "t": "> 0", "b": "real"},
    claim=(0, 1),
    checks=(
        Check("ccem_attains_jensen_lemma1_bound", "proof", _ccem_attains_jensen_lemma1_bound),
        Check("gradient_descent_reaches_ccem_minimum", "empirical", _gd_reaches_family_minimum,
              points=_THM1_POINTS,
              thorough_points=tuple({**p, "seed": 1} for p in _THM1_POINTS)),
    ),
    mutants=(
        Mutant("optimum_always_etf", "below t_E the ETF is not optimal", (1, 1)),
        Mutant("optimum_always_antipodal", "above t_A the antipodal structure is not optimal", (0, 0)),
    ),
)


# --- Theorem 2 (t = b) -----------------------------------------------------------------------
# claim: (t_E(N), t_A(N)) as expressions in N.

def _thresholds_derived(claim, point, evidence):
    """SymPy's roots of l'(1) = 0 and l'(0) = 0 at b = t equal the claimed thresholds."""
    derived = (D.etf_threshold_tb(), D.antipodal_threshold_tb())
    diffs = [sp.simplify(sp.expand_log(d - c, force=True)) for d, c in zip(derived, claim)]
    evidence["derived"] = [str(d) for d in derived]
    bad = [(name, d, c) for name, d, c, z in zip(("t_E", "t_A"), derived, claim, diffs) if z != 0]
    if bad:
        return "; ".join(f"{name}: derived {d} != claimed {c}" for name, d, c in bad)
    return None


def _ns(point) -> list[int]:
    """The batch sizes of a point: ``N`` as an int, or ``"lo:hi"`` (inclusive range)."""
    n = point["N"]
    if isinstance(n, str):
        lo, hi = (int(v) for v in n.split(":"))
        return list(range(lo, hi + 1))
    return [n]


def _thresholds_certified(claim, point, evidence):
    """For each N: the claimed closed forms lie in the certified enclosures of the roots of the
    general conditions l'(1) = 0 and l'(0) = 0 at b = t (clverify.numerics.precision.thresholds)."""
    widths = []
    for n in _ns(point):
        for name, expr, boundary in (("t_E", claim[0], etf_threshold_tb(n, digits=_DIGITS)),
                                     ("t_A", claim[1], antipodal_threshold_tb(n, digits=_DIGITS))):
            if boundary.value is None:
                continue  # empty regime (N <= 4): covered by etf_for_every_t_of_small_N
            message = compare_claim(name, expr, boundary.enclosure, N=n)
            if message:
                return message
            widths.append(boundary.enclosure.width)
    evidence["max_enclosure_width"] = mpmath.nstr(max(widths), 3)
    evidence["N_checked"] = len(_ns(point))
    return None


def _etf_for_small_N(claim, point, evidence):
    """N = 3, 4: the ETF is optimal for every t = b > 0 (certified signs of l'(1)), and the
    claimed t_E(N) is then not a positive threshold."""
    n = point["N"]
    for t in ("0.01", "0.5", "3", "100"):
        regime = sigmoid_optimum(n, t, t, digits=_DIGITS).regime
        if regime != "etf":
            return f"N={n}, t=b={t}: optimum is {regime}, not the ETF"
    value = sp.N(claim[0].subs(N, n), 20)
    evidence["claimed_t_E"] = str(value)
    if value.is_real and value > 0:
        return f"claimed t_E({n}) = {value} > 0, but the ETF is optimal for every t = b > 0"
    return None


def _thresholds_by_gradient_descent(claim, point, evidence):
    """Free embeddings (d = N, torch L-BFGS) at t = b = (1 +- 2%) x the claimed thresholds:
    ETF (s_neg = -1/(N-1)) just above t_E and not just below; antipodal (s_pos = -1) just
    below t_A and not just above."""
    n = point["N"]
    t_e, t_a = (float(sp.N(e.subs(N, n), 20)) for e in claim)
    ts = [t_e * (1 + _MARGIN), t_e * (1 - _MARGIN), t_a * (1 - _MARGIN), t_a * (1 + _MARGIN)]
    runs = optimise_batch(n, n, t=ts, b=ts, seeds=point["seed"], restarts=2)
    etf_above, etf_below = (abs(r.s_neg_mean + 1 / (n - 1)) < _GRAM_TOLERANCE for r in runs[:2])
    anti_below, anti_above = (abs(r.s_pos_mean + 1) < _GRAM_TOLERANCE for r in runs[2:])
    evidence["s_pos"] = [round(r.s_pos_mean, 9) for r in runs]
    wrong = [what for what, ok in (("ETF just above t_E", etf_above), ("not ETF just below t_E", not etf_below),
                                   ("antipodal just below t_A", anti_below),
                                   ("not antipodal just above t_A", not anti_above)) if not ok]
    if not all(r.converged for r in runs):
        raise Inconclusive(f"optimiser did not converge at N={n}")
    return f"N={n}, seed={point['seed']}: expected {', '.join(wrong)}" if wrong else None


THM2 = Theorem(
    id="lee2024.thm2",
    source="Lee, Chang, Sohn (AISTATS 2024), Theorem 2 (name descriptive)",
    statement=r"t = b:\ \text{ETF optimal} \iff t \ge \tfrac{N-1}{N}\log(N-3);\ "
              r"\text{antipodal optimal} \iff t \le \tfrac12\log\tfrac{N-2}{2}",
    hypotheses={"N": "integer >= 3 (antipodal regime non-empty for N >= 5)", "t = b": "> 0",
                "d": ">= N"},
    claim=((N - 1) / N * sp.log(N - 3), sp.log((N - 2) / 2) / 2),
    checks=(
        Check("thresholds_are_derived_roots", "proof", _thresholds_derived),
        Check("thresholds_are_certified_roots_of_general_condition", "certified",
              _thresholds_certified,
              points=tuple({"N": n} for n in (5, 6, 7, 10, 23, 100, 311, 1000, 10000)),
              thorough_points=({"N": "5:10000"},)),
        Check("etf_for_every_t_of_small_N", "certified", _etf_for_small_N,
              points=({"N": 3}, {"N": 4})),
        Check("regimes_switch_at_thresholds", "empirical", _thresholds_by_gradient_descent,
              points=({"N": 10, "seed": 0},), thorough_points=({"N": 6, "seed": 1}, {"N": 30, "seed": 2})),
    ),
    mutants=(
        Mutant("log_N_minus_2", "log(N-2) for log(N-3): l'(1) at b = t is then non-zero",
               ((N - 1) / N * sp.log(N - 2), sp.log((N - 2) / 2) / 2)),
        Mutant("antipodal_without_half", "log((N-2)/2) without the 1/2 factor",
               ((N - 1) / N * sp.log(N - 3), sp.log((N - 2) / 2))),
    ),
)

THEOREMS = [LEMMA1, PROP1, CONVEXITY, THM1, THM2]
