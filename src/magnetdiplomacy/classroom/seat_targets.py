"""Each role-play seat's own objectives and score (Malaysia's are in :mod:`.targets`).

A seat is scored on three or four targets over output columns the model reports, in the same
window as Malaysia's score (2030 when the game covers it, else the last twelve months played).
Each target declares its goal, the value that earns nothing, its points and why the seat cares.
Points grow in a straight line from the value that earns nothing to the goal (capped there), so a
near miss still scores; a seat's points add up to 100.

* **United States** (supply security and leverage): reliance on imported NdPr, magnets made
  outside China, magnets buyers could not get, Malaysia's alignment, China's licence grant rate.
* **China** (market share and leverage): its shares of world magnets and NdPr separation, US
  reliance on imported NdPr, Malaysia's alignment.
* **Lynas** (profit and licence): the operating margin on its NdPr, its NdPr output, years left on
  Kuantan's licence.
* **JS Link** (profit and customers): cash earned, magnets made (sold to its customers) and
  Malaysia's know-how. JS Link needs no operating licence like Kuantan's (magnet making handles no
  radioactive residue; the model has none to lose), so its order book stands in for the licence.
* **Buyers' association** (cost and security of supply): the magnet price outside China, magnets
  buyers could not get, and China's share of world magnets.

Every seat is scored against the model's own play of it: the class's world with every seat played
by the model, the same seed and the same news (see :func:`magnetdiplomacy.classroom.game.debrief`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..outputs import OUTPUTS, format_value
from ..parameters import Scenario
from .targets import ScoreTotals, as_dates, window

__all__ = ["SEAT_GOALS", "SEAT_TARGETS", "SeatScore", "SeatScorecard", "SeatTarget", "seat_columns", "seat_scorecard"]

HOWS = ("mean", "per_year", "end", "gain_per_year", "share_of_demand", "lynas_margin")


@dataclass(frozen=True)
class SeatTarget:
    """One target of a seat: what it reads, its goal and why the seat cares."""

    key: str
    label: str
    column: str  # the output column it reads (Lynas' margin also reads its realised price)
    # mean | per_year (a sum over the window, scaled to a year) | end | gain_per_year (the change over the
    # window, scaled to a year) | share_of_demand (its sum over the sum of magnet demand) | lynas_margin
    how: str
    goal: float
    worst: float  # the value that earns no points (above the goal for targets to keep low)
    points: float
    goal_text: str
    why: str

    def __post_init__(self) -> None:
        if self.how not in HOWS or self.column not in OUTPUTS or self.goal == self.worst:
            raise ValueError(f"seat target {self.key}: bad declaration")

    @property
    def lower_is_better(self) -> bool:
        return self.goal < self.worst

    def score(self, value: float) -> float:
        """Points for a value: none at ``worst``, all at ``goal`` or beyond, in a straight line between."""
        return self.points * max(0.0, min(1.0, (value - self.worst) / (self.goal - self.worst)))

    def met(self, value: float) -> bool:
        return value <= self.goal if self.lower_is_better else value >= self.goal

    def shown(self, value: float) -> str:
        """A value as people read it."""
        if self.how == "lynas_margin" or self.how == "gain_per_year":
            return f"US${value:,.0f} m a year"
        if self.how == "per_year":
            return f"{format_value(self.column, value)} a year"
        if self.how == "share_of_demand":
            return f"{value:.1%} of demand"
        if OUTPUTS[self.column].unit == "years":
            return f"{value:.1f} years"
        return format_value(self.column, value)


def _t(key, label, column, how, goal, worst, points, goal_text, why) -> SeatTarget:  # noqa: ANN001 (a table row)
    return SeatTarget(key, label, column, how, goal, worst, points, goal_text, why)


SEAT_TARGETS: dict[str, tuple[SeatTarget, ...]] = {
    "united_states": (
        _t("reliance", "US reliance on imported NdPr", "us_net_import_reliance", "mean", 0.5, 1.0, 20,
           "at most 50%", "Every tonne of NdPr made at home or by allies is a tonne China cannot withhold."),
        _t("nonchina", "Magnets made outside China", "nonchina_magnet_t", "per_year", 60_000, 20_000, 20,
           "60,000 t a year", "Car, wind and defence makers need magnets that do not pass through China."),
        _t("shortage", "Magnets buyers could not get", "magnet_shortage_t", "share_of_demand", 0.0, 0.05, 20,
           "none", "Reliance falls when China cuts supply and use falls with it; missing magnets show the harm."),
        _t("ally", "Malaysia's alignment", "malaysia_alignment", "end", 0.5, -0.25, 20, "+0.50 (towards the US)",
           "A Malaysia on your side brings its ore, Kuantan and its magnet plants into your supply chain."),
        _t("licences", "China's licence grant rate", "china_export_licence_rate", "end", 1.0, 0.5, 20,
           "100% of requests granted", "Licences China withholds are its leverage over you; keeping them "
           "flowing, by a deal or by deterrence, is yours."),
    ),
    "china": (
        _t("magnets", "China's share of world magnets", "china_magnet_share", "mean", 0.9, 0.7, 25, "90%",
           "Magnets are where the value and the jobs are; you make about nine in ten of them."),
        _t("separation", "China's share of NdPr separation", "china_separation_share", "mean", 0.9, 0.7, 25, "90%",
           "Refining is the chokepoint: whoever separates the oxide decides who gets it."),
        _t("reliance", "US reliance on imported NdPr", "us_net_import_reliance", "mean", 1.0, 0.5, 25,
           "100% (the US still depends)", "The more the US depends on imported NdPr, the more your licences count."),
        _t("malaysia", "Malaysia's alignment", "malaysia_alignment", "end", -0.25, 0.5, 25,
           "−0.25 (towards China)", "A Malaysia that leans your way does not become the West's alternative."),
    ),
    "lynas": (
        _t("margin", "Operating margin on NdPr", "lynas_ndpr_t", "lynas_margin", 400, 0, 40,
           "US$400 m a year", "NdPr made, at the price realised less its cash cost, before investment: what "
           "pays for growth and dividends."),
        _t("output", "Lynas' NdPr output", "lynas_ndpr_t", "per_year", 12_000, 6_000, 30, "12,000 t a year",
           "Lynas' 2025 plan: 12,000 t a year of NdPr from Mt Weld; volume keeps customers outside China."),
        _t("licence", "Years left on Kuantan's licence", "lynas_licence_years_left", "end", 5.0, 0.0, 30,
           "at least 5 years", "Without a long licence Kuantan cannot be financed, expanded or even run."),
    ),
    "jslink": (
        _t("cash", "Cash earned", "jslink_cash_usd_m", "gain_per_year", 300, 0, 40, "US$300 m a year",
           "Magnet sales less their cost (and a second line paid from its own cash)."),
        _t("magnets", "JS Link's magnets", "jslink_magnet_t", "per_year", 6_000, 0, 35, "6,000 t a year (two lines)",
           "Magnets made are magnets sold: its customers' orders and its place in their supply chains."),
        _t("know_how", "Malaysia's magnet know-how", "malaysia_capability", "end", 0.3, 0.1, 25, "30% local",
           "The know-how of its Malaysian workforce sets JS Link's cost and how fast it ramps up."),
    ),
    "buyers": (
        _t("price", "Magnet price outside China", "price_magnet_exchina_usd_kg", "mean", 120, 240, 35,
           "at most US$120/kg", "What car, wind, electronics and defence makers pay for their magnets."),
        _t("shortage", "Magnets buyers could not get", "magnet_shortage_t", "share_of_demand", 0.0, 0.05, 35,
           "none", "A missing magnet stops a production line; a dear one only squeezes a margin."),
        _t("china", "China's share of world magnets", "china_magnet_share", "mean", 0.75, 0.95, 30, "at most 75%",
           "The less comes from one country, the less one government's licences can stop."),
    ),
}  # fmt: skip
SEAT_GOALS = {
    "united_states": "supply security and leverage",
    "china": "market share and leverage",
    "lynas": "profit and licence",
    "jslink": "profit and customers",
    "buyers": "cost and security of supply",
}


# Columns some ways of measuring read besides the target's own.
EXTRA_COLUMNS = {"share_of_demand": ("magnet_demand_t",), "lynas_margin": ("price_ndpr_realised_lynas_usd_kg",)}


def seat_columns(seat: str) -> tuple[str, ...]:
    """The output columns a seat's score reads."""
    columns = [c for t in SEAT_TARGETS[seat] for c in (t.column, *EXTRA_COLUMNS.get(t.how, ()))]
    return tuple(dict.fromkeys(columns))


