"""Look-aheads: the metrics a choice is judged on, with their labels and formatting, the
:class:`Outlook` of a simulated future, compared with another as a :class:`Comparison` (levels,
changes, Malaysia's alignment against the band, and the events that change), and the words the
classroom's news uses for what the model logs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..outputs import OUTPUTS, Output, format_value
from ..targets import ALIGNMENT_BAND
from .worldspec import Calendar, month_name


@dataclass(frozen=True)
class Metric:
    """An output column as the classroom names it; how it adds up over a period and how it is
    shown come from the column's declaration (:data:`magnetdiplomacy.outputs.OUTPUTS`)."""

    key: str
    label: str
    column: str
    short: str = ""  # a column heading

    @property
    def output(self) -> Output:
        return OUTPUTS[self.column]

    @property
    def name(self) -> str:
        """The short name of a table heading."""
        return self.short or self.label.split(" (")[0]

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
        Metric("alignment", "Alignment (−1 China … +1 US)", "malaysia_alignment", "Alignment"),
        Metric("share", "Share of non-China magnets", "malaysia_magnet_share_nonchina", "Magnet share"),
        Metric("jobs", "Direct jobs", "malaysia_direct_jobs", "Jobs"),
        Metric("exports", "Exports in the year", "malaysia_export_revenue_usd", "Exports"),
        Metric("tariff", "US tariff on Malaysia", "us_tariff_malaysia", "US tariff"),
        Metric("fiscal", "Incentive cost to the budget", "malaysia_incentive_cost_usd", "Incentive cost"),
        Metric("value_added", "Value added in Malaysia", "malaysia_value_added_usd", "Value added"),
        Metric("licences", "China's licence grant rate", "china_export_licence_rate", "China's licences"),
        Metric("china_share", "China's share of world magnets", "china_magnet_share", "China's share"),
        Metric("relations", "US–China relations (−1 … +1)", "china_us_relations", "US–China relations"),
        Metric("us_reliance", "US reliance on magnet imports", "us_net_import_reliance", "US import reliance"),
        Metric("magnet_price", "Magnet price outside China", "price_magnet_exchina_usd_kg", "Magnet price"),
        Metric("ndpr_price", "NdPr oxide price outside China", "price_ndpr_exchina_usd_kg", "NdPr price"),
        Metric("lynas_ndpr", "Lynas' NdPr output in the year", "lynas_ndpr_t", "Lynas' NdPr"),
        Metric("lynas_cash", "Lynas' cash", "lynas_cash_usd_m"),
        Metric("jslink_magnets", "JS Link's magnets in the year", "jslink_magnet_t", "JS Link's magnets"),
        Metric("jslink_cash", "JS Link's cash", "jslink_cash_usd_m"),
        Metric("shortage", "Magnets buyers could not get", "magnet_shortage_t", "Shortage"),
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


def short_month(label: str) -> str:
    """``2026-10`` as ``Oct 2026``."""
    return month_name(label, True)


def period(first: str, last: str) -> str:
    """Months ``first`` .. ``last`` (``YYYY-MM``) as ``Apr 2026 – Mar 2027``."""
    return f"{short_month(first)} – {short_month(last)}"


# ---- what happens, in words ------------------------------------------------------------------------

_NUMBER = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?")
_ISO_MONTH = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-\d)")
# the weighing behind a decision of the model's Malaysia: "(US$-7,311 m: value added +1,888, ...)"
_WEIGHED = re.compile(r" \(US\$([+\-]?[\d,]+) m: [^)]*\)$")
# the US's review of its tariff on Malaysia: "Reward: Malaysia leans to the US (alignment +0.28); tariff 14%"
_TARIFF_REVIEW = re.compile(r"^(Reward|Pressure): (.*); tariff (\d+%)$")
_REVIEW_WORDS = {
    "Reward": "The US lowers its tariff on Malaysia to {} as a reward: {}",
    "Pressure": "The US raises its tariff on Malaysia to {} to press it: {}",
}


def _usd_m_words(usd_m: float) -> str:
    usd_m = abs(usd_m)
    return f"US${usd_m / 1000:,.1f} bn" if usd_m >= 1000 else f"US${usd_m:,.0f} m"


