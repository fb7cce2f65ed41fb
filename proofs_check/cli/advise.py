"""``clverify advise``: what geometry the sigmoid loss wants at a practitioner's (N, t, bias).

A thin adapter over :func:`clverify.numerics.precision.advice.sigmoid_advice`.  ``--convention
siglip`` reads ``--b`` as SigLIP's added ``logit_bias`` (``t s + b``), ``paper`` as a subtracted
bias (``t s - b``).  Bad input is one line on stderr and exit code 2, before any work.
"""

from __future__ import annotations

import click
import mpmath

from clverify.numerics.precision.advice import CONVENTIONS, sigmoid_advice
from clverify.theory.params import check_batch_size, check_digits

from . import main
from .output import OneLineErrorsCommand, emit, out_option

__all__ = ["advise", "advice_record", "advice_text"]

ADVISE_FORMATS = ("text", "json")
_BACKEND = "mpmath (values) + python-flint arb (certified signs and enclosures)"


def advice_record(advice) -> dict:
    """The JSON record of ``clverify advise``."""
    return {
        "N": advice.N, "t": advice.t, "convention": advice.convention,
        "b_paper": advice.b_paper, "b_siglip": advice.b_siglip, "regime": advice.regime,
        "x_star": advice.x_star, "s_pos": advice.s_pos, "s_neg": advice.s_neg,
        "x_star_enclosure": advice.x_star_enclosure,
        "boundary_etf": advice.boundary_etf, "boundary_antipodal": advice.boundary_antipodal,
        "boundary_etf_enclosure": advice.boundary_etf_enclosure,
        "boundary_antipodal_enclosure": advice.boundary_antipodal_enclosure,
        "etf_if_bias": advice.etf_side, "n_etf_max": advice.n_etf_max,
        "nearest_boundary": advice.nearest_boundary, "margin": advice.margin,
        "certified": advice.certified, "note": advice.note or None,
    }


def advice_text(a) -> str:
    """A short paragraph for a practitioner."""
    def f(v, k=6):
        return mpmath.nstr(v, k)

    if a.convention == "siglip":
        given = f"SigLIP bias {f(a.b_siglip)} (added to the logit; b = {f(a.b_paper)} in the papers' convention)"
    else:
        given = f"bias b = {f(a.b_paper)} (subtracted from the logit; SigLIP logit_bias = {f(a.b_siglip)})"
    anti_side = ">=" if a.convention == "siglip" else "<="
    shape = {"etf": "the simplex ETF (u_i = v_i, negatives at -1/(N-1))",
             "antipodal": "the antipodal structure (every u_i.v_j = -1)",
             "intermediate": "an intermediate CCEM between the antipodal structure and the ETF"}[a.regime]
    limit = (a.n_etf_note if a.n_etf_max is None
             else f"the ETF is optimal exactly for batch sizes 3 <= N <= {a.n_etf_max}")
    lines = [
        f"At N = {a.N}, t = {f(a.t)} and {given}, the sigmoid loss is minimised (embedding dimension "
        f"d >= N) by {shape}: x* = delta*^2 = {f(a.x_star, 10)}, positive-pair similarity "
        f"{f(a.s_pos, 10)}, negative-pair similarity {f(a.s_neg, 10)}.",
        f"At this N and t the ETF is optimal iff the bias is {a.etf_side} {f(a.boundary_etf, 10)} and the "
        f"antipodal structure iff it is {anti_side} {f(a.boundary_antipodal, 10)}; your bias is "
        f"{f(a.margin)} from the {a.nearest_boundary} boundary. At this t and bias {limit}.",
        "Every number is certified by ball arithmetic." if a.certified else f"Not certified: {a.note}.",
    ]
    return "\n".join(lines) + "\n"


@main.command(cls=OneLineErrorsCommand)
@click.option("--N", "N", required=True, help="Batch size, an integer >= 3.")
@click.option("--t", "t", required=True, help="Inverse temperature t > 0 (multiplies; SigLIP's exp(logit_scale)).")
@click.option("--b", "b", required=True, help="Bias, in the convention of --convention.")
@click.option("--convention", type=click.Choice(CONVENTIONS), required=True,
              help="siglip: the bias is added to the logit (SigLIP's logit_bias); paper: subtracted.")
@click.option("--digits", default="30", show_default=True, help="Significant decimal digits, 15..10000.")
@click.option("--format", "fmt", type=click.Choice(ADVISE_FORMATS), default="text", show_default=True,
              help="Output format.")
@out_option
def advise(N, t, b, convention, digits, fmt, out):
    """The regime (etf / antipodal / intermediate), optimal similarities, bias boundaries in your
    convention, the largest batch size for which the ETF is optimal, and the margin to the
    nearest boundary, for the sigmoid loss at (N, t, bias)."""
    n, digits = check_batch_size("N", N), check_digits(digits)
    advice = sigmoid_advice(n, t, b, convention=convention, digits=digits)
    if fmt == "json":
        emit([advice_record(advice)], "json", out, digits=digits, backend=_BACKEND,
             convention=f"{convention}: " + ("logit = t s + b" if convention == "siglip" else "logit = t s - b"))
        return
    text = advice_text(advice)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
