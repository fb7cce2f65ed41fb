r"""Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), *Global Minimizers of Sigmoid
Contrastive Loss*: constellations, their margin, zero loss, large constellations and the
necessary conditions.

Conventions: ``t`` multiplies the similarity and ``b`` is subtracted from the logit, as in the
paper and its code (SigLIP's bias is ``-b``); the relative bias is :math:`b_{rel} = b/t`, so the
logit is :math:`t(s - b_{rel})`.  Losses carry our :math:`1/N` normalisation (the authors' code
takes the mean over the :math:`N^2` pairs, i.e. ours divided by ``N``).  Here ``m`` is a
**margin** (not a batch size).  The margin :math:`m^*` and relative bias :math:`b^*_{rel}` of a
configuration are :mod:`clverify.numerics.descent.constellation`'s.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import linprog

from clverify.numerics.descent.constellation import is_constellation, margin, optimal_relative_bias
from clverify.numerics.descent.metrics import unit_rows
from clverify.numerics.precision.roots import find_root
from clverify.theory import CCEM, SimplexETF

from ..registry import Check, Mutant, Theorem

N = sp.Symbol("N", positive=True, integer=True)
m, b_rel, mpos, mneg = sp.symbols("m b_rel m_pos m_neg", real=True)
alpha = sp.Symbol("alpha", nonnegative=True)
#: Agreement of a float64 margin with a linear programme's or a construction's.
_MARGIN_TOLERANCE = 1e-9



def _random_similarities(seed: int, count: int):
    """Similarity matrices of seeded random unit embeddings (N in 3..12, d in 1..N+2), some
    of them separated (U near V, a few orthogonal directions)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        n_ = int(rng.integers(3, 13))
        d = int(rng.integers(1, n_ + 3))
        U = unit_rows(rng.standard_normal((n_, d)))
        V = U if k % 3 == 0 and d >= n_ else unit_rows(rng.standard_normal((n_, d)))
        out.append(U @ V.T)
    return out


# --- Definition (2): constellations, margin and relative bias --------------------------------
# claim: S -> (m*, b*_rel), the largest margin of S and the relative bias that attains it.

def _paper_margin(S):
    return margin(S), optimal_relative_bias(S)


def _lp_margin(S):
    """max m s.t. s_ii >= b + m, s_ij <= b - m (scipy's HiGHS), as (m, b)."""
    k = S.shape[0]
    rows, rhs = [], []
    for i in range(k):
        for j in range(k):
            if i == j:
                rows.append([1, 1])           # b + m <= s_ii
                rhs.append(S[i, i])
            else:
                rows.append([1, -1])          # m - b <= -s_ij
                rhs.append(-S[i, j])
    res = linprog([-1, 0], A_ub=rows, b_ub=rhs, bounds=[(None, None), (None, None)], method="highs")
    return res.x[0], res.x[1]


def _margin_is_linear_programme_optimum(claim, point, evidence):
    """On seeded random similarity matrices the claimed (m, b_rel) is the optimum of the linear
    programme 'largest m such that S is an (m, b_rel)-constellation' (its margin agrees, and
    the claimed pair is feasible)."""
    worst = 0.0
    for S in _random_similarities(point["seed"], point["count"]):
        (m_lp, _), (m_c, b_c) = _lp_margin(S), claim(S)
        worst = max(worst, abs(m_lp - m_c))
        if abs(m_lp - m_c) > _MARGIN_TOLERANCE or not is_constellation(S, m_c, b_c, _MARGIN_TOLERANCE):
            return (f"N={S.shape[0]}: claimed (m, b_rel) = ({m_c:.9g}, {b_c:.9g}); the linear programme's "
                    f"largest margin is {m_lp:.9g}")
    evidence["max_difference"] = worst
    return None


