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
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .inputs import check_output_folder
from .plots import QUANTILES, fan_data, plot_distributions, plot_fan, plot_indices, plot_scatter
from .spec import SweepError
from .storage import finished_sweep, is_folder, read_series, write_atomic, write_json


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
        return (
            table.assign(_rank=table[key].abs())
            .sort_values("_rank", ascending=False, na_position="last")
            .drop(columns="_rank")
            .head(n)
        )


RANK_BY = {"sobol": "ST", "morris": "mu_star", "rbd_fast": "S1", "main_effects": "eta2"}


# --------------------------------------------------------------------------------------------
# indices


def _problem(manifest: dict) -> dict:
    params = manifest["design"]["parameters"]
    return {
        "num_vars": len(params),
        "names": [p["path"] for p in params],
        "bounds": [[p["lo"], p["hi"]] for p in params],
    }


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


def indices_for(
    kind: str, manifest: dict, X: np.ndarray, Y: np.ndarray, runs_x: np.ndarray, runs_y: np.ndarray, seed: int
) -> tuple[str, pd.DataFrame, pd.DataFrame | None, str]:
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
    metric_cols = {
        "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
        "morris": ["mu", "mu_star", "sigma", "mu_star_conf"],
        "rbd_fast": ["S1", "S1_conf"],
        "main_effects": ["eta2"],
    }[method]
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

                    res = sobol.analyze(
                        prob, Y, calc_second_order=bool(design.get("second_order")), num_resamples=200, seed=seed
                    )
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
            rows.append(
                {
                    "parameter": name,
                    "bin": label,
                    "runs": int(mask.sum()),
                    "rate": float(y[mask].mean()) if mask.any() else float("nan"),
                    "split_at": best[1],
                    "rate_below_split": best[2],
                    "rate_above_split": best[3],
                }
            )
    return pd.DataFrame(rows)


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
                number = float(value)
                if not np.isfinite(number):
                    cells.append("")
                else:
                    cells.append(f"{number:.{digits}g}" if abs(number) >= 1000 else f"{number:.{digits}f}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass
class _Tables:
    """The tables of every scalar outcome (see :func:`_outcome_tables`)."""

    method: str
    indices: pd.DataFrame
    summary: pd.DataFrame
    conditions: dict[str, pd.DataFrame]
    s2: dict[str, pd.DataFrame]
    notes: dict[str, str]


def _summary_row(name: str, y_runs: np.ndarray, within: float) -> dict[str, Any]:
    """The distribution of one outcome over all runs, and the share of its variance that is seed noise."""
    total_var = np.nanvar(y_runs)
    q = np.nanquantile(y_runs, QUANTILES) if np.isfinite(y_runs).any() else [np.nan] * 5
    return {
        "outcome": name,
        "runs": int(np.isfinite(y_runs).sum()),
        "mean": np.nanmean(y_runs),
        "sd": np.nanstd(y_runs),
        "min": np.nanmin(y_runs),
        "p5": q[0],
        "p25": q[1],
        "median": q[2],
        "p75": q[3],
        "p95": q[4],
        "max": np.nanmax(y_runs),
        "noise_share": float(within / total_var) if total_var > 0 and np.isfinite(within) else np.nan,
    }


def _outcome_tables(manifest: dict, scalars: pd.DataFrame, points: pd.DataFrame) -> _Tables:
    """Sensitivity indices, summary and (for 0/1 outcomes) conditions of every scalar outcome."""
    design = manifest["design"]
    kind = design["kind"]
    params = [p["path"] for p in design["parameters"]]
    stats = {s["name"]: s["stat"] for s in manifest["outcomes"]["scalars"]}
    X = points[params].to_numpy(dtype=float)
    seed = int(design.get("design_seed") or 0)
    method = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast", "factorial": "main_effects"}[kind]
    all_indices, summaries = [], []
    tables = _Tables(method, pd.DataFrame(), pd.DataFrame(), {}, {}, {})
    runs_x = scalars[params].to_numpy(dtype=float)
    for name in [s["name"] for s in manifest["outcomes"]["scalars"]]:
        y_runs = scalars[name].to_numpy(dtype=float)
        grouped = scalars.groupby("point")[name]
        Y = grouped.mean().reindex(range(len(points))).to_numpy(dtype=float)
        tables.method, table, s2, note = indices_for(kind, manifest, X, Y, runs_x, y_runs, seed)
        if note:
            tables.notes[name] = note
        if s2 is not None:
            tables.s2[name] = s2
        table.insert(0, "outcome", name)
        table.insert(1, "method", tables.method)
        all_indices.append(table)
        within = grouped.var(ddof=0).mean() if design["replications"] > 1 else np.nan
        summaries.append(_summary_row(name, y_runs, within))
        if stats.get(name, "").startswith("ever_"):
            tables.conditions[name] = conditions_table({p: scalars[p].to_numpy(dtype=float) for p in params}, y_runs)
    tables.indices = pd.concat(all_indices, ignore_index=True)
    tables.summary = pd.DataFrame(summaries)
    return tables


def _write_tables(out: Path, tables: _Tables, names: list[str], files: list[Path]) -> None:
    """The CSV files: indices (all, per outcome, S2), summary and conditions."""

    def csv(frame: pd.DataFrame, filename: str) -> None:
        path = out / filename
        write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, float_format="%.6g"))
        files.append(path)

    indices = tables.indices
    csv(indices, "indices.csv")
    for name in names:
        csv(indices[indices["outcome"] == name].drop(columns=["outcome"]), f"indices_{name}.csv")
    if tables.s2:
        s2_long = pd.concat(
            [
                t.stack(future_stack=True)
                .rename("S2")
                .rename_axis(["parameter", "with"])
                .reset_index()
                .assign(outcome=name)
                for name, t in tables.s2.items()
            ],
            ignore_index=True,
        )
        csv(s2_long[["outcome", "parameter", "with", "S2"]], "indices_s2.csv")
    csv(tables.summary, "summary.csv")
    for name, table in tables.conditions.items():
        csv(table, f"conditions_{name}.csv")


