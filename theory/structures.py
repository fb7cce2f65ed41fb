r"""Embedding structures: simplex ETF, antipodal, and the CCEM family.

Each structure offers its similarity matrices (symbolic, double-constant, so
that a loss restricted to it can be derived for a symbolic ``N``), an exact
embedding (SymPy vectors, rows of ``U`` and ``V``) for concrete ``N``, and a
``check``/``assert_`` pair that tests whether a numeric embedding has the
structure's Gram matrices.

>>> import sympy as sp
>>> delta = sp.Symbol("delta", nonnegative=True)
>>> G = CCEM(sp.Symbol("N"), delta).grams()
>>> sp.factor(G.uv.diagonal), sp.factor(G.uv.off_diagonal)
(2*delta**2 - 1, (N*delta**2 - N - 2*delta**2 + 1)/(N - 1))
>>> U, V = SimplexETF(3).vectors()
>>> (U * U.T).applyfunc(sp.nsimplify)
Matrix([
[   1, -1/2, -1/2],
[-1/2,    1, -1/2],
[-1/2, -1/2,    1]])
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .errors import InvalidParameterError
from .params import check_batch_size, check_dimension, check_unit_interval
from .similarity import DoubleConstantSimilarity, Grams

__all__ = ["Structure", "SimplexETF", "Antipodal", "CCEM", "GRAM_TOLERANCE"]

#: Default absolute tolerance of ``check`` on float64 Gram matrices.
GRAM_TOLERANCE = 1e-9


def _size(name, value, minimum):
    """A concrete integer >= minimum, or a SymPy symbol (for derivations)."""
    if isinstance(value, sp.Symbol):
        return value
    return check_batch_size(name, value, minimum)


def _helmert_etf(N: int) -> sp.Matrix:
    r"""Rows :math:`w_i \in \mathbb R^{N-1}`, :math:`w_i\cdot w_j = -1/(N-1)`, exact.

    The rows of the Helmert sub-matrix are an orthonormal basis of
    :math:`\{x : \sum x = 0\}`; scaling its columns by :math:`\sqrt{N/(N-1)}` gives the ETF.
    """
    H = sp.zeros(N - 1, N)
    for k in range(1, N):
        for i in range(k):
            H[k - 1, i] = 1 / sp.sqrt(k * (k + 1))
        H[k - 1, k] = -k / sp.sqrt(k * (k + 1))
    return sp.sqrt(sp.Rational(N, N - 1)) * H.T


class Structure:
    """A paired embedding (U, V) of ``N`` unit vectors per view in dimension ``d``."""

    #: Smallest batch size the structure is defined for.
    min_N = 2

    def __init__(self, N, d=None):
        self.N = _size("N", N, self.min_N)
        self.d = self.min_dimension if d is None else d
        if not isinstance(self.N, sp.Symbol):
            self.d = check_dimension("d", self.d, self.min_dimension, self.dimension_reason)

    @property
    def min_dimension(self):
        return self.N

    dimension_reason = ""

    def grams(self) -> Grams:
        """Symbolic similarity matrices ``uv``, ``uu``, ``vv`` (double-constant)."""
        raise NotImplementedError

    def vectors(self) -> tuple[sp.Matrix, sp.Matrix]:
        """Exact ``(U, V)``, one unit vector per row, in dimension ``d``."""
        raise NotImplementedError

    def array(self) -> tuple[np.ndarray, np.ndarray]:
        """``(U, V)`` as float64 arrays."""
        U, V = self.vectors()
        return np.array(U.evalf(20), dtype=float), np.array(V.evalf(20), dtype=float)

    def _require_concrete(self):
        if isinstance(self.N, sp.Symbol):
            raise InvalidParameterError(f"N must be a concrete integer to build vectors, got {self.N}")

    def check(self, U, V, tol: float = GRAM_TOLERANCE) -> tuple[bool, str]:
        """Whether float arrays ``U``, ``V`` have this structure's Gram matrices (up to ``tol``)."""
        self._require_concrete()
        U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
        if U.shape[0] != self.N or V.shape != U.shape:
            return False, f"expected two arrays with {self.N} rows of equal shape, got {U.shape}, {V.shape}"
        G = self.grams()
        for name, M, S in (("uv", U @ V.T, G.uv), ("uu", U @ U.T, G.uu), ("vv", V @ V.T, G.vv)):
            expected = np.full(M.shape, float(S.off_diagonal))
            np.fill_diagonal(expected, float(S.diagonal))
            err = float(np.max(np.abs(M - expected)))
            if err > tol:
                return False, f"{name} Gram differs from {type(self).__name__} by {err:.3g} > {tol:g}"
        return True, ""

    def assert_(self, U, V, tol: float = GRAM_TOLERANCE) -> None:
        """Raise ``AssertionError`` with the reason when :meth:`check` fails."""
        ok, reason = self.check(U, V, tol)
        assert ok, reason

    def __repr__(self):
        return f"{type(self).__name__}(N={self.N}, d={self.d})"


