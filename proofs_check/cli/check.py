"""Registry commands: ``check``, ``cite``, ``report``."""

from __future__ import annotations

import sys

import click
from tqdm import tqdm

from ..registry import aliases, load_theorems, theorems
from ..report import catalogue_markdown, result_record, table_record
from ..runner import run_theorem
from . import main
from .output import OutputFile, emit, format_option, out_option, threads_option, torch_threads


def run_selected(selected, *, mutants, thorough, quiet):
    """Run ``selected`` theorems (with a progress bar on a terminal); results by id."""
    bar = tqdm(selected, desc="theorems", unit="thm", file=sys.stderr,
               disable=quiet or not sys.stderr.isatty())
    results = {}
    for thm in bar:
        bar.set_postfix_str(thm.id)
        results[thm.id] = run_theorem(thm, mutants=mutants, thorough=thorough)
    return results


@main.command()
@click.option("--only", multiple=True, metavar="ID", help="Check only this theorem id (repeatable).")
@click.option("--only-paper", multiple=True, metavar="PAPER", help="Check only this paper (e.g. lee2024).")
@click.option("--theorems", "files", multiple=True, metavar="FILE",
              help="Check the entries of this Python file of your own (its THEOREMS list; repeatable). "
                   "It runs as Python code, as an import would.")
@click.option("--mutants", is_flag=True, help="Also run every mutant; a surviving mutant fails the run.")
@click.option("--thorough", is_flag=True, help="Add each check's thorough parameter points.")
@click.option("--list", "list_ids", is_flag=True, help="List the registered ids and exit.")
@click.option("--catalogue", type=OutputFile(), default=None,
              help="Also write the theorem catalogue (docs/theorems.md) to this file.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@threads_option(default=1)
@format_option(default="md")
@out_option
def check(only, only_paper, files, mutants, thorough, list_ids, catalogue, quiet, threads, fmt, out):
    """Check registry entries (or, with --theorems, the entries of your own files); exit code 1
    when a claim is not proved or verified (refuted or inconclusive), an entry's check does not
    run as recorded, or a mutant survives."""
    yours = [thm.id for path in files for thm in load_theorems(path)]
    selected = theorems(only=tuple(only) or tuple(yours), papers=tuple(only_paper))
    if list_ids:
        for thm in selected:
            click.echo(f"{thm.id}\t{thm.kind}\t{thm.source}")
        for old, (new, date) in sorted(aliases().items()):
            click.echo(f"{old}\tretired {date}: see {new}")
        return
    with torch_threads(threads):
        results = run_selected(selected, mutants=mutants, thorough=thorough, quiet=quiet)
    records = [result_record(r) for r in results.values()]
    if fmt != "json":  # tables: evidence is too wide; the JSON report keeps all of it
        records = [table_record(r) for r in records]
    emit(records, fmt, out, profile="thorough" if thorough else "fast", mutants=mutants)
    if catalogue is not None:
        catalogue.write_text(catalogue_markdown(selected, results))
    for thm in selected:
        if thm.kind == "refutation" and not results[thm.id].failed:
            click.echo(f"clverify check: {thm.id}: a published statement, refuted as documented "
                       f"(corrected form: {thm.corrected_by})", err=True)
    if any(r.failed for r in results.values()):
        sys.exit(1)


@main.command()
def cite():
    """Print BibTeX for the papers this tool checks and for this tool."""
    from ..citation import bibtex

    click.echo(bibtex(), nl=False)
