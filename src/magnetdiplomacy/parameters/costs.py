"""Parameters of producers' costs and of how they answer prices, and of the stockpiles."""

from __future__ import annotations

from .base import Section, param


class CostSettings(Section):
    """Cash and full costs of separated NdPr oxide (USD per kg NdPr, all-in: ore, separation and
    overheads), and how producers answer a price below them."""

    ndpr_cash_china_usd_kg: float = param(
        30.0, 18, 45, unit="USD/kg NdPr",
        desc="Cash cost of Chinese NdPr oxide (Baotou mixed-REO cost of 7-10 USD/kg REO allocated to NdPr by value)",
        source="C360 (derived: 8.5 USD/kg REO x 75% of basket value / 0.20 t NdPr per t REO); C361; C362 (GAP)",
        flag="ASSUMPTION",
    )  # fmt: skip
    ndpr_cash_lynas_usd_kg: float = param(
        33.0, 25, 45, unit="USD/kg NdPr",
        desc="Lynas' cash cost of NdPr oxide (FY2020 cash cost per kg REO, carried by its NdPr)",
        source="C301; C304; C305 (derived: A$16.9/kg REO x 14,562 t / 4,656 t x 90% of value x 0.69 US$/A$)",
        flag="UNCERTAIN",
    )  # fmt: skip
    ndpr_cash_mp_usd_kg: float = param(
        60.0, 40, 80, unit="USD/kg NdPr", desc="MP Materials' cash cost of NdPr oxide (2025; target 40)",
        source="C356; C357", flag="UNCERTAIN",
    )  # fmt: skip
    ndpr_cash_other_usd_kg: float = param(
        45.0, 30, 70, unit="USD/kg NdPr", desc="Cash cost of other non-China separators (India, Russia, Brazil)",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    ndpr_cash_new_usd_kg: float = param(
        45.0, 30, 70, unit="USD/kg NdPr", desc="Cash cost of new non-China mine-and-separation projects",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    capital_charge_usd_kg: float = param(
        15.0, 5, 40, unit="USD/kg NdPr",
        desc="Capital charge of existing separation capacity (full cost = cash cost + this)",
        source="C372; C380; C388 (derived: 60-220 thousand USD per t/yr of capacity x 0.13 a year capital recovery)",
        flag="UNCERTAIN",
    )  # fmt: skip
    capital_recovery: float = param(
        0.13, 0.08, 0.25, unit="per year",
        desc="Yearly capital recovery on new capacity (capital charge = capex x this / annual output)",
        source="assumption (about 8 % over 12 years)", flag="ASSUMPTION",
    )  # fmt: skip
    new_supply_incentive_usd_kg: float = param(
        90.0, 75, 180, unit="USD/kg NdPr",
        desc="Incentive price of new non-China supply: the full cost a new mine and separation plant must earn",
        source="C414; C415; C416", flag="2nd",
    )  # fmt: skip
    curtailment_floor: float = param(
        0.3, 0.0, 0.8, unit="fraction",
        desc="Lowest utilisation a running separator falls to while the price is below its cash cost",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    clay_min_utilisation: float = param(
        0.7, 0.3, 1.0, unit="fraction",
        desc="Lowest share of China's ion-adsorption clay capacity that keeps running when Dy prices are at cash cost",
        source="assumption (quota holders keep mining; illegal mining is outside the model)", flag="ASSUMPTION",
    )  # fmt: skip
    closure_months: float = param(
        12, 3, 36, unit="months",
        desc="Months in a row below cash cost after which a non-China separator mothballs", source="assumption",
        flag="ASSUMPTION",
    )  # fmt: skip
    restart_months: float = param(
        6, 1, 24, unit="months",
        desc="Months in a row above full cost after which a mothballed separator restarts", source="assumption",
        flag="ASSUMPTION",
    )  # fmt: skip


class StockpileSettings(Section):
    """State and allied stockpiles of NdPr oxide: they buy when the market is slack and release
    when it is tight (China's state reserve; Japan's JOGMEC and the US National Defense Stockpile)."""

    china_reserve_t_yr: float = param(
        2_000, 0, 6_000, unit="t NdPr/yr",
        desc="Most China's state reserve buys in a year (rounds of 10,000-13,000 t REO, about a fifth NdPr)",
        source="C420; C421 (derived)", flag="UNCERTAIN",
    )  # fmt: skip
    china_reserve_target_t: float = param(
        20_000, 0, 40_000, unit="t NdPr",
        desc="NdPr China's state reserve aims to hold (about 150,000 t REO held in 2022, 110,000 t of it light)",
        source="C424 (derived)", flag="UNCERTAIN",
    )  # fmt: skip
    allied_target_days: float = param(
        60, 0, 180, unit="days of ex-China use",
        desc="NdPr the allied stockpiles outside China aim to hold (Japan's 60-day target)", source="C417; C418",
        flag="2nd",
    )  # fmt: skip
    fill_months: float = param(
        24, 6, 120, unit="months", desc="Months an allied stockpile takes to fill to its target while prices allow",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    release_price_ratio: float = param(
        2.0, 1.2, 5.0, unit="x full cost",
        desc="Price relative to the marginal producer's full cost above which stockpiles release", source="assumption",
        flag="ASSUMPTION",
    )  # fmt: skip
    release_months: float = param(
        12, 1, 60, unit="months", desc="Months a stockpile takes to release all it holds", source="assumption",
        flag="ASSUMPTION",
    )  # fmt: skip
