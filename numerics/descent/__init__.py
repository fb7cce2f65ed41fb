"""Torch descent: the torch backend of the losses (float64 ops and similarity), the sphere, the batched Riemannian L-BFGS, the
optimiser with restarts and its baselines, the comparison with the theory, the encoder
experiment and the metrics of embeddings.

Importing this package imports torch.
"""

from .baselines import TORCH_LBFGS_INNER, optimise_loop, optimise_scipy, optimise_torch_lbfgs
from .compare import (
                      ETF_OPTIMAL_LOSSES,
                      STRUCTURE_TOL,
                      THEORY_DIGITS,
                      TheoryOptimum,
                      etf_optimum,
                      gram_distance,
                      loss_gap,
                      loss_resolution,
                      sigmoid_ccem_optimum,
                      structure_grams,
                      structure_unresolved,
                      theory_optimum,
)
from .discrete import ENUMERATION_MAX_N, minimise_s0
from .encoder import DEFAULT_MAX_STEPS, PAPER_LR, PAPER_STEPS, EncoderResult, encoder_experiment
from .lbfgs import (
                      DEFAULT_HISTORY,
                      DEFAULT_MAX_ITER,
                      DEFAULT_TOL,
                      SATURATION_LEVEL,
                      LBFGSResult,
                      lbfgs,
                      out_of_range,
                      stationary,
                      value_and_grad,
)
from .memory import MEMORY_LIMIT, check_memory, memory_estimate
from .metrics import (
                      WASSERSTEIN_GRID,
                      alignment,
                      effective_rank,
                      pairwise_similarities,
                      similarity_cdf,
                      similarity_density,
                      similarity_density_mp,
                      similarity_mgf,
                      uniformity,
                      uniformity_population,
                      wasserstein_uniformity,
)
from .ops import SOFTPLUS_EXACT_ABOVE, TORCH_OPS
from .optimise import (
                      DEFAULT_RESTARTS,
                      DEVICES,
                      GROUP_OVERHEAD,
                      EmbeddingResult,
                      check_loss_params,
                      optimise_batch,
                      optimise_embedding,
                      resolve_device,
                      size_groups,
)
from .similarity import TorchOffDiagonal, TorchSimilarity, TorchSquaredDistances, torch_grams
from .sphere import Sphere
from .torch_losses import TORCH_LOSSES, UNIT_NORM_TOL, TorchLoss, evaluate_view, torch_loss

__all__ = [
    "TORCH_LBFGS_INNER", "optimise_loop", "optimise_scipy", "optimise_torch_lbfgs",
    "ETF_OPTIMAL_LOSSES", "THEORY_DIGITS", "TheoryOptimum", "etf_optimum", "gram_distance",
    "loss_gap", "sigmoid_ccem_optimum", "structure_grams", "theory_optimum", "STRUCTURE_TOL",
    "structure_unresolved", "loss_resolution", "ENUMERATION_MAX_N", "minimise_s0",
    "DEFAULT_MAX_STEPS", "PAPER_LR", "PAPER_STEPS", "EncoderResult", "encoder_experiment",
    "DEFAULT_HISTORY", "DEFAULT_MAX_ITER", "DEFAULT_TOL", "LBFGSResult", "lbfgs", "value_and_grad",
    "SATURATION_LEVEL", "stationary", "out_of_range", "MEMORY_LIMIT", "check_memory", "memory_estimate",
    "WASSERSTEIN_GRID", "alignment", "effective_rank", "pairwise_similarities", "similarity_cdf",
    "similarity_density", "similarity_density_mp", "similarity_mgf", "uniformity",
    "uniformity_population", "wasserstein_uniformity",
    "DEFAULT_RESTARTS", "DEVICES", "GROUP_OVERHEAD", "EmbeddingResult", "check_loss_params",
    "optimise_batch", "optimise_embedding", "resolve_device", "size_groups",
    "SOFTPLUS_EXACT_ABOVE", "TORCH_OPS",
    "TorchOffDiagonal", "TorchSimilarity", "TorchSquaredDistances", "torch_grams",
    "Sphere",
    "TORCH_LOSSES", "UNIT_NORM_TOL", "TorchLoss", "evaluate_view", "torch_loss",
]
