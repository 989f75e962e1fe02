"""Pieces shared by the classroom pages: the layout, live updates, and HTML for tiles, news,
trade-offs and score tables."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import parse_qs

import solara
import solara.widgets

from ...targets import EXPORT_TEXT, JOBS_TEXT, SHARE_TEXT, TARGET_YEAR
from ..room import current_classroom
from ..session import STATUS_LABELS, ClassSession
from ..targets import ALIGNMENT_BAND, EXPORT_TARGET_USD, JOBS_TARGET, SHARE_TARGET, Scorecard
from ..world import METRICS, BandCheck, Comparison, Difference, fmt_delta, fmt_value, month_name
from .style import CSS

TITLE = "Magnet diplomacy: classroom"


def query() -> dict[str, str]:
    """The page address's query parameters (first value of each)."""
    router = solara.use_router()
    return {k: v[0] for k, v in parse_qs(router.search or "").items() if v}


def use_live(
    session: ClassSession | None, channels: Sequence[str], member_id: str | None = None, settle: float = 0.0
) -> int:
    """Re-render when one of a session's channels moves (another page acted, the clock advanced).

    A background thread of this page waits on the session; when a channel moves it bumps a
    reactive counter, which re-renders the page in this browser tab. While it runs the member
    counts as online (the teacher's roster shows it). With ``settle`` > 0 the page waits that long
    after a change for more changes and redraws once (the teacher's console, which sees every
    click of every student).
    """
    counter = solara.use_reactive(0)
    channels = tuple(channels)

    def loop(cancel):
        if session is None:
            return
        context = _context()
        seen = session.version(channels)
        if member_id:
            session.online[member_id] += 1
            session.bump("teacher")
        try:
            while not cancel.is_set() and not (context is not None and context.closed_event.is_set()):
                now = session.wait(channels, seen, 1.0)
                if cancel.is_set():
                    break
                if now != seen:
                    if settle > 0 and not cancel.wait(settle):
                        now = session.version(channels)
                    seen = now
                    counter.value = counter.value + 1
        finally:
            if member_id:
                session.online[member_id] -= 1
                session.bump("teacher")

    solara.use_thread(loop, dependencies=[session.id if session else None, channels, member_id], intrusive_cancel=False)
    return counter.value


def _context():
    """This page's kernel context (its threads stop when the page is gone), if there is one."""
    from solara.server import kernel_context

    try:
        return kernel_context.get_current_context()
    except Exception:  # pragma: no cover - outside a server
        return None


def use_clock(deadline: float | None) -> int:
    """Seconds left before ``deadline``, refreshed every second while there is one."""
    beat = solara.use_reactive(0)  # bumped every second: the component redraws and reads the time

    def loop(cancel):
        context = _context()
        while (
            deadline is not None and not cancel.is_set() and not (context is not None and context.closed_event.is_set())
        ):
            if cancel.wait(1.0):
                break
            beat.value = beat.value + 1

    solara.use_thread(loop, dependencies=[deadline], intrusive_cancel=False)
    _ = beat.value  # read during render: only then does the beat subscribe this component to redraws
    if deadline is None:
        return -1
    return max(0, int(round(deadline - time.time())))


def _database_problem() -> str | None:
    room = current_classroom()
    return room.store.problem if room is not None else None


@solara.component
def DatabaseProblem():
    """A line on every page while changes cannot be saved (the class database is read-only, deleted
    or replaced under the server), looked at every two seconds; nothing when all is well."""
    problem = solara.use_reactive(_database_problem())

    def loop(cancel):
        context = _context()
        while not cancel.is_set() and not (context is not None and context.closed_event.is_set()):
            problem.value = _database_problem()
            if cancel.wait(2.0):
                break

    solara.use_thread(loop, dependencies=[], intrusive_cancel=False)
    if problem.value:
        solara.widgets.HTML.element(
            tag="div",
            unsafe_innerHTML=escape(problem.value),
            attributes={"class": "cr-error cr-database-problem", "role": "alert"},
        )


