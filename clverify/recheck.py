r"""Re-check clverify certificates with python-flint alone.

A certificate (written by ``clverify certify``) is a JSON table: a header (the claim, the
expressions as SymPy ``srepr`` text with the SHA-256 digest of that text, the working precision,
one *column* per certified quantity) and rows of facts.  This module re-verifies every fact in
Arb ball arithmetic.  It imports the standard library and python-flint only: nothing of the code
that searched for the numbers (no ``clverify.numerics``, ``clverify.theory`` or
``clverify.proofs_check``), so that a reader can audit it alone.  An expression is read by a
whitelisted parser (``Add``, ``Mul``, ``Pow``, ``exp``, ``log``, ``Symbol``, ``Integer``,
``Rational``, and ``E`` as :math:`e^1`), never by ``eval``.  Numbers are exact decimal strings;
a ball containing each is made from the exact fraction.  Every parameter is checked against its symbol's SymPy
assumptions (``positive``, ``integer``...).  A column's fact is one of:

``root``
    :math:`f(lo)` and :math:`f(hi)` have the stated signs, opposite or 0, and the ball of
    :math:`f'` over :math:`[lo, hi]` (``arb_series``) the stated non-zero sign: :math:`f` has
    exactly one root in :math:`[lo, hi]` (a finite ball for :math:`f'` over the interval also
    shows that every operation of :math:`f` is smooth there; the point :math:`lo = hi` needs
    :math:`f(lo) = 0` exactly).  With a ``closed_form``, that expression's ball lies inside
    :math:`[lo, hi]`.
``sign``
    :math:`f` at the row's parameters has the stated sign (0: the ball is exactly 0).
``regime``
    the stated regime of the CCEM optimum follows from the row's facts: ``etf`` needs
    :math:`\ell'(1) \le 0`, ``antipodal`` :math:`\ell'(0) \ge 0`, ``intermediate`` both signs the
    other way and a ``root`` of :math:`\ell'` inside :math:`[0, 1]`.
``positive_on_boxes``
    the bisection tree (preorder: a digit splits the box at the midpoint of that variable and
    the upper half comes first, ``L`` is a leaf) is rebuilt from the region, so the leaves
    partition it; :math:`f > 0` on every leaf box.  With ``covers`` (variable -> two
    expression names), the region of that variable certainly contains the interval between
    the two expressions' values (e.g. :math:`[\log(N-1) - 2, \log(N-1) + 2]`).
``monotone_root_on_boxes``
    the tree partitions an interval :math:`T_0` of ``along``; on each leaf :math:`T` the root
    :math:`x^*(t)` of :math:`F(\cdot, t)` (``F`` increasing in ``x``: an assumption of the
    claim) lies in the stated bracket :math:`[a, c]` (:math:`F(a, T) < 0` unless :math:`a` is
    the low end of ``root_range``, :math:`F(c, T) > 0` unless :math:`c` is its high end) and
    :math:`\partial F/\partial t` over :math:`[a, c] \times T` has the stated sign; the ends
    of :math:`T_0` are the outer ends of two ``root`` facts (e.g. the thresholds).

Run ``python -m clverify.recheck certs/`` (or ``clverify recheck certs/``): one line per file,
exit code 1 when a fact fails, 2 on bad input (no such folder, not a certificate).

>>> f = Expression("Add(Pow(Symbol('x', real=True), Integer(2)), Integer(-2))")
>>> with flint.ctx.workprec(100):
...     sign(f({"x": ball(Fraction("1.4142"))})), sign(derivative(f, {"x": ball(Fraction(3, 2))}, "x"))
(-1, 1)
"""

from __future__ import annotations

import ast
import hashlib
import json
import operator
import re
import sys
from fractions import Fraction
from functools import reduce
from pathlib import Path

import flint
from flint import arb, arb_series, fmpq

__all__ = ["FORMAT", "Expression", "ball", "interval", "sign", "derivative", "check_certificate", "main"]

