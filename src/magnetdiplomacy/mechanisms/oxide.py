"""The separated NdPr oxide market: makers' requests, contracted deliveries, the China and ex-China
pools and the trade between them, and the pools' prices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ..parameters import Scenario
from .chain import Chain, Plant, ndpr_per_magnet
from .market import PoolTrade, clear_two_pools, update_pool_prices
from .trade import POOLS, MarketState

# Lowest oxide price, as a share of the 2020 price.
PRICE_FLOOR_SHARE = 0.4


def oxide_requests(chain: Chain, planned: Mapping[str, float], config: Scenario) -> dict[str, float]:
    """NdPr each magnet maker asks for: this month's use plus the gap to its target stock."""
    mag, mkt = config.magnets, config.market
    gross = mag.ndpr_share / mag.finishing_yield
    net = ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
    return {
        p.name: max(0.0, planned[p.name] * gross + mkt.stock_cover_months * planned[p.name] * net - p.input_t)
        for p in chain.magnet_plants
    }


def deliver_contracts(
    chain: Chain, request: dict[str, float], contracts: Sequence[tuple[str, str, float]]
) -> dict[str, float]:
    """Contracted deliveries go first (seller, buyer, share of the buyer's request); returns
    tonnes delivered per seller and lowers ``request`` by what was delivered."""
    contracted: dict[str, float] = defaultdict(float)
    for seller_name, buyer_name, share in contracts:
        seller, buyer = chain.plants[seller_name], chain.plants[buyer_name]
        qty = min(seller.product_t, share * request[buyer_name])
        seller.product_t -= qty
        seller.sold_t += qty
        buyer.input_t += qty
        request[buyer_name] -= qty
        contracted[seller_name] += qty
        chain.edges[("separation", seller.country, "magnets", buyer.country)] += qty
    return contracted


def _sell_from_pool(
    chain: Chain,
    sellers: Sequence[Plant],
    pool: str,
    share: float,
    crossing: float,
    to_china_share: float,
    intake: Mapping[str, Mapping[str, float]],
) -> None:
    """Sellers of one pool sell ``share`` of their stock; trace where it went for the flow edges."""
    other = "china" if pool == "exchina" else "exchina"
    totals = {destination: sum(intake[destination].values()) for destination in (pool, other)}
    for plant in sellers:
        sold = plant.product_t * share
        plant.product_t -= sold
        plant.sold_t += sold
        if pool == "exchina":
            plant.sold_to_china_t = sold * to_china_share
        else:
            plant.sold_to_china_t = sold if plant.country != "china" else 0.0
        # where this seller's oxide went: its own pool's buyers, and across to the other pool
        for destination, amount in ((pool, sold * (1.0 - crossing)), (other, sold * crossing)):
            total = totals[destination]
            for country, taken in intake[destination].items():
                if total > 1e-12 and amount > 0:
                    stage = "magnets" if country != "other uses" else "other uses"
                    chain.edges[("separation", plant.country, stage, country)] += amount * taken / total


