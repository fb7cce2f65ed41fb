r"""Baselines and cross-checks of the batched optimiser (:mod:`clverify.numerics.descent.optimise`).

* :func:`optimise_loop`: the same problems, starting points and criterion, one at a time
  (the benchmark's baseline);
* :func:`optimise_scipy`: ``scipy.optimize.minimize(method="L-BFGS-B")`` on normalised rows;
* :func:`optimise_torch_lbfgs`: ``torch.optim.LBFGS`` with its strong-Wolfe line search, an
  independent optimiser to cross-check the batched one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .lbfgs import (
    DEFAULT_HISTORY,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    out_of_range,
    stationary,
    value_and_grad,
)
from .memory import check_memory
from .optimise import (
    DEFAULT_RESTARTS,
    EmbeddingResult,
    _check_run,
    _check_sizes,
    _configs,
    _solve,
    _starts,
    _summaries,
    resolve_device,
)
from .sphere import Sphere

__all__ = ["optimise_loop", "optimise_scipy", "optimise_torch_lbfgs", "TORCH_LBFGS_INNER"]


def optimise_loop(N: int, d: int, *, loss: str = "sigmoid", seeds: int | Sequence[int] = 0,
                  restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                  max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
                  device: str = "auto", **params) -> list[EmbeddingResult]:
    """Same problems, starting points and criterion as :func:`optimise_batch`, one at a time.

    >>> [round(r.s_pos_mean, 6) for r in optimise_loop(4, 4, t=[1.0], b=[1.0], restarts=1)]
    [1.0]
    """
    N, d = _check_sizes(N, d)
    restarts, tol, max_iter, history = _check_run(restarts, tol, max_iter, history)
    check_memory(N, d, problems=1, history=history)
    dev = resolve_device(device)
    fn, cfg, seeds = _configs(loss, params, seeds)
    out = []
    for c, (p, seed) in enumerate(zip(cfg, seeds)):
        x0 = _starts(1, restarts, N, d, [seed], Sphere())
        start = time.perf_counter()
        parts = [_solve(fn, N, d, p, x0[r:r + 1], dev, tol, max_iter, history, None)
                 for r in range(restarts)]
        seconds = time.perf_counter() - start
        res = type(parts[0])(**{f: torch.cat([getattr(q, f) for q in parts])
                                for f in ("x", "loss", "grad_norm", "iterations", "converged", "stalled",
                                          "saturated", "timed_out", "stagnant")})
        out.extend(_summaries(loss, N, d, [p], [seed], restarts, res, seconds))
    return out


@dataclass
class _RestartsResult:
    """What :func:`_summaries` reads of a solver's result, for the one-at-a-time baselines."""

    x: torch.Tensor
    loss: torch.Tensor
    grad_norm: torch.Tensor
    iterations: torch.Tensor
    converged: torch.Tensor
    stalled: torch.Tensor
    saturated: torch.Tensor
    timed_out: torch.Tensor
    stagnant: torch.Tensor


def _restarts_result(fn, p, N, x, its, tol, stalled) -> _RestartsResult:
    """Loss and Riemannian gradient norm recomputed at the restarts' end points ``x``, and the
    stopping rule of :func:`~clverify.numerics.descent.lbfgs.stationary` applied to them."""
    sphere = Sphere()
    value, eg = value_and_grad(lambda X, _i: fn(X[..., :N, :], X[..., N:, :], **p))(x, None)
    gn = sphere.norm(x, sphere.proju(x, eg))
    egn = sphere.norm(x, eg)
    saturated = out_of_range(value, gn, egn)
    converged = stationary(gn, value, egn, tol) & ~saturated
    return _RestartsResult(x, value, gn, torch.tensor(its), converged,
                           torch.tensor(stalled) & ~converged, saturated, torch.zeros_like(converged),
                           torch.zeros_like(converged))


