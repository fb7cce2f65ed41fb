r"""Lee, Chang, Sohn (AISTATS 2024): Lemma 1, Proposition 1 and the convexity of the sigmoid
loss on the CCEM (Theorems 1 and 2 are in :mod:`.lee2024_optimum`).

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the
logit, the loss is normalised by ``1/N`` (``docs/theory.md``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp
import torch

from clverify.numerics.descent.lbfgs import lbfgs, value_and_grad
from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.descent.sphere import Sphere
from clverify.numerics.precision.boxes import MAX_BOXES, box_region, positive_cover
from clverify.numerics.precision.evaluators import compile_expression
from clverify.theory import CCEM
from clverify.theory import derivation as D

from ..registry import Check, Inconclusive, Mutant, Theorem

N, delta = D.N, D.delta
#: ``N = n + 3`` encodes the hypothesis ``N >= 3`` for SymPy's assumptions.
_n = sp.Symbol("n", nonnegative=True, integer=True)
#: A float64 slack within this of 0 counts as equality; below its negative, as a violation.
_SLACK_TOLERANCE = 1e-10
#: Seeded restarts of the worst-configuration search, and its gradient tolerance.
_SEARCH_RESTARTS, _SEARCH_TOL = 12, 1e-7


# --- Lemma 1 ---------------------------------------------------------------------------------
# claim: (slope a(N), offset c(N), equality(U, V) -> bool): mean_{i!=j} u_i.v_j >= a tr - c,
# with equality exactly where ``equality`` says.

class Lemma1Claim(NamedTuple):
    """The bound :math:`\\frac{1}{N(N-1)}\\sum_{i\\ne j} u_i\\cdot v_j \\ge a\\sum_i u_i\\cdot v_i - c`
    and its claimed equality cases (a predicate on float arrays ``U``, ``V``)."""

    slope: Any
    offset: Any
    equality: Any


def _slack(claim: Lemma1Claim, U, V) -> float:
    """LHS - RHS of the claimed bound for float arrays (rows unit)."""
    n = U.shape[0]
    a, c = (float(e.subs(N, n)) for e in (claim.slope, claim.offset))
    S = U @ V.T
    trace = np.trace(S)
    return float((S.sum() - trace) / (n * (n - 1)) - (a * trace - c))


def _constant_difference_and_zero_sum(U, V, tol=1e-9) -> bool:
    """Lemma C.6's equality condition: ``u_i - v_i`` the same vector for all i and
    ``sum_i (u_i + v_i) = 0``."""
    W = U - V
    return bool(np.abs(W - W[0]).max() <= tol and np.abs((U + V).sum(axis=0)).max() <= tol)


# Power sums of one coordinate: P = sum u_ik, Q = sum v_ik, A = sum u_ik^2, B = sum v_ik^2,
# C = sum u_ik v_ik.  Every quantity below is a sum over coordinates of a quadratic form in them.
_P, _Q, _A, _B, _C = sp.symbols("P Q A B C", real=True)


def _lemma1_residual(claim: Lemma1Claim):
    r"""Per coordinate, :math:`4N(N-1)` (slack) minus the sum of squares
    :math:`(P+Q)^2 + [N(A - 2C + B) - (P - Q)^2]`, i.e. minus
    :math:`|\sum_i(u_i+v_i)|^2 + \sum_{i<j}|w_i - w_j|^2`, :math:`w_i = u_i - v_i`
    (Lagrange's identity gives the bracket).  Uses :math:`\sum_{i\ne j} u_i\cdot v_j = P Q - C`
    and the unit norms through :math:`c = c\,\frac{\sum_k (A_k + B_k)}{2N}`."""
    slack = (_P * _Q - _C) - N * (N - 1) * (claim.slope * _C - claim.offset * (_A + _B) / (2 * N))
    squares = (_P + _Q) ** 2 + N * (_A - 2 * _C + _B) - (_P - _Q) ** 2
    return sp.simplify(sp.expand(4 * slack - squares))


def _lemma1_sum_of_squares(claim, point, evidence):
    r"""For every :math:`N \ge 2` and :math:`d`, the claimed slack equals
    :math:`\big(|\sum_i (u_i + v_i)|^2 + \sum_{i<j} |w_i - w_j|^2\big)/(4N(N-1))`: the bound
    holds, with equality iff every :math:`w_i = u_i - v_i` is the same vector and
    :math:`\sum_i(u_i + v_i) = 0` (SymPy identity in the power sums, symbolic ``N``).  A
    different slope or offset is refuted at one of the two equality configurations
    :math:`u_i = v_i` with :math:`\sum u_i = 0` (:math:`\sum_i u_i\cdot v_i = N`) or
    :math:`u_i = -v_i = e` (:math:`-N`) when it is violated there."""
    residual = _lemma1_residual(claim)
    evidence["residual"] = str(residual)
    if residual == 0:
        return None
    for n in (3, 4, 5, 8, 16, 100):
        for name, trace in (("u_i = v_i, sum u_i = 0", n), ("u_i = -v_i = e", -n)):
            # the residual is linear in C and A + B; summed over coordinates they are
            # tr = sum_i u_i.v_i and 2N; the squares vanish here, so 4N(N-1) slack = residual
            value = residual.subs({N: n, _C: trace, _A: n, _B: n, _P: 0, _Q: 0})
            if value < 0:
                return (f"N={n}: at the configuration {name} the claimed bound exceeds the left side "
                        f"by {sp.nsimplify(-value / (4 * n * (n - 1)))}")
    raise Inconclusive(f"the claimed bound is not the exact one (residual {residual}) but no "
                       f"violation was found at the two equality configurations")


def _random_rotation(rng, d):
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return q


def _equality_family(n, d, rng):
    r"""Configurations in Lemma C.6's equality set: :math:`u_i = c/2 + y_i`, :math:`v_i = -c/2 + y_i`
    with :math:`y_i \perp c`, :math:`|y_i|^2 = 1 - |c|^2/4`, :math:`\sum y_i = 0` (here the
    :math:`y_i` form a regular polygon in a plane orthogonal to ``c``), randomly rotated."""
    out = []
    angles = 2 * np.pi * np.arange(n) / n
    for c_norm in ((0.0, 0.7, 1.3) if d >= 3 else (0.0,)):
        R = _random_rotation(rng, d)
        r = np.sqrt(1 - c_norm**2 / 4)
        Y = np.zeros((n, d))
        Y[:, 0], Y[:, 1] = r * np.cos(angles), r * np.sin(angles)
        c = np.zeros(d)
        c[-1] = c_norm
        out.append((f"polygon, |c| = {c_norm}", (Y + c / 2) @ R, (Y - c / 2) @ R))
    e = _random_rotation(rng, d)[0]
    out.append(("u_i = -v_i = e (|c| = 2)", np.tile(e, (n, 1)), np.tile(-e, (n, 1))))
    return out


def _recorded_equality_case(d):
    r""":math:`N = 4`, :math:`u = v = \{\pm e_1, \pm e_2\}`: equality, but not a CCEM (its
    cross Gram has the off-diagonal values 0 and -1)."""
    U = np.zeros((4, d))
    U[0, 0], U[1, 0], U[2, 1], U[3, 1] = 1, -1, 1, -1
    return U, U.copy()


def _other_configurations(n, d, rng, equality):
    """Configurations off the equality set (random, one condition of two, perturbed)."""
    e = np.zeros((n, d))
    e[:, 0] = 1
    U0, V0 = equality[0][1], equality[0][2]
    shifted = np.roll(V0, 1, axis=0)
    noisy = U0 + 1e-3 * rng.standard_normal(U0.shape)
    out = [("u_i = v_i = e (w_i constant, sum not 0)", e, e.copy()),
           ("polygon paired with its shift (sum 0, w_i not constant)", U0, shifted),
           ("an equality case perturbed by 1e-3", unit_rows(noisy), V0)]
    for k in range(4):
        U, V = unit_rows(rng.standard_normal((2, n, d)))
        out.append((f"random #{k}", U, V))
    return out


def _lemma1_equality_cases(claim, point, evidence):
    """The claimed equality predicate holds exactly where the claimed bound is attained
    (|slack| <= 1e-10, float64), on configurations of the equality family, the recorded
    N = 4 case, CCEM(delta) and configurations off the equality set."""
    n, d = point["N"], point["d"]
    rng = np.random.default_rng(point["seed"])
    family = _equality_family(n, d, rng)
    configurations = family + _other_configurations(n, d, rng, family)
    if n == 4 and d >= 2:
        configurations.append(("recorded case u = v = {+-e1, +-e2}", *_recorded_equality_case(d)))
    if d >= n:
        configurations += [(f"CCEM({k}/3)", *CCEM(n, sp.Rational(k, 3), d).array()) for k in range(4)]
    attained = 0
    for name, U, V in configurations:
        slack = _slack(claim, U, V)
        if slack < -_SLACK_TOLERANCE:
            return f"N={n}, d={d}: the bound is violated by {name}: LHS - RHS = {slack:.3e}"
        equal, said = abs(slack) <= _SLACK_TOLERANCE, bool(claim.equality(U, V))
        attained += equal
        if equal != said:
            return (f"N={n}, d={d}: at {name} LHS - RHS = {slack:.3e}, yet the claimed equality "
                    f"condition says {'equality' if said else 'no equality'}")
    evidence.update(configurations=len(configurations), equality_cases=attained)
    return None


def _lemma1_worst_configuration(claim, point, evidence):
    """Riemannian L-BFGS (float64) from seeded random starts minimises the claimed slack over
    all unit (U, V) in R^d; a configuration below -1e-10 is a counterexample."""
    n, d = point["N"], point["d"]
    a, c = (float(e.subs(N, n)) for e in (claim.slope, claim.offset))

    def slack(X, _index):
        S = X[:, :n] @ X[:, n:].transpose(1, 2)
        trace = S.diagonal(dim1=1, dim2=2).sum(-1)
        return (S.sum((1, 2)) - trace) / (n * (n - 1)) - (a * trace - c)

    sphere = Sphere()
    starts = sphere.random(_SEARCH_RESTARTS, 2 * n, d, generator=torch.Generator().manual_seed(point["seed"]))
    result = lbfgs(value_and_grad(slack), starts, sphere, tol=_SEARCH_TOL)
    best = int(torch.argmin(result.loss))
    X = result.x[best].numpy()
    worst = _slack(claim, X[:n], X[n:])     # re-evaluated on the returned unit rows
    evidence["min_slack"] = worst
    if worst < -_SLACK_TOLERANCE:
        return f"N={n}, d={d}, seed={point['seed']}: a configuration has LHS - RHS = {worst:.6e} < 0"
    return None


LEMMA1 = Theorem(
    id="lee2024.lemma1",
    source="Lee, Chang, Sohn (AISTATS 2024), Lemma 1; equality conditions as restated in Lee, Lim, "
           "Lee, Sohn (ICML 2025, arXiv 2506.09781), Lemma C.6",
    statement=r"\frac{1}{N(N-1)}\sum_{i\ne j} u_i\cdot v_j \ge \frac{N-2}{2N(N-1)}\sum_i u_i\cdot v_i"
              r" - \frac{N}{2(N-1)},\ \text{equality} \iff u_i - v_i = c\ \forall i \text{ and } "
              r"\sum_i u_i + \sum_i v_i = 0 \text{ (e.g. every CCEM, but also } N = 4,\ d = 2,\ "
              r"u = v = \{\pm e_1, \pm e_2\}\text{, not a CCEM)}",
    hypotheses={"N": "integer >= 3", "d": "any integer >= 1", "u_i, v_i": "unit vectors"},
    claim=Lemma1Claim((N - 2) / (2 * N * (N - 1)), N / (2 * (N - 1)), _constant_difference_and_zero_sum),
    checks=(
        Check("slack_is_sum_of_squares", "proof", _lemma1_sum_of_squares,
              scope="every N >= 2, every d >= 1, all unit vectors: the inequality and both "
                    "directions of its equality condition", whole_domain=True),
        Check("equality_iff_claimed_condition", "empirical", _lemma1_equality_cases,
              points=tuple({"N": n, "d": d, "seed": 0} for n, d in ((4, 2), (4, 3), (5, 5), (8, 3))),
              thorough_points=tuple({"N": n, "d": d, "seed": 1} for n, d in ((3, 2), (6, 6), (12, 4), (12, 13))),
              scope="the claimed equality predicate against the slack (float64, |slack| <= 1e-10) "
                    "on ~12 constructed configurations at (N, d) in {(4, 2), (4, 3), (5, 5), (8, 3)}"),
        Check("no_configuration_below_bound", "empirical", _lemma1_worst_configuration,
              points=tuple({"N": n, "d": d, "seed": 0} for n, d in ((3, 2), (8, 3))),
              thorough_points=tuple({"N": n, "d": d, "seed": 1} for n, d in ((4, 1), (5, 5), (8, 11), (12, 2),
                                                                            (12, 12), (30, 5))),
              scope=f"the minimum of the slack over unit (U, V) by Riemannian L-BFGS from "
                    f"{_SEARCH_RESTARTS} seeded starts, (N, d) in {{(3, 2), (8, 3)}}"),
    ),
    mutants=(
        Mutant("slope_one_over_2N", "a larger slope 1/(2N): violated where u_i = v_i, sum u_i = 0 "
               "(blind random sampling at N = 8, d = 3 never sees it)",
               Lemma1Claim(1 / (2 * N), N / (2 * (N - 1)), _constant_difference_and_zero_sum)),
        Mutant("offset_without_N", "a smaller offset 1/(2(N-1)) raises the bound above the equality cases",
               Lemma1Claim((N - 2) / (2 * N * (N - 1)), 1 / (2 * (N - 1)), _constant_difference_and_zero_sum)),
        Mutant("equality_iff_ccem", "u = v = {+-e1, +-e2} (N = 4, d = 2) attains equality and is no CCEM",
               Lemma1Claim((N - 2) / (2 * N * (N - 1)), N / (2 * (N - 1)), lambda U, V: _is_ccem(U, V))),
        Mutant("equality_iff_constant_difference", "u_i = v_i = e has w_i = 0 constant, yet "
               "sum (u_i + v_i) = 2N e and the bound is strict",
               Lemma1Claim((N - 2) / (2 * N * (N - 1)), N / (2 * (N - 1)),
                           lambda U, V: bool(np.abs((U - V) - (U - V)[0]).max() <= 1e-9))),
    ),
)


def _is_ccem(U, V, tol=1e-9) -> bool:
    """Whether (U, V) has the Gram matrices of CCEM(delta) for some delta (from u_1.v_1)."""
    n = U.shape[0]
    x = (float(U[0] @ V[0]) + 1) / 2
    if not 0 <= x <= 1:
        return False
    return CCEM(n, float(np.sqrt(x)), max(n, U.shape[1])).check(U, V, tol)[0]


# --- Proposition 1 ---------------------------------------------------------------------------
# claim: (dimension(N), s_pos(N, delta), s_neg(N, delta)): CCEM(delta) exists for d >= dimension,
# with these constant cross similarities, which attain equality in Lemma 1.

class Prop1Claim(NamedTuple):
    """The dimension from which CCEM(delta) exists for every delta, and its similarities."""

    dimension: Any
    s_pos: Any
    s_neg: Any


def _prop1_dimension(claim, point, evidence):
    r"""The smallest dimension holding CCEM(:math:`\delta`) is the rank of the Gram matrix of
    :math:`(U; V)`; for symbolic ``N`` and :math:`\delta` its generic value (the largest over
    :math:`\delta \in [0, 1]`) is :meth:`clverify.theory.similarity.Grams.rank`.  The claimed
    dimension must not be below it for any :math:`N \ge 3`."""
    rank = CCEM(N, sp.Symbol("delta", positive=True)).grams().rank()
    gap = sp.simplify(rank - claim.dimension)
    evidence["generic_rank"] = str(rank)
    sign = gap.subs(N, _n + 3)
    if sign.is_nonpositive:
        return None
    if sign.is_positive:
        return f"CCEM(delta), 0 < delta < 1, has Gram rank {rank} > the claimed dimension {claim.dimension}"
    raise Inconclusive(f"cannot compare the rank {rank} with the claimed dimension {claim.dimension}")


def _prop1_similarities(claim, point, evidence):
    """For symbolic N and delta: the CCEM's cross similarities (derived from its blocks) are
    the claimed ones, and they attain Lemma 1's bound: s_neg = ((N-2) s_pos - N)/(2(N-1))."""
    G = CCEM(N, delta).grams().uv
    wrong = [(name, got, said) for name, got, said in (("s_pos", G.diagonal, claim.s_pos),
                                                        ("s_neg", G.off_diagonal, claim.s_neg))
             if sp.simplify(got - said) != 0]
    if wrong:
        return "; ".join(f"{name}: derived {sp.factor(got)}, claimed {said}" for name, got, said in wrong)
    a, c = LEMMA1.claim.slope, LEMMA1.claim.offset
    gap = sp.simplify(claim.s_neg - (a * N * claim.s_pos - c))
    evidence["lemma1_gap"] = str(gap)
    return None if gap == 0 else f"the claimed similarities miss Lemma 1's equality by {gap}"


def _prop1_vectors(claim, point, evidence):
    """Exact vectors in R^N at concrete N, symbolic delta: unit rows, and every u_i.v_i and
    u_i.v_j (i != j) equal to the claimed s_pos and s_neg."""
    n = point["N"]
    U, V = CCEM(n, delta, n).vectors()
    norms = {sp.simplify(U[i, :].dot(U[i, :])) for i in range(n)} | {
        sp.simplify(V[i, :].dot(V[i, :])) for i in range(n)}
    if norms != {1}:
        return f"rows not unit at N={n}: |u|^2 in {norms}"
    S = (U * V.T).applyfunc(sp.simplify)
    for (i, j), name in (((0, 0), "s_pos"), ((0, 1), "s_neg")):
        said = sp.simplify(getattr(claim, name).subs(N, n))
        entries = {S[k, k] for k in range(n)} if i == j else {S[k, m] for k in range(n) for m in range(n) if k != m}
        if {sp.simplify(e - said) for e in entries} != {0}:
            return f"N={n}: the vectors' {name} values {entries} differ from the claimed {said}"
    return None


_UV_SIMILARITIES = (2 * delta**2 - 1, delta**2 * (N - 2) / (N - 1) - 1)

PROP1 = Theorem(
    id="lee2024.prop1",
    source="Lee, Chang, Sohn (AISTATS 2024), Proposition 1",
    statement=r"d \ge N \Rightarrow \mathrm{CCEM}(\delta) \text{ exists for every } \delta\in[0,1],"
              r" \text{ is double-constant } (s_+ = 2\delta^2 - 1,\ s_- = \delta^2\tfrac{N-2}{N-1} - 1)"
              r" \text{ and attains equality in Lemma 1}",
    hypotheses={"N": "integer >= 3", "delta": "[0, 1]", "d": ">= N"},
    claim=Prop1Claim(N, *_UV_SIMILARITIES),
    checks=(
        Check("dimension_is_generic_gram_rank", "proof", _prop1_dimension,
              scope="every N >= 3 and delta in [0, 1] (symbolic rank)", whole_domain=True),
        Check("similarities_derived_and_lemma1_equality", "proof", _prop1_similarities,
              scope="every N >= 3 and delta in [0, 1] (symbolic)", whole_domain=True),
        Check("exact_vectors_have_claimed_similarities", "proof", _prop1_vectors,
              points=tuple({"N": n} for n in (3, 5)), thorough_points=({"N": 8},),
              scope="exact vectors for N in {3, 5}, symbolic delta"),
    ),
    mutants=(
        Mutant("ccem_at_d_N_minus_1", "the CCEM's Gram has rank N for 0 < delta < 1: it needs d >= N",
               Prop1Claim(N - 1, *_UV_SIMILARITIES)),
        Mutant("similarities_of_uu", "the within-view u_i.u_j (s_+ = 1) read as the cross similarities",
               Prop1Claim(N, sp.Integer(1), 1 - delta**2 * N / (N - 1))),
    ),
)


# --- Convexity of l(x) -----------------------------------------------------------------------
# claim: the variable ("x" = delta^2, or "delta") in which the CCEM loss is strictly convex.

_SECOND_DERIVATIVE = {"x": D.ccem_loss_dx2, "delta": D.ccem_loss_ddelta2}
_CONVEXITY_GRID = {"N": (3, 5, 10, 50), "t": tuple(map(sp.Rational, (sp.Rational(1, 10), 1, 10, 100))),
                   "b": (-3, 0, 3)}


def _positivity_certificate(expr) -> bool:
    """Whether SymPy shows ``expr`` > 0 for every N >= 3, t > 0 and real b, x: with N = n + 3,
    a numerator that is a sum of terms each shown >= 0 (one > 0) over a denominator shown > 0."""
    num, den = sp.fraction(sp.together(sp.expand(sp.together(expr).subs(N, _n + 3))))
    terms = sp.Add.make_args(sp.expand(num))
    return (den.is_positive is True and all(term.is_nonnegative is True for term in terms)
            and any(term.is_positive for term in terms))


def _convex_symbolic(claim, point, evidence):
    """The second derivative in the claimed variable is a sum of non-negative terms (one
    positive) over a positive denominator, for every N >= 3, t > 0 and real b; without such
    a certificate the check abstains (absence of a proof refutes nothing)."""
    if _positivity_certificate(_SECOND_DERIVATIVE[claim]()):
        return None
    raise Inconclusive(f"no positivity certificate for the second derivative in {claim}")


def _convex_on_grid(claim, point, evidence):
    """The second derivative in the claimed variable is > 0 on a grid (mpmath at 60 digits, enough
    for the cancellation in sigma(1 - sigma) at |logit| <= 103; not rigorous)."""
    second = compile_expression(_SECOND_DERIVATIVE[claim]().subs(D.delta, D.x), "mpmath")
    worst = None
    with mpmath.workdps(60):
        for n in _CONVEXITY_GRID["N"]:
            for tv in _CONVEXITY_GRID["t"]:
                for bv in _CONVEXITY_GRID["b"]:
                    for k in range(11):
                        at = (mpmath.mpf(k) / 10, n, mpmath.mpf(tv.p) / tv.q, bv)
                        value = second(*at)
                        if worst is None or value < worst[0]:
                            worst = (value, dict(zip((claim, "N", "t", "b"), (sp.Rational(k, 10), n, tv, bv))))
    evidence["min_second_derivative"] = mpmath.nstr(worst[0], 6)
    if worst[0] <= 0:
        where = ", ".join(f"{k}={v}" for k, v in worst[1].items())
        return f"second derivative in {claim} is {mpmath.nstr(worst[0], 6)} <= 0 at {where}"
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
        Check("second_derivative_sum_of_positive_terms", "proof", _convex_symbolic,
              scope="every N >= 3, t > 0, b real, x in [0, 1]", whole_domain=True,
              why_no_mutant="a positivity certificate either exists or the check abstains "
                            "(Inconclusive); the grid and the boxes refute false variants"),
        Check("second_derivative_positive_on_grid", "numerical", _convex_on_grid,
              scope="N in {3, 5, 10, 50}, t in {1/10, 1, 10, 100}, b in {-3, 0, 3}, "
                    "x in {0, 1/10, ..., 1} (60 digits)"),
        Check("second_derivative_positive_on_boxes", "certified", _convex_on_boxes,
              points=tuple({"N": n, "t": "1/10:2", "b": "-1:1"} for n in (3, 10, 100)),
              thorough_points=tuple({"N": n, "t": "1/10:10", "b": "-3:3"} for n in (3, 10, 1000)),
              scope="N in {3, 10, 100}, every t in [1/10, 2], b in [-1, 1], x in [0, 1] "
                    "(N in {3, 10, 1000}, t in [1/10, 10], b in [-3, 3] with --thorough)"),
    ),
    mutants=(
        Mutant("convex_in_delta", "at delta = 0, d2L/ddelta2 = 2 l'(0) < 0 outside the antipodal regime",
               "delta"),
    ),
)

THEOREMS = [LEMMA1, PROP1, CONVEXITY]
