r"""The fused value-and-gradient pass over the pieces of a similarity matrix.

The engine of :mod:`clverify.numerics.descent.blocked`: the size of a piece (:func:`block_rows`,
:func:`tile_side`), the elementwise function and its derivative together
(:func:`elementwise_derivative`), the gradient accumulators (:class:`Gradients`)
and the pass itself (:class:`BlockSum`, one autograd function: the value and the gradient of
every piece at once, the pieces dealt to worker threads on a CPU).

>>> import torch
>>> X = torch.eye(2, dtype=torch.float64).requires_grad_(True)
>>> def piece(bounds, tensors, grads):     # the sum of the squares of the rows r0..r1-1
...     r0, r1 = bounds
...     rows = tensors[0][r0:r1]
...     if grads is not None:
...         grads.add_rows(0, r0, 2 * rows)
...     return (rows ** 2).sum()
>>> value = BlockSum.apply(piece, [(0, 1), (1, 2)], (True,), X)
>>> float(value.detach()), torch.autograd.grad(value, X)[0].tolist()
(2.0, [[2.0, 0.0], [0.0, 2.0]])
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch
from torch.autograd.function import once_differentiable

from .jet import Unsupported, value_and_slope

__all__ = [
    "BLOCK_BYTES",
    "CUDA_BLOCK_BYTES",
    "block_rows",
    "tile_side",
    "elementwise_derivative",
    "writable",
    "flattened",
    "Gradients",
    "BlockSum",
]

#: Target size in bytes of one piece of entries (a tile, or a block of rows, times the batch),
#: so that its few intermediates (entries, ``f``, ``f'``) stay in the cache between the passes
#: over it.  For the sigmoid loss at N = 8000 (one thread) tiles of 1 to 8 MiB took the same
#: time to within 10%, 16 MiB 20% more (``benchmarks/bench_large_n.py --blocks``;
#: docs/performance.md).
BLOCK_BYTES = 2**22
#: The same on a GPU, where the cache argument does not hold and every block costs a few
#: kernel launches: 256 MiB (a guess, not a measurement: no GPU was available; see
#: ``benchmarks/gpu.sh``).
CUDA_BLOCK_BYTES = 2**28


def block_rows(batch: int, N: int, itemsize: int = 8, budget: int = BLOCK_BYTES) -> int:
    """Rows per block so that ``batch * rows * N * itemsize <= budget`` (at least 1, at most ``N``).

    >>> block_rows(1, 100_000)     # 4 MiB of float64 entries
    5
    >>> block_rows(4, 10)
    10
    """
    return max(1, min(N, budget // (itemsize * batch * N)))


def tile_side(batch: int, N: int, itemsize: int = 8, budget: int = BLOCK_BYTES) -> int:
    """Side of the square tiles of a pair sum: ``batch * side**2 * itemsize <= budget`` (at least
    1, at most ``N``).

    >>> tile_side(1, 100_000)      # 724 x 724 entries: 4 MiB
    724
    """
    return max(1, min(N, math.isqrt(budget // (itemsize * batch))))


def writable(F, S: torch.Tensor) -> torch.Tensor:
    """``F`` (a tensor or a number) as a tensor of ``S``'s shape that may be written in place
    (a broadcast constant is copied; ``S`` itself, fresh and not needed after, may be returned)."""
    F = torch.as_tensor(F, dtype=S.dtype, device=S.device).broadcast_to(S.shape)
    return F if F.is_contiguous() else F.contiguous()


def elementwise_derivative(f: Callable, S: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r""":math:`f(S)` and :math:`f'(S)` for an elementwise ``f`` (entry :math:`(i, j)` of the
    result depends on :math:`S_{ij}` alone), both of ``S``'s shape.

    ``f`` runs once on a jet of ``S`` (:func:`~clverify.numerics.descent.jet.value_and_slope`:
    each operation's value and derivative together); where it applies an operation the jet
    does not carry, :math:`f'` is the gradient of :math:`\sum_{ij} f(S_{ij})` with respect to
    ``S`` by one forward and one backward autograd pass of ``f`` alone.  Either way any ``f``
    written with torch (a user's loss included) gets its derivative from its own definition.
    Both results may be written in place.

    >>> import torch
    >>> F, dF = elementwise_derivative(lambda s: s ** 3, torch.tensor([[1.0, 2.0]], dtype=torch.float64))
    >>> F.tolist(), dF.tolist()
    ([[1.0, 8.0]], [[3.0, 12.0]])
    >>> elementwise_derivative(lambda s: 2.0, torch.zeros(1, 2, dtype=torch.float64))[1].tolist()
    [[0.0, 0.0]]
    """
    try:
        F, dF = value_and_slope(f, S)
        return writable(F, S), writable(dF, S)
    except (Unsupported, TypeError, AttributeError):
        pass
    with torch.enable_grad():
        s = S.detach().requires_grad_(True)
        F = f(s)
        dF = None
        if isinstance(F, torch.Tensor) and F.requires_grad:
            (dF,) = torch.autograd.grad(F.sum(), s, allow_unused=True)
    F = writable(F.detach() if isinstance(F, torch.Tensor) else F, S)
    return F, (torch.zeros_like(S) if dF is None else writable(dF, S))


def flattened(X: torch.Tensor) -> torch.Tensor:
    """``(..., n, m)`` as ``(batch, n, m)`` (a view for contiguous input)."""
    return X.reshape(-1, *X.shape[-2:])


class Gradients:
    r"""Gradient accumulators of a reduction's tensors (``(..., N, d)`` each; nothing where no
    gradient is needed), made when first used: rows added in place (``(batch, N, d)``), and
    products accumulated transposed (``(batch, d, N)``, the layout in which the products of
    the blocks are fastest)."""

    def __init__(self, tensors: Sequence[torch.Tensor], need: Sequence[bool]):
        self.need = tuple(need)
        self.tensors = tensors
        self.rows = [None] * len(tensors)
        self.columns = [None] * len(tensors)

    def add_rows(self, k: int, start: int, g: torch.Tensor | None) -> None:
        """Rows ``start..`` of tensor ``k`` += ``g``, ``(..., rows, d)``."""
        if not self.need[k] or g is None:
            return
        if self.rows[k] is None:
            self.rows[k] = flattened(torch.zeros_like(self.tensors[k]))
        self.rows[k][:, start:start + g.shape[-2]] += flattened(g)

    def add_product(self, k: int, start: int, A: torch.Tensor, B: torch.Tensor) -> None:
        r"""Rows ``start..`` of tensor ``k`` += :math:`(A B)^\top`, for ``A`` ``(batch, d, m)`` and
        ``B`` ``(batch, m, rows)`` (kept as columns ``start..`` of the transposed accumulator)."""
        if not self.need[k]:
            return
        if self.columns[k] is None:
            x = flattened(self.tensors[k])
            self.columns[k] = x.new_zeros(x.shape[0], x.shape[2], x.shape[1])
        target = self.columns[k][:, :, start:start + B.shape[-1]]
        if target.shape[0] == 1:          # one problem: the 2-D product is the faster call
            target[0].addmm_(A[0], B[0])
        else:
            target.baddbmm_(A, B)

    def result(self) -> list[torch.Tensor]:
        """The gradient of each tensor that needs one, in order."""
        out = []
        for x, n, rows, columns in zip(self.tensors, self.need, self.rows, self.columns):
            if not n:
                continue
            if rows is None and columns is None:
                out.append(torch.zeros_like(x))
            else:
                total = columns.mT if rows is None else (rows if columns is None else rows + columns.mT)
                out.append(total.reshape(x.shape))
        return out


def _accumulate(block, pieces, tensors, need) -> tuple[torch.Tensor, Gradients | None]:
    """The value of the blocks ``pieces`` and their gradients (one thread's share)."""
    grads = Gradients(tensors, need) if any(need) else None
    value = 0
    for piece in pieces:
        value = value + block(piece, tensors, grads)
    return value, grads


_POOL: ThreadPoolExecutor | None = None


@functools.cache
def keep_freed_pieces() -> bool:
    """Ask glibc's ``malloc``, where it is the allocator, to serve blocks of up to 32 MiB from
    its heap and to keep up to 256 MiB freed there (``mallopt``: ``M_MMAP_THRESHOLD``,
    ``M_TRIM_THRESHOLD``), so that the pieces allocated and freed for every block are not mapped
    and unmapped each time: measured at N = 20000, d = 16 on one thread, one evaluation took
    3.1 million page faults and 4.7 s of system time besides 3.6 s of arithmetic, and none of
    either after this call.  Once per process; True where it was applied, else nothing is
    changed (another C library, or another system)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, 2**25) and libc.mallopt(_M_TRIM_THRESHOLD, 2**28))
    except (OSError, AttributeError):
        return False


#: glibc's ``mallopt`` parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


@contextmanager
def _one_torch_thread():
    """torch's intra-op threads set to 1 (and restored): each worker thread runs its blocks alone."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _workers(blocks: int, device: torch.device) -> int:
    """Threads for ``blocks`` blocks on ``device``: torch's intra-op thread count on a CPU (each
    thread then runs its own blocks with one torch thread: no barrier after every operation, so
    a thread delayed by another process does not stall the other), 1 elsewhere."""
    return 1 if device.type != "cpu" else max(1, min(torch.get_num_threads(), blocks))


class BlockSum(torch.autograd.Function):
    r""":math:`\sum_k \mathrm{block}(p_k)` over the pieces :math:`p_k` of a matrix (row blocks or
    tiles ``(r0, r1, c0, c1)``), value and gradient in one pass.

    ``block(piece, tensors, grads)`` returns the value of its piece, ``(..., 1, 1)``, and adds its
    gradient with respect to ``tensors`` into ``grads`` (a :class:`Gradients`; ``None`` when no
    gradient is wanted).  On a CPU the pieces are dealt, in turn, to :func:`_workers` threads;
    their partial sums are added in a fixed order, so a result depends on the thread count only
    through rounding."""

    @staticmethod
    def forward(ctx, block, pieces, need, *tensors):
        global _POOL
        tensors = [x.detach() for x in tensors]      # the blocks' own graphs start from these
        workers = _workers(len(pieces), tensors[0].device)
        if tensors[0].device.type == "cpu":
            keep_freed_pieces()
        if workers == 1:
            value, grads = _accumulate(block, pieces, tensors, need)
            saved = grads.result() if grads is not None else []
        else:
            if _POOL is None or _POOL._max_workers < workers:
                _POOL = ThreadPoolExecutor(workers, thread_name_prefix="clverify-blocks")
            with _one_torch_thread():
                parts = list(_POOL.map(lambda k: _accumulate(block, pieces[k::workers], tensors, need),
                                       range(workers)))
            value = sum(v for v, _ in parts)
            shares = [g.result() for _, g in parts if g is not None]
            saved = [sum(column) for column in zip(*shares)]
        ctx.save_for_backward(*saved)
        ctx.need = need
        return torch.as_tensor(value, dtype=tensors[0].dtype, device=tensors[0].device)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        # the value is (..., 1, 1) and each gradient (..., N, d): grad_out broadcasts
        saved = iter(ctx.saved_tensors)
        return (None, None, None, *(next(saved) * grad_out if n else None for n in ctx.need))
