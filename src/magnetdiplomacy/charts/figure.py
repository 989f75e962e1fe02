"""A small chart description drawn two ways: as SVG for the page and as PNG for downloads.

Every chart is built once as a :class:`Chart` (a plotting frame in data coordinates plus lines,
filled areas, rules, markers, text and a legend, the items of :mod:`.items`). :func:`to_svg` writes
it as an SVG string the browser draws directly, which keeps a step of the simulation cheap for the
server; :func:`to_png` draws the same chart with matplotlib for the "PNG" download buttons. Keeping
one description means the picture on screen and the downloaded file always agree.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from html import escape

from .items import Area, Canvas, Curve, Frame, Item, LegendEntry, Line, Marker, Polygon, Rule, Text
from .svg import FONT, Transform, hline, num, vline
from .svg import text as svg_text

__all__ = [
    "Area",
    "Chart",
    "Curve",
    "Item",
    "LegendEntry",
    "Line",
    "Marker",
    "Polygon",
    "Rule",
    "Text",
    "legend_layout",
    "nice_max",
    "nice_ticks",
    "text_width",
    "to_png",
    "to_svg",
]


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
    items: list[Item] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    note: str = ""  # a line of small print under the chart
    width: int = 520
    height: int = 300
    frame: bool = True  # False for diagrams (network, flows): no axes, no grid
    margin: tuple[int, int, int, int] = (34, 16, 46, 62)  # top, right, bottom, left (pixels)
    xpad: int = 0  # a strip this many pixels high between the frame and the x tick labels (event markers)

    # pixel geometry shared by both renderers
    @property
    def legend_rows(self) -> int:
        return len({round(y) for _, y, _ in legend_layout(self.legend, self.width, 0.0)}) if self.legend else 0

    def box(self) -> tuple[float, float, float, float]:
        """Plot area as (left, top, width, height) in pixels."""
        top, right, bottom, left = self.margin
        bottom += self.xpad + 16 * self.legend_rows + (14 if self.note else 0)
        return left, top, self.width - left - right, self.height - top - bottom

    def px(self, x: float, y: float) -> tuple[float, float]:
        """Pixel position of a data point (see :meth:`transform` for many points)."""
        return self.transform()(x, y)

    def transform(self) -> Transform:
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

    def plot_frame(self) -> Frame:
        """The plot area's geometry for the items' ``svg`` methods."""
        left, top, w, h = self.box()
        return Frame(left, top, w, h, self.xlim, self.ylim, self.transform())


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


# ---- SVG -------------------------------------------------------------------------------------


def _svg_axes(chart: Chart, frame: Frame) -> list[str]:
    """Grid lines, tick labels and axis labels of a framed chart."""
    left, top, w, h, px = frame.left, frame.top, frame.width, frame.height, frame.px
    out = []
    for value, label in chart.yticks:
        _, y = px(chart.xlim[0], value)
        out.append(hline(left, left + w, y, "#e3e3e3") + ' stroke-width="1"/>')
        out.append(svg_text(left - 6, y, label, size=10.5, color="#333333", anchor="end"))
    for value, label in chart.xticks:
        x, _ = px(value, chart.ylim[0])
        out.append(vline(x, top, top + h, "#eeeeee") + ' stroke-width="1"/>')
        below = top + h + 5 + chart.xpad
        out.append(svg_text(x, below, label, size=10.5, color="#333333", anchor="middle", valign="top"))
    if chart.xlabel:
        out.append(
            svg_text(
                left + w / 2,
                top + h + 24 + chart.xpad,
                chart.xlabel,
                size=11,
                color="#222222",
                anchor="middle",
                valign="top",
            )
        )
    if chart.ylabel:
        out.append(svg_text(14, top + h / 2, chart.ylabel, size=11, color="#222222", anchor="middle", rotate=-90))
    return out


def to_svg(chart: Chart, element_id: str = "") -> str:
    """The chart as an SVG string scaled to the width of its container."""
    W, H = chart.width, chart.height
    frame = chart.plot_frame()
    left, top, w, h = frame.left, frame.top, frame.width, frame.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%"'
        f' preserveAspectRatio="xMidYMid meet" role="img" aria-label="{escape(chart.title)}" {FONT}'
        + (f' id="{element_id}"' if element_id else "")
        + ' style="display:block;max-width:100%;height:auto">'
    ]
    out.append(f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>')
    out.append(svg_text(left, 14, chart.title, size=13, bold=True, valign="middle"))
    clip_id = f"clip{abs(hash((chart.title if chart.frame else 'diagram', W, H))) % 10**8}"
    area = f'x="{num(left)}" y="{num(top)}" width="{num(w)}" height="{num(h)}"'
    out.append(f'<defs><clipPath id="{clip_id}"><rect {area}/></clipPath></defs>')
    if chart.frame:
        out.extend(_svg_axes(chart, frame))
    parts = [item.svg(frame) for item in chart.items]
    body = "".join(part for part, _ in parts)
    out.append(f'<g clip-path="url(#{clip_id})">' + body + "</g>" if chart.frame else body)
    out.extend(label for _, label in parts)
    if chart.frame:
        out.append(f'<rect {area} fill="none" stroke="#666666" stroke-width="1"/>')
    for x, y, entry in _legend_positions(chart):
        out.extend(entry.svg(x, y))
    if chart.note:
        out.append(svg_text(8, H - 9, chart.note, size=10, color="#444444"))
    out.append("</svg>")
    return "".join(out)


# ---- PNG (matplotlib) ----------------------------------------------------------------------


def _png_canvas(chart: Chart, dpi: int) -> Canvas:
    """A matplotlib figure with the chart's axes, ticks, labels and title, ready for the items."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    W, H = chart.width, chart.height
    fig = Figure(figsize=(W / 100, H / 100), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    left, top, w, h = chart.box()
    ax = fig.add_axes((left / W, 1 - (top + h) / H, w / W, h / H))
    canvas = Canvas(chart, fig, ax, h)
    scale = canvas.scale
    ax.set_xlim(*chart.xlim)
    ax.set_ylim(*chart.ylim)
    font = 11 * scale
    if chart.frame:
        ax.set_xticks([v for v, _ in chart.xticks], [t for _, t in chart.xticks], fontsize=10.5 * scale)
        ax.set_yticks([v for v, _ in chart.yticks], [t for _, t in chart.yticks], fontsize=10.5 * scale)
        ax.grid(True, color="#e3e3e3", linewidth=0.7)
        ax.set_axisbelow(True)
        # the x label where the SVG has it, so the legend below never runs into it
        ax.tick_params(axis="x", pad=3.5 + chart.xpad * scale)
        below = 1 - (top + h + 24 + chart.xpad) / H
        fig.text((left + w / 2) / W, below, chart.xlabel, fontsize=font, ha="center", va="top")
        ax.set_ylabel(chart.ylabel, fontsize=font)
        for spine in ax.spines.values():
            spine.set_color("#666666")
    else:
        ax.set_axis_off()
    fig.text(left / W, 1 - 14 / H, chart.title, fontsize=13 * scale, fontweight="bold", va="center")
    return canvas


def to_png(chart: Chart, dpi: int = 150) -> bytes:
    """The chart as PNG bytes (drawn with matplotlib at ``dpi``)."""
    canvas = _png_canvas(chart, dpi)
    for item in chart.items:
        item.draw(canvas)
    for x, y, entry in _legend_positions(chart):
        entry.draw(canvas, x, y)
    if chart.note:
        canvas.fig.text(
            8 / chart.width, 9 / chart.height, chart.note, fontsize=10 * canvas.scale, color="#444444", va="center"
        )
    buffer = io.BytesIO()
    canvas.fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
