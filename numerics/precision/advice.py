r"""What geometry the sigmoid loss wants at a practitioner's batch size, temperature and bias.

For :math:`(N, t, b)` (``t`` multiplies, ``b`` subtracted) the optimum over embeddings with
:math:`d \ge N` is the CCEM at :math:`x^* = \delta^{*2}` (:func:`sigmoid_optimum`): the ETF iff
:math:`b \ge b_E(N, t)`, the antipodal structure iff :math:`b \le b_A(N, t)`
(:func:`etf_boundary_b`, :func:`antipodal_boundary_b`).  SigLIP adds its bias to the logit,
:math:`t s + b_{siglip}`, so :math:`b = -b_{siglip}` and the inequalities flip.

At fixed :math:`(t, b)` the ETF is optimal exactly for :math:`3 \le N \le n_{etf}(t, b)`: the
sign of :math:`\ell'(1)` is that of :math:`f(N) = (N-2)(1+e^{t-b}) - 2(1+e^{t/(N-1)+b})`, and
:math:`f` increases with :math:`N` (both terms do, as :math:`t > 0`).  :func:`etf_batch_limit`
finds :math:`n_{etf}` by integer bisection on the certified sign of :math:`\ell'(1)` (a ball, or
exactly 0) and the optimum's rule (:func:`~clverify.numerics.precision.regime.regime`), after
an a-priori exponent bound: with :math:`R_\infty = 2(1+e^b)/(1+e^{t-b})`, every
:math:`N \le 2 + R_\infty` has :math:`f(N) \le 0` (as :math:`e^{t/(N-1)} > 1`), so
:math:`n_{etf} > R_\infty`; and :math:`n_{etf} \le \max(t + 1, 2 + e R_\infty)`.  When
:math:`R_\infty > 10^{1000}` (the largest batch size accepted, :data:`N_ETF_LIMIT`, and more
digits than an answer can usefully print: :math:`b = 10^{300}` gives about :math:`2e^{b}`),
:math:`n_{etf}` is ``None`` with a note, at once; otherwise the bisection takes at most
about 6700 steps.

>>> a = sigmoid_advice(32768, 10, -10, convention="siglip", digits=20)
>>> a.regime, a.b_paper, a.n_etf_max, a.certified
('intermediate', mpf('10.0'), 22039, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
from flint import arb

from clverify.theory.losses import LOSSES
from clverify.theory.params import MAX_DECIMAL_EXPONENT, check_batch_size, check_choice, check_digits

from .ccem_optimum import sigmoid_optimum
from .certify import Enclosure
from .evaluators import arb_precision
from .real_input import RealInput
from .regime import end_slope_sign, regime
from .restriction import Restriction
from .thresholds import antipodal_boundary_b, etf_boundary_b

__all__ = ["CONVENTIONS", "N_ETF_LIMIT", "Advice", "etf_batch_limit", "sigmoid_advice"]

#: ``paper``: the bias is subtracted from the logit (``t s - b``; Lee et al., Bangachev et al.);
#: ``siglip``: it is added (``t s + b``; SigLIP, Hugging Face's ``logit_bias``).
CONVENTIONS = ("paper", "siglip")
#: :func:`etf_batch_limit` computes :math:`n_{etf}` up to this batch size (the largest ``N``
#: accepted as input, :data:`~clverify.theory.params.MAX_DECIMAL_EXPONENT` digits).
N_ETF_LIMIT = 10**MAX_DECIMAL_EXPONENT


def _log1p_exp(z: arb) -> arb:
    r""":math:`\log(1 + e^z)` for a ball, without overflow at large ``z``."""
    return z + (-z).exp().log1p() if z > 0 else z.exp().log1p()


def _log_etf_lower_bound(t: RealInput, b: RealInput) -> arb:
    r""":math:`\log R_\infty = \log 2 + \log(1+e^b) - \log(1+e^{t-b})`, a ball: :math:`n_{etf} > R_\infty`."""
    tb, bb = t.ball(), b.ball()
    return arb(2).log() + _log1p_exp(bb) - _log1p_exp(tb - bb)


def _too_large_note(log_bound: arb) -> str:
    log10 = log_bound / arb(10).log()
    return (f"n_etf_max > 10^{MAX_DECIMAL_EXPONENT} (about 10^{log10.str(6, radius=False)}), "
            f"more digits than the largest batch size accepted: not computed; the ETF is optimal for "
            f"every N from 3 to 10^{MAX_DECIMAL_EXPONENT}")


def etf_batch_limit(t, b, *, digits: int = 30) -> tuple[int | None, bool, str]:
    r"""The largest :math:`N \ge 3` for which the ETF is optimal at :math:`(t, b)` (``b``
    subtracted), whether that is certified, and a note.

    ``None`` with a note when the ETF is optimal for no :math:`N \ge 3`, when it is optimal
    beyond :data:`N_ETF_LIMIT` (found at once from an exponent bound, see the module), or when
    a sign is not certified at ``digits``.

    >>> etf_batch_limit(1, 1)
    (6, True, '')
    >>> etf_batch_limit(5, -3)
    (None, True, "l'(1) > 0 at N = 3: the ETF is optimal for no N >= 3")
    >>> etf_batch_limit(1, "1e300")[1:]
    (True, 'n_etf_max > 10^1000 (about 10^4.34294e+299), more digits than the largest batch size accepted: not computed; the ETF is optimal for every N from 3 to 10^1000')
    """
    numeric = {"t": RealInput.positive("t", t), "b": RealInput.finite("b", b)}
    digits = check_digits(digits)
    with arb_precision(digits):
        log_bound = _log_etf_lower_bound(numeric["t"], numeric["b"])
        if log_bound > arb(N_ETF_LIMIT).log():
            return None, True, _too_large_note(log_bound)
    sigmoid = Restriction.of(LOSSES["sigmoid"], ("t", "b"))

    def etf(n):   # the optimum's rule on the certified sign of l'(1) (exactly 0 included)
        sign, _ = end_slope_sign(sigmoid, 1, n, numeric, digits)
        if sign is None:
            raise _Undecided(n)
        return regime(sign, None) == "etf"

    try:
        if not etf(3):
            return None, True, "l'(1) > 0 at N = 3: the ETF is optimal for no N >= 3"
        lo, hi = 3, 4
        while etf(hi):
            lo, hi = hi, 2 * hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if etf(mid) else (lo, mid)
        return lo, True, ""
    except _Undecided as exc:
        return None, False, (f"n_etf_max not computed: the sign of l'(1) at N = {_short(exc.args[0])} "
                             f"is not certified at {digits} digits")


def _short(n: int) -> str:
    """``n`` in full up to 30 digits, else as ``1.2345e+1299 (1300 digits)``."""
    text = str(n)
    return text if len(text) <= 30 else f"{text[0]}.{text[1:5]}e+{len(text) - 1} ({len(text)} digits)"


class _Undecided(Exception):
    """A ball sign of l'(1) straddles 0 at an integer N."""


