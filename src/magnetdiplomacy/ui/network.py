"""The partnership network: actors as nodes placed by side, ties coloured and styled by type."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..charts.figure import Chart, Curve, Item, LegendEntry, Marker, Text, text_width
from ..charts.palette import CHINA_SIDE, GREY, SKY_BLUE, TIE_STYLES, US_SIDE, YELLOW, bloc_color
from .session import Session, short_month

SHAPES = {"state": "square", "firm": "circle", "buyers": "diamond"}
LABEL_SIZE = 9.5


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
    """The partnerships in force: actors placed by side, ties styled by type."""
    graph = session.model.partnerships.graph
    positions = layout(graph)
    ties = list(graph.edges(keys=True, data=True))
    count = f"{len(ties)} tie{'s' if len(ties) != 1 else ''}"
    chart = Chart(
        title=f"Partnership network ({count} in {short_month(session.month_label)})",
        xlim=(-1.42, 1.42),
        ylim=(-1.18, 1.08),
        frame=False,
        width=width,
        height=height,
        margin=(30, 6, 10, 6),
    )
    chart.legend = [LegendEntry(words, color, dash=dash) for color, dash, words in TIE_STYLES.values()] + [
        LegendEntry("China's side", CHINA_SIDE, kind="circle"),
        LegendEntry("US side", US_SIDE, kind="circle"),
        LegendEntry("US partners", SKY_BLUE, kind="circle"),
        LegendEntry("Malaysian", YELLOW, kind="circle"),
    ]
    chart.note = "squares: governments · circles: firms · diamond: buyers; bigger = more ties"
    for x, side, color in ((-1.0, "China's side", CHINA_SIDE), (0.0, "Malaysia", "#6b6300"), (1.0, "US side", US_SIDE)):
        chart.items.append(Text(x, 1.05, side, color=color, size=10.5, bold=True, anchor="middle", valign="top"))
    chart.items += _ties(session, ties, positions) + _actors(chart, graph, positions)
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
            since = short_month(session.model.label_of(int(data["since"]))) if data.get("since") is not None else ""
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


def _actors(chart: Chart, graph: Any, positions: dict[str, tuple[float, float]]) -> list[Item]:
    """A marker per actor, bigger with more ties, and its name where the name has room."""
    markers: list[Item] = []
    degree = dict(graph.degree())
    sizes = {name: 13 + 2.5 * min(degree.get(name, 0), 4) for name in graph.nodes}
    for name, data in graph.nodes(data=True):
        x, y = positions[name]
        color = bloc_color(float(data.get("bloc", 0.0)), bool(data.get("malaysian", False)))
        partners = sorted(set(graph.neighbors(name)))
        tip = f"{name}: {degree.get(name, 0)} tie(s)" + (f" with {', '.join(partners)}" if partners else "")
        shape = SHAPES.get(data.get("kind", "firm"), "circle")
        markers.append(Marker(x, y, color, shape=shape, size=sizes[name], tooltip=tip))
    return markers + name_labels(chart, positions, sizes, degree)


def name_labels(
    chart: Chart, positions: dict[str, tuple[float, float]], sizes: dict[str, float], degree: dict
) -> list[Item]:
    """Actor names placed where they overlap no other name or marker: below the marker, else above,
    right or left; a name with no room is left out (its marker's hover still gives it)."""
    px = chart.transform()
    taken = []
    for name, (x, y) in positions.items():
        cx, cy = px(x, y)
        r = sizes[name] / 2
        taken.append((cx - r, cy - r, cx + r, cy + r))
    labels: list[Item] = []
    for name in sorted(positions, key=lambda n: (-degree.get(n, 0), n)):
        x, y = positions[name]
        cx, cy = px(x, y)
        box = _free_spot(cx, cy, sizes[name] / 2 + 2, text_width(name, LABEL_SIZE), taken, chart)
        if box is None:
            continue
        taken.append(box[0])
        anchor, valign, dx, dy = box[1]
        labels.append(
            Text(x, y, name, size=LABEL_SIZE, anchor=anchor, valign=valign, dx=dx, dy=dy, color="#111111", halo=True)
        )
    return labels


def _free_spot(cx: float, cy: float, gap: float, width: float, taken: list, chart: Chart):
    """The first of below, above, right and left of a marker where a label overlaps nothing taken."""
    high = LABEL_SIZE + 2
    spots = (
        ((cx - width / 2, cy + gap, cx + width / 2, cy + gap + high), ("middle", "top", 0.0, gap)),
        ((cx - width / 2, cy - gap - high, cx + width / 2, cy - gap), ("middle", "bottom", 0.0, -gap)),
        ((cx + gap + 1, cy - high / 2, cx + gap + 1 + width, cy + high / 2), ("start", "middle", gap + 1, 0.0)),
        ((cx - gap - 1 - width, cy - high / 2, cx - gap - 1, cy + high / 2), ("end", "middle", -gap - 1, 0.0)),
    )
    left, top, w, h = chart.box()
    for box, place in spots:
        inside = box[0] >= left - 4 and box[2] <= left + w + 4 and box[1] >= top - 4 and box[3] <= top + h + 4
        if inside and not any(_overlap(box, other) for other in taken):
            return box, place
    return None


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
