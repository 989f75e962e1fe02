"""Capacity planning of market producers: how much magnet capacity to add when orders run tight."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Plan only when expected needs exceed planned capacity by more than this factor.
SLACK = 1.05
# Capacity is reviewed every this many months.
REVIEW_MONTHS = 6


def review_due(tick: int, history_orders: Sequence[float], capacity_t: float) -> bool:
    """A producing plant with a year of order history reviews its capacity twice a year."""
    return tick % REVIEW_MONTHS == 0 and len(history_orders) >= 12 and capacity_t > 0


def capacity_gap_t_yr(
    history_orders: Sequence[float],
    planned_t_yr: float,
    growth_per_year: float,
    lead_months: int,
    utilisation_target: float,
) -> float:
    """Capacity (t/yr) to add so expected orders run at the target utilisation; 0 if none.

    Expected orders: the last year's average monthly orders (``history_orders``) at an annual rate,
    grown at ``growth_per_year`` until the new capacity would arrive (``lead_months``) plus half a
    year; capacity is added only when that need exceeds planned capacity by more than 5 %.
    """
    recent = float(np.mean(history_orders[-12:])) * 12.0
    expected = recent * (1.0 + growth_per_year) ** (lead_months / 12.0 + 0.5)
    needed = expected / utilisation_target
    if needed > SLACK * planned_t_yr:
        return needed - planned_t_yr
    return 0.0
