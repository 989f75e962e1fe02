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
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from ..interventions import ACTIONS, SEATS, ActionError, validate_action
from .auth import AccessDenied, JoinError, check_secret, hash_secret, new_id, new_join_code, new_secret, normalise_code
from .injects import Inject, Script, ScriptError, load_script, parse_script
from .menus import KEEP, SEAT_LABELS, Choice, Decision, MenuError, find_choice, plan_actions
from .store import Store
from .world import QUARTER, Calendar, Comparison, Fired, World, WorldError, WorldSpec, clock_moving, month_name, rebuild, tick_of_month, tidy

log = logging.getLogger(__name__)

MODES = ("solo", "individual", "roleplay")
MODE_LABELS = {"solo": "Play as Malaysia", "individual": "Individual: everyone plays Malaysia", "roleplay": "Role-play: students take seats"}
OPEN = ("lobby", "running", "paused")
STATUS_LABELS = {"lobby": "Waiting to start", "running": "Running", "paused": "Paused", "finished": "Finished", "closed": "Closed"}
SHARED = "shared"  # the world key of a role-play class
ALL_WORLDS = "*"  # fired rows for every world of a class (injects)
DEFAULT_HOURS = 24.0 * 14  # a class (and its join code) lasts two weeks unless the teacher ends it
MAX_NAME = 40


class ClassError(ValueError):
    """Something that cannot be done now (the class is paused, the seat is full, ...)."""


@dataclass
class Settings:
    auto_advance: bool = True  # advance as soon as every seat has said it is done
    timer_s: int = 0  # seconds per quarter (0: no timer)
    auto_injects: bool = True  # announce scripted injects when their quarter begins
    seat_size: int = 6  # students per seat in role-play

    @classmethod
    def from_json(cls, text: str | None) -> "Settings":
        data = json.loads(text or "{}")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class Member:
    id: str
    name: str
    seat: str | None
    token_hash: str
    joined: float
    joined_quarter: int = 0


@dataclass
class NewsItem:
    id: int
    quarter: int
    month: str
    kind: str  # inject | teacher | class
    headline: str
    body: str
    inject_id: str
    created: float


@dataclass(frozen=True)
class PlanLine:
    decision: str
    title: str
    choice: str
    label: str
    who: str


def clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())[:MAX_NAME]
    if not name:
        raise ClassError("Please type your name.")
    return name


