"""The status logic (clverify.proofs_check.runner): what a pass, a fail and an inconclusive
outcome mean for a theorem and for a mutant, by level, scope, consistency and kind.

The rules under test: absence of a proof is never a refutation; an Inconclusive is neither a
pass of the claim nor a refutation of a mutant; a consistency check never counts and never
refutes; ``proved`` needs a whole-domain pass of a proof or certified check.
"""

from __future__ import annotations

import dataclasses

import pytest

from clverify.proofs_check.registry import Check, Claim, Inconclusive, Mutant, Part, Theorem
from clverify.proofs_check.runner import (
    PART_STATUSES,
    RESERVED_EVIDENCE_KEYS,
    STATUSES,
    CheckOutcome,
    PartResult,
    TheoremResult,
    mutant_refutation,
    part_result,
    run_check,
    run_theorem,
    strongest_level,
    theorem_level,
    theorem_status,
)

#: The one part of the planted entries below, and the tuple a check names it by.
PARTS, S = (Part("statement", "s"),), ("statement",)



def claim_holds(claim, point, evidence):
    """Passes on a true claim (``claim`` is True), fails on a false one."""
    evidence["seen"] = claim
    return None if claim else f"the claim is false at {point}"


def undecided(claim, point, evidence):
    raise Inconclusive("cannot decide")


def always_passes(claim, point, evidence):
    return None


def always_fails(claim, point, evidence):
    return "broken reference"


def fresh(text: str) -> str:
    """An equal string that is not the interned literal (as one read from a file would be)."""
    return text[:1] + text[1:]


def outcome(status, *, level="proof", counts=True, whole=False, parts=("statement",), scope="scope",
            name="c") -> CheckOutcome:
    return CheckOutcome(name, fresh(level), scope, counts, whole, "", fresh(status), "", {}, 0.0,
                        parts if counts else ())


def status_of(kind, outcomes) -> str:
    """The status of an entry stated as one part that every counting outcome names."""
    return theorem_status(fresh(kind), [part_result(Part("statement", "s"), outcomes)], outcomes)


def theorem(*checks, kind="claim", claim=True, mutants=(), corrected_by="") -> Theorem:
    return Theorem(id="demo.thm", source="test", statement="s", claim=claim, checks=checks, parts=PARTS,
                   mutants=mutants, kind=fresh(kind), corrected_by=corrected_by)


# --- run_check: one check at one point ---------------------------------------------------------

def test_run_check_records_pass_fail_and_inconclusive():
    check = Check("holds", "certified", claim_holds, points=({"N": 5},), scope="N = 5", parts=S)
    passed = run_check(check, True, {"N": 5})
    assert (passed.status, passed.message, passed.evidence) == ("pass", "", {"seen": True})
    assert (passed.check, passed.level, passed.scope, passed.point) == ("holds", "certified", "N = 5", "N=5")
    assert passed.label == "certified:holds[N=5]"
    assert passed.counts and not passed.whole_domain and passed.seconds >= 0
    failed = run_check(check, False, {"N": 5})
    assert (failed.status, failed.message) == ("fail", "the claim is false at {'N': 5}")
    inconclusive = run_check(Check("undecided", "certified", undecided, parts=S), True, {})
    assert (inconclusive.status, inconclusive.message) == ("inconclusive", "cannot decide")
    assert inconclusive.label == "certified:undecided"


def test_run_check_lets_broken_code_raise():
    def broken(claim, point, evidence):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        run_check(Check("broken", "proof", broken, parts=S), True, {})


@pytest.mark.parametrize("key", sorted(RESERVED_EVIDENCE_KEYS))
def test_evidence_may_not_overwrite_a_report_field(key):
    def writes(claim, point, evidence):
        evidence[key] = "forged"

    with pytest.raises(ValueError, match="reserved evidence key"):
        run_check(Check("writes", "numerical", writes, parts=S), True, {})


def test_run_check_marks_consistency_and_whole_domain():
    whole = run_check(Check("all", "proof", always_passes, scope="all N", whole_domain=True, parts=S), True, {})
    side = run_check(Check("side", "numerical", always_passes, consistency=True), True, {})
    assert (whole.counts, whole.whole_domain) == (True, True)
    assert (side.counts, side.whole_domain) == (False, False)


