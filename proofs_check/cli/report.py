"""``clverify report``: the main job: theorem check, threshold tables, optimum summary and their
certificates."""

from __future__ import annotations

import sys

import click

from clverify.numerics.output.tables import FORMATS, provenance, render
from clverify.numerics.precision.certificates import optimum_certificate, threshold_certificate

from ..blueprint import DISCREPANCIES, write_site
from ..certificates import registry_certificates
from ..registry import theorems
from ..report import catalogue_markdown, level_counts, result_record, table_record
from . import main
from .certify import write_certificates
from .check import run_selected
from .output import OutputFolder, threads_option, torch_threads
from .sigmoid import BACKEND, CONVENTION, THRESHOLD_CONVENTION, optimum_record, threshold_records

#: The threshold table of the report: N = 4..100 at 30 digits (as docs/tables/thresholds.md).
REPORT_SIZES = range(4, 101)
REPORT_DIGITS = 30
#: The optimum summary: (N, t = b) on a small grid spanning the three regimes.
SUMMARY_SIZES = (5, 10, 50, 100)
SUMMARY_TEMPERATURES = ("0.5", "1", "2", "5")
#: The phase diagram the blueprint site shows.
SITE_PHASE_N = 10


@main.command()
@click.option("--out", "out_dir", type=OutputFolder(), default="results", show_default=True,
              help="Folder for the report files (created if missing; its parent must exist).")
@click.option("--thorough", is_flag=True, help="The thorough profile of the theorem check.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@threads_option(default=1)
def report(out_dir, thorough, quiet, threads):
    """Run every registry check with its mutants and write, in OUT: check.{md,json,tex} and the
    catalogue theorems.md, thresholds.{md,csv,tex,json} (N = 4..100), optimum.{md,json},
    certs/ (certificates of the tables and of the registry's covering boxes: re-check them with
    `clverify recheck OUT/certs`), and site/ (the blueprint: open site/index.html).  Exit code 1 when an entry fails as in ``clverify check`` (a
    claim refuted or inconclusive, a surviving mutant)."""
    selected = theorems()
    with torch_threads(threads):
        results = run_selected(selected, mutants=True, thorough=thorough, quiet=quiet)
    out_dir.mkdir(exist_ok=True)
    records = [result_record(r) for r in results.values()]
    prov = provenance(profile="thorough" if thorough else "fast", mutants=True)
    suffix = {"md": "md", "csv": "csv", "latex": "tex", "json": "json"}
    for fmt in ("md", "latex", "json"):
        rows = records if fmt == "json" else [table_record(r) for r in records]
        (out_dir / f"check.{suffix[fmt]}").write_text(render(rows, fmt, prov))
    (out_dir / "theorems.md").write_text(catalogue_markdown(selected, results))

    table = threshold_records(REPORT_SIZES, REPORT_DIGITS, quiet)
    prov = provenance(digits=REPORT_DIGITS, backend=BACKEND, convention=THRESHOLD_CONVENTION)
    for fmt in FORMATS:
        (out_dir / f"thresholds.{suffix[fmt]}").write_text(render(table, fmt, prov))

    summary = [optimum_record(n, t, t, REPORT_DIGITS) for n in SUMMARY_SIZES for t in SUMMARY_TEMPERATURES]
    prov = provenance(digits=REPORT_DIGITS, backend=BACKEND, convention=CONVENTION + "; t = b")
    for fmt in ("md", "json"):
        (out_dir / f"optimum.{suffix[fmt]}").write_text(render(summary, fmt, prov))

    certificates = [threshold_certificate(REPORT_SIZES, REPORT_DIGITS),
                    optimum_certificate([(n, t, t) for n in SUMMARY_SIZES for t in SUMMARY_TEMPERATURES],
                                        REPORT_DIGITS),
                    *registry_certificates(thorough)]
    write_certificates(certificates, out_dir / "certs", echo=False,
                       profile="thorough" if thorough else "fast")

    from clverify.numerics.output.figures import phase_figure

    site = out_dir / "site"
    site.mkdir(exist_ok=True)
    figures = [p for p in phase_figure(SITE_PHASE_N, site / f"phase_N{SITE_PHASE_N}.png", quick=True)
               if p.suffix == ".png"]
    write_site(site, selected, results, provenance=provenance(profile="thorough" if thorough else "fast"),
               thresholds=table, figures=figures, certs_dir=out_dir / "certs", discrepancies=DISCREPANCIES)

    failed = [r.id for r in results.values() if r.failed]
    verdicts = {}
    for r in results.values():   # a documented refutation of a published statement is its own verdict
        key = "published statements refuted as documented" if r.kind == "refutation" and not r.failed else r.status
        verdicts[key] = verdicts.get(key, 0) + 1
    weakest = ", ".join(f"{v} {k}" for k, v in level_counts(results.values()).items())
    click.echo(f"clverify report: {len(results)} entries ({', '.join(f'{v} {k}' for k, v in sorted(verdicts.items()))}; "
               f"weakest part: {weakest}); mutants refuted {sum(r.mutants_refuted or 0 for r in results.values())}/"
               f"{sum(r.mutants_total for r in results.values())}; files in {out_dir}/, "
               f"certificates in {out_dir / 'certs'}/")
    if failed:
        click.echo(f"clverify report: failed (refuted, inconclusive or with a surviving mutant): "
                   f"{', '.join(failed)}", err=True)
        sys.exit(1)

