"""Class sessions: who is in a class, what they chose, the clock, the news, and the worlds.

Three kinds of session share one machinery:

* ``solo``: one student plays Malaysia in their own world and moves the clock themselves.
* ``individual``: every student plays Malaysia in their own world; the teacher moves the clock
  for everyone and sees all results side by side.
* ``roleplay``: students take seats (US, China, Malaysia, Lynas, JS Link, buyers' association) in
  one shared world; several students may share a seat as a team; the model plays empty seats.

A :class:`ClassSession` holds one class in memory and writes every change to the
:class:`~magnetdiplomacy.classroom.store.Store` as it happens. The :class:`Classroom` is the
server's registry of sessions and the only way pages reach them: each of its methods takes the
caller's credential (the teacher's key or a student's seat token) and checks it before doing
anything, so nothing depends on what a page chooses to show or hide.

Pages learn about changes by waiting on a session's *channels* (``public`` for everything every
student sees, ``owner:<seat or student>`` for a team's plan, ``teacher`` for the console):
:meth:`ClassSession.wait` returns as soon as a channel moves, so a page redraws within moments of
the teacher advancing the clock.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from typing import Any

from ..interventions import SEATS, ActionError, validate_action
from .auth import hash_secret, new_id, new_secret
from .injects import Inject
from .menus import KEEP, SEAT_LABELS, Choice, Decision, find_choice, plan_actions
from .records import (
    ALL_WORLDS,
    DEFAULT_HOURS,
    MAX_NAME,
    MODE_LABELS,
    MODES,
    OPEN,
    SHARED,
    STATUS_LABELS,
    ClassError,
    Member,
    NewsItem,
    PlanLine,
    Settings,
    clean_name,
)
from .state import ClassState
from .world import (
    Fired,
    clock_moving,
    rebuild,
    tick_of_month,
)

log = logging.getLogger(__name__)

__all__ = [
    "ALL_WORLDS",
    "DEFAULT_HOURS",
    "MAX_NAME",
    "MODES",
    "MODE_LABELS",
    "OPEN",
    "SHARED",
    "STATUS_LABELS",
    "ClassError",
    "ClassSession",
    "ClassState",
    "Member",
    "NewsItem",
    "PlanLine",
    "Settings",
    "clean_name",
]


class ClassSession(ClassState):
    """One class (or solo game) in memory, mirrored to the store: what students and the teacher do."""

    # ---- students ---------------------------------------------------------------------------------

    def add_member(self, name: str) -> tuple[Member, str]:
        with self.lock:
            token = new_secret()
            member = Member(
                new_id(),
                clean_name(name),
                None if self.mode == "roleplay" else "malaysia",
                hash_secret(token),
                time.time(),
                self.quarter,
            )
            if self.mode != "roleplay":
                # a world of one's own, caught up with the class (the model played Malaysia until now)
                self.worlds[member.id] = rebuild(self.spec, {}, self.fired_for(member.id), self.quarter)
            self.store.insert_member(
                {
                    "id": member.id,
                    "class_id": self.id,
                    "name": member.name,
                    "seat": member.seat,
                    "token_hash": member.token_hash,
                    "joined": member.joined,
                    "joined_quarter": member.joined_quarter,
                    "last_seen": member.joined,
                }
            )
            self.members[member.id] = member
        self.bump("public")
        return member, token

    def claim_seat(self, member: Member, seat: str | None) -> None:
        with self.lock:
            if self.mode != "roleplay":
                raise ClassError("Everyone plays Malaysia in this class.")
            if not self.is_open:
                raise ClassError("This class has ended.")
            if seat is not None:
                if seat not in SEATS:
                    raise ClassError(f"There is no seat called '{seat}'.")
                taken = [m for m in self.seated()[seat] if m.id != member.id]
                if len(taken) >= self.settings.seat_size:
                    raise ClassError(f"The {SEAT_LABELS[seat]} seat is full ({', '.join(m.name for m in taken)}).")
            member.seat = seat
            self.store.update_member(member.id, seat=seat)
        self.bump("public")

    def choose(self, member: Member, decision: str, choice: str) -> tuple[Decision, Choice]:
        with self.lock:
            seat, owner = self._can_decide(member)
            world = self.world(self.world_key(member))
            item, picked = find_choice(seat, world.model, decision, choice)
            plan = self.plans[(self.quarter, owner)]
            if picked.key == KEEP:
                plan.pop(decision, None)
                self.store.set_plan(self.id, self.quarter, owner, decision, None, member.id)
            else:
                plan[decision] = (picked.key, member.id)
                self.store.set_plan(self.id, self.quarter, owner, decision, picked.key, member.id)
            if owner in self.ready[self.quarter]:
                self.ready[self.quarter].pop(owner)
                self.store.set_ready(self.id, self.quarter, owner, member.id, False)
        self.bump(f"owner:{owner}")
        return item, picked

    def set_ready(self, member: Member, ready: bool) -> bool:
        """Say the seat is done (or not) for this quarter; returns True if the clock moved."""
        with self.lock:
            _, owner = self._can_decide(member)
            if ready:
                self.ready[self.quarter][owner] = member.id
            else:
                self.ready[self.quarter].pop(owner, None)
            self.store.set_ready(self.id, self.quarter, owner, member.id, ready)
            moved = False
            if ready and self.settings.auto_advance and self.status == "running" and self.all_ready():
                self.advance("everyone was done")
                moved = True
        if not moved:
            self.bump(f"owner:{owner}")
        return moved

    def _can_decide(self, member: Member) -> tuple[str, str]:
        if self.status == "paused":
            raise ClassError("Your teacher has paused the class.")
        if not self.is_open or self.finished:
            raise ClassError("This class has ended.")
        seat, owner = self.seat_of(member), self.owner_of(member)
        if seat is None or owner is None:
            raise ClassError("Take a seat first.")
        return seat, owner

    # ---- the clock ---------------------------------------------------------------------------------

    def start(self) -> None:
        with self.lock:
            if self.status != "lobby":
                return
            self.status = "running"
            self.deadline = time.time() + self.settings.timer_s if self.settings.timer_s else None
            self.store.update_class(self.id, status=self.status, deadline=self.deadline)
            moved = self.settings.auto_advance and self.all_ready()
            if moved:
                self.advance("everyone was done")
                return
        self.bump("public")

    def advance(self, why: str = "teacher") -> None:
        """Simulate the current quarter in every world of the class and open the next one."""
        with self.lock:
            if self.finished:
                raise ClassError("The class has reached its last quarter.")
            if self.status not in OPEN:
                raise ClassError("This class has ended.")
            if self.status == "paused":
                raise ClassError("The class is paused: resume it first.")
            quarter = self.quarter
            ticks = self.quarter_ticks(quarter)
            first = ticks[0]
            clock_moving()
            new_fired, turns = self._plans_to_fire(quarter, first)
            # simulate (nothing is written if this fails)
            try:
                for key, seats in turns:
                    fired = [f for k, f in new_fired if k == key] + [
                        f for w, _, f in self.fired if w == ALL_WORLDS and f.tick in ticks
                    ]
                    self.world(key).advance(sorted(fired, key=lambda f: f.tick), seats)
            except Exception:
                self.worlds.clear()  # rebuilt from the store on next use
                raise
            self._record_quarter(quarter, new_fired, turns)
            if not self.finished and self.settings.auto_injects:
                self._announce_due()
            log.info("class %s: quarter %d simulated (%s)", self.id, quarter, why)
        self.bump("public")
        clock_moving()  # every page redraws now: look-aheads wait

    def _plans_to_fire(self, quarter: int, first: int) -> tuple[list[tuple[str, Fired]], list[tuple[str, list[str]]]]:
        """Every world's planned changes for the quarter as fired actions, and who held which seats."""
        new_fired: list[tuple[str, Fired]] = []
        turns: list[tuple[str, list[str]]] = []
        for key in self.world_keys():
            world = self.world(key)
            seats = self.seats_for(key)
            for owner in self.owners_on(key):
                seat = self.owner_seat(owner)
                plan = {d: c for d, (c, _) in self.plans.get((quarter, owner), {}).items()}
                for decision, choice in plan_actions(seat, world.model, plan):
                    params = dict(choice.params)
                    checked = validate_action(choice.change, params)
                    new_fired.append(
                        (
                            key,
                            Fired(
                                first,
                                choice.change,
                                params,
                                seat,
                                "student",
                                f"{decision.title}: {choice.label}",
                                self.names(owner),
                                checked,
                            ),
                        )
                    )
            turns.append((key, seats))
        return new_fired, turns

    def _record_quarter(
        self, quarter: int, new_fired: list[tuple[str, Fired]], turns: list[tuple[str, list[str]]]
    ) -> None:
        """Write the simulated quarter to the store and to memory, and move the clock on."""
        with self.store.tx():
            for key, item in new_fired:
                self.store.add_fired(self.id, key, quarter, item.to_dict())
            for key, seats in turns:
                self.store.add_turn(self.id, key, quarter, seats)
            self.quarter = quarter + 1
            if self.status == "lobby":
                self.status = "running"
            if self.finished:
                self.status = "finished"
                self.deadline = None
            elif self.status == "running" and self.settings.timer_s:
                self.deadline = time.time() + self.settings.timer_s
            else:
                self.deadline = None
            self.store.update_class(self.id, quarter=self.quarter, status=self.status, deadline=self.deadline)
        self.fired += [(key, quarter, item) for key, item in new_fired]
        for key, seats in turns:
            self.turns[key][quarter] = seats

    def pause(self, paused: bool) -> None:
        with self.lock:
            if paused and self.status in ("lobby", "running"):
                self.status, self.deadline = "paused", None
            elif not paused and self.status == "paused":
                self.status = "running"
                self.deadline = time.time() + self.settings.timer_s if self.settings.timer_s else None
            else:
                return
            self.store.update_class(self.id, status=self.status, deadline=self.deadline)
        self.bump("public")

    def configure(self, **changes: Any) -> None:
        with self.lock:
            for key, value in changes.items():
                if key not in Settings.__dataclass_fields__:
                    raise ClassError(f"unknown setting '{key}'")
                setattr(self.settings, key, type(getattr(self.settings, key))(value))
            if "timer_s" in changes:
                self.deadline = (
                    time.time() + self.settings.timer_s if self.settings.timer_s and self.status == "running" else None
                )
            self.store.update_class(self.id, settings=json.dumps(asdict(self.settings)), deadline=self.deadline)
            moved = (
                "auto_advance" in changes
                and self.settings.auto_advance
                and self.status == "running"
                and self.all_ready()
            )
            if moved:
                self.advance("everyone was done")
                return
        self.bump("public")

    def end(self) -> None:
        with self.lock:
            if self.status in ("finished", "closed"):
                return
            self.status, self.deadline = "finished", None
            self.store.update_class(self.id, status=self.status, deadline=None)
        self.bump("public")

    def free_seat(self, member_id: str) -> None:
        with self.lock:
            member = self.members.get(member_id)
            if member is None:
                raise ClassError("No such student in this class.")
            if self.mode != "roleplay":
                raise ClassError("Seats are only used in role-play.")
            member.seat = None
            self.store.update_member(member.id, seat=None)
        self.bump("public")

    # ---- news and injects ---------------------------------------------------------------------------

    def _announce_due(self) -> None:
        """Fire the scripted injects whose month falls in the current quarter (still pending)."""
        if self.script is None:
            return
        ticks = self.quarter_ticks(self.quarter)
        for inject in self.script.injects:
            if self.inject_status.get(inject.id, "pending") != "pending":
                continue
            tick = tick_of_month(self.spec, inject.date)
            if tick <= ticks[-1]:
                self._fire_inject(inject, max(tick, ticks[0]))

    def _fire_inject(self, inject: Inject, tick: int, kind: str = "inject") -> None:
        month = self.calendar.label(tick)
        with self.store.tx():
            for name, params in inject.fired_actions():
                item = Fired(tick, name, params, "", kind, inject.headline, "")
                self.store.add_fired(self.id, ALL_WORLDS, self.quarter, item.to_dict())
                self.fired.append((ALL_WORLDS, self.quarter, item))
            body = inject.text.strip()
            if inject.question:
                body = f"{body}\n\nQuestion: {inject.question.strip()}".strip()
            news_id = self.store.add_news(self.id, self.quarter, month, kind, inject.headline, body, inject.id)
            if inject.id and kind == "inject":
                self.store.set_inject(self.id, inject.id, "fired", self.quarter)
                self.inject_status[inject.id] = "fired"
        self.news.append(NewsItem(news_id, self.quarter, month, kind, inject.headline, body, inject.id, time.time()))

    def fire_scripted(self, inject_id: str) -> None:
        with self.lock:
            self._check_open()
            if self.script is None:
                raise ClassError("This class has no inject script.")
            try:
                inject = self.script.inject(inject_id)
            except KeyError:
                raise ClassError(f"No inject '{inject_id}' in the script.") from None
            if self.inject_status.get(inject_id, "pending") == "fired":
                raise ClassError("That inject has already been fired.")
            ticks = self.quarter_ticks(self.quarter)
            tick = tick_of_month(self.spec, inject.date)
            self._fire_inject(inject, tick if ticks[0] <= tick <= ticks[-1] else ticks[0])
        self.bump("public")

    def skip_scripted(self, inject_id: str) -> None:
        with self.lock:
            if self.script is None or inject_id not in {i.id for i in self.script.injects}:
                raise ClassError(f"No inject '{inject_id}' in the script.")
            if self.inject_status.get(inject_id, "pending") == "fired":
                raise ClassError("That inject has already been fired.")
            status = "pending" if self.inject_status.get(inject_id) == "skipped" else "skipped"
            self.store.set_inject(self.id, inject_id, status, self.quarter)
            self.inject_status[inject_id] = status
        self.bump("teacher")

    def fire_adhoc(self, headline: str, text: str = "", action: str | None = None, params: dict | None = None) -> None:
        with self.lock:
            self._check_open()
            headline = " ".join(str(headline or "").split())
            if len(headline) < 3:
                raise ClassError("Write a headline for the news.")
            actions = []
            if action:
                try:
                    validate_action(action, params or {})
                except ActionError as err:
                    raise ClassError(str(err)) from None
                actions = [{"action": action, "params": dict(params or {})}]
            inject = Inject(
                id="",
                date=self.calendar.label(self.quarter_ticks(self.quarter)[0]),
                headline=headline,
                text=text or "",
                actions=actions,
            )
            self._fire_inject(inject, self.quarter_ticks(self.quarter)[0], kind="teacher")
        self.bump("public")

    def _check_open(self) -> None:
        if not self.is_open or self.finished:
            raise ClassError("This class has ended.")
