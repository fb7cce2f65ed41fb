r"""Lee, Chang, Sohn (AISTATS 2024): how the sigmoid optimum moves along t = b, how it compares
with InfoNCE's, and what d < N looks like.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the logit, the loss is
normalised by ``1/N``; ``tau`` divides (InfoNCE).  The general ``(t, b)`` regime conditions,
formerly ``lee2024.regimes_general``, are ``ext.sigmoid_phase_tb`` (the AISTATS paper treats
``t = b`` only; see that entry's source).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from clverify.numerics.descent.compare import gram_distance
from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.boxes import monotone_cover
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.theory import derivation as D

from .. import sigmoid_proofs as P
from ..claims import dimension_shortfall, least
from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from .lee2024 import CONVEXITY, LEMMA1, _lemma1_sum_of_squares

#: Retired ids: the general (t, b) conditions are not the AISTATS paper's (it treats t = b).
ALIASES = {"lee2024.regimes_general": ("ext.sigmoid_phase_tb", "2026-11-29")}

N, t, b = D.N, D.t, D.b
_n = sp.Symbol("n", nonnegative=True, integer=True)
#: Working precision (decimal digits) of certified checks.
_DIGITS = 30
#: Agreement of float64 similarities / Gram matrices with a structure's exact values.
_GRAM_TOLERANCE = 1e-5


# --- x* increases with t along t = b ---------------------------------------------------------
# claim: x*(t) moves in ``direction`` (+1: increasing, -1: decreasing in t) along the path of
# the hypothesis on b (b = t), strictly where it is interior.

def _path(claim):
    """The path ``b = f(t)`` of the claim's hypothesis on ``b``, in the derivation's symbols."""
    relation = claim.b
    if not (isinstance(relation, sp.Eq) and relation.lhs == H.b):
        raise Inconclusive(f"the hypothesis on b ({relation}) is not a path b = f(t)")
    return sp.sympify(relation.rhs).subs(H.t, t)


def _monotone_proved(claim, point, evidence):
    r"""For every :math:`N \ge 3`: :math:`x^*` solves :math:`G(x, t) = \ell'(x)/t = 0` along
    ``b = path(t)``, with :math:`\partial_x G = \ell''/t > 0` (``lee2024.convexity``'s
    certificate).  By the slope lemma of :mod:`~clverify.proofs_check.sigmoid_proofs`, on
    :math:`t = b` the logits' slopes are :math:`\partial_t A = 2(1 - x) \ge 0` and
    :math:`\partial_t B = x\frac{N-2}{N-1} - 2 < 0`, so :math:`\partial_t G < 0` for every
    :math:`x \in [0, 1]` and :math:`dx^*/dt = -\partial_t G/\partial_x G > 0` wherever
    :math:`x^*` is interior (:math:`x^* = 0` below :math:`t_A`, :math:`1` above :math:`t_E`).
    On a path where the slopes' signs do not decide, the check abstains."""
    if CONVEXITY.checks[0].run(CONVEXITY.claim, {}, {}) is not None:
        raise Inconclusive("no convexity certificate")
    path = _path(claim)
    decreasing = P.decreasing(t, path=path)
    if decreasing is None:
        raise Inconclusive(f"the logits' slopes along b = {path} do not decide the sign of dG/dt")
    proved = 1 if decreasing else -1
    evidence["proved_direction"] = proved
    if proved != claim.direction:
        return (f"along b = {path}, x*(t) is strictly {'increasing' if proved > 0 else 'decreasing'} "
                f"where interior (slope lemma), against the claim")
    return None


