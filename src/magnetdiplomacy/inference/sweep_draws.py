"""Posterior draws in sweeps: the sweep file's ``posterior: {folder: DIR, draws: N}``.

The draws multiply the replications: each design point runs ``N x replications`` times, run
``rep`` of a point being replication ``rep % replications`` of draw ``rep // replications``. Draw
``d``'s parameter values (``Posterior.draws(N, sweep seed)[d]``) are applied on top of the base
scenario (after ``set``); the design's parameters are applied on top of that, so a parameter may
not be both drawn and varied. Seeds follow the sweep's seeding as for any replication (with
``seeding: common`` every point sees the same seed for the same draw and replication). The plan
(``plan.parquet``) records each run's ``draw`` and drawn values, and the posterior's content hash
enters the sweep's fingerprint, so a sweep resumes only with the same posterior.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..parameters import Scenario
from ..scenario import PROJECT_ROOT, ScenarioError, load_scenario
from ..sweeps.schema import SweepError


@dataclass
class SweepPosterior:
    """A sweep's posterior: where it is, its content hash, and the draws' values and base scenarios."""

    folder: Path
    digest: str
    draws: int
    per_draw: int  # replications of each draw (the sweep file's ``replications``)
    parameters: list[str]
    values: list[dict[str, float]]
    bases: list[dict[str, Any]]  # each draw's base scenario (model_dump, for the workers)

    def definition(self) -> dict[str, Any]:
        """What the sweep's fingerprint covers: the posterior's content, the draws and replications."""
        return {"digest": self.digest, "draws": self.draws, "replications_per_draw": self.per_draw}

    def describe(self) -> dict[str, Any]:
        """The manifest's record of the posterior."""
        return {**self.definition(), "folder": str(self.folder), "parameters": self.parameters}


def _find(folder: str, sweep_folder: Path | None) -> Path:
    """The posterior folder as given (absolute or from the working folder), else beside the sweep
    file, else in the project (so ``configs/posterior`` works from anywhere)."""
    candidates = [Path(folder)]
    if not Path(folder).is_absolute():
        candidates += [sweep_folder / folder] if sweep_folder is not None else []
        candidates += [PROJECT_ROOT / folder]
    return next((path for path in candidates if path.is_dir()), Path(folder))


def resolve(
    spec: Any, origin: str, sweep_folder: Path | None, base: Scenario, varied: list[str], seed: int, per_draw: int
) -> SweepPosterior:
    """Load the posterior a sweep file names and draw its parameter sets (one-line errors naming
    ``posterior`` in the file)."""
    from .posterior import check_draws, load_posterior  # numpy and pandas: only for sweeps that draw

    where = f"{origin}: posterior"
    try:
        draws = check_draws(spec.draws, "draws")
        posterior = load_posterior(_find(spec.folder, sweep_folder))
    except ScenarioError as err:
        raise SweepError(f"{where}: {err}") from None
    both = [name for name in posterior.parameters if name in varied]
    if both:
        raise SweepError(f"{where}: {both[0]} is drawn from the posterior and varied by the design; keep one")
    values = posterior.draws(draws, seed)
    bases = []
    for i, drawn in enumerate(values):
        try:
            bases.append(load_scenario(base, drawn).model_dump(mode="json"))
        except ScenarioError as err:
            raise SweepError(f"{where}: draw {i}: {err}") from None
    return SweepPosterior(posterior.folder, posterior.digest, draws, per_draw, posterior.parameters, values, bases)


def add_draw_columns(plan: Any, posterior: SweepPosterior | None) -> Any:
    """The run plan with each run's ``draw`` and drawn parameter values (unchanged without a posterior)."""
    if posterior is None:
        return plan
    import numpy as np

    draw = (plan["rep"].to_numpy() // posterior.per_draw).astype(np.int64)
    plan = plan.copy()
    plan["draw"] = draw
    for name in posterior.parameters:
        plan[name] = np.array([posterior.values[d][name] for d in draw], dtype=float)
    return plan
