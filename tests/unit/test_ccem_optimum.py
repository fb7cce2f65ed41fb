"""The CCEM optimum of any loss: the generic strategy against the sigmoid loss's own closed
forms (a log-ratio solver and a symbolic convexity proof), the convexity certificate against
its tempting bugs, the non-convex fallback, and the value's precision."""

from __future__ import annotations

import json
import sys

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner
from flint import arb

from clverify import load_loss
from clverify.numerics.precision.ccem_optimum import _value_ball, ccem_optimum, sigmoid_optimum
from clverify.numerics.precision.certify import Enclosure, certify_positive
from clverify.numerics.precision.evaluators import arb_precision
from clverify.numerics.precision.real_input import RealInput
from clverify.numerics.precision.restriction import Restriction, SigmoidRestriction, _positive
from clverify.proofs_check.cli import main
from clverify.theory import derivation as D
from clverify.theory import minima
from clverify.theory.errors import LossDefinitionError
from clverify.theory.losses import LOSSES, Loss

#: The sigmoid loss under another name: the generic strategy, not the closed forms.
GENERIC_SIGMOID = Loss("sigmoid-generic", LOSSES["sigmoid"].function, ("t", "b"))


def test_the_sigmoid_loss_gets_its_closed_forms_and_a_copy_the_generic_route():
    assert type(Restriction.of(LOSSES["sigmoid"], ("t", "b"))) is SigmoidRestriction
    assert type(Restriction.of(GENERIC_SIGMOID, ("t", "b"))) is Restriction


@pytest.mark.parametrize("N, t, b", [(10, "1.2", "1.2"), (10, "0.2", "0.2"), (7, "5", "5"),
                                     (10, "1000", "0"), (12, "2", "-1")])
def test_generic_strategy_equals_the_sigmoid_closed_forms(N, t, b):
    mine = ccem_optimum(GENERIC_SIGMOID, N, {"t": t, "b": b}, digits=30)
    theirs = sigmoid_optimum(N, t, b, digits=30)
    assert "clverify derive" in theirs.note and "clverify derive" not in mine.note
    assert mine.regime == theirs.regime and mine.certified and theirs.certified
    with mpmath.workdps(30):
        for a, c in ((mine.x, theirs.x), (mine.value, theirs.value), (mine.s_neg, theirs.s_neg)):
            assert abs(a - c) <= mpmath.mpf(10) ** -27 * max(1, abs(c))


@pytest.mark.parametrize("b, regime", [("2", "intermediate"), ("-3", "etf")])
def test_the_closed_forms_are_used_only_where_t_is_positive(b, regime):
    """The symbolic convexity certificate and the log-ratio form of l' assume t > 0; at t = -1
    the sigmoid loss takes the generic route, and agrees with the copy."""
    mine = ccem_optimum(LOSSES["sigmoid"], 10, {"t": "-1", "b": b}, digits=30)
    generic = ccem_optimum(GENERIC_SIGMOID, 10, {"t": "-1", "b": b}, digits=30)
    assert "clverify derive" not in mine.note and mine.certified and mine.regime == regime
    assert (mine.regime, mine.x, mine.value) == (generic.regime, generic.x, generic.value)


def test_the_infonce_family_sits_at_the_etf_and_the_sigmoid_at_small_t_antipodal():
    for loss in ("infonce", "ntxent", "dcl", "dhel", "kcl"):
        assert ccem_optimum(LOSSES[loss], 6, {}, digits=20).regime == "etf"
    # t = b = 0.25 <= t_A(10) = log((N - 2)/2)/2 = 0.69: antipodal (Lee et al.'s threshold)
    assert ccem_optimum(LOSSES["sigmoid"], 10, {"t": "0.25", "b": "0.25"}, digits=20).x == 0


def test_a_loss_not_convex_on_the_ccem_is_minimised_numerically_and_says_so():
    opt = ccem_optimum(LOSSES["kcl"], 10, {}, digits=20)
    assert not opt.convex and not opt.certified and "not certified convex" in opt.note
    values = minima.ccem_value("kcl", 10, gamma=16, t=2)   # SymPy, on CCEM(delta), delta = sqrt(x)
    with mpmath.workdps(20):
        grid = [float(values.subs(minima.delta, sp.sqrt(sp.Rational(k, 200)))) for k in range(201)]
    assert float(opt.value) <= min(grid) + 1e-15


def test_certify_positive_never_accepts_a_box_that_may_be_negative():
    assert certify_positive(lambda z: (z - arb(1) / 3) ** 2 + arb(10) ** -8, 0, 1, digits=20)[0]
    # negative only on |z - 1/3| < 1e-5, between every midpoint a bisection visits
    proved, why = certify_positive(lambda z: (z - arb(1) / 3) ** 2 - arb(10) ** -10, 0, 1, digits=20)
    assert not proved and ("<= 0" in why or "not shown" in why)
    # zero at a point is not > 0
    assert not certify_positive(lambda z: (z - arb(1) / 2) ** 2, 0, 1, digits=20)[0]


