r"""Koromilas, Bouritsas, Giannakopoulos, Nicolaou, Panagakis (ICML 2024): InfoNCE to kernel losses.

The theorem texts could not be read: every entry is the statement as *reconstructed* in the
project's specification (``THEORY.md``, section 4; conventions in ``docs/losses.md``), and
says so in its source.  Conventions: batch of ``M`` pairs ``(u_i, v_i)`` on
:math:`S^{d-1}`, ``tau`` divides, losses normalised by ``1/M``.

Every claim is a :class:`~clverify.proofs_check.registry.Claim`: its hypotheses (the
dimension ``M <= d + 1``, ``tau > 0``, ...) are SymPy relations that the checks read.  The
minimiser parts rest on the papers' arguments, whose algebra is machine-checked in
:mod:`clverify.proofs_check.koromilas_proofs` (``P``; the hand-argued steps are listed in each
check's scope), and on gradient descent (GD), which never *proves* a minimiser but refutes: a
GD point below the claimed loss is a counterexample, a converged GD point at the claimed loss
that is not the structure breaks uniqueness, and a GD point stuck above the claimed loss (a
local minimum) decides nothing, so it raises
:class:`~clverify.proofs_check.registry.Inconclusive`.  The GD and explicit-vector checks run
at the smallest dimension the claim admits at each batch size.
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from clverify.numerics.descent.metrics import similarity_mgf, wasserstein_uniformity
from clverify.numerics.precision.ccem_optimum import ccem_optimum
from clverify.proofs_check import koromilas_checks as K
from clverify.proofs_check import koromilas_proofs as P
from clverify.theory import minima
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import LOSSES, dhel_energy, kcl_energy
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams
from clverify.theory.structures import Antipodal, SimplexETF

from ..registry import H, Check, Claim, Inconclusive, Mutant, Part, Theorem

M, tau, gamma, t = minima.M, minima.tau, minima.gamma, minima.t
_SOURCE = "Koromilas et al. (ICML 2024), {} (reconstructed)"
#: Agreement (absolute) of a claimed value with a 40-digit evaluation.
_VALUE_TOL = mpmath.mpf(10) ** -25
#: Restarts of GD for the InfoNCE family.
_RESTARTS = 3
#: Batch sizes at which an exact challenger is sought when a claim admits parameters outside a
#: proof's domain.
_WITNESS_SIZES = range(2, 17)
#: The hypothesis ``1 < M <= d + 1`` (the simplex ETF fits in d >= M - 1).
SIMPLEX_DIMENSION = sp.And(H.M > 1, H.M <= H.d + 1)
#: Symbols of hypotheses that :data:`~clverify.proofs_check.registry.H` lacks.
KAPPA, W = sp.Symbol("kappa"), sp.Symbol("w")


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


def _dimension(claim, point) -> int:
    """The point's ``d`` if it gives one (Inconclusive if the claim does not admit it), else
    the smallest dimension the claim's hypothesis ``M`` admits at the point's batch size."""
    if "d" in point:
        if not P.admitted(claim.M, M=point["M"], d=point["d"]):
            raise Inconclusive(f"{point} is outside the claim's hypothesis {claim.M}")
        return point["d"]
    d = P.smallest_dimension(claim.M, point["M"])
    if d is None:
        raise Inconclusive(f"the claim's hypothesis {claim.M} admits no d at M = {point['M']}")
    return d


def _structure_at(structure, m, d):
    """``(structure(m, d), None)``, or ``(None, message)`` if it does not exist there (a
    minimiser does: a refutation)."""
    try:
        return structure(m, d), None
    except InvalidParameterError as exc:
        return None, f"the claimed minimiser does not exist at M={m}, d={d}, which the claim admits: {exc}"


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


def _lower_challenger(value, structure, sizes=_WITNESS_SIZES) -> str | None:
    """The first exact challenger (:func:`P.challengers`) whose ``value(grams)`` is below the
    claimed ``structure``'s at a batch size of ``sizes`` (30 digits), as a message; else None."""
    for size in sizes:
        try:
            claimed = value(structure(size).grams())
        except InvalidParameterError:
            continue
        for name, grams in P.challengers(size).items():
            gap = sp.N(value(grams) - claimed, 30)
            if gap < -P.WITNESS_TOL:
                return (f"at M = {size} the {name} has loss {sp.N(value(grams), 15)}, below "
                        f"{sp.N(claimed, 15)} on the claimed {structure.__name__}")
    return None


