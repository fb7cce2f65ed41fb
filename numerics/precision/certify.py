r"""Certified enclosures of real roots with python-flint ball arithmetic (Arb).

A root of a real function ``f`` is *certified* in ``[lo, hi]`` when

1. the balls ``f(lo)`` and ``f(hi)`` have definite, opposite signs (a sign change, so a root
   exists by the intermediate value theorem), and
2. the ball ``f'([lo, hi])``, evaluated on a ball containing the whole interval, excludes 0
   (so ``f`` is strictly monotone there and the root is unique).

:func:`certify_root` starts from a high-precision estimate (e.g. from
:func:`clverify.numerics.precision.roots.find_root`), tries a tight interval around it, and falls back to
bisection in ball arithmetic on a bracket.  What cannot be certified is returned with
``certified=False`` and the reason, never silently.  Certified routines take the precision
(``digits``) and return the :class:`Enclosure`, never its midpoint.

>>> import mpmath
>>> from flint import arb
>>> enc = certify_root(lambda z: z * z - 2, lambda z: 2 * z, mpmath.sqrt(2), digits=30)
>>> with mpmath.workdps(60):
...     enc.certified, enc.width < mpmath.mpf(10) ** -30, enc.contains(mpmath.sqrt(2))
(True, True, True)
>>> enc.strings(12)
('1.41421356237', '1.41421356238')
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
from flint import arb

from .evaluators import GUARD_BITS, arb_precision, bits_for_digits

__all__ = [
    "Enclosure",
    "CERTIFY_PRECISION_STEPS",
    "BISECTION_MAX_STEPS",
    "POSITIVITY_MAX_BOXES",
    "arb_to_mpf",
    "ball_sign",
    "certify_root",
    "certify_positive",
]

#: How many times a failed certificate is retried with doubled guard precision.
CERTIFY_PRECISION_STEPS = 2
#: Step budget of the ball-arithmetic bisection fallback (per precision level).
BISECTION_MAX_STEPS = 40_000
#: Default box budget of :func:`certify_positive` (each box is one ball evaluation).
POSITIVITY_MAX_BOXES = 2048
#: Half-width of the first interval tried around an estimate, as a fraction of the target width.
_FIRST_HALF_WIDTH = mpmath.mpf(1) / 4
#: When the first interval shows no sign change, it is widened by this factor ...
_WIDEN_FACTOR = 2**32
#: ... at most this many times, and then bisected in ball arithmetic.
_WIDEN_STEPS = 8


def arb_to_mpf(value: arb) -> mpmath.mpf:
    """The midpoint of ``value`` as an exact ``mpmath.mpf`` (no rounding).

    >>> arb_to_mpf(arb(3) / 8)
    mpf('0.375')
    """
    sign, man, exp, bc = arb(value).mid()._mpf_
    with mpmath.workprec(max(bc, 1) + 1):
        return mpmath.mpf(value.mid())


def ball_sign(value: arb) -> int | None:
    """``+1``, ``-1`` or ``0`` when the ball's sign is certain (``0`` only for the exact zero),
    ``None`` when the ball contains 0 and other points.

    >>> ball_sign(arb(2).log() - 1), ball_sign(arb(0)), ball_sign(arb(0, 1))
    (-1, 0, None)
    """
    if value > 0:
        return 1
    if value < 0:
        return -1
    if value.is_zero():
        return 0
    return None


def _to_decimal(value: mpmath.mpf) -> decimal.Decimal:
    """``value`` as an exact Decimal (every binary fraction is a finite decimal)."""
    sign, man, exp, _ = value._mpf_
    if not man:
        return decimal.Decimal(0)
    exact = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    if exp < 0:
        d = exact.scaleb(decimal.Decimal(man * 5**-exp), exp)
    else:
        d = decimal.Decimal(man << exp)
    return exact.minus(d) if sign else d


def _round(value: mpmath.mpf, digits: int, rounding: str) -> str:
    d = _to_decimal(value)
    with decimal.localcontext(decimal.Context(prec=digits, rounding=rounding,
                                              Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)) as ctx:
        return str(ctx.plus(d))


@dataclass(frozen=True)
class Enclosure:
    r"""A closed interval :math:`[lo, hi]` claimed to contain a value.

    ``certified`` says whether ball arithmetic proved the claim; ``reason`` says how (or why
    not).  ``lo`` and ``hi`` are exact ``mpmath.mpf`` endpoints; :meth:`strings` rounds them
    *outward* to decimal strings, so the printed interval still contains the value.

    >>> e = Enclosure.point(mpmath.mpf(1), "exact")
    >>> e.width, e.contains(1), e.strings(5)
    (mpf('0.0'), True, ('1', '1'))
    """

    lo: mpmath.mpf
    hi: mpmath.mpf
    certified: bool
    reason: str = ""
    digits: int = 15

    @classmethod
    def point(cls, value, reason: str, digits: int = 15) -> "Enclosure":
        """The exact point ``[value, value]``, certified."""
        value = mpmath.mpf(value)
        return cls(value, value, True, reason, digits)

    @classmethod
    def from_ball(cls, ball: arb, certified: bool, reason: str, digits: int = 15) -> "Enclosure":
        """``[lower, upper]`` of an Arb ball."""
        return cls(arb_to_mpf(ball.lower()), arb_to_mpf(ball.upper()), certified, reason, digits)

    @property
    def width(self) -> mpmath.mpf:
        """``hi - lo`` (exact)."""
        with mpmath.workprec(_bits_needed(self.lo, self.hi)):
            return self.hi - self.lo

    def contains(self, value) -> bool:
        """Whether ``lo <= value <= hi`` (exact comparison)."""
        value = value if isinstance(value, mpmath.mpf) else mpmath.mpf(value)
        return bool(self.lo <= value <= self.hi)

    def strings(self, digits: int | None = None) -> tuple[str, str]:
        """``(lo, hi)`` as decimal strings with ``digits`` significant digits (default: the
        enclosure's ``digits`` + 5), rounded outward."""
        n = (self.digits + 5) if digits is None else digits
        return _round(self.lo, n, decimal.ROUND_FLOOR), _round(self.hi, n, decimal.ROUND_CEILING)

    def __jsonable__(self) -> list[str]:
        return list(self.strings())


def _bits_needed(*values: mpmath.mpf) -> int:
    """Bits that represent every ``value`` and their differences exactly."""
    parts = [v._mpf_ for v in values if v._mpf_[1]]  # (sign, man, exp, bc) of non-zeros
    if not parts:
        return 53
    top = max(exp + bc for _, _, exp, bc in parts)
    low = min(exp for _, _, exp, _ in parts)
    return max(top - low + 2, 53)


def _interval(lo: arb, hi: arb) -> arb:
    """A ball containing ``[lo, hi]``."""
    return lo.union(hi)


def _check(f: Callable, df: Callable, lo: arb, hi: arb) -> str | None:
    """None when ``[lo, hi]`` is certified to hold exactly one root, else why not."""
    s_lo, s_hi = ball_sign(f(lo)), ball_sign(f(hi))
    if s_lo is None or s_hi is None:
        return "the sign of f at an end of the interval is not certain at this precision"
    if s_lo * s_hi > 0:
        return "no sign change of f on the interval"
    slope = df(_interval(lo, hi))
    if ball_sign(slope) in (None, 0):
        return "the derivative ball over the interval contains 0"
    return None


def _bisect(f: Callable, lo: arb, hi: arb, width: arb) -> tuple[arb, arb] | str:
    s_lo, s_hi = ball_sign(f(lo)), ball_sign(f(hi))
    if s_lo is None or s_hi is None or s_lo * s_hi > 0:
        return "no certified sign change at the bracket's ends"
    for _ in range(BISECTION_MAX_STEPS):
        if hi - lo <= width:
            return lo, hi
        mid = (lo + hi) / 2
        s_mid = ball_sign(f(mid))
        if s_mid is None:
            return "the sign of f at a bisection point is not certain at this precision"
        if s_mid == 0:
            return mid, mid
        if s_mid == s_lo:
            lo = mid
        else:
            hi = mid
    return f"bisection did not reach the width in {BISECTION_MAX_STEPS} steps"


def _widen(f: Callable, centre: arb, half: arb) -> tuple[arb, arb] | None:
    """A bracket around ``centre`` with a certified sign change, or None."""
    for _ in range(_WIDEN_STEPS):
        half = half * _WIDEN_FACTOR
        lo, hi = (centre - half).lower(), (centre + half).upper()
        s_lo, s_hi = ball_sign(f(lo)), ball_sign(f(hi))
        if s_lo is not None and s_hi is not None and s_lo * s_hi <= 0:
            return lo, hi
    return None


def certify_root(f: Callable, df: Callable, estimate, *, digits: int, bracket=None,
                 width=None) -> Enclosure:
    r"""A certified enclosure of the unique root of ``f`` near ``estimate``.

    Parameters
    ----------
    f, df : callable
        ``f`` and its derivative as functions of one :class:`flint.arb` ball (compiled from the
        same SymPy expression, see :mod:`clverify.numerics.precision.evaluators`); ``df`` receives a ball that
        contains a whole interval.
    estimate : mpf
        An approximation of the root (may be ``None`` if ``bracket`` is given).
    digits : int
        Decimal digits: the enclosure's width is at most ``10**-digits * max(1, |root|)``.
    bracket : tuple, optional
        ``(lo, hi)`` with a sign change, used by the ball-bisection fallback.
    width : mpf, optional
        Target width (overrides the one derived from ``digits``).

    Returns
    -------
    Enclosure
        ``certified=True`` when the sign change and the derivative's sign are proved;
        otherwise ``certified=False`` with the reason (the interval is then only a heuristic).

    Examples
    --------
    A coarse estimate is widened into a bracket, then bisected in ball arithmetic:

    >>> enc = certify_root(lambda z: z.exp() - 3, lambda z: z.exp(), mpmath.mpf("1.1"), digits=40)
    >>> with mpmath.workdps(60):
    ...     enc.certified, enc.contains(mpmath.log(3)), enc.width <= mpmath.mpf(10) ** -40
    (True, True, True)

    A double root cannot be certified by a sign change:

    >>> enc = certify_root(lambda z: (z - 1) ** 2, lambda z: 2 * (z - 1), mpmath.mpf(1), digits=20)
    >>> enc.certified, enc.reason
    (False, 'no sign change of f on the interval')
    """
    reason = "no estimate and no bracket"
    for step in range(CERTIFY_PRECISION_STEPS + 1):
        guard = GUARD_BITS * 2**step
        with arb_precision(digits, guard):
            scale = max(mpmath.mpf(1), abs(mpmath.mpf(estimate))) if estimate is not None else 1
            target = arb(width) if width is not None else arb(10) ** (-digits) * arb(scale)
            if estimate is not None:
                half = target * arb(_FIRST_HALF_WIDTH)
                centre = arb(estimate)
                lo, hi = (centre - half).lower(), (centre + half).upper()
                reason = _check(f, df, lo, hi)
                if reason is None:
                    return _certified(lo, hi, digits, guard)
                search = bracket if bracket is not None else _widen(f, centre, half)
            else:
                search = bracket
            if search is not None:
                found = _bisect(f, arb(search[0]), arb(search[1]), target)
                if isinstance(found, str):
                    reason = found
                else:
                    lo, hi = found
                    if lo == hi:
                        return Enclosure.from_ball(lo, True, "f is exactly 0 at this point", digits)
                    reason = _check(f, df, lo, hi)
                    if reason is None:
                        return _certified(lo, hi, digits, guard)
    centre = mpmath.mpf(estimate) if estimate is not None else (
        (mpmath.mpf(bracket[0]) + mpmath.mpf(bracket[1])) / 2)
    return Enclosure(centre, centre, False, reason, digits)


def _certified(lo: arb, hi: arb, digits: int, guard: int) -> Enclosure:
    reason = (f"sign change of f at both ends and f' != 0 on [lo, hi], ball arithmetic at "
              f"{bits_for_digits(digits, guard)} bits")
    return Enclosure(arb_to_mpf(lo), arb_to_mpf(hi), True, reason, digits)


def certify_positive(f: Callable, lo, hi, *, digits: int,
                     max_boxes: int = POSITIVITY_MAX_BOXES) -> tuple[bool, str]:
    r"""Whether :math:`f > 0` on all of ``[lo, hi]``, proved by balls over a covering by boxes.

    ``f`` is evaluated on a ball containing each box (a function of one :class:`flint.arb`,
    e.g. a compiled :math:`\ell''`); a box whose ball is not certainly positive is halved.
    The proof fails when the box budget is spent, or at once when ``f`` is certainly
    :math:`\le 0` at a box's midpoint (a counterexample).  Returns ``(proved, how or why not)``.

    >>> certify_positive(lambda z: (z - arb(1) / 3) ** 2 + arb(10) ** -6, 0, 1, digits=20)[0]
    True
    >>> certify_positive(lambda z: (z - arb(1) / 2) ** 2 - arb(10) ** -6, 0, 1, digits=20)
    (False, 'f <= 0 at 0.5, certified by a ball')
    """
    with arb_precision(digits):
        stack, boxes = [(arb(lo), arb(hi))], 0
        while stack:
            a, b = stack.pop()
            boxes += 1
            if boxes > max_boxes:
                return False, f"f > 0 not shown with {max_boxes} boxes"
            if f(_interval(a, b)) > 0:
                continue
            mid = (a + b) / 2
            if ball_sign(f(mid)) in (-1, 0):
                return False, f"f <= 0 at {mpmath.nstr(arb_to_mpf(mid), 15)}, certified by a ball"
            stack += [(mid, b), (a, mid)]
        return True, (f"f > 0 on {boxes} boxes covering [{lo}, {hi}], ball arithmetic at "
                      f"{bits_for_digits(digits)} bits")
