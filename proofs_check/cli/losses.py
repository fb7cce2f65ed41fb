"""Koromilas-et-al. loss commands: ``minimum`` (closed-form minima) and ``losses-table`` (docs/losses.md).

Thin adapters over :mod:`clverify.theory.minima` (derivations) and
:func:`clverify.numerics.precision.ccem_optimum.ccem_optimum` (where a loss's optimum sits on the CCEM).
"""

from __future__ import annotations

from pathlib import Path

import click
import sympy as sp

from clverify.numerics.output.tables import provenance
from clverify.numerics.precision.ccem_optimum import ccem_optimum
from clverify.numerics.precision.closed_forms import closed_form_value
from clverify.theory import minima
from clverify.theory.losses import DEFAULT_PARAMETERS, KCL_KERNELS, LOSSES
from clverify.theory.params import MAX_DIGITS, MIN_DIGITS, check_batch_size

from . import main
from .output import Integer, emit, format_option, out_option, write_output

__all__ = ["minimum", "losses_table", "loss_name", "minimum_record", "losses_markdown"]

#: Batch size and sigmoid points at which ``losses-table`` places each optimum on the CCEM.
TABLE_CCEM_N = 10
TABLE_SIGMOID_POINTS = ((0.5, 0.5), (1.0, 1.0), (5.0, 5.0))
#: Significant digits of ``minimum``'s value_decimal by default.
MINIMUM_DIGITS = 30
#: Base losses accepted by ``minimum --loss`` (``kcl`` takes ``--kernel``).
MINIMUM_LOSSES = ("infonce", "infonce-sym", "ntxent", "dcl", "dhel", "dhel-1view", "kcl")


def loss_name(loss: str, kernel: str = "gaussian") -> str:
    """The registered name of ``loss`` with ``kernel`` (``kcl`` + ``log`` -> ``kcl-log``).

    >>> loss_name("kcl", "imq"), loss_name("dhel")
    ('kcl-imq', 'dhel')
    """
    return f"kcl-{kernel}" if loss == "kcl" and kernel != "gaussian" else loss


def minimum_record(loss: str, N: int, structure: str = "simplex", digits: int = MINIMUM_DIGITS,
                   **params) -> dict:
    """One ``minimum`` record: the derived minimum at ``N`` and ``params``, its value to
    ``digits`` significant digits (``value_decimal``, certified by Arb; ``value`` is its
    float64, which may underflow to 0.0; both null with a note when the value cannot be
    resolved) and its closed form in ``M``.

    >>> r = minimum_record("dhel", 4, tau=1)
    >>> r["value_latex"], r["value_decimal"]
    ('- \\\\frac{5}{3} + 2 \\\\log{\\\\left(3 \\\\right)}', '0.530557910669552716123823807178')
    >>> minimum_record("infonce", 5, tau="1e-3", digits=20)["value_decimal"]
    '5.4194799295314776808e-543'
    """
    N = check_batch_size("N", N, 2)
    given = {k: v for k, v in params.items() if v is not None}
    value = minima.minimum_value(loss, N=N, structure=structure, **given)
    symbolic = minima.minimum_value(loss, structure=structure)
    number = closed_form_value(value, digits)
    return {
        "loss": loss, "N": N, "structure": structure, **given,
        "value": float(number.value) if number.resolved else None,
        "value_decimal": number.text, "value_exact": str(value), "value_latex": sp.latex(value),
        "closed_form": str(symbolic), "closed_form_latex": sp.latex(symbolic),
        "note": None if number.resolved else number.reason,
    }


@main.command("minimum")
@click.option("--loss", type=click.Choice(MINIMUM_LOSSES), required=True, help="Loss name.")
@click.option("--N", "N", type=Integer(2), required=True, help="Batch size M.")
@click.option("--tau", default=None, help="Temperature (divides); InfoNCE family and DHEL.")
@click.option("--kernel", type=click.Choice(tuple(KCL_KERNELS)), default="gaussian", show_default=True,
              help="KCL kernel.")
@click.option("--kernel-t", "kernel_t", default=None, help="KCL kernel parameter t.")
@click.option("--gamma", default=None, help="KCL energy weight.")
@click.option("--structure", type=click.Choice(tuple(minima.STRUCTURES)), default="simplex",
              show_default=True, help="Claimed minimiser (cross-polytope: M = 2d, KCL).")
@click.option("--symbolic", is_flag=True, help="Leave unset parameters symbolic instead of defaults.")
@click.option("--digits", type=Integer(MIN_DIGITS, MAX_DIGITS), default=MINIMUM_DIGITS,
              show_default=True, help=f"Significant digits of value_decimal, {MIN_DIGITS}..{MAX_DIGITS}.")
@format_option("md")
@out_option
def minimum(loss, N, tau, kernel, kernel_t, gamma, structure, symbolic, digits, fmt, out):
    """Closed-form minimum of a Koromilas-et-al. loss on its claimed minimiser (derived by SymPy)."""
    name = loss_name(loss, kernel)
    given = {"tau": tau, "t": kernel_t, "gamma": gamma}
    names = minima.parameter_symbols(name)
    defaults = {} if symbolic else DEFAULT_PARAMETERS.get(name, {})
    params = {k: (given[k] if given[k] is not None else defaults.get(k)) for k in names}
    emit([minimum_record(name, N, structure, digits, **params)], fmt, out, digits=digits)


def _ccem_cell(loss: str, params: dict) -> str:
    delta = ccem_optimum(LOSSES[loss], TABLE_CCEM_N, params).delta
    return f"{float(delta):.4f}" + (" (ETF)" if abs(float(delta) - 1) < 1e-6 else "")


