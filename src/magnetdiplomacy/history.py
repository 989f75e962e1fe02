"""Replaying the policy timeline of ``events.csv`` as dated actions.

Each row maps to one or more actions of :mod:`magnetdiplomacy.interventions` (or to a ``record``
when the model has nothing to change, e.g. an announcement whose effect comes with a later row).
Rows dated before the run starts only set the initial state (Lynas' licence in force); rows after
``replay.until`` are left for the agents to decide.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from .timeline import month_index, tick_of

EVENTS_FILE = "events.csv"


@dataclass(frozen=True)
class Event:
    id: str
    date: str
    actor: str
    target: str
    kind: str
    description: str
    parameters: dict
    source: str


@dataclass(order=True)
class ScheduledAction:
    """An action to fire at ``tick`` (``order`` keeps same-month actions in date order)."""

    tick: int
    order: tuple = field(compare=True)
    name: str = field(compare=False)
    params: Any = field(compare=False, default_factory=dict)  # a dict, or the action's validated Params
    source: str = field(compare=False, default="")
    description: str = field(compare=False, default="")
    actor: str = field(compare=False, default="")
    target: str = field(compare=False, default="")
    kind: str = field(compare=False, default="")


def _value(text: str):
    if "|" in text:
        return text.split("|")
    try:
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text


def parse_parameters(text: str) -> dict:
    """``key=value;key=value`` with ``|`` lists, as in events.csv."""
    out = {}
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        key, _, value = part.partition("=")
        out[key.strip()] = _value(value.strip())
    return out


def load_events(path: str | Path | None = None) -> list[Event]:
    """Read events.csv (the packaged copy unless ``path`` is given)."""
    if not path:
        return list(_packaged_events())
    with open(path, newline="", encoding="utf-8") as handle:
        return _events(handle)


@functools.cache
def _packaged_events() -> tuple[Event, ...]:
    text = resources.files("magnetdiplomacy.data").joinpath(EVENTS_FILE).read_bytes().decode("utf-8")
    return tuple(_events(io.StringIO(text, newline="")))


def _events(handle: TextIO) -> list[Event]:
    rows = list(csv.DictReader(handle))
    return [
        Event(
            r["id"],
            r["date"],
            r["actor"],
            r["target"],
            r["kind"],
            r["description"],
            parse_parameters(r["parameters"]),
            r["source"],
        )
        for r in rows
    ]


def _licence_actions(ev: Event) -> list[tuple[str, dict, str | None]]:
    p = ev.parameters
    if "Lynas" not in ev.target:
        if "pilot" in ev.description.lower() and "start" in ev.description.lower():
            return [("perak_pilot_start", {}, None)]
        return [("record", {}, None)]
    params: dict = {}
    if "term_years" in p:
        params["term_years"] = float(p["term_years"])
    if "term_months" in p:
        params["term_months"] = float(p["term_months"])
    if "from" in p:
        params["start"] = str(p["from"])
    if "until" in p:
        params["until"] = str(p["until"])
    cracking = p.get("cracking_leaching_allowed_until") or p.get("cracking_leaching_offshore_by")
    if cracking:
        params["cracking_allowed_until"] = str(cracking)
    concentrate = p.get("concentrate_import_ban_from") or p.get("norm_import_ban_from")
    if concentrate:
        params["concentrate_import_ban_from"] = str(concentrate)
    elif "cracking_leaching_allowed_until" in p:
        # Extending cracking and leaching in Malaysia means concentrate may keep coming in to feed it.
        params["concentrate_import_ban_from"] = str(p["cracking_leaching_allowed_until"])
    return [("malaysia_lynas_licence", params, None)]


def _tariff_actions(ev: Event) -> list[tuple[str, dict, str | None]]:
    p = ev.parameters
    if ev.actor.startswith("Malaysia"):
        return [("malaysia_concession", {"value": 0.05, "what": ev.description}, None)]
    target = "China" if ev.target.startswith("China") else "Malaysia"
    if "cut_pp" in p:
        return [("us_set_tariff", {"target": target, "change": -float(p["cut_pp"]) / 100.0}, p.get("effective"))]
    if p.get("country_rate_status") == "paused":
        return [("us_set_tariff", {"target": target, "rate": float(p["baseline_rate"])}, p.get("baseline_from"))]
    if "rate" in p:
        return [("us_set_tariff", {"target": target, "rate": float(p["rate"])}, p.get("effective"))]
    return [("record", {}, None)]


def _export_control_actions(ev: Event) -> list[tuple[str, dict, str | None]]:
    p = ev.parameters
    announcement = str(p.get("announcement", ev.id))
    if "de_minimis_value_share" in p:
        return [("china_extraterritorial", {"announcement": announcement, "effective": str(p.get("effective"))}, None)]
    if p.get("scope") == "equipment":
        return [("china_equipment_control", {"announcement": announcement}, None)]
    if p.get("licence_type") == "general":
        return [("china_general_licence", {"destination": "united_states"}, None)]
    if "elements" in p:
        scope = p.get("scope", ["oxides", "metals", "alloys", "compounds"])
        scope = scope if isinstance(scope, list) else [scope]
        return [
            (
                "china_export_licensing",
                {"announcement": announcement, "elements": list(p["elements"]), "products": scope},
                None,
            )
        ]
    return [("record", {}, None)]


def _partnership_actions(ev: Event) -> list[tuple[str, dict, str | None]]:
    p = ev.parameters
    if p.get("status") == "early_talks":
        return [("china_offer_jv", {}, None)]
    if ev.actor.startswith("United States") and "Malaysia" in ev.target:
        return [
            ("form_partnership", {"a": "United States", "b": "Malaysia", "tie": "mou", "note": ev.description}, None),
            (
                "malaysia_concession",
                {"value": 0.1, "what": "Malaysia commits not to restrict rare-earth exports or magnet sales to the US"},
                None,
            ),
        ]
    pairs = {
        "China Rare Earth Group": ("Perak state", "China Rare Earth Group", "technology"),
        "Kelantan": ("Kelantan MB Inc", "Lynas", "supply"),
        "JS Link": ("Lynas", "JS Link", "supply"),
    }
    for needle, (a, b, tie) in pairs.items():
        if needle in ev.actor or needle in ev.target:
            return [("form_partnership", {"a": a, "b": b, "tie": tie, "note": ev.description}, None)]
    return [("record", {}, None)]


def _investment_actions(ev: Event) -> list[tuple[str, dict, str | None]]:
    p = ev.parameters
    if ev.actor.startswith("United States") and "MP Materials" in ev.target:
        return [
            (
                "form_partnership",
                {"a": "United States", "b": "MP Materials", "tie": "investment", "note": ev.description},
                None,
            )
        ]
    if "offtake_share" in p and "MP Materials" in ev.actor:
        return [
            ("form_partnership", {"a": "US buyers", "b": "MP Materials", "tie": "supply", "note": ev.description}, None)
        ]
    # Plant start-ups and capacities come from the parameters (separation.*, magnets.*, jslink.*).
    return [("record", {}, None)]


Planned = list[tuple[str, dict, str | None]]  # (action, params, effective date or None)
RECORD: Planned = [("record", {}, None)]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _quota_actions(ev: Event) -> Planned:
    p = ev.parameters
    if "mining_quota_t" in p:
        separation = float(p["separation_quota_t"]) if "separation_quota_t" in p else None
        return [("china_set_quota", {"mining_t": float(p["mining_quota_t"]), "separation_t": separation}, None)]
    if p.get("scope") == "imported_ore":
        return [("china_imports_under_quota", {}, None)]
    return RECORD


def _export_ban_actions(ev: Event) -> Planned:
    if ev.parameters.get("status") == "in_force" and ev.actor.startswith("Malaysia"):
        return [("malaysia_raw_ore_ban", {"on": True}, None)]
    return RECORD


def _tech_ban_actions(ev: Event) -> Planned:
    p = ev.parameters
    params = {"announcement": str(p.get("announcement", ev.id)), "scope": _as_list(p.get("scope", []))}
    return [("china_tech_ban", params, None)]


def _truce_actions(ev: Event) -> Planned:
    p = ev.parameters
    if "suspends" in p:
        params = {"announcements": [str(s) for s in _as_list(p["suspends"])], "until": str(p["until"])}
        return [("china_suspend_controls", params, None)]
    return [("us_china_truce", {}, None)]


def _price_floor_actions(ev: Event) -> Planned:
    p = ev.parameters
    if "start" in p:
        params = {"beneficiary": "MP Materials", "floor_usd_kg": float(p["floor_usd_per_kg"])}
        return [("us_price_floor", params, str(p["start"]))]
    return RECORD


# How each kind of event row becomes actions.
_BY_KIND = {
    "quota": _quota_actions,
    "licence": _licence_actions,
    "export_ban": _export_ban_actions,
    "tech_ban": _tech_ban_actions,
    "export_control": _export_control_actions,
    "truce": _truce_actions,
    "tariff": _tariff_actions,
    "price_floor": _price_floor_actions,
    "investment": _investment_actions,
    "partnership": _partnership_actions,
}


def actions_for(ev: Event) -> Planned:
    """(action, params, effective date or None) for one event row."""
    handler = _BY_KIND.get(ev.kind)
    return handler(ev) if handler else RECORD


def schedule(
    start: str, until: str, exclude: list[str] | None = None, events: list[Event] | None = None
) -> list[ScheduledAction]:
    """Actions replaying events from ``start`` to ``until`` (inclusive months), in date order."""
    events = events if events is not None else load_events()
    skip = set(exclude or [])
    first, last = month_index(start), month_index(until)
    out = []
    for ev in events:
        if ev.id in skip:
            continue
        when = month_index(ev.date)
        if not first <= when <= last:
            continue
        for name, params, effective in actions_for(ev):
            fire = effective if effective and month_index(effective) > when else ev.date
            tick = tick_of(start, fire)
            key = (month_index(fire), ev.date, ev.id)
            out.append(
                ScheduledAction(
                    tick,
                    key,
                    name,
                    copy.deepcopy(params),
                    f"events.csv:{ev.id}",
                    ev.description,
                    ev.actor,
                    ev.target,
                    ev.kind,
                )
            )
    return sorted(out)


def initial_licence(start: str, events: list[Event] | None = None) -> tuple[Event, dict] | None:
    """The last Lynas licence decided before ``start``, with its parameters for the licence action."""
    events = events if events is not None else load_events()
    before = [
        ev
        for ev in events
        if ev.kind == "licence" and "Lynas" in ev.target and month_index(ev.date) < month_index(start)
    ]
    if not before:
        return None
    ev = before[-1]
    name, params, _ = _licence_actions(ev)[0]
    return ev, params


def opening_actions(start: str) -> list[ScheduledAction]:
    """What is in force when the run starts: the Lynas licence decided last before ``start``."""
    initial = initial_licence(start)
    if initial is None:
        return []
    event, params = initial
    params = dict(params)
    params["start"] = event.date
    params.pop("term_months", None)
    description = f"Licence in force at the start: {event.description}"
    key = (-1, event.date, event.id)
    return [
        ScheduledAction(
            0,
            key,
            "malaysia_lynas_licence",
            params,
            f"events.csv:{event.id}",
            description,
            event.actor,
            event.target,
            event.kind,
        )
    ]


__all__ = [
    "Event",
    "ScheduledAction",
    "load_events",
    "schedule",
    "initial_licence",
    "opening_actions",
    "parse_parameters",
]