@solara.component
def Layout(children: Sequence[solara.Element] = ()):
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Column(gap="0px", style={"width": "100%"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                '<a class="cr-brand" href="/">Magnet diplomacy</a><span class="cr-sub">classroom: Malaysia in the '
                "rare-earth magnet race</span>"
            ),
            classes=["cr-top"],
        )
        with solara.Column(gap="0px", classes=["cr-page"]):
            from .errors import ErrorBoundary  # errors draws its own HTML: no import cycle

            DatabaseProblem()

            ErrorBoundary(children=list(children))  # a failure shows one line and Try again, never a traceback


def css_key(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower())


def html(content: str, classes: Iterable[str] = (), tag: str = "div"):
    """Raw HTML in one element (a widget element directly: cheaper than a component per redraw)."""
    return solara.widgets.HTML.element(
        tag=tag, unsafe_innerHTML=content, attributes={"class": " ".join(classes)} if classes else {}
    )


def div(*classes: str):
    """A ``<div>`` with classes, used as ``with div("cr-card"):`` (a widget element, not a component)."""
    return solara.v.Html(tag="div", class_=" ".join(classes))


def badge(status: str) -> str:
    return f'<span class="cr-badge cr-{escape(status)}">{escape(STATUS_LABELS.get(status, status))}</span>'


def clock_text(seconds: int) -> str:
    if seconds < 0:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d} left in this quarter"


# ---- tiles ------------------------------------------------------------------------------------


def tile(label: str, value: str, detail: str = "", status: str = "") -> str:
    cls = f"cr-tile cr-{status}" if status else "cr-tile"
    return (
        f'<div class="{cls}"><div class="cr-tile-label">{escape(label)}</div><div '
        f'class="cr-tile-value">{escape(value)}</div><div class="cr-tile-detail">{escape(detail)}</div></div>'
    )


def malaysia_tiles(snap: dict) -> str:
    align = snap["alignment"]
    side = "towards the US" if align > 0.1 else "towards China" if align < -0.1 else "balanced"
    parts = [
        tile(
            "Alignment",
            f"{align:+.2f}",
            f"{side}; band ±{ALIGNMENT_BAND:.2f}",
            "good" if abs(align) <= ALIGNMENT_BAND else "short",
        ),
        tile(
            "Non-China magnets",
            f"{snap['share_12m']:.1%}",
            f"share, last 12 months; target {SHARE_TEXT}",
            "good" if snap["share_12m"] >= SHARE_TARGET else "short",
        ),
        tile(
            "Direct jobs",
            f"{snap['jobs']:,.0f}",
            f"target {JOBS_TEXT} by {TARGET_YEAR}",
            "good" if snap["jobs"] >= JOBS_TARGET else "short",
        ),
        tile(
            "Exports",
            f"US${snap['exports_12m'] / 1e6:,.0f} m",
            f"last 12 months; target {EXPORT_TEXT}",
            "good" if snap["exports_12m"] >= EXPORT_TARGET_USD else "short",
        ),
        tile("US tariff on Malaysia", f"{snap['tariff']:.0%}", ""),
        tile("China's licences", f"{snap['licences']:.0%}", "share of requests granted"),
        tile(
            "Lynas' licence",
            f"{snap['lynas_licence_years_left']:.1f} yrs" if snap["lynas_licence_valid"] else "none",
            "left to run" if snap["lynas_licence_valid"] else "Kuantan shut",
        ),
        tile("Incentive cost", f"US${snap['fiscal_12m'] / 1e6:,.0f} m", "last 12 months"),
    ]
    return '<div class="cr-tiles">' + "".join(parts) + "</div>"


