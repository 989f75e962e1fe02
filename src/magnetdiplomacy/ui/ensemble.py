"""Seed bands: the same scenario run with other seeds in a background process, as 5-95% bands.

While a person steps one run, an :class:`Ensemble` runs the session's scenario (same levers and
overrides, without the person's live interventions) with :func:`ensemble_seeds` other seeds to its
end, one seed at a time, in a worker process shared by every tab of the server (one process, at
low priority: a step in the server's thread never waits for it, nor shares its interpreter lock).
The worker returns only the charted columns (:data:`BAND_COLUMNS`); as each seed arrives,
``session.bands[column]`` becomes a frame of ``year``, ``p05`` and ``p95`` per month over the
seeds so far (from :data:`MIN_SEEDS` on), and :func:`bands_seeds` says how many seeds it holds
(mirrored as ``session.bands_seeds``).

API: :func:`start_ensemble` (cancels the session's previous ensemble), :func:`restart_ensemble`
(after a reset: a new model needs new bands), :func:`poll_ensemble` (installs what arrived),
:func:`stop_ensemble`, :func:`wait_ensemble` and the page hook :func:`use_ensemble`, which starts
one when a tab opens (or takes over the running one when the tab reloads the same session),
redraws the live views as seeds arrive and stops it when the tab closes.

``MAGNETDIPLOMACY_ENSEMBLE_SEEDS`` sets the number of seeds (default 20; ``0`` turns bands off).
Same scenario and seed, same bands: each seed's run is deterministic in any process.

This module does not import Solara at the top, so worker processes start light.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..model import MagnetDiplomacyModel
from ..parameters import Scenario
from ..scenario import load_scenario

if TYPE_CHECKING:
    from .session import Session
    from .state import AppState

logger = logging.getLogger(__name__)

ENV = "MAGNETDIPLOMACY_ENSEMBLE_SEEDS"
DEFAULT_SEEDS = 20
MIN_SEEDS = 2  # a band needs at least two runs
POLL_S = 0.25  # how often a waiting ensemble checks it is still wanted
# The columns the app's time charts, headline and "Why it moved" view draw.
BAND_COLUMNS = (
    "malaysia_alignment",
    "malaysia_revealed_alignment",
    "malaysia_magnet_share_nonchina",
    "malaysia_magnet_share_global",
    "malaysia_oxide_share_global",
    "price_ndpr_china_usd_kg",
    "price_ndpr_exchina_usd_kg",
    "price_ndpr_realised_lynas_usd_kg",
    "price_magnet_china_usd_kg",
    "price_magnet_exchina_usd_kg",
    "world_mine_t",
    "world_oxide_t",
    "world_magnet_t",
    "malaysia_jobs",
    "malaysia_direct_jobs",
    "malaysia_export_revenue_usd",
    "malaysia_value_added_usd",
)


def ensemble_size() -> int:
    """Seeds per ensemble, from ``MAGNETDIPLOMACY_ENSEMBLE_SEEDS`` (default 20; 0 turns bands off)."""
    text = os.environ.get(ENV, "").strip()
    try:
        return max(0, int(text)) if text else DEFAULT_SEEDS
    except ValueError:
        logger.warning("%s=%r is not a whole number; using %d seeds", ENV, text, DEFAULT_SEEDS)
        return DEFAULT_SEEDS


def ensemble_seeds(seed: int, count: int) -> list[int]:
    """The ensemble's seeds for a run with ``seed``: the ``count`` seeds after it."""
    return [int(seed) + k for k in range(1, count + 1)]


# ---- the worker process -------------------------------------------------------------------------


def run_seed(scenario: Scenario, seed: int, columns: tuple[str, ...] = BAND_COLUMNS) -> dict[str, np.ndarray]:
    """Run ``scenario`` with ``seed`` to its end without the agent table; the ``columns`` it has,
    one value per month (runs in the worker process)."""
    lean = load_scenario(scenario, {"outputs.agent_table": False})
    model = MagnetDiplomacyModel(lean, rng=seed)
    model.run()
    values = model.datacollector.model_vars
    return {column: np.asarray(values[column], dtype=float) for column in columns if column in values}


