"""The registry of named actions: how an action is declared, validated and looked up.

Every control, partnership and decision that can happen in a run is one of these actions. The
events replay maps each row of ``events.csv`` to actions; scenario files list dated actions under
``interventions:``; the browser app and the classroom fire them mid-run; agents announce their
decisions through them (``model.act``). Each action declares its parameters (with defaults and
ranges) as a small pydantic model, is validated once where it enters (:func:`validate_action`),
calls one instrument of the agent that acts, and writes one row to the event log (the model does).
Actions never write agent attributes themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


class Params(BaseModel):
    """Parameters of an action (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")


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
    try:
        return spec.params(**(params or {}))
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "params"
        raise ActionError(f"action '{name}': {where}: {first['msg']}") from None


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
