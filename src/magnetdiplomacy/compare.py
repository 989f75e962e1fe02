"""Paired comparison of two scenarios: the same seeds in both, so every draw the difference does not
touch is shared (common random numbers, see :mod:`magnetdiplomacy.mechanisms.streams`) and the
differences seed by seed measure the scenario's effect, not the luck of the draw.

For every declared output (aggregated over the outcome year as declared: December's value,
the year's mean or its total) :func:`compare` gives the mean in A and in B, the mean paired
difference B - A with its 95% confidence interval (Student's t over the seeds) and the share of
seeds in which B is above A; and, for the headline outcomes, the paired difference month by month.
Malaysia's scorecard (:mod:`magnetdiplomacy.targets`) is compared the same way: each target's
mean in A and in B, the paired difference and the share of seeds meeting its goal in each.
"""

from __future__ import annotations

import concurrent.futures as futures
import json
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .outputs import OUTPUTS, format_value
from .parameters import Scenario
from .runs import provenance, simulate, staged_folder
from .scenario import load_scenario
from .targets import TARGET_BY_KEY, TARGETS, shown, year_value

# What the plot and the CLI table show first: Malaysia's alignment, market share, exports and jobs.
HEADLINE = (
    "malaysia_alignment",
    "malaysia_magnet_share_nonchina",
    "malaysia_export_revenue_usd",
    "malaysia_jobs",
    "price_ndpr_exchina_usd_kg",
)
DIFFERENCE_COLUMNS = (
    "outcome",
    "label",
    "unit",
    "year_aggregate",
    "mean_a",
    "mean_b",
    "mean_diff",
    "ci_low",
    "ci_high",
    "share_b_greater",
    "seeds",
)
SCORECARD_COLUMNS = (
    "key",
    "label",
    "goal",
    "goal_text",
    "mean_a",
    "mean_b",
    "shown_a",
    "shown_b",
    "mean_diff",
    "ci_low",
    "ci_high",
    "share_met_a",
    "share_met_b",
    "seeds",
    "column",
    "source",
    "flag",
)
CONFIDENCE = 0.95


@dataclass
class Comparison:
    """The result of :func:`compare`: one row per outcome, the per-seed values and the monthly
    paired differences of the headline outcomes."""

    a: Scenario
    b: Scenario
    year: int
    seeds: list[int]
    differences: pd.DataFrame
    paired: pd.DataFrame  # seed, outcome, a, b
    monthly: pd.DataFrame  # date, seed, outcome, diff
    scorecard: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per target (SCORECARD_COLUMNS)
    scorecard_paired: pd.DataFrame = field(default_factory=pd.DataFrame)  # seed, key, a, b

    def headline(self) -> pd.DataFrame:
        """The headline rows of :attr:`differences`."""
        return self.differences.set_index("outcome").loc[list(HEADLINE)].reset_index()


def _numeric_outputs() -> list[str]:
    return [name for name, item in OUTPUTS.items() if item.kind not in ("tick", "date")]


def year_values(model_df: pd.DataFrame, year: int) -> dict[str, float]:
    """Every numeric output of one run aggregated over ``year`` as declared."""
    rows = model_df[pd.to_datetime(model_df["date"]).dt.year == year]
    if rows.empty:
        raise ValueError(f"the runs do not cover {year}")
    values = {}
    for name in _numeric_outputs():
        column = rows[name]
        how = OUTPUTS[name].year
        values[name] = float(column.iloc[-1] if how == "last" else getattr(column, how)())
    return values


def target_values(model_df: pd.DataFrame, year: int) -> dict[str, float]:
    """Every target's value in ``year`` (:func:`magnetdiplomacy.targets.year_value`), by target key."""
    return {target.key: year_value(model_df, target, year) for target in TARGETS}


def map_in_processes(
    function: Callable, jobs: list, workers: int, progress: Callable[[int, int], None] | None = None
) -> list:
    """``function`` over ``jobs`` in ``workers`` fresh processes (0 or 1: in this one), results in
    job order (each result's first item is its job's key); ``progress(done, total)`` after each."""
    results = []
    if workers > 1 and len(jobs) > 1:
        context = multiprocessing.get_context("spawn")
        with futures.ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            pending = [pool.submit(function, job) for job in jobs]
            for done, job in enumerate(futures.as_completed(pending), start=1):
                results.append(job.result())
                if progress:
                    progress(done, len(jobs))
    else:
        for done, job in enumerate(jobs, start=1):
            results.append(function(job))
            if progress:
                progress(done, len(jobs))
    return sorted(results, key=lambda item: item[0])


