r"""The paper's encoder experiment (Lee, Chang, Sohn 2024, public code), parameterised.

Inputs: independent standard Gaussian vectors of dimension ``2d``, one batch
:math:`X_u \in \mathbb R^{N\times 2d}` for ``u`` and one :math:`X_v` for ``v``.  Encoder:
one MLP shared by both views,

.. math::
    z = W_2\,\mathrm{ReLU}(W_1 x + b_1) + b_2, \qquad [z \leftarrow \mathrm{ReLU}(z)
    \text{ if } \texttt{final\_relu}], \qquad u = z / \|z\|,

(``Linear(2d, d)-ReLU-Linear(d, d)[-ReLU]``, PyTorch's default ``nn.Linear`` initialisation,
``F.normalize``), trained by full-batch SGD (learning rate 0.5) on a loss of
:data:`clverify.numerics.descent.torch_losses.TORCH_LOSSES`.  The paper's notebook used 100 steps *with* the
final ReLU, which makes every similarity :math:`\ge 0`: the antipodal structure (:math:`s=-1`)
is then unreachable.  ``tol`` gives the convergence-based variant: a configuration stops when
the norm of its parameter gradient is ``<= tol`` (``max_steps`` caps it, reported).

Many configurations with the same ``(N, d)`` (e.g. every ``t`` of a sweep) train together:
each has its own weights, stacked along a leading batch dimension; SGD on the summed loss is
SGD on each.

>>> r = encoder_experiment(6, 6, t=[0.5, 4.0], b=[0.5, 4.0], steps=20, seeds=0)
>>> [x.s_pos_mean >= 0 for x in r]   # the final ReLU: no negative similarity
[True, True]
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from clverify.theory.params import check_batch_size, check_dimension, check_positive

from .optimise import _configs, resolve_device

__all__ = ["EncoderResult", "encoder_experiment", "PAPER_LR", "PAPER_STEPS", "DEFAULT_MAX_STEPS"]

#: The paper's SGD learning rate and number of steps (its notebook).
PAPER_LR = 0.5
PAPER_STEPS = 100
#: Step cap of the convergence-based variant.
DEFAULT_MAX_STEPS = 20_000


@dataclass
class EncoderResult:
    """One configuration after training: similarity statistics of the encoded batch."""

    N: int
    d: int
    params: dict
    final_relu: bool
    loss: float
    s_pos_mean: float
    s_pos_std: float
    s_neg_mean: float
    s_neg_std: float
    steps: int
    grad_norm: float
    converged: bool | None
    seconds: float
    seed: int


def _linear_init(C, fan_in, fan_out, gens, device):
    """``nn.Linear``'s default: weight and bias uniform on :math:`\\pm 1/\\sqrt{\\mathrm{fan\\_in}}`."""
    bound = 1.0 / math.sqrt(fan_in)
    W = torch.stack([(torch.rand(fan_in, fan_out, generator=g, dtype=torch.float64) * 2 - 1) * bound
                     for g in gens])
    b = torch.stack([(torch.rand(fan_out, generator=g, dtype=torch.float64) * 2 - 1) * bound
                     for g in gens])
    return W.to(device).requires_grad_(True), b.to(device).requires_grad_(True)


def _encode(X, W1, b1, W2, b2, final_relu):
    h = torch.relu(torch.baddbmm(b1[:, None, :], X, W1))
    z = torch.baddbmm(b2[:, None, :], h, W2)
    if final_relu:
        z = torch.relu(z)
    return F.normalize(z, dim=-1)


