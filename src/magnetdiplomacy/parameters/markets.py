"""Parameters of the markets: prices, costs, margins, stocks."""

from __future__ import annotations

from .base import Section, param


class MarketSettings(Section):
    ndpr_price_usd_kg: float = param(
        49.0,
        30,
        120,
        unit="USD/kg",
        desc="NdPr oxide price in 2020 (Nd oxide annual average)",
        source="C170",
        flag="VINTAGE",
    )
    dy_price_usd_kg: float = param(
        261.0, 150, 600, unit="USD/kg", desc="Dy oxide price in 2020", source="C174", flag="VINTAGE"
    )
    tb_price_usd_kg: float = param(
        670.0, 300, 1500, unit="USD/kg", desc="Tb oxide price in 2020", source="C178", flag="VINTAGE"
    )
    heavy_cash_share: float = param(
        0.6, 0.3, 0.9, unit="fraction of the 2020 price",
        desc=(
            "Cash cost of Chinese Dy and Tb oxide as a share of their 2020 price (the 2020 price is taken as their "
            "full cost at normal stocks)"
        ),
        source="GAP (no Dy/Tb production cost found)", flag="ASSUMPTION",
    )  # fmt: skip
    magnet_conversion_cost_usd_kg: float = param(
        45.0,
        20,
        80,
        unit="USD/kg magnet",
        desc="Cost of turning oxide into a finished magnet (no benchmark found)",
        source="C192 (GAP)",
        flag="GAP",
    )
    magnet_margin: float = param(
        0.10,
        0.0,
        0.5,
        unit="fraction",
        desc="Normal mark-up of magnet price over cost",
        source="assumption",
        flag="ASSUMPTION",
    )
    magnet_price_speed: float = param(
        0.15,
        0.02,
        1.0,
        unit="per month",
        desc="How fast magnet mark-ups move with excess demand",
        source="assumption",
        flag="ASSUMPTION",
    )
    heavy_scarcity_premium: float = param(
        1.0,
        0.0,
        4.0,
        unit="price ratio",
        desc="Ex-China Dy/Tb price rise when Chinese supply is fully withheld (x(1+premium))",
        source="C160 (heavy RE x2 vs free trade)",
        flag="2nd",
    )
    origin_premium: float = param(
        0.21,
        0.0,
        1.0,
        unit="fraction of price",
        desc=(
            "Premium ex-China buyers pay for oxide outside China's licensing, at full restriction of Chinese "
            "magnet-material exports"
        ),
        source="C159 (export restrictions: light RE +21% vs free trade)",
        flag="2nd",
    )
    heavy_stock_months: float = param(
        6.0,
        0.0,
        24.0,
        unit="months",
        desc="Dy/Tb stock ex-China magnet makers hold against supply interruptions",
        source="assumption",
        flag="ASSUMPTION",
    )
    trade_friction: float = param(
        0.03,
        0.0,
        0.2,
        unit="fraction of price",
        desc="Freight and handling between the China and ex-China pools",
        source="assumption",
        flag="ASSUMPTION",
    )
    producer_response: float = param(
        0.15,
        0.0,
        1.0,
        unit="per month",
        desc="How fast market producers change utilisation with their margin",
        source="C164 (short-run elasticity about 0)",
        flag="ASSUMPTION",
    )
    stock_cover_months: float = param(
        1.0,
        0.0,
        6.0,
        unit="months",
        desc="Oxide and magnet stock sellers aim to hold",
        source="assumption",
        flag="ASSUMPTION",
    )
    coproduct_price_usd_kg: float = param(
        1.5, 1.0, 2.0, unit="USD/kg", desc="Price of co-product oxides (La, Ce)", source="C179; C180", flag="VINTAGE"
    )
    china_cost_factor: float = param(
        0.9,
        0.6,
        1.2,
        unit="x benchmark",
        desc="Chinese magnet makers' conversion cost relative to the benchmark",
        source="assumption",
        flag="ASSUMPTION",
    )
    japan_cost_factor: float = param(
        1.15,
        0.8,
        1.6,
        unit="x benchmark",
        desc="Japanese magnet makers' conversion cost",
        source="assumption",
        flag="ASSUMPTION",
    )
    row_cost_factor: float = param(
        1.1,
        0.8,
        1.6,
        unit="x benchmark",
        desc="Other non-China magnet makers' conversion cost",
        source="assumption",
        flag="ASSUMPTION",
    )
    us_cost_factor: float = param(
        1.3,
        0.8,
        2.0,
        unit="x benchmark",
        desc="US magnet plant's conversion cost",
        source="assumption",
        flag="ASSUMPTION",
    )
    malaysia_cost_factor: float = param(
        1.05,
        0.8,
        1.6,
        unit="x benchmark",
        desc="JS Link's conversion cost at full local know-how",
        source="assumption",
        flag="ASSUMPTION",
    )
    know_how_cost_penalty: float = param(
        0.2,
        0.0,
        1.0,
        unit="fraction",
        desc="Extra conversion cost in Malaysia with no local know-how (shrinks as know-how grows)",
        source="assumption",
        flag="ASSUMPTION",
    )
    normal_cover_months: float = param(
        2.0, 1.0, 6.0, unit="months of use",
        desc="Stock cover (sellers' and makers' NdPr) at which the oxide price is the marginal producer's full cost",
        source="C425 (large Chinese magnet makers held about 3 months of raw material, 2021); C426 (GAP)",
        flag="ASSUMPTION",
    )  # fmt: skip
    working_cover_months: float = param(
        0.25, 0.1, 1.0, unit="months of use",
        desc="Working stock in process that cannot be sold: below it the oxide price rises no further",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    scarcity_exponent: float = param(
        2.0, 0.5, 4.0, unit="dimensionless",
        desc="How steeply the scarcity rent rises as stock cover falls below normal (rent x (normal/cover)^this)",
        source="assumption (calibrated against the 2020-2022 prices)", flag="ASSUMPTION",
    )  # fmt: skip
    price_adjustment: float = param(
        0.5, 0.1, 1.0, unit="per month",
        desc="Share of the gap to the price stocks and costs point to that oxide quotes close each month",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
    use_smoothing_months: float = param(
        3.0, 1.0, 12.0, unit="months", desc="Months over which traders average use when they judge stock cover",
        source="assumption", flag="ASSUMPTION",
    )  # fmt: skip
