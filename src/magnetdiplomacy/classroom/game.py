"""Debriefs: a player's Malaysia against the model's own Malaysia with the same seed.

The comparison world is the class's world with every seat played by the model and the same
injects (the teacher's news), so the only differences are the people's decisions and what followed
from them. Both are scored against Malaysia's targets (:mod:`.targets`) over the same months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .menus import SEAT_LABELS
from .session import ClassSession, Member
from .targets import Scorecard, as_dates, scorecard
from .world import METRICS, SEAT_METRICS, World, fmt_value

SERIES = (
    "malaysia_alignment",
    "malaysia_magnet_share_nonchina",
    "malaysia_direct_jobs",
    "malaysia_export_revenue_usd",
    "us_tariff_malaysia",
    "malaysia_incentive_cost_usd",
    "malaysia_value_added_usd",
)


@dataclass
class Debrief:
    title: str
    subject: str  # whose path: "your Malaysia", "the class's Malaysia"
    player: Scorecard
    model: Scorecard
    start_tick: int
    last_tick: int
    dates: list  # monthly dates from the start of the class's window (12 months before it starts)
    first_index: int  # index in ``dates`` of the first month played
    you: dict[str, list[float]]
    ai: dict[str, list[float]]
    decisions: list[dict]  # quarter, seat, text, who
    model_decisions: list[tuple[str, str]]  # month, what the model's Malaysia did
    seat: str | None = None
    seat_rows: list[tuple[str, str, str]] = field(default_factory=list)  # metric label, yours, model's (at the end)
    complete: bool = True

    @property
    def verdict(self) -> str:
        you, ai = self.player.total, self.model.total
        if abs(you - ai) < 2.5:
            compare = "about the same as"
        elif you > ai:
            compare = f"{you - ai:.0f} points more than"
        else:
            compare = f"{ai - you:.0f} points fewer than"
        met = self.player.met
        return (
            f"{self.subject[0].upper() + self.subject[1:]} scored {you:.0f} of 100 ({met} of 4 targets met), {compare} "
            f"the model's own Malaysia with the same luck ({ai:.0f})."
        )


def _model_decisions(world: World, first: int, last: int) -> list[tuple[str, str]]:
    out = []
    for row in world.events(first, last + 1):
        if row["source"] == "agent" and row["actor"] == "Malaysia" and "expired unanswered" not in row["description"]:
            out.append((world.label(row["tick"]), row["description"]))
    return out


def _student_decisions(session: ClassSession, key: str) -> list[dict]:
    """The decisions students made in a world, quarter by quarter."""
    decisions = []
    for world_key, quarter, item in session.fired:
        if item.source == "student" and world_key == key:
            decisions.append(
                {
                    "quarter": session.quarter_label(quarter),
                    "seat": SEAT_LABELS.get(item.seat, item.seat),
                    "text": item.label,
                    "who": item.who,
                }
            )
    return decisions


def _seat_rows(seat: str, world: World, ai: World, start: int, last: int) -> list[tuple[str, str, str]]:
    """A seat's own measures over the last twelve months: this world against the model's."""
    rows = []
    for metric_key in SEAT_METRICS[seat]:
        metric = METRICS[metric_key]
        rows.append(
            (
                metric.label,
                fmt_value(metric, world.window(metric.column, max(start, last - 11), last + 1, metric.how)),
                fmt_value(metric, ai.window(metric.column, max(start, last - 11), last + 1, metric.how)),
            )
        )
    return rows


def debrief(session: ClassSession, member: Member | None = None) -> Debrief:
    """The debrief of a member's world (individual, solo) or of the class's world (role-play)."""
    key = session.world_key(member) if member is not None else session.world_keys()[0]
    world = session.world(key)
    ai = session.ai_world()
    start = world.start_tick
    last = world.model.tick - 1
    if last < start:
        raise ValueError("no quarter has been played yet")
    mine = world.series(("date", *SERIES))
    theirs = ai.series(("date", *SERIES))
    player = scorecard(mine, start, last)
    model = scorecard(theirs, start, last)
    lo = max(0, start - 12)
    you = {k: [float(v) for v in mine[k][lo : last + 1]] for k in SERIES}
    them = {k: [float(v) for v in theirs[k][lo : last + 1]] for k in SERIES}
    decisions = _student_decisions(session, key)
    seat = session.seat_of(member) if member is not None else None
    rows = _seat_rows(seat, world, ai, start, last) if seat and seat != "malaysia" else []
    if session.mode == "roleplay":
        subject, title = "the class's Malaysia", f"Debrief: {session.name}"
    else:
        name = member.name if member is not None else ""
        subject, title = "your Malaysia", f"Debrief: {name}'s Malaysia"
    return Debrief(
        title,
        subject,
        player,
        model,
        start,
        last,
        as_dates(mine["date"][lo : last + 1]),
        start - lo,
        you,
        them,
        decisions,
        _model_decisions(ai, start, last),
        seat,
        rows,
        complete=session.finished,
    )


def class_scores(session: ClassSession) -> list[dict]:
    """One row per participant (individual) or per seat (role-play), plus the model's Malaysia."""
    rows = []
    ai = session.ai_world()
    if session.mode == "roleplay":
        world = session.world(session.world_keys()[0])
        last = world.model.tick - 1
        if last >= world.start_tick:
            card = scorecard(world.series(("date", *SERIES)), world.start_tick, last)
            people = session.seated()
            for seat, members in people.items():
                if members:
                    rows.append(
                        {"participant": ", ".join(m.name for m in members), "seat": SEAT_LABELS[seat], **card.as_dict()}
                    )
            rows.append({"participant": "The class's Malaysia (shared world)", "seat": "Malaysia", **card.as_dict()})
            rows.append(
                {
                    "participant": "The model's own Malaysia (same seed)",
                    "seat": "model",
                    **scorecard(ai.series(("date", *SERIES)), world.start_tick, last).as_dict(),
                }
            )
        return rows
    latest: int | None = None
    for member in session.members.values():
        world = session.world(member.id)
        latest = world.model.tick - 1
        if latest < world.start_tick:
            continue
        card = scorecard(world.series(("date", *SERIES)), world.start_tick, latest)
        rows.append({"participant": member.name, "seat": "Malaysia", **card.as_dict()})
    if latest is not None and latest >= ai.start_tick:
        rows.append(
            {
                "participant": "The model's own Malaysia (same seed)",
                "seat": "model",
                **scorecard(ai.series(("date", *SERIES)), ai.start_tick, latest).as_dict(),
            }
        )
    return rows
