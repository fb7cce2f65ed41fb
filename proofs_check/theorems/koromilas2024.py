r"""Koromilas, Bouritsas, Giannakopoulos, Nicolaou, Panagakis (ICML 2024): InfoNCE to kernel losses.

The theorem texts could not be read: every entry is the statement as *reconstructed* in the
project's specification (``THEORY.md``, section 4; conventions in ``docs/losses.md``), and
says so in its source.  Conventions: batch of ``M``
pairs ``(u_i, v_i)`` on :math:`S^{d-1}`, ``tau`` divides, losses normalised by ``1/M``.

The checks are thin wrappers of :mod:`clverify.proofs_check.koromilas_checks` (``K``).  Gradient descent
(GD) never *proves* a minimiser; it refutes: a GD point below the claimed structure's loss is a
counterexample, a converged GD point at the claimed loss that is not the structure breaks
uniqueness, and a GD point stuck above the claimed loss (a local minimum) decides nothing,
so it raises :class:`~clverify.proofs_check.registry.Inconclusive`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from clverify.numerics.descent.metrics import similarity_mgf, wasserstein_uniformity
from clverify.proofs_check import koromilas_checks as K
from clverify.theory import minima
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import LOSSES
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import Grams
from clverify.theory.structures import Antipodal, SimplexETF

from ..registry import Check, Inconclusive, Mutant, Theorem

M, tau, gamma, t = minima.M, minima.tau, minima.gamma, minima.t
_SOURCE = "Koromilas et al. (ICML 2024), {} (reconstructed)"
#: Agreement (absolute) of a claimed value with a 40-digit evaluation.
_VALUE_TOL = mpmath.mpf(10) ** -25
#: A symbolic difference evaluated at a rational point is "non-zero" above this (30 digits).
_WITNESS_TOL = 1e-15
#: Restarts of GD for the InfoNCE family.
_RESTARTS = 3


def _num(value) -> float:
    """A point's value (int or decimal string) as a float."""
    return float(value)


def _exact(params: dict) -> dict:
    """A point's parameters as exact SymPy rationals (decimal strings stay exact)."""
    return {k: sp.Rational(str(v)) for k, v in params.items()}


def _params(point, names) -> dict:
    return {k: point[k] for k in names if k in point}


def _call(message: str | None) -> str | None:
    """A ``K`` verdict: ``None``, a failure, or Inconclusive for a :class:`K.Undecided` one."""
    if isinstance(message, K.Undecided):
        raise Inconclusive(message)
    return message


def _gd_against(shape, loss, point, params, evidence, restarts):
    """GD's best minimiser against the claimed ``shape``: below it refutes, at its loss but
    another shape refutes uniqueness, above it (a local minimum) is Inconclusive."""
    Md = (point["M"], point["d"])
    tag = f"{loss} ({', '.join(f'{k}={v}' for k, v in point.items() if k != 'loss')})"
    claimed = float(K.explicit_value(loss, *shape.vectors(), _exact(params)))
    r = K.gd_minimum(loss, *Md, {k: _num(v) for k, v in params.items()},
                     seed=point.get("seed", 0), restarts=restarts)
    tol = K.GD_VALUE_RTOL * max(abs(claimed), K.GD_VALUE_FLOOR)
    evidence.update(gd_loss=r.loss, claimed_structure_loss=claimed, grad_norm=r.grad_norm)
    if r.loss < claimed - tol:
        return f"{tag}: GD reaches loss {r.loss:.15g} < {claimed:.15g}, the loss on {shape!r}"
    if not r.converged or r.loss > claimed + tol:
        raise Inconclusive(f"{tag}: GD stopped at loss {r.loss:.15g} above {claimed:.15g} "
                           f"(converged={r.converged}, {restarts} restarts): a local minimum")
    ok, reason = shape.check(r.U, r.V, K.STRUCTURE_TOL)
    return None if ok else f"{tag}: GD minimiser at the claimed loss is not {shape!r}: {reason}"


