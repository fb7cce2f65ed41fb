r"""Checks of the statements of Koromilas et al. (ICML 2024), for the theorem registry.

Each check returns ``None`` when the statement holds at the given parameter point and a
one-paragraph message when it does not (an exception means broken code or bad input, never a
false claim).  The claim itself is an argument with the paper's statement as default
(``claimed``, ``claimed_value``, ``claimed_v``, ``claimed_variance``, ``claimed_limit``...), so
a deliberately false variant (a mutant) is refuted by the same code.

Gradient descent is :func:`clverify.numerics.descent.optimise.optimise_embedding` (batched Riemannian L-BFGS,
float64, seeded restarts); the within-view energies alone are minimised with the same
L-BFGS on the same sphere.

>>> thm4_1("dhel", 3, 2) is None
True
>>> from clverify.theory.structures import Antipodal
>>> thm4_1("dhel", 3, 2, claimed=Antipodal(3, 2))[:38]
'dhel (M=3, d=2, tau=0.3): the GD minim'
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import sympy as sp
import torch

from clverify.numerics.descent.lbfgs import lbfgs, value_and_grad
from clverify.numerics.descent.metrics import similarity_density_mp, similarity_mgf, wasserstein_uniformity
from clverify.numerics.descent.optimise import optimise_embedding
from clverify.numerics.descent.sphere import Sphere
from clverify.numerics.descent.torch_losses import TORCH_LOSSES, evaluate_view
from clverify.numerics.precision.ops import MPMATH_OPS
from clverify.theory import minima
from clverify.theory.losses import DEFAULT_PARAMETERS, LOSSES, dhel_energy, kcl_energy, kcl_kernel
from clverify.theory.params import check_batch_size, check_choice, check_dimension, to_rational
from clverify.theory.similarity import Grams
from clverify.theory.structures import CrossPolytope, SimplexETF

__all__ = [
    "THM4_1_LOSSES", "DECOUPLED_LOSSES", "STRUCTURE_TOL", "GD_VALUE_RTOL", "GD_VALUE_FLOOR",
    "EXACT_DIGITS", "BATCH_RTOL", "QUAD_DIGITS", "QUAD_TOL", "TREND_RATIO",
    "RESTARTS", "gd_minimum", "explicit_value", "claimed_value_at",
    "thm4_1", "min_values", "kcl_simplex", "kcl_cross_polytope", "kcl_batch_independence",
    "decoupling", "density", "asymptotic_uniform", "Undecided",
]


class Undecided(str):
    """A check's message that says it could not decide (gradient descent stuck, no
    convergence): not a refutation.  Callers that grade claims tell it apart by type."""


#: The losses of Theorem 4.1 (u = v on a centred simplex for 1 < M <= d + 1).
THM4_1_LOSSES = ("infonce", "infonce-sym", "ntxent", "dcl", "dhel")
#: Losses whose minimisers decouple into alignment and a within-view energy.
DECOUPLED_LOSSES = ("dhel", "kcl")
#: Largest Gram-entry error of a GD minimiser accepted as "has the structure".
STRUCTURE_TOL = 1e-5
#: GD minimum vs closed form: |diff| <= GD_VALUE_RTOL * max(|value|, GD_VALUE_FLOOR).
GD_VALUE_RTOL = 1e-7
GD_VALUE_FLOOR = 1e-2
#: Digits of the exact evaluation on explicit simplex vectors, and its tolerance 10^-(digits-10).
EXACT_DIGITS = 40
#: Spread allowed between the batch-size averages of a batch-independent loss (relative).
BATCH_RTOL = 1e-12
#: mpmath quadrature precision and tolerance for the density checks.
QUAD_DIGITS = 30
QUAD_TOL = mpmath.mpf(10) ** -20
#: An asymptotic gap must shrink by at least this factor over the sizes tried.
TREND_RATIO = 0.1
#: Default seeded restarts of GD.
RESTARTS = 3


def _params(loss: str, params: dict | None) -> dict:
    """``loss``'s default parameters updated by ``params``."""
    check_choice("loss", loss, TORCH_LOSSES)
    out = dict(DEFAULT_PARAMETERS.get(loss, {}))
    out.update(params or {})
    return out


def _fmt(params: dict) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in params.items())