def _feasible_set_characterised(claim, point, evidence):
    """From the definition, entry by entry: for random (m, b_rel), S is an (m, b_rel)-constellation
    iff m <= m* and |b_rel - b*_rel| <= m* - m, with the claimed (m*, b*_rel)."""
    rng = np.random.default_rng(point["seed"])
    for S in _random_similarities(point["seed"], point["count"]):
        m_c, b_c = claim(S)
        for mv, bv in rng.uniform(-1, 1, size=(50, 2)):
            by_definition = bool(np.all(np.diag(S) >= bv + mv)
                                 and np.all(S[~np.eye(len(S), dtype=bool)] <= bv - mv))
            claimed = mv <= m_c and abs(bv - b_c) <= m_c - mv
            if by_definition != claimed:
                return (f"N={S.shape[0]}, (m, b_rel) = ({mv:.6f}, {bv:.6f}): by the definition it is "
                        f"{'' if by_definition else 'not '}a constellation; the claimed margin says otherwise")
    return None


def _full_gap(S):
    return 2 * margin(S), optimal_relative_bias(S)


def _mean_midpoint(S):
    off = S[~np.eye(len(S), dtype=bool)]
    return (np.diag(S).mean() - off.mean()) / 2, (np.diag(S).mean() + off.mean()) / 2


def _siglip_sign(S):
    return margin(S), -optimal_relative_bias(S)


DEF_CONSTELLATION = Theorem(
    id="bangachev2025.def_constellation",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), definition (2) (reconstructed: eq. (2) "
           "not legible; from Thm 3.4's proof 'Using <U_i,V_j> <= b_rel - m, <U_i,V_i> >= b_rel + m') and "
           "§3.4 'margins (computed as (min_i <U_i,V_i> - max_{i!=j} <U_i,V_j>)/2)'",
    statement=r"(U, V) \text{ is an } (m, b_{rel})\text{-constellation iff } s_{ii} \ge b_{rel} + m,\ "
              r"s_{ij} \le b_{rel} - m;\ m^* = \tfrac12(\min_i s_{ii} - \max_{i\ne j} s_{ij}),\ "
              r"b^*_{rel} = \tfrac12(\min_i s_{ii} + \max_{i\ne j} s_{ij})",
    hypotheses={"N": ">= 2", "d": "any", "U_i, V_i": "unit vectors"},
    claim=_paper_margin,
    checks=(
        Check("margin_is_linear_programme_optimum", "numerical", _margin_is_linear_programme_optimum,
              points=({"seed": 0, "count": 40},), thorough_points=({"seed": 1, "count": 400},)),
        Check("feasible_set_characterised", "empirical", _feasible_set_characterised,
              points=({"seed": 2, "count": 20},), thorough_points=({"seed": 3, "count": 200},)),
    ),
    mutants=(
        Mutant("full_gap", "min s_ii - max s_ij is twice the largest margin (App. D's tables print it)", _full_gap),
        Mutant("mean_midpoint", "the means' half difference is not the worst-pair margin", _mean_midpoint),
        Mutant("siglip_sign_of_bias", "SigLIP's added bias has the opposite sign", _siglip_sign),
    ),
)


# --- Theorems 3.1 and 3.2: zero loss iff separation, and the rate e^{-t m*} ------------------
# claim: {"rate": S -> rate, "bias": S -> limit of b_opt/t, "lower": (N, t, m) -> bound,
#         "upper": (N, t, m) -> bound}: lower <= L(t, b) for every b, L(t, bias t) <= upper,
#         -log(inf_b L)/t -> rate and b_opt/t -> bias as t -> infinity.

def _sp(z):
    return mpmath.log1p(mpmath.exp(z))


def _loss(S, t, b):
    """The sigmoid loss (1/N) in mpmath on a float similarity matrix."""
    k = len(S)
    return sum((_sp(b - t * S[i][i]) if i == j else _sp(t * S[i][j] - b))
               for i in range(k) for j in range(k)) / k


def _optimal_bias(S, t):
    """The minimiser in b of the (convex in b) loss: the root of dL/db (mpmath)."""
    k = len(S)

    def dldb(b):
        return sum((mpmath.sigmoid(b - t * S[i][i]) if i == j else -mpmath.sigmoid(t * S[i][j] - b))
                   for i in range(k) for j in range(k))
    return find_root(dldb, (-t - 60, t + 60), solver="bisect", max_steps=400, verify=False)