class ClassSession:
    """One class (or solo game) in memory, mirrored to the store."""

    def __init__(self, store: Store, row: dict) -> None:
        self.store = store
        self.id: str = row["id"]
        self.code: str | None = row["code"]
        self.name: str = row["name"]
        self.mode: str = row["mode"]
        self.teacher_hash: str = row["teacher_hash"] or ""
        self.spec = WorldSpec.from_json(row["spec"])
        self.script: Script | None = parse_script(json.loads(row["script"])) if row["script"] else None
        self.settings = Settings.from_json(row["settings"])
        self.status: str = row["status"]
        self.quarter: int = int(row["quarter"])
        self.deadline: float | None = row["deadline"]
        self.created: float = row["created"]
        self.expires: float = row["expires"]
        self.lock = threading.RLock()
        self.cond = threading.Condition(threading.Lock())
        self.versions: dict[str, int] = defaultdict(int)
        self.online: dict[str, int] = defaultdict(int)  # member id -> open pages
        self.members: dict[str, Member] = {}
        self.plans: dict[tuple[int, str], dict[str, tuple[str, str]]] = defaultdict(dict)  # (quarter, owner) -> decision -> (choice, member id)
        self.ready: dict[int, dict[str, str]] = defaultdict(dict)  # quarter -> owner -> member id
        self.fired: list[tuple[str, int, Fired]] = []  # (world key, quarter, action)
        self.turns: dict[str, dict[int, list[str]]] = defaultdict(dict)  # world key -> quarter -> seats
        self.news: list[NewsItem] = []
        self.inject_status: dict[str, str] = {}
        self.worlds: dict[str, World] = {}
        self._ai: tuple[int, World] | None = None
        self.calendar = Calendar.of(self.spec)
        self.n_quarters = self.calendar.n_quarters
        self._load()

    # ---- loading ---------------------------------------------------------------------------

    def _load(self) -> None:
        for row in self.store.members(self.id):
            self.members[row["id"]] = Member(row["id"], row["name"], row["seat"], row["token_hash"], row["joined"], int(row["joined_quarter"] or 0))
        for row in self.store.plans(self.id):
            self.plans[(row["quarter"], row["owner"])][row["decision"]] = (row["choice"], row["member_id"])
        for row in self.store.ready(self.id):
            self.ready[row["quarter"]][row["owner"]] = row["member_id"]
        for row in self.store.fired(self.id):
            self.fired.append((row["world"], row["quarter"], Fired(row["tick"], row["action"], row["params"], row["seat"], row["source"], row["label"], row["who"])))
        for row in self.store.turns(self.id):
            self.turns[row["world"]][row["quarter"]] = row["seats"]
        for row in self.store.news(self.id):
            self.news.append(NewsItem(row["id"], row["quarter"], row["month"], row["kind"], row["headline"], row["body"], row["inject_id"], row["created"]))
        for row in self.store.injects(self.id):
            self.inject_status[row["inject_id"]] = row["status"]

    # ---- channels ---------------------------------------------------------------------------

    def bump(self, *channels: str) -> None:
        with self.cond:
            for channel in set(channels) | {"teacher"}:
                self.versions[channel] += 1
            self.cond.notify_all()

    def version(self, channels: Iterable[str]) -> tuple[int, ...]:
        with self.cond:
            return tuple(self.versions[c] for c in channels)

    def wait(self, channels: Iterable[str], seen: tuple[int, ...], timeout: float) -> tuple[int, ...]:
        """Block until one of ``channels`` moves past ``seen`` (or ``timeout`` seconds pass)."""
        channels = tuple(channels)
        with self.cond:
            self.cond.wait_for(lambda: tuple(self.versions[c] for c in channels) != seen, timeout=timeout)
            return tuple(self.versions[c] for c in channels)

    def wake(self) -> None:
        with self.cond:
            self.cond.notify_all()

    # ---- who is who ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN and time.time() < self.expires

    def seat_of(self, member: Member) -> str | None:
        return member.seat if self.mode == "roleplay" else "malaysia"

    def owner_of(self, member: Member) -> str | None:
        if self.mode == "roleplay":
            return member.seat
        return member.id

    def world_key(self, member: Member) -> str:
        return SHARED if self.mode == "roleplay" else member.id

    def seated(self) -> dict[str, list[Member]]:
        out: dict[str, list[Member]] = {seat: [] for seat in SEATS}
        for member in self.members.values():
            if member.seat in out:
                out[member.seat].append(member)
        return out

    def expected_owners(self) -> list[str]:
        if self.mode == "roleplay":
            return [seat for seat, people in self.seated().items() if people]
        return list(self.members)

    def seats_for(self, key: str) -> list[str]:
        if self.mode == "roleplay":
            return [seat for seat, people in self.seated().items() if people]
        return ["malaysia"] if key in self.members else []

    def owners_on(self, key: str) -> list[str]:
        return self.expected_owners() if self.mode == "roleplay" else [key]

    def owner_seat(self, owner: str) -> str:
        return owner if self.mode == "roleplay" else "malaysia"

    def names(self, owner: str) -> str:
        if self.mode == "roleplay":
            return ", ".join(m.name for m in self.members.values() if m.seat == owner)
        member = self.members.get(owner)
        return member.name if member else ""

    # ---- worlds ---------------------------------------------------------------------------------

    def world_keys(self) -> list[str]:
        return [SHARED] if self.mode == "roleplay" else list(self.members)

    def fired_for(self, key: str) -> list[Fired]:
        return [f for world, _, f in self.fired if world in (key, ALL_WORLDS)]

    def world(self, key: str) -> World:
        with self.lock:
            world = self.worlds.get(key)
            if world is None:
                world = rebuild(self.spec, self.turns.get(key, {}), self.fired_for(key), self.quarter)
                self.worlds[key] = world
            return world

    def ai_world(self) -> World:
        """The same world with every seat played by the model, with the class's injects, to the end."""
        with self.lock:
            injects = [f for world, _, f in self.fired if world == ALL_WORLDS]
            if self._ai is not None and self._ai[0] == len(injects):
                return self._ai[1]
        world = rebuild(self.spec, {}, injects, 10**6)
        with self.lock:
            self._ai = (len(injects), world)
        return world

    def reference_world(self) -> World:
        """Any world of the class (for the calendar when nobody has joined yet)."""
        keys = self.world_keys()
        return self.world(keys[0]) if keys else self.ai_world()

    @property
    def finished(self) -> bool:
        """All quarters have been played."""
        return self.quarter >= self.n_quarters

    @property
    def over(self) -> bool:
        """Nothing more will be played: all quarters done, or the class ended, closed or expired."""
        return self.finished or self.status in ("finished", "closed") or time.time() >= self.expires

    def quarter_label(self, quarter: int | None = None) -> str:
        return self.calendar.quarter_label(self.quarter if quarter is None else quarter)

    def quarter_ticks(self, quarter: int) -> range:
        return self.calendar.quarter_ticks(quarter)

    # ---- students ---------------------------------------------------------------------------------

    def add_member(self, name: str) -> tuple[Member, str]:
        with self.lock:
            token = new_secret()
            member = Member(new_id(), clean_name(name), None if self.mode == "roleplay" else "malaysia", hash_secret(token), time.time(), self.quarter)
            if self.mode != "roleplay":
                # a world of one's own, caught up with the class (the model played Malaysia until now)
                self.worlds[member.id] = rebuild(self.spec, {}, self.fired_for(member.id), self.quarter)
            self.store.insert_member({"id": member.id, "class_id": self.id, "name": member.name, "seat": member.seat, "token_hash": member.token_hash, "joined": member.joined, "joined_quarter": member.joined_quarter, "last_seen": member.joined})
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

    def all_ready(self) -> bool:
        owners = self.expected_owners()
        done = self.ready[self.quarter]
        return bool(owners) and all(owner in done for owner in owners)

    def plan_lines(self, owner: str, seat: str, world: World) -> list[PlanLine]:
        plan = {d: c for d, (c, _) in self.plans.get((self.quarter, owner), {}).items()}
        who = {d: m for d, (_, m) in self.plans.get((self.quarter, owner), {}).items()}
        out = []
        for decision, choice in plan_actions(seat, world.model, plan):
            member = self.members.get(who.get(decision.key, ""))
            out.append(PlanLine(decision.key, decision.title, choice.key, choice.label, member.name if member else ""))
        return out

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
                        validate_action(choice.action, params)
                        new_fired.append((key, Fired(first, choice.action, params, seat, "student", f"{decision.title}: {choice.label}", self.names(owner))))
                turns.append((key, seats))
            # simulate (nothing is written if this fails)
            try:
                for key, seats in turns:
                    fired = [f for k, f in new_fired if k == key] + [f for w, _, f in self.fired if w == ALL_WORLDS and f.tick in ticks]
                    self.world(key).advance(sorted(fired, key=lambda f: f.tick), seats)
            except Exception:
                self.worlds.clear()  # rebuilt from the store on next use
                raise
            # record
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
            if not self.finished and self.settings.auto_injects:
                self._announce_due()
            log.info("class %s: quarter %d simulated (%s)", self.id, quarter, why)
        self.bump("public")
        clock_moving()  # every page redraws now: look-aheads wait

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
                self.deadline = time.time() + self.settings.timer_s if self.settings.timer_s and self.status == "running" else None
            self.store.update_class(self.id, settings=json.dumps(asdict(self.settings)), deadline=self.deadline)
            moved = "auto_advance" in changes and self.settings.auto_advance and self.status == "running" and self.all_ready()
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
            inject = Inject(id="", date=self.calendar.label(self.quarter_ticks(self.quarter)[0]), headline=headline, text=text or "", actions=actions)
            self._fire_inject(inject, self.quarter_ticks(self.quarter)[0], kind="teacher")
        self.bump("public")

    def _check_open(self) -> None:
        if not self.is_open or self.finished:
            raise ClassError("This class has ended.")

    def inject_rows(self) -> list[dict]:
        if self.script is None:
            return []
        ticks = self.quarter_ticks(min(self.quarter, self.n_quarters - 1))
        out = []
        for inject in self.script.injects:
            status = self.inject_status.get(inject.id, "pending")
            tick = tick_of_month(self.spec, inject.date)
            due = status == "pending" and tick <= ticks[-1]
            out.append({"id": inject.id, "date": inject.date, "month": month_name(inject.date), "headline": inject.headline, "text": inject.text, "question": inject.question,
                        "actions": [ACTIONS[a.action].label for a in inject.actions], "status": "due" if due else status})
        return out

    # ---- reading ---------------------------------------------------------------------------------------

    def world_news(self, key: str, quarters: int = 2) -> list[dict]:
        """What happened in a world over the last quarters: events worth reading, newest first."""
        world = self.world(key)
        stop = world.model.tick
        first = max(world.start_tick, stop - QUARTER * quarters)
        chosen = {(f.tick, f.action): f for f in self.fired_for(key)}
        out = []
        for row in world.events(first, stop):
            source = row["source"]
            if source == "user":
                item = chosen.get((row["tick"], row["action"]))
                if item is None or item.source != "student":
                    continue  # injects are in the class news already
                if self.mode == "roleplay":
                    by = SEAT_LABELS.get(item.seat, item.seat) + (f" ({item.who})" if item.who else "")
                else:
                    by = "Your decision"
                kind = "student"
            elif source.startswith("events.csv"):
                by, kind = "What really happened", "history"
            else:
                by, kind = row["actor"], "model"
            out.append({"month": world.label(row["tick"]), "tick": row["tick"], "by": by, "kind": kind, "text": tidy(row["description"])})
        out.reverse()
        return out


