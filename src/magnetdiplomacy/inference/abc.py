"""Calibration of the free parameters by approximate Bayesian computation (ABC-SMC, pyABC).

The summary statistics are the hard, time-series patterns of the patterns file (the ones the
search calibration scores). Each simulation runs the model once per needed validation experiment
(``seeds_per_simulation`` times, medians as ``validate`` takes them) and turns every pattern into a
distance in units of its tolerance (:func:`pattern_distance`): 0 on target, 1 at the edge of the
tolerance, more outside. The ABC distance is the largest of them, so ``epsilon <= 1`` means every
pattern within its tolerance, and the distance still ranks particles inside the tolerance.

Generations are stored in pyABC's SQLite history (``abc.db``); each generation is run as its own
``ABCSMC.load`` + ``run``, so the loop is the same whether a run starts, continues or resumes after
being killed, and the posterior folder (:mod:`magnetdiplomacy.inference.posterior`), the plots and
the report are rewritten after every generation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .abc_config import AbcSettings, check_resumable, record_settings, resolve

if TYPE_CHECKING:
    from ..parameters import Scenario
    from ..validation.patterns import Pattern, PatternFile

MISSING = 1000.0  # a pattern whose metric cannot be computed (NaN): far outside any tolerance
DB = "abc.db"
PRIOR_EPSILON = 1e12  # generation 0's threshold: every prior draw is accepted
Simulator = Callable[[dict[str, float]], dict[str, float]]  # parameter values -> distance per pattern


# --------------------------------------------------------------------------------------------
# distances


def _cell(pattern: Pattern, margin: float, year: int | None) -> float:
    """One value's distance in tolerance units from its margin (``validate``'s, metric units)."""
    from ..validation.runner import _scale

    test = pattern.test
    if margin is None or math.isnan(margin) or math.isinf(margin):
        return MISSING
    if test.kind in ("within", "within_relative"):  # |simulated - observed| / tolerance
        return 1.0 - margin / max(test.number("tolerance"), 1e-12)
    if test.kind == "range":  # |simulated - middle| / half-width
        lo, hi = test.bounds(year)
        return 1.0 - margin / max((hi - lo) / 2.0, 1e-12)
    # One-sided tests have no observed value: 1 at the bound, falling to 0 one search scale inside.
    return max(0.0, 1.0 - margin / _scale(pattern, year))


def pattern_distance(pattern: Pattern, runs: list) -> float:
    """A pattern's distance in tolerance units for a set of runs (the median over runs, as
    ``validate`` tests it): the worst year of a per-year pattern; <= 1 exactly when it passes."""
    from ..validation.runner import _scale, evaluate_pattern

    summary = evaluate_pattern(pattern, runs).summary
    if pattern.test.kind == "increasing":
        steps = np.diff(summary["median"].to_numpy(dtype=float))
        if not len(steps) or np.isnan(steps).any():
            return MISSING
        return min(MISSING, max(0.0, 1.0 - float(steps.min()) / _scale(pattern)))
    cells = [
        _cell(pattern, float(row.margin), None if row.year == "" else int(row.year)) for row in summary.itertuples()
    ]
    return min(MISSING, max(cells)) if cells else MISSING


def max_distance(x: dict, x0: dict) -> float:  # noqa: ARG001 - pyABC's distance signature
    """The ABC distance: the worst pattern's distance in tolerance units (``x0`` is all zeros)."""
    return float(max(float(np.asarray(v).ravel()[0]) for v in x.values()))


# --------------------------------------------------------------------------------------------
# the model as a simulator


def model_seeds(seed: int, values: dict[str, float], count: int) -> list[int]:
    """Model seeds for one parameter set: a SeedSequence of the file's seed and a hash of the
    values, so the same particle always gets the same runs, in any process or order."""
    text = json.dumps({k: float(v) for k, v in sorted(values.items())}, sort_keys=True)
    words = np.frombuffer(hashlib.sha256(text.encode()).digest()[:16], dtype=np.uint32)
    state = np.random.SeedSequence([seed, *map(int, words)]).generate_state(count, dtype=np.uint32)
    return [int(s) for s in state]


