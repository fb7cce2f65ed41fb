"""The row-block similarity against dense computations of the same sums (values and gradients),
and its fused value-and-gradient against the mpmath backend (value and gradient of the same
definition at 40 digits, the gradient by mpmath's own differentiation)."""

import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import mpmath
import numpy as np
import pytest
import torch

from clverify.numerics.descent import fused
from clverify.numerics.descent.blocked import (
    BlockedSimilarity,
    BlockedSquaredDistances,
    block_rows,
    blocked_grams,
    elementwise_derivative,
    similarity_statistics,
)
from clverify.numerics.descent.sphere import Sphere
from clverify.numerics.descent.torch_losses import TORCH_LOSSES, torch_loss
from clverify.numerics.precision.ops import MPMATH_OPS
from clverify.theory.loss_files import load_loss
from clverify.theory.losses import LOSSES
from clverify.theory.similarity import ExplicitSimilarity, Grams
from clverify.theory.structures import SimplexETF

RTOL = 1e-12


def _unit(*shape, seed=0):
    return Sphere().random(*shape, generator=torch.Generator().manual_seed(seed))


def _softplus(z):
    """Exact softplus, log(1 + e^z) = logaddexp(z, 0)."""
    return torch.logaddexp(z, torch.zeros_like(z))


def _sigmoid_dense(U, V, t, b):
    """The sigmoid loss from the full N x N matrix (the dense route)."""
    S = U @ V.transpose(-1, -2)
    N = S.shape[-1]
    eye = torch.eye(N, dtype=torch.bool)
    t, b = torch.as_tensor(t)[..., None, None], torch.as_tensor(b)[..., None, None]
    terms = torch.where(eye, _softplus(b - t * S), _softplus(t * S - b))
    return terms.sum(dim=(-1, -2)) / N


def _sigmoid_on(S, t, b):
    """The sigmoid loss written on the Similarity interface (as the losses are)."""
    t, b = torch.as_tensor(t)[..., None, None], torch.as_tensor(b)[..., None, None]
    value = (S.sum_diagonal(lambda s: _softplus(b - t * s))
             + S.sum_off_diagonal(lambda s: _softplus(t * s - b))) / S.N
    return value[..., 0, 0]


@pytest.mark.parametrize("block", [1, 3, 7, 50])
def test_off_diagonal_sum_matches_entry_by_entry(block):
    U, V = _unit(2, 7, 3).unbind(0)
    f = lambda s: torch.exp(2 * s) - s**3
    expected = ExplicitSimilarity(U @ V.T).sum_off_diagonal(f)      # a Python loop over entries
    got = BlockedSimilarity(U, V, block=block).sum_off_diagonal(f)
    assert got.shape == (1, 1) and torch.isclose(got[0, 0], expected, rtol=RTOL, atol=0)
    rows = ExplicitSimilarity(U @ V.T).sum_rows(lambda d, off: d * off(torch.exp))
    got_rows = BlockedSimilarity(U, V, block=block).sum_rows(lambda d, off: d * off(torch.exp))
    assert torch.isclose(got_rows[0, 0], rows, rtol=RTOL, atol=0)


@pytest.mark.parametrize("block", [2, 5, 11])
def test_sigmoid_value_and_gradient_match_dense(block):
    X = _unit(3, 2, 11, 4, seed=1).requires_grad_(True)        # a batch of 3 problems
    t = torch.tensor([1.0, 10.0, 40.0], dtype=torch.float64)     # logits beyond 20 included
    b = torch.tensor([0.5, 10.0, -3.0], dtype=torch.float64)
    U, V = X.unbind(1)
    dense = _sigmoid_dense(U, V, t, b)
    (g_dense,) = torch.autograd.grad(dense.sum(), X)
    blocked = _sigmoid_on(BlockedSimilarity(U, V, block=block), t, b)
    (g_blocked,) = torch.autograd.grad(blocked.sum(), X)
    torch.testing.assert_close(blocked, dense, rtol=RTOL, atol=0)
    torch.testing.assert_close(g_blocked, g_dense, rtol=RTOL, atol=1e-14)
    with torch.no_grad():      # the value-only path gives the same value
        torch.testing.assert_close(_sigmoid_on(BlockedSimilarity(U, V, block=block), t, b), dense,
                                   rtol=RTOL, atol=0)


