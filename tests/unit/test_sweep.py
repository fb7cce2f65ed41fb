"""Sweeps: batches, records against hand-derived values, resuming after a stop, Dask, the CLI."""

import itertools
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from clverify.numerics.descent import sweep as sweep_module
from clverify.numerics.descent.grid import parse_grid
from clverify.numerics.descent.store import STORE_NAME, ResultStore
from clverify.numerics.descent.sweep import (
    SweepInterrupted,
    plan_batches,
    records_in_order,
    run_sweep,
    solve_batch,
)
from clverify.proofs_check.cli import main

#: 12 small configurations (N = 4, 5, 6; two b; two seeds), one restart each.
GRID = 'N = [4, 5, 6]\nt = 2.0\nb = [1.0, 3.0]\nseeds = [0, 1]\nrestarts = 1\n'


def _strict(text):
    def reject(value):
        raise ValueError(f"non-strict JSON constant {value}")
    return json.loads(text, parse_constant=reject)


def test_batches_cover_the_grid_once_and_respect_the_caps():
    configs = parse_grid('N = [4, 5, 30]\nt = 1.0\nb = [1.0, 2.0]\nseeds = [0, 1, 2]\nrestarts = 2')
    batches = plan_batches(configs, max_entries=2 * 30**2 * 2, max_batch=4)
    flat = [c for b in batches for c in b]
    assert sorted(c.key for c in flat) == sorted(c.key for c in configs)
    assert all(len(b) <= 4 and sum(2 * c.N**2 for c in b) <= 2 * 30**2 * 2 for b in batches)
    assert plan_batches(configs, max_entries=2 * 30**2 * 2, max_batch=4) == batches   # deterministic
    assert plan_batches(configs, max_entries=1)[0] == [configs[0]]    # too big: a batch alone


def test_batches_never_mix_losses_or_restarts():
    configs = parse_grid('loss = ["sigmoid", "infonce-sym"]\nN = [4, 5]\nt = 1.0\nb = 1.0\nrestarts = [1, 2]')
    for batch in plan_batches(configs):
        assert len({(c.loss, c.restarts) for c in batch}) == 1
    assert len(plan_batches(configs)) == 4


def test_records_against_the_etf_by_hand():
    """N = 4, d = 4, t = b = 2: the ETF (Theorem 1); loss softplus(b - t) + 3 softplus(-t/3 - b)."""
    (config,) = parse_grid("N = 4\nt = 2.0\nb = 2.0\nrestarts = 1")
    (rows, ran) = solve_batch([config])
    ((key, rec, seconds),) = rows
    expected = math.log(2) + 3 * math.log1p(math.exp(-2 / 3 - 2))
    assert key == config.key and ran["device"] == "cpu" and seconds > 0
    assert rec["theory_loss"] == pytest.approx(expected, rel=1e-12)
    assert rec["loss"] == pytest.approx(expected, rel=1e-12) and rec["converged"] is True
    assert rec["ccem_bound"] == rec["theory_loss"] and abs(rec["gap"]) < 1e-12
    assert rec["s_pos_min"] == pytest.approx(1, abs=1e-8)
    assert rec["s_neg_max"] == pytest.approx(-1 / 3, abs=1e-8)
    assert rec["margin"] == (rec["s_pos_min"] - rec["s_neg_max"]) / 2
    assert rec["theory_kind"].startswith("optimum") and rec["reason"] is None


def test_below_the_ccem_dimension_the_reference_is_an_upper_bound_and_the_ccem_a_lower_one():
    """N = 10, d = 2, t = b = 4: only the antipodal structure exists; GD lies between the bounds."""
    (config,) = parse_grid("N = 10\nd = 2\nt = 4.0\nb = 4.0\nrestarts = 2")
    ((_, rec, _),), _ = solve_batch([config])
    antipodal = math.log1p(math.exp(4 + 4)) + 9 * math.log1p(math.exp(-4 - 4))   # s = -1 everywhere
    assert rec["theory_structure"] == "Antipodal(N=10)" and "upper bound" in rec["theory_kind"]
    assert rec["theory_loss"] == pytest.approx(antipodal, rel=1e-12)
    assert rec["ccem_bound"] - 1e-12 <= rec["loss"] <= rec["theory_loss"] + 1e-12
    assert rec["ccem_gap"] == pytest.approx(rec["loss"] - rec["ccem_bound"], abs=1e-15)


