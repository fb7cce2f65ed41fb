"""The paper's grid (N = 4..50, t = b in linspace(0.1, 5, 10), d = N) solved by the batched
optimiser, against s*(N, t) = 2 x* - 1 from an independent float64 minimisation of l(x)."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.optimize import brentq
from scipy.special import expit

from clverify.numerics.descent.optimise import optimise_batch
from clverify.numerics.output.figures import PAPER_N, PAPER_T
from clverify.proofs_check.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.empirical]

#: Band around the thresholds excluded from the comparison (as in ``clverify bench sweep``).
BAND = 0.02


def s_star(N, t):
    def dl(x):
        return -2 * t * expit(t - t * (2 * x - 1)) + (N - 2) * t * expit(t * (x * (N - 2) / (N - 1) - 1) - t)

    if dl(1.0) <= 0:
        return 1.0
    if dl(0.0) >= 0:
        return -1.0
    return 2 * brentq(dl, 0.0, 1.0, xtol=1e-15, rtol=1e-15) - 1


def near_threshold(N, t):
    # Theorem 2 thresholds typed in here as the independent route.
    tE = (N - 1) / N * math.log(N - 3) if N > 3 else -math.inf
    tA = 0.5 * math.log((N - 2) / 2)
    return min(abs(t - tE), abs(t - tA)) <= BAND


@pytest.fixture
def one_thread():
    """torch on one intra-op thread (small tensors; see docs/performance.md), restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_full_paper_grid_in_one_call_converges_to_the_theory(one_thread):
    # The whole grid in one optimise_batch call (padded batches across N, as `bench sweep`).
    Ns = [N for N in PAPER_N for _ in PAPER_T]
    ts = [t for _ in PAPER_N for t in PAPER_T]
    results = optimise_batch(Ns, Ns, t=ts, b=ts, restarts=1)
    assert len(results) == 470
    worst = 0.0
    for N, t, r in zip(Ns, ts, results):
        assert (r.N, r.d, r.params["t"]) == (N, N, t) and r.U.shape == (N, N)
        assert r.converged, (N, t, r.grad_norm)
        if not near_threshold(N, t):
            worst = max(worst, abs(r.s_pos_mean - s_star(N, t)))
    assert worst <= 1e-6


def test_one_N_at_a_time_converges_to_the_theory(one_thread):
    worst = 0.0
    for N in PAPER_N[::6]:
        for r in optimise_batch(N, N, t=list(PAPER_T), b=list(PAPER_T), restarts=1):
            t = r.params["t"]
            assert r.converged, (N, t, r.grad_norm)
            if not near_threshold(N, t):
                worst = max(worst, abs(r.s_pos_mean - s_star(N, t)))
    assert worst <= 1e-6


def test_bench_sweep_quick_runs_and_reports_the_contract_keys():
    result = CliRunner().invoke(main, ["bench", "sweep", "--quick", "--quiet", "--format", "json"])
    assert result.exit_code == 0, result.output
    (rec,) = json.loads(result.output)["records"]
    for key in ("batched_seconds", "loop_seconds", "scipy_seconds", "speedup", "max_abs_s_error", "device",
                "batched_cpu_seconds", "loop_cpu_seconds", "speedup_cpu", "batches"):
        assert key in rec
    assert rec["scipy_seconds"] is None and rec["max_abs_s_error"] <= 1e-6


def test_gap_table_is_nonnegative_and_zero_at_d_equal_N():
    result = CliRunner().invoke(main, ["gap-table", "--N", "6", "--tb", "0.5,1.5,4",
                                       "--restarts", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    recs = json.loads(result.output)["records"]
    assert all(r["gap"] >= -1e-10 for r in recs)
    assert all(abs(r["gap"]) <= 1e-8 for r in recs if r["d"] == r["N"])
    assert np.isfinite([r["gap"] for r in recs]).all()
