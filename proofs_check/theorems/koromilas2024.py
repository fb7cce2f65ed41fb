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
from functools import lru_cache
from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from clverify.numerics.descent.metrics import similarity_mgf, wasserstein_uniformity
from clverify.numerics.precision.ccem_optimum import ccem_optimum
from clverify.proofs_check import koromilas_checks as K
from clverify.theory import minima
from clverify.theory.losses import LOSSES
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams
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


def _gd_against(shape, loss, point, params, evidence, restarts, value=None):
    """GD's best minimiser against the claimed ``shape`` and minimum ``value`` (default: the
    loss on ``shape``): below the value refutes; at the value but another shape refutes
    uniqueness; the claimed shape at another value refutes the value; stuck above the value
    (a local minimum, or a value no configuration reaches) is Inconclusive."""
    Md = (point["M"], point["d"])
    tag = f"{loss} ({', '.join(f'{k}={v}' for k, v in point.items() if k != 'loss')})"
    exact = _exact(params)
    claimed = float(K.explicit_value(loss, *shape.vectors(), exact) if value is None
                    else K.claimed_value_at(value, loss, point["M"], exact))
    r = K.gd_minimum(loss, *Md, {k: _num(v) for k, v in params.items()},
                     seed=point.get("seed", 0), restarts=restarts)
    tol = K.GD_VALUE_RTOL * max(abs(claimed), K.GD_VALUE_FLOOR)
    evidence.update(gd_loss=r.loss, claimed_minimum=claimed, grad_norm=r.grad_norm)
    if r.loss < claimed - tol:
        return f"{tag}: GD reaches loss {r.loss:.15g} < {claimed:.15g}, the claimed minimum ({shape!r})"
    ok, reason = shape.check(r.U, r.V, K.STRUCTURE_TOL)
    if r.converged and ok and r.loss > claimed + tol:
        return f"{tag}: GD converges to {shape!r} at loss {r.loss:.15g}, not the claimed minimum {claimed:.15g}"
    if not r.converged or r.loss > claimed + tol:
        raise Inconclusive(f"{tag}: GD stopped at loss {r.loss:.15g} above {claimed:.15g} "
                           f"(converged={r.converged}, {restarts} restarts): a local minimum")
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

class AnchorForm(NamedTuple):
    r"""A loss as :math:`w \sum_{\text{anchors } a} \varphi(z_a)`, margins
    :math:`z_{a,n} = (\langle a, n\rangle - \kappa\, s_a)/\tau` over the anchor's negatives
    ``n`` (``views``), :math:`s_a` its positive similarity; ``phi`` is ``"lse"``
    (:math:`\log\sum e^{z}`) or ``"lse1"`` (:math:`\log(1 + \sum e^{z})`), ``weight`` :math:`w`
    times :math:`1/M`."""

    phi: str
    kappa: Any
    views: tuple
    weight: Any = 1


class Minimiser(NamedTuple):
    """The claimed minimiser ``structure(M)`` (its Gram matrices), for batch sizes
    ``1 < M <= max_M(d)``, of every loss of ``instances`` (name -> :class:`AnchorForm`)."""

    structure: Callable[[int], Any]
    max_M: Callable[[Any], Any]
    instances: dict


#: Generic similarities of a batch of 3 pairs (one real symbol per entry; unit diagonals within a view).
_GENERIC_M = 3


def _generic_grams(m=_GENERIC_M):
    def within(name):
        return sp.Matrix(m, m, lambda i, j: 1 if i == j else sp.Symbol(f"{name}{min(i, j)}{max(i, j)}", real=True))
    return sp.Matrix(m, m, lambda i, j: sp.Symbol(f"x{i}{j}", real=True)), within("y"), within("z")


def _negatives(view, i, uv, uu, vv):
    """The negatives of anchor ``u_i`` (``u_*`` views) or ``v_i`` (``v_*``)."""
    others = [j for j in range(uv.rows) if j != i]
    cross = [uv[i, j] for j in others] if view.startswith("u") else [uv[j, i] for j in others]
    within = [(uu if view.startswith("u") else vv)[i, j] for j in others]
    return {"cross": cross, "within": within, "all": within + cross}[view.split("_")[1]]


