"""Gradient-descent commands: ``gd``, ``bench sweep``, ``figure``, ``gap-table``.

Thin adapters over :mod:`clverify.numerics.descent.optimise` (batched L-BFGS on the sphere),
:mod:`clverify.numerics.descent.compare` (loss gap and Gram distance to the theory optimum),
:mod:`clverify.numerics.descent.encoder` and :mod:`clverify.numerics.output.figures`.  torch is imported inside the
commands, so ``clverify --help`` stays fast.
"""

from __future__ import annotations

import math
import sys
import time
from contextlib import redirect_stdout

import click

from clverify.theory.errors import InvalidParameterError
from clverify.theory.loss_files import load_loss, run_user_code
from clverify.theory.losses import Loss
from clverify.theory.params import check_batch_size, check_positive, to_float64

from . import main
from .output import (
    Integer,
    OutputFile,
    Real,
    check_output_file,
    emit,
    format_option,
    max_memory_option,
    out_option,
    parse_params,
    seed_option,
    threads_option,
    torch_threads,
)

#: Half-width of the band around the regime thresholds excluded from ``max_abs_s_error``.
THRESHOLD_BAND = 0.02
#: Grid of ``bench sweep --quick``: a subset of the paper's N (all ten t = b values each).
BENCH_QUICK_N = (4, 6, 8, 10, 12, 16, 20, 30)
#: ``figure`` writes its figure in both formats, beside each other.
FIGURE_SUFFIXES = (".png", ".pdf")
#: Iteration cap of ``gd`` (:data:`clverify.numerics.descent.lbfgs.DEFAULT_MAX_ITER`, written
#: out here so that ``clverify --help`` does not import torch).
MAX_ITER = 50000
#: ``gd`` prints its time estimate when a typical run would take longer than this (seconds).
ESTIMATE_ABOVE = 60.0
#: Iterations of a typical run, for the estimate: the order of the counts measured (up to 206
#: on the paper's grid, 36 to 1848 for the N = 100 rows and over 2000 for N = 1000 in
#: docs/experiments.md, up to 17892 on its 50-cell grid at d = 4); the cap bounds the rest.
TYPICAL_ITERATIONS = 1000
#: Evaluations of the loss and its gradient per L-BFGS iteration (1.0 at N = 4000, as issue 21
#: measured: the first trial step is almost always accepted).
EVALUATIONS_PER_ITERATION = 1.0


_tol_option = click.option("--tol", type=Real(check_positive), default=1e-9, show_default=True,
                           help="Stop when the Riemannian gradient norm is <= tol * min(1, the "
                           "loss's scale) and the last step is below 1e-8 (see docs/cli.md).")


def _device_option(f):
    return click.option("--device", default="auto", show_default=True,
                        help="auto, cpu or cuda.")(f)


@main.command("gd")
@click.option("--N", "N", type=Integer(2), required=True, help="Number of pairs.")
@click.option("--d", "d", type=Integer(1), default=None,
              help="Dimension (default: N); d = 1 is solved exactly, by enumeration (small N).")
@click.option("--loss-file", "loss_file", default=None, metavar="FILE",
              help="A Python file defining the loss --loss names (as for analyse); it runs as "
                   "Python code, as an import would.")
@click.option("--loss", default="sigmoid", show_default=True,
              help="A loss of clverify.numerics.descent.torch_losses.TORCH_LOSSES, or a function "
                   "of --loss-file.")
@click.option("--t", "t", default=None, help="Inverse temperature (multiplies).")
@click.option("--b", "b", default=None, help="Bias (subtracted from the logit).")
@click.option("--tau", default=None, help="Temperature (divides).")
@click.option("--param", "extra", multiple=True, metavar="NAME=VALUE",
              help="Any other parameter of the loss (repeatable).")
@seed_option
@click.option("--restarts", type=Integer(1), default=3, show_default=True)
@_device_option
@_tol_option
@click.option("--max-iter", type=Integer(1), default=MAX_ITER, show_default=True)
@click.option("--max-seconds", type=Real(check_positive), default=None,
              help="Stop after this many seconds of descent: converged false, with the reason "
              "(the batched optimizer only).")