@lru_cache(maxsize=None)
def _zero_loss_configurations():
    """CCEM(6, 0.9) (double-constant), a perturbed CCEM (not double-constant, still separated),
    the antipodal pair (m* = 0) and a random non-separated pair (m* < 0)."""
    rng = np.random.default_rng(0)
    U, V = CCEM(6, sp.Rational(9, 10)).array()
    Up, Vp = unit_rows(U + 0.03 * rng.standard_normal(U.shape)), unit_rows(V + 0.03 * rng.standard_normal(V.shape))
    anti = np.zeros((6, 6))
    anti[:, 0] = 1
    R, Q = unit_rows(rng.standard_normal((6, 4))), unit_rows(rng.standard_normal((6, 4)))
    return {"ccem_0.9": U @ V.T, "perturbed_ccem": Up @ Vp.T, "antipodal": -anti @ anti.T, "random": R @ Q.T}


@lru_cache(maxsize=None)
def _loss_on_bias_grid(name: str, tv: int):
    """L(t, b) on the grid b = t * linspace(-1.2, 1.2, 25) (mpmath, 30 digits; independent of the claim)."""
    S = _zero_loss_configurations()[name].tolist()
    with mpmath.workdps(30):
        t = mpmath.mpf(tv)
        return [(bv, _loss(S, t, t * bv)) for bv in np.linspace(-1.2, 1.2, 25)]


def _bounds_hold(claim, point, evidence):
    """mpmath (30 digits): on every configuration, lower(N, t, m*) <= L(t, b) on a grid of b, and
    L(t, bias(S) t) <= upper(N, t, m*), for t = 1, 10, 50, 200."""
    with mpmath.workdps(30):
        for name, S in _zero_loss_configurations().items():
            k, ms = len(S), margin(S)
            for tv in (1, 10, 50, 200):
                t = mpmath.mpf(tv)
                lower = claim["lower"](k, t, ms)
                for bv, value in _loss_on_bias_grid(name, tv):
                    if value < lower * (1 - mpmath.mpf(10) ** -20):
                        return f"{name}, t={tv}, b={bv * tv:.4g}: L = {mpmath.nstr(value, 8)} < lower bound {mpmath.nstr(lower, 8)}"
                at = _loss(S.tolist(), t, t * claim["bias"](S))
                upper = claim["upper"](k, t, ms)
                if at > upper * (1 + mpmath.mpf(10) ** -20):
                    return f"{name}, t={tv}: L(t, b_rel t) = {mpmath.nstr(at, 8)} > upper bound {mpmath.nstr(upper, 8)}"
    return None


@lru_cache(maxsize=None)
def _rates(name: str):
    """(t, -log(inf_b L)/t, b_opt/t) at t = 200, 800, 3200 (mpmath, 30 digits; independent of the claim)."""
    S = _zero_loss_configurations()[name].tolist()
    rows = []
    with mpmath.workdps(30):
        for tv in (200, 800, 3200):
            t = mpmath.mpf(tv)
            b_opt = _optimal_bias(S, t)
            rows.append((tv, float(-mpmath.log(_loss(S, t, b_opt)) / t), float(b_opt / t)))
    return rows


def _rate_and_bias_limit(claim, point, evidence):
    """mpmath (30 digits), separated configurations: at t = 200, 800, 3200 the optimal b (root
    of dL/db) gives -log(inf_b L)/t and b_opt/t; their distances to the claimed rate and bias
    shrink (O(log N / t)) and are < 5e-3 at t = 3200."""
    table = {}
    with mpmath.workdps(30):
        for name, S in _zero_loss_configurations().items():
            if margin(S) <= 0:
                continue
            rows = _rates(name)
            table[name] = rows
            dr = [abs(r - claim["rate"](S)) for _, r, _ in rows]
            db = [abs(c - claim["bias"](S)) for _, _, c in rows]
            if not (dr[2] < dr[0] and db[2] <= db[0] + 1e-12 and dr[2] < 5e-3 and db[2] < 5e-3):
                return (f"{name}: -log(inf L)/t at t = 200, 800, 3200 is {[round(r, 6) for _, r, _ in rows]} "
                        f"(claimed limit {claim['rate'](S):.6f}); b_opt/t is {[round(c, 6) for _, _, c in rows]} "
                        f"(claimed {claim['bias'](S):.6f})")
    evidence["rates"] = table
    return None