def test_the_scope_of_a_check_without_one_is_its_points_and_grows_with_thorough():
    check = Check("c", "numerical", always_passes, points=({"N": 5},), thorough_points=({"N": 10},), parts=S)
    assert run_check(check, True, {"N": 5}).scope == "the points N=5"
    assert run_check(check, True, {"N": 5}, thorough=True).scope == "the points N=5; N=10"


# --- theorem_status: the table of rules --------------------------------------------------------

P, F, I = "pass", "fail", "inconclusive"


def test_fresh_strings_are_not_the_literals():
    literal = "pass"
    assert fresh(literal) == literal and fresh(literal) is not literal


@pytest.mark.parametrize("kind, outcomes, status", [
    ("claim", [outcome(P)], "verified"),
    ("claim", [outcome(P, whole=True)], "proved"),
    ("claim", [outcome(P, whole=True), outcome(P, level="empirical")], "proved"),
    ("claim", [outcome(P, whole=True), outcome(I)], "inconclusive"),   # (c): no pass by default
    ("claim", [outcome(P), outcome(I)], "inconclusive"),
    ("claim", [outcome(I)], "inconclusive"),
    ("claim", [outcome(I), outcome(F)], "refuted"),
    ("claim", [outcome(P, whole=True), outcome(F, level="empirical")], "refuted"),
    ("claim", [], "inconclusive"),
    ("claim", [outcome(P, counts=False)], "inconclusive"),             # nothing counted
    ("claim", [outcome(P), outcome(F, counts=False)], "inconclusive"),  # broken set-up: no refutation
    ("claim", [outcome(P), outcome(I, counts=False)], "inconclusive"),
    ("claim", [outcome(P, whole=True), outcome(F, counts=False)], "inconclusive"),
    ("claim", [outcome(P), outcome(P, counts=False, whole=True)], "verified"),  # uncounted: proves nothing
    ("claim", [outcome(P), outcome(P, counts=False)], "verified"),
    ("exploratory", [outcome(F), outcome(I)], "exploratory"),
    ("exploratory", [outcome(P, whole=True)], "exploratory"),
    ("refutation", [outcome(F)], "refuted"),
    ("refutation", [outcome(P)], "verified"),
    ("refutation", [outcome(I)], "inconclusive"),
])
def test_theorem_status(kind, outcomes, status):
    assert status_of(kind, outcomes) == status
    assert status in STATUSES


# --- parts: an entry is as strong as its weakest part -------------------------------------------

VALUE, MINIMISER = Part("value", "v"), Part("minimiser", "m")


@pytest.mark.parametrize("outcomes, status, level, scope", [
    ([outcome(P, whole=True, parts=("value",))], "proved", "proof", ("scope",)),
    ([outcome(P, whole=True, parts=("value",)), outcome(P, level="empirical", parts=("value",))],
     "proved", "proof", ("scope",)),
    ([outcome(P, level="certified", whole=True, parts=("value",), scope="all"),
      outcome(P, parts=("value",), scope="N = 5")], "proved", "certified", ("all",)),
    ([outcome(P, parts=("value",)), outcome(P, level="empirical", parts=("value",))], "verified", "proof",
     ("scope",)),
    ([outcome(P, level="numerical", parts=("value",), scope="a"),
      outcome(P, level="numerical", parts=("value",), scope="b"),
      outcome(P, level="numerical", parts=("value",), scope="a")], "verified", "numerical", ("a", "b")),
    ([outcome(P, parts=("value",)), outcome(I, parts=("value",))], "inconclusive", "proof", ("scope",)),
    ([outcome(P, whole=True, parts=("value",)), outcome(I, level="empirical", parts=("value",))],
     "inconclusive", "proof", ("scope",)),
    ([outcome(I, parts=("value",)), outcome(F, level="empirical", parts=("value",))], "refuted", None, ()),
    ([outcome(P, whole=True, parts=("minimiser",))], "unchecked", None, ()),     # another part's check
    ([outcome(P, whole=True, counts=False)], "unchecked", None, ()),            # consistency: no part
    ([outcome(P, whole=True, parts=("value", "minimiser"))], "proved", "proof", ("scope",)),
    # the scope lists the passing checks at the part's level only: not an undecided or failed
    # check's, not a weaker level's, not a partial check's when the part is proved
    ([outcome(P, parts=("value",), scope="a"), outcome(I, parts=("value",), scope="b")],
     "inconclusive", "proof", ("a",)),
    ([outcome(P, level="numerical", parts=("value",), scope="a"),
      outcome(P, level="empirical", parts=("value",), scope="b"),
      outcome(P, level="certified", parts=("value",), scope="c", name="d")], "verified", "certified", ("c",)),
    ([outcome(P, level="numerical", parts=("value",), scope="a"),
      outcome(P, level="empirical", parts=("value",), scope="b")], "verified", "numerical", ("a",)),
    ([outcome(P, whole=True, parts=("value",), scope="all"), outcome(P, parts=("value",), scope="N = 5")],
     "proved", "proof", ("all",)),
])
def test_part_result(outcomes, status, level, scope):
    result = part_result(VALUE, outcomes)
    assert (result.name, result.statement, result.status, result.level, result.scope) == (
        "value", "v", status, level, scope)
    assert status in PART_STATUSES


