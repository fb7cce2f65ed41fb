r"""The theorem registry: results, their checks and their deliberately false variants.

A :class:`Theorem` is data: an id (``paper.number`` or ``ext.short_name``), its
source, its statement in LaTeX, its hypotheses as parameter domains, a
``claim`` (the statement in a form checks can test: formulas, callables,
constants), the :class:`Check`\ s that test the claim, and :class:`Mutant`\ s:
false variants of the claim that the same checks must refute.

A check is a function ``check(claim, point, evidence) -> str | None``: ``None``
on a pass, a message saying what failed on a fail (sybil's evaluator
contract).  ``point`` is one parameter point (a dict), ``evidence`` a dict the
check may fill with numbers for the report.  A check raises
:class:`Inconclusive` when it can neither confirm nor refute (an enclosure
that cannot be certified); any other exception means broken code.

The registry knows nothing of pytest or the CLI: :mod:`clverify.proofs_check.runner`
runs it, :mod:`clverify.proofs_check.pytest_plugin` and ``clverify check`` adapt it.

>>> thm = Theorem(
...     id="demo.two_plus_two", source="reconstructed", statement=r"2 + 2 = 4",
...     claim=4, checks=(Check("value", "symbolic", lambda c, p, e: None if 2 + 2 == c else f"{c} != 4"),),
...     mutants=(Mutant("five", "2 + 2 is not 5", 5),))
>>> thm.checks[0].run(thm.claim, {}, {}) is None, thm.checks[0].run(5, {}, {})
(True, '5 != 4')
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clverify.theory.errors import UnknownChoiceError

__all__ = ["METHODS", "Check", "Mutant", "Theorem", "Inconclusive", "register", "theorems", "get",
           "point_label", "check_label"]

#: The three independent methods, in the order reports list them.
METHODS = ("symbolic", "certified", "empirical")

#: The package whose modules' ``THEOREMS`` lists make up the built-in registry.
_BUILTIN_PACKAGE = "clverify.proofs_check.theorems"

_ID = re.compile(r"^[a-z][a-z0-9]*\.[a-z][A-Za-z0-9_]*$")


class Inconclusive(Exception):
    """Raised by a check that can neither confirm nor refute (e.g. an uncertifiable enclosure)."""


CheckFn = Callable[[Any, Mapping, dict], "str | None"]


@dataclass(frozen=True)
class Check:
    """One way of testing a claim: ``run(claim, point, evidence)`` at each parameter point.

    ``points`` run in the fast profile; ``thorough_points`` are added by ``--thorough``.
    """

    name: str
    method: str
    run: CheckFn
    points: tuple[Mapping, ...] = ({},)
    thorough_points: tuple[Mapping, ...] = ()

    def __post_init__(self):
        if self.method not in METHODS:
            raise UnknownChoiceError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")

    def points_for(self, thorough: bool = False) -> tuple[Mapping, ...]:
        return self.points + (self.thorough_points if thorough else ())


@dataclass(frozen=True)
class Mutant:
    """A deliberately false variant of a theorem's claim, with the reason it is false."""

    name: str
    reason: str
    claim: Any


@dataclass(frozen=True)
class Theorem:
    """A result to verify (``kind="claim"``) or to explore (``kind="exploratory"``)."""

    id: str
    source: str
    statement: str
    claim: Any
    checks: tuple[Check, ...]
    mutants: tuple[Mutant, ...] = ()
    hypotheses: Mapping[str, str] = field(default_factory=dict)
    kind: str = "claim"
    reproduce: str = ""

    def __post_init__(self):
        if not _ID.match(self.id):
            raise ValueError(f"theorem id must look like 'paper.name' (snake_case), got {self.id!r}")
        if self.kind not in ("claim", "exploratory"):
            raise ValueError(f"kind must be 'claim' or 'exploratory', got {self.kind!r}")

    @property
    def paper(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def methods(self) -> tuple[str, ...]:
        used = {c.method for c in self.checks}
        return tuple(m for m in METHODS if m in used)

    @property
    def command(self) -> str:
        """The ``clverify`` command that re-runs this entry."""
        return self.reproduce or f"clverify check --only {self.id} --mutants"


_EXTRA: dict[str, Theorem] = {}


def register(theorem: Theorem) -> Theorem:
    """Add ``theorem`` to the registry (for extensions; see ``docs/extending.md``)."""
    if theorem.id in _all() and _all()[theorem.id] is not theorem:
        raise ValueError(f"theorem id {theorem.id!r} is already registered")
    _EXTRA[theorem.id] = theorem
    return theorem


def _all() -> dict[str, Theorem]:
    found: dict[str, Theorem] = {}
    package = importlib.import_module(_BUILTIN_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        name = f"{_BUILTIN_PACKAGE}.{info.name}"
        for thm in getattr(importlib.import_module(name), "THEOREMS", ()):
            if thm.id in found:
                raise ValueError(f"duplicate theorem id {thm.id!r} in {name}")
            found[thm.id] = thm
    found.update(_EXTRA)
    return found


def theorems(only: tuple[str, ...] = (), papers: tuple[str, ...] = ()) -> list[Theorem]:
    """Registered theorems, the papers' first and ours (``ext.*``) last, each sorted by id;
    optionally restricted to ids or papers."""
    table = _all()
    unknown = [i for i in only if i not in table]
    if unknown:
        raise UnknownChoiceError(
            f"only must name registered theorem ids; unknown: {', '.join(unknown)} "
            f"(see 'clverify check --list')"
        )
    known = sorted({t.paper for t in table.values()})
    bad = [p for p in papers if p not in known]
    if bad:
        raise UnknownChoiceError(f"only-paper must be one of {', '.join(known)}; got {', '.join(bad)}")
    chosen = [t for t in table.values()
              if (not only or t.id in only) and (not papers or t.paper in papers)]
    return sorted(chosen, key=lambda t: (t.paper == "ext", t.id))


def get(theorem_id: str) -> Theorem:
    """The theorem with id ``theorem_id``."""
    return theorems(only=(theorem_id,))[0]


def point_label(point: Mapping) -> str:
    """A stable, readable label for a parameter point: ``N=10,t=1.5`` (sorted keys, ``str`` values)."""
    return ",".join(f"{k}={point[k]}" for k in sorted(point))


def check_label(check: Check, point: Mapping) -> str:
    """``method:name[point]`` (no brackets for the empty point): item names and messages."""
    label = point_label(point)
    return f"{check.method}:{check.name}" + (f"[{label}]" if label else "")
