r"""The elementary functions a loss may use, as a namespace passed in (mpmath's contexts).

A loss is written once, ``NAME(grams, ops, **params)``, against the reductions of
:class:`~clverify.theory.similarity.Similarity` and the functions of an :class:`Ops`.  Each
backend provides its own :class:`Ops`, with its own numerical care:

* :data:`SYMPY_OPS` (here): exact SymPy functions, for derivations with a symbolic ``N``;
* ``MPMATH_OPS`` and ``ARB_OPS`` (:mod:`clverify.numerics.precision.ops`): high precision and
  ball arithmetic;
* ``TORCH_OPS`` (:mod:`clverify.numerics.descent.ops`): float64 tensors, with the stable forms
  (exact softplus, log-sum-exp without overflow).

Arithmetic (``+ - * / **``) and ``abs`` work on every backend's numbers and need no entry here;
``abs`` and ``sign`` make the CCEM restriction piecewise smooth
(:func:`~clverify.theory.derivation.kinks`).

>>> import sympy as sp
>>> s = sp.Symbol("s")
>>> SYMPY_OPS.softplus(s), SYMPY_OPS.logsumexp(s, 2 * s)
(log(exp(s) + 1), log(exp(2*s) + exp(s)))
>>> SYMPY_OPS.tanh
Traceback (most recent call last):
    ...
AttributeError: 'Ops' object has no attribute 'tanh'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import sympy as sp

__all__ = ["Ops", "SYMPY_OPS", "exact"]


@dataclass(frozen=True)
class Ops:
    r"""One backend's elementary functions (each elementwise on that backend's numbers).

    Attributes
    ----------
    name : str
        The backend (``"sympy"``, ``"mpmath"``, ``"arb"``, ``"torch"``).
    exp, log, log1p, sqrt, sign : callable
        :math:`e^z`, :math:`\log z`, :math:`\log(1 + z)`, :math:`\sqrt z`, :math:`\operatorname{sign} z`.
    softplus : callable
        :math:`\log(1 + e^z)`, exact for every real ``z`` (never cut off, never overflowing).
    logsumexp : callable
        ``logsumexp(a, b, ...)`` :math:`= \log(e^a + e^b + \dots)`, elementwise, without
        overflow; with the row reduction ``off.logsumexp(g)`` of
        :meth:`~clverify.theory.similarity.Similarity.sum_rows` it gives every stable
        InfoNCE-type row.
    """

    name: str
    exp: Callable
    log: Callable
    log1p: Callable
    softplus: Callable
    sqrt: Callable
    sign: Callable
    logsumexp: Callable

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The functions every backend provides.

        >>> Ops.names()
        ('exp', 'log', 'log1p', 'softplus', 'sqrt', 'sign', 'logsumexp')
        """
        return tuple(f.name for f in fields(cls) if f.name != "name")


def exact(value):
    r"""``value`` with every float read as its shortest round-tripping decimal, exactly (a
    float literal ``0.1`` of a loss is :math:`1/10`, as ``--param t=0.1`` is; the double-precision
    ``Float`` atoms of a SymPy expression, which come from Python floats, likewise).  Other
    values, and ``Float`` atoms of a higher precision, pass through.

    >>> exact(0.1), exact(sp.Float(0.25) * sp.Symbol("s")), exact(3), exact(sp.Float(0.1, 30))
    (1/10, s/4, 3, 0.100000000000000005551115123126)
    """
    if isinstance(value, float):
        return sp.Rational(repr(value))
    if isinstance(value, sp.Basic) and value.has(sp.Float):
        return value.xreplace({f: sp.Rational(repr(float(f))) for f in value.atoms(sp.Float)
                               if f._prec <= _DOUBLE_BITS})
    return value


#: Precision (bits) of a Python float, and of the SymPy ``Float`` made from one.
_DOUBLE_BITS = 53


def _exact_args(fn):
    """``fn`` applied to its arguments read by :func:`exact` (``exp(0.5)`` stays :math:`e^{1/2}`)."""
    return lambda *args: fn(*map(exact, args))


def _sympy_logsumexp(*terms):
    return sp.log(sp.Add(*(sp.exp(z) for z in terms)))


#: SymPy: exact, so the textbook forms are used (``softplus(z) = log(1 + e^z)``); float
#: arguments are read as exact decimals (:func:`exact`), never evaluated in binary.
SYMPY_OPS = Ops(
    name="sympy",
    exp=_exact_args(sp.exp),
    log=_exact_args(sp.log),
    log1p=_exact_args(lambda z: sp.log(1 + z)),
    softplus=_exact_args(lambda z: sp.log(1 + sp.exp(z))),
    sqrt=_exact_args(sp.sqrt),
    sign=_exact_args(sp.sign),
    logsumexp=_exact_args(_sympy_logsumexp),
)
