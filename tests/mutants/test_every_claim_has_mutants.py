"""Every claim in the registry declares mutants with reasons.

Whether each mutant is refuted runs as a plugin item, ``<id>::mutant:<name>``, collected from
``proofs_check/theorems`` (see ``tests/README.md``); this file checks the declarations.
"""

import re

import pytest

from clverify.proofs_check.registry import theorems

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
