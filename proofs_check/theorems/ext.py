r"""Results of this project: the sigmoid loss's (t, b) phase diagram and its large-t limit.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the logit, the loss is
normalised by ``1/N``; ``x = delta^2`` parameterises the CCEM.
"""

from __future__ import annotations

import random
from typing import Any, NamedTuple

import mpmath
import sympy as sp

from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.evaluators import arb_precision, compile_expression, evaluator
from clverify.numerics.precision.thresholds import antipodal_boundary_b, etf_boundary_b
from clverify.theory import derivation as D

from .. import sigmoid_proofs as P
from ..claims import compare_claim
from ..registry import Check, Inconclusive, Mutant, Theorem

N, t, b = D.N, D.t, D.b
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

class PhaseClaim(NamedTuple):
    """The regimes at every (N, t, b): ETF iff ``etf <= 0`` iff ``b >= b_E``; antipodal iff
    ``antipodal <= 0`` iff ``b <= b_A`` (``etf``, ``antipodal`` expressions in N, t, b;
    ``b_E``, ``b_A`` closed forms in N, t)."""

    etf: Any
    antipodal: Any
    b_E: Any
    b_A: Any

    def conditions(self):
        """The two pairs of "regime iff <= 0" expressions: the conditions, the closed forms."""
        return ((self.etf, self.antipodal), (self.b_E - b, b - self.b_A))


#: (component, x where l' decides the regime, orientation of l'(x)/t, SymPy's root in b).
_COMPONENTS = (("etf", 1, 1, None), ("antipodal", 0, -1, None),
               ("b_E", 1, 1, D.etf_boundary_b), ("b_A", 0, -1, D.antipodal_boundary_b))
_WITNESS_NT = ((5, "1"), (10, "0.5"), (10, "5"), (57, "3"))


def _phase_proved(claim, point, evidence):
    r"""For every :math:`N \ge 3`, :math:`t > 0`, real :math:`b`: the ETF is optimal iff
    :math:`\ell'(1) \le 0` and the antipodal structure iff :math:`\ell'(0) \ge 0`
    (``lee2024.convexity``, ``lee2024.thm1``); :func:`~clverify.proofs_check.sigmoid_proofs.same_sign`
    proves each claimed condition and closed form equivalent to its true condition.  A certified
    sign disagreement next to a true boundary (looked for first) refutes; a component neither
    proved nor refuted makes the check abstain."""
    conditions = claim.conditions()
    claimed = dict(zip(("etf", "antipodal", "b_E", "b_A"), conditions[0] + conditions[1]))
    points = []
    for n, tv in _WITNESS_NT:
        for boundary in (etf_boundary_b(n, tv, 20), antipodal_boundary_b(n, tv, 20)):
            points += [(n, tv, mpmath.nstr(boundary.value + s, 15)) for s in (-mpmath.mpf(_PROBE), mpmath.mpf(_PROBE))]
    for name, x_value, orientation, _ in _COMPONENTS:      # a cheap refutation first
        found = P.sign_counterexample(claimed[name], x_value, orientation, points)
        if found:
            return f"{name}: {found}"
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
        for what, pair in zip(("conditions", "closed forms"), claim.conditions()):
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
        for what, pair in zip(("conditions", "closed forms"), claim.conditions()):
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


_ETF_CONDITION = (N - 2) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b))
_ANTIPODAL_CONDITION = t + b - sp.log((N - 2) / 2)
_B_E = sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t * N / (N - 1)))) / (4 * sp.exp(t / (N - 1))))
_B_A = sp.log((N - 2) / 2) - t
_PHASE = PhaseClaim(_ETF_CONDITION, _ANTIPODAL_CONDITION, _B_E, _B_A)

