r"""Memory-bounded similarity sums: :math:`U V^\top` in row blocks, never ``N x N``.

:class:`BlockedSimilarity` implements :class:`clverify.theory.similarity.Similarity` for
torch tensors ``U``, ``V`` of shape ``(..., N, d)`` (a leading batch shape of independent
problems): every sum a loss asks for,

.. math::
    \sum_i f(s_{ii}), \qquad \sum_{i\ne j} f(s_{ij}), \qquad
    \sum_i f\big(s_{ii}, g \mapsto \textstyle\sum_{j\ne i} g(s_{ij})\big), \qquad s_{ij} = u_i\cdot v_j,

is accumulated over blocks of ``block`` rows of :math:`S = U V^\top`, so no more than
``batch x block x N`` similarities exist at once.  The gradient is computed in the same pass
(:class:`_BlockSum`, a custom autograd function): for each block the block's value and its
gradient with respect to ``U`` and ``V`` are formed and the block is freed; backward only
scales the accumulated gradients.  Peak memory is therefore
:math:`O(N d + \text{batch} \cdot \text{block} \cdot N)` for the value *and* the gradient, and
each block is evaluated once (a checkpoint would evaluate it twice).  Only first derivatives
are available (the optimiser needs no more).

Values handed to ``f`` have shape ``(..., rows, cols)``: the diagonal as ``(..., N, 1)``,
a block of :math:`S` as ``(..., block, N)``, per-row sums as ``(..., block, 1)``; parameters
that vary along the batch should therefore have shape ``(..., 1, 1)``.  Entries excluded from
a sum (the diagonal of an off-diagonal sum, padded rows) are replaced by 0 before ``f`` sees
them and then dropped, so a kernel singular at :math:`s = 1` gives no ``inf * 0``.

The arithmetic is float64 and exact up to summation order: the same value as the dense sum
to about 1e-15 relative (``tests/unit/test_blocked.py`` checks 1e-12).  The code names no
device: it runs where ``U`` and ``V`` live (CPU or CUDA).

>>> import torch
>>> U = torch.eye(3, dtype=torch.float64)
>>> S = BlockedSimilarity(U, U, block=2)
>>> float(S.sum_off_diagonal(lambda s: s + 1)), float(S.sum_diagonal(lambda s: s))
(6.0, 3.0)
>>> float(S.sum_rows(lambda d, off: d * off(lambda s: s + 2)))   # 3 rows of 1 * (2 + 2)
12.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.autograd.function import once_differentiable

from clverify.theory.similarity import Similarity

__all__ = [
    "BlockedSimilarity",
    "block_rows",
    "similarity_statistics",
    "BLOCK_BYTES",
]

#: Target size in bytes of one ``(batch, block, N)`` intermediate: a block holds a few of
#: them (similarities, ``f`` of them, autograd's saved tensors), so a block's working memory
#: is a small multiple of this.
BLOCK_BYTES = 2**26


def block_rows(batch: int, N: int, itemsize: int = 8, budget: int = BLOCK_BYTES) -> int:
    """Rows per block so that ``batch * rows * N * itemsize <= budget`` (at least 1, at most ``N``).

    >>> block_rows(1, 100_000)     # 64 MiB of float64 similarities
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
        saved = iter(ctx.saved_tensors)
        out = []
        for n in ctx.need:
            out.append(next(saved) * grad_out[..., None, None] if n else None)
        return (None, None, None, *out)


