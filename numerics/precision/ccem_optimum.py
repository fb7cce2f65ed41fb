r"""The optimal CCEM of any loss, at high precision, certified where the expression allows.

For a loss ``L`` (built in, or a user's) and its restriction :math:`\ell(x)`,
:math:`x = \delta^2 \in [0, 1]` (:class:`~clverify.numerics.precision.restriction.Restriction`,
which is also the evaluation strategy: the built-in sigmoid loss brings its closed forms), at
one ``(N, params)``:

1. **convexity**: :math:`\ell'' > 0` on :math:`[0, 1]`, shown symbolically or by Arb balls
   (:meth:`~clverify.numerics.precision.restriction.Restriction.convexity`);
2. if it holds: the regime follows from the signs of :math:`\ell'(1)` and :math:`\ell'(0)` by
   the one rule of :mod:`clverify.numerics.precision.regime` (an exactly zero slope at an end
   is that end's structure), the interior root is found by
   :func:`~clverify.numerics.precision.roots.find_root` and enclosed by
   :func:`~clverify.numerics.precision.certify.certify_root`; signs that balls cannot decide
   are decided at the working precision, and the result is not certified;
3. if it does not: the minimum over a grid of :data:`GRID_POINTS` points, refined at a root of
   :math:`\ell'`, is a *numerical* global minimum (``certified=False``, with the reason);
4. the value :math:`\ell(x^*)` is an Arb ball, computed at as many working digits as it needs to
   hold ``digits`` correct ones (at :math:`t = 10^{400}` about 430, as the logits are
   :math:`\sim t`), up to :data:`VALUE_EXTRA_DIGITS` more; None, with a note, beyond.

Parameters are kept exact for the balls (:class:`~clverify.numerics.precision.real_input.RealInput`:
``"0.1"`` is the decimal 1/10).  :func:`sigmoid_optimum` is the case of the built-in sigmoid loss.

>>> from clverify.theory.losses import LOSSES
>>> opt = ccem_optimum(LOSSES["sigmoid"], 10, {"t": "1.2", "b": "1.2"}, digits=30)
>>> opt.regime, mpmath.nstr(opt.x, 20), opt.certified
('intermediate', '0.72687470065717421899', True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
from flint import arb

from clverify.theory.errors import ConvergenceError
from clverify.theory.losses import LOSSES, Loss
from clverify.theory.params import check_batch_size, check_digits

from .certify import Enclosure, arb_to_mpf, certify_root
from .evaluators import arb_precision, evaluator
from .real_input import RealInput
from .regime import END_REGIMES, end_slope_sign, regime
from .restriction import Restriction, split_parameters
from .roots import find_root

__all__ = ["CCEMOptimum", "ccem_optimum", "sigmoid_optimum", "convex_regime", "linear_minimiser",
           "numerical_minimiser", "grid_minimum", "GRID_POINTS", "GUARD_DIGITS", "VALUE_EXTRA_DIGITS"]

#: Grid of x on which a loss not certified convex is minimised before refining.
GRID_POINTS = 401
#: Extra decimal digits carried in mpmath while solving (results are rounded to ``digits``).
GUARD_DIGITS = 10
#: At most this many working digits beyond ``digits`` for the value l(x*).
VALUE_EXTRA_DIGITS = 2500


@dataclass(frozen=True)
class CCEMOptimum:
    r"""The minimiser :math:`x^* = \delta^{*2}` of a loss on the CCEM family at ``(N, params)``.

    Attributes
    ----------
    loss : str
        The loss's name; ``params`` its parameters (decimal strings and names).
    regime : str
        ``'etf'`` (:math:`x^* = 1`), ``'antipodal'`` (:math:`x^* = 0`) or ``'intermediate'``;
        ``'degenerate'`` where :math:`\ell` is constant on :math:`[0, 1]` (every CCEM is
        optimal, :math:`x^* = 1` is reported).
    x, delta, s_pos, s_neg : mpf
        :math:`x^*`, :math:`\delta^* = \sqrt{x^*}` and the CCEM's positive and negative
        similarities there, to ``digits`` digits.
    value : mpf or None
        :math:`\ell(x^*)` (normalised as the loss is) to ``digits`` correct digits (an Arb ball
        narrower than the last digit); None when that precision was not reached (``note``).
    x_enclosure : Enclosure
        An enclosure of :math:`x^*` (the exact point at an end).
    convex, certified, note
        Whether :math:`\ell'' > 0` on :math:`[0, 1]` was proved; whether :math:`x^*` is
        certified as the global minimiser (convexity and certified signs, or convexity and a
        certified root); how, or why not.
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
    value: mpmath.mpf | None
    x_enclosure: Enclosure
    convex: bool
    certified: bool
    note: str


