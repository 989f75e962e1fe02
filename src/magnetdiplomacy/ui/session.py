"""One browser tab's simulation.

A :class:`Session` owns one model and everything the page needs around it: which scenario, seed
and lever values it was built from, the production history by country (which the model keeps only
for the current month), the interventions a person fired, and the files offered for download.
The page creates one per browser tab, so nothing one tab does reaches another. Step, fire, reset
and the exports take a lock because Play steps the model from a background thread.

:data:`REGISTRY` keeps every session of the server process under a random token, which the page
puts in its URL (``?run=<token>``): reloading that URL in the same server process finds the same
session, at the same month with the same interventions. Sessions left alone for two hours are
dropped (and the oldest beyond 200), which bounds the memory a class's abandoned tabs can hold.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import pandas as pd

from ..interventions import ACTIONS
from ..model import MagnetDiplomacyModel
from ..parameters import Scenario
from ..runs import RunResult, agent_table, attribution_table, provenance, tables, write_folder
from ..scenario import list_scenarios, load_scenario
from ..timeline import parse_month

if TYPE_CHECKING:  # pragma: no cover
    from .levers import Lever

# Production stages shown by country: plant stage -> (label, unit)
STAGES = {
    "mine": ("Mining", "t REO per month"),
    "separation": ("Separation", "t NdPr oxide per month"),
    "magnet": ("Magnet making", "t NdFeB magnets per month"),
}


def scenario_names() -> list[str]:
    """Named scenarios, baseline first."""
    names = list(list_scenarios())
    return sorted(names, key=lambda name: (name != "baseline", name))


class Session:
    """The simulation behind one browser tab."""

    scenario_name: str  # set by reset()

    def __init__(
        self, scenario: str = "baseline", seed: int | None = None, overrides: dict[str, Any] | None = None
    ) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        # Seed bands behind the lines: output column -> frame of (year, p05, p95), filled by an
        # ensemble of the same scenario computed in the background (empty until it arrives).
        self.bands: dict[str, pd.DataFrame] = {}
        # The previous run's time series (up to where it stopped), kept on reset for an overlay.
        self.previous: pd.DataFrame | None = None
        # This run's scenario and seed without the person's live interventions (same draws until
        # the first one), computed in the background with the seed bands; None until it arrives.
        self.reference: pd.DataFrame | None = None
        # The page that drives this session now (a reload takes it over; the old page's Play stops).
        self.owner: object | None = None
        self.reset(scenario, seed, overrides)

    # ---- building and running ---------------------------------------------------------------

    def reset(
        self, scenario: str | None = None, seed: int | None = None, overrides: dict[str, Any] | None = None
    ) -> None:
        """Build a fresh model (same scenario, seed and levers unless given)."""
        with self.lock:
            if getattr(self, "model", None) is not None and self.tick > 0:
                self.previous = self.timeseries_frame()
            name = scenario or self.scenario_name
            self.base: Scenario = load_scenario(name)
            self.scenario_name = name
            self.overrides = {k: v for k, v in (overrides or {}).items()}
            self.scenario: Scenario = load_scenario(self.base, self.overrides) if self.overrides else self.base
            self.seed = int(self.scenario.run.seed if seed is None else seed)
            self.model = MagnetDiplomacyModel(self.scenario, rng=self.seed)
            year, month = parse_month(self.model.start)
            self.x0 = year + (month - 1) / 12.0
            self.production: dict[str, list[dict[str, float]]] = {stage: [] for stage in STAGES}
            self.fired: list[dict[str, Any]] = []
            # Live levers moved since the last step: path -> (lever, value), fired at the next step.
            self.pending: dict[str, tuple[Lever, Any]] = {}
            self.generation += 1

    @property
    def running(self) -> bool:
        return bool(self.model.running)

    @property
    def tick(self) -> int:
        """Months simulated so far."""
        return int(self.model.tick)

    @property
    def n_ticks(self) -> int:
        return int(self.model.n_ticks)

    def step(self, months: int = 1) -> int:
        """Simulate up to ``months`` months; returns how many were simulated."""
        done = 0
        with self.lock:
            for _ in range(months):
                if not self.model.running:
                    break
                self._fire_levers()
                self.model.step()
                self._record_production()
                done += 1
        return done

    def _record_production(self) -> None:
        for stage in STAGES:
            by_country: dict[str, float] = {}
            for plant in self.model.chain.plants.values():
                if plant.stage == stage and plant.output_t > 0:
                    by_country[plant.country] = by_country.get(plant.country, 0.0) + float(plant.output_t)
            self.production[stage].append(by_country)

    def fire(self, action: str, params: dict[str, Any] | None = None, lever: str | None = None) -> str:
        """Queue a live intervention for the start of the next month (the model validates it; a bad
        one raises ActionError); returns a line for the user. ``lever``: the live lever that fired it."""
        params = dict(params or {})
        with self.lock:
            self.model.fire(action, **params)
            applies = self.model.label_of(self.model.tick)
            entry = {"queued_after_months": self.tick, "applies": applies, "action": action, "params": params}
            self.fired.append({**entry, "lever": lever} if lever else entry)
        return f"{ACTIONS[action].label}: takes effect in {month_name(applies)}."

    @property
    def queued(self) -> list[str]:
        """Labels of interventions fired but not applied yet (live levers moved included)."""
        fired = [ACTIONS[item["action"]].label for item in self.fired if item["queued_after_months"] == self.tick]
        moved = [f"{lever.name}: {lever.format(value)}" for lever, value in self.pending.values()]
        return fired + moved

    # ---- live levers ----------------------------------------------------------------------------

    def set_lever(self, lever: Lever, value: Any) -> str:
        """Move a live lever: its action fires at the start of the next month (the last value set
        before the step wins; setting the value in force cancels the move). Returns a line for the user."""
        if lever.live is None:
            raise ValueError(f"{lever.path} is not a live lever: it applies on Reset")
        with self.lock:
            if _same(value, lever.live.read(self.model)):
                self.pending.pop(lever.path, None)
                return f"{lever.format(value)}: no change."
            self.pending[lever.path] = (lever, value)
            return f"{lever.format(value)} from {month_name(self.model.label_of(self.tick))}."

    def lever_value(self, lever: Lever) -> Any:
        """A live lever's value: the one just set, else the one in force in the model."""
        assert lever.live is not None
        entry = self.pending.get(lever.path)
        return entry[1] if entry else lever.live.read(self.model)

    def _fire_levers(self) -> None:
        pending, self.pending = self.pending, {}
        for lever, value in pending.values():
            assert lever.live is not None
            if not _same(value, lever.live.read(self.model)):
                self.fire(lever.live.action, lever.live.params(value), lever=lever.path)

    def target_of(self, label: str) -> int:
        """Months simulated once month ``label`` (``YYYY-MM``) has been; ValueError with a line for
        the user if it is no month of this run or is simulated already."""
        if not re.fullmatch(r"\s*\d{4}-\d{1,2}\s*", label or ""):
            raise ValueError("Type a month as YYYY-MM, for example 2030-12.")
        target = self.model.tick_at(label.strip()) + 1
        first, last = self.model.label_of(0), self.model.label_of(self.n_ticks - 1)
        if target < 1 or target > self.n_ticks:
            raise ValueError(f"This run goes from {month_name(first)} to {month_name(last)}.")
        if target <= self.tick:
            raise ValueError(
                f"{month_name(label.strip())} is simulated already: the run is in {month_name(self.month_label)}."
            )
        return target

    # ---- reading the run --------------------------------------------------------------------

    def series(self, column: str) -> list:
        """One column of the time series (one value per simulated month)."""
        return self.model.datacollector.model_vars.get(column, [])

    def years(self) -> list[float]:
        """Decimal year of each simulated month (the x axis of time charts)."""
        return [self.x0 + t / 12.0 for t in range(self.tick)]

    def year_of(self, tick: int) -> float:
        return self.x0 + tick / 12.0

    @property
    def x_range(self) -> tuple[float, float]:
        return self.x0, self.x0 + self.n_ticks / 12.0

    def last(self, column: str, default: float = 0.0) -> float:
        values = self.series(column)
        return float(values[-1]) if len(values) else default

    @property
    def month_label(self) -> str:
        """The last simulated month (``YYYY-MM``), or the first month if nothing ran yet."""
        return self.model.label_of(max(0, self.tick - 1))

    def interventions(self) -> list[dict[str, Any]]:
        """Interventions applied so far (fired by the person or dated in the scenario), numbered."""
        out: list[dict[str, Any]] = []
        for event in self.model.event_log:
            source = str(event.get("source", ""))
            if source == "user" or source.startswith("scenario:"):
                out.append(
                    {
                        **event,
                        "number": len(out) + 1,
                        "by_user": source == "user",
                        "label": ACTIONS[event["action"]].label
                        if event.get("action") in ACTIONS
                        else event["description"],
                    }
                )
        return out

    def events(self) -> list[dict]:
        return self.model.event_log

    # ---- files ----------------------------------------------------------------------------------

    def timeseries_frame(self) -> pd.DataFrame:
        with self.lock:
            return tables(self.model)[0].reset_index(drop=True)

    def events_frame(self) -> pd.DataFrame:
        with self.lock:
            return tables(self.model)[1]

    def manifest(self) -> dict[str, Any]:
        scenario = self.scenario
        return {
            "scenario": scenario.name,
            "description": scenario.description,
            "seed": self.seed,
            "start": scenario.run.start,
            "end": scenario.run.end,
            "ticks": self.tick,
            "ticks_planned": self.n_ticks,
            "last_month": self.month_label if self.tick else None,
            "buyers": scenario.buyers.count,
            "overrides": self.overrides,
            "interventions_fired": self.fired,
            "source": "browser app",
            **provenance(),
            "timings_s": {},
            "parameters": scenario.model_dump(mode="json"),
        }

    def file_stem(self) -> str:
        return f"{self.scenario_name}_s{self.seed}_{self.month_label if self.tick else 'start'}"

    def timeseries_csv(self) -> bytes:
        return self.timeseries_frame().to_csv(index=False).encode("utf-8")

    def events_csv(self) -> bytes:
        return self.events_frame().to_csv(index=False).encode("utf-8")

    def timeseries_parquet(self) -> bytes:
        return _parquet(self.timeseries_frame())

    def events_parquet(self) -> bytes:
        return _parquet(self.events_frame())

    def manifest_json(self) -> bytes:
        return (json.dumps(self.manifest(), indent=2, default=str) + "\n").encode("utf-8")

    def run_folder_zip(self) -> bytes:
        """The run so far as a zipped run folder, laid out like ``magnetdiplomacy run --csv`` writes it."""
        with self.lock:
            result = RunResult(
                self.scenario,
                self.seed,
                self.timeseries_frame(),
                agent_table(self.model),
                self.events_frame(),
                self.manifest(),
                attribution_df=attribution_table(self.model),
            )
            with tempfile.TemporaryDirectory() as tmp:
                folder = write_folder(result, Path(tmp) / self.file_stem(), csv=True)
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for path in sorted(folder.iterdir()):
                        archive.write(path, f"{folder.name}/{path.name}")
        return buffer.getvalue()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


