r"""The optimal CCEM of any loss, at high precision, certified where the expression allows.

For a loss ``L`` (its one definition: built in, or a user's), the restriction to the CCEM
family :math:`\ell(x) = L(\mathrm{CCEM}(\sqrt x))`, :math:`x = \delta^2 \in [0, 1]`, is
derived by SymPy with ``N`` and the numeric parameters symbolic
(:func:`clverify.theory.derivation.ccem_loss_x`), differentiated twice, and compiled for
mpmath and Arb (:func:`~clverify.numerics.precision.evaluators.compile_expression`).  At one
``(N, params)``:

1. **convexity**: :math:`\ell'' > 0` on :math:`[0, 1]` is proved by Arb balls over boxes
   (:func:`~clverify.numerics.precision.certify.certify_positive`);
2. if it is: the regime follows from two signs, certified by balls as for the sigmoid loss
   (:mod:`clverify.numerics.precision.sigmoid_optimum`): the ETF (:math:`x^* = 1`) iff
   :math:`\ell'(1) \le 0`, the antipodal structure (:math:`x^* = 0`) iff :math:`\ell'(0) \ge 0`,
   otherwise the unique root of :math:`\ell'` in :math:`(0, 1)`, found by
   :func:`~clverify.numerics.precision.roots.find_root` and enclosed by
   :func:`~clverify.numerics.precision.certify.certify_root`;
3. if it is not: the minimum over a grid of :data:`GRID_POINTS` points, refined at a root of
   :math:`\ell'`, is a *numerical* global minimum (``certified=False``, with the reason).

Parameters are kept exact for the balls (:class:`~clverify.numerics.precision.real_input.RealInput`:
``"0.1"`` is the decimal 1/10).

>>> from clverify.theory.losses import LOSSES
>>> opt = ccem_optimum(LOSSES["sigmoid"], 10, {"t": "1.2", "b": "1.2"}, digits=30)
>>> opt.regime, mpmath.nstr(opt.x, 20), opt.certified
('intermediate', '0.72687470065717421899', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy as sp

from clverify.theory import derivation as D
from clverify.theory.errors import ConvergenceError, LossDefinitionError
from clverify.theory.losses import Loss
from clverify.theory.params import check_batch_size, check_digits

from .certify import Enclosure, ball_sign, certify_positive, certify_root
from .evaluators import arb_precision, compile_expression, evaluator
from .real_input import RealInput
from .roots import find_root
from .sigmoid_optimum import GUARD_DIGITS

__all__ = ["CCEMOptimum", "ccem_optimum", "Restriction", "split_parameters", "GRID_POINTS",
           "CONVEXITY_BOXES", "FRACTION_MAX_OPS", "SIGN_GUARD_STEPS", "convex_on_unit_interval",
           "grid_minimum"]

#: Grid of x on which a loss not certified convex is minimised before refining.
GRID_POINTS = 401
#: Box budget of the convexity certificate at one point.
CONVEXITY_BOXES = 2048
#: Largest expanded numerator (SymPy operation count) of the fraction form of l''.
FRACTION_MAX_OPS = 5000
#: How many times an undecided sign of l'(0) or l'(1) is retried with 4x the guard bits.
SIGN_GUARD_STEPS = 3
_SIGN_GUARD_BITS = 32


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


class Restriction:
    r""":math:`\ell(x)` of ``loss`` (non-numeric parameters ``fixed``) and its derivatives, compiled.

    Every compiled function takes ``(x, N, *params)`` in the order of :attr:`names`.

    >>> from clverify.theory.losses import LOSSES
    >>> r = Restriction.of(LOSSES["sigmoid"], ("t", "b"))
    >>> with mpmath.workdps(20):
    ...     r.compiled(1, "mpmath")(1, 4, 2, 2)    # -2 t sigma(0) + 2 t sigma(-8/3) at N = 4, t = b = 2
    mpf('-1.7401233234853437514895')
    """

    def __init__(self, loss: Loss, names: tuple, fixed: tuple = ()):
        self.loss, self.names, self.fixed = loss, names, dict(fixed)
        # real symbols, no sign assumed: a parameter of a loss may have either sign
        self.symbols = tuple(sp.Symbol(name, real=True) for name in names)

    @classmethod
    @lru_cache(maxsize=64)
    def of(cls, loss: Loss, names: tuple, fixed: tuple = ()) -> "Restriction":
        """One restriction per ``(loss, names, fixed)`` (derived and compiled once)."""
        return cls(loss, names, fixed)

    def expression(self, order: int = 0, wrt: str | None = None) -> sp.Expr:
        r""":math:`\ell^{(order)}(x)` (symbolic ``N`` and parameters), differentiated once more in
        the parameter ``wrt`` if given."""
        derived = (D.ccem_loss_x, D.ccem_loss_dx, D.ccem_loss_dx2)[order]
        expr = derived(self.loss, tuple(zip(self.names, self.symbols)), **self.fixed)
        return expr if wrt is None else sp.diff(expr, self.symbols[self.names.index(wrt)])

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

    @lru_cache(maxsize=None)
    def compiled(self, order: int, backend: str, wrt: str | None = None):
        """:meth:`expression` compiled for ``backend`` (``"mpmath"`` or ``"arb"``)."""
        name = f"{self.loss.name} l{chr(39) * order}(x)" + (f" d/d{wrt}" if wrt else "")
        return compile_expression(self.expression(order, wrt), backend, name=name,
                                  args=(D.x, D.N, *self.symbols))


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


@dataclass(frozen=True)
class CCEMOptimum:
    r"""The minimiser :math:`x^* = \delta^{*2}` of a loss on the CCEM family at ``(N, params)``.

    ``value`` is :math:`\ell(x^*)` (the loss, normalised as the loss is); ``x_enclosure`` an
    enclosure of :math:`x^*`; ``convex`` whether :math:`\ell'' > 0` on :math:`[0, 1]` was
    proved; ``certified`` whether :math:`x^*` is certified as the global minimiser (convexity
    and an Arb enclosure or certified signs); ``note`` says how, or why not.
    """

    loss: str
    N: int
    params: dict
    digits: int
    regime: str
    x: mpmath.mpf
    delta: mpmath.mpf
    s_pos: mpmath.mpf
    s_neg: mpmath.mpf
    value: mpmath.mpf
    x_enclosure: Enclosure
    convex: bool
    certified: bool
    note: str


def _balls(numeric: dict) -> list:
    return [p.ball() for p in numeric.values()]


def _sign(f, N: int, numeric: dict, x, digits: int):
    """The certified sign of ``f(x, N, *params)`` (Arb), or None when undecided."""
    for step in range(SIGN_GUARD_STEPS + 1):
        with arb_precision(digits, _SIGN_GUARD_BITS * 4**step):
            sign = ball_sign(f(x, N, *_balls(numeric)))
        if sign is not None:
            return sign
    return None


def convex_on_unit_interval(restriction: Restriction, N: int, numeric: dict, digits: int,
                            max_boxes: int = CONVEXITY_BOXES) -> tuple[bool, str]:
    r"""Whether :math:`\ell'' > 0` on :math:`[0, 1]` at ``(N, params)``: shown by SymPy at the
    exact parameter values (:meth:`Restriction.convexity_proof`), or else by Arb balls over
    boxes (parameters as balls, so the proof holds for the exact inputs).

    >>> from clverify.theory.losses import LOSSES
    >>> kcl = Restriction.of(LOSSES["kcl"], ("gamma", "t"))
    >>> convex_on_unit_interval(kcl, 10, split_parameters({"gamma": 16, "t": 2})[0], 20)
    (False, 'f <= 0 at 0.875, certified by a ball')
    """
    exact = {k: p.exact() for k, p in numeric.items()}
    proof = restriction.convexity_proof(N, exact) if None not in exact.values() else None
    if proof is not None:
        return True, proof
    d2 = restriction.compiled(2, "arb")
    fraction = restriction.second_derivative_as_fraction(N)
    with arb_precision(digits):
        balls = _balls(numeric)

    def second_derivative(z):   # two enclosures of l''(z): the first with a certain sign
        ball = d2(z, N, *balls)
        if fraction is None or ball_sign(ball) is not None:
            return ball
        other = fraction(z, *balls)
        return other if ball_sign(other) is not None else ball

    return certify_positive(second_derivative, 0, 1, digits=digits, max_boxes=max_boxes)


def grid_minimum(restriction: Restriction, N: int, values: list):
    r"""Numerical global minimiser on :math:`[0, 1]`: the best of a grid of :data:`GRID_POINTS`
    points, refined at a root of :math:`\ell'` between its neighbours.

    >>> from clverify.theory.losses import LOSSES
    >>> sigmoid = Restriction.of(LOSSES["sigmoid"], ("t", "b"))
    >>> with mpmath.workdps(20):
    ...     grid_minimum(sigmoid, 10, [mpmath.mpf("1.2"), mpmath.mpf("1.2")])
    mpf('0.72687470065717...')
    """
    f = restriction.compiled(0, "mpmath")
    df = restriction.compiled(1, "mpmath")
    grid = [mpmath.mpf(k) / (GRID_POINTS - 1) for k in range(GRID_POINTS)]
    ell = [f(x, N, *values) for x in grid]
    k = min(range(GRID_POINTS), key=lambda i: ell[i])
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, GRID_POINTS - 1)]
    try:
        if df(lo, N, *values) * df(hi, N, *values) < 0:
            root = find_root(lambda z: df(z, N, *values), (lo, hi), solver="bisect", verify=False)
            if f(root, N, *values) < ell[k]:
                return root
    except ZeroDivisionError:   # l' singular at an end (e.g. |u - v|^(-t) at u = v)
        pass
    return grid[k]


def ccem_optimum(loss: Loss, N: int, params: dict, *, digits: int = 30) -> CCEMOptimum:
    r"""The optimal CCEM of ``loss`` at ``(N, params)`` to ``digits`` significant digits.

    Parameters
    ----------
    loss : Loss
        Any :class:`~clverify.theory.losses.Loss` (``LOSSES[name]`` or a user's).
    N : int
        Batch size, :math:`N \ge 3`.
    params : dict
        The loss's parameters (numbers or decimal strings, names for non-numeric ones);
        missing ones take the loss's defaults.
    digits : int
        Significant decimal digits, in ``[15, 10000]``.

    Examples
    --------
    >>> from clverify.theory.losses import LOSSES
    >>> opt = ccem_optimum(LOSSES["infonce-sym"], 10, {"tau": "0.5"}, digits=20)
    >>> opt.regime, opt.certified
    ('etf', True)
    """
    N = check_batch_size("N", N)
    digits = check_digits(digits)
    numeric, fixed = split_parameters(loss.resolve(params))
    restriction = Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items())))
    convex, convexity = convex_on_unit_interval(restriction, N, numeric, digits)
    with mpmath.workdps(digits + GUARD_DIGITS):
        values = [p.mpf() for p in numeric.values()]
        value = restriction.compiled(0, "mpmath")
        for x in (0, mpmath.mpf(1) / 2, 1):
            v = value(x, N, *values)
            if not (isinstance(v, mpmath.mpf) and mpmath.isfinite(v)):
                raise LossDefinitionError(
                    f"loss {loss.name!r} is {v} on the CCEM at x = {x} (N = {N}, "
                    f"{_shown(numeric, fixed)}), not a finite real number: check its definition "
                    "and parameters")
        if convex:
            regime, x, enclosure, certified = _convex_optimum(restriction, N, numeric, values,
                                                              digits)
            note = f"l'' > 0 on [0, 1] ({convexity}); x*: {enclosure.reason}"
        else:
            x = grid_minimum(restriction, N, values)
            regime = "etf" if x == 1 else "antipodal" if x == 0 else "intermediate"
            certified = False
            note = (f"l is not certified convex on [0, 1] ({convexity}); x* is the minimum over "
                    f"a grid of {GRID_POINTS} points, refined at a root of l' (numerical)")
            enclosure = Enclosure(x, x, False, note, digits)
        results = [x, mpmath.sqrt(x), evaluator("s_pos", "mpmath")(x, N, 0, 0),
                   evaluator("s_neg", "mpmath")(x, N, 0, 0), value(x, N, *values)]
    with mpmath.workdps(digits):
        x, delta, s_pos, s_neg, loss_value = (+v for v in results)
    return CCEMOptimum(loss.name, N, {**{k: str(v) for k, v in numeric.items()}, **fixed}, digits,
                       regime, x, delta, s_pos, s_neg, loss_value, enclosure, convex, certified, note)


def _shown(numeric: dict, fixed: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in {**numeric, **fixed}.items())


def _convex_optimum(restriction, N, numeric, values, digits):
    """Regime, x*, its enclosure and whether it is certified, for a convex restriction."""
    dl = restriction.compiled(1, "arb")
    s1, s0 = _sign(dl, N, numeric, 1, digits), _sign(dl, N, numeric, 0, digits)
    df = restriction.compiled(1, "mpmath")
    certain = s1 is not None and s0 is not None
    if certain:
        how = "the signs of l'(0) and l'(1) certified by balls"
    else:   # undecided by balls even with more guard bits: decided by mpmath, and said so
        s1 = s1 if s1 is not None else (-1 if df(1, N, *values) <= 0 else 1)
        s0 = s0 if s0 is not None else (1 if df(0, N, *values) >= 0 else -1)
        how = "the sign of l'(0) or l'(1) not certified by balls (decided by mpmath)"
    for end, regime, sign, why in ((1, "etf", s1, "l'(1) <= 0"), (0, "antipodal", -s0, "l'(0) >= 0")):
        if sign in (-1, 0):
            x = mpmath.mpf(end)
            return regime, x, Enclosure(x, x, certain, f"{why}, {how}", digits), certain
    try:
        x = find_root(lambda z: df(z, N, *values), (0, 1), solver="anderson", verify=False)
    except ConvergenceError:
        x = find_root(lambda z: df(z, N, *values), (0, 1), solver="bisect", verify=False)
    d2 = restriction.compiled(2, "arb")
    with arb_precision(digits):
        balls = _balls(numeric)
    enclosure = certify_root(lambda z: dl(z, N, *balls), lambda z: d2(z, N, *balls), x,
                             digits=digits, bracket=(0, 1))
    return "intermediate", x, enclosure, certain and enclosure.certified
