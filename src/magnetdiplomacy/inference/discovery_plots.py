"""Plots of a scenario discovery (:mod:`.discovery`): PRIM's coverage-density trade-off and the
limits of the chosen box (matplotlib's object API with the Agg canvas: no global backend is touched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..sweeps.plots import _figure, _save


def plot_tradeoff(result: Any, path: Path) -> Path:
    """Coverage against density of every step of the peeling trajectory, coloured by the number of
    restricted parameters; the chosen box circled, the coverage floor and density threshold drawn."""
    traj = result.trajectory[result.trajectory["phase"] == "peel"]
    fig = _figure(6.5, 4.8)
    ax = fig.add_subplot(1, 1, 1)
    points = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=22, zorder=3)
    fig.colorbar(points, ax=ax, label="restricted parameters")
    if not result.constrained:  # one peeling path; the constrained front is many
        ax.plot(traj["coverage"], traj["density"], color="0.7", linewidth=0.8, zorder=2)
    chosen = result.trajectory.iloc[result.chosen]
    ax.scatter(
        [chosen["coverage"]], [chosen["density"]], s=160, facecolors="none", edgecolors="crimson", linewidths=2,
        zorder=4, label="chosen box",
    )  # fmt: skip
    ax.axvline(result.min_coverage, color="0.4", linestyle="--", linewidth=1, label="minimum coverage")
    ax.axhline(result.threshold, color="0.4", linestyle=":", linewidth=1, label="density threshold")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of runs with the outcome inside the box)")
    ax.set_ylabel("density (share of runs in the box with the outcome)")
    ax.set_title(f"PRIM trade-off: {result.label or result.outcome.text}"[:90], fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_box_limits(result: Any, path: Path) -> Path:
    """Each restricted parameter's sweep range as a grey bar (scaled to 0-1) and the chosen box's
    limits on it as a coloured bar, with the limits written beside it."""
    limits = result.limits
    n = len(limits)
    fig = _figure(7.5, 1.0 + 0.55 * n)
    ax = fig.add_subplot(1, 1, 1)
    for i, (_, row) in enumerate(limits.iterrows()):
        lo, hi = row["sweep_lo"], row["sweep_hi"]
        span = hi - lo if hi > lo else 1.0
        a, b = (row["lower"] - lo) / span, (row["upper"] - lo) / span
        y = n - 1 - i
        ax.barh(y, 1.0, left=0.0, color="0.88", height=0.5)
        ax.barh(y, max(b - a, 0.005), left=a, color="tab:blue", height=0.5)
        ax.text(1.02, y, f"{row['lower']:.3g} - {row['upper']:.3g}", va="center", fontsize=8)
    ax.set_yticks(np.arange(n)[::-1], [str(p) for p in limits["parameter"]], fontsize=8)
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.5, 1], ["sweep low", "mid", "sweep high"])
    stats = result.stats
    ax.set_title(
        f"Box: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, mass {stats['mass']:.2f}", fontsize=10
    )
    return _save(fig, path)
