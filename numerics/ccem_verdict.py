r"""Is the CCEM optimal for this loss?  One verdict from two kinds of evidence.

``analyse`` has two kinds of evidence on whether the CCEM family contains a global minimiser
of a loss at :math:`(N, \text{params})` (for :math:`d \ge N`, where the CCEM exists):

* the sufficient condition of the Jensen + Lemma 1 argument
  (:func:`~clverify.numerics.precision.ccem_optimality.ccem_optimality`): a proof when shown;
* gradient descent on free embeddings in dimension ``d``, classified once by
  :func:`descent_outcome` into one of :data:`DESCENT_OUTCOMES`, with the note generated from
  that classification.

:func:`ccem_verdict` combines them into one of :data:`VERDICTS`:

========== ==================================================================================
proof      the sufficient condition is shown (a proof at these parameters, every :math:`d \ge N`)
refuted    descent in :math:`d \ge N` found an embedding whose loss is below the CCEM optimum
empirical  descent in :math:`d \ge N` converged to the CCEM optimum's loss; no proof
unknown    otherwise (no descent, :math:`d < N`, not converged, a local minimum)
========== ==================================================================================

Only ``proof`` makes ``x_star``, ``regime`` and ``certified`` statements about the minimum over
all embeddings (``scope = "global"``); otherwise they describe the optimum within the CCEM
family (``scope = "ccem_family"``).

>>> descent_outcome(10, 10, gap=-0.11, tolerance=1e-9, converged=True, reason="")[0]
'below_ccem'
>>> ccem_verdict(False, "below_ccem"), ccem_verdict(False, "agrees"), ccem_verdict(True, "agrees")
('refuted', 'empirical', 'proof')
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DESCENT_OUTCOMES", "VERDICTS", "SCOPES", "RANK_RTOL", "descent_outcome", "ccem_verdict",
           "scope", "gram_summary"]

#: How gradient descent ended, relative to the CCEM optimum.
DESCENT_OUTCOMES = ("agrees", "below_ccem", "local_minimum", "not_converged", "d_lt_N", "not_compared")
#: The verdict on "is the CCEM optimal?".
VERDICTS = ("proof", "refuted", "empirical", "unknown")
#: What ``x_star``, ``regime`` and ``certified`` describe.
SCOPES = ("global", "ccem_family")
#: Singular values below this fraction of the largest do not count towards the rank.
RANK_RTOL = 1e-6


def descent_outcome(N: int, d: int, gap: float | None, tolerance: float, converged: bool,
                    reason: str, proof: bool = False) -> tuple[str, str]:
    r"""``(outcome, note)``: how gradient descent in dimension ``d`` ended relative to the CCEM
    optimum (``gap`` = descent's loss minus the CCEM optimum's, None when that value was not
    resolved; ``tolerance`` the gap that counts), and one sentence that says so.

    ``below_ccem`` needs no convergence: any embedding with a lower loss refutes the CCEM's
    optimality.  ``d_lt_N``: the CCEM does not exist in dimension ``d``; its value is then a
    lower bound only where the sufficient condition is ``proof`` (the argument holds in every
    dimension).

    >>> descent_outcome(10, 10, gap=0.3, tolerance=1e-9, converged=True, reason="")
    ('local_minimum', 'gradient descent converged 0.3 above the CCEM optimum: a local minimum or a saddle of the loss; the CCEM at x* is a better embedding')
    >>> descent_outcome(10, 4, gap=0.2, tolerance=1e-9, converged=True, reason="")[1]
    'd = 4 < N = 10: the CCEM does not exist in dimension d, and its loss bounds nothing there (no proof that the CCEM is optimal); gradient descent ends 0.2 above it'
    """
    if d < N:
        meaning = ("is a lower bound of the loss in every dimension (the Jensen + Lemma 1 argument "
                   "holds for any d)" if proof else
                   "bounds nothing there (no proof that the CCEM is optimal)")
        where = "" if gap is None else f"; gradient descent ends {abs(gap):.3g} {'above' if gap >= 0 else 'below'} it"
        return "d_lt_N", f"d = {d} < N = {N}: the CCEM does not exist in dimension d, and its loss {meaning}{where}"
    if gap is None:
        return "not_compared", "the CCEM optimum's loss is not resolved to the digits asked: not compared"
    if gap < -tolerance:
        status = "" if converged else f" (descent had not converged: {reason or 'stopped'})"
        return "below_ccem", (f"gradient descent found a loss {-gap:.3g} below the CCEM optimum{status}: "
                              "the CCEM family does not contain the optimum of this loss here")
    if not converged:
        return "not_converged", (f"gradient descent did not converge ({reason or 'stopped'}); it ends "
                                 f"{gap:.3g} above the CCEM optimum")
    if gap > tolerance:
        return "local_minimum", (f"gradient descent converged {gap:.3g} above the CCEM optimum: a local "
                                 "minimum or a saddle of the loss; the CCEM at x* is a better embedding")
    return "agrees", f"gradient descent converged to the CCEM optimum's loss (gap {gap:.2g})"


def ccem_verdict(shown: bool, outcome: str | None) -> str:
    """The verdict (:data:`VERDICTS`) from whether the sufficient condition is ``shown`` and
    the descent's ``outcome`` (None: no descent)."""
    if shown:
        return "proof"
    return {"below_ccem": "refuted", "agrees": "empirical"}.get(outcome, "unknown")


def scope(verdict: str) -> str:
    """What ``x_star``, ``regime`` and ``certified`` describe under ``verdict``."""
    return "global" if verdict == "proof" else "ccem_family"


def gram_summary(result) -> dict:
    r"""The structure gradient descent found (an
    :class:`~clverify.numerics.descent.optimise.EmbeddingResult`): positive and negative
    similarities (mean, spread, extreme), :math:`\max_i |u_i - v_i|`, :math:`|\frac1N\sum_i u_i|`
    and the numerical rank of :math:`[U; V]` (singular values above :data:`RANK_RTOL` of the
    largest).  Never forms the :math:`N \times N` matrix.

    >>> from types import SimpleNamespace
    >>> U = np.eye(3)
    >>> r = SimpleNamespace(U=U, V=U, s_pos_mean=1.0, s_pos_std=0.0, s_pos_min=1.0, s_neg_mean=0.0,
    ...                     s_neg_std=0.0, s_neg_max=0.0)
    >>> gram_summary(r)["rank"], gram_summary(r)["u_minus_v_max"]
    (3, 0.0)
    """
    U, V = np.asarray(result.U, dtype=float), np.asarray(result.V, dtype=float)
    singular = np.linalg.svd(np.vstack([U, V]), compute_uv=False)
    rank = int(np.sum(singular > RANK_RTOL * singular[0])) if singular.size else 0

    def number(value):
        return float(value) if value is not None and math.isfinite(value) else None

    return {"s_pos_mean": number(result.s_pos_mean), "s_pos_std": number(result.s_pos_std),
            "s_pos_min": number(result.s_pos_min), "s_neg_mean": number(result.s_neg_mean),
            "s_neg_std": number(result.s_neg_std), "s_neg_max": number(result.s_neg_max),
            "u_minus_v_max": float(np.max(np.linalg.norm(U - V, axis=1))),
            "mean_u_norm": float(np.linalg.norm(U.mean(axis=0))), "rank": rank}
