r"""Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025): how large a constellation can be.
Exponentially large constellations exist (Thm 3.3, through Construction 1), the necessary
conditions and the cap on the margin (Thm 3.4), and the size upper bound (Thm 3.5).

Size exponents are :math:`E = \liminf_d \frac1d \log N` in natural logarithms (the paper
prints :math:`\log_2` in places; one base is used throughout).  The hypotheses on
:math:`(m, b_{rel})` are linear, so a linear expression is bounded on them by its values at
the vertices of the polygon they cut out (:func:`region_vertices`).  Conventions as in
:mod:`clverify.proofs_check.theorems.bangachev2025`.
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import sympy as sp

from clverify.numerics.descent.constellation import margin, optimal_relative_bias
from clverify.numerics.descent.metrics import unit_rows
from clverify.theory import SimplexETF

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from .bangachev2025 import B_REL, MARGIN_TOLERANCE, allows, random_similarities, smallest_admitted

#: The coherence of a spherical code (largest inner product between two of its points).
ALPHA = sp.Symbol("alpha")
#: Thm 3.3's alpha(m, b_rel): the coherence of the code that Construction 1 needs.
ALPHA_OF = (1 + B_REL - 3 * H.m) / (1 + B_REL + H.m)
#: Thm 3.3's size exponent -(1/2) log(1 - alpha^2) (the Shannon-Wyner bound for codes).
CODE_EXPONENT = -sp.log(1 - ALPHA ** 2) / 2
_REAL = {H.m: sp.Symbol("m", real=True), B_REL: sp.Symbol("b_rel", real=True)}


def _relations(claim):
    """The claim's hypotheses in (m, b_rel) as a flat list of SymPy relations."""
    flat = []
    for r in claim.hypotheses.values():
        if isinstance(r, sp.Basic):
            flat.extend(r.args if isinstance(r, sp.And) else (r,))
    return [r for r in flat if r.free_symbols <= {H.m, B_REL}]


def region_vertices(claim) -> list[tuple]:
    r"""The vertices :math:`(m, b_{rel})` of the closed polygon cut out by the claim's linear
    hypotheses in :math:`(m, b_{rel})` (strict inequalities closed).

    >>> region_vertices(Claim({}, {"m": H.m >= 0, "b": sp.And(B_REL >= -1, B_REL <= 1), "s": H.m + B_REL < 1}))
    [(0, -1), (0, 1), (2, -1)]
    """
    relations = _relations(claim)
    closed = [sp.Le(r.lhs, r.rhs) if isinstance(r, (sp.StrictLessThan, sp.LessThan)) else sp.Ge(r.lhs, r.rhs)
              for r in relations]
    points = set()
    for f, g in itertools.combinations(relations, 2):
        solution = sp.solve([f.lhs - f.rhs, g.lhs - g.rhs], (H.m, B_REL), dict=True)
        if len(solution) == 1 and len(solution[0]) == 2:
            p = solution[0]
            if all(bool(c.subs(p)) for c in closed):
                points.add((p[H.m], p[B_REL]))
    return sorted(points)


def _max_on_region(expr, vertices):
    """The largest value of a linear ``expr`` in (m, b_rel) on the polygon (at a vertex)."""
    if sp.Poly(expr, H.m, B_REL).total_degree() > 1:
        raise Inconclusive(f"{expr} is not linear in (m, b_rel): its maximum is not read off the vertices")
    return max(expr.subs({H.m: mv, B_REL: bv}, simultaneous=True) for mv, bv in vertices)


def _alpha_range(claim):
    """The smallest and largest claimed alpha(m, b_rel) over the polygon's vertices where it is
    defined (a linear-fractional function with a positive denominator takes its extremes there)."""
    values = [claim.alpha.subs({H.m: mv, B_REL: bv}, simultaneous=True) for mv, bv in region_vertices(claim)]
    values = [v for v in values if v.is_finite]          # alpha is 0/0 at (m, b_rel) = (0, -1)
    return min(values), max(values)


