"""A loss file through gradient descent: ``clverify gd --loss-file`` and a sweep grid's
``loss_file`` key, against the built-in loss given by name (the same definition, another
route) and the hand value of the spectral loss's optimum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clverify.proofs_check.cli import main

ROOT = Path(__file__).resolve().parents[2]
SIGLIP = """
def siglip(grams, ops, *, t, b):
    S = grams.uv
    return (S.sum_diagonal(lambda s: ops.softplus(b - t * s))
            + S.sum_off_diagonal(lambda s: ops.softplus(t * s - b))) / S.N
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def records(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["records"]


def test_gd_of_the_sigmoid_loss_as_a_file_is_gd_of_the_built_in(tmp_path):
    path = tmp_path / "siglip.py"
    path.write_text(SIGLIP)
    common = ("--N", 6, "--d", 4, "--restarts", 2, "--seed", 3, "--format", "json")
    (mine,) = records(run("gd", "--loss-file", path, "--loss", "siglip", "--param", "t=2", "--param", "b=1", *common))
    (theirs,) = records(run("gd", "--loss", "sigmoid", "--t", 2, "--b", 1, *common))
    assert mine["loss_name"] == "siglip" and mine["converged"] and theirs["converged"]
    assert abs(mine["loss"] - theirs["loss"]) < 1e-10 and mine["seed"] == theirs["seed"]


def test_gd_of_the_spectral_loss_reaches_the_orthonormal_value():
    """u_i = v_i orthonormal (d >= N) gives -2 (docs/examples/spectral.py, by hand)."""
    (r,) = records(run("gd", "--loss-file", ROOT / "docs" / "examples" / "spectral.py", "--loss", "spectral",
                       "--N", 6, "--restarts", 2, "--format", "json"))
    assert abs(r["loss"] + 2) < 1e-9 and r["converged"] and "clverify analyse" in r["note"]


@pytest.mark.parametrize("extra, message", [
    (("--loss", "absent"), "defines no function 'absent'"),
    (("--loss", "siglip", "--param", "t=1"), "needs parameter(s) b"),
    (("--loss", "siglip", "--param", "t=1", "--param", "b=1", "--optimizer", "torch-lbfgs"),
     "optimizer must be batched for a loss of --loss-file"),
])
def test_gd_bad_loss_file_use_is_one_line(tmp_path, extra, message):
    path = tmp_path / "siglip.py"
    path.write_text(SIGLIP)
    result = run("gd", "--loss-file", path, "--N", 4, *extra)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.output
