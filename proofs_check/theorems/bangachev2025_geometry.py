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
import sympy as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp, minimize

from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.descent.optimise import optimise_batch
from clverify.theory import SimplexETF

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from .bangachev2025 import S_MAX, S_MIN, allows, smallest_admitted, statistics

#: Slack of the strict inequalities in the linear programmes, |h_k| <= 1 (HiGHS feasibility
#: tolerances are 1e-7 to 1e-6: a smaller slack lets <h, U_j> = <h, V_j> = 0 pass as both strict).
_STRICT = 1e-4


def _half_space_exists(U) -> bool:
    """Whether some h has <h, U_i> > 0 for all i (LP: <h, U_i> >= 1, a feasibility problem)."""
    res = linprog(np.zeros(U.shape[1]), A_ub=-U, b_ub=-np.ones(len(U)), bounds=[(None, None)] * U.shape[1],
                  method="highs")
    return res.status == 0


def _most_negative_vs(U, V) -> int | None:
    """The largest number of V_j with <h, V_j> < 0 over the h with <h, U_i> > 0 for all i
    (mixed-integer programme, HiGHS; |h_k| <= 1, strictness _STRICT, well above the solver's
    feasibility tolerance 1e-6); None if no such h."""
    k, d = U.shape
    big = 2 * np.sqrt(d) + 1
    cost = np.concatenate([np.zeros(d), -np.ones(k)])
    cons = [LinearConstraint(np.hstack([U, np.zeros((k, k))]), _STRICT, np.inf),
            LinearConstraint(np.hstack([V, big * np.eye(k)]), -np.inf, big - _STRICT)]
    res = milp(cost, constraints=cons, integrality=np.concatenate([np.zeros(d), np.ones(k)]),
               bounds=Bounds(np.concatenate([-np.ones(d), np.zeros(k)]), np.ones(d + k)))
    return None if res.status != 0 else int(round(-res.fun))


def _separating_vector(U, k) -> np.ndarray | None:
    """The unit v of largest margin s with <U_k, v> >= s and <U_i, v> <= -s for i != k
    (LP over |v_l| <= 1), or None if the largest margin is not positive."""
    sign = np.where(np.arange(len(U)) == k, -1.0, 1.0)
    res = linprog(np.r_[np.zeros(U.shape[1]), -1.0], A_ub=np.hstack([sign[:, None] * U, np.ones((len(U), 1))]),
                  b_ub=np.zeros(len(U)), bounds=[(-1, 1)] * U.shape[1] + [(None, 1)], method="highs")
    return None if res.status != 0 or res.x[-1] <= _STRICT else res.x[:-1] / np.linalg.norm(res.x[:-1])


def example3_configuration(k: int, d: int):
    r"""A sign-separated configuration of ``k >= d + 2`` pairs in :math:`\mathbb R^d` (d >= 3) in
    which d - 1 of the :math:`V_j` cannot be put on the negative side of any h with
    :math:`\langle h, U_i\rangle > 0` for all i (in the spirit of the paper's Example 3 and
    Construction 3; this construction is ours).  Coordinates :math:`(x, y, z)`,
    :math:`x \in \mathbb R^{d-2}`, :math:`\varepsilon = 0.8/\sqrt{d-2}`, :math:`r = \varepsilon/2`:

    * d - 1 pairs :math:`U_j = V_j \propto (a_j, 0, \varepsilon)`, :math:`a_j` the vertices of a
      regular simplex in :math:`\mathbb R^{d-2}` (:math:`a_j\cdot a_{j'} = -1/(d-2) < -\varepsilon^2`),
      so :math:`\langle U_j, U_i\rangle < 0` for every i != j, and :math:`V_j = U_j` has
      :math:`\langle h, V_j\rangle > 0` for every such h;
    * k - d + 1 pairs :math:`U_l \propto (x_l, 0.2, -1 + |x_l|^2/2)` with :math:`|x_l| \le r`
      in convex position (on a parabola for d = 3, on a sphere of radius r otherwise), each with
      the :math:`V_l` of largest margin found by a linear programme (one exists: no
      :math:`U_l` is in the cone of the others).

    So at most k - d + 1 of the :math:`V_j` are ever on the negative side (the theorem claims
    k - d).  Returns None below d = 3 or if a linear programme finds no :math:`V_l`.
    """
    if d < 3 or k < d:
        return None
    eps = 0.8 / np.sqrt(d - 2)
    simplex = np.array([[1.0], [-1.0]])
    if d > 3:                                   # the ETF of d - 1 points spans R^{d-2}: rotate it there
        W = SimplexETF(d - 1).array()[0]
        simplex = unit_rows(W @ np.linalg.svd(W)[2][: d - 2].T)
    U_j = unit_rows(np.hstack([simplex, np.zeros((d - 1, 1)), np.full((d - 1, 1), eps)]))
    rest, r = k - d + 1, eps / 2
    if d == 3:
        x = np.linspace(-r, r, rest)[:, None]
    else:
        x = r * unit_rows(np.random.default_rng(0).standard_normal((rest, d - 2)))
    U_l = unit_rows(np.hstack([x, np.full((rest, 1), 0.2), (-1 + np.sum(x ** 2, axis=1) / 2)[:, None]]))
    U = np.vstack([U_j, U_l])
    V = U.copy()
    for i in range(d - 1, k):
        v = _separating_vector(U, i)
        if v is None:
            return None
        V[i] = v
    return U, V


