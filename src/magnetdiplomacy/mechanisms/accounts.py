"""Malaysia's accounts for a month: value added and jobs from the value ladder, export revenue at
market prices, and the rare-earth sales by bloc that reveal the orientation of its trade."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping

import numpy as np

from ..outputs import EXPORT_BLOCS
from ..parameters import REGIONS, Scenario
from .chain import Plant
from .economics import RungOutput, ladder_value
from .trade import heavy_price

KG_PER_T = 1000.0
# How each buyer region counts in Malaysia's trade orientation (+1 US side, -1 China).
REGION_BLOC = {
    "china": -1.0,
    "united_states": 1.0,
    "europe": 0.5,
    "japan_korea": 0.5,
    "southeast_asia": 0.0,
    "rest_of_world": 0.0,
}
# How each non-China buyer of Malaysian oxide counts in it.
OXIDE_BUYER_BLOC = {
    "japan_magnets": 0.5,
    "row_magnets": 0.5,
    "us_magnets": 1.0,
    "jslink_magnets": 0.0,
    "foreign_malaysia_magnets": 0.0,
}
# Magnet makers in Malaysia: JS Link (Malaysian-owned) and the Japanese and Swiss multinationals.
MALAYSIAN_MAKERS = ("jslink_magnets", "foreign_malaysia_magnets")
# Trade orientation is read over this many months, not one month's cargoes.
TRADE_MEMORY_MONTHS = 12


def malaysia_rungs(plants: Mapping[str, Plant], component_share: float) -> RungOutput:
    """This month's output of Malaysia's plants at each rung of the value ladder."""
    lynas, jv, heavy = plants["lynas_malaysia"], plants["jv_refinery"], plants["lynas_heavy"]
    magnet_t = sum(plants[name].output_t for name in MALAYSIAN_MAKERS)
    return RungOutput(
        ore_t=plants["perak_pilot"].output_t + plants["jv_mine"].output_t,
        oxide_t=lynas.output_t + jv.output_t + heavy.output_t,
        coproduct_t=lynas.coproduct_t + jv.coproduct_t,
        oxide_feed_t=lynas.feed_used.reo_t + jv.feed_used.reo_t,
        magnet_t=magnet_t,
        magnet_ndpr_t=sum(plants[name].input_used_t for name in MALAYSIAN_MAKERS),
        component_t=magnet_t * component_share,
    )


def oxide_sales(plants: Mapping[str, Plant], contracted_lynas_t: float) -> tuple[float, float]:
    """Malaysian oxide sold abroad this month and the part of it sold to China (t NdPr)."""
    lynas, jv = plants["lynas_malaysia"], plants["jv_refinery"]
    abroad = max(0.0, lynas.sold_t - contracted_lynas_t) + jv.sold_t
    return abroad, lynas.sold_to_china_t + jv.sold_to_china_t


def heavy_used_t(plant: Plant, heavy_grade_share: float, heavy_content: float) -> float:
    """Dy/Tb in a non-China maker's magnets this month (t)."""
    return plant.output_t * heavy_grade_share * heavy_content


def value_added_usd(
    plants: Mapping[str, Plant],
    prices: Mapping[str, float],
    maker_prices: Mapping[str, float],
    config: Scenario,
) -> float:
    """Malaysia's rare-earth value added this month at the month's prices: what each Malaysian plant
    made, at the price it fetches (its realised NdPr price, the ex-China Dy/Tb price, each magnet
    maker's price in ``maker_prices``), minus the rare-earth inputs it used at theirs. Ore has no traded price in the
    model: it is valued on the value ladder, as are components."""
    ladder = config.economics
    position = ladder.ladder_position
    ore_usd_kg = ladder_value(ladder.ore_usd_kg, position)
    component_usd_kg = ladder_value(ladder.component_usd_kg, position)
    mag = config.magnets
    lynas, jv, heavy = (plants[n] for n in ("lynas_malaysia", "jv_refinery", "lynas_heavy"))
    heavy_usd_kg = heavy_price(prices, "exchina", mag.tb_share_of_heavy)
    ore = (plants["perak_pilot"].output_t + plants["jv_mine"].output_t) * ore_usd_kg
    oxide = (
        lynas.output_t * lynas.realised_usd_kg
        + jv.output_t * jv.realised_usd_kg
        + heavy.output_t * heavy_usd_kg
        + (lynas.coproduct_t + jv.coproduct_t) * config.market.coproduct_price_usd_kg
        - (lynas.feed_used.reo_t + jv.feed_used.reo_t) * ore_usd_kg
    )
    magnet = component = 0.0
    for name in MALAYSIAN_MAKERS:
        maker, price = plants[name], maker_prices[name]
        magnet += (
            maker.output_t * price
            - maker.input_used_t * prices["ndpr_exchina"]
            - heavy_used_t(maker, mag.heavy_grade_share, mag.heavy_content) * heavy_usd_kg
        )
        component += maker.output_t * config.malaysia.component_share * (component_usd_kg - price)
    return KG_PER_T * (ore + oxide + magnet + component)


