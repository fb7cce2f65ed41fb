r"""HaoChen, Wei, Gaidon, Ma's spectral contrastive loss (NeurIPS 2021), on unit embeddings.

.. math::
    L = \frac1N\Big[-2\sum_i u_i\cdot v_i + \sum_{i\ne j} (u_i\cdot v_j)^2\Big]

(the package's :math:`1/N` normalisation; the paper's population loss
:math:`-2\,\mathbb E[f(x)^\top f(x^+)] + \mathbb E[(f(x)^\top f(x'))^2]` weights the negatives
by :math:`1/(N(N-1))` instead, which changes the numbers, not the conclusion below).

Reference (by hand).  On the CCEM, :math:`s_+ = 2x - 1`, :math:`s_- = x\frac{N-2}{N-1} - 1`:

.. math::
    \ell(x) = -2(2x - 1) + (N - 1)\,s_-(x)^2, \qquad
    \ell'(x) = -4 + 2(N-2)\,s_-(x) < 0,

so the CCEM optimum is the ETF, :math:`\ell(1) = -2 + \frac{1}{N-1}` (:math:`-17/9` at
:math:`N = 10`).  It is **not** the minimum over all embeddings: :math:`u_i = v_i` orthonormal
(:math:`d \ge N`) gives :math:`-2`.  The loss has the pair form with :math:`f(s) = -2s` and
:math:`g(s) = s^2`, convex but *decreasing* on :math:`[-1, 0]`, so Lemma 1's bound cannot be
used: negatives prefer orthogonality, which the CCEM (all :math:`s_- < 0`) cannot reach.
"""


def spectral(grams, ops):
    r""":math:`\frac1N[-2\sum_i s_{ii} + \sum_{i\ne j} s_{ij}^2]`, :math:`s_{ij} = u_i\cdot v_j`."""
    S = grams.uv
    return (S.sum_diagonal(lambda s: -2 * s) + S.sum_off_diagonal(lambda s: s * s)) / S.N