_ZERO_LOSS_CLAIM = {
    "rate": margin, "bias": optimal_relative_bias,
    "lower": lambda k, t, ms: 2 * _sp(-t * ms) / k,
    "upper": lambda k, t, ms: k * _sp(-t * ms),
}

THM3_1_3_2 = Theorem(
    id="bangachev2025.thm3_1_3_2",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorems 3.1 (reconstructed) and 3.2: "
           "'inf_b L_Sig(...; t, b) <= e^{-t m + o(t)}' and '>= log(1 + e^{-t m* + o(t)})'; the two-sided "
           "bound with our 1/N normalisation is derived here (Jensen on the worst positive and negative pair)",
    statement=r"\tfrac2N\operatorname{sp}(-t m^*) \le L(U, V; t, b)\ \forall b,\quad "
              r"L(U, V; t, b^*_{rel} t) \le N \operatorname{sp}(-t m^*);\ \text{so } L \to 0 \iff m^* > 0 "
              r"\text{ and } -\tfrac1t\log\inf_b L \to m^*,\ b_{opt}/t \to b^*_{rel}",
    hypotheses={"N": ">= 2", "t": "> 0", "b": "real", "U_i, V_i": "unit vectors"},
    claim=_ZERO_LOSS_CLAIM,
    checks=(
        Check("bounds_hold_for_every_bias", "numerical", _bounds_hold,
              scope="4 configurations (separated, m* = 0, m* < 0), t in {1, 10, 50, 200}, 25 biases each"),
        Check("rate_and_bias_limit", "numerical", _rate_and_bias_limit,
              scope="2 separated configurations, t in {200, 800, 3200}"),
    ),
    mutants=(
        Mutant("rate_full_gap", "the loss decays like e^{-t m*}, not e^{-2 t m*}",
               {**_ZERO_LOSS_CLAIM, "rate": lambda S: 2 * margin(S)}),
        Mutant("bias_mean_midpoint", "the optimal b/t tends to the worst-pair midpoint, not the means' midpoint",
               {**_ZERO_LOSS_CLAIM, "bias": lambda S: float(_mean_midpoint(S)[1])}),
        Mutant("upper_N_minus_1", "on a double-constant configuration L(t, b*_rel t) = N sp(-t m*) exactly",
               {**_ZERO_LOSS_CLAIM, "upper": lambda k, t, ms: (k - 1) * _sp(-t * ms)}),
        Mutant("lower_without_1_over_N", "one bad pair contributes only 1/N of its softplus",
               {**_ZERO_LOSS_CLAIM, "lower": lambda k, t, ms: 2 * _sp(-t * ms)}),
    ),
)


# --- Theorem 3.3: exponentially large constellations, Construction 1 with phi = 0 ------------
# claim: {"alpha": alpha(m, b_rel), "delta2": delta^2(m, b_rel), "phi2": phi^2(m, b_rel),
#         "exponent": E(alpha)} (the proof's choices and the size exponent, natural log).

def _construction_parameters(claim, point, evidence):
    """SymPy: the proof's printed choices delta^2 = 2m/(1-alpha), phi^2 = (2b_rel + 2 -
    delta^2(3+alpha))/4 with alpha = (1+b_rel-3m)/(1+b_rel+m) equal the claimed ones, and
    Construction 1 then gives margin delta^2 (1-alpha)/2 = m and relative bias
    delta^2 (1+alpha)/2 + phi^2 - (1 - delta^2 - phi^2) = b_rel."""
    a = (1 + b_rel - 3 * m) / (1 + b_rel + m)
    delta2 = 2 * m / (1 - a)
    phi2 = (2 * b_rel + 2 - delta2 * (3 + a)) / 4
    derived = {"alpha": a, "delta2": delta2, "phi2": phi2}
    for key, expr in derived.items():
        diff = sp.simplify(expr - claim[key])
        if diff != 0:
            return f"{key}: the proof's choice is {sp.simplify(expr)}, claimed {claim[key]}"
    ca, d2, p2 = claim["alpha"], claim["delta2"], claim["phi2"]
    margins = (sp.simplify(d2 * (1 - ca) / 2 - m), sp.simplify(d2 * (1 + ca) / 2 + p2 - (1 - d2 - p2) - b_rel))
    evidence["phi2"] = str(sp.simplify(p2))
    return None if margins == (0, 0) else f"Construction 1 gives (m', b') - (m, b_rel) = {margins}"