@lru_cache(maxsize=None)
def _configurations(k: int, d: int, seed: int) -> dict:
    """Configurations in R^d: the simplex ETF when k = d + 1; Example 3 (d - 1 unseparable V_j)
    when k >= d + 2; a CCEM-shaped one built on a random code; sigmoid-loss minimisers at
    t = 10, b = 0; random ones (independent U, V, and V = U)."""
    rng = np.random.default_rng(seed)
    out = {}
    if k == d + 1:
        W = SimplexETF(k).array()[0]
        out["simplex_etf"] = (W, W)
    example = example3_configuration(k, d) if k >= d + 2 else None
    if example is not None:
        out["example3"] = example
    X = unit_rows(rng.standard_normal((k, d - 1)))
    coherence = float((X @ X.T)[~np.eye(k, dtype=bool)].max())
    d2 = (0.5 + 1 / (1 + coherence)) / 2        # 1/2 < delta^2 < 1/(1 + coherence): separated
    col = np.full((k, 1), np.sqrt(1 - d2))
    out["ccem_code"] = (np.hstack([np.sqrt(d2) * X, col]), np.hstack([np.sqrt(d2) * X, -col]))
    for run in optimise_batch(k, d, t=[10.0, 10.0], b=[0.0, 0.0], seeds=[seed, seed + 1], restarts=1):
        out[f"trained_seed{run.seed}"] = (run.U, run.V)
    for j in range(3):
        R = unit_rows(rng.standard_normal((k, d)))
        out[f"random_{j}"] = (R, unit_rows(rng.standard_normal((k, d))))
        out[f"random_aligned_{j}"] = (R, R)
    return out


def _covered(claim, k, d, U, V) -> bool:
    """Whether the claim's hypotheses admit the configuration (N = k pairs in R^d)."""
    S = U @ V.T
    return allows(claim, N=k, d=d, **statistics(S))


def _sizes(claim, d) -> tuple[int, int, int]:
    """n_min, n_min + 1 and n_min + 3, n_min the smallest N the claim admits in R^d."""
    n_min = smallest_admitted(claim, "N", range(2, 4 * d + 4), d=d)
    return n_min, n_min + 1, n_min + 3


def _conclusions_on_configurations(claim, point, evidence):
    """For N = n_min(d), n_min(d) + 1, n_min(d) + 3 (n_min the smallest N the claim admits in
    R^d) and each configuration the claim admits: some h has <h, U_i> > 0 for all i (linear
    programme), and the largest number of V_j with <h, V_j> < 0 over such h (mixed-integer
    programme) is at least the claimed count."""
    d = point["d"]
    count = sp.lambdify((H.N, H.d), claim.count)
    table = {}
    for k in _sizes(claim, d):
        for name, (U, V) in _configurations(k, d, point["seed"]).items():
            if not _covered(claim, k, d, U, V):
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
    d = point["d"]
    count = sp.lambdify((H.N, H.d), claim.count)
    supports = {}
    for k in _sizes(claim, d)[:2]:
        for name, (U, V) in _configurations(k, d, point["seed"]).items():
            if not _covered(claim, k, d, U, V):
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


_THM3_6_CLAIM = Claim({"count": H.N - H.d},
                      {"N": H.N >= H.d + 2, "d": H.d >= 2, "separated": sp.And(S_MIN > 0, S_MAX < 0)})

