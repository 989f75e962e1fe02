"""Every model parameter, declared once: default, allowed range, unit, description and data source.

The classes below *are* the scenario schema (pydantic validates YAML files against them). The
metadata attached by :func:`param` is read back by :func:`iter_parameters`, which the CLI
(``describe``), the browser app (slider ranges and help text) and the sweep definitions use, so
no default, range or description is written twice.

``source`` names the row of ``data/calibration.csv`` (``C…``) or ``data/events.csv`` (``E…``)
a number comes from, ``DESIGN`` for the design brief's value ladder and segment shares, or
``assumption``. ``flag`` carries the calibration file's caution flags (OK, 2nd, VINTAGE,
UNCERTAIN, GAP, ASSUMPTION) into every output that lists parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Iterator, Literal, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .timeline import parse_month

FLAGS = ("OK", "2nd", "VINTAGE", "UNCERTAIN", "GAP", "ASSUMPTION", "DESIGN")


def _check_month(value: str) -> str:
    year, month = parse_month(value)
    if not 1990 <= year <= 2100:
        raise ValueError(f"year {year} is outside 1990-2100")
    return f"{year:04d}-{month:02d}"


YearMonth = Annotated[str, AfterValidator(_check_month)]


def param(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str,
    desc: str,
    source: str,
    flag: str = "OK",
    sweep: bool = True,
) -> Any:
    """Declare one parameter (a pydantic ``Field`` carrying unit, source and flag)."""
    assert flag in FLAGS, flag
    extra = {"unit": unit, "source": source, "flag": flag, "sweep": sweep}
    return Field(default, ge=lo, le=hi, description=desc, json_schema_extra=extra)


class Section(BaseModel):
    """A group of parameters; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------------------------
# time and replay


class RunSettings(Section):
    start: YearMonth = param("2020-01", unit="YYYY-MM", desc="First simulated month (tick 0)", source="DESIGN", flag="DESIGN", sweep=False)
    end: YearMonth = param("2035-12", unit="YYYY-MM", desc="Last simulated month", source="DESIGN", flag="DESIGN", sweep=False)
    seed: int = param(20200101, 0, 2**31 - 1, unit="integer", desc="Seed of the model's random number generator", source="assumption", flag="ASSUMPTION", sweep=False)


class ReplaySettings(Section):
    enabled: bool = param(True, unit="bool", desc="Replay the dated policy events of events.csv (2020 onward) instead of letting agents decide those domains", source="E001-E060", sweep=False)
    until: YearMonth = param("2026-03", unit="YYYY-MM", desc="Last month replayed from events.csv; afterwards the agents decide for themselves", source="E060 (last dated event)", sweep=False)
    exclude: list[str] = param([], unit="event ids", desc="Event ids (E0xx) left out of the replay", source="assumption", flag="ASSUMPTION", sweep=False)


# --------------------------------------------------------------------------------------------
# demand and buyers


class Segment(Section):
    share: float = param(0.2, 0, 1, unit="fraction", desc="Share of 2020 magnet demand", source="DESIGN", flag="DESIGN")
    growth_premium: float = param(0.0, -0.15, 0.15, unit="per year", desc="Growth above (or below) the world growth rate", source="assumption", flag="ASSUMPTION")
    security_weight: float = param(0.3, 0, 2, unit="fraction of price", desc="How much supply risk adds to landed cost for this segment", source="assumption", flag="ASSUMPTION")


class Segments(Section):
    automotive: Segment = Segment(share=0.42, growth_premium=0.04, security_weight=0.5)
    industrial: Segment = Segment(share=0.28, growth_premium=-0.02, security_weight=0.3)
    consumer_electronics: Segment = Segment(share=0.18, growth_premium=-0.06, security_weight=0.1)
    renewable_energy: Segment = Segment(share=0.08, growth_premium=0.04, security_weight=0.4)
    defence: Segment = Segment(share=0.04, growth_premium=0.0, security_weight=1.5)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> "Segments":
        total = sum(getattr(self, name).share for name in SEGMENTS)
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"segment shares must sum to 1 (they sum to {total:.3f})")
        return self


SEGMENTS = ("automotive", "industrial", "consumer_electronics", "renewable_energy", "defence")
REGIONS = ("china", "united_states", "europe", "japan_korea", "southeast_asia", "rest_of_world")


class Regions(Section):
    china: float = param(0.50, 0, 1, unit="fraction", desc="China's share of 2020 magnet demand (China exported about 40% of its magnet output)", source="assumption", flag="ASSUMPTION")
    united_states: float = param(0.10, 0, 1, unit="fraction", desc="United States' share of 2020 magnet demand", source="assumption", flag="ASSUMPTION")
    europe: float = param(0.13, 0, 1, unit="fraction", desc="Europe's share of 2020 magnet demand", source="assumption", flag="ASSUMPTION")
    japan_korea: float = param(0.15, 0, 1, unit="fraction", desc="Japan and Korea's share of 2020 magnet demand", source="assumption", flag="ASSUMPTION")
    southeast_asia: float = param(0.05, 0, 1, unit="fraction", desc="Southeast Asia's (incl. Malaysia) share of 2020 magnet demand", source="assumption", flag="ASSUMPTION")
    rest_of_world: float = param(0.07, 0, 1, unit="fraction", desc="Rest of world's share of 2020 magnet demand", source="assumption", flag="ASSUMPTION")

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> "Regions":
        total = sum(getattr(self, name) for name in REGIONS)
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"region shares must sum to 1 (they sum to {total:.3f})")
        return self


