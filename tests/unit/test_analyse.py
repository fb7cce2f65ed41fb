"""A researcher's own loss end to end (``clverify analyse``, ``clverify.analyse``): the worked
example of docs/extending.md against closed forms derived by hand, the built-in sigmoid loss
given as a file against ``clverify optimum`` and ``clverify gd``, and bad loss files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import mpmath
import pytest
from cli_runs import SIGLIP, records, run

from clverify import analyse, load_loss, track_regimes
from clverify.theory.errors import LossDefinitionError

ROOT = Path(__file__).resolve().parents[2]
MARGIN = ROOT / "docs" / "examples" / "margin_sigmoid.py"
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
    changes = track_regimes(load_loss(MARGIN, "margin_sigmoid"), 10, "b", "-5", "10", {"t": "2", "m": "1"},
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
    "var_keyword": ("def e(grams, ops, **params):\n    return params['t'] * grams.uv.sum_diagonal(lambda s: s)\n",
                    "e", ("--param", "t=1"), "takes **params: name its parameters as keyword arguments"),
    "word_for_a_number": (SIGLIP, "sigmoid", ("--param", "t=abc", "--param", "b=1"),
                          "t must be a real number (a parameter of loss 'sigmoid'), got 'abc'"),
    "tuple": ("def e(grams, ops, *, t):\n    return (grams.uv.sum_diagonal(lambda s: s), t)\n", "e",
              ("--param", "t=1", "--no-gd"), "returned a tuple on the sympy backend, not one number"),
    # a double-constant matrix has one row class (multiplicity N): summing rows() without the
    # multiplicity is right on no real embedding, and the explicit vectors show it
    "rows_without_multiplicity": ("def e(grams, ops, *, t):\n    return t * sum(r[1] for r in grams.uv.rows())\n",
                                  "e", ("--param", "t=1", "--no-gd"),
                                  "on explicit CCEM vectors differs from its CCEM restriction l(x) at N = 3"),
    # log of a negative number: SymPy cancels z/z, mpmath gives a complex number
    "cancelled_nan": ("def e(grams, ops, *, t):\n    S = grams.uv\n    z = ops.log(S.sum_diagonal(lambda s: s - 2))\n"
                      "    return S.sum_off_diagonal(lambda s: ops.softplus(t * s)) * z / z\n", "e",
                      ("--param", "t=1", "--no-gd"), "on explicit CCEM vectors at N = 3, x = 0, not a finite real"),
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


def test_a_file_that_is_not_python_is_one_line(tmp_path):
    path = tmp_path / "loss.txt"
    path.write_text(SIGLIP)
    result = run("analyse", "--loss-file", path, "--loss", "sigmoid", "--N", 4, "--param", "t=1",
                 "--param", "b=1")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "loss-file must be an existing Python file (.py)" in result.stderr


def _sigmoid_x_star(N, t, b):
    """x* of the sigmoid loss on the CCEM by hand: the root of
    l'(x) = -2t sigma(b - t(2x - 1)) + (N - 2) t sigma(t(x (N-2)/(N-1) - 1) - b) (interior here)."""
    return mpmath.findroot(lambda x: -2 * t * _sigma(b - t * (2 * x - 1))
                           + (N - 2) * t * _sigma(t * (x * mpmath.mpf(N - 2) / (N - 1) - 1) - b), 0.8)


@pytest.mark.parametrize("source", [
    SIGLIP.replace("*, t, b)", "*, t, b=0.2)"),
    SIGLIP.replace("*, t, b)", "*, t)").replace("- b)", "- 0.2)").replace("(b -", "(0.2 -"),
], ids=["float_default", "float_literals"])
def test_float_literals_and_defaults_are_their_decimal_text(tmp_path, source):
    """x* at b = 1/5 exactly, against the hand root at 50 digits; the binary double 0.2 would
    move x* at digit 17 (the second assertion shows the first can tell them apart)."""
    path = tmp_path / "loss.py"
    path.write_text(source)
    result = analyse(load_loss(path, "sigmoid"), 4, params={"t": "2"}, gd=False, digits=40)
    with mpmath.workdps(50):
        decimal, binary = (_sigmoid_x_star(4, 2, b) for b in (mpmath.mpf(1) / 5, mpmath.mpf(0.2)))
        assert abs(result.x_star - decimal) < mpmath.mpf(10) ** -38
        assert abs(binary - decimal) > mpmath.mpf(10) ** -20
    assert result.params.get("b", "0.2") == "0.2" and result.certified


