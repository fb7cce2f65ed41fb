r"""An elementwise function and its derivative, carried together through its operations.

:func:`value_and_slope` runs an elementwise ``f`` (written with torch arithmetic and
:data:`~clverify.numerics.descent.ops.TORCH_OPS`) on a :class:`Jet` of the entries ``S``
instead of a tensor: every operation returns its value and its derivative with respect to the
entry (the chain rule, with the derivative of each function written out:
:math:`\operatorname{softplus}' = \sigma`, :math:`\exp' = \exp`, ...).  An affine prefix
:math:`a s + c` (a temperature and a bias) is kept as its two coefficients until a non-linear
function needs its value, which is then one pass :math:`c + a S`.  So
:math:`\operatorname{softplus}(t s - b)` costs three passes over a tile (the logit, softplus,
sigmoid) and a scaling, where a forward and a backward autograd pass cost about six.

An operation the jet does not carry raises :class:`Unsupported` (or the ``TypeError`` or
``AttributeError`` of a missing method); :func:`~clverify.numerics.descent.fused.elementwise_derivative`
then differentiates ``f`` with autograd.  Derivatives are those of the functions as defined
(the exact softplus's is :math:`\sigma` everywhere, also above its cut-off, where the two
differ by less than :math:`e^{-34}`; torch's softplus cut at a lower point is another function,
left to autograd).

>>> import torch
>>> S = torch.tensor([[0.0, 1.0]], dtype=torch.float64)
>>> F, dF = value_and_slope(lambda s: torch.exp(2 * s - 1), S)
>>> F.tolist() == torch.exp(2 * S - 1).tolist(), dF.tolist() == (2 * torch.exp(2 * S - 1)).tolist()
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .ops import SOFTPLUS_EXACT_ABOVE

__all__ = ["Jet", "Unsupported", "value_and_slope"]


class Unsupported(Exception):
    """The function applies an operation that :class:`Jet` does not carry."""


def _scaled(fresh: torch.Tensor, factor) -> torch.Tensor:
    """``fresh * factor`` in place (``fresh``, of the entries' shape, is a new tensor that nothing
    else refers to; ``factor`` a slope: a number, or a tensor that broadcasts against it)."""
    if isinstance(factor, (int, float)) and factor == 1:
        return fresh
    return fresh.mul_(factor)


class Jet:
    r"""A value :math:`v(S)` and its derivative :math:`v'(S)` with respect to the entry, entry
    by entry: the affine :math:`a S + c` (``a``, ``c`` numbers or tensors that broadcast
    against ``S``) until its value is needed, else a tensor ``value`` and a ``slope``."""

    __slots__ = ("S", "a", "c", "_value", "_slope")

    def __init__(self, S: torch.Tensor, a=1, c=0, value: torch.Tensor | None = None, slope=None):
        self.S, self.a, self.c, self._value, self._slope = S, a, c, value, slope

    @classmethod
    def of(cls, value: torch.Tensor, slope, S: torch.Tensor) -> "Jet":
        """A jet with a computed value."""
        return cls(S, value=value, slope=slope)

    @property
    def affine(self) -> bool:
        return self._slope is None

    @property
    def value(self) -> torch.Tensor:
        """The value; for an affine jet :math:`c + a S`, in one pass, computed once."""
        if self._value is None:
            a, c, S = self.a, self.c, self.S
            if isinstance(a, (int, float)) and isinstance(c, (int, float)) and (a, c) == (1, 0):
                self._value = S
            elif isinstance(a, (int, float)):
                self._value = torch.add(torch.as_tensor(c, dtype=S.dtype, device=S.device), S, alpha=a)
            else:
                self._value = torch.addcmul(torch.as_tensor(c, dtype=S.dtype, device=S.device), S, a)
        return self._value

    @property
    def slope(self):
        """The derivative with respect to the entry: ``a`` for an affine jet."""
        return self.a if self._slope is None else self._slope

    # -- arithmetic ---------------------------------------------------------------------------
    def __add__(self, other):
        if isinstance(other, Jet):
            if self.affine and other.affine and other.S is self.S:
                return Jet(self.S, self.a + other.a, self.c + other.c)
            return Jet.of(self.value + other.value, self.slope + other.slope, self.S)
        if self.affine:
            return Jet(self.S, self.a, self.c + other)
        return Jet.of(self.value + other, self.slope, self.S)

    __radd__ = __add__

    def __neg__(self):
        return Jet(self.S, -self.a, -self.c) if self.affine else Jet.of(-self.value, -self.slope, self.S)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if isinstance(other, Jet):
            return Jet.of(self.value * other.value, self.slope * other.value + self.value * other.slope, self.S)
        if self.affine:
            return Jet(self.S, self.a * other, self.c * other)
        return Jet.of(self.value * other, self.slope * other, self.S)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Jet):
            q = self.value / other.value
            return Jet.of(q, (self.slope - q * other.slope) / other.value, self.S)
        if self.affine:
            return Jet(self.S, self.a / other, self.c / other)
        return Jet.of(self.value / other, self.slope / other, self.S)

    def __rtruediv__(self, other):
        q = other / self.value
        return Jet.of(q, -q * self.slope / self.value, self.S)

    def __pow__(self, k):
        if isinstance(k, Jet):
            raise Unsupported("a power with a variable exponent")
        if k == 2:
            v = self.value
            return Jet.of(v * v, 2 * v * self.slope, self.S)
        return Jet.of(self.value ** k, k * self.value ** (k - 1) * self.slope, self.S)

    def __abs__(self):
        return Jet.of(torch.abs(self.value), torch.sign(self.value) * self.slope, self.S)

    # -- a tensor (a batch of parameters) on the left, and the functions of TORCH_OPS ---------
    @classmethod      # as torch documents it (torch calls it on an instance, so a method works alike)
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in _REFLECTED and len(args) == 2 and isinstance(args[1], Jet) and not kwargs:
            return _REFLECTED[func](args[1], args[0])
        rule = _RULES.get(func)
        if rule is None:
            raise Unsupported(f"{getattr(func, '__name__', func)} on a jet")
        return rule(*args, **(kwargs or {}))


def _softplus(x: Jet, beta=1.0, threshold=20.0) -> Jet:
    r"""The exact softplus, derivative :math:`\sigma`: torch's with ``beta`` 1 and a cut-off at
    or above :data:`~.ops.SOFTPLUS_EXACT_ABOVE` (above which it returns ``z`` only where
    softplus rounds to ``z``).  With torch's defaults (a cut-off at 20) it is another function
    (``z`` above 20), left to autograd."""
    if beta != 1 or threshold < SOFTPLUS_EXACT_ABOVE:
        raise Unsupported(f"softplus with beta = {beta}, threshold = {threshold}: the jet carries "
                          f"the exact softplus only (beta = 1, threshold >= {SOFTPLUS_EXACT_ABOVE})")
    z = x.value
    return Jet.of(F.softplus(z, beta=1.0, threshold=threshold), _scaled(torch.sigmoid(z), x.slope), x.S)


def _exp(x: Jet) -> Jet:
    e = torch.exp(x.value)
    return Jet.of(e, e * x.slope, x.S)


def _logaddexp(x, y) -> Jet:
    jet = x if isinstance(x, Jet) else y
    vx, vy = (z.value if isinstance(z, Jet) else z for z in (x, y))
    out = torch.logaddexp(torch.as_tensor(vx, dtype=jet.S.dtype), torch.as_tensor(vy, dtype=jet.S.dtype))
    slope = 0
    for z, v in ((x, vx), (y, vy)):
        if isinstance(z, Jet):
            slope = slope + _scaled(torch.exp(v - out), z.slope)
    return Jet.of(out, slope, jet.S)


#: ``tensor op jet``, which Python hands to the tensor's method first.
_REFLECTED: dict[Callable, Callable] = {
    torch.Tensor.add: Jet.__radd__,
    torch.Tensor.sub: Jet.__rsub__,
    torch.Tensor.mul: Jet.__rmul__,
    torch.Tensor.div: Jet.__rtruediv__,
}

_RULES: dict[Callable, Callable] = {
    F.softplus: _softplus,
    torch.exp: _exp,
    torch.log: lambda x: Jet.of(torch.log(x.value), x.slope / x.value, x.S),
    torch.log1p: lambda x: Jet.of(torch.log1p(x.value), x.slope / (1 + x.value), x.S),
    torch.sqrt: lambda x: (lambda r: Jet.of(r, x.slope / (2 * r), x.S))(torch.sqrt(x.value)),
    torch.sign: lambda x: Jet.of(torch.sign(x.value), 0, x.S),
    torch.abs: Jet.__abs__,
    torch.sigmoid: lambda x: (lambda p: Jet.of(p, p * (1 - p) * x.slope, x.S))(torch.sigmoid(x.value)),
    torch.logaddexp: _logaddexp,
}


def value_and_slope(f: Callable, S: torch.Tensor) -> tuple:
    r""":math:`f(S)` and :math:`f'(S)` entry by entry, ``f`` run once on a :class:`Jet` of ``S``
    (each result a tensor, or a number or a parameter that broadcasts against ``S``; a result of
    ``f`` that is not a jet does not depend on the entry, so its derivative is 0).  Raises
    :class:`Unsupported` (or the ``TypeError`` or ``AttributeError`` of a missing method) where
    ``f`` applies an operation the jet does not carry."""
    out = f(Jet(S))
    return (out.value, out.slope) if isinstance(out, Jet) else (out, 0)
