r"""High-precision root finding of a real function on a bracket, in the style of
:func:`mpmath.findroot`.

One entry point, :func:`find_root`, takes ``solver=`` as a name (a key of :data:`SOLVERS`) or
a :class:`Solver` subclass.  A solver is a small class that yields ``(estimate, error)`` pairs
and states its step budget; the driver adds guard precision (restored in ``finally``), stops
when the error bound meets the tolerance, checks the residual by default, and raises
:class:`~clverify.theory.errors.ConvergenceError` otherwise, with the residual, the tolerance and what
to try.

The bracketing solvers reuse mpmath's own iterators (Anderson-Björck, Illinois, Pegasus,
bisection) rather than re-implementing them.

>>> import mpmath
>>> with mpmath.workdps(30):
...     print(find_root(lambda z: z**2 - 2, (1, 2)))
1.41421356237309504880168872421

A function without a sign change on the bracket is refused:

>>> find_root(lambda z: z**2 + 1, (-1, 2))
Traceback (most recent call last):
    ...
clverify.theory.errors.ConvergenceError: no sign change of f on [-1.0, 2.0]: f(lo) = 2.0, f(hi) = 5.0; try a bracket [lo, hi] with f(lo) * f(hi) < 0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import mpmath
from mpmath.calculus import optimization as _mpmath_solvers

from clverify.theory.errors import ConvergenceError
from clverify.theory.params import check_choice

__all__ = [
    "ROOT_GUARD_BITS",
    "TOLERANCE_ULPS",
    "SOLVERS",
    "Solver",
    "Anderson",
    "Illinois",
    "Pegasus",
    "Bisect",
    "find_root",
]

#: Guard bits added to the working precision while iterating (restored afterwards).
ROOT_GUARD_BITS = 20
#: Default tolerance, in units of the caller's ``mpmath.mp.eps``: ``tol = TOLERANCE_ULPS * eps``.
TOLERANCE_ULPS = 2**10


class _ExactRoot(Exception):
    """Raised from inside an iteration when ``f`` is exactly zero at a point."""

    def __init__(self, point):
        super().__init__(point)
        self.point = point


class Solver:
    """A bracketing root finder: iterate to get ``(estimate, error)`` pairs.

    Subclasses set :attr:`name` and :attr:`max_steps` (the default step budget) and implement
    :meth:`__iter__`.  ``error`` must bound ``|estimate - root|`` (for the bracketing methods
    here it is the current bracket length).
    """

    name = "solver"
    #: Default step budget (a step is one evaluation of ``f`` or so).
    max_steps = 100

    def __init__(self, f: Callable, bracket: tuple):
        self.f = f
        self.lo, self.hi = bracket

    def __iter__(self) -> Iterator[tuple]:  # pragma: no cover - abstract
        raise NotImplementedError


class _MpmathBracketing(Solver):
    """Adapter over one of mpmath's bracketing iterators (``mpmath.calculus.optimization``)."""

    _factory: Callable = None
    _method: str | None = None

    def __iter__(self):
        kwargs = {"tol": mpmath.mpf(0), "verbose": False}  # our driver decides when to stop
        if self._method is not None:
            kwargs["method"] = self._method
        return iter(type(self)._factory(mpmath.mp, self.f, [self.lo, self.hi], **kwargs))


class Anderson(_MpmathBracketing):
    """Anderson-Björck regula falsi (mpmath's ``anderson``).

    Trade-offs: superlinear on smooth functions (about 10 steps for 50 digits on a
    well-scaled function); slow on functions that are exponentially flat on most of the
    bracket (e.g. a sigmoid with a large slope), where :class:`Bisect` is safer; needs a sign
    change.
    """

    name = "anderson"
    max_steps = 200
    _factory = staticmethod(_mpmath_solvers.Illinois)
    _method = "anderson"


class Illinois(_MpmathBracketing):
    """Illinois regula falsi (mpmath's ``illinois``): like :class:`Anderson`, with a fixed
    halving of the retained end value. Trade-offs: a little slower than Anderson on smooth
    functions, equally fragile on very flat ones; needs a sign change."""

    name = "illinois"
    max_steps = 200
    _factory = staticmethod(_mpmath_solvers.Illinois)
    _method = "illinois"


class Pegasus(_MpmathBracketing):
    """Pegasus regula falsi (mpmath's ``pegasus``). Trade-offs as for :class:`Anderson`."""

    name = "pegasus"
    max_steps = 200
    _factory = staticmethod(_mpmath_solvers.Illinois)
    _method = "pegasus"


class Bisect(_MpmathBracketing):
    """Bisection (mpmath's ``bisect``).

    Trade-offs: always converges on a sign change, one bit per step (about 3.3 steps per
    decimal digit, so ~170 steps for 50 digits), insensitive to scaling; slowest on smooth
    functions.
    """

    name = "bisect"
    max_steps = 40_000
    _factory = staticmethod(_mpmath_solvers.Bisection)


#: Solver name -> class.
SOLVERS: dict[str, type[Solver]] = {
    cls.name: cls for cls in (Anderson, Illinois, Pegasus, Bisect)
}


