r"""Results of this project: the sigmoid loss's (t, b) phase diagram and its large-t limit.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the logit, the loss is
normalised by ``1/N``; ``x = delta^2`` parameterises the CCEM.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import sympy as sp

from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.evaluators import arb_precision, compile_expression, evaluator
from clverify.numerics.precision.thresholds import antipodal_boundary_b, etf_boundary_b
from clverify.theory import CCEM
from clverify.theory import derivation as D

from .. import sigmoid_proofs as P
from ..claims import compare_claim
from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem

N, t, b, x = D.N, D.t, D.b, D.x
#: Working precision (decimal digits) of the certified checks.
_DIGITS = 40
#: Distance in b from a boundary at which the regimes on either side are probed.
_PROBE = "0.001"
#: Points of the x grid for the brute-force minimisation of l(x).
_GRID_POINTS = 1001
#: Large t for gradient descent (float64 losses underflow towards 0 well beyond them), and the
#: accepted range of the ratio of the distances to the limit at the two (1/2 for a 1/t rate).
_LARGE_T = (25.0, 50.0)
_HALVING = (0.4, 0.6)


# --- ext.sigmoid_phase_tb --------------------------------------------------------------------

def _conditions(claim):
    """The regimes at every (N, t, b): ETF iff ``etf <= 0`` iff ``b >= b_E``; antipodal iff
    ``antipodal <= 0`` iff ``b <= b_A``.  The two pairs of "regime iff <= 0" expressions: the
    conditions, then the closed forms."""
    return ((claim.etf, claim.antipodal), (claim.b_E - b, b - claim.b_A))


def _outside_proof(claim) -> str:
    """What of the claim's hypotheses the symbolic argument does not cover (it needs N >= 3,
    t > 0, and d >= N for lee2024.thm1), or ''."""
    wrong = ["N = 2"] if claim.admits("N", N=2) else []
    wrong += [f"t = {v}" for v in (0, -1) if claim.admits("t", t=v)]
    wrong += [f"d = N - 1 (N = {k})" for k in (3, 6, 10) if claim.admits("d", N=k, d=k - 1)]
    return ", ".join(wrong)


#: (component, x where l' decides the regime, orientation of l'(x)/t, SymPy's root in b).
_COMPONENTS = (("etf", 1, 1, None), ("antipodal", 0, -1, None),
               ("b_E", 1, 1, D.etf_boundary_b), ("b_A", 0, -1, D.antipodal_boundary_b))
_WITNESS_NT = ((5, "1"), (10, "0.5"), (10, "5"), (57, "3"))


def _phase_proved(claim, point, evidence):
    r"""For every :math:`N \ge 3`, :math:`t > 0`, real :math:`b`: the ETF is optimal iff
    :math:`\ell'(1) \le 0` and the antipodal structure iff :math:`\ell'(0) \ge 0`
    (``lee2024.convexity``, ``lee2024.thm1``); :func:`~clverify.proofs_check.sigmoid_proofs.same_sign`
    proves each claimed condition and closed form equivalent to its true condition.  A certified
    sign disagreement next to a true boundary (looked for first) refutes; a claim whose
    hypotheses reach outside the argument (N < 3, t <= 0, d < N), or a component neither proved
    nor refuted, makes the check abstain."""
    conditions = _conditions(claim)
    claimed = dict(zip(("etf", "antipodal", "b_E", "b_A"), conditions[0] + conditions[1]))
    points = []
    for n, tv in _WITNESS_NT:
        for boundary in (etf_boundary_b(n, tv, 20), antipodal_boundary_b(n, tv, 20)):
            points += [(n, tv, mpmath.nstr(boundary.value + s, 15)) for s in (-mpmath.mpf(_PROBE), mpmath.mpf(_PROBE))]
    for name, x_value, orientation, _ in _COMPONENTS:      # a cheap refutation first
        found = P.sign_counterexample(claimed[name], x_value, orientation, points)
        if found:
            return f"{name}: {found}"
    outside = _outside_proof(claim)
    if outside:
        raise Inconclusive(f"the argument does not cover {outside}")
    how = {name: P.same_sign(claimed[name], x_value, orientation, b, derived_root=root() if root else None)
           for name, x_value, orientation, root in _COMPONENTS}
    evidence["arguments"] = {k: v or "not proved" for k, v in how.items()}
    unproved = [name for name, h in how.items() if h is None]
    if unproved:
        raise Inconclusive(f"{', '.join(unproved)}: neither proved nor refuted")
    return None


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


def _claimed_regime(pair, n, tv, bv):
    """The regime a pair of "regime iff <= 0" expressions predicts at a point, by certified ball
    signs (None: undecided)."""
    with arb_precision(_DIGITS):
        from flint import arb
        args = (arb(0), arb(n), arb(tv), arb(bv))
        signs = []
        for expr in pair:
            ball = compile_expression(expr, "arb")(*args)
            if ball.contains(0):
                return None
            signs.append(ball < 0)
    return "etf" if signs[0] else "antipodal" if signs[1] else "intermediate"


def _regimes_match_certified_optimum(claim, point, evidence):
    """At deterministic random points the regime predicted by the claimed conditions and by the
    claimed closed forms is the certified optimum's regime."""
    undecided = 0
    for n, tv, bv in _random_points(point["seed"], point["count"]):
        expected = P.certified_regime(n, tv, bv, _DIGITS)
        for what, pair in zip(("conditions", "closed forms"), _conditions(claim)):
            said = _claimed_regime(pair, n, tv, bv)
            if said is None:
                undecided += 1
            elif said != expected:
                return f"N={n}, t={tv}, b={bv}: the claimed {what} say {said}, the certified optimum is {expected}"
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
        for what, pair in zip(("conditions", "closed forms"), _conditions(claim)):
            said = _claimed_regime(pair, n, tv, bv)
            if (said == "antipodal" and k >= 2) or (said == "etf" and k <= last - 2):
                return (f"N={n}, t={tv}, b={bv}: the claimed {what} say {said}, but l is smallest on "
                        f"the grid at x = {float(grid[k]):.4f}")
    return None


