"""The entries of the papers that build on the CCEM (lee2025, bangachev2025): what ``check``
lists, documented refutations next to their corrections, and their citations."""

from __future__ import annotations

import pathlib

from click.testing import CliRunner

from clverify.proofs_check.cli import main
from clverify.proofs_check.registry import get, theorems
from clverify.proofs_check.runner import run_theorem

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_check_lists_the_later_papers_entries():
    ids = [t.id for t in theorems(papers=("lee2025", "bangachev2025"))]
    assert sum(i.startswith("lee2025.") for i in ids) >= 5
    assert sum(i.startswith("bangachev2025.") for i in ids) >= 6


def test_every_documented_refutation_names_a_claim_of_the_same_paper():
    for thm in theorems(papers=("lee2025", "bangachev2025")):
        if thm.kind == "refutation":
            corrected = get(thm.corrected_by)
            assert corrected.kind == "claim" and corrected.paper == thm.paper
            assert any(m.claim == thm.claim for m in corrected.mutants), \
                f"{corrected.id} should list the published form as a mutant"


def test_published_theorem_5_2_is_refuted_and_its_correction_proved():
    published, corrected = run_theorem(get("lee2025.thm5_2")), run_theorem(get("lee2025.thm5_2_gap"))
    assert published.status == "refuted" and not published.failed
    assert corrected.status == "proved"
    messages = [o.message for o in published.outcomes if o.status == "fail"]
    assert any("ccem_0.8" in m for m in messages)       # the counterexample: CCEM(delta < 1)


def test_check_exits_0_on_a_documented_refutation_and_lists_it():
    result = CliRunner().invoke(main, ["check", "--only", "lee2025.thm5_2", "--format", "json", "--quiet"])
    assert result.exit_code == 0
    assert "lee2025.thm5_2: a published statement, refuted as documented" in result.stderr
    assert "lee2025.thm5_2_gap" in result.stderr


def test_cite_and_citation_file_name_the_later_papers():
    out = CliRunner().invoke(main, ["cite"]).output
    assert "@inproceedings{lee2025similarities" in out and "@inproceedings{bangachev2025global" in out
    cff = (ROOT / "CITATION.cff").read_text()
    assert "On the Similarities of Embeddings in Contrastive Learning" in cff
    assert "Global Minimizers of Sigmoid Contrastive Loss" in cff
