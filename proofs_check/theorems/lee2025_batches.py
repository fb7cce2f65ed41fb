r"""Lee, Lim, Lee, Sohn (ICML 2025): mini-batches.  The variance of negative-pair similarities
when the minimiser is taken batch by batch (Thm 5.5), the InfoNCE gradient on a negative pair
as the batch grows (Thm 5.6), and the auxiliary loss that pulls the negative-pair similarities
of a batch to the full-batch value (Definition 5.7, with its Table 1).

Meanings in this paper: in Thm 5.5 ``m`` is the batch size and the number of batches is
``n/m`` (the paper's ``b``, not a bias); in Thm 5.6 ``tau`` is a temperature that **divides**
(the paper writes ``t``).  For a fixed embedding the mean and the variance of the negative-pair
similarities are those of the :math:`n(n-1)` entries :math:`u_i\cdot v_j`, :math:`i \ne j`
(population variance).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.descent.optimise import optimise_batch
from clverify.theory import SimplexETF
from clverify.theory.losses import infonce_sym_loss
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem

n, m = sp.symbols("n m", positive=True, integer=True)
#: (n, m) points of the exact checks: Figure 2's (4, 2) and others with m | n.
_BATCH_POINTS = ((4, 2), (6, 3), (12, 3), (12, 4), (20, 5))
#: Float64 slack of a variance computed from random rotations or from a descent optimum.
_VARIANCE_TOLERANCE = 1e-9


# --- Theorem 5.5 ------------------------------------------------------------------------------
# The minimiser of sum_k L(U_Ik, V_Ik) is, batch by batch, the m-point ETF with u_i = v_i (Thm 5.1;
# lee2025.thm5_1_5_3_ex5_4); the cross-batch blocks are free up to rotations.

@lru_cache(maxsize=None)
def _batch_etf(k: int):
    """Exact simplex ETF rows in R^{k-1} and their (rational) Gram matrix."""
    W, _ = SimplexETF(k).vectors()
    return W, (W * W.T).applyfunc(sp.nsimplify)


def _extreme_grams(nn: int, mm: int):
    """The Grams (U = V) of the two constructions: every batch the same ETF (``shared``), and
    the batches' ETFs in mutually orthogonal subspaces (``orthogonal``)."""
    _, G = _batch_etf(mm)
    batches = nn // mm
    ones = sp.ones(batches, batches)
    shared = sp.Matrix(sp.BlockMatrix([[G * ones[i, j] for j in range(batches)] for i in range(batches)]))
    orthogonal = sp.diag(*([G] * batches))
    return {"shared": shared, "orthogonal": orthogonal}


def _negative_moments(S):
    """Exact mean and population variance of the off-diagonal entries of ``S``."""
    k = S.rows
    off = [S[i, j] for i in range(k) for j in range(k) if i != j]
    mean = sp.Rational(sum(off), len(off))
    return mean, sp.Rational(sum((v - mean) ** 2 for v in off), len(off))


def _bounds_derived(claim, point, evidence):
    """SymPy, every n and batch size m | n: with each batch the m-point ETF with u_i = v_i (Thm
    5.1), s_pos = 1 and sum_{i != j} s_ij = |sum u|^2 - n = -n, so E[s_neg] = -1/(n-1); the
    in-batch squares sum to b m/(m-1), the cross-batch blocks' squared Frobenius norms to F in
    [0, b(b-1) m^2/(m-1)] (the ETF frame's operator norm m/(m-1): hand-argued), and Var[s_neg]
    = (b m/(m-1) + F)/(n(n-1)) - 1/(n-1)^2 runs over the claimed interval."""
    batches = n / m
    mean = -n / (n * (n - 1))
    within = batches * m / (m - 1)
    variance = {"lower": within / (n * (n - 1)) - mean ** 2,
                "upper": (within + batches * (batches - 1) * m ** 2 / (m - 1)) / (n * (n - 1)) - mean ** 2}
    wrong = [f"{name} = {sp.factor(v)}, claimed {getattr(claim, name)}" for name, v in
             (("mean", mean), ("s_pos", sp.Integer(1)), *variance.items())
             if sp.simplify(v - getattr(claim, name)) != 0]
    return "; ".join(wrong) or None


