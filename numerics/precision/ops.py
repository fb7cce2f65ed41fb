r"""The high-precision backends of a loss: :data:`MPMATH_OPS` and :data:`ARB_OPS`.

Neither overflows (mpmath and Arb numbers have an unbounded exponent), so ``softplus`` is
:math:`\log(1 + e^z)` through ``log1p``, which keeps its relative accuracy for very negative
``z``, and ``logsumexp`` is the log of the sum.  :data:`ARB_OPS` maps each function to the
ball operation of python-flint, so a value computed with it is an enclosure; it is also the
namespace the Arb evaluators of :mod:`clverify.numerics.precision.evaluators` are compiled
against, so each elementary function has one definition per backend.

>>> import mpmath
>>> with mpmath.workdps(30):
...     print(MPMATH_OPS.softplus(mpmath.mpf(-1000)))
5.07595889754945676529180947957e-435
>>> import flint
>>> with flint.ctx.workprec(100):
...     ARB_OPS.softplus(arb(-1000)).contains(arb(-1000).exp().log1p())
True
"""

from __future__ import annotations

import mpmath
from flint import arb

from clverify.theory.ops import Ops

__all__ = ["MPMATH_OPS", "ARB_OPS", "as_arb"]


def _mp_logsumexp(*terms):
    return mpmath.log(mpmath.fsum(mpmath.exp(z) for z in terms))


#: mpmath, at the precision of the surrounding ``mpmath.workdps``.
MPMATH_OPS = Ops(
    name="mpmath",
    exp=mpmath.exp,
    log=mpmath.log,
    log1p=mpmath.log1p,
    softplus=lambda z: mpmath.log1p(mpmath.exp(z)),
    sqrt=mpmath.sqrt,
    sign=mpmath.sign,
    logsumexp=_mp_logsumexp,
)


def as_arb(z) -> arb:
    """``z`` as a ball (exact for ints and binary floats; balls pass through).

    >>> as_arb(3), as_arb(arb(2)) == arb(2)
    (3.00000000000000, True)
    """
    return z if isinstance(z, arb) else arb(z)


def _arb_logsumexp(*terms):
    total = arb(0)
    for z in terms:
        total += as_arb(z).exp()
    return total.log()


#: python-flint Arb balls, at the precision of the surrounding ``flint.ctx.workprec``.
ARB_OPS = Ops(
    name="arb",
    exp=lambda z: as_arb(z).exp(),
    log=lambda z: as_arb(z).log(),
    log1p=lambda z: as_arb(z).log1p(),
    softplus=lambda z: as_arb(z).exp().log1p(),
    sqrt=lambda z: as_arb(z).sqrt(),
    sign=lambda z: as_arb(z).sgn(),
    logsumexp=_arb_logsumexp,
)