def run_pair(a: Scenario, b: Scenario, seed: int, year: int) -> tuple[int, dict, dict, pd.DataFrame, dict, dict]:
    """Both scenarios with one seed: their outcome-year values, the headline series' difference and
    the scorecard's values in A and in B."""
    frame_a = simulate(a, seed=seed).model_df
    frame_b = simulate(b, seed=seed).model_df
    merged = frame_a[["date", *HEADLINE]].merge(frame_b[["date", *HEADLINE]], on="date", suffixes=("_a", "_b"))
    monthly = pd.DataFrame({"date": pd.to_datetime(merged["date"])})
    for name in HEADLINE:
        monthly[name] = merged[f"{name}_b"] - merged[f"{name}_a"]
    values_a, values_b = year_values(frame_a, year), year_values(frame_b, year)
    return seed, values_a, values_b, monthly, target_values(frame_a, year), target_values(frame_b, year)


def t_quantile(seeds: int) -> float:
    """Student's t quantile of the two-sided :data:`CONFIDENCE` interval over ``seeds`` pairs."""
    from scipy import stats

    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, seeds - 1)) if seeds > 1 else 0.0


def paired_statistics(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Means, the mean paired difference b - a with its t-interval, and the share of pairs with b > a."""
    diff = b - a
    n = len(diff)
    mean = float(diff.mean())
    if n > 1 and diff.std(ddof=1) > 0:
        half = t_quantile(n) * float(diff.std(ddof=1)) / float(np.sqrt(n))
    else:
        half = 0.0  # one seed, or the same difference in every seed
    return {
        "mean_a": float(a.mean()),
        "mean_b": float(b.mean()),
        "mean_diff": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "share_b_greater": float((diff > 0).mean()),
        "seeds": n,
    }


def share_met(key: str, values: np.ndarray) -> float | None:
    """The share of seeds whose value meets a target's goal (None for an indicator)."""
    target = TARGET_BY_KEY[key]
    if target.goal is None:
        return None
    return float(np.mean([bool(target.met(float(value))) for value in values]))


def scorecard_comparison(paired: pd.DataFrame) -> pd.DataFrame:
    """Malaysia's scorecard in A and B from each seed's target values (``seed, key, a, b``): per
    target the means, the paired difference B - A with its interval and the share of seeds meeting
    the goal in each (:data:`SCORECARD_COLUMNS`)."""
    rows = []
    for key, group in paired.groupby("key", sort=False):
        target = TARGET_BY_KEY[key]
        a, b = group["a"].to_numpy(), group["b"].to_numpy()
        stats = paired_statistics(a, b)
        del stats["share_b_greater"]
        rows.append(
            {
                **{name: getattr(target, name) for name in ("key", "label", "goal", "goal_text", "column")},
                **stats,
                "shown_a": shown(target, stats["mean_a"]),
                "shown_b": shown(target, stats["mean_b"]),
                "share_met_a": share_met(key, a),
                "share_met_b": share_met(key, b),
                "source": target.source,
                "flag": target.flag,
            }
        )
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def compare(
    a: Scenario,
    b: Scenario,
    seeds: list[int],
    *,
    year: int | None = None,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run ``a`` and ``b`` with each seed (in ``workers`` processes; 0 runs here) and pair them."""
    if a.run.start != b.run.start:
        raise ValueError(f"the scenarios start in different months ({a.run.start}, {b.run.start})")
    last = min(a.run.end, b.run.end)
    year = int(last[:4]) if year is None else year
    # the runs need only their time series: no agent table (it changes no outcome, and costs time)
    run_a, run_b = (load_scenario(s, {"outputs.agent_table": False}) for s in (a, b))
    results = map_in_processes(partial(run_pair, run_a, run_b, year=year), list(seeds), workers, progress)
    paired = pd.DataFrame(
        [
            {"seed": seed, "outcome": name, "a": values_a[name], "b": values_b[name]}
            for seed, values_a, values_b, *_ in results
            for name in values_a
        ]
    )
    targets = pd.DataFrame(
        [
            {"seed": seed, "key": key, "a": card_a[key], "b": card_b[key]}
            for seed, _, _, _, card_a, card_b in results
            for key in card_a
        ]
    )
    rows = []
    for name, group in paired.groupby("outcome", sort=False):
        item = OUTPUTS[name]
        stats = paired_statistics(group["a"].to_numpy(), group["b"].to_numpy())
        rows.append({"outcome": name, "label": item.label, "unit": item.unit, "year_aggregate": item.year, **stats})
    differences = pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))
    monthly = pd.concat([frame.assign(seed=seed) for seed, _, _, frame, *_ in results], ignore_index=True)
    seeds_run = [r[0] for r in results]
    return Comparison(a, b, year, seeds_run, differences, paired, monthly, scorecard_comparison(targets), targets)


def plot(comparison: Comparison, path: Path) -> Path:
    """The paired differences B - A of the headline outcomes month by month: mean and 95% interval."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 2.4 * ((len(HEADLINE) + 1) // 2)), constrained_layout=True)
    axes = figure.subplots((len(HEADLINE) + 1) // 2, 2, squeeze=False).ravel()
    grouped = comparison.monthly.groupby("date")
    n = len(comparison.seeds)
    t = t_quantile(n)
    for ax, name in zip(axes, HEADLINE, strict=False):
        mean = grouped[name].mean()
        half = t * grouped[name].std(ddof=1).fillna(0.0) / np.sqrt(n)
        ax.fill_between(mean.index, mean - half, mean + half, alpha=0.3, color="tab:blue", label="95% interval")
        ax.plot(mean.index, mean, color="tab:blue", label="mean difference")
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set_title(f"{OUTPUTS[name].label} ({OUTPUTS[name].unit})", fontsize=9)
    for ax in axes[len(HEADLINE) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    figure.suptitle(f"{comparison.b.name} minus {comparison.a.name}, paired over {n} seeds", fontsize=11)
    figure.savefig(path, dpi=110)
    return path


def write(comparison: Comparison, folder: Path, extras: Callable[[Path], dict] | None = None) -> Path:
    """``differences.csv``, ``paired.csv``, ``scorecard.csv`` (Malaysia's scorecard in A and B),
    ``differences_over_time.png`` and ``manifest.json``, written atomically into ``folder`` (which
    must not exist or be empty). ``extras`` writes further files into the staging folder and
    returns entries for the manifest (the posterior draws of a posterior comparison)."""
    with staged_folder(folder) as staging:
        added = extras(staging) if extras is not None else {}
        comparison.differences.to_csv(staging / "differences.csv", index=False)
        comparison.paired.to_csv(staging / "paired.csv", index=False)
        comparison.scorecard.to_csv(staging / "scorecard.csv", index=False)
        plot(comparison, staging / "differences_over_time.png")
        manifest = {
            "a": comparison.a.name,
            "b": comparison.b.name,
            "seeds": comparison.seeds,
            "year": comparison.year,
            "confidence": CONFIDENCE,
            **provenance(),
            "parameters_a": comparison.a.model_dump(mode="json"),
            "parameters_b": comparison.b.model_dump(mode="json"),
            **added,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return Path(folder)


def format_difference(outcome: str, value: float) -> str:
    """A difference in the outcome's units, signed (shares in percentage points)."""
    kind = OUTPUTS[outcome].kind
    if kind in ("share", "fraction"):
        return f"{value * 100:+.2f} pp"
    if kind == "usd":
        return f"{value / 1e6:+,.1f} US$ m"
    if kind == "usd_m":
        return f"{value:+,.1f} US$ m"
    if kind == "usd_kg":
        return f"{value:+,.2f} US$/kg"
    if kind in ("tonnes", "count"):
        return f"{value:+,.0f}"
    return f"{value:+.3f}"


def describe(comparison: Comparison) -> list[tuple[str, str, str, str, str]]:
    """The headline rows in words: label, A, B, difference [interval], share of seeds B > A."""
    lines = []
    for row in comparison.headline().itertuples():
        name = row.outcome
        interval = (
            f"{format_difference(name, row.mean_diff)} "
            f"[{format_difference(name, row.ci_low)}, {format_difference(name, row.ci_high)}]"
        )
        lines.append(
            (
                f"{row.label} ({OUTPUTS[name].year_label})",
                format_value(name, row.mean_a),
                format_value(name, row.mean_b),
                interval,
                f"{row.share_b_greater:.0%}",
            )
        )
    return lines


def describe_scorecard(comparison: Comparison) -> list[tuple[str, ...]]:
    """The scorecard in words: target, goal, A, B, difference [interval], share of seeds meeting
    the goal in A and in B (– for an indicator)."""

    def met(share: float | None) -> str:
        return "–" if share is None or share != share else f"{share:.0%}"

    lines: list[tuple[str, ...]] = []
    for row in comparison.scorecard.itertuples():
        column = row.column
        interval = (
            f"{format_difference(column, row.mean_diff)} "
            f"[{format_difference(column, row.ci_low)}, {format_difference(column, row.ci_high)}]"
        )
        lines.append(
            (row.label, row.goal_text, row.shown_a, row.shown_b, interval, met(row.share_met_a), met(row.share_met_b))
        )
    return lines


def b_from_changes(a: Scenario, changes: list[str]) -> Scenario:
    """Scenario B as A with ``--set`` changes, named after them."""
    b = load_scenario(a, changes)
    return load_scenario(b, {"name": f"{a.name} with {', '.join(changes)}"})