def test_positivity_by_structure_refuses_what_it_cannot_see():
    t = sp.Symbol("t", real=True)
    assert _positive(t**2 * sp.exp(-t * D.x), {t: sp.Rational(1, 3)})
    assert not _positive(t**2 * sp.exp(-t * D.x), {t: 0})                      # zero coefficient
    assert not _positive(sp.exp(D.x) - 1, {})                                   # zero at x = 0
    assert not _positive((D.x - 1) ** 2 + sp.exp(D.x), {})                      # base not positive


def test_a_loss_with_a_nan_value_is_an_error():
    nan = Loss("nan", lambda grams, ops, *, t: sp.nan * grams.uv.sum_diagonal(lambda s: t * s), ("t",))
    with pytest.raises(LossDefinitionError, match="not a finite real number"):
        ccem_optimum(nan, 5, {"t": 1}, digits=20)


@pytest.mark.parametrize("t, b, regime", [("5", "5", "etf"), ("0.2", "0.2", "antipodal"),
                                          ("1.2", "1.2", "intermediate")])
def test_signs_balls_cannot_decide_are_decided_numerically_and_never_certified(monkeypatch, t, b, regime):
    """With every ball sign undecided, the regime comes from the midpoints (the same rule), and
    neither an end nor a certified root of l' makes x* certified."""
    module = sys.modules[ccem_optimum.__module__]
    monkeypatch.setattr(module, "end_slope_sign", lambda *args: (None, "undecided"))
    opt = ccem_optimum(LOSSES["sigmoid"], 10, {"t": t, "b": b}, digits=20)
    assert opt.regime == regime and not opt.certified
    assert "midpoint of a ball (not certified)" in opt.note


def test_the_value_ball_contains_the_loss_at_the_root_not_only_at_the_estimate():
    """l(x*) from an estimate x at one end of a certified enclosure of x*: the mean-value term
    l'(xi)(x* - x) must widen the ball of l(x) to contain l(x*) (by hand, 60 digits)."""
    N = 10
    sigma = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
    softplus = lambda z: mpmath.log1p(mpmath.exp(z))  # noqa: E731
    with mpmath.workdps(60):
        t = b = mpmath.mpf("1.2")
        root = mpmath.findroot(lambda x: -2 * t * sigma(b - t * (2 * x - 1))
                               + (N - 2) * t * sigma(t * (x * (N - 2) / (N - 1) - 1) - b), 0.7)
        loss = softplus(b - t * (2 * root - 1)) + (N - 1) * softplus(t * (root * (N - 2) / (N - 1) - 1) - b)
        lo, hi = root - mpmath.mpf(10) ** -12, root + mpmath.mpf(10) ** -12
    enclosure = Enclosure(lo, hi, True, "by hand", 30)
    numeric = {"t": RealInput.finite("t", "1.2"), "b": RealInput.finite("b", "1.2")}
    ball = _value_ball(Restriction.of(LOSSES["sigmoid"], ("t", "b")), N, numeric, lo, enclosure, 30)
    with arb_precision(60):
        assert ball.contains(arb(mpmath.nstr(loss, 60))) and ball.rad() < 1e-20


def test_a_value_that_needs_more_digits_gets_them():
    """t = 1e100: the logits are ~1e100, so l(x*) needs about 130 working digits for 20; the
    value agrees with l(x*) by hand: log s(z) = z up to e^z there, so x* solves c - a =
    -log((N-2)/2) and l(x*) = e^a (1 + 2(N-1)/(N-2))."""
    N, digits = 10, 20
    opt = sigmoid_optimum(N, "1e100", 0, digits=digits)
    with mpmath.workdps(200):
        t = mpmath.mpf(10) ** 100
        x = (2 * t - mpmath.log(4)) / (t * (mpmath.mpf(8) / 9 + 2))
        expected = mpmath.exp(-t * (2 * x - 1)) * (1 + mpmath.mpf(18) / 8)
        assert opt.certified and abs(opt.value / expected - 1) < mpmath.mpf(10) ** (1 - digits)
    assert "working digits" in opt.note


def test_a_value_no_precision_resolves_is_none_with_a_note(tmp_path):
    """sum_i (s_ii - log 2)^2 / N: l(x) = (2x - 1 - log 2)^2 is 0 at x* = (1 + log 2)/2, so no
    ball of l(x*) has a correct significant digit: the value is None (JSON null) and the note
    says so, while x* is certified."""
    path = tmp_path / "log2.py"
    path.write_text("def log2(grams, ops):\n"
                    "    return grams.uv.sum_diagonal(lambda s: (s - ops.log(2)) ** 2) / grams.N\n")
    opt = ccem_optimum(load_loss(path, "log2"), 5, {}, digits=20)
    with mpmath.workdps(30):
        assert abs(opt.x - (1 + mpmath.log(2)) / 2) < mpmath.mpf(10) ** -19
    assert opt.certified and opt.value is None and "is not resolved to 20 digits" in opt.note
    result = CliRunner().invoke(main, ["analyse", "--loss-file", str(path), "--loss", "log2", "--N", "5",
                                       "--digits", "20", "--no-gd", "--format", "json"])
    (rec,) = json.loads(result.stdout)["records"]
    assert rec["loss"] is None and "loss not resolved to 20 digits" in rec["note"]
