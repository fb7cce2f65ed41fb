r"""Closed forms rewritten so that they evaluate without cancellation (exact identities, SymPy).

* :math:`\log(1 + X) \to \operatorname{log1p}(X)`, so that a softplus :math:`\log(1 + e^z)` of a
  very negative :math:`z` keeps its relative accuracy in any floating-point evaluation;
* for a *number* :math:`\log\sum_i a_i e^{c_i}` (every :math:`a_i > 0`), the largest term
  :math:`a_* e^{c_*}` is factored out,
  :math:`c_* + \log a_* + \operatorname{log1p}\big(\sum_{i\ne *} \tfrac{a_i}{a_*} e^{c_i - c_*}\big)`,
  and SymPy cancels :math:`c_*` exactly against the rest of the expression (the InfoNCE
  minimum :math:`-1/\tau + \log(e^{1/\tau} + \dots)` at small :math:`\tau`).

Both are identities, so a value computed from the rewritten form is a value of the original.
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log1p

__all__ = ["stable_form"]


def _exp_split(term):
    """``term`` as ``(a, c)`` with ``term = a * exp(c)`` and ``a`` free of exponentials."""
    factors = sp.Mul.make_args(term)
    c = sp.Add(*(f.args[0] for f in factors if isinstance(f, sp.exp)))
    a = sp.Mul(*(f for f in factors if not isinstance(f, sp.exp)))
    return a, c


def _log_of_sum(arg):
    """The stable form of ``log(arg)`` for an ``Add`` ``arg`` (None: leave it as is)."""
    if arg.is_number:
        parts = [_exp_split(term) for term in sp.Add.make_args(arg)]
        if all(a.is_positive for a, _ in parts):
            sizes = [sp.N(sp.log(a) + c, 15) for a, c in parts]
            k = max(range(len(parts)), key=lambda i: sizes[i])
            a_k, c_k = parts[k]
            rest = sp.Add(*(a / a_k * sp.exp(c - c_k)
                            for i, (a, c) in enumerate(parts) if i != k))
            return c_k + sp.log(a_k) + log1p(rest)
    one, rest = arg.as_independent(*arg.free_symbols) if arg.free_symbols else (arg, 0)
    if one == 1:
        return log1p(rest)
    return None


def stable_form(expr):
    r"""``expr`` rewritten without cancellation: :math:`\log(1 + X) \to \operatorname{log1p}(X)`,
    and the dominant term of a numeric log-sum-exp factored out (see the module docstring).

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> stable_form(sp.log(sp.exp(x) + 1))
    log1p(exp(x))
    >>> stable_form(-1000 + sp.log(4 * sp.exp(-250) + sp.exp(1000)))
    log1p(4*exp(-1250))
    """
    def rewrite(e):
        new = _log_of_sum(e.args[0])
        return e if new is None else new

    return sp.sympify(expr).replace(lambda e: isinstance(e, sp.log) and e.args[0].is_Add,
                                    rewrite)