def _parquet(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def month_name(label: str) -> str:
    """``2027-03`` -> ``March 2027``."""
    year, month = parse_month(label)
    return dt.date(year, month, 1).strftime("%B %Y")


def short_month(label: str) -> str:
    """``2027-03`` -> ``Mar 2027``."""
    year, month = parse_month(label)
    return dt.date(year, month, 1).strftime("%b %Y")


# ---- sessions that survive a reload -----------------------------------------------------------------

SESSION_TTL_S = 2 * 3600.0  # a session left alone this long is dropped
MAX_SESSIONS = 200  # beyond this many, the least recently used is dropped (a run is a few MB)
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new_token() -> str:
    """A random, unguessable token for a session's URL."""
    return secrets.token_urlsafe(12)


def token_in(search: str | None) -> str | None:
    """The run token of a URL's query string (``run=<token>``), if it has a well-formed one."""
    values = parse_qs(search or "").get("run", [])
    return values[0] if values and TOKEN.fullmatch(values[0]) else None


class Registry:
    """The sessions of this server process by token, least recently used first."""

    def __init__(
        self,
        ttl_s: float = SESSION_TTL_S,
        max_sessions: int = MAX_SESSIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self.clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[Session, float]] = OrderedDict()

    def open(self, token: str | None, make: Callable[[], Session]) -> tuple[str, Session, bool]:
        """``(token, session, restored)``: the session kept under ``token`` if there is one, else
        ``make()`` kept under ``token`` (a new token if it is missing or malformed)."""
        token = token if token and TOKEN.fullmatch(token) else new_token()
        with self._lock:
            self._expire()
            entry = self._items.get(token)
        if entry is not None:
            self.touch(token, entry[0])
            return token, entry[0], True
        session = make()
        self.touch(token, session)
        return token, session, False

    def touch(self, token: str, session: Session) -> None:
        """``session`` under ``token`` was just used (it is kept again if it had been dropped)."""
        with self._lock:
            self._items[token] = (session, self.clock())
            self._items.move_to_end(token)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    def get(self, token: str) -> Session | None:
        """The session kept under ``token``, if it is still kept."""
        with self._lock:
            self._expire()
            entry = self._items.get(token)
        return entry[0] if entry else None

    def _expire(self) -> None:
        limit = self.clock() - self.ttl_s
        while self._items:
            token, (_, used) = next(iter(self._items.items()))
            if used >= limit:
                break
            del self._items[token]

    def __len__(self) -> int:
        return len(self._items)


REGISTRY = Registry()