# --- Theorem 3.3: exponentially large constellations, Construction 1 with phi = 0 ------------

def _construction_parameters(claim, point, evidence):
    r"""SymPy, every (m, b_rel) of the hypotheses: the proof's choices
    :math:`\delta^2 = 2m/(1-\alpha)` and :math:`\phi^2 = (2b_{rel} + 2 - \delta^2(3+\alpha))/4`
    (read with :math:`\delta^2`; the text prints :math:`\delta(3+\alpha)`) equal the claimed
    ones; Construction 1 applied to an :math:`\alpha`-code (an :math:`((1-\alpha)/2,
    (1+\alpha)/2)`-constellation with :math:`U = V`) gives margin :math:`\delta^2(1-\alpha)/2 = m`
    and relative bias :math:`\delta^2(1+\alpha)/2 + \phi^2 - (1-\delta^2-\phi^2) = b_{rel}`; and
    its vectors are real unit vectors (:math:`\phi^2 \ge 0`, :math:`\delta^2 \ge 0`,
    :math:`\delta^2 + \phi^2 \le 1`) on the whole polygon of hypotheses (checked at its
    vertices: the claimed parameters are linear)."""
    m, b = _REAL[H.m], _REAL[B_REL]
    a, d2, p2 = (sp.sympify(claim.values[k]).subs(_REAL) for k in ("alpha", "delta2", "phi2"))
    derived_d2 = 2 * m / (1 - a)
    derived = {"delta2": derived_d2, "phi2": (2 * b + 2 - derived_d2 * (3 + a)) / 4}
    for key, expr in derived.items():
        if sp.simplify(expr - sp.sympify(claim.values[key]).subs(_REAL)) != 0:
            return f"{key}: the proof's choice is {sp.simplify(expr)}, claimed {claim.values[key]}"
    gaps = (sp.simplify(d2 * (1 - a) / 2 - m), sp.simplify(d2 * (1 + a) / 2 + p2 - (1 - d2 - p2) - b))
    if gaps != (0, 0):
        return f"Construction 1 gives (m', b'_rel) - (m, b_rel) = {gaps}"
    vertices = region_vertices(claim)
    plain = {v: k for k, v in _REAL.items()}
    d2p, p2p = d2.subs(plain), p2.subs(plain)
    worst = {"-phi2": _max_on_region(-p2p, vertices), "-delta2": _max_on_region(-d2p, vertices),
             "delta2 + phi2 - 1": _max_on_region(d2p + p2p - 1, vertices)}
    evidence["phi2"], evidence["vertices"] = str(sp.simplify(p2)), [f"({mv}, {bv})" for mv, bv in vertices]
    bad = {k: v for k, v in worst.items() if v > 0}
    if bad:
        return f"the construction has no real unit vectors on the hypotheses' polygon: largest {bad}"
    return None


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
        d2, p2 = (float(sp.sympify(claim.values[k]).subs({H.m: mv, B_REL: bv})) for k in ("delta2", "phi2"))
        if min(d2, p2) < -1e-15 or d2 + p2 > 1 + 1e-15:
            return f"b_rel={bv}: delta^2 = {d2:.6g}, phi^2 = {p2:.6g} do not give unit vectors"
        r = np.sqrt(max(1 - d2 - p2, 0.0))
        cols = [np.sqrt(d2) * X, np.full((60, 1), np.sqrt(max(p2, 0.0)))]
        U, V = np.hstack(cols + [np.full((60, 1), r)]), np.hstack(cols + [np.full((60, 1), -r)])
        S = U @ V.T
        got = (margin(S), optimal_relative_bias(S))
        found[str(bv)] = {"m": mv, "phi2": p2, "measured": got}
        if abs(got[0] - mv) > MARGIN_TOLERANCE or abs(got[1] - bv) > MARGIN_TOLERANCE:
            return f"b_rel={bv}: the construction has (m*, b*_rel) = ({got[0]:.9g}, {got[1]:.9g}), wanted ({mv:.9g}, {bv})"
    evidence["alpha"], evidence["cases"] = a, found
    return None


