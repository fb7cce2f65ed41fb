r"""The machine-checked steps of the minimiser proofs behind the ``koromilas2024`` entries.

Each argument is a lower bound on the loss that the claimed structure attains.  Its algebra
(identities, coefficients, signs, the value of the bound) is checked here with SymPy; the
steps that are one-line facts of analysis are stated, not checked, and every registry check
that uses an argument lists them in its scope.

**Anchor forms** (Theorem 4.1).  A loss :math:`L = \frac wM \sum_{\text{views}} \sum_{\text{anchors }
a} \varphi(z_a)` with margins :math:`z_{a,n} = (\langle a, n\rangle - \kappa s_a)/\tau` over the
anchor's negatives ``n`` (:class:`AnchorForm`).  Hand-argued: :math:`\varphi` (log-sum-exp, or
:math:`\log(1 + \sum e^z)`) is convex and symmetric, so :math:`\varphi(z_a) \ge
g(\bar z_a)`, :math:`g(c) = \varphi(c\mathbf 1)` convex and increasing, so the loss is at least
:math:`w\,g` of the mean margin of each view; the mean margin is :math:`Q/(\tau M n)` with the
margin sum :math:`Q = \alpha\langle s, r\rangle + \beta_u|s|^2 + \beta_v|r|^2 - \gamma P + \delta`
(:math:`s = \sum u_i`, :math:`r = \sum v_i`, :math:`P = \sum u_i\cdot v_i`; coefficients
:func:`margin_sum`, checked against the Gram entries by :func:`margin_sum_holds`), and
Cauchy-Schwarz gives :math:`P \le M - |s - r|^2/(2M)`.  Checked here: :math:`\gamma > 0` and
the quadratic form in :math:`(s, r)` that remains is positive definite for every
:math:`M \ge 2` (:func:`positive_definite`), so :math:`Q \ge \delta - \gamma M` with equality
iff :math:`s = r = 0` and :math:`u_i = v_i`; and the bound (:func:`anchor_bound`) equals the
loss on the simplex ETF.  Equality in the Jensen steps makes every anchor's margins equal,
which with :math:`\sum u_i = 0` gives :math:`u_i\cdot u_j = -1/(M-1)`: the simplex (hand).

**Gaussian KCL, simplex** (:func:`kcl_simplex_bound`): :math:`K(u, v) \le K(0)`, and
Jensen on the convex decreasing :math:`r^2 \mapsto e^{-t r^2}` with
:math:`\sum_{i \ne j}|u_i - u_j|^2 = 2M^2 - 2|s|^2` (:func:`distance_sum_holds`).

**Gaussian KCL, cross-polytope** (:func:`cross_polytope_bound`): the linear-programming bound
with the quadratic :math:`h` that interpolates :math:`f(x) = e^{-t(2 - 2x)}` at
:math:`x = -1` and with its derivative at :math:`x = 0`; :math:`f - h \ge 0` on :math:`[-1, 1]`
because :math:`f''' > 0` (Hermite's remainder, hand), and
:math:`\sum_{ij} h(u_i\cdot u_j) = aM^2 + b|s|^2 + c\|\sum u_i u_i^T\|_F^2 \ge aM^2 + cM^2/d`
when :math:`b, c \ge 0` (:func:`interpolant_signs`; the Frobenius bound is Cauchy-Schwarz
on the eigenvalues, hand).

>>> from clverify.theory.structures import SimplexETF
>>> form = AnchorForm("lse", sp.Rational(1, 2), ("u_within", "v_within"))   # DHEL
>>> positive_definite(form, sp.Rational(1, 2)), is_zero(
...     anchor_bound(form, tau) - anchor_form_value(form, SimplexETF(M).grams(), tau))
(True, True)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import sympy as sp

from clverify.theory import minima
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import kcl_kernel
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import DoubleConstantSimilarity, ExplicitSimilarity, Grams
from clverify.theory.structures import Antipodal, SimplexETF

from .registry import Inconclusive, satisfied

__all__ = ["M", "tau", "gamma", "t", "kappa", "PHIS", "VIEWS", "AT", "WITNESS_TOL", "AnchorForm", "is_zero",
           "generic_grams", "view_sum", "anchor_form_value", "margin_sum", "margin_sum_holds",
           "positive_on_orthant", "positive_definite", "anchor_bound", "first_indefinite_size",
           "distance_sum_holds", "kernel_decreasing_convex", "kcl_simplex_bound",
           "cross_polytope_interpolant", "interpolant_signs", "cross_polytope_bound",
           "smallest_dimension", "missing_structure", "outside", "challengers"]

M, tau, gamma, t = minima.M, minima.tau, minima.gamma, minima.t
kappa = sp.Symbol("kappa", real=True)
#: The convex symmetric functions of a vector of margins: :math:`\log\sum e^{z}` and
#: :math:`\log(1 + \sum e^{z})`, as functions of the sum of exponentials.
PHIS = {"lse": sp.log, "lse1": lambda total: sp.log(1 + total)}
#: The negatives of an anchor: ``u_*`` anchors u_i, ``v_*`` anchors v_i; ``cross`` the other
#: view's points, ``within`` the same view's, ``all`` both (always j != i).
VIEWS = ("u_cross", "v_cross", "u_within", "v_within", "u_all", "v_all")
#: A rational parameter point at which a symbolic difference is evaluated first.
AT = {M: 7, tau: sp.Rational(3, 7), gamma: sp.Rational(5, 2), t: sp.Rational(3, 4), kappa: sp.Rational(5, 8)}
#: A difference evaluated at :data:`AT` (30 digits) is "non-zero" above this.
WITNESS_TOL = 1e-15
_m, _k = sp.symbols("m k", nonnegative=True)     # M = m + 2, kappa = kappa_min + k


class AnchorForm(NamedTuple):
    r"""A loss as :math:`\frac wM \sum_{\text{views}}\sum_{\text{anchors } a}\varphi(z_a)`, margins
    :math:`z_{a,n} = (\langle a, n\rangle - \kappa s_a)/\tau`; ``phi`` a key of :data:`PHIS`,
    ``views`` from :data:`VIEWS`."""

    phi: str
    kappa: Any
    views: tuple
    weight: Any = 1


def _exponents_together(expr):
    return expr.replace(lambda e: isinstance(e, sp.exp), lambda e: sp.exp(sp.factor(sp.together(e.args[0]))))


def is_zero(expr, at: dict = AT) -> bool:
    """Whether the real ``expr`` is zero: ``False`` when its value at the rational point ``at``
    (30 digits) is not, ``True`` when SymPy simplifies ``exp(expr)`` to 1 (exponents put over
    one denominator); Inconclusive when neither decides."""
    value = sp.N(sp.sympify(expr).subs(at), 30)
    if abs(value) > WITNESS_TOL:
        return False
    if sp.simplify(_exponents_together(sp.simplify(_exponents_together(sp.exp(expr))))) == 1:
        return True
    raise Inconclusive(f"cannot prove that {expr} is zero (|value| = {value} at {at})")


def generic_grams(size: int) -> Grams:
    """Similarity matrices with one real symbol per entry (``x`` cross-view, ``y``, ``z``
    within each view, symmetric with unit diagonal)."""
    def within(name):
        return sp.Matrix(size, size, lambda i, j: 1 if i == j else sp.Symbol(f"{name}{min(i, j)}_{max(i, j)}", real=True))
    uv = sp.Matrix(size, size, lambda i, j: sp.Symbol(f"x{i}_{j}", real=True))
    return Grams(*(ExplicitSimilarity(S) for S in (uv, within("y"), within("z"))))


# --- Anchor forms ----------------------------------------------------------------------------

def view_sum(view: str, grams: Grams, reduce):
    r""":math:`\sum_a` ``reduce(s_a, negatives)`` over the anchors of ``view``, with
    ``negatives(g)`` :math:`= \sum_n g(\langle a, n\rangle)` (symbolic ``M`` for double-constant
    matrices)."""
    anchor, within = (grams.uv, grams.uu) if view[0] == "u" else (grams.uv.T, grams.vv)
    kind = view.split("_", 1)[1]

    def row(s, cross, _, same):
        negatives = {"cross": cross, "within": same, "all": lambda g: cross(g) + same(g)}[kind]
        return reduce(s, negatives)
    return anchor.sum_rows_with(within, row)


def anchor_form_value(form: AnchorForm, grams: Grams, tau_=tau):
    """The anchor form on ``grams`` (SymPy)."""
    phi = PHIS[form.phi]
    total = sum(view_sum(v, grams, lambda s, neg: phi(neg(lambda x: sp.exp((x - form.kappa * s) / tau_))))
                for v in form.views)
    return form.weight * total / grams.N


class MarginSum(NamedTuple):
    r""":math:`Q = \alpha\langle s, r\rangle + \beta_u|s|^2 + \beta_v|r|^2 - \gamma P + \delta`, and the
    number ``n`` of negatives per anchor."""

    alpha: Any
    beta_u: Any
    beta_v: Any
    gamma: Any
    delta: Any
    n: Any


def margin_sum(view: str, kappa_=kappa) -> MarginSum:
    r"""The sum over the anchors of ``view`` of :math:`\tau` times their margins, by hand:
    cross negatives give :math:`\langle s, r\rangle - P`, within ones :math:`|s|^2 - M`, and each
    of the ``n`` negatives :math:`-\kappa s_a` (checked by :func:`margin_sum_holds`)."""
    kind = view.split("_", 1)[1]
    alpha = int(kind in ("cross", "all"))
    beta = int(kind in ("within", "all"))
    n = (M - 1) * (2 if kind == "all" else 1)
    beta_u, beta_v = (beta, 0) if view[0] == "u" else (0, beta)
    return MarginSum(alpha, beta_u, beta_v, alpha + kappa_ * n, -beta * M, n)


def margin_sum_holds(view: str, size: int) -> bool:
    """Whether :func:`margin_sum` equals the margins summed over generic Gram matrices of
    ``size`` pairs (the hand formula is uniform in ``M``; this checks it at one size)."""
    grams = generic_grams(size)
    uv, uu, vv = (g.matrix for g in (grams.uv, grams.uu, grams.vv))
    c = margin_sum(view)
    table = (c.alpha * sum(uv) + c.beta_u * sum(uu) + c.beta_v * sum(vv) - c.gamma * uv.trace() + c.delta)
    summed = view_sum(view, grams, lambda s, neg: neg(lambda x: x - kappa * s))
    counted = view_sum(view, grams, lambda s, neg: neg(lambda x: 1))
    return (sp.expand(summed - table.subs(M, size)) == 0
            and sp.expand(counted - size * c.n.subs(M, size)) == 0)


def positive_on_orthant(expr, variables) -> bool:
    """Whether ``expr`` is shown positive for all non-negative ``variables``: numerator and
    denominator polynomials (after ``together``) with non-negative coefficients and a positive
    constant term, both of the same sign.  False means *not shown*, not negative."""
    numerator, denominator = sp.fraction(sp.together(sp.expand(expr)))
    signs = []
    for p in (numerator, denominator):
        poly = sp.Poly(sp.expand(p), *variables)
        coefficients = poly.coeffs()
        constant = poly.coeff_monomial(1)
        if all(c >= 0 for c in coefficients) and constant > 0:
            signs.append(1)
        elif all(c <= 0 for c in coefficients) and constant < 0:
            signs.append(-1)
        else:
            return False
    return signs[0] == signs[1]


def _view_conditions(view: str, kappa_):
    r"""``gamma``, the top-left entry and the determinant of the form in :math:`(s, r)` left by
    Cauchy-Schwarz: :math:`\begin{pmatrix}\beta_u + g & \alpha/2 - g\\ \alpha/2 - g & \beta_v + g
    \end{pmatrix}`, :math:`g = \gamma/(2M)`."""
    c = margin_sum(view, kappa_)
    g = c.gamma / (2 * M)
    form = sp.Matrix([[c.beta_u + g, sp.Rational(c.alpha, 2) - g], [sp.Rational(c.alpha, 2) - g, c.beta_v + g]])
    return c.gamma, form[0, 0], form.det()


def positive_definite(form: AnchorForm, kappa_min=None) -> bool:
    """Whether, for every view of ``form``, ``gamma > 0`` and the form in ``(s, r)`` is positive
    definite for every ``M >= 2`` (and every ``kappa >= kappa_min`` when given: then
    ``form.kappa`` is ignored).  False means *not shown*."""
    k = form.kappa if kappa_min is None else kappa_min + _k
    return all(positive_on_orthant(condition.subs(M, _m + 2), (_m, _k))
               for view in form.views for condition in _view_conditions(view, k))


def first_indefinite_size(view: str, kappa_, sizes=range(2, 65)):
    """The first ``M`` in ``sizes`` at which a condition of :func:`positive_definite` fails
    for ``view`` at the number ``kappa_`` (None if none does)."""
    for size in sizes:
        if any(sp.nsimplify(c.subs(M, size)) <= 0 for c in _view_conditions(view, kappa_)):
            return size
    return None


def anchor_bound(form: AnchorForm, tau_=tau):
    r"""The Jensen bound :math:`w\sum_{\text{views}} \varphi\big(n\,e^{(\delta - \gamma M)/(\tau M n)}\big)`."""
    total = 0
    for view in form.views:
        c = margin_sum(view, form.kappa)
        total += PHIS[form.phi](c.n * sp.exp((c.delta - c.gamma * M) / (tau_ * M * c.n)))
    return form.weight * total


# --- Gaussian KCL ----------------------------------------------------------------------------

_r2 = sp.Symbol("r2", nonnegative=True)
_x = sp.Symbol("x", real=True)


def _gaussian(r2):
    return kcl_kernel("gaussian")(r2, t, SYMPY_OPS)


def distance_sum_holds(size: int) -> bool:
    r"""Whether :math:`\sum_{i\ne j}|u_i - u_j|^2 = 2M^2 - 2\sum_{ij} u_i\cdot u_j` for the
    library's squared distances of a generic within-view matrix of ``size`` points."""
    S = generic_grams(size).uu
    summed = S.squared_distances().sum_off_diagonal(lambda r2: r2)
    return sp.expand(summed - (2 * size**2 - 2 * sum(S.matrix))) == 0