def _random_code(k, dim, seed):
    rng = np.random.default_rng(seed)
    X = unit_rows(rng.standard_normal((k, dim)))
    G = X @ X.T
    return X, float(G[~np.eye(k, dtype=bool)].max())


def _construction_realises_constellation(claim, point, evidence):
    """Float64: a random code X (60 points in R^9, coherence alpha) and m = (1+b)(1-alpha)/(3+alpha)
    (so that alpha(m, b) is the code's): U' = (delta X, phi, r), V' = (delta X, phi, -r),
    r = sqrt(1 - delta^2 - phi^2), are unit vectors whose measured (m*, b*_rel) equal (m, b)."""
    X, a = _random_code(60, 9, point["seed"])
    found = {}
    for bv in (-0.3, 0.0, 0.4):
        mv = (1 + bv) * (1 - a) / (3 + a)
        at = {m: mv, b_rel: bv}
        d2, p2 = (float(claim[k].subs(at)) for k in ("delta2", "phi2"))
        if min(d2, p2) < -1e-15 or d2 + p2 > 1 + 1e-15:
            return f"b_rel={bv}: delta^2 = {d2:.6g}, phi^2 = {p2:.6g} do not give unit vectors"
        r = np.sqrt(max(1 - d2 - p2, 0.0))
        cols = [np.sqrt(d2) * X, np.full((60, 1), np.sqrt(max(p2, 0.0)))]
        U, V = np.hstack(cols + [np.full((60, 1), r)]), np.hstack(cols + [np.full((60, 1), -r)])
        S = U @ V.T
        got = (margin(S), optimal_relative_bias(S))
        found[str(bv)] = {"m": mv, "phi2": p2, "measured": got}
        if abs(got[0] - mv) > _MARGIN_TOLERANCE or abs(got[1] - bv) > _MARGIN_TOLERANCE:
            return f"b_rel={bv}: the construction has (m*, b*_rel) = ({got[0]:.9g}, {got[1]:.9g}), wanted ({mv:.9g}, {bv})"
    evidence["alpha"], evidence["cases"] = a, found
    return None


def _exponent_below_upper_bound(claim, point, evidence):
    """SymPy: the claimed size exponent is at most Thm 3.5's upper bound -(1/2) log(1 - alpha)
    (natural log) for every alpha in [0, 1): the set where it exceeds it is empty."""
    upper = -sp.log(1 - alpha) / 2
    bad = sp.solveset(sp.simplify(claim["exponent"] - upper) > 0, alpha, sp.Interval.Ropen(0, 1))
    evidence["violations"] = str(bad)
    return None if bad == sp.S.EmptySet else f"the claimed exponent exceeds -(1/2) log(1 - alpha) on {bad}"


_THM3_3_CLAIM = {"alpha": (1 + b_rel - 3 * m) / (1 + b_rel + m), "delta2": (1 + b_rel + m) / 2,
                 "phi2": sp.Integer(0), "exponent": -sp.log(1 - alpha ** 2) / 2}

