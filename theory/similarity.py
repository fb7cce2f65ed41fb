r"""Similarity matrices as the losses see them.

A loss of this package is written once, in terms of sums over the entries of
similarity matrices.  Two kinds of matrix implement those sums:

* :class:`ExplicitSimilarity`: a concrete ``N x N`` matrix (SymPy, mpmath or
  any 2-D indexable); the sums run over its entries.
* :class:`DoubleConstantSimilarity`: every diagonal entry equals ``diagonal``
  and every off-diagonal entry equals ``off_diagonal``; ``N`` may be a SymPy
  symbol, and the sums collapse to :math:`N f(s_+)` and :math:`N(N-1) f(s_-)`.

The second kind is how the CCEM restriction of a loss is *derived*: the
structure hands the loss a double-constant matrix, and SymPy does the rest.

>>> import sympy as sp
>>> N, s, r = sp.symbols("N s r")
>>> S = DoubleConstantSimilarity(N, s, r)
>>> S.sum_off_diagonal(sp.exp)
N*(N - 1)*exp(r)
>>> E = ExplicitSimilarity(sp.Matrix([[1, 2], [3, 4]]))
>>> E.sum_rows(lambda d, off: d + off(lambda x: 10 * x))
55
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Similarity", "ExplicitSimilarity", "DoubleConstantSimilarity", "Grams"]

Row = Callable[[object, Callable[[Callable], object]], object]


class Similarity(ABC):
    """An ``N x N`` similarity matrix seen through the sums that losses need."""

    N: object

    @abstractmethod
    def sum_diagonal(self, f: Callable) -> object:
        r""":math:`\sum_i f(S_{ii})`."""

    @abstractmethod
    def sum_off_diagonal(self, f: Callable) -> object:
        r""":math:`\sum_{i \ne j} f(S_{ij})`."""

    @abstractmethod
    def sum_rows(self, f: Row) -> object:
        r""":math:`\sum_i f(S_{ii}, g \mapsto \sum_{j \ne i} g(S_{ij}))`: a row-wise reduction."""

    @property
    @abstractmethod
    def T(self) -> "Similarity":
        """The transpose (the other view as anchor)."""


class ExplicitSimilarity(Similarity):
    """A concrete matrix; ``matrix[i, j]`` is the similarity of ``u_i`` and ``v_j``."""

    def __init__(self, matrix):
        rows, cols = (matrix.rows, matrix.cols) if hasattr(matrix, "rows") else matrix.shape
        if rows != cols:
            raise ValueError(f"a similarity matrix must be square, got {rows} x {cols}")
        self.matrix = matrix
        self.N = rows

    def _entry(self, i, j):
        return self.matrix[i, j]

    def sum_diagonal(self, f):
        return sum((f(self._entry(i, i)) for i in range(self.N)), 0)

    def sum_off_diagonal(self, f):
        return sum(
            (f(self._entry(i, j)) for i in range(self.N) for j in range(self.N) if i != j), 0
        )

    def sum_rows(self, f):
        def row(i):
            def off(g):
                return sum((g(self._entry(i, j)) for j in range(self.N) if j != i), 0)

            return f(self._entry(i, i), off)

        return sum((row(i) for i in range(self.N)), 0)

    @property
    def T(self):
        return ExplicitSimilarity(self.matrix.T)


class DoubleConstantSimilarity(Similarity):
    r"""Diagonal entries ``diagonal`` (:math:`s_+`), off-diagonal ``off_diagonal`` (:math:`s_-`)."""

    def __init__(self, N, diagonal, off_diagonal):
        self.N = N
        self.diagonal = diagonal
        self.off_diagonal = off_diagonal

    def sum_diagonal(self, f):
        return self.N * f(self.diagonal)

    def sum_off_diagonal(self, f):
        return self.N * (self.N - 1) * f(self.off_diagonal)

    def sum_rows(self, f):
        return self.N * f(self.diagonal, lambda g: (self.N - 1) * g(self.off_diagonal))

    @property
    def T(self):
        return self


@dataclass(frozen=True)
class Grams:
    """The three similarity matrices of a paired embedding (U, V).

    ``uv[i, j] = u_i . v_j`` (cross-view), ``uu`` and ``vv`` within each view.
    """

    uv: Similarity
    uu: Similarity
    vv: Similarity

    @property
    def N(self):
        return self.uv.N
