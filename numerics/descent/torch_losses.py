r"""The losses of :mod:`clverify.theory.losses` in torch, float64, numerically stable, batched.

Each function takes ``U`` and ``V`` of shape ``(..., N, d)`` (rows are the
embeddings) and parameters that broadcast against the leading batch shape
``...``; it returns a tensor of shape ``...``.  Conventions are those of
:mod:`clverify.theory.losses`: ``t`` multiplies, ``b`` is subtracted, ``tau`` divides,
normalisation ``1/N``.  Softplus and logsumexp are torch's stable ones.

>>> import torch
>>> U = torch.eye(3, dtype=torch.float64)
>>> float(sigmoid_loss(U, U, t=1.0, b=0.0))  # 3 softplus(-1) + 6 softplus(0), over 3
1.6995...
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from clverify.theory.params import check_choice

__all__ = ["sigmoid_loss", "infonce_sym_loss", "TORCH_LOSSES", "torch_loss"]


def _param(value, like: torch.Tensor) -> torch.Tensor:
    """A parameter as a tensor of ``like``'s dtype and device, broadcastable to ``(..., 1, 1)``."""
    p = torch.as_tensor(value, dtype=like.dtype, device=like.device)
    return p[..., None, None]


def sigmoid_loss(U: torch.Tensor, V: torch.Tensor, *, t, b, mask=None) -> torch.Tensor:
    r""":math:`\frac1N[\sum_i \mathrm{softplus}(b - t\,u_i\cdot v_i) + \sum_{i\ne j}\mathrm{softplus}(t\,u_i\cdot v_j - b)]`.

    Parameters
    ----------
    U, V : torch.Tensor
        Shape ``(..., N, d)``.
    t, b : float or torch.Tensor
        Broadcast against the batch shape ``...``.
    mask : torch.Tensor, optional
        Boolean, shape ``(..., N)``: which rows are real.  Several problems of different
        sizes then share one padded tensor: the sums run over real pairs only
        (:math:`i, j` with ``mask[i] & mask[j]``) and the normalisation is
        :math:`1/N_{\mathrm{real}}` with :math:`N_{\mathrm{real}}` = ``mask.sum(-1)``.
        Padded rows enter no term, so their gradient is exactly zero.

    >>> import torch
    >>> U = torch.eye(3, dtype=torch.float64)
    >>> P = torch.zeros(4, 3, dtype=torch.float64); P[:3] = U   # one padded row
    >>> real = torch.tensor([True, True, True, False])
    >>> float(sigmoid_loss(P, P, t=1.0, b=0.0, mask=real))  # as for U: (3 softplus(-1) + 6 softplus(0))/3
    1.6995...
    """
    S = U @ V.transpose(-1, -2)
    t, b = _param(t, S), _param(b, S)
    N = S.shape[-1]
    sign = 1 - 2 * torch.eye(N, dtype=S.dtype, device=S.device)   # -1 on the diagonal
    logits = (t * S - b) * sign               # b - t s_ii on the diagonal, t s_ij - b off it
    if mask is None:
        return F.softplus(logits).sum(dim=(-1, -2)) / N
    pairs = mask[..., :, None] & mask[..., None, :]
    terms = torch.where(pairs, F.softplus(logits), 0.0)
    return terms.sum(dim=(-1, -2)) / mask.sum(dim=-1).to(S.dtype)


#: Default temperature of every ``tau`` loss here (the DHEL authors' code default).
DEFAULT_TAU = 0.3


def infonce_sym_loss(U: torch.Tensor, V: torch.Tensor, *, tau=DEFAULT_TAU) -> torch.Tensor:
    r""":math:`\frac1N\sum_i[-\log\mathrm{softmax}_j(u_i\cdot v_j/\tau)_i - \log\mathrm{softmax}_j(v_i\cdot u_j/\tau)_i]`."""
    S = (U @ V.transpose(-1, -2)) / _param(tau, U)
    diag = torch.diagonal(S, dim1=-2, dim2=-1)
    rows = torch.logsumexp(S, dim=-1) - diag
    cols = torch.logsumexp(S, dim=-2) - diag
    return (rows + cols).sum(dim=-1) / S.shape[-1]


