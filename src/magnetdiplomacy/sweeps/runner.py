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
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import mesa
import numpy as np

from .. import __version__
from ..runs import git_commit
from .designs import build_design, design_seed, design_table, replication_seeds, run_plan
from .executors import Executor, make_executor
from .sharing import first_reads
from .spec import Sweep
from .storage import SweepStore, completed_run_ids, now
from .worker import Context, Task, cpu_seconds, peak_rss_mib


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; finished runs were saved. Carries the :class:`SweepReport`."""

    def __init__(self, report: "SweepReport") -> None:
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


class Progress:
    """Progress callbacks (the CLI shows a rich bar; the default shows nothing)."""

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
        "base": {"scenario": sweep.base_name, "set": sweep.fixed, "start": sweep.base.run.start, "end": sweep.base.run.end, "months": sweep.n_ticks, "buyers": sweep.base.buyers.count},
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
        "files": {"design": "design.parquet", "plan": "plan.parquet", "scalars": "scalars/part-*.parquet", "series": "series/part-*.parquet", "sweep_file": "sweep.yaml" if sweep.text else None},
        "definition": sweep.definition(),
        "completed_runs": 0,
        "sessions": [],
    }


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


def _tasks(sweep: Sweep, plan, pending: np.ndarray, batch: int, sharing: SharingPlan | None = None) -> Iterator[Task]:
    context = Context(
        sweep.fingerprint(), sweep.base.model_dump(mode="json"), tuple(sweep.paths), sweep.needed_columns, sweep.series, sweep.scalars,
        share_history=sharing is not None, snapshot_ticks=sharing.snapshot_ticks if sharing else (),
    )
    ids = plan["run_id"].to_numpy()
    points = plan["point"].to_numpy()
    reps = plan["rep"].to_numpy()
    seeds = plan["seed"].to_numpy()
    values = plan[sweep.paths].to_numpy(dtype=float)
    for index, start in enumerate(range(0, len(pending), batch)):
        rows = pending[start: start + batch]
        runs = [(int(ids[i]), int(points[i]), int(reps[i]), int(seeds[i]), tuple(float(v) for v in values[i])) for i in rows]
        yield Task(index, context, runs)


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
    progress: Progress | None = None,
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
    design = build_design(sweep)
    plan = run_plan(sweep, design)
    manifest = sweep_manifest(sweep, len(plan))
    store = SweepStore(folder)
    exists = store.check(manifest)  # refuses a folder holding anything else; writes nothing
    todo = len(plan) - (len(completed_run_ids(folder)) if exists else 0)
    if limit is not None:
        todo = min(todo, max(0, limit))
    executor = executor or make_executor(workers, scheduler, dask_local)
    progress = progress or Progress()
    with ExitStack() as stack:
        if todo > 0:
            stack.enter_context(executor)  # connect to the cluster or start workers before writing anything
        created = store.prepare(sweep, manifest, design_table(sweep, design), plan)
        stack.enter_context(store.lock())
        done = store.recover()
        ids = plan["run_id"].to_numpy()
        pending = np.flatnonzero(~np.isin(ids, np.fromiter(done, dtype=np.int64, count=len(done))))
        if limit is not None:
            pending = pending[: max(0, limit)]
        report = SweepReport(folder, sweep.name, len(plan), len(done), created=created)
        report.executor, report.workers = executor.describe(), executor.workers
        if on_ready:
            on_ready(report)
        session = {"started": now(), "executor": executor.kind, "version": __version__, "git_commit": git_commit(), "resumed_from": len(done), "runs_planned": int(len(pending))}
        buffer: list = []
        worker_peaks: dict[str, float] = {}
        worker_cpu: dict[str, float] = {}
        cpu_at_start = cpu_seconds()
        last_flush = time.monotonic()
        status = "complete"

        def flush() -> None:
            nonlocal buffer, last_flush
            if buffer:
                store.write_part(sweep, buffer)
                report.done_now += len(buffer)
                buffer = []
            last_flush = time.monotonic()

        months = months_shared = 0
        try:
            if len(pending):
                sharing = sharing_plan(sweep, int(plan["seed"].iloc[pending[0]])) if share_history and len(pending) > 1 else None
                if sharing is not None:
                    pending = sharing.order(plan, pending, list(sweep.paths))
                size = batch or sweep.batch or auto_batch(len(pending), executor.workers, sharing is not None)
                progress.start(len(plan), len(done), f"{sweep.name}")
                for result in executor.imap_unordered(_tasks(sweep, plan, pending, size, sharing)):
                    months += result.months
                    months_shared += result.months_shared
                    buffer.extend(result.outcomes)
                    report.errors.extend(result.errors)
                    if result.worker:
                        worker_peaks[result.worker] = max(worker_peaks.get(result.worker, 0.0), result.peak_rss_mib)
                        worker_cpu[result.worker] = max(worker_cpu.get(result.worker, 0.0), result.cpu_s)
                    progress.advance(len(result.outcomes) + len(result.errors))
                    if len(buffer) >= flush_runs or time.monotonic() - last_flush >= flush_seconds:
                        flush()
                flush()
        except KeyboardInterrupt:
            status = "interrupted"
            flush()
            raise_interrupt = True
        except BaseException:
            status = "failed"
            flush()
            raise
        else:
            raise_interrupt = False
        finally:
            progress.stop()
            report.seconds = time.perf_counter() - started
            report.peak_rss_mib = {"driver": round(peak_rss_mib(), 1), "workers_max": round(max(worker_peaks.values(), default=0.0), 1), "workers": len(worker_peaks)}
            if status == "complete":
                status = "complete" if report.complete else ("failed" if report.errors else "partial")
            report.status = status
            session.update(
                finished=now(), status=status, executor_description=report.executor, workers=report.workers,
                runs_done=report.done_now, runs_failed=len(report.errors), seconds=round(report.seconds, 3),
                runs_per_second=round(report.done_now / report.seconds, 3) if report.seconds > 0 else None,
                peak_rss_mib=report.peak_rss_mib,
                months_shared=round(months_shared / months, 4) if months else 0.0,
                cpu_s={"driver": round(cpu_seconds() - cpu_at_start, 3), "workers": round(sum(worker_cpu.values()), 3) if executor.kind != "inline" else 0.0},
                first_error=(f"run {report.errors[0][0]}: {report.errors[0][1]}" if report.errors else None),
            )
            manifest = store.manifest()
            store.update_manifest(
                status="complete" if report.complete else "incomplete",
                completed_runs=report.completed,
                sessions=[*manifest.get("sessions", []), session],
            )
        if raise_interrupt:
            raise SweepInterrupted(report)
    return report

