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

from functools import lru_cache

import mpmath
import sympy as sp

from clverify.numerics.precision.ccem_optimum import ccem_optimum
from clverify.proofs_check import koromilas_checks as K
from clverify.proofs_check import koromilas_proofs as P
from clverify.theory import minima
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import LOSSES
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.structures import Antipodal, SimplexETF

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem

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
        if not claim.admits("M", M=point["M"], d=point["d"]):
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


def _witness(claim, name, symbol, value_at) -> str | None:
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


#: The check that the claimed minimiser exists wherever the claim's dimension hypothesis admits.
EXISTS_IN_EVERY_ADMITTED_DIMENSION = Check(
    "minimiser_exists_in_every_admitted_dimension", "proof", _structure_exists, parts=("minimiser",),
    scope="M in 2..10, d in 1..10 admitted by the claim")
#: The uniqueness part of a minimiser statement.
UNIQUE = Part("unique", r"\text{every minimiser is of this form, up to rotation and permutation}")


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
        first = [P.first_indefinite_size(view, kappa_min) for view in form.views]
        found = _lower_challenger(value_at(1, kappa_min), structure,
                                  range(min((m for m in first if m), default=2), _WITNESS_SIZES.stop))
        if found:
            return f"kappa = {kappa_min} (admitted by {claim.kappa}): {found}"
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
           UNIQUE),
    claim=_THM41_CLAIM,
    checks=(
        EXISTS_IN_EVERY_ADMITTED_DIMENSION,
        Check("jensen_bound_attained_on_simplex", "proof", _thm4_1_jensen, parts=("minimiser", "unique"),
              points=tuple({"loss": loss} for loss in _THM41_LOSSES),
              scope="the five losses, every M >= 2 and tau > 0: SymPy shows each loss equal to its "
                    "anchor form (M = 3) and the margin sums (M = 3, 4), the margin form positive "
                    "definite and the bound attained on the simplex for symbolic M; " + _JENSEN_HAND),
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
    kappa_min = claim.kappa.as_set().inf
    if not kappa_min.is_finite:
        raise Inconclusive(f"the claim's hypothesis {claim.kappa} bounds kappa from below by no number")
    refuted = _witness(claim, "weight", W, lambda w: _lower_challenger(
        lambda g: w * P.anchor_form_value(P.AnchorForm(point["phi"], kappa_min, claim.views), g, 1),
        claim.structure))
    if refuted:
        return refuted
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
           UNIQUE),
    claim=_CLASS_CLAIM,
    checks=(
        EXISTS_IN_EVERY_ADMITTED_DIMENSION,
        Check("jensen_bound_attained_on_simplex", "proof", _class_jensen, parts=("minimiser", "unique"),
              points=tuple({"phi": phi} for phi in P.PHIS),
              scope="both phi, the six single views, every M >= 2, tau > 0 and kappa >= 1/2 (margin "
                    "forms positive definite for M = m + 2, kappa = 1/2 + k, m, k >= 0: polynomials "
                    "with non-negative coefficients); " + _JENSEN_HAND + "; sums of members are members"),
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
        Check("attained_in_every_admitted_dimension", "proof", _structure_exists, parts=("value",),
              scope="M in 2..10, d in 1..10 admitted by the claim: the bound is attained only on "
                    "the simplex ETF (koromilas2024.thm4_1, unique), which must exist there"),
        Check("jensen_bound_equals_claimed_value", "proof", _min_value_jensen, parts=("value",),
              points=tuple({"loss": loss} for loss in _MIN_VALUES),
              scope="the six losses, every M >= 2 and tau > 0 (symbolic): the minimum is the Jensen "
                    "bound of koromilas2024.thm4_1's argument; " + _JENSEN_HAND),
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

THEOREMS = [THM4_1, ANCHOR_FORM_SIMPLEX, MIN_VALUES]
