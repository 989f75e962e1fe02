"""Who wins when two sources set the same lever: the teacher's news, students' moves and history.

A *lever* is what an action sets: the actor, the kind of measure and whom it is aimed at (the
action's ``target`` parameter when it has one, e.g. the US tariff on Malaysia and the US tariff on
China are two levers). Two rules, stated to students in docs/classroom/facilitator_notes.md:

* **The teacher's news overrides the seats.** When the teacher's news (a scripted or ad hoc
  inject) and a seat's move set the same lever in the same quarter, the news is carried out and the
  seat's move is not; the move stays on the record, marked as overruled, and the news says so.
* **History and students' moves** (the class's ``history`` setting): with ``diverge`` (the
  default) a replayed event of real history that would set a lever a student has already set is
  left out of that world from then on, and the news says what really happened and that it did
  not happen here; with ``replayed`` history is carried out as it happened and the news says
  whose move it undid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..interventions import ACTIONS


def lever(action: str, params: Mapping[str, Any] | Any | None = None) -> tuple[str, str, str]:
    """(actor, kind, target) of what ``action`` sets; ``params`` may be a dict or validated params."""
    spec = ACTIONS[action]
    if params is not None and not isinstance(params, Mapping):
        params = params.model_dump() if hasattr(params, "model_dump") else {}
    target = (params or {}).get("target") or spec.target
    # an action that lifts a measure sets the same lever as the one that imposes it
    return spec.actor, spec.kind, str(target)


def teacher_levers(items: Iterable[Any], ticks: range) -> set[tuple[str, str, str]]:
    """Levers the teacher's news sets in the months ``ticks`` (``items``: fired actions)."""
    return {lever(f.action, f.params) for f in items if f.source in ("inject", "teacher") and f.tick in ticks}


@dataclass(frozen=True)
class HistoryClash:
    """A replayed event of real history that sets a lever a student had already set."""

    tick: int  # the month history acts
    description: str  # what really happened (events.csv)
    seat: str  # the seat whose move it meets
    who: str  # who made that move
    move: str  # the move, as people read it
    carried_out: bool  # True: history replayed (the move undone); False: left out of this world


def meet_history(scheduled: list, move: Any, replay_history: bool) -> tuple[list, list[HistoryClash]]:
    """Replayed history in ``scheduled`` (a model's schedule) that will set the lever of a student's
    ``move`` after the month it is made. Returns the schedule to keep (such history left out unless
    ``replay_history``) and the clashes found."""
    target = lever(move.action, move.params)
    keep, found = [], []
    for item in scheduled:
        if (
            item.tick > move.tick
            and str(item.source).startswith("events.csv")
            and lever(item.name, item.params) == target
        ):
            found.append(HistoryClash(item.tick, item.description, move.seat, move.who, move.label, replay_history))
            if not replay_history:
                continue
        keep.append(item)
    return keep, found