#: Name (as on the command line) -> (loss, names of its keyword parameters); mirrors
#: :data:`clverify.theory.losses.LOSSES`.
TORCH_LOSSES = {
    "sigmoid": (sigmoid_loss, ("t", "b")),
    "infonce-sym": (infonce_sym_loss, ("tau",)),
}


def torch_loss(name: str):
    """The torch loss called ``name`` and its parameter names."""
    check_choice("loss", name, TORCH_LOSSES)
    return TORCH_LOSSES[name]


# --------------------------------------------------------------------------------------------
# Koromilas et al. (ICML 2024): InfoNCE family, DHEL, KCL, hyperspherical energies.
# Same formulas as clverify.theory.losses; rows are assumed to be unit vectors (|x - y|^2 = 2 - 2 x.y).
# --------------------------------------------------------------------------------------------

__all__ += [
    "infonce_loss", "ntxent_loss", "dcl_loss", "dhel_loss", "kcl_loss",
    "dhel_1view_loss", "kcl_log_loss", "kcl_imq_loss", "kcl_riesz_loss", "DEFAULT_RIESZ_T",
    "DEFAULT_GAMMA", "DEFAULT_KERNEL_T", "kcl_kernel", "hyperspherical_energy", "dhel_energy", "within_view_mean", "DEFAULT_TAU", "DEFAULT_PARAMETERS",
]

#: Default KCL energy weight and Gaussian kernel parameter (the authors' code defaults).
DEFAULT_GAMMA = 16.0
DEFAULT_KERNEL_T = 2.0


def _offdiag_mask(n: int, like: torch.Tensor) -> torch.Tensor:
    return ~torch.eye(n, dtype=torch.bool, device=like.device)