def news_text(description: str) -> str:
    """An event as the news prints it: months named, arrows as words, the model's weighing of a
    decision summed up (the event log keeps the model's own shorthand)."""
    text = str(description)
    found = _WEIGHED.search(text)
    if found:
        net = float(found.group(1).replace(",", ""))
        worth = "is worth" if net >= 0 else "would cost"
        text = f"{text[: found.start()]}; Malaysia reckons it {worth} about {_usd_m_words(net)} on balance"
    review = _TARIFF_REVIEW.match(text)
    if review:
        text = _REVIEW_WORDS[review.group(1)].format(review.group(3), review.group(2))
    text = _ISO_MONTH.sub(lambda m: month_name(f"{m.group(1)}-{m.group(2)}"), text)
    return text.replace(" -> ", " to ")


# A quarter's exports that differ at least this much from the quarter before get a line in the
# news saying what moved them (how the classroom reports, not part of the model).
EXPORT_SWING = 0.15


def _change(now: float, before: float, share: float, floor: float) -> bool:
    return abs(now - before) >= floor and abs(now - before) >= share * max(abs(before), 1e-9)


def market_note(series: Mapping[str, Sequence[float]], first: int, stop: int) -> str | None:
    """Why Malaysia's rare-earth exports of months ``first`` .. ``stop - 1`` moved against the
    months just before (None when they moved less than :data:`EXPORT_SWING`)."""
    n = stop - first
    if first - n < 0:
        return None

    def total(column: str, a: int, b: int) -> float:
        return float(sum(series[column][a:b]))

    now, before = (
        total("malaysia_export_revenue_usd", first, stop),
        total("malaysia_export_revenue_usd", first - n, first),
    )
    if before <= 0 or abs(now / before - 1.0) < EXPORT_SWING:
        return None
    why = []
    price_now = total("price_ndpr_exchina_usd_kg", first, stop) / n
    price_before = total("price_ndpr_exchina_usd_kg", first - n, first) / n
    if _change(price_now, price_before, 0.05, 1.0):
        why.append(f"NdPr oxide outside China fetched US${price_now:,.0f}/kg against US${price_before:,.0f}/kg")
    for column, words, unit in (
        ("oxide_exchina_to_china_t", "China's buyers took {} of oxide made outside China", "t"),
        ("lynas_ndpr_t", "Lynas made {} of NdPr oxide", "t"),
        ("jslink_magnet_t", "JS Link made {} of magnets", "t"),
    ):
        a, b = total(column, first, stop), total(column, first - n, first)
        if _change(a, b, 0.1, 50.0):
            why.append(words.format(f"{a:,.0f} {unit}") + f" against {b:,.0f} {unit}")
    verb = "rose" if now > before else "fell"
    before_words = "the quarter before" if n == 3 else f"the {n} months before"
    moved = abs(now / before - 1.0)
    head = f"Malaysia's rare-earth exports {verb} {moved:.0%} on {before_words}, to US${now / 1e6:,.0f} m"
    return head + (": " + "; ".join(why) if why else "")


def market_news(
    series: Mapping[str, Sequence[float]], calendar: Calendar, simulated: int, first_tick: int, stop_tick: int
) -> list[dict]:
    """News rows (as :meth:`World.events` gives them) for each quarter of ``calendar`` simulated
    before month ``simulated`` that ends in months ``first_tick`` .. ``stop_tick - 1`` and whose
    exports moved a lot on the quarter before (see :func:`market_note`)."""
    out = []
    for quarter in range(calendar.quarter_of_tick(first_tick), calendar.n_quarters):
        ticks = calendar.quarter_ticks(quarter)
        if not len(ticks) or ticks[-1] >= min(stop_tick, simulated):
            break
        text = market_note(series, ticks[0], ticks[-1] + 1) if ticks[-1] >= first_tick else None
        if text:
            out.append(
                {
                    "tick": ticks[-1],
                    "date": None,
                    "actor": "Markets",
                    "target": "Malaysia",
                    "kind": "market",
                    "description": text,
                    "source": "market",
                    "action": "",
                    "key": ("market",),
                }
            )
    return out


class Happening(NamedTuple):
    """One event of a simulated future."""

    month: str  # YYYY-MM
    text: str  # as the news prints it
    tick: int
    key: tuple[str, ...]  # what makes it the same event in another future (see event_key)


def event_key(row: Mapping) -> tuple[str, ...]:
    """Kind, actor, target and the wording with every number left out: an event with other
    numbers or in another month in a second future is the same event, changed."""
    return (row["kind"], row["actor"], row["target"], row["action"], _NUMBER.sub("#", row["description"]))


