"""A small chart description drawn two ways: as SVG for the page and as PNG for downloads.

Every chart in the app is built once as a :class:`Chart` (a plotting frame in data coordinates
plus lines, filled areas, rules, markers, text and a legend). :func:`to_svg` writes it as an SVG
string the browser draws directly, which keeps a step of the simulation cheap for the server;
:func:`to_png` draws the same chart with matplotlib for the "PNG" download buttons. Keeping one
description means the picture on screen and the downloaded file always agree.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from html import escape
from typing import Sequence

# ---- primitives (data coordinates unless said otherwise) -----------------------------------


@dataclass
class Line:
    xs: Sequence[float]
    ys: Sequence[float]
    color: str
    width: float = 2.0
    dash: str | None = None  # "dash", "dot", "dashdot" or None
    label: str | None = None


@dataclass
class Area:
    """The region between two curves (a shaded band or one layer of a stacked area)."""

    xs: Sequence[float]
    lo: Sequence[float]
    hi: Sequence[float]
    color: str
    alpha: float = 0.85
    label: str | None = None


@dataclass
class Rule:
    """A horizontal (``y`` given) or vertical (``x`` given) line across the frame."""

    x: float | None = None
    y: float | None = None
    color: str = "#000000"
    width: float = 1.0
    dash: str | None = None
    label: str | None = None  # written at the line's end (top for vertical, right for horizontal)
    tooltip: str | None = None


@dataclass
class Text:
    x: float
    y: float
    text: str
    color: str = "#000000"
    size: float = 11.0
    anchor: str = "start"  # start | middle | end
    valign: str = "middle"  # top | middle | bottom
    bold: bool = False
    dx: float = 0.0  # offsets in pixels
    dy: float = 0.0
    halo: bool = False  # a white outline so the text stays readable over lines


@dataclass
class Polygon:
    points: Sequence[tuple[float, float]]
    color: str
    alpha: float = 0.5
    edge: str | None = None
    tooltip: str | None = None


@dataclass
class Curve:
    """A smooth line from one point to another, bent sideways by ``bend`` pixels (network ties)."""

    x0: float
    y0: float
    x1: float
    y1: float
    color: str
    width: float = 2.0
    dash: str | None = None
    bend: float = 0.0
    tooltip: str | None = None


@dataclass
class Marker:
    """A symbol of fixed pixel size at a data point (network actors)."""

    x: float
    y: float
    color: str
    shape: str = "circle"  # circle | square | diamond
    size: float = 14.0  # pixels across
    edge: str = "#000000"
    tooltip: str | None = None


@dataclass
class LegendEntry:
    label: str
    color: str
    kind: str = "line"  # line | patch | circle | square | diamond
    dash: str | None = None


@dataclass
class Chart:
    """One chart: a frame with limits, tick marks, labels and what is drawn inside it."""

    title: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xlabel: str = ""
    ylabel: str = ""
    xticks: list[tuple[float, str]] = field(default_factory=list)
    yticks: list[tuple[float, str]] = field(default_factory=list)
    items: list = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    note: str = ""  # a line of small print under the chart
    width: int = 520
    height: int = 300
    frame: bool = True  # False for diagrams (network, flows): no axes, no grid
    margin: tuple[int, int, int, int] = (34, 16, 46, 62)  # top, right, bottom, left (pixels)

    # pixel geometry shared by both renderers
    @property
    def legend_rows(self) -> int:
        return len({round(y) for _, y, _ in legend_layout(self.legend, self.width, 0.0)}) if self.legend else 0

    def box(self) -> tuple[float, float, float, float]:
        """Plot area as (left, top, width, height) in pixels."""
        top, right, bottom, left = self.margin
        bottom += 16 * self.legend_rows + (14 if self.note else 0)
        return left, top, self.width - left - right, self.height - top - bottom

    def px(self, x: float, y: float) -> tuple[float, float]:
        """Pixel position of a data point (see :meth:`transform` for many points)."""
        return self.transform()(x, y)

    def transform(self):
        """A function from data coordinates to pixels (the box is computed once)."""
        left, top, w, h = self.box()
        x0, x1 = self.xlim
        y0, y1 = self.ylim
        sx = w / (x1 - x0) if x1 != x0 else 0.0
        sy = h / (y1 - y0) if y1 != y0 else 0.0
        bottom = top + h

        def px(x: float, y: float) -> tuple[float, float]:
            return left + (x - x0) * sx, bottom - (y - y0) * sy

        return px


# ---- helpers for building charts -----------------------------------------------------------


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + 1e-9 * step:
        ticks.append(round(value, 10))
        value += step
    return ticks


def nice_max(value: float, floor: float = 0.0) -> float:
    """A round upper limit at or above ``value`` (and at least ``floor``)."""
    value = max(value, floor)
    if value <= 0:
        return 1.0
    ticks = nice_ticks(0.0, value * 1.05, 5)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else value
    top = ticks[-1]
    return top if top >= value else top + step


def fmt_number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


# ---- SVG -------------------------------------------------------------------------------------

FONT = "font-family=\"Roboto, 'Helvetica Neue', Arial, sans-serif\""
DASHES_SVG = {"dash": "7 4", "dot": "2 3", "dashdot": "8 3 2 3"}


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def _svg_text(x, y, text, *, size=11.0, color="#000000", anchor="start", valign="middle", bold=False, rotate=None, halo=False) -> str:
    baseline = {"top": "hanging", "middle": "central", "bottom": "alphabetic"}[valign]
    extra = f' transform="rotate({rotate} {_f(x)} {_f(y)})"' if rotate else ""
    if halo:
        extra += ' stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size:g}" fill="{color}" text-anchor="{anchor}" dominant-baseline="{baseline}"{weight}{extra}>{escape(text, quote=False)}</text>'


def _points(px, xs, ys) -> str:
    """SVG point list for data coordinates, rounded to 0.1 pixel."""
    out = []
    for x, y in zip(xs, ys):
        a, b = px(x, y)
        out.append(f"{a:.1f},{b:.1f}")
    return " ".join(out)


def _dash(dash: str | None) -> str:
    return f' stroke-dasharray="{DASHES_SVG[dash]}"' if dash else ""


def _title(tooltip: str | None) -> str:
    return f"<title>{escape(tooltip)}</title>" if tooltip else ""


def _clip(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def _marker_svg(cx: float, cy: float, shape: str, size: float, color: str, edge: str, tooltip: str | None = None) -> str:
    r = size / 2
    tip = _title(tooltip)
    if shape == "square":
        return f'<rect x="{_f(cx - r)}" y="{_f(cy - r)}" width="{_f(size)}" height="{_f(size)}" fill="{color}" stroke="{edge}" stroke-width="1.5">{tip}</rect>'
    if shape == "diamond":
        pts = f"{_f(cx)},{_f(cy - r * 1.2)} {_f(cx + r * 1.2)},{_f(cy)} {_f(cx)},{_f(cy + r * 1.2)} {_f(cx - r * 1.2)},{_f(cy)}"
        return f'<polygon points="{pts}" fill="{color}" stroke="{edge}" stroke-width="1.5">{tip}</polygon>'
    return f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="{color}" stroke="{edge}" stroke-width="1.5">{tip}</circle>'


def _curve_control(chart: Chart, item: Curve) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    a = chart.px(item.x0, item.y0)
    b = chart.px(item.x1, item.y1)
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return a, (mx - dy / length * item.bend * 2, my + dx / length * item.bend * 2), b


def to_svg(chart: Chart, element_id: str = "") -> str:
    """The chart as an SVG string scaled to the width of its container."""
    W, H = chart.width, chart.height
    left, top, w, h = chart.box()
    px = chart.transform()
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{escape(chart.title)}" {FONT}'
        + (f' id="{element_id}"' if element_id else "")
        + ' style="display:block;max-width:100%;height:auto">'
    ]
    out.append(f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>')
    out.append(_svg_text(left, 14, chart.title, size=13, bold=True, valign="middle"))
    clip_id = f"clip{abs(hash((chart.title if chart.frame else 'diagram', W, H))) % 10**8}"
    out.append(f'<defs><clipPath id="{clip_id}"><rect x="{_f(left)}" y="{_f(top)}" width="{_f(w)}" height="{_f(h)}"/></clipPath></defs>')
    if chart.frame:
        for value, label in chart.yticks:
            _, y = px(chart.xlim[0], value)
            out.append(f'<line x1="{_f(left)}" x2="{_f(left + w)}" y1="{_f(y)}" y2="{_f(y)}" stroke="#e3e3e3" stroke-width="1"/>')
            out.append(_svg_text(left - 6, y, label, size=10.5, color="#333333", anchor="end"))
        for value, label in chart.xticks:
            x, _ = px(value, chart.ylim[0])
            out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + h)}" stroke="#eeeeee" stroke-width="1"/>')
            out.append(_svg_text(x, top + h + 5, label, size=10.5, color="#333333", anchor="middle", valign="top"))
        if chart.xlabel:
            out.append(_svg_text(left + w / 2, top + h + 24, chart.xlabel, size=11, color="#222222", anchor="middle", valign="top"))
        if chart.ylabel:
            out.append(_svg_text(14, top + h / 2, chart.ylabel, size=11, color="#222222", anchor="middle", rotate=-90))
    body = []
    labels = []
    for item in chart.items:
        if isinstance(item, Area):
            if len(item.xs) == 0:
                continue
            upper = _points(px, item.xs, item.hi)
            lower = _points(px, list(reversed(item.xs)), list(reversed(item.lo)))
            body.append(f'<polygon points="{upper} {lower}" fill="{item.color}" fill-opacity="{item.alpha:g}" stroke="none"/>')
        elif isinstance(item, Line):
            if len(item.xs) == 0:
                continue
            pts = _points(px, item.xs, item.ys)
            body.append(f'<polyline points="{pts}" fill="none" stroke="{item.color}" stroke-width="{item.width:g}" stroke-linejoin="round"{_dash(item.dash)}/>')
        elif isinstance(item, Rule):
            if item.y is not None:
                _, y = px(chart.xlim[0], item.y)
                body.append(f'<line x1="{_f(left)}" x2="{_f(left + w)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{item.color}" stroke-width="{item.width:g}"{_dash(item.dash)}>{_title(item.tooltip)}</line>')
                if item.label:
                    labels.append(_svg_text(left + w - 4, y - 3, item.label, size=10, color=item.color, anchor="end", valign="bottom"))
            elif item.x is not None:
                x, _ = px(item.x, chart.ylim[0])
                body.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + h)}" stroke="{item.color}" stroke-width="{item.width:g}"{_dash(item.dash)}>{_title(item.tooltip)}</line>')
                if item.label:
                    labels.append(f'<g>{_title(item.tooltip)}<rect x="{_f(x - 8)}" y="{_f(top + 1)}" width="16" height="14" rx="3" fill="{item.color}"/>' + _svg_text(x, top + 8, item.label, size=9.5, color="#ffffff", anchor="middle", bold=True) + "</g>")
        elif isinstance(item, Polygon):
            pts = _points(px, [p[0] for p in item.points], [p[1] for p in item.points])
            stroke = f' stroke="{item.edge}" stroke-width="0.8"' if item.edge else ' stroke="none"'
            body.append(f'<polygon points="{pts}" fill="{item.color}" fill-opacity="{item.alpha:g}"{stroke}>{_title(item.tooltip)}</polygon>')
        elif isinstance(item, Curve):
            a, c, b = _curve_control(chart, item)
            body.append(f'<path d="M{_f(a[0])},{_f(a[1])} Q{_f(c[0])},{_f(c[1])} {_f(b[0])},{_f(b[1])}" fill="none" stroke="{item.color}" stroke-width="{item.width:g}"{_dash(item.dash)}>{_title(item.tooltip)}</path>')
        elif isinstance(item, Marker):
            cx, cy = px(item.x, item.y)
            labels.append(_marker_svg(cx, cy, item.shape, item.size, item.color, item.edge, item.tooltip))
        elif isinstance(item, Text):
            x, y = px(item.x, item.y)
            labels.append(_svg_text(x + item.dx, y + item.dy, item.text, size=item.size, color=item.color, anchor=item.anchor, valign=item.valign, bold=item.bold, halo=item.halo))
    out.append(f'<g clip-path="url(#{clip_id})">' + "".join(body) + "</g>" if chart.frame else "".join(body))
    out.extend(labels)
    if chart.frame:
        out.append(f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(w)}" height="{_f(h)}" fill="none" stroke="#666666" stroke-width="1"/>')
    out.extend(_legend_svg(chart))
    if chart.note:
        out.append(_svg_text(8, H - 9, chart.note, size=10, color="#444444"))
    out.append("</svg>")
    return "".join(out)


def text_width(text: str, size: float = 10.5) -> float:
    """Rough width of a label in pixels (generous, so it also fits the PNG's wider font)."""
    return len(text) * size * 0.58


def legend_layout(entries: list[LegendEntry], width: float, top: float) -> list[tuple[float, float, LegendEntry]]:
    """Legend entries flowed left to right in rows 16 pixels apart, starting at ``top``."""
    out = []
    x, y = 10.0, top
    for entry in entries:
        need = 27 + text_width(entry.label) + 14
        if x > 10.0 and x + need > width - 6:
            x, y = 10.0, y + 16
        out.append((x, y, entry))
        x += need
    return out


def _legend_positions(chart: Chart) -> list[tuple[float, float, LegendEntry]]:
    if not chart.legend:
        return []
    base = chart.height - 16 * chart.legend_rows - (14 if chart.note else 0) - 4
    return legend_layout(chart.legend, chart.width, base)


def _legend_svg(chart: Chart) -> list[str]:
    out = []
    for x, y, entry in _legend_positions(chart):
        if entry.kind == "line":
            out.append(f'<line x1="{_f(x)}" x2="{_f(x + 22)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{entry.color}" stroke-width="2.5"{_dash(entry.dash)}/>')
        elif entry.kind == "patch":
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 5)}" width="22" height="10" fill="{entry.color}"/>')
        else:
            out.append(_marker_svg(x + 11, y, entry.kind, 10, entry.color, "#000000"))
        out.append(_svg_text(x + 27, y, entry.label, size=10.5, color="#222222"))
    return out


