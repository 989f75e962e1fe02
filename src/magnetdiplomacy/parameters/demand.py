"""Parameters of time, replay, demand and buyers."""

from __future__ import annotations

from pydantic import model_validator

from .base import Section, YearMonth, param


class RunSettings(Section):
    start: YearMonth = param(
        "2020-01", unit="YYYY-MM", desc="First simulated month (tick 0)", source="DESIGN", flag="DESIGN", sweep=False
    )
    end: YearMonth = param(
        "2035-12", unit="YYYY-MM", desc="Last simulated month", source="DESIGN", flag="DESIGN", sweep=False
    )
    seed: int = param(
        20200101,
        0,
        2**31 - 1,
        unit="integer",
        desc="Seed of the model's random number generator",
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )


class ReplaySettings(Section):
    enabled: bool = param(
        True,
        unit="bool",
        desc=(
            "Replay the dated policy events of events.csv (2020 onward) instead of letting agents decide those domains"
        ),
        source="E001-E060",
        sweep=False,
    )
    until: YearMonth = param(
        "2026-03",
        unit="YYYY-MM",
        desc="Last month replayed from events.csv; afterwards the agents decide for themselves",
        source="E060 (last dated event)",
        sweep=False,
    )
    exclude: list[str] = param(
        [],
        unit="event ids",
        desc="Event ids (E0xx) left out of the replay",
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )


# --------------------------------------------------------------------------------------------
# demand and buyers


class Segment(Section):
    share: float = param(0.2, 0, 1, unit="fraction", desc="Share of 2020 magnet demand", source="DESIGN", flag="DESIGN")
    growth_premium: float = param(
        0.0,
        -0.15,
        0.15,
        unit="per year",
        desc="Growth above (or below) the world growth rate",
        source="assumption",
        flag="ASSUMPTION",
    )
    security_weight: float = param(
        0.3,
        0,
        2,
        unit="fraction of price",
        desc="How much supply risk adds to landed cost for this segment",
        source="assumption",
        flag="ASSUMPTION",
    )
    esg_weight: float = param(
        0.0,
        0,
        1,
        unit="fraction",
        desc="Share of the ESG premium (development.trade_terms.esg_premium) this segment's buyers pay",
        source="assumption (carmakers and wind OEMs audit their supply chains most)",
        flag="ASSUMPTION",
    )


class Segments(Section):
    automotive: Segment = Segment(share=0.42, growth_premium=0.04, security_weight=0.5, esg_weight=1.0)
    industrial: Segment = Segment(share=0.28, growth_premium=-0.02, security_weight=0.3, esg_weight=0.3)
    consumer_electronics: Segment = Segment(share=0.18, growth_premium=-0.06, security_weight=0.1, esg_weight=0.5)
    renewable_energy: Segment = Segment(share=0.08, growth_premium=0.04, security_weight=0.4, esg_weight=1.0)
    defence: Segment = Segment(share=0.04, growth_premium=0.0, security_weight=1.5)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Segments:
        total = sum(getattr(self, name).share for name in SEGMENTS)
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"segment shares must sum to 1 (they sum to {total:.3f})")
        return self


SEGMENTS = ("automotive", "industrial", "consumer_electronics", "renewable_energy", "defence")
REGIONS = ("china", "united_states", "europe", "japan_korea", "southeast_asia", "rest_of_world")


