"""Main-area components: headline (status line and indicator tiles), charts and the event log.

Each tab of the main area is one *live view*: the headline and that tab's charts (or the event
log) drawn as a single HTML element, redrawn in place after every step. One element per tab means
one message to the browser per step and one repaint, which keeps a step cheap for the server and
the browser alike. The controls that belong to charts (PNG downloads, the production stage) are
ordinary components under the view.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

import solara

from ..charts.figure import Chart, Line, to_png, to_svg
from . import charts, flows, network
from .indicators import headline, status_line
from .session import STAGES, Session, short_month
from .state import AppState, use_live

# key -> (file name stem, builder)
CHARTS: dict[str, Callable[..., Chart]] = {
    "alignment": charts.alignment_chart,
    "shares": charts.shares_chart,
    "prices": charts.prices_chart,
    "production": charts.production_chart,
    "network": network.network_chart,
    "flows": flows.flows_chart,
}


def chart_data(chart: Chart) -> str:
    """Latest value of each labelled line, as JSON (kept on the chart's element for tests and tools)."""
    out = {}
    for item in chart.items:
        if isinstance(item, Line) and item.label and len(item.ys):
            out[item.label] = round(float(item.ys[-1]), 6)
    return json.dumps(out)


def headline_html(session: Session) -> str:
    """Status line and indicator tiles."""
    queued = session.queued
    extra = f" · queued for next month: {', '.join(queued)}" if queued else ""
    tiles = []
    for item in headline(session):
        tiles.append(
            f"<div class='md-tile md-{item.status}' data-key='{item.key}' title='{escape(item.tooltip, quote=True)}'>"
            f"<div class='md-tile-label'>{escape(item.label)}</div><div "
            f"class='md-tile-value'>{escape(item.value)}</div>"
            f"<div class='md-tile-detail'>{escape(item.detail)}</div></div>"
        )
    month = session.month_label if session.tick else ""
    return (
        f"<div class='md-status' data-tick='{session.tick}' data-month='{month}'><span "
        f"class='md-status-main'>{escape(status_line(session))}</span>"
        f"<span class='md-queued'>{escape(extra)}</span></div><div class='md-tiles'>{''.join(tiles)}</div>"
    )


def chart_html(session: Session, key: str, option: str | None = None, chart: Chart | None = None) -> str:
    """A chart as SVG, wrapped with its month and latest values as data attributes."""
    if chart is None:
        chart = CHARTS[key](session, option) if option else CHARTS[key](session)
    return (
        f"<div class='md-chart-inner' data-chart='{key}' data-tick='{session.tick}' "
        f"data-values='{escape(chart_data(chart), quote=True)}'>{to_svg(chart)}</div>"
    )


def grid_html(
    session: Session, keys: list[str], options: dict[str, str] | None = None, charts: dict | None = None
) -> str:
    """The charts side by side, each in a card."""
    options = options or {}
    built = charts or {
        key: (CHARTS[key](session, options[key]) if options.get(key) else CHARTS[key](session)) for key in keys
    }
    cards = "".join(f"<div class='md-card md-chart'>{chart_html(session, key, chart=built[key])}</div>" for key in keys)
    return f"<div class='md-grid'>{cards}</div>"


def png_of(session: Session, key: str, option: str | None = None) -> Callable[[], bytes]:
    def render() -> bytes:
        with session.lock:
            chart = CHARTS[key](session, option) if option else CHARTS[key](session)
        return to_png(chart)

    return render


STAGE_BY_LABEL = {label: stage for stage, (label, _) in STAGES.items()}
CHART_LABELS = {
    "alignment": "alignment",
    "shares": "market shares",
    "prices": "prices",
    "production": "production",
    "network": "network",
    "flows": "material flows",
}


@solara.component
def PngButton(session: Session, key: str, option: str | None = None):
    download = solara.use_memo(lambda: png_of(session, key, option), [session, key, option])
    solara.FileDownload(
        download,
        filename=f"{key}.png",
        mime_type="image/png",
        children=[
            solara.Button(
                f"PNG: {CHART_LABELS[key]}", icon_name="mdi-download", text=True, small=True, classes=[f"md-png-{key}"]
            )
        ],
    )


@solara.component
def ChartGrid(state: AppState, keys: list[str]):
    """The headline and the given charts as one live view, with their PNG buttons underneath."""
    _ = state.version.value  # re-render when the run changes
    stage_label = solara.use_reactive(STAGES["magnet"][0])
    session = state.session
    options = {"production": STAGE_BY_LABEL[stage_label.value]} if "production" in keys else {}
    cache: dict[str, Any] = solara.use_memo(dict, [])
    name = ",".join(keys)

    def charts_now() -> dict:
        stamp = (session.generation, session.tick, len(session.events()), tuple(sorted(options.items())))
        if cache.get("stamp") != stamp:
            cache["charts"] = {
                key: (CHARTS[key](session, options[key]) if options.get(key) else CHARTS[key](session)) for key in keys
            }
            cache["stamp"] = stamp
        return cache["charts"]

    use_live(
        state,
        f"view:{name}",
        lambda: headline_html(session) + grid_html(session, keys, options, charts_now()),
        ["md-view"],
    )
    with solara.Row(justify="end", gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}):
        if "production" in keys:
            solara.Text("Production stage:", classes=["md-help"])
            solara.ToggleButtonsSingle(
                value=stage_label, values=[label for label, _ in STAGES.values()], dense=True, classes=["md-stage"]
            )
        for key in keys:
            PngButton(session, key, options.get(key))


