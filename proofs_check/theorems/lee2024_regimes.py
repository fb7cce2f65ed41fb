r"""Lee, Chang, Sohn (AISTATS 2024): how the sigmoid optimum moves along t = b, how it compares
with InfoNCE's, and what d < N looks like.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the logit, the loss is
normalised by ``1/N``; ``tau`` divides (InfoNCE).  The general ``(t, b)`` regime conditions,
formerly ``lee2024.regimes_general``, are ``ext.sigmoid_phase_tb`` (the AISTATS paper treats
``t = b`` only; see that entry's source).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import mpmath
import sympy as sp

from clverify.numerics.descent.compare import gram_distance
from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.boxes import monotone_cover
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.theory import derivation as D

from .. import sigmoid_proofs as P
from ..registry import Check, Inconclusive, Mutant, Theorem
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

class MonotonePath(NamedTuple):
    """``x*(t)`` moves in ``direction`` (+1: increasing, -1: decreasing in ``t``) along the path
    ``b = path`` (an expression in ``t``), strictly where it is interior."""

    path: Any
    direction: int


def _monotone_proved(claim, point, evidence):
    r"""For every :math:`N \ge 3`: :math:`x^*` solves :math:`G(x, t) = \ell'(x)/t = 0` along
    ``b = path(t)``, with :math:`\partial_x G = \ell''/t > 0` (``lee2024.convexity``'s
    certificate).  By the slope lemma of :mod:`~clverify.proofs_check.sigmoid_proofs`, on
    :math:`t = b` the logits' slopes are :math:`\partial_t A = 2(1 - x) \ge 0` and
    :math:`\partial_t B = x\frac{N-2}{N-1} - 2 < 0`, so :math:`\partial_t G < 0` for every
    :math:`x \in [0, 1]` and :math:`dx^*/dt = -\partial_t G/\partial_x G > 0` wherever
    :math:`x^*` is interior (:math:`x^* = 0` below :math:`t_A`, :math:`1` above :math:`t_E`).
    On a path where the slopes' signs do not decide, the check abstains."""
    if CONVEXITY.checks[0].run("x", {}, {}) is not None:
        raise Inconclusive("no convexity certificate")
    decreasing = P.decreasing(t, path=claim.path)
    if decreasing is None:
        raise Inconclusive(f"the logits' slopes along b = {claim.path} do not decide the sign of dG/dt")
    proved = 1 if decreasing else -1
    evidence["proved_direction"] = proved
    if proved != claim.direction:
        return (f"along b = {claim.path}, x*(t) is strictly {'increasing' if proved > 0 else 'decreasing'} "
                f"where interior (slope lemma), against the claim")
    return None


def _monotone_certified_on_boxes(claim, point, evidence):
    """A proof over all of [t_A, t_E]: x* solves F(x, t) = l'(x)|_{b=t} = 0 with dF/dx = l'' > 0
    (symbolic certificate), so dx*/dt = -(dF/dt)/(dF/dx) has the sign of -dF/dt.  The interval
    (from the outer ends of the certified enclosures of t_A and t_E) is covered by boxes T on
    which the ball of dF/dt over (x*(T), T) excludes 0 with the sign the claim needs
    (:func:`clverify.numerics.precision.boxes.monotone_cover`); a box certified with the other
    sign refutes, an undecided box abstains.  Built for the path t = b only."""
    if claim.path != t:
        raise Inconclusive(f"covering boxes are built for the path b = t, not b = {claim.path}")
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
    n = point["N"]
    encs = []
    for tv in _grid(point["t"], point["grid"]):
        bv = sp.nsimplify(claim.path.subs(t, sp.Rational(tv)))
        opt = sigmoid_optimum(n, tv, mpmath.nstr(mpmath.mpf(bv.p) / bv.q, 40), digits=_DIGITS)
        if not opt.certified:
            raise Inconclusive(f"x* not certified at N={n}, t={tv}")
        encs.append((tv, opt.regime, opt.x_enclosure))
    for (t1, r1, e1), (t2, r2, e2) in zip(encs, encs[1:]):
        up, down = e1.hi < e2.lo, e2.hi < e1.lo
        against = down if claim.direction > 0 else up
        if against:
            return (f"N={n}, b = {claim.path}: x*({t1}) in [{mpmath.nstr(e1.lo, 8)}, {mpmath.nstr(e1.hi, 8)}], "
                    f"x*({t2}) in [{mpmath.nstr(e2.lo, 8)}, {mpmath.nstr(e2.hi, 8)}]: certified "
                    f"{'decrease' if down else 'increase'}")
        if "intermediate" in (r1, r2) and not (up if claim.direction > 0 else down):
            raise Inconclusive(f"N={n}: x* at t = {t1}, {t2} not certified apart")
    evidence["x_star"] = {tv: mpmath.nstr(e.lo, 6) for tv, _, e in encs}
    return None


