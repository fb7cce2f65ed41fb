"""A loss file through gradient descent: ``clverify gd --loss-file`` and a sweep grid's
``loss_file`` key, against the built-in loss given by name (the same definition, another
route) and the hand value of the spectral loss's optimum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runs import SIGLIP, records, run

ROOT = Path(__file__).resolve().parents[2]
def test_gd_of_the_sigmoid_loss_as_a_file_is_gd_of_the_built_in(tmp_path):
    path = tmp_path / "siglip.py"
    path.write_text(SIGLIP)
    common = ("--N", 6, "--d", 4, "--restarts", 2, "--seed", 3, "--format", "json")
    (mine,) = records(run("gd", "--loss-file", path, "--loss", "sigmoid", "--param", "t=2", "--param", "b=1", *common))
    (theirs,) = records(run("gd", "--loss", "sigmoid", "--t", 2, "--b", 1, *common))
    assert mine["converged"] and theirs["converged"]
    assert abs(mine["loss"] - theirs["loss"]) < 1e-10 and mine["seed"] == theirs["seed"]


def test_gd_of_the_spectral_loss_reaches_the_orthonormal_value():
    """u_i = v_i orthonormal (d >= N) gives -2 (docs/examples/spectral.py, by hand)."""
    (r,) = records(run("gd", "--loss-file", ROOT / "docs" / "examples" / "spectral.py", "--loss", "spectral",
                       "--N", 6, "--restarts", 2, "--format", "json"))
    assert abs(r["loss"] + 2) < 1e-9 and r["converged"] and "clverify analyse" in r["note"]


@pytest.mark.parametrize("extra, message", [
    (("--loss", "absent"), "defines no function 'absent'"),
    (("--loss", "sigmoid", "--param", "t=1"), "needs parameter(s) b"),
    (("--loss", "sigmoid", "--param", "t=1", "--param", "b=1", "--optimizer", "torch-lbfgs"),
     "optimizer must be batched for a loss of --loss-file"),
])
def test_gd_bad_loss_file_use_is_one_line(tmp_path, extra, message):
    path = tmp_path / "siglip.py"
    path.write_text(SIGLIP)
    result = run("gd", "--loss-file", path, "--N", 4, *extra)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.output


def _sweep_records(folder, grid_text, name="grid.toml"):
    (folder / name).write_text(grid_text)
    out = folder / "out"
    result = run("sweep", "--grid", folder / name, "--out", out, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads((out / "records.json").read_text())["records"], result.stdout


def test_a_sweep_grid_takes_a_loss_file_and_matches_the_built_in(tmp_path):
    (tmp_path / "siglip.py").write_text(SIGLIP)
    mine, _ = _sweep_records(tmp_path, 'loss = "sigmoid"\nloss_file = "siglip.py"\nN = [4, 6]\nd = 3\n'
                                       't = 2.0\nb = 1.0\nrestarts = 2\nseeds = 5\n')
    (tmp_path / "ref").mkdir()
    theirs, _ = _sweep_records(tmp_path / "ref",
                               'loss = "sigmoid"\nN = [4, 6]\nd = 3\nt = 2.0\nb = 1.0\nrestarts = 2\nseeds = 5\n')
    assert all(r["loss_file"] == str((tmp_path / "siglip.py").resolve()) for r in mine)
    for a, b in zip(mine, theirs):
        assert a["N"] == b["N"] and abs(a["loss"] - b["loss"]) < 1e-10


def test_an_edited_loss_file_is_computed_again_not_reused(tmp_path):
    (tmp_path / "siglip.py").write_text(SIGLIP)
    grid = 'loss = "sigmoid"\nloss_file = "siglip.py"\nN = 4\nt = 2.0\nb = 1.0\nrestarts = 1\n'
    _sweep_records(tmp_path, grid)
    (tmp_path / "siglip.py").write_text(SIGLIP.replace("t * s - b", "t * s - b - 1"))
    records, said = _sweep_records(tmp_path, grid)
    assert "0 already stored, 1 computed" in said
    assert len({r["loss_file_sha256"] for r in records}) == 1


@pytest.mark.parametrize("grid, message", [
    ('loss = "sigmoid"\nloss_file = "none.py"\nN = 4\n', "loss_file must be an existing Python file (.py)"),
    ('loss = "absent"\nloss_file = "siglip.py"\nN = 4\n', "defines no function 'absent'"),
    ('loss = "sigmoid"\nloss_file = "siglip.py"\nN = 4\nt = 1.0\n', "needs parameter(s) b"),
])
def test_a_bad_loss_file_in_a_grid_is_one_line(tmp_path, grid, message):
    (tmp_path / "siglip.py").write_text(SIGLIP)
    (tmp_path / "grid.toml").write_text(grid)
    result = run("sweep", "--grid", tmp_path / "grid.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.output
    assert not (tmp_path / "out").exists()
