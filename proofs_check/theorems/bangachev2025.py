r"""Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), *Global Minimizers of Sigmoid
Contrastive Loss*: constellations, their margin and relative bias, zero loss and its rate
(Thms 3.1-3.2), and the relative-bias adapter (Observation 1).

Conventions: ``t`` multiplies the similarity and ``b`` is subtracted from the logit, as in the
paper and its code (SigLIP's bias is ``-b``); the relative bias is :math:`b_{rel} = b/t`, so the
logit is :math:`t(s - b_{rel})`.  Losses carry our :math:`1/N` normalisation (the authors' code
takes the mean over the :math:`N^2` pairs, i.e. ours divided by ``N``).  Here ``m`` is a
**margin** (not a batch size).  The margin :math:`m^*` and relative bias :math:`b^*_{rel}` of a
configuration are :mod:`clverify.numerics.descent.constellation`'s.

Claims are written in plain SymPy symbols: those of :data:`~clverify.proofs_check.registry.H`,
:data:`B_REL` for the relative bias, and the statistics of a similarity matrix
(:data:`S_MIN` :math:`= \min_i s_{ii}`, :data:`S_MAX` :math:`= \max_{i\ne j} s_{ij}`, and the
means :data:`S_POS_MEAN`, :data:`S_NEG_MEAN`), which :func:`statistics` reads off a matrix.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
import torch
from scipy.optimize import linprog

from clverify.numerics.descent.constellation import is_constellation, margin, optimal_relative_bias
from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.descent.trainable import trainable_sigmoid_loss
from clverify.numerics.precision.evaluators import compile_expression
from clverify.numerics.precision.ops import MPMATH_OPS
from clverify.numerics.precision.roots import find_root
from clverify.theory import CCEM, ExplicitSimilarity, Grams, sigmoid_loss

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem

#: Plain symbols for min_i s_ii, max_{i != j} s_ij and the two means of a similarity matrix.
S_MIN, S_MAX, S_POS_MEAN, S_NEG_MEAN = sp.symbols("min_s_ii max_s_ij mean_s_ii mean_s_ij")
#: The relative bias b_rel = b / t (a plain symbol, like those of ``H``).
B_REL = sp.Symbol("b_rel")
#: Agreement of a float64 margin with a linear programme's or a construction's.
MARGIN_TOLERANCE = 1e-9
#: Relative slack of a bound evaluated at float64 similarities (a double-constant configuration
#: attains the upper bound exactly; its float entries move both sides by ~1e-16).
_FLOAT_INPUT_RTOL = 1e-12


def statistics(S) -> dict:
    """``{"min_s_ii", "max_s_ij", "mean_s_ii", "mean_s_ij"}`` of a square similarity matrix."""
    S = np.asarray(S, dtype=float)
    off = S[~np.eye(len(S), dtype=bool)]
    diagonal = np.diag(S)
    return {"min_s_ii": diagonal.min(), "max_s_ij": off.max(), "mean_s_ii": diagonal.mean(),
            "mean_s_ij": off.mean()}


def evaluate(expr, S) -> float:
    """A claim's expression in the statistics of ``S`` (:data:`S_MIN`, ...), as a float."""
    return float(sp.sympify(expr).subs({sp.Symbol(k): v for k, v in statistics(S).items()}))


def allows(claim: Claim, **point) -> bool:
    """Whether no hypothesis of the claim excludes ``point`` (a hypothesis in a symbol not
    given is not read: ``allows(claim, t=-1)`` asks about t alone)."""
    return claim.admits(**point) is not False


def smallest_admitted(claim: Claim, name: str, candidates, **fixed):
    """The first of ``candidates`` for ``name`` that the claim :func:`allows` (with the other
    symbols ``fixed``), or None."""
    return next((v for v in candidates if allows(claim, **fixed, **{name: v})), None)


