"""The physical month upstream of the markets: mining, ore shipments, separation, Dy/Tb circuits
and magnet makers' production plans.

Rules on plants (small state objects, :mod:`~magnetdiplomacy.mechanisms.chain`) and plain numbers;
what controls, licences and ties allow this month comes in as a :class:`Conditions` record, so each
rule can be tested without a model. Tonnages that cross a stage are added to the ``totals`` ledger
(checked by the mass balance) and to the month's flow ``edges``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..parameters import CostSettings, Scenario
from .chain import Parcel, Plant, ndpr_per_magnet, separate
from .controls import LicenceState
from .pricing import utilisation_target

# Where each mine's ore may go, in order of preference.
ORE_ROUTES = {
    "china_mines": ("china_separation",),
    "myanmar_mines": ("china_separation",),
    "row_to_china_mines": ("china_separation",),
    "mountain_pass": ("mp_separation", "china_separation"),
    "mt_weld": ("lynas_malaysia", "lynas_relocated"),
    "row_domestic_mines": ("other_separation",),
    "perak_pilot": ("jv_refinery", "lynas_malaysia", "china_separation"),
    "jv_mine": ("jv_refinery",),
    "malaysia_illegal_mines": ("china_separation",),
    "new_mines": ("new_separation",),
}

# Mines working outside the law: their ore leaves whatever the ban says.
ILLEGAL_MINES = ("malaysia_illegal_mines",)
# Licensed Malaysian mines, part of whose ore is smuggled out under the ban.
LICENSED_MALAYSIAN_MINES = ("perak_pilot", "jv_mine")
# Dy/Tb circuits and the separation plant whose co-products feed them.
HEAVY_CIRCUITS = (("lynas_heavy", "lynas_malaysia"), ("mp_heavy", "mp_separation"))
# Share of a parent plant's co-product stream a Dy/Tb circuit can draw on.
HEAVY_SHARE_OF_COPRODUCT = 0.05
# Beyond this many months of output piled up unshipped, a mine slows down (to zero at twice that).
MINE_STOCK_SLOWDOWN = (1.5, 4.0)

Totals = defaultdict[str, float]
Edges = defaultdict[tuple[str, str, str, str], float]


@dataclass(frozen=True)
class Conditions:
    """What policy and ties allow in the chain this month."""

    tick: int
    licence: LicenceState  # Lynas Malaysia's operating licence
    raw_ore_ban: bool  # Malaysia's raw-ore export ban
    mountain_pass_to_china: bool  # Mountain Pass ore may still go to China (not at escalation >= 2)
    malaysian_ore_to_lynas: bool  # a Malaysian state has a supply tie with Lynas
    china_mining_quota_t_yr: float
    china_separation_quota_t_yr: float
    china_imports_under_quota: bool
    illegal_mining_t: float = 0.0  # t REO mined illegally in Malaysia this month (all of it leaves)
    ore_leak_share: float = 0.0  # share of licensed Malaysian mines' ore smuggled out under the ban


def mine(plants: Mapping[str, Plant], conditions: Conditions, totals: Totals) -> None:
    """Every mine produces: China's to its mining quota, the others to capacity.

    Unshipped ore piles up at the mine: it works at full rate while its stock is under two months'
    output and slows to a stop at six (rate = clip(1.5 - stock / (4 x monthly capacity), 0, 1)).
    """
    t = conditions.tick
    high, span = MINE_STOCK_SLOWDOWN
    for plant in plants.values():
        if plant.stage != "mine":
            continue
        capacity = plant.capacity_t(t)
        if plant.name == "china_mines":
            capacity = conditions.china_mining_quota_t_yr / 12.0
        elif plant.name in ILLEGAL_MINES:
            capacity = conditions.illegal_mining_t
        factor = min(1.0, max(0.0, high - plant.ore.reo_t / (span * capacity))) if capacity > 0 else 0.0
        reo = capacity * factor
        plant.output_t = reo
        plant.utilisation = factor
        plant.ore.add(Parcel(reo, reo * plant.grade))
        totals["mined_reo"] += reo


def route_open(mine_plant: Plant, dest: Plant, conditions: Conditions) -> bool:
    """May ore from ``mine_plant`` go to separator ``dest`` this month?"""
    if dest.name == "china_separation":
        if mine_plant.name in ILLEGAL_MINES:
            return True  # smuggled: the ban does not stop it, policing shrinks it
        if mine_plant.country == "malaysia":
            return not conditions.raw_ore_ban
        if mine_plant.name == "mountain_pass":
            return conditions.mountain_pass_to_china
        return True
    if dest.capacity_t(conditions.tick) <= 0:
        return False
    if dest.name == "lynas_malaysia":
        if not conditions.licence.valid:
            return False
        if mine_plant.country == "malaysia":
            return conditions.malaysian_ore_to_lynas
    return True


def china_separation_ceiling(conditions: Conditions) -> float:
    """China's monthly separation allowance for domestic ore (t REO): its separation quota."""
    return conditions.china_separation_quota_t_yr / 12.0


