r"""A loss end to end: its CCEM restriction, optimum and regime, and gradient descent on free
embeddings in the same run (``clverify analyse``, ``from clverify import analyse``).

For a loss (built in, or a user's :func:`~clverify.theory.loss_files.load_loss`) at
``(N, d, params)``, :func:`analyse` returns an :class:`Analysis`:

* the CCEM restriction :math:`\ell(x)`, :math:`x = \delta^2` (LaTeX, symbolic ``N`` and
  parameters), its minimiser :math:`x^*`, :math:`\delta^*`, the similarities :math:`s_\pm`,
  the optimal value and the regime, at ``digits`` digits, certified where the expression
  allows (:func:`~clverify.numerics.precision.ccem_optimum.ccem_optimum`);
* the best of ``restarts`` seeded runs of the batched Riemannian L-BFGS on free unit
  embeddings (:func:`~clverify.numerics.descent.optimise.optimise_embedding`; in dimension 1,
  as ``clverify gd``, the exact minimum over the sign patterns,
  :func:`~clverify.numerics.descent.discrete.minimise_s0`), its loss, the gap
  to the CCEM optimum and the permutation-invariant Gram distance to the CCEM at
  :math:`\delta^*`.  A gap below :data:`LOSS_GAP_RTOL` (relative) means that gradient descent
  found a better embedding than every CCEM: the CCEM family does not contain the optimum of
  this loss there, and the ``note`` says so.

:func:`sweep` finds where the regime changes along one parameter
(:func:`~clverify.numerics.precision.regime_sweep.regime_changes`).

>>> r = analyse("sigmoid", 5, params={"t": "2", "b": "2"}, restarts=1)
>>> r.regime, r.certified, r.converged, abs(r.loss_gap) < 1e-9, r.gram_distance < 1e-6
('etf', True, True, True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import mpmath
import sympy as sp

from clverify.theory.errors import VerifierError
from clverify.theory.loss_files import USER_CODE_ERRORS, check_loss, failure
from clverify.theory.losses import LOSSES, Loss
from clverify.theory.params import check_batch_size, check_choice, check_dimension, check_positive
from clverify.theory.structures import CCEM

from .precision.ccem_optimum import Restriction, ccem_optimum, split_parameters
from .precision.certify import Enclosure
from .precision.regime_sweep import RegimeChange, regime_changes

__all__ = ["Analysis", "analyse", "sweep", "as_loss", "LOSS_GAP_RTOL", "DEFAULT_DIGITS"]

#: GD loss below the CCEM optimum by more than this (relative, floor 1) is reported.
LOSS_GAP_RTOL = 1e-9
#: Default significant digits of the CCEM optimum.
DEFAULT_DIGITS = 30


@dataclass(frozen=True)
class Analysis:
    """One ``clverify analyse`` record (high-precision values are mpmath numbers; the GD fields
    are None when gradient descent was not run)."""

    loss_name: str
    N: int
    d: int
    params: dict
    loss_latex: str
    x_star: mpmath.mpf
    delta_star: mpmath.mpf
    s_pos: mpmath.mpf
    s_neg: mpmath.mpf
    loss: mpmath.mpf
    regime: str
    certified: bool
    x_enclosure: Enclosure
    certificate: str
    gd_loss: float | None
    loss_gap: float | None
    gram_distance: float | None
    converged: bool | None
    seed: int | None
    note: str | None

    def record(self) -> dict:
        """The fields as a flat dict (the CLI's record; enclosures stay objects)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def as_loss(loss: str | Loss) -> Loss:
    """A :class:`~clverify.theory.losses.Loss` from a built-in name or a ``Loss``.

    >>> as_loss("dhel").parameters
    ('tau',)
    """
    if isinstance(loss, Loss):
        return loss
    check_choice("loss", loss, LOSSES)
    return LOSSES[loss]


def _checked(loss: Loss, params: dict) -> dict:
    """The resolved parameters, after running the loss once symbolically (a user's loss that
    cannot run fails here, before any long work)."""
    params = loss.resolve(params)
    numeric, fixed = split_parameters(params)
    check_loss(loss, {**{k: sp.Symbol(k, real=True) for k in numeric}, **fixed})
    return params


def _user_code(loss: Loss, backend: str, call):
    """``call()``, with a failure of the loss's own code reported as one line."""
    try:
        return call()
    except VerifierError:
        raise
    except USER_CODE_ERRORS as exc:  # a user's loss may raise anything, sys.exit included
        if LOSSES.get(loss.name) is loss:
            raise
        raise failure(loss, backend, exc) from None


def analyse(loss: str | Loss, N: int, d: int | None = None, params: dict | None = None, *,
            digits: int = DEFAULT_DIGITS, gd: bool = True, seed: int = 0, restarts: int = 3,
            tol: float | None = None, max_iter: int | None = None,
            device: str = "cpu") -> Analysis:
    r"""The CCEM optimum of ``loss`` at ``(N, params)`` and, unless ``gd=False``, gradient descent
    on free embeddings in dimension ``d`` (default ``N``).

    Parameters
    ----------
    loss : str or Loss
        A built-in name (``"sigmoid"``, ...) or a :class:`~clverify.theory.losses.Loss`.
    N, d : int
        Batch size (:math:`\ge 3`) and dimension (default ``N``; the CCEM needs :math:`d \ge N`).
    params : dict
        The loss's parameters, numbers or decimal strings (kept exact); defaults apply.
    digits : int
        Significant digits of the CCEM optimum.
    gd, seed, restarts, tol, max_iter, device
        Whether to run gradient descent, and its settings
        (:func:`~clverify.numerics.descent.optimise.optimise_embedding`).

    Returns
    -------
    Analysis
    """
    loss = as_loss(loss)
    N = check_batch_size("N", N)
    d = N if d is None else check_dimension("d", d, 1)
    if gd:   # the optimiser's settings, checked before the long work
        if d == 1:
            from .descent.discrete import check_enumerable
            check_enumerable(N)
        check_batch_size("restarts", restarts, 1)
        check_batch_size("seed", seed, 0)
        if tol is not None:
            check_positive("tol", tol)
        if max_iter is not None:
            check_batch_size("max_iter", max_iter, 1)
    params = _checked(loss, dict(params or {}))
    opt = _user_code(loss, "mpmath", lambda: ccem_optimum(loss, N, params, digits=digits))
    numeric, fixed = split_parameters(params)
    latex = sp.latex(Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items()))).expression(0))
    notes = [] if opt.certified else [f"x* not certified: {opt.note}"]
    gd_fields = dict(gd_loss=None, loss_gap=None, gram_distance=None, converged=None, seed=None)
    if gd:
        gd_fields = _descent(loss, N, d, params, opt, notes, seed=seed, restarts=restarts,
                             tol=tol, max_iter=max_iter, device=device)
    return Analysis(loss.name, N, d, opt.params, latex, opt.x, opt.delta, opt.s_pos, opt.s_neg,
                    opt.value, opt.regime, opt.certified, opt.x_enclosure, opt.note,
                    note="; ".join(notes) or None, **gd_fields)


