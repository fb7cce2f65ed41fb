r"""Wang & Isola's alignment and uniformity (ICML 2020), as one loss.

.. math::
    L = \frac1N\sum_i |u_i - v_i|^2 + \frac{\lambda}{2}\Big[
        \log\frac{1}{N(N-1)}\sum_{i\ne j} e^{-t|u_i - u_j|^2}
        + \log\frac{1}{N(N-1)}\sum_{i\ne j} e^{-t|v_i - v_j|^2}\Big]

(alignment with :math:`\alpha = 2`, uniformity of each view with the authors' :math:`t = 2`).

Reference (by hand).  On the CCEM, :math:`|u_i - v_i|^2 = 2 - 2s_+ = 4(1 - x)` and
:math:`|u_i - u_j|^2 = |v_i - v_j|^2 = 2 - 2(1 - \frac{xN}{N-1}) = \frac{2xN}{N-1}`, so the
restriction is **linear**,

.. math::
    \ell(x) = 4(1 - x) - \frac{2\lambda t N}{N - 1}\,x ,

decreasing for :math:`\lambda t \ge 0`: the ETF, with :math:`\ell(1) = -\frac{2\lambda tN}{N-1}`.
That is also the global minimum for :math:`d \ge N - 1`: alignment is :math:`\ge 0` (0 iff
:math:`u = v`), and by Jensen :math:`\log\operatorname{mean} e^{-t r^2} \ge -t\operatorname{mean}
r^2 \ge -\frac{2tN}{N-1}` (:math:`\sum_{i\ne j}|u_i - u_j|^2 = 2N^2 - 2|\sum_i u_i|^2`), with
equality at the simplex.  The within-view terms put this loss outside the pair and row forms
whose CCEM optimality ``analyse`` proves: it can only show agreement with descent.
"""


def alignment_uniformity(grams, ops, *, t=2, lam=1):
    r"""Alignment :math:`\frac1N\sum_i|u_i - v_i|^2` plus ``lam`` times the mean uniformity of
    the two views, :math:`\log` of the mean of :math:`e^{-t|x_i - x_j|^2}` over pairs."""
    N = grams.N

    def uniformity(S):
        return ops.log(S.squared_distances().sum_off_diagonal(lambda r2: ops.exp(-t * r2)) / (N * (N - 1)))

    alignment = grams.uv.squared_distances().sum_diagonal(lambda r2: r2) / N
    return alignment + lam * (uniformity(grams.uu) + uniformity(grams.vv)) / 2
