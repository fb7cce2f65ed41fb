r"""Lee, Chang, Sohn (AISTATS 2024): where each regime of the sigmoid loss's optimum holds, and
how the optimum compares with InfoNCE's.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the logit, the loss is
normalised by ``1/N``; ``tau`` divides (InfoNCE).
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from clverify.numerics.descent.compare import gram_distance
from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.boxes import monotone_cover
from clverify.numerics.precision.evaluators import arb_precision, compile_expression, evaluator
from clverify.numerics.precision.sigmoid_optimum import sigmoid_optimum
from clverify.numerics.precision.thresholds import antipodal_threshold_tb, etf_threshold_tb
from clverify.theory import SimplexETF
from clverify.theory import derivation as D

from ..registry import Check, Inconclusive, Mutant, Theorem

N, t, b = D.N, D.t, D.b
#: Working precision (decimal digits) of certified checks.
_DIGITS = 30
#: Points of the x grid for the brute-force minimisation of l(x).
_GRID_POINTS = 1001
#: Agreement of float64 similarities / Gram matrices with a structure's exact values.
_GRAM_TOLERANCE = 1e-5


def _random_points(seed: int, count: int):
    """Deterministic (N, t, b) points as decimal strings: N in 3..60, t in (0.05, 8); b uniform in
    (-3, 5) for a third of them and within 0.5 of the boundary b_E or b_A for the rest (where a
    wrong condition is most likely to be caught)."""
    rng = random.Random(seed)
    boundaries = (evaluator("etf_boundary_b", "mpmath"), evaluator("antipodal_boundary_b", "mpmath"))
    points = []
    for k in range(count):
        n, tv = rng.randint(3, 60), rng.uniform(0.05, 8)
        if k % 3 == 0:
            bv = rng.uniform(-3, 5)
        else:
            with mpmath.workdps(20):
                centre = boundaries[k % 3 - 1](0, mpmath.mpf(n), mpmath.mpf(tv), 0)
            bv = float(mpmath.re(centre)) + rng.uniform(-0.5, 0.5)
        points.append((n, f"{tv:.4f}", f"{bv:.4f}"))
    return points


# --- General (t, b) regime conditions --------------------------------------------------------
# claim: (etf, antipodal): expressions g(N, t, b) with "regime optimal iff g <= 0".

def _claimed_regime(claim, n, tv, bv):
    """The regime the claim predicts at a point, by certified ball signs (None: undecided)."""
    with arb_precision(_DIGITS):
        from flint import arb
        args = (arb(0), arb(n), arb(tv), arb(bv))
        signs = []
        for expr in claim:
            ball = compile_expression(expr, "arb")(*args)
            if ball.contains(0):
                return None
            signs.append(ball < 0)
    return "etf" if signs[0] else "antipodal" if signs[1] else "intermediate"


def _regimes_match_certified_optimum(claim, point, evidence):
    """At deterministic random points the claimed regime is the certified optimum's regime."""
    undecided = 0
    for n, tv, bv in _random_points(point["seed"], point["count"]):
        expected = sigmoid_optimum(n, tv, bv, digits=_DIGITS).regime
        claimed = _claimed_regime(claim, n, tv, bv)
        if claimed is None:
            undecided += 1
        elif claimed != expected:
            return f"N={n}, t={tv}, b={bv}: claimed {claimed}, certified optimum is {expected}"
    evidence["points"], evidence["undecided"] = point["count"], undecided
    return None


def _regimes_match_grid_minimisation(claim, point, evidence):
    """Brute force: the argmin of l over a uniform x grid (mpmath).  With step h, an argmin at
    grid index k >= 2 shows x* > h > 0 (not antipodal) and k <= G - 3 shows x* < 1 (not the
    ETF); a claimed boundary regime contradicted that way is refuted.  (An argmin at an end
    cannot tell a boundary optimum from an interior one within h/2 of it.)"""
    loss = evaluator("loss_x", "mpmath")
    last = _GRID_POINTS - 1
    grid = [mpmath.mpf(k) / last for k in range(_GRID_POINTS)]
    for n, tv, bv in _random_points(point["seed"], point["count"]):
        values = [loss(x, mpmath.mpf(n), mpmath.mpf(tv), mpmath.mpf(bv)) for x in grid]
        k = min(range(_GRID_POINTS), key=values.__getitem__)
        claimed = _claimed_regime(claim, n, tv, bv)
        if (claimed == "antipodal" and k >= 2) or (claimed == "etf" and k <= last - 2):
            return (f"N={n}, t={tv}, b={bv}: claimed {claimed}, but l is smallest on the grid at "
                    f"x = {float(grid[k]):.4f}")
    return None


