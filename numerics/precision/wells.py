r"""The wells of a restriction :math:`\ell(x)` on :math:`[0, 1]`: its local minima, the global
one among them, and the minimum a well moves to when a parameter changes.

A restriction that is not convex may have several local minima (*wells*).  Along a parameter
the global minimiser then moves continuously inside one well until another well becomes lower,
where it *jumps*.  This module finds (numerically, at the working mpmath precision):

* :func:`local_minima`: every local minimum, from the sign changes of :math:`\ell'` on a grid
  of :data:`WELL_GRID` points (refined by a bracketing root finder) and both ends (an end is a
  minimum where :math:`\ell'` points into :math:`[0, 1]`);
* :func:`global_minimiser`: the lowest of them;
* :func:`descend`: the minimum reached from ``x0`` by following :math:`-\ell'` (the well of
  ``x0``), in steps of :data:`DESCENT_STEP`.

Wells narrower than a grid step can be missed; nothing here is certified.

>>> import sympy as sp
>>> from clverify.theory.losses import Loss
>>> two_wells = Loss("two_wells", lambda g, ops, *, a: g.uv.sum_diagonal(
...     lambda s: (s * s - sp.Rational(1, 4)) ** 2 + a * s) / g.N, ("a",))
>>> from .restriction import Restriction, split_parameters
>>> r = Restriction.of(two_wells, ("a",))
>>> with mpmath.workdps(20):
...     [mpmath.nstr(x, 6) for x in local_minima(r, 4, [mpmath.mpf("0.1")])]
['0.227992', '0.719721']
"""

from __future__ import annotations

import mpmath

from clverify.theory.errors import ConvergenceError

from .roots import find_root

__all__ = ["local_minima", "global_minimiser", "descend", "bracketed_root", "WELL_GRID", "DESCENT_STEP"]

#: Grid of x on which the sign changes of l' are looked for.
WELL_GRID = 256
#: Step of :func:`descend` along -l'.
DESCENT_STEP = mpmath.mpf(1) / 512


def _slope(restriction, N, values):
    df = restriction.compiled(1, "mpmath")
    return lambda z: df(z, N, *values)


def bracketed_root(f, lo, hi):
    """The root of ``f`` in ``[lo, hi]`` (opposite signs at the ends): Anderson's method, then
    bisection if it fails."""
    try:
        return find_root(f, (lo, hi), solver="anderson", verify=False)
    except ConvergenceError:
        return find_root(f, (lo, hi), solver="bisect", verify=False)


def local_minima(restriction, N: int, values: list) -> list:
    r"""The local minima of :math:`\ell` on :math:`[0, 1]` (mpf, increasing): the roots of
    :math:`\ell'` where it changes from negative to positive, and an end where :math:`\ell'`
    points into the interval (:math:`\ell'(0) \ge 0`, :math:`\ell'(1) \le 0`)."""
    slope = _slope(restriction, N, values)
    grid = [mpmath.mpf(k) / WELL_GRID for k in range(WELL_GRID + 1)]
    signs = [mpmath.sign(slope(z)) for z in grid]
    minima = [grid[0]] if signs[0] >= 0 else []
    for k in range(WELL_GRID):
        if signs[k] < 0 and signs[k + 1] > 0:
            minima.append(bracketed_root(slope, grid[k], grid[k + 1]))
        elif signs[k] < 0 and signs[k + 1] == 0 and k + 1 < WELL_GRID:
            minima.append(grid[k + 1])
    if signs[-1] <= 0:
        minima.append(grid[-1])
    return minima


def global_minimiser(restriction, N: int, values: list):
    r"""The lowest local minimum of :math:`\ell` (:func:`local_minima`)."""
    ell = restriction.compiled(0, "mpmath")
    return min(local_minima(restriction, N, values), key=lambda z: ell(z, N, *values))


def descend(restriction, N: int, values: list, x0):
    r"""The local minimum reached from ``x0`` by following :math:`-\ell'`: the first root of
    :math:`\ell'` in that direction where it changes sign, or the end of :math:`[0, 1]`."""
    slope = _slope(restriction, N, values)
    x, s = mpmath.mpf(x0), mpmath.sign(slope(x0))
    if s == 0:
        return x
    while True:
        y = min(max(x - s * DESCENT_STEP, mpmath.mpf(0)), mpmath.mpf(1))
        t = mpmath.sign(slope(y))
        if t != s:
            return y if t == 0 else bracketed_root(slope, min(x, y), max(x, y))
        if y in (0, 1):
            return y
        x = y