def random_similarities(seed: int, count: int, n_min: int = 3):
    """Similarity matrices of seeded random unit embeddings (the first with N = n_min, the
    others N in n_min..12, d in 1..N+2), some of them separated (U = V, d >= N)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        n_ = n_min if k == 0 else int(rng.integers(n_min, 13))
        d = int(rng.integers(1, n_ + 3))
        U = unit_rows(rng.standard_normal((n_, d)))
        V = U if k % 3 == 0 and d >= n_ else unit_rows(rng.standard_normal((n_, d)))
        out.append(U @ V.T)
    return out


# --- Definition (2): constellations, margin and relative bias --------------------------------

def _largest_margin_from_definition(claim, point, evidence):
    r"""SymPy, every N >= 2: the constraints are :math:`b + m \le \min_i s_{ii}` and
    :math:`b - m \ge \max_{i\ne j} s_{ij}` (hand step: a bound on every entry is a bound on
    the extreme one); their slacks add up to :math:`\min - \max - 2m`, so
    :math:`m \le \frac12(\min - \max)`, with equality iff both are tight, which fixes ``b``.
    The claimed margin and relative bias must be these; a claim admitting N = 1 (no pair
    i != j, so no largest margin) is refuted."""
    if allows(claim, N=1):
        return "N = 1 has no pair i != j: every m <= s_11 - b_rel is a margin, so none is the largest"
    mm, bb = sp.symbols("m b", real=True)
    slacks = (S_MIN - bb - mm, bb - mm - S_MAX)
    if sp.expand(sum(slacks) - (S_MIN - S_MAX - 2 * mm)) != 0:      # pragma: no cover - algebra
        raise Inconclusive("the slacks do not add up")
    (tight,) = sp.solve(slacks, (mm, bb), dict=True)
    derived = {"margin": tight[mm], "relative_bias": tight[bb]}
    evidence["derived"] = {k: str(v) for k, v in derived.items()}
    for key, expr in derived.items():
        if sp.simplify(claim.values[key] - expr) != 0:
            return f"{key}: the definition gives {expr}, claimed {claim.values[key]}"
    return None


def _lp_margin(S):
    """max m s.t. s_ii >= b + m, s_ij <= b - m (scipy's HiGHS), as (m, b); None if unbounded."""
    k = len(S)
    rows = [[1, 1] if i == j else [1, -1] for i in range(k) for j in range(k)]
    rhs = [S[i, j] if i == j else -S[i, j] for i in range(k) for j in range(k)]
    res = linprog([-1, 0], A_ub=rows, b_ub=rhs, bounds=[(None, None)] * 2, method="highs")
    return None if res.status == 3 else (res.x[0], res.x[1])


def _margin_is_linear_programme_optimum(claim, point, evidence):
    """On seeded random similarity matrices (the first at the smallest N the claim admits) the
    claimed (m*, b*_rel) is the optimum of the linear programme 'largest m such that S is an
    (m, b_rel)-constellation': the margins agree and the claimed pair is feasible."""
    n_min = smallest_admitted(claim, "N", range(1, 13))
    worst = 0.0
    for S in random_similarities(point["seed"], point["count"], n_min):
        lp = _lp_margin(S)
        if lp is None:
            return f"N={len(S)}: the linear programme is unbounded, there is no largest margin"
        m_c, b_c = evaluate(claim.margin, S), evaluate(claim.relative_bias, S)
        worst = max(worst, abs(lp[0] - m_c))
        if abs(lp[0] - m_c) > MARGIN_TOLERANCE or not is_constellation(S, m_c, b_c, MARGIN_TOLERANCE):
            return (f"N={len(S)}: claimed (m, b_rel) = ({m_c:.9g}, {b_c:.9g}); the linear programme's "
                    f"largest margin is {lp[0]:.9g}")
    evidence["max_difference"] = worst
    return None


def _feasible_set_characterised(claim, point, evidence):
    """From the definition, entry by entry: for random (m, b_rel), S is an (m, b_rel)-constellation
    iff m <= m* and |b_rel - b*_rel| <= m* - m, with the claimed (m*, b*_rel)."""
    rng = np.random.default_rng(point["seed"])
    n_min = max(2, smallest_admitted(claim, "N", range(1, 13)))
    for S in random_similarities(point["seed"], point["count"], n_min):
        m_c, b_c = evaluate(claim.margin, S), evaluate(claim.relative_bias, S)
        for mv, bv in rng.uniform(-1, 1, size=(50, 2)):
            by_definition = bool(np.all(np.diag(S) >= bv + mv)
                                 and np.all(S[~np.eye(len(S), dtype=bool)] <= bv - mv))
            claimed = mv <= m_c and abs(bv - b_c) <= m_c - mv
            if by_definition != claimed:
                return (f"N={len(S)}, (m, b_rel) = ({mv:.6f}, {bv:.6f}): by the definition it is "
                        f"{'' if by_definition else 'not '}a constellation; the claimed margin says otherwise")
    return None


_DEF_CLAIM = Claim({"margin": (S_MIN - S_MAX) / 2, "relative_bias": (S_MIN + S_MAX) / 2},
                   {"N": H.N >= 2, "vectors": "U_i, V_i unit vectors, any dimension"})

DEF_CONSTELLATION = Theorem(
    id="bangachev2025.def_constellation",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), definition (2) (reconstructed: eq. (2) "
           "not legible; from Thm 3.4's proof 'Using <U_i,V_j> <= b_rel - m, <U_i,V_i> >= b_rel + m') and "
           "§3.4 'margins (computed as (min_i <U_i,V_i> - max_{i!=j} <U_i,V_j>)/2)'",
    statement=r"(U, V) \text{ is an } (m, b_{rel})\text{-constellation iff } s_{ii} \ge b_{rel} + m,\ "
              r"s_{ij} \le b_{rel} - m;\ m^* = \tfrac12(\min_i s_{ii} - \max_{i\ne j} s_{ij}),\ "
              r"b^*_{rel} = \tfrac12(\min_i s_{ii} + \max_{i\ne j} s_{ij})",
    parts=(Part("margin", r"m^* = \tfrac12(\min_i s_{ii} - \max_{i\ne j} s_{ij}) \text{ is the largest } m "
                          r"\text{ for which } (U, V) \text{ is an } (m, b_{rel})\text{-constellation}"),
           Part("relative_bias", r"b^*_{rel} = \tfrac12(\min_i s_{ii} + \max_{i\ne j} s_{ij}) "
                                 r"\text{ is the only } b_{rel} \text{ attaining } m^*")),
    claim=_DEF_CLAIM,
    checks=(
        Check("largest_margin_from_definition", "proof", _largest_margin_from_definition,
              parts=("margin", "relative_bias"), whole_domain=True,
              scope="every N >= 2 and every similarity matrix (SymPy: the slacks of the two extreme "
                    "constraints; that a bound on every entry is a bound on the extreme one is hand-argued)"),
        Check("margin_is_linear_programme_optimum", "numerical", _margin_is_linear_programme_optimum,
              parts=("margin", "relative_bias"),
              points=({"seed": 0, "count": 40},), thorough_points=({"seed": 1, "count": 400},)),
        Check("feasible_set_characterised", "empirical", _feasible_set_characterised,
              parts=("margin", "relative_bias"),
              points=({"seed": 2, "count": 20},), thorough_points=({"seed": 3, "count": 200},)),
    ),
    mutants=(
        Mutant("full_gap", "min s_ii - max s_ij is twice the largest margin (App. D's tables print it)",
               _DEF_CLAIM.vary(margin=S_MIN - S_MAX)),
        Mutant("mean_midpoint", "the means' half difference is not the worst-pair margin",
               _DEF_CLAIM.vary(margin=(S_POS_MEAN - S_NEG_MEAN) / 2, relative_bias=(S_POS_MEAN + S_NEG_MEAN) / 2)),
        Mutant("siglip_sign_of_bias", "SigLIP's added bias has the opposite sign",
               _DEF_CLAIM.vary(relative_bias=-(S_MIN + S_MAX) / 2)),
        Mutant("single_pair", "with N = 1 there is no negative pair, so no largest margin",
               _DEF_CLAIM.vary(N=H.N >= 1)),
    ),
)


# --- Theorems 3.1 and 3.2: zero loss iff separation, and the rate e^{-t m*} ------------------
# The bounds are written in H.N, H.t and H.m (standing for the configuration's m*).

def _softplus(z):
    return sp.log(1 + sp.exp(z))


def _loss(S, t, b):
    """The sigmoid loss (1/N) of :func:`clverify.theory.sigmoid_loss` in mpmath on a float matrix."""
    E = ExplicitSimilarity(mpmath.matrix(np.asarray(S).tolist()), MPMATH_OPS)
    return sigmoid_loss(Grams(E, E, E), MPMATH_OPS, t=t, b=b)


def _optimal_bias(S, t):
    """The minimiser in b of the (strictly convex in b) loss: the root of dL/db (mpmath)."""
    S = np.asarray(S).tolist()
    k = len(S)

    def dldb(b):
        return sum((mpmath.sigmoid(b - t * S[i][i]) if i == j else -mpmath.sigmoid(t * S[i][j] - b))
                   for i in range(k) for j in range(k))
    return find_root(dldb, (-abs(t) - 60, abs(t) + 60), solver="bisect", max_steps=400, verify=False)


def _two_critical_pairs():
    r"""N = 6 in d = 8, u_i = v_i = e_i except v_0 = 0.6 e_0 + 0.8 e_7 and
    v_2 = \sqrt{0.91} e_2 + 0.3 e_1: one critical positive pair (s_00 = 0.6) and one critical
    negative pair (s_12 = 0.3), m* = 0.15; every other pair is 0.45 t away from b*_rel t, so
    inf_b L = (2/N) sp(-t m*) (1 + O(e^{-0.3 t}))."""
    U, V = np.eye(6, 8), np.eye(6, 8)
    V[0, [0, 7]] = 0.6, 0.8
    V[2, [2, 1]] = np.sqrt(0.91), 0.3
    return U @ V.T


@lru_cache(maxsize=None)
def _zero_loss_configurations():
    """CCEM(6, 0.9) (double-constant), a perturbed CCEM (separated, not double-constant), two
    critical pairs (few critical pairs: pins the lower bound), the antipodal pair (m* = 0) and
    a random non-separated pair (m* < 0)."""
    rng = np.random.default_rng(0)
    U, V = CCEM(6, sp.Rational(9, 10)).array()
    Up, Vp = unit_rows(U + 0.03 * rng.standard_normal(U.shape)), unit_rows(V + 0.03 * rng.standard_normal(V.shape))
    anti = np.zeros((6, 6))
    anti[:, 0] = 1
    R, Q = unit_rows(rng.standard_normal((6, 4))), unit_rows(rng.standard_normal((6, 4)))
    return {"ccem_0.9": U @ V.T, "perturbed_ccem": Up @ Vp.T, "two_critical_pairs": _two_critical_pairs(),
            "antipodal": -anti @ anti.T, "random": R @ Q.T}


@lru_cache(maxsize=None)
def _losses_at(name: str, tv: int):
    """(inf_b L, L(t, b*_rel t), b_opt / t) at ``t = tv`` (mpmath, 30 digits; independent of the claim)."""
    S = _zero_loss_configurations()[name]
    with mpmath.workdps(30):
        t = mpmath.mpf(tv)
        b_opt = _optimal_bias(S, t)
        return _loss(S, t, b_opt), _loss(S, t, t * optimal_relative_bias(S)), b_opt / t


def _bound(expr):
    return compile_expression(expr, "mpmath", args=(H.N, H.t, H.m))


def _bounds_hold_at_optimal_bias(claim, point, evidence):
    """mpmath (30 digits) on float64 similarities, every configuration and every t in
    {1, 10, 50, 200} (and t = -10 if the claim admits it): lower(N, t, m*) <= inf_b L (at the
    root of dL/db) and L(t, b*_rel t) <= upper(N, t, m*), to a relative 1e-12; and inf_b L tends to 0 (below 1e-10 at t = 200) exactly
    on the configurations whose m* the claim says have zero infimum."""
    lower, upper = _bound(claim.lower), _bound(claim.upper)
    ts = [tv for tv in (-10, 1, 10, 50, 200) if allows(claim, t=tv)]
    ratios = {}
    with mpmath.workdps(30):
        for name, S in _zero_loss_configurations().items():
            k, ms = len(S), margin(S)
            for tv in ts:
                inf_l, at_rel, _ = _losses_at(name, tv)
                lo, up = lower(k, tv, ms), upper(k, tv, ms)
                if inf_l < lo * (1 - _FLOAT_INPUT_RTOL):
                    return f"{name}, t={tv}: inf_b L = {mpmath.nstr(inf_l, 10)} < lower bound {mpmath.nstr(lo, 10)}"
                if at_rel > up * (1 + _FLOAT_INPUT_RTOL):
                    return f"{name}, t={tv}: L(t, b*_rel t) = {mpmath.nstr(at_rel, 10)} > upper bound {mpmath.nstr(up, 10)}"
                ratios[f"{name},t={tv}"] = float(inf_l / lo)
            zero = bool(claim.zero_loss_iff.subs(H.m, sp.nsimplify(ms)))
            tends_to_zero = _losses_at(name, 200)[0] < 1e-10
            if zero != tends_to_zero:
                return (f"{name} (m* = {ms:.6g}): inf_b L at t = 200 is {mpmath.nstr(_losses_at(name, 200)[0], 6)}, "
                        f"yet the claim says the infimum over (t, b) is {'' if zero else 'not '}0")
    evidence["inf_over_lower"] = ratios
    return None


def _rate_and_bias_limit(claim, point, evidence):
    """mpmath (30 digits), separated configurations: at t = 200, 800, 3200 the optimal b (root
    of dL/db) gives -log(inf_b L)/t and b_opt/t; their distances to the claimed rate and bias
    shrink (O(log N / t)) and are < 5e-3 at t = 3200."""
    table = {}
    for name, S in _zero_loss_configurations().items():
        if margin(S) <= 0:
            continue
        rows = []
        for tv in (200, 800, 3200):
            inf_l, _, ratio = _losses_at(name, tv)
            rows.append((tv, float(-mpmath.log(inf_l) / tv), float(ratio)))
        table[name] = rows
        rate, bias = evaluate(claim.rate, S), evaluate(claim.bias, S)
        dr = [abs(r - rate) for _, r, _ in rows]
        db = [abs(c - bias) for _, _, c in rows]
        if not (dr[2] < dr[0] and db[2] <= db[0] + 1e-12 and dr[2] < 5e-3 and db[2] < 5e-3):
            return (f"{name}: -log(inf L)/t at t = 200, 800, 3200 is {[round(r, 6) for _, r, _ in rows]} "
                    f"(claimed limit {rate:.6f}); b_opt/t is {[round(c, 6) for _, _, c in rows]} "
                    f"(claimed {bias:.6f})")
    evidence["rates"] = table
    return None


def _constant_of(claimed):
    """``claimed / sp(-t m)`` if it is a function of N alone, else None."""
    ratio = sp.simplify(claimed / _softplus(-H.t * H.m))
    return ratio if ratio.free_symbols <= {H.N} else None


def _bounds_from_worst_pairs(claim, point, evidence):
    r"""SymPy, every N >= 2 and t > 0 (the proof of the two-sided bound, steps machine-checked):
    sp is increasing and convex (sp' > 0, sp'' > 0); the worst positive and worst negative
    logits :math:`b - t\min s_{ii}` and :math:`t\max s_{ij} - b` average to :math:`-t m^*`,
    so Jensen gives :math:`L \ge \frac2N sp(-t m^*)` for every b; at :math:`b = b^*_{rel} t`
    every logit is :math:`\le -t m^*` when :math:`t \ge 0`, so
    :math:`L \le \frac{N + N(N-1)}{N} sp(-t m^*)`.  Hence :math:`\inf_{t,b} L = 0` iff
    :math:`m^* > 0` (the upper bound tends to 0; for :math:`m^* \le 0` the lower bound is at
    least :math:`\frac2N\log 2`).  Hand-argued: dropping the other (non-negative) terms.  A
    claimed bound stronger than the proof's, or a claim admitting t <= 0, is left undecided."""
    z, bb, tt = sp.Symbol("z", real=True), sp.Symbol("b", real=True), sp.Symbol("t", positive=True)
    d1, d2 = (sp.simplify(sp.diff(_softplus(z), z, k)) for k in (1, 2))
    if not (d1.is_positive and d2.is_positive):                                 # pragma: no cover
        raise Inconclusive("softplus is not shown increasing and convex")
    m_star, b_star = (S_MIN - S_MAX) / 2, (S_MIN + S_MAX) / 2
    worst = ((bb - tt * S_MIN) + (tt * S_MAX - bb)) / 2 + tt * m_star
    at_b_star = (sp.expand(tt * b_star - tt * S_MIN + tt * m_star), sp.expand(tt * S_MAX - tt * b_star + tt * m_star))
    if sp.expand(worst) != 0 or at_b_star != (0, 0):                            # pragma: no cover
        raise Inconclusive("the worst logits do not combine to -t m*")
    n_min = smallest_admitted(claim, "N", range(1, 10))
    claimed_zero = sp.solveset(claim.zero_loss_iff, H.m, sp.Interval(-1, 1))
    evidence["zero_infimum_for"] = str(claimed_zero)
    if claimed_zero != sp.Interval.Lopen(0, 1):
        return (f"the claim has inf_(t,b) L = 0 exactly for m* in {claimed_zero}; the bounds give (0, 1]: "
                f"at m* = 0 (the antipodal pair) L >= (2/N) log 2 for every t, b")
    lower, upper = _constant_of(claim.lower), _constant_of(claim.upper)
    if lower is None or upper is None:
        raise Inconclusive("the claimed bounds are not c(N) sp(-t m*): not compared with the proof's")
    k = sp.Symbol("k", nonnegative=True, integer=True)                  # N = n_min + k
    weaker = [sp.simplify(w.subs(H.N, n_min + k)) for w in (2 / H.N - lower, upper - H.N)]
    if not all(w.is_nonnegative for w in weaker):
        raise Inconclusive(f"a claimed constant ({claim.lower} or {claim.upper}) is stronger than the proof's "
                           f"2/N and N at some N >= {n_min}: the proof neither confirms nor refutes it")
    if allows(claim, t=-1) or allows(claim, t=0):
        raise Inconclusive("the upper bound's step t (b* - s_ii) <= -t m* needs t > 0; the claim admits t <= 0")
    return None


def _limits_from_bounds(claim, point, evidence):
    r"""SymPy, every configuration with :math:`m^* > 0`: both bounds have
    :math:`-\frac1t\log(\cdot) \to m^*`, so :math:`-\frac1t\log\inf_b L \to m^*`; and for
    :math:`0 < \varepsilon < m^*` a bias with :math:`|b/t - b^*_{rel}| \ge \varepsilon` puts a
    worst pair's logit at :math:`t(\varepsilon - m^*)`, whose softplus decays at the slower
    rate :math:`m^* - \varepsilon`, above the upper bound for large t (for
    :math:`\varepsilon \ge m^*` it stays :math:`\ge \log 2/N`): so :math:`b_{opt}/t \to b^*_{rel}`.
    Hand-argued: the sandwich and the convexity of L in b.  The claimed rate and bias must be
    :math:`m^*` and :math:`b^*_{rel}`."""
    tt, mm, eta, nn = sp.symbols("t m eta N", positive=True)
    sp_ = _softplus(-tt * mm)
    rates = [sp.limit(-sp.log(c * sp_) / tt, tt, sp.oo) for c in (2 / nn, nn)]
    slower = sp.limit(-sp.log(_softplus(-tt * eta) / nn) / tt, tt, sp.oo)        # m = epsilon + eta
    if rates != [mm, mm] or slower != eta or sp.limit(nn * sp_, tt, sp.oo) != 0:  # pragma: no cover
        raise Inconclusive(f"the limits came out as {rates}, {slower}")
    if allows(claim, t=-1) or allows(claim, t=0):
        raise Inconclusive("the upper bound behind the limits needs t > 0; the claim admits t <= 0")
    derived = {"rate": (S_MIN - S_MAX) / 2, "bias": (S_MIN + S_MAX) / 2}
    for key, expr in derived.items():
        if sp.simplify(claim.values[key] - expr) != 0:
            return f"{key}: the bounds force the limit {expr}, claimed {claim.values[key]}"
    return None


_ZERO_LOSS_CLAIM = Claim(
    {"lower": 2 / H.N * _softplus(-H.t * H.m), "upper": H.N * _softplus(-H.t * H.m),
     "zero_loss_iff": H.m > 0, "rate": (S_MIN - S_MAX) / 2, "bias": (S_MIN + S_MAX) / 2},
    {"N": H.N >= 2, "t": sp.Gt(H.t, 0), "vectors": "U_i, V_i unit vectors; m stands for the configuration's m*"})

THM3_1_3_2 = Theorem(
    id="bangachev2025.thm3_1_3_2",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorems 3.1 (reconstructed) and 3.2: "
           "'inf_b L_Sig(...; t, b) <= e^{-t m + o(t)}' and '>= log(1 + e^{-t m* + o(t)})'; the two-sided "
           "bound with our 1/N normalisation is derived here (Jensen on the worst positive and negative pair)",
    statement=r"\tfrac2N\operatorname{sp}(-t m^*) \le L(U, V; t, b)\ \forall b,\quad "
              r"L(U, V; t, b^*_{rel} t) \le N \operatorname{sp}(-t m^*);\ \text{so } \inf_{t,b} L = 0 \iff m^* > 0 "
              r"\text{ and } -\tfrac1t\log\inf_b L \to m^*,\ b_{opt}/t \to b^*_{rel}",
    parts=(Part("lower_bound", r"L(U, V; t, b) \ge \tfrac2N\operatorname{sp}(-t m^*) \ \forall b"),
           Part("upper_bound", r"L(U, V; t, b^*_{rel} t) \le N \operatorname{sp}(-t m^*)"),
           Part("zero_loss_iff_separated", r"\inf_{t > 0, b} L(U, V; t, b) = 0 \iff m^* > 0 "
                                           r"\text{ (Thms 3.1-3.2: zero loss iff a constellation with } m > 0)"),
           Part("rate", r"m^* > 0:\ -\tfrac1t \log \inf_b L(U, V; t, b) \to m^*"),
           Part("bias", r"m^* > 0:\ b_{opt}(t)/t \to b^*_{rel}")),
    claim=_ZERO_LOSS_CLAIM,
    uses=("bangachev2025.def_constellation",),
    checks=(
        Check("bounds_from_worst_pairs", "proof", _bounds_from_worst_pairs,
              parts=("lower_bound", "upper_bound", "zero_loss_iff_separated"), whole_domain=True,
              scope="every N >= 2, t > 0, b and configuration (SymPy: monotonicity and convexity of sp, "
                    "the worst logits' mean; dropping the other non-negative terms is hand-argued)"),
        Check("limits_from_bounds", "proof", _limits_from_bounds, parts=("rate", "bias"), whole_domain=True,
              scope="every configuration with m* > 0 (SymPy: the limits of the bounds' log-rates; the "
                    "sandwich and the convexity of L in b are hand-argued)"),
        Check("bounds_hold_at_optimal_bias", "numerical", _bounds_hold_at_optimal_bias,
              parts=("lower_bound", "upper_bound", "zero_loss_iff_separated"),
              scope="5 configurations (double-constant, perturbed, two critical pairs, m* = 0, m* < 0), "
                    "t in {1, 10, 50, 200}, b at the optimum"),
        Check("rate_and_bias_limit", "numerical", _rate_and_bias_limit, parts=("rate", "bias"),
              scope="3 separated configurations, t in {200, 800, 3200}"),
    ),
    mutants=(
        Mutant("rate_full_gap", "the loss decays like e^{-t m*}, not e^{-2 t m*}",
               _ZERO_LOSS_CLAIM.vary(rate=S_MIN - S_MAX)),
        Mutant("bias_mean_midpoint", "the optimal b/t tends to the worst-pair midpoint, not the means' midpoint",
               _ZERO_LOSS_CLAIM.vary(bias=(S_POS_MEAN + S_NEG_MEAN) / 2)),
        Mutant("upper_N_minus_1", "on a double-constant configuration L(t, b*_rel t) = N sp(-t m*) exactly",
               _ZERO_LOSS_CLAIM.vary(upper=(H.N - 1) * _softplus(-H.t * H.m))),
        Mutant("lower_4_over_N", "with one critical positive and one critical negative pair inf_b L = "
                                 "(2/N) sp(-t m*) (1 + e^{-0.3 t})", _ZERO_LOSS_CLAIM.vary(lower=4 / H.N * _softplus(-H.t * H.m))),
        Mutant("lower_without_1_over_N", "one bad pair contributes only 1/N of its softplus",
               _ZERO_LOSS_CLAIM.vary(lower=2 * _softplus(-H.t * H.m))),
        Mutant("zero_loss_at_zero_margin", "at m* = 0 (the antipodal pair) L >= (2/N) log 2 for every t, b",
               _ZERO_LOSS_CLAIM.vary(zero_loss_iff=H.m >= 0)),
        Mutant("t_of_either_sign", "for t < 0 the logits at b*_rel t exceed |t| m*: L(t, b*_rel t) >= N sp(|t| m*)",
               _ZERO_LOSS_CLAIM.vary(t=sp.Ne(H.t, 0))),
    ),
)


# --- Observation 1: the relative-bias adapter -------------------------------------------------
# A_locked(X) = (delta X, sqrt(1 - delta^2)), A_trainable(X) = (delta X, -sqrt(1 - delta^2)).

_S = sp.Symbol("s")      # the similarity <U_i, V_j> before the adapters


def _adapter_identity(claim, point, evidence):
    r"""SymPy, every :math:`\delta \in (0, 1]`: for unit ``x``, ``y`` with :math:`x\cdot y = s`,
    :math:`A(x) = (\delta x, \sqrt{1-\delta^2})` and :math:`A'(y) = (\delta y, -\sqrt{1-\delta^2})`
    are unit vectors with :math:`A(x)\cdot A'(y) = \delta^2 s - (1 - \delta^2)`, and every
    logit :math:`t(s' - b_{rel})` equals :math:`t'(s - b'_{rel})` with the claimed
    :math:`t', b'_{rel}`, so the two losses (functions of the logits alone, by definition)
    agree.  A claim admitting :math:`\delta > 1` (no real adapter) or :math:`\delta = 0` (an
    undefined :math:`b'_{rel}`) is refuted."""
    dd = sp.Symbol("delta", positive=True)
    if allows(claim, delta=2):
        return "delta = 2 is admitted, but sqrt(1 - delta^2) is not real: the adapter has no unit vectors"
    if allows(claim, delta=0):
        return "delta = 0 is admitted, where t' = 0 and b'_rel = (b_rel + 1)/0: the identity is undefined"
    r = sp.sqrt(1 - dd ** 2)
    norm2 = dd ** 2 * 1 + r ** 2                      # |x| = 1
    product = dd ** 2 * _S + r * (-r)
    sub = {H.delta: dd}
    logit_gap = sp.simplify(H.t * (claim.similarity - B_REL) - claim.t_map * (_S - claim.b_rel_map)).subs(sub)
    evidence["similarity"] = str(sp.simplify(product))
    if sp.simplify(norm2 - 1) != 0:                   # pragma: no cover - algebra
        raise Inconclusive("the adapted vectors are not unit")
    if sp.simplify(product - claim.similarity.subs(sub)) != 0:
        return f"A(x).A'(y) = {sp.simplify(product)}, claimed {claim.similarity}"
    if sp.simplify(logit_gap) != 0:
        return f"t (s' - b_rel) - t' (s - b'_rel) = {sp.simplify(logit_gap)}, not 0"
    return None


def _adapter_identity_on_embeddings(claim, point, evidence):
    """Float64, seeded random unit U, V (N = 6, d = 5) and each delta in {0, 0.3, 0.8, 1, 1.5}
    the claim admits, (t, b_rel) in {(2, 0.1), (10, -0.4), (40, 0.6)}: the adapted vectors are
    unit, their similarity is the claimed one, and the sigmoid loss (exact softplus) of the
    adapted pair at (t, b_rel t) equals that of (U, V) at the claimed (t', b'_rel t'), to 1e-12."""
    rng = np.random.default_rng(point["seed"])
    U, V = unit_rows(rng.standard_normal((6, 5))), unit_rows(rng.standard_normal((6, 5)))
    sim, t_map, b_map = (sp.lambdify((H.delta, H.t, B_REL, _S), e) for e in
                         (claim.similarity, claim.t_map, claim.b_rel_map))
    worst = 0.0
    for delta in (np.float64(d) for d in (0, 0.3, 0.8, 1, 1.5) if allows(claim, delta=d)):
        tail = np.full((6, 1), np.sqrt(1 - delta ** 2)) if delta <= 1 else np.full((6, 1), np.nan)
        AU, AV = np.hstack([delta * U, tail]), np.hstack([delta * V, -tail])
        if not np.allclose(np.linalg.norm(AU, axis=1), 1, atol=1e-12):
            return f"delta = {delta}: the adapted vectors are not unit vectors"
        for tv, bv in ((2, 0.1), (10, -0.4), (40, 0.6)):
            with np.errstate(divide="ignore", invalid="ignore"):
                t2, b2 = t_map(delta, tv, bv, 0.0), b_map(delta, tv, bv, 0.0)
            if not (np.isfinite(t2) and np.isfinite(b2)):
                return f"delta = {delta}: the claimed (t', b'_rel) = ({t2}, {b2}) is undefined"
            S, SA = U @ V.T, AU @ AV.T
            if not np.allclose(SA, sim(delta, tv, bv, S), atol=1e-12):
                return f"delta = {delta}: A(U).A'(V) differs from the claimed similarity"
            lhs, rhs = (_relative_bias_loss(M, tt, bb) for M, tt, bb in ((SA, tv, bv), (S, t2, b2)))
            worst = max(worst, abs(lhs - rhs) / lhs)
            if abs(lhs - rhs) > 1e-12 * lhs:
                return (f"delta = {delta}, (t, b_rel) = ({tv}, {bv}): L_RB(A U, A V) = {lhs:.15g} but "
                        f"L_RB(U, V; {t2:.6g}, {b2:.6g}) = {rhs:.15g}")
    evidence["max_relative_difference"] = worst
    return None


def _relative_bias_loss(S, t, b_rel):
    """L_RB(t, b_rel) = L(t, b_rel t) of one float64 similarity matrix (exact softplus)."""
    one = torch.ones(1, dtype=torch.float64)
    return float(trainable_sigmoid_loss(torch.as_tensor(np.asarray(S, dtype=float))[None], t * one, b_rel * t * one))


_ADAPTER_CLAIM = Claim(
    {"similarity": H.delta ** 2 * _S - (1 - H.delta ** 2), "t_map": H.delta ** 2 * H.t,
     "b_rel_map": (B_REL + 1 - H.delta ** 2) / H.delta ** 2},
    {"delta": sp.And(H.delta > 0, H.delta <= 1), "vectors": "U_i, V_j unit vectors, t > 0"})

OBS1 = Theorem(
    id="bangachev2025.obs1",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Observation 1 (its displayed formula is not "
           "legible; reconstructed from §3.4's adapters 'A_locked(X) = (delta X, sqrt(1-delta^2))', "
           "'A_trainable(X) = (delta X, -sqrt(1-delta^2))')",
    statement=r"\langle A_{locked}U_i, A_{trainable}V_j\rangle = \delta^2 s_{ij} - (1-\delta^2),\ "
              r"L_{RB}(A U, A V; t, b_{rel}) = L_{RB}\big(U, V; \delta^2 t, \tfrac{b_{rel} + 1 - \delta^2}{\delta^2}\big)",
    parts=(Part("similarity", r"\langle A_{locked}U_i, A_{trainable}V_j\rangle = \delta^2 s_{ij} - (1-\delta^2)"),
           Part("loss_identity", r"L_{RB}(A U, A V; t, b_{rel}) = L_{RB}\big(U, V; \delta^2 t, "
                                 r"\tfrac{b_{rel} + 1 - \delta^2}{\delta^2}\big)")),
    claim=_ADAPTER_CLAIM,
    checks=(
        Check("adapter_identity", "proof", _adapter_identity, parts=("similarity", "loss_identity"),
              whole_domain=True, scope="every delta in (0, 1], t, b_rel and unit vectors (SymPy)"),
        Check("adapter_identity_on_embeddings", "empirical", _adapter_identity_on_embeddings,
              parts=("similarity", "loss_identity"), points=({"seed": 0},),
              scope="seeded random U, V (N = 6, d = 5), delta in {0.3, 0.8, 1}, 3 (t, b_rel)"),
    ),
    mutants=(
        Mutant("t_map_delta", "the logit scales by delta^2 (the adapter's inner product), not delta",
               _ADAPTER_CLAIM.vary(t_map=H.delta * H.t)),
        Mutant("b_rel_map_not_rescaled", "b_rel + 1 - delta^2 is the shifted bias before dividing by delta^2",
               _ADAPTER_CLAIM.vary(b_rel_map=B_REL + 1 - H.delta ** 2)),
        Mutant("same_sign_tails", "the adapters' last coordinates have opposite signs: the product subtracts 1 - delta^2",
               _ADAPTER_CLAIM.vary(similarity=H.delta ** 2 * _S + (1 - H.delta ** 2))),
        Mutant("delta_above_one", "for delta > 1, sqrt(1 - delta^2) is not real",
               _ADAPTER_CLAIM.vary(delta=H.delta > 0)),
        Mutant("delta_zero", "at delta = 0 the map divides by 0", _ADAPTER_CLAIM.vary(delta=sp.And(H.delta >= 0, H.delta <= 1))),
    ),
)

THEOREMS = [DEF_CONSTELLATION, THM3_1_3_2, OBS1]