#: The format tag every certificate carries.
FORMAT = "clverify-certificate/1"
#: The assumptions a symbol may carry, and what each requires of an exact value interval.
_ASSUMPTIONS = {
    "positive": lambda lo, hi: lo > 0, "nonnegative": lambda lo, hi: lo >= 0,
    "negative": lambda lo, hi: hi < 0, "nonpositive": lambda lo, hi: hi <= 0,
    "integer": lambda lo, hi: lo == hi and lo.denominator == 1,
    "real": lambda lo, hi: True, "finite": lambda lo, hi: True,
}
_DECIMAL = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_MAX_MESSAGES = 20
#: What a false or malformed fact raises while it is checked (reported as a failed row).
_FAILURES = (ValueError, KeyError, TypeError, IndexError, AttributeError, ArithmeticError)
#: The working precisions (bits) a certificate may ask for.
_PRECISION_BITS = range(16, 2**18 + 1)


class NotACertificate(ValueError):
    """The input is not a certificate (bad JSON, another format, a missing header field)."""


# --- expressions ------------------------------------------------------------------------------

def _integer(node) -> int:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_integer(node.operand)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    raise ValueError(f"expected an integer literal, got {ast.unparse(node)}")


def _constant(node) -> Fraction | None:
    """The value of an ``Integer(k)`` or ``Rational(p, q)`` node, else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)) or node.keywords:
        return None
    if node.func.id == "Integer" and len(node.args) == 1:
        return Fraction(_integer(node.args[0]))
    if node.func.id == "Rational" and len(node.args) == 2:
        return Fraction(_integer(node.args[0]), _integer(node.args[1]))
    return None


def _negative_power(node) -> int | None:
    """``k`` for a node ``Pow(base, Integer(-k))``, ``k > 0`` (a factor of a denominator), else None."""
    if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Pow" and len(node.args) == 2):
        return None
    k = _constant(node.args[1])
    return -k.numerator if k is not None and k.denominator == 1 and k < 0 else None


class Expression:
    """An expression parsed from SymPy ``srepr`` text into straight-line code: each distinct
    sub-expression is computed once, ``Add`` and ``Mul`` are folded left to right into binary
    steps.  Calling it with ``{symbol name: arb or arb_series}`` evaluates it."""

    def __init__(self, text: str):
        self.code: list[tuple] = []  # ("symbol", name) | ("number", fraction) | (function, slot...)
        self.symbols: dict[str, frozenset] = {}
        self._slots: dict[tuple, int] = {}
        self._numbers: dict[int, list] = {}
        self._compile(ast.parse(text, mode="eval").body)

    def _emit(self, *instruction) -> int:
        """The slot of ``instruction``, appended once."""
        if instruction not in self._slots:
            self._slots[instruction] = len(self.code)
            self.code.append(instruction)
        return self._slots[instruction]

    def _symbol(self, node) -> int:
        args = node.args
        if len(args) != 1 or not isinstance(args[0], ast.Constant) or not isinstance(args[0].value, str):
            raise ValueError(f"malformed Symbol: {ast.unparse(node)}")
        flags = set()
        for kw in node.keywords:
            if kw.arg not in _ASSUMPTIONS or not (isinstance(kw.value, ast.Constant) and kw.value.value is True):
                raise ValueError(f"assumption not allowed: {ast.unparse(node)}")
            flags.add(kw.arg)
        name = args[0].value
        if self.symbols.setdefault(name, frozenset(flags)) != frozenset(flags):
            raise ValueError(f"symbol {name!r} appears with two sets of assumptions")
        return self._emit("symbol", name)

    def _compile(self, node) -> int:
        if isinstance(node, ast.Name) and node.id == "E":   # Euler's number, SymPy's exp(1)
            return self._emit(_UNARY["exp"], self._emit("number", Fraction(1)))
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            raise ValueError(f"not allowed in an expression: {ast.unparse(node)}")
        name, args = node.func.id, node.args
        if name == "Symbol":
            return self._symbol(node)
        if node.keywords:
            raise ValueError(f"keywords not allowed: {ast.unparse(node)}")
        constant = _constant(node)
        if constant is not None:
            return self._emit("number", constant)
        if name == "Pow" and len(args) == 2:
            base, exponent = self._compile(args[0]), _constant(args[1])
            if exponent == Fraction(1, 2):
                return self._emit(_SQRT, base)
            if exponent is not None and exponent.denominator == 1:
                return self._emit(operator.pow, base, self._emit("integer", exponent.numerator))
            return self._emit(_power, base, self._compile(args[1]))
        if name == "Add" and len(args) >= 2:
            return reduce(lambda i, j: self._emit(operator.add, i, j), [self._compile(a) for a in args])
        if name == "Mul" and len(args) >= 2:  # as a quotient, as SymPy prints it
            top, bottom = [], []
            for a in args:
                k = _negative_power(a)
                if k is None:
                    top.append(self._compile(a))
                else:
                    base = self._compile(a.args[0])
                    bottom.append(base if k == 1 else self._emit(operator.pow, base, self._emit("integer", k)))
            fold = lambda slots: reduce(lambda i, j: self._emit(operator.mul, i, j), slots)  # noqa: E731
            numerator = fold(top) if top else self._emit("number", Fraction(1))
            return self._emit(operator.truediv, numerator, fold(bottom)) if bottom else numerator
        if name in ("exp", "log") and len(args) == 1:
            return self._emit(_UNARY[name], self._compile(args[0]))
        raise ValueError(f"not allowed in an expression: {name} with {len(args)} argument(s)")

    def outside_domain(self, values: dict) -> str | None:
        """Why exact values ``{symbol: (lo, hi)}`` miss a symbol or break its assumptions (e.g.
        ``t`` positive), or None."""
        for symbol, flags in self.symbols.items():
            if symbol not in values:
                return f"no value for the symbol {symbol}"
            lo, hi = values[symbol]
            bad = sorted(flag for flag in flags if not _ASSUMPTIONS[flag](lo, hi))
            if bad:
                return f"{symbol} in [{lo}, {hi}] violates the assumption(s) {bad}"
        return None

    def __call__(self, env: dict):
        prec = flint.ctx.prec
        if prec not in self._numbers:  # the constants' balls at this precision
            self._numbers[prec] = [ball(i[1]) if i[0] == "number" else i[1] if i[0] == "integer" else None
                                   for i in self.code]
        values = list(self._numbers[prec])  # constants in place; the rest computed in order
        for k, instruction in enumerate(self.code):
            head = instruction[0]
            if head == "symbol":
                values[k] = env[instruction[1]]
            elif len(instruction) == 2 and callable(head):
                values[k] = head(values[instruction[1]])
            elif len(instruction) == 3:
                values[k] = head(values[instruction[1]], values[instruction[2]])
        return values[-1]


_UNARY = {"exp": operator.methodcaller("exp"), "log": operator.methodcaller("log")}
_SQRT = operator.methodcaller("sqrt")


def _power(base, exponent):
    """:math:`a^e = \\exp(e \\log a)` for a non-integer exponent (a ball with ``a <= 0`` is not finite)."""
    return (exponent * base.log()).exp()


def ball(value: Fraction) -> arb:
    """A ball containing the exact rational ``value`` (exact when it is an integer)."""
    if value.denominator == 1:
        return arb(value.numerator)
    return arb(fmpq(value.numerator, value.denominator))


def interval(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing :math:`[lo, hi]` (the exact ball of ``lo`` when ``lo = hi``)."""
    return ball(lo) if lo == hi else ball(lo).union(ball(hi))


