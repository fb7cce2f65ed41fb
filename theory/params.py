"""Validation of user-facing parameters: one place, one message format.

Every check returns the validated (possibly converted) value or raises
:class:`~clverify.theory.errors.InvalidParameterError` with a one-line message of the
form ``"<name> must be <range>, got <value>"``.

>>> check_batch_size("N", 10)
10
>>> check_batch_size("N", 2)
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: N must be an integer >= 3, got 2
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from .errors import InvalidParameterError, UnknownChoiceError

__all__ = [
    "MIN_DIGITS",
    "MAX_DIGITS",
    "check_batch_size",
    "check_dimension",
    "check_positive",
    "check_finite",
    "check_unit_interval",
    "check_digits",
    "check_choice",
]

MIN_DIGITS = 15
MAX_DIGITS = 10_000


def check_batch_size(name: str, value, minimum: int = 3) -> int:
    """An integer ``>= minimum`` (bools and non-integral floats are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_dimension(name: str, value, minimum: int, reason: str = "") -> int:
    """An integer dimension ``>= minimum``; ``reason`` says why (e.g. 'the CCEM needs d >= N')."""
    try:
        return check_batch_size(name, value, minimum)
    except InvalidParameterError:
        why = f" ({reason})" if reason else ""
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum}{why}, got {value!r}"
        ) from None


def _as_real(name: str, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(value) if isinstance(value, str) else value
            if not isinstance(value, numbers.Real):
                value = float(value)  # mpmath mpf and similar
        except (TypeError, ValueError):
            raise InvalidParameterError(f"{name} must be a real number, got {value!r}") from None
    return value


def check_finite(name: str, value):
    """A finite real number (NaN and infinities are rejected)."""
    value = _as_real(name, value)
    if not math.isfinite(float(value)):
        raise InvalidParameterError(f"{name} must be a finite real number, got {value!r}")
    return value


def check_positive(name: str, value):
    """A finite real number ``> 0``."""
    value = check_finite(name, value)
    if not value > 0:
        raise InvalidParameterError(f"{name} must be a finite real number > 0, got {value!r}")
    return value


def check_unit_interval(name: str, value):
    """A finite real number in ``[0, 1]``."""
    value = check_finite(name, value)
    if not 0 <= value <= 1:
        raise InvalidParameterError(f"{name} must be in [0, 1], got {value!r}")
    return value


def check_digits(value) -> int:
    """A working precision in significant decimal digits, ``MIN_DIGITS..MAX_DIGITS``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (
        MIN_DIGITS <= value <= MAX_DIGITS
    ):
        raise InvalidParameterError(
            f"digits must be an integer in [{MIN_DIGITS}, {MAX_DIGITS}], got {value!r}"
        )
    return int(value)


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """One of ``choices`` (compared as strings)."""
    choices = tuple(choices)
    if value not in choices:
        raise UnknownChoiceError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value
