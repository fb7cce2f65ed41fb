r"""Lee, Chang, Sohn (AISTATS 2024): the sigmoid loss and the CCEM.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the
logit, the loss is normalised by ``1/N`` (``docs/theory.md``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory import CCEM
from theory import derivation as D

from ..registry import Check, Mutant, Theorem

N, delta = D.N, D.delta
_LEMMA1_TOLERANCE = 1e-12


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
        Check("implied_by_proof_chain", "symbolic", _lemma1_implied_by_proof),
        Check("equality_on_ccem", "symbolic", _lemma1_equality_on_ccem),
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
        Check("gram_rank_le_dimension", "symbolic", _ccem_rank_within_claim,
              points=tuple({"N": n} for n in (3, 5, 8)), thorough_points=({"N": 12},)),
        Check("vectors_double_constant_lemma1_equality", "symbolic", _ccem_vectors_double_constant,
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
    denominator, for every N >= 3, t > 0 and real b (theory.derivation)."""
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


CONVEXITY = Theorem(
    id="lee2024.convexity",
    source="Lee, Chang, Sohn (AISTATS 2024), proof of Theorem 2 (reconstructed)",
    statement=r"\ell(x) = L_{sig}(\mathrm{CCEM}(\sqrt x)) \text{ is strictly convex on } [0,1]",
    hypotheses={"N": "integer >= 3", "t": "> 0", "b": "real"},
    claim="x",
    checks=(
        Check("second_derivative_sum_of_positive_terms", "symbolic", _convex_symbolic),
        Check("second_derivative_positive_on_grid", "symbolic", _convex_on_grid),
    ),
    mutants=(
        Mutant("convex_in_delta", "at delta = 0, d2L/ddelta2 = 2 l'(0) < 0 outside the antipodal regime",
               "delta"),
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


THM2 = Theorem(
    id="lee2024.thm2",
    source="Lee, Chang, Sohn (AISTATS 2024), Theorem 2 (name descriptive)",
    statement=r"t = b:\ \text{ETF optimal} \iff t \ge \tfrac{N-1}{N}\log(N-3);\ "
              r"\text{antipodal optimal} \iff t \le \tfrac12\log\tfrac{N-2}{2}",
    hypotheses={"N": "integer >= 3 (antipodal regime non-empty for N >= 5)", "t = b": "> 0",
                "d": ">= N"},
    claim=((N - 1) / N * sp.log(N - 3), sp.log((N - 2) / 2) / 2),
    checks=(
        Check("thresholds_are_derived_roots", "symbolic", _thresholds_derived),
    ),
    mutants=(
        Mutant("log_N_minus_2", "log(N-2) for log(N-3): l'(1) at b = t is then non-zero",
               ((N - 1) / N * sp.log(N - 2), sp.log((N - 2) / 2) / 2)),
        Mutant("antipodal_without_half", "log((N-2)/2) without the 1/2 factor",
               ((N - 1) / N * sp.log(N - 3), sp.log((N - 2) / 2))),
    ),
)

THEOREMS = [LEMMA1, PROP1, CONVEXITY, THM2]
