"""Morris screening of the free parameters before ABC (SALib): which parameters move which patterns.

The design is SALib's Morris trajectories over the prior ranges (seeded by the calibration file's
seed); every design point is one simulation of the same :data:`~magnetdiplomacy.inference.abc.Simulator`
ABC uses, so the outputs are the ABC distance (the worst pattern, in tolerance units) and each
pattern's own distance. Distances are capped at :data:`CAP` tolerance units so that a pattern
missing by miles does not drown the others. Evaluated points are saved in chunks to
``screening_runs.parquet``, so an interrupted screening continues where it stopped.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .abc_config import AbcSettings

CAP = 20.0  # tolerance units
RUNS = "screening_runs.parquet"
TABLE = "screening.parquet"
TOTAL = "distance"  # the output name of the ABC distance in the table

_SIMULATOR: Any = None


def _init(simulator: Any) -> None:
    global _SIMULATOR
    _SIMULATOR = simulator


def _evaluate(values: dict[str, float]) -> dict[str, float]:
    return _SIMULATOR(values)


def evaluate_points(
    simulator: Callable[[dict[str, float]], dict[str, float]],
    points: list[dict[str, float]],
    *,
    workers: int = 1,
    client: Any = None,
) -> Iterator[dict[str, float]]:
    """The simulator's output for every point, in order: in the driver (``workers <= 1``), in
    forked local processes, or on a Dask cluster."""
    if client is not None:
        futures = client.map(simulator, points, pure=False)
        for future in futures:
            yield future.result()
        return
    if workers <= 1:
        for point in points:
            yield simulator(point)
        return
    context = multiprocessing.get_context("fork")  # as pyABC's local sampler: workers inherit the loaded model
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init, initargs=(simulator,)) as pool:
        yield from pool.map(_evaluate, points)


def morris_design(settings: AbcSettings) -> tuple[dict, np.ndarray]:
    """SALib's problem and Morris design over the prior ranges (deterministic in the seed)."""
    from SALib.sample.morris import sample

    names = list(settings.priors)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(settings.priors[n]) for n in names]}
    design = sample(
        problem, N=settings.screening_trajectories, num_levels=settings.screening_levels, seed=settings.seed
    )
    # SALib's scaling can land a rounding error outside a bound, which the scenario check refuses.
    bounds = np.asarray(problem["bounds"], dtype=float)
    return problem, np.clip(design, bounds[:, 0], bounds[:, 1])


def run_screening(
    settings: AbcSettings,
    folder: Path,
    simulator: Callable[[dict[str, float]], dict[str, float]],
    *,
    workers: int = 1,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame | None:
    """Screen the parameters (None if the file asks for no trajectories); writes and returns the
    table: one row per output and parameter with mu*, mu, sigma, mu* confidence and rank."""
    if settings.screening_trajectories == 0:
        return None
    problem, design = morris_design(settings)
    names = problem["names"]
    folder.mkdir(parents=True, exist_ok=True)
    done = _stored(folder / RUNS, names, design)
    chunk = max(4, 4 * max(1, workers))
    while len(done) < len(design):
        rows = design[len(done) : len(done) + chunk]
        points = [dict(zip(names, map(float, row), strict=True)) for row in rows]
        records = []
        for point, out in zip(points, evaluate_points(simulator, points, workers=workers, client=client), strict=True):
            capped = {f"d_{k}": min(float(v), CAP) for k, v in out.items()}
            records.append({**point, **capped, TOTAL: max(capped.values())})
        done = pd.concat([done, pd.DataFrame(records)], ignore_index=True) if len(done) else pd.DataFrame(records)
        done.to_parquet(folder / RUNS, index=False)
        if progress:
            progress(len(done), len(design))
    table = morris_table(problem, design, done, settings)
    table.to_parquet(folder / TABLE, index=False)
    return table


def _stored(path: Path, names: list[str], design: np.ndarray) -> pd.DataFrame:
    """Points of this design already evaluated (none if the file is from another design)."""
    if not path.is_file():
        return pd.DataFrame()
    stored = pd.read_parquet(path)
    if list(stored.columns[: len(names)]) != names or len(stored) > len(design):
        return pd.DataFrame()
    if not np.allclose(stored[names].to_numpy(dtype=float), design[: len(stored)]):
        return pd.DataFrame()
    return stored


def morris_table(problem: dict, design: np.ndarray, runs: pd.DataFrame, settings: AbcSettings) -> pd.DataFrame:
    """SALib's Morris indices for the ABC distance and each pattern's distance."""
    from SALib.analyze.morris import analyze

    outputs = [TOTAL, *[c for c in runs.columns if c.startswith("d_")]]
    rows = []
    for output in outputs:
        values = runs[output].to_numpy(dtype=float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # one trajectory, or a pattern no parameter moves, leaves sigma undefined (NaN): not an error
            warnings.simplefilter("ignore", RuntimeWarning)
            result = analyze(
                problem,
                design,
                values,
                num_levels=settings.screening_levels,
                seed=settings.seed,
                print_to_console=False,
            )
        order = np.argsort(-np.asarray(result["mu_star"], dtype=float), kind="stable")
        rank = np.empty(len(order), dtype=int)
        rank[order] = np.arange(1, len(order) + 1)
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output.removeprefix("d_"),
                    "parameter": name,
                    "mu_star": float(result["mu_star"][i]),
                    "mu": float(result["mu"][i]),
                    "sigma": float(result["sigma"][i]),
                    "mu_star_conf": float(result["mu_star_conf"][i]),
                    "rank": int(rank[i]),
                }
            )
    return pd.DataFrame(rows)


def select_parameters(settings: AbcSettings, table: pd.DataFrame | None) -> AbcSettings:
    """The settings ABC fits: with ``screening.keep`` > 0, only the ``keep`` parameters with the
    largest mu* on the ABC distance (the others stay at the scenarios' values); else all of them."""
    if table is None or not settings.screening_keep or settings.screening_keep >= len(settings.priors):
        return settings
    ranked = table[table["output"] == TOTAL].sort_values("rank", kind="stable")
    top = set(list(ranked["parameter"])[: settings.screening_keep])
    return dataclasses.replace(
        settings,
        priors={n: b for n, b in settings.priors.items() if n in top},
        kinds={n: k for n, k in settings.kinds.items() if n in top},
        all_priors=dict(settings.priors),
    )


__all__ = ["evaluate_points", "morris_design", "morris_table", "run_screening", "select_parameters"]
