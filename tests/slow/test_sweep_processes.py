"""Sweeps across processes: local workers give the in-process records; SIGTERM stops the CLI
cleanly.  Spawned processes import torch (seconds each), so these run with ``-m slow``."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from clverify.numerics.descent.grid import parse_grid
from clverify.numerics.descent.store import STORE_NAME, ResultStore
from clverify.numerics.descent.sweep import records_in_order, run_sweep

GRID = 'N = [4, 5, 6]\nt = 2.0\nb = [1.0, 3.0]\nseeds = [0, 1]\nrestarts = 1\n'


def _records(path, configs, **kw):
    with ResultStore(path) as store:
        run_sweep(configs, store, device="cpu", max_batch=6, **kw)
        return records_in_order(configs, store)


@pytest.mark.slow
def test_local_processes_give_the_same_records(tmp_path):
    configs = parse_grid(GRID)
    assert _records(tmp_path / "b.sqlite", configs, workers=2) == _records(tmp_path / "a.sqlite", configs)


@pytest.mark.slow
def test_sigterm_stops_the_cli_like_ctrl_c(tmp_path):
    """SIGTERM (a batch system's time limit) ends the sweep with exit 1 after writing what is stored."""
    grid = tmp_path / "grid.toml"
    grid.write_text('N = {start = 4, stop = 9}\nt = 2.0\nb = [1.0, 3.0]\nseeds = [0, 1, 2]\nrestarts = 1\n')
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "clverify.proofs_check", "sweep", "--grid", str(grid),
                             "--out", str(out), "--max-batch", "1", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while not (out / STORE_NAME).exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "sweep stopped (SIGTERM)" in err
    records = json.loads((out / "records.json").read_text())
    assert records["provenance"]["complete"] is False
    with ResultStore(out / STORE_NAME) as store:
        assert len(store.keys()) == len(records["records"]) < 36
