"""Look-aheads: the metrics a choice is judged on, with their labels and formatting, and the
:class:`Outlook` of a simulated future, compared with another as a :class:`Comparison`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..outputs import OUTPUTS, Output, format_value


@dataclass(frozen=True)
class Metric:
    """An output column as the classroom names it; how it adds up over a period and how it is
    shown come from the column's declaration (:data:`magnetdiplomacy.outputs.OUTPUTS`)."""

    key: str
    label: str
    column: str

    @property
    def output(self) -> Output:
        return OUTPUTS[self.column]

    @property
    def how(self) -> str:
        """last | mean | sum."""
        return self.output.year

    @property
    def kind(self) -> str:
        """share | signed | count | usd | tonnes | usd_kg | usd_m (see outputs.format_value)."""
        return self.output.kind


METRICS = {
    m.key: m
    for m in (
        Metric("alignment", "Alignment (−1 China … +1 US)", "malaysia_alignment"),
        Metric("share", "Share of non-China magnets", "malaysia_magnet_share_nonchina"),
        Metric("jobs", "Direct jobs", "malaysia_direct_jobs"),
        Metric("exports", "Exports in the year", "malaysia_export_revenue_usd"),
        Metric("tariff", "US tariff on Malaysia", "us_tariff_malaysia"),
        Metric("fiscal", "Incentive cost to the budget", "malaysia_incentive_cost_usd"),
        Metric("value_added", "Value added in Malaysia", "malaysia_value_added_usd"),
        Metric("licences", "China's licence grant rate", "china_export_licence_rate"),
        Metric("china_share", "China's share of world magnets", "china_magnet_share"),
        Metric("relations", "US–China relations (−1 … +1)", "china_us_relations"),
        Metric("us_reliance", "US reliance on magnet imports", "us_net_import_reliance"),
        Metric("magnet_price", "Magnet price outside China", "price_magnet_exchina_usd_kg"),
        Metric("ndpr_price", "NdPr oxide price outside China", "price_ndpr_exchina_usd_kg"),
        Metric("lynas_ndpr", "Lynas' NdPr output in the year", "lynas_ndpr_t"),
        Metric("lynas_cash", "Lynas' cash", "lynas_cash_usd_m"),
        Metric("jslink_magnets", "JS Link's magnets in the year", "jslink_magnet_t"),
        Metric("jslink_cash", "JS Link's cash", "jslink_cash_usd_m"),
        Metric("shortage", "Magnets buyers could not get", "magnet_shortage_t"),
    )
}

# What each seat sees first when it weighs a choice.
SEAT_METRICS = {
    "malaysia": ("alignment", "share", "jobs", "exports", "tariff", "fiscal"),
    "united_states": ("us_reliance", "alignment", "magnet_price", "relations", "tariff", "share"),
    "china": ("china_share", "relations", "alignment", "licences", "ndpr_price", "share"),
    "lynas": ("lynas_ndpr", "lynas_cash", "ndpr_price", "alignment", "share", "jobs"),
    "jslink": ("jslink_magnets", "jslink_cash", "share", "jobs", "exports", "alignment"),
    "buyers": ("magnet_price", "shortage", "china_share", "share", "alignment", "relations"),
}


def fmt_value(metric: Metric, value: float) -> str:
    """A value of a metric as people read it."""
    return format_value(metric.output, value)


def fmt_delta(metric: Metric, delta: float) -> str:
    """A difference for people; '0' when it is negligible."""
    if metric.kind == "share":
        points = delta * 100
        return "no change" if abs(points) < 0.05 else f"{points:+.1f} pts"
    if metric.kind == "signed":
        return "no change" if abs(delta) < 0.005 else f"{delta:+.2f}"
    if metric.kind == "count":
        return "no change" if abs(delta) < 0.5 else f"{delta:+,.0f}"
    if metric.kind == "usd":
        return "no change" if abs(delta) < 0.5e6 else f"{'+' if delta > 0 else '−'}US${abs(delta) / 1e6:,.0f} m"
    if metric.kind == "usd_m":
        return "no change" if abs(delta) < 0.5 else f"{'+' if delta > 0 else '−'}US${abs(delta):,.0f} m"
    if metric.kind == "tonnes":
        return "no change" if abs(delta) < 0.5 else f"{delta:+,.0f} t"
    if metric.kind == "usd_kg":
        return "no change" if abs(delta) < 0.05 else f"{delta:+,.1f} US$/kg"
    return f"{delta:+g}"


@dataclass(frozen=True)
class Outlook:
    """One simulated future from now: each metric over the next year and the year after."""

    start_tick: int
    years: tuple[dict, ...]  # per year ahead: metric key -> value
    labels: tuple[str, ...]  # per year ahead, e.g. "Apr 2026 – Mar 2027"
    events: tuple[tuple[str, str], ...]  # (month label, description) of what happened in it


@dataclass(frozen=True)
class Difference:
    metric: Metric
    base: tuple[float, ...]  # per year ahead, with no change
    alt: tuple[float, ...]  # per year ahead, with the choice

    @property
    def deltas(self) -> tuple[float, ...]:
        return tuple(a - b for a, b in zip(self.alt, self.base, strict=False))

    def texts(self) -> tuple[str, ...]:
        return tuple(fmt_delta(self.metric, d) for d in self.deltas)


@dataclass(frozen=True)
class Comparison:
    """A choice's expected trade-offs: its future against the future with no change."""

    differences: tuple[Difference, ...]
    labels: tuple[str, ...]
    new_events: tuple[tuple[str, str], ...]  # events in the choice's future only
    gone_events: tuple[tuple[str, str], ...]  # events in the no-change future only

    def summary(self, year: int = 0) -> str:
        parts = [
            f"{d.metric.label.split(' (')[0]} {d.texts()[year]}"
            for d in self.differences
            if d.texts()[year] != "no change"
        ]
        return "; ".join(parts) if parts else "little difference"


def compare(base: Outlook, alt: Outlook, metrics: Sequence[str]) -> Comparison:
    diffs = tuple(
        Difference(METRICS[k], tuple(y[k] for y in base.years), tuple(y[k] for y in alt.years)) for k in metrics
    )
    base_set, alt_set = set(base.events), set(alt.events)
    new = tuple(e for e in alt.events if e not in base_set)
    gone = tuple(e for e in base.events if e not in alt_set)
    return Comparison(diffs, alt.labels, new, gone)
