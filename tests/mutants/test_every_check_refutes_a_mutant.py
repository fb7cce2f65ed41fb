"""Every check that counts toward a status can fail: run alone against each mutant of its
entry (at its fast points), it refutes at least one, or it says why no mutant can reach it
(``Check.why_no_mutant``) and then indeed refutes none.

The plugin's ``mutant:<name>`` items only show that *some* check refutes each mutant; a check
that passes whatever the claim says would hide behind the others.
The proof and certified checks run in the default suite; the numerical and empirical ones
(grids, quadrature, gradient descent, sampling) and the checks that state why no mutant
reaches them are marked slow (``pytest -m slow tests/mutants``).
"""

import pytest

from clverify.proofs_check.registry import Part, theorems
from clverify.proofs_check.runner import run_check

#: The one part of the planted entries below, and the tuple a check names it by.
PARTS, S = (Part("statement", "s"),), ("statement",)


CASES = [(thm, check) for thm in theorems() if thm.kind == "claim" for check in thm.checks if check.counts]


def _case(thm, check):
    slow = check.level in ("numerical", "empirical") or check.why_no_mutant
    marks = [pytest.mark.slow] if slow else []
    return pytest.param(thm, check, marks=marks, id=f"{thm.id}::{check.name}")


def refuted_mutants(thm, check) -> list[str]:
    """The mutants of ``thm`` that ``check`` alone refutes (a failing outcome at one of its
    fast points; an inconclusive outcome refutes nothing)."""
    return [m.name for m in thm.mutants
            if any(run_check(check, m.claim, point).status == "fail" for point in check.points)]


@pytest.mark.parametrize(("thm", "check"), [_case(t, c) for t, c in CASES])
def test_counting_check_refutes_a_mutant_or_says_why_not(thm, check):
    refuted = refuted_mutants(thm, check)
    if check.why_no_mutant:
        assert not refuted, f"{check.name} says no mutant reaches it, yet it refutes {refuted}"
    else:
        assert refuted, (f"{thm.id}: {check.name} refutes none of {[m.name for m in thm.mutants]} "
                         f"and gives no why_no_mutant")


def test_a_check_that_accepts_everything_is_caught():
    """The meta-test's own bug: a counting check that passes any claim refutes nothing."""
    from clverify.proofs_check.registry import Check, Mutant, Theorem

    lax = Check("anything_goes", "proof", lambda c, p, e: None, scope="all", whole_domain=True, parts=S)
    strict = Check("is_four", "proof", lambda c, p, e: None if c == 4 else f"{c} != 4", scope="all", parts=S)
    thm = Theorem(id="demo.four", source="planted", statement="4", claim=4, checks=(lax, strict), parts=PARTS,
                  mutants=(Mutant("five", "not 4", 5),))
    assert refuted_mutants(thm, lax) == [] and refuted_mutants(thm, strict) == ["five"]
