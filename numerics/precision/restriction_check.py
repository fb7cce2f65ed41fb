r"""The CCEM restriction of a loss checked against the loss itself on explicit vectors.

The restriction :math:`\ell(x)` is derived by SymPy from the loss on a *double-constant*
similarity (every diagonal entry :math:`s_+`, every off-diagonal one :math:`s_-`, one row class
of multiplicity ``N``).  That derivation trusts the loss to be one number that treats every row
alike.  A loss that returns per-row values, indexes ``S.rows()``, or otherwise tells rows apart
gets a restriction that is not its value on the CCEM.  :func:`check_restriction` runs the
definition with mpmath on the explicit CCEM vectors
(:meth:`~clverify.theory.structures.CCEM.vectors`, a simplex ETF in exact arithmetic, rounded
to ``CHECK_DIGITS``) at the sizes :data:`CHECK_SIZES` and the points :data:`CHECK_POINTS`,
and compares with the compiled :math:`\ell(x)`: a mismatch beyond :data:`RESTRICTION_RTOL`, a
value that is not a finite real (``log`` of a negative number, ``0/0`` that SymPy cancelled)
or not one number is a one-line
:class:`~clverify.theory.errors.LossDefinitionError` naming the loss.

The tolerance is loose because a float literal of the loss is a binary double on mpmath but
its exact decimal in the restriction (:func:`~clverify.theory.ops.exact`); the defects it
catches change the value at the first digit.

>>> from clverify.theory.losses import LOSSES
>>> check_restriction(LOSSES["sigmoid"], {"t": "2", "b": "1"})
>>> from clverify.theory.losses import Loss
>>> rows = Loss("rows", lambda g, ops, *, t: t * sum(row[1] for row in g.uv.rows()), ("t",))
>>> check_restriction(rows, {"t": 1})
Traceback (most recent call last):
    ...
clverify.theory.errors.LossDefinitionError: loss 'rows' on explicit CCEM vectors differs from its CCEM restriction l(x) at N = 3, x = 0: -3.0 against -1.0 (l(x) is derived for a loss that is one number treating every row alike: no per-row values, no indexing of S.rows())
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy as sp

from clverify.theory.errors import LossDefinitionError
from clverify.theory.loss_files import USER_CODE_ERRORS, failure, is_scalar
from clverify.theory.losses import Loss
from clverify.theory.similarity import Grams
from clverify.theory.structures import CCEM

from .ops import MPMATH_OPS
from .restriction import Restriction, split_parameters

__all__ = ["check_restriction", "CHECK_SIZES", "CHECK_POINTS", "CHECK_DIGITS", "RESTRICTION_RTOL"]

#: Batch sizes of the check (the restriction is derived for a symbolic N).
CHECK_SIZES = (3, 4, 7)
#: Points x = delta^2 of the check: both ends and an interior point.
CHECK_POINTS = (Fraction(0), Fraction(3, 7), Fraction(1))
#: Working digits of the explicit evaluation.
CHECK_DIGITS = 30
#: Largest relative difference (floor 1) between the two values.
RESTRICTION_RTOL = mpmath.mpf("1e-10")


@lru_cache(maxsize=None)
def _vectors(N: int, x: Fraction, digits: int):
    """The CCEM's explicit vectors at ``x`` as mpmath matrices."""
    U, V = CCEM(N, sp.sqrt(sp.Rational(x.numerator, x.denominator))).vectors()
    return tuple(mpmath.matrix([[mpmath.mpf(sp.N(e, digits + 10)) for e in row]
                                for row in M.tolist()]) for M in (U, V))


def _show(value) -> str:
    return mpmath.nstr(value, 12) if isinstance(value, (mpmath.mpf, mpmath.mpc)) else repr(value)


def check_restriction(loss: Loss, params: dict, sizes=CHECK_SIZES, points=CHECK_POINTS) -> None:
    """Raise :class:`~clverify.theory.errors.LossDefinitionError` unless the loss on explicit
    CCEM vectors equals its restriction :math:`\\ell(x)` at every ``(N, x)`` of ``sizes`` and
    ``points`` where :math:`\\ell` is finite.  ``params`` are the loss's resolved parameters."""
    numeric, fixed = split_parameters(params)
    restriction = Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items())))
    ell = restriction.compiled(0, "mpmath")
    with mpmath.workdps(CHECK_DIGITS):
        values = {k: p.mpf() for k, p in numeric.items()}
        for N in sizes:
            for x in points:
                try:
                    expected = ell(mpmath.mpf(x.numerator) / x.denominator, N, *values.values())
                except ZeroDivisionError:
                    continue
                if not (isinstance(expected, mpmath.mpf) and mpmath.isfinite(expected)):
                    continue   # a singular point of the restriction: nothing to compare
                U, V = _vectors(N, x, CHECK_DIGITS)
                try:
                    value = loss(Grams.of_vectors(U, V, MPMATH_OPS), MPMATH_OPS, **values, **fixed)
                except USER_CODE_ERRORS as exc:  # the user's code may raise anything
                    raise failure(loss, "mpmath", exc) from None
                where = f"at N = {N}, x = {x}"
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    value = mpmath.mpf(value)
                elif not (is_scalar(value) or isinstance(value, mpmath.mpc)):
                    raise LossDefinitionError(
                        f"loss {loss.name!r} returned a {type(value).__name__} on explicit CCEM "
                        f"vectors {where}, not one number: a loss sums over its rows and returns "
                        "the total")
                if not (isinstance(value, mpmath.mpf) and mpmath.isfinite(value)):
                    raise LossDefinitionError(
                        f"loss {loss.name!r} is {_show(value)} on explicit CCEM vectors {where}, not "
                        f"a finite real number, while its CCEM restriction is {_show(expected)} (SymPy "
                        "simplified the expression, e.g. cancelled z/z or log(-z)/log(-z)): check its "
                        "definition")
                if abs(value - expected) > RESTRICTION_RTOL * max(1, abs(expected)):
                    raise LossDefinitionError(
                        f"loss {loss.name!r} on explicit CCEM vectors differs from its CCEM "
                        f"restriction l(x) {where}: {_show(value)} against {_show(expected)} (l(x) "
                        "is derived for a loss that is one number treating every row alike: no "
                        "per-row values, no indexing of S.rows())")
