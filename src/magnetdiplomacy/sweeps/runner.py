"""Running a sweep: plan the runs, skip those already done, stream the rest to Parquet.

The driver (this process) expands the design, hands batches of runs to an executor, and writes
finished runs to a new Parquet part every ``flush_runs`` runs or ``flush_seconds`` seconds, whichever
comes first. It holds at most one part's worth of results, so its memory does not grow with the
number of runs. On Ctrl-C it writes what has finished, records the session as interrupted and
stops the workers; rerunning the same command then runs only the missing runs.

With common random numbers, runs that share a seed also share their history up to the month in
which the model first reads a value they differ in (:mod:`magnetdiplomacy.sweeps.sharing`). The
driver runs the base scenario once to learn those months, orders the runs so that those sharing
the most history travel in the same task, and tells the workers when to keep copies. Results do
not depend on it; ``share_history=False`` turns it off.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import mesa
import numpy as np

from .. import __version__
from ..inference.sweep_draws import add_draw_columns
from ..runs import git_commit
from .designs import build_design, design_seed, design_table, replication_seeds, run_plan
from .executors import Executor, make_executor
from .inputs import check_output_folder
from .sharing import first_reads
from .spec import Sweep
from .storage import SweepStore, completed_run_ids, now
from .worker import BatchResult, Context, Task, cpu_seconds, peak_rss_mib

if TYPE_CHECKING:
    import pandas as pd


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; finished runs were saved. Carries the :class:`SweepReport`."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__("interrupted")
        self.report = report


@dataclass
class SweepReport:
    """What one invocation of :func:`run_sweep` did."""

    folder: Path
    name: str
    total: int
    done_before: int
    done_now: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    status: str = "running"
    executor: str = ""
    workers: int = 0
    created: bool = False
    peak_rss_mib: dict[str, float] = field(default_factory=dict)

    @property
    def completed(self) -> int:
        return self.done_before + self.done_now

    @property
    def complete(self) -> bool:
        return self.completed >= self.total


class SweepProgress(Protocol):
    """What :func:`run_sweep` reports progress to (the CLI's rich bar, or :class:`Progress`)."""

    def start(self, total: int, done: int, description: str) -> None: ...

    def advance(self, runs: int) -> None: ...

    def stop(self) -> None: ...


class Progress:
    """Progress callbacks that show nothing (the default; the CLI shows a rich bar)."""

    def start(self, total: int, done: int, description: str) -> None:
        pass

    def advance(self, runs: int) -> None:
        pass

    def stop(self) -> None:
        pass


def sweep_manifest(sweep: Sweep, plan_size: int) -> dict:
    """The manifest a new sweep folder starts with."""
    design = sweep.design
    return {
        "format": "magnetdiplomacy-sweep/1",
        "sweep": sweep.name,
        "description": sweep.description,
        "file": str(sweep.path) if sweep.path else None,
        "fingerprint": sweep.fingerprint(),
        "package": "magnetdiplomacy",
        "version": __version__,
        "mesa_version": mesa.__version__,
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "created": now(),
        "updated": now(),
        "status": "incomplete",
        "base": {
            "scenario": sweep.base_name,
            "set": sweep.fixed,
            "start": sweep.base.run.start,
            "end": sweep.base.run.end,
            "months": sweep.n_ticks,
            "buyers": sweep.base.buyers.count,
        },
        "design": {
            "kind": design.kind,
            "samples": design.samples,
            "levels": design.levels,
            "second_order": design.second_order,
            "points": sweep.n_points,
            "replications": sweep.replications,
            "runs": plan_size,
            "parameters": [p.as_dict() for p in sweep.params],
            "design_seed": design_seed(sweep),
        },
        "seed": sweep.seed,
        "seeding": sweep.seeding,
        "replication_seeds": replication_seeds(sweep) if sweep.seeding == "common" else None,
        "seeds_note": "run_id = point * replications + rep; every run's seed is in plan.parquet",
        "outcomes": {"series": list(sweep.series), "scalars": [s.as_dict() for s in sweep.scalars]},
        "files": {
            "design": "design.parquet",
            "plan": "plan.parquet",
            "scalars": "scalars/part-*.parquet",
            "series": "series/part-*.parquet",
            "sweep_file": "sweep.yaml" if sweep.text else None,
        },
        "definition": sweep.definition(),
        "completed_runs": 0,
        "sessions": [],
    } | ({"posterior": sweep.posterior.describe()} if sweep.posterior else {})


def auto_batch(total: int, workers: int, sharing: bool = False) -> int:
    """Runs per task: enough tasks to balance the workers, few enough to keep overhead low.

    Tasks are larger when runs share history, since only runs of one task share."""
    if sharing:
        return int(min(50, max(1, math.ceil(total / (max(1, workers) * 12)))))
    return int(min(8, max(1, math.ceil(total / (max(1, workers) * 30)))))


@dataclass(frozen=True)
class SharingPlan:
    """When each swept value is first read in the base scenario, and what follows from it."""

    first_read: dict[str, float]

    @property
    def snapshot_ticks(self) -> tuple[int, ...]:
        """Months at which reference runs keep a copy: each month in which a swept value was first
        read. (A run that reads a value sooner falls back to an earlier copy or runs from the start.)"""
        return tuple(sorted({int(t) for t in self.first_read.values() if 1 <= t < math.inf}))

    def order(self, plan, pending: np.ndarray, paths: list[str]) -> np.ndarray:
        """``pending`` reordered by seed, then by the values read earliest: neighbours share most."""
        early_first = sorted(paths, key=lambda path: self.first_read[path])
        keys = [plan[path].to_numpy()[pending] for path in reversed(early_first)] + [plan["seed"].to_numpy()[pending]]
        return pending[np.lexsort(keys)]


def sharing_plan(sweep: Sweep, seed: int) -> SharingPlan | None:
    """Probe the base scenario (one run) for when each swept value is first read; None if the
    sweep's runs cannot share history (independent seeds)."""
    if sweep.seeding != "common" or not sweep.paths:
        return None
    try:
        return SharingPlan(first_reads(sweep.base, list(sweep.paths), seed))
    except Exception:  # noqa: BLE001 - a base scenario that fails fails in every run; reported there
        return None


def _context(sweep: Sweep, sharing: SharingPlan | None, draw: int | None) -> Context:
    """What the runs of a task share: the base scenario (with a posterior, that of the draw)."""
    posterior = sweep.posterior
    return Context(
        sweep.fingerprint() + ("" if posterior is None or draw is None else f":draw{draw}"),
        sweep.base.model_dump(mode="json") if posterior is None or draw is None else posterior.bases[draw],
        tuple(sweep.paths),
        sweep.needed_columns,
        sweep.series,
        sweep.scalars,
        share_history=sharing is not None,
        snapshot_ticks=sharing.snapshot_ticks if sharing else (),
    )


def _tasks(sweep: Sweep, plan, pending: np.ndarray, batch: int, sharing: SharingPlan | None = None) -> Iterator[Task]:
    ids = plan["run_id"].to_numpy()
    points = plan["point"].to_numpy()
    reps = plan["rep"].to_numpy()
    seeds = plan["seed"].to_numpy()
    values = plan[sweep.paths].to_numpy(dtype=float)
    # with a posterior, a task holds runs of one draw only (they share its base scenario)
    draws = plan["draw"].to_numpy()[pending] if sweep.posterior is not None else np.full(len(pending), -1)
    index = 0
    for draw in dict.fromkeys(draws.tolist()):
        context, group = _context(sweep, sharing, None if draw < 0 else int(draw)), pending[draws == draw]
        for start in range(0, len(group), batch):
            rows = group[start : start + batch]
            runs = [
                (int(ids[i]), int(points[i]), int(reps[i]), int(seeds[i]), tuple(float(v) for v in values[i]))
                for i in rows
            ]
            yield Task(index, context, runs)
            index += 1


def _pending(plan: pd.DataFrame, done: set[int], limit: int | None) -> np.ndarray:
    """Positions in the plan of the runs still to do (at most ``limit``)."""
    ids = plan["run_id"].to_numpy()
    pending = np.flatnonzero(~np.isin(ids, np.fromiter(done, dtype=np.int64, count=len(done))))
    if limit is not None:
        pending = pending[: max(0, limit)]
    return pending


def _session_start(executor: Executor, done: int, planned: int) -> dict[str, Any]:
    """The opening fields of this call's record in the manifest's sessions."""
    return {
        "started": now(),
        "executor": executor.kind,
        "version": __version__,
        "git_commit": git_commit(),
        "resumed_from": done,
        "runs_planned": int(planned),
    }


class _Call:
    """One call of :func:`run_sweep`: runs the pending runs on the executor, buffers their results
    and writes them to the store in parts, and records the call in the manifest's sessions."""

    def __init__(
        self,
        sweep: Sweep,
        plan: pd.DataFrame,
        store: SweepStore,
        report: SweepReport,
        executor: Executor,
        progress: SweepProgress,
        flush_runs: int,
        flush_seconds: float,
    ) -> None:
        self.sweep, self.plan, self.store, self.report = sweep, plan, store, report
        self.executor, self.progress = executor, progress
        self.flush_runs, self.flush_seconds = flush_runs, flush_seconds
        self.buffer: list = []
        self.worker_peaks: dict[str, float] = {}
        self.worker_cpu: dict[str, float] = {}
        self.months = self.months_shared = 0
        self.last_flush = time.monotonic()

    def run(self, pending: np.ndarray, done: int, batch: int | None, share_history: bool, started: float) -> bool:
        """Run ``pending``; save what finished whatever happens. True when interrupted by Ctrl-C."""
        session = _session_start(self.executor, done, len(pending))
        cpu_at_start = cpu_seconds()
        status = "complete"
        try:
            if len(pending):
                self.execute(pending, done, batch, share_history)
        except KeyboardInterrupt:
            status = "interrupted"
            self.flush()
            return True
        except BaseException:
            status = "failed"
            self.flush()
            raise
        finally:
            self.progress.stop()
            session.update(self.close(status, time.perf_counter() - started, cpu_at_start))
            self.store.update_manifest(
                status="complete" if self.report.complete else "incomplete",
                completed_runs=self.report.completed,
                sessions=[*self.store.manifest().get("sessions", []), session],
            )
        return False

    def execute(self, pending: np.ndarray, done: int, batch: int | None, share_history: bool) -> None:
        """Run the pending runs in batches on the executor, collecting their results as they finish."""
        sweep, plan, executor = self.sweep, self.plan, self.executor
        first_seed = int(plan["seed"].iloc[pending[0]])
        # runs of different draws differ in values the sharing probe does not follow: no sharing with a posterior
        shareable = share_history and len(pending) > 1 and sweep.posterior is None
        sharing = sharing_plan(sweep, first_seed) if shareable else None
        if sharing is not None:
            pending = sharing.order(plan, pending, list(sweep.paths))
        size = batch or sweep.batch or auto_batch(len(pending), executor.workers, sharing is not None)
        self.progress.start(len(plan), done, f"{sweep.name}")
        for result in executor.imap_unordered(_tasks(sweep, plan, pending, size, sharing)):
            self.add(result)
            self.progress.advance(len(result.outcomes) + len(result.errors))
            self.flush_if_due()
        self.flush()

    def add(self, result: BatchResult) -> None:
        self.months += result.months
        self.months_shared += result.months_shared
        self.buffer.extend(result.outcomes)
        self.report.errors.extend(result.errors)
        if result.worker:
            self.worker_peaks[result.worker] = max(self.worker_peaks.get(result.worker, 0.0), result.peak_rss_mib)
            self.worker_cpu[result.worker] = max(self.worker_cpu.get(result.worker, 0.0), result.cpu_s)

    def flush_if_due(self) -> None:
        if len(self.buffer) >= self.flush_runs or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.store.write_part(self.sweep, self.buffer)
            self.report.done_now += len(self.buffer)
            self.buffer = []
        self.last_flush = time.monotonic()

    def close(self, status: str, seconds: float, cpu_at_start: float) -> dict[str, Any]:
        """Finish the report (time, memory, status); return the session record's closing fields."""
        report = self.report
        report.seconds = seconds
        report.peak_rss_mib = {
            "driver": round(peak_rss_mib(), 1),
            "workers_max": round(max(self.worker_peaks.values(), default=0.0), 1),
            "workers": len(self.worker_peaks),
        }
        if status == "complete":
            status = "complete" if report.complete else ("failed" if report.errors else "partial")
        report.status = status
        return {
            "finished": now(),
            "status": status,
            "executor_description": report.executor,
            "workers": report.workers,
            "runs_done": report.done_now,
            "runs_failed": len(report.errors),
            "seconds": round(report.seconds, 3),
            "runs_per_second": round(report.done_now / report.seconds, 3) if report.seconds > 0 else None,
            "peak_rss_mib": report.peak_rss_mib,
            "months_shared": round(self.months_shared / self.months, 4) if self.months else 0.0,
            "cpu_s": {
                "driver": round(cpu_seconds() - cpu_at_start, 3),
                "workers": round(sum(self.worker_cpu.values()), 3) if self.executor.kind != "inline" else 0.0,
            },
            "first_error": (f"run {report.errors[0][0]}: {report.errors[0][1]}" if report.errors else None),
        }


def run_sweep(
    sweep: Sweep,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    executor: Executor | None = None,
    batch: int | None = None,
    limit: int | None = None,
    flush_runs: int = 500,
    flush_seconds: float = 10.0,
    progress: SweepProgress | None = None,
    on_ready: Callable[[SweepReport], None] | None = None,
    share_history: bool = True,
) -> SweepReport:
    """Run (or resume) ``sweep`` into ``out`` (default ``runs/<name>``); return a :class:`SweepReport`.

    ``share_history`` lets runs with the same seed start from a copy of an earlier run (same
    results, less work; see :mod:`magnetdiplomacy.sweeps.sharing`).

    ``limit`` caps the number of runs done in this call (the rest stay for a later call).
    Raises :class:`SweepInterrupted` on Ctrl-C after saving the finished runs.
    """
    started = time.perf_counter()
    folder = Path(out) if out is not None else Path("runs") / sweep.name
    check_output_folder(folder, "--out" if out is not None else "")
    design = build_design(sweep)
    plan = add_draw_columns(run_plan(sweep, design), sweep.posterior)
    manifest = sweep_manifest(sweep, len(plan))
    store = SweepStore(folder)
    exists = store.check(manifest)  # refuses a folder holding anything else; writes nothing
    todo = len(plan) - (len(completed_run_ids(folder)) if exists else 0)
    if limit is not None:
        todo = min(todo, max(0, limit))
    executor = executor or make_executor(workers, scheduler, dask_local)
    with ExitStack() as stack:
        if todo > 0:
            stack.enter_context(executor)  # connect to the cluster or start workers before writing anything
        created = store.prepare(sweep, manifest, design_table(sweep, design), plan)
        stack.enter_context(store.lock())
        done = store.recover()
        pending = _pending(plan, done, limit)
        report = SweepReport(folder, sweep.name, len(plan), len(done), created=created)
        report.executor, report.workers = executor.describe(), executor.workers
        if on_ready:
            on_ready(report)
        call = _Call(sweep, plan, store, report, executor, progress or Progress(), flush_runs, flush_seconds)
        if call.run(pending, len(done), batch, share_history, started):
            raise SweepInterrupted(report)
    return report
