r"""Covering boxes: facts proved on a whole region by bisection in Arb ball arithmetic, with the
bisection tree kept so that a certificate can be re-checked (:mod:`clverify.recheck`).

* :func:`positive_cover`: an expression is :math:`> 0` on a box region (at fixed ``N``).
  Undecided boxes are split at the midpoint of their widest side; a box, or the centre of an
  undecided box, certified negative is a counterexample.
* :func:`monotone_cover`: along :math:`t = b`, the optimal :math:`x^*(t)` of the CCEM solves
  :math:`F(x, t) = \ell'(x)|_{b=t} = 0` with :math:`\partial F/\partial x = \ell'' > 0`, so
  :math:`dx^*/dt` has the sign of :math:`-\partial F/\partial t`.  :math:`[t_A, t_E]` is covered
  by boxes :math:`T` on which a ball holding :math:`x^*(T)` (bracketed on a dyadic grid) and
  :math:`T` give :math:`\partial F/\partial t` a definite sign.

Boxes have exact rational corners (:class:`fractions.Fraction`) and are evaluated with this
package's own Arb code, compiled from the SymPy expression (:func:`compiled`:
:func:`~clverify.numerics.precision.evaluators.compile_expression`, derivatives by
``sympy.diff``), never with the checker's: :mod:`clverify.recheck` repeats every ball
computation with its own parser and automatic differentiation.  Trees are written in
preorder: a digit splits the box at the midpoint of that variable and the upper half comes
first (as the search explores it), ``L`` is a leaf.

>>> cover = positive_cover(D.x**2 - D.x + sp.Rational(1, 2), 3, (("x", 0, 1),))
>>> cover.tree, cover.leaves
('00L0LL0LL', 5)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import flint
import sympy as sp
from flint import arb, fmpq

from clverify.theory import derivation as D

from .certify import Enclosure, ball_sign
from .evaluators import arb_precision, bits_for_digits, compile_expression, formula
from .thresholds import antipodal_threshold_tb, etf_threshold_tb

__all__ = ["PositiveCover", "MonotoneCover", "BallFunction", "box_region", "positivity_form", "compiled",
           "exact_ball", "exact_interval", "positive_cover", "monotone_cover", "MAX_BOXES", "BRACKET_GRID",
           "MAX_SUBDIVISIONS"]

#: Box budget of :func:`positive_cover` (each box is one Arb evaluation).
MAX_BOXES = 2_000_000
#: Dyadic grid on [0, 1] that brackets x*(T) in :func:`monotone_cover` ...
BRACKET_GRID = 256
#: ... and how many times a box of t may be halved below the initial partition.
MAX_SUBDIVISIONS = 10

_n = sp.Symbol("n", nonnegative=True, integer=True)


def positivity_form(expr) -> sp.Expr:
    r"""``expr`` as one fraction whose numerator is expanded with :math:`N = n + 3` and ``n`` put
    back as :math:`N - 3`: a sum of terms whose signs Arb sees for :math:`N \ge 3`.

    >>> form = positivity_form(D.ccem_loss_dx2())
    >>> at = {D.x: sp.Rational(1, 3), D.N: 7, D.t: 2, D.b: sp.Rational(1, 2)}
    >>> abs(sp.N((form - D.ccem_loss_dx2()).subs(at), 40)) < 1e-35
    True
    """
    num, den = sp.fraction(sp.together(sp.expand(sp.together(expr).subs(D.N, _n + 3))))
    back = {_n: D.N - 3}
    return sp.expand(num).subs(back) / den.subs(back)


def box_region(**sides) -> tuple:
    """A region ``((name, lo, hi), ...)`` of exact fractions from ``(lo, hi)`` pairs or
    ``"lo:hi"`` strings (``"1/10:2"``), in the order given.

    >>> box_region(x=(0, 1), t="1/10:2")
    (('x', Fraction(0, 1), Fraction(1, 1)), ('t', Fraction(1, 10), Fraction(2, 1)))
    """
    region = []
    for name, side in sides.items():
        lo, hi = side.split(":") if isinstance(side, str) else side
        region.append((name, Fraction(lo), Fraction(hi)))
    return tuple(region)


def exact_ball(value: Fraction) -> arb:
    """A ball containing the exact rational ``value`` (the exact ball of an integer)."""
    value = Fraction(value)
    return arb(value.numerator) if value.denominator == 1 else arb(fmpq(value.numerator, value.denominator))


def exact_interval(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing :math:`[lo, hi]` (exact ends; the exact ball of ``lo`` when ``lo = hi``).

    >>> with flint.ctx.workprec(64):
    ...     b = exact_interval(Fraction(1, 3), Fraction(1, 2))
    >>> b.contains(arb(1) / 3) and b.contains(arb(1) / 2) and not b.contains(arb(3) / 5)
    True
    """
    return exact_ball(lo) if lo == hi else exact_ball(lo).union(exact_ball(hi))


