"""Designs (full factorial, Latin hypercube, Sobol/Saltelli, Morris) and the per-run seeds.

A design is a table of points (one row per parameter combination). Each point is run
``replications`` times; run ``run_id = point * replications + rep``. Seeds come from the sweep's
master seed through :class:`numpy.random.SeedSequence`, keyed by the replication (``seeding:
common``, the default: replication *r* of every point uses the same seed, i.e. common random
numbers) or by point and replication (``seeding: independent``). The design's own random draws
(LHS, scrambled Sobol, Morris trajectories) use a further child of the master seed, so a sweep
file always expands to the same runs with the same seeds, on any machine and any executor.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .spec import Sweep

DESIGN_KEY, RUN_KEY = 0, 1


def problem(sweep: Sweep) -> dict:
    """The SALib problem definition of a sweep."""
    return {"num_vars": len(sweep.params), "names": sweep.paths, "bounds": [[p.lo, p.hi] for p in sweep.params]}


def design_seed(sweep: Sweep) -> int:
    return int(np.random.SeedSequence(sweep.seed, spawn_key=(DESIGN_KEY,)).generate_state(1, np.uint32)[0])


def run_seed(master: int, point: int, rep: int, seeding: str = "common") -> int:
    """Seed of one run, derived from the master seed (an int in [0, 2**31))."""
    key = (RUN_KEY, rep) if seeding == "common" else (RUN_KEY, point, rep)
    return int(np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint32)[0] >> 1)


def replication_seeds(sweep: Sweep) -> list[int]:
    """Seeds of replications 0..R-1 under common seeding (what ``mesa.batch_run(rng=...)`` takes)."""
    return [run_seed(sweep.seed, 0, rep, "common") for rep in range(sweep.replications)]


@dataclass
class Design:
    """The points of a sweep (``X``: one row per point, one column per parameter)."""

    kind: str
    X: np.ndarray
    problem: dict

    @property
    def n_points(self) -> int:
        return int(self.X.shape[0])


def build_design(sweep: Sweep) -> Design:
    """Expand the sweep's design into its points (deterministic for a given sweep file)."""
    prob = problem(sweep)
    kind, spec, seed = sweep.design.kind, sweep.design, design_seed(sweep)
    if kind == "factorial":
        X = np.array(list(itertools.product(*[p.levels() for p in sweep.params])), dtype=np.float64)
    elif kind == "lhs":
        from SALib.sample import latin

        X = latin.sample(prob, spec.samples, seed=seed)
    elif kind == "sobol":
        from SALib.sample import sobol

        X = sobol.sample(prob, spec.samples, calc_second_order=spec.second_order, scramble=True, seed=seed)
    elif kind == "morris":
        from SALib.sample import morris

        X = morris.sample(prob, spec.samples, num_levels=spec.levels or 4, seed=seed)
    else:  # pragma: no cover - the schema allows only the four kinds
        raise ValueError(kind)
    X = np.asarray(X, dtype=float).reshape(-1, len(sweep.params))
    lo = np.array([p.lo for p in sweep.params])
    hi = np.array([p.hi for p in sweep.params])
    X = np.clip(X, lo, hi)  # samplers can overshoot a bound by one ulp; the scenario schema would refuse that
    assert X.shape[0] == sweep.n_points, (X.shape, sweep.n_points)
    return Design(kind, X, prob)


def run_plan(sweep: Sweep, design: Design | None = None) -> pd.DataFrame:
    """One row per run: run_id, point, rep, seed and the parameter values."""
    design = design or build_design(sweep)
    reps = sweep.replications
    points = np.repeat(np.arange(design.n_points), reps)
    rep = np.tile(np.arange(reps), design.n_points)
    if sweep.seeding == "common":
        by_rep = np.array(replication_seeds(sweep), dtype=np.int64)
        seeds = by_rep[rep]
    else:
        seeds = np.array(
            [run_seed(sweep.seed, int(p), int(r), "independent") for p, r in zip(points, rep, strict=True)],
            dtype=np.int64,
        )
    plan = pd.DataFrame(
        {
            "run_id": np.arange(len(points), dtype=np.int64),
            "point": points.astype(np.int64),
            "rep": rep.astype(np.int32),
            "seed": seeds,
        }
    )
    values = design.X[points]
    for j, path in enumerate(sweep.paths):
        plan[path] = values[:, j]
    return plan


def design_table(sweep: Sweep, design: Design) -> pd.DataFrame:
    """One row per point: the point index and the parameter values."""
    table = pd.DataFrame(design.X, columns=sweep.paths)
    table.insert(0, "point", np.arange(design.n_points, dtype=np.int64))
    return table
