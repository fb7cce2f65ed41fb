r"""One source per formula: mpmath and python-flint (Arb) evaluators compiled from the SymPy
expressions of :mod:`clverify.theory.derivation`.

Every formula of the sigmoid loss on the CCEM is *derived* by SymPy for a symbolic ``N``
(:mod:`clverify.theory.derivation`).  This module compiles each of those expressions once, with
:func:`sympy.lambdify`, into a function of ``(x, N, t, b)`` for a chosen *backend*:

* ``"mpmath"``: mpmath numbers, at the precision of the surrounding ``mpmath.workdps``;
* ``"arb"``: python-flint :class:`flint.arb` balls, at the precision of the surrounding
  :func:`arb_precision` context.  Rationals are printed as ``mpf(p)/mpf(q)`` and ``mpf`` is
  mapped to :class:`flint.arb`, so every constant is exact; :func:`generated_source` shows the
  code, which contains no float literal.

The backend is passed in, as mpmath passes ``ctx`` to code shared by its contexts.  The
argument ``x`` is ignored by formulas that do not depend on it (e.g. the thresholds).

>>> import mpmath
>>> f = evaluator("loss_dx", "mpmath")
>>> with mpmath.workdps(30):
...     print(mpmath.nstr(f(mpmath.mpf(1), mpmath.mpf(10), mpmath.mpf(2), mpmath.mpf(2)), 20))
-0.43563840238721087598
>>> g = evaluator("loss_dx", "arb")
>>> with arb_precision(30):
...     g(arb(1), arb(10), arb(2), arb(2)) < 0
True
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache

import flint
import mpmath
import sympy as sp
from flint import arb
from sympy.printing.pycode import MpmathPrinter

from clverify.theory import derivation as D
from clverify.theory.params import check_choice
from clverify.theory.stable import stable_form
from clverify.theory.structures import CCEM

from .ops import ARB_OPS, as_arb

__all__ = [
    "ARGS",
    "BACKENDS",
    "FORMULAS",
    "GUARD_BITS",
    "arb",
    "arb_precision",
    "bits_for_digits",
    "compile_expression",
    "evaluator",
    "formula",
    "generated_source",
]


#: Extra bits carried on top of the requested decimal digits.
GUARD_BITS = 32

_LOG2_10 = 3.321928094887362  # bits per decimal digit (log2(10))


def bits_for_digits(digits: int, guard: int = GUARD_BITS) -> int:
    """Working precision in bits for ``digits`` significant decimal digits plus ``guard`` bits.

    >>> bits_for_digits(50)
    199
    """
    return int(digits * _LOG2_10) + 1 + guard


@contextmanager
def arb_precision(digits: int, guard: int = GUARD_BITS):
    """Set python-flint's working precision for ``digits`` decimal digits; restore it on exit.

    >>> from flint import ctx
    >>> before = ctx.prec
    >>> with arb_precision(100):
    ...     ctx.prec > 300
    True
    >>> ctx.prec == before
    True
    """
    with flint.ctx.workprec(bits_for_digits(digits, guard)):
        yield


def _with_b_equal_t(expr):
    return expr.subs(D.b, D.t)


def _uv():
    return CCEM(D.N, D.delta).grams().uv


_n = sp.Symbol("n", nonnegative=True)  # N = n + 3 encodes N >= 3 (real N: stronger than needed)


def _dx_log_ratio():
    r""":math:`\log P(x) - \log Q(x)` where :math:`\ell'(x) = P(x) - Q(x)`, :math:`P, Q > 0`.

    Same sign as :math:`\ell'` and close to linear in ``x`` for large ``t`` (where
    :math:`\ell'` itself is exponentially flat), so bracketing solvers converge quickly.  The
    split into positive and negative summands is read off the derived :math:`\ell'(x)` and
    their signs are proved by SymPy for :math:`N \ge 3`, :math:`t > 0`.
    """
    positive, negative = [], []
    for term in sp.Add.make_args(D.ccem_loss_dx()):
        shifted = term.subs(D.N, _n + 3)
        if shifted.is_positive:
            positive.append(term)
        elif (-shifted).is_positive:
            negative.append(-term)
        else:  # pragma: no cover - a broken derivation
            raise ArithmeticError(f"cannot prove the sign of the summand {term} of l'(x)")
    if len(positive) != 1 or len(negative) != 1:  # pragma: no cover, no mutate - a broken derivation
        raise ArithmeticError("expected one positive and one negative summand of l'(x)")
    return sp.expand_log(sp.log(positive[0]), force=True) - sp.expand_log(
        sp.log(negative[0]), force=True)


#: Name -> SymPy expression builder (every one derived in :mod:`clverify.theory.derivation`).
FORMULAS: dict[str, Callable[[], sp.Expr]] = {
    "loss_x": D.ccem_loss_x,
    "loss_dx": D.ccem_loss_dx,
    "loss_dx2": D.ccem_loss_dx2,
    "loss_dx_log_ratio": _dx_log_ratio,
    "etf_condition": D.etf_condition,
    "antipodal_condition": D.antipodal_condition,
    "etf_condition_db": lambda: sp.diff(D.etf_condition(), D.b),
    "antipodal_condition_db": lambda: sp.diff(D.antipodal_condition(), D.b),
    "etf_condition_tb": lambda: _with_b_equal_t(D.etf_condition()),
    "antipodal_condition_tb": lambda: _with_b_equal_t(D.antipodal_condition()),
    "etf_condition_tb_dt": lambda: sp.diff(_with_b_equal_t(D.etf_condition()), D.t),
    "antipodal_condition_tb_dt": lambda: sp.diff(_with_b_equal_t(D.antipodal_condition()), D.t),
    "loss_dx_tb": lambda: _with_b_equal_t(D.ccem_loss_dx()),
    "loss_dx_tb_dt": lambda: sp.diff(_with_b_equal_t(D.ccem_loss_dx()), D.t),
    "etf_threshold_tb": D.etf_threshold_tb,
    "antipodal_threshold_tb": D.antipodal_threshold_tb,
    "etf_boundary_b": D.etf_boundary_b,
    "antipodal_boundary_b": D.antipodal_boundary_b,
    "fixed_b_limit_x": D.fixed_b_limit_x,
    "s_pos": lambda: _uv().diagonal.subs(D.delta, sp.sqrt(D.x)),
    "s_neg": lambda: _uv().off_diagonal.subs(D.delta, sp.sqrt(D.x)),
}

#: Arguments of the compiled formulas (and default arguments of :func:`compile_expression`).
ARGS = (D.x, D.N, D.t, D.b)

#: Names used by the :class:`_ArbPrinter`'s code, mapped to exact ball operations: ``mpf`` to
#: :class:`flint.arb`, each elementary function to its :data:`~.ops.ARB_OPS` definition and
#: each constant to Arb's enclosure of it at the working precision.
_ARB_NAMESPACE = {"mpf": arb, **{name: getattr(ARB_OPS, name)
                                  for name in ("exp", "log", "log1p", "sqrt", "sign")},
                  "const_e": arb.const_e, "const_pi": arb.pi, "const_euler": arb.const_euler}


class _ArbPrinter(MpmathPrinter):
    """SymPy's mpmath printer with the mathematical constants as calls of Arb's (the mpmath
    printer names them ``e``, ``pi``, ``euler``, which a namespace without them resolves to
    ``math``'s binary roundings, not enclosures)."""

    def _print_Exp1(self, expr):
        return "const_e()"

    def _print_Pi(self, expr):
        return "const_pi()"

    def _print_EulerGamma(self, expr):
        return "const_euler()"


#: The constants :class:`_ArbPrinter` encloses; any other one is refused.
_ARB_CONSTANTS = (sp.E, sp.pi, sp.EulerGamma)


@lru_cache(maxsize=None)
def formula(name: str) -> sp.Expr:
    """The SymPy expression behind evaluator ``name`` (a key of :data:`FORMULAS`).

    >>> formula("antipodal_boundary_b")
    -t + log(N - 2) - log(2)
    """
    check_choice("formula", name, FORMULAS)
    return FORMULAS[name]()


@lru_cache(maxsize=None)
def evaluator(name: str, backend: str = "mpmath") -> Callable:
    """The compiled function ``f(x, N, t, b)`` of formula ``name`` for ``backend``.

    Arguments are converted to backend numbers (``mpmath.mpf`` or :class:`flint.arb`) first,
    so that e.g. ``1/(N - 1)`` is never a float division.  Compiled once per process.

    >>> import mpmath
    >>> with mpmath.workdps(25):
    ...     evaluator("antipodal_threshold_tb")(0, 6, 0, 0)
    mpf('0.3465735902799726547086160614')
    """
    return compile_expression(formula(name), backend, name=name)


_UNSAFE_NAMES = re.compile(r"\bmpmath\.|\bmath\.|\bnumpy\.")
_FLOAT_LITERAL = re.compile(r"(?<![\w.])(?:\d+\.\d*|\.\d+|\d+[eE][-+]?\d+)")


def _assert_exact_constants(name: str, expr, source: str) -> None:
    """Refuse an Arb evaluator whose expression holds a SymPy ``Float`` (a binary rounding, not
    the exact constant; lambdify prints it as ``mpf((sign, man, exp, bc))``, which Arb
    misreads) or a constant that :class:`_ArbPrinter` does not enclose, or whose generated code
    holds a float literal or a module's function (a guard against a change of SymPy's printer)."""
    atoms = sp.sympify(expr).atoms(sp.Float, sp.NumberSymbol)
    found = sorted(str(a) for a in atoms if a not in _ARB_CONSTANTS)
    found += _FLOAT_LITERAL.findall(source) + _UNSAFE_NAMES.findall(source)
    if found:
        raise ArithmeticError(f"float constant(s) or module name(s) {found} in the arb evaluator of "
                              f"{name}: ball arithmetic needs exact constants (use sympy.Rational)")


def generated_source(name: str, backend: str = "arb") -> str:
    """The Python source lambdify generated for ``name`` and ``backend``.

    >>> print(generated_source("antipodal_threshold_tb").strip())
    def _lambdifygenerated(x, N, t, b):
        return (mpf(1)/mpf(2))*log((mpf(1)/mpf(2))*N - 1)
    """
    return inspect.getsource(evaluator(name, backend).compiled)


def _compile_mpmath(expr, name: str, args: tuple):
    return sp.lambdify(args, expr, modules="mpmath", cse=True), mpmath.mpf


def _compile_arb(expr, name: str, args: tuple):
    printer = _ArbPrinter({"fully_qualified_modules": False})   # mpf(...), exp(...): names in the namespace
    fn = sp.lambdify(args, expr, modules=[_ARB_NAMESPACE], printer=printer, cse=True)
    _assert_exact_constants(name, expr, inspect.getsource(fn))
    return fn, as_arb


#: Backend -> compiler returning (the lambdified function, the argument conversion).
_COMPILERS = {"mpmath": _compile_mpmath, "arb": _compile_arb}
BACKENDS = tuple(_COMPILERS)


def compile_expression(expr, backend: str = "mpmath", name: str | None = None,
                       args: tuple = ARGS) -> Callable:
    """Compile a SymPy expression in the symbols ``args`` (default :data:`ARGS`, ``(x, N, t, b)``)
    into a function of as many numbers for ``backend``: the named formulas (:func:`evaluator`),
    the claims of the registry and the CCEM restrictions of any loss
    (:mod:`clverify.numerics.precision.ccem_optimum`) go through here.  The expression is
    first put in :func:`~clverify.theory.stable.stable_form` (``log(1 + X)`` as ``log1p(X)``),
    an identity that keeps a softplus of a very negative logit accurate (the loss at
    ``t = 1e4``).

    >>> f = compile_expression(D.N / 3, "arb")
    >>> with arb_precision(20):
    ...     f(0, 1, 0, 0).contains(arb(1) / 3)
    True
    >>> m = sp.Symbol("m")
    >>> with mpmath.workdps(20):
    ...     compile_expression(D.x + m, args=(D.x, m))(1, "0.5")
    mpf('1.5')
    """
    check_choice("backend", backend, BACKENDS)
    name = name or str(expr)
    expr = stable_form(expr)   # log(1 + X) -> log1p(X): no cancellation in softplus terms
    fn, convert = _COMPILERS[backend](expr, name, args)

    def evaluate(*values):
        return convert(fn(*(convert(v) for v in values)))   # a constant comes back as a number

    evaluate.__name__ = evaluate.__qualname__ = f"{name}_{backend}"
    evaluate.__doc__ = f"{name} ({backend}): {expr}"
    evaluate.compiled = fn
    return evaluate