def seat_tiles(keys: Sequence[str], snap: dict) -> str:
    parts = []
    for key in keys:
        metric = METRICS[key]
        parts.append(
            tile(metric.label, fmt_value(metric, snap[key]), "last quarter" if metric.how != "last" else "now")
        )
    return '<div class="cr-tiles">' + "".join(parts) + "</div>"


# ---- trade-offs -----------------------------------------------------------------------------------


def _cls(text: str) -> str:
    if text.startswith("+"):
        return "cr-up"
    if text.startswith(("−", "-")):
        return "cr-down"
    return ""


def _unbroken(text: str) -> str:
    """``US$1,025 m`` kept on one line (a narrow column breaks between words only)."""
    return re.sub(r" (m|pts|t)$", "\u00a0\\1", escape(text))


def _cell(diff: Difference, base: float, alt: float, band: BandCheck | None, short: bool = False) -> str:
    """A table cell: the level with the choice (for alignment: inside or outside the band), and
    below it the change against no change (not coloured: up is not always better)."""
    flag = ""
    if band is not None and diff.metric.key == "alignment":
        where = band.where(alt)
        words = ("in band" if where == "inside" else "out of band") if short else f"{where} the band"
        flag = f'<span class="cr-flag cr-{where}">{words}</span>'
    return (
        f'<td><span class="cr-level">{_unbroken(fmt_value(diff.metric, alt))}</span>{flag}'
        f'<span class="cr-delta">{_unbroken(fmt_delta(diff.metric, alt - base))}</span></td>'
    )


def _heads(comparison: Comparison) -> str:
    heads = [f"<th>{escape(label)}</th>" for label in comparison.labels]
    if comparison.final_label:
        heads.append(f"<th>{escape(comparison.final_label)}<br><i>the game's end</i></th>")
    return "".join(heads)


def band_text(band: BandCheck, subject: str) -> str:
    """Whether a choice keeps Malaysia inside the alignment band, in one sentence."""
    return (
        f"Band ±{band.band:.2f}, {band.period}: with {subject} Malaysia is inside it {band.alt_inside} of "
        f"{band.months} months and ends at {band.alt_end:+.2f} ({band.where(band.alt_end)}); with no change "
        f"{band.base_inside} of {band.months}, ending at {band.base_end:+.2f} ({band.where(band.base_end)})."
    )


def _event_lines(comparison: Comparison, subject: str) -> str:
    def items(events: Sequence[tuple[str, str]], limit: int) -> str:
        return "; ".join(f"{escape(month_name(m, True))}: {escape(text)}" for m, text in events[:limit])

    lines = []
    if comparison.new_events:
        lines.append(f"Only with {subject}: {items(comparison.new_events, 3)}")
    if comparison.gone_events:
        lines.append(f"Would not happen with {subject}: {items(comparison.gone_events, 2)}")
    if comparison.changed_events:
        lines.append(f"Happens either way, at another time or differently: {items(comparison.changed_events, 2)}")
    return "".join(f'<div class="cr-small cr-events">{line}</div>' for line in lines)


def tradeoff_html(
    comparison: Comparison, lead: str = "Expected, against no change", subject: str = "this choice"
) -> str:
    """A compact table: each metric's expected level with ``subject`` and its change against no
    change, over the next year, the year after and the year to the game's end; whether Malaysia
    stays inside the alignment band; the events that differ; why a figure moves, where needed."""
    rows = []
    for diff in comparison.differences:
        cells = "".join(_cell(diff, base, alt, comparison.band) for base, alt in diff.columns())
        rows.append(f"<tr><td>{escape(diff.metric.name)}</td>{cells}</tr>")
    band = f'<div class="cr-band">{escape(band_text(comparison.band, subject))}</div>' if comparison.band else ""
    notes = "".join(f'<div class="cr-small cr-note">{escape(note)}</div>' for note in comparison.notes)
    return (
        f"<div><b>{escape(lead)}</b> <span class='cr-small'>(one simulated future, same luck in both: the level "
        f"expected with {escape(subject)}, below it the change against no change; levels at the end of each "
        f"period, sums and averages over it)</span><table class='cr-look'><tr><th></th>{_heads(comparison)}</tr>"
        f"{''.join(rows)}</table>{band}{_event_lines(comparison, escape(subject))}{notes}</div>"
    )