PHASE_TB = Theorem(
    id="ext.sigmoid_phase_tb",
    source="ETF condition for general (t, b): Lee, Lim, Lee, Sohn (ICML 2025, arXiv 2506.09781), "
           "Example C.11 (excessive separation iff (1 + e^{t/(n-1)+b})/(1 + e^{t-b}) < (n-2)/2); the "
           "antipodal condition and the closed forms b_E, b_A: this project's derivation.  Lee, Chang, "
           "Sohn (AISTATS 2024) treat t = b only (lee2024.thm2)",
    statement=r"\text{ETF} \iff (N-2)(1 + e^{t-b}) \le 2(1 + e^{t/(N-1) + b}) \iff b \ge b_E(N,t) = "
              r"\log\frac{N-4+\sqrt{(N-4)^2+8(N-2)e^{tN/(N-1)}}}{4e^{t/(N-1)}};\quad "
              r"\text{antipodal} \iff t + b \le \log\tfrac{N-2}{2} \iff b \le b_A(N,t) = \log\tfrac{N-2}{2} - t",
    hypotheses={"N": "integer >= 3", "t": "> 0", "b": "real", "d": ">= N"},
    claim=_PHASE,
    checks=(
        Check("conditions_and_boundaries_proved", "proof", _phase_proved,
              scope="every N >= 3, t > 0, b real (d >= N; with lee2024.convexity and lee2024.thm1)",
              whole_domain=True),
        Check("regimes_match_certified_optimum", "certified", _regimes_match_certified_optimum,
              points=({"seed": 0, "count": 40},), thorough_points=({"seed": 1, "count": 400},),
              scope="40 seeded random (N, t, b), N in 3..60, t in (0.05, 8), 2/3 of them within 0.5 "
                    "of a boundary"),
        Check("regimes_match_grid_minimisation", "numerical", _regimes_match_grid_minimisation,
              points=({"seed": 2, "count": 12},), thorough_points=({"seed": 3, "count": 120},),
              scope="12 seeded random (N, t, b), argmin of l on a 1001-point x grid (mpmath)"),
        Check("boundaries_certified_roots", "certified", _phase_boundaries_certified,
              points=_PHASE_POINTS,
              scope="(N, t) in {(5, 1), (10, 0.5), (10, 5), (57, 3), (1000, 20)}"),
        Check("regime_flips_across_boundary", "certified", _phase_regimes_flip_at_boundaries,
              points=_PHASE_POINTS[:3], thorough_points=_PHASE_POINTS[3:],
              scope="b = boundary +- 0.001 at (N, t) in {(5, 1), (10, 0.5), (10, 5)}"),
    ),
    mutants=(
        Mutant("antipodal_log_N_minus_2", "t + b <= log(N-2) admits points where l'(0) < 0",
               _PHASE._replace(antipodal=t + b - sp.log(N - 2))),
        Mutant("etf_with_N_minus_1", "(N-1) for (N-2) moves the ETF boundary",
               _PHASE._replace(etf=(N - 1) * (1 + sp.exp(t - b)) - 2 * (1 + sp.exp(t / (N - 1) + b)))),
        Mutant("b_A_log_N_minus_2", "log(N-2) - t is above the root of l'(0) = 0",
               _PHASE._replace(b_A=sp.log(N - 2) - t)),
        Mutant("b_E_without_tN_over_N_minus_1", "e^t for e^{tN/(N-1)} under the root moves b_E",
               _PHASE._replace(b_E=sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t)))
                                          / (4 * sp.exp(t / (N - 1)))))),
    ),
)


# --- ext.sigmoid_fixed_b_limit ---------------------------------------------------------------
# claim: x_inf(N), the limit of x*(t) as t -> infinity at fixed b.

def _limit_derived(claim, point, evidence):
    """SymPy's balance of the two logits' slopes (clverify.theory.derivation.fixed_b_limit_x) gives the
    claimed limit."""
    derived = D.fixed_b_limit_x()
    evidence["derived"] = str(derived)
    return None if sp.simplify(derived - claim) == 0 else f"derived limit {derived} != claimed {claim}"


def _limit_certified(claim, point, evidence):
    """Certified x*(t) at t = 10^2, 10^3, 10^4 (fixed b): the distance to the claimed limit
    shrinks by a factor > 5 per decade and is < 1e-3 at t = 10^4."""
    n, bv = point["N"], point["b"]
    limit = mpmath.mpf(str(sp.N(claim.subs(N, n), _DIGITS)))
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
    """Free embeddings (d = N) at t = 25 and 50, fixed b: the distance of the mean positive
    similarity to the claimed limit's s_inf = 2 x_inf - 1 halves when t doubles (x*(t) - x_inf
    is of order 1/t), as it must if the claim is the limit; a wrong limit keeps a gap."""
    n, bv = point["N"], float(point["b"])
    s_inf = 2 * float(claim.subs(N, n)) - 1
    runs = optimise_batch(n, n, t=list(_LARGE_T), b=[bv] * len(_LARGE_T), seeds=0, restarts=2)
    if not all(r.converged for r in runs):
        raise Inconclusive(f"optimiser did not converge at N={n}, t in {_LARGE_T}, b={bv}")
    gaps = [abs(r.s_pos_mean - s_inf) for r in runs]
    evidence.update(s_pos=[r.s_pos_mean for r in runs], gaps=gaps)
    ratio = gaps[1] / gaps[0]
    if not _HALVING[0] <= ratio <= _HALVING[1]:
        return (f"N={n}, b={bv}: |s_pos - {s_inf:.5f}| is {gaps[0]:.3g} at t = {_LARGE_T[0]:g} and "
                f"{gaps[1]:.3g} at t = {_LARGE_T[1]:g} (ratio {ratio:.2f}, not ~1/2)")
    return None


