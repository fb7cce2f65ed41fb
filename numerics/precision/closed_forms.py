r"""Closed-form numbers evaluated to a requested number of digits, certified by Arb balls.

A closed form such as the InfoNCE minimum at :math:`\tau = 10^{-3}`,
:math:`-1000 + \log(4e^{-250} + e^{1000})`, is a difference of two numbers near 1000 whose
value is :math:`5.4\times 10^{-543}`: evaluated as written, in any fixed precision below
about 560 digits, it is 0 or rounding noise.  :func:`clverify.theory.stable.stable_form`
rewrites it without that cancellation; :func:`closed_form_value` evaluates the rewritten number in Arb ball arithmetic, raising the
precision until the ball's relative radius is below :math:`10^{-\text{digits}}`, and says so
when it cannot (``resolved`` False: the ball then bounds the value but does not give its
digits).

>>> import sympy as sp
>>> v = closed_form_value(-1000 + sp.log(4 * sp.exp(-250) + sp.exp(1000)), 20)
>>> v.resolved, v.text
(True, '5.4194799295314776808e-543')
>>> float(v.value)        # a float64 underflows to 0.0, the decimal string does not
0.0
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
from flint import arb

from clverify.theory.errors import InvalidParameterError
from clverify.theory.params import check_digits
from clverify.theory.stable import stable_form

from .certify import arb_to_mpf
from .evaluators import arb_precision, bits_for_digits, compile_expression

__all__ = ["closed_form_value", "ClosedFormValue", "PRECISION_STEPS"]

#: How many times the working precision is multiplied by 4 before a value is declared
#: unresolved (up to 256 times the digits asked for).
PRECISION_STEPS = 4


@dataclass(frozen=True)
class ClosedFormValue:
    """A closed-form number evaluated in ball arithmetic.

    ``resolved``: the ball's relative radius is below :math:`10^{-\\text{digits}}` (or the
    value is exactly 0); then ``value`` (an mpmath number, exact midpoint) and ``text`` (a
    decimal string with ``digits`` significant digits, exponent included) are set, else
    both are None.  ``ball`` is the last Arb ball (it always contains the value), ``bits``
    its precision, ``reason`` says how the value was obtained or why it was not.
    """

    value: mpmath.mpf | None
    text: str | None
    resolved: bool
    ball: arb
    bits: int
    reason: str


def _resolved(ball: arb, digits: int) -> bool:
    if ball.is_exact() and ball.is_zero():
        return True
    if not ball.is_finite() or ball.contains(0):
        return False
    return abs(ball.rad()) <= abs(ball.mid()) * arb(10) ** (-digits - 1)


def closed_form_value(expr, digits: int = 30) -> ClosedFormValue:
    """Evaluate the number ``expr`` (no free symbols) to ``digits`` significant digits,
    certified by Arb, after :func:`stable_form`.

    Parameters
    ----------
    expr : sympy.Expr
        A closed-form number.
    digits : int
        Significant decimal digits, in ``[15, 10000]``.

    Returns
    -------
    ClosedFormValue

    >>> import sympy as sp
    >>> closed_form_value(sp.log(2), 20).text
    '0.69314718055994530942'
    >>> tiny = -10**100 + sp.log(4 * sp.exp(-sp.Integer(10)**100 // 4) + sp.exp(10**100))
    >>> closed_form_value(tiny, 15).text      # 4 exp(-1.25e100), exponent and digits exact
    '4.15177354270213e-5428681023790647845639111486457563528679962572545832076430672289573308115110884684115311866730396854'
    >>> v = closed_form_value(sp.exp(-sp.exp(sp.exp(10))), 15)  # needs ~9600 digits of e^e^10
    >>> v.resolved, v.text
    (False, None)
    """
    digits = check_digits(digits)
    expr = stable_form(expr)
    if expr.free_symbols:
        raise InvalidParameterError(
            f"expr must be a number (no free symbols), got {expr} with {sorted(map(str, expr.free_symbols))}")
    f = compile_expression(expr, "arb")
    for step in range(PRECISION_STEPS + 1):
        work = digits * 4**step
        with arb_precision(work):
            ball = f(0, 0, 0, 0)
        if not isinstance(ball, arb):   # a function with no ball implementation
            raise TypeError(f"{expr} has no Arb evaluation (got {type(ball).__name__})")
        bits = bits_for_digits(work)
        if _resolved(ball, digits):
            return ClosedFormValue(arb_to_mpf(ball.mid()), ball.str(digits, radius=False), True, ball,
                                   bits, f"Arb ball at {bits} bits, relative radius < 1e-{digits}")
    return ClosedFormValue(None, None, False, ball, bits,
                           f"not resolved to {digits} digits by Arb at {bits} bits: the value "
                           f"lies in {ball.str(5)}")
