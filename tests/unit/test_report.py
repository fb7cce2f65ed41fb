"""What a reader sees (clverify.proofs_check.report and ``clverify check``): every entry and
every check record says its level and scope; the exit code follows TheoremResult.failed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from clverify.proofs_check import registry
from clverify.proofs_check.cli import main
from clverify.proofs_check.registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from clverify.proofs_check.report import catalogue_markdown, level_counts, parts_text, result_record, table_record
from clverify.proofs_check.runner import run_theorem

#: The one part of the planted entries below, and the tuple a check names it by.
PARTS, S = (Part("statement", "s"),), ("statement",)



def holds(claim, point, evidence):
    """The claim is True at the point. Second sentence, not shown."""
    evidence["n"] = point.get("N", 0)
    return None if claim else "false"


def undecided(claim, point, evidence):
    raise Inconclusive("too wide")


PROVED = Theorem(parts=PARTS,
    id="demo.proved", source="planted", statement=r"x = x", claim=True,
    checks=(Check("all_n", "proof", holds, scope="all N >= 3", whole_domain=True, parts=S),
            Check("grid", "numerical", holds, points=({"N": 5}, {"N": 10}), thorough_points=({"N": 50},), parts=S),
            Check("reference", "empirical", holds, consistency=True)),
    mutants=(Mutant("negated", "x != x is false", False),))
UNDECIDED = Theorem(id="demo.undecided", source="planted", statement="?", claim=True, parts=PARTS,
                    checks=(Check("grid", "certified", holds, points=({"N": 5},), parts=S),
                            Check("boxes", "certified", undecided, scope="N in [3, 100]", parts=S)))
PUBLISHED = Theorem(id="demo.published", source="planted", statement="false", claim=False, kind="refutation",
                    parts=PARTS,
                    corrected_by="demo.proved", checks=(Check("grid", "certified", holds, points=({"N": 7},), parts=S),))


def test_result_record_has_level_and_scope_per_entry_and_per_check():
    record = result_record(run_theorem(PROVED, mutants=True))
    assert {k: record[k] for k in ("id", "source", "kind", "status", "level", "mutants_total",
                                   "mutants_refuted")} == {
        "id": "demo.proved", "source": "planted", "kind": "claim", "status": "proved", "level": "proof",
        "mutants_total": 1, "mutants_refuted": 1}
    assert record["parts"] == [{"name": "statement", "statement": "s", "status": "proved", "level": "proof",
                                "scope": ["all N >= 3"], "checks": ["proof:all_n", "numerical:grid"]}]
    assert [(r["check"], r["level"], r["scope"], r["counts"], r["point"], r["status"]) for r in record["evidence"]] == [
        ("proof:all_n", "proof", "all N >= 3", True, "", "pass"),
        ("numerical:grid", "numerical", "the points N=5; N=10", True, "N=5", "pass"),
        ("numerical:grid", "numerical", "the points N=5; N=10", True, "N=10", "pass"),
        ("empirical:reference", "empirical", "no parameters", False, "", "pass"),
    ]
    assert "surviving_mutants" not in record and isinstance(record["seconds"], float)


def test_a_surviving_mutant_is_listed():
    weak = Theorem(id="demo.weak", source="planted", statement="s", claim=True, parts=PARTS,
                   checks=(Check("c", "proof", undecided, parts=S),), mutants=(Mutant("m", "r", False),))
    assert result_record(run_theorem(weak, mutants=True))["surviving_mutants"] == ["m"]


def test_table_record_puts_each_part_with_status_level_and_scope_on_one_line():
    row = table_record(result_record(run_theorem(PROVED)))
    assert row["level"] == "proof"
    assert row["parts"] == "statement: proved, proof (all N >= 3)"
    assert row["evidence"] == "4 check point(s)"
    assert table_record(result_record(run_theorem(UNDECIDED)))["level"] == "certified"
    nothing = Theorem(id="demo.none", source="p", statement="s", claim=True, parts=PARTS, checks=(Check("c", "proof", undecided, parts=S),))
    assert table_record(result_record(run_theorem(nothing)))["level"] == "-"
    assert table_record(result_record(run_theorem(nothing)))["parts"] == "statement: inconclusive"
    assert parts_text([]) == ""


def _holds(claim, point, evidence):
    """Reads the claim."""
    return None if claim.holds else "false"


SPLIT = Theorem(
    id="demo.split", source="planted", statement=r"\min L = 1 \text{ at the ETF}",
    parts=(Part("value", r"\min L = 1"), Part("minimiser", r"\text{the ETF}"), Part("unique", "only it")),
    claim=Claim({"holds": True}, {"d": H.d >= H.N - 1}),
    checks=(Check("symbolic", "proof", _holds, parts=("value",), scope="all N", whole_domain=True),
            Check("descent", "empirical", _holds, parts=("minimiser",), points=({"N": 5},))),
    mutants=(Mutant("false", "false", Claim({"holds": False}, {"d": H.d >= H.N - 1})),),
    uses=("demo.proved",))


def test_a_record_lists_every_part_and_its_level_is_the_weakest():
    record = result_record(run_theorem(SPLIT))
    assert (record["status"], record["level"]) == ("inconclusive", None)
    assert [(p["name"], p["status"], p["level"], p["checks"]) for p in record["parts"]] == [
        ("value", "proved", "proof", ["proof:symbolic"]), ("minimiser", "verified", "empirical", ["empirical:descent"]),
        ("unique", "unchecked", None, [])]
    assert table_record(record)["parts"] == ("value: proved, proof (all N); minimiser: verified, empirical "
                                             "(the points N=5); unique: unchecked")


def test_level_counts_count_entries_by_their_weakest_level():
    results = [run_theorem(t) for t in (PROVED, UNDECIDED, SPLIT, PUBLISHED)]
    assert level_counts(results) == {"proof": 1, "certified": 1, "none": 2}


def test_catalogue_shows_checks_with_level_and_scope_status_and_how_to_reproduce():
    results = {t.id: run_theorem(t, mutants=True) for t in (PROVED, UNDECIDED)}
    text = catalogue_markdown([PROVED, UNDECIDED], results)
    for line in [
        "## `demo.proved`",
        "- proof: `all_n` (supports statement), scope all N >= 3 (the whole domain): The claim is True at the point.",
        "- numerical: `grid` (supports statement), scope the points N=5; N=10 (1 more point(s) with `--thorough`): "
        "The claim is True at the point.",
        "- empirical (consistency, not counted): `reference`, scope no parameters: The claim is True at the point.",
        "- `negated`: x != x is false",
        "*Status*: **proved** (weakest part: proof), mutants refuted 1/1",
        "  - statement: proved, proof (all N >= 3)",
        "*Reproduce*: `clverify check --only demo.proved --mutants`",
        "*Status*: **inconclusive** (weakest part: certified), mutants refuted 0/0",
        "  - inconclusive `certified:boxes`: too wide",
        "- none (exploratory entry)",
    ]:
        assert line in text.splitlines(), line


def test_catalogue_shows_the_parts_what_each_check_supports_and_the_entries_used():
    text = catalogue_markdown([SPLIT], {"demo.split": run_theorem(SPLIT)})
    for line in ["*Hypotheses*: d: d >= N - 1", "*Uses*: `demo.proved`", "*Parts*:", r"- `value`: $\min L = 1$",
                 "- proof: `symbolic` (supports value), scope all N (the whole domain): Reads the claim.",
                 "*Status*: **inconclusive**", "  - unique: unchecked"]:
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


@pytest.mark.parametrize("fmt, header", [("md", "| id | source | kind | status | level | parts | evidence |"),
                                         ("latex", r"id & source & kind & status & level & parts & evidence &")])
def test_check_tables_show_level_and_scope_per_entry(planted, fmt, header):
    result = _check("--only", "demo.proved", "--format", fmt)
    assert result.exit_code == 0 and header in result.output
    assert "statement: proved, proof (all N >= 3)" in result.output.replace(r"\_", "_")


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
