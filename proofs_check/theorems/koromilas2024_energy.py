r"""Koromilas et al. (ICML 2024): the decoupling of DHEL and KCL into alignment and a
within-view energy, the density of u.v for uniform points on the sphere, and the asymptotic
(M -> infinity) InfoNCE limit.

Reconstructed statements, as in :mod:`clverify.proofs_check.theorems.koromilas2024` (which holds the
shared helpers and the conventions: ``M`` pairs on :math:`S^{d-1}`, losses normalised by ``1/M``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from clverify.numerics.descent.metrics import similarity_mgf, wasserstein_uniformity
from clverify.proofs_check import koromilas_checks as K
from clverify.proofs_check import koromilas_proofs as P
from clverify.theory import minima
from clverify.theory.losses import LOSSES, dhel_energy, kcl_energy
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.structures import SimplexETF

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from .koromilas2024 import _SOURCE, _call, _exact, _num, _params, _rational_sphere, gamma, tau

# --- Decoupling ------------------------------------------------------------------------------
# claim values: "pair" (V as a function of U at a minimiser; the statement: V = U), and per
# loss the alignment optimum A and the energy weight c of  min L = A + c min_U E(U).

_s = sp.Symbol("s", real=True)


def _energy(loss: str, S, params):
    """The library's within-view energy of ``loss`` (DHEL's log-sum-exp, KCL's kernel mean)."""
    if loss.startswith("dhel"):
        return dhel_energy(S, SYMPY_OPS, tau=params["tau"])
    return kcl_energy(S, SYMPY_OPS, t=params["t"])


def _alignment(loss: str, claim, params):
    r"""``(a, views)``: the alignment :math:`a(s)` with :math:`L = \frac1M\sum_i a(u_i\cdot v_i) +
    \frac{c}{k}\sum_{\text{views}} E`, ``k`` the number of views whose energy ``L`` contains, for
    generic similarities of 3 pairs; a message if ``L`` minus the claimed energy term still
    depends on within-view similarities (``c`` is wrong)."""
    grams = P.generic_grams(3)
    value = LOSSES[loss](grams, SYMPY_OPS, **params)
    views = [g for g in (grams.uu, grams.vv) if value.has(*g.matrix.free_symbols)]
    rest = sp.expand(value - claim.weight[loss] / len(views) * sum(_energy(loss, g, params) for g in views))
    diagonal = [grams.uv.matrix[i, i] for i in range(3)]
    if not rest.free_symbols <= set(diagonal) | set(params.values()):
        return None, (f"{loss}: L - c/{len(views)} (sum of the view energies), c = {claim.weight[loss]}, "
                      f"still depends on within-view similarities: L is not alignment + c E")
    a = rest.subs({x: _s for x in diagonal})
    if sp.simplify(rest - sum(a.subs(_s, x) for x in diagonal) / 3) != 0:
        raise Inconclusive(f"{loss}: the alignment term is not a mean over the pairs")
    return a, views


def _decoupling_witness(loss, claim, a, params):
    """Read the claim's parameter hypotheses: where one admits a value outside ``(0, oo)``, an
    exact refutation (``(U, -U)`` beats ``(U, U)``, or a negative weight rewards the collapse),
    else Inconclusive; None if none does."""
    for name in LOSSES[loss].parameters:
        witness = P.outside(claim.hypotheses[name], getattr(H, name))
        if witness is None:
            continue
        at = {params[name]: witness, **{params[k]: 1 for k in params if k != name}}
        if sp.N((a.subs(_s, -1) - a.subs(_s, 1)).subs(at), 30) < -P.WITNESS_TOL:
            return (f"{loss}, {name} = {witness} (admitted by {claim.hypotheses[name]}): the alignment "
                    f"a(-1) < a(1), so (U, -U) has a lower loss than (U, U) for every U")
        collapse, spread = (_energy(loss, g.uu, params).subs(at) for g in
                            (P.challengers(3)["aligned collapse"], SimplexETF(3).grams()))
        if sp.N(claim.weight[loss].subs(at) * (collapse - spread), 30) < -P.WITNESS_TOL:
            return (f"{loss}, {name} = {witness} (admitted by {claim.hypotheses[name]}): the weight "
                    f"c = {claim.weight[loss].subs(at)} < 0 rewards energy: the collapsed pair "
                    f"(U = V = e) is below A + c E(simplex) >= A + c min E")
        raise Inconclusive(f"{loss}: the argument needs {name} > 0; the claim admits {name} = {witness}")
    return None


