"""What a seat can decide this quarter: decisions, each a short list of choices.

A seat's menu is built from the world as it stands (an offer appears only while it is open, the
licence choices depend on whether a licence is in force, and so on). Every choice is either "no
change" or one of the model's actions from :data:`magnetdiplomacy.interventions.SEAT_ACTIONS` for
that seat, with its parameters; :func:`seat_menu` checks this, so a seat can never be offered an
action that belongs to another seat. The server looks a choice up here again when a person makes
it, so the page cannot send anything the menu does not hold.
"""

from __future__ import annotations

from ..interventions import ACTIONS, SEAT_ACTIONS, SEATS
from ..model import MagnetDiplomacyModel
from .choices import KEEP, Choice, Decision, MenuError
from .seat_menus import BUILDERS, OFFER_NAMES

__all__ = [
    "KEEP",
    "OFFER_NAMES",
    "SEAT_LABELS",
    "SEAT_ROLES",
    "Choice",
    "Decision",
    "MenuError",
    "action_label",
    "find_choice",
    "plan_actions",
    "seat_menu",
]

SEAT_LABELS = {
    "malaysia": "Malaysia",
    "united_states": "United States",
    "china": "China",
    "lynas": "Lynas",
    "jslink": "JS Link",
    "buyers": "Buyers' association",
}
SEAT_ROLES = {
    "malaysia": (
        "The government in Putrajaya: licences, the raw-ore ban, offers from abroad, incentives and how far to lean."
    ),
    "united_states": (
        "Washington: tariffs on Malaysia and China, price floors and offtake deals to pull supply away from China."
    ),
    "china": "Beijing: export licences, escalation or truce, pressure on Malaysia and offers of joint ventures.",
    "lynas": (
        "Lynas Rare Earths: the Kuantan separation plant, the only large one outside China; where to add capacity "
        "(Kuantan or Australia) and whether to sell JS Link its feedstock."
    ),
    "jslink": (
        "JS Link: the new magnet plant in Pahang; its second line and who finances it, where it buys its feedstock, "
        "and its know-how."
    ),
    "buyers": (
        "Magnet buyers outside China (car makers, wind, electronics, defence): how much to pay for secure and audited "
        "supply, and how much to buy under long-term contracts outside China."
    ),
}


def seat_menu(seat: str, model: MagnetDiplomacyModel) -> list[Decision]:
    """The decisions a seat can make now; every action is checked against the seat's own list."""
    if seat not in SEATS:
        raise MenuError(f"unknown seat '{seat}'")
    menu = BUILDERS[seat](model)
    allowed = set(SEAT_ACTIONS[seat])
    for decision in menu:
        for choice in decision.choices:
            if choice.action is not None and choice.action not in allowed:  # pragma: no cover - a programming error
                raise MenuError(f"{seat} may not use {choice.action}")
    return menu


def find_choice(seat: str, model: MagnetDiplomacyModel, decision: str, choice: str) -> tuple[Decision, Choice]:
    for item in seat_menu(seat, model):
        if item.key == decision:
            return item, item.choice(choice)
    raise MenuError(f"'{decision}' is not a decision for {SEAT_LABELS.get(seat, seat)} this quarter")


def plan_actions(seat: str, model: MagnetDiplomacyModel, plan: dict[str, str]) -> list[tuple[Decision, Choice]]:
    """The (decision, choice) pairs of a plan that still make sense, in menu order."""
    out = []
    for item in seat_menu(seat, model):
        key = plan.get(item.key)
        if key and key != KEEP:
            try:
                out.append((item, item.choice(key)))
            except MenuError:
                continue
    return out


def action_label(name: str) -> str:
    spec = ACTIONS.get(name)
    return spec.label if spec else name
