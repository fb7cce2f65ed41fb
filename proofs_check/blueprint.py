r"""The blueprint: one static page of the registry that a paper can link to.

:func:`write_site` writes ``index.html`` (open it from disk: no network, no script) with

* the **dependency graph** of the entries (edges from each entry's ``uses``), drawn as inline
  SVG: node colour by level, border by status, each node a link to its entry; laid out by
  Graphviz ``dot`` where it is installed, else by a layered layout of networkx;
* one **section per entry**: statement and hypotheses as MathML (latex2mathml), source, each
  part with its status, level, scope and checks, the checks, the mutants and what refuted
  each, the certificates with their SHA-256 and the command that re-checks them;
* the threshold table, the phase diagram, and the discrepancies in the published papers
  (``docs/discrepancies.md``, each with the command that reproduces it);
* the provenance (version, commit, libraries).

>>> from clverify.proofs_check.registry import Check, Claim, H, Part, Theorem
>>> from clverify.proofs_check.runner import run_theorem
>>> thm = Theorem(id="demo.bound", source="reconstructed", statement=r"x \ge \tfrac{1}{2}",
...               parts=(Part("bound", r"x \ge \tfrac{1}{2}"),), claim=Claim({"x": 1}, {"N": H.N >= 3}),
...               checks=(Check("exact", "proof", lambda c, p, e: None, parts=("bound",),
...                             scope="all N", whole_domain=True),))
>>> entries = blueprint_entries([thm], {thm.id: run_theorem(thm)})
>>> entries[0]["status"], entries[0]["level"], "<math" in entries[0]["statement"]
('proved', 'proof', True)
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
import networkx as nx
import sympy as sp
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt

from .registry import LEVELS, Claim, Theorem
from .report import check_summary
from .runner import TheoremResult

__all__ = ["LEVEL_COLOURS", "STATUS_BORDERS", "DISCREPANCIES", "mathml", "status_label",
           "dependency_graph", "graph_svg", "blueprint_entries", "write_site"]

#: Node fill by the entry's level (its weakest part's); ``None``: no level.
LEVEL_COLOURS = {"proof": "#1b9e77", "certified": "#66c2a5", "numerical": "#fdd67a",
                 "empirical": "#fc8d62", None: "#d9d9d9"}
#: Node border by status: (colour, width, dash pattern).
STATUS_BORDERS = {"proved": ("#0b3d2e", 3.0, ""), "verified": ("#333333", 1.2, ""),
                  "refuted as documented": ("#b2182b", 2.0, "5,3"),
                  "exploratory": ("#555555", 1.2, "2,2"), "inconclusive": ("#b2182b", 3.0, "1,2"),
                  "refuted": ("#b2182b", 3.0, "")}
#: LaTeX commands latex2mathml does not know, and their replacements.
_MACROS = ((r"\arg\min", r"\mathrm{arg\,min}"), (r"\arg\max", r"\mathrm{arg\,max}"), (r"\arg", r"\mathrm{arg}"))
_TEMPLATE = "blueprint.html"
#: The discrepancies page of the checkout the package runs from (absent from an installed copy).
DISCREPANCIES = Path(__file__).resolve().parents[1] / "docs" / "discrepancies.md"


def mathml(latex: str) -> str:
    r"""``latex`` as inline MathML; ``ValueError`` if a command is left untranslated (so no
    statement is ever shown half-rendered).

    >>> mathml(r"x \le 1")
    '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>x</mi><mo>&#x02264;</mo><mn>1</mn></mrow></math>'
    """
    for old, new in _MACROS:
        latex = latex.replace(old, new)
    out = latex_to_mathml(latex)
    left = re.findall(r">\\[A-Za-z]+<", out)
    if left:
        raise ValueError(f"LaTeX command(s) {sorted(set(left))} not rendered in {latex!r}")
    return out


def status_label(result: TheoremResult) -> str:
    """The status a reader sees: a documented refutation that reproduces is its own verdict."""
    if result.kind == "refutation" and not result.failed:
        return "refuted as documented"
    return result.status


def dependency_graph(theorems: Sequence[Theorem]) -> nx.DiGraph:
    """Entries as nodes (by id), an edge ``used -> user`` for each ``uses``; an id that names
    no entry is an error."""
    graph = nx.DiGraph()
    ids = {t.id for t in theorems}
    for thm in theorems:
        graph.add_node(thm.id, paper=thm.paper)
    for thm in theorems:
        missing = [u for u in thm.uses if u not in ids]
        if missing:
            raise ValueError(f"{thm.id} uses unknown entries {missing}")
        graph.add_edges_from((u, thm.id) for u in thm.uses)
    return graph


def _node_style(result: TheoremResult) -> dict:
    colour, width, dash = STATUS_BORDERS[status_label(result)]
    return {"fill": LEVEL_COLOURS[result.level], "stroke": colour, "width": width, "dash": dash}


def _dot_svg(graph: nx.DiGraph, results: Mapping[str, TheoremResult]) -> str:
    import graphviz

    dot = graphviz.Digraph("registry", graph_attr={"rankdir": "LR", "fontname": "Helvetica", "nodesep": "0.15",
                                                    "ranksep": "0.6", "bgcolor": "transparent"},
                           node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                      "fontsize": "10", "height": "0.3"})
    for paper in sorted({graph.nodes[n]["paper"] for n in graph}):
        with dot.subgraph(name=f"cluster_{paper}", graph_attr={"label": paper, "style": "dashed",
                                                               "color": "#999999", "fontsize": "11"}) as sub:
            for node in sorted(n for n in graph if graph.nodes[n]["paper"] == paper):
                style = _node_style(results[node])
                sub.node(node, label=node.split(".", 1)[1], URL=f"#{node}", target="_self", id=f"node-{node}",
                         tooltip=f"{node}: {status_label(results[node])}, {results[node].level or 'no level'}",
                         fillcolor=style["fill"], color=style["stroke"], penwidth=str(style["width"]),
                         style="rounded,filled" + (",dashed" if style["dash"] else ""))
    for a, b in sorted(graph.edges):
        dot.edge(a, b, color="#555555", arrowsize="0.6")
    svg = dot.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


def _layered_svg(graph: nx.DiGraph, results: Mapping[str, TheoremResult]) -> str:
    """A left-to-right layered drawing (layer = longest chain of ``uses`` below the node),
    without Graphviz."""
    width, height, gap_x, gap_y = 190, 24, 60, 10
    layer = {}
    for node in nx.topological_sort(graph):
        layer[node] = max((layer[p] + 1 for p in graph.predecessors(node)), default=0)
    columns: dict[int, list[str]] = {}
    for node in sorted(graph, key=lambda n: (graph.nodes[n]["paper"] == "ext", n)):
        columns.setdefault(layer[node], []).append(node)
    pos = {node: (20 + k * (width + gap_x), 20 + i * (height + gap_y))
           for k, column in columns.items() for i, node in enumerate(column)}
    total_w = 40 + len(columns) * (width + gap_x)
    total_h = 40 + max(len(c) for c in columns.values()) * (height + gap_y) if columns else 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" viewBox="0 0 {total_w} {total_h}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for a, b in sorted(graph.edges):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        parts.append(f'<line x1="{xa + width}" y1="{ya + height / 2}" x2="{xb}" y2="{yb + height / 2}" '
                     f'stroke="#555" stroke-width="1" marker-end="url(#arrow)"/>')
    for node, (x, y) in sorted(pos.items()):
        style = _node_style(results[node])
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        parts.append(f'<g class="node" id="node-{html.escape(node)}"><a href="#{html.escape(node)}"><title>{html.escape(node)}</title>'
                     f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="5" fill="{style["fill"]}" '
                     f'stroke="{style["stroke"]}" stroke-width="{style["width"]}"{dash}/>'
                     f'<text x="{x + width / 2}" y="{y + height / 2 + 4}" text-anchor="middle" '
                     f'font-family="Helvetica, sans-serif" font-size="11">{html.escape(node)}</text></a></g>')
    parts.append("</svg>")
    return "\n".join(parts)


def graph_svg(theorems: Sequence[Theorem], results: Mapping[str, TheoremResult], *,
              engine: str = "auto") -> tuple[str, str]:
    """The dependency graph as SVG and the engine that laid it out: ``dot`` (Graphviz, where
    its executable is installed) or ``layered`` (networkx); ``engine`` forces one."""
    graph = dependency_graph(theorems)
    if engine in ("auto", "dot") and shutil.which("dot"):
        return _dot_svg(graph, results), "dot"
    if engine == "dot":
        raise RuntimeError("Graphviz's dot is not installed (Debian: apt-get install graphviz)")
    return _layered_svg(graph, results), "layered"


def _hypotheses(thm: Theorem) -> list[dict]:
    if not isinstance(thm.claim, Claim):
        return []
    return [{"name": k, "text": str(v), "math": mathml(sp.latex(v)) if isinstance(v, sp.Basic) else None}
            for k, v in thm.claim.hypotheses.items()]


def _certificates(thm: Theorem, certs_dir: Path | None) -> list[dict]:
    if certs_dir is None or not certs_dir.is_dir():
        return []
    return [{"file": f"certs/{path.name}", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
             "command": f"clverify recheck certs/{path.name}"}
            for path in sorted(certs_dir.glob(f"{thm.id}.*.json"))]


def blueprint_entries(theorems: Sequence[Theorem], results: Mapping[str, TheoremResult],
                      certs_dir: Path | None = None) -> list[dict]:
    """What the page shows of each entry (ids, MathML, parts, checks, mutants, certificates)."""
    entries = []
    for thm in theorems:
        res = results[thm.id]
        entries.append({
            "id": thm.id, "kind": thm.kind, "source": thm.source, "status": status_label(res),
            "level": res.level, "statement": mathml(thm.statement), "hypotheses": _hypotheses(thm),
            "uses": list(thm.uses), "used_by": sorted(t.id for t in theorems if thm.id in t.uses),
            "corrected_by": thm.corrected_by,
            "parts": [{"name": p.name, "statement": mathml(p.statement), "status": p.status, "level": p.level,
                       "scope": list(p.scope), "checks": list(p.checks)} for p in res.parts],
            "checks": [{"label": f"{c.level}:{c.name}", "level": c.level, "scope": c.scope_for(),
                        "whole_domain": c.whole_domain, "counts": c.counts, "parts": list(thm.covers(c)),
                        "summary": check_summary(c.run),
                        "outcomes": _outcome_counts(res, c.name)} for c in thm.checks],
            "mutants": [{"name": m.name, "reason": m.reason, "refuted_by": res.refuted_by.get(m.name)}
                        for m in thm.mutants],
            "mutants_run": res.mutants_refuted is not None,
            "certificates": _certificates(thm, certs_dir),
            "command": thm.command,
        })
    return entries


def _outcome_counts(result: TheoremResult, check: str) -> str:
    counts: dict[str, int] = {}
    for o in result.outcomes:
        if o.check == check:
            counts[o.status] = counts.get(o.status, 0) + 1
    return ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))


def _discrepancies(path: Path | None) -> str | None:
    """``docs/discrepancies.md`` as HTML (its doctest lines dropped), or None if absent."""
    if path is None or not path.is_file():
        return None
    text = "\n".join(line for line in path.read_text().splitlines()
                     if not line.startswith((">>> ", "... ")) and not re.match(r"^\(?'", line))
    body = MarkdownIt("commonmark", {"html": False}).render(text)
    return re.sub(r"<h1>.*?</h1>", "", body, count=1, flags=re.S)


def write_site(out: Path, theorems: Sequence[Theorem], results: Mapping[str, TheoremResult], *,
               provenance: Mapping, thresholds: Sequence[Mapping] = (), figures: Sequence[Path] = (),
               certs_dir: Path | None = None, discrepancies: Path | None = None,
               engine: str = "auto") -> Path:
    """Write the blueprint into the folder ``out`` (created; its parent must exist); return the
    path of ``index.html``.  ``figures`` are copied beside it and shown; ``certs_dir``'s files
    are linked (relative to ``out``'s parent, where the report keeps ``certs/``)."""
    out.mkdir(exist_ok=True)
    svg, layout = graph_svg(theorems, results, engine=engine)
    shown = []
    for fig in figures:
        if fig.resolve().parent != out.resolve():
            shutil.copyfile(fig, out / fig.name)
        shown.append(fig.name)
    env = jinja2.Environment(loader=jinja2.PackageLoader("clverify.proofs_check", "."),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    entries = blueprint_entries(theorems, results, certs_dir)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    page = env.get_template(_TEMPLATE).render(
        entries=entries, graph=svg, layout=layout, provenance=provenance, thresholds=list(thresholds),
        figures=shown, discrepancies=_discrepancies(discrepancies), counts=counts, levels=LEVELS,
        level_colours=LEVEL_COLOURS, status_borders=STATUS_BORDERS)
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