class SimplexETF(Structure):
    r"""Simplex equiangular tight frame: :math:`u_i = v_i = w_i`, :math:`w_i\cdot w_j = -1/(N-1)`.

    Needs dimension :math:`d \ge N - 1`.
    """

    dimension_reason = "the simplex ETF needs d >= N - 1"

    @property
    def min_dimension(self):
        return self.N - 1

    def grams(self):
        w = DoubleConstantSimilarity(self.N, sp.Integer(1), -sp.Integer(1) / (self.N - 1))
        return Grams(uv=w, uu=w, vv=w)

    def vectors(self):
        self._require_concrete()
        W = _helmert_etf(self.N).row_join(sp.zeros(self.N, self.d - (self.N - 1)))
        return W, W


class Antipodal(Structure):
    r"""Antipodal structure: :math:`u_i = w`, :math:`v_i = -w`, so every :math:`u_i\cdot v_j = -1`."""

    dimension_reason = "the antipodal structure needs d >= 1"

    @property
    def min_dimension(self):
        return 1

    def grams(self):
        one = sp.Integer(1)
        return Grams(
            uv=DoubleConstantSimilarity(self.N, -one, -one),
            uu=DoubleConstantSimilarity(self.N, one, one),
            vv=DoubleConstantSimilarity(self.N, one, one),
        )

    def vectors(self):
        self._require_concrete()
        w = sp.Matrix([[1] + [0] * (self.d - 1)])
        U = sp.Matrix.vstack(*([w] * self.N))
        return U, -U


class CCEM(Structure):
    r"""Double-Constant Embedding Model, :math:`\delta \in [0, 1]`, :math:`N \ge 3`, :math:`d \ge N`.

    .. math::
        u_i = (\delta w_i, \sqrt{1-\delta^2}), \qquad v_i = (\delta w_i, -\sqrt{1-\delta^2})

    with :math:`\{w_i\}` a simplex ETF in :math:`\mathbb R^{d-1}`.  :math:`\delta = 1` is the
    ETF, :math:`\delta = 0` the antipodal structure.
    """

    min_N = 3
    dimension_reason = "the CCEM needs d >= N"

    def __init__(self, N, delta, d=None):
        super().__init__(N, d)
        if not isinstance(delta, sp.Basic) or delta.is_number:
            delta = check_unit_interval("delta", delta)
        self.delta = sp.sympify(delta)

    def grams(self):
        r"""Derived from the blocks: :math:`u_i\cdot v_j = \delta^2 w_i\cdot w_j - (1-\delta^2)`."""
        w = SimplexETF(self.N, None if isinstance(self.N, sp.Symbol) else self.d - 1).grams().uu
        a, c = self.delta, sp.sqrt(1 - self.delta**2)

        def block(sign):
            return DoubleConstantSimilarity(
                self.N, a**2 * w.diagonal + sign * c**2, a**2 * w.off_diagonal + sign * c**2
            )

        return Grams(uv=block(-1), uu=block(+1), vv=block(+1))

    def vectors(self):
        self._require_concrete()
        W, _ = SimplexETF(self.N, self.d - 1).vectors()
        c = sp.sqrt(1 - self.delta**2) * sp.ones(self.N, 1)
        return (self.delta * W).row_join(c), (self.delta * W).row_join(-c)

    def __repr__(self):
        return f"CCEM(N={self.N}, delta={self.delta}, d={self.d})"


