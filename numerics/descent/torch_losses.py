r"""The losses of :mod:`clverify.theory.losses` on real embeddings: float64 torch, batched.

There is no second definition here: :class:`TorchLoss` runs a loss's one definition
``NAME(grams, ops, **params)`` with the torch backend, the similarity
:class:`~clverify.numerics.descent.similarity.TorchSimilarity` and the functions
:data:`~clverify.numerics.descent.ops.TORCH_OPS`.  ``U`` and ``V`` have shape ``(..., N, d)``
(rows are the embeddings); a parameter is a number or a tensor that broadcasts against the
leading batch shape ``...``; the value has shape ``...``.  Conventions are those of
:mod:`clverify.theory.losses`: ``t`` multiplies, ``b`` is subtracted, ``tau`` divides,
normalisation ``1/N``.

>>> import torch
>>> U = torch.eye(3, dtype=torch.float64)
>>> sigmoid = torch_loss("sigmoid")
>>> float(sigmoid(U, U, t=1.0, b=0.0))  # 3 softplus(-1) + 6 softplus(0), over 3
1.6995...
>>> float(sigmoid(2 * U, U, t=1.0, b=0.0))
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: U must have unit rows (| |u_i| - 1 | <= 1e-12), got a row of norm 2; normalise the rows or pass normalise=True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import LOSSES, Loss
from clverify.theory.params import check_choice

from .ops import TORCH_OPS
from .similarity import TorchSimilarity, torch_grams

__all__ = ["TorchLoss", "TORCH_LOSSES", "torch_loss", "evaluate_view", "UNIT_NORM_TOL"]

#: Largest accepted deviation of a row's norm from 1 (the losses are defined on the sphere).
UNIT_NORM_TOL = 1e-12


def _parameter(value):
    """A parameter for the torch backend: a tensor of batch shape ``...`` becomes ``(..., 1, 1)``
    (the layout of :class:`TorchSimilarity`'s entries); a decimal string (a float default,
    :attr:`~clverify.theory.losses.Loss.defaults`) becomes a float; numbers and names pass
    unchanged."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(value, (float, int)):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        value = torch.as_tensor(np.asarray(value, dtype=float))
    if isinstance(value, torch.Tensor):
        return value.to(torch.float64)[..., None, None]
    if getattr(value, "is_Number", False):  # an exact default (SymPy)
        return float(value)
    return value


def _value(result, batch: tuple) -> torch.Tensor:
    """A reduction's ``(..., 1, 1)`` result as a tensor of the batch shape ``...``."""
    if not isinstance(result, torch.Tensor) or result.shape[:-2] != batch or result.dim() < 2:
        result = torch.as_tensor(result, dtype=torch.float64)
        result = result.expand(np.broadcast_shapes(result.shape, (*batch, 1, 1)))
    return result[..., 0, 0]


def _check_unit(name: str, X: torch.Tensor, mask, normalise: bool) -> torch.Tensor:
    """``X`` if its real rows are unit to :data:`UNIT_NORM_TOL`, normalised if ``normalise``."""
    norms = torch.linalg.vector_norm(X.detach(), dim=-1)
    real = torch.ones_like(norms, dtype=torch.bool) if mask is None else mask
    if normalise:
        scale = torch.linalg.vector_norm(X, dim=-1, keepdim=True)
        return torch.where(real[..., None], X / torch.where(real[..., None], scale, 1.0), X)
    error = torch.where(real, (norms - 1).abs(), 0.0)
    if error.numel() and float(error.max()) > UNIT_NORM_TOL:
        worst = float(norms[real][torch.argmax(error[real])])
        raise InvalidParameterError(
            f"{name} must have unit rows (| |u_i| - 1 | <= {UNIT_NORM_TOL:g}), got a row of norm "
            f"{worst:.15g}; normalise the rows or pass normalise=True")
    return X


