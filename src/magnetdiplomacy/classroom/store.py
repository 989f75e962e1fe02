"""Class state in an embedded SQLite database, written as it happens.

Every change a class goes through is one small write: a class opened, a student joining or taking
a seat, a choice made or withdrawn, a seat saying it is done, the clock advancing (the actions
fired and the seats held that quarter, in one transaction), news and injects. Nothing else is
needed to bring a class back: worlds are rebuilt from their specification and these rows (see
:func:`magnetdiplomacy.classroom.world.rebuild`).

The database lives at ``$MAGNETDIPLOMACY_CLASSROOM_DB`` or, by default,
``runs/classroom/classroom.sqlite`` in the project folder. Every change is one transaction with a
rollback journal, so a crash (even ``kill -9``) loses at most the change in progress. (Not WAL: its
shared-memory file is mapped into the process, and a database made read-only under a running
server crashed it with a bus error; a rollback journal maps nothing.)

One server writes a database (see :mod:`.dbfile`): a second one is refused with a message naming
the database and the process holding it. A quarter's actions are recorded once: each fired row has
a key (the seat's decision and quarter, the inject, the news) unique in its world, and the quarter
moves on only if the database still has the class at that quarter. A database that is read-only at
start is read into memory and served for viewing; one deleted, replaced or made read-only under
the server is noticed (:meth:`Store.check`), changes are refused with a clear message
(:class:`~.dbfile.DatabaseUnavailable`), and the classes are served as they are.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..scenario import PROJECT_ROOT
from .dbfile import (
    ENV_VAR,
    DatabaseUnavailable,
    FileWatch,
    release_writer_lock,
    take_writer_lock,
    user_message,
    why_not_writable,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
VIEWING = "is open read-only for viewing"  # Store(read_only=True)
# Columns added after version 1 (table, column, type): added in place to an older database.
ADDED_COLUMNS = (
    ("members", "removed", "INTEGER DEFAULT 0"),  # the teacher took the student off the roster
    ("classes", "remaining", "REAL"),  # seconds left on the quarter's timer while paused
    ("fired", "key", "TEXT"),  # what the row carries out, once per world (NULL in rows of version 2)
)
# Made after the columns (an older database gets the column first).
INDEXES = "CREATE UNIQUE INDEX IF NOT EXISTS fired_once ON fired(class_id, world, key) WHERE key IS NOT NULL;"
# What SQLite says when the file cannot be written (read-only, failing disk, locked too long...).
UNWRITABLE = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_BUSY", "SQLITE_NOTADB")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS classes (
    id TEXT PRIMARY KEY, code TEXT, name TEXT, mode TEXT, teacher_hash TEXT,
    spec TEXT, script TEXT, settings TEXT, status TEXT, quarter INTEGER, deadline REAL,
    created REAL, expires REAL, updated REAL);
CREATE INDEX IF NOT EXISTS classes_code ON classes(code);
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY, class_id TEXT, name TEXT, seat TEXT, token_hash TEXT UNIQUE,
    joined REAL, joined_quarter INTEGER, last_seen REAL);
CREATE INDEX IF NOT EXISTS members_class ON members(class_id);
CREATE TABLE IF NOT EXISTS plans (
    class_id TEXT, quarter INTEGER, owner TEXT, decision TEXT, choice TEXT, member_id TEXT, updated REAL,
    PRIMARY KEY (class_id, quarter, owner, decision));
CREATE TABLE IF NOT EXISTS ready (
    class_id TEXT, quarter INTEGER, owner TEXT, member_id TEXT, at REAL,
    PRIMARY KEY (class_id, quarter, owner));
CREATE TABLE IF NOT EXISTS fired (
    id INTEGER PRIMARY KEY AUTOINCREMENT, class_id TEXT, world TEXT, quarter INTEGER, tick INTEGER,
    action TEXT, params TEXT, seat TEXT, source TEXT, label TEXT, who TEXT, created REAL);
CREATE INDEX IF NOT EXISTS fired_class ON fired(class_id);
CREATE TABLE IF NOT EXISTS turns (
    class_id TEXT, world TEXT, quarter INTEGER, seats TEXT, at REAL,
    PRIMARY KEY (class_id, world, quarter));
CREATE TABLE IF NOT EXISTS news (
    id INTEGER PRIMARY KEY AUTOINCREMENT, class_id TEXT, quarter INTEGER, month TEXT, kind TEXT,
    headline TEXT, body TEXT, inject_id TEXT, created REAL);
CREATE INDEX IF NOT EXISTS news_class ON news(class_id);
CREATE TABLE IF NOT EXISTS injects (
    class_id TEXT, inject_id TEXT, status TEXT, quarter INTEGER, at REAL,
    PRIMARY KEY (class_id, inject_id));
"""


