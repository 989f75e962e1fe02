"""The 2020 world: every plant in the chain, who owns it, where it is and where its ore goes.

Capacities and start dates come from the scenario (see :mod:`magnetdiplomacy.parameters` for the
data row behind each number). Ore routes are fixed by geography and ownership; which route is open
in a month depends on controls (the raw-ore ban, Lynas' licence) and is decided by the month's
production rules (:mod:`magnetdiplomacy.mechanisms.production`).

:func:`build_chain` makes the :class:`~magnetdiplomacy.mechanisms.chain.Chain` a run starts from.
"""

from __future__ import annotations

from typing import Any

from .mechanisms.accounts import MALAYSIAN_MAKERS
from .mechanisms.chain import NEVER, Chain, Plant
from .mechanisms.production import ORE_ROUTES
from .mechanisms.stockpiles import allied_target_t
from .parameters import Scenario
from .timeline import tick_of

__all__ = [
    "NEVER",
    "ORE_ROUTES",
    "SUPPLIERS",
    "SUPPLIER_REGIONS",
    "MALAYSIAN_MAKERS",
    "MALAYSIAN_PLANTS",
    "Chain",
    "build_chain",
]

# Magnet suppliers buyers choose between, with the region each is "home" to.
SUPPLIERS = (
    "china_magnets",
    "japan_magnets",
    "row_magnets",
    "us_magnets",
    "jslink_magnets",
    "foreign_malaysia_magnets",
)
SUPPLIER_REGIONS = ("china", "japan_korea", "europe", "united_states", "southeast_asia", "southeast_asia")

MALAYSIAN_PLANTS = ("perak_pilot", "jv_mine", "lynas_malaysia", "jv_refinery", "lynas_heavy", *MALAYSIAN_MAKERS)


# Recorded interruptions of Malaysian production (replayed history): plant, first month, months,
# share of capacity available, source.
OUTAGES = (
    # Movement-control order: shut from about 23 March 2020 for six weeks, restarting at 70 %.
    ("lynas_malaysia", "2020-03", 1, 0.7, "C483"),
    ("lynas_malaysia", "2020-04", 1, 0.0, "C483"),
    ("lynas_malaysia", "2020-05", 1, 0.6, "C483; C484"),
    # After the restart the plant ran at 70-75 % of its NEXT rate until early 2021.
    ("lynas_malaysia", "2020-06", 10, 0.75, "C484; C485"),
    # Water-supply outage: 16 days of production lost.
    ("lynas_malaysia", "2022-09", 1, 0.47, "C486"),
    # Shutdown for the upgrade to 10,500 t/yr, from mid-November 2023 into the December quarter.
    ("lynas_malaysia", "2023-11", 1, 0.5, "C487"),
    ("lynas_malaysia", "2023-12", 1, 0.0, "C487"),
)


def build_chain(config: Scenario) -> Chain:
    """The chain at the start of the run: every plant, with planned additions already scheduled
    and, while history is replayed, its recorded outages."""
    pending: dict[str, tuple[Any, tuple[str, ...], str | None]] = {}
    plants = build_plants(config, pending)
    replay = config.replay
    if replay.enabled:
        for name, first, months, available, _source in OUTAGES:
            if first <= replay.until:
                plants[name].outages.append((tick_of(config.run.start, first), months, available))
    return Chain(plants, [plants[name] for name in SUPPLIERS], pending)


def build_plants(
    config: Scenario, pending: dict[str, tuple[Any, tuple[str, ...], str | None]] | None = None
) -> dict[str, Plant]:
    """Every plant at the start of the run, with planned additions already scheduled.

    Plants opening after the first month get a zero nameplate and an entry in ``pending``."""
    builder = _PlantBuilder(config, {} if pending is None else pending)
    plants = builder.mines() + builder.separators() + builder.magnet_makers()
    by_name = {plant.name: plant for plant in plants}
    for name, (cash, capital) in separation_costs(config).items():
        by_name[name].cash_cost_usd_kg = cash
        by_name[name].capital_usd_kg = capital
    return by_name