def _anchor_form_value(form: AnchorForm, uv, uu, vv, tau_):
    total = 0
    for i in range(uv.rows):
        for view in form.views:
            z = [(n - form.kappa * uv[i, i]) / tau_ for n in _negatives(view, i, uv, uu, vv)]
            energy = sum(sp.exp(e) for e in z)
            total += sp.log(energy + 1) if form.phi == "lse1" else sp.log(energy)
    return form.weight * total / uv.rows


@lru_cache(maxsize=None)
def _is_anchor_form(loss: str, form: AnchorForm) -> bool:
    """Whether SymPy shows ``loss`` equal to ``form`` on generic similarities (``e^{L - L_form}``
    simplifies to 1: both are real)."""
    uv, uu, vv = _generic_grams()
    params = minima.parameter_symbols(loss)
    value = LOSSES[loss](Grams(ExplicitSimilarity(uv), ExplicitSimilarity(uu), ExplicitSimilarity(vv)),
                         SYMPY_OPS, **{k: params.get(k, sp.Symbol(k, positive=True))
                                       for k in LOSSES[loss].parameters})
    formed = _anchor_form_value(form, uv, uu, vv, tau)
    return sp.simplify(sp.exp(sp.expand_log(sp.expand(value - formed), force=True))) == 1


def _instances_satisfy_hypotheses(claim, point, evidence):
    r"""For every claimed instance: SymPy shows the loss (:mod:`clverify.theory.losses`, the
    authors' definitions) equal to its anchor form for a batch of 3 pairs with generic
    similarities (:math:`e^{L - L_{form}}` simplifies to 1; the definitions are uniform in
    :math:`M`), :math:`\varphi` strictly increasing in every margin (SymPy) and convex
    (log-sum-exp), and :math:`\kappa \ge 1/2`."""
    for loss, form in claim.instances.items():
        if not _is_anchor_form(loss, form):
            return f"{loss}: the loss is not {form} (M = {_GENERIC_M}, generic similarities)"
        z = sp.symbols("z1:4", real=True)
        phi = sp.log(sum(map(sp.exp, z)) + (1 if form.phi == "lse1" else 0))
        if not all(sp.diff(phi, zk).is_positive for zk in z) or not sp.Rational(form.kappa) >= sp.Rational(1, 2):
            return f"{loss}: {form} is not strictly increasing in its margins with kappa >= 1/2"
    evidence["instances"] = sorted(claim.instances)
    return None


def _realisable_in_smallest_dimension(claim, point, evidence):
    r"""A minimiser exists in every dimension (a continuous loss on a compact product of
    spheres), so the claimed structure must fit in the smallest dimension the claim covers,
    :math:`d_{\min}(M)` solving ``max_M(d) = M``: the rank of its Gram matrix
    (:meth:`~clverify.theory.similarity.Grams.rank`, symbolic ``M``) must not exceed it."""
    d = sp.Symbol("d", positive=True, integer=True)
    (smallest,) = sp.solve(sp.sympify(claim.max_M(d)) - M, d)
    rank = claim.structure(M).grams().rank()
    gap = sp.simplify(rank - smallest).subs(M, _m + 2)
    evidence.update(rank=str(rank), smallest_dimension=str(smallest))
    if gap.is_nonpositive:
        return None
    if gap.is_positive:
        return (f"the claimed minimiser has Gram rank {rank} > {smallest}, the smallest dimension "
                f"the claim covers: it does not exist there, yet a minimiser does")
    raise Inconclusive(f"cannot compare the rank {rank} with {smallest}")


def _shape(claim: Minimiser, point):
    """The claimed structure at ``point``; Inconclusive outside the claim's scope or for a
    loss the claim does not name."""
    if point["M"] > claim.max_M(point["d"]) or point["loss"] not in claim.instances:
        raise Inconclusive(f"{point} is outside the claim's scope")
    return claim.structure(point["M"])


