"""Run the validation experiments and test every pattern against them.

Seeds: experiment *e* runs seeds ``run.seed + 0 .. run.seed + n - 1`` of its scenario, so the
validation is reproducible and independent of the order runs finish in. With posterior draws
(``validate --posterior``), every draw runs every experiment: draw *d*'s values under the
experiment's overrides, seed *s* becoming :func:`~magnetdiplomacy.inference.posterior.draw_seed`
``(s, d)``; :func:`evaluate_all` gives the share of draws meeting each pattern.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from ..model import MagnetDiplomacyModel
from ..parameters import Scenario
from ..runs import tables
from ..scenario import load_scenario
from .metrics import evaluate
from .patterns import Pattern, PatternFile, scenario_source


@dataclass
class RunOutput:
    experiment: str
    seed: int
    timeseries: pd.DataFrame
    events: pd.DataFrame
    draw: int | None = None  # the posterior draw the run belongs to (None without a posterior)


@dataclass
class PatternResult:
    pattern: Pattern
    passed: bool
    margin: float  # distance to the tolerance; positive inside, negative outside (metric units)
    shortfall: float  # how far outside, in units of the tolerance (0 when passed)
    summary: pd.DataFrame  # per year (or one row): median, p5, p95, observed, margin
    per_run: list[Any] = field(default_factory=list)
    draw_share: float | None = None  # share of posterior draws whose runs meet the pattern (predictive check)

    @property
    def status(self) -> str:
        if self.passed:
            return "pass"
        return "soft fail" if self.pattern.soft else "FAIL"


def experiment_scenarios(
    patterns: PatternFile, extra: dict[str, Any] | None = None, under: dict[str, Any] | None = None
) -> dict[str, Scenario]:
    """Each experiment's validated scenario, with extra overrides (e.g. calibrated values) applied;
    ``under`` (a posterior draw) is applied beneath the experiment's own overrides and ``extra``."""
    return {
        name: load_scenario(scenario_source(exp.scenario), {**(under or {}), **exp.overrides, **(extra or {})})
        for name, exp in patterns.experiments.items()
    }


def simulate_one(args: tuple) -> RunOutput:
    name, scenario, seed, *draw = args
    model = MagnetDiplomacyModel(scenario, rng=seed)
    model.run()
    timeseries, events = tables(model)
    return RunOutput(name, seed, timeseries, events, draw[0] if draw else None)


def _jobs(patterns: PatternFile, seeds: int | None, extra: dict | None, draws: list[dict] | None) -> list[tuple]:
    """(experiment, scenario, seed[, draw]) of every run, draw by draw."""
    from ..inference.posterior import draw_seed

    jobs: list[tuple] = []
    sets: list[dict | None] = list(draws) if draws else [None]
    for d, values in enumerate(sets):
        scenarios = experiment_scenarios(patterns, extra, values)
        for name, experiment in patterns.experiments.items():
            scenario = scenarios[name]
            for i in range(seeds or experiment.seeds):
                seed = scenario.run.seed + i
                jobs.append((name, scenario, seed) if values is None else (name, scenario, draw_seed(seed, d), d))
    return jobs


def run_experiments(
    patterns: PatternFile,
    *,
    seeds: int | None = None,
    extra: dict[str, Any] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    draws: list[dict[str, float]] | None = None,
) -> dict[str, list[RunOutput]]:
    """Every experiment's runs (``seeds`` overrides the number per experiment); with ``draws``
    (posterior parameter sets), every experiment's seeds for every draw."""
    jobs = _jobs(patterns, seeds, extra, draws)
    outputs: dict[str, list[RunOutput]] = {name: [] for name in patterns.experiments}
    done = 0
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(simulate_one, jobs, chunksize=4):
                outputs[result.experiment].append(result)
                done += 1
                if progress:
                    progress(done, len(jobs))
    else:
        for job in jobs:
            result = simulate_one(job)
            outputs[result.experiment].append(result)
            done += 1
            if progress:
                progress(done, len(jobs))
    return outputs


def _scale(pattern: Pattern, year: int | None = None) -> float:
    test = pattern.test
    if test.kind in ("within", "within_relative"):
        return test.tolerance or 1.0
    if test.kind == "range":
        lo, hi = test.bounds(year)
        return max(hi - lo, 1e-9)
    if test.kind == "share_of_runs":
        return 0.1
    if test.kind == "increasing":
        return 0.01
    return max(abs(test.value or 0.0) * 0.1, 0.01)


def _margin(pattern: Pattern, value: float | None, year: int | None = None) -> float:
    test = pattern.test
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -math.inf
    if test.kind == "within":
        return test.number("tolerance") - abs(value - test.observed_at(year))
    if test.kind == "within_relative":
        return test.number("tolerance") - abs(value / test.observed_at(year) - 1.0)
    if test.kind == "range":
        lo, hi = test.bounds(year)
        return min(value - lo, hi - value)
    if test.kind == "at_least":
        return value - test.number("value")
    if test.kind == "at_most":
        return test.number("value") - value
    raise ValueError(test.kind)


