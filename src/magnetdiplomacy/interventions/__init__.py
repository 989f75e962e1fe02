"""Named policy actions: the one vocabulary for replayed history, scenario files, agents and people.

Every control, partnership and decision that can happen in a run is one of these actions. The
events replay maps each row of ``events.csv`` to actions; scenario files list dated actions under
``interventions:``; the browser app and the classroom fire them mid-run; agents announce their
decisions through them (``model.act``). Each action declares its parameters (with defaults and
ranges) as a small pydantic model, is validated once where it enters (:func:`validate_action`),
calls one instrument of the agent that acts, and writes one row to the event log (the model does).
Actions never write agent attributes themselves.

The registry is :mod:`.registry`; the actions of each actor are declared in their own module.
"""

from __future__ import annotations

from importlib import import_module

from .registry import (
    ACTIONS,
    SEAT_ACTIONS,
    SEATS,
    ActionError,
    ActionSpec,
    Params,
    checked_params,
    live_actions,
    validate_action,
)

# Importing a module registers its actions; menus list them in this order.
for _module in ("china", "united_states", "malaysia", "others", "firms"):
    import_module(f".{_module}", __name__)

__all__ = [
    "ACTIONS",
    "SEAT_ACTIONS",
    "SEATS",
    "ActionError",
    "ActionSpec",
    "Params",
    "checked_params",
    "live_actions",
    "validate_action",
]
