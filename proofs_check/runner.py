r"""Run registry entries: checks at their points, and mutants against the same checks.

A theorem's status is computed from its checks' outcomes, levels and scopes
(:func:`theorem_status`), never typed by hand:

* ``refuted``: a counting check failed (its message is the counterexample);
* ``inconclusive``: nothing failed, but a check could not conclude, a consistency check
  failed, or no counting check ran;
* ``proved``: every check passed and one of them is a ``proof`` or ``certified`` check whose
  scope is the whole hypothesis domain (``Check.whole_domain``);
* ``verified``: every check passed, on the scopes they state (the report prints them);
* ``exploratory``: an entry that records evidence and claims nothing.

The ``level`` of a result is the strongest level that covers the whole domain when it is
``proved``, else the strongest level among the counting checks that passed (on the scopes
the result lists).

A mutant is *refuted* when at least one counting check **fails** on it; an inconclusive
check refutes nothing, and a consistency check is not run against mutants at all.  An entry of
kind ``refutation`` (a published statement documented as false) is expected to be refuted.

A result *fails the run* (:attr:`TheoremResult.failed`; ``clverify check`` exits 1, the pytest
items fail) when it is not what its entry states: a claim that is not ``proved`` or
``verified`` (refuted, or inconclusive: the run could not back it), an exploration or a
documented refutation with a check that did not run as recorded (any non-pass outcome, the
refuting failure of a refutation aside), a refutation that no longer reproduces, or a
surviving mutant.

>>> from clverify.proofs_check.registry import Check, Mutant, Theorem
>>> even = Check("is_even", "proof", lambda c, p, e: None if c % 2 == 0 else f"{c} is odd",
...              scope="the integer claimed", whole_domain=True)
>>> thm = Theorem(id="demo.four_is_even", source="reconstructed", statement="4 even",
...               claim=4, checks=(even,), mutants=(Mutant("three", "3 is odd", 3),))
>>> r = run_theorem(thm, mutants=True)
>>> r.status, r.level, r.mutants_total, r.mutants_refuted
('proved', 'proof', 1, 1)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .registry import LEVELS, Check, Inconclusive, Mutant, Theorem, check_label, point_label

__all__ = ["STATUSES", "RESERVED_EVIDENCE_KEYS", "CheckOutcome", "TheoremResult", "run_check",
           "theorem_status", "strongest_level", "mutant_refutation", "run_theorem"]

#: Every status a theorem can have.
STATUSES = ("proved", "verified", "refuted", "inconclusive", "exploratory")


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

    @property
    def label(self) -> str:
        """``level:check[point]`` (no brackets without parameters), as item names."""
        return f"{self.level}:{self.check}" + (f"[{self.point}]" if self.point else "")


@dataclass
class TheoremResult:
    """A theorem's verdict with everything the report prints.

    ``level``: the strongest level over the whole domain if ``proved``, else the strongest
    level among the counting checks that passed (None if none did); ``scope`` maps each level
    reached to the scopes its passing checks cover.
    """

    id: str
    source: str
    kind: str
    status: str
    level: str | None
    scope: dict[str, list[str]]
    outcomes: list[CheckOutcome]
    mutants_total: int
    mutants_refuted: int | None
    surviving_mutants: list[str]
    seconds: float

    @property
    def evidence(self) -> list[dict]:
        """Per check and point: level, scope, status, its evidence, and any message."""
        rows = []
        for o in self.outcomes:
            row = {"check": f"{o.level}:{o.check}", "level": o.level, "scope": o.scope,
                   "counts": o.counts, "point": o.point, "status": o.status, **o.evidence}
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
RESERVED_EVIDENCE_KEYS = frozenset({"check", "level", "scope", "counts", "point", "status", "message"})


def run_check(check: Check, claim: Any, point: Mapping, thorough: bool = False) -> CheckOutcome:
    """Run ``check`` on ``claim`` at ``point``: 'pass' (it returned None), 'fail' (a message) or
    'inconclusive' (it raised :class:`Inconclusive`); other exceptions propagate (broken code),
    and so does evidence under a reserved key (:data:`RESERVED_EVIDENCE_KEYS`)."""
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
                        time.perf_counter() - start)


def theorem_status(kind: str, outcomes: Sequence[CheckOutcome]) -> str:
    """The status of an entry of ``kind`` with these outcomes (rules in the module docstring).

    >>> def o(status, counts=True, whole=False):
    ...     return CheckOutcome("c", "proof", "s", counts, whole, "", status, "", {}, 0.0)
    >>> theorem_status("claim", [o("pass", whole=True), o("pass")])
    'proved'
    >>> theorem_status("claim", [o("pass"), o("inconclusive")])
    'inconclusive'
    >>> theorem_status("claim", [o("pass", whole=True), o("fail", counts=False)])
    'inconclusive'
    """
    if kind == "exploratory":
        return "exploratory"
    counting = [o for o in outcomes if o.counts]
    if any(o.status == "fail" for o in counting):
        return "refuted"
    if not counting or any(o.status != "pass" for o in outcomes):
        return "inconclusive"
    if any(o.whole_domain for o in counting):
        return "proved"
    return "verified"


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


def _scopes(outcomes: Sequence[CheckOutcome]) -> dict[str, list[str]]:
    """Level -> the distinct scopes of the counting checks that passed at that level."""
    table: dict[str, list[str]] = {}
    for o in outcomes:
        if o.counts and o.status == "pass" and o.scope not in table.setdefault(o.level, []):
            table[o.level].append(o.scope)
    return {level: table[level] for level in LEVELS if level in table}


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
    outcomes = [run_check(c, theorem.claim, p, thorough) for c in theorem.checks
                for p in c.points_for(thorough)]
    surviving: list[str] = []
    refuted = None
    if mutants:
        surviving = [m.name for m in theorem.mutants if mutant_refutation(theorem, m, thorough) is None]
        refuted = len(theorem.mutants) - len(surviving)
    status = theorem_status(theorem.kind, outcomes)
    return TheoremResult(theorem.id, theorem.source, theorem.kind, status,
                         strongest_level(outcomes, whole_domain=status == "proved"), _scopes(outcomes),
                         outcomes, len(theorem.mutants), refuted, surviving, time.perf_counter() - start)