def test_gradient_chains_through_later_operations():
    """backward scales the block gradients by the upstream gradient (here d log L)."""
    X = _unit(2, 9, 3, seed=2).requires_grad_(True)
    U, V = X.unbind(0)
    (g_dense,) = torch.autograd.grad(torch.log(_sigmoid_dense(U, V, 3.0, 1.0)) * 7, X)
    (g_blocked,) = torch.autograd.grad(torch.log(_sigmoid_on(BlockedSimilarity(U, V, block=4), 3.0, 1.0)) * 7, X)
    torch.testing.assert_close(g_blocked, g_dense, rtol=RTOL, atol=1e-14)


@pytest.mark.parametrize("tau", [0.3, 1e-3])
def test_infonce_rows_match_logsumexp(tau):
    """Rows through off.logsumexp: no overflow at tau = 1e-3 (e^{1/tau} = e^1000)."""
    X = _unit(2, 2, 9, 5, seed=3).requires_grad_(True)
    U, V = X.unbind(1)
    row = lambda d, off: torch.logaddexp(d / tau, off.logsumexp(lambda s: s / tau)) - d / tau
    blocked = BlockedSimilarity(U, V, block=4).sum_rows(row)[..., 0, 0] / 9
    S = U @ V.transpose(-1, -2) / tau          # dense: log-sum-exp of whole rows
    dense = (torch.logsumexp(S, dim=-1) - torch.diagonal(S, dim1=-2, dim2=-1)).mean(dim=-1)
    assert torch.isfinite(blocked).all()
    torch.testing.assert_close(blocked, dense, rtol=RTOL, atol=0)
    (g1,) = torch.autograd.grad(blocked.sum(), X)
    (g2,) = torch.autograd.grad(dense.sum(), X)
    torch.testing.assert_close(g1, g2, rtol=RTOL, atol=1e-13 / tau)


#: Parameters beyond the defaults: large logits (t = 40, tau = 1e-3) included.
LOSS_PARAMS = {"sigmoid": [{"t": 3.0, "b": 1.0}, {"t": 40.0, "b": -5.0}], "kcl-riesz": [{"t": -1.0}]}


@pytest.mark.parametrize("name", sorted(TORCH_LOSSES))
def test_every_loss_blocked_equals_dense(name):
    """The loss's one definition over blocked_grams and over the dense torch_grams: same value
    and gradient to 1e-12 relative, with a batch, a row mask (padding) and u_i = v_i pairs."""
    loss = TORCH_LOSSES[name]
    X = _unit(3, 2, 10, 4, seed=9)
    X[0, 1, :3] = X[0, 0, :3]                                  # u_i = v_i for three pairs
    X[2, :, 8:] = 0                                            # problem 2: 8 real rows
    mask = torch.ones(3, 10, dtype=torch.bool)
    mask[2, 8:] = False
    X.requires_grad_(True)
    points = LOSS_PARAMS.get(name, [{}]) + ([{"tau": 1e-3}] if "tau" in loss.parameters else [])
    for params in points:
        U, V = X.unbind(1)
        dense = loss.value(U, V, mask=mask, **params)
        blocked = loss.value(U, V, mask=mask, grams=lambda *a: blocked_grams(*a, block=3), **params)
        assert torch.isfinite(dense).all()
        torch.testing.assert_close(blocked, dense, rtol=RTOL, atol=0, msg=lambda m: f"{params}: {m}")
        (g_dense,) = torch.autograd.grad(dense.sum(), X)
        (g_blocked,) = torch.autograd.grad(loss.value(*X.unbind(1), mask=mask, **params,
                                                      grams=lambda *a: blocked_grams(*a, block=3)).sum(), X)
        scale = float(g_dense.nan_to_num(0.0).abs().max())
        # (kcl-riesz: -|u - v| has no gradient at u = v; both routes give NaN there alike)
        torch.testing.assert_close(g_blocked, g_dense, rtol=RTOL, atol=RTOL * scale, equal_nan=True,
                                   msg=lambda m: f"{params}: {m}")


