"""``clverify thresholds | phase | optimum | derive``: outputs, formats and input errors."""

from __future__ import annotations

import json

import mpmath
import pytest
from click.testing import CliRunner

from clverify.proofs_check.cli import main


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _records(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["records"]


def _inside(value, enclosure):
    lo, hi = (mpmath.mpf(v) for v in enclosure)
    return lo <= value <= hi


def test_thresholds_takes_several_N_after_one_flag():
    records = _records(_run("thresholds", "--N", "7", "23", "311", "--digits", "30",
                            "--format", "json"))
    assert [r["N"] for r in records] == [7, 23, 311]
    with mpmath.workdps(60):
        for r in records:
            N = r["N"]
            t_e = mpmath.mpf(N - 1) / N * mpmath.log(N - 3)  # Theorem 2, typed here
            t_a = mpmath.log(mpmath.mpf(N - 2) / 2) / 2
            assert _inside(t_e, r["t_etf_enclosure"]) and _inside(t_a, r["t_antipodal_enclosure"])
            assert abs(mpmath.mpf(r["t_etf"]) - t_e) < mpmath.mpf(10) ** -28
            assert r["certified"] is True


def test_thresholds_range_gives_null_with_note_for_empty_regimes():
    records = _records(_run("thresholds", "--N-range", "3:5", "--digits", "20", "--format", "json"))
    by_n = {r["N"]: r for r in records}
    assert sorted(by_n) == [3, 4, 5]
    assert by_n[3]["t_etf"] is None and by_n[3]["t_antipodal"] is None and by_n[3]["note"]
    assert by_n[4]["t_antipodal"] is None and by_n[4]["t_antipodal_enclosure"] is None
    assert mpmath.mpf(by_n[4]["t_etf"]) == 0
    assert by_n[5]["t_antipodal"] is not None and by_n[5]["note"] is None


@pytest.mark.parametrize("fmt,marker", [("md", "| N |"), ("csv", "N,t_etf"), ("latex", r"\toprule")])
def test_thresholds_table_formats(fmt, marker):
    result = _run("thresholds", "--N", "10", "--digits", "20", "--format", fmt)
    assert result.exit_code == 0 and marker in result.stdout


def test_phase_boundaries():
    records = _records(_run("phase", "--N", "10", "--t", "1", "5", "20", "--digits", "40",
                            "--format", "json"))
    assert len(records) == 3
    with mpmath.workdps(60):
        for r in records:
            b_a = mpmath.log(4) - mpmath.mpf(r["t"])  # log((N-2)/2) - t, N = 10
            assert _inside(b_a, r["b_antipodal_enclosure"]) and r["certified"] is True
            assert mpmath.mpf(r["b_etf"]) > mpmath.mpf(r["b_antipodal"])


def test_optimum_record():
    (r,) = _records(_run("optimum", "--N", "10", "--t", "1.2", "--b", "1.2", "--digits", "40",
                         "--format", "json"))
    assert r["regime"] == "intermediate" and r["certified"] is True
    with mpmath.workdps(40):
        x = mpmath.mpf(r["x"])
        assert _inside(x, r["x_enclosure"])
        assert abs(mpmath.mpf(r["s_pos"]) - (2 * x - 1)) < mpmath.mpf(10) ** -35
        assert abs(mpmath.mpf(r["delta"]) ** 2 - x) < mpmath.mpf(10) ** -35
    assert set(r) >= {"regime", "x", "delta", "s_pos", "s_neg", "loss", "x_enclosure"}


def test_optimum_accepts_negative_bias():
    (r,) = _records(_run("optimum", "--N", "10", "--t", "1", "--b", "-3", "--format", "json"))
    assert r["regime"] == "antipodal"


@pytest.mark.parametrize("fmt", ["text", "latex", "json"])
def test_derive_formats(fmt):
    result = _run("derive", "--loss", "sigmoid", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        payload = json.loads(result.stdout)
        assert {"L(delta)", "l(x)", "l'(x)", "t_etf (b = t)"} <= {r["name"] for r in payload["records"]}
        assert payload["provenance"]["strictly_convex_in_x"] is True
    elif fmt == "latex":
        assert r"\ell'(x)" in result.stdout and "$$" in result.stdout
    else:
        assert result.stdout.startswith("L(delta): ") and "log(N - 3)" in result.stdout


@pytest.mark.parametrize("args,name", [
    (("thresholds", "--N", "2"), "N"),
    (("thresholds", "--N", "3.5"), "N"),
    (("thresholds", "--N", "10", "--digits", "14"), "digits"),
    (("thresholds", "--N", "10", "--digits", "10001"), "digits"),
    (("thresholds", "--N", "10", "--format", "xml"), "format"),
    (("thresholds", "--N-range", "9:4"), "N-range"),
    (("phase", "--N", "10", "--t", "nan"), "t"),
    (("phase", "--N", "10", "--t", "0"), "t"),
    (("phase", "--N", "10", "--t", "-2"), "t"),
    (("optimum", "--N", "10", "--t", "1", "--b", "inf"), "b"),
    (("optimum", "--N", "x", "--t", "1", "--b", "1"), "N"),
    (("derive", "--loss", "hinge"), "loss"),
    (("derive", "--format", "md"), "format"),
])
def test_bad_input_is_one_line_exit_2_without_traceback(args, name):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"clverify: error: {name} ")
    assert "Traceback" not in result.output
