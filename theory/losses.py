r"""The contrastive losses, each defined once, for every backend.

A loss is a function ``NAME(grams, ops, **params)``: ``grams`` is a
:class:`~clverify.theory.similarity.Grams` (``uv``, ``uu``, ``vv``, each a
:class:`~clverify.theory.similarity.Similarity`), ``ops`` an :class:`~clverify.theory.ops.Ops`
of elementary functions.  The same definition gives the SymPy expression on a structure
(:data:`~clverify.theory.ops.SYMPY_OPS`; with a symbolic ``N`` on the CCEM, the restriction
that :mod:`clverify.theory.derivation` differentiates), high-precision and ball values
(``MPMATH_OPS``, ``ARB_OPS``) and a float64, batched torch loss on real embeddings
(:mod:`clverify.numerics.descent.torch_losses`).  Numerical care lives in the backends' ``ops``;
the definitions are written in the forms that keep it: a softmax row is
:math:`\operatorname{softplus}(\log\sum_{j\ne i} e^{(s_{ij} - s_{ii})/\tau})`, never a
difference of two large logarithms, and kernels take squared distances, never
:math:`2 - 2s`.

Conventions (see ``docs/theory.md``): ``t`` **multiplies** a similarity (an inverse
temperature), ``b`` is **subtracted** from the logit (SigLIP's own bias is ``-b``), ``tau``
**divides**.  Every loss is normalised by ``1/N``.

>>> import sympy as sp
>>> from clverify.theory.ops import SYMPY_OPS
>>> from clverify.theory.structures import CCEM
>>> t, b = sp.symbols("t b", positive=True)
>>> sigmoid_loss(CCEM(4, 1).grams(), SYMPY_OPS, t=t, b=b)
3*log(exp(-b - t/3) + 1) + log(exp(b - t) + 1)
>>> LOSSES["infonce"].defaults
{'tau': 3/10}
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

import sympy as sp

from .errors import InvalidParameterError
from .params import check_choice
from .similarity import Grams, Similarity

__all__ = [
    "Loss", "LOSSES", "DEFAULT_PARAMETERS", "DEFAULT_TAU", "DEFAULT_RIESZ_T", "DHEL_VIEWS",
    "sigmoid_loss", "infonce_loss", "infonce_sym_loss", "ntxent_loss", "dcl_loss", "dhel_loss",
    "kcl_loss", "dhel_energy", "kcl_energy", "hyperspherical_energy",
    "KCL_KERNELS", "ENERGY_KERNELS", "kcl_kernel", "energy_kernel",
]


@dataclass(frozen=True)
class Loss:
    """A loss by name: ``function(grams, ops, **params)`` and the names of its parameters.

    ``parameters`` are the keyword arguments a user sets (numbers, or names such as a
    kernel); their defaults are read from ``function``'s signature.

    >>> LOSSES["kcl-riesz"].defaults
    {'gamma': 16, 't': -1}
    >>> LOSSES["sigmoid"].resolve({"t": 1})
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: loss 'sigmoid' needs parameter(s) b (e.g. --param b=VALUE)
    """

    name: str
    function: Callable
    parameters: tuple[str, ...]

    def __call__(self, grams: Grams, ops, **params):
        return self.function(grams, ops, **params)

    @property
    def defaults(self) -> dict:
        """Default values of the parameters that have one (exact numbers for SymPy; a float
        default as its shortest round-tripping decimal string, ``0.2`` as ``"0.2"``, read exactly
        as ``--param b=0.2`` is)."""
        signature = inspect.signature(self.function).parameters
        return {name: _decimal(signature[name].default) for name in self.parameters
                if name in signature and signature[name].default is not inspect.Parameter.empty}

    def resolve(self, params: dict) -> dict:
        """``params`` (``None`` values dropped) completed by the defaults; an unknown or a missing
        parameter, or a word (not a number) for a parameter whose default is not a word, is an
        :class:`~clverify.theory.errors.InvalidParameterError`.

        >>> LOSSES["sigmoid"].resolve({"t": "abc", "b": 1})
        Traceback (most recent call last):
            ...
        clverify.theory.errors.InvalidParameterError: t must be a real number (a parameter of loss 'sigmoid'), got 'abc'
        """
        given = {k: v for k, v in params.items() if v is not None}
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            raise InvalidParameterError(
                f"{unknown[0]} is not a parameter of loss {self.name!r}; its parameters are "
                f"{', '.join(self.parameters) or 'none'}")
        defaults = self.defaults
        for name, value in given.items():
            if isinstance(value, str) and not isinstance(defaults.get(name), str) and not _is_number(value):
                raise InvalidParameterError(
                    f"{name} must be a real number (a parameter of loss {self.name!r}), got {value!r}")
        out = {**defaults, **given}
        missing = [k for k in self.parameters if k not in out]
        if missing:
            raise InvalidParameterError(
                f"loss {self.name!r} needs parameter(s) {', '.join(missing)} "
                f"(e.g. --param {missing[0]}=VALUE)")
        return {k: out[k] for k in self.parameters}


def _decimal(value):
    """A float as its shortest round-tripping decimal string; anything else unchanged."""
    return repr(value) if isinstance(value, float) else value


def _is_number(text: str) -> bool:
    """Whether ``text`` reads as a decimal number (``"1e-3"``, ``"nan"``; not ``"gaussian"``)."""
    try:
        Decimal(text.strip())
    except InvalidOperation:
        return False
    return True


def _both_views(grams: Grams, anchored: Callable[[Grams], object]):
    """``anchored(grams) + anchored(grams.swapped())``: the sum over anchors in ``U``, then in ``V``."""
    return anchored(grams) + anchored(grams.swapped())


def sigmoid_loss(grams: Grams, ops, *, t, b):
    r"""SigLIP's sigmoid loss with inverse temperature ``t`` and subtracted bias ``b``.

    .. math::
        L_{sig}(U, V; t, b) = \frac1N \Big[\sum_i \operatorname{softplus}(b - t\,u_i\cdot v_i)
        + \sum_{i \ne j} \operatorname{softplus}(t\,u_i\cdot v_j - b)\Big]
    """
    S = grams.uv
    return (S.sum_diagonal(lambda s: ops.softplus(b - t * s))
            + S.sum_off_diagonal(lambda s: ops.softplus(t * s - b))) / S.N


#: Default temperature of the InfoNCE-type losses and DHEL (the DHEL authors' code default).
DEFAULT_TAU = sp.Rational(3, 10)


def _softmax_rows(S: Similarity, ops, tau):
    r""":math:`\sum_i -\log \operatorname{softmax}_j(S_{ij}/\tau)_i = \sum_i \operatorname{softplus}(\log\sum_{j\ne i} e^{(S_{ij}-S_{ii})/\tau})`."""
    return S.sum_rows(lambda d, off: ops.softplus(off.logsumexp(lambda s: (s - d) / tau)))


def infonce_loss(grams: Grams, ops, *, tau=DEFAULT_TAU):
    r"""One-sided InfoNCE (anchor ``u``, cross-view negatives only), temperature ``tau``.

    .. math::
        L(U, V; \tau) = \frac1M \sum_i -\log \frac{e^{u_i\cdot v_i/\tau}}{\sum_j e^{u_i\cdot v_j/\tau}}

    >>> import sympy as sp
    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> M, tau = sp.symbols("M tau", positive=True)
    >>> infonce_loss(SimplexETF(M).grams(), SYMPY_OPS, tau=tau)
    log((M - 1)*exp((-1 - 1/(M - 1))/tau) + 1)
    """
    return _softmax_rows(grams.uv, ops, tau) / grams.N


def infonce_sym_loss(grams: Grams, ops, *, tau=DEFAULT_TAU):
    r"""Symmetric (CLIP-style) InfoNCE with temperature ``tau`` (divides): the one-sided loss
    of ``(U, V)`` plus that of ``(V, U)`` (a sum, not a mean).

    .. math::
        L_{info}(U, V; \tau) = \frac1N \sum_i \Big[-\log \frac{e^{u_i\cdot v_i/\tau}}
        {\sum_j e^{u_i\cdot v_j/\tau}} - \log \frac{e^{v_i\cdot u_i/\tau}}{\sum_j e^{v_i\cdot u_j/\tau}}\Big]
    """
    return _both_views(grams, lambda g: _softmax_rows(g.uv, ops, tau)) / grams.N


def _two_view_rows(grams: Grams, ops, tau, positive_in_denominator: bool):
    r"""Rows of the 2M-point losses anchored in ``U``: :math:`\log \sum` over the negatives
    :math:`v_j, u_j` (:math:`j \ne i`) of :math:`e^{(s - s_{ii})/\tau}`, through a softplus
    when the positive is in the denominator too."""

    def row(d, off_cross, _d, off_within):
        def shifted(s):
            return (s - d) / tau

        negatives = ops.logsumexp(off_cross.logsumexp(shifted), off_within.logsumexp(shifted))
        return ops.softplus(negatives) if positive_in_denominator else negatives

    return grams.uv.sum_rows_with(grams.uu, row)


def ntxent_loss(grams: Grams, ops, *, tau=DEFAULT_TAU):
    r"""NT-Xent (SimCLR): the 2M points ``u_1..u_M, v_1..v_M``, softmax over the 2M-1 others.

    .. math::
        L = \frac1{2M} \sum_{i} \Big[-\frac{u_i\cdot v_i}{\tau} + \log\Big(e^{u_i\cdot v_i/\tau}
        + \sum_{j\ne i} e^{u_i\cdot u_j/\tau} + \sum_{j\ne i} e^{u_i\cdot v_j/\tau}\Big)\Big]
        + (\text{the same with } u \leftrightarrow v)

    >>> import sympy as sp
    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> ntxent_loss(SimplexETF(2).grams(), SYMPY_OPS, tau=1)   # -1 + log(e + 2)
    log(2*exp(-2) + 1)
    """
    return _both_views(grams, lambda g: _two_view_rows(g, ops, tau, True)) / (2 * grams.N)


def dcl_loss(grams: Grams, ops, *, tau=DEFAULT_TAU):
    r"""Decoupled contrastive loss: NT-Xent with the positive removed from the denominator.

    .. math::
        L = \frac1{2M} \sum_{i} \Big[-\frac{u_i\cdot v_i}{\tau} + \log\Big(
        \sum_{j\ne i} e^{u_i\cdot u_j/\tau} + \sum_{j\ne i} e^{u_i\cdot v_j/\tau}\Big)\Big]
        + (\text{the same with } u \leftrightarrow v)

    >>> import sympy as sp
    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> sp.expand_log(dcl_loss(SimplexETF(2).grams(), SYMPY_OPS, tau=1), force=True)
    -2 + log(2)
    """
    return _both_views(grams, lambda g: _two_view_rows(g, ops, tau, False)) / (2 * grams.N)


#: Valid values of DHEL's ``views``: 2 (the authors' ``include_augs=True``, default) or 1.
DHEL_VIEWS = (1, 2)


def _energy_rows(S: Similarity, tau):
    r""":math:`\sum_i \log \sum_{j\ne i} e^{S_{ij}/\tau}`."""
    return S.sum_rows(lambda d, off: off.logsumexp(lambda s: s / tau))


def dhel_energy(S: Similarity, ops, *, tau=DEFAULT_TAU):
    r"""DHEL's within-view energy :math:`\frac1M \sum_i \log \sum_{j\ne i} e^{S_{ij}/\tau}` of one view.

    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> dhel_energy(SimplexETF(3).grams().uu, SYMPY_OPS, tau=1)
    log(2*exp(-1/2))
    """
    return _energy_rows(S, tau) / S.N


def dhel_loss(grams: Grams, ops, *, tau=DEFAULT_TAU, views: int = 2):
    r"""Decoupled Hyperspherical Energy Loss (the authors' code, ``include_augs=True``).

    .. math::
        L = \frac1M \sum_i \Big[-\frac{u_i\cdot v_i}{\tau}
        + \log \sum_{j\ne i} e^{u_i\cdot u_j/\tau} + \log \sum_{j\ne i} e^{v_i\cdot v_j/\tau}\Big]

    ``views=1`` drops the last (``v``-``v``) term (``include_augs=False``).

    >>> import sympy as sp
    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> M, tau = sp.symbols("M tau", positive=True)
    >>> value = dhel_loss(SimplexETF(M).grams(), SYMPY_OPS, tau=tau)
    >>> sp.simplify(sp.expand_log(value, force=True) - (-1/tau + 2*sp.log(M - 1) - 2/((M - 1)*tau)))
    0
    """
    check_choice("views", str(views), tuple(str(v) for v in DHEL_VIEWS))
    value = -grams.uv.sum_diagonal(lambda s: s / tau) + _energy_rows(grams.uu, tau)
    if int(views) == 2:
        value += _energy_rows(grams.vv, tau)
    return value / grams.N


# Kernels of the squared distance r2 = |x - y|^2 (2 - 2 x.y for unit vectors), parameter t.
def _gaussian(r2, t, ops):
    return ops.exp(-t * r2)


def _kcl_log(r2, t, ops):
    return -ops.log1p(t * r2)


def _imq(r2, t, ops):
    return t / ops.sqrt(t**2 + r2)


def _riesz(r2, t, ops):
    return ops.sign(t) * ops.sqrt(r2) ** (-t)


def _energy_log(r2, t, ops):
    return -ops.log(r2) / 2


#: KCL kernels as functions ``(r2, t, ops)`` of the squared distance :math:`r^2 = |x-y|^2`:
#: gaussian :math:`e^{-t r^2}`; log :math:`-\log(1 + t r^2)`; imq :math:`t/\sqrt{t^2 + r^2}`;
#: riesz :math:`\operatorname{sign}(t)\,r^{-t}` (``t != 0``).
KCL_KERNELS = {"gaussian": _gaussian, "log": _kcl_log, "imq": _imq, "riesz": _riesz}

#: Hyperspherical-energy kernels ``(r2, t, ops)``: riesz (Riesz ``t``-energy,
#: :math:`\operatorname{sign}(t)\,r^{-t}`), log (:math:`\log(1/r)`, ``t`` unused), gaussian.
ENERGY_KERNELS = {"riesz": _riesz, "log": _energy_log, "gaussian": _gaussian}


def kcl_kernel(name: str):
    r"""The KCL kernel ``name`` as a function ``(r2, t, ops) -> K`` (see :data:`KCL_KERNELS`).

    >>> from clverify.theory.ops import SYMPY_OPS
    >>> kcl_kernel("gaussian")(4, 2, SYMPY_OPS)
    exp(-8)
    """
    check_choice("kernel", name, KCL_KERNELS)
    return KCL_KERNELS[name]


def energy_kernel(name: str):
    r"""The energy kernel ``name`` as a function ``(r2, t, ops) -> K`` (see :data:`ENERGY_KERNELS`).

    >>> from clverify.theory.ops import SYMPY_OPS
    >>> energy_kernel("riesz")(4, 1, SYMPY_OPS)
    1/2
    """
    check_choice("kernel", name, ENERGY_KERNELS)
    return ENERGY_KERNELS[name]


def _kernel_sum(S: Similarity, ops, K, t):
    r""":math:`\sum_{i\ne j} K(|x_i - x_j|^2)` over the off-diagonal entries of ``S``."""
    return S.squared_distances().sum_off_diagonal(lambda r2: K(r2, t, ops))


def kcl_energy(S: Similarity, ops, *, t=2, kernel: str = "gaussian"):
    r"""KCL's within-view energy :math:`\operatorname{mean}_{i\ne j} K(u_i, u_j)` of one view.

    >>> import sympy as sp
    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> kcl_energy(SimplexETF(3).grams().uu, SYMPY_OPS, t=1)
    exp(-3)
    """
    return _kernel_sum(S, ops, kcl_kernel(kernel), t) / (S.N * (S.N - 1))


def kcl_loss(grams: Grams, ops, *, gamma=16, t=2, kernel: str = "gaussian"):
    r"""Kernel contrastive loss with kernel ``K`` (parameter ``t``) and energy weight ``gamma``.

    .. math::
        L = -\frac2M \sum_i K(u_i, v_i) + \gamma\Big[\operatorname{mean}_{i<j} K(u_i, u_j)
        + \operatorname{mean}_{i<j} K(v_i, v_j)\Big]

    (``mean`` over the M(M-1)/2 pairs; the within-view matrices are symmetric, so this is
    the mean over :math:`i \ne j`.)  ``K`` takes the squared distance, computed from the
    vectors by backends that hold them.

    >>> import sympy as sp
    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> M = sp.Symbol("M", positive=True)
    >>> sp.simplify(kcl_loss(SimplexETF(M).grams(), SYMPY_OPS) - (-2 + 32 * sp.exp(-4 * M / (M - 1))))
    0
    """
    K = kcl_kernel(kernel)
    M = grams.N
    align = grams.uv.squared_distances().sum_diagonal(lambda r2: K(r2, t, ops))
    within = (_kernel_sum(grams.uu, ops, K, t) + _kernel_sum(grams.vv, ops, K, t)) / (M * (M - 1))
    return -2 * align / M + gamma * within


def hyperspherical_energy(S: Similarity, ops, *, kernel: str = "riesz", t=1):
    r"""Hyperspherical energy :math:`E_K(U) = \sum_{i\ne j} K(u_i, u_j)` of a within-view matrix ``S``.

    >>> from clverify.theory.ops import SYMPY_OPS
    >>> from clverify.theory.structures import SimplexETF
    >>> hyperspherical_energy(SimplexETF(3).grams().uu, SYMPY_OPS, kernel="riesz", t=1)
    2*sqrt(3)
    """
    return _kernel_sum(S, ops, energy_kernel(kernel), t)


#: Default kernel parameter of the Riesz KCL: t > 0 makes -2 K(u_i, v_i) -> -infinity as
#: v_i -> u_i (unbounded below), so t = -1, K = -|x - y| (the authors' code default is 2).
DEFAULT_RIESZ_T = -1


#: Name (as on the command line) -> :class:`Loss`.
LOSSES = {loss.name: loss for loss in (
    Loss("sigmoid", sigmoid_loss, ("t", "b")),
    Loss("infonce-sym", infonce_sym_loss, ("tau",)),
    Loss("infonce", infonce_loss, ("tau",)),
    Loss("ntxent", ntxent_loss, ("tau",)),
    Loss("dcl", dcl_loss, ("tau",)),
    Loss("dhel", dhel_loss, ("tau",)),
    Loss("kcl", kcl_loss, ("gamma", "t")),
    # variants: the one-view DHEL and the non-Gaussian KCL kernels
    Loss("dhel-1view", partial(dhel_loss, views=1), ("tau",)),
    Loss("kcl-log", partial(kcl_loss, kernel="log"), ("gamma", "t")),
    Loss("kcl-imq", partial(kcl_loss, kernel="imq"), ("gamma", "t")),
    Loss("kcl-riesz", partial(kcl_loss, kernel="riesz", t=DEFAULT_RIESZ_T), ("gamma", "t")),
)}

#: Default parameters as floats (the optimiser's and the command line's), by loss name.
DEFAULT_PARAMETERS = {name: {k: float(v) for k, v in loss.defaults.items()}
                      for name, loss in LOSSES.items() if loss.defaults}
