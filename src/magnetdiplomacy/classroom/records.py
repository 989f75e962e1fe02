"""What a class is made of: its modes and statuses, settings, members, news items and plan lines."""

from __future__ import annotations

import json
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
}
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