def _server_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _init_worker(server_pid: int) -> None:
    """Worker start: leave Ctrl-C to the server, give way to it on the CPU, exit if it dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent or _server_gone(server_pid):
                os._exit(3)

    threading.Thread(target=watch, name="server-watch", daemon=True).start()


_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_exit_hook: list[bool] = []


@contextlib.contextmanager
def _launching() -> Iterator[None]:
    """Start the pool's threads outside any browser tab's kernel (they serve every tab), and its
    process without re-running the parent's main script in it (it needs nothing from there)."""
    kernels = sys.modules.get("solara.server.kernel_context")
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) if getattr(main, "__spec__", None) is None else None
    if path is not None:
        del main.__file__  # type: ignore[union-attr]
    try:
        with kernels.without_context() if kernels is not None else contextlib.nullcontext():
            yield
    finally:
        if path is not None:
            main.__file__ = path  # type: ignore[union-attr]


def _submit(*args: Any) -> concurrent.futures.Future:
    """Submit work to the shared one-process pool (started on first use, restarted if broken)."""
    global _pool
    with _pool_lock, _launching():
        if _pool is not None:
            try:
                return _pool.submit(*args)
            except (BrokenProcessPool, RuntimeError):
                _pool = None
        _pool = _new_pool()
        return _pool.submit(*args)


def _cancel_queued() -> None:
    """At exit, drop the seeds still queued: only the one running is waited for."""
    pool = _pool
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _new_pool() -> concurrent.futures.ProcessPoolExecutor:
    # the interpreter joins the pool's threads before ``atexit`` runs; cancel before that
    register = getattr(threading, "_register_atexit", None)
    if register is not None and not _exit_hook:
        register(_cancel_queued)
        _exit_hook.append(True)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload([__name__])
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    )


def shutdown_pool() -> None:
    """Stop the worker process (it is started again when needed)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


# ---- bands ------------------------------------------------------------------------------------


def band_frames(runs: list[dict[str, np.ndarray]], x0: float) -> dict[str, pd.DataFrame]:
    """Column -> frame of ``year`` (decimal, month ``t`` at ``x0 + t/12``), ``p05`` and ``p95``
    over the runs (the 5th and 95th percentiles of each month); ``frame.attrs["seeds"]`` is the
    number of runs."""
    if not runs:
        return {}
    columns = [column for column in runs[0] if all(column in run for run in runs)]
    months = min(len(run[column]) for run in runs for column in columns) if columns else 0
    cube = np.array([[run[column][:months] for column in columns] for run in runs])  # runs x columns x months
    low, high = np.percentile(cube, [5.0, 95.0], axis=0)
    years = x0 + np.arange(months) / 12.0
    out: dict[str, pd.DataFrame] = {}
    for k, column in enumerate(columns):
        frame = pd.DataFrame({"year": years, "p05": low[k], "p95": high[k]})
        frame.attrs["seeds"] = len(runs)
        out[column] = frame
    return out


class Ensemble:
    """One model's ensemble: its seeds run one at a time by a watcher thread, results kept here."""

    def __init__(
        self,
        session: Session,
        seeds: list[int],
        on_update: Callable[[], None] | None = None,
        alive: Callable[[], bool] | None = None,
        owner: object | None = None,
    ) -> None:
        self.session = weakref.ref(session)
        self.generation = session.generation
        self.scenario = session.scenario
        self.seed = session.seed
        self.x0 = session.x0
        self.seeds = seeds
        # who looks at the bands (a page; a reload of the page takes the ensemble over)
        self.on_update = on_update
        self.alive = alive
        self.owner = owner
        self.runs: list[dict[str, np.ndarray]] = []
        self.applied = 0  # runs installed in the session's bands
        # the session's own seed without its live interventions, run first (see reference_frame)
        self.reference: dict[str, np.ndarray] | None = None
        self.reference_applied = False
        self.lock = threading.Lock()
        self.stopping = False  # decided under the registry lock, so a reset cannot race it
        self.detached = False  # stopped because its page closed (a reload resumes it)
        self.finished = threading.Event()
        self.future: concurrent.futures.Future | None = None
        self.thread = threading.Thread(target=self._run, name="ensemble", daemon=True)

    def same_model(self, session: Session) -> bool:
        """True if ``session``'s model has the scenario and seed this ensemble runs."""
        return self.seed == session.seed and self.scenario == session.scenario

    def cancel(self) -> None:
        """Stop after the seed running now (a queued one is withdrawn)."""
        with _registry_lock:
            self.stopping = True
        future = self.future
        if future is not None:
            future.cancel()

    def wanted(self) -> bool:
        """False once cancelled, or the session is gone, has a new model or its tab closed."""
        with _registry_lock:
            session = self.session()
            if session is None or session.generation != self.generation:
                self.stopping = True
            elif self.alive is not None and not self.alive():
                self.stopping = True
            return not self.stopping

    def _wait(self, future: concurrent.futures.Future) -> dict[str, np.ndarray] | None:
        while True:
            if not self.wanted():
                future.cancel()
                return None
            try:
                return future.result(timeout=POLL_S)
            except concurrent.futures.TimeoutError:
                continue
            except concurrent.futures.CancelledError:
                return None

    def _installed(self) -> None:
        """Put the runs so far in the session's bands and tell the page, if anything changed."""
        session = self.session()
        if session is None or not poll_ensemble(session):
            return
        update = self.on_update
        if update is not None:
            try:
                update()
            except Exception:  # a page going away while it redraws
                logger.warning("redrawing the seed bands failed", exc_info=True)

    def _run(self) -> None:
        try:
            # None stands for the session's own seed: the run without the person's interventions
            pending = ([None] if self.reference is None else []) + list(self.seeds[len(self.runs) :])
            for seed in pending:
                if not self.wanted():
                    break
                self.future = _submit(run_seed, self.scenario, self.seed if seed is None else seed)
                result = self._wait(self.future)
                if result is None:
                    break
                if seed is None:
                    self.reference = result
                else:
                    self.runs.append(result)
                self._installed()
        except Exception:  # the bands are an extra: log, never break the page
            logger.exception("seed ensemble stopped")
            self.stopping = True
        finally:
            self.finished.set()
        session = self.session()
        if session is not None and session.generation != self.generation and _ENSEMBLES.get(session) is self:
            # the session got a new model that nobody started an ensemble for
            if self.alive is None or self.alive():
                restart_ensemble(session)


