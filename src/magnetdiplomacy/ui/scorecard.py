"""The *Scorecard* tab: Malaysia's whole scorecard (:data:`magnetdiplomacy.targets.TARGETS`) for the
run so far.

Values are read through :func:`magnetdiplomacy.targets.scorecard`, as ``run``, ``compare`` and the
classroom read them: for the latest whole calendar year simulated or, before the first whole year,
for the year so far (the card says which, and marks a goal met or not met "so far"). Each row gives
the value, the goal, whether it is met (indicators are shown, never scored) and the goal's source
(in small text, and on hover).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd
import solara

from ..targets import TARGET_YEAR, TARGETS, Target, scorecard
from .panels import headline_html
from .session import Session
from .state import AppState, use_live

TARGET_COLUMNS = tuple(dict.fromkeys(target.column for target in TARGETS))
# row state -> (CSS class, words); "so far" marks a year not yet over, "pending" the page before the first month
STATUS = {
    "met": ("md-met", "✓ met"),
    "unmet": ("md-unmet", "✗ not met"),
    "met so far": ("md-met", "✓ so far"),
    "unmet so far": ("md-unmet", "✗ so far"),
    "indicator": ("md-indicator", "– indicator"),
    "pending": ("md-indicator", "–"),
}

CSS = """
.md-scorecard { padding: 6px 10px; }
.md-scorecard-title { font-weight: 600; font-size: 0.95rem; margin: 2px 0 4px 0; }
.md-score { border-collapse: collapse; width: 100%; font-size: 0.82rem; }
.md-score th { text-align: left; background: #f0f0f0; padding: 4px 6px; }
.md-score td { border-top: 1px solid #e6e6e6; padding: 3px 6px; vertical-align: top; }
.md-score td.md-score-value { text-align: right; white-space: nowrap; font-weight: 600; }
.md-score-source { font-size: 0.7rem; color: #666; }
.md-score tr.md-met td.md-score-met { color: #00795a; font-weight: 600; }
.md-score tr.md-unmet td.md-score-met { color: #a86400; font-weight: 600; }
.md-score tr.md-indicator td.md-score-met { color: #666; }
"""


@dataclass(frozen=True)
class RunScorecard:
    """The scorecard of a run so far: which year, how many of its months, and the table."""

    year: int
    months: int  # months of ``year`` simulated (12: a whole year)
    last_month: int  # the last of them (1-12)
    card: pd.DataFrame  # targets.scorecard(...)

    @property
    def whole(self) -> bool:
        return self.months == 12

    @property
    def when(self) -> str:
        """Which year the values are for, in words."""
        if self.whole:
            return f"{self.year}, the latest whole year simulated"
        first, last = calendar.month_abbr[self.last_month - self.months + 1], calendar.month_abbr[self.last_month]
        span = first if first == last else f"{first}–{last}"
        return f"{self.year} so far ({span}, year to date)"


def period(session: Session) -> tuple[int, int, int] | None:
    """(year, months of it simulated, its last month simulated): the latest whole calendar year the
    run has simulated or, before the first, the year so far; None before the first month."""
    dates = session.series("date")
    if not len(dates):
        return None
    first, last = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])
    whole = last.year if last.month == 12 else last.year - 1
    if (first.year, first.month) <= (whole, 1):
        return whole, 12, 12
    return last.year, last.month - (first.month - 1 if first.year == last.year else 0), last.month


def target_frame(session: Session) -> pd.DataFrame:
    """The run's monthly values of every column a target reads, with their dates."""
    columns: dict[str, Any] = {"date": pd.to_datetime(pd.Series(session.series("date"), dtype=object))}
    columns.update({column: session.series(column) for column in TARGET_COLUMNS})
    return pd.DataFrame(columns)


def run_scorecard(session: Session) -> RunScorecard | None:
    """The scorecard of the latest whole calendar year simulated, or of the year so far before the
    first whole year (see :func:`period`); None before the first month."""
    found = period(session)
    if found is None:
        return None
    year, months, last_month = found
    return RunScorecard(year, months, last_month, scorecard(target_frame(session), year))


def _row(target: Target, value: str, status: str) -> str:
    css, words = STATUS[status]
    source = f"Source: {target.source}; flag {target.flag}"
    return (
        f"<tr class='{css}' data-key='{target.key}' title='{escape(source, quote=True)}'>"
        f"<td>{escape(target.label)}<div class='md-score-source'>{escape(source)}</div></td>"
        f"<td class='md-score-value'>{escape(value)}</td><td>{escape(target.goal_text)}</td>"
        f"<td class='md-score-met'>{words}</td></tr>"
    )


def _status(target: Target, met: Any, whole: bool) -> str:
    if target.goal is None:
        return "indicator"
    return ("met" if bool(met) else "unmet") + ("" if whole else " so far")


def scorecard_html(session: Session, found: RunScorecard | None = None) -> str:
    """The scorecard card: one row per target (value, goal, met, source); ``found`` defaults to
    :func:`run_scorecard` of the session."""
    found = found if found is not None else run_scorecard(session)
    if found is None:
        title, year = "Malaysia's scorecard: press Step or Play", ""
        rows = "".join(_row(t, "–", "indicator" if t.goal is None else "pending") for t in TARGETS)
    else:
        title, year = f"Malaysia's scorecard: {found.when}", str(found.year)
        by_key = found.card.set_index("key")
        rows = "".join(
            _row(t, str(by_key.at[t.key, "shown"]), _status(t, by_key.at[t.key, "met"], found.whole)) for t in TARGETS
        )
    note = (
        f"The goals are Malaysia's for {TARGET_YEAR}. A value is the year's total, average or December level, as "
        "its output declares (non-aligned: the largest distance from neutral in any month). Indicators have no "
        "published goal: shown, never scored."
    )
    return (
        f"<div class='md-card md-scorecard' data-year='{year}' data-tick='{session.tick}'>"
        f"<div class='md-scorecard-title'>{escape(title)}</div><table class='md-score'><thead><tr>"
        "<th>Target</th><th>Value</th><th>Goal</th><th>Met</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><div class='md-help' style='margin-top:6px'>{escape(note)}</div></div>"
    )


@solara.component
def ScorecardView(state: AppState):
    """The headline and the scorecard as one live view, redrawn after every step."""
    _ = state.version.value  # re-render when the run changes
    session = state.session
    cache: dict[str, Any] = solara.use_memo(dict, [])

    def card_now() -> str:
        # a whole year's card changes once a year; before the first whole year, every month
        stamp = (session.generation, period(session))
        if cache.get("stamp") != stamp:
            cache["html"] = scorecard_html(session)
            cache["stamp"] = stamp
        return cache["html"]

    solara.Style(CSS)
    use_live(state, "view:scorecard", lambda: headline_html(session) + card_now(), ["md-view"])
