"""Thresholds, boundaries and the optimal CCEM, against routes written here independently:

* the general conditions of THEORY.md solved by mpmath.findroot (not the SymPy closed forms);
* enclosures contain the value computed at twice the precision;
* the regime against a brute-force minimisation of l(x) on a fine grid (numpy, float64);
* the similarities against THEORY.md's s_pos = 2x - 1 and s_neg = ((N-2) s_pos - N)/(2(N-1)).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.thresholds import (
    antipodal_boundary_b,
    antipodal_threshold_tb,
    etf_boundary_b,
    etf_threshold_tb,
)
from clverify.theory.errors import InvalidParameterError

DIGITS = 40
GRID_POINTS = 4001


def _etf_general(N, t, b):
    """(N-2)(1 + e^{t-b}) - 2(1 + e^{t/(N-1) + b}): ETF optimal iff <= 0 (THEORY.md)."""
    return (N - 2) * (1 + mpmath.exp(t - b)) - 2 * (1 + mpmath.exp(t / (N - 1) + b))


def _antipodal_general(N, t, b):
    """t + b - log((N-2)/2): antipodal optimal iff <= 0 (THEORY.md)."""
    return t + b - mpmath.log(mpmath.mpf(N - 2) / 2)


def _close(a, b, digits):
    return abs(a - b) <= mpmath.mpf(10) ** -digits * max(1, abs(b))


def _independent_t(general, N, digits):
    with mpmath.workdps(digits):
        return mpmath.findroot(lambda t: general(N, t, t), (mpmath.mpf("1e-6"), mpmath.mpf(40)),
                               solver="bisect", maxsteps=4 * digits + 40, verify=False)


def _independent_b(general, N, t, digits):
    with mpmath.workdps(digits):
        t = mpmath.mpf(t)
        return mpmath.findroot(lambda b: general(N, t, b), (-t - 60, t + 60), solver="bisect",
                               maxsteps=4 * digits + 60, verify=False)


@pytest.mark.parametrize("N", [5, 6, 7, 10, 23, 311])
def test_etf_threshold_is_root_of_general_condition_on_t_eq_b(N):
    r = etf_threshold_tb(N, digits=DIGITS)
    expected = _independent_t(_etf_general, N, DIGITS + 10)
    with mpmath.workdps(DIGITS):
        assert _close(r.value, expected, DIGITS - 2)
    with mpmath.workdps(2 * DIGITS):
        twice = _independent_t(_etf_general, N, 2 * DIGITS)
    assert r.enclosure.certified and r.enclosure.contains(twice)
    assert r.enclosure.width <= mpmath.mpf(10) ** -DIGITS * max(1, abs(twice))


@pytest.mark.parametrize("N", [5, 6, 7, 10, 23, 311])
def test_antipodal_threshold_is_root_of_general_condition_on_t_eq_b(N):
    r = antipodal_threshold_tb(N, digits=DIGITS)
    with mpmath.workdps(2 * DIGITS):
        twice = _independent_t(_antipodal_general, N, 2 * DIGITS)
    with mpmath.workdps(DIGITS):
        assert _close(r.value, twice, DIGITS - 2)
    assert r.enclosure.certified and r.enclosure.contains(twice)


@pytest.mark.parametrize("N", [3, 4])
def test_small_N_thresholds_follow_the_sign_of_the_general_condition(N):
    # on t = b > 0 the ETF condition holds for every t, the antipodal one for none (N <= 4)
    with mpmath.workdps(30):
        for t in ("0.001", "0.5", "3", "40"):
            t = mpmath.mpf(t)
            assert _etf_general(N, t, t) <= 0 and _antipodal_general(N, t, t) > 0
    etf, anti = etf_threshold_tb(N, digits=20), antipodal_threshold_tb(N, digits=20)
    assert anti.value is None and anti.enclosure is None and "never optimal" in anti.note
    assert "every t = b > 0" in etf.note
    assert (etf.value is None) if N == 3 else (etf.value == 0 and etf.enclosure is None)  # t = 0: outside t > 0


@pytest.mark.parametrize("N,t", [(5, "1"), (10, "0.3"), (10, "5"), (100, "20"), (7, "1000")])
def test_boundaries_in_b_are_roots_of_general_conditions(N, t):
    for fn, general in ((etf_boundary_b, _etf_general), (antipodal_boundary_b, _antipodal_general)):
        r = fn(N, t, digits=DIGITS)
        with mpmath.workdps(2 * DIGITS):
            twice = _independent_b(general, N, t, 2 * DIGITS)
        with mpmath.workdps(DIGITS):
            assert _close(r.value, twice, DIGITS - 2)
        assert r.enclosure.certified and r.enclosure.contains(twice), (fn.__name__, r.enclosure)


def _theory_l_grid(N, t, b, x):
    """l(x) of THEORY.md on a numpy grid, with a stable softplus (logaddexp)."""
    softplus = lambda z: np.logaddexp(0.0, z)  # noqa: E731
    return softplus(b - t * (2 * x - 1)) + (N - 1) * softplus(t * (x * (N - 2) / (N - 1) - 1) - b)


@given(N=st.integers(3, 80), t=st.floats(0.05, 40), b=st.floats(-8, 8))
def test_regime_agrees_with_brute_force_grid_minimisation(N, t, b):
    opt = sigmoid_optimum(N, t, b, digits=20)
    x = np.linspace(0.0, 1.0, GRID_POINTS)
    x_grid = x[int(np.argmin(_theory_l_grid(N, t, b, x)))]
    h = 1.0 / (GRID_POINTS - 1)
    assert abs(float(opt.x) - x_grid) <= 2 * h
    if 2 * h < x_grid < 1 - 2 * h:
        assert opt.regime == "intermediate"
    assert opt.regime == {1.0: "etf", 0.0: "antipodal"}.get(float(opt.x), "intermediate")


def _hand_dl(x, N, t, b):
    """l'(x) of THEORY.md: -2t sigma(b - t(2x-1)) + (N-2) t sigma(t(x(N-2)/(N-1) - 1) - b)."""
    sig = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
    return -2 * t * sig(b - t * (2 * x - 1)) + (N - 2) * t * sig(t * (x * (N - 2) / (N - 1) - 1) - b)