_ENSEMBLES: weakref.WeakKeyDictionary[Session, Ensemble] = weakref.WeakKeyDictionary()
_registry_lock = threading.RLock()


def _install(session: Session, bands: dict[str, pd.DataFrame], seeds: int) -> None:
    session.bands = bands
    session.bands_seeds = seeds  # type: ignore[attr-defined]  # set at run time; see bands_seeds()


def start_ensemble(
    session: Session,
    on_update: Callable[[], None] | None = None,
    alive: Callable[[], bool] | None = None,
    seeds: int | None = None,
    owner: object | None = None,
) -> Ensemble | None:
    """Start the ensemble of the session's current model (cancelling its previous one and
    clearing its bands); ``on_update`` is called from a background thread whenever new bands are
    installed, ``alive`` (if given) says whether anyone still looks, ``owner`` marks who started
    it (see :func:`stop_ensemble`). ``seeds`` defaults to :func:`ensemble_size`; with 0 nothing
    starts and ``None`` is returned."""
    count = ensemble_size() if seeds is None else seeds
    with _registry_lock:
        old = _ENSEMBLES.pop(session, None)
        if old is not None:
            old.cancel()
        with session.lock:
            _install(session, {}, 0)
            session.reference = None
        if count <= 0:
            return None
        ensemble = Ensemble(session, ensemble_seeds(session.seed, count), on_update, alive, owner)
        _ENSEMBLES[session] = ensemble
    ensemble.thread.start()
    return ensemble


def restart_ensemble(session: Session) -> Ensemble | None:
    """After a reset: if the session has an ensemble, start the one of its new model. A reset to
    the same scenario and seed keeps the ensemble running (or finished) and its bands."""
    with _registry_lock:
        old = _ENSEMBLES.get(session)
        if old is None or old.generation == session.generation or old.detached:
            return old
        if not (old.same_model(session) and not old.stopping):
            return start_ensemble(session, old.on_update, old.alive, len(old.seeds), old.owner)
        old.generation = session.generation
        old.applied = 0
        old.reference_applied = False
    poll_ensemble(session)
    return old


