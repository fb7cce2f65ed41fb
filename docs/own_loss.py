# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %% [markdown]
# # Your own loss, end to end
#
# A notebook in the "percent" format (a plain Python script whose `# %%` lines separate the
# cells: VS Code, Spyder and PyCharm run it cell by cell, and `jupytext --to notebook` turns it
# into an `.ipynb`). The test suite runs it from start to end in a fresh process
# (`tests/unit/test_notebook.py`), so every number below is checked on every run.
#
# The loss: a row-wise sigmoid, each positive pair a logistic term and each row's negatives
# pooled by a log-sum-exp (`docs/examples/rowwise_sigmoid.py`),
#
# $$ L = \frac1N\sum_i\Big[\operatorname{softplus}(b - t\,s_{ii})
#     + \operatorname{softplus}\Big(\log\sum_{j\ne i} e^{t\,s_{ij}} - b\Big)\Big]. $$

# %%
from pathlib import Path

import mpmath

from clverify import analyse, load_loss, track_regimes

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
loss = load_loss(HERE / "examples" / "rowwise_sigmoid.py", "rowwise_sigmoid")
loss.name, loss.parameters

# %% [markdown]
# ## The CCEM optimum and gradient descent
#
# `analyse` derives the CCEM restriction $\ell(x)$, $x = \delta^2$, finds its minimiser at 30
# digits (certified where it can), and runs gradient descent on free embeddings in dimension
# `d` (here `N`).

# %%
result = analyse(loss, 10, 10, {"t": "2", "b": "1"}, restarts=2)
print(result.regime, mpmath.nstr(result.x_star, 20), result.certified)
print("gradient descent:", result.gd_loss, "gap", result.loss_gap, "Gram distance", result.gram_distance)

# %% [markdown]
# The restriction by hand (the docstring of the example file):
# $\ell'(x) = -2t\,\sigma(b - t(2x-1)) + t\frac{N-2}{N-1}\sigma(\log(N-1) + t s_-(x) - b)$,
# $s_-(x) = x\frac{N-2}{N-1} - 1$. Its root is the $x^*$ above:

# %%
def dl(x, N=10, t=2, b=1):
    sigma = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
    s_neg = x * mpmath.mpf(N - 2) / (N - 1) - 1
    return -2 * t * sigma(b - t * (2 * x - 1)) + t * mpmath.mpf(N - 2) / (N - 1) * sigma(mpmath.log(N - 1) + t * s_neg - b)


with mpmath.workdps(40):
    by_hand = mpmath.findroot(dl, 0.9)
assert abs(by_hand - result.x_star) < mpmath.mpf(10) ** -28 and result.certified
assert result.converged and abs(result.loss_gap) < 1e-9

# %% [markdown]
# ## Is the CCEM optimal for this loss?
#
# `x_star` above is the best embedding *within the CCEM family*. `ccem_optimal` says whether
# the family contains the minimum over all embeddings ($d \ge N$): here `proof`, by the
# Jensen + Lemma 1 argument, its inequalities certified by Arb balls
# (`docs/extending.md`); the record's `scope` is then `global`.

# %%
print(result.ccem_optimal, result.scope)
for condition in result.optimality.conditions:
    print(" ", condition.name, "-", condition.how)
assert (result.ccem_optimal, result.scope) == ("proof", "global")

# %% [markdown]
# ## Where the regime changes along a parameter

# %%
changes = track_regimes(loss, 10, "b", "-3", "6", {"t": "2"}, points=40, digits=20)
for change in changes:
    print(change.below, "->", change.above, "at b =", mpmath.nstr(change.value, 12), change.certified)
assert [(c.below, c.above) for c in changes] == [("antipodal", "intermediate"), ("intermediate", "etf")]
with mpmath.workdps(30):   # each boundary is where l'(0) or l'(1) vanishes, by the hand l'
    for change, end in zip(changes, (0, 1)):
        assert abs(dl(end, b=change.value)) < 1e-15

# %% [markdown]
# ## A figure
#
# `analyse --plot FILE` draws the same from the shell; from Python:

# %%
import tempfile  # noqa: E402

from clverify.numerics.output.loss_figures import restriction_figure  # noqa: E402

written = restriction_figure(result, Path(tempfile.mkdtemp()) / "rowwise_sigmoid", loss)
print([str(p) for p in written])
