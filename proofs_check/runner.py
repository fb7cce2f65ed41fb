r"""Run registry entries: checks at their points, and mutants against the same checks.

Statuses of a theorem: ``verified`` (every check passed), ``refuted`` (a check
failed: its message is the counterexample), ``inconclusive`` (no failure, but a
check could not conclude), ``exploratory`` (an entry that records evidence and
claims nothing).  A mutant is *refuted* when at least one check fails on it.

>>> from clverify.proofs_check.registry import Check, Mutant, Theorem
>>> even = Check("is_even", "symbolic", lambda c, p, e: None if c % 2 == 0 else f"{c} is odd")
>>> thm = Theorem(id="demo.four_is_even", source="reconstructed", statement="4 even",
...               claim=4, checks=(even,), mutants=(Mutant("three", "3 is odd", 3),))
>>> r = run_theorem(thm, mutants=True)
>>> r.status, r.mutants_total, r.mutants_refuted
('verified', 1, 1)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .registry import Check, Inconclusive, Mutant, Theorem, check_label, point_label

__all__ = ["CheckOutcome", "TheoremResult", "run_check", "mutant_refutation", "run_theorem"]


@dataclass(frozen=True)
class CheckOutcome:
    """What one check said at one point: ``status`` is 'pass', 'fail' or 'inconclusive'."""

    check: str
    method: str
    point: str
    status: str
    message: str
    evidence: dict
    seconds: float


@dataclass
class TheoremResult:
    """A theorem's verdict with everything the report prints."""

    id: str
    source: str
    status: str
    methods: tuple[str, ...]
    outcomes: list[CheckOutcome]
    mutants_total: int
    mutants_refuted: int | None
    surviving_mutants: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def evidence(self) -> list[dict]:
        """Per check and point: its evidence, and the message of any failure."""
        rows = []
        for o in self.outcomes:
            row = {"check": f"{o.method}:{o.check}", "point": o.point, "status": o.status, **o.evidence}
            if o.message:
                row["message"] = o.message
            rows.append(row)
        return rows

    @property
    def failed(self) -> bool:
        """Whether this result should make a run fail (a refutation or a surviving mutant)."""
        return self.status == "refuted" or bool(self.surviving_mutants)


def run_check(check: Check, claim: Any, point: Mapping) -> CheckOutcome:
    """Run ``check`` on ``claim`` at ``point``; exceptions other than Inconclusive propagate."""
    evidence: dict = {}
    start = time.perf_counter()
    try:
        message = check.run(claim, point, evidence)
        status = "pass" if message is None else "fail"
    except Inconclusive as exc:
        message, status = str(exc), "inconclusive"
    return CheckOutcome(check.name, check.method, point_label(point), status, message or "",
                        evidence, time.perf_counter() - start)


def mutant_refutation(theorem: Theorem, mutant: Mutant, thorough: bool = False) -> str | None:
    """The first failure the theorem's checks find on ``mutant`` (``None``: the mutant survives)."""
    for check in theorem.checks:
        for point in check.points_for(thorough):
            outcome = run_check(check, mutant.claim, point)
            if outcome.status == "fail":
                return f"{check_label(check, point)}: {outcome.message}"
    return None


def run_theorem(theorem: Theorem, *, mutants: bool = False, thorough: bool = False) -> TheoremResult:
    """All checks of ``theorem`` at all their points, and optionally its mutants."""
    start = time.perf_counter()
    outcomes = [run_check(c, theorem.claim, p) for c in theorem.checks for p in c.points_for(thorough)]
    statuses = {o.status for o in outcomes}
    if theorem.kind == "exploratory":
        status = "exploratory"
    elif "fail" in statuses:
        status = "refuted"
    elif "inconclusive" in statuses:
        status = "inconclusive"
    else:
        status = "verified"
    surviving: list[str] = []
    refuted = None
    if mutants:
        surviving = [m.name for m in theorem.mutants if mutant_refutation(theorem, m, thorough) is None]
        refuted = len(theorem.mutants) - len(surviving)
    return TheoremResult(theorem.id, theorem.source, status, theorem.methods, outcomes,
                         len(theorem.mutants), refuted, surviving, time.perf_counter() - start)
