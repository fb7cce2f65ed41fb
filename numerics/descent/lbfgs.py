r"""A small batched Riemannian L-BFGS: many independent problems, one tensor computation.

``torch.optim.LBFGS`` optimises one problem.  Here a point ``x`` has shape
``(B, ...)``: ``B`` independent configurations, each a point of a manifold
(:class:`clverify.numerics.descent.sphere.Sphere`); everything L-BFGS keeps per problem (history,
step size, convergence flag) is a tensor with a leading batch dimension.  Each
iteration does, for all running configurations at once:

1. Riemannian gradient :math:`g = P_x \nabla f(x)` (``manifold.proju``);
2. direction :math:`p = -P_x H g`, with :math:`H` the L-BFGS inverse-Hessian estimate
   from the last ``m`` pairs :math:`(s_k, y_k)` in the compact form of Byrd, Nocedal and
   Schnabel (1994), which is the two-loop recursion written as a few batched matrix
   products: with :math:`a = S^\top g`, :math:`c = Y^\top g`, :math:`R` the upper
   triangle of :math:`S^\top Y` and :math:`D` its diagonal (pairs in chronological order),

   .. math::
       H g = \gamma g + S\,R^{-\top}\big[(D + \gamma Y^\top Y) R^{-1} a - \gamma c\big]
             - \gamma\,Y R^{-1} a, \qquad \gamma = \frac{s^\top y}{y^\top y}\ \text{(newest pair)};

   a pair with :math:`s\cdot y \le \epsilon\|s\|\|y\|` is stored as zeros (ignored);
3. a backtracking Armijo line search along the retraction, per configuration:
   accept :math:`a` when :math:`f(R_x(a p)) \le f(x) + c_1 a\,g\cdot p`; near the optimum,
   where that decrease falls below float64 resolution, a step is also accepted when the
   loss rises by no more than rounding noise and the gradient norm falls.  Only the
   configurations that rejected a trial are evaluated again;
4. a configuration stops when it has converged: it is stationary,
   :math:`\|g\| \le \mathrm{tol}\,\min(1, \max(|f|, \|\nabla f\|))` (:func:`stationary`:
   absolute for losses of size 1, relative to the loss's own scale below, so that a loss
   of :math:`10^{-19}` is optimised to its own scale and not stopped because its gradient
   is small in absolute terms), and its last step moved no row by more than
   :data:`STEP_TOL` (a flat loss, with a small gradient far from its optimum, is not stopped
   either) or no step can be accepted any more.  It also stops, not converged, when even a
   steepest-descent step cannot be accepted (stalled), when neither its loss nor its gradient
   norm has improved for :data:`PROGRESS_WINDOW` iterations (stagnant: steps are accepted but
   lead nowhere, as at a loss of exactly 0 that float64 cannot approach further), or when the
   loss, its gradients or its
   scale leave float64's range (:func:`out_of_range`: below :data:`SATURATION_LEVEL`, where
   the terms that decide the structure have underflowed, or not finite): it is then
   *saturated*, its optimum out of float64's reach.  A finished
   configuration leaves the working batch.  The run stops when none is left, at
   ``max_iter``, or once ``max_seconds`` have passed (checked between iterations, so an
   iteration started is finished), and reports the cap or the time limit per configuration.

History pairs are not transported between tangent spaces: the direction is projected
onto the current one instead, which keeps it a descent direction
(:math:`g\cdot P H g = g\cdot H g > 0`).  Steps are capped so that no row of the point
moves by more than :data:`MAX_ROW_STEP` (``manifold.max_row_norm``).

Trade-offs: Armijo backtracking needs loss values only, so it vectorises with no
divergent control flow, but it does not enforce the curvature condition (pairs with
:math:`s\cdot y \le 0` are dropped rather than prevented).  The compact form assumes the
manifold's metric is the induced Euclidean one (true for the sphere).

>>> import torch
>>> from clverify.numerics.descent.sphere import Sphere
>>> target = torch.tensor([[[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]]], dtype=torch.float64)
>>> def fun(x, index):  # maximise alignment with a per-configuration target
...     return -(x * target[index]).sum(dim=(-1, -2)), -target[index]
>>> x0 = Sphere().project(torch.ones(2, 1, 3, dtype=torch.float64))
>>> res = lbfgs(fun, x0, Sphere(), tol=1e-12)
>>> bool(res.converged.all()), torch.allclose(res.x, target)
(True, True)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

__all__ = [
    "LBFGSResult",
    "lbfgs",
    "stationary",
    "out_of_range",
    "SATURATION_LEVEL",
    "STEP_TOL",
    "value_and_grad",
    "DEFAULT_TOL",
    "DEFAULT_MAX_ITER",
    "DEFAULT_HISTORY",
    "ARMIJO_C1",
    "MAX_BACKTRACKS",
    "MAX_ROW_STEP",
    "BACKTRACK_MIN",
    "BACKTRACK_MAX",
    "LOSS_NOISE_RTOL",
    "PROGRESS_WINDOW",
    "PROGRESS_GRADIENT",
    "CURVATURE_EPS",
    "COMPACT_FRACTION",
]

#: Default stopping tolerance on the Riemannian gradient norm of each configuration.
DEFAULT_TOL = 1e-9
#: Default iteration cap (reported per configuration when hit).  At d < N and at large
#: biases the problems are ill-conditioned (a stiff alignment term, exponentially soft
#: uniformity terms) and L-BFGS converges slowly but steadily: on the sigmoid grid t = 10,
#: N in 8..100, d in {4, N}, b in 0..20, 13 of 50 cells were still progressing at 2000
#: iterations and 2 at 10000; the slowest converged after 23826 (docs/experiments.md).  A run
#: that no longer progresses stops long before (:data:`PROGRESS_WINDOW`).
DEFAULT_MAX_ITER = 50000
#: A run stops as stagnant when in this many iterations its loss has not fallen below its best
#: by more than rounding noise (:data:`LOSS_NOISE_RTOL`) and its gradient norm has not fallen
#: below :data:`PROGRESS_GRADIENT` times its best.  The slowest cells of the grid above lower
#: their loss by about 4e-10 (noise 5e-14) every 1000 iterations.
PROGRESS_WINDOW = 1000
PROGRESS_GRADIENT = 0.5
#: Default number of (s, y) pairs kept.  On the paper's grid 6 pairs need 1% more
#: iterations than 10 but move 40% less history memory per iteration (the batched run
#: is memory-bound): 3.6 s against 4.8 s of CPU time, measured 2026-11-22.
DEFAULT_HISTORY = 6
#: Sufficient-decrease constant of the Armijo condition.
ARMIJO_C1 = 1e-4
#: Trial steps before a line search gives up.
MAX_BACKTRACKS = 40
#: Largest row displacement of one step (the retraction is faithful well below pi/2).
MAX_ROW_STEP = 0.5
#: Backtracking shrinks the step by a factor in [BACKTRACK_MIN, BACKTRACK_MAX].
BACKTRACK_MIN = 0.1
BACKTRACK_MAX = 0.5
#: Relative size of float64 rounding noise in a loss value (accept a step within it
#: when the gradient norm falls).
LOSS_NOISE_RTOL = 64 * torch.finfo(torch.float64).eps
#: A loss or Riemannian gradient norm below this size has terms in float64's subnormal range
#: (smallest normal over machine epsilon, about 1e-292): it no longer resolves the structure.
SATURATION_LEVEL = torch.finfo(torch.float64).tiny / torch.finfo(torch.float64).eps
#: A configuration converges only once its last step moved no row by more than this: the
#: gradient test alone stops early where the loss is flat (t -> 0: gradient O(t), curvature
#: O(t^2), so a gradient of 1e-9 can leave the structure 1e-9 / t^2 away).
STEP_TOL = 1e-8
#: A pair is kept only if s.y > CURVATURE_EPS |s| |y|.
CURVATURE_EPS = 1e-10
#: Floor of a norm that is divided by.
_TINY = 1e-300

Fun = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class LBFGSResult:
    """Per-configuration outcome of :func:`lbfgs` (every field has a leading batch dimension)."""

    x: torch.Tensor
    loss: torch.Tensor
    grad_norm: torch.Tensor
    iterations: torch.Tensor
    converged: torch.Tensor
    stalled: torch.Tensor
    saturated: torch.Tensor
    #: stopped by ``max_seconds`` (not converged, not stalled, not saturated)
    timed_out: torch.Tensor
    #: stopped because neither the loss nor the gradient norm improved (:data:`PROGRESS_WINDOW`)
    stagnant: torch.Tensor


def stationary(grad_norm: torch.Tensor, loss: torch.Tensor, euclidean_norm: torch.Tensor,
               tol: float) -> torch.Tensor:
    r"""The gradient part of the stopping rule, elementwise:
    :math:`\|g\| \le \mathrm{tol}\cdot\min(1, \max(|f|, \|\nabla f\|))`, with :math:`g` the
    Riemannian and :math:`\nabla f` the Euclidean gradient.

    Absolute once the loss or its Euclidean gradient is of size 1, relative below: a loss of
    :math:`10^{-19}` (the sigmoid loss at ``t = 100``) has gradients of that size everywhere
    near its optimum, so an absolute test would stop anywhere there; a loss whose optimal
    value is 0 by cancellation (a slack, LHS - RHS) keeps a Euclidean gradient of size 1
    (normal to the spheres) at its optimum, so it is not held to a tolerance of 0.

    >>> import torch
    >>> one = torch.ones(2, dtype=torch.float64)
    >>> f = torch.tensor([2.0, 1e-5], dtype=torch.float64)
    >>> stationary(1e-10 * one, f, 1e-5 * one, 1e-9).tolist()
    [True, False]
    >>> stationary(1e-10 * one, torch.zeros(2, dtype=torch.float64), one, 1e-9).tolist()
    [True, True]
    """
    scale = torch.maximum(loss.abs(), euclidean_norm).clamp(max=1.0)
    return grad_norm <= tol * scale


def out_of_range(loss: torch.Tensor, grad_norm: torch.Tensor,
                 euclidean_norm: torch.Tensor) -> torch.Tensor:
    r"""Saturation, elementwise: the loss's scale :math:`\max(|f|, \|\nabla f\|)` or the
    Riemannian gradient norm :math:`\|g\|` below :data:`SATURATION_LEVEL` (underflow), or
    :math:`f`, :math:`\|g\|` not finite (overflow): float64 cannot resolve the optimum there.
    (A loss that is 0 by cancellation, with a Euclidean gradient of size 1, is not saturated.)

    >>> import torch
    >>> f = torch.tensor([1e-19, 0.0, 1.0, 0.0], dtype=torch.float64)
    >>> g = torch.tensor([1e-20, 0.0, float("inf"), 1e-10], dtype=torch.float64)
    >>> out_of_range(f, g, torch.tensor([1e-17, 0.0, 1.0, 1.0], dtype=torch.float64)).tolist()
    [False, True, True, False]
    """
    return ((torch.maximum(loss.abs(), euclidean_norm) < SATURATION_LEVEL)
            | (grad_norm < SATURATION_LEVEL) | ~torch.isfinite(loss) | ~torch.isfinite(grad_norm))


def value_and_grad(f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Fun:
    r"""Wrap ``f(x, index) -> (B,)`` into ``(x, index) -> (f, \nabla_x f)`` by autograd.

    ``index`` holds the configuration numbers of the rows of ``x`` (so ``f`` can pick
    their parameters).  The configurations are independent, so the gradient of
    :math:`\sum_b f_b` is the batch of per-configuration gradients.

    >>> import torch
    >>> fg = value_and_grad(lambda x, index: (x ** 2).sum(dim=(-1, -2)))
    >>> fg(torch.ones(1, 1, 2, dtype=torch.float64), torch.arange(1))[1]
    tensor([[[2., 2.]]], dtype=torch.float64)
    """

    def fun(x, index):
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            value = f(x, index)
            (grad,) = torch.autograd.grad(value.sum(), x)
        return value.detach(), grad

    return fun


def _col(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A per-configuration value reshaped to broadcast against ``like``."""
    return v.reshape(v.shape + (1,) * (like.dim() - v.dim()))


