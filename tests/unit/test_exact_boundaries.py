"""A slope exactly zero at an end of [0, 1] puts the optimum at that end, certified, through
every route: the library (the sigmoid loss's closed forms and the generic strategy,
``analyse``), the commands ``optimum``, ``analyse``, ``advise`` and ``phase``.

Expected values, by hand.  The sigmoid loss on the CCEM (x = delta^2, s+ = 2x - 1,
s- = ((N - 2) s+ - N) / (2(N - 1))) is l(x) = sp(b - t s+) + (N - 1) sp(t s- - b), so with
sigma the logistic function

    l'(0) = -2t sigma(b + t) + (N - 2) t sigma(-t - b),
    l'(1) = -2t sigma(b - t) + (N - 2) t sigma(-t/(N - 1) - b).

* N = 4, t + b = 0: l'(0) = -2t/2 + 2t/2 = 0, so x* = 0 (antipodal), s+ = s- = -1 and
  l(0) = sp(0) + 3 sp(0) = 4 log 2.
* N = 4, t = 3b: b - t = -2b = -t/3 - b, so l'(1) = 0, x* = 1 (the ETF), s+ = 1, s- = -1/3 and
  l(1) = 4 sp(-2b).
* The user loss sum_i (1 - s_ii)^2 / N: l(x) = (1 - s+)^2 = 4(1 - x)^2, l'(1) = 0, l'' = 8:
  x* = 1 (the ETF), value 0, s- = -1/(N - 1).

Each fails if an exactly zero end slope is read as intermediate (or a strict comparison is
used), or if the sign is left undecided (not certified).
"""

from __future__ import annotations

import json

import mpmath
import pytest
from click.testing import CliRunner

from clverify import analyse, load_loss
from clverify.numerics.precision.advice import etf_batch_limit
from clverify.numerics.precision.ccem_optimum import ccem_optimum, sigmoid_optimum
from clverify.proofs_check.cli import main
from clverify.theory.losses import LOSSES, Loss

DIGITS = 30
GENERIC_SIGMOID = Loss("sigmoid-generic", LOSSES["sigmoid"].function, ("t", "b"))
QUADRATIC = "def quadratic(grams, ops):\n    return grams.uv.sum_diagonal(lambda s: (1 - s) ** 2) / grams.N\n"


def _softplus(z):
    return mpmath.log1p(mpmath.exp(z))


def _close(value, expected, digits=DIGITS - 2):
    with mpmath.workdps(DIGITS + 10):
        value = mpmath.mpf(value)
        return abs(value - expected) <= mpmath.mpf(10) ** -digits * max(1, abs(expected))


# (N, t, b) -> (regime, x*, s+, s-, l(x*)) by hand (module docstring); s- and l(x*) are
# computed at DIGITS + 10 digits
SIGMOID_CASES = {
    (4, "1", "-1"): ("antipodal", 0, -1, lambda: -1, lambda: 4 * mpmath.log(2)),
    (4, "0.3", "-0.3"): ("antipodal", 0, -1, lambda: -1, lambda: 4 * mpmath.log(2)),
    (4, "3", "1"): ("etf", 1, 1, lambda: mpmath.mpf(-1) / 3, lambda: 4 * _softplus(-2)),
    (4, "0.3", "0.1"): ("etf", 1, 1, lambda: mpmath.mpf(-1) / 3,
                        lambda: 4 * _softplus(mpmath.mpf("-0.2"))),
}


def _check(found, expected):
    regime, x, s_pos, s_neg, value = expected
    with mpmath.workdps(DIGITS + 10):
        s_neg, value = s_neg(), value()
    assert (found["regime"], found["certified"]) == (regime, True), found
    assert mpmath.mpf(found["x"]) == x and mpmath.mpf(found["s_pos"]) == s_pos
    assert _close(found["s_neg"], s_neg) and _close(found["loss"], value)


