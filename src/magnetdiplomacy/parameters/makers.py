"""Parameters of the magnet makers, JS Link and Lynas."""

from __future__ import annotations

from .base import Section, YearMonth, param


class MagnetSettings(Section):
    china_capacity_t_yr: float = param(
        144_000,
        100_000,
        250_000,
        unit="t NdFeB/yr",
        desc="China's 2020 finished-magnet capacity (2019 output in finished terms plus 10% headroom)",
        source="C109; C110; C144 (derived)",
        flag="UNCERTAIN",
    )
    japan_capacity_t_yr: float = param(
        15_400,
        8_000,
        25_000,
        unit="t NdFeB/yr",
        desc="Japanese magnet makers' capacity (2018 output plus 10% headroom)",
        source="C113 (derived)",
        flag="UNCERTAIN",
    )
    row_capacity_t_yr: float = param(
        3_200,
        0,
        10_000,
        unit="t NdFeB/yr",
        desc="Other non-China magnet makers (Europe, Korea, Vietnam) in 2020",
        source="C114 x (1-C112) - C113 (derived)",
        flag="UNCERTAIN",
    )
    narva_t_yr: float = param(
        2_000,
        0,
        5_000,
        unit="t NdFeB/yr",
        desc="Neo Performance Materials' Narva plant, added to other non-China makers",
        source="C107",
        flag="2nd",
    )
    narva_start: YearMonth = param(
        "2025-09", unit="YYYY-MM", desc="Narva plant starts", source="C107 (2025)", flag="UNCERTAIN", sweep=False
    )
    narva_expanded_t_yr: float = param(
        5_000, 0, 10_000, unit="t NdFeB/yr", desc="Narva expansion target", source="C108", flag="2nd"
    )
    narva_expansion: YearMonth = param(
        "2029-01",
        unit="YYYY-MM",
        desc="Narva expansion complete (no date found)",
        source="C108 (date GAP)",
        flag="GAP",
        sweep=False,
    )
    us_capacity_t_yr: float = param(
        10_000,
        0,
        20_000,
        unit="t NdFeB/yr",
        desc="MP Materials '10X' magnet capacity in the US",
        source="C106; E040",
        flag="2nd",
    )
    us_start: YearMonth = param(
        "2028-01", unit="YYYY-MM", desc="10X plant commissioning", source="E040", flag="2nd", sweep=False
    )
    us_ramp_months: float = param(
        24,
        1,
        60,
        unit="months",
        desc="Months for the US plant to reach capacity",
        source="assumption",
        flag="ASSUMPTION",
    )
    finishing_yield: float = param(
        0.725,
        0.6,
        0.9,
        unit="fraction",
        desc="Finished magnet per tonne of blank (the rest is swarf and scrap)",
        source="C144 (25-30% scrap)",
        flag="2nd",
    )
    scrap_recovery: float = param(
        0.9,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of NdPr in magnet scrap recovered back into oxide",
        source="C144",
        flag="ASSUMPTION",
    )
    ndpr_share: float = param(
        0.33, 0.28, 0.34, unit="t NdPr / t magnet", desc="NdPr content of an NdFeB magnet", source="C138", flag="2nd"
    )
    heavy_content: float = param(
        0.04,
        0.01,
        0.10,
        unit="t Dy+Tb / t magnet",
        desc="Dy+Tb content of a high-temperature magnet",
        source="C140",
        flag="2nd",
    )
    tb_share_of_heavy: float = param(
        0.2, 0.05, 0.5, unit="t Tb / t Dy+Tb",
        desc="Tb share of the Dy+Tb in magnets and in the heavy rare earths separated with NdPr",
        source="assumption (Dy 2-4 wt%, Tb 0.5-1 wt% in high-temperature grades)", flag="ASSUMPTION",
    )  # fmt: skip
    heavy_grade_share: float = param(
        0.7,
        0.3,
        1.0,
        unit="fraction",
        desc="Share of magnets that need Dy/Tb (traction, wind, defence grades)",
        source="assumption",
        flag="ASSUMPTION",
    )
    non_magnet_ndpr_share: float = param(
        0.09,
        0.0,
        0.3,
        unit="fraction",
        desc="NdPr used outside magnets (magnets are 91% of rare-earth demand by value)",
        source="C128 (derived)",
        flag="2nd",
    )
    capacity_lead_months: float = param(
        24,
        6,
        60,
        unit="months",
        desc="Lead time for new magnet capacity in China and Japan",
        source="C153 (3 years, planned); C392 (Narva, 2 years); C398 (Sumter, 1.7 years)",
        flag="UNCERTAIN",
    )
    capital_charge_usd_kg: float = param(
        6.0, 2.0, 15.0, unit="USD/kg magnet",
        desc="Capital charge of new magnet capacity: makers add capacity only when their mark-up covers it",
        source="C391 (Narva, 37,500-50,000 EUR per t/yr); C402 (Vulcan, 92,000-100,000 USD per t/yr); x 0.13 a year",
        flag="UNCERTAIN",
    )  # fmt: skip
    utilisation_target: float = param(
        0.85,
        0.5,
        1.0,
        unit="fraction",
        desc="Capacity utilisation magnet makers plan for (and above which their mark-ups rise)",
        source="assumption",
        flag="ASSUMPTION",
    )