def clear_oxide_pools(
    chain: Chain,
    planned: Mapping[str, float],
    request: Mapping[str, float],
    config: Scenario,
    availability: float,
    market: MarketState,
) -> tuple[PoolTrade, dict[str, float], dict[str, float]]:
    """Clear the China and ex-China pools: makers and other uses get their fill, sellers sell.

    Returns the trade between the pools, each pool's demand and its sellers' output."""
    mag = config.magnets
    net = ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
    nonmagnet_ratio = mag.non_magnet_ndpr_share / (1.0 - mag.non_magnet_ndpr_share)
    sellers = {pool: [p for p in chain.plants.values() if p.stage == "separation" and p.pool == pool] for pool in POOLS}
    supply = {pool: sum(p.product_t for p in sellers[pool]) for pool in sellers}
    makers = {pool: [p for p in chain.magnet_plants if p.pool == pool] for pool in POOLS}
    nonmagnet = {pool: nonmagnet_ratio * sum(planned[p.name] * net for p in makers[pool]) for pool in makers}
    demand = {pool: sum(request[p.name] for p in makers[pool]) + nonmagnet[pool] for pool in makers}
    trade = clear_two_pools(supply["china"], demand["china"], supply["exchina"], demand["exchina"], availability)
    fill = {"china": trade.fill_china, "exchina": trade.fill_exchina}
    intake: dict[str, dict[str, float]] = {}
    for pool in makers:
        intake[pool] = {}
        for plant in makers[pool]:
            plant.input_t += request[plant.name] * fill[pool]
            intake[pool][plant.country] = intake[pool].get(plant.country, 0.0) + request[plant.name] * fill[pool]
        delivered_other = nonmagnet[pool] * fill[pool]
        intake[pool]["other uses"] = delivered_other
        chain.totals["ndpr_other_uses"] += delivered_other
    give = {
        "china": demand["china"] * fill["china"] - trade.exchina_to_china_t + trade.china_to_exchina_t,
        "exchina": demand["exchina"] * fill["exchina"] - trade.china_to_exchina_t + trade.exchina_to_china_t,
    }
    to_china_share = trade.exchina_to_china_t / give["exchina"] if give["exchina"] > 1e-12 else 0.0
    market.china_offtake_history.append(demand["china"] * fill["china"] + trade.china_to_exchina_t)
    for pool, plants in sellers.items():
        if supply[pool] <= 1e-12:
            continue
        share = max(0.0, min(1.0, give[pool] / supply[pool]))
        if pool == "exchina":
            crossing = to_china_share
        else:
            crossing = trade.china_to_exchina_t / give["china"] if give["china"] > 1e-12 else 0.0
        _sell_from_pool(chain, plants, pool, share, crossing, to_china_share, intake)
    output = {pool: sum(p.output_t for p in sellers[pool]) for pool in POOLS}
    stock = {pool: sum(p.product_t for p in sellers[pool]) for pool in POOLS}
    return (
        trade,
        demand,
        {**{f"output_{k}": v for k, v in output.items()}, **{f"stock_{k}": v for k, v in stock.items()}},
    )


def oxide_market(
    chain: Chain,
    planned: Mapping[str, float],
    config: Scenario,
    market: MarketState,
    contracts: Sequence[tuple[str, str, float]],
    ndpr_availability: float,
    magnet_heavy_availability: float,
) -> None:
    """One month of the oxide market: contracts, then the two pools, then new pool prices.

    ``ndpr_availability`` is the share of Chinese NdPr exports its licences let through;
    ``magnet_heavy_availability`` the same for magnet materials, which sets the origin premium."""
    mkt = config.market
    request = oxide_requests(chain, planned, config)
    contracted = deliver_contracts(chain, request, contracts)
    trade, demand, sums = clear_oxide_pools(chain, planned, request, config, ndpr_availability, market)
    chain.flows.update(
        oxide_to_china_t=trade.exchina_to_china_t,
        oxide_to_exchina_t=trade.china_to_exchina_t,
        oxide_contracted_lynas_t=contracted["lynas_malaysia"],
    )
    prices = market.prices
    prices["ndpr_china"], prices["ndpr_exchina"] = update_pool_prices(
        (prices["ndpr_china"], prices["ndpr_exchina"]),
        trade,
        (demand["china"], demand["exchina"]),
        (sums["output_china"], sums["output_exchina"]),
        (sums["stock_china"], sums["stock_exchina"]),
        mkt.stock_cover_months,
        mkt.oxide_price_speed,
        mkt.trade_friction,
        PRICE_FLOOR_SHARE * mkt.ndpr_price_usd_kg,
        origin_wedge=mkt.origin_premium * (1.0 - magnet_heavy_availability),
        convergence=mkt.convergence_speed,
    )