def compare_html(rows: Sequence[tuple[str, Comparison]]) -> str:
    """Every choice of a decision side by side: the levels expected in the last period looked at
    (the year to the game's end when it is later than the next two years), with the changes, and
    the months inside the alignment band."""
    if not rows:
        return ""
    first = rows[0][1]
    column = len(first.columns) - 1
    heads = "".join(f"<th>{escape(d.metric.name)}</th>" for d in first.differences)
    band_head = "<th>Months in the band</th>" if first.band else ""
    body = []
    for label, comparison in rows:
        cells = "".join(_cell(d, *d.columns()[column], comparison.band, True) for d in comparison.differences)
        if comparison.band:
            b = comparison.band
            more = b.alt_inside - b.base_inside
            change = f"{more:+d}" if more else "no change"
            cells += (
                f'<td><span class="cr-level">{b.alt_inside} of {b.months}</span>'
                f'<span class="cr-delta {_cls(change)}">{change}</span></td>'
            )
        body.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
    when = first.columns[column] if first.columns else ""
    band_words = f"; months inside the ±{first.band.band:.2f} band, {escape(first.band.period)}" if first.band else ""
    return (
        f'<div class="cr-small">Each choice in {escape(when)}: the level expected, below it the change against '
        f"no change{band_words}:</div><table><tr><th>Choice</th>{heads}{band_head}</tr>{''.join(body)}</table>"
    )


# ---- news ------------------------------------------------------------------------------------------


def news_html(class_news: Sequence, world_news: Sequence[dict], month_name, limit: int = 40) -> str:
    items = []
    for item in class_news:
        body = escape(item.body).replace("\n", "<br>")
        who = "Your teacher" if item.kind == "teacher" else "News"
        items.append(
            (
                item.created,
                f'<div class="cr-news-item cr-{escape(item.kind)}"><div '
                f'class="cr-when">{escape(month_name(item.month))} · {who}</div>'
                f'<div class="cr-headline">{escape(item.headline)}</div><div>{body}</div></div>',
            )
        )
    html_items = [h for _, h in sorted(items, key=lambda x: -x[0])]
    for row in world_news:
        html_items.append(
            f'<div class="cr-news-item cr-{escape(row["kind"])}"><div '
            f'class="cr-when">{escape(month_name(row["month"]))} · <span '
            f'class="cr-by">{escape(row["by"])}</span></div><div>{escape(row["text"])}</div></div>'
        )
    if not html_items:
        return '<div class="cr-small">No news yet.</div>'
    return "".join(html_items[:limit])


def score_table(player: Scorecard, model: Scorecard, you: str = "You") -> str:
    rows = []
    for s in player.scores:
        m = model.get(s.key)
        rows.append(
            f"<tr><td>{escape(s.label)}<div class='cr-small'>{escape(s.detail)}</div></td><td>{escape(s.goal)}</td><td>"
            f"<b>{escape(s.shown)}</b>{' ✓' if s.met else ''}</td><td>{escape(m.shown)}{' ✓' if m.met else ''}</td><td>"
            f"{s.points:.0f}</td><td>{m.points:.0f}</td></tr>"
        )
    rows.append(
        f"<tr><td><b>Total</b></td><td></td><td></td><td></td><td><b>{player.total:.0f}</b></td><td>{model.total:.0f}</td></tr>"
    )
    return (
        f'<table class="cr-table cr-scores"><tr><th>Target</th><th>Goal</th><th>{escape(you)}</th><th>Model\'s '
        "Malaysia</th><th>Points</th><th>Model's points</th></tr>" + "".join(rows) + "</table>"
    )
