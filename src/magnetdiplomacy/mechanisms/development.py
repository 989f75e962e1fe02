"""Malaysia's development beyond the chain, as small rules on plain numbers: local content and
patents that follow local know-how, know-how from China that decays while its technology ban
binds, ore that leaks abroad as policing weakens and what policing costs, where foreign magnet
makers put new capacity, how widely Malaysia's customers are spread, and the resource left in the
ground (docs/ODD.md, "Malaysia's scorecard")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Continents of Malaysia's customers, by the buyer region or destination country of its exports.
CONTINENT = {
    "united_states": "america",
    "europe": "europe",
    "allied stockpiles": "europe",
    "china": "asia",
    "japan": "asia",
    "japan_korea": "asia",
    "southeast_asia": "asia",
}
CONTINENTS = ("america", "europe", "asia")
# Patents are measured against at least this much local know-how (see patents_index).
KNOW_HOW_FLOOR = 0.01
# Spending levels (USD m a year) Malaysia weighs when it sets the year's policing of the ore ban.
ENFORCEMENT_GRID_USD_M = tuple(float(x) for x in range(0, 201, 5))


# ---- know-how, local content, patents ------------------------------------------------------


def local_content_next(
    current: float, capability: float, capability_initial: float, initial: float, per_know_how: float, years: float
) -> float:
    """Next month's local content: a month's step towards what local know-how makes attainable
    (the 2020 share plus ``per_know_how`` for each unit of know-how gained since), taking about
    ``years`` to close most of the gap; it falls when know-how falls."""
    attainable = min(1.0, max(0.0, initial + per_know_how * (capability - capability_initial)))
    step = 1.0 - math.exp(-1.0 / (12.0 * years))
    return current + step * (attainable - current)


def patents_index(capability: float, capability_initial: float, elasticity: float) -> float:
    """Materials-science patents relative to 2020: they rise with local know-how. Know-how is
    counted from at least :data:`KNOW_HOW_FLOOR` (a country with almost none still files a few
    patents), so the index stays finite when the 2020 know-how is near zero."""
    base = max(capability_initial, KNOW_HOW_FLOOR)
    return (max(capability, KNOW_HOW_FLOOR) / base) ** elasticity


def china_know_how_left(know_how: float, decay_per_year: float, binding: bool) -> float:
    """Know-how from Chinese ties still usable next month: it decays while China's technology
    ban binds (no licences, process support or spare parts)."""
    return know_how * (1.0 - decay_per_year) ** (1.0 / 12.0) if binding else know_how


def fund_learning(spend_usd_m_yr: float, per_usd_100m: float, foreign_makers_present: bool) -> float:
    """Know-how a month of innovation-fund spending brings (joint R&D needs the multinationals here)."""
    if not foreign_makers_present:
        return 0.0
    return spend_usd_m_yr / 100.0 * per_usd_100m / 12.0


# ---- ore leaving Malaysia -------------------------------------------------------------------


def evasion(spend_usd_m_yr: float, initial_usd_m_yr: float, halving_usd_m_yr: float) -> float:
    """Ore leaving relative to the 2023 level of policing: halves with each ``halving_usd_m_yr``
    of extra yearly spend (and rises when spend is cut below the 2023 level)."""
    return 0.5 ** ((spend_usd_m_yr - initial_usd_m_yr) / halving_usd_m_yr)


@dataclass(frozen=True)
class Leak:
    """This month's illegal mining and the share of licensed mines' ore smuggled out."""

    illegal_t: float  # t REO mined illegally and shipped abroad
    legal_share: float  # share of licensed Malaysian mines' output smuggled out


def leak(
    spend_usd_m_yr: float, banned: bool, illegal_t_yr: float, legal_share: float, initial: float, halving: float
) -> Leak:
    """Illegal mining goes on with or without the ban; under the ban, part of the licensed mines'
    ore is smuggled out too. Both scale with :func:`evasion`."""
    factor = evasion(spend_usd_m_yr, initial, halving)
    return Leak(illegal_t_yr / 12.0 * factor, min(1.0, legal_share * factor) if banned else 0.0)


def best_enforcement(
    illegal_t_yr: float,
    legal_t_yr: float,
    legal_share: float,
    banned: bool,
    loss_usd_per_t: float,
    initial: float,
    halving: float,
    grid: Sequence[float] = ENFORCEMENT_GRID_USD_M,
) -> tuple[float, float]:
    """The yearly policing spend (USD m) that costs Malaysia least: the spend plus the ore that
    leaves at ``loss_usd_per_t`` (its value and the damage illegal mining does); returns the spend
    and the ore leaving a year at it (t REO)."""

    def leaving(spend: float) -> float:
        factor = evasion(spend, initial, halving)
        return illegal_t_yr * factor + (legal_t_yr * min(1.0, legal_share * factor) if banned else 0.0)

    best = min(grid, key=lambda spend: spend * 1e6 + leaving(spend) * loss_usd_per_t)
    return best, leaving(best)


def resource_value_usd(resource_t: float, initial_t: float, initial_value_usd_bn: float) -> float:
    """The resource left in the ground at the government's estimate of its unit value."""
    return initial_value_usd_bn * 1e9 * resource_t / initial_t if initial_t > 0 else 0.0


# ---- customers -----------------------------------------------------------------------------


def customer_spread(exports_t: Mapping[str, float]) -> float:
    """The smallest of America's, Europe's and Asia's shares of Malaysia's exports (0: one
    continent missing; 1/3: evenly spread). ``exports_t`` is tonnes by buyer region or
    destination; destinations on no continent (rest of the world) count in the total only."""
    total = sum(exports_t.values())
    if total <= 1e-9:
        return 0.0
    by_continent = dict.fromkeys(CONTINENTS, 0.0)
    for where, tonnes in exports_t.items():
        if where in CONTINENT:
            by_continent[CONTINENT[where]] += tonnes
    return min(by_continent.values()) / total


# ---- where foreign makers build ------------------------------------------------------------


def sanction_hazard(
    alignment: float, china_threshold: float, us_threshold: float, band: float, china_acts: bool, us_acts: bool
) -> float:
    """How likely investors think it that one side restricts or excludes Malaysia (0-1): certain
    while one does; otherwise rising as alignment comes within ``band`` of a side's threshold."""
    if china_acts or us_acts:
        return 1.0
    to_china = max(0.0, min(1.0, 1.0 - (china_threshold - alignment) / band))
    to_us = max(0.0, min(1.0, 1.0 - (alignment - us_threshold) / band))
    return max(to_china, to_us)


def site_margin_usd_kg(
    price_usd_kg: float, unit_cost_usd_kg: float, us_share: float, us_tariff: float, hazard: float, risk_share: float
) -> float:
    """Expected margin (USD/kg) of a magnet made at a site: price less the US tariff on the part
    sold in the US, less the revenue a sanction would cost times its hazard, less unit cost."""
    return price_usd_kg * (1.0 - us_share * us_tariff - hazard * risk_share) - unit_cost_usd_kg


# ---- investment in place -------------------------------------------------------------------


def installed_t_yr(
    nameplate_t_yr: float, start: int, additions: Sequence[tuple[int, float, float]], tick: int
) -> float:
    """Capacity built by ``tick`` (t/yr): the nameplate once the plant has started and every
    addition dated by then, before ramps, outages or closures (investment is sunk once built)."""
    built = nameplate_t_yr if start <= tick else 0.0
    return built + sum(extra for when, extra, _ in additions if when <= tick)