def china_ndpr_capacity_t(
    plants: Mapping[str, Plant], conditions: Conditions, china_imports_reo: float, config: Scenario
) -> float:
    """NdPr China's separators may make in a month (t): the quota, plus imported ore while it
    does not count against the quota, at the grade of their feed."""
    imports = 0.0 if conditions.china_imports_under_quota else china_imports_reo
    grade = plants["china_separation"].ore.grade or config.mines.ndpr_grade
    return (china_separation_ceiling(conditions) + imports) * grade * config.separation.recovery


def feed_room(mine_plant: Plant, dest: Plant, conditions: Conditions, config: Scenario, kalgoorlie: Plant) -> float:
    """t REO a separator will take from this mine this month."""
    if dest.name == "china_separation":
        stockpile = config.china.ore_stockpile_months
        return max(0.0, china_separation_ceiling(conditions) * (1.0 + stockpile) - dest.ore.reo_t)
    recovery = config.separation.recovery
    capacity_reo = dest.capacity_t(conditions.tick) / (max(mine_plant.grade, 1e-6) * recovery)
    room = max(0.0, capacity_reo * (1.0 + config.market.stock_cover_months) - dest.ore.reo_t)
    if dest.name == "lynas_malaysia" and mine_plant.name == "mt_weld":
        licence = conditions.licence
        if not (licence.cracking_allowed and licence.concentrate_import_allowed):
            # Cracking and leaching must happen at Kalgoorlie: its capacity bounds the feed.
            room = min(room, kalgoorlie.capacity_t(conditions.tick) / (mine_plant.grade * recovery))
    return room


def ship_ore(plants: Mapping[str, Plant], conditions: Conditions, config: Scenario, edges: Edges) -> dict[str, float]:
    """Mines ship ore to separators along their routes, in order of preference.

    Returns the month's ore imports into China, Malaysia's legal ore exports and the Malaysian ore
    that left illegally (t REO): illegal mining's output and, under the ban, the share of licensed
    mines' ore smuggled out (``conditions.ore_leak_share``). Smuggled ore is not declared: it
    enters China's ore stock but not its customs imports, so its separation counts against the
    quota (laundered), never above it."""
    china_sep = plants["china_separation"]
    kalgoorlie = plants["kalgoorlie"]
    shipped = {"china_imports_reo": 0.0, "malaysia_ore_exports_t": 0.0, "malaysia_ore_leaked_t": 0.0}
    if conditions.raw_ore_ban and conditions.ore_leak_share > 0:
        for name in LICENSED_MALAYSIAN_MINES:
            parcel = plants[name].ore.take(plants[name].output_t * conditions.ore_leak_share)
            china_sep.ore.add(parcel)
            edges[("mine", "malaysia", "separation", "china")] += parcel.reo_t
            shipped["malaysia_ore_leaked_t"] += parcel.reo_t
    for mine_name, routes in ORE_ROUTES.items():
        mine_plant = plants[mine_name]
        for dest_name in routes:
            if mine_plant.ore.reo_t <= 1e-9:
                break
            dest = plants[dest_name]
            if not route_open(mine_plant, dest, conditions):
                continue
            parcel = mine_plant.ore.take(feed_room(mine_plant, dest, conditions, config, kalgoorlie))
            dest.ore.add(parcel)
            edges[("mine", mine_plant.country, "separation", dest.country)] += parcel.reo_t
            if mine_plant.name in ILLEGAL_MINES:
                shipped["malaysia_ore_leaked_t"] += parcel.reo_t
            elif dest is china_sep and mine_plant.name != "china_mines":
                shipped["china_imports_reo"] += parcel.reo_t
                if mine_plant.country == "malaysia":
                    shipped["malaysia_ore_exports_t"] += parcel.reo_t
    return shipped


