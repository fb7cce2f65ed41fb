r"""A loss restricted to the CCEM family, :math:`\ell(x) = L(\mathrm{CCEM}(\sqrt x))`, compiled.

For a loss ``L`` (its one definition: built in, or a user's) the restriction
:math:`\ell(x)`, :math:`x = \delta^2 \in [0, 1]`, is derived by SymPy with ``N`` and the
numeric parameters symbolic (:func:`clverify.theory.derivation.ccem_loss_x`), differentiated
twice and compiled for mpmath and Arb
(:func:`~clverify.numerics.precision.evaluators.compile_expression`).  A :class:`Restriction`
is also the *evaluation strategy* of the optimum (:mod:`~clverify.numerics.precision.ccem_optimum`):

* :meth:`~Restriction.convexity`: :math:`\ell'' > 0` on :math:`[0, 1]`, shown by SymPy at the
  exact parameter values or by Arb balls over boxes;
* :meth:`~Restriction.slope_ball`, :meth:`~Restriction.slope_exact`: :math:`\ell'` at an end
  of :math:`[0, 1]`, as a ball and exactly (for :func:`~clverify.numerics.precision.regime.end_slope_sign`);
* :meth:`~Restriction.root_function`: a function with the sign and the roots of :math:`\ell'`
  on :math:`[0, 1]` for the interior root (evaluated by Arb, the midpoint of a ball);
* :meth:`~Restriction.check_finite`: :math:`\ell` is a finite real number on the CCEM.

The built-in sigmoid loss (at :math:`t > 0`) has closed forms there
(:class:`SigmoidRestriction`): a symbolic convexity certificate for every :math:`N \ge 3`, and
the log-ratio form of :math:`\ell'`, close to linear in ``x`` where :math:`\ell'` is
exponentially flat (large ``t``).

>>> from clverify.theory.losses import LOSSES
>>> type(Restriction.of(LOSSES["sigmoid"], ("t", "b"))).__name__
'SigmoidRestriction'
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import flint
import mpmath
import sympy as sp
from flint import arb

from clverify.theory import derivation as D
from clverify.theory.errors import LossDefinitionError
from clverify.theory.losses import LOSSES, Loss

from .certify import arb_to_mpf, ball_sign, certify_positive
from .evaluators import arb_precision, compile_expression, evaluator
from .real_input import RealInput

__all__ = ["Restriction", "SigmoidRestriction", "split_parameters", "CONVEXITY_BOXES", "KINK_BOXES",
           "FRACTION_MAX_OPS"]

#: Box budget of the convexity certificate at one point.
CONVEXITY_BOXES = 2048
#: Boxes covering [0, 1] on which an argument of abs or sign must keep its sign (no kink).
KINK_BOXES = 32
#: Largest expanded numerator (SymPy operation count) of the fraction form of l''.
FRACTION_MAX_OPS = 5000
#: Bits beyond mpmath's working precision of the balls whose midpoints the root search uses
#: (the root search itself adds its own guard bits to mpmath's).
_MIDPOINT_GUARD_BITS = 64


def split_parameters(params: dict) -> tuple[dict, dict]:
    """``(numeric, fixed)``: numbers and decimal strings as :class:`RealInput` (exact), other
    values (a kernel's name) as they are.

    >>> split_parameters({"t": "2", "tau": sp.Rational(3, 10), "kernel": "log"})
    ({'t': RealInput(name='t', value='2'), 'tau': RealInput(name='tau', value=Fraction(3, 10))}, {'kernel': 'log'})
    """
    numeric, fixed = {}, {}
    for name, value in params.items():
        if isinstance(value, str) and not _is_number(value):
            fixed[name] = value
            continue
        if isinstance(value, sp.Rational):   # an exact default of the definition
            value = Fraction(int(value.p), int(value.q))
        numeric[name] = RealInput.finite(name, value)
    return numeric, fixed


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _balls(numeric: dict) -> list:
    return [p.ball() for p in numeric.values()]


class Restriction:
    r""":math:`\ell(x)` of ``loss`` (non-numeric parameters ``fixed``) and its derivatives, compiled.

    Every compiled function takes ``(x, N, *params)`` in the order of :attr:`names`.  Methods
    that take ``numeric`` read the parameters as :class:`RealInput` (``ball()``, ``mpf()``,
    ``exact()``) in that order.

    >>> r = Restriction.of(LOSSES["sigmoid"], ("t", "b"))
    >>> with mpmath.workdps(20):
    ...     r.compiled(1, "mpmath")(1, 4, 2, 2)    # -2 t sigma(0) + 2 t sigma(-8/3) at N = 4, t = b = 2
    mpf('-1.7401233234853437514895')
    """

    def __init__(self, loss: Loss, names: tuple, fixed: tuple = ()):
        self.loss, self.names, self.fixed = loss, names, dict(fixed)
        # real symbols, no sign assumed: a parameter of a loss may have either sign
        self.symbols = tuple(sp.Symbol(name, real=True) for name in names)

    @staticmethod
    @lru_cache(maxsize=64)
    def of(loss: Loss, names: tuple, fixed: tuple = ()) -> "Restriction":
        """One restriction per ``(loss, names, fixed)`` (derived and compiled once): a
        :class:`SigmoidRestriction` for the built-in sigmoid loss."""
        if loss == LOSSES["sigmoid"] and names == ("t", "b") and not fixed:
            return SigmoidRestriction(loss, names, fixed)
        return Restriction(loss, names, fixed)

    def expression(self, order: int = 0, wrt: str | None = None) -> sp.Expr:
        r""":math:`\ell^{(order)}(x)` (symbolic ``N`` and parameters), differentiated once more in
        the parameter ``wrt`` if given."""
        derived = (D.ccem_loss_x, D.ccem_loss_dx, D.ccem_loss_dx2)[order]
        expr = derived(self.loss, tuple(zip(self.names, self.symbols)), **self.fixed)
        return expr if wrt is None else D.derivative(expr, self.symbols[self.names.index(wrt)])

    @lru_cache(maxsize=None)
    def compiled(self, order: int, backend: str, wrt: str | None = None):
        """:meth:`expression` compiled for ``backend`` (``"mpmath"`` or ``"arb"``)."""
        name = f"{self.loss.name} l{chr(39) * order}(x)" + (f" d/d{wrt}" if wrt else "")
        return compile_expression(self.expression(order, wrt), backend, name=name,
                                  args=(D.x, D.N, *self.symbols))

    # --- the evaluation strategy of the optimum ----------------------------------------------

    def check_finite(self, N: int, numeric: dict) -> None:
        r"""Raise :class:`LossDefinitionError` unless :math:`\ell` is a finite real number at
        :math:`x = 0, 1/2, 1` (at the current mpmath precision)."""
        values = [p.mpf() for p in numeric.values()]
        value = self.compiled(0, "mpmath")
        for x in (0, mpmath.mpf(1) / 2, 1):
            v = value(x, N, *values)
            if not (isinstance(v, mpmath.mpf) and mpmath.isfinite(v)):
                shown = ", ".join(f"{k} = {p}" for k, p in {**numeric, **self.fixed}.items())
                raise LossDefinitionError(
                    f"loss {self.loss.name!r} is {v} on the CCEM at x = {x} (N = {N}, {shown}), "
                    "not a finite real number: check its definition and parameters")

    def convexity(self, N: int, numeric: dict, digits: int,
                  max_boxes: int = CONVEXITY_BOXES) -> tuple[bool, str]:
        r"""Whether :math:`\ell'' > 0` on :math:`[0, 1]` at ``(N, params)``, and how: shown by
        SymPy at the exact parameter values (:meth:`convexity_proof`), or else by Arb balls over
        boxes (parameters as balls, so the proof holds for the exact inputs).

        >>> kcl = Restriction.of(LOSSES["kcl"], ("gamma", "t"))
        >>> kcl.convexity(10, split_parameters({"gamma": 16, "t": 2})[0], 20)
        (False, 'f <= 0 at 0.875, certified by a ball')
        """
        kink = self.kink(N, numeric, digits)
        if kink is not None:
            return False, kink
        exact = {k: p.exact() for k, p in numeric.items()}
        proof = self.convexity_proof(N, exact) if None not in exact.values() else None
        if proof is not None:
            return True, proof
        d2 = self.compiled(2, "arb")
        fraction = self.second_derivative_as_fraction(N)
        with arb_precision(digits):
            balls = _balls(numeric)

        def second_derivative(z):   # two enclosures of l''(z): the first with a certain sign
            ball = d2(z, N, *balls)
            if fraction is None or ball_sign(ball) is not None:
                return ball
            other = fraction(z, *balls)
            return other if ball_sign(other) is not None else ball

        return certify_positive(second_derivative, 0, 1, digits=digits, max_boxes=max_boxes)

    def kink(self, N: int, numeric: dict, digits: int) -> str | None:
        r"""Why :math:`\ell` may have a kink in :math:`[0, 1]` (an argument of ``abs`` or ``sign``
        that depends on ``x`` whose Arb ball contains 0 on one of :data:`KINK_BOXES` boxes
        covering :math:`[0, 1]`), or None: the derivatives (taken away from kinks,
        :func:`~clverify.theory.derivation.derivative`) are then those of :math:`\ell` on all
        of :math:`[0, 1]`."""
        boxes = [arb(k).union(arb(k + 1)) / KINK_BOXES for k in range(KINK_BOXES)]
        for argument in D.kinks(self.expression(0)):
            expanded = sp.expand(argument.subs(D.N, N))
            f = compile_expression(expanded, "arb", args=(D.x, *self.symbols), name=f"kink {argument}")
            with arb_precision(digits):
                if any(ball_sign(f(box, *_balls(numeric))) is None for box in boxes):
                    return (f"l has a kink where {argument} = 0 may lie in [0, 1] (abs or sign): "
                            "its second derivative does not certify convexity")
        return None

    def linear(self, N: int, numeric: dict, digits: int) -> str | None:
        r"""Why :math:`\ell` is linear in :math:`x` on :math:`[0, 1]` at ``N`` and the exact
        parameter values (:math:`\ell'' = 0` identically, by SymPy, and no kink), or None.

        >>> r = Restriction.of(LOSSES["sigmoid"], ("t", "b"))
        >>> r.linear(10, split_parameters({"t": 0, "b": 1})[0], 20), r.linear(10, split_parameters({"t": 1, "b": 1})[0], 20)
        ("l''(x) = 0 identically (SymPy at N and the exact parameter values)", None)
        """
        exact = {symbol: p.exact() for symbol, p in zip(self.symbols, numeric.values())}
        if None in exact.values() or self.kink(N, numeric, digits) is not None:
            return None
        d2 = self.compiled(2, "mpmath")
        with mpmath.workdps(digits):
            values = [p.mpf() for p in numeric.values()]
            if any(d2(mpmath.mpf(k) / 3, N, *values) != 0 for k in (1, 2)):  # a quick screen
                return None
        if sp.simplify(self.expression(2).subs({D.N: N, **exact})) != 0:
            return None
        return "l''(x) = 0 identically (SymPy at N and the exact parameter values)"

    def slope_ball(self, end: int, N: int, numeric: dict):
        r"""An Arb ball of :math:`\ell'(\text{end})` at the current precision."""
        return self.compiled(1, "arb")(end, N, *_balls(numeric))

    def slope_exact(self, end: int, N: int, numeric: dict):
        r""":math:`\ell'(\text{end})` at the exact parameter values, as SymPy evaluates it on
        substitution (None where a parameter is known only as a ball)."""
        exact = [p.exact() for p in numeric.values()]
        if None in exact:
            return None
        return self.expression(1).subs({D.x: end, D.N: N, **dict(zip(self.symbols, exact))})

    def root_function(self, N: int, numeric: dict):
        r"""A function of an mpf ``x`` with the sign and the roots of :math:`\ell'` on
        :math:`[0, 1]`, for the root search: :math:`\ell'` itself (:func:`_midpoints`)."""
        return _midpoints(self.compiled(1, "arb"), N, numeric)

    # --- SymPy's convexity proof ------------------------------------------------------------

    @lru_cache(maxsize=None)
    def second_derivative_fraction(self, N: int) -> tuple | None:
        r"""``(numerator, denominator)`` of :math:`\ell''(x)` at this ``N`` over one
        denominator, the numerator expanded (None when it is too large).  Where
        :math:`\ell''` is a sum of positive terms written as differences (SymPy's
        :math:`\sigma - \sigma^2`), the numerator is a sum of positive terms."""
        num, den = sp.fraction(sp.together(self.expression(2).subs(D.N, N)))
        num = sp.expand(num)
        return None if sp.count_ops(num) > FRACTION_MAX_OPS else (num, den)

    @lru_cache(maxsize=None)
    def second_derivative_as_fraction(self, N: int):
        """:meth:`second_derivative_fraction` compiled for Arb, a function of ``(x, *params)``
        (None when there is no such form)."""
        fraction = self.second_derivative_fraction(N)
        if fraction is None:
            return None
        return compile_expression(fraction[0] / fraction[1], "arb", args=(D.x, *self.symbols),
                                  name=f"{self.loss.name} l''(x) at N={N}")

    def convexity_proof(self, N: int, exact: dict) -> str | None:
        r"""Why :math:`\ell'' > 0` for every :math:`x \ge 0` at ``N`` and the exact parameter
        values ``exact`` (name -> SymPy number): the numerator of
        :meth:`second_derivative_fraction` is a sum of positive terms and its denominator is
        positive, factor by factor (:func:`_positive`); None when that is not seen."""
        fraction = self.second_derivative_fraction(N)
        if fraction is None:
            return None
        values = {symbol: exact[name] for symbol, name in zip(self.symbols, self.names)}
        if all(_positive(part, values) for part in fraction):
            return ("l''(x) is a sum of positive terms over a positive denominator for every "
                    "x >= 0 (SymPy, factor by factor, at the exact parameter values)")
        return None


class SigmoidRestriction(Restriction):
    r"""The built-in sigmoid loss: where :math:`t > 0`, the closed forms of
    :mod:`clverify.theory.derivation` (the generic route elsewhere).

    * convexity: :math:`\ell'' > 0` for every :math:`N \ge 3`, :math:`t > 0` and real
      :math:`b, x`, a symbolic certificate proved once
      (:func:`~clverify.theory.derivation.check_ccem_loss_strictly_convex`);
    * :math:`\ell` is finite for finite :math:`t, b` (two softplus terms): nothing to check;
    * the interior root: the log-ratio form of :math:`\ell'`
      (``evaluator("loss_dx_log_ratio")``), whose sign is that of :math:`\ell'`.
    """

    @staticmethod
    def _closed(t) -> bool:
        """Whether the closed forms apply: ``t`` > 0 (certain for its ball)."""
        return bool(t.ball() > 0)

    def check_finite(self, N: int, numeric: dict) -> None:
        if not self._closed(numeric["t"]):
            super().check_finite(N, numeric)

    def convexity(self, N: int, numeric: dict, digits: int,
                  max_boxes: int = CONVEXITY_BOXES) -> tuple[bool, str]:
        if self._closed(numeric["t"]) and _sigmoid_convexity()[0]:
            return True, ("l''(x) > 0 for every N >= 3, t > 0 and real b, x (SymPy: a sum of "
                          "positive terms over a positive denominator; clverify derive)")
        return super().convexity(N, numeric, digits, max_boxes)

    def root_function(self, N: int, numeric: dict):
        if not self._closed(numeric["t"]):
            return super().root_function(N, numeric)
        return _midpoints(evaluator("loss_dx_log_ratio", "arb"), N, numeric)


def _midpoints(f, N: int, numeric: dict):
    """``z -> f(z, N, *params)`` as an mpf: the midpoint of the Arb ball at the current mpmath
    precision (Arb is several times faster than the same expression in mpmath, and stays fast
    where an exponential's argument is huge, as at t = 1e400).  A search tool: certificates use
    the balls themselves."""
    with flint.ctx.workprec(mpmath.mp.prec + _MIDPOINT_GUARD_BITS):
        balls = _balls(numeric)

    def at(z):
        with flint.ctx.workprec(mpmath.mp.prec + _MIDPOINT_GUARD_BITS):
            return arb_to_mpf(f(arb(z), N, *balls).mid())

    return at


@lru_cache(maxsize=1)
def _sigmoid_convexity() -> tuple[bool, str]:
    return D.check_ccem_loss_strictly_convex()


def _positive(expr, values: dict) -> bool:
    """Whether ``expr`` > 0 for every ``x >= 0``, seen from its structure: exponentials of real
    arguments, sums and products of positive parts, positive bases of powers, and the
    parameters' exact values; False when not seen (never a wrong True).

    >>> x, t = D.x, sp.Symbol("t", real=True)
    >>> _positive(3 * t**2 * sp.exp(-t * x) / (sp.exp(x) + 1) ** 2, {t: sp.Rational(1, 2)})
    True
    >>> _positive(t * sp.exp(x) + x, {t: 1}), _positive(t * sp.exp(x), {t: -1})
    (False, False)
    >>> _positive(sp.exp(sp.sqrt(x - 2)), {})   # not real for x < 2
    False
    """
    if isinstance(expr, sp.exp):
        return expr.args[0].is_extended_real is True
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(_positive(arg, values) for arg in expr.args)
    if isinstance(expr, sp.Pow):
        return _positive(expr.base, values)
    value = expr.subs(values)
    return bool(value.is_number and value.is_positive)
