"""What time charts draw over their lines to explain them: event markers and hover columns.

An :class:`EventMark` is a small triangle under the plot at a month; hovering it shows what
happened then. :class:`HoverColumns` are invisible
month-wide columns over the plot, each carrying that month's values as the browser's tooltip, so
hovering anywhere above a month shows every line's value there (the PNG leaves them out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .items import Canvas, Frame, Item
from .svg import marker, num
from .svg import title as svg_title

HOVER_STYLE = (
    "<style>.md-hover rect{fill:#000;fill-opacity:0}.md-hover rect:hover{fill-opacity:.08}"
    ".md-event{cursor:help}</style>"
)


@dataclass
class EventMark(Item):
    """A month when something happened: a small triangle in the strip under the plot (the chart's
    ``xpad``), pointing up at the month; hovering it shows what happened."""

    x: float
    color: str
    tooltip: str
    size: float = 9.0

    def svg(self, frame: Frame) -> tuple[str, str]:
        x, _ = frame.px(self.x, frame.ylim[0])
        middle = frame.top + frame.height + self.size / 2 + 1
        mark = marker(x, middle, "triangle", self.size, self.color, "#ffffff")
        hit = f'<rect x="{num(x - 6)}" y="{num(middle - 7)}" width="12" height="14" fill="#000" fill-opacity="0"/>'
        return "", f'<g class="md-event">{svg_title(self.tooltip)}{mark}{hit}</g>'

    def draw(self, canvas: Canvas) -> None:
        y = canvas.chart.ylim[0] - canvas.data_dy(self.size / 2 + 1)
        canvas.ax.plot(
            [self.x], [y], marker="^", markersize=self.size * canvas.scale, color=self.color, clip_on=False, zorder=6
        )


@dataclass
class HoverColumns(Item):
    """Invisible columns, one per month from ``x0`` on, ``width`` data units apart, each with its
    tooltip. The group is scaled so each column is a unit square (the page gets short elements)."""

    x0: float
    width: float
    tips: Sequence[str]

    def svg(self, frame: Frame) -> tuple[str, str]:
        if not len(self.tips):
            return "", ""
        left, _ = frame.px(self.x0 - self.width / 2, frame.ylim[0])
        right, _ = frame.px(self.x0 + self.width / 2, frame.ylim[0])
        place = f"translate({num(left)} {num(frame.top)}) scale({right - left:.4f} {num(frame.height)})"
        out = [f'<g class="md-hover" transform="{place}">{HOVER_STYLE}']
        out += [f'<rect x="{i}" width="1" height="1">{svg_title(tip)}</rect>' for i, tip in enumerate(self.tips)]
        out.append("</g>")
        return "".join(out), ""

    def draw(self, canvas: Canvas) -> None:
        """Nothing to draw in a picture: hovering needs a browser."""
