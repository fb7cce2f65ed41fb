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

import sympy as sp

__all__ = [
    "Similarity",
    "ExplicitSimilarity",
    "DoubleConstantSimilarity",
    "RowRegularSimilarity",
    "Grams",
]

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

    def rows(self) -> list:
        r"""The rows as ``(multiplicity, diagonal, off)`` triples, ``off(g)`` :math:`= \sum_{j\ne i} g(S_{ij})`.

        A matrix whose rows all look alike (same diagonal entry, same multiset of
        off-diagonal entries) returns one triple of multiplicity ``N``, so ``N`` may be
        symbolic; otherwise one triple per row.

        >>> import sympy as sp
        >>> [(m, d, off(sp.Function("g"))) for m, d, off in DoubleConstantSimilarity(3, 1, 0).rows()]
        [(3, 1, 2*g(0))]
        """
        raise NotImplementedError(f"{type(self).__name__} offers no row view")

    def sum_rows_with(self, other: "Similarity", f: Callable) -> object:
        r""":math:`\sum_i f(S_{ii}, \mathrm{off}^S_i, T_{ii}, \mathrm{off}^T_i)`: rows of two matrices jointly.

        Row ``i`` of ``self`` and row ``i`` of ``other`` (e.g. the cross-view row and the
        within-view row of one anchor) are reduced together; ``off`` is as in :meth:`rows`.
        Two matrices whose rows all look alike give ``N f(...)`` (symbolic ``N`` allowed);
        otherwise the rows are expanded, which needs a concrete ``N``.

        >>> import sympy as sp
        >>> E, F = ExplicitSimilarity(sp.Matrix([[1, 2], [3, 4]])), DoubleConstantSimilarity(2, 0, 10)
        >>> E.sum_rows_with(F, lambda d, off, d2, off2: d + off(lambda s: s) + off2(lambda s: s))
        30
        """
        mine, theirs = self.rows(), other.rows()
        if len(mine) == 1 and len(theirs) == 1 and mine[0][0] == theirs[0][0]:
            (m, d, off), (_, d2, off2) = mine[0], theirs[0]
            return m * f(d, off, d2, off2)
        mine, theirs = _expand_rows(mine), _expand_rows(theirs)
        if len(mine) != len(theirs):
            raise ValueError(f"row counts differ: {len(mine)} and {len(theirs)}")
        return sum((f(d, off, d2, off2) for (d, off), (d2, off2) in zip(mine, theirs)), 0)


def _expand_rows(rows) -> list:
    """``(multiplicity, diagonal, off)`` triples expanded to one ``(diagonal, off)`` per row."""
    out = []
    for m, d, off in rows:
        if not isinstance(m, int) and not getattr(m, "is_Integer", False):
            raise ValueError(f"rows of a matrix with symbolic size {m} cannot be paired one by one")
        out.extend([(d, off)] * int(m))
    return out


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

    def rows(self):
        def triple(i):
            def off(g):
                return sum((g(self._entry(i, j)) for j in range(self.N) if j != i), 0)

            return 1, self._entry(i, i), off

        return [triple(i) for i in range(self.N)]


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

    def rows(self):
        return [(self.N, self.diagonal, lambda g: (self.N - 1) * g(self.off_diagonal))]


class RowRegularSimilarity(Similarity):
    r"""A symmetric matrix whose rows all look alike: diagonal ``diagonal``, and in every row
    the off-diagonal value ``s`` occurs ``count`` times for each ``(s, count)`` of ``off_counts``.

    The counts must add up to ``N - 1``.  Example: the cross-polytope :math:`\{\pm e_k\}`
    (``N = 2d``): every row has one :math:`-1` (the antipode) and ``N - 2`` zeros.  ``N``
    and the counts may be symbolic.  The matrix is taken to be symmetric (``T`` is itself).

    >>> import sympy as sp
    >>> N = sp.Symbol("N")
    >>> S = RowRegularSimilarity(N, 1, ((-1, 1), (0, N - 2)))
    >>> S.sum_off_diagonal(lambda s: (1 - s) ** 2)
    N*(N + 2)
    >>> S.sum_rows(lambda d, off: off(sp.exp))
    N*(N - 2 + exp(-1))
    """

    def __init__(self, N, diagonal, off_counts):
        self.N = N
        self.diagonal = diagonal
        self.off_counts = tuple((value, count) for value, count in off_counts)
        total = sum((count for _, count in self.off_counts), 0)
        if _known_nonzero(total - (N - 1)):
            raise ValueError(f"off-diagonal counts add up to {total}, expected N - 1 = {N - 1}")

    def _off(self, g):
        return sum((count * g(value) for value, count in self.off_counts), 0)

    def sum_diagonal(self, f):
        return self.N * f(self.diagonal)

    def sum_off_diagonal(self, f):
        return self.N * self._off(f)

    def sum_rows(self, f):
        return self.N * f(self.diagonal, self._off)

    def rows(self):
        return [(self.N, self.diagonal, self._off)]

    @property
    def T(self):
        return self


def _known_nonzero(value) -> bool:
    """Whether ``value`` is known to be nonzero (False when it is zero or undecidable)."""
    return sp.simplify(sp.sympify(value)).is_zero is False


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

    def rank(self):
        r"""The rank of the :math:`2N \times 2N` Gram matrix of :math:`(U; V)`: the smallest
        dimension that holds the embedding (double-constant blocks, ``N`` may be symbolic).

        Each block is :math:`s_+ I + s_-(J - I)`, with eigenvalue :math:`s_+ + (N-1)s_-` on
        :math:`\mathbf 1` and :math:`s_+ - s_-` on :math:`\mathbf 1^\perp` (multiplicity
        :math:`N-1`), so the Gram is similar to :math:`\operatorname{diag}(M_1, M_\perp \otimes
        I_{N-1})` with :math:`2 \times 2` blocks :math:`M_1, M_\perp`, and its rank is
        :math:`\operatorname{rank} M_1 + (N-1)\operatorname{rank} M_\perp`.  Entries that
        depend on free symbols (``delta``) give the *generic* rank, the largest over their values.

        >>> from clverify.theory.structures import CCEM, SimplexETF
        >>> N, delta = sp.symbols("N delta", positive=True)
        >>> CCEM(N, delta).grams().rank(), SimplexETF(N).grams().rank()
        (N, N - 1)
        """
        blocks = (self.uu, self.uv, self.vv)
        if not all(isinstance(s, DoubleConstantSimilarity) for s in blocks):
            raise TypeError("rank() needs double-constant similarity matrices")

        def generic_rank(eigen):
            a, c, d = (sp.simplify(eigen(s)) for s in blocks)
            if sp.simplify(a * d - c**2) != 0:
                return 2
            return 0 if a == c == d == 0 else 1

        one = generic_rank(lambda s: s.diagonal + (self.N - 1) * s.off_diagonal)
        perp = generic_rank(lambda s: s.diagonal - s.off_diagonal)
        return sp.expand(one + (self.N - 1) * perp)