def _descent(loss, N, d, params, opt, notes, **settings) -> dict:
    """Gradient descent on free embeddings and its comparison with the CCEM optimum."""
    from .descent.compare import gram_distance, structure_grams
    from .descent.discrete import minimise_s0
    from .descent.optimise import optimise_embedding

    given = {k: v for k, v in settings.items() if v is not None}
    if d == 1:
        notes.append("d = 1: S^0 = {-1, 1} is discrete; gd_loss is the exact minimum over the sign patterns")
    res = _user_code(loss, "torch", lambda: minimise_s0(N, loss=loss, **params) if d == 1
                     else optimise_embedding(N, d, loss=loss, **given, **params))
    if not math.isfinite(res.loss):
        raise failure(loss, "torch", ValueError(f"the loss is {res.loss} at the end of gradient descent"))
    gap = res.loss - float(opt.value)
    distance = None
    if d >= N:
        distance = gram_distance(res.U, res.V, structure_grams(CCEM(N, float(opt.delta)).grams()))
    else:
        notes.append("d < N: the CCEM does not exist in dimension d; its loss is a formal lower bound")
    if not res.converged:
        notes.append(f"gradient descent did not converge (gradient norm {res.grad_norm:.3g})")
    if gap < -LOSS_GAP_RTOL * max(1.0, abs(float(opt.value))):
        notes.append(f"gradient descent found a loss {-gap:.3g} below the CCEM optimum: the CCEM "
                     f"family does not contain the optimum of {loss.name} here")
    return dict(gd_loss=res.loss, loss_gap=gap, gram_distance=distance, converged=res.converged,
                seed=res.seed)


def sweep(loss: str | Loss, N: int, param: str, lo, hi, params: dict | None = None, *,
          points: int = 200, digits: int = DEFAULT_DIGITS) -> list[RegimeChange]:
    """Where the CCEM regime of ``loss`` changes along ``param`` in ``[lo, hi]`` (the other
    parameters ``params``): see :func:`~clverify.numerics.precision.regime_sweep.regime_changes`.

    >>> [(c.below, c.above) for c in sweep("sigmoid", 10, "b", "-5", "10", {"t": "2"}, points=20, digits=20)]
    [('antipodal', 'intermediate'), ('intermediate', 'etf')]
    """
    loss = as_loss(loss)
    params = dict(params or {})
    _checked(loss, {**params, param: str(lo)})
    return _user_code(loss, "mpmath", lambda: regime_changes(loss, N, params, param, lo, hi,
                                                            points=points, digits=digits))
