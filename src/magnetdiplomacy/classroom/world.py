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
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

from ..interventions import SEATS
from ..model import MagnetDiplomacyModel
from .outlook import (
    METRICS,
    SEAT_METRICS,
    BandCheck,
    Comparison,
    Difference,
    Happening,
    Metric,
    Outlook,
    compare,
    event_key,
    fmt_delta,
    fmt_value,
    market_news,
    news_text,
    period,
)
from .precedence import HistoryClash, meet_history
from .worldspec import (
    DEFAULT_END,
    DEFAULT_START,
    MONTHS,
    OVERRULED,
    QUARTER,
    Calendar,
    Fired,
    WorldError,
    WorldSpec,
    month_name,
    month_of_tick,
    run_start,
    tick_of_month,
)

__all__ = [
    "CLOCK_QUIET_S",
    "DEFAULT_END",
    "DEFAULT_START",
    "METRICS",
    "MONTHS",
    "NEWS_KINDS",
    "NOISY_ACTORS",
    "OVERRULED",
    "QUARTER",
    "SEAT_METRICS",
    "BandCheck",
    "Calendar",
    "Comparison",
    "Difference",
    "Fired",
    "Metric",
    "Outlook",
    "World",
    "WorldError",
    "WorldSpec",
    "clock_moving",
    "compare",
    "fmt_delta",
    "fmt_value",
    "month_name",
    "month_of_tick",
    "rebuild",
    "run_start",
    "template",
    "tick_of_month",
]

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

_TEMPLATES: OrderedDict[WorldSpec, MagnetDiplomacyModel] = OrderedDict()
_TEMPLATE_LOCK = threading.Lock()


def template(spec: WorldSpec) -> MagnetDiplomacyModel:
    """The model at the spec's start month, every seat played by the model (shared; copy it)."""
    with _TEMPLATE_LOCK:
        model = _TEMPLATES.get(spec)
        if model is not None:
            _TEMPLATES.move_to_end(spec)
            return model
        model = MagnetDiplomacyModel(spec.scenario_config(), rng=spec.seed)
        model.run(until=model.tick_at(spec.start))
        model.fire_due()  # the start month's history is in force when people first decide
        _TEMPLATES[spec] = model
        while len(_TEMPLATES) > 6:
            _TEMPLATES.popitem(last=False)
        return model


# ---- the world ----------------------------------------------------------------------------------