def gd_minimum(loss: str, M: int, d: int, params: dict | None = None, *, seed: int = 0,
               restarts: int = RESTARTS):
    """Best of ``restarts`` GD runs of ``loss`` (torch, float64): an :class:`EmbeddingResult`.

    >>> r = gd_minimum("kcl", 3, 2)
    >>> r.converged, round(r.s_neg_mean, 9)
    (True, -0.5)
    """
    return optimise_embedding(M, d, loss=loss, seed=seed, restarts=restarts, device="cpu",
                              **_params(loss, params))


def claimed_value_at(expr, loss: str, M: int, params: dict, digits: int = EXACT_DIGITS):
    """A claimed closed form (SymPy, in :mod:`clverify.theory.minima`'s symbols) at ``M`` and ``params`` (mpf).

    >>> float(claimed_value_at(minima.M - 1, "dhel", 3, {"tau": 0.3}))
    2.0
    """
    subs = {minima.M: M}
    for name, symbol in minima.parameter_symbols(loss).items():
        if name in params:
            subs[symbol] = to_rational(name, params[name])
    value = sp.sympify(expr).subs(subs)
    with mpmath.workdps(digits):
        return mpmath.mpf(sp.N(value, digits))


def explicit_value(loss: str, U: sp.Matrix, V: sp.Matrix, params: dict, digits: int = EXACT_DIGITS):
    """The loss on explicit vectors (rows of ``U``, ``V``) at ``digits`` digits: its one definition
    run with mpmath on the vectors evaluated at ``digits + 10`` digits (mpf).

    >>> U, V = SimplexETF(2).vectors()
    >>> float(explicit_value("dhel", U, V, {"tau": 1}))
    -3.0
    """
    loss = LOSSES[loss]
    with mpmath.workdps(digits + 10):
        Um, Vm = (mpmath.matrix(A.evalf(digits + 10).tolist()) for A in (U, V))
        exact = {k: mpmath.mpf(to_rational(k, params[k]).evalf(digits + 10)) for k in loss.parameters}
        value = loss(Grams.of_vectors(Um, Vm, MPMATH_OPS), MPMATH_OPS, **exact)
    with mpmath.workdps(digits):
        return +value


def _structure_message(tag, r, claimed, tol):
    if not r.converged:
        return Undecided(f"{tag}: GD did not converge (gradient norm {r.grad_norm:.3g}); cannot check the claim")
    ok, reason = claimed.check(r.U, r.V, tol)
    if not ok:
        return (f"{tag}: the GD minimiser (loss {r.loss:.15g}, seed {r.seed}) is not {claimed!r}: "
                f"{reason}")
    return None


def thm4_1(loss: str, M: int, d: int, *, tau: float = DEFAULT_PARAMETERS["dhel"]["tau"],
           claimed=None, seed: int = 0, restarts: int = RESTARTS, tol: float = STRUCTURE_TOL):
    """Theorem 4.1: for ``1 < M <= d + 1`` the GD minimiser of ``loss`` has ``u = v`` on a centred simplex.

    ``claimed`` is the structure (anything with ``check(U, V, tol) -> (ok, reason)``);
    default :class:`~clverify.theory.structures.SimplexETF` ``(M, d)`` (which is double-constant, so
    the check is permutation-invariant).
    """
    claimed = SimplexETF(M, d) if claimed is None else claimed
    r = gd_minimum(loss, M, d, {"tau": tau}, seed=seed, restarts=restarts)
    return _structure_message(f"{loss} (M={M}, d={d}, tau={tau:g})", r, claimed, tol)


