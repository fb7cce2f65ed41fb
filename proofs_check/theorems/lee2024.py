r"""Lee, Chang, Sohn (AISTATS 2024): Lemma 1, Proposition 1 and the convexity of the sigmoid
loss on the CCEM (Theorems 1 and 2 are in :mod:`.lee2024_optimum`).

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the
logit, the loss is normalised by ``1/N`` (``docs/theory.md``).
"""

from __future__ import annotations

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

from ..claims import dimension_shortfall, least
from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem

N, delta = D.N, D.delta
#: ``N = n + k`` encodes a hypothesis ``N >= k`` for SymPy's assumptions.
_n = sp.Symbol("n", nonnegative=True, integer=True)
#: A float64 slack within this of 0 counts as equality; below its negative, as a violation.
_SLACK_TOLERANCE = 1e-10
#: Seeded restarts of the worst-configuration search, and its gradient tolerance.
_SEARCH_RESTARTS, _SEARCH_TOL = 12, 1e-7


# --- Lemma 1 ---------------------------------------------------------------------------------
# claim: slope a(N), offset c(N) of the bound mean_{i!=j} u_i.v_j >= a tr - c, and the equality
# predicate: a SymPy Boolean in the atoms below (and possibly relations in H.N, H.d).

#: Atoms of the claimed equality predicate, each a property of (U, V).  The first two are the
#: conditions of Lemma C.6, each the vanishing of one square of the slack (``_squares``).
CONSTANT_DIFFERENCE = sp.Symbol("constant_difference")  # u_i - v_i the same vector for all i
ZERO_SUM = sp.Symbol("zero_sum")                        # sum_i (u_i + v_i) = 0
IS_CCEM = sp.Symbol("is_ccem")                          # the Gram matrices of some CCEM(delta)
#: A square within this of 0 counts as 0 (float64 configurations).
_ZERO_TOLERANCE = 1e-9


def _slack(claim, U, V) -> float:
    """LHS - RHS of the claimed bound for float arrays (rows unit)."""
    n = U.shape[0]
    a, c = (float(e.subs(N, n)) for e in (claim.slope, claim.offset))
    S = U @ V.T
    trace = np.trace(S)
    return float((S.sum() - trace) / (n * (n - 1)) - (a * trace - c))


def _exact_slack(claim, U, V) -> sp.Rational:
    """LHS - RHS of the claimed bound in exact arithmetic, for integer arrays."""
    n = U.shape[0]
    S = sp.Matrix(U.astype(int)) * sp.Matrix(V.astype(int)).T
    trace = S.trace()
    return (sum(S) - trace) / sp.Integer(n * (n - 1)) - (claim.slope.subs(N, n) * trace - claim.offset.subs(N, n))


def _squares(U, V) -> tuple[float, float]:
    r""":math:`|\sum_i (u_i + v_i)|^2` and :math:`\sum_{i<j} |w_i - w_j|^2`, :math:`w_i = u_i - v_i`,
    each summed directly (no cancellation)."""
    W = U - V
    spread = float(np.sum((W[:, None, :] - W[None, :, :]) ** 2)) / 2
    return float(np.sum((U + V).sum(axis=0) ** 2)), spread


def _is_ccem(U, V, tol=1e-9) -> bool:
    """Whether (U, V) has the Gram matrices of CCEM(delta) for some delta (from u_1.v_1)."""
    n = U.shape[0]
    x = (float(U[0] @ V[0]) + 1) / 2
    if not 0 <= x <= 1:
        return False
    return CCEM(n, float(np.sqrt(x)), max(n, U.shape[1])).check(U, V, tol)[0]


def _says_equality(claim, U, V) -> bool:
    """The claimed equality predicate at (U, V): its atoms evaluated on the arrays (a square
    within 1e-9 of 0 counts as 0), ``N`` and ``d`` their sizes."""
    n, d = U.shape
    total, spread = _squares(U, V)
    values = {ZERO_SUM: total <= _ZERO_TOLERANCE, CONSTANT_DIFFERENCE: spread <= _ZERO_TOLERANCE, H.N: n, H.d: d}
    if IS_CCEM in claim.equality.free_symbols:
        values[IS_CCEM] = _is_ccem(U, V)
    unknown = claim.equality.free_symbols - values.keys()
    if unknown:
        raise ValueError(f"the equality predicate uses unknown symbols {sorted(map(str, unknown))}")
    said = claim.equality.subs(values)
    if said not in (sp.true, sp.false):
        raise ValueError(f"the equality predicate {claim.equality} is undecided at N={n}, d={d}: {said}")
    return said is sp.true