MONOTONE_T_EQ_B = Theorem(
    id="lee2024.monotone_t_eq_b",
    source="Lee, Chang, Sohn (AISTATS 2024): the paper's summary describes delta* as a monotone "
           "function of the temperature along t = b; the seeds do not show whether the paper proves "
           "it.  Proved here for every N (x* = delta*^2 increases with t = 1/temperature)",
    statement=r"t = b:\ x^*(t) = \delta^*(t)^2 \text{ is strictly increasing on } (t_A(N), t_E(N)) "
              r"\text{ (and constant outside), for every } N \ge 5",
    hypotheses={"N": "integer >= 5 (for N <= 4 the interval is empty)", "t = b": "> 0", "d": ">= N"},
    claim=MonotonePath(t, 1),
    checks=(
        Check("derivative_sign_by_logit_slopes", "proof", _monotone_proved,
              scope="every N >= 3, every t = b > 0 (with lee2024.convexity)", whole_domain=True),
        Check("derivative_sign_on_covering_boxes", "certified", _monotone_certified_on_boxes,
              points=({"N": 5, "boxes": 16}, {"N": 10, "boxes": 16}, {"N": 100, "boxes": 16}),
              thorough_points=tuple({"N": n, "boxes": 64} for n in (6, 23, 311, 1000, 10000)),
              scope="every t in [t_A(N), t_E(N)] for N in {5, 10, 100} "
                    "(6, 23, 311, 1000, 10000 with --thorough)"),
        Check("ordered_on_certified_grid", "certified", _monotone_on_certified_grid,
              points=({"N": 5, "t": "0.1:2", "grid": 10}, {"N": 10, "t": "0.5:100", "grid": 14},
                      {"N": 100, "t": "1:8", "grid": 10}),
              thorough_points=tuple({"N": n, "t": "0.05:200", "grid": 60} for n in (6, 23, 311, 1000)),
              scope="geometric t grids: N = 5 on [0.1, 2], N = 10 on [0.5, 100], N = 100 on [1, 8]"),
    ),
    mutants=(
        Mutant("increasing_at_fixed_b", "at fixed b = 1 (N = 10) x* rises until t ~ 5, then falls "
               "towards 2(N-1)/(3N-4)", MonotonePath(sp.Integer(1), 1)),
        Mutant("increasing_with_temperature", "t is an inverse temperature: x* falls as the "
               "temperature 1/t rises along t = b", MonotonePath(t, -1)),
    ),
)


# --- InfoNCE: the ETF for every tau ----------------------------------------------------------
# claim: function (N, tau) -> the claimed negative similarity u_i.v_j of InfoNCE's optimum.

_INFONCE_WITNESSES = tuple((n, tau) for n in (4, 10) for tau in (sp.Rational(1, 5), 1, 5))