def sign(value) -> int | None:
    """+1, -1, 0 (the exact zero) when the ball's sign is certain, else None."""
    if isinstance(value, arb_series):
        value = value.coeffs()[0] if value.coeffs() else arb(0)
    if value > 0:
        return 1
    if value < 0:
        return -1
    return 0 if value.is_zero() else None


def derivative(f: Expression, env: dict, var: str):
    """A ball of :math:`\\partial f/\\partial var` over the balls of ``env`` (first-order
    ``arb_series`` in ``var``)."""
    value = f({**env, var: arb_series([env[var], 1], prec=2)})
    coeffs = value.coeffs() if isinstance(value, arb_series) else []
    return coeffs[1] if len(coeffs) > 1 else arb(0)


def _number(text) -> Fraction:
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal string: {text!r}")
    return Fraction(text)


# --- facts ------------------------------------------------------------------------------------

class _Row:
    """One row's exact parameter values, their balls, and the checks against assumptions."""

    def __init__(self, parameters: dict, names: list[str]):
        missing = [n for n in names if n not in parameters]
        if missing:
            raise ValueError(f"parameters {missing} missing")
        self.exact = {k: (_number(v), _number(v)) for k, v in parameters.items()}

    def env(self, f: Expression, **intervals) -> dict:
        values = {**self.exact, **intervals}
        problem = f.outside_domain(values)
        if problem:
            raise ValueError(problem)
        return {k: interval(lo, hi) for k, (lo, hi) in values.items()}


