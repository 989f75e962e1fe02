"""Plots of a sweep's analysis: outcome distributions, scatter against each parameter, sensitivity
indices and percentile fans over time (matplotlib's object API with the Agg canvas: no global
backend is touched)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..outputs import OUTPUTS
from .storage import write_atomic

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png"))
    return path


def _short(path: str) -> str:
    return path.split(".", 1)[-1] if "." in path else path


def plot_distributions(scalars: pd.DataFrame, names: list[str], path: Path) -> Path:
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig = _figure(4.2 * cols, 3.0 * rows)
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        values = scalars[name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        ax.hist(values, bins=min(40, max(5, int(np.sqrt(len(values))))), color="#4C72B0", edgecolor="white")
        if len(values):
            ax.axvline(np.median(values), color="black", lw=1, ls="--", label="median")
        ax.set_title(name, fontsize=10)
        ax.set_ylabel("runs")
    return _save(fig, path)


def plot_scatter(scalars: pd.DataFrame, params: list[str], name: str, path: Path) -> Path:
    cols = min(4, len(params))
    rows = math.ceil(len(params) / cols)
    fig = _figure(3.6 * cols, 2.9 * rows)
    y = scalars[name].to_numpy(dtype=float)
    for i, param in enumerate(params):
        ax = fig.add_subplot(rows, cols, i + 1)
        x = scalars[param].to_numpy(dtype=float)
        ax.scatter(x, y, s=6, alpha=0.35, color="#4C72B0", linewidths=0)
        levels = np.unique(x)
        if len(levels) > 8:
            edges = np.quantile(x, np.linspace(0, 1, 11))
            centre = (edges[:-1] + edges[1:]) / 2
            idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
            means = [np.nanmean(y[idx == k]) if (idx == k).any() else np.nan for k in range(10)]
            ax.plot(centre, means, color="#C44E52", lw=2)
        else:
            ax.plot(levels, [np.nanmean(y[x == v]) for v in levels], color="#C44E52", lw=2, marker="o")
        ax.set_xlabel(_short(param), fontsize=9)
        if i % cols == 0:
            ax.set_ylabel(name, fontsize=9)
    fig.suptitle(f"{name} against each parameter (red: binned mean)", fontsize=11)
    return _save(fig, path)


def plot_indices(table: pd.DataFrame, method: str, name: str, path: Path) -> Path:
    fig = _figure(7.5, 0.45 * len(table) + 1.6)
    ax = fig.add_subplot(1, 1, 1)
    labels = [_short(p) for p in table["parameter"]]
    y = np.arange(len(table))
    if method == "sobol":
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="S1 (first order)", color="#4C72B0")
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="ST (total)", color="#DD8452")
        ax.set_xlabel("Sobol index")
    elif method == "morris":
        ax.barh(
            y - 0.2, table["mu_star"], 0.4, xerr=table["mu_star_conf"], label="mu* (mean |effect|)", color="#4C72B0"
        )
        ax.barh(y + 0.2, table["sigma"], 0.4, label="sigma (non-linearity, interactions)", color="#DD8452")
        ax.set_xlabel("elementary effect (outcome units over the parameter's range)")
    elif method == "rbd_fast":
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="S1 (RBD-FAST)", color="#4C72B0")
        ax.barh(y + 0.2, table["spearman"].abs(), 0.4, label="|Spearman rho|", color="#DD8452")
        ax.set_xlabel("index")
    else:
        ax.barh(y - 0.2, table["eta2"], 0.4, label="eta2 (main effect share)", color="#4C72B0")
        ax.barh(y + 0.2, table["spearman"].abs(), 0.4, label="|Spearman rho|", color="#DD8452")
        ax.set_xlabel("index")
    ax.set_yticks(y, labels, fontsize=9)
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{name}: {method} indices", fontsize=11)
    return _save(fig, path)


def fan_data(series: pd.DataFrame, column: str, n_ticks: int) -> tuple[np.ndarray, np.ndarray]:
    values = series[column].to_numpy(dtype=float).reshape(-1, n_ticks)
    dates = series["date"].to_numpy()[:n_ticks]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bands = np.nanquantile(values, QUANTILES, axis=0)
    return dates, bands


def plot_fan(
    dates: np.ndarray,
    bands: np.ndarray,
    column: str,
    path: Path,
    *,
    runs: int,
    band: tuple[float, float] | None = None,
    replay_until: str | None = None,
) -> Path:
    fig = _figure(8.5, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    x = pd.to_datetime(dates)
    ax.fill_between(x, bands[0], bands[4], color="#4C72B0", alpha=0.18, label="5-95%")
    ax.fill_between(x, bands[1], bands[3], color="#4C72B0", alpha=0.35, label="25-75%")
    ax.plot(x, bands[2], color="#1f3d73", lw=1.8, label="median")
    if band is not None:
        for edge in band:
            ax.axhline(edge, color="#C44E52", lw=1, ls="--")
        ax.axhspan(band[0], band[1], color="#C44E52", alpha=0.05, label=f"neutral band [{band[0]:g}, {band[1]:g}]")
    if replay_until:
        ax.axvline(pd.Timestamp(f"{replay_until}-01"), color="grey", lw=1, ls=":", label="history replayed until here")
    ax.set_title(
        f"{OUTPUTS[column].label if column in OUTPUTS else column}: percentiles over {runs:,} runs", fontsize=11
    )
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.25)
    return _save(fig, path)
