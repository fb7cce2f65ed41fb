"""Benchmark of the loss and its gradient at large N against a bound measured in the same run (not a test).

Run ``python benchmarks/bench_large_n.py`` (the sigmoid loss at SigLIP's initialisation
t = 10, b = 10, float64).  For each size of ``--sizes`` (default ``4000x16 20000x16
100000x64``), in a fresh process (so that its peak memory is its own), it prints one JSON
record:

* ``seconds``: one evaluation of the loss and its gradient with respect to (U, V), summed by
  row blocks (:func:`clverify.numerics.descent.blocked.blocked_grams`, the fused path), wall and
  process CPU;
* ``bound``: what the hardware needs at least for the same work, measured in the same process
  on the same tile shape: the three products of each tile (:math:`S = X_R Y_C^\\top`,
  :math:`G Y_C`, :math:`X_R^\\top G`: :math:`6 N^2 d` flops in all) at the rate this machine
  reaches for those shapes, plus :math:`N^2` evaluations of the exact softplus (one fused
  torch kernel) on a cache-resident tile.  ``ratio`` is seconds / bound; the goals are <= 2
  at d = 16 and <= 1.5 at d = 64.  ``gemm_GFLOPs`` is a large square product's rate, for
  context;
* ``peak_MiB``: the process's peak resident memory after the evaluation minus before it
  (``ru_maxrss``; on CUDA ``torch.cuda.max_memory_allocated``), beside ``inputs_MiB`` (U, V),
  ``tile_MiB`` (one tile of entries) and ``dense_matrix_MiB`` (one N x N matrix): the goal
  is O(N d + block).

``--sizes`` with no value skips them.  ``--blocks NxD`` instead times one evaluation at several tile sizes (``BLOCK_BYTES`` of 1 to
64 MiB), the measurement behind the default.  ``--reference-N`` compares the blocked and the
dense (autograd) evaluation at a size where the dense one fits: times and the largest relative
differences.  ``--gd`` times gradient descent at ``--gd-N``, ``--gd-d`` (one restart, capped at
``--max-iter`` iterations and ``--max-seconds``).  ``--device cuda`` runs on the GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from clverify.numerics.descent import blocked  # noqa: E402
from clverify.numerics.descent.ops import TORCH_OPS  # noqa: E402
from clverify.numerics.descent.optimise import optimise_embedding, resolve_device  # noqa: E402
from clverify.numerics.descent.similarity import torch_grams  # noqa: E402
from clverify.numerics.descent.sphere import Sphere  # noqa: E402
from clverify.numerics.descent.torch_losses import torch_loss  # noqa: E402

SEED = 20260101
MIB = 2**20
DEFAULT_SIZES = ("4000x16", "20000x16", "100000x64")
#: Block sizes of ``--blocks``, in MiB of entries.
BLOCK_MIB = (1, 2, 4, 8, 16, 64)
#: Goals of time / bound by dimension (issue 21).
GOALS = {16: 2.0, 64: 1.5}


def _peak_bytes(device: torch.device) -> int:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # Linux: KiB


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _point(N: int, d: int, device, seed=SEED) -> torch.Tensor:
    X = Sphere().random(2, N, d, generator=torch.Generator().manual_seed(seed))
    return X.to(device).requires_grad_(True)


def _size(text: str) -> tuple[int, int]:
    N, d = text.lower().split("x")
    return int(N), int(d)


def value_and_grad(loss, X, grams, params):
    """The loss at ``X = (U, V)`` and its gradient, with wall and CPU seconds."""
    _sync(X.device)
    start, cpu = time.perf_counter(), time.process_time()
    value = loss.value(*X.unbind(0), grams=grams, **params)
    (grad,) = torch.autograd.grad(value, X)
    _sync(X.device)
    return value.detach(), grad, time.perf_counter() - start, time.process_time() - cpu


def _best(fn, device, seconds: float = 0.2) -> float:
    """Least wall time of ``fn()`` over repeated calls (about ``seconds`` in all, at least 3)."""
    fn()
    best, spent, calls = float("inf"), 0.0, 0
    while spent < seconds or calls < 3:
        _sync(device)
        start = time.perf_counter()
        fn()
        _sync(device)
        elapsed = time.perf_counter() - start
        best, spent, calls = min(best, elapsed), spent + elapsed, calls + 1
    return best


def bound(N: int, d: int, params: dict, device) -> dict:
    r"""The measured lower bound of one evaluation: a tile's three products at their measured
    times, times the number of tiles, plus :math:`N^2` exact softplus evaluations."""
    budget = blocked.CUDA_BLOCK_BYTES if device.type == "cuda" else blocked.BLOCK_BYTES
    side = blocked.tile_side(1, N, budget=budget)      # the tiles BlockedSimilarity makes there
    g = torch.Generator().manual_seed(SEED + 2)
    XT, YT = (torch.nn.functional.normalize(torch.randn(N, d, dtype=torch.float64, generator=g), dim=-1).T
              .contiguous().to(device) for _ in range(2))
    gXT, gYT = torch.zeros_like(XT), torch.zeros_like(YT)
    r0, c0 = 0, (N - side) // 2          # an off-diagonal tile
    XR, YC = XT[:, r0:r0 + side], YT[:, c0:c0 + side]
    S = XR.T @ YC
    G = S.clone()
    z = params.get("t", 1.0) * S - params.get("b", 0.0)
    product = _best(lambda: torch.mm(XR.T, YC, out=S), device)
    gradient_x = _best(lambda: gXT[:, r0:r0 + side].addmm_(YC, G.T), device)
    gradient_y = _best(lambda: gYT[:, c0:c0 + side].addmm_(XR, G), device)
    softplus = _best(lambda: TORCH_OPS.softplus(z), device)
    tiles = (N / side) ** 2
    matmul_s = tiles * (product + gradient_x + gradient_y)
    softplus_s = N * N / z.numel() * softplus
    big = torch.randn(1024, 1024, dtype=torch.float64, generator=g).to(device)
    gemm = _best(lambda: big @ big, device)
    return {"tile_side": side, "tile_MiB": side * side * 8 / MIB,
            "matmul_s": matmul_s, "matmul_GFLOPs": 6 * N * N * d / matmul_s / 1e9,
            "products_s_per_tile": [product, gradient_x, gradient_y],
            "softplus_s": softplus_s, "softplus_ns_per_entry": softplus / z.numel() * 1e9,
            "bound_s": matmul_s + softplus_s, "gemm_GFLOPs": 2 * 1024**3 / gemm / 1e9}


def one_size(N: int, d: int, loss, params: dict, device) -> dict:
    warm = min(N, 2 * blocked.tile_side(1, N))     # several tiles: the worker threads start too
    value_and_grad(loss, _point(warm, d, device), blocked.blocked_grams, params)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    X = _point(N, d, device)
    before = _peak_bytes(device)
    value, grad, wall, cpu = value_and_grad(loss, X, blocked.blocked_grams, params)
    after = _peak_bytes(device)
    del X, grad
    record = {"N": N, "d": d, "value": float(value), "wall_s": wall, "cpu_s": cpu,
              "peak_MiB": (after - before) / MIB, "inputs_MiB": 2 * N * d * 8 / MIB,
              "dense_matrix_MiB": N * N * 8 / MIB, **bound(N, d, params, device)}
    record["ratio"] = wall / record["bound_s"]
    record["goal"] = GOALS.get(d)
    return record


def blocks(N: int, d: int, loss, params: dict, device) -> list[dict]:
    """One evaluation per block size of :data:`BLOCK_MIB`."""
    X = _point(N, d, device)
    out = []
    for mib in BLOCK_MIB:
        side = blocked.tile_side(1, N, budget=mib * MIB)
        _, _, wall, cpu = value_and_grad(loss, X, lambda *a: blocked.blocked_grams(*a, block=side), params)
        out.append({"block_MiB": mib, "tile_side": side, "wall_s": wall, "cpu_s": cpu})
    return out


def reference(N: int, d: int, loss, params: dict, device) -> dict:
    """Dense (autograd) and blocked (fused) at the same point: times and differences."""
    X = _point(N, d, device, seed=SEED + 1)
    v_dense, g_dense, t_dense, _ = value_and_grad(loss, X, torch_grams, params)
    v_block, g_block, t_block, _ = value_and_grad(loss, X, blocked.blocked_grams, params)
    return {"N": N, "d": d, "dense_s": t_dense, "blocked_s": t_block, "blocked_over_dense": t_block / t_dense,
            "value_rel_diff": float(abs(v_block - v_dense) / abs(v_dense)),
            "grad_rel_diff": float((g_block - g_dense).abs().max() / g_dense.abs().max())}


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", nargs="*", default=list(DEFAULT_SIZES), metavar="NxD",
                   help="sizes to time against the bound (none: skip)")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)    # a child process: one size
    p.add_argument("--blocks", default=None, metavar="NxD", help="time several block sizes at NxD")
    p.add_argument("--loss", default="sigmoid")
    p.add_argument("--t", type=float, default=10.0)
    p.add_argument("--b", type=float, default=10.0)
    p.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda"))
    p.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    p.add_argument("--reference-N", type=int, default=None)
    p.add_argument("--gd", action="store_true", help="also time gradient descent")
    p.add_argument("--gd-N", type=int, default=20_000)
    p.add_argument("--gd-d", type=int, default=16)
    p.add_argument("--tol", type=float, default=1e-9)
    p.add_argument("--max-iter", type=int, default=10_000)
    p.add_argument("--max-seconds", type=float, default=None)
    args = p.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    loss = torch_loss(args.loss)
    params = {k: v for k, v in (("t", args.t), ("b", args.b)) if k in loss.parameters}
    context = {"loss": args.loss, "params": params, "device": str(device),
               "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
               "threads": torch.get_num_threads(), "torch": torch.__version__,
               "machine": platform.processor() or platform.machine(),
               "load_average": os.getloadavg(), "block_bytes": blocked.BLOCK_BYTES}
    if args.one is not None:
        print(json.dumps({**context, **one_size(*_size(args.one), loss, params, device)}))
        return []
    records = []

    def emit(record):
        records.append(record)
        print(json.dumps(record, indent=2), flush=True)

    if args.blocks is not None:
        emit({**context, "blocks": blocks(*_size(args.blocks), loss, params, device)})
    for size in args.sizes if args.blocks is None else ():
        child = [sys.executable, __file__, "--one", size, "--loss", args.loss, "--t", str(args.t),
                 "--b", str(args.b), "--device", args.device]
        if args.threads is not None:
            child += ["--threads", str(args.threads)]
        emit(json.loads(subprocess.run(child, check=True, capture_output=True, text=True).stdout))
    if args.reference_N is not None:
        emit({**context, "reference": reference(args.reference_N, 16, loss, params, device)})
    if args.gd:
        start = time.perf_counter()
        r = optimise_embedding(args.gd_N, args.gd_d, loss=args.loss, restarts=1, tol=args.tol,
                               max_iter=args.max_iter, max_seconds=args.max_seconds,
                               device=str(device.type), seed=SEED, **params)
        seconds = time.perf_counter() - start
        emit({**context, "gd": {
            "N": args.gd_N, "d": args.gd_d, "tol": args.tol, "max_iter": args.max_iter,
            "converged": r.converged, "reason": r.reason, "iterations": r.iterations,
            "grad_norm": r.grad_norm, "loss": r.loss, "seconds": seconds,
            "seconds_per_iteration": seconds / max(r.iterations, 1)}})
    return records


if __name__ == "__main__":
    main()