def _plot_outcomes(
    scalars: pd.DataFrame, tables: _Tables, params: list[str], names: list[str], out: Path
) -> list[Path]:
    """Distributions of all outcomes; per outcome, scatter against each parameter and the indices."""
    files = [plot_distributions(scalars, names, out / "distributions.png")]
    for name in names:
        files.append(plot_scatter(scalars, params, name, out / f"scatter_{name}.png"))
        table = tables.indices[tables.indices["outcome"] == name]
        if table.drop(columns=["outcome", "method", "parameter", "spearman"]).notna().any().any():
            files.append(plot_indices(table, tables.method, name, out / f"indices_{name}.png"))
    return files


def _plot_fans(folder: Path, manifest: dict, out: Path, files: list[Path]) -> dict[str, dict]:
    """A percentile fan over time for every series kept; returns the fans' numbers by column."""
    bands_by_column: dict[str, tuple[float, float]] = {}
    for spec in manifest["outcomes"]["scalars"]:
        if spec.get("band"):
            low, high = spec["band"]
            bands_by_column.setdefault(spec["column"], (low, high))
    n_ticks = int(manifest["base"]["months"])
    replay = manifest.get("definition", {}).get("base", {}).get("replay", {})
    replay_until = replay.get("until") if replay.get("enabled") else None
    fans = {}
    for column in manifest["outcomes"]["series"]:
        series = read_series(folder, [column])
        if series.empty:
            continue
        dates, bands = fan_data(series, column, n_ticks)
        fans[column] = {
            "dates": [str(d)[:7] for d in dates],
            **{f"p{int(q * 100)}": bands[i].tolist() for i, q in enumerate(QUANTILES)},
        }
        files.append(
            plot_fan(
                dates,
                bands,
                column,
                out / f"fan_{column}.png",
                runs=int(manifest["design"]["runs"]),
                band=bands_by_column.get(column),
                replay_until=replay_until,
            )
        )
        del series
    return fans