def _decoupling_symbolic(claim, point, evidence):
    r"""The argument of the decoupling, machine-checked: on generic similarities of 3 pairs
    ``L`` is :math:`\frac1M\sum a(s_i)` plus the claimed weight times the library's energies;
    ``a`` strictly decreases on [-1, 1] (parameters > 0) with :math:`a(1) = A`; the claimed
    pair ``(U, pair(U))`` of exact rational points has :math:`u_i\cdot v_i = 1` and the same
    within-view Gram (so the same energy).  Hand: the split holds for every M (definitions
    uniform in M), and min of a sum of independent terms."""
    loss = point["loss"]
    params = minima.parameter_symbols(loss)
    a, views = _alignment(loss, claim, params)
    if a is None:
        return views
    refuted = _decoupling_witness(loss, claim, a, params)
    if refuted:
        return refuted
    if not (sp.diff(a, _s).is_negative and sp.sympify(claim.weight[loss]).is_positive):
        raise Inconclusive(f"{loss}: a'(s) < 0 and c > 0 are not shown")
    evidence.update(alignment=str(a), views=len(views))
    if not P.is_zero(a.subs(_s, 1) - claim.alignment[loss]):
        return f"{loss}: the alignment optimum a(1) is {sp.simplify(a.subs(_s, 1))}, claimed A = {claim.alignment[loss]}"
    U = _rational_sphere(point["M"])
    V = sp.Matrix(np.asarray(claim.pair(np.array(U.tolist(), dtype=object))).tolist())
    aligned = [sp.simplify((U * V.T)[i, i]) for i in range(U.rows)]
    if any(s != 1 for s in aligned):
        return (f"{loss} (M={point['M']}): the claimed pair has u_i.v_i = {aligned}, not all 1: "
                f"a(s) > a(1) = A, so it does not attain A + c min E")
    if sp.simplify(V * V.T - U * U.T) != sp.zeros(U.rows, U.rows):
        raise Inconclusive(f"{loss}: the claimed pair's within-view Gram differs from U's")
    return None


def _decoupling_gd(claim, point, evidence):
    """``K.decoupling`` with the claim's ``A``, ``c`` and pair: energy minimiser + claimed V
    attain A + c E, GD on the full loss finds nothing lower and its minimiser has
    V = pair(U)."""
    loss = point["loss"]
    names = ("tau",) if loss.startswith("dhel") else ("gamma", "t")
    exact = _exact(_params(point, names))
    at = {minima.parameter_symbols(loss)[k]: v for k, v in exact.items()}
    return _call(K.decoupling(loss, point["M"], point["d"], {k: float(v) for k, v in exact.items()},
                              claimed_v=claim.pair, alignment=float(sp.sympify(claim.alignment[loss]).subs(at)),
                              weight=float(sp.sympify(claim.weight[loss]).subs(at))))


def _identity(U):
    return U


def _negated(U):
    return -U


def _reversed_pairs(U):
    return U[::-1].copy()


_DECOUPLING_CLAIM = Claim(
    {"pair": _identity, "alignment": {"dhel": -1 / tau, "dhel-1view": -1 / tau, "kcl": sp.Integer(-2)},
     "weight": {"dhel": sp.Integer(2), "dhel-1view": sp.Integer(1), "kcl": 2 * gamma}},
    {"tau": H.tau > 0, "gamma": H.gamma > 0, "t": H.t > 0, "batch": "any M >= 2 pairs, any d >= 1"})

