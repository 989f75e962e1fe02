"""Analysis of a finished sweep: sensitivity indices, summary tables and plots.

``analyze(folder)`` writes into ``folder/analysis/``:

* ``indices.csv`` (and ``indices_<outcome>.csv``): per outcome and parameter, the indices of the
  sweep's design, computed with SALib on the mean over replications of each design point:
  Sobol (``S1``, ``ST`` with confidence intervals, ``S2`` in ``indices_s2.csv`` if computed),
  Morris (``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``), Latin hypercube (RBD-FAST ``S1``),
  full factorial (main-effect variance share ``eta2``). Every design also gets the Spearman
  rank correlation over all runs.
* ``summary.csv``: distribution of every scalar outcome over all runs (mean, sd, percentiles) and
  ``noise_share``: the share of its variance that is within design points (seed noise) rather
  than between them.
* ``conditions_<outcome>.csv`` for 0/1 outcomes (``ever_*`` stats): the outcome's rate by bins of
  each parameter and the single threshold that splits the rate most.
* PNG plots: ``distributions.png``, ``scatter_<outcome>.png`` (each parameter against the outcome),
  ``indices_<outcome>.png``, and ``fan_<column>.png`` (median, 25-75 and 5-95 percentile bands over
  time) for every per-month series kept.
* ``report.md`` (the tables above as Markdown) and ``analysis.json``.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .spec import SweepError
from .storage import read_manifest, read_scalars, read_series, write_atomic, write_json

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
LABELS = {
    "malaysia_alignment": "Malaysia's alignment (-1 China, +1 US)",
    "malaysia_magnet_share_nonchina": "Malaysia's share of non-China magnet output",
    "malaysia_magnet_share_global": "Malaysia's share of world magnet output",
    "malaysia_oxide_share_global": "Malaysia's share of world NdPr oxide",
}


@dataclass
class Analysis:
    """What :func:`analyze` computed and wrote."""

    folder: Path
    out: Path
    method: str
    indices: pd.DataFrame
    summary: pd.DataFrame
    conditions: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def top(self, outcome: str, n: int = 5) -> pd.DataFrame:
        """The ``n`` parameters that matter most for ``outcome`` (by the design's main index)."""
        table = self.indices[self.indices["outcome"] == outcome]
        key = RANK_BY[self.method]
        return table.assign(_rank=table[key].abs()).sort_values("_rank", ascending=False, na_position="last").drop(columns="_rank").head(n)


RANK_BY = {"sobol": "ST", "morris": "mu_star", "rbd_fast": "S1", "main_effects": "eta2"}


# --------------------------------------------------------------------------------------------
# indices


def _problem(manifest: dict) -> dict:
    params = manifest["design"]["parameters"]
    return {"num_vars": len(params), "names": [p["path"] for p in params], "bounds": [[p["lo"], p["hi"]] for p in params]}


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    rx, ry = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()
    return float(np.corrcoef(rx, ry)[0, 1])


def _eta2(x: np.ndarray, y: np.ndarray) -> float:
    total = np.var(y)
    if total == 0:
        return float("nan")
    groups = pd.Series(y).groupby(x)
    between = sum(len(g) * (g.mean() - y.mean()) ** 2 for _, g in groups) / len(y)
    return float(between / total)


def indices_for(kind: str, manifest: dict, X: np.ndarray, Y: np.ndarray, runs_x: np.ndarray, runs_y: np.ndarray, seed: int) -> tuple[str, pd.DataFrame, pd.DataFrame | None, str]:
    """Sensitivity indices of one outcome: (method, table by parameter, S2 table or None, note)."""
    prob = _problem(manifest)
    names = prob["names"]
    table = pd.DataFrame({"parameter": names})
    s2 = None
    note = ""
    design = manifest["design"]
    finite = np.isfinite(Y).all()
    constant = finite and np.ptp(Y) == 0
    method = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast", "factorial": "main_effects"}[kind]
    metric_cols = {"sobol": ["S1", "S1_conf", "ST", "ST_conf"], "morris": ["mu", "mu_star", "sigma", "mu_star_conf"], "rbd_fast": ["S1", "S1_conf"], "main_effects": ["eta2"]}[method]
    if not finite:
        note = "outcome has missing values; indices not computed"
    elif constant:
        note = "outcome is the same in every run; indices not computed"
    if note:
        for col in metric_cols:
            table[col] = np.nan
    else:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                if method == "sobol":
                    from SALib.analyze import sobol

                    res = sobol.analyze(prob, Y, calc_second_order=bool(design.get("second_order")), num_resamples=200, seed=seed)
                    for col in metric_cols:
                        table[col] = np.asarray(res[col], dtype=float)
                    if design.get("second_order"):
                        s2 = pd.DataFrame(np.asarray(res["S2"], dtype=float), index=names, columns=names)
                elif method == "morris":
                    from SALib.analyze import morris

                    res = morris.analyze(prob, X, Y, num_levels=design.get("levels") or 4, num_resamples=200, seed=seed)
                    for col in metric_cols:
                        table[col] = np.asarray(res[col], dtype=float)
                elif method == "rbd_fast":
                    from SALib.analyze import rbd_fast

                    res = rbd_fast.analyze(prob, X, Y, M=min(10, max(1, len(Y) // 10)), num_resamples=200, seed=seed)
                    for col in metric_cols:
                        table[col] = np.asarray(res[col], dtype=float)
                else:
                    table["eta2"] = [_eta2(X[:, j], Y) for j in range(X.shape[1])]
            except Exception as err:  # noqa: BLE001 - a design too small for the estimator, say so
                note = f"{method} failed: {type(err).__name__}: {err}"
                for col in metric_cols:
                    table[col] = np.nan
    table["spearman"] = [_spearman(runs_x[:, j], runs_y) for j in range(runs_x.shape[1])]
    return method, table, s2, note


def conditions_table(x_by_param: dict[str, np.ndarray], y: np.ndarray, bins: int = 5) -> pd.DataFrame:
    """Rate of a 0/1 outcome by bins of each parameter, and each parameter's best single split."""
    rows = []
    for name, x in x_by_param.items():
        levels = np.unique(x)
        if len(levels) <= bins:
            groups = [(f"{v:g}", x == v) for v in levels]
        else:
            edges = np.quantile(x, np.linspace(0, 1, bins + 1))
            groups = []
            for i in range(bins):
                lo, hi = edges[i], edges[i + 1]
                mask = (x >= lo) & ((x <= hi) if i == bins - 1 else (x < hi))
                groups.append((f"{lo:.4g}-{hi:.4g}", mask))
        order = np.argsort(x, kind="stable")
        xs, ys = x[order], y[order]
        best = (0.0, float("nan"), float("nan"), float("nan"))
        n = len(xs)
        cum = np.cumsum(ys)
        for k in range(max(1, n // 10), n - max(1, n // 10)):
            if xs[k - 1] == xs[k]:
                continue
            below, above = cum[k - 1] / k, (cum[-1] - cum[k - 1]) / (n - k)
            if abs(below - above) > abs(best[0]):
                best = (below - above, (xs[k - 1] + xs[k]) / 2, below, above)
        for label, mask in groups:
            rows.append({
                "parameter": name, "bin": label, "runs": int(mask.sum()), "rate": float(y[mask].mean()) if mask.any() else float("nan"),
                "split_at": best[1], "rate_below_split": best[2], "rate_above_split": best[3],
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# plots (matplotlib's object API with the Agg canvas: no global backend is touched)


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
        ax.barh(y - 0.2, table["mu_star"], 0.4, xerr=table["mu_star_conf"], label="mu* (mean |effect|)", color="#4C72B0")
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


def plot_fan(dates: np.ndarray, bands: np.ndarray, column: str, path: Path, *, runs: int, band: tuple[float, float] | None = None, replay_until: str | None = None) -> Path:
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
    ax.set_title(f"{LABELS.get(column, column)}: percentiles over {runs:,} runs", fontsize=11)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.25)
    return _save(fig, path)


# --------------------------------------------------------------------------------------------
# the whole analysis


def _markdown(table: pd.DataFrame, digits: int = 3) -> str:
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in table.iterrows():
        cells = []
        for col in cols:
            value = row[col]
            if isinstance(value, (float, np.floating)):
                cells.append("" if not np.isfinite(value) else f"{value:.{digits}g}" if abs(value) >= 1000 else f"{value:.{digits}f}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def analyze(folder: str | Path, out: str | Path | None = None, *, plots: bool = True) -> Analysis:
    """Analyse a complete sweep folder; write tables and plots to ``out`` (default ``folder/analysis``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SweepError(f"{folder}: no such sweep folder")
    manifest = read_manifest(folder)
    design = manifest["design"]
    total = int(design["runs"])
    scalars = read_scalars(folder)
    if len(scalars) < total:
        raise SweepError(f"{folder}: sweep incomplete ({len(scalars):,} of {total:,} runs); rerun `magnetdiplomacy sweep` with the same file and --out to finish it")
    out = Path(out) if out is not None else folder / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    params = [p["path"] for p in design["parameters"]]
    names = [s["name"] for s in manifest["outcomes"]["scalars"]]
    stats = {s["name"]: s["stat"] for s in manifest["outcomes"]["scalars"]}
    kind = design["kind"]
    points = pd.read_parquet(folder / "design.parquet")
    X = points[params].to_numpy(dtype=float)
    seed = int(design.get("design_seed") or 0)
    files: list[Path] = []
    all_indices, summaries, conditions = [], [], {}
    method = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast", "factorial": "main_effects"}[kind]
    notes: dict[str, str] = {}
    s2_tables = {}
    runs_x = scalars[params].to_numpy(dtype=float)
    for name in names:
        y_runs = scalars[name].to_numpy(dtype=float)
        grouped = scalars.groupby("point")[name]
        Y = grouped.mean().reindex(range(len(points))).to_numpy(dtype=float)
        method, table, s2, note = indices_for(kind, manifest, X, Y, runs_x, y_runs, seed)
        if note:
            notes[name] = note
        if s2 is not None:
            s2_tables[name] = s2
        table.insert(0, "outcome", name)
        table.insert(1, "method", method)
        all_indices.append(table)
        total_var = np.nanvar(y_runs)
        within = grouped.var(ddof=0).mean() if manifest["design"]["replications"] > 1 else np.nan
        q = np.nanquantile(y_runs, QUANTILES) if np.isfinite(y_runs).any() else [np.nan] * 5
        summaries.append({
            "outcome": name, "runs": int(np.isfinite(y_runs).sum()), "mean": np.nanmean(y_runs), "sd": np.nanstd(y_runs),
            "min": np.nanmin(y_runs), "p5": q[0], "p25": q[1], "median": q[2], "p75": q[3], "p95": q[4], "max": np.nanmax(y_runs),
            "noise_share": float(within / total_var) if total_var > 0 and np.isfinite(within) else np.nan,
        })
        if stats.get(name, "").startswith("ever_"):
            conditions[name] = conditions_table({p: scalars[p].to_numpy(dtype=float) for p in params}, y_runs)
    indices = pd.concat(all_indices, ignore_index=True)
    summary = pd.DataFrame(summaries)

    def csv(frame: pd.DataFrame, filename: str) -> None:
        path = out / filename
        write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, float_format="%.6g"))
        files.append(path)

    csv(indices, "indices.csv")
    for name in names:
        csv(indices[indices["outcome"] == name].drop(columns=["outcome"]), f"indices_{name}.csv")
    if s2_tables:
        s2_long = pd.concat([t.stack(future_stack=True).rename("S2").rename_axis(["parameter", "with"]).reset_index().assign(outcome=name) for name, t in s2_tables.items()], ignore_index=True)
        csv(s2_long[["outcome", "parameter", "with", "S2"]], "indices_s2.csv")
    csv(summary, "summary.csv")
    for name, table in conditions.items():
        csv(table, f"conditions_{name}.csv")

    fans = {}
    if plots:
        files.append(plot_distributions(scalars, names, out / "distributions.png"))
        for name in names:
            files.append(plot_scatter(scalars, params, name, out / f"scatter_{name}.png"))
            table = indices[indices["outcome"] == name]
            if table.drop(columns=["outcome", "method", "parameter", "spearman"]).notna().any().any():
                files.append(plot_indices(table, method, name, out / f"indices_{name}.png"))
        bands_by_column = {}
        for spec in manifest["outcomes"]["scalars"]:
            if spec.get("band"):
                bands_by_column.setdefault(spec["column"], tuple(spec["band"]))
        series_cols = manifest["outcomes"]["series"]
        n_ticks = int(manifest["base"]["months"])
        replay = manifest.get("definition", {}).get("base", {}).get("replay", {})
        replay_until = replay.get("until") if replay.get("enabled") else None
        for column in series_cols:
            series = read_series(folder, [column])
            if series.empty:
                continue
            dates, bands = fan_data(series, column, n_ticks)
            fans[column] = {"dates": [str(d)[:7] for d in dates], **{f"p{int(q * 100)}": bands[i].tolist() for i, q in enumerate(QUANTILES)}}
            files.append(plot_fan(dates, bands, column, out / f"fan_{column}.png", runs=total, band=bands_by_column.get(column), replay_until=replay_until))
            del series

    # report.md and analysis.json
    lines = [f"# Sweep `{manifest['sweep']}`", ""]
    if manifest.get("description"):
        lines += [manifest["description"], ""]
    base = manifest["base"]
    lines += [
        f"- design: {kind} ({design['points']:,} points x {design['replications']} replications = {total:,} runs), seed {manifest['seed']} ({manifest['seeding']} seeding)",
        f"- base: `{base['scenario']}` with {base['set'] or 'no changes'}; {base['start']} to {base['end']}, {base['buyers']} buyers",
        "- parameters: " + ", ".join(f"`{p['path']}` [{p['lo']:g}, {p['hi']:g}]" if not p.get("values") else f"`{p['path']}` {p['values']}" for p in design["parameters"]),
        f"- magnetdiplomacy {manifest['version']}, git {manifest['git_commit']}",
        "",
        "## Outcomes over all runs",
        "",
        _markdown(summary),
        "",
        f"## Sensitivity ({method})",
        "",
    ]
    for name in names:
        table = indices[indices["outcome"] == name].drop(columns=["outcome", "method"])
        key = RANK_BY[method]
        table = table.assign(_r=table[key].abs()).sort_values("_r", ascending=False, na_position="last").drop(columns="_r")
        lines += [f"### {name}", ""]
        if name in notes:
            lines += [f"_{notes[name]}_", ""]
        lines += [_markdown(table), ""]
    for name, table in conditions.items():
        best = table.drop_duplicates("parameter").assign(gap=lambda t: (t["rate_below_split"] - t["rate_above_split"]).abs()).sort_values("gap", ascending=False)
        lines += [f"## When is `{name}` 1? Best single split per parameter", "", _markdown(best[["parameter", "split_at", "rate_below_split", "rate_above_split"]]), ""]
    lines += ["## Files", ""] + [f"- `{p.name}`" for p in files]
    report = out / "report.md"
    write_atomic(report, lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    files.append(report)
    payload: dict[str, Any] = {
        "sweep": manifest["sweep"], "fingerprint": manifest["fingerprint"], "method": method, "runs": total,
        "indices": json.loads(indices.to_json(orient="records")), "summary": json.loads(summary.to_json(orient="records")),
        "notes": notes, "fans": fans,
        "conditions": {name: json.loads(t.to_json(orient="records")) for name, t in conditions.items()},
    }
    write_json(out / "analysis.json", payload)
    files.append(out / "analysis.json")
    return Analysis(folder, out, method, indices, summary, conditions, files)
