r"""Koromilas et al. (ICML 2024): kernel contrastive learning (KCL): its minimisers on the simplex
(M <= d + 1) and the cross-polytope (M = 2d), and its batch-size independence.

Reconstructed statements, as in :mod:`clverify.proofs_check.theorems.koromilas2024` (which holds the
shared helpers and the conventions: ``M`` pairs on :math:`S^{d-1}`, losses normalised by ``1/M``).
The minimiser parts rest on the arguments of :mod:`clverify.proofs_check.koromilas_proofs`
(Jensen's inequality for the simplex, the linear-programming bound for the cross-polytope),
whose algebra is machine-checked and whose hand-argued steps each check's scope lists.
"""

from __future__ import annotations

import itertools

import sympy as sp

from clverify.proofs_check import koromilas_checks as K
from clverify.proofs_check import koromilas_proofs as P
from clverify.theory import minima
from clverify.theory.losses import LOSSES
from clverify.theory.ops import SYMPY_OPS
from clverify.theory.similarity import ExplicitSimilarity, Grams
from clverify.theory.structures import Antipodal, CrossPolytope, SimplexETF

from ..registry import Check, Claim, H, Inconclusive, Mutant, Part, Theorem
from .koromilas2024 import (
    _SOURCE,
    EXISTS_IN_EVERY_ADMITTED_DIMENSION,
    SIMPLEX_DIMENSION,
    UNIQUE,
    M,
    _claimed_vs_explicit,
    _dimension,
    _gd_against,
    _lower_challenger,
    _params,
    _rational_sphere,
    _structure_at,
    _witness,
    gamma,
    t,
)

#: Restarts of GD for KCL (it has spurious local minima).
_KCL_RESTARTS = 10
#: Fixed set size of the exact sub-batch averages (all sub-batches of the admitted sizes <= n).
_BATCH_SET = 5


# --- KCL: simplex (M <= d + 1) and cross-polytope (M = 2d) -----------------------------------
# claim values: the minimiser "structure" (a class, built as structure(M, d)) and the minimum
# "value" (in M, gamma, t).

def _kcl(gamma_, t_):
    """Gaussian KCL at ``(gamma_, t_)`` as a function of Grams (SymPy)."""
    return lambda grams: LOSSES["kcl"](grams, SYMPY_OPS, gamma=gamma_, t=t_)


def _parameters_read(claim):
    """The claim's ``gamma`` and ``t`` hypotheses: a refutation among the exact challengers
    where one admits a value <= 0 (Inconclusive if none is found), else None."""
    return (_witness(claim, "gamma", H.gamma, lambda w: _lower_challenger(_kcl(w, 1), claim.structure))
            or _witness(claim, "t", H.t, lambda w: _lower_challenger(_kcl(1, w), claim.structure)))


def _against_bound(claim, bound, evidence):
    """The claimed value and the claimed structure's loss against the minimum ``bound``."""
    evidence["minimum"] = str(bound)
    if not P.is_zero(claim.value - bound):
        return f"kcl: claimed minimum {claim.value}, the minimum is {bound}"
    on_claimed = _kcl(gamma, t)(claim.structure(M).grams())
    if not P.is_zero(on_claimed - bound):
        return (f"kcl: the claimed {claim.structure.__name__} has loss {sp.simplify(on_claimed)}, "
                f"above the minimum {bound}")
    return None


def _kcl_simplex_jensen(claim, point, evidence):
    r"""The Jensen argument (:func:`P.kcl_simplex_bound`): the distance sum (generic Grams,
    M = 3, 4), the kernel strictly decreasing and convex in :math:`r^2`, the bound attained on
    the symbolic-M simplex; then the claimed value and structure against it."""
    refuted = _parameters_read(claim)
    if refuted:
        return refuted
    if not (P.distance_sum_holds(3) and P.distance_sum_holds(4) and P.kernel_decreasing_convex()):
        raise Inconclusive("a step of the Jensen argument is not shown")
    bound = P.kcl_simplex_bound()
    if not P.is_zero(bound - minima.simplex_value("kcl")):
        raise Inconclusive(f"the Jensen bound {bound} is not attained on the simplex")
    return _against_bound(claim, bound, evidence)


