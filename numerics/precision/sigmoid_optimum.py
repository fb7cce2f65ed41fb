r"""The optimal CCEM of the sigmoid loss at given :math:`(N, t, b)`, to any precision, certified.

By Theorem 1 (Lee, Chang and Sohn, 2024) the minimum of the sigmoid loss over all embeddings
(:math:`d \ge N`) is the minimum over :math:`x = \delta^2 \in [0, 1]` of

.. math::
    \ell(x) = \operatorname{softplus}(b - t(2x-1))
              + (N-1)\operatorname{softplus}\big(t(x\tfrac{N-2}{N-1} - 1) - b\big),

which is strictly convex (certified symbolically in :mod:`clverify.theory.derivation`).  Hence the
regime follows from two signs: the ETF (:math:`x^* = 1`) iff :math:`\ell'(1) \le 0`, the
antipodal structure (:math:`x^* = 0`) iff :math:`\ell'(0) \ge 0`, otherwise the unique root of
:math:`\ell'(x) = 0` in :math:`(0, 1)`.  Both signs are decided by Arb balls; the interior root
is found by :func:`clverify.numerics.precision.roots.find_root` and enclosed by :func:`clverify.numerics.precision.certify.certify_root`
(sign change of :math:`\ell'` and :math:`\ell'' > 0` on the interval).  Every formula is compiled
from the SymPy expressions (:mod:`clverify.numerics.precision.evaluators`); the similarities come from
:class:`clverify.theory.structures.CCEM`.

>>> opt = sigmoid_optimum(10, 1.2, 1.2, digits=30)
>>> opt.regime, mpmath.nstr(opt.x, 20), opt.x_enclosure.certified
('intermediate', '0.72687470065717418479', True)
>>> sigmoid_optimum(10, 5, 5, digits=20).regime
'etf'
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
from flint import arb

from clverify.theory.errors import ConvergenceError
from clverify.theory.params import check_batch_size, check_digits

from .certify import Enclosure, ball_sign, certify_root
from .evaluators import arb_precision, evaluator
from .real_input import RealInput
from .roots import find_root

__all__ = ["SigmoidOptimum", "sigmoid_optimum", "REGIMES", "SIGN_PRECISION_STEPS"]

REGIMES = ("etf", "intermediate", "antipodal")
#: Extra decimal digits carried in mpmath while solving (results are rounded to ``digits``).
GUARD_DIGITS = 10
#: How many times the sign of l'(0) or l'(1) is retried with doubled guard precision.
SIGN_PRECISION_STEPS = 3
_SIGN_GUARD_BITS = 32


@dataclass(frozen=True)
class SigmoidOptimum:
    r"""The minimiser :math:`x^* = \delta^{*2}` of the sigmoid loss on the CCEM.

    Attributes
    ----------
    N, t, b, digits
        The inputs (``t``, ``b`` as ``mpmath.mpf`` at ``digits``).
    regime : str
        ``'etf'`` (:math:`x^* = 1`), ``'antipodal'`` (:math:`x^* = 0`) or ``'intermediate'``.
    x, delta : mpf
        :math:`x^*` and :math:`\delta^* = \sqrt{x^*}`.
    s_pos, s_neg : mpf
        The CCEM's positive and negative similarities at :math:`\delta^*`.
    loss : mpf
        :math:`\ell(x^*)`, the loss with the :math:`1/N` normalisation.
    x_enclosure : Enclosure
        Certified enclosure of :math:`x^*` (the exact point for the boundary regimes).
    """

    N: int
    t: mpmath.mpf
    b: mpmath.mpf
    digits: int
    regime: str
    x: mpmath.mpf
    delta: mpmath.mpf
    s_pos: mpmath.mpf
    s_neg: mpmath.mpf
    loss: mpmath.mpf
    x_enclosure: Enclosure


def _signs(N: int, t: RealInput, b: RealInput, digits: int):
    """Certified signs of l'(1) and l'(0) (None where undecided) and the bits used."""
    d1, d0 = evaluator("etf_condition", "arb"), evaluator("antipodal_condition", "arb")
    s1 = s0 = None
    for step in range(SIGN_PRECISION_STEPS + 1):
        guard = _SIGN_GUARD_BITS * 4**step
        with arb_precision(digits, guard):
            n_ball, t_ball, b_ball = arb(N), t.ball(), b.ball()
            s1 = ball_sign(d1(0, n_ball, t_ball, b_ball)) if s1 is None else s1
            s0 = ball_sign(d0(0, n_ball, t_ball, b_ball)) if s0 is None else s0
        if s1 is not None and s0 is not None:
            break
    return s1, s0


def _boundary_regime(s1, s0, digits: int):
    """The regime and the enclosure of x* when a sign settles it, else None."""
    convex = "l is strictly convex (symbolic certificate)"
    if s1 in (-1, 0):
        why = "l'(1) = 0 exactly" if s1 == 0 else "l'(1) < 0 certified by a ball"
        return "etf", Enclosure.point(1, f"{why}; {convex}", digits)
    if s0 in (1, 0):
        why = "l'(0) = 0 exactly" if s0 == 0 else "l'(0) > 0 certified by a ball"
        return "antipodal", Enclosure.point(0, f"{why}; {convex}", digits)
    return None


def _interior_root(N, t, b, digits):
    g = evaluator("loss_dx_log_ratio", "mpmath")
    f = evaluator("loss_dx", "mpmath")
    n_mp, t_mp, b_mp = mpmath.mpf(N), t.mpf(), b.mpf()
    try:
        return find_root(lambda z: g(z, n_mp, t_mp, b_mp), (0, 1), solver="anderson",
                         verify=False)
    except ConvergenceError:
        return find_root(lambda z: f(z, n_mp, t_mp, b_mp), (0, 1), solver="bisect",
                         verify=False)


def _certify_interior(N, t, b, x, digits) -> Enclosure:
    f, df = evaluator("loss_dx", "arb"), evaluator("loss_dx2", "arb")
    with arb_precision(digits):
        n_ball, t_ball, b_ball = arb(N), t.ball(), b.ball()
    return certify_root(lambda z: f(z, n_ball, t_ball, b_ball),
                        lambda z: df(z, n_ball, t_ball, b_ball), x, digits=digits,
                        bracket=(0, 1))


def sigmoid_optimum(N: int, t, b, *, digits: int = 50) -> SigmoidOptimum:
    r"""The sigmoid loss's optimal CCEM at :math:`(N, t, b)` to ``digits`` significant digits.

    Parameters
    ----------
    N : int
        Batch size, :math:`N \ge 3`.
    t : real
        Inverse temperature (multiplies the similarity), finite and :math:`> 0`.  Decimal
        strings are kept exact for the certificate.
    b : real
        Bias (subtracted from the logit; SigLIP's own bias is :math:`-b`), finite.
    digits : int
        Significant decimal digits, in ``[15, 10000]``.

    Returns
    -------
    SigmoidOptimum

    Raises
    ------
    InvalidParameterError
        A parameter outside its range (a ``ValueError``).

    Examples
    --------
    >>> opt = sigmoid_optimum(10, 0.1, 0.1, digits=20)
    >>> opt.regime, opt.x, opt.x_enclosure.certified
    ('antipodal', mpf('0.0'), True)
    >>> sigmoid_optimum(2, 1, 1)
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: N must be an integer >= 3, got 2
    """
    N = check_batch_size("N", N)
    t, b = RealInput.positive("t", t), RealInput.finite("b", b)
    digits = check_digits(digits)
    s1, s0 = _signs(N, t, b, digits)
    settled = _boundary_regime(s1, s0, digits)
    with mpmath.workdps(digits + GUARD_DIGITS):
        n_mp, t_mp, b_mp = mpmath.mpf(N), t.mpf(), b.mpf()
        if settled is None and (s1 is None or s0 is None):
            # undecided by balls even at higher precision: decide by mpmath, say so
            d1 = evaluator("etf_condition", "mpmath")(0, n_mp, t_mp, b_mp)
            d0 = evaluator("antipodal_condition", "mpmath")(0, n_mp, t_mp, b_mp)
            settled = _boundary_regime(-1 if d1 <= 0 else 1, 1 if d0 >= 0 else -1, digits)
            if settled is not None:
                regime, enc = settled
                settled = regime, Enclosure(enc.lo, enc.hi, False,
                                            "sign of l'(0) or l'(1) not certified by balls "
                                            "(decided by mpmath at the working precision)",
                                            digits)
        if settled is not None:
            regime, enclosure = settled
            x = mpmath.mpf(enclosure.lo)
        else:
            regime = "intermediate"
            x = _interior_root(N, t, b, digits)
            enclosure = _certify_interior(N, t, b, x, digits)
        values = [x, mpmath.sqrt(x)] + [evaluator(name, "mpmath")(x, n_mp, t_mp, b_mp)
                                        for name in ("s_pos", "s_neg", "loss_x")]
    with mpmath.workdps(digits):
        x, delta, s_pos, s_neg, loss = (+v for v in values)
        return SigmoidOptimum(N, +t_mp, +b_mp, digits, regime, x, delta, s_pos, s_neg, loss,
                              enclosure)
