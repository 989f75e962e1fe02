"""What a class's world is made of: its specification (scenario, seed, months; stored as JSON), its
calendar of quarters, month names, and the :class:`Fired` actions that rebuild it."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..parameters import Scenario
from ..scenario import load_scenario
from ..timeline import month_index, parse_month, tick_label, tick_of

QUARTER = 3  # months per turn
OVERRULED = "overruled"  # the source of a student's move the teacher's news overrode
DEFAULT_START = "2026-04"  # the month after the replayed history ends
DEFAULT_END = "2030-12"  # the targets are for 2030
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(label: str, short: bool = False) -> str:
    year, month = parse_month(label)
    name = MONTHS[month - 1]
    return f"{name[:3] if short else name} {year}"


class WorldError(ValueError):
    """A world specification that cannot be used (bad dates, unknown scenario...)."""


@dataclass(frozen=True)
class WorldSpec:
    """What a world is built from. Two worlds with equal specs start identical."""

    scenario: str = "baseline"
    seed: int | None = None  # None: the scenario's own seed
    start: str = DEFAULT_START  # first month people decide
    end: str = DEFAULT_END  # last month simulated
    exclude: tuple[str, ...] = ()  # events.csv rows left out of the replay (a script injects them instead)
    overrides: tuple[tuple[str, Any], ...] = ()  # parameter overrides by dotted path

    def scenario_config(self) -> Scenario:
        overrides = {"outputs.agent_table": False, **dict(self.overrides)}
        if self.exclude:
            overrides["replay.exclude"] = list(self.exclude)
        try:
            return load_scenario(self.scenario, overrides)
        except Exception as err:  # ScenarioError, ValidationError
            raise WorldError(str(err).splitlines()[0]) from None

    def resolved(self) -> WorldSpec:
        """The same spec with the seed filled in and dates normalised (YYYY-MM)."""
        config = self.scenario_config()
        seed = int(config.run.seed if self.seed is None else self.seed)
        start, end = _norm(self.start), _norm(self.end)
        first, last = config.run.start, config.run.end
        if month_index(start) <= month_index(first):
            raise WorldError(f"the class must start after {month_name(first)}")
        if month_index(start) > month_index(last):
            raise WorldError(f"the class must start by {month_name(last)}")
        if month_index(end) < month_index(start) + QUARTER - 1:
            raise WorldError("the class must last at least one quarter")
        if month_index(end) > month_index(last):
            raise WorldError(f"the model runs only until {month_name(last)}")
        return WorldSpec(self.scenario, seed, start, end, tuple(sorted(set(self.exclude))), tuple(self.overrides))

    def to_json(self) -> str:
        return json.dumps(
            {**asdict(self), "exclude": list(self.exclude), "overrides": [list(p) for p in self.overrides]}
        )

    @classmethod
    def from_json(cls, text: str) -> WorldSpec:
        data = json.loads(text)
        return cls(
            data["scenario"],
            data["seed"],
            data["start"],
            data["end"],
            tuple(data.get("exclude", ())),
            tuple(tuple(p) for p in data.get("overrides", ())),
        )


@functools.lru_cache(maxsize=32)
def run_start(spec: WorldSpec) -> str:
    """The scenario's first month (tick 0)."""
    return spec.scenario_config().run.start


def _norm(label: str) -> str:
    year, month = parse_month(str(label))
    return f"{year:04d}-{month:02d}"


@dataclass
class Fired:
    """One action applied to a world at the start of month ``tick``."""

    tick: int
    action: str
    params: dict = field(default_factory=dict)
    seat: str = ""  # the seat that chose it, or "" for the teacher's news (injects)
    # student | inject | teacher, or overruled: a student's move not carried out because the
    # teacher's news set the same lever in the same quarter (kept for the record)
    source: str = "student"
    label: str = ""  # what people read
    who: str = ""  # the name of the person who chose it
    # the parameters as validated where the choice entered (not stored: a record read back from
    # the database is validated again when it is fired)
    checked: Any = field(default=None, repr=False, compare=False)

    @property
    def by_student(self) -> bool:
        """A student's move (carried out or overruled by the teacher's news)."""
        return self.source in ("student", OVERRULED)

    @property
    def shown_label(self) -> str:
        """What people read, with a note when the move was overruled."""
        return (
            f"{self.label} (overruled: the teacher's news set this the same quarter)" if self.overruled else self.label
        )

    @property
    def overruled(self) -> bool:
        return self.source == OVERRULED

    def to_dict(self) -> dict:
        record = asdict(replace(self, checked=None))
        record.pop("checked")
        return record


@dataclass(frozen=True)
class Calendar:
    """Quarters of a class: tick numbers and their names, without building a model."""

    origin: str  # the scenario's first month (tick 0)
    start_tick: int  # first month people decide
    end_tick: int  # last month simulated

    @classmethod
    def of(cls, spec: WorldSpec) -> Calendar:
        origin = run_start(spec)
        return cls(origin, tick_of(origin, spec.start), tick_of(origin, spec.end))

    @property
    def n_quarters(self) -> int:
        return -(-(self.end_tick - self.start_tick + 1) // QUARTER)

    def quarter_ticks(self, quarter: int) -> range:
        first = self.start_tick + QUARTER * quarter
        return range(first, max(first, min(first + QUARTER, self.end_tick + 1)))

    def quarter_of_tick(self, tick: int) -> int:
        return max(0, (tick - self.start_tick) // QUARTER)

    def label(self, tick: int) -> str:
        return tick_label(self.origin, tick)

    def quarter_label(self, quarter: int) -> str:
        ticks = self.quarter_ticks(quarter)
        if not len(ticks):
            return "the end of the game"
        a, b = self.label(ticks[0]), self.label(ticks[-1])
        (ya, ma), (yb, mb) = parse_month(a), parse_month(b)
        if a == b:
            return month_name(a)
        if ya == yb:
            return f"{MONTHS[ma - 1]}–{MONTHS[mb - 1]} {ya}"
        return f"{MONTHS[ma - 1]} {ya} – {MONTHS[mb - 1]} {yb}"


def month_of_tick(spec: WorldSpec, tick: int) -> str:
    return tick_label(run_start(spec), tick)


def tick_of_month(spec: WorldSpec, label: str) -> int:
    return tick_of(run_start(spec), label)