def convex_regime(restriction: Restriction, N: int, numeric: dict, digits: int) -> tuple[str, bool, str]:
    r"""``(regime, certain, how)`` of a restriction with :math:`\ell'' > 0` (regime None when
    not even the midpoints decide it at this precision): the rule
    :func:`~clverify.numerics.precision.regime.regime` on the signs of :math:`\ell'(1)` and
    :math:`\ell'(0)` (:func:`~clverify.numerics.precision.regime.end_slope_sign`); where they do
    not decide it, their values at the working precision decide (the midpoints of their balls,
    :meth:`~clverify.numerics.precision.restriction.Restriction.root_function`), and ``certain``
    is False.

    >>> r = Restriction.of(LOSSES["sigmoid"], ("t", "b"))
    >>> convex_regime(r, 4, split_parameters({"t": 1, "b": -1})[0], 20)
    ('antipodal', True, "l'(0) = 0 exactly (SymPy at the exact parameter values)")
    """
    s1, how1 = end_slope_sign(restriction, 1, N, numeric, digits)
    s0, how0 = end_slope_sign(restriction, 0, N, numeric, digits)
    found = regime(s1, s0)
    if found is not None:
        return found, True, {"etf": how1, "antipodal": how0}.get(found, f"{how1}, {how0}")
    slope = restriction.root_function(N, numeric)
    s1, s0 = (_sign(slope(end)) if s is None else s for end, s in ((1, s1), (0, s0)))
    return regime(s1, s0), False, (f"{how1}, {how0}: decided at {mpmath.mp.dps} digits by the "
                                   "midpoint of a ball (not certified)")


def _sign(value) -> int | None:
    return int(mpmath.sign(value)) if mpmath.isfinite(value) else None