def _witness(claim, name, symbol, value_at) -> None:
    """Read the claim's hypothesis ``name`` on ``symbol``: if it admits a value outside
    ``(0, oo)`` (where the proof needs it), return a refutation found among the exact
    challengers by ``value_at(witness)`` (a message), or raise Inconclusive; None if the
    hypothesis stays inside."""
    witness = P.outside(claim.hypotheses[name], symbol)
    if witness is None:
        return None
    found = value_at(witness)
    if found:
        return f"{symbol} = {witness} (admitted by {claim.hypotheses[name]}): {found}"
    raise Inconclusive(f"the argument needs {symbol} > 0; the claim admits {symbol} = {witness} "
                       f"and no exact challenger beats the claimed minimiser there")


def _structure_exists(claim, point, evidence):
    """The claimed minimiser exists at every ``(M, d)`` (``M`` in 2..10, ``d`` in 1..10) that
    the claim's dimension hypothesis admits (:func:`P.missing_structure`)."""
    structure = getattr(claim, "structure", SimplexETF)
    evidence["structure"] = structure.__name__
    return P.missing_structure(structure, claim.M)


# --- Theorem 4.1 -----------------------------------------------------------------------------

#: The losses as anchor forms (:class:`P.AnchorForm`): this project's reading of the authors'
#: definitions, checked by :func:`_is_anchor_form`.
ANCHOR_FORMS = {
    "infonce": P.AnchorForm("lse1", 1, ("u_cross",)),
    "infonce-sym": P.AnchorForm("lse1", 1, ("u_cross", "v_cross")),
    "ntxent": P.AnchorForm("lse1", 1, ("u_all", "v_all"), sp.Rational(1, 2)),
    "dcl": P.AnchorForm("lse", 1, ("u_all", "v_all"), sp.Rational(1, 2)),
    "dhel": P.AnchorForm("lse", sp.Rational(1, 2), ("u_within", "v_within")),
    "dhel-1view": P.AnchorForm("lse", 1, ("u_within",)),
}
#: Batch sizes of the generic identities (the definitions are uniform in M).
_IDENTITY_SIZES = (3, 4)


@lru_cache(maxsize=None)
def _is_anchor_form(loss: str) -> bool:
    """Whether SymPy shows ``loss`` equal to its anchor form on generic similarities of 3
    pairs (``e^{L - L_form}`` simplifies to 1: both are real)."""
    grams = P.generic_grams(3)
    value = LOSSES[loss](grams, SYMPY_OPS, tau=tau)
    formed = P.anchor_form_value(ANCHOR_FORMS[loss], grams, tau)
    return sp.simplify(sp.exp(sp.expand_log(sp.expand(value - formed), force=True))) == 1


@lru_cache(maxsize=None)
def _margin_sums_hold(views: tuple) -> bool:
    return all(P.margin_sum_holds(v, size) for v in views for size in _IDENTITY_SIZES)