def _masked_lse(S: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Row-wise logsumexp over the entries where ``keep`` is True (others excluded exactly)."""
    return torch.logsumexp(S.masked_fill(~keep, float("-inf")), dim=-1)


def infonce_loss(U: torch.Tensor, V: torch.Tensor, *, tau=DEFAULT_TAU) -> torch.Tensor:
    r""":math:`\frac1M\sum_i[-u_i\cdot v_i/\tau + \log\sum_j e^{u_i\cdot v_j/\tau}]` (one-sided).

    >>> import torch
    >>> U = torch.eye(2, dtype=torch.float64)
    >>> float(infonce_loss(U, U, tau=1.0))  # log(1 + e^{-1})
    0.3132...
    """
    S = (U @ V.transpose(-1, -2)) / _param(tau, U)
    return (torch.logsumexp(S, dim=-1) - torch.diagonal(S, dim1=-2, dim2=-1)).mean(dim=-1)


def _two_view(U, V, tau):
    """Similarities of the 2M points ``(u_1..u_M, v_1..v_M)`` over ``tau``, and the positive index."""
    Z = torch.cat([U, V], dim=-2)
    S = (Z @ Z.transpose(-1, -2)) / _param(tau, U)
    M = U.shape[-2]
    pos = torch.cat([torch.arange(M, 2 * M), torch.arange(0, M)]).to(U.device)
    return S, pos


def ntxent_loss(U: torch.Tensor, V: torch.Tensor, *, tau=DEFAULT_TAU) -> torch.Tensor:
    r"""NT-Xent: mean over the 2M anchors of :math:`-s_{a,p}/\tau + \log\sum_{b\ne a} e^{s_{a,b}/\tau}`.

    >>> import torch
    >>> U = torch.eye(2, dtype=torch.float64)
    >>> float(ntxent_loss(U, U, tau=1.0))  # -1 + log(e + 2)
    0.5514...
    """
    S, pos = _two_view(U, V, tau)
    keep = _offdiag_mask(S.shape[-1], S)
    positive = S.gather(-1, pos.expand(S.shape[:-1])[..., None])[..., 0]
    return (_masked_lse(S, keep) - positive).mean(dim=-1)


def dcl_loss(U: torch.Tensor, V: torch.Tensor, *, tau=DEFAULT_TAU) -> torch.Tensor:
    r"""DCL: NT-Xent with the positive removed from the denominator (2M anchors, mean).

    >>> import torch
    >>> U = torch.eye(2, dtype=torch.float64)
    >>> float(dcl_loss(U, U, tau=1.0))  # -1 + log 2
    -0.3068...
    """
    S, pos = _two_view(U, V, tau)
    n = S.shape[-1]
    keep = _offdiag_mask(n, S) & (torch.arange(n, device=S.device)[None, :] != pos[:, None])
    positive = S.gather(-1, pos.expand(S.shape[:-1])[..., None])[..., 0]
    return (_masked_lse(S, keep) - positive).mean(dim=-1)


def dhel_energy(U: torch.Tensor, *, tau=DEFAULT_TAU) -> torch.Tensor:
    r"""DHEL's within-view term :math:`\frac1M\sum_i \log\sum_{j\ne i} e^{u_i\cdot u_j/\tau}`.

    >>> import torch
    >>> float(dhel_energy(torch.eye(2, dtype=torch.float64), tau=1.0))
    0.0
    """
    S = (U @ U.transpose(-1, -2)) / _param(tau, U)
    return _masked_lse(S, _offdiag_mask(S.shape[-1], S)).mean(dim=-1)


def dhel_loss(U: torch.Tensor, V: torch.Tensor, *, tau=DEFAULT_TAU, views: int = 2) -> torch.Tensor:
    r""":math:`\frac1M\sum_i[-u_i\cdot v_i/\tau + \log\sum_{j\ne i}e^{u_i\cdot u_j/\tau}
    + \log\sum_{j\ne i}e^{v_i\cdot v_j/\tau}]`; ``views=1`` drops the last term.

    >>> import torch
    >>> U = torch.eye(2, dtype=torch.float64)
    >>> float(dhel_loss(U, U, tau=1.0))  # -1 + log 1 + log 1
    -1.0
    """
    check_choice("views", str(views), ("1", "2"))
    align = -(U * V).sum(dim=-1).mean(dim=-1) / _param(tau, U)[..., 0, 0]
    value = align + dhel_energy(U, tau=tau)
    if int(views) == 2:
        value = value + dhel_energy(V, tau=tau)
    return value


def _sq_dist(S: torch.Tensor) -> torch.Tensor:
    return (2 - 2 * S).clamp_min(0)


#: KCL kernels of the similarity ``s`` and parameter ``t`` (as in :data:`clverify.theory.losses.KCL_KERNELS`).
_KCL_KERNELS = {
    "gaussian": lambda S, t: torch.exp(-t * _sq_dist(S)),
    "log": lambda S, t: -torch.log1p(t * _sq_dist(S)),
    "imq": lambda S, t: t / torch.sqrt(t**2 + _sq_dist(S)),
    "riesz": lambda S, t: torch.sign(t) * _sq_dist(S) ** (-t / 2),
}

#: Energy kernels (as in :data:`clverify.theory.losses.ENERGY_KERNELS`).
_ENERGY_KERNELS = {
    "riesz": _KCL_KERNELS["riesz"],
    "log": lambda S, t: -0.5 * torch.log(_sq_dist(S)),
    "gaussian": _KCL_KERNELS["gaussian"],
}


def kcl_kernel(name: str):
    """The torch KCL kernel ``name``: ``(S, t) -> K`` elementwise on similarities."""
    check_choice("kernel", name, _KCL_KERNELS)
    return _KCL_KERNELS[name]


def within_view_mean(K, U, t):
    r""":math:`\operatorname{mean}_{i\ne j} K(u_i\cdot u_j, t)`; the diagonal never enters ``K`` (no inf * 0).

    >>> import torch
    >>> float(within_view_mean(kcl_kernel("gaussian"), torch.eye(2, dtype=torch.float64), 1.0))
    0.1353...
    """
    S = U @ U.transpose(-1, -2)
    M = S.shape[-1]
    off = _offdiag_mask(M, S)
    values = K(torch.where(off, S, torch.zeros_like(S)), t)
    return torch.where(off, values, torch.zeros_like(values)).sum(dim=(-1, -2)) / (M * (M - 1))


def kcl_loss(U: torch.Tensor, V: torch.Tensor, *, gamma=DEFAULT_GAMMA, t=DEFAULT_KERNEL_T,
             kernel: str = "gaussian") -> torch.Tensor:
    r""":math:`-\frac2M\sum_i K(u_i,v_i) + \gamma[\mathrm{mean}_{i<j}K(u_i,u_j) + \mathrm{mean}_{i<j}K(v_i,v_j)]`.

    >>> import torch
    >>> U = torch.eye(2, dtype=torch.float64)
    >>> float(kcl_loss(U, U, gamma=1.0, t=1.0))  # -2 + 2 e^{-2}
    -1.7293...
    """
    K = kcl_kernel(kernel)
    tt = _param(t, U)
    align = K((U * V).sum(dim=-1, keepdim=True), tt).squeeze(-1).mean(dim=-1)
    g = torch.as_tensor(gamma, dtype=U.dtype, device=U.device)
    return -2 * align + g * (within_view_mean(K, U, tt) + within_view_mean(K, V, tt))


def hyperspherical_energy(U: torch.Tensor, *, kernel: str = "riesz", t=1.0) -> torch.Tensor:
    r""":math:`E_K(U) = \sum_{i\ne j} K(u_i, u_j)` (riesz: :math:`|x-y|^{-t}`, log: :math:`-\log|x-y|`, gaussian).

    >>> import torch
    >>> float(hyperspherical_energy(torch.tensor([[1.0, 0], [-1, 0]], dtype=torch.float64)))
    1.0
    """
    check_choice("kernel", kernel, _ENERGY_KERNELS)
    M = U.shape[-2]
    return within_view_mean(_ENERGY_KERNELS[kernel], U, _param(t, U)) * (M * (M - 1))


#: Default kernel parameter of the Riesz KCL: t > 0 makes -2 K(u_i, v_i) -> -infinity as
#: v_i -> u_i (unbounded below), so t = -1, K = -|x - y| (the authors' code default is 2).
DEFAULT_RIESZ_T = -1.0


def dhel_1view_loss(U: torch.Tensor, V: torch.Tensor, *, tau=DEFAULT_TAU) -> torch.Tensor:
    """:func:`dhel_loss` with ``views=1`` (the authors' ``include_augs=False``)."""
    return dhel_loss(U, V, tau=tau, views=1)


def kcl_log_loss(U: torch.Tensor, V: torch.Tensor, *, gamma=DEFAULT_GAMMA, t=DEFAULT_KERNEL_T):
    """:func:`kcl_loss` with the log kernel :math:`-\\log(1 + t|x-y|^2)`."""
    return kcl_loss(U, V, gamma=gamma, t=t, kernel="log")


def kcl_imq_loss(U: torch.Tensor, V: torch.Tensor, *, gamma=DEFAULT_GAMMA, t=DEFAULT_KERNEL_T):
    """:func:`kcl_loss` with the IMQ kernel :math:`t/\\sqrt{t^2 + |x-y|^2}`."""
    return kcl_loss(U, V, gamma=gamma, t=t, kernel="imq")


def kcl_riesz_loss(U: torch.Tensor, V: torch.Tensor, *, gamma=DEFAULT_GAMMA, t=DEFAULT_RIESZ_T):
    """:func:`kcl_loss` with the Riesz kernel :math:`\\mathrm{sign}(t)|x-y|^{-t}` (use ``t < 0``)."""
    return kcl_loss(U, V, gamma=gamma, t=t, kernel="riesz")


TORCH_LOSSES.update({
    "infonce": (infonce_loss, ("tau",)),
    "ntxent": (ntxent_loss, ("tau",)),
    "dcl": (dcl_loss, ("tau",)),
    "dhel": (dhel_loss, ("tau",)),
    "dhel-1view": (dhel_1view_loss, ("tau",)),
    "kcl": (kcl_loss, ("gamma", "t")),
    "kcl-log": (kcl_log_loss, ("gamma", "t")),
    "kcl-imq": (kcl_imq_loss, ("gamma", "t")),
    "kcl-riesz": (kcl_riesz_loss, ("gamma", "t")),
})

#: Default parameters (``sigmoid`` has none; ``infonce-sym``'s function has no default, listed here).
DEFAULT_PARAMETERS = {
    **{name: {"tau": DEFAULT_TAU}
       for name in ("infonce", "infonce-sym", "ntxent", "dcl", "dhel", "dhel-1view")},
    **{name: {"gamma": DEFAULT_GAMMA, "t": DEFAULT_KERNEL_T} for name in ("kcl", "kcl-log", "kcl-imq")},
    "kcl-riesz": {"gamma": DEFAULT_GAMMA, "t": DEFAULT_RIESZ_T},
}