def kernel_decreasing_convex() -> bool:
    """Whether SymPy shows the Gaussian kernel strictly decreasing and strictly convex in the
    squared distance (``t > 0``)."""
    K = _gaussian(_r2)
    return bool(sp.diff(K, _r2).is_negative and sp.diff(K, _r2, 2).is_positive)


def kcl_simplex_bound():
    r""":math:`-2K(0) + 2\gamma K\big(\tfrac{2M}{M-1}\big)`: the alignment at its maximum and each
    view's energy at Jensen's bound with the largest mean squared distance."""
    return -2 * _gaussian(0) + 2 * gamma * _gaussian(2 * M / (M - 1))


def cross_polytope_interpolant():
    r"""``(a, b, c)`` with :math:`h = a + bx + cx^2` equal to :math:`f(x) = K(2 - 2x)` at
    :math:`x = -1` and to first order at :math:`x = 0` (SymPy solves the three conditions)."""
    f = _gaussian(2 - 2 * _x)
    a, b, c = sp.symbols("a b c")
    h = a + b * _x + c * _x**2
    (solution,) = sp.solve([h.subs(_x, 0) - f.subs(_x, 0), sp.diff(h - f, _x).subs(_x, 0),
                            h.subs(_x, -1) - f.subs(_x, -1)], [a, b, c], dict=True)
    return solution[a], solution[b], solution[c]


