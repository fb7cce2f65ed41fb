r"""Is the CCEM optimal for this loss?  A sufficient condition, certified by Arb boxes.

:func:`~clverify.theory.jensen_form.jensen_form` reads a loss's own definition as a sum of
per-pair and per-row terms and lists the one-variable inequalities under which Jensen's
inequality and Lemma 1 (``lee2024.lemma1``) bound the loss below by its CCEM restriction (the
argument of Lee et al.'s Theorem 1; ``docs/extending.md``).  :func:`ccem_optimality` shows
each inequality at the given ``N`` and exact parameter values:

* a constant is decided exactly (SymPy: :math:`G'' = 2`, :math:`F'' = 0`);
* a function of one variable is shown :math:`> 0` on a closed interval covering the one the
  argument needs (``[-1, 1]`` for a similarity; ends that are irrational, e.g.
  :math:`\log(N-1)`, rounded outwards to dyadic rationals) by bisection in Arb ball arithmetic
  (:func:`~clverify.numerics.precision.boxes.positive_cover`), at most
  :data:`OPTIMALITY_BOXES` boxes per inequality.

When every inequality is shown, the result carries a certificate
(:class:`~clverify.numerics.precision.certificates.Certificate`, re-checked by
``clverify recheck`` with python-flint alone): one ``positive_on_boxes`` fact (region and
bisection tree) or ``sign`` fact per inequality.

>>> from clverify.theory.losses import LOSSES
>>> result = ccem_optimality(LOSSES["sigmoid"], 10, {"t": "2", "b": "1"})
>>> result.shown, [c.how.split(" on ")[0] for c in result.conditions]
(True, ['certified > 0 by 1 Arb box', 'certified > 0 by 1 Arb box', 'certified > 0 by 1 Arb box'])
>>> from clverify.recheck import check_certificate
>>> check = check_certificate(json.loads(result.certificate.to_json({})))
>>> check.failures, check.facts
([], 9)
>>> ccem_optimality(LOSSES["kcl"], 10, {"gamma": 16, "t": 2}).reason
'not shown: the loss uses within-view similarities (grams.uu, grams.vv): the Jensen and Lemma 1 argument bounds only u_i.v_j'
"""

from __future__ import annotations

import json  # noqa: F401 - used by the doctest
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from clverify.theory.jensen_form import Condition, jensen_form
from clverify.theory.losses import Loss
from clverify.theory.params import MIN_DIGITS

from .boxes import compiled, exact_ball, positive_cover
from .certificates import _N_DOMAIN, Certificate, exact_decimal
from .evaluators import arb_precision, bits_for_digits
from .restriction import split_parameters

__all__ = ["ConditionResult", "Optimality", "ccem_optimality", "OPTIMALITY_BOXES", "OPTIMALITY_DIGITS",
           "WITNESS_POINTS",
           "ARGUMENT", "LEMMA"]

#: Box budget of each inequality.
OPTIMALITY_BOXES = 2048
#: Working digits of the Arb balls.
OPTIMALITY_DIGITS = 20
#: Grid on which each inequality is first searched for a certainly negative value.
WITNESS_POINTS = 16
#: The registry entry whose statement the argument uses.
LEMMA = "lee2024.lemma1"
#: The argument, in one sentence.
ARGUMENT = (f"Jensen's inequality over the rows (and the permutations of a row) bounds the loss below "
            f"by its value at the mean similarities (a, c), which does not decrease in c; Lemma 1 "
            f"({LEMMA}) gives c >= ((N-2)a - N)/(2(N-1)), the CCEM's value at s+ = a, so the CCEM "
            f"family (which exists for d >= N) contains a global minimiser")
#: Dyadic denominator of the outward rounding of irrational interval ends.
_DYADIC = 2**40


@dataclass(frozen=True)
class ConditionResult:
    """One inequality: ``how`` it was shown, or ``failure``; ``interval`` the exact decimal ends
    of the interval it was shown on."""

    name: str
    interval: tuple[str, str]
    how: str | None = None
    failure: str | None = None


@dataclass(frozen=True)
class Optimality:
    """Whether the sufficient condition is ``shown``; ``reason`` in words; the per-inequality
    ``conditions``; ``certificate`` when shown."""

    shown: bool
    reason: str
    conditions: tuple[ConditionResult, ...] = ()
    certificate: Certificate | None = None


def _outward(lo, hi) -> tuple[Fraction, Fraction]:
    """Dyadic rationals ``lo' <= lo`` and ``hi' >= hi`` (exact SymPy numbers; rationals kept)."""
    def rounded(value, rounding):
        value = sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        return Fraction(int(rounding(value * _DYADIC)), _DYADIC)

    return rounded(lo, sp.floor), rounded(hi, sp.ceiling)


def _negative_point(expr, variable, lo: Fraction, hi: Fraction, digits: int) -> str | None:
    """A point of a grid of :data:`WITNESS_POINTS` on ``[lo, hi]`` where ``expr`` is certainly
    negative (a ball), as an exact fraction; None when there is none."""
    f = compiled(expr)
    with arb_precision(digits):
        for k in range(WITNESS_POINTS + 1):
            point = lo + (hi - lo) * Fraction(k, WITNESS_POINTS)
            if f({str(variable): exact_ball(point)}) < 0:
                return str(point)
    return None