def test_part_results_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        part_result(VALUE, [outcome(P, parts=("value",))]).status = "proved"


def test_part_result_lists_each_check_that_names_it_once():
    outcomes = [outcome(P, name="a", parts=("value",)), outcome(P, name="a", parts=("value",)),
                outcome(F, name="b", level="empirical", parts=("value", "minimiser")),
                outcome(P, name="c", parts=("minimiser",))]
    assert part_result(VALUE, outcomes).checks == ("proof:a", "empirical:b")


def part(status, level="proof"):
    return PartResult("p", "s", fresh(status), level, (), ())


@pytest.mark.parametrize("kind, parts, outcomes, status", [
    ("claim", [part("proved"), part("proved")], [], "proved"),
    ("claim", [part("proved"), part("verified")], [], "verified"),
    ("claim", [part("proved"), part("unchecked", None)], [], "inconclusive"),
    ("claim", [part("verified"), part("inconclusive")], [], "inconclusive"),
    ("claim", [part("proved"), part("refuted", None)], [], "refuted"),
    ("claim", [part("unchecked", None), part("refuted", None)], [], "refuted"),
    ("claim", [], [], "inconclusive"),
    ("claim", [part("proved")], [outcome(F, counts=False)], "inconclusive"),   # a broken set-up
    ("claim", [part("proved")], [outcome(P, counts=False)], "proved"),
    ("exploratory", [], [], "exploratory"),
    ("exploratory", [part("refuted", None)], [], "exploratory"),
    ("refutation", [part("verified"), part("refuted", None)], [], "refuted"),
    ("refutation", [part("verified")], [], "verified"),
])
def test_theorem_status_from_parts(kind, parts, outcomes, status):
    assert theorem_status(fresh(kind), parts, outcomes) == status


@pytest.mark.parametrize("levels, weakest", [
    (("proof", "empirical"), "empirical"),
    (("empirical", "proof"), "empirical"),
    (("certified", "proof", "numerical"), "numerical"),
    (("proof", "proof"), "proof"),
    (("certified",), "certified"),
    (("proof", None), None),
    ((), None),
])
def test_theorem_level_is_the_weakest_part(levels, weakest):
    assert theorem_level([part("verified", fresh(level) if level else None) for level in levels]) == weakest


def two_parts(*checks, parts=(VALUE, MINIMISER)) -> Theorem:
    return Theorem(id="demo.parts", source="test", statement="s", claim=Claim({"holds": True}),
                   parts=parts, checks=checks)


def holds(claim, point, evidence):
    return None if claim.holds else "false"


def test_a_proof_of_one_part_and_descent_on_another_is_empirical_and_verified():
    thm = two_parts(Check("symbolic", "proof", holds, parts=("value",), scope="all N", whole_domain=True),
                    Check("descent", "empirical", holds, parts=("minimiser",), scope="N = 5, 3 seeds"))
    result = run_theorem(thm)
    assert (result.status, result.level, result.failed) == ("verified", "empirical", False)
    assert [(p.name, p.status, p.level, p.scope) for p in result.parts] == [
        ("value", "proved", "proof", ("all N",)), ("minimiser", "verified", "empirical", ("N = 5, 3 seeds",))]


def test_an_unchecked_part_makes_the_entry_inconclusive_and_names_it():
    thm = two_parts(Check("symbolic", "proof", holds, parts=("value",), scope="all N", whole_domain=True))
    result = run_theorem(thm)
    assert (result.status, result.level, result.failed) == ("inconclusive", None, True)
    assert [(p.name, p.status) for p in result.parts] == [("value", "proved"), ("minimiser", "unchecked")]