def _thm4_1_gd(claim, point, evidence):
    """GD on free ``(U, V)`` (Riemannian L-BFGS, float64) finds the claimed structure."""
    shape = _shape(claim, point)
    return _gd_against(shape, point["loss"], point, {"tau": point["tau"]}, evidence, _RESTARTS)


def _thm4_1_ccem(claim, point, evidence):
    """No member of the CCEM(delta) family (which fits in d >= M) is below the claimed
    structure (40-digit values; the family's optimum from
    :func:`~clverify.numerics.precision.ccem_optimum.ccem_optimum`: certified where the
    restriction is shown convex, a grid minimum otherwise, so the check is numerical)."""
    shape = _shape(claim, point)
    loss, params = point["loss"], _exact({"tau": point["tau"]})
    value = K.explicit_value(loss, *shape.vectors(), params)
    optimum = ccem_optimum(LOSSES[loss], point["M"], params, digits=K.EXACT_DIGITS)
    delta_star, best = optimum.delta, optimum.value
    evidence.update(delta_star=float(delta_star), structure_minus_ccem=float(value - best))
    if value - best > _VALUE_TOL:  # (a difference: mpf sums round to the working precision)
        return (f"{loss} (M={point['M']}, tau={point['tau']}): CCEM(delta={mpmath.nstr(delta_star, 6)}) "
                f"has loss {mpmath.nstr(best, 15)} < {mpmath.nstr(value, 15)} on {shape!r}")
    return None


_m = sp.Symbol("m", nonnegative=True, integer=True)   # M = m + 2 >= 2
_INSTANCES = {
    "infonce": AnchorForm("lse1", 1, ("u_cross",)),
    "infonce-sym": AnchorForm("lse1", 1, ("u_cross", "v_cross")),
    "ntxent": AnchorForm("lse1", 1, ("u_all", "v_all"), sp.Rational(1, 2)),
    "dcl": AnchorForm("lse", 1, ("u_all", "v_all"), sp.Rational(1, 2)),
    "dhel": AnchorForm("lse", sp.Rational(1, 2), ("u_within", "v_within")),
}
_THM41_GD_POINTS = (
    *({"loss": loss, "M": 4, "d": 3, "tau": "0.5"} for loss in K.THM4_1_LOSSES),
    {"loss": "dhel", "M": 2, "d": 2, "tau": "0.3"}, {"loss": "infonce", "M": 3, "d": 4, "tau": "0.2"},
)

