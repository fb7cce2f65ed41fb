"""Numbers: high precision, certification, torch optimisation, tables and figures.

Re-exported here: the high-precision and certified layer of the sigmoid-loss theory
(evaluators compiled from :mod:`theory.derivation`, root finding, Arb enclosures, thresholds,
the optimal CCEM) and the table renderer.

The torch and matplotlib modules (``sphere``, ``lbfgs``, ``optimise``, ``compare``,
``encoder``, ``figures``, ``metrics``, ``koromilas_checks``, ``torch_losses``) are imported by
their module names (``from numerics.optimise import optimise_batch``), so that
``import numerics`` and ``clverify thresholds`` do not load torch.
"""

from .certify import Enclosure, arb_to_mpf, ball_sign, certify_root
from .evaluators import (BACKENDS, FORMULAS, arb_precision, bits_for_digits, compile_expression,
                         evaluator, formula)
from .real_input import RealInput
from .roots import SOLVERS, Anderson, Bisect, Illinois, Pegasus, Solver, find_root
from .sigmoid_optimum import REGIMES, SigmoidOptimum, sigmoid_optimum
from .tables import FORMATS, provenance, render, to_jsonable
from .thresholds import (
    Boundary,
    antipodal_boundary_b,
    antipodal_threshold_tb,
    etf_boundary_b,
    etf_threshold_tb,
)

__all__ = [
    # certify
    "Enclosure", "arb_to_mpf", "ball_sign", "certify_root",
    # evaluators
    "BACKENDS", "FORMULAS", "arb_precision", "bits_for_digits", "compile_expression", "evaluator",
    "formula",
    # real_input
    "RealInput",
    # roots
    "SOLVERS", "Anderson", "Bisect", "Illinois", "Pegasus", "Solver", "find_root",
    # sigmoid_optimum
    "REGIMES", "SigmoidOptimum", "sigmoid_optimum",
    # tables
    "FORMATS", "provenance", "render", "to_jsonable",
    # thresholds
    "Boundary", "antipodal_boundary_b", "antipodal_threshold_tb", "etf_boundary_b",
    "etf_threshold_tb",
]

_PUBLIC = sorted(name for name, value in list(globals().items())
                 if not name.startswith("_") and type(value).__name__ != "module")
if sorted(__all__) != _PUBLIC:  # pragma: no cover - a maintenance error
    raise ImportError(f"numerics.__all__ is out of sync with the imports: {_PUBLIC}")