@dataclass
class ModelSimulator:
    """The model as ABC sees it: parameter values in, each scored pattern's distance out."""

    patterns: PatternFile
    bases: dict[str, Scenario]  # each needed experiment's scenario (overrides applied)
    kinds: dict[str, str]
    seed: int
    seeds: int = 1

    @classmethod
    def build(cls, settings: AbcSettings) -> ModelSimulator:
        """The simulator for a checked ABC calibration file."""
        from ..validation.calibrate import scored_patterns
        from ..validation.patterns import load_patterns
        from ..validation.runner import experiment_scenarios

        patterns = load_patterns(resolve(settings.patterns))
        needed = {p.experiment for p in scored_patterns(patterns)}
        scenarios = experiment_scenarios(patterns)
        bases = {name: scenarios[name] for name in patterns.experiments if name in needed}
        return cls(patterns, bases, dict(settings.kinds), settings.seed, settings.seeds_per_simulation)

    @property
    def pattern_ids(self) -> list[str]:
        """The scored patterns, in file order."""
        from ..validation.calibrate import scored_patterns

        return [p.id for p in scored_patterns(self.patterns)]

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        from ..scenario import load_scenario
        from ..validation.calibrate import scored_patterns
        from ..validation.runner import simulate_one

        typed = {k: (round(v) if self.kinds.get(k) == "int" else float(v)) for k, v in values.items()}
        seeds = model_seeds(self.seed, typed, len(self.bases) * self.seeds)
        runs: dict[str, list] = {}
        for i, (name, base) in enumerate(self.bases.items()):
            scenario = load_scenario(base, typed)
            chunk = seeds[i * self.seeds : (i + 1) * self.seeds]
            runs[name] = [simulate_one((name, scenario, s)) for s in chunk]
        return {p.id: pattern_distance(p, runs[p.experiment]) for p in scored_patterns(self.patterns)}


@dataclass
class PyabcModel:
    """Adapts a :data:`Simulator` to pyABC: its parameter names carry no dots."""

    simulator: Simulator
    names: dict[str, str]  # pyABC name -> dotted name

    def __call__(self, parameter: dict) -> dict[str, float]:
        return self.simulator({self.names[k]: float(v) for k, v in parameter.items()})


def safe_name(name: str) -> str:
    """A dotted parameter name as pyABC stores it."""
    return name.replace(".", "__")


# --------------------------------------------------------------------------------------------
# the ABC-SMC loop


@dataclass
class AbcResult:
    """What a finished (or stopped) calibration left in its folder."""

    generations: pd.DataFrame
    particles: pd.DataFrame
    complete: bool
    stopped: str


def _quiet() -> None:
    # pyABC warns of a small total weight before it normalises the weights: the report shows the ESS
    logging.getLogger("ABC.Population").setLevel(logging.ERROR)
    for name in (
        "ABC",
        "ABC.History",
        "ABC.Sampler",
        "ABC.Distance",
        "ABC.Epsilon",
        "ABC.Transition",
        "ABC.Adaptation",
    ):
        logging.getLogger(name).setLevel(logging.WARNING)


def make_sampler(workers: int, client: Any = None) -> Any:
    """pyABC's sampler for the execution options: the Dask client's workers, N forked local
    processes (evaluation-parallel: workers simulate until enough particles are accepted), or the
    driver alone (the only reproducible one: see docs/calibration.md)."""
    from pyabc.sampler import DaskDistributedSampler, MulticoreEvalParallelSampler, SingleCoreSampler

    if client is not None:
        return DaskDistributedSampler(dask_client=client, batch_size=1)
    if workers <= 1:
        return SingleCoreSampler(check_max_eval=True)
    return MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)


def _abcsmc(settings: AbcSettings, simulator: Simulator, sampler: Any, first: bool):
    import pyabc

    names = {safe_name(n): n for n in settings.priors}
    prior = pyabc.Distribution(
        **{safe_name(n): pyabc.RV("uniform", lo, hi - lo) for n, (lo, hi) in settings.priors.items()}
    )
    return pyabc.ABCSMC(
        PyabcModel(simulator, names),
        prior,
        max_distance,
        population_size=settings.population_size,
        # Generation 0 accepts every prior draw (no extra calibration sample); later thresholds are
        # the epsilon_quantile of the previous (stored) generation's distances.
        eps=pyabc.QuantileEpsilon(
            initial_epsilon=PRIOR_EPSILON if first else "from_sample", alpha=settings.epsilon_quantile
        ),
        sampler=sampler,
    )


def stop_reason(settings: AbcSettings, generations: pd.DataFrame) -> str:
    """Why the calibration is finished, or '' if it goes on."""
    if generations.empty:
        return ""
    if len(generations) >= settings.max_generations:
        return f"max_generations ({settings.max_generations}) reached"
    if float(generations["epsilon"].iloc[-1]) <= settings.minimum_epsilon:
        return f"epsilon {generations['epsilon'].iloc[-1]:.3g} <= minimum_epsilon {settings.minimum_epsilon:g}"
    if int(generations["simulations"].sum()) >= settings.max_total_simulations:
        return f"max_total_simulations ({settings.max_total_simulations}) reached"
    return ""


