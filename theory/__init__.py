"""Exact, symbolic layer: losses, structures and their derivations (SymPy only)."""

from .errors import (
    CertificationError,
    ConvergenceError,
    InvalidParameterError,
    UnknownChoiceError,
    VerifierError,
)
from .losses import (
    LOSSES,
    dcl_loss,
    dhel_loss,
    energy_kernel,
    hyperspherical_energy,
    infonce_loss,
    infonce_sym_loss,
    kcl_kernel,
    kcl_loss,
    ntxent_loss,
    sigmoid_loss,
    softplus,
)
from .similarity import (
    DoubleConstantSimilarity,
    ExplicitSimilarity,
    Grams,
    RowRegularSimilarity,
    Similarity,
)
from .structures import CCEM, Antipodal, CrossPolytope, SimplexETF, Structure

__all__ = [
    "CertificationError",
    "ConvergenceError",
    "InvalidParameterError",
    "UnknownChoiceError",
    "VerifierError",
    "LOSSES",
    "infonce_sym_loss",
    "sigmoid_loss",
    "softplus",
    "infonce_loss",
    "ntxent_loss",
    "dcl_loss",
    "dhel_loss",
    "kcl_loss",
    "kcl_kernel",
    "energy_kernel",
    "hyperspherical_energy",
    "DoubleConstantSimilarity",
    "ExplicitSimilarity",
    "Grams",
    "RowRegularSimilarity",
    "Similarity",
    "CCEM",
    "Antipodal",
    "CrossPolytope",
    "SimplexETF",
    "Structure",
]
