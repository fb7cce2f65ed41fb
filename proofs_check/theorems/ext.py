r"""Extensions of ours: the sigmoid loss's (t, b) phase diagram and its large-t limit.

Conventions: ``t`` multiplies the similarity, ``b`` is subtracted from the logit, the loss is
normalised by ``1/N``; ``x = delta^2`` parameterises the CCEM.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.precision.sigmoid_optimum import sigmoid_optimum
from clverify.numerics.precision.thresholds import antipodal_boundary_b, etf_boundary_b
from clverify.theory import derivation as D

from ..claims import compare_claim
from ..registry import Check, Inconclusive, Mutant, Theorem

N, t, b = D.N, D.t, D.b
#: Working precision (decimal digits) of the certified checks.
_DIGITS = 40
#: Distance in b from a boundary at which the regimes on either side are probed.
_PROBE = "0.001"
#: Large t for gradient descent (float64 losses underflow towards 0 well beyond them), and the
#: accepted range of the ratio of the distances to the limit at the two (1/2 for a 1/t rate).
_LARGE_T = (25.0, 50.0)
_HALVING = (0.4, 0.6)


# --- ext.sigmoid_phase_tb --------------------------------------------------------------------
# claim: (b_E(N, t), b_A(N, t)) closed forms; ETF iff b >= b_E, antipodal iff b <= b_A.

_PHASE_POINTS = tuple({"N": n, "t": tv} for n, tv in ((5, "1"), (10, "0.5"), (10, "5"), (57, "3"),
                                                      (1000, "20")))


def _phase_boundaries_certified(claim, point, evidence):
    """The claimed b_E, b_A lie in certified enclosures of the roots in b of the general
    conditions l'(1) = 0 and l'(0) = 0 (clverify.numerics.precision.thresholds)."""
    n, tv = point["N"], point["t"]
    for name, expr, boundary in (("b_E", claim[0], etf_boundary_b(n, tv, _DIGITS)),
                                 ("b_A", claim[1], antipodal_boundary_b(n, tv, _DIGITS))):
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
        b_e, b_a = (mpmath.mpf(str(sp.N(e.subs({N: n, t: sp.Rational(tv)}), _DIGITS))) for e in claim)
        probe = mpmath.mpf(_PROBE)
        cases = ((b_e + probe, "etf", True), (b_e - probe, "etf", False),
                 (b_a - probe, "antipodal", True), (b_a + probe, "antipodal", False))
        for bv, regime, expected in cases:
            found = sigmoid_optimum(n, tv, mpmath.nstr(bv, _DIGITS), digits=_DIGITS).regime
            if (found == regime) != expected:
                return (f"N={n}, t={tv}, b={mpmath.nstr(bv, 12)}: optimum is {found}; the claimed "
                        f"boundary puts it {'in' if expected else 'outside'} the {regime} regime")
    return None


PHASE_TB = Theorem(
    id="ext.sigmoid_phase_tb",
    source="this project (not in the paper): the (t, b) phase diagram",
    statement=r"\text{ETF} \iff b \ge b_E(N,t) = \log\frac{N-4+\sqrt{(N-4)^2+8(N-2)e^{tN/(N-1)}}}"
              r"{4e^{t/(N-1)}};\quad \text{antipodal} \iff b \le b_A(N,t) = \log\frac{N-2}{2} - t",
    hypotheses={"N": "integer >= 3", "t": "> 0", "d": ">= N"},
    claim=(sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t * N / (N - 1))))
                  / (4 * sp.exp(t / (N - 1)))),
           sp.log((N - 2) / 2) - t),
    checks=(
        Check("boundaries_certified_roots", "certified", _phase_boundaries_certified,
              points=_PHASE_POINTS),
        Check("regime_flips_across_boundary", "certified", _phase_regimes_flip_at_boundaries,
              points=_PHASE_POINTS[:3], thorough_points=_PHASE_POINTS[3:]),
    ),
    mutants=(
        Mutant("antipodal_log_N_minus_2", "log(N-2) - t is above the root of l'(0) = 0",
               (sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t * N / (N - 1))))
                       / (4 * sp.exp(t / (N - 1)))), sp.log(N - 2) - t)),
        Mutant("etf_without_tN_over_N_minus_1", "e^t for e^{tN/(N-1)} under the root moves b_E",
               (sp.log((N - 4 + sp.sqrt((N - 4) ** 2 + 8 * (N - 2) * sp.exp(t)))
                       / (4 * sp.exp(t / (N - 1)))), sp.log((N - 2) / 2) - t)),
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
        enc = sigmoid_optimum(n, tv, bv, digits=_DIGITS).x_enclosure
        if not enc.certified:
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
    source="this project (not in the paper): large-t limit at fixed b",
    statement=r"\lim_{t\to\infty} x^*(N, t, b) = \frac{2(N-1)}{3N-4}\ \text{for every } b, "
              r"\text{ i.e. } s_+ \to \frac{N}{3N-4} = -s_-",
    hypotheses={"N": "integer >= 3", "b": "real, fixed", "d": ">= N"},
    claim=2 * (N - 1) / (3 * N - 4),
    checks=(
        Check("limit_is_derived", "proof", _limit_derived),
        Check("certified_optimum_converges", "certified", _limit_certified,
              points=({"N": 10, "b": "1"}, {"N": 5, "b": "-2"}, {"N": 50, "b": "3"})),
        Check("gradient_descent_at_large_t", "empirical", _limit_by_gradient_descent,
              points=({"N": 10, "b": "1"},), thorough_points=({"N": 6, "b": "-1"}, {"N": 20, "b": "2"})),
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
        enc = sigmoid_optimum(n, tv, bv, digits=_DIGITS).x_enclosure
        if not enc.certified:
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
    source="this project (not in the paper): shape of x*(t) at fixed b",
    statement=r"N = 10,\ b = 1:\ x^*(t) \text{ rises and then falls as } t \text{ grows}",
    hypotheses={"N": "10", "b": "1", "t": "the grid 0.5, 1, 2, 5, 10, 100"},
    claim=("rises_then_falls", 10, "1", _WITNESS_GRID),
    checks=(Check("shape_on_certified_grid", "certified", _shape_on_certified_grid),),
    mutants=(
        Mutant("nondecreasing_at_fixed_b", "x*(t) falls from t = 5 to t = 100 at b = 1",
               ("nondecreasing", 10, "1", _WITNESS_GRID)),
    ),
)

THEOREMS = [PHASE_TB, FIXED_B_LIMIT, FIXED_B_NONMONOTONE]