def _anchor_bound(form, claim, evidence, kappa_min=None):
    r"""The minimum of ``form`` for ``tau > 0`` (the Jensen bound, attained on the simplex ETF),
    or a message refuting the claim, or Inconclusive: the margin sums (generic Grams at
    M = 3, 4), positive definiteness for every M >= 2 (and kappa >= ``kappa_min``), the bound
    attained on the symbolic-M simplex; the claim's ``tau`` hypothesis is read."""
    if not _margin_sums_hold(form.views):
        raise Inconclusive(f"the margin sums of {form.views} differ from P.margin_sum")
    structure = getattr(claim, "structure", SimplexETF)

    def value_at(tau_, kappa_=form.kappa if kappa_min is None else kappa_min):
        return lambda grams: P.anchor_form_value(form._replace(kappa=kappa_), grams, tau_)

    refuted = _witness(claim, "tau", H.tau, lambda w: _lower_challenger(value_at(w), structure))
    if refuted:
        return refuted
    if not P.positive_definite(form, kappa_min):
        if kappa_min is None:
            raise Inconclusive(f"{form}: the margin form is not shown positive definite")
        found = _lower_challenger(value_at(1, kappa_min), structure)
        if found:
            return f"kappa = {kappa_min} (admitted by {claim.kappa}), {form.phi} {form.views}: {found}"
        raise Inconclusive(f"{form}: the margin form is not shown positive definite for kappa >= {kappa_min}")
    bound = P.anchor_bound(form)
    if not P.is_zero(bound - P.anchor_form_value(form, SimplexETF(M).grams())):
        raise Inconclusive(f"{form}: the Jensen bound {bound} is not attained on the simplex")
    evidence["bound"] = str(sp.simplify(bound))
    return bound


def _simplex_minimiser_of(form, claim, evidence, kappa_min=None, tag=""):
    """The Jensen bound of ``form``, attained exactly by the simplex ETF, is attained by the
    claimed structure (else the structure is not a minimiser)."""
    bound = _anchor_bound(form, claim, evidence, kappa_min)
    if isinstance(bound, str):
        return f"{tag}: {bound}"
    on_claimed = P.anchor_form_value(form, claim.structure(M).grams())
    if not P.is_zero(on_claimed - bound):
        return (f"{tag}: the claimed {claim.structure.__name__} has loss {sp.simplify(on_claimed)}, above "
                f"the minimum {sp.simplify(bound)} (Jensen's bound, attained by the simplex ETF)")
    return None


def _thm4_1_jensen(claim, point, evidence):
    """For the point's loss: it is its anchor form (SymPy, generic Grams, M = 3), and the
    Jensen bound of the form is the minimum, attained by the claimed structure (:func:`P`)."""
    loss = point["loss"]
    if loss not in claim.losses:
        raise Inconclusive(f"{loss} is not among the claimed losses")
    if not _is_anchor_form(loss):
        raise Inconclusive(f"{loss} is not shown equal to {ANCHOR_FORMS[loss]}")
    return _simplex_minimiser_of(ANCHOR_FORMS[loss], claim, evidence, tag=loss)


def _thm4_1_gd(claim, point, evidence):
    """GD on free ``(U, V)`` (Riemannian L-BFGS, float64) finds the claimed structure."""
    if point["loss"] not in claim.losses:
        raise Inconclusive(f"{point['loss']} is not among the claimed losses")
    d = _dimension(claim, point)
    shape, missing = _structure_at(claim.structure, point["M"], d)
    if missing:
        return missing
    return _gd_against(shape, point["loss"], {**point, "d": d}, {"tau": point["tau"]}, evidence, _RESTARTS)


def _thm4_1_ccem(claim, point, evidence):
    """No member of the CCEM(delta) family (which fits in d >= M) is below the claimed
    structure (40-digit values; the family's optimum from
    :func:`~clverify.numerics.precision.ccem_optimum.ccem_optimum`: certified where the
    restriction is shown convex, a grid minimum otherwise, so the check is numerical)."""
    shape, missing = _structure_at(claim.structure, point["M"], _dimension(claim, point))
    if missing:
        return missing
    loss, params = point["loss"], _exact({"tau": point["tau"]})
    value = K.explicit_value(loss, *shape.vectors(), params)
    optimum = ccem_optimum(LOSSES[loss], point["M"], params, digits=K.EXACT_DIGITS)
    delta_star, best = optimum.delta, optimum.value
    evidence.update(delta_star=float(delta_star), structure_minus_ccem=float(value - best))
    if value - best > _VALUE_TOL:  # (a difference: mpf sums round to the working precision)
        return (f"{loss} (M={point['M']}, tau={point['tau']}): CCEM(delta={mpmath.nstr(delta_star, 6)}) "
                f"has loss {mpmath.nstr(best, 15)} < {mpmath.nstr(value, 15)} on {shape!r}")
    return None


