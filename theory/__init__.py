"""Exact, symbolic layer: losses, structures and their derivations (SymPy only)."""

from .errors import (
    CertificationError,
    ConvergenceError,
    InvalidParameterError,
    UnknownChoiceError,
    VerifierError,
)
from .losses import LOSSES, infonce_sym_loss, sigmoid_loss, softplus
from .similarity import DoubleConstantSimilarity, ExplicitSimilarity, Grams, Similarity
from .structures import CCEM, Antipodal, SimplexETF, Structure

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
    "DoubleConstantSimilarity",
    "ExplicitSimilarity",
    "Grams",
    "Similarity",
    "CCEM",
    "Antipodal",
    "SimplexETF",
    "Structure",
]
