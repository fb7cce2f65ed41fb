r"""Losses of Koromilas et al. (ICML 2024) on structures, and their closed-form minima (SymPy).

Every value here is *derived*: the structure's (symbolic) similarity matrices are handed to
the loss of :data:`clverify.theory.losses.LOSSES` and SymPy simplifies the result.  Nothing is typed in.

* :func:`simplex_value`: the loss at ``u_i = v_i = w_i``, a simplex ETF of a symbolic batch
  size ``M`` (the claimed minimiser for ``1 < M <= d + 1``, Theorem 4.1 and KCL);
* :func:`cross_polytope_value`: the loss at ``u_i = v_i``, the ``M = 2d`` points
  :math:`\pm e_k` (the claimed KCL minimiser for ``M = 2d``);
* :func:`ccem_value`: the loss on the CCEM(:math:`\delta`) family.

>>> closed_form(simplex_value("dhel"))
2*log(M - 1) - 1/tau - 2/(tau*(M - 1))
>>> closed_form(simplex_value("dcl", tau=1))
log(M - 1) - 1 + log(2) - 1/(M - 1)
"""

from __future__ import annotations

import sympy as sp

from .derivation import delta, tau
from .errors import InvalidParameterError
from .losses import LOSSES
from .ops import SYMPY_OPS
from .params import check_choice, check_finite, check_positive, to_rational
from .similarity import Grams, OffDiagonal, Similarity
from .structures import CCEM, CrossPolytope, SimplexETF

__all__ = [
    "M", "tau", "gamma", "t", "t_riesz", "delta",
    "KOROMILAS_LOSSES", "STRUCTURES", "MAX_PARAMETER_DIGITS",
    "parameter_symbols", "check_loss_parameters", "loss_on",
    "closed_form", "simplex_value", "cross_polytope_value", "ccem_value", "minimum_value",
]

#: Batch size, temperature, KCL energy weight, kernel parameter (t < 0 for the Riesz kernel).
M = sp.Symbol("M", integer=True, positive=True)
gamma = sp.Symbol("gamma", positive=True)
t = sp.Symbol("t", positive=True)
t_riesz = sp.Symbol("t", negative=True)

#: Digits of the integers of an exact parameter (numerator and denominator): closed forms
#: in parameters such as 1e-10000 make SymPy's printing and simplification crawl.
MAX_PARAMETER_DIGITS = 310

#: The losses of the second paper (names as on the command line).
KOROMILAS_LOSSES = ("infonce", "infonce-sym", "ntxent", "dcl", "dhel", "dhel-1view",
                    "kcl", "kcl-log", "kcl-imq", "kcl-riesz")

#: Structure name (as on the command line) -> class.
STRUCTURES = {"simplex": SimplexETF, "cross-polytope": CrossPolytope}


def parameter_symbols(loss: str) -> dict:
    """The symbols standing for ``loss``'s parameters (``t`` is negative for ``kcl-riesz``).

    >>> parameter_symbols("kcl")
    {'gamma': gamma, 't': t}
    """
    check_choice("loss", loss, LOSSES)
    table = {"tau": tau, "gamma": gamma, "t": t_riesz if loss == "kcl-riesz" else t,
             "b": sp.Symbol("b", real=True)}
    return {name: table[name] for name in LOSSES[loss].parameters}


def check_loss_parameters(loss: str, params: dict) -> dict:
    """Validate concrete parameters of ``loss`` (symbols pass through); missing ones become symbols.

    ``tau``, ``gamma`` and the kernel ``t`` must be ``> 0``, except for the Riesz kernel,
    where ``t > 0`` makes :math:`-2K(u_i, v_i)` unbounded below and ``t < 0`` is required.

    >>> check_loss_parameters("kcl-riesz", {"t": 1})
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: t must be < 0 for the riesz kernel (t > 0: K(u, u) is infinite, the loss is unbounded below), got 1
    """
    symbols = parameter_symbols(loss)
    unknown = set(params) - set(symbols)
    if unknown:
        raise InvalidParameterError(
            f"{sorted(unknown)[0]} is not a parameter of {loss}; its parameters are "
            f"{', '.join(symbols) or 'none'}")
    out = dict(symbols)
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, sp.Basic) and not value.is_number:
            out[name] = value
            continue
        riesz_t = loss == "kcl-riesz" and name == "t"
        check = check_finite if riesz_t or name == "b" else check_positive
        number = _exact_number(name, check(name, value))
        if riesz_t and not number < 0:
            raise InvalidParameterError(
                "t must be < 0 for the riesz kernel (t > 0: K(u, u) is infinite, the loss "
                f"is unbounded below), got {value!r}")
        out[name] = number
    return out


def _exact_number(name: str, value):
    """A validated parameter as an exact SymPy number: a decimal string exactly
    (``"1e-100"`` is :math:`10^{-100}`), a float by its shortest decimal
    (:func:`~clverify.theory.params.to_rational`); a fraction whose
    numerator or denominator has more than :data:`MAX_PARAMETER_DIGITS` digits is rejected."""
    number = to_rational(name, value)
    if number.is_Rational and max(abs(number.p), number.q) >= 10**MAX_PARAMETER_DIGITS:
        raise InvalidParameterError(
            f"{name} must be a fraction of integers below 10^{MAX_PARAMETER_DIGITS} "
            f"(e.g. 1e-{MAX_PARAMETER_DIGITS - 1} <= |{name}| < 1e{MAX_PARAMETER_DIGITS}), got {value!r}")
    return number