def _sweep(path, configs, **kw):
    with ResultStore(path) as store:
        summary = run_sweep(configs, store, device="cpu", **kw)
        return summary, records_in_order(configs, store)


def test_a_stopped_sweep_resumes_computing_only_what_is_missing(tmp_path, monkeypatch):
    configs = parse_grid(GRID)
    _, fresh = _sweep(tmp_path / "fresh.sqlite", configs, max_batch=3)
    stops = []

    def stop_after_two(batch):
        stops.append(batch)
        if len(stops) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), ResultStore(tmp_path / "s.sqlite") as store:
        run_sweep(configs, store, device="cpu", max_batch=3, on_batch=stop_after_two)
    with ResultStore(tmp_path / "s.sqlite") as store:
        assert len(store.keys()) == 6                       # two batches of three: stored
    solved = []
    real = sweep_module.solve_batch
    monkeypatch.setattr(sweep_module, "solve_batch", lambda b, *a: solved.extend(b) or real(b, *a))
    summary, resumed = _sweep(tmp_path / "s.sqlite", configs, max_batch=3)
    assert (summary.stored_before, summary.computed) == (6, 6)
    assert {c.key for c in solved} == {c.key for c in configs} - {c.key for b in stops for c in b}
    assert resumed == fresh                                 # the same records, bit for bit
    summary, _ = _sweep(tmp_path / "s.sqlite", configs, max_batch=3)
    assert summary.computed == 0 and summary.batches == 0


def _die(batch, device, threads):
    """A batch whose worker process dies (run in a spawned worker)."""
    os._exit(3)


def test_a_dead_worker_process_stops_the_sweep_with_a_clear_error():
    batches = plan_batches(parse_grid(GRID), max_batch=6)
    with pytest.raises(SweepInterrupted, match="worker process died; 2 batch"):
        list(sweep_module._local_map(batches, "cpu", 1, 1, solve=_die))


