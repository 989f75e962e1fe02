"""Material flows from mines to buyers by country, drawn as a Sankey diagram.

The model reports this month's flows in three legs with different units: ore from mines to
separation (t REO), NdPr oxide from separation to magnet makers and other uses (t NdPr) and magnets
from makers to buyer regions (t NdFeB). A band's width is its share of its leg's total, so each
leg is drawn on the same scale even though the tonnages differ.
"""

from __future__ import annotations

from collections import defaultdict

from ..charts.figure import Chart, Item, Line, Polygon, Text
from ..charts.palette import REGION_COLORS, country_name
from .session import Session, short_month

X = (0.0, 0.95, 1.9, 2.85)  # column positions
COLUMNS = [
    ("mine", "Mines", "t REO"),
    ("separation", "Separation", "t NdPr"),
    ("magnets", "Magnet makers", "t NdFeB"),
    ("buyers", "Buyers", ""),
]
LEGS = {
    ("mine", "separation"): 0,
    ("separation", "magnets"): 1,
    ("separation", "other uses"): 1,
    ("separation", "stockpile"): 1,
    ("magnets", "buyers"): 2,
}
NODE_W = 0.07
GAP = 0.025
LABEL_GAP = 0.046  # least distance between two labels' centres (unit square, about 11 pixels)
# Stockpiles are named apart from the country that holds them (China's reserve is not its magnet makers).
STOCKPILES = {"china": "China's state reserve", "allied stockpiles": "Allied stockpiles"}
STOCKPILE_COLOR = "#666666"


def _stage_column(stage: str) -> int:
    return {"mine": 0, "separation": 1, "magnets": 2, "other uses": 2, "stockpile": 2, "buyers": 3}[stage]


def _node_name(stage: str, name: str) -> str:
    return STOCKPILES.get(name, f"{name} stockpile") if stage == "stockpile" else name


def _last(name: str) -> bool:
    """Other uses and stockpiles go at the bottom of their column."""
    return name == "other uses" or name in STOCKPILES.values() or name.endswith(" stockpile")


def sankey_layout(flows: list[dict]) -> tuple[dict, list]:
    """Node boxes and link bands (in a unit square, y downward from 0) for the given flows.

    Returns ``(nodes, links)``: ``nodes[(column, name)] = {"y": top, "h": height, "in": t, "out": t}``
    and ``links`` as dicts with source, target, tonnes, width and their y offsets at both ends.
    """
    legs_total: defaultdict[int, float] = defaultdict(float)
    for f in flows:
        legs_total[LEGS[(f["from_stage"], f["to_stage"])]] += f["tonnes"]
    nodes: dict[tuple[int, str], dict] = {}
    links = []
    for f in flows:
        leg = LEGS[(f["from_stage"], f["to_stage"])]
        share = f["tonnes"] / legs_total[leg] if legs_total[leg] > 0 else 0.0
        src = (_stage_column(f["from_stage"]), _node_name(f["from_stage"], f["from"]))
        dst = (_stage_column(f["to_stage"]), _node_name(f["to_stage"], f["to"]))
        for key in (src, dst):
            nodes.setdefault(key, {"in": 0.0, "out": 0.0, "in_share": 0.0, "out_share": 0.0})
        nodes[src]["out"] += f["tonnes"]
        nodes[src]["out_share"] += share
        nodes[dst]["in"] += f["tonnes"]
        nodes[dst]["in_share"] += share
        links.append({"source": src, "target": dst, "tonnes": f["tonnes"], "share": share})
    if not nodes:
        return {}, []
    by_column: dict[int, list] = defaultdict(list)
    for key, node in nodes.items():
        node["size"] = max(node["in_share"], node["out_share"])
        by_column[key[0]].append(key)
    order = {"china": 0, "malaysia": 1}
    scale = min(
        (1.0 - GAP * (len(keys) - 1)) / max(1e-9, sum(nodes[k]["size"] for k in keys)) for keys in by_column.values()
    )
    for keys in by_column.values():
        keys.sort(key=lambda k: (_last(k[1]), order.get(k[1], 2), -nodes[k]["size"], k[1]))
        y = 0.0
        for key in keys:
            nodes[key]["y"] = y
            nodes[key]["h"] = nodes[key]["size"] * scale
            y += nodes[key]["h"] + GAP
    rank = {key: (key[0], nodes[key]["y"]) for key in nodes}
    out_used: defaultdict[tuple[int, str], float] = defaultdict(float)
    in_used: defaultdict[tuple[int, str], float] = defaultdict(float)
    for link in sorted(links, key=lambda link: (rank[link["source"]], rank[link["target"]])):
        width = link["share"] * scale
        link["width"] = width
        link["y0"] = nodes[link["source"]]["y"] + out_used[link["source"]]
        out_used[link["source"]] += width
    for link in sorted(links, key=lambda link: (rank[link["target"]], rank[link["source"]])):
        link["y1"] = nodes[link["target"]]["y"] + in_used[link["target"]]
        in_used[link["target"]] += link["width"]
    return nodes, links


