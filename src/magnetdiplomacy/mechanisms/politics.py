"""Malaysia's own politics in money: the Lynas licence and the raw-ore ban.

**The licence.** When Lynas' licence is about to lapse Malaysia weighs what the plant brings a year
(its value added at today's prices, plus its jobs at what Malaysia counts a job-year worth) against
the environmental and political opposition to it, in US$ a year (an assumption with a spread between
decisions). It lets the licence lapse when the opposition outweighs the plant; it renews for the long
term when the plant is worth at least ``long_ratio`` times the opposition; in between it renews for
a short term and keeps the option to revisit (the 2020 and 2023 renewals were for three years, the
2026 one for ten: E015, E020, E060).

**The raw-ore ban.** Once a year Malaysia weighs keeping its ban on raw rare-earth exports. The ban
keeps ore at home for domestic refining and draws refinery investment (China's only legal route to
Malaysian ore is a refinery in Malaysia, E046); it costs the ore Malaysia's own refiners do not
take (it piles up at the mine and the mine slows, with its jobs) and, while the 2025 US agreement's clause
against export restrictions is in force (E051), the alignment the clause's tie would bring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Terms of a renewal: years for a long and a short one (E060; E015, E020).
LONG_RENEWAL_YEARS = 10
SHORT_RENEWAL_YEARS = 3


@dataclass(frozen=True)
class LicenceCase:
    """What a licence decision weighs, in US$ a year."""

    value_added_usd_yr: float  # the plant's value added in Malaysia at today's prices
    jobs: float  # direct and indirect jobs it keeps
    job_value_usd_yr: float  # what Malaysia counts a job-year worth beyond its value added
    opposition_usd_yr: float  # environmental and political opposition at this decision

    @property
    def benefit_usd_yr(self) -> float:
        """What the plant brings Malaysia a year."""
        return self.value_added_usd_yr + self.jobs * self.job_value_usd_yr


def renewal_years(case: LicenceCase, long_ratio: float) -> int | None:
    """Term (years) of the renewal Malaysia grants, or ``None`` to let the licence lapse."""
    if case.benefit_usd_yr <= case.opposition_usd_yr:
        return None
    if case.benefit_usd_yr >= long_ratio * case.opposition_usd_yr:
        return LONG_RENEWAL_YEARS
    return SHORT_RENEWAL_YEARS


@dataclass(frozen=True)
class OreBanCase:
    """What keeping the raw-ore ban for another year weighs, in US$ a year."""

    stranded_ore_t_yr: float  # Malaysian ore (t REO/yr) no domestic refiner takes: exports the ban forgoes
    ore_usd_kg: float  # what that ore would fetch abroad
    stranded_jobs: float  # mine jobs idle while that ore cannot be sold
    job_value_usd_yr: float
    investment_usd_yr: float  # expected value of the refinery investment the ban draws this year
    clause_usd_yr: float  # yearly value of the alignment the US clause's tie is worth (0 without it)

    @property
    def forgone_usd_yr(self) -> float:
        """Exports and jobs the ban costs a year."""
        return self.stranded_ore_t_yr * 1000.0 * self.ore_usd_kg + self.stranded_jobs * self.job_value_usd_yr


def ore_ban_value_usd_yr(case: OreBanCase) -> float:
    """Yearly value of keeping the ban (negative: lifting it is worth more)."""
    return case.investment_usd_yr - case.forgone_usd_yr - case.clause_usd_yr


def yearly_chance(rate_per_year: float) -> float:
    """Probability that an event with this yearly rate (Poisson) happens within a year."""
    return 1.0 - math.exp(-rate_per_year)


def investment_drawn_usd(rate_with_ban: float, rate_without: float, offer_value_usd: float) -> float:
    """Expected value of the investment the ban draws in a year: the extra chance of an offer it
    brings times what Malaysia would take the offer to be worth (nothing if it would decline)."""
    return (yearly_chance(rate_with_ban) - yearly_chance(rate_without)) * max(0.0, offer_value_usd)
