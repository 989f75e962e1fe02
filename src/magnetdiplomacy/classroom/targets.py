"""Malaysia's published targets and how a game is scored against them.

Four targets, 25 points each (100 in all):

* **Magnets**: 15% of the magnets made outside China, as the average share over the target year.
* **Exports**: US$500 million of rare-earth exports in the target year (oxide, magnets and
  components, summed over its twelve months).
* **Jobs**: 2,000 direct jobs in the industry in the last month of the target year.
* **Non-aligned**: Malaysia's alignment stays inside the band -0.25 … +0.25 (the scale runs from
  -1, fully on China's side, to +1, fully on the US side). Points are the share of the months the
  player was in charge that stayed inside the band; the target counts as met when every month of
  the target year did.

The target year is 2030 when the game covers all of it; a shorter game is scored on its last twelve
months (exports then count the months there are, scaled to a year). Points for the first three
targets are proportional to how close the result came (capped at the target), so a near miss still
scores.

Beside the score, :func:`whole_scorecard` reads Malaysia's whole scorecard
(:data:`magnetdiplomacy.targets.TARGETS`, the same table ``run`` writes) for this world and the
model's Malaysia: unscored, for 2030 or, in a shorter game, the last whole calendar year with a
month played (or, before one, the year so far).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..runs import complete_years
from ..targets import (
    ALIGNMENT_BAND,
    EXPORT_TARGET_USD,
    EXPORT_TEXT,
    EXPORT_TEXT_LONG,
    JOBS_TARGET,
    JOBS_TEXT,
    SHARE_TARGET,
    SHARE_TEXT,
    TARGET_YEAR,
    TARGETS,
)
from ..targets import scorecard as malaysia_scorecard

if TYPE_CHECKING:
    from .world import World

POINTS_EACH = 25.0

TARGET_TEXT = {
    "share": f"{SHARE_TEXT} of non-China magnet output",
    "exports": f"{EXPORT_TEXT_LONG} of exports a year",
    "jobs": f"{JOBS_TEXT} direct jobs",
    "aligned": f"non-aligned: alignment within ±{ALIGNMENT_BAND:.2f}",
}


@dataclass(frozen=True)
class Score:
    key: str
    label: str
    value: float
    target: float
    points: float
    met: bool
    shown: str  # the value for people (e.g. "9.3%")
    goal: str  # the target for people (e.g. "15%")
    detail: str = ""


class ScoreTotals:
    """Totals of a card's ``scores`` (items with ``key``, ``points`` and ``met``)."""

    scores: tuple

    @property
    def total(self) -> float:
        return float(sum(s.points for s in self.scores))

    @property
    def met(self) -> int:
        return sum(1 for s in self.scores if s.met)

    def get(self, key: str):  # noqa: ANN201 (the card's own score type)
        return next(s for s in self.scores if s.key == key)


@dataclass(frozen=True)
class Scorecard(ScoreTotals):
    scores: tuple[Score, ...]
    window: str  # e.g. "2030" or "Jan–Dec 2027"
    months_played: int
    extras: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"total": round(self.total, 1), "targets_met": self.met, "window": self.window}
        for s in self.scores:
            out[f"{s.key}_value"] = s.value
            out[f"{s.key}_points"] = round(s.points, 1)
            out[f"{s.key}_met"] = s.met
        out.update(self.extras)
        return out


def as_dates(values: Sequence) -> list[dt.date]:
    """Dates of the data collector's ``date`` column (numpy or pandas values) as ``datetime.date``."""
    return [pd.Timestamp(v).date() for v in values]


def usd_m(value: float) -> str:
    return f"US${value / 1e6:,.0f} m"


def window(dates: Sequence, last: int) -> tuple[int, int, str]:
    """Row range (start, stop) of the target window and its label; ``last`` is the last row played
    (the seats' scores use the same window, see :mod:`.seat_targets`)."""
    for i in range(last + 1):
        if dates[i].year == TARGET_YEAR and dates[i].month == 1 and i + 11 <= last:
            return i, i + 12, str(TARGET_YEAR)
    start = max(0, last - 11)
    a, b = dates[start], dates[last]
    return start, last + 1, f"{a:%b %Y} – {b:%b %Y}"


def _points(value: float, target: float) -> float:
    return POINTS_EACH * max(0.0, min(1.0, value / target))


