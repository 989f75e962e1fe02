"""The validation report: report.md with a table per pattern and a PNG plot each."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .. import __version__  # noqa: E402
from ..runs import git_commit  # noqa: E402
from .patterns import BASES, BASIS_WORDS, PatternFile  # noqa: E402
from .runner import PatternResult, RunOutput  # noqa: E402

BLUE, ORANGE, GREEN, GREY = "#0072B2", "#E69F00", "#009E73", "#999999"


def _fmt(value) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3g}"


def plot_pattern(result: PatternResult, runs: list[RunOutput], path: Path) -> None:
    pattern = result.pattern
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=110)
    summary = result.summary
    if pattern.test.kind == "share_of_runs":
        share = summary["median"].iloc[0]
        ax.bar(["simulated"], [share], color=BLUE)
        line = pattern.test.threshold()
        ax.axhline(line, color=ORANGE, linestyle="--", label=f"threshold {line:g}")
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of runs")
        ax.legend(loc="upper right")
    elif pattern.metric.per_year:
        years = summary["year"].astype(int)
        ax.fill_between(years, summary["p5"], summary["p95"], color=BLUE, alpha=0.2, label="simulated 5-95%")
        ax.plot(years, summary["median"], color=BLUE, marker="o", label="simulated median")
        test = pattern.test
        if test.kind in ("within", "within_relative"):
            obs = [test.observed_at(y) for y in years]
            width = [test.number("tolerance") * (o if test.kind == "within_relative" else 1) for o in obs]
            ax.errorbar(years, obs, yerr=width, fmt="s", color=ORANGE, capsize=4, label="observed ± tolerance")
        elif test.kind == "range":
            lows = [test.bounds(y)[0] for y in years]
            highs = [test.bounds(y)[1] for y in years]
            ax.vlines(years, lows, highs, color=ORANGE, linewidth=6, alpha=0.6, label="observed range")
        elif test.kind in ("at_least", "at_most"):
            value = test.number("value")
            ax.axhline(
                value,
                color=ORANGE,
                linestyle="--",
                label=f"{'minimum' if test.kind == 'at_least' else 'maximum'} {value:g}",
            )
        ax.set_xlabel("year")
        ax.legend(loc="best", fontsize=8)
    else:
        values = [float(v) for v in result.per_run if v is not None and not (isinstance(v, float) and math.isnan(v))]
        ax.hist(values, bins=min(20, max(5, len(values))), color=BLUE, alpha=0.8, label="runs")
        test = pattern.test
        if test.kind in ("at_least", "at_most"):
            value = test.number("value")
            ax.axvline(value, color=ORANGE, linestyle="--", label=f"threshold {value:g}")
        elif test.kind == "range":
            ax.axvspan(*test.bounds(), color=ORANGE, alpha=0.2, label="observed range")
        ax.set_xlabel(pattern.metric.kind.replace("_", " "))
        ax.set_ylabel("runs")
        ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{pattern.id} ({result.status}): {pattern.description}"[:95], fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_series(runs: list[RunOutput], column: str, title: str, unit: str, path: Path, mark: str | None = None) -> None:
    """Median and 5-95% band of a monthly column across runs."""
    frame = pd.concat([r.timeseries.set_index("date")[column].rename(r.seed) for r in runs], axis=1)
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=110)
    ax.fill_between(
        frame.index,
        frame.quantile(0.05, axis=1),
        frame.quantile(0.95, axis=1),
        color=BLUE,
        alpha=0.2,
        label="5-95% of runs",
    )
    ax.plot(frame.index, frame.median(axis=1), color=BLUE, label="median")
    if mark:
        ax.axvline(pd.Timestamp(mark), color=ORANGE, linestyle="--", label="shock")
    ax.set_ylabel(unit)
    ax.set_title(title, fontsize=9)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _summary_row(result: PatternResult) -> str:
    """A pattern's row of the summary table: observed, simulated median [5-95%], result and margin."""
    summary = result.summary
    if result.pattern.metric.per_year and result.pattern.test.kind != "share_of_runs":
        observed = "; ".join(f"{row.year}: {row.observed}" for row in summary.itertuples())
        simulated = "; ".join(
            f"{row.year}: {_fmt(row.median)} [{_fmt(row.p5)}, {_fmt(row.p95)}]" for row in summary.itertuples()
        )
    else:
        row = summary.iloc[0]
        observed, simulated = row["observed"], f"{_fmt(row['median'])} [{_fmt(row['p5'])}, {_fmt(row['p95'])}]"
    return (
        f"| {result.pattern.id} | {result.pattern.description} | {result.pattern.basis} | {observed} | {simulated} | "
        f"{result.status} | {_fmt(result.margin)} |"
    )


def _pattern_section(result: PatternResult, runs: list[RunOutput], folder: Path) -> list[str]:
    """A pattern's section: its result, what it measures, its sources and its plot (written to ``folder``)."""
    image = f"{result.pattern.id}.png"
    plot_pattern(result, runs, folder / image)
    return [
        f"### {result.pattern.id}: {result.pattern.description}",
        "",
        f"Result: **{result.status}** (margin {_fmt(result.margin)}). Experiment `{result.pattern.experiment}`, "
        f"metric `{result.pattern.metric.kind}` of "
        f"`{result.pattern.metric.column or result.pattern.metric.expression}`. "
        f"Basis: {BASIS_WORDS[result.pattern.basis]}{': ' + result.pattern.why if result.pattern.why else ''}. "
        f"Sources: {'; '.join(result.pattern.sources)}.",
        "",
        f"![{result.pattern.id}]({image})",
        "",
    ]


