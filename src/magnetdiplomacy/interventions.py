"""Named policy actions: the one vocabulary for replayed history, scenario files, agents and people.

Every control, partnership and decision that can happen in a run is one of these actions. The
events replay maps each row of ``events.csv`` to actions; scenario files list dated actions under
``interventions:``; agents fire them when they decide; the browser app fires them mid-run. Each
action declares its parameters (with defaults and ranges) as a small pydantic model and writes one
row to the event log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .mechanisms.controls import Control

if TYPE_CHECKING:  # pragma: no cover
    from .model import MagnetDiplomacyModel


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class ActionSpec:
    name: str
    actor: str
    target: str
    kind: str
    label: str
    help: str
    params: type[Params]
    apply: Callable[["MagnetDiplomacyModel", Params], str]
    live: bool = True  # offered as a live intervention in the app


ACTIONS: dict[str, ActionSpec] = {}


def action(name: str, *, actor: str, target: str, kind: str, label: str, help: str, params: type[Params] = Params, live: bool = True):
    def register(fn):
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


def apply_action(
    model: "MagnetDiplomacyModel",
    name: str,
    params: dict | None = None,
    *,
    source: str = "user",
    description: str = "",
    actor: str = "",
    target: str = "",
    kind: str = "",
) -> str:
    """Apply an action now and log it (actor, target and kind default to the action's own)."""
    spec = ACTIONS[name]
    checked = validate_action(name, params or {})
    text = spec.apply(model, checked)
    model.log_event(actor or spec.actor, target or spec.target, kind or spec.kind, description or text, source=source, action=name)
    return text


# ---- China ------------------------------------------------------------------------------------


class QuotaParams(Params):
    mining_t: float = Field(..., ge=0)
    separation_t: float | None = Field(None, ge=0)


@action("china_set_quota", actor="China", target="China rare-earth producers", kind="quota", label="China sets annual quotas", help="Set China's mining and separation quotas for the current year (t REO).", params=QuotaParams, live=False)
def _china_set_quota(model, p: QuotaParams) -> str:
    china = model.china
    china.set_quota(p.mining_t, p.separation_t, scripted=True)
    return f"Quotas set: mining {p.mining_t:,.0f} t, separation {china.separation_quota_t_yr:,.0f} t REO"


class LicensingParams(Params):
    announcement: str = "agent"
    elements: list[str] = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]
    products: list[str] = ["metals", "oxides", "alloys", "compounds", "magnets"]
    grant_rate: float | None = Field(None, ge=0, le=1, description="Share of licences granted (default china.licence_grant_rate)")
    delay_months: float | None = Field(None, ge=0, le=24, description="Months before grants start (default china.licence_delay_months)")


@action("china_export_licensing", actor="China", target="World", kind="export_control", label="China requires export licences", help="Export licences for the listed elements and products; grants start after a delay, then a share is granted.", params=LicensingParams)
def _china_export_licensing(model, p: LicensingParams) -> str:
    cfg = model.config.china
    rate = cfg.licence_grant_rate if p.grant_rate is None else p.grant_rate
    delay = cfg.licence_delay_months if p.delay_months is None else p.delay_months
    model.controls.add(Control("export_licensing", "China", "World", model.tick, params={"announcement": p.announcement, "elements": p.elements, "products": p.products, "grant_rate": rate, "delay_months": delay}, label=f"Export licensing ({p.announcement})"))
    return f"Export licences required for {'/'.join(p.elements)} ({', '.join(p.products)}); grant rate {rate:.0%} after {delay:g} months"


class ExtraterritorialParams(Params):
    announcement: str = "agent"
    grant_rate: float | None = Field(None, ge=0, le=1)
    effective: str | None = None


@action("china_extraterritorial", actor="China", target="World", kind="export_control", label="China's extraterritorial rule", help="Foreign-made items containing Chinese rare earths need a Chinese licence.", params=ExtraterritorialParams)
def _china_extraterritorial(model, p: ExtraterritorialParams) -> str:
    start = max(model.tick, model.tick_at(p.effective)) if p.effective else model.tick
    rate = model.config.china.licence_grant_rate if p.grant_rate is None else p.grant_rate
    model.controls.add(Control("extraterritorial", "China", "World", start, params={"announcement": p.announcement, "grant_rate": rate, "delay_months": model.config.china.licence_delay_months}, label=f"Extraterritorial rule ({p.announcement})"))
    return f"Extraterritorial licensing from {model.label_of(start)}, grant rate {rate:.0%}"


