"""What every decision-making agent shares: a seat a person can take, and chance events."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa

from ..mechanisms.chain import Plant
from ..mechanisms.investment import capacity_gap_t_yr, review_due

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


def monthly_chance(rate_per_year: float) -> float:
    """Probability that an event with the given yearly rate (Poisson) happens in a month."""
    return 1.0 - math.exp(-rate_per_year / 12.0)


class Seated(mesa.Agent):
    """An agent whose discretionary decisions a person can take over (``controllers.<seat>: player``)."""

    model: MagnetDiplomacyModel
    name = "agent"
    seat = ""

    def __init__(self, model: Any) -> None:
        super().__init__(model)

    @property
    def table_type(self) -> str:
        """The agent's type as the agent table shows it."""
        return type(self).__name__

    @property
    def player(self) -> bool:
        """True when a person, not this agent's rule, makes its discretionary decisions."""
        return bool(self.seat) and self.model.player_controls(self.seat)

    def log(self, target: str, kind: str, description: str) -> None:
        """Write one row of the event log as this agent's own decision."""
        self.model.log_event(self.name, target, kind, description, source="agent")


class State(Seated):
    """A state actor."""

    name = "state"

    def chance(self, rate_per_year: float, what: str) -> bool:
        """A random event (``what``, naming its stream) with the given yearly rate happens this month."""
        return self.model.streams.chance(f"{self.name}.{what}", monthly_chance(rate_per_year))


def invest_if_tight(model: MagnetDiplomacyModel, plant: Plant) -> None:
    """Twice a year, a market producer plans magnet capacity so expected orders run at the target
    utilisation (see :func:`~magnetdiplomacy.mechanisms.investment.capacity_gap_t_yr`), provided its
    mark-up covers the capital charge of new capacity; the new capacity arrives after
    ``magnets.capacity_lead_months``."""
    tick = model.tick
    if not review_due(tick, plant.history_orders, plant.capacity_t(tick)):
        return
    cfg = model.config.magnets
    if model.market.margins[plant.pool] * model.magnet_unit_cost(plant) < cfg.capital_charge_usd_kg:
        return
    lead = int(round(cfg.capacity_lead_months))
    growth = model.config.demand.growth_per_year
    extra = capacity_gap_t_yr(plant.history_orders, plant.planned_t_yr(tick), growth, lead, cfg.utilisation_target)
    if extra:
        plant.add_capacity(tick + lead, extra, 12)
        text = f"{plant.owner}: +{extra:,.0f} t/yr magnet capacity from {model.label_of(tick + lead)}"
        model.log_event(plant.owner, plant.name, "investment", text, source="agent")
