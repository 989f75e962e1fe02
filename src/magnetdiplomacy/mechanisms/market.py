"""Market clearing: rationing, the two linked oxide pools, buyer choice, deliveries.

Pure functions on floats and NumPy arrays. The model calls them in a fixed order each month; see
docs/ODD.md ("Trade") for the equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TINY = 1e-9


def fill_rate(orders: float, available: float) -> float:
    """Share of orders a seller can serve (proportional rationing)."""
    if orders <= TINY:
        return 1.0
    return max(0.0, min(1.0, available / orders))


@dataclass
class MarketView:
    """What buyers see before ordering: per-supplier prices and per-region frictions."""

    price: np.ndarray  # (suppliers,) USD/kg ex-works
    tariff: np.ndarray  # (regions x suppliers) import tariff
    risk: np.ndarray  # (regions x suppliers) perceived supply risk, fraction of price
    reachable: np.ndarray  # (regions x suppliers) share of an order that may legally be delivered
    available: np.ndarray  # (suppliers,) bool: the supplier is producing
    defence_banned: np.ndarray  # (suppliers,) bool: US defence buyers may not buy here
    reliability: np.ndarray  # (suppliers,) last month's fill rate
    growth: np.ndarray  # (segments,) demand index relative to 2020
    audited: np.ndarray | None = None  # (suppliers,) share of audited non-China rare earths


@dataclass
class PoolTrade:
    """Outcome of clearing the China and ex-China oxide pools for one month."""

    china_to_exchina_t: float
    exchina_to_china_t: float
    fill_china: float
    fill_exchina: float
    export_constrained: bool


def clear_two_pools(
    supply_china: float,
    demand_china: float,
    supply_exchina: float,
    demand_exchina: float,
    export_availability: float,
) -> PoolTrade:
    """Move oxide from the pool with a surplus to the pool with a deficit.

    China's exports reach the ex-China pool only in the share ``export_availability`` that its
    export licences let through; ex-China oxide flows to China freely. Each pool then rations what
    it has among its buyers.
    """
    surplus_china = supply_china - demand_china
    surplus_exchina = supply_exchina - demand_exchina
    to_exchina = to_china = 0.0
    constrained = False
    if surplus_china > 0 and surplus_exchina < 0:
        wanted = min(surplus_china, -surplus_exchina)
        to_exchina = wanted * export_availability
        constrained = export_availability < 1.0
    elif surplus_exchina > 0 and surplus_china < 0:
        to_china = min(surplus_exchina, -surplus_china)
    elif export_availability < 1.0 and surplus_exchina < 0:
        constrained = True
    available_china = supply_china - to_exchina + to_china
    available_exchina = supply_exchina + to_exchina - to_china
    return PoolTrade(
        china_to_exchina_t=to_exchina,
        exchina_to_china_t=to_china,
        fill_china=fill_rate(demand_china, available_china),
        fill_exchina=fill_rate(demand_exchina, available_exchina),
        export_constrained=constrained,
    )


# ---- buyers (vectorised over all buyer agents) ----------------------------------------------
# Buyer arrays are (buyers x suppliers) with few suppliers; NumPy reduces such a narrow axis slowly,
# so row and column totals are taken as matrix-vector products and row minima column by column.
# (A one-sided np.clip is np.maximum or np.minimum; calling those directly skips np.clip's wrapper.)

_ONES: dict[int, np.ndarray] = {}


def _ones(n: int) -> np.ndarray:
    ones = _ONES.get(n)
    if ones is None:
        ones = _ONES[n] = np.ones(n)
        ones.flags.writeable = False
    return ones


def row_sum(a: np.ndarray) -> np.ndarray:
    """Sum of each row."""
    return a @ _ones(a.shape[1])


def col_sum(a: np.ndarray) -> np.ndarray:
    """Sum of each column."""
    return _ones(a.shape[0]) @ a


def row_min(a: np.ndarray) -> np.ndarray:
    """Smallest value of each row."""
    out = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.minimum(out, a[:, j], out=out)
    return out


def logit_targets(cost: np.ndarray, allowed: np.ndarray, sensitivity: float) -> np.ndarray:
    """Target supplier shares per buyer: a logit on cost relative to the buyer's cheapest option.

    ``cost`` and ``allowed`` are (buyers x suppliers); suppliers a buyer may not use get zero.
    """
    masked = np.where(allowed, cost, np.inf)
    best = row_min(masked)[:, None]
    best = np.where(np.isfinite(best), best, 1.0)
    weights = np.where(allowed, np.exp(-sensitivity * (masked / best - 1.0)), 0.0)
    total = row_sum(weights)[:, None]
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)


def move_shares(
    shares: np.ndarray, targets: np.ndarray, reviewing: np.ndarray, max_up: float, max_down: float
) -> np.ndarray:
    """Reviewing buyers move their supplier shares towards ``targets``.

    A share can grow by at most ``max_up`` per review (qualifying a new supplier takes time) and
    shrink by at most ``max_down``; shares are renormalised to sum to one.
    """
    step = np.clip(targets - shares, -max_down, max_up)
    moved = np.where(reviewing[:, None], shares + step, shares)
    moved = np.maximum(moved, 0.0)
    total = row_sum(moved)[:, None]
    # A buyer whose every supplier vanished takes its targets outright.
    return np.where(total > 1e-12, moved / np.where(total > 1e-12, total, 1.0), targets)


@dataclass
class Allocation:
    """Magnet deliveries for one month."""

    delivered: np.ndarray  # (buyers x suppliers) tonnes
    sold: np.ndarray  # (suppliers,) tonnes
    asked: np.ndarray  # (suppliers,) tonnes asked of each supplier, both rounds


def allocate_orders(
    orders: np.ndarray, reachable: np.ndarray, available: np.ndarray, spill_weights: np.ndarray
) -> Allocation:
    """Serve buyers' orders from suppliers' stocks, with one spill-over round.

    ``orders`` (buyers x suppliers) is what each buyer asks of each supplier. ``reachable`` is the
    share of an order that may legally be delivered (export licences, origin rules). Suppliers
    ration proportionally; what a buyer did not get is re-ordered once from suppliers with stock
    left, weighted by ``spill_weights`` (the buyer's preferences).
    """
    legal = orders * reachable
    asked = col_sum(legal)
    first_fill = np.divide(available, asked, out=np.ones_like(asked), where=asked > TINY).clip(0.0, 1.0)
    delivered = legal * first_fill
    left = np.maximum(available - col_sum(delivered), 0.0)
    unmet = row_sum(orders) - row_sum(delivered)
    if unmet.sum() > TINY and left.sum() > TINY:
        weights = spill_weights * reachable * (left > TINY)
        total = row_sum(weights)[:, None]
        share = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
        second = unmet[:, None] * share
        asked2 = col_sum(second)
        second_fill = np.divide(left, asked2, out=np.ones_like(asked2), where=asked2 > TINY).clip(0.0, 1.0)
        delivered = delivered + second * second_fill
        asked = asked + asked2
    return Allocation(delivered=delivered, sold=col_sum(delivered), asked=asked)
