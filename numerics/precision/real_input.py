"""A validated real parameter, kept exact for ball arithmetic and rounded for mpmath.

A decimal string such as ``"1.2"`` is not a binary number.  :class:`RealInput` keeps what the
user gave: :meth:`RealInput.ball` is an Arb ball that *contains* the exact value (so a
certificate proved for the ball holds for the exact input), :meth:`RealInput.mpf` the value
rounded to the current mpmath precision.  Validation is delegated to :mod:`clverify.theory.params`.

>>> t = RealInput.positive("t", "1.2")
>>> t.ball().contains(arb("1.2")), str(t)
(True, '1.2')
>>> RealInput.positive("t", "-1")
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: t must be a finite real number > 0, got '-1'
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import mpmath
import sympy as sp
from flint import arb, fmpq
from mpmath.libmp import from_rational, round_nearest

from clverify.theory.params import check_magnitude, check_positive

__all__ = ["RealInput"]


@dataclass(frozen=True)
class RealInput:
    """A real parameter: ``name`` and the value as given (int, float, Fraction, mpf or str)."""

    name: str
    value: object

    @classmethod
    def finite(cls, name: str, value) -> "RealInput":
        """A finite real (NaN and infinities rejected, naming ``name``), 0 or of magnitude in
        ``[1e-1000, 1e1000]`` (:func:`~clverify.theory.params.check_magnitude`)."""
        check_magnitude(name, value)
        return cls(name, _normalise(name, value))

    @classmethod
    def positive(cls, name: str, value) -> "RealInput":
        """A finite real ``> 0`` of magnitude in ``[1e-1000, 1e1000]``."""
        check_positive(name, value)
        check_magnitude(name, value)
        return cls(name, _normalise(name, value))

    def mpf(self) -> mpmath.mpf:
        """The value rounded to the current mpmath precision (once: a Fraction is divided
        exactly, then rounded)."""
        v = self.value
        if isinstance(v, Fraction):
            ctx = mpmath.mp
            return ctx.make_mpf(from_rational(v.numerator, v.denominator, ctx.prec, round_nearest))
        return mpmath.mpf(v)

    def ball(self) -> arb:
        """An Arb ball containing the exact value (exact for binary inputs; a decimal string is
        read exactly, as the rational it denotes, and then enclosed)."""
        v = self.value
        if isinstance(v, str):
            v = Fraction(Decimal(v))
        if isinstance(v, Fraction):
            return arb(fmpq(v.numerator, v.denominator))
        return arb(v)

    def exact(self):
        """The value as an exact SymPy rational (a decimal string is the decimal it reads).

        >>> RealInput.finite("b", "-1.25").exact()
        -5/4
        """
        v = self.value
        if isinstance(v, Fraction):
            return sp.Rational(v.numerator, v.denominator)
        if isinstance(v, mpmath.mpf):
            man, exp = v.man_exp
            return sp.Integer(man) * sp.Integer(2) ** exp
        return sp.Rational(v)

    def __str__(self) -> str:
        v = self.value
        return v if isinstance(v, str) else str(v)


def _normalise(name: str, value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float, Fraction, mpmath.mpf)):
        return value
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    return float(value)
