r"""The contrastive losses, each defined once, on similarity matrices (SymPy).

Conventions (see ``docs/theory.md``): ``t`` **multiplies** a similarity (an
inverse temperature), ``b`` is **subtracted** from the logit (SigLIP's own bias
is ``-b``), ``tau`` **divides**.  Every loss is normalised by ``1/N``.

The functions take a :class:`~clverify.theory.similarity.Grams` (or, for losses that
only see cross-view pairs, use its ``uv`` part) and return a SymPy expression;
given a :class:`~clverify.theory.similarity.DoubleConstantSimilarity` with a symbolic
``N`` they return the closed form on that structure.

>>> import sympy as sp
>>> from clverify.theory.structures import CCEM
>>> t, b = sp.symbols("t b", positive=True)
>>> sigmoid_loss(CCEM(4, 1).grams(), t=t, b=b)
3*log(exp(-b - t/3) + 1) + log(exp(b - t) + 1)
"""

from __future__ import annotations

import sympy as sp

from .similarity import Grams

__all__ = ["softplus", "sigmoid_loss", "infonce_sym_loss", "LOSSES"]


def softplus(z):
    r""":math:`\operatorname{softplus}(z) = \log(1 + e^z)`, exact (numerics use stable forms)."""
    return sp.log(1 + sp.exp(z))


def sigmoid_loss(grams: Grams, *, t, b):
    r"""SigLIP's sigmoid loss with inverse temperature ``t`` and subtracted bias ``b``.

    .. math::
        L_{sig}(U, V; t, b) = \frac1N \Big[\sum_i \operatorname{softplus}(b - t\,u_i\cdot v_i)
        + \sum_{i \ne j} \operatorname{softplus}(t\,u_i\cdot v_j - b)\Big]
    """
    S = grams.uv
    return (S.sum_diagonal(lambda s: softplus(b - t * s))
            + S.sum_off_diagonal(lambda s: softplus(t * s - b))) / S.N


def infonce_sym_loss(grams: Grams, *, tau):
    r"""Symmetric (CLIP-style) InfoNCE with temperature ``tau`` (divides).

    .. math::
        L_{info}(U, V; \tau) = \frac1N \sum_i \Big[-\log \frac{e^{u_i\cdot v_i/\tau}}
        {\sum_j e^{u_i\cdot v_j/\tau}} - \log \frac{e^{v_i\cdot u_i/\tau}}{\sum_j e^{v_i\cdot u_j/\tau}}\Big]
    """
    S = grams.uv

    def row(diagonal, off):
        return -diagonal / tau + sp.log(sp.exp(diagonal / tau) + off(lambda s: sp.exp(s / tau)))

    return (S.sum_rows(row) + S.T.sum_rows(row)) / S.N


#: Name (as on the command line) -> (loss, names of its keyword parameters).
LOSSES = {
    "sigmoid": (sigmoid_loss, ("t", "b")),
    "infonce-sym": (infonce_sym_loss, ("tau",)),
}


# --------------------------------------------------------------------------------------------
# Koromilas et al. (ICML 2024): the InfoNCE family, DHEL, KCL and hyperspherical energies.
# Batch size M is ``grams.N``; ``tau`` divides.  Every ``mean`` below is a 1/M (or 1/(2M))
# normalisation; see docs/losses.md for the mapping to the authors' code.
# --------------------------------------------------------------------------------------------

__all__ += [
    "infonce_loss", "ntxent_loss", "dcl_loss", "dhel_loss", "kcl_loss",
    "kcl_kernel", "energy_kernel", "hyperspherical_energy",
    "KCL_KERNELS", "ENERGY_KERNELS", "DHEL_VIEWS", "DEFAULT_TAU", "DEFAULT_RIESZ_T",
]


#: Default temperature of the losses below (the DHEL authors' code default); equals
#: :data:`clverify.numerics.descent.torch_losses.DEFAULT_TAU`.
DEFAULT_TAU = sp.Rational(3, 10)
#: Default Riesz-kernel parameter of ``kcl-riesz`` (t < 0: see :data:`KCL_KERNELS`).
DEFAULT_RIESZ_T = -1


def _exp_over(tau):
    return lambda s: sp.exp(s / tau)


def infonce_loss(grams: Grams, *, tau=DEFAULT_TAU):
    r"""One-sided InfoNCE (anchor ``u``, cross-view negatives only), temperature ``tau``.

    .. math::
        L(U, V; \tau) = \frac1M \sum_i -\log \frac{e^{u_i\cdot v_i/\tau}}{\sum_j e^{u_i\cdot v_j/\tau}}

    >>> import sympy as sp
    >>> from clverify.theory.structures import SimplexETF
    >>> M, tau = sp.symbols("M tau", positive=True)
    >>> infonce_loss(SimplexETF(M).grams(), tau=tau)
    log((M - 1)*exp(-1/(tau*(M - 1))) + exp(1/tau)) - 1/tau
    """
    S = grams.uv
    e = _exp_over(tau)
    return S.sum_rows(lambda d, off: -d / tau + sp.log(e(d) + off(e))) / S.N


