r"""The torch implementation of :class:`clverify.theory.similarity.Similarity`: float64, batched,
with a row mask, on the row vectors themselves.

A :class:`TorchSimilarity` holds ``X`` and ``Y`` of shape ``(..., N, d)`` (the rows are the
vectors; ``...`` is a batch of independent problems) and computes :math:`S = X Y^\top` once,
when a loss first asks.  The functions a loss passes to the reductions receive tensors in a
``(..., rows, columns)`` layout, so that parameters of shape ``(..., 1, 1)`` broadcast
against all of them:

* :meth:`~TorchSimilarity.sum_off_diagonal`: ``f`` gets the full matrix ``(..., N, N)``;
* :meth:`~TorchSimilarity.sum_diagonal` and the rows: the diagonal as a column ``(..., N, 1)``,
  and ``off(g)``, ``off.logsumexp(g)`` return columns ``(..., N, 1)`` (the row reductions
  over ``j != i``);
* every reduction over the whole matrix returns ``(..., 1, 1)``.

Excluded entries (the diagonal in the off-diagonal sums, rows outside the mask) never enter a
sum: they are dropped with ``torch.where`` (or set to :math:`-\infty` before a log-sum-exp),
and ``f`` is evaluated there at :attr:`~TorchSimilarity.neutral`, the entry of an orthogonal
pair of unit vectors (similarity 0, squared distance 2), wherever the true entry could be
singular for ``f`` (the self-pairs of ``uu`` and ``vv``; padded rows), so that neither the
value nor the gradient sees an infinity.  Squared distances (:class:`TorchSquaredDistances`)
are computed from the vectors, so :math:`|u - u|^2` is exactly 0.

``mask`` (boolean, ``(..., N)``) marks the real rows of padded problems of different sizes;
``N`` is then the number of real rows per problem, a tensor of shape ``(..., 1, 1)``.

>>> import torch
>>> U = torch.eye(3, dtype=torch.float64)
>>> G = torch_grams(U, U)
>>> G.uv.sum_off_diagonal(lambda s: s + 1).shape, float(G.uv.sum_off_diagonal(lambda s: s + 1))
(torch.Size([1, 1]), 6.0)
>>> float(G.uu.sum_rows(lambda d, off: d + off.logsumexp(lambda s: 0 * s)))  # 3 (1 + log 2)
5.0794415416798...
"""

from __future__ import annotations

from functools import cached_property, lru_cache

import numpy as np
import torch

from clverify.theory.similarity import Grams, OffDiagonal, Similarity

from .ops import TORCH_OPS

__all__ = ["TorchSimilarity", "TorchSquaredDistances", "TorchOffDiagonal", "torch_grams"]


class TorchOffDiagonal(OffDiagonal):
    r"""The off-diagonal entries of every row at once: ``off(g)`` and ``off.logsumexp(g)`` are
    columns ``(..., N, 1)`` of :math:`\sum_{j\ne i} g(S_{ij})` and :math:`\log\sum_{j\ne i} e^{g(S_{ij})}`."""

    def __init__(self, entries: torch.Tensor, keep: torch.Tensor):
        self.entries, self.keep = entries, keep

    def __call__(self, g):
        return torch.where(self.keep, g(self.entries), 0.0).sum(dim=-1, keepdim=True)

    def logsumexp(self, g):
        values = g(self.entries).masked_fill(~self.keep, float("-inf"))
        return torch.logsumexp(values, dim=-1, keepdim=True)


