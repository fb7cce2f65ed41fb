r"""The regime of the optimal CCEM: one rule, from the signs of :math:`\ell'` at the ends of [0, 1].

For a restriction :math:`\ell(x)`, :math:`x = \delta^2 \in [0, 1]`, with :math:`\ell'' > 0`
(so :math:`\ell'` increases strictly):

* the ETF (:math:`x^* = 1`) iff :math:`\ell'(1) \le 0`;
* the antipodal structure (:math:`x^* = 0`) iff :math:`\ell'(0) \ge 0`;
* otherwise (:math:`\ell'(0) < 0 < \ell'(1)`) the unique root of :math:`\ell'` in
  :math:`(0, 1)`, ``'intermediate'``.

The comparisons are not strict: a slope *exactly* zero at an end puts the minimiser at that
end.  :func:`regime` is that rule on signs (``+1``, ``0``, ``-1``, or None for unknown);
:func:`end_slope_sign` decides a sign: by Arb balls at increasing guard precision, and where
every ball contains 0, exactly zero when SymPy's evaluation at the exact parameter values is
0 (e.g. :math:`\ell'(0) = t(N - 2e^{b+t} - 2)/(e^{b+t}+1)` at :math:`N = 4`, :math:`t + b = 0`).

>>> regime(-1, -1), regime(0, -1), regime(1, 0), regime(1, -1), regime(1, None)
('etf', 'etf', 'antipodal', 'intermediate', None)
"""

from __future__ import annotations

from .certify import ball_sign
from .evaluators import arb_precision

__all__ = ["REGIMES", "END_REGIMES", "SIGN_GUARD_BITS", "SIGN_GUARD_STEPS", "regime",
           "end_slope_sign"]

REGIMES = ("etf", "intermediate", "antipodal")
#: The structure at each end of [0, 1] (the regime of a minimiser found there).
END_REGIMES = {1: "etf", 0: "antipodal"}
#: Guard bits of the first ball of a slope's sign; each retry has 4x as many.
SIGN_GUARD_BITS = 32
#: How many times an undecided sign is retried with 4x the guard bits.
SIGN_GUARD_STEPS = 3


def regime(slope_at_1: int | None, slope_at_0: int | None) -> str | None:
    r"""The regime of a strictly convex :math:`\ell` from the signs of :math:`\ell'(1)` and
    :math:`\ell'(0)` (each ``+1``, ``0``, ``-1``, or None when unknown); None when the known
    signs do not decide it.

    Raises ``ArithmeticError`` for :math:`\ell'(1) \le 0 \le \ell'(0)`, which no strictly
    convex :math:`\ell` has.

    >>> regime(0, None), regime(None, 0), regime(None, -1)
    ('etf', 'antipodal', None)
    """
    etf = slope_at_1 is not None and slope_at_1 <= 0
    antipodal = slope_at_0 is not None and slope_at_0 >= 0
    if etf and antipodal:
        raise ArithmeticError(f"l'(1) <= 0 <= l'(0) (signs {slope_at_1}, {slope_at_0}): "
                              "l is not strictly convex")
    if etf:
        return "etf"
    if antipodal:
        return "antipodal"
    if slope_at_1 == 1 and slope_at_0 == -1:
        return "intermediate"
    return None


def end_slope_sign(restriction, end: int, N: int, numeric: dict, digits: int) -> tuple[int | None, str]:
    r"""The sign of :math:`\ell'(\text{end})` and how it was decided.

    ``restriction.slope_ball(end, N, numeric)`` is an Arb ball of :math:`\ell'(\text{end})`,
    tried at ``digits`` plus :data:`SIGN_GUARD_BITS` :math:`\cdot 4^k` guard bits,
    :math:`k \le` :data:`SIGN_GUARD_STEPS`; the first ball of certain sign decides (``0`` only
    for an exact zero ball).  Where every ball contains 0,
    ``restriction.slope_exact(end, N, numeric)`` (SymPy at the exact parameter values, None
    where they are not exact) decides ``0`` if it *is* 0; otherwise the sign is None.
    """
    for step in range(SIGN_GUARD_STEPS + 1):
        bits = SIGN_GUARD_BITS * 4**step
        with arb_precision(digits, bits):
            sign = ball_sign(restriction.slope_ball(end, N, numeric))
        if sign == 0:
            return 0, f"l'({end}) = 0 exactly (an exact ball)"
        if sign is not None:
            return sign, f"l'({end}) {'>' if sign > 0 else '<'} 0 (an Arb ball)"
    if restriction.slope_exact(end, N, numeric) == 0:
        return 0, f"l'({end}) = 0 exactly (SymPy at the exact parameter values)"
    return None, f"the sign of l'({end}) is not decided by balls with up to {bits} guard bits"