class DemandSettings(Section):
    initial_t_yr: float = param(130_000, 50_000, 300_000, unit="t NdFeB/yr", desc="World NdFeB magnet consumption in 2020", source="C114", flag="2nd")
    growth_per_year: float = param(0.086, 0.0, 0.15, unit="per year", desc="World magnet demand growth (before price response)", source="C116 (prior C117-C119)", flag="2nd")
    noise_sd: float = param(0.02, 0.0, 0.1, unit="fraction per month", desc="Month-to-month random variation of each buyer's demand", source="assumption", flag="ASSUMPTION")
    price_elasticity: float = param(-0.12, -0.2, -0.05, unit="dimensionless", desc="Short-run price elasticity of magnet demand", source="C162", flag="ASSUMPTION")
    shock_start: YearMonth = param("2020-03", unit="YYYY-MM", desc="Start of the 2020 pandemic demand shock", source="assumption", flag="ASSUMPTION", sweep=False)
    shock_depth: float = param(0.15, 0.0, 0.5, unit="fraction", desc="Fall of magnet demand at the trough of the 2020 shock (three months)", source="assumption (calibrated against H6)", flag="ASSUMPTION")
    shock_recovery_months: float = param(9.0, 1.0, 24.0, unit="months", desc="Months for demand to recover from the trough", source="assumption (calibrated against H6)", flag="ASSUMPTION")
    substitution_cap_per_year: float = param(0.10, 0.0, 0.10, unit="fraction of demand per year", desc="Fastest a buyer can substitute away from NdFeB magnets", source="C142; C163", flag="2nd")
    substitution_trigger: float = param(1.5, 1.0, 4.0, unit="price ratio", desc="Landed magnet cost relative to 2020 above which buyers start substituting", source="assumption", flag="ASSUMPTION")
    segments: Segments = Segments()
    regions: Regions = Regions()


class BuyerSettings(Section):
    count: int = param(300, 1, 100_000, unit="agents", desc="Number of magnet-buyer agents (firms); demand is split among them", source="DESIGN", flag="DESIGN", sweep=False)
    review_probability: float = param(0.25, 0.01, 1.0, unit="per month", desc="Chance that a buyer reviews its suppliers in a month", source="assumption", flag="ASSUMPTION")
    qualification_months: float = param(18, 1, 60, unit="months", desc="Months needed to qualify a new supplier fully (caps how fast a supplier's share can grow)", source="assumption", flag="ASSUMPTION")
    cost_sensitivity: float = param(8.0, 0.5, 50.0, unit="dimensionless", desc="How sharply buyers favour the cheapest landed cost (logit weight on relative cost)", source="assumption", flag="ASSUMPTION")
    home_bias: float = param(0.05, 0.0, 0.5, unit="fraction of price", desc="Cost advantage buyers see in suppliers from their own region", source="assumption", flag="ASSUMPTION")


# --------------------------------------------------------------------------------------------
# the material chain


class MineSettings(Section):
    china_quota_t_yr: float = param(140_000, 50_000, 400_000, unit="t REO/yr", desc="China's 2020 mining quota (later years from events.csv, then China decides)", source="C065; E014", flag="2nd")
    china_quota_balanced: bool = param(False, unit="bool", desc="Set China's first-year quota so that the start month's NdPr supply meets demand (for start years with no published quota)", source="assumption", flag="ASSUMPTION", sweep=False)
    us_mountain_pass_t_yr: float = param(39_000, 10_000, 80_000, unit="t REO/yr", desc="Mountain Pass (MP Materials) mine output", source="C002")
    mt_weld_t_yr: float = param(19_000, 0, 21_000, unit="t REO/yr", desc="Mt Weld (Lynas) mine output in 2020", source="C003", flag="VINTAGE")
    mt_weld_expanded_t_yr: float = param(38_960, 20_000, 60_000, unit="t REO/yr", desc="Mt Weld after the expansion (12,000 t/yr NdPr feed at Mt Weld's grade)", source="C086 / C083:C084 grade", flag="UNCERTAIN")
    mt_weld_expansion: YearMonth = param("2025-07", unit="YYYY-MM", desc="Mt Weld expansion complete", source="C086 (2025)", flag="UNCERTAIN", sweep=False)
    myanmar_t_yr: float = param(30_500, 10_000, 40_000, unit="t REO/yr", desc="Myanmar ore output, all shipped to China", source="C004", flag="VINTAGE")
    row_to_china_t_yr: float = param(9_200, 2_000, 30_000, unit="t REO/yr", desc="Thailand, Vietnam and Madagascar ore, shipped to China", source="C005; C006; C009", flag="VINTAGE")
    row_growth_per_year: float = param(0.05, 0.0, 0.3, unit="per year", desc="Growth of the rest-of-world mines that ship ore to China (Myanmar, Laos, Nigeria, Thailand...); no yearly data beyond 2020", source="assumption (calibrated against H1, H2)", flag="ASSUMPTION")
    row_domestic_t_yr: float = param(6_700, 2_000, 20_000, unit="t REO/yr", desc="India, Russia and Brazil ore, separated outside China", source="C007; C008; C010", flag="2nd")
    malaysia_pilot_t_yr: float = param(600, 0, 10_000, unit="t REO/yr", desc="Perak non-radioactive rare-earth pilot output (no USGS figure)", source="C011 (GAP); E018", flag="GAP")
    malaysia_pilot_start: YearMonth = param("2022-10", unit="YYYY-MM", desc="Perak pilot mining starts", source="E018", flag="2nd", sweep=False)
    ndpr_grade: float = param(0.20, 0.12, 0.30, unit="t NdPr / t REO", desc="NdPr share of rare-earth oxide in ore other than Mt Weld's", source="assumption", flag="ASSUMPTION")
    mt_weld_ndpr_grade: float = param(0.308, 0.25, 0.35, unit="t NdPr / t REO", desc="NdPr share of Lynas' output (5,898 t NdPr in 19,154 t REO, FY2019)", source="C083 / C084", flag="2nd")
    new_supply_share_per_year: float = param(0.04, 0.0, 0.08, unit="fraction of market per year", desc="Fastest new non-China mine and separation capacity can grow", source="C156; C165", flag="2nd")
    new_supply_lag_years: float = param(5.0, 2.0, 8.0, unit="years", desc="Lead time from a high ex-China price to new non-China supply", source="C166 (2-8); C147", flag="ASSUMPTION")
    new_supply_price_trigger: float = param(1.4, 1.0, 3.0, unit="price ratio", desc="Ex-China NdPr price relative to 2020 that triggers new non-China projects", source="assumption", flag="ASSUMPTION")