def test_every_part_proved_on_its_whole_domain_proves_the_entry_at_the_weakest_level():
    thm = two_parts(Check("symbolic", "proof", holds, parts=("value",), scope="all N", whole_domain=True),
                    Check("boxes", "certified", holds, parts=("minimiser",), scope="all t", whole_domain=True),
                    Check("descent", "empirical", holds, parts=("value", "minimiser")))
    result = run_theorem(thm)
    assert (result.status, result.level) == ("proved", "certified")


def test_one_check_may_support_several_parts():
    thm = two_parts(Check("both", "certified", holds, parts=("value", "minimiser"), scope="all",
                          whole_domain=True))
    assert (run_theorem(thm).status, run_theorem(thm).level) == ("proved", "certified")


def test_a_failing_check_refutes_only_the_parts_it_names_and_the_entry():
    thm = two_parts(Check("symbolic", "proof", holds, parts=("value",), scope="all N", whole_domain=True),
                    Check("descent", "empirical", always_fails, parts=("minimiser",)))
    result = run_theorem(thm)
    assert result.status == "refuted"
    assert [p.status for p in result.parts] == ["proved", "refuted"]


def test_outcomes_carry_the_parts_their_check_names_and_consistency_checks_none():
    thm = two_parts(Check("symbolic", "proof", holds, parts=("minimiser",)),
                    Check("reference", "numerical", always_passes, consistency=True),
                    Check("other", "proof", holds, parts=("value",)))
    assert [o.parts for o in run_theorem(thm).outcomes] == [("minimiser",), (), ("value",)]


@pytest.mark.parametrize("outcomes, whole_domain, level", [
    ([outcome(P, level="empirical"), outcome(P, level="certified")], False, "certified"),
    ([outcome(P, level="proof"), outcome(P, level="numerical")], False, "proof"),
    ([outcome(F, level="proof"), outcome(P, level="numerical")], False, "numerical"),
    ([outcome(I, level="proof"), outcome(P, level="empirical")], False, "empirical"),
    ([outcome(P, level="proof", counts=False), outcome(P, level="empirical")], False, "empirical"),
    ([outcome(F, level="proof")], False, None),
    ([outcome(P, level="proof"), outcome(P, level="certified", whole=True)], True, "certified"),
    ([outcome(P, level="proof")], True, None),
])
def test_strongest_level(outcomes, whole_domain, level):
    assert strongest_level(outcomes, whole_domain=whole_domain) == level


# --- run_theorem: status, level, scope, failed ------------------------------------------------

def test_a_proof_on_the_whole_domain_proves_and_names_its_level():
    thm = theorem(Check("partial", "proof", claim_holds, scope="N = 5", parts=S),
                  Check("boxes", "certified", claim_holds, scope="all N >= 3", whole_domain=True, parts=S),
                  Check("gd", "empirical", claim_holds, points=({"seed": 0}, {"seed": 1}), parts=S))
    result = run_theorem(thm)
    assert (result.status, result.level, result.failed) == ("proved", "certified", False)
    assert result.parts[0].scope == ("all N >= 3",)
    assert len(result.outcomes) == 4


def test_a_pass_on_stated_points_verifies_and_the_scope_lists_only_what_passed():
    thm = theorem(Check("grid", "numerical", claim_holds, scope="N in {5, 10}", parts=S),
                  Check("check", "proof", always_passes, scope="the reference", consistency=True))
    result = run_theorem(thm)
    assert (result.status, result.level, result.failed) == ("verified", "numerical", False)
    assert result.parts[0].scope == ("N in {5, 10}",)


def test_an_inconclusive_check_makes_the_claim_inconclusive_and_fails_the_run():
    """Planted bug (c): an Inconclusive counted as a pass would make this 'proved'."""
    thm = theorem(Check("all", "proof", claim_holds, scope="all N", whole_domain=True, parts=S),
                  Check("undecided", "certified", undecided, parts=S))
    result = run_theorem(thm)
    assert (result.status, result.failed) == ("inconclusive", True)
    assert [o.status for o in result.unexpected] == ["inconclusive"]
    assert result.parts[0].scope == ("all N",)  # only what passed


def test_a_failing_counting_check_refutes_and_fails_the_run():
    result = run_theorem(theorem(Check("holds", "empirical", claim_holds, parts=S), claim=False))
    assert (result.status, result.level, result.failed) == ("refuted", None, True)
    assert result.outcomes[0].message == "the claim is false at {}"