DECOUPLING = Theorem(
    id="koromilas2024.decoupling",
    source="derived consequence of Koromilas et al. (ICML 2024), Section 4 (reconstructed)",
    statement=r"\text{any } M, d:\ \min_{U,V} L = A + c \min_U E(U) \text{ attained exactly at } V = U,\ "
              r"U \in \arg\min E;\ L_{\mathrm{DHEL}}: A = -\tfrac1\tau,\ c = 2 \text{ (one view: } c = 1);\ "
              r"L_{\mathrm{KCL}}: A = -2K(0) = -2,\ c = 2\gamma",
    parts=(Part("value", r"\min_{U,V} L = A + c \min_U E(U)"),
           Part("minimiser", r"(U, V) \in \arg\min L \iff V = U \in \arg\min E")),
    claim=_DECOUPLING_CLAIM,
    checks=(
        Check("splits_into_alignment_and_energy", "proof", _decoupling_symbolic, parts=("value", "minimiser"),
              points=({"loss": "dhel", "M": 5}, {"loss": "dhel-1view", "M": 4}, {"loss": "kcl", "M": 5}),
              scope="dhel, dhel-1view, kcl, every tau, gamma, t > 0: the split on generic similarities "
                    "(M = 3), the alignment's sign and optimum (symbolic), the claimed pair on exact "
                    "rational U (M = 5, 4, 5); hand-argued: the split for every M (definitions uniform "
                    "in M) and the minimum of a sum of independent terms"),
        Check("gd_minimiser_decouples", "empirical", _decoupling_gd, parts=("value", "minimiser"),
              points=({"loss": "dhel", "M": 6, "d": 3, "tau": "0.3"},
                      {"loss": "dhel-1view", "M": 6, "d": 3, "tau": "0.3"},
                      {"loss": "kcl", "M": 6, "d": 3, "gamma": 16, "t": 2}),
              thorough_points=({"loss": "dhel", "M": 8, "d": 3, "tau": "1"},
                               {"loss": "kcl", "M": 8, "d": 3, "gamma": 16, "t": 2}),
              scope="(dhel, dhel-1view) at M = 6, d = 3, tau = 0.3 and kcl at M = 6, d = 3, gamma = 16, "
                    "t = 2: GD on the energy and on the full loss, 5 seeded restarts"),
    ),
    mutants=(
        Mutant("antialigned_views", "V = -U pays 2/tau in alignment", _DECOUPLING_CLAIM.vary(pair=_negated)),
        Mutant("reversed_pairs", "pairing u_i with u_{M-1-i} loses the alignment optimum",
               _DECOUPLING_CLAIM.vary(pair=_reversed_pairs)),
        Mutant("dhel_weight_one", "DHEL has the energies of both views: c = 2",
               _DECOUPLING_CLAIM.vary(weight={**_DECOUPLING_CLAIM.weight, "dhel": sp.Integer(1)})),
        Mutant("kcl_alignment_minus_one", "the KCL alignment is 2 mean K(u_i, v_i): A = -2",
               _DECOUPLING_CLAIM.vary(alignment={**_DECOUPLING_CLAIM.alignment, "kcl": sp.Integer(-1)})),
        Mutant("tau_nonzero", "with tau < 0 the alignment -s/tau rewards V = -U",
               _DECOUPLING_CLAIM.vary(tau=sp.Ne(H.tau, 0))),
    ),
)


# --- Density of u.v for uniform points --------------------------------------------------------
# claim values: the density "pdf" of u.v on S^{n-1} (in s, n) and its "variance" (in n).

s_, n_ = sp.Symbol("s", real=True), sp.Symbol("n", integer=True, positive=True)
_m2 = sp.Symbol("m", integer=True, nonnegative=True)


def _smallest_n(claim) -> int:
    """The smallest ``n`` in 0..9 that the claim's hypothesis admits."""
    n = next((k for k in range(10) if claim.admits("n", n=k)), None)
    if n is None:
        raise Inconclusive(f"the claim's hypothesis {claim.n} admits no n < 10")
    return n