class SeparationSettings(Section):
    recovery: float = param(0.95, 0.85, 1.0, unit="fraction", desc="Share of rare-earth oxide in feed recovered as separated products (the rest is loss)", source="assumption", flag="ASSUMPTION")
    lynas_malaysia_t_yr: float = param(5_898, 0, 8_000, unit="t NdPr/yr", desc="Lynas Malaysia NdPr capacity in 2020 (FY2019 output)", source="C083", flag="2nd")
    lynas_malaysia_expanded_t_yr: float = param(10_500, 6_000, 15_000, unit="t NdPr/yr", desc="Lynas Malaysia nameplate after the Lynas 2025 plan", source="C085", flag="2nd")
    lynas_expansion_ramp_months: float = param(12, 1, 60, unit="months", desc="Months for the Lynas 2025 expansion (and Mt Weld's) to reach nameplate", source="assumption (calibrated against H2)", flag="ASSUMPTION")
    lynas_expansion: YearMonth = param("2025-07", unit="YYYY-MM", desc="Lynas 2025 capacity online", source="C085 (2025)", flag="UNCERTAIN", sweep=False)
    kalgoorlie_t_yr: float = param(9_000, 0, 15_000, unit="t NdPr-eq/yr", desc="Kalgoorlie cracking-and-leaching (MREC) capacity", source="C087; E029", flag="2nd")
    kalgoorlie_start: YearMonth = param("2024-06", unit="YYYY-MM", desc="Kalgoorlie ships first MREC", source="E029", flag="2nd", sweep=False)
    mp_t_yr: float = param(7_400, 0, 15_000, unit="t NdPr/yr", desc="MP Materials separation capacity (sized to its own ore)", source="C002 x grade (derived)", flag="UNCERTAIN")
    mp_start: YearMonth = param("2023-01", unit="YYYY-MM", desc="MP Materials separates its own NdPr", source="C152", flag="UNCERTAIN", sweep=False)
    mp_ramp_months: float = param(36, 1, 120, unit="months", desc="Months for MP separation to reach capacity", source="assumption", flag="ASSUMPTION")
    other_t_yr: float = param(1_273, 0, 10_000, unit="t NdPr/yr", desc="Other non-China separation (India, Russia, Brazil ore)", source="C007; C008; C010 x grade (derived)", flag="UNCERTAIN")
    lynas_heavy_feed_t_yr: float = param(5_000, 0, 10_000, unit="t/yr heavy feed", desc="Lynas Malaysia heavy rare-earth plant feed capacity", source="C088; E054", flag="2nd")
    lynas_heavy_start: YearMonth = param("2026-04", unit="YYYY-MM", desc="Lynas heavy plant starts (Sm first; Dy/Tb within about 2 years)", source="E054", flag="2nd", sweep=False)
    lynas_heavy_ramp_months: float = param(24, 1, 60, unit="months", desc="Months until the heavy plant yields its full Dy/Tb suite", source="E054", flag="2nd")
    heavy_yield_of_feed: float = param(0.03, 0.005, 0.08, unit="t Dy+Tb / t feed", desc="Dy+Tb recovered per tonne of heavy feed", source="assumption", flag="ASSUMPTION")
    mp_heavy_t_yr: float = param(200, 0, 1_000, unit="t Dy+Tb/yr", desc="MP Materials heavy rare-earth circuit", source="C093", flag="2nd")
    mp_heavy_start: YearMonth = param("2026-07", unit="YYYY-MM", desc="MP heavy circuit starts", source="C093 (2026)", flag="UNCERTAIN", sweep=False)