def _boundaries_are_derived_roots(claim, point, evidence):
    """SymPy: each claimed condition vanishes on the derived boundary b_E(N, t) resp. b_A(N, t)
    (the roots in b of l'(1) = 0 and l'(0) = 0); exactly when SymPy can simplify, otherwise to
    40 digits at a few rational (N, t)."""
    for name, expr, boundary in zip(("etf", "antipodal"), claim,
                                    (D.etf_boundary_b(), D.antipodal_boundary_b())):
        on_boundary = sp.simplify(expr.subs(b, boundary))
        if on_boundary == 0:
            continue
        for n, tv in ((5, sp.Rational(1, 3)), (10, 2), (57, sp.Rational(9, 2))):
            value = sp.N(on_boundary.subs({N: n, t: tv}), 50)
            if abs(value) > sp.Float(10) ** -40:
                return f"{name}: the claimed condition is {sp.N(value, 6)} != 0 on the derived boundary (N={n}, t={tv})"
    return None


REGIMES_GENERAL = Theorem(
    id="lee2024.regimes_general",
    source="Lee, Chang, Sohn (AISTATS 2024), regimes for general (t, b) (reconstructed)",
    statement=r"\text{ETF} \iff (N-2)(1 + e^{t-b}) \le 2(1 + e^{t/(N-1) + b});\quad "
              r"\text{antipodal} \iff t + b \le \log\tfrac{N-2}{2}",
    hypotheses={"N": "integer >= 3", "t": "> 0", "b": "real", "d": ">= N"},
    claim=((N - 2) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b)),
           t + b - sp.log((N - 2) / 2)),
    checks=(
        Check("boundaries_are_derived_roots", "proof", _boundaries_are_derived_roots),
        Check("match_certified_optimum", "certified", _regimes_match_certified_optimum,
              points=({"seed": 0, "count": 40},), thorough_points=({"seed": 1, "count": 400},)),
        Check("match_grid_minimisation", "empirical", _regimes_match_grid_minimisation,
              points=({"seed": 2, "count": 12},), thorough_points=({"seed": 3, "count": 120},)),
    ),
    mutants=(
        Mutant("antipodal_log_N_minus_2", "t + b <= log(N-2) admits points where l'(0) < 0",
               ((N - 2) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b)), t + b - sp.log(N - 2))),
        Mutant("etf_with_N_minus_1", "(N-1) for (N-2) moves the ETF boundary",
               ((N - 1) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b)),
                t + b - sp.log((N - 2) / 2))),
    ),
)


# --- x* increases with t along t = b ---------------------------------------------------------
# claim: +1 (x* strictly increasing in t on (t_A, t_E)) or -1 (decreasing).

def _monotone_on_certified_grid(claim, point, evidence):
    """Certified enclosures of x*(t) at t = b on a uniform grid strictly inside (t_A, t_E) are
    pairwise disjoint and ordered in the claimed direction (a check on the grid, not between
    its points)."""
    n, k = point["N"], point["grid"]
    lo, hi = antipodal_threshold_tb(n, _DIGITS).value, etf_threshold_tb(n, _DIGITS).value
    if lo is None:
        lo = mpmath.mpf(0)
    enclosures = []
    for j in range(1, k + 1):
        with mpmath.workdps(_DIGITS):
            tv = lo + (hi - lo) * j / (k + 1)
        enc = sigmoid_optimum(n, mpmath.nstr(tv, _DIGITS), mpmath.nstr(tv, _DIGITS), digits=_DIGITS).x_enclosure
        if not enc.certified:
            raise Inconclusive(f"x* not certified at N={n}, t=b={mpmath.nstr(tv, 8)}")
        enclosures.append((tv, enc))
    for (t1, e1), (t2, e2) in zip(enclosures, enclosures[1:]):
        increasing, decreasing = e1.hi < e2.lo, e2.hi < e1.lo
        if not (increasing if claim > 0 else decreasing):
            direction = "increasing" if claim > 0 else "decreasing"
            return (f"N={n}: x*({mpmath.nstr(t1, 8)}) in [{mpmath.nstr(e1.lo, 8)}, {mpmath.nstr(e1.hi, 8)}], "
                    f"x*({mpmath.nstr(t2, 8)}) in [{mpmath.nstr(e2.lo, 8)}, {mpmath.nstr(e2.hi, 8)}]: "
                    f"not certified {direction}")
    evidence["grid"] = k
    return None


