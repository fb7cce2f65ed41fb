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

>>> sorted(WRITERS)[0]
('ext.sigmoid_phase_tb', 'boundaries_certified_roots')
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from clverify.numerics.precision.boxes import box_region, monotone_cover, positive_cover
from clverify.numerics.precision.certificates import (
    Certificate,
    monotone_cover_certificate,
    optimum_certificate,
    phase_certificate,
    positive_cover_certificate,
    threshold_certificate,
)
from clverify.theory import derivation as D

from .registry import H, Check, Theorem, theorems

__all__ = ["WRITERS", "registry_certificates", "THRESHOLD_DIGITS", "MONOTONE_DIGITS"]

#: Digits of the threshold, phase and optimum certificates (as the checks').
THRESHOLD_DIGITS = 40
#: Digits of the monotonicity covers (as ``lee2024.monotone_t_eq_b``'s check: shared cache).
MONOTONE_DIGITS = 30


def _sizes(points) -> list[int]:
    """Every N of the points: an int, or ``"lo:hi"`` (inclusive)."""
    sizes = set()
    for point in points:
        n = point["N"]
        lo, hi = (int(v) for v in n.split(":")) if isinstance(n, str) else (n, n)
        sizes.update(range(lo, hi + 1))
    return sorted(sizes)


def _thresholds(theorem: Theorem, check: Check, points, table: str) -> Certificate:
    closed = {"t_etf": theorem.claim.t_E, "t_antipodal": theorem.claim.t_A}
    return threshold_certificate(_sizes(points), THRESHOLD_DIGITS, closed_forms=closed, table=table)


def _phase(theorem: Theorem, check: Check, points, table: str) -> Certificate:
    closed = {"b_etf": theorem.claim.b_E, "b_antipodal": theorem.claim.b_A}
    pairs = [(p["N"], p["t"]) for p in points]
    return phase_certificate(pairs, THRESHOLD_DIGITS, closed_forms=closed, table=table)


def _optimum(theorem: Theorem, check: Check, points, table: str) -> Certificate:
    return optimum_certificate([(p["N"], p["t"], p["b"]) for p in points], THRESHOLD_DIGITS, table=table)


def _convexity(theorem: Theorem, check: Check, points, table: str) -> Certificate:
    if theorem.claim.variable != "x":
        raise ValueError(f"{theorem.id}: only convexity in x has a certificate, got {theorem.claim.variable!r}")
    covers = [positive_cover(D.ccem_loss_dx2(), p["N"], box_region(x=(0, 1), t=p["t"], b=p["b"]))
              for p in points]
    claim = ("For each N: the fraction f (l''(x) of the CCEM loss, with N = n + 3 expanded in its "
             "numerator) is > 0 on every leaf box of the tree over the region x in [0, 1] and the "
             "stated t and b intervals: l(x) is strictly convex in x there.")
    return positive_cover_certificate(covers, table, claim)


def _monotone(theorem: Theorem, check: Check, points, table: str) -> Certificate:
    if theorem.claim.b != sp.Eq(H.b, H.t):
        raise ValueError(f"{theorem.id}: covering boxes are built for the path b = t, not {theorem.claim.b}")
    covers = [monotone_cover(p["N"], p["boxes"], -theorem.claim.direction, MONOTONE_DIGITS) for p in points]
    return monotone_cover_certificate(covers, table)


#: (theorem id, check name) -> writer(theorem, check, points, table name).
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
    found = []
    for theorem in theorems():
        for check in theorem.checks:
            writer = WRITERS.get((theorem.id, check.name))
            if writer is not None:
                found.append(writer(theorem, check, check.points_for(thorough),
                                    f"{theorem.id}.{check.name}"))
    return found
