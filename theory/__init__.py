"""Exact, symbolic layer: losses, structures and their derivations (SymPy only)."""

from .errors import (
    CertificationError,
    ConvergenceError,
    InvalidParameterError,
    LossDefinitionError,
    UnknownChoiceError,
    VerifierError,
)
from .loss_files import load_loss
from .losses import (
    LOSSES,
    Loss,
    dcl_loss,
    dhel_energy,
    dhel_loss,
    energy_kernel,
    hyperspherical_energy,
    infonce_loss,
    infonce_sym_loss,
    kcl_energy,
    kcl_kernel,
    kcl_loss,
    ntxent_loss,
    sigmoid_loss,
)
from .ops import SYMPY_OPS, Ops
from .similarity import (
    DoubleConstantSimilarity,
    ExplicitSimilarity,
    Grams,
    OffDiagonal,
    RowRegularSimilarity,
    Similarity,
)
from .structures import CCEM, Antipodal, CrossPolytope, SimplexETF, Structure

__all__ = [
    "CertificationError",
    "ConvergenceError",
    "InvalidParameterError",
    "LossDefinitionError",
    "UnknownChoiceError",
    "VerifierError",
    "LOSSES",
    "Loss",
    "infonce_sym_loss",
    "sigmoid_loss",
    "infonce_loss",
    "ntxent_loss",
    "dcl_loss",
    "dhel_loss",
    "kcl_loss",
    "kcl_kernel",
    "energy_kernel",
    "hyperspherical_energy",
    "dhel_energy",
    "kcl_energy",
    "Ops",
    "SYMPY_OPS",
    "load_loss",
    "DoubleConstantSimilarity",
    "ExplicitSimilarity",
    "Grams",
    "OffDiagonal",
    "RowRegularSimilarity",
    "Similarity",
    "CCEM",
    "Antipodal",
    "CrossPolytope",
    "SimplexETF",
    "Structure",
]