class MagnetSettings(Section):
    china_capacity_t_yr: float = param(144_000, 100_000, 250_000, unit="t NdFeB/yr", desc="China's 2020 finished-magnet capacity (2019 output in finished terms plus 10% headroom)", source="C109; C110; C144 (derived)", flag="UNCERTAIN")
    japan_capacity_t_yr: float = param(15_400, 8_000, 25_000, unit="t NdFeB/yr", desc="Japanese magnet makers' capacity (2018 output plus 10% headroom)", source="C113 (derived)", flag="UNCERTAIN")
    row_capacity_t_yr: float = param(3_200, 0, 10_000, unit="t NdFeB/yr", desc="Other non-China magnet makers (Europe, Korea, Vietnam) in 2020", source="C114 x (1-C112) - C113 (derived)", flag="UNCERTAIN")
    narva_t_yr: float = param(2_000, 0, 5_000, unit="t NdFeB/yr", desc="Neo Performance Materials' Narva plant, added to other non-China makers", source="C107", flag="2nd")
    narva_start: YearMonth = param("2025-09", unit="YYYY-MM", desc="Narva plant starts", source="C107 (2025)", flag="UNCERTAIN", sweep=False)
    narva_expanded_t_yr: float = param(5_000, 0, 10_000, unit="t NdFeB/yr", desc="Narva expansion target", source="C108", flag="2nd")
    narva_expansion: YearMonth = param("2029-01", unit="YYYY-MM", desc="Narva expansion complete (no date found)", source="C108 (date GAP)", flag="GAP", sweep=False)
    us_capacity_t_yr: float = param(10_000, 0, 20_000, unit="t NdFeB/yr", desc="MP Materials '10X' magnet capacity in the US", source="C106; E040", flag="2nd")
    us_start: YearMonth = param("2028-01", unit="YYYY-MM", desc="10X plant commissioning", source="E040", flag="2nd", sweep=False)
    us_ramp_months: float = param(24, 1, 60, unit="months", desc="Months for the US plant to reach capacity", source="assumption", flag="ASSUMPTION")
    finishing_yield: float = param(0.725, 0.6, 0.9, unit="fraction", desc="Finished magnet per tonne of blank (the rest is swarf and scrap)", source="C144 (25-30% scrap)", flag="2nd")
    scrap_recovery: float = param(0.9, 0.0, 1.0, unit="fraction", desc="Share of NdPr in magnet scrap recovered back into oxide", source="C144", flag="ASSUMPTION")
    ndpr_share: float = param(0.33, 0.28, 0.34, unit="t NdPr / t magnet", desc="NdPr content of an NdFeB magnet", source="C138", flag="2nd")
    heavy_content: float = param(0.04, 0.01, 0.10, unit="t Dy+Tb / t magnet", desc="Dy+Tb content of a high-temperature magnet", source="C140", flag="2nd")
    heavy_grade_share: float = param(0.7, 0.3, 1.0, unit="fraction", desc="Share of magnets that need Dy/Tb (traction, wind, defence grades)", source="assumption", flag="ASSUMPTION")
    non_magnet_ndpr_share: float = param(0.09, 0.0, 0.3, unit="fraction", desc="NdPr used outside magnets (magnets are 91% of rare-earth demand by value)", source="C128 (derived)", flag="2nd")
    capacity_lead_months: float = param(24, 6, 60, unit="months", desc="Lead time for new magnet capacity in China and Japan", source="C153 (3 years, planned)", flag="UNCERTAIN")
    utilisation_target: float = param(0.85, 0.5, 1.0, unit="fraction", desc="Capacity utilisation magnet makers plan for (and above which their mark-ups rise)", source="assumption", flag="ASSUMPTION")


class JSLinkSettings(Section):
    capacity_t_yr: float = param(3_000, 500, 10_000, unit="t NdFeB/yr", desc="JS Link Kuantan sintered-magnet plant", source="C105; E041; E057", flag="2nd")
    start: YearMonth = param("2027-01", unit="YYYY-MM", desc="JS Link plant starts production (no date found)", source="C104 (GAP)", flag="GAP", sweep=False)
    ramp_months: float = param(24, 3, 60, unit="months", desc="Months from start to nameplate at Malaysia's 2020 know-how", source="assumption", flag="ASSUMPTION")
    capex_usd_m: float = param(142, 50, 500, unit="USD m", desc="Plant investment (RM600 million); an expansion costs the same per tonne and is paid from partner finance or JS Link's own cash", source="C103; C102", flag="2nd")
    expansion_t_yr: float = param(3_000, 0, 10_000, unit="t NdFeB/yr", desc="Capacity JS Link adds when its plant runs full and a partner finances it", source="assumption", flag="ASSUMPTION")


class LynasSettings(Section):
    cash_initial_usd_m: float = param(400, 0, 3_000, unit="USD m", desc="Lynas cash at the start", source="assumption", flag="ASSUMPTION")
    equity_raise_usd_m: float = param(490, 0, 2_000, unit="USD m", desc="Sep 2025 equity raise (A$750 m)", source="C091; E054", flag="2nd")
    relocation_years: float = param(5.0, 2.0, 8.0, unit="years", desc="Time to rebuild separation outside Malaysia if the licence is lost", source="C151", flag="UNCERTAIN")
    jslink_supply_share: float = param(0.8, 0.0, 1.0, unit="fraction", desc="Share of JS Link's NdPr and Dy/Tb need Lynas covers once the offtake tie exists", source="E041", flag="ASSUMPTION")


# --------------------------------------------------------------------------------------------
# markets