def losses_markdown() -> str:
    """The text of ``docs/losses.md``: conventions, then one row per loss (derived values)."""
    prov = provenance()
    lines = [_PREAMBLE.strip(), "",
             "| loss | definition ($S^{uv}_{ij} = u_i\\cdot v_j$, ...) | defaults | minimum on the "
             f"simplex, $1 < M \\le d+1$ | minimiser | CCEM optimum $\\delta^*$ (N={TABLE_CCEM_N}) |",
             "|---|---|---|---|---|---|"]
    for loss in minima.KOROMILAS_LOSSES:
        defaults = DEFAULT_PARAMETERS.get(loss, {})
        value = minima.minimum_value(loss)
        minimiser = "$u_i = v_i$, simplex ETF"
        if loss == "kcl-riesz":
            minimiser += " ($t < 0$ only)"
        lines.append(
            f"| `{loss}` | ${sp.latex(minima.formula(loss))}$ | "
            f"{', '.join(f'{k}={v:g}' for k, v in defaults.items())} | ${sp.latex(value)}$ | "
            f"{minimiser} | {_ccem_cell(loss, {})} |")
    cp = minima.minimum_value("kcl", structure="cross-polytope")
    lines += ["", "KCL (Gaussian) on the cross-polytope $\\{\\pm e_k\\}$, $M = 2d$: "
              f"${sp.latex(cp)}$.", "",
              f"Sigmoid loss on the same CCEM family (N={TABLE_CCEM_N}), for comparison:", "",
              "| t | b | $\\delta^*$ |", "|---|---|---|"]
    for t, b in TABLE_SIGMOID_POINTS:
        lines.append(f"| {t:g} | {b:g} | {_ccem_cell('sigmoid', {'t': t, 'b': b})} |")
    lines += ["", f"Generated by `{prov['command']}` (clverify {prov['version']}, "
              f"git {prov['git_commit']}, sympy {prov['libraries']['sympy']}).", ""]
    return "\n".join(lines)


@main.command("losses-table")
@out_option
def losses_table(out: Path | None):
    """Write the loss catalogue (docs/losses.md): definitions, minima, minimisers, CCEM optima."""
    write_output(losses_markdown(), out)


_PREAMBLE = r"""
# Losses of Koromilas et al. (ICML 2024): definitions, conventions, minima

Generated by `clverify losses-table --out docs/losses.md`; every formula and value below is
derived by SymPy from the one definition of each loss in `theory/losses.py`, the same
definition that the torch backend runs on real embeddings (`tests/unit/test_loss_backends.py`
compares the two backends to 1e-12 relative).

## Conventions

* A batch is M pairs $(u_i, v_i)$ of unit vectors in $\mathbb R^d$ (the CLI's `--N` is M).
  $S^{uv}_{ij} = u_i\cdot v_j$, $S^{uu}_{ij} = u_i\cdot u_j$, $S^{vv}_{ij} = v_i\cdot v_j$.
* `tau` **divides** similarities (default 0.3 for every InfoNCE-type loss here: the DHEL
  authors' default). Every loss is a mean over anchors: 1/M, or 1/(2M) when both views anchor.
* `infonce`: one-sided, anchor $u_i$, negatives $v_j$ only; `infonce-sym` = `infonce(U, V)` +
  `infonce(V, U)` (CLIP; a sum, not a mean, of the two directions).
* `ntxent` (SimCLR): the 2M points, softmax over the 2M - 1 others (positive included).
* `dcl`: as `ntxent` with the positive removed from the denominator (Yeh et al.).
* `dhel`: the authors' `DHEL(include_augs=True)`: alignment plus the log-sum-exp energies of
  **both** views (self-pairs excluded); `dhel-1view` is `include_augs=False` (keyword
  `views=1` of `dhel_loss`).
* `kcl`: `-alignment + gamma * energy` of the authors' `KCL`, with alignment
  $2\,\mathrm{mean}_i K(u_i, v_i)$ and energy $\mathrm{mean}_{i<j}K(u_i,u_j) + \mathrm{mean}_{i<j}K(v_i,v_j)$
  (`torch.pdist`); defaults gamma = 16, t = 2. Kernels of the squared distance $|x-y|^2$
  (from the vectors in the torch backend; $2 - 2 x\cdot y$ for unit vectors in the formulas below):
  gaussian $e^{-t|x-y|^2}$; log $-\log(1 + t|x-y|^2)$; imq $t/\sqrt{t^2 + |x-y|^2}$
  (the code's `c` is `t`); riesz $\mathrm{sign}(t)|x-y|^{-t}$ (the code's `s` is `t`).
  **Differences from the public code:** its log-kernel *energy* carries an extra factor 1/2
  (`-0.5 * log(...)`) that its alignment does not, i.e. the code's `kcl-log` equals ours with
  gamma/2; its riesz default t = 2 > 0 makes $-2K(u_i, v_i) \to -\infty$ as $v_i \to u_i$
  (unbounded below), so `kcl-riesz` needs t < 0 here (default -1; non-smooth at u = v, GD
  does not reach 1e-7 there). The code's `gaussian_riesz` variant is not implemented.
* Hyperspherical energies $E_K(U) = \sum_{i\ne j} K(u_i, u_j)$ (`hyperspherical_energy`): riesz
  $|x-y|^{-t}$, log $-\log|x-y|$, gaussian $e^{-t|x-y|^2}$.

## Loss catalogue
"""
