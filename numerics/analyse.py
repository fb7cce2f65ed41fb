r"""A loss end to end: its CCEM restriction, optimum and regime, and gradient descent on free
embeddings in the same run (``clverify analyse``, ``from clverify import analyse``).

For a loss (built in, or a user's :func:`~clverify.theory.loss_files.load_loss`) at
``(N, d, params)``, :func:`analyse` returns an :class:`Analysis`:

* the CCEM restriction :math:`\ell(x)`, :math:`x = \delta^2` (LaTeX, symbolic ``N`` and
  parameters), its minimiser :math:`x^*`, :math:`\delta^*`, the similarities :math:`s_\pm`,
  the optimal value and the regime, at ``digits`` digits, certified where the expression
  allows (:func:`~clverify.numerics.precision.ccem_optimum.ccem_optimum`, whose regime rule is
  that of every command);
* the best of ``restarts`` seeded runs of the batched Riemannian L-BFGS on free unit
  embeddings (:func:`~clverify.numerics.descent.optimise.optimise_embedding`; in dimension 1,
  as ``clverify gd``, the exact minimum over the sign patterns,
  :func:`~clverify.numerics.descent.discrete.minimise_s0`), its loss, the gap
  to the CCEM optimum and the permutation-invariant Gram distance to the CCEM at
  :math:`\delta^*`.  A gap below :data:`LOSS_GAP_RTOL` (relative) means that gradient descent
  found a better embedding than every CCEM: the CCEM family does not contain the optimum of
  this loss there, and the ``note`` says so.

:func:`track_regimes` finds where the regime changes along one parameter
(:func:`~clverify.numerics.precision.regime_sweep.regime_changes`).

>>> r = analyse("sigmoid", 5, params={"t": "2", "b": "2"}, restarts=1)
>>> r.regime, r.certified, r.converged, abs(r.loss_gap) < 1e-9, r.gram_distance < 1e-6
('etf', True, True, True, True)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, fields

import mpmath
import sympy as sp

from clverify.theory.loss_files import check_loss, failure, run_user_code
from clverify.theory.losses import LOSSES, Loss
from clverify.theory.params import check_batch_size, check_choice, check_dimension, check_positive
from clverify.theory.structures import CCEM

from .ccem_verdict import ccem_verdict, descent_outcome, gram_summary, scope
from .precision.ccem_optimality import Optimality, ccem_optimality
from .precision.ccem_optimum import ccem_optimum
from .precision.certify import Enclosure
from .precision.regime_sweep import RegimeTrack, regime_changes
from .precision.restriction import Restriction, split_parameters
from .precision.restriction_check import check_restriction

__all__ = ["Analysis", "analyse", "track_regimes", "sweep", "as_loss", "checked", "LOSS_GAP_RTOL", "DEFAULT_DIGITS"]

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
    descent: str | None
    gd_structure: dict | None
    ccem_optimal: str
    ccem_optimal_evidence: str
    scope: str
    note: str | None
    optimality: Optimality = field(repr=False, compare=False)

    def record(self) -> dict:
        """The fields as a flat dict (the CLI's record; enclosures stay objects; the sufficient
        condition's certificate is written by ``--certificate``, not recorded)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "optimality"}


def as_loss(loss: str | Loss) -> Loss:
    """A :class:`~clverify.theory.losses.Loss` from a built-in name or a ``Loss``.

    >>> as_loss("dhel").parameters
    ('tau',)
    """
    if isinstance(loss, Loss):
        return loss
    check_choice("loss", loss, LOSSES)
    return LOSSES[loss]


def checked(loss: Loss, params: dict) -> dict:
    """The resolved parameters, after running the loss once symbolically and checking its CCEM
    restriction on explicit vectors (a user's loss that cannot run, or whose restriction is not
    its value, fails here, before any long work)."""
    params = loss.resolve(params)
    numeric, fixed = split_parameters(params)
    check_loss(loss, {**{k: sp.Symbol(k, real=True) for k in numeric}, **fixed})
    check_restriction(loss, params)
    return params


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
    params = checked(loss, dict(params or {}))
    opt = run_user_code(loss, "mpmath", lambda: ccem_optimum(loss, N, params, digits=digits))
    numeric, fixed = split_parameters(params)
    latex = sp.latex(Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items()))).expression(0))
    notes = [] if opt.certified else [f"x* not certified: {opt.note}"]
    if opt.value is None:
        notes.append(f"loss not resolved to {digits} digits: {opt.note}")
    optimality = run_user_code(loss, "sympy", lambda: ccem_optimality(loss, N, params))
    gd_fields = dict(gd_loss=None, loss_gap=None, gram_distance=None, converged=None, seed=None,
                     descent=None, gd_structure=None)
    if gd:
        gd_fields = _descent(loss, N, d, params, opt, optimality.shown, notes, seed=seed,
                             restarts=restarts, tol=tol, max_iter=max_iter, device=device)
    verdict = ccem_verdict(optimality.shown, gd_fields["descent"])
    evidence = _evidence(verdict, optimality, gd_fields, d)
    if verdict != "proof":
        notes.append(f"x_star, regime and certified describe the optimum within the CCEM family "
                     f"(ccem_optimal: {verdict})")
    return Analysis(loss.name, N, d, opt.params, latex, opt.x, opt.delta, opt.s_pos, opt.s_neg,
                    opt.value, opt.regime, opt.certified, opt.x_enclosure, opt.note,
                    ccem_optimal=verdict, ccem_optimal_evidence=evidence, scope=scope(verdict),
                    note="; ".join(notes) or None, optimality=optimality, **gd_fields)


