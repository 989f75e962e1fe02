"""The "Why it moved" tab: Malaysia's alignment and its share of non-China magnets, taken apart.

Two stacked charts, each with the line it explains on top and parts that add up to it month by
month (the arithmetic is :mod:`magnetdiplomacy.attribution`):

* alignment: how far each source has moved it since the run began (the model's attribution: a tie
  between two named parties, Malaysia's trade, its concessions; small sources folded into "other");
* share of non-China magnet output: Malaysian capacity, its utilisation and the rest of the
  non-China industry (a Shapley split of each month's change).

Where the seed ensemble has arrived (:mod:`.ensemble`), the 5-95% band of the line over other seeds
is drawn as two dotted lines. The view is a live element, redrawn in place after every step.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

import numpy as np
import solara

from ..attribution import OTHER, cumulative_by_source, diverging_stack, keep_largest, share_decomposition
from ..charts.figure import Area, Chart, LegendEntry, Line, Rule, nice_ticks, to_svg
from ..charts.palette import BLACK, BLUE, GREEN, GREY, ORANGE, PURPLE, SKY_BLUE, VERMILLION, YELLOW
from .charts import intervention_rules, year_ticks
from .ensemble import bands_seeds
from .panels import headline_html
from .session import Session
from .state import AppState, use_live

WIDTH, HEIGHT = 520, 380
KEEP = 7  # sources shown apart in the alignment chart; the rest are "other"
LAYER_COLORS = (ORANGE, SKY_BLUE, GREEN, PURPLE, YELLOW, BLUE, VERMILLION, "#8C6D31")
BAND_COLOR = "#555555"

TIE_NAMES = {"mou": "MoU", "supply": "supply deal", "technology": "technology tie", "investment": "investment"}
PARTY_NAMES = {
    "United States": "US",
    "China Rare Earth Group": "China Rare Earth",
    "Kelantan MB Inc": "Kelantan",
    "Khazanah Nasional": "Khazanah",
    "Perak state": "Perak",
}
SOURCE_NAMES = {
    "trade": "trade (rare-earth sales, general trade)",
    "concessions": "concessions (statements, votes, visits)",
    OTHER: "other ties",
}
SHARE_LAYERS = {
    "capacity": ("Malaysian capacity", GREEN),
    "utilisation": ("utilisation of it", SKY_BLUE),
    "rest": ("rest of non-China industry", ORANGE),
}

ALIGNMENT_CAPTION = (
    "Each layer is how far one source has moved Malaysia's alignment since the run began: a tie "
    "between the two parties named (a government MoU, a supply deal, a technology tie or an investment), "
    "Malaysia's trade (its rare-earth sales and general trade by bloc) or its concessions (statements, "
    "votes and visits). Layers above zero pulled towards the US, below zero towards China; together "
    "they add up to the black line. Smaller ties are added together as “other ties”."
)
SHARE_CAPTION = (
    "Malaysia's share of non-China magnet output, taken apart. <b>Malaysian capacity</b>: magnet plants "
    "in Malaysia opening, expanding or closing. <b>Utilisation</b>: how much of that capacity makes "
    "magnets (feed, orders, tariffs, buyers). <b>Rest of non-China industry</b>: magnet output outside "
    "China and Malaysia growing (below zero) or shrinking (above zero). Each month's change is shared "
    "among the three (a Shapley split), so the layers add up to the line; before Malaysia's first "
    "magnets there is nothing to take apart."
)


def source_label(source: str) -> str:
    """Plain words for an attribution source: ``mou: Malaysia - United States`` -> ``US–Malaysia MoU``."""
    if source in SOURCE_NAMES:
        return SOURCE_NAMES[source]
    kind, _, pair = source.partition(": ")
    parties = [PARTY_NAMES.get(name.strip(), name.strip()) for name in pair.split(" - ")]
    if "Malaysia" in parties:  # Malaysia's own ties: the partner first
        parties = [p for p in parties if p != "Malaysia"] + ["Malaysia"]
    return f"{'–'.join(parties)} {TIE_NAMES.get(kind, kind)}".strip()


def alignment_parts(session: Session, keep: int = KEEP) -> dict[str, np.ndarray]:
    """Each source's running contribution to alignment over the months simulated (plain labels;
    the smaller sources folded into "other ties"); they sum to the alignment of each month."""
    raw = cumulative_by_source(session.model.alignment_attribution, session.tick)
    return {source_label(source): values for source, values in keep_largest(raw, keep).items()}


def share_parts(session: Session) -> dict[str, np.ndarray]:
    """Running parts of Malaysia's share of non-China magnet output (capacity, utilisation, rest)
    and the ``share``, over the months simulated."""
    share = np.asarray(session.series("malaysia_magnet_share_nonchina"), dtype=float)
    nonchina = np.asarray(session.series("nonchina_magnet_t"), dtype=float)
    return share_decomposition(session.series("malaysia_magnet_capacity_t"), share * nonchina, nonchina)


def _frame(session: Session, title: str, ylabel: str, values: list[np.ndarray], percent: bool) -> Chart:
    """A time chart whose y range holds ``values`` (and zero), with round ticks."""
    flat = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values] + [np.zeros(1)])
    lo, hi = float(np.min(flat)), float(np.max(flat))
    hi = max(hi, lo + (0.05 if percent else 0.2))  # a readable scale before anything moved
    pad = (hi - lo) * 0.06
    ticks = nice_ticks(lo - pad, hi + pad, 6)
    scale = 100.0 if percent else 1.0
    labels = [(v, f"{round(v * scale, 6):+g}" if abs(v) > 1e-12 else "0") for v in ticks]
    return Chart(
        title=title,
        xlim=session.x_range,
        ylim=(lo - pad, hi + pad),
        xlabel="year",
        ylabel=ylabel,
        xticks=year_ticks(session),
        yticks=labels,
        width=WIDTH,
        height=HEIGHT,
    )


def _band(session: Session, column: str) -> tuple[Any, Any, int]:
    """The seed band of ``column`` (years, p05 and p95 as lists; empty without one) and its seeds."""
    frame = session.bands.get(column)
    if frame is None or frame.empty:
        return [], [], 0
    return frame["year"].tolist(), (frame["p05"].tolist(), frame["p95"].tolist()), bands_seeds(session)


def _stacked_chart(
    session: Session, chart: Chart, layers: list[tuple[str, np.ndarray, str]], line: tuple[str, Any], column: str
) -> Chart:
    """Draw ``layers`` stacked away from zero, the band of ``column`` and ``line`` on top."""
    xs = session.years()
    edges = diverging_stack([values for _, values, _ in layers])
    for (label, _, color), (lo, hi) in zip(layers, edges, strict=True):
        chart.items.append(Area(xs, lo.tolist(), hi.tolist(), color, alpha=0.8, label=label))
    chart.items.append(Rule(y=0.0, color=BLACK, width=1.0))
    intervention_rules(session, chart)
    years, band, seeds = _band(session, column)
    legend = [LegendEntry(label, color, kind="patch") for label, _, color in layers]
    legend.append(LegendEntry(line[0], BLACK))
    if seeds:
        for edge in band:
            chart.items.append(Line(years, edge, BAND_COLOR, width=1.2, dash="dot"))
        legend.append(LegendEntry(f"5–95% of {seeds} other seeds", BAND_COLOR, dash="dot"))
    chart.items.append(Line(xs, line[1], BLACK, width=2.4, label=line[0]))
    chart.legend = legend
    return chart


def alignment_why_chart(session: Session, parts: dict[str, np.ndarray] | None = None) -> Chart:
    """Malaysia's alignment with the running contribution of each source stacked under it."""
    parts = alignment_parts(session) if parts is None else parts
    layers = [
        (label, values, GREY if label == SOURCE_NAMES[OTHER] else LAYER_COLORS[k % len(LAYER_COLORS)])
        for k, (label, values) in enumerate(parts.items())
    ]
    title = "Why Malaysia's alignment moved"
    return _why_chart(
        session, layers, "malaysia_alignment", "alignment", title, "contribution to alignment (+ US, − China)", False
    )


