"""Debriefs: a player's Malaysia against the model's own Malaysia with the same seed, and in a
role-play each seat's own score against the model's play of that seat.

The comparison world is the class's world with every seat played by the model and the same
injects (the teacher's news), so the only differences are the people's decisions and what followed
from them. Both are scored against Malaysia's targets (:mod:`.targets`) over the same months; a
role-play seat other than Malaysia is also scored on its own objectives (:mod:`.seat_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .menus import SEAT_LABELS
from .seat_targets import SeatScorecard, seat_columns, seat_scorecard
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


def against(you: float, ai: float) -> str:
    """How a score compares with the model's: "about the same as", "12 points more than"..."""
    if abs(you - ai) < 2.5:
        return "about the same as"
    return f"{you - ai:.0f} points more than" if you > ai else f"{ai - you:.0f} points fewer than"


@dataclass(frozen=True)
class SeatCard:
    """A role-play seat's own score: this world against the model's play of the seat (same seed, same news)."""

    seat: str
    player: SeatScorecard
    model: SeatScorecard

    @property
    def verdict(self) -> str:
        label = SEAT_LABELS.get(self.seat, self.seat)
        you, ai = self.player.total, self.model.total
        compare = against(you, ai)
        met, n = self.player.met, len(self.player.scores)
        return (
            f"{label} scored {you:.0f} of 100 on its own objectives ({met} of {n} targets met), {compare} the "
            f"model's own {label} with the same luck ({ai:.0f})."
        )


def seat_card(seat: str, world: World, ai: World, last: int) -> SeatCard:
    """A seat's score in ``world`` and in the model's world ``ai``, both to row ``last``."""
    columns = ("date", *seat_columns(seat))
    return SeatCard(
        seat,
        seat_scorecard(seat, world.series(columns), world.model.config, last),
        seat_scorecard(seat, ai.series(columns), ai.model.config, last),
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
    seat_card: SeatCard | None = None  # a role-play seat's own score (not Malaysia's)

    @property
    def verdict(self) -> str:
        you, ai = self.player.total, self.model.total
        compare = against(you, ai)
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
        if item.by_student and world_key == key:
            decisions.append(
                {
                    "quarter": session.quarter_label(quarter),
                    "seat": SEAT_LABELS.get(item.seat, item.seat),
                    "text": item.shown_label,
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
    own_seat = seat is not None and seat != "malaysia" and session.mode == "roleplay"
    rows = _seat_rows(seat, world, ai, start, last) if own_seat and seat else []
    card = seat_card(seat, world, ai, last) if own_seat and seat else None
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
        seat_card=card,
    )


def _score_row(participant: str, seat: str, card: Scorecard | SeatScorecard, model_total: float) -> dict:
    """One row of the class's scores: who, which seat, the score, the model's score for that seat, the rest."""
    rest = card.as_dict()
    total = rest.pop("total")
    return {"participant": participant, "seat": seat, "total": total, "model_total": round(model_total, 1), **rest}


def _same_columns(rows: list[dict]) -> list[dict]:
    """Rows with every column any of them has (in the order first seen; None where a seat has no such target)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return [{key: row.get(key) for key in columns} for row in rows]


def _roleplay_scores(session: ClassSession, ai: World) -> list[dict]:
    """One row per held seat, scored on its own objectives (Malaysia on the national targets), then the
    class's Malaysia and the model's own Malaysia."""
    world = session.world(session.world_keys()[0])
    last = world.model.tick - 1
    if last < world.start_tick:
        return []
    malaysia = scorecard(world.series(("date", *SERIES)), world.start_tick, last)
    model_malaysia = scorecard(ai.series(("date", *SERIES)), world.start_tick, last)
    rows = []
    for seat, members in session.seated().items():
        if not members:
            continue
        names = ", ".join(m.name for m in members)
        if seat == "malaysia":
            rows.append(_score_row(names, SEAT_LABELS[seat], malaysia, model_malaysia.total))
        else:
            card = seat_card(seat, world, ai, last)
            rows.append(_score_row(names, SEAT_LABELS[seat], card.player, card.model.total))
    rows.append(_score_row("The class's Malaysia (shared world)", "Malaysia", malaysia, model_malaysia.total))
    rows.append(_score_row("The model's own Malaysia (same seed)", "model", model_malaysia, model_malaysia.total))
    return _same_columns(rows)


def class_scores(session: ClassSession) -> list[dict]:
    """One row per participant (individual) or per seat (role-play: each on its own objectives, with
    the model's score for the same seat in ``model_total``), plus the model's Malaysia. Every row has
    the same columns."""
    ai = session.ai_world()
    if session.mode == "roleplay":
        return _roleplay_scores(session, ai)
    rows = []
    latest: int | None = None
    for member in session.active_members():
        world = session.world(member.id)
        latest = world.model.tick - 1
        if latest < world.start_tick:
            continue
        card = scorecard(world.series(("date", *SERIES)), world.start_tick, latest)
        model_card = scorecard(ai.series(("date", *SERIES)), world.start_tick, latest)
        rows.append(_score_row(member.name, "Malaysia", card, model_card.total))
    if latest is not None and latest >= ai.start_tick:
        model_card = scorecard(ai.series(("date", *SERIES)), ai.start_tick, latest)
        rows.append(_score_row("The model's own Malaysia (same seed)", "model", model_card, model_card.total))
    return _same_columns(rows)