#: The hand-argued steps of the anchor-form argument (P's module docstring).
_JENSEN_HAND = ("hand-argued: Jensen over the permutations of each anchor's margins (phi convex "
                "and symmetric), convexity of c -> phi(c 1) across anchors, Cauchy-Schwarz "
                "P <= M - |s - r|^2/(2M), the identities at M = 3, 4 holding for every M (the "
                "definitions are uniform in M), and equality forcing equal margins, hence the simplex")
_THM41_LOSSES = ("infonce", "infonce-sym", "ntxent", "dcl", "dhel")
_THM41_GD_POINTS = (
    *({"loss": loss, "M": 4, "tau": "0.5"} for loss in _THM41_LOSSES),
    {"loss": "dhel", "M": 2, "d": 2, "tau": "0.3"}, {"loss": "infonce", "M": 3, "d": 4, "tau": "0.2"},
)
_THM41_CLAIM = Claim({"structure": SimplexETF, "losses": _THM41_LOSSES},
                     {"M": SIMPLEX_DIMENSION, "tau": H.tau > 0})

THM4_1 = Theorem(
    id="koromilas2024.thm4_1",
    source=_SOURCE.format("Theorem 4.1") + "; the losses it names: InfoNCE, NT-Xent, DCL, DHEL, and "
           "InfoNCE_sym (the sum of InfoNCE's two directions). The generalisation to a class of "
           "anchor forms is this project's: ext.anchor_form_simplex",
    statement=r"1 < M \le d + 1,\ \tau > 0,\ L \in \{\mathrm{InfoNCE}, \mathrm{InfoNCE_{sym}}, "
              r"\mathrm{NT\text{-}Xent}, \mathrm{DCL}, \mathrm{DHEL}\}:\ (U, V) \in \arg\min L \iff "
              r"u_i = v_i = w_i,\ \{w_i\} \text{ a centred simplex ETF (unique up to rotation and permutation)}",
    parts=(Part("minimiser", r"u_i = v_i = w_i,\ \{w_i\} \text{ a simplex ETF, minimises } L"),
           Part("unique", r"\text{every minimiser is of this form, up to rotation and permutation}")),
    claim=_THM41_CLAIM,
    checks=(
        Check("jensen_bound_attained_on_simplex", "proof", _thm4_1_jensen, parts=("minimiser", "unique"),
              points=tuple({"loss": loss} for loss in _THM41_LOSSES),
              scope="the five losses, every M >= 2 and tau > 0: SymPy shows each loss equal to its "
                    "anchor form (M = 3) and the margin sums (M = 3, 4), the margin form positive "
                    "definite and the bound attained on the simplex for symbolic M; " + _JENSEN_HAND),
        Check("minimiser_exists_in_every_admitted_dimension", "proof", _structure_exists,
              parts=("minimiser",), scope="M in 2..10, d in 1..10 admitted by the claim"),
        Check("gd_minimiser_is_the_structure", "empirical", _thm4_1_gd, parts=("minimiser", "unique"),
              points=_THM41_GD_POINTS,
              thorough_points=({"loss": "dcl", "M": 5, "tau": "2"}, *(
                  {"loss": loss, "M": m, **({"d": d} if d else {}), "tau": tau_} for loss in _THM41_LOSSES
                  for m, d in ((3, None), (6, None), (6, 8)) for tau_ in ("0.2", "1", "3"))),
              scope="the five losses at M = 4, d = 3, tau = 0.5, and (dhel, M = 2, d = 2, tau = 0.3), "
                    "(infonce, 3, 4, 0.2); 3 seeded L-BFGS restarts"),
        Check("no_ccem_member_is_lower", "numerical", _thm4_1_ccem, parts=("minimiser",),
              points=tuple({"loss": loss, "M": 4, "d": 4, "tau": "0.5"} for loss in _THM41_LOSSES),
              thorough_points=tuple({"loss": loss, "M": m, "d": m, "tau": tau_} for loss in _THM41_LOSSES
                                    for m in (3, 10) for tau_ in ("0.2", "3")),
              scope="the five losses at M = d = 4, tau = 0.5: CCEM(delta) by grid + golden section, 40 digits"),
    ),
    mutants=(
        Mutant("antipodal_views", "v_i = -u_i maximises the alignment term; the bound and GD go far below it",
               _THM41_CLAIM.vary(structure=Antipodal)),
        Mutant("scope_M_le_d_plus_2", "M = d + 2 points cannot form a centred simplex in R^d",
               _THM41_CLAIM.vary(M=sp.And(H.M > 1, H.M <= H.d + 2))),
        Mutant("tau_nonzero", "with tau < 0 the margins flip: the antipodal structure beats the simplex",
               _THM41_CLAIM.vary(tau=sp.Ne(H.tau, 0))),
    ),
)


