"""Malaysia's scorecard: every target and constraint the sources name, declared once.

``run``, ``compare``, the browser app and the classroom's debrief all read :data:`TARGETS` and
:func:`scorecard`. Each target names the output column it reads (its yearly value follows the
column's declared aggregation, :mod:`magnetdiplomacy.outputs`), its goal and which way it counts,
and where the goal comes from. Targets without a published number (``goal`` None) are indicators:
shown beside the others, never scored.

The four targets the classroom scores are the first four: 15% of the magnets made outside China,
US$500 million of rare-earth exports a year and 2,000 direct jobs by 2030, while staying
non-aligned (alignment within ±0.25 on the scale from −1, China's side, to +1, the US side).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .outputs import OUTPUTS, format_value

SHARE_TARGET = 0.15  # Malaysia's share of non-China magnet output
EXPORT_TARGET_USD = 500e6  # rare-earth exports per year
JOBS_TARGET = 2_000  # direct jobs in the industry
ALIGNMENT_BAND = 0.25  # |alignment| at most this counts as non-aligned
TARGET_YEAR = 2030

# The same targets as people read them ("15%", "US$500 m", "2,000").
SHARE_TEXT = f"{SHARE_TARGET:.0%}"
EXPORT_TEXT = f"US${EXPORT_TARGET_USD / 1e6:,.0f} m"
EXPORT_TEXT_LONG = f"US${EXPORT_TARGET_USD / 1e6:,.0f} million"
JOBS_TEXT = f"{JOBS_TARGET:,}"


SENSES = ("at_least", "at_most", "within")


@dataclass(frozen=True)
class Target:
    """One line of Malaysia's scorecard."""

    key: str
    label: str
    column: str  # the output column it reads
    goal: float | None  # None: an indicator, shown but not scored
    sense: str  # at_least | at_most | within (|value| <= goal in every month of the year)
    goal_text: str
    source: str
    flag: str  # as in calibration.csv: 2nd, GAP, ASSUMPTION, DESIGN ...

    def __post_init__(self) -> None:
        if self.sense not in SENSES or self.column not in OUTPUTS:
            raise ValueError(f"target {self.key}: bad declaration")

    def met(self, value: float) -> bool | None:
        """Whether a yearly value meets the goal (None for an indicator)."""
        if self.goal is None:
            return None
        if self.sense == "at_least":
            return value >= self.goal
        return value <= self.goal


def _t(key, label, column, goal, sense, goal_text, source, flag) -> Target:  # noqa: ANN001 (a table row)
    return Target(key, label, column, goal, sense, goal_text, source, flag)