def _monotone_certified_on_boxes(claim, point, evidence):
    """A proof over all of [t_A, t_E]: x* solves F(x, t) = l'(x)|_{b=t} = 0 with dF/dx = l'' > 0
    (symbolic certificate), so dx*/dt = -(dF/dt)/(dF/dx) has the sign of -dF/dt.  The interval
    (from the outer ends of the certified enclosures of t_A and t_E) is covered by boxes T on
    which the ball of dF/dt over (x*(T), T) excludes 0 with the sign the claim needs
    (:func:`clverify.numerics.precision.boxes.monotone_cover`); a box certified with the other
    sign refutes, an undecided box abstains.  Built for the path t = b only."""
    if _path(claim) != t:
        raise Inconclusive(f"covering boxes are built for the path b = t, not b = {_path(claim)}")
    n = point["N"]
    cover = monotone_cover(n, point["boxes"], -claim.direction, _DIGITS)
    if cover.failed is not None:
        lo, hi = (mpmath.nstr(mpmath.mpf(e.numerator) / e.denominator, 8) for e in cover.failed)
        where = f"N={n}: on t = b in [{lo}, {hi}]"
        if not cover.opposite:
            raise Inconclusive(f"{where} the sign of dF/dt is not certified")
        return f"{where} dF/dt has the other sign (certified): x*(t) moves against the claim"
    evidence["boxes"] = cover.leaves
    return None


def _grid(spec: str, k: int) -> list[str]:
    """``k`` geometrically spaced t values over ``"lo:hi"``, rounded to 4 significant decimals."""
    lo, hi = (float(v) for v in spec.split(":"))
    return [f"{lo * (hi / lo) ** (j / (k - 1)):.4g}" for j in range(k)]


def _monotone_on_certified_grid(claim, point, evidence):
    """Certified enclosures of x*(t) at grid points along b = path(t): no pair certified to move
    against the claimed direction, and every pair of interior values certified to move with it
    (otherwise the check abstains)."""
    n, path = point["N"], _path(claim)
    encs = []
    for tv in _grid(point["t"], point["grid"]):
        bv = sp.nsimplify(path.subs(t, sp.Rational(tv)))
        opt = sigmoid_optimum(n, tv, mpmath.nstr(mpmath.mpf(bv.p) / bv.q, 40), digits=_DIGITS)
        if not opt.certified:
            raise Inconclusive(f"x* not certified at N={n}, t={tv}")
        encs.append((tv, opt.regime, opt.x_enclosure))
    for (t1, r1, e1), (t2, r2, e2) in zip(encs, encs[1:]):
        up, down = e1.hi < e2.lo, e2.hi < e1.lo
        against = down if claim.direction > 0 else up
        if against:
            return (f"N={n}, b = {path}: x*({t1}) in [{mpmath.nstr(e1.lo, 8)}, {mpmath.nstr(e1.hi, 8)}], "
                    f"x*({t2}) in [{mpmath.nstr(e2.lo, 8)}, {mpmath.nstr(e2.hi, 8)}]: certified "
                    f"{'decrease' if down else 'increase'}")
        if "intermediate" in (r1, r2) and not (up if claim.direction > 0 else down):
            raise Inconclusive(f"N={n}: x* at t = {t1}, {t2} not certified apart")
    evidence["x_star"] = {tv: mpmath.nstr(e.lo, 6) for tv, _, e in encs}
    return None


_MONOTONE_CLAIM = Claim({"direction": 1},
                        {"N": H.N >= 5, "b": sp.Eq(H.b, H.t), "t": sp.Gt(H.t, 0),
                         "d": "d >= N (where CCEM(delta*) is the optimum: lee2024.thm1)"})