THM3_3 = Theorem(
    id="bangachev2025.thm3_3",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.3 and Construction 1 "
           "(hypotheses and parameters read; the displayed bound reconstructed): 'delta^2 = 2m/(1-alpha)', "
           "'phi^2 = (2 b_rel + 2 - delta^2 (3+alpha))/4' with 'phi^2 > 0' (in fact phi^2 = 0 identically)",
    statement=r"m \ge 0,\ m + b_{rel} < 1,\ 3m < 1 + b_{rel}:\ E_{MRB}(m, b_{rel}) \ge -\tfrac12\log(1-\alpha^2),\ "
              r"\alpha = \tfrac{1 + b_{rel} - 3m}{1 + b_{rel} + m};\ \text{Construction 1 has } "
              r"\delta^2 = \tfrac{1 + b_{rel} + m}{2},\ \phi = 0",
    hypotheses={"m": ">= 0", "b_rel": "in [-1, 1], m + b_rel < 1, 3m < 1 + b_rel"},
    claim=_THM3_3_CLAIM,
    checks=(
        Check("construction_parameters_from_proof", "proof", _construction_parameters,
              scope="every m, b_rel (the construction; the size bound itself is Shannon-Wyner's, cited)"),
        Check("construction_realises_constellation", "numerical", _construction_realises_constellation,
              points=({"seed": 0},), thorough_points=({"seed": 1}, {"seed": 2})),
        Check("exponent_below_theorem3_5_upper_bound", "proof", _exponent_below_upper_bound,
              scope="every alpha in [0, 1)"),
    ),
    mutants=(
        Mutant("alpha_without_m_in_denominator", "alpha = (1+b-3m)/(1+b) does not give margin m",
               {**_THM3_3_CLAIM, "alpha": (1 + b_rel - 3 * m) / (1 + b_rel)}),
        Mutant("delta2_over_1_plus_alpha", "delta^2 = 2m/(1+alpha) gives margin m(1-alpha)/(1+alpha)",
               {**_THM3_3_CLAIM, "delta2": 2 * m / (1 + _THM3_3_CLAIM["alpha"])}),
        Mutant("exponent_in_bits", "log_2 against Thm 3.5's natural log exceeds the upper bound near alpha = 1",
               {**_THM3_3_CLAIM, "exponent": -sp.log(1 - alpha ** 2, 2) / 2}),
    ),
)


# --- Theorem 3.4: necessary conditions and the cap m* <= N/(2(N-1)) --------------------------
# claim: (c1, c2, cap): every configuration with mean s_ii >= m + b_rel and mean_{i!=j} s_ij <=
# b_rel - m has c1 <= 0 and c2 <= 0; hence m <= cap, attained by the simplex ETF.

_HYPOTHESES = (m + b_rel - mpos, mneg - b_rel + m,                       # the theorem's two means
               (N - 2) / (2 * (N - 1)) * mpos - N / (2 * (N - 1)) - mneg,   # Lemma C.6 (lee2025.lemC6)
               mpos - 1)                                                  # unit vectors


def _farkas(target, constraints, variables):
    """Non-negative multipliers (expressions in N) with target == sum(l_k g_k) identically in
    ``variables`` (every g_k <= 0, so target <= 0), or None."""
    lam = sp.symbols(f"l0:{len(constraints)}")
    expr = sp.expand(target - sum(lk * g for lk, g in zip(lam, constraints)))
    eqs = sp.Poly(expr, *variables).coeffs()
    sol = sp.solve(eqs, lam, dict=True)
    if not sol:
        return None
    values = [sp.simplify(sol[0].get(lk, 0)) for lk in lam]
    k = sp.Symbol("k", nonnegative=True, integer=True)
    if all(v.subs(N, k + 3).is_nonnegative for v in values):
        return values
    return None


def _conditions_follow_from_lemma_c6(claim, point, evidence):
    """SymPy, for every N >= 3: each claimed condition is a non-negative combination of the
    hypotheses, Lemma C.6 and m_pos <= 1 (a Farkas certificate), and m - cap is a non-negative
    combination of the two conditions."""
    c1, c2, cap = claim
    found = {}
    for name, target in (("c1", c1), ("c2", c2)):
        lam = _farkas(target, _HYPOTHESES, (m, b_rel, mpos, mneg))
        if lam is None:
            return f"{name} = {target} <= 0 does not follow from the hypotheses and Lemma C.6"
        found[name] = [str(v) for v in lam]
    mu = _farkas(m - cap, (c1, c2), (m, b_rel))
    if mu is None:
        return f"m <= {cap} does not follow from the two conditions"
    evidence["multipliers"] = found
    return None


