r"""Regime thresholds of the sigmoid loss on the CCEM: numbers and certified enclosures.

On the diagonal :math:`t = b` (Theorem 2 of Lee, Chang and Sohn, 2024) the ETF is optimal iff
:math:`t \ge t_E(N)` and the antipodal structure iff :math:`t \le t_A(N)`; at fixed :math:`t`
the ETF is optimal iff :math:`b \ge b_E(N, t)` and the antipodal structure iff
:math:`b \le b_A(N, t)`.  The closed forms are derived by SymPy in :mod:`clverify.theory.derivation`;
here each is evaluated in mpmath (the number) and certified **against the general condition**
(:math:`\ell'(1) = 0` resp. :math:`\ell'(0) = 0`, in :math:`t` on :math:`b = t` or in :math:`b`),
not against itself: the enclosure is that of the unique root of the general condition near the
closed form's value, proved by a sign change and a derivative ball (:mod:`clverify.numerics.precision.certify`).

Where a regime is empty for :math:`t > 0` (or a threshold does not exist) the value is ``None``
and ``note`` says why; what is empty is decided from the closed form's certified sign:

* :math:`N = 3`: :math:`t_E = \tfrac23\log 0 = -\infty`: the ETF is optimal for every
  :math:`t = b > 0`; :math:`t_A = \tfrac12\log\tfrac12 < 0`: the antipodal regime is empty.
* :math:`N = 4`: :math:`t_E = 0` (ETF optimal for every :math:`t = b > 0`; the value is the
  closed form's, with no enclosure: :math:`t = 0` lies outside :math:`t > 0`) and
  :math:`t_A = 0` (antipodal regime empty for :math:`t > 0`).

>>> r = etf_threshold_tb(10, digits=30)
>>> mpmath.nstr(r.value, 25), r.enclosure.certified
('1.751319134149781974594817', True)
>>> antipodal_threshold_tb(4, digits=20).note
't_A(4) = 0 <= 0: the antipodal structure is never optimal for t = b > 0'
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
from flint import arb

from clverify.theory.params import check_batch_size, check_digits

from .certify import Enclosure, ball_sign, certify_root
from .evaluators import arb_precision, evaluator
from .real_input import RealInput

__all__ = [
    "Boundary",
    "etf_threshold_tb",
    "antipodal_threshold_tb",
    "etf_boundary_b",
    "antipodal_boundary_b",
]

#: Extra decimal digits carried in mpmath while evaluating a closed form.
GUARD_DIGITS = 10


@dataclass(frozen=True)
class Boundary:
    """A regime boundary: ``value`` (mpf or None), its certified ``enclosure`` and a ``note``.

    ``kind`` is ``'etf'`` or ``'antipodal'``; ``parameter`` is ``'t'`` (threshold on
    :math:`t = b`) or ``'b'`` (boundary in :math:`b` at the given ``t``).
    """

    kind: str
    parameter: str
    N: int
    t: mpmath.mpf | None
    value: mpmath.mpf | None
    enclosure: Enclosure | None
    note: str
    digits: int


class _Spec:
    """Which compiled formulas make one boundary, and which argument is the unknown."""

    def __init__(self, kind: str, parameter: str):
        self.kind, self.parameter = kind, parameter
        suffix = "tb" if parameter == "t" else "b"
        self.closed = f"{kind}_threshold_tb" if parameter == "t" else f"{kind}_boundary_b"
        self.condition = f"{kind}_condition_tb" if parameter == "t" else f"{kind}_condition"
        self.slope = f"{self.condition}_dt" if suffix == "tb" else f"{self.condition}_db"


_ETF_T, _ANTIPODAL_T = _Spec("etf", "t"), _Spec("antipodal", "t")
_ETF_B, _ANTIPODAL_B = _Spec("etf", "b"), _Spec("antipodal", "b")


def _boundary(spec: _Spec, N: int, t: RealInput | None, digits: int) -> Boundary:
    closed_mp = evaluator(spec.closed, "mpmath")
    closed_arb = evaluator(spec.closed, "arb")
    cond, slope = evaluator(spec.condition, "arb"), evaluator(spec.slope, "arb")
    with mpmath.workdps(digits + GUARD_DIGITS):
        t_mp = t.mpf() if t is not None else mpmath.mpf(0)
        value = closed_mp(0, mpmath.mpf(N), t_mp, 0)
    with mpmath.workdps(digits):
        value, t_out = +value, (+t_mp if t is not None else None)
    with arb_precision(digits):
        n_ball = arb(N)
        t_ball = t.ball() if t is not None else arb(0)
        ball = closed_arb(0, n_ball, t_ball, 0)
        if spec.parameter == "t":
            def f(z):
                return cond(0, n_ball, z, 0)

            def df(z):
                return slope(0, n_ball, z, 0)
        else:
            def f(z):
                return cond(0, n_ball, t_ball, z)

            def df(z):
                return slope(0, n_ball, t_ball, z)
        empty = _empty_note(spec, N, ball, value)
        if empty is not None:
            return Boundary(spec.kind, spec.parameter, N, t_out, None, None, empty, digits)
        if spec.parameter == "t" and ball_sign(ball) == 0:  # t_E(4) = 0: no root on t > 0 to certify
            note = (f"t_E({N}) = 0 (the closed form, exactly): the ETF is optimal for every t = b > 0; "
                    f"t = 0 is outside t > 0, so no enclosure is certified")
            return Boundary(spec.kind, spec.parameter, N, t_out, value, None, note, digits)
        enclosure = _agree(certify_root(f, df, value, digits=digits), ball)
    return Boundary(spec.kind, spec.parameter, N, t_out, value, enclosure, "", digits)


def _empty_note(spec: _Spec, N: int, ball: arb, value) -> str | None:
    """Why the threshold is absent (regime empty or threshold not finite), else None."""
    if spec.parameter != "t":
        return None
    name = "t_E" if spec.kind == "etf" else "t_A"
    if spec.kind == "etf":
        if not ball.is_finite() or ball_sign(ball) == -1:
            return (f"{name}({N}) = {mpmath.nstr(value, 8)} < 0: the ETF is optimal for every "
                    f"t = b > 0 (no threshold)")
        return None
    sign = ball_sign(ball)
    if not ball.is_finite() or sign in (-1, 0):
        shown = "0" if sign == 0 else mpmath.nstr(value, 8)
        rel = "<=" if sign == 0 else "<"
        return f"{name}({N}) = {shown} {rel} 0: the antipodal structure is never optimal for t = b > 0"
    return None


def _agree(enclosure: Enclosure, ball: arb) -> Enclosure:
    """Demote the certificate if the closed form's ball is not inside the certified root's
    enclosure (that would mean the derivation and the general condition disagree)."""
    if not enclosure.certified:
        return enclosure
    lo, hi = arb(enclosure.lo), arb(enclosure.hi)
    if ball.lower() >= lo and ball.upper() <= hi:
        return enclosure
    return Enclosure(enclosure.lo, enclosure.hi, False,
                     "closed form lies outside the certified root of the general condition",
                     enclosure.digits)


def etf_threshold_tb(N: int, digits: int = 50) -> Boundary:
    r""":math:`t_E(N)`: on :math:`t = b` the ETF is optimal iff :math:`t \ge t_E(N)`.

    The closed form (SymPy) is certified as the root of :math:`\ell'(1)|_{b=t} = 0` in
    :math:`t`.

    >>> mpmath.nstr(etf_threshold_tb(7, digits=20).value, 18)
    '1.18825230953133482'
    >>> etf_threshold_tb(3, digits=20).value is None
    True
    """
    return _boundary(_ETF_T, check_batch_size("N", N), None, check_digits(digits))


def antipodal_threshold_tb(N: int, digits: int = 50) -> Boundary:
    r""":math:`t_A(N)`: on :math:`t = b` the antipodal structure is optimal iff
    :math:`t \le t_A(N)`; ``None`` (with a note) for :math:`N \le 4`.

    >>> mpmath.nstr(antipodal_threshold_tb(6, digits=20).value, 18)
    '0.346573590279972655'
    """
    return _boundary(_ANTIPODAL_T, check_batch_size("N", N), None, check_digits(digits))


def etf_boundary_b(N: int, t, digits: int = 50) -> Boundary:
    r""":math:`b_E(N, t)`: at fixed :math:`t` the ETF is optimal iff :math:`b \ge b_E(N, t)`.

    Certified as the root in :math:`b` of the general condition :math:`\ell'(1) = 0`.

    >>> r = etf_boundary_b(5, 1, digits=20)
    >>> mpmath.nstr(r.value, 12), r.enclosure.certified
    ('0.6867761101', True)
    """
    t = RealInput.positive("t", t)
    return _boundary(_ETF_B, check_batch_size("N", N), t, check_digits(digits))


def antipodal_boundary_b(N: int, t, digits: int = 50) -> Boundary:
    r""":math:`b_A(N, t)`: at fixed :math:`t` the antipodal structure is optimal iff
    :math:`b \le b_A(N, t)`; certified as the root in :math:`b` of :math:`\ell'(0) = 0`.

    >>> mpmath.nstr(antipodal_boundary_b(10, 1, digits=20).value, 15)
    '0.386294361119891'
    """
    t = RealInput.positive("t", t)
    return _boundary(_ANTIPODAL_B, check_batch_size("N", N), t, check_digits(digits))
