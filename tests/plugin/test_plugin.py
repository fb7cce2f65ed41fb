"""The pytest plugin on a fixture registry with planted failures: exact counts and reports."""

import pytest

FIXTURE_REGISTRY = '''
from clverify.proofs_check.registry import Check, Inconclusive, Mutant, Theorem


def is_even(claim, point, evidence):
    value = claim * point["k"]
    evidence["value"] = value
    return None if value % 2 == 0 else f"{claim} * {point['k']} = {value} is odd"


def undecided(claim, point, evidence):
    raise Inconclusive("enclosure too wide to decide")


def broken(claim, point, evidence):
    raise ZeroDivisionError("a bug, not a false claim")


THEOREMS = [
    Theorem(id="demo.two_times_k_even", source="planted", statement="2k is even", claim=2,
            checks=(Check("even", "proof", is_even, points=({"k": 1}, {"k": 3})),),
            mutants=(Mutant("three", "3k is odd for odd k", 3),)),
    Theorem(id="demo.three_times_k_even", source="planted", statement="3k is even (false)", claim=3,
            checks=(Check("even", "empirical", is_even, points=({"k": 2}, {"k": 5})),),
            mutants=(Mutant("six", "6k is even: this mutant survives", 6),)),
    Theorem(id="demo.undecided", source="planted", statement="?", claim=0,
            checks=(Check("undecided", "certified", undecided),)),
    Theorem(id="demo.broken", source="planted", statement="!", claim=0,
            checks=(Check("broken", "proof", broken),)),
]
'''


@pytest.fixture
def registry(pytester):
    pytester.mkpydir("theorems")
    pytester.path.joinpath("theorems", "demo.py").write_text(FIXTURE_REGISTRY)
    return pytester


def test_exact_counts(registry):
    result = registry.runpytest("-p", "no:cacheprovider")
    # passes: demo.two_times_k_even at k=1, 3 and its mutant; demo.three_times_k_even at k=2.
    # fails: three_times_k_even at k=5, its surviving mutant, the inconclusive and the broken check.
    result.assert_outcomes(passed=4, failed=4)


def test_item_names_are_stable_and_readable(registry):
    result = registry.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    lines = [line for line in result.outlines if "::" in line]
    assert lines == [
        "theorems/demo.py::demo.broken::proof:broken",
        "theorems/demo.py::demo.three_times_k_even::empirical:even[k=2]",
        "theorems/demo.py::demo.three_times_k_even::empirical:even[k=5]",
        "theorems/demo.py::demo.three_times_k_even::mutant:six",
        "theorems/demo.py::demo.two_times_k_even::proof:even[k=1]",
        "theorems/demo.py::demo.two_times_k_even::proof:even[k=3]",
        "theorems/demo.py::demo.two_times_k_even::mutant:three",
        "theorems/demo.py::demo.undecided::certified:undecided",
    ]


def test_markers_and_keywords_select_items(registry):
    registry.runpytest("-m", "empirical", "-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)
    registry.runpytest("-m", "mutant", "-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)
    registry.runpytest("-k", "two_times", "-p", "no:cacheprovider").assert_outcomes(passed=3)
    registry.runpytest("--clverify-no-mutants", "-p", "no:cacheprovider").assert_outcomes(passed=3, failed=3)


def test_failure_report_names_claim_counterexample_and_command(registry):
    result = registry.runpytest("-k", "three_times", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines([
        "*theorem demo.three_times_k_even (planted)",
        "*claim: 3k is even (false)",
        "*fail: empirical:even[[]k=5]: 3 [*] 5 = 15 is odd",
        "*reproduce: clverify check --only demo.three_times_k_even --mutants",
        "*mutant 'six' survived every check*",
    ])
    assert "Traceback" not in result.stdout.str()


def test_inconclusive_fails_and_broken_code_gets_a_traceback(registry):
    result = registry.runpytest("-k", "undecided or broken", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*ZeroDivisionError: a bug, not a false claim*",
                                 "*inconclusive: certified:undecided: enclosure too wide to decide*"])
    assert "CallInfo" not in result.stdout.str()  # pytest's own frames are hidden


def test_header_shows_the_profile(registry):
    result = registry.runpytest("--clverify-thorough", "--collect-only", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["clverify registry: profile=thorough, mutants=on"])
