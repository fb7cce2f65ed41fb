r"""Similarity matrices as the losses see them: the interface every backend implements.

A loss of this package is written once, in terms of sums over the entries of similarity
matrices (:class:`Similarity`) and the elementary functions of an
:class:`~clverify.theory.ops.Ops`.  The SymPy implementations live here:

* :class:`ExplicitSimilarity`: a concrete ``N x N`` matrix (SymPy, mpmath or any 2-D
  indexable); the sums run over its entries.  :meth:`ExplicitSimilarity.of_vectors` keeps
  the vectors too, so that squared distances are computed from them directly.
* :class:`DoubleConstantSimilarity`: every diagonal entry equals ``diagonal`` and every
  off-diagonal entry equals ``off_diagonal``; ``N`` may be a SymPy symbol, and the sums
  collapse to :math:`N f(s_+)` and :math:`N(N-1) f(s_-)`.
* :class:`RowRegularSimilarity`: rows that all look alike (the cross-polytope).

The double-constant kind is how the CCEM restriction of a loss is *derived*: the structure
hands the loss a double-constant matrix, and SymPy does the rest.  The torch implementation
(float64, batched, masked) is :class:`clverify.numerics.descent.similarity.TorchSimilarity`.

>>> import sympy as sp
>>> N, s, r = sp.symbols("N s r")
>>> S = DoubleConstantSimilarity(N, s, r)
>>> S.sum_off_diagonal(sp.exp)
N*(N - 1)*exp(r)
>>> S.sum_rows(lambda d, off: off.logsumexp(lambda x: x - d))
N*log((N - 1)*exp(r - s))
>>> E = ExplicitSimilarity(sp.Matrix([[1, 2], [3, 4]]))
>>> E.sum_rows(lambda d, off: d + off(lambda x: 10 * x))
55
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .ops import SYMPY_OPS, Ops

__all__ = [
    "Similarity",
    "OffDiagonal",
    "ExplicitSimilarity",
    "DoubleConstantSimilarity",
    "RowRegularSimilarity",
    "Grams",
]


class OffDiagonal:
    r"""The off-diagonal entries of one row :math:`i` (of every row at once in a batched backend).

    ``off(g)`` is :math:`\sum_{j \ne i} g(S_{ij})`; ``off.logsumexp(g)`` is
    :math:`\log \sum_{j \ne i} e^{g(S_{ij})}`, computed without overflow by backends that can
    overflow (here, for exact or arbitrary-exponent numbers, as the log of the sum).

    >>> import sympy as sp
    >>> off = DoubleConstantSimilarity(4, 1, sp.Symbol("r")).rows()[0][2]
    >>> off(sp.exp), off.logsumexp(lambda s: 2 * s)
    (3*exp(r), log(3*exp(2*r)))
    """

    def __init__(self, total: Callable[[Callable], object], ops: Ops = SYMPY_OPS):
        self._total = total
        self._ops = ops

    def __call__(self, g: Callable) -> object:
        return self._total(g)

    def logsumexp(self, g: Callable) -> object:
        ops = self._ops
        return ops.log(self._total(lambda s: ops.exp(g(s))))


Row = Callable[[object, OffDiagonal], object]


class Similarity(ABC):
    r"""An ``N x N`` similarity matrix seen through the sums that losses need.

    ``N`` is the number of rows (an int, a SymPy symbol, or in a batched backend the number
    of real rows per problem); ``ops`` the elementary functions of the entries' number type.
    A loss touches a matrix only through :meth:`sum_diagonal`, :meth:`sum_off_diagonal`,
    :meth:`sum_rows`, :meth:`sum_rows_with`, :attr:`T` and :meth:`squared_distances`, so any
    class implementing them (exact, batched, blocked in rows) can be substituted.
    """

    N: object
    ops: Ops = SYMPY_OPS

    @abstractmethod
    def sum_diagonal(self, f: Callable) -> object:
        r""":math:`\sum_i f(S_{ii})`."""

    @abstractmethod
    def sum_off_diagonal(self, f: Callable) -> object:
        r""":math:`\sum_{i \ne j} f(S_{ij})`."""

    @abstractmethod
    def sum_rows(self, f: Row) -> object:
        r""":math:`\sum_i f(S_{ii}, \mathrm{off}_i)`: a row-wise reduction, ``off_i`` an :class:`OffDiagonal`."""

    @property
    @abstractmethod
    def T(self) -> "Similarity":
        """The transpose (the other view as anchor)."""

    def squared_distances(self) -> "Similarity":
        r"""The matrix of squared distances :math:`|x_i - y_j|^2` of the same vectors.

        Here :math:`2 - 2 S_{ij}`, exact for unit vectors and symbolic entries; classes that
        hold the vectors (:meth:`ExplicitSimilarity.of_vectors`, the torch backend) compute
        the distances from the vectors directly, so that :math:`|u - u|^2` is exactly 0.

        >>> DoubleConstantSimilarity(3, 1, 0).squared_distances().sum_off_diagonal(lambda r: r)
        12
        """
        return _MappedSimilarity(self, lambda s: 2 - 2 * s)

    def rows(self) -> list:
        r"""The rows as ``(multiplicity, diagonal, off)`` triples, ``off`` an :class:`OffDiagonal`.

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


