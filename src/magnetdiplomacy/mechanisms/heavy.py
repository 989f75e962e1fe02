"""Heavy rare earths (Dy/Tb) for magnet makers outside China: tied supply, the non-China pool, and
China's exports under licence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ..parameters import Scenario
from .chain import Chain, Plant
from .trade import MarketState

HEAVY_SELLERS = ("lynas_heavy", "mp_heavy")
# Months over which a magnet maker applies for the gap to its target Dy/Tb stock: licence
# applications are for normal purchases, so a low grant rate cannot be beaten by asking for more.
HEAVY_STOCK_CATCH_UP_MONTHS = 6.0


def heavy_needs(makers: Sequence[Plant], planned: Mapping[str, float], config: Scenario) -> dict[str, float]:
    """Dy/Tb each non-China maker applies for: a month's need plus part of its stock gap."""
    mag, mkt = config.magnets, config.market
    need = {}
    for p in makers:
        monthly = planned[p.name] * mag.heavy_grade_share * mag.heavy_content
        need[p.name] = max(0.0, monthly + (monthly * mkt.heavy_stock_months - p.heavy_t) / HEAVY_STOCK_CATCH_UP_MONTHS)
    return need


def allocate_nonchina_heavy(
    chain: Chain, need: dict[str, float], ties: Sequence[tuple[str, str, float]]
) -> dict[str, float]:
    """Non-China Dy/Tb: tied supply first, then the non-China pool pro rata; lowers ``need``."""
    received: dict[str, float] = defaultdict(float)
    for seller_name, buyer_name, share in ties:
        seller = chain.plants[seller_name]
        qty = min(seller.product_t, share * need[buyer_name])
        seller.product_t -= qty
        need[buyer_name] -= qty
        received[buyer_name] += qty
    pool = sum(chain.plants[n].product_t for n in HEAVY_SELLERS)
    total_need = sum(need.values())
    if pool > 1e-12 and total_need > 1e-12:
        share = min(1.0, pool / total_need)
        for name in need:
            received[name] += need[name] * share
            need[name] -= need[name] * share
        taken = min(pool, total_need)
        for n in HEAVY_SELLERS:
            plant = chain.plants[n]
            plant.product_t -= plant.product_t / pool * taken
    return received


def supply_heavy(
    chain: Chain,
    planned: Mapping[str, float],
    config: Scenario,
    market: MarketState,
    ties: Sequence[tuple[str, str, float]],
    availability: Mapping[str, float],
) -> None:
    """Non-China makers get Dy/Tb from non-China circuits, then from China under licence.

    ``availability`` is the Chinese licence grant rate per maker (by plant name). The ex-China Dy
    price carries a scarcity premium for the share of needs China withholds; no Chinese Dy/Tb
    market is modelled, so China's Dy price stays at its 2020 level."""
    mag, mkt = config.magnets, config.market
    exchina = [p for p in chain.magnet_plants if p.pool == "exchina"]
    need = heavy_needs(exchina, planned, config)
    nonchina_received = allocate_nonchina_heavy(chain, need, ties)
    gap_weighted = 0.0
    for plant in exchina:
        rate = availability[plant.name]
        from_china = need[plant.name] * rate
        gap_weighted += need[plant.name] * (1.0 - rate)
        plant.heavy_t += nonchina_received[plant.name] + from_china
        received = nonchina_received[plant.name] + from_china
        if received > 1e-12:
            market.heavy_china_share[plant.name] = from_china / received
        chain.totals["heavy_delivered_nonchina"] += nonchina_received[plant.name]
        chain.totals["heavy_from_china"] += from_china
    wanted = sum(planned[p.name] * mag.heavy_grade_share * mag.heavy_content for p in exchina)
    chain.flows["heavy_gap"] = gap_weighted / wanted if wanted > 1e-12 else 0.0
    market.prices["dy_exchina"] = market.prices["dy_china"] * (
        1.0 + mkt.heavy_scarcity_premium * min(1.0, chain.flows["heavy_gap"])
    )