def _output_scores(series: Mapping[str, Sequence], dates: list[dt.date], lo: int, hi: int, label: str) -> list[Score]:
    """Share of non-China magnets and exports over the window, direct jobs at its end."""
    n = hi - lo
    share = float(sum(series["malaysia_magnet_share_nonchina"][lo:hi]) / n)
    exports = float(sum(series["malaysia_export_revenue_usd"][lo:hi])) * 12.0 / n
    jobs = float(series["malaysia_direct_jobs"][hi - 1])
    return [
        Score(
            "share",
            "Share of non-China magnets",
            share,
            SHARE_TARGET,
            _points(share, SHARE_TARGET),
            share >= SHARE_TARGET,
            f"{share:.1%}",
            SHARE_TEXT,
            f"average over {label}",
        ),
        Score(
            "exports",
            "Rare-earth exports",
            exports,
            EXPORT_TARGET_USD,
            _points(exports, EXPORT_TARGET_USD),
            exports >= EXPORT_TARGET_USD,
            usd_m(exports),
            EXPORT_TEXT,
            f"over {label}" + ("" if n == 12 else " (scaled to a year)"),
        ),
        Score(
            "jobs",
            "Direct jobs",
            jobs,
            JOBS_TARGET,
            _points(jobs, JOBS_TARGET),
            jobs >= JOBS_TARGET,
            f"{jobs:,.0f}",
            JOBS_TEXT,
            f"in {dates[hi - 1]:%b %Y}",
        ),
    ]


def _alignment_score(series: Mapping[str, Sequence], first_played: int, last: int, lo: int, hi: int) -> Score:
    """The share of months played within the non-aligned band (met when the whole window is in it)."""
    align = [float(a) for a in series["malaysia_alignment"][first_played : last + 1]] or [
        float(series["malaysia_alignment"][last])
    ]
    inside = sum(1 for a in align if abs(a) <= ALIGNMENT_BAND) / len(align)
    window_align = [float(a) for a in series["malaysia_alignment"][lo:hi]]
    aligned_met = all(abs(a) <= ALIGNMENT_BAND for a in window_align)
    final = float(series["malaysia_alignment"][last])
    side = "towards the US" if final > 0 else "towards China" if final < 0 else ""
    return Score(
        "aligned",
        "Non-aligned",
        inside,
        1.0,
        POINTS_EACH * inside,
        aligned_met,
        f"{inside:.0%} of months",
        f"within ±{ALIGNMENT_BAND:.2f}",
        f"final alignment {final:+.2f} {side}".strip(),
    )


def scorecard(series: Mapping[str, Sequence], first_played: int, last: int | None = None) -> Scorecard:
    """Score a run's monthly series (the model's data-collector columns, from tick 0).

    ``first_played`` is the first tick the player was in charge; ``last`` the last tick simulated
    (default: the last row).
    """
    dates = as_dates(series["date"])
    last = len(dates) - 1 if last is None else min(last, len(dates) - 1)
    if last < 0:
        raise ValueError("nothing simulated yet")
    lo, hi, label = window(dates, last)
    n = hi - lo
    scores = (*_output_scores(series, dates, lo, hi, label), _alignment_score(series, first_played, last, lo, hi))
    final = float(series["malaysia_alignment"][last])
    incentive = float(sum(series["malaysia_incentive_cost_usd"][first_played : last + 1]))
    value_added = float(sum(series["malaysia_value_added_usd"][lo:hi])) * 12.0 / n
    extras = {"final_alignment": final, "incentive_cost_usd": incentive, "value_added_usd_yr": value_added}
    return Scorecard(scores, label, last + 1 - first_played, extras)


TARGET_COLUMNS = tuple(dict.fromkeys(target.column for target in TARGETS))


@dataclass(frozen=True)
class WholeScorecard:
    """Malaysia's whole scorecard (every target, unscored) in one year: this world and the model's."""

    year: int
    months: int  # months of ``year`` simulated (12: the whole year; fewer: the year so far)
    player: pd.DataFrame  # magnetdiplomacy.targets.scorecard of this world
    model: pd.DataFrame  # ... of the model's own Malaysia

    @property
    def when(self) -> str:
        """The year in words ("2030", or "2026 so far (9 months)")."""
        return str(self.year) if self.months == 12 else f"{self.year} so far ({self.months} months)"


def whole_year(dates: pd.Series, first_played: int) -> tuple[int, int]:
    """The year of the whole scorecard and how many of its months ``dates`` (the months simulated)
    hold: 2030 when whole; else the last whole calendar year with a month played (from row
    ``first_played``); else the year of the last month, so far."""
    years = complete_years(pd.DataFrame({"date": dates}))
    first_year = int(pd.Timestamp(dates.iloc[first_played]).year)
    if TARGET_YEAR in years:
        return TARGET_YEAR, 12
    played = [year for year in years if year >= first_year]
    if played:
        return played[-1], 12
    last = pd.Timestamp(dates.iloc[-1])
    return int(last.year), int((pd.to_datetime(dates).dt.year == last.year).sum())


def whole_scorecard(world: World, ai: World, first_played: int, last: int) -> WholeScorecard | None:
    """The whole scorecard of ``world`` and of the model's world ``ai`` from tick 0 to ``last``, in the
    year :func:`whole_year` picks; None before the first month played."""
    if last < first_played:
        return None
    frames = []
    for each in (world, ai):
        series = each.series(("date", *TARGET_COLUMNS))
        frames.append(pd.DataFrame({column: values[: last + 1] for column, values in series.items()}))
    year, months = whole_year(frames[0]["date"], first_played)
    return WholeScorecard(year, months, malaysia_scorecard(frames[0], year), malaysia_scorecard(frames[1], year))
