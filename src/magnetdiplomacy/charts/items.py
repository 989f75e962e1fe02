"""What a chart draws: lines, areas, rules, text, polygons, curves, markers and legend entries.

Each item writes itself both ways: ``svg`` returns SVG fragments for the page (given the plot
area's pixel geometry, a :class:`Frame`) and ``draw`` draws it with matplotlib on a
:class:`Canvas` for the PNG downloads. Coordinates are data coordinates unless said otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .svg import Transform, dash, hline, marker, num, points, vline
from .svg import text as svg_text
from .svg import title as svg_title

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .figure import Chart

DASHES_MPL: dict[str | None, Any] = {
    None: "-",
    "dash": (0, (5, 3)),
    "dot": (0, (1.5, 2)),
    "dashdot": (0, (6, 2, 1.5, 2)),
}
MARKERS_MPL = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^"}
HA_MPL = {"start": "left", "middle": "center", "end": "right"}
VA_MPL = {"top": "top", "middle": "center", "bottom": "bottom"}


@dataclass(frozen=True)
class Frame:
    """Pixel geometry of a chart's plot area, as the items' ``svg`` methods need it."""

    left: float
    top: float
    width: float
    height: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    px: Transform  # data coordinates to pixels


@dataclass
class Canvas:
    """A matplotlib figure being drawn, as the items' ``draw`` methods need it."""

    chart: Chart
    fig: Figure
    ax: Axes
    box_height: float  # height of the plot area in chart pixels
    scale: float = 0.72  # one chart pixel in points (the figure is width/100 inches wide)

    def data_dy(self, pixels: float) -> float:
        """A vertical distance in chart pixels as a distance in data units."""
        return pixels / self.box_height * (self.chart.ylim[1] - self.chart.ylim[0])

    def display(self, point: tuple[float, float]) -> Any:
        """Chart pixel (origin top-left) to matplotlib display coordinates."""
        x, y = point
        return self.fig.transFigure.transform((x / self.chart.width, 1 - y / self.chart.height))


class Item:
    """Something drawn inside a chart's frame."""

    def svg(self, frame: Frame) -> tuple[str, str]:
        """SVG for the body (clipped to the frame) and for the labels drawn on top ("" for none)."""
        raise NotImplementedError

    def draw(self, canvas: Canvas) -> None:
        """Draw the item on a matplotlib canvas."""
        raise NotImplementedError


@dataclass
class Line(Item):
    xs: Sequence[float]
    ys: Sequence[float]
    color: str
    width: float = 2.0
    dash: str | None = None  # "dash", "dot", "dashdot" or None
    label: str | None = None

    def svg(self, frame: Frame) -> tuple[str, str]:
        if len(self.xs) == 0:
            return "", ""
        pts = points(frame.px, self.xs, self.ys)
        stroke = f'stroke="{self.color}" stroke-width="{self.width:g}" stroke-linejoin="round"{dash(self.dash)}'
        return f'<polyline points="{pts}" fill="none" {stroke}/>', ""

    def draw(self, canvas: Canvas) -> None:
        canvas.ax.plot(
            list(self.xs),
            list(self.ys),
            color=self.color,
            linewidth=self.width * canvas.scale,
            linestyle=DASHES_MPL[self.dash],
        )


@dataclass
class Area(Item):
    """The region between two curves (a shaded band or one layer of a stacked area)."""

    xs: Sequence[float]
    lo: Sequence[float]
    hi: Sequence[float]
    color: str
    alpha: float = 0.85
    label: str | None = None

    def svg(self, frame: Frame) -> tuple[str, str]:
        if len(self.xs) == 0:
            return "", ""
        upper = points(frame.px, self.xs, self.hi)
        lower = points(frame.px, list(reversed(self.xs)), list(reversed(self.lo)))
        fill = f'fill="{self.color}" fill-opacity="{self.alpha:g}"'
        return f'<polygon points="{upper} {lower}" {fill} stroke="none"/>', ""

    def draw(self, canvas: Canvas) -> None:
        canvas.ax.fill_between(
            list(self.xs), list(self.lo), list(self.hi), color=self.color, alpha=self.alpha, linewidth=0
        )


