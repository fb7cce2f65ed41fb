r"""The sigmoid loss with a trainable temperature and bias: descent over (U, V, t, b) jointly.

This is the setting of SigLIP and of Bangachev, Bresler, Noman, Polyanskiy (NeurIPS 2025):

.. math::
    L(U, V; t, b) = \frac1N\Big[\sum_i \operatorname{sp}(b - t\,u_i\cdot v_i)
    + \sum_{i\ne j} \operatorname{sp}(t\,u_i\cdot v_j - b)\Big], \qquad t = e^{t'},

minimised over the unit rows of ``U``, ``V`` and over :math:`t'` (``train_t``) and the bias
(``train_bias``).  The bias is absolute (:math:`b`) or relative (``relative=True``:
:math:`b = b_{rel}\,t`, the paper's parameterisation, so the logit is :math:`t(s - b_{rel})`).
As in the authors' code, ``U`` and ``V`` are free parameters normalised inside the loss and
projected back onto the sphere after every step; Adam (the paper's optimiser, lr ``1e-2``)
treats every coordinate apart, so the ``B`` configurations of one call (one per seed and
starting point) are optimised together and exactly as if alone.  L-BFGS
(``optimizer="lbfgs"``, torch's strong-Wolfe line search) runs them one at a time.

Everything is float64; :math:`\operatorname{sp}(z) = \log(1 + e^z)` is the torch backend's exact
softplus (``TORCH_OPS.softplus``, :mod:`clverify.numerics.descent.ops`).  ``loss="clamped"``
replaces it by the authors' code's ``-log(sigmoid(z) + 1e-8)`` terms, which saturate at :math:`\log 10^8 \approx 18.42`
and whose gradient vanishes for badly misclassified pairs: use it only to reproduce that code.

The run stops when the loss changed by at most ``rtol`` times its value over the last
``window`` steps (a rule that scales with the loss) or when ``steps`` run out; with a
trainable temperature a separable configuration has no minimiser (the loss tends to 0 as
:math:`t \to \infty`), so the budget usually decides, and ``stopped`` says which.

>>> run = train_sigmoid(6, 6, t0=2.0, b_rel=0.0, relative=True, train_bias=False,
...                     steps=100, seeds=0)[0]
>>> run.margin > 0, run.full_gap == 2 * run.margin, run.t > 2.0
(True, True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from clverify.theory.params import (
    check_batch_size,
    check_choice,
    check_dimension,
    check_finite,
    check_positive,
    check_seed,
)

from .constellation import full_gap, margin, optimal_relative_bias, similarity_extremes
from .memory import MEMORY_LIMIT, check_memory
from .ops import TORCH_OPS

__all__ = ["TrainableRun", "train_sigmoid", "trainable_sigmoid_loss",
           "TRAINABLE_OPTIMIZERS", "TRAINABLE_LOSSES", "PAPER_ADAM_LR", "CLAMP_EPS"]

#: Optimisers: Adam (the paper's; batched) and L-BFGS (torch's strong Wolfe; one config at a time).
TRAINABLE_OPTIMIZERS = ("adam", "lbfgs")
#: ``stable``: exact softplus; ``clamped``: the authors' code's ``-log(sigmoid + 1e-8)``.
TRAINABLE_LOSSES = ("stable", "clamped")
#: Adam learning rate of the paper's App. D experiments.
PAPER_ADAM_LR = 1e-2
#: The ``+ 1e-8`` inside the logarithms of the authors' loss (``loss="clamped"``).
CLAMP_EPS = 1e-8
#: Default stopping window (steps) and relative tolerance on the loss change over it.
DEFAULT_WINDOW = 200
DEFAULT_RTOL = 1e-10
#: Pairs of vectors each optimiser keeps per configuration, as ``history`` of
#: :func:`~clverify.numerics.descent.memory.check_memory`: Adam's two moments, L-BFGS's history.
_HISTORY = {"adam": 1, "lbfgs": 50}


def trainable_sigmoid_loss(S: torch.Tensor, t: torch.Tensor, b: torch.Tensor,
                           loss: str = "stable") -> torch.Tensor:
    r""":math:`\frac1N[\sum_i \ell(t s_{ii} - b) + \sum_{i\ne j} \ell(b - t s_{ij})]` with
    :math:`\ell(z) = \operatorname{sp}(-z)` (``stable``) or :math:`-\log(\sigma(z) + 10^{-8})`
    (``clamped``), for similarity matrices ``S`` of shape ``(B, N, N)`` and ``t``, ``b`` of
    shape ``(B,)``; returns shape ``(B,)``.

    >>> S = torch.eye(3, dtype=torch.float64)[None]
    >>> one = torch.ones(1, dtype=torch.float64)
    >>> float(trainable_sigmoid_loss(S, one, 0 * one))  # (3 sp(-1) + 6 sp(0)) / 3
    1.6995...
    """
    n = S.shape[-1]
    sign = 1 - 2 * torch.eye(n, dtype=S.dtype, device=S.device)    # +1 off the diagonal
    margins = -(t[:, None, None] * S - b[:, None, None]) * sign       # t s_ii - b; b - t s_ij
    if loss == "stable":
        terms = TORCH_OPS.softplus(-margins)
    else:
        terms = -torch.log(torch.sigmoid(margins) + CLAMP_EPS)
    return terms.sum(dim=(-1, -2)) / n


@dataclass
class TrainableRun:
    r"""One configuration after training.

    ``loss`` is the exact (stable) sigmoid loss with the :math:`1/N` normalisation at the final
    parameters whatever ``settings["loss"]`` trained; ``loss_per_pair`` is ``loss / N`` (the
    mean over the :math:`N^2` pairs that the authors' code and tables report).  ``margin`` is
    :math:`m^*` (half gap), ``full_gap`` is :math:`2m^*`, ``b_rel_star`` the optimal relative
    bias of the final similarities (:mod:`clverify.numerics.descent.constellation`); ``b_rel = b / t``.
    """

    N: int
    d: int
    seed: int
    t: float
    b: float
    b_rel: float
    loss: float
    loss_per_pair: float
    margin: float
    full_gap: float
    b_rel_star: float
    min_pos: float
    max_neg: float
    steps: int
    stopped: str
    settings: dict
    U: np.ndarray = field(repr=False)
    V: np.ndarray = field(repr=False)


def _values(value) -> list:
    """A scalar as a one-element list, a sequence as a list."""
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]


def _broadcast(name, values: list, count: int) -> list:
    if len(values) not in (1, count):
        raise ValueError(f"{name} must be one value or {count} values, got {len(values)}")
    return values * count if len(values) == 1 else values


def _initial_points(N, d, seeds, dtype):
    """Rows uniform on the sphere, from one generator per seed (the same start for every
    configuration that shares a seed)."""
    U, V = [], []
    for seed in seeds:
        g = torch.Generator().manual_seed(int(seed))
        U.append(torch.randn(N, d, generator=g, dtype=dtype))
        V.append(torch.randn(N, d, generator=g, dtype=dtype))
    U, V = torch.stack(U), torch.stack(V)
    return U / U.norm(dim=-1, keepdim=True), V / V.norm(dim=-1, keepdim=True)


class _Parameters(torch.nn.Module):
    """(Z_U, Z_V, t', bias) for B configurations; ``bias`` is b or b_rel."""

    def __init__(self, U, V, t0, bias0, relative, train_t, train_bias):
        super().__init__()
        self.relative = relative
        self.ZU, self.ZV = torch.nn.Parameter(U.clone()), torch.nn.Parameter(V.clone())
        self.log_t = torch.nn.Parameter(torch.log(t0), requires_grad=train_t)
        self.bias = torch.nn.Parameter(bias0.clone(), requires_grad=train_bias)

    def embeddings(self):
        return self.ZU / self.ZU.norm(dim=-1, keepdim=True), self.ZV / self.ZV.norm(dim=-1, keepdim=True)

    def t_b(self):
        t = torch.exp(self.log_t)
        return t, (self.bias * t if self.relative else self.bias)

    def loss(self, kind):
        U, V = self.embeddings()
        t, b = self.t_b()
        return trainable_sigmoid_loss(U @ V.transpose(-1, -2), t, b, kind)

    @torch.no_grad()
    def reproject(self):
        self.ZU.div_(self.ZU.norm(dim=-1, keepdim=True))
        self.ZV.div_(self.ZV.norm(dim=-1, keepdim=True))


def _adam(params: _Parameters, kind, lr, steps, rtol, window):
    opt = torch.optim.Adam([p for p in params.parameters() if p.requires_grad], lr=lr)
    history = []
    for step in range(1, steps + 1):
        opt.zero_grad()
        value = params.loss(kind)
        value.sum().backward()
        opt.step()
        params.reproject()
        history.append(value.detach())
        if len(history) > window:
            old = history.pop(0)
            if bool(((old - value.detach()).abs() <= rtol * value.detach().abs()).all()):
                return step, "tolerance"
    return steps, "budget"


def _lbfgs(params: _Parameters, kind, lr, steps, rtol, window):
    opt = torch.optim.LBFGS([p for p in params.parameters() if p.requires_grad], lr=lr,
                            max_iter=window, history_size=_HISTORY["lbfgs"], tolerance_change=0.0,
                            tolerance_grad=0.0, line_search_fn="strong_wolfe")
    done, previous = 0, None

    def closure():
        opt.zero_grad()
        value = params.loss(kind).sum()
        value.backward()
        return value

    while done < steps:
        value = float(opt.step(closure).detach())
        done += window
        params.reproject()
        if previous is not None and abs(previous - value) <= rtol * abs(value):
            return min(done, steps), "tolerance"
        previous = value
    return steps, "budget"


def train_sigmoid(N: int, d: int, *, t0=10.0, b=None, b_rel=None, relative: bool = False,
                  train_t: bool = True, train_bias: bool = True, optimizer: str = "adam",
                  lr: float | None = None, steps: int = 10_000, seeds=0, loss: str = "stable",
                  rtol: float = DEFAULT_RTOL, window: int = DEFAULT_WINDOW,
                  max_memory: int = MEMORY_LIMIT) -> list[TrainableRun]:
    r"""Minimise the sigmoid loss over :math:`(U, V, t, b)` from seeded random starts.

    Parameters
    ----------
    N, d : int
        Pairs (:math:`N \ge 2`) and dimension (:math:`d \ge 1`).
    t0 : float or sequence
        Initial :math:`t > 0` (the paper starts at 10).
    b, b_rel : float or sequence
        Initial absolute bias (``relative=False``, default 0) or relative bias
        (``relative=True``, default 0); fixed when ``train_bias=False``.
    relative : bool
        Parameterise the bias as :math:`b = b_{rel}\,t`.
    train_t, train_bias : bool
        Which of :math:`t' = \log t` and the bias are trained.
    optimizer, lr, steps
        ``"adam"`` (lr default ``1e-2``, :data:`PAPER_ADAM_LR`) or ``"lbfgs"`` (lr default 1;
        ``steps`` counts its inner iterations), and the step budget.
    seeds : int or sequence
        One configuration per entry (``t0``, ``b``/``b_rel`` broadcast against it).
    loss : str
        ``"stable"`` or ``"clamped"`` (:data:`TRAINABLE_LOSSES`).
    rtol, window
        Stop when the loss changed by at most ``rtol`` times its value over ``window`` steps.
    max_memory : int
        Refuse, before allocating anything, a run estimated
        (:func:`~clverify.numerics.descent.memory.check_memory`: dense ``N x N`` similarities
        for each configuration Adam trains together, one at a time for L-BFGS) to need more
        bytes.

    Returns
    -------
    list of TrainableRun
        One per configuration, in order.
    """
    N, d = check_batch_size("N", N, 2), check_dimension("d", d, 1)
    check_choice("optimizer", optimizer, TRAINABLE_OPTIMIZERS)
    check_choice("loss", loss, TRAINABLE_LOSSES)
    steps, window = check_batch_size("steps", steps, 1), check_batch_size("window", window, 1)
    if (b if relative else b_rel) is not None:
        raise ValueError("give b_rel with relative=True and b with relative=False")
    name = "b_rel" if relative else "b"
    seeds, t0s, biases = _values(seeds), _values(t0), _values(0.0 if (b_rel if relative else b) is None
                                                                 else (b_rel if relative else b))
    count = max(len(seeds), len(t0s), len(biases))
    seeds = [check_seed("seeds", s) for s in _broadcast("seeds", seeds, count)]
    t0s = [float(check_positive("t0", v)) for v in _broadcast("t0", t0s, count)]
    biases = [float(check_finite(name, v)) for v in _broadcast(name, biases, count)]
    lr = (PAPER_ADAM_LR if optimizer == "adam" else 1.0) if lr is None else check_positive("lr", lr)
    check_memory(N, d, problems=count if optimizer == "adam" else 1, history=_HISTORY[optimizer],
                 limit=max_memory)
    dtype = torch.float64
    U, V = _initial_points(N, d, seeds, dtype)
    settings = {"optimizer": optimizer, "lr": lr, "loss": loss, "relative": relative,
                "train_t": train_t, "train_bias": train_bias, "steps_budget": steps}
    groups = [list(range(count))] if optimizer == "adam" else [[k] for k in range(count)]
    runs: list[TrainableRun | None] = [None] * count
    for group in groups:
        params = _Parameters(U[group], V[group], torch.tensor([t0s[k] for k in group], dtype=dtype),
                             torch.tensor([biases[k] for k in group], dtype=dtype),
                             relative, train_t, train_bias)
        run = _adam if optimizer == "adam" else _lbfgs
        used, stopped = run(params, loss, lr, steps, rtol, window)
        with torch.no_grad():
            Uf, Vf = params.embeddings()
            t, bb = (v.detach() for v in params.t_b())
            exact = trainable_sigmoid_loss(Uf @ Vf.transpose(-1, -2), t, bb, "stable")
        for j, k in enumerate(group):
            runs[k] = _result(N, d, seeds[k], Uf[j].numpy(), Vf[j].numpy(), float(t[j]), float(bb[j]),
                              float(exact[j]), used, stopped, {**settings, "t0": t0s[k], "bias0": biases[k]})
    return runs


def _result(N, d, seed, U, V, t, b, loss, steps, stopped, settings) -> TrainableRun:
    S = U @ V.T
    lo, hi = similarity_extremes(S)
    if not all(math.isfinite(v) for v in (t, b, loss)):
        stopped = "diverged"
    return TrainableRun(N, d, seed, t, b, b / t, loss, loss / N, margin(S), full_gap(S),
                        optimal_relative_bias(S), lo, hi, steps, stopped, settings, U, V)
