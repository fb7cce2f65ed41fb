r"""Where the optimal CCEM of a loss changes along one parameter: the global minimiser over
:math:`x` tracked along a grid, its regime changes and its jumps, at high precision, certified
where the expression allows.

Along a grid of values of one parameter ``p`` (the others fixed), the minimiser :math:`x^*(p)`
of :math:`\ell(x; p)` over :math:`[0, 1]` is found at each point:

* where :math:`\ell'' > 0` is proved, by the rule of :mod:`clverify.numerics.precision.regime`;
* where :math:`\ell` is linear in :math:`x`, at the end its constant slope points to;
* elsewhere, as the lowest of *every* local minimum (the roots of :math:`\ell'` and both ends,
  :mod:`clverify.numerics.precision.wells`), numerically.

Between two neighbours the minimiser either moves inside one well (the well of
:math:`x^*(p_k)`, followed to :math:`p_{k+1}` by :func:`~clverify.numerics.precision.wells.descend`,
ends at :math:`x^*(p_{k+1})`) or **jumps** to another well.  Each event is a
:class:`RegimeChange`:

* ``change``: the regime changes with :math:`x^*` moving continuously: a root in ``p`` of
  :math:`\ell'(1; p)` (ETF/intermediate) or :math:`\ell'(0; p)` (antipodal/intermediate), found
  by :func:`~clverify.numerics.precision.roots.find_root`, enclosed by
  :func:`~clverify.numerics.precision.certify.certify_root` with :math:`\partial_p \ell'`
  (SymPy), and *certified* when, in addition, :math:`\ell'' > 0` is proved by balls on
  :math:`[0, 1]` for every ``p`` of the enclosure; exact (SymPy's rational root) where
  :math:`\ell'` is rational in ``p`` with a rational root;
* ``jump``: :math:`x^*` leaves its well for another one, where the two wells' minima are
  equal (found by bisection, numerical), with :math:`x^*` on both sides (``x_below``,
  ``x_above``); a linear :math:`\ell` jumps from one end to the other where its slope is 0.

The value is shown (``shown``) with the digits its enclosure certifies, or exactly.

>>> from clverify.theory.losses import LOSSES
>>> changes = regime_changes(LOSSES["sigmoid"], 10, {"t": "2"}, "b", "-5", "10", points=40, digits=20)
>>> [(c.event, c.below, c.above, c.shown[:13], c.certified) for c in changes]
[('change', 'antipodal', 'intermediate', '-0.6137056388', True), ('change', 'intermediate', 'etf', '1.82648889032', True)]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp
from flint import arb, fmpq
from tqdm import tqdm

from clverify.theory import derivation as D
from clverify.theory.errors import ConvergenceError, InvalidParameterError
from clverify.theory.losses import Loss
from clverify.theory.params import check_batch_size, check_digits

from .ccem_optimum import GUARD_DIGITS, convex_regime, linear_minimiser
from .certificates import exact_decimal
from .certify import Enclosure, certify_root
from .evaluators import arb_precision
from .real_input import RealInput
from .regime import END_REGIMES, regime
from .restriction import Restriction, split_parameters
from .roots import find_root
from .wells import bracketed_root, descend, global_minimiser

__all__ = ["RegimeChange", "RegimeTrack", "regime_changes", "shown", "SWEEP_CONVEXITY_BOXES",
           "MAX_POINTS", "BISECTION_STEPS", "JUMP_STEPS", "JUMP_TOL"]

#: Box budget of the convexity certificate at each grid point of a sweep.
SWEEP_CONVEXITY_BOXES = 256
#: Largest number of grid points of a sweep.
MAX_POINTS = 100_000
#: Bisection steps on the numerical regime where a change is not a root of l'(0) or l'(1).
BISECTION_STEPS = 60
#: Most bisection steps that locate a jump between wells (fewer when the bracket reaches the
#: working digits).
JUMP_STEPS = 400
#: The well of x*(p_k), followed to p_(k+1), is another well than x*(p_(k+1)) beyond this.
JUMP_TOL = mpmath.mpf("1e-6")
#: The ends' x of each end regime.
END = {regime: x for x, regime in END_REGIMES.items()}


@dataclass(frozen=True)
class RegimeChange:
    """An event of the optimal CCEM at ``param = value``: the regime changes from ``below`` to
    ``above`` (``event = "change"``), or :math:`x^*` jumps from ``x_below`` to ``x_above``
    between two wells (``event = "jump"``).

    ``enclosure`` encloses ``value``; ``shown`` is ``value`` with the digits the enclosure
    certifies (exact where SymPy solved the condition exactly); ``condition`` names the
    equation solved (``"l'(1) = 0"``, ``"l'(0) = 0"``, equal wells, or a bisection);
    ``certified`` says whether the enclosure *and* the convexity in ``x`` over it are proved.
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
    event: str = "change"
    x_below: mpmath.mpf | None = None
    x_above: mpmath.mpf | None = None
    shown: str = ""


