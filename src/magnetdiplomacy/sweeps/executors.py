"""Where runs execute: in the driver, in local worker processes, or on a Dask cluster.

Every executor takes an iterator of :class:`~magnetdiplomacy.sweeps.worker.Task` and yields
:class:`~magnetdiplomacy.sweeps.worker.BatchResult` objects as tasks finish (in any order), with a
bounded number of tasks in flight so that memory does not grow with the size of the sweep. They all
call the same :func:`~magnetdiplomacy.sweeps.worker.run_batch`, so results do not depend on the
executor.

* :class:`InlineExecutor` (``--workers 0``): runs in the driver's own process; for debugging.
* :class:`LocalExecutor` (default, ``--workers N``): a pool of N worker processes that lives for
  the whole sweep. Workers are forked from a server process that has already imported the model,
  so they start at once. A worker that dies (OOM killer, ``kill -9``) breaks the pool; the pool is
  rebuilt and the lost batches are resubmitted.
* :class:`DaskExecutor`: ``--scheduler tcp://HOST:8786`` for an existing cluster or
  ``--dask-local N`` for a :class:`distributed.LocalCluster` of N single-threaded worker
  processes on this machine. Dask reschedules the tasks of a lost worker itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .. import __version__

if TYPE_CHECKING:
    from distributed import Client, LocalCluster
from .spec import SweepError
from .worker import BatchResult, Task, init_local_worker, run_batch

MAX_POOL_RESTARTS = 3
MAX_WORKERS = 256  # local worker processes (--workers, --dask-local); more would only exhaust the machine


class Executor:
    """Common interface: a context manager with :meth:`imap_unordered`."""

    kind = "executor"
    workers = 1

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def describe(self) -> str:  # pragma: no cover - overridden
        return self.kind

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[BatchResult]:  # pragma: no cover - overridden
        raise NotImplementedError


class InlineExecutor(Executor):
    kind = "inline"
    workers = 1

    def describe(self) -> str:
        return "in the driver process (--workers 0)"

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[BatchResult]:
        for task in tasks:
            yield run_batch(task)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and sys.platform != "win32":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["magnetdiplomacy.sweeps.worker"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


@contextmanager
def _main_not_reimported() -> Iterator[None]:
    """Start worker processes without re-running the driver's ``__main__`` script in them.

    Python's spawn and forkserver start methods import the parent's main script in every new
    process, which fails (or reruns the sweep) when a script calls ``run_sweep`` at top level
    without an ``if __name__ == "__main__":`` guard. Workers need nothing from ``__main__`` (they run
    :func:`run_batch`), so the script is hidden while processes are launched.
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    path = getattr(main, "__file__", None)
    if main is None or spec is not None or path is None:  # `python -m module` or interactive: nothing to hide
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


class LocalExecutor(Executor):
    kind = "local"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise SweepError(f"--workers {workers}: use 1 or more worker processes (0 runs in the driver)")
        self.workers = workers
        self.in_flight = 2 * workers
        self.pool: ProcessPoolExecutor | None = None
        self.restarts = 0

    def describe(self) -> str:
        return f"{self.workers} local worker process{'es' if self.workers != 1 else ''}"

    def _start(self) -> ProcessPoolExecutor:
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=_context(), initializer=init_local_worker, initargs=(os.getpid(),)
        )
        return self.pool

    def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values() or [])
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # workers ignore Ctrl-C; stop them now rather than after their batch
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[BatchResult]:
        source = iter(tasks)
        retry: list[Task] = []
        pending: dict[Future, Task] = {}
        pool = self.pool or self._start()

        def fill() -> None:
            while len(pending) < self.in_flight:
                task = retry.pop(0) if retry else next(source, None)
                if task is None:
                    return
                with _main_not_reimported():  # the pool launches its processes on submit
                    pending[pool.submit(run_batch, task)] = task

        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    retry.append(task)
                    broken = True
                    continue
                yield result
            if broken:
                retry.extend(pending.values())
                pending.clear()
                self.restarts += 1
                if self.restarts > MAX_POOL_RESTARTS:
                    raise SweepError(
                        f"worker processes died {self.restarts} times (out of memory?); completed runs are saved, "
                        "rerun to resume"
                    )
                self.close()
                pool = self._start()
                retry.sort(key=lambda t: t.index)
            fill()


def _package_version() -> str:
    try:
        from magnetdiplomacy import __version__ as version
    except ImportError:  # pragma: no cover - a worker without the package
        return "missing"
    return version


