"""The pytest plugin on a fixture registry with planted failures: exact counts and reports."""

import pytest

FIXTURE_REGISTRY = '''
from clverify.proofs_check.registry import Check, Inconclusive, Mutant, Part, Theorem

P, S = (Part("statement", "s"),), ("statement",)


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
            checks=(Check("even", "proof", is_even, points=({"k": 1}, {"k": 3}), parts=S),),
            mutants=(Mutant("three", "3k is odd for odd k", 3),), parts=P),
    Theorem(id="demo.three_times_k_even", source="planted", statement="3k is even (false)", claim=3,
            checks=(Check("even", "empirical", is_even, points=({"k": 2}, {"k": 5}), parts=S),),
            mutants=(Mutant("six", "6k is even: this mutant survives", 6),), parts=P),
    Theorem(id="demo.undecided", source="planted", statement="?", claim=0,
            checks=(Check("undecided", "certified", undecided, parts=S),), parts=P),
    Theorem(id="demo.broken", source="planted", statement="!", claim=0,
            checks=(Check("broken", "proof", broken, parts=S),), parts=P),
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


KINDS_REGISTRY = '''
from clverify.proofs_check.registry import Check, Inconclusive, Mutant, Part, Theorem

P, S = (Part("statement", "s"),), ("statement",)


def holds(claim, point, evidence):
    return None if claim else "the claim is false"


def undecided_on_false(claim, point, evidence):
    if not claim:
        raise Inconclusive("cannot decide the mutant")


def undecided(claim, point, evidence):
    raise Inconclusive("cannot decide")


def broken_reference(claim, point, evidence):
    return "the reference disagrees with itself"


NEGATED = Mutant("negated", "the claim is true", False)
ALL = dict(scope="every value", whole_domain=True)

THEOREMS = [
    Theorem(id="kinds.proved", source="planted", statement="p", claim=True, mutants=(NEGATED,),
            checks=(Check("all", "proof", holds, **ALL, parts=S),
                    Check("reference", "numerical", holds, consistency=True)), parts=P),
    Theorem(id="kinds.consistency_broken", source="planted", statement="p", claim=True,
            checks=(Check("grid", "numerical", holds, parts=S), Check("reference", "numerical", broken_reference,
                                                             consistency=True)), parts=P),
    Theorem(id="kinds.mutant_undecided", source="planted", statement="p", claim=True, mutants=(NEGATED,),
            checks=(Check("boxes", "certified", undecided_on_false, parts=S),), parts=P),
    Theorem(id="kinds.claim_undecided", source="planted", statement="p", claim=True,
            checks=(Check("boxes", "certified", undecided, parts=S),), parts=P),
    Theorem(id="kinds.explore", source="planted", statement="p", claim=True, kind="exploratory",
            checks=(Check("measure", "empirical", holds),)),
    Theorem(id="kinds.published_false", source="planted", statement="p", claim=False, kind="refutation",
            corrected_by="kinds.proved", checks=(Check("grid", "certified", holds, parts=S),), parts=P),
    Theorem(id="kinds.published_gone", source="planted", statement="p", claim=True, kind="refutation",
            corrected_by="kinds.proved", checks=(Check("grid", "certified", holds, parts=S),), parts=P),
    Theorem(id="kinds.published_noisy", source="planted", statement="p", claim=False, kind="refutation",
            corrected_by="kinds.proved", checks=(Check("grid", "certified", holds, parts=S),
                                                 Check("reference", "numerical", broken_reference, consistency=True)),
            parts=P),
]
'''


@pytest.fixture
def kinds(pytester):
    pytester.mkpydir("theorems")
    pytester.path.joinpath("theorems", "kinds.py").write_text(KINDS_REGISTRY)
    return pytester


def test_exact_counts_for_every_kind_and_outcome(kinds):
    result = kinds.runpytest("-p", "no:cacheprovider")
    # passed: proved (proof:all, numerical:reference, mutant:negated), consistency_broken's grid,
    #   mutant_undecided's check, explore's measure, published_false's refutation item;
    # failed: consistency_broken's reference, mutant_undecided's mutant (an Inconclusive refutes
    #   nothing), claim_undecided (an Inconclusive is no pass), published_gone, published_noisy.
    result.assert_outcomes(passed=7, failed=5)


def test_item_names_of_every_kind(kinds):
    result = kinds.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    names = sorted(line.split("::", 1)[1] for line in result.outlines if "::" in line)
    assert names == [
        "kinds.claim_undecided::certified:boxes",
        "kinds.consistency_broken::numerical:grid",
        "kinds.consistency_broken::numerical:reference",
        "kinds.explore::empirical:measure",
        "kinds.mutant_undecided::certified:boxes",
        "kinds.mutant_undecided::mutant:negated",
        "kinds.proved::mutant:negated",
        "kinds.proved::numerical:reference",
        "kinds.proved::proof:all",
        "kinds.published_false::refutation:reproduced",
        "kinds.published_gone::refutation:reproduced",
        "kinds.published_noisy::refutation:reproduced",
    ]


def test_the_plugin_fails_exactly_the_entries_that_clverify_check_fails(kinds):
    """One rule for both adapters: an entry has a failing item iff TheoremResult.failed."""
    from clverify.proofs_check.runner import run_theorem

    namespace: dict = {}
    exec(KINDS_REGISTRY, namespace)
    expected = {t.id for t in namespace["THEOREMS"] if run_theorem(t, mutants=True).failed}
    reprec = kinds.inline_run("-p", "no:cacheprovider")
    _, _, failed = reprec.listoutcomes()
    assert {report.nodeid.split("::")[1] for report in failed} == expected == {
        "kinds.consistency_broken", "kinds.mutant_undecided", "kinds.claim_undecided",
        "kinds.published_gone", "kinds.published_noisy"}


def test_refutation_reports_say_what_went_wrong(kinds):
    result = kinds.runpytest("-k", "published", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines([
        "*the documented refutation no longer reproduces (status verified); corrected form: kinds.proved*",
        "*refuted as documented, but fail: numerical:reference: the reference disagrees with itself*",
    ])