def _pair(base: list[Happening], alt: list[Happening]) -> tuple[list[tuple[Happening, Happening]], list, list]:
    """Pair the events of one key across two futures, nearest months first; the rest is unpaired
    on one side only."""
    candidates = sorted((abs(a.tick - b.tick), i, j) for i, b in enumerate(base) for j, a in enumerate(alt))
    used_base: set[int] = set()
    used_alt: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_base and j not in used_alt:
            used_base.add(i)
            used_alt.add(j)
            pairs.append((base[i], alt[j]))
    return (
        pairs,
        [b for i, b in enumerate(base) if i not in used_base],
        [a for j, a in enumerate(alt) if j not in used_alt],
    )


def _numbers_changed(base: str, alt: str) -> str:
    """``alt`` with each number that differs from ``base`` followed by what it is otherwise."""
    parts_alt, parts_base = _NUMBER.split(alt), _NUMBER.split(base)
    nums_alt, nums_base = _NUMBER.findall(alt), _NUMBER.findall(base)
    if parts_alt != parts_base or len(nums_alt) != len(nums_base):
        return f"{alt} (otherwise: {base})"
    out = [parts_alt[0]]
    for number_alt, number_base, part in zip(nums_alt, nums_base, parts_alt[1:], strict=True):
        out.append(number_alt if number_alt == number_base else f"{number_alt} instead of {number_base}")
        out.append(part)
    return "".join(out)


