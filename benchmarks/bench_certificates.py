"""Benchmark of the certificates (not a test).

Run ``python benchmarks/bench_certificates.py`` (``--quick``: N = 4..1000).  In one process,
after a warm-up that derives and compiles every formula, it times

* ``thresholds``: what ``clverify thresholds --N-range 4:10000 --digits 50 --format json`` does
  after start-up: the certified rows and their JSON table;
* ``certify``: what ``clverify certify thresholds`` does for the same rows: the same search,
  the facts at the printed decimals (the package's own Arb evaluators), the JSON certificate
  (goal: within 2x of ``thresholds``);
* ``recheck``: what ``python -I -m clverify.recheck`` does with that file after start-up:
  :func:`clverify.recheck.load` (the JSON with its limits, repeated keys, digest) and
  :func:`clverify.recheck.check_certificate` against the pinned kinds (goal: 10,000 rows in
  10 s of CPU or less).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clverify.numerics.output.tables import provenance, render  # noqa: E402
from clverify.numerics.precision.certificates import threshold_certificate  # noqa: E402
from clverify.proofs_check.cli.sigmoid import threshold_records  # noqa: E402
from clverify.recheck import check_certificate, load  # noqa: E402

DIGITS = 50
CERTIFY_GOAL_RATIO = 2.0
RECHECK_GOAL_S = 10.0


def _timed(fn):
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _recheck(path: Path):
    """What the checker does with one file: load it (limits, repeated keys, digest), check it."""
    data, repeated, _ = load(path)
    return check_certificate(data, duplicates=repeated)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 4..1000")
    args = parser.parse_args(argv)
    sizes = range(4, (1000 if args.quick else 10_000) + 1)
    prov = provenance(command="benchmarks/bench_certificates.py", digits=DIGITS)

    warm_s, _, _ = _timed(lambda: (threshold_records(range(4, 40), DIGITS),
                                threshold_certificate(range(4, 40), DIGITS)))
    print(f"warm-up (derive, compile, 36 rows both ways): {warm_s:.2f} s")

    table_s, table_cpu, table = _timed(lambda: render(threshold_records(sizes, DIGITS), "json", prov))
    cert_s, cert_cpu, text = _timed(lambda: threshold_certificate(sizes, DIGITS).to_json(prov))
    ratio = cert_cpu / table_cpu
    print(f"thresholds N = 4..{sizes[-1]} at {DIGITS} digits: table {table_s:.2f} s (CPU {table_cpu:.2f} s, "
          f"{len(table) / 1e6:.1f} MB), certificate {cert_s:.2f} s (CPU {cert_cpu:.2f} s, "
          f"{len(text) / 1e6:.1f} MB): ratio {ratio:.2f}x in CPU time ({cert_s / table_s:.2f}x wall); "
          f"goal <= {CERTIFY_GOAL_RATIO:g}x: {'met' if ratio <= CERTIFY_GOAL_RATIO else 'NOT met'}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "thresholds.json"
        path.write_text(text)
        check_s, check_cpu, result = _timed(lambda: _recheck(path))
    rows = result.rows
    print(f"recheck: {'PINNED' if result.pinned else 'UNPINNED'} {result.kind}, {rows} rows, {result.facts} facts "
          f"({len(result.failures)} failed) in {check_s:.2f} s (CPU {check_cpu:.2f} s, "
          f"{rows / check_cpu:.0f} rows per CPU second); goal: 10,000 rows <= {RECHECK_GOAL_S:g} s CPU: "
          f"{'met' if check_cpu * 10_000 / rows <= RECHECK_GOAL_S else 'NOT met'} "
          f"(projected to 10,000 rows: {check_cpu * 10_000 / rows:.2f} s CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