def _infonce_argument(claim, point, evidence):
    r"""For every :math:`N \ge 3`, :math:`\tau > 0`, :math:`d \ge N - 1`: each anchor's term
    :math:`\log(1 + \sum_{j\ne i} e^{(s_{ij} - s_{ii})/\tau})` is convex, symmetric and
    increasing in the margins, so by Jensen :math:`L_{info} \ge 2\psi(q - p)`,
    :math:`\psi(m) = \log(1 + (N-1)e^{m/\tau})` (SymPy: :math:`\psi' > 0`, :math:`\psi'' > 0`),
    :math:`p, q` the mean positive and negative similarities; Lemma 1 gives
    :math:`q \ge g(p)`, so :math:`L_{info} \ge h(p) = 2\psi(g(p) - p)`, which SymPy shows equal
    to the loss on CCEM(:math:`\sqrt{(p+1)/2}`) and strictly decreasing in :math:`p`: the
    minimum is at :math:`p = 1`, :math:`s_- = g(1)`.  The claimed :math:`s_-(N, \tau)` must
    simplify to it; a claim SymPy cannot evaluate symbolically is compared at
    :math:`N \in \{4, 10\}`, :math:`\tau \in \{1/5, 1, 5\}` (a difference refutes it)."""
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
    try:
        claimed = sp.sympify(claim(N, D.tau))
    except (TypeError, ValueError):
        claimed = None
    if claimed is not None and sp.simplify(claimed - s_neg) == 0:
        return None
    for n, tau in _INFONCE_WITNESSES:
        value, want = sp.N(claim(n, tau), 30), s_neg.subs(N, n)
        if abs(value - want) > sp.Float(10) ** -20:
            return f"N={n}, tau={tau}: claimed s_neg = {sp.N(value, 10)}, the optimum has {want}"
    raise Inconclusive(f"the claimed s_neg {claimed} is not shown equal to {s_neg}")


def _infonce_gd_is_claimed_structure(claim, point, evidence):
    """Free embeddings (torch L-BFGS, d = N - 1 and d = N) reach u_i = v_i with u_i.v_j equal to
    the claimed s_neg."""
    n, taus = point["N"], (0.2, 1.0, 5.0)
    worst = 0.0
    for d in (n - 1, n):
        runs = optimise_batch(n, d, loss="infonce-sym", tau=list(taus), seeds=point["seed"], restarts=2)
        for tau, run in zip(taus, runs):
            if not run.converged:
                raise Inconclusive(f"optimiser did not converge (N={n}, d={d}, tau={tau})")
            expected = float(sp.N(claim(n, sp.nsimplify(tau)), 20))
            err = max(abs(run.s_pos_mean - 1), abs(run.s_neg_mean - expected), run.s_neg_std)
            worst = max(worst, err)
            if err > _GRAM_TOLERANCE:
                return (f"N={n}, d={d}, tau={tau}, seed={point['seed']}: optimum has s_pos = "
                        f"{run.s_pos_mean:.9f}, s_neg = {run.s_neg_mean:.9f}; claimed s_neg = {expected:.9f}")
    evidence["max_similarity_error"] = worst
    return None


def _sigmoid_s_neg_at_inverse_tau(n, tau):
    """The mutant's claim: InfoNCE behaves like the sigmoid loss at t = b = 1/tau."""
    inverse = str(sp.N(1 / sp.nsimplify(tau), _DIGITS))
    opt = sigmoid_optimum(n, inverse, inverse, digits=_DIGITS)
    return sp.Float(mpmath.nstr(opt.s_neg, _DIGITS), _DIGITS)


INFONCE_ETF = Theorem(
    id="lee2024.infonce_etf",
    source="Lee, Chang, Sohn (AISTATS 2024), citing Lu & Steinerberger (2022)",
    statement=r"d \ge N-1:\ \arg\min L_{info}(\cdot;\tau) \text{ is the simplex ETF } "
              r"(u_i = v_i,\ u_i\cdot v_j = -\tfrac{1}{N-1}) \text{ for every } \tau > 0",
    hypotheses={"N": "integer >= 3", "d": ">= N - 1", "tau": "> 0"},
    claim=lambda n, tau: sp.Integer(-1) / (n - 1),
    checks=(
        Check("lower_bound_by_jensen_and_lemma1", "proof", _infonce_argument,
              scope="every N >= 3, d >= N - 1, tau > 0 (with lee2024.lemma1)", whole_domain=True),
        Check("gradient_descent_reaches_claimed_structure", "empirical", _infonce_gd_is_claimed_structure,
              points=({"N": 6, "seed": 0},), thorough_points=({"N": 4, "seed": 1}, {"N": 12, "seed": 2}),
              scope="N = 6, d in {5, 6}, tau in {0.2, 1, 5}, 2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("sigmoid_regimes", "InfoNCE given the sigmoid's regimes at t = b = 1/tau: not ETF for large tau",
               _sigmoid_s_neg_at_inverse_tau),
    ),
)