def test_a_failing_consistency_check_neither_refutes_nor_passes():
    thm = theorem(Check("holds", "proof", claim_holds, scope="all N", whole_domain=True, parts=S),
                  Check("reference", "numerical", always_fails, consistency=True))
    result = run_theorem(thm)
    assert (result.status, result.failed) == ("inconclusive", True)


def test_a_claim_with_only_consistency_checks_is_inconclusive():
    result = run_theorem(theorem(Check("reference", "proof", always_passes, consistency=True)))
    assert (result.status, result.level, result.failed, result.unexpected) == ("inconclusive", None, True, [])


def test_an_exploration_fails_the_run_only_when_a_check_does_not_run_as_recorded():
    assert not run_theorem(theorem(Check("measure", "empirical", always_passes, parts=S), kind="exploratory")).failed
    for check in (Check("measure", "empirical", always_fails, parts=S), Check("measure", "empirical", undecided, parts=S)):
        result = run_theorem(theorem(check, kind="exploratory"))
        assert (result.status, result.failed) == ("exploratory", True)


def test_a_documented_refutation_passes_while_it_reproduces():
    refutation = dict(kind="refutation", corrected_by="demo.fixed", claim=False)
    reproduced = run_theorem(theorem(Check("holds", "certified", claim_holds, parts=S),
                                     Check("other", "proof", always_passes, parts=S), **refutation))
    assert (reproduced.status, reproduced.failed, reproduced.unexpected) == ("refuted", False, [])
    gone = run_theorem(theorem(Check("holds", "certified", claim_holds, parts=S), **{**refutation, "claim": True}))
    assert (gone.status, gone.failed) == ("verified", True)
    undecided_ = run_theorem(theorem(Check("undecided", "certified", undecided, parts=S), **refutation))
    assert (undecided_.status, undecided_.failed) == ("inconclusive", True)
    noisy = run_theorem(theorem(Check("holds", "certified", claim_holds, parts=S),
                                Check("reference", "numerical", always_fails, consistency=True), **refutation))
    assert (noisy.status, noisy.failed) == ("refuted", True)
    assert [o.check for o in noisy.unexpected] == ["reference"]
    extra = run_theorem(theorem(Check("holds", "certified", claim_holds, parts=S),
                                Check("undecided", "numerical", undecided, parts=S), **refutation))
    assert (extra.status, extra.failed) == ("refuted", True)


def test_thorough_points_run_only_when_asked():
    check = Check("holds", "numerical", claim_holds, points=({"N": 5},), thorough_points=({"N": 50},), parts=S)
    assert [o.point for o in run_theorem(theorem(check)).outcomes] == ["N=5"]
    assert [o.point for o in run_theorem(theorem(check), thorough=True).outcomes] == ["N=5", "N=50"]


# --- mutants: refuted only by a counting check's failure ----------------------------------------

FALSE = Mutant("false", "the claim negated", False)


def test_run_theorem_keeps_what_refuted_each_mutant():
    thm = theorem(Check("holds", "certified", claim_holds, points=({"N": 5},), parts=S),
                  mutants=(Mutant("false", "r", False), Mutant("true", "r", True)))
    result = run_theorem(thm, mutants=True)
    assert result.refuted_by == {"false": "certified:holds[N=5]: the claim is false at {'N': 5}"}
    assert result.surviving_mutants == ["true"] and result.mutants_refuted == 1
    assert run_theorem(thm).refuted_by == {}


def test_a_mutant_is_refuted_by_the_first_failure_with_its_label():
    thm = theorem(Check("first", "numerical", always_passes, parts=S),
                  Check("holds", "certified", claim_holds, points=({"N": 5}, {"N": 10}), parts=S), mutants=(FALSE,))
    assert mutant_refutation(thm, FALSE) == "certified:holds[N=5]: the claim is false at {'N': 5}"
    result = run_theorem(thm, mutants=True)
    assert (result.mutants_total, result.mutants_refuted, result.surviving_mutants, result.failed) == (1, 1, [], False)


def test_an_inconclusive_check_does_not_refute_a_mutant():
    """Planted bug (d): an Inconclusive counted as a refutation would kill this mutant."""
    thm = theorem(Check("undecided", "proof", undecided, parts=S), Check("side", "proof", always_passes, parts=S), mutants=(FALSE,))
    assert mutant_refutation(thm, FALSE) is None
    result = run_theorem(thm, mutants=True)
    assert (result.mutants_refuted, result.surviving_mutants, result.failed) == (0, ["false"], True)