class MarketSettings(Section):
    ndpr_price_usd_kg: float = param(49.0, 30, 120, unit="USD/kg", desc="NdPr oxide price in 2020 (Nd oxide annual average)", source="C170", flag="VINTAGE")
    dy_price_usd_kg: float = param(261.0, 150, 600, unit="USD/kg", desc="Dy oxide price in 2020", source="C174", flag="VINTAGE")
    magnet_conversion_cost_usd_kg: float = param(45.0, 20, 80, unit="USD/kg magnet", desc="Cost of turning oxide into a finished magnet (no benchmark found)", source="C192 (GAP)", flag="GAP")
    magnet_margin: float = param(0.10, 0.0, 0.5, unit="fraction", desc="Normal mark-up of magnet price over cost", source="assumption", flag="ASSUMPTION")
    oxide_price_speed: float = param(0.25, 0.02, 1.0, unit="per month", desc="How fast oxide prices move with excess demand", source="assumption", flag="ASSUMPTION")
    magnet_price_speed: float = param(0.15, 0.02, 1.0, unit="per month", desc="How fast magnet mark-ups move with excess demand", source="assumption", flag="ASSUMPTION")
    heavy_scarcity_premium: float = param(1.0, 0.0, 4.0, unit="price ratio", desc="Ex-China Dy/Tb price rise when Chinese supply is fully withheld (x(1+premium))", source="C160 (heavy RE x2 vs free trade)", flag="2nd")
    origin_premium: float = param(0.21, 0.0, 1.0, unit="fraction of price", desc="Premium ex-China buyers pay for oxide outside China's licensing, at full restriction of Chinese magnet-material exports", source="C159 (export restrictions: light RE +21% vs free trade)", flag="2nd")
    heavy_stock_months: float = param(6.0, 0.0, 24.0, unit="months", desc="Dy/Tb stock ex-China magnet makers hold against supply interruptions", source="assumption", flag="ASSUMPTION")
    convergence_speed: float = param(0.3, 0.05, 1.0, unit="per month", desc="Share of the gap to the common price each pool closes per month once trade between them is free again", source="assumption", flag="ASSUMPTION")
    trade_friction: float = param(0.03, 0.0, 0.2, unit="fraction of price", desc="Freight and handling between the China and ex-China pools", source="assumption", flag="ASSUMPTION")
    producer_response: float = param(0.15, 0.0, 1.0, unit="per month", desc="How fast market producers change utilisation with their margin", source="C164 (short-run elasticity about 0)", flag="ASSUMPTION")
    stock_cover_months: float = param(1.0, 0.0, 6.0, unit="months", desc="Oxide and magnet stock sellers aim to hold", source="assumption", flag="ASSUMPTION")
    coproduct_price_usd_kg: float = param(1.5, 1.0, 2.0, unit="USD/kg", desc="Price of co-product oxides (La, Ce)", source="C179; C180", flag="VINTAGE")
    china_cost_factor: float = param(0.9, 0.6, 1.2, unit="x benchmark", desc="Chinese magnet makers' conversion cost relative to the benchmark", source="assumption", flag="ASSUMPTION")
    japan_cost_factor: float = param(1.15, 0.8, 1.6, unit="x benchmark", desc="Japanese magnet makers' conversion cost", source="assumption", flag="ASSUMPTION")
    row_cost_factor: float = param(1.1, 0.8, 1.6, unit="x benchmark", desc="Other non-China magnet makers' conversion cost", source="assumption", flag="ASSUMPTION")
    us_cost_factor: float = param(1.3, 0.8, 2.0, unit="x benchmark", desc="US magnet plant's conversion cost", source="assumption", flag="ASSUMPTION")
    malaysia_cost_factor: float = param(1.05, 0.8, 1.6, unit="x benchmark", desc="JS Link's conversion cost at full local know-how", source="assumption", flag="ASSUMPTION")
    know_how_cost_penalty: float = param(0.2, 0.0, 1.0, unit="fraction", desc="Extra conversion cost in Malaysia with no local know-how (shrinks as know-how grows)", source="assumption", flag="ASSUMPTION")
    separation_cost_usd_kg: float = param(32.0, 15, 60, unit="USD/kg NdPr", desc="Cash cost of non-China separation (Lynas, MP, others)", source="assumption", flag="ASSUMPTION")
    china_separation_cost_usd_kg: float = param(25.0, 10, 60, unit="USD/kg NdPr", desc="Cash cost of Chinese separation (quotas cap output; below cost separators slow down)", source="assumption", flag="ASSUMPTION")


# --------------------------------------------------------------------------------------------
# states


class ChinaSettings(Section):
    quota_price_response: float = param(0.05, 0.0, 1.0, unit="per unit price ratio", desc="Quota growth beyond world demand growth per unit by which China's average NdPr price over the past year exceeds its 2020 level", source="C065-C073; C170", flag="ASSUMPTION")
    ore_stockpile_months: float = param(6.0, 0.0, 24.0, unit="months", desc="Unprocessed ore China's separators hold at most; beyond it Chinese mines slow below quota", source="assumption", flag="ASSUMPTION")
    separation_to_mining_quota: float = param(0.94, 0.8, 1.1, unit="ratio", desc="Separation quota relative to mining quota", source="C074 / C073", flag="2nd")
    licence_grant_rate: float = param(0.5, 0.0, 1.0, unit="fraction", desc="Share of export licences granted when licensing is tightened (Announcement 18 regime)", source="E033", flag="ASSUMPTION")
    licence_delay_months: float = param(2.0, 0.0, 6.0, unit="months", desc="Months before licences start being granted under a new regime (45 working days)", source="E033", flag="ASSUMPTION")
    truce_grant_rate: float = param(0.8, 0.0, 1.0, unit="fraction", desc="Grant rate after a US-China truce", source="E036; E053", flag="ASSUMPTION")
    us_general_licence_rate: float = param(0.95, 0.0, 1.0, unit="fraction", desc="Grant rate for US end users under general licences", source="E055", flag="ASSUMPTION")
    escalation_propensity: float = param(0.04, 0.0, 0.3, unit="per month", desc="Chance per month of escalating controls when relations with the US are at their worst", source="assumption", flag="ASSUMPTION")
    relations_recovery: float = param(0.03, 0.0, 0.3, unit="per month", desc="How fast US-China relations drift back to their normal level", source="assumption", flag="ASSUMPTION")
    retaliation_threshold: float = param(0.5, 0.0, 1.0, unit="alignment", desc="Malaysia's alignment towards the US above which China restricts Malaysia's Dy/Tb and technology", source="assumption", flag="ASSUMPTION")
    jv_offer_rate_per_year: float = param(0.3, 0.0, 2.0, unit="offers per year", desc="How often China offers Malaysia a refinery joint venture while Malaysia is not leaning to the US", source="E046", flag="ASSUMPTION")
    jv_capacity_t_yr: float = param(4_000, 500, 15_000, unit="t NdPr/yr", desc="Separation capacity of a Chinese joint-venture refinery in Malaysia", source="E046 (no size given)", flag="ASSUMPTION")
    jv_build_months: float = param(30, 6, 96, unit="months", desc="Build time of the joint-venture refinery", source="C154 (0.5-2 y brownfield); C148 (8 y average)", flag="UNCERTAIN")
    jv_feed_t_yr: float = param(20_000, 0, 60_000, unit="t REO/yr", desc="Malaysian ionic-clay ore mined for the joint venture", source="C059 (resource); assumption", flag="ASSUMPTION")
    jv_capability_gain: float = param(0.15, 0.0, 0.5, unit="capability", desc="Know-how Malaysia gains from the joint venture's technology transfer", source="assumption", flag="ASSUMPTION")


