"""Calibration of the free parameters against the historical patterns, on the sweep engine.

Each round is one Latin-hypercube sweep per validation experiment (the same design, points and
seeds in every experiment, so point *i* is one candidate everywhere). The sweeps run on the sweep
engine's executors (local processes or Dask) and store each run's monthly series; every candidate
is then scored by the total shortfall of the hard patterns H1-H8
(:func:`magnetdiplomacy.validation.loss`). Patterns on the event log check replayed history, which
the free parameters cannot change: they are left to ``validate``. Later rounds search a box shrunk
around the best candidate so far. Nothing but the patterns and the data files enters the
objective, and the calibration file's ``seed`` fixes every design and run seed. Because the sweeps
resume, an interrupted calibration continues where it stopped when rerun into the same folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from ..model import MagnetDiplomacyModel
from ..parameters import parameter_table
from ..scenario import PROJECT_ROOT, ScenarioError
from ..sweeps.inputs import read_yaml_file
from ..sweeps.schema import Number
from .patterns import PatternFile, load_patterns, validation_message
from .runner import RunOutput, evaluate_pattern

if TYPE_CHECKING:
    from ..sweeps.runner import SweepProgress

DEFAULT_CALIBRATION = PROJECT_ROOT / "configs" / "validation" / "calibration.yaml"


class Round(BaseModel):
    model_config = ConfigDict(extra="forbid")
    samples: StrictInt = Field(..., ge=1, le=100_000)
    shrink: Number | None = Field(None, gt=0, le=1)


class CalibrationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: str = "configs/validation/patterns.yaml"
    seed: StrictInt = Field(0, ge=0, le=2**32 - 1)
    seeds_per_candidate: StrictInt = Field(3, ge=1, le=100)
    rounds: list[Round]
    parameters: dict[str, tuple[Number, Number]]


def check_priors(origin: str, key: str, priors: dict[str, tuple[float, float]]) -> dict[str, str]:
    """Every prior a declared numeric sweep parameter with a range inside its declared one;
    returns each parameter's kind (``int`` or ``float``)."""
    table = parameter_table()
    if not priors:
        raise ScenarioError(f"{origin}: {key}: no parameters to calibrate; list at least one name: [lo, hi]")
    kinds = {}
    for name, (lo, hi) in priors.items():
        declared = table.get(name)
        if declared is None:
            raise ScenarioError(f"{origin}: {key}.{name}: unknown parameter (see `magnetdiplomacy describe`)")
        if not declared.sweep or declared.lo is None or declared.hi is None:
            raise ScenarioError(f"{origin}: {key}.{name}: not a numeric sweep parameter")
        if lo >= hi or lo < declared.lo or hi > declared.hi:
            raise ScenarioError(
                f"{origin}: {key}.{name}: range [{lo:g}, {hi:g}] is empty or outside the declared "
                f"[{declared.lo:g}, {declared.hi:g}]"
            )
        kinds[name] = declared.kind
    return kinds


def load_calibration(path: str | Path | None = None) -> CalibrationFile:
    """Read and check a calibration file: every parameter declared, ranges inside the declared ones."""
    path = Path(path) if path else DEFAULT_CALIBRATION
    try:
        spec = CalibrationFile.model_validate(read_yaml_file(path, "calibration file")[0])
    except ValidationError as err:
        raise ScenarioError(f"{path}: {validation_message(err)}") from None
    check_priors(str(path), "parameters", spec.parameters)
    return spec


def needed_columns(patterns: PatternFile) -> list[str]:
    """Model columns the patterns read (columns, denominators and names in expressions)."""
    known = set(MagnetDiplomacyModel.column_names())
    names: set[str] = set()
    for pattern in patterns.patterns:
        metric = pattern.metric
        for text in (metric.column, metric.of, metric.expression):
            names.update(word for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text or "") if word in known)
    return sorted(names - {"tick", "date"})


def scored_patterns(patterns: PatternFile):
    """The patterns calibration scores: hard ones whose metric reads the time series."""
    return [p for p in patterns.patterns if not p.soft and p.metric.kind != "events"]


