"""Parameters of the mines and separation plants."""

from __future__ import annotations

from .base import Section, YearMonth, param


class MineSettings(Section):
    china_quota_t_yr: float = param(
        140_000,
        50_000,
        400_000,
        unit="t REO/yr",
        desc="China's 2020 mining quota (later years from events.csv, then China decides)",
        source="C065; E014",
        flag="2nd",
    )
    china_quota_balanced: bool = param(
        False,
        unit="bool",
        desc=(
            "Set China's first-year quota so that the start month's NdPr supply meets demand (for start years with no "
            "published quota)"
        ),
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )
    us_mountain_pass_t_yr: float = param(
        39_000, 10_000, 80_000, unit="t REO/yr", desc="Mountain Pass (MP Materials) mine output", source="C002"
    )
    mt_weld_t_yr: float = param(
        19_000, 0, 21_000, unit="t REO/yr", desc="Mt Weld (Lynas) mine output in 2020", source="C003", flag="VINTAGE"
    )
    mt_weld_expanded_t_yr: float = param(
        38_960,
        20_000,
        60_000,
        unit="t REO/yr",
        desc="Mt Weld after the expansion (12,000 t/yr NdPr feed at Mt Weld's grade)",
        source="C086 / C083:C084 grade",
        flag="UNCERTAIN",
    )
    mt_weld_expansion: YearMonth = param(
        "2025-07",
        unit="YYYY-MM",
        desc="Mt Weld expansion complete",
        source="C086 (2025)",
        flag="UNCERTAIN",
        sweep=False,
    )
    myanmar_t_yr: float = param(
        30_500,
        10_000,
        40_000,
        unit="t REO/yr",
        desc="Myanmar ore output, all shipped to China",
        source="C004",
        flag="VINTAGE",
    )
    row_to_china_t_yr: float = param(
        9_200,
        2_000,
        30_000,
        unit="t REO/yr",
        desc="Thailand, Vietnam and Madagascar ore, shipped to China",
        source="C005; C006; C009",
        flag="VINTAGE",
    )
    row_growth_per_year: float = param(
        0.05,
        0.0,
        0.3,
        unit="per year",
        desc=(
            "Growth of the rest-of-world mines that ship ore to China (Myanmar, Laos, Nigeria, Thailand...); no yearly "
            "data beyond 2020"
        ),
        source="assumption (calibrated against H1, H2)",
        flag="ASSUMPTION",
    )
    row_domestic_t_yr: float = param(
        6_700,
        2_000,
        20_000,
        unit="t REO/yr",
        desc="India, Russia and Brazil ore, separated outside China",
        source="C007; C008; C010",
        flag="2nd",
    )
    malaysia_pilot_t_yr: float = param(
        600,
        0,
        10_000,
        unit="t REO/yr",
        desc="Perak non-radioactive rare-earth pilot output (no USGS figure)",
        source="C011 (GAP); E018",
        flag="GAP",
    )
    malaysia_pilot_start: YearMonth = param(
        "2022-10", unit="YYYY-MM", desc="Perak pilot mining starts", source="E018", flag="2nd", sweep=False
    )
    ndpr_grade: float = param(
        0.20,
        0.12,
        0.30,
        unit="t NdPr / t REO",
        desc="NdPr share of rare-earth oxide in ore other than Mt Weld's",
        source="assumption",
        flag="ASSUMPTION",
    )
    mt_weld_ndpr_grade: float = param(
        0.308,
        0.25,
        0.35,
        unit="t NdPr / t REO",
        desc="NdPr share of Lynas' output (5,898 t NdPr in 19,154 t REO, FY2019)",
        source="C083 / C084",
        flag="2nd",
    )
    new_supply_share_per_year: float = param(
        0.04,
        0.0,
        0.08,
        unit="fraction of market per year",
        desc="Fastest new non-China mine and separation capacity can grow",
        source="C156; C165",
        flag="2nd",
    )
    new_supply_lag_years: float = param(
        5.0,
        2.0,
        8.0,
        unit="years",
        desc="Lead time from the decision to build a new non-China mine and separation plant to first output",
        source="C166 (2-8); C147; C373 (Kalgoorlie 5); C381 (Eneabba 5); C385 (White Mesa brownfield 3)",
        flag="UNCERTAIN",
    )