def loss_on(structure, loss: str, **params):
    """``loss`` evaluated on ``structure``'s Gram matrices (raw, unsimplified SymPy expression).

    >>> loss_on(SimplexETF(3), "kcl", gamma=1, t=1)
    -2 + 2*exp(-3)
    """
    params = check_loss_parameters(loss, params)
    return LOSSES[loss](structure.grams(), SYMPY_OPS, **params)


def closed_form(expr):
    """A readable closed form: logs of products expanded and exponents factored, then the
    shortest of a few rewritings (terms factored one by one, common factors pulled out) by
    operation count.

    >>> closed_form(sp.log(2 * sp.exp(-1 / (M - 1))))
    log(2) - 1/(M - 1)
    >>> closed_form(sp.log(1 + sp.exp(-(1 + 1 / (M - 1)))))
    log(1 + exp(-M/(M - 1)))
    """
    expr = sp.expand_log(sp.sympify(expr), force=True)
    expr = expr.replace(sp.exp, lambda a: sp.exp(sp.factor(a)))
    top = sp.expand(expr, deep=False)
    termwise = sp.Add(*(sp.factor(sp.powsimp(term), deep=False) for term in sp.Add.make_args(top)))
    candidates = [termwise, sp.factor_terms(expr), sp.powsimp(expr)]
    return min(candidates, key=lambda e: (sp.count_ops(e), len(str(e))))


def _size(N):
    return M if N is None else N


def simplex_value(loss: str, N=None, **params):
    r"""``loss`` at ``u_i = v_i = w_i``, a simplex ETF of ``N`` points (default: the symbol ``M``).

    >>> sp.simplify(simplex_value("kcl") - (-2 + 2 * gamma * sp.exp(-2 * t * M / (M - 1))))
    0
    """
    return loss_on(SimplexETF(_size(N)), loss, **params)


def cross_polytope_value(loss: str, N=None, **params):
    r"""``loss`` at ``u_i = v_i``, the ``N = 2d`` points :math:`\pm e_k` (default ``N``: the symbol ``M``).

    >>> sp.simplify(cross_polytope_value("kcl", N=6, gamma=1, t=1) - (-2 + 2 * (sp.exp(-4) + 4 * sp.exp(-2)) / 5))
    0
    """
    return loss_on(CrossPolytope(_size(N)), loss, **params)


def ccem_value(loss: str, N=None, delta_value=None, **params):
    r"""``loss`` on CCEM(:math:`\delta`) (default: symbols ``M`` and ``delta``).

    >>> sp.simplify(ccem_value("dhel", N=4, delta_value=1) - simplex_value("dhel", N=4))
    0
    """
    return loss_on(CCEM(_size(N), delta if delta_value is None else delta_value), loss, **params)


def minimum_value(loss: str, N=None, structure: str = "simplex", **params):
    """The claimed minimum of ``loss``: its value on ``structure`` (``simplex`` or ``cross-polytope``),
    as a closed form.

    >>> minimum_value("dhel-1view", N=3, tau=1)
    -3/2 + log(2)
    """
    check_choice("structure", structure, STRUCTURES)
    value = simplex_value if structure == "simplex" else cross_polytope_value
    return closed_form(value(loss, N, **params))


class _OffSum(sp.Function):
    r"""``_OffSum(expr, j, i)``: :math:`\sum_{j \ne i} \mathrm{expr}` (display only, never evaluated)."""

    def _latex(self, printer):
        expr, j, i = self.args
        return rf"\sum_{{{printer._print(j)} \ne {printer._print(i)}}} {printer._print(expr)}"


class _IndexedSimilarity(Similarity):
    """A generic ``M x M`` similarity matrix ``name[i, j]``: sums stay unevaluated, for display."""

    i, j = sp.symbols("i j", integer=True)

    def __init__(self, name, transposed=False):
        self.base = sp.IndexedBase(name)
        self.transposed = transposed
        self.N = M
        self._off = OffDiagonal(lambda g: _OffSum(g(self._entry(self.i, self.j)), self.j, self.i))

    def _entry(self, a, b):
        return self.base[b, a] if self.transposed else self.base[a, b]

    def sum_diagonal(self, f):
        return sp.Sum(f(self._entry(self.i, self.i)), (self.i, 1, M))

    def sum_off_diagonal(self, f):
        return sp.Sum(self._off(f), (self.i, 1, M))

    def sum_rows(self, f):
        return sp.Sum(f(self._entry(self.i, self.i), self._off), (self.i, 1, M))

    def sum_rows_with(self, other, f):
        return sp.Sum(f(self._entry(self.i, self.i), self._off,
                        other._entry(self.i, self.i), other._off), (self.i, 1, M))

    @property
    def T(self):
        return _IndexedSimilarity(self.base.label, not self.transposed)


def formula(loss: str):
    r"""``loss`` for a generic batch, as an unevaluated SymPy expression (for LaTeX display).

    :math:`S^{uv}_{ij} = u_i\cdot v_j`, :math:`S^{uu}_{ij} = u_i\cdot u_j`, :math:`S^{vv}_{ij} = v_i\cdot v_j`.

    >>> print(sp.latex(formula("dhel-1view")))
    \frac{- \sum_{i=1}^{M} \frac{{S^{uv}}_{i,i}}{\tau} + \sum_{i=1}^{M} \log{\left(\sum_{j \ne i} e^{\frac{{S^{uu}}_{i,j}}{\tau}} \right)}}{M}
    """
    grams = Grams(uv=_IndexedSimilarity("S^{uv}"), uu=_IndexedSimilarity("S^{uu}"),
                  vv=_IndexedSimilarity("S^{vv}"))
    return LOSSES[loss](grams, SYMPY_OPS, **parameter_symbols(loss))


__all__ += ["formula"]
