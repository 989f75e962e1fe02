"""Malaysia's development beyond the chain, as the Malaysia agent carries it: know-how from
China, local content, patents, downstream investment in place, customers by continent, the
policing of the ore ban and the resource left in the ground (rules in
:mod:`magnetdiplomacy.mechanisms.development`; docs/ODD.md, "Malaysia's scorecard")."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..mechanisms.development import (
    Leak,
    best_enforcement,
    customer_spread,
    installed_t_yr,
    leak,
    local_content_next,
    patents_index,
    resource_value_usd,
)
from ..mechanisms.production import LICENSED_MALAYSIAN_MINES

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel

# Plants downstream of mining in Malaysia whose new capacity counts as downstream investment.
DOWNSTREAM_PLANTS = ("lynas_malaysia", "jv_refinery", "jslink_magnets", "foreign_malaysia_magnets")
# Customers are read over the last year of exports.
CUSTOMER_MEMORY_MONTHS = 12


class Development:
    """Malaysia's development state and the instruments that move it."""

    def __init__(self, model: MagnetDiplomacyModel) -> None:
        cfg = model.config.development
        self.model = model
        self.local_content = cfg.know_how.local_content_initial
        self.patents_index = 1.0
        self.china_know_how = 0.0  # know-how from the joint venture and Chinese technology ties
        self.enforcement_usd_m_yr = cfg.ore_leak.enforcement_initial_usd_m_yr
        self.resource_t = cfg.ore_leak.resource_t
        self.invested_usd = 0.0  # this month
        self.invested_total_usd = 0.0
        self.customer_spread = 0.0
        self._installed = {name: self._installed_now(name, 0) for name in DOWNSTREAM_PLANTS}
        self._exports: deque[dict[str, float]] = deque(maxlen=CUSTOMER_MEMORY_MONTHS)

    # ---- know-how and what follows it ------------------------------------------------------

    def talent_boost(self) -> float:
        """Extra learning by doing from MyTalent visas, once they are available."""
        model = self.model
        know_how = model.config.development.know_how
        return know_how.talent_learning_boost if model.tick >= model.tick_at(know_how.talent_start) else 0.0

    def fund_usd_m_yr(self) -> float:
        """Innovation-fund spending this year (US$ m), once the fund spends."""
        model = self.model
        know_how = model.config.development.know_how
        return know_how.innovation_fund_usd_m_yr if model.tick >= model.tick_at(know_how.fund_start) else 0.0

    def follow_know_how(self, capability: float) -> None:
        """A month's move of local content towards what local know-how allows; patents with know-how."""
        config = self.model.config
        know_how, initial = config.development.know_how, config.malaysia.capability_initial
        self.local_content = local_content_next(
            self.local_content,
            capability,
            initial,
            know_how.local_content_initial,
            know_how.local_content_per_know_how,
            know_how.local_content_years,
        )
        self.patents_index = patents_index(capability, initial, know_how.patent_elasticity)

    # ---- investment in place -----------------------------------------------------------------

    def capex_usd_per_t_yr(self) -> tuple[float, float]:
        """Capital cost of new separation (t NdPr/yr) and magnet (t NdFeB/yr) capacity in Malaysia."""
        return self._capex_usd_per_t_yr("lynas_malaysia"), self._capex_usd_per_t_yr("jslink_magnets")

    def _capex_usd_per_t_yr(self, name: str) -> float:
        config = self.model.config
        if name == "jslink_magnets":
            return config.jslink.capex_usd_m * 1e6 / config.jslink.capacity_t_yr
        if name == "foreign_malaysia_magnets":
            return config.development.foreign_makers.capex_usd_per_t_yr
        return config.lynas.expansion_capex_usd_m * 1e6 / max(config.lynas.expansion_t_yr, 1.0)

    def _installed_now(self, name: str, tick: int) -> float:
        chain = self.model.chain
        plant = chain.plants[name]
        # a plant's nameplate is read from the scenario only once it has started
        nameplate = chain.nameplate(name) if plant.start <= tick else 0.0
        return installed_t_yr(nameplate, plant.start, plant.additions, tick)

    def book_investment(self) -> None:
        """New capacity built this month in Malaysia's separation and magnet plants, at its
        capital cost, is this month's downstream investment."""
        tick = self.model.tick
        self.invested_usd = 0.0
        for name in DOWNSTREAM_PLANTS:
            now = self._installed_now(name, tick)
            added = now - self._installed[name]
            if added > 0:
                self.invested_usd += added * self._capex_usd_per_t_yr(name)
            self._installed[name] = max(now, self._installed[name])
        self.invested_total_usd += self.invested_usd

    # ---- customers and the ground --------------------------------------------------------------

    def record_exports(self, exports_t: Mapping[str, float], mined_t: float) -> None:
        """Remember this month's exports by destination (t) and take what was mined from the resource."""
        self._exports.append(dict(exports_t))
        year: dict[str, float] = {}
        for month in self._exports:
            for where, tonnes in month.items():
                year[where] = year.get(where, 0.0) + tonnes
        self.customer_spread = customer_spread(year)
        self.resource_t = max(0.0, self.resource_t - mined_t)

    def resource_value_usd(self) -> float:
        """What the resource left is worth at the government's estimate."""
        ore_leak = self.model.config.development.ore_leak
        return resource_value_usd(self.resource_t, ore_leak.resource_t, ore_leak.resource_value_usd_bn)

    # ---- the ore ban's policing ----------------------------------------------------------------

    def leak(self) -> Leak:
        """This month's illegal mining and smuggling at the current policing."""
        model = self.model
        cfg = model.config.development.ore_leak
        banned = model.controls.raw_ore_ban(model.tick)
        return leak(
            self.enforcement_usd_m_yr,
            banned,
            cfg.illegal_mining_t_yr,
            cfg.legal_leak_share,
            cfg.enforcement_initial_usd_m_yr,
            cfg.enforcement_halving_usd_m_yr,
        )

    def review_enforcement(self, ore_usd_kg: float) -> str | None:
        """Each January: spend on policing what costs least, counting the ore that leaves at its
        value plus the damage illegal mining does; returns what changed, if anything."""
        model = self.model
        cfg = model.config.development.ore_leak
        tick = model.tick
        legal_t_yr = sum(model.chain.plants[name].capacity_t_yr(tick) for name in LICENSED_MALAYSIAN_MINES)
        spend, leaving = best_enforcement(
            cfg.illegal_mining_t_yr,
            legal_t_yr,
            cfg.legal_leak_share,
            model.controls.raw_ore_ban(tick),
            (ore_usd_kg + cfg.damage_usd_kg) * 1000.0,
            cfg.enforcement_initial_usd_m_yr,
            cfg.enforcement_halving_usd_m_yr,
        )
        if spend == self.enforcement_usd_m_yr:
            return None
        before, self.enforcement_usd_m_yr = self.enforcement_usd_m_yr, spend
        return (
            f"Policing of illegal mining and ore exports: US${before:,.0f} m -> US${spend:,.0f} m a year "
            f"(about {leaving:,.0f} t REO a year expected to leave)"
        )
