"""The teacher's hold on the roster and on the class's life: free a seat, remove a student (a ghost
left by a lost link, a fake name), merge a student's two records, extend or reopen the class, and
how replayed history meets students' moves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html import escape

import solara

from ..auth import AccessDenied
from ..controls import REOPEN_DAYS
from ..menus import SEAT_LABELS
from ..records import HISTORY_MODES, OVER, ClassError, Member
from ..room import get_classroom
from ..session import ClassSession
from .common import clock_text, div, html

EXTEND_DAYS = 7  # one more week: a weekly unit's next lesson


def act(error: solara.Reactive[str], fn, *args, **kwargs):  # noqa: ANN001, ANN202 (a button's callback)
    """A button's callback: ``fn(*args, **kwargs)``, a refusal shown in ``error`` instead of raised."""

    def run():
        error.value = ""
        try:
            fn(*args, **kwargs)
        except (AccessDenied, ClassError) as err:
            error.value = str(err)

    return run


def member_labels(session: ClassSession) -> dict[str, str]:
    """A label per student on the roster that tells apart two students with the same name."""
    members = session.active_members()
    twice = Counter(m.name for m in members)
    seen: Counter[str] = Counter()
    out = {}
    for member in members:  # in the order they joined
        label = member.name
        if member.seat and session.mode == "roleplay":
            label += f" ({SEAT_LABELS[member.seat]})"
        if twice[member.name] > 1:
            seen[member.name] += 1
            label += f", #{seen[member.name]} of {twice[member.name]} with this name, joined "
            label += f"{dt.datetime.fromtimestamp(member.joined):%H:%M:%S}"
        out[label] = member.id
    return out


@solara.component
def RosterControls(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()
    pick: solara.Reactive[str | None] = solara.use_reactive(None)
    other: solara.Reactive[str | None] = solara.use_reactive(None)
    confirm = solara.use_reactive(False)
    error = solara.use_reactive("")
    labels = member_labels(session)
    if not labels:
        return
    chosen = labels.get(pick.value or "", "")
    member: Member | None = session.members.get(chosen)
    with div("cr-roster-controls"):
        solara.Select("A student", values=list(labels), value=pick, classes=["cr-roster-pick"])
        with div("cr-buttons"):
            if session.mode == "roleplay":
                solara.Button(
                    "Free their seat",
                    on_click=act(error, room.free_seat, class_id, key, chosen),
                    small=True,
                    outlined=True,
                    disabled=member is None or not member.seat,
                    classes=["cr-free"],
                )
            _remove_button(member, confirm, act(error, room.remove_member, class_id, key, chosen), pick)
        others = [label for label, mid in labels.items() if mid != chosen]
        if member is not None and others:
            html(
                "<div class='cr-help'>Joined twice (a lost link)? Pick the record to keep above and the new link "
                "below: the student using the new link carries on with the record kept.</div>"
            )
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
                solara.Select("Now using the link of", values=others, value=other, classes=["cr-merge-pick"])
                solara.Button(
                    "Merge",
                    on_click=act(error, room.merge_members, class_id, key, chosen, labels.get(other.value or "", "")),
                    small=True,
                    outlined=True,
                    disabled=other.value not in labels,
                    classes=["cr-merge"],
                )
    if error.value:
        html(escape(error.value), ["cr-error"])


def _remove_button(
    member: Member | None,
    confirm: solara.Reactive[bool],
    remove,
    pick: solara.Reactive[str | None],  # noqa: ANN001
) -> None:
    """Remove a student, after a confirmation."""
    if not confirm.value:
        solara.Button(
            "Remove from the class",
            on_click=lambda: confirm.set(True),
            small=True,
            outlined=True,
            disabled=member is None,
            classes=["cr-remove"],
        )
        return
    html(
        f"Remove {escape(member.name if member else '')}? Their link stops working; their records stay.",
        ["cr-small"],
        tag="span",
    )

    def confirmed() -> None:
        remove()
        confirm.set(False)
        pick.set(None)

    solara.Button("Yes, remove", on_click=confirmed, color="error", small=True, classes=["cr-remove-confirm"])
    solara.Button("No", on_click=lambda: confirm.set(False), text=True, small=True)


def class_life(session: ClassSession, class_id: str, key: str, error: solara.Reactive[str]) -> None:
    """Until when the class runs, extending or reopening it, and the history rule."""
    room = get_classroom()
    if session.status == "paused" and session.remaining is not None:
        html(
            f"<div class='cr-small cr-paused-left' data-left='{session.remaining:.0f}'>Paused: "
            f"{clock_text(int(round(session.remaining)))}; the timer carries on from there when you resume.</div>"
        )
    until = dt.datetime.fromtimestamp(session.expires)
    state = "expired" if session.status == "expired" else "open until"
    html(
        f"<div class='cr-small cr-expires' data-expires='{session.expires:.0f}'>The class and its code: {state} "
        f"{until:%d %B %Y, %H:%M}.</div>"
    )
    with div("cr-buttons"):
        if not session.finished:
            solara.Button(
                f"Extend by {EXTEND_DAYS} days",
                on_click=act(error, room.extend, class_id, key, EXTEND_DAYS),
                small=True,
                text=True,
                classes=["cr-extend"],
            )
        if session.status in OVER and not session.finished:
            solara.Button(
                "Reopen the class (paused)",
                on_click=act(error, room.reopen, class_id, key),
                small=True,
                outlined=True,
                classes=["cr-reopen"],
            )
            html(f"Reopening keeps everything played so far, for at least {REOPEN_DAYS:.0f} days.", ["cr-small"])
    if session.status == "lobby" and session.quarter == 0:
        solara.Select(
            "When replayed history would undo a student's move",
            values=list(HISTORY_MODES.values()),
            value=HISTORY_MODES[session.settings.history],
            on_value=lambda v: act(
                error, room.configure, class_id, key, history={t: k for k, t in HISTORY_MODES.items()}[v]
            )(),
            classes=["cr-history-rule"],
        )
    else:
        html(f"<div class='cr-small cr-history-rule'>History: {escape(HISTORY_MODES[session.settings.history])}.</div>")