def attach_ensemble(
    session: Session, on_update: Callable[[], None] | None, alive: Callable[[], bool] | None, owner: object
) -> Ensemble | None:
    """A page opens on ``session``: take over its ensemble if it has one for its current model
    (a reload: running, finished, or stopped when the old page closed, which resumes from the seeds
    it has), else start one."""
    with _registry_lock:
        old = _ENSEMBLES.get(session)
        if old is None or old.generation != session.generation or not old.same_model(session):
            return start_ensemble(session, on_update, alive, owner=owner)
        if not old.stopping:
            old.on_update, old.alive, old.owner = on_update, alive, owner
            return old
        ensemble = Ensemble(session, old.seeds, on_update, alive, owner)
        ensemble.runs = list(old.runs)
        ensemble.applied = old.applied
        ensemble.reference, ensemble.reference_applied = old.reference, old.reference_applied
        _ENSEMBLES[session] = ensemble
    ensemble.thread.start()
    return ensemble


def stop_ensemble(session: Session, owner: object | None = None) -> None:
    """Cancel the session's ensemble (its bands and seeds so far stay, for a reload to resume);
    with ``owner``, only if it still has that owner (a page closing after its reload took the
    ensemble over leaves it running)."""
    with _registry_lock:
        ensemble = _ENSEMBLES.get(session)
        if ensemble is None or (owner is not None and ensemble.owner is not owner):
            return
        ensemble.detached = True
        ensemble.on_update = ensemble.alive = None  # let go of the page (and, through it, the session)
    ensemble.cancel()


def poll_ensemble(session: Session) -> bool:
    """Install the seeds that arrived since the last call into ``session.bands``; True if the
    bands changed."""
    ensemble = _ENSEMBLES.get(session)
    if ensemble is None:
        return False
    with ensemble.lock:
        runs = list(ensemble.runs)
        changed = _install_reference(session, ensemble)
        if len(runs) <= ensemble.applied or len(runs) < MIN_SEEDS:
            return changed
        bands = band_frames(runs, ensemble.x0)
        with session.lock:
            if session.generation != ensemble.generation or _ENSEMBLES.get(session) is not ensemble:
                return False
            _install(session, bands, len(runs))
            ensemble.applied = len(runs)
    return True


def reference_frame(run: dict[str, np.ndarray], start: str) -> pd.DataFrame:
    """A run's charted columns as a time series with a ``date`` column from month ``start``."""
    months = min(len(values) for values in run.values()) if run else 0
    frame = pd.DataFrame({column: values[:months] for column, values in run.items()})
    frame.insert(0, "date", pd.date_range(f"{start}-01", periods=months, freq="MS"))
    return frame


def _install_reference(session: Session, ensemble: Ensemble) -> bool:
    """Put the run without the person's interventions in ``session.reference`` once it arrives."""
    if ensemble.reference is None or ensemble.reference_applied:
        return False
    with session.lock:
        if session.generation != ensemble.generation or _ENSEMBLES.get(session) is not ensemble:
            return False
        session.reference = reference_frame(ensemble.reference, session.model.start)
        ensemble.reference_applied = True
    return True


def bands_seeds(session: Session) -> int:
    """How many seeds the session's bands are made of (0: no bands yet)."""
    return int(getattr(session, "bands_seeds", 0))


def ensemble_of(session: Session) -> Ensemble | None:
    """The session's ensemble (running, finished or stopped), if any."""
    return _ENSEMBLES.get(session)


def wait_ensemble(session: Session, seeds: int, timeout: float = 60.0) -> bool:
    """Wait until the session's bands hold at least ``seeds`` seeds (or its ensemble ends);
    True if they do."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        poll_ensemble(session)
        ensemble = _ENSEMBLES.get(session)
        if bands_seeds(session) >= seeds or ensemble is None or ensemble.finished.is_set():
            poll_ensemble(session)
            return bands_seeds(session) >= seeds
        time.sleep(0.05)
    return False


# ---- the page hook --------------------------------------------------------------------------------


def use_ensemble(state: AppState) -> None:
    """Run the tab's seed ensemble: start it when the tab opens, redraw the live views as seeds
    arrive (see :meth:`AppState.refresh`), stop it when the tab closes. Resets restart it through
    :func:`restart_ensemble`."""
    import solara
    from solara.server import kernel_context

    session = state.session

    def mount() -> Callable[[], None]:
        context = kernel_context.get_current_context() if kernel_context.has_current_context() else None
        alive = (lambda: not context.closed_event.is_set()) if context is not None else None
        owner = object()
        attach_ensemble(session, state.refresh, alive, owner)
        return lambda: stop_ensemble(session, owner)

    solara.use_effect(mount, [session])
