"""Parameters of Malaysia's industrial development beyond the chain: know-how and local content,
patents, talent and the innovation fund, foreign-owned magnet makers in Malaysia, the ore that
leaks abroad and what policing the ban costs, the resource base, trade agreements and the premium
some buyers pay for audited supply.

The sources behind the project name these targets and instruments but give few numbers for them;
most values here are therefore flagged GAP or ASSUMPTION and are sweep dimensions (docs/ODD.md,
"Malaysia's scorecard").
"""

from __future__ import annotations

from .base import Section, YearMonth, param


class KnowHowSettings(Section):
    local_content_initial: float = param(
        0.30, 0.0, 0.9, unit="fraction",
        desc="Share of supporting services and materials bought in Malaysia in 2020 (target 75%)",
        source="strategy sources (75% target; no 2020 figure)", flag="GAP",
    )  # fmt: skip
    local_content_per_know_how: float = param(
        2.0, 0.0, 6.0, unit="local content per unit of know-how",
        desc="Local content attainable per unit of local magnet know-how gained since 2020",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    local_content_years: float = param(
        4.0, 1.0, 15.0, unit="years",
        desc="Years for local suppliers to close most of the gap to attainable local content (time constant)",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    supply_chain_cost_cut: float = param(
        0.3, 0.0, 1.0, unit="fraction of conversion cost per unit of local content",
        desc=(
            "Cut in a Malaysian magnet plant's conversion cost per unit of local content gained since 2020 "
            "(supporting services and materials bought locally instead of imported)"
        ),
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    patent_elasticity: float = param(
        1.0, 0.2, 3.0, unit="ratio",
        desc="Rise in materials-science patents per rise in local know-how (both relative to 2020)",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    talent_learning_boost: float = param(
        0.25, 0.0, 1.0, unit="fraction",
        desc="Extra learning by doing from MyTalent visas (foreign experts working beside local staff)",
        source="strategy sources (MyTalent visas; no size given)", flag="ASSUMPTION",
    )  # fmt: skip
    talent_start: YearMonth = param(
        "2024-01", unit="YYYY-MM", desc="MyTalent visas available to the rare-earth industry",
        source="strategy sources (no date given)", flag="GAP", sweep=False,
    )  # fmt: skip
    innovation_fund_usd_m_yr: float = param(
        10.0, 0.0, 200.0, unit="USD m per year",
        desc="Rare Earth Technology Innovation Fund (23 multinationals): yearly spend on joint R&D",
        source="strategy sources (fund and 23 multinationals; no size given)", flag="GAP",
    )  # fmt: skip
    fund_learning_per_usd_100m: float = param(
        0.03, 0.0, 0.2, unit="know-how per year per USD 100 m",
        desc="Local know-how a year of fund spending brings, while foreign makers work in Malaysia",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    fund_start: YearMonth = param(
        "2025-01", unit="YYYY-MM", desc="Innovation fund starts spending",
        source="strategy sources (no date given)", flag="GAP", sweep=False,
    )  # fmt: skip
    china_know_how_decay_per_year: float = param(
        0.25, 0.0, 1.0, unit="per year",
        desc=(
            "Share of know-how from Chinese ties and the joint venture that stops being usable each year "
            "while China's technology-export ban binds (no licences, process support or spare parts)"
        ),
        source="E026; E050 (ban); rate assumed", flag="ASSUMPTION",
    )  # fmt: skip


class ForeignMakerSettings(Section):
    initial_t_yr: float = param(
        0.0, 0.0, 10_000, unit="t NdFeB/yr",
        desc="Magnet capacity of Japanese and Swiss multinationals in Malaysia in 2020 (none reported)",
        source="strategy sources (industry dominated by foreign multinationals; no tonnage)", flag="GAP",
    )  # fmt: skip
    expansion_t_yr: float = param(
        1_500, 0.0, 10_000, unit="t NdFeB/yr",
        desc="Magnet capacity one decision of the multinationals adds in Malaysia",
        source="C107 (Narva phase 1, 2,000 t/yr, for scale)", flag="ASSUMPTION",
    )  # fmt: skip
    capex_usd_per_t_yr: float = param(
        50_000, 20_000, 120_000, unit="USD per t/yr",
        desc="Investment per tonne a year of new magnet capacity",
        source="C391 (Narva, EUR 37,500-50,000 per t/yr); C402 (Vulcan, USD 92,000-100,000 per t/yr)",
        flag="UNCERTAIN",
    )  # fmt: skip
    cost_factor: float = param(
        1.1, 0.8, 1.6, unit="x benchmark",
        desc=(
            "Their conversion cost in Malaysia at 2020 local content (their own know-how and Malaysian wages, "
            "imported supporting inputs; Japan's is market.japan_cost_factor)"
        ),
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    site_risk_share: float = param(
        0.3, 0.0, 1.0, unit="fraction of revenue",
        desc="Revenue a Malaysian plant expects to lose when one side restricts or excludes Malaysia",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    stability_band: float = param(
        0.3, 0.05, 1.0, unit="alignment",
        desc="Within this distance of a side's threshold investors start pricing its sanction in",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    spacing_months: float = param(
        24, 6, 60, unit="months", desc="Least time between two of their expansions in Malaysia",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip


class OreLeakSettings(Section):
    illegal_mining_t_yr: float = param(
        16_000, 0.0, 60_000, unit="t REO/yr",
        desc="Malaysian ore leaving illegally at the 2023 level of policing (19 kt REO in China, 3 kt of it legal)",
        source="C500 - C501", flag="2nd",
    )  # fmt: skip
    enforcement_initial_usd_m_yr: float = param(
        10.0, 0.0, 200.0, unit="USD m per year",
        desc="What Malaysia spent policing illegal mining and ore exports in 2023",
        source="assumption (no budget figure found)", flag="GAP",
    )  # fmt: skip
    enforcement_halving_usd_m_yr: float = param(
        15.0, 1.0, 200.0, unit="USD m per year",
        desc="Extra yearly policing that halves the ore leaving",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    legal_leak_share: float = param(
        0.3, 0.0, 1.0, unit="fraction",
        desc="Share of licensed Malaysian mines' ore smuggled out under the ban at the 2023 level of policing",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    damage_usd_kg: float = param(
        3.0, 0.0, 20.0, unit="USD/kg REO",
        desc="Environmental damage and lost royalties per kg of ore mined illegally (Malaysia's view)",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    resource_t: float = param(
        16_100_000, 1_000_000, 30_000_000, unit="t REO",
        desc="Malaysia's rare-earth resource (government estimate)",
        source="C059", flag="UNCERTAIN",
    )  # fmt: skip
    resource_value_usd_bn: float = param(
        211, 10, 500, unit="USD bn",
        desc="Value of that resource (government estimate, RM1 trillion)",
        source="C060; C061", flag="UNCERTAIN",
    )  # fmt: skip


class TradeTermsSettings(Section):
    japan_korea_mfn_magnet_tariff: float = param(
        0.04, 0.0, 0.2, unit="fraction",
        desc="Tariff Japan and Korea charge on magnets from outside RCEP (US, European makers)",
        source="assumption (no tariff row; Korea's MFN on magnets is higher than Japan's)", flag="GAP",
    )  # fmt: skip
    rcep_magnet_tariff: float = param(
        0.0, 0.0, 0.2, unit="fraction",
        desc="Tariff Japan and Korea charge on magnets from RCEP members (Malaysia, China): zero under RCEP",
        source="strategy sources (RCEP zero tariffs on processed rare-earth products)", flag="2nd",
    )  # fmt: skip
    esg_premium: float = param(
        0.05, 0.0, 0.3, unit="fraction of price",
        desc="Premium buyers who pay for it give audited non-China, low-impact supply",
        source="strategy sources (buyers pay for responsible sourcing; no size given)", flag="GAP",
    )  # fmt: skip


class TargetWeights(Section):
    export_weight: float = param(
        0.1, 0.0, 1.0, unit="USD per USD a year",
        desc=(
            "What Malaysia adds to an offer's value for each dollar of yearly export revenue it brings, beyond "
            "the value added (its US$500 m export target); jobs and autonomy are weighed by "
            "malaysia.hedging.job_value_usd_yr and neutrality_value_usd_m_yr"
        ),
        source="assumption (the government's export target)", flag="ASSUMPTION",
    )  # fmt: skip
    investment_weight: float = param(
        0.2, 0.0, 1.0, unit="USD per USD",
        desc="What Malaysia adds to an offer's value per dollar of downstream investment it brings (US$2 bn target)",
        source="assumption (the government's investment target)", flag="ASSUMPTION",
    )  # fmt: skip


class DevelopmentSettings(Section):
    weights: TargetWeights = TargetWeights()
    know_how: KnowHowSettings = KnowHowSettings()
    foreign_makers: ForeignMakerSettings = ForeignMakerSettings()
    ore_leak: OreLeakSettings = OreLeakSettings()
    trade_terms: TradeTermsSettings = TradeTermsSettings()
