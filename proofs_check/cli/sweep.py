"""``clverify sweep``: a grid of gradient-descent problems, resumable, locally or on Dask.

Thin adapter over :mod:`clverify.numerics.descent.grid` (the grid file),
:mod:`clverify.numerics.descent.store` (the results store) and
:mod:`clverify.numerics.descent.sweep` (batches, the map, the records).  Every input is
checked before anything is written (the grid, the output folder, the device, and the scheduler,
connected to first).  Exit codes: 0 when every configuration of the grid is stored,
1 when the sweep stopped early (a worker died, Ctrl-C or SIGTERM, as a batch system sends at
its time limit: what finished is stored and written, run the same command again for the
rest), 2 on bad input.
"""

from __future__ import annotations

import importlib.util
import signal
from contextlib import contextmanager, nullcontext

import click

from clverify.theory.errors import InvalidParameterError

from . import main
from .output import Integer, OutputFolder, emit, format_option, threads_option

__all__ = ["sweep_command"]

#: Name of the exported records inside ``--out`` (plus the format's extension).
RECORDS_NAME = "records"
#: Configurations that did not converge listed on stderr, each with its reason, at most.
MAX_LISTED = 20
_EXTENSIONS = {"md": "md", "csv": "csv", "latex": "tex", "json": "json"}


@contextmanager
def _sigterm_stops():
    """SIGTERM (a batch system's time limit, ``kill``) stops the sweep as Ctrl-C does."""
    def stop(signum, frame):
        raise KeyboardInterrupt("SIGTERM")

    try:
        before = signal.signal(signal.SIGTERM, stop)
    except ValueError:          # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _warn_other_code(store, keys) -> None:
    """A line on stderr when stored records of this grid were computed by other code than
    this run's (another version or commit, or uncommitted changes): they are reused as stored."""
    from clverify.numerics.descent.store import code_version
    from clverify.numerics.output.tables import provenance

    mine = code_version(provenance())
    other = {v: n for v, n in store.code_versions(keys).items() if v != mine}
    if other:
        found = ", ".join(f"{n} by {v}" for v, n in sorted(other.items()))
        click.echo(f"clverify: warning: stored records reused as they are, computed by other code than "
                   f"this run ({mine}): {found}; use a new --out to recompute them", err=True)


@main.command("sweep")
@click.option("--grid", "grid_path", required=True, metavar="FILE",
              help="TOML grid: N, d, loss, its parameters, seeds, restarts (lists or ranges).")
@click.option("--out", "out", type=OutputFolder(), required=True, metavar="DIR",
              help="Directory of the results store (sweep.sqlite) and the exported records.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Address of a running Dask scheduler (needs clverify[dask]); default: this machine.")
@click.option("--workers", type=Integer(0), default=0, show_default=True,
              help="Local worker processes (0: in this process); ignored with --scheduler.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda (where a batch runs).")
@threads_option(default=1)
@click.option("--max-batch", type=Integer(1), default=None,
              help="Most configurations per batch (default 64; a lost batch costs no more).")
@format_option(default="json")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sweep_command(grid_path, out, scheduler, workers, device, threads, max_batch, fmt, quiet):
    """Minimise a grid of losses over free embeddings; resume from the store in --out.

    Records (one per configuration): the configuration (loss_name, N, d, parameters, seed,
    restarts, tol, max_iter), the gradient-descent optimum (loss, converged, grad_norm,
    iterations, best_seed), the theory's reference (theory_structure,
    theory_loss, theory_kind, gap; ccem_bound and ccem_gap for the sigmoid loss) and the
    similarity statistics (s_pos_min/mean/std, s_neg_max/mean/std, margin)."""
    from clverify.numerics.descent.grid import read_grid
    from clverify.numerics.descent.optimise import DEVICES, resolve_device
    from clverify.numerics.descent.store import STORE_NAME, ResultStore
    from clverify.numerics.descent.sweep import (
        MAX_BATCH,
        SweepInterrupted,
        check_plan,
        connect_scheduler,
        not_converged,
        plan_batches,
        run_sweep,
    )
    from clverify.theory.params import check_choice

    configs = read_grid(grid_path)
    max_batch = MAX_BATCH if max_batch is None else max_batch
    check_plan(plan_batches(configs, max_batch=max_batch))     # memory, before anything is written
    check_choice("device", device, DEVICES)
    if scheduler is None:
        resolve_device(device)     # cuda where there is none: an error before any work
    if scheduler is not None and importlib.util.find_spec("distributed") is None:
        raise InvalidParameterError("scheduler: --scheduler needs dask.distributed: pip install 'clverify[dask]'")
    client = None if scheduler is None else connect_scheduler(scheduler)   # before anything is written
    out.mkdir(exist_ok=True)
    stopped = None
    with client if client is not None else nullcontext(), ResultStore(out / STORE_NAME) as store:
        _warn_other_code(store, [c.key for c in configs])
        try:
            with _sigterm_stops():
                summary = run_sweep(configs, store, scheduler=client, workers=workers, device=device,
                                    threads=threads, max_batch=max_batch, progress=not quiet)
        except (SweepInterrupted, KeyboardInterrupt) as exc:
            stopped = str(exc) or "interrupted"
        records = [r for r in store.records([c.key for c in configs]) if r is not None]
    path = out / f"{RECORDS_NAME}.{_EXTENSIONS[fmt]}"
    emit(records, fmt, path, grid=str(grid_path), store=str(out / STORE_NAME),
         complete=len(records) == len(configs))
    if stopped is not None:
        click.echo(f"clverify: sweep stopped ({stopped}); {len(records)} of {len(configs)} configurations "
                   f"stored and written to {path}: run the same command again to compute the rest", err=True)
        raise SystemExit(1)
    failed = not_converged(records)
    for line in failed[:MAX_LISTED]:
        click.echo(f"clverify: not converged: {line}", err=True)
    if len(failed) > MAX_LISTED:
        click.echo(f"clverify: ... and {len(failed) - MAX_LISTED} more not converged (their reason is in "
                   f"the records)", err=True)
    click.echo(f"{summary.configurations} configurations: {summary.stored_before} already stored, "
               f"{summary.computed} computed in {summary.batches} batches; {len(records) - len(failed)} "
               f"converged, {len(failed)} not converged; records in {path}")
