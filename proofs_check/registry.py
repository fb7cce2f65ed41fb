r"""The theorem registry: results, their checks and their deliberately false variants.

A :class:`Theorem` is data: an id (``paper.number`` or ``ext.short_name``), its
source, its statement in LaTeX, its :class:`Part`\ s (the conjuncts the source states: a value,
a minimiser, a count, a uniqueness), a :class:`Claim` (the statement in a form checks can
test: its hypotheses as SymPy relations and the values its parts assert), the
:class:`Check`\ s that test the claim, each naming the parts it supports, and
:class:`Mutant`\ s: false variants of the claim (another constant, a weaker hypothesis) that
the same checks must refute.

A check is a function ``check(claim, point, evidence) -> str | None``: ``None``
on a pass, a message saying what failed on a fail (sybil's evaluator
contract).  ``point`` is one parameter point (a dict), ``evidence`` a dict the
check may fill with numbers for the report.  A check raises
:class:`Inconclusive` when it can neither confirm nor refute (an enclosure
that cannot be certified, a point outside the claim's scope); any other
exception means broken code.

Every check says how strong its evidence is (its **level**, one of :data:`LEVELS`), which
parameters a pass covers (its **scope**) and which parts of the statement it supports; an
entry is as strong as its weakest part, and its status is computed from parts, levels and
scopes by :func:`clverify.proofs_check.runner.theorem_status`, never typed by hand:

* ``proof``: symbolic, for every parameter value it states (a SymPy identity, a positivity
  certificate, an exact argument);
* ``certified``: Arb ball arithmetic (python-flint) end to end, rigorous on a stated finite
  set of points or boxes;
* ``numerical``: high precision but not rigorous (mpmath grids, quadrature, root finding
  without an enclosure);
* ``empirical``: float64 gradient descent, random sampling, Hypothesis examples.

The registry knows nothing of pytest or the CLI: :mod:`clverify.proofs_check.runner` runs it,
:mod:`clverify.proofs_check.pytest_plugin` and ``clverify check`` adapt it.

>>> claim = Claim({"sum": 4})
>>> thm = Theorem(
...     id="demo.two_plus_two", source="reconstructed", statement=r"2 + 2 = 4",
...     parts=(Part("value", r"2 + 2 = 4"),), claim=claim,
...     checks=(Check("value", "proof", lambda c, p, e: None if 2 + 2 == c.sum else f"{c.sum} != 4",
...                   parts=("value",), scope="exact arithmetic", whole_domain=True),),
...     mutants=(Mutant("five", "2 + 2 is not 5", claim.vary(sum=5)),))
>>> thm.checks[0].run(thm.claim, {}, {}) is None, thm.checks[0].run(thm.mutants[0].claim, {}, {})
(True, '5 != 4')
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
from typing import Any

import sympy as sp

from clverify.theory.errors import InvalidParameterError, UnknownChoiceError

__all__ = ["LEVELS", "KINDS", "H", "Claim", "Part", "Check", "Mutant", "Theorem", "Inconclusive",
           "satisfied", "register", "load_theorems", "theorems", "get", "aliases", "point_label",
           "check_label"]

#: Evidence levels, strongest first (the order reports list them).
LEVELS = ("proof", "certified", "numerical", "empirical")
#: Levels whose pass can cover a whole hypothesis domain (``Check.whole_domain``).
RIGOROUS_LEVELS = ("proof", "certified")
#: Kinds of entries: a claim to verify, an exploration that claims nothing, and a published
#: statement documented as false (its checks must refute it; see ``Theorem.corrected_by``).
KINDS = ("claim", "exploratory", "refutation")

#: The package whose modules' ``THEOREMS`` lists (and ``ALIASES`` dicts) make up the registry.
_BUILTIN_PACKAGE = "clverify.proofs_check.theorems"

_ID = re.compile(r"^[a-z][a-z0-9]*\.[a-z][A-Za-z0-9_]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

#: Plain symbols (no assumptions, so a relation in them stays a relation) for hypotheses:
#: ``H.d >= H.N - 1``, ``sp.Gt(H.tau, 0)``.  A check reads a hypothesis at a point with
#: :meth:`Claim.admits`, or symbolically (``claim.d.rhs``; ``sp.Symbol("N")`` is ``H.N``).
H = SimpleNamespace(**{s.name: s for s in sp.symbols("N M d n k t b b_rel tau gamma delta x m c A")})


class Inconclusive(Exception):
    """Raised by a check that can neither confirm nor refute (e.g. an uncertifiable enclosure,
    a point outside the claim's scope, a local minimum of gradient descent)."""


CheckFn = Callable[[Any, Mapping, dict], "str | None"]


@dataclass(frozen=True)
class Part:
    """One conjunct of a statement, named after the source's words (``value``, ``minimiser``,
    ``unique``, ``count``, ``equality_iff``), with its ``statement`` in LaTeX."""

    name: str
    statement: str

    def __post_init__(self):
        if not _NAME.match(self.name):
            raise ValueError(f"part name must be snake_case, got {self.name!r}")


@dataclass(frozen=True)
class Claim:
    r"""A statement as data: the ``values`` its parts assert and the ``hypotheses`` under which
    it is stated, each read by the checks as an attribute (``claim.s_neg``, ``claim.d``).

    Parameters
    ----------
    values : mapping
        name -> what the statement asserts (a formula, a constant, a structure, a predicate).
    hypotheses : mapping
        name -> a SymPy relation in the symbols of :data:`H` (``H.d >= H.N - 1``), which checks
        read (:meth:`admits`), or words for a hypothesis no check reads (``"Gaussian kernel"``).

    A variant claim (another constant, a weaker hypothesis) is :meth:`vary`, so a mutant is
    just another value of the same type.

    >>> c = Claim({"s_neg": -1 / (H.N - 1)}, {"N": H.N >= 3, "d": H.d >= H.N - 1})
    >>> c.s_neg, c.d, c.admits(N=6, d=5), c.admits(N=6, d=4), c.admits(N=6)
    (-1/(N - 1), d >= N - 1, True, False, None)
    >>> c.vary(d=H.d >= H.N - 2).admits(N=6, d=4)
    True
    """

    values: Mapping[str, Any]
    hypotheses: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "hypotheses", MappingProxyType(dict(self.hypotheses)))
        both = self.values.keys() & self.hypotheses.keys()
        if both:
            raise ValueError(f"a claim's values and hypotheses need distinct names; both have {sorted(both)}")
        bad = [k for k in (*self.values, *self.hypotheses) if not k.isidentifier() or k in _CLAIM_MEMBERS]
        if bad:
            raise ValueError(f"claim field names must be identifiers other than {sorted(_CLAIM_MEMBERS)}; "
                             f"got {bad}")

    def __getattr__(self, name: str):   # only called for names that are not attributes
        for table in (self.values, self.hypotheses):
            if name in table:
                return table[name]
        raise AttributeError(f"the claim has no value or hypothesis {name!r} "
                             f"(values: {sorted(self.values)}; hypotheses: {sorted(self.hypotheses)})")

    def __reduce__(self):
        return Claim, (dict(self.values), dict(self.hypotheses))

    def __eq__(self, other):
        return (isinstance(other, Claim) and dict(self.values) == dict(other.values)
                and dict(self.hypotheses) == dict(other.hypotheses))

    __hash__ = None

    def vary(self, **changes) -> Claim:
        """This claim with some values or hypotheses replaced (a mutant); an unknown name is an
        error, so a variant cannot silently add a field no check reads."""
        unknown = changes.keys() - self.values.keys() - self.hypotheses.keys()
        if unknown:
            raise ValueError(f"the claim has no value or hypothesis {sorted(unknown)}")
        return Claim({k: changes.get(k, v) for k, v in self.values.items()},
                     {k: changes.get(k, v) for k, v in self.hypotheses.items()})

    def admits(self, *names: str, **point) -> bool | None:
        """Whether ``point`` (numbers by symbol name) satisfies the hypotheses (only those named
        in ``names``, if any): False if a relation whose symbols are all given is false, None
        if a relation needs a symbol not given, else True.  Hypotheses in words are not read.

        >>> c = Claim({}, {"d": H.d >= H.N - 1, "tau": sp.Gt(H.tau, 0)})
        >>> c.admits(N=6, d=5), c.admits("d", N=6, d=5), c.admits("d", N=6, d=4)
        (None, True, False)
        """
        unknown = [n for n in names if n not in self.hypotheses]
        if unknown:
            raise ValueError(f"the claim has no hypothesis {unknown} (hypotheses: {sorted(self.hypotheses)})")
        undecided = False
        for name, hypothesis in self.hypotheses.items():
            if names and name not in names or not isinstance(hypothesis, sp.Basic):
                continue
            value = satisfied(hypothesis, **point)
            if value is None:
                undecided = True
            elif not value:
                return False
        return None if undecided else True

    def least(self, name: str) -> sp.Expr:
        """The least value of ``name`` its hypothesis admits: ``f`` from ``name >= f`` (plain
        symbols); ValueError for a hypothesis of another form.

        >>> Claim({}, {"N": H.N >= 3, "d": H.d >= H.N - 1}).least("d")
        N - 1
        """
        relation, symbol = self.hypotheses.get(name), sp.Symbol(name)
        if isinstance(relation, sp.GreaterThan) and relation.lhs == symbol:
            return relation.rhs
        if isinstance(relation, sp.LessThan) and relation.rhs == symbol:
            return relation.lhs
        raise ValueError(f"the claim's hypothesis on {name} ({relation}) is not of the form {name} >= f")