def respond_to_price(plant: Plant, price: float, response: float, floor: float) -> None:
    """Utilisation drifts (a share ``response`` a month) towards what the price makes worth
    running: full at or above the plant's full cost, less between cash and full cost, ``floor``
    at or below its cash cost (producers below cash cost cut output)."""
    target = utilisation_target(price, plant.cash_cost_usd_kg, plant.full_cost_usd_kg, floor)
    plant.utilisation += response * (target - plant.utilisation)


def review_operations(plant: Plant, price: float, costs: CostSettings) -> str | None:
    """A separator outside China mothballs after ``closure_months`` in a row below cash cost and
    restarts after ``restart_months`` in a row above full cost; returns what changed, if anything."""
    plant.months_below_cash = plant.months_below_cash + 1 if price < plant.cash_cost_usd_kg else 0
    plant.months_above_full = plant.months_above_full + 1 if price >= plant.full_cost_usd_kg else 0
    if not plant.mothballed and plant.months_below_cash >= costs.closure_months:
        plant.mothball()
        return f"{plant.owner}: {plant.name} mothballed after {plant.months_below_cash} months below cash cost"
    if plant.mothballed and plant.months_above_full >= costs.restart_months:
        plant.restart()
        return f"{plant.owner}: {plant.name} restarts after {plant.months_above_full} months above full cost"
    return None


def separation_limit(
    plant: Plant,
    conditions: Conditions,
    config: Scenario,
    china_imports_reo: float,
    price_usd_kg: float,
) -> float | None:
    """t REO a separator may process this month at the NdPr price it realises (``None``: it does
    not run)."""
    costs = config.costs
    if plant.name == "china_separation":
        # The quota is a ceiling on throughput; below cost, separators slow down and the
        # unprocessed ore stays in China's stockpile.
        imports = 0.0 if conditions.china_imports_under_quota else china_imports_reo
        ceiling = china_separation_ceiling(conditions) + imports
        respond_to_price(plant, price_usd_kg, config.market.producer_response, costs.curtailment_floor)
        return ceiling * plant.utilisation
    if plant.name == "lynas_malaysia" and not conditions.licence.valid:
        return None
    capacity = plant.capacity_t(conditions.tick)
    if capacity <= 0:
        return None
    respond_to_price(plant, price_usd_kg, config.market.producer_response, costs.curtailment_floor)
    return capacity * plant.utilisation / (max(plant.ore.grade, 1e-6) * config.separation.recovery)