#: What each SymPy assumption of a symbol requires of an exact value interval ``[lo, hi]``.
_REQUIRES = {"positive": lambda lo, hi: lo > 0, "nonnegative": lambda lo, hi: lo >= 0,
             "integer": lambda lo, hi: lo == hi and Fraction(lo).denominator == 1}


class BallFunction:
    """A SymPy expression compiled for Arb balls: called with ``{symbol name: ball}``;
    :meth:`derivative` is ``sympy.diff`` of it, compiled the same way."""

    def __init__(self, expr):
        self.expr = expr
        self.symbols = tuple(sorted(expr.free_symbols, key=str))
        self.names = tuple(s.name for s in self.symbols)
        self._f = compile_expression(expr, "arb", args=self.symbols)
        self._requires = {s.name: [k for k in _REQUIRES if s.assumptions0.get(k)] for s in self.symbols}
        self._derivatives = {}

    def __call__(self, env: dict) -> arb:
        return self._f(*(env[name] for name in self.names))

    def derivative(self, name: str) -> "BallFunction":
        """:math:`\\partial f/\\partial name` (0 for a symbol the expression does not hold)."""
        if name not in self._derivatives:
            found = [s for s in self.symbols if s.name == name]
            self._derivatives[name] = compiled(sp.diff(self.expr, found[0]) if found else sp.Integer(0))
        return self._derivatives[name]

    def outside_domain(self, values: dict) -> str | None:
        """Why exact values ``{name: (lo, hi)}`` miss a symbol or break one of its SymPy
        assumptions (``t`` positive, ``N`` integer...), or None."""
        for name, required in self._requires.items():
            if name not in values:
                return f"no value for the symbol {name}"
            lo, hi = values[name]
            broken = [k for k in required if not _REQUIRES[k](lo, hi)]
            if broken:
                return f"{name} in [{lo}, {hi}] breaks its assumption(s) {broken}"
        return None


@lru_cache(maxsize=None)
def compiled(expr) -> BallFunction:
    """The Arb evaluator of ``expr`` (compiled once)."""
    return BallFunction(expr)


def _box_env(N: int, box: dict) -> dict:
    return {"N": exact_ball(Fraction(N)), **{v: exact_interval(lo, hi) for v, (lo, hi) in box.items()}}


@dataclass(frozen=True)
class PositiveCover:
    """A bisection of ``region`` (``((name, lo, hi), ...)``) at fixed ``N`` for the fraction
    ``form``: ``tree`` (preorder) and its ``leaves`` when every leaf box is certified positive,
    else ``negative_at`` (a point where ``form`` is certified negative) or ``exhausted``
    (more than :data:`MAX_BOXES` boxes); ``bits`` is the working precision."""

    form: sp.Expr
    N: int
    region: tuple
    bits: int
    tree: str | None = None
    leaves: int = 0
    negative_at: dict | None = None
    exhausted: bool = False


@lru_cache(maxsize=None)
def positive_cover(expr, N: int, region: tuple, digits: int = 20, max_boxes: int = MAX_BOXES) -> PositiveCover:
    r"""Prove :math:`expr > 0` on ``region`` by bisection (the expression is evaluated in its
    :func:`positivity_form`), with at most ``max_boxes`` boxes.

    The first variable's width is weighted by the second's upper end when choosing the side to
    split (on the CCEM, :math:`\ell` varies on the scale :math:`t x`).

    >>> positive_cover(D.t / 4 - D.x, 3, (("x", 0, 1), ("t", 1, 2))).negative_at
    {'x': Fraction(1, 2), 't': Fraction(3, 2)}
    """
    form = positivity_form(expr)
    f = compiled(form)
    names = [name for name, _, _ in region]
    start = {name: (lo, hi) for name, lo, hi in box_region(**{n: (lo, hi) for n, lo, hi in region})}
    stack, tree, leaves = [start], [], 0
    with arb_precision(digits):
        bits = bits_for_digits(digits)
        while stack:
            if leaves + len(stack) > max_boxes:
                return PositiveCover(form, N, region, bits, exhausted=True)
            box = stack.pop()
            value = f(_box_env(N, box))
            if value > 0:
                tree.append("L")
                leaves += 1
                continue
            centre = {v: (lo + hi) / 2 for v, (lo, hi) in box.items()}
            if value < 0 or f(_box_env(N, {v: (c, c) for v, c in centre.items()})) < 0:
                return PositiveCover(form, N, region, bits, negative_at=centre)
            sizes = [hi - lo for lo, hi in box.values()]
            sizes[0] *= abs(box[names[1]][1]) if len(names) > 1 else 1
            k = sizes.index(max(sizes))
            lo, hi = box[names[k]]
            mid = (lo + hi) / 2
            tree.append(str(k))
            stack += [{**box, names[k]: (lo, mid)}, {**box, names[k]: (mid, hi)}]
    return PositiveCover(form, N, region, bits, tree="".join(tree), leaves=leaves)