# Power sums of one coordinate: P = sum u_ik, Q = sum v_ik, A = sum u_ik^2, B = sum v_ik^2,
# C = sum u_ik v_ik.  Every quantity below is a sum over coordinates of a quadratic form in them.
_P, _Q, _A, _B, _C = sp.symbols("P Q A B C", real=True)


def _lemma1_residual(claim):
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
    :math:`\big(|\sum_i (u_i + v_i)|^2 + \sum_{i<j} |w_i - w_j|^2\big)/(4N(N-1)) \ge 0`
    (SymPy identity in the power sums, symbolic ``N``): the bound holds.  A different slope or
    offset is refuted at one of the two equality configurations :math:`u_i = v_i` with
    :math:`\sum u_i = 0` (:math:`\sum_i u_i\cdot v_i = N`) or :math:`u_i = -v_i = e`
    (:math:`-N`) when it is violated there."""
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


def _pattern_witnesses(n, d) -> dict:
    r"""Integer configurations in :math:`\mathrm{span}(e_1) \subset \mathbb R^d`, one per pattern
    (ZERO_SUM, CONSTANT_DIFFERENCE), for every :math:`N \ge 2`, :math:`d \ge 1`: with
    :math:`a_i = (-1)^i e_1`, :math:`u_i = e_1, v_i = -e_1` (both); :math:`u_i = v_i = e_1`
    (:math:`w_i = 0`, sum :math:`2Ne_1`); :math:`u_i = a_i, v_i = -a_i` (sum 0,
    :math:`w_i = 2a_i`); :math:`u_i = a_i, v_i = e_1` (neither)."""
    e = np.zeros((n, d), dtype=int)
    e[:, 0] = 1
    alternating = e * (-1) ** np.arange(n)[:, None]
    return {(True, True): ("u_i = e, v_i = -e", e, -e),
            (False, True): ("u_i = v_i = e", e, e),
            (True, False): ("u_i = -v_i = (-1)^i e", alternating, -alternating),
            (False, False): ("u_i = (-1)^i e, v_i = e", alternating, e)}


def _recorded_equality_case(d):
    r""":math:`N = 4`, :math:`u = v = \{\pm e_1, \pm e_2\}`: equality, but not a CCEM (its
    cross Gram has the off-diagonal values 0 and -1)."""
    U = np.zeros((4, d), dtype=int)
    U[0, 0], U[1, 0], U[2, 1], U[3, 1] = 1, -1, 1, -1
    return U, U.copy()


def _lemma1_equality_pattern(claim, point, evidence):
    r"""The slack is :math:`(S + W)/(4N(N-1))` with the squares :math:`S = |\sum_i(u_i + v_i)|^2`
    and :math:`W = \sum_{i<j}|w_i - w_j|^2` (the identity of ``slack_is_sum_of_squares``), so
    equality holds iff :math:`S = 0` (ZERO_SUM) and :math:`W = 0` (CONSTANT_DIFFERENCE).  The
    claimed predicate (its atoms, ``N`` and ``d`` read at the configuration) is compared with
    the exact slack at the integer witnesses of the four patterns of the two atoms
    (:func:`_pattern_witnesses`) and at :math:`N = 4`, :math:`u = v = \{\pm e_1, \pm e_2\}`,
    for the three least ``N`` and :math:`d \in \{1, 2, 3\}` the claim admits: a disagreement
    refutes it.  Every pattern occurs for every :math:`N \ge 2` and :math:`d \ge 1` (the same
    witnesses), so a predicate in these two atoms alone that agrees at the witnesses of all four
    patterns is right everywhere: proved.  A predicate in other atoms, or in ``N`` and ``d``,
    that no witness refutes is not decided."""
    if _lemma1_residual(claim) != 0:
        raise Inconclusive("the claimed bound is not the sum of squares: its equality cases are not these")
    first = max(int(least(claim, "N")), 2)
    patterns = set()
    for n in range(first, first + 3):
        for d in (1, 2, 3):
            if not claim.admits(N=n, d=d):
                continue
            cases = [(pattern, *case) for pattern, case in _pattern_witnesses(n, d).items()]
            if n == 4 and d >= 2:
                cases.append(((True, True), "u = v = {+-e1, +-e2}", *_recorded_equality_case(d)))
            for pattern, name, U, V in cases:
                slack = _exact_slack(claim, U, V)
                said = _says_equality(claim, U, V)
                if (slack == 0) != said:
                    return (f"N={n}, d={d}, {name}: the exact slack is {slack} "
                            f"({'equality' if slack == 0 else 'strict'}), yet the claimed condition says "
                            f"{'equality' if said else 'no equality'}")
                patterns.add(pattern)
    evidence["patterns_compared"] = len(patterns)
    extra = claim.equality.free_symbols - {ZERO_SUM, CONSTANT_DIFFERENCE}
    if extra:
        raise Inconclusive(f"the claimed condition uses {sorted(map(str, extra))}: it agrees with "
                           f"the witnesses but is not decided by the two squares")
    if len(patterns) < 4:
        raise Inconclusive("the claim admits no (N, d) with d <= 3 at which to compare the four patterns")
    return None


def _random_rotation(rng, d):
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return q


def _equality_family(n, d, rng):
    r"""Configurations in Lemma C.6's equality set: :math:`u_i = c/2 + y_i`, :math:`v_i = -c/2 + y_i`
    with :math:`y_i \perp c`, :math:`|y_i|^2 = 1 - |c|^2/4`, :math:`\sum y_i = 0` (here the
    :math:`y_i` form a regular polygon in a plane orthogonal to ``c``; ``d >= 2``), randomly
    rotated."""
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
    return out


def _sign_configurations(n):
    """Every configuration of d = 1 (u_i, v_i in {+1, -1}): 2^(2N) of them."""
    signs = np.array(np.meshgrid(*[(-1, 1)] * (2 * n))).reshape(2 * n, -1).T
    return [(f"signs {tuple(s)}", s[:n, None].astype(float), s[n:, None].astype(float)) for s in signs]


def _other_configurations(n, d, rng, family):
    """Configurations off the equality set (random, one condition of two, perturbed)."""
    U0, V0 = family[0][1], family[0][2]
    noisy = U0 + 1e-3 * rng.standard_normal(U0.shape)
    out = [("polygon paired with its shift (sum 0, w_i not constant)", U0, np.roll(V0, 1, axis=0)),
           ("an equality case perturbed by 1e-3", unit_rows(noisy), V0)]
    for k in range(4):
        U, V = unit_rows(rng.standard_normal((2, n, d)))
        out.append((f"random #{k}", U, V))
    return out


def _lemma1_equality_cases(claim, point, evidence):
    """The claimed equality predicate holds exactly where the claimed bound is attained
    (|slack| <= 1e-10, float64): in d = 1 on every sign configuration; in d >= 2 on the
    equality family, the four witnesses, the recorded N = 4 case, CCEM(delta) (d >= N) and
    configurations off the equality set."""
    n, d = point["N"], point["d"]
    if not claim.admits(N=n, d=d):
        raise Inconclusive(f"N={n}, d={d} is outside the claim's hypotheses")
    rng = np.random.default_rng(point["seed"])
    configurations = [(name, U.astype(float), V.astype(float)) for name, U, V in _pattern_witnesses(n, d).values()]
    if d == 1:
        configurations += _sign_configurations(n)
    else:
        family = _equality_family(n, d, rng)
        configurations += family + _other_configurations(n, d, rng, family)
    if n == 4 and d >= 2:
        configurations.append(("recorded case u = v = {+-e1, +-e2}", *map(np.asarray, _recorded_equality_case(d))))
    if d >= n:
        configurations += [(f"CCEM({k}/3)", *CCEM(n, sp.Rational(k, 3), d).array()) for k in range(4)]
    attained = 0
    for name, U, V in configurations:
        U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
        slack = _slack(claim, U, V)
        if slack < -_SLACK_TOLERANCE:
            return f"N={n}, d={d}: the bound is violated by {name}: LHS - RHS = {slack:.3e}"
        equal, said = abs(slack) <= _SLACK_TOLERANCE, _says_equality(claim, U, V)
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


_LEMMA1_CLAIM = Claim({"slope": (N - 2) / (2 * N * (N - 1)), "offset": N / (2 * (N - 1)),
                       "equality": sp.And(CONSTANT_DIFFERENCE, ZERO_SUM)},
                      {"N": H.N >= 3, "d": H.d >= 1, "unit": "|u_i| = |v_i| = 1"})

LEMMA1 = Theorem(
    id="lee2024.lemma1",
    source="Lee, Chang, Sohn (AISTATS 2024), Lemma 1; equality conditions as restated in Lee, Lim, "
           "Lee, Sohn (ICML 2025, arXiv 2506.09781), Lemma C.6",
    statement=r"\frac{1}{N(N-1)}\sum_{i\ne j} u_i\cdot v_j \ge \frac{N-2}{2N(N-1)}\sum_i u_i\cdot v_i"
              r" - \frac{N}{2(N-1)},\ \text{equality} \iff u_i - v_i = c\ \forall i \text{ and } "
              r"\sum_i u_i + \sum_i v_i = 0 \text{ (in every } d \ge 1\text{; e.g. every CCEM, but also } "
              r"N = 4,\ d = 2,\ u = v = \{\pm e_1, \pm e_2\}\text{, not a CCEM)}",
    parts=(Part("bound", r"\frac{1}{N(N-1)}\sum_{i\ne j} u_i\cdot v_j \ge \frac{N-2}{2N(N-1)}"
                         r"\sum_i u_i\cdot v_i - \frac{N}{2(N-1)}"),
           Part("equality_iff", r"\text{equality} \iff u_i - v_i = c\ \forall i \text{ and } "
                                r"\sum_i u_i + \sum_i v_i = 0")),
    claim=_LEMMA1_CLAIM,
    checks=(
        Check("slack_is_sum_of_squares", "proof", _lemma1_sum_of_squares, parts=("bound",),
              scope="every N >= 2, every d >= 1, all unit vectors", whole_domain=True),
        Check("equality_iff_both_squares_vanish", "proof", _lemma1_equality_pattern, parts=("equality_iff",),
              scope="every N >= 2, every d >= 1 (d = 1 included): the claimed predicate against the "
                    "two squares of the slack on their four patterns, each realised for every N, d",
              whole_domain=True),
        Check("equality_iff_claimed_condition", "empirical", _lemma1_equality_cases, parts=("equality_iff",),
              points=tuple({"N": n, "d": d, "seed": 0} for n, d in ((4, 1), (4, 2), (4, 3), (5, 5), (8, 3))),
              thorough_points=tuple({"N": n, "d": d, "seed": 1} for n, d in ((3, 1), (6, 1), (3, 2), (6, 6),
                                                                            (12, 4), (12, 13))),
              scope="the claimed equality predicate against the slack (float64, |slack| <= 1e-10): all "
                    "256 sign configurations at N = 4, d = 1, and ~15 constructed configurations at "
                    "(N, d) in {(4, 2), (4, 3), (5, 5), (8, 3)}"),
        Check("no_configuration_below_bound", "empirical", _lemma1_worst_configuration, parts=("bound",),
              points=tuple({"N": n, "d": d, "seed": 0} for n, d in ((3, 2), (8, 3))),
              thorough_points=tuple({"N": n, "d": d, "seed": 1} for n, d in ((4, 1), (5, 5), (8, 11), (12, 2),
                                                                            (12, 12), (30, 5))),
              scope=f"the minimum of the slack over unit (U, V) by Riemannian L-BFGS from "
                    f"{_SEARCH_RESTARTS} seeded starts, (N, d) in {{(3, 2), (8, 3)}}"),
    ),
    mutants=(
        Mutant("slope_one_over_2N", "a larger slope 1/(2N): violated where u_i = v_i, sum u_i = 0 "
               "(blind random sampling at N = 8, d = 3 never sees it)", _LEMMA1_CLAIM.vary(slope=1 / (2 * N))),
        Mutant("offset_without_N", "a smaller offset 1/(2(N-1)) raises the bound above the equality cases",
               _LEMMA1_CLAIM.vary(offset=1 / (2 * (N - 1)))),
        Mutant("equality_needs_d_at_least_2", "in d = 1, u_i = e, v_i = -e satisfies both conditions "
               "and attains equality", _LEMMA1_CLAIM.vary(equality=sp.And(CONSTANT_DIFFERENCE, ZERO_SUM, H.d >= 2))),
        Mutant("equality_iff_ccem", "u = v = {+-e1, +-e2} (N = 4, d = 2) attains equality and is no CCEM",
               _LEMMA1_CLAIM.vary(equality=IS_CCEM)),
        Mutant("equality_iff_constant_difference", "u_i = v_i = e has w_i = 0 constant, yet "
               "sum (u_i + v_i) = 2N e and the bound is strict", _LEMMA1_CLAIM.vary(equality=CONSTANT_DIFFERENCE)),
    ),
)


# --- Proposition 1 ---------------------------------------------------------------------------
# claim: the cross similarities s_pos(N, delta), s_neg(N, delta) of CCEM(delta), which exists
# in every dimension the hypothesis d admits.

def _prop1_dimension(claim, point, evidence):
    r"""Every realisation of CCEM(:math:`\delta`)'s Gram matrices in :math:`\mathbb R^d` needs
    :math:`d \ge` their rank, which for symbolic ``N`` and :math:`\delta \in (0, 1)` is ``N``
    (:meth:`clverify.theory.similarity.Grams.rank`), and :math:`u_i = (\delta w_i,
    \sqrt{1-\delta^2})`, :math:`v_i = (\delta w_i, -\sqrt{1-\delta^2})` (:math:`w_i` a simplex ETF
    of :math:`\mathbb R^{N-1}`) realise them in :math:`\mathbb R^N`.  The least dimension the
    claim admits must reach the rank for every ``N`` it admits."""
    rank = CCEM(N, sp.Symbol("delta", positive=True)).grams().rank()
    evidence["generic_rank"] = str(rank)
    short = dimension_shortfall(claim, rank)
    if short is not None:
        return (f"N={short}: CCEM(delta), 0 < delta < 1, has Gram rank {rank.subs(N, short)}, more than "
                f"the least dimension d = {least(claim, 'd').subs(H.N, short)} the claim admits")
    return None


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
    """Exact vectors at concrete N, symbolic delta: unit rows, every u_i.v_i and u_i.v_j
    (i != j) equal to the claimed s_pos and s_neg, and (at delta = 1/2) their rank no more
    than the least dimension the claim admits at this N."""
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
    rank = U.col_join(V).subs(delta, sp.Rational(1, 2)).rank()
    lowest = least(claim, "d").subs(H.N, n)
    evidence["rank_at_delta_1_2"] = rank
    if rank > lowest:
        return f"N={n}: CCEM(1/2) spans {rank} dimensions, more than the least d = {lowest} the claim admits"
    return None


_PROP1_CLAIM = Claim({"s_pos": 2 * delta**2 - 1, "s_neg": delta**2 * (N - 2) / (N - 1) - 1},
                     {"N": H.N >= 3, "d": H.d >= H.N, "delta": sp.And(H.delta >= 0, H.delta <= 1)})

PROP1 = Theorem(
    id="lee2024.prop1",
    source="Lee, Chang, Sohn (AISTATS 2024), Proposition 1",
    statement=r"d \ge N \Rightarrow \mathrm{CCEM}(\delta) \text{ exists for every } \delta\in[0,1],"
              r" \text{ is double-constant } (s_+ = 2\delta^2 - 1,\ s_- = \delta^2\tfrac{N-2}{N-1} - 1)"
              r" \text{ and attains equality in Lemma 1}",
    parts=(Part("exists", r"d \ge N \Rightarrow \mathrm{CCEM}(\delta) \subset \mathbb R^d "
                          r"\text{ exists for every } \delta \in [0, 1]"),
           Part("double_constant", r"u_i\cdot v_i = 2\delta^2 - 1,\ u_i\cdot v_j = "
                                   r"\delta^2\tfrac{N-2}{N-1} - 1\ (i \ne j)"),
           Part("lemma1_equality", r"\mathrm{CCEM}(\delta) \text{ attains equality in Lemma 1}")),
    claim=_PROP1_CLAIM,
    checks=(
        Check("dimension_is_generic_gram_rank", "proof", _prop1_dimension, parts=("exists",),
              scope="every N >= 3 and delta in [0, 1] (symbolic rank; the construction in R^N is "
                    "the definition, its vectors checked exactly at N in {3, 5})", whole_domain=True),
        Check("similarities_derived_and_lemma1_equality", "proof", _prop1_similarities,
              parts=("double_constant", "lemma1_equality"),
              scope="every N >= 3 and delta in [0, 1] (symbolic)", whole_domain=True),
        Check("exact_vectors_have_claimed_similarities", "proof", _prop1_vectors,
              parts=("exists", "double_constant"),
              points=tuple({"N": n} for n in (3, 5)), thorough_points=({"N": 8},),
              scope="exact vectors for N in {3, 5}, symbolic delta"),
    ),
    mutants=(
        Mutant("ccem_at_d_N_minus_1", "the CCEM's Gram has rank N for 0 < delta < 1: it needs d >= N",
               _PROP1_CLAIM.vary(d=H.d >= H.N - 1)),
        Mutant("similarities_of_uu", "the within-view u_i.u_j (s_+ = 1) read as the cross similarities",
               _PROP1_CLAIM.vary(s_pos=sp.Integer(1), s_neg=1 - delta**2 * N / (N - 1))),
    ),
    uses=("lee2024.lemma1",),
)


# --- Convexity of l(x) -----------------------------------------------------------------------
# claim: the variable ("x" = delta^2, or "delta") in which the CCEM loss is strictly convex,
# for the N and t the hypotheses admit.

_SECOND_DERIVATIVE = {"x": D.ccem_loss_dx2, "delta": D.ccem_loss_ddelta2}
_CONVEXITY_GRID = {"N": (3, 5, 10, 50), "t": tuple(map(sp.Rational, (sp.Rational(1, 10), 1, 10, 100))),
                   "b": (-3, 0, 3)}


def _admits_t_zero(claim) -> bool:
    """Whether the claim's hypotheses admit t = 0 (at its least N)."""
    return bool(claim.admits(N=least(claim, "N"), t=0))


