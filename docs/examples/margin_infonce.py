r"""Symmetric InfoNCE with an additive margin ``m`` on the positive logit (as in AM-softmax /
CosFace), temperature ``tau`` dividing, both directions.

.. math::
    L = \frac1N\sum_i\Big[-\log\frac{e^{(s_{ii} - m)/\tau}}{e^{(s_{ii} - m)/\tau}
        + \sum_{j\ne i} e^{s_{ij}/\tau}} - \log\frac{e^{(s_{ii} - m)/\tau}}{e^{(s_{ii} - m)/\tau}
        + \sum_{j\ne i} e^{s_{ji}/\tau}}\Big],\qquad s_{ij} = u_i\cdot v_j,

written in the stable form
:math:`\operatorname{softplus}(\log\sum_{j\ne i} e^{(s_{ij} - s_{ii} + m)/\tau})`.

Reference (by hand).  On the CCEM, :math:`s_- - s_+ = -\frac{xN}{N-1}`, so

.. math::
    \ell(x) = 2\log\Big(1 + (N-1)\,e^{(m - \frac{xN}{N-1})/\tau}\Big),

decreasing in :math:`x`: the ETF, :math:`\ell(1) = 2\log(1 + (N-1)e^{(m - \frac{N}{N-1})/\tau})`.
Each row is :math:`h(\log\sum_{j\ne i} e^{\kappa(s_{ij} - s_{ii}) + c})` with
:math:`h = \operatorname{softplus}` convex and increasing, :math:`\kappa = 1/\tau > 0`: the row-wise
argument of docs/extending.md (Jensen over rows and over the permutations of a row, then
Lemma 1) shows that the CCEM contains the minimum for :math:`d \ge N`.
"""


def margin_infonce(grams, ops, *, tau, m):
    r"""Both directions of the margin softmax, each :math:`\frac1N\sum_i
    \operatorname{softplus}(\log\sum_{j\ne i} e^{(s_{ij} - s_{ii} + m)/\tau})`."""
    def direction(S):
        return S.sum_rows(lambda d, off: ops.softplus(off.logsumexp(lambda s: (s - d + m) / tau)))

    return (direction(grams.uv) + direction(grams.uv.T)) / grams.N
