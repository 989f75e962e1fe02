"""Forms for live interventions, read from each action's declared parameters.

Every action in :func:`magnetdiplomacy.interventions.live_actions` declares its parameters as a
small pydantic model (default and range per field). :func:`form_fields` turns those declarations
into the inputs the app shows; lists and free-text fields keep their declared defaults.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

from ..interventions import ActionError, ActionSpec, live_actions, validate_action
from .levers import number, plain

# Where an action's defaults alone are not a valid choice, the value the form starts from.
START_VALUES: dict[str, dict[str, Any]] = {"us_set_tariff": {"rate": 0.25}}
# Fields left out of the form (the alternative way of saying the same thing).
HIDDEN: dict[str, set[str]] = {"us_set_tariff": {"change"}}

# Order of the menu: the headline interventions first, then the rest as declared.
FEATURED = (
    "china_suspend_magnet_licences",
    "us_set_tariff",
    "malaysia_revoke_lynas_licence",
    "malaysia_accept_china_jv",
    "us_extend_price_floor_malaysia",
)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # float | int | bool | choice
    default: Any  # None: "use the model's default" (optional numeric fields)
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    optional: bool = False
    help: str = ""

    @property
    def label(self) -> str:
        return self.help or self.name.replace("_", " ").capitalize()

    @property
    def bounds(self) -> tuple[float, float]:
        """(lo, hi) of a numeric field (:func:`form_fields` gives every int and float field both)."""
        if self.lo is None or self.hi is None:
            raise ValueError(f"{self.name}: a {self.kind} field needs a range")
        return self.lo, self.hi


def menu() -> list[ActionSpec]:
    specs = live_actions()
    rank = {name: i for i, name in enumerate(FEATURED)}
    return sorted(specs, key=lambda s: (rank.get(s.name, len(FEATURED)), specs.index(s)))


def _bounds(info) -> tuple[float | None, float | None]:
    lo = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    return lo, hi


def form_fields(spec: ActionSpec) -> list[Field]:
    """Inputs for an action's parameters (numbers with ranges, on/off switches, choices)."""
    fields = []
    start = START_VALUES.get(spec.name, {})
    for name, info in spec.params.model_fields.items():
        if name in HIDDEN.get(spec.name, set()):
            continue
        annotation = info.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = type(None) in typing.get_args(annotation)
        base = args[0] if optional and len(args) == 1 else annotation
        lo, hi = _bounds(info)
        default = start.get(name, None if info.is_required() else info.default)
        help_text = info.description or ""
        if typing.get_origin(base) is Literal:
            choices = tuple(typing.get_args(base))
            fields.append(
                Field(name, "choice", choices[0] if default is None else default, choices=choices, help=help_text)
            )
        elif base is bool:
            fields.append(Field(name, "bool", bool(default), help=help_text))
        elif base in (int, float) and lo is not None and hi is not None:
            if default is None and info.is_required():
                default = base((lo + hi) / 2)
            fields.append(
                Field(name, base.__name__, default, lo, hi, optional=optional and name not in start, help=help_text)
            )
        # lists and free text keep their declared defaults
    return fields


def initial_values(spec: ActionSpec) -> dict[str, Any]:
    return {field.name: field.default for field in form_fields(spec)}


def clean(spec: ActionSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Parameters to fire: drops fields left at "model default" (None)."""
    known = {field.name for field in form_fields(spec)}
    return {k: v for k, v in values.items() if k in known and v is not None}


def check(spec: ActionSpec, values: dict[str, Any]) -> str | None:
    """None if the parameters are valid, else a message for the user."""
    try:
        validate_action(spec.name, clean(spec, values))
    except ActionError as err:
        return str(err)
    return None


def field_words(field: Field, value: Any) -> str:
    """A form field's value in plain words (``25 %``, ``US$110 per kg``, ``6 months``)."""
    if value is None:
        return "the model's default"
    if field.kind == "bool":
        return "on" if value else "off"
    if field.kind == "choice" or not isinstance(value, (int, float)):
        return str(value)
    name = field.name
    if name.endswith("usd_kg"):
        return plain(value, "USD/kg")
    if name.endswith("usd_m_yr"):
        return plain(value, "USD m per year")
    if "month" in name:
        return f"{number(value)} months"
    if name == "years":
        return f"{number(value)} years"
    if field.lo is not None and field.hi is not None and field.lo >= 0 and field.hi <= 2:
        return plain(value, "fraction")  # rates, shares and levels: a percentage
    return number(value)
