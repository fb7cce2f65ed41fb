"""``clverify recheck`` and ``python -I recheck.py`` as a referee runs them: what is
printed per file, ``--expect``, exit codes, one-line refusals of bad input (within seconds:
a forged number, JSON too deep or too large, options), and isolation from planted code in the
working folder."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import clverify.recheck as recheck
from clverify.numerics.precision.certificates import threshold_certificate
from clverify.recheck import KINDS_FILE, main


@pytest.fixture(scope="module")
def thresholds():
    return json.loads(threshold_certificate(range(5, 12), digits=20).to_json({"command": "test"}))


def _write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _checker(*args, cwd=None, timeout=60):
    """The checker in an isolated process, run from its own file (as from a copy of its two
    files: ``python -I recheck.py ARGS``; the file imported here, so that mutation testing runs
    the mutated copy)."""
    return subprocess.run([sys.executable, "-I", recheck.__file__, *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout)


def _console_script() -> str:
    return str(Path(sys.executable).with_name("clverify"))


def test_main_prints_kind_digests_rows_and_facts_per_file(tmp_path, thresholds, capsys):
    good = _write(tmp_path, "good.json", thresholds)
    bad = copy.deepcopy(thresholds)
    bad["rows"][2]["t_etf"]["slope"] = -bad["rows"][2]["t_etf"]["slope"]
    _write(tmp_path, "bad.json", bad)
    assert main([str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    checker = hashlib.sha256(Path(main.__code__.co_filename).read_bytes()).hexdigest()
    kinds = hashlib.sha256(KINDS_FILE.read_bytes()).hexdigest()
    assert lines[0] == f"checker recheck.py sha256 {checker}; kinds recheck_kinds.json sha256 {kinds} (8 kinds)"
    assert lines[1] == "bad.json: PINNED thresholds: 7 rows, 69 facts checked, 1 failed, 0 cells omitted"
    at = lines.index("good.json: PINNED thresholds: 7 rows, 70 facts checked, 0 failed, 0 cells omitted")
    assert any(line.startswith("  FAIL bad.json row 2 (N=7), t_etf: the sign of f' on [lo, hi] is")
               for line in lines[:at])
    assert not any(line.startswith("  ...") for line in lines)  # one failure: no cut
    assert lines[at + 1] == f"  file sha256 {hashlib.sha256(good.read_bytes()).hexdigest()}"
    assert lines[at + 2] == "  rows: N in 5..11; digits 20"
    digest = thresholds["expressions"]["etf_condition_tb"]["sha256"]
    assert lines[at + 3] == f"  expression etf_condition_tb sha256 {digest}"


def test_expect_confirms_a_quoted_digest(tmp_path, thresholds, capsys):
    path = _write(tmp_path, "thresholds.json", thresholds)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["--expect", digest, str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"expected sha256 {digest}: thresholds.json"
    other = "0" * 64
    assert main(["--expect", other, str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == f"expected sha256 {other}: NOT FOUND among the files checked"


def test_show_expressions_prints_them_with_the_checkers_parser(tmp_path, thresholds, capsys):
    path = _write(tmp_path, "thresholds.json", thresholds)
    assert main(["--show-expressions", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"  expression etf_threshold_tb sha256 {thresholds['expressions']['etf_threshold_tb']['sha256']}: " \
           f"(N - 1)*log(N - 3)/N" in out


def test_the_command_line_runs_the_checker_isolated(tmp_path, thresholds):
    """A bundle planting fractions.py, flint.py and clverify/recheck.py that would turn a failing
    recheck into a pass: `clverify recheck .` inside it imports none of them (python -I)."""
    bad = copy.deepcopy(thresholds)
    bad["rows"][0]["t_etf"]["sign_lo"] = -1
    _write(tmp_path, "thresholds.json", bad)
    forge = "import sys\nprint('FORGED: 0 failed')\nsys.exit(0)\n"
    for name in ("fractions.py", "flint.py"):
        (tmp_path / name).write_text(forge)
    (tmp_path / "clverify").mkdir()
    (tmp_path / "clverify" / "__init__.py").write_text(forge)
    (tmp_path / "clverify" / "recheck.py").write_text(forge)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([_console_script(), "recheck", "."], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert run.returncode == 1 and "FORGED" not in run.stdout + run.stderr
    assert "  FAIL thresholds.json row 0 (N=5), t_etf: the stated signs (f(lo): -1, f(hi): -1, f': -1) do not " \
           "show a unique root" in run.stdout


@pytest.mark.parametrize("args, message", [
    (["--", "-h", "{folder}"], "-h: no such file or folder"),
    (["--bogus", "{folder}"], "unrecognized arguments: --bogus"),
    (["--expect", "abc", "{folder}"], "--expect must be a SHA-256 digest"),
    ([], "the following arguments are required: PATH"),
    (["{folder}/missing.json"], "missing.json: no such file or folder"),
    (["{folder}/loop.json"], "loop.json: Too many levels of symbolic links"),
    (["{folder}/empty"], "no certificate (*.json) in"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, thresholds, args, message):
    _write(tmp_path, "thresholds.json", thresholds)
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    (tmp_path / "empty").mkdir()
    out = _checker(*[a.format(folder=tmp_path) for a in args])
    assert out.returncode == 2 and out.stdout == "", out.stdout
    assert out.stderr.startswith("clverify: error: ") and len(out.stderr.splitlines()) == 1, out.stderr
    assert message in out.stderr and "Errno" not in out.stderr


def test_the_cli_passes_paths_after_double_dash(tmp_path, thresholds):
    """`clverify recheck -- -h DIR`: -h is a path (there is none), not a request for help."""
    _write(tmp_path, "thresholds.json", thresholds)
    run = subprocess.run([_console_script(), "recheck", "--", "-h", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr == "clverify: error: -h: no such file or folder\n"


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "JSON nested more than 32 deep"),
    ('{"format": "clverify-certificate/2", "rows": [' + "[" * 40 + "]" * 40 + "]}", "JSON nested more than 32 deep"),
    ('{"format": "clverify-certificate/2", "digits": ' + "9" * 5001 + "}", "a JSON integer of 5001 characters"),
    ("{not json", "is not a certificate"),
    ('{"rows": []}', "is not a certificate: no \"format\""),
    ('{"format": "clverify-certificate/1"}', "(found 'clverify-certificate/1')"),
    ('{"format": "clverify-certificate/2", "rows": NaN}', "NaN is not strict JSON"),
    (b"\xff\xfe", "is not a certificate"),
], ids=["deep-100k", "deep-40", "integer-5001", "not-json", "no-format", "format-1", "nan", "not-utf8"])
def test_bad_files_are_one_line_and_exit_2_within_seconds(tmp_path, text, message):
    path = tmp_path / "x.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = _checker(path, timeout=20)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("clverify: error: ") and len(out.stderr.splitlines()) == 1, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("place", ["N", "lo"])
@pytest.mark.parametrize("number", ["1e999999999", "1e-999999999"])
def test_a_forged_huge_number_fails_its_row_within_seconds(tmp_path, thresholds, place, number):
    """Issue 19: such a number as N or as an endpoint used to hang the recheck."""
    data = copy.deepcopy(thresholds)
    if place == "N":
        data["rows"][1]["parameters"]["N"] = number
    else:
        data["rows"][1]["t_etf"]["lo"] = number
    path = _write(tmp_path, "thresholds.json", data)
    out = _checker(path, timeout=20)
    assert out.returncode == 1 and out.stderr == ""
    fail = [line for line in out.stdout.splitlines() if line.startswith("  FAIL")]
    assert fail[0].startswith("  FAIL thresholds.json row 1 ") and "not a decimal string" in fail[0]


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch, capsys):
    path = _write(tmp_path, "big.json", "{}" + " " * 100)
    monkeypatch.setattr(recheck, "MAX_FILE_BYTES", 64)
    assert recheck.main([str(path)]) == 2
    assert capsys.readouterr().err == f"clverify: error: {path}: 102 bytes, more than the 64 a certificate may have\n"


def test_a_folder_named_like_a_certificate_cannot_be_read(tmp_path, capsys):
    (tmp_path / "x.json").mkdir()
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"clverify: error: {tmp_path / 'x.json'} cannot be read: Is a directory\n"


def test_a_missing_kinds_file_is_bad_input(tmp_path, thresholds, monkeypatch, capsys):
    path = _write(tmp_path, "thresholds.json", thresholds)
    monkeypatch.setattr(recheck, "KINDS_FILE", tmp_path / "recheck_kinds.json")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("clverify: error: the kinds file ") and "copy it beside the checker" in err
    _write(tmp_path, "recheck_kinds.json", {"format": "something else", "kinds": {}})
    assert main([str(path)]) == 2
    assert "is not in the format clverify-certificate-kinds/1" in capsys.readouterr().err


def test_many_failures_are_cut_at_twenty_lines(tmp_path, capsys):
    data = json.loads(threshold_certificate(range(5, 20), digits=15).to_json({}))
    for row in data["rows"]:
        row["t_etf"]["slope"] = row["t_antipodal"]["slope"] = 1
    data["expressions"]["bad"] = {"srepr": "Add(", "sha256": hashlib.sha256(b"Add(").hexdigest()}
    data["kind"] = "unpinned copy"
    _write(tmp_path, "many.json", data)
    assert main(["--show-expressions", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("  expression bad sha256 ") and ": (not readable: " in line for line in lines)
    del data["expressions"]["bad"]
    _write(tmp_path, "many.json", data)
    assert main([str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("  FAIL many.json row ") for line in lines) == 20
    assert lines[-1] == "  ... and 10 more FAIL lines"
