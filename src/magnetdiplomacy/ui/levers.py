"""The policy levers offered as sliders and toggles, and how their values read in plain words.

Only the choice of levers, their short names and the words around their numbers live here; range,
unit, default and help text come from the parameter declarations in
:mod:`magnetdiplomacy.parameters` (or, for a lever that exists only mid-run, from the declared
parameter of its live action in :mod:`magnetdiplomacy.interventions`).

A lever is one of two kinds:

* *live*: it maps to a live action (``ACTIONS[name].live``). Moving it fires that action for the
  next month, so it is logged and marked on the charts like any intervention; its slider shows the
  value in force in the running model. The US tariff on Malaysia and Malaysia's magnet-plant
  incentive are live.
* *structural*: a scenario parameter the model reads when it is built (a plant's capacity, how
  often an offer comes, the grant rate China's licensing uses when it tightens). No live action
  sets it, so it applies on Reset.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..interventions import ACTIONS
from ..parameters import ParamSpec, Scenario, parameter_table

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


@dataclass(frozen=True)
class Live:
    """How a live lever acts on a running model."""

    action: str  # the live action it fires
    param: str  # the action's parameter that takes the lever's value
    read: Callable[[MagnetDiplomacyModel], float]  # the value in force in a model
    fixed: tuple[tuple[str, Any], ...] = ()  # the action's other parameters

    def params(self, value: Any) -> dict[str, Any]:
        """The action's parameters for the lever at ``value``."""
        return {**dict(self.fixed), self.param: value}


def _tariff_on_malaysia(model: MagnetDiplomacyModel) -> float:
    return float(model.controls.tariff("United States", "Malaysia", model.tick))


def _magnet_incentive(model: MagnetDiplomacyModel) -> float:
    return float(model.malaysia.incentive_level)


# dotted path -> (short name shown above the slider, how its value reads: "{pct}" is the value as a
# percentage, "{num}" the number; empty: the words of its unit)
LEVERS: dict[str, tuple[str, str]] = {
    "us.tariff_malaysia_initial": ("US: tariff on Malaysia", "{pct} % tariff"),
    "replay.enabled": ("Replay history up to 2026", ""),
    "china.licence_grant_rate": ("China: share of export licences granted", "{pct} % granted"),
    "china.escalation_propensity": ("China: readiness to escalate controls", "{pct} % chance a month"),
    "china.jv_offer_rate_per_year": ("China: joint-venture offers to Malaysia", ""),
    "us.tariff_max": ("US: highest tariff on Malaysia", "{pct} % at most"),
    "us.price_floor_usd_kg": ("US: NdPr price floor", ""),
    "us.offtake_offer_rate_per_year": ("US: offtake offers to JS Link", ""),
    "malaysia.hedging.neutrality_value_usd_m_yr": ("Malaysia: value of staying neutral", ""),
    "jslink.capacity_t_yr": ("JS Link: magnet plant capacity", ""),
    "demand.growth_per_year": ("World magnet demand growth", ""),
}
# Parameter levers that act mid-run through a live action.
LIVE: dict[str, Live] = {
    "us.tariff_malaysia_initial": Live("us_set_tariff", "rate", _tariff_on_malaysia, (("target", "Malaysia"),)),
}
# Levers with no scenario parameter: a live action's parameter, path ``action.param``.
ACTION_LEVERS: dict[str, tuple[str, str, Live]] = {
    "malaysia_magnet_incentive.level": (
        "Malaysia: magnet-plant incentive",
        "{pct} % of the most generous",
        Live("malaysia_magnet_incentive", "level", _magnet_incentive),
    ),
}
SEED_PATH = "run.seed"

# How a number reads in each unit when a lever does not say.
UNIT_WORDS: dict[str, str] = {
    "fraction": "{pct} %",
    "per year": "{pct} % a year",
    "per month": "{pct} % a month",
    "USD/kg": "US${num} per kg",
    "USD m per year": "US${num} million a year",
    "t NdFeB/yr": "{num} t of magnets a year",
    "offers per year": "{num} offers a year",
    "integer": "{num}",
}


def number(value: float) -> str:
    """A number as people write it: ``1,500``, ``110``, ``8.6``, ``0.3``."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def plain(value: Any, unit: str, words: str = "") -> str:
    """``value`` in ``unit`` in plain words: ``0.19`` fraction -> ``19 %`` (``words`` may say more)."""
    if isinstance(value, bool) or unit == "bool":
        return "on" if value else "off"
    if not isinstance(value, (int, float)):
        return f"{value} {unit}".strip()
    template = words or UNIT_WORDS.get(unit, "{num} " + unit)
    return template.format(pct=number(value * 100.0), num=number(value)).strip()


@dataclass(frozen=True)
class Lever:
    path: str
    name: str
    spec: ParamSpec
    words: str = ""  # how the value reads (see LEVERS)
    live: Live | None = None  # set for a lever that acts mid-run

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def help(self) -> str:
        """What the lever is, in plain words, with its source and the parameter behind it."""
        spec = self.spec
        text = spec.description
        declared = self.path in LEVERS  # a scenario parameter
        if declared:
            text += f" (source: {spec.source}; parameter {spec.path}, {spec.unit})"
        if self.live is None:
            return text
        start = "At the start: " if declared else ""
        return f"Fires “{ACTIONS[self.live.action].label}” for the next month. {start}{text}"

    @property
    def bounds(self) -> tuple[float, float]:
        """The declared range of a numeric lever."""
        lo, hi = self.spec.lo, self.spec.hi
        if lo is None or hi is None:
            raise ValueError(f"{self.path}: a {self.kind} lever needs a declared range")
        return lo, hi

    @property
    def step(self) -> float:
        if self.kind == "int":
            return 1
        span = (self.spec.hi or 1.0) - (self.spec.lo or 0.0)
        raw = span / 100.0
        mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
        return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)

    def format(self, value: Any) -> str:
        """The value in plain words (``19 % tariff``, ``US$110 per kg``)."""
        return plain(value, self.spec.unit, self.words)


def levers(scenario: Scenario | None = None) -> list[Lever]:
    """The levers backed by a scenario parameter, with their declared ranges and, if given,
    ``scenario``'s values as defaults."""
    table = parameter_table(scenario)
    return [Lever(path, name, table[path], words, LIVE.get(path)) for path, (name, words) in LEVERS.items()]


def action_levers() -> list[Lever]:
    """Live levers with no scenario parameter, declared by their action's parameter."""
    out = []
    for path, (name, words, live) in ACTION_LEVERS.items():
        action = ACTIONS[live.action]
        field = action.params.model_fields[live.param]
        lo = next(m.ge for m in field.metadata if getattr(m, "ge", None) is not None)
        hi = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
        spec = ParamSpec(path, field.default, lo, hi, "fraction", action.help, "live action", "", False, "float")
        out.append(Lever(path, name, spec, words, live))
    return out


def panel_levers(scenario: Scenario | None = None) -> list[Lever]:
    """Every lever of the panel, live ones first."""
    every = levers(scenario) + action_levers()
    return sorted(every, key=lambda lever: lever.live is None)


def values_of(scenario: Scenario) -> dict[str, Any]:
    """Current values of every parameter lever in ``scenario``."""
    return {lever.path: lever.spec.default for lever in levers(scenario)}


def seed_spec() -> ParamSpec:
    return parameter_table()[SEED_PATH]