@lru_cache(maxsize=None)
def _moment(pdf, k: int, n0: int):
    """The k-th moment of ``pdf`` over [-1, 1] for ``n = m + n0`` (SymPy)."""
    return sp.simplify(sp.integrate(s_**k * pdf.subs(n_, _m2 + n0), (s_, -1, 1)))


def _density_beta(claim, point, evidence):
    r"""The claimed pdf is the density of :math:`s` derived from :math:`s^2 \sim
    \mathrm{Beta}(\tfrac12, \tfrac{n-1}2)` with a symmetric sign,
    :math:`p(s) = f_{s^2}(s^2)\,|ds^2/ds|/2` (SymPy, symbolic ``n`` from the smallest admitted
    ``n`` on, whose Beta parameters must be positive).  Hand: :math:`u\cdot v` is distributed
    as :math:`z_1/|z|` for Gaussian :math:`z \in \mathbb R^n`, so
    :math:`s^2 = \chi^2_1/(\chi^2_1 + \chi^2_{n-1})`."""
    n0, s = _smallest_n(claim), sp.Symbol("s", positive=True)
    a, b = sp.Rational(1, 2), (n_ - 1) / 2
    if not b.subs(n_, n0) > 0:
        return (f"n = {n0} is admitted, where s^2 ~ Beta(1/2, {b.subs(n_, n0)}) is degenerate (s^2 = 1): "
                f"u.v takes the values -1 and 1 only and has no density")
    beta_density = s ** (2 * (a - 1)) * (1 - s**2) ** (b - 1) / sp.beta(a, b)
    gap = (beta_density * sp.diff(s**2, s) / 2 - claim.pdf.subs(s_, s)).subs(n_, _m2 + n0)
    gap = sp.simplify(sp.gammasimp(sp.expand_func(gap)))
    evidence["pdf_minus_beta"] = str(gap)
    return None if gap == 0 else f"the claimed pdf differs from the Beta(1/2, (n-1)/2) density of u.v by {gap}"


def _density_symbolic(claim, point, evidence):
    """Mass 1, mean 0, variance ``claim.variance`` at the smallest admitted ``n`` (exactly), then
    for symbolic ``n`` from it on (SymPy integrals)."""
    n0 = _smallest_n(claim)
    pdf = claim.pdf.subs(n_, n0)
    mass = sp.simplify(sp.integrate(pdf, (s_, -1, 1))) if pdf.is_finite is not False else pdf
    if mass != 1:
        return f"at n = {n0}, admitted by {claim.n}, the claimed density {pdf} has mass {mass}, not 1"
    for k, want in enumerate((1, 0, claim.variance.subs(n_, _m2 + n0))):
        got = _moment(claim.pdf, k, n0)
        evidence[f"moment_{k}"] = str(got)
        if sp.simplify(got - want) != 0:
            return f"moment {k} of the claimed density is {got}, claimed {want} (n = m + {n0})"
    return None


def _density_quadrature(claim, point, evidence):
    """``K.density``: tanh-sinh quadrature at 60 digits of the claimed pdf and variance at ``n``."""
    if not claim.admits("n", n=point["n"]):
        raise Inconclusive(f"n = {point['n']} is outside the claim's hypothesis {claim.n}")
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


_DENSITY_CLAIM = Claim({"pdf": _pdf((n_ - 3) / 2), "variance": 1 / n_}, {"n": H.n >= 2})

