"""``clverify check`` and ``cite``: exit codes, JSON shape, planted refutations."""

import json

import pytest
from click.testing import CliRunner

from clverify.proofs_check import registry
from clverify.proofs_check.cli import main
from clverify.proofs_check.registry import Check, Mutant, Part, Theorem

#: The one part of the planted entries below, and the tuple a check names it by.
PARTS, S = (Part("statement", "s"),), ("statement",)



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
    false = Theorem(id="demo.false", source="planted", statement="1 = 2", claim=2, parts=PARTS,
                    checks=(Check("equal", "proof", lambda c, p, e: None if c == 1 else f"1 != {c}", parts=S),))
    weak = Theorem(id="demo.weak", source="planted", statement="x >= 0", claim=0, parts=PARTS,
                   checks=(Check("always", "proof", lambda c, p, e: None, parts=S),),
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


OWN_THEOREMS = '''
from clverify.proofs_check.registry import Check, Claim, Mutant, Part, Theorem

def _sum_of_first(claim, point, evidence):
    n = point["n"]
    total = sum(range(1, n + 1))          # an independent route: the sum itself
    return None if total == claim.formula(n) else f"sum = {total}, claimed {claim.formula(n)}"

claim = Claim({"formula": lambda n: n * (n + 1) // 2})
THEOREMS = [Theorem(
    id="mine.gauss_sum", source="reconstructed", statement=r"\\sum_{k=1}^n k = n(n+1)/2",
    parts=(Part("value", "n(n+1)/2"),), claim=claim,
    checks=(Check("sums", "numerical", _sum_of_first, parts=("value",),
                  points=({"n": 3}, {"n": 10}), scope="n in {3, 10}"),),
    mutants=(Mutant("off_by_one", "n(n-1)/2 misses the last term",
                    claim.vary(formula=lambda n: n * (n - 1) // 2)),),
)]
'''


@pytest.fixture
def own_registry(monkeypatch):
    monkeypatch.setattr(registry, "_EXTRA", {})


def test_own_theorems_file_runs_from_the_shell(tmp_path, own_registry):
    path = tmp_path / "mine.py"
    path.write_text(OWN_THEOREMS)
    result = _run("check", "--theorems", str(path), "--mutants", "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)["records"]
    assert (record["id"], record["status"], record["mutants_refuted"]) == ("mine.gauss_sum", "verified", 1)


def test_own_false_theorem_exits_1(tmp_path, own_registry):
    path = tmp_path / "mine.py"
    path.write_text(OWN_THEOREMS.replace("n * (n + 1) // 2})", "n * (n + 1) // 2 + 1})"))
    result = _run("check", "--theorems", str(path), "--quiet")
    assert result.exit_code == 1 and "mine.gauss_sum" in result.stdout


@pytest.mark.parametrize("source, message", [
    (None, "theorems must be an existing Python file (.py)"),
    ("THEOREMS = []\n", "must define THEOREMS, a non-empty list"),
    ("THEOREMS = [\n", "syntax error at line 1"),
    (OWN_THEOREMS.replace('id="mine.gauss_sum"', 'id="lee2024.lemma1"'), "theorem id 'lee2024.lemma1' is already registered"),
])
def test_a_bad_theorems_file_is_one_line(tmp_path, own_registry, source, message):
    path = tmp_path / "mine.py"
    if source is not None:
        path.write_text(source)
    result = _run("check", "--theorems", str(path))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.output
