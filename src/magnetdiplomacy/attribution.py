"""Why a line moved, as parts that add up to it: plain arithmetic on arrays, no model and no charts.

Two explanations are built here:

* Malaysia's alignment, from the model's attribution (each month's change by source: a tie,
  ``trade`` or ``concessions``; a month's changes sum to the change in alignment):
  :func:`cumulative_by_source` adds each source's changes up month by month, :func:`keep_largest`
  folds the small ones into one "other" part, and :func:`diverging_stack` stacks parts above and
  below zero for a chart. The parts of a month sum to the alignment of that month.
* Malaysia's share of non-China magnet output, ``share = capacity x utilisation / non-China
  output``: :func:`share_decomposition` splits each month's change of the share among the three
  factors with the Shapley value of the product (the average over the orders in which the three
  could change), so the parts of a month sum exactly to the change of the share and, added up from
  the start, to the share itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

SHARE_PARTS = ("capacity", "utilisation", "rest")
OTHER = "other"


# ---- alignment --------------------------------------------------------------------------------


def cumulative_by_source(changes: Iterable[tuple[int, str, float]], months: int) -> dict[str, np.ndarray]:
    """Each source's running total of its changes: ``changes`` are ``(month, source, change)`` with
    months counted from 0; returns source -> array of ``months`` running totals (sources in the
    order they first appear). The totals of a month, summed over sources, are the sum of every
    change up to and including that month."""
    monthly: dict[str, np.ndarray] = {}
    for month, source, change in changes:
        if 0 <= month < months:
            if source not in monthly:
                monthly[source] = np.zeros(months)
            monthly[source][month] += change
    return {source: np.cumsum(values) for source, values in monthly.items()}


def keep_largest(parts: dict[str, np.ndarray], keep: int, other: str = OTHER) -> dict[str, np.ndarray]:
    """The ``keep`` parts that reach furthest from zero at any month (in their original order),
    with every other part added into one part named ``other`` (last, present only if something
    was folded). The sum over parts is unchanged."""
    if len(parts) <= keep + 1:
        return dict(parts)
    reach = {name: float(np.max(np.abs(values))) if len(values) else 0.0 for name, values in parts.items()}
    chosen = set(sorted(parts, key=lambda name: (-reach[name], name))[:keep])
    out = {name: values for name, values in parts.items() if name in chosen}
    rest = [values for name, values in parts.items() if name not in chosen]
    out[other] = np.sum(rest, axis=0)
    return out


def diverging_stack(layers: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Lower and upper edges of each layer stacked away from zero, month by month: a layer's
    positive values are stacked upwards on the positive layers before it, its negative values
    downwards under the negative ones. Each layer's thickness is the absolute value of its value."""
    if not layers:
        return []
    up = np.zeros(len(layers[0]))
    down = np.zeros(len(layers[0]))
    edges = []
    for values in layers:
        values = np.asarray(values, dtype=float)
        positive = values >= 0
        lo = np.where(positive, up, down + values)
        hi = np.where(positive, up + values, down)
        up = np.where(positive, up + values, up)
        down = np.where(positive, down, down + values)
        edges.append((lo, hi))
    return edges


# ---- share of non-China magnet output ------------------------------------------------------------


def utilisation(capacity: ArrayLike, output: ArrayLike) -> np.ndarray:
    """Output over capacity; where there is no capacity, the nearest month's utilisation (the
    share is zero there whatever it is, so this only decides how an opening or a closure is
    explained: as capacity)."""
    made = np.asarray(capacity, dtype=float)
    out = np.asarray(output, dtype=float)
    has = made > 1e-9
    used = np.full(len(made), np.nan)
    used[has] = out[has] / made[has]
    known = np.flatnonzero(has)
    if len(known) == 0:
        return np.zeros(len(made))
    # carry the last known value forward, and the first one back to the start
    index = np.maximum.accumulate(np.where(has, np.arange(len(made)), -1))
    index[index < 0] = known[0]
    return used[index]


def _shapley3(
    start: tuple[np.ndarray, np.ndarray, np.ndarray], end: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> list[np.ndarray]:
    """Shapley split of the change of ``a * b * c`` from ``start`` to ``end`` (arrays, elementwise)."""
    out = []
    for k in range(3):
        i, j = (m for m in range(3) if m != k)
        weight = (start[i] * start[j] + end[i] * end[j]) / 3.0 + (start[i] * end[j] + end[i] * start[j]) / 6.0
        out.append((end[k] - start[k]) * weight)
    return out


def share_decomposition(capacity: ArrayLike, output: ArrayLike, nonchina: ArrayLike) -> dict[str, np.ndarray]:
    """Why Malaysia's share of non-China magnet output moved, month by month.

    ``share = output / nonchina = capacity x (output / capacity) x (1 / nonchina)``. Each month's
    change of the share is split among the three factors (Shapley value of the product, so the
    split does not depend on an order):

    * ``capacity``: Malaysian magnet capacity opening, expanding or closing;
    * ``utilisation``: how much of that capacity makes magnets (feed, orders, tariffs, buyers);
    * ``rest``: the rest of the non-China industry growing (negative) or shrinking (positive).

    Returns the running totals of the three parts from the start (``capacity``, ``utilisation``,
    ``rest``) and the ``share``; for every month the parts sum to the share (the month before the
    first counts as no Malaysian output). Months before Malaysia makes magnets add nothing to any
    part; where there is no capacity, utilisation is the nearest month's (see :func:`utilisation`),
    so a plant opening shows as capacity.
    """
    out = np.asarray(output, dtype=float)
    whole = np.asarray(nonchina, dtype=float)
    # where output runs without recorded capacity, count the output as the capacity
    made = np.asarray(capacity, dtype=float)
    made = np.where((made <= 1e-9) & (out > 1e-9), out, made)
    if len(made) == 0:
        return {name: np.zeros(0) for name in (*SHARE_PARTS, "share")}
    used = utilisation(made, out)
    inverse = np.where(whole > 1e-9, 1.0 / np.where(whole > 1e-9, whole, 1.0), 0.0)
    end = (made, used, inverse)
    # the month before the first: no capacity, the same utilisation and industry as the first month
    start = (
        np.concatenate([[0.0], made[:-1]]),
        np.concatenate([used[:1], used[:-1]]),
        np.concatenate([inverse[:1], inverse[:-1]]),
    )
    parts = _shapley3(start, end)
    result = {name: np.cumsum(part) for name, part in zip(SHARE_PARTS, parts, strict=True)}
    result["share"] = made * used * inverse
    return result