def _bounds_attained(claim, point, evidence):
    """Exact (SymPy rationals): both constructions have s_pos = 1, E[s_neg] = -1/(n-1), and the
    variances of their negative similarities are the claimed upper and lower bounds."""
    nn, mm = point["n"], point["m"]
    at = {n: nn, m: mm}
    for name, bound in (("shared", claim.upper), ("orthogonal", claim.lower)):
        S = _extreme_grams(nn, mm)[name]
        mean, var = _negative_moments(S)
        evidence[f"var_{name}"] = str(var)
        if any(S[i, i] != 1 for i in range(nn)) or mean != sp.Rational(-1, nn - 1):
            return f"n={nn}, m={mm}: the {name} construction has E[s_neg] = {mean}, not -1/(n-1)"
        if var != sp.nsimplify(bound.subs(at)):
            return f"n={nn}, m={mm}: the {name} construction has Var[s_neg] = {var}, claimed {bound.subs(at)}"
    return None


def _dimension_of_minimum(claim, point, evidence):
    """Exact ranks: the lower bound forces every cross-batch similarity to 0 (F = 0 above), so
    the Gram of a minimum-variance minimiser is the block diagonal of the batch ETFs' Grams,
    whose rank is the least dimension that holds it; the claimed dimension must be that rank."""
    nn, mm = point["n"], point["m"]
    rank = _extreme_grams(nn, mm)["orthogonal"].rank()
    evidence["rank"] = rank
    claimed = int(claim.dimension.subs({n: nn, m: mm}))
    return None if rank == claimed else f"n={nn}, m={mm}: the minimum-variance Gram has rank {rank}, claimed {claimed}"


def _variance(S) -> tuple[float, float]:
    """Mean and population variance of the off-diagonal entries of a float matrix."""
    off = S[~np.eye(len(S), dtype=bool)]
    return float(off.mean()), float(off.var())


