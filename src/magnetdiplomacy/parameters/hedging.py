"""Malaysia's hedging rule: how it values a lean, answers offers and reveals alignment, and how its ties fade."""

from __future__ import annotations

from .base import Section, param


class HedgingRule(Section):
    us_trade_share: float = param(
        0.132,
        0.05,
        0.3,
        unit="fraction",
        desc="US share of Malaysia's exports (general trade in revealed alignment)",
        source="C204",
        flag="2nd",
    )
    china_trade_share: float = param(
        0.168,
        0.05,
        0.3,
        unit="fraction",
        desc="China's share of Malaysia's trade (general trade in revealed alignment)",
        source="C196",
        flag="2nd",
    )
    ties_weight: float = param(
        1.0,
        0.0,
        3.0,
        unit="alignment",
        desc="Weight of partnerships in revealed alignment",
        source="assumption",
        flag="ASSUMPTION",
    )
    trade_weight: float = param(
        0.6,
        0.0,
        3.0,
        unit="alignment",
        desc="Weight of rare-earth trade in revealed alignment",
        source="assumption",
        flag="ASSUMPTION",
    )
    concessions_weight: float = param(
        1.0,
        0.0,
        3.0,
        unit="alignment",
        desc="Weight of concessions in revealed alignment",
        source="assumption",
        flag="ASSUMPTION",
    )
    inertia: float = param(
        0.08,
        0.01,
        1.0,
        unit="per month",
        desc="Share of the gap between revealed and perceived alignment closed each month",
        source="assumption",
        flag="ASSUMPTION",
    )
    offer_noise_usd_m: float = param(
        50.0,
        0.0,
        1000.0,
        unit="USD m",
        desc="Spread of Malaysia's valuation of an offer between decisions (politics), in present value",
        source="assumption",
        flag="ASSUMPTION",
    )
    offer_horizon_years: float = param(
        10.0,
        3.0,
        30.0,
        unit="years",
        desc="Years over which Malaysia counts what an offer brings and what it risks",
        source="assumption",
        flag="ASSUMPTION",
    )
    discount_rate: float = param(
        0.08,
        0.0,
        0.2,
        unit="per year",
        desc="Rate at which Malaysia discounts an offer's future value",
        source="assumption",
        flag="ASSUMPTION",
    )
    job_value_usd_yr: float = param(
        15000.0,
        0.0,
        100000.0,
        unit="USD per job-year",
        desc="What Malaysia counts a rare-earth job-year worth beyond its value added (wages, skills, regions)",
        source="assumption",
        flag="ASSUMPTION",
    )
    neutrality_value_usd_m_yr: float = param(
        500.0,
        0.0,
        10000.0,
        unit="USD m per year",
        desc="Yearly value Malaysia puts on non-alignment, lost in proportion to alignment squared",
        source="assumption",
        flag="ASSUMPTION",
    )
    tariff_incidence: float = param(
        0.3,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of a US tariff on Malaysia that Malaysian exporters bear (lost margin and sales)",
        source="assumption",
        flag="ASSUMPTION",
    )
    exports_to_us_usd_bn: float = param(
        53.85,
        20.0,
        100.0,
        unit="USD bn per year",
        desc="Malaysia's goods exports to the US (US imports from Malaysia, 2024)",
        source="C205",
        flag="2nd",
    )
    lean_concessions_per_year: float = param(
        0.1,
        0.0,
        0.5,
        unit="alignment per year",
        desc="Concessions (statements, votes, gestures) a full lean to one side adds per year",
        source="assumption",
        flag="ASSUMPTION",
    )
    stance_horizon_months: float = param(
        24.0,
        1.0,
        120.0,
        unit="months",
        desc="Horizon over which Malaysia judges where a lean takes its alignment (US tariff reviews: twice a year)",
        source="assumption",
        flag="ASSUMPTION",
    )
    concession_half_life_years: float = param(
        6.0,
        0.5,
        50.0,
        unit="years",
        desc="Half-life of past concessions in revealed alignment",
        source="assumption",
        flag="ASSUMPTION",
    )
    mou_half_life_years: float = param(
        3.0,
        0.5,
        50.0,
        unit="years",
        desc="Half-life of a government memorandum or agreement in revealed alignment, unless renewed",
        source="assumption",
        flag="ASSUMPTION",
    )
    investment_half_life_years: float = param(
        10.0,
        0.5,
        50.0,
        unit="years",
        desc="Half-life of an investment or joint-venture tie in revealed alignment (plants last)",
        source="assumption",
        flag="ASSUMPTION",
    )
    technology_half_life_years: float = param(
        6.0,
        0.5,
        50.0,
        unit="years",
        desc="Half-life of a technology tie in revealed alignment",
        source="assumption",
        flag="ASSUMPTION",
    )
    supply_half_life_years: float = param(
        4.0,
        0.5,
        50.0,
        unit="years",
        desc="Half-life of a government supply, offtake or security tie (firm-to-firm ties last while they trade)",
        source="assumption",
        flag="ASSUMPTION",
    )
    tie_lapse_strength: float = param(
        0.1,
        0.0,
        0.5,
        unit="strength",
        desc="A fading tie lapses when its strength falls below this share of its strength when formed",
        source="assumption",
        flag="ASSUMPTION",
    )
    tariff_trade_elasticity: float = param(
        2.0,
        0.0,
        6.0,
        unit="dimensionless",
        desc="How much a US tariff shrinks Malaysia's trade with the US",
        source="assumption",
        flag="ASSUMPTION",
    )