def _expect(what: str, found, stated) -> None:
    if found != stated:
        raise ValueError(f"{what} is {found}, the certificate says {stated}")


def _root(row: _Row, cell: dict, f: Expression, unknown: str, closed: Expression | None) -> None:
    lo, hi = _number(cell["lo"]), _number(cell["hi"])
    if lo > hi:
        raise ValueError(f"lo = {cell['lo']} > hi = {cell['hi']}")
    s_lo, s_hi, slope = cell["sign_lo"], cell["sign_hi"], cell["slope"]
    if s_lo * s_hi > 0 or (lo == hi and s_lo != 0) or (lo < hi and slope == 0):
        raise ValueError(f"the stated signs (f(lo): {s_lo}, f(hi): {s_hi}, f': {slope}) do not "
                         f"show a unique root")
    _expect("the sign of f(lo)", sign(f(row.env(f, **{unknown: (lo, lo)}))), s_lo)
    _expect("the sign of f(hi)", sign(f(row.env(f, **{unknown: (hi, hi)}))), s_hi)
    if lo < hi:
        _expect("the sign of f' on [lo, hi]", sign(derivative(f, row.env(f, **{unknown: (lo, hi)}), unknown)), slope)
    if closed is not None:
        value = closed(row.env(closed))
        if not (value >= ball(lo) and value <= ball(hi)):
            raise ValueError(f"the closed form {value} is not inside [{cell['lo']}, {cell['hi']}]")


def _tree_leaves(region: dict, variables: list[str], tree: str):
    """The leaf boxes of a preorder bisection tree over ``region`` (exact fractions)."""
    stack, leaves = [{v: tuple(_number(e) for e in region[v]) for v in variables}], []
    for position, node in enumerate(tree):
        if not stack:
            raise ValueError(f"the tree has nodes after its last box (position {position})")
        box = stack.pop()
        if node == "L":
            leaves.append(box)
            continue
        if not node.isdigit() or int(node) >= len(variables):
            raise ValueError(f"unknown tree node {node!r} at position {position}")
        var = variables[int(node)]
        lo, hi = box[var]
        if not lo < hi:
            raise ValueError(f"an empty side {var} in [{lo}, {hi}]")
        mid = (lo + hi) / 2
        stack += [{**box, var: (lo, mid)}, {**box, var: (mid, hi)}]  # the upper half comes first
    if stack:
        raise ValueError(f"the tree ends with {len(stack)} box(es) not settled (a split removed?)")
    return leaves


def _leaves(cell: dict, variables: list[str]):
    leaves = _tree_leaves(cell["region"], variables, cell["tree"])
    _expect("the number of leaf boxes", len(leaves), cell["leaves"])
    return leaves


