"""The main job's certificates, from a fresh run, re-checked PINNED by the independent checker."""

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_report_certificates_recheck_from_a_fresh_run(tmp_path):
    run = subprocess.run([sys.executable, "-m", "clverify.proofs_check", "report", "--out", str(tmp_path),
                          "--quiet"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in (tmp_path / "certs").glob("*.json"))
    assert {"thresholds.json", "optimum.json"} <= set(names) and len(names) == 7
    checked = subprocess.run([sys.executable, "-I", "-m", "clverify.recheck", str(tmp_path / "certs")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    files = [line for line in checked.stdout.splitlines() if line.endswith(" cells omitted")]
    assert [line.split(":")[0] for line in files] == names
    assert all(": PINNED " in line and " 0 failed, " in line for line in files)