def test_mask_gives_the_unpadded_sums():
    U, V = _unit(2, 5, 3, seed=5).unbind(0)
    P, Q = torch.zeros(7, 3, dtype=torch.float64), torch.zeros(7, 3, dtype=torch.float64)
    P[:5], Q[:5] = U, V
    real = torch.arange(7) < 5
    f = lambda s: torch.exp(s)
    padded = BlockedSimilarity(P, Q, real, block=3)
    plain = BlockedSimilarity(U, V)
    assert padded.N.shape == (1, 1) and float(padded.N) == 5
    assert torch.isclose(padded.sum_off_diagonal(f), plain.sum_off_diagonal(f), rtol=RTOL)
    assert torch.isclose(padded.sum_diagonal(f), plain.sum_diagonal(f), rtol=RTOL)
    row = lambda d, off: d + off(f) + off.logsumexp(f)
    assert torch.isclose(padded.sum_rows(row), plain.sum_rows(row), rtol=RTOL)


def test_squared_distances_come_from_the_vectors():
    X = _unit(9, 3, seed=8).requires_grad_(True)
    D = BlockedSimilarity(X, X, block=4).squared_distances()
    assert isinstance(D, BlockedSquaredDistances) and D.self_pairs
    dense = torch.cdist(X, X, compute_mode="donot_use_mm_for_euclid_dist").square()
    off = ~torch.eye(9, dtype=torch.bool)
    kernel = lambda r: r ** -0.5            # singular at r = 0: the self-pairs
    value = D.sum_off_diagonal(kernel)[0, 0]
    torch.testing.assert_close(value, kernel(dense[off]).sum(), rtol=RTOL, atol=0)
    assert float(D.sum_diagonal(lambda r: r).detach()) == 0.0   # |x - x|^2 exactly
    (grad,) = torch.autograd.grad(value + D.sum_rows(lambda d, rows: rows(kernel)).sum(), X)
    assert torch.isfinite(grad).all()
    (dense_grad,) = torch.autograd.grad(2 * kernel(dense[off]).sum(), X)
    torch.testing.assert_close(grad, dense_grad, rtol=RTOL, atol=1e-13)


def test_transpose_swaps_the_views():
    U, V = _unit(2, 6, 3, seed=6).unbind(0)
    f = lambda d, off: d * off(lambda s: s**2)
    assert torch.isclose(BlockedSimilarity(U, V, block=4).T.sum_rows(f)[0, 0],
                         ExplicitSimilarity((U @ V.T).T).sum_rows(f), rtol=RTOL)


def test_statistics_match_numpy():
    U, V = _unit(2, 40, 3, seed=7).unbind(0)
    st = similarity_statistics(U, V, block=7)
    G = (U @ V.T).numpy()
    off = G[~np.eye(40, dtype=bool)]
    expected = {"s_pos_min": np.diag(G).min(), "s_pos_mean": np.diag(G).mean(),
                "s_pos_std": np.diag(G).std(), "s_neg_max": off.max(), "s_neg_mean": off.mean(),
                "s_neg_std": off.std(), "margin": (np.diag(G).min() - off.max()) / 2}
    assert st == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_statistics_of_an_equiangular_configuration_have_no_spread():
    """The spread is taken about the mean (second pass), not as E s^2 - (E s)^2."""
    from clverify.theory.structures import SimplexETF

    W, _ = SimplexETF(30).array()
    st = similarity_statistics(torch.as_tensor(W), torch.as_tensor(W), block=4)
    assert st["s_neg_std"] < 1e-15 and st["s_neg_mean"] == pytest.approx(-1 / 29, rel=1e-14)