def _show(box: dict) -> str:
    return ", ".join(f"{v} in [{float(lo):.9g}, {float(hi):.9g}]" for v, (lo, hi) in box.items())


def _positive_on_boxes(row: _Row, cell: dict, f: Expression, variables: list[str],
                       covers: dict | None = None) -> None:
    for box in _leaves(cell, variables):
        if sign(f(row.env(f, **box))) != 1:
            raise ValueError(f"f is not certified > 0 on the box {_show(box)}")
    for var, (lo, hi) in (covers or {}).items():   # the region contains [lo, hi] (expressions)
        start, end = (_number(e) for e in cell["region"][var])
        low, high = lo(row.env(lo)), hi(row.env(hi))
        if not (ball(start) <= low and ball(end) >= high):
            raise ValueError(f"the region {var} in [{float(start):.9g}, {float(end):.9g}] is not "
                             f"certified to contain [{low}, {high}]")


def _monotone_root_on_boxes(row, cell, column, f, ends) -> None:
    along, root = column["along"], column["root"]
    region = [_number(e) for e in cell["region"][along]]
    low, high = cell["ends"]
    _expect("the low end of the region", region[0], _number(low["lo"]))
    _expect("the high end of the region", region[1], _number(high["hi"]))
    for end, expr in zip((low, high), ends):
        _root(row, end, expr, along, None)
    root_lo, root_hi = (_number(e) for e in column["root_range"])
    leaves = _leaves(cell, [along])
    _expect("the number of brackets", len(cell["brackets"]), len(leaves))
    for box, (a, c) in zip(leaves, cell["brackets"]):
        a, c = _number(a), _number(c)
        if not root_lo <= a <= c <= root_hi:
            raise ValueError(f"bracket [{a}, {c}] is not inside the root range")
        if a != root_lo and sign(f(row.env(f, **box, **{root: (a, a)}))) != -1:
            raise ValueError(f"F({root} = {a}) is not certified < 0 on {_show(box)}")
        if c != root_hi and sign(f(row.env(f, **box, **{root: (c, c)}))) != 1:
            raise ValueError(f"F({root} = {c}) is not certified > 0 on {_show(box)}")
        slope = sign(derivative(f, row.env(f, **box, **{root: (a, c)}), along))
        _expect(f"the sign of dF/d{along} on {_show(box)}, {root} in [{a}, {c}]", slope, cell["sign"])


def _regime(row_cells: dict, regime: str, column: dict) -> None:
    etf, antipodal = row_cells.get(column["etf"]), row_cells.get(column["antipodal"])
    s1, s0 = (c["sign"] if c else None for c in (etf, antipodal))
    if regime == "etf" and s1 is not None and s1 <= 0:
        return
    if regime == "antipodal" and s0 is not None and s0 >= 0:
        return
    root = row_cells.get(column["root"])
    if (regime == "intermediate" and s1 == 1 and s0 == -1 and root
            and 0 <= _number(root["lo"]) and _number(root["hi"]) <= 1):
        return
    raise ValueError(f"the regime {regime!r} does not follow from l'(1) sign {s1}, l'(0) sign {s0}")


# --- files ------------------------------------------------------------------------------------

def _header(data) -> dict:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotACertificate(f"no \"format\": \"{FORMAT}\" field")
    for key, kind in (("expressions", dict), ("columns", dict), ("rows", list), ("parameters", list),
                      ("precision_bits", int)):
        if not isinstance(data.get(key), kind):
            raise NotACertificate(f"the header field {key!r} is missing or not a {kind.__name__}")
    return data


def _expressions(data) -> tuple[dict, list[str]]:
    parsed, problems = {}, []
    for name, record in data["expressions"].items():
        try:
            text = record["srepr"]
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest != record["sha256"]:
                raise ValueError("its SHA-256 digest does not match its srepr text")
            parsed[name] = Expression(text)
        except (*_FAILURES, SyntaxError, RecursionError) as exc:
            problems.append(f"expression {name!r}: {exc}")
    return parsed, problems