def _cap_exponent(cos_radius, d) -> float:
    r""":math:`-\frac1d \log\mu_d`, :math:`\mu_d` the normalised area of a cap
    :math:`\{x \in S^{d-1}: x\cdot e \ge c\}`, :math:`\mu_d = \frac12 I_{1-c^2}(\frac{d-1}2, \frac12)`."""
    c = mpmath.mpf(cos_radius)
    return float(-mpmath.log(mpmath.betainc((d - 1) / mpmath.mpf(2), 0.5, 0, 1 - c * c, regularized=True) / 2) / d)


def _exponent_from_cap_measure(claim, point, evidence):
    r"""mpmath, at the alpha in {0.1, 0.3, 0.5, 0.7, 0.9, 0.99} that the hypotheses reach:
    Chabauty-Shannon-Wyner (a maximal alpha-code's caps of angular radius arccos alpha cover
    the sphere, hand-argued) gives :math:`E_{SC}(\alpha) \ge \lim_d -\frac1d\log\mu_d(\alpha)`,
    and Construction 1 (d - 2 dimensions more) :math:`E_{MRB} \ge E_{SC}(\alpha)`.  The
    cap exponents at d = 10^2, 10^3, 10^4 decrease toward their limit; the claimed exponent
    must be at most the one at d = 10^4 (+1e-3).  It is refuted above the packing exponent
    (disjoint caps of half the angle, at d = 10^4), and, where the hypotheses reach
    alpha < 0, if positive: an alpha-code with alpha < 0 has at most 1 - 1/alpha points
    (:math:`|\sum x_i|^2 \ge 0`)."""
    exponent = sp.lambdify(ALPHA, claim.exponent, "mpmath")
    lo, hi = _alpha_range(claim)
    if lo < 0 and exponent(max(float(lo), -0.5)).real > 0:
        return (f"the hypotheses reach alpha = {lo}; an alpha-code with alpha < 0 has at most 1 - 1/alpha points, "
                f"so E_SC = 0 < the claimed {float(exponent(max(float(lo), -0.5)).real):.4f}")
    table = {}
    for a in (a for a in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99) if lo <= a <= hi):
        table[a] = {"claimed": float(exponent(a)), "covering": [_cap_exponent(a, d) for d in (100, 1000, 10000)],
                    "packing": _cap_exponent(np.sqrt((1 + a) / 2), 10000)}
    evidence["exponents"] = {str(a): row for a, row in table.items()}
    for a, row in table.items():
        if row["claimed"] > row["packing"] + 1e-3:
            return (f"alpha = {a}: the claimed exponent {row['claimed']:.4f} exceeds the packing exponent "
                    f"{row['packing']:.4f} (disjoint caps of half the angle): no alpha-code family is that large")
    for a, row in table.items():
        covering = row["covering"]
        if not covering[0] > covering[1] > covering[2] or row["claimed"] > covering[2] + 1e-3:
            raise Inconclusive(f"alpha = {a}: claimed {row['claimed']:.4f}, cap exponents {covering} "
                               f"(the covering bound does not reach it)")
    return None


_THM3_3_CLAIM = Claim(
    {"alpha": ALPHA_OF, "delta2": (1 + B_REL + H.m) / 2, "phi2": sp.Integer(0), "exponent": CODE_EXPONENT},
    {"m": H.m >= 0, "b_rel": sp.And(B_REL >= -1, B_REL <= 1), "sum": H.m + B_REL < 1, "code": 3 * H.m < 1 + B_REL})

