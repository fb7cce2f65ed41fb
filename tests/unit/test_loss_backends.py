"""One definition, several backends: the torch value of every loss against the mpmath value of
the same definition on the same vectors, and the torch backend's own contract (batching, the
row mask, exclusions, unit rows, the exact softplus).

The reference runs the definition with ``MPMATH_OPS`` at 50 digits on the exact binary values
of the float64 vectors (``Grams.of_vectors``: dot products and squared distances from the
vectors), so any difference is the torch backend's rounding; 1e-12 relative is the bar.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch

from clverify.numerics.descent.ops import SOFTPLUS_EXACT_ABOVE, TORCH_OPS
from clverify.numerics.descent.similarity import torch_grams
from clverify.numerics.descent.torch_losses import TORCH_LOSSES, UNIT_NORM_TOL, evaluate_view
from clverify.numerics.precision.ops import MPMATH_OPS
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import LOSSES, hyperspherical_energy
from clverify.theory.similarity import ExplicitSimilarity, Grams

RTOL = 1e-12
DIGITS = 50

#: Per loss: a moderate point and an extreme one (logits far beyond 20: t = 500, tau = 1e-3).
PARAMS = {
    "sigmoid": [{"t": 2.0, "b": 1.0}, {"t": 500.0, "b": 100.0}],
    **{name: [{"tau": 0.5}, {"tau": 1e-3}]
       for name in ("infonce", "infonce-sym", "ntxent", "dcl", "dhel", "dhel-1view")},
    **{name: [{"gamma": 16.0, "t": 2.0}, {"gamma": 3.0, "t": 40.0}]
       for name in ("kcl", "kcl-log", "kcl-imq")},
    "kcl-riesz": [{"gamma": 16.0, "t": -1.0}, {"gamma": 3.0, "t": -3.0}],
}
#: (N, d, seed, u = v): random unit rows, V near U or V = U exactly.
CONFIGS = [(2, 3, 0, False), (5, 4, 1, False), (6, 3, 2, True), (7, 2, 3, True)]


def test_every_loss_is_covered():
    assert set(PARAMS) == set(LOSSES)


def _unit_rows(N, d, seed, equal):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((N, d))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    if equal:
        return U, U.copy()
    V = U + 0.4 * rng.standard_normal((N, d))
    return U, V / np.linalg.norm(V, axis=1, keepdims=True)


def _mpmath_value(name, U, V, params):
    with mpmath.workdps(DIGITS):
        grams = Grams.of_vectors(mpmath.matrix(U.tolist()), mpmath.matrix(V.tolist()), MPMATH_OPS)
        return LOSSES[name](grams, MPMATH_OPS, **{k: mpmath.mpf(v) for k, v in params.items()})


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"N{c[0]}d{c[1]}s{c[2]}{'-equal' if c[3] else ''}")
@pytest.mark.parametrize("which", [0, 1], ids=["moderate", "extreme"])
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_torch_equals_mpmath_on_the_same_vectors(name, which, config):
    U, V = _unit_rows(*config)
    params = PARAMS[name][which]
    exact = _mpmath_value(name, U, V, params)
    value = float(TORCH_LOSSES[name](torch.from_numpy(U), torch.from_numpy(V), **params))
    with mpmath.workdps(DIGITS):
        assert exact != 0 and abs(mpmath.mpf(value) - exact) <= RTOL * abs(exact), (value, exact)


def test_the_extreme_points_reach_logits_beyond_20():
    U, V = _unit_rows(*CONFIGS[1])
    S = U @ V.T
    assert 500 * np.abs(S).max() - 100 > 20 and np.abs(S).max() / 1e-3 > 20


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_leading_batch_and_per_problem_parameters(name):
    pairs = [_unit_rows(4, 3, seed, seed == 2) for seed in range(6)]
    U = torch.tensor(np.stack([p[0] for p in pairs])).reshape(2, 3, 4, 3)
    V = torch.tensor(np.stack([p[1] for p in pairs])).reshape(2, 3, 4, 3)
    base = PARAMS[name][0]
    per = {k: torch.tensor([[v * (1 + 0.1 * (i + 3 * j)) for i in range(3)] for j in range(2)],
                           dtype=torch.float64) for k, v in base.items()}
    batched = TORCH_LOSSES[name](U, V, **per)
    assert batched.shape == (2, 3) and batched.dtype == torch.float64
    for j in range(2):
        for i in range(3):
            single = TORCH_LOSSES[name](U[j, i], V[j, i], **{k: float(v[j, i]) for k, v in per.items()})
            assert float(batched[j, i]) == pytest.approx(float(single), rel=1e-14)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_masked_rows_enter_no_term(name):
    """A problem of 4 rows padded to 6 (zero rows) has the loss of the 4 rows, finite gradients
    everywhere and exactly zero gradient on the padding."""
    U, V = _unit_rows(4, 3, 5, name in ("kcl", "kcl-log", "kcl-imq"))   # smooth at u = v
    params = PARAMS[name][0]
    fn = TORCH_LOSSES[name]
    expected = float(fn(torch.from_numpy(U), torch.from_numpy(V), **params))
    P = torch.zeros(2, 6, 3, dtype=torch.float64)
    P[0, :4], P[1, :4] = torch.from_numpy(U), torch.from_numpy(V)
    P.requires_grad_(True)
    mask = torch.tensor([True] * 4 + [False] * 2)
    value = fn(P[0], P[1], mask=mask, **params)
    assert float(value.detach()) == pytest.approx(expected, rel=1e-13)
    (grad,) = torch.autograd.grad(value, P)
    assert bool(torch.isfinite(grad).all()) and bool((grad[:, 4:] == 0).all())


def test_self_pairs_never_reach_a_singular_kernel():
    """The log energy -log|x - y| is infinite at x = y: the diagonal of a within-view matrix
    must be excluded from the value and from the gradient."""
    U = torch.from_numpy(_unit_rows(5, 3, 7, False)[0]).requires_grad_(True)
    value = evaluate_view(hyperspherical_energy, U, kernel="log")
    (grad,) = torch.autograd.grad(value, U)
    with mpmath.workdps(DIGITS):
        X = mpmath.matrix(U.detach().tolist())
        exact = hyperspherical_energy(ExplicitSimilarity.of_vectors(X, X, MPMATH_OPS), MPMATH_OPS,
                                      kernel="log")
        assert abs(float(value.detach()) - exact) <= RTOL * abs(exact)
    assert bool(torch.isfinite(grad).all())


def test_squared_distances_are_exactly_zero_at_equal_vectors():
    """kcl-riesz with t = -1 has K = -|u - v|: at u = v it is exactly 0 only if the distance is
    computed from the vectors (2 - 2 u.v leaves sqrt(rounding) ~ 1e-8 there)."""
    U, _ = _unit_rows(6, 3, 9, True)
    G = torch_grams(torch.from_numpy(U), torch.from_numpy(U))
    assert float(G.uv.squared_distances().sum_diagonal(lambda r2: r2)) == 0.0
    assert float(G.uv.sum_diagonal(lambda s: (2 - 2 * s).abs().sqrt())) > 0   # what 2 - 2s gives


def test_unit_rows_are_checked_or_normalised():
    U = torch.eye(3, dtype=torch.float64)
    fn = TORCH_LOSSES["infonce"]
    with pytest.raises(InvalidParameterError, match="unit rows"):
        fn(U * (1 + 10 * UNIT_NORM_TOL), U)
    assert float(fn(U * (1 + UNIT_NORM_TOL / 10), U)) == pytest.approx(float(fn(U, U)), rel=1e-11)
    assert float(fn(3 * U, U, normalise=True)) == float(fn(U, U))


def test_softplus_is_exact_on_both_sides_of_its_cut_off():
    z = [-700.0, -40.0, -1.0, 0.0, 20.0, 25.0, 33.0, SOFTPLUS_EXACT_ABOVE - 1e-9,
         SOFTPLUS_EXACT_ABOVE, 34.5, 40.0, 709.0, 1e4]
    got = TORCH_OPS.softplus(torch.tensor(z, dtype=torch.float64))
    with mpmath.workdps(40):
        for value, x in zip(got.tolist(), z):
            exact = mpmath.log1p(mpmath.exp(mpmath.mpf(x)))
            assert abs(value - exact) <= 2**-52 * abs(exact), x
