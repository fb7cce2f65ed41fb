"""Evaluators compiled from the SymPy derivations (clverify.numerics.precision.evaluators): the
Arb code carries exact constants only, and every ball contains the value computed by another
library (mpmath) at a much higher precision."""

from __future__ import annotations

import ast
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from flint import arb, ctx, fmpq

from clverify.numerics.precision.evaluators import (
    FORMULAS,
    GUARD_BITS,
    _assert_exact_constants,
    arb_precision,
    bits_for_digits,
    compile_expression,
    evaluator,
    formula,
    generated_source,
)
from clverify.theory import derivation as D
from clverify.theory.errors import UnknownChoiceError

#: (x, N, t, b) points where every formula is defined, as exact decimal strings.
POINTS = (("1/3", 10, "0.7", "0.3"), ("0.9", 7, "2", "-1"), ("0", 100, "5", "5"))


def _float_constants(source: str) -> list:
    """Float literals and attribute accesses in Python source, found by parsing it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, (float, complex)):
            found.append(node.value)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)  # mpf('0.1'): a decimal string, not an exact rational
        if isinstance(node, ast.Attribute):
            found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_the_arb_code_of_every_formula_has_only_exact_constants(name):
    assert _float_constants(generated_source(name, "arb")) == []


def test_a_float_in_a_claim_is_refused_by_the_arb_compiler():
    """lambdify prints Float(0.1) as mpf((0, 3602879701896397, -55, 52)), which Arb reads as 0."""
    with pytest.raises(ArithmeticError, match=r"float constant.*\['0.100000000000000'\]"):
        compile_expression(sp.Float("0.1") * D.N, "arb")
    compile_expression(sp.Float("0.1") * D.N, "mpmath")  # numerical evaluation: allowed


@pytest.mark.parametrize("constant, reference", [(sp.E, mpmath.e), (sp.pi, mpmath.pi), (sp.EulerGamma, mpmath.euler)])
def test_a_constant_is_enclosed_at_the_working_precision(constant, reference):
    """E, pi and Euler's gamma are Arb's enclosures, not math's binary roundings (found by the
    checker-writer comparison in test_recheck: exp(... (x + E)**(4/3) ...) did not overlap)."""
    f = compile_expression(constant * D.x + 1, "arb")
    with arb_precision(60), mpmath.workdps(80):
        ball = f(arb(3), 0, 0, 0)
        exact = mpmath.mpf(3) * reference + 1
        assert ball.contains(arb(mpmath.nstr(exact, 75))) and ball.rad() < mpmath.mpf(10) ** -58


def test_a_constant_without_an_arb_enclosure_is_refused():
    with pytest.raises(ArithmeticError, match=r"\['Catalan'\]"):
        compile_expression(sp.Catalan * D.N, "arb")


@pytest.mark.parametrize("source", ["return 0.5*N", "return 1e-3*N", "return .5*N", "return mpmath.log(N)",
                                    "return math.exp(N)", "return numpy.sqrt(N)"])
def test_generated_code_with_a_float_or_a_module_function_is_refused(source):
    with pytest.raises(ArithmeticError, match="float constant"):
        _assert_exact_constants("demo", D.N, source)
    _assert_exact_constants("demo", D.N, "return mpf(1)/mpf(2)*N + x1 + log(N)")


def _ball_args(x, n, t, b):
    return [arb(fmpq(Fraction(v).numerator, Fraction(v).denominator)) for v in (x, n, t, b)]


def _mp_args(x, n, t, b):
    return [mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in (x, n, t, b)]


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_every_arb_ball_contains_the_mpmath_value_at_twice_the_digits(name):
    arb_fn, mp_fn = evaluator(name, "arb"), evaluator(name, "mpmath")
    for point in POINTS:
        with arb_precision(30):
            ball = arb_fn(*_ball_args(*point))
        with mpmath.workdps(90):
            value = mp_fn(*_mp_args(*point))
        assert ball.is_finite() and ball.contains(arb(value)), (name, point, ball, value)
        assert ball.rad() <= abs(ball.mid()) * arb(10) ** -30 + arb(10) ** -30, (name, point, ball)


def test_rational_constants_are_exact_at_any_precision():
    """N/10 and N/3 at N = 1: an exact rational ball (a float 0.1 would be off by 5.5e-18)."""
    tenth, third = compile_expression(D.N / 10, "arb"), compile_expression(D.N / 3, "arb")
    with arb_precision(200):
        for fn, q in ((tenth, fmpq(1, 10)), (third, fmpq(1, 3))):
            ball = fn(0, 1, 0, 0)
            assert ball.contains(q) and ball.rad() < arb(10) ** -200


def test_mpmath_backend_divides_in_mpmath_not_in_integers_or_floats():
    third = compile_expression(D.N / 3, "mpmath")
    with mpmath.workdps(50):
        assert third(0, 1, 0, 0) == mpmath.mpf(1) / 3


def test_the_antipodal_threshold_is_the_root_of_its_condition_by_hand():
    """At t = b the antipodal condition t (N - 2 e^{2t} - 2) / (e^{2t} + 1) vanishes at
    e^{2t} = N/2 - 1, i.e. t = log(N/2 - 1)/2 (= log(2)/2 at N = 6)."""
    with arb_precision(50):
        t_a = evaluator("antipodal_threshold_tb", "arb")(0, 6, 0, 0)
        assert t_a.contains(arb(2).log() / 2) and (arb(2).log() / 2).contains(t_a) is not None
        assert evaluator("antipodal_condition_tb", "arb")(0, 6, t_a, t_a).contains(0)


def test_bits_for_digits_is_the_bit_length_of_ten_to_the_digits_plus_the_guard():
    for digits in (1, 15, 50, 1000):
        assert bits_for_digits(digits, guard=0) == (10**digits).bit_length()  # 2**(b-1) < 10**d < 2**b
        assert bits_for_digits(digits) == (10**digits).bit_length() + GUARD_BITS


def test_the_log_ratio_of_the_slope_has_its_sign_and_its_zero():
    """loss_dx_log_ratio = log P - log Q where loss_dx = P - Q with P, Q > 0: the same sign as
    loss_dx everywhere, and 0 where loss_dx is (its root, found by mpmath)."""
    ratio, slope = evaluator("loss_dx_log_ratio", "mpmath"), evaluator("loss_dx", "mpmath")
    with mpmath.workdps(40):
        for n, t, b in ((3, 1, 1), (10, 1, 1), (5, 3, 0.5), (50, 20, 20), (7, 0.5, -1)):
            for x in mpmath.linspace(0, 1, 9):
                d = slope(x, n, t, b)
                if abs(d) > mpmath.mpf(10) ** -30:
                    assert mpmath.sign(ratio(x, n, t, b)) == mpmath.sign(d), (n, t, b, x)
            if slope(0, n, t, b) * slope(1, n, t, b) < 0:
                root = mpmath.findroot(lambda z: slope(z, n, t, b), (0, 1), solver="anderson")
                assert abs(ratio(root, n, t, b)) < mpmath.mpf(10) ** -25


def test_a_compiled_expression_is_named_after_it():
    assert compile_expression(D.N / 3, "arb").__name__ == "N/3_arb"
    assert compile_expression(D.N / 3, "mpmath", name="third").__name__ == "third_mpmath"


def test_arb_precision_sets_and_restores_even_on_error():
    before = ctx.prec
    with pytest.raises(RuntimeError):
        with arb_precision(100):
            assert ctx.prec == bits_for_digits(100)
            raise RuntimeError("inside")
    assert ctx.prec == before


def test_unknown_formula_and_backend_are_input_errors():
    with pytest.raises(UnknownChoiceError, match="formula must be one of"):
        formula("loss_d3x")
    with pytest.raises(UnknownChoiceError, match="backend must be one of"):
        compile_expression(D.N, "numpy")


def test_evaluators_are_compiled_once():
    assert evaluator("loss_dx", "arb") is evaluator("loss_dx", "arb")
