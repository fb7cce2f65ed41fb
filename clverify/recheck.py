r"""Re-check clverify certificates with python-flint alone.

A certificate (written by ``clverify certify``) is a JSON table: a header (its *kind*, the claim
in words, what the claim assumes, the parameters and their domain, the rows selected, the
stated digits of every enclosure, the expressions as SymPy ``srepr`` text with the SHA-256
digest of that text, one *column* per certified quantity) and rows of facts.  This module
re-verifies every fact in Arb ball arithmetic.  It imports the standard library and
python-flint only: nothing of the code that searched for the numbers (no
``clverify.numerics``, ``clverify.theory`` or ``clverify.proofs_check``), so that a reader can
audit it alone.  ``clverify recheck`` runs it as ``python -I -m clverify.recheck``: isolated, so
that no ``fractions.py``, ``flint.py`` or ``clverify/`` in the working folder is imported.

**Kinds.**  The file ``recheck_kinds.json`` beside this module (its digest is printed) holds
the canonical header of every kind of certificate the package writes: the claim, the
assumptions, the parameters and their domain, the expressions' digests, the columns, the
least number of stated digits.  A certificate of a known kind is accepted only if its header
equals the canonical one (the rows selected, the digits, the precision and the provenance
aside); it is reported ``PINNED``.  A certificate of another kind (e.g. one typed by hand) is
checked against its own header and reported ``UNPINNED``: what it proves is what its header
says.

**Completeness.**  Every row carries one cell per column and nothing else; a cell may be
``null`` only if the header's ``omitted`` lists it with a reason; the rows are exactly the
header's ``selection`` (no row missing, none twice); JSON keys are never repeated; a file in
which no fact is checked fails.

**Input limits** (bad input: one line, exit code 2): at most 256 MiB a file, JSON nested at
most 32 deep, JSON integers of at most 12 characters.  A number is a decimal string of ASCII
digits, at most 25,000 characters, with an exponent of magnitude at most 25,000, checked before
any exact arithmetic (otherwise the row fails).

An expression is read by a whitelisted parser (``Add``, ``Mul``, ``Pow``, ``exp``, ``log``,
``Symbol``, ``Integer``, ``Rational``, and ``E``, SymPy's :math:`e^1`), never by ``eval``;
:func:`infix` prints it.  A ball containing each exact decimal is made from the exact fraction.  Every parameter is checked
against its symbol's SymPy assumptions (``positive``, ``integer``...).  A column's fact is one
of:

``root``
    :math:`f(lo)` and :math:`f(hi)` have the stated signs, opposite or 0, and the ball of
    :math:`f'` over :math:`[lo, hi]` (``arb_series``) the stated non-zero sign: :math:`f` has
    exactly one root in :math:`[lo, hi]` (a finite ball for :math:`f'` over the interval also
    shows that every operation of :math:`f` is smooth there; the point :math:`lo = hi` needs
    :math:`f(lo) = 0` exactly).  :math:`hi - lo \le 2 \cdot 10^{-digits} \max(1, |lo|, |hi|)`
    (the header's ``digits``).  With a ``closed_form``, that expression's ball lies inside
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
    partition it; :math:`f > 0` on every leaf box.  Each side of the region is stated by the
    column (``fixed``: the same for every row) or by the row (``sides``: a variable's ends are
    two of the row's parameters).  With ``covers`` (variable -> the names of two expressions),
    the side certainly contains the interval between their values (e.g. an interval with
    irrational ends, :math:`\log(N-1) \pm 2`, that a fixed dyadic side rounds outwards).
``monotone_root_on_boxes``
    the tree partitions an interval :math:`T_0` of ``along``; on each leaf :math:`T` the root
    :math:`x^*(t)` of :math:`F(\cdot, t)` (``F`` increasing in ``x``: an assumption of the
    claim) lies in the stated bracket :math:`[a, c]` (:math:`F(a, T) < 0` unless :math:`a` is
    the low end of ``root_range``, :math:`F(c, T) > 0` unless :math:`c` is its high end) and
    :math:`\partial F/\partial t` over :math:`[a, c] \times T` has the stated sign; the ends
    of :math:`T_0` are the outer ends of two ``root`` facts (e.g. the thresholds).

Run ``python -I -m clverify.recheck certs/`` (or ``clverify recheck certs/``): per file its
kind, ``PINNED`` or ``UNPINNED``, rows, facts checked and failed, the file's and the
expressions' SHA-256; exit code 1 when a fact fails (or an ``--expect``\ ed digest is not
found), 2 on bad input.

>>> f = Expression("Add(Pow(Symbol('x', real=True), Integer(2)), Integer(-2))")
>>> with flint.ctx.workprec(100):
...     sign(f({"x": ball(Fraction("1.4142"))})), sign(derivative(f, {"x": ball(Fraction(3, 2))}, "x"))
(-1, 1)
>>> infix("Mul(Integer(3), Pow(Add(Symbol('N'), Integer(-1)), Integer(-1)))")
'3/(N - 1)'
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import operator
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from pathlib import Path

import flint
from flint import arb, arb_series, fmpq

__all__ = ["FORMAT", "KINDS_FILE", "Expression", "Result", "NotACertificate", "ball", "interval", "sign",
           "derivative", "infix", "load", "check_certificate", "main"]

#: The format tag every certificate carries.
FORMAT = "clverify-certificate/2"
#: The canonical headers of the kinds of certificate the package writes.
KINDS_FILE = Path(__file__).with_name("recheck_kinds.json")
KINDS_FORMAT = "clverify-certificate-kinds/1"
#: Input limits (bad input beyond them).
MAX_FILE_BYTES = 256 * 2**20
MAX_JSON_DEPTH = 32
MAX_JSON_INTEGER_CHARS = 12
#: A decimal string's limits (a row fails beyond them).
MAX_DECIMAL_CHARS = 25_000
MAX_EXPONENT = 25_000
#: The assumptions a symbol may carry, and what each requires of an exact value interval.
_ASSUMPTIONS = {
    "positive": lambda lo, hi: lo > 0, "nonnegative": lambda lo, hi: lo >= 0,
    "negative": lambda lo, hi: hi < 0, "nonpositive": lambda lo, hi: hi <= 0,
    "integer": lambda lo, hi: lo == hi and lo.denominator == 1,
    "real": lambda lo, hi: True, "finite": lambda lo, hi: True,
}
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([-+]?[0-9]{1,6}))?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_MESSAGES = 20
#: What a false or malformed fact raises while it is checked (reported as a failed fact).
_FAILURES = (ValueError, KeyError, TypeError, IndexError, AttributeError, ArithmeticError)
#: The working precisions (bits) a certificate may ask for.
_PRECISION_BITS = range(16, 2**18 + 1)
#: The header's fields: required (with their JSON type) and optional.
_HEADER = {"format": str, "kind": str, "claim": str, "assumes": list, "parameters": list, "domain": dict,
           "selection": list, "digits": int, "precision_bits": int, "expressions": dict, "columns": dict,
           "omitted": list, "rows": list}
_OPTIONAL = {"provenance"}
#: The fields of each kind of column and of its cells; the optional fields of a column.
_COLUMN_FIELDS = {
    "root": {"fact", "expression", "unknown"}, "sign": {"fact", "expression"},
    "regime": {"fact", "etf", "antipodal", "root"},
    "positive_on_boxes": {"fact", "expression", "variables", "fixed", "sides"},
    "monotone_root_on_boxes": {"fact", "expression", "root", "root_range", "along", "ends"},
}
_COLUMN_OPTIONAL = {"root": {"closed_form"}, "positive_on_boxes": {"covers"}}
_CELL_FIELDS = {
    "root": {"lo", "hi", "sign_lo", "sign_hi", "slope"}, "sign": {"sign"}, "regime": {"regime"},
    "positive_on_boxes": {"region", "tree", "leaves"},
    "monotone_root_on_boxes": {"region", "tree", "leaves", "sign", "brackets", "ends"},
}


class NotACertificate(ValueError):
    """Bad input: not a certificate (bad JSON, another format, a missing header field), or
    beyond the input limits."""


# --- numbers ----------------------------------------------------------------------------------

def _integer_text(digits: str) -> int:
    """``int(digits)`` for any length (Python refuses more than 4300 digits at once)."""
    value = 0
    for start in range(0, len(digits), 4000):
        chunk = digits[start:start + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _number(text) -> Fraction:
    """The exact value of a decimal string (ASCII digits, at most :data:`MAX_DECIMAL_CHARS`
    characters, an exponent of magnitude at most :data:`MAX_EXPONENT`), checked before any
    arithmetic."""
    if not isinstance(text, str) or len(text) > MAX_DECIMAL_CHARS:
        shown = text if not isinstance(text, str) else text[:40] + ("..." if len(text) > 40 else "")
        raise ValueError(f"not a decimal string of at most {MAX_DECIMAL_CHARS} characters: {shown!r}")
    match = _DECIMAL.fullmatch(text)
    exponent = int(match[4] or 0) if match else None
    if exponent is None or abs(exponent) > MAX_EXPONENT:
        raise ValueError(f"not a decimal string of ASCII digits with an exponent of magnitude at most "
                         f"{MAX_EXPONENT}: {text[:40]!r}")
    sign, whole, frac = match[1], match[2], match[3] or ""
    value = Fraction(_integer_text(whole + frac)) * Fraction(10) ** (exponent - len(frac))
    return -value if sign else value


def _sign_value(value) -> int:
    if type(value) is not int or value not in (-1, 0, 1):
        raise ValueError(f"a sign must be -1, 0 or 1, got {value!r}")
    return value


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


#: Precedence of the printed forms: sums, products and quotients, powers, atoms.
_SUM, _PRODUCT, _POWER, _ATOM = range(4)


class Expression:
    """An expression parsed from SymPy ``srepr`` text into straight-line code: each distinct
    sub-expression is computed once, ``Add`` and ``Mul`` are folded left to right into binary
    steps.  Calling it with ``{symbol name: arb or arb_series}`` evaluates it; ``text`` is its
    infix form."""

    def __init__(self, text: str, printing: bool = False):
        self.code: list[tuple] = []  # ("symbol", name) | ("number", fraction) | (function, slot...)
        self.symbols: dict[str, frozenset] = {}
        self._slots: dict[tuple, int] = {}
        self._printing = printing
        self._texts: list[tuple[int, str] | None] = []  # (precedence, infix text) per slot, if printing
        self._numbers: dict[int, list] = {}
        self._compile(ast.parse(text, mode="eval").body)
        self.text = self._texts[-1][1] if printing else None

    def _emit(self, printed, *instruction) -> int:
        """The slot of ``instruction``, appended once (``printed()``: its precedence and text)."""
        if instruction not in self._slots:
            self._slots[instruction] = len(self.code)
            self.code.append(instruction)
            self._texts.append(printed() if self._printing else None)
        return self._slots[instruction]

    def _show(self, slot: int, above: int) -> str:
        """The text of ``slot`` as an operand of an operator of precedence ``above``."""
        precedence, text = self._texts[slot]
        return text if precedence > above else f"({text})"

    def _binary(self, function, a: int, b: int) -> int:
        precedence, symbol = _OPERATORS[function]

        def printed():
            left, right = self._show(a, precedence - (precedence < _POWER)), self._show(b, precedence)
            if function is operator.add and right.startswith("-"):  # a + -3*x as a - 3*x
                symbol_, right = " - ", right[1:]
            else:
                symbol_ = symbol
            return precedence, f"{left}{symbol_}{right}"
        return self._emit(printed, function, a, b)

    def _number(self, value: Fraction) -> int:
        precedence = _ATOM if value >= 0 and value.denominator == 1 else _PRODUCT
        return self._emit(lambda: (precedence, str(value)), "number", value)

    def _integer(self, k: int) -> int:
        return self._emit(lambda: (_ATOM if k >= 0 else _PRODUCT, str(k)), "integer", k)

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
        return self._emit(lambda: (_ATOM, name), "symbol", name)

    def _compile(self, node) -> int:
        if isinstance(node, ast.Name) and node.id == "E":   # Euler's number: SymPy's exp(1)
            one = self._number(Fraction(1))
            return self._emit(lambda: (_ATOM, "E"), _UNARY["exp"], one)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            raise ValueError(f"not allowed in an expression: {ast.unparse(node)}")
        name, args = node.func.id, node.args
        if name == "Symbol":
            return self._symbol(node)
        if node.keywords:
            raise ValueError(f"keywords not allowed: {ast.unparse(node)}")
        constant = _constant(node)
        if constant is not None:
            return self._number(constant)
        if name == "Pow" and len(args) == 2:
            base, exponent = self._compile(args[0]), _constant(args[1])
            if exponent == Fraction(1, 2):
                return self._emit(lambda: (_ATOM, f"sqrt({self._texts[base][1]})"), _SQRT, base)
            if exponent is not None and exponent.denominator == 1:
                return self._binary(operator.pow, base, self._integer(exponent.numerator))
            return self._binary(_power, base, self._compile(args[1]))
        if name == "Add" and len(args) >= 2:
            return reduce(lambda i, j: self._binary(operator.add, i, j), [self._compile(a) for a in args])
        if name == "Mul" and len(args) >= 2:  # as a quotient, as SymPy prints it
            top, bottom = [], []
            for a in args:
                k = _negative_power(a)
                if k is None:
                    top.append(self._compile(a))
                else:
                    base = self._compile(a.args[0])
                    bottom.append(base if k == 1 else self._binary(operator.pow, base, self._integer(k)))
            fold = lambda slots: reduce(lambda i, j: self._binary(operator.mul, i, j), slots)  # noqa: E731
            numerator = fold(top) if top else self._number(Fraction(1))
            return self._binary(operator.truediv, numerator, fold(bottom)) if bottom else numerator
        if name in ("exp", "log") and len(args) == 1:
            inner = self._compile(args[0])
            return self._emit(lambda: (_ATOM, f"{name}({self._texts[inner][1]})"), _UNARY[name], inner)
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


#: Binary operators: precedence and symbol (sums and products group to the left).
_OPERATORS = {operator.add: (_SUM, " + "), operator.mul: (_PRODUCT, "*"), operator.truediv: (_PRODUCT, "/"),
              operator.pow: (_POWER, "^"), _power: (_POWER, "^")}


def infix(text: str) -> str:
    """The expression of SymPy ``srepr`` ``text`` in infix notation, read by the checker's own
    parser (nothing is evaluated): a safe way to read a certificate's expressions.

    >>> infix("Add(Mul(Integer(-1), Symbol('t', positive=True)), log(Rational(1, 2)))")
    '-1*t + log(1/2)'
    """
    return Expression(text, printing=True).text


def ball(value: Fraction) -> arb:
    """A ball containing the exact rational ``value`` (exact when it is an integer)."""
    if value.denominator == 1:
        return arb(value.numerator)
    return arb(fmpq(value.numerator, value.denominator))


def interval(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing :math:`[lo, hi]` (the exact ball of ``lo`` when ``lo = hi``)."""
    return ball(lo) if lo == hi else ball(lo).union(ball(hi))


