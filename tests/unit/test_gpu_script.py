"""benchmarks/gpu.sh --smoke: every step of the GPU measurements, tiny and on the CPU, so that
the script a GPU machine runs has run here (its figures are measurements, not tests)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_script_runs_every_step_in_smoke_mode(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable, "CLVERIFY": str(Path(sys.executable).with_name("clverify")),
           "OMP_NUM_THREADS": "1"}
    out = tmp_path / "gpu"
    done = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu.sh"), "--smoke", str(out)],
                          capture_output=True, text=True, env=env, timeout=540)
    steps = (out / "steps.txt").read_text().splitlines()
    assert done.returncode == 0, (steps, done.stderr[-2000:])
    assert [line.split(":")[0] for line in steps] == ["paper_grid", "large_n", "gd", "figure"]
    assert all(": exit 0," in line for line in steps)
    assert "cuda False" in (out / "device.txt").read_text()
    grid = json.loads((out / "paper_grid" / "records.json").read_text())["records"]
    assert len(grid) == 4 and all(r["converged"] for r in grid)
    (large,) = list(_json_objects((out / "large_n.json").read_text()))
    assert (large["N"], large["d"], large["device"]) == (300, 8, "cpu") and large["ratio"] > 0
    (gd,) = json.loads((out / "gd_200.json").read_text())["records"]
    assert gd["N"] == 200 and gd["d"] == 8
    assert (out / "paper_figure.png").stat().st_size > 0 and (out / "paper_figure.pdf").stat().st_size > 0


def _json_objects(text):
    """The objects of a stream of JSON objects (one per record, as the benchmark prints them)."""
    decoder, at, text = json.JSONDecoder(), 0, text.strip()
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        yield obj
        at += len(text[at:]) - len(text[at:].lstrip())