class RegimeTrack(list):
    """The events of a sweep (a list of :class:`RegimeChange`), with the track they come from:
    ``grid`` (the parameter's values), ``x_star`` and ``regimes`` (at each)."""

    def __init__(self, events, grid, x_star, regimes):
        super().__init__(events)
        self.grid, self.x_star, self.regimes = grid, x_star, regimes


class _Ball:
    """A parameter known as an Arb ball only (the enclosure of a threshold)."""

    def __init__(self, ball):
        self._ball = ball

    def ball(self):
        return self._ball

    def exact(self):
        return None


@dataclass(frozen=True)
class _Point:
    """The minimiser at one grid point: its regime, ``x``, and how it was found (``convex``,
    ``linear`` or ``numerical``)."""

    regime: str
    x: mpmath.mpf
    kind: str


def _point(restriction, N, numeric, digits) -> _Point:
    """The global minimiser at one grid point (the optimum's rule where convex; the end a
    linear restriction's slope points to; else the lowest well)."""
    convex, _ = restriction.convexity(N, numeric, digits, SWEEP_CONVEXITY_BOXES)
    values = [p.mpf() for p in numeric.values()]
    found = convex_regime(restriction, N, numeric, digits)[0] if convex else None
    if found in END:
        return _Point(found, mpmath.mpf(END[found]), "convex")
    if found == "intermediate":
        return _Point(found, bracketed_root(restriction.root_function(N, numeric), 0, 1), "convex")
    linear = restriction.linear(N, numeric, digits)
    if linear:
        found, x, _, _ = linear_minimiser(restriction, N, numeric, digits, linear)
        return _Point(found, x, "linear")
    x = global_minimiser(restriction, N, values)
    return _Point(END_REGIMES[int(x)] if x in (0, 1) else "intermediate", x, "numerical")


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
                   digits: int = 30) -> RegimeTrack:
    r"""The events (regime changes and jumps) of the optimal CCEM of ``loss`` along ``param`` in
    ``[lo, hi]``, and the track of :math:`x^*` they come from.

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
    events = []
    with mpmath.workdps(digits + GUARD_DIGITS):
        track = [_point(restriction, N, _with(numeric, param, p), digits)
                 for p in tqdm(grid, desc=f"{loss.name} along {param}", unit="point", file=sys.stderr,
                               disable=not sys.stderr.isatty(), leave=False)]
        for k in range(points - 1):
            events += _events_between(restriction, N, numeric, param, grid[k], grid[k + 1],
                                      track[k], track[k + 1], digits)
    with mpmath.workdps(digits):
        rounded = [{k: +v if isinstance(v, mpmath.mpf) else v for k, v in e.items()} for e in events]
        found = [RegimeChange(loss.name, N, others, param, **e) for e in rounded]
        return RegimeTrack(found, grid, [+p.x for p in track], [p.regime for p in track])


def _mpf(value: Fraction) -> mpmath.mpf:
    return mpmath.mpf(value.numerator) / value.denominator


def _event(value, enclosure, below, above, condition, certified, note, event="change", x_below=None,
           x_above=None, shown="") -> dict:
    """The fields of a :class:`RegimeChange` that one interval of the grid gives."""
    return dict(value=value, enclosure=enclosure, below=below, above=above, condition=condition,
                certified=certified, note=note, event=event, x_below=x_below, x_above=x_above,
                shown=shown)


def shown(enclosure: Enclosure, digits: int, exact=None) -> str:
    """The value of ``enclosure`` with the significant digits it certifies: the most digits
    (at most ``digits``) to which both ends round alike, so that every number of the interval
    rounds to the string shown; ``exact`` (a SymPy rational) is shown exactly.

    >>> shown(Enclosure(mpmath.mpf("1.23441"), mpmath.mpf("1.23449"), False), 30)
    '1.234'
    >>> shown(Enclosure(mpmath.mpf(0), mpmath.mpf(0), True), 30, sp.Rational(-9, 10))
    '-0.9'
    """
    if exact is not None:
        try:
            return exact_decimal(Fraction(int(exact.p), int(exact.q)))
        except ValueError:   # no finite decimal expansion (1/3): every digit asked for is right
            return mpmath.nstr(mpmath.mpf(exact.p) / exact.q, digits)
    lo, hi = enclosure.lo, enclosure.hi
    for k in range(digits, 0, -1):
        if mpmath.nstr(lo, k, strip_zeros=False) == mpmath.nstr(hi, k, strip_zeros=False):
            return mpmath.nstr(lo, k)
    return f"[{mpmath.nstr(lo, 3)}, {mpmath.nstr(hi, 3)}]"


def _regime_at(x) -> str:
    return END_REGIMES[int(x)] if x in (0, 1) else "intermediate"


def _events_between(restriction, N, numeric, param, lo, hi, p0, p1, digits) -> list[dict]:
    """The events between two neighbours of the grid (exact rationals ``lo < hi``, minimisers
    ``p0``, ``p1``): a jump of a linear restriction, a jump between wells, or regime changes."""
    if "linear" in (p0.kind, p1.kind):
        return [] if p0.regime == p1.regime else [_linear_jump(restriction, N, numeric, param, lo, hi,
                                                               p0, p1, digits)]
    if "numerical" in (p0.kind, p1.kind):
        values = [p.mpf() for p in _with(numeric, param, hi).values()]
        continued = descend(restriction, N, values, p0.x)
        if abs(continued - p1.x) > JUMP_TOL:
            return [_jump(restriction, N, numeric, param, lo, hi, p0, p1, digits)]
    if p0.regime == p1.regime:
        return []
    return _changes_between(restriction, N, numeric, param, lo, hi, p0.kind == p1.kind == "convex",
                            digits)


def _jump(restriction, N, numeric, param, lo, hi, p0, p1, digits) -> dict:
    r"""Where :math:`x^*` leaves the well of ``p0`` for that of ``p1``: the two wells' minima,
    each followed from its side (:func:`~clverify.numerics.precision.wells.descend`), are equal;
    located by bisection on the sign of their difference (numerical)."""
    ell = restriction.compiled(0, "mpmath")
    a, b, xa, xb = _mpf(lo), _mpf(hi), p0.x, p1.x
    for _ in range(JUMP_STEPS):
        if b - a <= mpmath.mpf(10) ** -digits * max(1, abs(a)):
            break
        mid = (a + b) / 2
        values = [p.mpf() for p in _with(numeric, param, mid).values()]
        ya, yb = descend(restriction, N, values, xa), descend(restriction, N, values, xb)
        if ell(ya, N, *values) < ell(yb, N, *values):
            a, xa = mid, ya
        else:
            b, xb = mid, yb
    note = ("x* jumps between two wells of l where their minima are equal: located by bisection "
            "on the difference of the minima, each followed from its side (numerical)")
    enclosure = Enclosure(a, b, False, note, digits)
    return _event((a + b) / 2, enclosure, _regime_at(xa), _regime_at(xb), "l(x_below) = l(x_above)",
                  False, note, "jump", xa, xb, shown(enclosure, digits))


def _exact_root(restriction, N, numeric, param, x0, lo: Fraction, hi: Fraction):
    r"""The one rational root in ``[lo, hi]`` of :math:`\ell'(x_0)` in ``param``, exactly, where
    SymPy sees a rational function of ``param`` (the others at their exact values); else None."""
    symbol = restriction.symbols[restriction.names.index(param)]
    others = {s: p.exact() for s, (k, p) in zip(restriction.symbols, numeric.items()) if k != param}
    if None in others.values():
        return None
    expr = sp.together(restriction.expression(1).subs({D.x: x0, D.N: N, **others}))
    if expr.free_symbols - {symbol} or not expr.is_rational_function(symbol):
        return None
    num, den = sp.fraction(expr)
    inside = [r for r in sp.Poly(num, symbol).real_roots()
              if sp.Rational(lo.numerator, lo.denominator) <= r <= sp.Rational(hi.numerator, hi.denominator)]
    if len(inside) != 1 or not inside[0].is_Rational or den.subs(symbol, inside[0]) == 0:
        return None
    return inside[0]


def _linear_jump(restriction, N, numeric, param, lo, hi, p0, p1, digits) -> dict:
    r"""A linear :math:`\ell` (slope :math:`\ell'(0) = \ell'(1)`) jumps from one end to the other
    where its slope is 0 (every CCEM is optimal there): exactly where SymPy solves it."""
    root = _exact_root(restriction, N, numeric, param, 0, lo, hi)
    if root is not None:
        with arb_precision(digits):
            enclosure = Enclosure.from_ball(arb(fmpq(int(root.p), int(root.q))), True,
                                            "the rational root of l' in the parameter (SymPy, exact)", digits)
        value = mpmath.mpf(root.p) / root.q
    else:
        value, enclosure = _root(restriction, N, numeric, param, 0, _mpf(lo), _mpf(hi), digits)
    note = (f"l is linear in x on both sides; its slope is 0 at this {param} (every CCEM is optimal "
            f"there): {enclosure.reason}")
    return _event(value, enclosure, p0.regime, p1.regime, "l' = 0 (l linear in x)", enclosure.certified,
                  note, "jump", p0.x, p1.x, shown(enclosure, digits, root))


def _changes_between(restriction, N, numeric, param, lo, hi, convex, digits) -> list[dict]:
    r"""The regime changes in ``[lo, hi]`` with :math:`x^*` moving continuously: roots of
    :math:`\ell'(0)` and :math:`\ell'(1)` in ``param``, certified where :math:`\ell` is convex
    in ``x`` over the enclosure; a bisection on the regime where neither changes sign."""
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
        exact = _exact_root(restriction, N, numeric, param, x0, lo, hi)
        value, enclosure = _root(restriction, N, numeric, param, x0, _mpf(lo), _mpf(hi), digits)
        if convex:
            with arb_precision(digits):
                ball = arb(enclosure.lo).union(arb(enclosure.hi))
            convex_here, how = restriction.convexity(N, {**numeric, param: _Ball(ball)}, digits)
        else:
            convex_here, how = False, "l is not shown convex in x at the neighbouring grid points"
        note = (f"root in {param} of l'({x0}) ({enclosure.reason}); l'' > 0 on [0, 1] for "
                f"every {param} of the enclosure: {how}")
        found.append(_event(value, enclosure, below, above, f"l'({x0}) = 0",
                            enclosure.certified and convex_here, note, x_below=mpmath.mpf(x0),
                            x_above=mpmath.mpf(x0), shown=shown(enclosure, digits, exact)))
    if not found:
        return [_bisected(restriction, N, numeric, param, _mpf(lo), _mpf(hi), digits)]
    return sorted(found, key=lambda change: change["value"])


def _bisected(restriction, N, numeric, param, lo, hi, digits) -> dict:
    """A change located by bisection on the regime of the global minimiser (not certified)."""
    regime_lo = _point(restriction, N, _with(numeric, param, lo), digits).regime
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        if _point(restriction, N, _with(numeric, param, mid), digits).regime == regime_lo:
            lo = mid
        else:
            hi = mid
    regime_hi = _point(restriction, N, _with(numeric, param, hi), digits).regime
    note = ("l is not certified convex in x near here: the change is bracketed by bisection on "
            "the regime of the numerical global minimum (every well)")
    enclosure = Enclosure(lo, hi, False, note, digits)
    return _event((lo + hi) / 2, enclosure, regime_lo, regime_hi, "regime bisection (numerical)",
                  False, note, shown=shown(enclosure, digits))
