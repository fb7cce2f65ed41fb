"""Sigmoid-loss theory commands: ``thresholds``, ``phase``, ``optimum``, ``derive``.

Thin adapters over :mod:`clverify.numerics.precision.thresholds`, :mod:`clverify.numerics.precision.ccem_optimum` and
:mod:`clverify.theory.derivation`.  ``--N`` and ``--t`` take several values after one flag
(``--N 7 23 311``).  Every bad input, including a value click itself rejects, becomes one line
``clverify: error: <name> must be <range>, got <value>`` and exit code 2.
"""

from __future__ import annotations

import re
import sys

import click
import mpmath
from tqdm import tqdm

from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.real_input import RealInput
from clverify.numerics.precision.thresholds import (
    antipodal_boundary_b,
    antipodal_threshold_tb,
    etf_boundary_b,
    etf_threshold_tb,
)
from clverify.theory import derivation
from clverify.theory.errors import InvalidParameterError
from clverify.theory.params import MAX_DIGITS, MIN_DIGITS, check_batch_size, check_choice, check_digits

from . import main
from .output import Integer, emit, format_option, multi_value_command, out_option, write_output

__all__ = ["thresholds", "phase", "optimum", "derive", "threshold_records", "optimum_record"]

#: Backend named in every table's provenance.
BACKEND = "mpmath (values) + python-flint arb (certified enclosures)"
#: Most values of N one ``--N-range`` may ask for (a table of a million rows, hours of work).
MAX_RANGE = 1_000_000
#: Losses ``derive`` knows.
DERIVE_LOSSES = ("sigmoid",)
DERIVE_FORMATS = ("text", "latex", "json")

def _command(*multi: str, **kwargs):
    return main.command(cls=multi_value_command(*multi), **kwargs)


def _batch_sizes(values, n_range) -> list[int]:
    """The batch sizes ``--N`` and ``--N-range`` ask for (each checked), sorted, once each."""
    sizes = [check_batch_size("N", v) for v in values]
    if n_range is not None:
        match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", n_range)
        if (not match or int(match[1]) < 3 or int(match[1]) > int(match[2])
                or int(match[2]) - int(match[1]) >= MAX_RANGE):
            raise InvalidParameterError(
                f"N-range must be A:B with integers 3 <= A <= B < A + {MAX_RANGE} (inclusive), "
                f"got {n_range!r}")
        sizes += range(int(match[1]), int(match[2]) + 1)
    if not sizes:
        raise InvalidParameterError("N must be given (--N 10 or --N-range 4:100), got nothing")
    return sorted(set(sizes))


def _digits(text) -> int:
    """``--digits`` of a command that takes it as text (``certify``)."""
    return check_digits(text)


def _bar(items, quiet: bool, desc: str):
    return tqdm(items, desc=desc, file=sys.stderr, disable=quiet or not sys.stderr.isatty())


def _certified(*enclosures) -> bool:
    return all(e.certified for e in enclosures if e is not None)


def _notes(*parts) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text or None


def _uncertified_reasons(**enclosures) -> list[str]:
    return [f"{name} not certified: {e.reason}" for name, e in enclosures.items()
            if e is not None and not e.certified]


CONVENTION = "t multiplies, b is subtracted (SigLIP's bias is -b), loss normalised by 1/N"
THRESHOLD_CONVENTION = CONVENTION + "; thresholds on t = b"


def threshold_records(sizes, digits: int, quiet: bool = True) -> list[dict]:
    """Rows of ``clverify thresholds``: t_etf, t_antipodal and their enclosures per N."""
    records = []
    for n in _bar(sizes, quiet, "thresholds"):
        etf, anti = etf_threshold_tb(n, digits), antipodal_threshold_tb(n, digits)
        reasons = _uncertified_reasons(t_etf=etf.enclosure, t_antipodal=anti.enclosure)
        records.append({
            "N": n, "t_etf": etf.value, "t_antipodal": anti.value,
            "t_etf_enclosure": etf.enclosure, "t_antipodal_enclosure": anti.enclosure,
            "certified": _certified(etf.enclosure, anti.enclosure),
            "note": _notes(etf.note, anti.note, *reasons),
        })
    return records


def optimum_record(N: int, t, b, digits: int) -> dict:
    """The row of ``clverify optimum`` (``loss`` null where it is not resolved to ``digits``
    digits; ``certificate`` then says so)."""
    opt = sigmoid_optimum(N, t, b, digits=digits)
    with mpmath.workdps(digits):
        t, b = (+RealInput.finite(name, v).mpf() for name, v in (("t", t), ("b", b)))
    return {
        "N": opt.N, "t": t, "b": b, "regime": opt.regime, "x": opt.x,
        "delta": opt.delta, "s_pos": opt.s_pos, "s_neg": opt.s_neg, "loss": opt.value,
        "x_enclosure": opt.x_enclosure, "certified": opt.certified, "certificate": opt.note,
    }


_N_OPTION = click.option("--N", "N", type=Integer(3), multiple=True, metavar="N...",
                         help="Batch sizes (integers >= 3); several values may follow one flag.")
_DIGITS_OPTION = click.option("--digits", type=Integer(MIN_DIGITS, MAX_DIGITS), default=50,
                              show_default=True,
                              help="Significant decimal digits, 15..10000.")
_QUIET_OPTION = click.option("--quiet", is_flag=True, help="No progress bar.")


