"""The state of one class in memory: its members, plans, clock, news and worlds, loaded from the
:class:`~magnetdiplomacy.classroom.store.Store`, the channels pages wait on, and what can be read
from it. :class:`~magnetdiplomacy.classroom.session.ClassSession` adds what people do to a class."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable

from ..interventions import ACTIONS, SEATS
from .injects import Script, parse_script
from .menus import SEAT_LABELS, plan_actions
from .records import ALL_WORLDS, OPEN, OVER, SHARED, Member, NewsItem, PlanLine, Settings
from .store import Store
from .world import (
    OVERRULED,
    QUARTER,
    Calendar,
    Fired,
    World,
    WorldSpec,
    month_name,
    rebuild,
    tick_of_month,
)


class ClassState:
    """One class (or solo game) in memory, as loaded from the store."""

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
        self.remaining: float | None = row.get("remaining")  # timer seconds left while paused
        self.created: float = row["created"]
        self.expires: float = row["expires"]
        self.lock = threading.RLock()
        self.cond = threading.Condition(threading.Lock())
        self.versions: dict[str, int] = defaultdict(int)
        self.online: dict[str, int] = defaultdict(int)  # member id -> open pages
        self.members: dict[str, Member] = {}
        self.plans: dict[tuple[int, str], dict[str, tuple[str, str]]] = defaultdict(
            dict
        )  # (quarter, owner) -> decision -> (choice, member id)
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
            self.members[row["id"]] = Member(
                row["id"],
                row["name"],
                row["seat"],
                row["token_hash"],
                row["joined"],
                int(row["joined_quarter"] or 0),
                bool(row.get("removed")),
            )
        for row in self.store.plans(self.id):
            self.plans[(row["quarter"], row["owner"])][row["decision"]] = (row["choice"], row["member_id"])
        for row in self.store.ready(self.id):
            self.ready[row["quarter"]][row["owner"]] = row["member_id"]
        seen: set[tuple] = set()
        for row in self.store.fired(self.id):
            once = _once(row)
            if seen.intersection(once):
                continue  # recorded twice (an earlier version, two servers on one database): applied once
            seen.update(once)
            self.fired.append(
                (
                    row["world"],
                    row["quarter"],
                    Fired(
                        row["tick"], row["action"], row["params"], row["seat"], row["source"], row["label"], row["who"]
                    ),
                )
            )
        for row in self.store.turns(self.id):
            self.turns[row["world"]][row["quarter"]] = row["seats"]
        for row in self.store.news(self.id):
            self.news.append(
                NewsItem(
                    row["id"],
                    row["quarter"],
                    row["month"],
                    row["kind"],
                    row["headline"],
                    row["body"],
                    row["inject_id"],
                    row["created"],
                )
            )
        for row in self.store.injects(self.id):
            self.inject_status[row["inject_id"]] = row["status"]

    def reload(self) -> None:
        """Read the class again from the store (another server moved it on); worlds are rebuilt."""
        with self.lock:
            row = self.store.class_row(self.id)
            if row is None:
                return
            self.status, self.quarter, self.deadline = row["status"], int(row["quarter"]), row["deadline"]
            self.remaining, self.expires, self.code = row.get("remaining"), row["expires"], row["code"]
            self.settings = Settings.from_json(row["settings"])
            for part in (self.members, self.plans, self.ready, self.turns, self.inject_status, self.worlds):
                part.clear()
            self.fired.clear()
            self.news.clear()
            self._ai = None
            self._load()
        self.bump("public")

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
    def replays_history(self) -> bool:
        """True when replayed history is carried out even where it undoes a student's move."""
        return self.settings.history == "replayed"

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

    def active_members(self) -> list[Member]:
        """Members on the roster (not removed by the teacher), in the order they joined."""
        return [m for m in self.members.values() if not m.removed]

    def seated(self) -> dict[str, list[Member]]:
        out: dict[str, list[Member]] = {seat: [] for seat in SEATS}
        for member in self.active_members():
            if member.seat in out:
                out[member.seat].append(member)
        return out

    def expected_owners(self) -> list[str]:
        if self.mode == "roleplay":
            return [seat for seat, people in self.seated().items() if people]
        return [m.id for m in self.active_members()]

    def seats_for(self, key: str) -> list[str]:
        if self.mode == "roleplay":
            return [seat for seat, people in self.seated().items() if people]
        member = self.members.get(key)
        return ["malaysia"] if member is not None and not member.removed else []

    def owners_on(self, key: str) -> list[str]:
        return self.expected_owners() if self.mode == "roleplay" else [key]

    def owner_seat(self, owner: str) -> str:
        return owner if self.mode == "roleplay" else "malaysia"

    def names(self, owner: str) -> str:
        if self.mode == "roleplay":
            return ", ".join(m.name for m in self.active_members() if m.seat == owner)
        member = self.members.get(owner)
        return member.name if member else ""

    # ---- worlds ---------------------------------------------------------------------------------

    def world_keys(self) -> list[str]:
        return [SHARED] if self.mode == "roleplay" else [m.id for m in self.active_members()]

    def fired_for(self, key: str) -> list[Fired]:
        return [f for world, _, f in self.fired if world in (key, ALL_WORLDS)]

    def world(self, key: str) -> World:
        with self.lock:
            world = self.worlds.get(key)
            if world is None:
                world = rebuild(
                    self.spec, self.turns.get(key, {}), self.fired_for(key), self.quarter, self.replays_history
                )
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
        return self.finished or self.status in OVER or time.time() >= self.expires

    def quarter_label(self, quarter: int | None = None) -> str:
        return self.calendar.quarter_label(self.quarter if quarter is None else quarter)

    def quarter_ticks(self, quarter: int) -> range:
        return self.calendar.quarter_ticks(quarter)

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

    # ---- reading ---------------------------------------------------------------------------------------

    def inject_rows(self) -> list[dict]:
        if self.script is None:
            return []
        ticks = self.quarter_ticks(min(self.quarter, self.n_quarters - 1))
        out = []
        for inject in self.script.injects:
            status = self.inject_status.get(inject.id, "pending")
            tick = tick_of_month(self.spec, inject.date)
            due = status == "pending" and tick <= ticks[-1]
            out.append(
                {
                    "id": inject.id,
                    "date": inject.date,
                    "month": month_name(inject.date),
                    "headline": inject.headline,
                    "text": inject.text,
                    "question": inject.question,
                    "actions": [ACTIONS[a.action].label for a in inject.actions],
                    "status": "due" if due else status,
                }
            )
        return out

    def world_news(self, key: str, quarters: int = 2) -> list[dict]:
        """What happened in a world over the last quarters: events worth reading, newest first.

        People's moves are credited to the person who chose them; the teacher's news is in the
        class news (not repeated here); moves the teacher's news overruled and replayed history
        that met a student's move say so (see :mod:`.precedence`)."""
        world = self.world(key)
        stop = world.model.tick + 1  # the month about to be decided: its history is already in force
        first = max(world.start_tick, world.model.tick - QUARTER * quarters)
        # the world fires a month's actions in a known order (the teacher's news, then people's
        # moves as recorded), so the event rows of one action in one month match these in turn
        fired: dict[tuple[int, str], deque[Fired]] = defaultdict(deque)
        for item in sorted(self.fired_for(key), key=lambda f: (f.tick, f.source == "student")):
            if not item.overruled:
                fired[(item.tick, item.action)].append(item)
        out = []
        for row in world.events(first, stop):
            source, kind = row["source"], "model"
            if source == "user":
                queue = fired.get((row["tick"], row["action"]))
                match = queue.popleft() if queue else None
                if match is None or match.source != "student":
                    continue  # injects are in the class news already
                by, kind = self._by(match), "student"
            elif source.startswith("events.csv"):
                by, kind = "What really happened", "history"
            else:
                by = row["actor"]
            text = row["description"]
            if kind == "history":
                text += self._undone_note(world, row)
            out.append({"month": world.label(row["tick"]), "tick": row["tick"], "by": by, "kind": kind, "text": text})
        out += self._set_aside(key, world, first, stop)
        out.sort(key=lambda item: item["tick"])
        out.reverse()
        return out

    def _by(self, item: Fired) -> str:
        if self.mode != "roleplay":
            return "Your decision"
        return SEAT_LABELS.get(item.seat, item.seat) + (f" ({item.who})" if item.who else "")

    def _undone_note(self, world: World, row: dict) -> str:
        for clash in world.clashes:
            if clash.carried_out and clash.tick == row["tick"] and clash.description == row["description"]:
                who = SEAT_LABELS.get(clash.seat, clash.seat) + (f" ({clash.who})" if clash.who else "")
                return f" (history is replayed in this class: this undoes {who}'s move, '{clash.move}')"
        return ""

    def _set_aside(self, key: str, world: World, first: int, stop: int) -> list[dict]:
        """Moves the teacher's news overruled, and history left out of this world, in ``first..stop``."""
        out = []
        for item in self.fired_for(key):
            if item.overruled and first <= item.tick < stop:
                text = f"{item.label}: not carried out, the teacher's news set this the same quarter"
                out.append(
                    {
                        "month": world.label(item.tick),
                        "tick": item.tick,
                        "by": self._by(item),
                        "kind": "student",
                        "text": text,
                    }
                )
        for clash in world.clashes:
            if not clash.carried_out and first <= clash.tick < stop:
                who = SEAT_LABELS.get(clash.seat, clash.seat) + (f" ({clash.who})" if clash.who else "")
                text = f"{clash.description} Not in this world: {who} had set this ('{clash.move}'); moves stand."
                out.append(
                    {
                        "month": world.label(clash.tick),
                        "tick": clash.tick,
                        "by": "What really happened",
                        "kind": "history",
                        "text": text,
                    }
                )
        return out


def _once(row: dict) -> list[tuple]:
    """What a fired row carries out, to apply it once: its key, and everything a student's move holds
    (one per seat, decision and quarter) or an inject of an earlier version (no key) holds. The
    teacher's news may repeat."""
    out: list[tuple] = [(row["world"], row["key"])] if row.get("key") else []
    if row["source"] in ("student", OVERRULED) or (row["source"] == "inject" and not out):
        params = json.dumps(row["params"], sort_keys=True)
        out.append(
            (row["world"], row["quarter"], row["tick"], row["action"], params, row["seat"], row["source"], row["label"])
        )
    return out