def test_default_block_respects_the_byte_budget():
    assert block_rows(3, 1000, budget=8 * 3 * 1000 * 17) == 17
    assert block_rows(1, 10**6, budget=1) == 1
    assert BlockedSimilarity(*_unit(2, 4, 2).unbind(0)).block == 4


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="one shape"):
        BlockedSimilarity(torch.zeros(3, 2), torch.zeros(4, 2))
    with pytest.raises(NotImplementedError):
        BlockedSimilarity(torch.zeros(3, 2), torch.zeros(3, 2)).rows()


PEAK_SCRIPT = textwrap.dedent("""
    import resource, sys, torch
    from clverify.numerics.descent.blocked import BlockedSimilarity
    N, d, dense = 3000, 8, sys.argv[1] == "dense"
    g = torch.Generator().manual_seed(0)
    X = torch.nn.functional.normalize(torch.randn(2, N, d, dtype=torch.float64, generator=g), dim=-1)
    X.requires_grad_(True)
    U, V = X.unbind(0)
    f = lambda s: torch.logaddexp(3 * s - 1, torch.zeros_like(s))
    def value():
        if dense:
            S = U @ V.T
            return torch.where(torch.eye(N, dtype=torch.bool), 0.0, f(S)).sum()
        S = BlockedSimilarity(U, V, block=16)
        return (S.sum_off_diagonal(f) + S.sum_diagonal(f) + S.sum_rows(lambda d, off: off(f))).sum()
    X2 = X.detach()[:, :50].clone().requires_grad_(True)   # warm-up: allocator, autograd
    torch.autograd.grad(BlockedSimilarity(X2[0], X2[1], block=16).sum_off_diagonal(f).sum(), X2)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    torch.autograd.grad(value(), X)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)   # KiB
""")


def test_peak_memory_stays_far_below_one_dense_matrix():
    """Value and gradient at N = 3000 add far less than one N x N float64 matrix (72 MB) to the
    peak resident memory; the dense route adds several of them (so the measurement can tell)."""
    def peak(kind):
        out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, kind], capture_output=True, text=True,
                             check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        return int(out.stdout.split()[-1]) * 1024
    matrix = 3000**2 * 8
    assert peak("blocked") < matrix / 4
    assert peak("dense") > 2 * matrix


def test_every_tensor_follows_the_inputs_device():
    """On torch's ``meta`` device (shapes only) any tensor made on a fixed device (e.g. the
    CPU) would raise a device mismatch: this is the CPU-side check of the CUDA path."""
    X = torch.empty(2, 3, 7, 4, dtype=torch.float64, device="meta").requires_grad_(True)
    U, V = X.unbind(0)
    t = torch.ones(3, 1, 1, dtype=torch.float64, device="meta")
    S = BlockedSimilarity(U, V, torch.ones(3, 7, dtype=torch.bool, device="meta"), block=3)
    D = BlockedSimilarity(U, U, block=3).squared_distances()
    value = (S.sum_off_diagonal(lambda s: _softplus(t * s)) + S.sum_diagonal(lambda s: t * s)
             + S.sum_rows(lambda d, off: d * off(torch.exp) + off.logsumexp(torch.exp))
             + S.sum_rows_with(S.T, lambda d, off, d2, off2: off(torch.exp) * off2(torch.exp))
             + D.sum_off_diagonal(torch.sqrt) / S.N)
    (grad,) = torch.autograd.grad(value.sum(), X)
    assert value.device.type == grad.device.type == "meta" and grad.shape == X.shape