def sign(value: arb) -> int | None:
    """+1, -1, 0 (the exact zero) when the ball's sign is certain, else None."""
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


# --- facts ------------------------------------------------------------------------------------

class _Facts:
    """The count of facts checked; :meth:`expect` checks one."""

    def __init__(self):
        self.checked = 0

    def expect(self, what: str, found, stated) -> None:
        self.checked += 1
        if found != stated:
            raise ValueError(f"{what} is {found}, the certificate says {stated}")

    def holds(self, condition: bool, message: str) -> None:
        self.checked += 1
        if not condition:
            raise ValueError(message)


class _Row:
    """One row's exact parameter values, and their balls checked against the assumptions."""

    def __init__(self, exact: dict):
        self.exact = {k: (v, v) for k, v in exact.items()}

    def env(self, f: Expression, **intervals) -> dict:
        values = {**self.exact, **intervals}
        problem = f.outside_domain(values)
        if problem:
            raise ValueError(problem)
        return {k: interval(lo, hi) for k, (lo, hi) in values.items()}


def _fields(what: str, record, required: set, optional: set = frozenset()) -> None:
    """``record`` is an object with the ``required`` fields, and others ``optional`` only."""
    if not isinstance(record, dict):
        raise ValueError(f"{what or 'the row'} must be an object, got {type(record).__name__}")
    missing, unknown = sorted(required - set(record)), sorted(set(record) - required - optional)
    if missing or unknown:
        found = "; ".join(p for p in (missing and f"missing field(s) {missing}",
                                      unknown and f"unknown field(s) {unknown}") if p)
        raise ValueError(f"{what}: {found}" if what else found)


