r"""Symbolic arguments about the sigmoid loss on the CCEM, shared by the ``lee2024`` and ``ext``
registry entries: which way the regime conditions and the interior optimum move.

On the CCEM, with :math:`x = \delta^2`, the derived loss is (:func:`logits` reads ``A`` and
``B`` off :func:`clverify.theory.derivation.ccem_loss_x`, nothing is typed in)

.. math::
    \ell(x) = \operatorname{sp}(A) + (N-1)\operatorname{sp}(B), \qquad
    \frac{\ell'(x)}{t} = G(x) = (N-2)\,\sigma(B) - 2\,\sigma(A),

:math:`A = b - t(2x-1)` the positive-pair logit and :math:`B = t(x\tfrac{N-2}{N-1} - 1) - b`
the negative-pair logit.  **Slope lemma**: along any variable :math:`v` (``b``, or ``t`` with
``b`` a function of ``t``), :math:`\partial_v G = (N-2)\sigma'(B)\,\partial_v B - 2\sigma'(A)\,
\partial_v A` with :math:`\sigma' > 0`, so :math:`G` strictly decreases in :math:`v` wherever
:math:`\partial_v B \le 0 \le \partial_v A`, one of them strictly (:func:`decreasing`; the
slopes are affine in :math:`x`, so their signs on :math:`[0, 1]` are those at the ends; they
are free of :math:`v`, so the monotonicity holds on the whole line of :math:`v`).

>>> decreasing(D.b, x_values=(1,))                 # l'(1)/t falls as b grows
True
>>> decreasing(D.t, path=D.t)                      # on t = b, for every x in [0, 1]
True
>>> decreasing(D.t, path=sp.Integer(1)) is None    # at fixed b: undecided
True
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy as sp

from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.evaluators import arb_precision, compile_expression
from clverify.theory import derivation as D

from .registry import Inconclusive

__all__ = ["logits", "decreasing", "same_sign", "sign_counterexample", "certified_regime"]

N, t, b, x = D.N, D.t, D.b, D.x
#: ``N = n + 3`` encodes the hypothesis ``N >= 3`` for SymPy's assumptions.
_n = sp.Symbol("n", nonnegative=True, integer=True)
#: Digits of the ball evaluations that look for a counterexample.
_DIGITS = 30


@lru_cache(maxsize=None)
def logits() -> tuple[sp.Expr, sp.Expr]:
    r"""``(A, B)``: the arguments of the two softplus terms of :math:`\ell(x)`, the one with
    coefficient 1 (positive pair) first, the one with coefficient :math:`N-1` second."""
    found = {}
    for term in sp.Add.make_args(D.ccem_loss_x()):
        coefficient, log = term.as_independent(sp.log)
        (inner,) = log.args
        exponent = next(a.args[0] for a in sp.Add.make_args(inner) if isinstance(a, sp.exp))
        found[sp.simplify(coefficient)] = exponent
    return found[sp.Integer(1)], found[N - 1]


def _zero(expr) -> bool:
    """Whether SymPy simplifies ``expr`` to 0 for N >= 3 (logarithms expanded)."""
    return sp.simplify(sp.expand_log(sp.sympify(expr).subs(N, _n + 3), force=True)) == 0


def _sign(expr) -> int | None:
    """+1 / -1 / 0 when SymPy proves ``expr`` > 0 / < 0 / = 0 for every N >= 3, t > 0, b real."""
    e = sp.simplify(expr).subs(N, _n + 3)
    if e.is_zero:
        return 0
    return 1 if e.is_positive else -1 if e.is_negative else None


def decreasing(variable, path=None, x_values=(0, 1)) -> bool | None:
    r"""True when the slope lemma proves :math:`G(x)` strictly decreasing in ``variable`` for
    every :math:`x` in ``x_values`` (the default ``(0, 1)``: every :math:`x \in [0, 1]`),
    with ``b = path`` (an expression in ``t``) when ``path`` is given; False when it proves
    :math:`G` increasing; None when the slopes' signs do not decide."""
    A, B = logits()
    weights = (sp.simplify(sp.diff(A, x) / t), sp.simplify((N - 1) * sp.diff(B, x) / t))
    if any(w.free_symbols - {N} for w in weights) or (_sign(weights[0]), _sign(weights[1])) != (-1, 1):
        return None      # G is not (N-2) sigma(B) - 2 sigma(A) with constant weights of these signs
    A, B = (e if path is None else e.subs(b, path) for e in (A, B))
    slopes = [sp.diff(e, variable) for e in (A, B)]
    if any(sp.diff(s, x, 2) != 0 or variable in s.free_symbols for s in slopes):
        return None      # the signs at the ends of [0, 1] decide only for slopes affine in x, free of v
    signs = [[_sign(s.subs(x, v)) for v in x_values] for s in slopes]
    if any(None in row for row in signs):
        return None
    (a_signs, b_signs) = signs
    if all(s >= 0 for s in a_signs) and all(s <= 0 for s in b_signs) and all(
            a > 0 or c < 0 for a, c in zip(a_signs, b_signs)):
        return True
    if all(s <= 0 for s in a_signs) and all(s >= 0 for s in b_signs) and all(
            a < 0 or c > 0 for a, c in zip(a_signs, b_signs)):
        return False
    return None


