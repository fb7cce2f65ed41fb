r"""Gradient-descent optima against the theory: loss gap and a permutation-invariant Gram distance.

The theory optimum of a loss is a structure with known Gram matrices:

* ``sigmoid``: the CCEM at :math:`\delta^*` (Theorem 1), with the optimal value
  :math:`\ell(x^*)` from :func:`clverify.numerics.precision.ccem_optimum.sigmoid_optimum`.  For ``d < N``
  the CCEM does not exist and the value is only a formal lower bound;
* InfoNCE-type losses with an ETF optimum (``infonce-sym``; others once
  :data:`clverify.theory.losses.LOSSES` defines them): the simplex ETF :math:`u_i = v_i`, for
  ``d >= N - 1``, with the value of :mod:`clverify.theory.losses` on its Gram matrices.

The Gram matrices are always derived from :mod:`clverify.theory.structures`, never typed in.

>>> import numpy as np
>>> th = etf_optimum("infonce-sym", 4, 4, tau=1.0)
>>> float(th.grams["uv"][0, 1]), th.attained
(-0.333..., True)
>>> U = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> gram_distance(U, U, {"uv": np.eye(2), "uu": np.eye(2), "vv": np.eye(2)})
0.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from clverify.numerics.descent.lbfgs import LOSS_NOISE_RTOL
from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.closed_forms import closed_form_value
from clverify.theory import losses as theory_losses
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.params import check_batch_size, check_dimension, to_rational
from clverify.theory.similarity import Grams
from clverify.theory.structures import CCEM, Antipodal, CrossPolytope, SimplexETF

__all__ = [
    "TheoryOptimum",
    "theory_optimum",
    "sigmoid_ccem_optimum",
    "etf_optimum",
    "best_known_structure",
    "structure_grams",
    "loss_gap",
    "gram_distance",
    "ETF_OPTIMAL_LOSSES",
    "THEORY_DIGITS",
    "STRUCTURE_TOL",
    "structure_unresolved",
    "loss_resolution",
]

#: Losses whose minimum over (U, V) is the simplex ETF u_i = v_i when d >= N - 1 (Lu &
#: Steinerberger 2022; Koromilas et al. 2024, Thm 4.1 and the KCL results, checked by the
#: registry entries koromilas2024.*), used as the reference of ``clverify gd``.
ETF_OPTIMAL_LOSSES = ("infonce-sym", "infonce", "ntxent", "dcl", "dhel", "dhel-1view", "kcl", "kcl-log",
                      "kcl-imq")
#: Working precision (decimal digits) of the high-precision CCEM optimum.
THEORY_DIGITS = 30
#: A Gram distance above this is a different structure from the theory optimum's.
STRUCTURE_TOL = 1e-3


@dataclass
class TheoryOptimum:
    """The theory's optimum of one configuration.

    ``loss`` is a float; ``grams`` maps ``uv``, ``uu``, ``vv`` to ``N x N`` float arrays;
    ``attained`` is False when the structure does not exist in dimension ``d`` (the loss is
    then a formal lower bound only); ``regime``/``delta`` are set for the sigmoid loss.
    """

    loss: float
    grams: dict
    structure: str
    attained: bool
    regime: str | None = None
    delta: float | None = None
    loss_exact: object = None
    note: str = ""


def structure_grams(grams: Grams) -> dict:
    """Float ``N x N`` arrays of the three double-constant Gram matrices of a concrete structure.

    >>> structure_grams(CCEM(3, 0).grams())["uu"]
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    N = int(grams.N)
    out = {}
    for name in ("uv", "uu", "vv"):
        S = getattr(grams, name)
        M = np.full((N, N), float(sp.N(S.off_diagonal, 20)))
        np.fill_diagonal(M, float(sp.N(S.diagonal, 20)))
        out[name] = M
    return out


def sigmoid_ccem_optimum(N: int, d: int, *, t, b, digits: int = THEORY_DIGITS) -> TheoryOptimum:
    r"""The CCEM optimum of the sigmoid loss: :math:`\min_x \ell(x)` and the CCEM Grams at :math:`\delta^*`.

    For ``d < N`` the value is the formal CCEM bound (``attained=False``).
    """
    N = check_batch_size("N", N, 3)
    d = check_dimension("d", d, 1)
    opt = sigmoid_optimum(N, t, b, digits=digits)
    delta = float(opt.delta)
    attained = d >= N
    return TheoryOptimum(
        loss=float(opt.value), grams=structure_grams(CCEM(N, delta).grams()),
        structure=f"CCEM(N={N}, delta={delta:.12g})", attained=attained, regime=opt.regime,
        delta=delta, loss_exact=opt.value,
        note="" if attained else "d < N: the CCEM does not exist; theory_loss is a formal lower bound",
    )


