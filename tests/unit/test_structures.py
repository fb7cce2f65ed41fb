"""Contract tests: every structure, exact vectors against its derived similarity matrices."""

import math

import numpy as np
import pytest
import sympy as sp

from clverify.theory import CCEM, Antipodal, InvalidParameterError, SimplexETF

STRUCTURES = [
    SimplexETF(3),
    SimplexETF(5, d=7),
    Antipodal(4, d=3),
    CCEM(3, sp.Rational(1, 2)),
    CCEM(5, sp.Rational(1, 3), d=6),
    CCEM(6, 0),
    CCEM(6, 1),
]


@pytest.fixture(params=STRUCTURES, ids=lambda s: f"{type(s).__name__}-N{s.N}-d{s.d}")
def structure(request):
    return request.param


def _entries(S, n):
    M = sp.zeros(n, n)
    for i in range(n):
        for j in range(n):
            M[i, j] = S.diagonal if i == j else S.off_diagonal
    return M


def test_vectors_are_unit_and_in_dimension_d(structure):
    U, V = structure.vectors()
    assert U.shape == V.shape == (structure.N, structure.d)
    for W in (U, V):
        assert all(sp.simplify(W[i, :].dot(W[i, :]) - 1) == 0 for i in range(structure.N))


def test_exact_vectors_have_the_derived_grams(structure):
    U, V = structure.vectors()
    G = structure.grams()
    for M, S in ((U * V.T, G.uv), (U * U.T, G.uu), (V * V.T, G.vv)):
        assert (M - _entries(S, structure.N)).applyfunc(sp.simplify) == sp.zeros(structure.N)


def test_check_accepts_its_own_array_and_rejects_a_perturbation(structure):
    U, V = structure.array()
    assert structure.check(U, V) == (True, "")
    rng = np.random.default_rng(0)
    W = U + 1e-3 * rng.standard_normal(U.shape)
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    ok, reason = structure.check(W, V)
    assert not ok and "Gram differs" in reason
    with pytest.raises(AssertionError, match="Gram differs"):
        structure.assert_(W, V)


def test_ccem_endpoints_are_etf_and_antipodal():
    etf, anti = SimplexETF(5).grams(), Antipodal(5).grams()
    one, zero = CCEM(5, 1).grams(), CCEM(5, 0).grams()
    assert (one.uv.diagonal, one.uv.off_diagonal) == (etf.uv.diagonal, etf.uv.off_diagonal)
    assert (zero.uv.diagonal, zero.uv.off_diagonal) == (anti.uv.diagonal, anti.uv.off_diagonal)


def test_ccem_similarities_match_the_closed_forms_of_the_spec():
    # THEORY.md section 2, typed here as the independent route
    n, d = sp.symbols("N delta")
    G = CCEM(n, d).grams().uv
    assert sp.simplify(G.diagonal - (2 * d**2 - 1)) == 0
    assert sp.simplify(G.off_diagonal - (d**2 * (n - 2) / (n - 1) - 1)) == 0


def test_etf_vectors_sum_to_zero():
    U, _ = SimplexETF(6).vectors()
    assert (U.T * sp.ones(6, 1)).applyfunc(sp.simplify) == sp.zeros(5, 1)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: CCEM(2, 0.5), "N must be an integer >= 3, got 2"),
        (lambda: CCEM(4.5, 0.5), "N must be an integer >= 3, got 4.5"),
        (lambda: CCEM(5, 0.5, d=4), "d must be an integer >= 5 (the CCEM needs d >= N), got 4"),
        (lambda: CCEM(5, 1.5), "delta must be in [0, 1], got 1.5"),
        (lambda: CCEM(5, math.nan), "delta must be a finite real number, got nan"),
        (lambda: SimplexETF(6, d=4), "d must be an integer >= 5 (the simplex ETF needs d >= N - 1), got 4"),
        (lambda: SimplexETF(1), "N must be an integer >= 2, got 1"),
    ],
)
def test_bad_input_is_a_one_line_value_error(build, message):
    with pytest.raises(InvalidParameterError) as info:
        build()
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)
