r"""A sweep: a map of the batched optimiser over a grid's configurations, resumable.

:func:`plan_batches` cuts the configurations into batches that one
:func:`~clverify.numerics.descent.optimise.optimise_batch` call solves (same loss, restarts
and solver settings; sizes grouped as :func:`~clverify.numerics.descent.optimise.size_groups`
does, at most :data:`BATCH_ENTRIES` similarities per evaluation).  :func:`solve_batch` solves
one batch and returns one record per configuration: the configuration, the free-embedding
optimum found by gradient descent, the theory's reference (:func:`reference`) and the gap,
and the similarity statistics.  :func:`run_sweep` maps :func:`solve_batch` over the batches
that are not yet in the :class:`~clverify.numerics.descent.store.ResultStore` — in this
process, in a pool of local processes, or on a Dask cluster — and stores each batch's records
as it finishes, so that a sweep stopped at any point resumes where it stopped.

The batches depend on the grid only, never on what is already stored, so a configuration's
record does not depend on how often the sweep was interrupted, nor on where it ran.

>>> from clverify.numerics.descent.grid import parse_grid
>>> configs = parse_grid('N = [4, 5]\nt = 2.0\nb = 2.0\nrestarts = 1')
>>> [[c.N for c in batch] for batch in plan_batches(configs)]
[[4, 5]]
>>> rows, ran = solve_batch(configs[:1])
>>> key, record, seconds = rows[0]
>>> record["loss_name"], record["theory_structure"], record["converged"], abs(record["gap"]) < 1e-12
('sigmoid', 'CCEM(N=4, delta=1)', True, True)
"""

from __future__ import annotations

import math
import platform
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

import torch

from clverify.theory.errors import InvalidParameterError

from .compare import best_known_structure, sigmoid_ccem_optimum, theory_optimum
from .discrete import minimise_s0
from .grid import Configuration
from .optimise import check_batch_memory, optimise_batch, resolve_device, size_groups
from .store import ResultStore

__all__ = [
    "plan_batches", "solve_batch", "reference", "run_sweep", "records_in_order", "SweepSummary",
    "SweepInterrupted", "not_converged", "BATCH_ENTRIES", "MAX_BATCH", "connect_scheduler", "check_plan",
]

#: Largest number of similarities one batch evaluates at once, :math:`\sum_c R_c N_c^2`
#: (about 16 MB of float64 per intermediate); a larger configuration is a batch of its own.
BATCH_ENTRIES = 2_000_000
#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 10
#: Seconds to wait for a TCP connection to the scheduler's host and port (checked first: a
#: closed port is refused at once, an unreachable host after this long).
PROBE_TIMEOUT = 3
#: Default largest number of configurations per batch (a lost batch costs no more than this).
MAX_BATCH = 64


class SweepInterrupted(RuntimeError):
    """A sweep stopped before every batch was stored (a worker died, a batch raised).

    Every batch finished before the stop is stored; running the same sweep again
    computes only the rest.
    """


@dataclass
class SweepSummary:
    """What one :func:`run_sweep` call did: configurations in the grid, already stored
    before it started, computed (and stored) by it, and the batches it ran."""

    configurations: int
    stored_before: int
    computed: int
    batches: int


def _group_key(c: Configuration):
    return c.loss, c.loss_file, tuple(n for n, _ in c.params), c.restarts, c.tol, c.max_iter, c.d == 1


def plan_batches(configs: Sequence[Configuration], max_entries: int = BATCH_ENTRIES,
                 max_batch: int = MAX_BATCH) -> list[list[Configuration]]:
    r"""Batches for :func:`solve_batch`, a function of ``configs`` alone (deterministic).

    Configurations are grouped by loss, parameter names, restarts, solver settings and
    whether ``d = 1`` (solved by enumeration, :func:`solve_batch`), split
    by size as :func:`~clverify.numerics.descent.optimise.size_groups` does, then cut into
    consecutive batches of at most ``max_batch`` configurations and
    :math:`\sum_c R_c N_c^2 \le` ``max_entries`` (a larger configuration is a batch alone).

    >>> from clverify.numerics.descent.grid import parse_grid
    >>> cs = parse_grid('N = [4, 50]\nt = 1.0\nb = 1.0\nseeds = [0, 1, 2]')
    >>> [[(c.N, c.seed) for c in b] for b in plan_batches(cs, max_batch=2)]
    [[(4, 0), (4, 1)], [(4, 2)], [(50, 0), (50, 1)], [(50, 2)]]
    """
    groups: dict = {}
    for c in configs:
        groups.setdefault(_group_key(c), []).append(c)
    batches = []
    for members in groups.values():
        R = members[0].restarts
        for part in size_groups([c.N for c in members], [c.d for c in members], R):
            batch, entries = [], 0
            for c in (members[i] for i in part):
                cost = R * c.N**2
                if batch and (len(batch) >= max_batch or entries + cost > max_entries):
                    batches.append(batch)
                    batch, entries = [], 0
                batch.append(c)
                entries += cost
            batches.append(batch)
    return batches