class SeparationSettings(Section):
    recovery: float = param(
        0.95,
        0.85,
        1.0,
        unit="fraction",
        desc="Share of rare-earth oxide in feed recovered as separated products (the rest is loss)",
        source="assumption",
        flag="ASSUMPTION",
    )
    lynas_malaysia_t_yr: float = param(
        7_200,
        0,
        9_000,
        unit="t NdPr/yr",
        desc="Lynas Malaysia NdPr nameplate in 2020 (the 'NEXT' rate; Mt Weld's feed bounds its output below it)",
        source="C484; C485 (output reported against the NEXT rate, 70-75 % of it in 2020-2021); C083 (5,898 t, FY2019)",
        flag="UNCERTAIN",
    )
    lynas_malaysia_expanded_t_yr: float = param(
        10_500,
        6_000,
        15_000,
        unit="t NdPr/yr",
        desc="Lynas Malaysia nameplate after its upgrade (the Lynas 2025 plan)",
        source="C085; C487",
        flag="2nd",
    )
    lynas_expansion_ramp_months: float = param(
        12,
        1,
        60,
        unit="months",
        desc="Months for the Lynas 2025 expansion (and Mt Weld's) to reach nameplate",
        source="assumption (calibrated against H2)",
        flag="ASSUMPTION",
    )
    lynas_expansion: YearMonth = param(
        "2024-01",
        unit="YYYY-MM",
        desc="Lynas Malaysia's upgrade to its 10,500 t/yr nameplate complete (ramps from here)",
        source="C487 (upgrade in the Dec-2023 quarter, after a shutdown from mid-Nov 2023); C085",
        flag="UNCERTAIN",
        sweep=False,
    )
    kalgoorlie_t_yr: float = param(
        9_000,
        0,
        15_000,
        unit="t NdPr-eq/yr",
        desc="Kalgoorlie cracking-and-leaching (MREC) capacity",
        source="C087; E029",
        flag="2nd",
    )
    kalgoorlie_start: YearMonth = param(
        "2024-06", unit="YYYY-MM", desc="Kalgoorlie ships first MREC", source="E029", flag="2nd", sweep=False
    )
    mp_t_yr: float = param(
        7_400,
        0,
        15_000,
        unit="t NdPr/yr",
        desc="MP Materials separation capacity (sized to its own ore)",
        source="C002 x grade (derived)",
        flag="UNCERTAIN",
    )
    mp_start: YearMonth = param(
        "2023-01",
        unit="YYYY-MM",
        desc="MP Materials separates its own NdPr",
        source="C152",
        flag="UNCERTAIN",
        sweep=False,
    )
    mp_ramp_months: float = param(
        36,
        1,
        120,
        unit="months",
        desc="Months for MP separation to reach capacity",
        source="assumption",
        flag="ASSUMPTION",
    )
    other_t_yr: float = param(
        1_273,
        0,
        10_000,
        unit="t NdPr/yr",
        desc="Other non-China separation (India, Russia, Brazil ore)",
        source="C007; C008; C010 x grade (derived)",
        flag="UNCERTAIN",
    )
    lynas_heavy_feed_t_yr: float = param(
        5_000,
        0,
        10_000,
        unit="t/yr heavy feed",
        desc="Lynas Malaysia heavy rare-earth plant feed capacity",
        source="C088; E054",
        flag="2nd",
    )
    lynas_heavy_start: YearMonth = param(
        "2026-04",
        unit="YYYY-MM",
        desc="Lynas heavy plant starts (Sm first; Dy/Tb within about 2 years)",
        source="E054",
        flag="2nd",
        sweep=False,
    )
    lynas_heavy_ramp_months: float = param(
        24,
        1,
        60,
        unit="months",
        desc="Months until the heavy plant yields its full Dy/Tb suite",
        source="E054",
        flag="2nd",
    )
    heavy_yield_of_feed: float = param(
        0.03,
        0.005,
        0.08,
        unit="t Dy+Tb / t feed",
        desc="Dy+Tb recovered per tonne of heavy feed",
        source="assumption",
        flag="ASSUMPTION",
    )
    mp_heavy_t_yr: float = param(
        200, 0, 1_000, unit="t Dy+Tb/yr", desc="MP Materials heavy rare-earth circuit", source="C093", flag="2nd"
    )
    mp_heavy_start: YearMonth = param(
        "2026-07", unit="YYYY-MM", desc="MP heavy circuit starts", source="C093 (2026)", flag="UNCERTAIN", sweep=False
    )
