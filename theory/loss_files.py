r"""A researcher's own loss: a Python file with a function ``NAME(grams, ops, *, param, ...)``.

The contract (``docs/extending.md``): ``grams`` is a :class:`~clverify.theory.similarity.Grams`,
``ops`` an :class:`~clverify.theory.ops.Ops`; the function uses only the reductions of the
similarity matrices (``sum_diagonal``, ``sum_off_diagonal``, ``sum_rows``, ...), arithmetic,
``abs`` and ``ops.<function>``, and returns one number; its parameters are named keyword
arguments after ``grams, ops`` (with or without defaults; not ``**params``, so that a missing
or unknown parameter is reported before anything runs).  Float literals and float defaults are
read as their decimal text (``0.1`` is :math:`1/10`, :func:`~clverify.theory.ops.exact`).

The file **runs as Python code**, as an import would run it: load only files you trust.
:func:`load_loss` turns the function into a :class:`~clverify.theory.losses.Loss`, which every
backend then runs; :func:`check_loss` runs it once on the SymPy backend and turns a failure
into a one-line :class:`~clverify.theory.errors.LossDefinitionError`.  A file that does more
than define functions while it is loaded (it prints, or calls ``sys.exit``) is a bad file too:
the one-line error says what it did, and nothing it printed reaches stdout.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "mine.py").write_text(
...     "def hinge_sigmoid(grams, ops, *, t, b=0):\n"
...     "    S = grams.uv\n"
...     "    return S.sum_off_diagonal(lambda s: ops.softplus(t * s - b)) / S.N\n")
>>> loss = load_loss(folder / "mine.py", "hinge_sigmoid")
>>> loss.name, loss.parameters, loss.defaults
('hinge_sigmoid', ('t', 'b'), {'b': 0})
>>> load_loss(folder / "mine.py", "other")
Traceback (most recent call last):
    ...
clverify.theory.errors.LossDefinitionError: loss file ...mine.py defines no function 'other' (its functions: hinge_sigmoid)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import inspect
import io
import numbers
from pathlib import Path

import sympy as sp

from .derivation import N, delta, x
from .errors import LossDefinitionError, VerifierError
from .losses import LOSSES, Loss
from .ops import SYMPY_OPS, Ops
from .structures import CCEM

__all__ = ["load_loss", "run_file", "check_loss", "is_scalar", "run_user_code", "failure", "RESERVED_NAMES",
           "USER_CODE_ERRORS"]

#: Parameter names a loss may not use: the symbols of its CCEM restriction.
RESERVED_NAMES = (str(N), str(x), str(delta))
#: What a user's code may raise that is reported as one line (``sys.exit`` included; Ctrl-C is not).
USER_CODE_ERRORS = (Exception, SystemExit)


def run_file(path, what: str = "loss file", error: type = LossDefinitionError):
    """The Python file ``path`` run as a module (as an import would run it), without writing its
    bytecode beside it (no ``__pycache__``).  A missing or non-``.py`` file, a syntax error, an
    exception or ``sys.exit`` while it runs, or anything it prints, is one line ``error``
    naming the file as ``what``."""
    path = Path(path)
    flag = what.replace(" ", "-")
    if not path.is_file() or path.suffix != ".py":
        raise error(f"{flag} must be an existing Python file (.py), got {str(path)!r}")
    name = "clverify_" + flag.replace("-", "_") + "_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location(name, path))
    printed = io.StringIO()
    try:
        code = compile(importlib.util.decode_source(path.read_bytes()), str(path), "exec")
        with contextlib.redirect_stdout(printed):
            exec(code, module.__dict__)  # noqa: S102 - the user's own file, as an import would run it
    except SyntaxError as exc:
        raise error(f"{what} {path}: syntax error at line {exc.lineno}: {exc.msg}") from None
    except SystemExit as exc:
        raise error(f"{what} {path}: importing it exits (SystemExit: {exc.code!r}); a {what} defines "
                    f"functions and runs nothing when it is loaded") from None
    except Exception as exc:  # noqa: BLE001 - the user's code: any failure is reported as one line
        raise error(f"{what} {path}: importing it raised {type(exc).__name__}: {exc}") from None
    if printed.getvalue():
        first = (printed.getvalue().strip().splitlines() or [""])[0]
        raise error(f"{what} {path}: importing it printed {first[:60]!r}; a {what} defines functions "
                    f"and prints nothing when it is loaded")
    return module


def _parameters(path: Path, name: str, function) -> tuple[str, ...]:
    signature = list(inspect.signature(function).parameters.values())
    positional = [p for p in signature[:2]
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    rest = signature[2:]
    if any(p.kind == p.VAR_KEYWORD for p in rest):
        raise LossDefinitionError(
            f"loss {name!r} in {path} takes **params: name its parameters as keyword arguments, "
            f"{name}(grams, ops, *, t, b=0), so that a missing or unknown one is reported before "
            f"anything runs")
    if len(positional) < 2 or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY)
                                  for p in rest):
        raise LossDefinitionError(
            f"loss {name!r} in {path} must have the signature {name}(grams, ops, *, param, ...), "
            f"got {name}{inspect.signature(function)}")
    names = tuple(p.name for p in rest)
    reserved = [n for n in names if n in RESERVED_NAMES]
    if reserved:
        raise LossDefinitionError(
            f"loss {name!r} in {path}: parameter name {reserved[0]!r} is reserved "
            f"({', '.join(RESERVED_NAMES)} are the CCEM's symbols); rename it")
    return names


def load_loss(path, name: str) -> Loss:
    """The function ``name`` of the Python file ``path`` as a :class:`~clverify.theory.losses.Loss`.

    Parameters
    ----------
    path : str or Path
        A Python file (``.py``) defining ``name(grams, ops, *, param, ...)``; it runs as Python
        code, as an import would.
    name : str
        The function (and the loss's name in every output).

    Raises
    ------
    LossDefinitionError
        The file is missing or does not import, ``name`` is not a function of it, or its
        signature is not ``name(grams, ops, *, ...)``.
    """
    path = Path(path)
    module = run_file(path)
    function = getattr(module, name, None)
    if not inspect.isfunction(function):
        defined = sorted(k for k, v in vars(module).items()
                         if inspect.isfunction(v) and v.__module__ == module.__name__)
        raise LossDefinitionError(
            f"loss file {path} defines no function {name!r} (its functions: "
            f"{', '.join(defined) or 'none'})")
    return Loss(name, function, _parameters(path, name, function))


def check_loss(loss: Loss, params: dict, ops: Ops = SYMPY_OPS) -> None:
    """Run ``loss`` once on a CCEM of symbolic size with ``params`` (symbols or numbers) on the
    SymPy backend; any exception becomes a :class:`LossDefinitionError` naming the cause.

    >>> from clverify.theory.losses import Loss
    >>> check_loss(Loss("bad", lambda grams, ops, *, t: grams.uv.sum_diagonal(ops.tanh), ("t",)), {"t": 1})
    Traceback (most recent call last):
        ...
    clverify.theory.errors.LossDefinitionError: loss 'bad' failed on the sympy backend (AttributeError: 'Ops' object has no attribute 'tanh'); a loss may use the reductions of grams, arithmetic, abs and ops.exp, ops.log, ops.log1p, ops.softplus, ops.sqrt, ops.sign, ops.logsumexp
    """
    try:
        value = loss(CCEM(N, delta).grams(), ops, **params)
    except VerifierError:
        raise
    except USER_CODE_ERRORS as exc:  # the user's code: any failure is reported as one line
        raise failure(loss, ops.name, exc) from None
    if not is_scalar(value):
        raise LossDefinitionError(
            f"loss {loss.name!r} returned {_kind(value)} on the {ops.name} backend, not one number: "
            f"a loss sums over its rows (S.sum_rows, S.sum_diagonal, ...) and returns the total")


def is_scalar(value) -> bool:
    """Whether a loss's value is one number (a SymPy expression, a real, an mpmath real)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, sp.Basic):
        return isinstance(value, sp.Expr) and not isinstance(value, sp.MatrixBase)
    return isinstance(value, numbers.Real) or type(value).__name__ == "mpf"


def _kind(value) -> str:
    shape = getattr(value, "shape", None)
    return f"a {type(value).__name__}" + (f" of shape {tuple(shape)}" if shape else "")


def run_user_code(loss: Loss, backend: str, call):
    """``call()``, with a failure of a user's loss's own code (anything it raises, ``sys.exit``
    included) reported as one line naming the loss and ``backend``; a built-in loss's
    exceptions pass unchanged (a bug of this package).

    >>> from clverify.theory.losses import Loss
    >>> run_user_code(Loss("mine", None, ()), "torch", lambda: 1 / 0)
    Traceback (most recent call last):
        ...
    clverify.theory.errors.LossDefinitionError: loss 'mine' failed on the torch backend (ZeroDivisionError: division by zero); a loss may use the reductions of grams, arithmetic, abs and ops.exp, ops.log, ops.log1p, ops.softplus, ops.sqrt, ops.sign, ops.logsumexp
    """
    try:
        return call()
    except VerifierError:
        raise
    except USER_CODE_ERRORS as exc:  # a user's loss may raise anything, sys.exit included
        if LOSSES.get(loss.name) is loss:
            raise
        raise failure(loss, backend, exc) from None


def failure(loss: Loss, backend: str, exc: Exception) -> LossDefinitionError:
    """The one-line error for ``loss`` raising ``exc`` on ``backend``."""
    allowed = ", ".join(f"ops.{n}" for n in Ops.names())
    return LossDefinitionError(
        f"loss {loss.name!r} failed on the {backend} backend ({type(exc).__name__}: "
        f"{str(exc).splitlines()[0] if str(exc) else ''}); a loss may use the reductions of "
        f"grams, arithmetic, abs and {allowed}")