_PHASE_POINTS = tuple({"N": n, "t": tv} for n, tv in ((5, "1"), (10, "0.5"), (10, "5"), (57, "3"),
                                                      (1000, "20")))


def _phase_boundaries_certified(claim, point, evidence):
    """The claimed b_E, b_A lie in certified enclosures of the roots in b of the general
    conditions l'(1) = 0 and l'(0) = 0 (clverify.numerics.precision.thresholds)."""
    n, tv = point["N"], point["t"]
    for name, expr, boundary in (("b_E", claim.b_E, etf_boundary_b(n, tv, _DIGITS)),
                                 ("b_A", claim.b_A, antipodal_boundary_b(n, tv, _DIGITS))):
        message = compare_claim(name, expr, boundary.enclosure, N=n, t=tv)
        if message:
            return message
        evidence[f"{name}_width"] = mpmath.nstr(boundary.enclosure.width, 3)
    return None


def _phase_regimes_flip_at_boundaries(claim, point, evidence):
    """The certified optimum is the ETF just above the claimed b_E and not just below it; the
    antipodal structure just below the claimed b_A and not just above it."""
    n, tv = point["N"], point["t"]
    with mpmath.workdps(_DIGITS):
        b_e, b_a = (mpmath.mpf(str(sp.N(e.subs({N: n, t: sp.Rational(tv)}), _DIGITS))) for e in (claim.b_E, claim.b_A))
        probe = mpmath.mpf(_PROBE)
        cases = ((b_e + probe, "etf", True), (b_e - probe, "etf", False),
                 (b_a - probe, "antipodal", True), (b_a + probe, "antipodal", False))
        for bv, regime, expected in cases:
            found = P.certified_regime(n, tv, mpmath.nstr(bv, _DIGITS), _DIGITS)
            if (found == regime) != expected:
                return (f"N={n}, t={tv}, b={mpmath.nstr(bv, 12)}: optimum is {found}; the claimed "
                        f"boundary puts it {'in' if expected else 'outside'} the {regime} regime")
    return None


#: A gradient-descent optimum within this of a structure's similarities has that structure.
_GD_TOLERANCE = 1e-6
#: (N, t, b) of the descent check: just inside the intermediate regime near b_E (where d = N - 1
#: cannot hold the CCEM), and deep in the antipodal regime.
_GD_POINTS = ({"N": 6, "t": "5", "b": "2.1"}, {"N": 6, "t": "1", "b": "-2"})


