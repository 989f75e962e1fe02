"""Actions of partners, firms and buyers, and ties between any two actors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from .registry import Params, action

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


class TieParams(Params):
    a: str
    b: str
    tie: Literal["supply", "technology", "investment", "security", "mou"]
    note: str = ""


@action(
    "form_partnership",
    actor="",
    target="",
    kind="partnership",
    label="Partnership formed",
    help="Form a typed tie between two actors.",
    params=TieParams,
    live=False,
)
def _form(model: MagnetDiplomacyModel, p: TieParams) -> str:
    model.form_tie(p.a, p.b, p.tie, note=p.note)
    return p.note or f"{p.tie} tie {p.a} - {p.b}"


@action(
    "break_partnership",
    actor="",
    target="",
    kind="partnership",
    label="Partnership broken",
    help="Break a typed tie between two actors.",
    params=TieParams,
    live=False,
)
def _break(model: MagnetDiplomacyModel, p: TieParams) -> str:
    model.break_tie(p.a, p.b, p.tie)
    return p.note or f"{p.tie} tie {p.a} - {p.b} broken"


class DelayParams(Params):
    months: int = Field(24, ge=1, le=120)


@action(
    "jslink_delay",
    actor="JS Link",
    target="JS Link Kuantan plant",
    kind="investment",
    label="JS Link's plant slips",
    help="JS Link's start date moves later.",
    params=DelayParams,
)
def _delay(model: MagnetDiplomacyModel, p: DelayParams) -> str:
    return model.jslink.delay(p.months)


class RecordParams(Params):
    what: str = ""


@action(
    "record",
    actor="",
    target="",
    kind="record",
    label="Recorded event",
    help="An event with no modelled effect beyond the log.",
    params=RecordParams,
    live=False,
)
def _record(model: MagnetDiplomacyModel, p: RecordParams) -> str:
    return p.what
