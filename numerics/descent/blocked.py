r"""Memory-bounded similarity sums: :math:`X Y^\top` in cache-sized pieces, value and gradient fused.

:class:`BlockedSimilarity` implements :class:`clverify.theory.similarity.Similarity` for
torch tensors ``X``, ``Y`` of shape ``(..., N, d)`` (a leading batch shape of independent
problems): every sum a loss asks for,

.. math::
    \sum_i f(s_{ii}), \qquad \sum_{i\ne j} f(s_{ij}), \qquad
    \sum_i f\big(s_{ii}, \mathrm{off}_i\big), \quad \mathrm{off}_i(g) = \sum_{j\ne i} g(s_{ij}),
    \ \mathrm{off}_i.\mathrm{logsumexp}(g) = \log\sum_{j\ne i} e^{g(s_{ij})},

with :math:`s_{ij} = x_i\cdot y_j`, is accumulated over pieces of :math:`S` of
:data:`BLOCK_BYTES` (square tiles :math:`R \times C` for the pair sums, blocks of whole rows
for the row sums), so that a piece stays in the cache while it is used and no more than
``batch x block x N`` entries exist at once.  The value and the gradient come from one pass
over the pieces (:class:`~clverify.numerics.descent.fused.BlockSum`); for a piece:

1. one matrix product :math:`S_{RC} = X_R Y_C^\top`, outside autograd;
2. for a sum of an elementwise :math:`f`, :math:`F = f(S_{RC})` and :math:`G = f'(S_{RC})`
   together (:func:`~clverify.numerics.descent.fused.elementwise_derivative`: ``f`` run once
   on a :class:`~clverify.numerics.descent.jet.Jet`, else one forward and one backward autograd
   pass of ``f`` alone; either works for any ``f`` written with torch, a user's included); for
   rows, the row
   function and its gradient :math:`G = \partial v / \partial S_R` by autograd over the
   block's entries only;
3. the diagonal is excluded by writing its entries :math:`(i, i)` (``f`` sees :attr:`neutral`
   there and its value and derivative are set to 0), never by a mask over the piece;
4. the gradient as two products, :math:`\nabla_{X_R} \mathrel{+}= G Y_C` and
   :math:`\nabla_{Y_C} \mathrel{+}= G^\top X_R`, accumulated transposed (:math:`Y_C^\top G^\top`
   and :math:`X_R^\top G`, the faster layout).

On a CPU the pieces are dealt to ``torch.get_num_threads()`` threads, each running its pieces
with one torch thread.  Backward only scales the accumulated gradients.  Peak memory is
therefore :math:`O(N d + \text{batch}\cdot\text{block}\cdot N)` for the value *and* the
gradient.  Only first derivatives are available (the optimiser needs no more); parameters
captured by ``f`` get no gradient.  :class:`BlockedSquaredDistances` gives
:math:`|x_i - y_j|^2` computed from the vectors (``torch.cdist``, exact at 0); its step 4 is
autograd through that piece.

Layout (the torch backend's): ``f`` receives a piece of entries as ``(..., rows, columns)``,
the diagonal as a column ``(..., rows, 1)``, and ``off(g)``, ``off.logsumexp(g)`` return
columns ``(..., rows, 1)``; every sum is returned as ``(..., 1, 1)``, so parameters of shape
``(..., 1, 1)`` broadcast against everything.  Entries excluded from a sum (the diagonal of
an off-diagonal sum, padded rows) never enter it; ``f`` sees :attr:`neutral` on the diagonal
(where the self-pairs of a within-view matrix could be singular) and on padded rows.

The arithmetic is float64 and exact up to summation order: the same value as the dense sum
to about 1e-15 relative (``tests/unit/test_blocked.py`` checks 1e-12 against the dense
autograd route and the mpmath backend).  The code names no device: it runs where ``X`` and
``Y`` live (CPU or CUDA).

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

from clverify.theory.similarity import Grams, OffDiagonal, Similarity

from .fused import (
    BLOCK_BYTES,
    CUDA_BLOCK_BYTES,
    BlockSum,
    block_rows,
    elementwise_derivative,
    flattened,
    tile_side,
    writable,
)
from .ops import TORCH_OPS
from .similarity import TorchSimilarity, TorchSquaredDistances

__all__ = [
    "BlockedSimilarity",
    "BlockedSquaredDistances",
    "blocked_grams",
    "block_rows",
    "tile_side",
    "elementwise_derivative",
    "similarity_statistics",
    "BLOCK_BYTES",
    "CUDA_BLOCK_BYTES",
]

class _BlockOffDiagonal(OffDiagonal):
    r"""The off-diagonal entries of the rows of one block (rows ``r0..``): columns of
    :math:`\sum_{j\ne i} g(S_{ij})` and :math:`\log\sum_{j\ne i} e^{g(S_{ij})}`; the block's
    diagonal entries :math:`(i, r_0 + i)` are dropped by writing them, ``keep`` (padded rows)
    by a mask."""

    def __init__(self, entries: torch.Tensor, r0: int, keep: torch.Tensor | None):
        self.entries, self.r0, self.keep = entries, r0, keep

    def _drop(self, values, fill: float) -> torch.Tensor:
        values = torch.as_tensor(values, dtype=self.entries.dtype, device=self.entries.device)
        values = values.broadcast_to(self.entries.shape)
        diagonal = values.diagonal(self.r0, -2, -1)
        values = values.diagonal_scatter(torch.full_like(diagonal, fill), self.r0, -2, -1)
        return values if self.keep is None else values.masked_fill(~self.keep, fill)

    def __call__(self, g):
        return self._drop(g(self.entries), 0.0).sum(dim=-1, keepdim=True)

    def logsumexp(self, g):
        return torch.logsumexp(self._drop(g(self.entries), float("-inf")), dim=-1, keepdim=True)


class BlockedSimilarity(Similarity):
    r""":math:`s_{ij} = x_i\cdot y_j` for the rows of ``X``, ``Y`` (shape ``(..., N, d)``), summed by blocks.

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
        Rows of :math:`S` per block of a row reduction and side of the square tiles of a pair
        sum (default: :func:`block_rows` and :func:`tile_side` of the batch size and ``N``,
        with :data:`BLOCK_BYTES`, or :data:`CUDA_BLOCK_BYTES` on a GPU).

    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> U, V = torch.randn(2, 5, 3, dtype=torch.float64, generator=g).unbind(0)
    >>> dense = (U @ V.T).exp().sum() - (U @ V.T).diagonal().exp().sum()
    >>> blocked = BlockedSimilarity(U, V, block=2).sum_off_diagonal(torch.exp)
    >>> blocked.shape, bool(torch.isclose(blocked[0, 0], dense, rtol=1e-14))
    (torch.Size([1, 1]), True)
    """

    ops = TORCH_OPS
    #: The dense class whose entries a block reproduces (one definition of the diagonal).
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
        budget = CUDA_BLOCK_BYTES if X.device.type == "cuda" else BLOCK_BYTES
        given = None if block is None else max(1, min(int(block), n))
        self.block = block_rows(batch, n, budget=budget) if given is None else given
        self.tile = tile_side(batch, n, budget=budget) if given is None else given

    # -- the pieces of the matrix ---------------------------------------------------------
    def _bounds(self, size: int | None = None) -> list[tuple[int, int, int, int]]:
        """Row blocks ``(r0, r1, 0, N)`` of :attr:`block` rows, or square tiles of side ``size``."""
        n = self.rows_count
        if size is None:
            return [(r0, min(r0 + self.block, n), 0, n) for r0 in range(0, n, self.block)]
        edges = [(a, min(a + size, n)) for a in range(0, n, size)]
        return [(r0, r1, c0, c1) for r0, r1 in edges for c0, c1 in edges]

    def _keep(self, r0, r1, c0, c1) -> torch.Tensor | None:
        """Which entries of the piece are pairs of real rows (None: all; the diagonal is dropped
        separately)."""
        if self.mask is None:
            return None
        return self.mask[..., r0:r1, None] & self.mask[..., None, c0:c1]

    def _transposes(self) -> tuple[torch.Tensor, torch.Tensor]:
        r""":math:`X^\top` and :math:`Y^\top`, ``(batch, d, N)`` contiguous: the products of the
        pieces read their columns (made once per reduction, outside autograd)."""
        with torch.no_grad():
            XT = flattened(self.X.detach()).mT.contiguous()
            return XT, (XT if self.Y is self.X else flattened(self.Y.detach()).mT.contiguous())

    def _pairs(self, piece, X, Y, need: Sequence[bool], transposes):
        r"""The entries of a piece, ``(..., rows, columns)`` (a fresh tensor, outside autograd),
        and their pullback ``(G, grads, kx, ky)``: the gradient of :math:`\sum G_{ij} S_{ij}`
        added to tensors ``kx`` and ``ky`` of ``grads``, as the products :math:`Y_C^\top G^\top`
        and :math:`X_R^\top G`."""
        r0, r1, c0, c1 = piece
        XT, YT = transposes
        XR, YC = XT[:, :, r0:r1], YT[:, :, c0:c1]
        S = (torch.mm(XR[0].T, YC[0]) if XR.shape[0] == 1 else XR.mT @ YC).reshape(*X.shape[:-2], r1 - r0, c1 - c0)

        def pullback(G, grads, kx, ky):
            G3 = flattened(G)
            grads.add_product(kx, r0, YC, G3.mT)
            grads.add_product(ky, c0, XR, G3)

        return S, pullback

    def _entries(self, piece, X, Y, need, transposes):
        """:meth:`_pairs` with :attr:`neutral` written on the diagonal and at padded entries."""
        S, pullback = self._pairs(piece, X, Y, need, transposes)
        self._diagonal_of(S, piece).fill_(self.neutral)
        keep = self._keep(*piece)
        if keep is not None:
            S = torch.where(keep, S, self.neutral)
        return S, keep, pullback

    @staticmethod
    def _diagonal_of(F: torch.Tensor, piece) -> torch.Tensor:
        """The entries :math:`(i, i)` of a piece (a view; empty where its rows and columns do
        not meet)."""
        r0, r1, c0, c1 = piece
        if max(r0, c0) >= min(r1, c1):
            return F[..., :0, 0]
        return F.diagonal(r0 - c0, -2, -1)

    def _exclude(self, F: torch.Tensor, piece, keep) -> torch.Tensor:
        """``F`` (a piece, writable) with 0 on the diagonal and at padded entries."""
        self._diagonal_of(F, piece).zero_()
        return F if keep is None else torch.where(keep, F, 0.0)

    def _diagonal(self, Xb: torch.Tensor, Yb: torch.Tensor) -> torch.Tensor:
        r"""Entries :math:`x_i\cdot y_i`, a column ``(..., rows, 1)``, from the vectors (the dense
        class takes them from its full matrix, which a block never forms)."""
        return (Xb * Yb).sum(dim=-1, keepdim=True)

    def _column(self, r0: int, Xb: torch.Tensor, Yb: torch.Tensor) -> torch.Tensor:
        """The diagonal of rows ``r0..`` from their vectors ``Xb``, ``Yb``, :attr:`neutral` on padded rows."""
        d = self._diagonal(Xb, Yb)
        return d if self.mask is None else torch.where(self.mask[..., r0:r0 + d.shape[-2], None], d, self.neutral)

    def _real_rows(self, r0, r1, values) -> torch.Tensor:
        """Sum of per-row ``values`` (a column, rows ``r0..r1-1``) over the real rows, ``(..., 1, 1)``."""
        values = torch.as_tensor(values, dtype=self.X.dtype, device=self.X.device)
        values = values.expand(torch.broadcast_shapes(values.shape, (*self.X.shape[:-2], r1 - r0, 1)))
        if self.mask is not None:
            values = torch.where(self.mask[..., r0:r1, None], values, 0.0)
        return values.sum(dim=(-1, -2), keepdim=True)

    def _sum(self, block: Callable, pieces, tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        need = tuple(torch.is_grad_enabled() and x.requires_grad for x in tensors)
        return BlockSum.apply(block, pieces, need, *tensors)

    # -- the Similarity interface ----------------------------------------------------------
    def sum_diagonal(self, f):
        return self._real_rows(0, self.rows_count, f(self._column(0, self.X, self.Y)))

    def sum_off_diagonal(self, f):
        transposes = self._transposes()

        def block(piece, tensors, grads):
            need = (False, False) if grads is None else grads.need
            S, keep, pullback = self._entries(piece, *tensors, need, transposes)
            if grads is None:
                return self._exclude(writable(f(S), S), piece, keep).sum(dim=(-1, -2), keepdim=True)
            F, dF = elementwise_derivative(f, S)
            pullback(self._exclude(dF, piece, keep), grads, 0, 1)
            return self._exclude(F, piece, keep).sum(dim=(-1, -2), keepdim=True)

        return self._sum(block, self._bounds(self.tile), (self.X, self.Y))

    def sum_rows(self, f):
        return self._sum_rows((self,), lambda d, off: f(d[0], off[0]))

    def sum_rows_with(self, other: "BlockedSimilarity", f):
        r"""Rows of ``self`` and ``other`` reduced together, block by block (``other`` blocked
        alike, with the same rows and mask)."""
        if not isinstance(other, BlockedSimilarity) or other.rows_count != self.rows_count:
            raise ValueError("sum_rows_with pairs a BlockedSimilarity with another of the same N")
        return self._sum_rows((self, other), lambda d, off: f(d[0], off[0], d[1], off[1]))

    def _sum_rows(self, matrices: Sequence["BlockedSimilarity"], f):
        r"""``f(diagonals, offs)`` summed over the real rows of ``matrices`` (blocked alike):
        per block of whole rows the entries, then ``f`` and its gradient with respect to the
        entries by autograd over the block alone, then each matrix's pullback."""
        tensors = [x for m in matrices for x in (m.X, m.Y)]
        transposes = [m._transposes() for m in matrices]

        def block(piece, tensors, grads):
            r0, r1 = piece[:2]
            need = (False,) * len(tensors) if grads is None else grads.need
            with torch.enable_grad() if grads is not None else torch.no_grad():
                columns, offs, leaves, pullbacks = [], [], [], []
                for k, m in enumerate(matrices):
                    X, Y, wanted = tensors[2 * k], tensors[2 * k + 1], need[2 * k:2 * k + 2]
                    S, keep, pullback = m._entries(piece, X, Y, wanted, transposes[k])
                    ends = [x[..., r0:r1, :].detach().requires_grad_(n) for x, n in zip((X, Y), wanted)]
                    columns.append(m._column(r0, *ends))
                    offs.append(_BlockOffDiagonal(S.requires_grad_(grads is not None), r0, keep))
                    leaves += [S, *ends]
                    pullbacks.append(pullback)
                value = self._real_rows(r0, r1, f(columns, offs))
                if grads is None:
                    return value
                wanted = [x for x in leaves if x.requires_grad]
                found = dict(zip(map(id, wanted), torch.autograd.grad(value.sum(), wanted, allow_unused=True)))
            for k, pullback in enumerate(pullbacks):
                S, Xb, Yb = leaves[3 * k:3 * k + 3]
                if found.get(id(S)) is not None:
                    pullback(found[id(S)], grads, 2 * k, 2 * k + 1)
                grads.add_rows(2 * k, r0, found.get(id(Xb)))
                grads.add_rows(2 * k + 1, r0, found.get(id(Yb)))
            return value.detach()

        return self._sum(block, self._bounds(), tensors)

    @property
    def T(self):
        transpose = type(self)(self.Y, self.X, self.mask, block=self.block)
        transpose.tile, transpose.self_pairs = self.tile, self.self_pairs
        return transpose

    def rows(self):
        raise NotImplementedError("a BlockedSimilarity reduces its rows block by block: "
                                  "use sum_rows or sum_rows_with")

    def squared_distances(self) -> "BlockedSquaredDistances":
        """:math:`|x_i - y_j|^2` of the same vectors, by blocks (computed from the vectors)."""
        out = BlockedSquaredDistances(self.X, self.Y, self.mask, block=self.block)
        out.tile, out.self_pairs = self.tile, self.self_pairs
        return out


