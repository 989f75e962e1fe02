"""What a worker does: run a batch of runs and send back only the outcomes the sweep keeps.

Every executor (the driver's own process, local worker processes, Dask workers) calls
:func:`run_batch`, so a run's result depends only on the base scenario, the parameter values and
the seed: identical on every executor. A task carries a small :class:`Context` (the base scenario
and the outcome definitions), cached per worker process by the sweep's fingerprint.

Workers record only the model columns the sweep needs: the model's own ``DataCollector`` (all ~60
columns, deep-copied each month) is replaced by a :class:`Recorder` that reads the same
``model.indicators`` row; the model computes only the output contract's columns when those are all
the sweep keeps, and no agent table. These are outputs, not dynamics: the values are identical (a
test checks it) and a run takes about a fifth less time.

Runs of a task that share a seed start, where they can, from a copy of an earlier run of the
task taken before the month in which they first differ (:mod:`magnetdiplomacy.sweeps.sharing`);
the results are the same as running each from scratch.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import MagnetDiplomacyModel
from ..outputs import CONTRACT_COLUMNS
from ..parameters import Scenario
from ..scenario import load_scenario
from .sharing import SharedRunner, leaves, same_value
from .spec import Scalar


@dataclass(frozen=True)
class Context:
    """What every run of a sweep shares; sent with each task and cached by ``key`` in the worker."""

    key: str
    base: dict
    paths: tuple[str, ...]
    columns: tuple[str, ...]
    series: tuple[str, ...]
    scalars: tuple[Scalar, ...]
    share_history: bool = False
    snapshot_ticks: tuple[int, ...] = ()


@dataclass
class Task:
    """A batch of runs: ``(run_id, point, rep, seed, values)`` each."""

    index: int
    context: Context
    runs: list[tuple[int, int, int, int, tuple[float, ...]]]


@dataclass
class RunOutcome:
    run_id: int
    point: int
    rep: int
    seed: int
    values: tuple[float, ...]
    scalars: np.ndarray
    series: np.ndarray
    seconds: float


@dataclass
class BatchResult:
    index: int
    outcomes: list[RunOutcome] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    worker: str = ""
    peak_rss_mib: float = 0.0
    cpu_s: float = 0.0
    seconds: float = 0.0
    months: int = 0
    months_shared: int = 0


class Recorder:
    """A stand-in for the model's DataCollector that keeps a few columns of ``model.indicators``."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self.rows: list[list[Any]] = []

    def collect(self, model: MagnetDiplomacyModel) -> None:
        indicators = model.indicators
        self.rows.append([indicators.get(name) for name in self.columns])


_CACHE: dict[str, Scenario] = {}


def _base(context: Context) -> Scenario:
    base = _CACHE.get(context.key)
    if base is None:
        if len(_CACHE) > 8:
            _CACHE.clear()
        # the agent table is an output sweeps never keep; it does not change the dynamics
        base = _CACHE[context.key] = load_scenario(
            Scenario.model_validate(context.base), {"outputs.agent_table": False}
        )
    return base


def recording_model(scenario: Scenario, seed: int, columns: Sequence[str]) -> MagnetDiplomacyModel:
    """A model whose data collector keeps only ``columns``."""
    model = MagnetDiplomacyModel(scenario, rng=seed)
    model.datacollector = Recorder(columns)
    model.contract_indicators_only = set(columns) <= set(CONTRACT_COLUMNS)
    return model


def recorded(model: MagnetDiplomacyModel) -> np.ndarray:
    """The finished model's recorded columns, one row per month (float64)."""
    recorder = model.datacollector
    data = np.array(recorder.rows, dtype=float).reshape(len(recorder.rows), len(recorder.columns))
    if data.shape[0] != model.n_ticks:
        raise RuntimeError(f"recorded {data.shape[0]} months, expected {model.n_ticks}")
    return data


def simulate_columns(scenario: Scenario, seed: int, columns: Sequence[str]) -> np.ndarray:
    """Run one scenario with one seed; return the given columns, one row per month (float64)."""
    model = recording_model(scenario, seed, columns)
    model.run()
    return recorded(model)