def _rational_sphere(m: int, shift: int = 0) -> sp.Matrix:
    """``m`` distinct exact rational points of :math:`S^2` (inverse stereographic projection)."""
    rows = []
    for k in range(m):
        a, b = sp.Rational(k + 1 + shift, 3), sp.Rational(2 * k - 1 - shift, 5)
        q = a**2 + b**2
        rows.append([2 * a / (q + 1), 2 * b / (q + 1), (q - 1) / (q + 1)])
    return sp.Matrix(rows)


# --- Theorem 4.1 -----------------------------------------------------------------------------

class Minimiser(NamedTuple):
    """The claimed minimiser ``structure(M, d)``, for batch sizes ``1 < M <= max_M(d)``."""

    structure: Callable[[int, int], Any]
    max_M: Callable[[int], int]


def _shape(claim: Minimiser, point):
    """The claimed structure at ``point``, ``None`` outside the claim's scope, or a message."""
    if point["M"] > claim.max_M(point["d"]):
        return None
    try:
        return claim.structure(point["M"], point["d"])
    except InvalidParameterError as exc:
        return f"the claimed minimiser does not exist at M={point['M']}, d={point['d']}: {exc}"


def _thm4_1_gd(claim, point, evidence):
    """GD on free ``(U, V)`` (Riemannian L-BFGS, float64) finds the claimed structure."""
    shape = _shape(claim, point)
    evidence["in_scope"] = shape is not None
    if shape is None or isinstance(shape, str):
        return shape
    return _gd_against(shape, point["loss"], point, {"tau": point["tau"]}, evidence, _RESTARTS)


def _thm4_1_ccem(claim, point, evidence):
    """No member of the CCEM(delta) family (which fits in d >= M) is below the claimed
    structure (40-digit values; the family's optimum from ``K.ccem_optimum``)."""
    shape = _shape(claim, point)
    if shape is None or isinstance(shape, str):
        return shape
    loss, params = point["loss"], _exact({"tau": point["tau"]})
    value = K.explicit_value(loss, *shape.vectors(), params)
    delta_star, best = K.ccem_optimum(loss, point["M"], params, digits=K.EXACT_DIGITS)
    evidence.update(delta_star=float(delta_star), structure_minus_ccem=float(value - best))
    if value - best > _VALUE_TOL:  # (a difference: mpf sums round to the working precision)
        return (f"{loss} (M={point['M']}, tau={point['tau']}): CCEM(delta={mpmath.nstr(delta_star, 6)}) "
                f"has loss {mpmath.nstr(best, 15)} < {mpmath.nstr(value, 15)} on {shape!r}")
    return None


_THM41_GD_POINTS = (
    {"loss": "ntxent", "M": 4, "d": 2, "tau": "0.5"},   # M = d + 2: outside the claim (a vacuous pass)
    *({"loss": loss, "M": 4, "d": 3, "tau": "0.5"} for loss in K.THM4_1_LOSSES),
    {"loss": "dhel", "M": 2, "d": 2, "tau": "0.3"}, {"loss": "infonce", "M": 3, "d": 4, "tau": "0.2"},
    {"loss": "dcl", "M": 5, "d": 4, "tau": "2"},
)

