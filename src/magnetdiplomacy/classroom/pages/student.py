"""The student's page: their seat, the quarter's decisions with expected trade-offs, the news, the
state of the world, and the debrief at the end. The same page serves a solo game."""

from __future__ import annotations

from html import escape

import solara

from ...interventions import SEATS
from ..auth import AccessDenied
from ..menus import KEEP, SEAT_LABELS, SEAT_ROLES, Decision, MenuError, seat_menu
from ..room import get_classroom
from ..session import ClassError, ClassSession, Member
from ..world import SEAT_METRICS, Comparison, World, month_name
from . import charts
from .common import (
    badge,
    clock_text,
    compare_html,
    css_key,
    div,
    html,
    malaysia_tiles,
    news_html,
    query,
    seat_tiles,
    tradeoff_html,
    use_clock,
    use_live,
)
from .debrief import Debrief
from .home import JoinCard
from .signin import ReturnCode, use_seat


@solara.component
def Countdown(deadline: float | None):
    seconds = use_clock(deadline)
    if seconds >= 0:
        html(clock_text(seconds), ["cr-small", "cr-countdown"], tag="span")


@solara.component
def TradeOff(token: str, decision: str, choice: str, who: str, quarter: int):
    """A choice's expected trade-offs, worked out in the background (the page stays responsive)."""
    room = get_classroom()

    def work():
        try:
            return room.trade_offs(token, decision, choice)
        except (AccessDenied, ClassError):
            return None

    result = solara.use_thread(work, dependencies=[token, decision, choice, quarter], intrusive_cancel=False)
    if result.state == solara.ResultState.FINISHED:
        if result.value is not None:
            by = f" (chosen by {who})" if who else ""
            html(tradeoff_html(result.value, f"What this choice is expected to change{by}"), ["cr-tradeoff"])
    elif result.state != solara.ResultState.ERROR:
        html("Working out what this choice would change, to the game's end…", ["cr-small", "cr-tradeoff-pending"])


@solara.component
def PlanTradeOff(token: str, plan_key: str, quarter: int):
    """What the whole plan is expected to change (only when it has more than one change)."""
    room = get_classroom()

    def work():
        try:
            return room.plan_trade_offs(token)
        except (AccessDenied, ClassError):
            return None

    result = solara.use_thread(work, dependencies=[token, plan_key, quarter], intrusive_cancel=False)
    if result.state == solara.ResultState.FINISHED and result.value is not None:
        html(
            tradeoff_html(result.value, "All these changes together", "this plan"), ["cr-tradeoff", "cr-plan-tradeoff"]
        )
    elif result.state not in (solara.ResultState.FINISHED, solara.ResultState.ERROR):
        html("Working out what the whole plan would change…", ["cr-small", "cr-tradeoff-pending"])


@solara.component
def DecisionBlock(token: str, decision: Decision, planned: str, who: str, disabled: bool, quarter: int):
    # (quarter, comparison rows): the table belongs to one quarter
    rows: solara.Reactive[tuple[int, list[tuple[str, Comparison]]] | None] = solara.use_reactive(None)
    error = solara.use_reactive("")
    attempt = solara.use_reactive(0)
    room = get_classroom()

    def on_choice(value):
        error.value = ""
        try:
            room.choose(token, decision.key, value)
        except (AccessDenied, ClassError, MenuError) as err:
            error.value = str(err)
            attempt.value += 1

    def compare_all():
        out = []
        try:
            for choice in decision.choices:
                if choice.key != KEEP:
                    out.append((choice.label, room.trade_offs(token, decision.key, choice.key)))
        except (AccessDenied, ClassError) as err:
            error.value = str(err)
            return
        rows.value = (quarter, out)

    with div("cr-decision", f"cr-d-{css_key(decision.key)}"):
        html(
            f'<div class="cr-title">{escape(decision.title)}</div><div class="cr-now">{escape(decision.status)}</div>'
            + (f'<div class="cr-help">{escape(decision.help)}</div>' if decision.help else "")
        )
        radios = [solara.v.Radio(label=c.label, value=c.key, class_=f"cr-c-{css_key(c.key)}") for c in decision.choices]
        solara.v.RadioGroup(
            v_model=planned,
            on_v_model=on_choice,
            children=radios,
            dense=True,
            hide_details=True,
            disabled=disabled,
            class_="cr-radio",
        ).key(f"radio-{attempt.value}")
        if planned != KEEP:
            TradeOff(token, decision.key, planned, who, quarter)
        if len(decision.choices) > 2 and not disabled:
            solara.Button(
                "Compare all options", on_click=compare_all, text=True, small=True, classes=["cr-compare-button"]
            )
        if rows.value is not None and rows.value[0] == quarter and rows.value[1]:
            html(compare_html(rows.value[1]), ["cr-compare"])
        if error.value:
            html(escape(error.value), ["cr-error"])