@dataclass(frozen=True)
class Advice:
    r"""The optimum's geometry at :math:`(N, t, \text{bias})` in the user's ``convention``.

    ``b_paper`` and ``b_siglip`` are the bias in both conventions; ``boundary_etf`` and
    ``boundary_antipodal`` are :math:`b_E` and :math:`b_A` in the user's convention (so in
    ``siglip`` the ETF is optimal iff the bias is ``<= boundary_etf``); ``margin`` is the
    distance from the bias to the ``nearest_boundary``; ``n_etf_note`` says why ``n_etf_max`` is
    None (:func:`etf_batch_limit`).
    """

    N: int
    t: mpmath.mpf
    convention: str
    b_paper: mpmath.mpf
    b_siglip: mpmath.mpf
    regime: str
    x_star: mpmath.mpf
    s_pos: mpmath.mpf
    s_neg: mpmath.mpf
    x_star_enclosure: Enclosure
    boundary_etf: mpmath.mpf
    boundary_antipodal: mpmath.mpf
    boundary_etf_enclosure: Enclosure
    boundary_antipodal_enclosure: Enclosure
    n_etf_max: int | None
    n_etf_note: str
    nearest_boundary: str
    margin: mpmath.mpf
    certified: bool
    note: str

    @property
    def etf_side(self) -> str:
        """``>=`` (paper) or ``<=`` (siglip): the ETF is optimal iff bias ``etf_side`` boundary."""
        return ">=" if self.convention == "paper" else "<="