class TechBanParams(Params):
    announcement: str = "agent"
    scope: list[str] = ["separation", "magnet_production"]


@action("china_tech_ban", actor="China", target="World", kind="tech_ban", label="China bans technology exports", help="Ban on exporting rare-earth separation and magnet technology; blocks Chinese technology ties.", params=TechBanParams)
def _china_tech_ban(model, p: TechBanParams) -> str:
    model.controls.add(Control("tech_ban", "China", "World", model.tick, params={"announcement": p.announcement, "scope": p.scope}, label="Technology export ban"))
    return f"Technology export ban: {', '.join(p.scope)}"


class AnnouncementParams(Params):
    announcement: str = "agent"


@action("china_equipment_control", actor="China", target="World", kind="export_control", label="China controls equipment exports", help="Controls on rare-earth processing equipment; new non-China plants take longer to build.", params=AnnouncementParams)
def _china_equipment_control(model, p: AnnouncementParams) -> str:
    model.controls.add(Control("equipment_control", "China", "World", model.tick, params={"announcement": p.announcement}, label="Equipment controls"))
    return "Export controls on rare-earth equipment"


@action("china_lift_export_licensing", actor="China", target="World", kind="export_control", label="China lifts export licensing", help="Ends China's licensing regimes issued under one announcement (or all of them).", params=AnnouncementParams)
def _lift_licensing(model, p: AnnouncementParams) -> str:
    ended = [c for c in model.controls.in_force("export_licensing", model.tick) + model.controls.in_force("extraterritorial", model.tick) if p.announcement in ("agent", "all") or str(c.params.get("announcement")) == p.announcement]
    for control in ended:
        control.end = model.tick
    if ended:
        model.china.escalation_level = max(0, model.china.escalation_level - 1)
    return f"China lifts {len(ended)} export-licensing regime(s)"


class SuspendParams(Params):
    announcements: list[str]
    until: str


@action("china_suspend_controls", actor="China", target="World", kind="truce", label="China suspends controls", help="Suspend the controls issued under the listed announcements until a date.", params=SuspendParams, live=False)
def _china_suspend(model, p: SuspendParams) -> str:
    until = model.tick_at(p.until)
    suspended = model.controls.suspend(set(p.announcements), until, model.tick)
    model.china.suspension_ends = until
    return f"Controls {', '.join(p.announcements)} suspended until {model.label_of(until)} ({len(suspended)} in force)"


class GeneralLicenceParams(Params):
    destination: str = "united_states"
    grant_rate: float | None = Field(None, ge=0, le=1)


@action("china_general_licence", actor="China", target="United States end users", kind="export_control", label="China grants general licences", help="General licences for one destination: its grant rate rises.", params=GeneralLicenceParams, live=False)
def _china_general_licence(model, p: GeneralLicenceParams) -> str:
    rate = model.config.china.us_general_licence_rate if p.grant_rate is None else p.grant_rate
    for control in model.controls.in_force("export_licensing", model.tick):
        control.params.setdefault("destinations", {})[p.destination] = rate
    return f"General licences for {p.destination}: grant rate {rate:.0%}"


class TruceParams(Params):
    grant_rate: float | None = Field(None, ge=0, le=1)
    us_tariff_cut: float = Field(0.0, ge=0, le=1)


@action("us_china_truce", actor="United States; China", target="China; United States", kind="truce", label="US-China truce", help="Relations improve; China grants more licences and the US may cut tariffs.", params=TruceParams)
def _truce(model, p: TruceParams) -> str:
    rate = model.config.china.truce_grant_rate if p.grant_rate is None else p.grant_rate
    model.china.truce(rate)
    if p.us_tariff_cut > 0:
        model.us.set_tariff("China", max(0.0, model.controls.tariff("United States", "China", model.tick) - p.us_tariff_cut))
    return f"Truce: licence grant rate {rate:.0%}"


class EscalateParams(Params):
    grant_rate: float | None = Field(None, ge=0, le=1)


@action("china_escalate", actor="China", target="World", kind="export_control", label="China re-escalates controls", help="Suspended controls come back, licences tighten, magnets and Dy/Tb need licences.", params=EscalateParams)
def _escalate(model, p: EscalateParams) -> str:
    return model.china.escalate(p.grant_rate)