@dataclass(frozen=True)
class SeatScore:
    key: str
    label: str
    value: float
    points: float
    max_points: float
    met: bool
    shown: str
    goal: str
    why: str


@dataclass(frozen=True)
class SeatScorecard(ScoreTotals):
    """A seat's score over a window."""

    seat: str
    scores: tuple[SeatScore, ...]
    window: str

    def as_dict(self) -> dict:
        """``total``, ``targets_met``, ``window`` and ``<seat>_<target>_value`` / ``_points`` / ``_met``."""
        out: dict = {"total": round(self.total, 1), "targets_met": self.met, "window": self.window}
        for s in self.scores:
            out[f"{self.seat}_{s.key}_value"] = s.value
            out[f"{self.seat}_{s.key}_points"] = round(s.points, 1)
            out[f"{self.seat}_{s.key}_met"] = s.met
        return out


def measure(target: SeatTarget, series: Mapping[str, Sequence], lo: int, hi: int, config: Scenario) -> float:
    """A target's value over rows ``lo`` .. ``hi - 1`` of a run's monthly series."""
    values = [float(v) for v in series[target.column][lo:hi]]
    per_year = 12.0 / len(values)
    if target.how == "mean":
        return sum(values) / len(values)
    if target.how == "per_year":
        return sum(values) * per_year
    if target.how == "end":
        return values[-1]
    if target.how == "gain_per_year":
        before = float(series[target.column][lo - 1]) if lo > 0 else 0.0
        return (values[-1] - before) * per_year
    if target.how == "share_of_demand":
        demand = sum(float(v) for v in series["magnet_demand_t"][lo:hi])
        return sum(values) / demand if demand > 0 else 0.0
    # lynas_margin: tonnes x (realised price - cash cost), in US$ m
    prices = [float(v) for v in series["price_ndpr_realised_lynas_usd_kg"][lo:hi]]
    cost = config.costs.ndpr_cash_lynas_usd_kg
    return sum(t * 1000.0 * (p - cost) for t, p in zip(values, prices, strict=True)) / 1e6 * per_year


def seat_scorecard(
    seat: str, series: Mapping[str, Sequence], config: Scenario, last: int | None = None
) -> SeatScorecard:
    """Score a seat on a run's monthly series (the data collector's columns from tick 0, with
    ``date``), in the window of Malaysia's score ending at row ``last`` (default: the last row)."""
    dates: list[dt.date] = as_dates(series["date"])
    last = len(dates) - 1 if last is None else min(last, len(dates) - 1)
    if last < 0:
        raise ValueError("nothing simulated yet")
    lo, hi, label = window(dates, last)
    scores = []
    for target in SEAT_TARGETS[seat]:
        value = measure(target, series, lo, hi, config)
        scores.append(
            SeatScore(
                target.key,
                target.label,
                value,
                target.score(value),
                target.points,
                target.met(value),
                target.shown(value),
                target.goal_text,
                target.why,
            )
        )
    return SeatScorecard(seat, tuple(scores), label)