def _root(facts: _Facts, row: _Row, cell: dict, f: Expression, unknown: str, closed: Expression | None,
          digits: int) -> None:
    lo, hi = _number(cell["lo"]), _number(cell["hi"])
    if lo > hi:
        raise ValueError(f"lo = {cell['lo']} > hi = {cell['hi']}")
    s_lo, s_hi, slope = (_sign_value(cell[k]) for k in ("sign_lo", "sign_hi", "slope"))
    if s_lo * s_hi > 0 or (lo == hi and s_lo != 0) or (lo < hi and slope == 0):
        raise ValueError(f"the stated signs (f(lo): {s_lo}, f(hi): {s_hi}, f': {slope}) do not "
                         f"show a unique root")
    facts.holds(hi - lo <= 2 * max(1, abs(lo), abs(hi)) / Fraction(10) ** digits,
                f"the width of [lo, hi] is {_approx(hi - lo)}, more than its {digits} stated digits allow")
    facts.expect("the sign of f(lo)", sign(f(row.env(f, **{unknown: (lo, lo)}))), s_lo)
    facts.expect("the sign of f(hi)", sign(f(row.env(f, **{unknown: (hi, hi)}))), s_hi)
    if lo < hi:
        facts.expect("the sign of f' on [lo, hi]",
                     sign(derivative(f, row.env(f, **{unknown: (lo, hi)}), unknown)), slope)
    if closed is not None:
        value = closed(row.env(closed))
        facts.holds(value >= ball(lo) and value <= ball(hi),
                    f"the closed form {value} is not inside [{cell['lo']}, {cell['hi']}]")


