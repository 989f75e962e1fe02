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
from . import charts, flows, network, words
from .indicators import headline, status_line
from .session import STAGES, Session, short_month
from .state import AppState, use_live, use_watcher

# key -> (file name stem, builder)
CHARTS: dict[str, Callable[..., Chart]] = {
    "alignment": charts.alignment_chart,
    "shares": charts.shares_chart,
    "prices": charts.prices_chart,
    "production": charts.production_chart,
    "network": network.network_chart,
    "flows": flows.flows_chart,
}
PREVIOUS_CHARTS = ("alignment", "shares")  # charts that can show the previous run
PNG_WIDTH = 1600  # least width of a downloaded chart, in pixels


def build(session: Session, key: str, option: str | None = None, previous: bool = True) -> Chart:
    """The chart ``key`` for the session now (``option``: the production stage; ``previous``:
    whether the alignment and share charts show the previous run)."""
    if key in PREVIOUS_CHARTS:
        return CHARTS[key](session, show_previous=previous)
    return CHARTS[key](session, option) if option else CHARTS[key](session)


def png_dpi(chart: Chart, width: int = PNG_WIDTH) -> int:
    """The resolution that makes the chart's PNG at least ``width`` pixels wide."""
    return -(-width * 100 // chart.width)


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
        chart = build(session, key, option)
    return (
        f"<div class='md-chart-inner' data-chart='{key}' data-tick='{session.tick}' "
        f"data-values='{escape(chart_data(chart), quote=True)}'>{to_svg(chart)}</div>"
    )


def grid_html(
    session: Session, keys: list[str], options: dict[str, str] | None = None, charts: dict | None = None
) -> str:
    """The charts side by side, each in a card."""
    options = options or {}
    built = charts or {key: build(session, key, options.get(key)) for key in keys}
    cards = "".join(f"<div class='md-card md-chart'>{chart_html(session, key, chart=built[key])}</div>" for key in keys)
    return f"<div class='md-grid'>{cards}</div>"


def png_of(session: Session, key: str, option: str | None = None, previous: bool = True) -> Callable[[], bytes]:
    """A function making the chart's PNG, at least :data:`PNG_WIDTH` pixels wide."""

    def render() -> bytes:
        with session.lock:
            chart = build(session, key, option, previous)
        return to_png(chart, dpi=png_dpi(chart))

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
def PngButton(session: Session, key: str, option: str | None = None, previous: bool = True):
    """A button downloading the chart as PNG (at least :data:`PNG_WIDTH` pixels wide)."""
    download = solara.use_memo(lambda: png_of(session, key, option, previous), [session, key, option, previous])
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


def comparing(session: Session) -> str:
    """Which run the alignment and share charts compare with ("" for none)."""
    frame, what = charts.comparison(session)
    return what if frame is not None else ""


@solara.component
def ChartGrid(state: AppState, keys: list[str]):
    """The headline and the given charts as one live view, with their PNG buttons underneath."""
    _ = state.version.value  # re-render when the run changes
    stage_label = solara.use_reactive(STAGES["magnet"][0])
    show_previous = solara.use_reactive(True)
    session = state.session
    options = {"production": STAGE_BY_LABEL[stage_label.value]} if "production" in keys else {}
    cache: dict[str, Any] = solara.use_memo(dict, [])
    name = ",".join(keys)
    previous = show_previous.value
    compared = solara.use_reactive(comparing(session))

    def check_comparison():
        # the run without the person's interventions arrives from the ensemble between steps
        if comparing(session) != compared.value:
            compared.value = comparing(session)

    use_watcher(state, f"compare:{','.join(keys)}", check_comparison)

    def charts_now() -> dict:
        bands = (id(session.bands), getattr(session, "bands_seeds", 0), id(session.reference), len(session.fired))
        stamp = (session.generation, session.tick, len(session.events()), bands, previous, str(options))
        if cache.get("stamp") != stamp:
            cache["charts"] = {key: build(session, key, options.get(key), previous) for key in keys}
            cache["stamp"] = stamp
        return cache["charts"]

    use_live(
        state,
        f"view:{name}",
        lambda: headline_html(session) + grid_html(session, keys, options, charts_now()),
        ["md-view"],
    )
    with solara.Row(justify="end", gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}):
        if compared.value and set(keys) & set(PREVIOUS_CHARTS):
            label = "the previous run" if compared.value == "previous run" else "this run without your interventions"
            with solara.Div(classes=["md-previous"]):
                solara.Checkbox(label=f"Show {label} (dotted grey)", value=show_previous)
        if "production" in keys:
            solara.Text("Production stage:", classes=["md-help"])
            solara.ToggleButtonsSingle(
                value=stage_label, values=[label for label, _ in STAGES.values()], dense=True, classes=["md-stage"]
            )
        for key in keys:
            PngButton(session, key, options.get(key), previous)