THM3_6 = Theorem(
    id="bangachev2025.thm3_6",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.6 (statement partly reconstructed): "
           "'condition (8) is satisfied for at least N - d values of j instead of all N'; Example 3 / "
           "Construction 3: d - 1 of the V_j cannot be separated",
    statement=r"N \ge d + 2,\ u_i\cdot v_i > 0 > u_i\cdot v_j\ (i \ne j) \Rightarrow \exists h \in S^{d-1}:\ "
              r"\langle h, u_i\rangle > 0\ \forall i,\ \langle h, v_j\rangle < 0 \text{ for at least } N - d \text{ indices } j",
    parts=(Part("half_space", r"\exists h:\ \langle h, u_i\rangle > 0 \ \forall i \quad (7)"),
           Part("count", r"\text{the same } h \text{ has } \langle h, v_j\rangle < 0 \text{ for at least } N - d "
                         r"\text{ indices } j \quad (8)")),
    claim=_THM3_6_CLAIM,
    checks=(
        Check("conclusions_on_configurations", "empirical", _conclusions_on_configurations,
              parts=("half_space", "count"),
              points=({"d": 3, "seed": 0},), thorough_points=({"d": 4, "seed": 1}, {"d": 6, "seed": 2}),
              scope="d = 3, N in {5, 6, 8} (thorough: d = 4, 6), ~10 configurations each (trained, "
                    "constructed, Example 3, random), exact counts by a mixed-integer programme"),
        Check("minimum_norm_point_witness", "numerical", _min_norm_witness, parts=("half_space", "count"),
              points=({"d": 3, "seed": 0},), thorough_points=({"d": 5, "seed": 1},),
              scope="d = 3, N in {5, 6} (thorough: d = 5): the proof's witness h"),
    ),
    mutants=(
        Mutant("all_N", "Example 3 has d - 1 of the V_j on the positive side of every h that holds the U_i",
               _THM3_6_CLAIM.vary(count=H.N)),
        Mutant("n_ge_d_plus_1", "the simplex ETF with N = d + 1 is sign-separated and sums to 0: no half-space",
               _THM3_6_CLAIM.vary(N=H.N >= H.d + 1)),
        Mutant("without_negative_pairs", "with only u_i.v_i > 0, N >= d + 2 random u_i = v_i need not lie in an "
                                         "open half-space", _THM3_6_CLAIM.vary(separated=S_MIN > 0)),
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
    """d = 2: N = the claimed largest size has a sign-separated configuration (the multistart
    search finds margin > 0), and one more has none (best margin <= 1e-12)."""
    n = claim.largest_N
    found = {k: _best_plane_margin(k, point["starts"], point["seed"]) for k in (n, n + 1)}
    evidence["best_margin"] = found
    if found[n] <= 1e-9:
        return f"N={n}: no sign-separated configuration found in the plane (best margin {found[n]:.3g})"
    if found[n + 1] > 1e-12:
        return f"N={n + 1}: a sign-separated configuration exists in the plane (margin {found[n + 1]:.6g})"
    return None


def _simplex_witness(claim, point, evidence):
    r"""SymPy, each d in 2..5 the claim admits: the simplex ETF of d + 1 points (u_i = v_i) is
    sign-separated in :math:`\mathbb R^d` (:math:`s_{ii} = 1`, :math:`s_{ij} = -1/d`), and so is
    every sub-configuration of it; the claimed largest N cannot be below d + 1."""
    for d in (d for d in range(2, 6) if allows(claim, d=d)):
        W = SimplexETF(d + 1).grams().uv
        if not (W.diagonal > 0 and W.off_diagonal < 0):           # pragma: no cover - a broken structure
            raise Inconclusive(f"the simplex ETF of {d + 1} points is not sign-separated")
        if claim.largest_N < d + 1:
            return (f"d={d}: the simplex ETF of {d + 1} points (s_ij = {W.off_diagonal}) is sign-separated, "
                    f"claimed largest N = {claim.largest_N}")
    return None


def _cone_step_in_the_plane(claim, point, evidence):
    r"""The paper's proof for every N >= 4 in d = 2.  Hand-argued: the :math:`u_i` lie in an
    open half-plane (Thm 3.6's first conclusion for N >= d + 2: else, by Gordan and
    Carathéodory, 0 is a convex combination of three :math:`u_i`, and a fourth :math:`v_j`
    has a negative product with all three); order them by angle,
    :math:`\theta_1 \le \theta_2 \le \theta_3 < \theta_1 + \pi`.  SymPy: the middle one is
    :math:`u(\theta_2) = \frac{\sin(\theta_3-\theta_2)\,u(\theta_1) + \sin(\theta_2-\theta_1)\,u(\theta_3)}
    {\sin(\theta_3-\theta_1)}`, a combination with coefficients :math:`\ge 0` (sines of angles
    in :math:`[0, \pi)`), so :math:`u_2\cdot v_2` is a non-negative combination of
    :math:`u_1\cdot v_2 < 0` and :math:`u_3\cdot v_2 < 0`: not positive (Prop. 4).  A claimed
    largest N of 4 or more is refuted; a claim about other dimensions is not covered."""
    if any(allows(claim, d=d) for d in (1, 3, 4, 5)):
        raise Inconclusive("the argument is for the plane (d = 2); the claim admits other dimensions")
    th1, th2, th3 = sp.symbols("theta1:4", real=True)
    u = [sp.Matrix([sp.cos(th), sp.sin(th)]) for th in (th1, th2, th3)]
    a, b = sp.sin(th3 - th2), sp.sin(th2 - th1)
    residual = sp.simplify((a * u[0] + b * u[2] - sp.sin(th3 - th1) * u[1]).applyfunc(sp.expand_trig))
    if residual != sp.zeros(2, 1):                                      # pragma: no cover - algebra
        raise Inconclusive(f"the angular cone identity fails: {residual.T}")
    x, y = sp.symbols("x y", negative=True)                             # u_1.v_2 and u_3.v_2
    p, q = sp.symbols("p q", nonnegative=True)                          # the coefficients
    if not (p * x + q * y).is_nonpositive:                              # pragma: no cover
        raise Inconclusive("the sign step fails")
    if claim.largest_N >= 4:
        return f"claimed largest N = {claim.largest_N}, but for every N >= 4 the middle u_i lies in the cone of two others"
    return None


_PROP5_CLAIM = Claim({"largest_N": 3}, {"d": sp.Eq(H.d, 2), "N": H.N >= 2})

PROP5 = Theorem(
    id="bangachev2025.prop5",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Proposition 5: 'If d = 2 and N >= 4, there "
           "does not exist a configuration satisfying (24)' (24: <U_i,V_i> > 0 > <U_i,V_j>); proof via "
           "Prop. 3 (a half-plane) and Prop. 4 (U_i not in cone({U_j}_{j != i}))",
    statement=r"d = 2:\ \text{a sign-separated configuration exists iff } N \le 3",
    parts=(Part("exists_for_three", r"d = 2,\ N \le 3: \text{ a sign-separated configuration exists (the triangle } u = v)"),
           Part("none_for_four_or_more", r"d = 2,\ N \ge 4: \text{ no configuration has } "
                                         r"\langle u_i, v_i\rangle > 0 > \langle u_i, v_j\rangle\ (i \ne j)")),
    claim=_PROP5_CLAIM,
    uses=("bangachev2025.thm3_6",),
    checks=(
        Check("simplex_witness", "proof", _simplex_witness, parts=("exists_for_three",), whole_domain=True,
              scope="N <= 3 in d = 2 (the triangle and its sub-configurations)"),
        Check("cone_step_in_the_plane", "proof", _cone_step_in_the_plane, parts=("none_for_four_or_more",),
              whole_domain=True,
              scope="every N >= 4 in d = 2 (SymPy: the angular cone identity and Prop. 4's sign step; the "
                    "half-plane, Thm 3.6's first conclusion via Gordan and Carathéodory, is hand-argued)"),
        Check("plane_search", "numerical", _plane_search, parts=("exists_for_three", "none_for_four_or_more"),
              points=({"starts": 12, "seed": 0},), thorough_points=({"starts": 60, "seed": 1},),
              scope="multistart Nelder-Mead over the angles, N = 3 and 4 (exact best V for given U)"),
    ),
    mutants=(
        Mutant("four_in_the_plane", "N = 4 has best margin 0 (never > 0): the middle u_i is in the cone of two others",
               _PROP5_CLAIM.vary(largest_N=4)),
        Mutant("only_two_in_the_plane", "the triangle u = v is sign-separated for N = 3", _PROP5_CLAIM.vary(largest_N=2)),
        Mutant("plane_or_space", "in d = 3 the simplex ETF of 4 points is sign-separated",
               _PROP5_CLAIM.vary(d=sp.And(H.d >= 2, H.d <= 3))),
    ),
)

THEOREMS = [THM3_6, PROP5]
