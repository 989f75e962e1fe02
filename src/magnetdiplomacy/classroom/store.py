"""Class state in an embedded SQLite database, written as it happens.

Every change a class goes through is one small write: a class opened, a student joining or taking
a seat, a choice made or withdrawn, a seat saying it is done, the clock advancing (the actions
fired and the seats held that quarter, in one transaction), news and injects. Nothing else is
needed to bring a class back: worlds are rebuilt from their specification and these rows (see
:func:`magnetdiplomacy.classroom.world.rebuild`).

The database lives at ``$MAGNETDIPLOMACY_CLASSROOM_DB`` or, by default,
``runs/classroom/classroom.sqlite`` in the project folder. It runs in WAL mode, so a crash loses at
most the write in progress.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..scenario import PROJECT_ROOT

ENV_VAR = "MAGNETDIPLOMACY_CLASSROOM_DB"
SCHEMA_VERSION = 2
# Columns added after version 1 (table, column, type): added in place to an older database.
ADDED_COLUMNS = (
    ("members", "removed", "INTEGER DEFAULT 0"),  # the teacher took the student off the roster
    ("classes", "remaining", "REAL"),  # seconds left on the quarter's timer while paused
)

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
    """One SQLite database shared by every class on this server (thread-safe)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        with self.lock:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._add_columns()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self._depth = 0

    def _add_columns(self) -> None:
        """Bring a database written by an earlier version up to this schema (nothing is lost)."""
        for table, column, kind in ADDED_COLUMNS:
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction (nested calls join the outer one)."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self.db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self._depth -= 1
                if outer:
                    self.db.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outer:
                    self.db.execute("COMMIT")

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

    def add_fired(self, class_id: str, world: str, quarter: int, item: dict) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO fired (class_id, world, quarter, tick, action, params, seat, source, label, who, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ),
            )

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


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
