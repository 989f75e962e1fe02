"""Time charts: alignment, market shares, prices and production by country.

Each builder reads a :class:`Session` and returns a :class:`~magnetdiplomacy.charts.figure.Chart`.
The x axis always spans the whole run, so lines grow from left to right as the months pass.
Every time chart explains itself the same way (:func:`explain`): the interventions a person or
the scenario fired are numbered vertical markers, replayed history and the sides' decisions that
matter are triangles under the plot (one per month, neighbours merged where they would overlap;
hover for what happened, see :mod:`.markers`), the seed band of an ensemble sits behind each line
that has one, and hovering a month shows every value there with its unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from ..charts.figure import Area, Chart, Item, LegendEntry, Line, Rule, Text, nice_max, nice_ticks
from ..charts.overlays import EventMark, HoverColumns
from ..charts.palette import (
    BLACK,
    CHINA_SIDE,
    CHINA_SIDE_LIGHT,
    COUNTRY_COLORS,
    GREEN,
    ORANGE,
    PURPLE,
    US_SIDE,
    US_SIDE_LIGHT,
    country_name,
)
from ..targets import SHARE_TARGET
from . import words
from .markers import MARKER_LINES, MarkerGroup, clusters, marker_groups
from .session import STAGES, Session, short_month

WIDTH, HEIGHT = 520, 320
HISTORY_COLOR = "#4d4d4d"
DECISION_COLOR = PURPLE
PREVIOUS_COLOR = "#9a9a9a"
MARK_SIZE = 9  # pixels across an event marker


# ---- axes ----------------------------------------------------------------------------------------


def year_ticks(session: Session) -> list[tuple[float, str]]:
    """Year ticks across the whole run (every year, second year or fifth year as the span needs)."""
    x0, x1 = session.x_range
    span = x1 - x0
    every = 1 if span <= 6 else 2 if span <= 17 else 5
    first = int(x0) + (0 if x0 == int(x0) else 1)
    return [(float(year), str(year)) for year in range(first, int(x1) + 1) if (year - first) % every == 0]


def percent_ticks(top: float) -> list[tuple[float, str]]:
    """Round tick values from 0 to ``top`` written as percentages."""
    digits = 0 if top >= 0.05 else 1
    return [(value, f"{value * 100:.{digits}f}%") for value in nice_ticks(0.0, top, 5)]


def number_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Round tick values from ``lo`` to ``hi`` written with thousands separators."""
    return [(value, f"{value:,.0f}" if abs(hi) >= 10 else f"{value:g}") for value in nice_ticks(lo, hi, 5)]


# ---- the explanations every time chart carries -------------------------------------------------


def intervention_rules(session: Session, chart: Chart) -> None:
    """Numbered markers at the months interventions took effect."""
    for item in session.interventions():
        color = BLACK if item["by_user"] else "#666666"
        month = session.year_of(item["tick"])
        chart.items.append(
            Rule(
                x=month, color=color, width=1.3, dash="dash", label=str(item["number"]), tooltip=intervention_tip(item)
            )
        )


def month_of(item: dict) -> str:
    """``YYYY-MM`` of an event's date (a date or a string)."""
    return str(item["date"])[:7]


def intervention_tip(item: dict) -> str:
    """The hover text of an intervention's numbered marker."""
    who = "you" if item["by_user"] else "scenario"
    return f"{item['number']}. {short_month(month_of(item))}: {words.plain(item['description'])} ({who})"