def default_path() -> Path:
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else PROJECT_ROOT / "runs" / "classroom" / "classroom.sqlite"


class Store:
    """One SQLite database shared by every class on this server (thread-safe).

    ``lock=False`` opens it without the writer lock: only to prepare classes on the database of a
    running server that has not loaded them yet (tests). ``read_only=True`` reads it into memory
    for viewing and refuses every change."""

    def __init__(self, path: str | Path | None = None, *, lock: bool = True, read_only: bool = False) -> None:
        self.path = Path(path) if path else default_path()
        self.lock = threading.RLock()
        self._depth = 0
        self._writer: str | None = None
        reason = VIEWING if read_only else why_not_writable(self.path)
        if reason is None:
            self._writer = take_writer_lock(self.path) if lock else None
            try:
                self.db = self._open_writable()
            except sqlite3.DatabaseError as err:
                reason = f"cannot be opened ({err})"
        if reason is not None:
            self.db = self._open_snapshot(reason)
        self.watch = FileWatch(self.path, fixed=reason)

    def _connect(self, target: str, uri: bool = False) -> sqlite3.Connection:
        db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=30, uri=uri)
        db.row_factory = sqlite3.Row
        return db

    def _open_writable(self) -> sqlite3.Connection:
        db = self._connect(str(self.path))
        try:
            db.execute("PRAGMA journal_mode=DELETE")  # a WAL database of an earlier version is converted
            db.execute("PRAGMA synchronous=FULL")
            self._make_schema(db)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None or row[0] != str(SCHEMA_VERSION):
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _open_snapshot(self, reason: str) -> sqlite3.Connection:
        """The database read into memory (or an empty one): served for viewing, never written."""
        mem = self._connect(":memory:")
        quoted = urllib.parse.quote(str(self.path.resolve()))
        for options, note in (
            ("mode=ro", ""),
            ("immutable=1", " (read as the file stands: its last changes may be missing)"),
        ):
            try:
                src = sqlite3.connect(f"file:{quoted}?{options}", uri=True)
                try:
                    src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    src.backup(mem)
                finally:
                    src.close()
            except sqlite3.Error:
                continue
            level = logging.INFO if reason == VIEWING else logging.WARNING
            log.log(level, "classroom database %s %s: its classes are served for viewing%s", self.path, reason, note)
            break
        else:
            log.error("classroom database %s %s: serving no classes and saving nothing", self.path, reason)
        try:
            self._make_schema(mem)
        except sqlite3.DatabaseError:  # not a classroom database after all: start from nothing
            mem.close()
            mem = self._connect(":memory:")
            self._make_schema(mem)
        return mem

    def _make_schema(self, db: sqlite3.Connection) -> None:
        db.executescript(SCHEMA)
        self._add_columns(db)
        db.executescript(INDEXES)

    def _add_columns(self, db: sqlite3.Connection) -> None:
        """Bring a database written by an earlier version up to this schema (nothing is lost)."""
        for table, column, kind in ADDED_COLUMNS:
            have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        with self.lock:
            self.db.close()
            if self._writer is not None:
                release_writer_lock(self._writer)
                self._writer = None

    # ---- can changes be saved? --------------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        """Why changes cannot be saved, as pages say it (None: they can), as last looked at."""
        return user_message(self.watch.reason) if self.watch.reason else None

    def check(self) -> str | None:
        """Look at the file again (the timer does, and every change): why changes cannot be saved,
        as pages say it, or None. A database deleted or replaced under the server is copied first."""
        reason, lost = self.watch.check()
        if lost:
            self._save_copy(reason or "")
        return user_message(reason) if reason else None

    def require_writable(self) -> None:
        """Raise :class:`~.dbfile.DatabaseUnavailable` if a change cannot be saved now."""
        problem = self.check()
        if problem:
            raise DatabaseUnavailable(problem)

    def _save_copy(self, reason: str) -> None:
        """What this server has, saved next to where the database was (to put back by hand)."""
        target = self.path.with_name(f"{self.path.stem}.saved-{time.strftime('%Y%m%d-%H%M%S')}{self.path.suffix}")
        try:
            with self.lock:
                copy = sqlite3.connect(str(target))
                try:
                    self.db.backup(copy)
                finally:
                    copy.close()
        except (sqlite3.Error, OSError) as err:
            log.error("classroom database %s %s; what this server has could not be saved (%s)", self.path, reason, err)
            return
        log.error(
            "classroom database %s %s; what this server has is saved in %s: stop the server, put that file "
            "back as %s, and start it again",
            self.path,
            reason,
            target,
            self.path,
        )

    def _failed(self, err: sqlite3.Error) -> Exception:
        """The exception for a failed write: a clear one if the file could not be written."""
        if not getattr(err, "sqlite_errorname", "").startswith(UNWRITABLE):
            return err
        log.error("classroom database %s could not be written: %s", self.path, err)
        problem = self.check()
        reason = self.watch.reason or f"could not be written ({err})"
        try:
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:  # a half-done write the file cannot take back: serve what the file holds
            self.db.close()
            self.db = self._open_snapshot(reason)
            self.watch.fixed = self.watch.reason = reason
        return DatabaseUnavailable(problem or user_message(reason))

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction (nested calls join the outer one); refused if a change cannot be saved."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self.require_writable()
                try:
                    self.db.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as err:
                    raise self._failed(err) from None
            self._depth += 1
            try:
                yield self.db
            except BaseException as err:
                self._depth -= 1
                if outer:
                    self._rollback()
                if isinstance(err, sqlite3.Error) and outer:
                    raise self._failed(err) from None
                raise
            else:
                self._depth -= 1
                if outer:
                    try:
                        self.db.execute("COMMIT")
                    except sqlite3.Error as err:
                        self._rollback()
                        raise self._failed(err) from None

    def _rollback(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:  # no transaction left to roll back (SQLite ended it on the error)
            pass

    def _rows(self, sql: str, args: tuple = ()) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.db.execute(sql, args).fetchall()]

    def _insert(self, table: str, row: dict) -> None:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.tx() as db:
            db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))

    def _update(self, table: str, row_id: str, fields: dict) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.tx() as db:
            db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*fields.values(), row_id))

    # ---- classes -----------------------------------------------------------------------------

    def insert_class(self, row: dict) -> None:
        self._insert("classes", row)

    def update_class(self, class_id: str, **fields: Any) -> None:
        self._update("classes", class_id, {**fields, "updated": time.time()})

    def class_row(self, class_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM classes WHERE id = ?", (class_id,))
        return rows[0] if rows else None

    def class_ids_by_code(self, code: str) -> list[str]:
        return [r["id"] for r in self._rows("SELECT id FROM classes WHERE code = ? ORDER BY created DESC", (code,))]

    def open_codes(self, now: float) -> set[str]:
        return {
            r["code"]
            for r in self._rows(
                "SELECT code FROM classes WHERE status NOT IN ('finished', 'closed', 'expired') AND expires > ? "
                "AND code IS NOT NULL",
                (now,),
            )
        }

    def live_class_ids(self, now: float) -> list[str]:
        """Classes that may still change: not finished, closed or expired."""
        return [
            r["id"]
            for r in self._rows(
                "SELECT id FROM classes WHERE status NOT IN ('finished', 'closed', 'expired') AND expires > ?", (now,)
            )
        ]

    def all_classes(self) -> list[dict]:
        return self._rows(
            "SELECT id, code, name, mode, status, quarter, created, expires FROM classes ORDER BY created DESC"
        )

    # ---- members -----------------------------------------------------------------------------

    def insert_member(self, row: dict) -> None:
        self._insert("members", row)

    def update_member(self, member_id: str, **fields: Any) -> None:
        self._update("members", member_id, fields)

    def member_by_token_hash(self, token_hash: str) -> dict | None:
        rows = self._rows("SELECT * FROM members WHERE token_hash = ?", (token_hash,))
        return rows[0] if rows else None

    def members(self, class_id: str) -> list[dict]:
        return self._rows("SELECT * FROM members WHERE class_id = ? ORDER BY joined", (class_id,))

    # ---- plans, readiness ----------------------------------------------------------------------

    def set_plan(
        self, class_id: str, quarter: int, owner: str, decision: str, choice: str | None, member_id: str
    ) -> None:
        with self.tx() as db:
            if choice is None:
                db.execute(
                    "DELETE FROM plans WHERE class_id = ? AND quarter = ? AND owner = ? AND decision = ?",
                    (class_id, quarter, owner, decision),
                )
            else:
                db.execute(
                    "INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (class_id, quarter, owner, decision, choice, member_id, time.time()),
                )

    def plans(self, class_id: str) -> list[dict]:
        return self._rows("SELECT * FROM plans WHERE class_id = ? ORDER BY updated", (class_id,))

    def set_ready(self, class_id: str, quarter: int, owner: str, member_id: str, ready: bool) -> None:
        with self.tx() as db:
            if ready:
                db.execute(
                    "INSERT OR REPLACE INTO ready VALUES (?, ?, ?, ?, ?)",
                    (class_id, quarter, owner, member_id, time.time()),
                )
            else:
                db.execute(
                    "DELETE FROM ready WHERE class_id = ? AND quarter = ? AND owner = ?", (class_id, quarter, owner)
                )

    def ready(self, class_id: str) -> list[dict]:
        return self._rows("SELECT * FROM ready WHERE class_id = ?", (class_id,))

    # ---- the journal ---------------------------------------------------------------------------

    def add_fired(self, class_id: str, world: str, quarter: int, item: dict, key: str | None = None) -> bool:
        """Record an action carried out in a world; with a ``key`` (what it carries out: a seat's
        decision in a quarter, an inject, the teacher's news) only once per world. Returns whether
        it was recorded (False: that key is recorded already)."""
        with self.tx() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO fired (class_id, world, quarter, tick, action, params, seat, source, label, "
                "who, created, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    class_id,
                    world,
                    quarter,
                    item["tick"],
                    item["action"],
                    json.dumps(item["params"]),
                    item["seat"],
                    item["source"],
                    item["label"],
                    item["who"],
                    time.time(),
                    key,
                ),
            )
            return cur.rowcount == 1

    def claim_quarter(self, class_id: str, quarter: int, **fields: Any) -> bool:
        """Move the class on from ``quarter`` (with ``fields``) if the database still has it there;
        False if it has moved on already (another server played that quarter)."""
        sets = ", ".join(f"{k} = ?" for k in ("quarter", *fields, "updated"))
        with self.tx() as db:
            cur = db.execute(
                f"UPDATE classes SET {sets} WHERE id = ? AND quarter = ?",
                (quarter + 1, *fields.values(), time.time(), class_id, quarter),
            )
            return cur.rowcount == 1

    def fired(self, class_id: str) -> list[dict]:
        rows = self._rows("SELECT * FROM fired WHERE class_id = ? ORDER BY id", (class_id,))
        for row in rows:
            row["params"] = json.loads(row["params"] or "{}")
        return rows

    def add_turn(self, class_id: str, world: str, quarter: int, seats: list[str]) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO turns VALUES (?, ?, ?, ?, ?)",
                (class_id, world, quarter, json.dumps(sorted(seats)), time.time()),
            )

    def turns(self, class_id: str) -> list[dict]:
        rows = self._rows("SELECT * FROM turns WHERE class_id = ? ORDER BY quarter", (class_id,))
        for row in rows:
            row["seats"] = json.loads(row["seats"])
        return rows

    # ---- news and injects ------------------------------------------------------------------------

    def add_news(
        self, class_id: str, quarter: int, month: str, kind: str, headline: str, body: str = "", inject_id: str = ""
    ) -> int:
        with self.tx() as db:
            cur = db.execute(
                "INSERT INTO news (class_id, quarter, month, kind, headline, body, inject_id, created) VALUES (?, ?, "
                "?, ?, ?, ?, ?, ?)",
                (class_id, quarter, month, kind, headline, body, inject_id, time.time()),
            )
            if cur.lastrowid is None:  # pragma: no cover - sqlite sets it after an INSERT
                raise sqlite3.DatabaseError("INSERT INTO news gave no row id")
            return cur.lastrowid

    def news(self, class_id: str) -> list[dict]:
        return self._rows("SELECT * FROM news WHERE class_id = ? ORDER BY id", (class_id,))

    def set_inject(self, class_id: str, inject_id: str, status: str, quarter: int) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO injects VALUES (?, ?, ?, ?, ?)",
                (class_id, inject_id, status, quarter, time.time()),
            )

    def injects(self, class_id: str) -> list[dict]:
        return self._rows("SELECT * FROM injects WHERE class_id = ?", (class_id,))

    def inject_fired(self, class_id: str, inject_id: str) -> bool:
        rows = self._rows("SELECT status FROM injects WHERE class_id = ? AND inject_id = ?", (class_id, inject_id))
        return bool(rows) and rows[0]["status"] == "fired"


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
