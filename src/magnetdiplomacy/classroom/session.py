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
caller's credential (the teacher's key, a seat token, or a signed-in browser's credential) and checks it before doing
anything, so nothing depends on what a page chooses to show or hide.

Pages learn about changes by waiting on a session's *channels* (``public`` for everything every
student sees, ``owner:<seat or student>`` for a team's plan, ``teacher`` for the console):
:meth:`ClassSession.wait` returns as soon as a channel moves, so a page redraws within moments of
the teacher advancing the clock.
"""

from __future__ import annotations

import logging
import time

from ..interventions import SEATS, ActionError, validate_action
from .auth import hash_secret, new_id, new_secret
from .controls import TeacherControls
from .injects import Inject
from .menus import KEEP, SEAT_LABELS, Choice, Decision, find_choice, plan_actions
from .precedence import lever, teacher_levers
from .records import (
    ALL_WORLDS,
    DEFAULT_HOURS,
    MAX_HEADLINE,
    MAX_NAME,
    MAX_NEWS_TEXT,
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
    OVERRULED,
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


class ClassSession(TeacherControls):
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
                self.worlds[member.id] = rebuild(
                    self.spec, {}, self.fired_for(member.id), self.quarter, self.replays_history
                )
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
                acted = self.acted_for(member)
                if acted and acted != seat and self.status in ("running", "paused"):
                    raise ClassError(
                        f"You have decided for the {SEAT_LABELS[acted]} seat this quarter: you can change seats "
                        "when the quarter moves on (or ask your teacher)."
                    )
            member.seat = seat
            self.store.update_member(member.id, seat=seat)
        self.bump("public")

    def acted_for(self, member: Member) -> str | None:
        """The seat ``member`` chose for or said done for this quarter (role-play), if any: a
        student who has acted for one seat cannot act for another until the quarter moves on."""
        for (quarter, owner), plan in self.plans.items():
            if quarter == self.quarter and any(m == member.id for _, m in plan.values()):
                return owner
        for owner, member_id in self.ready[self.quarter].items():
            if member_id == member.id:
                return owner
        return None

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
        if member.removed:
            raise ClassError("Your teacher has taken you off this class's roster.")
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
            self.store.require_writable()  # before simulating what could not be saved
            quarter = self.quarter
            ticks = self.quarter_ticks(quarter)
            first = ticks[0]
            clock_moving()
            new_fired, turns = self._plans_to_fire(quarter, first)
            # simulate (nothing is written if this fails)
            try:
                for key, seats in turns:
                    fired = [f for k, f, _ in new_fired if k == key] + [
                        f for w, _, f in self.fired if w == ALL_WORLDS and f.tick in ticks
                    ]
                    self.world(key).advance(sorted(fired, key=lambda f: f.tick), seats, self.replays_history)
                self._record_quarter(quarter, new_fired, turns)
            except Exception:
                self.worlds.clear()  # rebuilt from what is recorded on next use
                raise
            if not self.finished and self.settings.auto_injects:
                self._announce_due()
            log.info("class %s: quarter %d simulated (%s)", self.id, quarter, why)
        self.bump("public")
        clock_moving()  # every page redraws now: look-aheads wait

    def _plans_to_fire(
        self, quarter: int, first: int
    ) -> tuple[list[tuple[str, Fired, str]], list[tuple[str, list[str]]]]:
        """Every world's planned changes for the quarter as fired actions (with the key that records
        each once: quarter, owner and decision), and who held which seats."""
        new_fired: list[tuple[str, Fired, str]] = []
        turns: list[tuple[str, list[str]]] = []
        news = teacher_levers((f for w, _, f in self.fired if w == ALL_WORLDS), self.quarter_ticks(quarter))
        for key in self.world_keys():
            world = self.world(key)
            seats = self.seats_for(key)
            for owner in self.owners_on(key):
                seat = self.owner_seat(owner)
                planned = self.plans.get((quarter, owner), {})
                plan = {d: c for d, (c, _) in planned.items()}
                for decision, choice in plan_actions(seat, world.model, plan):
                    params = dict(choice.params)
                    checked = validate_action(choice.change, params)
                    chooser = self.members.get(planned.get(decision.key, ("", ""))[1])
                    # the teacher's news overrides a seat's move on the same lever this quarter
                    source = OVERRULED if lever(choice.change, params) in news else "student"
                    label = f"{decision.title}: {choice.label}"
                    who = chooser.name if chooser else self.names(owner)
                    fired = Fired(first, choice.change, params, seat, source, label, who, checked)
                    new_fired.append((key, fired, f"q{quarter}:{owner}:{decision.key}"))
            turns.append((key, seats))
        return new_fired, turns

    def _record_quarter(
        self, quarter: int, new_fired: list[tuple[str, Fired, str]], turns: list[tuple[str, list[str]]]
    ) -> None:
        """Write the simulated quarter to the store (once: refused if the database has the class
        past it already), then to memory, and move the clock on."""
        status = "running" if self.status == "lobby" else self.status
        if quarter + 1 >= self.n_quarters:
            status, deadline = "finished", None
        elif status == "running" and self.settings.timer_s:
            deadline = time.time() + self.settings.timer_s
        else:
            deadline = None
        with self.store.tx():
            if not self.store.claim_quarter(self.id, quarter, status=status, deadline=deadline):
                self._played_elsewhere(quarter)
            for key, item, once in new_fired:
                self.store.add_fired(self.id, key, quarter, item.to_dict(), once)
            for key, seats in turns:
                self.store.add_turn(self.id, key, quarter, seats)
        self.quarter, self.status, self.deadline = quarter + 1, status, deadline
        self.fired += [(key, quarter, item) for key, item, _ in new_fired]
        for key, seats in turns:
            self.turns[key][quarter] = seats

    def _played_elsewhere(self, quarter: int) -> None:
        log.error("class %s: quarter %d is already past in the database (another server?): reloaded", self.id, quarter)
        self.reload()
        raise ClassError(
            f"{self.quarter_label(quarter)} has been simulated already (the class database is ahead of this server): "
            "the class is shown as the database has it."
        )

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
        body = inject.text.strip()
        if inject.question:
            body = f"{body}\n\nQuestion: {inject.question.strip()}".strip()
        fired = []
        with self.store.tx():
            if inject.id and kind == "inject" and self.store.inject_fired(self.id, inject.id):
                self.inject_status[inject.id] = "fired"  # another server announced it (the database says)
                return
            news_id = self.store.add_news(self.id, self.quarter, month, kind, inject.headline, body, inject.id)
            once = f"inject:{inject.id}" if inject.id and kind == "inject" else f"news:{news_id}"
            for i, (name, params) in enumerate(inject.fired_actions()):
                item = Fired(tick, name, params, "", kind, inject.headline, "")
                if self.store.add_fired(self.id, ALL_WORLDS, self.quarter, item.to_dict(), f"{once}:{i}"):
                    fired.append((ALL_WORLDS, self.quarter, item))
            if inject.id and kind == "inject":
                self.store.set_inject(self.id, inject.id, "fired", self.quarter)
        if inject.id and kind == "inject":
            self.inject_status[inject.id] = "fired"
        self.fired += fired
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
            text = str(text or "").strip()
            if len(headline) < 3:
                raise ClassError("Write a headline for the news.")
            if len(headline) > MAX_HEADLINE:
                raise ClassError(f"The headline is {len(headline)} characters: keep it to {MAX_HEADLINE}.")
            if len(text) > MAX_NEWS_TEXT:
                raise ClassError(f"The text is {len(text)} characters: keep it to {MAX_NEWS_TEXT}.")
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