MONOTONE_T_EQ_B = Theorem(
    id="lee2024.monotone_t_eq_b",
    source="this project's statement, proved here for every N (x* = delta*^2 increases with t = "
           "1/temperature).  Lee, Chang, Sohn (AISTATS 2024) print in their abstract \"The optimal "
           "embedding ranges from simplex equiangular-tight-frame to antipodal structure, depending "
           "on the temperature parameter used in the sigmoid loss\"; the stored texts of the paper "
           "(its abstract and the authors' README) do not say that delta* is monotone in t (an "
           "LLM-written summary among this project's seeds and third-party summaries do; they are "
           "not the paper)",
    statement=r"t = b:\ x^*(t) = \delta^*(t)^2 \text{ is strictly increasing on } (t_A(N), t_E(N)) "
              r"\text{ for every } N \ge 5 \text{ (0 below } t_A,\ 1 \text{ above } t_E\text{: lee2024.thm2)}",
    parts=(Part("increasing", r"t = b:\ x^*(t) \text{ is strictly increasing on } (t_A(N), t_E(N))"),),
    claim=_MONOTONE_CLAIM,
    checks=(
        Check("derivative_sign_by_logit_slopes", "proof", _monotone_proved, parts=("increasing",),
              scope="every N >= 3, every t = b > 0 (with lee2024.convexity)", whole_domain=True),
        Check("derivative_sign_on_covering_boxes", "certified", _monotone_certified_on_boxes,
              parts=("increasing",),
              points=({"N": 5, "boxes": 16}, {"N": 10, "boxes": 16}, {"N": 100, "boxes": 16}),
              thorough_points=tuple({"N": n, "boxes": 64} for n in (6, 23, 311, 1000, 10000)),
              scope="every t in [t_A(N), t_E(N)] for N in {5, 10, 100} "
                    "(6, 23, 311, 1000, 10000 with --thorough)"),
        Check("ordered_on_certified_grid", "certified", _monotone_on_certified_grid, parts=("increasing",),
              points=({"N": 5, "t": "0.1:2", "grid": 10}, {"N": 10, "t": "0.5:100", "grid": 14},
                      {"N": 100, "t": "1:8", "grid": 10}),
              thorough_points=tuple({"N": n, "t": "0.05:200", "grid": 60} for n in (6, 23, 311, 1000)),
              scope="geometric t grids: N = 5 on [0.1, 2], N = 10 on [0.5, 100], N = 100 on [1, 8]"),
    ),
    mutants=(
        Mutant("increasing_at_fixed_b", "at fixed b = 1 (N = 10) x* rises until t ~ 5, then falls "
               "towards 2(N-1)/(3N-4)", _MONOTONE_CLAIM.vary(b=sp.Eq(H.b, 1))),
        Mutant("increasing_with_temperature", "t is an inverse temperature: x* falls as the "
               "temperature 1/t rises along t = b", _MONOTONE_CLAIM.vary(direction=-1)),
    ),
    uses=("lee2024.convexity",),
)


# --- InfoNCE: the ETF for every tau ----------------------------------------------------------
# claim: s_neg(N, tau), the negative similarity u_i.v_j of the minimiser (u_i = v_i), in the
# dimensions the hypothesis d admits.

_INFONCE_WITNESSES = tuple((n, tau) for n in (4, 10) for tau in (sp.Rational(1, 5), 1, 5))
#: The Gram rank of the simplex ETF: the dimension it needs.
_ETF_RANK = H.N - 1


