"""Root finding (clverify.numerics.precision.roots) and certified enclosures (clverify.numerics.precision.certify)."""

from __future__ import annotations

import decimal

import mpmath
import pytest
from flint import arb, ctx

from clverify.numerics.precision.certify import Enclosure, arb_to_mpf, ball_sign, certify_root
from clverify.numerics.precision.roots import SOLVERS, Solver, find_root
from clverify.theory.errors import ConvergenceError, UnknownChoiceError

DIGITS = 40


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_every_solver_finds_pi_over_2(solver):
    with mpmath.workdps(DIGITS):
        root = find_root(mpmath.cos, (1, 2), solver=solver)
        assert abs(root - mpmath.pi / 2) < mpmath.mpf(10) ** -(DIGITS - 3)


def test_solver_object_is_accepted():
    class Halving(Solver):
        """Plain bisection written here (a user-supplied solver)."""

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

    with mpmath.workdps(30):
        assert abs(find_root(lambda z: z**3 - 2, (1, 2), solver=Halving) - mpmath.cbrt(2)) < 1e-28


def test_precision_is_restored_after_success_and_failure():
    before = mpmath.mp.prec
    find_root(lambda z: z - 1, (0, 3))
    with pytest.raises(ConvergenceError):
        find_root(lambda z: z * z + 1, (0, 3))
    assert mpmath.mp.prec == before


def test_failure_reports_residual_tolerance_and_what_to_try():
    with pytest.raises(ConvergenceError) as info:
        find_root(lambda z: mpmath.exp(z) - 10, (0, 500), solver="illinois", max_steps=4)
    message = str(info.value)
    assert "residual" in message and "tol" in message and "try" in message


def test_unknown_solver_name_is_an_input_error():
    with pytest.raises(UnknownChoiceError, match="solver must be one of"):
        find_root(lambda z: z, (-1, 1), solver="newton-raphson")


def test_certified_enclosure_contains_root_at_twice_the_precision_and_is_narrow():
    f, df = (lambda z: z.exp() - 3 * z - 1), (lambda z: z.exp() - 3)  # root near 1.9
    with mpmath.workdps(DIGITS + 10):
        estimate = mpmath.findroot(lambda z: mpmath.exp(z) - 3 * z - 1, 1.9)
    enc = certify_root(f, df, estimate, digits=DIGITS)
    with mpmath.workdps(2 * DIGITS):
        twice = mpmath.findroot(lambda z: mpmath.exp(z) - 3 * z - 1, 1.9)
    assert enc.certified and enc.contains(twice)
    assert enc.width <= mpmath.mpf(10) ** -DIGITS * 2


def test_bisection_fallback_from_bracket_alone():
    enc = certify_root(lambda z: z.sin(), lambda z: z.cos(), None, digits=30, bracket=(3, 4))
    with mpmath.workdps(60):
        assert enc.certified and enc.contains(mpmath.pi)


def test_uncertifiable_root_is_reported_not_hidden():
    enc = certify_root(lambda z: (z - 2) ** 2, lambda z: 2 * (z - 2), mpmath.mpf(2), digits=20)
    assert not enc.certified and enc.reason


def test_flint_precision_is_restored():
    before = ctx.prec
    certify_root(lambda z: z * z - 2, lambda z: 2 * z, None, digits=200, bracket=(1, 2))
    assert ctx.prec == before


def test_strings_round_outward():
    with mpmath.workdps(60):
        lo, hi = mpmath.mpf(1) / 3, mpmath.mpf(2) / 3
    enc = Enclosure(lo, hi, True, "test", digits=20)
    s_lo, s_hi = enc.strings(10)
    with decimal.localcontext(decimal.Context(prec=200)):
        assert decimal.Decimal(s_lo) <= decimal.Decimal(1) / 3
        assert decimal.Decimal(s_hi) >= decimal.Decimal(2) / 3
    assert (s_lo, s_hi) == ("0.3333333333", "0.6666666667")


def test_ball_sign_and_exact_conversion():
    assert ball_sign(arb(2).sqrt() - 1) == 1
    assert ball_sign(arb(0)) == 0
    assert ball_sign(arb(0, 1)) is None
    assert arb_to_mpf(arb(5) / 16) == mpmath.mpf(5) / 16