@solara.component
def SeatPicker(token: str, session: ClassSession, member: Member, version: int = 0):
    error = solara.use_reactive("")
    room = get_classroom()

    def take(seat):
        def go():
            error.value = ""
            try:
                room.claim_seat(token, seat)
            except (AccessDenied, ClassError) as err:
                error.value = str(err)

        return go

    seated = session.seated()
    with div("cr-card"):
        html(
            "<h2>Take a seat</h2><p class='cr-help'>Each seat is one actor in the race. Several of you can share a "
            "seat as a team; the model plays the seats nobody takes.</p>"
        )
        with div("cr-seats"):
            for seat in SEATS:
                people = seated[seat]
                mine = member.seat == seat
                with div("cr-seat", f"cr-seat-{seat}", *(["cr-mine"] if mine else [])):
                    names = ", ".join(m.name for m in people) or "nobody yet: the model plays it"
                    html(
                        f"<h3>{escape(SEAT_LABELS[seat])}</h3><div "
                        f"class='cr-help'>{escape(SEAT_ROLES[seat])}</div><div class='cr-small'>Held by: "
                        f"{escape(names)}</div>"
                    )
                    if mine:
                        html("Your seat", ["cr-ok"])
                    else:
                        full = len(people) >= session.settings.seat_size
                        solara.Button(
                            "Take this seat" if not full else "Full",
                            on_click=take(seat),
                            disabled=full or not session.is_open,
                            small=True,
                            color="primary",
                            outlined=True,
                            classes=[f"cr-take-{seat}"],
                        )
        if error.value:
            html(escape(error.value), ["cr-error", "cr-seat-error"])


def _history(session: ClassSession, member: Member) -> str:
    key = session.world_key(member)
    seat = session.seat_of(member)
    rows = []
    for world, quarter, item in session.fired:
        if world == key and item.by_student and (session.mode != "roleplay" or item.seat == seat):
            who = (
                f" <span class='cr-small'>({escape(item.who)})</span>"
                if session.mode == "roleplay" and item.who
                else ""
            )
            rows.append(
                f"<tr><td>{escape(session.quarter_label(quarter))}</td><td>{escape(item.shown_label)}{who}</td></tr>"
            )
    if not rows:
        return "<div class='cr-small'>No changes yet.</div>"
    return (
        "<table class='cr-table cr-history'><tr><th>Quarter</th><th>Decision</th></tr>"
        + "".join(reversed(rows))
        + "</table>"
    )


def _world_chart(session: ClassSession, key: str) -> str:
    world = session.world(key)
    series = world.series(("date", "malaysia_alignment", "malaysia_magnet_share_nonchina"))
    lo = max(0, world.start_tick - 12)
    xs_all = charts.years(series["date"][lo:])
    start_x = (
        charts.years(series["date"][world.start_tick : world.start_tick + 1])[0]
        if len(series["date"]) > world.start_tick
        else None
    )
    end_year = float(world.calendar.label(world.end_tick)[:4]) + 1.0
    x0 = xs_all[0] if xs_all else end_year - 5
    a = charts.alignment_chart(
        xs_all,
        [("Malaysia's alignment", series["malaysia_alignment"][lo:], "#009E73", None)],
        (x0, end_year),
        start_x,
        width=480,
        height=230,
    )
    s = charts.share_chart(
        xs_all,
        [("share of non-China magnets", series["malaysia_magnet_share_nonchina"][lo:], "#0072B2", None)],
        (x0, end_year),
        start_x,
        width=480,
        height=210,
    )
    return f'<div class="cr-chart">{charts.svg(a)}</div><div class="cr-chart">{charts.svg(s)}</div>'