@pytest.mark.parametrize("point", SIGMOID_CASES, ids=str)
@pytest.mark.parametrize("loss", [LOSSES["sigmoid"], GENERIC_SIGMOID], ids=["closed forms", "generic"])
def test_the_sigmoid_loss_at_an_exact_boundary_in_the_library(point, loss):
    N, t, b = point
    opt = ccem_optimum(loss, N, {"t": t, "b": b}, digits=DIGITS)
    _check({"regime": opt.regime, "certified": opt.certified, "x": opt.x, "s_pos": opt.s_pos,
            "s_neg": opt.s_neg, "loss": opt.value}, SIGMOID_CASES[point])
    assert "= 0 exactly" in opt.note and opt.x_enclosure.certified
    assert opt.x_enclosure.lo == opt.x_enclosure.hi == opt.x


def _json(*args):
    result = CliRunner().invoke(main, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["records"]


@pytest.mark.parametrize("point", SIGMOID_CASES, ids=str)
def test_the_sigmoid_loss_at_an_exact_boundary_through_optimum_and_analyse(point):
    N, t, b = point
    (rec,) = _json("optimum", "--N", N, "--t", t, "--b", b, "--digits", DIGITS)
    _check(rec, SIGMOID_CASES[point])
    (rec,) = _json("analyse", "--loss", "sigmoid", "--N", N, "--param", f"t={t}", "--param", f"b={b}",
                   "--digits", DIGITS, "--no-gd")
    _check({**rec, "x": rec["x_star"]}, SIGMOID_CASES[point])
    result = analyse("sigmoid", N, params={"t": t, "b": b}, digits=DIGITS, gd=False)
    assert (result.regime, result.certified, result.x_star) == (SIGMOID_CASES[point][0], True,
                                                                 SIGMOID_CASES[point][1])


@pytest.mark.parametrize("N", [4, 7])
def test_the_quadratic_user_loss_is_the_etf_with_value_zero(tmp_path, N):
    path = tmp_path / "quadratic.py"
    path.write_text(QUADRATIC)
    loss = load_loss(path, "quadratic")
    expected = ("etf", 1, 1, lambda: mpmath.mpf(-1) / (N - 1), lambda: mpmath.mpf(0))
    opt = ccem_optimum(loss, N, {}, digits=DIGITS)
    _check({"regime": opt.regime, "certified": opt.certified, "x": opt.x, "s_pos": opt.s_pos,
            "s_neg": opt.s_neg, "loss": opt.value}, expected)
    assert opt.note.endswith("x*: l'(1) = 0 exactly (an exact ball)") and opt.value == 0
    (rec,) = _json("analyse", "--loss-file", path, "--loss", "quadratic", "--N", N, "--digits", DIGITS,
                   "--no-gd")
    _check({**rec, "x": rec["x_star"]}, expected)
    assert json.loads(json.dumps(rec["x_enclosure"])) == ["1", "1"]


def test_advise_takes_the_regime_and_the_etf_batch_limit_from_the_same_rule():
    (rec,) = _json("advise", "--N", 4, "--t", "0.3", "--b", "-0.3", "--convention", "paper")
    assert (rec["regime"], rec["x_star"], rec["certified"]) == ("antipodal", "0.0", True)
    # t = 3b: l'(1) = 0 exactly at N = 4, > 0 at N = 5 (3(1 + e^2) > 2(1 + e^{7/4})), so the ETF
    # is optimal for N <= 4 exactly
    assert etf_batch_limit(3, 1) == (4, True, "")
    (rec,) = _json("advise", "--N", 4, "--t", 3, "--b", 1, "--convention", "paper")
    assert (rec["regime"], rec["n_etf_max"], rec["certified"]) == ("etf", 4, True)


@pytest.mark.parametrize("N, t, kind, regime", [(4, "1", "b_antipodal", "antipodal"),
                                                (4, "3", "b_etf", "etf")])
def test_optimum_at_the_boundary_phase_prints_is_that_boundary_s_structure(N, t, kind, regime):
    """phase: the ETF iff b >= b_etf, the antipodal structure iff b <= b_antipodal; at
    N = 4 both boundaries are exact (-t and t/3), and the optimum there is certified."""
    (rec,) = _json("phase", "--N", N, "--t", t, "--digits", DIGITS)
    boundary = mpmath.mpf(rec[kind])
    assert boundary == {"b_antipodal": -mpmath.mpf(t), "b_etf": mpmath.mpf(t) / 3}[kind]
    opt = sigmoid_optimum(N, t, rec[kind], digits=DIGITS)
    assert (opt.regime, opt.certified) == (regime, True)
