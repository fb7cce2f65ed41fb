r"""Representation metrics of Koromilas et al. (ICML 2024) and Wang & Isola (2020).

For independent uniform points on :math:`S^{n-1} \subset \mathbb R^n` the similarity
:math:`s = x\cdot y` has density

.. math::
    p_n(s) = \frac{\Gamma(n/2)}{\sqrt\pi\,\Gamma((n-1)/2)}\,(1 - s^2)^{(n-3)/2}, \qquad s \in [-1, 1],

i.e. :math:`(1+s)/2 \sim \mathrm{Beta}((n-1)/2, (n-1)/2)`: mean 0, variance :math:`1/n`.
Its moment generating function is
:math:`E\,e^{a s} = {}_0F_1(;n/2;a^2/4) = \Gamma(n/2)(2/a)^{n/2-1} I_{n/2-1}(a)`, so the
population value of Wang & Isola's uniformity with kernel parameter ``t`` is

.. math::
    \log E\, e^{-t|x-y|^2} = -2t + \log {}_0F_1(;n/2;t^2).

The authors' code (``metrics.py``) calls ``n`` "d + 1" (``DotProdDist(d=127)`` for 128-D
embeddings); here ``n`` is always the ambient dimension.

>>> round(float(similarity_density(0.0, 3)), 12)   # uniform on [-1, 1] for n = 3
0.5
>>> round(uniformity_population(3, t=2), 6)
-2.079777
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import scipy.special as sc
import scipy.stats as st

from clverify.theory.params import check_dimension, check_positive

__all__ = [
    "similarity_density", "similarity_density_mp", "similarity_cdf", "similarity_mgf",
    "uniformity", "uniformity_population", "wasserstein_uniformity", "alignment",
    "effective_rank", "pairwise_similarities", "unit_rows", "WASSERSTEIN_GRID",
]

#: Number of quantiles of :math:`p_n` that stand for the population in :func:`wasserstein_uniformity`
#: (the W1 error of this discretisation is at most ``1/WASSERSTEIN_GRID`` times the range 2).
WASSERSTEIN_GRID = 20_000


def _n(n) -> int:
    return check_dimension("n", n, 2, "the similarity density needs n >= 2")


def similarity_density(s, n):
    r""":math:`p_n(s)` (float64, vectorised); zero outside :math:`[-1, 1]`.

    >>> bool(abs(similarity_density(0.5, 4) - 2 / np.pi * np.sqrt(0.75)) < 1e-15)
    True
    """
    n = _n(n)
    s = np.asarray(s, dtype=float)
    log_c = sc.gammaln(n / 2) - 0.5 * math.log(math.pi) - sc.gammaln((n - 1) / 2)
    inside = np.abs(s) < 1
    safe = np.where(inside, s, 0.0)
    out = np.exp(log_c + (n - 3) / 2 * np.log1p(-safe * safe))
    return np.where(inside, out, 0.0)


def similarity_density_mp(s, n):
    r""":math:`p_n(s)` in mpmath at the current precision (for quadrature).

    >>> mpmath.nstr(similarity_density_mp(0, 3), 15)
    '0.5'
    """
    n = _n(n)
    s = mpmath.mpf(s)
    c = mpmath.gamma(mpmath.mpf(n) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(n - 1) / 2))
    return c * ((1 - s) * (1 + s)) ** (mpmath.mpf(n - 3) / 2)  # no cancellation near +-1


def similarity_cdf(s, n):
    r""":math:`F_n(s) = I_{(1+s)/2}((n-1)/2, (n-1)/2)` (regularised incomplete beta).

    >>> float(similarity_cdf(0.0, 7))
    0.5
    """
    n = _n(n)
    a = (n - 1) / 2
    return sc.betainc(a, a, np.clip((1 + np.asarray(s, dtype=float)) / 2, 0, 1))


def similarity_mgf(a, n):
    r""":math:`E\,e^{a s} = {}_0F_1(;n/2;a^2/4)` for uniform points on :math:`S^{n-1}` (mpmath).

    >>> similarity_mgf(2, 3) == mpmath.sinh(2) / 2   # n = 3: sinh(a)/a
    True
    """
    n = _n(n)
    return mpmath.hyp0f1(mpmath.mpf(n) / 2, mpmath.mpf(a) ** 2 / 4)


def unit_rows(X) -> np.ndarray:
    """The rows of ``X`` divided by their norms (float64): points on the sphere.

    >>> unit_rows([[3.0, 4.0], [0.0, -2.0]]).tolist()
    [[0.6, 0.8], [0.0, -1.0]]
    """
    X = np.asarray(X, dtype=float)
    return X / np.linalg.norm(X, axis=-1, keepdims=True)


def pairwise_similarities(X) -> np.ndarray:
    """The similarities :math:`x_i\\cdot x_j`, :math:`i < j`, of the rows of ``X`` (float64).

    >>> pairwise_similarities(np.eye(3)).tolist()
    [0.0, 0.0, 0.0]
    """
    X = np.asarray(X, dtype=float)
    i, j = np.triu_indices(X.shape[0], k=1)
    return (X @ X.T)[i, j]


def uniformity(X, t: float = 2.0) -> float:
    r"""Wang-Isola uniformity :math:`\log \operatorname{mean}_{i<j} e^{-t|x_i - x_j|^2}` (unit rows).

    >>> round(uniformity(np.array([[1.0, 0], [-1, 0]])), 12)   # one pair at distance 2
    -8.0
    """
    t = check_positive("t", t)
    s = pairwise_similarities(X)
    logs = -t * np.clip(2 - 2 * s, 0, None)
    return float(sc.logsumexp(logs) - math.log(len(logs)))


def uniformity_population(n, t: float = 2.0) -> float:
    r"""Population uniformity of the uniform measure on :math:`S^{n-1}`: :math:`-2t + \log{}_0F_1(;n/2;t^2)`.

    >>> uniformity_population(3, 2) == float(-4 + mpmath.log(mpmath.sinh(4) / 4))
    True
    """
    t = check_positive("t", t)
    return float(-2 * mpmath.mpf(t) + mpmath.log(similarity_mgf(2 * mpmath.mpf(t), n)))


def wasserstein_uniformity(X, n=None, grid: int = WASSERSTEIN_GRID) -> float:
    r"""1-D Wasserstein-1 distance between the pairwise similarities of the rows of ``X`` and :math:`p_n`.

    ``n`` defaults to the number of columns of ``X``.  The population is represented by
    its ``grid`` mid-quantiles (deterministic; the authors' code draws 10 000 samples).

    >>> X = np.random.default_rng(0).standard_normal((400, 3))
    >>> X /= np.linalg.norm(X, axis=1, keepdims=True)
    >>> wasserstein_uniformity(X) < 0.02
    True
    """
    X = np.asarray(X, dtype=float)
    n = _n(X.shape[1] if n is None else n)
    a = (n - 1) / 2
    q = (np.arange(grid) + 0.5) / grid
    population = 2 * st.beta.ppf(q, a, a) - 1
    return float(st.wasserstein_distance(pairwise_similarities(X), population))


def alignment(U, V, alpha: float = 2.0) -> float:
    r"""Wang-Isola alignment :math:`\operatorname{mean}_i |u_i - v_i|^\alpha`.

    >>> alignment(np.eye(2), -np.eye(2))
    4.0
    """
    alpha = check_positive("alpha", alpha)
    U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
    return float(np.mean(np.linalg.norm(U - V, axis=1) ** alpha))


def effective_rank(X) -> float:
    r"""Effective rank :math:`\exp H(\sigma/\|\sigma\|_1)` of the singular values (with :math:`0\log 0 = 0`).

    The authors' code adds ``1e-7`` to every normalised singular value; this is the exact value.

    >>> round(effective_rank(np.eye(4)), 12)
    4.0
    """
    sigma = np.linalg.svd(np.asarray(X, dtype=float), compute_uv=False)
    p = sigma / sigma.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))
