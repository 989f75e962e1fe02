"""Charts of the classroom pages, drawn as SVG with the shared chart description (:mod:`magnetdiplomacy.charts`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ...charts.figure import Area, Chart, LegendEntry, Line, Rule, Text, nice_max, nice_ticks, to_svg
from ...charts.palette import (
    BLACK,
    BLUE,
    CHINA_SIDE,
    CHINA_SIDE_LIGHT,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    US_SIDE,
    US_SIDE_LIGHT,
    VERMILLION,
    YELLOW,
)
from ...targets import SHARE_TEXT
from ..targets import ALIGNMENT_BAND, SHARE_TARGET, as_dates

# one line of a chart: (label, values, colour, dash)
SeriesLine = tuple[str, Sequence[float], str, str | None]

STUDENT_COLORS = [GREEN, BLUE, ORANGE, PURPLE, VERMILLION, SKY_BLUE, YELLOW, BLACK]


def years(dates: Sequence) -> list[float]:
    return [d.year + (d.month - 1) / 12.0 for d in as_dates(dates)]


def _xticks(x0: float, x1: float) -> list[tuple[float, str]]:
    first = int(x0) + (0 if x0 == int(x0) else 1)
    return [(float(y), str(y)) for y in range(first, int(x1) + 1)]


def alignment_chart(
    xs: Sequence[float],
    lines: Sequence[SeriesLine],
    x_range: tuple[float, float],
    start: float | None = None,
    title: str = "Malaysia's alignment",
    width: int = 520,
    height: int = 250,
) -> Chart:
    """Alignment paths with the non-aligned band; ``lines`` are (label, values, colour, dash)."""
    x0, x1 = x_range
    chart = Chart(
        title=title,
        xlim=(x0, x1),
        ylim=(-1.0, 1.0),
        ylabel="−1 China … +1 US",
        xticks=_xticks(x0, x1),
        yticks=[(v, f"{v:+.1f}" if v else "0") for v in (-1.0, -0.5, 0.0, 0.5, 1.0)],
        width=width,
        height=height,
    )
    chart.items += [
        Area([x0, x1], [0.0, 0.0], [1.0, 1.0], US_SIDE_LIGHT, alpha=1.0),
        Area([x0, x1], [-1.0, -1.0], [0.0, 0.0], CHINA_SIDE_LIGHT, alpha=1.0),
        Area([x0, x1], [-ALIGNMENT_BAND, -ALIGNMENT_BAND], [ALIGNMENT_BAND, ALIGNMENT_BAND], "#ffffff", alpha=0.75),
        Text(x1, 1.0, "US side", color=US_SIDE, size=10.5, bold=True, anchor="end", dx=-6, dy=6, valign="top"),
        Text(
            x1, -1.0, "China side", color=CHINA_SIDE, size=10.5, bold=True, anchor="end", dx=-6, dy=-6, valign="bottom"
        ),
        Rule(y=0.0, color=GREY, width=1.0),
    ]
    if start is not None:
        chart.items.append(Rule(x=start, color=BLACK, width=1.0, dash="dot", tooltip="from here on, people decide"))
    for label, values, color, dash in lines:
        chart.items.append(Line(xs[: len(values)], list(values), color, width=2.2, dash=dash, label=label))
    chart.legend = [LegendEntry(f"non-aligned band (±{ALIGNMENT_BAND:.2f})", "#dddddd", kind="patch")] + [
        LegendEntry(label, color, dash=dash) for label, _, color, dash in lines
    ][:8]
    return chart


def share_chart(
    xs: Sequence[float],
    lines: Sequence[SeriesLine],
    x_range: tuple[float, float],
    start: float | None = None,
    width: int = 520,
    height: int = 250,
) -> Chart:
    x0, x1 = x_range
    peak = max([max(values, default=0.0) for _, values, _, _ in lines] + [SHARE_TARGET])
    top = nice_max(peak * 1.15, 0.2)
    ticks = [(v, f"{v * 100:.0f}%") for v in nice_ticks(0.0, top, 4)]
    chart = Chart(
        title="Malaysia's share of non-China magnets",
        xlim=(x0, x1),
        ylim=(0.0, top),
        ylabel="share of output",
        xticks=_xticks(x0, x1),
        yticks=ticks,
        width=width,
        height=height,
    )
    chart.items.append(Rule(y=SHARE_TARGET, color=ORANGE, width=1.3, dash="dashdot", label=f"target {SHARE_TEXT}"))
    if start is not None:
        chart.items.append(Rule(x=start, color=BLACK, width=1.0, dash="dot"))
    for label, values, color, dash in lines:
        chart.items.append(Line(xs[: len(values)], list(values), color, width=2.2, dash=dash, label=label))
    chart.legend = [LegendEntry(label, color, dash=dash) for label, _, color, dash in lines][:8]
    return chart


def svg(chart: Chart) -> str:
    return to_svg(chart)


def x_range(start: dt.date, end_label_year: float) -> tuple[float, float]:
    return (start.year + (start.month - 1) / 12.0, end_label_year)
