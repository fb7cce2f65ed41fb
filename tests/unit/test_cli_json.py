"""Every command's ``--format json`` is strict JSON: parsed with a parser that rejects NaN and
Infinity, including at inputs where a value is not a finite number (then null with a note)."""

import json

import pytest
from click.testing import CliRunner

from clverify.numerics.output.tables import render
from clverify.proofs_check.cli import main

RUNNER = CliRunner()


def strict_loads(text):
    def reject(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=reject)


JSON_COMMANDS = [
    "thresholds --N 3 4 7 --digits 20",
    "phase --N 10 --t 1 1e400 --digits 20",
    "optimum --N 10 --t 1e4 --b 0 --digits 20",
    "derive",
    "gd --N 4 --t 2 --b 2 --restarts 1",
    "gd --N 5 --t 1e300 --b 0 --restarts 1",
    "gd --N 4 --d 1 --t 1 --b 1",
    "gd --N 4 --loss kcl-riesz --restarts 1 --max-iter 20",
    "gap-table --N 6 --tb 1 --restarts 1",
    "minimum --loss infonce --N 5 --tau 1e-3",
    "minimum --loss kcl --N 6 --structure cross-polytope",
    "check --only lee2024.lemma1 --quiet",
    pytest.param("bench sweep --quick --quiet --restarts 1", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("line", JSON_COMMANDS)
def test_json_output_is_strict(line):
    args = line.split() + ["--format", "json"]
    result = RUNNER.invoke(main, args)
    assert result.exit_code == 0, (result.output, result.exception)
    data = strict_loads(result.stdout)
    assert set(data) == {"records", "provenance"} and data["records"]


def test_a_non_finite_value_is_null_with_a_note():
    (rec,) = strict_loads(RUNNER.invoke(main, ["gd", "--N", "5", "--t", "1e300", "--b", "0",
                                               "--restarts", "1", "--format", "json"]).stdout)["records"]
    assert rec["grad_norm"] is None and "grad_norm is inf" in rec["note"]
    assert rec["converged"] is False and rec["saturated"] is True


def test_render_never_writes_nan_or_infinity():
    text = render([{"a": float("nan"), "b": float("-inf"), "c": [1.0, float("inf")], "note": "x"}],
                  "json", {})
    (rec,) = strict_loads(text)["records"]
    assert rec == {"a": None, "b": None, "c": [1.0, None],
                   "note": "x; not a finite number, written as null: a is nan, b is -inf, c[1] is inf"}


@pytest.mark.slow
def test_report_json_files_are_strict(tmp_path):
    result = RUNNER.invoke(main, ["report", "--out", str(tmp_path / "r"), "--quiet"])
    assert result.exit_code in (0, 1), result.output
    for path in (tmp_path / "r").glob("*.json"):
        strict_loads(path.read_text())