def ntxent_loss(grams: Grams, *, tau=DEFAULT_TAU):
    r"""NT-Xent (SimCLR): the 2M points ``u_1..u_M, v_1..v_M``, softmax over the 2M-1 others.

    .. math::
        L = \frac1{2M} \sum_{i} \Big[-\frac{u_i\cdot v_i}{\tau} + \log\Big(e^{u_i\cdot v_i/\tau}
        + \sum_{j\ne i} e^{u_i\cdot u_j/\tau} + \sum_{j\ne i} e^{u_i\cdot v_j/\tau}\Big)\Big]
        + (\text{the same with } u \leftrightarrow v)

    >>> import sympy as sp
    >>> from clverify.theory.structures import SimplexETF
    >>> ntxent_loss(SimplexETF(2).grams(), tau=1)
    -1 + log(2*exp(-1) + E)
    """
    e = _exp_over(tau)

    def anchor(d, off_cross, _d, off_within):
        return -d / tau + sp.log(e(d) + off_cross(e) + off_within(e))

    return (grams.uv.sum_rows_with(grams.uu, anchor)
            + grams.uv.T.sum_rows_with(grams.vv, anchor)) / (2 * grams.N)


def dcl_loss(grams: Grams, *, tau=DEFAULT_TAU):
    r"""Decoupled contrastive loss: NT-Xent with the positive removed from the denominator.

    .. math::
        L = \frac1{2M} \sum_{i} \Big[-\frac{u_i\cdot v_i}{\tau} + \log\Big(
        \sum_{j\ne i} e^{u_i\cdot u_j/\tau} + \sum_{j\ne i} e^{u_i\cdot v_j/\tau}\Big)\Big]
        + (\text{the same with } u \leftrightarrow v)

    >>> from clverify.theory.structures import SimplexETF
    >>> sp_loss = dcl_loss(SimplexETF(2).grams(), tau=1)
    >>> import sympy as sp; sp.expand_log(sp_loss, force=True)
    -2 + log(2)
    """
    e = _exp_over(tau)

    def anchor(d, off_cross, _d, off_within):
        return -d / tau + sp.log(off_cross(e) + off_within(e))

    return (grams.uv.sum_rows_with(grams.uu, anchor)
            + grams.uv.T.sum_rows_with(grams.vv, anchor)) / (2 * grams.N)


#: Valid values of DHEL's ``views``: 2 (the authors' ``include_augs=True``, default) or 1.
DHEL_VIEWS = (1, 2)


def dhel_loss(grams: Grams, *, tau=DEFAULT_TAU, views: int = 2):
    r"""Decoupled Hyperspherical Energy Loss (the authors' code, ``include_augs=True``).

    .. math::
        L = \frac1M \sum_i \Big[-\frac{u_i\cdot v_i}{\tau}
        + \log \sum_{j\ne i} e^{u_i\cdot u_j/\tau} + \log \sum_{j\ne i} e^{v_i\cdot v_j/\tau}\Big]

    ``views=1`` drops the last (``v``-``v``) term (``include_augs=False``).

    >>> import sympy as sp
    >>> from clverify.theory.structures import SimplexETF
    >>> M, tau = sp.symbols("M tau", positive=True)
    >>> value = dhel_loss(SimplexETF(M).grams(), tau=tau)
    >>> sp.simplify(sp.expand_log(value, force=True) - (-1/tau + 2*sp.log(M - 1) - 2/((M - 1)*tau)))
    0
    """
    from .params import check_choice

    check_choice("views", str(views), tuple(str(v) for v in DHEL_VIEWS))
    e = _exp_over(tau)

    def energy(S):
        return S.sum_rows(lambda d, off: sp.log(off(e)))

    value = -grams.uv.sum_diagonal(lambda s: s / tau) + energy(grams.uu)
    if int(views) == 2:
        value += energy(grams.vv)
    return value / grams.N


def _gaussian(s, t):
    return sp.exp(-t * (2 - 2 * s))


def _kcl_log(s, t):
    return -sp.log(1 + t * (2 - 2 * s))


def _imq(s, t):
    return t / sp.sqrt(t**2 + 2 - 2 * s)


def _riesz(s, t):
    t = sp.sympify(t)
    return sp.sign(t) * (2 - 2 * s) ** (-t / 2)


#: KCL kernels as functions of the similarity ``s = x.y`` of unit vectors
#: (:math:`|x-y|^2 = 2 - 2s`) and the kernel parameter ``t``:
#: gaussian :math:`e^{-t|x-y|^2}`; log :math:`-\log(1 + t|x-y|^2)`; imq
#: :math:`t/\sqrt{t^2 + |x-y|^2}`; riesz :math:`\operatorname{sign}(t)|x-y|^{-t}` (``t != 0``).
KCL_KERNELS = {"gaussian": _gaussian, "log": _kcl_log, "imq": _imq, "riesz": _riesz}