THM3_3 = Theorem(
    id="bangachev2025.thm3_3",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.3 and Construction 1 "
           "(hypotheses and parameters read; the displayed bound reconstructed). The proof prints "
           "'delta^2 = 2m/(1-alpha)' and 'phi^2 = (2 b_rel + 2 - delta (3+alpha))/4' with 'phi^2 > 0'. "
           "Read here as delta^2 (3 + alpha): Construction 1's b'_rel = delta^2 b_rel + phi^2 - (1 - delta^2 - phi^2), "
           "applied to a code (b_rel = (1+alpha)/2), equals b_rel only with delta^2, and then phi^2 = 0 identically",
    statement=r"m \ge 0,\ m + b_{rel} < 1,\ 3m < 1 + b_{rel}:\ E_{MRB}(m, b_{rel}) \ge -\tfrac12\log(1-\alpha^2),\ "
              r"\alpha = \tfrac{1 + b_{rel} - 3m}{1 + b_{rel} + m};\ \text{Construction 1 has } "
              r"\delta^2 = \tfrac{1 + b_{rel} + m}{2},\ \phi = 0",
    parts=(Part("construction", r"\text{Construction 1 with } \delta^2 = \tfrac{2m}{1-\alpha} = \tfrac{1+b_{rel}+m}{2},\ "
                                r"\phi^2 = \tfrac{2b_{rel} + 2 - \delta^2(3+\alpha)}{4} = 0 \text{ maps an } \alpha"
                                r"\text{-code in } \mathbb R^{d-2} \text{ to an } (m, b_{rel})\text{-constellation of unit vectors in } \mathbb R^d"),
           Part("exponent", r"E_{MRB}(m, b_{rel}) \ge E_{SC}(\alpha) \ge -\tfrac12\log(1-\alpha^2)")),
    claim=_THM3_3_CLAIM,
    uses=("bangachev2025.def_constellation",),
    checks=(
        Check("construction_parameters_from_proof", "proof", _construction_parameters, parts=("construction",),
              whole_domain=True, scope="every (m, b_rel) of the hypotheses (SymPy; unit vectors at the vertices "
                                       "of the hypotheses' polygon, the parameters being linear)"),
        Check("construction_realises_constellation", "numerical", _construction_realises_constellation,
              parts=("construction",), points=({"seed": 0},), thorough_points=({"seed": 1}, {"seed": 2})),
        Check("exponent_from_cap_measure", "numerical", _exponent_from_cap_measure, parts=("exponent",),
              scope="alpha in {0.1, 0.3, 0.5, 0.7, 0.9, 0.99}, cap measures at d up to 10^4 (the covering "
                    "argument and the passage from d - 2 to d are hand-argued)"),
    ),
    mutants=(
        Mutant("alpha_without_m_in_denominator", "alpha = (1+b-3m)/(1+b) does not give margin m with delta^2 = (1+b+m)/2",
               _THM3_3_CLAIM.vary(alpha=(1 + B_REL - 3 * H.m) / (1 + B_REL))),
        Mutant("delta2_over_1_plus_alpha", "delta^2 = 2m/(1+alpha) gives margin m(1-alpha)/(1+alpha)",
               _THM3_3_CLAIM.vary(delta2=2 * H.m / (1 + ALPHA_OF))),
        Mutant("phi2_as_printed", "phi^2 = (2b + 2 - delta (3+alpha))/4, as printed, gives b'_rel != b_rel",
               _THM3_3_CLAIM.vary(phi2=(2 * B_REL + 2 - sp.sqrt((1 + B_REL + H.m) / 2) * (3 + ALPHA_OF)) / 4)),
        Mutant("exponent_in_bits", "log_2 exceeds the packing exponent -(1/2) log((1-alpha)/2) near alpha = 1",
               _THM3_3_CLAIM.vary(exponent=-sp.log(1 - ALPHA ** 2, 2) / 2)),
        Mutant("without_m_plus_b_below_1", "m + b_rel > 1 needs delta^2 = (1+b+m)/2 > 1 (and Thm 3.4 forbids it)",
               _THM3_3_CLAIM.vary(sum=H.m + B_REL < 2)),
        Mutant("without_3m_below_1_plus_b", "3m > 1 + b_rel needs an alpha-code with alpha < 0: at most 1 - 1/alpha points",
               _THM3_3_CLAIM.vary(code=H.m < 2)),
    ),
)


