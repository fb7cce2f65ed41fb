r"""The contrastive losses, each defined once, on similarity matrices (SymPy).

Conventions (see ``docs/theory.md``): ``t`` **multiplies** a similarity (an
inverse temperature), ``b`` is **subtracted** from the logit (SigLIP's own bias
is ``-b``), ``tau`` **divides**.  Every loss is normalised by ``1/N``.

The functions take a :class:`~theory.similarity.Grams` (or, for losses that
only see cross-view pairs, use its ``uv`` part) and return a SymPy expression;
given a :class:`~theory.similarity.DoubleConstantSimilarity` with a symbolic
``N`` they return the closed form on that structure.

>>> import sympy as sp
>>> from theory.structures import CCEM
>>> t, b = sp.symbols("t b", positive=True)
>>> sigmoid_loss(CCEM(4, 1).grams(), t=t, b=b)
3*log(exp(-b - t/3) + 1) + log(exp(b - t) + 1)
"""

from __future__ import annotations

import sympy as sp

from .similarity import Grams

__all__ = ["softplus", "sigmoid_loss", "infonce_sym_loss", "LOSSES"]


def softplus(z):
    r""":math:`\operatorname{softplus}(z) = \log(1 + e^z)`, exact (numerics use stable forms)."""
    return sp.log(1 + sp.exp(z))


def sigmoid_loss(grams: Grams, *, t, b):
    r"""SigLIP's sigmoid loss with inverse temperature ``t`` and subtracted bias ``b``.

    .. math::
        L_{sig}(U, V; t, b) = \frac1N \Big[\sum_i \operatorname{softplus}(b - t\,u_i\cdot v_i)
        + \sum_{i \ne j} \operatorname{softplus}(t\,u_i\cdot v_j - b)\Big]
    """
    S = grams.uv
    return (S.sum_diagonal(lambda s: softplus(b - t * s))
            + S.sum_off_diagonal(lambda s: softplus(t * s - b))) / S.N


def infonce_sym_loss(grams: Grams, *, tau):
    r"""Symmetric (CLIP-style) InfoNCE with temperature ``tau`` (divides).

    .. math::
        L_{info}(U, V; \tau) = \frac1N \sum_i \Big[-\log \frac{e^{u_i\cdot v_i/\tau}}
        {\sum_j e^{u_i\cdot v_j/\tau}} - \log \frac{e^{v_i\cdot u_i/\tau}}{\sum_j e^{v_i\cdot u_j/\tau}}\Big]
    """
    S = grams.uv

    def row(diagonal, off):
        return -diagonal / tau + sp.log(sp.exp(diagonal / tau) + off(lambda s: sp.exp(s / tau)))

    return (S.sum_rows(row) + S.T.sum_rows(row)) / S.N


#: Name (as on the command line) -> (loss, names of its keyword parameters).
LOSSES = {
    "sigmoid": (sigmoid_loss, ("t", "b")),
    "infonce-sym": (infonce_sym_loss, ("tau",)),
}