def grid_minimum(restriction: Restriction, N: int, values: list):
    r"""Numerical global minimiser on :math:`[0, 1]`: the best of a grid of :data:`GRID_POINTS`
    points, refined at a root of :math:`\ell'` between its neighbours.

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


def numerical_minimiser(restriction: Restriction, N: int, values: list) -> tuple:
    """``(x, regime)``: :func:`grid_minimum` and the structure there (an end's, else
    ``'intermediate'``), for a restriction not shown convex."""
    x = grid_minimum(restriction, N, values)
    return x, (END_REGIMES[int(x)] if x in (0, 1) else "intermediate")


def _interior(restriction: Restriction, N: int, numeric: dict, digits: int):
    r"""The root of :math:`\ell'` in :math:`(0, 1)` and its enclosure."""
    g = restriction.root_function(N, numeric)
    try:
        x = find_root(g, (0, 1), solver="anderson", verify=False)
    except ConvergenceError:
        x = find_root(g, (0, 1), solver="bisect", verify=False)
    dl, d2 = restriction.compiled(1, "arb"), restriction.compiled(2, "arb")
    with arb_precision(digits):
        balls = [p.ball() for p in numeric.values()]
    return x, certify_root(lambda z: dl(z, N, *balls), lambda z: d2(z, N, *balls), x,
                           digits=digits, bracket=(0, 1))


def linear_minimiser(restriction, N, numeric, digits, why):
    r"""``(regime, x, enclosure, certified)`` of a linear :math:`\ell`: the end where the
    constant slope points, or, for a slope exactly 0, ``'degenerate'`` (every CCEM is optimal;
    :math:`x^* = 1` is reported)."""
    sign, how = end_slope_sign(restriction, 1, N, numeric, digits)
    certain = sign is not None
    if not certain:
        sign = _sign(restriction.root_function(N, numeric)(1))
        how += f"; decided at {mpmath.mp.dps} digits by the midpoint of a ball (not certified)"
    if sign == 0:
        found, x, how = "degenerate", mpmath.mpf(1), f"{how}: l is constant, every CCEM is optimal (x* = 1 reported)"
    else:
        found = "etf" if sign < 0 else "antipodal"
        x = mpmath.mpf(1 if sign < 0 else 0)
    return found, x, Enclosure(x, x, certain, f"{why}; {how}", digits), certain


def _minimiser(restriction, N, numeric, convex, digits, linear=None):
    """``(regime, x, enclosure, certified)`` at ``digits`` working digits (regime None when
    undecided there)."""
    if linear:
        return linear_minimiser(restriction, N, numeric, digits, linear)
    if not convex:
        x, found = numerical_minimiser(restriction, N, [p.mpf() for p in numeric.values()])
        why = (f"x* is the minimum over a grid of {GRID_POINTS} points, refined at a root of l' "
               "(numerical)")
        return found, x, Enclosure(x, x, False, why, digits), False
    found, certain, how = convex_regime(restriction, N, numeric, digits)
    if found is None:
        return None, None, None, False
    if found == "intermediate":
        x, root = _interior(restriction, N, numeric, digits)
        certified = certain and root.certified
        return found, x, Enclosure(root.lo, root.hi, certified, f"{how}; {root.reason}", digits), certified
    x = mpmath.mpf(1 if found == "etf" else 0)
    return found, x, Enclosure(x, x, certain, how, digits), certain


def _value_ball(restriction, N, numeric, x, enclosure, digits):
    r"""An Arb ball of :math:`\ell(x^*)` (of :math:`\ell(x)` where ``enclosure`` is not
    certified): :math:`\ell(x) + \ell'(\xi)(x^* - x)` with :math:`\xi, x^*` in the enclosure."""
    f, df = restriction.compiled(0, "arb"), restriction.compiled(1, "arb")
    with arb_precision(digits):
        balls = [p.ball() for p in numeric.values()]
        at = arb(x)
        value = f(at, N, *balls)
        if enclosure.certified and enclosure.lo != enclosure.hi:
            around = arb(enclosure.lo).union(arb(enclosure.hi)).union(at)
            value += df(around, N, *balls) * (around - at)
    return value


def _missing_digits(ball, digits: int) -> int | None:
    """How many more digits ``ball`` needs to hold ``digits`` correct ones (and one more), 0 if
    none; None when it holds none (not finite, or 0 inside and not exact)."""
    if ball.is_exact():
        return 0
    bits = ball.rel_accuracy_bits() if ball.is_finite() else -1
    if bits <= 0:
        return None
    return max(0, math.ceil(digits + 1 - bits / math.log2(10)))


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
    >>> opt = ccem_optimum(LOSSES["infonce-sym"], 10, {"tau": "0.5"}, digits=20)
    >>> opt.regime, opt.certified
    ('etf', True)
    """
    N = check_batch_size("N", N)
    digits = check_digits(digits)
    numeric, fixed = split_parameters(loss.resolve(params))
    restriction = Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items())))
    with mpmath.workdps(digits + GUARD_DIGITS):
        restriction.check_finite(N, numeric)
    convex, convexity = restriction.convexity(N, numeric, digits)
    linear = None if convex else restriction.linear(N, numeric, digits)
    work, most = digits, digits + VALUE_EXTRA_DIGITS
    while True:
        with mpmath.workdps(work + GUARD_DIGITS):
            found, x, enclosure, certified = _minimiser(restriction, N, numeric, convex, work, linear)
        missing = None
        if found is not None:
            ball = _value_ball(restriction, N, numeric, x, enclosure, work)
            missing = _missing_digits(ball, digits)
        if missing == 0 or work >= most:
            break
        work = min(most, 2 * work if missing is None else work + missing + GUARD_DIGITS)
    if found is None:
        raise ConvergenceError(f"the regime of {loss.name} at N = {N}, {_shown(numeric, fixed)} is "
                               f"not decided with {work} working digits: the signs of l'(0), "
                               "l'(1) are lost in rounding (parameters too large?)")
    with mpmath.workdps(work + GUARD_DIGITS):
        similarities = [evaluator(name, "mpmath")(x, N, 0, 0) for name in ("s_pos", "s_neg")]
        results = [x, mpmath.sqrt(x), *similarities]
    notes = [f"l'' > 0 on [0, 1] ({convexity}); x*: {enclosure.reason}" if convex else
             f"l is linear in x; x*: {enclosure.reason}" if linear else
             f"l is not certified convex on [0, 1] ({convexity}); {enclosure.reason}"]
    if missing != 0:
        notes.append(f"l(x*) is not resolved to {digits} digits with {work} working digits "
                     f"(ball {ball.str(5, radius=True)})")
    elif work > digits:
        notes.append(f"l(x*) computed with {work} working digits")
    with mpmath.workdps(digits):
        x, delta, s_pos, s_neg = (+v for v in results)
        value = +arb_to_mpf(ball.mid()) if missing == 0 else None
    enclosure = Enclosure(enclosure.lo, enclosure.hi, enclosure.certified, enclosure.reason, digits)
    return CCEMOptimum(loss.name, N, {**{k: str(v) for k, v in numeric.items()}, **fixed}, digits,
                       found, x, delta, s_pos, s_neg, value, enclosure, convex, certified,
                       "; ".join(notes))