@action("china_suspend_magnet_licences", actor="China", target="World", kind="export_control", label="China suspends magnet export licences", help="No licences for magnets or Dy/Tb leave China (grant rate 0).")
def _suspend_magnets(model, p: Params) -> str:
    model.controls.add(Control("export_licensing", "China", "World", model.tick, params={"announcement": "magnet-suspension", "elements": ["Dy", "Tb", "Nd", "Pr"], "products": ["magnets", "oxides", "metals", "alloys", "compounds"], "grant_rate": 0.0, "delay_months": 0.0}, label="Magnet licences suspended"))
    model.china.escalation_level = 3
    return "Magnet and Dy/Tb export licences suspended"


class RestrictParams(Params):
    grant_rate: float = Field(0.3, ge=0, le=1)


@action("china_restrict_malaysia", actor="China", target="Malaysia", kind="export_control", label="China restricts licences to Malaysia", help="Dy/Tb, NdPr and technology licences to Malaysia are cut.", params=RestrictParams)
def _restrict_malaysia(model, p: RestrictParams) -> str:
    model.controls.add(Control("export_licensing", "China", "Malaysia", model.tick, params={"announcement": "malaysia", "elements": ["Dy", "Tb", "Nd", "Pr"], "products": ["oxides", "metals", "alloys", "compounds", "magnets"], "grant_rate": 1.0, "destinations": {"malaysia": p.grant_rate}, "delay_months": 0.0}, label="Restriction on Malaysia"))
    model.china.restricting_malaysia = True
    return f"Licences to Malaysia cut to {p.grant_rate:.0%}"


@action("china_lift_malaysia_restriction", actor="China", target="Malaysia", kind="export_control", label="China lifts its restriction on Malaysia", help="Ends China's Malaysia-specific licence restriction.")
def _lift_malaysia(model, p: Params) -> str:
    for control in model.controls.in_force("export_licensing", model.tick):
        if control.target == "Malaysia":
            control.end = model.tick
    model.china.restricting_malaysia = False
    return "Malaysia-specific restriction lifted"


@action("china_imports_under_quota", actor="China", target="Imported rare-earth ore", kind="quota", label="Imported ore under quota", help="China's separation of imported ore counts against its separation quota.", live=False)
def _imports_under_quota(model, p: Params) -> str:
    china = model.china
    china.imports_under_quota = True
    # The quota that year was not published (E031); we assume it made room for the imports.
    room = model.import_capacity_t_yr()
    china.separation_quota_t_yr += room
    return f"Imported ore now counts against China's separation quota (raised by {room:,.0f} t to cover it)"


@action("china_offer_jv", actor="China", target="Malaysia", kind="partnership", label="China offers a refinery joint venture", help="China offers Malaysia a refinery JV (technology for access to ore); Malaysia decides.")
def _offer_jv(model, p: Params) -> str:
    model.make_offer("China", "Malaysia", "china_jv")
    return "China offers a refinery joint venture with technology transfer"


# ---- United States ----------------------------------------------------------------------------


class TariffParams(Params):
    target: Literal["Malaysia", "China"] = "Malaysia"
    rate: float | None = Field(None, ge=0, le=2, description="New tariff rate")
    change: float | None = Field(None, ge=-2, le=2, description="Change to the current rate (instead of a rate)")

    @model_validator(mode="after")
    def _one_of(self) -> "TariffParams":
        if (self.rate is None) == (self.change is None):
            raise ValueError("give exactly one of rate or change")
        if self.target == "Malaysia" and self.rate is not None and self.rate > 1:
            raise ValueError("a tariff on Malaysia is between 0 and 1")
        return self


@action("us_set_tariff", actor="United States", target="Malaysia", kind="tariff", label="US sets a tariff", help="US import tariff on Malaysian (or Chinese) goods, magnets included.", params=TariffParams)
def _us_tariff(model, p: TariffParams) -> str:
    current = model.controls.tariff("United States", p.target, model.tick)
    rate = p.rate if p.rate is not None else max(0.0, current + p.change)
    if p.target == "Malaysia":
        rate = min(1.0, rate)
    model.us.set_tariff(p.target, rate)
    return f"US tariff on {p.target}: {current:.0%} -> {rate:.0%}"


class FloorParams(Params):
    beneficiary: str = "MP Materials"
    floor_usd_kg: float | None = Field(None, ge=0, le=500)
    years: float | None = Field(None, ge=0.5, le=30)


