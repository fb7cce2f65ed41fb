"""High precision and certification: evaluators compiled from the SymPy derivations (mpmath and
Arb), root finding, certified enclosures, the regime thresholds, the optimal CCEM of any loss
(its CCEM restriction and its check on explicit vectors, one regime rule, the optimum, its
wells and the regime changes and jumps; the sigmoid loss's closed forms as its evaluation
strategy), whether the CCEM is optimal (the Jensen + Lemma 1 sufficient condition), the advice
for a practitioner's (N, t, bias), covering boxes and the certificates that
:mod:`clverify.recheck` re-checks.

No torch here: ``clverify thresholds`` imports this package only.
"""

from .advice import CONVENTIONS, Advice, etf_batch_limit, sigmoid_advice
from .boxes import MonotoneCover, PositiveCover, box_region, monotone_cover, positive_cover
from .ccem_optimality import ConditionResult, Optimality, ccem_optimality
from .ccem_optimum import CCEMOptimum, ccem_optimum, sigmoid_optimum
from .certificates import (
                      Certificate,
                      exact_decimal,
                      monotone_cover_certificate,
                      optimum_certificate,
                      phase_certificate,
                      positive_cover_certificate,
                      threshold_certificate,
)
from .certify import (
                      BISECTION_MAX_STEPS,
                      CERTIFY_PRECISION_STEPS,
                      POSITIVITY_MAX_BOXES,
                      Enclosure,
                      arb_to_mpf,
                      ball_sign,
                      certify_positive,
                      certify_root,
)
from .closed_forms import PRECISION_STEPS, ClosedFormValue, closed_form_value
from .evaluators import (
                      ARGS,
                      BACKENDS,
                      FORMULAS,
                      GUARD_BITS,
                      arb_precision,
                      bits_for_digits,
                      compile_expression,
                      evaluator,
                      formula,
                      generated_source,
)
from .ops import ARB_OPS, MPMATH_OPS, as_arb
from .real_input import RealInput
from .regime import REGIMES, regime
from .regime_sweep import RegimeChange, RegimeTrack, regime_changes
from .restriction import Restriction, SigmoidRestriction
from .restriction_check import check_restriction
from .roots import (
                      ROOT_GUARD_BITS,
                      SOLVERS,
                      TOLERANCE_ULPS,
                      Anderson,
                      Bisect,
                      Illinois,
                      Pegasus,
                      Solver,
                      find_root,
)
from .thresholds import (
                      Boundary,
                      antipodal_boundary_b,
                      antipodal_threshold_tb,
                      etf_boundary_b,
                      etf_threshold_tb,
)
from .wells import descend, global_minimiser, local_minima

__all__ = [
    "PRECISION_STEPS", "ClosedFormValue", "closed_form_value",
    "CONVENTIONS", "Advice", "etf_batch_limit", "sigmoid_advice",
    "MonotoneCover", "PositiveCover", "box_region", "monotone_cover", "positive_cover",
    "CCEMOptimum", "ccem_optimum", "sigmoid_optimum",
    "Certificate", "exact_decimal", "monotone_cover_certificate", "optimum_certificate",
    "phase_certificate", "positive_cover_certificate", "threshold_certificate",
    "BISECTION_MAX_STEPS", "CERTIFY_PRECISION_STEPS", "POSITIVITY_MAX_BOXES", "Enclosure",
    "arb_to_mpf", "ball_sign", "certify_positive", "certify_root",
    "ARGS", "BACKENDS", "FORMULAS", "GUARD_BITS", "arb_precision", "bits_for_digits", "compile_expression",
    "evaluator", "formula", "generated_source",
    "ARB_OPS", "MPMATH_OPS", "as_arb",
    "RealInput",
    "REGIMES", "regime",
    "RegimeChange", "RegimeTrack", "regime_changes",
    "ConditionResult", "Optimality", "ccem_optimality", "check_restriction",
    "local_minima", "global_minimiser", "descend",
    "Restriction", "SigmoidRestriction",
    "ROOT_GUARD_BITS", "SOLVERS", "TOLERANCE_ULPS", "Anderson", "Bisect", "Illinois", "Pegasus",
    "Solver", "find_root",
    "Boundary", "antipodal_boundary_b", "antipodal_threshold_tb", "etf_boundary_b",
    "etf_threshold_tb",
]