# --- Theorem 3.4: necessary conditions and the cap m* <= N/(2(N-1)) --------------------------
# Every configuration with mean s_ii >= m + b_rel and mean_{i!=j} s_ij <= b_rel - m has c1 <= 0
# and c2 <= 0; hence m <= cap, attained (only) by the simplex ETF.

_m, _b, _mpos, _mneg = sp.symbols("m b_rel m_pos m_neg", real=True)
_N = sp.Symbol("N", positive=True, integer=True)
_HYPOTHESES = (_m + _b - _mpos, _mneg - _b + _m,                                 # the theorem's two means
               (_N - 2) / (2 * (_N - 1)) * _mpos - _N / (2 * (_N - 1)) - _mneg,   # Lemma C.6 (lee2025.lemC6)
               _mpos - 1)                                                        # unit vectors


def _derivation(expr):
    """A claim's expression in the derivation's symbols (assumptions: real, N a positive integer)."""
    return sp.sympify(expr).subs({H.m: _m, B_REL: _b, H.N: _N})


def _farkas(target, constraints, variables, n_min):
    """Non-negative multipliers (expressions in N, checked for every N >= n_min) with
    target == sum(l_k g_k) identically in ``variables`` (every g_k <= 0, so target <= 0), or None."""
    lam = sp.symbols(f"l0:{len(constraints)}")
    eqs = sp.Poly(sp.expand(target - sum(lk * g for lk, g in zip(lam, constraints))), *variables).coeffs()
    sol = sp.solve(eqs, lam, dict=True)
    if not sol:
        return None
    values = [sp.simplify(sol[0].get(lk, 0)) for lk in lam]
    k = sp.Symbol("k", nonnegative=True, integer=True)
    return values if all(v.subs(_N, k + n_min).is_nonnegative for v in values) else None


def _conditions_follow_from_lemma_c6(claim, point, evidence):
    """SymPy, every N the hypotheses admit (>= 3): each claimed condition is a non-negative
    combination of the hypotheses, Lemma C.6 and m_pos <= 1 (a Farkas certificate), and m - cap
    is a non-negative combination of the two conditions.  No certificate proves nothing, and
    refutes nothing."""
    n_min = smallest_admitted(claim, "N", range(2, 10))
    if n_min < 2:                                                      # pragma: no cover
        raise Inconclusive("Lemma C.6 needs N >= 2")
    c1, c2, cap = (_derivation(claim.values[k]) for k in ("c1", "c2", "cap"))
    found = {}
    for name, target in (("c1", c1), ("c2", c2)):
        lam = _farkas(target, _HYPOTHESES, (_m, _b, _mpos, _mneg), n_min)
        if lam is None:
            raise Inconclusive(f"no certificate that {name} = {target} <= 0 follows from the hypotheses and Lemma C.6")
        found[name] = [str(v) for v in lam]
    if _farkas(_m - cap, (c1, c2), (_m, _b), n_min) is None:
        raise Inconclusive(f"no certificate that m <= {cap} follows from the two conditions")
    evidence["multipliers"] = found
    return None


