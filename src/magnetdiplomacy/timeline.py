"""Calendar arithmetic: one tick is one calendar month.

Dates in scenario files and in ``events.csv`` are ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY``.
Everything inside the model is a month index counted from the scenario's start month.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_month(text: str | dt.date) -> tuple[int, int]:
    """Return ``(year, month)`` for ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a bare year means January)."""
    if isinstance(text, dt.date):
        return text.year, text.month
    return _parse_text(str(text))


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> tuple[int, int]:
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a date of the form YYYY-MM")
    year = int(match.group(1))
    month = int(match.group(2) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has month {month}, outside 1-12")
    if match.group(3) is not None and not 1 <= int(match.group(3)) <= 31:
        raise ValueError(f"'{text}' has day {match.group(3)}, outside 1-31")
    return year, month


def month_index(text: str | dt.date) -> int:
    """Absolute month number (year * 12 + month - 1), for differences between dates."""
    year, month = parse_month(text)
    return year * 12 + month - 1


def months_between(start: str, end: str) -> int:
    """Number of whole months from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    return month_index(end) - month_index(start)


def tick_date(start: str, tick: int) -> dt.date:
    """First day of the month that ``tick`` (0-based) stands for."""
    absolute = month_index(start) + tick
    return dt.date(absolute // 12, absolute % 12 + 1, 1)


def tick_label(start: str, tick: int) -> str:
    """``YYYY-MM`` label of ``tick``."""
    date = tick_date(start, tick)
    return f"{date.year:04d}-{date.month:02d}"


def tick_of(start: str, when: str) -> int:
    """Tick at which the month ``when`` falls, counted from ``start`` (may be negative)."""
    return months_between(start, when)