@solara.component
def HeadlineView(state: AppState, key: str):
    """The headline alone, live (for tabs without charts)."""
    _ = state.version.value  # re-render when the run changes
    use_live(state, f"headline:{key}", lambda: headline_html(state.session), ["md-view"])


SOURCE_NAMES = {"user": "you", "agent": "agent decision"}


def source_name(source: str) -> str:
    if source.startswith("events.csv"):
        return "history " + source.split(":", 1)[1]
    if source.startswith("scenario:"):
        return "scenario"
    if source.startswith("parameter:"):
        return "scenario setting"
    return SOURCE_NAMES.get(source, source)


def event_rows(session: Session, only_interventions: bool = False, limit: int = 300) -> str:
    rows = []
    numbers = {(e["tick"], e["description"]): e["number"] for e in session.interventions()}
    events = session.events()
    for event in reversed(events):
        source = str(event.get("source", ""))
        number = numbers.get((event["tick"], event["description"]))
        if only_interventions and number is None:
            continue
        mark = f"<span class='md-num'>{number}</span> " if number else ""
        css = " class='md-user'" if source == "user" else ""
        rows.append(
            f"<tr{css}><td>{escape(short_month(session.model.label_of(int(event['tick']))))}</td><td>"
            f"{escape(str(event['actor']))}</td><td>{escape(str(event['target']))}</td><td>"
            f"{mark}{escape(str(event['description']))}</td><td>{escape(source_name(source))}</td></tr>"
        )
        if len(rows) >= limit:
            break
    return "".join(rows)


def log_html(session: Session, only_interventions: bool) -> str:
    body = (
        event_rows(session, only_interventions)
        or "<tr><td colspan='5'>Nothing has happened yet: press Step or Play.</td></tr>"
    )
    return (
        f"<table class='md-log' data-count='{len(session.events())}'><thead><tr><th>Month</th><th>Who</th><th>"
        f"Towards</th><th>What happened</th><th>By</th></tr></thead><tbody>{body}</tbody></table>"
    )


@solara.component
def EventLog(state: AppState):
    _ = state.version.value  # re-render when the run changes
    only = solara.use_reactive(False)
    use_live(
        state,
        "view:log",
        lambda: headline_html(state.session) + f"<div class='md-log-wrap'>{log_html(state.session, only.value)}</div>",
        ["md-view"],
    )
    solara.Switch(label="Only interventions (yours and the scenario's)", value=only)
