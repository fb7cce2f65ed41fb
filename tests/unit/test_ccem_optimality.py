"""Is the CCEM optimal for a loss?  The sufficient condition of the Jensen + Lemma 1 argument
(theory.jensen_form, numerics.precision.ccem_optimality): the inequalities read from a loss's
definition against derivatives by hand, proofs for the pair and row losses, reasons for the
others, and the certification's own failure modes (a violation hidden between grid points, a
dropped box, a region that does not cover the interval)."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from clverify.numerics.precision.ccem_optimality import ccem_optimality
from clverify.recheck import check_certificate
from clverify.theory.jensen_form import jensen_form
from clverify.theory.loss_files import load_loss
from clverify.theory.losses import LOSSES

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def example(name):
    return load_loss(EXAMPLES / f"{name}.py", name)


def _sigma(z):
    return 1 / (1 + mpmath.exp(-z))


def _at(condition, value):
    return mpmath.mpf(sp.N(condition.expression.subs(condition.variable, value), 30))


def test_margin_sigmoid_inequalities_are_the_hand_derivatives():
    """F(s) = w softplus(m + b - t s), G(s) = softplus(t s - b): F'' = w t^2 sigma (1 - sigma),
    G' = t sigma(t s - b), G'' = t^2 sigma (1 - sigma), at N = 10, t = 2, b = 1, m = 1, w = 2."""
    R = sp.Rational
    form = jensen_form(example("margin_sigmoid"), 10, {"t": R(2), "b": R(1), "m": R(1), "w": R(2)})
    conditions = {c.name: c for c in form.conditions}
    with mpmath.workdps(30):
        for s in (mpmath.mpf("-0.7"), mpmath.mpf("0.3")):
            z, y = 2 - 2 * s, 2 * s - 1
            assert abs(_at(conditions["F''(s) >= 0"], sp.Float(s, 30)) - 2 * 4 * _sigma(z) * (1 - _sigma(z))) < 1e-25
            assert abs(_at(conditions["G''(s) >= 0"], sp.Float(s, 30)) - 4 * _sigma(y) * (1 - _sigma(y))) < 1e-25
            assert abs(_at(conditions["G'(s) >= 0"], sp.Float(s, 30)) - 2 * _sigma(y)) < 1e-25
    assert all((c.lo, c.hi) == (-1, 1) for c in form.conditions)


def test_margin_infonce_row_term_by_hand():
    """Each direction's row is softplus(log sum_j e^{(s_ij - s_ii + m)/tau}): h = softplus on
    L = log(N - 1) + c + [-(kappa + |mu|), kappa + |mu|], kappa = -mu = 1/tau, c = m/tau."""
    tau, m, N = sp.Rational(1, 2), sp.Rational(1, 5), 10
    form = jensen_form(example("margin_infonce"), N, {"tau": tau, "m": m})
    rows = [c for c in form.conditions if c.name.startswith("row")]
    assert len(rows) == 6   # two directions, f'' and h'', h' each
    h1 = next(c for c in rows if c.name == "row 0: h_0'(y) >= 0")
    lo, hi = sp.log(N - 1) + m / tau - 2 / tau, sp.log(N - 1) + m / tau + 2 / tau
    assert sp.simplify(h1.lo - lo) == 0 and sp.simplify(h1.hi - hi) == 0
    with mpmath.workdps(30):
        assert abs(_at(h1, sp.Rational(1, 3)) - _sigma(mpmath.mpf(1) / 3)) < 1e-25


@pytest.mark.parametrize("loss, params", [
    (example("margin_sigmoid"), {"t": "2", "b": "1", "m": "1", "w": "2"}),
    (example("margin_infonce"), {"tau": "0.5", "m": "0.2"}),
    (example("rowwise_sigmoid"), {"t": "2", "b": "1"}),
    (LOSSES["sigmoid"], {"t": "0.5", "b": "-3"}),
    (LOSSES["infonce-sym"], {"tau": "0.1"}),
], ids=["margin_sigmoid", "margin_infonce", "rowwise_sigmoid", "sigmoid", "infonce-sym"])
def test_pair_and_row_losses_are_shown_with_a_certificate_that_rechecks(loss, params):
    result = ccem_optimality(loss, 10, params)
    assert result.shown, result.reason
    assert "lee2024.lemma1" in result.reason
    data = json.loads(result.certificate.to_json({}))
    check = check_certificate(data)
    assert check.failures == [] and check.facts >= len(result.conditions)
    for name, column in data["columns"].items():
        if column["fact"] == "positive_on_boxes" and name.startswith(("F", "G")):
            lo, hi = data["rows"][0][name]["region"]["s"]
            assert float(lo) <= -1 and float(hi) >= 1