# --- ext: the class of anchor forms ----------------------------------------------------------

def _class_jensen(claim, point, evidence):
    """Every single-view form of the class with the point's ``phi`` (sums of class members are
    members: their bounds add and are attained together) and every ``kappa`` the claim admits:
    the Jensen bound is the minimum, attained by the claimed structure."""
    if point["phi"] not in claim.phis:
        raise Inconclusive(f"phi {point['phi']} is not in the claimed class")
    refuted = _witness(claim, "weight", W, lambda w: _lower_challenger(
        lambda g: w * P.anchor_form_value(P.AnchorForm(point["phi"], 1, claim.views), g, 1), claim.structure))
    if refuted:
        return refuted
    kappa_min = claim.kappa.as_set().inf
    for view in claim.views:
        form = P.AnchorForm(point["phi"], P.kappa, (view,))
        message = _simplex_minimiser_of(form, claim, evidence, kappa_min, tag=f"{point['phi']} {view}")
        if message:
            return message
    evidence["kappa_min"] = str(kappa_min)
    return None


_CLASS_CLAIM = Claim({"structure": SimplexETF, "phis": tuple(P.PHIS), "views": P.VIEWS},
                     {"M": SIMPLEX_DIMENSION, "tau": H.tau > 0, "kappa": KAPPA >= sp.Rational(1, 2),
                      "weight": W > 0})

ANCHOR_FORM_SIMPLEX = Theorem(
    id="ext.anchor_form_simplex",
    source="this project's generalisation of Koromilas et al. (ICML 2024), Theorem 4.1 (whose "
           "statement names five losses: koromilas2024.thm4_1) to a class of anchor forms; the "
           "class's phi are the two the losses use (an earlier statement of this registry said "
           "'phi convex, symmetric, strictly increasing', which no check covered)",
    statement=r"1 < M \le d + 1,\ \tau > 0,\ \kappa \ge \tfrac12,\ w > 0,\ L = \frac wM \sum_{\text{views}}"
              r"\sum_{\text{anchors } a} \varphi\Big(\big(\tfrac{\langle a, n\rangle - \kappa s_a}{\tau}\big)_n\Big),\ "
              r"\varphi \in \{\log\textstyle\sum e^{z}, \log(1 + \sum e^{z})\},\ \text{negatives cross-view, "
              r"within-view or both}:\ (U, V) \in \arg\min L \iff u_i = v_i = w_i \text{ a simplex ETF}",
    parts=(Part("minimiser", r"u_i = v_i = w_i \text{ (a simplex ETF) minimises every form of the class}"),
           Part("unique", r"\text{every minimiser is of this form, up to rotation and permutation}")),
    claim=_CLASS_CLAIM,
    checks=(
        Check("jensen_bound_attained_on_simplex", "proof", _class_jensen, parts=("minimiser", "unique"),
              points=tuple({"phi": phi} for phi in P.PHIS),
              scope="both phi, the six single views, every M >= 2, tau > 0 and kappa >= 1/2 (margin "
                    "forms positive definite for M = m + 2, kappa = 1/2 + k, m, k >= 0: polynomials "
                    "with non-negative coefficients); " + _JENSEN_HAND + "; sums of members are members"),
        Check("minimiser_exists_in_every_admitted_dimension", "proof", _structure_exists,
              parts=("minimiser",), scope="M in 2..10, d in 1..10 admitted by the claim"),
    ),
    mutants=(
        Mutant("kappa_ge_one_quarter", "with kappa = 1/4 < (M-2)/(2(M-1)) (M >= 4) the antipodal "
               "structure beats the simplex on cross-view negatives",
               _CLASS_CLAIM.vary(kappa=KAPPA >= sp.Rational(1, 4))),
        Mutant("antipodal_views", "v_i = -u_i is the worst alignment", _CLASS_CLAIM.vary(structure=Antipodal)),
        Mutant("scope_M_le_d_plus_2", "M = d + 2 points cannot form a centred simplex in R^d",
               _CLASS_CLAIM.vary(M=sp.And(H.M > 1, H.M <= H.d + 2))),
        Mutant("any_weight", "a negative weight turns the minimiser into a maximiser",
               _CLASS_CLAIM.vary(weight=sp.Ne(W, 0))),
    ),
)