class USSettings(Section):
    tariff_malaysia_initial: float = param(0.0, 0.0, 1.0, unit="fraction", desc="US tariff on Malaysian magnets and oxide in 2020", source="assumption", flag="ASSUMPTION")
    tariff_china_initial: float = param(0.25, 0.0, 1.5, unit="fraction", desc="US tariff on Chinese magnets in 2020 (Section 301)", source="assumption", flag="ASSUMPTION")
    pressure_threshold: float = param(-0.2, -1.0, 0.0, unit="alignment", desc="Malaysia's alignment below which the US raises tariffs on Malaysia", source="assumption", flag="ASSUMPTION")
    reward_threshold: float = param(0.2, 0.0, 1.0, unit="alignment", desc="Malaysia's alignment above which the US eases tariffs on Malaysia", source="assumption", flag="ASSUMPTION")
    tariff_step: float = param(0.05, 0.0, 0.3, unit="fraction", desc="Size of one US tariff move", source="E032; E037; E042", flag="ASSUMPTION")
    tariff_max: float = param(0.5, 0.0, 1.0, unit="fraction", desc="Highest tariff the US puts on Malaysia", source="assumption", flag="ASSUMPTION")
    tariff_floor: float = param(0.10, 0.0, 0.5, unit="fraction", desc="Lowest tariff the US keeps on Malaysia once reciprocal tariffs exist (baseline rate)", source="E032", flag="2nd")
    counter_leverage_step: float = param(0.10, 0.0, 1.0, unit="fraction", desc="US tariff rise on China after a Chinese escalation", source="E056", flag="ASSUMPTION")
    price_floor_usd_kg: float = param(110.0, 0, 200, unit="USD/kg", desc="NdPr price floor the US guarantees", source="C188; E038", flag="2nd")
    price_floor_years: float = param(10, 1, 20, unit="years", desc="Term of a US price floor", source="C189", flag="2nd")
    floor_offer_rate_per_year: float = param(0.15, 0.0, 2.0, unit="offers per year", desc="How often the US offers Lynas Malaysia its price floor while Malaysia leans its way", source="assumption", flag="ASSUMPTION")
    offtake_offer_rate_per_year: float = param(0.3, 0.0, 2.0, unit="offers per year", desc="How often US buyers offer JS Link an offtake-and-finance package", source="assumption", flag="ASSUMPTION")
    defence_rule_start: YearMonth = param("2027-01", unit="YYYY-MM", desc="US defence buyers may no longer buy China-origin magnets", source="assumption", flag="ASSUMPTION", sweep=False)


class HedgingRule(Section):
    neutrality_cost: float = param(1.0, 0.05, 5.0, unit="utility", desc="Malaysia's dislike of taking sides (cost of alignment squared)", source="assumption", flag="ASSUMPTION")
    exposure_weight: float = param(1.0, 0.0, 5.0, unit="utility", desc="Weight of the other side's pressure when leaning one way", source="assumption", flag="ASSUMPTION")
    us_trade_share: float = param(0.132, 0.05, 0.3, unit="fraction", desc="US share of Malaysia's exports (economic pull of the US)", source="C204", flag="2nd")
    china_trade_share: float = param(0.168, 0.05, 0.3, unit="fraction", desc="China's share of Malaysia's trade (economic pull of China)", source="C196", flag="2nd")
    ties_weight: float = param(1.0, 0.0, 3.0, unit="alignment", desc="Weight of partnerships in revealed alignment", source="assumption", flag="ASSUMPTION")
    trade_weight: float = param(0.6, 0.0, 3.0, unit="alignment", desc="Weight of rare-earth trade in revealed alignment", source="assumption", flag="ASSUMPTION")
    concessions_weight: float = param(1.0, 0.0, 3.0, unit="alignment", desc="Weight of concessions in revealed alignment", source="assumption", flag="ASSUMPTION")
    inertia: float = param(0.08, 0.01, 1.0, unit="per month", desc="Share of the gap between revealed and perceived alignment closed each month", source="assumption", flag="ASSUMPTION")
    offer_noise: float = param(0.1, 0.0, 1.0, unit="utility", desc="Random part of Malaysia's valuation of an offer (politics)", source="assumption", flag="ASSUMPTION")
    lean_concessions_per_year: float = param(0.1, 0.0, 0.5, unit="alignment per year", desc="Concessions (statements, votes, gestures) a full lean to one side adds per year", source="assumption", flag="ASSUMPTION")
    concession_half_life_years: float = param(6.0, 0.5, 50.0, unit="years", desc="Half-life of past concessions in revealed alignment", source="assumption", flag="ASSUMPTION")
    economic_weight: float = param(0.25, 0.0, 2.0, unit="utility per target", desc="Utility of reaching the whole rare-earth industry target (RM9.5 bn, 7,000 jobs), in units of trade share", source="C210; C211", flag="ASSUMPTION")
    tariff_trade_elasticity: float = param(2.0, 0.0, 6.0, unit="dimensionless", desc="How much a US tariff shrinks Malaysia's trade with the US", source="assumption", flag="ASSUMPTION")


