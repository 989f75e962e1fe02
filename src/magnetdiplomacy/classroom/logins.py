"""Signed-in browsers: which browser holds a class's console or a student's seat, the students'
return codes, and the limit on wrong tries (see :mod:`magnetdiplomacy.classroom.auth`).

Two tables in the class database (created here, next to :mod:`~magnetdiplomacy.classroom.store`'s):

* ``logins``: one row per browser (a hash of its session id) and class, for a teacher or a
  student (with the student's member id and their return code sealed for that browser);
* ``return_codes``: the hash of each student's return code, to find their seat from it.

The pages reach all this through ``get_classroom().logins``; room methods accept the browser
credential the pages build (:func:`~magnetdiplomacy.classroom.auth.browser_credential`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .auth import (
    BROWSER_FAILURES,
    CLASS_FAILURES,
    SERVER_FAILURES,
    AccessDenied,
    Attempts,
    JoinError,
    RemovedFromClass,
    browser_hash,
    format_code,
    hash_secret,
    new_return_code,
    new_secret,
    normalise_code,
    seal,
    unseal,
)
from .dbfile import DatabaseUnavailable
from .records import clean_name

if TYPE_CHECKING:
    from .room import Classroom
    from .session import ClassSession

SCHEMA = """
CREATE TABLE IF NOT EXISTS logins (
    browser_hash TEXT, role TEXT, class_id TEXT, member_id TEXT, sealed_code TEXT, at REAL,
    PRIMARY KEY (browser_hash, role, class_id));
CREATE INDEX IF NOT EXISTS logins_member ON logins(member_id);
CREATE TABLE IF NOT EXISTS return_codes (
    member_id TEXT PRIMARY KEY, class_id TEXT, code_hash TEXT UNIQUE, at REAL);