def min_values(loss: str, M: int, d: int, params: dict | None = None, *, claimed_value=None,
               structure: str = "simplex", seed: int = 0, restarts: int = RESTARTS,
               digits: int = EXACT_DIGITS):
    """The closed-form minimum equals (a) ``loss`` on explicit structure vectors at ``digits``
    digits and (b) the GD minimum to ``GD_VALUE_RTOL``.

    ``claimed_value``: a SymPy expression in :mod:`clverify.theory.minima`'s symbols (``M``, ``tau``,
    ``gamma``, ``t``); default: derived by :func:`clverify.theory.minima.minimum_value`.
    """
    params = _params(loss, params)
    if claimed_value is None:
        claimed_value = minima.minimum_value(loss, structure=structure)
    claim = claimed_value_at(claimed_value, loss, M, params, digits)
    tag = f"{loss} (M={M}, d={d}, {_fmt(params)}, {structure})"
    shape = SimplexETF(M, d) if structure == "simplex" else CrossPolytope(M, d)
    exact = explicit_value(loss, *shape.vectors(), params, digits)
    with mpmath.workdps(digits):
        if abs(exact - claim) > mpmath.mpf(10) ** (10 - digits) * max(1, abs(claim)):
            return (f"{tag}: claimed minimum {mpmath.nstr(claim, 20)} but the loss on explicit "
                    f"{structure} vectors is {mpmath.nstr(exact, 20)} ({digits} digits)")
    r = gd_minimum(loss, M, d, params, seed=seed, restarts=restarts)
    tol = GD_VALUE_RTOL * max(abs(float(claim)), GD_VALUE_FLOOR)
    if not r.converged or abs(r.loss - float(claim)) > tol:
        return (f"{tag}: claimed minimum {float(claim):.15g}, GD minimum {r.loss:.15g} "
                f"(|diff| {abs(r.loss - float(claim)):.3g} > {tol:.3g}; converged={r.converged}, "
                f"seed {r.seed}, {restarts} restarts)")
    return None


def kcl_simplex(M: int, d: int, params: dict | None = None, *, kernel: str = "gaussian",
                claimed=None, claimed_value=None, seed: int = 0, restarts: int = RESTARTS):
    """KCL (kernel ``kernel``) for ``M <= d + 1``: GD minimiser is ``u = v`` on a simplex and its
    value is the closed form (``claimed`` structure, ``claimed_value`` expression)."""
    loss = "kcl" if kernel == "gaussian" else f"kcl-{kernel}"
    params = _params(loss, params)
    claimed = SimplexETF(M, d) if claimed is None else claimed
    r = gd_minimum(loss, M, d, params, seed=seed, restarts=restarts)
    message = _structure_message(f"{loss} (M={M}, d={d}, {_fmt(params)})", r, claimed, STRUCTURE_TOL)
    return message or min_values(loss, M, d, params, claimed_value=claimed_value, seed=seed,
                                 restarts=restarts)


def kcl_cross_polytope(d: int, params: dict | None = None, *, claimed=None, claimed_value=None,
                       seed: int = 0, restarts: int = 10):
    """Gaussian KCL with ``M = 2d``: the GD minimiser is ``u = v`` on the cross-polytope
    :math:`\\{\\pm e_k\\}` and the minimum is its (derived) value."""
    d = check_dimension("d", d, 1)
    M = 2 * d
    params = _params("kcl", params)
    claimed = CrossPolytope(M, d) if claimed is None else claimed
    r = gd_minimum("kcl", M, d, params, seed=seed, restarts=restarts)
    message = _structure_message(f"kcl (M=2d={M}, d={d}, {_fmt(params)})", r, claimed, STRUCTURE_TOL)
    return message or min_values("kcl", M, d, params, claimed_value=claimed_value,
                                 structure="cross-polytope", seed=seed, restarts=restarts)


def _subset_averages(loss: str, U: torch.Tensor, V: torch.Tensor, params: dict, sizes):
    fn = TORCH_LOSSES[loss]
    out = {}
    for m in sizes:
        idx = torch.tensor(list(itertools.combinations(range(U.shape[0]), m)))
        out[m] = float(fn(U[idx], V[idx], **params).mean())
    return out


