"""Sweep files: YAML -> one validated, resolved :class:`Sweep`.

A sweep file says which scenario to start from, what to fix, what to vary and how, and what to
keep::

    name: share_drivers
    description: What drives Malaysia's 2030 share of non-China magnet output?
    base: baseline                        # scenario name or file
    set:                                  # fixed for every run (any parameter, dotted paths)
      buyers.count: 100
    parameters:                           # varied: dotted paths from `magnetdiplomacy describe`
      jslink.capacity_t_yr: {}            #   the declared range
      china.licence_grant_rate: {range: [0.1, 0.9]}
      us.tariff_malaysia_initial: [0, 0.25, 0.5]    # explicit values (factorial designs only)
    design: {kind: sobol, samples: 64}    # factorial | lhs | sobol | morris
    replications: 2
    seed: 2024
    outcomes:
      series: [malaysia_alignment, malaysia_magnet_share_nonchina]
      scalars:
        share_2030: {column: malaysia_magnet_share_nonchina, stat: mean, from: 2030-01, to: 2030-12}

Parameters refer to the single declarations in :mod:`magnetdiplomacy.parameters`: unknown paths,
parameters not declared as sweep dimensions and values outside the declared range are errors.
Every problem is a :class:`SweepError` with one line naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..inference.sweep_draws import SweepPosterior, resolve
from ..outputs import COLUMNS
from ..parameters import Scenario, parameter_table
from ..scenario import ScenarioError, find_scenario, load_scenario
from ..timeline import months_between, tick_of
from .inputs import check_sweep_name, describe_validation, read_yaml_file
from .schema import (
    BAND_STATS,
    DEFAULT_SERIES,
    DESIGN_ALIASES,
    DESIGNS,
    HARD_MAX_RUNS,
    MAX_RUNS,
    RESERVED,
    STATS,
    THRESHOLD_STATS,
    DesignSpec,
    OutcomeSpec,
    ParamEntry,
    ScalarSpec,
    SweepError,
    SweepFile,
)

__all__ = [
    "BAND_STATS",
    "DEFAULT_SERIES",
    "DESIGNS",
    "DESIGN_ALIASES",
    "DesignSpec",
    "MAX_RUNS",
    "OutcomeSpec",
    "ParamEntry",
    "RESERVED",
    "STATS",
    "Scalar",
    "ScalarSpec",
    "Sweep",
    "SweepError",
    "SweepFile",
    "SweepParam",
    "THRESHOLD_STATS",
    "load_sweep",
    "parse_sweep",
]

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------------------------
# the resolved sweep


@dataclass(frozen=True)
class SweepParam:
    """One varied parameter: its declared metadata and the range or values the sweep uses."""

    path: str
    lo: float
    hi: float
    values: tuple[float, ...] | None
    default: float
    unit: str
    description: str

    def levels(self) -> tuple[float, ...]:
        """The values a factorial design takes (every parameter of a factorial sweep has them)."""
        if self.values is None:
            raise SweepError(f"parameters.{self.path}: a factorial design needs values or levels")
        return self.values

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "lo": self.lo,
            "hi": self.hi,
            "values": list(self.values) if self.values else None,
            "default": self.default,
            "unit": self.unit,
            "description": self.description,
        }


@dataclass(frozen=True)
class Scalar:
    """One end-of-run scalar: a statistic of one column over a window of months (ticks inclusive)."""

    name: str
    column: str
    stat: str
    first_tick: int
    last_tick: int
    at_tick: int | None = None
    threshold: float | None = None
    band: tuple[float, float] | None = None
    window: tuple[str, str] = ("", "")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "column": self.column,
            "stat": self.stat,
            "from": self.window[0],
            "to": self.window[1],
        }
        if self.at_tick is not None:
            out["at_tick"] = self.at_tick
        if self.threshold is not None:
            out["threshold"] = self.threshold
        if self.band is not None:
            out["band"] = list(self.band)
        return out


@dataclass
class Sweep:
    """A validated sweep: base scenario, varied parameters, design, seeds and outcomes."""

    name: str
    description: str
    base_name: str
    base: Scenario
    fixed: dict[str, Any]
    params: list[SweepParam]
    design: DesignSpec
    replications: int
    seed: int
    seeding: str
    series: tuple[str, ...]
    scalars: tuple[Scalar, ...]
    batch: int | None = None
    path: Path | None = None
    text: str = ""
    posterior: SweepPosterior | None = None  # replications are draws x replications per draw
    _points: int | None = field(default=None, repr=False)

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.params]

    @property
    def n_ticks(self) -> int:
        return months_between(self.base.run.start, self.base.run.end) + 1

    @property
    def needed_columns(self) -> tuple[str, ...]:
        """Model columns the workers record: the series kept plus those the scalars read."""
        extra = [s.column for s in self.scalars if s.column not in self.series]
        return tuple(dict.fromkeys([*self.series, *extra]))

    @property
    def n_points(self) -> int:
        d, n, kind = len(self.params), self.design.samples or 0, self.design.kind
        if kind == "factorial":
            return math.prod(len(p.values or ()) for p in self.params)
        if kind == "lhs":
            return n
        if kind == "sobol":
            return n * (2 * d + 2 if self.design.second_order else d + 2)
        return n * (d + 1)  # morris

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    def definition(self) -> dict[str, Any]:
        """Everything that determines the results (not the name, the description or the batch size)."""
        return {
            "base": self.base.model_dump(mode="json"),
            "parameters": [p.as_dict() for p in self.params],
            "design": self.design.model_dump(),
            "replications": self.replications,
            "seed": self.seed,
            "seeding": self.seeding,
            "series": list(self.series),
            "scalars": [s.as_dict() for s in self.scalars],
        } | ({"posterior": self.posterior.definition()} if self.posterior else {})

    def fingerprint(self) -> str:
        blob = json.dumps(self.definition(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# reading and checking


def _base_scenario(raw: SweepFile, origin: str, folder: Path | None) -> tuple[str, Scenario]:
    candidate = folder / raw.base if folder is not None else None
    try:
        path = (
            candidate
            if candidate is not None and candidate.suffix in (".yaml", ".yml") and candidate.is_file()
            else find_scenario(raw.base)
        )
        base = load_scenario(path)
    except ScenarioError as err:
        raise SweepError(f"{origin}: base: {err}") from None
    table = parameter_table()
    for key in raw.set:
        dotted = key.replace("__", ".")
        if dotted not in table:
            raise SweepError(f"{origin}: set.{key}: unknown parameter (`magnetdiplomacy describe` lists them)")
        if dotted == "run.seed":
            raise SweepError(f"{origin}: set.{key}: runs take their seeds from the sweep's seed; set `seed:` instead")
    overrides = {key.replace("__", "."): value for key, value in raw.set.items()}
    overrides["outputs.agent_table"] = False  # sweeps keep model columns only; the agent table is the costliest output
    try:
        base = load_scenario(base, overrides)
    except ScenarioError as err:
        problem = str(err).split(": ", 1)[-1]
        raise SweepError(f"{origin}: set.{problem}") from None
    return str(raw.base), base


def _params(raw: SweepFile, origin: str) -> list[SweepParam]:
    if not raw.parameters:
        raise SweepError(f"{origin}: parameters: list at least one parameter to vary")
    table = parameter_table()
    fixed = {key.replace("__", ".") for key in raw.set}
    kind = raw.design.kind
    out = []
    for key, entry in raw.parameters.items():
        where = f"{origin}: parameters.{key}"
        path = key.replace("__", ".")
        spec = table.get(path)
        if spec is None:
            raise SweepError(f"{where}: unknown parameter (`magnetdiplomacy describe` lists them)")
        if not spec.sweep or spec.lo is None or spec.hi is None:
            raise SweepError(
                f"{where}: not a sweep dimension (declared sweep=False or not a number); fix it under set: instead"
            )
        if path in fixed:
            raise SweepError(f"{where}: also fixed under set:; a parameter is either fixed or varied")
        declared = f"[{spec.lo:g}, {spec.hi:g}] {spec.unit}"
        if entry.range is not None:
            lo, hi = entry.range
            for label, value in (("range[0]", lo), ("range[1]", hi)):
                if not spec.lo <= value <= spec.hi:
                    raise SweepError(f"{where}.{label}: {value:g} is out of the declared range {declared}")
            if not lo < hi:
                raise SweepError(f"{where}.range: low end {lo:g} must be below high end {hi:g}")
        else:
            lo, hi = spec.lo, spec.hi
        values = None
        if entry.values is not None:
            if kind != "factorial":
                raise SweepError(
                    f"{where}.values: explicit values need design kind factorial ({kind} designs sample a range)"
                )
            if not entry.values:
                raise SweepError(f"{where}.values: give at least one value")
            for value in entry.values:
                if not spec.lo <= value <= spec.hi:
                    raise SweepError(f"{where}.values: {value:g} is out of the declared range {declared}")
            if len(set(entry.values)) != len(entry.values):
                raise SweepError(f"{where}.values: values repeat")
            if entry.levels is not None:
                raise SweepError(f"{where}.levels: give values or levels, not both")
            values = tuple(float(v) for v in entry.values)
        elif kind == "factorial":
            levels = entry.levels or raw.design.levels or 3
            values = tuple(float(v) for v in _linspace(lo, hi, levels))
        elif entry.levels is not None:
            raise SweepError(f"{where}.levels: levels per parameter need design kind factorial")
        out.append(SweepParam(path, float(lo), float(hi), values, spec.default, spec.unit, spec.description))
    return out


def _linspace(lo: float, hi: float, n: int) -> list[float]:
    return [round(lo + (hi - lo) * i / (n - 1), 12) for i in range(n)]


def _check_design(raw: SweepFile, origin: str) -> None:
    design = raw.design
    where = f"{origin}: design"
    if design.kind == "factorial":
        if design.samples is not None:
            raise SweepError(f"{where}.samples: not used by factorial designs (give values or levels per parameter)")
        if design.second_order:
            raise SweepError(f"{where}.second_order: only for sobol designs")
        return
    if design.samples is None:
        hint = {"lhs": "points", "sobol": "base samples N, a power of 2", "morris": "trajectories"}[design.kind]
        raise SweepError(f"{where}.samples: required for {design.kind} designs ({hint})")
    if design.kind == "sobol":
        n = design.samples
        if n & (n - 1):
            raise SweepError(
                f"{where}.samples: {n} is not a power of 2 (Sobol designs need 2^k base samples, e.g. 32, 64, 128)"
            )
    elif design.second_order:
        raise SweepError(f"{where}.second_order: only for sobol designs")
    if design.kind == "lhs" and design.levels is not None:
        raise SweepError(f"{where}.levels: only for morris and factorial designs")
    if design.kind == "sobol" and design.levels is not None:
        raise SweepError(f"{where}.levels: only for morris and factorial designs")


def _scalar(name: str, spec: ScalarSpec, where: str, base: Scenario, known: set[str]) -> Scalar:
    """One scalar outcome, its months checked against the runs' (ticks from the start month)."""
    start, end = base.run.start, base.run.end
    last = months_between(start, end)
    if spec.column not in known:
        raise SweepError(f"{where}.column: unknown model column '{spec.column}'")
    first, final = 0, last
    for label, value in (("from", spec.start), ("to", spec.to), ("at", spec.at)):
        if value is not None and not 0 <= tick_of(start, value) <= last:
            raise SweepError(f"{where}.{label}: {value} is outside the runs ({start} to {end})")
    if spec.start is not None:
        first = tick_of(start, spec.start)
    if spec.to is not None:
        final = tick_of(start, spec.to)
    if first > final:
        raise SweepError(f"{where}.to: {spec.to} is before from ({spec.start})")
    at_tick = None
    if spec.stat == "at":
        if spec.at is None:
            raise SweepError(f"{where}.at: stat 'at' needs a month (at: YYYY-MM)")
        at_tick = tick_of(start, spec.at)
    elif spec.at is not None:
        raise SweepError(f"{where}.at: only used with stat: at")
    if spec.stat in THRESHOLD_STATS and spec.threshold is None:
        raise SweepError(f"{where}.threshold: stat '{spec.stat}' needs a threshold")
    if spec.stat not in THRESHOLD_STATS and spec.threshold is not None:
        raise SweepError(f"{where}.threshold: only used with stats {', '.join(THRESHOLD_STATS)}")
    if spec.stat in BAND_STATS:
        if spec.band is None:
            raise SweepError(f"{where}.band: stat '{spec.stat}' needs a band [low, high]")
        if not spec.band[0] < spec.band[1]:
            raise SweepError(f"{where}.band: low end must be below high end")
    elif spec.band is not None:
        raise SweepError(f"{where}.band: only used with stats {', '.join(BAND_STATS)}")
    window = (spec.start or start, spec.to or end)
    return Scalar(name, spec.column, spec.stat, first, final, at_tick, spec.threshold, spec.band, window)