def _random_rotations_within_bounds(claim, point, evidence):
    """Float64: batches made of randomly rotated copies of the batch ETF (every such embedding
    is a minimiser, by Thm 5.1 per batch), in d = m - 1 ... b(m-1) + 2: the variance of the
    negative similarities lies in the claimed interval."""
    nn, mm, seed = point["n"], point["m"], point["seed"]
    rng = np.random.default_rng(seed)
    W = np.array(_batch_etf(mm)[0].evalf(20), dtype=float)
    lo, hi = (float(e.subs({n: nn, m: mm})) for e in (claim.lower, claim.upper))
    seen = []
    for d in (mm - 1, nn // mm * (mm - 1), nn // mm * (mm - 1) + 2):
        for _ in range(20):
            blocks = []
            for _ in range(nn // mm):
                Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
                blocks.append(np.hstack([W, np.zeros((mm, d - (mm - 1)))]) @ Q)
            U = np.vstack(blocks)
            var = _variance(U @ U.T)[1]
            seen.append(var)
            if not lo - _VARIANCE_TOLERANCE <= var <= hi + _VARIANCE_TOLERANCE:
                return f"n={nn}, m={mm}, d={d}: a minimiser has Var[s_neg] = {var:.9g} outside [{lo:.9g}, {hi:.9g}]"
    evidence["variance_range"] = [min(seen), max(seen)]
    return None


@lru_cache(maxsize=None)
def _batch_optimum(mm: int, d: int):
    """The best of 2 restarts of torch L-BFGS for one batch of the sigmoid loss at t = b = 5
    (case (iii) of Thm 5.1, the ETF regime for every m >= 3)."""
    return optimise_batch(mm, d, t=[5.0], b=[5.0], seeds=0, restarts=2)[0]


def _descent_in_least_dimension(claim, point, evidence):
    """Float64: one batch minimised by gradient descent (sigmoid, t = b = 5) in the least d the
    claim admits; every batch a copy of it is a minimiser of the sum (the batches decouple).
    Its s_pos is the claimed 1, its negative similarities' mean the claimed -1/(n-1), and their
    variance at most the claimed upper bound."""
    nn, mm = point["n"], point["m"]
    d = next(d for d in range(2, mm + 2) if claim.admits("d", n=nn, m=mm, d=d))
    run = _batch_optimum(mm, d)
    if not run.converged:
        raise Inconclusive(f"optimiser did not converge at m={mm}, d={d}")
    G = run.U @ run.V.T
    mean, var = _variance(np.kron(np.ones((nn // mm, nn // mm)), G))
    at = {n: nn, m: mm}
    evidence.update(d=d, s_pos_min=run.s_pos_min, mean=mean, variance=var)
    wrong = []
    if abs(run.s_pos_min - float(claim.s_pos)) > _VARIANCE_TOLERANCE:
        wrong.append(f"min s_pos = {run.s_pos_min:.9g}")
    if abs(mean - float(claim.mean.subs(at))) > _VARIANCE_TOLERANCE:
        wrong.append(f"E[s_neg] = {mean:.9g}")
    if var > float(claim.upper.subs(at)) + _VARIANCE_TOLERANCE:
        wrong.append(f"Var[s_neg] = {var:.9g} > {float(claim.upper.subs(at)):.9g}")
    return f"n={nn}, m={mm}, d={d}: {', '.join(wrong)}" if wrong else None


_LOWER = (n - m) / ((m - 1) * (n - 1) ** 2)
_UPPER = n * (n - m) / ((m - 1) * (n - 1) ** 2)
_THM5_5 = Claim({"s_pos": sp.Integer(1), "mean": -1 / (n - 1), "lower": _LOWER, "upper": _UPPER,
                 "dimension": n / m * (m - 1)},
                {"m": sp.And(H.m >= 2, H.m <= H.n), "batches": sp.Eq(sp.Mod(H.n, H.m), 0), "d": H.d >= H.m - 1,
                 "loss": "a form of Thm 5.1 (checked: sigmoid, t = b = 5)"})
_EXACT_POINTS = tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[:3])

THM5_5 = Theorem(
    id="lee2025.thm5_5",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Theorem 5.5, eq. (11) and 'A necessary condition for "
           "attaining the minimum variance of negative-pair similarities in (11) is d >= b(m-1)' "
           "(b = n/m batches of size m); that both bounds are attained is from its proof",
    statement=r"d \ge m-1:\ s_{pos} = 1,\ E[s_{neg}] = -\tfrac1{n-1},\ \mathrm{Var}[s_{neg}] \in "
              r"\Big[\tfrac{n-m}{(m-1)(n-1)^2}, \tfrac{n(n-m)}{(m-1)(n-1)^2}\Big]\text{, both attained; "
              r"the lower bound needs } d \ge \tfrac nm(m-1)",
    parts=(
        Part("mean", r"s_{pos} = 1,\ E[s_{neg}] = -\tfrac1{n-1}"),
        Part("variance_bounds", r"\mathrm{Var}[s_{neg}] \in \Big[\tfrac{n-m}{(m-1)(n-1)^2}, "
                                r"\tfrac{n(n-m)}{(m-1)(n-1)^2}\Big]\ \text{(eq. 11)}"),
        Part("attained", r"\text{both bounds are attained (the proof's constructions)}"),
        Part("min_variance_dimension", r"\text{the minimum variance needs } d \ge b(m-1),\ b = n/m"),
    ),
    claim=_THM5_5,
    uses=("lee2025.thm5_1_5_3_ex5_4",),
    checks=(
        Check("bounds_derived_for_every_n_and_m", "proof", _bounds_derived, parts=("mean", "variance_bounds"),
              scope="every n and batch size m | n, given the batch minimisers of Thm 5.1 (the ETF frame "
                    "bound on the cross-batch blocks is hand-argued)", whole_domain=True),
        Check("bounds_attained_by_constructions", "proof", _bounds_attained, parts=("attained",),
              points=_EXACT_POINTS,
              thorough_points=tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[3:] + ((30, 5), (24, 6)))),
        Check("minimum_variance_gram_rank_is_dimension", "proof", _dimension_of_minimum,
              parts=("min_variance_dimension",), points=_EXACT_POINTS,
              thorough_points=tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[3:])),
        Check("random_rotations_within_bounds", "empirical", _random_rotations_within_bounds,
              parts=("variance_bounds",),
              points=({"n": 12, "m": 3, "seed": 0},), thorough_points=({"n": 20, "m": 5, "seed": 1},)),
        Check("descent_in_least_dimension", "empirical", _descent_in_least_dimension,
              parts=("mean", "variance_bounds"), points=({"n": 8, "m": 4},),
              thorough_points=({"n": 15, "m": 5},),
              scope="n = 8, m = 4, one batch by 2 seeded L-BFGS restarts (sigmoid, t = b = 5) in the least "
                    "admitted d"),
    ),
    mutants=(
        Mutant("lower_without_m_minus_1", "(n-m)/(n-1)^2 is below the orthogonal batches' variance",
               _THM5_5.vary(lower=(n - m) / (n - 1) ** 2)),
        Mutant("upper_with_n_squared", "n^2 (n-m) overstates the shared-ETF variance",
               _THM5_5.vary(upper=n ** 2 * (n - m) / ((m - 1) * (n - 1) ** 2))),
        Mutant("bounds_swapped", "the shared-ETF variance n(n-m)/((m-1)(n-1)^2) is the largest, not the smallest",
               _THM5_5.vary(lower=_UPPER, upper=_LOWER)),
        Mutant("mean_minus_1_over_m_minus_1", "-1/(m-1) is the mean within a batch, not over all pairs",
               _THM5_5.vary(mean=-1 / (m - 1))),
        Mutant("dimension_n_minus_1", "d >= n - 1 (the full-batch ETF) is not the minimum's rank b(m-1)",
               _THM5_5.vary(dimension=n - 1)),
        Mutant("d_m_minus_2", "in d = m - 2 the batch ETF does not exist: at m = 4, d = 2 the batch optimum "
               "(a square) shared by both batches has Var[s_neg] 0.408 > 0.218", _THM5_5.vary(d=H.d >= H.m - 2)),
    ),
)


# --- Theorem 5.6 ------------------------------------------------------------------------------
# claim.gradient: the closed form of dL_m/dS_ij for the symmetric InfoNCE on the leading m x m
# block; claim.order: how it changes with m ("decreasing": 0 < g_m2 < g_m1 for m1 < m2).

def _closed_form(S, tau, exp):
    r""":math:`\frac{1}{m\tau}[\mathrm{softmax}_j(S_{i\cdot}/\tau) + \mathrm{softmax}_i(S_{\cdot j}/\tau)]`."""
    k = len(S)
    E = [[exp(S[i][j] / tau) for j in range(k)] for i in range(k)]
    rows = [sum(E[i]) for i in range(k)]
    cols = [sum(E[r][j] for r in range(k)) for j in range(k)]
    return [[(E[i][j] / rows[i] + E[i][j] / cols[j]) / (k * tau) for j in range(k)] for i in range(k)]


def _printed_denominator(S, tau, exp):
    """The proof's printed second denominator, :math:`\\sum_{i'} e^{u_{i'}\\cdot v_i/\\tau}` (column i)."""
    k = len(S)
    E = [[exp(S[i][j] / tau) for j in range(k)] for i in range(k)]
    rows = [sum(E[i]) for i in range(k)]
    cols = [sum(E[r][j] for r in range(k)) for j in range(k)]
    return [[(E[i][j] / rows[i] + E[i][j] / cols[i]) / (k * tau) for j in range(k)] for i in range(k)]


#: Temperatures the checks try (those the claim admits): a negative one shows the sign's role.
_TAUS = (sp.Rational(1, 2), sp.Rational(2), sp.Rational(-1, 2))


def _taus(claim) -> list:
    return [tau for tau in _TAUS if claim.admits("tau", tau=tau)]


@lru_cache(maxsize=None)
def _exact_gradient(k: int, tau):
    """The k x k matrix S of free symbols and dL/dS_ij of
    clverify.theory.losses.infonce_sym_loss on it."""
    S = sp.Matrix(k, k, lambda i, j: sp.Symbol(f"s_{i}_{j}", real=True))
    grams = Grams(uv=ExplicitSimilarity(S), uu=ExplicitSimilarity(S), vv=ExplicitSimilarity(S))
    loss = infonce_sym_loss(grams, SYMPY_OPS, tau=tau)
    grad = sp.Matrix(k, k, lambda i, j: sp.diff(loss, S[i, j]))
    return S, grad


@lru_cache(maxsize=None)
def _gradient_function(k: int, tau):
    """:func:`_exact_gradient` as a numpy function of the k*k entries (row by row)."""
    S, grad = _exact_gradient(k, tau)
    return sp.lambdify(list(S), grad, "numpy")


def _closed_form_is_derivative(claim, point, evidence):
    """SymPy: the claimed closed form minus the exact derivative of the symmetric InfoNCE (its one
    definition, on a k x k matrix of free symbols, with a symbolic tau of the sign the claim
    admits) simplifies to 0 at every off-diagonal entry."""
    k = point["m"]
    positive = all(tau > 0 for tau in _taus(claim))
    tau = sp.Symbol("tau", positive=True) if positive else sp.Symbol("tau", real=True, nonzero=True)
    S, grad = _exact_gradient(k, tau)
    claimed = claim.gradient([[S[i, j] for j in range(k)] for i in range(k)], tau, sp.exp)
    for i in range(k):
        for j in range(k):
            if i != j and sp.simplify(sp.expand(claimed[i][j] - grad[i, j])) != 0:
                return f"m={k}: the claimed dL/dS_{i}{j} differs from the derivative of the loss"
    return None


def _gradient_order_on_random_embeddings(claim, point, evidence):
    """Float64, the exact derivative (lambdified), at each admitted tau: for random unit
    embeddings of the largest size and every m1 < m2 <= M, the derivative on each negative pair
    of the leading m1 block is > 0 and changes with m in the claimed direction; the claimed
    closed form agrees with it."""
    M, cases, seed = point["M"], point["cases"], point["seed"]
    worst = 0.0
    for tau in _taus(claim):
        rng = np.random.default_rng(seed)
        grads = {k: _gradient_function(k, tau) for k in range(2, M + 1)}
        for _ in range(cases):
            d = int(rng.integers(2, M + 2))
            U, V = unit_rows(rng.standard_normal((2, M, d)))
            S = U @ V.T
            g = {k: np.array(grads[k](*S[:k, :k].ravel()), dtype=float) for k in grads}
            for k in grads:
                closed = np.array(claim.gradient(S[:k, :k].tolist(), float(tau), math.exp))
                worst = max(worst, float(np.abs(closed - g[k])[~np.eye(k, dtype=bool)].max()))
            for m1 in range(2, M):
                for m2 in range(m1 + 1, M + 1):
                    off = ~np.eye(m1, dtype=bool)
                    a, c = g[m1][off], g[m2][:m1, :m1][off]
                    ok = (c > 0).all() and ((c < a).all() if claim.order == "decreasing" else (c > a).all())
                    if not ok:
                        return (f"tau={tau}, m1={m1}, m2={m2}, d={d}: dL/dS_ij = {a.min():.6g}.. at m1, "
                                f"{c.min():.6g}.. at m2: not 0 < g_m2, {claim.order}")
    evidence["max_closed_form_error"] = worst
    if worst > 1e-12:
        return f"the claimed closed form differs from the derivative by {worst:.3g}"
    return None


_THM5_6 = Claim({"gradient": _closed_form, "order": "decreasing"},
                {"tau": sp.Gt(H.tau, 0), "batches": "m1 < m2 <= n, the leading m1 and m2 samples",
                 "loss": "symmetric InfoNCE, tau divides, 1/m per direction",
                 "s_ij": "treated as independent variables"})

THM5_6 = Theorem(
    id="lee2025.thm5_6",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Theorem 5.6: '0 <= dL(U_[m2],V_[m2])/d(u_i.v_j) <= "
           "dL(U_[m1],V_[m1])/d(u_i.v_j)' for distinct i, j (printed 'in [m]', read [m1]), equality iff "
           "m1 = m2; closed form from its proof, with the printed second denominator sum_i' exp(u_i'.v_i/t) "
           "read as sum_i' exp(u_i'.v_j/t)",
    statement=r"m_1 < m_2,\ i \ne j \in [m_1]:\ 0 < \frac{\partial L_{m_2}}{\partial s_{ij}} < "
              r"\frac{\partial L_{m_1}}{\partial s_{ij}},\ \frac{\partial L_m}{\partial s_{ij}} = "
              r"\frac{1}{m\tau}\big[\mathrm{softmax}_j(s_{i\cdot}/\tau) + \mathrm{softmax}_i(s_{\cdot j}/\tau)\big]",
    parts=(
        Part("order", r"m_1 < m_2,\ i \ne j \in [m_1]:\ 0 \le \frac{\partial L_{m_2}}{\partial s_{ij}} \le "
                      r"\frac{\partial L_{m_1}}{\partial s_{ij}},\ \text{equality iff } m_1 = m_2"),
        Part("closed_form", r"\frac{\partial L_m}{\partial s_{ij}} = \frac{1}{m\tau}\big[\mathrm{softmax}_j"
                            r"(s_{i\cdot}/\tau) + \mathrm{softmax}_i(s_{\cdot j}/\tau)\big]\ \text{(the proof's, "
                            r"denominator corrected)}"),
    ),
    claim=_THM5_6,
    checks=(
        Check("closed_form_is_derivative", "proof", _closed_form_is_derivative, parts=("closed_form",),
              points=({"m": 2}, {"m": 3}), thorough_points=({"m": 4},),
              scope="m in {2, 3}, every admitted tau (symbolic), every S"),
        Check("gradient_order_on_random_embeddings", "empirical", _gradient_order_on_random_embeddings,
              parts=("order",),
              points=({"M": 5, "cases": 100, "seed": 0},), thorough_points=({"M": 6, "cases": 1000, "seed": 1},),
              scope="100 random embeddings, m1 < m2 <= 5, tau in {1/2, 2}"),
    ),
    mutants=(
        Mutant("printed_denominator", "the column sum must run over column j, not column i",
               _THM5_6.vary(gradient=_printed_denominator)),
        Mutant("increasing_in_batch_size", "a larger batch adds terms to both softmax denominators",
               _THM5_6.vary(order="increasing")),
        Mutant("tau_nonzero", "with tau < 0 the derivative (1/(m tau)) [...] is negative",
               _THM5_6.vary(tau=sp.Ne(H.tau, 0))),
    ),
)


# --- Definition 5.7 and Table 1: the VRNS auxiliary loss --------------------------------------

def _vrns(S, nn):
    r"""Definition 5.7: :math:`\frac{1}{m(m-1)}\sum_{i\ne j}(s_{ij} + \frac{1}{n-1})^2` on a batch's
    similarity matrix ``S`` (m x m), ``nn`` training samples."""
    k = S.rows
    return sum((S[i, j] + sp.Rational(1, nn - 1)) ** 2 for i in range(k) for j in range(k) if i != j) / (k * (k - 1))


def _authors_code(S, k, p=2):
    """``solo/losses/vrn.py`` (leechungpa/embedding-similarity-cl): ``(similarity[neg_mask] -
    delta).pow(p).mean()``, with ``delta = -1/(k-1)`` set in ``solo/methods/base.py`` from the
    config's ``k`` (the number of training samples) and ``p = 2`` by default."""
    delta = sp.Rational(-1, k - 1)
    negatives = [S[i, j] for i in range(S.rows) for j in range(S.cols) if i != j]
    return sum((s - delta) ** p for s in negatives) / len(negatives)


def _symbolic_batch(k: int):
    return sp.Matrix(k, k, lambda i, j: sp.Symbol(f"s_{i}_{j}", real=True))


def _matches_authors_code(claim, point, evidence):
    """SymPy, on an m x m matrix of free symbols and n samples: the claimed L_VRNS equals the
    authors' code (:func:`_authors_code`) identically."""
    k, nn = point["m"], point["n"]
    S = _symbolic_batch(k)
    rest = sp.expand(claim.vrns(S, nn) - _authors_code(S, nn))
    return None if rest == 0 else f"m={k}, n={nn}: claimed L_VRNS - the authors' code = {sp.factor(rest)}"


def _variance_decomposition(claim, point, evidence):
    """SymPy, on an m x m matrix of free symbols: L_VRNS = Var_B[s_neg] + (E_B[s_neg] +
    1/(n-1))^2 over the batch's m(m-1) negative pairs (population variance)."""
    k, nn = point["m"], point["n"]
    S = _symbolic_batch(k)
    off = [S[i, j] for i in range(k) for j in range(k) if i != j]
    mean = sum(off) / len(off)
    decomposition = sum((s - mean) ** 2 for s in off) / len(off) + (mean - claim.target.subs(n, nn)) ** 2
    rest = sp.expand(claim.vrns(S, nn) - decomposition)
    return None if rest == 0 else f"m={k}, n={nn}: L_VRNS - (Var + (E - target)^2) = {sp.factor(rest)}"


def _zero_at_full_batch_optimum(claim, point, evidence):
    """Exact: the n-point simplex ETF (Thm 5.1's full-batch optimum, u_i = v_i) in the least
    dimension the claim admits, split into batches of every size m | n: L_VRNS = 0 in every
    batch, while the batch-wise optimum of Thm 5.5 (each batch its m-point ETF) has L_VRNS =
    (1/(m-1) - 1/(n-1))^2 > 0 for m < n; and L_VRNS >= 0 (a sum of squares), so for lambda >= 0
    the ETF also minimises L + lambda L_VRNS."""
    nn = point["n"]
    W, G = _batch_etf(nn)
    d = next(d for d in range(1, nn + 1) if claim.admits("d", n=nn, d=d))
    if W.rank() > d:
        return f"n={nn}: the claim admits d = {d}, but the simplex ETF has rank {W.rank()}"
    if any(claim.admits("lam", lam=v) for v in (-1, sp.Rational(-1, 2))):
        raise Inconclusive("the argument needs lambda >= 0")
    for mm in (k for k in range(2, nn + 1) if nn % k == 0):
        full = sp.nsimplify(claim.vrns(G[:mm, :mm], nn))
        own = sp.nsimplify(claim.vrns(_batch_etf(mm)[1], nn))
        evidence[f"m={mm}"] = {"etf_of_n": str(full), "etf_of_m": str(own)}
        if full != 0:
            return f"n={nn}, m={mm}: the full-batch ETF has L_VRNS = {full}, not 0"
        if mm < nn and not own > 0:
            return f"n={nn}, m={mm}: the batch-wise optimum has L_VRNS = {own}, not > 0"
    return None


#: Table 1 of [L25] (ResNet-18, CIFAR-100, SimCLR at temperature 0.2, 5,000 positive pairs,
#: lambda = 30): batch size -> (Var[s_neg] with SimCLR, with SimCLR + VRNS), as printed.
_TABLE1 = {32: ("0.1649", "0.1008"), 64: ("0.1505", "0.0952"), 128: ("0.1444", "0.0929"),
           256: ("0.1404", "0.0921"), 512: ("0.1396", "0.0917")}


def _table1_orderings(claim, point, evidence):
    """The printed values (exact decimals): each column falls (or rises, as claimed) strictly as
    the batch grows, and the VRNS column is below (or above) the SimCLR one at every batch."""
    sizes = sorted(claim.table1)
    simclr, vrns = ([Fraction(claim.table1[s][c]) for s in sizes] for c in (0, 1))
    fall = claim.batch_trend == "decreasing"
    for name, column in (("SimCLR", simclr), ("SimCLR + VRNS", vrns)):
        for s1, s2, v1, v2 in zip(sizes, sizes[1:], column, column[1:]):
            if (v2 < v1) != fall:
                return f"{name}: {v1} at batch {s1}, {v2} at batch {s2}: not {claim.batch_trend}"
    lower = claim.vrns_effect == "lower"
    for s, a, c in zip(sizes, simclr, vrns):
        if (c < a) != lower:
            return f"batch {s}: SimCLR {a}, SimCLR + VRNS {c}: VRNS is not {claim.vrns_effect}"
    return None


def _table1_against_thm5_5(claim, point, evidence):
    """Exact: every printed variance against Thm 5.5's upper bound n(n-m)/((m-1)(n-1)^2) at the
    table's n and each batch size m: above it, as claimed, or not."""
    nn = claim.table1_n
    for size, values in sorted(claim.table1.items()):
        bound = Fraction(nn * (nn - size), (size - 1) * (nn - 1) ** 2)
        evidence[f"m={size}"] = float(bound)
        for value in values:
            if (Fraction(value) > bound) != (claim.thm5_5_relation == "above"):
                return f"batch {size}: the printed {value} is not {claim.thm5_5_relation} Thm 5.5's upper bound {float(bound):.3g}"
    return None


_DEF5_7 = Claim({"vrns": _vrns, "target": -1 / (n - 1), "table1": _TABLE1, "table1_n": 50000,
                 "batch_trend": "decreasing", "vrns_effect": "lower", "thm5_5_relation": "above"},
                {"m": sp.And(H.m >= 2, H.m <= H.n), "d": H.d >= H.n - 1, "lam": sp.Symbol("lam") >= 0,
                 "table1_setting": "ResNet-18, CIFAR-100, SimCLR at temperature 0.2, 5,000 positive pairs, lambda = 30"})
_SIZES = ({"m": 2, "n": 10}, {"m": 3, "n": 50000})

DEF5_7 = Theorem(
    id="lee2025.def5_7",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Definition 5.7 (L_VRNS, added as L + lambda L_VRNS) and "
           "Table 1 (variance of negative-pair similarities, SimCLR vs SimCLR + VRNS, batch 32-512), as "
           "printed; the authors' code github.com/leechungpa/embedding-similarity-cl solo/losses/vrn.py "
           "and solo/methods/base.py (delta = -1/(k-1), p = 2, weight 30); the README's '+ 1/n' "
           "approximates + 1/(n-1).  The variance decomposition, the zero at the full-batch optimum and "
           "the comparison of Table 1 with Thm 5.5 are this project's",
    statement=r"L_{VRNS}(U_{[m]}, V_{[m]}) = \tfrac{1}{m(m-1)}\textstyle\sum_{i\ne j}(u_i\cdot v_j + "
              r"\tfrac{1}{n-1})^2 = \mathrm{Var}_B[s_{neg}] + (E_B[s_{neg}] + \tfrac{1}{n-1})^2;\ "
              r"\text{Table 1: lower variance with VRNS, falling with the batch size}",
    parts=(
        Part("definition", r"L_{VRNS}(U_{[m]}, V_{[m]}) = \tfrac{1}{m(m-1)}\textstyle\sum_{i\ne j}"
                           r"(u_i\cdot v_j + \tfrac{1}{n-1})^2\ \text{(as the authors' code computes it)}"),
        Part("variance_decomposition", r"L_{VRNS} = \mathrm{Var}_B[s_{neg}] + (E_B[s_{neg}] + \tfrac{1}{n-1})^2"
                                       r"\ \text{(this project's)}"),
        Part("zero_at_full_batch_optimum", r"d \ge n - 1:\ L_{VRNS} = 0 \text{ in every batch at the simplex "
                                           r"ETF, so } L + \lambda L_{VRNS},\ \lambda \ge 0, \text{ keeps the "
                                           r"full-batch optimum (this project's)}"),
        Part("table1_orderings", r"\text{Table 1 as printed: the variance falls with the batch size, and "
                                 r"is lower with VRNS at every batch size}"),
        Part("table1_above_thm5_5", r"\text{every variance of Table 1 exceeds Thm 5.5's upper bound at } "
                                    r"n = 50000\ \text{(this project's)}"),
    ),
    claim=_DEF5_7,
    uses=("lee2025.thm5_1_5_3_ex5_4", "lee2025.thm5_5"),
    checks=(
        Check("matches_authors_code", "proof", _matches_authors_code, parts=("definition",), points=_SIZES,
              scope="m in {2, 3}, every similarity matrix (symbolic), n in {10, 50000}"),
        Check("variance_decomposition_identity", "proof", _variance_decomposition,
              parts=("variance_decomposition",), points=_SIZES + ({"m": 4, "n": 7},),
              scope="m in {2, 3, 4}, every similarity matrix (symbolic)"),
        Check("zero_at_simplex_etf", "proof", _zero_at_full_batch_optimum, parts=("zero_at_full_batch_optimum",),
              points=({"n": 4}, {"n": 6}), thorough_points=({"n": 12},),
              scope="n in {4, 6}, every batch size m | n, exact"),
        Check("table1_orderings_as_printed", "empirical", _table1_orderings, parts=("table1_orderings",),
              scope="the ten printed values (the authors' GPU runs; not repeated here)"),
        Check("table1_against_thm5_5_bound", "proof", _table1_against_thm5_5, parts=("table1_above_thm5_5",),
              scope="the ten printed values, n = 50000, exact", whole_domain=True),
    ),
    mutants=(
        Mutant("readme_target_1_over_n", "the README's + 1/n is not the definition's and the code's + 1/(n-1): "
               "the full-batch ETF then has L_VRNS = (1/n - 1/(n-1))^2 > 0",
               _DEF5_7.vary(vrns=lambda S, nn: sum((S[i, j] + sp.Rational(1, nn)) ** 2 for i in range(S.rows)
                                                   for j in range(S.rows) if i != j) / (S.rows * (S.rows - 1)),
                            target=-1 / n)),
        Mutant("sum_not_mean", "without 1/(m(m-1)) the loss is m(m-1) times the code's mean",
               _DEF5_7.vary(vrns=lambda S, nn: _vrns(S, nn) * S.rows * (S.rows - 1))),
        Mutant("d_n_minus_2", "the n-point simplex ETF needs d >= n - 1", _DEF5_7.vary(d=H.d >= H.n - 2)),
        Mutant("vrns_raises_variance", "every printed SimCLR + VRNS value is below the SimCLR one",
               _DEF5_7.vary(vrns_effect="higher")),
        Mutant("variance_rises_with_batch", "both printed columns fall from batch 32 to 512",
               _DEF5_7.vary(batch_trend="increasing")),
        Mutant("table1_within_thm5_5", "0.0917 > 0.0322, the largest upper bound (m = 32)",
               _DEF5_7.vary(thm5_5_relation="below")),
    ),
)

THEOREMS = [THM5_5, THM5_6, DEF5_7]
