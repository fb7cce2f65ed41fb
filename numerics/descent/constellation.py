r"""Margin and relative bias of a paired embedding (Bangachev, Bresler, Noman, Polyanskiy 2025).

A paired embedding :math:`(U, V)` with similarities :math:`s_{ij} = u_i\cdot v_j` is an
:math:`(m, b_{rel})`-*constellation* when

.. math::
    s_{ii} \ge b_{rel} + m \quad (\text{all } i), \qquad s_{ij} \le b_{rel} - m \quad (i \ne j).

The largest such :math:`m` and the relative bias that attains it are

.. math::
    m^* = \tfrac12\big(\min_i s_{ii} - \max_{i\ne j} s_{ij}\big), \qquad
    b^*_{rel} = \tfrac12\big(\min_i s_{ii} + \max_{i\ne j} s_{ij}\big):

the margin is **half** the gap between the worst positive and the worst negative pair (the
paper's Thm 3.2 and §3.4, and ``calculate_margin`` in the authors' code), so it lies in
:math:`[-1, 1]`.  The full gap :math:`2m^*` is a different quantity: the appendix tables of the
paper print it (``docs/discrepancies.md``).  Arrays may carry leading batch dimensions.

>>> import numpy as np
>>> S = np.array([[0.875, -0.25], [0.125, 0.75]])
>>> margin(S), full_gap(S), optimal_relative_bias(S)
(0.3125, 0.625, 0.4375)
>>> is_constellation(S, 0.3125, 0.4375), is_constellation(S, 0.32, 0.4375)
(True, False)
"""

from __future__ import annotations

import numpy as np

__all__ = ["similarity_extremes", "margin", "full_gap", "optimal_relative_bias", "is_constellation"]


def similarity_extremes(S) -> tuple:
    r""":math:`(\min_i s_{ii}, \max_{i\ne j} s_{ij})` of similarity matrices of shape ``(..., N, N)``.

    >>> similarity_extremes(np.array([[1.0, -0.5], [0.25, 0.5]]))
    (0.5, 0.25)
    """
    S = np.asarray(S, dtype=float)
    n = S.shape[-1]
    if S.ndim < 2 or S.shape[-2] != n or n < 2:
        raise ValueError(f"S must have shape (..., N, N) with N >= 2, got {S.shape}")
    off = np.where(np.eye(n, dtype=bool), -np.inf, S)
    lo, hi = np.diagonal(S, axis1=-2, axis2=-1).min(axis=-1), off.max(axis=(-2, -1))
    return (float(lo), float(hi)) if S.ndim == 2 else (lo, hi)


def margin(S):
    r"""The margin :math:`m^* = \frac12(\min_i s_{ii} - \max_{i\ne j} s_{ij})` (half the gap)."""
    lo, hi = similarity_extremes(S)
    return (lo - hi) / 2


def full_gap(S):
    r"""The full gap :math:`\min_i s_{ii} - \max_{i\ne j} s_{ij} = 2m^*` (what App. D's tables print)."""
    lo, hi = similarity_extremes(S)
    return lo - hi


def optimal_relative_bias(S):
    r""":math:`b^*_{rel} = \frac12(\min_i s_{ii} + \max_{i\ne j} s_{ij})`, the relative bias at :math:`m^*`."""
    lo, hi = similarity_extremes(S)
    return (lo + hi) / 2


def is_constellation(S, m: float, b_rel: float, tol: float = 0.0) -> bool:
    r"""Whether :math:`s_{ii} \ge b_{rel} + m - \mathrm{tol}` and :math:`s_{ij} \le b_{rel} - m + \mathrm{tol}`."""
    lo, hi = similarity_extremes(S)
    return bool(np.all(lo >= b_rel + m - tol) and np.all(hi <= b_rel - m + tol))