def share_why_chart(session: Session, parts: dict[str, np.ndarray] | None = None) -> Chart:
    """Malaysia's share of non-China magnet output with its three parts stacked under it."""
    parts = share_parts(session) if parts is None else parts
    layers = [(label, parts[key], color) for key, (label, color) in SHARE_LAYERS.items()]
    title = "Why Malaysia's share of non-China magnets moved"
    ylabel = "percentage points of non-China output"
    return _why_chart(
        session, layers, "malaysia_magnet_share_nonchina", "share of non-China magnets", title, ylabel, True
    )


def _why_chart(
    session: Session, layers: list, column: str, line_label: str, title: str, ylabel: str, percent: bool
) -> Chart:
    """The stacked ``layers`` (label, values, colour) under the line of ``column`` and its seed band."""
    edges = diverging_stack([values for _, values, _ in layers])
    line = session.series(column)
    _, band, _ = _band(session, column)
    values = [e for pair in edges for e in pair] + [np.asarray(line)] + [np.asarray(b) for b in band]
    chart = _frame(session, title, ylabel, values, percent=percent)
    return _stacked_chart(session, chart, layers, (line_label, line), column)


def _card(session: Session, key: str, chart: Chart, parts: dict[str, np.ndarray], line: list, caption: str) -> str:
    """One chart in a card with its caption; the latest parts, line and their gap as data."""
    latest = {label: round(float(values[-1]), 6) for label, values in parts.items() if len(values)}
    total = np.sum(list(parts.values()), axis=0) if parts else np.zeros(0)
    gap = float(np.max(np.abs(total - np.asarray(line, dtype=float)))) if len(line) and len(total) else 0.0
    data = {"parts": latest, "line": round(float(line[-1]), 6) if len(line) else None, "gap": gap}
    return (
        f"<div class='md-card md-chart md-why'><div class='md-chart-inner' data-chart='{key}' "
        f"data-tick='{session.tick}' data-band-seeds='{bands_seeds(session)}' "
        f"data-values='{escape(json.dumps(data), quote=True)}'>{to_svg(chart)}</div>"
        f"<div class='md-help md-why-caption'>{caption}</div></div>"
    )


def why_html(session: Session) -> str:
    """Both charts of the view, side by side, with their captions."""
    alignment = alignment_parts(session)
    share = share_parts(session)
    cards = [
        _card(
            session,
            "why-alignment",
            alignment_why_chart(session, alignment),
            alignment,
            session.series("malaysia_alignment"),
            escape(ALIGNMENT_CAPTION),
        ),
        _card(
            session,
            "why-share",
            share_why_chart(session, share),
            {SHARE_LAYERS[key][0]: share[key] for key in SHARE_LAYERS},
            session.series("malaysia_magnet_share_nonchina"),
            SHARE_CAPTION,
        ),
    ]
    return f"<div class='md-grid'>{''.join(cards)}</div>"


@solara.component
def WhyView(state: AppState):
    """The headline and both explanations as one live view."""
    _ = state.version.value  # re-render when the run changes
    session = state.session
    cache: dict[str, Any] = solara.use_memo(dict, [])

    def content() -> str:
        stamp = (session.generation, session.tick, len(session.events()), bands_seeds(session))
        if cache.get("stamp") != stamp:
            cache["html"] = why_html(session)
            cache["stamp"] = stamp
        return headline_html(session) + cache["html"]

    use_live(state, "view:why", content, ["md-view"])
