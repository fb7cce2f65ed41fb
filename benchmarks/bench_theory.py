"""Benchmark of the certified sigmoid-loss theory numerics (not a test).

Run ``python benchmarks/bench_theory.py`` (add ``--quick`` for a smaller sweep).  It prints

* the one-time cost of deriving (SymPy) and compiling (lambdify) the formulas;
* ``thresholds``: t_E(N) and t_A(N) with certified enclosures for N = 4..10000 at 50 digits
  (goal < 10 s), against a baseline in the same process: the closed forms evaluated in mpmath
  without certificates;
* ``phase``: certified b_E(N, t) and b_A(N, t) for 1000 (N, t) pairs (seeded), goal < 30 s,
  against the same kind of baseline.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mpmath  # noqa: E402

from clverify.numerics.precision.evaluators import FORMULAS, evaluator  # noqa: E402
from clverify.numerics.precision.thresholds import (  # noqa: E402
    antipodal_boundary_b,
    antipodal_threshold_tb,
    etf_boundary_b,
    etf_threshold_tb,
)

DIGITS = 50
SEED = 20240501
THRESHOLD_GOAL_S = 10.0
PHASE_GOAL_S = 30.0


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _compile_all():
    for name in FORMULAS:
        evaluator(name, "mpmath")
        evaluator(name, "arb")


def _thresholds(sizes):
    uncertified = 0
    for n in sizes:
        for r in (etf_threshold_tb(n, DIGITS), antipodal_threshold_tb(n, DIGITS)):
            uncertified += r.enclosure is not None and not r.enclosure.certified
    return uncertified


def _thresholds_baseline(sizes):
    f, g = evaluator("etf_threshold_tb"), evaluator("antipodal_threshold_tb")
    with mpmath.workdps(DIGITS):
        for n in sizes:
            N = mpmath.mpf(n)
            f(0, N, 0, 0), g(0, N, 0, 0)


def _phase(pairs):
    uncertified = 0
    for n, t in pairs:
        for r in (etf_boundary_b(n, t, DIGITS), antipodal_boundary_b(n, t, DIGITS)):
            uncertified += not r.enclosure.certified
    return uncertified


def _phase_baseline(pairs):
    f, g = evaluator("etf_boundary_b"), evaluator("antipodal_boundary_b")
    with mpmath.workdps(DIGITS):
        for n, t in pairs:
            N, T = mpmath.mpf(n), mpmath.mpf(t)
            f(0, N, T, 0), g(0, N, T, 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 4..1000 and 100 pairs")
    args = parser.parse_args(argv)
    n_max, n_pairs = (1000, 100) if args.quick else (10_000, 1000)
    rng = random.Random(SEED)
    sizes = range(4, n_max + 1)
    pairs = [(rng.randint(3, 1000), repr(10 ** rng.uniform(-2, 2))) for _ in range(n_pairs)]

    compile_s, _ = _timed(_compile_all)
    print(f"derive + compile {len(FORMULAS)} formulas x 2 backends: {compile_s:.2f} s (once)")

    base_s, _ = _timed(lambda: _thresholds_baseline(sizes))
    cert_s, bad = _timed(lambda: _thresholds(sizes))
    rate = 2 * len(sizes) / cert_s
    print(f"thresholds N = 4..{n_max}, {DIGITS} digits: {cert_s:.2f} s certified "
          f"({rate:.0f} thresholds/s, {bad} uncertified), baseline {base_s:.2f} s "
          f"(mpmath closed forms), ratio {cert_s / base_s:.1f}x; goal < {THRESHOLD_GOAL_S:g} s: "
          f"{'met' if cert_s < THRESHOLD_GOAL_S or args.quick else 'NOT met'}")

    base_s, _ = _timed(lambda: _phase_baseline(pairs))
    cert_s, bad = _timed(lambda: _phase(pairs))
    print(f"phase {len(pairs)} (N, t) pairs, {DIGITS} digits: {cert_s:.2f} s certified "
          f"({2 * len(pairs) / cert_s:.0f} boundaries/s, {bad} uncertified), baseline "
          f"{base_s:.3f} s, ratio {cert_s / base_s:.1f}x; goal < {PHASE_GOAL_S:g} s: "
          f"{'met' if cert_s < PHASE_GOAL_S or args.quick else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
