"""The blueprint site (clverify.proofs_check.blueprint) on a planted registry: the graph has one
linked node per entry and an edge per ``uses``, with either layout engine; every entry's
section shows its statement as MathML, its parts, checks, mutants and certificates; the page
needs no network and no script.  The page in a real browser: tests/browser."""

from __future__ import annotations

import hashlib
import re
import shutil
from html.parser import HTMLParser

import pytest

from clverify.proofs_check.blueprint import (
    LEVEL_COLOURS,
    blueprint_entries,
    dependency_graph,
    graph_svg,
    mathml,
    write_site,
)
from clverify.proofs_check.registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from clverify.proofs_check.runner import run_theorem


def holds(claim, point, evidence):
    """Reads the claim."""
    return None if claim.holds else "false at the point"


def undecided(claim, point, evidence):
    raise Inconclusive("too wide")


TRUE, FALSE = Claim({"holds": True}, {"N": H.N >= 3}), Claim({"holds": False}, {"N": H.N >= 3})
BASE = Theorem(id="demo.base", source="planted", statement=r"\frac{1}{N(N-1)} \sum_{i \ne j} s_{ij} \ge -1",
               parts=(Part("bound", r"\ge -1"),), claim=TRUE,
               checks=(Check("sos", "proof", holds, parts=("bound",), scope="all N", whole_domain=True),),
               mutants=(Mutant("negated", "the bound is attained", FALSE),))
USER = Theorem(id="demo.user", source="planted", statement=r"\arg\min L = \text{ETF} \iff d \ge N - 1",
               parts=(Part("value", r"\min L = 0"), Part("minimiser", r"\arg\min L = \text{ETF}")), claim=TRUE,
               checks=(Check("symbolic", "proof", holds, parts=("value",), scope="all N", whole_domain=True),
                       Check("descent", "empirical", holds, parts=("minimiser",), points=({"N": 5},))),
               mutants=(Mutant("negated", "r", FALSE),), uses=("demo.base",))
OPEN = Theorem(id="paper2024.open", source="planted", statement="x = 1", parts=(Part("value", "x = 1"),),
               claim=TRUE, checks=(Check("boxes", "certified", undecided, parts=("value",)),), uses=("demo.user",))
PUBLISHED = Theorem(id="paper2024.printed", source="planted", statement="x = 2", parts=(Part("value", "x = 2"),),
                    claim=FALSE, kind="refutation", corrected_by="paper2024.open",
                    checks=(Check("grid", "certified", holds, parts=("value",), points=({"N": 7},)),))
ENTRIES = [BASE, USER, OPEN, PUBLISHED]


@pytest.fixture(scope="module")
def results():
    return {t.id: run_theorem(t, mutants=True) for t in ENTRIES}


class Links(HTMLParser):
    """Collects ids, hrefs, tags and text of a page."""

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.tags, self.srcs = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "xlink:href"):
            if key in attrs:
                self.hrefs.append(attrs[key])
        if "src" in attrs:
            self.srcs.append(attrs["src"])


def test_mathml_renders_the_statements_and_refuses_to_half_render():
    out = mathml(r"\arg\min_x L \le \tfrac{1}{2}")
    assert out.startswith("<math") and "<mfrac>" in out and "\\" not in out
    with pytest.raises(ValueError, match=r"\\notacommand"):
        mathml(r"x \notacommand y")


def test_the_graph_has_an_edge_per_use_and_refuses_unknown_ids():
    graph = dependency_graph(ENTRIES)
    assert set(graph.nodes) == {t.id for t in ENTRIES}
    assert set(graph.edges) == {("demo.base", "demo.user"), ("demo.user", "paper2024.open")}
    stray = Theorem(id="demo.stray", source="p", statement="s", parts=(Part("v", "v"),), claim=TRUE,
                    checks=(Check("c", "proof", holds, parts=("v",)),), uses=("demo.missing",))
    with pytest.raises(ValueError, match=r"demo.stray uses unknown entries \['demo.missing'\]"):
        dependency_graph([stray])