class _MappedSimilarity(Similarity):
    """The entries ``h(S_ij)`` of another similarity ``S`` (e.g. :math:`h(s) = 2 - 2s`)."""

    def __init__(self, S: Similarity, h: Callable):
        self.S, self.h = S, h
        self.N, self.ops = S.N, S.ops

    def sum_diagonal(self, f):
        return self.S.sum_diagonal(lambda s: f(self.h(s)))

    def sum_off_diagonal(self, f):
        return self.S.sum_off_diagonal(lambda s: f(self.h(s)))

    def sum_rows(self, f):
        return self.S.sum_rows(lambda d, off: f(self.h(d), self._mapped(off)))

    def _mapped(self, off):
        return OffDiagonal(lambda g: off(lambda s: g(self.h(s))), self.ops)

    @property
    def T(self):
        return _MappedSimilarity(self.S.T, self.h)

    def rows(self):
        return [(m, self.h(d), self._mapped(off)) for m, d, off in self.S.rows()]


class ExplicitSimilarity(Similarity):
    """A concrete matrix; ``matrix[i, j]`` is the similarity of ``x_i`` and ``y_j``.

    ``ops`` are the elementary functions of the entries (SymPy by default; pass
    ``MPMATH_OPS`` for an ``mpmath.matrix``).  ``squared`` optionally holds the matrix of
    squared distances (see :meth:`of_vectors`).
    """

    def __init__(self, matrix, ops: Ops = SYMPY_OPS, squared=None):
        rows, cols = (matrix.rows, matrix.cols) if hasattr(matrix, "rows") else matrix.shape
        if rows != cols:
            raise ValueError(f"a similarity matrix must be square, got {rows} x {cols}")
        self.matrix = matrix
        self.N = rows
        self.ops = ops
        self._squared = squared

    @classmethod
    def of_vectors(cls, X, Y, ops: Ops = SYMPY_OPS) -> "ExplicitSimilarity":
        r"""The similarity :math:`x_i\cdot y_j` of the rows of ``X`` and ``Y`` (SymPy or mpmath
        matrices), with squared distances :math:`\sum_k (x_{ik} - y_{jk})^2` from the vectors.

        >>> import sympy as sp
        >>> X = sp.Matrix([[1, 0], [0, 1]])
        >>> S = ExplicitSimilarity.of_vectors(X, X)
        >>> S.squared_distances().matrix
        Matrix([
        [0, 2],
        [2, 0]])
        """
        products = X * Y.T
        squared = products.copy()
        for i in range(X.rows):
            for j in range(Y.rows):
                squared[i, j] = sum(((X[i, k] - Y[j, k]) ** 2 for k in range(X.cols)), 0)
        return cls(products, ops, cls(squared, ops))

    def _entry(self, i, j):
        return self.matrix[i, j]

    def _off(self, i) -> OffDiagonal:
        return OffDiagonal(lambda g: sum((g(self._entry(i, j)) for j in range(self.N) if j != i), 0),
                           self.ops)

    def sum_diagonal(self, f):
        return sum((f(self._entry(i, i)) for i in range(self.N)), 0)

    def sum_off_diagonal(self, f):
        return sum(
            (f(self._entry(i, j)) for i in range(self.N) for j in range(self.N) if i != j), 0
        )

    def sum_rows(self, f):
        return sum((f(self._entry(i, i), self._off(i)) for i in range(self.N)), 0)

    @property
    def T(self):
        squared = None if self._squared is None else self._squared.T
        return ExplicitSimilarity(self.matrix.T, self.ops, squared)

    def squared_distances(self):
        return super().squared_distances() if self._squared is None else self._squared

    def rows(self):
        return [(1, self._entry(i, i), self._off(i)) for i in range(self.N)]


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

    def _off(self) -> OffDiagonal:
        return OffDiagonal(lambda g: (self.N - 1) * g(self.off_diagonal), self.ops)

    def sum_rows(self, f):
        return self.N * f(self.diagonal, self._off())

    @property
    def T(self):
        return self

    def rows(self):
        return [(self.N, self.diagonal, self._off())]


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

    def _sum(self, g):
        return sum((count * g(value) for value, count in self.off_counts), 0)

    def sum_diagonal(self, f):
        return self.N * f(self.diagonal)

    def sum_off_diagonal(self, f):
        return self.N * self._sum(f)

    def sum_rows(self, f):
        return self.N * f(self.diagonal, OffDiagonal(self._sum, self.ops))

    def rows(self):
        return [(self.N, self.diagonal, OffDiagonal(self._sum, self.ops))]

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

    >>> import sympy as sp
    >>> G = Grams.of_vectors(sp.eye(2), -sp.eye(2))
    >>> G.uv.matrix, G.swapped().uu is G.vv
    (Matrix([
    [-1,  0],
    [ 0, -1]]), True)
    """

    uv: Similarity
    uu: Similarity
    vv: Similarity

    @property
    def N(self):
        return self.uv.N

    def swapped(self) -> "Grams":
        """The same embedding with the views exchanged, ``(V, U)``: ``uv.T``, ``vv``, ``uu``."""
        return Grams(uv=self.uv.T, uu=self.vv, vv=self.uu)

    @classmethod
    def of_vectors(cls, U, V, ops: Ops = SYMPY_OPS) -> "Grams":
        """The Grams of explicit vectors (rows of SymPy or mpmath matrices ``U``, ``V``);
        squared distances come from the vectors (:meth:`ExplicitSimilarity.of_vectors`)."""
        return cls(uv=ExplicitSimilarity.of_vectors(U, V, ops),
                   uu=ExplicitSimilarity.of_vectors(U, U, ops),
                   vv=ExplicitSimilarity.of_vectors(V, V, ops))

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
