"""Trainable temperature and bias (numerics/descent/trainable.py) and the margin definitions
(numerics/descent/constellation.py): the loss against mpmath, the optimiser against the certified CCEM
optimum, batching, seeds, stopping, and the ``margins`` command."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
import torch
from click.testing import CliRunner

from clverify.numerics.descent.constellation import full_gap, margin, optimal_relative_bias, similarity_extremes
from clverify.numerics.descent.trainable import train_sigmoid, trainable_sigmoid_loss
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.proofs_check.cli import main
from clverify.theory.errors import InvalidParameterError


def _mp_loss(S, t, b, clamped=False):
    """The sigmoid loss (1/N) at 50 digits, from its definition; ``clamped``: -log(sigmoid + 1e-8)."""
    with mpmath.workdps(50):
        k = len(S)
        total = mpmath.mpf(0)
        for i in range(k):
            for j in range(k):
                z = t * mpmath.mpf(S[i][j]) - b
                z = z if i == j else -z          # the margin of the pair
                total += -mpmath.log(mpmath.sigmoid(z) + mpmath.mpf("1e-8")) if clamped else mpmath.log1p(mpmath.exp(-z))
        return total / k


@pytest.mark.parametrize("t,b", [(1.0, 0.5), (50.0, -3.0), (1e4, 20.0)])
def test_loss_matches_mpmath_at_any_temperature(t, b):
    rng = np.random.default_rng(1)
    U, V = (x / np.linalg.norm(x, axis=1, keepdims=True) for x in rng.standard_normal((2, 5, 3)))
    S = U @ V.T
    T = torch.tensor(S)[None]
    for clamped in (False, True):
        got = float(trainable_sigmoid_loss(T, torch.tensor([t], dtype=torch.float64), torch.tensor([b], dtype=torch.float64),
                                           "clamped" if clamped else "stable"))
        ref = _mp_loss(S.tolist(), mpmath.mpf(t), mpmath.mpf(b), clamped)
        assert abs(got - ref) <= 1e-12 * max(1, abs(ref))


def test_clamped_terms_saturate_at_log_1e8():
    """A badly misclassified pair costs log(1e8) = 18.42 in the authors' loss, not t |s| - b."""
    S = torch.tensor([[[-1.0, 0.0], [0.0, 1.0]]], dtype=torch.float64)
    t, b = torch.tensor([100.0], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64)
    clamped = float(trainable_sigmoid_loss(S, t, b, "clamped")) * 2       # the sum of the four terms
    stable = float(trainable_sigmoid_loss(S, t, b, "stable")) * 2
    with mpmath.workdps(30):
        eps = mpmath.mpf("1e-8")
        expected = (-mpmath.log(mpmath.sigmoid(-100) + eps) - mpmath.log(mpmath.sigmoid(100) + eps)
                    - 2 * mpmath.log(mpmath.mpf("0.5") + eps))
    assert abs(clamped - expected) < 1e-12 and abs(expected - 18.4207 - 2 * mpmath.log(2)) < 1e-3
    assert stable > 100


def test_fixed_t_and_b_reach_the_certified_ccem_optimum():
    """With t and b fixed (d = N) both optimisers reach the certified optimum of the CCEM."""
    expected = float(sigmoid_optimum(6, 2, "0.5", digits=30).value)
    for optimizer, steps in (("adam", 6000), ("lbfgs", 3000)):
        run = train_sigmoid(6, 6, t0=2.0, b=0.5, train_t=False, train_bias=False, optimizer=optimizer,
                            steps=steps, seeds=3)[0]
        assert abs(run.loss - expected) < 1e-8, optimizer
        assert run.t == 2.0 and run.b == 0.5


def test_adam_batches_like_separate_runs_and_seeds_reproduce():
    together = train_sigmoid(8, 3, t0=[5.0, 2.0], b_rel=[0.2, -0.1], relative=True, steps=150, seeds=[1, 2])
    alone = [train_sigmoid(8, 3, t0=t0, b_rel=b0, relative=True, steps=150, seeds=s)[0]
             for t0, b0, s in ((5.0, 0.2, 1), (2.0, -0.1, 2))]
    for a, b in zip(together, alone):
        assert np.allclose(a.U, b.U, atol=1e-13) and abs(a.t - b.t) < 1e-12 and abs(a.b_rel - b.b_rel) < 1e-12


def test_relative_bias_parameterisation():
    fixed = train_sigmoid(10, 10, t0=10.0, b_rel=0.3, relative=True, train_bias=False, steps=300, seeds=0)[0]
    assert fixed.b_rel == pytest.approx(0.3, abs=1e-15) and fixed.b == pytest.approx(0.3 * fixed.t, rel=1e-15)
    assert fixed.t > 10.0 and fixed.margin > 0         # separable: t grows, the pairs separate
    trained = train_sigmoid(10, 10, t0=10.0, b_rel=0.3, relative=True, train_bias=True, steps=300, seeds=0)[0]
    assert trained.b_rel != 0.3


