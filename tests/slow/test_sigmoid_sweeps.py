"""Sweeps of the certified sigmoid-loss numerics (``pytest -m slow``)."""

from __future__ import annotations

import random

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.thresholds import (
    antipodal_boundary_b,
    antipodal_threshold_tb,
    etf_boundary_b,
    etf_threshold_tb,
)

pytestmark = pytest.mark.slow

SEED = 7


def test_thresholds_certified_for_N_up_to_2000():
    with mpmath.workdps(60):
        for N in range(5, 2001):
            etf, anti = etf_threshold_tb(N, 30), antipodal_threshold_tb(N, 30)
            assert etf.enclosure.certified and anti.enclosure.certified, N
            assert etf.enclosure.contains(mpmath.mpf(N - 1) / N * mpmath.log(N - 3)), N
            assert anti.enclosure.contains(mpmath.log(mpmath.mpf(N - 2) / 2) / 2), N
            assert anti.value < etf.value


def test_boundaries_separate_the_regimes_reported_by_the_optimum():
    rng = random.Random(SEED)
    for _ in range(60):
        N, t = rng.randint(3, 300), repr(10 ** rng.uniform(-1.5, 2))
        b_e, b_a = etf_boundary_b(N, t, 30), antipodal_boundary_b(N, t, 30)
        assert b_e.enclosure.certified and b_a.enclosure.certified
        eps = mpmath.mpf(10) ** -6
        assert sigmoid_optimum(N, t, b_e.value + eps, digits=20).regime == "etf"
        assert sigmoid_optimum(N, t, b_e.value - eps, digits=20).regime != "etf"
        assert sigmoid_optimum(N, t, b_a.value - eps, digits=20).regime == "antipodal"
        assert sigmoid_optimum(N, t, b_a.value + eps, digits=20).regime != "antipodal"


def _theory_l_grid(N, t, b, x):
    softplus = lambda z: np.logaddexp(0.0, z)  # noqa: E731
    return softplus(b - t * (2 * x - 1)) + (N - 1) * softplus(t * (x * (N - 2) / (N - 1) - 1) - b)


@settings(max_examples=300, deadline=None)
@given(N=st.integers(3, 2000), t=st.floats(0.05, 300), b=st.floats(-50, 50))
def test_regime_agrees_with_brute_force_grid_many(N, t, b):
    opt = sigmoid_optimum(N, t, b, digits=25)
    points = 20001
    x = np.linspace(0.0, 1.0, points)
    x_grid = x[int(np.argmin(_theory_l_grid(N, t, b, x)))]
    h = 1.0 / (points - 1)
    assert abs(float(opt.x) - x_grid) <= 2 * h
    assert opt.x_enclosure.certified


@pytest.mark.parametrize("N", [5, 10, 50])
def test_x_star_does_not_decrease_along_t_equal_b(N):
    # claimed (unproven) in THEORY.md: x* increases with t along t = b
    ts = [mpmath.mpf(k) / 20 for k in range(1, 200)]
    xs = [sigmoid_optimum(N, t, t, digits=20).x for t in ts]
    assert all(a <= b for a, b in zip(xs, xs[1:]))


def test_large_t_optimum_is_certified():
    for N in (3, 4, 10, 100):
        for t in ("1000", "5000", "10000"):
            for b in ("-5", "0", "2"):
                opt = sigmoid_optimum(N, t, b, digits=30)
                assert opt.x_enclosure.certified, (N, t, b, opt.x_enclosure.reason)
