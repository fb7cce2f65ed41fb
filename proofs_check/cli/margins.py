"""``clverify margins``: trainable temperature and bias, and the margin of what they reach.

A thin adapter over :func:`clverify.numerics.descent.trainable.train_sigmoid`: one run per seed and
starting point (``--t0`` x ``--b-rel``), and for each run both margin quantities of its final
similarities, the half gap ``m*`` (the paper's margin) and the full gap ``2 m*`` (what the paper's
App. D tables print), so that a table can be compared with either (docs/discrepancies.md).
"""

from __future__ import annotations

import math
import statistics

import click

from clverify.numerics.descent.memory import memory_limit
from clverify.numerics.descent.trainable import PAPER_ADAM_LR, TRAINABLE_LOSSES, TRAINABLE_OPTIMIZERS, train_sigmoid
from clverify.theory.params import check_batch_size, check_finite, check_positive, check_seed, to_float64

from . import main
from .output import (
    emit,
    format_option,
    max_memory_option,
    multi_value_command,
    out_option,
    threads_option,
    torch_threads,
)

__all__ = ["margins", "run_records", "summary_records"]


def _int(name, text, minimum):
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = text
    return check_batch_size(name, value, minimum)


def _finite(row: dict) -> dict:
    """Non-finite floats (a diverged run) as None, so that JSON stays strict."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


def run_records(runs) -> list[dict]:
    """One row per run: the start, the final t and relative bias, both margins, the loss."""
    return [_finite({
        "t0": r.settings["t0"], "b_rel0": r.settings["bias0"], "seed": r.seed, "t": r.t, "b_rel": r.b_rel,
        "half_gap": r.margin, "full_gap": r.full_gap, "b_rel_star": r.b_rel_star,
        "min_pos": r.min_pos, "max_neg": r.max_neg, "loss": r.loss, "loss_per_pair": r.loss_per_pair,
        "steps": r.steps, "stopped": r.stopped,
    }) for r in runs]


def summary_records(rows: list[dict]) -> list[dict]:
    """Per start (t0, b_rel0): mean and sample standard deviation over the seeds."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["t0"], row["b_rel0"]), []).append(row)
    out = []
    for (t0, b0), members in groups.items():
        record = {"t0": t0, "b_rel0": b0, "seeds": len(members)}
        for key in ("t", "b_rel", "half_gap", "full_gap", "loss_per_pair"):
            values = [m[key] for m in members if m[key] is not None]
            if not values:
                record[f"{key}_mean"] = record[f"{key}_std"] = None
                continue
            record[f"{key}_mean"] = statistics.fmean(values)
            record[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        out.append(record)
    return out


@main.command(cls=multi_value_command("--b-rel", "--t0", "--seeds"))
@click.option("--N", "N", default="100", show_default=True, help="Pairs (the paper's App. D: 100).")
@click.option("--d", "d", default="10", show_default=True, help="Dimension (the paper's App. D: 10).")
@click.option("--b-rel", "b_rel", multiple=True, metavar="B...", help="Starting relative bias(es) b/t; default 0.")
@click.option("--t0", "t0", multiple=True, metavar="T...", help="Starting t (> 0); default 10.")
@click.option("--seeds", multiple=True, metavar="S...", help="Seeds (one run per seed and start); default 0.")
@click.option("--train-b-rel", is_flag=True, help="Train the relative bias too (default: fixed).")
@click.option("--fixed-t", is_flag=True, help="Keep t fixed (default: trained as t = exp(t')).")
@click.option("--steps", default="10000", show_default=True, help="Step budget.")
@click.option("--optimizer", type=click.Choice(TRAINABLE_OPTIMIZERS), default="adam", show_default=True)
@click.option("--lr", default=None, help=f"Learning rate (default {PAPER_ADAM_LR} for Adam, 1 for L-BFGS).")
@click.option("--loss", type=click.Choice(TRAINABLE_LOSSES), default="stable", show_default=True,
              help="stable: exact softplus; clamped: the authors' code's -log(sigmoid + 1e-8).")
@click.option("--summary", is_flag=True, help="One row per start: mean and std over the seeds.")
@max_memory_option
@threads_option(default=1)
@format_option(default="md")
@out_option
def margins(N, d, b_rel, t0, seeds, train_b_rel, fixed_t, steps, optimizer, lr, loss, summary, max_memory,
            threads, fmt, out):
    """Gradient descent over (U, V, t, b_rel) from seeded uniform starts (float64, Adam by default,
    as in Bangachev et al.'s App. D); for each run both the half gap m* (the paper's margin) and
    the full gap 2 m*."""
    n, dim, budget = _int("N", N, 2), _int("d", d, 1), _int("steps", steps, 1)
    biases = [to_float64("b_rel", check_finite("b_rel", v)) for v in (b_rel or ("0",))]
    temps = [to_float64("t0", check_positive("t0", v)) for v in (t0 or ("10",))]
    seed_list = [check_seed("seeds", v) for v in (seeds or ("0",))]
    rate = None if lr is None else to_float64("lr", check_positive("lr", lr))
    starts = [(t, b, s) for t in temps for b in biases for s in seed_list]
    with torch_threads(threads):
        runs = train_sigmoid(n, dim, t0=[t for t, _, _ in starts], b_rel=[b for _, b, _ in starts], relative=True,
                             train_t=not fixed_t, train_bias=train_b_rel, optimizer=optimizer, lr=rate,
                             steps=budget, seeds=[s for _, _, s in starts], loss=loss,
                             max_memory=memory_limit(max_memory))
    rows = run_records(runs)
    emit(summary_records(rows) if summary else rows, fmt, out, N=n, d=dim, optimizer=optimizer,
         lr=runs[0].settings["lr"], loss=loss, steps=budget, train_t=not fixed_t, train_b_rel=train_b_rel,
         margin_cap=n / (2 * (n - 1)),
         convention="logit t (s - b_rel), b subtracted; half_gap = m* = (min s_ii - max s_ij)/2, full_gap = 2 m*; "
                    "loss with 1/N, loss_per_pair = loss / N (the authors' mean)")