def _infonce_argument(claim, point, evidence):
    r"""For every :math:`N \ge 3`, :math:`\tau > 0`: each anchor's term
    :math:`\log(1 + \sum_{j\ne i} e^{(s_{ij} - s_{ii})/\tau})` is convex, symmetric and
    increasing in the margins, so by Jensen (hand-argued) :math:`L_{info} \ge 2\psi(q - p)`,
    :math:`\psi(m) = \log(1 + (N-1)e^{m/\tau})` (SymPy: :math:`\psi' > 0`, :math:`\psi'' > 0`),
    :math:`p, q` the mean positive and negative similarities; Lemma 1 gives
    :math:`q \ge g(p)`, so :math:`L_{info} \ge h(p) = 2\psi(g(p) - p)` in every dimension, which
    SymPy shows equal to the loss on CCEM(:math:`\sqrt{(p+1)/2}`) and strictly decreasing in
    :math:`p`: the bound is :math:`h(1)`, :math:`s_- = g(1)` (``bound``), and it is attained by
    CCEM(1), the simplex ETF (``minimiser``), which exists exactly in dimensions
    :math:`d \ge N - 1` (its Gram rank): a claim admitting a smaller dimension is refuted.  The
    claimed :math:`s_-(N, \tau)` must simplify to :math:`g(1)`; a claim SymPy cannot evaluate
    symbolically is compared at :math:`N \in \{4, 10\}`, :math:`\tau \in \{1/5, 1, 5\}` (a
    difference refutes it)."""
    p, m = sp.Symbol("p", real=True), sp.Symbol("m", real=True)
    psi = sp.log(1 + (N - 1) * sp.exp(m / D.tau))
    shifted = {N: _n + 3}
    if not (sp.diff(psi, m).subs(shifted).is_positive and sp.simplify(sp.diff(psi, m, 2)).subs(shifted).is_positive):
        raise Inconclusive("SymPy does not show psi increasing and convex")
    if _lemma1_sum_of_squares(LEMMA1.claim, {}, {}) is not None:
        raise Inconclusive("Lemma 1 is not proved")
    g = LEMMA1.claim.slope * N * p - LEMMA1.claim.offset
    h = 2 * psi.subs(m, g - p)
    on_ccem = D.ccem_loss_x("infonce-sym").subs(D.x, (p + 1) / 2)
    h_exp, on_exp = (sp.powsimp(sp.expand(sp.exp(e / 2), power_exp=True)) for e in (h, on_ccem))
    if sp.simplify(h_exp - on_exp) != 0:              # e^{h/2} = e^{L/2}: both are real
        raise Inconclusive("h(p) does not simplify to the loss on the CCEM")
    if not sp.simplify(sp.diff(h, p)).subs(shifted).is_negative:
        raise Inconclusive("SymPy does not show h decreasing")
    s_neg = sp.simplify(g.subs(p, 1))
    evidence["optimal_s_neg"] = str(s_neg)
    short = dimension_shortfall(claim, _ETF_RANK)
    if short is not None:
        return (f"N={short}: the claim admits d = {least(claim, 'd').subs(H.N, short)}, where the simplex "
                f"ETF (Gram rank N - 1) does not exist")
    try:
        claimed = sp.sympify(claim.s_neg(N, D.tau))
    except (TypeError, ValueError):
        claimed = None
    if claimed is not None and sp.simplify(claimed - s_neg) == 0:
        return None
    for n, tau in _INFONCE_WITNESSES:
        value, want = sp.N(claim.s_neg(n, tau), 30), s_neg.subs(N, n)
        if abs(value - want) > sp.Float(10) ** -20:
            return f"N={n}, tau={tau}: claimed s_neg = {sp.N(value, 10)}, the optimum has {want}"
    raise Inconclusive(f"the claimed s_neg {claimed} is not shown equal to {s_neg}")


def _infonce_gd_is_claimed_structure(claim, point, evidence):
    """Free embeddings (torch L-BFGS) in the least dimension the claim admits and one more reach
    u_i = v_i with every u_i.v_j equal to the claimed s_neg (spread below 1e-5)."""
    n, taus = point["N"], (0.2, 1.0, 5.0)
    lowest = int(least(claim, "d").subs(H.N, n))
    worst = 0.0
    for d in (lowest, lowest + 1):
        runs = optimise_batch(n, d, loss="infonce-sym", tau=list(taus), seeds=point["seed"], restarts=2)
        for tau, run in zip(taus, runs):
            if not run.converged:
                raise Inconclusive(f"optimiser did not converge (N={n}, d={d}, tau={tau})")
            expected = float(sp.N(claim.s_neg(n, sp.nsimplify(tau)), 20))
            err = max(abs(run.s_pos_mean - 1), abs(run.s_neg_mean - expected), run.s_neg_std)
            worst = max(worst, err)
            if err > _GRAM_TOLERANCE:
                return (f"N={n}, d={d}, tau={tau}, seed={point['seed']}: optimum has s_pos = "
                        f"{run.s_pos_mean:.9f}, s_neg = {run.s_neg_mean:.9f} (spread {run.s_neg_std:.3g}); "
                        f"claimed s_neg = {expected:.9f}")
    evidence["max_similarity_error"] = worst
    return None


def _sigmoid_s_neg_at_inverse_tau(n, tau):
    """The mutant's claim: InfoNCE behaves like the sigmoid loss at t = b = 1/tau."""
    inverse = str(sp.N(1 / sp.nsimplify(tau), _DIGITS))
    opt = sigmoid_optimum(n, inverse, inverse, digits=_DIGITS)
    return sp.Float(mpmath.nstr(opt.s_neg, _DIGITS), _DIGITS)