@click.option("--optimizer", type=click.Choice(["batched", "torch-lbfgs"]), default="batched",
              show_default=True, help="The batched Riemannian L-BFGS, or torch.optim.LBFGS with "
              "strong-Wolfe line search on Z/|Z| (a cross-check; stalls near grad norm 1e-8).")
@max_memory_option
@threads_option()
@format_option()
@out_option
def gd_command(N, d, loss_file, loss, t, b, tau, extra, seed, restarts, device, tol, max_iter,
               max_seconds, optimizer, max_memory, threads, fmt, out):
    """Minimise a loss over free unit embeddings (U, V) and compare with the theory optimum.
    What a loss of --loss-file prints goes to stderr; its failures are one line.  Where the run
    may be long, a line on stderr estimates its time as it starts (from the first evaluations
    of the loss and its gradient); --max-seconds bounds it."""
    with redirect_stdout(sys.stderr):   # what a user's loss prints never reaches the records
        loaded = None if loss_file is None else load_loss(loss_file, loss)
        record, prov = _gd(N, d, loaded or loss, t, b, tau, extra, seed, restarts, device, tol,
                           max_iter, max_seconds, optimizer, max_memory, threads)
    emit([record], fmt, out, loss_file=loss_file, **prov)


def _gd(N, d, loss, t, b, tau, extra, seed, restarts, device, tol, max_iter, max_seconds, optimizer,
        max_memory, threads):
    """The record of ``gd`` and its provenance (``loss``: a built-in name or a user's Loss)."""
    from clverify.numerics.descent.baselines import optimise_torch_lbfgs
    from clverify.numerics.descent.compare import (
        gram_distance,
        loss_gap,
        structure_unresolved,
        theory_optimum,
    )
    from clverify.numerics.descent.discrete import minimise_s0
    from clverify.numerics.descent.lbfgs import DEFAULT_HISTORY
    from clverify.numerics.descent.memory import check_memory, comparison_estimate, memory_limit
    from clverify.numerics.descent.optimise import check_loss_params, optimise_embedding, resolve_device

    with torch_threads(threads):
        device = str(resolve_device(device))
        params = {k: v for k, v in (("t", t), ("b", b), ("tau", tau)) if v is not None}
        params.update(parse_params(extra, given={k: f"--{k}" for k in params}))
        d = N if d is None else d
        if isinstance(loss, Loss):   # runs once symbolically and on explicit CCEM vectors
            from clverify.numerics.analyse import checked

            checked(loss, params)
        _, params = check_loss_params(loss, params)
        if max_seconds is not None and optimizer != "batched":
            raise InvalidParameterError("max_seconds: --max-seconds needs --optimizer batched")
        if isinstance(loss, Loss) and optimizer != "batched":
            raise InvalidParameterError("optimizer must be batched for a loss of --loss-file, got "
                                        f"{optimizer!r}")
        limit = memory_limit(max_memory)
        comparison = comparison_estimate(N)
        if d == 1:
            res = run_user_code(loss, "torch", lambda: minimise_s0(N, loss=loss, **params))
            method = "enumeration"
        else:
            method = optimizer
            if optimizer == "batched":    # checks its memory (blocked or dense) itself
                res = run_user_code(loss, "torch", lambda: optimise_embedding(
                    N, d, loss=loss, seed=seed, restarts=restarts, tol=tol, max_iter=max_iter,
                    device=device, max_memory=limit, max_seconds=max_seconds,
                    timing=lambda s: _print_estimate(s, max_iter, max_seconds), **params))
            else:
                check_memory(N, d, problems=restarts, history=DEFAULT_HISTORY, limit=limit)
                res = optimise_torch_lbfgs(N, d, loss=loss, seeds=seed, restarts=restarts,
                                           tol=tol, max_iter=max_iter, device=device, **params)[0]
        user = isinstance(loss, Loss)
        theory = theory_optimum(loss, N, d, **params) if comparison <= limit and not user else None
        name = loss.name if user else loss
        record = {"loss_name": name, "N": N, "d": d, **params, "method": method, "loss": res.loss}
        notes, reason, saturated = [], res.reason, res.saturated
        if d == 1:
            notes.append(f"d = 1: S^0 = {{-1, 1}} is discrete; the exact minimum over all "
                         f"{res.iterations} sign patterns (up to relabelling the pairs)")
        if theory is None:
            record.update(theory_loss=None, loss_gap=None, gram_distance=None)
            notes.append(f"theory comparison skipped: its N x N Gram matrices need about "
                         f"{comparison:.2g} bytes; the limit is {limit:.2g} (--max-memory)"
                         if comparison > limit else
                         "a loss of --loss-file: its CCEM optimum and the comparison are clverify "
                         "analyse's (same --loss-file, --loss)" if user else
                         f"no known theory optimum for loss {loss!r} at N={N}")
        else:
            distance = gram_distance(res.U, res.V, theory.grams) if theory.attained else None
            record.update(theory_loss=theory.loss, theory_loss_decimal=theory.loss_exact,
                          loss_gap=loss_gap(res.loss, theory), gram_distance=distance,
                          theory_structure=theory.structure, regime=theory.regime)
            notes.append(theory.note)
            unresolved = structure_unresolved(res, theory, distance) if res.converged else ""
            if unresolved:
                saturated, reason = True, unresolved
        record.update(
            s_pos_mean=res.s_pos_mean, s_pos_std=res.s_pos_std, s_neg_mean=res.s_neg_mean,
            s_neg_std=res.s_neg_std, grad_norm=res.grad_norm,
            converged=res.converged and not saturated, saturated=saturated, reason=reason or None,
            iterations=res.iterations, seconds=res.seconds, seed=res.seed, restarts=restarts,
            note="; ".join(n for n in notes if n) or None,
        )
    return record, dict(seed=seed, device=device, tol=tol, optimizer=optimizer, max_iter=max_iter,
                        max_seconds=max_seconds)