def test_stopping_rule_scales_with_the_loss():
    run = train_sigmoid(4, 4, t0=2.0, b=2.0, train_t=False, train_bias=False, steps=20000, seeds=0,
                        rtol=1e-12, window=100)[0]
    assert run.stopped == "tolerance" and run.steps < 20000


def test_result_margins_come_from_the_final_similarities():
    run = train_sigmoid(6, 3, steps=50, seeds=0)[0]
    S = run.U @ run.V.T
    lo, hi = np.diag(S).min(), S[~np.eye(6, dtype=bool)].max()   # by hand
    assert run.margin == pytest.approx((lo - hi) / 2, abs=1e-15) and run.full_gap == 2 * run.margin
    assert run.b_rel_star == pytest.approx((lo + hi) / 2, abs=1e-15)


def test_constellation_functions_on_batches_and_bad_shapes():
    rng = np.random.default_rng(0)
    S = rng.uniform(-1, 1, size=(4, 5, 5))
    lo, hi = similarity_extremes(S)
    assert lo.shape == (4,) and np.allclose(margin(S), [margin(s) for s in S])
    assert np.allclose(full_gap(S), 2 * margin(S)) and np.allclose(optimal_relative_bias(S), (lo + hi) / 2)
    with pytest.raises(ValueError, match="shape"):
        margin(np.ones((3, 4)))


@pytest.mark.parametrize("kwargs,match", [({"N": 1}, "N must be"), ({"t0": -1.0}, "t0 must be"),
                                          ({"b_rel": float("nan"), "relative": True}, "b_rel must be"),
                                          ({"optimizer": "sgd"}, "optimizer must be"),
                                          ({"loss": "float32"}, "loss must be")])
def test_bad_parameters_are_rejected_before_any_work(kwargs, match):
    args = {"N": 4, "d": 2, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        train_sigmoid(args.pop("N"), args.pop("d"), steps=1, **args)


def test_margins_command_shows_both_gaps_for_the_same_runs():
    result = CliRunner().invoke(main, ["margins", "--N", "12", "--d", "4", "--b-rel", "0", "0.5", "--seeds", "0", "1",
                                       "--steps", "200", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    rows = payload["records"]
    assert [(r["b_rel0"], r["seed"]) for r in rows] == [(0.0, 0), (0.0, 1), (0.5, 0), (0.5, 1)]
    for r in rows:
        assert r["full_gap"] == pytest.approx(2 * r["half_gap"], abs=1e-15)
        assert r["full_gap"] == pytest.approx(r["min_pos"] - r["max_neg"], abs=1e-15)
    assert payload["provenance"]["margin_cap"] == pytest.approx(12 / 22)
    summary = CliRunner().invoke(main, ["margins", "--N", "12", "--d", "4", "--b-rel", "0", "0.5", "--seeds", "0", "1",
                                        "--steps", "200", "--summary", "--format", "json"]).stdout
    first = json.loads(summary)["records"][0]
    gaps = [r["full_gap"] for r in rows[:2]]
    assert first["seeds"] == 2 and first["full_gap_mean"] == pytest.approx(np.mean(gaps), abs=1e-15)
    assert first["full_gap_std"] == pytest.approx(np.std(gaps, ddof=1), abs=1e-15)


@pytest.mark.parametrize("args,message", [(["--N", "1"], "N must be an integer >= 2"),
                                          (["--b-rel", "x"], "b_rel must be a real number"),
                                          (["--seeds", "-1"], "seeds must be an integer in [0, 9223372036854775807], got '-1'"),
                                          (["--t0", "0"], "t0 must be a finite real number > 0"),
                                          (["--loss", "fp32"], "loss must be one of stable, clamped")])
def test_margins_bad_input_is_one_line_exit_2(tmp_path, args, message):
    out = tmp_path / "m.json"
    result = CliRunner().invoke(main, ["margins", *args, "--steps", "1", "--out", str(out)])
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists()


def test_margins_rows_of_a_diverged_run_stay_strict_json():
    from clverify.numerics.descent.trainable import TrainableRun
    from clverify.proofs_check.cli.margins import run_records, summary_records

    inf = float("inf")
    run = TrainableRun(4, 2, 0, inf, inf, float("nan"), inf, inf, 0.1, 0.2, 0.0, 0.5, 0.3, 10, "diverged",
                       {"t0": 1.0, "bias0": 0.0}, np.zeros((4, 2)), np.zeros((4, 2)))
    rows = run_records([run])
    json.dumps(rows, allow_nan=False)          # raises on NaN or Infinity
    assert rows[0]["t"] is None and rows[0]["half_gap"] == 0.1
    json.dumps(summary_records(rows), allow_nan=False)