@action("us_price_floor", actor="United States", target="MP Materials", kind="price_floor", label="US price floor", help="The US guarantees a producer a minimum NdPr price.", params=FloorParams, live=False)
def _us_floor(model, p: FloorParams) -> str:
    return model.us.grant_floor(p.beneficiary, p.floor_usd_kg, p.years)


class ExtendFloorParams(Params):
    floor_usd_kg: float | None = Field(None, ge=0, le=500)


@action("us_extend_price_floor_malaysia", actor="United States", target="Lynas Malaysia", kind="price_floor", label="US extends its price floor to Malaysian oxide", help="Lynas Malaysia's NdPr gets the US price floor (with a US offtake tie).", params=ExtendFloorParams)
def _extend_floor(model, p: ExtendFloorParams) -> str:
    text = model.us.grant_floor("Lynas Malaysia", p.floor_usd_kg, None)
    model.form_tie("United States", "Malaysia", "supply", note="US price floor and offtake for Malaysian oxide")
    return text


@action("us_offer_price_floor", actor="United States", target="Malaysia", kind="partnership", label="US offers its price floor to Malaysia", help="The US offers Lynas Malaysia its price floor; Malaysia decides.")
def _offer_floor(model, p: Params) -> str:
    model.make_offer("United States", "Malaysia", "us_floor")
    return "US offers a price floor and offtake for Malaysian oxide"


@action("us_offer_offtake", actor="United States", target="JS Link", kind="partnership", label="US offers JS Link offtake and finance", help="US buyers offer to take JS Link's magnets and finance an expansion; Malaysia decides.")
def _offer_offtake(model, p: Params) -> str:
    model.make_offer("United States", "Malaysia", "us_offtake")
    return "US offers offtake and finance for JS Link"


@action("us_defence_origin_rule", actor="United States", target="China", kind="tariff", label="US bans Chinese magnets in defence", help="US defence buyers may no longer buy magnets from China.", live=False)
def _defence_rule(model, p: Params) -> str:
    model.controls.add(Control("origin_rule", "United States", "china", model.tick, label="Defence sourcing rule"))
    model.china.shock_relations(-0.1)
    return "US defence buyers may not buy China-origin magnets"


# ---- Malaysia ---------------------------------------------------------------------------------


class LicenceParams(Params):
    term_years: float | None = Field(None, ge=0, le=30)
    term_months: float | None = Field(None, ge=0, le=360)
    start: str | None = None
    until: str | None = None
    cracking_allowed_until: str | None = None
    concentrate_import_ban_from: str | None = None


@action("malaysia_lynas_licence", actor="Malaysia", target="Lynas Malaysia", kind="licence", label="Malaysia sets Lynas' licence", help="Renew or amend Lynas Malaysia's operating licence (term, cracking-and-leaching and concentrate-import conditions).", params=LicenceParams, live=False)
def _licence(model, p: LicenceParams) -> str:
    return model.malaysia.set_licence(**p.model_dump())


@action("malaysia_revoke_lynas_licence", actor="Malaysia", target="Lynas Malaysia", kind="licence", label="Malaysia revokes Lynas' licence", help="Lynas Malaysia must stop; Lynas relocates separation abroad over several years.")
def _revoke(model, p: Params) -> str:
    return model.malaysia.revoke_licence()


@action("malaysia_renew_lynas_licence", actor="Malaysia", target="Lynas Malaysia", kind="licence", label="Malaysia renews Lynas' licence for 10 years", help="A 10-year renewal from now, keeping current conditions.")
def _renew(model, p: Params) -> str:
    return model.malaysia.set_licence(term_years=10)


class BanParams(Params):
    on: bool = True


@action("malaysia_raw_ore_ban", actor="Malaysia", target="Raw rare-earth exports", kind="export_ban", label="Malaysia bans raw rare-earth exports", help="Raw rare-earth ore may not leave Malaysia (on) or may again (off).", params=BanParams)
def _ore_ban(model, p: BanParams) -> str:
    return model.malaysia.set_ore_ban(p.on)


@action("malaysia_accept_china_jv", actor="Malaysia", target="China", kind="partnership", label="Malaysia accepts the Chinese refinery JV", help="A Chinese joint-venture refinery is built in Malaysia with Chinese technology; its oxide goes mostly to China.")
def _accept_jv(model, p: Params) -> str:
    return model.malaysia.accept("china_jv")