class JSLinkSettings(Section):
    capacity_t_yr: float = param(
        3_000,
        500,
        10_000,
        unit="t NdFeB/yr",
        desc="JS Link Kuantan sintered-magnet plant",
        source="C105; E041; E057",
        flag="2nd",
    )
    start: YearMonth = param(
        "2027-01",
        unit="YYYY-MM",
        desc="JS Link plant starts production (no date found)",
        source="C104 (GAP)",
        flag="GAP",
        sweep=False,
    )
    ramp_months: float = param(
        24,
        3,
        60,
        unit="months",
        desc="Months from start to nameplate at Malaysia's 2020 know-how",
        source="assumption",
        flag="ASSUMPTION",
    )
    capex_usd_m: float = param(
        142,
        50,
        500,
        unit="USD m",
        desc=(
            "Plant investment (RM600 million); an expansion costs the same per tonne and is paid from partner finance "
            "or JS Link's own cash"
        ),
        source="C103; C102",
        flag="2nd",
    )
    expansion_t_yr: float = param(
        3_000,
        0,
        10_000,
        unit="t NdFeB/yr",
        desc="Capacity JS Link adds when its plant runs full and a partner finances it",
        source="assumption",
        flag="ASSUMPTION",
    )
    technology_cost_cut: float = param(
        0.1,
        0.0,
        0.5,
        unit="fraction",
        desc=(
            "Cut in JS Link's magnet conversion cost once it licenses sintering know-how from a Japanese magnet "
            "maker (a choice of the JS Link seat only)"
        ),
        source="assumption (no licence terms found)",
        flag="ASSUMPTION",
        sweep=False,  # acts only when a seat chooses it
    )
    technology_royalty_share: float = param(
        0.03,
        0.0,
        0.2,
        unit="fraction of sales",
        desc="Royalty JS Link pays on its magnet sales for licensed know-how (a choice of the JS Link seat only)",
        source="assumption (technology royalties of a few per cent of sales; no licence terms found)",
        flag="ASSUMPTION",
        sweep=False,  # acts only when a seat chooses it
    )


class LynasSettings(Section):
    cash_initial_usd_m: float = param(
        400, 0, 3_000, unit="USD m", desc="Lynas cash at the start", source="assumption", flag="ASSUMPTION"
    )
    equity_raise_usd_m: float = param(
        490, 0, 2_000, unit="USD m", desc="Sep 2025 equity raise (A$750 m)", source="C091; E054", flag="2nd"
    )
    equity_raise: YearMonth = param(
        "2025-09",
        unit="YYYY-MM",
        desc="Month the equity raise reaches Lynas' cash",
        source="C091; E054",
        flag="2nd",
        sweep=False,
    )
    expansion_t_yr: float = param(
        2_000,
        0,
        10_000,
        unit="t NdPr/yr",
        desc="NdPr capacity one Kuantan expansion adds (with Mt Weld and Kalgoorlie)",
        source="assumption",
        flag="ASSUMPTION",
    )
    expansion_capex_usd_m: float = param(
        150,
        0,
        1_000,
        unit="USD m",
        desc="Cost of one Kuantan expansion, paid from Lynas' cash",
        source="assumption",
        flag="ASSUMPTION",
    )
    abroad_expansion_capex_usd_m: float = param(
        250,
        0,
        1_500,
        unit="USD m",
        desc=(
            "Cost of one expansion of the same size built outside Malaysia (separation beside Kalgoorlie, with Mt Weld "
            "and cracking), paid from Lynas' cash: a new build, dearer than adding to Kuantan (a choice of the Lynas "
            "seat only)"
        ),
        source="assumption; C092 (US$258 m US defence award for Lynas' Texas plant, for scale)",
        flag="ASSUMPTION",
        sweep=False,  # acts only when a seat chooses it
    )
    relocation_years: float = param(
        5.0,
        2.0,
        8.0,
        unit="years",
        desc="Time to rebuild separation outside Malaysia if the licence is lost",
        source="C151",
        flag="UNCERTAIN",
    )
    jslink_supply_share: float = param(
        0.8,
        0.0,
        1.0,
        unit="fraction",
        desc="Share of JS Link's NdPr and Dy/Tb need Lynas covers once the offtake tie exists",
        source="E041",
        flag="ASSUMPTION",
    )
