"""The policy levers offered as sliders and toggles.

Only the choice of levers and their short names live here; range, unit, default and help text
come from the parameter declarations in :mod:`magnetdiplomacy.parameters`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..parameters import ParamSpec, Scenario, parameter_table

# dotted path -> short name shown above the slider
LEVERS: dict[str, str] = {
    "replay.enabled": "Replay history up to 2026",
    "china.licence_grant_rate": "China: share of export licences granted",
    "china.escalation_propensity": "China: readiness to escalate controls",
    "china.jv_offer_rate_per_year": "China: joint-venture offers to Malaysia",
    "us.tariff_max": "US: highest tariff on Malaysia",
    "us.price_floor_usd_kg": "US: NdPr price floor",
    "us.offtake_offer_rate_per_year": "US: offtake offers to JS Link",
    "malaysia.hedging.neutrality_value_usd_m_yr": "Malaysia: value of staying neutral",
    "jslink.capacity_t_yr": "JS Link: magnet plant capacity",
    "demand.growth_per_year": "World magnet demand growth",
}
SEED_PATH = "run.seed"


@dataclass(frozen=True)
class Lever:
    path: str
    name: str
    spec: ParamSpec

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def help(self) -> str:
        return f"{self.spec.description} (source: {self.spec.source})"

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
        if self.kind == "bool":
            return "on" if value else "off"
        unit = self.spec.unit
        if isinstance(value, (int, float)):
            text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
        else:
            text = str(value)
        return f"{text} {unit}"


def levers(scenario: Scenario | None = None) -> list[Lever]:
    """The levers with their declared ranges and, if given, ``scenario``'s values as defaults."""
    table = parameter_table(scenario)
    return [Lever(path, name, table[path]) for path, name in LEVERS.items()]


def values_of(scenario: Scenario) -> dict[str, Any]:
    """Current values of every lever in ``scenario``."""
    return {lever.path: lever.spec.default for lever in levers(scenario)}


def seed_spec() -> ParamSpec:
    return parameter_table()[SEED_PATH]
