r"""Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025): the geometry of sign-separated
configurations in low dimension: the modality gap for :math:`N \ge d + 2` (Thm 3.6) and
impossibility in the plane (Prop. 5).

A configuration is *sign-separated* when :math:`u_i\cdot v_i > 0` for all i and
:math:`u_i\cdot v_j < 0` for all :math:`i \ne j` (e.g. a constellation with :math:`m > |b_{rel}|`).
Conventions as in :mod:`clverify.proofs_check.theorems.bangachev2025`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp, minimize

from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.descent.optimise import optimise_batch
from clverify.theory import SimplexETF

from ..registry import Check, Inconclusive, Mutant, Theorem

#: Slack of the strict inequalities in the linear programmes (their variables are scaled to it).
_STRICT = 1e-7



def _sign_separated(U, V) -> bool:
    S = U @ V.T
    return bool(np.diag(S).min() > 0 and S[~np.eye(len(S), dtype=bool)].max() < 0)


def _half_space_exists(U) -> bool:
    """Whether some h has <h, U_i> > 0 for all i (LP: <h, U_i> >= 1, a feasibility problem)."""
    res = linprog(np.zeros(U.shape[1]), A_ub=-U, b_ub=-np.ones(len(U)), bounds=[(None, None)] * U.shape[1],
                  method="highs")
    return res.status == 0


def _most_negative_vs(U, V) -> int | None:
    """The largest number of V_j with <h, V_j> < 0 over the h with <h, U_i> > 0 for all i
    (mixed-integer programme, HiGHS; |h_k| <= 1, strictness 1e-7); None if no such h."""
    k, d = U.shape
    big = 2 * np.sqrt(d) + 1
    cost = np.concatenate([np.zeros(d), -np.ones(k)])
    cons = [LinearConstraint(np.hstack([U, np.zeros((k, k))]), _STRICT, np.inf),
            LinearConstraint(np.hstack([V, big * np.eye(k)]), -np.inf, big - _STRICT)]
    res = milp(cost, constraints=cons, integrality=np.concatenate([np.zeros(d), np.ones(k)]),
               bounds=Bounds(np.concatenate([-np.ones(d), np.zeros(k)]), np.ones(d + k)))
    return None if res.status != 0 else int(round(-res.fun))


@lru_cache(maxsize=None)
def _configurations(k: int, d: int, seed: int) -> dict:
    """Sign-separated configurations in R^d (the simplex ETF when k = d + 1; a CCEM-shaped one
    built on a random code; sigmoid-loss minimisers at t = 10, b = 0, when separated) and random, unseparated ones."""
    rng = np.random.default_rng(seed)
    out = {}
    if k == d + 1:
        W = SimplexETF(k).array()[0]
        out["simplex_etf"] = (W, W)
    X = unit_rows(rng.standard_normal((k, d - 1)))
    coherence = float((X @ X.T)[~np.eye(k, dtype=bool)].max())
    d2 = (0.5 + 1 / (1 + coherence)) / 2        # 1/2 < delta^2 < 1/(1 + coherence): separated
    col = np.full((k, 1), np.sqrt(1 - d2))
    out["ccem_code"] = (np.hstack([np.sqrt(d2) * X, col]), np.hstack([np.sqrt(d2) * X, -col]))
    for run in optimise_batch(k, d, t=[10.0, 10.0], b=[0.0, 0.0], seeds=[seed, seed + 1], restarts=1):
        out[f"trained_seed{run.seed}"] = (run.U, run.V)
    for j in range(3):
        out[f"random_{j}"] = (unit_rows(rng.standard_normal((k, d))), unit_rows(rng.standard_normal((k, d))))
    return out


def _conclusions_on_configurations(claim, point, evidence):
    """For N = n_min(d), n_min(d) + 1, n_min(d) + 3 and each configuration the claim covers
    (sign-separated ones, or all if the claim drops that hypothesis): some h has <h, U_i> > 0
    for all i (linear programme), and the largest number of V_j with <h, V_j> < 0 over such h
    (mixed-integer programme) is at least the claimed count."""
    n_min, count, separated_only = claim
    d, seed = point["d"], point["seed"]
    table = {}
    for k in (n_min(d), n_min(d) + 1, n_min(d) + 3):
        for name, (U, V) in _configurations(k, d, seed).items():
            if separated_only and not _sign_separated(U, V):
                continue
            if not _half_space_exists(U):
                return f"d={d}, N={k}, {name}: no h with <h, U_i> > 0 for all i"
            best = _most_negative_vs(U, V)
            if best is None:
                raise Inconclusive(f"d={d}, N={k}, {name}: the mixed-integer programme failed")
            table[f"N={k},{name}"] = best
            if best < count(k, d):
                return f"d={d}, N={k}, {name}: at most {best} of the V_j can be on the negative side, claimed {count(k, d)}"
    evidence["max_negative_count"] = table
    return None


def _min_norm_witness(claim, point, evidence):
    """The proof's route (Caratheodory): h = the minimum-norm point of conv(U) (a quadratic
    programme, SciPy) is 0 exactly when no half-space holds the U_i; otherwise <h, U_i> >= |h|^2 > 0 and, on sign-separated configurations, <h, V_j> < 0
    for every j outside its support (<= d points): at least N - support >= N - d of them."""
    n_min, count, _ = claim
    d, seed = point["d"], point["seed"]
    supports = {}
    for k in (n_min(d), n_min(d) + 1):
        for name, (U, V) in _configurations(k, d, seed).items():
            if not _sign_separated(U, V):
                continue
            res = minimize(lambda w: float(np.sum((w @ U) ** 2)), np.full(k, 1 / k), jac=lambda w: 2 * U @ (w @ U),
                           bounds=[(0, 1)] * k, constraints=({"type": "eq", "fun": lambda w: w.sum() - 1},),
                           method="SLSQP", options={"ftol": 1e-15, "maxiter": 500})
            h = res.x @ U
            support = int((res.x > 1e-8).sum())
            negative = int((V @ h < 0).sum())
            supports[f"N={k},{name}"] = (support, negative)
            if np.linalg.norm(h) < 1e-9:     # 0 in conv(U): no h has <h, U_i> > 0 for all i (Gordan)
                return f"d={d}, N={k}, {name}: 0 lies in the convex hull of the U_i, so no half-space holds them"
            if float((U @ h).min()) <= 0:
                raise Inconclusive(f"d={d}, N={k}, {name}: the minimum-norm point is not separating (|h| = {np.linalg.norm(h):.3g})")
            if negative < count(k, d):
                return f"d={d}, N={k}, {name}: the proof's witness puts {negative} V_j on the negative side, claimed {count(k, d)}"
    evidence["support_and_negative_count"] = supports
    return None


_THM3_6_CLAIM = (lambda d: d + 2, lambda k, d: k - d, True)

THM3_6 = Theorem(
    id="bangachev2025.thm3_6",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.6 (statement partly reconstructed): "
           "'condition (8) is satisfied for at least N - d values of j instead of all N'",
    statement=r"N \ge d + 2,\ u_i\cdot v_i > 0 > u_i\cdot v_j\ (i \ne j) \Rightarrow \exists h \in S^{d-1}:\ "
              r"\langle h, u_i\rangle > 0\ \forall i,\ \langle h, v_j\rangle < 0 \text{ for at least } N - d \text{ indices } j",
    hypotheses={"N": ">= d + 2", "d": ">= 2", "configuration": "sign-separated"},
    claim=_THM3_6_CLAIM,
    checks=(
        Check("conclusions_on_configurations", "empirical", _conclusions_on_configurations,
              points=({"d": 3, "seed": 0},), thorough_points=({"d": 4, "seed": 1}, {"d": 6, "seed": 2})),
        Check("minimum_norm_point_witness", "numerical", _min_norm_witness,
              points=({"d": 3, "seed": 0},), thorough_points=({"d": 5, "seed": 1},)),
    ),
    mutants=(
        Mutant("n_ge_d_plus_1", "the simplex ETF with N = d + 1 is sign-separated and sums to 0: no half-space",
               (lambda d: d + 1, _THM3_6_CLAIM[1], True)),
        Mutant("without_separation", "N >= d + 2 random unit vectors need not lie in an open half-space",
               (_THM3_6_CLAIM[0], _THM3_6_CLAIM[1], False)),
    ),
)


# --- Proposition 5: no sign-separated configuration in the plane for N >= 4 ------------------
# claim: the largest N that admits a sign-separated configuration in d = 2.

def _plane_margin(theta_u) -> float:
    r""":math:`\max_V \min(\min_i s_{ii}, -\max_{i\ne j} s_{ij})` for :math:`u_i` at angles ``theta_u``
    (d = 2), exactly: each v_j is chosen alone, and a minimum of cosines :math:`\cos(\varphi - c_k)`
    is largest at a centre :math:`c_k` or half-way between two centres."""
    k = len(theta_u)
    worst = np.inf
    for j in range(k):
        centres = np.concatenate([[theta_u[j]], np.delete(theta_u, j) + np.pi])
        mids = ((centres[:, None] + centres[None, :]) / 2).ravel()
        candidates = np.concatenate([centres, mids, mids + np.pi])
        worst = min(worst, float(np.cos(candidates[:, None] - centres[None, :]).min(axis=1).max()))
    return worst


@lru_cache(maxsize=None)
def _best_plane_margin(k: int, starts: int, seed: int) -> float:
    """Multistart Nelder-Mead over the angles of u_2..u_k (u_1 fixed at angle 0)."""
    rng = np.random.default_rng(seed)
    best = -np.inf
    for _ in range(starts):
        res = minimize(lambda th: -_plane_margin(np.concatenate([[0.0], th])), rng.uniform(0, 2 * np.pi, k - 1),
                       method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 4000})
        best = max(best, -res.fun)
    return best


def _plane_search(claim, point, evidence):
    """d = 2: the N = claim case has a sign-separated configuration (the search finds margin > 0),
    and N = claim + 1 has none (best margin over the multistart search <= 1e-12)."""
    found = {k: _best_plane_margin(k, point["starts"], point["seed"]) for k in (claim, claim + 1)}
    evidence["best_margin"] = found
    if found[claim] <= 1e-9:
        return f"N={claim}: no sign-separated configuration found in the plane (best margin {found[claim]:.3g})"
    if found[claim + 1] > 1e-12:
        return f"N={claim + 1}: a sign-separated configuration exists in the plane (margin {found[claim + 1]:.6g})"
    return None


def _triangle_witness(claim, point, evidence):
    """Exact witness for N = 3: the triangle u_i = v_i at angles 0, 2pi/3, 4pi/3 has s_ii = 1 and
    s_ij = -1/2 (the simplex ETF in the plane); the claimed maximum cannot be below 3."""
    W = SimplexETF(3).grams().uv
    if not (W.diagonal > 0 and W.off_diagonal < 0):  # pragma: no cover - a broken structure
        raise Inconclusive("the simplex ETF of 3 points is not sign-separated")
    return None if claim >= 3 else f"the planar triangle (N = 3) is sign-separated, claimed maximum {claim}"


PROP5 = Theorem(
    id="bangachev2025.prop5",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Proposition 5: 'If d = 2 and N >= 4, there "
           "does not exist a configuration satisfying (24)' (24: <U_i,V_i> > 0 > <U_i,V_j>)",
    statement=r"d = 2:\ \text{a sign-separated configuration exists iff } N \le 3",
    hypotheses={"d": "2", "N": ">= 2"},
    claim=3,
    checks=(
        Check("triangle_witness", "proof", _triangle_witness, scope="N = 3"),
        Check("plane_search", "numerical", _plane_search, points=({"starts": 12, "seed": 0},),
              thorough_points=({"starts": 60, "seed": 1},)),
    ),
    mutants=(
        Mutant("four_in_the_plane", "N = 4 has best margin 0 (never > 0)", 4),
        Mutant("only_two_in_the_plane", "the triangle u = v is sign-separated for N = 3", 2),
    ),
)

THEOREMS = [THM3_6, PROP5]
