"""docs/own_loss.py, the notebook of docs/ (a percent-format script), runs from start to end
in a fresh process; its cells assert their numbers against closed forms by hand."""

import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "own_loss.py"


def test_the_notebook_runs_in_a_fresh_process(tmp_path):
    result = subprocess.run([sys.executable, str(NOTEBOOK)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "intermediate -> etf" in result.stdout
