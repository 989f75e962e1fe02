"""The class database's file: one server writes it, and whether changes can still be saved there.

* :func:`take_writer_lock` - an exclusive lock on ``<database>.lock`` next to the database
  (``fcntl.flock``: the system drops it when the process ends, even on ``kill -9``) holding the
  server's process id. A second server on the same database is refused with
  :class:`DatabaseInUse`, a one-line message naming the database and the process that holds it.
  Stores of one process share the lock (tests close and reopen a database to simulate a restart).
* :class:`FileWatch` - the database file as it was opened (device and inode): it notices when the
  file is deleted or replaced under the server, or when it or its folder becomes read-only, and
  says why changes cannot be saved (:class:`DatabaseUnavailable`, a
  :class:`~magnetdiplomacy.classroom.records.ClassError` the pages show as one line).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

from .records import ClassError

log = logging.getLogger(__name__)

ENV_VAR = "MAGNETDIPLOMACY_CLASSROOM_DB"
# Why changes cannot be saved, as the rest of a sentence about "the class database".
DELETED = "has been deleted"
REPLACED = "has been replaced by another file"
READ_ONLY = "is read-only"
READ_ONLY_FOLDER = "is in a read-only folder"
FOR_GOOD = (DELETED, REPLACED)  # the open file is no longer the database: never written again


class DatabaseInUse(ClassError):
    """Another server process writes this database: a second one would apply decisions twice."""


class DatabaseUnavailable(ClassError):
    """A change cannot be saved: the database is read-only, deleted, replaced or failing."""


def user_message(reason: str) -> str:
    """What a page says when a change cannot be saved (no server path: that is in the log)."""
    return (
        f"Changes cannot be saved: the class database {reason}. What you see is as it was; nothing you do now "
        "would be kept. Tell whoever runs the server."
    )


# ---- one writer --------------------------------------------------------------------------------

_HELD: dict[str, list[int]] = {}  # lock file -> [file descriptor, stores of this process using it]
_HELD_LOCK = threading.Lock()


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def take_writer_lock(db_path: Path) -> str:
    """Hold the database's writer lock for this process (shared by its stores); returns the key to
    give back to :func:`release_writer_lock`. Raises :class:`DatabaseInUse` if another process holds it."""
    path = lock_path(db_path)
    key = str(path.resolve())
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is not None:
            held[1] += 1
            return key
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            fd = os.open(path, os.O_RDONLY)  # a lock file we may not write still locks
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            if holder == f"process {os.getpid()}":  # this process, from code loaded again (a dev reload)
                _HELD[key] = [-1, 1]
                return key
            raise DatabaseInUse(
                f"the classroom database {db_path} is in use by another classroom server ({holder}): stop that "
                f"server first, or give this one its own database with {ENV_VAR}=<file>"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # pragma: no cover - a read-only lock file: the lock holds all the same
            pass
        _HELD[key] = [fd, 1]
        return key


def release_writer_lock(key: str) -> None:
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] <= 0:
            del _HELD[key]
            if held[0] >= 0:
                os.close(held[0])  # the lock goes with the descriptor


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:  # pragma: no cover
        text = ""
    return f"process {text}" if text.isdigit() else "another process"


# ---- can changes be saved? -------------------------------------------------------------------------


def identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def why_not_writable(path: Path) -> str | None:
    """Why the database at ``path`` cannot be opened for writing (None: it can); makes its folder."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return f"cannot be created ({err.strerror or err}: {path.parent})"
    if path.is_dir():
        return "is a folder, not a database file"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return READ_ONLY_FOLDER if path.exists() else "cannot be created (its folder is read-only)"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return READ_ONLY
    return None


class FileWatch:
    """The database file as it was opened, looked at again before every change and by the timer."""

    def __init__(self, path: Path, fixed: str | None = None) -> None:
        self.path = path
        self.identity = identity(path)
        self.fixed = fixed  # a reason that holds for good (opened read-only, deleted, replaced)
        self.reason: str | None = fixed
        self._lock = threading.Lock()

    def check(self) -> tuple[str | None, bool]:
        """Why changes cannot be saved now (None: they can), and whether that is new."""
        with self._lock:
            reason = self.fixed or self._look()
            if reason in FOR_GOOD:
                self.fixed = reason
            changed = reason != self.reason
            if changed:
                self._log(reason)
            self.reason = reason
            return reason, changed and reason in FOR_GOOD

    def _look(self) -> str | None:
        now = identity(self.path)
        if now is None:
            return DELETED
        if now != self.identity:
            return REPLACED
        if not os.access(self.path.parent, os.W_OK | os.X_OK):
            return READ_ONLY_FOLDER
        if not os.access(self.path, os.W_OK):
            return READ_ONLY
        return None

    def _log(self, reason: str | None) -> None:
        if reason is None:
            log.warning("classroom database %s can be written again: changes are saved", self.path)
        else:
            log.error(
                "classroom database %s %s: changes are refused, the classes are served as they are", self.path, reason
            )
