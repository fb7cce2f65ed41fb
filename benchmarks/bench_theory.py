"""Benchmark of the certified sigmoid-loss theory numerics (not a test).

Run ``python benchmarks/bench_theory.py`` (add ``--quick`` for a smaller sweep).  It prints

* the one-time cost of deriving (SymPy) and compiling (lambdify) the formulas;
* ``thresholds``: t_E(N) and t_A(N) with certified enclosures for N = 4..10000 at 50 digits
  (goal < 10 s), against a baseline in the same process: the closed forms evaluated in mpmath
  without certificates;
* ``phase``: certified b_E(N, t) and b_A(N, t) for 1000 (N, t) pairs (seeded), goal < 30 s,
  against the same kind of baseline;
* ``optimum``: the certified optimal CCEM of the sigmoid loss (``clverify optimum``'s
  computation, :func:`~clverify.numerics.precision.ccem_optimum.sigmoid_optimum`) at 300
  seeded (N, t, b) points in every regime, against a baseline: l(x) and l'(x) evaluated by
  mpmath (uncertified) at three points each.

Each line prints the ratio to its baseline, so two checkouts can be compared under a changing
load (docs/performance.md).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mpmath  # noqa: E402

from clverify.numerics.precision import sigmoid_optimum  # noqa: E402
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


def _optimum(triples):
    uncertified, regimes = 0, {}
    for n, t, b in triples:
        opt = sigmoid_optimum(n, t, b, digits=DIGITS)
        uncertified += not opt.x_enclosure.certified
        regimes[opt.regime] = regimes.get(opt.regime, 0) + 1
    return uncertified, regimes


def _optimum_baseline(triples):
    f, df = evaluator("loss_x"), evaluator("loss_dx")
    with mpmath.workdps(DIGITS):
        for n, t, b in triples:
            N, T, B = mpmath.mpf(n), mpmath.mpf(t), mpmath.mpf(b)
            for x in (0, mpmath.mpf(1) / 2, 1):
                f(x, N, T, B), df(x, N, T, B)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 4..1000, 100 pairs, 100 triples")
    parser.add_argument("--only", choices=("thresholds", "phase", "optimum"), default=None,
                        help="Run one figure only.")
    args = parser.parse_args(argv)
    n_max, n_pairs, n_triples = (1000, 100, 100) if args.quick else (10_000, 1000, 300)
    rng = random.Random(SEED)
    sizes = range(4, n_max + 1)
    pairs = [(rng.randint(3, 1000), repr(10 ** rng.uniform(-2, 2))) for _ in range(n_pairs)]
    triples = []
    for _ in range(n_triples):   # b from below b_A ~ log(N/2) - t to above b_E ~ (t + log(N/2))/2
        n, t = rng.randint(3, 1000), 10 ** rng.uniform(-1, 1.5)
        b = rng.uniform(math.log(n / 2) - t - 2, (t + math.log(n / 2)) / 2 + 2)
        triples.append((n, repr(t), repr(b)))

    compile_s, _ = _timed(_compile_all)
    print(f"derive + compile {len(FORMULAS)} formulas x 2 backends: {compile_s:.2f} s (once)")

    if args.only in (None, "thresholds"):
        _report_thresholds(sizes, n_max, args.quick)
    if args.only in (None, "phase"):
        _report_phase(pairs, args.quick)
    if args.only in (None, "optimum"):
        _optimum(triples[:5])   # warm-up: derives and compiles the restriction once
        base_s, _ = _timed(lambda: _optimum_baseline(triples))
        cert_s, (bad, regimes) = _timed(lambda: _optimum(triples))
        shown = ", ".join(f"{k} {v}" for k, v in sorted(regimes.items()))
        print(f"optimum {len(triples)} (N, t, b) points ({shown}), {DIGITS} digits: {cert_s:.2f} s "
              f"certified ({len(triples) / cert_s:.0f} optima/s, {bad} uncertified), baseline "
              f"{base_s:.3f} s (mpmath l, l' at 3 points), ratio {cert_s / base_s:.1f}x")
    return 0


def _report_thresholds(sizes, n_max, quick):
    base_s, _ = _timed(lambda: _thresholds_baseline(sizes))
    cert_s, bad = _timed(lambda: _thresholds(sizes))
    rate = 2 * len(sizes) / cert_s
    print(f"thresholds N = 4..{n_max}, {DIGITS} digits: {cert_s:.2f} s certified "
          f"({rate:.0f} thresholds/s, {bad} uncertified), baseline {base_s:.2f} s "
          f"(mpmath closed forms), ratio {cert_s / base_s:.1f}x; goal < {THRESHOLD_GOAL_S:g} s: "
          f"{'met' if cert_s < THRESHOLD_GOAL_S or quick else 'NOT met'}")


def _report_phase(pairs, quick):
    base_s, _ = _timed(lambda: _phase_baseline(pairs))
    cert_s, bad = _timed(lambda: _phase(pairs))
    print(f"phase {len(pairs)} (N, t) pairs, {DIGITS} digits: {cert_s:.2f} s certified "
          f"({2 * len(pairs) / cert_s:.0f} boundaries/s, {bad} uncertified), baseline "
          f"{base_s:.3f} s, ratio {cert_s / base_s:.1f}x; goal < {PHASE_GOAL_S:g} s: "
          f"{'met' if cert_s < PHASE_GOAL_S or quick else 'NOT met'}")


if __name__ == "__main__":
    raise SystemExit(main())
