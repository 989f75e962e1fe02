"""The month's markets: separated NdPr oxide in two linked pools, Dy/Tb, magnet making, and the
magnet market buyers order from.

State lives in :class:`MarketState` (prices, mark-ups, what buyers remember of suppliers) and in the
plants of a :class:`~magnetdiplomacy.mechanisms.chain.Chain`; the functions here move material
between plants at this month's prices and then update the prices. Pure arithmetic on those small
state objects, the scenario's numbers and what the controls allow (see docs/ODD.md, "Trade").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..parameters import REGIONS, SEGMENTS, DemandSettings, Scenario
from .chain import Chain, Plant, make_magnets, ndpr_per_magnet
from .controls import ControlBook
from .market import MarketView

POOLS = ("china", "exchina")
# Month-on-month pull of magnet mark-ups back to the normal margin, and their bounds.
MARGIN_REVERSION = 0.05
MARGIN_BOUNDS = (-0.3, 3.0)
# Supply-risk premium of Chinese magnets: base, per escalation level, per unit of US-China hostility.
TENSION = (0.1, 0.15, 0.3)
# Share of that tension non-China makers carry for the Dy/Tb they buy in China.
HEAVY_TENSION_SHARE = 0.5
# Makers whose cost depends on Malaysia's own know-how (Malaysian-owned).
LOCAL_KNOW_HOW_MAKERS = ("jslink_magnets",)
# Members of RCEP among maker countries: zero tariffs into Japan and Korea.
RCEP_MAKERS = ("china", "malaysia")
# Maker countries as licence destinations.
MAKER_DESTINATION = {
    "japan": "japan_korea",
    "europe": "europe",
    "united_states": "united_states",
    "malaysia": "malaysia",
    "china": "china",
}


@dataclass(eq=False)
class MarketState:
    """Prices, mark-ups and market memory of a run."""

    prices: dict[str, float]  # ndpr_, dy_ and tb_ in each pool (china, exchina), USD/kg
    margins: dict[str, float]  # magnet mark-up over cost per pool
    reliability: np.ndarray  # last month's fill rate per magnet supplier
    heavy_china_share: dict[str, float]  # share of each maker's Dy/Tb bought in China
    price_history: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    china_offtake_history: list[float] = field(default_factory=list)
    world_oxide_t_yr: float = 0.0
    view: MarketView | None = None
    traded: dict[str, float] = field(default_factory=dict)  # this month's prices, at which it traded
    use_t: dict[str, float] = field(default_factory=dict)  # smoothed monthly NdPr use per pool
    cover_months: dict[str, float] = field(default_factory=dict)  # NdPr stock cover per pool
    # China's Dy and Tb: stocks (t), smoothed monthly use (t), Dy+Tb per t REO of clay feed
    heavy_stock_t: dict[str, float] = field(default_factory=dict)
    heavy_use_t: dict[str, float] = field(default_factory=dict)
    heavy_per_feed: float | None = None
    heavy_utilisation: float = 1.0
    heavy_additions: list[tuple[int, float]] = field(default_factory=list)  # (first tick, share of clay feed)

    @classmethod
    def start(cls, config: Scenario, magnet_plants: Sequence[Plant]) -> MarketState:
        """The 2020 market: both pools at the 2020 prices, normal mark-ups."""
        mkt = config.market
        prices = {
            "ndpr_china": mkt.ndpr_price_usd_kg,
            "ndpr_exchina": mkt.ndpr_price_usd_kg,
            "dy_china": mkt.dy_price_usd_kg,
            "dy_exchina": mkt.dy_price_usd_kg,
            "tb_china": mkt.tb_price_usd_kg,
            "tb_exchina": mkt.tb_price_usd_kg,
        }
        margins = {"china": mkt.magnet_margin, "exchina": mkt.magnet_margin}
        heavy = {plant.name: 1.0 for plant in magnet_plants}
        return cls(prices, margins, np.ones(len(magnet_plants)), heavy)

    def price_average(self, key: str, months: int) -> float:
        """Average of the last ``months`` monthly prices (today's price before any history)."""
        values = self.price_history[key][-months:]
        return float(np.mean(values)) if values else self.prices[key]

    def china_offtake_growth(self, default: float) -> float:
        """Growth of NdPr taken from China's pool (its magnet makers, other uses, exports): last
        twelve months against the twelve before; ``default`` until then."""
        history = self.china_offtake_history
        if len(history) < 24 or sum(history[-24:-12]) <= 0:
            return default
        return sum(history[-12:]) / sum(history[-24:-12]) - 1.0

    def record(self, world_oxide_t: float) -> None:
        """End of month: remember prices and the world's oxide output (annual rate)."""
        self.world_oxide_t_yr = world_oxide_t * 12.0
        for key in ("ndpr_china", "ndpr_exchina", "dy_china", "dy_exchina"):
            self.price_history[key].append(self.prices[key])


# ---- Dy/Tb and magnet making -----------------------------------------------------------------


def make_magnets_all(chain: Chain, planned: Mapping[str, float], config: Scenario, tick: int) -> None:
    """Every magnet maker makes what its plan, its NdPr and (outside China) its Dy/Tb allow."""
    mag = config.magnets
    gross = mag.ndpr_share / mag.finishing_yield
    h, content = mag.heavy_grade_share, mag.heavy_content
    totals = chain.totals
    for plant in chain.magnet_plants:
        goal = planned[plant.name]
        capacity = plant.capacity_t(tick)
        output = min(goal, plant.input_t / gross)
        heavy_cover = 1.0
        if plant.pool == "exchina" and goal > 0:
            heavy_cover = min(1.0, plant.heavy_t / content / (h * goal))
            output = min(output, goal * (1.0 - h) + min(h * goal, plant.heavy_t / content))
            heavy_used = min(h * output, plant.heavy_t / content) * content
            plant.heavy_t -= heavy_used
            totals["heavy_used"] += heavy_used
        output = max(0.0, output)
        result = make_magnets(output * gross, mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
        plant.input_t += result.scrap_recovered_t - output * gross
        plant.input_used_t = output * gross - result.scrap_recovered_t
        plant.output_t = result.magnet_t
        plant.product_t += result.magnet_t
        plant.utilisation = result.magnet_t / capacity if capacity > 0 else 0.0
        plant.effective_capacity_t = capacity * ((1.0 - h) + h * heavy_cover) if plant.pool == "exchina" else capacity
        totals["magnets_made"] += result.magnet_t
        totals["ndpr_in_magnets"] += result.ndpr_in_magnets_t
        totals["ndpr_scrap_lost"] += result.scrap_lost_t


# ---- the magnet market -------------------------------------------------------------------------


def conversion_cost(plant: Plant, config: Scenario, capability: float, local_content: float | None = None) -> float:
    """USD/kg to turn oxide into a magnet at this plant, before any incentive (Malaysian-owned
    plants pay more while local know-how is low; foreign makers bring their own). A plant in
    Malaysia pays less as ``local_content`` rises above its 2020 level (supporting services and
    materials bought locally rather than imported)."""
    conversion = config.market.magnet_conversion_cost_usd_kg * plant.cost_factor
    if plant.name in LOCAL_KNOW_HOW_MAKERS:
        conversion *= 1.0 + config.market.know_how_cost_penalty * (1.0 - capability)
    if plant.country == "malaysia" and local_content is not None:
        know_how = config.development.know_how
        conversion *= 1.0 - know_how.supply_chain_cost_cut * (local_content - know_how.local_content_initial)
    return conversion


def unit_cost(
    plant: Plant,
    prices: Mapping[str, float],
    config: Scenario,
    capability: float,
    incentive_level: float,
    local_content: float | None = None,
) -> float:
    """USD/kg to make a magnet: conversion (know-how and local-content dependent in Malaysia) +
    NdPr + Dy/Tb.

    ``incentive_level`` (0-1) is the share of Malaysia's largest magnet-plant incentive in force."""
    mag = config.magnets
    pool = "china" if plant.pool == "china" else "exchina"
    net = ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
    conversion = conversion_cost(plant, config, capability, local_content)
    if plant.country == "malaysia" and incentive_level:
        conversion *= 1.0 - config.malaysia.incentive_cost_cut * incentive_level
    heavy = mag.heavy_grade_share * mag.heavy_content * heavy_price(prices, pool, mag.tb_share_of_heavy)
    return conversion + net * prices[f"ndpr_{pool}"] + heavy


def incentive_cost_usd(
    plant: Plant, config: Scenario, capability: float, incentive_level: float, local_content: float | None = None
) -> float:
    """What Malaysia's magnet-plant incentive costs the government this month at ``plant``: its
    cut of the plant's conversion cost on the month's output."""
    if not incentive_level or plant.country != "malaysia":
        return 0.0
    conversion = conversion_cost(plant, config, capability, local_content)
    return plant.output_t * 1000.0 * conversion * config.malaysia.incentive_cost_cut * incentive_level


def heavy_price(prices: Mapping[str, float], pool: str, tb_share: float) -> float:
    """USD/kg of the Dy+Tb mix in magnets in a pool."""
    return (1.0 - tb_share) * prices[f"dy_{pool}"] + tb_share * prices[f"tb_{pool}"]


def demand_shock(tick: int, shock_tick: int, demand: DemandSettings) -> float:
    """Demand multiplier of the 2020 shock: a three-month trough, then a linear recovery.

    ``shock_tick`` is the month the shock starts; depth and recovery come from ``demand`` and are
    read only once the shock has begun."""
    since = tick - shock_tick
    if since < 0 or demand.shock_depth <= 0:
        return 1.0
    if since < 3:
        return 1.0 - demand.shock_depth
    return 1.0 - demand.shock_depth * max(0.0, 1.0 - (since - 2) / demand.shock_recovery_months)


def tension(escalation_level: int, relations_us: float) -> float:
    """Supply risk buyers see in Chinese magnets from US-China tension (fraction of price)."""
    base, per_level, per_hostility = TENSION
    return min(1.0, base + per_level * escalation_level + per_hostility * max(0.0, -relations_us))


def market_view(
    chain: Chain,
    market: MarketState,
    config: Scenario,
    controls: ControlBook,
    tick: int,
    costs: Sequence[float],
    risk_tension: float,
    shock: float,
    audited: Sequence[float] | None = None,
) -> MarketView:
    """What buyers see before ordering: prices, tariffs (US tariffs; Japan's and Korea's, zero for
    RCEP members), reach, supply risk, demand growth and how much of each maker's supply is
    audited non-China material.

    ``costs`` are the makers' unit costs (USD/kg), in supplier order; ``audited`` the share of each
    maker's rare earths from audited non-China sources (none when not given)."""
    h = config.magnets.heavy_grade_share
    plants = chain.magnet_plants
    names = [p.name for p in plants]
    price = np.array([cost * (1.0 + market.margins[p.pool]) for cost, p in zip(costs, plants, strict=True)])
    n_regions, n_suppliers = len(REGIONS), len(plants)
    tariff = tariffs(plants, config, controls, tick)
    reachable = np.ones((n_regions, n_suppliers))
    risk = np.zeros((n_regions, n_suppliers))
    china_col = names.index("china_magnets")
    # Non-China makers carry part of the tension for the Dy/Tb they buy in China, in every region.
    exchina_risk = [
        (m, HEAVY_TENSION_SHARE * risk_tension * market.heavy_china_share[p.name])
        for m, p in enumerate(plants)
        if p.pool == "exchina"
    ]
    for r, region in enumerate(REGIONS):
        if region == "china":
            continue
        light = controls.licence_availability("magnet_light", region, tick)
        heavy = controls.licence_availability("magnet_heavy", region, tick)
        reach = (1.0 - h) * light + h * heavy
        reachable[r, china_col] = reach
        risk[r, china_col] = (1.0 - reach) + risk_tension
        for m, value in exchina_risk:
            risk[r, m] = value
    available = np.array([p.capacity_t(tick) > 0 or p.product_t > 0 for p in plants])
    banned = np.array([controls.origin_rule(tick, p.country) for p in plants])
    growth_rate = config.demand.growth_per_year
    segments = config.demand.segments
    growth = (
        np.array([(1.0 + growth_rate + getattr(segments, s).growth_premium) ** (tick / 12.0) for s in SEGMENTS]) * shock
    )
    audit = np.zeros(n_suppliers) if audited is None else np.asarray(audited, dtype=float)
    return MarketView(price, tariff, risk, reachable, available, banned, market.reliability.copy(), growth, audit)


def tariffs(plants: Sequence[Plant], config: Scenario, controls: ControlBook, tick: int) -> np.ndarray:
    """(regions x makers) import tariffs on magnets: the US's on China and Malaysia; Japan's and
    Korea's, zero for RCEP members and the MFN rate for the others."""
    tariff = np.zeros((len(REGIONS), len(plants)))
    us, japan_korea = REGIONS.index("united_states"), REGIONS.index("japan_korea")
    terms = config.development.trade_terms
    for m, plant in enumerate(plants):
        if plant.country in ("china", "malaysia"):
            tariff[us, m] = controls.tariff("United States", plant.country.capitalize(), tick)
        if plant.country != "japan":
            rcep = plant.country in RCEP_MAKERS
            tariff[japan_korea, m] = terms.rcep_magnet_tariff if rcep else terms.japan_korea_mfn_magnet_tariff
    return tariff


def audited_shares(chain: Chain, contracted: Mapping[str, float]) -> list[float]:
    """Share of each maker's rare earths from audited non-China sources: none in China; US makers
    fed by Mountain Pass all; other makers outside China the non-China share of this month's
    ex-China oxide supply, raised by what a contracted non-China separator covers
    (``contracted``: maker -> share)."""
    own = sum(p.output_t for p in chain.plants.values() if p.stage == "separation" and p.pool == "exchina")
    from_china = chain.flows.get("oxide_to_exchina_t", 0.0)
    exchina_nonchina_share = own / (own + from_china) if own + from_china > 1e-9 else 1.0
    shares = []
    for plant in chain.magnet_plants:
        if plant.pool == "china":
            shares.append(0.0)
        elif plant.country == "united_states":
            shares.append(1.0)
        else:
            tied = contracted.get(plant.name, 0.0)
            shares.append(tied + (1.0 - tied) * exchina_nonchina_share)
    return shares


def book_deliveries(chain: Chain, region: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """Magnets delivered this month by buyer region and maker, (regions x makers) tonnes, also
    booked as flows from each maker's country to each region.

    ``region`` is each buyer's region index, ``delivered`` (buyers x makers) its deliveries."""
    n_makers = delivered.shape[1]
    bins = (region[:, None] * n_makers + np.arange(n_makers)[None, :]).ravel()
    flat = np.bincount(bins, weights=delivered.ravel(), minlength=len(REGIONS) * n_makers)
    by_region = flat.reshape(len(REGIONS), n_makers)
    for m, plant in enumerate(chain.magnet_plants):
        for r, name in enumerate(REGIONS):
            if by_region[r, m] > 0:
                chain.edges[("magnets", plant.country, "buyers", name)] += float(by_region[r, m])
    return by_region


def settle_magnet_sales(chain: Chain, market: MarketState, sold: np.ndarray, asked: np.ndarray) -> None:
    """Book what each maker sold and was asked for; buyers remember each maker's fill rate."""
    for m, plant in enumerate(chain.magnet_plants):
        plant.product_t = max(0.0, plant.product_t - sold[m])
        plant.sold_t = sold[m]
        plant.orders_t = asked[m]
        plant.history_orders.append(plant.orders_t)
    market.reliability = np.where(asked > 1e-9, np.clip(sold / np.maximum(asked, 1e-12), 0.0, 1.0), 1.0)
    chain.totals["magnets_delivered"] += float(sold.sum())


def update_margins(chain: Chain, market: MarketState, config: Scenario) -> None:
    """Mark-ups move with how hard orders press on usable capacity, and revert to normal."""
    target = config.magnets.utilisation_target
    mkt = config.market
    low, high = MARGIN_BOUNDS
    for pool in POOLS:
        plants = [p for p in chain.magnet_plants if p.pool == pool]
        capacity = sum(p.effective_capacity_t for p in plants)
        asked = sum(p.orders_t for p in plants)
        if capacity > 1e-9:
            pressure = asked / capacity / target - 1.0
        else:
            pressure = 1.0 if asked > 0 else 0.0
        signal = max(-1.0, min(1.0, pressure))
        margin = (1.0 + market.margins[pool]) * math.exp(mkt.magnet_price_speed * signal) - 1.0
        margin += MARGIN_REVERSION * (mkt.magnet_margin - margin)
        market.margins[pool] = max(low, min(high, margin))
