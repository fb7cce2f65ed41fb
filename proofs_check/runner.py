r"""Run registry entries: checks at their points, and mutants against the same checks.

An entry is as strong as its weakest part.  Each part of a statement (:class:`Part`) gets a
status and a level from the counting checks that name it (:func:`part_result`):

* ``refuted``: one of them failed (its message is the counterexample);
* ``inconclusive``: none failed, but one could not conclude;
* ``unchecked``: no counting check names the part;
* ``proved``: all passed, and one of them is a ``proof`` or ``certified`` check whose scope is
  the whole hypothesis domain (``Check.whole_domain``);
* ``verified``: all passed, on the scopes they state.

Its level is the strongest level among its passing checks (among the whole-domain ones when
``proved``), with their scopes.  The entry's status follows from its parts
(:func:`theorem_status`): ``refuted`` if a part is refuted; ``inconclusive`` if a part is
inconclusive or unchecked, a consistency check did not pass, or no part is stated;
``proved`` only when every part is proved; otherwise ``verified``; an exploratory entry is
``exploratory``.  Its level is the weakest of its parts' levels (:func:`theorem_level`).

A mutant is *refuted* when at least one counting check **fails** on it; an inconclusive
check refutes nothing, and a consistency check is not run against mutants at all.  An entry of
kind ``refutation`` (a published statement documented as false) is expected to be refuted.

A result *fails the run* (:attr:`TheoremResult.failed`; ``clverify check`` exits 1, the pytest
items fail) when it is not what its entry states: a claim that is not ``proved`` or
``verified`` (refuted, or inconclusive: the run could not back it), an exploration or a
documented refutation with a check that did not run as recorded (any non-pass outcome, the
refuting failure of a refutation aside), a refutation that no longer reproduces, or a
surviving mutant.

>>> from clverify.proofs_check.registry import Check, Claim, Mutant, Part, Theorem
>>> even = Check("is_even", "proof", lambda c, p, e: None if c.n % 2 == 0 else f"{c.n} is odd",
...              parts=("parity",), scope="the integer claimed", whole_domain=True)
>>> claim = Claim({"n": 4})
>>> thm = Theorem(id="demo.four_is_even", source="reconstructed", statement="4 even",
...               parts=(Part("parity", "4 is even"),), claim=claim, checks=(even,),
...               mutants=(Mutant("three", "3 is odd", claim.vary(n=3)),))
>>> r = run_theorem(thm, mutants=True)
>>> r.status, r.level, r.mutants_total, r.mutants_refuted
('proved', 'proof', 1, 1)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .registry import LEVELS, Check, Inconclusive, Mutant, Part, Theorem, check_label, point_label

__all__ = ["STATUSES", "PART_STATUSES", "RESERVED_EVIDENCE_KEYS", "CheckOutcome", "PartResult",
           "TheoremResult", "run_check", "part_result", "theorem_status", "theorem_level",
           "strongest_level", "mutant_refutation", "run_theorem"]

#: Every status a theorem can have.
STATUSES = ("proved", "verified", "refuted", "inconclusive", "exploratory")
#: Every status a part of a statement can have.
PART_STATUSES = ("proved", "verified", "refuted", "inconclusive", "unchecked")


@dataclass(frozen=True)
class CheckOutcome:
    """What one check said at one point: ``status`` is 'pass', 'fail' or 'inconclusive'."""

    check: str
    level: str
    scope: str
    counts: bool
    whole_domain: bool
    point: str
    status: str
    message: str
    evidence: dict
    seconds: float
    parts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``level:check[point]`` (no brackets without parameters), as item names."""
        return f"{self.level}:{self.check}" + (f"[{self.point}]" if self.point else "")


@dataclass(frozen=True)
class PartResult:
    """What the checks showed of one part: its status (one of :data:`PART_STATUSES`), its
    level with the scopes of the passing checks at that level, and the labels
    (``level:name``) of the counting checks that name it."""

    name: str
    statement: str
    status: str
    level: str | None
    scope: tuple[str, ...]
    checks: tuple[str, ...]