THM4_1 = Theorem(
    id="koromilas2024.thm4_1",
    source=_SOURCE.format("Theorem 4.1") + "; the general hypotheses are this project's reading "
           "(anchor terms convex and increasing in the margins), with the five named losses as instances",
    statement=r"1 < M \le d + 1,\ \tau > 0,\ L = \frac{w}{M}\sum_{\text{anchors } a} \varphi\Big(\big("
              r"\tfrac{\langle a, n\rangle - \kappa s_a}{\tau}\big)_{n}\Big),\ \varphi \text{ convex, symmetric, "
              r"strictly increasing},\ \kappa \ge \tfrac12 \text{ (the alignment } -\kappa s_a/\tau "
              r"\text{ strictly decreasing)}:\ (U, V) \in \arg\min L \iff u_i = v_i = w_i,\ \{w_i\} "
              r"\text{ a centred simplex ETF};\ \text{instances: InfoNCE, InfoNCE}_{sym}, "
              r"\text{NT-Xent, DCL, DHEL}",
    hypotheses={"M": "integer, 1 < M <= d + 1", "d": "integer >= 1", "tau": "> 0",
                "loss": "anchor terms phi(margins), phi convex, symmetric, strictly increasing, "
                        "kappa >= 1/2; instances " + ", ".join(_INSTANCES)},
    claim=Minimiser(SimplexETF, lambda d: d + 1, _INSTANCES),
    checks=(
        Check("instances_satisfy_hypotheses", "proof", _instances_satisfy_hypotheses,
              scope="the five named losses, every tau > 0 (the identity for a batch of 3 generic pairs)"),
        Check("minimiser_fits_smallest_dimension", "proof", _realisable_in_smallest_dimension,
              scope="every M >= 2 at d = M - 1 (symbolic Gram rank)"),
        Check("gd_minimiser_is_the_structure", "empirical", _thm4_1_gd, points=_THM41_GD_POINTS,
              thorough_points=({"loss": "dcl", "M": 5, "d": 4, "tau": "2"}, *(
                  {"loss": loss, "M": m, "d": d, "tau": tau_} for loss in K.THM4_1_LOSSES
                  for m, d in ((3, 2), (6, 5), (6, 8)) for tau_ in ("0.2", "1", "3"))),
              scope="the five losses at M = 4, d = 3, tau = 0.5, and (dhel, M = 2, d = 2, tau = 0.3), "
                    "(infonce, 3, 4, 0.2); 3 seeded L-BFGS restarts"),
        Check("no_ccem_member_is_lower", "numerical", _thm4_1_ccem,
              points=tuple({"loss": loss, "M": 4, "d": 4, "tau": "0.5"} for loss in K.THM4_1_LOSSES),
              thorough_points=tuple({"loss": loss, "M": m, "d": m, "tau": tau_} for loss in K.THM4_1_LOSSES
                                    for m in (3, 10) for tau_ in ("0.2", "3")),
              scope="the five losses at M = d = 4, tau = 0.5: CCEM(delta) by grid + golden section, 40 digits"),
    ),
    mutants=(
        Mutant("antipodal_views", "v_i = -u_i maximises the alignment term; GD goes far below it",
               Minimiser(Antipodal, lambda d: d + 1, _INSTANCES)),
        Mutant("scope_M_le_d_plus_2", "M = d + 2 points cannot form a centred simplex in R^d",
               Minimiser(SimplexETF, lambda d: d + 2, _INSTANCES)),
        Mutant("sigmoid_is_an_instance", "the sigmoid loss is not a function of margins: its "
               "optimum leaves the ETF in the antipodal regime (lee2024.thm2)",
               Minimiser(SimplexETF, lambda d: d + 1, {**_INSTANCES, "sigmoid": AnchorForm("lse1", 1, ("u_cross",))})),
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
    source="derived here (not quoted from Koromilas et al., ICML 2024): each loss as written in the "
           "authors' public code (github.com/pakoromilas/DHEL-KCL; docs/losses.md) evaluated on the "
           "simplex ETF; DHEL is the two-view variant (include_augs=True), dhel-1view the one-view "
           "variant (include_augs=False)",
    statement=r"1 < M \le d + 1:\ \min L_{\mathrm{InfoNCE}} = \tfrac12 \min L_{\mathrm{InfoNCE_{sym}}} "
              r"= \log\big(1 + (M-1)e^{-M/(\tau(M-1))}\big),\ "
              r"\min L_{\mathrm{NT\text{-}Xent}} = \log\big(1 + 2(M-1)e^{-M/(\tau(M-1))}\big),\ "
              r"\min L_{\mathrm{DCL}} = -\tfrac1\tau + \log 2(M-1) - \tfrac{1}{\tau(M-1)},\ "
              r"\min L_{\mathrm{DHEL}} = -\tfrac1\tau + 2\log(M-1) - \tfrac{2}{\tau(M-1)} \text{ (two views)},\ "
              r"\min L_{\mathrm{DHEL, 1 view}} = -\tfrac1\tau + \log(M-1) - \tfrac{1}{\tau(M-1)}",
    hypotheses={"M": "integer, 1 < M <= d + 1", "tau": "> 0", "loss": ", ".join(_MIN_VALUES)},
    claim=_MIN_VALUES,
    checks=(
        Check("equals_derived_simplex_value", "proof", _min_value_derived,
              points=tuple({"loss": loss} for loss in _MIN_VALUES),
              scope="the loss on the simplex ETF for every M >= 2, tau > 0 (symbolic); that the "
                    "simplex is the minimiser is koromilas2024.thm4_1"),
        Check("equals_loss_on_exact_simplex_vectors", "numerical", _min_value_explicit,
              points=tuple({"loss": loss, "M": 4, "d": 3, "tau": "0.3"} for loss in _MIN_VALUES),
              thorough_points=tuple({"loss": loss, "M": m, "d": m - 1, "tau": tau_} for loss in _MIN_VALUES
                                    for m in (2, 7) for tau_ in ("0.2", "5")),
              scope="M = 4, d = 3, tau = 0.3: the loss on exact simplex vectors to 40 digits"),
        Check("gd_reaches_and_never_beats_it", "empirical", _min_value_gd,
              points=tuple({"loss": loss, "M": 4, "d": 3, "tau": "0.3"} for loss in _MIN_VALUES),
              thorough_points=tuple({"loss": loss, "M": m, "d": d, "tau": "1"} for loss in _MIN_VALUES
                                    for m, d in ((3, 2), (6, 5), (8, 10))),
              scope="M = 4, d = 3, tau = 0.3, 3 seeded L-BFGS restarts"),
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
              points=({"loss": "dhel", "M": 5}, {"loss": "dhel-1view", "M": 4}, {"loss": "kcl", "M": 5}),
              scope="exact rational U on S^2 (M = 5, 4, 5), every tau, gamma, t (symbolic): the "
                    "claimed pair attains the alignment optimum plus the energy"),
        Check("gd_minimiser_decouples", "empirical", _decoupling_gd,
              points=({"loss": "dhel", "M": 6, "d": 3, "tau": "0.3"},
                      {"loss": "dhel-1view", "M": 6, "d": 3, "tau": "0.3"},
                      {"loss": "kcl", "M": 6, "d": 3, "gamma": 16, "t": 2}),
              thorough_points=({"loss": "dhel", "M": 8, "d": 3, "tau": "1"},
                               {"loss": "kcl", "M": 8, "d": 3, "gamma": 16, "t": 2}),
              scope="(dhel, dhel-1view) at M = 6, d = 3, tau = 0.3 and kcl at M = 6, d = 3, gamma = 16, "
                    "t = 2: GD on the energy and on the full loss, 5 seeded restarts"),
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


_m2 = sp.Symbol("m", integer=True, nonnegative=True)   # n = m + 2 >= 2


@lru_cache(maxsize=None)
def _moment(pdf, k: int):
    """The k-th moment of ``pdf`` over [-1, 1] for n = m + 2 (SymPy)."""
    return sp.simplify(sp.integrate(s_**k * pdf.subs(n_, _m2 + 2), (s_, -1, 1)))


def _density_symbolic(claim, point, evidence):
    """Mass 1, mean 0, variance ``claim.variance`` for a symbolic ``n >= 2`` (SymPy integrals)."""
    for k, want in enumerate((1, 0, claim.variance.subs(n_, _m2 + 2))):
        got = _moment(claim.pdf, k)
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
        Check("moments_for_symbolic_n", "proof", _density_symbolic,
              scope="the claimed pdf's mass, mean and variance for every n >= 2 (symbolic integrals)"),
        Check("moments_by_quadrature", "numerical", _density_quadrature,
              points=tuple({"n": n} for n in (2, 3, 7, 128)),
              scope="n in {2, 3, 7, 128}: tanh-sinh quadrature at 60 digits"),
        Check("samples_match_density", "empirical", _density_sampled,
              points=tuple({"n": n, "seed": 0} for n in (3, 5, 16)),
              thorough_points=tuple({"n": n, "seed": 1} for n in (2, 4, 64)),
              scope="n in {3, 5, 16}: 200000 seeded samples of u.v, DKW band at 1e-9 and the variance z-score"),
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
                  thorough_points=({"d": 3, "tau": "1", "M_max": 16}, {"d": 4, "tau": "0.5", "M_max": 16}),
                  scope="d = 3, tau = 1, M = 4, 8 (best of 2 seeded L-BFGS restarts)"),),
    kind="exploratory",
)

THEOREMS = [THM4_1, MIN_VALUES, DECOUPLING, DENSITY, ASYMPTOTIC_UNIFORM]