DENSITY = Theorem(
    id="koromilas2024.density",
    source=_SOURCE.format("similarity density of the Wasserstein uniformity metric"),
    statement=r"n \ge 2,\ u, v \sim \mathrm{Unif}(S^{n-1}):\ p(s) = \frac{\Gamma(n/2)}{\sqrt\pi\,"
              r"\Gamma((n-1)/2)}(1-s^2)^{(n-3)/2},\ \mathbb E s = 0,\ \mathrm{Var}\, s = \tfrac1n",
    parts=(Part("density", r"p \text{ is the density of } s = u\cdot v"),
           Part("variance", r"\mathbb E s = 0,\ \mathrm{Var}\, s = \tfrac1n")),
    claim=_DENSITY_CLAIM,
    checks=(
        Check("pdf_is_the_beta_marginal", "proof", _density_beta, parts=("density",),
              scope="every n >= 2 (symbolic); hand-argued: s^2 = chi2_1/(chi2_1 + chi2_{n-1}) is "
                    "Beta(1/2, (n-1)/2) and s is symmetric"),
        Check("moments_for_symbolic_n", "proof", _density_symbolic, parts=("density", "variance"),
              scope="the claimed pdf's mass, mean and variance for every n >= 2 (symbolic integrals)"),
        Check("moments_by_quadrature", "numerical", _density_quadrature, parts=("density", "variance"),
              points=tuple({"n": n} for n in (2, 3, 7, 128)),
              scope="n in {2, 3, 7, 128}: tanh-sinh quadrature at 60 digits"),
        Check("samples_match_density", "empirical", _density_sampled, parts=("density", "variance"),
              points=tuple({"n": n, "seed": 0} for n in (3, 5, 16)),
              thorough_points=tuple({"n": n, "seed": 1} for n in (2, 4, 64)),
              scope="n in {3, 5, 16}: 200000 seeded samples of u.v, DKW band at 1e-9 and the variance z-score"),
    ),
    mutants=(
        Mutant("variance_one_over_n_minus_1", "E s^2 = 1/n by symmetry: sum_k E x_k^2 = 1",
               _DENSITY_CLAIM.vary(variance=1 / (n_ - 1))),
        Mutant("exponent_n_minus_2", "S^n's exponent (n-2)/2 with S^{n-1}'s normaliser: the mass is not 1",
               _DENSITY_CLAIM.vary(pdf=_pdf((n_ - 2) / 2))),
        Mutant("n_at_least_1", "on S^0 = {-1, 1}, u.v takes the values -1 and 1 only: no density",
               _DENSITY_CLAIM.vary(n=H.n >= 1)),
    ),
)


# --- Asymptotics (exploratory) ---------------------------------------------------------------

def _asymptotic_trend(claim, point, evidence):
    """GD minima of InfoNCE minus log M for M = 4, 8, ..., M_max against the limit
    -1/tau + log E e^{s/tau} (perfect alignment, uniform measure), with the W1 uniformity of
    each minimiser; ``K.asymptotic_uniform``'s trend criterion (one GD pass)."""
    if not (claim.admits("d", d=point["d"]) and claim.admits("tau", tau=point["tau"])):
        raise Inconclusive(f"{point} is outside the hypotheses {dict(claim.hypotheses)}")
    d, tau_, sizes = point["d"], _num(point["tau"]), tuple(range(4, point["M_max"] + 1, 4))
    limit = -1 / tau_ + float(mpmath.log(similarity_mgf(1 / tau_, d)))
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
    parts=(Part("limit", r"\min L_{\mathrm{InfoNCE}} - \log M \to -\tfrac1\tau + \log \mathbb E\, e^{s/\tau}"),),
    claim=Claim({}, {"d": H.d >= 2, "tau": H.tau > 0}),
    uses=("koromilas2024.density",),
    checks=(Check("gap_to_limit_shrinks", "empirical", _asymptotic_trend, parts=("limit",),
                  points=({"d": 3, "tau": "1", "M_max": 8},),
                  thorough_points=({"d": 3, "tau": "1", "M_max": 16}, {"d": 4, "tau": "0.5", "M_max": 16}),
                  scope="d = 3, tau = 1, M = 4, 8 (best of 2 seeded L-BFGS restarts)"),),
    kind="exploratory",
)

THEOREMS = [DECOUPLING, DENSITY, ASYMPTOTIC_UNIFORM]