class Regions(Section):
    china: float = param(
        0.50,
        0,
        1,
        unit="fraction",
        desc="China's share of 2020 magnet demand (China exported about 40% of its magnet output)",
        source="assumption",
        flag="ASSUMPTION",
    )
    united_states: float = param(
        0.10,
        0,
        1,
        unit="fraction",
        desc="United States' share of 2020 magnet demand",
        source="assumption",
        flag="ASSUMPTION",
    )
    europe: float = param(
        0.13, 0, 1, unit="fraction", desc="Europe's share of 2020 magnet demand", source="assumption", flag="ASSUMPTION"
    )
    japan_korea: float = param(
        0.15,
        0,
        1,
        unit="fraction",
        desc="Japan and Korea's share of 2020 magnet demand",
        source="assumption",
        flag="ASSUMPTION",
    )
    southeast_asia: float = param(
        0.05,
        0,
        1,
        unit="fraction",
        desc="Southeast Asia's (incl. Malaysia) share of 2020 magnet demand",
        source="assumption",
        flag="ASSUMPTION",
    )
    rest_of_world: float = param(
        0.07,
        0,
        1,
        unit="fraction",
        desc="Rest of world's share of 2020 magnet demand",
        source="assumption",
        flag="ASSUMPTION",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Regions:
        total = sum(getattr(self, name) for name in REGIONS)
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"region shares must sum to 1 (they sum to {total:.3f})")
        return self


class DemandSettings(Section):
    initial_t_yr: float = param(
        130_000,
        50_000,
        300_000,
        unit="t NdFeB/yr",
        desc="World NdFeB magnet consumption in 2020",
        source="C114",
        flag="2nd",
    )
    growth_per_year: float = param(
        0.086,
        0.0,
        0.15,
        unit="per year",
        desc="World magnet demand growth (before price response)",
        source="C116 (prior C117-C119)",
        flag="2nd",
    )
    noise_sd: float = param(
        0.02,
        0.0,
        0.1,
        unit="fraction per month",
        desc="Month-to-month random variation of each buyer's demand",
        source="assumption",
        flag="ASSUMPTION",
    )
    price_elasticity: float = param(
        -0.12,
        -0.2,
        -0.05,
        unit="dimensionless",
        desc="Short-run price elasticity of magnet demand",
        source="C162",
        flag="ASSUMPTION",
    )
    shock_start: YearMonth = param(
        "2020-03",
        unit="YYYY-MM",
        desc="Start of the 2020 pandemic demand shock",
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )
    shock_depth: float = param(
        0.15,
        0.0,
        0.5,
        unit="fraction",
        desc="Fall of magnet demand at the trough of the 2020 shock (three months)",
        source="assumption (calibrated against H6)",
        flag="ASSUMPTION",
    )
    shock_recovery_months: float = param(
        9.0,
        1.0,
        24.0,
        unit="months",
        desc="Months for demand to recover from the trough",
        source="assumption (calibrated against H6)",
        flag="ASSUMPTION",
    )
    substitution_cap_per_year: float = param(
        0.10,
        0.0,
        0.10,
        unit="fraction of demand per year",
        desc="Fastest a buyer can substitute away from NdFeB magnets",
        source="C142; C163",
        flag="2nd",
    )
    substitution_trigger: float = param(
        1.5,
        1.0,
        4.0,
        unit="price ratio",
        desc="Landed magnet cost relative to 2020 above which buyers start substituting",
        source="assumption",
        flag="ASSUMPTION",
    )
    segments: Segments = Segments()
    regions: Regions = Regions()


class BuyerSettings(Section):
    count: int = param(
        300,
        1,
        100_000,
        unit="agents",
        desc="Number of magnet-buyer agents (firms); demand is split among them",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )
    review_probability: float = param(
        0.25,
        0.01,
        1.0,
        unit="per month",
        desc="Chance that a buyer reviews its suppliers in a month",
        source="assumption",
        flag="ASSUMPTION",
    )
    qualification_months: float = param(
        18,
        1,
        60,
        unit="months",
        desc="Months needed to qualify a new supplier fully (caps how fast a supplier's share can grow)",
        source="assumption",
        flag="ASSUMPTION",
    )
    cost_sensitivity: float = param(
        8.0,
        0.5,
        50.0,
        unit="dimensionless",
        desc="How sharply buyers favour the cheapest landed cost (logit weight on relative cost)",
        source="assumption",
        flag="ASSUMPTION",
    )
    home_bias: float = param(
        0.05,
        0.0,
        0.5,
        unit="fraction of price",
        desc="Cost advantage buyers see in suppliers from their own region",
        source="assumption",
        flag="ASSUMPTION",
    )
