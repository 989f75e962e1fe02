"""The registry of named actions: how an action is declared, validated and looked up.

Every control, partnership and decision that can happen in a run is one of these actions. The
events replay maps each row of ``events.csv`` to actions; scenario files list dated actions under
``interventions:``; the browser app and the classroom fire them mid-run; agents announce their
decisions through them (``model.act``). Each action declares its parameters (with defaults and
ranges) as a small pydantic model, is validated once where it enters (:func:`validate_action`),
calls one instrument of the agent that acts, and writes one row to the event log (the model does).
Actions never write agent attributes themselves.

Validation is strict: NaN, infinity and true/false for numbers are refused, months must be real
(``YYYY-MM``), and names must be ones the model knows (:data:`KNOWN_NAMES`): the actors that hold
ties, the owners a US price floor can cover, the destinations of China's licences, the rare-earth
elements and the products of its licensing. A name the model does not know would otherwise be
logged as if it were real while changing nothing, or fail only when the run reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from ..mechanisms.controls import ALL_PRODUCTS
from ..mechanisms.partnerships import ACTORS as TIE_ACTORS
from ..parameters import REGIONS
from ..parameters.base import refuse_bool
from ..parameters.inputs import ScenarioError, strict_month

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel

# Floors the US may grant, by the plant that realises them, and the owners whose NdPr a floor covers.
FLOOR_BENEFICIARY = {"lynas_malaysia": "Lynas Malaysia", "mp_separation": "MP Materials"}
FLOOR_BENEFICIARIES = tuple(FLOOR_BENEFICIARY.values())
# Where China's licences go: the world, the demand regions and Malaysia's makers (trade.MAKER_DESTINATION).
DESTINATIONS = ("world", *REGIONS, "malaysia")
RARE_EARTHS = ("La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Y")
# Parameter name -> (what it names, the names the model knows).
KNOWN_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "a": ("actor", tuple(actor.name for actor in TIE_ACTORS)),
    "b": ("actor", tuple(actor.name for actor in TIE_ACTORS)),
    "beneficiary": ("beneficiary", FLOOR_BENEFICIARIES),
    "destination": ("destination", DESTINATIONS),
    "elements": ("element", RARE_EARTHS),
    "products": ("product", ALL_PRODUCTS),
}
# Parameters that are months (YYYY-MM, or a real YYYY-MM-DD).
MONTH_PARAMS = ("effective", "until", "start", "cracking_allowed_until", "concentrate_import_ban_from")


class Params(BaseModel):
    """Parameters of an action (unknown keys, NaN, infinity and true/false for numbers are errors)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_bool(cls, value, info)


class SwitchParams(Params):
    """Put a measure in force (``on``) or end it."""

    on: bool = True


@dataclass(frozen=True)
class ActionSpec:
    """One action of the vocabulary."""

    name: str
    actor: str
    target: str
    kind: str
    label: str
    help: str
    params: type[Params]
    apply: Callable[[MagnetDiplomacyModel, Any], str]
    live: bool = True  # offered as a live intervention in the app


ACTIONS: dict[str, ActionSpec] = {}


def action(
    name: str,
    *,
    actor: str,
    target: str,
    kind: str,
    label: str,
    help: str,
    params: type[Params] = Params,
    live: bool = True,
) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register an action: who acts on whom, what kind of event it is, its parameters and its help."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        ACTIONS[name] = ActionSpec(name, actor, target, kind, label, help, params, fn, live)
        return fn

    return register


class ActionError(ValueError):
    """An unknown action or bad action parameters."""


def validate_action(name: str, params: dict) -> Params:
    """Check an action name and its parameters; raise :class:`ActionError` with a readable message."""
    spec = ACTIONS.get(name)
    if spec is None:
        raise ActionError(f"unknown action '{name}' (known: {', '.join(sorted(ACTIONS))})")
    if not isinstance(params, dict | type(None)):
        raise ActionError(f"action '{name}': params: must be a mapping of names to values")
    try:
        checked = spec.params(**(params or {}))
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "params"
        message = first["msg"].removeprefix("Value error, ")
        got = first.get("input")
        shown = f" (got {got!r})" if first["type"] != "value_error" and not isinstance(got, dict) else ""
        raise ActionError(f"action '{name}': {where}: {message}{shown}") from None
    _check_names(name, checked)
    return checked


def _check_names(name: str, checked: Params) -> None:
    """Refuse names the model does not know and months that are not real."""
    fields = type(checked).model_fields
    for field, (what, known) in KNOWN_NAMES.items():
        value = getattr(checked, field, None) if field in fields else None
        for item in [value] if isinstance(value, str) else value or []:
            if item not in known:
                raise ActionError(f"action '{name}': {field}: unknown {what} {item!r} (known: {', '.join(known)})")
    for field in MONTH_PARAMS:
        value = getattr(checked, field, None) if field in fields else None
        if value is not None:
            try:
                strict_month(value, "")
            except ScenarioError as err:
                raise ActionError(f"action '{name}': {field}: {str(err).strip()}") from None


def checked_params(name: str, params: dict | Params | None) -> Params:
    """Parameters of an action, validated unless they already were (a :class:`Params` instance)."""
    if isinstance(params, Params):
        return params
    return validate_action(name, params or {})


def live_actions() -> list[ActionSpec]:
    """Actions a person can fire mid-run (the app's intervention menu)."""
    return [spec for spec in ACTIONS.values() if spec.live]


# What a person playing each seat may do (play-as and class sessions). Offers to Malaysia are
# answered with malaysia_accept_offer / malaysia_decline_offer.
SEAT_ACTIONS: dict[str, tuple[str, ...]] = {
    "malaysia": (
        "malaysia_raw_ore_ban",
        "malaysia_ore_policing",
        "malaysia_renew_lynas_licence",
        "malaysia_tighten_lynas_licence",
        "malaysia_revoke_lynas_licence",
        "malaysia_accept_offer",
        "malaysia_decline_offer",
        "malaysia_magnet_incentive",
        "malaysia_set_lean",
    ),
    "united_states": (
        "us_set_tariff",
        "us_offer_price_floor",
        "us_offer_offtake",
        "us_extend_price_floor_malaysia",
        "us_exclude_malaysia",
    ),
    "china": (
        "china_escalate",
        "us_china_truce",
        "china_suspend_magnet_licences",
        "china_lift_export_licensing",
        "china_restrict_malaysia",
        "china_lift_malaysia_restriction",
        "china_offer_jv",
    ),
    "lynas": ("lynas_expand", "lynas_expand_abroad", "lynas_supply_jslink"),
    "jslink": ("jslink_expand", "jslink_seek_finance", "jslink_buy_from_lynas", "jslink_license_technology"),
    "buyers": ("buyers_diversify", "buyers_esg_premium", "buyers_long_term_contracts"),
}
SEATS = tuple(SEAT_ACTIONS)