_INFONCE_CLAIM = Claim({"s_neg": lambda n, tau: sp.Integer(-1) / (n - 1)},
                       {"N": H.N >= 3, "d": H.d >= H.N - 1, "tau": sp.Gt(H.tau, 0)})

INFONCE_ETF = Theorem(
    id="lee2024.infonce_etf",
    source="Lee, Chang, Sohn (AISTATS 2024), citing Lu & Steinerberger (2022); that the ETF is the "
           "only minimiser is not checked here",
    statement=r"d \ge N-1:\ \text{the simplex ETF } (u_i = v_i,\ u_i\cdot v_j = -\tfrac{1}{N-1}) "
              r"\text{ minimises } L_{info}(\cdot;\tau) \text{ for every } \tau > 0",
    parts=(Part("bound", r"L_{info}(U, V; \tau) \ge 2\log\big(1 + (N-1)e^{(s_- - 1)/\tau}\big),\ "
                         r"s_- = -\tfrac{1}{N-1}, \text{ for all unit } U, V \text{ (every } d)"),
           Part("minimiser", r"d \ge N - 1:\ \text{the simplex ETF } (u_i = v_i,\ u_i\cdot v_j = s_-) "
                             r"\text{ attains it}")),
    claim=_INFONCE_CLAIM,
    checks=(
        Check("lower_bound_by_jensen_and_lemma1", "proof", _infonce_argument, parts=("bound", "minimiser"),
              scope="every N >= 3, d >= N - 1, tau > 0 (SymPy: psi increasing and convex, h(p) = the "
                    "loss on CCEM, h decreasing; Jensen's step hand-argued; with lee2024.lemma1)",
              whole_domain=True),
        Check("gradient_descent_reaches_claimed_structure", "empirical", _infonce_gd_is_claimed_structure,
              parts=("bound", "minimiser"),
              points=({"N": 6, "seed": 0},), thorough_points=({"N": 4, "seed": 1}, {"N": 12, "seed": 2}),
              scope="N = 6, d in {5, 6} (the least d the claim admits and one more), tau in {0.2, 1, 5}, "
                    "2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("sigmoid_regimes", "InfoNCE given the sigmoid's regimes at t = b = 1/tau: not ETF for large tau",
               _INFONCE_CLAIM.vary(s_neg=_sigmoid_s_neg_at_inverse_tau)),
        Mutant("s_neg_minus_one_over_N", "-1/N is the mean u_i.u_j over all pairs i, j, not over i != j",
               _INFONCE_CLAIM.vary(s_neg=lambda n, tau: sp.Integer(-1) / n)),
        Mutant("dimension_N_minus_2", "in d = N - 2 the simplex ETF does not exist: at N = 6, d = 4 "
               "descent reaches mean u_i.v_j = -0.2 with a spread of about 0.25",
               _INFONCE_CLAIM.vary(d=H.d >= H.N - 2)),
    ),
    uses=("lee2024.lemma1",),
)


# --- Sigmoid and InfoNCE optima coincide exactly in the sigmoid's ETF regime -----------------
# claim: the set of sigmoid regimes in which the two optima coincide.

#: (N, t, b) points of the comparison: the diagonal t = b and off it, every regime; at N = 6,
#: t = b = 0.9 lies just below t_E(6) = 0.9155 (x* = 0.990).
_COINCIDENCE_POINTS = {6: (("0.2", "0.2"), ("0.6", "0.6"), ("0.9", "0.9"), ("2", "2"), ("3", "0"), ("1", "3"),
                           ("0.5", "-1")),
                       10: (("0.3", "0.3"), ("1.2", "1.2"), ("3", "3"), ("4", "0.5"), ("1", "4"), ("2", "-0.5"))}
_COINCIDENCE_TAUS = (0.5, 1.0, 2.0)