def _report_head(manifest: dict) -> list[str]:
    """The report's title and what was run."""
    design, base = manifest["design"], manifest["base"]
    lines = [f"# Sweep `{manifest['sweep']}`", ""]
    if manifest.get("description"):
        lines += [manifest["description"], ""]
    return lines + [
        f"- design: {design['kind']} ({design['points']:,} points x {design['replications']} replications = "
        f"{int(design['runs']):,} runs), seed {manifest['seed']} ({manifest['seeding']} seeding)",
        f"- base: `{base['scenario']}` with {base['set'] or 'no changes'}; {base['start']} to {base['end']}, "
        f"{base['buyers']} buyers",
        "- parameters: "
        + ", ".join(
            f"`{p['path']}` [{p['lo']:g}, {p['hi']:g}]" if not p.get("values") else f"`{p['path']}` {p['values']}"
            for p in design["parameters"]
        ),
        f"- magnetdiplomacy {manifest['version']}, git {manifest['git_commit']}",
        "",
    ]


def _report_lines(manifest: dict, tables: _Tables, names: list[str], files: list[Path]) -> list[str]:
    """report.md: what was run, the outcomes, the indices, the conditions and the files."""
    method = tables.method
    lines = _report_head(manifest)
    lines += ["## Outcomes over all runs", "", _markdown(tables.summary), "", f"## Sensitivity ({method})", ""]
    for name in names:
        table = tables.indices[tables.indices["outcome"] == name].drop(columns=["outcome", "method"])
        key = RANK_BY[method]
        table = (
            table.assign(_r=table[key].abs()).sort_values("_r", ascending=False, na_position="last").drop(columns="_r")
        )
        lines += [f"### {name}", ""]
        if name in tables.notes:
            lines += [f"_{tables.notes[name]}_", ""]
        lines += [_markdown(table), ""]
    for name, table in tables.conditions.items():
        best = (
            table.drop_duplicates("parameter")
            .assign(gap=lambda t: (t["rate_below_split"] - t["rate_above_split"]).abs())
            .sort_values("gap", ascending=False)
        )
        lines += [
            f"## When is `{name}` 1? Best single split per parameter",
            "",
            _markdown(best[["parameter", "split_at", "rate_below_split", "rate_above_split"]]),
            "",
        ]
    return lines + ["## Files", ""] + [f"- `{p.name}`" for p in files]


def analyze(folder: str | Path, out: str | Path | None = None, *, plots: bool = True) -> Analysis:
    """Analyse a complete sweep folder; write tables and plots to ``out`` (default ``folder/analysis``)."""
    folder = Path(folder)
    if not is_folder(folder):
        raise SweepError(f"{folder}: no such sweep folder")
    out = check_output_folder(Path(out) if out is not None else folder / "analysis", "--out" if out else "")
    manifest, scalars = finished_sweep(folder)
    out.mkdir(parents=True, exist_ok=True)
    params = [p["path"] for p in manifest["design"]["parameters"]]
    names = [s["name"] for s in manifest["outcomes"]["scalars"]]
    tables = _outcome_tables(manifest, scalars, pd.read_parquet(folder / "design.parquet"))
    files: list[Path] = []
    _write_tables(out, tables, names, files)
    fans: dict[str, dict] = {}
    if plots:
        files += _plot_outcomes(scalars, tables, params, names, out)
        fans = _plot_fans(folder, manifest, out, files)
    report = out / "report.md"
    lines = _report_lines(manifest, tables, names, files)
    write_atomic(report, lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    files.append(report)
    payload: dict[str, Any] = {
        "sweep": manifest["sweep"],
        "fingerprint": manifest["fingerprint"],
        "method": tables.method,
        "runs": int(manifest["design"]["runs"]),
        "indices": json.loads(tables.indices.to_json(orient="records")),
        "summary": json.loads(tables.summary.to_json(orient="records")),
        "notes": tables.notes,
        "fans": fans,
        "conditions": {name: json.loads(t.to_json(orient="records")) for name, t in tables.conditions.items()},
    }
    write_json(out / "analysis.json", payload)
    files.append(out / "analysis.json")
    return Analysis(folder, out, tables.method, tables.indices, tables.summary, tables.conditions, files)