def _session_row(session: ClassSession) -> dict:
    return {"id": session.id, "code": session.code, "name": session.name, "mode": session.mode}


class Classroom:
    """Every class on this server, reached only through credential-checked methods."""

    def __init__(self, store: Store | None = None, *, timers: bool = True) -> None:
        self.store = store or Store()
        self.lock = threading.RLock()
        self.sessions: dict[str, ClassSession] = {}
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        if timers:
            self._start_timer()

    # ---- sessions ---------------------------------------------------------------------------------

    def session(self, class_id: str) -> ClassSession:
        with self.lock:
            session = self.sessions.get(class_id)
            if session is None:
                row = self.store.class_row(class_id)
                if row is None:
                    raise AccessDenied("No such class.")
                session = ClassSession(self.store, row)
                self._expire(session)
                self.sessions[class_id] = session
            return session

    def _expire(self, session: ClassSession) -> None:
        if session.status in OPEN and time.time() >= session.expires:
            session.status = "closed"
            self.store.update_class(session.id, status="closed", deadline=None)

    def close(self) -> None:
        self._stop.set()
        with self.lock:
            for session in self.sessions.values():
                session.wake()

    # ---- opening classes and games ----------------------------------------------------------------

    def _spec(self, script: Script | None, start: str | None, end: str | None, seed: int | None, scenario: str | None) -> WorldSpec:
        base = WorldSpec(scenario or (script.scenario if script else "baseline"), seed,
                         start or (script.start if script else WorldSpec.start), end or (script.end if script else WorldSpec.end),
                         tuple(script.exclude) if script else (), tuple(sorted(script.overrides.items())) if script else ())
        try:
            return base.resolved()
        except WorldError as err:
            raise ClassError(str(err)) from None

    def create_class(self, name: str, mode: str = "roleplay", *, script: str | Script | None = None, start: str | None = None, end: str | None = None,
                     seed: int | None = None, scenario: str | None = None, hours: float = DEFAULT_HOURS, **settings: Any) -> tuple[str, str, str]:
        """Open a class; returns (class id, join code, teacher's key). The key is not stored."""
        if mode not in ("individual", "roleplay"):
            raise ClassError(f"mode must be 'individual' or 'roleplay', not '{mode}'")
        name = " ".join(str(name or "").split())[:80] or "My class"
        loaded = self._script(script)
        spec = self._spec(loaded, start, end, seed, scenario)
        key = new_secret()
        class_id = new_id()
        now = time.time()
        with self.lock:
            code = new_join_code(self.store.open_codes(now))
            self.store.insert_class({
                "id": class_id, "code": code, "name": name, "mode": mode, "teacher_hash": hash_secret(key, class_id),
                "spec": spec.to_json(), "script": loaded.model_dump_json() if loaded else None, "settings": json.dumps(asdict(Settings(**settings))),
                "status": "lobby", "quarter": 0, "deadline": None, "created": now, "expires": now + hours * 3600, "updated": now,
            })
            session = self.session(class_id)
        with session.lock:
            if session.settings.auto_injects:
                session._announce_due()
        return class_id, code, key

    def start_solo(self, name: str, *, start: str | None = None, end: str | None = None, seed: int | None = None, script: str | Script | None = None) -> str:
        """A single-player game; returns the player's token."""
        loaded = self._script(script)
        spec = self._spec(loaded, start, end, seed, None)
        class_id = new_id()
        now = time.time()
        player = clean_name(name)
        with self.lock:
            self.store.insert_class({
                "id": class_id, "code": None, "name": f"{player} plays Malaysia", "mode": "solo", "teacher_hash": "",
                "spec": spec.to_json(), "script": loaded.model_dump_json() if loaded else None, "settings": json.dumps(asdict(Settings(auto_advance=True))),
                "status": "running", "quarter": 0, "deadline": None, "created": now, "expires": now + 365 * 86400, "updated": now,
            })
            session = self.session(class_id)
        _, token = session.add_member(player)
        with session.lock:
            session._announce_due()
        return token

    def _script(self, script: str | Script | None) -> Script | None:
        if script is None or script == "":
            return None
        if isinstance(script, Script):
            return script
        try:
            return load_script(script)
        except ScriptError as err:
            raise ClassError(str(err)) from None

    # ---- credentials ------------------------------------------------------------------------------------

    def teacher(self, class_id: str, key: str | None) -> ClassSession:
        """The class, if ``key`` is its teacher's key."""
        try:
            session = self.session(class_id)
        except AccessDenied:
            raise AccessDenied("No class with that id, or the wrong teacher's key.") from None
        if session.mode == "solo" or not check_secret(key, session.teacher_hash, session.id):
            raise AccessDenied("No class with that id, or the wrong teacher's key.")
        return session

    def teacher_by_code(self, code: str, key: str) -> str:
        """The class id for a join code and the teacher's key (to open the console elsewhere)."""
        for class_id in self.store.class_ids_by_code(normalise_code(code)):
            try:
                self.teacher(class_id, key)
                return class_id
            except AccessDenied:
                continue
        raise AccessDenied("No class with that code, or the wrong teacher's key.")

    def member(self, token: str | None) -> tuple[ClassSession, Member]:
        """The student a seat token belongs to."""
        if not token:
            raise AccessDenied("You have not joined a class yet.")
        row = self.store.member_by_token_hash(hash_secret(token))
        if row is None:
            raise AccessDenied("This link is not valid: join the class again with its code.")
        session = self.session(row["class_id"])
        member = session.members.get(row["id"])
        if member is None or not check_secret(token, member.token_hash):
            raise AccessDenied("This link is not valid: join the class again with its code.")
        return session, member

    # ---- students ---------------------------------------------------------------------------------------

    def join(self, code: str, name: str) -> str:
        """Join a class with its code; returns the student's seat token."""
        code = normalise_code(code)
        if not code:
            raise JoinError("Type the class code your teacher gave you.")
        for class_id in self.store.class_ids_by_code(code):
            session = self.session(class_id)
            self._expire(session)
            if session.is_open and not session.finished:
                _, token = session.add_member(name)
                return token
        raise JoinError("That code does not open a class: check it with your teacher (codes stop working when a class ends).")

    def claim_seat(self, token: str, seat: str | None) -> None:
        session, member = self.member(token)
        session.claim_seat(member, seat)

    def choose(self, token: str, decision: str, choice: str) -> tuple[Decision, Choice]:
        session, member = self.member(token)
        try:
            return session.choose(member, decision, choice)
        except MenuError as err:
            raise AccessDenied(str(err)) from None

    def set_ready(self, token: str, ready: bool = True) -> bool:
        session, member = self.member(token)
        return session.set_ready(member, ready)

    def trade_offs(self, token: str, decision: str, choice: str) -> Comparison:
        """What one choice is expected to change over two years, against no change."""
        session, member = self.member(token)
        seat = session.seat_of(member)
        if seat is None:
            raise ClassError("Take a seat first.")
        world = session.world(session.world_key(member))
        try:
            _, picked = find_choice(seat, world.model, decision, choice)
        except MenuError as err:
            raise AccessDenied(str(err)) from None
        actions = [(picked.action, dict(picked.params))] if picked.action else []
        try:
            return world.compare(actions, seat, session.seats_for(session.world_key(member)))
        except WorldError as err:
            raise ClassError(str(err)) from None

    def plan_trade_offs(self, token: str) -> Comparison | None:
        """What the whole plan of the seat is expected to change (None for an empty plan)."""
        session, member = self.member(token)
        seat, owner = session.seat_of(member), session.owner_of(member)
        if seat is None:
            return None
        key = session.world_key(member)
        world = session.world(key)
        plan = {d: c for d, (c, _) in session.plans.get((session.quarter, owner), {}).items()}
        actions = [(c.action, dict(c.params)) for _, c in plan_actions(seat, world.model, plan)]
        if not actions:
            return None
        try:
            return world.compare(actions, seat, session.seats_for(key))
        except WorldError as err:
            raise ClassError(str(err)) from None

    # ---- the teacher -----------------------------------------------------------------------------------

    def start(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).start()

    def advance(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).advance("teacher")

    def pause(self, class_id: str, key: str, paused: bool = True) -> None:
        self.teacher(class_id, key).pause(paused)

    def configure(self, class_id: str, key: str, **settings: Any) -> None:
        self.teacher(class_id, key).configure(**settings)

    def fire_inject(self, class_id: str, key: str, inject_id: str) -> None:
        self.teacher(class_id, key).fire_scripted(inject_id)

    def skip_inject(self, class_id: str, key: str, inject_id: str) -> None:
        self.teacher(class_id, key).skip_scripted(inject_id)

    def fire_adhoc(self, class_id: str, key: str, headline: str, text: str = "", action: str | None = None, params: dict | None = None) -> None:
        self.teacher(class_id, key).fire_adhoc(headline, text, action, params)

    def free_seat(self, class_id: str, key: str, member_id: str) -> None:
        self.teacher(class_id, key).free_seat(member_id)

    def end(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).end()

    # ---- the timer -------------------------------------------------------------------------------------

    def _start_timer(self) -> None:
        thread = threading.Thread(target=self._timer_loop, name="classroom-timer", daemon=True)
        # never tie this server-wide thread to the page that happened to start it
        thread.current_context = None  # type: ignore[attr-defined]
        self._timer = thread
        thread.start()

    def _timer_loop(self) -> None:
        # classes that were running when the server stopped come back with their clocks
        try:
            for class_id in self.store.live_class_ids(time.time()):
                self.session(class_id)
        except Exception:  # pragma: no cover - a damaged database must not stop the server
            log.exception("could not load classes")
        while not self._stop.wait(0.25):
            self.tick_timers()

    def tick_timers(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.lock:
            sessions = list(self.sessions.values())
        for session in sessions:
            if session.status == "running" and session.deadline is not None and now >= session.deadline and not session.finished:
                try:
                    session.advance("the timer ran out")
                except Exception:  # pragma: no cover
                    log.exception("timer advance failed for class %s", session.id)
                    session.deadline = None
            elif session.status in OPEN and now >= session.expires:
                self._expire(session)
                session.bump("public")


_CLASSROOM: Classroom | None = None
_CLASSROOM_LOCK = threading.Lock()


def get_classroom() -> Classroom:
    """The server's classroom (one per process), with the database at the default path."""
    global _CLASSROOM
    with _CLASSROOM_LOCK:
        if _CLASSROOM is None:
            _CLASSROOM = Classroom()
        return _CLASSROOM