def _differ_outside_etf_regime(claim, point, evidence):
    r"""Where the certified regime is not the ETF, :math:`\ell'(1) > 0` (certified signs), so
    CCEM(:math:`\sqrt{1 - \epsilon}`), which exists for :math:`d \ge N` (``lee2024.prop1``), has a
    lower sigmoid loss than the ETF: the ETF, an InfoNCE minimiser for every :math:`\tau`
    (``lee2024.infonce_etf``), is no sigmoid minimiser, so the two sets of minimisers differ.  A
    claim that they coincide in such a regime is refuted; the ETF regime is not this check's
    part.  Needs every dimension the claim admits to hold the CCEM (rank ``N``)."""
    if dimension_shortfall(claim, H.N) is not None:
        raise Inconclusive("the argument needs CCEM(delta) near delta = 1, which needs d >= N")
    n = point["N"]
    regimes = {}
    for tv, bv in _COINCIDENCE_POINTS[n]:
        regime = P.certified_regime(n, tv, bv, _DIGITS)
        regimes[f"t={tv},b={bv}"] = regime
        if regime != "etf" and regime in claim.regimes:
            return (f"N={n}, t={tv}, b={bv} ({regime} regime, certified): l'(1) > 0, so the ETF, "
                    f"InfoNCE's minimiser, is no sigmoid minimiser, yet the claim has the optima coincide")
    evidence["regimes"] = regimes
    return None


def _coincidence_by_gradient_descent(claim, point, evidence):
    """Free embeddings in the least dimension the claim admits: the sigmoid optimum's Gram
    matrices equal InfoNCE's at each tau in {0.5, 1, 2} (up to permutation) exactly at the
    points whose certified sigmoid regime is in the claim."""
    n, seed = point["N"], point["seed"]
    d = int(least(claim, "d").subs(H.N, n))
    pts = _COINCIDENCE_POINTS[n]
    sig = optimise_batch(n, d, t=[float(tv) for tv, _ in pts], b=[float(bv) for _, bv in pts], seeds=seed,
                         restarts=2)
    infos = optimise_batch(n, d, loss="infonce-sym", tau=list(_COINCIDENCE_TAUS), seeds=seed, restarts=2)
    if not all(r.converged for r in (*sig, *infos)):
        raise Inconclusive(f"optimiser did not converge at N={n}, d={d}")
    distances = {}
    for (tv, bv), run in zip(pts, sig):
        regime = P.certified_regime(n, tv, bv, _DIGITS)
        for tau, info in zip(_COINCIDENCE_TAUS, infos):
            grams = {"uv": info.U @ info.V.T, "uu": info.U @ info.U.T, "vv": info.V @ info.V.T}
            dist = gram_distance(run.U, run.V, grams)
            distances[f"t={tv},b={bv},tau={tau}"] = dist
            if (dist < _GRAM_TOLERANCE) != (regime in claim.regimes):
                said = "coincide" if regime in claim.regimes else "differ"
                return (f"N={n}, d={d}, t={tv}, b={bv} ({regime} regime), tau={tau}, seed={seed}: claimed "
                        f"the optima {said}, Gram distance {dist:.3g}")
    evidence.update(d=d, gram_distances=distances)
    return None


_COINCIDENCE_CLAIM = Claim({"regimes": frozenset({"etf"})},
                           {"N": H.N >= 3, "d": H.d >= H.N, "t": sp.Gt(H.t, 0), "b": "real",
                            "tau": sp.Gt(H.tau, 0)})