def satisfied(relation: sp.Basic, **point) -> bool | None:
    """Whether the SymPy ``relation`` (in plain symbols) holds at ``point`` (numbers by symbol
    name, exact: ``"0.1"`` is one tenth); None if it needs a symbol not given.

    >>> satisfied(H.d >= H.N - 1, N=6, d=5), satisfied(H.d >= H.N - 1, d=5)
    (True, None)
    """
    names = {s.name for s in relation.free_symbols}
    if not names <= point.keys():
        return None
    value = relation.subs({sp.Symbol(n): sp.nsimplify(point[n]) for n in names})
    if value not in (sp.true, sp.false):
        raise ValueError(f"hypothesis {relation} is not decided at {point} (got {value})")
    return bool(value)


#: Members of :class:`Claim` that a field name would hide.
_CLAIM_MEMBERS = frozenset({"values", "hypotheses", "vary", "admits", "least"})


@dataclass(frozen=True)
class Check:
    """One way of testing a claim: ``run(claim, point, evidence)`` at each parameter point.

    Parameters
    ----------
    name, level, run
        A snake_case name, the evidence level (one of :data:`LEVELS`), the check function.
    parts
        The names of the theorem's parts (:class:`Part`) a pass supports; every counting check
        names at least one.
    points, thorough_points
        Parameter points of the fast profile; ``thorough_points`` are added by ``--thorough``.
    scope
        The parameter set a pass covers, in words ("all N >= 3", "N in {5, 10, 100},
        t in [0.1, 2]", "8 seeded configurations, d = N").  Default: the points themselves.
    whole_domain
        A pass covers every parameter value of the theorem's hypotheses (only ``proof`` and
        ``certified`` checks, with an explicit ``scope``); such a pass makes the theorem
        ``proved``.
    consistency
        A check of the reference or of the set-up, not of the claim (it passes whatever the
        claim says): reported, never counted toward the status, never refutes a mutant.
    why_no_mutant
        Why no mutant of the entry can make this (counting) check fail, if none does.
    """

    name: str
    level: str
    run: CheckFn
    parts: tuple[str, ...] = ()
    points: tuple[Mapping, ...] = ({},)
    thorough_points: tuple[Mapping, ...] = ()
    scope: str = ""
    whole_domain: bool = False
    consistency: bool = False
    why_no_mutant: str = ""

    def __post_init__(self):
        if self.level not in LEVELS:
            raise UnknownChoiceError(f"level must be one of {', '.join(LEVELS)}; got {self.level!r}")
        if not self.points and not self.thorough_points:
            raise ValueError(f"check {self.name!r}: no parameter point to run it at")
        if self.whole_domain and self.level not in RIGOROUS_LEVELS:
            raise ValueError(f"check {self.name!r}: a {self.level} check cannot cover a whole domain")
        if self.whole_domain and not self.scope:
            raise ValueError(f"check {self.name!r}: a whole-domain check must state its scope")
        if self.whole_domain and self.consistency:
            raise ValueError(f"check {self.name!r}: a consistency check does not count, so it "
                             f"cannot cover the domain")
        if isinstance(self.parts, str):
            raise TypeError(f"check {self.name!r}: parts must be a tuple of part names, got {self.parts!r}")
        if self.consistency and self.parts:
            raise ValueError(f"check {self.name!r}: a consistency check supports no part")

    @property
    def counts(self) -> bool:
        """Whether the check counts toward the status (every check but a consistency check)."""
        return not self.consistency

    def points_for(self, thorough: bool = False) -> tuple[Mapping, ...]:
        return self.points + (self.thorough_points if thorough else ())

    def scope_for(self, thorough: bool = False) -> str:
        """The stated scope, or the points that were run (``the points N=5; N=10``, or ``no
        parameters``)."""
        if self.scope:
            return self.scope
        labels = [point_label(p) for p in self.points_for(thorough)]
        return "the points " + "; ".join(labels) if any(labels) else "no parameters"


