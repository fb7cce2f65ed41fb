r"""The sigmoid loss restricted to the CCEM, derived by SymPy, and everything that follows.

Nothing here is typed in: :func:`ccem_loss` substitutes the CCEM's (derived)
similarity matrices into :func:`clverify.theory.losses.sigmoid_loss` for a *symbolic*
``N``; derivatives, the convexity certificate, the regime conditions and the
thresholds are then computed from that expression.

With :math:`x = \delta^2`,

.. math::
    \ell(x) = \operatorname{softplus}(b - t(2x-1))
              + (N-1)\operatorname{softplus}\big(t(x\tfrac{N-2}{N-1} - 1) - b\big).

>>> sp.simplify(etf_threshold_tb() - (N - 1) / N * sp.log(N - 3))
0
>>> antipodal_threshold_tb()
log(N/2 - 1)/2
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .losses import LOSSES, Loss
from .ops import SYMPY_OPS, exact
from .params import check_choice
from .structures import CCEM

__all__ = [
    "N", "t", "b", "tau", "delta", "x", "parameter_symbol",
    "ccem_loss", "ccem_loss_ddelta", "derivative", "kinks", "ccem_loss_ddelta2",
    "ccem_loss_x", "ccem_loss_dx", "ccem_loss_dx2",
    "ccem_loss_dx2_terms", "check_ccem_loss_strictly_convex",
    "etf_condition", "antipodal_condition", "regime_relations",
    "etf_threshold_tb", "antipodal_threshold_tb", "etf_boundary_b", "antipodal_boundary_b",
    "fixed_b_limit_x", "sigmoid_derivation", "to_latex",
]

#: Batch size, inverse temperature, bias, InfoNCE temperature, CCEM parameter and x = delta^2.
N = sp.Symbol("N", positive=True, integer=True)
t = sp.Symbol("t", positive=True)
b = sp.Symbol("b", real=True)
tau = sp.Symbol("tau", positive=True)
delta = sp.Symbol("delta", nonnegative=True)
x = sp.Symbol("x", nonnegative=True)

_PARAMETERS = {"t": t, "b": b, "tau": tau}


def parameter_symbol(name: str) -> sp.Symbol:
    """The symbol of a loss parameter: :data:`t`, :data:`b`, :data:`tau` for those names
    (with their signs), otherwise a real symbol of that name.

    >>> parameter_symbol("t").is_positive, parameter_symbol("m").is_real
    (True, True)
    """
    return _PARAMETERS.get(name) or sp.Symbol(name, real=True)


def _loss(loss) -> Loss:
    if isinstance(loss, Loss):
        return loss
    check_choice("loss", loss, LOSSES)
    return LOSSES[loss]


@lru_cache(maxsize=None)
def ccem_loss(loss="sigmoid", symbols: tuple = (), **fixed):
    r""":math:`L(\delta)`: the loss on CCEM(:math:`\delta`) for symbolic ``N``.

    ``loss`` is a name of :data:`~clverify.theory.losses.LOSSES` or any
    :class:`~clverify.theory.losses.Loss`.  Its parameters are the ``(name, symbol)`` pairs
    of ``symbols``, the values in ``fixed`` (e.g. a kernel's name), and otherwise the symbols
    of :func:`parameter_symbol` (whose signs, e.g. ``t > 0``, are the sigmoid derivation's:
    pass real symbols for a loss where a parameter may have either sign).

    >>> ccem_loss()
    (N - 1)*log(exp(-b + t*(delta**2 - delta**2/(N - 1) - 1)) + 1) + log(exp(b - t*(2*delta**2 - 1)) + 1)
    """
    loss = _loss(loss)
    given = {**dict(symbols), **fixed}
    params = {name: given.get(name, parameter_symbol(name)) for name in loss.parameters}
    value = exact(loss(CCEM(N, delta).grams(), SYMPY_OPS, **params))
    return sp.collect(sp.expand(value, deep=False), sp.log(sp.Wild("a")))


def derivative(expr, *symbols):
    r"""``sp.diff(expr, *symbols)`` away from the kinks of ``abs`` and ``sign``: the terms that
    live on a kink (``DiracDelta``, a derivative of ``sign``) are dropped, so the result is the
    derivative almost everywhere (exact off the zeros of the arguments of :func:`kinks`).

    >>> s = sp.Symbol("s", real=True)
    >>> derivative(abs(s - 1), s, 2), derivative(s * sp.sign(s), s)
    (0, sign(s))
    """
    def on_a_kink(e):
        return isinstance(e, sp.DiracDelta) or (isinstance(e, sp.Derivative) and e.expr.has(sp.sign))

    return sp.diff(expr, *symbols).replace(on_a_kink, lambda e: sp.S.Zero)


def kinks(expr, symbol=x) -> tuple:
    r"""The arguments of ``abs`` and ``sign`` in ``expr`` that depend on ``symbol``: where one
    vanishes, :math:`\ell` or a derivative jumps, so a certificate that uses :math:`\ell''`
    (convexity, a root of :math:`\ell'`) does not hold across it.

    >>> kinks(abs(2 * x - 1) + sp.sign(t) * x)
    (2*x - 1,)
    """
    args = {e.args[0] for e in expr.atoms(sp.Abs, sp.sign) if e.args[0].has(symbol)}
    return tuple(sorted(args, key=sp.default_sort_key))


@lru_cache(maxsize=None)
def ccem_loss_ddelta(loss="sigmoid", symbols: tuple = (), **fixed):
    r""":math:`dL/d\delta`; it vanishes at :math:`\delta = 0` for every parameter.

    >>> ccem_loss_ddelta().subs(delta, 0)
    0
    """
    return derivative(ccem_loss(loss, symbols, **fixed), delta)


@lru_cache(maxsize=None)
def ccem_loss_ddelta2(loss="sigmoid", symbols: tuple = (), **fixed):
    r""":math:`d^2L/d\delta^2`."""
    return derivative(ccem_loss(loss, symbols, **fixed), delta, 2)


@lru_cache(maxsize=None)
def ccem_loss_x(loss="sigmoid", symbols: tuple = (), **fixed):
    r""":math:`\ell(x) = L(\sqrt x)`, the loss as a function of :math:`x = \delta^2`."""
    return ccem_loss(loss, symbols, **fixed).subs(delta, sp.sqrt(x))


@lru_cache(maxsize=None)
def ccem_loss_dx(loss="sigmoid", symbols: tuple = (), **fixed):
    r""":math:`\ell'(x)`."""
    return derivative(ccem_loss_x(loss, symbols, **fixed), x)


@lru_cache(maxsize=None)
def ccem_loss_dx2(loss="sigmoid", symbols: tuple = (), **fixed):
    r""":math:`\ell''(x)`."""
    return derivative(ccem_loss_x(loss, symbols, **fixed), x, 2)


def ccem_loss_dx2_terms(loss: str = "sigmoid") -> tuple:
    r"""Numerator summands and denominator of :math:`\ell''(x)`, with :math:`N = n + 3`, :math:`n \ge 0`.

    Each summand is a product of factors SymPy shows non-negative from the assumptions
    :math:`n \ge 0`, :math:`t > 0`, :math:`b, x` real, and at least one is positive.
    """
    expr = sp.expand(sp.together(ccem_loss_dx2(loss)).subs(N, _n + 3))
    num, den = sp.fraction(sp.together(expr))
    return tuple(sp.Add.make_args(sp.expand(num))), den


def check_ccem_loss_strictly_convex(loss: str = "sigmoid") -> tuple[bool, str]:
    r"""Whether :math:`\ell''(x) > 0` for all :math:`N \ge 3, t > 0` and real :math:`b, x`,
    as a sum of positive terms over a positive denominator.

    >>> check_ccem_loss_strictly_convex()
    (True, '')
    """
    terms, den = ccem_loss_dx2_terms(loss)
    if den.is_positive is not True:
        return False, f"denominator not shown positive: {den}"
    unknown = [term for term in terms if term.is_nonnegative is not True]
    if unknown:
        return False, f"{len(unknown)} of {len(terms)} summands not shown >= 0, e.g. {unknown[0]}"
    if not any(term.is_positive for term in terms):
        return False, "no summand shown > 0"
    return True, ""


_n = sp.Symbol("n", nonnegative=True, integer=True)  # N = n + 3 encodes N >= 3


def _split_exponentials(expr):
    """``exp(a + c) -> exp(a) exp(c)`` after splitting ``a`` into partial fractions in ``N``,
    so that ``solve`` sees ``exp(b)`` (not ``exp(N b/(N-1))``) as the generator."""
    expr = expr.replace(sp.exp, lambda a: sp.exp(sp.expand(sp.apart(sp.together(a), N))))
    return sp.expand(expr, power_exp=True, mul=False, deep=True)


def _sign_numerator(expr):
    """``expr`` over a denominator SymPy proves positive for ``N >= 3``: the numerator has
    the same sign."""
    num, den = sp.fraction(sp.factor(sp.together(_split_exponentials(expr))))
    if den.subs(N, _n + 3).is_positive is not True:  # pragma: no cover - broken derivation
        raise ArithmeticError(f"cannot show the denominator positive: {den}")
    return num


@lru_cache(maxsize=None)
def etf_condition():
    r""":math:`\ell'(1)`: the ETF (:math:`x = 1`) is optimal iff it is :math:`\le 0` (convexity)."""
    return sp.simplify(ccem_loss_dx().subs(x, 1))


@lru_cache(maxsize=None)
def antipodal_condition():
    r""":math:`\ell'(0)`: the antipodal structure is optimal iff it is :math:`\ge 0`."""
    return sp.simplify(ccem_loss_dx().subs(x, 0))


def regime_relations() -> dict:
    r"""The general :math:`(t, b)` regime conditions as SymPy relations (sign of a numerator).

    >>> rel = regime_relations()["antipodal"]
    >>> bool(rel.subs({N: 10, t: 0.5, b: 0.8})), bool(rel.subs({N: 10, t: 0.5, b: 0.9}))
    (True, False)
    """
    return {
        "etf": sp.Le(_sign_numerator(etf_condition()), 0),
        "antipodal": sp.Ge(_sign_numerator(antipodal_condition()), 0),
    }


def _unique_root(equation, symbol, positive_only=False):
    roots = sp.solve(sp.Eq(_split_exponentials(equation), 0), symbol)
    roots = [sp.simplify(sp.expand_log(r, force=True)) for r in roots]
    if positive_only:
        # keep the root(s) that are real for a large enough N (a numeric witness)
        roots = [r for r in roots if sp.im(r.subs({N: 10, t: 1}).evalf()) == 0]
    if len(roots) != 1:  # pragma: no cover - a broken derivation, not a false claim
        raise ArithmeticError(f"expected one root in {symbol}, got {roots}")
    return roots[0]


@lru_cache(maxsize=None)
def etf_threshold_tb():
    r""":math:`t_E(N)`: the root in :math:`t` of :math:`\ell'(1) = 0` at :math:`b = t`."""
    return sp.factor(_unique_root(etf_condition().subs(b, t), t))


@lru_cache(maxsize=None)
def antipodal_threshold_tb():
    r""":math:`t_A(N)`: the root in :math:`t` of :math:`\ell'(0) = 0` at :math:`b = t`."""
    return _unique_root(antipodal_condition().subs(b, t), t)


@lru_cache(maxsize=None)
def etf_boundary_b():
    r""":math:`b_E(N, t)`: the root in :math:`b` of :math:`\ell'(1) = 0` (ETF optimal iff :math:`b \ge b_E`).

    >>> float(etf_boundary_b().subs({N: 5, t: 1}))  # < 1, as t = b = 1 > t_E(5) = 0.8 log 2
    0.686776110...
    """
    return _unique_root(etf_condition(), b, positive_only=True)


@lru_cache(maxsize=None)
def antipodal_boundary_b():
    r""":math:`b_A(N, t)`: the root in :math:`b` of :math:`\ell'(0) = 0` (antipodal iff :math:`b \le b_A`)."""
    return _unique_root(antipodal_condition(), b)


@lru_cache(maxsize=None)
def fixed_b_limit_x():
    r"""The limit of the interior root :math:`x^*` as :math:`t \to \infty` at fixed :math:`b`.

    >>> fixed_b_limit_x()
    2*(N - 1)/(3*N - 4)

    In :math:`\ell'(x) = t[-2\sigma(A) + (N-2)\sigma(B)]` the negative-pair logit
    :math:`B = t(x\frac{N-2}{N-1}-1) - b \to -\infty`, so a root needs :math:`A = b - t(2x-1) \to -\infty`
    too, with :math:`A - B \to \log\frac{N-2}{2}` bounded: the slopes of ``A`` and ``B`` in ``t``
    agree, and the limit solves that linear equation in ``x``.
    """
    slope_a, slope_b = (sp.diff(arg, t) for arg in _sigmoid_arguments())
    return sp.factor(_unique_root(slope_a - slope_b, x))


def _sigmoid_arguments():
    """The two logits of :math:`\\ell(x)` (arguments of its softplus terms), read off the expression."""
    args = sorted({e.args[0] for term in ccem_loss_x().atoms(sp.log) for e in term.atoms(sp.exp)},
                  key=sp.default_sort_key)
    if len(args) != 2:  # pragma: no cover
        raise ArithmeticError(f"expected two softplus terms, got {args}")
    return args


def sigmoid_derivation() -> dict:
    """Every derived formula, by name, in the order ``clverify derive`` prints them."""
    return {
        "L(delta)": ccem_loss(),
        "dL/ddelta": ccem_loss_ddelta(),
        "d2L/ddelta2": ccem_loss_ddelta2(),
        "l(x)": ccem_loss_x(),
        "l'(x)": ccem_loss_dx(),
        "l''(x)": ccem_loss_dx2(),
        "etf_condition l'(1)": etf_condition(),
        "antipodal_condition l'(0)": antipodal_condition(),
        "t_etf (b = t)": etf_threshold_tb(),
        "t_antipodal (b = t)": antipodal_threshold_tb(),
        "b_etf(N, t)": etf_boundary_b(),
        "b_antipodal(N, t)": antipodal_boundary_b(),
        "x_limit (t -> oo, fixed b)": fixed_b_limit_x(),
    }


def to_latex(expr) -> str:
    """LaTeX of a derived expression (SymPy's printer)."""
    return sp.latex(expr)