def compute_scalars(data: np.ndarray, columns: Sequence[str], scalars: Sequence[Scalar]) -> np.ndarray:
    """End-of-run statistics of the recorded columns (see :mod:`magnetdiplomacy.sweeps.spec`)."""
    index = {name: i for i, name in enumerate(columns)}
    out = np.empty(len(scalars))
    for k, spec in enumerate(scalars):
        full = data[:, index[spec.column]]
        v = full[spec.first_tick : spec.last_tick + 1]
        stat = spec.stat
        if stat == "last":
            value = v[-1]
        elif stat == "first":
            value = v[0]
        elif stat == "mean":
            value = v.mean()
        elif stat == "min":
            value = v.min()
        elif stat == "max":
            value = v.max()
        elif stat == "sum":
            value = v.sum()
        elif stat == "std":
            value = v.std()
        elif stat == "at":
            value = full[spec.at_tick]
        elif stat == "max_abs":
            value = np.abs(v).max()
        elif stat in ("frac_above", "ever_above"):
            hit = v > spec.threshold
            value = hit.mean() if stat == "frac_above" else float(hit.any())
        elif stat in ("frac_below", "ever_below"):
            hit = v < spec.threshold
            value = hit.mean() if stat == "frac_below" else float(hit.any())
        elif stat in ("frac_outside", "ever_outside"):
            assert spec.band is not None  # checked when the sweep file was read
            lo, hi = spec.band
            hit = (v < lo) | (v > hi)
            value = hit.mean() if stat == "frac_outside" else float(hit.any())
        else:  # pragma: no cover - the schema allows only the listed stats
            raise ValueError(stat)
        out[k] = value
    return out


def run_batch(task: Task) -> BatchResult:
    """Run every run of a task; a run that raises is reported, not fatal to the batch."""
    started = time.perf_counter()
    context = task.context
    base = _base(context)
    series_index = [context.columns.index(name) for name in context.series]
    result = BatchResult(task.index, worker=f"{socket.gethostname()}:{os.getpid()}")
    scenarios: list[Scenario | Exception] = []
    for *_, values in task.runs:
        try:
            scenarios.append(load_scenario(base, dict(zip(context.paths, values, strict=False))))
        except Exception as err:  # noqa: BLE001 - reported below with the run id
            scenarios.append(err)
    runner, scenario_values = _shared_runner(context, scenarios)
    for (run_id, point, rep, seed, values), scenario, leaf_values in zip(
        task.runs, scenarios, scenario_values, strict=True
    ):
        began = time.perf_counter()
        try:
            if isinstance(scenario, Exception):
                raise scenario
            if runner is None:
                data = simulate_columns(scenario, seed, context.columns)
            else:
                shared_before = runner.months_shared
                model = runner.run(scenario, seed, leaf_values)
                data = recorded(model)
                result.months_shared += runner.months_shared - shared_before
            scalars = compute_scalars(data, context.columns, context.scalars)
        except Exception as err:  # noqa: BLE001 - reported to the driver with the run id
            message = str(err).splitlines()[0] if str(err) else ""
            result.errors.append((run_id, f"{type(err).__name__}: {message}"))
            continue
        result.months += data.shape[0]
        result.outcomes.append(
            RunOutcome(
                run_id, point, rep, seed, tuple(values), scalars, data[:, series_index], time.perf_counter() - began
            )
        )
    result.seconds = time.perf_counter() - started
    result.peak_rss_mib = peak_rss_mib()
    result.cpu_s = cpu_seconds()
    return result


def _shared_runner(
    context: Context, scenarios: list[Scenario | Exception]
) -> tuple[SharedRunner | None, list[dict | None]]:
    """A runner that shares history between the task's runs (None where nothing can be shared),
    and each scenario's values by path (None for a scenario that failed or without a runner)."""
    valid = [s for s in scenarios if isinstance(s, Scenario)]
    if not context.share_history or not context.snapshot_ticks or len(valid) < 2:
        return None, [None] * len(scenarios)
    values = [leaves(s) if isinstance(s, Scenario) else None for s in scenarios]
    known = [v for v in values if v is not None]
    first = known[0]
    # every value that differs anywhere in the task, including values validators derive
    varied = [path for path in first if any(not same_value(v[path], first[path]) for v in known[1:])]
    columns = context.columns
    return SharedRunner(
        lambda scenario, seed: recording_model(scenario, seed, columns), context.snapshot_ticks, varied
    ), values


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    times = os.times()
    return times.user + times.system


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (0 where the platform does not tell)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if os.uname().sysname != "Darwin" else peak / 2**20


def _gone(pid: int) -> bool:
    """True if process ``pid`` has exited (a zombie waiting to be reaped counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except FileNotFoundError:
        return True
    except OSError:  # no /proc (macOS): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def init_local_worker(driver_pid: int) -> None:
    """Initializer of local worker processes: leave Ctrl-C to the driver and exit if it dies.

    A worker whose driver was killed (``kill -9``) would otherwise wait forever for its next task.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # modules and the cached scenario are long-lived; keep the collector off them
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent or _gone(driver_pid):
                os._exit(3)

    threading.Thread(target=watch, name="driver-watch", daemon=True).start()
