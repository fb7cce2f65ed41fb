r"""The torch backend's elementary functions, :data:`TORCH_OPS` (float64 tensors).

Numerical stability lives here, not in the losses:

* ``softplus`` is exact for every float64 input: :func:`torch.nn.functional.softplus` with
  the cut-off :data:`SOFTPLUS_EXACT_ABOVE` = 34 instead of its default 20.  Above
  :math:`48 \log 2 \approx 33.27`, :math:`\log(1 + e^z) - z = \log(1 + e^{-z}) < 2^{-48}`,
  less than half a unit in the last place of any :math:`z \ge 32`, so returning ``z`` there
  *is* the correctly rounded value; below it, ``log1p(exp(z))`` neither overflows nor loses
  relative accuracy.  (The default cut at 20 is off by up to :math:`e^{-20} \approx 2\cdot
  10^{-9}`.)  It is also about twice as fast, forward and backward, as ``torch.logaddexp(z, 0)``;
* ``logsumexp(a, b, ...)`` is ``torch.logaddexp`` folded over its arguments (no overflow);
  the row reduction ``off.logsumexp(g)`` of
  :class:`~clverify.numerics.descent.similarity.TorchSimilarity` is ``torch.logsumexp``.

Every function also takes Python numbers (a parameter shared by a batch).

>>> import torch
>>> z = torch.tensor([-1000.0, 0.0, 33.0, 1000.0], dtype=torch.float64)
>>> TORCH_OPS.softplus(z)
tensor([0.0000e+00, 6.9315e-01, 3.3000e+01, 1.0000e+03], dtype=torch.float64)
>>> float(TORCH_OPS.logsumexp(torch.tensor(1000.0, dtype=torch.float64), 1000.0))  # 1000 + log 2
1000.6931471805599
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from clverify.theory.ops import Ops

__all__ = ["TORCH_OPS", "SOFTPLUS_EXACT_ABOVE", "as_tensor"]

#: Above this, float64 softplus(z) rounds to z exactly (see the module docstring).
SOFTPLUS_EXACT_ABOVE = 34.0


def as_tensor(z) -> torch.Tensor:
    """``z`` as a float64 tensor (tensors, and objects that handle torch's functions themselves,
    such as :class:`~clverify.numerics.descent.jet.Jet`, pass through unchanged).

    >>> as_tensor(2).dtype
    torch.float64
    """
    return z if hasattr(type(z), "__torch_function__") else torch.tensor(z, dtype=torch.float64)


def _elementwise(fn):
    return lambda z: fn(as_tensor(z))


#: float64 torch tensors, batched by broadcasting.
TORCH_OPS = Ops(
    name="torch",
    exp=_elementwise(torch.exp),
    log=_elementwise(torch.log),
    log1p=_elementwise(torch.log1p),
    softplus=_elementwise(functools.partial(F.softplus, beta=1.0, threshold=SOFTPLUS_EXACT_ABOVE)),
    sqrt=_elementwise(torch.sqrt),
    sign=_elementwise(torch.sign),
    logsumexp=lambda *terms: functools.reduce(torch.logaddexp, (as_tensor(z) for z in terms)),
)