@pytest.mark.parametrize("N,t,b", [(10, "1.2", "1.2"), (5, "2", "0.5"), (40, "7", "3"),
                                   (10, "10000", "1"), (1000, "30", "3")])
def test_interior_optimum_enclosure_contains_root_at_twice_the_precision(N, t, b):
    opt = sigmoid_optimum(N, t, b, digits=DIGITS)
    assert opt.regime == "intermediate"
    with mpmath.workdps(2 * DIGITS):
        tt, bb = mpmath.mpf(t), mpmath.mpf(b)
        twice = mpmath.findroot(lambda z: _hand_dl(z, N, tt, bb), (0, 1), solver="bisect",
                                maxsteps=10 * DIGITS)
    assert opt.x_enclosure.certified and opt.x_enclosure.contains(twice)
    assert opt.x_enclosure.width <= mpmath.mpf(10) ** -DIGITS
    with mpmath.workdps(DIGITS):
        assert _close(opt.x, twice, DIGITS - 2)


def test_fields_agree_with_theory_formulas():
    opt = sigmoid_optimum(12, "2.5", "1", digits=DIGITS)
    with mpmath.workdps(DIGITS):
        N, x = 12, opt.x
        s_pos = 2 * x - 1
        assert _close(opt.s_pos, s_pos, DIGITS - 2)
        assert _close(opt.s_neg, ((N - 2) * s_pos - N) / (2 * (N - 1)), DIGITS - 2)
        assert _close(opt.delta**2, x, DIGITS - 2)
        softplus = lambda z: mpmath.log1p(mpmath.exp(z))  # noqa: E731
        t, b = mpmath.mpf("2.5"), mpmath.mpf(1)
        loss = softplus(b - t * s_pos) + (N - 1) * softplus(t * ((N - 2) * s_pos - N) / (2 * (N - 1)) - b)
        assert _close(opt.value, loss, DIGITS - 2)


def test_boundary_regimes_are_exact_points():
    etf = sigmoid_optimum(10, 5, 5, digits=30)  # t = b = 5 > t_E(10) = 0.9 log 7
    anti = sigmoid_optimum(10, "0.2", "0.2", digits=30)  # < t_A(10) = log(4)/2
    assert (etf.regime, etf.x, etf.s_pos) == ("etf", 1, 1)
    assert (anti.regime, anti.x, anti.s_pos, anti.s_neg) == ("antipodal", 0, -1, -1)
    assert etf.x_enclosure.certified and (etf.x_enclosure.lo, etf.x_enclosure.hi) == (1, 1)


def test_exact_antipodal_boundary_is_decided_exactly():
    # N = 4, t + b = log((N-2)/2) = 0: l'(0) = 0 exactly, so x* = 0
    opt = sigmoid_optimum(4, 1, -1, digits=20)
    assert opt.regime == "antipodal" and opt.x_enclosure.certified
    assert "exactly" in opt.x_enclosure.reason


def test_fixed_b_large_t_limit_is_balanced_margin():
    N = 10
    opt = sigmoid_optimum(N, 10_000, "0.5", digits=30)
    assert abs(opt.x - mpmath.mpf(2 * (N - 1)) / (3 * N - 4)) < 1e-3


@pytest.mark.parametrize("kwargs,name", [
    ({"N": 2, "t": 1, "b": 1}, "N"), ({"N": 3.5, "t": 1, "b": 1}, "N"),
    ({"N": 10, "t": 0, "b": 1}, "t"), ({"N": 10, "t": float("nan"), "b": 1}, "t"),
    ({"N": 10, "t": "inf", "b": 1}, "t"), ({"N": 10, "t": 1, "b": float("inf")}, "b"),
    ({"N": 10, "t": 1, "b": 1, "digits": 14}, "digits"),
    ({"N": 10, "t": 1, "b": 1, "digits": 10_001}, "digits"),
])
def test_bad_input_raises_value_error_naming_the_parameter(kwargs, name):
    with pytest.raises(InvalidParameterError) as info:
        sigmoid_optimum(**kwargs)
    assert isinstance(info.value, ValueError) and str(info.value).startswith(name)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("call", [lambda: etf_threshold_tb(2), lambda: antipodal_threshold_tb("x"),
                                  lambda: etf_boundary_b(10, -1), lambda: antipodal_boundary_b(10, 1, 9)])
def test_threshold_bad_input(call):
    with pytest.raises(ValueError):
        call()
