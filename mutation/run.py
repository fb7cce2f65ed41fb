"""Mutation testing of the trust core with cosmic-ray, in a copy of the checkout.

Usage (from the repository root, with the ``mutation`` extra installed)::

    python mutation/run.py                  # every module with a config in mutation/*.toml
    python mutation/run.py certify runner   # some of them
    python mutation/run.py --jobs 2 --keep /tmp/mut certify

Each module's session runs on the files of the checkout's ``HEAD`` commit (``git archive``:
commit what you want measured), in its own folder whose ``clverify`` folder links to its
``theory``, ``numerics`` and ``proofs_check`` (the one import name, without an install), so
the working tree is never mutated and work can go on meanwhile.  The steps are cosmic-ray's own:
``init``; the operator filter of the config (with its written reason) and ``# pragma: no
mutate`` lines; equivalent mutants skipped with their reason (inside type annotations, never
evaluated, and those the config lists in ``[[clverify.equivalent]]``); ``baseline`` (the tests
must pass on the unmutated copy); ``exec``.  The script
prints, per module, killed / survived / kill ratio and every survivor's diff, and exits 1 if a
mutant survives.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "mutation"
#: The folders installed under the one import name ``clverify`` (pyproject's package-dir).
PACKAGE_DIRS = ("theory", "numerics", "proofs_check")


def _tool(name: str) -> str:
    """A console script installed next to this Python (cosmic-ray, cr-filter-operators...)."""
    return str(Path(sys.executable).with_name(name))


def _commit() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _export(commit: str, dest: Path) -> None:
    """The files of ``commit`` in ``dest`` (``git archive``: what is measured is a commit, whatever
    the working tree holds meanwhile)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")


def _link_packages(copy: Path) -> None:
    """Links ``clverify/theory -> ../theory`` (and numerics, proofs_check) in the copy, so that
    with the copy first on the path ``import clverify.numerics`` reads the copy, before any
    installed clverify."""
    for folder in PACKAGE_DIRS:
        (copy / "clverify" / folder).symlink_to(Path("..") / folder, target_is_directory=True)


def _annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions (line, column) of every type annotation in ``source``."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = [node.returns]
        elif isinstance(node, ast.arg | ast.AnnAssign):
            found = [node.annotation]
        else:
            continue
        spans += [((a.lineno, a.col_offset), (a.end_lineno, a.end_col_offset)) for a in found if a is not None]
    return spans


#: The output recorded for a mutation skipped as equivalent (``summary`` counts them apart).
EQUIVALENT = "equivalent: "


