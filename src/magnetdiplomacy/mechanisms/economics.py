"""Value added and jobs from the value ladder.

Ladder rungs (USD/kg): raw ore 2-4, separated oxide 15-30, magnets 80-150, integrated components
200-500; direct jobs per tonne at each rung relative to raw ore 1x, 3x, 8x, 12x; 3.2 indirect jobs
per direct job. Value added at a rung is its output valued on the ladder minus the rare-earth input
it used, valued one rung down; co-product oxides (La, Ce, ...) are valued at their own price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..parameters import Scenario

RUNGS = ("ore", "oxide", "magnet", "component")


def ladder_value(band: tuple[float, float], position: float) -> float:
    """USD/kg at ``position`` (0 low end, 1 high end) of a ladder band."""
    low, high = band
    return low + position * (high - low)


@dataclass(frozen=True)
class RungOutput:
    """Monthly tonnes produced at each rung in one country, and the inputs used."""

    ore_t: float = 0.0
    oxide_t: float = 0.0  # separated NdPr and heavy oxides
    coproduct_t: float = 0.0  # separated La, Ce and other light oxides
    oxide_feed_t: float = 0.0  # REO consumed by separation
    magnet_t: float = 0.0
    magnet_ndpr_t: float = 0.0  # NdPr consumed by magnet making
    component_t: float = 0.0  # magnets built into components


def value_added_usd(
    out: RungOutput,
    ore_usd_kg: float,
    oxide_usd_kg: float,
    magnet_usd_kg: float,
    component_usd_kg: float,
    coproduct_usd_kg: float,
) -> float:
    """Value added in one month (USD)."""
    kg = 1000.0
    ore = out.ore_t * ore_usd_kg
    oxide = out.oxide_t * oxide_usd_kg + out.coproduct_t * coproduct_usd_kg - out.oxide_feed_t * ore_usd_kg
    magnet = out.magnet_t * magnet_usd_kg - out.magnet_ndpr_t * oxide_usd_kg
    component = out.component_t * (component_usd_kg - magnet_usd_kg)
    return kg * (ore + oxide + magnet + component)


def direct_jobs(out: RungOutput, jobs_per_kt_ore: float, multipliers: tuple[float, float, float, float]) -> float:
    """Direct jobs sustained by a month's output run at an annual rate."""
    ore_m, oxide_m, magnet_m, component_m = multipliers
    annual_kt = 12.0 / 1000.0
    tonnes = (
        ore_m * out.ore_t
        + oxide_m * (out.oxide_t + out.coproduct_t)
        + magnet_m * out.magnet_t
        + component_m * out.component_t
    )
    return jobs_per_kt_ore * tonnes * annual_kt


def total_jobs(direct: float, indirect_per_direct: float) -> float:
    """Direct plus indirect jobs."""
    return direct * (1.0 + indirect_per_direct)


def value_and_jobs(out: RungOutput, config: Scenario) -> tuple[float, float, float]:
    """Value added (USD), direct jobs and total jobs of a month's output on the value ladder."""
    ladder = config.economics
    position = ladder.ladder_position
    ore, oxide, magnet, component = (
        ladder_value(band, position)
        for band in (ladder.ore_usd_kg, ladder.oxide_usd_kg, ladder.magnet_usd_kg, ladder.component_usd_kg)
    )
    value = value_added_usd(out, ore, oxide, magnet, component, config.market.coproduct_price_usd_kg)
    direct = direct_jobs(out, config.malaysia.jobs_per_kt_ore, ladder.employment_multipliers)
    return value, direct, total_jobs(direct, ladder.indirect_jobs_per_direct)