@lru_cache(maxsize=None)
def _scaled_condition(x_value, orientation, path):
    """``orientation * G(x_value)`` with ``b = path`` if given: the regime holds iff it is <= 0."""
    G = sp.simplify(D.ccem_loss_dx().subs(x, x_value) / t)
    return orientation * (G if path is None else G.subs(b, path))


@lru_cache(maxsize=None)
def same_sign(claimed, x_value, orientation, variable, path=None, derived_root=None) -> str | None:
    r"""Prove that ``claimed <= 0`` exactly when ``orientation * G(x_value) <= 0`` (the regime's
    true condition), for every :math:`N \ge 3`, :math:`t > 0` and real :math:`b` (with
    ``b = path`` if given).  Returns how, or None when neither argument applies:

    * both are strictly monotone in ``variable`` in the same direction (the slope lemma, and
      SymPy's sign of ``d claimed / d variable``) and vanish at the same point: the unique
      root of ``claimed`` in ``variable`` (where the true condition simplifies to 0, or which
      simplifies to ``derived_root``, SymPy's solution of the true condition in
      :mod:`clverify.theory.derivation`); or
    * (a claim not linear in ``variable``) the ratio of the two simplifies to an expression
      SymPy proves positive.
    """
    true = _scaled_condition(x_value, orientation, path)
    claimed = claimed if path is None else claimed.subs(b, path)
    monotone = _common_root(claimed, true, x_value, orientation, variable, path, derived_root)
    if monotone:
        return monotone
    linear = sp.diff(claimed, variable, 2) == 0     # a closed form: only the root argument fits
    if not linear and _sign(sp.simplify(claimed / true)) == 1:
        return "the claimed condition is a positive multiple of the true one"
    return None


def _common_root(claimed, true, x_value, orientation, variable, path, derived_root) -> str | None:
    """The monotone argument of :func:`same_sign` (None when it does not apply)."""
    direction = decreasing(variable, path, (x_value,))
    if direction is None:
        return None
    true_slope = (-1 if direction else 1) * orientation
    if _sign(sp.diff(claimed, variable)) != true_slope:
        return None
    roots = sp.solve(claimed, variable)
    if len(roots) != 1:
        return None
    common = _zero(roots[0] - derived_root if derived_root is not None else true.subs(variable, roots[0]))
    if not common:
        return None
    return (f"both are strictly {'increasing' if true_slope > 0 else 'decreasing'} in {variable} "
            f"and vanish at {variable} = {roots[0]}")


def sign_counterexample(claimed, x_value, orientation, points) -> str | None:
    r"""A point where ``claimed <= 0`` and the true condition disagree, with both signs
    certified by Arb balls: ``points`` are ``(N, t, b)`` decimal strings (placed on either side
    of the true boundary by the caller); None when none disagrees."""
    from flint import arb

    true = _scaled_condition(x_value, orientation, None)
    functions = [compile_expression(e, "arb") for e in (claimed, true)]
    with arb_precision(_DIGITS):
        for n, tv, bv in points:
            args = (arb(0), arb(n), arb(tv), arb(bv))
            balls = [f(*args) for f in functions]
            if any(ball.contains(0) for ball in balls):
                continue
            said, holds = (bool(ball < 0) for ball in balls)
            if said != holds:
                value = mpmath.nstr(mpmath.mpf(balls[0].mid().str(15, radius=False)), 6)
                return (f"at N={n}, t={tv}, b={bv} the claimed condition is {value} "
                        f"({'<= 0' if said else '> 0'}) but the true condition "
                        f"{'holds' if holds else 'fails'} (both signs certified)")
    return None


def certified_regime(n: int, tv: str, bv: str, digits: int = _DIGITS) -> str:
    """The regime of the optimum at ``(N, t, b)`` when its signs are certified by balls
    (:func:`~clverify.numerics.precision.ccem_optimum.sigmoid_optimum`); Inconclusive when
    they had to be decided at working precision."""
    opt = sigmoid_optimum(n, tv, bv, digits=digits)
    if not opt.certified:
        raise Inconclusive(f"the regime at N={n}, t={tv}, b={bv} is not certified: {opt.note}")
    return opt.regime