def _outcomes(
    raw: SweepFile, origin: str, base: Scenario, params: list[SweepParam]
) -> tuple[tuple[str, ...], tuple[Scalar, ...]]:
    columns = [c for c in COLUMNS if c not in ("tick", "date")]  # the model's columns, without loading it
    known = set(columns)
    series = list(raw.outcomes.series)
    for i, name in enumerate(series):
        if name not in known:
            raise SweepError(
                f"{origin}: outcomes.series[{i}]: unknown model column '{name}' (known: {', '.join(columns[:6])}, ...)"
            )
    if len(set(series)) != len(series):
        raise SweepError(f"{origin}: outcomes.series: a column is listed twice")
    specs = raw.outcomes.scalars
    if specs is None:
        specs = {f"{name}_end": ScalarSpec(column=name, stat="last") for name in (series or DEFAULT_SERIES)}
    if not series and not specs:
        raise SweepError(f"{origin}: outcomes: keep at least one series or scalar")
    taken = set(RESERVED) | {p.path for p in params}
    scalars = []
    for name, spec in specs.items():
        where = f"{origin}: outcomes.scalars.{name}"
        if not _NAME_RE.match(name):
            raise SweepError(f"{where}: a scalar's name must be letters, digits and underscores")
        if name in taken:
            raise SweepError(f"{where}: name is reserved or already used")
        taken.add(name)
        scalars.append(_scalar(name, spec, where, base, known))
    return tuple(series), tuple(scalars)