# --- Sigmoid and InfoNCE optima coincide exactly in the sigmoid's ETF regime -----------------
# claim: the set of sigmoid regimes in which the two optima coincide.

_COINCIDENCE_POINTS = ((10, "0.3"), (10, "1.2"), (10, "3"), (6, "0.2"), (6, "0.6"), (6, "2"))


def _coincidence_by_gradient_descent(claim, point, evidence):
    """Free embeddings (d = N): the sigmoid optimum's Gram matrices equal InfoNCE's (tau = 1)
    up to permutation exactly at the points whose certified sigmoid regime is in the claim."""
    n, seed = point["N"], point["seed"]
    ts = [tv for m, tv in _COINCIDENCE_POINTS if m == n]
    sig = optimise_batch(n, n, t=[float(v) for v in ts], b=[float(v) for v in ts], seeds=seed, restarts=2)
    info = optimise_batch(n, n, loss="infonce-sym", tau=[1.0], seeds=seed, restarts=2)[0]
    info_grams = {"uv": info.U @ info.V.T, "uu": info.U @ info.U.T, "vv": info.V @ info.V.T}
    distances = {}
    for tv, run in zip(ts, sig):
        regime = sigmoid_optimum(n, tv, tv, digits=_DIGITS).regime
        dist = gram_distance(run.U, run.V, info_grams)
        distances[f"t=b={tv}"] = dist
        if (dist < _GRAM_TOLERANCE) != (regime in claim):
            said = "coincide" if regime in claim else "differ"
            return (f"N={n}, t=b={tv} ({regime} regime), seed={seed}: claimed the optima {said}, "
                    f"Gram distance {dist:.3g}")
    evidence["gram_distances"] = distances
    return None


COINCIDENCE = Theorem(
    id="lee2024.coincidence",
    source="Lee, Chang, Sohn (AISTATS 2024), discussion of Theorem 2",
    statement=r"\arg\min L_{sig}(\cdot; t, b) = \arg\min L_{info}(\cdot; \tau) \iff "
              r"\text{the ETF is optimal for } L_{sig} \ (d \ge N)",
    hypotheses={"N": "integer >= 3", "d": ">= N", "t": "> 0", "b": "real", "tau": "> 0"},
    claim=frozenset({"etf"}),
    checks=(
        Check("gram_match_iff_etf_regime", "empirical", _coincidence_by_gradient_descent,
              points=({"N": 10, "seed": 0}, {"N": 6, "seed": 0}),
              thorough_points=({"N": 10, "seed": 1}, {"N": 6, "seed": 1}),
              scope="N = 10 at t = b in {0.3, 1.2, 3}, N = 6 at t = b in {0.2, 0.6, 2}, d = N, "
                    "tau = 1, 2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("also_intermediate", "in the intermediate regime delta* < 1: not the ETF",
               frozenset({"etf", "intermediate"})),
        Mutant("never", "in the ETF regime both optima are the simplex ETF", frozenset()),
    ),
)


# --- d < N: exploratory -----------------------------------------------------------------------

def _d_lt_N_gap(claim, point, evidence):
    """Gradient descent at d < N against the formal CCEM bound (the CCEM needs d >= N): the gap
    and how far the optimum is from double-constant (spread of the similarities)."""
    n = point["N"]
    for d in (2, n // 2, n - 1):
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
    hypotheses={"N": "integer >= 3", "d": "< N"},
    claim=None,
    checks=(Check("gap_to_formal_ccem_bound", "empirical", _d_lt_N_gap, points=({"N": 6},),
                  thorough_points=({"N": 10},),
                  scope="N = 6 (and 10 with --thorough), d in {2, N // 2, N - 1}, t = b in {0.5, 2, 5}"),),
    kind="exploratory",
)

THEOREMS = [MONOTONE_T_EQ_B, INFONCE_ETF, COINCIDENCE, D_LT_N]