@dataclass
class TheoremResult:
    """A theorem's verdict with everything the report prints.

    ``level``: the weakest of the parts' levels (None if a part has none); ``parts``: one
    :class:`PartResult` per part of the statement; ``refuted_by``: each refuted mutant's name ->
    the failure that refuted it (when mutants were run).
    """

    id: str
    source: str
    kind: str
    status: str
    level: str | None
    parts: list[PartResult]
    outcomes: list[CheckOutcome]
    mutants_total: int
    mutants_refuted: int | None
    surviving_mutants: list[str]
    seconds: float
    refuted_by: dict[str, str] = field(default_factory=dict)

    @property
    def evidence(self) -> list[dict]:
        """Per check and point: level, scope, the parts it bears on, status, its evidence, and
        any message."""
        rows = []
        for o in self.outcomes:
            row = {"check": f"{o.level}:{o.check}", "level": o.level, "scope": o.scope,
                   "counts": o.counts, "parts": list(o.parts), "point": o.point, "status": o.status,
                   **o.evidence}
            if o.message:
                row["message"] = o.message
            rows.append(row)
        return rows

    @property
    def unexpected(self) -> list[CheckOutcome]:
        """The outcomes that are not as the entry states: every one but a pass, except the
        failures of counting checks in a documented refutation (they are the refutation)."""
        refuting = self.kind == "refutation"
        return [o for o in self.outcomes
                if o.status != "pass" and not (refuting and o.counts and o.status == "fail")]

    @property
    def failed(self) -> bool:
        """Whether this result fails the run (rules in the module docstring)."""
        expected = {"claim": ("proved", "verified"), "refutation": ("refuted",),
                    "exploratory": ("exploratory",)}[self.kind]
        return bool(self.surviving_mutants or self.unexpected) or self.status not in expected


#: Keys of a report's evidence row that a check's own evidence may not use.
RESERVED_EVIDENCE_KEYS = frozenset({"check", "level", "scope", "counts", "parts", "point", "status",
                                    "message"})


def run_check(check: Check, claim: Any, point: Mapping, thorough: bool = False, *,
              parts: tuple[str, ...] = ()) -> CheckOutcome:
    """Run ``check`` on ``claim`` at ``point``: 'pass' (it returned None), 'fail' (a message) or
    'inconclusive' (it raised :class:`Inconclusive`); other exceptions propagate (broken code),
    and so does evidence under a reserved key (:data:`RESERVED_EVIDENCE_KEYS`).  ``parts``: the
    parts of the statement the outcome bears on (:meth:`Theorem.covers`)."""
    evidence: dict = {}
    start = time.perf_counter()
    try:
        message = check.run(claim, point, evidence)
        status = "pass" if message is None else "fail"
    except Inconclusive as exc:
        message, status = str(exc), "inconclusive"
    clash = RESERVED_EVIDENCE_KEYS & evidence.keys()
    if clash:
        raise ValueError(f"check {check.name!r} writes the reserved evidence key(s) {sorted(clash)}")
    return CheckOutcome(check.name, check.level, check.scope_for(thorough), check.counts,
                        check.whole_domain, point_label(point), status, message or "", evidence,
                        time.perf_counter() - start, parts)


def part_result(part: Part, outcomes: Sequence[CheckOutcome]) -> PartResult:
    """The status and level of ``part`` from the counting outcomes that name it (rules in the
    module docstring).

    >>> def o(status, level="proof", whole=False):
    ...     return CheckOutcome("c", level, "s", True, whole, "", status, "", {}, 0.0, ("value",))
    >>> value = Part("value", "v = 1")
    >>> r = part_result(value, [o("pass", whole=True), o("pass", "empirical")]); r.status, r.level
    ('proved', 'proof')
    >>> r = part_result(value, [o("pass", "empirical"), o("inconclusive")]); r.status, r.level
    ('inconclusive', 'empirical')
    >>> r = part_result(Part("unique", "u"), [o("pass")]); r.status, r.level
    ('unchecked', None)
    """
    mine = [o for o in outcomes if o.counts and part.name in o.parts]
    statuses = {o.status for o in mine}
    if not mine:
        status = "unchecked"
    elif "fail" in statuses:
        status = "refuted"
    elif statuses != {"pass"}:
        status = "inconclusive"
    elif any(o.whole_domain for o in mine):
        status = "proved"
    else:
        status = "verified"
    level = strongest_level(mine, whole_domain=status == "proved")
    scope = tuple(dict.fromkeys(o.scope for o in mine if o.status == "pass" and o.level == level
                                and (o.whole_domain or status != "proved")))
    checks = tuple(dict.fromkeys(f"{o.level}:{o.check}" for o in mine))
    return PartResult(part.name, part.statement, status, level, scope, checks)


