r"""Free-embedding gradient descent: minimise a loss over (U, V) with unit rows.

For ``C`` configurations (one loss, one ``(N, d)``, parameters per configuration)
and ``R`` seeded random restarts each, the ``C * R`` problems

.. math::
    \min_{U, V \in (S^{d-1})^N} L(U, V; \theta_c)

are solved together by the batched Riemannian L-BFGS of :mod:`numerics.lbfgs` on
the sphere of :mod:`numerics.sphere` (float64, stopping on the Riemannian
gradient norm), and for each configuration the restart with the lowest loss
is kept.  :func:`optimise_loop` solves the same problems one at a time, from the
same starting points, with the same criterion: it is the baseline of the
benchmark.

>>> res = optimise_embedding(4, 4, t=2.0, b=2.0, seed=0)   # N <= 4: the ETF is optimal
>>> res.converged, round(res.s_pos_mean, 8), round(res.s_neg_mean, 8)
(True, 1.0, -0.33333333)
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from theory.errors import InvalidParameterError, UnknownChoiceError
from theory.params import check_batch_size, check_choice, check_dimension, check_finite, check_positive

from .lbfgs import DEFAULT_HISTORY, DEFAULT_MAX_ITER, DEFAULT_TOL, lbfgs, value_and_grad
from .sphere import Sphere
from .torch_losses import TORCH_LOSSES

__all__ = [
    "EmbeddingResult",
    "optimise_embedding",
    "optimise_batch",
    "optimise_loop",
    "optimise_scipy",
    "resolve_device",
    "check_loss_params",
    "DEFAULT_RESTARTS",
    "DEVICES",
]

#: Default number of seeded random restarts per configuration.
DEFAULT_RESTARTS = 3
#: Accepted values of ``device``.
DEVICES = ("auto", "cpu", "cuda")

#: Range checks by parameter name, or by (loss, name) where a name means different things.
_PARAM_CHECKS = {("sigmoid", "t"): check_positive, "tau": check_positive, "b": check_finite}


@dataclass
class EmbeddingResult:
    r"""The best restart of one configuration.

    ``gram`` is :math:`U V^\top`; ``s_pos_*`` summarise its diagonal (positive pairs),
    ``s_neg_*`` its off-diagonal entries (negative pairs); ``grad_norm`` is the
    Riemannian gradient norm, ``iterations`` the L-BFGS iterations of that restart,
    ``seconds`` the wall time of the whole (batched) solve divided evenly among its
    configurations, ``seed`` the seed of the winning restart.
    """

    loss_name: str
    params: dict
    N: int
    d: int
    loss: float
    gram: np.ndarray
    s_pos_mean: float
    s_pos_std: float
    s_neg_mean: float
    s_neg_std: float
    grad_norm: float
    iterations: int
    converged: bool
    seconds: float
    seed: int
    U: np.ndarray = field(repr=False)
    V: np.ndarray = field(repr=False)
    restart_losses: list = field(default_factory=list, repr=False)


def resolve_device(device: str) -> torch.device:
    """``"auto"`` -> CUDA when available else CPU; ``"cuda"`` without CUDA is an error.

    >>> resolve_device("cpu")
    device(type='cpu')
    """
    check_choice("device", device, DEVICES)
    if device == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError("device 'cuda' requested but CUDA is not available; use --device cpu")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


def _parse_scalar(name, check, v):
    """A numeric parameter checked by ``check``; a non-numeric string (a kernel name) as is."""
    if isinstance(v, str):
        try:
            v = int(v) if v.strip().lstrip("+-").isdigit() else float(v)
        except ValueError:
            return v
    return check(name, v)


def check_loss_params(loss: str, params: Mapping) -> tuple[Callable, dict]:
    """The torch loss called ``loss`` and its validated parameters (scalars or sequences).

    Parameters of the loss without a default are required; unknown names are rejected.

    >>> check_loss_params("sigmoid", {"t": 1.5, "b": "0"})[1]
    {'t': 1.5, 'b': 0}
    """
    check_choice("loss", loss, TORCH_LOSSES)
    fn, names = TORCH_LOSSES[loss]
    signature = inspect.signature(fn).parameters
    required = [n for n in names if n not in signature or
                signature[n].default is inspect.Parameter.empty]
    missing = [n for n in required if params.get(n) is None]
    if missing:
        raise InvalidParameterError(f"loss {loss!r} needs parameter(s) {', '.join(missing)}")
    extra = [n for n, v in params.items() if n not in names and v is not None]
    if extra:
        raise UnknownChoiceError(
            f"loss {loss!r} takes parameters {', '.join(names)}; got {', '.join(extra)}")
    out = {}
    for n in names:
        if params.get(n) is None:
            continue
        check = _PARAM_CHECKS.get((loss, n), _PARAM_CHECKS.get(n, check_finite))
        v = params[n]
        if isinstance(v, (Sequence, np.ndarray, torch.Tensor)) and not isinstance(v, str):
            out[n] = [float(check(n, float(e))) for e in v]
        else:
            out[n] = _parse_scalar(n, check, v)
    return fn, out


def _check_sizes(N, d):
    N = check_batch_size("N", N, 2)
    d = check_dimension("d", d, 1)
    return N, d


def _starts(C: int, R: int, N: int, d: int, seeds: Sequence[int], sphere: Sphere) -> torch.Tensor:
    """Starting points, shape ``(C*R, 2N, d)``: restart r of configuration c uses seed ``seeds[c] + r``."""
    xs = []
    for c in range(C):
        for r in range(R):
            gen = torch.Generator().manual_seed(int(seeds[c]) + r)
            xs.append(sphere.random(2 * N, d, generator=gen))
    return torch.stack(xs)


def _solve(fn, N, d, params: dict, x0: torch.Tensor, device, tol, max_iter, history, progress):
    """Run the batched solver on ``x0`` (on ``device``) with per-problem ``params``."""
    sphere = Sphere()
    x0 = x0.to(device)
    per = {k: torch.as_tensor(v, dtype=torch.float64, device=device)
           for k, v in params.items() if isinstance(v, list)}
    shared = {k: v for k, v in params.items() if not isinstance(v, list)}

    def f(x, index):
        return fn(x[..., :N, :], x[..., N:, :], **shared, **{k: v[index] for k, v in per.items()})

    return lbfgs(value_and_grad(f), x0, sphere, tol=tol, max_iter=max_iter, history=history,
                 progress=progress)


def _summaries(loss, N, d, cfg_params, seeds, R, res, seconds) -> list[EmbeddingResult]:
    C = len(cfg_params)
    losses = res.loss.detach().cpu().reshape(C, R)
    x = res.x.detach().cpu()
    out = []
    off = ~np.eye(N, dtype=bool)
    for c in range(C):
        ls = losses[c]
        ls_safe = torch.where(torch.isfinite(ls), ls, torch.full_like(ls, float("inf")))
        r = int(torch.argmin(ls_safe))
        k = c * R + r
        U, V = x[k, :N].numpy(), x[k, N:].numpy()
        G = U @ V.T
        diag, offd = np.diag(G), G[off]
        out.append(EmbeddingResult(
            loss_name=loss, params=cfg_params[c], N=N, d=d, loss=float(ls[r]), gram=G,
            s_pos_mean=float(diag.mean()), s_pos_std=float(diag.std()),
            s_neg_mean=float(offd.mean()) if offd.size else float("nan"),
            s_neg_std=float(offd.std()) if offd.size else float("nan"),
            grad_norm=float(res.grad_norm[k]), iterations=int(res.iterations[k]),
            converged=bool(res.converged[k]), seconds=seconds / C, seed=int(seeds[c]) + r,
            U=U, V=V, restart_losses=[float(v) for v in ls],
        ))
    return out


def _configs(loss, params, seeds):
    """Validated per-configuration parameter dicts and seeds."""
    fn, checked = check_loss_params(loss, params)
    lengths = {len(v) for v in checked.values() if isinstance(v, list)}
    if len(lengths) > 1:
        raise InvalidParameterError(f"parameter sequences must have equal lengths, got {sorted(lengths)}")
    C = lengths.pop() if lengths else 1
    cfg = [{k: (v[c] if isinstance(v, list) else v) for k, v in checked.items()} for c in range(C)]
    if isinstance(seeds, int):
        seeds = [seeds] * C
    if len(seeds) != C:
        raise InvalidParameterError(f"seeds must have one entry per configuration ({C}), got {len(seeds)}")
    return fn, cfg, [int(s) for s in seeds]


def _check_run(restarts, tol, max_iter, history):
    restarts = check_batch_size("restarts", restarts, 1)
    tol = check_positive("tol", tol)
    max_iter = check_batch_size("max_iter", max_iter, 1)
    history = check_batch_size("history", history, 1)
    return restarts, float(tol), max_iter, history


def optimise_batch(N: int, d: int, *, loss: str = "sigmoid", seeds: int | Sequence[int] = 0,
                   restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                   max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
                   device: str = "auto", progress: Callable | None = None,
                   **params) -> list[EmbeddingResult]:
    r"""Solve every configuration (and restart) in one batched L-BFGS run.

    Parameters given as sequences (equal lengths ``C``) define ``C`` configurations;
    scalars are shared.  Restart ``r`` of configuration ``c`` starts from rows drawn
    uniformly on :math:`S^{d-1}` with seed ``seeds[c] + r``.

    >>> rs = optimise_batch(4, 4, t=[1.0, 3.0], b=[1.0, 3.0], restarts=1)
    >>> [round(r.s_pos_mean, 6) for r in rs]
    [1.0, 1.0]
    """
    N, d = _check_sizes(N, d)
    restarts, tol, max_iter, history = _check_run(restarts, tol, max_iter, history)
    dev = resolve_device(device)
    fn, cfg, seeds = _configs(loss, params, seeds)
    C = len(cfg)
    per_problem = {k: ([float(c[k]) for c in cfg for _ in range(restarts)]
                       if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                   for k, v in cfg[0].items()}
    x0 = _starts(C, restarts, N, d, seeds, Sphere())
    start = time.perf_counter()
    res = _solve(fn, N, d, per_problem, x0, dev, tol, max_iter, history, progress)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start
    return _summaries(loss, N, d, cfg, seeds, restarts, res, seconds)


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
                                for f in ("x", "loss", "grad_norm", "iterations", "converged", "stalled")})
        out.extend(_summaries(loss, N, d, [p], [seed], restarts, res, seconds))
    return out


def optimise_embedding(N: int, d: int, *, loss: str = "sigmoid", seed: int = 0,
                       restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                       max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
                       device: str = "auto", **params) -> EmbeddingResult:
    r"""Minimise one loss configuration over (U, V) with unit rows; best of ``restarts``.

    Parameters
    ----------
    N, d : int
        Number of pairs (``>= 2``) and dimension (``>= 1``).
    loss : str
        A name of :data:`numerics.torch_losses.TORCH_LOSSES`; ``**params`` are its parameters
        (``t``, ``b`` for ``"sigmoid"``; ``tau`` for ``"infonce-sym"``).
    seed : int
        Restart ``r`` uses seed ``seed + r``.
    tol, max_iter, history :
        Riemannian gradient-norm tolerance, iteration cap, L-BFGS memory.
    device : {"auto", "cpu", "cuda"}

    Returns
    -------
    EmbeddingResult

    >>> r = optimise_embedding(5, 5, loss="infonce-sym", tau=0.5, restarts=1)
    >>> r.converged, round(r.s_neg_mean, 8)   # the simplex ETF: -1/(N-1)
    (True, -0.25)
    """
    for name in params:
        if isinstance(params[name], (list, tuple)):
            raise InvalidParameterError(f"{name} must be a real number here; use optimise_batch for sweeps")
    return optimise_batch(N, d, loss=loss, seeds=seed, restarts=restarts, tol=tol,
                          max_iter=max_iter, history=history, device=device, **params)[0]


def optimise_scipy(N: int, d: int, *, loss: str = "sigmoid", seeds: int | Sequence[int] = 0,
                   restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                   max_iter: int = DEFAULT_MAX_ITER, **params) -> list[EmbeddingResult]:
    r"""Baseline: ``scipy.optimize.minimize(method="L-BFGS-B")``, one problem at a time, on CPU.

    Optimises :math:`f(Z) = L(Z/\|Z\|)` (rows normalised) over unconstrained ``Z`` from the
    same starting points as :func:`optimise_batch`, with ``gtol=tol`` (scipy's criterion,
    the largest gradient entry) and ``ftol=0``; the reported ``grad_norm`` is the
    Riemannian one at the result and ``converged`` means ``grad_norm <= tol``.

    >>> [round(r.s_pos_mean, 6) for r in optimise_scipy(4, 4, t=[2.0], b=[2.0], restarts=1)]
    [1.0]
    """
    from scipy.optimize import minimize

    N, d = _check_sizes(N, d)
    restarts, tol, max_iter, _ = _check_run(restarts, tol, max_iter, 1)
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
        xs, its = [], []
        for r in range(restarts):
            sol = minimize(f, x0[r].numpy().ravel(), jac=True, method="L-BFGS-B",
                           options={"gtol": tol, "ftol": 0.0, "maxiter": max_iter})
            xs.append(sphere.project(torch.from_numpy(sol.x).reshape(2 * N, d)))
            its.append(sol.nit)
        seconds = time.perf_counter() - start
        x = torch.stack(xs)
        # loss and Riemannian gradient recomputed at the returned points
        value, eg = value_and_grad(lambda X, _i, p=p: fn(X[..., :N, :], X[..., N:, :], **p))(x, None)
        gn = sphere.norm(x, sphere.proju(x, eg))
        res = type("R", (), {})()
        res.x, res.loss, res.grad_norm = x, value, gn
        res.iterations, res.converged = torch.tensor(its), gn <= tol
        out.extend(_summaries(loss, N, d, [p], [seed], restarts, res, seconds))
    return out
