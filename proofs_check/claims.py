r"""Comparing a claimed closed form with a certified enclosure, for registry checks.

A claim is a SymPy expression in the symbols of :mod:`clverify.theory.derivation`
(``N``, ``t``, ``b``, ``x``).  It is evaluated as an Arb ball (exact constants,
:func:`clverify.numerics.precision.evaluators.compile_expression`) and compared with an enclosure
certified from the *general* condition: the check passes when the two agree to
the enclosure's width, fails with a certified counterexample when they are
disjoint, and is inconclusive otherwise.

>>> import sympy as sp
>>> from clverify.numerics.precision.certify import Enclosure
>>> from clverify.theory import derivation as D
>>> import mpmath
>>> with mpmath.workdps(50):
...     log2 = mpmath.log(2)
...     enc = Enclosure(log2 - mpmath.mpf(10)**-45, log2 + mpmath.mpf(10)**-45, True)
>>> compare_claim("log 2", sp.log(D.N - 1), enc, N=3) is None
True
>>> compare_claim("log 3", sp.log(D.N), enc, N=3)
'claimed log 3 = 1.0986122886681... lies outside the certified [0.69314718055995..., 0.69314718055995...] (N=3)'
"""

from __future__ import annotations

import mpmath
from flint import arb

from clverify.numerics.precision.certify import Enclosure
from clverify.numerics.precision.evaluators import arb_precision, compile_expression

from .registry import Inconclusive

__all__ = ["AGREEMENT_DIGITS", "claim_ball", "compare_claim"]

#: A passing check needs the certified enclosure to be this narrow (relative, decimal digits).
AGREEMENT_DIGITS = 30
_DIGITS = AGREEMENT_DIGITS + 10


def claim_ball(expr, **values) -> arb:
    """``expr`` at ``values`` (``N``, ``t``, ``b``, ``x``; missing ones are 0) as an Arb ball."""
    fn = compile_expression(expr, "arb")
    with arb_precision(_DIGITS):
        args = [arb(str(values.get(name, 0))) for name in ("x", "N", "t", "b")]
        return fn(*args)


def compare_claim(name: str, expr, enclosure: Enclosure | None, **values) -> str | None:
    """None if the claimed ``expr`` agrees with the certified ``enclosure``; a message with the
    certified counterexample if they are disjoint; :class:`Inconclusive` otherwise."""
    where = ", ".join(f"{k}={v}" for k, v in values.items())
    if enclosure is None or not enclosure.certified:
        reason = "no enclosure" if enclosure is None else enclosure.reason
        raise Inconclusive(f"{name}: the reference value is not certified ({reason}; {where})")
    ball = claim_ball(expr, **values)
    with arb_precision(_DIGITS):
        lo, hi = arb(enclosure.lo), arb(enclosure.hi)
        if not ball.is_finite() or ball.upper() < lo or ball.lower() > hi:
            shown = mpmath.nstr(mpmath.mpf(ball.mid().str(20, radius=False)), 14) if ball.is_finite() else ball.str(5)
            a, b = (mpmath.nstr(v, 14) for v in (enclosure.lo, enclosure.hi))
            return f"claimed {name} = {shown}... lies outside the certified [{a}..., {b}...] ({where})"
        width = (hi - lo) / max(abs(hi), arb(1))
        if not width < arb(10) ** -AGREEMENT_DIGITS:
            raise Inconclusive(f"{name}: certified enclosure too wide to confirm ({where})")
    return None
