"""Magnet buyers: firms in five segments and six regions choosing whom to buy from.

Each buyer is a Mesa agent (:class:`Buyer`), but its state lives in the columns of a
:class:`BuyerPopulation` so that the same decision rule can run for 300 or 100,000 buyers at once.
A buyer's decision depends only on its own state and last month's market signals, never on another
buyer's decision in the same month, so deciding for all buyers together gives exactly what
``agents.shuffle_do("step")`` would; :meth:`Buyer.step` runs the same rule for one buyer.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..mechanisms.market import MarketView, logit_targets, move_shares, row_sum
from ..mechanisms.streams import RandomStreams
from ..parameters import REGIONS, SEGMENTS, Scenario


def _stratified(count: int, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Category labels matching ``shares`` as closely as whole numbers allow, in random order."""
    exact = shares / shares.sum() * count
    counts = np.floor(exact).astype(int)
    remainder = count - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    labels = np.repeat(np.arange(len(shares)), counts)
    rng.shuffle(labels)
    return labels


def _rake(sizes: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], rounds: int = 50) -> np.ndarray:
    """Iterative proportional fitting: rescale sizes so each grouping's totals hit its targets."""
    sizes = sizes.copy()
    for _ in range(rounds):
        for labels, targets in groups:
            totals = np.bincount(labels, weights=sizes, minlength=len(targets))
            factor = np.divide(targets, totals, out=np.ones_like(targets), where=totals > 0)
            sizes *= factor[labels]
    return sizes


# Spread of buyer sizes (sigma of the lognormal draw before raking to the demand totals).
SIZE_SIGMA = 1.0
# In 2020, a supplier from the buyer's own region weighs this much more than another.
HOME_WEIGHT_2020 = 2.0
# Month-to-month persistence of each buyer's demand noise (AR(1) coefficient).
NOISE_PERSISTENCE = 0.7
# The largest share of a buyer's demand substitution can remove (some uses need NdFeB).
MAX_SUBSTITUTION = 0.6


