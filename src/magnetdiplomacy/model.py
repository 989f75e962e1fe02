"""MagnetDiplomacyModel: the order of events in a month, the material chain and data collection.

One tick is one month. Each ``step``:

1. fires the actions dated this month (replayed history, scenario interventions, live ones);
2. the states decide in a fixed order: United States, China, Malaysia;
3. the firms decide (random order): expansions, relocation, offtake ties;
4. production and trade: mining -> ore shipments -> separation -> heavy rare earths ->
   magnet makers plan -> oxide market -> magnet making -> buyers order -> magnet market;
5. accounts: Malaysia's value added, jobs and export revenue; revealed alignment;
6. the data collector records one row.

Mechanisms (market clearing, controls, partnerships, alignment, economics, chain) live in
:mod:`magnetdiplomacy.mechanisms`; agents call them, this class orders them.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from . import history
from mesa.agentset import AgentSet

from .agents.buyers import Buyer, BuyerPopulation, MarketView
from .agents.firms import Firm, JSLink, Lynas, NewProjects
from .agents.states import China, Malaysia, Partner, UnitedStates
from .interventions import apply_action, validate_action
from .mechanisms import economics
from .mechanisms.alignment import Pulls, revealed_alignment, trade_tilt, update_alignment
from .mechanisms.chain import Parcel, make_magnets, ndpr_per_magnet, separate
from .mechanisms.controls import ControlBook, LicenceState
from .mechanisms.market import allocate_orders, clear_two_pools, update_pool_prices
from .mechanisms.partnerships import TIE_WEIGHTS, PartnershipGraph
from .parameters import REGIONS, SEGMENTS, Scenario
from .scenario import load_scenario
from .timeline import month_index, months_between, parse_month, tick_date, tick_label, tick_of
from .world import NEVER, ORE_ROUTES, SUPPLIER_REGIONS, SUPPLIERS, build_plants

# Output columns required by the design's contract, in order.
CONTRACT_COLUMNS = (
    "tick", "date", "malaysia_alignment", "malaysia_magnet_share_global", "malaysia_magnet_share_nonchina",
    "malaysia_oxide_share_global", "china_mine_share", "china_separation_share", "china_magnet_share",
    "world_mine_t", "world_oxide_t", "world_magnet_t", "magnet_demand_t", "price_ndpr_china_usd_kg",
    "price_ndpr_exchina_usd_kg", "price_magnet_exchina_usd_kg", "lynas_ndpr_t", "jslink_magnet_t",
    "us_tariff_malaysia", "china_export_licence_rate", "malaysia_jobs", "malaysia_value_added_usd",
    "partnerships_active",
)

# How each buyer region counts in Malaysia's trade orientation (+1 US side, -1 China).
REGION_BLOC = {"china": -1.0, "united_states": 1.0, "europe": 0.5, "japan_korea": 0.5, "southeast_asia": 0.0, "rest_of_world": 0.0}
# Maker countries as licence destinations.
MAKER_DESTINATION = {"japan": "japan_korea", "europe": "europe", "united_states": "united_states", "malaysia": "malaysia", "china": "china"}


@dataclass
class Offer:
    kind: str
    sender: str
    receiver: str
    tick: int
    expires: int
    status: str = "open"


class MagnetDiplomacyModel(mesa.Model):
    """The rare-earth magnet race around Malaysia, one month per step.

    Args:
        config: scenario name (``"baseline"``), path to a YAML file, or a :class:`Scenario`.
        rng: seed or numpy Generator; ``None`` uses the scenario's ``run.seed`` so a scenario is
            reproducible by default.
        **parameters: overrides by dotted path, e.g. ``**{"china.licence_grant_rate": 0.3}``, or
            with ``__`` as separator (``china__licence_grant_rate=0.3``) as ``mesa.batch_run`` passes
            plain keywords.
    """

    def __init__(self, config: str | Path | Scenario | None = None, *, rng: Any = None, **parameters: Any) -> None:
        scenario = load_scenario(config, parameters or None) if parameters or not isinstance(config, Scenario) else config
        seed = scenario.run.seed if rng is None else rng
        super().__init__(rng=seed)
        self.config = scenario
        self.seed = seed if isinstance(seed, (int, np.integer)) else None
        self.start = scenario.run.start
        self.n_ticks = months_between(scenario.run.start, scenario.run.end) + 1
        self.tick = 0
        self.replay_until = tick_of(self.start, scenario.replay.until) if scenario.replay.enabled else -1
        self.controls = ControlBook()
        self.partnerships = PartnershipGraph()
        self.event_log: list[dict] = []
        self.offers: list[Offer] = []
        self.plants = build_plants(scenario)
        self.magnet_plants = [self.plants[name] for name in SUPPLIERS]
        mkt = scenario.market
        self.prices = {"ndpr_china": mkt.ndpr_price_usd_kg, "ndpr_exchina": mkt.ndpr_price_usd_kg, "dy_china": mkt.dy_price_usd_kg, "dy_exchina": mkt.dy_price_usd_kg}
        self.margins = {"china": mkt.magnet_margin, "exchina": mkt.magnet_margin}
        self.price_history: dict[str, list[float]] = defaultdict(list)
        self.totals: dict[str, float] = defaultdict(float)
        self.flows: dict[str, float] = {}
        self.reliability = np.ones(len(SUPPLIERS))
        self.heavy_china_share = {plant.name: 1.0 for plant in self.magnet_plants}
        self.world_oxide_t_yr = 0.0
        self.china_offtake_history: list[float] = []
        self.sales_window: deque = deque(maxlen=12)
        self.indicators: dict[str, Any] = {}
        # Reporting only: a caller that keeps just the output contract's columns (a sweep) skips the rest.
        self.contract_indicators_only = False

        # agents: states, firms, buyers
        self.us = UnitedStates(self)
        self.china = China(self)
        self.malaysia = Malaysia(self)
        self.lynas = Lynas(self)
        self.jslink = JSLink(self)
        others = [
            Firm(self, "MP Materials", ["mountain_pass", "mp_separation", "mp_heavy", "us_magnets"]),
            Firm(self, "Japanese magnet makers", ["japan_magnets"]),
            Firm(self, "Other magnet makers", ["row_magnets"]),
            Firm(self, "Rest-of-world miners", ["myanmar_mines", "row_to_china_mines", "row_domestic_mines"]),
            Firm(self, "Other separators", ["other_separation"]),
            NewProjects(self),
        ]
        self.partners = [Partner(self, "Korea", "korea_partnership"), Partner(self, "Australia", "australia_partnership")]
        self.states = [self.us, self.china, *self.partners, self.malaysia]
        self.firms = AgentSet([self.lynas, self.jslink, *others], random=self.random)
        self._set_initial_orders()
        self.buyer_population = BuyerPopulation(scenario, self.rng, list(SUPPLIERS), list(SUPPLIER_REGIONS), np.array([p.orders_t for p in self.magnet_plants]) * 12.0)
        Buyer.create_agents(self, scenario.buyers.count, index=list(range(scenario.buyers.count)))
        self.market_view = self._market_view()

        # what happens when: replayed history, the initial licence, scenario interventions
        self.scheduled = self._build_schedule()
        self.live_queue: list[tuple[str, dict]] = []
        self.agent_rows: list[dict] = []
        self.datacollector = mesa.DataCollector(model_reporters={name: _reporter(name) for name in self.column_names()})
        self.running = self.n_ticks > 0

    # ---- calendar ------------------------------------------------------------------------

    @property
    def date(self):
        return tick_date(self.start, self.tick)

    @property
    def year(self) -> int:
        return parse_month(tick_label(self.start, self.tick))[0]

    @property
    def month(self) -> int:
        return parse_month(tick_label(self.start, self.tick))[1]

    def tick_at(self, when: str) -> int:
        return tick_of(self.start, str(when))

    def label_of(self, tick: int) -> str:
        return tick_label(self.start, tick) if abs(tick) < NEVER // 2 else "never"

    def player_controls(self, seat: str) -> bool:
        """True when a person plays ``seat`` (united_states, china, malaysia, lynas, jslink, buyers)."""
        return getattr(self.config.controllers, seat) == "player"

    @property
    def replaying(self) -> bool:
        """True while the events replay, not the agents, decides policy."""
        return self.tick <= self.replay_until

    @property
    def licence(self) -> LicenceState:
        return self.controls.plant_licence("Lynas Malaysia", self.tick)

    # ---- set-up --------------------------------------------------------------------------

    def _set_initial_orders(self) -> None:
        """2020 orders per magnet maker: non-China makers run near full, China supplies the rest."""
        demand_t = self.config.demand.initial_t_yr / 12.0
        for plant in self.magnet_plants:
            plant.orders_t = 0.0 if plant.name == "china_magnets" else plant.capacity_t(0) * 0.9
        china = self.plants["china_magnets"]
        china.orders_t = max(0.0, demand_t - sum(p.orders_t for p in self.magnet_plants))
        cover = self.config.market.stock_cover_months
        gross = self.config.magnets.ndpr_share / self.config.magnets.finishing_yield
        heavy = self.config.magnets.heavy_grade_share * self.config.magnets.heavy_content * self.config.market.heavy_stock_months
        for plant in self.magnet_plants:
            plant.product_t = cover * plant.orders_t
            plant.input_t = cover * plant.orders_t * gross
            if plant.pool == "exchina":
                plant.heavy_t = heavy * plant.orders_t
                self.totals["heavy_from_china"] += plant.heavy_t  # opening stocks were bought in China
            self.totals["ndpr_opening"] += plant.input_t
            self.totals["magnet_opening"] += plant.product_t
        # Separators hold a month of output at the start.
        recovery = self.config.separation.recovery
        imports = sum(self.plants[n].capacity_t(0) * self.plants[n].grade for n in ("myanmar_mines", "row_to_china_mines", "mountain_pass"))
        china = self.plants["china_separation"]
        china.product_t = cover * recovery * (self.china.separation_quota_t_yr / 12.0 * self.config.mines.ndpr_grade + imports)
        self.totals["ndpr_opening"] += china.product_t
        for plant in self.plants.values():
            if plant.stage == "separation" and plant is not china:
                plant.product_t = cover * plant.capacity_t(0)
                self.totals["ndpr_opening"] += plant.product_t

    def _build_schedule(self) -> list[history.ScheduledAction]:
        cfg = self.config
        actions: list[history.ScheduledAction] = []
        initial = history.initial_licence(self.start)
        if initial is not None:
            event, params = initial
            params = dict(params)
            params["start"] = event.date
            params.pop("term_months", None)
            actions.append(history.ScheduledAction(0, (-1, event.date, event.id), "malaysia_lynas_licence", params, f"events.csv:{event.id}", f"Licence in force at the start: {event.description}", event.actor, event.target, event.kind))
        if cfg.replay.enabled:
            actions += history.schedule(self.start, cfg.replay.until, cfg.replay.exclude)
        rule = self.tick_at(cfg.us.defence_rule_start)
        actions.append(history.ScheduledAction(max(0, rule), (month_index(cfg.us.defence_rule_start), cfg.us.defence_rule_start, "us.defence_rule_start"), "us_defence_origin_rule", {}, "parameter:us.defence_rule_start"))
        for i, item in enumerate(cfg.interventions):
            validate_action(item.action, item.params)
            tick = self.tick_at(item.date)
            actions.append(history.ScheduledAction(tick, (month_index(item.date), item.date, f"I{i:03d}"), item.action, dict(item.params), f"scenario:{cfg.name}", item.note))
        return sorted(a for a in actions if a.tick < self.n_ticks)

    # ---- public API for interfaces -------------------------------------------------------

    def fire(self, action: str, **params: Any) -> None:
        """Queue a live intervention; it takes effect at the start of the next step."""
        validate_action(action, params)
        self.live_queue.append((action, params))

    @classmethod
    def column_names(cls) -> list[str]:
        return list(CONTRACT_COLUMNS) + EXTRA_COLUMNS

    def log_event(self, actor: str, target: str, kind: str, description: str, *, source: str = "agent", action: str = "") -> None:
        self.event_log.append({"tick": self.tick, "date": self.date, "actor": actor, "target": target, "kind": kind, "description": description, "source": source, "action": action})

    # ---- offers and ties (used by agents and actions) -------------------------------------

    def make_offer(self, sender: str, receiver: str, kind: str, months: int = 12) -> None:
        self.close_offer(kind, "replaced")
        self.offers.append(Offer(kind, sender, receiver, self.tick, self.tick + months))

    def months_since_offer(self, kind: str) -> int:
        """Months since an offer of this kind was last made (a large number if never)."""
        ticks = [o.tick for o in self.offers if o.kind == kind]
        return self.tick - max(ticks) if ticks else NEVER

    def has_offer(self, kind: str) -> bool:
        return any(o.kind == kind and o.status == "open" for o in self.offers)

    def open_offers(self, receiver: str) -> list[Offer]:
        return [o for o in self.offers if o.receiver == receiver and o.status == "open" and o.tick < self.tick]

    def close_offer(self, kind: str, status: str) -> None:
        for offer in self.offers:
            if offer.kind == kind and offer.status == "open":
                offer.status = status

    def form_tie(self, a: str, b: str, kind: str, note: str = "") -> bool:
        return self.partnerships.form(a, b, kind, self.tick, note=note)

    def technology_ties(self) -> int:
        """Technology ties bringing know-how into Malaysia; Chinese ones count only without a tech-export ban."""
        graph = self.partnerships.graph
        banned = self.controls.tech_ban(self.tick)
        count = 0
        for a, b, key in graph.edges(keys=True):
            if key != "technology" or graph.nodes[a]["malaysian"] == graph.nodes[b]["malaysian"]:
                continue
            foreign = b if graph.nodes[a]["malaysian"] else a
            if graph.nodes[foreign]["bloc"] < 0 and banned:
                continue
            count += 1
        return count

    def break_tie(self, a: str, b: str, kind: str) -> bool:
        broken = self.partnerships.dissolve(a, b, kind, self.tick)
        if broken:
            self.log_event(a, b, "partnership", f"{kind} tie {a} - {b} broken", source="agent")
        return broken

    def balanced_china_quota(self) -> float:
        """China's mining quota (t REO/yr) at which the first year's NdPr supply meets its demand.

        Demand: the first year's magnets (the start month's rate grown half a year) at net NdPr per
        tonne, plus other uses. Supply: non-China separation (bounded by its own mines' ore), ore
        other countries send to China, and China's own ore, separated at its separation quota.
        """
        cfg = self.config
        mag, recovery = cfg.magnets, cfg.separation.recovery
        first_year = cfg.demand.initial_t_yr * (1.0 + cfg.demand.growth_per_year) ** 0.5
        need = first_year * ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery) / (1.0 - mag.non_magnet_ndpr_share)
        outside = 0.0
        imports = 0.0
        for name, routes in ORE_ROUTES.items():
            mine = self.plants[name]
            if name == "china_mines" or mine.capacity_t_yr(0) <= 0:
                continue
            ndpr = mine.capacity_t_yr(0) * mine.grade * recovery
            open_route = next((self.plants[r] for r in routes if r == "china_separation" or self.plants[r].capacity_t_yr(0) > 0), None)
            if open_route is None:
                continue
            if open_route.name == "china_separation":
                imports += ndpr
            else:
                outside += min(ndpr, open_route.capacity_t_yr(0))
        domestic = max(0.0, need - outside - imports)
        return domestic / (cfg.mines.ndpr_grade * recovery) / cfg.china.separation_to_mining_quota

    def strengthen_lynas_with_australia(self) -> None:
        """The Australian partnership: more Kalgoorlie MREC for Kuantan and a larger heavy circuit."""
        cfg = self.config.partners
        when = self.tick + 12
        self.plants["kalgoorlie"].add_capacity(when, cfg.australia_mrec_t_yr, 12)
        heavy = self.plants["lynas_heavy"]
        heavy.add_capacity(when, heavy.nameplate_t_yr * cfg.australia_heavy_share, 12)

    def build_jv_refinery(self) -> None:
        """The Chinese joint venture: a refinery and an ionic-clay mine in Malaysia."""
        cfg = self.config.china
        refinery, mine = self.plants["jv_refinery"], self.plants["jv_mine"]
        opening = self.tick + int(round(cfg.jv_build_months))
        if refinery.start > opening:
            refinery.start, refinery.nameplate_t_yr = opening, cfg.jv_capacity_t_yr
            mine.start, mine.nameplate_t_yr = opening, cfg.jv_feed_t_yr

    # ---- signals agents read ---------------------------------------------------------------

    def china_offtake_growth(self) -> float:
        """Growth of NdPr taken from China's pool (its magnet makers, other uses, exports): last
        twelve months against the twelve before; the configured demand growth until then."""
        history = self.china_offtake_history
        if len(history) < 24 or sum(history[-24:-12]) <= 0:
            return self.config.demand.growth_per_year
        return sum(history[-12:]) / sum(history[-24:-12]) - 1.0

    def import_capacity_t_yr(self) -> float:
        """Ore the mines that ship to China can supply in a year (t REO)."""
        return sum(p.capacity_t_yr(self.tick) for name, p in self.plants.items() if p.stage == "mine" and name != "china_mines" and ORE_ROUTES[name][0] == "china_separation")

    def price_average(self, key: str, months: int) -> float:
        values = self.price_history[key][-months:]
        return float(np.mean(values)) if values else self.prices[key]

    def invest_if_tight(self, plant) -> None:
        """Twice a year, plan capacity so expected orders run at the target utilisation.

        Expected orders: the last year's average grown at the world demand growth rate until the
        new capacity would arrive (``magnets.capacity_lead_months``).
        """
        cfg = self.config.magnets
        if self.tick % 6 != 0 or len(plant.history_orders) < 12 or plant.capacity_t(self.tick) <= 0:
            return
        lead = int(round(cfg.capacity_lead_months))
        recent = float(np.mean(plant.history_orders[-12:])) * 12.0
        expected = recent * (1.0 + self.config.demand.growth_per_year) ** (lead / 12.0 + 0.5)
        needed = expected / cfg.utilisation_target
        planned = plant.planned_t_yr(self.tick)
        if needed > 1.05 * planned:
            extra = needed - planned
            plant.add_capacity(self.tick + lead, extra, 12)
            self.log_event(plant.owner, plant.name, "investment", f"{plant.owner}: +{extra:,.0f} t/yr magnet capacity from {self.label_of(self.tick + lead)}", source="agent")

    def hedging_pulls(self) -> Pulls:
        """What each side offers Malaysia and can threaten it with (see mechanisms.alignment)."""
        cfg = self.config
        hedging = cfg.malaysia.hedging
        tariff = self.controls.tariff("United States", "Malaysia", self.tick)
        us_ties = china_ties = 0.0
        graph = self.partnerships.graph
        for a, b, key in graph.edges(keys=True):
            if graph.nodes[a]["malaysian"] == graph.nodes[b]["malaysian"]:
                continue
            bloc = graph.nodes[b if graph.nodes[a]["malaysian"] else a]["bloc"]
            if bloc > 0:
                us_ties += TIE_WEIGHTS[key] * bloc
            elif bloc < 0:
                china_ties += TIE_WEIGHTS[key] * -bloc
        malaysia_rate = self.controls.licence_availability("heavy", "malaysia", self.tick)
        return Pulls(
            economic_us=hedging.us_trade_share * (1.0 - tariff) + 0.5 * us_ties,
            economic_china=hedging.china_trade_share + 0.5 * china_ties,
            pressure_us=hedging.us_trade_share * cfg.us.tariff_max,
            pressure_china=hedging.china_trade_share * (1.0 - cfg.china.licence_grant_rate * malaysia_rate) * (0.5 + self.china.escalation_level / 6.0),
        )

    def offer_value(self, kind: str) -> float:
        """Economic value to Malaysia, in units of its rare-earth industry targets (value added and jobs)."""
        cfg = self.config
        ladder = cfg.economics
        position = ladder.ladder_position
        if kind == "china_jv":
            feed = cfg.china.jv_feed_t_yr / 12.0
            ndpr = cfg.china.jv_capacity_t_yr / 12.0
            out = economics.RungOutput(ore_t=feed, oxide_t=ndpr, coproduct_t=max(0.0, feed * cfg.separation.recovery - ndpr), oxide_feed_t=feed)
        elif kind == "us_floor":
            ndpr = Lynas.EXPANSION_T_YR / 12.0
            feed = ndpr / (cfg.mines.mt_weld_ndpr_grade * cfg.separation.recovery)
            out = economics.RungOutput(oxide_t=ndpr, coproduct_t=feed * cfg.separation.recovery - ndpr, oxide_feed_t=feed)
        elif kind == "us_offtake":
            magnets = cfg.jslink.expansion_t_yr / 12.0
            out = economics.RungOutput(magnet_t=magnets, magnet_ndpr_t=magnets * cfg.magnets.ndpr_share, component_t=magnets * cfg.malaysia.component_share)
        elif kind == "korea_partnership":
            magnets = cfg.jslink.expansion_t_yr / 12.0
            out = economics.RungOutput(magnet_t=magnets, magnet_ndpr_t=magnets * cfg.magnets.ndpr_share, component_t=magnets * cfg.malaysia.component_share)
        elif kind == "australia_partnership":
            ndpr = cfg.partners.australia_mrec_t_yr / 12.0
            feed = ndpr / (cfg.mines.mt_weld_ndpr_grade * cfg.separation.recovery)
            out = economics.RungOutput(oxide_t=ndpr, coproduct_t=feed * cfg.separation.recovery - ndpr, oxide_feed_t=feed)
        elif kind == "lynas_licence":
            plant = self.plants["lynas_malaysia"]
            out = economics.RungOutput(oxide_t=plant.output_t, coproduct_t=plant.coproduct_t, oxide_feed_t=plant.feed_used.reo_t)
        else:
            raise ValueError(f"unknown offer kind '{kind}'")
        value = economics.value_added_usd(out, economics.ladder_value(ladder.ore_usd_kg, position), economics.ladder_value(ladder.oxide_usd_kg, position), economics.ladder_value(ladder.magnet_usd_kg, position), economics.ladder_value(ladder.component_usd_kg, position), cfg.market.coproduct_price_usd_kg) * 12
        jobs = economics.total_jobs(economics.direct_jobs(out, cfg.malaysia.jobs_per_kt_ore, ladder.employment_multipliers), ladder.indirect_jobs_per_direct)
        va_target = cfg.malaysia.value_added_target_rm_bn * 1e9 * cfg.malaysia.usd_per_rm
        return 0.5 * (value / va_target + jobs / cfg.malaysia.jobs_target)

    # ---- the month -------------------------------------------------------------------------

    def step(self) -> None:
        if self.tick >= self.n_ticks:
            self.running = False
            return
        self._fire_scheduled()
        for state in self.states:
            state.step()
        self.firms.shuffle_do("step")
        self._expire_offers()
        self._produce_and_trade()
        self._accounts()
        self.datacollector.collect(self)
        if self.config.outputs.agent_table:
            self._record_agents()
        self.tick += 1
        if self.tick >= self.n_ticks:
            self.running = False

    def _fire_scheduled(self) -> None:
        while self.scheduled and self.scheduled[0].tick <= self.tick:
            item = self.scheduled.pop(0)
            apply_action(self, item.name, item.params, source=item.source, description=item.description, actor=item.actor, target=item.target, kind=item.kind)
        queue, self.live_queue = self.live_queue, []
        for name, params in queue:
            apply_action(self, name, params, source="user")

    def _expire_offers(self) -> None:
        for offer in self.offers:
            if offer.status == "open" and self.tick >= offer.expires:
                offer.status = "expired"
                self.log_event(offer.receiver, offer.sender, "partnership", f"Offer {offer.kind.replace('_', ' ')} expired unanswered", source="agent")

    # ---- production and trade --------------------------------------------------------------

    def _produce_and_trade(self) -> None:
        for plant in self.plants.values():
            plant.reset_flows()
        self.flow_edges: dict[tuple[str, str, str, str], float] = defaultdict(float)
        self._mine()
        self._ship_ore()
        self._separate()
        self._heavy()
        planned = self._plan_magnets()
        self._oxide_market(planned)
        self._make_magnets(planned)
        self._magnet_market()

    def _mine(self) -> None:
        t = self.tick
        for plant in self.plants.values():
            if plant.stage != "mine":
                continue
            # China's mines work to the mining quota; the others to capacity.
            capacity = self.china.mining_quota_t_yr / 12.0 if plant.name == "china_mines" else plant.capacity_t(t)
            # Unshipped ore piles up at the mine: beyond two months' output the mine slows down.
            factor = min(1.0, max(0.0, 1.5 - plant.ore.reo_t / (4.0 * capacity))) if capacity > 0 else 0.0
            reo = capacity * factor
            plant.output_t = reo
            plant.utilisation = factor
            plant.ore.add(Parcel(reo, reo * plant.grade))
            self.totals["mined_reo"] += reo

    def _route_open(self, mine, dest) -> bool:
        t = self.tick
        if dest.name == "china_separation":
            if mine.country == "malaysia":
                return not self.controls.raw_ore_ban(t)
            if mine.name == "mountain_pass":
                return self.china.escalation_level < 2
            return True
        if dest.capacity_t(t) <= 0:
            return False
        if dest.name == "lynas_malaysia":
            if not self.licence.valid:
                return False
            if mine.country == "malaysia":
                return self.partnerships.has("Kelantan MB Inc", "Lynas", "supply") or self.partnerships.has("Perak state", "Lynas", "supply")
        return True

    def _feed_room(self, mine, dest) -> float:
        """t REO a separator will take from this mine this month."""
        if dest.name == "china_separation":
            return max(0.0, self._china_separation_ceiling() * (1.0 + self.config.china.ore_stockpile_months) - dest.ore.reo_t)
        recovery = self.config.separation.recovery
        capacity_reo = dest.capacity_t(self.tick) / (max(mine.grade, 1e-6) * recovery)
        room = max(0.0, capacity_reo * (1.0 + self.config.market.stock_cover_months) - dest.ore.reo_t)
        if dest.name == "lynas_malaysia" and mine.name == "mt_weld":
            licence = self.licence
            if not (licence.cracking_allowed and licence.concentrate_import_allowed):
                # Cracking and leaching must happen at Kalgoorlie: its capacity bounds the feed.
                room = min(room, self.plants["kalgoorlie"].capacity_t(self.tick) / (mine.grade * recovery))
        return room

    def _ship_ore(self) -> None:
        china_sep = self.plants["china_separation"]
        self.flows["china_imports_reo"] = self.flows["malaysia_ore_exports_t"] = 0.0
        for mine_name, routes in ORE_ROUTES.items():
            mine = self.plants[mine_name]
            for dest_name in routes:
                if mine.ore.reo_t <= 1e-9:
                    break
                dest = self.plants[dest_name]
                if not self._route_open(mine, dest):
                    continue
                parcel = mine.ore.take(self._feed_room(mine, dest))
                dest.ore.add(parcel)
                self.flow_edges[("mine", mine.country, "separation", dest.country)] += parcel.reo_t
                if dest is china_sep and mine.name != "china_mines":
                    self.flows["china_imports_reo"] += parcel.reo_t
                    if mine.country == "malaysia":
                        self.flows["malaysia_ore_exports_t"] += parcel.reo_t

    def _separate(self) -> None:
        t = self.tick
        cfg = self.config
        recovery = cfg.separation.recovery
        for plant in self.plants.values():
            if plant.stage != "separation" or plant.ore.reo_t <= 0:
                continue
            if plant.name == "china_separation":
                # The quota is a ceiling on throughput; below cost, separators slow down and the
                # unprocessed ore stays in China's stockpile.
                ceiling = self._china_separation_ceiling() + (0.0 if self.china.imports_under_quota else self.flows["china_imports_reo"])
                self._respond_to_price(plant, self.prices["ndpr_china"], cfg.market.china_separation_cost_usd_kg)
                limit = ceiling * plant.utilisation
            else:
                if plant.name == "lynas_malaysia" and not self.licence.valid:
                    continue
                capacity = plant.capacity_t(t)
                if capacity <= 0:
                    continue
                price = max(self.prices["ndpr_exchina"], self.controls.price_floor(_floor_name(plant), t))
                self._respond_to_price(plant, price, cfg.market.separation_cost_usd_kg)
                limit = capacity * plant.utilisation / (max(plant.ore.grade, 1e-6) * recovery)
            feed = plant.ore.take(limit)
            result = separate(feed, recovery)
            plant.feed_used = feed
            plant.output_t = result.ndpr_t
            plant.coproduct_t = result.coproduct_t
            plant.product_t += result.ndpr_t
            self.totals["separated_feed_reo"] += feed.reo_t
            self.totals["separated_ndpr"] += result.ndpr_t
            self.totals["coproduct"] += result.coproduct_t
            self.totals["separation_loss"] += result.loss_t

    def _china_separation_ceiling(self) -> float:
        """China's monthly separation allowance for domestic ore (t REO): its separation quota."""
        return self.china.separation_quota_t_yr / 12.0

    def _respond_to_price(self, plant, price: float, cost: float) -> None:
        """Utilisation drifts to full while the price covers cost, and down towards 30% below it."""
        target = 1.0 if price >= cost else max(0.3, price / cost)
        plant.utilisation += self.config.market.producer_response * (target - plant.utilisation)

    def _heavy(self) -> None:
        """Dy/Tb circuits draw on their parent plant's co-product stream."""
        t = self.tick
        for name, parent_name in (("lynas_heavy", "lynas_malaysia"), ("mp_heavy", "mp_separation")):
            plant, parent = self.plants[name], self.plants[parent_name]
            if name == "lynas_heavy" and not self.licence.valid:
                continue
            output = min(plant.capacity_t(t), 0.05 * parent.coproduct_t)
            parent.coproduct_t -= output
            self.totals["coproduct"] -= output
            plant.output_t = output
            plant.product_t += output
            self.totals["heavy_made"] += output

    def _plan_magnets(self) -> dict[str, float]:
        cover = self.config.market.stock_cover_months
        planned = {}
        for plant in self.magnet_plants:
            expected = plant.orders_t
            want = expected + cover * expected - plant.product_t
            planned[plant.name] = min(plant.capacity_t(self.tick), max(0.0, want))
        return planned

    def _oxide_market(self, planned: dict[str, float]) -> None:
        cfg = self.config
        mag, mkt = cfg.magnets, cfg.market
        t = self.tick
        gross = mag.ndpr_share / mag.finishing_yield
        net = ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
        request = {p.name: max(0.0, planned[p.name] * gross + mkt.stock_cover_months * planned[p.name] * net - p.input_t) for p in self.magnet_plants}
        nonmagnet_ratio = mag.non_magnet_ndpr_share / (1.0 - mag.non_magnet_ndpr_share)

        # Contracted deliveries first: Lynas to JS Link (with the tie), MP's own oxide to its magnets.
        contracts = [("mp_separation", "us_magnets", 1.0)]
        if self.partnerships.has("Lynas", "JS Link", "supply"):
            contracts.append(("lynas_malaysia", "jslink_magnets", cfg.lynas.jslink_supply_share))
        contracted: dict[str, float] = defaultdict(float)
        for seller_name, buyer_name, share in contracts:
            seller, buyer = self.plants[seller_name], self.plants[buyer_name]
            qty = min(seller.product_t, share * request[buyer_name])
            seller.product_t -= qty
            seller.sold_t += qty
            buyer.input_t += qty
            request[buyer_name] -= qty
            contracted[seller_name] += qty
            self.flow_edges[("separation", seller.country, "magnets", buyer.country)] += qty

        sellers = {pool: [p for p in self.plants.values() if p.stage == "separation" and p.pool == pool] for pool in ("china", "exchina")}
        supply = {pool: sum(p.product_t for p in sellers[pool]) for pool in sellers}
        makers = {pool: [p for p in self.magnet_plants if p.pool == pool] for pool in ("china", "exchina")}
        nonmagnet = {pool: nonmagnet_ratio * sum(planned[p.name] * net for p in makers[pool]) for pool in makers}
        demand = {pool: sum(request[p.name] for p in makers[pool]) + nonmagnet[pool] for pool in makers}
        availability = self.controls.licence_availability("ndpr", "world", t)
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
            self.totals["ndpr_other_uses"] += delivered_other
        give = {
            "china": demand["china"] * fill["china"] - trade.exchina_to_china_t + trade.china_to_exchina_t,
            "exchina": demand["exchina"] * fill["exchina"] - trade.china_to_exchina_t + trade.exchina_to_china_t,
        }
        to_china_share = trade.exchina_to_china_t / give["exchina"] if give["exchina"] > 1e-12 else 0.0
        self.china_offtake_history.append(demand["china"] * fill["china"] + trade.china_to_exchina_t)
        for pool, plants in sellers.items():
            if supply[pool] <= 1e-12:
                continue
            share = max(0.0, min(1.0, give[pool] / supply[pool]))
            crossing = (to_china_share if pool == "exchina" else (trade.china_to_exchina_t / give["china"] if give["china"] > 1e-12 else 0.0))
            for plant in plants:
                sold = plant.product_t * share
                plant.product_t -= sold
                plant.sold_t += sold
                plant.sold_to_china_t = sold * to_china_share if pool == "exchina" else (sold if plant.country != "china" else 0.0)
                # where this seller's oxide went: its own pool's buyers, and across to the other pool
                other = "china" if pool == "exchina" else "exchina"
                for destination, amount in ((pool, sold * (1.0 - crossing)), (other, sold * crossing)):
                    total = sum(intake[destination].values())
                    for country, taken in intake[destination].items():
                        if total > 1e-12 and amount > 0:
                            self.flow_edges[("separation", plant.country, "magnets" if country != "other uses" else "other uses", country)] += amount * taken / total
        self.flows.update(
            oxide_to_china_t=trade.exchina_to_china_t,
            oxide_to_exchina_t=trade.china_to_exchina_t,
            oxide_contracted_lynas_t=contracted["lynas_malaysia"],
        )
        output = tuple(sum(p.output_t for p in sellers[pool]) for pool in ("china", "exchina"))
        stock = tuple(sum(p.product_t for p in sellers[pool]) for pool in ("china", "exchina"))
        self.prices["ndpr_china"], self.prices["ndpr_exchina"] = update_pool_prices(
            (self.prices["ndpr_china"], self.prices["ndpr_exchina"]), trade, (demand["china"], demand["exchina"]), output, stock,
            mkt.stock_cover_months, mkt.oxide_price_speed, mkt.trade_friction, 0.4 * mkt.ndpr_price_usd_kg,
            origin_wedge=mkt.origin_premium * (1.0 - self.controls.licence_availability("magnet_heavy", "world", t)),
            convergence=mkt.convergence_speed,
        )

    def _make_magnets(self, planned: dict[str, float]) -> None:
        cfg = self.config
        mag, mkt = cfg.magnets, cfg.market
        t = self.tick
        gross = mag.ndpr_share / mag.finishing_yield
        h, content = mag.heavy_grade_share, mag.heavy_content
        exchina = [p for p in self.magnet_plants if p.pool == "exchina"]
        # A month's Dy/Tb need plus a sixth of the gap to the target stock: licence applications
        # are for normal purchases, so a low grant rate cannot be beaten by asking for more.
        need = {}
        for p in exchina:
            monthly = planned[p.name] * h * content
            need[p.name] = max(0.0, monthly + (monthly * mkt.heavy_stock_months - p.heavy_t) / 6.0)
        # Dy/Tb: tied supply first, then the non-China pool pro rata, then China under licence.
        ties = [("mp_heavy", "us_magnets", 1.0)]
        if self.partnerships.has("Lynas", "JS Link", "supply"):
            ties.append(("lynas_heavy", "jslink_magnets", cfg.lynas.jslink_supply_share))
        nonchina_received: dict[str, float] = defaultdict(float)
        for seller_name, buyer_name, share in ties:
            seller = self.plants[seller_name]
            qty = min(seller.product_t, share * need[buyer_name])
            seller.product_t -= qty
            need[buyer_name] -= qty
            nonchina_received[buyer_name] += qty
        pool = sum(self.plants[n].product_t for n in ("lynas_heavy", "mp_heavy"))
        total_need = sum(need.values())
        if pool > 1e-12 and total_need > 1e-12:
            share = min(1.0, pool / total_need)
            for name in need:
                nonchina_received[name] += need[name] * share
                need[name] -= need[name] * share
            taken = min(pool, total_need)
            for n in ("lynas_heavy", "mp_heavy"):
                plant = self.plants[n]
                plant.product_t -= plant.product_t / pool * taken
        gap_weighted = 0.0
        for plant in exchina:
            rate = self.controls.licence_availability("heavy", MAKER_DESTINATION[plant.country], t)
            from_china = need[plant.name] * rate
            gap_weighted += need[plant.name] * (1.0 - rate)
            plant.heavy_t += nonchina_received[plant.name] + from_china
            received = nonchina_received[plant.name] + from_china
            self.heavy_china_share[plant.name] = from_china / received if received > 1e-12 else self.heavy_china_share[plant.name]
            self.totals["heavy_delivered_nonchina"] += nonchina_received[plant.name]
            self.totals["heavy_from_china"] += from_china
        wanted = sum(planned[p.name] * h * content for p in exchina)
        self.flows["heavy_gap"] = gap_weighted / wanted if wanted > 1e-12 else 0.0
        # No Chinese Dy/Tb market is modelled: its price stays at the 2020 level; outside China a
        # scarcity premium applies to the share of Dy/Tb needs China withholds.
        self.prices["dy_exchina"] = self.prices["dy_china"] * (1.0 + mkt.heavy_scarcity_premium * min(1.0, self.flows["heavy_gap"]))

        for plant in self.magnet_plants:
            goal = planned[plant.name]
            capacity = plant.capacity_t(t)
            output = min(goal, plant.input_t / gross)
            heavy_cover = 1.0
            if plant.pool == "exchina" and goal > 0:
                heavy_cover = min(1.0, plant.heavy_t / content / (h * goal))
                output = min(output, goal * (1.0 - h) + min(h * goal, plant.heavy_t / content))
                heavy_used = min(h * output, plant.heavy_t / content) * content
                plant.heavy_t -= heavy_used
                self.totals["heavy_used"] += heavy_used
            output = max(0.0, output)
            result = make_magnets(output * gross, mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
            plant.input_t += result.scrap_recovered_t - output * gross
            plant.input_used_t = output * gross - result.scrap_recovered_t
            plant.output_t = result.magnet_t
            plant.product_t += result.magnet_t
            plant.utilisation = result.magnet_t / capacity if capacity > 0 else 0.0
            plant.effective_capacity_t = capacity * ((1.0 - h) + h * heavy_cover) if plant.pool == "exchina" else capacity
            self.totals["magnets_made"] += result.magnet_t
            self.totals["ndpr_in_magnets"] += result.ndpr_in_magnets_t
            self.totals["ndpr_scrap_lost"] += result.scrap_lost_t

    def demand_shock(self, tick: int) -> float:
        """Demand multiplier of the 2020 shock: a three-month trough, then a linear recovery."""
        cfg = self.config.demand
        since = tick - self.tick_at(cfg.shock_start)
        if since < 0 or cfg.shock_depth <= 0:
            return 1.0
        if since < 3:
            return 1.0 - cfg.shock_depth
        return 1.0 - cfg.shock_depth * max(0.0, 1.0 - (since - 2) / cfg.shock_recovery_months)

    def unit_cost(self, plant) -> float:
        """USD/kg to make a magnet: conversion (know-how dependent in Malaysia) + NdPr + Dy/Tb."""
        cfg = self.config
        mag = cfg.magnets
        pool = "china" if plant.pool == "china" else "exchina"
        net = ndpr_per_magnet(mag.ndpr_share, mag.finishing_yield, mag.scrap_recovery)
        conversion = cfg.market.magnet_conversion_cost_usd_kg * plant.cost_factor
        if plant.country == "malaysia":
            conversion *= 1.0 + cfg.market.know_how_cost_penalty * (1.0 - self.malaysia.capability)
            conversion *= 1.0 - cfg.malaysia.incentive_cost_cut * self.malaysia.incentive_level
        return conversion + net * self.prices[f"ndpr_{pool}"] + mag.heavy_grade_share * mag.heavy_content * self.prices[f"dy_{pool}"]

    def _market_view(self) -> MarketView:
        cfg = self.config
        t = self.tick
        h = cfg.magnets.heavy_grade_share
        price = np.array([self.unit_cost(p) * (1.0 + self.margins[p.pool]) for p in self.magnet_plants])
        n_regions, n_suppliers = len(REGIONS), len(SUPPLIERS)
        tariff = np.zeros((n_regions, n_suppliers))
        us = REGIONS.index("united_states")
        tariff[us, SUPPLIERS.index("china_magnets")] = self.controls.tariff("United States", "China", t)
        tariff[us, SUPPLIERS.index("jslink_magnets")] = self.controls.tariff("United States", "Malaysia", t)
        reachable = np.ones((n_regions, n_suppliers))
        risk = np.zeros((n_regions, n_suppliers))
        tension = min(1.0, 0.1 + 0.15 * self.china.escalation_level + 0.3 * max(0.0, -self.china.relations_us))
        china_col = SUPPLIERS.index("china_magnets")
        for r, region in enumerate(REGIONS):
            if region == "china":
                continue
            reach = (1.0 - h) * self.controls.licence_availability("magnet_light", region, t) + h * self.controls.licence_availability("magnet_heavy", region, t)
            reachable[r, china_col] = reach
            risk[r, china_col] = (1.0 - reach) + tension
            for m, plant in enumerate(self.magnet_plants):
                if plant.pool == "exchina":
                    risk[r, m] = 0.5 * tension * self.heavy_china_share[plant.name]
        available = np.array([p.capacity_t(t) > 0 or p.product_t > 0 for p in self.magnet_plants])
        banned = np.array([p.country == "china" and self.controls.origin_rule(t, "china") for p in self.magnet_plants])
        growth_rate = cfg.demand.growth_per_year
        growth = np.array([(1.0 + growth_rate + getattr(cfg.demand.segments, s).growth_premium) ** (t / 12.0) for s in SEGMENTS]) * self.demand_shock(t)
        return MarketView(price, tariff, risk, reachable, available, banned, self.reliability.copy(), growth)

    def _magnet_market(self) -> None:
        cfg = self.config
        population = self.buyer_population
        self.market_view = view = self._market_view()
        if population.landed_cost_2020 is None:
            population.set_reference_costs(view)
        population.draw()
        population.decide(view)
        orders = population.orders()
        reach = view.reachable[population.region]
        available = np.array([p.product_t for p in self.magnet_plants])
        allocation = allocate_orders(orders, reach, available, population.preferences)
        population.receive(allocation.delivered)
        sold = allocation.sold
        for m, plant in enumerate(self.magnet_plants):
            by_region = np.bincount(population.region, weights=allocation.delivered[:, m], minlength=len(REGIONS))
            for r, region in enumerate(REGIONS):
                if by_region[r] > 0:
                    self.flow_edges[("magnets", plant.country, "buyers", region)] += float(by_region[r])
        for m, plant in enumerate(self.magnet_plants):
            plant.product_t = max(0.0, plant.product_t - sold[m])
            plant.sold_t = sold[m]
            plant.orders_t = allocation.asked[m]
            plant.history_orders.append(plant.orders_t)
        self.reliability = np.where(allocation.asked > 1e-9, np.clip(sold / np.maximum(allocation.asked, 1e-12), 0.0, 1.0), 1.0)
        self.totals["magnets_delivered"] += float(sold.sum())
        # mark-ups move with how hard orders press on usable capacity
        target = cfg.magnets.utilisation_target
        mkt = cfg.market
        for pool in ("china", "exchina"):
            plants = [p for p in self.magnet_plants if p.pool == pool]
            capacity = sum(p.effective_capacity_t for p in plants)
            asked = sum(p.orders_t for p in plants)
            signal = max(-1.0, min(1.0, (asked / capacity / target - 1.0) if capacity > 1e-9 else (1.0 if asked > 0 else 0.0)))
            margin = (1.0 + self.margins[pool]) * math.exp(mkt.magnet_price_speed * signal) - 1.0
            margin += 0.05 * (mkt.magnet_margin - margin)
            self.margins[pool] = max(-0.3, min(3.0, margin))
        # sales of Malaysian magnets by buyer region, for trade orientation and export revenue
        js = SUPPLIERS.index("jslink_magnets")
        self.jslink.account(sold[js], float(view.price[js]), self.unit_cost(self.plants["jslink_magnets"]))
        # What the magnet-plant incentive costs the government: its cut of conversion cost on output.
        jslink = self.plants["jslink_magnets"]
        before_incentive = cfg.market.magnet_conversion_cost_usd_kg * jslink.cost_factor * (1.0 + cfg.market.know_how_cost_penalty * (1.0 - self.malaysia.capability))
        self.flows["incentive_cost_usd"] = jslink.output_t * 1000.0 * before_incentive * cfg.malaysia.incentive_cost_cut * self.malaysia.incentive_level
        self.flows["jslink_sales_by_region"] = np.bincount(population.region, weights=allocation.delivered[:, js], minlength=len(REGIONS))
        self.flows["magnet_prices"] = view.price
        self.flows["magnet_demand_t"] = float(population.demand_t.sum())

        self.flows["magnet_delivered_t"] = float(population.delivered_t.sum())

    # ---- accounts, alignment, indicators ---------------------------------------------------

    def _accounts(self) -> None:
        cfg = self.config
        ladder = cfg.economics
        position = ladder.ladder_position
        plants = self.plants
        lynas, jv, heavy, js = plants["lynas_malaysia"], plants["jv_refinery"], plants["lynas_heavy"], plants["jslink_magnets"]
        out = economics.RungOutput(
            ore_t=plants["perak_pilot"].output_t + plants["jv_mine"].output_t,
            oxide_t=lynas.output_t + jv.output_t + heavy.output_t,
            coproduct_t=lynas.coproduct_t + jv.coproduct_t,
            oxide_feed_t=lynas.feed_used.reo_t + jv.feed_used.reo_t,
            magnet_t=js.output_t,
            magnet_ndpr_t=js.input_used_t,
            component_t=js.output_t * cfg.malaysia.component_share,
        )
        values = [economics.ladder_value(band, position) for band in (ladder.ore_usd_kg, ladder.oxide_usd_kg, ladder.magnet_usd_kg, ladder.component_usd_kg)]
        malaysia = self.malaysia
        malaysia.value_added_usd = economics.value_added_usd(out, *values, cfg.market.coproduct_price_usd_kg)
        malaysia.direct_jobs = economics.direct_jobs(out, cfg.malaysia.jobs_per_kt_ore, ladder.employment_multipliers)
        malaysia.jobs = economics.total_jobs(malaysia.direct_jobs, ladder.indirect_jobs_per_direct)

        # Export revenue at market prices: oxide leaving Malaysia, Dy/Tb, magnets sold abroad.
        kg = 1000.0
        oxide_abroad = max(0.0, lynas.sold_t - self.flows.get("oxide_contracted_lynas_t", 0.0)) + jv.sold_t
        to_china = lynas.sold_to_china_t + jv.sold_to_china_t
        by_region = self.flows["jslink_sales_by_region"]
        js_price = float(self.flows["magnet_prices"][SUPPLIERS.index("jslink_magnets")])
        abroad_magnets = float(by_region.sum() - by_region[REGIONS.index("southeast_asia")])
        malaysia.export_revenue_usd = kg * (
            (oxide_abroad - to_china) * self.prices["ndpr_exchina"] + to_china * self.prices["ndpr_china"] + heavy.output_t * self.prices["dy_exchina"] + abroad_magnets * js_price
        )
        floor = self.controls.price_floor("Lynas Malaysia", self.tick)
        lynas_ndpr = lynas.output_t + plants["lynas_relocated"].output_t
        self.lynas.account(lynas_ndpr * kg * max(self.prices["ndpr_exchina"], floor), lynas_ndpr)

        # Revealed alignment: ties, trade (rare-earth sales by bloc + general trade), concessions.
        hedging = cfg.malaysia.hedging
        sales = defaultdict(float)
        sales[-1.0] += to_china
        exchina_bloc = self._exchina_oxide_bloc()
        sales[exchina_bloc] += max(0.0, oxide_abroad - to_china)
        for r, region in enumerate(REGIONS):
            sales[REGION_BLOC[region]] += float(by_region[r])
        # Trade orientation is read over the last twelve months, not one month's cargoes.
        self.sales_window.append(dict(sales))
        sales = defaultdict(float)
        for month in self.sales_window:
            for bloc, tonnes in month.items():
                sales[bloc] += tonnes
        tariff = self.controls.tariff("United States", "Malaysia", self.tick)
        us_share = hedging.us_trade_share * (1.0 + tariff) ** (-hedging.tariff_trade_elasticity)
        trade = trade_tilt(sales, us_share, hedging.china_trade_share)
        ties = self.partnerships.malaysia_tilt()
        malaysia.revealed = revealed_alignment(ties, trade, malaysia.concessions, hedging.ties_weight, hedging.trade_weight, hedging.concessions_weight)
        if self.tick == 0:
            malaysia.alignment = malaysia.revealed
        else:
            malaysia.alignment = update_alignment(malaysia.alignment, malaysia.revealed, hedging.inertia)
        self.flows["trade_tilt"] = trade
        self.flows["ties_tilt"] = ties
        self._indicators()

    def _us_import_reliance(self) -> float:
        """US net import reliance for separated rare earths (as USGS counts compounds and metals):
        the share of NdPr used in the US that was not separated in the US.

        US use is the NdPr in magnets delivered to US buyers plus the US share of other uses; US
        supply is NdPr separated in the US and taken by US magnet makers or US other uses (MP's
        oxide sold abroad does not lower it)."""
        cfg = self.config
        us = cfg.demand.regions.united_states
        to_us = sum(t for (a, _, c, d), t in self.flow_edges.items() if a == "magnets" and c == "buyers" and d == "united_states")
        other = sum(t for (a, _, c, _), t in self.flow_edges.items() if a == "separation" and c == "other uses")
        use = to_us * cfg.magnets.ndpr_share + other * us
        domestic = self.flow_edges.get(("separation", "united_states", "magnets", "united_states"), 0.0)
        domestic += self.flow_edges.get(("separation", "united_states", "other uses", "other uses"), 0.0) * us
        return max(0.0, 1.0 - domestic / use) if use > 1e-9 else 0.0

    def _exchina_oxide_bloc(self) -> float:
        """Average bloc of the ex-China oxide buyers, weighted by their intake this month."""
        weights = {"japan_magnets": 0.5, "row_magnets": 0.5, "us_magnets": 1.0, "jslink_magnets": 0.0}
        intake = {name: self.plants[name].input_used_t for name in weights}
        total = sum(intake.values())
        return sum(weights[n] * intake[n] for n in weights) / total if total > 1e-12 else 0.5

    def _indicators(self) -> None:
        plants = self.plants
        t = self.tick
        mines = [p for p in plants.values() if p.stage == "mine"]
        separators = [p for p in plants.values() if p.stage == "separation"]
        world_mine = sum(p.output_t for p in mines)
        world_oxide = sum(p.output_t for p in separators)
        world_magnet = sum(p.output_t for p in self.magnet_plants)
        china_magnet = plants["china_magnets"].output_t
        malaysia_magnet = plants["jslink_magnets"].output_t
        malaysia_oxide = plants["lynas_malaysia"].output_t + plants["jv_refinery"].output_t
        nonchina_magnet = world_magnet - china_magnet
        self.world_oxide_t_yr = world_oxide * 12.0
        for key in ("ndpr_china", "ndpr_exchina", "dy_exchina"):
            self.price_history[key].append(self.prices[key])
        prices = self.flows["magnet_prices"]
        exchina_idx = [m for m, p in enumerate(self.magnet_plants) if p.pool == "exchina"]
        weights = np.array([max(self.magnet_plants[m].sold_t, 1e-9 if self.magnet_plants[m].capacity_t(t) > 0 else 0.0) for m in exchina_idx])
        magnet_ex = float(np.average(prices[exchina_idx], weights=weights)) if weights.sum() > 0 else float(prices[exchina_idx].mean())
        self.indicators = {
            "tick": t,
            "date": np.datetime64(self.date, "ns"),
            "malaysia_alignment": self.malaysia.alignment,
            "malaysia_magnet_share_global": _share(malaysia_magnet, world_magnet),
            "malaysia_magnet_share_nonchina": _share(malaysia_magnet, nonchina_magnet),
            "malaysia_oxide_share_global": _share(malaysia_oxide, world_oxide),
            "china_mine_share": _share(plants["china_mines"].output_t, world_mine),
            "china_separation_share": _share(plants["china_separation"].output_t, world_oxide),
            "china_magnet_share": _share(china_magnet, world_magnet),
            "world_mine_t": world_mine,
            "world_oxide_t": world_oxide,
            "world_magnet_t": world_magnet,
            "magnet_demand_t": self.flows["magnet_demand_t"],
            "price_ndpr_china_usd_kg": self.prices["ndpr_china"],
            "price_ndpr_exchina_usd_kg": self.prices["ndpr_exchina"],
            "price_magnet_exchina_usd_kg": magnet_ex,
            "lynas_ndpr_t": plants["lynas_malaysia"].output_t + plants["lynas_relocated"].output_t,
            "jslink_magnet_t": malaysia_magnet,
            "us_tariff_malaysia": self.controls.tariff("United States", "Malaysia", t),
            "china_export_licence_rate": self.controls.licence_availability("magnet_heavy", "world", t),
            "malaysia_jobs": self.malaysia.jobs,
            "malaysia_value_added_usd": self.malaysia.value_added_usd,
            "partnerships_active": self.partnerships.count(),
        }
        if self.contract_indicators_only:
            return
        licence = self.licence
        demand_by_segment = self.buyer_population.demand_by_segment()
        self.indicators |= {
            # beyond the contract
            "malaysia_lean": self.malaysia.lean,
            "malaysia_revealed_alignment": self.malaysia.revealed,
            "malaysia_direct_jobs": self.malaysia.direct_jobs,
            "malaysia_export_revenue_usd": self.malaysia.export_revenue_usd,
            "malaysia_incentive_cost_usd": self.flows["incentive_cost_usd"],
            "malaysia_capability": self.malaysia.capability,
            "malaysia_trade_tilt": self.flows["trade_tilt"],
            "malaysia_ties_tilt": self.flows["ties_tilt"],
            "malaysia_concessions": self.malaysia.concessions,
            "malaysia_oxide_t": malaysia_oxide,
            "malaysia_ore_t": plants["perak_pilot"].output_t + plants["jv_mine"].output_t,
            "malaysia_ore_exports_t": self.flows["malaysia_ore_exports_t"],
            "price_magnet_china_usd_kg": float(prices[SUPPLIERS.index("china_magnets")]),
            "price_dy_exchina_usd_kg": self.prices["dy_exchina"],
            "us_tariff_china": self.controls.tariff("United States", "China", t),
            "china_ndpr_export_availability": self.controls.licence_availability("ndpr", "world", t),
            "china_us_relations": self.china.relations_us,
            "china_escalation_level": self.china.escalation_level,
            "china_mining_quota_t_yr": self.china.mining_quota_t_yr,
            "china_separation_quota_t_yr": self.china.separation_quota_t_yr,
            "china_mine_t": plants["china_mines"].output_t,
            "china_ore_stock_t": plants["china_separation"].ore.reo_t + plants["china_mines"].ore.reo_t,
            "us_mine_share": _share(plants["mountain_pass"].output_t, world_mine),
            "china_magnet_t": china_magnet,
            "nonchina_magnet_t": nonchina_magnet,
            "magnet_delivered_t": self.flows["magnet_delivered_t"],
            "magnet_re_demand_t": self.flows["magnet_demand_t"] * (self.config.magnets.ndpr_share + self.config.magnets.heavy_grade_share * self.config.magnets.heavy_content),
            "us_net_import_reliance": self._us_import_reliance(),
            "magnet_shortage_t": max(0.0, self.flows["magnet_demand_t"] - self.flows["magnet_delivered_t"]),
            "substitution_share": float(np.average(self.buyer_population.substitution, weights=self.buyer_population.base_demand_t)),
            "oxide_china_to_exchina_t": self.flows["oxide_to_exchina_t"],
            "oxide_exchina_to_china_t": self.flows["oxide_to_china_t"],
            "lynas_licence_valid": float(licence.valid),
            "lynas_licence_years_left": licence.years_left if licence.valid else 0.0,
            "lynas_cash_usd_m": self.lynas.cash_usd_m,
            "jslink_cash_usd_m": self.jslink.cash_usd_m,
            "raw_ore_ban": float(self.controls.raw_ore_ban(t)),
            "replaying": float(self.replaying),
            "mass_balance_error_t": self.mass_balance_error(),
        }
        for s, segment in enumerate(SEGMENTS):
            self.indicators[f"demand_{segment}_t"] = float(demand_by_segment[s])

    def mass_balance_error(self) -> float:
        """Largest absolute residual of the stage balances since the start (tonnes)."""
        plants = self.plants.values()
        totals = self.totals
        ore_stocks = sum(p.ore.reo_t for p in plants)
        ore = totals["mined_reo"] - totals["separated_feed_reo"] - ore_stocks
        separation = totals["separated_feed_reo"] - totals["separated_ndpr"] - totals["coproduct"] - totals["separation_loss"] - totals["heavy_made"]
        ndpr_stocks = sum(p.product_t for p in plants if p.stage == "separation") + sum(p.input_t for p in self.magnet_plants)
        ndpr = totals["ndpr_opening"] + totals["separated_ndpr"] - totals["ndpr_other_uses"] - totals["ndpr_in_magnets"] - totals["ndpr_scrap_lost"] - ndpr_stocks
        magnet_stocks = sum(p.product_t for p in self.magnet_plants)
        magnets = totals["magnet_opening"] + totals["magnets_made"] - totals["magnets_delivered"] - magnet_stocks
        heavy_stocks = sum(self.plants[n].product_t for n in ("lynas_heavy", "mp_heavy")) + sum(p.heavy_t for p in self.magnet_plants)
        heavy = totals["heavy_made"] + totals["heavy_from_china"] - totals["heavy_used"] - heavy_stocks
        return float(max(abs(ore), abs(separation), abs(ndpr), abs(magnets), abs(heavy)))

    def material_flows(self) -> list[dict]:
        """This month's flows between stages by country: ore (t REO) from mines to separation, NdPr
        (t) from separation to magnet makers or other uses, magnets (t) from makers to buyer regions.
        Oxide that passes through a pool is traced to buyers in proportion to what they took."""
        return [
            {"from_stage": a, "from": b, "to_stage": c, "to": d, "tonnes": tonnes}
            for (a, b, c, d), tonnes in sorted(getattr(self, "flow_edges", {}).items())
            if tonnes > 1e-9
        ]

    def check_invariants(self, tolerance: float = 1e-6) -> list[str]:
        """What is wrong with the current month, if anything: negative stocks or prices, NaN,
        shares outside [0, 1], alignment outside [-1, 1], mass not conserved."""
        problems = []
        for plant in self.plants.values():
            for name in ("product_t", "input_t", "heavy_t", "output_t"):
                if getattr(plant, name) < -tolerance:
                    problems.append(f"{plant.name}.{name} = {getattr(plant, name)}")
            if plant.ore.reo_t < -tolerance or plant.ore.ndpr_t < -tolerance:
                problems.append(f"{plant.name}.ore negative")
        for key, value in self.prices.items():
            if not value > 0 or not math.isfinite(value):
                problems.append(f"price {key} = {value}")
        for key, value in self.indicators.items():
            if isinstance(value, float) and not math.isfinite(value):
                problems.append(f"{key} is not finite")
            if (key.endswith("_share") or "_share_" in key) and isinstance(value, float) and not -tolerance <= value <= 1 + tolerance:
                problems.append(f"{key} = {value} outside [0, 1]")
            if "price" in key and isinstance(value, float) and value <= 0:
                problems.append(f"{key} = {value}")
        if not -1.0 <= self.malaysia.alignment <= 1.0:
            problems.append(f"alignment {self.malaysia.alignment}")
        scale = max(1.0, self.totals["mined_reo"])
        if self.mass_balance_error() > tolerance * scale:
            problems.append(f"mass balance off by {self.mass_balance_error():.3g} t")
        if (self.buyer_population.shares < -tolerance).any() or not np.allclose(self.buyer_population.shares.sum(axis=1), 1.0):
            problems.append("buyer supplier shares do not sum to one")
        return problems

    # ---- the agent table -------------------------------------------------------------------

    def _record_agents(self) -> None:
        t = self.tick
        date = self.date
        for state in self.states:
            row = {"tick": t, "date": date, "agent_id": state.unique_id, "agent_type": type(state).__name__, "name": state.name}
            if state is self.malaysia:
                row.update(alignment=self.malaysia.alignment, lean=self.malaysia.lean, capability=self.malaysia.capability, jobs=self.malaysia.jobs)
            elif state is self.china:
                row.update(mining_quota_t_yr=self.china.mining_quota_t_yr, relations_us=self.china.relations_us, escalation_level=self.china.escalation_level)
            else:
                row.update(tariff_malaysia=self.controls.tariff("United States", "Malaysia", t), tariff_china=self.controls.tariff("United States", "China", t))
            self.agent_rows.append(row)
        for firm in self.firms:
            for plant in firm.plants:
                self.agent_rows.append({
                    "tick": t, "date": date, "agent_id": firm.unique_id, "agent_type": type(firm).__name__, "name": firm.name,
                    "plant": plant.name, "stage": plant.stage, "country": plant.country,
                    "capacity_t_yr": plant.capacity_t_yr(t), "output_t": plant.output_t, "utilisation": plant.utilisation,
                    "stock_t": plant.product_t, "cash_usd_m": firm.cash_usd_m,
                })
        every = self.config.outputs.buyer_snapshot_months
        if t % every == 0 or t == self.n_ticks - 1:
            columns = self.buyer_population.table(t)
            ids = [agent.unique_id for agent in self.agents_by_type[Buyer]]
            columns["agent_id"] = np.array(ids)
            columns["agent_type"] = np.full(len(ids), "Buyer")
            columns["name"] = np.array([f"buyer {i}" for i in range(len(ids))])
            columns["date"] = np.full(len(ids), date, dtype=object)
            self.agent_rows.append(columns)


def _floor_name(plant) -> str:
    return {"lynas_malaysia": "Lynas Malaysia", "mp_separation": "MP Materials"}.get(plant.name, plant.name)


def _share(part: float, whole: float) -> float:
    return max(0.0, min(1.0, part / whole)) if whole > 1e-9 else 0.0


def _reporter(name: str):
    def report(model: MagnetDiplomacyModel):
        return model.indicators.get(name)

    report.__name__ = f"report_{name}"
    return report


EXTRA_COLUMNS = [
    "malaysia_lean", "malaysia_revealed_alignment", "malaysia_direct_jobs", "malaysia_export_revenue_usd", "malaysia_incentive_cost_usd",
    "malaysia_capability", "malaysia_trade_tilt", "malaysia_ties_tilt", "malaysia_concessions", "malaysia_oxide_t",
    "malaysia_ore_t", "malaysia_ore_exports_t",
    "price_magnet_china_usd_kg", "price_dy_exchina_usd_kg", "us_tariff_china", "china_ndpr_export_availability",
    "china_us_relations", "china_escalation_level", "china_mining_quota_t_yr", "china_separation_quota_t_yr",
    "china_mine_t", "china_ore_stock_t", "us_mine_share", "china_magnet_t", "nonchina_magnet_t", "magnet_delivered_t", "magnet_re_demand_t", "us_net_import_reliance", "magnet_shortage_t",
    "substitution_share", "oxide_china_to_exchina_t", "oxide_exchina_to_china_t", "lynas_licence_valid",
    "lynas_licence_years_left", "lynas_cash_usd_m", "jslink_cash_usd_m", "raw_ore_ban", "replaying", "mass_balance_error_t",
] + [f"demand_{segment}_t" for segment in SEGMENTS]