class BlockedSimilarity(Similarity):
    r"""The similarities :math:`s_{ij} = u_i\cdot v_j` of ``U``, ``V`` (shape ``(..., N, d)``), summed by row blocks.

    Parameters
    ----------
    U, V : torch.Tensor
        Same shape ``(..., N, d)``, float64, on any device.
    block : int, optional
        Rows of :math:`S` per block (default :func:`block_rows` of the batch size and ``N``).
    mask : torch.Tensor, optional
        Boolean, shape ``(..., N)``: the real rows (several problem sizes padded into one
        tensor).  Sums then run over real pairs only; ``N`` stays the padded size (a loss
        normalises by the real count, ``mask.sum(-1)``).

    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> U, V = torch.randn(2, 5, 3, dtype=torch.float64, generator=g).unbind(0)
    >>> dense = (U @ V.T).exp().sum() - (U @ V.T).diagonal().exp().sum()
    >>> blocked = BlockedSimilarity(U, V, block=2).sum_off_diagonal(torch.exp)
    >>> bool(torch.isclose(blocked, dense, rtol=1e-14))
    True
    """

    def __init__(self, U: torch.Tensor, V: torch.Tensor, *, block: int | None = None,
                 mask: torch.Tensor | None = None):
        if U.shape != V.shape or U.dim() < 2:
            raise ValueError(f"U and V must have one shape (..., N, d), got {tuple(U.shape)} and {tuple(V.shape)}")
        self.U, self.V, self.mask = U, V, mask
        self.N = U.shape[-2]
        batch = U[..., 0, 0].numel()
        self.block = block_rows(batch, self.N) if block is None else max(1, min(int(block), self.N))

    def _bounds(self) -> list[tuple[int, int]]:
        return [(r0, min(r0 + self.block, self.N)) for r0 in range(0, self.N, self.block)]

    def _keep(self, r0: int, r1: int) -> torch.Tensor:
        """Which entries of rows ``r0..r1-1`` enter an off-diagonal sum: ``j != i``, both real."""
        dev = self.U.device
        keep = torch.arange(r0, r1, device=dev)[:, None] != torch.arange(self.N, device=dev)[None, :]
        if self.mask is not None:
            keep = keep & self.mask[..., r0:r1, None] & self.mask[..., None, :]
        return keep

    def _sum(self, fn: Callable, tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        need = tuple(torch.is_grad_enabled() and x.requires_grad for x in tensors)
        return _BlockSum.apply(fn, self._bounds(), need, *tensors)

    @staticmethod
    def _row_sum(keep: torch.Tensor, S: torch.Tensor) -> Callable:
        r"""``off(g)`` :math:`= \sum_{j\ne i} g(s_{ij})` for the rows of the block ``S``, shape ``(..., rows, 1)``."""
        safe = torch.where(keep, S, 0.0)
        return lambda g: torch.where(keep, g(safe), 0.0).sum(dim=-1, keepdim=True)

    def _real_rows(self, r0: int, r1: int, values: torch.Tensor) -> torch.Tensor:
        """``values`` of shape ``(..., rows, 1)`` summed over the real rows ``r0..r1-1``."""
        if self.mask is not None:
            values = torch.where(self.mask[..., r0:r1, None], values, 0.0)
        return values.sum(dim=(-1, -2))

    def diagonal(self) -> torch.Tensor:
        r""":math:`s_{ii} = u_i\cdot v_i`, shape ``(..., N, 1)`` (computed directly, :math:`O(N d)`)."""
        return torch.linalg.vecdot(self.U, self.V).unsqueeze(-1)

    def sum_diagonal(self, f):
        d = self.diagonal()
        if self.mask is None:
            return f(d).sum(dim=(-1, -2))
        real = self.mask[..., None]
        return torch.where(real, f(torch.where(real, d, 0.0)), 0.0).sum(dim=(-1, -2))

    def sum_off_diagonal(self, f):
        def block(r0, r1, U, V):
            S = U[..., r0:r1, :] @ V.transpose(-1, -2)
            keep = self._keep(r0, r1)
            return torch.where(keep, f(torch.where(keep, S, 0.0)), 0.0).sum(dim=(-1, -2))

        return self._sum(block, (self.U, self.V))

    def sum_rows(self, f):
        def block(r0, r1, U, V):
            Ub = U[..., r0:r1, :]
            S = Ub @ V.transpose(-1, -2)
            d = torch.linalg.vecdot(Ub, V[..., r0:r1, :]).unsqueeze(-1)
            return self._real_rows(r0, r1, f(d, self._row_sum(self._keep(r0, r1), S)))

        return self._sum(block, (self.U, self.V))

    def sum_rows_with(self, other, f):
        r"""Rows of ``self`` and ``other`` reduced together, block by block (``other`` blocked alike)."""
        if not isinstance(other, BlockedSimilarity) or other.N != self.N:
            raise ValueError("sum_rows_with pairs a BlockedSimilarity with another of the same N")

        def block(r0, r1, U, V, X, Y):
            Ub, Xb = U[..., r0:r1, :], X[..., r0:r1, :]
            keep = self._keep(r0, r1)
            d = torch.linalg.vecdot(Ub, V[..., r0:r1, :]).unsqueeze(-1)
            d2 = torch.linalg.vecdot(Xb, Y[..., r0:r1, :]).unsqueeze(-1)
            off = self._row_sum(keep, Ub @ V.transpose(-1, -2))
            off2 = self._row_sum(keep, Xb @ Y.transpose(-1, -2))
            return self._real_rows(r0, r1, f(d, off, d2, off2))

        return self._sum(block, (self.U, self.V, other.U, other.V))

    @property
    def T(self):
        return BlockedSimilarity(self.V, self.U, block=self.block, mask=self.mask)

    def rows(self):
        raise NotImplementedError("a BlockedSimilarity reduces its rows block by block: "
                                  "use sum_rows or sum_rows_with")


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
    N = S.N
    with torch.no_grad():
        d = S.diagonal()[:, 0]
        count = N * (N - 1)
        neg_mean = float(S.sum_off_diagonal(lambda s: s)) / count
        neg_var = float(S.sum_off_diagonal(lambda s: (s - neg_mean) ** 2)) / count
        neg_max = max(float(torch.where(S._keep(r0, r1), U[r0:r1] @ V.T, -torch.inf).max())
                      for r0, r1 in S._bounds())
    pos_min = float(d.min())
    return {
        "s_pos_min": pos_min, "s_pos_mean": float(d.mean()), "s_pos_std": float(d.std(correction=0)),
        "s_neg_max": neg_max, "s_neg_mean": neg_mean, "s_neg_std": neg_var ** 0.5,
        "margin": (pos_min - neg_max) / 2,
    }
