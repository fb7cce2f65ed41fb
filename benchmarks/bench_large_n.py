"""Benchmark of the memory-bounded (row-block) losses at real batch sizes (not a test).

Run ``python benchmarks/bench_large_n.py`` (defaults: the sigmoid loss at SigLIP's
initialisation t = 10, b = 10, N = 100000, d = 64, float64, CPU).  It prints one JSON record:

* ``large``: the loss and its gradient with respect to (U, V) at ``--N``, ``--d``, summed by
  row blocks (:func:`clverify.numerics.descent.blocked.blocked_grams`): wall and CPU seconds,
  and the peak memory: on CPU the process's peak resident set (``resource.getrusage``),
  before and after, on CUDA ``torch.cuda.max_memory_allocated``.  Goal: within 8 GB on CPU
  at N = 1e5, d = 64.
* ``reference``: at ``--reference-N`` (where the dense N x N form fits), the dense and the
  blocked evaluation in the same process, their times and their ratio, and the largest
  relative difference of value and gradient (the blocked form is exact up to summation order).
* ``gd`` (with ``--gd``): gradient descent (the batched Riemannian L-BFGS, one restart,
  blocked automatically above ``BLOCKED_ABOVE``) at ``--gd-N``, ``--gd-d`` to the Riemannian
  gradient norm ``--tol``, capped at ``--max-iter`` iterations: iterations, seconds per
  iteration, the gradient norm reached and whether it converged.

The large evaluation runs first, so that the reference's dense matrices do not raise the
recorded peak.  ``--device cuda`` runs everything on the GPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from clverify.numerics.descent.blocked import blocked_grams  # noqa: E402
from clverify.numerics.descent.optimise import optimise_embedding, resolve_device  # noqa: E402
from clverify.numerics.descent.similarity import torch_grams  # noqa: E402
from clverify.numerics.descent.sphere import Sphere  # noqa: E402
from clverify.numerics.descent.torch_losses import torch_loss  # noqa: E402

SEED = 20260101
MIB = 2**20


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


def value_and_grad(loss, X, grams, params):
    """The loss at ``X = (U, V)`` and its gradient, with wall and CPU seconds."""
    _sync(X.device)
    start, cpu = time.perf_counter(), time.process_time()
    value = loss.value(*X.unbind(0), grams=grams, **params)
    (grad,) = torch.autograd.grad(value, X)
    _sync(X.device)
    return value.detach(), grad, time.perf_counter() - start, time.process_time() - cpu


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=100_000)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--loss", default="sigmoid")
    p.add_argument("--t", type=float, default=10.0)
    p.add_argument("--b", type=float, default=10.0)
    p.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda"))
    p.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    p.add_argument("--reference-N", type=int, default=3000)
    p.add_argument("--gd", action="store_true", help="also time gradient descent")
    p.add_argument("--gd-N", type=int, default=20_000)
    p.add_argument("--gd-d", type=int, default=16)
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--max-iter", type=int, default=2000)
    args = p.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    loss = torch_loss(args.loss)
    params = {k: v for k, v in (("t", args.t), ("b", args.b)) if k in loss.parameters}
    record = {"loss": args.loss, "params": params, "device": str(device),
              "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
              "threads": torch.get_num_threads(), "torch": torch.__version__,
              "machine": platform.processor() or platform.machine()}

    value_and_grad(loss, _point(64, args.d, device), blocked_grams, params)     # warm-up
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    X = _point(args.N, args.d, device)
    before = _peak_bytes(device)
    value, grad, wall, cpu = value_and_grad(loss, X, blocked_grams, params)
    after = _peak_bytes(device)
    record["large"] = {"N": args.N, "d": args.d, "value": float(value), "finite": bool(torch.isfinite(grad).all()),
                       "wall_s": wall, "cpu_s": cpu, "peak_before_MiB": before / MIB,
                       "peak_MiB": after / MIB, "inputs_MiB": X.numel() * 8 / MIB,
                       "dense_matrix_MiB": args.N**2 * 8 / MIB}
    del X, grad

    Xr = _point(args.reference_N, args.d, device, seed=SEED + 1)
    v_dense, g_dense, t_dense, _ = value_and_grad(loss, Xr, torch_grams, params)
    v_block, g_block, t_block, _ = value_and_grad(loss, Xr, blocked_grams, params)
    record["reference"] = {
        "N": args.reference_N, "dense_s": t_dense, "blocked_s": t_block, "blocked_over_dense": t_block / t_dense,
        "value_rel_diff": float(abs(v_block - v_dense) / abs(v_dense)),
        "grad_rel_diff": float((g_block - g_dense).abs().max() / g_dense.abs().max()),
    }

    if args.gd:
        start = time.perf_counter()
        r = optimise_embedding(args.gd_N, args.gd_d, loss=args.loss, restarts=1, tol=args.tol,
                               max_iter=args.max_iter, device=str(device.type), seed=SEED, **params)
        seconds = time.perf_counter() - start
        record["gd"] = {"N": args.gd_N, "d": args.gd_d, "tol": args.tol, "max_iter": args.max_iter,
                        "converged": r.converged, "iterations": r.iterations, "grad_norm": r.grad_norm,
                        "loss": r.loss, "seconds": seconds,
                        "seconds_per_iteration": seconds / max(r.iterations, 1)}
    print(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    main()