def _evidence(verdict: str, optimality: Optimality, gd_fields: dict, d: int) -> str:
    """One sentence: what the verdict rests on."""
    if verdict == "proof":
        return optimality.reason
    if verdict == "refuted":
        found = gd_fields["gd_structure"]
        return (f"gradient descent in d = {d} found a loss {-gd_fields['loss_gap']:.3g} "
                f"below the CCEM optimum, at an embedding with positive similarities of mean "
                f"{found['s_pos_mean']:.6g}, negative ones of mean {found['s_neg_mean']:.3g} and "
                f"largest {found['s_neg_max']:.3g}, max |u_i - v_i| {found['u_minus_v_max']:.3g}, "
                f"rank {found['rank']} (gd_structure); sufficient condition {optimality.reason}")
    if verdict == "empirical":
        return (f"gradient descent in d = {d} converged to the CCEM optimum's loss; "
                f"sufficient condition {optimality.reason}")
    ran = gd_fields["descent"]
    return (f"sufficient condition {optimality.reason}; "
            + ("no gradient descent" if ran is None else f"gradient descent: {ran}"))


def _descent(loss, N, d, params, opt, proof, notes, **settings) -> dict:
    """Gradient descent on free embeddings, its comparison with the CCEM optimum and its
    classification (:func:`~clverify.numerics.ccem_verdict.descent_outcome`)."""
    from .descent.compare import gram_distance, structure_grams
    from .descent.discrete import minimise_s0
    from .descent.optimise import optimise_embedding

    given = {k: v for k, v in settings.items() if v is not None}
    if d == 1:
        notes.append("d = 1: S^0 = {-1, 1} is discrete; gd_loss is the exact minimum over the sign patterns")
    res = run_user_code(loss, "torch", lambda: minimise_s0(N, loss=loss, **params) if d == 1
                     else optimise_embedding(N, d, loss=loss, **given, **params))
    if not math.isfinite(res.loss):
        raise failure(loss, "torch", ValueError(f"the loss is {res.loss} at the end of gradient descent"))
    gap = None if opt.value is None else res.loss - float(opt.value)
    distance = None
    if d >= N:
        distance = gram_distance(res.U, res.V, structure_grams(CCEM(N, float(opt.delta)).grams()))
    tolerance = LOSS_GAP_RTOL * max(1.0, abs(float(opt.value or 0)))
    reason = getattr(res, "reason", "") or f"gradient norm {res.grad_norm:.3g}"
    outcome, said = descent_outcome(N, d, gap, tolerance, res.converged, reason, proof)
    notes.append(said)
    return dict(gd_loss=res.loss, loss_gap=gap, gram_distance=distance, converged=res.converged,
                seed=res.seed, descent=outcome, gd_structure=gram_summary(res))


def track_regimes(loss: str | Loss, N: int, param: str, lo, hi, params: dict | None = None, *,
                  points: int = 200, digits: int = DEFAULT_DIGITS) -> RegimeTrack:
    """The optimal CCEM of ``loss`` tracked along ``param`` in ``[lo, hi]`` (the other parameters
    ``params``): its regime changes and jumps between wells (a list of events, with the track
    ``grid``, ``x_star``, ``regimes``), see
    :func:`~clverify.numerics.precision.regime_sweep.regime_changes`.  (``clverify analyse
    --sweep-param``; not ``clverify sweep``, a grid of gradient descents.)

    >>> [(c.below, c.above) for c in track_regimes("sigmoid", 10, "b", "-5", "10", {"t": "2"}, points=20, digits=20)]
    [('antipodal', 'intermediate'), ('intermediate', 'etf')]
    """
    loss = as_loss(loss)
    params = dict(params or {})
    checked(loss, {**params, param: str(lo)})
    return run_user_code(loss, "mpmath", lambda: regime_changes(loss, N, params, param, lo, hi,
                                                            points=points, digits=digits))


def sweep(*args, **kwargs) -> RegimeTrack:
    """Deprecated alias of :func:`track_regimes` (renamed so that it no longer shares its name
    with ``clverify sweep``, a grid of gradient descents)."""
    warnings.warn("clverify.sweep is deprecated: use clverify.track_regimes (the command "
                  "'clverify sweep' is a grid of gradient descents)", DeprecationWarning, stacklevel=2)
    return track_regimes(*args, **kwargs)
