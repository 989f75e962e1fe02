"""Heavy rare earths (Dy and Tb): China's domestic market, and supply to magnet makers outside China
(tied supply, the non-China pool, China's exports under licence).

China's Dy and Tb come from ion-adsorption clays: its own (a flat quota) and Myanmar's ore; its
Dy+Tb output is a fixed ratio to that feed, set so that the first month balances world need. Clay
operators run less of their capacity as the Dy price falls from full towards cash cost (see
:func:`.pricing.utilisation_target`). China's makers take what they need first;
makers outside China get what China's licences allow of the rest. Each of Dy and Tb keeps
its own Chinese stock and its own price, set by the storage rule of :mod:`.pricing` on that stock
against Chinese use and exports (full cost: the 2020 price; cash cost: ``market.heavy_cash_share``
of it). Outside China each carries a scarcity premium for the share of needs China withholds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ..parameters import Scenario
from .chain import Chain, Plant, ramp_factor
from .pricing import CostPoint, adjust, smoothed, target_price, utilisation_target
from .trade import MarketState

HEAVY_GOODS = ("dy", "tb")

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
    china_exportable_t: float,
) -> float:
    """Non-China makers get Dy/Tb from non-China circuits, then from China under licence, up to
    what China has left after its own makers (``china_exportable_t``); returns China's exports (t).

    ``availability`` is the Chinese licence grant rate per maker (by plant name). Ex-China Dy and
    Tb prices carry a scarcity premium for the share of needs China withholds."""
    mag, mkt = config.magnets, config.market
    exchina = [p for p in chain.magnet_plants if p.pool == "exchina"]
    need = heavy_needs(exchina, planned, config)
    nonchina_received = allocate_nonchina_heavy(chain, need, ties)
    licensed = sum(need[p.name] * availability[p.name] for p in exchina)
    china_fill = min(1.0, china_exportable_t / licensed) if licensed > 1e-12 else 1.0
    gap_weighted = exports = 0.0
    for plant in exchina:
        rate = availability[plant.name] * china_fill
        from_china = need[plant.name] * rate
        exports += from_china
        gap_weighted += need[plant.name] * (1.0 - rate)
        plant.heavy_t += nonchina_received[plant.name] + from_china
        received = nonchina_received[plant.name] + from_china
        if received > 1e-12:
            market.heavy_china_share[plant.name] = from_china / received
        chain.totals["heavy_delivered_nonchina"] += nonchina_received[plant.name]
        chain.totals["heavy_from_china"] += from_china
    wanted = sum(planned[p.name] * mag.heavy_grade_share * mag.heavy_content for p in exchina)
    chain.flows["heavy_gap"] = gap_weighted / wanted if wanted > 1e-12 else 0.0
    premium = 1.0 + mkt.heavy_scarcity_premium * min(1.0, chain.flows["heavy_gap"])
    for good in HEAVY_GOODS:
        market.prices[f"{good}_exchina"] = market.prices[f"{good}_china"] * premium
    return exports


def china_domestic_need_t(planned: Mapping[str, float], config: Scenario) -> float:
    """Dy+Tb China's magnet makers need for this month's plan (t)."""
    mag = config.magnets
    return planned["china_magnets"] * mag.heavy_grade_share * mag.heavy_content


def heavy_feed_t(chain: Chain, config: Scenario, tick: int) -> float:
    """Ion-adsorption clay China separates for Dy and Tb this month (t REO): its own quota and
    Myanmar's clay output (mined for its heavy rare earths whatever becomes of its light ones)."""
    return config.china.ionic_clay_reo_t_yr / 12.0 + chain.plants["myanmar_mines"].capacity_t(tick)


# Months new Dy/Tb supply takes to reach its full rate once it starts.
HEAVY_RAMP_MONTHS = 12


def heavy_capacity_factor(market: MarketState, tick: int) -> float:
    """China's Dy/Tb capacity relative to its clay feed: 1 plus what it has added since 2020."""
    return 1.0 + sum(share * ramp_factor(tick, first, HEAVY_RAMP_MONTHS) for first, share in market.heavy_additions)


def china_supply_t(chain: Chain, market: MarketState, config: Scenario, tick: int) -> float:
    """Dy+Tb China separated this month (t): its clay feed, and what it added since, at the
    month's utilisation."""
    feed = heavy_feed_t(chain, config, tick) * heavy_capacity_factor(market, tick)
    return (market.heavy_per_feed or 0.0) * feed * market.heavy_utilisation


def open_china_market(chain: Chain, market: MarketState, need_t: float, config: Scenario, tick: int) -> None:
    """The first month: China's Dy+Tb output per t of clay feed is set so that it meets the world's
    need (China's makers and those abroad, ``need_t``), and China holds normal stocks."""
    feed = heavy_feed_t(chain, config, tick)
    market.heavy_per_feed = need_t / feed if feed > 1e-12 else 0.0
    for good, share in good_shares(config).items():
        market.heavy_stock_t[good] = config.market.normal_cover_months * need_t * share


def good_shares(config: Scenario) -> dict[str, float]:
    """Dy and Tb shares of the Dy+Tb in magnets."""
    tb = config.magnets.tb_share_of_heavy
    return {"dy": 1.0 - tb, "tb": tb}


def china_exportable_t(chain: Chain, market: MarketState, domestic_need_t: float, config: Scenario, tick: int) -> float:
    """Dy+Tb China has for makers abroad this month: stock and output after its own makers."""
    supply = china_supply_t(chain, market, config, tick)
    return max(0.0, sum(market.heavy_stock_t.values()) + supply - domestic_need_t)


def update_china_prices(
    chain: Chain, market: MarketState, config: Scenario, domestic_t: float, exports_t: float, rule, tick: int
) -> None:
    """End of month: China's Dy and Tb stocks take output and lose use and exports; each price
    moves towards what its stock cover and costs point to."""
    mkt = config.market
    supply = china_supply_t(chain, market, config, tick)
    use = domestic_t + exports_t
    first_price = {"dy": mkt.dy_price_usd_kg, "tb": mkt.tb_price_usd_kg}
    # Clay operators answer the Dy price (most of the value of their output).
    full = first_price["dy"]
    target = utilisation_target(
        market.prices["dy_china"], mkt.heavy_cash_share * full, full, config.costs.clay_min_utilisation
    )
    market.heavy_utilisation += mkt.producer_response * (target - market.heavy_utilisation)
    for good, share in good_shares(config).items():
        market.heavy_stock_t[good] = max(0.0, market.heavy_stock_t[good] + (supply - use) * share)
        smoothed_use = smoothed(market.heavy_use_t.get(good), use * share, mkt.use_smoothing_months)
        market.heavy_use_t[good] = smoothed_use
        full = first_price[good]
        point = CostPoint(supply * share, mkt.heavy_cash_share * full, full)
        target = target_price(market.heavy_stock_t[good], smoothed_use, point, rule)
        market.prices[f"{good}_china"] = adjust(market.prices[f"{good}_china"], target, rule)