def _check_cell(row, cells, name, column, exprs) -> None:
    kind, cell = column["fact"], cells[name]
    if kind == "root":
        closed = exprs[column["closed_form"]] if column.get("closed_form") else None
        _root(row, cell, exprs[column["expression"]], column["unknown"], closed)
    elif kind == "sign":
        f = exprs[column["expression"]]
        _expect("the sign", sign(f(row.env(f))), cell["sign"])
    elif kind == "regime":
        _regime(cells, cell["regime"], column)
    elif kind == "positive_on_boxes":
        covers = {v: (exprs[lo], exprs[hi]) for v, (lo, hi) in column.get("covers", {}).items()}
        _positive_on_boxes(row, cell, exprs[column["expression"]], column["variables"], covers)
    elif kind == "monotone_root_on_boxes":
        ends = [exprs[e] for e in column["ends"]]
        _monotone_root_on_boxes(row, cell, column, exprs[column["expression"]], ends)
    else:
        raise ValueError(f"unknown fact {kind!r}")


def check_certificate(data: dict) -> tuple[int, int, list[str]]:
    """Re-check a parsed certificate: ``(rows checked, rows failed, failure messages)``; each
    message names its row (or the expression that fails every row)."""
    data = _header(data)
    exprs, problems = _expressions(data)
    if problems:
        return len(data["rows"]), len(data["rows"]), problems
    failed, messages = set(), []
    for index, cells in enumerate(data["rows"]):
        label = f"row {index}"
        try:
            label += " (" + ", ".join(f"{k}={v}" for k, v in cells["parameters"].items()) + ")"
            row = _Row(cells["parameters"], data["parameters"])
            bits = cells.get("precision_bits", data["precision_bits"])
            if bits not in _PRECISION_BITS:
                raise ValueError(f"precision_bits must be an integer in [16, 2^18], got {bits!r}")
            for name, column in data["columns"].items():
                if cells.get(name) is None:
                    continue
                try:
                    with flint.ctx.workprec(bits):
                        _check_cell(row, cells, name, column, exprs)
                except _FAILURES as exc:
                    failed.add(index)
                    messages.append(f"{label}, {name}: {exc}")
        except _FAILURES as exc:
            failed.add(index)
            messages.append(f"{label}: {exc}")
    return len(data["rows"]), len(failed), messages


def _no_constant(name: str):
    raise NotACertificate(f"{name} is not strict JSON")


def _files(paths: list[str]) -> list[Path]:
    files = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise NotACertificate(f"no certificate (*.json) in {text}")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise NotACertificate(f"no such file or folder: {text}")
    return files


def main(argv: list[str] | None = None) -> int:
    """``python -m clverify.recheck PATH...``: re-check every certificate in the folders or
    files given; print one line per file; return 0 (all hold), 1 (a fact failed) or 2 (bad
    input, checked before any fact is)."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m clverify.recheck PATH... (certificate folders or files)",
              file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    try:
        loaded = []
        for path in _files(argv):
            try:
                loaded.append((path, _header(json.loads(path.read_text(), parse_constant=_no_constant))))
            except (json.JSONDecodeError, UnicodeDecodeError, NotACertificate) as exc:
                raise NotACertificate(f"{path} is not a certificate: {exc}") from None
    except (NotACertificate, OSError) as exc:
        print(f"clverify recheck: error: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for path, data in loaded:
        checked, rows_failed, messages = check_certificate(data)
        failed += bool(messages)
        print(f"{path.name}: {checked} rows checked, {rows_failed} failed")
        for message in messages[:_MAX_MESSAGES]:
            print(f"  FAIL {message}")
        if len(messages) > _MAX_MESSAGES:
            print(f"  ... and {len(messages) - _MAX_MESSAGES} more")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
