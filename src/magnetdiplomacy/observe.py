"""Observers: what a run reports each month, read from the model's state and never written to it.

:func:`indicators` fills one row of the output columns declared in :mod:`magnetdiplomacy.outputs`;
:func:`agent_rows` adds the month's rows of the agent table; :func:`check_invariants` and
:func:`mass_balance_error` say what, if anything, is physically wrong; :func:`material_flows` lists
the month's flows between stages by country.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from .agents.buyers import Buyer
from .mechanisms.chain import Chain, Plant
from .mechanisms.production import ILLEGAL_MINES
from .parameters import REGIONS, SEGMENTS, Scenario
from .world import MALAYSIAN_MAKERS, SUPPLIERS

if TYPE_CHECKING:  # pragma: no cover
    from .model import MagnetDiplomacyModel


class Collector(mesa.DataCollector):
    """Mesa's DataCollector for the output columns: it copies the month's row of indicators
    (plain numbers, so no deep copy is needed)."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__(model_reporters={name: name for name in columns})
        self.columns = columns

    def collect(self, model: MagnetDiplomacyModel) -> None:
        self._collection_steps.append(model.time)
        row = model.indicators
        for name in self.columns:
            self.model_vars[name].append(row.get(name))


def share(part: float, whole: float) -> float:
    """``part / whole`` within [0, 1] (0 when there is no whole)."""
    return max(0.0, min(1.0, part / whole)) if whole > 1e-9 else 0.0


def us_import_reliance(edges: Mapping[tuple[str, str, str, str], float], config: Scenario) -> float:
    """US net import reliance for separated rare earths (as USGS counts compounds and metals):
    the share of NdPr used in the US that was not separated in the US.

    US use is the NdPr in magnets delivered to US buyers plus the US share of other uses; US
    supply is NdPr separated in the US and taken by US magnet makers or US other uses (MP's
    oxide sold abroad does not lower it)."""
    us = config.demand.regions.united_states
    to_us = sum(t for (a, _, c, d), t in edges.items() if a == "magnets" and c == "buyers" and d == "united_states")
    other = sum(t for (a, _, c, _), t in edges.items() if a == "separation" and c == "other uses")
    use = to_us * config.magnets.ndpr_share + other * us
    domestic = edges.get(("separation", "united_states", "magnets", "united_states"), 0.0)
    domestic += edges.get(("separation", "united_states", "other uses", "other uses"), 0.0) * us
    return max(0.0, 1.0 - domestic / use) if use > 1e-9 else 0.0


def exchina_magnet_price(model: MagnetDiplomacyModel, prices: np.ndarray) -> float:
    """Sales-weighted magnet price of the makers outside China (USD/kg)."""
    t = model.tick
    plants = model.chain.magnet_plants
    exchina_idx = [m for m, p in enumerate(plants) if p.pool == "exchina"]
    weights = np.array([max(plants[m].sold_t, 1e-9 if plants[m].capacity_t(t) > 0 else 0.0) for m in exchina_idx])
    if weights.sum() > 0:
        return float(np.average(prices[exchina_idx], weights=weights))
    return float(prices[exchina_idx].mean())


def realised_price(*plants: Plant) -> float:
    """Sales-weighted NdPr price some separators realised this month (the first one's when none sold)."""
    sold = sum(p.sold_t for p in plants)
    if sold <= 1e-9:
        return plants[0].realised_usd_kg
    return sum(p.sold_t * p.realised_usd_kg for p in plants) / sold