ABS_SIGN = """
def kinked(grams, ops, *, t):
    S = grams.uv
    return (S.sum_diagonal(lambda s: abs(s - 0.5))
            + S.sum_off_diagonal(lambda s: t * ops.sign(s) * s * s)) / S.N
"""


def _kinked_by_hand(x, N, t):
    """On the CCEM s+ = 2x - 1 and s- = x (N-2)/(N-1) - 1 < 0, so
    l(x) = |2x - 3/2| - (N - 1) t s-^2."""
    s_neg = x * mpmath.mpf(N - 2) / (N - 1) - 1
    return abs(2 * x - mpmath.mpf(3) / 2) - (N - 1) * t * s_neg**2


def test_abs_and_sign_run_on_every_backend(tmp_path):
    """SymPy (the restriction), mpmath (explicit vectors: analyse's check), torch (the value on
    the CCEM's vectors): each against the hand formula.  At N = 4, t = 1, l'(x) = 2 - 8x/3 > 0
    below x = 3/4 and 6 - 8x/3 > 0 above: the minimum is at x = 0, l(0) = -3/2."""
    import torch

    from clverify.numerics.descent.torch_losses import TorchLoss
    from clverify.theory.structures import CCEM

    path = tmp_path / "loss.py"
    path.write_text(ABS_SIGN)
    loss = load_loss(path, "kinked")
    result = analyse(loss, 4, params={"t": "1"}, gd=False)
    assert result.regime == "antipodal" and result.loss == mpmath.mpf(-1.5)
    assert not result.certified and "kink where 2*x - 3/2 = 0 may lie in [0, 1]" in result.note
    for x in (0.3, 0.9):
        U, V = (torch.tensor(M, dtype=torch.float64) for M in CCEM(4, x**0.5).array())
        got = float(TorchLoss(loss)(U, V, t=1.0))
        assert abs(got - float(_kinked_by_hand(mpmath.mpf(x), 4, 1))) < 1e-12


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


def test_the_old_notebook_name_sweep_is_a_deprecated_alias_of_track_regimes():
    import clverify

    with pytest.warns(DeprecationWarning, match="use clverify.track_regimes"):
        changes = clverify.sweep("sigmoid", 10, "b", "-5", "10", {"t": "2"}, points=20, digits=20)
    assert [(c.below, c.above) for c in changes] == [("antipodal", "intermediate"), ("intermediate", "etf")]


def test_plot_draws_the_restriction_and_writes_png_and_pdf(tmp_path):
    """The drawn curve is l(x) = -2(2x - 1) + (N - 1) s-(x)^2 of the spectral loss (by hand,
    docs/examples/spectral.py); both files are written and named in the provenance."""
    from clverify.numerics.output.loss_figures import restriction_curve

    spectral = ROOT / "docs" / "examples" / "spectral.py"
    result = run("analyse", "--loss-file", spectral, "--loss", "spectral", "--N", 10, "--no-gd",
                 "--plot", tmp_path / "fig.png", "--format", "json")
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)["provenance"]["plot"]
    assert [Path(p).suffix for p in written] == [".png", ".pdf"]
    assert all(Path(p).stat().st_size > 1000 for p in written)
    xs, ys = restriction_curve(analyse(load_loss(spectral, "spectral"), 10, gd=False),
                               load_loss(spectral, "spectral"))
    for x, y in zip(xs, ys):
        assert abs(y - (-2 * (2 * x - 1) + 9 * (x * 8 / 9 - 1) ** 2)) < 1e-12


def test_one_record_in_markdown_is_one_field_a_line():
    result = run("analyse", "--loss", "sigmoid", "--N", 4, "--param", "t=2", "--param", "b=2", "--no-gd")
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("<!--")[0].strip().splitlines()
    assert lines[:2] == ["| field | value |", "|---|---|"]
    assert "| regime | etf |" in lines and all(line.count("|") == 3 for line in lines)


