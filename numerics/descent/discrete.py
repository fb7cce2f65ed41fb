r"""Dimension 1: the exact minimum over :math:`S^0 = \{-1, 1\}` by enumeration.

On :math:`S^0` every row is a sign, so gradient descent cannot move (its Riemannian gradient is
identically zero); the minimum of a loss over :math:`(U, V) \in \{\pm 1\}^N \times \{\pm 1\}^N`
is found exactly by evaluating the loss at every sign pattern up to symmetry.  Every loss here
is a symmetric function of the pairs :math:`(u_i, v_i)` (relabelling the pairs changes
nothing), so a pattern is determined by how many pairs are of each of the four kinds
:math:`(+,+), (+,-), (-,+), (-,-)`: :math:`\binom{N+3}{3}` patterns (286 at ``N = 10``), all
evaluated as one batched float64 call of the torch loss (in chunks).

>>> r = minimise_s0(4, t=1.0, b=1.0)
>>> r.converged, r.d, r.iterations       # C(7, 3) patterns
(True, 1, 35)
"""

from __future__ import annotations

import itertools
import math
import time

import torch

from clverify.theory.errors import InvalidParameterError
from clverify.theory.params import check_batch_size

from .blocked import similarity_statistics
from .optimise import EmbeddingResult, _configs

__all__ = ["minimise_s0", "check_enumerable", "ENUMERATION_MAX_N"]

#: Largest N enumerated (C(N + 3, 3) patterns of N x N similarities: 5456 at N = 30).
ENUMERATION_MAX_N = 30
#: Patterns per batched loss evaluation.
_CHUNK = 1024
#: The four kinds of pair (u_i, v_i) in S^0 x S^0.
_KINDS = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]], dtype=torch.float64)


def _counts(N: int) -> list[tuple[int, ...]]:
    """Every ``(n_1, n_2, n_3, n_4)`` of integers >= 0 summing to ``N`` (stars and bars)."""
    return [tuple(b - a - 1 for a, b in zip((-1, *bars), (*bars, N + 3)))
            for bars in itertools.combinations(range(N + 3), 3)]


def _patterns(counts: list[tuple[int, ...]], N: int) -> torch.Tensor:
    """The patterns with these kind counts, as ``(k, 2N, 1)`` rows (``U`` then ``V``)."""
    kinds = torch.tensor([sum(([k] * n for k, n in enumerate(c)), []) for c in counts])
    pairs = _KINDS[kinds]                       # (k, N, 2)
    return torch.cat([pairs[..., 0], pairs[..., 1]], dim=-1)[..., None]


def check_enumerable(N) -> int:
    """``N`` if dimension 1 can be solved at ``N`` (:func:`minimise_s0`: ``2 <= N <=``
    :data:`ENUMERATION_MAX_N`), the one rule of every command that takes ``d = 1``.

    >>> check_enumerable(31)
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: N must be an integer in [2, 30] for d = 1 (exact enumeration of C(N+3, 3) sign patterns; gradient descent cannot move on S^0), got 31
    """
    N = check_batch_size("N", N, 2)
    if N > ENUMERATION_MAX_N:
        raise InvalidParameterError(
            f"N must be an integer in [2, {ENUMERATION_MAX_N}] for d = 1 (exact enumeration of "
            f"C(N+3, 3) sign patterns; gradient descent cannot move on S^0), got {N}")
    return N


def minimise_s0(N: int, *, loss: str = "sigmoid", **params) -> EmbeddingResult:
    r"""The exact minimum of ``loss`` over unit embeddings in dimension 1 (signs), ``N <= 10``.

    Parameters
    ----------
    N : int
        Number of pairs, ``2 <= N <=`` :data:`ENUMERATION_MAX_N`.
    loss : str
        A name of :data:`~clverify.numerics.descent.torch_losses.TORCH_LOSSES`; ``**params``
        its parameters (scalars).

    Returns
    -------
    EmbeddingResult
        ``d = 1``, ``converged`` True (the minimum over a finite set, up to float64 rounding
        of the loss values), ``iterations`` the number of patterns evaluated,
        ``grad_norm`` 0 (no tangent space).

    >>> minimise_s0(11, t=1.0, b=1.0).N
    11
    """
    N = check_enumerable(N)
    fn, cfg, _ = _configs(loss, params, 0)
    if len(cfg) != 1:
        raise InvalidParameterError("minimise_s0 takes scalar parameters (one configuration)")
    start = time.perf_counter()
    counts = _counts(N)
    best, best_counts = math.inf, counts[0]
    for lo in range(0, len(counts), _CHUNK):
        chunk = counts[lo:lo + _CHUNK]
        x = _patterns(chunk, N)
        values = fn(x[:, :N], x[:, N:], **cfg[0])
        k = int(torch.argmin(values))
        if float(values[k]) < best:
            best, best_counts = float(values[k]), chunk[k]
    x = _patterns([best_counts], N)[0]
    U, V = x[:N].contiguous(), x[N:].contiguous()
    return EmbeddingResult(
        loss_name=loss, params=cfg[0], N=N, d=1, loss=best, U=U.numpy(), V=V.numpy(),
        **similarity_statistics(U, V), grad_norm=0.0, iterations=len(counts), converged=True,
        seconds=time.perf_counter() - start, seed=0,
    )