def _cap_attained_only_by_simplex_etf(claim, point, evidence):
    r"""SymPy, symbolic N: the simplex ETF (U = V) has :math:`m^* =` cap and both conditions
    with equality, in dimension N - 1 (its Gram's rank).  Conversely :math:`m^* =` cap forces
    both conditions to be tight, so :math:`m^* + b^*_{rel} = 1` (every :math:`s_{ii} = 1`,
    i.e. :math:`u_i = v_i`) and :math:`\max_{i\ne j} s_{ij} = b^* - m^* = -\frac1{N-1}`, which
    Lemma C.6 at :math:`\bar s_{pos} = 1` makes the mean too: every :math:`s_{ij}` equals it,
    the ETF Gram (hand-argued: max = mean forces equality; unit vectors with
    :math:`u\cdot v = 1` are equal).  The claim must admit d = N - 1 and no d < N - 1."""
    G = SimplexETF(_N).grams().uv
    ms, bs = (G.diagonal - G.off_diagonal) / 2, (G.diagonal + G.off_diagonal) / 2
    c1, c2, cap = (_derivation(claim.values[k]) for k in ("c1", "c2", "cap"))
    values = [sp.simplify(e.subs({_m: ms, _b: bs})) for e in (c1, c2, ms - cap)]
    evidence["etf"] = {"m": str(sp.simplify(ms)), "b_rel": str(sp.simplify(bs)), "rank": str(SimplexETF(_N).grams().rank())}
    if values != [0, 0, 0]:
        return f"at the simplex ETF (m*, b*_rel) = ({sp.simplify(ms)}, {sp.simplify(bs)}): c1, c2, m* - cap = {values}"
    (tight,) = sp.solve([c1, c2], (_m, _b), dict=True)
    lemma_at_one = (_N - 2) / (2 * (_N - 1)) - _N / (2 * (_N - 1))
    forced = (sp.simplify(tight[_m] + tight[_b] - 1), sp.simplify(tight[_b] - tight[_m] - lemma_at_one),
              sp.simplify(tight[_b] - tight[_m] - G.off_diagonal))
    if forced != (0, 0, 0):                                            # pragma: no cover - algebra
        raise Inconclusive(f"the tight conditions do not force the ETF Gram: {forced}")
    rank = SimplexETF(_N).grams().rank()
    for n in range(3, 13):
        if allows(claim, N=n, d=n - 2):
            return (f"N={n}, d={n - 2} is admitted, but only the simplex ETF's Gram (rank {rank.subs(_N, n)} = N - 1) "
                    f"attains the cap")
    if not all(allows(claim, N=n, d=n - 1) for n in range(3, 13)):
        raise Inconclusive("the claim's hypotheses exclude d = N - 1, where the simplex ETF attains the cap")
    return None


def _no_violation_on_configurations(claim, point, evidence):
    """Float64: seeded random configurations (N from the smallest the claim admits) and the
    float simplex ETFs (N = 3..12) satisfy both conditions and the cap at (m*, b*_rel), to 1e-12."""
    c1, c2, cap = (sp.lambdify((H.N, H.m, B_REL), claim.values[k]) for k in ("c1", "c2", "cap"))
    etfs = [W @ W.T for W in (SimplexETF(k).array()[0] for k in range(3, 13))]
    n_min = max(2, smallest_admitted(claim, "N", range(2, 13)))
    worst = -np.inf
    for S in random_similarities(point["seed"], point["count"], n_min) + etfs:
        k, ms, bs = len(S), margin(S), optimal_relative_bias(S)
        worst = max(worst, ms / cap(k, 0, 0))
        if max(c1(k, ms, bs), c2(k, ms, bs), ms - cap(k, 0, 0)) > 1e-12:
            return f"N={k}: (m*, b*_rel) = ({ms:.6f}, {bs:.6f}) violates a claimed condition or the cap"
    evidence["max_margin_over_cap"] = worst
    return None


_THM3_4_CLAIM = Claim(
    {"c1": H.m + B_REL - 1, "c2": (3 - 4 / H.N) * H.m - 1 - B_REL, "cap": H.N / (2 * (H.N - 1))},
    {"N": H.N >= 3, "d": H.d >= H.N - 1,
     "vectors": "U_i, V_i unit vectors; the conditions and the cap hold in every d, d >= N - 1 is for attaining it"})