def _duration(seconds: float) -> str:
    """``seconds`` as a short readable duration.

    >>> _duration(42.0), _duration(4000.0), _duration(10000.0), _duration(200000.0)
    ('42 s', '67 min', '2.8 h', '2.3 days')
    """
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _print_estimate(evaluation: float, max_iter: int, max_seconds: float | None) -> None:
    """One line on stderr: the measured seconds of one evaluation of the loss and its gradient
    (all restarts; measured on the first evaluations), and what :data:`TYPICAL_ITERATIONS` and
    the cap ``max_iter`` would take at :data:`EVALUATIONS_PER_ITERATION`; only when the typical
    run would take over :data:`ESTIMATE_ABOVE`."""
    per_iteration = evaluation * EVALUATIONS_PER_ITERATION
    typical = min(TYPICAL_ITERATIONS, max_iter)
    if per_iteration * typical <= ESTIMATE_ABOVE:
        return
    limit = ("" if max_seconds is None else
             f"; --max-seconds stops it after {_duration(max_seconds)}")
    click.echo(f"clverify: gd: one evaluation of the loss and its gradient took {evaluation:.3g} s; "
               f"a typical run of {typical} iterations takes about {_duration(per_iteration * typical)}, "
               f"the cap of {max_iter} (--max-iter) about {_duration(per_iteration * max_iter)}{limit}",
               err=True)


@main.group("bench")
def bench():
    """Benchmarks (timings are measurements, not tests)."""


def _paper_grid(quick: bool):
    from clverify.numerics.output.figures import PAPER_N, PAPER_T

    return (BENCH_QUICK_N if quick else PAPER_N), PAPER_T


def _theory_s(Ns, ts, progress):
    """s*(N, t = b) and whether (N, t) is within THRESHOLD_BAND of t_E(N) or t_A(N)."""
    from clverify.numerics.output.figures import theory_s_pos, thresholds_tb

    s_star, near = {}, {}
    for N in progress(Ns, "theory"):
        tE, tA = thresholds_tb(N)
        for t in ts:
            s_star[N, t] = theory_s_pos(N, t, t)
            near[N, t] = any(v is not None and abs(t - v) <= THRESHOLD_BAND for v in (tE, tA))
    return s_star, near


