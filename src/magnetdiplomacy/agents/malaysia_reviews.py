"""Malaysia's yearly and occasional reviews: Lynas' licence when it is about to lapse, the raw-ore
ban each January, in money (see :mod:`magnetdiplomacy.mechanisms.politics`). A mixin of
:class:`~magnetdiplomacy.agents.malaysia.Malaysia`, kept apart to keep the agent short."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..mechanisms.economics import RungOutput, value_and_jobs
from ..mechanisms.partnerships import TIE_WEIGHTS
from ..mechanisms.politics import (
    LicenceCase,
    OreBanCase,
    investment_drawn_usd,
    ore_ban_value_usd_yr,
    renewal_years,
)
from ..mechanisms.valuation import yearly_value_added_usd
from .base import State

if TYPE_CHECKING:  # pragma: no cover
    from ..mechanisms.valuation import Pressure, Prices, Valuation

# The 2025 US agreement's clause against export restrictions (E051) lives in this tie.
US_CLAUSE_TIE = ("United States", "Malaysia", "mou")


class Reviews(State):
    """Lynas' licence and the raw-ore ban, reviewed by their value to Malaysia."""

    if TYPE_CHECKING:  # provided by Malaysia

        def market_prices(self, oxide_floor_usd_kg: float = 0.0) -> Prices: ...
        def offer_value(self, kind: str) -> Valuation: ...
        def pressure_view(self) -> Pressure: ...
        def stance(self, push: float = 0.0, pressure: Pressure | None = None) -> tuple[float, float, float]: ...

    def licence_case(self, opposition_usd_m_yr: float) -> LicenceCase:
        """What Lynas' plant brings Malaysia a year at today's output and prices, against this opposition."""
        model = self.model
        plant = model.chain.plants["lynas_malaysia"]
        current = RungOutput(oxide_t=plant.output_t, coproduct_t=plant.coproduct_t, oxide_feed_t=plant.feed_used.reo_t)
        _, _, jobs = value_and_jobs(current, model.config)
        value = yearly_value_added_usd(current, self.market_prices())
        return LicenceCase(value, jobs, model.config.malaysia.hedging.job_value_usd_yr, opposition_usd_m_yr * 1e6)

    def _licence_decision(self) -> None:
        """When Lynas' licence is about to lapse: renew long, renew short, or let it go, weighing
        the plant's value added and jobs against the opposition to it (see
        :mod:`magnetdiplomacy.mechanisms.politics`)."""
        model = self.model
        cfg = model.config.malaysia
        licence = model.licence
        if not licence.valid or licence.until is None or model.tick != licence.until - 1:
            return
        opposition = model.streams.gauss(
            "malaysia.licence", cfg.licence_opposition_usd_m_yr, cfg.licence_opposition_sd_usd_m_yr
        )
        case = self.licence_case(max(0.0, opposition))
        why = f"plant worth US${case.benefit_usd_yr / 1e6:,.0f} m a year against opposition of US${opposition:,.0f} m"
        years = renewal_years(case, cfg.licence_long_renewal_ratio)
        if years is None:
            self.log("Lynas Malaysia", "licence", f"Malaysia lets Lynas' licence lapse ({why})")
            return
        model.act(
            "malaysia_lynas_licence",
            {"term_years": years, "start": model.label_of(licence.until)},
            source="agent",
            description=f"Lynas licence renewed for {years} years ({why})",
        )

    def ore_ban_case(self) -> OreBanCase:
        """What keeping the raw-ore ban another year weighs, from today's mines, refiners, offers and ties."""
        model = self.model
        config = model.config
        hedging = config.malaysia.hedging
        tick = model.tick
        plants = model.chain.plants
        mines_t_yr = sum(plants[name].capacity_t_yr(tick) for name in ("perak_pilot", "jv_mine"))
        # what Malaysia's refiners took of its ore last month; the rest would leave raw, or with the ban not at all
        refined_at_home = 12.0 * model.chain.edges[("mine", "malaysia", "separation", "malaysia")]
        stranded = max(0.0, mines_t_yr - refined_at_home)
        china = model.china
        investment = 0.0
        if not model.partnerships.has("China", "Malaysia", "investment"):
            investment = investment_drawn_usd(
                china.jv_offer_rate(True), china.jv_offer_rate(False), self.offer_value("china_jv").net_usd_m * 1e6
            )
        clause = 0.0
        if model.partnerships.has(*US_CLAUSE_TIE):
            # what honouring the clause is worth a year: lifting renews its tie, a new ban breaks it
            held = model.partnerships.strength(*US_CLAUSE_TIE, tick)
            weight = hedging.ties_weight * TIE_WEIGHTS["mou"]
            banned = model.controls.raw_ore_ban(tick)
            with_tie, without = (weight * (1.0 - held), 0.0) if banned else (0.0, -weight * held)
            pressure = self.pressure_view()
            clause = self.stance(with_tie, pressure)[2] - self.stance(without, pressure)[2]
        return OreBanCase(
            stranded_ore_t_yr=stranded,
            ore_usd_kg=self.market_prices().ore,
            stranded_jobs=stranded / 1000.0 * config.malaysia.jobs_per_kt_ore,
            job_value_usd_yr=hedging.job_value_usd_yr,
            investment_usd_yr=investment,
            clause_usd_yr=clause,
        )

    def _review_ore_ban(self) -> None:
        """Each January: keep, lift or impose the raw-ore ban by its yearly value."""
        model = self.model
        case = self.ore_ban_case()
        noise = model.streams.gauss("malaysia.ore_ban", 0.0, model.config.malaysia.ore_ban_noise_usd_m_yr)
        value = ore_ban_value_usd_yr(case) / 1e6 + noise
        banned = model.controls.raw_ore_ban(model.tick)
        # a change must be worth more than the credibility a reversal costs
        if (value if not banned else -value) <= model.config.malaysia.ore_ban_reversal_cost_usd_m:
            return
        why = (
            f"ban worth US${value:+,.0f} m a year: investment drawn {case.investment_usd_yr / 1e6:+,.0f}, "
            f"exports and jobs forgone {-case.forgone_usd_yr / 1e6:+,.0f}, US clause {-case.clause_usd_yr / 1e6:+,.0f}"
        )
        verb = "Malaysia bans raw rare-earth exports" if value > 0 else "Malaysia lifts its raw-ore export ban"
        model.act("malaysia_raw_ore_ban", {"on": value > 0}, source="agent", description=f"{verb} ({why})")
