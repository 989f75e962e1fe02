"""Prices anchored in costs and stocks: the competitive-storage view of a commodity price.

A pool's price sits on the cost of its marginal producer and moves with its stocks relative to
use. With stocks at their normal cover the price is the marginal producer's full cost (cash cost
plus a capital charge: what keeps that capacity in business). As stocks pile up the price falls
towards the marginal producer's cash cost, where producers run less of their capacity and stocks
stop growing; as stocks run down it rises steeply, the scarcity rent buyers pay to draw on a thin
stock. Stocks cannot be drawn below the working stock material in process needs, which bounds the
price:

    cover = max(stock / use, working_cover)
    target = cash + (full - cash) * (normal_cover / cover) ** exponent

so the price lies between the cheapest producer's cash cost (when stocks are plentiful and little
is needed) and ``scarcity_price`` (a pool with only working stock left). Quotes move part of the way
to the target each month (``adjustment``). A stock counts once: moving material from sellers to
buyers within a pool does not change the pool's stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CostPoint:
    """One producer on a pool's supply curve: monthly capacity and its costs (USD/kg)."""

    capacity_t: float
    cash_usd_kg: float
    full_usd_kg: float


@dataclass(frozen=True)
class StorageRule:
    """How a pool's price answers its stocks (see the module's docstring)."""

    normal_cover_months: float
    working_cover_months: float
    exponent: float
    adjustment: float  # share of the gap to the target closed each month


def marginal_producer(points: Iterable[CostPoint], use_t: float) -> CostPoint:
    """The producer that meets the last tonne of ``use_t`` when the cheapest (by cash cost) run
    first; the dearest one if all of them together fall short (also when none has capacity this
    month: the price then rests on the costs of the plants that would have to come back)."""
    points = list(points)
    if not points:
        raise ValueError("a pool needs at least one producer")
    ranked = sorted((p for p in points if p.capacity_t > 0), key=lambda p: (p.cash_usd_kg, p.full_usd_kg))
    if not ranked:
        return max(points, key=lambda p: (p.cash_usd_kg, p.full_usd_kg))
    supplied = 0.0
    for point in ranked:
        supplied += point.capacity_t
        if supplied >= use_t:
            return point
    return ranked[-1]


def cover_months(stock_t: float, use_t: float) -> float:
    """Months of use the stock would last (infinite with no use)."""
    return stock_t / use_t if use_t > 0 else float("inf")


def target_price(stock_t: float, use_t: float, marginal: CostPoint, rule: StorageRule) -> float:
    """The price the pool's stocks and its marginal producer's costs point to (USD/kg)."""
    cover = max(cover_months(stock_t, use_t), rule.working_cover_months)
    rent = (marginal.full_usd_kg - marginal.cash_usd_kg) * (rule.normal_cover_months / cover) ** rule.exponent
    return marginal.cash_usd_kg + rent


def scarcity_price(marginal: CostPoint, rule: StorageRule) -> float:
    """The highest price the rule can give: only working stock left."""
    ratio = rule.normal_cover_months / rule.working_cover_months
    return marginal.cash_usd_kg + (marginal.full_usd_kg - marginal.cash_usd_kg) * ratio**rule.exponent


def adjust(price: float, target: float, rule: StorageRule) -> float:
    """This month's quote: a share ``rule.adjustment`` of the way from last month's to the target."""
    return price + rule.adjustment * (target - price)


def smoothed(previous: float | None, value: float, months: float) -> float:
    """Exponential moving average over about ``months`` months (``value`` at the start)."""
    if previous is None or months <= 1:
        return value
    weight = 1.0 / months
    return previous + weight * (value - previous)


def utilisation_target(price_usd_kg: float, cash_usd_kg: float, full_usd_kg: float, floor: float) -> float:
    """Share of its capacity a producer wants to run at a price: all of it at its full cost or
    above; less between cash and full cost (its dearer ore, circuits and shifts stop first), down
    to ``floor`` at its cash cost and below (a plant in care and maintenance keeps its core
    running until it mothballs)."""
    if price_usd_kg >= full_usd_kg:
        return 1.0
    if price_usd_kg <= cash_usd_kg or full_usd_kg <= cash_usd_kg:
        return floor if price_usd_kg < full_usd_kg else 1.0
    return floor + (1.0 - floor) * (price_usd_kg - cash_usd_kg) / (full_usd_kg - cash_usd_kg)
