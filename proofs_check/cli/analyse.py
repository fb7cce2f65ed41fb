"""``clverify analyse``: a loss (built in, or a user's file) end to end.

A thin adapter over :func:`clverify.numerics.analyse.analyse` (the CCEM restriction, its
optimum and regime, gradient descent on free embeddings) and
:func:`clverify.numerics.analyse.track_regimes` (where the regime changes along one parameter).
Inputs are checked, and a user's loss run once symbolically, before any long work; every
failure is one line on stderr and exit code 2.  What a user's loss prints goes to stderr: stdout
holds the records only.
"""

from __future__ import annotations

import re
import sys
from contextlib import nullcontext, redirect_stdout

import click

from clverify.theory.errors import InvalidParameterError
from clverify.theory.params import MAX_DIGITS, MIN_DIGITS, check_positive

from . import main
from .gd import FIGURE_SUFFIXES
from .output import (
    Integer,
    OutputFile,
    Real,
    check_output_file,
    emit,
    format_option,
    out_option,
    parse_params,
    seed_option,
    threads_option,
    torch_threads,
)

__all__ = ["analyse_command", "parse_range"]

CONVENTION = ("x = delta^2 of the CCEM; t multiplies, b is subtracted, tau divides (as the loss "
              "defines them); loss normalised as its definition is")
BACKEND = "sympy (restriction) + mpmath (values) + python-flint arb (certificates) + torch (GD)"


def parse_range(text: str) -> tuple[str, str]:
    """``"A:B"`` as the two decimal strings (kept exact downstream).

    >>> parse_range("0.1:10")
    ('0.1', '10')
    >>> parse_range("10")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: range must be A:B with numbers A < B, got '10'
    """
    match = re.fullmatch(r"\s*([^:]+?)\s*:\s*([^:]+?)\s*", text or "")
    try:
        lo, hi = float(match[1]), float(match[2])
    except (TypeError, ValueError):
        lo = hi = None
    if match is None or lo is None or not lo < hi:
        raise InvalidParameterError(f"range must be A:B with numbers A < B, got {text!r}")
    return match[1], match[2]


def _loss(loss_file, name):
    from clverify.numerics.analyse import as_loss
    from clverify.theory.loss_files import load_loss

    return as_loss(name) if loss_file is None else load_loss(loss_file, name)


@main.command("analyse")
@click.option("--loss-file", "loss_file", default=None, metavar="FILE",
              help="A Python file defining NAME(grams, ops, *, param, ...) (default: a built-in "
                   "loss). It runs as Python code, as an import would: load only files you trust.")