def kcl_batch_independence(loss: str = "kcl", params: dict | None = None, *, n: int = 6,
                           d: int = 3, sizes=None, claimed_independent: bool = True, seed: int = 0):
    """Over a fixed set of ``n`` seeded random pairs, the average of the batch loss over **all**
    size-``M`` sub-batches is the same for every ``M`` in ``sizes`` (default ``2..n``).

    True for KCL (its batch terms are U-statistics); the contrast, InfoNCE, passes with
    ``claimed_independent=False`` (its averages do depend on ``M``).
    """
    n = check_batch_size("n", n, 3)
    params = _params(loss, params)
    sizes = tuple(range(2, n + 1)) if sizes is None else tuple(sizes)
    gen = torch.Generator().manual_seed(seed)
    sphere = Sphere()
    U = sphere.random(n, d, generator=gen)
    V = sphere.project(U + 0.5 * sphere.random(n, d, generator=gen))
    averages = _subset_averages(loss, U, V, params, sizes)
    undefined = [m for m, v in averages.items() if not math.isfinite(v)]
    if undefined:
        return f"{loss}: the batch loss is undefined (not finite) at M = {undefined}, which the sizes include"
    values = np.array(list(averages.values()))
    spread = float(values.max() - values.min())
    tol = BATCH_RTOL * max(1.0, float(np.abs(values).max()))
    shown = ", ".join(f"M={m}: {v:.15g}" for m, v in averages.items())
    if claimed_independent and spread > tol:
        return f"{loss}: sub-batch averages depend on M (spread {spread:.3g} > {tol:.3g}): {shown}"
    if not claimed_independent and spread <= tol:
        return f"{loss}: claimed to depend on M, but all sub-batch averages agree to {spread:.3g}: {shown}"
    return None


def _kernel_name(loss: str) -> str:
    """The KCL kernel of ``loss`` (``kcl`` is Gaussian, ``kcl-log`` log, ...)."""
    return "gaussian" if loss == "kcl" else loss.split("-", 1)[1]


def _energy_minimum(loss: str, M: int, d: int, params: dict, seed: int, restarts: int):
    """Minimum over U alone of the within-view term: DHEL's log-sum-exp energy or KCL's kernel mean."""
    if loss.startswith("dhel"):
        energy, energy_params = dhel_energy, {"tau": params["tau"]}
    else:
        energy, energy_params = kcl_energy, {"t": params["t"], "kernel": _kernel_name(loss)}

    def f(x, *_index):  # (x) or (x, index), whichever clverify.numerics.descent.lbfgs passes
        return evaluate_view(energy, x, **energy_params)
    sphere = Sphere()
    starts = torch.stack([sphere.random(M, d, generator=torch.Generator().manual_seed(seed + r))
                          for r in range(restarts)])
    res = lbfgs(value_and_grad(f), starts, sphere)
    best = int(torch.argmin(res.loss))
    return float(res.loss[best]), res.x[best].numpy(), bool(res.converged[best])


def decoupling(loss: str, M: int, d: int, params: dict | None = None, *, claimed_v=None,
               alignment: float | None = None, weight: float | None = None,
               seed: int = 0, restarts: int = 5):
    r"""DHEL and KCL minimisers have ``V = claimed_v(U)`` (default ``V = U``) with ``U`` minimising
    the within-view energy :math:`E` alone, so that :math:`\min L = A + c\,\min_U E(U)`, with
    ``A = alignment`` and ``c = weight`` (defaults, the statement's: DHEL :math:`A = -1/\tau`,
    :math:`c = 2`; one-view DHEL :math:`c = 1`; KCL :math:`A = -2K(0)`, :math:`c = 2\gamma`).

    Three parts, any of which refutes: (1) the claimed pair :math:`(U^*, \text{claimed\_v}(U^*))`,
    :math:`U^*` the best energy minimiser found, attains :math:`A + cE(U^*)`; (2) GD on the full
    loss finds nothing lower; (3) GD's minimiser has ``V = claimed_v(U)``.  GD trapped above the
    predicted value (large ``gamma`` on a circle does that) is reported as a failure to verify.
    """
    check_choice("loss", loss, ("dhel", "dhel-1view", "kcl", "kcl-log", "kcl-imq"))
    params = _params(loss, params)
    claimed_v = (lambda U: U) if claimed_v is None else claimed_v
    tag = f"{loss} (M={M}, d={d}, {_fmt(params)})"
    energy, U_star, converged = _energy_minimum(loss, M, d, params, seed, restarts)
    if not converged:
        return Undecided(f"{tag}: the within-view energy minimisation did not converge")
    if loss.startswith("dhel"):
        A, c = -1 / params["tau"], (2 if loss == "dhel" else 1)
    else:  # -2 K at distance 0
        A = -2 * float(kcl_kernel(_kernel_name(loss))(0, params["t"], MPMATH_OPS))
        c = 2 * params["gamma"]
    A = A if alignment is None else alignment
    c = c if weight is None else weight
    predicted = A + c * energy
    tol = GD_VALUE_RTOL * max(abs(predicted), GD_VALUE_FLOOR)
    fn = TORCH_LOSSES[loss]
    U = torch.as_tensor(U_star)
    attained = float(fn(U, torch.as_tensor(claimed_v(U_star)), **params))
    if abs(attained - predicted) > tol:
        return (f"{tag}: at (U*, claimed_v(U*)) the loss is {attained:.15g}, not alignment + energy "
                f"minimum {predicted:.15g} (|diff| {abs(attained - predicted):.3g} > {tol:.3g})")
    r = gd_minimum(loss, M, d, params, seed=seed, restarts=restarts)
    if r.loss < predicted - tol:
        return (f"{tag}: GD found {r.loss:.15g}, below the decoupled minimum {predicted:.15g} "
                f"(seed {r.seed})")
    if not r.converged or r.loss > predicted + tol:
        return Undecided(f"{tag}: GD did not reach the decoupled minimum {predicted:.15g} (best "
                         f"{r.loss:.15g}, converged={r.converged}, {restarts} restarts): not verified")
    gap = float(np.max(np.abs(r.V - claimed_v(r.U))))
    if gap > STRUCTURE_TOL:
        return f"{tag}: at the GD minimiser max |V - claimed_v(U)| = {gap:.3g} > {STRUCTURE_TOL:g}"
    return None


