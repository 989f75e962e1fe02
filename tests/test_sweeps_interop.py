"""The interop examples in docs/interop run: mesa.batch_run, and the EMA Workbench when installed."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from magnetdiplomacy.sweeps import load_sweep, read_scalars, run_sweep
from magnetdiplomacy.sweeps.designs import replication_seeds

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "interop"


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batch_run_example_matches_a_sweep_with_the_same_points_and_seeds(tmp_path):
    example = load_example("batch_run_example")
    sweep = load_sweep(
        {
            "name": "grid",
            "set": {"run.end": "2021-06", "buyers.count": 20},
            "parameters": {path.replace("__", "."): values for path, values in example.GRID.items()},
            "design": {"kind": "factorial"},
            "replications": 2,
            "seed": 5,
            "outcomes": {"series": [], "scalars": {name: {"column": name, "stat": "last"} for name in example.KEEP}},
        }
    )
    seeds = replication_seeds(sweep)
    runs = example.main(end="2021-06", buyers=20, seeds=tuple(seeds))
    assert len(runs) == 12 and set(runs["rng"]) == set(seeds)
    run_sweep(sweep, tmp_path / "grid", workers=0)
    mine = read_scalars(tmp_path / "grid").rename(columns=lambda c: c.replace(".", "__"))
    mine["rng"] = [seeds[r] for r in mine["rep"]]
    keys = [*example.GRID, "rng"]
    merged = runs.merge(mine, on=keys, suffixes=("_batch_run", "_sweep"))
    assert len(merged) == 12
    for name in example.KEEP:
        np.testing.assert_array_equal(
            merged[f"{name}_batch_run"].to_numpy(dtype=float), merged[f"{name}_sweep"].to_numpy(dtype=float)
        )


def test_ema_workbench_example():
    example = load_example("ema_workbench_example")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments, outcomes = example.main(scenarios=3, policies=2, end="2021-06", buyers=20, replications=2)
    assert isinstance(experiments, pd.DataFrame) and len(experiments) == 6
    assert {
        "china__licence_grant_rate",
        "buyers__cost_sensitivity",
        "jslink__ramp_months",
        "us__tariff_malaysia_initial",
        "us__floor_offer_rate_per_year",
    } <= set(experiments.columns)
    assert experiments["china__licence_grant_rate"].between(0, 1).all()
    assert np.shape(outcomes["share_nonchina_last_year"]) == (6,)
    assert np.shape(outcomes["alignment"]) == (6, 18)
    assert np.all(np.abs(outcomes["alignment_end"]) <= 1)
