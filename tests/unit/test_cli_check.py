"""``clverify check`` and ``cite``: exit codes, JSON shape, planted refutations."""

import json

import pytest
from click.testing import CliRunner

from clverify.proofs_check import registry
from clverify.proofs_check.cli import main
from clverify.proofs_check.registry import Check, Mutant, Theorem


def _run(*args):
    return CliRunner().invoke(main, list(args))


def test_list_names_the_builtin_ids():
    result = _run("check", "--list")
    assert result.exit_code == 0
    assert "lee2024.lemma1" in result.output and "lee2024.thm2" in result.output


def test_json_report_of_one_entry_with_mutants():
    result = _run("check", "--only", "lee2024.lemma1", "--mutants", "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (record,) = report["records"]
    assert record["id"] == "lee2024.lemma1" and record["status"] == "proved"
    assert record["mutants_total"] == record["mutants_refuted"] >= 1
    assert set(record) >= {"id", "source", "kind", "status", "level", "parts", "evidence", "mutants_total",
                           "mutants_refuted", "seconds"}
    assert report["provenance"]["mutants"] is True


@pytest.fixture
def planted(monkeypatch):
    false = Theorem(id="demo.false", source="planted", statement="1 = 2", claim=2,
                    checks=(Check("equal", "proof", lambda c, p, e: None if c == 1 else f"1 != {c}"),))
    weak = Theorem(id="demo.weak", source="planted", statement="x >= 0", claim=0,
                   checks=(Check("always", "proof", lambda c, p, e: None),),
                   mutants=(Mutant("negative", "cannot be refuted by a check that accepts all", -1),))
    monkeypatch.setitem(registry._EXTRA, false.id, false)
    monkeypatch.setitem(registry._EXTRA, weak.id, weak)


def test_a_refuted_claim_exits_1_with_its_counterexample(planted):
    result = _run("check", "--only", "demo.false", "--format", "json", "--quiet")
    assert result.exit_code == 1
    (record,) = json.loads(result.output)["records"]
    assert record["status"] == "refuted"
    assert record["evidence"][0]["message"] == "1 != 2"


def test_a_surviving_mutant_exits_1(planted):
    result = _run("check", "--only", "demo.weak", "--mutants", "--format", "json", "--quiet")
    assert result.exit_code == 1
    (record,) = json.loads(result.output)["records"]
    assert record["status"] == "verified" and record["surviving_mutants"] == ["negative"]


def test_unknown_id_is_a_one_line_error_with_exit_2():
    result = _run("check", "--only", "lee2024.nope")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "clverify: error: only must name registered theorem ids; unknown: lee2024.nope "
        "(see 'clverify check --list')"]


def test_cite_prints_both_papers_and_the_tool():
    result = _run("cite")
    assert result.exit_code == 0
    for key in ("@inproceedings{lee2024sigmoid", "@inproceedings{koromilas2024bridging", "@software{clverify"):
        assert key in result.output


def test_unknown_paper_is_a_one_line_error_with_exit_2():
    result = _run("check", "--only-paper", "nope2024")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "clverify: error: only-paper must be one of bangachev2025, ext, koromilas2024, lee2024, lee2025; got nope2024")
