"""High-precision root finding (clverify.numerics.precision.roots.find_root): the driver's
stopping rule, residual check, budget and precision handling."""

from __future__ import annotations

import mpmath
import pytest

from clverify.numerics.precision.roots import ROOT_GUARD_BITS, SOLVERS, TOLERANCE_ULPS, Solver, find_root
from clverify.theory.errors import ConvergenceError, UnknownChoiceError

DIGITS = 40


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_every_solver_finds_pi_over_2(solver):
    with mpmath.workdps(DIGITS):
        root = find_root(mpmath.cos, (1, 2), solver=solver)
        assert abs(root - mpmath.pi / 2) <= TOLERANCE_ULPS * mpmath.mp.eps * 2


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_the_tolerance_is_met_and_the_result_is_at_the_callers_precision(solver):
    with mpmath.workdps(60):
        truth = mpmath.cbrt(2)
    with mpmath.workdps(30):
        tol = mpmath.mpf(10) ** -20
        root = find_root(lambda z: z**3 - 2, (1, 2), solver=solver, tol=tol)
        assert abs(root - truth) <= tol * 2  # the error bound is a bracket length
        assert root._mpf_[3] <= mpmath.mp.prec  # rounded to the caller's precision, not the guard's


class Halving(Solver):
    """Plain bisection written here (a user-supplied solver); it never evaluates f at hi."""

    name, max_steps = "halving", 500

    def __iter__(self):
        lo, hi = self.lo, self.hi
        f_lo = self.f(lo)
        while True:
            mid = (lo + hi) / 2
            if (self.f(mid) > 0) == (f_lo > 0):
                lo, f_lo = mid, self.f(mid)
            else:
                hi = mid
            yield (lo + hi) / 2, hi - lo


class Silent(Solver):
    """A solver that yields nothing."""

    name = "silent"

    def __iter__(self):
        return iter(())


def test_solver_object_is_accepted():
    with mpmath.workdps(30):
        assert abs(find_root(lambda z: z**3 - 2, (1, 2), solver=Halving) - mpmath.cbrt(2)) < 1e-28


def test_a_solver_that_is_neither_a_name_nor_a_class_is_refused():
    with pytest.raises(TypeError, match="solver must be"):
        find_root(lambda z: z, (-1, 1), solver=object())


def test_unknown_solver_name_is_an_input_error():
    with pytest.raises(UnknownChoiceError, match="solver must be one of"):
        find_root(lambda z: z, (-1, 1), solver="newton-raphson")


def test_guard_bits_while_iterating_and_precision_restored_after_success_and_failure():
    seen = []

    def f(z):
        seen.append(mpmath.mp.prec)
        return z - 1

    before = mpmath.mp.prec
    find_root(f, (0, 3))
    assert set(seen) == {before + ROOT_GUARD_BITS}
    with pytest.raises(ConvergenceError):
        find_root(lambda z: z * z + 1, (0, 3))
    assert mpmath.mp.prec == before


def test_no_sign_change_is_refused_with_both_values_to_15_digits():
    with pytest.raises(ConvergenceError, match=r"no sign change of f on \[-1.0, 2.0\]: f\(lo\) = 2.0, f\(hi\) = 5.0"):
        find_root(lambda z: z**2 + 1, (-1, 2))
    with pytest.raises(ConvergenceError, match=r"f\(lo\) = 0.0433333333333333, f\(hi\) = 0.0433333333333333;"):
        find_root(lambda z: z**2 + mpmath.mpf(1) / 30, (-0.1, 0.1))  # f(lo) f(hi) < 1


def test_a_solver_without_estimates_is_a_convergence_error():
    with pytest.raises(ConvergenceError, match=r"silent gave no estimate on \[0.0, 3.0\]"):
        find_root(lambda z: z - 1, (0, 3), solver=Silent)


def test_the_solver_and_tolerances_are_keyword_only():
    with pytest.raises(TypeError):
        find_root(lambda z: z - 1, (0, 3), "bisect")


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_the_tolerance_is_relative_for_large_roots(solver):
    """Root 10**6 / 3 at 15 digits: an absolute tolerance of 1e-12 is below the spacing of the
    numbers there; the relative one is met."""
    root = find_root(lambda z: mpmath.exp(z / 10**5) - mpmath.exp(mpmath.mpf(10) / 3), (0, 10**6), solver=solver)
    assert abs(root - mpmath.mpf(10**6) / 3) <= TOLERANCE_ULPS * mpmath.mp.eps * 10**6


def test_the_solvers_print_nothing(capsys):
    for solver in SOLVERS:
        find_root(mpmath.cos, (1, 2), solver=solver)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_pole_with_a_sign_change_fails_the_residual_check(solver):
    """1/(z - 1/3) changes sign on [0, 1] but has no root: the bracket closes on the pole."""
    with mpmath.workdps(30):
        third = mpmath.mpf(1) / 3
        with pytest.raises(ConvergenceError, match="residual"):
            find_root(lambda z: 1 / (z - third), (0, 1), solver=solver, max_steps=2000)
        x = find_root(lambda z: 1 / (z - third), (0, 1), solver="bisect", verify=False)
        assert abs(x - third) < mpmath.mpf(10) ** -25


