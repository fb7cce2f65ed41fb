"""Every claim in the registry declares mutants with reasons.

Whether each mutant is refuted runs as a plugin item, ``<id>::mutant:<name>``, collected from
``proofs_check/theorems`` (see ``tests/README.md``); this file checks the declarations.
"""

import re

import networkx as nx
import pytest

from clverify.proofs_check.blueprint import dependency_graph
from clverify.proofs_check.registry import Claim, theorems

CLAIMS = [t for t in theorems() if t.kind == "claim"]


@pytest.mark.parametrize("theorem", CLAIMS, ids=lambda t: t.id)
def test_claim_declares_at_least_one_mutant_with_a_reason(theorem):
    assert theorem.mutants, f"{theorem.id} declares no mutant"
    for mutant in theorem.mutants:
        assert mutant.reason.strip(), f"{theorem.id}:{mutant.name} gives no reason"
        assert mutant.claim != theorem.claim, f"{theorem.id}:{mutant.name} is the claim itself"


@pytest.mark.parametrize("theorem", CLAIMS, ids=lambda t: t.id)
def test_mutant_names_are_snake_case_and_unique(theorem):
    names = [m.name for m in theorem.mutants]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9_]*", n) for n in names), names


STATED = [t for t in theorems() if t.kind != "exploratory"]


@pytest.mark.parametrize("theorem", STATED, ids=lambda t: t.id)
def test_every_part_is_supported_by_a_counting_check_and_every_hypothesis_is_data(theorem):
    named = {p for c in theorem.checks if c.counts for p in c.parts}
    assert theorem.parts, f"{theorem.id} states no part"
    assert {p.name for p in theorem.parts} <= named, f"{theorem.id}: parts no check supports"
    assert isinstance(theorem.claim, Claim), f"{theorem.id}: the claim is not a Claim"


def test_uses_name_registered_entries_without_cycles():
    graph = dependency_graph(theorems())
    assert nx.is_directed_acyclic_graph(graph), nx.find_cycle(graph)
