"""State and allied stockpiles of NdPr oxide: they buy when the market is slack and release when it
is tight.

China's state reserve buys from Chinese sellers while China's price is below the full cost of its
separators (the reserve rounds of 2012-2016 supported prices in slumps), up to a yearly budget and
a holding target. The allied stockpiles outside China (Japan's JOGMEC, the US National Defense
Stockpile) hold a number of days of ex-China use and fill towards it while prices are not high.
Both release when the price of their pool exceeds a multiple of the marginal producer's full cost;
the allied stockpiles also release while China's export licences hold back supply. What a
stockpile holds is outside the market: it does not count in the stocks that set prices.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..parameters import StockpileSettings
from .chain import Chain, Stockpile

__all__ = ["Stockpile", "allied_order", "allied_target_t", "china_reserve_order", "trade"]

DAYS_PER_MONTH = 365.25 / 12.0
# Who holds the stockpile of each pool, as a destination of the flows.
STOCKPILE_HOLDER = {"china": "china", "exchina": "allied stockpiles"}


def china_reserve_order(
    held_t: float, price_usd_kg: float, full_cost_usd_kg: float, config: StockpileSettings
) -> float:
    """China's reserve this month: tonnes to buy (positive) or release (negative)."""
    if price_usd_kg >= config.release_price_ratio * full_cost_usd_kg:
        return -held_t / config.release_months
    if price_usd_kg < full_cost_usd_kg:
        return max(0.0, min(config.china_reserve_t_yr / 12.0, config.china_reserve_target_t - held_t))
    return 0.0


def allied_target_t(use_t: float, config: StockpileSettings) -> float:
    """NdPr the allied stockpiles aim to hold (t): their target days of ex-China use."""
    return config.allied_target_days / DAYS_PER_MONTH * use_t


def allied_order(
    held_t: float,
    use_t: float,
    price_usd_kg: float,
    full_cost_usd_kg: float,
    supply_withheld: bool,
    config: StockpileSettings,
) -> float:
    """The allied stockpiles this month: tonnes to buy (positive) or release (negative)."""
    if supply_withheld or price_usd_kg >= config.release_price_ratio * full_cost_usd_kg:
        return -held_t / config.release_months
    return max(0.0, allied_target_t(use_t, config) - held_t) / config.fill_months


def buy_from_sellers(chain: Chain, pool: str, tonnes: float) -> float:
    """Take up to ``tonnes`` of NdPr from a pool's sellers, pro rata to their stock, as sales;
    returns what was bought."""
    sellers = [p for p in chain.plants.values() if p.stage == "separation" and p.pool == pool]
    stock = sum(p.product_t for p in sellers)
    bought = min(tonnes, stock)
    if bought <= 1e-12:
        return 0.0
    for plant in sellers:
        taken = plant.product_t / stock * bought
        plant.product_t -= taken
        plant.sold_t += taken
        chain.edges[("separation", plant.country, "stockpile", STOCKPILE_HOLDER[pool])] += taken
    return bought


def release_to_makers(chain: Chain, pool: str, tonnes: float) -> float:
    """Sell ``tonnes`` of NdPr from a stockpile to a pool's magnet makers, pro rata to their use;
    returns what was released."""
    makers = [p for p in chain.magnet_plants if p.pool == pool]
    use = sum(p.input_used_t for p in makers)
    if tonnes <= 1e-12 or use <= 1e-12:
        return 0.0
    for plant in makers:
        plant.input_t += tonnes * plant.input_used_t / use
    return tonnes


def trade(
    chain: Chain,
    stockpiles: Mapping[str, Stockpile],
    orders: Mapping[str, float],
) -> None:
    """Carry out this month's stockpile orders (tonnes, positive to buy, by stockpile name)."""
    for name, order in orders.items():
        pile = stockpiles[name]
        pile.bought_t = pile.released_t = 0.0
        if order > 0:
            pile.bought_t = buy_from_sellers(chain, pile.pool, order)
            pile.held_t += pile.bought_t
        elif order < 0:
            pile.released_t = release_to_makers(chain, pile.pool, min(-order, pile.held_t))
            pile.held_t -= pile.released_t
