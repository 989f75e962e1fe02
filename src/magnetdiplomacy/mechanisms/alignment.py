"""Malaysia's lean and its revealed alignment.

**The lean** (-1 China to +1 US) is what Malaysia shows in gestures (statements, votes, visits):
they add up as concessions, ``lean_concessions_per_year`` a year at a full lean, and fade with a
half-life. Held for ``months``, a lean takes alignment to

    settled(l) = tanh(x_other + w_conc * c(l))
    c(l) = c_now * f**months + l * per_year / 12 * (1 - f**months) / (1 - f)

where ``x_other`` is what ties and trade reveal today, ``c_now`` today's concessions and ``f`` the
monthly fade. Malaysia picks the lean from what that alignment would cost it in money
(:func:`magnetdiplomacy.mechanisms.valuation.best_stance`): gestures work slowly, so over a short
horizon they offset little of a new tie.

**Revealed alignment** is not set by Malaysia: it is read off what Malaysia does,

    revealed = tanh(w_ties * ties + w_trade * trade + w_conc * concessions)

and perceived alignment moves a share ``inertia`` of the way to it each month.
"""

from __future__ import annotations

import math


def concession_fade(half_life_years: float) -> float:
    """Share of past concessions left after a month."""
    return 0.5 ** (1.0 / (12.0 * half_life_years))


def settle_line(
    other: float,
    concessions_now: float,
    concessions_per_year: float,
    half_life_years: float,
    concessions_weight: float,
    months: float,
) -> tuple[float, float]:
    """Intercept and slope, inside the tanh of revealed alignment, of where a lean held for
    ``months`` takes it: ``settled(l) = tanh(intercept + slope * l)`` (see :func:`settled_alignment`)."""
    fade = concession_fade(half_life_years)
    kept = fade**months
    slope = concessions_weight * concessions_per_year / 12.0 * (1.0 - kept) / (1.0 - fade)
    return other + concessions_weight * concessions_now * kept, slope


def settled_alignment(
    other: float,
    lean: float,
    concessions_now: float,
    concessions_per_year: float,
    half_life_years: float,
    concessions_weight: float,
    months: float,
) -> float:
    """Alignment revealed after holding ``lean`` for ``months``, if ties and trade (``other``: their
    terms inside the tanh of :func:`revealed_alignment`) stayed as they are."""
    intercept, slope = settle_line(
        other, concessions_now, concessions_per_year, half_life_years, concessions_weight, months
    )
    return math.tanh(intercept + slope * lean)


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
