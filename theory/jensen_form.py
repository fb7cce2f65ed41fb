r"""A loss read as a sum over rows that Jensen's inequality and Lemma 1 can bound.

Lee et al.'s Theorem 1 shows that the CCEM contains the minimum of the sigmoid loss by an
argument that needs only the *form* of the loss.  Write :math:`s_{ij} = u_i\cdot v_j`,
:math:`a = \frac1N\sum_i s_{ii}` and :math:`c = \frac{1}{N(N-1)}\sum_{i\ne j} s_{ij}`.  If

.. math::
    L = \text{const} + \frac1N\Big[\sum_i F(s_{ii}) + \sum_{i\ne j} G(s_{ij})
        + \sum_k \sum_i P_k(s_{ii}, (s_{ij})_{j\ne i})\Big]

(rows of :math:`S` or of :math:`S^\top`) with :math:`F, G` convex on :math:`[-1, 1]`, :math:`G`
non-decreasing there, and each row term :math:`P_k` jointly convex, symmetric and
non-decreasing in the off-diagonal entries, then Jensen (over the rows, and over the
permutations of a row's entries) gives :math:`L \ge \Phi(a, c)`, where :math:`\Phi(a, c)` is the
loss of an embedding whose similarities all equal :math:`a` on the diagonal and :math:`c` off it;
:math:`\Phi` is non-decreasing in :math:`c`, and Lemma 1 (``lee2024.lemma1``) gives
:math:`c \ge c_{\min}(a) = \frac{(N-2)a - N}{2(N-1)}`, so :math:`L \ge \Phi(a, c_{\min}(a)) =
\ell(\frac{a + 1}{2})`, the loss of the CCEM with :math:`s_+ = a`: the CCEM family contains a
global minimiser whenever it exists (:math:`d \ge N`).

:func:`jensen_form` finds this form in a loss's own definition, by running it once on
*recording* similarity matrices of size ``N`` at exact parameter values: each reduction of
``grams.uv`` (or of its transpose) becomes a symbol, and the loss must be an affine function of
those symbols.  A row term :math:`P(d, \mathrm{off})` must be separable,
:math:`P = f(d) + \sum_m h_m(Y_m)`, each :math:`Y_m` a sum over the row: either
:math:`\sum_{j} e^{\kappa s_{ij} + \mu d + c}` (a log-sum-exp, read as
:math:`L_m = \log Y_m`, convex in the row for any :math:`\kappa > 0`), or :math:`\sum_j \varphi(s_{ij})`
with :math:`\varphi` convex and non-decreasing.  What remains to show is a list of
one-variable inequalities (:class:`Condition`): each a function that must be :math:`\ge 0` on an
interval, certified by :mod:`clverify.numerics.precision.ccem_optimality`.

>>> import sympy as sp
>>> from clverify.theory.losses import LOSSES
>>> form = jensen_form(LOSSES["sigmoid"], 5, {"t": sp.Integer(2), "b": sp.Integer(1)})
>>> [(c.name, round(float(c.expression.subs(c.variable, 0)), 12)) for c in form.conditions]  # at s = 0
[("F''(s) >= 0", 0.786447732966), ("G''(s) >= 0", 0.786447732966), ("G'(s) >= 0", 0.53788284274)]

(by hand: :math:`F'' = G'' = t^2\sigma(1 - 2s)\sigma(2s - 1)`, :math:`G' = t\sigma(2s - 1)` at
:math:`t = 2, b = 1`: :math:`4e/(1 + e)^2` and :math:`2/(1 + e)` at :math:`s = 0`.)
>>> jensen_form(LOSSES["dhel"], 5, {"tau": sp.Rational(1, 2)}).reason
'the loss uses within-view similarities (grams.uu, grams.vv): the Jensen and Lemma 1 argument bounds only u_i.v_j'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from . import derivation as D
from .losses import Loss
from .ops import SYMPY_OPS, exact
from .similarity import Grams, OffDiagonal, Similarity

__all__ = ["Condition", "JensenForm", "jensen_form", "ROW_FORM"]

#: The row form the argument covers, in words (docs and reasons).
ROW_FORM = ("P(d, row) = f(d) + sum_m h_m(Y_m), each Y_m a log-sum-exp of kappa s_ij + mu d + c "
            "(kappa > 0) or a sum of phi(s_ij) with phi convex and non-decreasing, h_m convex and "
            "non-decreasing")

_s, _d, _y = sp.symbols("s d y", real=True)


@dataclass(frozen=True)
class Condition:
    r"""``expression`` (in ``variable``) must be :math:`\ge 0` on ``[lo, hi]`` (exact numbers)."""

    name: str
    expression: sp.Expr
    variable: sp.Symbol
    lo: sp.Rational
    hi: sp.Rational


@dataclass(frozen=True)
class JensenForm:
    """The form of a loss at ``N`` and exact parameters: the ``conditions`` that make the CCEM
    optimal, or ``reason`` (the form was not found; ``conditions`` is then empty)."""

    N: int
    conditions: tuple[Condition, ...] = ()
    terms: dict = field(default_factory=dict)
    reason: str | None = None


class _NotCovered(Exception):
    """The loss does something the argument does not cover (the message says what)."""


class _Recorder(Similarity):
    """``grams.uv`` (or its transpose) of size ``N``: each reduction returns a fresh symbol and
    records what it sums."""

    ops = SYMPY_OPS

    def __init__(self, N: int, records: list):
        self.N, self.records = N, records

    def _symbol(self, kind: str, *data):
        symbol = sp.Symbol(f"_{kind}{len(self.records)}", real=True)
        self.records.append((symbol, kind, *data))
        return symbol

    def sum_diagonal(self, f):
        return self._symbol("diagonal", exact(f(_s)))

    def sum_off_diagonal(self, f):
        return self._symbol("off", exact(f(_s)))

    def sum_rows(self, f):
        sums = []

        def total(g):
            y = sp.Symbol(f"_y{len(self.records)}_{len(sums)}", positive=True)
            sums.append((y, exact(g(_s))))
            return y

        return self._symbol("row", exact(f(_d, OffDiagonal(total, SYMPY_OPS))), tuple(sums))

    @property
    def T(self):
        return self        # the transpose has the same mean diagonal and off-diagonal entries

    def rows(self):
        raise _NotCovered("the loss uses S.rows(): only the reductions sum_diagonal, "
                          "sum_off_diagonal and sum_rows are covered")

    def sum_rows_with(self, other, f):
        raise _NotCovered("the loss pairs the rows of two matrices (sum_rows_with)")


class _WithinView(_Recorder):
    def _symbol(self, kind, *data):
        raise _NotCovered("the loss uses within-view similarities (grams.uu, grams.vv): the "
                          "Jensen and Lemma 1 argument bounds only u_i.v_j")


def _is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def _affine(expr, symbols) -> dict | None:
    """The coefficients of ``expr`` in ``symbols`` if it is affine in them with numeric
    coefficients, else None."""
    coefficients = {}
    for symbol in symbols:
        slope = sp.simplify(sp.diff(expr, symbol))
        if slope.free_symbols or not slope.is_number:
            return None
        coefficients[symbol] = slope
    return coefficients


def _log_affine(phi):
    """``(kappa, mu, c)`` when :math:`\\log\\varphi = \\kappa s + \\mu d + c` exactly, else None."""
    log_phi = sp.expand(sp.expand_log(sp.log(phi), force=True))
    coefficients = _affine(log_phi, (_s, _d))
    if coefficients is None:
        return None
    rest = sp.simplify(log_phi - coefficients[_s] * _s - coefficients[_d] * _d)
    return None if rest.free_symbols else (coefficients[_s], coefficients[_d], rest)


def _unit(lo, hi):
    return sp.Integer(lo), sp.Integer(hi)


def _row_conditions(k: int, row, sums, N: int) -> list[Condition]:
    """The conditions that make one row term jointly convex, symmetric and non-decreasing in
    the row's off-diagonal entries (:data:`ROW_FORM`)."""
    zs, ranges, conditions = [], [], []
    for m, (y, phi) in enumerate(sums):
        lse = _log_affine(phi)
        if lse is not None:
            kappa, mu, c = lse
            if not kappa.is_positive:
                raise _NotCovered(f"row term {k}: a log-sum-exp of {sp.log(phi)} does not increase "
                                  "with the similarities (kappa <= 0)")
            z = sp.Symbol(f"_L{k}_{m}", real=True)
            row = row.subs(y, sp.exp(z))
            spread = abs(kappa) + abs(mu)
            ranges.append((z, sp.log(N - 1) + c - spread, sp.log(N - 1) + c + spread))
        else:
            if phi.has(_d):
                raise _NotCovered(f"row term {k}: a sum over the row of {phi} depends on the diagonal "
                                  "entry and is not a log-sum-exp of an affine function")
            conditions += [Condition(f"row {k}: phi_{m}''(s) >= 0", sp.diff(phi, _s, 2), _s, *_unit(-1, 1)),
                           Condition(f"row {k}: phi_{m}'(s) >= 0", sp.diff(phi, _s), _s, *_unit(-1, 1))]
            z = y   # phi is non-decreasing (a condition), so Y lies in (N - 1) [phi(-1), phi(1)]
            ranges.append((z, (N - 1) * phi.subs(_s, -1), (N - 1) * phi.subs(_s, 1)))
        zs.append(z)
    row = sp.simplify(row)
    variables = [_d, *zs]
    for i, a in enumerate(variables):
        for b in variables[i + 1:]:
            if not _is_zero(sp.diff(row, a, b)):
                raise _NotCovered(f"row term {k} is not a sum f(d) + sum_m h_m(Y_m) ({ROW_FORM})")
    conditions.append(Condition(f"row {k}: f''(d) >= 0", sp.diff(row, _d, 2), _d, *_unit(-1, 1)))
    for m, (z, lo, hi) in enumerate(ranges):
        h1, h2 = (sp.diff(row, z, order).subs(z, _y) for order in (1, 2))
        conditions += [Condition(f"row {k}: h_{m}''(y) >= 0", h2, _y, lo, hi),
                       Condition(f"row {k}: h_{m}'(y) >= 0", h1, _y, lo, hi)]
    return conditions