def _positivity_certificate(expr, first) -> bool:
    """Whether SymPy shows ``expr`` > 0 for every N >= ``first``, t > 0 and real b, x: with
    N = n + first, a numerator that is a sum of terms each shown >= 0 (one > 0) over a
    denominator shown > 0."""
    num, den = sp.fraction(sp.together(sp.expand(sp.together(expr).subs(N, _n + first))))
    terms = sp.Add.make_args(sp.expand(num))
    return (den.is_positive is True and all(term.is_nonnegative is True for term in terms)
            and any(term.is_positive for term in terms))


def _convex_symbolic(claim, point, evidence):
    """The second derivative in the claimed variable is a sum of non-negative terms (one
    positive) over a positive denominator, for every N the claim admits, t > 0 and real b;
    without such a certificate the check abstains (absence of a proof refutes nothing).  A
    claim that admits t = 0 is refuted there: the second derivative vanishes identically
    (the loss on the CCEM is constant in x)."""
    second = _SECOND_DERIVATIVE[claim.variable]()
    if _admits_t_zero(claim):
        at_zero = sp.simplify(second.subs(D.t, 0))
        if at_zero == 0:
            return f"the claim admits t = 0, where the second derivative in {claim.variable} is 0 for every x"
    if _positivity_certificate(second, least(claim, "N")):
        return None
    raise Inconclusive(f"no positivity certificate for the second derivative in {claim.variable}")


