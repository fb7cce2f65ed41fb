"""Provenance of every table (clverify.numerics.output.tables.provenance): version, git commit
of the package's own checkout, command, library versions and precision, in every format."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import subprocess
import sys
import tomllib

import flint
import mpmath
import numpy
import pytest
import scipy
import sympy
import torch
from click.testing import CliRunner

from clverify.numerics.output import tables
from clverify.numerics.output.tables import provenance, render
from clverify.proofs_check.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[2]


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_version_and_libraries_match_what_is_installed():
    prov = provenance("demo")
    assert prov["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert prov["libraries"] == {"sympy": sympy.__version__, "mpmath": mpmath.__version__,
                                 "python-flint": flint.__version__, "numpy": numpy.__version__,
                                 "scipy": scipy.__version__, "torch": torch.__version__}
    assert prov["python"] == "{}.{}.{}".format(*sys.version_info[:3])
    assert prov["package"] == "clverify"


def test_created_is_now_in_utc():
    created = dt.datetime.fromisoformat(provenance("demo")["created"])
    assert created.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 60


def test_command_defaults_to_the_command_line(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/usr/bin/clverify", "thresholds", "--N", "7"])
    assert provenance()["command"] == "clverify thresholds --N 7"
    assert provenance("given")["command"] == "given"


def test_extra_fields_such_as_the_precision_are_kept():
    prov = provenance("demo", digits=30, backend="python-flint arb", seed=3)
    assert (prov["digits"], prov["backend"], prov["seed"]) == (30, "python-flint arb", 3)


@pytest.fixture
def repo(tmp_path):
    """A fresh git repository with one commit."""
    git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("1")
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_the_commit_and_dirty_flag_of_the_packages_own_checkout(repo, monkeypatch):
    monkeypatch.setattr(tables, "_SOURCE_ROOT", repo.resolve())
    head = git(repo, "log", "-1", "--format=%H")
    assert (provenance("x")["git_commit"], provenance("x")["git_dirty"]) == (head, False)
    (repo / "a.txt").write_text("2")
    assert (provenance("x")["git_commit"], provenance("x")["git_dirty"]) == (head, True)
    (repo / "new.txt").write_text("untracked files do not make the checkout dirty")
    (repo / "a.txt").write_text("1")
    assert provenance("x")["git_dirty"] is False


def test_no_commit_from_a_repository_that_merely_contains_the_package(repo, monkeypatch):
    """An install inside someone else's repository (a venv in their project) is not their commit."""
    inside = repo / "venv" / "site-packages" / "clverify"
    inside.mkdir(parents=True)
    monkeypatch.setattr(tables, "_SOURCE_ROOT", inside.resolve())
    assert (provenance("x")["git_commit"], provenance("x")["git_dirty"]) == (None, None)


def test_no_commit_outside_any_repository(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "_SOURCE_ROOT", tmp_path.resolve())
    assert (provenance("x")["git_commit"], provenance("x")["git_dirty"]) == (None, None)


def test_the_commit_does_not_depend_on_the_working_directory(repo, monkeypatch):
    if not (ROOT / ".git").exists():
        pytest.skip("not run from a git checkout")
    monkeypatch.chdir(repo)
    assert provenance("x")["git_commit"] == git(ROOT, "log", "-1", "--format=%H")


@pytest.mark.parametrize("fmt", ["md", "latex", "json", "csv"])
def test_every_format_carries_the_provenance(fmt):
    prov = provenance("clverify demo --digits 30", digits=30)
    text = render([{"N": 5}], fmt, prov)
    for value in ("clverify demo --digits 30", "30", prov["version"], str(prov["git_commit"])):
        assert value in text, (fmt, value)
    if fmt == "json":
        assert json.loads(text)["provenance"] == json.loads(json.dumps(prov))


def test_a_table_command_records_its_precision_and_backend():
    out = CliRunner().invoke(main, ["thresholds", "--N", "5", "--digits", "20", "--format", "json", "--quiet"])
    prov = json.loads(out.stdout)["provenance"]
    assert prov["digits"] == 20 and "flint" in prov["backend"]
    assert prov["command"].startswith("clverify")