def run_abc(
    settings: AbcSettings,
    folder: Path,
    simulator: Simulator,
    *,
    workers: int = 1,
    client: Any = None,
    on_generation: Callable[[AbcResult], None] | None = None,
) -> AbcResult:
    """Run (or continue) ABC-SMC into ``folder`` until a stopping rule holds; writes the posterior
    folder, ``pattern_distances.parquet``, plots and report after every generation."""
    import pyabc

    _quiet()
    folder.mkdir(parents=True, exist_ok=True)
    check_resumable(folder, settings)
    record_settings(folder, settings)
    db = f"sqlite:///{(folder / DB).resolve()}"
    x0 = {pid: 0.0 for pid in simulator.pattern_ids} if hasattr(simulator, "pattern_ids") else {}
    while True:
        stored = (folder / DB).is_file() and bool(pyabc.History(db).all_runs())
        first = not stored or pyabc.History(db, _id=1).n_populations == 0
        abc = _abcsmc(settings, simulator, make_sampler(workers, client), first)
        history = abc.load(db, 1) if stored else abc.new(db, x0 or None)
        result = collect(settings, history)
        if result.stopped:
            break
        spent = int(result.generations["simulations"].sum()) if len(result.generations) else 0
        remaining = settings.max_total_simulations - spent
        t = history.max_t + 1
        # Sampling in the driver draws from numpy's global generator: seeding it per generation
        # makes a single-process run (and its resume) repeat exactly.
        np.random.seed(np.random.SeedSequence([settings.seed, 0xABC, t]).generate_state(1)[0])
        abc.run(max_nr_populations=1, minimum_epsilon=0.0, min_acceptance_rate=settings.population_size / remaining)
        after = collect(settings, abc.history)
        if len(after.generations) == len(result.generations):  # the budget ran out inside the generation
            result = AbcResult(result.generations, result.particles, True, "max_total_simulations spent mid-generation")
            break
        write_outputs(settings, folder, after, abc.history)
        if on_generation:
            on_generation(after)
    write_outputs(settings, folder, result, history)
    return result


def collect(settings: AbcSettings, history: Any) -> AbcResult:
    """The per-generation table and the last generation's particles from pyABC's history."""
    from .posterior import GENERATION_COLUMNS

    names = {safe_name(n): n for n in settings.priors}
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].sort_values("t")
    rows, particles = [], pd.DataFrame(columns=[*settings.priors, "weight", "distance"])
    for pop in pops.itertuples():
        _, weights = history.get_distribution(m=0, t=int(pop.t))
        rows.append(
            {
                "generation": int(pop.t),
                "epsilon": float(pop.epsilon),
                "particles": int(pop.particles),
                "simulations": int(pop.samples),
                "acceptance_rate": float(pop.particles) / max(int(pop.samples), 1),
                "ess": float(1.0 / np.sum(np.asarray(weights, dtype=float) ** 2)),
                "wall_s": float(pop.wall_time or 0.0),
            }
        )
    generations = pd.DataFrame(rows, columns=list(GENERATION_COLUMNS))
    if len(pops):
        population = history.get_population(t=int(pops["t"].iloc[-1]))
        records = []
        for particle in population.particles:
            row = {names[k]: float(v) for k, v in particle.parameter.items()}
            row.update(weight=float(particle.weight), distance=float(particle.distance))
            row.update({f"d_{k}": float(np.asarray(v).ravel()[0]) for k, v in particle.sum_stat.items()})
            records.append(row)
        particles = pd.DataFrame(records)
    stopped = stop_reason(settings, generations)
    return AbcResult(generations, particles, bool(stopped), stopped)


def write_outputs(settings: AbcSettings, folder: Path, result: AbcResult, history: Any = None) -> None:
    """The posterior folder (complete or not), the per-pattern distances, plots and report."""
    from .abc_plots import write_plots, write_report
    from .posterior import write_posterior

    if result.particles.empty:
        return
    frame = result.particles
    meta = {
        "parameters": list(settings.priors),
        "priors": {k: [lo, hi] for k, (lo, hi) in settings.priors.items()},
        "calibration": settings.source,
        "patterns": settings.patterns,
        "seed": settings.seed,
        "generations": len(result.generations),
        "particles": len(frame),
        "complete": result.complete,
        "method": "abc-smc",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "distance": "max over patterns of the distance in tolerance units (<= 1: every pattern within tolerance)",
        "seeds_per_simulation": settings.seeds_per_simulation,
        "total_simulations": int(result.generations["simulations"].sum()),
        "wall_s": round(float(result.generations["wall_s"].sum()), 1),
        "stopped": result.stopped,
        "fixed": sorted(set(settings.all_priors or {}) - set(settings.priors)),
    }
    write_posterior(folder, frame[[*settings.priors, "weight", "distance"]], result.generations, meta)
    per_pattern = [c for c in frame.columns if c.startswith("d_")]
    frame[["weight", "distance", *per_pattern]].to_parquet(folder / "pattern_distances.parquet", index=False)
    write_plots(settings, folder, frame)
    write_report(settings, folder, result)


__all__ = [
    "AbcResult",
    "ModelSimulator",
    "collect",
    "make_sampler",
    "max_distance",
    "model_seeds",
    "pattern_distance",
    "run_abc",
    "stop_reason",
]