def _max_error(results, s_star, near):
    errs = [abs(r.s_pos_mean - s_star[r.N, r.params["t"]]) for r in results
            if not near[r.N, r.params["t"]]]
    return max(errs) if errs else None


@bench.command("sweep")
@click.option("--quick", is_flag=True, help=f"Subset N in {BENCH_QUICK_N} (about a minute); no scipy.")
@_device_option
@click.option("--restarts", type=Integer(1), default=1, show_default=True)
@_tol_option
@click.option("--max-iter", type=Integer(1), default=2000, show_default=True)
@click.option("--scipy/--no-scipy", "with_scipy", default=None,
              help="Time the scipy L-BFGS-B loop (default: yes, except with --quick).")
@threads_option(default=1)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@format_option()
@out_option
def bench_sweep(quick, device, restarts, tol, max_iter, with_scipy, threads, quiet, fmt, out):
    """Batched L-BFGS vs its per-configuration loop (and scipy) on the paper's grid, d = N.

    The batched run gets the whole grid in one call; the loop solves one configuration
    at a time.  Wall and process CPU seconds are both reported (CPU time is less
    sensitive to other processes on the machine)."""
    from tqdm import tqdm

    from clverify.numerics.descent.baselines import optimise_loop, optimise_scipy
    from clverify.numerics.descent.optimise import optimise_batch, resolve_device, size_groups

    with torch_threads(threads):
        dev = resolve_device(device)
        with_scipy = (not quick) if with_scipy is None else with_scipy
        Ns, ts = _paper_grid(quick)

        def progress(it, desc):
            return tqdm(it, desc=desc, disable=quiet, leave=False)

        s_star, near = _theory_s(Ns, ts, progress)
        kw = dict(restarts=restarts, tol=tol, max_iter=max_iter)
        grid_N = [N for N in Ns for _ in ts]          # every configuration of the grid
        grid_t = [t for _ in Ns for t in ts]
        timings, cpu, results = {}, {}, {}
        # batched: the whole grid in one call (padded, in size_groups(...) batches);
        # loop and scipy: one configuration at a time, same starts and criterion.
        runs = [("batched", [None], lambda _: optimise_batch(
                    grid_N, grid_N, t=grid_t, b=grid_t, device=str(dev.type), **kw)),
                ("loop", Ns, lambda N: optimise_loop(
                    N, N, t=list(ts), b=list(ts), device=str(dev.type), **kw))]
        if with_scipy:
            runs.append(("scipy", Ns, lambda N: optimise_scipy(N, N, t=list(ts), b=list(ts), **kw)))
        for name, items, run in runs:
            start, start_cpu = time.perf_counter(), time.process_time()
            results[name] = [r for item in progress(items, name) for r in run(item)]
            timings[name] = time.perf_counter() - start
            cpu[name] = time.process_time() - start_cpu
        batched = results["batched"]
        record = {
            "configurations": len(batched), "restarts": restarts, "device": str(dev),
            "threads": threads, "tol": tol,
            "batched_seconds": timings["batched"], "loop_seconds": timings["loop"],
            "scipy_seconds": timings.get("scipy"),
            "speedup": timings["loop"] / timings["batched"],
            "speedup_vs_scipy": timings["scipy"] / timings["batched"] if with_scipy else None,
            "batched_cpu_seconds": cpu["batched"], "loop_cpu_seconds": cpu["loop"],
            "speedup_cpu": cpu["loop"] / cpu["batched"],
            "batches": len(size_groups(grid_N, grid_N, restarts)),
            "max_abs_s_error": _max_error(batched, s_star, near),
            "loop_max_abs_s_error": _max_error(results["loop"], s_star, near),
            "scipy_max_abs_s_error": _max_error(results["scipy"], s_star, near) if with_scipy else None,
            "converged": sum(r.converged for r in batched),
            "max_iterations": max(r.iterations for r in batched),
            "excluded_near_threshold": sum(near.values()),
            "grid": f"N in {Ns[0]}..{Ns[-1]} ({len(Ns)} values), t = b in linspace(0.1, 5, 10), d = N",
        }
        emit([record], fmt, out, device=str(dev), restarts=restarts, tol=tol)