@dataclass
class Rule(Item):
    """A horizontal (``y`` given) or vertical (``x`` given) line across the frame."""

    x: float | None = None
    y: float | None = None
    color: str = "#000000"
    width: float = 1.0
    dash: str | None = None
    label: str | None = None  # written at the line's end (top for vertical, right for horizontal)
    tooltip: str | None = None

    def svg(self, frame: Frame) -> tuple[str, str]:
        right, bottom = frame.left + frame.width, frame.top + frame.height
        end = f' stroke-width="{self.width:g}"{dash(self.dash)}>{svg_title(self.tooltip)}</line>'
        if self.y is not None:
            _, y = frame.px(frame.xlim[0], self.y)
            body = hline(frame.left, right, y, self.color) + end
            if not self.label:
                return body, ""
            return body, svg_text(
                right - 4, y - 3, self.label, size=10, color=self.color, anchor="end", valign="bottom"
            )
        if self.x is not None:
            x, _ = frame.px(self.x, frame.ylim[0])
            body = vline(x, frame.top, bottom, self.color) + end
            if not self.label:
                return body, ""
            badge = (
                f'<rect x="{num(x - 8)}" y="{num(frame.top + 1)}" width="16" height="14" rx="3" fill="{self.color}"/>'
            )
            label = svg_text(x, frame.top + 8, self.label, size=9.5, color="#ffffff", anchor="middle", bold=True)
            return body, f"<g>{svg_title(self.tooltip)}{badge}{label}</g>"
        return "", ""

    def draw(self, canvas: Canvas) -> None:
        ax, chart, scale = canvas.ax, canvas.chart, canvas.scale
        style = {"color": self.color, "linewidth": self.width * scale, "linestyle": DASHES_MPL[self.dash]}
        if self.y is not None:
            ax.axhline(self.y, **style)
            if self.label:
                y = self.y + canvas.data_dy(3)
                ax.text(
                    chart.xlim[1], y, self.label + " ", color=self.color, fontsize=10 * scale, ha="right", va="bottom"
                )
        elif self.x is not None:
            ax.axvline(self.x, **style)
            if self.label:
                badge = {"boxstyle": "round,pad=0.2", "fc": self.color, "ec": "none"}
                y = chart.ylim[1] - canvas.data_dy(8)
                ax.text(
                    self.x,
                    y,
                    self.label,
                    color="white",
                    fontsize=9.5 * scale,
                    ha="center",
                    va="center",
                    fontweight="bold",
                    bbox=badge,
                )


@dataclass
class Text(Item):
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

    def svg(self, frame: Frame) -> tuple[str, str]:
        x, y = frame.px(self.x, self.y)
        return "", svg_text(
            x + self.dx,
            y + self.dy,
            self.text,
            size=self.size,
            color=self.color,
            anchor=self.anchor,
            valign=self.valign,
            bold=self.bold,
            halo=self.halo,
        )

    def draw(self, canvas: Canvas) -> None:
        scale = canvas.scale
        text = canvas.ax.annotate(
            self.text,
            (self.x, self.y),
            xytext=(self.dx * scale, -self.dy * scale),
            textcoords="offset points",
            color=self.color,
            fontsize=self.size * scale,
            ha=HA_MPL[self.anchor],
            va=VA_MPL[self.valign],
            fontweight="bold" if self.bold else "normal",
            annotation_clip=False,
            zorder=6,
        )
        if self.halo:
            from matplotlib import patheffects

            text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])


@dataclass
class Polygon(Item):
    points: Sequence[tuple[float, float]]
    color: str
    alpha: float = 0.5
    edge: str | None = None
    tooltip: str | None = None

    def svg(self, frame: Frame) -> tuple[str, str]:
        pts = points(frame.px, [p[0] for p in self.points], [p[1] for p in self.points])
        stroke = f' stroke="{self.edge}" stroke-width="0.8"' if self.edge else ' stroke="none"'
        fill = f'fill="{self.color}" fill-opacity="{self.alpha:g}"'
        return f'<polygon points="{pts}" {fill}{stroke}>{svg_title(self.tooltip)}</polygon>', ""

    def draw(self, canvas: Canvas) -> None:
        from matplotlib.patches import Polygon as MplPolygon

        patch = MplPolygon(
            list(self.points),
            closed=True,
            facecolor=self.color,
            alpha=self.alpha,
            edgecolor=self.edge or "none",
            linewidth=0.6,
        )
        canvas.ax.add_patch(patch)