def _retract(manifold, x, step, p):
    """:math:`R_x(a p)` with a step ``a`` per configuration (fused where the manifold can)."""
    fused = getattr(manifold, "retr_step", None)
    return fused(x, step, p) if fused is not None else manifold.retr(x, _col(step, p) * p)


def _acceptable(f_try, gn_try, f0, gn0, step, gtd, noise):
    """Armijo sufficient decrease, or (below float64 resolution) no rise beyond ``noise``
    together with a smaller gradient norm; never a non-finite loss."""
    armijo = f_try <= f0 + ARMIJO_C1 * step * gtd
    flat = (f_try <= f0 + noise) & (gn_try < gn0)
    return torch.isfinite(f_try) & (armijo | flat)


def _backtrack(step, f0, gtd, f_try):
    r"""Next trial step: minimiser of the quadratic through :math:`f(0), f'(0), f(a)`,
    kept in ``[BACKTRACK_MIN a, BACKTRACK_MAX a]`` (halving if that quadratic is not convex)."""
    curv = f_try - f0 - gtd * step
    a = -gtd * step**2 / (2 * curv)
    a = torch.where(torch.isfinite(a) & (curv > 0), a, 0.5 * step)
    return torch.clamp(a, min=BACKTRACK_MIN * step, max=BACKTRACK_MAX * step)