"""
TEACHER, STUDENT = "teacher", "student"
USED_LINK = (
    "This link is not valid, or it has been used already (a seat's link works once). On the computer where "
    "you joined, open the site again; anywhere else, choose 'I have a return code' on the join page."
)
WRONG_RETURN_CODE = "That return code does not match a seat: check it (it is on your page where you joined)."


def _typed(secret: str | None) -> str:
    """A key, token or code as typed or linked: never a browser credential (those hold a ':')."""
    secret = (secret or "").strip()
    return "" if ":" in secret else secret


def _code_hash(code: str) -> str:
    return hash_secret(normalise_code(code), "return-code")


class Logins:
    """Sign-in and seat bindings of browsers, return codes and wrong tries, for one classroom."""

    def __init__(self, room: Classroom, clock: Callable[[], float] = time.monotonic) -> None:
        self.room = room
        self.store = room.store
        self.attempts = Attempts(clock)
        self.lock = threading.Lock()
        self._bound: dict[tuple[str, str, str], str] = {}  # (browser hash, role, class) -> member id
        with self.store.lock:
            self.store.db.executescript(SCHEMA)

    def _rows(self, sql: str, args: tuple = ()) -> list[dict]:
        with self.store.lock:
            return [dict(r) for r in self.store.db.execute(sql, args).fetchall()]

    # ---- the bindings --------------------------------------------------------------------------

    def _bind(self, session_id: str, role: str, class_id: str, member_id: str = "", sealed: str | None = None) -> None:
        if not session_id:
            raise AccessDenied("This browser sends no session cookie: allow cookies for this site and reload.")
        row = (browser_hash(session_id), role, class_id)
        try:
            with self.store.tx() as db:
                db.execute(
                    "INSERT OR REPLACE INTO logins VALUES (?, ?, ?, ?, ?, ?)", (*row, member_id, sealed, time.time())
                )
        except DatabaseUnavailable:
            pass  # nothing can be saved: this browser is signed in until the server stops (it can view)
        with self.lock:
            self._bound[row] = member_id

    def _bound_member(self, session_id: str, role: str, class_id: str) -> str | None:
        if not session_id or not class_id:
            return None
        row = (browser_hash(session_id), role, class_id)
        with self.lock:
            if row in self._bound:
                return self._bound[row]
        found = self._rows("SELECT member_id FROM logins WHERE browser_hash = ? AND role = ? AND class_id = ?", row)
        if not found:
            return None
        with self.lock:
            self._bound[row] = found[0]["member_id"] or ""
        return found[0]["member_id"] or ""

    def _unbind(self, session_id: str, role: str, class_id: str) -> None:
        row = (browser_hash(session_id), role, class_id)
        try:
            with self.store.tx() as db:
                db.execute("DELETE FROM logins WHERE browser_hash = ? AND role = ? AND class_id = ?", row)
        except DatabaseUnavailable:
            pass  # signed out until the server stops
        with self.lock:
            self._bound.pop(row, None)

    def move_member(self, from_id: str, to_id: str) -> None:
        """Browsers that held ``from_id``'s seat now hold ``to_id``'s (the teacher merged the two
        records); ``from_id``'s return code stops working."""
        with self.store.tx() as db:
            db.execute("UPDATE logins SET member_id = ?, sealed_code = NULL WHERE member_id = ?", (to_id, from_id))
            db.execute("DELETE FROM return_codes WHERE member_id = ?", (from_id,))
        with self.lock:
            for row, member_id in list(self._bound.items()):
                if member_id == from_id:
                    self._bound[row] = to_id

    # ---- teachers --------------------------------------------------------------------------------

    def is_teacher(self, session_id: str, class_id: str) -> bool:
        """Whether this browser is signed in to the class's console."""
        return self._bound_member(session_id, TEACHER, class_id) is not None

    def sign_in_teacher(self, code: str, key: str, session_id: str) -> str:
        """Sign this browser in to a class's console with its join code and the teacher's key;
        returns the class id. Wrong tries count against the browser and the class."""
        buckets = [(f"browser:{browser_hash(session_id)}", BROWSER_FAILURES)]
        buckets += [(f"class:{c}", CLASS_FAILURES) for c in self.store.class_ids_by_code(normalise_code(code))]
        self.attempts.check(buckets)
        try:
            class_id = self.room.teacher_by_code(code, _typed(key))
        except AccessDenied:
            self.attempts.fail(buckets)
            raise
        self._bind(session_id, TEACHER, class_id)
        return class_id

    def sign_in_new_class(self, class_id: str, key: str, session_id: str) -> None:
        """Sign in the browser that has just opened the class (its key, fresh from
        :meth:`~magnetdiplomacy.classroom.room.Classroom.create_class`: no try to count)."""
        self.room.teacher(class_id, _typed(key))
        self._bind(session_id, TEACHER, class_id)

    def sign_in_with_key(self, class_id: str, key: str, session_id: str) -> None:
        """Sign this browser in to a class's console with its key (from an old
        ``/teacher?c=…&k=…`` bookmark). Wrong keys count like wrong sign-ins."""
        buckets = [(f"browser:{browser_hash(session_id)}", BROWSER_FAILURES), (f"class:{class_id}", CLASS_FAILURES)]
        self.attempts.check(buckets)
        try:
            self.room.teacher(class_id, _typed(key))
        except AccessDenied:
            self.attempts.fail(buckets)
            raise
        self._bind(session_id, TEACHER, class_id)

    def sign_out_teacher(self, class_id: str, session_id: str) -> None:
        """End this browser's sign-in to the class's console (every tab of the browser)."""
        self._unbind(session_id, TEACHER, class_id)

    # ---- students --------------------------------------------------------------------------------

    def student(self, session_id: str, class_id: str) -> str | None:
        """The member id this browser holds in the class, if any."""
        return self._bound_member(session_id, STUDENT, class_id) or None

    def latest_class(self, session_id: str) -> str | None:
        """The class of the seat this browser took or came back to last (for ``/student``)."""
        rows = self._rows(
            "SELECT class_id FROM logins WHERE browser_hash = ? AND role = ? ORDER BY at DESC LIMIT 1",
            (browser_hash(session_id), STUDENT),
        )
        return rows[0]["class_id"] if rows else None

    def _code_buckets(self, session_id: str) -> list[tuple[str, int]]:
        return [(f"browser:{browser_hash(session_id)}", BROWSER_FAILURES), ("server:codes", SERVER_FAILURES)]

    def join(self, code: str, name: str, session_id: str) -> str:
        """Join a class with its code and take the new place in this browser; returns the class id.

        A browser that already holds a place in that class under the same name goes back to it
        (pressing Join twice, or the back button, makes no second student)."""
        if not normalise_code(code):
            raise JoinError("Type the class code your teacher gave you.")
        wanted = clean_name(name).casefold()  # an empty name is refused before any code is tried
        buckets = self._code_buckets(session_id)
        self.attempts.check(buckets)
        for class_id in self.store.class_ids_by_code(normalise_code(code)):
            mine = self.room.session(class_id).members.get(self.student(session_id, class_id) or "")
            if mine is not None and not mine.removed and mine.name.casefold() == wanted:
                return class_id
        try:
            token = self.room.join(code, name)
        except JoinError:
            self.attempts.fail(buckets)
            raise
        session, member = self.room.member(token)
        self._take(session_id, session, member.id)
        return session.id

    def claim_link(self, token: str, session_id: str) -> str:
        """Take the seat of a seat token (a new solo game, or an old ``/student?t=…`` link) in this
        browser; the token is then replaced, so a link works once. Returns the class id."""
        buckets = [(f"browser:{browser_hash(session_id)}", BROWSER_FAILURES)]
        self.attempts.check(buckets)
        try:
            session, member = self.room.member(_typed(token))
        except RemovedFromClass:
            raise
        except AccessDenied:
            self.attempts.fail(buckets)
            raise AccessDenied(USED_LINK) from None
        with session.lock:
            token_hash = hash_secret(new_secret())
            try:
                self.store.update_member(member.id, token_hash=token_hash)
                member.token_hash = token_hash
            except DatabaseUnavailable:
                pass  # nothing can be saved: the link keeps working (the seat can be viewed)
        self._take(session_id, session, member.id)
        return session.id

    def return_to_seat(self, code: str, session_id: str) -> str:
        """Take a seat back in this browser with the student's return code; returns the class id."""
        if not normalise_code(code):
            raise AccessDenied("Type the return code shown on your page where you joined.")
        buckets = self._code_buckets(session_id)
        self.attempts.check(buckets)
        rows = self._rows("SELECT member_id, class_id FROM return_codes WHERE code_hash = ?", (_code_hash(code),))
        session = self.room.session(rows[0]["class_id"]) if rows else None
        if session is None or rows[0]["member_id"] not in session.members:
            self.attempts.fail(buckets)
            raise AccessDenied(WRONG_RETURN_CODE)
        self._take(session_id, session, rows[0]["member_id"], normalise_code(code))
        return session.id

    def _take(self, session_id: str, session: ClassSession, member_id: str, code: str | None = None) -> None:
        """Bind the browser to the member, with their return code (a new one unless given)."""
        if code is None:
            try:
                code = self._new_return_code(session.id, member_id)
                with self.store.tx() as db:  # other browsers' copies of the old code are no use now
                    db.execute("UPDATE logins SET sealed_code = NULL WHERE member_id = ?", (member_id,))
            except DatabaseUnavailable:
                code = None  # nothing can be saved: no new return code, the seat can be viewed
        sealed = seal(code, session_id, member_id) if code else None
        self._bind(session_id, STUDENT, session.id, member_id, sealed)

    def _new_return_code(self, class_id: str, member_id: str) -> str:
        while True:
            code = new_return_code()
            try:
                with self.store.tx() as db:
                    db.execute(
                        "INSERT OR REPLACE INTO return_codes VALUES (?, ?, ?, ?)",
                        (member_id, class_id, _code_hash(code), time.time()),
                    )
                return code
            except sqlite3.IntegrityError:  # pragma: no cover - another seat has this code (2^-50)
                continue

    def return_code(self, session_id: str, class_id: str) -> str | None:
        """The return code of this browser's seat in the class, as shown (``XXXXX-XXXXX``)."""
        rows = self._rows(
            "SELECT l.member_id, l.sealed_code, r.code_hash FROM logins l JOIN return_codes r ON r.member_id = "
            "l.member_id WHERE l.browser_hash = ? AND l.role = ? AND l.class_id = ?",
            (browser_hash(session_id), STUDENT, class_id),
        )
        if not rows or not rows[0]["sealed_code"]:
            return None
        code = unseal(rows[0]["sealed_code"], session_id, rows[0]["member_id"])
        return format_code(code) if _code_hash(code) == rows[0]["code_hash"] else None