def _tree_leaves(region: dict, variables: list[str], tree: str):
    """The leaf boxes of a preorder bisection tree over ``region`` (exact fractions)."""
    if not isinstance(tree, str):
        raise ValueError(f"the tree must be a string, got {type(tree).__name__}")
    _fields("the region", region, set(variables))
    stack, leaves = [{v: _side(v, region[v]) for v in variables}], []
    for position, node in enumerate(tree):
        if not stack:
            raise ValueError(f"the tree has nodes after its last box (position {position})")
        box = stack.pop()
        if node == "L":
            leaves.append(box)
            continue
        if node not in "0123456789" or int(node) >= len(variables):
            raise ValueError(f"unknown tree node {node!r} at position {position}")
        var = variables[int(node)]
        lo, hi = box[var]
        mid = (lo + hi) / 2
        stack += [{**box, var: (lo, mid)}, {**box, var: (mid, hi)}]  # the upper half comes first
    if stack:
        raise ValueError(f"the tree ends with {len(stack)} box(es) not settled (a split removed?)")
    return leaves


def _side(name: str, side) -> tuple[Fraction, Fraction]:
    if not isinstance(side, list) or len(side) != 2:
        raise ValueError(f"the side {name} of a region must be [lo, hi], got {side!r}")
    lo, hi = _number(side[0]), _number(side[1])
    if not lo < hi:
        raise ValueError(f"an empty side {name} in [{lo}, {hi}]")
    return lo, hi


def _leaves(facts: _Facts, cell: dict, variables: list[str]):
    leaves = _tree_leaves(cell["region"], variables, cell["tree"])
    facts.expect("the number of leaf boxes", len(leaves), cell["leaves"])
    return leaves


def _approx(q: Fraction, digits: int = 3) -> str:
    """``q`` to ``digits`` significant digits, for a message (``about 1e-25000`` beyond floats)."""
    exponent = (abs(q.numerator).bit_length() - q.denominator.bit_length()) * 0.30103
    if q == 0 or abs(exponent) < 300:
        return f"{float(q):.{digits}g}"
    return f"about {'-' if q < 0 else ''}1e{exponent:.0f}"


def _show(box: dict) -> str:
    return ", ".join(f"{v} in [{_approx(lo, 9)}, {_approx(hi, 9)}]" for v, (lo, hi) in box.items())


def _positive_on_boxes(facts, row: _Row, cell: dict, column: dict, f: Expression, covers: dict) -> None:
    for name, side in column["fixed"].items():
        facts.holds(cell["region"].get(name) == side, f"the side {name} of the region is "
                    f"{cell['region'].get(name)}, the column fixes it to {side}")
    for name, (lo, hi) in column["sides"].items():
        stated = (row.exact[lo][0], row.exact[hi][0])
        facts.holds(_side(name, cell["region"].get(name)) == stated, f"the side {name} of the region is "
                    f"{cell['region'].get(name)}, the row's {lo}, {hi} are [{stated[0]}, {stated[1]}]")
    for box in _leaves(facts, cell, column["variables"]):
        facts.holds(sign(f(row.env(f, **box))) == 1, f"f is not certified > 0 on the box {_show(box)}")
    for name, (lo, hi) in covers.items():
        start, end = _side(name, cell["region"].get(name))
        low, high = lo(row.env(lo)), hi(row.env(hi))
        facts.holds(ball(start) <= low and ball(end) >= high,
                    f"the side {name} of the region, [{_approx(start, 9)}, {_approx(end, 9)}], is not "
                    f"certified to contain [{low}, {high}]")


