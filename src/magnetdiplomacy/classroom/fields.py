"""The options a teacher gives a class, checked where they enter (:meth:`.room.Classroom.create_class`
and :meth:`~.room.Classroom.configure`): each wrong one is refused with a one-line
:class:`~.records.ClassError` naming the option, the value and what is allowed (no bool for a
number, no NaN, nothing unknown), before anything is written."""

from __future__ import annotations

import math
from typing import Any

from ..timeline import parse_month
from .records import HISTORY_MODES, ClassError, Settings

CLASS_MODES = ("individual", "roleplay")
MAX_HOURS = 60 * 24.0  # a class is open at most 60 days at a time (the teacher may extend it)
MAX_TIMER_S = 24 * 3600  # a quarter's timer: off (0) or up to a day
MAX_SEAT_SIZE = 40  # students on one seat of a role-play
MAX_SEED = 2**32 - 1


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(name: str, value: Any, low: float, high: float, whole: bool = False) -> Any:
    kind = "a whole number" if whole else "a number"
    ok = isinstance(value, int) if whole else isinstance(value, (int, float))
    span = f"{int(low)} to {int(high)}" if whole else f"{low:g} to {high:g}"
    if isinstance(value, bool) or not ok or not (math.isfinite(value) and low <= value <= high):
        raise ClassError(f"{name} must be {kind} from {span}, not {_shown(value)}")
    return value


def _month(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClassError(f"{name} must be a month written YYYY-MM, not {_shown(value)}")
    try:
        year, month = parse_month(value)
    except ValueError:
        raise ClassError(f"{name} must be a month written YYYY-MM, not {_shown(value)}") from None
    return f"{year:04d}-{month:02d}"


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A class's settings (see :class:`.records.Settings`), checked: unknown names, wrong types and
    values out of range are refused."""
    known = Settings.__dataclass_fields__
    for key, value in settings.items():
        if key not in known:
            raise ClassError(f"unknown class setting '{_shown(key)[1:-1]}' (known: {', '.join(known)})")
        if key in ("auto_advance", "auto_injects") and not isinstance(value, bool):
            raise ClassError(f"{key} must be true or false, not {_shown(value)}")
        if key == "timer_s":
            _number("timer_s (seconds per quarter, 0 for none)", value, 0, MAX_TIMER_S, whole=True)
        if key == "seat_size":
            _number("seat_size (students per seat)", value, 1, MAX_SEAT_SIZE, whole=True)
        if key == "history" and value not in HISTORY_MODES:
            raise ClassError(f"history must be one of {', '.join(HISTORY_MODES)}, not {_shown(value)}")
    return dict(settings)


def check_class_options(
    mode: Any, start: Any, end: Any, seed: Any, scenario: Any, hours: Any, settings: dict[str, Any]
) -> tuple[str | None, str | None]:
    """The options of :meth:`.room.Classroom.create_class`, checked; returns start and end as YYYY-MM."""
    if mode not in CLASS_MODES:
        raise ClassError(f"mode must be 'individual' or 'roleplay', not {_shown(mode)}")
    months = check_world_options(start, end, seed, scenario)
    _number("hours (how long the class stays open)", hours, 0, MAX_HOURS)
    if hours <= 0:
        raise ClassError(f"hours (how long the class stays open) must be more than 0, not {_shown(hours)}")
    check_settings(settings)
    return months


def check_world_options(start: Any, end: Any, seed: Any, scenario: Any) -> tuple[str | None, str | None]:
    """The options of a class's or a solo game's world, checked; returns start and end as YYYY-MM."""
    if seed is not None:
        _number("seed", seed, 0, MAX_SEED, whole=True)
    if scenario is not None and (not isinstance(scenario, str) or not scenario.strip()):
        raise ClassError(f"scenario must be a scenario's name, not {_shown(scenario)}")
    return _month("start", start), _month("end", end)
