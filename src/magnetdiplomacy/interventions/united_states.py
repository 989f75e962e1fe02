"""Actions of the United States: tariffs, price floors, sourcing rules, offers to Malaysia."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .registry import Params, SwitchParams, action

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel

# The US defence sourcing rule sours US-China relations by this much.
DEFENCE_RULE_RELATIONS = -0.1


class TariffParams(Params):
    target: Literal["Malaysia", "China"] = "Malaysia"
    rate: float | None = Field(None, ge=0, le=2, description="New tariff rate")
    change: float | None = Field(None, ge=-2, le=2, description="Change to the current rate (instead of a rate)")

    @model_validator(mode="after")
    def _one_of(self) -> TariffParams:
        if (self.rate is None) == (self.change is None):
            raise ValueError("give exactly one of rate or change")
        if self.target == "Malaysia" and self.rate is not None and self.rate > 1:
            raise ValueError("a tariff on Malaysia is between 0 and 1")
        return self


@action(
    "us_set_tariff",
    actor="United States",
    target="Malaysia",
    kind="tariff",
    label="US sets a tariff",
    help="US import tariff on Malaysian (or Chinese) goods, magnets included.",
    params=TariffParams,
)
def _us_tariff(model: MagnetDiplomacyModel, p: TariffParams) -> str:
    current = model.controls.tariff("United States", p.target, model.tick)
    if p.rate is not None:
        rate = p.rate
    else:
        assert p.change is not None  # the validator asks for one of the two
        rate = max(0.0, current + p.change)
        if p.target == "Malaysia":
            rate = min(1.0, rate)  # a change cannot take the tariff on Malaysia past 100 %
    model.us.set_tariff(p.target, rate)
    return f"US tariff on {p.target}: {current:.0%} -> {rate:.0%}"


class FloorParams(Params):
    beneficiary: str = "MP Materials"
    floor_usd_kg: float | None = Field(None, ge=0, le=500)
    years: float | None = Field(None, ge=0.5, le=30)


@action(
    "us_price_floor",
    actor="United States",
    target="MP Materials",
    kind="price_floor",
    label="US price floor",
    help="The US guarantees a producer a minimum NdPr price.",
    params=FloorParams,
    live=False,
)
def _us_floor(model: MagnetDiplomacyModel, p: FloorParams) -> str:
    return model.us.grant_floor(p.beneficiary, p.floor_usd_kg, p.years)


class ExtendFloorParams(Params):
    floor_usd_kg: float | None = Field(None, ge=0, le=500)


@action(
    "us_extend_price_floor_malaysia",
    actor="United States",
    target="Lynas Malaysia",
    kind="price_floor",
    label="US extends its price floor to Malaysian oxide",
    help="Lynas Malaysia's NdPr gets the US price floor (with a US offtake tie).",
    params=ExtendFloorParams,
)
def _extend_floor(model: MagnetDiplomacyModel, p: ExtendFloorParams) -> str:
    text = model.us.grant_floor("Lynas Malaysia", p.floor_usd_kg, None)
    model.form_tie("United States", "Malaysia", "supply", note="US price floor and offtake for Malaysian oxide")
    return text


@action(
    "us_offer_price_floor",
    actor="United States",
    target="Malaysia",
    kind="partnership",
    label="US offers its price floor to Malaysia",
    help="The US offers Lynas Malaysia its price floor; Malaysia decides.",
)
def _offer_floor(model: MagnetDiplomacyModel, p: Params) -> str:
    model.us.offer("us_floor")
    return "US offers a price floor and offtake for Malaysian oxide"


@action(
    "us_offer_offtake",
    actor="United States",
    target="JS Link",
    kind="partnership",
    label="US offers JS Link offtake and finance",
    help="US buyers offer to take JS Link's magnets and finance an expansion; Malaysia decides.",
)
def _offer_offtake(model: MagnetDiplomacyModel, p: Params) -> str:
    model.us.offer("us_offtake")
    return "US offers offtake and finance for JS Link"


@action(
    "us_defence_origin_rule",
    actor="United States",
    target="China",
    kind="tariff",
    label="US bans Chinese magnets in defence",
    help="US defence buyers may no longer buy magnets from China.",
    live=False,
)
def _defence_rule(model: MagnetDiplomacyModel, p: Params) -> str:
    model.us.bar_chinese_magnets_from_defence()
    model.china.shock_relations(DEFENCE_RULE_RELATIONS)
    return "US defence buyers may not buy China-origin magnets"


@action(
    "us_exclude_malaysia",
    actor="United States",
    target="Malaysia",
    kind="tariff",
    label="US excludes Malaysian material from defence and subsidy chains",
    help="US defence buyers may not buy Malaysian magnets or oxide and US price floors stop covering "
    "them (on), or they may again (off).",
    params=SwitchParams,
)
def _exclude_malaysia(model: MagnetDiplomacyModel, p: SwitchParams) -> str:
    return model.us.exclude_malaysia(p.on)