@click.option("--loss", "name", required=True, help="The loss: a function of --loss-file, or a built-in name.")
@click.option("--N", "N", type=Integer(3), required=True, help="Batch size, an integer >= 3.")
@click.option("--d", "d", type=Integer(1), default=None, help="Dimension of gradient descent (default: N).")
@click.option("--param", "items", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the loss (repeatable); decimal values are kept exact.")
@click.option("--digits", type=Integer(MIN_DIGITS, MAX_DIGITS), default=30, show_default=True,
              help="Significant digits of the CCEM optimum (15..10000).")
@click.option("--gd/--no-gd", default=True, show_default=True,
              help="Also run gradient descent on free embeddings.")
@seed_option
@click.option("--restarts", type=Integer(1), default=3, show_default=True)
@click.option("--tol", type=Real(check_positive), default=None, help="Riemannian gradient-norm tolerance of GD.")
@click.option("--max-iter", "max_iter", type=Integer(1), default=None, help="Iteration cap of GD.")
@click.option("--device", default="cpu", show_default=True, help="auto, cpu or cuda.")
@threads_option(default=1)
@click.option("--sweep-param", "sweep_param", default=None, metavar="NAME",
              help="Instead: find where the CCEM regime changes along this parameter.")
@click.option("--range", "sweep_range", default=None, metavar="A:B", help="The interval of --sweep-param.")
@click.option("--points", type=Integer(2), default=200, show_default=True, help="Grid points of the sweep.")
@click.option("--plot", type=OutputFile(FIGURE_SUFFIXES), default=None, metavar="FILE",
              help="Also draw l(x) with x* marked (with --sweep-param: x* along the parameter over "
                   "the regime bands); FILE.png and FILE.pdf are written.")
@click.option("--certificate", type=OutputFile((".json",)), default=None, metavar="FILE",
              help="Write the certificate of ccem_optimal = proof (the Arb covers of its "
                   "inequalities; clverify recheck FILE re-checks it).")
@format_option()
@out_option
def analyse_command(loss_file, name, N, d, items, digits, gd, seed, restarts, tol, max_iter, device,
                    threads, sweep_param, sweep_range, points, plot, certificate, fmt, out):
    """A loss's CCEM restriction, its optimum (certified where the expression allows) and
    regime, and gradient descent on free embeddings; or, with --sweep-param, its regime
    changes along one parameter."""
    params = parse_params(items, given={sweep_param: "--sweep-param"} if sweep_param else {})
    if (sweep_param is None) != (sweep_range is None):
        raise InvalidParameterError("--sweep-param and --range go together (e.g. --sweep-param t "
                                    "--range 0.1:10)")
    if certificate is not None and sweep_param is not None:
        raise InvalidParameterError("--certificate goes with one analysis, not with --sweep-param")
    if plot is not None:   # both files are written: check both before the work
        for suffix in FIGURE_SUFFIXES:
            check_output_file(plot.with_suffix(suffix), name="plot")
    prov = dict(digits=digits, backend=BACKEND, convention=CONVENTION, loss_file=loss_file)
    with redirect_stdout(sys.stderr):     # what a user's loss prints never reaches the records
        loss = _loss(loss_file, name)
        if sweep_param is not None:
            records, extra = _sweep(loss, N, params, sweep_param, sweep_range, points, digits, plot)
            prov.update(extra)
        else:
            from clverify.numerics.analyse import analyse

            with torch_threads(threads) if gd else nullcontext():
                result = analyse(loss, N, d, params, digits=digits, gd=gd, seed=seed, restarts=restarts,
                                 tol=tol, max_iter=max_iter, device=device)
            records = [result.record()]
            prov.update(seed=seed, restarts=restarts, device=device)
            if certificate is not None:
                prov["certificate"] = _write_certificate(result, certificate, prov)
            if plot is not None:
                from clverify.numerics.output.loss_figures import restriction_figure

                prov["plot"] = [str(p) for p in restriction_figure(result, plot, loss)]
    emit(records, fmt, out, **prov)


def _write_certificate(result, path, prov) -> str:
    """Write the certificate of the sufficient condition to ``path``; what was written, or why
    nothing was."""
    cert = result.optimality.certificate
    if cert is None:
        return f"not written: ccem_optimal is {result.ccem_optimal}, not proof"
    from clverify.numerics.output.tables import provenance

    path.write_text(cert.to_json(provenance(precision_bits=cert.bits, loss_file=prov["loss_file"])))
    return str(path)


def _sweep(loss, N, params, sweep_param, sweep_range, points, digits, plot):
    """The records of ``--sweep-param``, and the provenance's ``points``, ``sweep`` (and
    ``plot``)."""
    from clverify.numerics.analyse import track_regimes

    lo, hi = parse_range(sweep_range)
    track = track_regimes(loss, N, sweep_param, lo, hi, params, points=points, digits=digits)
    records = [{"loss_name": c.loss, "N": c.N, "params": c.params, "param": c.param,
                "event": c.event, "value": c.shown, "enclosure": c.enclosure, "below": c.below,
                "above": c.above, "x_below": c.x_below, "x_above": c.x_above,
                "condition": c.condition, "certified": c.certified, "note": c.note} for c in track]
    jumps = sum(c.event == "jump" for c in track)
    extra = {"points": points, "sweep": (
        f"{sweep_param} in [{lo}, {hi}], {points} points: {len(track) - jumps} regime change(s), "
        f"{jumps} jump(s); {track.regimes[0]} at {lo}, {track.regimes[-1]} at {hi}")}
    if plot is not None:
        from clverify.numerics.output.loss_figures import track_figure

        extra["plot"] = [str(p) for p in track_figure(track, plot, loss.name, N)]
    return records, extra