def test_a_dask_local_cluster_gives_the_same_records(tmp_path):
    distributed = pytest.importorskip("distributed")
    configs = parse_grid(GRID)
    _, here = _sweep(tmp_path / "a.sqlite", configs, max_batch=4)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        summary, dask = _sweep(tmp_path / "b.sqlite", configs, max_batch=4,
                               scheduler=cluster.scheduler_address)
    assert summary.computed == 12 and dask == here


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_writes_strict_json_records_in_grid_order(tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    result = run("sweep", "--grid", str(grid), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    assert "12 configurations: 0 already stored, 12 computed" in result.stdout
    data = _strict((tmp_path / "out" / "records.json").read_text())
    assert [(r["N"], r["b"], r["seed"]) for r in data["records"]] == [
        (c.N, c.param_dict["b"], c.seed) for c in parse_grid(GRID)]
    assert data["provenance"]["grid"] == str(grid)


def test_cli_warns_when_stored_records_come_from_other_code(tmp_path):
    """Records stored by another commit are reused, with one line on stderr naming it; a rerun
    by the same code says nothing."""
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    out = tmp_path / "out"
    assert run("sweep", "--grid", str(grid), "--out", str(out), "--quiet").exit_code == 0
    again = run("sweep", "--grid", str(grid), "--out", str(out), "--quiet")
    assert again.exit_code == 0 and "warning" not in again.stderr
    with sqlite3.connect(out / STORE_NAME) as db:
        (prov,) = db.execute("SELECT provenance FROM records LIMIT 1").fetchone()
        old = {**json.loads(prov), "version": "0.0.1", "git_commit": "0123abc", "git_dirty": False}
        db.execute("UPDATE records SET provenance = ? WHERE key IN (SELECT key FROM records LIMIT 5)",
                   (json.dumps(old),))
    result = run("sweep", "--grid", str(grid), "--out", str(out), "--quiet")
    assert result.exit_code == 0
    (line,) = [x for x in result.stderr.splitlines() if "warning" in x]
    assert "5 by 0.0.1 0123abc;" in line and "new --out" in line


def _bad(tmp_path, *args):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("sweep", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before      # nothing written
    return result.stderr


def test_cli_bad_inputs_are_one_line_and_write_nothing(tmp_path, monkeypatch):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    (tmp_path / "file").write_text("")
    out = str(tmp_path / "out")
    assert "out must be a folder path" in _bad(tmp_path, "--grid", str(grid), "--out", "")
    assert "not a file" in _bad(tmp_path, "--grid", str(grid), "--out", str(tmp_path / "file"))
    assert "does not exist" in _bad(tmp_path, "--grid", str(grid), "--out", str(tmp_path / "no" / "out"))
    assert "cannot read" in _bad(tmp_path, "--grid", str(tmp_path / "none.toml"), "--out", out)
    (tmp_path / "bad.toml").write_text("N = 1\nt = 1.0\nb = 1.0")
    assert "N must be an integer >= 2" in _bad(tmp_path, "--grid", str(tmp_path / "bad.toml"), "--out", out)
    assert "workers must be" in _bad(tmp_path, "--grid", str(grid), "--out", out, "--workers", "-1")
    assert "device must be one of" in _bad(tmp_path, "--grid", str(grid), "--out", out, "--device", "tpu")
    if not __import__("torch").cuda.is_available():
        assert "CUDA is not available" in _bad(tmp_path, "--grid", str(grid), "--out", out, "--device", "cuda")
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    assert "pip install 'clverify[dask]'" in _bad(tmp_path, "--grid", str(grid), "--out", out,
                                                  "--scheduler", "tcp://127.0.0.1:1")


def test_cli_unreachable_scheduler_is_an_input_error_before_anything_is_written(tmp_path):
    pytest.importorskip("distributed")
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    result = run("sweep", "--grid", str(grid), "--out", str(tmp_path / "out"), "--quiet",
                 "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "cannot reach a Dask scheduler" in result.stderr
    assert "Connection refused" in result.stderr and not (tmp_path / "out").exists()


def test_cli_on_a_dask_local_cluster_stores_every_record(tmp_path):
    """The CLI connects to the scheduler (before writing anything), then maps the batches on it."""
    distributed = pytest.importorskip("distributed")
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        result = run("sweep", "--grid", str(grid), "--out", str(tmp_path / "out"), "--quiet",
                     "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert "12 configurations: 0 already stored, 12 computed" in result.stdout


def _sigmoid_by_hand(U, V, t, b):
    N = len(U)
    return sum(math.log1p(math.exp(-(t * U[i] * V[j] - b) if i == j else t * U[i] * V[j] - b))
               for i in range(N) for j in range(N)) / N


def test_d1_configurations_are_the_exact_minimum_over_every_sign_pattern(tmp_path):
    """d = 1 is solved exactly, as ``gd --d 1`` solves it, in batches of its own; the expected
    value is the brute force over all 2^(2N) sign patterns, by hand."""
    configs = parse_grid('N = [3, 4]\nd = [1, 3]\nt = 1.5\nb = 1.0\nrestarts = 1')
    assert all(len({c.d == 1 for c in batch}) == 1 for batch in plan_batches(configs))
    _, records = _sweep(tmp_path / "s.sqlite", configs)
    for c, r in zip(configs, records):
        if c.d == 1:
            best = min(_sigmoid_by_hand(s[:c.N], s[c.N:], 1.5, 1.0)
                       for s in itertools.product((-1.0, 1.0), repeat=2 * c.N))
            assert r["loss"] == pytest.approx(best, rel=1e-12) and r["converged"] is True
    assert sum(c.d == 1 for c in configs) == 2


def test_killing_the_cli_midway_then_rerunning_completes_only_the_rest(tmp_path):
    """A real SIGKILL: the stored batches survive, the rerun computes exactly the others."""
    grid = tmp_path / "grid.toml"
    grid.write_text('N = {start = 4, stop = 9}\nt = 2.0\nb = [1.0, 3.0]\nseeds = [0, 1, 2]\nrestarts = 1\n')
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "clverify.proofs_check", "sweep", "--grid", str(grid),
                             "--out", str(out), "--max-batch", "1", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    stored, deadline = 0, time.monotonic() + 120
    while stored == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        if (out / STORE_NAME).exists():
            try:
                with sqlite3.connect(out / STORE_NAME) as db:
                    stored = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            except sqlite3.OperationalError:     # the table is being created
                pass
    os.kill(proc.pid, signal.SIGKILL)        # no chance to clean up
    proc.wait()
    with ResultStore(out / STORE_NAME) as store:
        kept = len(store.keys())
    assert 1 <= kept < 36, kept
    result = run("sweep", "--grid", str(grid), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert f"36 configurations: {kept} already stored, {36 - kept} computed" in result.stdout


def test_cli_stopped_early_writes_what_is_stored_and_exits_1(tmp_path, monkeypatch):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    real = sweep_module.solve_batch
    calls = []

    def stop_second(batch, *args):
        calls.append(batch)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(batch, *args)

    monkeypatch.setattr(sweep_module, "solve_batch", stop_second)
    result = run("sweep", "--grid", str(grid), "--out", str(tmp_path / "out"), "--quiet", "--max-batch", "4")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "4 of 12 configurations stored" in result.stderr
    data = _strict((tmp_path / "out" / "records.json").read_text())
    assert len(data["records"]) == 4 and data["provenance"]["complete"] is False



def test_non_finite_values_become_null_with_a_note():
    rec = sweep_module._strict({"loss": float("nan"), "gap": float("inf"), "N": 4})
    assert rec["loss"] is None and rec["gap"] is None and rec["N"] == 4
    assert rec["note"] == "not finite, written as null: loss = nan, gap = inf"
    assert sweep_module._strict({"loss": 1.0}) == {"loss": 1.0}


def test_cli_counts_converged_cells_and_names_each_other_one_with_its_reason(tmp_path):
    """max_iter = 2 stops both cells (t = b = 2) at the cap: each is listed with its reason; with
    the default cap both converge and nothing is listed."""
    grid = tmp_path / "grid.toml"
    grid.write_text('N = [5, 6]\nt = 2.0\nb = 2.0\nrestarts = 1\nmax_iter = 2\n')
    result = run("sweep", "--grid", str(grid), "--out", str(tmp_path / "capped"), "--quiet")
    assert result.exit_code == 0, result.output
    assert "0 converged, 2 not converged; records in" in result.stdout
    listed = [line for line in result.stderr.splitlines() if "not converged:" in line]
    assert [line.split(": ")[2] for line in listed] == ["sigmoid N=5 d=5 t=2.0 b=2.0 seed=0",
                                                             "sigmoid N=6 d=6 t=2.0 b=2.0 seed=0"]
    assert all("iteration cap" in line and "after 2 iterations" in line for line in listed)
    records = _strict((tmp_path / "capped" / "records.json").read_text())["records"]
    assert [r["reason"].split(":")[0] for r in records] == ["iteration cap"] * 2
    grid.write_text('N = [4, 5]\nt = 2.0\nb = 2.0\nrestarts = 1\n')
    result = run("sweep", "--grid", str(grid), "--out", str(tmp_path / "free"), "--quiet")
    assert "2 converged, 0 not converged" in result.stdout and "not converged:" not in result.stderr