def test_the_optimiser_switches_to_blocks_above_the_threshold_and_finds_the_same_optimum(monkeypatch):
    from clverify.numerics.descent import optimise

    used = []
    real = optimise.blocked_grams
    monkeypatch.setattr(optimise, "blocked_grams", lambda *a, **k: used.append(a[0].shape) or real(*a, **k))
    dense = optimise.optimise_embedding(6, 6, t=2.0, b=1.0, restarts=2)
    assert not used
    monkeypatch.setattr(optimise, "BLOCKED_ABOVE", 2 * 6 * 6 - 1)       # 2 problems of 6 x 6
    blocked = optimise.optimise_embedding(6, 6, t=2.0, b=1.0, restarts=2)
    assert used and blocked.converged and dense.converged
    assert blocked.loss == pytest.approx(dense.loss, rel=1e-12)
    np.testing.assert_allclose(blocked.gram, dense.gram, atol=1e-7)


#: The user's loss of docs/extending.md (a margin on the positive pairs), loaded as a user would.
MARGIN = load_loss(Path(__file__).resolve().parents[2] / "docs" / "examples" / "margin_sigmoid.py",
                   "margin_sigmoid")
#: (loss, parameters, configuration): moderate and extreme t and tau, every kind of reduction
#: (pair sums, rows, rows of two matrices, within-view rows, squared distances), a user's loss.
#: "etf": U = V = the simplex ETF of 4 points in d = 3, where at t = 100 the loss is 1e-14 and
#: its terms e^-100 and e^-33: f'(neutral) = sigma(-0) would swamp them were the diagonal
#: subtracted instead of written.
MPMATH_CASES = [
    ("sigmoid", {"t": 2.0, "b": 1.0}, "random"),
    ("sigmoid", {"t": 500.0, "b": 100.0}, "random"),
    ("sigmoid", {"t": 1e-3, "b": 0.0}, "random"),
    ("sigmoid", {"t": 100.0, "b": 0.0}, "etf"),
    ("infonce", {"tau": 0.5}, "random"),
    ("infonce", {"tau": 1e-3}, "random"),
    ("infonce-sym", {"tau": 10.0}, "random"),
    ("ntxent", {"tau": 0.3}, "random"),
    ("dhel", {"tau": 1e-3}, "random"),
    ("kcl", {"gamma": 16.0, "t": 2.0}, "random"),
    (MARGIN, {"t": 20.0, "b": 5.0, "m": 1.0}, "random"),
]


def _configuration(kind):
    if kind == "etf":
        W, _ = SimplexETF(4).array()
        W = np.hstack([W, np.zeros((4, 3 - W.shape[1]))]) if W.shape[1] < 3 else W
        return W, W.copy()
    rng = np.random.default_rng(11)
    U = rng.standard_normal((5, 3))
    V = U + 0.5 * rng.standard_normal((5, 3))
    return U / np.linalg.norm(U, axis=1, keepdims=True), V / np.linalg.norm(V, axis=1, keepdims=True)


def _mpmath_value_and_gradient(loss, U, V, params, digits=40):
    """The definition with MPMATH_OPS on the exact binary values of U, V, and its gradient in
    every coordinate by mpmath.diff (finite differences at raised precision)."""
    N, d = U.shape

    def value(*x):
        P = mpmath.matrix([[x[i * d + k] for k in range(d)] for i in range(N)])
        Q = mpmath.matrix([[x[N * d + i * d + k] for k in range(d)] for i in range(N)])
        return loss(Grams.of_vectors(P, Q, MPMATH_OPS), MPMATH_OPS, **{k: mpmath.mpf(v) for k, v in params.items()})

    with mpmath.workdps(digits):
        x = [mpmath.mpf(float(v)) for v in np.concatenate([U.ravel(), V.ravel()])]
        unit = lambda k: tuple(int(j == k) for j in range(len(x)))
        return value(*x), [mpmath.diff(value, x, unit(k)) for k in range(len(x))]