def jensen_form(loss: Loss, N: int, params: dict) -> JensenForm:
    r"""The form of ``loss`` at ``N`` and the exact parameter values ``params`` (SymPy numbers,
    or names for non-numeric parameters), or the reason it was not found.  The ends of a
    condition's interval are exact but may be irrational (:math:`\log(N - 1)`)."""
    records: list = []
    uv = _Recorder(N, records)
    grams = Grams(uv=uv, uu=_WithinView(N, []), vv=_WithinView(N, []))
    try:
        value = exact(loss(grams, SYMPY_OPS, **params))
        coefficients = _affine(value, [r[0] for r in records])
        if coefficients is None:
            raise _NotCovered("the loss is not a weighted sum of reductions of u_i.v_j (e.g. a log "
                              "of a sum): Jensen's inequality does not apply term by term")
        F = G = sp.Integer(0)
        rows = []
        for symbol, kind, *data in records:
            weight = N * coefficients[symbol]
            if kind == "diagonal":
                F += weight * data[0]
            elif kind == "off":
                G += weight * data[0]
            elif weight != 0:
                rows.append(_row_conditions(len(rows), weight * data[0], data[1], N))
        summed = [r[2] for r in records] + [phi for r in records if r[1] == "row" for _, phi in r[3]]
        if any(D.kinks(e, v) for e in summed for v in (_s, _d)):
            raise _NotCovered("the loss uses abs or sign of a similarity: a kink, where the "
                              "inequalities on second derivatives do not apply")
    except _NotCovered as exc:
        return JensenForm(N, reason=str(exc))
    pair = [Condition("F''(s) >= 0", sp.diff(F, _s, 2), _s, *_unit(-1, 1)),
            Condition("G''(s) >= 0", sp.diff(G, _s, 2), _s, *_unit(-1, 1)),
            Condition("G'(s) >= 0", sp.diff(G, _s), _s, *_unit(-1, 1))]
    return JensenForm(N, tuple(pair + [c for row in rows for c in row]), {"F(s)": F, "G(s)": G})