def check_plan(batches: Sequence[Sequence[Configuration]]) -> None:
    """Refuse (one line), before anything is written, batches that :func:`solve_batch` would
    refuse for memory (:func:`~clverify.numerics.descent.optimise.check_batch_memory`)."""
    for batch in batches:
        if batch[0].d > 1:
            check_batch_memory([c.N for c in batch], [c.d for c in batch], batch[0].restarts)


def _strict(record: dict) -> dict:
    """``record`` with non-finite floats as None and a ``note`` naming them (strict JSON)."""
    bad = [k for k, v in record.items() if isinstance(v, float) and not math.isfinite(v)]
    if not bad:
        return record
    out = {k: (None if k in bad else v) for k, v in record.items()}
    out["note"] = f"not finite, written as null: {', '.join(f'{k} = {record[k]}' for k in bad)}"
    return out


@lru_cache(maxsize=4096)
def _ccem(N: int, t: float, b: float):
    return sigmoid_ccem_optimum(N, N, t=t, b=b)


@lru_cache(maxsize=4096)
def _reference(loss: str, N: int, d: int, params: tuple) -> dict:
    p = dict(params)
    out = {"theory_structure": None, "theory_loss": None, "theory_kind": None}
    if loss == "sigmoid" and N >= 3:
        exact = _ccem(N, p["t"], p["b"])
        out["ccem_bound"] = exact.loss
        exact = exact if d >= N else None
    else:
        exact = theory_optimum(loss, N, d, **p)
    if exact is not None and exact.attained:
        out.update(theory_structure=exact.structure, theory_loss=exact.loss,
                   theory_kind="optimum (the structure exists in dimension d)")
        return out
    best = best_known_structure(loss, N, d, **p)
    if best is not None:
        out.update(theory_structure=best.structure, theory_loss=best.loss,
                   theory_kind="best known structure (an upper bound on the minimum)")
    return out


def reference(c: Configuration) -> dict:
    r"""The theory's reference values for one configuration.

    ``theory_loss``: the theory's optimum where its structure exists in dimension ``d``
    (sigmoid: the CCEM at :math:`\delta^*` for ``d >= N``, Theorem 1 of Lee et al. 2024;
    the InfoNCE family: the simplex ETF for ``d >= N - 1``), otherwise the lowest value among
    the known structures that exist in dimension ``d``
    (:func:`~clverify.numerics.descent.compare.best_known_structure`, an upper bound);
    ``theory_kind`` says which.  For the sigmoid loss ``ccem_bound`` is the formal CCEM
    minimum :math:`\ell(x^*)`, a lower bound in every dimension (THEORY.md), attained iff
    ``d >= N``.

    >>> from clverify.numerics.descent.grid import parse_grid
    >>> ref = reference(parse_grid('N = 10\nd = 2\nt = 4.0\nb = 4.0')[0])
    >>> ref["theory_structure"], ref["theory_loss"] > ref["ccem_bound"]
    ('Antipodal(N=10)', True)
    """
    if c.loss_file is not None:   # a user's loss: its CCEM optimum is clverify analyse's
        return {"theory_structure": None, "theory_loss": None, "theory_kind": None}
    return dict(_reference(c.loss, c.N, c.d, c.params))


