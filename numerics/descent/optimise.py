r"""Free-embedding gradient descent: minimise a loss over (U, V) with unit rows.

For ``C`` configurations (one loss, one ``(N, d)``, parameters per configuration)
and ``R`` seeded random restarts each, the ``C * R`` problems

.. math::
    \min_{U, V \in (S^{d-1})^N} L(U, V; \theta_c)

are solved together by the batched Riemannian L-BFGS of :mod:`clverify.numerics.descent.lbfgs` on
the sphere of :mod:`clverify.numerics.descent.sphere` (float64, stopping on the Riemannian
gradient norm), and for each configuration the restart with the lowest loss
is kept.  :func:`~clverify.numerics.descent.baselines.optimise_loop` solves
the same problems one at a time, from the
same starting points, with the same criterion: it is the baseline of the
benchmark.

>>> res = optimise_embedding(4, 4, t=2.0, b=2.0, seed=0)   # N <= 4: the ETF is optimal
>>> res.converged, round(res.s_pos_mean, 8), round(res.s_neg_mean, 8)
(True, 1.0, -0.33333333)
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from clverify.theory.errors import InvalidParameterError, UnknownChoiceError
from clverify.theory.params import (
    check_batch_size,
    check_choice,
    check_dimension,
    check_finite,
    check_positive,
    to_float64,
)

from .blocked import blocked_grams, similarity_statistics
from .lbfgs import (
    DEFAULT_HISTORY,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    PROGRESS_WINDOW,
    SATURATION_LEVEL,
    lbfgs,
    value_and_grad,
)
from .memory import MEMORY_LIMIT, check_memory
from .similarity import torch_grams
from .sphere import Sphere
from .torch_losses import torch_loss

__all__ = [
    "EmbeddingResult",
    "optimise_embedding",
    "optimise_batch",
    "resolve_device",
    "check_loss_params",
    "size_groups",
    "check_batch_memory",
    "DEFAULT_RESTARTS",
    "DEVICES",
    "GROUP_OVERHEAD",
    "BLOCKED_ABOVE",
]

#: Default number of seeded random restarts per configuration.
DEFAULT_RESTARTS = 3
#: Fixed cost of one batched run per iteration, in padded coordinates (``size_groups``):
#: about 1 ms of Python and small-tensor work against about 0.1 us per coordinate
#: (measured on the paper's grid, 2 CPU cores, 2026-11-22).
GROUP_OVERHEAD = 30_000
#: Above this many similarities per evaluation (problems times N^2), the loss is summed by row
#: blocks (``blocked_grams``, the fused value and gradient), never N x N.  Measured on one CPU
#: thread (docs/performance.md): the fused blocks take 0.75-0.85 of the dense autograd time at
#: 1e6 entries (one problem of N = 1024, or three), about 0.3 from 4e6; below 5e5 entries
#: (batches of small problems, the paper's grid) the dense route is as fast or faster.
BLOCKED_ABOVE = 2**20
#: Accepted values of ``device``.
DEVICES = ("auto", "cpu", "cuda")

#: Range checks by parameter name, or by (loss, name) where a name means different things.
_PARAM_CHECKS = {("sigmoid", "t"): check_positive, "tau": check_positive, "b": check_finite}


@dataclass
class EmbeddingResult:
    r"""The best restart of one configuration.

    ``gram`` is :math:`U V^\top` (formed when read); ``s_pos_*`` summarise its diagonal
    (positive pairs), ``s_neg_*`` its off-diagonal entries (negative pairs), ``margin`` is
    :math:`(\min_i s_{ii} - \max_{i\ne j} s_{ij})/2` (all from
    :func:`~clverify.numerics.descent.blocked.similarity_statistics`, which never forms the
    ``N x N`` matrix); ``grad_norm`` is the
    Riemannian gradient norm, ``iterations`` the L-BFGS iterations of that restart,
    ``seconds`` the wall time of the whole (batched) solve divided evenly among its
    configurations, ``seed`` the seed of the winning restart.  ``converged`` means the
    stopping rule :func:`~clverify.numerics.descent.lbfgs.stationary` holds; ``saturated``
    that the loss fell below float64's resolution
    (:data:`~clverify.numerics.descent.lbfgs.SATURATION_LEVEL`), so the optimum is out of
    reach; ``reason`` says why a run is not converged (empty when it is).
    """

    loss_name: str
    params: dict
    N: int
    d: int
    loss: float
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
    s_pos_min: float = float("nan")
    s_neg_max: float = float("nan")
    margin: float = float("nan")
    saturated: bool = False
    reason: str = ""

    @property
    def gram(self) -> np.ndarray:
        r""":math:`U V^\top` (``N x N``: formed on each access)."""
        return self.U @ self.V.T


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
    """A numeric parameter checked by ``check`` (strings exactly, quoted as given on error),
    then as the optimiser computes it: an int, or a float64 (no overflow, no underflow to 0)."""
    v = check(name, v)
    if isinstance(v, int) or (isinstance(v, str) and re.fullmatch(r"[-+]?\d+", v)):
        if abs(int(v)) <= 2**53:      # exact in float64 as well
            return int(v)
    return to_float64(name, v)


def check_loss_params(loss, params: Mapping) -> tuple[Callable, dict]:
    """The torch loss ``loss`` (a name or a :class:`~clverify.theory.losses.Loss`), as the
    unchecked :meth:`~clverify.numerics.descent.torch_losses.TorchLoss.value`, and its validated
    parameters (scalars or sequences).

    Missing parameters take the loss's defaults (its one definition's, so the optimiser and
    the theory see the same values); the others are required; unknown names are rejected.

    >>> check_loss_params("sigmoid", {"t": 1.5, "b": "0"})[1]
    {'t': 1.5, 'b': 0}
    """
    torch_fn = torch_loss(loss)
    fn, names, loss = torch_fn.value, torch_fn.parameters, torch_fn.name
    params = {**torch_fn.defaults, **{n: v for n, v in params.items() if v is not None}}
    missing = [n for n in names if params.get(n) is None]
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
    d = check_dimension("d", d, 2, "S^0 = {-1, 1} is discrete, gradient descent cannot move on "
                        "it; minimise_s0 solves d = 1 exactly")
    return N, d


def _size_lists(N, d) -> tuple[list[int], list[int]] | None:
    """Per-configuration ``N`` and ``d`` when either is a sequence (equal lengths), else None."""
    if not any(isinstance(v, (Sequence, np.ndarray)) and not isinstance(v, str) for v in (N, d)):
        return None
    n = [N] if isinstance(N, (int, np.integer)) else list(N)
    m = [d] if isinstance(d, (int, np.integer)) else list(d)
    if len(n) == 1:
        n = n * len(m)
    if len(m) == 1:
        m = m * len(n)
    if len(n) != len(m) or not n:
        raise InvalidParameterError(f"N and d sequences must have equal nonzero lengths, got {len(n)} and {len(m)}")
    pairs = [_check_sizes(a, b) for a, b in zip(n, m)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def _starts(C: int, R: int, N, d, seeds: Sequence[int], sphere: Sphere) -> torch.Tensor:
    """Starting points, shape ``(C*R, 2 max N, max d)``: restart r of configuration c uses seed
    ``seeds[c] + r`` (rows uniform on :math:`S^{d_c-1}`, drawn exactly as for a batch of one).

    With per-configuration sizes (sequences ``N``, ``d``), configuration c fills rows
    ``0..N_c-1`` (``U``) and ``Nmax..Nmax+N_c-1`` (``V``), coordinates ``0..d_c-1``; the
    padding is zero (a zero row stays zero under the optimiser's updates, and zero
    coordinates stay zero because the loss's gradient there is zero)."""
    Ns = [N] * C if isinstance(N, int) else list(N)
    ds = [d] * C if isinstance(d, int) else list(d)
    Nmax, dmax = max(Ns), max(ds)
    x = torch.zeros(C * R, 2 * Nmax, dmax, dtype=torch.float64)
    for c in range(C):
        n, m = Ns[c], ds[c]
        for r in range(R):
            gen = torch.Generator().manual_seed(int(seeds[c]) + r)
            z = sphere.random(2 * n, m, generator=gen)
            x[c * R + r, :n, :m] = z[:n]
            x[c * R + r, Nmax:Nmax + n, :m] = z[n:]
    return x


def _blocked(blocked: bool | None, problems: int, N: int) -> bool:
    """Whether a batch of ``problems`` problems of ``N`` pairs sums its similarities by row
    blocks: ``blocked`` if given, else above :data:`BLOCKED_ABOVE` similarities."""
    return problems * N * N > BLOCKED_ABOVE if blocked is None else bool(blocked)


def _solve(fn, N, d, params: dict, x0: torch.Tensor, device, tol, max_iter, history, progress,
           mask: torch.Tensor | None = None, blocked: bool | None = None,
           max_seconds: float | None = None, timing: Callable[[float], None] | None = None):
    """Run the batched solver on ``x0`` (on ``device``) with per-problem ``params``; ``N`` is
    the (padded) number of rows of ``U``, ``mask`` the per-problem real rows (or None);
    ``blocked``: sum the similarities by row blocks (None: above :data:`BLOCKED_ABOVE` entries);
    ``max_seconds``: the solver's time limit; ``timing`` is called with the wall seconds of
    one evaluation of the loss and its gradient (the mean of the first after the initial one)."""
    if blocked is None:
        blocked = _blocked(blocked, x0.shape[0], N)
    grams = blocked_grams if blocked else torch_grams
    sphere = Sphere()
    x0 = x0.to(device)
    per = {k: torch.as_tensor(v, dtype=torch.float64, device=device)
           for k, v in params.items() if isinstance(v, list)}
    shared = {k: v for k, v in params.items() if not isinstance(v, list)}
    if mask is not None:
        per["mask"] = mask.to(device)

    def f(x, index):
        U, V = x.unflatten(-2, (2, N)).unbind(-3)    # (unbind: no zero-filled slice gradients)
        return fn(U, V, grams=grams, **shared, **{k: v[index] for k, v in per.items()})

    fun = value_and_grad(f)
    return lbfgs(fun if timing is None else _timed_once(fun, timing, device), x0, sphere, tol=tol,
                 max_iter=max_iter, history=history, progress=progress, max_seconds=max_seconds)


def _timed_once(fun, report: Callable[[float], None], device, first: int = 1, last: int = 3):
    """``fun``, reporting once the mean wall seconds of its calls ``first+1..last`` (call 0, the
    initial evaluation, also pays one-time costs: allocations, lazy initialisation)."""
    calls, spent = 0, 0.0

    def timed(x, index):
        nonlocal calls, spent
        calls += 1
        if calls <= first or calls > last:
            return fun(x, index)
        start = time.perf_counter()
        out = fun(x, index)
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize(device)
        spent += time.perf_counter() - start
        if calls == last:
            report(spent / (last - first))
        return out

    return timed


def _summaries(loss, N, d, cfg_params, seeds, R, res, seconds) -> list[EmbeddingResult]:
    """One result per configuration (best restart); ``N`` and ``d`` are ints or per-configuration
    lists (then ``res.x`` is padded as in :func:`_starts`)."""
    C = len(cfg_params)
    Ns = [N] * C if isinstance(N, int) else list(N)
    ds = [d] * C if isinstance(d, int) else list(d)
    Nmax = max(Ns)
    losses = res.loss.detach().cpu().reshape(C, R)
    x = res.x.detach().cpu()
    out = []
    for c in range(C):
        N, d = Ns[c], ds[c]
        ls = losses[c]
        ls_safe = torch.where(torch.isfinite(ls), ls, torch.full_like(ls, float("inf")))
        r = int(torch.argmin(ls_safe))
        k = c * R + r
        U, V = x[k, :N, :d].contiguous(), x[k, Nmax:Nmax + N, :d].contiguous()
        stats = similarity_statistics(U, V)
        out.append(EmbeddingResult(
            loss_name=getattr(loss, "name", loss), params=cfg_params[c], N=N, d=d, loss=float(ls[r]),
            U=U.numpy(), V=V.numpy(), **stats,
            grad_norm=float(res.grad_norm[k]), iterations=int(res.iterations[k]),
            converged=bool(res.converged[k]), seconds=seconds / C, seed=int(seeds[c]) + r,
            restart_losses=[float(v) for v in ls], saturated=bool(res.saturated[k]),
            reason=_reason(res, k),
        ))
    return out


def _reason(res, k: int) -> str:
    """Why configuration ``k`` of a solver result is not converged ("" when it is)."""
    loss, gn, its = float(res.loss[k]), float(res.grad_norm[k]), int(res.iterations[k])
    if bool(res.converged[k]):
        return ""
    if bool(res.saturated[k]) and not (math.isfinite(loss) and math.isfinite(gn)):
        return (f"saturated: the loss {loss:.3g} or the gradient norm {gn:.3g} is not finite (an "
                "overflow, or a loss not differentiable where descent arrived, such as a kernel "
                "with a cusp at u_i = v_i); the optimum cannot be resolved in float64")
    if bool(res.saturated[k]):
        return (f"saturated: the loss {loss:.3g} or the gradient norm {gn:.3g} is below "
                f"{SATURATION_LEVEL:.3g}, where the terms that decide the structure underflow; "
                "the optimum cannot be resolved in float64")
    if bool(res.stalled[k]):
        return (f"stalled: no step decreases the loss at float64 resolution "
                f"(grad_norm {gn:.3g} after {its} iterations)")
    if bool(res.timed_out[k]):
        return f"time limit (max_seconds): grad_norm {gn:.3g} after {its} iterations"
    if bool(res.stagnant[k]):
        return (f"no progress: neither the loss nor the gradient norm improved in "
                f"{PROGRESS_WINDOW} iterations (loss {loss:.3g}, grad_norm {gn:.3g} after {its} iterations)")
    return f"iteration cap: grad_norm {gn:.3g} after {its} iterations"


def _configs(loss, params, seeds, count: int | None = None):
    """Validated per-configuration parameter dicts and seeds (``count``: the number of
    per-configuration sizes, which parameter sequences must match)."""
    fn, checked = check_loss_params(loss, params)
    lengths = {len(v) for v in checked.values() if isinstance(v, list)}
    if count is not None:
        lengths.add(count)
    if len(lengths) > 1:
        raise InvalidParameterError(f"parameter (and N, d) sequences must have equal lengths, got {sorted(lengths)}")
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


def optimise_batch(N: int | Sequence[int], d: int | Sequence[int], *, loss="sigmoid",
                   seeds: int | Sequence[int] = 0,
                   restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                   max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
                   device: str = "auto", progress: Callable | None = None,
                   blocked: bool | None = None, max_memory: int = MEMORY_LIMIT,
                   max_seconds: float | None = None, timing: Callable[[float], None] | None = None,
                   **params) -> list[EmbeddingResult]:
    r"""Solve every configuration (and restart) in one batched L-BFGS run.

    Parameters given as sequences (equal lengths ``C``) define ``C`` configurations;
    scalars are shared.  ``N`` and ``d`` may be sequences too (one size per
    configuration): the problems are then zero-padded to the largest ``N`` and ``d``
    and the loss is told which rows are real (its ``mask`` keyword: every loss takes
    one, through the torch similarity).  Restart ``r`` of
    configuration ``c`` starts from rows drawn uniformly on :math:`S^{d_c-1}` with seed
    ``seeds[c] + r``, as in :func:`~clverify.numerics.descent.baselines.optimise_loop`.
    ``blocked`` sums the similarities by row blocks
    (:class:`~clverify.numerics.descent.blocked.BlockedSimilarity`: memory
    :math:`O(N d + \text{block}\cdot N)` per problem instead of :math:`O(N^2)`, the same values
    to rounding); None (default) does so for a batch of more than :data:`BLOCKED_ABOVE`
    similarities (problems times :math:`N^2`).  Before anything is allocated, each batch's
    memory is estimated (:func:`~clverify.numerics.descent.memory.check_memory`, blocked or
    not) and a batch over ``max_memory`` bytes is refused.  ``d = 1`` is refused
    (:math:`S^0` is discrete; see :func:`~clverify.numerics.descent.discrete.minimise_s0`).
    ``max_seconds`` limits the wall time of the whole call: configurations still running
    then stop, not converged, with the reason ``time limit``.  ``timing`` is called, once per
    batch, with the wall seconds of one evaluation of the loss and its gradient (all restarts;
    the mean of the two after the initial evaluation, which also pays one-time costs): what an
    estimate of the run's time needs, known after the first iteration.

    >>> rs = optimise_batch(4, 4, t=[1.0, 3.0], b=[1.0, 3.0], restarts=1)
    >>> [round(r.s_pos_mean, 6) for r in rs]
    [1.0, 1.0]
    >>> rs = optimise_batch([3, 4], [3, 4], t=2.0, b=2.0, restarts=1)   # ETFs: -1/(N-1)
    >>> [(r.N, round(r.s_neg_mean, 6)) for r in rs]
    [(3, -0.5), (4, -0.333333)]
    """
    sizes = _size_lists(N, d)
    if sizes is None:
        N, d = _check_sizes(N, d)
    restarts, tol, max_iter, history = _check_run(restarts, tol, max_iter, history)
    if max_seconds is not None:
        max_seconds = float(check_positive("max_seconds", max_seconds))
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    dev = resolve_device(device)
    fn, cfg, seeds = _configs(loss, params, seeds, None if sizes is None else len(sizes[0]))
    C = len(cfg)
    solver = {"tol": tol, "max_iter": max_iter, "history": history, "progress": progress,
              "blocked": blocked, "deadline": deadline, "timing": timing}
    Ns, ds = sizes if sizes is not None else ([N] * C, [d] * C)
    check_batch_memory(Ns, ds, restarts, history=history, max_memory=max_memory, blocked=blocked)
    if sizes is None:
        return _solve_group(fn, loss, N, d, cfg, seeds, restarts, dev, **solver)
    groups = size_groups(Ns, ds, restarts)
    out = [None] * C
    for group in groups:
        part = _solve_group(fn, loss, [Ns[c] for c in group], [ds[c] for c in group],
                            [cfg[c] for c in group], [seeds[c] for c in group], restarts, dev,
                            **solver)
        for c, r in zip(group, part):
            out[c] = r
    return out


def check_batch_memory(Ns: Sequence[int], ds: Sequence[int], restarts: int, *,
                       history: int = DEFAULT_HISTORY, max_memory: int = MEMORY_LIMIT,
                       blocked: bool | None = None) -> None:
    """Refuse (one line, before anything is allocated) the configurations of sizes ``(Ns, ds)``
    that :func:`optimise_batch` cannot solve within ``max_memory`` bytes: each of its
    :func:`size_groups`, blocked or not, by :func:`~clverify.numerics.descent.memory.check_memory`.

    >>> check_batch_memory([10_000_000], [2], 3)
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: N = 10000000, d = 2 (3 problems, similarities summed by row blocks) needs about 2.9e+10 bytes of memory; the limit is 8.6e+09 bytes (max_memory)
    """
    for group in size_groups(Ns, ds, restarts):
        n_max, problems = max(Ns[c] for c in group), len(group) * restarts
        check_memory(n_max, max(ds[c] for c in group), problems=problems, history=history,
                     limit=max_memory, blocked=_blocked(blocked, problems, n_max))


def size_groups(Ns: Sequence[int], ds: Sequence[int], restarts: int = 1,
                overhead: int | None = None) -> list[list[int]]:
    r"""Split configurations of sizes ``(N_c, d_c)`` into groups solved as one padded batch each.

    A group costs about ``overhead`` (the fixed per-iteration cost of one batched run,
    in padded coordinates; default :data:`GROUP_OVERHEAD`) plus ``restarts`` times its number of configurations times
    its padded size :math:`2\,\max N \max d` per iteration; configurations sorted by
    ``(N, d)`` are cut into contiguous groups minimising the total (dynamic programming).
    One group of everything wastes work on padding; one group per size pays the fixed
    cost once per size.

    >>> size_groups([4, 50, 5, 49], [4, 50, 5, 49], overhead=1000)
    [[0, 2], [3, 1]]
    >>> size_groups([4, 50], [4, 50], overhead=10**9)   # huge fixed cost: one batch
    [[0, 1]]
    """
    overhead = GROUP_OVERHEAD if overhead is None else overhead
    keys = sorted(set(zip(Ns, ds)))
    count = {k: 0 for k in keys}
    for k in zip(Ns, ds):
        count[k] += restarts
    K = len(keys)
    best = [0.0] + [math.inf] * K       # best[j]: cheapest split of keys[:j]
    cut = [0] * (K + 1)
    for j in range(1, K + 1):
        n_max = d_max = members = 0
        for i in range(j - 1, -1, -1):     # group keys[i:j]
            n_max, d_max = max(n_max, keys[i][0]), max(d_max, keys[i][1])
            members += count[keys[i]]
            cost = best[i] + overhead + members * 2 * n_max * d_max
            if cost < best[j]:
                best[j], cut[j] = cost, i
    bounds, j = [], K
    while j > 0:
        bounds.append((cut[j], j))
        j = cut[j]
    where = {k: g for g, (i, j) in enumerate(reversed(bounds)) for k in keys[i:j]}
    groups = [[] for _ in bounds]
    for c in sorted(range(len(Ns)), key=lambda c: (Ns[c], ds[c], c)):
        groups[where[Ns[c], ds[c]]].append(c)
    return groups


def _solve_group(fn, loss, N, d, cfg, seeds, restarts, dev, *, tol, max_iter, history, progress,
                 blocked=None, deadline=None, timing=None):
    """One batched run over the configurations ``cfg`` (sizes ``N``, ``d``: ints, or lists
    padded to their maxima with a row mask when ``N`` varies), stopped at ``deadline``
    (``time.perf_counter()``) if given."""
    C = len(cfg)
    per_problem = {k: ([float(c[k]) for c in cfg for _ in range(restarts)]
                       if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                   for k, v in cfg[0].items()}
    mask = None
    if not isinstance(N, int):
        if len(set(N)) > 1:
            mask = torch.arange(max(N))[None, :] < torch.tensor(N).repeat_interleave(restarts)[:, None]
        elif len(set(d)) == 1:
            N, d = N[0], d[0]
    x0 = _starts(C, restarts, N, d, seeds, Sphere())
    Nrows = N if isinstance(N, int) else max(N)
    start = time.perf_counter()
    max_seconds = None if deadline is None else max(0.0, deadline - start)
    res = _solve(fn, Nrows, d, per_problem, x0, dev, tol, max_iter, history, progress, mask, blocked,
                 max_seconds, timing)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start
    return _summaries(loss, N, d, cfg, seeds, restarts, res, seconds)


def optimise_embedding(N: int, d: int, *, loss="sigmoid", seed: int = 0,
                       restarts: int = DEFAULT_RESTARTS, tol: float = DEFAULT_TOL,
                       max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
                       device: str = "auto", blocked: bool | None = None,
                       max_memory: int = MEMORY_LIMIT, max_seconds: float | None = None,
                       timing: Callable[[float], None] | None = None, **params) -> EmbeddingResult:
    r"""Minimise one loss configuration over (U, V) with unit rows; best of ``restarts``.

    Parameters
    ----------
    N, d : int
        Number of pairs (``>= 2``) and dimension (``>= 2``).
    loss : str or Loss
        A name of :data:`clverify.numerics.descent.torch_losses.TORCH_LOSSES` or a
        :class:`~clverify.theory.losses.Loss` (a user's); ``**params`` are its parameters
        (``t``, ``b`` for ``"sigmoid"``; ``tau`` for ``"infonce-sym"``).
    seed : int
        Restart ``r`` uses seed ``seed + r``.
    tol, max_iter, history :
        Tolerance of the stopping rule (:func:`~clverify.numerics.descent.lbfgs.stationary`),
        iteration cap, L-BFGS memory.
    device : {"auto", "cpu", "cuda"}
    blocked : bool, optional
        Sum the similarities by row blocks (default: above :data:`BLOCKED_ABOVE` entries),
        as in :func:`optimise_batch`.
    max_memory : int
        Refuse (before allocating) a solve estimated to need more bytes.
    max_seconds, timing :
        Time limit, and a callback for the seconds of one evaluation, as in
        :func:`optimise_batch`.

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
                          max_iter=max_iter, history=history, device=device, blocked=blocked,
                          max_memory=max_memory, max_seconds=max_seconds, timing=timing, **params)[0]
