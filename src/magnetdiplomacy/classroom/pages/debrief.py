"""The debrief at the end of a game: a role-play seat's own scorecard against the model's play of that
seat, the score against Malaysia's targets, this world against the model's own Malaysia, Malaysia's
whole scorecard (unscored), the decisions on both sides, questions to discuss, a one-page PDF summary
and the whole scorecard as CSV."""

from __future__ import annotations

from html import escape

import solara

from ..game import Debrief as Brief
from ..game import SeatCard, debrief
from ..menus import SEAT_LABELS
from ..room import get_classroom
from ..seat_targets import SEAT_GOALS
from ..session import ClassSession, Member
from ..targets import WholeScorecard, whole_scorecard
from ..world import month_name
from . import charts
from .common import css_key, div, html, score_table
from .errors import SafeDownload


def _debrief_charts(brief: Brief, you: str) -> str:
    """Alignment and share: this world against the model's own Malaysia."""
    xs = charts.years(brief.dates)
    x_range = (xs[0], xs[-1] + 1 / 12)
    start = xs[brief.first_index]
    ours = f"{you.lower() if you == 'You' else 'the class'}"
    a = charts.alignment_chart(
        xs,
        [
            (ours, brief.you["malaysia_alignment"], "#009E73", None),
            ("the model's Malaysia", brief.ai["malaysia_alignment"], "#777777", "dash"),
        ],
        x_range,
        start,
        width=480,
        height=240,
    )
    s = charts.share_chart(
        xs,
        [
            (ours, brief.you["malaysia_magnet_share_nonchina"], "#0072B2", None),
            ("the model's Malaysia", brief.ai["malaysia_magnet_share_nonchina"], "#777777", "dash"),
        ],
        x_range,
        start,
        width=480,
        height=240,
    )
    return (
        f"<div class='cr-grid' style='margin-top:10px'><div class='cr-chart'>{charts.svg(a)}</div><div "
        f"class='cr-chart'>{charts.svg(s)}</div></div>"
    )


def _debrief_decisions(session: ClassSession, brief: Brief) -> str:
    """The decisions taken in this world next to those of the model's Malaysia."""

    def who(d: dict) -> str:
        if session.mode != "roleplay":
            return ""
        return f" <span class='cr-small'>({escape(d['seat'])}: {escape(d['who'])})</span>"

    mine = (
        "".join(f"<li>{escape(d['quarter'])}: {escape(d['text'])}" + who(d) + "</li>" for d in brief.decisions)
        or "<li>No changes: every policy was kept as it was.</li>"
    )
    theirs = (
        "".join(f"<li>{escape(month_name(m))}: {escape(t)}</li>" for m, t in brief.model_decisions)
        or "<li>It changed nothing.</li>"
    )
    return (
        f"<div class='cr-grid'><div><h3>Decisions</h3><ul class='cr-small'>{mine}</ul></div><div><h3>What the "
        f"model's Malaysia did</h3><ul class='cr-small'>{theirs}</ul></div></div>"
    )


def _debrief_seat(brief: Brief) -> str:
    """The seat's own measures over the last twelve months (role-play), or nothing."""
    if not brief.seat_rows:
        return ""
    return (
        f"<h3>{escape(SEAT_LABELS.get(brief.seat or '', ''))}: the last twelve months</h3><table class='cr-table "
        "cr-scores'><tr><th></th><th>This world</th><th>Model's world</th></tr>"
        + "".join(
            f"<tr><td>{escape(a_)}</td><td>{escape(b_)}</td><td>{escape(c_)}</td></tr>"
            for a_, b_, c_ in brief.seat_rows
        )
        + "</table>"
    )


RIGHT = "style='text-align:right'"


def seat_card_html(card: SeatCard | None) -> str:
    """A role-play seat's own scorecard: each target's goal and why, the class's value, the model's
    play of the seat, and the points; or nothing for Malaysia and outside a role-play."""
    if card is None:
        return ""
    label = SEAT_LABELS.get(card.seat, card.seat)
    rows = []
    for s in card.player.scores:
        m = card.model.get(s.key)
        rows.append(
            f"<tr data-key='{escape(s.key)}'><td>{escape(s.label)}<div class='cr-small'>{escape(s.why)}</div></td>"
            f"<td>{escape(s.goal)}</td><td><b>{escape(s.shown)}</b>{' ✓' if s.met else ''}</td>"
            f"<td>{escape(m.shown)}{' ✓' if m.met else ''}</td><td {RIGHT}>{s.points:.0f} / {s.max_points:.0f}</td>"
            f"<td {RIGHT}>{m.points:.0f}</td></tr>"
        )
    rows.append(
        f"<tr><td><b>Total</b></td><td></td><td></td><td></td><td {RIGHT}><b>{card.player.total:.0f}</b> / 100</td>"
        f"<td {RIGHT}>{card.model.total:.0f}</td></tr>"
    )
    return (
        f"<h3 class='cr-seat-title'>{escape(label)}: your objectives ({escape(SEAT_GOALS[card.seat])})</h3>"
        f"<div class='cr-seat-verdict' style='font-size:1rem;margin:4px 0 10px 0' data-seat='{escape(card.seat)}' "
        f"data-total='{card.player.total:.1f}' "
        f"data-model-total='{card.model.total:.1f}'>{escape(card.verdict)}</div>"
        f"<div class='cr-help'>Scored over {escape(card.player.window)}; points grow in a straight line towards each "
        "goal. The model's play of your seat is the same world with every seat played by the model.</div>"
        f"<table class='cr-table cr-seat-scores' data-seat='{escape(card.seat)}'><tr><th>Target</th><th>Goal</th>"
        f"<th>The class</th><th>Model's {escape(label)}</th><th {RIGHT}>Points</th><th {RIGHT}>Model's points</th></tr>"
        + "".join(rows)
        + "</table><h3>Malaysia's targets, for context</h3>"
    )


