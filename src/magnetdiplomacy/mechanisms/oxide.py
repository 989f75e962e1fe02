"""The separated NdPr oxide market: makers' requests, contracted deliveries, the China and ex-China
pools and the trade between them, and the pools' prices.

Prices follow the storage rule of :mod:`.pricing`: each pool's price sits on the cost of its
marginal producer and moves with the pool's stock (sellers' and makers' NdPr) relative to its use
(makers' consumption and other uses). While oxide moves freely between the pools they are one
market: one target from world stocks and the world's cost curve, the importing pool paying freight
and ex-China buyers an origin premium while China restricts magnet materials. When China's export
licences cap the flow, each pool's price follows its own stocks and producers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ..parameters import Scenario
from . import stockpiles
from .chain import Chain, Plant, ndpr_per_magnet
from .market import PoolTrade, clear_two_pools
from .pricing import CostPoint, StorageRule, adjust, marginal_producer, smoothed, target_price
from .trade import POOLS, MarketState


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
        if pool == "china" and plant.country == "china":
            chain.flows["china_ndpr_exports_t"] = chain.flows.get("china_ndpr_exports_t", 0.0) + sold * crossing
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
        chain.flows[f"ndpr_other_uses_{pool}_t"] = delivered_other
    give = {
        "china": demand["china"] * fill["china"] - trade.exchina_to_china_t + trade.china_to_exchina_t,
        "exchina": demand["exchina"] * fill["exchina"] - trade.china_to_exchina_t + trade.exchina_to_china_t,
    }
    to_china_share = trade.exchina_to_china_t / give["exchina"] if give["exchina"] > 1e-12 else 0.0
    # What the market asks of China's pool: its own buyers and the ex-China shortfall (asked, not
    # delivered, so that a shortage does not read as slower growth).
    market.china_offtake_history.append(demand["china"] + max(0.0, demand["exchina"] - supply["exchina"]))
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
) -> PoolTrade:
    """One month of the oxide market: contracts, then the two pools (prices move at the end of the
    month, :func:`update_prices`). ``ndpr_availability`` is the share of Chinese NdPr exports its
    licences let through."""
    request = oxide_requests(chain, planned, config)
    chain.flows["china_ndpr_exports_t"] = 0.0
    contracted = deliver_contracts(chain, request, contracts)
    trade, _, _ = clear_oxide_pools(chain, planned, request, config, ndpr_availability, market)
    chain.flows.update(
        oxide_to_china_t=trade.exchina_to_china_t,
        oxide_to_exchina_t=trade.china_to_exchina_t,
        oxide_contracted_lynas_t=contracted["lynas_malaysia"],
    )
    return trade


def storage_rule(config: Scenario) -> StorageRule:
    """The NdPr oxide market's storage rule from the scenario."""
    mkt = config.market
    return StorageRule(mkt.normal_cover_months, mkt.working_cover_months, mkt.scarcity_exponent, mkt.price_adjustment)


def pool_stock_and_use(chain: Chain, pool: str) -> tuple[float, float]:
    """NdPr held in a pool (sellers' stock and makers' feed) and used in it this month (makers'
    consumption net of scrap they recover, and other uses), in t."""
    sellers = [p for p in chain.plants.values() if p.stage == "separation" and p.pool == pool]
    makers = [p for p in chain.magnet_plants if p.pool == pool]
    stock = sum(p.product_t for p in sellers) + sum(p.input_t for p in makers)
    use = sum(p.input_used_t for p in makers) + chain.flows.get(f"ndpr_other_uses_{pool}_t", 0.0)
    return stock, use


def cost_curve(chain: Chain, pool: str, china_capacity_t: float, tick: int) -> list[CostPoint]:
    """The separators of a pool as points of its supply curve (monthly capacity, cash and full
    cost); China's separators' capacity is their quota (``china_capacity_t`` of NdPr a month)."""
    points = []
    for plant in chain.plants.values():
        if plant.stage != "separation" or plant.pool != pool:
            continue
        capacity = china_capacity_t if plant.name == "china_separation" else plant.capacity_t(tick)
        points.append(CostPoint(capacity, plant.cash_cost_usd_kg, plant.full_cost_usd_kg))
    return points


def marginal_cost(chain: Chain, market: MarketState, pool: str, china_capacity_t: float, tick: int) -> CostPoint:
    """The marginal producer of a pool at its smoothed use (its current use before there is any)."""
    use = market.use_t.get(pool)
    if use is None:
        use = pool_stock_and_use(chain, pool)[1]
    return marginal_producer(cost_curve(chain, pool, china_capacity_t, tick), use)