def etf_optimum(loss: str, N: int, d: int, **params) -> TheoryOptimum:
    r"""The simplex-ETF optimum (:math:`u_i = v_i`, :math:`u_i\cdot u_j = -1/(N-1)`) of an InfoNCE-type loss.

    The value is :mod:`clverify.theory.losses`' loss on :meth:`SimplexETF(N).grams()`, evaluated
    without cancellation and certified by Arb (:func:`~clverify.numerics.precision.closed_forms.closed_form_value`:
    ``loss_exact`` to :data:`THEORY_DIGITS` digits, ``loss`` its float64, which may underflow
    to 0.0); for ``d < N - 1`` the ETF does not exist and the value is only formal
    (``attained=False``).
    """
    N = check_batch_size("N", N, 2)
    d = check_dimension("d", d, 1)
    grams = SimplexETF(N).grams()
    exact = {k: to_rational(k, v) for k, v in params.items()}
    value = closed_form_value(theory_losses.LOSSES[loss](grams, SYMPY_OPS, **exact), THEORY_DIGITS)
    attained = d >= N - 1
    notes = [] if attained else ["d < N - 1: the simplex ETF does not exist; theory_loss is formal"]
    if not value.resolved:
        notes.append(f"theory_loss: {value.reason}")
    return TheoryOptimum(
        loss=float(value.value) if value.resolved else float("nan"), grams=structure_grams(grams),
        structure=f"SimplexETF(N={N})", attained=attained, loss_exact=value.value,
        note="; ".join(notes),
    )


def _structures(N: int, d: int) -> list:
    """The structures of :mod:`clverify.theory.structures` that exist for ``N`` pairs in dimension ``d``."""
    out = [Antipodal(N, d)]
    if d >= N - 1:
        out.append(SimplexETF(N, d))
    if N % 2 == 0 and d >= N // 2:
        out.append(CrossPolytope(N, d))
    return out


def best_known_structure(loss: str, N: int, d: int, **params) -> TheoryOptimum | None:
    r"""The lowest value of ``loss`` among the fixed structures that exist in dimension ``d``.

    Candidates: antipodal (any ``d``), simplex ETF (``d >= N - 1``), cross-polytope
    (``N`` even, ``d >= N/2``); each value is :mod:`clverify.theory.losses`' loss on the
    structure's Gram matrices (30 digits).  It is an upper bound on the minimum over
    embeddings in dimension ``d`` (each structure is one such embedding), not the minimum;
    None where :mod:`clverify.theory.losses` lacks ``loss``.

    >>> best = best_known_structure("sigmoid", 6, 3, t=2.0, b=2.0)   # ETF needs d >= 5
    >>> best.structure, best.attained
    ('CrossPolytope(N=6)', True)
    """
    N = check_batch_size("N", N, 2)
    d = check_dimension("d", d, 1)
    if loss not in theory_losses.LOSSES:
        return None
    exact = {k: to_rational(k, v) for k, v in params.items()}
    values = [(float(sp.N(theory_losses.LOSSES[loss](s.grams(), SYMPY_OPS, **exact), 30)), s)
              for s in _structures(N, d)]
    value, best = min(values, key=lambda v: v[0])
    return TheoryOptimum(loss=value, grams={}, structure=f"{type(best).__name__}(N={N})", attained=True,
                         note="best of the known structures that exist in dimension d: an upper bound "
                              "on the minimum, not the minimum")


def theory_optimum(loss: str, N: int, d: int, **params) -> TheoryOptimum | None:
    """The theory optimum of ``loss`` at one configuration, or None where none is known.

    >>> theory_optimum("no-such-loss", 4, 4) is None
    True
    """
    if loss == "sigmoid" and N >= 3:
        return sigmoid_ccem_optimum(N, d, t=params["t"], b=params["b"])
    if loss in ETF_OPTIMAL_LOSSES and loss in theory_losses.LOSSES:
        return etf_optimum(loss, N, d, **params)
    return None


def loss_gap(loss_value: float, theory: TheoryOptimum) -> float:
    r"""GD loss minus the theory's optimum (:math:`\ge 0` up to rounding when the optimum is attained).

    >>> loss_gap(1.5, TheoryOptimum(loss=1.25, grams={}, structure="demo", attained=True))
    0.25
    """
    return float(loss_value) - float(theory.loss)


def loss_resolution(result) -> float:
    r"""The float64 rounding scale of ``result``'s loss (an
    :class:`~clverify.numerics.descent.optimise.EmbeddingResult`):
    ``LOSS_NOISE_RTOL`` :math:`(|L| + \sum_k |\partial L/\partial x_k|)`.  Its rows are unit
    vectors only to rounding, so the similarities, hence the loss, move by about machine
    epsilon times the (Euclidean) gradient: at ``t = b = 1e4`` that is :math:`10^{-12}`.

    >>> import numpy as np
    >>> from clverify.numerics.descent.optimise import optimise_embedding
    >>> r = optimise_embedding(4, 4, t=1e4, b=1e4, restarts=1)
    >>> 1e-13 < loss_resolution(r) < 1e-8
    True
    """
    import torch

    from .torch_losses import torch_loss

    U = torch.tensor(result.U, dtype=torch.float64, requires_grad=True)
    V = torch.tensor(result.V, dtype=torch.float64, requires_grad=True)
    value = torch_loss(result.loss_name).value(U, V, **result.params)
    gU, gV = torch.autograd.grad(value, (U, V))
    size = abs(float(value.detach())) + float(gU.abs().sum() + gV.abs().sum())
    return LOSS_NOISE_RTOL * size