def _resolve(solver) -> type[Solver]:
    if isinstance(solver, str):
        return SOLVERS[check_choice("solver", solver, SOLVERS)]
    if isinstance(solver, type) and issubclass(solver, Solver):
        return solver
    raise TypeError(f"solver must be a name in {sorted(SOLVERS)} or a Solver subclass, got {solver!r}")


def find_root(f: Callable, bracket, *, solver="anderson", tol=None, max_steps: int | None = None,
              residual_tol=None, verify: bool = True):
    r"""A root of ``f`` in ``bracket = (lo, hi)``, with ``f(lo) f(hi) < 0``, at the current
    mpmath precision.

    Parameters
    ----------
    f : callable
        A real function of one mpmath number.
    bracket : tuple
        ``(lo, hi)``; ``f`` must change sign on it.
    solver : str or Solver subclass
        One of :data:`SOLVERS` (``"anderson"``, ``"illinois"``, ``"pegasus"``, ``"bisect"``) or
        a :class:`Solver` subclass.
    tol : mpf, optional
        Stop when the solver's error bound is below ``tol * max(1, |x|)``; default
        ``TOLERANCE_ULPS * mp.eps`` at the caller's precision.
    max_steps : int, optional
        Step budget (default: the solver's :attr:`Solver.max_steps`).
    residual_tol : mpf, optional
        Reject a result with :math:`|f(x)| >` ``residual_tol``; default
        ``tol * max(1, |f(lo)|, |f(hi)|)``.
    verify : bool
        Check the residual (default True).

    Returns
    -------
    mpf
        The root estimate (an ``mpf`` computed with ``ROOT_GUARD_BITS`` extra bits).

    Raises
    ------
    ConvergenceError
        No sign change, the step budget spent before the tolerance is met, or a residual above
        ``residual_tol``.

    Examples
    --------
    >>> import mpmath
    >>> with mpmath.workdps(20):
    ...     print(mpmath.nstr(find_root(mpmath.cos, (1, 2), solver="bisect"), 17))
    1.5707963267948966
    >>> find_root(lambda z: mpmath.exp(z) - 10, (0, 500), solver="illinois", max_steps=5)
    Traceback (most recent call last):
        ...
    clverify.theory.errors.ConvergenceError: illinois did not converge in 5 steps on [0.0, 500.0]: error bound 500.0 > tol 2.27373675443232e-13, residual |f(x)| = ...; try solver='bisect' or a larger max_steps
    """
    cls = _resolve(solver)
    ctx = mpmath.mp
    if tol is None:
        tol = TOLERANCE_ULPS * ctx.eps
    steps = cls.max_steps if max_steps is None else int(max_steps)
    prec = ctx.prec
    try:
        ctx.prec += ROOT_GUARD_BITS
        root = _iterate(f, bracket, cls, tol, steps, residual_tol, verify)
    finally:
        ctx.prec = prec
    return +root  # rounded to the caller's precision


def _iterate(f, bracket, cls, tol, steps, residual_tol, verify):
    ctx = mpmath.mp
    lo, hi = ctx.mpf(bracket[0]), ctx.mpf(bracket[1])
    f_lo, f_hi = f(lo), f(hi)
    if f_lo == 0:
        return lo
    if f_hi == 0:
        return hi
    if f_lo * f_hi > 0:
        raise ConvergenceError(
            f"no sign change of f on [{_short(lo)}, {_short(hi)}]: f(lo) = {_short(f_lo)}, "
            f"f(hi) = {_short(f_hi)}; try a bracket [lo, hi] with f(lo) * f(hi) < 0"
        )

    def guarded(z):
        value = f(z)
        if value == 0:
            raise _ExactRoot(z)
        return value

    x = error = None
    i = 0
    try:
        for x, error in cls(guarded, (lo, hi)):
            i += 1
            if error <= tol * max(1, abs(x)) or i >= steps:
                break
    except _ExactRoot as exact:
        return exact.point
    if x is None:
        raise ConvergenceError(f"{cls.name} gave no estimate on [{_short(lo)}, {_short(hi)}]")
    residual = abs(f(x))
    if error > tol * max(1, abs(x)):
        raise ConvergenceError(
            f"{cls.name} did not converge in {i} steps on [{_short(lo)}, {_short(hi)}]: "
            f"error bound {_short(error)} > tol {_short(tol)}, residual |f(x)| = "
            f"{_short(residual)}; try solver='bisect' or a larger max_steps"
        )
    if residual_tol is None:
        residual_tol = tol * max(1, abs(f_lo), abs(f_hi))
    if verify and residual > residual_tol:
        raise ConvergenceError(
            f"{cls.name} stopped at x = {_short(x)} with residual |f(x)| = {_short(residual)} "
            f"> {_short(residual_tol)}; try more digits, solver='bisect', or verify=False if f "
            f"is known to be ill-conditioned there"
        )
    return x


def _short(value) -> str:
    return mpmath.nstr(value, 15)