def encoder_experiment(N: int, d: int, *, loss: str = "sigmoid", steps: int = PAPER_STEPS,
                       lr: float = PAPER_LR, final_relu: bool = True,
                       seeds: int | Sequence[int] = 0, tol: float | None = None,
                       max_steps: int = DEFAULT_MAX_STEPS, device: str = "cpu",
                       **params) -> list[EncoderResult]:
    r"""Train the paper's encoder for each configuration (parameters as sequences) at once.

    Parameters
    ----------
    N, d : int
        Batch size and output dimension (inputs have dimension ``2d``).
    loss : str
        A name of :data:`~clverify.numerics.descent.torch_losses.TORCH_LOSSES`; ``**params`` its parameters.
    steps : int
        SGD steps (ignored when ``tol`` is given).
    lr : float
        Learning rate of full-batch SGD.
    final_relu : bool
        Apply a ReLU after the last layer (the paper's code does).
    seeds : int or sequence of int
        Seed of configuration ``c``'s inputs and initial weights.
    tol : float, optional
        Convergence-based variant: stop a configuration once its parameter-gradient norm
        is ``<= tol``, after at most ``max_steps`` steps.
    """
    N = check_batch_size("N", N, 2)
    d = check_dimension("d", d, 1)
    lr = float(check_positive("lr", lr))
    if tol is None:
        steps = check_batch_size("steps", steps, 1)
    else:
        tol = float(check_positive("tol", tol))
        steps = check_batch_size("max_steps", max_steps, 1)
    dev = resolve_device(device)
    fn, cfg, seeds = _configs(loss, params, seeds)
    C = len(cfg)
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    Xu = torch.stack([torch.randn(N, 2 * d, generator=g, dtype=torch.float64) for g in gens]).to(dev)
    Xv = torch.stack([torch.randn(N, 2 * d, generator=g, dtype=torch.float64) for g in gens]).to(dev)
    W1, b1 = _linear_init(C, 2 * d, d, gens, dev)
    W2, b2 = _linear_init(C, d, d, gens, dev)
    weights = (W1, b1, W2, b2)
    per = {k: torch.tensor([c[k] for c in cfg], dtype=torch.float64, device=dev)
           for k, v in cfg[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    shared = {k: v for k, v in cfg[0].items() if k not in per}
    running = torch.ones(C, dtype=torch.bool, device=dev)
    taken = torch.zeros(C, dtype=torch.long, device=dev)
    gnorm = torch.full((C,), float("nan"), dtype=torch.float64, device=dev)
    start = time.perf_counter()
    for _ in range(steps + (1 if tol is not None else 0)):
        value = fn(_encode(Xu, *weights, final_relu), _encode(Xv, *weights, final_relu),
                   **shared, **per)
        grads = torch.autograd.grad(value.sum(), weights)
        gnorm = torch.sqrt(sum((g.reshape(C, -1) ** 2).sum(-1) for g in grads))
        if tol is not None:
            running = running & (gnorm > tol)
            if not bool(running.any()) or int(taken.max()) >= steps:
                break
        with torch.no_grad():
            for w, g in zip(weights, grads):
                w -= lr * g * running.reshape((C,) + (1,) * (g.dim() - 1))
        taken += running.long()
    seconds = time.perf_counter() - start
    U, V = _encode(Xu, *weights, final_relu), _encode(Xv, *weights, final_relu)
    value = fn(U, V, **shared, **per)
    grads = torch.autograd.grad(value.sum(), weights)
    gnorm = torch.sqrt(sum((g.reshape(C, -1) ** 2).sum(-1) for g in grads))
    U, V, value = U.detach(), V.detach(), value.detach()
    S = U @ V.transpose(-1, -2)
    off = ~torch.eye(N, dtype=torch.bool, device=dev)
    out = []
    for c in range(C):
        diag, offd = torch.diagonal(S[c]), S[c][off]
        out.append(EncoderResult(
            N=N, d=d, params=cfg[c], final_relu=final_relu, loss=float(value[c]),
            s_pos_mean=float(diag.mean()), s_pos_std=float(diag.std(unbiased=False)),
            s_neg_mean=float(offd.mean()), s_neg_std=float(offd.std(unbiased=False)),
            steps=int(taken[c]), grad_norm=float(gnorm[c]),
            converged=None if tol is None else bool(gnorm[c] <= tol),
            seconds=seconds / C, seed=seeds[c]))
    return out