def optimise_scipy(N: int, d: int, *, loss: str = "sigmoid", seeds: int | Sequence[int] = 0,
                   restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                   max_iter: int = DEFAULT_MAX_ITER, **params) -> list[EmbeddingResult]:
    r"""Baseline: ``scipy.optimize.minimize(method="L-BFGS-B")``, one problem at a time, on CPU.

    Optimises :math:`f(Z) = L(Z/\|Z\|)` (rows normalised) over unconstrained ``Z`` from the
    same starting points as :func:`optimise_batch`, with ``gtol=tol`` (scipy's criterion,
    the largest gradient entry) and ``ftol=0``; the reported ``grad_norm`` is the
    Riemannian one at the result and ``converged`` is the batched solver's rule
    (:func:`~clverify.numerics.descent.lbfgs.stationary`).

    >>> [round(r.s_pos_mean, 6) for r in optimise_scipy(4, 4, t=[2.0], b=[2.0], restarts=1)]
    [1.0]
    """
    from scipy.optimize import minimize

    N, d = _check_sizes(N, d)
    restarts, tol, max_iter, _ = _check_run(restarts, tol, max_iter, 1)
    check_memory(N, d, problems=restarts, history=DEFAULT_HISTORY)
    fn, cfg, seeds = _configs(loss, params, seeds)
    sphere = Sphere()
    out = []
    for p, seed in zip(cfg, seeds):
        x0 = _starts(1, restarts, N, d, [seed], sphere)

        def f(z, p=p):
            x = torch.from_numpy(z).reshape(1, 2 * N, d).requires_grad_(True)
            X = sphere.project(x)
            value = fn(X[..., :N, :], X[..., N:, :], **p).sum()
            (grad,) = torch.autograd.grad(value, x)
            return float(value.detach()), grad.numpy().ravel()

        start = time.perf_counter()
        xs, its, stalled = [], [], []
        for r in range(restarts):
            sol = minimize(f, x0[r].numpy().ravel(), jac=True, method="L-BFGS-B",
                           options={"gtol": tol, "ftol": 0.0, "maxiter": max_iter})
            xs.append(sphere.project(torch.from_numpy(sol.x).reshape(2 * N, d)))
            its.append(sol.nit)
            stalled.append(sol.nit < max_iter)   # stopped by its own tests, not the cap
        seconds = time.perf_counter() - start
        out.extend(_summaries(loss, N, d, [p], [seed], restarts,
                              _restarts_result(fn, p, N, torch.stack(xs), its, tol, stalled),
                              seconds))
    return out


#: Iterations of ``torch.optim.LBFGS`` between two checks of the Riemannian gradient norm.
TORCH_LBFGS_INNER = 20


def optimise_torch_lbfgs(N: int, d: int, *, loss: str = "sigmoid", seeds: int | Sequence[int] = 0,
                         restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                         max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
                         device: str = "auto", **params) -> list[EmbeddingResult]:
    r"""A second, independent optimiser: ``torch.optim.LBFGS`` with its strong-Wolfe line
    search, one problem at a time, on :math:`f(Z) = L(Z/\|Z\|)` (rows normalised).

    Same starting points as :func:`optimise_batch`; every :data:`TORCH_LBFGS_INNER` iterations
    the stopping rule (:func:`~clverify.numerics.descent.lbfgs.stationary`) is tested at
    :math:`Z/\|Z\|`, and the run stops
    there, at ``max_iter``, or when the line search stalls (then ``converged`` is False).
    Trade-offs: slower than the batched solver, and near the optimum, where the loss changes
    by less than float64 rounding, the strong-Wolfe search stalls at gradient norms of about
    ``1e-8`` (the batched solver's noise-tolerant Armijo test goes below ``1e-9``).  It exists
    to cross-check the batched solver with torch's own L-BFGS.

    >>> r = optimise_torch_lbfgs(5, 5, t=[2.0], b=[2.0], restarts=1, tol=1e-7)[0]
    >>> r.converged, round(r.s_neg_mean, 8)   # the simplex ETF: -1/(N-1)
    (True, -0.25)
    """
    N, d = _check_sizes(N, d)
    restarts, tol, max_iter, history = _check_run(restarts, tol, max_iter, history)
    check_memory(N, d, problems=restarts, history=history)
    dev = resolve_device(device)
    fn, cfg, seeds = _configs(loss, params, seeds)
    sphere = Sphere()
    out = []
    for p, seed in zip(cfg, seeds):
        x0 = _starts(1, restarts, N, d, [seed], sphere).to(dev)

        def value(z, p=p):
            X = sphere.project(z)
            return fn(X[..., :N, :], X[..., N:, :], **p).sum()

        start = time.perf_counter()
        xs, its, stalled = [], [], []
        for r in range(restarts):
            z = x0[r].clone().requires_grad_(True)
            opt = torch.optim.LBFGS([z], lr=1, max_iter=TORCH_LBFGS_INNER, history_size=history,
                                    tolerance_grad=0.0, tolerance_change=0.0,
                                    line_search_fn="strong_wolfe")

            def closure(z=z, opt=opt):
                opt.zero_grad()
                f = value(z)
                f.backward()
                return f

            done, stuck = 0, False
            while done < max_iter:
                opt.step(closure)
                state = opt.state[z]
                if state.get("n_iter", 0) == done:  # the line search made no progress: stalled
                    stuck = True
                    break
                done = state["n_iter"]
                x = sphere.project(z.detach())
                f, eg = value_and_grad(lambda X, _i: value(X))(x[None], None)
                gn = sphere.norm(x[None], sphere.proju(x[None], eg))
                if bool(stationary(gn, f, sphere.norm(x[None], eg), tol)):
                    break
            xs.append(sphere.project(z.detach()))
            its.append(done)
            stalled.append(stuck)
        seconds = time.perf_counter() - start
        out.extend(_summaries(loss, N, d, [p], [seed], restarts,
                              _restarts_result(fn, p, N, torch.stack(xs), its, tol, stalled),
                              seconds))
    return out