def _is_ready(session: ClassSession, owner: str | None) -> bool:
    return owner is not None and owner in session.ready.get(session.quarter, {})


def _status_bar(session: ClassSession, member: Member) -> None:
    """The quarter, the class's status, who and where; a banner while paused or in the lobby."""
    seat = session.seat_of(member)
    quarter = session.quarter
    solo = session.mode == "solo"
    ready = _is_ready(session, session.owner_of(member))
    label = session.quarter_label() if not session.finished else "The end"
    month = session.calendar.label(session.quarter_ticks(min(quarter, session.n_quarters - 1))[0])
    where = (
        "Single-player game"
        if solo
        else f"{session.name} · {'role-play' if session.mode == 'roleplay' else 'everyone plays Malaysia'}"
    )
    who = f"{member.name} · {SEAT_LABELS.get(seat or '', 'no seat yet')}"
    numbered = "" if session.finished else f"Quarter {quarter + 1} of {session.n_quarters}: "
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="10px"):
        html(
            f'<div class="cr-status" data-quarter="{quarter}" data-status="{escape(session.status)}" '
            f'data-seat="{escape(seat or "")}" data-month="{month}" data-ready="{int(ready)}">'
            f'<span class="cr-quarter">{numbered}{escape(label)}</span>'
            f'{badge(session.status)}<span class="cr-who">{escape(who)} · {escape(where)}</span></div>'
        )
        Countdown(session.deadline if session.status == "running" else None)
    if session.status == "paused":
        html(
            "Your teacher has paused the class. You can read the news and the charts; decisions open again when the "
            "class resumes.",
            ["cr-banner", "cr-paused-banner"],
        )
    elif session.status == "lobby" and not solo:
        html(
            "The class has not started yet. Read the news and your seat's choices; you can already plan this quarter.",
            ["cr-banner"],
        )


def _plan(token: str, session: ClassSession, world: World, seat: str, owner: str, label: str) -> None:
    """The plan so far for the quarter and, for more than one change, what it is expected to change."""
    lines = session.plan_lines(owner, seat, world)
    plan_text = (
        "".join(f"<li>{escape(p.title)}: {escape(p.label)}</li>" for p in lines) or "<li>No changes this quarter.</li>"
    )
    plan_html = (
        f"<b>{'Your' if session.mode != 'roleplay' else 'Your seat' + chr(39) + 's'} plan for "
        f"{escape(label)}</b><ul style='margin:2px 0'>{plan_text}</ul>"
    )
    with div("cr-plan"):
        html(plan_html)
        if len(lines) > 1:
            PlanTradeOff(token, "|".join(f"{p.decision}={p.choice}" for p in lines), session.quarter)


def _ready_buttons(token: str, session: ClassSession, ready: bool, disabled: bool, error: solara.Reactive[str]) -> None:
    """End the quarter (solo), say the plan is done, or take that back."""
    room = get_classroom()

    def done():
        error.value = ""
        try:
            room.set_ready(token, True)
        except (AccessDenied, ClassError) as err:
            error.value = str(err)

    def undo():
        error.value = ""
        try:
            room.set_ready(token, False)
        except (AccessDenied, ClassError) as err:
            error.value = str(err)

    with div("cr-buttons"):
        if session.mode == "solo":
            solara.Button(
                "End this quarter and see what happens",
                on_click=done,
                color="primary",
                disabled=disabled,
                classes=["cr-ready"],
            )
        elif not ready:
            solara.Button(
                "We're done for this quarter" if session.mode == "roleplay" else "I'm done for this quarter",
                on_click=done,
                color="primary",
                disabled=disabled,
                classes=["cr-ready"],
            )
        else:
            html("Done. Waiting for the others and your teacher to move the clock.", ["cr-ok", "cr-waiting"])
            solara.Button(
                "Change the plan", on_click=undo, text=True, small=True, disabled=disabled, classes=["cr-unready"]
            )


