"""Certificates of the registry's certified checks that have certifiable numbers.

Each exported check has a writer that takes the theorem's claim and the check's parameter
points, runs the same search as the check (:mod:`clverify.numerics.precision.boxes` and
:mod:`clverify.numerics.precision.thresholds`; within one process the covering boxes are
computed once and shared with the check) and returns a table certificate named
``<theorem id>.<check name>``:

* ``lee2024.thm2`` / ``thresholds_are_certified_roots_of_general_condition``: the thresholds
  as roots of the general conditions, with the *claimed* closed forms inside;
* ``ext.sigmoid_phase_tb`` / ``boundaries_certified_roots``: the phase boundaries likewise;
* ``lee2024.thm1`` / ``family_contains_certified_optimum``: the optimal CCEM at its points;
* ``lee2024.convexity`` / ``second_derivative_positive_on_boxes``: the covering boxes on which
  :math:`\\ell''(x) > 0`;
* ``lee2024.monotone_t_eq_b`` / ``derivative_sign_on_covering_boxes``: the covering boxes on
  which :math:`x^*(t)` increases along :math:`t = b`.

The other certified checks compute their points inside their code (regimes at random or
perturbed points, grids along t, a gradient-descent comparison): ``clverify certify optimum``
certifies any such point.

:func:`certificate_kinds` gives the canonical header of every kind the package writes (these
five and the table commands' ``thresholds``, ``phase``, ``optimum``): the checker pins them,
from ``clverify/recheck_kinds.json`` (:func:`write_kinds`; ``python -m
clverify.proofs_check.certificates`` rewrites it after a change of a claim or an expression).

>>> sorted(WRITERS)[0]
('ext.sigmoid_phase_tb', 'boundaries_certified_roots')
>>> sorted(certificate_kinds())[:2]
['ext.sigmoid_phase_tb.boundaries_certified_roots', 'lee2024.convexity.second_derivative_positive_on_boxes']
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import sympy as sp

import clverify
from clverify.numerics.precision.boxes import box_region, monotone_cover, positive_cover
from clverify.numerics.precision.certificates import (
    Certificate,
    monotone_cover_certificate,
    optimum_certificate,
    phase_certificate,
    positive_cover_certificate,
    table_certificates,
    threshold_certificate,
)
from clverify.theory import derivation as D

from .registry import Check, H, Theorem, theorems

__all__ = ["WRITERS", "registry_certificates", "certificate_kinds", "write_kinds", "KINDS_PATH",
           "KINDS_FORMAT", "THRESHOLD_DIGITS", "MONOTONE_DIGITS", "CONVEXITY_DIGITS"]

#: Digits of the threshold, phase and optimum certificates (as the checks').
THRESHOLD_DIGITS = 40
#: Digits of the monotonicity covers (as ``lee2024.monotone_t_eq_b``'s check: shared cache).
MONOTONE_DIGITS = 30
#: Digits of the convexity covers (``positive_cover``'s default, as ``lee2024.convexity``'s check: shared cache).
CONVEXITY_DIGITS = 20
#: The checker's canonical headers (shipped beside :mod:`clverify.recheck`) and their format.
KINDS_PATH = Path(clverify.__file__).with_name("recheck_kinds.json")
KINDS_FORMAT = "clverify-certificate-kinds/1"


def _sizes(points) -> list[int]:
    """Every N of the points: an int, or ``"lo:hi"`` (inclusive)."""
    sizes = set()
    for point in points:
        n = point["N"]
        lo, hi = (int(v) for v in n.split(":")) if isinstance(n, str) else (n, n)
        sizes.update(range(lo, hi + 1))
    return sorted(sizes)


def _thresholds(theorem: Theorem, check: Check, points, kind: str) -> Certificate:
    closed = {"t_etf": theorem.claim.t_E, "t_antipodal": theorem.claim.t_A}
    return threshold_certificate(_sizes(points), THRESHOLD_DIGITS, closed_forms=closed, kind=kind)


def _phase(theorem: Theorem, check: Check, points, kind: str) -> Certificate:
    closed = {"b_etf": theorem.claim.b_E, "b_antipodal": theorem.claim.b_A}
    pairs = [(p["N"], p["t"]) for p in points]
    return phase_certificate(pairs, THRESHOLD_DIGITS, closed_forms=closed, kind=kind)


def _optimum(theorem: Theorem, check: Check, points, kind: str) -> Certificate:
    return optimum_certificate([(p["N"], p["t"], p["b"]) for p in points], THRESHOLD_DIGITS, kind=kind)


def _convexity(theorem: Theorem, check: Check, points, kind: str) -> Certificate:
    if theorem.claim.variable != "x":
        raise ValueError(f"{theorem.id}: only convexity in x has a certificate, got {theorem.claim.variable!r}")
    covers = [positive_cover(D.ccem_loss_dx2(), p["N"], box_region(x=(0, 1), t=p["t"], b=p["b"]))
              for p in points]
    claim = ("For each row: the fraction f (l''(x) of the CCEM loss, with N = n + 3 expanded in its "
             "numerator) is > 0 on every leaf box of the tree over the region x in [0, 1] (every row's), "
             "t in [t_lo, t_hi] and b in [b_lo, b_hi] (the row's) at the row's N: l(x) is strictly convex "
             "in x there.")
    return positive_cover_certificate(covers, D.ccem_loss_dx2(), kind, claim, ("x", "t", "b"), {"x": (0, 1)},
                                      CONVEXITY_DIGITS)


def _monotone(theorem: Theorem, check: Check, points, kind: str) -> Certificate:
    if theorem.claim.b != sp.Eq(H.b, H.t):
        raise ValueError(f"{theorem.id}: covering boxes are built for the path b = t, not {theorem.claim.b}")
    covers = [monotone_cover(p["N"], p["boxes"], -theorem.claim.direction, MONOTONE_DIGITS) for p in points]
    return monotone_cover_certificate(covers, kind, MONOTONE_DIGITS)


#: (theorem id, check name) -> writer(theorem, check, points, kind).
WRITERS: dict[tuple[str, str], Callable] = {
    ("lee2024.thm2", "thresholds_are_certified_roots_of_general_condition"): _thresholds,
    ("ext.sigmoid_phase_tb", "boundaries_certified_roots"): _phase,
    ("lee2024.thm1", "family_contains_certified_optimum"): _optimum,
    ("lee2024.convexity", "second_derivative_positive_on_boxes"): _convexity,
    ("lee2024.monotone_t_eq_b", "derivative_sign_on_covering_boxes"): _monotone,
}


def registry_certificates(thorough: bool = False) -> list[Certificate]:
    """The certificates of every exported check, at its points (``thorough``: with its thorough
    points too)."""
    return [writer(theorem, check, check.points_for(thorough), f"{theorem.id}.{check.name}")
            for writer, theorem, check in _registry_writers()]


def _registry_writers():
    """``(writer, theorem, check)`` of every exported check."""
    for theorem in theorems():
        for check in theorem.checks:
            writer = WRITERS.get((theorem.id, check.name))
            if writer is not None:
                yield writer, theorem, check


def certificate_kinds() -> dict:
    """Kind -> canonical header (:meth:`Certificate.canonical`) of every certificate the
    package writes: the table commands' and the registry's (headers only, no search)."""
    headers = table_certificates() + [writer(theorem, check, [], f"{theorem.id}.{check.name}")
                                      for writer, theorem, check in _registry_writers()]
    return {cert.kind: cert.canonical() for cert in headers}


def write_kinds(path: Path = KINDS_PATH) -> Path:
    """Write the checker's kinds file (review the diff: it is what a recheck pins)."""
    text = json.dumps({"format": KINDS_FORMAT, "kinds": certificate_kinds()}, indent=1, sort_keys=True)
    Path(path).write_text(text + "\n")
    return Path(path)


if __name__ == "__main__":  # python -m clverify.proofs_check.certificates [PATH]
    print(write_kinds(*(Path(a) for a in sys.argv[1:2])))
