"""MagnetDiplomacyModel: the order of events in a month.

One tick is one month. Each ``step``:

1. plants opening this month take their nameplate; the actions dated this month fire (replayed
   history, scenario interventions, live ones from people);
2. the states decide in a fixed order: United States, China, Korea, Australia, Malaysia;
3. the firms decide (random order): expansions, relocation, offtake ties; offers left unanswered
   expire;
4. production and trade: mining -> ore shipments -> separation -> Dy/Tb circuits -> magnet
   makers plan -> oxide market -> Dy/Tb supply -> magnet making -> buyers order -> magnet market;
5. accounts: Malaysia's value added, jobs and export revenue; Lynas' and JS Link's cash; revealed
   alignment;
6. observers record one row of the output columns (and the agent table).

The rules live elsewhere: agents decide in :mod:`magnetdiplomacy.agents`, the physical chain and
the markets are :mod:`magnetdiplomacy.mechanisms` (pure rules on plain numbers and small state
objects), what is reported is :mod:`magnetdiplomacy.observe`. This class owns the state and the
order of events, and is the one door through which actions enter (:meth:`act`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np
from mesa.agentset import AgentSet

from . import history, observe
from .agents.buyers import Buyer, BuyerPopulation
from .agents.china import China
from .agents.firms import Firm, ForeignMakers, JSLink, Lynas, NewProjects
from .agents.malaysia import Malaysia
from .agents.partners import Australia, Korea
from .agents.united_states import UnitedStates
from .interventions import ACTIONS, Params, checked_params, validate_action
from .interventions.registry import FLOOR_BENEFICIARY
from .mechanisms import accounts, heavy, oxide, production, trade
from .mechanisms.alignment import trade_tilt
from .mechanisms.chain import NEVER
from .mechanisms.controls import ControlBook, LicenceState
from .mechanisms.economics import value_and_jobs
from .mechanisms.market import allocate_orders
from .mechanisms.offers import OfferBook, offer_named
from .mechanisms.partnerships import PartnershipGraph, tie_half_lives
from .mechanisms.streams import RandomStreams
from .outputs import COLUMNS, CONTRACT_COLUMNS  # noqa: F401  (CONTRACT_COLUMNS: re-exported until the sweeps import it from outputs)
from .parameters import Scenario
from .timeline import month_index, months_between, tick_label, tick_of
from .world import MALAYSIAN_MAKERS, SUPPLIER_REGIONS, SUPPLIERS, build_chain, initial_orders


class MagnetDiplomacyModel(mesa.Model):
    """The rare-earth magnet race around Malaysia, one month per step.

    Args:
        scenario: a validated :class:`~magnetdiplomacy.parameters.Scenario` (load files with
            :func:`magnetdiplomacy.load_scenario`; :class:`magnetdiplomacy.runs.BatchModel` takes
            plain keyword parameters for ``mesa.batch_run``).
        rng: seed or numpy Generator; ``None`` uses the scenario's ``run.seed`` so a scenario is
            reproducible by default.
    """

    def __init__(self, scenario: Scenario, *, rng: Any = None) -> None:
        if not isinstance(scenario, Scenario):
            raise TypeError("MagnetDiplomacyModel takes a Scenario; use load_scenario() for names and files")
        seed = scenario.run.seed if rng is None else rng
        super().__init__(rng=seed)
        self.config = scenario
        self.seed = seed if isinstance(seed, int | np.integer) else None
        # Every random decision draws from a named stream (common random numbers across scenarios).
        entropy = int(seed) if self.seed is not None else int(self.rng.integers(2**63))
        self.streams = RandomStreams(entropy)
        self.start = scenario.run.start
        self._start_index = month_index(self.start)
        self.n_ticks = months_between(scenario.run.start, scenario.run.end) + 1
        self.tick = 0
        self.replay_until = tick_of(self.start, scenario.replay.until) if scenario.replay.enabled else -1
        self.controls = ControlBook()
        self.partnerships = PartnershipGraph(
            half_lives=tie_half_lives(scenario), lapse_strength=scenario.malaysia.hedging.tie_lapse_strength
        )
        self.alignment_attribution: list[tuple[int, str, float]] = []  # (month, source, change)
        self.offers = OfferBook()
        self.event_log: list[dict] = []
        self.chain = build_chain(scenario)
        self.market = trade.MarketState.start(scenario, self.chain.magnet_plants)
        self.indicators: dict[str, Any] = {}
        # Reporting only: a caller that keeps just the output contract's columns (a sweep) skips the rest.
        self.contract_indicators_only = False
        self._build_agents(scenario)
        self.scheduled = self._build_schedule()
        self.live_queue: list[tuple[str, Params]] = []
        self.agent_records = observe.AgentRecords(self)
        # Any: sweeps swap in a leaner recorder with the same collect(model)
        self.datacollector: Any = observe.Collector(COLUMNS)
        self.running = self.n_ticks > 0

    def _build_agents(self, scenario: Scenario) -> None:
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
            ForeignMakers(self),
            NewProjects(self),
        ]
        self.korea = Korea(self)
        self.australia = Australia(self)
        self.states = [self.us, self.china, self.korea, self.australia, self.malaysia]
        self.firms = AgentSet([self.lynas, self.jslink, *others], random=self.streams.python_random("firms.order"))
        self.firm_by_id = {firm.unique_id: firm for firm in self.firms}
        initial_orders(self.chain, scenario, self.china.separation_quota_t_yr)
        supply = np.array([p.orders_t for p in self.chain.magnet_plants]) * 12.0
        self.buyer_population = BuyerPopulation(scenario, self.streams, list(SUPPLIERS), list(SUPPLIER_REGIONS), supply)
        Buyer.create_agents(self, scenario.buyers.count, index=list(range(scenario.buyers.count)))
        self.market.view = self._market_view()

    def _build_schedule(self) -> list[history.ScheduledAction]:
        """What happens when: the licence in force at the start, replayed history, the defence
        sourcing rule and the scenario's interventions, in date order."""
        cfg = self.config
        actions = history.opening_actions(self.start)
        if cfg.replay.enabled:
            actions += history.schedule(self.start, cfg.replay.until, cfg.replay.exclude)
        rule = cfg.us.defence_rule_start
        key = (month_index(rule), rule, "us.defence_rule_start")
        actions.append(
            history.ScheduledAction(
                max(0, self.tick_at(rule)), key, "us_defence_origin_rule", {}, "parameter:us.defence_rule_start"
            )
        )
        for i, item in enumerate(cfg.interventions):
            params = item.checked if item.checked is not None else validate_action(item.action, item.params)
            key = (month_index(item.date), item.date, f"I{i:03d}")
            actions.append(
                history.ScheduledAction(
                    self.tick_at(item.date), key, item.action, params, f"scenario:{cfg.name}", item.note
                )
            )
        return sorted(a for a in actions if a.tick < self.n_ticks)

    # ---- calendar ------------------------------------------------------------------------

    @property
    def date(self) -> dt.date:
        """First day of the current month."""
        absolute = self._start_index + self.tick
        return dt.date(absolute // 12, absolute % 12 + 1, 1)

    @property
    def year(self) -> int:
        return (self._start_index + self.tick) // 12

    @property
    def month(self) -> int:
        return (self._start_index + self.tick) % 12 + 1

    def tick_at(self, when: str) -> int:
        """The tick of month ``when`` (YYYY-MM), counted from the start (may be negative)."""
        return tick_of(self.start, str(when))

    def label_of(self, tick: int) -> str:
        """``YYYY-MM`` of a tick, or ``never``."""
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
        """Lynas Malaysia's operating licence this month."""
        return self.controls.plant_licence("Lynas Malaysia", self.tick)

    # ---- the one door for actions --------------------------------------------------------

    def act(
        self,
        name: str,
        params: dict | Params | None = None,
        *,
        source: str = "user",
        description: str = "",
        actor: str = "",
        target: str = "",
        kind: str = "",
    ) -> str:
        """Apply a named action now (validated here unless it already was) and log it; actor,
        target and kind default to the action's own."""
        spec = ACTIONS[name]
        text = spec.apply(self, checked_params(name, params))
        self.log_event(
            actor or spec.actor,
            target or spec.target,
            kind or spec.kind,
            description or text,
            source=source,
            action=name,
        )
        return text

    def fire(self, action: str, **params: Any) -> None:
        """Queue a live intervention (validated now); it takes effect at the start of the next step."""
        self.queue(action, validate_action(action, params))

    def queue(self, action: str, checked: Params) -> None:
        """Queue a live intervention whose parameters were validated where it entered."""
        self.live_queue.append((action, checked))

    def log_event(
        self, actor: str, target: str, kind: str, description: str, *, source: str = "agent", action: str = ""
    ) -> None:
        """One row of the event log, dated this month."""
        self.event_log.append(
            {
                "tick": self.tick,
                "date": self.date,
                "actor": actor,
                "target": target,
                "kind": kind,
                "description": description,
                "source": source,
                "action": action,
            }
        )

    def form_tie(self, a: str, b: str, kind: str, note: str = "") -> bool:
        """A new partnership of type ``kind`` between ``a`` and ``b`` (False if it existed)."""
        return self.partnerships.form(a, b, kind, self.tick, note=note)

    def break_tie(self, a: str, b: str, kind: str) -> bool:
        """End a partnership (logged when there was one)."""
        broken = self.partnerships.dissolve(a, b, kind, self.tick)
        if broken:
            self.log_event(a, b, "partnership", f"{kind} tie {a} - {b} broken", source="agent")
        return broken

    def price_floors(self) -> dict[str, float]:
        """NdPr price floors in force this month, by the plant whose sales they cover (none for
        plants whose origin the US has excluded from its subsidy-eligible supply chains)."""
        in_force, plants = self.controls.price_floors(self.tick), self.chain.plants
        excluded = {name for name in FLOOR_BENEFICIARY if self.controls.origin_rule(self.tick, plants[name].country)}
        return {n: in_force[owner] for n, owner in FLOOR_BENEFICIARY.items() if owner in in_force and n not in excluded}

    def ndpr_offers(self) -> dict[str, float]:
        """The NdPr price each separator expects for this month's output (USD/kg): its pool's
        price, or a floor it holds."""
        return oxide.realised_prices(self.chain, self.market.prices, self.price_floors())

    def import_capacity_t_yr(self) -> float:
        """Ore the mines that ship to China can supply in a year (t REO)."""
        return production.import_capacity_t_yr(self.chain.plants, self.tick)

    @classmethod
    def column_names(cls) -> list[str]:
        """The output columns, in order."""
        return list(COLUMNS)

    # ---- the month -------------------------------------------------------------------------

    def step(self) -> None:
        if self.tick >= self.n_ticks:
            self.running = False
            return
        self.streams.begin_month(self.tick)
        for a, b, kind in self.partnerships.advance(self.tick):
            self.log_event(a, b, "partnership", f"{kind} tie {a} - {b} lapsed (faded unrenewed)")
        self.chain.open_due(self.tick)
        self._fire_scheduled()
        for state in self.states:
            state.step()
        self.firms.random = self.streams.python_random("firms.order")
        self.firms.shuffle_do("step")
        for offer in self.offers.expire(self.tick):
            named = offer_named(offer.kind)
            expired = f"{named[0].upper()}{named[1:]} expired unanswered"
            self.log_event(offer.receiver, offer.sender, "partnership", expired)
        self._produce_and_trade()
        self._accounts()
        self.indicators = observe.indicators(self)
        self.datacollector.collect(self)
        if self.config.outputs.agent_table:
            self.agent_records.record(self)
        self.tick += 1
        if self.tick >= self.n_ticks:
            self.running = False

    def run(self, until: int | None = None, progress: Any = None) -> None:
        """Step until month ``until`` (exclusive; default: the end of the run), calling
        ``progress(tick, n_ticks)`` after each month."""
        end = self.n_ticks if until is None else min(until, self.n_ticks)
        while self.running and self.tick < end:
            self.step()
            if progress is not None:
                progress(self.tick, self.n_ticks)

    def fire_due(self) -> None:
        """Carry out the scheduled actions dated up to this month now (a step starts with them)."""
        while self.scheduled and self.scheduled[0].tick <= self.tick:
            item = self.scheduled.pop(0)
            who = {"actor": item.actor, "target": item.target, "kind": item.kind}
            self.act(item.name, item.params, source=item.source, description=item.description, **who)

    def _fire_scheduled(self) -> None:
        self.fire_due()
        queue, self.live_queue = self.live_queue, []
        for name, params in queue:
            self.act(name, params, source="user")

    def _conditions(self) -> production.Conditions:
        china = self.china
        leak = self.malaysia.development.leak()
        return production.Conditions(
            tick=self.tick,
            licence=self.licence,
            raw_ore_ban=self.controls.raw_ore_ban(self.tick),
            mountain_pass_to_china=china.escalation_level < 2,
            malaysian_ore_to_lynas=self.partnerships.malaysian_ore_to_lynas(),
            china_mining_quota_t_yr=china.mining_quota_t_yr,
            china_separation_quota_t_yr=china.separation_quota_t_yr,
            china_imports_under_quota=china.imports_under_quota,
            illegal_mining_t=leak.illegal_t,
            ore_leak_share=leak.legal_share,
        )

    def _produce_and_trade(self) -> None:
        chain, market, cfg, t = self.chain, self.market, self.config, self.tick
        chain.new_month()
        conditions = self._conditions()
        production.mine(chain.plants, conditions, chain.totals)
        chain.flows.update(production.ship_ore(chain.plants, conditions, cfg, chain.edges))
        production.separate_all(
            chain.plants, conditions, cfg, chain.flows["china_imports_reo"], self.ndpr_offers(), chain.totals
        )
        production.heavy_circuits(chain.plants, conditions, chain.totals)
        planned = production.plan_magnets(chain.magnet_plants, t, cfg.market.stock_cover_months)
        share = cfg.lynas.jslink_supply_share if self.partnerships.has("Lynas", "JS Link", "supply") else None
        contracts = [("mp_separation", "us_magnets", 1.0)] + (
            [("lynas_malaysia", "jslink_magnets", share)] if share is not None else []
        )
        pools = oxide.oxide_market(
            chain,
            planned,
            cfg,
            market,
            contracts,
            self.controls.licence_availability("ndpr", "world", t),
        )
        china_ndpr_t = production.china_ndpr_capacity_t(chain.plants, conditions, chain.flows["china_imports_reo"], cfg)
        withheld = self.controls.licence_availability("ndpr", "world", t) < 1.0
        oxide.trade_stockpiles(chain, market, cfg, china_ndpr_t, withheld, t)
        oxide.record_realised(chain, market.prices, self.price_floors())
        heavy_ties = [("mp_heavy", "us_magnets", 1.0)] + (
            [("lynas_heavy", "jslink_magnets", share)] if share is not None else []
        )
        availability = {
            p.name: self.controls.licence_availability("heavy", trade.MAKER_DESTINATION[p.country], t)
            for p in chain.magnet_plants
            if p.pool == "exchina"
        }
        china_heavy_t = heavy.china_domestic_need_t(planned, cfg)
        if market.heavy_per_feed is None:
            mag = cfg.magnets
            world_t = sum(planned.values()) * mag.heavy_grade_share * mag.heavy_content
            outside_t = sum(chain.plants[name].output_t for name in heavy.HEAVY_SELLERS)
            heavy.open_china_market(chain, market, max(0.0, world_t - outside_t), cfg, t)
        exportable = heavy.china_exportable_t(chain, market, china_heavy_t, cfg, t)
        heavy_exports_t = heavy.supply_heavy(chain, planned, cfg, market, heavy_ties, availability, exportable)
        market.traded = dict(market.prices)  # quotes move at the end of the month; the month traded at these
        trade.make_magnets_all(chain, planned, cfg, t)
        self._magnet_market()
        heavy_availability = self.controls.licence_availability("magnet_heavy", "world", t)
        oxide.update_prices(chain, market, cfg, pools, china_ndpr_t, heavy_availability, t)
        heavy.update_china_prices(chain, market, cfg, china_heavy_t, heavy_exports_t, oxide.storage_rule(cfg), t)
        chain.flows["china_heavy_exports_t"] = heavy_exports_t

    def magnet_unit_cost(self, plant) -> float:
        """USD/kg it costs ``plant`` to make a magnet this month."""
        malaysia = self.malaysia
        local_content = malaysia.development.local_content
        return trade.unit_cost(
            plant, self.market.prices, self.config, malaysia.capability, malaysia.incentive_level, local_content
        )

    def _market_view(self):
        cfg = self.config
        costs = [self.magnet_unit_cost(p) for p in self.chain.magnet_plants]
        shock = trade.demand_shock(self.tick, self.tick_at(cfg.demand.shock_start), cfg.demand)
        tension = trade.tension(self.china.escalation_level, self.china.relations_us)
        share = cfg.lynas.jslink_supply_share if self.partnerships.has("Lynas", "JS Link", "supply") else 0.0
        audited = trade.audited_shares(self.chain, {"jslink_magnets": share})
        return trade.market_view(self.chain, self.market, cfg, self.controls, self.tick, costs, tension, shock, audited)

    def _magnet_market(self) -> None:
        """Buyers see the market, decide and order; makers deliver from stock; mark-ups move."""
        chain, market, cfg = self.chain, self.market, self.config
        population = self.buyer_population
        market.view = view = self._market_view()
        if population.landed_cost_2020 is None:
            population.set_reference_costs(view)
        population.draw()
        population.decide(view)
        allocation = allocate_orders(
            population.orders(),
            view.reachable[population.region],
            np.array([p.product_t for p in chain.magnet_plants]),
            population.preferences,
        )
        population.receive(allocation.delivered)
        by_region = trade.book_deliveries(chain, population.region, allocation.delivered)
        trade.settle_magnet_sales(chain, market, allocation.sold, allocation.asked)
        trade.update_margins(chain, market, cfg)
        js = SUPPLIERS.index("jslink_magnets")
        jslink = chain.plants["jslink_magnets"]
        self.jslink.account(allocation.sold[js], float(view.price[js]), self.magnet_unit_cost(jslink))
        makers, malaysia = [SUPPLIERS.index(name) for name in MALAYSIAN_MAKERS], self.malaysia
        # What the magnet-plant incentive costs the government: its cut of conversion cost on output.
        site = (malaysia.capability, malaysia.incentive_level, malaysia.development.local_content)
        chain.flows["incentive_cost_usd"] = sum(
            trade.incentive_cost_usd(chain.magnet_plants[m], cfg, *site) for m in makers
        )
        chain.flows["malaysia_sales_by_region"] = by_region[:, makers].sum(axis=1)
        chain.flows["malaysia_maker_sales"] = {SUPPLIERS[m]: float(allocation.sold[m]) for m in makers}
        chain.flows["malaysia_share_esg_buyers"] = population.esg_share(allocation.delivered, makers)
        chain.flows["magnet_prices"] = view.price
        chain.flows["magnet_demand_t"] = float(population.demand_t.sum())
        chain.flows["magnet_delivered_t"] = float(population.delivered_t.sum())

    def _accounts(self) -> None:
        """Malaysia's economy and revealed alignment, the firms' cash, the market's memory."""
        cfg, chain, prices = self.config, self.chain, self.market.prices
        plants, flows, malaysia = chain.plants, chain.flows, self.malaysia
        contracted = flows.get("oxide_contracted_lynas_t", 0.0)
        oxide_abroad, to_china = accounts.oxide_sales(plants, contracted)
        by_region = flows["malaysia_sales_by_region"]
        maker_prices = {name: float(flows["magnet_prices"][SUPPLIERS.index(name)]) for name in MALAYSIAN_MAKERS}
        js_price = accounts.average_price(flows["malaysia_maker_sales"], maker_prices)
        ladder_value, direct_jobs, jobs = value_and_jobs(
            accounts.malaysia_rungs(plants, cfg.malaysia.component_share), cfg
        )
        value_added = accounts.value_added_usd(plants, prices, maker_prices, cfg)
        malaysia.record_economy(value_added, direct_jobs, jobs, js_price)
        flows["value_added_ladder_usd"] = ladder_value
        malaysia.export_revenue_usd = accounts.export_revenue_usd(
            plants, contracted, by_region, js_price, prices, cfg.magnets.tb_share_of_heavy
        )
        flows["malaysia_exports_t"] = accounts.exports_by_bloc(chain.edges, by_region)
        malaysia.development.book_investment()
        mined = sum(plants[name].output_t for name in ("perak_pilot", "jv_mine", "malaysia_illegal_mines"))
        malaysia.development.record_exports(accounts.exports_by_destination(chain.edges, by_region), mined)
        self.lynas.account()
        # Revealed alignment: ties, trade (rare-earth sales by bloc + general trade), concessions.
        hedging = cfg.malaysia.hedging
        sales = accounts.sales_by_bloc(to_china, oxide_abroad, accounts.exchina_oxide_bloc(plants), by_region)
        year = malaysia.trade_memory.add(sales)
        tariff = self.controls.tariff("United States", "Malaysia", self.tick)
        us_share = hedging.us_trade_share * (1.0 + tariff) ** (-hedging.tariff_trade_elasticity)
        flows["trade_tilt"] = trade_tilt(year, us_share, hedging.china_trade_share)
        tie_tilts = self.partnerships.malaysia_tilts()
        flows["ties_tilt"] = sum(tie_tilts.values())
        malaysia.reveal(tie_tilts, flows["trade_tilt"], hedging, first_month=self.tick == 0)
        self.alignment_attribution.extend((self.tick, source, change) for source, change in malaysia.moved.items())
        self.market.record(sum(p.output_t for p in plants.values() if p.stage == "separation"))

    # ---- what observers and interfaces ask -----------------------------------------------

    def mass_balance_error(self) -> float:
        """Largest absolute residual of the stage balances since the start (tonnes)."""
        return observe.mass_balance_error(self.chain)

    def material_flows(self) -> list[dict]:
        """This month's flows between stages by country (see :func:`magnetdiplomacy.observe.material_flows`)."""
        return observe.material_flows(self.chain)

    def check_invariants(self, tolerance: float = 1e-6) -> list[str]:
        """What is physically wrong with the current month, if anything."""
        return observe.check_invariants(self, tolerance)
