"""Which events of a run get a marker on the time charts, grouped by month.

Replayed history (event log rows from events.csv) and the sides' decisions that matter (licences,
export controls, tariffs, partnerships formed or broken, export and technology bans, price floors,
the truce, investment in Malaysia) get a marker; routine lines (China's yearly quota, a truce that
merely holds, investment elsewhere), offers (the answer follows) and interventions (numbered on
the charts) do not. :func:`marker_groups` gathers a month's lines in plain words;
:func:`clusters` lets neighbouring months share a marker where markers would overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import words

MARKER_LINES = 10  # lines of hover text per marker before "and N more"
# Kinds of the sides' own decisions that get a marker (investment only when it is in Malaysia).
DECISION_KINDS = {
    "licence",
    "export_control",
    "export_licensing",
    "tariff",
    "partnership",
    "export_ban",
    "tech_ban",
    "price_floor",
    "truce",
    "investment",
}
# The order of a month's lines in a marker's hover: controls and truces first, investment last.
KIND_ORDER = (
    "export_control",
    "export_licensing",
    "tech_ban",
    "truce",
    "tariff",
    "export_ban",
    "licence",
    "partnership",
)
MALAYSIAN_WORDS = ("Malaysia", "Kuantan", "JS Link", "Perak", "Kelantan", "Khazanah")


@dataclass(frozen=True)
class MarkerGroup:
    """The events of one month that get a marker: replayed history first, then decisions."""

    tick: int
    kind: str  # "history" when any line is replayed history, else "decision"
    history: tuple[str, ...]
    decisions: tuple[str, ...]

    def tooltip(self, month: str, limit: int = MARKER_LINES) -> str:
        """The hover text: the month, then a line per event (at most ``limit``)."""
        return "\n".join([month, *self.lines(limit)])

    def lines(self, limit: int = MARKER_LINES) -> list[str]:
        """The hover lines under the month: headings, a bullet per event, at most ``limit``."""
        out: list[str] = []
        for heading, items in (("History:", self.history), ("Decisions in this run:", self.decisions)):
            if items:
                out += [heading, *(f"• {line}" for line in items)]
        if len(out) > limit + 2:
            hidden = sum(1 for line in out[limit:] if line.startswith("•"))
            out = [*out[:limit], f"• … and {hidden} more (see the Event log)"]
        return out


def marked_as(event: dict) -> str | None:
    """``"history"`` for a replayed historical event, ``"decision"`` for a side's decision that
    matters, ``None`` for the rest (routine lines, and interventions, which are numbered)."""
    source = str(event.get("source", ""))
    if source.startswith(("events.csv", "history")):
        return "history"
    if source.startswith("parameter"):
        return "decision"
    if source != "agent":
        return None
    kind, action = str(event.get("kind", "")), str(event.get("action", "") or "")
    description = str(event.get("description", ""))
    if kind not in DECISION_KINDS or "offer" in action or description.startswith("Truce holds"):
        return None
    if kind == "investment":
        where = f"{event.get('actor', '')} {event.get('target', '')} {description}"
        return "decision" if any(word in where for word in MALAYSIAN_WORDS) else None
    return "decision"


def marker_groups(events: Iterable[dict]) -> list[MarkerGroup]:
    """One group per month with marked events, in order; a repeated line is kept once, and within
    a month export controls, truces and tariffs come before partnerships and investment."""
    months: dict[int, dict[str, list[str]]] = {}
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    for event in sorted(events, key=lambda e: (int(e["tick"]), rank.get(str(e.get("kind")), len(rank)))):
        kind = marked_as(event)
        if kind is None:
            continue
        lines = months.setdefault(int(event["tick"]), {"history": [], "decision": []})[kind]
        line = words.event_line(event)
        if line not in lines:
            lines.append(line)
    return [
        MarkerGroup(
            tick, "history" if found["history"] else "decision", tuple(found["history"]), tuple(found["decision"])
        )
        for tick, found in sorted(months.items())
    ]


def clusters(groups: Sequence[MarkerGroup], months: int) -> list[list[MarkerGroup]]:
    """Months' groups that lie closer than ``months`` to the first of a cluster share its marker
    (so markers never overlap on a long axis); each group keeps its own lines in the hover."""
    out: list[list[MarkerGroup]] = []
    for group in groups:
        if out and group.tick - out[-1][0].tick < months:
            out[-1].append(group)
        else:
            out.append([group])
    return out
