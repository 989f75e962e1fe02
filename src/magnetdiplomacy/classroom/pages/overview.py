"""What the teacher's console shows about the class: the roster, the seats and their plans, every
student's Malaysia side by side, and the class chart of alignment."""

from __future__ import annotations

from html import escape

from ..menus import SEAT_LABELS
from ..session import ClassSession
from ..targets import scorecard
from . import charts


def roster_html(session: ClassSession) -> str:
    done = session.ready.get(session.quarter, {})
    rows = []
    for member in session.active_members():
        owner = session.owner_of(member)
        seat = session.seat_of(member)
        plan = session.plans.get((session.quarter, owner), {}) if owner else {}
        ready = owner in done if owner else False
        online = session.online.get(member.id, 0) > 0
        rows.append(
            f"<tr class='cr-member' data-name='{escape(member.name)}' data-seat='{escape(seat or '')}' "
            f"data-ready='{int(ready)}'><td><span class='cr-dot{' cr-on' if online else ''}' "
            f"title='{'online' if online else 'not connected'}'></span>{escape(member.name)}</td><td>"
            f"{escape(SEAT_LABELS.get(seat or '', '—'))}</td><td>"
            f"{'done' if ready else ('planning' if plan else '')}</td><td>{len(plan)}</td></tr>"
        )
    if not rows:
        return "<div class='cr-small'>Nobody has joined yet.</div>"
    return (
        "<table class='cr-table cr-roster'><tr><th>Student</th><th>Seat</th><th>This quarter</th><th>Changes "
        "planned</th></tr>" + "".join(rows) + "</table>"
    )


def seats_html(session: ClassSession) -> str:
    done = session.ready.get(session.quarter, {})
    world = session.world(session.world_keys()[0])
    rows = []
    for seat, people in session.seated().items():
        if people:
            lines = session.plan_lines(seat, seat, world)
            plan = "; ".join(f"{p.title}: {p.label}" for p in lines) or "no changes"
            state = "done" if seat in done else "deciding"
        else:
            plan, state = "", "played by the model"
        rows.append(
            f"<tr class='cr-seat-row' data-seat='{seat}' data-ready='{int(seat in done)}'><td><b>"
            f"{escape(SEAT_LABELS[seat])}</b></td><td>{escape(', '.join(m.name for m in people))}</td><td>{state}</td>"
            f"<td class='cr-small'>{escape(plan)}</td></tr>"
        )
    return (
        "<table class='cr-table cr-seat-table'><tr><th>Seat</th><th>Team</th><th>This quarter</th><th>Plan so "
        "far</th></tr>" + "".join(rows) + "</table>"
    )


_SCORES: dict[tuple[str, str, int], float] = {}


def score_so_far(session: ClassSession, member_id: str, world) -> float:
    """A student's score up to the last month simulated (computed once per quarter)."""
    key = (session.id, member_id, world.model.tick)
    if key not in _SCORES:
        if len(_SCORES) > 5000:
            _SCORES.clear()
        series = world.series(
            (
                "date",
                "malaysia_alignment",
                "malaysia_magnet_share_nonchina",
                "malaysia_direct_jobs",
                "malaysia_export_revenue_usd",
                "malaysia_incentive_cost_usd",
                "malaysia_value_added_usd",
            )
        )
        _SCORES[key] = scorecard(series, world.start_tick, world.model.tick - 1).total
    return _SCORES[key]


def side_by_side_html(session: ClassSession) -> str:
    done = session.ready.get(session.quarter, {})
    rows = []
    ai = session.ai_world()
    played = session.quarter > 0
    for member in session.active_members():
        world = session.world(member.id)
        snap = world.snapshot()
        score = ""
        if played and world.model.tick - 1 >= world.start_tick:
            score = f"{score_so_far(session, member.id, world):.0f}"
        rows.append(
            f"<tr class='cr-result' data-name='{escape(member.name)}'><td>{escape(member.name)}</td><td>"
            f"{'done' if member.id in done else ''}</td><td>{snap['alignment']:+.2f}</td><td>"
            f"{snap['share_12m']:.1%}</td><td>{snap['jobs']:,.0f}</td><td>US${snap['exports_12m'] / 1e6:,.0f} m</td>"
            f"<td>{snap['tariff']:.0%}</td><td>{score}</td></tr>"
        )
    if played:
        tick = session.quarter_ticks(session.quarter - 1)[-1] + 1
        values = {
            k: ai.window(c, max(0, tick - w), tick, how)
            for k, c, w, how in (
                ("a", "malaysia_alignment", 1, "last"),
                ("s", "malaysia_magnet_share_nonchina", 12, "mean"),
                ("j", "malaysia_direct_jobs", 1, "last"),
                ("e", "malaysia_export_revenue_usd", 12, "sum"),
                ("t", "us_tariff_malaysia", 1, "last"),
            )
        }
        rows.append(
            f"<tr class='cr-ai'><td>The model's own Malaysia</td><td></td><td>{values['a']:+.2f}</td><td>"
            f"{values['s']:.1%}</td><td>{values['j']:,.0f}</td><td>US${values['e'] / 1e6:,.0f} m</td><td>"
            f"{values['t']:.0%}</td><td></td></tr>"
        )
    if not session.active_members():
        return "<div class='cr-small'>Nobody has joined yet.</div>"
    return (
        "<table class='cr-table cr-results'><tr><th>Student</th><th>This quarter</th><th>Alignment</th><th>Non-China "
        "magnets (12 m)</th><th>Direct jobs</th><th>Exports (12 m)</th><th>US tariff</th><th>Score so far</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def class_chart_html(session: ClassSession) -> str:
    ai = session.ai_world()
    cal = session.calendar
    lo = max(0, cal.start_tick - 12)
    now = session.quarter_ticks(session.quarter)[0] if not session.finished else cal.end_tick + 1
    dates = ai.series(("date",))["date"]
    xs = charts.years(dates[lo : cal.end_tick + 1])
    start = charts.years(dates[cal.start_tick : cal.start_tick + 1])[0]
    x_range = (xs[0], xs[-1] + 1 / 12)
    lines: list[charts.SeriesLine] = []
    if session.mode == "roleplay":
        world = session.world(session.world_keys()[0])
        lines.append(
            (
                "the class's Malaysia",
                world.series(("malaysia_alignment",))["malaysia_alignment"][lo:now],
                "#009E73",
                None,
            )
        )
    else:
        for i, member in enumerate(session.active_members()[:8]):
            world = session.world(member.id)
            lines.append(
                (
                    member.name,
                    world.series(("malaysia_alignment",))["malaysia_alignment"][lo:now],
                    charts.STUDENT_COLORS[i % len(charts.STUDENT_COLORS)],
                    None,
                )
            )
    lines.append(
        ("the model's Malaysia", ai.series(("malaysia_alignment",))["malaysia_alignment"][lo:now], "#777777", "dash")
    )
    chart = charts.alignment_chart(
        xs,
        lines,
        x_range,
        start,
        title="Alignment"
        + (" (first eight students)" if len(session.active_members()) > 8 and session.mode != "roleplay" else ""),
        width=620,
        height=280,
    )
    return f"<div class='cr-chart'>{charts.svg(chart)}</div>"
