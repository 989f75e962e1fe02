"""The 2020 world: every plant in the chain, who owns it, where it is and where its ore goes.

Capacities and start dates come from the scenario (see :mod:`magnetdiplomacy.parameters` for the
data row behind each number). Ore routes are fixed by geography and ownership; which route is open
in a month depends on controls (the raw-ore ban, Lynas' licence) and is decided by the model.
"""

from __future__ import annotations

from .mechanisms.chain import Plant
from .parameters import Scenario
from .timeline import tick_of

NEVER = 10**6

# Magnet suppliers buyers choose between, with the region each is "home" to.
SUPPLIERS = ("china_magnets", "japan_magnets", "row_magnets", "us_magnets", "jslink_magnets")
SUPPLIER_REGIONS = ("china", "japan_korea", "europe", "united_states", "southeast_asia")

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
    "new_mines": ("new_separation",),
}

MALAYSIAN_PLANTS = ("perak_pilot", "jv_mine", "lynas_malaysia", "jv_refinery", "lynas_heavy", "jslink_magnets")


def build_plants(config: Scenario) -> dict[str, Plant]:
    """Every plant at the start of the run, with planned additions already scheduled."""
    start = config.run.start
    mines, sep, mag, js = config.mines, config.separation, config.magnets, config.jslink
    market = config.market

    def at(when: str) -> int:
        return tick_of(start, when)

    def opening(section, name: str, when: str) -> dict:
        """Nameplate of a plant opening after the first month: read from the scenario when it opens."""
        if at(when) > 0:
            return {"nameplate_t_yr": 0.0, "nameplate_from": (section, name), "start": at(when)}
        return {"nameplate_t_yr": getattr(section, name), "start": at(when)}

    grade = mines.ndpr_grade
    plants = [
        # mines (t REO/yr)
        Plant("china_mines", "China", "china", "mine", "china", mines.china_quota_t_yr, grade=grade),
        Plant("myanmar_mines", "Rest-of-world miners", "myanmar", "mine", "china", mines.myanmar_t_yr, grade=grade, growth_per_year=mines.row_growth_per_year),
        Plant("row_to_china_mines", "Rest-of-world miners", "rest_of_world", "mine", "china", mines.row_to_china_t_yr, grade=grade, growth_per_year=mines.row_growth_per_year),
        Plant("row_domestic_mines", "Rest-of-world miners", "rest_of_world", "mine", "exchina", mines.row_domestic_t_yr, grade=grade),
        Plant("mountain_pass", "MP Materials", "united_states", "mine", "exchina", mines.us_mountain_pass_t_yr, grade=grade),
        Plant("mt_weld", "Lynas", "australia", "mine", "exchina", mines.mt_weld_t_yr, grade=mines.mt_weld_ndpr_grade, additions=[(at(mines.mt_weld_expansion), mines.mt_weld_expanded_t_yr - mines.mt_weld_t_yr, sep.lynas_expansion_ramp_months)]),
        Plant("perak_pilot", "Malaysia", "malaysia", "mine", "exchina", **opening(mines, "malaysia_pilot_t_yr", mines.malaysia_pilot_start), ramp_months=6, grade=grade),
        Plant("jv_mine", "Malaysia-China JV", "malaysia", "mine", "exchina", 0.0, start=NEVER, ramp_months=12, grade=grade),
        Plant("new_mines", "New non-China projects", "rest_of_world", "mine", "exchina", 0.0, grade=grade),
        # separation (t NdPr/yr; China's is bounded by its quota instead)
        Plant("china_separation", "China", "china", "separation", "china", float("inf")),
        Plant("lynas_malaysia", "Lynas", "malaysia", "separation", "exchina", sep.lynas_malaysia_t_yr, additions=[(at(sep.lynas_expansion), sep.lynas_malaysia_expanded_t_yr - sep.lynas_malaysia_t_yr, sep.lynas_expansion_ramp_months)]),
        Plant("lynas_relocated", "Lynas", "australia", "separation", "exchina", 0.0, start=NEVER),
        Plant("mp_separation", "MP Materials", "united_states", "separation", "exchina", **opening(sep, "mp_t_yr", sep.mp_start), ramp_months=sep.mp_ramp_months),
        Plant("other_separation", "Other separators", "rest_of_world", "separation", "exchina", sep.other_t_yr),
        # The joint venture sells its oxide to its Chinese partner: it sells into China's pool.
        Plant("jv_refinery", "Malaysia-China JV", "malaysia", "separation", "china", 0.0, start=NEVER, ramp_months=12),
        Plant("new_separation", "New non-China projects", "rest_of_world", "separation", "exchina", 0.0),
        # Kalgoorlie cracking and leaching (t NdPr-equivalent/yr): bounds Mt Weld feed once
        # cracking in Malaysia ends; it holds no stock of its own.
        Plant("kalgoorlie", "Lynas", "australia", "crack", "exchina", sep.kalgoorlie_t_yr, start=at(sep.kalgoorlie_start), ramp_months=6),
        # heavy rare-earth circuits (t Dy+Tb/yr)
        Plant("lynas_heavy", "Lynas", "malaysia", "heavy", "exchina", sep.lynas_heavy_feed_t_yr * sep.heavy_yield_of_feed, start=at(sep.lynas_heavy_start), ramp_months=sep.lynas_heavy_ramp_months),
        Plant("mp_heavy", "MP Materials", "united_states", "heavy", "exchina", sep.mp_heavy_t_yr, start=at(sep.mp_heavy_start), ramp_months=12),
        # magnet makers (t NdFeB/yr)
        Plant("china_magnets", "China", "china", "magnet", "china", mag.china_capacity_t_yr, cost_factor=market.china_cost_factor),
        Plant("japan_magnets", "Japanese magnet makers", "japan", "magnet", "exchina", mag.japan_capacity_t_yr, cost_factor=market.japan_cost_factor),
        Plant("row_magnets", "Other magnet makers", "europe", "magnet", "exchina", mag.row_capacity_t_yr, cost_factor=market.row_cost_factor, additions=[(at(mag.narva_start), mag.narva_t_yr, 12.0), (at(mag.narva_expansion), mag.narva_expanded_t_yr - mag.narva_t_yr, 12.0)]),
        Plant("us_magnets", "MP Materials", "united_states", "magnet", "exchina", **opening(mag, "us_capacity_t_yr", mag.us_start), ramp_months=mag.us_ramp_months, cost_factor=market.us_cost_factor),
        Plant("jslink_magnets", "JS Link", "malaysia", "magnet", "exchina", **opening(js, "capacity_t_yr", js.start), ramp_months=js.ramp_months, cost_factor=market.malaysia_cost_factor),
    ]
    return {plant.name: plant for plant in plants}
