r"""Comparing a claimed closed form with a certified enclosure, for registry checks.

A claimed value is a SymPy expression in the symbols of :mod:`clverify.theory.derivation`
(``N``, ``t``, ``b``, ``x``).  It is evaluated as an Arb ball (exact constants,
:func:`clverify.numerics.precision.evaluators.compile_expression`) and compared with an enclosure
certified from the *general* condition: the check passes when the two agree to
the enclosure's width, fails with a certified counterexample when they are
disjoint, and is inconclusive otherwise.

A claim's hypotheses are SymPy relations in the plain symbols of
:data:`clverify.proofs_check.registry.H`; :func:`least` reads the least value one admits and
:func:`dimension_shortfall` whether the least dimension holds a structure of a given Gram rank.

>>> import sympy as sp
>>> from clverify.numerics.precision.certify import Enclosure, arb_to_mpf
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
import sympy as sp
from flint import arb

from clverify.numerics.precision.certify import Enclosure, arb_to_mpf
from clverify.numerics.precision.evaluators import arb_precision, compile_expression
from clverify.numerics.precision.real_input import RealInput

from .registry import Inconclusive

__all__ = ["AGREEMENT_DIGITS", "claim_ball", "compare_claim", "plain", "least", "dimension_shortfall"]

#: A passing check needs the certified enclosure to be this narrow (relative, decimal digits).
AGREEMENT_DIGITS = 30
_DIGITS = AGREEMENT_DIGITS + 10


def claim_ball(expr, **values) -> arb:
    """``expr`` at ``values`` (``N``, ``t``, ``b``, ``x``; missing ones are 0) as an Arb ball;
    each value is enclosed exactly as given (``"0.1"`` is one tenth, a float its binary value).

    >>> from clverify.theory.derivation import t
    >>> claim_ball(10 * t, t="0.1").contains(1), claim_ball(10 * t, t=0.1).contains(1)
    (True, False)
    """
    fn = compile_expression(expr, "arb")
    with arb_precision(_DIGITS):
        args = [RealInput.finite(name, values.get(name, 0)).ball() for name in ("x", "N", "t", "b")]
        return fn(*args)


def compare_claim(name: str, expr, enclosure: Enclosure | None, **values) -> str | None:
    r"""None if the claimed ``expr`` agrees with the certified ``enclosure``; a message with the
    certified counterexample if they are disjoint; :class:`Inconclusive` otherwise.

    *Agree* means: the claim's ball meets the enclosure, and both are narrower than
    :math:`10^{-\text{AGREEMENT\_DIGITS}} \max(1, |lo|, |hi|)`.  A ball that is not finite
    (Arb's "any real") or too wide decides nothing.
    """
    where = ", ".join(f"{k}={v}" for k, v in values.items())
    if enclosure is None or not enclosure.certified:
        reason = "no enclosure" if enclosure is None else enclosure.reason
        raise Inconclusive(f"{name}: the reference value is not certified ({reason}; {where})")
    ball = claim_ball(expr, **values)
    if not ball.is_finite():
        raise Inconclusive(f"{name}: the claimed value is not finite in ball arithmetic ({where})")
    with arb_precision(_DIGITS):
        lo, hi = arb(enclosure.lo), arb(enclosure.hi)
        if ball.upper() < lo or ball.lower() > hi:
            shown = mpmath.nstr(arb_to_mpf(ball), 14)
            a, b = (mpmath.nstr(v, 14) for v in (enclosure.lo, enclosure.hi))
            return f"claimed {name} = {shown}... lies outside the certified [{a}..., {b}...] ({where})"
        scale = arb(max(abs(enclosure.lo), abs(enclosure.hi), mpmath.mpf(1)))
        tolerance = arb(10) ** -AGREEMENT_DIGITS * scale
        for what, width in (("certified enclosure", hi - lo), ("ball of the claimed value", 2 * ball.rad())):
            if not width < tolerance:
                raise Inconclusive(f"{name}: {what} too wide to confirm ({where})")
    return None


def plain(expr) -> sp.Expr:
    """``expr`` in plain symbols (no assumptions), as the hypotheses are written: the symbols of
    :mod:`clverify.theory.derivation` replaced by name."""
    expr = sp.sympify(expr)
    return expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols})


def least(claim, name: str) -> sp.Expr:
    """:meth:`Claim.least`, with :class:`Inconclusive` for a hypothesis of another form (a
    check cannot read such a claim, which refutes nothing).

    >>> from clverify.proofs_check.registry import H, Claim
    >>> least(Claim({}, {"N": H.N >= 3, "d": H.d >= H.N - 1}), "d")
    N - 1
    """
    try:
        return claim.least(name)
    except ValueError as exc:
        raise Inconclusive(str(exc)) from None


#: How far beyond the least N :func:`dimension_shortfall` looks for a size where it falls short.
_SHORTFALL_SEARCH = 20


def dimension_shortfall(claim, needed) -> int | None:
    """Whether every dimension the claim admits holds a structure of Gram rank ``needed`` (an
    expression in ``N``): None when SymPy shows ``least(d) >= needed`` for every integer ``N``
    the claim admits (``N = least(N) + n``, ``n >= 0``); else the smallest such ``N`` at which
    the least dimension falls short (the structure does not exist there); :class:`Inconclusive`
    when neither is shown.

    >>> from clverify.proofs_check.registry import H, Claim
    >>> claim = Claim({}, {"N": H.N >= 3, "d": H.d >= H.N - 1})
    >>> dimension_shortfall(claim, H.N - 1) is None, dimension_shortfall(claim, H.N)
    (True, 3)
    """
    N = sp.Symbol("N")
    n = sp.Symbol("n", nonnegative=True,
                  integer=True)   # the domain; SymPy's sign of a polynomial does not use it
    first = least(claim, "N")
    gap = sp.simplify(plain(least(claim, "d")) - plain(needed))
    if gap.subs(N, n + first).is_nonnegative:
        return None
    for size in range(int(first), int(first) + _SHORTFALL_SEARCH):
        if gap.subs(N, size) < 0:
            return size
    raise Inconclusive(f"cannot decide whether d >= {least(claim, 'd')} reaches rank {needed} for every N")