@pytest.mark.parametrize("engine", ["layered", pytest.param("dot", marks=pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (Debian package graphviz)"))])
def test_each_engine_draws_one_linked_node_per_entry_coloured_by_level(results, engine):
    svg, used = graph_svg(ENTRIES, results, engine=engine)
    assert used == engine and svg.startswith("<svg")
    parser = Links()
    parser.feed(svg)
    assert sorted(h for h in parser.hrefs if h.startswith("#")) == sorted(f"#{t.id}" for t in ENTRIES)
    # levels: base proof, user empirical (its weakest part), open and printed none
    for colour in (LEVEL_COLOURS["proof"], LEVEL_COLOURS["empirical"], LEVEL_COLOURS[None]):
        assert colour.lower() in svg.lower()
    assert LEVEL_COLOURS["certified"].lower() not in svg.lower()


def test_dot_is_refused_with_a_clear_error_where_it_is_absent(results, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        graph_svg(ENTRIES, results, engine="dot")
    assert graph_svg(ENTRIES, results)[1] == "layered"


def test_entries_carry_parts_mutants_and_what_refuted_them(results):
    entries = {e["id"]: e for e in blueprint_entries(ENTRIES, results)}
    user = entries["demo.user"]
    assert (user["status"], user["level"], user["uses"], user["used_by"]) == (
        "verified", "empirical", ["demo.base"], ["paper2024.open"])
    assert [(p["name"], p["status"], p["level"]) for p in user["parts"]] == [
        ("value", "proved", "proof"), ("minimiser", "verified", "empirical")]
    assert user["mutants"] == [{"name": "negated", "reason": "r",
                                "refuted_by": "proof:symbolic: false at the point"}]
    assert entries["paper2024.printed"]["status"] == "refuted as documented"
    assert entries["paper2024.open"]["status"] == "inconclusive"
    assert entries["paper2024.open"]["mutants"] == []


def test_the_page_links_every_entry_and_needs_no_network_or_script(results, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "demo.base.sos.json").write_text('{"rows": []}')
    figure = tmp_path / "phase.png"
    figure.write_bytes(b"\x89PNG\r\n")
    docs = tmp_path / "discrepancies.md"
    docs.write_text("# Title\n\n## 1. A printed sign\n\nThe sign is wrong.\n\n```console\n$ clverify check\n```\n\n"
                    ">>> 1 + 1\n2\n")
    index = write_site(tmp_path / "site", ENTRIES, results, provenance={
        "version": "0", "git_commit": "abc", "git_dirty": False, "created": "now", "python": "3",
        "libraries": {"sympy": "1"}}, thresholds=[{"N": 5, "t_etf": "0.55", "t_antipodal": "0.20",
                                                   "certified": True, "note": None}],
        figures=[figure], certs_dir=certs, discrepancies=docs)
    text = index.read_text()
    parser = Links()
    parser.feed(text)
    assert {t.id for t in ENTRIES} <= parser.ids
    assert all(h[1:] in parser.ids for h in parser.hrefs if h.startswith("#"))
    assert "script" not in parser.tags
    assert not [u for u in parser.hrefs + parser.srcs if re.match(r"(https?:)?//", u)]
    assert text.count("<math") >= 2 * len(ENTRIES)           # statement and each part
    digest = hashlib.sha256(b'{"rows": []}').hexdigest()
    assert "../certs/demo.base.sos.json" in parser.hrefs and digest in text
    assert "clverify recheck certs/demo.base.sos.json" in text
    assert (tmp_path / "site" / "phase.png").is_file() and "phase.png" in parser.srcs
    assert "A printed sign" in text and "$ clverify check" in text and "&gt;&gt;&gt;" not in text
    assert "<td>0.55</td>" in text.replace("<code>", "").replace("</code>", "")
