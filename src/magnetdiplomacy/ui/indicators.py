"""Headline indicators and Malaysia's targets, computed from the run's time series."""

from __future__ import annotations

from dataclasses import dataclass

from ..targets import EXPORT_TARGET_USD, EXPORT_TEXT, JOBS_TARGET, SHARE_TARGET, TARGET_YEAR
from .session import Session, short_month


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    value: str
    detail: str
    tooltip: str
    status: str = "neutral"  # neutral | good | short (against a target)


def alignment_words(value: float) -> str:
    if value > 0.1:
        return "leans to the US"
    if value < -0.1:
        return "leans to China"
    return "balanced"


def last_12_sum(values) -> float:
    return float(sum(values[-12:])) if len(values) else 0.0


def year_sum(session: Session, column: str, year: int) -> float | None:
    """Sum of a monthly column over a calendar year, or None until the whole year has run."""
    values = session.series(column)
    start = int(round((year - session.x0) * 12))
    if start < 0 or len(values) < start + 12:
        return None
    return float(sum(values[start : start + 12]))


def headline(session: Session) -> list[Indicator]:
    """The indicators shown above the charts, for the latest simulated month."""
    if session.tick == 0:
        return _before_start()
    return _alignment_and_shares(session) + _economy(session)


def _before_start() -> list[Indicator]:
    """The tiles before the first step: names, targets and help, no values."""
    rows = [
        (
            "alignment",
            "Alignment",
            "press Step or Play",
            "Malaysia's alignment: -1 fully with China, +1 fully with the US.",
        ),
        (
            "share_nonchina",
            "Non-China magnets",
            f"target {SHARE_TARGET:.0%}",
            "Malaysia's share of magnets made outside China.",
        ),
        (
            "share_world",
            "World magnets",
            "Malaysia's share",
            "Malaysia's share of all NdFeB magnets made in the world.",
        ),
        ("share_oxide", "NdPr oxide", "Malaysia's world share", "Malaysia's share of world separated NdPr oxide."),
        (
            "jobs",
            "Direct jobs",
            f"target {JOBS_TARGET:,} by {TARGET_YEAR}",
            "Direct jobs in Malaysia's rare-earth industry.",
        ),
        (
            "value_added",
            "Value added",
            "total over the last 12 months",
            "Value Malaysia adds along the chain (ore to components).",
        ),
        (
            "export_revenue",
            "Export revenue",
            f"target {EXPORT_TEXT} in {TARGET_YEAR}",
            "Malaysia's rare-earth export revenue over the last 12 months.",
        ),
    ]
    return [Indicator(key, label, "–", detail, tooltip) for key, label, detail, tooltip in rows]


def current_year(session: Session) -> int:
    """The calendar year of the last simulated month."""
    return int(session.month_label[:4])


def against_target(session: Session, value: float, goal: float) -> str:
    """A tile's colour: neutral before the target year (a 2030 target is not missed in 2022), then
    good or short against the goal."""
    if current_year(session) < TARGET_YEAR:
        return "neutral"
    return "good" if value >= goal else "short"


def progress(value: float, goal: float) -> str:
    """``x% of the 2030 target``."""
    return f"{value / goal:.0%} of the {TARGET_YEAR} target"


def last_12_mean(values) -> float:
    """The mean of the last 12 monthly values (of those there are, before a year has run)."""
    recent = values[-12:]
    return float(sum(recent) / len(recent)) if len(recent) else 0.0