class BlockedSquaredDistances(BlockedSimilarity):
    r""":math:`|x_i - y_j|^2` by blocks, computed from the vectors (exactly 0 for equal rows).

    >>> import torch
    >>> U = torch.tensor([[0.6, 0.8], [1.0, 0.0]], dtype=torch.float64)
    >>> float(BlockedSquaredDistances(U, U, block=1).sum_off_diagonal(lambda r: r))   # 2 x 0.8
    1.6...
    """

    dense = TorchSquaredDistances
    neutral = TorchSquaredDistances.neutral

    def _transposes(self):
        return None

    def _pairs(self, piece, X, Y, need, transposes):
        """The piece from ``torch.cdist`` (no matrix-product shortcut), its pullback by autograd
        through that piece."""
        r0, r1, c0, c1 = piece
        leaves = [X[..., r0:r1, :].detach().requires_grad_(need[0]),
                  Y[..., c0:c1, :].detach().requires_grad_(need[1])]
        with torch.enable_grad() if any(need) else torch.no_grad():
            E = self.dense(*leaves).full()

        def pullback(G, grads, kx, ky):
            wanted = [x for x in leaves if x.requires_grad]
            parts = iter(torch.autograd.grad(E, wanted, G))
            gX, gY = (next(parts) if x.requires_grad else None for x in leaves)
            grads.add_rows(kx, r0, gX)
            grads.add_rows(ky, c0, gY)

        return E.detach(), pullback

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
        neg_max = -float("inf")
        transposes = S._transposes()
        for piece in S._bounds():
            entries, _ = S._pairs(piece, U, V, (False, False), transposes)
            S._diagonal_of(entries, piece).fill_(-float("inf"))
            neg_max = max(neg_max, float(entries.max()))
    pos_min = float(d.min())
    return {
        "s_pos_min": pos_min, "s_pos_mean": float(d.mean()), "s_pos_std": float(d.std(correction=0)),
        "s_neg_max": neg_max, "s_neg_mean": neg_mean, "s_neg_std": neg_var ** 0.5,
        "margin": (pos_min - neg_max) / 2,
    }
