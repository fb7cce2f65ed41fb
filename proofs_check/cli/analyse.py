"""``clverify analyse``: a loss (built in, or a user's file) end to end.

A thin adapter over :func:`clverify.numerics.analyse.analyse` (the CCEM restriction, its
optimum and regime, gradient descent on free embeddings) and
:func:`clverify.numerics.analyse.sweep` (where the regime changes along one parameter).
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
from .output import (
    Integer,
    Real,
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
              help="A Python file defining NAME(grams, ops, **params) (default: a built-in loss).")
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
@format_option()
@out_option
def analyse_command(loss_file, name, N, d, items, digits, gd, seed, restarts, tol, max_iter, device,
                    threads, sweep_param, sweep_range, points, fmt, out):
    """A loss's CCEM restriction, its optimum (certified where the expression allows) and
    regime, and gradient descent on free embeddings; or, with --sweep-param, its regime
    changes along one parameter."""
    params = parse_params(items, given={sweep_param: "--sweep-param"} if sweep_param else {})
    if (sweep_param is None) != (sweep_range is None):
        raise InvalidParameterError("--sweep-param and --range go together (e.g. --sweep-param t "
                                    "--range 0.1:10)")
    prov = dict(digits=digits, backend=BACKEND, convention=CONVENTION, loss_file=loss_file)
    with redirect_stdout(sys.stderr):     # what a user's loss prints never reaches the records
        loss = _loss(loss_file, name)
        if sweep_param is not None:
            records, prov["points"], prov["sweep"] = _sweep(loss, N, params, sweep_param, sweep_range, points,
                                                            digits)
        else:
            from clverify.numerics.analyse import analyse

            with torch_threads(threads) if gd else nullcontext():
                records = [analyse(loss, N, d, params, digits=digits, gd=gd, seed=seed, restarts=restarts,
                                   tol=tol, max_iter=max_iter, device=device).record()]
            prov.update(seed=seed, restarts=restarts, device=device)
    emit(records, fmt, out, **prov)


def _sweep(loss, N, params, sweep_param, sweep_range, points, digits):
    """The records of ``--sweep-param``, and the provenance's ``points`` and ``sweep``."""
    from clverify.numerics.analyse import analyse, sweep

    lo, hi = parse_range(sweep_range)
    changes = sweep(loss, N, sweep_param, lo, hi, params, points=points, digits=digits)
    records = [{"loss_name": c.loss, "N": c.N, "params": c.params, "param": c.param,
                "value": c.value, "enclosure": c.enclosure, "below": c.below,
                "above": c.above, "condition": c.condition, "certified": c.certified,
                "note": c.note} for c in changes]
    ends = [analyse(loss, N, params={**params, sweep_param: v}, digits=digits, gd=False).regime
            for v in (lo, hi)]
    return records, points, (f"{sweep_param} in [{lo}, {hi}], {points} points: {len(changes)} regime "
                             f"change(s); {ends[0]} at {lo}, {ends[1]} at {hi}")