def explain(session: Session, chart: Chart) -> list[MarkerGroup]:
    """The event markers of a time chart: interventions numbered, then a triangle under the plot
    for each month of replayed history or decisions (neighbouring months share one when they would
    overlap); hover text: the month and a line per event. Used by every time chart; returns the
    month groups so each month's hover can mention them."""
    intervention_rules(session, chart)
    groups = marker_groups(session.events())
    x0, x1 = chart.xlim
    per_month = chart.box()[2] / max(1e-9, (x1 - x0) * 12)
    for cluster in clusters(groups, max(1, math.ceil((MARK_SIZE + 1) / per_month))):
        limit = max(2, MARKER_LINES // len(cluster))
        tip = "\n".join(g.tooltip(short_month(session.model.label_of(g.tick)), limit) for g in cluster)
        history = any(g.kind == "history" for g in cluster)
        chart.items.append(
            EventMark(session.year_of(cluster[0].tick), HISTORY_COLOR if history else DECISION_COLOR, tip, MARK_SIZE)
        )
    chart.legend += [
        LegendEntry("history", HISTORY_COLOR, kind="triangle"),
        LegendEntry("a side's decision", DECISION_COLOR, kind="triangle"),
    ]
    return groups


def month_notes(session: Session, groups: Sequence[MarkerGroup]) -> dict[int, list[str]]:
    """A short line per month with events for the month's hover (the marker's own hover has them all)."""
    notes: dict[int, list[str]] = {}
    for item in session.interventions():
        notes.setdefault(int(item["tick"]), []).append(
            f"intervention {item['number']}: {words.short(item['label'], 60)}"
        )
    for group in groups:
        count = len(group.history) + len(group.decisions)
        notes.setdefault(group.tick, []).append(f"▲ {count} event{'s' if count > 1 else ''}: hover the triangle below")
    return notes


def hover(session: Session, chart: Chart, values: Callable[[int], list[str]], groups: Sequence[MarkerGroup]) -> None:
    """Month-wide hover columns: the month, ``values(t)`` and what happened that month."""
    notes = month_notes(session, groups)
    tips = [
        "\n".join([short_month(session.model.label_of(t)), *values(t), *notes.get(t, [])]) for t in range(session.tick)
    ]
    chart.items.append(HoverColumns(session.x0, 1 / 12, tips))


# ---- lines with their bands and the previous run ------------------------------------------------


@dataclass(frozen=True)
class Series:
    """A line of a time chart: the column it draws, its label, style and how a value reads."""

    column: str
    label: str
    color: str
    dash: str | None = None
    width: float = 2.2
    fmt: Callable[[float], str] = lambda v: f"{v:,.3g}"
    key: str = ""  # the name of its latest value on the page (the label unless given)
    previous: bool = True  # drawn for the previous run too (where the chart shows it)
    band_alpha: float = 0.16  # opacity of its seed band (lighter for a secondary line)


def signed(value: float) -> str:
    """An alignment reading: ``+0.123``."""
    return f"{value:+.3f}"


def percent(value: float) -> str:
    """A share: ``12.3%``."""
    return f"{value:.1%}"


def usd_kg(value: float) -> str:
    """A price: ``US$65/kg``."""
    return f"US${value:,.0f}/kg"


def bands(session: Session, series: Sequence[Series]) -> tuple[list[Item], dict[str, dict[int, tuple]]]:
    """Light 5-95 % seed bands behind the lines that have one, and each band by month (for hover)."""
    items: list[Item] = []
    by_month: dict[str, dict[int, tuple]] = {}
    for line in series:
        band = session.bands.get(line.column)
        if band is None or band.empty:
            continue
        items.append(Area(list(band["year"]), list(band["p05"]), list(band["p95"]), line.color, alpha=line.band_alpha))
        months = [int(round((year - session.x0) * 12)) for year in band["year"]]
        by_month[line.column] = dict(zip(months, zip(band["p05"], band["p95"], strict=True), strict=True))
    return items, by_month


def band_label(session: Session) -> str:
    """``20 seeds, 5-95 %``: how many seeds the bands hold (as the ensemble says, else 20)."""
    seeds = int(getattr(session, "bands_seeds", 0) or 0)
    if not seeds:
        seeds = max((int(band.attrs.get("seeds", 20)) for band in session.bands.values()), default=20)
    return f"{seeds} seeds, 5-95 %"


def comparison(session: Session) -> tuple[pd.DataFrame | None, str]:
    """The run to compare with and its name: once the person has fired an intervention, this run
    without them (same scenario, seed and levers, from the ensemble); otherwise the previous run
    (kept on Reset), if any."""
    if session.fired and session.reference is not None:
        return session.reference, "without your interventions"
    return session.previous, "previous run"


def previous_run(session: Session, series: Sequence[Series]) -> tuple[list[Item], dict[str, list[float]]]:
    """The comparison run's lines (see :func:`comparison`), thin, dotted and grey, and their values
    by month (for hover)."""
    frame, _ = comparison(session)
    if frame is None or frame.empty:
        return [], {}
    dates = pd.to_datetime(frame["date"])
    xs = list(dates.dt.year + (dates.dt.month - 1) / 12.0)
    items: list[Item] = []
    values: dict[str, list[float]] = {}
    for line in series:
        if line.previous and line.column in frame:
            values[line.column] = [float(v) for v in frame[line.column]]
            items.append(Line(xs, values[line.column], PREVIOUS_COLOR, width=1.5, dash="dot"))
    return items, values


def draw_series(session: Session, chart: Chart, series: Sequence[Series], show_previous: bool = False) -> None:
    """Bands behind, the previous run, the markers, the lines, then the hover columns on top."""
    band_items, band_by_month = bands(session, series)
    previous_items, previous = previous_run(session, series) if show_previous else ([], {})
    chart.items += band_items + previous_items
    chart.legend += [LegendEntry(line.label, line.color, dash=line.dash) for line in series]
    groups = explain(session, chart)
    for line in series:
        data = session.series(line.column)
        chart.items.append(Line(session.years(), data, line.color, line.width, line.dash, line.key or line.label))
    seeds = band_label(session)
    if band_items:
        chart.legend.append(LegendEntry(seeds, "#c8c8c8", kind="patch"))
    compared = comparison(session)[1]
    if previous_items:
        chart.legend.append(LegendEntry(compared, PREVIOUS_COLOR, dash="dot"))

    def values(t: int) -> list[str]:
        out = []
        for line in series:
            data = session.series(line.column)
            name = line.key or line.label
            text = f"{name}: {line.fmt(data[t])}" if t < len(data) else f"{name}: –"
            if (band := band_by_month.get(line.column, {}).get(t)) is not None:
                text += f" ({seeds}: {line.fmt(band[0])} to {line.fmt(band[1])})"
            if t < len(previous.get(line.column, [])):
                text += f"; {compared} {line.fmt(previous[line.column][t])}"
            out.append(text)
        return out

    hover(session, chart, values, groups)


# ---- the charts ----------------------------------------------------------------------------------


def _time_chart(session: Session, title: str, ylabel: str, ylim, yticks, note: str = "") -> Chart:
    return Chart(
        title=title,
        xlim=session.x_range,
        ylim=ylim,
        xlabel="year",
        ylabel=ylabel,
        xticks=year_ticks(session),
        yticks=yticks,
        width=WIDTH,
        height=HEIGHT,
        note=note,
        xpad=MARK_SIZE + 3,
    )


ALIGNMENT_SERIES = (
    Series(
        "malaysia_revealed_alignment",
        "revealed by this month's acts",
        "#6f6f6f",
        "dash",
        1.1,
        signed,
        "revealed this month",
        False,
        0.06,
    ),
    Series("malaysia_alignment", "alignment (as others see it)", BLACK, None, 2.4, signed, "alignment"),
)


def alignment_chart(session: Session, show_previous: bool = True) -> Chart:
    """Malaysia's alignment month by month on the scale from China's side to the US side."""
    x0, x1 = session.x_range
    chart = _time_chart(
        session,
        "Malaysia's alignment between the US and China",
        "alignment (−1 China … +1 US)",
        (-1.0, 1.0),
        [(v, f"{v:+.1f}" if v else "0") for v in (-1.0, -0.5, 0.0, 0.5, 1.0)],
    )
    chart.items += [
        Area([x0, x1], [0.0, 0.0], [1.0, 1.0], US_SIDE_LIGHT, alpha=1.0),
        Area([x0, x1], [-1.0, -1.0], [0.0, 0.0], CHINA_SIDE_LIGHT, alpha=1.0),
        Text(x1, 1.0, "US side", color=US_SIDE, size=11, bold=True, anchor="end", dx=-6, dy=6, valign="top"),
        Text(
            x1, -1.0, "China side", color=CHINA_SIDE, size=11, bold=True, anchor="end", dx=-6, dy=-16, valign="bottom"
        ),
        Rule(y=0.0, color=BLACK, width=1.2),
    ]
    draw_series(session, chart, ALIGNMENT_SERIES, show_previous)
    return chart


SHARE_SERIES = (
    Series("malaysia_magnet_share_nonchina", "non-China magnets", US_SIDE, None, 2.2, percent),
    Series("malaysia_magnet_share_global", "world magnets", ORANGE, "dash", 2.2, percent),
    Series("malaysia_oxide_share_global", "world NdPr oxide", GREEN, "dashdot", 2.2, percent),
)


def band_peak(session: Session, series: Sequence[Series]) -> float:
    """The highest 95th percentile of the series' seed bands (0 without bands)."""
    return max([float(session.bands[s.column]["p95"].max()) for s in series if s.column in session.bands] + [0.0])


def shares_chart(session: Session, show_previous: bool = True) -> Chart:
    """Malaysia's shares of non-China magnets, world magnets and world NdPr oxide, with the target."""
    peak = max([max(session.series(s.column), default=0.0) for s in SHARE_SERIES] + [SHARE_TARGET])
    top = nice_max(max(peak, band_peak(session, SHARE_SERIES)) * 1.1, 0.2)
    # the range starts a little below zero so a share at 0 % stays visible above the frame
    chart = _time_chart(
        session, "Malaysia's market shares", "share of output (%)", (-0.03 * top, top), percent_ticks(top)
    )
    chart.items.append(
        Rule(
            y=SHARE_TARGET,
            color=US_SIDE,
            width=1.2,
            dash="dot",
            label=f"target: {SHARE_TARGET:.0%} of non-China magnets",
        )
    )
    draw_series(session, chart, SHARE_SERIES, show_previous)
    return chart


# The oxide prices inside and outside China often coincide, and Lynas' realised price is the
# outside price unless a floor pays more: a solid line under a dashed one under a dotted one keeps
# all three visible where they overlap (colours differ too).
PRICE_SERIES = (
    Series("price_ndpr_china_usd_kg", "NdPr oxide in China", CHINA_SIDE, None, 2.4, usd_kg),
    Series("price_ndpr_exchina_usd_kg", "NdPr oxide outside China", US_SIDE, "dash", 2.2, usd_kg),
    Series("price_ndpr_realised_lynas_usd_kg", "NdPr Lynas realised", GREEN, "dot", 2.2, usd_kg),
    Series("price_magnet_china_usd_kg", "magnets from China", CHINA_SIDE, "dashdot", 2.0, usd_kg),
    Series("price_magnet_exchina_usd_kg", "magnets outside China", US_SIDE, None, 2.0, usd_kg),
)


def prices_chart(session: Session) -> Chart:
    """NdPr oxide and magnet prices inside and outside China, and Lynas' realised price."""
    peak = max([max(session.series(s.column), default=0.0) for s in PRICE_SERIES] + [100.0])
    top = nice_max(max(peak, band_peak(session, PRICE_SERIES)) * 1.05)
    chart = _time_chart(
        session, "Prices inside and outside China", "price (US$ per kg)", (0.0, top), number_ticks(0.0, top)
    )
    draw_series(session, chart, PRICE_SERIES)
    return chart


def production_chart(session: Session, stage: str = "magnet") -> Chart:
    """Production of one stage by country, stacked."""
    label, unit = STAGES[stage]
    history = session.production[stage]
    xs = session.years()
    countries = sorted({c for month in history for c in month}, key=lambda c: (c != "china", c != "malaysia", c))
    totals = [sum(month.values()) for month in history]
    top = nice_max(max(totals, default=0.0) * 1.05, 1.0)
    chart = _time_chart(session, f"Production by country: {label.lower()}", unit, (0.0, top), number_ticks(0.0, top))
    base = [0.0] * len(history)
    for country in countries:
        upper = [b + month.get(country, 0.0) for b, month in zip(base, history, strict=True)]
        chart.items.append(
            Area(xs, base, upper, COUNTRY_COLORS.get(country, PURPLE), alpha=0.9, label=country_name(country))
        )
        base = upper
    chart.legend = [LegendEntry(country_name(c), COUNTRY_COLORS.get(c, PURPLE), kind="patch") for c in countries]
    groups = explain(session, chart)

    def values(t: int) -> list[str]:
        month = history[t]
        parts = [f"{country_name(c)}: {month[c]:,.0f}" for c in sorted(month, key=lambda c: -month[c])]
        return [f"total: {sum(month.values()):,.0f} {unit}", *parts[:5]]

    hover(session, chart, values, groups)
    return chart
