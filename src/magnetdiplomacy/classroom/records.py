"""What a class is made of: its modes and statuses, settings, members, news items and plan lines."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

MODES = ("solo", "individual", "roleplay")
MODE_LABELS = {
    "solo": "Play as Malaysia",
    "individual": "Individual: everyone plays Malaysia",
    "roleplay": "Role-play: students take seats",
}
OPEN = ("lobby", "running", "paused")
STATUS_LABELS = {
    "lobby": "Waiting to start",
    "running": "Running",
    "paused": "Paused",
    "finished": "Finished",
    "closed": "Closed",
    "expired": "Expired (time limit)",
}
OVER = ("finished", "closed", "expired")  # nothing more is played (the teacher may reopen or extend)
SHARED = "shared"  # the world key of a role-play class
ALL_WORLDS = "*"  # fired rows for every world of a class (injects)
DEFAULT_HOURS = 24.0 * 14  # a class (and its join code) lasts two weeks unless the teacher ends or extends it
MAX_NAME = 40
# The teacher's news is read aloud or projected: a headline is one line, a text one short paragraph.
MAX_HEADLINE = 120
MAX_NEWS_TEXT = 1200
# Where replayed history would undo a student's move: history wins ("replayed") or the students'
# world goes its own way on that lever from then on ("diverge").
HISTORY_MODES = {
    "diverge": "Students' moves stand: history no longer resets a lever a student has set",
    "replayed": "History is replayed as it happened, even where it undoes a student's move",
}


class ClassError(ValueError):
    """Something that cannot be done now (the class is paused, the seat is full, ...)."""


@dataclass
class Settings:
    auto_advance: bool = True  # advance as soon as every seat has said it is done
    timer_s: int = 0  # seconds per quarter (0: no timer)
    auto_injects: bool = True  # announce scripted injects when their quarter begins
    seat_size: int = 6  # students per seat in role-play
    history: str = "diverge"  # see HISTORY_MODES (fixed once the class starts)

    @classmethod
    def from_json(cls, text: str | None) -> Settings:
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
    removed: bool = False  # taken off the roster by the teacher (their records stay)


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


def visible_text(text: str) -> str:
    """``text`` without the characters that show nothing yet change how the text around them reads:
    format characters (right-to-left and left-to-right overrides, embeddings and isolates, zero-width
    spaces and joiners, direction marks, the byte-order mark...) and control characters other than
    whitespace. A right-to-left override makes "gnp.exe" read "exe.png"; Arabic or Hebrew text is
    laid out right to left by its own letters and keeps every one of them."""
    return "".join(
        ch for ch in unicodedata.normalize("NFC", text) if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def clean_name(name: str) -> str:
    """A display name as the class shows it: visible characters only (:func:`visible_text`), runs of
    whitespace (line and paragraph separators included) as one space, at most ``MAX_NAME`` characters."""
    name = " ".join(visible_text(str(name or "")).split())[:MAX_NAME]
    if not name:
        raise ClassError("Please type your name.")
    return name