def interpolant_signs() -> str | None:
    r"""None if SymPy shows :math:`f''' > 0`, :math:`b > 0` and :math:`c > 0` (``t > 0``; ``c``
    through :math:`c\,e^{4t} = p(t)` with :math:`p(0) = 0`, :math:`p' > 0`), else which failed."""
    _, b, c = cross_polytope_interpolant()
    p = sp.simplify(c * sp.exp(4 * t))
    shown = {"f''' > 0": sp.diff(_gaussian(2 - 2 * _x), _x, 3).is_positive, "b > 0": b.is_positive,
             "c e^{4t} = 0 at t = 0": sp.simplify(p.subs(t, 0)) == 0,
             "d/dt (c e^{4t}) > 0": sp.simplify(sp.diff(p, t)).is_positive}
    failed = [name for name, ok in shown.items() if not ok]
    return f"not shown: {', '.join(failed)}" if failed else None


def cross_polytope_bound(d):
    r"""The LP bound on Gaussian KCL for ``M`` points in dimension ``d``:
    :math:`-2K(0) + 2\gamma\,\frac{aM^2 + cM^2/d - M h(1)}{M(M-1)}`."""
    a, b, c = cross_polytope_interpolant()
    energy = (a * M**2 + c * M**2 / d - M * (a + b + c)) / (M * (M - 1))
    return -2 * _gaussian(0) + 2 * gamma * energy