def _show(condition: Condition, N: int, digits: int, max_boxes: int):
    """``(ConditionResult, (expression, column, cell) or None)`` for one inequality."""
    lo, hi = _outward(condition.lo, condition.hi)
    interval = (exact_decimal(lo), exact_decimal(hi))
    expr = condition.expression
    where = f"on {condition.variable} in [{float(lo):.6g}, {float(hi):.6g}]"
    if not expr.has(condition.variable):
        value = sp.simplify(expr)
        sign = sp.sign(value)
        if value.is_number and sign in (0, 1):
            return (ConditionResult(condition.name, interval, f"constant {value} (SymPy, exact)"),
                    ({condition.name: value}, {"fact": "sign", "expression": condition.name},
                     {"sign": int(sign)}))
        return ConditionResult(condition.name, interval, failure=f"the constant {value} is negative"), None
    try:
        witness = _negative_point(expr, condition.variable, lo, hi, digits)
        if witness is not None:
            return ConditionResult(condition.name, interval,
                                   failure=f"negative at {condition.variable} = {witness} (a ball)"), None
        cover = positive_cover(expr, N, ((str(condition.variable), lo, hi),), digits, max_boxes)
    except (SyntaxError, ValueError, KeyError, TypeError, ArithmeticError) as exc:
        return ConditionResult(condition.name, interval, failure=f"cannot be evaluated in balls ({exc})"), None
    if cover.negative_at is not None:
        point = {k: float(v) for k, v in cover.negative_at.items()}
        return ConditionResult(condition.name, interval, failure=f"negative at {point} (a ball)"), None
    if cover.tree is None:
        return ConditionResult(condition.name, interval,
                               failure=f"not certified > 0 {where} within {max_boxes} boxes"), None
    plural = "es" if cover.leaves > 1 else ""
    var = str(condition.variable)
    column = {"fact": "positive_on_boxes", "expression": condition.name, "variables": [var],
              "fixed": {var: list(interval)}, "sides": {}}
    cell = {"region": {var: list(interval)}, "tree": cover.tree, "leaves": cover.leaves}
    expressions = {condition.name: cover.form}
    ends = [sp.sympify(condition.lo), sp.sympify(condition.hi)]
    if not all(end.is_Rational for end in ends):   # rounded outwards: the side must contain them
        names = [f"{condition.name}: lo", f"{condition.name}: hi"]
        column["covers"] = {var: names}
        expressions.update(zip(names, ends))
    return (ConditionResult(condition.name, interval, f"certified > 0 by {cover.leaves} Arb box{plural} {where}"),
            (expressions, column, cell))


def ccem_optimality(loss: Loss, N: int, params: dict, *, digits: int = OPTIMALITY_DIGITS,
                    max_boxes: int = OPTIMALITY_BOXES) -> Optimality:
    r"""Whether the Jensen and Lemma 1 argument shows that the CCEM family contains a global
    minimiser of ``loss`` at ``N`` and ``params`` (resolved: numbers and decimal strings, read
    exactly; names for non-numeric parameters), for every dimension :math:`d \ge N`.

    Parameters
    ----------
    loss : Loss
        Any loss (built in, or a user's).
    N : int
        Batch size.
    params : dict
        Its parameters, all given (``loss.resolve``).
    digits, max_boxes
        Working digits of the balls; box budget of each inequality.
    """
    numeric, fixed = split_parameters(params)
    exact = {k: p.exact() for k, p in numeric.items()}
    form = jensen_form(loss, N, {**exact, **fixed})
    if form.reason is not None:
        return Optimality(False, f"not shown: {form.reason}")
    results, facts = [], []
    for condition in form.conditions:
        result, fact = _show(condition, N, digits, max_boxes)
        results.append(result)
        facts.append(fact)
    failed = [r for r in results if r.failure]
    if failed:
        return Optimality(False, f"not shown: {failed[0].name} fails ({failed[0].failure})", tuple(results))
    shown = ", ".join(r.name for r in results)
    certificate = _certificate(loss, N, {**{k: str(v) for k, v in numeric.items()}, **fixed},
                               results, facts, digits)
    return Optimality(True, f"{shown} at N = {N} and the given parameters; {ARGUMENT}",
                      tuple(results), certificate)


def _certificate(loss, N, shown_params, results, facts, digits) -> Certificate:
    given = ", ".join(f"{k} = {v}" for k, v in shown_params.items()) or "no parameters"
    claim = (f"For the loss {loss.name!r} at N = {N}, {given}: each expression (an inequality of its "
             f"pair and row form, in one variable) is > 0 (positive_on_boxes) or a constant of the "
             f"stated sign >= 0 on its interval. Hence: {ARGUMENT}.")
    assumes = ("the expressions are SymPy's derivatives of the loss's pair and row terms, read from "
               "its definition by clverify.theory.jensen_form (a human-reviewed step)",
               f"{LEMMA} (proved in the registry) and Jensen's inequality for convex functions")
    expressions = {name: expr for exprs, _, _ in facts for name, expr in exprs.items()}
    columns = {r.name: column for r, (_, column, _) in zip(results, facts)}
    cells = {r.name: cell for r, (_, _, cell) in zip(results, facts)}
    cert = Certificate("ccem_optimality", claim, assumes, {"N": _N_DOMAIN}, max(digits, MIN_DIGITS),
                       bits_for_digits(digits), expressions, columns)
    cert.add_row({"N": N}, lambda exact: cells)
    return cert
