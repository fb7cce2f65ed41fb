r"""Lee, Lim, Lee, Sohn (ICML 2025): mini-batches.  The variance of negative-pair similarities
when the minimiser is taken batch by batch (Thm 5.5), and the InfoNCE gradient on a negative
pair as the batch grows (Thm 5.6).

Meanings in this paper: in Thm 5.5 ``m`` is the batch size and the number of batches is
``n/m`` (the paper's ``b``, not a bias); in Thm 5.6 ``tau`` is a temperature that **divides**
(the paper writes ``t``).  For a fixed embedding the mean and the variance of the negative-pair
similarities are those of the :math:`n(n-1)` entries :math:`u_i\cdot v_j`, :math:`i \ne j`
(population variance).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from clverify.numerics.descent.metrics import unit_rows
from clverify.theory import SimplexETF
from clverify.theory.losses import infonce_sym_loss
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams

from ..registry import Check, Mutant, Theorem

n, m = sp.symbols("n m", positive=True, integer=True)
#: (n, m) points of the exact checks: Figure 2's (4, 2) and others with m | n.
_BATCH_POINTS = ((4, 2), (6, 3), (12, 3), (12, 4), (20, 5))
#: Float64 slack of a variance computed from random rotations.
_VARIANCE_TOLERANCE = 1e-12


# --- Theorem 5.5 ------------------------------------------------------------------------------
# claim: (lower(n, m), upper(n, m), dimension(n, m)): every minimiser of sum_k L(U_Ik, V_Ik) has
# Var[s_neg] in [lower, upper]; both are attained, the lower bound needs d >= dimension.

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


def _bounds_attained(claim, point, evidence):
    """Exact (SymPy rationals): both constructions have s_pos = 1, E[s_neg] = -1/(n-1), and the
    variances of their negative similarities are the claimed upper and lower bounds."""
    nn, mm = point["n"], point["m"]
    at = {n: nn, m: mm}
    for name, bound in (("shared", claim[1]), ("orthogonal", claim[0])):
        S = _extreme_grams(nn, mm)[name]
        mean, var = _negative_moments(S)
        evidence[f"var_{name}"] = str(var)
        if any(S[i, i] != 1 for i in range(nn)) or mean != sp.Rational(-1, nn - 1):
            return f"n={nn}, m={mm}: the {name} construction has E[s_neg] = {mean}, not -1/(n-1)"
        if var != sp.nsimplify(bound.subs(at)):
            return f"n={nn}, m={mm}: the {name} construction has Var[s_neg] = {var}, claimed {bound.subs(at)}"
    return None


def _dimension_of_minimum(claim, point, evidence):
    """Exact ranks: the lower bound forces every cross-batch similarity to 0 (the variance is
    the mean square minus 1/(n-1)^2, and the within-batch blocks are ETF Grams), so the Gram
    of a minimum-variance minimiser is unique and its rank is the least dimension that holds
    it; the claimed dimension must be that rank.  The upper bound's Gram has rank m - 1 (the
    hypothesis d >= m - 1 suffices for it)."""
    nn, mm = point["n"], point["m"]
    grams = _extreme_grams(nn, mm)
    rank_min, rank_max = grams["orthogonal"].rank(), grams["shared"].rank()
    evidence.update(rank_min=rank_min, rank_max=rank_max)
    claimed = int(claim[2].subs({n: nn, m: mm}))
    if rank_min != claimed:
        return f"n={nn}, m={mm}: the minimum-variance Gram has rank {rank_min}, claimed dimension {claimed}"
    if rank_max != mm - 1:
        return f"n={nn}, m={mm}: the maximum-variance Gram has rank {rank_max}, not m - 1"
    return None


def _random_rotations_within_bounds(claim, point, evidence):
    """Float64: batches made of randomly rotated copies of the batch ETF (every such embedding
    is a minimiser, by Thm 5.1 per batch), in d = m - 1 ... b(m-1) + 2: the variance of the
    negative similarities lies in the claimed interval."""
    nn, mm, seed = point["n"], point["m"], point["seed"]
    rng = np.random.default_rng(seed)
    W = np.array(_batch_etf(mm)[0].evalf(20), dtype=float)
    lo, hi = (float(e.subs({n: nn, m: mm})) for e in claim[:2])
    seen = []
    for d in (mm - 1, nn // mm * (mm - 1), nn // mm * (mm - 1) + 2):
        for _ in range(20):
            blocks = []
            for _ in range(nn // mm):
                Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
                blocks.append(np.hstack([W, np.zeros((mm, d - (mm - 1)))]) @ Q)
            U = np.vstack(blocks)
            S = U @ U.T
            var = float(S[~np.eye(nn, dtype=bool)].var())
            seen.append(var)
            if not lo - _VARIANCE_TOLERANCE <= var <= hi + _VARIANCE_TOLERANCE:
                return f"n={nn}, m={mm}, d={d}: a minimiser has Var[s_neg] = {var:.9g} outside [{lo:.9g}, {hi:.9g}]"
    evidence["variance_range"] = [min(seen), max(seen)]
    return None


_LOWER = (n - m) / ((m - 1) * (n - 1) ** 2)
_UPPER = n * (n - m) / ((m - 1) * (n - 1) ** 2)
_DIMENSION = n / m * (m - 1)

THM5_5 = Theorem(
    id="lee2025.thm5_5",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Theorem 5.5, eq. (11) and 'A necessary condition for "
           "attaining the minimum variance of negative-pair similarities in (11) is d >= b(m-1)' "
           "(b = n/m batches of size m)",
    statement=r"d \ge m-1:\ s_{pos} = 1,\ E[s_{neg}] = -\tfrac1{n-1},\ \mathrm{Var}[s_{neg}] \in "
              r"\Big[\tfrac{n-m}{(m-1)(n-1)^2}, \tfrac{n(n-m)}{(m-1)(n-1)^2}\Big]\text{, both attained; "
              r"the lower bound needs } d \ge \tfrac nm(m-1)",
    hypotheses={"n": "integer", "m": "batch size >= 2 dividing n", "d": ">= m - 1",
                "loss": "one whose per-batch minimiser is the ETF with u_i = v_i (Thm 5.1)"},
    claim=(_LOWER, _UPPER, _DIMENSION),
    checks=(
        Check("bounds_attained_by_constructions", "proof", _bounds_attained,
              points=tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[:3]),
              thorough_points=tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[3:] + ((30, 5), (24, 6)))),
        Check("minimum_variance_gram_rank_is_dimension", "proof", _dimension_of_minimum,
              points=tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[:3]),
              thorough_points=tuple({"n": a, "m": c} for a, c in _BATCH_POINTS[3:])),
        Check("random_rotations_within_bounds", "empirical", _random_rotations_within_bounds,
              points=({"n": 12, "m": 3, "seed": 0},), thorough_points=({"n": 20, "m": 5, "seed": 1},)),
    ),
    mutants=(
        Mutant("lower_without_m_minus_1", "(n-m)/(n-1)^2 is below the orthogonal batches' variance",
               ((n - m) / (n - 1) ** 2, _UPPER, _DIMENSION)),
        Mutant("upper_with_n_squared", "n^2 (n-m) overstates the shared-ETF variance",
               (_LOWER, n ** 2 * (n - m) / ((m - 1) * (n - 1) ** 2), _DIMENSION)),
        Mutant("bounds_swapped", "the shared-ETF variance n(n-m)/((m-1)(n-1)^2) is the largest, not the smallest",
               (_UPPER, _LOWER, _DIMENSION)),
        Mutant("dimension_n_minus_1", "d >= n - 1 (the full-batch ETF) is not the minimum's rank b(m-1)",
               (_LOWER, _UPPER, n - 1)),
    ),
)


# --- Theorem 5.6 ------------------------------------------------------------------------------
# claim: (gradient(S, tau, exp), order): the closed form of dL_m/dS_ij for the symmetric InfoNCE
# on the leading m x m block, and how it changes with m ("decreasing": 0 < g_m2 < g_m1).

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


_TAU = sp.Rational(1, 2)


@lru_cache(maxsize=None)
def _exact_gradient(k: int):
    """The k x k matrix S of free symbols and dL/dS_ij of
    clverify.theory.losses.infonce_sym_loss on it (tau = 1/2)."""
    S = sp.Matrix(k, k, lambda i, j: sp.Symbol(f"s_{i}_{j}", real=True))
    grams = Grams(uv=ExplicitSimilarity(S), uu=ExplicitSimilarity(S), vv=ExplicitSimilarity(S))
    loss = infonce_sym_loss(grams, SYMPY_OPS, tau=_TAU)
    grad = sp.Matrix(k, k, lambda i, j: sp.diff(loss, S[i, j]))
    return S, grad


@lru_cache(maxsize=None)
def _gradient_function(k: int):
    """:func:`_exact_gradient` as a numpy function of the k*k entries (row by row)."""
    S, grad = _exact_gradient(k)
    return sp.lambdify(list(S), grad, "numpy")


def _closed_form_is_derivative(claim, point, evidence):
    """SymPy: the claimed closed form minus the exact derivative of the symmetric InfoNCE (its one
    definition, on a k x k matrix of free symbols) simplifies to 0 at every off-diagonal entry."""
    k = point["m"]
    S, grad = _exact_gradient(k)
    claimed = claim[0]([[S[i, j] for j in range(k)] for i in range(k)], _TAU, sp.exp)
    for i in range(k):
        for j in range(k):
            if i != j and sp.simplify(sp.expand(claimed[i][j] - grad[i, j])) != 0:
                return f"m={k}: the claimed dL/dS_{i}{j} differs from the derivative of the loss"
    return None


def _gradient_order_on_random_embeddings(claim, point, evidence):
    """Float64, the exact derivative (lambdified): for random unit embeddings of the largest
    size and every m1 < m2 <= M, the derivative on each negative pair of the leading m1 block
    is > 0 and changes with m in the claimed direction; the claimed closed form agrees with it."""
    M, cases, seed = point["M"], point["cases"], point["seed"]
    rng = np.random.default_rng(seed)
    grads = {k: _gradient_function(k) for k in range(2, M + 1)}
    worst = 0.0
    for _ in range(cases):
        d = int(rng.integers(2, M + 2))
        U, V = unit_rows(rng.standard_normal((2, M, d)))
        S = U @ V.T
        g = {k: np.array(grads[k](*S[:k, :k].ravel()), dtype=float) for k in grads}
        for k in grads:
            closed = np.array(claim[0](S[:k, :k].tolist(), float(_TAU), math.exp))
            worst = max(worst, float(np.abs(closed - g[k])[~np.eye(k, dtype=bool)].max()))
        for m1 in range(2, M):
            for m2 in range(m1 + 1, M + 1):
                off = ~np.eye(m1, dtype=bool)
                a, c = g[m1][off], g[m2][:m1, :m1][off]
                ok = (c > 0).all() and ((c < a).all() if claim[1] == "decreasing" else (c > a).all())
                if not ok:
                    return f"m1={m1}, m2={m2}, d={d}: dL/dS_ij = {a.min():.6g}.. at m1, {c.min():.6g}.. at m2: not {claim[1]}"
    evidence["max_closed_form_error"] = worst
    if worst > 1e-12:
        return f"the claimed closed form differs from the derivative by {worst:.3g}"
    return None


THM5_6 = Theorem(
    id="lee2025.thm5_6",
    source="Lee, Lim, Lee, Sohn (ICML 2025), Theorem 5.6: '0 <= dL(U_[m2],V_[m2])/d(u_i.v_j) <= "
           "dL(U_[m1],V_[m1])/d(u_i.v_j)' for distinct i, j (printed 'in [m]', read [m1]); closed form "
           "from its proof, with the printed second denominator sum_i' exp(u_i'.v_i/t) read as "
           "sum_i' exp(u_i'.v_j/t)",
    statement=r"m_1 < m_2,\ i \ne j \in [m_1]:\ 0 < \frac{\partial L_{m_2}}{\partial s_{ij}} < "
              r"\frac{\partial L_{m_1}}{\partial s_{ij}},\ \frac{\partial L_m}{\partial s_{ij}} = "
              r"\frac{1}{m\tau}\big[\mathrm{softmax}_j(s_{i\cdot}/\tau) + \mathrm{softmax}_i(s_{\cdot j}/\tau)\big]",
    hypotheses={"loss": "symmetric InfoNCE, tau divides, 1/m per direction", "m1 < m2": "<= n",
                "s_ij": "treated as independent variables"},
    claim=(_closed_form, "decreasing"),
    checks=(
        Check("closed_form_is_derivative", "proof", _closed_form_is_derivative,
              points=({"m": 2}, {"m": 3}), thorough_points=({"m": 4},)),
        Check("gradient_order_on_random_embeddings", "empirical", _gradient_order_on_random_embeddings,
              points=({"M": 5, "cases": 100, "seed": 0},), thorough_points=({"M": 6, "cases": 1000, "seed": 1},)),
    ),
    mutants=(
        Mutant("printed_denominator", "the column sum must run over column j, not column i", (_printed_denominator, "decreasing")),
        Mutant("increasing_in_batch_size", "a larger batch adds terms to both softmax denominators", (_closed_form, "increasing")),
    ),
)

THEOREMS = [THM5_5, THM5_6]