# --- Minimal values --------------------------------------------------------------------------
# claim value "minimum": loss -> closed form (in clverify.theory.minima's M, tau), written by hand from
# s_+ = 1, s_- = -1/(M-1) in every Gram matrix.

_E = sp.exp(-M / (tau * (M - 1)))
_MIN_VALUES = {
    "infonce": sp.log(1 + (M - 1) * _E),
    "infonce-sym": 2 * sp.log(1 + (M - 1) * _E),   # both directions summed (clverify.theory.losses)
    "ntxent": sp.log(1 + 2 * (M - 1) * _E),
    "dcl": -1 / tau + sp.log(2 * (M - 1)) - 1 / (tau * (M - 1)),
    "dhel": -1 / tau + 2 * sp.log(M - 1) - 2 / (tau * (M - 1)),
    "dhel-1view": -1 / tau + sp.log(M - 1) - 1 / (tau * (M - 1)),
}


def _min_value_jensen(claim, point, evidence):
    """The claimed closed form equals the Jensen bound of the loss's anchor form (the minimum
    for tau > 0, attained by the simplex: koromilas2024.thm4_1's argument)."""
    loss = point["loss"]
    if not _is_anchor_form(loss):
        raise Inconclusive(f"{loss} is not shown equal to {ANCHOR_FORMS[loss]}")
    bound = _anchor_bound(ANCHOR_FORMS[loss], claim, evidence)
    if isinstance(bound, str):
        return f"{loss}: {bound}"
    return None if P.is_zero(claim.minimum[loss] - bound) else (
        f"{loss}: claimed minimum {claim.minimum[loss]}, the minimum is {sp.simplify(bound)}")


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
    """The closed form at ``(M, tau)`` equals the loss on exact simplex vectors in the smallest
    admitted dimension (40 digits)."""
    loss, d = point["loss"], _dimension(claim, point)
    shape, missing = _structure_at(SimplexETF, point["M"], d)
    return missing or _claimed_vs_explicit(claim.minimum[loss], loss, point["M"], shape, {"tau": point["tau"]},
                                           evidence, f"{loss} (M={point['M']}, d={d}, tau={point['tau']})")


def _min_value_gd(claim, point, evidence):
    """GD in the smallest admitted dimension reaches the claimed minimum and never goes below
    it (above it: Inconclusive)."""
    loss, params, d = point["loss"], {"tau": _num(point["tau"])}, _dimension(claim, point)
    value = float(K.claimed_value_at(claim.minimum[loss], loss, point["M"], params))
    r = K.gd_minimum(loss, point["M"], d, params, restarts=_RESTARTS)
    tol = K.GD_VALUE_RTOL * max(abs(value), K.GD_VALUE_FLOOR)
    evidence.update(gd_loss=r.loss, gd_minus_claimed=r.loss - value)
    if r.loss < value - tol:
        return (f"{loss} (M={point['M']}, d={d}): GD reaches {r.loss:.15g} below the claimed "
                f"minimum {value:.15g}")
    if not r.converged or r.loss > value + tol:
        raise Inconclusive(f"{loss}: GD stopped at {r.loss:.15g} above the claimed minimum {value:.15g}")
    return None