def _cross_polytope_lp(claim, point, evidence):
    r"""The linear-programming argument (:func:`P.cross_polytope_bound`) in the dimension the
    claim's hypothesis gives (``d`` solved from it): the interpolant's signs, the bound
    attained on the symbolic-M cross-polytope; then the claimed value and structure."""
    refuted = _parameters_read(claim)
    if refuted:
        return refuted
    failed = P.interpolant_signs()
    if failed:
        raise Inconclusive(f"the LP bound: {failed}")
    solved = sp.solve(claim.M, H.d) if isinstance(claim.M, sp.Eq) else []
    if len(solved) != 1:
        raise Inconclusive(f"the hypothesis {claim.M} does not fix d as a function of M")
    bound = sp.simplify(P.cross_polytope_bound(solved[0].subs(H.M, M)))
    if not P.is_zero(bound - minima.cross_polytope_value("kcl")):
        raise Inconclusive(f"the LP bound {bound} is not attained on the cross-polytope")
    return _against_bound(claim, bound, evidence)


def _kcl_value_explicit(claim, point, evidence):
    """The claimed value equals Gaussian KCL on the exact structure vectors (40 digits) in the
    smallest dimension the claim admits."""
    for m, d in _sizes(claim, point):
        shape, missing = _structure_at(claim.structure, m, d)
        params = _params(point, ("gamma", "t"))
        message = missing or _claimed_vs_explicit(claim.value, "kcl", m, shape, params, evidence,
                                                  f"kcl (M={m}, d={d}, {params})")
        if message:
            return message
    return None


def _kcl_gd(claim, point, evidence):
    """GD on Gaussian KCL finds the claimed structure at the claimed minimum (best of many
    restarts: KCL has spurious local minima, reported as Inconclusive)."""
    for m, d in _sizes(claim, point):
        shape, missing = _structure_at(claim.structure, m, d)
        message = missing or _gd_against(shape, "kcl", {**point, "M": m, "d": d}, _params(point, ("gamma", "t")),
                                         evidence, point.get("restarts", _KCL_RESTARTS), value=claim.value)
        if message:
            return message
    return None


def _sizes(claim, point):
    """``(M, d)`` pairs of a point: its ``M`` at its ``d`` or the smallest admitted one; or, for
    a point with ``d`` only, every ``M`` in 2..2d + 2 the claim admits there."""
    if "M" in point:
        return [(point["M"], _dimension(claim, point))]
    d = point["d"]
    sizes = [(m, d) for m in range(2, 2 * d + 3) if claim.admits("M", M=m, d=d)]
    if not sizes:
        raise Inconclusive(f"the claim's hypothesis {claim.M} admits no M at d = {d}")
    return sizes


_HAND_KCL = "hand-argued: K(u, v) <= K(0) with equality iff u = v, and the minimum of a sum of independent terms"
_KCL_SIMPLEX_VALUE = -2 + 2 * gamma * sp.exp(-2 * t * M / (M - 1))   # |w_i - w_j|^2 = 2M/(M-1)
_KCL_SIMPLEX_CLAIM = Claim({"structure": SimplexETF, "value": _KCL_SIMPLEX_VALUE},
                           {"M": SIMPLEX_DIMENSION, "gamma": H.gamma > 0, "t": H.t > 0,
                            "kernel": "Gaussian, K(x, y) = exp(-t |x - y|^2)"})