def update_prices(
    chain: Chain,
    market: MarketState,
    config: Scenario,
    trade: PoolTrade,
    china_capacity_t: float,
    magnet_heavy_availability: float,
    tick: int,
) -> None:
    """End of month: each pool's NdPr price moves towards what its stocks and marginal producer
    point to (see the module's docstring). ``magnet_heavy_availability`` sets the origin premium."""
    mkt = config.market
    rule = storage_rule(config)
    stocks, curves = {}, {}
    for pool in POOLS:
        stock, use = pool_stock_and_use(chain, pool)
        market.use_t[pool] = smoothed(market.use_t.get(pool), use, mkt.use_smoothing_months)
        stocks[pool] = stock
        curves[pool] = cost_curve(chain, pool, china_capacity_t, tick)
    prices = market.prices
    if trade.export_constrained:
        targets = {
            pool: target_price(
                stocks[pool], market.use_t[pool], marginal_producer(curves[pool], market.use_t[pool]), rule
            )
            for pool in POOLS
        }
    else:
        use = market.use_t["china"] + market.use_t["exchina"]
        world = target_price(
            sum(stocks.values()), use, marginal_producer(curves["china"] + curves["exchina"], use), rule
        )
        wedge = 1.0 + mkt.origin_premium * (1.0 - magnet_heavy_availability)
        freight = 1.0 + mkt.trade_friction
        targets = {
            "china": world * (freight if trade.exchina_to_china_t > 0 else 1.0),
            "exchina": world * (freight if trade.china_to_exchina_t > 0 else 1.0) * wedge,
        }
    for pool in POOLS:
        prices[f"ndpr_{pool}"] = adjust(prices[f"ndpr_{pool}"], targets[pool], rule)
    market.cover_months = {pool: stocks[pool] / market.use_t[pool] if market.use_t[pool] > 0 else 0.0 for pool in POOLS}


def realised_prices(chain: Chain, prices: Mapping[str, float], floors: Mapping[str, float]) -> dict[str, float]:
    """The NdPr price each separator realises: its pool's price, or a price floor it holds
    (by plant name; floors are policy and do not move the market price)."""
    return {
        name: max(prices[f"ndpr_{plant.pool}"], floors.get(name, 0.0))
        for name, plant in chain.plants.items()
        if plant.stage == "separation"
    }


def realised_price(plant: Plant, prices: Mapping[str, float], floor: float = 0.0) -> float:
    """USD/kg a separator got for this month's NdPr sales: China's price for what went to China,
    its pool's price for the rest, a floor it holds on every tonne; its pool's price (or the
    floor) when it sold nothing."""
    own = max(prices[f"ndpr_{plant.pool}"], floor)
    if plant.sold_t <= 1e-9:
        return own
    to_china = plant.sold_to_china_t if plant.pool == "exchina" else 0.0
    revenue = to_china * max(prices["ndpr_china"], floor) + (plant.sold_t - to_china) * own
    return revenue / plant.sold_t


def record_realised(chain: Chain, prices: Mapping[str, float], floors: Mapping[str, float]) -> None:
    """Set each separator's realised price and sales revenue for the month (after the pools cleared)."""
    for plant in chain.plants.values():
        if plant.stage == "separation":
            plant.realised_usd_kg = realised_price(plant, prices, floors.get(plant.name, 0.0))
            plant.revenue_usd = plant.sold_t * 1000.0 * plant.realised_usd_kg


def trade_stockpiles(
    chain: Chain, market: MarketState, config: Scenario, china_ndpr_t: float, withheld: bool, tick: int
) -> None:
    """China's reserve and the allied stockpiles buy or release at this month's prices (``withheld``:
    China's licences hold back NdPr exports this month)."""
    piles, prices, rules = chain.stockpiles, market.prices, config.stockpiles
    full = {pool: marginal_cost(chain, market, pool, china_ndpr_t, tick).full_usd_kg for pool in POOLS}
    use = market.use_t.get("exchina", pool_stock_and_use(chain, "exchina")[1])
    orders = {
        "china_reserve": stockpiles.china_reserve_order(
            piles["china_reserve"].held_t, prices["ndpr_china"], full["china"], rules
        ),
        "allied": stockpiles.allied_order(
            piles["allied"].held_t, use, prices["ndpr_exchina"], full["exchina"], withheld, rules
        ),
    }
    stockpiles.trade(chain, piles, orders)