class MalaysiaSettings(Section):
    hedging: HedgingRule = HedgingRule()
    capability_initial: float = param(0.10, 0.0, 0.2, unit="fraction", desc="Local share of magnet know-how in 2020 (under 20% today)", source="DESIGN", flag="DESIGN")
    learning_per_year: float = param(0.03, 0.0, 0.2, unit="capability per year", desc="Know-how gained per year of full magnet output", source="assumption", flag="ASSUMPTION")
    licence_pressure_mean: float = param(0.1, 0.0, 1.0, unit="utility", desc="Average environmental and political pressure against Lynas at a licence decision", source="E013; E015; E020 (licence history)", flag="ASSUMPTION")
    licence_pressure_sd: float = param(0.1, 0.0, 1.0, unit="utility", desc="Spread of that pressure between decisions", source="assumption", flag="ASSUMPTION")
    jobs_per_kt_ore: float = param(17.5, 5, 50, unit="direct jobs per kt/yr", desc="Direct jobs per kt/yr at the raw-ore rung (the ladder multiplies this; about 1,000 at Lynas Malaysia)", source="assumption", flag="ASSUMPTION")
    value_added_target_rm_bn: float = param(9.5, 1, 50, unit="RM bn/yr", desc="Rare-earth industry GDP target (scale of economic value)", source="C210; E022", flag="2nd")
    jobs_target: float = param(7_000, 1_000, 50_000, unit="jobs", desc="Rare-earth industry jobs target (scale of economic value)", source="C211; E022", flag="2nd")
    component_share: float = param(0.2, 0.0, 1.0, unit="fraction", desc="Share of Malaysian magnets built into components in Malaysia", source="assumption", flag="ASSUMPTION")
    incentive_cost_cut: float = param(0.15, 0.0, 0.5, unit="fraction", desc="Cut in JS Link's conversion cost at the most generous magnet-plant incentive (paid by the government)", source="assumption", flag="ASSUMPTION")
    usd_per_rm: float = param(0.219, 0.15, 0.3, unit="USD per RM", desc="Exchange rate (RM 4.57 per USD)", source="C199", flag="UNCERTAIN")


class EconomicsSettings(Section):
    ladder_position: float = param(0.5, 0.0, 1.0, unit="fraction", desc="Where in each value-ladder band Malaysian products sit (0 low end, 1 high end)", source="DESIGN", flag="DESIGN")
    ore_usd_kg: tuple[float, float] = param((2.0, 4.0), unit="USD/kg", desc="Value-ladder band: raw ore", source="DESIGN", flag="DESIGN", sweep=False)
    oxide_usd_kg: tuple[float, float] = param((15.0, 30.0), unit="USD/kg", desc="Value-ladder band: separated oxide", source="DESIGN", flag="DESIGN", sweep=False)
    magnet_usd_kg: tuple[float, float] = param((80.0, 150.0), unit="USD/kg", desc="Value-ladder band: magnets", source="DESIGN", flag="DESIGN", sweep=False)
    component_usd_kg: tuple[float, float] = param((200.0, 500.0), unit="USD/kg", desc="Value-ladder band: integrated components", source="DESIGN", flag="DESIGN", sweep=False)
    employment_multipliers: tuple[float, float, float, float] = param((1.0, 3.0, 8.0, 12.0), unit="x", desc="Direct jobs per tonne at each rung relative to raw ore", source="DESIGN", flag="DESIGN", sweep=False)
    indirect_jobs_per_direct: float = param(3.2, 0.0, 6.0, unit="jobs", desc="Indirect jobs per direct job", source="DESIGN", flag="DESIGN")


class PartnerSettings(Section):
    korea_offer_rate_per_year: float = param(0.3, 0.0, 2.0, unit="offers per year", desc="How often Korea offers JS Link technology and a second line once its plant is near", source="assumption", flag="ASSUMPTION")
    australia_offer_rate_per_year: float = param(0.2, 0.0, 2.0, unit="offers per year", desc="How often Australia offers a critical-minerals partnership (feed and heavy rare earths at Kuantan)", source="assumption", flag="ASSUMPTION")
    australia_mrec_t_yr: float = param(3_000, 0, 10_000, unit="t NdPr-eq/yr", desc="Extra Kalgoorlie MREC feed for Kuantan under the Australian partnership", source="assumption", flag="ASSUMPTION")
    australia_heavy_share: float = param(0.5, 0.0, 2.0, unit="fraction", desc="Extra heavy rare-earth capacity at Kuantan under the Australian partnership (share of the plant)", source="assumption", flag="ASSUMPTION")