@pytest.mark.parametrize("loss, params, reason", [
    (example("spectral"), {}, "G'(s) >= 0 fails (negative at s = -1"),
    (example("alignment_uniformity"), {"t": "2", "lam": "1"}, "within-view similarities"),
    (LOSSES["sigmoid"], {"t": "-1", "b": "0"}, "G'(s) >= 0 fails"),        # t < 0: g decreasing
    (LOSSES["ntxent"], {"tau": "0.5"}, "pairs the rows of two matrices"),
    (LOSSES["kcl"], {"gamma": "16", "t": "2"}, "within-view similarities"),
])
def test_losses_outside_the_argument_are_not_shown_and_say_why(loss, params, reason):
    result = ccem_optimality(loss, 10, params)
    assert not result.shown and result.certificate is None
    assert reason in result.reason


HIDDEN = """
def hidden(grams, ops, *, eps):
    # F''(s) = (s - 0.99)^2 + eps: negative only on (0.98, 1) for eps = -1e-4
    S = grams.uv
    return (S.sum_diagonal(lambda s: (s - 0.99) ** 4 / 12 + eps * s * s / 2)
            + S.sum_off_diagonal(lambda s: ops.softplus(2 * s - 1))) / S.N
"""


@pytest.fixture
def hidden(tmp_path):
    path = tmp_path / "hidden.py"
    path.write_text(HIDDEN)
    return load_loss(path, "hidden")


def test_a_violation_between_grid_points_is_found_by_the_cover(hidden):
    """F'' < 0 only on (0.98, 1), between two points of the witness grid (0.875 and 1, where
    F'' = 0): only a cover of all of [-1, 1] sees it (a skipped certification or a dropped box
    would pass)."""
    result = ccem_optimality(hidden, 5, {"eps": "-0.0001"})
    assert not result.shown
    assert result.reason.startswith("not shown: F''(s) >= 0 fails (negative at {'s': 0.98")
    control = ccem_optimality(hidden, 5, {"eps": "0.0001"})
    assert control.shown, control.reason


def test_a_tampered_certificate_fails_the_recheck(hidden):
    """The control's F'' cover has many boxes: dropping one, or shrinking the region below
    [-1, 1], is caught by clverify.recheck."""
    data = json.loads(ccem_optimality(hidden, 5, {"eps": "0.0001"}).certificate.to_json({}))
    cell = data["rows"][0]["F''(s) >= 0"]
    assert cell["leaves"] > 20 and check_certificate(data).failures == []
    dropped = json.loads(json.dumps(data))
    dropped["rows"][0]["F''(s) >= 0"]["tree"] = cell["tree"][:-1]
    assert check_certificate(dropped).failures
    shrunk = json.loads(json.dumps(data))
    shrunk["rows"][0]["F''(s) >= 0"]["region"]["s"] = ["-1", "0.5"]
    assert any("the column fixes it to" in m for m in check_certificate(shrunk).failures)


def test_a_side_narrower_than_the_irrational_interval_fails_the_recheck():
    """h'' of margin_infonce is needed on log 9 + 2/5 -+ 4 (irrational ends, rounded outwards to
    dyadic sides): a certificate whose fixed side and region both say [-1, 6] has every box
    positive, and only the 'covers' check (the side contains [log 9 - 3.6, log 9 + 4.4]) fails."""
    result = ccem_optimality(example("margin_infonce"), 10, {"tau": "0.5", "m": "0.2"})
    data = json.loads(result.certificate.to_json({}))
    name = "row 0: h_0''(y) >= 0"
    data["columns"][name]["fixed"]["y"] = ["-1", "6"]
    data["rows"][0][name]["region"]["y"] = ["-1", "6"]
    failures = check_certificate(data).failures
    assert len(failures) == 1 and "is not certified to contain" in failures[0]
