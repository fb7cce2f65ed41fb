"""Exact rational values of binary numbers, for tests of the trust core: built from integers
(``man * 2**exp``) or from flint's exact ``man_exp``, never from the code under test."""

from __future__ import annotations

import decimal
from fractions import Fraction

import mpmath
from flint import arb


def dyadic(man: int, exp: int) -> mpmath.mpf:
    """The mpf ``man * 2**exp``, exactly (the precision holds every bit of ``man``)."""
    with mpmath.workprec(max(abs(man).bit_length(), 1) + 1):
        return mpmath.mpf((man, exp))


def exact(man: int, exp: int) -> Fraction:
    """``man * 2**exp`` as a Fraction."""
    return Fraction(man) * Fraction(2) ** exp


def mpf_fraction(value: mpmath.mpf) -> Fraction:
    """A finite mpf as a Fraction, from its (sign, mantissa, exponent) triple."""
    sign, man, exp, _ = value._mpf_
    return (-1) ** sign * exact(man, exp)


def ball_bounds(x: arb) -> tuple[Fraction, Fraction]:
    """The exact endpoints of a finite ball, from flint's exact midpoint and radius."""
    (m, e), (r, f) = x.mid().man_exp(), x.rad().man_exp()
    mid, rad = exact(int(m), int(e)), exact(int(r), int(f))
    return mid - rad, mid + rad


def decimal_fraction(text: str) -> Fraction:
    """A decimal string as the rational it denotes."""
    return Fraction(decimal.Decimal(text))
