"""The server's classroom: every class on this server, reached only through credential-checked
methods (the teacher's key, a seat token, or a signed-in browser's credential), and the timers
that move their clocks."""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Concatenate

from .auth import (
    AccessDenied,
    JoinError,
    RemovedFromClass,
    check_secret,
    hash_secret,
    new_id,
    new_join_code,
    new_secret,
    normalise_code,
    read_browser_credential,
)
from .dbfile import DatabaseUnavailable
from .fields import check_class_options, check_settings, check_world_options
from .injects import Script, ScriptError, load_script
from .logins import Logins
from .menus import Choice, Decision, MenuError, find_choice, plan_actions
from .records import DEFAULT_HOURS, OPEN, ClassError, Member, Settings, clean_name, visible_text
from .session import ClassSession
from .store import Store
from .world import (
    Comparison,
    WorldError,
    WorldSpec,
)

log = logging.getLogger(__name__)


def _saves[**P, R](method: Callable[Concatenate[Classroom, P], R]) -> Callable[Concatenate[Classroom, P], R]:
    """A method that changes a class: refused before anything changes, in memory or in the
    database, when changes cannot be saved (:class:`~.dbfile.DatabaseUnavailable`)."""

    @functools.wraps(method)
    def wrapper(self: Classroom, /, *args: P.args, **kwargs: P.kwargs) -> R:
        self.store.require_writable()
        return method(self, *args, **kwargs)

    return wrapper