def match_events(
    base: Sequence[Happening], alt: Sequence[Happening]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(only in ``alt``, only in ``base``, in both but in another month or with other numbers),
    each as (month, text). An event is in at most one of the three."""
    keys: dict[tuple[str, ...], tuple[list[Happening], list[Happening]]] = {}
    for side, events in ((0, base), (1, alt)):
        for event in events:
            keys.setdefault(event.key, ([], []))[side].append(event)
    new: list[Happening] = []
    gone: list[Happening] = []
    changed: list[tuple[int, str, str]] = []
    for base_events, alt_events in keys.values():
        pairs, only_base, only_alt = _pair(base_events, alt_events)
        new += only_alt
        gone += only_base
        for b, a in pairs:
            if a.tick == b.tick and a.text == b.text:
                continue
            text = a.text if a.text == b.text else _numbers_changed(b.text, a.text)
            if a.tick != b.tick:
                text += f" (otherwise {short_month(b.month)})"
            changed.append((a.tick, a.month, text))
    return (
        tuple((e.month, e.text) for e in sorted(new, key=lambda e: e.tick)),
        tuple((e.month, e.text) for e in sorted(gone, key=lambda e: e.tick)),
        tuple((month, text) for _, month, text in sorted(changed)),
    )


# ---- futures and their comparison --------------------------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    """One simulated future from now: each metric over the next year and the year after, over the
    twelve months to the game's end when that is later, and Malaysia's alignment month by month."""

    start_tick: int
    years: tuple[dict, ...]  # per year ahead: metric key -> value
    labels: tuple[str, ...]  # per year ahead, e.g. "Apr 2026 – Mar 2027"
    events: tuple[Happening, ...]  # what happened in it
    final: dict | None = None  # metric key -> value over the twelve months to the game's end
    final_label: str = ""  # e.g. "Jan 2030 – Dec 2030"
    alignment: tuple[float, ...] = ()  # monthly, from now to the game's end
    game_period: str = ""  # the months of ``alignment``, e.g. "Apr 2026 – Dec 2030"
    actions: tuple[str, ...] = ()  # the actions fired at its start


@dataclass(frozen=True)
class Difference:
    metric: Metric
    base: tuple[float, ...]  # per year ahead, with no change
    alt: tuple[float, ...]  # per year ahead, with the choice
    base_final: float | None = None  # over the twelve months to the game's end (when later)
    alt_final: float | None = None

    @property
    def deltas(self) -> tuple[float, ...]:
        return tuple(a - b for a, b in zip(self.alt, self.base, strict=False))

    def texts(self) -> tuple[str, ...]:
        return tuple(fmt_delta(self.metric, d) for d in self.deltas)

    def columns(self) -> tuple[tuple[float, float], ...]:
        """(with no change, with the choice) per column of a table: the years ahead, then the
        twelve months to the game's end if that is later."""
        cols = tuple(zip(self.base, self.alt, strict=False))
        if self.base_final is not None and self.alt_final is not None:
            cols += ((self.base_final, self.alt_final),)
        return cols


@dataclass(frozen=True)
class BandCheck:
    """Malaysia's alignment against the band the score rewards (±0.25), month by month from now
    to the game's end, with no change and with the choice."""

    band: float
    period: str  # e.g. "Apr 2026 – Dec 2030"
    months: int
    base_inside: int  # months inside the band
    alt_inside: int
    base_end: float  # alignment in the last month
    alt_end: float

    def inside(self, value: float) -> bool:
        return abs(value) <= self.band + 1e-12

    def where(self, value: float) -> str:
        return "inside" if self.inside(value) else "outside"


@dataclass(frozen=True)
class Comparison:
    """A choice's expected trade-offs: its future against the future with no change."""

    differences: tuple[Difference, ...]
    labels: tuple[str, ...]  # per year ahead
    new_events: tuple[tuple[str, str], ...]  # events in the choice's future only
    gone_events: tuple[tuple[str, str], ...]  # events in the no-change future only
    changed_events: tuple[tuple[str, str], ...] = ()  # in both, in another month or with other numbers
    final_label: str = ""  # the twelve months to the game's end, when later than the years ahead
    band: BandCheck | None = None
    notes: tuple[str, ...] = ()  # why a figure moves the way it does, where that is not obvious

    @property
    def columns(self) -> tuple[str, ...]:
        """Headings of the table's columns (see :meth:`Difference.columns`)."""
        return self.labels + ((self.final_label,) if self.final_label else ())

    def summary(self, year: int = 0) -> str:
        parts = [f"{d.metric.name} {d.texts()[year]}" for d in self.differences if d.texts()[year] != "no change"]
        return "; ".join(parts) if parts else "little difference"


def band_check(base: Outlook, alt: Outlook) -> BandCheck | None:
    """Months inside the alignment band with no change and with the choice (None without a path)."""
    months = min(len(base.alignment), len(alt.alignment))
    if months == 0:
        return None

    def inside(path: tuple[float, ...]) -> int:
        return sum(1 for value in path[:months] if abs(value) <= ALIGNMENT_BAND + 1e-12)

    return BandCheck(
        ALIGNMENT_BAND,
        alt.game_period,
        months,
        inside(base.alignment),
        inside(alt.alignment),
        base.alignment[months - 1],
        alt.alignment[months - 1],
    )


def _cheaper_same_tonnes(base: Outlook, alt: Outlook) -> bool:
    """Exports lower in some column while JS Link makes as many magnets."""
    windows = list(zip(base.years, alt.years, strict=False))
    if base.final is not None and alt.final is not None:
        windows.append((base.final, alt.final))
    return any(
        a["exports"] < b["exports"] - 0.5e6 and abs(a["jslink_magnets"] - b["jslink_magnets"]) <= 0.5
        for b, a in windows
    )


# Why a choice's table can look wrong at first sight: (action, when it applies, the reason).
NOTES: tuple[tuple[str, Callable[[Outlook, Outlook], bool], str], ...] = (
    (
        "malaysia_magnet_incentive",
        _cheaper_same_tonnes,
        "Why exports can fall: the incentive lowers the price of JS Link's magnets, and while the plant sells all "
        "it can make it sells the same tonnes for less. It pays off in orders, jobs and share once JS Link can make "
        "more.",
    ),
)


def compare(base: Outlook, alt: Outlook, metrics: Sequence[str]) -> Comparison:
    """``alt`` against ``base``: levels and changes of ``metrics``, the band, the events that differ."""
    final = base.final is not None and alt.final is not None
    diffs = tuple(
        Difference(
            METRICS[k],
            tuple(y[k] for y in base.years),
            tuple(y[k] for y in alt.years),
            base.final[k] if final and base.final is not None else None,
            alt.final[k] if final and alt.final is not None else None,
        )
        for k in metrics
    )
    new, gone, changed = match_events(base.events, alt.events)
    notes = tuple(text for action, applies, text in NOTES if action in alt.actions and applies(base, alt))
    return Comparison(
        diffs,
        alt.labels,
        new,
        gone,
        changed,
        alt.final_label if final else "",
        band_check(base, alt) if "alignment" in metrics else None,
        notes,
    )
