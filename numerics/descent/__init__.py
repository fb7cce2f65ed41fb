"""Torch descent: the torch backend of the losses (float64 ops and similarity), the sphere, the batched Riemannian L-BFGS, the
optimiser with restarts and its baselines, the memory-bounded (row-block) similarity, sweeps
over grids of configurations with their results store, the comparison with the theory, the
encoder experiment, the metrics of embeddings, their constellation margins, and descent with a
trainable temperature and bias.

Importing this package imports torch.
"""

from .baselines import TORCH_LBFGS_INNER, optimise_loop, optimise_scipy, optimise_torch_lbfgs
from .blocked import (
                      BLOCK_BYTES,
                      CUDA_BLOCK_BYTES,
                      BlockedSimilarity,
                      BlockedSquaredDistances,
                      block_rows,
                      blocked_grams,
                      elementwise_derivative,
                      similarity_statistics,
)
from .compare import (
                      ETF_OPTIMAL_LOSSES,
                      STRUCTURE_TOL,
                      THEORY_DIGITS,
                      TheoryOptimum,
                      best_known_structure,
                      etf_optimum,
                      gram_distance,
                      loss_gap,
                      loss_resolution,
                      sigmoid_ccem_optimum,
                      structure_grams,
                      structure_unresolved,
                      theory_optimum,
)
from .constellation import full_gap, is_constellation, margin, optimal_relative_bias, similarity_extremes
from .discrete import ENUMERATION_MAX_N, check_enumerable, minimise_s0
from .encoder import DEFAULT_MAX_STEPS, PAPER_LR, PAPER_STEPS, EncoderResult, encoder_experiment
from .grid import Configuration, parse_grid, read_grid
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
from .memory import MEMORY_LIMIT, check_memory, comparison_estimate, memory_estimate, memory_limit
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
                      BLOCKED_ABOVE,
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
from .store import STORE_NAME, ResultStore
from .sweep import (
                      SweepInterrupted,
                      SweepSummary,
                      not_converged,
                      plan_batches,
                      records_in_order,
                      run_sweep,
                      solve_batch,
)
from .torch_losses import TORCH_LOSSES, UNIT_NORM_TOL, TorchLoss, evaluate_view, torch_loss
from .trainable import (
                      CLAMP_EPS,
                      PAPER_ADAM_LR,
                      TRAINABLE_LOSSES,
                      TRAINABLE_OPTIMIZERS,
                      TrainableRun,
                      train_sigmoid,
                      trainable_sigmoid_loss,
)

__all__ = [
    "TORCH_LBFGS_INNER", "optimise_loop", "optimise_scipy", "optimise_torch_lbfgs",
    "BLOCK_BYTES", "CUDA_BLOCK_BYTES", "BlockedSimilarity", "BlockedSquaredDistances", "block_rows",
    "blocked_grams", "elementwise_derivative", "similarity_statistics",
    "ETF_OPTIMAL_LOSSES", "THEORY_DIGITS", "TheoryOptimum", "etf_optimum", "gram_distance",
    "loss_gap", "sigmoid_ccem_optimum", "structure_grams", "theory_optimum", "best_known_structure",
    "Configuration", "parse_grid", "read_grid", "STRUCTURE_TOL",
    "structure_unresolved", "loss_resolution", "ENUMERATION_MAX_N", "minimise_s0", "check_enumerable",
    "DEFAULT_MAX_STEPS", "PAPER_LR", "PAPER_STEPS", "EncoderResult", "encoder_experiment",
    "DEFAULT_HISTORY", "DEFAULT_MAX_ITER", "DEFAULT_TOL", "LBFGSResult", "lbfgs", "value_and_grad",
    "SATURATION_LEVEL", "stationary", "out_of_range", "MEMORY_LIMIT", "check_memory", "memory_estimate", "comparison_estimate", "memory_limit",
    "WASSERSTEIN_GRID", "alignment", "effective_rank", "pairwise_similarities", "similarity_cdf",
    "similarity_density", "similarity_density_mp", "similarity_mgf", "uniformity",
    "uniformity_population", "wasserstein_uniformity",
    "DEFAULT_RESTARTS", "BLOCKED_ABOVE", "DEVICES", "GROUP_OVERHEAD", "EmbeddingResult", "check_loss_params",
    "optimise_batch", "optimise_embedding", "resolve_device", "size_groups",
    "SOFTPLUS_EXACT_ABOVE", "TORCH_OPS",
    "TorchOffDiagonal", "TorchSimilarity", "TorchSquaredDistances", "torch_grams",
    "Sphere",
    "STORE_NAME", "ResultStore",
    "SweepInterrupted", "SweepSummary", "not_converged", "plan_batches", "records_in_order", "run_sweep",
    "solve_batch",
    "TORCH_LOSSES", "UNIT_NORM_TOL", "TorchLoss", "evaluate_view", "torch_loss",
    "full_gap", "is_constellation", "margin", "optimal_relative_bias", "similarity_extremes",
    "CLAMP_EPS", "PAPER_ADAM_LR", "TRAINABLE_LOSSES", "TRAINABLE_OPTIMIZERS", "TrainableRun",
    "train_sigmoid", "trainable_sigmoid_loss",
]