def _mark(met) -> str:  # noqa: ANN001 (True, False, or None/NaN for an indicator)
    if met is None or met != met:
        return ""
    return " ✓" if bool(met) else " ✗"


def whole_html(whole: WholeScorecard | None, window: str, you: str) -> str:
    """Malaysia's whole scorecard, unscored: every target for this world and the model's Malaysia."""
    if whole is None:
        return ""
    when = whole.when if whole.months < 12 or window == str(whole.year) else f"{whole.year}, the last whole year"
    theirs = whole.model.set_index("key")
    rows = "".join(
        f"<tr data-key='{escape(row.key)}'><td>{escape(row.label)}<div class='cr-small'>{escape(row.source)}</div>"
        f"</td><td>{escape(row.goal_text)}</td><td><b>{escape(row.shown)}</b>{_mark(row.met)}</td>"
        f"<td>{escape(str(theirs.at[row.key, 'shown']))}{_mark(theirs.at[row.key, 'met'])}</td></tr>"
        for row in whole.player.itertuples()
    )
    return (
        f"<h3>The whole scorecard, {escape(when)}</h3><div class='cr-help'>Every target and constraint Malaysia's "
        "sources name, not scored: ✓ met, ✗ not met; an indicator has no published goal.</div>"
        f"<table class='cr-table cr-whole' data-year='{whole.year}'><tr><th>Target</th><th>Goal</th>"
        f"<th>{escape(you)}</th><th>Model's Malaysia</th></tr>{rows}</table>"
    )


def _debrief_html(session: ClassSession, brief: Brief, you: str, whole: WholeScorecard | None = None) -> str:
    if session.finished:
        status = "The game is over."
    elif session.status == "expired":
        status = (
            "The class reached the time limit set when it was opened, before the last quarter; your teacher can "
            "extend it. This is where it stood."
        )
    else:
        status = "Your teacher ended the class before the last quarter; this is where it stood."
    scored = (
        "Your seat is scored on its own objectives; Malaysia's national targets follow, for context."
        if brief.seat_card
        else f"Scored against Malaysia's targets over {brief.player.window}."
    )
    return (
        f"<h2>Debrief</h2><div class='cr-help'>{escape(status)} {escape(scored)}</div>"
        + seat_card_html(brief.seat_card)
        + f"<div class='cr-verdict' data-total='{brief.player.total:.1f}' "
        f"data-model-total='{brief.model.total:.1f}'>{escape(brief.verdict)}</div>"
        + score_table(brief.player, brief.model, you)
        + _debrief_charts(brief, you)
        + _debrief_seat(brief)
        + whole_html(whole, brief.player.window, you)
        + _debrief_decisions(session, brief)
        + (
            "<h3>To discuss</h3><ol class='cr-small'><li>Which of your decisions moved Malaysia furthest from the "
            "model's path? Was it worth it?</li>"
            "<li>Which target did you give up to reach another, and when did you decide that?</li>"
            "<li>Which piece of news changed your plans most?</li></ol>"
        )
    )


@solara.component
def Debrief(token: str, session: ClassSession, member: Member, version: int = 0):
    key = (session.quarter, session.status, sum(1 for w, _, _ in session.fired if w == "*"))
    brief = solara.use_memo(lambda: debrief(session, member), [key])
    whole = solara.use_memo(
        lambda: whole_scorecard(
            session.world(session.world_key(member)), session.ai_world(), brief.start_tick, brief.last_tick
        ),
        [key],
    )
    room = get_classroom()
    you = "The class" if session.mode == "roleplay" else "You"
    with div("cr-card", "cr-debrief"):
        html(_debrief_html(session, brief, you, whole))

        def pdf():
            s_, m_ = room.member(token)
            from ..export import summaries_pdf

            return summaries_pdf(s_, [m_])

        def whole_csv():
            s_, m_ = room.member(token)
            from ..export import scorecard_csv

            return scorecard_csv(s_, [m_], bom=True)

        name = css_key(member.name)
        for make, filename, mime, label, css in (
            (pdf, f"summary_{name}.pdf", "application/pdf", "Download my one-page summary (PDF)", "cr-summary-pdf"),
            (whole_csv, f"scorecard_{name}.csv", "text/csv", "Download the whole scorecard (CSV)", "cr-scorecard-csv"),
        ):
            SafeDownload(make, filename, mime, label, css)
