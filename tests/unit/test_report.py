"""What a reader sees (clverify.proofs_check.report and ``clverify check``): every entry and
every check record says its level and scope; the exit code follows TheoremResult.failed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from clverify.proofs_check import registry
from clverify.proofs_check.cli import main
from clverify.proofs_check.registry import Check, Inconclusive, Mutant, Theorem
from clverify.proofs_check.report import catalogue_markdown, result_record, scope_text, table_record
from clverify.proofs_check.runner import run_theorem


def holds(claim, point, evidence):
    """The claim is True at the point. Second sentence, not shown."""
    evidence["n"] = point.get("N", 0)
    return None if claim else "false"


def undecided(claim, point, evidence):
    raise Inconclusive("too wide")


PROVED = Theorem(
    id="demo.proved", source="planted", statement=r"x = x", claim=True, hypotheses={"N": "integer >= 3"},
    checks=(Check("all_n", "proof", holds, scope="all N >= 3", whole_domain=True),
            Check("grid", "numerical", holds, points=({"N": 5}, {"N": 10}), thorough_points=({"N": 50},)),
            Check("reference", "empirical", holds, consistency=True)),
    mutants=(Mutant("negated", "x != x is false", False),))
UNDECIDED = Theorem(id="demo.undecided", source="planted", statement="?", claim=True,
                    checks=(Check("grid", "certified", holds, points=({"N": 5},)),
                            Check("boxes", "certified", undecided, scope="N in [3, 100]")))
PUBLISHED = Theorem(id="demo.published", source="planted", statement="false", claim=False, kind="refutation",
                    corrected_by="demo.proved", checks=(Check("grid", "certified", holds, points=({"N": 7},)),))


def test_result_record_has_level_and_scope_per_entry_and_per_check():
    record = result_record(run_theorem(PROVED, mutants=True))
    assert {k: record[k] for k in ("id", "source", "kind", "status", "level", "mutants_total",
                                   "mutants_refuted")} == {
        "id": "demo.proved", "source": "planted", "kind": "claim", "status": "proved", "level": "proof",
        "mutants_total": 1, "mutants_refuted": 1}
    assert record["scope"] == {"proof": ["all N >= 3"], "numerical": ["the points N=5; N=10"]}
    assert [(r["check"], r["level"], r["scope"], r["counts"], r["point"], r["status"]) for r in record["evidence"]] == [
        ("proof:all_n", "proof", "all N >= 3", True, "", "pass"),
        ("numerical:grid", "numerical", "the points N=5; N=10", True, "N=5", "pass"),
        ("numerical:grid", "numerical", "the points N=5; N=10", True, "N=10", "pass"),
        ("empirical:reference", "empirical", "no parameters", False, "", "pass"),
    ]
    assert "surviving_mutants" not in record and isinstance(record["seconds"], float)


def test_a_surviving_mutant_is_listed():
    weak = Theorem(id="demo.weak", source="planted", statement="s", claim=True,
                   checks=(Check("c", "proof", undecided),), mutants=(Mutant("m", "r", False),))
    assert result_record(run_theorem(weak, mutants=True))["surviving_mutants"] == ["m"]


def test_table_record_puts_level_and_scope_on_one_line():
    row = table_record(result_record(run_theorem(PROVED)))
    assert row["level"] == "proof"
    assert row["scope"] == "proof: all N >= 3; numerical: the points N=5; N=10"
    assert row["evidence"] == "4 check point(s)"
    assert table_record(result_record(run_theorem(UNDECIDED)))["level"] == "certified"
    nothing = Theorem(id="demo.none", source="p", statement="s", claim=True, checks=(Check("c", "proof", undecided),))
    assert table_record(result_record(run_theorem(nothing)))["level"] == "-"
    assert scope_text({}) == ""


def test_catalogue_shows_checks_with_level_and_scope_status_and_how_to_reproduce():
    results = {t.id: run_theorem(t, mutants=True) for t in (PROVED, UNDECIDED)}
    text = catalogue_markdown([PROVED, UNDECIDED], results)
    for line in [
        "## `demo.proved`",
        "*Hypotheses*: N: integer >= 3",
        "- proof: `all_n`, scope all N >= 3 (the whole domain): The claim is True at the point.",
        "- numerical: `grid`, scope the points N=5; N=10 (1 more point(s) with `--thorough`): The claim is True at the point.",
        "- empirical (consistency, not counted): `reference`, scope no parameters: The claim is True at the point.",
        "- `negated`: x != x is false",
        "*Status*: **proved** (strongest evidence: proof), mutants refuted 1/1",
        "  - scope: proof: all N >= 3; numerical: the points N=5; N=10",
        "*Reproduce*: `clverify check --only demo.proved --mutants`",
        "*Status*: **inconclusive** (strongest evidence: certified), mutants refuted 0/0",
        "  - inconclusive `certified:boxes`: too wide",
        "- none (exploratory entry)",
    ]:
        assert line in text.splitlines(), line


# --- clverify check: JSON, tables, exit codes ----------------------------------------------------

@pytest.fixture
def planted(monkeypatch):
    for thm in (PROVED, UNDECIDED, PUBLISHED):
        monkeypatch.setitem(registry._EXTRA, thm.id, thm)


def _check(*args):
    return CliRunner().invoke(main, ["check", "--quiet", *args])


def test_check_json_records_carry_level_and_scope_for_every_check(planted):
    result = _check("--only", "demo.proved", "--format", "json", "--mutants")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.output)["records"]
    assert (record["status"], record["level"]) == ("proved", "proof")
    assert all({"level", "scope", "counts", "status", "point", "check"} <= row.keys() for row in record["evidence"])


@pytest.mark.parametrize("fmt, header", [("md", "| id | source | kind | status | level | scope | evidence |"),
                                         ("latex", r"id & source & kind & status & level & scope & evidence &")])
def test_check_tables_show_level_and_scope_per_entry(planted, fmt, header):
    result = _check("--only", "demo.proved", "--format", fmt)
    assert result.exit_code == 0 and header in result.output
    assert "proof: all N >= 3; numerical: the points N=5; N=10" in result.output.replace(r"\_", "_")


def test_an_inconclusive_claim_exits_1(planted):
    result = _check("--only", "demo.undecided", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["records"][0]["status"] == "inconclusive"


def test_a_reproduced_refutation_exits_0_and_says_so(planted):
    result = CliRunner().invoke(main, ["check", "--quiet", "--only", "demo.published", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["records"][0]["status"] == "refuted"
    assert result.stderr == ("clverify check: demo.published: a published statement, refuted as documented "
                             "(corrected form: demo.proved)\n")