def _descent_regime(run) -> str:
    """The regime of a gradient-descent optimum: the ETF (every s_pos 1, every s_neg -1/(N-1)),
    the antipodal structure (every similarity -1), or intermediate."""
    k = run.N
    if (abs(run.s_pos_min - 1) < _GD_TOLERANCE and abs(run.s_neg_mean + 1 / (k - 1)) < _GD_TOLERANCE
            and run.s_neg_std < _GD_TOLERANCE):
        return "etf"
    if run.s_pos_mean < -1 + _GD_TOLERANCE and run.s_neg_mean < -1 + _GD_TOLERANCE:
        return "antipodal"
    return "intermediate"


def _regimes_match_gradient_descent(claim, point, evidence):
    """Free embeddings (torch L-BFGS, 2 seeded restarts) in the least dimension d the claim
    admits at N: the regime of the optimum found is the one the claimed conditions predict."""
    n, tv, bv = point["N"], point["t"], point["b"]
    said = _claimed_regime(_conditions(claim)[0], n, tv, bv)
    if said is None:
        raise Inconclusive(f"N={n}, t={tv}, b={bv}: the claimed conditions are undecided")
    d = next(d for d in range(2, n + 2) if claim.admits("d", N=n, d=d))
    run = optimise_batch(n, d, t=[float(tv)], b=[float(bv)], seeds=0, restarts=2)[0]
    if not run.converged:
        raise Inconclusive(f"optimiser did not converge at N={n}, d={d}, t={tv}, b={bv}")
    found = _descent_regime(run)
    evidence[f"N={n},d={d}"] = {"s_pos_mean": run.s_pos_mean, "s_neg_mean": run.s_neg_mean, "regime": found}
    if found != said:
        return (f"N={n}, d={d}, t={tv}, b={bv}: the claimed conditions say {said}; gradient descent finds "
                f"{found} (s_pos = {run.s_pos_mean:.8f}, s_neg = {run.s_neg_mean:.8f})")
    return None


_ETF_CONDITION = (N - 2) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b))
_ANTIPODAL_CONDITION = t + b - sp.log((N - 2) / 2)
_B_E = sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t * N / (N - 1)))) / (4 * sp.exp(t / (N - 1))))
_B_A = sp.log((N - 2) / 2) - t
_PHASE = Claim({"etf": _ETF_CONDITION, "antipodal": _ANTIPODAL_CONDITION, "b_E": _B_E, "b_A": _B_A},
               {"N": H.N >= 3, "t": sp.Gt(H.t, 0), "b": "real", "d": H.d >= H.N})
_REGIME_PARTS = ("excessive_separation_if", "etf_if", "antipodal_iff")
_ALL_PHASE_PARTS = _REGIME_PARTS + ("etf_boundary", "antipodal_boundary")
_C11 = r"\frac{1 + e^{t/(N-1)+b}}{1 + e^{t-b}} < \frac{N-2}{2}"

