"""Validation of user-facing parameters: one place, one message format.

Every check returns the validated value or raises
:class:`~clverify.theory.errors.InvalidParameterError` with a one-line message of the
form ``"<name> must be <range>, got <value>"``, where ``<value>`` is what was given: a
string (as typed on the command line) is quoted verbatim, never its float rounding.
Strings are read exactly (``"1e-400"`` is positive and finite); :func:`to_float64` says
when a value cannot be a float64 (overflow to infinity, or a nonzero value rounding to 0).

>>> check_batch_size("N", 10), check_batch_size("N", "12")
(10, 12)
>>> check_batch_size("N", 2)
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: N must be an integer >= 3, got 2
>>> check_positive("t", "1e-400")
'1e-400'
>>> to_float64("t", "1e-400")
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: t must be 0 or of magnitude >= 4.9e-324 to be a float64, got '1e-400'
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .errors import InvalidParameterError, UnknownChoiceError

__all__ = [
    "MIN_DIGITS",
    "MAX_DIGITS",
    "check_batch_size",
    "check_dimension",
    "check_seed",
    "SEED_MAX",
    "check_positive",
    "check_finite",
    "check_unit_interval",
    "check_digits",
    "check_choice",
    "check_magnitude",
    "to_float64",
    "to_rational",
    "MAX_DECIMAL_EXPONENT",
]

MIN_DIGITS = 15
MAX_DIGITS = 10_000
#: Decimal exponent bound of :func:`check_magnitude` (and digits of an integer literal):
#: arbitrary-precision code (Arb balls, mpmath) takes numbers of any exponent, but its cost
#: grows with it (``t = 1e5000`` takes minutes and overflows Python's int-to-string limit).
MAX_DECIMAL_EXPONENT = 1000
#: Largest seed (torch generators take 64-bit seeds; restart r of seed s uses s + r).
SEED_MAX = 2**63 - 1


_INTEGER = re.compile(r"^\s*[-+]?\d+\s*$")


def _as_integer(value):
    """An int from an integral number or an integer literal (``"12"``); None otherwise."""
    if isinstance(value, str):
        return int(value) if _INTEGER.match(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def check_batch_size(name: str, value, minimum: int = 3, maximum: int | None = None) -> int:
    """An integer in ``[minimum, maximum]`` (no upper bound by default): an integral number or
    an integer literal (bools, non-integral floats and other strings are rejected)."""
    if isinstance(value, str) and len(value.strip().lstrip("+-")) > MAX_DECIMAL_EXPONENT:
        raise InvalidParameterError(
            f"{name} must be an integer of at most {MAX_DECIMAL_EXPONENT} digits, got "
            f"{value.strip()[:20]!r}... ({len(value.strip())} characters)")
    number = _as_integer(value)
    if number is None or number < minimum or (maximum is not None and number > maximum):
        rule = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise InvalidParameterError(f"{name} must be an integer {rule}, got {value!r}")
    return number


def check_dimension(name: str, value, minimum: int, reason: str = "") -> int:
    """An integer dimension ``>= minimum``; ``reason`` says why (e.g. 'the CCEM needs d >= N')."""
    try:
        return check_batch_size(name, value, minimum)
    except InvalidParameterError:
        why = f" ({reason})" if reason else ""
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum}{why}, got {value!r}"
        ) from None


def check_seed(name: str, value) -> int:
    """A seed of a random start: an integer in ``[0, SEED_MAX]``, the one rule of every command.

    >>> check_seed("seeds", "-1")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: seeds must be an integer in [0, 9223372036854775807], got '-1'
    """
    return check_batch_size(name, value, 0, SEED_MAX)


def _exact(name: str, value):
    """``value`` as a comparable real: a string exactly (a :class:`~decimal.Decimal`), an
    integer or fraction as is, any other number (float, mpmath, SymPy, numpy) as a float."""
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise InvalidParameterError(f"{name} must be a real number, got {value!r}") from None
    if isinstance(value, numbers.Rational) and not isinstance(value, bool):
        return value
    try:
        if not isinstance(value, bool):
            return float(value)
    except (TypeError, ValueError, OverflowError):
        pass
    raise InvalidParameterError(f"{name} must be a real number, got {value!r}")


def _is_finite(x) -> bool:
    if isinstance(x, Decimal):
        return x.is_finite()
    if isinstance(x, float):
        return math.isfinite(x)
    return True   # integers and fractions


def _given(value):
    """The value to keep: a string stripped, anything else as given."""
    return value.strip() if isinstance(value, str) else value


def check_finite(name: str, value):
    """A finite real number (NaN and infinities are rejected); returns ``value`` as given
    (a string stripped, and read exactly: ``"1e400"`` is finite)."""
    if not _is_finite(_exact(name, value)):
        raise InvalidParameterError(f"{name} must be a finite real number, got {value!r}")
    return _given(value)


def check_positive(name: str, value):
    """A finite real number ``> 0`` (exactly: ``"1e-400"`` is positive)."""
    x = _exact(name, value)
    if not (_is_finite(x) and x > 0):
        raise InvalidParameterError(f"{name} must be a finite real number > 0, got {value!r}")
    return _given(value)


def check_unit_interval(name: str, value):
    """A finite real number in ``[0, 1]``."""
    check_finite(name, value)
    if not 0 <= _exact(name, value) <= 1:
        raise InvalidParameterError(f"{name} must be in [0, 1], got {value!r}")
    return _given(value)


def check_magnitude(name: str, value):
    """A finite real that is 0 or of magnitude in ``[1e-1000, 1e1000]``
    (:data:`MAX_DECIMAL_EXPONENT`), read exactly; returns ``value`` as given.

    >>> check_magnitude("t", "1e400")
    '1e400'
    >>> check_magnitude("t", "1e5000")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: t must be 0 or of magnitude in [1e-1000, 1e1000], got '1e5000'
    """
    x = abs(_exact(name, check_finite(name, value)))
    if isinstance(x, float):        # every finite float64 is within the bounds
        return _given(value)
    exact = Decimal if isinstance(x, Decimal) else Fraction
    low, high = exact(1) / exact(10) ** MAX_DECIMAL_EXPONENT, exact(10) ** MAX_DECIMAL_EXPONENT
    if x != 0 and not low <= x <= high:
        raise InvalidParameterError(
            f"{name} must be 0 or of magnitude in [1e-{MAX_DECIMAL_EXPONENT}, "
            f"1e{MAX_DECIMAL_EXPONENT}], got {value!r}")
    return _given(value)


def to_rational(name: str, value):
    """A finite real as an exact SymPy number: a decimal string exactly, a float by its
    shortest round-tripping decimal (``0.3`` is 3/10, ``1e-100`` is :math:`10^{-100}`; not
    :func:`sympy.nsimplify`, which makes ``1e-100`` zero), other numbers by ``sympify``.

    >>> to_rational("tau", 1e-100) == to_rational("tau", "1e-100") != 0, to_rational("tau", 0.3)
    (True, 3/10)
    """
    import sympy as sp

    value = check_finite(name, value)
    if isinstance(value, str) or isinstance(value, float):
        return sp.Rational(value if isinstance(value, str) else repr(value))
    return sp.sympify(value)


#: Smallest positive and largest finite float64.
_FLOAT64_TINY = 5e-324
_FLOAT64_MAX = sys.float_info.max


def to_float64(name: str, value) -> float:
    """``value`` as a float64, for code that computes in float64: rejects a finite value that
    overflows to infinity and a nonzero value that rounds to 0 (NaN and infinities pass as
    floats; check them with :func:`check_finite` first).

    >>> to_float64("b", "-2.5"), to_float64("b", 0)
    (-2.5, 0.0)
    >>> to_float64("t", "1e400")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: t must be of magnitude <= 1.8e+308 to be a float64, got '1e400'
    """
    x = _exact(name, value)
    number = float(x)
    if math.isinf(number) and _is_finite(x):
        raise InvalidParameterError(
            f"{name} must be of magnitude <= {_FLOAT64_MAX:.2g} to be a float64, got {value!r}")
    if number == 0 and x != 0:
        raise InvalidParameterError(
            f"{name} must be 0 or of magnitude >= {_FLOAT64_TINY:.2g} to be a float64, got {value!r}")
    return number


def check_digits(value) -> int:
    """A working precision in significant decimal digits, ``MIN_DIGITS..MAX_DIGITS`` (an
    integral number or an integer literal)."""
    number = _as_integer(value) if not isinstance(value, float) else None
    if number is None or not MIN_DIGITS <= number <= MAX_DIGITS:
        raise InvalidParameterError(
            f"digits must be an integer in [{MIN_DIGITS}, {MAX_DIGITS}], got {value!r}"
        )
    return number


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """One of ``choices`` (compared as strings)."""
    choices = tuple(choices)
    if value not in choices:
        raise UnknownChoiceError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value