@main.command("figure")
@click.option("--out", type=OutputFile(FIGURE_SUFFIXES), required=True,
              help="Output file, .png or .pdf: both FILE.png and FILE.pdf are written.")
@click.option("--phase", is_flag=True, help="The (t, b) phase diagram for one N instead.")
@click.option("--N", "N", type=Integer(3), default=10, show_default=True, help="N of --phase.")
@click.option("--quick", is_flag=True, help="A small grid (seconds), for tests.")
@click.option("--steps", type=Integer(1), default=100, show_default=True, help="Encoder SGD steps.")
@click.option("--restarts", type=Integer(1), default=1, show_default=True)
@seed_option
@threads_option(default=1)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def figure_command(out, phase, N, quick, steps, restarts, seed, threads, quiet):
    """The paper's figure (encoder as published, free embeddings, theory s*) or a phase diagram."""
    from clverify.numerics.output.figures import paper_figure, phase_figure

    for suffix in FIGURE_SUFFIXES:   # both files are written: check both before the work
        check_output_file(out.with_suffix(suffix), name="out")
    with torch_threads(threads):
        if phase:
            written = phase_figure(N, out, quick=quick, quiet=quiet)
        else:
            written = paper_figure(out, quick=quick, steps=steps, restarts=restarts, seed=seed,
                                   quiet=quiet)
        for path in written:
            click.echo(str(path))


def _gap_dims(N: int) -> list[int]:
    """d = 2, N/4, N/2, 3N/4, N-1, N (d = 1 is left out: S^0 = {-1, 1} is discrete, so
    gradient descent cannot move from its random start)."""
    return sorted({max(2, v) for v in (math.ceil(N / 4), math.ceil(N / 2), math.ceil(3 * N / 4), N - 1, N)} | {2})


@main.command("gap-table")
@click.option("--N", "Ns", default="6,10", show_default=True, help="Comma-separated N values.")
@click.option("--tb", "tbs", default="0.5,1.5,4", show_default=True,
              help="Comma-separated t = b values (one per regime, typically).")
@click.option("--restarts", type=Integer(1), default=3, show_default=True)
@seed_option
@_tol_option
@click.option("--max-iter", type=Integer(1), default=5000, show_default=True)
@threads_option(default=1)
@format_option()
@out_option
def gap_table(Ns, tbs, restarts, seed, tol, max_iter, threads, fmt, out):
    """GD loss minus the (formal) CCEM bound against d/N, for d from 1 to N (sigmoid, t = b)."""
    from clverify.numerics.descent.compare import sigmoid_ccem_optimum
    from clverify.numerics.descent.optimise import optimise_batch

    Ns = [check_batch_size("N", v, 3) for v in Ns.split(",")]
    tbs = [to_float64("tb", check_positive("tb", v)) for v in tbs.split(",")]
    with torch_threads(threads):
        records = []
        for N in Ns:
            theory = {t: sigmoid_ccem_optimum(N, N, t=t, b=t) for t in tbs}
            for d in _gap_dims(N):
                res = optimise_batch(N, d, t=tbs, b=tbs, seeds=seed, restarts=restarts, tol=tol,
                                     max_iter=max_iter)
                for t, r in zip(tbs, res):
                    th = theory[t]
                    records.append({
                        "N": N, "t=b": t, "regime": th.regime, "d": d, "d/N": round(d / N, 3),
                        "gd_loss": r.loss, "ccem_bound": th.loss, "gap": r.loss - th.loss,
                        "s_pos_mean": r.s_pos_mean, "converged": r.converged,
                    })
        emit(records, fmt, out, seed=seed, restarts=restarts, tol=tol)