@dataclass(frozen=True)
class MonotoneCover:
    """A cover of ``region = (t_lo, t_hi)`` (the outer ends of the enclosures ``ends`` of
    :math:`t_A(N)` and :math:`t_E(N)`) for :func:`monotone_cover`: the preorder ``tree`` and one
    x-bracket per leaf, or ``failed`` (the box of t where the sign was not shown; ``opposite``
    when the ball there had the other sign)."""

    N: int
    region: tuple[Fraction, Fraction]
    ends: tuple[Enclosure, Enclosure]
    sign: int
    bits: int
    tree: str | None = None
    brackets: tuple = ()
    failed: tuple[Fraction, Fraction] | None = None
    opposite: bool = False

    @property
    def leaves(self) -> int:
        return len(self.brackets)


def _x_bracket(F: BallFunction, N: int, T: tuple) -> tuple[Fraction, Fraction]:
    """``(a, c)`` with x*(t) in [a, c] for every t in T: F increases in x (l'' > 0), so
    F(a, T) < 0 puts x* above a and F(c, T) > 0 below c (a = 0, c = 1 need no sign)."""
    lo, hi = Fraction(0), Fraction(1)
    for k in range(BRACKET_GRID + 1):
        x = Fraction(k, BRACKET_GRID)
        s = ball_sign(F(_box_env(N, {"x": (x, x), "t": T})))
        if s == -1:
            lo = x
        elif s == 1:
            hi = x
            break
    return lo, hi


@lru_cache(maxsize=None)
def monotone_cover(N: int, boxes: int, want: int, digits: int = 30) -> MonotoneCover:
    r"""Cover :math:`[t_A(N), t_E(N)]` (``boxes`` equal parts, a power of 2, each halved up to
    :data:`MAX_SUBDIVISIONS` times) by boxes on which :math:`\partial F/\partial t` has the sign
    ``want`` (:math:`-1`: :math:`x^*` increasing in :math:`t`), :math:`F = \ell'(x)|_{b=t}`.

    >>> cover = monotone_cover(10, 2, -1)
    >>> cover.failed, cover.leaves, [float(end) for end in cover.region]  # [log 2, t_E(10)]
    (None, 52, [0.6931471805599453, 1.751319134149782])
    """
    if boxes < 1 or boxes & (boxes - 1):
        raise ValueError(f"boxes must be a power of 2, got {boxes}")
    ends = (antipodal_threshold_tb(N, digits).enclosure, etf_threshold_tb(N, digits).enclosure)
    if ends[0] is None or ends[1] is None:
        raise ValueError(f"N must be >= 5 (t_A(N) > 0), got {N}")
    region = (Fraction(ends[0].strings()[0]), Fraction(ends[1].strings()[1]))
    F = compiled(formula("loss_dx_tb"))
    dF_dt = F.derivative("t")
    forced = boxes.bit_length() - 1
    tree, brackets = [], []

    def cover(lo: Fraction, hi: Fraction, depth: int) -> tuple | None:
        """Append the subtree of [lo, hi] to ``tree``; None, or the failed box and whether
        its sign is the opposite one."""
        if depth >= forced:
            a, c = _x_bracket(F, N, (lo, hi))
            s = ball_sign(dF_dt(_box_env(N, {"x": (a, c), "t": (lo, hi)})))
            if s == want:
                tree.append("L")
                brackets.append((a, c))
                return None
            if depth >= forced + MAX_SUBDIVISIONS or s == -want:
                return lo, hi, s == -want
        tree.append("0")
        mid = (lo + hi) / 2
        return cover(mid, hi, depth + 1) or cover(lo, mid, depth + 1)

    with arb_precision(digits):
        failed = cover(*region, 0)
    bits = bits_for_digits(digits)
    if failed is not None:
        return MonotoneCover(N, region, ends, want, bits, failed=failed[:2], opposite=failed[2])
    return MonotoneCover(N, region, ends, want, bits, tree="".join(tree), brackets=tuple(brackets))
