"""Malaysia's hedging rule and its revealed alignment.

**Hedging rule.** Malaysia values a lean ``l`` in [-1 China, +1 US] as

    U(l) = l * (E_us - E_cn) - w * (max(l, 0) * P_cn + max(-l, 0) * P_us) - c * l**2

where ``E_x`` is the economic pull of side ``x`` (trade share, market access after tariffs, the value
of ties with it), ``P_x`` the pressure side ``x`` can bring (controls, tariffs) times Malaysia's
exposure to it, ``w`` the exposure weight and ``c`` the cost of taking sides. Leaning towards one side
exposes Malaysia to the *other* side's pressure, so the best lean has a dead zone around zero: a
hedging rule, not a switch. (Offers are valued in money, see
:mod:`magnetdiplomacy.mechanisms.valuation`.)

**Revealed alignment** is not set by Malaysia: it is read off what Malaysia does,

    revealed = tanh(w_ties * ties + w_trade * trade + w_conc * concessions)

and perceived alignment moves a share ``inertia`` of the way to it each month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Economic pull of one unit of weighted ties with a side, in trade-share units.
TIE_PULL = 0.5


@dataclass(frozen=True)
class Pulls:
    """What each side offers Malaysia (economic pull) and can threaten (pressure x exposure)."""

    economic_us: float
    economic_china: float
    pressure_us: float
    pressure_china: float


def pulls(
    us_trade_share: float,
    china_trade_share: float,
    us_tariff: float,
    us_ties: float,
    china_ties: float,
    us_tariff_max: float,
    china_grant_rate: float,
    malaysia_licence_rate: float,
    escalation_level: int,
) -> Pulls:
    """What each side offers Malaysia and can threaten it with.

    ``E_us = us_trade_share * (1 - tariff) + 0.5 * ties with the US side``;
    ``E_cn = china_trade_share + 0.5 * ties with China's side``;
    ``P_us = us_trade_share * highest US tariff``;
    ``P_cn = china_trade_share * (1 - grant rate * Malaysia's licence availability) * (0.5 + escalation / 6)``.
    """
    return Pulls(
        economic_us=us_trade_share * (1.0 - us_tariff) + TIE_PULL * us_ties,
        economic_china=china_trade_share + TIE_PULL * china_ties,
        pressure_us=us_trade_share * us_tariff_max,
        pressure_china=china_trade_share
        * (1.0 - china_grant_rate * malaysia_licence_rate)
        * (0.5 + escalation_level / 6.0),
    )


def lean_utility(lean: float, pulls: Pulls, neutrality_cost: float, exposure_weight: float) -> float:
    """U(l) of the hedging rule."""
    exposure = max(lean, 0.0) * pulls.pressure_china + max(-lean, 0.0) * pulls.pressure_us
    return (
        lean * (pulls.economic_us - pulls.economic_china) - exposure_weight * exposure - neutrality_cost * lean * lean
    )


def best_lean(pulls: Pulls, neutrality_cost: float, exposure_weight: float) -> float:
    """The lean that maximises U(l): zero unless one side's net pull beats the other's pressure."""
    gap = pulls.economic_us - pulls.economic_china
    towards_us = (gap - exposure_weight * pulls.pressure_china) / (2.0 * neutrality_cost)
    towards_china = (gap + exposure_weight * pulls.pressure_us) / (2.0 * neutrality_cost)
    if towards_us > 0:
        return min(1.0, towards_us)
    if towards_china < 0:
        return max(-1.0, towards_china)
    return 0.0


def trade_tilt(
    sales_by_bloc: dict[float, float], us_trade_share: float, china_trade_share: float, re_weight: float = 0.5
) -> float:
    """Orientation of Malaysia's trade in [-1, 1].

    Half from its rare-earth sales (tonnes weighted by the buying bloc), half from its general
    trade with the US against China (``re_weight`` sets the split).
    """
    total = sum(sales_by_bloc.values())
    re_part = sum(bloc * tonnes for bloc, tonnes in sales_by_bloc.items()) / total if total > 1e-9 else 0.0
    general_total = us_trade_share + china_trade_share
    general = (us_trade_share - china_trade_share) / general_total if general_total > 1e-9 else 0.0
    return re_weight * re_part + (1.0 - re_weight) * general


def revealed_alignment(
    ties: float, trade: float, concessions: float, ties_weight: float, trade_weight: float, concessions_weight: float
) -> float:
    """Alignment revealed by partnerships, trade and concessions, squashed into (-1, 1)."""
    return math.tanh(ties_weight * ties + trade_weight * trade + concessions_weight * concessions)


def update_alignment(current: float, revealed: float, inertia: float) -> float:
    """Perceived alignment closes a share ``inertia`` of the gap to the revealed one."""
    return max(-1.0, min(1.0, current + inertia * (revealed - current)))


def attribute(
    held: dict[str, float], contributions: dict[str, float], revealed: float, inertia: float, first_month: bool
) -> tuple[dict[str, float], dict[str, float]]:
    """Why alignment moved: split this month's change among what reveals it.

    ``contributions`` are the terms inside the tanh of :func:`revealed_alignment` (each tie,
    trade, concessions); revealed alignment is shared among them in proportion,
    ``revealed * x_k / sum(x)``. ``held`` is each source's part of current alignment (they sum to
    it); each part closes a share ``inertia`` of its gap to its share of the revealed alignment, as
    alignment does (in the first month alignment starts at the revealed value). Returns the new
    parts and this month's change by source, which sum to the change in alignment.
    """
    total = sum(contributions.values())
    target = {k: revealed * x / total for k, x in contributions.items()} if abs(total) > 1e-12 else {}
    parts = {}
    changes = {}
    # in a fixed order (held first, then new sources as they come), never a set's: files must be
    # identical in any process
    for source in [*held, *(k for k in target if k not in held)]:
        before = held.get(source, 0.0)
        aim = target.get(source, 0.0)
        after = aim if first_month else before + inertia * (aim - before)
        if after != before:
            changes[source] = after - before
        if abs(after) > 1e-12 or source in target:
            parts[source] = after
    return parts, changes