@_command("--N")
@_N_OPTION
@click.option("--N-range", "n_range", default=None, metavar="A:B",
              help="Also every N in A..B (inclusive), e.g. 4:1000.")
@_DIGITS_OPTION
@_QUIET_OPTION
@format_option(default="md")
@out_option
def thresholds(N, n_range, digits, quiet, fmt, out):
    """Thresholds on t = b: the ETF is optimal iff t >= t_etf, the antipodal structure iff
    t <= t_antipodal (null with a note where that regime is empty)."""
    sizes = _batch_sizes(N, n_range)
    emit(threshold_records(sizes, digits, quiet), fmt, out, digits=digits, backend=BACKEND,
         convention=THRESHOLD_CONVENTION)


@_command("--N", "--t")
@_N_OPTION
@click.option("--t", "t_values", multiple=True, required=True, metavar="T...",
              help="Inverse temperatures t > 0; several values may follow one flag.")
@_DIGITS_OPTION
@_QUIET_OPTION
@format_option(default="md")
@out_option
def phase(N, t_values, digits, quiet, fmt, out):
    """Phase boundaries in b at fixed (N, t): the ETF is optimal iff b >= b_etf, the
    antipodal structure iff b <= b_antipodal."""
    sizes = _batch_sizes(N, None)
    records = []
    for n, t in _bar([(n, t) for n in sizes for t in t_values], quiet, "phase"):
        etf, anti = etf_boundary_b(n, t, digits), antipodal_boundary_b(n, t, digits)
        reasons = _uncertified_reasons(b_etf=etf.enclosure, b_antipodal=anti.enclosure)
        records.append({
            "N": n, "t": etf.t, "b_etf": etf.value, "b_antipodal": anti.value,
            "b_etf_enclosure": etf.enclosure, "b_antipodal_enclosure": anti.enclosure,
            "certified": _certified(etf.enclosure, anti.enclosure),
            "note": _notes(*reasons),
        })
    emit(records, fmt, out, digits=digits, backend=BACKEND, convention=CONVENTION)


@_command()
@click.option("--N", "N", type=Integer(3), required=True, help="Batch size, an integer >= 3.")
@click.option("--t", "t", required=True, help="Inverse temperature t > 0 (multiplies).")
@click.option("--b", "b", required=True, help="Bias b (subtracted from the logit; SigLIP's is -b).")
@_DIGITS_OPTION
@format_option(default="md")
@out_option
def optimum(N, t, b, digits, fmt, out):
    """The optimal CCEM at (N, t, b): regime, x = delta^2, delta, similarities, loss and a
    certified enclosure of x."""
    emit([optimum_record(N, t, b, digits)], fmt, out, digits=digits, backend=BACKEND,
         convention=CONVENTION)


_LATEX_LHS = {
    "L(delta)": r"L(\delta)",
    "dL/ddelta": r"\frac{dL}{d\delta}",
    "d2L/ddelta2": r"\frac{d^2L}{d\delta^2}",
    "l(x)": r"\ell(x)",
    "l'(x)": r"\ell'(x)",
    "l''(x)": r"\ell''(x)",
    "etf_condition l'(1)": r"\ell'(1)",
    "antipodal_condition l'(0)": r"\ell'(0)",
    "t_etf (b = t)": r"t_E(N)",
    "t_antipodal (b = t)": r"t_A(N)",
    "b_etf(N, t)": r"b_E(N, t)",
    "b_antipodal(N, t)": r"b_A(N, t)",
    "x_limit (t -> oo, fixed b)": r"\lim_{t\to\infty} x^*",
}


def derivation_text(fmt: str) -> str:
    """``clverify derive`` output for the sigmoid loss in ``fmt`` (text or latex)."""
    formulas = derivation.sigmoid_derivation()
    convex, why = derivation.check_ccem_loss_strictly_convex()
    if fmt == "latex":
        lines = []
        for name, expr in formulas.items():
            lhs = _LATEX_LHS.get(name, r"\text{" + name + "}")
            lines += [f"% {name}", f"$$ {lhs} = {derivation.to_latex(expr)} $$", ""]
        lines.append(f"% strictly convex in x for N >= 3, t > 0 (symbolic certificate): {convex}")
        return "\n".join(lines) + "\n"
    lines = [f"{name}: {expr}" for name, expr in formulas.items()]
    lines.append(f"strictly convex in x (N >= 3, t > 0): {convex}{' (' + why + ')' if why else ''}")
    return "\n".join(lines) + "\n"


@_command()
@click.option("--loss", default="sigmoid", show_default=True, help="Loss to derive (sigmoid).")
@format_option(default="text", choices=DERIVE_FORMATS)
@out_option
def derive(loss, fmt, out):
    """Print the SymPy derivation on the CCEM: L(delta) and its derivatives, l(x), l'(x),
    l''(x), the regime conditions, thresholds, boundaries and the fixed-b limit."""
    check_choice("loss", loss, DERIVE_LOSSES)
    if fmt == "json":
        convex, _ = derivation.check_ccem_loss_strictly_convex()
        records = [{"name": name, "sympy": str(expr), "latex": derivation.to_latex(expr)}
                   for name, expr in derivation.sigmoid_derivation().items()]
        emit(records, "json", out, loss=loss, strictly_convex_in_x=convex, backend="sympy")
        return
    write_output(derivation_text(fmt), out)