from .similarity import RowRegularSimilarity  # noqa: E402

__all__ += ["CrossPolytope"]


class CrossPolytope(Structure):
    r"""Cross-polytope (orthoplex): the ``N = 2k`` points :math:`\pm e_1, \dots, \pm e_k`, :math:`u = v`.

    Every row of each Gram matrix has 1 on the diagonal, one :math:`-1` (the antipode) and
    ``N - 2`` zeros, so the matrices are not double-constant: they are
    :class:`~clverify.theory.similarity.RowRegularSimilarity`.  Needs ``N`` even and :math:`d \ge N/2`;
    ``N`` may be a SymPy symbol (then ``d = N/2``).

    >>> import sympy as sp
    >>> G = CrossPolytope(sp.Symbol("N")).grams()
    >>> G.uu.sum_off_diagonal(lambda s: 2 - 2 * s)
    2*N**2
    >>> U, V = CrossPolytope(4).vectors()
    >>> U
    Matrix([
    [ 1,  0],
    [-1,  0],
    [ 0,  1],
    [ 0, -1]])
    >>> CrossPolytope(4).check(*CrossPolytope(4).array())
    (True, '')
    """

    dimension_reason = "the cross-polytope needs d >= N/2"

    def __init__(self, N, d=None):
        if not isinstance(N, sp.Symbol):
            N = check_batch_size("N", N, 2)
            if N % 2:
                raise InvalidParameterError(f"N must be an even integer >= 2 (N = 2d), got {N}")
        super().__init__(N, d)

    @property
    def min_dimension(self):
        return self.N / 2 if isinstance(self.N, sp.Symbol) else self.N // 2

    def grams(self):
        one = sp.Integer(1)
        w = RowRegularSimilarity(self.N, one, ((-one, 1), (sp.Integer(0), self.N - 2)))
        return Grams(uv=w, uu=w, vv=w)

    def vectors(self):
        self._require_concrete()
        U = sp.zeros(self.N, self.d)
        for k in range(self.N // 2):
            U[2 * k, k], U[2 * k + 1, k] = 1, -1
        return U, U

    def check(self, U, V, tol: float = GRAM_TOLERANCE) -> tuple[bool, str]:
        """Whether ``U``, ``V`` are a cross-polytope up to rotation **and permutation** (within ``tol``).

        Row by row: the diagonal is 1 and the sorted off-diagonal entries are
        ``(-1, 0, ..., 0)``; for unit vectors this forces ``k`` orthogonal antipodal pairs.
        """
        self._require_concrete()
        U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
        if U.shape[0] != self.N or V.shape != U.shape:
            return False, f"expected two arrays with {self.N} rows of equal shape, got {U.shape}, {V.shape}"
        expected = np.zeros(self.N - 1)
        expected[0] = -1.0
        off = ~np.eye(self.N, dtype=bool)
        for name, M in (("uv", U @ V.T), ("uu", U @ U.T), ("vv", V @ V.T)):
            err = float(np.max(np.abs(np.diag(M) - 1.0)))
            rows = np.sort(M[off].reshape(self.N, self.N - 1), axis=1)
            err = max(err, float(np.max(np.abs(rows - expected))))
            if err > tol:
                return False, f"{name} Gram differs from CrossPolytope by {err:.3g} > {tol:g}"
        return True, ""