def _monotone_root_on_boxes(facts, row, cell, column, f, ends, digits) -> None:
    along, root = column["along"], column["root"]
    low, high = cell["ends"]
    _fields("the low end", low, _CELL_FIELDS["root"])
    _fields("the high end", high, _CELL_FIELDS["root"])
    region = _side(along, cell["region"][along])
    facts.expect("the low end of the region", region[0], _number(low["lo"]))
    facts.expect("the high end of the region", region[1], _number(high["hi"]))
    for end, expr in zip((low, high), ends):
        _root(facts, row, end, expr, along, None, digits)
    root_lo, root_hi = (_number(e) for e in column["root_range"])
    leaves = _leaves(facts, cell, [along])
    if not isinstance(cell["brackets"], list) or len(cell["brackets"]) != len(leaves):
        raise ValueError(f"{len(leaves)} leaves need as many brackets")
    stated = _sign_value(cell["sign"])
    for box, bracket in zip(leaves, cell["brackets"]):
        if not isinstance(bracket, list) or len(bracket) != 2:
            raise ValueError(f"a bracket must be [a, c], got {bracket!r}")
        a, c = _number(bracket[0]), _number(bracket[1])
        if not root_lo <= a <= c <= root_hi:
            raise ValueError(f"bracket [{a}, {c}] is not inside the root range")
        if a != root_lo:
            facts.holds(sign(f(row.env(f, **box, **{root: (a, a)}))) == -1,
                        f"F({root} = {a}) is not certified < 0 on {_show(box)}")
        if c != root_hi:
            facts.holds(sign(f(row.env(f, **box, **{root: (c, c)}))) == 1,
                        f"F({root} = {c}) is not certified > 0 on {_show(box)}")
        slope = sign(derivative(f, row.env(f, **box, **{root: (a, c)}), along))
        facts.expect(f"the sign of dF/d{along} on {_show(box)}, {root} in [{a}, {c}]", slope, stated)


def _regime(facts, row_cells: dict, regime: str, column: dict) -> None:
    etf, antipodal = row_cells.get(column["etf"]), row_cells.get(column["antipodal"])
    s1, s0 = (c["sign"] if c else None for c in (etf, antipodal))
    root = row_cells.get(column["root"])
    shown = {"etf": s1 is not None and s1 <= 0, "antipodal": s0 is not None and s0 >= 0,
             "intermediate": (s1 == 1  # l'(1) > 0
                              and s0 == -1  # l'(0) < 0
                              and root is not None and 0 <= _number(root["lo"]) and _number(root["hi"]) <= 1)}
    if regime not in shown:
        raise ValueError(f"unknown regime {regime!r}")
    facts.holds(shown[regime], f"the regime {regime!r} does not follow from l'(1) sign {s1}, l'(0) sign {s0}")


# --- the header -------------------------------------------------------------------------------

def _header(data) -> dict:
    """The parsed file, if it is a certificate (bad input otherwise)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise NotACertificate(f"no \"format\": \"{FORMAT}\" field" + (f" (found {found!r})" if found else ""))
    for key, kind in _HEADER.items():
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise NotACertificate(f"the header field {key!r} is missing or not a {kind.__name__}")
    return data


def _pinned_differences(data: dict, canonical: dict) -> list[str]:
    """How the header differs from its kind's canonical header (empty: it is the same)."""
    found = {"claim": data["claim"], "assumes": data["assumes"], "parameters": data["parameters"],
             "domain": data["domain"], "columns": data["columns"],
             "expressions": {k: v.get("sha256") if isinstance(v, dict) else v for k, v in data["expressions"].items()}}
    problems = [f"the header's {key!r} differs from the canonical header of kind {data['kind']!r}"
                for key in found if found[key] != canonical[key]]
    if data["digits"] < canonical["min_digits"]:
        problems.append(f"digits = {data['digits']}, kind {data['kind']!r} states at least {canonical['min_digits']}")
    return problems


def _expressions(data) -> tuple[dict, list[str]]:
    parsed, problems = {}, []
    for name, record in data["expressions"].items():
        try:
            _fields("its record", record, {"srepr", "sha256"})
            text = record["srepr"]
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != record["sha256"]:
                raise ValueError("its SHA-256 digest does not match its srepr text")
            parsed[name] = Expression(text)
        except (*_FAILURES, SyntaxError, RecursionError, MemoryError) as exc:
            problems.append(f"expression {name!r}: {exc}")
    return parsed, problems


def _column_problem(name: str, column, columns: dict, exprs: dict, parameters: list) -> str | None:
    """Why column ``name`` is malformed (unknown fact, missing or unknown field, a name that
    is not an expression or not a column of the right fact), or None."""
    fact = column.get("fact") if isinstance(column, dict) else None
    if not isinstance(fact, str) or fact not in _COLUMN_FIELDS:
        return f"column {name!r}: unknown fact {fact!r}"
    try:
        _fields(f"column {name!r}", column, _COLUMN_FIELDS[fact], _COLUMN_OPTIONAL.get(fact, set()))
    except ValueError as exc:
        return str(exc)
    used = [column[k] for k in ("expression", "closed_form") if k in column]
    used += column["ends"] if fact == "monotone_root_on_boxes" and isinstance(column["ends"], list) else []
    covers = column.get("covers", {})
    if not isinstance(covers, dict) or any(not isinstance(pair, list) or len(pair) != 2 or v not in
                                            column["variables"] for v, pair in covers.items()):
        return f"column {name!r}: covers must map a variable to the names of two expressions"
    used += [e for pair in covers.values() for e in pair]
    missing = [e for e in used if not isinstance(e, str) or e not in exprs]
    if missing:
        return f"column {name!r}: no expression named {missing}"
    if fact == "regime":
        wanted = {"etf": "sign", "antipodal": "sign", "root": "root"}
        for key, kind in wanted.items():
            target = columns.get(column[key]) if isinstance(column[key], str) else None
            if not isinstance(target, dict) or target.get("fact") != kind or column[key] == name:
                return f"column {name!r}: {key} must name a {kind} column, got {column[key]!r}"
    if fact == "root" and (not isinstance(column["unknown"], str) or column["unknown"] in parameters):
        return f"column {name!r}: the unknown must be a symbol that is not a parameter"
    if fact == "monotone_root_on_boxes" and (len(column["ends"]) != 2 or len(column["root_range"]) != 2):
        return f"column {name!r}: ends and root_range must have two entries"
    if fact == "positive_on_boxes":
        stated = list(column["fixed"]) + list(column["sides"])
        named = [p for pair in column["sides"].values() for p in pair]
        if sorted(stated) != sorted(column["variables"]) or not set(named) <= set(parameters) or any(
                len(pair) != 2 for pair in column["sides"].values()):
            return (f"column {name!r}: each variable's side must be fixed or name two of the row's "
                    f"parameters, once")
    return None


