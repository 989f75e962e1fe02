"""What the teacher controls in a class besides the clock and the news: pausing (the timer keeps
the time it had left), settings, ending, extending and reopening, and the roster (free a seat,
remove a student, merge a student's two records)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

from .fields import check_settings
from .records import HISTORY_MODES, OPEN, OVER, ClassError, Member
from .state import ClassState

MAX_EXTEND_DAYS = 60  # one term: a class is a teaching unit, not a standing service
REOPEN_DAYS = 7.0  # a reopened class runs at least a week from now


class TeacherControls(ClassState):
    """Teacher controls of one class (the clock and the news are in :class:`.session.ClassSession`)."""

    def advance(self, why: str = "teacher") -> None:  # pragma: no cover - ClassSession moves the clock
        raise NotImplementedError

    # ---- the clock ------------------------------------------------------------------------------

    def pause(self, paused: bool) -> None:
        """Pause (the quarter's timer keeps the time it had left) or resume."""
        with self.lock:
            now = time.time()
            if paused and self.status in ("lobby", "running"):
                self.remaining = max(0.0, self.deadline - now) if self.deadline is not None else None
                self.status, self.deadline = "paused", None
            elif not paused and self.status == "paused":
                self.status = "running"
                if self.settings.timer_s:
                    left = self.remaining if self.remaining is not None else float(self.settings.timer_s)
                    self.deadline = now + left
                self.remaining = None
            else:
                return
            self.store.update_class(self.id, status=self.status, deadline=self.deadline, remaining=self.remaining)
        self.bump("public")

    def configure(self, **changes: Any) -> None:
        with self.lock:
            check_settings(changes)
            if "history" in changes:
                self._check_history(str(changes["history"]))
            for key, value in changes.items():
                setattr(self.settings, key, type(getattr(self.settings, key))(value))
            if "timer_s" in changes:
                self.remaining = None
                self.deadline = (
                    time.time() + self.settings.timer_s if self.settings.timer_s and self.status == "running" else None
                )
            self.store.update_class(
                self.id, settings=json.dumps(asdict(self.settings)), deadline=self.deadline, remaining=self.remaining
            )
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

    def _check_history(self, value: str) -> None:
        if value not in HISTORY_MODES:
            raise ClassError(f"history must be one of {', '.join(HISTORY_MODES)}, not '{value}'")
        if value != self.settings.history and (self.quarter > 0 or self.status not in ("lobby",)):
            # the worlds already played were built with the other rule (a rebuild must match them)
            raise ClassError("How history meets students' moves is chosen before the class starts.")

    # ---- the class's life ------------------------------------------------------------------------

    def end(self) -> None:
        with self.lock:
            if self.status in OVER:
                return
            self.status, self.deadline, self.remaining = "finished", None, None
            self.store.update_class(self.id, status=self.status, deadline=None, remaining=None)
        self.bump("public")

    def extend(self, days: float) -> None:
        """Give the class (and its join code) ``days`` more days; an expired class comes back paused."""
        if not 0 < days <= MAX_EXTEND_DAYS:
            raise ClassError(f"Extend by 1 to {MAX_EXTEND_DAYS} days.")
        with self.lock:
            self.expires = max(self.expires, time.time()) + days * 86400
            fields: dict[str, Any] = {"expires": self.expires}
            if self.status == "expired":
                self.status = fields["status"] = "paused"
                self._fresh_code(fields)
            self.store.update_class(self.id, **fields)
        self.bump("public")

    def reopen(self) -> None:
        """Bring back a class that was ended before its last quarter (or expired), paused."""
        with self.lock:
            if self.status in OPEN:
                raise ClassError("The class is still open.")
            if self.finished:
                raise ClassError("Every quarter of this class has been played: there is nothing to reopen.")
            self.status = "paused"
            self.expires = max(self.expires, time.time() + REOPEN_DAYS * 86400)
            fields: dict[str, Any] = {"status": "paused", "expires": self.expires, "deadline": None}
            self._fresh_code(fields)
            self.store.update_class(self.id, **fields)
        self.bump("public")

    def _fresh_code(self, fields: dict[str, Any]) -> None:
        """Keep the join code unless another open class has taken it since."""
        if self.code and self.code in self.store.open_codes(time.time()):
            from .auth import new_join_code

            self.code = fields["code"] = new_join_code(self.store.open_codes(time.time()))

    # ---- the roster ---------------------------------------------------------------------------

    def _member(self, member_id: str) -> Member:
        member = self.members.get(member_id)
        if member is None or member.removed:
            raise ClassError("No such student in this class.")
        return member

    def free_seat(self, member_id: str) -> None:
        with self.lock:
            member = self._member(member_id)
            if self.mode != "roleplay":
                raise ClassError("Seats are only used in role-play.")
            member.seat = None
            self.store.update_member(member.id, seat=None)
        self.bump("public")

    def remove_member(self, member_id: str) -> None:
        """Take a student off the roster (a ghost left by a lost link, a fake name): they no longer
        hold a seat or keep the clock waiting, their link stops working, their records stay."""
        with self.lock:
            member = self._member(member_id)
            member.removed, member.seat = True, None
            self.store.update_member(member.id, removed=1, seat=None)
            self.worlds.pop(member.id, None)
            self._advance_if_everyone_done()
        self.bump("public")

    def merge_members(self, keep_id: str, drop_id: str) -> None:
        """The student now using ``drop_id``'s link carries on as ``keep_id`` (their earlier record,
        world and seat); ``drop_id`` is removed from the roster."""
        with self.lock:
            keep, drop = self._member(keep_id), self._member(drop_id)
            if keep.id == drop.id:
                raise ClassError("Choose two different students to merge.")
            token_hash = drop.token_hash
            with self.store.tx():
                drop.token_hash, drop.removed = f"merged:{drop.id}", True
                self.store.update_member(drop.id, token_hash=drop.token_hash, removed=1, seat=None)
                keep.token_hash = token_hash
                keep.seat = keep.seat or drop.seat
                drop.seat = None
                self.store.update_member(keep.id, token_hash=token_hash, seat=keep.seat)
            self.worlds.pop(drop.id, None)
            self._advance_if_everyone_done()
        self.bump("public")

    def _advance_if_everyone_done(self) -> None:
        if self.settings.auto_advance and self.status == "running" and not self.finished and self.all_ready():
            self.advance("everyone was done")


__all__ = ["MAX_EXTEND_DAYS", "REOPEN_DAYS", "TeacherControls"]