@dataclass(frozen=True)
class TorchLoss:
    """A :class:`~clverify.theory.losses.Loss` as a float64 torch function of ``(U, V)``.

    Calling it checks that the (real) rows are unit vectors to :data:`UNIT_NORM_TOL`, or
    normalises them with ``normalise=True``; :meth:`value` skips that check, for callers
    whose rows are unit by construction (the optimiser, on the sphere).  Parameters not
    given take the loss's defaults.
    """

    loss: Loss

    @property
    def name(self) -> str:
        return self.loss.name

    @property
    def parameters(self) -> tuple[str, ...]:
        return self.loss.parameters

    @cached_property
    def defaults(self) -> dict:
        """The loss's defaults as the torch backend takes them (floats)."""
        return {k: _parameter(v) for k, v in self.loss.defaults.items()}

    def __call__(self, U: torch.Tensor, V: torch.Tensor, *, mask: torch.Tensor | None = None,
                 normalise: bool = False, **params) -> torch.Tensor:
        r"""The loss of ``(U, V)``, shape ``...``.

        Parameters
        ----------
        U, V : torch.Tensor
            float64, shape ``(..., N, d)``, unit rows.
        mask : torch.Tensor, optional
            Boolean, shape ``(..., N)``: which rows are real.  Several problems of different
            sizes then share one padded tensor: every sum runs over real rows and pairs only
            and ``N`` is the number of real rows.  Padded rows enter no term, so their
            gradient is exactly zero; they should be zero vectors (the optimiser's padding).
        normalise : bool
            Divide each real row by its norm instead of requiring unit rows.
        **params
            The loss's parameters; numbers, or tensors broadcasting against ``...``.
        """
        U = _check_unit("U", U, mask, normalise)
        V = _check_unit("V", V, mask, normalise)
        return self.value(U, V, mask=mask, **params)

    def value(self, U: torch.Tensor, V: torch.Tensor, *, mask: torch.Tensor | None = None,
              grams=torch_grams, **params) -> torch.Tensor:
        """As calling it, without checking or normalising the rows; ``grams(U, V, mask)`` builds
        the similarities (:func:`~clverify.numerics.descent.blocked.blocked_grams`: by row blocks)."""
        params = {**self.defaults, **{k: _parameter(v) for k, v in params.items()}}
        params = {k: v.to(U.device) if isinstance(v, torch.Tensor) else v for k, v in params.items()}
        batch = U.shape[:-2] if U.shape[:-2] == V.shape[:-2] else np.broadcast_shapes(U.shape[:-2], V.shape[:-2])
        return _value(self.loss(grams(U, V, mask), TORCH_OPS, **params), batch)


#: Name (as on the command line) -> :class:`TorchLoss`, one per :data:`clverify.theory.losses.LOSSES`.
TORCH_LOSSES = {name: TorchLoss(loss) for name, loss in LOSSES.items()}


def torch_loss(loss: str | Loss) -> TorchLoss:
    """The torch loss of ``loss``: a name of :data:`TORCH_LOSSES` or any
    :class:`~clverify.theory.losses.Loss` (a user's, e.g. from
    :func:`clverify.theory.loss_files.load_loss`).

    >>> torch_loss("dhel").parameters
    ('tau',)
    """
    if isinstance(loss, Loss):
        return TORCH_LOSSES[loss.name] if LOSSES.get(loss.name) is loss else TorchLoss(loss)
    check_choice("loss", loss, TORCH_LOSSES)
    return TORCH_LOSSES[loss]


def evaluate_view(function, U: torch.Tensor, **params) -> torch.Tensor:
    r"""``function(S, TORCH_OPS, **params)`` on the within-view similarity ``S`` of ``U``
    (``(..., N, d)``, unit rows): a one-view term such as
    :func:`~clverify.theory.losses.dhel_energy` or :func:`~clverify.theory.losses.hyperspherical_energy`.

    >>> import torch
    >>> from clverify.theory.losses import hyperspherical_energy
    >>> float(evaluate_view(hyperspherical_energy, torch.tensor([[1.0, 0], [-1, 0]], dtype=torch.float64)))
    1.0
    """
    params = {k: _parameter(v) for k, v in params.items()}
    return _value(function(TorchSimilarity(U, U), TORCH_OPS, **params), U.shape[:-2])