def test_a_sign_that_cannot_change_on_the_ccem_is_no_kink(tmp_path):
    """-sign(s) = 1 for every negative pair of a CCEM (s- <= -1/(N-1)): the loss is the sigmoid
    loss there, so x* and its certificate are the built-in sigmoid's (another route: the closed
    forms of SigmoidRestriction)."""
    from clverify.numerics.precision.ccem_optimum import sigmoid_optimum

    path = tmp_path / "loss.py"
    path.write_text("def signed(grams, ops, *, t, b):\n    S = grams.uv\n"
                    "    return (S.sum_diagonal(lambda s: ops.softplus(b - t * s))\n"
                    "            - S.sum_off_diagonal(lambda s: ops.sign(s) * ops.softplus(t * s - b))) / S.N\n")
    result = analyse(load_loss(path, "signed"), 10, params={"t": "2", "b": "1"}, gd=False)
    reference = sigmoid_optimum(10, "2", "1", digits=30)
    assert result.certified and result.regime == reference.regime and result.x_star == reference.x


TWO_WELLS = '''
def two_wells(grams, ops, *, a):
    return grams.uv.sum_diagonal(lambda s: (s * s - 0.25) ** 2 + a * s) / grams.N
'''


def test_a_jump_between_two_wells_is_an_event_with_both_minimisers(tmp_path):
    """l(x) = (s^2 - 1/4)^2 + a s, s = 2x - 1: by the symmetry s -> -s the two wells (near
    s = 1/2 and s = -1/2, x = 3/4 and 1/4) are equally low exactly at a = 0, where x* jumps from
    3/4 (a < 0) to 1/4; the regime is 'intermediate' on both sides, so a tracker of regimes
    alone sees nothing."""
    path = tmp_path / "two.py"
    path.write_text(TWO_WELLS)
    track = track_regimes(load_loss(path, "two_wells"), 4, "a", "-0.1", "0.13", points=30, digits=30)
    (jump,) = track
    assert (jump.event, jump.below, jump.above, jump.certified) == ("jump", "intermediate", "intermediate", False)
    with mpmath.workdps(40):
        assert abs(jump.value) < mpmath.mpf(10) ** -25 and jump.enclosure.contains(0)
        assert abs(jump.x_below - mpmath.mpf(3) / 4) < 1e-20 and abs(jump.x_above - mpmath.mpf(1) / 4) < 1e-20
    assert track.regimes == ["intermediate"] * 30


def test_a_linear_restriction_jumps_exactly_where_its_slope_vanishes():
    """alignment + uniformity: l(x) = 4(1 - x) - 2 lam t N x/(N - 1) (docstring) has slope 0 at
    lam = -2(N - 1)/(t N) = -9/10 (N = 10, t = 2): the ETF above, the antipodal end below, the
    boundary printed exactly."""
    example = ROOT / "docs" / "examples" / "alignment_uniformity.py"
    result = run("analyse", "--loss-file", example, "--loss", "alignment_uniformity", "--N", 10,
                 "--param", "t=2", "--sweep-param", "lam", "--range", "-2:1", "--points", 20,
                 "--format", "json")
    (event,) = records(result)
    assert (event["event"], event["value"], event["below"], event["above"], event["certified"]) == (
        "jump", "-0.9", "antipodal", "etf", True)
    assert (event["x_below"], event["x_above"]) == ("0.0", "1.0")


def test_digits_shown_are_only_those_the_enclosure_certifies():
    from clverify.numerics.precision.certify import Enclosure
    from clverify.numerics.precision.regime_sweep import shown

    with mpmath.workdps(40):
        wide = Enclosure(mpmath.mpf("-0.9000000000000000000148"), mpmath.mpf("-0.8999999999999999999987"), False)
        assert shown(wide, 30) == "-0.9"
        narrow = Enclosure(mpmath.mpf("1.478618994"), mpmath.mpf("1.478618996"), False)
        assert shown(narrow, 30) == "1.478619" and shown(narrow, 5) == "1.4786"   # 1.4786190 at 8 digits