def _check_extremes(base: Scenario, params: list[SweepParam], origin: str) -> None:
    """Each varied parameter's ends (or explicit values), the others at the base's values, then every
    one at its low end and every one at its high end, through the scenario's own checks: what the
    declarations refuse (a band turned upside down, say) is refused before any run starts."""
    trials = [(f"parameters.{p.path}: {v:g}", {p.path: v}) for p in params for v in (p.values or (p.lo, p.hi))]
    if len(params) > 1:
        trials.append(("parameters: every one at its low end", {p.path: p.lo for p in params}))
        trials.append(("parameters: every one at its high end", {p.path: p.hi for p in params}))
    for where, trial in trials:
        try:
            load_scenario(base, trial)
        except ScenarioError as err:
            problem = str(err).split(": ", 1)[-1]
            raise SweepError(f"{origin}: {where} is refused by the scenario ({problem})") from None


def parse_sweep(
    data: dict, origin: str, folder: Path | None = None, name: str | None = None, max_runs: int = MAX_RUNS
) -> Sweep:
    """Validate a sweep mapping (as read from YAML) into a resolved :class:`Sweep` of at most
    ``max_runs`` runs (``name``: the file's stem, used when the mapping has no name)."""
    try:
        raw = SweepFile.model_validate(data)
    except ValidationError as err:
        raise SweepError(describe_validation(err, origin)) from None
    sweep_name = check_sweep_name(raw.name or name or "sweep", origin, "name" if raw.name else "name (the file's)")
    _check_design(raw, origin)
    base_name, base = _base_scenario(raw, origin, folder)
    params = _params(raw, origin)
    _check_extremes(base, params, origin)
    series, scalars = _outcomes(raw, origin, base, params)
    varied = [p.path for p in params]
    drawn = resolve(raw.posterior, origin, folder, base, varied, raw.seed, raw.replications) if raw.posterior else None
    sweep = Sweep(
        name=sweep_name,
        description=raw.description.strip(),
        base_name=base_name,
        base=base,
        fixed={key.replace("__", "."): value for key, value in raw.set.items()},
        params=params,
        design=raw.design,
        replications=raw.replications * (drawn.draws if drawn else 1),
        seed=raw.seed,
        seeding=raw.seeding,
        series=series,
        scalars=scalars,
        batch=raw.batch,
        posterior=drawn,
    )
    if sweep.n_runs > min(max_runs, HARD_MAX_RUNS):
        raise SweepError(
            f"{origin}: design: {sweep.n_runs:,} runs is more than the limit of {min(max_runs, HARD_MAX_RUNS):,}"
            + (" (--max-runs raises it)" if max_runs < HARD_MAX_RUNS else "")
        )
    if sweep.n_runs < 1:
        raise SweepError(f"{origin}: design: the design has no runs")
    return sweep


def load_sweep(source: str | Path | dict, overrides: dict[str, Any] | None = None, max_runs: int = MAX_RUNS) -> Sweep:
    """Read and validate a sweep file (or a mapping with the same keys) of at most ``max_runs`` runs.

    ``overrides`` replace top-level keys of the file (``{"replications": 1}``) before validation.
    """
    if isinstance(source, dict):
        data, text, path, origin = dict(source), yaml.safe_dump(source, sort_keys=False), None, "sweep"
    else:
        path = Path(source)
        data, text = read_yaml_file(path)
        origin = str(path)
    if overrides:
        data.update(overrides)
    stem = path.stem if path else None
    sweep = parse_sweep(data, origin, path.parent if path else None, stem, max_runs)
    sweep.path, sweep.text = path, text
    return sweep