def theorem_status(kind: str, parts: Sequence[PartResult], outcomes: Sequence[CheckOutcome]) -> str:
    """The status of an entry of ``kind`` from its parts (which hold the counting outcomes) and
    its consistency outcomes among ``outcomes`` (rules in the module docstring).

    >>> def p(status):
    ...     return PartResult("p", "", status, "proof", (), ())
    >>> theorem_status("claim", [p("proved"), p("verified")], [])
    'verified'
    >>> theorem_status("claim", [p("proved"), p("unchecked")], [])
    'inconclusive'
    >>> theorem_status("claim", [p("inconclusive"), p("refuted")], [])
    'refuted'
    """
    if kind == "exploratory":
        return "exploratory"
    statuses = {p.status for p in parts}
    if "refuted" in statuses:
        return "refuted"
    if (not parts or statuses & {"inconclusive", "unchecked"}
            or any(o.status != "pass" for o in outcomes if not o.counts)):
        return "inconclusive"
    if statuses == {"proved"}:
        return "proved"
    return "verified"


def theorem_level(parts: Sequence[PartResult]) -> str | None:
    """The weakest of the parts' levels; None if a part has no level (or there is no part).

    >>> def p(level):
    ...     return PartResult("p", "", "verified", level, (), ())
    >>> theorem_level([p("proof"), p("empirical"), p("certified")])
    'empirical'
    >>> theorem_level([p("proof"), p(None)]) is None
    True
    """
    levels = [p.level for p in parts]
    if not levels or None in levels:
        return None
    return max(levels, key=LEVELS.index)


def strongest_level(outcomes: Sequence[CheckOutcome], whole_domain: bool = False) -> str | None:
    """The strongest level among the counting checks that passed (None if none passed); with
    ``whole_domain``, among those whose pass covers the whole domain.

    >>> def o(level, whole=False):
    ...     return CheckOutcome("c", level, "s", True, whole, "", "pass", "", {}, 0.0)
    >>> strongest_level([o("proof"), o("certified", whole=True)], whole_domain=True)
    'certified'
    """
    passed = {o.level for o in outcomes if o.counts and o.status == "pass"
              and (o.whole_domain or not whole_domain)}
    return next((level for level in LEVELS if level in passed), None)


def mutant_refutation(theorem: Theorem, mutant: Mutant, thorough: bool = False) -> str | None:
    """The first failure a counting check of the theorem finds on ``mutant`` (``None``: it
    survives); inconclusive outcomes refute nothing."""
    for check in theorem.checks:
        if not check.counts:
            continue
        for point in check.points_for(thorough):
            outcome = run_check(check, mutant.claim, point, thorough)
            if outcome.status == "fail":
                return f"{check_label(check, point)}: {outcome.message}"
    return None


def run_theorem(theorem: Theorem, *, mutants: bool = False, thorough: bool = False) -> TheoremResult:
    """All checks of ``theorem`` at all their points, and optionally its mutants."""
    start = time.perf_counter()
    outcomes = [run_check(c, theorem.claim, p, thorough, parts=theorem.covers(c)) for c in theorem.checks
                for p in c.points_for(thorough)]
    surviving: list[str] = []
    refuted_by: dict[str, str] = {}
    refuted = None
    if mutants:
        for m in theorem.mutants:
            message = mutant_refutation(theorem, m, thorough)
            if message is None:
                surviving.append(m.name)
            else:
                refuted_by[m.name] = message
        refuted = len(refuted_by)
    parts = [part_result(part, outcomes) for part in theorem.parts]
    return TheoremResult(theorem.id, theorem.source, theorem.kind,
                         theorem_status(theorem.kind, parts, outcomes), theorem_level(parts), parts,
                         outcomes, len(theorem.mutants), refuted, surviving, time.perf_counter() - start,
                         refuted_by)