def _alignment_and_shares(session: Session) -> list[Indicator]:
    alignment = session.last("malaysia_alignment")
    nonchina = session.last("malaysia_magnet_share_nonchina")
    nonchina_mean = last_12_mean(session.series("malaysia_magnet_share_nonchina"))
    world = session.last("malaysia_magnet_share_global")
    oxide = session.last("malaysia_oxide_share_global")
    average = "12-month average" if session.tick >= 12 else f"{session.tick}-month average"
    return [
        Indicator(
            "alignment",
            "Alignment",
            f"{alignment:+.3f}",
            f"last month: {alignment_words(alignment)}",
            "Malaysia's alignment in the last simulated month: -1 fully with China, +1 fully with the US. Revealed "
            "by its ties, trade and concessions.",
        ),
        Indicator(
            "share_nonchina",
            "Non-China magnets",
            f"{nonchina:.1%}",
            f"last month; {average} {nonchina_mean:.1%}; target {SHARE_TARGET:.0%} in {TARGET_YEAR}",
            f"Malaysia's share of magnets made outside China in the last simulated month. The {average} (the "
            f"measure of the scorecard and the CLI summary, which average over a year) is compared with the "
            f"{SHARE_TARGET:.0%} target from {TARGET_YEAR} on.",
            against_target(session, nonchina_mean, SHARE_TARGET),
        ),
        Indicator(
            "share_world",
            "World magnets",
            f"{world:.1%}",
            "Malaysia's share, last month",
            "Malaysia's share of all NdFeB magnets made in the world in the last simulated month (the CLI summary "
            "gives the average over each year).",
        ),
        Indicator(
            "share_oxide",
            "NdPr oxide",
            f"{oxide:.1%}",
            "Malaysia's world share, last month",
            "Malaysia's share of world separated NdPr oxide in the last simulated month (the CLI summary gives the "
            "average over each year).",
        ),
    ]


def _economy(session: Session) -> list[Indicator]:
    jobs = session.last("malaysia_direct_jobs")
    total_jobs = session.last("malaysia_jobs")
    value_added = last_12_sum(session.series("malaysia_value_added_usd"))
    months = min(12, session.tick)
    window = (
        "total over the last 12 months"
        if months == 12
        else f"total over the first {months} month" + ("s" if months > 1 else "")
    )
    jobs_detail = f"last month; {total_jobs:,.0f} incl. indirect; " + (
        f"{progress(jobs, JOBS_TARGET)} ({JOBS_TARGET:,})"
        if current_year(session) < TARGET_YEAR
        else f"target {JOBS_TARGET:,}"
    )
    return [
        Indicator(
            "jobs",
            "Direct jobs",
            f"{jobs:,.0f}",
            jobs_detail,
            f"Direct jobs in Malaysia's rare-earth industry in the last simulated month (indirect jobs in the detail "
            f"line); the target is {JOBS_TARGET:,} by {TARGET_YEAR}, and the tile is coloured against it from "
            f"{TARGET_YEAR} on.",
            against_target(session, jobs, JOBS_TARGET),
        ),
        Indicator(
            "value_added",
            "Value added",
            f"US${value_added / 1e6:,.0f} m",
            window,
            "Value Malaysia adds along the chain (ore, oxide, magnets, components), summed over the last 12 months.",
        ),
        _exports(session, window),
    ]


def _exports(session: Session, window: str) -> Indicator:
    """Export revenue over the last 12 months; coloured against the target only from the target year."""
    revenue = last_12_sum(session.series("malaysia_export_revenue_usd"))
    revenue_2030 = year_sum(session, "malaysia_export_revenue_usd", TARGET_YEAR)
    if revenue_2030 is not None:
        detail = f"{TARGET_YEAR}: US${revenue_2030 / 1e6:,.0f} m of {EXPORT_TARGET_USD / 1e6:,.0f} m"
        status = "good" if revenue_2030 >= EXPORT_TARGET_USD else "short"
    elif current_year(session) < TARGET_YEAR:
        detail = f"{window}; {progress(revenue, EXPORT_TARGET_USD)} ({EXPORT_TEXT})"
        status = "neutral"
    else:
        detail = f"{window}; target {EXPORT_TEXT} in {TARGET_YEAR}"
        status = against_target(session, revenue, EXPORT_TARGET_USD)
    return Indicator(
        "export_revenue",
        "Export revenue",
        f"US${revenue / 1e6:,.0f} m",
        detail,
        "Malaysia's rare-earth export revenue (oxide, Dy/Tb and magnets sold abroad), summed over the last 12 "
        f"months. The target is {EXPORT_TEXT} in {TARGET_YEAR}: before then the tile shows progress towards it in "
        "a neutral colour.",
        status,
    )


def status_line(session: Session) -> str:
    if session.tick == 0:
        return f"{session.scenario_name} · seed {session.seed} · ready to start in {short_month(session.month_label)}"
    done = "finished" if not session.running else f"month {session.tick} of {session.n_ticks}"
    return f"{session.scenario_name} · seed {session.seed} · {short_month(session.month_label)} ({done})"