KCL_SIMPLEX = Theorem(
    id="koromilas2024.kcl_simplex",
    source=_SOURCE.format("KCL minimisers for M <= d + 1"),
    statement=r"1 < M \le d + 1,\ \gamma, t > 0,\ K(x, y) = e^{-t|x-y|^2}:\ \arg\min L_{\mathrm{KCL}} = "
              r"\{u_i = v_i = w_i \text{ a simplex ETF}\},\ "
              r"\min L_{\mathrm{KCL}} = -2 + 2\gamma e^{-2tM/(M-1)}",
    parts=(Part("value", r"\min L_{\mathrm{KCL}} = -2 + 2\gamma e^{-2tM/(M-1)}"),
           Part("minimiser", r"u_i = v_i = w_i,\ \{w_i\} \text{ a simplex ETF, minimises } L_{\mathrm{KCL}}"),
           UNIQUE),
    claim=_KCL_SIMPLEX_CLAIM,
    uses=("koromilas2024.decoupling",),
    checks=(
        EXISTS_IN_EVERY_ADMITTED_DIMENSION,
        Check("jensen_bound_attained_on_simplex", "proof", _kcl_simplex_jensen,
              parts=("value", "minimiser", "unique"),
              scope="every M >= 2, gamma, t > 0 (symbolic): the distance sum (M = 3, 4), the kernel's "
                    "monotonicity and convexity, the bound attained on the simplex; " + _HAND_KCL +
                    ", Jensen for the convex kernel (strict: equal distances at equality) and the "
                    "identity at M = 3, 4 holding for every M"),
        Check("equals_loss_on_exact_simplex_vectors", "numerical", _kcl_value_explicit, parts=("value",),
              points=({"M": 4, "gamma": 16, "t": 2}, {"M": 3, "d": 5, "gamma": "0.5", "t": "1.5"}),
              scope="(M, d, gamma, t) in {(4, 3, 16, 2), (3, 5, 0.5, 1.5)}, exact vectors, 40 digits"),
        Check("gd_minimiser_is_the_structure", "empirical", _kcl_gd, parts=("value", "minimiser", "unique"),
              points=({"M": 3, "gamma": 16, "t": 2}, {"M": 4, "gamma": 16, "t": 2}),
              thorough_points=({"M": 5, "gamma": 16, "t": 2, "restarts": 30},
                               {"M": 4, "gamma": 4, "t": 1}, {"M": 6, "d": 8, "gamma": 16, "t": 2,
                                                              "restarts": 30}),
              scope="(M, d) in {(3, 2), (4, 3)}, gamma = 16, t = 2, 10 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("orthogonal_distances", "|x - y|^2 = 2 holds for orthonormal points, not for the simplex",
               _KCL_SIMPLEX_CLAIM.vary(value=-2 + 2 * gamma * sp.exp(-2 * t))),
        Mutant("antipodal_views", "collapsed, anti-aligned views maximise both KCL terms",
               _KCL_SIMPLEX_CLAIM.vary(structure=Antipodal)),
        Mutant("scope_M_le_d_plus_2", "M = d + 2 points cannot form a simplex in R^d",
               _KCL_SIMPLEX_CLAIM.vary(M=sp.And(H.M > 1, H.M <= H.d + 2))),
        Mutant("gamma_nonzero", "with gamma < 0 the energy is rewarded: collapsed views beat the simplex",
               _KCL_SIMPLEX_CLAIM.vary(gamma=sp.Ne(H.gamma, 0))),
    ),
)

_KCL_CROSS_VALUE = -2 + 2 * gamma * (sp.exp(-4 * t) + (M - 2) * sp.exp(-2 * t)) / (M - 1)
_KCL_CROSS_CLAIM = Claim({"structure": CrossPolytope, "value": _KCL_CROSS_VALUE},
                         {"M": sp.Eq(H.M, 2 * H.d), "gamma": H.gamma > 0, "t": H.t > 0,
                          "kernel": "Gaussian, K(x, y) = exp(-t |x - y|^2)"})

