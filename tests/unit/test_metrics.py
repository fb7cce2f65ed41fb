"""Metrics: the similarity density, its MGF and uniformity values against independent routes."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate

from clverify.numerics.descent import metrics
from clverify.theory.errors import InvalidParameterError


@pytest.mark.parametrize("n", [2, 3, 4, 8, 128])
def test_density_mass_mean_variance_by_scipy_quadrature(n):
    """The float64 density integrates to 1 with variance 1/n (scipy quad, a different route)."""
    f = lambda s: metrics.similarity_density(s, n)  # noqa: E731
    mass = integrate.quad(f, -1, 1, limit=200)[0]
    var = integrate.quad(lambda s: s * s * f(s), -1, 1, limit=200)[0]
    assert mass == pytest.approx(1, abs=1e-7)
    assert var == pytest.approx(1 / n, abs=1e-7)


@pytest.mark.parametrize("n", [3, 5, 9])
def test_density_matches_monte_carlo_histogram(n):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((200_000, n))
    Y = rng.standard_normal((200_000, n))
    s = (X * Y).sum(1) / np.linalg.norm(X, axis=1) / np.linalg.norm(Y, axis=1)
    assert s.var() == pytest.approx(1 / n, rel=0.02)
    # CDF at a few points against the empirical CDF
    for q in (-0.5, 0.0, 0.3):
        assert float(metrics.similarity_cdf(q, n)) == pytest.approx(float((s <= q).mean()), abs=5e-3)


@pytest.mark.parametrize("n,a", [(3, 4.0), (4, 1.3), (10, 4.0), (2, 0.7)])
def test_mgf_closed_form_by_quadrature(n, a):
    """E e^{a s} = 0F1(; n/2; a^2/4) vs mpmath quadrature of the density."""
    with mpmath.workdps(30):
        quad = mpmath.quad(lambda s: mpmath.exp(a * s) * metrics.similarity_density_mp(s, n), [-1, 0, 1])
        assert abs(quad - metrics.similarity_mgf(a, n)) < mpmath.mpf(10) ** -12


def test_mgf_bessel_form():
    """The Bessel-function form Gamma(n/2) (2/a)^{n/2-1} I_{n/2-1}(a)."""
    n, a = 7, mpmath.mpf("2.5")
    bessel = mpmath.gamma(mpmath.mpf(n) / 2) * (2 / a) ** (mpmath.mpf(n) / 2 - 1) * mpmath.besseli(mpmath.mpf(n) / 2 - 1, a)
    assert abs(bessel - metrics.similarity_mgf(a, n)) < 1e-13


def test_uniformity_population_value_by_quadrature_and_sample():
    n, t = 5, 2.0
    with mpmath.workdps(25):
        quad = mpmath.quad(lambda s: mpmath.exp(-t * (2 - 2 * s)) * metrics.similarity_density_mp(s, n), [-1, 1])
    assert metrics.uniformity_population(n, t) == pytest.approx(float(mpmath.log(quad)), rel=1e-12)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3000, n))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    assert metrics.uniformity(X, t) == pytest.approx(metrics.uniformity_population(n, t), abs=0.02)


def test_uniformity_by_hand_on_the_square():
    X = np.array([[1.0, 0], [0, 1], [-1, 0], [0, -1]])
    # 4 pairs at |x-y|^2 = 2, 2 pairs at 4
    assert metrics.uniformity(X, 2.0) == pytest.approx(math.log((4 * math.exp(-4) + 2 * math.exp(-8)) / 6))


def test_wasserstein_uniformity_uniform_vs_collapsed():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((500, 4))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    assert metrics.wasserstein_uniformity(X) < 0.02
    collapsed = np.tile([1.0, 0, 0, 0], (10, 1))
    # all similarities 1: W1 = E|1 - s| = 1 (mean 0)
    assert metrics.wasserstein_uniformity(collapsed) == pytest.approx(1.0, abs=1e-3)


def test_alignment_and_effective_rank_by_hand():
    U = np.eye(3)
    V = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]])
    assert metrics.alignment(U, V) == pytest.approx(4 / 3)
    assert metrics.effective_rank(np.diag([1.0, 1.0, 2.0])) == pytest.approx(
        math.exp(-(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5))))
    assert metrics.effective_rank(np.ones((4, 3))) == pytest.approx(1.0)


def test_bad_dimension_is_an_input_error():
    with pytest.raises(InvalidParameterError, match="n must be"):
        metrics.similarity_density(0.0, 1)
