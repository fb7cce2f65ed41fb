r"""A row-wise sigmoid loss: each positive pair is a binary logistic term, and each row's
negatives are pooled by a log-sum-exp before one logistic term (``t`` multiplies, ``b`` is
subtracted).

.. math::
    L = \frac1N\sum_i\Big[\operatorname{softplus}(b - t\,s_{ii})
        + \operatorname{softplus}\Big(\log\sum_{j\ne i} e^{t\,s_{ij}} - b\Big)\Big],
    \qquad s_{ij} = u_i\cdot v_j .

Reference (by hand).  On the CCEM, :math:`s_+ = 2x - 1`, :math:`s_- = x\frac{N-2}{N-1} - 1`:

.. math::
    \ell(x) = \operatorname{softplus}(b - t(2x - 1))
        + \operatorname{softplus}\big(\log(N-1) + t\,s_-(x) - b\big),

    \ell'(x) = -2t\,\sigma(b - t(2x - 1)) + t\,\tfrac{N-2}{N-1}\,\sigma\big(\log(N-1) + t\,s_-(x) - b\big).

The diagonal term is convex in :math:`s_{ii}`, the row term is :math:`h(\log\sum_j e^{t s_{ij}})`
with :math:`h(z) = \operatorname{softplus}(z - b)` convex and increasing: for :math:`t > 0` the
row-wise argument of docs/extending.md shows that the CCEM contains the minimum for :math:`d \ge N`.
"""


def rowwise_sigmoid(grams, ops, *, t, b):
    r""":math:`\frac1N\sum_i [\operatorname{softplus}(b - t s_{ii}) + \operatorname{softplus}(\log\sum_{j\ne i} e^{t s_{ij}} - b)]`."""
    S = grams.uv
    return S.sum_rows(lambda d, off: ops.softplus(b - t * d)
                      + ops.softplus(off.logsumexp(lambda s: t * s) - b)) / S.N