KCL_CROSS_POLYTOPE = Theorem(
    id="koromilas2024.kcl_cross_polytope",
    source=_SOURCE.format("KCL minimisers for M = 2d"),
    statement=r"M = 2d,\ \gamma, t > 0,\ K(x, y) = e^{-t|x-y|^2}:\ "
              r"\arg\min L_{\mathrm{KCL}} = \{u_i = v_i \in \{\pm e_k\}\},\ "
              r"\min L_{\mathrm{KCL}} = -2 + 2\gamma\,\frac{e^{-4t} + (M-2)e^{-2t}}{M-1}",
    parts=(Part("value", r"\min L_{\mathrm{KCL}} = -2 + 2\gamma\,\frac{e^{-4t} + (M-2)e^{-2t}}{M-1}"),
           Part("minimiser", r"u_i = v_i \in \{\pm e_k\} \text{ (the cross-polytope) minimises } L_{\mathrm{KCL}}"),
           UNIQUE),
    claim=_KCL_CROSS_CLAIM,
    uses=("koromilas2024.decoupling",),
    checks=(
        EXISTS_IN_EVERY_ADMITTED_DIMENSION,
        Check("lp_bound_attained_on_cross_polytope", "proof", _cross_polytope_lp,
              parts=("value", "minimiser", "unique"),
              scope="every even M, d = M/2, gamma, t > 0 (symbolic): the interpolant and its signs, "
                    "the bound attained on the cross-polytope; " + _HAND_KCL + ", f - h >= 0 on "
                    "[-1, 1] from f''' > 0 (Hermite's remainder; zero only at -1 and 0, hence the "
                    "cross-polytope at equality), c > 0 from p(0) = 0 and p' > 0, and "
                    "sum_ij (u_i.u_j)^2 >= M^2/d (Cauchy-Schwarz on the eigenvalues)"),
        Check("equals_loss_on_exact_cross_polytope_vectors", "numerical", _kcl_value_explicit, parts=("value",),
              points=({"d": 2, "gamma": 16, "t": 2}, {"d": 4, "gamma": "0.5", "t": "1.5"}),
              scope="(d, gamma, t) in {(2, 16, 2), (4, 0.5, 1.5)}, M = 2d, exact vectors, 40 digits"),
        Check("gd_minimiser_is_the_structure", "empirical", _kcl_gd, parts=("value", "minimiser", "unique"),
              points=({"d": 2, "gamma": 16, "t": 2}, {"d": 3, "gamma": 16, "t": 2}),
              thorough_points=({"d": 4, "gamma": 16, "t": 2, "restarts": 20},),
              scope="d in {2, 3}, M = 2d, gamma = 16, t = 2, 10 seeded L-BFGS restarts"),
    ),
    mutants=(
        Mutant("simplex_value", "the simplex value needs d >= M - 1; 2d points in R^d cannot reach it",
               _KCL_CROSS_CLAIM.vary(value=_KCL_SIMPLEX_VALUE)),
        Mutant("antipodal_views", "collapsed, anti-aligned views maximise both KCL terms",
               _KCL_CROSS_CLAIM.vary(structure=Antipodal)),
        Mutant("batch_at_least_2d", "2d + 1 points are no cross-polytope, and 2d + 2 do not fit in R^d",
               _KCL_CROSS_CLAIM.vary(M=H.M >= 2 * H.d)),
    ),
)


# --- KCL's expected loss does not depend on the batch size -----------------------------------
# claim value "independent": loss -> whether the average of its batch loss over all size-M
# sub-batches of a fixed set is the same for every admitted M.

def _batch_sizes(claim, n: int) -> list:
    """The batch sizes in 1..n the claim's hypothesis admits for a set of ``n`` pairs."""
    return [m for m in range(1, n + 1) if claim.admits("M", M=m, n=n)]


def _subset_averages(loss: str, uv, uu, vv, sizes) -> dict:
    """Size -> the average of ``loss`` over all sub-batches of that size (exact SymPy; ``nan``
    where the loss is undefined, e.g. KCL's mean over the pairs of a single point)."""
    loss, params = LOSSES[loss], minima.parameter_symbols(loss)
    out = {}
    for m in sizes:
        subsets = [list(c) for c in itertools.combinations(range(uv.rows), m)]
        try:
            total = sum(loss(Grams(*(ExplicitSimilarity(S.extract(c, c)) for S in (uv, uu, vv))), SYMPY_OPS,
                             **params) for c in subsets)
        except ZeroDivisionError:
            total = sp.nan
        out[m] = total / len(subsets)
    return out


def _batch_symbolic(claim, point, evidence):
    """Exact sub-batch averages for generic similarities (one symbol per entry) at every batch
    size the claim admits: equal for every size iff the batch loss is a U-statistic there; a
    dependence is shown on exact rational unit vectors at 30 digits."""
    loss, n = point["loss"], _BATCH_SET
    sizes = _batch_sizes(claim, n)
    grams = P.generic_grams(n)
    averages = _subset_averages(loss, *(g.matrix for g in (grams.uv, grams.uu, grams.vv)), sizes)
    last = averages[sizes[-1]]
    independent = all(sp.expand(averages[m] - last) == 0 for m in averages)
    if not independent:   # a witness on exact rational unit vectors
        U, V = _rational_sphere(n), _rational_sphere(n, shift=1)
        exact = _subset_averages(loss, U * V.T, U * U.T, V * V.T, sizes)
        gaps = [sp.N((exact[m] - exact[sizes[-1]]).subs(P.AT), 30) for m in exact]
        if any(g.is_finite is False or g is sp.nan for g in gaps):
            evidence["undefined_at"] = [m for m, g in zip(exact, gaps) if not g.is_finite]
        elif max(abs(g) for g in gaps) <= P.WITNESS_TOL:
            raise Inconclusive(f"{loss}: averages not identical symbolically, yet equal at a rational point")
        else:
            evidence["max_gap_at_witness"] = float(max(abs(g) for g in gaps))
    evidence["independent"] = independent
    if independent != claim.independent[loss]:
        return (f"{loss}: the average batch loss over all sub-batches of {n} pairs "
                f"{'does not depend' if independent else 'depends (or is undefined at some)'} on the "
                f"batch size M in {sizes} (claimed {'independent' if claim.independent[loss] else 'dependent'})")
    return None