def export_revenue_usd(
    plants: Mapping[str, Plant],
    contracted_lynas_t: float,
    magnets_by_region: np.ndarray,
    magnet_price_usd_kg: float,
    prices: Mapping[str, float],
    tb_share: float,
) -> float:
    """Export revenue at this month's prices: Malaysian oxide sold abroad at the prices its sellers
    realised (Lynas' deliveries to JS Link stay at home), Dy/Tb, and magnets sold outside
    Southeast Asia (``magnets_by_region``: Malaysian makers' deliveries by buyer region, at their
    average price ``magnet_price_usd_kg``)."""
    lynas, jv = plants["lynas_malaysia"], plants["jv_refinery"]
    abroad = share_abroad(lynas.sold_t, contracted_lynas_t)
    abroad_magnets = float(magnets_by_region.sum() - magnets_by_region[REGIONS.index("southeast_asia")])
    return (
        lynas.revenue_usd * abroad
        + jv.revenue_usd
        + KG_PER_T
        * (
            plants["lynas_heavy"].output_t * heavy_price(prices, "exchina", tb_share)
            + abroad_magnets * magnet_price_usd_kg
        )
    )


def average_price(sold_t: Mapping[str, float], prices: Mapping[str, float]) -> float:
    """Sales-weighted price of some makers (their plain average when none sold)."""
    total = sum(sold_t.values())
    if total <= 1e-12:
        return float(np.mean(list(prices.values())))
    return sum(sold_t[name] * prices[name] for name in sold_t) / total


def share_abroad(sold_t: float, contracted_at_home_t: float) -> float:
    """Share of a seller's sales that left the country."""
    return max(0.0, sold_t - contracted_at_home_t) / sold_t if sold_t > 1e-12 else 0.0


# Destination blocs of Malaysia's exports, by the country or buyer region they went to.
_COUNTRY_BLOC = {
    "china": "china",
    "united_states": "us",
    "japan": "allies",
    "europe": "allies",
    "allied stockpiles": "allies",
}
_REGION_BLOC = {"china": "china", "united_states": "us", "europe": "allies", "japan_korea": "allies"}


def exports_by_bloc(
    edges: Mapping[tuple[str, str, str, str], float], magnets_by_region: np.ndarray
) -> dict[str, float]:
    """Malaysia's oxide and magnet exports this month (t) by destination bloc: China, the United
    States, its allies (Japan, Korea, Europe) and others (other uses abroad, the rest of the
    world); sales within Southeast Asia are not counted as exports."""
    out = {f"{good}_{bloc}": 0.0 for good in ("oxide", "magnet") for bloc in EXPORT_BLOCS}
    for (stage, origin, _, destination), tonnes in edges.items():
        if stage == "separation" and origin == "malaysia" and destination != "malaysia":
            out[f"oxide_{_COUNTRY_BLOC.get(destination, 'other')}"] += tonnes
    for r, region in enumerate(REGIONS):
        if region != "southeast_asia":
            out[f"magnet_{_REGION_BLOC.get(region, 'other')}"] += float(magnets_by_region[r])
    return out


def exports_by_destination(
    edges: Mapping[tuple[str, str, str, str], float], magnets_by_region: np.ndarray
) -> dict[str, float]:
    """Malaysia's oxide and magnet exports this month (t) by destination country or buyer region
    (sales within Southeast Asia are not exports)."""
    out: defaultdict[str, float] = defaultdict(float)
    for (stage, origin, _, destination), tonnes in edges.items():
        if stage == "separation" and origin == "malaysia" and destination != "malaysia":
            out[destination] += tonnes
    for r, region in enumerate(REGIONS):
        if region != "southeast_asia":
            out[region] += float(magnets_by_region[r])
    return dict(out)


def exchina_oxide_bloc(plants: Mapping[str, Plant]) -> float:
    """Average bloc of the ex-China oxide buyers, weighted by their intake this month."""
    intake = {name: plants[name].input_used_t for name in OXIDE_BUYER_BLOC}
    total = sum(intake.values())
    return sum(OXIDE_BUYER_BLOC[n] * intake[n] for n in OXIDE_BUYER_BLOC) / total if total > 1e-12 else 0.5


def sales_by_bloc(
    to_china_t: float, oxide_abroad_t: float, oxide_bloc: float, magnets_by_region: np.ndarray
) -> dict[float, float]:
    """Malaysia's rare-earth sales this month (t) by the bloc of the buyer (-1 China ... +1 US)."""
    sales: defaultdict[float, float] = defaultdict(float)
    sales[-1.0] += to_china_t
    sales[oxide_bloc] += max(0.0, oxide_abroad_t - to_china_t)
    for r, region in enumerate(REGIONS):
        sales[REGION_BLOC[region]] += float(magnets_by_region[r])
    return dict(sales)


class TradeMemory:
    """The last year of Malaysia's sales by bloc."""

    def __init__(self) -> None:
        self.months: deque[dict[float, float]] = deque(maxlen=TRADE_MEMORY_MONTHS)

    def add(self, sales: dict[float, float]) -> dict[float, float]:
        """Remember this month's sales; return the year's total by bloc."""
        self.months.append(sales)
        total: defaultdict[float, float] = defaultdict(float)
        for month in self.months:
            for bloc, tonnes in month.items():
                total[bloc] += tonnes
        return total
