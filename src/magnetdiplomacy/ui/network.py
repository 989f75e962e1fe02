"""The partnership network: actors as nodes placed by side, ties coloured and styled by type."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..charts.figure import Chart, Curve, Item, LegendEntry, Marker, Text
from ..charts.palette import CHINA_SIDE, GREY, SKY_BLUE, TIE_STYLES, US_SIDE, YELLOW, bloc_color
from .session import Session

SHAPES = {"state": "square", "firm": "circle", "buyers": "diamond"}


def column_of(bloc: float, malaysian: bool) -> float:
    """Horizontal position: China's side left, Malaysia in the middle, the US side right."""
    if malaysian:
        return 0.0
    if bloc <= -0.75:
        return -1.0
    if bloc >= 0.75:
        return 1.0
    return 0.55 if bloc > 0 else -0.55 if bloc < 0 else 0.0


def layout(graph) -> dict[str, tuple[float, float]]:
    """Fixed positions: a column per side, actors spread evenly down each column."""
    columns: dict[float, list[str]] = defaultdict(list)
    for name, data in graph.nodes(data=True):
        columns[column_of(float(data.get("bloc", 0.0)), bool(data.get("malaysian", False)))].append(name)
    positions = {}
    for x, names in columns.items():
        names.sort(key=lambda n: (graph.nodes[n].get("kind") != "state", n))
        n = len(names)
        partners = abs(x) == 0.55
        for i, name in enumerate(names):
            if partners:  # between the rows of the neighbouring column, so labels do not collide
                y = 0.0 if n == 1 else 0.64 - 1.28 * i / (n - 1)
            else:
                y = 0.0 if n == 1 else 0.85 - 1.7 * i / (n - 1)
            positions[name] = (x, y)
    return positions


def network_chart(session: Session, width: int = 520, height: int = 330) -> Chart:
    graph = session.model.partnerships.graph
    positions = layout(graph)
    ties = list(graph.edges(keys=True, data=True))
    chart = Chart(
        title=f"Partnership network ({len(ties)} tie{'s' if len(ties) != 1 else ''} in {session.month_label})",
        xlim=(-1.42, 1.42),
        ylim=(-1.18, 1.08),
        frame=False,
        width=width,
        height=height,
        margin=(30, 6, 10, 6),
    )
    chart.items.append(
        Text(-1.0, 1.05, "China's side", color=CHINA_SIDE, size=10.5, bold=True, anchor="middle", valign="top")
    )
    chart.items.append(
        Text(0.0, 1.05, "Malaysia", color="#6b6300", size=10.5, bold=True, anchor="middle", valign="top")
    )
    chart.items.append(Text(1.0, 1.05, "US side", color=US_SIDE, size=10.5, bold=True, anchor="middle", valign="top"))
    chart.items += _ties(session, ties, positions) + _actors(graph, positions)
    chart.legend = [LegendEntry(words, color, dash=dash) for color, dash, words in TIE_STYLES.values()] + [
        LegendEntry("China's side", CHINA_SIDE, kind="circle"),
        LegendEntry("US side", US_SIDE, kind="circle"),
        LegendEntry("US partners", SKY_BLUE, kind="circle"),
        LegendEntry("Malaysian", YELLOW, kind="circle"),
    ]
    chart.note = "squares: governments · circles: firms · diamond: buyers; bigger = more ties"
    return chart


def _ties(session: Session, ties: list, positions: dict[str, tuple[float, float]]) -> list[Item]:
    """A curve per tie; several ties between the same two actors bend apart."""
    items: list[Item] = []
    pairs: dict[tuple[str, str], list[tuple[str, dict]]] = defaultdict(list)
    for a, b, key, data in ties:
        pairs[tuple(sorted((a, b)))].append((key, data))
    for (a, b), kinds in pairs.items():
        (xa, ya), (xb, yb) = positions[a], positions[b]
        n = len(kinds)
        for i, (key, data) in enumerate(sorted(kinds, key=lambda kd: kd[0])):
            color, dash, words = TIE_STYLES.get(key, (GREY, None, key))
            since = session.model.label_of(int(data.get("since", 0))) if data.get("since") is not None else ""
            note = data.get("note", "")
            tip = f"{a} – {b}: {words}" + (f" since {since}" if since else "") + (f" ({note})" if note else "")
            items.append(
                Curve(
                    xa,
                    ya,
                    xb,
                    yb,
                    color,
                    width=2.6,
                    dash=dash,
                    bend=(i - (n - 1) / 2) * 9 + (6 if n == 1 and abs(ya - yb) < 1e-9 and xa * xb < 0 else 0),
                    tooltip=tip,
                )
            )
    return items


def _actors(graph: Any, positions: dict[str, tuple[float, float]]) -> list[Item]:
    """A marker and a name per actor, bigger with more ties."""
    items: list[Item] = []
    degree = dict(graph.degree())
    for name, data in graph.nodes(data=True):
        x, y = positions[name]
        color = bloc_color(float(data.get("bloc", 0.0)), bool(data.get("malaysian", False)))
        size = 13 + 2.5 * min(degree.get(name, 0), 4)
        tip = f"{name}: {degree.get(name, 0)} tie(s)"
        items.append(Marker(x, y, color, shape=SHAPES.get(data.get("kind", "firm"), "circle"), size=size, tooltip=tip))
        items.append(
            Text(x, y, name, size=9.5, anchor="middle", valign="top", dy=size / 2 + 2, color="#111111", halo=True)
        )
    return items