def _decisions(
    token: str, session: ClassSession, world: World, seat: str, owner: str, error: solara.Reactive[str]
) -> None:
    """The seat's decisions for the quarter, the plan and the buttons to finish it."""
    quarter = session.quarter
    label = session.quarter_label() if not session.finished else "The end"
    plan = session.plans.get((quarter, owner), {})
    disabled = session.status not in ("lobby", "running")
    with div("cr-card", "cr-decisions"):
        html(
            f"<h2>Your decisions for {escape(label)}</h2><div class='cr-help'>{escape(SEAT_ROLES[seat])} "
            "Choose what to change; everything else stays as it is. Under each choice: the levels it is expected "
            "to lead to over the next two years and in the year to the game's end, with the change against no "
            "change, "
            "from a simulation of this world with and without it (others play by their rules; people in "
            "other seats make no new moves).</div>"
        )
        for decision in seat_menu(seat, world.model):
            choice, by = plan.get(decision.key, (KEEP, ""))
            by_name = session.members[by].name if by in session.members and session.mode == "roleplay" else ""
            DecisionBlock(token, decision, choice, by_name, disabled, quarter).key(decision.key)
        _plan(token, session, world, seat, owner, label)
        _ready_buttons(token, session, _is_ready(session, owner), disabled, error)
        if error.value:
            html(escape(error.value), ["cr-error"])


def _world_cards(session: ClassSession, key: str, seat: str | None) -> None:
    """The state of the world (tiles and charts) and the news."""
    world = session.world(key)
    snap = world.snapshot()
    with div("cr-card"):
        extra = ""
        if seat and seat != "malaysia":
            extra = (
                f"<h3>{escape(SEAT_LABELS[seat])}</h3>" + seat_tiles(SEAT_METRICS[seat][:4], snap) + "<h3>Malaysia</h3>"
            )
        html(
            f"<h2>The world, end of {escape(month_name(world.label(max(0, world.model.tick - 1))))}</h2>"
            + extra
            + malaysia_tiles(snap)
            + _world_chart(session, key)
        )
    with div("cr-card"):
        html("<h2>News</h2>")
        html(news_html(session.news, session.world_news(key), month_name), ["cr-news"])


@solara.component
def StudentView(token: str, session: ClassSession, member: Member, version: int = 0):
    room = get_classroom()
    error = solara.use_reactive("")
    seat = session.seat_of(member)
    owner = session.owner_of(member)
    key = session.world_key(member)
    world = session.world(key)
    over = session.over

    _status_bar(session, member)
    if over and session.quarter > 0:
        Debrief(token, session, member, version)
    if session.mode == "roleplay" and seat is None and not over:
        SeatPicker(token, session, member, version)

    with div("cr-grid"):
        with div():
            if seat is not None and owner is not None and not over:
                _decisions(token, session, world, seat, owner, error)
            if session.mode == "roleplay" and seat is not None and not over:

                def leave():
                    try:
                        room.claim_seat(token, None)
                    except (AccessDenied, ClassError) as err:
                        error.value = str(err)

                solara.Button("Leave this seat", on_click=leave, text=True, small=True, classes=["cr-leave"])
            with div("cr-card"):
                html("<h2>Decisions so far</h2>" + _history(session, member))
        with div():
            _world_cards(session, key, seat)


@solara.component
def StudentPage():
    """A student's place (or solo game), held by this browser: the address never holds a token."""
    q = query()
    token, problem = use_seat(q.get("c", ""), q.get("t", ""))
    room = get_classroom()
    session, member = None, None
    if not problem:
        try:
            session, member = room.member(token)
        except AccessDenied as err:
            problem = str(err)
    owner = session.owner_of(member) if session is not None and member is not None else None
    channels = ("public", f"owner:{owner}") if owner else ("public",)
    version = use_live(session, channels, member.id if member is not None else None)
    if session is None or member is None:
        html(escape(problem), ["cr-error", "cr-denied"])
        JoinCard()
        return
    StudentView(token, session, member, version)
    ReturnCode(session.id, member.id)