@solara.component
def HeadlineView(state: AppState, key: str):
    """The headline alone, live (for tabs without charts)."""
    _ = state.version.value  # re-render when the run changes
    use_live(state, f"headline:{key}", lambda: headline_html(state.session), ["md-view"])


SOURCE_NAMES = {"user": "you", "agent": "a side's decision"}
# The log's "Only interventions" switch. Solara keeps a module-level reactive's value per browser
# tab (per kernel), so each tab has its own switch, and it outlives the log's content: it is still
# set when the person opens another tab of the page and comes back.
ONLY_INTERVENTIONS = solara.reactive(False)


def source_name(source: str) -> str:
    """Where an event comes from, in words: history (with its row in events.csv), you, the scenario."""
    if source.startswith("events.csv"):
        return f"history ({source.split(':', 1)[1]})" if ":" in source else "history"
    if source.startswith("scenario:"):
        return "scenario"
    if source.startswith("parameter"):
        return "scenario setting"
    return SOURCE_NAMES.get(source, source)


def log_events(session: Session) -> list[dict]:
    """The event log without repeats (one event logged twice, e.g. under two kinds, shows once)."""
    seen: set[tuple] = set()
    out = []
    for event in session.events():
        key = (event["tick"], event.get("actor"), event.get("target"), event.get("description"))
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out


def event_rows(session: Session, only_interventions: bool = False, limit: int = 300) -> str:
    """The log's table rows, latest first, in plain words; interventions carry their number."""
    rows = []
    numbers = {(e["tick"], e["description"]): e["number"] for e in session.interventions()}
    for event in reversed(log_events(session)):
        source = str(event.get("source", ""))
        number = numbers.get((event["tick"], event["description"]))
        if only_interventions and number is None:
            continue
        mark = f"<span class='md-num'>{number}</span> " if number else ""
        css = " class='md-user'" if source == "user" else ""
        cells = (
            short_month(session.model.label_of(int(event["tick"]))),
            words.name(event.get("actor")),
            words.name(event.get("target")),
        )
        rows.append(
            f"<tr{css}>{''.join(f'<td>{escape(cell)}</td>' for cell in cells)}<td>{mark}"
            f"{escape(words.plain(event['description']))}</td><td>{escape(source_name(source))}</td></tr>"
        )
        if len(rows) >= limit:
            break
    return "".join(rows)


def log_html(session: Session, only_interventions: bool) -> str:
    """The event log as a table (``data-only`` says whether it keeps to interventions)."""
    empty = (
        "No intervention yet: fire one from the side panel, or untick the switch to see every event."
        if only_interventions and session.tick
        else "Nothing has happened yet: press Step or Play."
    )
    body = event_rows(session, only_interventions) or f"<tr><td colspan='5'>{empty}</td></tr>"
    return (
        f"<table class='md-log' data-count='{len(session.events())}' data-only='{int(only_interventions)}'>"
        "<thead><tr><th>Month</th><th>Who</th><th>Towards</th><th>What happened</th><th>By</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


@solara.component
def EventLog(state: AppState):
    """The event log, latest first, as a live view; the switch keeps to interventions (at once, and
    still set when the person comes back from another tab)."""
    _ = state.version.value  # re-render when the run changes
    only = ONLY_INTERVENTIONS
    # read here, not only inside the live element's maker: reading it subscribes this component,
    # so flipping the switch re-renders it and the log redraws at once (not at the next step)
    filtered = only.value
    use_live(
        state,
        "view:log",
        lambda: headline_html(state.session) + f"<div class='md-log-wrap'>{log_html(state.session, filtered)}</div>",
        ["md-view"],
    )
    solara.Switch(label="Only interventions (yours and the scenario's)", value=only, classes=["md-only"])