def skip_equivalents(db_path: str, copy: Path, listed: list[dict]) -> None:
    """Mark as skipped, with the reason, the mutations that cannot change behaviour:

    * every mutation inside a type annotation of a module that starts with ``from __future__
      import annotations`` (every module here): annotations are never evaluated;
    * every mutation listed in the config's ``[[clverify.equivalent]]`` tables: ``operator`` (a
      regular expression on cosmic-ray's operator name) at a source line containing ``line``,
      with the ``reason`` it is equivalent.
    """
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    sources: dict[str, tuple[list[str], list]] = {}
    with use_db(db_path, mode=WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            (mutation,) = item.mutations
            path = str(mutation.module_path)
            if path not in sources:
                text = (copy / path).read_text()
                lazy = "from __future__ import annotations" in text
                sources[path] = text.splitlines(), _annotation_spans(text) if lazy else []
            lines, spans = sources[path]
            start, end = tuple(mutation.start_pos), tuple(mutation.end_pos)
            reason = "inside a type annotation, never evaluated" if any(
                lo <= start and end <= hi for lo, hi in spans) else next(
                (e["reason"] for e in listed if re.search(e["operator"], mutation.operator_name)
                 and e["line"] in lines[start[0] - 1]), None)
            if reason is not None:
                db.set_result(item.job_id, WorkResult(output=EQUIVALENT + reason,
                                                      worker_outcome=WorkerOutcome.SKIPPED))


def _run(args: list[str], cwd: Path, env: dict) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def session(module: str, workdir: Path, commit: str) -> dict:
    """Run the cosmic-ray session of ``mutation/<module>.toml`` on ``commit`` in ``workdir``; its
    summary."""
    copy = workdir / "checkout"
    copy.mkdir(parents=True)
    _export(commit, copy)
    _link_packages(copy)
    env = {**os.environ, "PYTHONPATH": str(copy), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "PYTHONDONTWRITEBYTECODE": "1"}
    config, db = f"mutation/{module}.toml", str(workdir / f"{module}.sqlite")
    _run([_tool("cosmic-ray"), "init", config, db], copy, env)
    _run([_tool("cr-filter-operators"), db, config], copy, env)
    _run([_tool("cr-filter-pragma"), db], copy, env)
    listed = tomllib.loads((copy / config).read_text()).get("clverify", {}).get("equivalent", [])
    skip_equivalents(db, copy, listed)
    _run([_tool("cosmic-ray"), "baseline", config], copy, env)
    _run([_tool("cosmic-ray"), "exec", config, db], copy, env)
    dump = subprocess.run([_tool("cosmic-ray"), "dump", db], capture_output=True, text=True, check=True).stdout
    return {**summary(module, [json.loads(line) for line in dump.splitlines()]), "commit": commit}


def summary(module: str, rows: list) -> dict:
    """Counts and survivors of a session dump (``[work_item, result]`` per line); the kill
    ratio is killed / (killed + survived), equivalent and filtered mutants aside."""
    counts = {"killed": 0, "survived": 0, "incompetent": 0, "equivalent": 0, "filtered": 0, "other": 0}
    survivors = []
    for item, result in rows:
        if result is None or result["worker_outcome"] not in ("normal", "skipped"):
            counts["other"] += 1
        elif result["worker_outcome"] == "skipped":
            counts["equivalent" if (result["output"] or "").startswith(EQUIVALENT) else "filtered"] += 1
        else:
            counts[result["test_outcome"]] += 1
            if result["test_outcome"] == "survived":
                (mutation,) = item["mutations"]
                survivors.append({"line": mutation["start_pos"][0], "operator": mutation["operator_name"],
                                  "diff": result["diff"]})
    run = counts["killed"] + counts["survived"]
    ratio = counts["killed"] / run if run else None
    return {"module": module, **counts, "kill_ratio": ratio,
            "survivors": sorted(survivors, key=lambda s: (s["line"], s["operator"]))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="config names in mutation/ (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="sessions run at once (default 1)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the copies and sessions here")
    parser.add_argument("--json", type=Path, default=None, help="also write the summaries to this file")
    args = parser.parse_args(argv)
    known = sorted(p.stem for p in CONFIGS.glob("*.toml"))
    modules = args.modules or known
    unknown = sorted(set(modules) - set(known))
    if unknown:
        parser.error(f"modules must be among {', '.join(known)}; got {', '.join(unknown)}")
    commit = _commit()
    base = args.keep or Path(tempfile.mkdtemp(prefix="clverify-mutation-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            results = list(pool.map(
                lambda m: session(m, Path(tempfile.mkdtemp(prefix=f"{m}-", dir=base)), commit), modules))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"commit {commit}")
    for r in results:
        ratio = "-" if r["kill_ratio"] is None else f"{r['kill_ratio']:.1%}"
        print(f"{r['module']}: killed {r['killed']}, survived {r['survived']}, kill ratio {ratio} "
              f"(equivalent {r['equivalent']}, filtered {r['filtered']}, incompetent {r['incompetent']}, "
              f"other {r['other']})")
        for s in r["survivors"]:
            print(f"  survivor line {s['line']} {s['operator']}\n" + "\n".join(
                "    " + line for line in s["diff"].splitlines()[2:]))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if any(r["survived"] or r["other"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
