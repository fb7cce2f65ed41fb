"""The sigmoid and symmetric InfoNCE losses: the one definition (SymPy backend) against sums
written by hand, the double-constant reduction against explicit vectors, and the torch backend
against the SymPy one."""

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from clverify.numerics.descent.torch_losses import TORCH_LOSSES
from clverify.theory import CCEM, SYMPY_OPS, ExplicitSimilarity, Grams, infonce_sym_loss, sigmoid_loss

torch_sigmoid, torch_infonce_sym = TORCH_LOSSES["sigmoid"], TORCH_LOSSES["infonce-sym"]


def _grams(S):
    E = ExplicitSimilarity(S)
    return Grams(uv=E, uu=E, vv=E)


def _random_similarity(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, n))


def _exact(S):
    """The float64 entries as 40-digit SymPy Floats (exact binary values)."""
    return sp.Matrix(S.shape[0], S.shape[1], lambda i, j: sp.Float(S[i, j], 40))


@pytest.mark.parametrize("seed", [0, 1])
def test_sigmoid_loss_matches_a_hand_written_sum(seed):
    S = _random_similarity(4, seed)
    with mpmath.workdps(40):
        t, b = mpmath.mpf(2.5), mpmath.mpf(-0.75)
        S = mpmath.matrix(S.tolist())
        expected = sum(
            mpmath.log1p(mpmath.exp(b - t * S[i, j])) if i == j else mpmath.log1p(mpmath.exp(t * S[i, j] - b))
            for i in range(4) for j in range(4)
        ) / 4
        got = sigmoid_loss(_grams(_exact(_random_similarity(4, seed))), SYMPY_OPS, t=sp.Rational(5, 2), b=sp.Rational(-3, 4)).evalf(40)
        assert abs(mpmath.mpf(str(got)) - expected) < mpmath.mpf(10) ** -35


@pytest.mark.parametrize("seed", [0, 1])
def test_infonce_sym_matches_a_hand_written_sum(seed):
    S = _random_similarity(5, seed)
    with mpmath.workdps(40):
        tau = mpmath.mpf(0.25)
        S = mpmath.matrix(S.tolist())
        rows = sum(-S[i, i] / tau + mpmath.log(sum(mpmath.exp(S[i, j] / tau) for j in range(5)))
                   for i in range(5))
        cols = sum(-S[i, i] / tau + mpmath.log(sum(mpmath.exp(S[j, i] / tau) for j in range(5)))
                   for i in range(5))
        expected = (rows + cols) / 5
        got = infonce_sym_loss(_grams(_exact(_random_similarity(5, seed))), SYMPY_OPS, tau=sp.Rational(1, 4)).evalf(40)
        assert abs(mpmath.mpf(str(got)) - expected) < mpmath.mpf(10) ** -35


@pytest.mark.parametrize("loss, params", [(sigmoid_loss, {"t": 3, "b": 1}),
                                          (infonce_sym_loss, {"tau": sp.Rational(1, 2)})])
def test_double_constant_reduction_equals_explicit_vectors(loss, params):
    ccem = CCEM(5, sp.Rational(2, 5), d=6)
    U, V = ccem.vectors()
    reduced = loss(ccem.grams(), SYMPY_OPS, **params)
    explicit = loss(Grams.of_vectors(U, V), SYMPY_OPS, **params)
    assert abs(sp.N(reduced - explicit, 50)) < 1e-45


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_torch_losses_match_sympy(seed):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((6, 4))
    V = rng.standard_normal((6, 4))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    S = sp.Matrix(U @ V.T)
    Ut, Vt = torch.from_numpy(U), torch.from_numpy(V)
    sym = float(sigmoid_loss(_grams(S), SYMPY_OPS, t=7.0, b=2.0).evalf(30))
    assert float(torch_sigmoid(Ut, Vt, t=7.0, b=2.0)) == pytest.approx(sym, rel=1e-13)
    sym = float(infonce_sym_loss(_grams(S), SYMPY_OPS, tau=0.2).evalf(30))
    assert float(torch_infonce_sym(Ut, Vt, tau=0.2)) == pytest.approx(sym, rel=1e-13)


def test_torch_sigmoid_is_stable_at_large_t():
    U = torch.eye(3, dtype=torch.float64)
    value = torch_sigmoid(U, -U, t=1e4, b=0.0)  # every positive logit is -1e4: loss ~ 3e4 / 3 * ...
    # positives: softplus(0 + 1e4) = 1e4 each; negatives: softplus(-0) = log 2 each (u_i.v_j = 0)
    expected = (3 * 1e4 + 6 * np.log(2)) / 3
    assert torch.isfinite(value) and float(value) == pytest.approx(expected, rel=1e-14)


def test_torch_losses_batch_over_parameters():
    rng = np.random.default_rng(3)
    U = torch.from_numpy(rng.standard_normal((2, 4, 3)))
    V = torch.from_numpy(rng.standard_normal((2, 4, 3)))
    t = torch.tensor([1.0, 4.0], dtype=torch.float64)
    batched = torch_sigmoid(U, V, t=t, b=0.5, normalise=True)
    single = torch.stack([torch_sigmoid(U[k], V[k], t=float(t[k]), b=0.5, normalise=True)
                          for k in range(2)])
    assert torch.allclose(batched, single, rtol=0, atol=1e-14)