THM4_1 = Theorem(
    id="koromilas2024.thm4_1",
    source=_SOURCE.format("Theorem 4.1"),
    statement=r"1 < M \le d + 1,\ \tau > 0,\ L \in \{\mathrm{InfoNCE}, \mathrm{InfoNCE_{sym}}, "
              r"\mathrm{NT\text{-}Xent}, \mathrm{DCL}, \mathrm{DHEL}\}:\ (U, V) \in \arg\min L "
              r"\iff u_i = v_i = w_i,\ \{w_i\} \text{ a centred simplex ETF}",
    hypotheses={"M": "integer, 1 < M <= d + 1", "d": "integer >= 1", "tau": "> 0",
                "loss": ", ".join(K.THM4_1_LOSSES)},
    claim=Minimiser(SimplexETF, lambda d: d + 1),
    checks=(
        Check("gd_minimiser_is_the_structure", "empirical", _thm4_1_gd, points=_THM41_GD_POINTS,
              thorough_points=tuple({"loss": loss, "M": m, "d": d, "tau": tau_}
                                    for loss in K.THM4_1_LOSSES for m, d in ((3, 2), (6, 5), (6, 8))
                                    for tau_ in ("0.2", "1", "3"))),
        Check("no_ccem_member_is_lower", "certified", _thm4_1_ccem,
              points=tuple({"loss": loss, "M": 4, "d": 4, "tau": "0.5"} for loss in K.THM4_1_LOSSES),
              thorough_points=tuple({"loss": loss, "M": m, "d": m, "tau": tau_} for loss in K.THM4_1_LOSSES
                                    for m in (3, 10) for tau_ in ("0.2", "3"))),
    ),
    mutants=(
        Mutant("antipodal_views", "v_i = -u_i maximises the alignment term; GD goes far below it",
               Minimiser(Antipodal, lambda d: d + 1)),
        Mutant("scope_M_le_d_plus_2", "M = d + 2 points cannot form a centred simplex in R^d",
               Minimiser(SimplexETF, lambda d: d + 2)),
    ),
)


# --- Minimal values --------------------------------------------------------------------------
# claim: loss -> closed form (in clverify.theory.minima's M, tau), written by hand from s_+ = 1,
# s_- = -1/(M-1) in every Gram matrix.

_E = sp.exp(-M / (tau * (M - 1)))
_MIN_VALUES = {
    "infonce": sp.log(1 + (M - 1) * _E),
    "infonce-sym": 2 * sp.log(1 + (M - 1) * _E),   # both directions summed (clverify.theory.losses)
    "ntxent": sp.log(1 + 2 * (M - 1) * _E),
    "dcl": -1 / tau + sp.log(2 * (M - 1)) - 1 / (tau * (M - 1)),
    "dhel": -1 / tau + 2 * sp.log(M - 1) - 2 / (tau * (M - 1)),
    "dhel-1view": -1 / tau + sp.log(M - 1) - 1 / (tau * (M - 1)),
}


def _exponents_together(expr):
    return expr.replace(lambda e: isinstance(e, sp.exp), lambda e: sp.exp(sp.factor(sp.together(e.args[0]))))


def _zero(expr, at: dict) -> bool:
    """Whether the real ``expr`` is zero: ``False`` when its value at the rational point ``at``
    (30 digits) is not, ``True`` when SymPy simplifies ``exp(expr)`` to 1 (exponents put over
    one denominator); Inconclusive when neither decides."""
    value = sp.N(sp.sympify(expr).subs(at), 30)
    if abs(value) > _WITNESS_TOL:
        return False
    if sp.simplify(_exponents_together(sp.simplify(_exponents_together(sp.exp(expr))))) == 1:
        return True
    raise Inconclusive(f"cannot prove that {expr} is zero (|value| = {value} at {at})")


_AT = {M: 7, tau: sp.Rational(3, 7), gamma: sp.Rational(5, 2), t: sp.Rational(3, 4)}


def _min_value_derived(claim, point, evidence):
    """The claimed closed form equals the loss SymPy derives on a symbolic-``M`` simplex."""
    loss = point["loss"]
    derived = minima.minimum_value(loss)
    evidence["derived"] = str(derived)
    return None if _zero(claim[loss] - derived, _AT) else (
        f"{loss}: claimed minimum {claim[loss]}, derived value on the simplex {derived}")


def _claimed_vs_explicit(value_expr, loss, M_value, shape, params, evidence, tag):
    """The claimed closed form at ``params`` against the loss on ``shape``'s exact vectors
    (40 digits): None if they agree to :data:`_VALUE_TOL`, else the counterexample."""
    params = _exact(params)
    value = K.claimed_value_at(value_expr, loss, M_value, params)
    exact = K.explicit_value(loss, *shape.vectors(), params)
    evidence["claimed_minus_explicit"] = float(value - exact)
    if abs(value - exact) > _VALUE_TOL:
        return (f"{tag}: claimed {mpmath.nstr(value, 20)}, the loss on exact {shape!r} vectors "
                f"is {mpmath.nstr(exact, 20)}")
    return None