PHASE_TB = Theorem(
    id="ext.sigmoid_phase_tb",
    source="Lee, Lim, Lee, Sohn (ICML 2025, arXiv 2506.09781), Example C.11: excessive separation 'if' "
           "(1 + e^{t/(n-1)+b})/(1 + e^{t-b}) < (n-2)/2 (as printed: 'if'; lee2025.thm5_1_5_3_ex5_4).  "
           "This project's: the converse (ETF when the ratio is >= (N-2)/2; the strict case is also "
           "Lee et al.'s Theorem 5.1 (iii)), the antipodal condition and the closed forms b_E, b_A.  "
           "Lee, Chang, Sohn (AISTATS 2024) treat t = b only (lee2024.thm2)",
    statement=r"\text{ETF} \iff (N-2)(1 + e^{t-b}) \le 2(1 + e^{t/(N-1) + b}) \iff b \ge b_E(N,t) = "
              r"\log\frac{N-4+\sqrt{(N-4)^2+8(N-2)e^{tN/(N-1)}}}{4e^{t/(N-1)}};\quad "
              r"\text{antipodal} \iff t + b \le \log\tfrac{N-2}{2} \iff b \le b_A(N,t) = \log\tfrac{N-2}{2} - t",
    parts=(
        Part("excessive_separation_if", _C11 + r"\Rightarrow x^* < 1\ \text{(not the ETF; Lee et al. 2025, "
                                               r"Example C.11, as printed)}"),
        Part("etf_if", r"(N-2)(1 + e^{t-b}) \le 2(1 + e^{t/(N-1) + b}) \Rightarrow x^* = 1\ \text{(the ETF; "
                       r"the converse, this project's)}"),
        Part("etf_boundary", r"(N-2)(1 + e^{t-b}) \le 2(1 + e^{t/(N-1) + b}) \iff b \ge b_E(N, t) = "
                             r"\log\frac{N-4+\sqrt{(N-4)^2+8(N-2)e^{tN/(N-1)}}}{4e^{t/(N-1)}}"),
        Part("antipodal_iff", r"x^* = 0\ \text{(antipodal)} \iff t + b \le \log\tfrac{N-2}{2}"),
        Part("antipodal_boundary", r"t + b \le \log\tfrac{N-2}{2} \iff b \le b_A(N,t) = \log\tfrac{N-2}{2} - t"),
    ),
    claim=_PHASE,
    uses=("lee2024.thm1", "lee2024.convexity"),
    checks=(
        Check("conditions_and_boundaries_proved", "proof", _phase_proved, parts=_ALL_PHASE_PARTS,
              scope="every N >= 3, t > 0, b real (d >= N; with lee2024.convexity and lee2024.thm1)",
              whole_domain=True),
        Check("regimes_match_certified_optimum", "certified", _regimes_match_certified_optimum,
              parts=_ALL_PHASE_PARTS,
              points=({"seed": 0, "count": 40},), thorough_points=({"seed": 1, "count": 400},),
              scope="40 seeded random (N, t, b), N in 3..60, t in (0.05, 8), 2/3 of them within 0.5 "
                    "of a boundary"),
        Check("regimes_match_grid_minimisation", "numerical", _regimes_match_grid_minimisation,
              parts=_ALL_PHASE_PARTS,
              points=({"seed": 2, "count": 12},), thorough_points=({"seed": 3, "count": 120},),
              scope="12 seeded random (N, t, b), argmin of l on a 1001-point x grid (mpmath)"),
        Check("boundaries_certified_roots", "certified", _phase_boundaries_certified,
              parts=("etf_boundary", "antipodal_boundary"), points=_PHASE_POINTS,
              scope="(N, t) in {(5, 1), (10, 0.5), (10, 5), (57, 3), (1000, 20)}"),
        Check("regime_flips_across_boundary", "certified", _phase_regimes_flip_at_boundaries,
              parts=("etf_boundary", "antipodal_boundary"),
              points=_PHASE_POINTS[:3], thorough_points=_PHASE_POINTS[3:],
              scope="b = boundary +- 0.001 at (N, t) in {(5, 1), (10, 0.5), (10, 5)}"),
        Check("regimes_match_gradient_descent", "empirical", _regimes_match_gradient_descent,
              parts=_REGIME_PARTS, points=_GD_POINTS,
              scope="(N, t, b) in {(6, 5, 2.1), (6, 1, -2)}, the least admitted d, 2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("antipodal_log_N_minus_2", "t + b <= log(N-2) admits points where l'(0) < 0",
               _PHASE.vary(antipodal=t + b - sp.log(N - 2))),
        Mutant("etf_with_N_minus_1", "(N-1) for (N-2) moves the ETF boundary",
               _PHASE.vary(etf=(N - 1) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b)))),
        Mutant("b_A_log_N_minus_2", "log(N-2) - t is above the root of l'(0) = 0",
               _PHASE.vary(b_A=sp.log(N - 2) - t)),
        Mutant("b_E_without_tN_over_N_minus_1", "e^t for e^{tN/(N-1)} under the root moves b_E",
               _PHASE.vary(b_E=sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t)))
                                      / (4 * sp.exp(t / (N - 1)))))),
        Mutant("d_N_minus_1", "in d = N - 1 the intermediate CCEM (rank N) does not exist: at N = 6, t = 5, "
               "b = 2.1 (just below b_E = 2.36) gradient descent finds the ETF", _PHASE.vary(d=H.d >= H.N - 1)),
    ),
)


# --- ext.sigmoid_fixed_b_limit ---------------------------------------------------------------
# claim.x_inf: the limit of x*(t) as t -> infinity with b as the hypothesis says (a constant c);
# claim.s_pos_inf, s_neg_inf: the limits of the optimal embedding's similarities.

def _bias_path(claim):
    """b as a function of t by the claim's hypothesis ``b = ...`` (in the derivation's symbols;
    a constant ``c`` stays a symbol)."""
    relation = claim.b
    return relation.rhs.subs({H.t: t, H.c: sp.Symbol("c", real=True)})