Controller = Literal["agent", "player"]


class ControllerSettings(Section):
    """Who decides for each seat: the agent's rule, or a person (play-as and class sessions)."""

    united_states: Controller = param("agent", unit="agent or player", desc="Who decides for the United States", source="DESIGN", flag="DESIGN", sweep=False)
    china: Controller = param("agent", unit="agent or player", desc="Who decides for China (quotas stay automatic)", source="DESIGN", flag="DESIGN", sweep=False)
    malaysia: Controller = param("agent", unit="agent or player", desc="Who decides for Malaysia", source="DESIGN", flag="DESIGN", sweep=False)
    lynas: Controller = param("agent", unit="agent or player", desc="Who decides for Lynas", source="DESIGN", flag="DESIGN", sweep=False)
    jslink: Controller = param("agent", unit="agent or player", desc="Who decides for JS Link", source="DESIGN", flag="DESIGN", sweep=False)
    buyers: Controller = param("agent", unit="agent or player", desc="Who acts for the buyers' association (each buyer still follows its rule)", source="DESIGN", flag="DESIGN", sweep=False)


class OutputSettings(Section):
    agent_table: bool = param(True, unit="bool", desc="Record the agent table (sweeps that keep only time series turn it off)", source="assumption", flag="ASSUMPTION", sweep=False)
    buyer_snapshot_months: int = param(12, 1, 120, unit="months", desc="Interval between rows for each buyer in the agent table (first and last month always kept)", source="assumption", flag="ASSUMPTION", sweep=False)


class Intervention(Section):
    """A dated action fired into a run (same vocabulary as the app's live interventions)."""

    date: YearMonth
    action: str
    params: dict[str, Any] = {}
    note: str = ""


class Scenario(Section):
    """A complete, validated scenario: every parameter of one run."""

    name: str = "baseline"
    description: str = ""
    extends: str | None = None
    run: RunSettings = RunSettings()
    replay: ReplaySettings = ReplaySettings()
    demand: DemandSettings = DemandSettings()
    buyers: BuyerSettings = BuyerSettings()
    mines: MineSettings = MineSettings()
    separation: SeparationSettings = SeparationSettings()
    magnets: MagnetSettings = MagnetSettings()
    jslink: JSLinkSettings = JSLinkSettings()
    lynas: LynasSettings = LynasSettings()
    market: MarketSettings = MarketSettings()
    china: ChinaSettings = ChinaSettings()
    us: USSettings = USSettings()
    malaysia: MalaysiaSettings = MalaysiaSettings()
    economics: EconomicsSettings = EconomicsSettings()
    partners: PartnerSettings = PartnerSettings()
    controllers: ControllerSettings = ControllerSettings()
    outputs: OutputSettings = OutputSettings()
    interventions: list[Intervention] = []

    @model_validator(mode="after")
    def _end_after_start(self) -> "Scenario":
        from .timeline import months_between

        if months_between(self.run.start, self.run.end) < 0:
            raise ValueError(f"run.end ({self.run.end}) is before run.start ({self.run.start})")
        return self


# --------------------------------------------------------------------------------------------
# reading the declarations back


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter, as the CLI, the app and the sweeps see it."""

    path: str
    default: Any
    lo: float | None
    hi: float | None
    unit: str
    description: str
    source: str
    flag: str
    sweep: bool
    kind: str

    @property
    def numeric(self) -> bool:
        return self.kind in ("float", "int")


def _bounds(field) -> tuple[float | None, float | None]:
    lo = next((item.ge for item in field.metadata if getattr(item, "ge", None) is not None), None)
    hi = next((item.le for item in field.metadata if getattr(item, "le", None) is not None), None)
    return lo, hi


def _kind(field) -> str:
    if any(getattr(item, "func", None) is _check_month for item in field.metadata):
        return "month"
    annotation = field.annotation
    if annotation in (bool, int, float, str):
        return annotation.__name__
    if get_origin(annotation) is Literal:
        return "choice"
    return "list"


def iter_parameters(model: type[BaseModel] | BaseModel = Scenario, prefix: str = "") -> Iterator[ParamSpec]:
    """Yield every declared parameter with its dotted path; values come from ``model`` if it is an instance."""
    cls = model if isinstance(model, type) else type(model)
    for name, field in cls.model_fields.items():
        value = getattr(model, name) if not isinstance(model, type) else field.default
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from iter_parameters(value, prefix=path + ".")
            continue
        extra = field.json_schema_extra
        if not isinstance(extra, dict) or "unit" not in extra:
            continue
        lo, hi = _bounds(field)
        yield ParamSpec(
            path=path,
            default=value,
            lo=lo,
            hi=hi,
            unit=extra["unit"],
            description=field.description or "",
            source=extra["source"],
            flag=extra["flag"],
            sweep=bool(extra["sweep"]) and _kind(field) in ("float", "int"),
            kind=_kind(field),
        )


def parameter_table(model: BaseModel | None = None) -> dict[str, ParamSpec]:
    """All parameters keyed by dotted path (defaults, or the values of ``model``)."""
    return {spec.path: spec for spec in iter_parameters(model or Scenario())}


def get_path(model: BaseModel, path: str) -> Any:
    """Value at a dotted path such as ``china.licence_grant_rate``."""
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return value