class _Domain:
    """The parameters' domain: per name ``integer`` (true), ``min`` (>=), ``above`` (>)."""

    def __init__(self, domain: dict, parameters: list):
        _fields("the domain", domain, set(parameters))
        self.rules = {}
        for name, rule in domain.items():
            _fields(f"the domain of {name}", rule, set(), {"integer", "min", "above"})
            self.rules[name] = (rule.get("integer") is True,
                                _number(rule["min"]) if "min" in rule else None,
                                _number(rule["above"]) if "above" in rule else None)

    def problem(self, values: dict) -> str | None:
        for name, (integer, least, above) in self.rules.items():
            v = values[name]
            if ((integer and v.denominator != 1) or (least is not None and v < least)
                    or (above is not None and v <= above)):
                return f"{name} = {v} is outside its domain {_describe_rule(integer, least, above)}"
        return None


def _describe_rule(integer, least, above) -> str:
    parts = (["an integer"] if integer else []) + ([f">= {least}"] if least is not None else []) + (
        [f"> {above}"] if above is not None else [])
    return " ".join(parts) or "(any real)"


def _selection(selection: list, parameters: list, row_count: int) -> set:
    """The points (tuples of exact values, in the order of ``parameters``) of the selection:
    blocks, each a product of a list of decimal strings or an integer range per parameter (at
    most ``row_count`` + 1000 points, so that a forged range is never expanded)."""
    total, blocks = 0, []
    for index, block in enumerate(selection):
        _fields(f"selection block {index}", block, set(parameters))
        sides, size = [], 1
        for name in parameters:
            spec = block[name]
            if isinstance(spec, dict):
                _fields(f"the range of {name}", spec, {"from", "to"})
                lo, hi = _number(spec["from"]), _number(spec["to"])
                if lo.denominator != 1 or hi.denominator != 1 or lo > hi:
                    raise ValueError(f"the range of {name} must run between integers, from <= to")
                sides.append(range(lo.numerator, hi.numerator + 1))
            elif isinstance(spec, list) and spec:
                sides.append([_number(v) for v in spec])
            else:
                raise ValueError(f"selection block {index}: {name} must be a non-empty list or a range")
            size *= len(sides[-1])
        total += size
        blocks.append(sides)
    if total > row_count + 1000:
        raise ValueError(f"the selection names {total} rows, the file has {row_count}")
    points = set()
    for sides in blocks:
        product = [()]
        for side in sides:
            product = [p + (Fraction(v),) for p in product for v in side]
        points.update(product)
    if len(points) != total:
        raise ValueError("the selection names a point twice")
    return points


def _describe_selection(selection: list, parameters: list) -> str:
    """The selection in a line: ``N in 4..100``, ``(N, t) in {5, 10} x {1, 2}``, ..."""
    def side(spec):
        if isinstance(spec, dict):
            return f"{spec['from']}..{spec['to']}"
        shown = ", ".join(spec[:6]) + (f", ... ({len(spec)} values)" if len(spec) > 6 else "")
        return "{" + shown + "}"
    blocks = [" x ".join(side(block[p]) for p in parameters) for block in selection[:4]]
    more = f" and {len(selection) - 4} more blocks" if len(selection) > 4 else ""
    names = parameters[0] if len(parameters) == 1 else "(" + ", ".join(parameters) + ")"
    return f"{names} in " + "; ".join(blocks) + more


def _omitted(entries: list, parameters: list, columns: dict) -> dict:
    """``{(point, column): reason}`` of the header's ``omitted`` list."""
    found = {}
    for index, entry in enumerate(entries):
        _fields(f"omitted entry {index}", entry, {"parameters", "column", "reason"})
        _fields(f"omitted entry {index}: parameters", entry["parameters"], set(parameters))
        if entry["column"] not in columns or not isinstance(entry["reason"], str) or not entry["reason"].strip():
            raise ValueError(f"omitted entry {index} must name a column and give a reason")
        key = (tuple(_number(entry["parameters"][p]) for p in parameters), entry["column"])
        if key in found:
            raise ValueError(f"omitted entry {index} lists a cell twice")
        found[key] = entry["reason"]
    return found


# --- a certificate ----------------------------------------------------------------------------

@dataclass
class Result:
    """What re-checking one certificate found: its kind, whether the header is its kind's
    canonical one (``pinned``), rows, facts checked, failure messages (each naming its row and
    fact, or the header), the cells omitted with their reasons."""

    kind: str
    pinned: bool
    rows: int
    facts: int = 0
    failures: list[str] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _label(index: int, parameters) -> str:
    if not isinstance(parameters, dict):
        return f"row {index}"
    return f"row {index} (" + ", ".join(f"{k}={str(v)[:40]}" for k, v in parameters.items()) + ")"