def _limit_by_slope_balance(claim, point, evidence):
    r"""Proof for every N >= 3.  The sign of l'(x) is that of (N-2) sigma(B) - 2 sigma(A), A and
    B the positive- and negative-pair logits of l (read off clverify.theory.derivation's
    CCEM loss).  SymPy: with b as the hypothesis gives it, B - A = t s(x) + O(1) with s
    increasing in x (slope > 0), so s has one root X; at X both logits fall linearly in t.
    Hand-argued: there sigma(z) ~ e^z, so for large t l'(x) has the sign of s(x) near X, and
    with l convex (lee2024.convexity) x*(t) -> X.  The claimed limit must be X."""
    A, B = P.logits()
    path = _bias_path(claim)
    A, B = A.subs(b, path), B.subs(b, path)
    slope = sp.expand(sp.diff(B - A, t))
    if t in slope.free_symbols or sp.diff(slope, x, 2) != 0:
        raise Inconclusive(f"with b = {path}, B - A is not t s(x) + O(1) with s affine: d(B - A)/dt = {slope}")
    witness = {s: sp.Rational(1, 10) for s in slope.free_symbols - {x, N}}   # a value of c, if it matters
    slope = slope.subs(witness)
    (root,) = sp.solve(slope, x)
    evidence["root"] = str(sp.factor(root))
    m = sp.Symbol("m", nonnegative=True, integer=True)
    falling = [sp.simplify(sp.diff(e, t).subs(witness).subs(x, root).subs(N, m + 3)) for e in (A, B)]
    rising = sp.simplify(sp.diff(slope, x).subs(N, m + 3))
    if rising.is_positive is not True or any(f.is_negative is not True for f in falling):
        raise Inconclusive(f"at x = {root} the logits' slopes {falling} or s'(x) = {rising} are not of the needed signs")
    if sp.simplify(root - claim.x_inf) != 0:
        where = f" (b = {path}, c = 1/10)" if witness else ""
        return f"the logits' slopes balance at x = {sp.factor(root)}, not at the claimed {claim.x_inf}{where}"
    return None


def _similarities_of_limit(claim, point, evidence):
    """SymPy: the CCEM's s_+ = 2x - 1 and s_- at the claimed limit x_inf are the claimed limits
    (the similarities are continuous in x); the CCEM optimum is the optimum for d >= N
    (lee2024.thm1), so a claim admitting d < N is outside the argument (inconclusive)."""
    uv = CCEM(N, sp.sqrt(x)).grams().uv
    for name, s, claimed in (("s_pos", uv.diagonal, claim.s_pos_inf), ("s_neg", uv.off_diagonal, claim.s_neg_inf)):
        value = sp.simplify(s.subs(x, claim.x_inf))
        if sp.simplify(value - claimed) != 0:
            return f"at x = {claim.x_inf} the CCEM has {name} = {sp.factor(value)}, not {claimed}"
    if any(claim.admits("d", N=k, d=k - 1) for k in (3, 6, 10)):
        raise Inconclusive("the claim admits d < N, where lee2024.thm1 does not apply")
    return None


def _limit_certified(claim, point, evidence):
    """Certified x*(t) at t = 10^2, 10^3, 10^4 (fixed b): the distance to the claimed limit
    shrinks by a factor > 5 per decade and is < 1e-3 at t = 10^4 (the limit itself is
    extrapolated from these three points)."""
    n, bv = point["N"], point["b"]
    limit = mpmath.mpf(str(sp.N(claim.x_inf.subs(N, n), _DIGITS)))
    distances = []
    for tv in ("100", "1000", "10000"):
        opt = sigmoid_optimum(n, tv, bv, digits=_DIGITS)
        enc = opt.x_enclosure
        if not opt.certified:
            raise Inconclusive(f"x* not certified at N={n}, t={tv}, b={bv}")
        distances.append(max(abs(enc.lo - limit), abs(enc.hi - limit)))
    evidence["distances"] = [mpmath.nstr(d, 3) for d in distances]
    shrinking = all(d2 < d1 / 5 for d1, d2 in zip(distances, distances[1:]))
    if not shrinking or distances[-1] > mpmath.mpf("1e-3"):
        return (f"N={n}, b={bv}: |x*(t) - x_inf| at t = 1e2, 1e3, 1e4 is "
                f"{', '.join(mpmath.nstr(d, 3) for d in distances)}: not converging to {mpmath.nstr(limit, 10)}")
    return None