@dataclass
class Curve(Item):
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

    def control(self, px: Transform) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """Start, control point and end of the quadratic Bézier curve, in pixels."""
        a = px(self.x0, self.y0)
        b = px(self.x1, self.y1)
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1.0
        return a, (mx - dy / length * self.bend * 2, my + dx / length * self.bend * 2), b

    def svg(self, frame: Frame) -> tuple[str, str]:
        a, c, b = self.control(frame.px)
        path = f"M{num(a[0])},{num(a[1])} Q{num(c[0])},{num(c[1])} {num(b[0])},{num(b[1])}"
        stroke = f'stroke="{self.color}" stroke-width="{self.width:g}"{dash(self.dash)}'
        return f'<path d="{path}" fill="none" {stroke}>{svg_title(self.tooltip)}</path>', ""

    def draw(self, canvas: Canvas) -> None:
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path as MplPath

        inverse = canvas.ax.transData.inverted()
        pts = [inverse.transform(canvas.display(p)) for p in self.control(canvas.chart.transform())]
        path = MplPath(pts, [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3])
        style = {"linewidth": self.width * canvas.scale, "linestyle": DASHES_MPL[self.dash]}
        canvas.ax.add_patch(PathPatch(path, fill=False, edgecolor=self.color, **style))


@dataclass
class Marker(Item):
    """A symbol of fixed pixel size at a data point (network actors)."""

    x: float
    y: float
    color: str
    shape: str = "circle"  # circle | square | diamond
    size: float = 14.0  # pixels across
    edge: str = "#000000"
    tooltip: str | None = None

    def svg(self, frame: Frame) -> tuple[str, str]:
        cx, cy = frame.px(self.x, self.y)
        return "", marker(cx, cy, self.shape, self.size, self.color, self.edge, self.tooltip)

    def draw(self, canvas: Canvas) -> None:
        canvas.ax.scatter(
            [self.x],
            [self.y],
            s=(self.size * canvas.scale) ** 2,
            c=self.color,
            marker=MARKERS_MPL[self.shape],
            edgecolors=self.edge,
            linewidths=1.2,
            zorder=5,
        )


@dataclass
class LegendEntry:
    label: str
    color: str
    kind: str = "line"  # line | patch | circle | square | diamond | triangle
    dash: str | None = None

    def svg(self, x: float, y: float) -> list[str]:
        """The entry's key and label with the key's left end at pixel (x, y)."""
        if self.kind == "line":
            key = hline(x, x + 22, y, self.color) + f' stroke-width="2.5"{dash(self.dash)}/>'
        elif self.kind == "patch":
            key = f'<rect x="{num(x)}" y="{num(y - 5)}" width="22" height="10" fill="{self.color}"/>'
        else:
            key = marker(x + 11, y, self.kind, 10, self.color, "#000000")
        return [key, svg_text(x + 27, y, self.label, size=10.5, color="#222222")]

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        """Draw the entry on the figure with the key's left end at chart pixel (x, y)."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        fig, scale = canvas.fig, canvas.scale
        W, H = canvas.chart.width, canvas.chart.height
        fx, fy = x / W, 1 - y / H
        if self.kind == "line":
            key: Any = Line2D(
                [fx, fx + 22 / W],
                [fy, fy],
                transform=fig.transFigure,
                color=self.color,
                linewidth=2.5 * scale,
                linestyle=DASHES_MPL[self.dash],
            )
        elif self.kind == "patch":
            key = Rectangle((fx, fy - 5 / H), 22 / W, 10 / H, transform=fig.transFigure, color=self.color)
        else:
            key = Line2D(
                [fx + 11 / W],
                [fy],
                transform=fig.transFigure,
                marker=MARKERS_MPL.get(self.kind, "o"),
                markersize=10 * scale,
                color=self.color,
                markeredgecolor="#000000",
                linestyle="none",
            )
        fig.add_artist(key)
        fig.text(fx + 27 / W, fy, self.label, fontsize=10.5 * scale, va="center")
