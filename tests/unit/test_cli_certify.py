"""``clverify certify ...`` and ``clverify recheck``: files written, their re-check in a fresh
process, and one-line input errors (exit 2, nothing written)."""

from __future__ import annotations

import json
import subprocess
import sys

import mpmath
import pytest
from click.testing import CliRunner

from clverify.proofs_check.certificates import WRITERS
from clverify.proofs_check.cli import main
from clverify.proofs_check.registry import get


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _recheck(*paths):
    return subprocess.run([sys.executable, "-m", "clverify.proofs_check", "recheck", *map(str, paths)],
                          capture_output=True, text=True)


def test_certify_writes_tables_that_recheck_passes(tmp_path):
    out = tmp_path / "certs"
    assert _run("certify", "thresholds", "--N", "7", "23", "--digits", "30", "--out", str(out)).exit_code == 0
    assert _run("certify", "phase", "--N", "10", "--t", "1", "5", "--digits", "20", "--out", str(out)).exit_code == 0
    result = _run("certify", "optimum", "--N", "10", "--t", "1.2", "--b", "1.2", "-1", "--digits", "20",
                  "--out", str(out))
    assert result.stdout == f"clverify certify: {out / 'optimum.json'}: 2 rows, 1 cells without a certified number\n"
    data = json.loads((out / "thresholds.json").read_text())
    assert data["provenance"]["command"].startswith("clverify") and data["provenance"]["digits"] == 30
    with mpmath.workdps(50):  # Theorem 2's t_E(7) = 6/7 log 4, typed here
        cell = data["rows"][0]["t_etf"]
        assert mpmath.mpf(cell["lo"]) <= mpmath.mpf(6) / 7 * mpmath.log(4) <= mpmath.mpf(cell["hi"])
    # facts by hand: 5 per threshold or boundary cell (width, two signs, slope, closed form);
    # an optimum row: 2 signs and the regime, and 4 for x* in the intermediate regime
    checked = _recheck(out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert [line for line in checked.stdout.splitlines() if not line.startswith(("  ", "checker"))] == [
        "optimum.json: PINNED optimum: 2 rows, 10 facts checked, 0 failed, 1 cells omitted",
        "phase.json: PINNED phase: 2 rows, 20 facts checked, 0 failed, 0 cells omitted",
        "thresholds.json: PINNED thresholds: 2 rows, 20 facts checked, 0 failed, 0 cells omitted"]


def test_recheck_exits_1_and_names_the_row_of_a_tampered_certificate(tmp_path):
    _run("certify", "thresholds", "--N", "10", "11", "--digits", "20", "--out", str(tmp_path))
    path = tmp_path / "thresholds.json"
    data = json.loads(path.read_text())
    data["rows"][1]["t_antipodal"]["hi"] = data["rows"][1]["t_antipodal"]["lo"]
    path.write_text(json.dumps(data))
    checked = _recheck(tmp_path)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert lines[1] == "thresholds.json: PINNED thresholds: 2 rows, 15 facts checked, 1 failed, 0 cells omitted"
    assert lines[-1] == ("  FAIL thresholds.json row 1 (N=11), t_antipodal: the stated signs (f(lo): 1, f(hi): -1, "
                         "f': -1) do not show a unique root")


@pytest.mark.parametrize("args, message", [
    (["certify", "thresholds", "--N", "2"], "N must be an integer >= 3"),
    (["certify", "thresholds", "--N", "10", "--digits", "5"], "digits must be an integer in [15, 10000]"),
    (["certify", "phase", "--N", "10"], "t must be given"),
    (["certify", "phase", "--N", "10", "--t", "-1"], "t must be a finite real number > 0"),
    (["certify", "optimum", "--N", "10", "--t", "1", "--b", "nan"], "b must be a finite real number"),
    (["certify", "optimum", "--N", "10", "--t", "1"], "b must be given"),
    (["recheck"], "is required"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "certs"
    args = args + (["--out", str(out)] if args[0] == "certify" and len(args) > 2 else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert not out.exists()


def test_out_must_be_a_folder(tmp_path):
    taken = tmp_path / "file.json"
    taken.write_text("{}")
    result = CliRunner().invoke(main, ["certify", "thresholds", "--N", "10", "--out", str(taken)])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and taken.read_text() == "{}"


def test_every_exported_registry_check_exists_and_is_certified():
    """The registry writers name real checks of the registry, each labelled certified."""
    for theorem_id, check_name in WRITERS:
        checks = {c.name: c for c in get(theorem_id).checks}
        assert checks[check_name].level == "certified", (theorem_id, check_name)


@pytest.mark.slow
def test_certify_registry_thorough_rechecks(tmp_path):
    assert _run("certify", "registry", "--thorough", "--out", str(tmp_path)).exit_code == 0
    checked = _recheck(tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert sum(" PINNED " in line and " 0 failed" in line for line in checked.stdout.splitlines()) == len(WRITERS)


def test_help_lists_every_certify_command():
    """A subgroup lists its own commands (not the top-level table of modules)."""
    out = _run("certify", "--help").stdout
    assert all(f"  {name} " in out for name in ("optimum", "phase", "registry", "thresholds"))