def _batch_random(claim, point, evidence):
    """Float64 sub-batch averages on seeded random pairs (``K.kcl_batch_independence``) at every
    batch size the claim admits."""
    return K.kcl_batch_independence(point["loss"], n=point["n"], d=point["d"], seed=point["seed"],
                                    sizes=_batch_sizes(claim, point["n"]),
                                    claimed_independent=claim.independent[point["loss"]])


_BATCH_INDEPENDENT = {"kcl": True, "kcl-log": True, "kcl-imq": True, "infonce": False}
_KCL_KERNELS = ("kcl", "kcl-log", "kcl-imq")
_BATCH_CLAIM = Claim({"independent": _BATCH_INDEPENDENT},
                     {"M": sp.And(H.M >= 2, H.M <= H.n), "kernel": "any (checked: Gaussian, log, IMQ)"})

KCL_BATCH_INDEPENDENCE = Theorem(
    id="koromilas2024.kcl_batch_independence",
    source=_SOURCE.format("KCL batch-size independence"),
    statement=r"2 \le M \le n = |S|:\ \mathbb E_{B \subset S, |B| = M} L_{\mathrm{KCL}}(B) \text{ does not "
              r"depend on } M \text{ (U-statistics)};\ \text{for InfoNCE it does}",
    parts=(Part("independent", r"\mathbb E_{B \subset S, |B| = M} L_{\mathrm{KCL}}(B) \text{ does not depend on } M"),
           Part("infonce_depends", r"\mathbb E_{B \subset S, |B| = M} L_{\mathrm{InfoNCE}}(B) \text{ depends on } M")),
    claim=_BATCH_CLAIM,
    checks=(
        Check("exact_subset_averages", "proof", _batch_symbolic, parts=("independent",),
              points=tuple({"loss": loss} for loss in _KCL_KERNELS),
              scope="three kernels, a set of 5 pairs with generic similarities (one symbol per entry), "
                    "batch sizes 2..5; hand-argued: the same U-statistic argument for every |S|"),
        Check("exact_subset_averages_infonce", "proof", _batch_symbolic, parts=("infonce_depends",),
              points=({"loss": "infonce"},),
              scope="a set of 5 pairs, exact rational unit vectors: the averages at M = 2..5 differ"),
        Check("subset_averages_on_random_pairs", "empirical", _batch_random, parts=("independent",),
              points=tuple({"loss": loss, "n": 6, "d": 3, "seed": 0} for loss in _KCL_KERNELS),
              thorough_points=tuple({"loss": loss, "n": 9, "d": 4, "seed": 1} for loss in _KCL_KERNELS),
              scope="6 seeded random pairs in d = 3, float64, every sub-batch"),
        Check("subset_averages_on_random_pairs_infonce", "empirical", _batch_random, parts=("infonce_depends",),
              points=({"loss": "infonce", "n": 6, "d": 3, "seed": 0},),
              thorough_points=({"loss": "infonce", "n": 9, "d": 4, "seed": 1},),
              scope="6 seeded random pairs in d = 3, float64, every sub-batch"),
    ),
    mutants=(
        Mutant("kcl_depends_on_M", "KCL's batch terms are means over pairs: unbiased at every M",
               _BATCH_CLAIM.vary(independent={**_BATCH_INDEPENDENT, "kcl": False})),
        Mutant("infonce_independent", "log of a sum over the batch: its expectation grows with M",
               _BATCH_CLAIM.vary(independent={**_BATCH_INDEPENDENT, "infonce": True})),
        Mutant("batch_of_one", "at M = 1 a batch has no pair for the energy: the loss is undefined",
               _BATCH_CLAIM.vary(M=sp.And(H.M >= 1, H.M <= H.n))),
    ),
)

THEOREMS = [KCL_SIMPLEX, KCL_CROSS_POLYTOPE, KCL_BATCH_INDEPENDENCE]