class DaskExecutor(Executor):
    kind = "dask"

    def __init__(
        self, scheduler: str | None = None, local_workers: int | None = None, connect_timeout: float = 15.0
    ) -> None:
        if (scheduler is None) == (local_workers is None):
            raise SweepError("give either --scheduler ADDRESS or --dask-local N")
        if local_workers is not None and local_workers < 1:
            raise SweepError(f"--dask-local {local_workers}: use 1 or more workers")
        self.scheduler = scheduler
        self.local_workers = local_workers
        self.connect_timeout = connect_timeout
        self.client: Client | None = None
        self.cluster: LocalCluster | None = None
        self.workers = local_workers or 0

    def describe(self) -> str:
        if self.local_workers is not None:
            return f"Dask LocalCluster of {self.local_workers} worker process{'es' if self.local_workers != 1 else ''}"
        threads = f" ({self.workers} worker thread{'s' if self.workers != 1 else ''})" if self.workers else ""
        return f"Dask cluster at {self.scheduler}{threads}"

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - distributed is a dependency
            raise SweepError("Dask executors need the 'distributed' package") from None
        for name in (
            "distributed",
            "distributed.worker",
            "distributed.scheduler",
            "distributed.nanny",
            "distributed.core",
        ):
            logging.getLogger(name).setLevel(logging.ERROR)
        if self.local_workers is not None:
            self.cluster = LocalCluster(
                n_workers=self.local_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
                memory_limit=0,
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.scheduler, timeout=self.connect_timeout)
            except (OSError, TimeoutError, ValueError) as err:
                raise SweepError(
                    f"--scheduler {self.scheduler}: cannot connect "
                    f"({str(err).splitlines()[0] if str(err) else type(err).__name__})"
                ) from None
            try:
                self.client.wait_for_workers(1, timeout=60)
            except TimeoutError:
                self.close()
                raise SweepError(
                    f"--scheduler {self.scheduler}: no workers joined within 60 s (start some: dask worker "
                    f"{self.scheduler} --nthreads 1)"
                ) from None
        versions = self.client.run(_package_version)
        wrong = {worker: version for worker, version in versions.items() if version != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            self.close()
            raise SweepError(
                f"Dask worker {worker} has magnetdiplomacy {version}, this driver {__version__}; install the same "
                "version on every worker"
            )
        self.workers = sum(self.client.nthreads().values())
        return self

    def close(self) -> None:
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            try:
                client.close(timeout=10)
            except Exception:  # noqa: BLE001 - closing best effort
                pass
        if cluster is not None:
            try:
                cluster.close(timeout=10)
            except Exception:  # noqa: BLE001
                pass

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[BatchResult]:
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        client = self.client
        if client is None:
            raise SweepError("the Dask executor runs tasks only inside its with block")
        source = iter(tasks)
        in_flight = max(2, 2 * max(1, sum(client.nthreads().values())))
        futures = as_completed()
        owner: dict = {}
        attempts: dict[int, int] = {}

        def submit(task: Task) -> None:
            future = client.submit(run_batch, task, pure=False, retries=2)
            owner[future.key] = task
            futures.add(future)

        for _ in range(in_flight):
            task = next(source, None)
            if task is None:
                break
            submit(task)
        for future in futures:
            task = owner.pop(future.key)
            try:
                result = future.result()
            except (FutureCancelledError, Exception) as err:  # noqa: BLE001 - KilledWorker and friends
                attempts[task.index] = attempts.get(task.index, 0) + 1
                if attempts[task.index] > 3:
                    raise SweepError(
                        f"batch {task.index} failed on the Dask cluster {attempts[task.index]} times "
                        f"({type(err).__name__}: {err}); completed runs are saved, rerun to resume"
                    ) from None
                submit(task)
                continue
            finally:
                future.release()
            yield result
            task = next(source, None)
            if task is not None:
                submit(task)


def make_executor(workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None) -> Executor:
    """The executor for the CLI options (``--workers``, ``--scheduler``, ``--dask-local``)."""
    if scheduler is not None and dask_local is not None:
        raise SweepError("--scheduler and --dask-local exclude each other")
    for option, count in (("--workers", workers), ("--dask-local", dask_local)):
        if count is not None and count > MAX_WORKERS:
            raise SweepError(f"{option} {count}: at most {MAX_WORKERS} worker processes on one machine")
    if scheduler is not None or dask_local is not None:
        if workers is not None:
            raise SweepError("--workers is for local processes; with Dask the cluster's workers run the sweep")
        if scheduler is not None and not scheduler.strip():
            raise SweepError("--scheduler: give an address such as tcp://HOST:8786")
        return DaskExecutor(scheduler=scheduler, local_workers=dask_local)
    if workers is None:
        workers = max(1, (os.cpu_count() or 2))
    if workers == 0:
        return InlineExecutor()
    if workers < 0:
        raise SweepError(f"--workers {workers}: must be 0 (in the driver) or more")
    return LocalExecutor(workers)
