"""Malaysia's accounts for a month: value added and jobs from the value ladder, export revenue at
market prices, and the rare-earth sales by bloc that reveal the orientation of its trade."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping

import numpy as np

from ..parameters import REGIONS
from .chain import Plant
from .economics import RungOutput

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
OXIDE_BUYER_BLOC = {"japan_magnets": 0.5, "row_magnets": 0.5, "us_magnets": 1.0, "jslink_magnets": 0.0}
# Trade orientation is read over this many months, not one month's cargoes.
TRADE_MEMORY_MONTHS = 12


def malaysia_rungs(plants: Mapping[str, Plant], component_share: float) -> RungOutput:
    """This month's output of Malaysia's plants at each rung of the value ladder."""
    lynas, jv, heavy, js = (
        plants["lynas_malaysia"],
        plants["jv_refinery"],
        plants["lynas_heavy"],
        plants["jslink_magnets"],
    )
    return RungOutput(
        ore_t=plants["perak_pilot"].output_t + plants["jv_mine"].output_t,
        oxide_t=lynas.output_t + jv.output_t + heavy.output_t,
        coproduct_t=lynas.coproduct_t + jv.coproduct_t,
        oxide_feed_t=lynas.feed_used.reo_t + jv.feed_used.reo_t,
        magnet_t=js.output_t,
        magnet_ndpr_t=js.input_used_t,
        component_t=js.output_t * component_share,
    )


def oxide_sales(plants: Mapping[str, Plant], contracted_lynas_t: float) -> tuple[float, float]:
    """Malaysian oxide sold abroad this month and the part of it sold to China (t NdPr)."""
    lynas, jv = plants["lynas_malaysia"], plants["jv_refinery"]
    abroad = max(0.0, lynas.sold_t - contracted_lynas_t) + jv.sold_t
    return abroad, lynas.sold_to_china_t + jv.sold_to_china_t


def export_revenue_usd(
    oxide_abroad_t: float,
    to_china_t: float,
    heavy_t: float,
    magnets_by_region: np.ndarray,
    magnet_price_usd_kg: float,
    prices: Mapping[str, float],
) -> float:
    """Export revenue at this month's market prices: oxide leaving Malaysia (at China's price for
    what went to China), Dy/Tb, and magnets sold outside Southeast Asia."""
    abroad_magnets = float(magnets_by_region.sum() - magnets_by_region[REGIONS.index("southeast_asia")])
    return KG_PER_T * (
        (oxide_abroad_t - to_china_t) * prices["ndpr_exchina"]
        + to_china_t * prices["ndpr_china"]
        + heavy_t * prices["dy_exchina"]
        + abroad_magnets * magnet_price_usd_kg
    )


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