def density(n: int, *, pdf=None, claimed_variance=None, digits: int = QUAD_DIGITS):
    r"""The similarity density :math:`p_n` integrates to 1 with mean 0 and variance ``claimed_variance(n)``
    (default :math:`1/n`), by mpmath tanh-sinh quadrature at ``digits`` digits.

    ``pdf(s, n)`` (mpmath) defaults to :func:`clverify.numerics.descent.metrics.similarity_density_mp`.
    """
    pdf = similarity_density_mp if pdf is None else pdf
    claimed_variance = (lambda k: mpmath.mpf(1) / k) if claimed_variance is None else claimed_variance
    # Twice the digits: an endpoint singularity (1 - s)^(-1/2) (n = 2) turns the rounding of
    # the nodes near +-1 into an error of order sqrt(ulp).
    with mpmath.workdps(2 * digits):
        moments = [mpmath.quad(lambda s, k=k: s**k * pdf(s, n), [-1, 0, 1]) for k in range(3)]
        expected = [mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(claimed_variance(n))]
        for k, (got, want) in enumerate(zip(moments, expected)):
            if abs(got - want) > QUAD_TOL:
                what = ("total mass", "mean", "variance")[k]
                return (f"similarity density (n={n}): {what} is {mpmath.nstr(got, 20)}, claimed "
                        f"{mpmath.nstr(want, 20)} (tolerance {mpmath.nstr(QUAD_TOL, 3)})")
    return None


def asymptotic_uniform(loss: str = "infonce", d: int = 3, sizes=(4, 8, 12), *, tau: float = 1.0,
                       claimed_limit=None, seed: int = 0, restarts: int = 2):
    r"""Exploratory: the GD minimum of ``loss`` minus :math:`\log M` approaches the asymptotic value
    :math:`-1/\tau + \log E\,e^{s/\tau}` of perfect alignment plus the uniform measure on
    :math:`S^{d-1}` (``claimed_limit``, a float) as ``M`` grows: the gaps must decrease and the
    last must be below ``TREND_RATIO`` times the first.  The Wasserstein uniformity of the
    minimisers is reported alongside.
    """
    check_choice("loss", loss, ("infonce",))
    if claimed_limit is None:
        claimed_limit = -1 / tau + float(mpmath.log(similarity_mgf(1 / tau, d)))
    gaps, w1 = [], []
    for m in sizes:
        r = gd_minimum(loss, m, d, {"tau": tau}, seed=seed, restarts=restarts)
        gaps.append(abs(r.loss - math.log(m) - claimed_limit))
        w1.append(wasserstein_uniformity(r.U))
    decreasing = all(b < a for a, b in zip(gaps, gaps[1:]))
    if not decreasing or gaps[-1] > TREND_RATIO * gaps[0]:
        shown = ", ".join(f"M={m}: gap {g:.3g}, W1 {w:.3g}" for m, g, w in zip(sizes, gaps, w1))
        return f"{loss} (d={d}, tau={tau:g}): no trend to the claimed limit {claimed_limit:.12g}: {shown}"
    return None