COINCIDENCE = Theorem(
    id="lee2024.coincidence",
    source="Lee, Chang, Sohn (AISTATS 2024), discussion of Theorem 2",
    statement=r"d \ge N:\ \arg\min L_{sig}(\cdot; t, b) = \arg\min L_{info}(\cdot; \tau) \iff "
              r"\text{the ETF is optimal for } L_{sig}",
    parts=(Part("coincide_in_etf_regime", r"\text{the ETF optimal for } L_{sig} \Rightarrow "
                                          r"\arg\min L_{sig} = \arg\min L_{info}"),
           Part("differ_outside", r"\text{the ETF not optimal for } L_{sig} \Rightarrow "
                                  r"\arg\min L_{sig} \ne \arg\min L_{info}")),
    claim=_COINCIDENCE_CLAIM,
    checks=(
        Check("etf_no_sigmoid_minimiser_outside_regime", "certified", _differ_outside_etf_regime,
              parts=("differ_outside",), points=({"N": 6}, {"N": 10}),
              scope="certified regimes at 13 (N, t, b) points, N in {6, 10}, on and off t = b, every "
                    "tau (with lee2024.prop1 and lee2024.infonce_etf)"),
        Check("gram_match_iff_etf_regime", "empirical", _coincidence_by_gradient_descent,
              parts=("coincide_in_etf_regime", "differ_outside"),
              points=({"N": 6, "seed": 0}, {"N": 10, "seed": 0}),
              thorough_points=({"N": 6, "seed": 1}, {"N": 10, "seed": 1}),
              scope="d = N (the least d the claim admits), tau in {0.5, 1, 2}, N = 6 at (t, b) in "
                    "{(.2, .2), (.6, .6), (.9, .9), (2, 2), (3, 0), (1, 3), (.5, -1)}, N = 10 at "
                    "{(.3, .3), (1.2, 1.2), (3, 3), (4, .5), (1, 4), (2, -.5)}, 2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("also_intermediate", "in the intermediate regime delta* < 1: not the ETF",
               _COINCIDENCE_CLAIM.vary(regimes=frozenset({"etf", "intermediate"}))),
        Mutant("never", "in the ETF regime both optima are the simplex ETF",
               _COINCIDENCE_CLAIM.vary(regimes=frozenset())),
        Mutant("dimension_N_minus_1", "in d = N - 1 (N = 6) the sigmoid optimum at t = b = 0.9, just "
               "below t_E(6), is the ETF, as InfoNCE's", _COINCIDENCE_CLAIM.vary(d=H.d >= H.N - 1)),
    ),
    uses=("lee2024.prop1", "lee2024.infonce_etf", "lee2024.thm1", "lee2024.convexity"),
)


# --- d < N: exploratory -----------------------------------------------------------------------

def _d_lt_N_gap(claim, point, evidence):
    """Gradient descent at d < N against the formal CCEM bound (the CCEM needs d >= N): the gap
    and how far the optimum is from double-constant (spread of the similarities)."""
    n = point["N"]
    for d in sorted({2, n // 2, n - 1}):
        if not claim.admits(N=n, d=d):
            continue
        runs = optimise_batch(n, d, t=[0.5, 2.0, 5.0], b=[0.5, 2.0, 5.0], seeds=0, restarts=3)
        for tv, run in zip((0.5, 2.0, 5.0), runs):
            bound = float(sigmoid_optimum(n, tv, tv, digits=_DIGITS).value)
            evidence[f"d={d},t=b={tv}"] = {"gap": run.loss - bound, "s_pos_std": run.s_pos_std,
                                           "s_neg_std": run.s_neg_std, "converged": run.converged}
    return None


D_LT_N = Theorem(
    id="lee2024.d_lt_N",
    source="exploration of this project: Lee, Chang, Sohn (AISTATS 2024) need d >= N (the CCEM), "
           "d < N is open",
    statement=r"d < N:\ \text{measured: } L_{GD} - \min_{x\in[0,1]} \ell(x) \text{ (best of 3 seeded "
              r"L-BFGS restarts) and the spread of } u_i\cdot v_j,\ N = 6,\ d \in \{2, 3, 5\},\ "
              r"t = b \in \{0.5, 2, 5\}",
    claim=Claim({}, {"N": H.N >= 3, "d": H.d < H.N}),
    checks=(Check("gap_to_formal_ccem_bound", "empirical", _d_lt_N_gap, points=({"N": 6},),
                  thorough_points=({"N": 10},),
                  scope="N = 6 (and 10 with --thorough), d in {2, N // 2, N - 1}, t = b in {0.5, 2, 5}"),),
    kind="exploratory",
)

THEOREMS = [MONOTONE_T_EQ_B, INFONCE_ETF, COINCIDENCE, D_LT_N]