def separation_costs(config: Scenario) -> dict[str, tuple[float, float]]:
    """Cash cost and capital charge (USD/kg NdPr) of every separation plant.

    Existing plants carry the capital charge of existing capacity; a new project must earn the
    incentive price, so its capital charge is what lies between its cash cost and that price. The
    joint venture in Malaysia and Lynas' relocated plant are new builds too."""
    c = config.costs
    new_capital = max(0.0, c.new_supply_incentive_usd_kg - c.ndpr_cash_new_usd_kg)
    lynas_new_capital = max(0.0, c.new_supply_incentive_usd_kg - c.ndpr_cash_lynas_usd_kg)
    return {
        "china_separation": (c.ndpr_cash_china_usd_kg, c.capital_charge_usd_kg),
        "lynas_malaysia": (c.ndpr_cash_lynas_usd_kg, c.capital_charge_usd_kg),
        "lynas_relocated": (c.ndpr_cash_lynas_usd_kg, lynas_new_capital),
        "mp_separation": (c.ndpr_cash_mp_usd_kg, c.capital_charge_usd_kg),
        "other_separation": (c.ndpr_cash_other_usd_kg, c.capital_charge_usd_kg),
        "jv_refinery": (c.ndpr_cash_new_usd_kg, new_capital),
        "new_separation": (c.ndpr_cash_new_usd_kg, new_capital),
    }