def check_certificate(data: dict, kinds: dict | None = None, duplicates: list[str] = ()) -> Result:
    """Re-check a parsed certificate against ``kinds`` (kind -> canonical header; default the
    shipped ones); ``duplicates``: the repeated JSON keys :func:`load` found."""
    data = _header(data)
    kinds = _shipped_kinds() if kinds is None else kinds
    canonical = kinds.get(data["kind"])
    result = Result(data["kind"], canonical is not None, len(data["rows"]))
    fail = result.failures.append
    for problem in duplicates:
        fail(problem)
    unknown = sorted(set(data) - set(_HEADER) - _OPTIONAL)
    if unknown:
        fail(f"header: unknown field(s) {unknown}")
    if canonical is not None:
        result.failures += [f"header: {p}" for p in _pinned_differences(data, canonical)]
    parameters, columns, facts = data["parameters"], data["columns"], _Facts()
    exprs, problems = _expressions(data)
    problems += [p for name, column in columns.items()
                 if (p := _column_problem(name, column, columns, data["expressions"], parameters)) is not None]
    try:
        if not all(isinstance(p, str) for p in parameters) or len(set(parameters)) != len(parameters):
            raise ValueError("the parameters must be distinct names")
        if not 0 <= data["digits"] <= 100_000:
            raise ValueError(f"digits must be an integer in [0, 100000], got {data['digits']}")
        domain = _Domain(data["domain"], parameters)
        selection = _selection(data["selection"], parameters, len(data["rows"]))
        omitted = _omitted(data["omitted"], parameters, columns)
    except _FAILURES as exc:
        problems.append(str(exc))
    result.failures += [f"header: {p}" for p in problems]
    if problems:
        return result
    seen, listed = set(), set()
    for index, cells in enumerate(data["rows"]):
        label = _label(index, cells.get("parameters") if isinstance(cells, dict) else None)
        try:
            _fields("", cells, {"parameters"}, {"precision_bits"} | set(columns))
            _fields("parameters", cells["parameters"], set(parameters))
            exact = {k: _number(cells["parameters"][k]) for k in parameters}
            point = tuple(exact[k] for k in parameters)
            problem = domain.problem(exact) or (
                "this row is twice in the file (a duplicate row)" if point in seen else
                "this row is not in the header's selection" if point not in selection else None)
            seen.add(point)
            if problem:
                raise ValueError(problem)
            bits = cells.get("precision_bits", data["precision_bits"])
            if type(bits) is not int or bits not in _PRECISION_BITS:
                raise ValueError(f"precision_bits must be an integer in [16, 2^18], got {bits!r}")
            row = _Row(exact)
        except _FAILURES as exc:
            fail(f"{label}: {exc}")
            continue
        for name, column in columns.items():
            reason = omitted.get((point, name))
            if cells.get(name) is None:
                if reason is None:
                    fail(f"{label}, {name}: no cell, and the header's omitted list does not give a reason")
                else:
                    listed.add((point, name))
                    result.omitted.append(f"{label}, {name}: {reason}")
                continue
            try:
                if reason is not None:
                    raise ValueError("the header's omitted list names this cell, which has a value")
                with flint.ctx.workprec(bits):
                    _check_cell(facts, row, cells, name, column, exprs, data["digits"])
            except _FAILURES as exc:
                fail(f"{label}, {name}: {exc}")
    missing = sorted(selection - seen)
    if missing:
        shown = "; ".join(", ".join(f"{p}={v}" for p, v in zip(parameters, point)) for point in missing[:5])
        more = " ..." if len(missing) > 5 else ""
        fail(f"header: {len(missing)} point(s) of the selection have no row: {shown}{more}")
    stray = set(omitted) - listed
    if stray:
        fail(f"header: omitted lists {len(stray)} cell(s) that are not null cells of a row")
    result.facts = facts.checked
    if facts.checked == 0:
        fail("no fact was checked (every cell omitted, or no row)")
    return result


def _check_cell(facts, row, cells, name, column, exprs, digits) -> None:
    kind, cell = column["fact"], cells[name]
    _fields(f"the cell of {kind!r}", cell, _CELL_FIELDS[kind])
    if kind == "root":
        closed = exprs[column["closed_form"]] if "closed_form" in column else None
        _root(facts, row, cell, exprs[column["expression"]], column["unknown"], closed, digits)
    elif kind == "sign":
        f = exprs[column["expression"]]
        facts.expect("the sign", sign(f(row.env(f))), _sign_value(cell["sign"]))
    elif kind == "regime":
        _regime(facts, cells, cell["regime"], column)
    elif kind == "positive_on_boxes":
        covers = {v: (exprs[lo], exprs[hi]) for v, (lo, hi) in column.get("covers", {}).items()}
        _positive_on_boxes(facts, row, cell, column, exprs[column["expression"]], covers)
    else:
        ends = [exprs[e] for e in column["ends"]]
        _monotone_root_on_boxes(facts, row, cell, column, exprs[column["expression"]], ends, digits)


# --- files ------------------------------------------------------------------------------------

def _no_constant(name: str):
    raise NotACertificate(f"{name} is not strict JSON")


def _json_integer(text: str) -> int:
    if len(text) > MAX_JSON_INTEGER_CHARS:
        raise NotACertificate(f"a JSON integer of {len(text)} characters (at most {MAX_JSON_INTEGER_CHARS}; "
                              f"numbers are decimal strings)")
    return int(text)


class _Object(dict):
    """A JSON object whose keys repeat (``repeated``)."""

    repeated: list[str]


def _object(pairs):
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    counted = _Object(found)
    counted.repeated = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
    return counted