class TorchSimilarity(Similarity):
    r""":math:`S_{ij} = x_i \cdot y_j` for the rows of ``X``, ``Y`` of shape ``(..., N, d)``.

    Parameters
    ----------
    X, Y : torch.Tensor
        float64, shape ``(..., N, d)``.  Pass the same tensor twice for a within-view matrix
        (``uu``): its diagonal is then known to be a self-pair.
    mask : torch.Tensor, optional
        Boolean, shape ``(..., N)``: the real rows.  Sums run over real rows and real pairs
        only, and :attr:`N` counts the real rows.
    """

    ops = TORCH_OPS
    #: The entry of an orthogonal pair of unit vectors: what ``f`` sees at excluded entries.
    neutral = 0.0

    def __init__(self, X: torch.Tensor, Y: torch.Tensor, mask: torch.Tensor | None = None):
        self.X, self.Y, self.mask = X, Y, mask

    @cached_property
    def N(self):
        """The number of rows, or with a mask the number of real rows, ``(..., 1, 1)``."""
        if self.mask is None:
            return self.X.shape[-2]
        return self.mask.sum(dim=-1).to(self.X.dtype)[..., None, None]

    def full(self) -> torch.Tensor:
        """All entries, ``(..., N, N)``."""
        return self.X @ self.Y.transpose(-1, -2)

    def column(self) -> torch.Tensor:
        """The diagonal as a column, ``(..., N, 1)``: a view of the full matrix, which the
        losses on similarities compute anyway (one product, no second backward path)."""
        return self._full.diagonal(dim1=-2, dim2=-1)[..., None]

    @cached_property
    def _full(self) -> torch.Tensor:
        return self.full()

    @cached_property
    def _keep(self) -> torch.Tensor:
        """Which entries the off-diagonal sums and rows run over: ``i != j``, both rows real."""
        keep = _off_diagonal(self.X.shape[-2], self.X.device)
        if self.mask is not None:
            keep = keep & self.mask[..., :, None] & self.mask[..., None, :]
        return keep

    @cached_property
    def _entries(self) -> torch.Tensor:
        """:meth:`full`, with :attr:`neutral` at excluded entries where one could be singular."""
        S = self._full
        if self.X is self.Y or self.mask is not None:
            S = torch.where(self._keep, S, self.neutral)
        return S

    @cached_property
    def _column(self) -> torch.Tensor:
        d = self.column()
        return d if self.mask is None else torch.where(self.mask[..., None], d, self.neutral)

    def _real_rows(self, values) -> torch.Tensor:
        """Sum of per-row ``values`` (a column) over the real rows, ``(..., 1, 1)``."""
        column = self._column
        if not isinstance(values, torch.Tensor) or values.shape[-2:] != column.shape[-2:]:
            values = torch.as_tensor(values, dtype=column.dtype, device=column.device)
            values = values.expand(np.broadcast_shapes(values.shape, column.shape))
        if self.mask is not None:
            values = torch.where(self.mask[..., None], values, 0.0)
        return values.sum(dim=(-1, -2), keepdim=True)

    @cached_property
    def _off(self) -> TorchOffDiagonal:
        return TorchOffDiagonal(self._entries, self._keep)

    def sum_diagonal(self, f):
        return self._real_rows(f(self._column))

    def sum_off_diagonal(self, f):
        return torch.where(self._keep, f(self._entries), 0.0).sum(dim=(-1, -2), keepdim=True)

    def sum_rows(self, f):
        return self._real_rows(f(self._column, self._off))

    def rows(self):
        """One triple ``(1, diagonal column, off)`` standing for every row at once (rows along
        dimension -2); :meth:`sum_rows` and :meth:`sum_rows_with` are the reductions to use."""
        return [(1, self._column, self._off)]

    def sum_rows_with(self, other: "TorchSimilarity", f):
        return self._real_rows(f(self._column, self._off, other._column, other._off))

    @property
    def T(self):
        return type(self)(self.Y, self.X, self.mask)

    def squared_distances(self):
        return TorchSquaredDistances(self.X, self.Y, self.mask)


class TorchSquaredDistances(TorchSimilarity):
    r""":math:`|x_i - y_j|^2`, computed from the vectors (exactly 0 for equal rows).

    >>> import torch
    >>> U = torch.tensor([[0.6, 0.8], [1.0, 0.0]], dtype=torch.float64)
    >>> TorchSquaredDistances(U, U).full()
    tensor([[0.0000, 0.8000],
            [0.8000, 0.0000]], dtype=torch.float64)
    """

    neutral = 2.0

    def full(self):
        # cdist without the matrix-product shortcut: sqrt(sum (x - y)^2), exactly 0 at x = y
        distance = torch.cdist(self.X, self.Y, compute_mode="donot_use_mm_for_euclid_dist")
        return distance.square()

    def column(self):
        """The diagonal from the vectors (the alignment of KCL needs no full matrix)."""
        if "_full" in self.__dict__:
            return super().column()
        return (self.X - self.Y).square().sum(dim=-1, keepdim=True)

    def squared_distances(self):
        raise TypeError("squared_distances() of a matrix of squared distances")


@lru_cache(maxsize=64)
def _off_diagonal(n: int, device: torch.device) -> torch.Tensor:
    """The boolean ``n x n`` mask of the off-diagonal entries (one per size and device)."""
    return ~torch.eye(n, dtype=torch.bool, device=device)


def torch_grams(U: torch.Tensor, V: torch.Tensor, mask: torch.Tensor | None = None) -> Grams:
    """The :class:`~clverify.theory.similarity.Grams` of ``U``, ``V`` (``(..., N, d)``, float64).

    >>> import torch
    >>> G = torch_grams(torch.eye(2, dtype=torch.float64), -torch.eye(2, dtype=torch.float64))
    >>> float(G.uv.sum_diagonal(lambda s: s)), float(G.uu.sum_diagonal(lambda s: s))
    (-2.0, 2.0)
    """
    return Grams(uv=TorchSimilarity(U, V, mask), uu=TorchSimilarity(U, U, mask),
                 vv=TorchSimilarity(V, V, mask))