class _PlantBuilder:
    """The 2020 plants from a scenario, stage by stage."""

    def __init__(self, config: Scenario, pending: dict[str, tuple[Any, tuple[str, ...], str | None]]) -> None:
        self.config = config
        self.pending = pending

    def at(self, when: str) -> int:
        return tick_of(self.config.run.start, when)

    def opening(
        self, section: Any, name: str | tuple[str, ...], when: str, plant: str, ramp: str | float | None = None
    ) -> dict:
        """Nameplate (the product of the fields ``name``) and ramp (a field or a number of months) of a
        plant: read from the scenario when it opens if that is after the first month."""
        fields = (name,) if isinstance(name, str) else name
        start = self.at(when)
        ramp_field = ramp if isinstance(ramp, str) else None
        if start > 0:
            self.pending[plant] = (section, fields, ramp_field)
            months = {} if ramp is None or ramp_field else {"ramp_months": ramp}
            return {"nameplate_t_yr": 0.0, "start": start, **months}
        value = getattr(section, fields[0])
        for other in fields[1:]:
            value = value * getattr(section, other)
        months = {} if ramp is None else {"ramp_months": getattr(section, ramp_field) if ramp_field else ramp}
        return {"nameplate_t_yr": value, "start": start, **months}

    def mines(self) -> list[Plant]:
        """Mines, in t REO/yr."""
        m, sep = self.config.mines, self.config.separation
        leak = self.config.development.ore_leak
        grade, growth = m.ndpr_grade, m.row_growth_per_year
        weld = (self.at(m.mt_weld_expansion), m.mt_weld_expanded_t_yr - m.mt_weld_t_yr, sep.lynas_expansion_ramp_months)
        pilot = self.opening(m, "malaysia_pilot_t_yr", m.malaysia_pilot_start, "perak_pilot")
        row, row_owner = "rest_of_world", "Rest-of-world miners"
        return [
            _mine("china_mines", "China", "china", "china", grade, nameplate_t_yr=m.china_quota_t_yr),
            _mine("myanmar_mines", row_owner, "myanmar", "china", grade, m.myanmar_t_yr, growth_per_year=growth),
            _mine("row_to_china_mines", row_owner, row, "china", grade, m.row_to_china_t_yr, growth_per_year=growth),
            _mine("row_domestic_mines", row_owner, row, "exchina", grade, m.row_domestic_t_yr),
            _mine("mountain_pass", "MP Materials", "united_states", "exchina", grade, m.us_mountain_pass_t_yr),
            _mine("mt_weld", "Lynas", "australia", "exchina", m.mt_weld_ndpr_grade, m.mt_weld_t_yr, additions=[weld]),
            _mine("perak_pilot", "Malaysia", "malaysia", "exchina", grade, **pilot, ramp_months=6),
            _mine("jv_mine", "Malaysia-China JV", "malaysia", "exchina", grade, 0.0, start=NEVER, ramp_months=12),
            # Illegal mining in Malaysia: its output is set each month by how well the ban is policed.
            _mine("malaysia_illegal_mines", "Illegal miners", "malaysia", "china", grade, leak.illegal_mining_t_yr),
            _mine("new_mines", "New non-China projects", row, "exchina", grade, 0.0),
        ]

    def separators(self) -> list[Plant]:
        """Separation (t NdPr/yr; China's is bounded by its quota instead), cracking and Dy/Tb circuits."""
        sep = self.config.separation
        lynas_plan = sep.lynas_malaysia_expanded_t_yr - sep.lynas_malaysia_t_yr
        lynas_expansion = (self.at(sep.lynas_expansion), lynas_plan, sep.lynas_expansion_ramp_months)
        mp = self.opening(sep, "mp_t_yr", sep.mp_start, "mp_separation", ramp="mp_ramp_months")
        kalgoorlie = self.opening(sep, "kalgoorlie_t_yr", sep.kalgoorlie_start, "kalgoorlie", ramp=6)
        lynas_heavy = self.opening(
            sep,
            ("lynas_heavy_feed_t_yr", "heavy_yield_of_feed"),
            sep.lynas_heavy_start,
            "lynas_heavy",
            ramp="lynas_heavy_ramp_months",
        )
        mp_heavy = self.opening(sep, "mp_heavy_t_yr", sep.mp_heavy_start, "mp_heavy", ramp=12)
        s = "separation"
        return [
            Plant("china_separation", "China", "china", s, "china", float("inf")),
            Plant("lynas_malaysia", "Lynas", "malaysia", s, "exchina", sep.lynas_malaysia_t_yr,
                  additions=[lynas_expansion]),
            Plant("lynas_relocated", "Lynas", "australia", s, "exchina", 0.0, start=NEVER),
            Plant("mp_separation", "MP Materials", "united_states", s, "exchina", **mp),
            Plant("other_separation", "Other separators", "rest_of_world", s, "exchina", sep.other_t_yr),
            # The joint venture sells its oxide to its Chinese partner: it sells into China's pool.
            Plant("jv_refinery", "Malaysia-China JV", "malaysia", s, "china", 0.0, start=NEVER, ramp_months=12),
            Plant("new_separation", "New non-China projects", "rest_of_world", s, "exchina", 0.0),
            # Kalgoorlie cracking and leaching (t NdPr-equivalent/yr): bounds Mt Weld feed once
            # cracking in Malaysia ends; it holds no stock of its own.
            Plant("kalgoorlie", "Lynas", "australia", "crack", "exchina", **kalgoorlie),
            # heavy rare-earth circuits (t Dy+Tb/yr)
            Plant("lynas_heavy", "Lynas", "malaysia", "heavy", "exchina", **lynas_heavy),
            Plant("mp_heavy", "MP Materials", "united_states", "heavy", "exchina", **mp_heavy),
        ]  # fmt: skip

    def magnet_makers(self) -> list[Plant]:
        """Magnet makers, in t NdFeB/yr."""
        mag, js, market = self.config.magnets, self.config.jslink, self.config.market
        foreign = self.config.development.foreign_makers
        narva = [(self.at(mag.narva_start), mag.narva_t_yr, 12.0),
                 (self.at(mag.narva_expansion), mag.narva_expanded_t_yr - mag.narva_t_yr, 12.0)]  # fmt: skip
        us = self.opening(mag, "us_capacity_t_yr", mag.us_start, "us_magnets", ramp="us_ramp_months")
        jslink = self.opening(js, "capacity_t_yr", js.start, "jslink_magnets")
        # JS Link's ramp depends on Malaysia's know-how: JS Link sets it from the month before it opens.
        if "jslink_magnets" not in self.pending:
            jslink["ramp_months"] = js.ramp_months
        return [
            _maker("china_magnets", "China", "china", "china", market.china_cost_factor, mag.china_capacity_t_yr),
            _maker("japan_magnets", "Japanese magnet makers", "japan", "exchina", market.japan_cost_factor,
                   mag.japan_capacity_t_yr),
            _maker("row_magnets", "Other magnet makers", "europe", "exchina", market.row_cost_factor,
                   mag.row_capacity_t_yr, additions=narva),
            _maker("us_magnets", "MP Materials", "united_states", "exchina", market.us_cost_factor, **us),
            _maker("jslink_magnets", "JS Link", "malaysia", "exchina", market.malaysia_cost_factor, **jslink),
            _maker("foreign_malaysia_magnets", "Foreign magnet makers in Malaysia", "malaysia", "exchina",
                   foreign.cost_factor, foreign.initial_t_yr),
        ]  # fmt: skip


