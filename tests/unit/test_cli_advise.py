"""``clverify advise``: SigLIP's initialisation and the LiT setting against an independent
high-precision computation (the CCEM loss l(x), its derivative and the ETF condition written out
here by hand, minimised on a grid and solved with mpmath's findroot), conventions, input errors."""

from __future__ import annotations

import json

import mpmath
import pytest
from click.testing import CliRunner

from clverify.proofs_check.cli import main

DIGITS = 40


def _advise(*args):
    result = CliRunner().invoke(main, ["advise", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _record(*args):
    return json.loads(_advise(*args, "--format", "json", "--digits", "30").stdout)["records"][0]


def _l(x, n, t, b):
    """l(x) = sp(b - t(2x - 1)) + (N - 1) sp(t(x (N-2)/(N-1) - 1) - b), b subtracted (by hand)."""
    return (mpmath.log1p(mpmath.exp(b - t * (2 * x - 1)))
            + (n - 1) * mpmath.log1p(mpmath.exp(t * (x * (n - 2) / (n - 1) - 1) - b)))


def _log_ratio(x, n, t, b):
    """log of the ratio of the two terms of l'(x) = t[-2 sigma(A) + (N-2) sigma(B)], A = b - t(2x-1),
    B = t(x(N-2)/(N-1) - 1) - b: it has the sign of l'(x) and is well scaled for root finding."""
    a, c = b - t * (2 * x - 1), t * (x * (n - 2) / (n - 1) - 1) - b
    return mpmath.log(n - 2) - mpmath.log1p(mpmath.exp(-c)) - mpmath.log(2) + mpmath.log1p(mpmath.exp(-a))


def _reference(n, t, b_siglip):
    """x*, the b-boundaries (paper convention) and n_etf_max, computed independently."""
    n, t, b = mpmath.mpf(n), mpmath.mpf(t), -mpmath.mpf(b_siglip)
    grid = [mpmath.mpf(k) / 1000 for k in range(1001)]
    k = min(range(1001), key=lambda j: _l(grid[j], n, t, b))
    assert 0 < k < 1000, "the test expects an interior optimum"
    x = mpmath.findroot(lambda z: _log_ratio(z, n, t, b), (grid[k - 1], grid[k + 1]), solver="illinois")
    b_e = mpmath.findroot(lambda c: _log_ratio(1, n, t, c), (-60, 60), solver="illinois")
    b_a = mpmath.findroot(lambda c: _log_ratio(0, n, t, c), (-60, 60), solver="illinois")

    def f(m):  # the ETF is optimal at batch size m iff f(m) <= 0; f increases with m
        return mpmath.log(m - 2) + mpmath.log1p(mpmath.exp(t - b)) - mpmath.log(2) - mpmath.log1p(mpmath.exp(t / (m - 1) + b))
    if f(3) > 0:
        n_max = None
    else:
        n_max = int(mpmath.floor(mpmath.findroot(f, (mpmath.mpf(3), mpmath.mpf(10) ** 7), solver="illinois")))
        assert f(n_max) <= 0 < f(n_max + 1)
    return x, b_e, b_a, n_max


@pytest.mark.parametrize("n,t,b_siglip", [(32768, "10", "-10"), (512, "10", "-2.71")],
                         ids=["siglip_init_32k", "lit_512"])
def test_advise_matches_independent_high_precision(n, t, b_siglip):
    with mpmath.workdps(DIGITS):
        x, b_e, b_a, n_max = _reference(n, t, b_siglip)
        r = _record("--N", str(n), "--t", t, "--b", b_siglip, "--convention", "siglip")
        tol = mpmath.mpf(10) ** -25
        assert r["regime"] == "intermediate" and r["certified"] is True
        assert abs(mpmath.mpf(r["x_star"]) - x) < tol
        assert abs(mpmath.mpf(r["s_pos"]) - (2 * x - 1)) < tol
        assert abs(mpmath.mpf(r["s_neg"]) - (x * (n - 2) / (n - 1) - 1)) < tol
        lo, hi = (mpmath.mpf(v) for v in r["x_star_enclosure"])
        assert lo <= x <= hi
        # SigLIP adds the bias: its boundaries are -b_E and -b_A, the ETF side is "<="
        assert abs(mpmath.mpf(r["boundary_etf"]) + b_e) < tol and abs(mpmath.mpf(r["boundary_antipodal"]) + b_a) < tol
        assert r["etf_if_bias"] == "<=" and r["n_etf_max"] == n_max
        assert mpmath.mpf(r["b_paper"]) == -mpmath.mpf(b_siglip) and mpmath.mpf(r["b_siglip"]) == mpmath.mpf(b_siglip)
        b = -mpmath.mpf(b_siglip)
        nearest = min((abs(b - b_e), "etf"), (abs(b - b_a), "antipodal"))
        assert r["nearest_boundary"] == nearest[1] and abs(mpmath.mpf(r["margin"]) - nearest[0]) < tol


def test_siglip_initialisation_answers_the_bias_minus_log_N_rule():
    """At t = 10 and SigLIP bias -10 the ETF is optimal up to about e^10 pairs (the rule of thumb
    b = -log N): n_etf_max - 3 = e^{10 + 10/(n_etf_max - 1)} to within one."""
    n_max = _record("--N", "1000", "--t", "10", "--b", "-10", "--convention", "siglip")["n_etf_max"]
    with mpmath.workdps(30):
        assert n_max - 4 < mpmath.exp(10 + mpmath.mpf(10) / (n_max - 1)) <= n_max - 2
        assert abs(n_max - mpmath.exp(10)) < 20


def test_conventions_are_mirror_images():
    siglip = _record("--N", "64", "--t", "5", "--b", "-1.5", "--convention", "siglip")
    paper = _record("--N", "64", "--t", "5", "--b", "1.5", "--convention", "paper")
    for key in ("regime", "x_star", "s_pos", "s_neg", "n_etf_max", "margin", "b_paper", "b_siglip"):
        assert siglip[key] == paper[key], key
    assert mpmath.mpf(siglip["boundary_etf"]) == -mpmath.mpf(paper["boundary_etf"])
    assert (siglip["etf_if_bias"], paper["etf_if_bias"]) == ("<=", ">=")


def test_regimes_at_the_ends():
    """The ETF for a large subtracted bias at small N, the antipodal structure for a small one."""
    assert _record("--N", "4", "--t", "2", "--b", "2", "--convention", "paper")["regime"] == "etf"
    anti = _record("--N", "50", "--t", "0.5", "--b", "-3", "--convention", "paper")
    assert anti["regime"] == "antipodal" and anti["x_star"] in ("0", "0.0")


def test_text_is_a_short_paragraph():
    text = _advise("--N", "32768", "--t", "10", "--b", "-10", "--convention", "siglip").stdout
    assert "intermediate CCEM" in text and "SigLIP" in text and "<=" in text and "certified" in text
    assert len(text.splitlines()) <= 4


@pytest.mark.parametrize("args,message", [
    (["--N", "2", "--t", "10", "--b", "-10", "--convention", "siglip"], "N must be an integer >= 3, got '2'"),
    (["--N", "10", "--t", "0", "--b", "-10", "--convention", "siglip"], "t must be a finite real number > 0"),
    (["--N", "10", "--t", "10", "--b", "inf", "--convention", "siglip"], "b must be a finite real number"),
    (["--N", "10", "--t", "10", "--b", "1", "--convention", "hf"], "convention must be one of paper, siglip"),
    (["--N", "10", "--t", "10", "--b", "1"], "convention is required"),
    (["--N", "10", "--t", "10", "--b", "1", "--convention", "paper", "--digits", "5"], "digits must be an integer"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "advice.json"
    result = CliRunner().invoke(main, ["advise", *args, "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith("clverify: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and not out.exists()