def indicators(model: MagnetDiplomacyModel) -> dict[str, Any]:
    """This month's row of the output columns (only the contract's when the model is told so)."""
    chain, plants, t = model.chain, model.chain.plants, model.tick
    flows = chain.flows
    # Recorded mining (the USGS basis): illegal mining is reported apart (malaysia_ore_leaked_t).
    mines = [p for p in plants.values() if p.stage == "mine" and p.name not in ILLEGAL_MINES]
    separators = [p for p in plants.values() if p.stage == "separation"]
    world_mine = sum(p.output_t for p in mines)
    world_oxide = sum(p.output_t for p in separators)
    world_magnet = sum(p.output_t for p in chain.magnet_plants)
    china_magnet = plants["china_magnets"].output_t
    malaysia_magnet = sum(plants[name].output_t for name in MALAYSIAN_MAKERS)
    malaysia_oxide = plants["lynas_malaysia"].output_t + plants["jv_refinery"].output_t
    nonchina_magnet = world_magnet - china_magnet
    prices = flows["magnet_prices"]
    market, controls, malaysia = model.market, model.controls, model.malaysia
    row = {
        "tick": t,
        "date": np.datetime64(model.date, "ns"),
        "malaysia_alignment": malaysia.alignment,
        "malaysia_magnet_share_global": share(malaysia_magnet, world_magnet),
        "malaysia_magnet_share_nonchina": share(malaysia_magnet, nonchina_magnet),
        "malaysia_oxide_share_global": share(malaysia_oxide, world_oxide),
        "china_mine_share": share(plants["china_mines"].output_t, world_mine),
        "china_separation_share": share(plants["china_separation"].output_t, world_oxide),
        "china_magnet_share": share(china_magnet, world_magnet),
        "world_mine_t": world_mine,
        "world_oxide_t": world_oxide,
        "world_magnet_t": world_magnet,
        "magnet_demand_t": flows["magnet_demand_t"],
        "price_ndpr_china_usd_kg": market.traded["ndpr_china"],
        "price_ndpr_exchina_usd_kg": market.traded["ndpr_exchina"],
        "price_magnet_exchina_usd_kg": exchina_magnet_price(model, prices),
        "lynas_ndpr_t": plants["lynas_malaysia"].output_t + plants["lynas_relocated"].output_t,
        "jslink_magnet_t": plants["jslink_magnets"].output_t,
        "us_tariff_malaysia": controls.tariff("United States", "Malaysia", t),
        "china_export_licence_rate": controls.licence_availability("magnet_heavy", "world", t),
        "malaysia_jobs": malaysia.jobs,
        "malaysia_value_added_usd": malaysia.value_added_usd,
        "partnerships_active": model.partnerships.count(),
    }
    if model.contract_indicators_only:
        return row
    row |= _extra_indicators(model, malaysia_oxide, china_magnet, nonchina_magnet, world_mine, prices)
    return row


def _extra_indicators(
    model: MagnetDiplomacyModel,
    malaysia_oxide: float,
    china_magnet: float,
    nonchina_magnet: float,
    world_mine: float,
    prices: np.ndarray,
) -> dict[str, Any]:
    chain, plants, t = model.chain, model.chain.plants, model.tick
    flows, malaysia, china, controls = chain.flows, model.malaysia, model.china, model.controls
    licence, population, mag = model.licence, model.buyer_population, model.config.magnets
    row = {
        "malaysia_lean": malaysia.lean,
        "malaysia_revealed_alignment": malaysia.revealed,
        "malaysia_direct_jobs": malaysia.direct_jobs,
        "malaysia_export_revenue_usd": malaysia.export_revenue_usd,
        "malaysia_incentive_cost_usd": flows["incentive_cost_usd"],
        "malaysia_capability": malaysia.capability,
        "malaysia_trade_tilt": flows["trade_tilt"],
        "malaysia_ties_tilt": flows["ties_tilt"],
        "malaysia_concessions": malaysia.concessions,
        "malaysia_oxide_t": malaysia_oxide,
        "malaysia_ore_t": plants["perak_pilot"].output_t + plants["jv_mine"].output_t,
        "malaysia_ore_exports_t": flows["malaysia_ore_exports_t"],
        "price_magnet_china_usd_kg": float(prices[SUPPLIERS.index("china_magnets")]),
        "price_dy_exchina_usd_kg": model.market.traded["dy_exchina"],
        "us_tariff_china": controls.tariff("United States", "China", t),
        "china_ndpr_export_availability": controls.licence_availability("ndpr", "world", t),
        "china_us_relations": china.relations_us,
        "china_escalation_level": china.escalation_level,
        "china_mining_quota_t_yr": china.mining_quota_t_yr,
        "china_separation_quota_t_yr": china.separation_quota_t_yr,
        "china_mine_t": plants["china_mines"].output_t,
        "china_ore_stock_t": plants["china_separation"].ore.reo_t + plants["china_mines"].ore.reo_t,
        "us_mine_share": share(plants["mountain_pass"].output_t, world_mine),
        "china_magnet_t": china_magnet,
        "nonchina_magnet_t": nonchina_magnet,
        "magnet_delivered_t": flows["magnet_delivered_t"],
        "magnet_re_demand_t": flows["magnet_demand_t"] * (mag.ndpr_share + mag.heavy_grade_share * mag.heavy_content),
        "us_net_import_reliance": us_import_reliance(chain.edges, model.config),
        "magnet_shortage_t": max(0.0, flows["magnet_demand_t"] - flows["magnet_delivered_t"]),
        "substitution_share": float(np.average(population.substitution, weights=population.base_demand_t)),
        "oxide_china_to_exchina_t": flows["oxide_to_exchina_t"],
        "oxide_exchina_to_china_t": flows["oxide_to_china_t"],
        "lynas_licence_valid": float(licence.valid),
        "lynas_licence_years_left": licence.years_left if licence.valid else 0.0,
        "lynas_cash_usd_m": model.lynas.cash_usd_m,
        "jslink_cash_usd_m": model.jslink.cash_usd_m,
        "raw_ore_ban": float(controls.raw_ore_ban(t)),
        "us_excludes_malaysia": float(controls.origin_rule(t, "malaysia")),
        "china_restricts_malaysia": float(china.restricting_malaysia),
        "replaying": float(model.replaying),
        "mass_balance_error_t": mass_balance_error(chain),
    }
    row |= _market_indicators(model)
    row |= _development_indicators(model)
    demand_by_segment = population.demand_by_segment()
    for s, segment in enumerate(SEGMENTS):
        row[f"demand_{segment}_t"] = float(demand_by_segment[s])
    return row