def _paths_section(outputs: dict[str, list[RunOutput]], folder: Path) -> list[str]:
    """Plots of a few paths over time (written to ``folder``), for the experiments that ran."""
    extra_plots = [
        ("replay", "malaysia_alignment", "Malaysia's alignment in the replay (-1 China, +1 US)", "alignment", None),
        ("replay", "price_ndpr_exchina_usd_kg", "NdPr price outside China in the replay", "USD/kg", None),
        ("replay", "price_ndpr_china_usd_kg", "NdPr price in China in the replay", "USD/kg", None),
        ("free", "price_ndpr_china_usd_kg", "NdPr price in China, nothing replayed (no_history)", "USD/kg", None),
        ("free", "malaysia_alignment", "Malaysia's alignment, nothing replayed (no_history)", "alignment", None),
        ("stress_2010", "price_ndpr_exchina_usd_kg", "NdPr price outside China, 2010 stress test", "USD/kg", "2010-07"),
    ]
    lines = ["## Paths", ""]
    for run_name, column, title, unit, mark in extra_plots:
        if outputs.get(run_name):
            name = f"path_{run_name}_{column}.png"
            plot_series(outputs[run_name], column, title, unit, folder / name, mark)
            lines += [f"![{title}]({name})", ""]
    return lines


def write_report(
    patterns: PatternFile,
    results: list[PatternResult],
    outputs: dict[str, list[RunOutput]],
    folder: Path,
    *,
    pattern_file: Path,
    seconds: float,
    extra: dict | None = None,
    posterior: dict | None = None,
) -> Path:
    """Write report.md and the plots into ``folder``; returns the report's path. With ``posterior``
    (what :meth:`DrawPlan.describe` gives), also the posterior-predictive checks and predictive.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    hard = [r for r in results if not r.pattern.soft]
    lines = [
        "# Validation against history",
        "",
        f"magnetdiplomacy {__version__}, git commit `{git_commit()}`, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
        f"patterns from `{pattern_file}`; {seconds:.0f} s.",
        "",
        f"**{sum(r.passed for r in hard)} of {len(hard)} hard patterns pass**; soft patterns are reported, not failed. "
        "A per-year pattern passes when the median across seeds meets the test in every year; the margin is the "
        "smallest distance to the tolerance (positive inside, in the metric's units).",
        "",
        "## Experiments",
        "",
        "| experiment | runs | scenario | overrides |",
        "|---|---|---|---|",
    ]
    for name, experiment in patterns.experiments.items():
        overrides = {**experiment.overrides, **(extra or {})}
        lines.append(
            f"| {name} | {len(outputs[name])} | `{experiment.scenario}` | "
            f"{', '.join(f'`{k}={v}`' for k, v in overrides.items())} |"
        )
    lines += [
        "",
        "## Summary",
        "",
        "| pattern | description | basis | observed | simulated median [5-95%] | result | margin |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_summary_row(result) for result in results]
    lines += _predictive_section(results, posterior)
    lines += ["", "## What the model earns", "", *basis_split(results)]
    lines += ["", "## Patterns", ""]
    for result in results:
        lines += _pattern_section(result, outputs[result.pattern.experiment], folder)
    lines += _paths_section(outputs, folder)
    if posterior is not None:
        results_table(results)[["pattern", "basis", "status", "draw_share"]].to_csv(
            folder / "predictive.csv", index=False
        )
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _predictive_section(results: list[PatternResult], posterior: dict | None) -> list[str]:
    """The posterior-predictive checks: for each pattern, the share of posterior draws meeting it."""
    if posterior is None:
        return []
    lines = [
        "",
        "## Posterior-predictive checks",
        "",
        f"{posterior['draws']} parameter sets drawn from the posterior in `{posterior['folder']}` "
        f"(content {posterior['digest'][:12]}, draw seed {posterior['seed']}); every experiment ran its seeds for "
        "every draw. The summary above pools the runs of all draws; here each draw is tested on its own runs.",
        "",
        "| pattern | basis | draws meeting it | pooled result |",
        "|---|---|---|---|",
    ]
    for result in results:
        share = "–" if result.draw_share is None else f"{result.draw_share:.0%}"
        lines.append(f"| {result.pattern.id} | {result.pattern.basis} | {share} | {result.status} |")
    return lines


def basis_split(results: list[PatternResult]) -> list[str]:
    """One line per basis: how many of its hard patterns pass, and its soft ones."""
    lines = []
    for basis in BASES:
        group = [r for r in results if r.pattern.basis == basis]
        hard = [r for r in group if not r.pattern.soft]
        soft = [r for r in group if r.pattern.soft]

        def ids(rs: list[PatternResult]) -> str:
            return ", ".join(r.pattern.id for r in rs) or "none"

        lines.append(
            f"- {BASIS_WORDS[basis]}: {sum(r.passed for r in hard)} of {len(hard)} hard patterns pass ({ids(hard)})"
            + (f"; {sum(r.passed for r in soft)} of {len(soft)} soft pass ({ids(soft)})" if soft else "")
        )
    return lines


def results_table(results: list[PatternResult]) -> pd.DataFrame:
    """One row per pattern: id, status, margin, simulated and observed (for the CLI and notes)."""
    rows = []
    for result in results:
        summary = result.summary
        rows.append(
            {
                "pattern": result.pattern.id,
                "basis": result.pattern.basis,
                "status": result.status,
                "margin": result.margin,
                "draw_share": result.draw_share,
                "simulated": "; ".join(
                    f"{r.year}: {_fmt(r.median)}" if r.year != "" else _fmt(r.median) for r in summary.itertuples()
                ),
                "observed": "; ".join(
                    f"{r.year}: {r.observed}" if r.year != "" else str(r.observed) for r in summary.itertuples()
                ),
            }
        )
    return pd.DataFrame(rows)


__all__ = ["write_report", "results_table", "plot_pattern", "plot_series"]