def _monotone_certified_on_boxes(claim, point, evidence):
    """A proof over all of [t_A, t_E]: x* solves F(x, t) = l'(x)|_{b=t} = 0 with dF/dx = l'' > 0
    (symbolic certificate), so dx*/dt = -(dF/dt)/(dF/dx) has the sign of -dF/dt.  The interval
    (from the outer ends of the certified enclosures of t_A and t_E) is covered by boxes T on
    which the ball of dF/dt over (x*(T), T) excludes 0 with the sign the claim needs
    (:func:`clverify.numerics.precision.boxes.monotone_cover`)."""
    n = point["N"]
    cover = monotone_cover(n, point["boxes"], -claim, _DIGITS)
    if cover.failed is not None:
        direction = "increasing" if claim > 0 else "decreasing"
        lo, hi = (mpmath.nstr(mpmath.mpf(e.numerator) / e.denominator, 8) for e in cover.failed)
        return (f"N={n}: on t = b in [{lo}, {hi}] x*(t) is not certified {direction} (dF/dt has the "
                f"other sign or straddles 0)")
    evidence["boxes"] = cover.leaves
    return None


MONOTONE_T_EQ_B = Theorem(
    id="lee2024.monotone_t_eq_b",
    source="Lee, Chang, Sohn (AISTATS 2024), claim after Theorem 2 (unproven there)",
    statement=r"t = b:\ x^*(t) = \delta^*(t)^2 \text{ is increasing on } (t_A(N), t_E(N))",
    hypotheses={"N": "integer >= 5; proved on covering boxes for N = 5, 10, 100 "
                     "(6, 23, 311, 1000, 10000 with --thorough)", "t = b": "in [t_A(N), t_E(N)]"},
    claim=1,
    checks=(
        Check("derivative_sign_on_covering_boxes", "certified", _monotone_certified_on_boxes,
              points=({"N": 5, "boxes": 16}, {"N": 10, "boxes": 16}, {"N": 100, "boxes": 16}),
              thorough_points=tuple({"N": n, "boxes": 64} for n in (6, 23, 311, 1000, 10000))),
        Check("ordered_on_certified_grid", "certified", _monotone_on_certified_grid,
              points=({"N": 5, "grid": 12}, {"N": 10, "grid": 12}, {"N": 100, "grid": 12}),
              thorough_points=tuple({"N": n, "grid": 60} for n in (6, 23, 311, 1000, 10000))),
    ),
    mutants=(Mutant("decreasing", "x* goes from 0 at t_A to 1 at t_E", -1),),
)


# --- InfoNCE: the ETF for every tau ----------------------------------------------------------
# claim: function (N, tau) -> the claimed negative similarity u_i.v_j of InfoNCE's optimum.

def _infonce_claim_matches_ccem_minimum(claim, point, evidence):
    """SymPy on the CCEM: dL_info/ddelta < 0 at delta = k/10 (so the CCEM minimum is delta = 1,
    s_neg = -1/(N-1)); the claimed s_neg must be that value."""
    n = point["N"]
    for tau in (sp.Rational(1, 5), 1, 5):
        dL = D.ccem_loss_ddelta("infonce-sym").subs({N: n, D.tau: tau})
        if any(dL.subs(D.delta, sp.Rational(k, 10)).evalf(30) >= 0 for k in range(1, 11)):
            return f"N={n}, tau={tau}: dL/ddelta >= 0 somewhere on the CCEM"
        expected = SimplexETF(n).grams().uv.off_diagonal
        claimed = claim(n, tau)
        if abs(sp.N(claimed - expected, 30)) > sp.Float(10) ** -25:
            return f"N={n}, tau={tau}: claimed s_neg = {sp.N(claimed, 10)}, the CCEM minimum has {expected}"
    return None


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
        Check("ccem_minimum_is_claimed", "proof", _infonce_claim_matches_ccem_minimum,
              points=({"N": 4}, {"N": 10})),
        Check("gradient_descent_reaches_claimed_structure", "empirical", _infonce_gd_is_claimed_structure,
              points=({"N": 6, "seed": 0},), thorough_points=({"N": 4, "seed": 1}, {"N": 12, "seed": 2})),
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
              thorough_points=({"N": 10, "seed": 1}, {"N": 6, "seed": 1})),
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
            bound = float(sigmoid_optimum(n, tv, tv, digits=_DIGITS).loss)
            evidence[f"d={d},t=b={tv}"] = {"gap": run.loss - bound, "s_pos_std": run.s_pos_std,
                                           "s_neg_std": run.s_neg_std, "converged": run.converged}
    return None


D_LT_N = Theorem(
    id="lee2024.d_lt_N",
    source="Lee, Chang, Sohn (AISTATS 2024), open question (d < N)",
    statement=r"d < N:\ \min L_{sig} \ge \min_\delta L_{sig}(\mathrm{CCEM}(\delta)) \text{ (formal bound); "
              r"how large is the gap?}",
    hypotheses={"N": "integer >= 3", "d": "< N"},
    claim=None,
    checks=(Check("gap_to_formal_ccem_bound", "empirical", _d_lt_N_gap, points=({"N": 6},),
                  thorough_points=({"N": 10},)),),
    kind="exploratory",
)

THEOREMS = [REGIMES_GENERAL, MONOTONE_T_EQ_B, INFONCE_ETF, COINCIDENCE, D_LT_N]
