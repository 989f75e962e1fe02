"""Calibration of the free parameters against the historical patterns.

Latin-hypercube rounds (SALib) over the parameters listed in ``configs/validation/calibration.yaml``;
each candidate runs every validation experiment with a few seeds and is scored by the total
shortfall of the hard patterns (:func:`magnetdiplomacy.validation.loss`). Nothing but the patterns
and the data files enters the objective. Reproducible: the design and the seeds follow from the
calibration file's ``seed``.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from SALib.sample import latin

from ..parameters import parameter_table
from ..scenario import PROJECT_ROOT, ScenarioError, read_yaml_mapping
from .patterns import load_patterns, validation_message
from .runner import evaluate_all, loss, run_experiments

DEFAULT_CALIBRATION = PROJECT_ROOT / "configs" / "validation" / "calibration.yaml"


class Round(BaseModel):
    model_config = ConfigDict(extra="forbid")
    samples: int = Field(..., ge=1, le=100_000)
    shrink: float | None = Field(None, gt=0, le=1)


class CalibrationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: str = "configs/validation/patterns.yaml"
    seed: int = 0
    seeds_per_candidate: int = Field(3, ge=1, le=100)
    rounds: list[Round]
    parameters: dict[str, tuple[float, float]]


def load_calibration(path: str | Path | None = None) -> CalibrationFile:
    path = Path(path) if path else DEFAULT_CALIBRATION
    try:
        spec = CalibrationFile.model_validate(read_yaml_mapping(path, "calibration file"))
    except ValidationError as err:
        raise ScenarioError(f"{path}: {validation_message(err)}") from None
    table = parameter_table()
    for name, (lo, hi) in spec.parameters.items():
        if name not in table:
            raise ScenarioError(f"{path}: parameters.{name}: unknown parameter")
        declared = table[name]
        if lo >= hi or (declared.lo is not None and lo < declared.lo) or (declared.hi is not None and hi > declared.hi):
            raise ScenarioError(f"{path}: parameters.{name}: range [{lo:g}, {hi:g}] is empty or outside the declared [{declared.lo:g}, {declared.hi:g}]")
    return spec


def latin_design(bounds: dict[str, tuple[float, float]], samples: int, seed: int) -> pd.DataFrame:
    """A Latin-hypercube design over ``bounds`` (SALib), one row per candidate."""
    problem = {"num_vars": len(bounds), "names": list(bounds), "bounds": [list(b) for b in bounds.values()]}
    return pd.DataFrame(latin.sample(problem, samples, seed=seed), columns=list(bounds))


def score(args: tuple[str, dict[str, Any], int]) -> float:
    """Loss of one candidate (module-level so worker processes can run it)."""
    pattern_file, candidate, seeds = args
    patterns = load_patterns(PROJECT_ROOT / pattern_file if not Path(pattern_file).is_absolute() else pattern_file)
    outputs = run_experiments(patterns, seeds=seeds, extra=candidate)
    return loss(evaluate_all(patterns, outputs))


def _round_values(candidate: dict[str, float]) -> dict[str, float]:
    table = parameter_table()
    return {k: (int(round(v)) if table[k].kind == "int" else float(np.round(v, 4))) for k, v in candidate.items()}


def calibrate(
    spec: CalibrationFile,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    executor: Callable[[Callable, list], list] | None = None,
) -> pd.DataFrame:
    """Run the calibration rounds; returns every candidate with its loss, best first."""
    bounds = {k: tuple(v) for k, v in spec.parameters.items()}
    total = sum(r.samples for r in spec.rounds)
    done = 0
    scored: list[pd.DataFrame] = []

    def run_all(tasks: list) -> list[float]:
        nonlocal done
        results: list[float] = []
        if executor is not None:
            return executor(score, tasks)
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for value in pool.map(score, tasks):
                    results.append(value)
                    done += 1
                    if progress:
                        progress(done, total)
        else:
            for task in tasks:
                results.append(score(task))
                done += 1
                if progress:
                    progress(done, total)
        return results

    for index, round_ in enumerate(spec.rounds):
        box = dict(bounds)
        if round_.shrink and scored:
            best = pd.concat(scored).sort_values("loss").iloc[0]
            box = {}
            for name, (lo, hi) in bounds.items():
                half = (hi - lo) * round_.shrink
                box[name] = (max(lo, best[name] - half), min(hi, best[name] + half))
        design = latin_design(box, round_.samples, spec.seed + index)
        candidates = [_round_values(row) for row in design.to_dict("records")]
        losses = run_all([(spec.patterns, c, spec.seeds_per_candidate) for c in candidates])
        frame = pd.DataFrame(candidates)
        frame["loss"] = losses
        frame["round"] = index + 1
        scored.append(frame)
    return pd.concat(scored, ignore_index=True).sort_values(["loss", "round"], kind="stable").reset_index(drop=True)