def _min_value_explicit(claim, point, evidence):
    """The closed form at ``(M, tau)`` equals the loss on exact simplex vectors (40 digits)."""
    loss = point["loss"]
    return _claimed_vs_explicit(claim[loss], loss, point["M"], SimplexETF(point["M"], point["d"]),
                                {"tau": point["tau"]}, evidence,
                                f"{loss} (M={point['M']}, tau={point['tau']})")


def _min_value_gd(claim, point, evidence):
    """GD reaches the claimed minimum and never goes below it (above it: Inconclusive)."""
    loss, params = point["loss"], {"tau": _num(point["tau"])}
    value = float(K.claimed_value_at(claim[loss], loss, point["M"], params))
    r = K.gd_minimum(loss, point["M"], point["d"], params, restarts=_RESTARTS)
    tol = K.GD_VALUE_RTOL * max(abs(value), K.GD_VALUE_FLOOR)
    evidence.update(gd_loss=r.loss, gd_minus_claimed=r.loss - value)
    if r.loss < value - tol:
        return (f"{loss} (M={point['M']}, d={point['d']}): GD reaches {r.loss:.15g} below the claimed "
                f"minimum {value:.15g}")
    if not r.converged or r.loss > value + tol:
        raise Inconclusive(f"{loss}: GD stopped at {r.loss:.15g} above the claimed minimum {value:.15g}")
    return None


def _wrong(loss, value):
    return {**_MIN_VALUES, loss: value}


MIN_VALUES = Theorem(
    id="koromilas2024.min_values",
    source=_SOURCE.format("minimal values after Theorem 4.1"),
    statement=r"1 < M \le d + 1:\ \min L_{\mathrm{InfoNCE}} = \tfrac12 \min L_{\mathrm{InfoNCE_{sym}}} "
              r"= \log\big(1 + (M-1)e^{-M/(\tau(M-1))}\big),\ "
              r"\min L_{\mathrm{NT\text{-}Xent}} = \log\big(1 + 2(M-1)e^{-M/(\tau(M-1))}\big),\ "
              r"\min L_{\mathrm{DCL}} = -\tfrac1\tau + \log 2(M-1) - \tfrac{1}{\tau(M-1)},\ "
              r"\min L_{\mathrm{DHEL}} = -\tfrac1\tau + 2\log(M-1) - \tfrac{2}{\tau(M-1)}",
    hypotheses={"M": "integer, 1 < M <= d + 1", "tau": "> 0", "loss": ", ".join(_MIN_VALUES)},
    claim=_MIN_VALUES,
    checks=(
        Check("equals_derived_simplex_value", "proof", _min_value_derived,
              points=tuple({"loss": loss} for loss in _MIN_VALUES)),
        Check("equals_loss_on_exact_simplex_vectors", "certified", _min_value_explicit,
              points=tuple({"loss": loss, "M": 4, "d": 3, "tau": "0.3"} for loss in _MIN_VALUES),
              thorough_points=tuple({"loss": loss, "M": m, "d": m - 1, "tau": tau_} for loss in _MIN_VALUES
                                    for m in (2, 7) for tau_ in ("0.2", "5"))),
        Check("gd_reaches_and_never_beats_it", "empirical", _min_value_gd,
              points=tuple({"loss": loss, "M": 4, "d": 3, "tau": "0.3"} for loss in _MIN_VALUES),
              thorough_points=tuple({"loss": loss, "M": m, "d": d, "tau": "1"} for loss in _MIN_VALUES
                                    for m, d in ((3, 2), (6, 5), (8, 10)))),
    ),
    mutants=(
        Mutant("dhel_log_M", "log M for log(M - 1): the DHEL denominator has M - 1 terms",
               _wrong("dhel", -1 / tau + 2 * sp.log(M) - 2 / (tau * (M - 1)))),
        Mutant("dcl_keeps_the_positive", "that is NT-Xent's value; DCL drops e^{1/tau} from the denominator",
               _wrong("dcl", _MIN_VALUES["ntxent"])),
        Mutant("ntxent_cross_view_only", "NT-Xent also has M - 1 within-view negatives per anchor",
               _wrong("ntxent", _MIN_VALUES["infonce"])),
    ),
)