def _development_indicators(model: MagnetDiplomacyModel) -> dict[str, Any]:
    """Malaysia's scorecard beyond the chain: know-how, investment, customers, ore leaving, the ground."""
    chain, flows = model.chain, model.chain.flows
    development = model.malaysia.development
    by_region = flows["malaysia_sales_by_region"]
    return {
        "malaysia_local_content": development.local_content,
        "malaysia_patents_index": development.patents_index,
        "malaysia_downstream_investment_usd": development.invested_usd,
        "malaysia_downstream_investment_total_usd": development.invested_total_usd,
        "malaysia_customer_spread": development.customer_spread,
        "malaysia_magnet_sales_japan_korea_t": float(by_region[REGIONS.index("japan_korea")]),
        "malaysia_share_esg_buyers": flows["malaysia_share_esg_buyers"],
        "malaysia_magnet_capacity_t": sum(chain.plants[n].capacity_t(model.tick) for n in MALAYSIAN_MAKERS),
        "malaysia_magnet_orders_t": sum(chain.plants[n].orders_t for n in MALAYSIAN_MAKERS),
        "foreign_makers_malaysia_t": chain.plants["foreign_malaysia_magnets"].output_t,
        "malaysia_ore_leaked_t": flows["malaysia_ore_leaked_t"],
        "malaysia_domestic_ore_feed_t": chain.edges[("mine", "malaysia", "separation", "malaysia")],
        "malaysia_enforcement_usd": development.enforcement_usd_m_yr * 1e6 / 12.0,
        "malaysia_innovation_usd": development.fund_usd_m_yr() * 1e6 / 12.0,
        "malaysia_resource_t": development.resource_t,
        "malaysia_resource_value_usd": development.resource_value_usd(),
    }


def _market_indicators(model: MagnetDiplomacyModel) -> dict[str, Any]:
    """Prices realised and of Dy and Tb, stocks, stockpiles, trade flows, Malaysia's exports by bloc."""
    chain, plants, t = model.chain, model.chain.plants, model.tick
    flows = chain.flows
    row = {
        "price_dy_china_usd_kg": model.market.traded["dy_china"],
        "price_tb_china_usd_kg": model.market.traded["tb_china"],
        "price_tb_exchina_usd_kg": model.market.traded["tb_exchina"],
        "price_ndpr_realised_lynas_usd_kg": realised_price(plants["lynas_malaysia"], plants["lynas_relocated"]),
        "price_ndpr_realised_mp_usd_kg": plants["mp_separation"].realised_usd_kg,
        "ndpr_cover_china_months": model.market.cover_months["china"],
        "ndpr_cover_exchina_months": model.market.cover_months["exchina"],
        "china_reserve_t": chain.stockpiles["china_reserve"].held_t,
        "allied_stockpile_t": chain.stockpiles["allied"].held_t,
        "nonchina_separation_capacity_t_yr": sum(
            p.capacity_t_yr(t) for p in plants.values() if p.stage == "separation" and p.country != "china"
        ),
        "china_ndpr_exports_t": flows["china_ndpr_exports_t"],
        "china_magnet_exports_t": sum(
            v for (a, b, _, d), v in chain.edges.items() if a == "magnets" and b == "china" and d != "china"
        ),
        "china_heavy_exports_t": flows["china_heavy_exports_t"],
        "malaysia_value_added_ladder_usd": flows["value_added_ladder_usd"],
    }
    for key, tonnes in flows["malaysia_exports_t"].items():
        good, bloc = key.split("_", 1)
        row[f"malaysia_{good}_exports_{bloc}_t"] = tonnes
    return row