def _limit_by_gradient_descent(claim, point, evidence):
    """Free embeddings in the least admitted d at t = 25 and 50, fixed b: the distances of the
    mean positive and negative similarities to the claimed limits halve when t doubles (the
    optimum approaches them like 1/t), as they must if the claim is the limit."""
    n, bv = point["N"], float(point["b"])
    d = next(d for d in range(2, n + 2) if claim.admits("d", N=n, d=d))
    limits = [float(claim.s_pos_inf.subs(N, n)), float(claim.s_neg_inf.subs(N, n))]
    runs = optimise_batch(n, d, t=list(_LARGE_T), b=[bv] * len(_LARGE_T), seeds=0, restarts=2)
    if not all(r.converged for r in runs):
        raise Inconclusive(f"optimiser did not converge at N={n}, d={d}, t in {_LARGE_T}, b={bv}")
    evidence.update(d=d, s_pos=[r.s_pos_mean for r in runs], s_neg=[r.s_neg_mean for r in runs])
    for name, limit, values in (("s_pos", limits[0], [r.s_pos_mean for r in runs]),
                                ("s_neg", limits[1], [r.s_neg_mean for r in runs])):
        gaps = [abs(v - limit) for v in values]
        ratio = gaps[1] / gaps[0]
        if not _HALVING[0] <= ratio <= _HALVING[1]:
            return (f"N={n}, d={d}, b={bv}: |{name} - {limit:.5f}| is {gaps[0]:.3g} at t = {_LARGE_T[0]:g} and "
                    f"{gaps[1]:.3g} at t = {_LARGE_T[1]:g} (ratio {ratio:.2f}, not ~1/2)")
    return None


_FIXED_B = Claim({"x_inf": 2 * (N - 1) / (3 * N - 4), "s_pos_inf": N / (3 * N - 4), "s_neg_inf": -N / (3 * N - 4)},
                 {"N": H.N >= 3, "b": sp.Eq(H.b, H.c), "d": H.d >= H.N})

FIXED_B_LIMIT = Theorem(
    id="ext.sigmoid_fixed_b_limit",
    source="this project's derivation (not in Lee, Chang, Sohn 2024): large-t limit at fixed b",
    statement=r"\lim_{t\to\infty} x^*(N, t, b) = \frac{2(N-1)}{3N-4}\ \text{for every fixed } b, "
              r"\text{ i.e. } s_+ \to \frac{N}{3N-4} = -s_-",
    parts=(
        Part("limit", r"b \text{ fixed}:\ \lim_{t\to\infty} x^*(N, t, b) = \frac{2(N-1)}{3N-4}"),
        Part("similarities", r"d \ge N:\ \text{the optimal embedding has } s_+ \to \frac{N}{3N-4},\ "
                             r"s_- \to -\frac{N}{3N-4}"),
    ),
    claim=_FIXED_B,
    uses=("lee2024.convexity", "lee2024.thm1"),
    checks=(
        Check("limit_by_slope_balance", "proof", _limit_by_slope_balance, parts=("limit",),
              scope="every N >= 3, every fixed b (the logits' slopes by SymPy; their asymptotics and "
                    "the convexity step, lee2024.convexity, hand-argued)", whole_domain=True),
        Check("similarities_of_the_limit", "proof", _similarities_of_limit, parts=("similarities",),
              scope="every N >= 3, d >= N (with lee2024.thm1)", whole_domain=True),
        Check("certified_optimum_approaches_limit", "numerical", _limit_certified, parts=("limit",),
              points=({"N": 10, "b": "1"}, {"N": 5, "b": "-2"}, {"N": 50, "b": "3"}),
              scope="(N, b) in {(10, 1), (5, -2), (50, 3)}: x* certified at t = 1e2, 1e3, 1e4, the limit "
                    "extrapolated"),
        Check("gradient_descent_at_large_t", "empirical", _limit_by_gradient_descent, parts=("similarities",),
              points=({"N": 10, "b": "1"},), thorough_points=({"N": 6, "b": "-1"}, {"N": 20, "b": "2"}),
              scope="N = 10, b = 1, the least admitted d, t in {25, 50}, 2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("denominator_3N_minus_2", "2(N-1)/(3N-2) balances the wrong slopes",
               _FIXED_B.vary(x_inf=2 * (N - 1) / (3 * N - 2))),
        Mutant("etf_limit", "the ETF (x = 1) is not the large-t optimum at fixed b", _FIXED_B.vary(x_inf=sp.Integer(1))),
        Mutant("s_neg_minus_N_over_3N_minus_2", "the CCEM's s_- at x_inf is -N/(3N-4)",
               _FIXED_B.vary(s_neg_inf=-N / (3 * N - 2))),
        Mutant("fixed_relative_bias", "with b = c t (a fixed relative bias) the slopes balance at "
               "2(N-1)(1 + c)/(3N-4)", _FIXED_B.vary(b=sp.Eq(H.b, H.c * H.t))),
    ),
)