def _band(x0: float, y0: float, x1: float, y1: float, width: float, steps: int = 10) -> list[tuple[float, float]]:
    """A smooth band from (x0, y0) to (x1, y1) of the given width (y downward, unit square)."""
    top, bottom = [], []
    for i in range(steps + 1):
        t = i / steps
        s = t * t * (3 - 2 * t)
        x = x0 + (x1 - x0) * t
        y = y0 + (y1 - y0) * s
        top.append((x, 1 - y))
        bottom.append((x, 1 - (y + width)))
    return top + bottom[::-1]


def flows_chart(session: Session, width: int = 520, height: int = 330) -> Chart:
    """This month's material flows from mines to buyers as a Sankey diagram."""
    flows = session.model.material_flows() if session.tick else []
    nodes, links = sankey_layout(flows)
    chart = Chart(
        title=f"Material flows, mine to buyer ({short_month(session.month_label)})"
        if flows
        else "Material flows, mine to buyer",
        xlim=(-0.02, 3.6),
        ylim=(-0.02, 1.1),
        frame=False,
        width=width,
        height=height,
        margin=(28, 4, 6, 4),
        note="band width: share of each leg's tonnes this month (the units differ by leg)",
    )
    for column, (_, label, unit) in enumerate(COLUMNS):
        anchor = "start" if column == 0 else "middle"
        chart.items.append(
            Text(
                X[column] + (0 if column == 0 else NODE_W / 2),
                1.09,
                label + (f" ({unit})" if unit else ""),
                size=10,
                bold=True,
                anchor=anchor,
                valign="top",
            )
        )
    if not flows:
        chart.items.append(
            Text(1.8, 0.5, "Press Step to see this month's flows", size=12, anchor="middle", color="#555555")
        )
        return chart
    chart.items += _bands(links) + _nodes(nodes)
    return chart


def _bands(links: list[dict]) -> list[Item]:
    """One band per link, coloured by where the material comes from."""
    items: list[Item] = []
    for link in links:
        (c0, name0), (c1, _) = link["source"], link["target"]
        color = REGION_COLORS.get(name0, "#888888")
        tip = (
            f"{country_name(name0)} → {country_name(link['target'][1])}: {link['tonnes']:,.0f} {COLUMNS[c0][2] or 't'}"
        )
        items.append(
            Polygon(_band(X[c0] + NODE_W, link["y0"], X[c1], link["y1"], link["width"]), color, alpha=0.45, tooltip=tip)
        )
    return items


def _color(name: str) -> str:
    return STOCKPILE_COLOR if _last(name) and name != "other uses" else REGION_COLORS.get(name, "#888888")


def _nodes(nodes: dict) -> list[Item]:
    """A box per country and stage, each with a label (small boxes' labels moved apart, with a leader)."""
    items: list[Item] = []
    labels: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for (column, name), node in nodes.items():
        y0, h = node["y"], node["h"]
        x0 = X[column]
        tonnes = node["out"] if node["out"] > 0 else node["in"]
        unit = "t NdPr" if _last(name) else COLUMNS[column][2] or "t NdFeB"
        tip = f"{country_name(name)}: {tonnes:,.0f} {unit}"
        box = [(x0, 1 - y0), (x0 + NODE_W, 1 - y0), (x0 + NODE_W, 1 - y0 - h), (x0, 1 - y0 - h)]
        items.append(Polygon(box, _color(name), alpha=1.0, edge="#333333", tooltip=tip))
        labels[column].append((1 - y0 - h / 2, f"{country_name(name)} {tonnes:,.0f}"))
    for column, entries in labels.items():
        entries.sort(reverse=True)
        x = X[column] + NODE_W
        for (centre, text), y in zip(entries, spread([c for c, _ in entries]), strict=True):
            moved = abs(y - centre) > 0.004
            if moved:  # a short leader from the box to its label
                items.append(Line([x, x + 0.05], [centre, y], "#555555", width=0.8))
            items.append(Text(x + (0.05 if moved else 0.0), y, text, size=9, dx=3, color="#111111", halo=True))
    return items


def spread(centres: list[float], gap: float = LABEL_GAP, lo: float = 0.0, hi: float = 1.0) -> list[float]:
    """Label positions near ``centres`` (from the top down) at least ``gap`` apart within [lo, hi]."""
    out: list[float] = []
    for centre in centres:  # top down: each at its centre or just below the one above
        out.append(min(centre, out[-1] - gap) if out else min(centre, hi))
    if out and out[-1] < lo:  # pushed below the bottom: bottom up, each just above the one below
        out[-1] = lo
        for i in range(len(out) - 2, -1, -1):
            out[i] = max(out[i], out[i + 1] + gap)
    return out