def _convex_on_grid(claim, point, evidence):
    """The second derivative in the claimed variable is > 0 on a grid (mpmath at 60 digits, enough
    for the cancellation in sigma(1 - sigma) at |logit| <= 103; not rigorous), t = 0 included
    when the claim admits it."""
    second = compile_expression(_SECOND_DERIVATIVE[claim.variable]().subs(D.delta, D.x), "mpmath")
    ts = ((sp.Integer(0),) if _admits_t_zero(claim) else ()) + _CONVEXITY_GRID["t"]
    worst = None
    with mpmath.workdps(60):
        for n in _CONVEXITY_GRID["N"]:
            for tv in ts:
                for bv in _CONVEXITY_GRID["b"]:
                    for k in range(11):
                        at = (mpmath.mpf(k) / 10, n, mpmath.mpf(tv.p) / tv.q, bv)
                        value = second(*at)
                        if worst is None or value < worst[0]:
                            worst = (value, dict(zip((claim.variable, "N", "t", "b"),
                                                     (sp.Rational(k, 10), n, tv, bv))))
    evidence["min_second_derivative"] = mpmath.nstr(worst[0], 6)
    if worst[0] <= 0:
        where = ", ".join(f"{k}={v}" for k, v in worst[1].items())
        return f"second derivative in {claim.variable} is {mpmath.nstr(worst[0], 6)} <= 0 at {where}"
    return None


