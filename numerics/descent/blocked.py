r"""Memory-bounded similarity sums: :math:`X Y^\top` in row blocks, never ``N x N``.

:class:`BlockedSimilarity` implements :class:`clverify.theory.similarity.Similarity` for
torch tensors ``X``, ``Y`` of shape ``(..., N, d)`` (a leading batch shape of independent
problems): every sum a loss asks for,

.. math::
    \sum_i f(s_{ii}), \qquad \sum_{i\ne j} f(s_{ij}), \qquad
    \sum_i f\big(s_{ii}, \mathrm{off}_i\big), \quad \mathrm{off}_i(g) = \sum_{j\ne i} g(s_{ij}),
    \ \mathrm{off}_i.\mathrm{logsumexp}(g) = \log\sum_{j\ne i} e^{g(s_{ij})},

with :math:`s_{ij} = x_i\cdot y_j`, is accumulated over blocks of ``block`` rows of
:math:`S`, so no more than ``batch x block x N`` entries exist at once.  The gradient is
computed in the same pass (:class:`_BlockSum`, a custom autograd function): for each block the
block's value and its gradient with respect to ``X`` and ``Y`` are formed and the block is
freed; backward only scales the accumulated gradients.  Peak memory is therefore
:math:`O(N d + \text{batch}\cdot\text{block}\cdot N)` for the value *and* the gradient, and each
block is evaluated once (a checkpoint would evaluate it twice).  Only first derivatives are
available (the optimiser needs no more); parameters captured by ``f`` get no gradient.

Layout (the torch backend's): ``f`` receives a block of entries as ``(..., block, N)``, the
diagonal as a column ``(..., rows, 1)``, and ``off(g)``, ``off.logsumexp(g)`` return columns
``(..., rows, 1)``; every sum is returned as ``(..., 1, 1)``, so parameters of shape
``(..., 1, 1)`` broadcast against everything.  Entries excluded from a sum (the diagonal of an
off-diagonal sum, padded rows) are dropped with ``torch.where``; where one could be singular
for ``f`` (the self-pairs of a within-view matrix, padded rows) ``f`` sees :attr:`neutral`
there instead.  :class:`BlockedSquaredDistances` gives :math:`|x_i - y_j|^2` computed from the
vectors, by blocks too.

The arithmetic is float64 and exact up to summation order: the same value as the dense sum
to about 1e-15 relative (``tests/unit/test_blocked.py`` checks 1e-12).  The code names no
device: it runs where ``X`` and ``Y`` live (CPU or CUDA).

>>> import torch
>>> U = torch.eye(3, dtype=torch.float64)
>>> S = BlockedSimilarity(U, U, block=2)
>>> float(S.sum_off_diagonal(lambda s: s + 1)), float(S.sum_diagonal(lambda s: s))
(6.0, 3.0)
>>> float(S.sum_rows(lambda d, off: d * off(lambda s: s + 2)))   # 3 rows of 1 * (2 + 2)
12.0
>>> float(S.sum_rows(lambda d, off: off.logsumexp(lambda s: 0 * s)))   # 3 log 2
2.0794415416798...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.autograd.function import once_differentiable

from clverify.theory.similarity import Grams, Similarity

from .ops import TORCH_OPS
from .similarity import TorchOffDiagonal, TorchSimilarity, TorchSquaredDistances

__all__ = [
    "BlockedSimilarity",
    "BlockedSquaredDistances",
    "blocked_grams",
    "block_rows",
    "similarity_statistics",
    "BLOCK_BYTES",
]

#: Target size in bytes of one ``(batch, block, N)`` intermediate: a block holds a few of
#: them (entries, ``f`` of them, autograd's saved tensors), so a block's working memory is a
#: small multiple of this.
BLOCK_BYTES = 2**26


def block_rows(batch: int, N: int, itemsize: int = 8, budget: int = BLOCK_BYTES) -> int:
    """Rows per block so that ``batch * rows * N * itemsize <= budget`` (at least 1, at most ``N``).

    >>> block_rows(1, 100_000)     # 64 MiB of float64 entries
    83
    >>> block_rows(4, 10)
    10
    """
    return max(1, min(N, budget // (itemsize * batch * N)))


class _BlockSum(torch.autograd.Function):
    r""":math:`\sum_k \mathrm{fn}(r_k, r_{k+1}, *\mathrm{tensors})` over row blocks, value and gradient in one pass."""

    @staticmethod
    def forward(ctx, fn, bounds, need, *tensors):
        value = 0
        grads = [torch.zeros_like(x) if n else None for x, n in zip(tensors, need)]
        wanted = [k for k, n in enumerate(need) if n]
        for r0, r1 in bounds:
            if not wanted:
                value = value + fn(r0, r1, *tensors)
                continue
            with torch.enable_grad():
                leaves = [x.detach().requires_grad_(n) for x, n in zip(tensors, need)]
                v = fn(r0, r1, *leaves)
                parts = torch.autograd.grad(v.sum(), [leaves[k] for k in wanted], allow_unused=True)
            for k, g in zip(wanted, parts):
                if g is not None:
                    grads[k] += g
            value = value + v.detach()
        ctx.save_for_backward(*[g for g in grads if g is not None])
        ctx.need = need
        return torch.as_tensor(value, dtype=tensors[0].dtype, device=tensors[0].device)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        # the value is (..., 1, 1) and each gradient (..., N, d): grad_out broadcasts
        saved = iter(ctx.saved_tensors)
        return (None, None, None, *(next(saved) * grad_out if n else None for n in ctx.need))


class BlockedSimilarity(Similarity):
    r""":math:`s_{ij} = x_i\cdot y_j` for the rows of ``X``, ``Y`` (shape ``(..., N, d)``), summed by row blocks.

    Parameters
    ----------
    X, Y : torch.Tensor
        float64, shape ``(..., N, d)``, on any device.  Pass the same tensor twice for a
        within-view matrix (``uu``): its diagonal is then known to be a self-pair.
    mask : torch.Tensor, optional
        Boolean, shape ``(..., N)``: the real rows (several problem sizes padded into one
        tensor).  Sums run over real rows and real pairs only, and :attr:`N` is the number of
        real rows, a tensor of shape ``(..., 1, 1)``.
    block : int, optional
        Rows of :math:`S` per block (default :func:`block_rows` of the batch size and ``N``).

    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> U, V = torch.randn(2, 5, 3, dtype=torch.float64, generator=g).unbind(0)
    >>> dense = (U @ V.T).exp().sum() - (U @ V.T).diagonal().exp().sum()
    >>> blocked = BlockedSimilarity(U, V, block=2).sum_off_diagonal(torch.exp)
    >>> blocked.shape, bool(torch.isclose(blocked[0, 0], dense, rtol=1e-14))
    (torch.Size([1, 1]), True)
    """

    ops = TORCH_OPS
    #: The dense class whose ``full()`` defines the entries of a block (one definition).
    dense = TorchSimilarity
    #: What ``f`` sees at excluded entries (the dense class's choice).
    neutral = TorchSimilarity.neutral

    def __init__(self, X: torch.Tensor, Y: torch.Tensor, mask: torch.Tensor | None = None, *,
                 block: int | None = None):
        if X.shape != Y.shape or X.dim() < 2:
            raise ValueError(f"X and Y must have one shape (..., N, d), got {tuple(X.shape)} and {tuple(Y.shape)}")
        self.X, self.Y, self.mask = X, Y, mask
        self.self_pairs = X is Y
        self.rows_count = n = X.shape[-2]
        self.N = n if mask is None else mask.sum(dim=-1).to(X.dtype)[..., None, None]
        batch = X[..., 0, 0].numel()
        self.block = block_rows(batch, n) if block is None else max(1, min(int(block), n))

    # -- the entries, as the dense class defines them --------------------------------------
    def _pairs(self, Xb: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        """Entries of the rows ``Xb`` against every row of ``Y``, ``(..., rows, N)``."""
        return self.dense(Xb, Y).full()

    def _diagonal(self, Xb: torch.Tensor, Yb: torch.Tensor) -> torch.Tensor:
        r"""Entries :math:`x_i\cdot y_i`, a column ``(..., rows, 1)``, from the vectors (the dense
        class takes them from its full matrix, which a block never forms)."""
        return (Xb * Yb).sum(dim=-1, keepdim=True)

    # -- one block ------------------------------------------------------------------------
    def _bounds(self) -> list[tuple[int, int]]:
        n = self.rows_count
        return [(r0, min(r0 + self.block, n)) for r0 in range(0, n, self.block)]

    def _keep(self, r0: int, r1: int) -> torch.Tensor:
        """Which entries of rows ``r0..r1-1`` enter the sums: ``j != i``, both rows real."""
        dev = self.X.device
        keep = torch.arange(r0, r1, device=dev)[:, None] != torch.arange(self.rows_count, device=dev)[None, :]
        if self.mask is not None:
            keep = keep & self.mask[..., r0:r1, None] & self.mask[..., None, :]
        return keep

    def _entries(self, r0, r1, X, Y) -> tuple[torch.Tensor, torch.Tensor]:
        keep = self._keep(r0, r1)
        S = self._pairs(X[..., r0:r1, :], Y)
        if self.self_pairs or self.mask is not None:
            S = torch.where(keep, S, self.neutral)
        return S, keep

    def _column(self, r0, r1, X, Y) -> torch.Tensor:
        d = self._diagonal(X[..., r0:r1, :], Y[..., r0:r1, :])
        return d if self.mask is None else torch.where(self.mask[..., r0:r1, None], d, self.neutral)

    def _real_rows(self, r0, r1, values) -> torch.Tensor:
        """Sum of per-row ``values`` (a column, rows ``r0..r1-1``) over the real rows, ``(..., 1, 1)``."""
        values = torch.as_tensor(values, dtype=self.X.dtype, device=self.X.device)
        values = values.expand(torch.broadcast_shapes(values.shape, (*self.X.shape[:-2], r1 - r0, 1)))
        if self.mask is not None:
            values = torch.where(self.mask[..., r0:r1, None], values, 0.0)
        return values.sum(dim=(-1, -2), keepdim=True)

    def _sum(self, fn: Callable, tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        need = tuple(torch.is_grad_enabled() and x.requires_grad for x in tensors)
        return _BlockSum.apply(fn, self._bounds(), need, *tensors)

    # -- the Similarity interface ----------------------------------------------------------
    def sum_diagonal(self, f):
        n = self.rows_count
        return self._real_rows(0, n, f(self._column(0, n, self.X, self.Y)))

    def sum_off_diagonal(self, f):
        def block(r0, r1, X, Y):
            S, keep = self._entries(r0, r1, X, Y)
            return torch.where(keep, f(S), 0.0).sum(dim=(-1, -2), keepdim=True)

        return self._sum(block, (self.X, self.Y))

    def sum_rows(self, f):
        def block(r0, r1, X, Y):
            return self._real_rows(r0, r1, f(self._column(r0, r1, X, Y), TorchOffDiagonal(*self._entries(r0, r1, X, Y))))

        return self._sum(block, (self.X, self.Y))

    def sum_rows_with(self, other: "BlockedSimilarity", f):
        r"""Rows of ``self`` and ``other`` reduced together, block by block (``other`` blocked
        alike, with the same rows and mask)."""
        if not isinstance(other, BlockedSimilarity) or other.rows_count != self.rows_count:
            raise ValueError("sum_rows_with pairs a BlockedSimilarity with another of the same N")

        def block(r0, r1, X, Y, X2, Y2):
            mine = (self._column(r0, r1, X, Y), TorchOffDiagonal(*self._entries(r0, r1, X, Y)))
            theirs = (other._column(r0, r1, X2, Y2), TorchOffDiagonal(*other._entries(r0, r1, X2, Y2)))
            return self._real_rows(r0, r1, f(*mine, *theirs))

        return self._sum(block, (self.X, self.Y, other.X, other.Y))

    @property
    def T(self):
        transpose = type(self)(self.Y, self.X, self.mask, block=self.block)
        transpose.self_pairs = self.self_pairs
        return transpose

    def rows(self):
        raise NotImplementedError("a BlockedSimilarity reduces its rows block by block: "
                                  "use sum_rows or sum_rows_with")

    def squared_distances(self) -> "BlockedSquaredDistances":
        """:math:`|x_i - y_j|^2` of the same vectors, by blocks (computed from the vectors)."""
        out = BlockedSquaredDistances(self.X, self.Y, self.mask, block=self.block)
        out.self_pairs = self.self_pairs
        return out


class BlockedSquaredDistances(BlockedSimilarity):
    r""":math:`|x_i - y_j|^2` by row blocks, computed from the vectors (exactly 0 for equal rows).

    >>> import torch
    >>> U = torch.tensor([[0.6, 0.8], [1.0, 0.0]], dtype=torch.float64)
    >>> float(BlockedSquaredDistances(U, U, block=1).sum_off_diagonal(lambda r: r))   # 2 x 0.8
    1.6...
    """

    dense = TorchSquaredDistances
    neutral = TorchSquaredDistances.neutral

    def _diagonal(self, Xb, Yb):
        """:math:`|x_i - y_i|^2` from the vectors, as ``TorchSquaredDistances.column`` does."""
        return self.dense(Xb, Yb).column()

    def squared_distances(self):
        raise TypeError("squared_distances() of a matrix of squared distances")


def blocked_grams(U: torch.Tensor, V: torch.Tensor, mask: torch.Tensor | None = None, *,
                  block: int | None = None):
    """The :class:`~clverify.theory.similarity.Grams` of ``U``, ``V`` (``(..., N, d)``), each blocked.

    >>> import torch
    >>> G = blocked_grams(torch.eye(2, dtype=torch.float64), -torch.eye(2, dtype=torch.float64))
    >>> float(G.uv.sum_diagonal(lambda s: s)), float(G.uu.sum_diagonal(lambda s: s))
    (-2.0, 2.0)
    """
    return Grams(uv=BlockedSimilarity(U, V, mask, block=block), uu=BlockedSimilarity(U, U, mask, block=block),
                 vv=BlockedSimilarity(V, V, mask, block=block))


def similarity_statistics(U: torch.Tensor, V: torch.Tensor, *, block: int | None = None) -> dict:
    r"""Summary of :math:`s_{ij} = u_i\cdot v_j` for one problem (``U``, ``V`` of shape ``(N, d)``), by row blocks.

    Returns floats ``s_pos_min``, ``s_pos_mean``, ``s_pos_std`` (over the diagonal),
    ``s_neg_max``, ``s_neg_mean``, ``s_neg_std`` (over the :math:`N(N-1)` off-diagonal
    entries; population standard deviations, the second moment taken about the mean in a
    second pass, so an equiangular configuration gives 0, not rounding noise) and the
    margin :math:`m = (\min_i s_{ii} - \max_{i\ne j} s_{ij})/2` (half the gap; Bangachev et
    al. 2025).

    >>> import torch
    >>> U = torch.eye(3, dtype=torch.float64)
    >>> st = similarity_statistics(U, -U)
    >>> st["s_pos_min"], st["s_neg_max"], st["margin"], st["s_neg_std"]
    (-1.0, 0.0, -0.5, 0.0)
    """
    if U.dim() != 2 or U.shape != V.shape or U.shape[0] < 2:
        raise ValueError(f"U and V must have one shape (N, d) with N >= 2, got {tuple(U.shape)}, {tuple(V.shape)}")
    S = BlockedSimilarity(U, V, block=block)
    N = S.rows_count
    with torch.no_grad():
        d = S._diagonal(U, V)[:, 0]
        count = N * (N - 1)
        neg_mean = float(S.sum_off_diagonal(lambda s: s)) / count
        neg_var = float(S.sum_off_diagonal(lambda s: (s - neg_mean) ** 2)) / count
        neg_max = max(float(torch.where(keep, entries, -torch.inf).max())
                      for entries, keep in (S._entries(r0, r1, U, V) for r0, r1 in S._bounds()))
    pos_min = float(d.min())
    return {
        "s_pos_min": pos_min, "s_pos_mean": float(d.mean()), "s_pos_std": float(d.std(correction=0)),
        "s_neg_max": neg_max, "s_neg_mean": neg_mean, "s_neg_std": neg_var ** 0.5,
        "margin": (pos_min - neg_max) / 2,
    }
