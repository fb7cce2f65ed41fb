"""A researcher's own loss end to end (``clverify analyse``, ``clverify.analyse``): the worked
example of docs/extending.md against closed forms derived by hand, the built-in sigmoid loss
given as a file against ``clverify optimum`` and ``clverify gd``, and bad loss files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner

from clverify import analyse, load_loss, sweep
from clverify.proofs_check.cli import main
from clverify.theory.errors import LossDefinitionError

ROOT = Path(__file__).resolve().parents[2]
MARGIN = ROOT / "docs" / "examples" / "margin_sigmoid.py"
SIGLIP = """
def sigmoid(grams, ops, *, t, b):
    S = grams.uv
    return (S.sum_diagonal(lambda s: ops.softplus(b - t * s))
            + S.sum_off_diagonal(lambda s: ops.softplus(t * s - b))) / S.N
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def records(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["records"]


def _sigma(z):
    return 1 / (1 + mpmath.exp(-z))


def _margin_dl(x, N, t, b, m):
    """l'(x) of the margin loss on the CCEM, by hand: s+ = 2x - 1, s- = x (N-2)/(N-1) - 1, so
    l = softplus(m + b - t s+) + (N - 1) softplus(t s- - b)."""
    return -2 * t * _sigma(m + b - t * (2 * x - 1)) + (N - 2) * t * _sigma(t * (x * (N - 2) / (N - 1) - 1) - b)


def _margin_boundary_b(x0, N, t, m):
    """The b where l'(x0) = 0, by hand: with u = e^b, A = e^{t(2 x0 - 1) - m} and
    B = e^{-t(x0 (N-2)/(N-1) - 1)}, 2u/(u + A) = (N-2)/(1 + uB), i.e.
    2B u^2 - (N - 4) u - (N - 2) A = 0."""
    A = mpmath.exp(t * (2 * x0 - 1) - m)
    B = mpmath.exp(-t * (x0 * mpmath.mpf(N - 2) / (N - 1) - 1))
    u = ((N - 4) + mpmath.sqrt((N - 4) ** 2 + 8 * B * (N - 2) * A)) / (4 * B)
    return mpmath.log(u)


def test_margin_example_optimum_is_the_root_of_the_hand_derivative():
    result = analyse(load_loss(MARGIN, "margin_sigmoid"), 10, 10, {"t": "2", "b": "1", "m": "1"},
                     restarts=1)
    with mpmath.workdps(40):
        root = mpmath.findroot(lambda x: _margin_dl(x, 10, 2, 1, 1), 0.5)
        assert abs(result.x_star - root) < mpmath.mpf(10) ** -28
        by_hand = (mpmath.log1p(mpmath.exp(1 + 1 - 2 * (2 * root - 1)))
                   + 9 * mpmath.log1p(mpmath.exp(2 * (root * 8 / 9 - 1) - 1)))
        assert abs(result.loss - by_hand) < mpmath.mpf(10) ** -28
    assert result.regime == "intermediate" and result.certified
    assert result.converged and abs(result.loss_gap) < 1e-9 and result.gram_distance < 1e-6


def test_margin_example_regime_changes_are_the_hand_closed_forms():
    changes = sweep(load_loss(MARGIN, "margin_sigmoid"), 10, "b", "-5", "10", {"t": "2", "m": "1"},
                    points=40, digits=30)
    assert [(c.below, c.above, c.condition) for c in changes] == [
        ("antipodal", "intermediate", "l'(0) = 0"), ("intermediate", "etf", "l'(1) = 0")]
    with mpmath.workdps(40):
        for change, x0 in zip(changes, (0, 1)):
            assert change.certified and change.enclosure.contains(_margin_boundary_b(x0, 10, 2, 1))
            assert change.enclosure.width < mpmath.mpf(10) ** -29


def test_margin_zero_is_the_sigmoid_loss_boundary():
    """The hand formula at m = 0 is the built-in sigmoid's b_E(N, t) (an anchor of the formula)."""
    from clverify.numerics.precision.thresholds import etf_boundary_b

    with mpmath.workdps(30):
        assert abs(_margin_boundary_b(1, 10, 2, 0) - mpmath.mpf(etf_boundary_b(10, 2, 30).value)) < 1e-25


def test_the_sigmoid_loss_as_a_file_agrees_with_optimum_and_gd(tmp_path):
    path = tmp_path / "siglip.py"
    path.write_text(SIGLIP)
    (mine,) = records(run("analyse", "--loss-file", path, "--loss", "sigmoid", "--N", 10, "--d", 10,
                          "--param", "t=2", "--param", "b=1", "--format", "json"))
    (theirs,) = records(run("optimum", "--N", 10, "--t", 2, "--b", 1, "--digits", 30, "--format", "json"))
    for key, other in (("x_star", "x"), ("delta_star", "delta"), ("s_pos", "s_pos"),
                       ("s_neg", "s_neg"), ("loss", "loss"), ("regime", "regime"),
                       ("x_enclosure", "x_enclosure"), ("certified", "certified")):
        assert mine[key] == theirs[other], key
    (gd,) = records(run("gd", "--N", 10, "--d", 10, "--t", 2, "--b", 1, "--format", "json"))
    assert abs(mine["gd_loss"] - gd["loss"]) <= 1e-8


def test_cli_record_has_the_contract_keys_and_matches_the_api():
    (rec,) = records(run("analyse", "--loss-file", MARGIN, "--loss", "margin_sigmoid", "--N", 4,
                         "--param", "t=3", "--param", "b=3", "--param", "m=0.5", "--restarts", 1,
                         "--format", "json"))
    assert {"N", "d", "params", "loss_latex", "x_star", "delta_star", "s_pos", "s_neg", "loss",
            "regime", "certified", "gd_loss", "loss_gap", "gram_distance", "converged",
            "note"} <= set(rec)
    api = analyse(load_loss(MARGIN, "margin_sigmoid"), 4, params={"t": "3", "b": "3", "m": "0.5"},
                  restarts=1).record()
    assert set(api) == set(rec) and api["regime"] == rec["regime"] and api["params"] == rec["params"]


def test_a_loss_the_ccem_cannot_reach_gets_a_note(tmp_path):
    """Positives at 1, negatives at +0.3: u = v with Gram 0.7 I + 0.3 J reaches 0, but every
    CCEM has s- <= 0, so gradient descent ends below the CCEM optimum."""
    path = tmp_path / "attract.py"
    path.write_text("def attract(grams, ops, *, c):\n    S = grams.uv\n"
                    "    return (S.sum_diagonal(lambda s: (s - 1) ** 2)"
                    " + S.sum_off_diagonal(lambda s: (s - c) ** 2)) / S.N\n")
    result = analyse(load_loss(path, "attract"), 4, 4, {"c": "0.3"}, restarts=2)
    assert result.gd_loss < 1e-12 and result.loss_gap < -0.1
    assert "does not contain the optimum" in result.note


BAD_FILES = {
    "syntax": ("def broken(grams, ops, *, t:\n    return 0\n", "broken", (), "syntax error at line 1"),
    "missing": ("def other(grams, ops):\n    return 0\n", "absent", (), "defines no function 'absent'"),
    "unsupplied": (SIGLIP, "sigmoid", ("--param", "t=1"), "needs parameter(s) b"),
    "math_exp": ("import math\ndef e(grams, ops, *, t):\n"
                 "    return grams.uv.sum_diagonal(lambda s: math.exp(t * s))\n", "e", ("--param", "t=1"),
                 "failed on the sympy backend (TypeError"),
    "not_in_ops": ("def e(grams, ops, *, t):\n    return grams.uv.sum_diagonal(lambda s: ops.tanh(t * s))\n",
                   "e", ("--param", "t=1"), "'Ops' object has no attribute 'tanh'"),
    "nan": ("def e(grams, ops, *, t):\n    return float('nan') * grams.uv.sum_diagonal(lambda s: t * s)\n",
            "e", ("--param", "t=1"), "not a finite real number"),
    "signature": ("def e(grams, *, t):\n    return 0\n", "e", ("--param", "t=1"), "must have the signature"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_loss_files_are_one_line_errors(tmp_path, case):
    source, name, extra, message = BAD_FILES[case]
    path = tmp_path / "loss.py"
    path.write_text(source)
    out = tmp_path / "out.json"
    result = run("analyse", "--loss-file", path, "--loss", name, "--N", 4, *extra, "--out", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("clverify: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr and not out.exists()


@pytest.mark.parametrize("args, message", [
    (("--sweep-param", "b"), "--sweep-param and --range go together"),
    (("--sweep-param", "b", "--range", "5:1"), "range must be A:B"),
    (("--sweep-param", "q", "--range", "1:5"), "q is not a parameter"),
    (("--digits", "3"), "digits must be an integer in [15, 10000]"),
    (("--param", "b=1", "--sweep-param", "b", "--range", "0:1"), "--param b is also given as --sweep-param"),
])
def test_bad_options_are_one_line_errors(args, message):
    result = run("analyse", "--loss", "sigmoid", "--N", 4, "--param", "t=1", *args)
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_sweep_reports_both_ends_when_nothing_changes():
    result = run("analyse", "--loss", "infonce-sym", "--N", 6, "--sweep-param", "tau",
                 "--range", "0.1:2", "--points", 5, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["records"] == [] and "etf at 0.1, etf at 2" in data["provenance"]["sweep"]


def test_what_a_loss_prints_when_called_goes_to_stderr_and_the_records_stay_json(tmp_path):
    """The loss runs on every backend (SymPy, mpmath, torch) and prints each time: stdout is still
    exactly the JSON records, and the prints are on stderr."""
    path = tmp_path / "loss.py"
    path.write_text(SIGLIP.replace("    S = grams.uv\n", "    print('evaluating')\n    S = grams.uv\n"))
    result = run("analyse", "--loss-file", path, "--loss", "sigmoid", "--N", 4, "--param", "t=2",
                 "--param", "b=2", "--restarts", 1, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"][0]["regime"] == "etf"
    assert "evaluating" in result.stderr and "evaluating" not in result.stdout


@pytest.mark.parametrize("prefix, message", [
    ("import sys\nsys.exit(0)\n", "importing it exits (SystemExit: 0)"),
    ("raise SystemExit\n", "importing it exits (SystemExit: None)"),
    ("print('loaded')\n", "importing it printed 'loaded'"),
])
def test_a_loss_file_that_exits_or_prints_while_loading_is_a_bad_file(tmp_path, prefix, message):
    path = tmp_path / "loss.py"
    path.write_text(prefix + SIGLIP)
    with pytest.raises(LossDefinitionError, match=re.escape(message)):
        load_loss(path, "sigmoid")
    assert not (tmp_path / "__pycache__").exists()