class BuyerPopulation:
    """Column store and decision rule of all buyer agents."""

    def __init__(
        self,
        config: Scenario,
        streams: RandomStreams,
        suppliers: list[str],
        supplier_regions: list[str],
        initial_supply_t: np.ndarray,
    ) -> None:
        count = config.buyers.count
        demand = config.demand
        self.config = config
        self.streams = streams
        rng = streams.generator("buyers.population")
        self.suppliers = suppliers
        self.segment_shares = np.array([getattr(demand.segments, s).share for s in SEGMENTS])
        self.region_shares = np.array([getattr(demand.regions, r) for r in REGIONS])
        self.segment = _stratified(count, self.segment_shares, rng)
        self.region = _stratified(count, self.region_shares, rng)
        monthly_t = demand.initial_t_yr / 12.0
        sizes = rng.lognormal(0.0, SIZE_SIGMA, count)
        self.base_demand_t = _rake(
            sizes,
            [
                (self.segment, self.segment_shares / self.segment_shares.sum() * monthly_t),
                (self.region, self.region_shares / self.region_shares.sum() * monthly_t),
            ],
        )
        # Buyers of one segment in one region face the same prices, tariffs and risks: costs and
        # target shares are worked out per (segment, region) group, then handed to each buyer.
        n_regions = len(REGIONS)
        self.group = self.segment * n_regions + self.region
        self.group_security = np.repeat([getattr(demand.segments, s).security_weight for s in SEGMENTS], n_regions)
        self.group_region = np.tile(np.arange(n_regions), len(SEGMENTS))
        self.group_esg = np.repeat([getattr(demand.segments, s).esg_weight for s in SEGMENTS], n_regions)
        self.esg_premium = config.development.trade_terms.esg_premium
        us_defence = SEGMENTS.index("defence") * n_regions + REGIONS.index("united_states")
        self.group_is_us_defence = np.arange(len(SEGMENTS) * n_regions) == us_defence
        self.security_multiplier = 1.0  # raised by the buyers' association outside China (set_security_weight)
        self.contract_share = 0.0  # of orders outside China under long-term contracts with non-China makers
        self.china_supplier = suppliers.index("china_magnets")
        self.region_home = np.array(
            [[1.0 if supplier_regions[m] == region else 0.0 for m in range(len(suppliers))] for region in REGIONS]
        )
        self.shares = self._initial_shares(initial_supply_t)
        self.substitution = np.zeros(count)
        self.noise = np.zeros(count)
        self.demand_t = self.base_demand_t.copy()
        self.delivered_t = self.base_demand_t.copy()
        self.shortage_share = np.zeros(count)
        self.landed_cost = np.zeros(count)
        self.landed_cost_2020: np.ndarray | None = None  # set from the first month's market
        self.preferences = self.shares.copy()
        self._draws: dict[str, np.ndarray] = {}

    def set_security_weight(self, multiplier: float) -> None:
        """Buyers outside China weigh supply risk ``multiplier`` times as much (the buyers' association)."""
        self.security_multiplier = multiplier

    def set_esg_premium(self, premium: float) -> None:
        """The premium (fraction of price) buyers who pay for responsible sourcing give audited supply."""
        self.esg_premium = premium

    def set_contract_share(self, share: float) -> None:
        """Buyers outside China place ``share`` of their orders under long-term contracts with makers
        outside China (the buyers' association); the rest they place as before."""
        self.contract_share = share

    def _with_contracts(self, targets: np.ndarray, cost: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """(groups x suppliers) targets once buyers outside China commit ``contract_share`` of their
        orders to makers outside China, shared among those by the same cost rule."""
        outside_china = allowed.copy()
        outside_china[:, self.china_supplier] = False
        contracted = logit_targets(cost, outside_china, self.config.buyers.cost_sensitivity)
        bound = (self.group_region != REGIONS.index("china")) & outside_china.any(axis=1)
        share = self.contract_share
        return np.where(bound[:, None], (1.0 - share) * targets + share * contracted, targets)

    def group_costs(self, view: MarketView) -> np.ndarray:
        """(groups x suppliers) landed cost: price with tariff, home advantage and supply risk."""
        reg = self.group_region
        prices = view.price[None, :]
        cost = prices * (1.0 + view.tariff[reg]) * (1.0 - self.config.buyers.home_bias * self.region_home[reg])
        security = self.group_security * np.where(reg == REGIONS.index("china"), 1.0, self.security_multiplier)
        cost = cost + security[:, None] * view.risk[reg] * prices
        if view.audited is not None and self.esg_premium > 0:
            # Buyers who pay for responsible sourcing value audited supply at a premium.
            cost = cost - (self.esg_premium * self.group_esg)[:, None] * view.audited[None, :] * prices
        return cost

    def set_reference_costs(self, view: MarketView) -> None:
        """Fix each buyer's 2020 landed cost, against which price rises are measured."""
        landed = row_sum(self.shares * self.group_costs(view)[self.group])
        self.landed_cost_2020 = np.where(landed > 0, landed, 1.0)

    def _initial_shares(self, supply_t: np.ndarray) -> np.ndarray:
        """2020 supplier shares: Chinese buyers buy in China; others split so supplier totals match ``supply_t``."""
        count, suppliers = len(self.segment), len(self.suppliers)
        china = self.suppliers.index("china_magnets")
        reachable = supply_t > 0
        weights = np.where(reachable, 1.0 + HOME_WEIGHT_2020 * self.region_home[self.region], 0.0)
        weights = np.broadcast_to(weights, (count, suppliers)).copy()
        chinese = self.region == REGIONS.index("china")
        weights[chinese] = 0.0
        weights[chinese, china] = 1.0
        demand = self.base_demand_t
        for _ in range(100):  # rows sum to each buyer's demand, columns to each supplier's output
            weights *= (demand / np.maximum(weights.sum(axis=1), 1e-12))[:, None]
            column = weights.sum(axis=0)
            weights *= np.divide(supply_t, column, out=np.zeros_like(column), where=column > 0)[None, :]
        shares = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
        return shares

    # ---- one month ---------------------------------------------------------------------

    def draw(self) -> None:
        """Draw this month's random numbers for every buyer (one call, so results do not depend on order)."""
        count = len(self.segment)
        self._draws = {
            "review": self.streams.generator("buyers.review").random(count),
            "noise": self.streams.generator("buyers.noise").normal(0.0, 1.0, count),
        }

    def decide(self, view: MarketView, index: np.ndarray | slice = slice(None)) -> None:
        """Each buyer in ``index`` sets this month's demand and, if reviewing, moves its supplier shares."""
        cfg = self.config
        seg = self.segment[index]
        group = self.group[index]
        cost_g = self.group_costs(view)
        # A supplier that failed to deliver last month looks dearer to a reviewing buyer.
        allowed_g = view.available[None, :] & (view.reachable[self.group_region] > 0)
        allowed_g &= ~(self.group_is_us_defence[:, None] & view.defence_banned[None, :])
        seen_g = cost_g * (2.0 - view.reliability[None, :])
        targets_g = logit_targets(seen_g, allowed_g, cfg.buyers.cost_sensitivity)
        if self.contract_share > 0:
            targets_g = self._with_contracts(targets_g, seen_g, allowed_g)
        targets = targets_g[group]

        reviewing = self._draws["review"][index] < cfg.buyers.review_probability
        per_review = 1.0 / (cfg.buyers.qualification_months * cfg.buyers.review_probability)
        self.shares[index] = move_shares(
            self.shares[index], targets, reviewing, max_up=per_review, max_down=2.0 * per_review
        )
        self.preferences[index] = targets

        landed = row_sum(self.shares[index] * cost_g[group])
        self.landed_cost[index] = landed
        assert self.landed_cost_2020 is not None, "set_reference_costs comes first"
        ratio = landed / self.landed_cost_2020[index]

        # Substitution away from NdFeB: driven by dear or missing magnets, capped per year.
        pressure = np.maximum(ratio / cfg.demand.substitution_trigger - 1.0, 0.0) + self.shortage_share[index]
        step = cfg.demand.substitution_cap_per_year / 12.0 * np.clip(pressure, 0.0, 1.0)
        self.substitution[index] = np.clip(self.substitution[index] + step, 0.0, MAX_SUBSTITUTION)

        self.noise[index] = NOISE_PERSISTENCE * self.noise[index] + cfg.demand.noise_sd * self._draws["noise"][index]
        elasticity = cfg.demand.price_elasticity
        self.demand_t[index] = (
            self.base_demand_t[index]
            * view.growth[seg]
            * np.power(np.maximum(ratio, 1e-6), elasticity)
            * (1.0 - self.substitution[index])
            * np.exp(self.noise[index])
        )

    def orders(self) -> np.ndarray:
        """(buyers x suppliers) tonnes each buyer asks of each supplier this month."""
        return self.demand_t[:, None] * self.shares

    def receive(self, delivered: np.ndarray) -> None:
        """Record deliveries; what was missing raises next month's substitution pressure."""
        self.delivered_t = row_sum(delivered)
        self.shortage_share = np.clip(
            1.0 - np.divide(self.delivered_t, self.demand_t, out=np.ones_like(self.demand_t), where=self.demand_t > 0),
            0.0,
            1.0,
        )

    def esg_share(self, delivered: np.ndarray, makers: list[int]) -> float:
        """Share of the magnets delivered to buyers who pay the ESG premium (weighted by how much of
        it they pay) that came from ``makers`` (column indices)."""
        weight = self.group_esg[self.group]
        total = float((weight * delivered.sum(axis=1)).sum())
        return float((weight * delivered[:, makers].sum(axis=1)).sum()) / total if total > 1e-12 else 0.0

    def demand_by_region(self) -> dict[str, float]:
        """This month's demand (t) per buyer region."""
        totals = np.bincount(self.region, weights=self.demand_t, minlength=len(REGIONS))
        return {region: float(totals[r]) for r, region in enumerate(REGIONS)}

    def demand_by_segment(self) -> np.ndarray:
        """This month's demand (t) per segment."""
        return np.bincount(self.segment, weights=self.demand_t, minlength=len(SEGMENTS))

    def table(self, tick: int) -> dict[str, np.ndarray]:
        """Columns of the agent table for every buyer at ``tick``."""
        columns = {
            "tick": np.full(len(self.segment), tick),
            "segment": np.array(SEGMENTS)[self.segment],
            "region": np.array(REGIONS)[self.region],
            "demand_t": self.demand_t,
            "delivered_t": self.delivered_t,
            "substitution": self.substitution,
            "landed_cost_usd_kg": self.landed_cost,
        }
        for m, name in enumerate(self.suppliers):
            columns[f"share_{name}"] = self.shares[:, m]
        return columns


class Buyer(mesa.Agent):
    """A magnet-buying firm. Its state is row ``index`` of the model's :class:`BuyerPopulation`."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def population(self) -> BuyerPopulation:
        return self.model.buyer_population

    @property
    def segment(self) -> str:
        return SEGMENTS[self.population.segment[self.index]]

    @property
    def region(self) -> str:
        return REGIONS[self.population.region[self.index]]

    @property
    def demand_t(self) -> float:
        return float(self.population.demand_t[self.index])

    def step(self) -> None:
        """Set this month's demand and supplier shares (the rule the model runs for all buyers at once)."""
        self.population.decide(self.model.market.view, np.array([self.index]))