def test_an_explicit_residual_tolerance_is_applied():
    with mpmath.workdps(30):
        with pytest.raises(ConvergenceError, match="residual"):
            find_root(lambda z: 10**40 * (z - mpmath.mpf(1) / 3), (0, 1), solver="bisect",
                      residual_tol=mpmath.mpf(10) ** -30)


def test_the_step_budget_is_enforced_and_the_message_says_what_to_try():
    with pytest.raises(ConvergenceError) as info:
        find_root(lambda z: mpmath.exp(z) - 10, (0, 500), solver="illinois", max_steps=4)
    message = str(info.value)
    assert "did not converge in 4 steps" in message and "residual" in message and "tol" in message
    assert "try solver='bisect' or a larger max_steps" in message


def test_bisection_needs_about_one_step_per_bit():
    with mpmath.workdps(30):
        bits = mpmath.mp.prec + ROOT_GUARD_BITS
        with pytest.raises(ConvergenceError, match="did not converge"):
            find_root(lambda z: z * z - 2, (1, 2), solver="bisect", max_steps=bits // 2)
        find_root(lambda z: z * z - 2, (1, 2), solver="bisect", max_steps=bits + 10)


@pytest.mark.parametrize("solver", [*sorted(SOLVERS), Halving])
def test_an_exact_root_at_an_end_or_at_a_probe_is_returned_exactly(solver):
    """Whether or not the solver evaluates f at the ends (bisection never looks at lo, Halving
    never at hi), an exact zero there is the root."""
    assert find_root(lambda z: z - 2, (2, 5), solver=solver) == 2
    assert find_root(lambda z: z - 5, (2, 5), solver=solver) == 5
    assert find_root(lambda z: z - 1, (0, 2), solver="bisect") == 1  # the first midpoint


@pytest.mark.parametrize("width, root", [(10**6, mpmath.mpf(10**6) / 3), (1, mpmath.mpf(1) / 3000)])
def test_bisection_stops_as_soon_as_the_tolerance_is_met(width, root):
    """Halving [0, width] down to tol * max(1, root) (tol = TOLERANCE_ULPS * eps) takes
    ceil(log2(width / (tol * max(1, root)))) steps: relative for a large root, absolute below 1;
    a stricter rule would take ~36 (large root) or ~12 (small root) more."""
    tol = TOLERANCE_ULPS * mpmath.mp.eps
    steps = int(mpmath.ceil(mpmath.log(width / (tol * max(1, root)), 2)))
    calls = []

    def f(z):
        calls.append(z)
        return z - root

    find_root(f, (0, width), solver="bisect")
    assert len(calls) == steps + 4  # one per halving; both ends, bisection's own f(hi) and the residual


def test_a_jump_is_not_a_root():
    """A step from -1/2 to 1/2 at 1/3 changes sign but has no root: the residual 1/2 is refused."""
    third = mpmath.mpf(1) / 3
    with pytest.raises(ConvergenceError, match="residual"):
        find_root(lambda z: mpmath.mpf(1) / 2 if z >= third else -mpmath.mpf(1) / 2, (0, 1), solver="bisect")


def test_the_step_budget_is_exact():
    """Bisection of [0, 1] to the root 1/3 meets the tolerance after exactly
    ceil(log2(1 / tol)) halvings: that budget suffices, one fewer does not."""
    tol = TOLERANCE_ULPS * mpmath.mp.eps
    steps = int(mpmath.ceil(mpmath.log(1 / tol, 2)))
    f = lambda z: z - mpmath.mpf(1) / 3  # noqa: E731
    find_root(f, (0, 1), solver="bisect", max_steps=steps)
    with pytest.raises(ConvergenceError, match=f"did not converge in {steps - 1} steps"):
        find_root(f, (0, 1), solver="bisect", max_steps=steps - 1)


def test_a_budget_above_256_steps_is_enforced():
    with mpmath.workdps(120), pytest.raises(ConvergenceError, match="did not converge in 300 steps"):
        find_root(lambda z: z * z - 2, (1, 2), solver="bisect", max_steps=300)


def test_the_three_regula_falsi_variants_are_different_methods():
    """Anderson-Bjorck, Illinois and Pegasus scale the retained end differently: on exp(z) - 10
    they evaluate f at different points (the method is passed to mpmath)."""
    paths = set()
    for solver in ("anderson", "illinois", "pegasus"):
        calls = []
        find_root(lambda z: calls.append(z) or mpmath.exp(z) - 10, (0, 5), solver=solver)
        paths.add(tuple(calls))
    assert len(paths) == 3


def test_a_residual_equal_to_its_tolerance_passes():
    """The jump from -1/2 to 1/2 has residual exactly 1/2: accepted at residual_tol = 1/2."""
    third = mpmath.mpf(1) / 3
    x = find_root(lambda z: mpmath.mpf(1) / 2 if z >= third else -mpmath.mpf(1) / 2, (0, 1), solver="bisect",
                  residual_tol=mpmath.mpf(1) / 2)
    assert abs(x - third) < 1e-12
