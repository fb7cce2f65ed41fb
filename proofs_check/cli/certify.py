"""Certificate commands: ``certify thresholds|phase|optimum|registry`` and ``recheck``.

``certify`` writes table certificates (:mod:`clverify.numerics.precision.certificates`,
:mod:`clverify.proofs_check.certificates`) into a folder, one JSON file per table.
``recheck`` runs the independent checker :mod:`clverify.recheck` in a fresh Python process, so
that nothing of the code that produced the certificates is loaded while they are checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from clverify.numerics.output.tables import provenance
from clverify.numerics.precision.certificates import (
    Certificate,
    optimum_certificate,
    phase_certificate,
    threshold_certificate,
)
from clverify.numerics.precision.real_input import RealInput
from clverify.theory.errors import InvalidParameterError

from ..certificates import registry_certificates
from . import main
from .output import OutputFolder, multi_value_command
from .sigmoid import _batch_sizes, _digits

__all__ = ["certify", "recheck", "write_certificates"]

_OUT = click.option("--out", "out_dir", type=OutputFolder(), default="certs", show_default=True,
                    help="Folder for the certificates (created if missing; its parent must exist).")
_DIGITS = click.option("--digits", default="50", show_default=True,
                       help="Significant decimal digits, 15..10000.")
_N = click.option("--N", "N", multiple=True, metavar="N...",
                  help="Batch sizes (integers >= 3); several values may follow one flag.")


def write_certificates(certificates: list[Certificate], out_dir: Path, echo: bool = True,
                       **prov_extra) -> list[Path]:
    """Write each certificate to ``out_dir/<table>.json`` with a provenance block (and, with
    ``echo``, a line saying so)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for cert in certificates:
        prov = provenance(precision_bits=cert.bits, **prov_extra)
        paths.append(cert.write(out_dir, prov))
        if echo:
            click.echo(f"clverify certify: {paths[-1]}: {len(cert.rows)} rows, "
                       f"{len(cert.omitted)} cells without a certified number")
    return paths


def _reals(name: str, values, positive: bool) -> list[str]:
    """The decimal strings given for ``name``, validated (one-line errors)."""
    if not values:
        raise InvalidParameterError(f"{name} must be given (e.g. --{name} 1 5 20), got nothing")
    check = RealInput.positive if positive else RealInput.finite
    return [str(check(name, v)) for v in values]


@main.group("certify")
def certify():
    """Write certificates (JSON tables of facts) that `clverify recheck` re-verifies with
    python-flint alone."""


def _certify_command(*multi: str):
    return certify.command(cls=multi_value_command(*multi))


@_certify_command("--N")
@_N
@click.option("--N-range", "n_range", default=None, metavar="A:B", help="Also every N in A..B (inclusive).")
@_DIGITS
@_OUT
def thresholds(N, n_range, digits, out_dir):
    """t_E(N), t_A(N) on t = b: each the unique root of the general condition in its printed
    enclosure, with the closed form inside (OUT/thresholds.json)."""
    sizes, digits = _batch_sizes(N, n_range), _digits(digits)
    write_certificates([threshold_certificate(sizes, digits)], out_dir, digits=digits)


@_certify_command("--N", "--t")
@_N
@click.option("--t", "t_values", multiple=True, metavar="T...", help="Inverse temperatures t > 0.")
@_DIGITS
@_OUT
def phase(N, t_values, digits, out_dir):
    """b_E(N, t), b_A(N, t) for every (N, t): roots in b of the general conditions, with the
    closed forms inside (OUT/phase.json)."""
    sizes, ts, digits = _batch_sizes(N, None), _reals("t", t_values, True), _digits(digits)
    write_certificates([phase_certificate([(n, t) for n in sizes for t in ts], digits)], out_dir,
                       digits=digits)


@_certify_command("--N", "--t", "--b")
@_N
@click.option("--t", "t_values", multiple=True, metavar="T...", help="Inverse temperatures t > 0.")
@click.option("--b", "b_values", multiple=True, metavar="B...", help="Biases b (subtracted; SigLIP's is -b).")
@_DIGITS
@_OUT
def optimum(N, t_values, b_values, digits, out_dir):
    """The optimal CCEM at every (N, t, b): signs of l'(1), l'(0), the regime, and x* in the
    intermediate regime (OUT/optimum.json)."""
    sizes = _batch_sizes(N, None)
    ts, bs, digits = _reals("t", t_values, True), _reals("b", b_values, False), _digits(digits)
    triples = [(n, t, b) for n in sizes for t in ts for b in bs]
    write_certificates([optimum_certificate(triples, digits)], out_dir, digits=digits)


@certify.command("registry")
@click.option("--thorough", is_flag=True, help="Add each check's thorough parameter points.")
@_OUT
def registry(thorough, out_dir):
    """The registry's certified checks with certifiable numbers (lee2024.thm2 thresholds, the
    covering boxes of lee2024.convexity and lee2024.monotone_t_eq_b): one file per check."""
    write_certificates(registry_certificates(thorough), out_dir,
                       profile="thorough" if thorough else "fast")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--expect", multiple=True, metavar="SHA256",
              help="A file's SHA-256 (64 hexadecimal digits) that must be among those checked (repeatable).")
@click.option("--show-expressions", is_flag=True,
              help="Print each expression in infix form, read by the checker's own parser.")
def recheck(paths, expect, show_expressions):
    """Re-verify the certificates in PATHS (folders or files) with python-flint alone, in a fresh,
    isolated process (`python -I -m clverify.recheck`: nothing of the working folder is
    imported): per file its kind, PINNED or UNPINNED, rows, facts checked and failed, SHA-256
    digests; exit code 1 when a fact fails or an --expect digest is not found, 2 on bad input."""
    options = [f"--expect={e}" for e in expect] + (["--show-expressions"] if show_expressions else [])
    code = subprocess.call([sys.executable, "-I", "-m", "clverify.recheck", *options, "--", *map(str, paths)])
    sys.exit(code)