def structure_unresolved(result, theory: TheoryOptimum, distance: float | None) -> str:
    r"""Why float64 cannot tell ``result`` from the theory optimum ("" when it can): the loss
    gap is within the float64 rounding of the loss (:func:`loss_resolution`), yet the Gram
    distance exceeds :data:`STRUCTURE_TOL` (at ``t = b = 100`` the negative pairs contribute
    :math:`e^{-125}` to a loss of :math:`\log 2`: their arrangement is invisible to float64).

    >>> from clverify.numerics.descent.optimise import optimise_embedding
    >>> r = optimise_embedding(5, 5, t=100.0, b=100.0, restarts=1)
    >>> th = sigmoid_ccem_optimum(5, 5, t=100, b=100)
    >>> structure_unresolved(r, th, gram_distance(r.U, r.V, th.grams))[:36]
    'float64 cannot resolve the structure'
    >>> r = optimise_embedding(5, 5, t=2.0, b=2.0, restarts=1)
    >>> th = sigmoid_ccem_optimum(5, 5, t=2, b=2)
    >>> structure_unresolved(r, th, gram_distance(r.U, r.V, th.grams))
    ''
    """
    if distance is None or distance <= STRUCTURE_TOL:
        return ""
    gap = abs(float(result.loss) - float(theory.loss))
    noise = loss_resolution(result)
    if gap > noise:
        return ""
    return (f"float64 cannot resolve the structure: the loss gap {gap:.3g} is within float64 "
            f"rounding of the loss ({noise:.3g}) but the Gram distance to the theory optimum is "
            f"{distance:.3g}")


def _signatures(uv, uu, vv) -> np.ndarray:
    """Per-pair invariants: the positive similarity and the sorted rows/columns of every block."""
    N = uv.shape[0]
    off = ~np.eye(N, dtype=bool)
    rows = []
    for i in range(N):
        o = off[i]
        rows.append(np.concatenate([
            [uv[i, i]], np.sort(uv[i, o]), np.sort(uv[o, i]), np.sort(uu[i, o]), np.sort(vv[i, o]),
        ]))
    return np.array(rows)


def gram_distance(U, V, grams: dict) -> float:
    r"""Permutation-invariant distance between the Grams of (U, V) and reference Grams.

    The pairs :math:`(u_i, v_i)` are matched to the reference pairs by
    ``scipy.optimize.linear_sum_assignment`` on the Euclidean distances between
    per-pair invariants (the positive similarity and the sorted rows and columns of
    the ``uv``, ``uu``, ``vv`` blocks); the result is the largest entrywise difference
    :math:`\max |G_{\pi(i)\pi(j)} - G^{ref}_{ij}|` over the three blocks after that matching.
    Any matching gives an upper bound on the minimum over relabellings; for a
    double-constant reference (CCEM, ETF) every matching gives the same value, so the
    distance is exact there (and the matching is skipped: the identity), and so it is when
    the pairs' invariants are distinct.
    Gram matrices are rotation invariant by construction.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> U, V = rng.normal(size=(2, 4, 3))
    >>> p = [2, 0, 3, 1]                      # the same pairs, listed in another order
    >>> ref = {"uv": U[p] @ V[p].T, "uu": U[p] @ U[p].T, "vv": V[p] @ V[p].T}
    >>> gram_distance(U, V, ref) < 1e-12
    True
    """
    U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
    blocks = (U @ V.T, U @ U.T, V @ V.T)
    ref = (np.asarray(grams["uv"]), np.asarray(grams["uu"]), np.asarray(grams["vv"]))
    if ref[0].shape != blocks[0].shape:
        raise ValueError(f"reference Grams have shape {ref[0].shape}, embedding gives {blocks[0].shape}")
    r = _signatures(*ref)
    if np.ptp(r, axis=0).max(initial=0.0) == 0:   # double-constant reference: any matching
        perm = np.arange(r.shape[0])
    else:
        rows, cols = linear_sum_assignment(cdist(_signatures(*blocks), r))
        perm = np.empty_like(cols)
        perm[cols] = rows  # reference pair j is matched with pair perm[j]
    return float(max(np.max(np.abs(G[np.ix_(perm, perm)] - R)) for G, R in zip(blocks, ref)))