# --- Hypotheses: dimensions, parameters, challengers ------------------------------------------

def smallest_dimension(relation, size: int):
    """The smallest ``d`` in ``1..size + 1`` at which ``relation`` admits ``M = size`` (None if none)."""
    return next((d for d in range(1, size + 2) if satisfied(relation, M=size, d=d)), None)


def missing_structure(structure, relation, sizes=range(2, 11), dimensions=range(1, 11)) -> str | None:
    """A message if ``structure(M, d)`` does not exist at some ``(M, d)`` of the grid that
    ``relation`` admits (a minimiser exists at every ``(M, d)``: a continuous loss on a compact
    product of spheres), else None."""
    for size in sizes:
        for d in dimensions:
            if satisfied(relation, M=size, d=d):
                try:
                    structure(size, d)
                except InvalidParameterError as exc:
                    return (f"at M = {size}, d = {d} (admitted by {relation}) the claimed minimiser "
                            f"{structure.__name__} does not exist ({exc}), yet a minimiser does")
    return None


def outside(relation, symbol, domain=sp.Interval.open(0, sp.oo)):
    """A value of ``symbol`` that ``relation`` admits outside ``domain`` (where a proof holds),
    or None: ``-1`` if admitted, else the midpoint or an end of the first piece."""
    extra = relation.as_set() - domain if relation.free_symbols == {symbol} else sp.S.EmptySet
    if extra is sp.S.EmptySet:
        return None
    if extra.contains(-1) is sp.true:
        return sp.Integer(-1)
    piece = extra.args[0] if isinstance(extra, sp.Union) else extra
    if isinstance(piece, sp.FiniteSet):
        return min(piece)
    lo, hi = piece.inf, piece.sup
    return (lo + hi) / 2 if lo.is_finite and hi.is_finite else (hi - 1 if hi.is_finite else lo + 1)


def challengers(size) -> dict:
    """Exact alternatives to a claimed minimiser: every point aligned (``u_i = v_i = e``) and
    the antipodal structure (``u_i = e``, ``v_i = -e``)."""
    one = sp.Integer(1)
    aligned = DoubleConstantSimilarity(size, one, one)
    return {"aligned collapse": Grams(aligned, aligned, aligned), "antipodal": Antipodal(size).grams(),
            "simplex ETF": SimplexETF(size).grams()}
