"""The sphere of the embedding optimiser: projections, retraction, transport, seeded draws."""

import math

import numpy as np
import pytest
import torch

from clverify.numerics.descent.sphere import Sphere

S = Sphere()


def _rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_project_gives_unit_rows_in_the_same_direction():
    x = _rand(3, 5, 4)
    y = S.project(x)
    np.testing.assert_allclose(y.norm(dim=-1).numpy(), 1.0, atol=1e-15)
    cos = (x * y).sum(-1) / x.norm(dim=-1)
    np.testing.assert_allclose(cos.numpy(), 1.0, atol=1e-14)


def test_project_keeps_a_zero_row_finite():
    assert torch.isfinite(S.project(torch.zeros(1, 2, dtype=torch.float64))).all()


def test_proju_is_the_orthogonal_projection_onto_the_tangent_space():
    x = S.project(_rand(2, 6, 3))
    u = _rand(2, 6, 3, seed=1)
    p = S.proju(x, u)
    np.testing.assert_allclose((p * x).sum(-1).numpy(), 0.0, atol=1e-14)   # tangent
    np.testing.assert_allclose(S.proju(x, p).numpy(), p.numpy(), atol=1e-14)  # idempotent
    np.testing.assert_allclose(((u - p) * p).sum().item(), 0.0, atol=1e-13)  # orthogonal residual


def test_riemannian_gradient_matches_a_derivative_along_a_geodesic():
    # f(x) = sum_k a_k . x_k; along the geodesic exp_x(e v), df/de at 0 = <proju(x, a), v>.
    x = S.project(_rand(1, 4, 3))
    a = _rand(1, 4, 3, seed=2)
    v = S.proju(x, _rand(1, 4, 3, seed=3))
    n = v.norm(dim=-1, keepdim=True)

    def f(e):
        return float((a * (torch.cos(e * n) * x + torch.sin(e * n) * v / n)).sum())

    h = 1e-6
    fd = (f(h) - f(-h)) / (2 * h)
    assert fd == pytest.approx(float(S.inner(x, S.proju(x, a), v)), abs=1e-8)


def test_retraction_stays_on_the_sphere_and_is_first_order_the_geodesic():
    x = S.project(_rand(4, 3))
    v = S.proju(x, _rand(4, 3, seed=1))
    for e in (1e-3, 1.0, 10.0):
        np.testing.assert_allclose(S.retr(x, e * v).norm(dim=-1).numpy(), 1.0, atol=1e-15)
    e = 1e-4
    n = v.norm(dim=-1, keepdim=True)
    geodesic = torch.cos(e * n) * x + torch.sin(e * n) * v / n
    assert float((S.retr(x, e * v) - geodesic).abs().max()) < 1e-10


def test_transport_lands_in_the_new_tangent_space():
    y = S.project(_rand(5, 4))
    w = S.transp(y, _rand(5, 4, seed=4))
    np.testing.assert_allclose((w * y).sum(-1).numpy(), 0.0, atol=1e-14)


def test_inner_norm_and_max_row_norm_reduce_per_configuration():
    u = _rand(3, 4, 2)
    v = _rand(3, 4, 2, seed=5)
    un, vn = u.numpy(), v.numpy()
    np.testing.assert_allclose(S.inner(None, u, v).numpy(), np.einsum("bij,bij->b", un, vn), rtol=1e-14)
    np.testing.assert_allclose(S.norm(None, u).numpy(), np.sqrt((un**2).sum(axis=(1, 2))), rtol=1e-14)
    np.testing.assert_allclose(S.max_row_norm(u).numpy(), np.linalg.norm(un, axis=-1).max(-1), rtol=1e-14)


def test_random_is_seeded_uniform_and_float64():
    a = S.random(2000, 3, generator=torch.Generator().manual_seed(7))
    b = S.random(2000, 3, generator=torch.Generator().manual_seed(7))
    assert a.dtype == torch.float64 and torch.equal(a, b)
    assert S.check_point(a, 1e-14)
    # uniform on S^2: each coordinate has mean 0 and variance 1/3
    assert float(a.mean(0).abs().max()) < 4 / math.sqrt(2000)
    np.testing.assert_allclose(a.var(0).numpy(), 1 / 3, atol=0.04)