class _History:
    """Ring buffers of the last ``m`` pairs per configuration, ``[S; Y]`` in one tensor,
    with the small matrices ``S^T Y`` and ``Y^T Y`` kept up to date.

    ``work`` is a workspace of three rows per configuration (``s``, ``y`` and the new
    gradient of the current iteration) so that every inner product with the history
    comes from one batched product.  The large buffers are allocated once and compacted
    in place (a fresh allocation of a large tensor costs page faults)."""

    def __init__(self, b: int, n: int, m: int, like: torch.Tensor):
        opts = {"dtype": like.dtype, "device": like.device}
        self.m, self.slot = m, -1
        self.SYrows = torch.zeros(b, 2 * m, n, **opts)   # rows 0..m-1: s_k, rows m..2m-1: y_k
        self.work = torch.zeros(b, 3, n, **opts)
        self.SY = torch.zeros(b, m, m, **opts)
        self.YY = torch.zeros(b, m, m, **opts)
        self.gamma = torch.ones(b, **opts)
        # chronological order of the slots when the newest pair is in slot k
        self._orders = [torch.tensor([(k + 1 + j) % m for j in range(m)], device=like.device)
                        for k in range(m)]

    def keep(self, rows: torch.Tensor) -> None:
        """Keep the configurations numbered ``rows`` (increasing), in that order."""
        kept = rows.tolist()
        for j, i in enumerate(kept):     # j <= i: an in-place forward compaction
            if i != j:
                self.SYrows[j] = self.SYrows[i]
        self.SYrows, self.work = self.SYrows[:len(kept)], self.work[:len(kept)]
        self.SY, self.YY, self.gamma = self.SY[rows], self.YY[rows], self.gamma[rows]

    def clear(self, rows: torch.Tensor) -> None:
        for name in ("SYrows", "SY", "YY"):
            getattr(self, name)[rows] = 0
        self.gamma[rows] = 1

    def update(self, accept: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the pair ``(s, y)`` of ``work`` where it is accepted and has positive
        curvature (zeros elsewhere); return ``good`` (the pairs kept) and :math:`-H g` for
        the gradient ``g`` in ``work``."""
        m = self.m
        self.slot = k = (self.slot + 1) % m
        W = self.work
        self.SYrows[:, k], self.SYrows[:, m + k] = W[:, 0], W[:, 1]
        Z = torch.bmm(W, self.SYrows.transpose(1, 2))   # (b, 3, 2m): s, y, g against [S; Y]
        ss, sy, yy = Z[:, 0, k], Z[:, 1, k], Z[:, 1, m + k]
        good = accept & (sy > CURVATURE_EPS * torch.sqrt(ss * yy))
        bad = (~good).nonzero()[:, 0]
        if bad.numel():
            self.SYrows[bad, k] = 0
            self.SYrows[bad, m + k] = 0
            Z[bad, :2] = 0
            Z[bad, 2, k] = 0
            Z[bad, 2, m + k] = 0
        self.SY[:, :, k] = Z[:, 1, :m]          # s_i . y_new
        self.SY[:, k, :] = Z[:, 0, m:]          # s_new . y_j
        self.YY[:, :, k] = Z[:, 1, m:]
        self.YY[:, k, :] = Z[:, 1, m:]
        self.gamma = torch.where(good, sy / torch.where(good, yy, 1.0), self.gamma)
        return good, self._apply(W[:, 2], Z[:, 2, :m], Z[:, 2, m:])

    def _apply(self, g, a, c):
        """:math:`-H g` in the compact form from :math:`a = S^T g`, :math:`c = Y^T g` (slot order)."""
        m = self.m
        order = self._orders[self.slot]
        a, c = a[:, order], c[:, order]
        SY = self.SY[:, order][:, :, order]
        YY = self.YY[:, order][:, :, order]
        D = torch.diagonal(SY, dim1=-2, dim2=-1)
        R = torch.triu(SY) + torch.diag_embed((D <= 0).to(g.dtype))  # empty slot: decoupled
        gam = self.gamma[:, None]
        p2 = -torch.linalg.solve_triangular(R, a[:, :, None], upper=True)
        w = torch.baddbmm(-gam[:, :, None] * c[:, :, None], torch.diag_embed(D) + gam[:, :, None] * YY, -p2)
        p1 = torch.linalg.solve_triangular(R.transpose(-1, -2), w, upper=False)[..., 0]
        q = torch.empty(g.shape[0], 1, 2 * m, dtype=g.dtype, device=g.device)
        q[:, 0, order], q[:, 0, m + order] = p1, gam * p2[..., 0]
        return torch.baddbmm((gam * g)[:, None, :], q, self.SYrows, beta=-1, alpha=-1)[:, 0]


#: Compact the working batch once this fraction of it has finished (finished
#: configurations are frozen until then; compacting copies every buffer).
COMPACT_FRACTION = 0.25


def lbfgs(fun: Fun, x0: torch.Tensor, manifold, *, tol: float = DEFAULT_TOL,
          max_iter: int = DEFAULT_MAX_ITER, history: int = DEFAULT_HISTORY,
          progress: Callable[[int, int], None] | None = None,
          max_seconds: float | None = None) -> LBFGSResult:
    r"""Minimise ``B`` independent problems on ``manifold`` with batched Riemannian L-BFGS.

    Parameters
    ----------
    fun : callable
        ``(x, index) -> (f, egrad)``: ``x`` holds the points of the configurations
        numbered ``index`` (a LongTensor); ``f`` has shape ``(len(index),)`` and the
        Euclidean gradient the shape of ``x`` (see :func:`value_and_grad`).
    x0 : torch.Tensor
        Starting points, shape ``(B, ...)``, on the manifold.
    manifold : object
        Provides ``proju``, ``retr``, ``norm``, ``max_row_norm`` (e.g. :class:`~clverify.numerics.descent.sphere.Sphere`).
    tol : float
        Tolerance of the stopping rule (:func:`stationary`, and the step test
        :data:`STEP_TOL`).
    max_iter : int
        Iteration cap; configurations still running then have ``converged = False``.
    history : int
        Number of curvature pairs ``m``.
    progress : callable, optional
        Called as ``progress(iteration, n_running)`` after every iteration.
    max_seconds : float, optional
        Wall-clock limit: once it has passed (checked after each iteration), every
        configuration still running stops, not converged, with ``timed_out`` set.

    Returns
    -------
    LBFGSResult
        ``x``, ``loss``, ``grad_norm``, ``iterations``, ``converged``, ``stalled``,
        ``saturated``, ``timed_out``, ``stagnant`` per configuration.
    """
    start = time.perf_counter()
    B = x0.shape[0]
    dev = x0.device
    out = LBFGSResult(
        x=x0.detach().clone(), loss=torch.full((B,), float("nan"), dtype=x0.dtype, device=dev),
        grad_norm=torch.full((B,), float("nan"), dtype=x0.dtype, device=dev),
        iterations=torch.zeros(B, dtype=torch.long, device=dev),
        converged=torch.zeros(B, dtype=torch.bool, device=dev),
        stalled=torch.zeros(B, dtype=torch.bool, device=dev),
        saturated=torch.zeros(B, dtype=torch.bool, device=dev),
        timed_out=torch.zeros(B, dtype=torch.bool, device=dev),
        stagnant=torch.zeros(B, dtype=torch.bool, device=dev),
    )
    idx = torch.arange(B, device=dev)
    x = out.x.clone()
    f, eg = fun(x, idx)
    g = manifold.proju(x, eg)
    gn, egn = manifold.norm(x, g), manifold.norm(x, eg)
    hist = _History(B, x[0].numel(), history, x)
    mHg = -g.reshape(B, -1)      # -H g; H = identity before any pair is stored
    fresh = torch.ones(B, dtype=torch.bool, device=dev)   # no usable history yet
    stalled = torch.zeros(B, dtype=torch.bool, device=dev)
    best_f, best_gn = f.clone(), gn.clone()       # progress: a new best loss or gradient norm
    last_progress = torch.zeros(B, dtype=torch.long, device=dev)
    moved = torch.full((B,), float("inf"), dtype=x0.dtype, device=dev)  # last step, largest row
    its = torch.zeros(B, dtype=torch.long, device=dev)
    alive = torch.ones(B, dtype=torch.bool, device=dev)   # not yet recorded in ``out``
    n_alive = B
    for it in range(max_iter + 1):
        saturated = out_of_range(f, gn, egn)
        # converged: stationary, and the last step was small or no step is possible any more
        converged = stationary(gn, f, egn, tol) & ((moved <= STEP_TOL) | stalled) & ~saturated
        stagnant = (its - last_progress >= PROGRESS_WINDOW) & ~(converged | stalled | saturated)
        done = alive & (converged | stalled | saturated | stagnant)
        late = max_seconds is not None and time.perf_counter() - start > max_seconds
        if it == max_iter or late:
            done = alive
        n_done = int(done.sum())
        if n_done:
            rows = idx[done]
            out.x[rows], out.loss[rows], out.grad_norm[rows] = x[done], f[done], gn[done]
            out.iterations[rows], out.converged[rows] = its[done], converged[done]
            out.stalled[rows] = stalled[done] & ~converged[done]
            out.saturated[rows] = saturated[done]
            out.stagnant[rows] = stagnant[done]
            if late:
                out.timed_out[rows] = ~(converged | stalled | saturated | stagnant)[done]
            alive = alive & ~done
            n_alive -= n_done
            if n_alive == 0:
                break
            if idx.shape[0] - n_alive >= COMPACT_FRACTION * idx.shape[0]:
                keep = alive.nonzero()[:, 0]
                (idx, x, f, g, gn, egn, mHg, fresh, stalled, moved, its, alive, best_f, best_gn,
                 last_progress) = (v[keep] for v in (idx, x, f, g, gn, egn, mHg, fresh, stalled, moved,
                                                      its, alive, best_f, best_gn, last_progress))
                hist.keep(keep)
        b = idx.shape[0]
        frozen = ~alive if n_alive < b else None    # finished, awaiting compaction: step 0
        p = manifold.proju(x, mHg.reshape(g.shape))
        gtd = torch.linalg.vecdot(g.reshape(b, -1), p.reshape(b, -1))
        bad = ~(gtd < 0) | fresh   # no history, or not a descent direction: steepest descent
        if bool(bad.any()):
            p = torch.where(_col(bad, p), -g, p)
            gtd = torch.where(bad, -gn**2, gtd)
        step = torch.where(bad, torch.clamp(1.0 / gn.clamp_min(_TINY), max=1.0), torch.ones_like(gn))
        step = torch.minimum(step, MAX_ROW_STEP / manifold.max_row_norm(p).clamp_min(_TINY))
        if frozen is not None:
            step = torch.where(frozen, 0.0, step)
        noise = LOSS_NOISE_RTOL * f.abs()
        # First trial for every configuration; later trials only for those that rejected.
        x_new = _retract(manifold, x, step, p)
        f_new, eg_new = fun(x_new, idx)
        g_new = manifold.proju(x_new, eg_new)
        gn_new, egn_new = manifold.norm(x_new, g_new), manifold.norm(x_new, eg_new)
        accept = _acceptable(f_new, gn_new, f, gn, step, gtd, noise)
        if frozen is not None:
            accept = accept | frozen
        sub = (~accept).nonzero()[:, 0]
        for _ in range(MAX_BACKTRACKS - 1):
            if sub.numel() == 0:
                break
            step[sub] = _backtrack(step[sub], f[sub], gtd[sub], f_new[sub])
            x_try = _retract(manifold, x[sub], step[sub], p[sub])
            f_try, eg_try = fun(x_try, idx[sub])
            g_try = manifold.proju(x_try, eg_try)
            gn_try = manifold.norm(x_try, g_try)
            egn_new[sub] = manifold.norm(x_try, eg_try)
            ok = _acceptable(f_try, gn_try, f[sub], gn[sub], step[sub], gtd[sub], noise[sub])
            x_new[sub], f_new[sub], g_new[sub], gn_new[sub] = x_try, f_try, g_try, gn_try
            accept[sub[ok]] = True
            sub = sub[~ok]
        if sub.numel():  # no acceptable step: stay put
            x_new[sub], f_new[sub], g_new[sub], gn_new[sub] = x[sub], f[sub], g[sub], gn[sub]
            egn_new[sub] = egn[sub]
        W = hist.work
        torch.sub(x_new.reshape(b, -1), x.reshape(b, -1), out=W[:, 0])
        torch.sub(g_new.reshape(b, -1), g.reshape(b, -1), out=W[:, 1])
        W[:, 2] = g_new.reshape(b, -1)
        # A failed search from an L-BFGS direction clears the history; from steepest
        # descent it means no progress is possible at float64 resolution.
        failed = ~accept
        stalled = stalled | (failed & fresh)
        reset = failed & ~fresh
        if bool(reset.any()):
            hist.clear(reset)
        good, mHg = hist.update(accept)
        fresh = (fresh & ~good) | reset
        moved = manifold.max_row_norm(x_new - x)
        x, f, g, gn, egn = x_new, f_new, g_new, gn_new, egn_new
        its = its + alive
        lower = f < best_f - LOSS_NOISE_RTOL * best_f.abs()
        smaller = gn < PROGRESS_GRADIENT * best_gn
        best_f, best_gn = torch.minimum(best_f, f), torch.where(smaller, gn, best_gn)
        last_progress = torch.where(lower | smaller, its, last_progress)
        if progress is not None:
            progress(it + 1, n_alive)
    return out
