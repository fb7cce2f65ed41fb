r"""Figures: the paper's s(N, t) figure, reproduced and corrected, and the (t, b) phase diagram.

:func:`paper_figure` runs the paper's grid (:data:`PAPER_N` x :data:`PAPER_T`, ``t = b``,
``d = N``) and draws the mean positive similarity :math:`s` as four panels on one colour
scale covering :math:`[-1, 1]`:

(a) the paper's encoder as published (final ReLU, 100 full-batch SGD steps, lr 0.5);
(b) the same encoder without the final ReLU;
(c) free embeddings optimised to convergence (batched Riemannian L-BFGS);
(d) the theory :math:`s^*(N, t)` of the optimal CCEM (:func:`clverify.numerics.precision.ccem_optimum.sigmoid_optimum`);

each with the threshold curves :math:`t_E(N)` and :math:`t_A(N)` from
:mod:`clverify.numerics.precision.thresholds`.  :func:`phase_figure` draws, for one ``N``, the regions where the
ETF / an intermediate CCEM / the antipodal structure is optimal, the boundaries
:math:`b_E(N, t)` and :math:`b_A(N, t)`, the diagonal :math:`t = b` and contours of
:math:`s^*`.  Both write PNG and PDF (matplotlib's Agg canvas, no global backend change).

>>> round(theory_s_pos(10, 5.0, 5.0), 12)   # the ETF: s* = 1
1.0
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from tqdm import tqdm

from clverify.numerics.precision.ccem_optimum import sigmoid_optimum
from clverify.numerics.precision.thresholds import (
    antipodal_boundary_b,
    antipodal_threshold_tb,
    etf_boundary_b,
    etf_threshold_tb,
)
from clverify.theory.params import check_batch_size

__all__ = [
    "PAPER_N",
    "PAPER_T",
    "QUICK_N",
    "QUICK_T",
    "theory_s_pos",
    "thresholds_tb",
    "paper_grid_data",
    "paper_figure",
    "phase_figure",
]

#: The paper's grid: N = 4..50, t = b in linspace(0.1, 5, 10), d = N.
PAPER_N = tuple(range(4, 51))
PAPER_T = tuple(float(v) for v in np.linspace(0.1, 5, 10))
#: The ``quick`` grid (a few seconds).
QUICK_N = (4, 6, 8)
QUICK_T = tuple(float(v) for v in np.linspace(0.1, 5, 3))
#: Digits of the theory values drawn (far beyond what a figure shows).
FIGURE_DIGITS = 20
#: Phase diagram ranges and resolutions (full, quick).
PHASE_T = (0.05, 8.0)
PHASE_B = (-3.0, 5.0)
PHASE_RES = (41, 9)
#: Points of t at which the (closed-form, certified) boundaries b_E, b_A are drawn and filled.
PHASE_BOUNDARY_POINTS = 400
COLOUR_SCALE = (-1.0, 1.0)
_CMAP = "RdBu_r"


def theory_s_pos(N: int, t: float, b: float) -> float:
    r""":math:`s^* = 2x^* - 1`, the positive similarity of the optimal CCEM, as a float.

    >>> theory_s_pos(10, 0.1, 0.1)   # antipodal
    -1.0
    """
    return float(sigmoid_optimum(N, t, b, digits=FIGURE_DIGITS).s_pos)


def thresholds_tb(N: int) -> tuple[float | None, float | None]:
    """``(t_E(N), t_A(N))`` as floats, ``None`` where the threshold does not exist.

    >>> thresholds_tb(3)
    (None, None)
    """
    tE = etf_threshold_tb(N, digits=FIGURE_DIGITS).value
    tA = antipodal_threshold_tb(N, digits=FIGURE_DIGITS).value
    return (None if tE is None else float(tE)), (None if tA is None else float(tA))


def paper_grid_data(Ns=PAPER_N, ts=PAPER_T, *, steps: int = 100, restarts: int = 1,
                    seed: int = 0, quiet: bool = True) -> dict:
    """The four ``len(Ns) x len(ts)`` arrays of :math:`s` drawn by :func:`paper_figure`."""
    from clverify.numerics.descent.encoder import encoder_experiment
    from clverify.numerics.descent.optimise import optimise_batch

    Ns, ts = tuple(Ns), tuple(float(t) for t in ts)
    data = {k: np.full((len(Ns), len(ts)), np.nan) for k in ("encoder", "encoder_no_relu", "free", "theory")}
    for i, N in enumerate(tqdm(Ns, desc="figure", disable=quiet, leave=False)):
        for key, relu in (("encoder", True), ("encoder_no_relu", False)):
            res = encoder_experiment(N, N, t=list(ts), b=list(ts), steps=steps, final_relu=relu, seeds=seed)
            data[key][i] = [r.s_pos_mean for r in res]
        res = optimise_batch(N, N, t=list(ts), b=list(ts), seeds=seed, restarts=restarts)
        data["free"][i] = [r.s_pos_mean for r in res]
        data["theory"][i] = [theory_s_pos(N, t, t) for t in ts]
    return data


def _edges(values):
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _save(fig: Figure, out: Path) -> list[Path]:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    paths = [out.with_suffix(".png"), out.with_suffix(".pdf")]
    for p in paths:
        fig.savefig(p, dpi=150, bbox_inches="tight")
    return paths


def paper_figure(out, *, quick: bool = False, steps: int = 100, restarts: int = 1,
                 seed: int = 0, quiet: bool = True) -> list[Path]:
    """Draw the four-panel s(N, t) figure; write ``out`` as PNG and PDF, return both paths."""
    Ns, ts = (QUICK_N, QUICK_T) if quick else (PAPER_N, PAPER_T)
    data = paper_grid_data(Ns, ts, steps=steps, restarts=restarts, seed=seed, quiet=quiet)
    th = [thresholds_tb(N) for N in Ns]
    panels = (
        ("encoder", f"(a) encoder as published: final ReLU, {steps} SGD steps"),
        ("encoder_no_relu", f"(b) encoder without final ReLU, {steps} SGD steps"),
        ("free", "(c) free embeddings, L-BFGS to convergence"),
        ("theory", r"(d) theory $s^*(N, t)$ (optimal CCEM)"),
    )
    fig = Figure(figsize=(11, 9), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    te, ta = _edges(ts), _edges(Ns)
    for ax, (key, title) in zip(axes, panels):
        mesh = ax.pcolormesh(te, ta, data[key], cmap=_CMAP, vmin=COLOUR_SCALE[0], vmax=COLOUR_SCALE[1])
        for idx, style, label in ((0, "-", r"$t_E(N)$ (ETF for $t \geq t_E$)"),
                                  (1, "--", r"$t_A(N)$ (antipodal for $t \leq t_A$)")):
            pts = [(v[idx], N) for v, N in zip(th, Ns) if v[idx] is not None]
            if pts:
                x, y = zip(*pts)
                ax.plot(x, y, style, color="k", lw=1.5, label=label)
        ax.set_xlim(te[0], te[-1])
        ax.set_ylim(ta[0], ta[-1])
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("t = b")
        ax.set_ylabel("N (d = N)")
    axes[0].legend(loc="upper left", fontsize=8)
    fig.colorbar(mesh, ax=axes.tolist(), label="mean positive similarity s", shrink=0.8)
    return _save(fig, out)


def phase_figure(N: int, out, *, quick: bool = False, quiet: bool = True) -> list[Path]:
    r"""The (t, b) phase diagram of the sigmoid loss for one ``N``; PNG and PDF paths."""
    N = check_batch_size("N", N, 3)
    res = PHASE_RES[1] if quick else PHASE_RES[0]
    ts = np.linspace(*PHASE_T, res)
    bs = np.linspace(*PHASE_B, res)
    s = np.zeros((res, res))
    for j, t in enumerate(tqdm(ts, desc=f"phase N={N}", disable=quiet, leave=False)):
        for i, b in enumerate(bs):
            s[i, j] = float(sigmoid_optimum(N, float(t), float(b), digits=FIGURE_DIGITS).s_pos)
    fine = np.linspace(*PHASE_T, PHASE_BOUNDARY_POINTS)
    bE = np.array([float(etf_boundary_b(N, float(t), digits=FIGURE_DIGITS).value) for t in fine])
    bA = np.array([float(antipodal_boundary_b(N, float(t), digits=FIGURE_DIGITS).value) for t in fine])
    fig = Figure(figsize=(7, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.set_facecolor("#f7f7f7")  # intermediate CCEM
    ax.fill_between(fine, bE, PHASE_B[1], color="#f4a582", lw=0)  # ETF: b >= b_E(N, t)
    ax.fill_between(fine, PHASE_B[0], bA, color="#92c5de", lw=0)  # antipodal: b <= b_A(N, t)
    cs = ax.contour(ts, bs, s, levels=np.linspace(-0.75, 0.75, 7), colors="0.35", linewidths=0.8)
    ax.clabel(cs, fontsize=7, fmt="%.2f")
    ax.plot(fine, bE, "-", color="k", lw=1.5, label=r"$b_E(N, t)$")
    ax.plot(fine, bA, "--", color="k", lw=1.5, label=r"$b_A(N, t)$")
    ax.plot(ts, ts, ":", color="k", lw=1.2, label="t = b")
    ax.set_xlim(*PHASE_T)
    ax.set_ylim(*PHASE_B)
    ax.set_xlabel("t (multiplies the similarity)")
    ax.set_ylabel("b (subtracted from the logit)")
    ax.set_title(f"Sigmoid loss, N = {N}: ETF (orange), intermediate CCEM (white), "
                 f"antipodal (blue); contours of $s^*$", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, out)