def _tight_at_simplex_etf(claim, point, evidence):
    """SymPy, symbolic N: the simplex ETF (U = V) has m* = cap and both conditions with equality."""
    G = SimplexETF(N).grams().uv
    ms, bs = (G.diagonal - G.off_diagonal) / 2, (G.diagonal + G.off_diagonal) / 2
    c1, c2, cap = claim
    values = [sp.simplify(e.subs({m: ms, b_rel: bs})) for e in (c1, c2, ms - cap)]
    evidence["etf"] = {"m": str(sp.simplify(ms)), "b_rel": str(sp.simplify(bs))}
    if values != [0, 0, 0]:
        return f"at the simplex ETF (m*, b*_rel) = ({sp.simplify(ms)}, {sp.simplify(bs)}): c1, c2, m* - cap = {values}"
    return None


def _no_violation_on_configurations(claim, point, evidence):
    """Float64: seeded random configurations and the float simplex ETFs (N = 3..12) satisfy both
    conditions and the cap at (m*, b*_rel), to 1e-12."""
    c1, c2, cap = (sp.lambdify((N, m, b_rel), e) for e in claim)
    etfs = [W @ W.T for W in (SimplexETF(k).array()[0] for k in range(3, 13))]
    worst = -np.inf
    for S in _random_similarities(point["seed"], point["count"]) + etfs:
        k, ms, bs = len(S), margin(S), optimal_relative_bias(S)
        worst = max(worst, ms / cap(k, 0, 0))
        if max(c1(k, ms, bs), c2(k, ms, bs), ms - cap(k, 0, 0)) > 1e-12:
            return f"N={k}: (m*, b*_rel) = ({ms:.6f}, {bs:.6f}) violates a claimed condition or the cap"
    evidence["max_margin_over_cap"] = worst
    return None


_THM3_4_CLAIM = (m + b_rel - 1, (3 - 4 / N) * m - 1 - b_rel, N / (2 * (N - 1)))

THM3_4 = Theorem(
    id="bangachev2025.thm3_4",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.4 ('(3 - 4/N) m <= 1 + b_rel', "
           "via Lemma 1 of Lee et al. 2024); the corollary m* <= N/(2(N-1)) (the sum of the two) is ours",
    statement=r"\bar s_{pos} \ge m + b_{rel},\ \bar s_{neg} \le b_{rel} - m \Rightarrow m + b_{rel} \le 1,\ "
              r"(3 - \tfrac4N) m \le 1 + b_{rel};\ \text{so } m^* \le \tfrac{N}{2(N-1)}, \text{ attained by the simplex ETF}",
    hypotheses={"N": "integer >= 3", "d": "any (the ETF needs d >= N - 1)", "U_i, V_i": "unit vectors"},
    claim=_THM3_4_CLAIM,
    checks=(
        Check("conditions_follow_from_lemma_c6", "proof", _conditions_follow_from_lemma_c6,
              scope="every N >= 3, every configuration (given Lemma C.6, proved as lee2025.lemC6)",
              whole_domain=True),
        Check("tight_at_simplex_etf", "proof", _tight_at_simplex_etf, scope="every N >= 3"),
        Check("no_violation_on_configurations", "empirical", _no_violation_on_configurations,
              points=({"seed": 4, "count": 300},), thorough_points=({"seed": 5, "count": 5000},)),
    ),
    mutants=(
        Mutant("cap_full_gap", "N/(N-1) is twice the margin the ETF attains", (*_THM3_4_CLAIM[:2], N / (N - 1))),
        Mutant("asymptotic_3m", "3m <= 1 + b_rel fails at the simplex ETF (3N/(2(N-1)) > (3N-4)/(2(N-1)))",
               (_THM3_4_CLAIM[0], 3 * m - 1 - b_rel, N / (2 * (N - 1)))),
        Mutant("cap_N_minus_1_over_2N", "(N-1)/(2N) is below the ETF's margin", (*_THM3_4_CLAIM[:2], (N - 1) / (2 * N))),
    ),
)

THEOREMS = [DEF_CONSTELLATION, THM3_1_3_2, THM3_3, THM3_4]