@action("malaysia_accept_us_floor", actor="Malaysia", target="United States", kind="partnership", label="Malaysia accepts the US price floor", help="Lynas Malaysia sells under the US floor and offtake.", live=False)
def _accept_floor(model, p: Params) -> str:
    return model.malaysia.accept("us_floor")


@action("malaysia_accept_us_offtake", actor="Malaysia", target="United States", kind="partnership", label="Malaysia accepts US offtake for JS Link", help="US buyers take JS Link's magnets and finance its expansion.")
def _accept_offtake(model, p: Params) -> str:
    return model.malaysia.accept("us_offtake")


OfferKind = Literal["china_jv", "us_floor", "us_offtake", "korea_partnership", "australia_partnership"]


class OfferParams(Params):
    offer: OfferKind


@action("malaysia_decline_offer", actor="Malaysia", target="", kind="partnership", label="Malaysia declines an offer", help="Turn an open offer down; the other side may offer again later.", params=OfferParams)
def _decline(model, p: OfferParams) -> str:
    return model.malaysia.decline(p.offer)


@action("malaysia_tighten_lynas_licence", actor="Malaysia", target="Lynas Malaysia", kind="licence", label="Malaysia tightens Lynas' licence", help="A three-year licence from now with no concentrate imports or cracking and leaching in Malaysia: Kuantan runs only on Kalgoorlie's feed and Lynas will not expand.")
def _tighten(model, p: Params) -> str:
    return model.malaysia.tighten_licence()


class LevelParams(Params):
    level: float = Field(0.5, ge=0, le=1, description="0 none, 1 the most generous")


@action("malaysia_magnet_incentive", actor="Malaysia", target="JS Link", kind="investment", label="Malaysia sets a magnet-plant incentive", help="The government pays part of JS Link's conversion cost: cheaper Malaysian magnets, at a fiscal cost.", params=LevelParams)
def _incentive(model, p: LevelParams) -> str:
    model.malaysia.incentive_level = p.level
    return f"Magnet-plant incentive set to {p.level:.0%} of the maximum ({model.config.malaysia.incentive_cost_cut * p.level:.0%} of conversion cost)"


class LeanParams(Params):
    lean: float = Field(0.0, ge=-1, le=1, description="-1 towards China, +1 towards the US")


@action("malaysia_set_lean", actor="Malaysia", target="", kind="decision", label="Malaysia chooses how far to lean", help="Statements, votes and visits that lean towards one side; they add up as concessions over time.", params=LeanParams, live=False)
def _lean(model, p: LeanParams) -> str:
    model.malaysia.player_lean = p.lean
    side = "the US" if p.lean > 0 else "China" if p.lean < 0 else "neither side"
    return f"Malaysia leans {abs(p.lean):.0%} towards {side}"


@action("korea_offer_partnership", actor="Korea", target="Malaysia", kind="partnership", label="Korea offers JS Link technology and finance", help="Korea offers magnet technology for JS Link and finance for a second line; Malaysia decides.")
def _korea_offer(model, p: Params) -> str:
    model.make_offer("Korea", "Malaysia", "korea_partnership")
    return "Korea offers magnet technology and finance for a second JS Link line"


@action("australia_offer_partnership", actor="Australia", target="Malaysia", kind="partnership", label="Australia offers a critical-minerals partnership", help="Australia offers more Kalgoorlie feed for Kuantan and co-investment in its heavy rare-earth circuit; Malaysia decides.")
def _australia_offer(model, p: Params) -> str:
    model.make_offer("Australia", "Malaysia", "australia_partnership")
    return "Australia offers more MREC feed and heavy rare-earth co-investment at Kuantan"


@action("malaysia_accept_offer", actor="Malaysia", target="", kind="partnership", label="Malaysia accepts an offer", help="Take up an offer: its ties, plants and finance follow.", params=OfferParams, live=False)
def _accept_offer(model, p: OfferParams) -> str:
    return model.malaysia.accept(p.offer)


@action("lynas_expand", actor="Lynas", target="Lynas Malaysia", kind="investment", label="Lynas expands Kuantan", help="2,000 t/yr more NdPr in two years, paid from Lynas' cash; needs a valid licence.", live=False)
def _lynas_expand(model, p: Params) -> str:
    return model.lynas.expand()


@action("jslink_expand", actor="JS Link", target="JS Link Kuantan plant", kind="investment", label="JS Link adds a second line", help="A second magnet line in two years, financed by a partner or JS Link's own cash.", live=False)
def _jslink_expand(model, p: Params) -> str:
    return model.jslink.expand()


