r"""The losses of :mod:`theory.losses` in torch, float64, numerically stable, batched.

Each function takes ``U`` and ``V`` of shape ``(..., N, d)`` (rows are the
embeddings) and parameters that broadcast against the leading batch shape
``...``; it returns a tensor of shape ``...``.  Conventions are those of
:mod:`theory.losses`: ``t`` multiplies, ``b`` is subtracted, ``tau`` divides,
normalisation ``1/N``.  Softplus and logsumexp are torch's stable ones.

>>> import torch
>>> U = torch.eye(3, dtype=torch.float64)
>>> float(sigmoid_loss(U, U, t=1.0, b=0.0))  # 3 softplus(-1) + 6 softplus(0), over 3
1.6995...
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from theory.params import check_choice

__all__ = ["sigmoid_loss", "infonce_sym_loss", "TORCH_LOSSES", "torch_loss"]


def _param(value, like: torch.Tensor) -> torch.Tensor:
    """A parameter as a tensor of ``like``'s dtype and device, broadcastable to ``(..., 1, 1)``."""
    p = torch.as_tensor(value, dtype=like.dtype, device=like.device)
    return p[..., None, None]


def sigmoid_loss(U: torch.Tensor, V: torch.Tensor, *, t, b) -> torch.Tensor:
    r""":math:`\frac1N[\sum_i \mathrm{softplus}(b - t\,u_i\cdot v_i) + \sum_{i\ne j}\mathrm{softplus}(t\,u_i\cdot v_j - b)]`."""
    S = U @ V.transpose(-1, -2)
    t, b = _param(t, S), _param(b, S)
    N = S.shape[-1]
    eye = torch.eye(N, dtype=torch.bool, device=S.device)
    logits = torch.where(eye, b - t * S, t * S - b)
    return F.softplus(logits).sum(dim=(-1, -2)) / N


def infonce_sym_loss(U: torch.Tensor, V: torch.Tensor, *, tau) -> torch.Tensor:
    r""":math:`\frac1N\sum_i[-\log\mathrm{softmax}_j(u_i\cdot v_j/\tau)_i - \log\mathrm{softmax}_j(v_i\cdot u_j/\tau)_i]`."""
    S = (U @ V.transpose(-1, -2)) / _param(tau, U)
    diag = torch.diagonal(S, dim1=-2, dim2=-1)
    rows = torch.logsumexp(S, dim=-1) - diag
    cols = torch.logsumexp(S, dim=-2) - diag
    return (rows + cols).sum(dim=-1) / S.shape[-1]


#: Name (as on the command line) -> (loss, names of its keyword parameters); mirrors
#: :data:`theory.losses.LOSSES`.
TORCH_LOSSES = {
    "sigmoid": (sigmoid_loss, ("t", "b")),
    "infonce-sym": (infonce_sym_loss, ("tau",)),
}


def torch_loss(name: str):
    """The torch loss called ``name`` and its parameter names."""
    check_choice("loss", name, TORCH_LOSSES)
    return TORCH_LOSSES[name]
