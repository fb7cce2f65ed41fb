r"""Figures of one loss (``clverify analyse --plot FILE``): its CCEM restriction :math:`\ell(x)`
with the optimum marked, and (with ``--sweep-param``) :math:`x^*` along the parameter over the
regime bands.  Both write PNG and PDF (matplotlib's Agg canvas, no global backend change).

>>> import tempfile, pathlib
>>> from clverify.numerics.analyse import analyse
>>> result = analyse("sigmoid", 10, params={"t": "2", "b": "1"}, gd=False)
>>> written = restriction_figure(result, pathlib.Path(tempfile.mkdtemp()) / "sigmoid")
>>> [p.suffix for p in written], all(p.stat().st_size > 0 for p in written)
(['.png', '.pdf'], True)
"""

from __future__ import annotations

from pathlib import Path

import mpmath
from matplotlib.figure import Figure

from clverify.theory.losses import LOSSES

from ..precision.restriction import Restriction, split_parameters
from .figures import _save

__all__ = ["restriction_curve", "restriction_figure", "track_figure", "CURVE_POINTS", "REGIME_COLOURS"]

#: Points of x in [0, 1] at which l(x) is drawn.
CURVE_POINTS = 201


def _title(result) -> str:
    shown = ", ".join(f"{k} = {v}" for k, v in result.params.items())
    return f"{result.loss_name}, N = {result.N}" + (f", {shown}" if shown else "")


def restriction_curve(result, loss=None) -> tuple[list[float], list[float]]:
    r"""``(xs, ys)``: :math:`\ell(x)` of ``result``'s loss at :data:`CURVE_POINTS` points of
    :math:`[0, 1]` (mpmath, rounded to float64)."""
    loss = loss or LOSSES[result.loss_name]
    numeric, fixed = split_parameters(result.params)
    ell = Restriction.of(loss, tuple(numeric), tuple(sorted(fixed.items()))).compiled(0, "mpmath")
    xs = [k / (CURVE_POINTS - 1) for k in range(CURVE_POINTS)]
    with mpmath.workdps(20):
        values = [p.mpf() for p in numeric.values()]
        return xs, [float(ell(mpmath.mpf(x), result.N, *values)) for x in xs]


def restriction_figure(result, out, loss=None) -> list[Path]:
    r"""Draw :math:`\ell(x)` on :math:`[0, 1]` for an :class:`~clverify.numerics.analyse.Analysis`
    ``result`` (``loss``: its :class:`~clverify.theory.losses.Loss`, needed for a user's loss),
    with :math:`x^*` marked and, where gradient descent ran in :math:`d \ge N`, its loss as a
    horizontal line; write ``out`` as PNG and PDF and return both paths."""
    xs, ys = restriction_curve(result, loss)
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.plot(xs, ys, color="C0", label=r"$\ell(x)$ on the CCEM, $x = \delta^2$")
    x_star = float(result.x_star)
    ax.axvline(x_star, color="C1", linestyle="--", linewidth=0.8)
    ax.plot([x_star], [float(result.loss)], "o", color="C1",
            label=f"$x^* = {mpmath.nstr(result.x_star, 8)}$ ({result.regime}"
                  + (", certified)" if result.certified else ", not certified)"))
    if result.gd_loss is not None and result.d >= result.N:
        ax.axhline(result.gd_loss, color="C2", linestyle=":",
                   label=f"gradient descent, d = {result.d}: {result.gd_loss:.6g}")
    ax.set_xlabel(r"$x = \delta^2$ ($0$: antipodal, $1$: ETF)")
    ax.set_ylabel("loss")
    ax.set_xlim(0, 1)
    ax.set_title(_title(result), fontsize=10)
    ax.legend(fontsize=8)
    return _save(fig, Path(out))


#: Band colours of the regimes in :func:`track_figure`.
REGIME_COLOURS = {"etf": "C2", "intermediate": "C0", "antipodal": "C3", "degenerate": "C7"}


def track_figure(track, out, loss_name: str, N: int) -> list[Path]:
    r"""Draw :math:`x^*` along the swept parameter of ``track`` (a
    :class:`~clverify.numerics.precision.regime_sweep.RegimeTrack`) over bands coloured by the
    regime at each grid point, with its events marked (a regime change solid, a jump dashed);
    write ``out`` as PNG and PDF and return both paths."""
    grid = [float(p) for p in track.grid]
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    edges = [grid[0]] + [(a + b) / 2 for a, b in zip(grid, grid[1:])] + [grid[-1]]
    shown = set()
    for k, regime in enumerate(track.regimes):
        ax.axvspan(edges[k], edges[k + 1], color=REGIME_COLOURS.get(regime, "C7"), alpha=0.15, lw=0,
                   label=regime if regime not in shown else None)
        shown.add(regime)
    xs = [float(x) for x in track.x_star]
    jumps = [float(e.value) for e in track if e.event == "jump"]
    cuts = [0] + [k + 1 for k in range(len(grid) - 1) if any(grid[k] < v < grid[k + 1] for v in jumps)]
    for start, end in zip(cuts, cuts[1:] + [len(grid)]):   # no line across a jump
        ax.plot(grid[start:end], xs[start:end], ".-", color="k", markersize=3, linewidth=0.8,
                label=r"$x^*$ (global minimiser on the CCEM)" if start == 0 else None)
    for event in track:
        ax.axvline(float(event.value), color="k", linestyle="--" if event.event == "jump" else "-",
                   linewidth=0.8)
    param = track[0].param if len(track) else "parameter"
    ax.set_xlabel(param)
    ax.set_ylabel(r"$x^* = \delta^{*2}$")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_title(f"{loss_name}, N = {N}: regimes along {param} (solid: change, dashed: jump)", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, Path(out))