@action("buyers_diversify", actor="Buyers' association", target="Magnet suppliers", kind="decision", label="Buyers weigh supply security more", help="Buyers outside China count supply risk more heavily when choosing suppliers (1 = twice as much).", params=LevelParams)
def _diversify(model, p: LevelParams) -> str:
    model.buyer_population.security_multiplier = 1.0 + p.level
    return f"Buyers outside China weigh supply risk x{1.0 + p.level:.1f}"


class ConcessionParams(Params):
    value: float = Field(..., ge=-1, le=1)
    what: str = ""


@action("malaysia_concession", actor="Malaysia", target="United States", kind="tariff", label="Malaysia makes a concession", help="A concession to one side (+ towards the US, - towards China).", params=ConcessionParams, live=False)
def _concession(model, p: ConcessionParams) -> str:
    model.malaysia.concessions += p.value
    return p.what or f"Concession worth {p.value:+.2f}"


@action("perak_pilot_start", actor="Malaysia (Perak state)", target="Perak NR-REE pilot", kind="licence", label="Perak pilot mining starts", help="Non-radioactive rare-earth pilot mining in Perak.", live=False)
def _perak(model, p: Params) -> str:
    model.plants["perak_pilot"].start = model.tick
    return "Perak non-radioactive rare-earth pilot mining starts"


# ---- partnerships and firms -------------------------------------------------------------------


class TieParams(Params):
    a: str
    b: str
    tie: Literal["supply", "technology", "investment", "mou"]
    note: str = ""


@action("form_partnership", actor="", target="", kind="partnership", label="Partnership formed", help="Form a typed tie between two actors.", params=TieParams, live=False)
def _form(model, p: TieParams) -> str:
    model.form_tie(p.a, p.b, p.tie, note=p.note)
    return p.note or f"{p.tie} tie {p.a} - {p.b}"


@action("break_partnership", actor="", target="", kind="partnership", label="Partnership broken", help="Break a typed tie between two actors.", params=TieParams, live=False)
def _break(model, p: TieParams) -> str:
    model.break_tie(p.a, p.b, p.tie)
    return p.note or f"{p.tie} tie {p.a} - {p.b} broken"


class DelayParams(Params):
    months: int = Field(24, ge=1, le=120)


@action("jslink_delay", actor="JS Link", target="JS Link Kuantan plant", kind="investment", label="JS Link's plant slips", help="JS Link's start date moves later.", params=DelayParams)
def _delay(model, p: DelayParams) -> str:
    plant = model.plants["jslink_magnets"]
    plant.start += p.months
    return f"JS Link start moved to {model.label_of(plant.start)}"


class RecordParams(Params):
    what: str = ""


@action("record", actor="", target="", kind="record", label="Recorded event", help="An event with no modelled effect beyond the log.", params=RecordParams, live=False)
def _record(model, p: RecordParams) -> str:
    return p.what


def live_actions() -> list[ActionSpec]:
    """Actions a person can fire mid-run (the app's intervention menu)."""
    return [spec for spec in ACTIONS.values() if spec.live]


# What a person playing each seat may do (play-as and class sessions). Offers to Malaysia are
# answered with malaysia_accept_offer / malaysia_decline_offer.
SEAT_ACTIONS: dict[str, tuple[str, ...]] = {
    "malaysia": ("malaysia_raw_ore_ban", "malaysia_renew_lynas_licence", "malaysia_tighten_lynas_licence", "malaysia_revoke_lynas_licence", "malaysia_accept_offer", "malaysia_decline_offer", "malaysia_magnet_incentive", "malaysia_set_lean"),
    "united_states": ("us_set_tariff", "us_offer_price_floor", "us_offer_offtake", "us_extend_price_floor_malaysia"),
    "china": ("china_escalate", "us_china_truce", "china_suspend_magnet_licences", "china_lift_export_licensing", "china_restrict_malaysia", "china_lift_malaysia_restriction", "china_offer_jv"),
    "lynas": ("lynas_expand",),
    "jslink": ("jslink_expand",),
    "buyers": ("buyers_diversify",),
}
SEATS = tuple(SEAT_ACTIONS)


def seat_actions(seat: str) -> list[ActionSpec]:
    """The action menu of a seat."""
    return [ACTIONS[name] for name in SEAT_ACTIONS[seat]]