FIXED_B_LIMIT = Theorem(
    id="ext.sigmoid_fixed_b_limit",
    source="this project's derivation (not in Lee, Chang, Sohn 2024): large-t limit at fixed b",
    statement=r"\lim_{t\to\infty} x^*(N, t, b) = \frac{2(N-1)}{3N-4}\ \text{for every } b, "
              r"\text{ i.e. } s_+ \to \frac{N}{3N-4} = -s_-",
    hypotheses={"N": "integer >= 3", "b": "real, fixed", "d": ">= N"},
    claim=2 * (N - 1) / (3 * N - 4),
    checks=(
        Check("limit_is_derived", "proof", _limit_derived,
              scope="every N >= 3: the claim solves the slope balance of the two logits (the "
                    "balance argument is in clverify.theory.derivation.fixed_b_limit_x, not machine-checked)"),
        Check("certified_optimum_converges", "certified", _limit_certified,
              points=({"N": 10, "b": "1"}, {"N": 5, "b": "-2"}, {"N": 50, "b": "3"}),
              scope="(N, b) in {(10, 1), (5, -2), (50, 3)}: x* certified at t = 1e2, 1e3, 1e4"),
        Check("gradient_descent_at_large_t", "empirical", _limit_by_gradient_descent,
              points=({"N": 10, "b": "1"},), thorough_points=({"N": 6, "b": "-1"}, {"N": 20, "b": "2"}),
              scope="N = 10, b = 1, d = N, t in {25, 50}, 2 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("denominator_3N_minus_2", "2(N-1)/(3N-2) balances the wrong slopes", 2 * (N - 1) / (3 * N - 2)),
        Mutant("etf_limit", "the ETF (x = 1) is not the large-t optimum at fixed b", sp.Integer(1)),
    ),
)


# --- ext.sigmoid_fixed_b_nonmonotone ---------------------------------------------------------
# claim: ("rises_then_falls" or "nondecreasing", N, b, grid of t as decimal strings).

def _shape_on_certified_grid(claim, point, evidence):
    """Certified x*(t) on the claim's t grid at fixed (N, b): 'rises_then_falls' needs a
    certified rise followed by a certified fall; 'nondecreasing' needs no certified fall."""
    shape, n, bv, ts = claim
    encs = []
    for tv in ts:
        opt = sigmoid_optimum(n, tv, bv, digits=_DIGITS)
        enc = opt.x_enclosure
        if not opt.certified:
            raise Inconclusive(f"x* not certified at N={n}, t={tv}, b={bv}")
        encs.append(enc)
    steps = ["rise" if e1.hi < e2.lo else "fall" if e2.hi < e1.lo else "?" for e1, e2 in zip(encs, encs[1:])]
    evidence["x_star"] = {tv: mpmath.nstr(e.lo, 8) for tv, e in zip(ts, encs)}
    evidence["steps"] = steps
    if shape == "rises_then_falls":
        if "rise" in steps and "fall" in steps[steps.index("rise"):]:
            return None
        return f"N={n}, b={bv}: steps {steps} show no certified rise followed by a fall"
    if "fall" in steps:
        k = steps.index("fall")
        return (f"N={n}, b={bv}: x* falls from t={ts[k]} to t={ts[k + 1]} "
                f"([{mpmath.nstr(encs[k].lo, 8)}, ...] -> [..., {mpmath.nstr(encs[k + 1].hi, 8)}])")
    return None


_WITNESS_GRID = ("0.5", "1", "2", "5", "10", "100")

FIXED_B_NONMONOTONE = Theorem(
    id="ext.sigmoid_fixed_b_nonmonotone",
    source="this project's computation (not in Lee, Chang, Sohn 2024): shape of x*(t) at fixed b",
    statement=r"N = 10,\ b = 1:\ x^*(t) \text{ rises and then falls as } t \text{ grows}",
    hypotheses={"N": "10", "b": "1", "t": "the grid 0.5, 1, 2, 5, 10, 100"},
    claim=("rises_then_falls", 10, "1", _WITNESS_GRID),
    checks=(Check("shape_on_certified_grid", "certified", _shape_on_certified_grid,
                  scope="N = 10, b = 1, t in {0.5, 1, 2, 5, 10, 100}"),),
    mutants=(
        Mutant("nondecreasing_at_fixed_b", "x*(t) falls from t = 5 to t = 100 at b = 1",
               ("nondecreasing", 10, "1", _WITNESS_GRID)),
    ),
)

THEOREMS = [PHASE_TB, FIXED_B_LIMIT, FIXED_B_NONMONOTONE]
