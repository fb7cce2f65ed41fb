"""Benchmark of a researcher's loss end to end (not a test).

Run ``python benchmarks/bench_losses.py``.  It prints, for the worked example of
docs/extending.md (the sigmoid loss with a margin, a per-pair loss given as a file):

* ``clverify analyse`` at one (N, params) as a user runs it: a fresh process (interpreter,
  imports, SymPy derivation, certificate, 3 restarts of gradient descent), goal < 5 s;
* the same in this process, first call (derivation and compilation) and a second call
  (cached), against the special-purpose route of the built-in sigmoid loss on the same
  problem (``sigmoid_optimum`` + ``optimise_embedding``), as a ratio;
* ``clverify analyse --sweep-param b --range -5:10 --points 200``: a fresh process, goal < 60 s.

Wall and process CPU seconds are both printed (CPU time is less sensitive to other processes).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "docs" / "examples" / "margin_sigmoid.py"
POINT = ["--N", "10", "--d", "10", "--param", "t=2", "--param", "b=1", "--param", "m=1"]
SWEEP = ["--N", "10", "--param", "t=2", "--param", "m=1", "--sweep-param", "b", "--range", "-5:10",
         "--points", "200"]
ANALYSE_GOAL_S, SWEEP_GOAL_S = 5.0, 60.0


def _clverify(*args) -> tuple[float, float]:
    """Wall and child CPU seconds of one ``clverify`` process (the executable next to python)."""
    exe = Path(sys.executable).with_name("clverify")
    before = _children_cpu()
    start = time.perf_counter()
    subprocess.run([str(exe), *args, "--format", "json"], check=True, capture_output=True)
    return time.perf_counter() - start, _children_cpu() - before


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - start, time.process_time() - cpu, out


def main() -> None:
    base = ["analyse", "--loss-file", str(EXAMPLE), "--loss", "margin_sigmoid"]
    wall, cpu = _clverify(*base, *POINT)
    print(f"clverify analyse (fresh process): {wall:.2f} s wall, {cpu:.2f} s CPU; "
          f"goal {ANALYSE_GOAL_S:g} s: {wall / ANALYSE_GOAL_S:.2f} of it")

    from clverify import analyse, load_loss
    from clverify.numerics.descent.optimise import optimise_embedding
    from clverify.numerics.precision.ccem_optimum import sigmoid_optimum

    loss = load_loss(EXAMPLE, "margin_sigmoid")
    params = {"t": "2", "b": "1", "m": "1"}
    first = _timed(lambda: analyse(loss, 10, 10, params, digits=30))
    second = _timed(lambda: analyse(loss, 10, 10, params, digits=30))
    special = _timed(lambda: (sigmoid_optimum(10, "2", "1", digits=30),
                              optimise_embedding(10, 10, t=2.0, b=1.0, device="cpu")))
    print(f"analyse in process: first call {first[0]:.2f} s wall ({first[1]:.2f} s CPU), "
          f"second {second[0]:.2f} s ({second[1]:.2f} s CPU)")
    print(f"built-in sigmoid's own route on the same problem: {special[0]:.2f} s wall "
          f"({special[1]:.2f} s CPU); analyse (second call) / it: {second[0] / special[0]:.2f} wall, "
          f"{second[1] / special[1]:.2f} CPU")

    wall, cpu = _clverify(*base, *SWEEP)
    print(f"clverify analyse --sweep-param b, 200 points (fresh process): {wall:.2f} s wall, "
          f"{cpu:.2f} s CPU; goal {SWEEP_GOAL_S:g} s: {wall / SWEEP_GOAL_S:.2f} of it")


if __name__ == "__main__":
    main()
