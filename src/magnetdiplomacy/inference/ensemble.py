"""Posterior ensembles: a scenario run once per parameter set drawn from a stored posterior
(``--posterior DIR --draws N``), so bands show the uncertainty of the free parameters as well as
the seed's.

Draw ``i`` is ``Posterior.draws(N, seed)[i]`` applied on top of the scenario (as ``--set`` would),
run with the model seed :func:`draw_seed` ``(seed, i)``: both are fixed by the posterior's content,
the run seed and ``i``, so an ensemble is reproducible in any process and the first ``k`` draws of
``N`` are the ensemble of ``k``. ``compare`` runs both scenarios with the same draws and seeds
(common random numbers); ``validate`` evaluates every pattern draw by draw
(:mod:`magnetdiplomacy.validation.runner`); sweeps add the draws as replications
(:mod:`magnetdiplomacy.sweeps.spec`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..compare import (
    HEADLINE,
    Comparison,
    map_in_processes,
    paired_statistics,
    run_pair,
    scorecard_comparison,
    year_values,
)
from ..outputs import OUTPUTS
from ..parameters import Scenario
from ..runs import complete_years, simulate, staged_folder
from ..scenario import ScenarioError, load_scenario
from .posterior import Posterior, check_draws, draw_seed, load_posterior

DEFAULT_DRAWS = 20
# What the bands of ``run --posterior`` show: Malaysia's alignment and magnet share, and the NdPr price.
BAND_OUTPUTS = ("malaysia_alignment", "malaysia_magnet_share_nonchina", "price_ndpr_exchina_usd_kg")
QUANTILES = (0.05, 0.5, 0.95)
SUBFOLDER = "posterior"


@dataclass
class DrawPlan:
    """The parameter sets and model seeds of an ensemble."""

    posterior: Posterior
    seed: int
    values: list[dict[str, float]]
    seeds: list[int]

    def table(self) -> pd.DataFrame:
        """One row per draw: draw, seed and the parameter values."""
        frame = pd.DataFrame(self.values, columns=self.posterior.parameters)
        frame.insert(0, "seed", np.array(self.seeds, dtype=np.int64))
        frame.insert(0, "draw", np.arange(len(self.values), dtype=np.int64))
        return frame

    def describe(self) -> dict[str, Any]:
        """What the manifests record: the posterior folder, its content hash, draws and seed."""
        return {
            "folder": str(self.posterior.folder),
            "digest": self.posterior.digest,
            "draws": len(self.values),
            "seed": self.seed,
            "parameters": self.posterior.parameters,
        }


def plan_draws(folder: str | Path, draws: int | None, seed: int) -> DrawPlan:
    """Load the posterior at ``folder`` and draw ``draws`` (default :data:`DEFAULT_DRAWS`) parameter
    sets with ``seed``; one-line :class:`ScenarioError` on a bad folder or number."""
    count = check_draws(DEFAULT_DRAWS if draws is None else draws)
    posterior = load_posterior(folder)
    return DrawPlan(posterior, int(seed), posterior.draws(count, seed), [draw_seed(seed, i) for i in range(count)])


def check_options(posterior: Any, draws: Any) -> None:
    """``--draws`` means nothing without ``--posterior``."""
    if posterior is None and draws is not None:
        raise ScenarioError(f"--draws {draws}: give --posterior DIR too (the posterior to draw parameter sets from)")


def prepare(folder: str | Path | None, draws: int | None, *scenarios: Scenario, pins: Sequence = ()) -> DrawPlan | None:
    """The draw plan of a command's ``--posterior``/``--draws`` (None without ``--posterior``), seeded
    by the first scenario's run seed, every draw checked against every scenario (``pins[k]``: the
    keys scenario ``k`` keeps, see :func:`draw_scenarios`) before any run."""
    check_options(folder, draws)
    if folder is None:
        return None
    plan = plan_draws(folder, draws, scenarios[0].run.seed)
    for k, scenario in enumerate(scenarios):
        draw_scenarios(scenario, plan, pins[k] if k < len(pins) else ())
    return plan


def pinned(assignments: Sequence[str]) -> set[str]:
    """The parameters ``--set key.path=value`` assignments name: a draw leaves them as set."""
    return {text.partition("=")[0].strip().replace("__", ".") for text in assignments}


def draw_scenarios(scenario: Scenario, plan: DrawPlan, pinned: Iterable[str] = ()) -> list[Scenario]:
    """The scenario with each draw's values applied, except the ``pinned`` parameters (those the
    user set with ``--set``, which win over the posterior); the agent table off (ensembles keep only
    the time series). A draw the scenario refuses is a one-line error naming the draw."""
    keep = set(pinned)
    out = []
    for i, values in enumerate(plan.values):
        drawn = {key: value for key, value in values.items() if key not in keep}
        try:
            out.append(load_scenario(scenario, {**drawn, "outputs.agent_table": False}))
        except ScenarioError as err:
            raise ScenarioError(f"{plan.posterior.folder}: draw {i}: {err}") from None
    return out


def _simulate(args: tuple[int, Scenario, int]) -> tuple[int, pd.DataFrame]:
    index, scenario, seed = args
    return index, simulate(scenario, seed=seed).model_df


def run_draws(
    scenario: Scenario,
    plan: DrawPlan,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
    pinned: Iterable[str] = (),
) -> list[pd.DataFrame]:
    """Each draw's time series (in draw order)."""
    jobs = list(zip(range(len(plan.seeds)), draw_scenarios(scenario, plan, pinned), plan.seeds, strict=True))
    return [frame for _, frame in map_in_processes(_simulate, jobs, workers, progress)]