def mass_balance_error(chain: Chain) -> float:
    """Largest absolute residual of the stage balances since the start (tonnes)."""
    plants = chain.plants.values()
    totals = chain.totals
    ore_stocks = sum(p.ore.reo_t for p in plants)
    ore = totals["mined_reo"] - totals["separated_feed_reo"] - ore_stocks
    separation = (
        totals["separated_feed_reo"]
        - totals["separated_ndpr"]
        - totals["coproduct"]
        - totals["separation_loss"]
        - totals["heavy_made"]
    )
    ndpr_stocks = (
        sum(p.product_t for p in plants if p.stage == "separation")
        + sum(p.input_t for p in chain.magnet_plants)
        + sum(pile.held_t for pile in chain.stockpiles.values())
    )
    ndpr = (
        totals["ndpr_opening"]
        + totals["separated_ndpr"]
        - totals["ndpr_other_uses"]
        - totals["ndpr_in_magnets"]
        - totals["ndpr_scrap_lost"]
        - ndpr_stocks
    )
    magnet_stocks = sum(p.product_t for p in chain.magnet_plants)
    magnets = totals["magnet_opening"] + totals["magnets_made"] - totals["magnets_delivered"] - magnet_stocks
    heavy_stocks = sum(chain.plants[n].product_t for n in ("lynas_heavy", "mp_heavy")) + sum(
        p.heavy_t for p in chain.magnet_plants
    )
    heavy = totals["heavy_made"] + totals["heavy_from_china"] - totals["heavy_used"] - heavy_stocks
    return float(max(abs(ore), abs(separation), abs(ndpr), abs(magnets), abs(heavy)))


def material_flows(chain: Chain) -> list[dict]:
    """This month's flows between stages by country: ore (t REO) from mines to separation, NdPr
    (t) from separation to magnet makers or other uses, magnets (t) from makers to buyer regions.
    Oxide that passes through a pool is traced to buyers in proportion to what they took."""
    return [
        {"from_stage": a, "from": b, "to_stage": c, "to": d, "tonnes": tonnes}
        for (a, b, c, d), tonnes in sorted(chain.edges.items())
        if tonnes > 1e-9
    ]


def check_invariants(model: MagnetDiplomacyModel, tolerance: float = 1e-6) -> list[str]:
    """What is wrong with the current month, if anything: negative stocks or prices, NaN,
    shares outside [0, 1], alignment outside [-1, 1], mass not conserved."""
    problems = []
    for plant in model.chain.plants.values():
        for name in ("product_t", "input_t", "heavy_t", "output_t"):
            if getattr(plant, name) < -tolerance:
                problems.append(f"{plant.name}.{name} = {getattr(plant, name)}")
        if plant.ore.reo_t < -tolerance or plant.ore.ndpr_t < -tolerance:
            problems.append(f"{plant.name}.ore negative")
    for key, value in model.market.prices.items():
        if not value > 0 or not math.isfinite(value):
            problems.append(f"price {key} = {value}")
    for key, value in model.indicators.items():
        problems += _indicator_problems(key, value, tolerance)
    if not -1.0 <= model.malaysia.alignment <= 1.0:
        problems.append(f"alignment {model.malaysia.alignment}")
    error = mass_balance_error(model.chain)
    if error > tolerance * max(1.0, model.chain.totals["mined_reo"]):
        problems.append(f"mass balance off by {error:.3g} t")
    shares = model.buyer_population.shares
    if (shares < -tolerance).any() or not np.allclose(shares.sum(axis=1), 1.0):
        problems.append("buyer supplier shares do not sum to one")
    return problems


def _indicator_problems(key: str, value: Any, tolerance: float) -> list[str]:
    if not isinstance(value, float):
        return []
    problems = []
    if not math.isfinite(value):
        problems.append(f"{key} is not finite")
    if (key.endswith("_share") or "_share_" in key) and not -tolerance <= value <= 1 + tolerance:
        problems.append(f"{key} = {value} outside [0, 1]")
    if "price" in key and value <= 0:
        problems.append(f"{key} = {value}")
    return problems