def _walk(data) -> list[str]:
    """Check the depth (bad input beyond :data:`MAX_JSON_DEPTH`); the repeated keys, named by
    their row and place."""
    repeated, stack = [], [(data, 1, "")]
    while stack:
        node, depth, where = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise NotACertificate(f"JSON nested more than {MAX_JSON_DEPTH} deep")
        if isinstance(node, _Object):
            repeated += [f"{where or 'the top level'}: the JSON key {k!r} appears more than once"
                         for k in node.repeated]
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if isinstance(value, (dict, list)):
                place = f"row {key}" if where == "rows" else f"{where}.{key}" if where else str(key)
                stack.append((value, depth + 1, place))
    return sorted(repeated)


def load(path: Path) -> tuple[dict, list[str], str]:
    """``(certificate, repeated JSON keys, SHA-256 of the file)``; bad input raises
    :class:`NotACertificate`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise NotACertificate(f"{path}: {size} bytes, more than the {MAX_FILE_BYTES} a certificate may have")
        raw = path.read_bytes()
    except OSError as exc:
        raise NotACertificate(f"{path} cannot be read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_object, parse_constant=_no_constant,
                          parse_int=_json_integer)
        repeated = _walk(data)
        return _header(data), repeated, hashlib.sha256(raw).hexdigest()
    except RecursionError:
        raise NotACertificate(f"{path} is not a certificate: JSON nested more than {MAX_JSON_DEPTH} deep") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, NotACertificate, int limits
        raise NotACertificate(f"{path} is not a certificate: {exc}") from None


def _shipped_kinds() -> dict:
    try:
        data = json.loads(KINDS_FILE.read_text())
    except (OSError, ValueError) as exc:
        raise NotACertificate(f"the kinds file {KINDS_FILE} cannot be read ({exc}): copy it beside the "
                              f"checker") from None
    if data.get("format") != KINDS_FORMAT:
        raise NotACertificate(f"the kinds file {KINDS_FILE} is not in the format {KINDS_FORMAT}")
    return data["kinds"]


def _files(paths: list[str]) -> list[Path]:
    files = []
    for text in paths:
        path = Path(text)
        try:
            path.stat()
        except OSError as exc:
            why = "no such file or folder" if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)
            raise NotACertificate(f"{text}: {why}") from None
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise NotACertificate(f"no certificate (*.json) in {text}")
            files += found
        else:
            files.append(path)
    return files


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise NotACertificate(message)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="clverify recheck", allow_abbrev=False,
                     description="Re-check clverify certificates with python-flint alone.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="certificate files or folders (every *.json)")
    parser.add_argument("--expect", action="append", default=[], metavar="SHA256",
                        help="a file's SHA-256 that must be among those checked (repeatable)")
    parser.add_argument("--show-expressions", action="store_true",
                        help="print each expression in infix form (read by the checker's parser)")
    args = parser.parse_args(argv)
    bad = [e for e in args.expect if not _SHA256.fullmatch(e)]
    if bad:
        raise NotACertificate(f"--expect must be a SHA-256 digest (64 lowercase hexadecimal digits), got {bad[0]!r}")
    return args


def _print_result(path: Path, digest: str, data: dict, result: Result, show: bool) -> None:
    state = "PINNED" if result.pinned else "UNPINNED"
    print(f"{path.name}: {state} {result.kind[:100]}: {result.rows} rows, {result.facts} facts checked, "
          f"{len(result.failures)} failed, {len(result.omitted)} cells omitted")
    print(f"  file sha256 {digest}")
    selection = data["selection"]
    try:
        print(f"  rows: {_describe_selection(selection, data['parameters'])}; digits {data['digits']}")
    except (*_FAILURES,):
        print("  rows: (the selection is malformed)")
    for name, record in data["expressions"].items():
        digest_text = record.get("sha256") if isinstance(record, dict) else None
        line = f"  expression {name} sha256 {digest_text}"
        if show:
            try:
                line += f": {infix(record['srepr'])}"
            except (*_FAILURES, SyntaxError, RecursionError, MemoryError) as exc:
                line += f": (not readable: {exc})"
        print(line)
    for label, messages in (("omitted", result.omitted), ("FAIL", result.failures)):
        for message in messages[:_MAX_MESSAGES]:
            print(f"  {label} {path.name} {message}")
        if len(messages) > _MAX_MESSAGES:
            print(f"  ... and {len(messages) - _MAX_MESSAGES} more {label} lines")


def main(argv: list[str] | None = None) -> int:
    """``python -I -m clverify.recheck [--expect SHA256]... [--show-expressions] PATH...``:
    re-check every certificate in the folders or files given; print what each proves; return
    0 (all hold), 1 (a fact failed, an expected digest not found) or 2 (bad input, checked
    before any fact is)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _arguments(argv)
        kinds = _shipped_kinds()
        loaded = [(path, *load(path)) for path in _files(args.paths)]
    except NotACertificate as exc:
        print(f"clverify: error: {exc}", file=sys.stderr)
        return 2
    checker = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    print(f"checker {Path(__file__).name} sha256 {checker}; kinds {KINDS_FILE.name} sha256 "
          f"{hashlib.sha256(KINDS_FILE.read_bytes()).hexdigest()} ({len(kinds)} kinds)")
    failed, digests = 0, {}
    for path, data, repeated, digest in loaded:
        result = check_certificate(data, kinds, repeated)
        failed += not result.passed
        digests.setdefault(digest, path.name)
        _print_result(path, digest, data, result, args.show_expressions)
    for expected in args.expect:
        found = digests.get(expected)
        print(f"expected sha256 {expected}: " + (f"{found}" if found else "NOT FOUND among the files checked"))
        failed += found is None
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
