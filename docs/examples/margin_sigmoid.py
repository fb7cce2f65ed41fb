r"""A loss that is not built in: SigLIP's sigmoid loss with a margin and a positive-pair weight.

The worked example of docs/extending.md (`clverify analyse --loss-file docs/examples/margin_sigmoid.py
--loss margin_sigmoid ...`).  The contract: a function NAME(grams, ops, *, param, ...) that uses
only the reductions of grams' similarity matrices, arithmetic, abs and ops.<function>.

Reference (by hand).  On the CCEM, :math:`s_+ = 2x - 1` and :math:`s_- = x\frac{N-2}{N-1} - 1`, so

.. math::
    \ell(x) = w\,\operatorname{softplus}(m + b - t(2x - 1))
              + (N - 1)\operatorname{softplus}\big(t(x\tfrac{N-2}{N-1} - 1) - b\big),

    \ell'(x) = -2tw\,\sigma(m + b - t(2x-1)) + (N - 2)\,t\,\sigma\big(t(x\tfrac{N-2}{N-1} - 1) - b\big).

The loss is :math:`\frac1N[\sum_i f(u_i\cdot v_i) + \sum_{i\ne j} g(u_i\cdot v_j)]` with
:math:`f(s) = w\operatorname{softplus}(m + b - ts)` convex (:math:`w \ge 0`) and
:math:`g(s) = \operatorname{softplus}(ts - b)` convex and non-decreasing (:math:`t \ge 0`), so by
Jensen and Lemma 1 (Lee et al.'s Theorem 1) the CCEM contains its minimum for :math:`d \ge N`.
"""


def margin_sigmoid(grams, ops, *, t, b, m, w=1):
    r"""A positive pair is penalised, with weight ``w``, until its logit :math:`t\,u_i\cdot v_i - b`
    exceeds the margin ``m``; negatives as in the sigmoid loss (``t`` multiplies, ``b`` is
    subtracted):

    .. math::
        L = \frac1N\Big[w\sum_i \operatorname{softplus}(m + b - t\,u_i\cdot v_i)
            + \sum_{i\ne j} \operatorname{softplus}(t\,u_i\cdot v_j - b)\Big]
    """
    S = grams.uv
    return (w * S.sum_diagonal(lambda s: ops.softplus(m + b - t * s))
            + S.sum_off_diagonal(lambda s: ops.softplus(t * s - b))) / S.N
