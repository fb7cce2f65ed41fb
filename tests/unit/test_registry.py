"""The registry's data and its rules (clverify.proofs_check.registry): what a Check and a
Theorem accept, how ids, retired aliases, papers and labels resolve."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from types import SimpleNamespace

import pytest
import sympy as sp

from clverify.proofs_check import registry
from clverify.proofs_check.registry import (
    KINDS,
    LEVELS,
    Check,
    Claim,
    H,
    Mutant,
    Part,
    Theorem,
    aliases,
    check_label,
    get,
    load_theorems,
    point_label,
    register,
    satisfied,
    theorems,
)
from clverify.theory.errors import InvalidParameterError, UnknownChoiceError

#: The one part of the planted entries below, and the tuple a check names it by.
PARTS, S = (Part("statement", "s"),), ("statement",)



def passes(claim, point, evidence):
    return None


def thm(id="demo.thm", checks=(Check("c", "proof", passes, parts=S),), claim=1, parts=PARTS, **kw) -> Theorem:
    return Theorem(id=id, source="test", statement="s", claim=claim, checks=checks, parts=parts, **kw)


def test_the_vocabulary_strongest_first():
    assert LEVELS == ("proof", "certified", "numerical", "empirical")
    assert KINDS == ("claim", "exploratory", "refutation")


# --- Check --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    (dict(level="symbolic"), UnknownChoiceError, "level must be one of proof, certified, numerical, empirical"),
    (dict(level="numerical", whole_domain=True, scope="all N"), ValueError, "a numerical check cannot cover"),
    (dict(level="empirical", whole_domain=True, scope="all N"), ValueError, "an? empirical check cannot cover"),
    (dict(level="proof", whole_domain=True), ValueError, "must state its scope"),
    (dict(level="proof", whole_domain=True, scope="all N", consistency=True), ValueError, "consistency check"),
    (dict(level="proof", points=()), ValueError, "no parameter point"),
])
def test_check_refuses_what_would_overstate_its_evidence(kwargs, error, message):
    with pytest.raises(error, match=message):
        Check("c", run=passes, **kwargs, parts=S)


@pytest.mark.parametrize("level", ["proof", "certified"])
def test_rigorous_checks_may_cover_the_whole_domain(level):
    assert Check("c", level, passes, scope="all N >= 3", whole_domain=True, parts=S).whole_domain


def test_a_thorough_only_check_is_allowed():
    check = Check("c", "numerical", passes, points=(), thorough_points=({"N": 5},), parts=S)
    assert check.points_for() == () and check.points_for(thorough=True) == ({"N": 5},)


def test_counts_is_the_negation_of_consistency():
    assert Check("c", "proof", passes, parts=S).counts
    assert not Check("c", "proof", passes, consistency=True).counts


def test_scope_defaults_to_the_points_run():
    check = Check("c", "numerical", passes, points=({"N": 5, "t": "1"}, {"N": 10, "t": "2"}),
                  thorough_points=({"N": 100, "t": "1"},), parts=S)
    assert check.scope_for() == "the points N=5,t=1; N=10,t=2"
    assert check.scope_for(thorough=True) == "the points N=5,t=1; N=10,t=2; N=100,t=1"
    assert Check("c", "proof", passes, parts=S).scope_for() == "no parameters"
    assert Check("c", "proof", passes, scope="all N", points=({"N": 5},), parts=S).scope_for(True) == "all N"


# --- Theorem ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(id="Lee2024.thm1"), "theorem id must look like 'paper.name'"),
    (dict(id="lee2024"), "theorem id must look like"),
    (dict(id="lee2024.thm-1"), "theorem id must look like"),
    (dict(kind="conjecture"), "kind must be one of claim, exploratory, refutation"),
    (dict(kind="refutation"), "a refutation, and only a refutation, names the entry"),
    (dict(corrected_by="demo.other"), "a refutation, and only a refutation, names the entry"),
    (dict(checks=(Check("c", "proof", passes, parts=S), Check("c", "numerical", passes, parts=S))), "check names must be unique"),
])
def test_theorem_refuses_malformed_entries(kwargs, message):
    with pytest.raises(ValueError, match=message):
        thm(**kwargs)


def test_theorem_parts_are_named_by_its_checks():
    parts = (Part("value", "v"), Part("minimiser", "m"))
    good = thm(parts=parts, checks=(Check("c", "proof", passes, parts=("value",)),
                                    Check("r", "proof", passes, consistency=True)))
    assert good.covers(good.checks[0]) == ("value",) and good.covers(good.checks[1]) == ()
    with pytest.raises(ValueError, match="unknown part"):
        thm(parts=parts, checks=(Check("c", "proof", passes, parts=("count",)),))
    with pytest.raises(ValueError, match="must name the part"):
        thm(parts=parts, checks=(Check("c", "proof", passes),))
    with pytest.raises(ValueError, match="must name the part"):   # the second check, after a good one
        thm(parts=parts, checks=(Check("a", "proof", passes, parts=("value",)), Check("c", "proof", passes)))
    for twice in ((parts[0], parts[0]), (parts[0], parts[1], parts[0])):
        with pytest.raises(ValueError, match="part names must be unique"):
            thm(parts=twice, checks=(Check("c", "proof", passes, parts=("value",)),))
    with pytest.raises(ValueError, match="a consistency check supports no part"):
        Check("c", "proof", passes, parts=("value",), consistency=True)
    with pytest.raises(TypeError, match="tuple of part names"):
        Check("c", "proof", passes, parts="value")
    with pytest.raises(ValueError, match="snake_case"):
        Part("Equality iff", "e")


@pytest.mark.parametrize("kind", ["claim", "refutation"])
def test_a_claim_or_refutation_states_its_parts_and_an_exploration_may_not(kind):
    extra = {"corrected_by": "demo.other"} if kind == "refutation" else {}
    with pytest.raises(ValueError, match=f"a {kind} states at least one part"):
        thm(kind=kind, parts=(), **extra)
    explore = thm(kind="".join(["explor", "atory"]), parts=(), checks=(Check("measure", "empirical", passes),))
    assert explore.parts == () and explore.covers(explore.checks[0]) == ()
    with pytest.raises(ValueError, match="unknown part"):
        thm(kind="exploratory", parts=(), checks=(Check("measure", "empirical", passes, parts=("v",)),))


def test_parts_and_checks_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Part("value", "v").name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        Check("c", "proof", passes).parts = ("v",)


def test_hypotheses_belong_to_the_claim_and_uses_name_other_entries():
    assert thm(claim=Claim({"v": 1}, {"N": H.N >= 3, "kernel": "Gaussian"})).hypothesis_texts == {
        "N": "N >= 3", "kernel": "Gaussian"}
    assert thm(claim=1).hypothesis_texts == {}
    assert thm(uses=("lee2024.lemma1",)).uses == ("lee2024.lemma1",)
    assert thm(id="demo.thm", uses=("demo.abc", "demo.zzz")).uses == ("demo.abc", "demo.zzz")   # any other id
    own = "".join(["demo", ".thm"])      # equal to the id, not the same object
    for bad in (("lemma1",), (own,)):
        with pytest.raises(ValueError, match="uses must name other entries"):
            thm(id="demo.thm", uses=bad)


# --- Claim --------------------------------------------------------------------------------------

CLAIM = Claim({"s_neg": -1 / (H.N - 1), "shape": "etf"},
              {"N": H.N >= 3, "d": H.d >= H.N - 1, "tau": sp.Gt(H.tau, 0), "kernel": "Gaussian"})


def test_a_claim_reads_its_values_and_hypotheses_as_attributes():
    assert CLAIM.s_neg == -1 / (H.N - 1) and CLAIM.shape == "etf" and CLAIM.d == (H.d >= H.N - 1)
    assert CLAIM.kernel == "Gaussian"
    with pytest.raises(AttributeError, match="no value or hypothesis 'count'"):
        CLAIM.count


def test_a_claim_copies_and_pickles_as_data():
    for copied in (copy.copy(CLAIM), copy.deepcopy(CLAIM), pickle.loads(pickle.dumps(Claim({"k": 2}, {"N": H.N >= 3})))):
        assert isinstance(copied, Claim)
    assert copy.deepcopy(CLAIM) == CLAIM


def test_claims_are_equal_exactly_when_values_and_hypotheses_are():
    base = Claim({"a": 1}, {"N": H.N >= 3})
    assert base == Claim({"a": 1}, {"N": H.N >= 3})
    assert base != Claim({"a": 2}, {"N": H.N >= 3})
    assert base != Claim({"a": 1}, {"N": H.N >= 4})
    assert base != {"a": 1}


@pytest.mark.parametrize("point, admitted", [
    ({"N": 6, "d": 5, "tau": 1}, True), ({"N": 6, "d": 6, "tau": "0.5"}, True),
    ({"N": 6, "d": 4, "tau": 1}, False), ({"N": 2, "d": 5, "tau": 1}, False), ({"N": 6, "d": 5, "tau": 0}, False),
    ({"N": 3, "d": 2, "tau": "1e-30"}, True), ({"N": 6, "d": 5}, None), ({"N": 6, "d": 4}, False), ({}, None)])
def test_admits_reads_the_hypotheses_at_a_point(point, admitted):
    assert CLAIM.admits(**point) is admitted


def test_admits_reads_every_hypothesis_whatever_comes_before_it():
    # words first, then a relation that excludes the point
    assert Claim({}, {"kernel": "Gaussian", "N": H.N >= 3}).admits(N=2) is False
    # a relation not decided (tau not given), then one that excludes the point
    assert Claim({}, {"tau": sp.Gt(H.tau, 0), "d": H.d >= H.N - 1}).admits(N=6, d=4) is False
    assert Claim({}, {"tau": sp.Gt(H.tau, 0), "d": H.d >= H.N - 1}).admits(N=6, d=5) is None


def test_admits_can_read_named_hypotheses_only():
    assert CLAIM.admits("d", N=6, d=5) is True and CLAIM.admits("d", N=6, d=4) is False
    assert CLAIM.admits("d", "tau", N=6, d=5) is None and CLAIM.admits("tau", tau=-1) is False
    with pytest.raises(ValueError, match=r"no hypothesis \['count'\]"):
        CLAIM.admits("count", N=6)


def test_least_reads_a_lower_bound_hypothesis():
    assert CLAIM.least("d") == H.N - 1 and CLAIM.least("N") == 3
    assert Claim({}, {"d": H.N - 1 <= H.d}).least("d") == H.N - 1      # written the other way round
    for name in ("tau", "kernel", "nothing"):
        with pytest.raises(ValueError, match="not of the form"):
            CLAIM.least(name)


def test_satisfied_decides_a_relation_exactly_or_says_it_cannot():
    assert satisfied(H.d >= H.N - 1, N=6, d=5) is True and satisfied(H.d >= H.N - 1, N=6, d=4) is False
    assert satisfied(H.d >= H.N - 1, d=5) is None
    assert satisfied(sp.Gt(H.t, sp.Rational(1, 10)), t="0.1") is False       # one tenth exactly
    with pytest.raises(ValueError, match="not decided"):
        satisfied(H.d >= H.N - 1, N=6, d="x")


def test_a_variant_is_another_claim_of_the_same_type():
    weaker = CLAIM.vary(d=H.d >= H.N - 2)
    assert weaker != CLAIM and weaker.admits(N=6, d=4, tau=1) and not CLAIM.admits(N=6, d=4, tau=1)
    assert CLAIM.vary(s_neg=-1 / H.N).s_neg == -1 / H.N
    assert CLAIM.vary() == CLAIM and CLAIM.vary() is not CLAIM
    with pytest.raises(ValueError, match="no value or hypothesis"):
        CLAIM.vary(count=3)


def test_a_claim_is_immutable_and_its_names_are_checked():
    with pytest.raises(TypeError):
        CLAIM.values["s_neg"] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        CLAIM.values = {}
    with pytest.raises(ValueError, match="distinct names"):
        Claim({"d": 1}, {"d": H.d >= 1})
    with pytest.raises(ValueError, match="identifiers other than"):
        Claim({"vary": 1})
    with pytest.raises(ValueError, match="identifiers other than"):
        Claim({"equality iff": 1})


def test_theorem_properties():
    t = thm(id="lee2024.thm2", checks=(Check("gd", "empirical", passes, parts=S), Check("ref", "proof", passes, consistency=True),
                                       Check("grid", "numerical", passes, parts=S), Check("box", "certified", passes, parts=S)))
    assert t.paper == "lee2024"
    assert t.levels == ("certified", "numerical", "empirical")  # counting checks only, strongest first
    assert t.command == "clverify check --only lee2024.thm2 --mutants"
    assert thm(reproduce="clverify optimum --N 5").command == "clverify optimum --N 5"
    assert thm(kind="refutation", corrected_by="demo.fixed").corrected_by == "demo.fixed"


# --- ids, papers, aliases -----------------------------------------------------------------------

@pytest.fixture
def fake_modules(monkeypatch):
    """Replace the built-in theorem modules by two small ones (and no extensions)."""
    a = SimpleNamespace(THEOREMS=[thm("zed2020.a"), thm("ext.b")], ALIASES={"zed2020.old": ("zed2020.a", "2026-01-02")})
    b = SimpleNamespace(THEOREMS=[thm("abc2021.c")], ALIASES={"ext.gone": ("ext.b", "2026-03-04")})
    monkeypatch.setattr(registry, "_modules", lambda: iter([("m.a", a), ("m.b", b)]))
    monkeypatch.setattr(registry, "_EXTRA", {})
    return a, b


def test_papers_first_sorted_by_id_and_ours_last(fake_modules):
    assert [t.id for t in theorems()] == ["abc2021.c", "zed2020.a", "ext.b"]
    assert [t.id for t in theorems(papers=("ext", "zed2020"))] == ["zed2020.a", "ext.b"]


def test_retired_ids_resolve_to_their_entry(fake_modules):
    assert aliases() == {"zed2020.old": ("zed2020.a", "2026-01-02"), "ext.gone": ("ext.b", "2026-03-04")}
    assert [t.id for t in theorems(only=("zed2020.old", "zed2020.a", "ext.gone"))] == ["zed2020.a", "ext.b"]
    assert get("ext.gone").id == "ext.b"


def test_unknown_ids_and_papers_are_input_errors(fake_modules):
    with pytest.raises(UnknownChoiceError, match="only must name registered theorem ids; unknown: zed2020.nope, x.y"):
        theorems(only=("zed2020.nope", "zed2020.a", "x.y"))
    with pytest.raises(UnknownChoiceError, match="only-paper must be one of abc2021, ext, zed2020; got nope"):
        theorems(papers=("nope",))


def test_a_duplicate_id_across_modules_is_refused(fake_modules, monkeypatch):
    a, b = fake_modules
    b.THEOREMS.append(thm("zed2020.a"))
    with pytest.raises(ValueError, match="duplicate theorem id 'zed2020.a' in m.b"):
        theorems()


def test_register_adds_an_entry_and_refuses_a_taken_id(fake_modules):
    new = register(thm("new2025.x"))
    assert get("new2025.x") is new and register(new) is new  # the same object again: no-op
    with pytest.raises(ValueError, match="already registered"):
        register(thm("zed2020.a"))


# --- a theorems file of one's own (clverify check --theorems FILE) ------------------------------

_OWN_FILE = """
from clverify.proofs_check.registry import Check, Part, Theorem