def separate_all(
    plants: Mapping[str, Plant],
    conditions: Conditions,
    config: Scenario,
    china_imports_reo: float,
    realised: Mapping[str, float],
    totals: Totals,
) -> None:
    """Every separator with feed runs within its limit; NdPr joins its stock, losses are booked.

    ``realised`` is the NdPr price each separator realises (by plant name)."""
    recovery = config.separation.recovery
    for plant in plants.values():
        if plant.stage != "separation" or plant.ore.reo_t <= 0:
            continue
        limit = separation_limit(plant, conditions, config, china_imports_reo, realised[plant.name])
        if limit is None:
            continue
        feed = plant.ore.take(limit)
        result = separate(feed, recovery)
        plant.feed_used = feed
        plant.output_t = result.ndpr_t
        plant.coproduct_t = result.coproduct_t
        plant.product_t += result.ndpr_t
        totals["separated_feed_reo"] += feed.reo_t
        totals["separated_ndpr"] += result.ndpr_t
        totals["coproduct"] += result.coproduct_t
        totals["separation_loss"] += result.loss_t


def heavy_circuits(plants: Mapping[str, Plant], conditions: Conditions, totals: Totals) -> None:
    """Dy/Tb circuits draw on their parent plant's co-product stream."""
    t = conditions.tick
    for name, parent_name in HEAVY_CIRCUITS:
        plant, parent = plants[name], plants[parent_name]
        if name == "lynas_heavy" and not conditions.licence.valid:
            continue
        output = min(plant.capacity_t(t), HEAVY_SHARE_OF_COPRODUCT * parent.coproduct_t)
        parent.coproduct_t -= output
        totals["coproduct"] -= output
        plant.output_t = output
        plant.product_t += output
        totals["heavy_made"] += output


def plan_magnets(magnet_plants: Iterable[Plant], tick: int, cover_months: float) -> dict[str, float]:
    """Each magnet maker plans to make last month's orders plus the gap to its target stock,
    within what it could make last month (its capacity, less the heavy grades it lacked Dy/Tb
    for): it does not buy NdPr for magnets it cannot finish."""
    planned = {}
    for plant in magnet_plants:
        expected = plant.orders_t
        want = expected + cover_months * expected - plant.product_t
        capacity = plant.capacity_t(tick)
        if plant.effective_capacity_t > 0:
            capacity = min(capacity, plant.effective_capacity_t)
        planned[plant.name] = min(capacity, max(0.0, want))
    return planned


def import_capacity_t_yr(plants: Mapping[str, Plant], tick: int) -> float:
    """Ore the mines that ship to China can supply in a year (t REO), declared imports only
    (smuggled ore is not customs imports)."""
    return sum(
        p.capacity_t_yr(tick)
        for name, p in plants.items()
        if p.stage == "mine"
        and name not in ("china_mines", *ILLEGAL_MINES)
        and ORE_ROUTES[name][0] == "china_separation"
    )


def balanced_china_quota(plants: Mapping[str, Plant], config: Scenario) -> float:
    """China's mining quota (t REO/yr) at which the first year's NdPr supply meets its demand.

    Demand: the first year's magnets (the start month's rate grown half a year) at net NdPr per
    tonne, plus other uses. Supply: non-China separation (bounded by its own mines' ore), ore
    other countries send to China, and China's own ore, separated at its separation quota.
    """
    mag, recovery = config.magnets, config.separation.recovery
    first_year = config.demand.initial_t_yr * (1.0 + config.demand.growth_per_year) ** 0.5
    net = ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
    need = first_year * net / (1.0 - mag.non_magnet_ndpr_share)
    outside = 0.0
    imports = 0.0
    for name, routes in ORE_ROUTES.items():
        mine_plant = plants[name]
        if name in ("china_mines", *ILLEGAL_MINES) or mine_plant.capacity_t_yr(0) <= 0:
            continue  # smuggled ore is separated within China's quota, not beside it
        ndpr = mine_plant.capacity_t_yr(0) * mine_plant.grade * recovery
        open_route = next(
            (plants[r] for r in routes if r == "china_separation" or plants[r].capacity_t_yr(0) > 0), None
        )
        if open_route is None:
            continue
        if open_route.name == "china_separation":
            imports += ndpr
        else:
            outside += min(ndpr, open_route.capacity_t_yr(0))
    domestic = max(0.0, need - outside - imports)
    return domestic / (config.mines.ndpr_grade * recovery) / config.china.separation_to_mining_quota