def _record(c: Configuration, res) -> dict:
    ref = reference(c)
    gap = lambda bound: None if bound is None else res.loss - bound
    config = c.as_dict()
    record = {
        "loss_name": config.pop("loss"), **config,
        "loss": res.loss, "converged": res.converged, "reason": res.reason or None,
        "grad_norm": res.grad_norm, "iterations": res.iterations, "best_seed": res.seed,
        **ref, "gap": gap(ref["theory_loss"]),
        **({"ccem_gap": gap(ref["ccem_bound"])} if "ccem_bound" in ref else {}),
        "s_pos_min": res.s_pos_min, "s_pos_mean": res.s_pos_mean, "s_pos_std": res.s_pos_std,
        "s_neg_max": res.s_neg_max, "s_neg_mean": res.s_neg_mean, "s_neg_std": res.s_neg_std,
        "margin": res.margin,
    }
    return _strict(record)


def solve_batch(configs: Sequence[Configuration], device: str = "cpu",
                threads: int | None = 1) -> tuple[list[tuple[str, dict, float]], dict]:
    """Solve one batch (one :func:`~clverify.numerics.descent.optimise.optimise_batch` call; in
    dimension 1, :func:`~clverify.numerics.descent.discrete.minimise_s0` per configuration).

    Returns ``(key, record, seconds)`` per configuration (``seconds``: the batch's wall time
    shared evenly) and where it ran (``host``, ``device``, ``threads``).  ``threads`` sets
    torch's intra-op threads for the call (None: leave them as they are)."""
    first = configs[0]
    names = [n for n, _ in first.params]
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        dev = resolve_device(device)
        ran = {"host": platform.node(), "device": str(dev), "threads": torch.get_num_threads()}
        if first.d == 1:    # S^0 is discrete: the exact minimum over the sign patterns, as gd --d 1
            results = [minimise_s0(c.N, loss=c.torch_loss, **c.param_dict) for c in configs]
        else:
            results = optimise_batch(
                [c.N for c in configs], [c.d for c in configs], loss=first.torch_loss,
                seeds=[c.seed for c in configs], restarts=first.restarts, tol=first.tol,
                max_iter=first.max_iter, device=dev.type,
                **{n: [c.param_dict[n] for c in configs] for n in names})
    finally:
        torch.set_num_threads(before)
    return [(c.key, _record(c, r), r.seconds) for c, r in zip(configs, results)], ran


def _local_map(batches, device, threads, workers, solve=None):
    """Yield ``(batch, solve(batch, device, threads))`` as batches finish: in this process, or
    in ``workers`` spawned processes (``solve``: :func:`solve_batch`, or a stand-in for tests)."""
    solve = solve_batch if solve is None else solve
    if workers == 0:
        for batch in batches:
            yield batch, solve(batch, device, threads)
        return
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending = {pool.submit(solve, b, device, threads): b for b in batches}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                batch = pending.pop(future)
                try:
                    rows = future.result()
                except BrokenProcessPool:
                    for f in pending:
                        f.cancel()
                    raise SweepInterrupted(f"a worker process died; {len(pending) + 1} batch(es) were not "
                                           "stored: run the same sweep again to compute them") from None
                yield batch, rows