def _mine(
    name: str, owner: str, country: str, pool: str, grade: float, nameplate_t_yr: float = 0.0, **kw: Any
) -> Plant:
    return Plant(name, owner, country, "mine", pool, nameplate_t_yr, grade=grade, **kw)


def _maker(name: str, owner: str, country: str, pool: str, cost_factor: float, nameplate_t_yr: float = 0.0,
           **kw: Any) -> Plant:  # fmt: skip
    return Plant(name, owner, country, "magnet", pool, nameplate_t_yr, cost_factor=cost_factor, **kw)


# Non-China magnet makers ran near full in 2020; China's makers supplied the rest of demand.
INITIAL_MAKER_UTILISATION = 0.9


def initial_orders(chain: Chain, config: Scenario, china_separation_quota_t_yr: float) -> None:
    """The 2020 opening position: each magnet maker's orders, and the stocks every seller holds
    (``market.stock_cover_months`` of its monthly flow), booked as opening stocks for the mass balance."""
    plants, totals = chain.plants, chain.totals
    magnet_plants = chain.magnet_plants
    demand_t = config.demand.initial_t_yr / 12.0
    for plant in magnet_plants:
        plant.orders_t = 0.0 if plant.name == "china_magnets" else plant.capacity_t(0) * INITIAL_MAKER_UTILISATION
    china_makers = plants["china_magnets"]
    china_makers.orders_t = max(0.0, demand_t - sum(p.orders_t for p in magnet_plants))
    cover = config.market.stock_cover_months
    mag = config.magnets
    gross = mag.ndpr_share / mag.finishing_yield
    heavy = mag.heavy_grade_share * mag.heavy_content * config.market.heavy_stock_months
    for plant in magnet_plants:
        plant.product_t = cover * plant.orders_t
        plant.input_t = cover * plant.orders_t * gross
        if plant.pool == "exchina":
            plant.heavy_t = heavy * plant.orders_t
            totals["heavy_from_china"] += plant.heavy_t  # opening stocks were bought in China
        totals["ndpr_opening"] += plant.input_t
        totals["magnet_opening"] += plant.product_t
    # The allied stockpiles start at their target (Japan has held one since the 1980s).
    exchina_use = sum(p.orders_t * gross for p in magnet_plants if p.pool == "exchina")
    allied = chain.stockpiles["allied"]
    allied.held_t = allied_target_t(exchina_use, config.stockpiles)
    totals["ndpr_opening"] += allied.held_t
    # Separators hold a month of output at the start.
    recovery = config.separation.recovery
    imports = sum(
        plants[n].capacity_t(0) * plants[n].grade for n in ("myanmar_mines", "row_to_china_mines", "mountain_pass")
    )
    china = plants["china_separation"]
    china.product_t = cover * recovery * (china_separation_quota_t_yr / 12.0 * config.mines.ndpr_grade + imports)
    totals["ndpr_opening"] += china.product_t
    for plant in plants.values():
        if plant.stage == "separation" and plant is not china:
            plant.product_t = cover * plant.capacity_t(0)
            totals["ndpr_opening"] += plant.product_t
