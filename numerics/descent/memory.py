r"""The memory a batched solve needs, estimated and checked before anything is allocated.

A batch of ``B`` problems (configurations times restarts) of ``N`` pairs in dimension ``d``
holds, in float64, about

.. math::
    8\,B\,(2m + 16)\cdot 2Nd \;+\; 8 \cdot 8 B N^2 \ \text{bytes}:

the point, its trial points, gradients, search direction and workspace (16 copies of the
``2N x d`` embedding), the ``m`` L-BFGS pairs (``2m`` more), and the ``N x N`` similarity
matrix with the intermediates autograd keeps for the loss and its gradient (8 copies).  With
the similarities summed by row blocks (``blocked``,
:mod:`clverify.numerics.descent.blocked`) the last term is 8 blocks of
:data:`~clverify.numerics.descent.blocked.BLOCK_BYTES` (at least one row per problem).  The
estimate is an order of magnitude, not a bound: it exists so that ``gd --N 10000000`` is
refused with one line instead of dying in the allocator.

>>> memory_estimate(5, 5, problems=3, history=6)    # 8 * 3 * (28 * 50 + 8 * 25)
38400
>>> check_memory(10_000_000, 2, problems=3, history=6)
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: N = 10000000, d = 2 (3 problems, dense N x N similarities) needs about 1.9e+16 bytes of memory; the limit is 8.6e+09 bytes (max_memory)
"""

from __future__ import annotations

from clverify.theory.errors import InvalidParameterError
from clverify.theory.params import check_batch_size

from .blocked import BLOCK_BYTES

__all__ = ["MEMORY_LIMIT", "memory_estimate", "check_memory", "comparison_estimate", "memory_limit"]

#: Default limit of :func:`check_memory`, in bytes (8 GiB; ``--max-memory`` on the CLI).
MEMORY_LIMIT = 8 * 2**30
#: Copies of the ``2N x d`` embedding and of the ``N x N`` similarities per problem.
_EMBEDDING_COPIES = 16
_SIMILARITY_COPIES = 8
#: N x N float64 arrays of a comparison with the theory (Gram blocks 2 x 3, invariants 2 x 4).
_COMPARISON_COPIES = 14
_FLOAT64_BYTES = 8


def memory_estimate(N: int, d: int, *, problems: int, history: int, blocked: bool = False) -> int:
    """Bytes a batched solve of ``problems`` problems of size ``(N, d)`` needs (see module).

    >>> blocked = memory_estimate(100_000, 2, problems=1, history=6, blocked=True)
    >>> blocked < 2**30 < memory_estimate(100_000, 2, problems=1, history=6)
    True
    """
    embedding = _FLOAT64_BYTES * problems * (2 * history + _EMBEDDING_COPIES) * 2 * N * d
    if blocked:
        block = max(BLOCK_BYTES, _FLOAT64_BYTES * problems * N)
        return embedding + _SIMILARITY_COPIES * block
    return embedding + _FLOAT64_BYTES * problems * _SIMILARITY_COPIES * N * N


def comparison_estimate(N: int) -> int:
    """Bytes of comparing a result with a theory optimum (:func:`~clverify.numerics.descent.compare.gram_distance`):
    the three ``N x N`` Gram blocks of each, and two ``N x 4N`` arrays of per-pair invariants.

    >>> comparison_estimate(1000)     # 8 * 14 * N^2
    112000000
    """
    return _FLOAT64_BYTES * _COMPARISON_COPIES * N * N


def memory_limit(gib: float | None) -> int:
    """The limit in bytes of ``--max-memory GIB`` (None: :data:`MEMORY_LIMIT`; at least 1 byte).

    >>> memory_limit(None) == MEMORY_LIMIT, memory_limit(0.5), memory_limit(1e-12)
    (True, 536870912, 1)
    """
    return MEMORY_LIMIT if gib is None else max(1, int(gib * 2**30))


def check_memory(N: int, d: int, *, problems: int, history: int, limit: int = MEMORY_LIMIT,
                 blocked: bool = False) -> None:
    """Raise :class:`~clverify.theory.errors.InvalidParameterError` (one line: the sizes, the
    estimate and the limit) when :func:`memory_estimate` exceeds ``limit`` bytes."""
    limit = check_batch_size("max_memory", limit, 1)
    need = memory_estimate(N, d, problems=problems, history=history, blocked=blocked)
    if need > limit:
        how = "similarities summed by row blocks" if blocked else "dense N x N similarities"
        problems_text = f"{problems} problem{'s' if problems != 1 else ''}"
        raise InvalidParameterError(
            f"N = {N}, d = {d} ({problems_text}, {how}) needs about {need:.2g} bytes of "
            f"memory; the limit is {limit:.2g} bytes (max_memory)")