# ---- PNG (matplotlib) ----------------------------------------------------------------------

DASHES_MPL = {None: "-", "dash": (0, (5, 3)), "dot": (0, (1.5, 2)), "dashdot": (0, (6, 2, 1.5, 2))}
MARKERS_MPL = {"circle": "o", "square": "s", "diamond": "D"}


def to_png(chart: Chart, dpi: int = 150) -> bytes:
    """The chart as PNG bytes (drawn with matplotlib at ``dpi``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    W, H = chart.width, chart.height
    scale = 0.72  # one chart pixel in points (figure is W/100 inches wide)
    fig = Figure(figsize=(W / 100, H / 100), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    left, top, w, h = chart.box()
    ax = fig.add_axes((left / W, 1 - (top + h) / H, w / W, h / H))
    ax.set_xlim(*chart.xlim)
    ax.set_ylim(*chart.ylim)
    font = 11 * scale
    if chart.frame:
        ax.set_xticks([v for v, _ in chart.xticks], [t for _, t in chart.xticks], fontsize=10.5 * scale)
        ax.set_yticks([v for v, _ in chart.yticks], [t for _, t in chart.yticks], fontsize=10.5 * scale)
        ax.grid(True, color="#e3e3e3", linewidth=0.7)
        ax.set_axisbelow(True)
        ax.set_xlabel(chart.xlabel, fontsize=font)
        ax.set_ylabel(chart.ylabel, fontsize=font)
        for spine in ax.spines.values():
            spine.set_color("#666666")
    else:
        ax.set_axis_off()
    fig.text(left / W, 1 - 14 / H, chart.title, fontsize=13 * scale, fontweight="bold", va="center")

    def to_data_dy(pixels: float) -> float:
        return pixels / h * (chart.ylim[1] - chart.ylim[0])

    for item in chart.items:
        if isinstance(item, Area):
            ax.fill_between(list(item.xs), list(item.lo), list(item.hi), color=item.color, alpha=item.alpha, linewidth=0)
        elif isinstance(item, Line):
            ax.plot(list(item.xs), list(item.ys), color=item.color, linewidth=item.width * scale, linestyle=DASHES_MPL[item.dash])
        elif isinstance(item, Rule):
            if item.y is not None:
                ax.axhline(item.y, color=item.color, linewidth=item.width * scale, linestyle=DASHES_MPL[item.dash])
                if item.label:
                    ax.text(chart.xlim[1], item.y + to_data_dy(3), item.label + " ", color=item.color, fontsize=10 * scale, ha="right", va="bottom")
            elif item.x is not None:
                ax.axvline(item.x, color=item.color, linewidth=item.width * scale, linestyle=DASHES_MPL[item.dash])
                if item.label:
                    ax.text(item.x, chart.ylim[1] - to_data_dy(8), item.label, color="white", fontsize=9.5 * scale, ha="center", va="center", fontweight="bold", bbox={"boxstyle": "round,pad=0.2", "fc": item.color, "ec": "none"})
        elif isinstance(item, Polygon):
            ax.add_patch(plt_polygon(item))
        elif isinstance(item, Curve):
            a, c, b = _curve_control(chart, item)
            inv = ax.transData.inverted()
            pts = [inv.transform(_px_to_display(fig, p, W, H)) for p in (a, c, b)]
            path = MplPath(pts, [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3])
            ax.add_patch(PathPatch(path, fill=False, edgecolor=item.color, linewidth=item.width * scale, linestyle=DASHES_MPL[item.dash]))
        elif isinstance(item, Marker):
            ax.scatter([item.x], [item.y], s=(item.size * scale) ** 2, c=item.color, marker=MARKERS_MPL[item.shape], edgecolors=item.edge, linewidths=1.2, zorder=5)
        elif isinstance(item, Text):
            ha = {"start": "left", "middle": "center", "end": "right"}[item.anchor]
            va = {"top": "top", "middle": "center", "bottom": "bottom"}[item.valign]
            text = ax.annotate(item.text, (item.x, item.y), xytext=(item.dx * scale, -item.dy * scale), textcoords="offset points", color=item.color, fontsize=item.size * scale, ha=ha, va=va, fontweight="bold" if item.bold else "normal", annotation_clip=False, zorder=6)
            if item.halo:
                from matplotlib import patheffects

                text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
    for x, y, entry in _legend_positions(chart):
        fx, fy = x / W, 1 - y / H
        if entry.kind == "line":
            fig.add_artist(_fig_line(fig, fx, fy, 22 / W, entry, scale))
        elif entry.kind == "patch":
            fig.add_artist(Rectangle((fx, fy - 5 / H), 22 / W, 10 / H, transform=fig.transFigure, color=entry.color))
        else:
            fig.add_artist(_fig_marker(fig, fx + 11 / W, fy, entry, scale))
        fig.text(fx + 27 / W, fy, entry.label, fontsize=10.5 * scale, va="center")
    if chart.note:
        fig.text(8 / W, 9 / H, chart.note, fontsize=10 * scale, color="#444444", va="center")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _px_to_display(fig, point, W, H):
    """Chart pixel (origin top-left) to matplotlib display coordinates."""
    x, y = point
    return fig.transFigure.transform((x / W, 1 - y / H))


def plt_polygon(item: Polygon):
    from matplotlib.patches import Polygon as MplPolygon

    return MplPolygon(list(item.points), closed=True, facecolor=item.color, alpha=item.alpha, edgecolor=item.edge or "none", linewidth=0.6)


def _fig_line(fig, fx, fy, length, entry: LegendEntry, scale):
    from matplotlib.lines import Line2D

    return Line2D([fx, fx + length], [fy, fy], transform=fig.transFigure, color=entry.color, linewidth=2.5 * scale, linestyle=DASHES_MPL[entry.dash])


def _fig_marker(fig, fx, fy, entry: LegendEntry, scale):
    from matplotlib.lines import Line2D

    return Line2D([fx], [fy], transform=fig.transFigure, marker=MARKERS_MPL.get(entry.kind, "o"), markersize=10 * scale, color=entry.color, markeredgecolor="#000000", linestyle="none")
