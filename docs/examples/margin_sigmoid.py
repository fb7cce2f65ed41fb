"""A loss that is not built in: SigLIP's sigmoid loss with a margin on the positive pairs.

The worked example of docs/extending.md (`clverify analyse --loss-file docs/examples/margin_sigmoid.py
--loss margin_sigmoid ...`).  The contract: a function NAME(grams, ops, *, param, ...) that uses
only the reductions of grams' similarity matrices, arithmetic, abs and ops.<function>.
"""


def margin_sigmoid(grams, ops, *, t, b, m):
    r"""A positive pair is penalised until its logit :math:`t\,u_i\cdot v_i - b` exceeds the
    margin ``m``; negatives as in the sigmoid loss (``t`` multiplies, ``b`` is subtracted):

    .. math::
        L = \frac1N\Big[\sum_i \operatorname{softplus}(m + b - t\,u_i\cdot v_i)
            + \sum_{i\ne j} \operatorname{softplus}(t\,u_i\cdot v_j - b)\Big]
    """
    S = grams.uv
    return (S.sum_diagonal(lambda s: ops.softplus(m + b - t * s))
            + S.sum_off_diagonal(lambda s: ops.softplus(t * s - b))) / S.N