def bands(frames: Sequence[pd.DataFrame], columns: Sequence[str] = BAND_OUTPUTS) -> pd.DataFrame:
    """Per month and output: 5 %, 50 % and 95 % quantiles and the mean over the runs (long format)."""
    rows = []
    dates = pd.to_datetime(frames[0]["date"]).to_numpy()
    for column in columns:
        values = np.vstack([frame[column].to_numpy(dtype=float) for frame in frames])
        q05, q50, q95 = np.quantile(values, QUANTILES, axis=0)
        rows.append(
            pd.DataFrame(
                {"date": dates, "outcome": column, "p05": q05, "p50": q50, "p95": q95, "mean": values.mean(axis=0)}
            )
        )
    return pd.concat(rows, ignore_index=True)


def outcome_table(frames: Sequence[pd.DataFrame], plan: DrawPlan, year: int) -> pd.DataFrame:
    """One row per draw: draw, seed and the band outputs aggregated over ``year`` as declared."""
    rows = []
    for i, frame in enumerate(frames):
        values = year_values(frame, year)
        rows.append({"draw": i, "seed": plan.seeds[i], **{name: values[name] for name in BAND_OUTPUTS}})
    return pd.DataFrame(rows)


def plot_bands(table: pd.DataFrame, title: str, path: Path) -> Path:
    """One panel per output: the 5-95 % band over the draws and the median, month by month."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    names = list(dict.fromkeys(table["outcome"]))
    figure = Figure(figsize=(5 * len(names), 3.2), constrained_layout=True)
    for ax, name in zip(figure.subplots(1, len(names), squeeze=False).ravel(), names, strict=True):
        part = table[table["outcome"] == name]
        ax.fill_between(part["date"], part["p05"], part["p95"], alpha=0.3, color="tab:blue", label="5-95 %")
        ax.plot(part["date"], part["p50"], color="tab:blue", label="median")
        ax.set_title(f"{OUTPUTS[name].label} ({OUTPUTS[name].unit})", fontsize=9)
    figure.axes[0].legend(fontsize=8)
    figure.suptitle(title, fontsize=11)
    figure.savefig(path, dpi=110)
    return path


def band_widths(table: pd.DataFrame, year: int) -> dict[str, float]:
    """Mean width (95 % minus 5 % quantile) of each output's band over ``year``'s months."""
    rows = table[pd.to_datetime(table["date"]).dt.year == year]
    return {name: float((g["p95"] - g["p05"]).mean()) for name, g in rows.groupby("outcome", sort=False)}


def write_run_ensemble(folder: Path, plan: DrawPlan, frames: list[pd.DataFrame], csv: bool = False) -> tuple:
    """``folder/posterior/``: draws.parquet (draw, seed, parameter values), bands.parquet (per month
    and output: quantiles over the draws), outcomes.parquet (per draw, the last whole year's values),
    bands.png and posterior.json; CSV copies with ``csv``. Written atomically. Returns the title,
    columns and rows of a table of the outcomes across the draws, for the command line."""
    table = bands(frames)
    whole = complete_years(frames[0])
    year = whole[-1] if whole else int(pd.to_datetime(frames[0]["date"]).dt.year.max())
    outcomes = outcome_table(frames, plan, year)
    with staged_folder(Path(folder) / SUBFOLDER) as staging:
        for name, frame in (("draws", plan.table()), ("bands", table), ("outcomes", outcomes)):
            frame.to_parquet(staging / f"{name}.parquet", index=False)
            if csv or name == "draws":
                frame.to_csv(staging / f"{name}.csv", index=False)
        plot_bands(table, f"{len(frames)} posterior draws (5-95 % band and median)", staging / "bands.png")
        info = {**plan.describe(), "outcome_year": year, "band_widths": band_widths(table, year)}
        (staging / "posterior.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return outcome_rows(outcomes, year, Path(folder) / SUBFOLDER)


def outcome_rows(outcomes: pd.DataFrame, year: int, where: Path) -> tuple:
    """Title, columns and rows (5 %, median, 95 % over the draws of each band output in ``year``)."""
    from ..outputs import format_value

    rows = []
    for name in BAND_OUTPUTS:
        q05, q50, q95 = np.quantile(outcomes[name].to_numpy(dtype=float), QUANTILES)
        rows.append((OUTPUTS[name].label, *(format_value(name, v) for v in (q05, q50, q95))))
    title = f"{year} across {len(outcomes)} posterior draws (bands and draws in {where})"
    return title, ("outcome", "5%", "median", "95%"), rows


# --------------------------------------------------------------------------------------------
# compare


def _pair(args: tuple[int, Scenario, Scenario, int, int]) -> tuple:
    index, a, b, seed, year = args
    return index, *run_pair(a, b, seed, year)


def compare_draws(
    a: Scenario,
    b: Scenario,
    plan: DrawPlan,
    *,
    year: int | None = None,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
    pinned_b: Iterable[str] = (),
) -> Comparison:
    """``a`` and ``b`` with the same draws and seeds (draw ``i``'s values on both sides, seed
    ``plan.seeds[i]``); the differences table adds the median and 90 % interval of B - A across
    the draws (``diff_median``, ``diff_q05``, ``diff_q95``); ``paired`` has a ``draw`` column."""
    year = int(min(a.run.end, b.run.end)[:4]) if year is None else year
    jobs = [
        (i, sa, sb, seed, year)
        for i, (sa, sb, seed) in enumerate(
            zip(draw_scenarios(a, plan), draw_scenarios(b, plan, pinned_b), plan.seeds, strict=True)
        )
    ]
    results = map_in_processes(_pair, jobs, workers, progress)
    paired = pd.DataFrame(
        [
            {"draw": i, "seed": seed, "outcome": name, "a": va[name], "b": vb[name]}
            for i, seed, va, vb, *_ in results
            for name in va
        ]
    )
    targets = pd.DataFrame(
        [{"seed": seed, "key": key, "a": ca[key], "b": cb[key]} for _, seed, _, _, _, ca, cb in results for key in ca]
    )
    rows = []
    for name, group in paired.groupby("outcome", sort=False):
        item, diff = OUTPUTS[name], group["b"].to_numpy() - group["a"].to_numpy()
        stats = paired_statistics(group["a"].to_numpy(), group["b"].to_numpy())
        q05, q50, q95 = np.quantile(diff, QUANTILES)
        extra = {"diff_median": q50, "diff_q05": q05, "diff_q95": q95}
        rows.append(
            {"outcome": name, "label": item.label, "unit": item.unit, "year_aggregate": item.year, **stats, **extra}
        )
    monthly = pd.concat([frame.assign(seed=seed) for _, seed, _, _, frame, *_ in results], ignore_index=True)
    return Comparison(
        a, b, year, list(plan.seeds), pd.DataFrame(rows), paired, monthly, scorecard_comparison(targets), targets
    )


def compare_pairs(
    a: Scenario, b: Scenario, plan: DrawPlan | None, seeds: list[int], changes: Sequence[str], **options: Any
) -> Comparison:
    """``compare`` over ``seeds`` without a posterior, else :func:`compare_draws` with B's ``--set``
    ``changes`` kept over the draws."""
    from ..compare import compare

    if plan is None:
        return compare(a, b, seeds, **options)
    return compare_draws(a, b, plan, pinned_b=pinned(changes), **options)


def draws_table(comparison: Comparison) -> tuple[str, tuple[str, ...], list[tuple[str, str, str]]]:
    """Title, columns and rows of the CLI's table of differences across posterior draws."""
    title = (
        f"{comparison.b.name} minus {comparison.a.name}, {comparison.year}, "
        f"across {len(comparison.seeds)} posterior draws"
    )
    return title, ("outcome", "median of B - A", "90% interval"), describe_draws(comparison)


def describe_draws(comparison: Comparison) -> list[tuple[str, str, str]]:
    """Rows of the CLI table: headline outcome, median difference across draws, 90 % interval."""
    from ..compare import format_difference

    table = comparison.differences.set_index("outcome")
    out = []
    for name in HEADLINE:
        row = table.loc[name]
        interval = f"{format_difference(name, row['diff_q05'])} to {format_difference(name, row['diff_q95'])}"
        out.append((OUTPUTS[name].label, format_difference(name, row["diff_median"]), interval))
    return out


def compare_draw_files(plan: DrawPlan) -> Callable[[Path], dict]:
    """For :func:`magnetdiplomacy.compare.write`: the draws' parameter values beside compare's files
    (``draws.csv``, in its staging folder) and the posterior for its manifest."""

    def write(staging: Path) -> dict:
        plan.table().to_csv(staging / "draws.csv", index=False)
        return {"posterior": plan.describe()}

    return write


__all__ = [
    "BAND_OUTPUTS",
    "DEFAULT_DRAWS",
    "DrawPlan",
    "bands",
    "compare_draws",
    "draw_seed",
    "plan_draws",
    "run_draws",
    "write_run_ensemble",
]