def _on_roster(member: Member) -> Member:
    if member.removed:
        raise RemovedFromClass()
    return member


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

    def _expire(self, session: ClassSession, now: float | None = None) -> None:
        if session.status in OPEN and (time.time() if now is None else now) >= session.expires:
            session.status = "expired"
            try:
                self.store.update_class(session.id, status="expired", deadline=None)
            except DatabaseUnavailable:
                pass  # expired in memory; the database says so again at the next start

    def close(self) -> None:
        self._stop.set()
        with self.lock:
            for session in self.sessions.values():
                session.wake()

    # ---- opening classes and games ----------------------------------------------------------------

    def _spec(
        self, script: Script | None, start: str | None, end: str | None, seed: int | None, scenario: str | None
    ) -> WorldSpec:
        base = WorldSpec(
            scenario or (script.scenario if script else "baseline"),
            seed,
            start or (script.start if script else WorldSpec.start),
            end or (script.end if script else WorldSpec.end),
            tuple(script.exclude) if script else (),
            tuple(sorted(script.overrides.items())) if script else (),
        )
        try:
            return base.resolved()
        except WorldError as err:
            raise ClassError(str(err)) from None

    @_saves
    def create_class(
        self,
        name: str,
        mode: str = "roleplay",
        *,
        script: str | Script | None = None,
        start: str | None = None,
        end: str | None = None,
        seed: int | None = None,
        scenario: str | None = None,
        hours: float = DEFAULT_HOURS,
        **settings: Any,
    ) -> tuple[str, str, str]:
        """Open a class; returns (class id, join code, teacher's key). The key is not stored."""
        start, end = check_class_options(mode, start, end, seed, scenario, hours, settings)
        name = " ".join(visible_text(str(name or "")).split())[:80] or "My class"
        loaded = self._script(script)
        spec = self._spec(loaded, start, end, seed, scenario)
        key = new_secret()
        class_id = new_id()
        now = time.time()
        with self.lock:
            code = new_join_code(self.store.open_codes(now))
            self.store.insert_class(
                {
                    "id": class_id,
                    "code": code,
                    "name": name,
                    "mode": mode,
                    "teacher_hash": hash_secret(key, class_id),
                    "spec": spec.to_json(),
                    "script": loaded.model_dump_json() if loaded else None,
                    "settings": json.dumps(asdict(Settings(**settings))),
                    "status": "lobby",
                    "quarter": 0,
                    "deadline": None,
                    "created": now,
                    "expires": now + hours * 3600,
                    "updated": now,
                }
            )
            session = self.session(class_id)
        with session.lock:
            if session.settings.auto_injects:
                session._announce_due()
        return class_id, code, key

    @_saves
    def start_solo(
        self,
        name: str,
        *,
        start: str | None = None,
        end: str | None = None,
        seed: int | None = None,
        script: str | Script | None = None,
    ) -> str:
        """A single-player game; returns the player's token."""
        start, end = check_world_options(start, end, seed, None)
        loaded = self._script(script)
        spec = self._spec(loaded, start, end, seed, None)
        class_id = new_id()
        now = time.time()
        player = clean_name(name)
        with self.lock:
            self.store.insert_class(
                {
                    "id": class_id,
                    "code": None,
                    "name": f"{player} plays Malaysia",
                    "mode": "solo",
                    "teacher_hash": "",
                    "spec": spec.to_json(),
                    "script": loaded.model_dump_json() if loaded else None,
                    "settings": json.dumps(asdict(Settings(auto_advance=True))),
                    "status": "running",
                    "quarter": 0,
                    "deadline": None,
                    "created": now,
                    "expires": now + 365 * 86400,
                    "updated": now,
                }
            )
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
        """The class, if ``key`` is its teacher's key or the credential of a browser signed in to
        its console (:func:`~magnetdiplomacy.classroom.auth.browser_credential`)."""
        try:
            session = self.session(class_id)
        except AccessDenied:
            raise AccessDenied("No class with that id, or the wrong teacher's key.") from None
        browser = read_browser_credential(key)
        if browser is not None:
            if session.mode == "solo" or browser[0] != class_id or not self.logins.is_teacher(browser[1], class_id):
                raise AccessDenied("No class with that id, or this browser is not signed in to its console.")
        elif session.mode == "solo" or not check_secret(key, session.teacher_hash, session.id):
            raise AccessDenied("No class with that id, or the wrong teacher's key.")
        return session

    def teacher_by_code(self, code: str, key: str) -> str:
        """The class id for a join code and the teacher's key (to open the console elsewhere)."""
        if read_browser_credential(key) is not None:
            raise AccessDenied("No class with that code, or the wrong teacher's key.")
        for class_id in self.store.class_ids_by_code(normalise_code(code)):
            try:
                self.teacher(class_id, key)
                return class_id
            except AccessDenied:
                continue
        raise AccessDenied("No class with that code, or the wrong teacher's key.")

    def member(self, token: str | None) -> tuple[ClassSession, Member]:
        """The student a seat token belongs to, or the one whose seat a browser credential's
        browser holds in its class."""
        if not token:
            raise AccessDenied("You have not joined a class yet.")
        browser = read_browser_credential(token)
        if browser is not None:
            return self._member_in_browser(*browser)
        row = self.store.member_by_token_hash(hash_secret(token))
        if row is None:
            raise AccessDenied("This link is not valid: join the class again with its code.")
        session = self.session(row["class_id"])
        member = session.members.get(row["id"])
        if member is None or not check_secret(token, member.token_hash):
            raise AccessDenied("This link is not valid: join the class again with its code.")
        return session, _on_roster(member)

    def _member_in_browser(self, class_id: str, session_id: str) -> tuple[ClassSession, Member]:
        member_id = self.logins.student(session_id, class_id)
        if member_id is None:
            raise AccessDenied("You have no seat in that class on this computer: join with the class code.")
        session = self.session(class_id)
        member = session.members.get(member_id)
        if member is None:
            raise AccessDenied("You have no seat in that class on this computer: join with the class code.")
        return session, _on_roster(member)

    @property
    def logins(self) -> Logins:
        """Signed-in browsers, return codes and wrong tries (made on first use)."""
        made = self.__dict__.get("_logins")
        if made is not None:  # every page of every student asks: no lock once it exists
            return made
        with self.lock:
            logins = self.__dict__.get("_logins")
            if logins is None:
                logins = self.__dict__["_logins"] = Logins(self)
            return logins

    # ---- students ---------------------------------------------------------------------------------------

    @_saves
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
        raise JoinError(
            "That code does not open a class: check it with your teacher (codes stop working when a class ends)."
        )

    @_saves
    def claim_seat(self, token: str, seat: str | None) -> None:
        session, member = self.member(token)
        session.claim_seat(member, seat)

    @_saves
    def choose(self, token: str, decision: str, choice: str) -> tuple[Decision, Choice]:
        session, member = self.member(token)
        try:
            return session.choose(member, decision, choice)
        except MenuError as err:
            raise AccessDenied(str(err)) from None

    @_saves
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
        if seat is None or owner is None:
            return None
        key = session.world_key(member)
        world = session.world(key)
        plan = {d: c for d, (c, _) in session.plans.get((session.quarter, owner), {}).items()}
        actions = [(c.change, dict(c.params)) for _, c in plan_actions(seat, world.model, plan)]
        if not actions:
            return None
        try:
            return world.compare(actions, seat, session.seats_for(key))
        except WorldError as err:
            raise ClassError(str(err)) from None

    # ---- the teacher -----------------------------------------------------------------------------------

    @_saves
    def start(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).start()

    @_saves
    def advance(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).advance("teacher")

    @_saves
    def pause(self, class_id: str, key: str, paused: bool = True) -> None:
        self.teacher(class_id, key).pause(paused)

    @_saves
    def configure(self, class_id: str, key: str, **settings: Any) -> None:
        self.teacher(class_id, key).configure(**check_settings(settings))

    @_saves
    def fire_inject(self, class_id: str, key: str, inject_id: str) -> None:
        self.teacher(class_id, key).fire_scripted(inject_id)

    @_saves
    def skip_inject(self, class_id: str, key: str, inject_id: str) -> None:
        self.teacher(class_id, key).skip_scripted(inject_id)

    @_saves
    def fire_adhoc(
        self,
        class_id: str,
        key: str,
        headline: str,
        text: str = "",
        action: str | None = None,
        params: dict | None = None,
    ) -> None:
        self.teacher(class_id, key).fire_adhoc(headline, text, action, params)

    @_saves
    def free_seat(self, class_id: str, key: str, member_id: str) -> None:
        self.teacher(class_id, key).free_seat(member_id)

    @_saves
    def end(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).end()

    @_saves
    def remove_member(self, class_id: str, key: str, member_id: str) -> None:
        self.teacher(class_id, key).remove_member(member_id)

    @_saves
    def merge_members(self, class_id: str, key: str, keep_id: str, drop_id: str) -> None:
        self.teacher(class_id, key).merge_members(keep_id, drop_id)
        self.logins.move_member(drop_id, keep_id)

    @_saves
    def extend(self, class_id: str, key: str, days: float) -> None:
        self.teacher(class_id, key).extend(days)

    @_saves
    def reopen(self, class_id: str, key: str) -> None:
        self.teacher(class_id, key).reopen()

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
            self.watch_database()
            if self.store.watch.reason is None:  # no clock moves while nothing can be saved
                self.tick_timers()

    def watch_database(self) -> None:
        """Look at the database file: when it is deleted, replaced or made read-only (or writable
        again), every page redraws to say so (the log says it once, with the path)."""
        before = self.store.watch.reason
        self.store.check()
        if self.store.watch.reason != before:
            with self.lock:
                sessions = list(self.sessions.values())
            for session in sessions:
                session.bump("public")

    def tick_timers(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.lock:
            sessions = list(self.sessions.values())
        for session in sessions:
            if (
                session.status == "running"
                and session.deadline is not None
                and now >= session.deadline
                and not session.finished
            ):
                try:
                    session.advance("the timer ran out")
                except Exception:  # pragma: no cover
                    log.exception("timer advance failed for class %s", session.id)
                    session.deadline = None
            elif session.status in OPEN and now >= session.expires:
                self._expire(session, now)
                session.bump("public")


_CLASSROOM: Classroom | None = None
_CLASSROOM_LOCK = threading.Lock()


def current_classroom() -> Classroom | None:
    """The server's classroom if it has been made (pages ask without making one)."""
    return _CLASSROOM


def get_classroom() -> Classroom:
    """The server's classroom (one per process), with the database at the default path."""
    global _CLASSROOM
    with _CLASSROOM_LOCK:
        if _CLASSROOM is None:
            _CLASSROOM = Classroom()
        return _CLASSROOM