def passes(claim, point, evidence):
    return None

def entry(id):
    return Theorem(id=id, source="test", statement="s", claim=1, parts=(Part("p", "s"),),
                   checks=(Check("c", "proof", passes, parts=("p",)),))
"""


def _own_file(tmp_path, theorems: str):
    path = tmp_path / "mine.py"
    path.write_text(_OWN_FILE + f"THEOREMS = {theorems}\n")
    return path


def test_a_theorems_file_registers_each_of_its_entries(fake_modules, tmp_path):
    loaded = load_theorems(_own_file(tmp_path, "(entry('mine.a'), entry('mine.b'))"))
    assert [t.id for t in loaded] == ["mine.a", "mine.b"]
    assert all(get(t.id) is t for t in loaded)


@pytest.mark.parametrize("theorems", ["None", "entry('mine.a')", "{'mine.a': entry('mine.a')}", "[]", "()",
                                      "[entry('mine.a'), 'mine.b']", "['mine.b', entry('mine.a')]"])
def test_a_theorems_file_without_a_non_empty_list_of_entries_is_refused(fake_modules, tmp_path, theorems):
    with pytest.raises(InvalidParameterError, match="must define THEOREMS, a non-empty list of"):
        load_theorems(_own_file(tmp_path, theorems))
    assert registry._EXTRA == {}


def test_a_theorems_file_cannot_take_an_id_already_registered(fake_modules, tmp_path):
    built_in = get("zed2020.a")
    with pytest.raises(InvalidParameterError, match="mine.py: theorem id 'zed2020.a' is already registered"):
        load_theorems(_own_file(tmp_path, "[entry('zed2020.a')]"))
    assert get("zed2020.a") is built_in


def test_the_builtin_registry_loads_with_unique_ids():
    keys = [(t.paper == "ext", t.id) for t in theorems()]
    assert keys == sorted(set(keys)) and any(ours for ours, _ in keys) and not all(ours for ours, _ in keys)


# --- labels ---------------------------------------------------------------------------------------

def test_point_and_check_labels_are_sorted_and_stable():
    assert point_label({"t": "1.5", "N": 10}) == "N=10,t=1.5"
    assert point_label({}) == ""
    check = Check("etf_optimal_iff_t_ge", "certified", passes, parts=S)
    assert check_label(check, {"N": 10}) == "certified:etf_optimal_iff_t_ge[N=10]"
    assert check_label(check, {}) == "certified:etf_optimal_iff_t_ge"


def test_mutant_is_data():
    m = Mutant("negated", "the claim is true", 0)
    assert (m.name, m.reason, m.claim) == ("negated", "the claim is true", 0)


def test_entries_are_immutable_once_declared():
    """A check's level or an entry's claim cannot be changed after the fact (frozen dataclasses)."""
    from dataclasses import FrozenInstanceError

    check, mutant, entry = Check("c", "numerical", passes, parts=S), Mutant("m", "r", 0), thm()
    for obj, field in ((check, "level"), (mutant, "claim"), (entry, "claim")):
        with pytest.raises(FrozenInstanceError):
            setattr(obj, field, "proof")
