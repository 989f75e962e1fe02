"""One browser tab's simulation.

A :class:`Session` owns one model and everything the page needs around it: which scenario, seed
and lever values it was built from, the production history by country (which the model keeps only
for the current month), the interventions a person fired, and the files offered for download.
The page creates one per browser tab, so nothing one tab does reaches another. Step, fire, reset
and the exports take a lock because Play steps the model from a background thread.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..interventions import ACTIONS
from ..model import MagnetDiplomacyModel
from ..parameters import Scenario
from ..runs import RunResult, agent_table, attribution_table, provenance, tables, write_folder
from ..scenario import list_scenarios, load_scenario
from ..timeline import parse_month

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

    def fire(self, action: str, params: dict[str, Any] | None = None) -> str:
        """Queue a live intervention for the start of the next month (the model validates it; a bad
        one raises ActionError); returns a line for the user."""
        params = dict(params or {})
        with self.lock:
            self.model.fire(action, **params)
            applies = self.model.label_of(self.model.tick)
            self.fired.append(
                {"queued_after_months": self.tick, "applies": applies, "action": action, "params": params}
            )
        return f"{ACTIONS[action].label}: takes effect in {month_name(applies)}."

    @property
    def queued(self) -> list[str]:
        """Labels of interventions fired but not applied yet."""
        return [ACTIONS[item["action"]].label for item in self.fired if item["queued_after_months"] == self.tick]

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
