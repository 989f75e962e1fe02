"""What an offer is worth to Malaysia, in one currency: US$ million of present value.

An offer adds tonnes at rungs of Malaysia's industry (:mod:`magnetdiplomacy.mechanisms.offers`),
after a build time, and moves its revealed alignment. Malaysia values it as

    net = PV(value added at today's market prices) + PV(jobs x value of a job-year)
          - PV(change in the other sides' expected pressure) - PV(change in the cost of taking sides)

over ``horizon_years`` discounted at ``discount_rate``. The pressure is the other sides' own rules
as Malaysia can read them: the US raises its tariff on Malaysia to ``tariff_max`` while Malaysia's
alignment is below its pressure threshold and lowers it to ``tariff_floor`` above its reward
threshold (a tariff costs Malaysia ``tariff_incidence`` of the tariff on its exports to the US);
below its pressure threshold it then excludes Malaysian material from its defence and subsidy
chains (Malaysia loses any US price floor's support); China restricts licences to Malaysian plants
above its retaliation threshold (costing the share of Malaysia's rare-earth value added that the
restriction withholds). The cost of taking sides is the
yearly value Malaysia puts on non-alignment times the change in alignment squared. Know-how an
offer brings (a technology transfer) is worth the conversion cost it saves Malaysia's magnet plant.

**The lean** is valued in the same currency: a lean (-1 China to +1 US) settles Malaysia's
alignment somewhere (:func:`magnetdiplomacy.mechanisms.alignment.settled_alignment`), and Malaysia
takes the lean whose settled alignment costs it least a year in pressure and in taking sides
(:func:`best_stance`). An offer's pressure and sides are valued at the stances before and after it:
Malaysia knows it can lean to offset a tie.

All numbers in, numbers out: the agent gathers prices, plants and thresholds; this module does the
arithmetic.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from .economics import RungOutput, value_added_usd

USD_M = 1e6


@dataclass(frozen=True)
class Prices:
    """Today's prices an offer's output would fetch (USD/kg)."""

    ore: float
    oxide: float
    magnet: float
    component: float
    coproduct: float


@dataclass(frozen=True)
class Pressure:
    """The other sides' rules and Malaysia's exposure to them."""

    current_tariff: float
    tariff_max: float
    tariff_floor: float
    pressure_threshold: float  # US: alignment below which it raises its tariff
    reward_threshold: float  # US: alignment above which it lowers its tariff
    exports_to_us_usd: float  # Malaysia's yearly exports to the US
    tariff_incidence: float  # share of a tariff Malaysian exporters bear
    retaliation_threshold: float  # China: alignment above which it restricts licences to Malaysia
    value_at_risk_usd: float  # Malaysia's yearly rare-earth value added China's restriction withholds
    exclusion_usd: float = 0.0  # yearly US support Malaysia loses if excluded from US defence and subsidy chains


@dataclass(frozen=True)
class Valuation:
    """An offer's parts in US$ million of present value (pressure and sides: costs, >= 0 hurts)."""

    value_added_usd_m: float
    jobs: float
    jobs_usd_m: float
    pressure_usd_m: float
    sides_usd_m: float
    know_how_usd_m: float = 0.0
    targets_usd_m: float = 0.0  # the weight Malaysia puts on its export and investment targets

    @property
    def net_usd_m(self) -> float:
        """What accepting is worth, all told."""
        gains = self.value_added_usd_m + self.jobs_usd_m + self.know_how_usd_m + self.targets_usd_m
        return gains - self.pressure_usd_m - self.sides_usd_m


def present_value_factor(years: float, discount_rate: float, delay_months: float = 0.0) -> float:
    """Present value of 1 a year received monthly for ``years`` starting after ``delay_months``."""
    months = int(round(12 * years))
    start = int(round(delay_months))
    monthly = (1.0 + discount_rate) ** (-1.0 / 12.0)
    return sum(monthly**m for m in range(start, start + months)) / 12.0


def yearly_value_added_usd(out: RungOutput, prices: Prices) -> float:
    """A year of ``out`` (monthly tonnes) valued at market prices, inputs deducted."""
    return 12.0 * value_added_usd(out, prices.ore, prices.oxide, prices.magnet, prices.component, prices.coproduct)


def expected_tariff(alignment: float, p: Pressure) -> float:
    """The tariff the US's rule settles on at this alignment."""
    if alignment < p.pressure_threshold:
        return max(p.current_tariff, p.tariff_max)
    if alignment > p.reward_threshold:
        return min(p.current_tariff, p.tariff_floor)
    return p.current_tariff