@pytest.mark.parametrize("name, params, kind", MPMATH_CASES,
                         ids=lambda v: v if isinstance(v, str) else getattr(v, "name", None))
def test_fused_value_and_gradient_equal_mpmath(name, params, kind):
    """1e-12 relative: the value, and the gradient in the max norm (entries that cancel to
    nothing in exact arithmetic cannot be relatively accurate in any float64 route)."""
    loss = LOSSES.get(name) if isinstance(name, str) else name
    U, V = _configuration(kind)
    exact, exact_grad = _mpmath_value_and_gradient(loss, U, V, params)
    X = torch.from_numpy(np.stack([U, V])).requires_grad_(True)
    value = torch_loss(loss).value(*X.unbind(0), grams=lambda *a: blocked_grams(*a, block=2), **params)
    (grad,) = torch.autograd.grad(value, X)
    expected = torch.tensor([float(g) for g in exact_grad], dtype=torch.float64).reshape(X.shape)
    value = float(value.detach())
    assert abs(value - float(exact)) <= RTOL * abs(float(exact)), (value, exact)
    scale = float(expected.abs().max())
    assert scale > 0 and float((grad - expected).abs().max()) <= RTOL * scale


def test_the_etf_case_is_extreme():
    """t = 100 at the ETF: a loss of about 1e-14 whose off-diagonal derivatives (~1e-15) are far
    below sigma(t * 0 - 0) = 1/2, the derivative at the neutral entry."""
    U, V = _configuration("etf")
    value = float(TORCH_LOSSES["sigmoid"].value(torch.from_numpy(U), torch.from_numpy(V), t=100.0, b=0.0))
    assert 1e-16 < value < 1e-12


@pytest.mark.parametrize("z", [-800.0, -40.0, -1.0, 0.0, 1.0, 30.0, 40.0, 800.0])
def test_elementwise_derivative_of_the_exact_softplus_is_the_sigmoid(z):
    from clverify.numerics.descent.ops import TORCH_OPS

    S = torch.tensor([[z]], dtype=torch.float64)
    F, dF = elementwise_derivative(lambda s: TORCH_OPS.softplus(3 * s - 2), S)
    with mpmath.workdps(40):
        w = 3 * mpmath.mpf(z) - 2
        assert float(F) == pytest.approx(float(mpmath.log1p(mpmath.exp(w))), rel=1e-15, abs=0)
        assert float(dF) == pytest.approx(float(3 / (1 + mpmath.exp(-w))), rel=1e-15, abs=0)


def test_a_within_view_function_singular_on_the_diagonal_never_sees_it():
    """-log(1 - s) is infinite at s_ii = 1 (uu): the fused sums write the neutral entry there,
    so value and gradient are finite and equal the dense route's."""
    X = _unit(7, 3, seed=12).requires_grad_(True)
    f = lambda s: -torch.log1p(-s)
    dense = torch.where(~torch.eye(7, dtype=torch.bool), f(torch.where(torch.eye(7, dtype=torch.bool), 0.0, X @ X.T)), 0.0).sum()
    blocked = BlockedSimilarity(X, X, block=3).sum_off_diagonal(f)[0, 0]
    rows = BlockedSimilarity(X, X, block=3).sum_rows(lambda d, off: off.logsumexp(f))[0, 0]
    (g_dense,) = torch.autograd.grad(dense, X)
    (g_blocked,) = torch.autograd.grad(blocked, X)
    torch.testing.assert_close(blocked, dense, rtol=RTOL, atol=0)
    torch.testing.assert_close(g_blocked, g_dense, rtol=RTOL, atol=RTOL * float(g_dense.abs().max()))
    assert torch.isfinite(rows) and torch.isfinite(torch.autograd.grad(rows, X)[0]).all()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_keeps_the_freed_pieces():
    assert fused.keep_freed_pieces() is True and fused.keep_freed_pieces.cache_info().currsize == 1