def test_a_consistency_check_listed_first_does_not_stop_the_counting_checks():
    thm = theorem(Check("reference", "numerical", always_passes, consistency=True),
                  Check("holds", "certified", claim_holds, parts=S), mutants=(FALSE,))
    assert mutant_refutation(thm, FALSE) == "certified:holds: the claim is false at {}"


def test_the_default_level_is_over_all_passing_checks():
    assert strongest_level([outcome(P, level="numerical")]) == "numerical"


@pytest.mark.parametrize("kind, statuses, failed", [
    ("refutation", [F, P], False), ("refutation", [F, I], True), ("claim", [P], False),
    ("claim", [P, I], True), ("exploratory", [P], False), ("exploratory", [F], True)])
def test_failed_reads_equal_strings_not_only_the_literals(kind, statuses, failed):
    """TheoremResult built by hand (as from a stored report): kinds and statuses compared by value."""
    outcomes = [outcome(s) for s in statuses]
    status = status_of(kind, outcomes)
    result = TheoremResult("demo.x", "s", fresh(kind), fresh(status), None, [], outcomes, 0, None, [], 0.0)
    assert result.failed == failed


def test_a_consistency_check_does_not_refute_a_mutant():
    thm = theorem(Check("holds", "empirical", always_passes, parts=S),
                  Check("reference", "numerical", always_fails, consistency=True), mutants=(FALSE,))
    assert mutant_refutation(thm, FALSE) is None


def test_a_mutant_refuted_only_at_a_thorough_point():
    def small_n_only(claim, point, evidence):
        return None if claim or point["N"] < 50 else "false for large N"

    thm = theorem(Check("c", "numerical", small_n_only, points=({"N": 5},), thorough_points=({"N": 50},), parts=S),
                  mutants=(FALSE,))
    assert mutant_refutation(thm, FALSE) is None
    assert mutant_refutation(thm, FALSE, thorough=True) == "numerical:c[N=50]: false for large N"


def test_without_mutants_the_counts_are_unknown():
    result = run_theorem(theorem(Check("holds", "proof", claim_holds, parts=S), mutants=(FALSE,)))
    assert (result.mutants_total, result.mutants_refuted, result.surviving_mutants) == (1, None, [])


def test_evidence_rows_carry_level_scope_and_status_per_check_and_point():
    thm = theorem(Check("holds", "certified", claim_holds, points=({"N": 5},), scope="N = 5", parts=S),
                  Check("undecided", "numerical", undecided, consistency=True))
    rows = run_theorem(thm).evidence
    assert rows == [
        {"check": "certified:holds", "level": "certified", "scope": "N = 5", "counts": True,
         "parts": ["statement"], "point": "N=5", "status": "pass", "seen": True},
        {"check": "numerical:undecided", "level": "numerical", "scope": "no parameters",
         "counts": False, "parts": [], "point": "", "status": "inconclusive", "message": "cannot decide"},
    ]


def test_seconds_are_the_time_spent_in_the_check_and_in_the_theorem():
    import time

    def slow(claim, point, evidence):
        time.sleep(0.01)

    start = time.perf_counter()
    result = run_theorem(theorem(Check("slow", "empirical", slow, points=({"k": 1}, {"k": 2}), parts=S)))
    elapsed = time.perf_counter() - start
    assert all(0.01 <= o.seconds <= elapsed for o in result.outcomes)
    assert sum(o.seconds for o in result.outcomes) <= result.seconds <= elapsed


def test_refuted_mutants_are_counted():
    false = tuple(Mutant(f"false_{k}", "r", 0) for k in range(3))
    thm = theorem(Check("holds", "proof", claim_holds, parts=S), mutants=(*false, Mutant("true", "survives", True)))
    result = run_theorem(thm, mutants=True)
    assert (result.mutants_total, result.mutants_refuted, result.surviving_mutants) == (4, 3, ["true"])


def test_run_theorem_options_are_keyword_only():
    with pytest.raises(TypeError):
        run_theorem(theorem(Check("holds", "proof", claim_holds, parts=S)), True)


def test_outcomes_are_immutable():
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        outcome(P).status = "fail"
