"""Plots and the report of an ABC calibration folder (rewritten after every generation).

``plots/marginals.png``: each parameter's weighted posterior histogram over its prior range.
``plots/pairs.png``: pairwise scatter of the particles (dot size by weight) for the parameters the
Morris screening ranks most influential (or, without a screening, the most narrowed ones).
``report.md``: posterior median and 90 % interval per parameter, the generations, how often each
pattern is met in the last generation, and the Morris table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .posterior import weighted_quantiles

if TYPE_CHECKING:
    from .abc import AbcResult
    from .abc_config import AbcSettings

PAIRS = 6  # parameters in the pair plot: a readable grid at a small file size


def posterior_summary(settings: AbcSettings, frame: pd.DataFrame) -> pd.DataFrame:
    """Weighted median and 90 % interval of every parameter, with how much of the prior range the
    interval still covers (1 = nothing learnt)."""
    weights = frame["weight"].to_numpy(dtype=float)
    rows = []
    for name, (lo, hi) in settings.priors.items():
        q05, median, q95 = weighted_quantiles(frame[name].to_numpy(dtype=float), weights, (0.05, 0.5, 0.95))
        rows.append(
            {
                "parameter": name,
                "prior_lo": lo,
                "prior_hi": hi,
                "median": median,
                "q05": q05,
                "q95": q95,
                "width_share": (q95 - q05) / (0.9 * (hi - lo)),
            }
        )
    return pd.DataFrame(rows)


def _ranked(settings: AbcSettings, folder: Path, frame: pd.DataFrame) -> list[str]:
    """Parameters for the pair plot: by Morris mu* on the ABC distance, else by narrowing."""
    path = folder / "screening.parquet"
    if path.is_file():
        table = pd.read_parquet(path)
        total = table[table["output"] == "distance"].sort_values("rank")
        names = [n for n in total["parameter"] if n in settings.priors]
        if names:
            return names[:PAIRS]
    summary = posterior_summary(settings, frame).sort_values("width_share", kind="stable")
    return list(summary["parameter"])[:PAIRS]


def write_plots(settings: AbcSettings, folder: Path, frame: pd.DataFrame) -> None:
    """The marginal and pair plots of the last generation's particles (PNG, in ``plots/``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = folder / "plots"
    out.mkdir(parents=True, exist_ok=True)
    weights = frame["weight"].to_numpy(dtype=float)
    names = list(settings.priors)
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.2 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        lo, hi = settings.priors[name]
        values = frame[name].to_numpy(dtype=float)
        ax.hist(values, bins=20, range=(lo, hi), weights=weights, color="#4c72b0", alpha=0.8)
        ax.axvline(weighted_quantiles(values, weights, (0.5,))[0], color="black", lw=1)
        ax.set_xlim(lo, hi)
        ax.set_yticks([])
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle("Posterior marginals (weighted; prior range on the x axis; line: median)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "marginals.png", dpi=80)
    plt.close(fig)
    _pairs(settings, folder, frame, out)


def _pairs(settings: AbcSettings, folder: Path, frame: pd.DataFrame, out: Path) -> None:
    import matplotlib.pyplot as plt

    names = _ranked(settings, folder, frame)
    weights = frame["weight"].to_numpy(dtype=float)
    size = 40 * weights / max(weights.max(), 1e-12) + 1
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(1.7 * n + 0.5, 1.7 * n + 0.5), squeeze=False)
    for i, row in enumerate(names):
        for j, col in enumerate(names):
            ax = axes[i][j]
            if i == j:
                ax.hist(frame[row], bins=15, range=settings.priors[row], weights=weights, color="#4c72b0")
                ax.set_yticks([])
            else:
                ax.scatter(frame[col], frame[row], s=size, alpha=0.5, color="#4c72b0", linewidths=0)
                ax.set_ylim(*settings.priors[row])
            ax.set_xlim(*settings.priors[col])
            ax.tick_params(labelsize=6)
            if i == n - 1:
                ax.set_xlabel(col, fontsize=6)
            if j == 0 and i != j:
                ax.set_ylabel(row, fontsize=6)
    fig.suptitle("Posterior pairs (dot size: weight)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "pairs.png", dpi=80)
    plt.close(fig)


def _table(frame: pd.DataFrame) -> list[str]:
    """A DataFrame as Markdown table lines (numbers to 3-4 significant figures)."""

    def cell(value: object) -> str:
        if isinstance(value, float | np.floating):
            return "inf" if math.isinf(value) else f"{value:.4g}"
        return str(value)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines


def _morris_lines(folder: Path) -> list[str]:
    path = folder / "screening.parquet"
    if not path.is_file():
        return ["No Morris screening in this folder (screening.trajectories: 0)."]
    table = pd.read_parquet(path)
    total = table[table["output"] == "distance"].sort_values("rank")
    lines = [
        "Elementary effects on the ABC distance (tolerance units per Morris step; mu*: mean absolute effect, "
        "sigma: its spread, large when the effect depends on the other parameters or on seed noise):",
        "",
        *_table(total[["rank", "parameter", "mu_star", "sigma", "mu_star_conf"]]),
        "",
        "The three most influential parameters for each pattern (mu*):",
        "",
    ]
    rows = []
    for output, group in table[table["output"] != "distance"].groupby("output", sort=True):
        top = group.sort_values("rank").head(3)
        rows.append(
            {
                "pattern": output,
                "most influential": ", ".join(
                    f"{p} ({m:.3g})" for p, m in zip(top.parameter, top.mu_star, strict=True)
                ),
            }
        )
    return lines + _table(pd.DataFrame(rows))


def _fixed_lines(settings: AbcSettings) -> list[str]:
    fixed = [n for n in settings.all_priors or {} if n not in settings.priors]
    if not fixed:
        return []
    return [
        f"Fitted: the {len(settings.priors)} parameters the Morris screening ranks most influential on the ABC "
        f"distance (screening.keep). Not fitted (at the scenarios' values, i.e. configs/baseline.yaml): "
        f"{', '.join(fixed)}.",
        "",
    ]


def write_report(settings: AbcSettings, folder: Path, result: AbcResult) -> Path:
    """``report.md`` of the calibration folder."""
    frame = result.particles
    summary = posterior_summary(settings, frame)
    gens = result.generations.copy()
    gens["epsilon"] = [math.inf if e >= 1e11 else e for e in gens["epsilon"]]  # generation 0 takes every prior draw
    weights = frame["weight"].to_numpy(dtype=float)
    met = [
        {"pattern": c.removeprefix("d_"), "share of particles within tolerance": float(weights @ (frame[c] <= 1.0))}
        for c in frame.columns
        if c.startswith("d_")
    ]
    status = "complete" if result.complete else "in progress (rerun the same command to continue)"
    lines = [
        "# ABC-SMC calibration",
        "",
        f"Status: {status}{f' ({result.stopped})' if result.stopped else ''}. Calibration file "
        f"`{settings.source}`, patterns `{settings.patterns}`, seed {settings.seed}, {settings.population_size} "
        f"particles, {settings.seeds_per_simulation} model run(s) per experiment per simulation.",
        f"Simulations: {int(gens['simulations'].sum())}; sampling wall time {gens['wall_s'].sum():.0f} s.",
        "Distance: the worst pattern's distance in tolerance units (<= 1: every pattern within its tolerance).",
        "",
        "## Posterior (weighted; last generation)",
        "",
        *_fixed_lines(settings),
        "width_share: the 90 % interval's width over 90 % of the prior range (about 1: the patterns do not "
        "narrow the parameter).",
        "",
        *_table(summary),
        "",
        "## Generations",
        "",
        *_table(gens),
        "",
        "## Patterns in the last generation",
        "",
        *(_table(pd.DataFrame(met)) if met else ["(no per-pattern distances)"]),
        "",
        "## Morris screening",
        "",
        *_morris_lines(folder),
        "",
        "Plots: `plots/marginals.png`, `plots/pairs.png`.",
        "",
    ]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


__all__ = ["posterior_summary", "write_plots", "write_report"]
