"""Hypothesis properties: Theorem 1's lower bound, GD reaching the theory, Lemma 1, CCEM loss.

Strategies: N in 3..12, d in N..N+4 (d < N included for Lemma 1), t in [0.05, 8],
b in [-3, 5].  The theory value l(x*) is computed here by an independent route (the CCEM
loss typed in by hand, minimised by a bracketing root finder on l'), never by the code
under test.  Example counts follow the profile (tests/conftest.py); the expensive GD
property runs a quarter of them (all of them under ``thorough`` is 125).
"""

import math

import mpmath
import numpy as np
import pytest
import torch
from ccem_reference import ccem_min, l_and_dl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from clverify.numerics.descent.compare import gram_distance, sigmoid_ccem_optimum
from clverify.numerics.descent.optimise import optimise_embedding
from clverify.numerics.descent.torch_losses import TORCH_LOSSES
from clverify.theory.structures import CCEM

sigmoid_loss = TORCH_LOSSES["sigmoid"]

Ns = st.integers(3, 12)
ts = st.floats(0.05, 8.0, allow_nan=False)
bs = st.floats(-3.0, 5.0, allow_nan=False)
seeds = st.integers(0, 2**31 - 1)
#: Gram check skipped within this distance (in b) of a regime boundary, where the optimum
#: is degenerate and GD converges sublinearly.
BOUNDARY_BAND = 0.05
_GD_EXAMPLES = max(5, settings().max_examples // 4)




def near_boundary(N, t, b):
    """Whether b is within BOUNDARY_BAND of b_E(N, t) or b_A(N, t) = log((N-2)/2) - t."""
    def dl_at(x):
        return lambda bb: l_and_dl(N, t, bb)[1](x)

    bA = math.log((N - 2) / 2) - t if N > 2 else -math.inf
    lo, hi = -50.0, 50.0
    bE = brentq(dl_at(1.0), lo, hi) if dl_at(1.0)(lo) * dl_at(1.0)(hi) < 0 else math.inf
    return min(abs(b - bA), abs(b - bE)) < BOUNDARY_BAND


def random_units(N, d, seed):
    rng = np.random.default_rng(seed)
    U, V = rng.normal(size=(2, N, d))
    return U / np.linalg.norm(U, axis=1, keepdims=True), V / np.linalg.norm(V, axis=1, keepdims=True)


@given(N=Ns, extra=st.integers(0, 4), t=ts, b=bs, seed=seeds)
def test_sigmoid_loss_of_any_unit_configuration_is_at_least_the_ccem_optimum(N, extra, t, b, seed):
    U, V = random_units(N, N + extra, seed)
    value = float(sigmoid_loss(torch.from_numpy(U), torch.from_numpy(V), t=t, b=b))
    _, lstar = ccem_min(N, t, b)
    assert value >= lstar - 1e-12 * max(1.0, abs(lstar))


@pytest.mark.empirical
@settings(max_examples=_GD_EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(N=Ns, extra=st.integers(0, 4), t=ts, b=bs, seed=st.integers(0, 1000))
def test_gradient_descent_reaches_the_ccem_optimum(N, extra, t, b, seed):
    d = N + extra
    x, lstar = ccem_min(N, t, b)
    r = optimise_embedding(N, d, t=t, b=b, seed=seed, restarts=3, max_iter=5000)
    gap = r.loss - lstar
    assert -1e-10 <= gap <= 1e-8, (gap, r.grad_norm, r.converged)
    if not near_boundary(N, t, b):
        assert r.converged
        grams = {
            "uv": np.where(np.eye(N, dtype=bool), 2 * x - 1, x * (N - 2) / (N - 1) - 1),
            "uu": np.where(np.eye(N, dtype=bool), 1.0, 1 - x * N / (N - 1)),
        }
        grams["vv"] = grams["uu"]
        assert gram_distance(r.U, r.V, grams) <= 1e-5


@given(N=Ns, t=ts, b=bs)
def test_library_ccem_optimum_agrees_with_the_independent_route(N, t, b):
    x, lstar = ccem_min(N, t, b)
    th = sigmoid_ccem_optimum(N, N, t=t, b=b)
    assert th.loss == pytest.approx(lstar, abs=1e-12 * max(1.0, abs(lstar)))
    assert th.delta**2 == pytest.approx(x, abs=1e-6)


def _lemma1_sides(U, V):
    N = U.shape[0]
    G = U @ V.T
    lhs = (G.sum() - np.trace(G)) / (N * (N - 1))
    rhs = (N - 2) / (2 * N * (N - 1)) * np.trace(G) - N / (2 * (N - 1))
    return lhs, rhs


@given(N=Ns, d=st.integers(1, 16), seed=seeds)
def test_lemma1_holds_for_random_unit_vectors_in_any_dimension(N, d, seed):
    lhs, rhs = _lemma1_sides(*random_units(N, d, seed))
    assert lhs >= rhs - 1e-12


@given(N=Ns, delta=st.floats(0.0, 1.0), extra=st.integers(0, 2))
def test_lemma1_is_an_equality_on_the_ccem(N, delta, extra):
    U, V = CCEM(N, delta, N + extra).array()
    lhs, rhs = _lemma1_sides(U, V)
    assert lhs == pytest.approx(rhs, abs=1e-12)


@given(N=st.integers(3, 8), delta=st.floats(0.0, 1.0), t=ts, b=bs)
def test_torch_loss_on_ccem_vectors_equals_mpmath_l_of_x(N, delta, t, b):
    U, V = CCEM(N, delta).array()
    value = float(sigmoid_loss(torch.from_numpy(U), torch.from_numpy(V), t=t, b=b))
    with mpmath.workdps(40):
        x = mpmath.mpf(delta) ** 2
        t_, b_ = mpmath.mpf(t), mpmath.mpf(b)

        def softplus(z):
            return mpmath.log1p(mpmath.exp(z))

        expected = softplus(b_ - t_ * (2 * x - 1)) + (N - 1) * softplus(t_ * (x * (N - 2) / (N - 1) - 1) - b_)
    assert value == pytest.approx(float(expected), abs=1e-12 * max(1.0, abs(float(expected))))
