"""Numbers, in three sub-packages that show the routes:

* :mod:`clverify.numerics.precision`: high precision (mpmath) and certification (python-flint
  ball arithmetic): evaluators compiled from the SymPy derivations, root finding, enclosures,
  thresholds and phase boundaries, the optimal CCEM;
* :mod:`clverify.numerics.descent`: torch, float64: the losses on real embeddings, the sphere,
  the batched Riemannian L-BFGS and its baselines, the comparison with the theory, metrics;
* :mod:`clverify.numerics.output`: tables with provenance and figures;
* :mod:`clverify.numerics.analyse`: a loss end to end (its CCEM optimum, certified where the
  expression allows, and gradient descent in the same run), re-exported by :mod:`clverify`.

Re-exported here: the high-precision layer and the tables (neither loads torch, so that
``import clverify.numerics`` and ``clverify thresholds`` stay light).
"""

from .output.tables import FORMATS, provenance, render, to_jsonable
from .precision import *  # noqa: F403 (the precision package's __all__)
from .precision import __all__ as _precision_all

__all__ = [*_precision_all, "FORMATS", "provenance", "render", "to_jsonable"]