# --- Decoupling ------------------------------------------------------------------------------
# claim: V as a function of U at the minimiser (numpy arrays; the statement: V = U).

def _align_energy(loss: str, U: sp.Matrix):
    """``(A, c, E(U))``: alignment optimum, energy weight, within-view energy (exact SymPy)."""
    S, m = U * U.T, U.rows
    if loss.startswith("dhel"):
        E = sum(sp.log(sum(sp.exp(S[i, j] / tau) for j in range(m) if j != i)) for i in range(m)) / m
        return -1 / tau, (2 if loss == "dhel" else 1), E
    E = sum(sp.exp(-t * (2 - 2 * S[i, j])) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    return -2, 2 * gamma, E


def _decoupling_symbolic(claim, point, evidence):
    """On exact rational unit vectors U, the claimed pair (U, claimed_v(U)) attains A + c E(U)
    identically in the parameters: the equality case of L(U, V) = alignment + energies >= A + ...,
    which with U an energy minimiser gives the decoupled minimum."""
    loss, U = point["loss"], _rational_sphere(point["M"])
    V = sp.Matrix(np.asarray(claim(np.array(U.tolist(), dtype=object))).tolist())
    value = LOSSES[loss](Grams.of_vectors(U, V), SYMPY_OPS, **minima.parameter_symbols(loss))
    A, c, E = _align_energy(loss, U)
    if _zero(value - (A + c * E), _AT):
        return None
    gap = sp.N((value - A - c * E).subs(_AT), 15)
    return f"{loss} (M={point['M']}): L(U, claimed_v(U)) - (A + c E(U)) = {gap} != 0 at {_AT}"


def _decoupling_gd(claim, point, evidence):
    """``K.decoupling``: energy minimiser + claimed V attain the decoupled value, GD on the full
    loss finds nothing lower and its minimiser has V = claimed_v(U)."""
    names = ("tau",) if point["loss"].startswith("dhel") else ("gamma", "t")
    params = {k: _num(v) for k, v in _params(point, names).items()}
    return _call(K.decoupling(point["loss"], point["M"], point["d"], params, claimed_v=claim))


def _identity(U):
    return U


def _negated(U):
    return -U


def _reversed_pairs(U):
    return U[::-1].copy()


DECOUPLING = Theorem(
    id="koromilas2024.decoupling",
    source="derived consequence of Koromilas et al. (ICML 2024), Section 4 (reconstructed)",
    statement=r"\min_{U,V} L = A + c \min_U E(U) \text{ attained at } V = U,\ "
              r"L_{\mathrm{DHEL}}: A = -\tfrac1\tau,\ c = 2;\ L_{\mathrm{KCL}}: A = -2K(1),\ c = 2\gamma",
    hypotheses={"M, d": "any (beyond M <= d + 1 too)", "loss": "dhel, dhel-1view (c = 1), kcl"},
    claim=_identity,
    checks=(
        Check("claimed_pair_attains_alignment_plus_energy", "proof", _decoupling_symbolic,
              points=({"loss": "dhel", "M": 5}, {"loss": "dhel-1view", "M": 4}, {"loss": "kcl", "M": 5})),
        Check("gd_minimiser_decouples", "empirical", _decoupling_gd,
              points=({"loss": "dhel", "M": 6, "d": 3, "tau": "0.3"},
                      {"loss": "dhel-1view", "M": 6, "d": 3, "tau": "0.3"},
                      {"loss": "kcl", "M": 6, "d": 3, "gamma": 16, "t": 2}),
              thorough_points=({"loss": "dhel", "M": 8, "d": 3, "tau": "1"},
                               {"loss": "kcl", "M": 8, "d": 3, "gamma": 16, "t": 2})),
    ),
    mutants=(
        Mutant("antialigned_views", "V = -U pays 2/tau in alignment", _negated),
        Mutant("reversed_pairs", "pairing u_i with u_{M-1-i} loses the alignment optimum", _reversed_pairs),
    ),
)


# --- Density of u.v for uniform points --------------------------------------------------------

s_, n_ = sp.Symbol("s", real=True), sp.Symbol("n", integer=True, positive=True)


class Density(NamedTuple):
    """The claimed density ``pdf(s, n)`` of u.v on :math:`S^{n-1}` and its ``variance(n)`` (SymPy)."""

    pdf: Any
    variance: Any


def _density_symbolic(claim, point, evidence):
    """Mass 1, mean 0, variance ``claim.variance`` for a symbolic ``n >= 2`` (SymPy integrals)."""
    m = sp.Symbol("m", integer=True, nonnegative=True)   # n = m + 2 >= 2
    for k, want in enumerate((1, 0, claim.variance.subs(n_, m + 2))):
        got = sp.simplify(sp.integrate(s_**k * claim.pdf.subs(n_, m + 2), (s_, -1, 1)))
        evidence[f"moment_{k}"] = str(got)
        if sp.simplify(got - want) != 0:
            return f"moment {k} of the claimed density is {got}, claimed {want} (n = m + 2)"
    return None


def _density_quadrature(claim, point, evidence):
    """``K.density``: tanh-sinh quadrature at 60 digits of the claimed pdf and variance at ``n``."""
    pdf = sp.lambdify((s_, n_), claim.pdf, "mpmath")
    variance = sp.lambdify(n_, claim.variance, "mpmath")
    return K.density(point["n"], pdf=lambda s, n: pdf(s, mpmath.mpf(n)),
                     claimed_variance=lambda n: variance(mpmath.mpf(n)))


#: Samples of u.v, the probability bound of the Dvoretzky-Kiefer-Wolfowitz band, and the
#: z-score beyond which the sample second moment contradicts the claimed variance.
_SAMPLES, _DKW_ALPHA, _Z_MAX = 200_000, 1e-9, 6.0


def _density_sampled(claim, point, evidence):
    """Seeded samples of u.v (= z_1/|z| for Gaussian z in R^n): the second moment matches the
    claimed variance (z-score), the empirical CDF lies in the DKW band around the claimed CDF."""
    n = point["n"]
    rng = np.random.default_rng(point["seed"])
    z, chi2 = rng.standard_normal(_SAMPLES), rng.chisquare(n - 1, _SAMPLES)
    s = np.sort(z / np.sqrt(z**2 + chi2))
    variance = float(claim.variance.subs(n_, n))
    zscore = (np.mean(s**2) - variance) / (np.std(s**2) / math.sqrt(_SAMPLES))
    pdf = sp.lambdify(s_, claim.pdf.subs(n_, n), "numpy")
    grid = np.linspace(-0.9, 0.9, 19)
    cdf = np.array([integrate.quad(pdf, -1, x)[0] for x in grid])
    band = math.sqrt(math.log(2 / _DKW_ALPHA) / (2 * _SAMPLES))
    gap = float(np.max(np.abs(np.searchsorted(s, grid) / _SAMPLES - cdf)))
    evidence.update(variance_zscore=float(zscore), max_cdf_gap=gap, dkw_band=band)
    if abs(zscore) > _Z_MAX:
        return (f"n={n}: sample E s^2 = {np.mean(s**2):.6g}, claimed variance {variance:.6g} "
                f"(z = {zscore:.1f})")
    if gap > band:
        return f"n={n}: empirical CDF differs from the claimed one by {gap:.4g} > DKW band {band:.4g}"
    return None


def _pdf(exponent):
    r""":math:`\Gamma(n/2)/(\sqrt\pi\,\Gamma((n-1)/2))\,(1 - s^2)^{\mathrm{exponent}}`."""
    return sp.gamma(n_ / 2) / (sp.sqrt(sp.pi) * sp.gamma((n_ - 1) / 2)) * (1 - s_**2) ** exponent


_PDF = _pdf((n_ - 3) / 2)

DENSITY = Theorem(
    id="koromilas2024.density",
    source=_SOURCE.format("similarity density of the Wasserstein uniformity metric"),
    statement=r"u, v \sim \mathrm{Unif}(S^{n-1}):\ p(s) = \frac{\Gamma(n/2)}{\sqrt\pi\,\Gamma((n-1)/2)}"
              r"(1-s^2)^{(n-3)/2},\ \int p = 1,\ \mathbb E s = 0,\ \mathrm{Var}\, s = \tfrac1n",
    hypotheses={"n": "integer >= 2"},
    claim=Density(_PDF, 1 / n_),
    checks=(
        Check("moments_for_symbolic_n", "proof", _density_symbolic),
        Check("moments_by_quadrature", "certified", _density_quadrature,
              points=tuple({"n": n} for n in (2, 3, 7, 128))),
        Check("samples_match_density", "empirical", _density_sampled,
              points=tuple({"n": n, "seed": 0} for n in (3, 5, 16)),
              thorough_points=tuple({"n": n, "seed": 1} for n in (2, 4, 64))),
    ),
    mutants=(
        Mutant("variance_one_over_n_minus_1", "E s^2 = 1/n by symmetry: sum_k E x_k^2 = 1",
               Density(_PDF, 1 / (n_ - 1))),
        Mutant("exponent_n_minus_2", "S^n's exponent (n-2)/2 with S^{n-1}'s normaliser: the mass is not 1",
               Density(_pdf((n_ - 2) / 2), 1 / n_)),
    ),
)


# --- Asymptotics (exploratory) ---------------------------------------------------------------

def _asymptotic_trend(claim, point, evidence):
    """GD minima of InfoNCE minus log M for M = 4, 8, ..., M_max against the limit
    -1/tau + log E e^{s/tau} (perfect alignment, uniform measure; ``claim`` overrides it), with
    the W1 uniformity of each minimiser; ``K.asymptotic_uniform``'s trend criterion (one GD pass)."""
    d, tau_, sizes = point["d"], _num(point["tau"]), tuple(range(4, point["M_max"] + 1, 4))
    limit = -1 / tau_ + float(mpmath.log(similarity_mgf(1 / tau_, d))) if claim is None else claim
    gaps = []
    for m in sizes:
        r = K.gd_minimum("infonce", m, d, {"tau": tau_}, restarts=2)
        gaps.append(abs(r.loss - math.log(m) - limit))
        evidence[f"gap[M={m}]"] = gaps[-1]
        evidence[f"W1[M={m}]"] = wasserstein_uniformity(r.U)
    evidence["limit"] = limit
    if any(b >= a for a, b in zip(gaps, gaps[1:])) or gaps[-1] > K.TREND_RATIO * gaps[0]:
        return f"infonce (d={d}, tau={tau_:g}): no trend to {limit:.12g}: gaps {[f'{g:.3g}' for g in gaps]}"
    return None


ASYMPTOTIC_UNIFORM = Theorem(
    id="koromilas2024.asymptotic_uniform",
    source=_SOURCE.format("asymptotic InfoNCE"),
    statement=r"\min L_{\mathrm{InfoNCE}} - \log M \to -\tfrac1\tau + \log \mathbb E\, e^{s/\tau} "
              r"\text{ (perfect alignment, uniform measure) as } M \to \infty",
    hypotheses={"d": "integer >= 2", "tau": "> 0"},
    claim=None,
    checks=(Check("gap_to_limit_shrinks", "empirical", _asymptotic_trend,
                  points=({"d": 3, "tau": "1", "M_max": 8},),
                  thorough_points=({"d": 3, "tau": "1", "M_max": 16}, {"d": 4, "tau": "0.5", "M_max": 16})),),
    kind="exploratory",
)

THEOREMS = [THM4_1, MIN_VALUES, DECOUPLING, DENSITY, ASYMPTOTIC_UNIFORM]
