"""SVG fragments the chart items are written with: numbers, text, point lists, markers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from html import escape

FONT = "font-family=\"Roboto, 'Helvetica Neue', Arial, sans-serif\""
DASHES = {"dash": "7 4", "dot": "2 3", "dashdot": "8 3 2 3"}
BASELINES = {"top": "hanging", "middle": "central", "bottom": "alphabetic"}

Transform = Callable[[float, float], tuple[float, float]]


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros (``0`` when not finite)."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 11.0,
    color: str = "#000000",
    anchor: str = "start",
    valign: str = "middle",
    bold: bool = False,
    rotate: float | None = None,
    halo: bool = False,
) -> str:
    """A ``<text>`` element at pixel position (x, y)."""
    extra = f' transform="rotate({rotate} {num(x)} {num(y)})"' if rotate else ""
    if halo:
        extra += ' stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{size:g}" fill="{color}" text-anchor="{anchor}"'
        f' dominant-baseline="{BASELINES[valign]}"{weight}{extra}>{escape(content, quote=False)}</text>'
    )


def points(px: Transform, xs: Iterable[float], ys: Iterable[float]) -> str:
    """SVG point list for data coordinates, rounded to 0.1 pixel."""
    out = []
    for x, y in zip(xs, ys, strict=False):
        a, b = px(x, y)
        out.append(f"{a:.1f},{b:.1f}")
    return " ".join(out)


def dash(style: str | None) -> str:
    """The ``stroke-dasharray`` attribute of a line style (empty for a solid line)."""
    return f' stroke-dasharray="{DASHES[style]}"' if style else ""


def title(tooltip: str | None) -> str:
    """A ``<title>`` child (the browser's tooltip), or nothing."""
    return f"<title>{escape(tooltip)}</title>" if tooltip else ""


def hline(left: float, right: float, y: float, stroke: str) -> str:
    """The opening of a horizontal ``<line>`` (the caller adds the end and any children)."""
    return f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(y)}" y2="{num(y)}" stroke="{stroke}"'


def vline(x: float, top: float, bottom: float, stroke: str) -> str:
    """The opening of a vertical ``<line>`` (the caller adds the end and any children)."""
    return f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(top)}" y2="{num(bottom)}" stroke="{stroke}"'


def marker(cx: float, cy: float, shape: str, size: float, color: str, edge: str, tooltip: str | None = None) -> str:
    """A circle, square, triangle or diamond ``size`` pixels across, centred on (cx, cy)."""
    r = size / 2
    paint = f'fill="{color}" stroke="{edge}" stroke-width="1.5">{title(tooltip)}'
    if shape == "square":
        box = f'x="{num(cx - r)}" y="{num(cy - r)}" width="{num(size)}" height="{num(size)}"'
        return f"<rect {box} {paint}</rect>"
    if shape == "triangle":
        pts = f"{num(cx)},{num(cy - r)} {num(cx + r)},{num(cy + r * 0.8)} {num(cx - r)},{num(cy + r * 0.8)}"
        return f'<polygon points="{pts}" {paint}</polygon>'
    if shape == "diamond":
        d = r * 1.2
        pts = f"{num(cx)},{num(cy - d)} {num(cx + d)},{num(cy)} {num(cx)},{num(cy + d)} {num(cx - d)},{num(cy)}"
        return f'<polygon points="{pts}" {paint}</polygon>'
    return f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" {paint}</circle>'