def kcl_kernel(name: str):
    r"""The KCL kernel ``name`` as a function ``(s, t) -> K`` of the similarity (see :data:`KCL_KERNELS`).

    >>> import sympy as sp
    >>> kcl_kernel("gaussian")(sp.Integer(0), 2)
    exp(-4)
    """
    from .params import check_choice

    check_choice("kernel", name, KCL_KERNELS)
    return KCL_KERNELS[name]


def kcl_loss(grams: Grams, *, gamma=16, t=2, kernel: str = "gaussian"):
    r"""Kernel contrastive loss with kernel ``K`` (parameter ``t``) and energy weight ``gamma``.

    .. math::
        L = -\frac2M \sum_i K(u_i, v_i) + \gamma\Big[\operatorname{mean}_{i<j} K(u_i, u_j)
        + \operatorname{mean}_{i<j} K(v_i, v_j)\Big]

    (``mean`` over the M(M-1)/2 pairs; the within-view matrices are symmetric, so this is
    the mean over :math:`i \ne j`.)

    >>> import sympy as sp
    >>> from clverify.theory.structures import SimplexETF
    >>> M = sp.Symbol("M", positive=True)
    >>> sp.simplify(kcl_loss(SimplexETF(M).grams()) - (-2 + 32 * sp.exp(-4 * M / (M - 1))))
    0
    """
    K = kcl_kernel(kernel)
    M = grams.N

    def k(s):
        return K(s, t)

    within = (grams.uu.sum_off_diagonal(k) + grams.vv.sum_off_diagonal(k)) / (M * (M - 1))
    return -2 * grams.uv.sum_diagonal(k) / M + gamma * within


def _energy_riesz(s, t):
    t = sp.sympify(t)
    return sp.sign(t) * (2 - 2 * s) ** (-t / 2)


def _energy_log(s, t):
    return -sp.log(2 - 2 * s) / 2


#: Hyperspherical-energy kernels of the similarity: riesz (Riesz ``t``-energy,
#: :math:`\operatorname{sign}(t)|x-y|^{-t}`), log (:math:`\log(1/|x-y|)`, ``t`` unused),
#: gaussian (:math:`e^{-t|x-y|^2}`).
ENERGY_KERNELS = {"riesz": _energy_riesz, "log": _energy_log, "gaussian": _gaussian}


def energy_kernel(name: str):
    r"""The energy kernel ``name`` as a function ``(s, t) -> K`` (see :data:`ENERGY_KERNELS`).

    >>> energy_kernel("riesz")(-1, 1)
    1/2
    """
    from .params import check_choice

    check_choice("kernel", name, ENERGY_KERNELS)
    return ENERGY_KERNELS[name]


def hyperspherical_energy(S, *, kernel: str = "riesz", t=1):
    r"""Hyperspherical energy :math:`E_K(U) = \sum_{i\ne j} K(u_i, u_j)` of a within-view matrix ``S``.

    >>> import sympy as sp
    >>> from clverify.theory.structures import SimplexETF
    >>> hyperspherical_energy(SimplexETF(3).grams().uu, kernel="riesz", t=1)
    2*sqrt(3)
    """
    K = energy_kernel(kernel)
    return S.sum_off_diagonal(lambda s: K(s, t))


LOSSES.update({
    "infonce": (infonce_loss, ("tau",)),
    "ntxent": (ntxent_loss, ("tau",)),
    "dcl": (dcl_loss, ("tau",)),
    "dhel": (dhel_loss, ("tau",)),
    "kcl": (kcl_loss, ("gamma", "t")),
})


def _variant(loss, name, defaults=None, **fixed):
    """``loss`` with the keyword arguments ``fixed`` bound and ``defaults`` as parameter defaults."""

    def variant(grams, **params):
        return loss(grams, **fixed, **{**(defaults or {}), **params})

    variant.__name__ = name
    variant.__doc__ = f"{loss.__name__} with {fixed} (see :func:`{loss.__name__}`)."
    return variant


#: Registered variants: the one-view DHEL and the non-Gaussian KCL kernels.
LOSSES.update({
    "dhel-1view": (_variant(dhel_loss, "dhel_1view_loss", views=1), ("tau",)),
    "kcl-log": (_variant(kcl_loss, "kcl_log_loss", kernel="log"), ("gamma", "t")),
    "kcl-imq": (_variant(kcl_loss, "kcl_imq_loss", kernel="imq"), ("gamma", "t")),
    "kcl-riesz": (_variant(kcl_loss, "kcl_riesz_loss", {"t": DEFAULT_RIESZ_T}, kernel="riesz"),
                  ("gamma", "t")),
})
