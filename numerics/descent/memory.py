r"""The memory a batched solve needs, estimated and checked before anything is allocated.

A batch of ``B`` problems (configurations times restarts) of ``N`` pairs in dimension ``d``
holds, in float64, about

.. math::
    8\,B\,\big[(2m + 16)\cdot 2Nd + 8N^2\big] \ \text{bytes}:

the point, its trial points, gradients, search direction and workspace (16 copies of the
``2N x d`` embedding), the ``m`` L-BFGS pairs (``2m`` more), and the ``N x N`` similarity
matrix with the intermediates autograd keeps for the loss and its gradient (8 copies).  The
estimate is an order of magnitude, not a bound: it exists so that ``gd --N 10000000`` is
refused with one line instead of dying in the allocator.

>>> memory_estimate(5, 5, problems=3, history=6)    # 8 * 3 * (28 * 50 + 8 * 25)
38400
>>> check_memory(10_000_000, 2, problems=3, history=6)
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: N = 10000000, d = 2 (3 problems) needs about 1.9e+16 bytes of memory; the limit is 8.6e+09 bytes (max_memory)
"""

from __future__ import annotations

from clverify.theory.errors import InvalidParameterError
from clverify.theory.params import check_batch_size

__all__ = ["MEMORY_LIMIT", "memory_estimate", "check_memory"]

#: Default limit of :func:`check_memory`, in bytes (8 GiB; ``--max-memory`` on the CLI).
MEMORY_LIMIT = 8 * 2**30
#: Copies of the ``2N x d`` embedding and of the ``N x N`` similarities per problem.
_EMBEDDING_COPIES = 16
_SIMILARITY_COPIES = 8
_FLOAT64_BYTES = 8


def memory_estimate(N: int, d: int, *, problems: int, history: int) -> int:
    """Bytes a batched solve of ``problems`` problems of size ``(N, d)`` needs (see module)."""
    per_problem = (2 * history + _EMBEDDING_COPIES) * 2 * N * d + _SIMILARITY_COPIES * N * N
    return _FLOAT64_BYTES * problems * per_problem


def check_memory(N: int, d: int, *, problems: int, history: int, limit: int = MEMORY_LIMIT) -> None:
    """Raise :class:`~clverify.theory.errors.InvalidParameterError` (one line: the sizes, the
    estimate and the limit) when :func:`memory_estimate` exceeds ``limit`` bytes."""
    limit = check_batch_size("max_memory", limit, 1)
    need = memory_estimate(N, d, problems=problems, history=history)
    if need > limit:
        raise InvalidParameterError(
            f"N = {N}, d = {d} ({problems} problems) needs about {need:.2g} bytes of memory; "
            f"the limit is {limit:.2g} bytes (max_memory)")