def pressure_cost_usd(alignment: float, p: Pressure) -> float:
    """Yearly cost to Malaysia of the pressure both sides' rules bring at this alignment (below the
    US's threshold: its highest tariff, then exclusion from its defence and subsidy chains)."""
    tariff = expected_tariff(alignment, p) * p.exports_to_us_usd * p.tariff_incidence
    excluded = p.exclusion_usd if alignment < p.pressure_threshold else 0.0
    china = p.value_at_risk_usd if alignment > p.retaliation_threshold else 0.0
    return tariff + excluded + china


def value_offer(
    out: RungOutput,
    jobs: float,
    prices: Prices,
    pressure: Pressure,
    before: float,
    after: float,
    *,
    delay_months: float,
    horizon_years: float,
    discount_rate: float,
    job_value_usd_yr: float,
    neutrality_value_usd_yr: float,
    know_how_usd_yr: float = 0.0,
    export_weight: float = 0.0,
    investment_usd: float = 0.0,
    investment_weight: float = 0.0,
) -> Valuation:
    """What accepting an offer that adds ``out`` (and ``jobs``) after ``delay_months``, moves
    Malaysia's alignment from ``before`` to ``after`` and saves ``know_how_usd_yr`` a year from now
    on is worth to Malaysia; its export revenue and the downstream investment it brings
    (``investment_usd``) count again at the weights Malaysia puts on its targets."""
    factor = present_value_factor(horizon_years, discount_rate, delay_months)
    now_factor = present_value_factor(horizon_years, discount_rate)
    pressure_change = pressure_cost_usd(after, pressure) - pressure_cost_usd(before, pressure)
    sides = neutrality_value_usd_yr * (after * after - before * before)
    return Valuation(
        value_added_usd_m=yearly_value_added_usd(out, prices) * factor / USD_M,
        jobs=jobs,
        jobs_usd_m=jobs * job_value_usd_yr * factor / USD_M,
        pressure_usd_m=pressure_change * now_factor / USD_M,
        sides_usd_m=sides * now_factor / USD_M,
        know_how_usd_m=know_how_usd_yr * now_factor / USD_M,
        targets_usd_m=(export_weight * yearly_export_usd(out, prices) * factor + investment_weight * investment_usd)
        / USD_M,
    )


def yearly_export_usd(out: RungOutput, prices: Prices) -> float:
    """A year of ``out`` (monthly tonnes) sold abroad at market prices: oxide not made into
    magnets at home, magnets and co-products (gross revenue, inputs not deducted)."""
    oxide_sold_t = max(0.0, out.oxide_t - out.magnet_ndpr_t)
    return (
        12.0
        * 1000.0
        * (oxide_sold_t * prices.oxide + out.magnet_t * prices.magnet + out.coproduct_t * prices.coproduct)
    )


def investment_usd(out: RungOutput, separation_usd_per_t_yr: float, magnet_usd_per_t_yr: float) -> float:
    """Downstream investment an offer's new capacity needs: oxide and magnet capacity at their
    capital cost per tonne a year."""
    return 12.0 * (out.oxide_t * separation_usd_per_t_yr + out.magnet_t * magnet_usd_per_t_yr)


def know_how_saving_usd_yr(gain: float, capacity_t_yr: float, conversion_usd_kg: float, penalty: float) -> float:
    """Yearly conversion cost saved at Malaysia's magnet plant by ``gain`` more local know-how
    (the plant pays ``penalty`` x (1 - know-how) extra on its conversion cost)."""
    return gain * penalty * conversion_usd_kg * capacity_t_yr * 1000.0


def lean_value_usd(alignment: float, pressure: Pressure, neutrality_value_usd_yr: float) -> float:
    """Yearly value to Malaysia of settling at ``alignment``: minus the pressure both sides' rules
    bring there, minus the cost of taking sides."""
    return -pressure_cost_usd(alignment, pressure) - neutrality_value_usd_yr * alignment * alignment


@functools.cache
def lean_grid(steps: int) -> tuple[float, ...]:
    """Leans from -1 to 1 in steps of ``1/steps``, the smallest first (ties go to them)."""
    return tuple(sorted((i / steps for i in range(-steps, steps + 1)), key=lambda x: (abs(x), x)))


def best_stance(
    settles_at: Callable[[float], float], pressure: Pressure, neutrality_value_usd_yr: float, steps: int = 20
) -> tuple[float, float, float]:
    """The lean in [-1, 1] (in steps of ``1/steps``) whose settled alignment ``settles_at(lean)``
    is worth most a year, that alignment and its yearly value; of equally good leans, the smallest
    (Malaysia leans no further than it gains by)."""
    best = (0.0, 0.0, -math.inf)
    for lean in lean_grid(steps):
        alignment = settles_at(lean)
        value = lean_value_usd(alignment, pressure, neutrality_value_usd_yr)
        if value > best[2]:
            best = (lean, alignment, value)
    return best
