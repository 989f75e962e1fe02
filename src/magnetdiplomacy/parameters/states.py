"""Parameters of the states: China, the United States and Malaysia's hedging rule and economy."""

from __future__ import annotations

from .base import Section, YearMonth, param
from .hedging import HedgingRule


class ChinaSettings(Section):
    quota_price_response: float = param(
        0.05,
        0.0,
        1.0,
        unit="per unit price ratio",
        desc=(
            "Quota growth beyond the growth of China's NdPr offtake per unit by which China's average NdPr price over "
            "the past year exceeds the price it defends (negative below it: quotas are held or cut)"
        ),
        source="C065-C073 (published quotas 2017-2024)",
        flag="ASSUMPTION",
    )
    defended_margin: float = param(
        0.25, 0.0, 1.0, unit="fraction of full cost",
        desc="Margin over the full cost of Chinese NdPr oxide that China's quota policy defends",
        source="assumption (consolidation into six state groups and quota restraint to support prices)",
        flag="ASSUMPTION",
    )  # fmt: skip
    ionic_clay_reo_t_yr: float = param(
        19_150, 10_000, 40_000, unit="t REO/yr",
        desc=(
            "China's own ion-adsorption clay mining (the heavy rare-earth quota, held flat since 2018); with "
            "Myanmar's ore it is the feed of China's Dy and Tb"
        ),
        source="assumption (published southern ion-adsorption quota; no calibration row)", flag="ASSUMPTION",
    )  # fmt: skip
    clay_expansion_per_year: float = param(
        0.1, 0.0, 0.3, unit="fraction of clay feed",
        desc=(
            "Dy and Tb supply China adds in a year while its Dy price has stayed above full cost (new clay "
            "operations, Myanmar, Dy recovered from magnet scrap)"
        ),
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    clay_lead_months: float = param(
        24, 6, 60, unit="months", desc="Months from a decision to add Dy and Tb supply to first output",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    ore_stockpile_months: float = param(
        6.0,
        0.0,
        24.0,
        unit="months",
        desc="Unprocessed ore China's separators hold at most; beyond it Chinese mines slow below quota",
        source="assumption",
        flag="ASSUMPTION",
    )
    separation_to_mining_quota: float = param(
        0.94, 0.8, 1.1, unit="ratio", desc="Separation quota relative to mining quota", source="C074 / C073", flag="2nd"
    )
    licence_grant_rate: float = param(
        0.5,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of export licences granted when licensing is tightened (Announcement 18 regime)",
        source="E033",
        flag="ASSUMPTION",
    )
    licence_delay_months: float = param(
        2.0,
        0.0,
        6.0,
        unit="months",
        desc="Months before licences start being granted under a new regime (45 working days)",
        source="E033",
        flag="ASSUMPTION",
    )
    truce_grant_rate: float = param(
        0.8, 0.0, 1.0, unit="fraction", desc="Grant rate after a US-China truce", source="E036; E053", flag="ASSUMPTION"
    )
    us_general_licence_rate: float = param(
        0.95,
        0.0,
        1.0,
        unit="fraction",
        desc="Grant rate for US end users under general licences",
        source="E055",
        flag="ASSUMPTION",
    )
    escalation_propensity: float = param(
        0.04,
        0.0,
        0.3,
        unit="per month",
        desc="Chance per month of escalating controls when relations with the US are at their worst",
        source="assumption",
        flag="ASSUMPTION",
    )
    escalation_gain_usd_bn_yr: float = param(
        50.0,
        0.0,
        500.0,
        unit="USD bn per year",
        desc="What one more step of export controls is worth to China a year at the worst relations with the US",
        source="assumption",
        flag="ASSUMPTION",
    )
    exports_to_us_usd_bn: float = param(
        439.0,
        100.0,
        700.0,
        unit="USD bn per year",
        desc="China's goods exports to the US (US goods imports from China, 2024, US Census; not yet a data row)",
        source="assumption",
        flag="ASSUMPTION",
    )
    us_tariff_incidence: float = param(
        0.3,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of a US tariff on China that Chinese exporters bear (lost margin and sales)",
        source="assumption",
        flag="ASSUMPTION",
    )
    relations_recovery: float = param(
        0.03,
        0.0,
        0.3,
        unit="per month",
        desc="How fast US-China relations drift back to their normal level",
        source="assumption",
        flag="ASSUMPTION",
    )
    retaliation_threshold: float = param(
        0.5,
        0.0,
        1.0,
        unit="alignment",
        desc="Malaysia's alignment towards the US above which China restricts Malaysia's Dy/Tb and technology",
        source="assumption",
        flag="ASSUMPTION",
    )
    retaliation_grant_rate: float = param(
        0.3,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of licences to Malaysia China still grants while it retaliates",
        source="assumption",
        flag="ASSUMPTION",
    )
    jv_offer_rate_per_year: float = param(
        0.3,
        0.0,
        2.0,
        unit="offers per year",
        desc="How often China offers Malaysia a refinery joint venture while Malaysia is not leaning to the US",
        source="E046",
        flag="ASSUMPTION",
    )
    jv_offer_share_without_ore_ban: float = param(
        0.5,
        0.0,
        1.0,
        unit="fraction",
        desc="China's joint-venture offer rate while Malaysian ore may leave raw, as a share of its rate under the ban",
        source="E046 (Chinese technology for access to Malaysian reserves)",
        flag="ASSUMPTION",
    )
    rival_offer_boost: float = param(
        4.0,
        1.0,
        20.0,
        unit="times",
        desc="How much likelier China makes its offer in the year after a US offer to or pressure on Malaysia",
        source="assumption",
        flag="ASSUMPTION",
    )
    jv_capacity_t_yr: float = param(
        4_000,
        500,
        15_000,
        unit="t NdPr/yr",
        desc="Separation capacity of a Chinese joint-venture refinery in Malaysia",
        source="E046 (no size given)",
        flag="ASSUMPTION",
    )
    jv_build_months: float = param(
        30,
        6,
        96,
        unit="months",
        desc="Build time of the joint-venture refinery",
        source="C154 (0.5-2 y brownfield); C148 (8 y average)",
        flag="UNCERTAIN",
    )
    jv_feed_t_yr: float = param(
        20_000,
        0,
        60_000,
        unit="t REO/yr",
        desc="Malaysian ionic-clay ore mined for the joint venture",
        source="C059 (resource); assumption",
        flag="ASSUMPTION",
    )
    jv_capability_gain: float = param(
        0.15,
        0.0,
        0.5,
        unit="capability",
        desc="Know-how Malaysia gains from the joint venture's technology transfer",
        source="assumption",
        flag="ASSUMPTION",
    )


class USSettings(Section):
    tariff_malaysia_initial: float = param(
        0.0,
        0.0,
        1.0,
        unit="fraction",
        desc="US tariff on Malaysian magnets and oxide in 2020",
        source="assumption",
        flag="ASSUMPTION",
    )
    tariff_china_initial: float = param(
        0.25,
        0.0,
        1.5,
        unit="fraction",
        desc="US tariff on Chinese magnets in 2020 (Section 301)",
        source="assumption",
        flag="ASSUMPTION",
    )
    pressure_threshold: float = param(
        -0.2,
        -1.0,
        0.0,
        unit="alignment",
        desc="Malaysia's alignment below which the US raises tariffs on Malaysia",
        source="assumption",
        flag="ASSUMPTION",
    )
    reward_threshold: float = param(
        0.2,
        0.0,
        1.0,
        unit="alignment",
        desc="Malaysia's alignment above which the US eases tariffs on Malaysia",
        source="assumption",
        flag="ASSUMPTION",
    )
    tariff_step: float = param(
        0.05, 0.0, 0.3, unit="fraction", desc="Size of one US tariff move", source="E032; E037; E042", flag="ASSUMPTION"
    )
    tariff_max: float = param(
        0.5,
        0.0,
        1.0,
        unit="fraction",
        desc="Highest tariff the US puts on Malaysia",
        source="assumption",
        flag="ASSUMPTION",
    )
    tariff_floor: float = param(
        0.10,
        0.0,
        0.5,
        unit="fraction",
        desc="Lowest tariff the US keeps on Malaysia once reciprocal tariffs exist (baseline rate)",
        source="E032",
        flag="2nd",
    )
    counter_leverage_step: float = param(
        0.10,
        0.0,
        1.0,
        unit="fraction",
        desc="US tariff rise on China after a Chinese escalation",
        source="E056",
        flag="ASSUMPTION",
    )
    price_floor_usd_kg: float = param(
        110.0, 0, 200, unit="USD/kg", desc="NdPr price floor the US guarantees", source="C188; E038", flag="2nd"
    )
    price_floor_years: float = param(
        10, 1, 20, unit="years", desc="Term of a US price floor", source="C189", flag="2nd"
    )
    floor_offer_rate_per_year: float = param(
        0.15,
        0.0,
        2.0,
        unit="offers per year",
        desc="How often the US offers Lynas Malaysia its price floor while Malaysia leans its way",
        source="assumption",
        flag="ASSUMPTION",
    )
    offtake_offer_rate_per_year: float = param(
        0.3,
        0.0,
        2.0,
        unit="offers per year",
        desc="How often US buyers offer JS Link an offtake-and-finance package",
        source="assumption",
        flag="ASSUMPTION",
    )
    rival_offer_boost: float = param(
        4.0,
        1.0,
        20.0,
        unit="times",
        desc="How much likelier the US makes its offers in the year after a Chinese offer to or pressure on Malaysia",
        source="assumption",
        flag="ASSUMPTION",
    )
    defence_rule_start: YearMonth = param(
        "2027-01",
        unit="YYYY-MM",
        desc="US defence buyers may no longer buy China-origin magnets",
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )


class MalaysiaSettings(Section):
    hedging: HedgingRule = HedgingRule()
    capability_initial: float = param(
        0.10,
        0.0,
        0.2,
        unit="fraction",
        desc="Local share of magnet know-how in 2020 (under 20% today)",
        source="DESIGN",
        flag="DESIGN",
    )
    learning_per_year: float = param(
        0.03,
        0.0,
        0.2,
        unit="capability per year",
        desc="Know-how gained per year of full magnet output",
        source="assumption",
        flag="ASSUMPTION",
    )
    licence_opposition_usd_m_yr: float = param(
        230.0,
        0.0,
        2000.0,
        unit="USD m per year",
        desc="Environmental and political opposition to Lynas' plant at a licence decision, in money a year",
        source="E015; E020; E060 (3-, 3- and 10-year renewals; fitted, docs/validation.md)",
        flag="ASSUMPTION",
    )
    licence_opposition_sd_usd_m_yr: float = param(
        50.0,
        0.0,
        1000.0,
        unit="USD m per year",
        desc="Spread of that opposition between decisions",
        source="assumption",
        flag="ASSUMPTION",
    )
    licence_long_renewal_ratio: float = param(
        2.0,
        1.0,
        10.0,
        unit="ratio",
        desc="The plant must be worth this many times its opposition for a long (10-year) renewal, else 3 years",
        source="E015; E020; E060 (3-, 3- and 10-year renewals)",
        flag="ASSUMPTION",
    )
    ore_ban_reversal_cost_usd_m: float = param(
        50.0,
        0.0,
        1000.0,
        unit="USD m",
        desc="Credibility a reversal of the raw-ore ban costs Malaysia with investors (a change must be worth more)",
        source="E059 (ban kept despite the US agreement)",
        flag="ASSUMPTION",
    )
    ore_ban_noise_usd_m_yr: float = param(
        20.0,
        0.0,
        1000.0,
        unit="USD m per year",
        desc="Spread of Malaysia's yearly valuation of the raw-ore ban between reviews (politics)",
        source="assumption",
        flag="ASSUMPTION",
    )
    jobs_per_kt_ore: float = param(
        17.5,
        5,
        50,
        unit="direct jobs per kt/yr",
        desc="Direct jobs per kt/yr at the raw-ore rung (the ladder multiplies this; about 1,000 at Lynas Malaysia)",
        source="assumption",
        flag="ASSUMPTION",
    )
    value_added_target_rm_bn: float = param(
        9.5,
        1,
        50,
        unit="RM bn/yr",
        desc="Rare-earth industry GDP target (scale of economic value)",
        source="C210; E022",
        flag="2nd",
    )
    jobs_target: float = param(
        7_000,
        1_000,
        50_000,
        unit="jobs",
        desc="Rare-earth industry jobs target (scale of economic value)",
        source="C211; E022",
        flag="2nd",
    )
    component_share: float = param(
        0.2,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of Malaysian magnets built into components in Malaysia",
        source="assumption",
        flag="ASSUMPTION",
    )
    incentive_cost_cut: float = param(
        0.15,
        0.0,
        0.5,
        unit="fraction",
        desc="Cut in JS Link's conversion cost at the most generous magnet-plant incentive (paid by the government)",
        source="assumption",
        flag="ASSUMPTION",
    )
    usd_per_rm: float = param(
        0.219, 0.15, 0.3, unit="USD per RM", desc="Exchange rate (RM 4.57 per USD)", source="C199", flag="UNCERTAIN"
    )