_MIN_CLAIM = Claim({"minimum": _MIN_VALUES}, {"M": SIMPLEX_DIMENSION, "tau": H.tau > 0})


def _wrong(loss, value):
    return _MIN_CLAIM.vary(minimum={**_MIN_VALUES, loss: value})


MIN_VALUES = Theorem(
    id="koromilas2024.min_values",
    source="derived here (not quoted from Koromilas et al., ICML 2024): each loss as written in the "
           "authors' public code (github.com/pakoromilas/DHEL-KCL; docs/losses.md) evaluated on the "
           "simplex ETF; DHEL is the two-view variant (include_augs=True), dhel-1view the one-view "
           "variant (include_augs=False)",
    statement=r"1 < M \le d + 1,\ \tau > 0:\ \min L_{\mathrm{InfoNCE}} = \tfrac12 \min L_{\mathrm{InfoNCE_{sym}}} "
              r"= \log\big(1 + (M-1)e^{-M/(\tau(M-1))}\big),\ "
              r"\min L_{\mathrm{NT\text{-}Xent}} = \log\big(1 + 2(M-1)e^{-M/(\tau(M-1))}\big),\ "
              r"\min L_{\mathrm{DCL}} = -\tfrac1\tau + \log 2(M-1) - \tfrac{1}{\tau(M-1)},\ "
              r"\min L_{\mathrm{DHEL}} = -\tfrac1\tau + 2\log(M-1) - \tfrac{2}{\tau(M-1)} \text{ (two views)},\ "
              r"\min L_{\mathrm{DHEL, 1 view}} = -\tfrac1\tau + \log(M-1) - \tfrac{1}{\tau(M-1)}",
    parts=(Part("value", r"\min L \text{ equals the closed form, for each of the six losses}"),),
    claim=_MIN_CLAIM,
    uses=("koromilas2024.thm4_1",),
    checks=(
        Check("jensen_bound_equals_claimed_value", "proof", _min_value_jensen, parts=("value",),
              points=tuple({"loss": loss} for loss in _MIN_VALUES),
              scope="the six losses, every M >= 2 and tau > 0 (symbolic): the minimum is the Jensen "
                    "bound of koromilas2024.thm4_1's argument; " + _JENSEN_HAND),
        Check("attained_in_every_admitted_dimension", "proof", _structure_exists, parts=("value",),
              scope="M in 2..10, d in 1..10 admitted by the claim: the bound is attained only on "
                    "the simplex ETF (koromilas2024.thm4_1, unique), which must exist there"),
        Check("equals_loss_on_exact_simplex_vectors", "numerical", _min_value_explicit, parts=("value",),
              points=tuple({"loss": loss, "M": 4, "tau": "0.3"} for loss in _MIN_VALUES),
              thorough_points=tuple({"loss": loss, "M": m, "tau": tau_} for loss in _MIN_VALUES
                                    for m in (2, 7) for tau_ in ("0.2", "5")),
              scope="M = 4, d = 3, tau = 0.3: the loss on exact simplex vectors to 40 digits"),
        Check("gd_reaches_and_never_beats_it", "empirical", _min_value_gd, parts=("value",),
              points=tuple({"loss": loss, "M": 4, "tau": "0.3"} for loss in _MIN_VALUES),
              thorough_points=tuple({"loss": loss, "M": m, **({"d": d} if d else {}), "tau": "1"}
                                    for loss in _MIN_VALUES for m, d in ((3, None), (6, None), (8, 10))),
              scope="M = 4, d = 3, tau = 0.3, 3 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("dhel_log_M", "log M for log(M - 1): the DHEL denominator has M - 1 terms",
               _wrong("dhel", -1 / tau + 2 * sp.log(M) - 2 / (tau * (M - 1)))),
        Mutant("dcl_keeps_the_positive", "that is NT-Xent's value; DCL drops e^{1/tau} from the denominator",
               _wrong("dcl", _MIN_VALUES["ntxent"])),
        Mutant("ntxent_cross_view_only", "NT-Xent also has M - 1 within-view negatives per anchor",
               _wrong("ntxent", _MIN_VALUES["infonce"])),
        Mutant("scope_M_le_d_plus_2", "at M = d + 2 the simplex does not fit, so the minimum is higher",
               _MIN_CLAIM.vary(M=sp.And(H.M > 1, H.M <= H.d + 2))),
    ),
)