def base_file(patterns: PatternFile, spec: CalibrationFile, experiment: str, folder: Path) -> Path:
    """A scenario file extending the experiment's scenario with the calibrated parameters at their
    declared defaults, so the sweeps do not depend on values an earlier calibration wrote into
    baseline.yaml (the design sets them anyway): runs stay resumable and reproducible from any commit."""
    scenario = patterns.experiments[experiment].scenario
    parent = PROJECT_ROOT / scenario if scenario.endswith((".yaml", ".yml")) else scenario
    tree: dict = {"name": f"calibration_base_{experiment}", "extends": str(parent)}
    for name in spec.parameters:
        node = tree
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = parameter_table()[name].default
    path = folder / "bases" / f"{experiment}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(tree, sort_keys=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def round_sweep(
    patterns: PatternFile,
    spec: CalibrationFile,
    experiment: str,
    box: dict[str, tuple[float, float]],
    index: int,
    samples: int,
    folder: Path,
):
    """The sweep that runs one calibration round for one experiment."""
    from ..sweeps.spec import parse_sweep

    exp = patterns.experiments[experiment]
    data = {
        "name": f"calibration_round{index + 1}_{experiment}",
        "description": f"Calibration round {index + 1}, experiment {experiment}",
        "base": str(base_file(patterns, spec, experiment, folder)),
        "set": dict(exp.overrides),
        "parameters": {name: {"range": [float(lo), float(hi)]} for name, (lo, hi) in box.items()},
        "design": {"kind": "lhs", "samples": samples},
        "replications": spec.seeds_per_candidate,
        "seed": spec.seed + index,
        "outcomes": {"series": needed_columns(patterns)},
    }
    return parse_sweep(data, "calibration", folder=PROJECT_ROOT)


def score_round(patterns: PatternFile, folders: dict[str, Path]) -> pd.DataFrame:
    """Loss of every candidate of a finished round (one row per design point)."""
    from ..sweeps.storage import read_series

    scored = scored_patterns(patterns)
    runs: dict[str, dict[int, list[RunOutput]]] = {}
    points: pd.DataFrame | None = None
    for experiment, folder in folders.items():
        plan = pd.read_parquet(folder / "plan.parquet")
        series = read_series(folder)
        series["date"] = pd.to_datetime(series["date"])
        by_run = dict(tuple(series.groupby("run_id", sort=True)))
        runs[experiment] = {}
        for row in plan.itertuples():
            frame = by_run[row.run_id].reset_index(drop=True)
            runs[experiment].setdefault(int(row.point), []).append(
                RunOutput(experiment, int(row.seed), frame, pd.DataFrame())
            )
        design = pd.read_parquet(folder / "design.parquet")
        points = design if points is None else points
    if points is None:
        raise ValueError("no experiments to score")
    losses = []
    for point in range(len(points)):
        total = 0.0
        for pattern in scored:
            total += evaluate_pattern(pattern, runs[pattern.experiment][point]).shortfall
        losses.append(total)
    frame = points.copy()
    frame["loss"] = losses
    return frame


def calibrate(
    spec: CalibrationFile,
    folder: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    progress_factory: Callable[[], SweepProgress] | None = None,
) -> pd.DataFrame:
    """Run the calibration rounds into ``folder``; returns every candidate with its loss, best first."""
    from ..sweeps.runner import run_sweep

    patterns = load_patterns(PROJECT_ROOT / spec.patterns)
    bounds = {k: (float(v[0]), float(v[1])) for k, v in spec.parameters.items()}
    table = parameter_table()
    scored: list[pd.DataFrame] = []
    for index, round_ in enumerate(spec.rounds):
        box = dict(bounds)
        if round_.shrink and scored:
            best = pd.concat(scored).sort_values("loss", kind="stable").iloc[0]
            box = {}
            for name, (lo, hi) in bounds.items():
                half = (hi - lo) * round_.shrink
                box[name] = (max(lo, float(best[name]) - half), min(hi, float(best[name]) + half))
        folders = {}
        # Experiments whose patterns are all soft (the free-running check) are not fitted: skip them.
        for experiment in [e for e in patterns.experiments if e in {p.experiment for p in scored_patterns(patterns)}]:
            sweep = round_sweep(patterns, spec, experiment, box, index, round_.samples, folder)
            folders[experiment] = folder / f"round{index + 1}" / experiment
            run_sweep(
                sweep,
                folders[experiment],
                workers=workers,
                scheduler=scheduler,
                dask_local=dask_local,
                progress=progress_factory() if progress_factory else None,
            )
        frame = score_round(patterns, folders)
        frame["round"] = index + 1
        scored.append(frame)
    result = pd.concat(scored, ignore_index=True).sort_values(["loss", "round"], kind="stable").reset_index(drop=True)
    for name in bounds:
        if table[name].kind == "int":
            result[name] = result[name].round().astype(int)
    return result


def best_values(candidates: pd.DataFrame, parameters: list[str]) -> dict[str, float]:
    """The best candidate's values, rounded to four significant figures."""
    best = candidates.iloc[0]
    return {name: float(f"{float(best[name]):.4g}") for name in parameters}


__all__ = ["CalibrationFile", "best_values", "calibrate", "load_calibration"]