THM3_4 = Theorem(
    id="bangachev2025.thm3_4",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.4 ('(3 - 4/N) m <= 1 + b_rel', "
           "via Lemma 1 of Lee et al. 2024); the corollary m* <= N/(2(N-1)) (the sum of the two) and its "
           "equality case are ours",
    statement=r"\bar s_{pos} \ge m + b_{rel},\ \bar s_{neg} \le b_{rel} - m \Rightarrow m + b_{rel} \le 1,\ "
              r"(3 - \tfrac4N) m \le 1 + b_{rel};\ \text{so } m^* \le \tfrac{N}{2(N-1)}, \text{ attained exactly by the "
              r"simplex ETF } (d \ge N - 1)",
    parts=(Part("conditions", r"m + b_{rel} \le 1,\ (3 - \tfrac4N) m \le 1 + b_{rel}"),
           Part("cap", r"m^* \le \tfrac{N}{2(N-1)}"),
           Part("tight", r"m^* = \tfrac{N}{2(N-1)} \text{ exactly for the simplex ETF } U = V, \text{ which needs } d \ge N - 1")),
    claim=_THM3_4_CLAIM,
    uses=("lee2025.lemC6", "bangachev2025.def_constellation"),
    checks=(
        Check("conditions_follow_from_lemma_c6", "proof", _conditions_follow_from_lemma_c6,
              parts=("conditions", "cap"), whole_domain=True,
              scope="every N >= 3, every configuration (given Lemma C.6, proved as lee2025.lemC6)",
              why_no_mutant="a Farkas certificate proves a condition; its absence refutes nothing, so the false "
                            "constants are refuted by the ETF and the configurations"),
        Check("cap_attained_only_by_simplex_etf", "proof", _cap_attained_only_by_simplex_etf, parts=("tight",),
              whole_domain=True, scope="every N >= 3 (SymPy; 'max = mean forces equality' and 'u.v = 1 forces "
                                       "u = v' hand-argued; Lemma C.6 as lee2025.lemC6)"),
        Check("no_violation_on_configurations", "empirical", _no_violation_on_configurations,
              parts=("conditions", "cap"),
              points=({"seed": 4, "count": 300},), thorough_points=({"seed": 5, "count": 5000},)),
    ),
    mutants=(
        Mutant("cap_full_gap", "N/(N-1) is twice the margin the ETF attains", _THM3_4_CLAIM.vary(cap=H.N / (H.N - 1))),
        Mutant("asymptotic_3m", "3m <= 1 + b_rel fails at the simplex ETF (3N/(2(N-1)) > (3N-4)/(2(N-1)))",
               _THM3_4_CLAIM.vary(c2=3 * H.m - 1 - B_REL)),
        Mutant("cap_N_minus_1_over_2N", "(N-1)/(2N) is below the ETF's margin", _THM3_4_CLAIM.vary(cap=(H.N - 1) / (2 * H.N))),
        Mutant("attained_for_d_ge_N_minus_2", "only the simplex ETF (rank N - 1) attains the cap",
               _THM3_4_CLAIM.vary(d=H.d >= H.N - 2)),
    ),
)


# --- Theorem 3.5: the size upper bound ---------------------------------------------------------

def _closed_form(claim, point, evidence):
    r"""SymPy, every :math:`m > 0` with :math:`1 + b_{rel} + m > 0`: the bound in alpha at
    :math:`\alpha(m, b_{rel})` equals the closed form (:math:`1 - \alpha = \frac{4m}{1+b_{rel}+m}`)."""
    m, b = sp.Symbol("m", positive=True), sp.Symbol("b_rel", real=True)
    q = sp.Symbol("q", positive=True)                                  # q = 1 + b_rel + m > 0
    in_alpha = claim.bound_in_alpha.subs(ALPHA, claim.alpha).subs({H.m: m, B_REL: b}).subs(b, q - 1 - m)
    closed = sp.sympify(claim.bound).subs({H.m: m, B_REL: b}).subs(b, q - 1 - m)
    gap = sp.simplify(sp.expand_log(in_alpha - closed, force=True))
    evidence["difference"] = str(gap)
    return None if gap == 0 else f"the bound in alpha and the closed form differ by {gap}"


def _dominates_achievable_exponents(claim, point, evidence):
    r"""SymPy, on the alpha the hypotheses reach (the vertices of their polygon): the bound is
    at least Thm 3.3's achievable exponent :math:`-\frac12\log(1-\alpha^2)` for every
    :math:`\alpha \in [0, 1)` (the set where it is below is empty), and it is :math:`\ge 0`
    wherever the hypotheses reach: a 2-point constellation (:math:`u_1 = v_1 = -u_2 = -v_2`,
    needing only :math:`m + b_{rel} \le 1`, :math:`b_{rel} - m \ge -1`) has exponent 0.
    Necessary conditions only: the bound's own proof (a reduction to spherical codes and a
    Rankin-type bound) is not re-checked here."""
    lo, hi = _alpha_range(claim)
    bound = claim.bound_in_alpha
    below = sp.solveset(sp.simplify(bound - CODE_EXPONENT) < 0, ALPHA, sp.Interval.Ropen(0, 1))
    evidence["alpha_range"], evidence["below_construction"] = [str(lo), str(hi)], str(below)
    if below != sp.S.EmptySet:
        return f"the bound is below Thm 3.3's achievable exponent -(1/2) log(1 - alpha^2) for alpha in {below}"
    if lo < 0 and bound.subs(ALPHA, lo) < 0:
        return (f"the hypotheses reach alpha = {lo}, where the bound {bound.subs(ALPHA, lo)} < 0, yet 2-point "
                f"constellations exist there (exponent 0)")
    return None


_THM3_5_CLAIM = Claim(
    {"alpha": ALPHA_OF, "bound_in_alpha": -sp.log(1 - ALPHA) / 2,
     "bound": sp.log((1 + B_REL + H.m) / (4 * H.m)) / 2},
    {"m": H.m > 0, "b_rel": sp.And(B_REL >= -1, B_REL <= 1), "sum": H.m + B_REL <= 1, "code": 3 * H.m <= 1 + B_REL})

THM3_5 = Theorem(
    id="bangachev2025.thm3_5",
    source="Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025), Theorem 3.5: 'N <= exp(-d (1/2) log(1 - "
           "(1+b_rel-3m)/(1+b_rel+m)) + o(d))' for an (m, b_rel)-constellation with m + b_rel <= 1, 3m <= 1 + b_rel",
    statement=r"\text{the bound } E_{MRB}(m, b_{rel}) \le -\tfrac12\log(1-\alpha) = "
              r"\tfrac12\log\tfrac{1 + b_{rel} + m}{4m},\ \alpha = \tfrac{1 + b_{rel} - 3m}{1 + b_{rel} + m},"
              r"\text{ has this closed form and dominates every exponent the constructions reach "
              r"(the bound's own proof is not checked here)}",
    parts=(Part("dominates_constructions", r"-\tfrac12\log(1-\alpha) \ge -\tfrac12\log(1-\alpha^2) "
                r"\text{ (Thm 3.3) and } \ge 0 \text{ (2-point constellations)}"),
           Part("closed_form", r"-\tfrac12\log(1-\alpha) = \tfrac12\log\tfrac{1 + b_{rel} + m}{4m}")),
    claim=_THM3_5_CLAIM,
    uses=("bangachev2025.thm3_3",),
    checks=(
        Check("closed_form_identity", "proof", _closed_form, parts=("closed_form",), whole_domain=True,
              scope="every m > 0, b_rel with 1 + b_rel + m > 0 (SymPy)"),
        Check("dominates_achievable_exponents", "proof", _dominates_achievable_exponents,
              parts=("dominates_constructions",),
              scope="every alpha the hypotheses reach: the bound is at least Thm 3.3's exponent and >= 0 "
                    "(SymPy); these are necessary conditions of the bound, whose proof is not re-checked"),
    ),
    mutants=(
        Mutant("quarter_log", "-(1/4) log(1 - alpha) is below the exponent Construction 1 achieves near alpha = 1",
               _THM3_5_CLAIM.vary(bound_in_alpha=-sp.log(1 - ALPHA) / 4)),
        Mutant("closed_form_2m", "1 - alpha = 4m/(1 + b_rel + m), not 2m/(...)",
               _THM3_5_CLAIM.vary(bound=sp.log((1 + B_REL + H.m) / (2 * H.m)) / 2)),
        Mutant("without_3m_below_1_plus_b", "for 3m > 1 + b_rel (alpha < 0) the bound is negative, yet 2-point "
                                            "constellations exist", _THM3_5_CLAIM.vary(code=H.m <= 2)),
    ),
)

THEOREMS = [THM3_3, THM3_4, THM3_5]