# --- ext.sigmoid_fixed_b_nonmonotone ---------------------------------------------------------
# claim.shape: "rises_then_falls" or "nondecreasing", at every (N, b) the hypotheses admit among
# a few probes, on the claim's t grid.

#: Values of N and b at which the check tries the claim (those its hypotheses admit).
_SHAPE_PROBES = {"N": (5, 10), "b": tuple(sp.Rational(v) for v in ("-1", "0", "1/2", "1", "2"))}


def _shape_on_certified_grid(claim, point, evidence):
    """Certified x*(t) on the claim's t grid at each admitted (N, b): 'rises_then_falls' needs a
    certified rise followed by a certified fall; 'nondecreasing' needs no certified fall."""
    ts = sorted(claim.t.args[1])
    cases = [(k, bv) for k in _SHAPE_PROBES["N"] if claim.admits("N", N=k)
             for bv in _SHAPE_PROBES["b"] if claim.admits("b", b=bv)]
    if not cases:
        raise Inconclusive("the hypotheses admit none of the probed (N, b)")
    for k, bv in cases:
        encs = []
        for tv in ts:
            opt = sigmoid_optimum(k, Fraction(str(tv)), Fraction(str(bv)), digits=_DIGITS)
            enc = opt.x_enclosure
            if not opt.certified:
                raise Inconclusive(f"x* not certified at N={k}, t={tv}, b={bv}")
            encs.append(enc)
        steps = ["rise" if e1.hi < e2.lo else "fall" if e2.hi < e1.lo else "?" for e1, e2 in zip(encs, encs[1:])]
        evidence[f"N={k},b={bv}"] = steps
        if claim.shape == "rises_then_falls":
            if not ("rise" in steps and "fall" in steps[steps.index("rise"):]):
                return f"N={k}, b={bv}: steps {steps} show no certified rise followed by a fall"
        elif "fall" in steps:
            j = steps.index("fall")
            return (f"N={k}, b={bv}: x* falls from t={ts[j]} to t={ts[j + 1]} "
                    f"([{mpmath.nstr(encs[j].lo, 8)}, ...] -> [..., {mpmath.nstr(encs[j + 1].hi, 8)}])")
    return None


_WITNESS_GRID = sp.FiniteSet(*(sp.Rational(v) for v in ("1/2", "1", "2", "5", "10", "100")))
_SHAPE = Claim({"shape": "rises_then_falls"},
               {"N": sp.Eq(H.N, 10), "b": sp.Eq(H.b, 1), "t": sp.Contains(H.t, _WITNESS_GRID)})

FIXED_B_NONMONOTONE = Theorem(
    id="ext.sigmoid_fixed_b_nonmonotone",
    source="this project's computation (not in Lee, Chang, Sohn 2024): shape of x*(t) at fixed b",
    statement=r"N = 10,\ b = 1:\ x^*(t) \text{ rises and then falls as } t \text{ grows}",
    parts=(Part("rises_then_falls", r"N = 10,\ b = 1,\ t \in \{0.5, 1, 2, 5, 10, 100\}:\ x^*(t) \text{ rises, "
                                    r"then falls}"),),
    claim=_SHAPE,
    uses=("lee2024.convexity",),
    checks=(Check("shape_on_certified_grid", "certified", _shape_on_certified_grid, parts=("rises_then_falls",),
                  scope="N = 10, b = 1, t in {0.5, 1, 2, 5, 10, 100}"),),
    mutants=(
        Mutant("nondecreasing_at_fixed_b", "x*(t) falls from t = 5 to t = 100 at b = 1",
               _SHAPE.vary(shape="nondecreasing")),
        Mutant("every_b_in_0_1", "at b = 0, x*(t) only rises on the grid",
               _SHAPE.vary(b=sp.And(H.b >= 0, H.b <= 1))),
    ),
)

THEOREMS = [PHASE_TB, FIXED_B_LIMIT, FIXED_B_NONMONOTONE]
