r"""Where the CCEM regime of a loss changes along one parameter: thresholds at high precision,
certified where the expression allows.

Along a grid of values of one parameter ``p`` (the others fixed), the regime of the CCEM
optimum (:mod:`clverify.numerics.precision.ccem_optimum`, the rule of
:mod:`clverify.numerics.precision.regime`) is found at each point.  Where it
changes between two neighbours and :math:`\ell` is convex in :math:`x` at both, the change
is a root in ``p`` of :math:`\ell'(1; p)` (ETF/intermediate) or :math:`\ell'(0; p)`
(antipodal/intermediate): found by :func:`~clverify.numerics.precision.roots.find_root`,
enclosed by :func:`~clverify.numerics.precision.certify.certify_root` with
:math:`\partial_p \ell'` (SymPy), and *certified* when, in addition, :math:`\ell'' > 0` is
proved by balls on :math:`[0, 1]` for every ``p`` of the enclosure.  Elsewhere (a loss not
convex on the CCEM) the change is bracketed by bisection on the numerical regime.

>>> from clverify.theory.losses import LOSSES
>>> changes = regime_changes(LOSSES["sigmoid"], 10, {"t": "2"}, "b", "-5", "10", points=40, digits=20)
>>> [(c.below, c.above, mpmath.nstr(c.value, 12), c.certified) for c in changes]
[('antipodal', 'intermediate', '-0.61370563888', True), ('intermediate', 'etf', '1.82648889033', True)]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
from flint import arb

from clverify.theory.errors import ConvergenceError, InvalidParameterError
from clverify.theory.losses import Loss
from clverify.theory.params import check_batch_size, check_digits

from .ccem_optimum import GUARD_DIGITS, convex_regime, numerical_minimiser
from .certify import Enclosure, certify_root
from .evaluators import arb_precision
from .real_input import RealInput
from .regime import regime
from .restriction import Restriction, split_parameters
from .roots import find_root

__all__ = ["RegimeChange", "regime_changes", "SWEEP_CONVEXITY_BOXES", "MAX_POINTS",
           "BISECTION_STEPS"]

#: Box budget of the convexity certificate at each grid point of a sweep.
SWEEP_CONVEXITY_BOXES = 256
#: Largest number of grid points of a sweep.
MAX_POINTS = 100_000
#: Bisection steps on the numerical regime where a change is not a root of l'(0) or l'(1).
BISECTION_STEPS = 60


@dataclass(frozen=True)
class RegimeChange:
    """The regime of the CCEM optimum changes from ``below`` to ``above`` at ``param = value``.

    ``enclosure`` encloses ``value``; ``condition`` names the equation solved
    (``"l'(1) = 0"``, ``"l'(0) = 0"``, or the numerical regime's bisection); ``certified`` says
    whether the enclosure *and* the convexity in ``x`` over it are proved by balls.
    """

    loss: str
    N: int
    params: dict
    param: str
    value: mpmath.mpf
    enclosure: Enclosure
    below: str
    above: str
    condition: str
    certified: bool
    note: str


class _Ball:
    """A parameter known as an Arb ball only (the enclosure of a threshold)."""

    def __init__(self, ball):
        self._ball = ball

    def ball(self):
        return self._ball

    def exact(self):
        return None


def _regime(restriction, N, numeric, digits) -> tuple[str, bool]:
    """The regime at one grid point (the optimum's rule where convex, else a grid minimum) and
    whether :math:`\\ell` was shown convex there."""
    convex, _ = restriction.convexity(N, numeric, digits, SWEEP_CONVEXITY_BOXES)
    if not convex:
        return numerical_minimiser(restriction, N, [p.mpf() for p in numeric.values()])[1], False
    return convex_regime(restriction, N, numeric, digits)[0], True


def _with(numeric: dict, param: str, value) -> dict:
    return {**numeric, param: RealInput.finite(param, value)}


def _root(restriction, N, numeric, param, x0, lo, hi, digits) -> tuple[mpmath.mpf, Enclosure]:
    r"""The root in ``param`` of :math:`\ell'(x_0)` in ``[lo, hi]`` and its enclosure."""
    names = restriction.names
    k = names.index(param)
    f_mp, f_arb = restriction.compiled(1, "mpmath"), restriction.compiled(1, "arb")
    df_arb = restriction.compiled(1, "arb", param)
    values = [p.mpf() for p in numeric.values()]
    with arb_precision(digits):
        balls = [p.ball() for p in numeric.values()]

    def at(args, z):
        return [*args[:k], z, *args[k + 1:]]

    g = lambda z: f_mp(x0, N, *at(values, z))   # noqa: E731
    try:
        p = find_root(g, (lo, hi), solver="anderson", verify=False)
    except ConvergenceError:
        p = find_root(g, (lo, hi), solver="bisect", verify=False)
    enclosure = certify_root(lambda z: f_arb(x0, N, *at(balls, z)),
                             lambda z: df_arb(x0, N, *at(balls, z)), p, digits=digits,
                             bracket=(lo, hi))
    return p, enclosure


def regime_changes(loss: Loss, N: int, params: dict, param: str, lo, hi, *, points: int = 200,
                   digits: int = 30) -> list[RegimeChange]:
    r"""The regime changes of the CCEM optimum of ``loss`` along ``param`` in ``[lo, hi]``.

    Parameters
    ----------
    loss : Loss
        Any loss; ``params`` its other parameters (defaults apply).
    N : int
        Batch size, :math:`N \ge 3`.
    param : str
        A numeric parameter of ``loss``; ``lo < hi`` (decimal strings are kept exact).
    points : int
        Grid points (a change between two neighbours is found; two changes closer than the
        grid step may be missed).
    digits : int
        Significant digits of the thresholds.
    """
    N = check_batch_size("N", N)
    digits = check_digits(digits)
    points = check_batch_size("points", points, 2)
    if points > MAX_POINTS:
        raise InvalidParameterError(f"points must be an integer in [2, {MAX_POINTS}], got {points}")
    if param not in loss.parameters:
        raise InvalidParameterError(
            f"sweep-param must be a parameter of loss {loss.name!r} ({', '.join(loss.parameters)}), "
            f"got {param!r}")
    lo_in, hi_in = RealInput.finite(f"{param} range start", lo), RealInput.finite(f"{param} range end", hi)
    a, b = lo_in.exact(), hi_in.exact()
    if not a < b:
        raise InvalidParameterError(f"range must be A:B with A < B, got {lo}:{hi}")
    numeric, fixed = split_parameters(loss.resolve({**params, param: str(lo)}))
    if param not in numeric:
        raise InvalidParameterError(f"sweep-param {param!r} must be numeric")
    restriction = Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items())))
    grid = [Fraction(int(p.p), int(p.q)) for p in (a + (b - a) * k / (points - 1) for k in range(points))]
    others = {k: str(v) for k, v in numeric.items() if k != param} | fixed
    changes = []
    with mpmath.workdps(digits + GUARD_DIGITS):
        regimes = [_regime(restriction, N, _with(numeric, param, p), digits) for p in grid]
        for k in range(points - 1):
            (r0, c0), (r1, c1) = regimes[k], regimes[k + 1]
            if r0 != r1:
                changes += _changes_between(restriction, N, numeric, param, grid[k], grid[k + 1],
                                            c0 and c1, digits)
    with mpmath.workdps(digits):
        return [RegimeChange(loss.name, N, others, param, +value, enclosure, below, above,
                             condition, certified, note)
                for value, enclosure, below, above, condition, certified, note in changes]


def _mpf(value: Fraction) -> mpmath.mpf:
    return mpmath.mpf(value.numerator) / value.denominator


def _changes_between(restriction, N, numeric, param, lo, hi, convex, digits) -> list[tuple]:
    r"""The changes in ``[lo, hi]`` (exact rationals, neighbours of the grid): roots of
    :math:`\ell'(0)` and :math:`\ell'(1)` in ``param`` where :math:`\ell` is convex at both
    ends, else a bisection on the numerical regime."""
    if not convex:
        return [_bisected(restriction, N, numeric, param, _mpf(lo), _mpf(hi), digits)]
    df = restriction.compiled(1, "mpmath")
    found = []
    for x0, boundary in ((0, "antipodal"), (1, "etf")):
        g_lo, g_hi = (df(x0, N, *[p.mpf() for p in _with(numeric, param, v).values()])
                      for v in (lo, hi))
        if g_lo * g_hi > 0:
            continue
        # the side of lo is the boundary's regime iff the rule says so from the sign of l'(x0)
        sign = int(mpmath.sign(g_lo))
        slopes = (None, sign) if x0 == 0 else (sign, None)   # (l'(1), l'(0))
        starts_in = regime(*slopes) == boundary
        below, above = (boundary, "intermediate") if starts_in else ("intermediate", boundary)
        value, enclosure = _root(restriction, N, numeric, param, x0, _mpf(lo), _mpf(hi), digits)
        with arb_precision(digits):
            ball = arb(enclosure.lo).union(arb(enclosure.hi))
        convex_here, how = restriction.convexity(N, {**numeric, param: _Ball(ball)}, digits)
        note = (f"root in {param} of l'({x0}) ({enclosure.reason}); l'' > 0 on [0, 1] for "
                f"every {param} of the enclosure: {how}")
        found.append((value, enclosure, below, above, f"l'({x0}) = 0",
                      enclosure.certified and convex_here, note))
    return sorted(found, key=lambda change: change[0])


def _bisected(restriction, N, numeric, param, lo, hi, digits) -> tuple:
    """A change located by bisection on the numerically found regime (not certified)."""
    regime_lo, _ = _regime(restriction, N, _with(numeric, param, lo), digits)
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        if _regime(restriction, N, _with(numeric, param, mid), digits)[0] == regime_lo:
            lo = mid
        else:
            hi = mid
    regime_hi, _ = _regime(restriction, N, _with(numeric, param, hi), digits)
    note = ("l is not certified convex in x near here: the change is bracketed by bisection on "
            "the regime of the numerical global minimum (grid and refinement)")
    return ((lo + hi) / 2, Enclosure(lo, hi, False, note, digits), regime_lo, regime_hi,
            "regime bisection (numerical)", False, note)
