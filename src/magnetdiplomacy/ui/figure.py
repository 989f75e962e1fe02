"""The chart description now lives in :mod:`magnetdiplomacy.charts.figure`; these names stay importable here."""

from __future__ import annotations

from ..charts.figure import (
    Area,
    Chart,
    Curve,
    Item,
    LegendEntry,
    Line,
    Marker,
    Polygon,
    Rule,
    Text,
    nice_max,
    nice_ticks,
    to_png,
    to_svg,
)

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
    "nice_max",
    "nice_ticks",
    "to_png",
    "to_svg",
]
