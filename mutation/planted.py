"""Plant, one at a time, the four bugs of issue 8 in a copy of the checkout and run the default
test suite on each: every one must make it fail (docs/testing.md).

Usage (from the repository root)::

    python mutation/planted.py                      # all four
    python mutation/planted.py midpoint_sign        # some of them

Each run uses the checkout's ``HEAD`` commit in a temporary git worktree (the working tree is
never touched; a real checkout, so that provenance tests see a commit).  The suite runs first
without a bug and must pass.  Prints, per bug, the suite's summary line and the failing tests;
exits 1 if a planted bug leaves the suite passing.  ``tests/unit/test_planted_bugs.py`` is left
out of these runs: it fails by design once a bug replaces the text it looks for.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from run import ROOT, _commit, _link_packages

#: name -> (file, the correct source, the planted bug).
BUGS = {
    "midpoint_sign": (
        "numerics/precision/certify.py",
        "    if value > 0:\n        return 1\n    if value < 0:\n        return -1\n",
        "    if value.mid() > 0:\n        return 1\n    if value.mid() < 0:\n        return -1\n"),
    "root_without_derivative": (
        "numerics/precision/certify.py",
        "    slope = df(_interval(lo, hi))\n    if ball_sign(slope) not in (-1, 1):\n"
        '        return "the derivative ball over the interval contains 0"\n',
        ""),
    "inconclusive_passes_theorem": (
        "proofs_check/runner.py",
        'elif statuses != {"pass"}:',
        'elif statuses - {"pass", "inconclusive"}:'),
    "inconclusive_refutes_mutant": (
        "proofs_check/runner.py",
        '            if outcome.status == "fail":\n                return f"{check_label',
        '            if outcome.status != "pass":\n                return f"{check_label'),
}


def suite(copy: Path) -> tuple[str, list[str]]:
    """Run the default suite in ``copy``: its summary line and the failing tests."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-q", "-rf", "-p", "no:cacheprovider",
                           "--ignore=tests/unit/test_planted_bugs.py"],
                          cwd=copy, env=env, capture_output=True, text=True)
    failed = {f for f in re.findall(r"^FAILED (\S+?)(?: - |$)", done.stdout, re.M)
              if (copy / f.split("::")[0]).exists()}   # not the fixture registries' inner runs
    return done.stdout.strip().splitlines()[-1], sorted(failed)


def plant(name: str, copy: Path) -> tuple[str, list[str]]:
    """:func:`suite` with bug ``name`` planted in ``copy`` (restored afterwards)."""
    path, correct, bug = BUGS[name]
    source = copy / path
    text = source.read_text()
    if text.count(correct) != 1:
        raise RuntimeError(f"{path} no longer holds the code that {name} replaces: update BUGS")
    source.write_text(text.replace(correct, bug))
    try:
        return suite(copy)
    finally:
        source.write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bugs", nargs="*", help=f"among {', '.join(BUGS)} (default: all four)")
    names = parser.parse_args(argv).bugs or list(BUGS)
    unknown = sorted(set(names) - set(BUGS))
    if unknown:
        parser.error(f"bugs must be among {', '.join(BUGS)}; got {', '.join(unknown)}")
    commit = _commit()
    print(f"commit {commit}")
    caught = True
    with tempfile.TemporaryDirectory(prefix="clverify-planted-") as folder:
        copy = Path(folder) / "checkout"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", "--quiet", str(copy), commit], check=True)
        try:
            _link_packages(copy)
            summary, failed = suite(copy)
            print(f"without a bug: {summary}", flush=True)
            if failed:
                raise SystemExit(f"the suite fails without a bug: {', '.join(failed)}")
            for name in names:
                summary, failed = plant(name, copy)
                caught &= bool(failed)
                print(f"{name}: {summary}\n" + "".join(f"  {f}\n" for f in failed), flush=True)
        finally:
            subprocess.run([*git, "remove", "--force", str(copy)], check=True)
    return 0 if caught else 1


if __name__ == "__main__":
    sys.exit(main())
