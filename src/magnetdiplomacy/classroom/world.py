"""A class's world: one model advanced a quarter at a time, rebuilt exactly from its decisions.

A :class:`World` wraps a :class:`MagnetDiplomacyModel`. It starts at the class's start month
(April 2026, where the replayed history ends, unless a script says otherwise) and moves one
*quarter* (three months) per turn. Everything a person does to it is a :class:`Fired` action at a
known tick, and the seats people hold each quarter are recorded, so the same specification, seed,
seats and fired actions rebuild the same world, month for month. That is how a class survives a
server restart.

Worlds of one specification start from a shared *template*: the model stepped once to the start
month with every seat played by the model, then copied. Copies are cheap (a few hundredths of a
second), which also makes look-aheads cheap: :meth:`World.outlook` copies the world, applies a
choice and simulates the next two years.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..interventions import SEATS
from ..model import MagnetDiplomacyModel
from ..parameters import Scenario
from ..scenario import load_scenario
from ..timeline import month_index, parse_month, tick_label, tick_of

QUARTER = 3  # months per turn
DEFAULT_START = "2026-04"  # the month after the replayed history ends
DEFAULT_END = "2030-12"  # the targets are for 2030
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


_UTILITY = re.compile(r"\s*\(utility [^)]*\)")


def tidy(text: str) -> str:
    """An event description for students (the agents' internal utilities left out)."""
    return _UTILITY.sub("", text)


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

    def resolved(self) -> "WorldSpec":
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
        return json.dumps({**asdict(self), "exclude": list(self.exclude), "overrides": [list(p) for p in self.overrides]})

    @classmethod
    def from_json(cls, text: str) -> "WorldSpec":
        data = json.loads(text)
        return cls(data["scenario"], data["seed"], data["start"], data["end"], tuple(data.get("exclude", ())), tuple(tuple(p) for p in data.get("overrides", ())))


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
    source: str = "student"  # student | inject | teacher
    label: str = ""  # what people read
    who: str = ""  # names of the people who chose it

    def to_dict(self) -> dict:
        return asdict(self)


# ---- looking ahead ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    column: str
    how: str  # last | mean | sum
    kind: str  # share | signed | count | usd | tonnes | usd_kg | usd_m_cash


METRICS = {m.key: m for m in (
    Metric("alignment", "Alignment (−1 China … +1 US)", "malaysia_alignment", "last", "signed"),
    Metric("share", "Share of non-China magnets", "malaysia_magnet_share_nonchina", "mean", "share"),
    Metric("jobs", "Direct jobs", "malaysia_direct_jobs", "last", "count"),
    Metric("exports", "Exports in the year", "malaysia_export_revenue_usd", "sum", "usd"),
    Metric("tariff", "US tariff on Malaysia", "us_tariff_malaysia", "last", "share"),
    Metric("fiscal", "Incentive cost to the budget", "malaysia_incentive_cost_usd", "sum", "usd"),
    Metric("value_added", "Value added in Malaysia", "malaysia_value_added_usd", "sum", "usd"),
    Metric("licences", "China's licence grant rate", "china_export_licence_rate", "last", "share"),
    Metric("china_share", "China's share of world magnets", "china_magnet_share", "mean", "share"),
    Metric("relations", "US–China relations (−1 … +1)", "china_us_relations", "last", "signed"),
    Metric("us_reliance", "US reliance on magnet imports", "us_net_import_reliance", "mean", "share"),
    Metric("magnet_price", "Magnet price outside China", "price_magnet_exchina_usd_kg", "mean", "usd_kg"),
    Metric("ndpr_price", "NdPr oxide price outside China", "price_ndpr_exchina_usd_kg", "mean", "usd_kg"),
    Metric("lynas_ndpr", "Lynas' NdPr output in the year", "lynas_ndpr_t", "sum", "tonnes"),
    Metric("lynas_cash", "Lynas' cash", "lynas_cash_usd_m", "last", "usd_m_cash"),
    Metric("jslink_magnets", "JS Link's magnets in the year", "jslink_magnet_t", "sum", "tonnes"),
    Metric("jslink_cash", "JS Link's cash", "jslink_cash_usd_m", "last", "usd_m_cash"),
    Metric("shortage", "Magnets buyers could not get", "magnet_shortage_t", "sum", "tonnes"),
)}

# What each seat sees first when it weighs a choice.
SEAT_METRICS = {
    "malaysia": ("alignment", "share", "jobs", "exports", "tariff", "fiscal"),
    "united_states": ("us_reliance", "alignment", "magnet_price", "relations", "tariff", "share"),
    "china": ("china_share", "relations", "alignment", "licences", "ndpr_price", "share"),
    "lynas": ("lynas_ndpr", "lynas_cash", "ndpr_price", "alignment", "share", "jobs"),
    "jslink": ("jslink_magnets", "jslink_cash", "share", "jobs", "exports", "alignment"),
    "buyers": ("magnet_price", "shortage", "china_share", "share", "alignment", "relations"),
}


def fmt_value(metric: Metric, value: float) -> str:
    if metric.kind == "share":
        return f"{value:.1%}"
    if metric.kind == "signed":
        return f"{value:+.2f}"
    if metric.kind == "count":
        return f"{value:,.0f}"
    if metric.kind == "usd":
        return f"US${value / 1e6:,.0f} m"
    if metric.kind == "usd_m_cash":
        return f"US${value:,.0f} m"
    if metric.kind == "tonnes":
        return f"{value:,.0f} t"
    if metric.kind == "usd_kg":
        return f"US${value:,.0f}/kg"
    return f"{value:g}"


def fmt_delta(metric: Metric, delta: float) -> str:
    """A difference for people; '0' when it is negligible."""
    if metric.kind == "share":
        points = delta * 100
        return "no change" if abs(points) < 0.05 else f"{points:+.1f} pts"
    if metric.kind == "signed":
        return "no change" if abs(delta) < 0.005 else f"{delta:+.2f}"
    if metric.kind == "count":
        return "no change" if abs(delta) < 0.5 else f"{delta:+,.0f}"
    if metric.kind == "usd":
        return "no change" if abs(delta) < 0.5e6 else f"{'+' if delta > 0 else '−'}US${abs(delta) / 1e6:,.0f} m"
    if metric.kind == "usd_m_cash":
        return "no change" if abs(delta) < 0.5 else f"{'+' if delta > 0 else '−'}US${abs(delta):,.0f} m"
    if metric.kind == "tonnes":
        return "no change" if abs(delta) < 0.5 else f"{delta:+,.0f} t"
    if metric.kind == "usd_kg":
        return "no change" if abs(delta) < 0.05 else f"{delta:+,.1f} US$/kg"
    return f"{delta:+g}"


@dataclass(frozen=True)
class Outlook:
    """One simulated future from now: each metric over the next year and the year after."""

    start_tick: int
    years: tuple[dict, ...]  # per year ahead: metric key -> value
    labels: tuple[str, ...]  # per year ahead, e.g. "Apr 2026 – Mar 2027"
    events: tuple[tuple[str, str], ...]  # (month label, description) of what happened in it


@dataclass(frozen=True)
class Difference:
    metric: Metric
    base: tuple[float, ...]  # per year ahead, with no change
    alt: tuple[float, ...]  # per year ahead, with the choice

    @property
    def deltas(self) -> tuple[float, ...]:
        return tuple(a - b for a, b in zip(self.alt, self.base))

    def texts(self) -> tuple[str, ...]:
        return tuple(fmt_delta(self.metric, d) for d in self.deltas)


@dataclass(frozen=True)
class Comparison:
    """A choice's expected trade-offs: its future against the future with no change."""

    differences: tuple[Difference, ...]
    labels: tuple[str, ...]
    new_events: tuple[tuple[str, str], ...]  # events in the choice's future only
    gone_events: tuple[tuple[str, str], ...]  # events in the no-change future only

    def summary(self, year: int = 0) -> str:
        parts = [f"{d.metric.label.split(' (')[0]} {d.texts()[year]}" for d in self.differences if d.texts()[year] != "no change"]
        return "; ".join(parts) if parts else "little difference"


def compare(base: Outlook, alt: Outlook, metrics: Sequence[str]) -> Comparison:
    diffs = tuple(Difference(METRICS[k], tuple(y[k] for y in base.years), tuple(y[k] for y in alt.years)) for k in metrics)
    base_set, alt_set = set(base.events), set(alt.events)
    new = tuple(e for e in alt.events if e not in base_set)
    gone = tuple(e for e in base.events if e not in alt_set)
    return Comparison(diffs, alt.labels, new, gone)


# ---- sharing the processor ----------------------------------------------------------------------
#
# Look-aheads are background work: a few tenths of a second each, and thirty students may ask for
# them at once. They run one at a time, and pause while a clock has just moved (the quarter being
# simulated and every page redrawing), so that moving the clock stays quick for everyone.

_LOOKAHEAD = threading.Semaphore(1)
_clock_busy_until = 0.0
CLOCK_QUIET_S = 1.5  # how long after a clock moves look-aheads wait


def clock_moving(seconds: float = CLOCK_QUIET_S) -> None:
    """Tell look-aheads that a clock is moving now (and pages will redraw for ``seconds``)."""
    global _clock_busy_until
    _clock_busy_until = max(_clock_busy_until, time.monotonic() + seconds)


def _yield_to_clock() -> None:
    while True:
        wait = _clock_busy_until - time.monotonic()
        if wait <= 0:
            return
        time.sleep(min(wait, 0.1))


# ---- templates ----------------------------------------------------------------------------------

_TEMPLATES: "OrderedDict[WorldSpec, MagnetDiplomacyModel]" = OrderedDict()
_TEMPLATE_LOCK = threading.Lock()


def template(spec: WorldSpec) -> MagnetDiplomacyModel:
    """The model at the spec's start month, every seat played by the model (shared; copy it)."""
    with _TEMPLATE_LOCK:
        model = _TEMPLATES.get(spec)
        if model is not None:
            _TEMPLATES.move_to_end(spec)
            return model
        model = MagnetDiplomacyModel(spec.scenario_config(), rng=spec.seed)
        start = model.tick_at(spec.start)
        while model.tick < start and model.running:
            model.step()
        _TEMPLATES[spec] = model
        while len(_TEMPLATES) > 6:
            _TEMPLATES.popitem(last=False)
        return model


# ---- the world ----------------------------------------------------------------------------------

NEWS_KINDS = {"export_control", "tariff", "truce", "partnership", "licence", "export_ban", "tech_ban", "price_floor", "investment", "decision"}
NOISY_ACTORS = {"China", "Japanese magnet makers", "Other magnet makers", "MP Materials", "New non-China projects"}


@dataclass(frozen=True)
class Calendar:
    """Quarters of a class: tick numbers and their names, without building a model."""

    origin: str  # the scenario's first month (tick 0)
    start_tick: int  # first month people decide
    end_tick: int  # last month simulated

    @classmethod
    def of(cls, spec: WorldSpec) -> "Calendar":
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


class World:
    """A model moved one quarter at a time, with look-aheads."""

    def __init__(self, spec: WorldSpec, model: MagnetDiplomacyModel) -> None:
        self.spec = spec
        self.model = model
        self.lock = threading.RLock()
        self.calendar = Calendar.of(spec)
        self.start_tick = self.calendar.start_tick
        self.end_tick = self.calendar.end_tick  # last month simulated
        self.seats: frozenset[str] = frozenset()
        self._outlooks: "OrderedDict[tuple, Outlook]" = OrderedDict()

    @classmethod
    def new(cls, spec: WorldSpec) -> "World":
        spec = spec.resolved() if spec.seed is None else spec
        model = copy.deepcopy(template(spec))
        return cls(spec, model)

    # ---- the calendar ---------------------------------------------------------------------

    @property
    def n_quarters(self) -> int:
        return self.calendar.n_quarters

    @property
    def quarter(self) -> int:
        """Index of the quarter to be decided next (== n_quarters when the game is over)."""
        return min(self.n_quarters, (self.model.tick - self.start_tick + QUARTER - 1) // QUARTER)

    @property
    def finished(self) -> bool:
        return self.model.tick > self.end_tick or not self.model.running

    def quarter_ticks(self, quarter: int) -> range:
        return self.calendar.quarter_ticks(quarter)

    def quarter_label(self, quarter: int) -> str:
        return self.calendar.quarter_label(quarter)

    def quarter_of_tick(self, tick: int) -> int:
        return self.calendar.quarter_of_tick(tick)

    def label(self, tick: int) -> str:
        return self.model.label_of(tick)

    # ---- moving on ------------------------------------------------------------------------

    def set_seats(self, seats: Iterable[str]) -> None:
        """Seats people hold: the model skips their discretionary rules."""
        seats = frozenset(seats)
        unknown = seats - set(SEATS)
        if unknown:
            raise WorldError(f"unknown seat(s): {', '.join(sorted(unknown))}")
        controllers = self.model.config.controllers
        for seat in SEATS:
            value = "player" if seat in seats else "agent"
            if getattr(controllers, seat) != value:
                if seat == "malaysia" and value == "player":
                    # a person taking over keeps the line Malaysia held until now
                    self.model.malaysia.player_lean = float(self.model.malaysia.lean)
                setattr(controllers, seat, value)
        self.seats = seats

    def advance(self, fired: Sequence[Fired], seats: Iterable[str]) -> None:
        """Simulate the current quarter: actions fire at their ticks, people hold ``seats``."""
        with self.lock:
            if self.finished:
                raise WorldError("the game is over")
            ticks = self.quarter_ticks(self.quarter)
            self.set_seats(seats)
            # canonical order within a month: the teacher's news first, then people's choices,
            # each in the order they were recorded (a rebuilt world must fire them the same way)
            ordered = sorted(fired, key=lambda f: (f.tick, f.source == "student"))
            for tick in ticks:
                for item in ordered:
                    if item.tick == tick:
                        self.model.fire(item.action, **item.params)
                self.model.step()
            self._outlooks.clear()

    # ---- reading ----------------------------------------------------------------------------

    def series(self, columns: Iterable[str] | None = None) -> dict[str, list]:
        """Monthly columns from tick 0 up to the last month simulated (the data collector's lists)."""
        data = self.model.datacollector.model_vars
        cols = list(columns) if columns is not None else list(data)
        return {c: list(data[c]) for c in cols}

    def latest(self, key: str, default: float = 0.0) -> float:
        values = self.model.datacollector.model_vars.get(key)
        return float(values[-1]) if values else default

    def window(self, key: str, start_tick: int, stop_tick: int, how: str) -> float:
        values = self.model.datacollector.model_vars[key][start_tick:stop_tick]
        if not values:
            return 0.0
        if how == "sum":
            return float(sum(values))
        if how == "mean":
            return float(sum(values) / len(values))
        return float(values[-1])

    def snapshot(self) -> dict[str, float]:
        """The indicators of the last month simulated and of the last quarter."""
        tick = self.model.tick
        q0 = max(0, tick - QUARTER)
        out = {m.key: self.window(m.column, q0, tick, m.how) for m in METRICS.values()}
        out["exports_12m"] = self.window("malaysia_export_revenue_usd", max(0, tick - 12), tick, "sum")
        out["fiscal_12m"] = self.window("malaysia_incentive_cost_usd", max(0, tick - 12), tick, "sum")
        out["share_12m"] = self.window("malaysia_magnet_share_nonchina", max(0, tick - 12), tick, "mean")
        out["lynas_licence_valid"] = self.latest("lynas_licence_valid")
        out["lynas_licence_years_left"] = self.latest("lynas_licence_years_left")
        out["raw_ore_ban"] = self.latest("raw_ore_ban")
        out["tick"] = tick
        return out

    def events(self, first_tick: int, stop_tick: int, *, everything: bool = False) -> list[dict]:
        """Event-log rows of months ``first_tick`` .. ``stop_tick - 1`` worth reading as news."""
        out = []
        for row in self.model.event_log:
            if not first_tick <= row["tick"] < stop_tick:
                continue
            if not everything:
                if row["kind"] not in NEWS_KINDS or row["action"] == "record":
                    continue
                if row["kind"] == "investment" and row["actor"] in NOISY_ACTORS:
                    continue
            out.append(row)
        return out

    # ---- looking ahead ----------------------------------------------------------------------

    def outlook(self, actions: Sequence[tuple[str, dict]] = (), seats: Iterable[str] | None = None, months: int = 24) -> Outlook:
        """Simulate ``months`` from now on a copy, with ``actions`` fired now; cached."""
        seats = frozenset(self.seats if seats is None else seats)
        key = (self.model.tick, seats, months, json.dumps([[a, p] for a, p in actions], sort_keys=True, default=str))
        with self.lock:
            cached = self._outlooks.get(key)
            if cached is not None:
                return cached
        with _LOOKAHEAD:
            _yield_to_clock()
            with self.lock:
                cached = self._outlooks.get(key)
                if cached is not None:
                    return cached
                if self.model.tick != key[0]:  # the clock moved while this waited: nothing to look at any more
                    raise WorldError("the quarter has moved on")
                trial = copy.deepcopy(self.model)
            world = World(self.spec, trial)
            world.set_seats(seats)
            start = trial.tick
            for name, params in actions:
                trial.fire(name, **params)
            stop = min(trial.n_ticks, start + months)
            while trial.tick < stop and trial.running:
                _yield_to_clock()
                trial.step()
        years, labels = [], []
        for first in range(start, stop, 12):
            last = min(stop, first + 12)
            years.append({m.key: world.window(m.column, first, last, m.how) for m in METRICS.values()})
            labels.append(f"{month_name(trial.label_of(first), True)} – {month_name(trial.label_of(last - 1), True)}")
        events = tuple((trial.label_of(r["tick"]), tidy(r["description"])) for r in world.events(start, stop) if r["source"] != "user")
        result = Outlook(start, tuple(years), tuple(labels), events)
        with self.lock:
            if self.model.tick == start:
                self._outlooks[key] = result
                while len(self._outlooks) > 48:
                    self._outlooks.popitem(last=False)
        return result

    def compare(self, actions: Sequence[tuple[str, dict]], seat: str, seats: Iterable[str] | None = None, months: int = 24) -> Comparison:
        """What ``actions`` change over the next two years, against doing nothing new."""
        base = self.outlook((), seats, months)
        alt = self.outlook(actions, seats, months)
        return compare(base, alt, SEAT_METRICS.get(seat, SEAT_METRICS["malaysia"]))


def rebuild(spec: WorldSpec, turns: Mapping[int, Iterable[str]], fired: Sequence[Fired], quarters: int) -> World:
    """A world advanced ``quarters`` quarters with the recorded seats and actions."""
    world = World.new(spec)
    for quarter in range(quarters):
        if world.finished:
            break
        ticks = world.quarter_ticks(quarter)
        world.advance([f for f in fired if f.tick in ticks], turns.get(quarter, ()))
    return world


def month_of_tick(spec: WorldSpec, tick: int) -> str:
    return tick_label(run_start(spec), tick)


def tick_of_month(spec: WorldSpec, label: str) -> int:
    return tick_of(run_start(spec), label)