def _observed(pattern: Pattern, year: int | None = None) -> str:
    test = pattern.test
    if test.kind == "within":
        return f"{test.observed_at(year):g} ± {test.number('tolerance'):g}"
    if test.kind == "within_relative":
        return f"{test.observed_at(year):g} ± {test.number('tolerance'):.0%}"
    if test.kind == "range":
        lo, hi = test.bounds(year)
        return f"{lo:g} to {hi:g}"
    if test.kind == "at_least":
        return f">= {test.value:g}"
    if test.kind == "at_most":
        return f"<= {test.value:g}"
    if test.kind == "increasing":
        return "rises every year"
    if test.kind == "share_of_runs":
        side = ">=" if test.at_least is not None else "<="
        return f"share of runs {side} {test.threshold():g}"
    return ""


def evaluate_pattern(pattern: Pattern, runs: list[RunOutput]) -> PatternResult:
    values = [evaluate(pattern.metric, run.timeseries, run.events) for run in runs]
    if pattern.test.kind == "share_of_runs":
        return _share_of_runs(pattern, values)
    if pattern.metric.per_year:  # annual_* metrics: {year: value} per run
        return _per_year(pattern, [cast(dict[int, float], v) for v in values])
    return _per_run(pattern, [cast(float, v) for v in values])


def _share_of_runs(pattern: Pattern, values: list[dict[int, float] | float]) -> PatternResult:
    test = pattern.test
    flags = [bool(v) and not (isinstance(v, float) and math.isnan(v)) for v in values]
    share = float(np.mean(flags))
    margin = (share - test.at_least) if test.at_least is not None else (test.threshold() - share)
    summary = pd.DataFrame(
        [{"year": "", "median": share, "p5": share, "p95": share, "observed": _observed(pattern), "margin": margin}]
    )
    return PatternResult(pattern, margin >= 0, margin, max(0.0, -margin) / _scale(pattern), summary, list(values))


def _per_year(pattern: Pattern, values: list[dict[int, float]]) -> PatternResult:
    years = pattern.test_years()
    frame = pd.DataFrame([{year: v.get(year, math.nan) for year in years} for v in values])
    rows: list[dict[str, Any]] = []
    for year in years:
        column = frame[year].dropna()
        median = float(column.median()) if len(column) else math.nan
        rows.append(
            {
                "year": year,
                "median": median,
                "p5": float(column.quantile(0.05)) if len(column) else math.nan,
                "p95": float(column.quantile(0.95)) if len(column) else math.nan,
                "observed": _observed(pattern, year),
            }
        )
    summary = pd.DataFrame(rows)
    if pattern.test.kind == "increasing":
        steps = np.diff(summary["median"].to_numpy())
        summary["margin"] = np.concatenate([[np.nan], steps])
        margin = float(steps.min()) if len(steps) else -math.inf
        shortfall = float(np.sum(np.clip(-steps, 0, None))) / _scale(pattern)
    else:
        summary["margin"] = [_margin(pattern, row["median"], row["year"]) for row in rows]
        margin = float(summary["margin"].min())
        shortfall = float(
            sum(max(0.0, -m) / _scale(pattern, y) for m, y in zip(summary["margin"], summary["year"], strict=True))
        )
    return PatternResult(pattern, bool(margin >= 0), margin, shortfall, summary, list(values))


def _per_run(pattern: Pattern, values: list[float]) -> PatternResult:
    column = pd.Series([float(v) for v in values]).dropna()
    median = float(column.median()) if len(column) else math.nan
    margin = _margin(pattern, median)
    summary = pd.DataFrame(
        [
            {
                "year": "",
                "median": median,
                "p5": float(column.quantile(0.05)),
                "p95": float(column.quantile(0.95)),
                "observed": _observed(pattern),
                "margin": margin,
            }
        ]
    )
    return PatternResult(pattern, bool(margin >= 0), margin, max(0.0, -margin) / _scale(pattern), summary, list(values))


def evaluate_all(patterns: PatternFile, outputs: dict[str, list[RunOutput]]) -> list[PatternResult]:
    """Every pattern tested on all the runs of its experiment (pooled over posterior draws, if any);
    with draws, each result's ``draw_share`` is the share of draws meeting it."""
    results = [evaluate_pattern(p, outputs[p.experiment]) for p in patterns.patterns]
    for result in results:
        runs = outputs[result.pattern.experiment]
        draws = sorted({run.draw for run in runs if run.draw is not None})
        if draws:
            met = [evaluate_pattern(result.pattern, [r for r in runs if r.draw == d]).passed for d in draws]
            result.draw_share = float(np.mean(met))
    return results


def loss(results: list[PatternResult]) -> float:
    """Total shortfall of the hard patterns, in units of their tolerances (0 when all pass)."""
    return float(sum(r.shortfall for r in results if not r.pattern.soft))