# --- Decoupling ------------------------------------------------------------------------------
# claim values: "pair" (V as a function of U at a minimiser; the statement: V = U), and per
# loss the alignment optimum A and the energy weight c of  min L = A + c min_U E(U).

_DECOUPLED = ("dhel", "dhel-1view", "kcl")
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
    {"tau": H.tau > 0, "gamma": H.gamma > 0, "t": H.t > 0})

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
    n = next((k for k in range(10) if P.admitted(claim.n, n=k)), None)
    if n is None:
        raise Inconclusive(f"the claim's hypothesis {claim.n} admits no n < 10")
    return n


@lru_cache(maxsize=None)
def _moment(pdf, k: int, n0: int):
    """The k-th moment of ``pdf`` over [-1, 1] for ``n = m + n0`` (SymPy)."""
    return sp.simplify(sp.integrate(s_**k * pdf.subs(n_, _m2 + n0), (s_, -1, 1)))


def _density_beta(claim, point, evidence):
    r"""The claimed pdf is the density of :math:`s` with :math:`s^2 \sim
    \mathrm{Beta}(\tfrac12, \tfrac{n-1}2)` and a symmetric sign: :math:`(1-s^2)^{(n-3)/2} /
    B(\tfrac12, \tfrac{n-1}2)` (SymPy, symbolic ``n`` from the smallest admitted on; at that
    ``n`` also exactly).  Hand: :math:`u\cdot v` is distributed as :math:`z_1/|z|` for
    Gaussian :math:`z \in \mathbb R^n`, so :math:`s^2 = \chi^2_1/(\chi^2_1 + \chi^2_{n-1})`."""
    n0 = _smallest_n(claim)
    beta = (1 - s_**2) ** ((n_ - 3) / 2) * sp.gamma(n_ / 2) / (sp.gamma(sp.Rational(1, 2)) * sp.gamma((n_ - 1) / 2))
    if n0 < 2:
        return f"n = {n0} is admitted, but u.v on S^{n0 - 1} has no density (it takes at most two values)"
    gap = sp.simplify(sp.gammasimp((claim.pdf - beta).subs(n_, _m2 + n0)))
    evidence["pdf_minus_beta"] = str(gap)
    return None if gap == 0 else f"the claimed pdf differs from the Beta(1/2, (n-1)/2) density of s by {gap}"


def _density_symbolic(claim, point, evidence):
    """Mass 1, mean 0, variance ``claim.variance`` for symbolic ``n`` from the smallest admitted
    ``n`` on (SymPy integrals)."""
    n0 = _smallest_n(claim)
    for k, want in enumerate((1, 0, claim.variance.subs(n_, _m2 + n0))):
        got = _moment(claim.pdf, k, n0)
        evidence[f"moment_{k}"] = str(got)
        if sp.simplify(got - want) != 0:
            return f"moment {k} of the claimed density is {got}, claimed {want} (n = m + {n0})"
    return None


def _density_quadrature(claim, point, evidence):
    """``K.density``: tanh-sinh quadrature at 60 digits of the claimed pdf and variance at ``n``."""
    if not P.admitted(claim.n, n=point["n"]):
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
    if not (P.admitted(claim.d, d=point["d"]) and P.admitted(claim.tau, tau=point["tau"])):
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

THEOREMS = [THM4_1, ANCHOR_FORM_SIMPLEX, MIN_VALUES, DECOUPLING, DENSITY, ASYMPTOTIC_UNIFORM]