@dataclass(frozen=True)
class Mutant:
    """A deliberately false variant of a theorem's claim, with the reason it is false."""

    name: str
    reason: str
    claim: Any


@dataclass(frozen=True)
class Theorem:
    """A result to verify (``kind="claim"``), to explore (``"exploratory"``), or a published
    statement documented as false (``"refutation"``, with ``corrected_by`` naming the verified
    corrected entry).

    ``parts`` are the conjuncts of ``statement`` as the source states them; each counting check
    names the parts it supports, and the entry is as strong as its weakest part
    (:func:`clverify.proofs_check.runner.theorem_status`).  ``uses`` lists the ids of the
    entries whose statements the checks' arguments rely on (the edges of the dependency graph).
    """

    id: str
    source: str
    statement: str
    claim: Any
    checks: tuple[Check, ...]
    mutants: tuple[Mutant, ...] = ()
    kind: str = "claim"
    reproduce: str = ""
    corrected_by: str = ""
    parts: tuple[Part, ...] = ()
    uses: tuple[str, ...] = ()

    def __post_init__(self):
        if not _ID.match(self.id):
            raise ValueError(f"theorem id must look like 'paper.name' (snake_case), got {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if (self.kind == "refutation") != bool(self.corrected_by):
            raise ValueError(f"{self.id}: a refutation, and only a refutation, names the entry "
                             f"that corrects it (corrected_by)")
        names = [c.name for c in self.checks]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.id}: check names must be unique, got {names}")
        self._check_parts()
        bad = [u for u in self.uses if not _ID.match(u) or u == self.id]
        if bad:
            raise ValueError(f"{self.id}: uses must name other entries' ids, got {bad}")

    def _check_parts(self):
        declared = [p.name for p in self.parts]
        if len(declared) != len(set(declared)):
            raise ValueError(f"{self.id}: part names must be unique, got {declared}")
        if not declared and self.kind != "exploratory":
            raise ValueError(f"{self.id}: a {self.kind} states at least one part (parts=)")
        for check in self.checks:
            unknown = [p for p in check.parts if p not in declared]
            if unknown:
                raise ValueError(f"{self.id}: check {check.name!r} supports unknown part(s) {unknown} "
                                 f"(parts: {declared})")
            if check.counts and declared and not check.parts:
                raise ValueError(f"{self.id}: check {check.name!r} must name the part(s) it supports")

    def covers(self, check: Check) -> tuple[str, ...]:
        """The names of the parts ``check`` supports (none for a consistency check)."""
        return check.parts if check.counts else ()

    @property
    def hypothesis_texts(self) -> dict[str, str]:
        """The claim's hypotheses as text (relations printed, words as given)."""
        hypotheses = self.claim.hypotheses if isinstance(self.claim, Claim) else {}
        return {k: str(v) for k, v in hypotheses.items()}

    @property
    def paper(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def levels(self) -> tuple[str, ...]:
        """The evidence levels of the checks that count, strongest first."""
        used = {c.level for c in self.checks if c.counts}
        return tuple(level for level in LEVELS if level in used)

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


def load_theorems(path) -> list[Theorem]:
    """The ``THEOREMS`` list of a Python file of one's own (it runs as Python code, as an import
    would), each entry registered (:func:`register`); a file that cannot be used is one line.

    >>> load_theorems("no_such_file.py")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: theorems must be an existing Python file (.py), got 'no_such_file.py'
    """
    from clverify.theory.loss_files import run_file

    module = run_file(path, "theorems", InvalidParameterError)
    found = getattr(module, "THEOREMS", None)
    if not isinstance(found, (list, tuple)) or not found or not all(isinstance(t, Theorem) for t in found):
        raise InvalidParameterError(
            f"theorems file {path} must define THEOREMS, a non-empty list of "
            f"clverify.proofs_check.registry.Theorem entries")
    for thm in found:
        try:
            register(thm)
        except ValueError as exc:
            raise InvalidParameterError(f"theorems file {path}: {exc}") from None
    return list(found)


def _modules():
    package = importlib.import_module(_BUILTIN_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        name = f"{_BUILTIN_PACKAGE}.{info.name}"
        yield name, importlib.import_module(name)


def _all() -> dict[str, Theorem]:
    found: dict[str, Theorem] = {}
    for name, module in _modules():
        for thm in getattr(module, "THEOREMS", ()):
            if thm.id in found:
                raise ValueError(f"duplicate theorem id {thm.id!r} in {name}")
            found[thm.id] = thm
    found.update(_EXTRA)
    return found


def aliases() -> dict[str, tuple[str, str]]:
    """Retired ids: ``old id -> (current id, date retired)`` from the modules' ``ALIASES``.

    An id never changes meaning: a retired id stays resolvable, and ``check`` says which
    entry now holds its claim.
    """
    table: dict[str, tuple[str, str]] = {}
    for _, module in _modules():
        table.update(getattr(module, "ALIASES", {}))
    return table


def theorems(only: tuple[str, ...] = (), papers: tuple[str, ...] = ()) -> list[Theorem]:
    """Registered theorems, the papers' first and ours (``ext.*``) last, each sorted by id;
    optionally restricted to ids or papers."""
    table = _all()
    retired = aliases()
    only = tuple(dict.fromkeys(retired[i][0] if i in retired else i for i in only))
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
    """``level:name[point]`` (no brackets for the empty point): item names and messages."""
    label = point_label(point)
    return f"{check.level}:{check.name}" + (f"[{label}]" if label else "")