def _shown(numeric: dict, fixed: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in {**numeric, **fixed}.items())


def sigmoid_optimum(N: int, t, b, *, digits: int = 50) -> CCEMOptimum:
    r"""The optimal CCEM of the built-in sigmoid loss at :math:`(N, t, b)`:
    :func:`ccem_optimum` of ``LOSSES["sigmoid"]`` with :math:`t > 0` required.

    By Theorem 1 (Lee, Chang and Sohn, 2024) its value is the minimum of the sigmoid loss over
    all embeddings with :math:`d \ge N`, where

    .. math::
        \ell(x) = \operatorname{softplus}(b - t(2x-1))
                  + (N-1)\operatorname{softplus}\big(t(x\tfrac{N-2}{N-1} - 1) - b\big).

    Parameters
    ----------
    N : int
        Batch size, :math:`N \ge 3`.
    t : real
        Inverse temperature (multiplies the similarity), finite and :math:`> 0`.
    b : real
        Bias (subtracted from the logit; SigLIP's own bias is :math:`-b`), finite.
    digits : int
        Significant decimal digits, in ``[15, 10000]``.

    Examples
    --------
    >>> opt = sigmoid_optimum(10, 0.1, 0.1, digits=20)
    >>> opt.regime, opt.x, opt.x_enclosure.certified
    ('antipodal', mpf('0.0'), True)
    >>> sigmoid_optimum(4, 1, -1, digits=20).note        # t + b = 0: l'(0) = 0 exactly
    "l'' > 0 on [0, 1] (l''(x) > 0 for every N >= 3, t > 0 and real b, x (SymPy: a sum of positive terms over a positive denominator; clverify derive)); x*: l'(0) = 0 exactly (SymPy at the exact parameter values)"
    >>> sigmoid_optimum(2, 1, 1)
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: N must be an integer >= 3, got 2
    """
    RealInput.positive("t", t)
    return ccem_optimum(LOSSES["sigmoid"], N, {"t": t, "b": b}, digits=digits)