def _convex_on_boxes(claim, point, evidence):
    """Arb balls of the second derivative over boxes covering x in [0, 1], t in [t_lo, t_hi],
    b in [b_lo, b_hi] at fixed N (:func:`clverify.numerics.precision.boxes.positive_cover`):
    every box positive (a proof on the whole region), or a box or the centre of an undecided
    box certified negative (a counterexample); undecided boxes are split along their widest
    side."""
    n, variable = point["N"], claim.variable
    region = box_region(x=(0, 1), t=point["t"], b=point["b"])
    cover = positive_cover(_SECOND_DERIVATIVE[variable]().subs(D.delta, D.x), n, region)
    if cover.exhausted:
        raise Inconclusive(f"N={n}: more than {MAX_BOXES} boxes needed")
    if cover.negative_at is not None:
        where = ", ".join(f"{k}={v}" for k, v in zip((variable, "t", "b"), cover.negative_at.values()))
        return f"N={n}: the second derivative in {variable} is < 0 at {where} (certified)"
    evidence["boxes"] = cover.leaves
    return None


_CONVEXITY_CLAIM = Claim({"variable": "x"}, {"N": H.N >= 3, "t": sp.Gt(H.t, 0), "b": "real"})

CONVEXITY = Theorem(
    id="lee2024.convexity",
    source="Lee, Chang, Sohn (AISTATS 2024), proof of Theorem 2 (reconstructed)",
    statement=r"\ell(x) = L_{sig}(\mathrm{CCEM}(\sqrt x)) \text{ is strictly convex on } [0,1]",
    parts=(Part("strictly_convex", r"\ell''(x) > 0 \text{ on } [0, 1] \text{ for } N \ge 3,\ t > 0,\ b \in \mathbb R"),),
    claim=_CONVEXITY_CLAIM,
    checks=(
        Check("second_derivative_sum_of_positive_terms", "proof", _convex_symbolic, parts=("strictly_convex",),
              scope="every N >= 3, t > 0, b real, x in [0, 1]", whole_domain=True),
        Check("second_derivative_positive_on_grid", "numerical", _convex_on_grid, parts=("strictly_convex",),
              scope="N in {3, 5, 10, 50}, t in {1/10, 1, 10, 100}, b in {-3, 0, 3}, "
                    "x in {0, 1/10, ..., 1} (60 digits)"),
        Check("second_derivative_positive_on_boxes", "certified", _convex_on_boxes, parts=("strictly_convex",),
              points=tuple({"N": n, "t": "1/10:2", "b": "-1:1"} for n in (3, 10, 100)),
              thorough_points=tuple({"N": n, "t": "1/10:10", "b": "-3:3"} for n in (3, 10, 1000)),
              scope="N in {3, 10, 100}, every t in [1/10, 2], b in [-1, 1], x in [0, 1] "
                    "(N in {3, 10, 1000}, t in [1/10, 10], b in [-3, 3] with --thorough)"),
    ),
    mutants=(
        Mutant("convex_in_delta", "at delta = 0, d2L/ddelta2 = 2 l'(0) < 0 outside the antipodal regime",
               _CONVEXITY_CLAIM.vary(variable="delta")),
        Mutant("t_nonnegative", "at t = 0 the loss on the CCEM is constant in x: convex, not strictly",
               _CONVEXITY_CLAIM.vary(t=H.t >= 0)),
    ),
)

THEOREMS = [LEMMA1, PROP1, CONVEXITY]
