"""Time charts: alignment, market shares, prices and production by country.

Each builder reads a :class:`Session` and returns a :class:`~magnetdiplomacy.charts.figure.Chart`.
The x axis always spans the whole run, so lines grow from left to right as the months pass, and
interventions show as numbered vertical markers.
"""

from __future__ import annotations

from ..charts.figure import Area, Chart, LegendEntry, Line, Rule, Text, nice_max, nice_ticks
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
from .session import STAGES, Session

WIDTH, HEIGHT = 520, 300


def year_ticks(session: Session) -> list[tuple[float, str]]:
    x0, x1 = session.x_range
    span = x1 - x0
    every = 1 if span <= 6 else 2 if span <= 17 else 5
    first = int(x0) + (0 if x0 == int(x0) else 1)
    return [(float(year), str(year)) for year in range(first, int(x1) + 1) if (year - first) % every == 0]


def percent_ticks(top: float) -> list[tuple[float, str]]:
    digits = 0 if top >= 0.05 else 1
    return [(value, f"{value * 100:.{digits}f}%") for value in nice_ticks(0.0, top, 5)]


def number_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    return [(value, f"{value:,.0f}" if abs(hi) >= 10 else f"{value:g}") for value in nice_ticks(lo, hi, 5)]


def intervention_rules(session: Session, chart: Chart) -> None:
    """Numbered markers at the months interventions took effect."""
    for item in session.interventions():
        color = BLACK if item["by_user"] else "#666666"
        month = session.year_of(item["tick"])
        tip = f"{item['number']}. {item['date']}: {item['description']} ({'you' if item['by_user'] else 'scenario'})"
        chart.items.append(Rule(x=month, color=color, width=1.3, dash="dash", label=str(item["number"]), tooltip=tip))


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
    )


def alignment_chart(session: Session) -> Chart:
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
        Text(x1, -1.0, "China side", color=CHINA_SIDE, size=11, bold=True, anchor="end", dx=-6, dy=-6, valign="bottom"),
        Rule(y=0.0, color=BLACK, width=1.2),
    ]
    intervention_rules(session, chart)
    xs = session.years()
    chart.items.append(
        Line(
            xs,
            session.series("malaysia_revealed_alignment"),
            "#777777",
            width=1.3,
            dash="dot",
            label="revealed this month",
        )
    )
    chart.items.append(Line(xs, session.series("malaysia_alignment"), BLACK, width=2.4, label="alignment"))
    chart.legend = [
        LegendEntry("alignment (as others see it)", BLACK),
        LegendEntry("revealed by this month's acts", "#777777", dash="dot"),
    ]
    return chart


def shares_chart(session: Session) -> Chart:
    xs = session.years()
    series = [
        ("malaysia_magnet_share_nonchina", "non-China magnets", US_SIDE, None),
        ("malaysia_magnet_share_global", "world magnets", ORANGE, "dash"),
        ("malaysia_oxide_share_global", "world NdPr oxide", GREEN, "dashdot"),
    ]
    peak = max([max(session.series(col), default=0.0) for col, *_ in series] + [SHARE_TARGET])
    top = nice_max(peak * 1.1, 0.2)
    chart = _time_chart(session, "Malaysia's market shares", "share of output (%)", (0.0, top), percent_ticks(top))
    chart.items.append(
        Rule(
            y=SHARE_TARGET,
            color=US_SIDE,
            width=1.2,
            dash="dot",
            label=f"target: {SHARE_TARGET:.0%} of non-China magnets",
        )
    )
    intervention_rules(session, chart)
    for column, label, color, dash in series:
        chart.items.append(Line(xs, session.series(column), color, width=2.2, dash=dash, label=label))
    chart.legend = [LegendEntry(label, color, dash=dash) for _, label, color, dash in series]
    return chart


def prices_chart(session: Session) -> Chart:
    xs = session.years()
    series = [
        ("price_ndpr_china_usd_kg", "NdPr oxide in China", CHINA_SIDE, None),
        ("price_ndpr_exchina_usd_kg", "NdPr oxide outside China", US_SIDE, None),
        ("price_ndpr_realised_lynas_usd_kg", "NdPr Lynas realised", GREEN, "dot"),
        ("price_magnet_china_usd_kg", "magnets from China", CHINA_SIDE, "dash"),
        ("price_magnet_exchina_usd_kg", "magnets outside China", US_SIDE, "dash"),
    ]
    peak = max([max(session.series(col), default=0.0) for col, *_ in series] + [100.0])
    top = nice_max(peak * 1.05)
    chart = _time_chart(
        session, "Prices inside and outside China", "price (US$ per kg)", (0.0, top), number_ticks(0.0, top)
    )
    intervention_rules(session, chart)
    for column, label, color, dash in series:
        chart.items.append(Line(xs, session.series(column), color, width=2.0, dash=dash, label=label))
    chart.legend = [LegendEntry(label, color, dash=dash) for _, label, color, dash in series]
    return chart


def production_chart(session: Session, stage: str = "magnet") -> Chart:
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
    intervention_rules(session, chart)
    chart.legend = [LegendEntry(country_name(c), COUNTRY_COLORS.get(c, PURPLE), kind="patch") for c in countries]
    return chart
