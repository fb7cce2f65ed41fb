r"""Koromilas et al. (ICML 2024): kernel contrastive learning (KCL): its minimisers on the simplex
(M <= d + 1) and the cross-polytope (M = 2d), and its batch-size independence.

Reconstructed statements, as in :mod:`clverify.proofs_check.theorems.koromilas2024` (which holds the
shared helpers and the conventions: ``M`` pairs on :math:`S^{d-1}`, losses normalised by ``1/M``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import sympy as sp

from clverify.proofs_check import koromilas_checks as K
from clverify.theory import minima
from clverify.theory.errors import InvalidParameterError
from clverify.theory.losses import LOSSES
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams
from clverify.theory.structures import Antipodal, CrossPolytope, SimplexETF

from ..registry import Check, Inconclusive, Mutant, Theorem
from .koromilas2024 import (
    _AT,
    _SOURCE,
    _WITNESS_TOL,
    M,
    _claimed_vs_explicit,
    _gd_against,
    _params,
    _rational_sphere,
    _zero,
    gamma,
    t,
)

#: Restarts of GD for KCL (it has spurious local minima).
_KCL_RESTARTS = 10
#: Fixed set size of the exact sub-batch averages (all sub-batches of sizes 2..n).
_BATCH_SET = 5


# --- KCL: simplex (M <= d + 1) and cross-polytope (M = 2d) -----------------------------------

class KernelMinimum(NamedTuple):
    """The claimed Gaussian-KCL minimiser ``structure(M, d)`` and minimum ``value`` (in M, gamma, t)."""

    structure: Callable[[int, int], Any]
    value: Any


def _kcl_value_derived(derive):
    def check(claim, point, evidence):
        derived = minima.closed_form(derive("kcl"))
        evidence["derived"] = str(derived)
        return None if _zero(claim.value - derived, _AT) else (
            f"kcl: claimed minimum {claim.value}, derived value on the structure {derived}")
    check.__doc__ = f"The claimed value equals the loss SymPy derives on the structure ({derive.__name__})."
    return check


def _kcl_point(point):
    d = point["d"]
    return (2 * d if point.get("M") is None else point["M"]), d, _params(point, ("gamma", "t"))


def _claimed_shape(claim, m, d):
    """The claimed minimiser at ``(M, d)``, or a message saying it does not exist there."""
    try:
        return claim.structure(m, d), None
    except InvalidParameterError as exc:
        return None, f"the claimed minimiser does not exist at M={m}, d={d}: {exc}"


def _kcl_value_explicit(claim, point, evidence):
    """The claimed value equals Gaussian KCL on the exact structure vectors (40 digits)."""
    m, d, params = _kcl_point(point)
    shape, missing = _claimed_shape(claim, m, d)
    return missing or _claimed_vs_explicit(claim.value, "kcl", m, shape, params, evidence,
                                           f"kcl (M={m}, d={d}, {params})")


def _kcl_gd(claim, point, evidence):
    """GD on Gaussian KCL finds the claimed structure at the claimed minimum (best of many
    restarts: KCL has spurious local minima, reported as Inconclusive)."""
    m, d, params = _kcl_point(point)
    shape, missing = _claimed_shape(claim, m, d)
    return missing or _gd_against(shape, "kcl", {**point, "M": m}, params, evidence,
                                  point.get("restarts", _KCL_RESTARTS), value=claim.value)


_KCL_SIMPLEX_VALUE = -2 + 2 * gamma * sp.exp(-2 * t * M / (M - 1))   # |w_i - w_j|^2 = 2M/(M-1)

KCL_SIMPLEX = Theorem(
    id="koromilas2024.kcl_simplex",
    source=_SOURCE.format("KCL minimisers for M <= d + 1"),
    statement=r"1 < M \le d + 1,\ K(x, y) = e^{-t|x-y|^2}:\ \arg\min L_{\mathrm{KCL}} = "
              r"\{u_i = v_i = w_i \text{ a simplex ETF}\},\ "
              r"\min L_{\mathrm{KCL}} = -2 + 2\gamma e^{-2tM/(M-1)}",
    hypotheses={"M": "integer, 1 < M <= d + 1", "gamma": "> 0 (code default 16)", "t": "> 0 (default 2)",
                "kernel": "Gaussian"},
    claim=KernelMinimum(SimplexETF, _KCL_SIMPLEX_VALUE),
    checks=(
        Check("equals_derived_simplex_value", "proof", _kcl_value_derived(minima.simplex_value),
              scope="the loss on the simplex for every M >= 2, gamma, t > 0 (symbolic)"),
        Check("equals_loss_on_exact_simplex_vectors", "numerical", _kcl_value_explicit,
              points=({"M": 4, "d": 3, "gamma": 16, "t": 2}, {"M": 3, "d": 5, "gamma": "0.5", "t": "1.5"}),
              scope="(M, d, gamma, t) in {(4, 3, 16, 2), (3, 5, 0.5, 1.5)}, exact vectors, 40 digits"),
        Check("gd_minimiser_is_the_structure", "empirical", _kcl_gd,
              points=({"M": 3, "d": 2, "gamma": 16, "t": 2}, {"M": 4, "d": 3, "gamma": 16, "t": 2}),
              thorough_points=({"M": 5, "d": 4, "gamma": 16, "t": 2, "restarts": 30},
                               {"M": 4, "d": 3, "gamma": 4, "t": 1}, {"M": 6, "d": 8, "gamma": 16, "t": 2,
                                                                       "restarts": 30}),
              scope="(M, d) in {(3, 2), (4, 3)}, gamma = 16, t = 2, 10 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("orthogonal_distances", "|x - y|^2 = 2 holds for orthonormal points, not for the simplex",
               KernelMinimum(SimplexETF, -2 + 2 * gamma * sp.exp(-2 * t))),
        Mutant("antipodal_views", "collapsed, anti-aligned views maximise both KCL terms",
               KernelMinimum(Antipodal, _KCL_SIMPLEX_VALUE)),
    ),
)

_KCL_CROSS_VALUE = -2 + 2 * gamma * (sp.exp(-4 * t) + (M - 2) * sp.exp(-2 * t)) / (M - 1)

KCL_CROSS_POLYTOPE = Theorem(
    id="koromilas2024.kcl_cross_polytope",
    source=_SOURCE.format("KCL minimisers for M = 2d"),
    statement=r"M = 2d,\ K(x, y) = e^{-t|x-y|^2}:\ "
              r"\arg\min L_{\mathrm{KCL}} = \{u_i = v_i \in \{\pm e_k\}\},\ "
              r"\min L_{\mathrm{KCL}} = -2 + 2\gamma\,\frac{e^{-4t} + (M-2)e^{-2t}}{M-1}",
    hypotheses={"d": "integer >= 2", "M": "= 2d", "gamma": "> 0 (default 16)", "t": "> 0 (default 2)",
                "kernel": "Gaussian"},
    claim=KernelMinimum(CrossPolytope, _KCL_CROSS_VALUE),
    checks=(
        Check("equals_derived_cross_polytope_value", "proof",
              _kcl_value_derived(minima.cross_polytope_value),
              scope="the loss on the cross-polytope for every even M, gamma, t > 0 (symbolic)"),
        Check("equals_loss_on_exact_cross_polytope_vectors", "numerical", _kcl_value_explicit,
              points=({"d": 2, "gamma": 16, "t": 2}, {"d": 4, "gamma": "0.5", "t": "1.5"}),
              scope="(d, gamma, t) in {(2, 16, 2), (4, 0.5, 1.5)}, exact vectors, 40 digits"),
        Check("gd_minimiser_is_the_structure", "empirical", _kcl_gd,
              points=({"d": 2, "gamma": 16, "t": 2}, {"d": 3, "gamma": 16, "t": 2}),
              thorough_points=({"d": 4, "gamma": 16, "t": 2, "restarts": 20},),
              scope="d in {2, 3}, M = 2d, gamma = 16, t = 2, 10 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("simplex_value", "the simplex value needs d >= M - 1; 2d points in R^d cannot reach it",
               KernelMinimum(CrossPolytope, _KCL_SIMPLEX_VALUE)),
        Mutant("antipodal_views", "collapsed, anti-aligned views maximise both KCL terms",
               KernelMinimum(Antipodal, _KCL_CROSS_VALUE)),
    ),
)


# --- KCL's expected loss does not depend on the batch size -----------------------------------
# claim: loss -> whether the average of its batch loss over all size-M sub-batches of a fixed
# set is the same for every M.

def _subset_averages(loss: str, uv, uu, vv) -> dict:
    """Size -> the average of ``loss`` over all sub-batches of that size (exact SymPy)."""
    loss, params = LOSSES[loss], minima.parameter_symbols(loss)
    n, out = uv.rows, {}
    for m in range(2, n + 1):
        subsets = [list(c) for c in itertools.combinations(range(n), m)]
        total = sum(loss(Grams(*(ExplicitSimilarity(S.extract(c, c)) for S in (uv, uu, vv))), SYMPY_OPS, **params)
                    for c in subsets)
        out[m] = total / len(subsets)
    return out


def _generic_grams(n: int):
    """``uv`` with one symbol per entry; symmetric ``uu``, ``vv`` with unit diagonal."""
    def symmetric(name):
        return sp.Matrix(n, n, lambda i, j: 1 if i == j else sp.Symbol(f"{name}{min(i, j)}_{max(i, j)}"))

    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"a{i}_{j}")), symmetric("b"), symmetric("c")


def _batch_symbolic(claim, point, evidence):
    """Exact sub-batch averages for a generic similarity matrix (one symbol per entry): equal
    for every size iff the batch loss is a U-statistic; a dependence is shown on exact
    rational unit vectors at 30 digits."""
    loss, n = point["loss"], _BATCH_SET
    averages = _subset_averages(loss, *_generic_grams(n))
    independent = all(sp.expand(averages[m] - averages[n]) == 0 for m in averages)
    if not independent:   # a witness on exact rational unit vectors
        U, V = _rational_sphere(n), _rational_sphere(n, shift=1)
        exact = _subset_averages(loss, U * V.T, U * U.T, V * V.T)
        gaps = [abs(sp.N((exact[m] - exact[n]).subs(_AT), 30)) for m in exact]
        if max(gaps) <= _WITNESS_TOL:
            raise Inconclusive(f"{loss}: averages not identical symbolically, yet equal at a rational point")
        evidence["max_gap_at_witness"] = float(max(gaps))
    evidence["independent"] = independent
    if independent != claim[loss]:
        return (f"{loss}: the average batch loss over all sub-batches of {n} pairs "
                f"{'does not depend' if independent else 'depends'} on the batch size "
                f"(claimed {'independent' if claim[loss] else 'dependent'})")
    return None


def _batch_random(claim, point, evidence):
    """Float64 sub-batch averages on seeded random pairs (``K.kcl_batch_independence``)."""
    return K.kcl_batch_independence(point["loss"], n=point["n"], d=point["d"], seed=point["seed"],
                                    claimed_independent=claim[point["loss"]])


_BATCH_CLAIM = {"kcl": True, "kcl-log": True, "kcl-imq": True, "infonce": False}

KCL_BATCH_INDEPENDENCE = Theorem(
    id="koromilas2024.kcl_batch_independence",
    source=_SOURCE.format("KCL batch-size independence"),
    statement=r"\mathbb E_{B \subset S, |B| = M} L_{\mathrm{KCL}}(B) \text{ does not depend on } M "
              r"\text{ (U-statistics)};\ \text{for InfoNCE it does}",
    hypotheses={"M": "2 <= M <= |S|", "kernel": "any (checked: Gaussian, log, IMQ)"},
    claim=_BATCH_CLAIM,
    checks=(
        Check("exact_subset_averages", "proof", _batch_symbolic,
              points=tuple({"loss": loss} for loss in _BATCH_CLAIM),
              scope="a set of 5 pairs with generic similarities (one symbol per entry), batch sizes 2..5"),
        Check("subset_averages_on_random_pairs", "empirical", _batch_random,
              points=tuple({"loss": loss, "n": 6, "d": 3, "seed": 0} for loss in _BATCH_CLAIM),
              thorough_points=tuple({"loss": loss, "n": 9, "d": 4, "seed": 1} for loss in _BATCH_CLAIM),
              scope="6 seeded random pairs in d = 3, float64, every sub-batch"),
    ),
    mutants=(
        Mutant("kcl_depends_on_M", "KCL's batch terms are means over pairs: unbiased at every M",
               {**_BATCH_CLAIM, "kcl": False}),
        Mutant("infonce_independent", "log of a sum over the batch: its expectation grows with M",
               {**_BATCH_CLAIM, "infonce": True}),
    ),
)

THEOREMS = [KCL_SIMPLEX, KCL_CROSS_POLYTOPE, KCL_BATCH_INDEPENDENCE]