TARGETS: tuple[Target, ...] = (
    _t("share", "Share of non-China magnets", "malaysia_magnet_share_nonchina", SHARE_TARGET, "at_least",
       f"{SHARE_TEXT} of non-China magnet output", "DESIGN (the project's source article)", "DESIGN"),
    _t("exports", "Rare-earth exports", "malaysia_export_revenue_usd", EXPORT_TARGET_USD, "at_least",
       f"{EXPORT_TEXT_LONG} a year", "DESIGN (the project's source article)", "DESIGN"),
    _t("jobs", "Direct jobs", "malaysia_direct_jobs", JOBS_TARGET, "at_least", f"{JOBS_TEXT} direct jobs",
       "DESIGN (the project's source article); C211 (7,000 jobs with indirect, 2025)", "DESIGN"),
    _t("aligned", "Non-aligned", "malaysia_alignment", ALIGNMENT_BAND, "within",
       f"alignment within ±{ALIGNMENT_BAND:.2f} all year", "DESIGN (hedging, not taking sides)", "DESIGN"),
    _t("local_content", "Local content", "malaysia_local_content", 0.75, "at_least",
       "75% of supporting services and materials", "strategy sources (no calibration row)", "GAP"),
    _t("investment", "Downstream investment", "malaysia_downstream_investment_total_usd", 2e9, "at_least",
       "US$2 billion more downstream investment", "strategy sources (no calibration row)", "GAP"),
    _t("patents", "Materials-science patents", "malaysia_patents_index", 1.5, "at_least",
       "+50% materials-science patents", "strategy sources (no calibration row)", "GAP"),
    _t("customers", "Customers spread", "malaysia_customer_spread", 0.2, "at_least",
       "America, Europe and Asia each buy at least a fifth",
       "strategy sources (customers across America, Europe and Asia; the fifth is assumed)", "ASSUMPTION"),
    _t("local_tech", "Local technological participation", "malaysia_capability", 0.2, "at_least",
       "local know-how above 20%", "DESIGN; strategy sources (under 20% today)", "DESIGN"),
    _t("ore_kept", "Ore leaving illegally", "malaysia_ore_leaked_t", 3_000, "at_most",
       "at most 3,000 t REO a year (the 2023 legal exports)", "C500; C501 (the bound is assumed)", "ASSUMPTION"),
    _t("rcep", "Magnets sold to Japan and Korea (RCEP)", "malaysia_magnet_sales_japan_korea_t", None, "at_least",
       "indicator", "strategy sources (RCEP zero tariffs)", "2nd"),
    _t("esg", "Share of buyers paying the ESG premium", "malaysia_share_esg_buyers", None, "at_least",
       "indicator", "strategy sources (buyers paying for responsible sourcing)", "GAP"),
    _t("enforcement", "Cost of policing the ore ban", "malaysia_enforcement_usd", None, "at_most",
       "indicator", "assumption", "ASSUMPTION"),
    _t("resource", "Resource left in the ground (value)", "malaysia_resource_value_usd", None, "at_least",
       "indicator", "C059; C061", "UNCERTAIN"),
)  # fmt: skip
TARGET_BY_KEY = {t.key: t for t in TARGETS}
SCORECARD_COLUMNS = ("key", "label", "value", "shown", "goal", "goal_text", "met", "column", "source", "flag")


def year_value(frame: pd.DataFrame, target: Target, year: int = TARGET_YEAR) -> float:
    """A run's value for ``target`` in ``year``: the column's yearly aggregate, or for a band
    target the largest distance from zero in any month of the year."""
    dates = pd.to_datetime(frame["date"])
    values = frame.loc[dates.dt.year == year, target.column].astype(float)
    if values.empty:
        raise ValueError(f"the run does not cover {year}")
    if target.sense == "within":
        return float(values.abs().max())
    how = OUTPUTS[target.column].year
    return float(values.iloc[-1] if how == "last" else values.mean() if how == "mean" else values.sum())


def shown(target: Target, value: float) -> str:
    """A yearly value as people read it."""
    if target.sense == "within":
        return f"at most {value:.2f} from neutral"
    return format_value(target.column, value)


def scorecard(frame: pd.DataFrame, year: int = TARGET_YEAR, targets: Iterable[Target] = TARGETS) -> pd.DataFrame:
    """Malaysia's scorecard for one run in ``year``: one row per target (value, goal, met, source)."""
    rows = []
    for target in targets:
        value = year_value(frame, target, year)
        rows.append(
            {
                "key": target.key,
                "label": target.label,
                "value": value,
                "shown": shown(target, value),
                "goal": target.goal,
                "goal_text": target.goal_text,
                "met": target.met(value),
                "column": target.column,
                "source": target.source,
                "flag": target.flag,
            }
        )
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def scorecard_over_seeds(frames: Iterable[pd.DataFrame], year: int = TARGET_YEAR) -> pd.DataFrame:
    """The scorecard over several runs (seeds): each target's mean value, its range and the share of
    runs that met it."""
    cards = [scorecard(frame, year) for frame in frames]
    if not cards:
        raise ValueError("no runs to score")
    values = pd.concat([card.set_index("key")["value"] for card in cards], axis=1)
    first = cards[0].set_index("key")
    out = first[["label", "goal", "goal_text", "column", "source", "flag"]].copy()
    out["mean"] = values.mean(axis=1)
    out["low"] = values.min(axis=1)
    out["high"] = values.max(axis=1)
    met = pd.concat([card.set_index("key")["met"] for card in cards], axis=1)
    out["share_met"] = [
        None if TARGET_BY_KEY[key].goal is None else float(met.loc[key].astype(bool).mean()) for key in out.index
    ]
    out["shown"] = [shown(TARGET_BY_KEY[key], value) for key, value in out["mean"].items()]
    runs = len(cards)
    out["runs"] = runs
    return out.reset_index()