def _paper_bias(bias, convention: str):
    """The bias in the paper's convention, exactly (a decimal string negated as a fraction)."""
    if convention == "paper":
        return RealInput.finite("b", bias)
    given = RealInput.finite("b", bias)
    value = given.value
    negated = -Fraction(value) if isinstance(value, str) else -value
    return RealInput("b", negated)


def sigmoid_advice(N: int, t, bias, *, convention: str = "paper", digits: int = 30) -> Advice:
    r"""Regime, optimal similarities, bias boundaries and :math:`n_{etf}` at :math:`(N, t, \text{bias})`.

    Parameters
    ----------
    N : int
        Batch size, :math:`N \ge 3`.
    t : real
        Inverse temperature :math:`t > 0` (SigLIP's ``exp(logit_scale)``, 10 at initialisation).
    bias : real
        The bias in ``convention``: ``"paper"`` subtracts it, ``"siglip"`` adds it (SigLIP
        initialises ``logit_bias = -10``).
    digits : int
        Significant digits of the certified computations, in ``[15, 10000]``.

    Examples
    --------
    >>> a = sigmoid_advice(512, 10, "-2.71", convention="siglip", digits=20)
    >>> a.regime, a.nearest_boundary, a.etf_side
    ('intermediate', 'etf', '<=')
    >>> sigmoid_advice(512, 10, 1, convention="SigLIP")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.UnknownChoiceError: convention must be one of paper, siglip; got 'SigLIP'
    """
    N = check_batch_size("N", N)
    t_in = RealInput.positive("t", t)
    check_choice("convention", convention, CONVENTIONS)
    b = _paper_bias(bias, convention)
    digits = check_digits(digits)
    opt = sigmoid_optimum(N, t_in.value, b.value, digits=digits)
    etf, anti = etf_boundary_b(N, t_in.value, digits), antipodal_boundary_b(N, t_in.value, digits)
    n_max, n_certified, n_note = etf_batch_limit(t_in.value, b.value, digits=digits)
    with mpmath.workdps(digits):
        b_mp = b.mpf()
        sign = 1 if convention == "paper" else -1
        to_user = (lambda v: +v) if sign == 1 else (lambda v: -v)
        distances = {"etf": abs(b_mp - etf.value), "antipodal": abs(b_mp - anti.value)}
        nearest = min(distances, key=distances.get)
        enclosures = tuple(e.enclosure if sign == 1 else Enclosure(-e.enclosure.hi, -e.enclosure.lo,
                                                                   e.enclosure.certified, e.enclosure.reason,
                                                                   e.enclosure.digits)
                           for e in (etf, anti))
        certified = opt.certified and all(e.certified for e in enclosures) and n_certified
        reasons = ([] if opt.certified else [f"x* not certified: {opt.note}"]) + [
            f"{name} not certified: {e.reason}" for name, e in
            (("b_E", enclosures[0]), ("b_A", enclosures[1])) if not e.certified]
        return Advice(N, +t_in.mpf(), convention, b_mp, -b_mp, opt.regime, opt.x, opt.s_pos, opt.s_neg,
                      opt.x_enclosure, to_user(etf.value), to_user(anti.value), *enclosures, n_max, n_note, nearest,
                      distances[nearest], certified, "; ".join(reasons + ([n_note] if n_note else [])))
