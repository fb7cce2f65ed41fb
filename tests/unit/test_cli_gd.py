"""``clverify gd``, ``figure`` and their input errors (exit code 2, one line on stderr)."""

import json
import math

import pytest
import torch
from click.testing import CliRunner

from clverify.proofs_check.cli import main

GD_KEYS = {"loss", "theory_loss", "loss_gap", "s_pos_mean", "s_pos_std", "s_neg_mean", "s_neg_std",
           "gram_distance", "grad_norm", "converged", "iterations", "seconds"}


def run(*args):
    return CliRunner().invoke(main, list(args))


def records(result):
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"records", "provenance"}
    return data["records"]


def test_gd_json_has_the_contract_keys_and_reaches_the_etf():
    (rec,) = records(run("gd", "--N", "4", "--d", "4", "--t", "2", "--b", "2", "--restarts", "1",
                         "--format", "json"))
    assert GD_KEYS <= set(rec)
    # N = 4, t = b = 2: the ETF; loss = softplus(b - t) + 3 softplus(-t/3 - b), by hand
    expected = math.log(2) + 3 * math.log1p(math.exp(-2 / 3 - 2))
    assert rec["converged"] is True
    assert rec["theory_loss"] == pytest.approx(expected, rel=1e-12)
    assert rec["loss"] == pytest.approx(expected, rel=1e-12)
    assert abs(rec["loss_gap"]) < 1e-10 and rec["gram_distance"] < 1e-6
    assert rec["s_pos_mean"] == pytest.approx(1.0, abs=1e-9)


def test_gd_infonce_sym_uses_the_etf_theory():
    (rec,) = records(run("gd", "--N", "5", "--loss", "infonce-sym", "--tau", "0.5",
                         "--restarts", "1", "--format", "json"))
    expected = 2 * math.log1p(4 * math.exp((-0.25 - 1) / 0.5))
    assert rec["theory_loss"] == pytest.approx(expected, rel=1e-12)
    assert abs(rec["loss_gap"]) < 1e-10


def test_gd_with_d_below_N_reports_the_formal_bound():
    (rec,) = records(run("gd", "--N", "6", "--d", "2", "--t", "1", "--b", "1", "--restarts", "1",
                         "--format", "json"))
    assert rec["gram_distance"] is None and "lower bound" in rec["note"]
    assert rec["loss_gap"] >= -1e-10


def test_gd_any_registry_loss_works_with_its_parameters():
    (rec,) = records(run("gd", "--N", "4", "--loss", "dhel", "--tau", "0.3", "--restarts", "1",
                         "--format", "json"))
    assert rec["converged"] is True and "loss" in rec


def test_gd_reports_the_iteration_cap():
    (rec,) = records(run("gd", "--N", "8", "--t", "1", "--b", "1", "--max-iter", "2",
                         "--restarts", "1", "--format", "json"))
    assert rec["converged"] is False and rec["iterations"] == 2 and "cap" in rec["reason"]


@pytest.mark.parametrize("args", [
    ("--N", "4", "--d", "0", "--t", "1", "--b", "1"),
    ("--N", "1", "--t", "1", "--b", "1"),
    ("--N", "4", "--t", "nan", "--b", "1"),
    ("--N", "4", "--t", "1", "--b", "inf"),
    ("--N", "4", "--t", "1", "--b", "1", "--device", "tpu"),
    ("--N", "4", "--loss", "nope", "--t", "1"),
    ("--N", "4", "--t", "1"),
])
def test_gd_bad_input_exits_2_with_one_line(args):
    result = CliRunner().invoke(main, ["gd", *args])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "error" in result.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_gd_cuda_without_cuda_exits_2():
    result = run("gd", "--N", "4", "--t", "1", "--b", "1", "--device", "cuda")
    assert result.exit_code == 2 and "cuda" in result.output


def test_figure_quick_writes_png_and_pdf(tmp_path):
    result = run("figure", "--quick", "--quiet", "--out", str(tmp_path / "paper.png"))
    assert result.exit_code == 0, result.output
    for name in ("paper.png", "paper.pdf"):
        assert (tmp_path / name).stat().st_size > 1000


def test_phase_figure_quick_writes_png_and_pdf(tmp_path):
    result = run("figure", "--phase", "--N", "10", "--quick", "--quiet", "--out", str(tmp_path / "ph.pdf"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ph.png").exists() and (tmp_path / "ph.pdf").exists()


def test_gd_max_seconds_ends_not_converged_with_the_reason():
    (rec,) = records(run("gd", "--N", "8", "--t", "1", "--b", "1", "--max-seconds", "1e-9",
                         "--restarts", "1", "--format", "json"))
    assert rec["converged"] is False and rec["reason"].startswith("time limit")
    result = run("gd", "--N", "8", "--t", "1", "--b", "1", "--max-seconds", "0")
    assert result.exit_code == 2 and "max-seconds" in result.output


def test_gd_prints_its_estimate_before_a_long_run(monkeypatch):
    """Below ESTIMATE_ABOVE nothing is printed; above, one stderr line with the measured
    evaluation time (stdout stays the JSON record)."""
    from clverify.proofs_check.cli import gd

    quiet = run("gd", "--N", "6", "--t", "1", "--b", "1", "--restarts", "1", "--format", "json")
    assert "estimate" not in quiet.stderr and "evaluation" not in quiet.stderr
    monkeypatch.setattr(gd, "ESTIMATE_ABOVE", 0.0)
    loud = run("gd", "--N", "6", "--t", "1", "--b", "1", "--restarts", "1", "--format", "json",
               "--max-seconds", "100")
    assert loud.stderr.startswith("clverify: gd: one evaluation of the loss and its gradient took")
    assert "--max-seconds stops it after 100 s" in loud.stderr
    assert json.loads(loud.stdout)["records"][0]["converged"] is True


def test_gd_estimate_by_hand(capsys):
    """2 s per evaluation, 1 evaluation per iteration: 1000 typical iterations take 2000 s
    (33 min), the cap of 5000 takes 10000 s (2.8 h)."""
    from clverify.proofs_check.cli.gd import EVALUATIONS_PER_ITERATION, TYPICAL_ITERATIONS, _print_estimate

    assert (EVALUATIONS_PER_ITERATION, TYPICAL_ITERATIONS) == (1.0, 1000)
    _print_estimate(2.0, 5000, None)
    err = capsys.readouterr().err
    assert "took 2 s" in err and "1000 iterations takes about 33 min" in err and "5000 (--max-iter) about 2.8 h" in err


def test_gd_default_cap_is_the_optimisers():
    from clverify.numerics.descent.lbfgs import DEFAULT_MAX_ITER
    from clverify.proofs_check.cli.gd import MAX_ITER

    assert MAX_ITER == DEFAULT_MAX_ITER