NEWS_KINDS = {
    "export_control",
    "tariff",
    "truce",
    "partnership",
    "licence",
    "export_ban",
    "tech_ban",
    "price_floor",
    "investment",
    "decision",
}
# whose routine investment news (capacity, mothballing) is left out of the class's news
NOISY_ACTORS = {
    "China",
    "Japanese magnet makers",
    "Other magnet makers",
    "MP Materials",
    "New non-China projects",
    "Other separators",
}


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
        self._outlooks: OrderedDict[tuple, Outlook] = OrderedDict()
        self.clashes: list[HistoryClash] = []  # replayed history that met a student's move

    @classmethod
    def new(cls, spec: WorldSpec) -> World:
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

    def meet_history(self, model: MagnetDiplomacyModel, move: Fired, replay_history: bool) -> None:
        """A student's move meets the replayed history still to come on its lever (see
        :mod:`.precedence`); clashes already recorded for that history are replaced by this move's."""
        model.scheduled, found = meet_history(model.scheduled, move, replay_history)
        if model is self.model and found:
            later = {(c.tick, c.description) for c in found}
            self.clashes = [c for c in self.clashes if (c.tick, c.description) not in later] + found

    def advance(self, fired: Sequence[Fired], seats: Iterable[str], replay_history: bool = False) -> None:
        """Simulate the current quarter: actions fire at their ticks, people hold ``seats``.

        Replayed history that would set a lever a student set earlier is carried out
        (``replay_history``) or left out of this world; either way it is recorded in
        :attr:`clashes` (see :mod:`.precedence`). Moves the teacher's news overruled are not fired.
        """
        with self.lock:
            if self.finished:
                raise WorldError("the game is over")
            ticks = self.quarter_ticks(self.quarter)
            self.set_seats(seats)
            # canonical order within a month: the teacher's news first, then people's choices,
            # each in the order they were recorded (a rebuilt world must fire them the same way)
            ordered = sorted((f for f in fired if not f.overruled), key=lambda f: (f.tick, f.source == "student"))
            for tick in ticks:
                for item in ordered:
                    if item.tick == tick:
                        if item.checked is not None:
                            self.model.queue(item.action, item.checked)
                        else:
                            self.model.fire(item.action, **item.params)
                        if item.source == "student":
                            self.meet_history(self.model, item, replay_history)
                self.model.step()
            if self.model.tick <= self.end_tick:
                self.model.fire_due()  # the next quarter's first month of history, before people decide
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
        # the licence as it stands in the month about to be decided (what the seat menus show)
        licence = self.model.licence
        out["lynas_licence_valid"] = float(licence.valid)
        out["lynas_licence_years_left"] = licence.years_left if licence.valid else 0.0
        out["raw_ore_ban"] = self.latest("raw_ore_ban")
        out["tick"] = tick
        return out

    def events(self, first_tick: int, stop_tick: int, *, everything: bool = False, market: bool = True) -> list[dict]:
        """Event-log rows of months ``first_tick`` .. ``stop_tick - 1`` worth reading as news.

        News rows are copies in the news's words (:func:`.outlook.news_text`; the log keeps the
        model's shorthand), each once (one event of history that moves two levers is logged
        twice), with ``key`` to recognise the same event in another future (:func:`.outlook.event_key`);
        with ``market``, a line for each quarter whose exports moved a lot, saying why. With
        ``everything``, the raw rows of every kind.
        """
        out, seen = [], set()
        for row in self.model.event_log:
            if not first_tick <= row["tick"] < stop_tick:
                continue
            if everything:
                out.append(row)
                continue
            if row["kind"] not in NEWS_KINDS or row["action"] == "record":
                continue
            if row["kind"] == "investment" and row["actor"] in NOISY_ACTORS:
                continue
            # people's moves stay one row per action: the news credits them action by action
            once = (row["tick"], row["source"], row["description"]) if row["source"] != "user" else id(row)
            if once not in seen:
                seen.add(once)
                out.append({**row, "description": news_text(row["description"]), "key": event_key(row)})
        if market and not everything:
            series = self.model.datacollector.model_vars
            notes = market_news(series, self.calendar, self.model.tick, first_tick, stop_tick)
            out = sorted(out + notes, key=lambda r: r["tick"])
        return out

    # ---- looking ahead ----------------------------------------------------------------------

    def outlook(
        self, actions: Sequence[tuple[str, dict]] = (), seats: Iterable[str] | None = None, months: int = 24
    ) -> Outlook:
        """Simulate from now on a copy, with ``actions`` fired now; cached. The copy runs ``months``
        months or to the game's end if that is later (slow levers show there)."""
        seats = frozenset(self.seats if seats is None else seats)
        horizon = max(months, self.end_tick + 1 - self.model.tick)
        key = (self.model.tick, seats, horizon, json.dumps([[a, p] for a, p in actions], sort_keys=True, default=str))
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
            stop = min(trial.n_ticks, start + horizon)
            trial.run(until=stop, progress=lambda *_: _yield_to_clock())
        result = world._read_outlook(start, stop, months, tuple(name for name, _ in actions))
        with self.lock:
            if self.model.tick == start:
                self._outlooks[key] = result
                while len(self._outlooks) > 48:
                    self._outlooks.popitem(last=False)
        return result

    def _read_outlook(self, start: int, stop: int, months: int, actions: tuple[str, ...]) -> Outlook:
        """The :class:`Outlook` of this (simulated) world from month ``start`` to ``stop``: the years
        of the first ``months``, the twelve months to the game's end when later, the alignment path."""
        label = self.model.label_of

        def levels(first: int, last: int) -> dict:
            return {m.key: self.window(m.column, first, last, m.how) for m in METRICS.values()}

        years, labels = [], []
        for first in range(start, min(stop, start + months), 12):
            last = min(stop, first + 12)
            years.append(levels(first, last))
            labels.append(period(label(first), label(last - 1)))
        game_end = min(stop, self.end_tick + 1)  # the month after the game's last
        year_ends = {min(stop, first + 12) for first in range(start, min(stop, start + months), 12)}
        final, final_label = None, ""
        if game_end > start and game_end not in year_ends:
            final = levels(max(0, game_end - 12), game_end)
            final_label = period(label(max(0, game_end - 12)), label(game_end - 1))
        path = tuple(float(v) for v in self.model.datacollector.model_vars["malaysia_alignment"][start:game_end])
        events = tuple(
            Happening(label(r["tick"]), r["description"], r["tick"], r["key"])
            for r in self.events(start, stop, market=False)
            if r["source"] != "user"
        )
        game = period(label(start), label(game_end - 1)) if game_end > start else ""
        return Outlook(start, tuple(years), tuple(labels), events, final, final_label, path, game, actions)

    def compare(
        self, actions: Sequence[tuple[str, dict]], seat: str, seats: Iterable[str] | None = None, months: int = 24
    ) -> Comparison:
        """What ``actions`` change over the next two years and to the game's end, against doing
        nothing new."""
        base = self.outlook((), seats, months)
        alt = self.outlook(actions, seats, months)
        return compare(base, alt, SEAT_METRICS.get(seat, SEAT_METRICS["malaysia"]))


def rebuild(
    spec: WorldSpec,
    turns: Mapping[int, Iterable[str]],
    fired: Sequence[Fired],
    quarters: int,
    replay_history: bool = False,
) -> World:
    """A world advanced ``quarters`` quarters with the recorded seats and actions."""
    world = World.new(spec)
    for quarter in range(quarters):
        if world.finished:
            break
        ticks = world.quarter_ticks(quarter)
        world.advance([f for f in fired if f.tick in ticks], turns.get(quarter, ()), replay_history)
    return world