PLANT_FIELDS = ("capacity_t_yr", "output_t", "utilisation", "stock_t", "cash_usd_m")


class AgentRecords:
    """The agent table as a run goes: a row per state and per plant every month, and every buyer
    at the configured interval. Plant rows are kept as one array a month; :meth:`rows` and
    :meth:`plant_columns` give them back as table rows and columns."""

    def __init__(self, model: MagnetDiplomacyModel) -> None:
        self.plants = [
            (firm.unique_id, firm.table_type, firm.name, plant) for firm in model.firms for plant in firm.plants
        ]
        self.state_rows: list[dict] = []
        self.months: list[tuple[int, Any]] = []
        self.plant_values: list[list[list[float]]] = []
        self.buyer_blocks: list[dict[str, np.ndarray]] = []

    def __bool__(self) -> bool:
        return bool(self.state_rows or self.months or self.buyer_blocks)

    def record(self, model: MagnetDiplomacyModel) -> None:
        """This month's rows."""
        t = model.tick
        self.state_rows += state_rows(model)
        self.months.append((t, model.date))
        self.plant_values.append(
            [
                [plant.capacity_t_yr(t), plant.output_t, plant.utilisation, plant.product_t, firm_cash(model, uid)]
                for uid, _, _, plant in self.plants
            ]
        )
        every = model.config.outputs.buyer_snapshot_months
        if t % every == 0 or t == model.n_ticks - 1:
            self.buyer_blocks.append(buyer_block(model))

    def plant_columns(self) -> dict[str, Any]:
        """Every plant row of the run, as columns (month by month, firms and plants in order)."""
        n = len(self.plants)
        values = (
            np.array(self.plant_values, dtype=float).reshape(-1, len(PLANT_FIELDS)) if self.months else np.zeros((0, 5))
        )
        columns: dict[str, Any] = {
            "tick": np.repeat([t for t, _ in self.months], n),
            "date": [date for _, date in self.months for _ in range(n)],
            "agent_id": np.tile([uid for uid, _, _, _ in self.plants], len(self.months)),
            "agent_type": [kind for _ in self.months for _, kind, _, _ in self.plants],
            "name": [name for _ in self.months for _, _, name, _ in self.plants],
            "plant": [p.name for _ in self.months for _, _, _, p in self.plants],
            "stage": [p.stage for _ in self.months for _, _, _, p in self.plants],
            "country": [p.country for _ in self.months for _, _, _, p in self.plants],
        }
        for i, name in enumerate(PLANT_FIELDS):
            columns[name] = values[:, i]
        return columns


def firm_cash(model: MagnetDiplomacyModel, unique_id: int) -> float:
    """Cash (USD m) of the firm with this id."""
    return model.firm_by_id[unique_id].cash_usd_m


def state_rows(model: MagnetDiplomacyModel) -> list[dict]:
    """The agent table's rows of the states this month."""
    t, date = model.tick, model.date
    controls = model.controls
    rows: list[dict] = []
    for state in model.states:
        row = {"tick": t, "date": date, "agent_id": state.unique_id, "agent_type": state.table_type, "name": state.name}
        if state is model.malaysia:
            malaysia = model.malaysia
            row.update(
                alignment=malaysia.alignment, lean=malaysia.lean, capability=malaysia.capability, jobs=malaysia.jobs
            )
        elif state is model.china:
            china = model.china
            row.update(
                mining_quota_t_yr=china.mining_quota_t_yr,
                relations_us=china.relations_us,
                escalation_level=china.escalation_level,
            )
        else:
            row.update(
                tariff_malaysia=controls.tariff("United States", "Malaysia", t),
                tariff_china=controls.tariff("United States", "China", t),
            )
        rows.append(row)
    return rows


def buyer_block(model: MagnetDiplomacyModel) -> dict[str, np.ndarray]:
    """Every buyer's row of the agent table this month, as columns."""
    columns = model.buyer_population.table(model.tick)
    ids = [agent.unique_id for agent in model.agents_by_type[Buyer]]
    columns["agent_id"] = np.array(ids)
    columns["agent_type"] = np.full(len(ids), "Buyer")
    columns["name"] = np.array([f"buyer {i}" for i in range(len(ids))])
    columns["date"] = np.full(len(ids), model.date, dtype=object)
    return columns
