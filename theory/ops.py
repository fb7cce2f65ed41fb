r"""The elementary functions a loss may use, as a namespace passed in (mpmath's contexts).

A loss is written once, ``NAME(grams, ops, **params)``, against the reductions of
:class:`~clverify.theory.similarity.Similarity` and the functions of an :class:`Ops`.  Each
backend provides its own :class:`Ops`, with its own numerical care:

* :data:`SYMPY_OPS` (here): exact SymPy functions, for derivations with a symbolic ``N``;
* ``MPMATH_OPS`` and ``ARB_OPS`` (:mod:`clverify.numerics.precision.ops`): high precision and
  ball arithmetic;
* ``TORCH_OPS`` (:mod:`clverify.numerics.descent.ops`): float64 tensors, with the stable forms
  (exact softplus, log-sum-exp without overflow).

Arithmetic (``+ - * / **``) and ``abs`` work on every backend's numbers and need no entry here.

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

__all__ = ["Ops", "SYMPY_OPS"]


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


def _sympy_logsumexp(*terms):
    return sp.log(sp.Add(*(sp.exp(z) for z in terms)))


#: SymPy: exact, so the textbook forms are used (``softplus(z) = log(1 + e^z)``).
SYMPY_OPS = Ops(
    name="sympy",
    exp=sp.exp,
    log=sp.log,
    log1p=lambda z: sp.log(1 + z),
    softplus=lambda z: sp.log(1 + sp.exp(z)),
    sqrt=sp.sqrt,
    sign=sp.sign,
    logsumexp=_sympy_logsumexp,
)