def connect_scheduler(address: str):
    """A ``distributed.Client`` of the Dask scheduler at ``address`` (``tcp://host:8786`` or
    ``host:8786``), or :class:`~clverify.theory.errors.InvalidParameterError` (one line) when
    the address does not parse, nothing listens there (a TCP connection within
    :data:`PROBE_TIMEOUT` seconds, for ``tcp``/``tls`` addresses), or no scheduler answers
    within :data:`CONNECT_TIMEOUT` seconds (``"not an address"``: "missing port number";
    ``127.0.0.1:1``: "Connection refused", at once).  Needs ``dask.distributed``.
    """
    import socket

    from distributed import Client
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            socket.create_connection(parse_host_port(location), timeout=PROBE_TIMEOUT).close()
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, ValueError, TimeoutError) as exc:
        why = getattr(exc, "strerror", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InvalidParameterError(f"scheduler: cannot reach a Dask scheduler at {address!r}: {why}") from None


def _dask_map(batches, device, threads, scheduler):
    """Yield ``(batch, rows)`` as the Dask cluster at ``scheduler`` (an address, or a
    client of :func:`connect_scheduler`, left open) finishes them."""
    from distributed import as_completed

    own = isinstance(scheduler, str)
    client = connect_scheduler(scheduler) if own else scheduler
    with client if own else nullcontext():
        futures = {client.submit(solve_batch, b, device, threads, pure=False): i
                   for i, b in enumerate(batches)}
        for future in as_completed(futures):
            yield batches[futures[future]], future.result()


def run_sweep(configs: Sequence[Configuration], store: ResultStore, *, scheduler: str | None = None,
              workers: int = 0, device: str = "auto", threads: int | None = 1,
              max_batch: int = MAX_BATCH, progress: bool = False,
              on_batch: Callable[[list[Configuration]], None] | None = None) -> SweepSummary:
    """Compute and store every configuration of ``configs`` that ``store`` lacks.

    ``scheduler``: address of a running Dask scheduler (``tcp://host:8786``), or a client of
    :func:`connect_scheduler`, to map the batches on its workers; otherwise ``workers`` local
    processes (0: this process, as torch's ``DataLoader(num_workers=0)``).
    ``device``: ``auto``, ``cpu`` or ``cuda``, resolved where a batch runs (``auto``: CUDA
    where that machine has it).  ``on_batch`` is called with each batch after its records are
    stored.  Raises :class:`SweepInterrupted` if a worker process dies; exceptions raised by a
    batch propagate.  Either way every batch finished before is stored.
    """
    if scheduler is None:
        resolve_device(device)           # "cuda" without CUDA: an input error before any work
    plan = plan_batches(configs, max_batch=max_batch)
    stored = store.keys()
    todo = [b for b in plan if any(c.key not in stored for c in b)]
    todo = [[c for c in b if c.key not in stored] for b in todo]
    summary = SweepSummary(configurations=len({c.key for c in configs}),
                           stored_before=len(stored & {c.key for c in configs}), computed=0, batches=0)
    bar = _progress_bar(sum(len(b) for b in todo), progress)
    base = _provenance()
    try:
        mapped = (_dask_map(todo, device, threads, scheduler) if scheduler is not None
                  else _local_map(todo, device, threads, workers))
        for batch, (rows, ran) in mapped:
            summary.computed += store.put(rows, {**base, **ran})
            summary.batches += 1
            bar.update(len(batch))
            if on_batch is not None:
                on_batch(batch)
    finally:
        bar.close()
    return summary


def _provenance() -> dict:
    from clverify.numerics.output.tables import provenance

    return provenance()


def _progress_bar(total: int, enabled: bool):
    import sys

    from tqdm import tqdm

    return tqdm(total=total, unit="config", desc="sweep", file=sys.stderr, disable=not enabled,
                smoothing=0.1, dynamic_ncols=True)


def not_converged(records: Iterable[dict]) -> list[str]:
    """One line per record that did not converge: its configuration and the optimiser's reason.

    >>> not_converged([{"loss_name": "sigmoid", "N": 8, "d": 4, "t": 10.0, "b": 0.0, "seed": 0,
    ...                 "converged": False, "reason": "iteration cap: grad_norm 1e-05 after 2000 iterations"},
    ...                {"N": 9, "converged": True}])
    ['sigmoid N=8 d=4 t=10.0 b=0.0 seed=0: iteration cap: grad_norm 1e-05 after 2000 iterations']
    """
    from .torch_losses import TORCH_LOSSES

    out = []
    for r in records:
        if r.get("converged"):
            continue
        loss = TORCH_LOSSES.get(r.get("loss_name"))
        params = [f"{k}={r[k]}" for k in (loss.parameters if loss else ()) if k in r]
        where = " ".join([str(r.get("loss_name")), f"N={r.get('N')}", f"d={r.get('d')}", *params,
                          f"seed={r.get('seed')}"])
        out.append(f"{where}: {r.get('reason') or 'no reason recorded (a record of older code)'}")
    return out


def records_in_order(configs: Iterable[Configuration], store: ResultStore) -> list[dict]:
    """The stored records of ``configs`` in grid order (every one must be stored)."""
    keys = [c.key for c in configs]
    out = store.records(keys)
    missing = sum(r is None for r in out)
    if missing:
        raise SweepInterrupted(f"{missing} configuration(s) of the grid are not stored")
    return out

