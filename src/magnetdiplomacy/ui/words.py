"""Plain words for the page: names for the model's internal ids and readable event descriptions.

The model logs events in its own shorthand: plant ids (``china_magnets``), offer kinds
(``the china jv offer``), the money behind a decision broken down by motive, alignment readings.
:func:`plain` rewrites a description in words a visitor can read; :func:`name` does the same for
an actor or target. The event log, the chart markers and their hover text all read these.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..mechanisms.offers import OFFER_KINDS

# Plants and groups of plants, by the id the model gives them.
PLANT_NAMES = {
    "china_mines": "China's mines",
    "myanmar_mines": "Myanmar's mines",
    "row_to_china_mines": "mines selling to China",
    "row_domestic_mines": "other mines",
    "mountain_pass": "Mountain Pass mine (MP Materials)",
    "mt_weld": "Mt Weld mine (Lynas)",
    "perak_pilot": "the Perak pilot mine",
    "jv_mine": "the Malaysia-China joint-venture mine",
    "malaysia_illegal_mines": "illegal mines in Malaysia",
    "new_mines": "new non-China mines",
    "china_separation": "China's separation plants",
    "lynas_malaysia": "Lynas Malaysia (Kuantan)",
    "lynas_relocated": "Lynas' rebuilt separation plant",
    "mp_separation": "MP Materials' separation plant",
    "other_separation": "other separation plants",
    "jv_refinery": "the Malaysia-China joint-venture refinery",
    "new_separation": "new non-China separation plants",
    "kalgoorlie": "Lynas Kalgoorlie",
    "lynas_heavy": "Lynas' heavy rare-earth plant in Malaysia",
    "mp_heavy": "MP Materials' heavy rare-earth plant",
    "china_magnets": "China's magnet makers",
    "japan_magnets": "Japanese magnet makers",
    "row_magnets": "other magnet makers",
    "us_magnets": "MP Materials' magnet plant",
    "jslink_magnets": "JS Link's magnet plant",
    "foreign_malaysia_magnets": "foreign magnet makers in Malaysia",
}
TIE_WORDS = {
    "supply": "supply deal",
    "technology": "technology deal",
    "investment": "investment tie",
    "mou": "government agreement (MoU)",
}
# Other names an actor goes by at the start of a description (lower case).
ALIASES = {"United States": ("us ", "the us "), "China": ("chinese ",), "Malaysia": ("malaysian ",)}
# What an offer's value is made of, as the decision's log line names it.
MOTIVES = {
    "value added": "the value it adds",
    "jobs": "jobs",
    "pressure": "pressure from the other side",
    "taking sides": "the cost of taking sides",
    "exports and investment targets": "the export and investment targets",
    "politics": "domestic politics",
}
_ID = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_MONTH = re.compile(r"\b(20\d\d|19\d\d)-(0[1-9]|1[0-2])\b(?!-)")
_ALIGNMENT = re.compile(r" \(alignment [+-]?\d+(?:\.\d+)?\)")
_MONEY = re.compile(r" \(US\$([+-]?[\d,]+) m: ([^)]*)\)$")
_BAN_WORTH = re.compile(r" \(ban worth US\$([+-]?[\d,]+) m a year: [^)]*\)$")
_PLANT_WORTH = re.compile(r" \(plant worth (US\$[\d,]+ m) a year against opposition of (US\$[\d,]+ m)\)$")
_REWARD = re.compile(r"^Reward: (.*?)(?:; tariff (\d+%))?$")
_TIE = re.compile(r"^(\w+) tie (.+?) - (.+?) (broken|lapsed)(?: \(faded unrenewed\))?$")
_PLANT_STATE = re.compile(r"^([^:]+): (\w+) (mothballed|restarts) after (\d+) months (below cash|above full) cost$")
_QUOTA = re.compile(r"^Quota for (\d{4}): ([+-][\d.]+%) \(.*\)$")
_TRUCE = re.compile(r"^Truce holds: suspension extended to (.+)$")


def month_words(match: re.Match) -> str:
    """A ``YYYY-MM`` match as ``Mon YYYY``."""
    return dt.date(int(match.group(1)), int(match.group(2)), 1).strftime("%b %Y")


def name(text: Any) -> str:
    """An actor or target as people read it: plant ids named, ``A; B`` as ``A and B``."""
    value = str(text or "").strip()
    if value in PLANT_NAMES:
        value = PLANT_NAMES[value]
        return value[0].upper() + value[1:]
    return " and ".join(part.strip() for part in value.split(";")) if ";" in value else _ids(value)


def _ids(text: str) -> str:
    return _ID.sub(lambda m: PLANT_NAMES.get(m.group(0), m.group(0).replace("_", " ")), text)


def money(usd_m: float) -> str:
    """``7311`` -> ``US$7.3 bn``; ``50`` -> ``US$50 m``."""
    usd_m = abs(usd_m)
    return f"US${usd_m / 1000:,.1f} bn" if usd_m >= 1000 else f"US${usd_m:,.0f} m"


def _motive(parts: str) -> str:
    """The motive that weighs most in ``value added +1,888, jobs +490, pressure -10,174, ...``."""
    best, size = "", 0.0
    for part in parts.split(", "):
        words, _, number = part.rpartition(" ")
        try:
            value = abs(float(number.replace(",", "")))
        except ValueError:
            continue
        if value > size:
            best, size = MOTIVES.get(words, words), value
    return best


def _decision_worth(text: str) -> str:
    """Rewrite the money behind a decision (``(US$-7,311 m: value added +1,888, ...)``) in words."""
    found = _MONEY.search(text)
    if found:
        net = float(found.group(1).replace(",", ""))
        head = text[: found.start()]
        side = f"worth about {money(net)} to Malaysia" if net >= 0 else f"a loss of about {money(net)} for Malaysia"
        motive = _motive(found.group(2))
        return f"{head}: on balance {side}" + (f", mostly through {motive}" if motive else "")
    found = _BAN_WORTH.search(text)
    if found:
        net = float(found.group(1).replace(",", ""))
        side = "worth" if net >= 0 else "a loss of"
        return f"{text[: found.start()]}: on balance {side} about {money(net)} a year to Malaysia"
    found = _PLANT_WORTH.search(text)
    if found:
        head = text[: found.start()]
        return f"{head}: the plant is worth {found.group(1)} a year to Malaysia, the opposition {found.group(2)}"
    return text


def _rewrite(text: str) -> str:
    """Whole-sentence rewrites of the model's routine lines."""
    if found := _REWARD.match(text):
        if found.group(2):
            return f"The US lowers its tariff on Malaysia to {found.group(2)} as a reward: {found.group(1)}"
        return f"Reward: {found.group(1)}"
    if found := _TIE.match(text):
        kind, a, b, how = found.groups()
        ending = "ends" if how == "broken" else "lapses unrenewed"
        return f"The {TIE_WORDS.get(kind, kind + ' tie')} between {name(a)} and {name(b)} {ending}"
    if found := _PLANT_STATE.match(text):
        _, plant, what, months, cost = found.groups()
        plant = name(plant)
        if what == "mothballed":
            return f"{plant} mothballed after {months} months of prices below cash cost"
        return f"{plant} back in production after {months} months of prices above full cost"
    if found := _QUOTA.match(text):
        return f"China sets its rare-earth quota for {found.group(1)}: {found.group(2)} on the year before"
    if found := _TRUCE.match(text):
        return f"The truce holds: China keeps its export controls suspended until {found.group(1)}"
    if text == "Suspension lapses: suspended controls return":
        return "The truce ends: China's suspended export controls come back"
    return text


def plain(description: Any) -> str:
    """An event description in plain words (ids named, the model's shorthand rewritten)."""
    text = _decision_worth(str(description or "").strip())
    text = _ALIGNMENT.sub("", text)
    for kind in OFFER_KINDS.values():
        text = text.replace(f"the {kind.name.replace('_', ' ')} offer", f"the {kind.label} offer")
    text = _rewrite(text)
    text = text.replace(" -> ", " to ")
    text = _MONTH.sub(month_words, text)
    return _ids(text)


def short(text: str, limit: int = 120) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (with an ellipsis)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def event_line(event: dict, limit: int = 120) -> str:
    """One event in a line: who, and what in plain words (the actor left out when the words say it)."""
    actor = name(event.get("actor", ""))
    text = plain(event.get("description", ""))
    first = actor.split(" (")[0].split(" and ")[0]
    starts = (first.lower(), first.split(" ")[0].lower() + " ", *ALIASES.get(first, ()))
    if actor and not text.lower().startswith(starts) and not text.startswith(("The ", "Malaysia ")):
        text = f"{actor}: {text}"
    return short(text, limit)
