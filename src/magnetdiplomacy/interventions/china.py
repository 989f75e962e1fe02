"""Actions of China: quotas, export licensing, technology bans, truces, offers to Malaysia."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from ..mechanisms.controls import ALL_PRODUCTS, HEAVY_AND_TRACE_ELEMENTS
from .registry import Params, action

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


class QuotaParams(Params):
    mining_t: float = Field(..., ge=0)
    separation_t: float | None = Field(None, ge=0)


@action(
    "china_set_quota",
    actor="China",
    target="China rare-earth producers",
    kind="quota",
    label="China sets annual quotas",
    help="Set China's mining and separation quotas for the current year (t REO).",
    params=QuotaParams,
    live=False,
)
def _china_set_quota(model: MagnetDiplomacyModel, p: QuotaParams) -> str:
    china = model.china
    china.set_quota(p.mining_t, p.separation_t, scripted=True)
    return f"Quotas set: mining {p.mining_t:,.0f} t, separation {china.separation_quota_t_yr:,.0f} t REO"


class LicensingParams(Params):
    announcement: str = "agent"
    elements: list[str] = list(HEAVY_AND_TRACE_ELEMENTS)
    products: list[str] = list(ALL_PRODUCTS)
    grant_rate: float | None = Field(
        None, ge=0, le=1, description="Share of licences granted (default china.licence_grant_rate)"
    )
    delay_months: float | None = Field(
        None, ge=0, le=24, description="Months before grants start (default china.licence_delay_months)"
    )


@action(
    "china_export_licensing",
    actor="China",
    target="World",
    kind="export_control",
    label="China requires export licences",
    help="Export licences for the listed elements and products; grants start after a delay, then a share is granted.",
    params=LicensingParams,
)
def _china_export_licensing(model: MagnetDiplomacyModel, p: LicensingParams) -> str:
    cfg = model.config.china
    rate = cfg.licence_grant_rate if p.grant_rate is None else p.grant_rate
    delay = cfg.licence_delay_months if p.delay_months is None else p.delay_months
    model.china.require_licences(p.announcement, p.elements, p.products, rate, delay)
    what = f"{'/'.join(p.elements)} ({', '.join(p.products)})"
    return f"Export licences required for {what}; grant rate {rate:.0%} after {delay:g} months"


class ExtraterritorialParams(Params):
    announcement: str = "agent"
    grant_rate: float | None = Field(None, ge=0, le=1)
    effective: str | None = None


@action(
    "china_extraterritorial",
    actor="China",
    target="World",
    kind="export_control",
    label="China's extraterritorial rule",
    help="Foreign-made items containing Chinese rare earths need a Chinese licence.",
    params=ExtraterritorialParams,
)
def _china_extraterritorial(model: MagnetDiplomacyModel, p: ExtraterritorialParams) -> str:
    start = max(model.tick, model.tick_at(p.effective)) if p.effective else model.tick
    rate = model.config.china.licence_grant_rate if p.grant_rate is None else p.grant_rate
    model.china.extraterritorial(p.announcement, start, rate)
    return f"Extraterritorial licensing from {model.label_of(start)}, grant rate {rate:.0%}"


class TechBanParams(Params):
    announcement: str = "agent"
    scope: list[str] = ["separation", "magnet_production"]


@action(
    "china_tech_ban",
    actor="China",
    target="World",
    kind="tech_ban",
    label="China bans technology exports",
    help="Ban on exporting rare-earth separation and magnet technology; blocks Chinese technology ties.",
    params=TechBanParams,
)
def _china_tech_ban(model: MagnetDiplomacyModel, p: TechBanParams) -> str:
    model.china.ban_technology(p.announcement, p.scope)
    return f"Technology export ban: {', '.join(p.scope)}"


class AnnouncementParams(Params):
    announcement: str = "agent"


@action(
    "china_equipment_control",
    actor="China",
    target="World",
    kind="export_control",
    label="China controls equipment exports",
    help="Controls on rare-earth processing equipment; new non-China plants take longer to build.",
    params=AnnouncementParams,
)
def _china_equipment_control(model: MagnetDiplomacyModel, p: AnnouncementParams) -> str:
    model.china.control_equipment(p.announcement)
    return "Export controls on rare-earth equipment"


@action(
    "china_lift_export_licensing",
    actor="China",
    target="World",
    kind="export_control",
    label="China lifts export licensing",
    help="Ends China's licensing regimes issued under one announcement (or all of them).",
    params=AnnouncementParams,
)
def _lift_licensing(model: MagnetDiplomacyModel, p: AnnouncementParams) -> str:
    lifted = model.china.lift_licensing(p.announcement)
    return f"China lifts {lifted} export-licensing regime{'' if lifted == 1 else 's'}"


class SuspendParams(Params):
    announcements: list[str]
    until: str


@action(
    "china_suspend_controls",
    actor="China",
    target="World",
    kind="truce",
    label="China suspends controls",
    help="Suspend the controls issued under the listed announcements until a date.",
    params=SuspendParams,
    live=False,
)
def _china_suspend(model: MagnetDiplomacyModel, p: SuspendParams) -> str:
    until = model.tick_at(p.until)
    count = model.china.suspend_controls(p.announcements, until)
    return f"Controls {', '.join(p.announcements)} suspended until {model.label_of(until)} ({count} in force)"


class GeneralLicenceParams(Params):
    destination: str = "united_states"
    grant_rate: float | None = Field(None, ge=0, le=1)


@action(
    "china_general_licence",
    actor="China",
    target="United States end users",
    kind="export_control",
    label="China grants general licences",
    help="General licences for one destination: its grant rate rises.",
    params=GeneralLicenceParams,
    live=False,
)
def _china_general_licence(model: MagnetDiplomacyModel, p: GeneralLicenceParams) -> str:
    rate = model.config.china.us_general_licence_rate if p.grant_rate is None else p.grant_rate
    model.china.grant_general_licences(p.destination, rate)
    return f"General licences for {p.destination}: grant rate {rate:.0%}"


class TruceParams(Params):
    grant_rate: float | None = Field(None, ge=0, le=1)
    us_tariff_cut: float = Field(0.0, ge=0, le=1)


@action(
    "us_china_truce",
    actor="United States; China",
    target="China; United States",
    kind="truce",
    label="US-China truce",
    help="Relations improve; China grants more licences and the US may cut tariffs.",
    params=TruceParams,
)
def _truce(model: MagnetDiplomacyModel, p: TruceParams) -> str:
    rate = model.config.china.truce_grant_rate if p.grant_rate is None else p.grant_rate
    model.china.truce(rate)
    if p.us_tariff_cut > 0:
        current = model.controls.tariff("United States", "China", model.tick)
        model.us.set_tariff("China", max(0.0, current - p.us_tariff_cut))
    return f"Truce: licence grant rate {rate:.0%}"


class EscalateParams(Params):
    grant_rate: float | None = Field(None, ge=0, le=1)


@action(
    "china_escalate",
    actor="China",
    target="World",
    kind="export_control",
    label="China re-escalates controls",
    help="Suspended controls come back, licences tighten, magnets and Dy/Tb need licences.",
    params=EscalateParams,
)
def _escalate(model: MagnetDiplomacyModel, p: EscalateParams) -> str:
    return model.china.escalate(p.grant_rate)


@action(
    "china_suspend_magnet_licences",
    actor="China",
    target="World",
    kind="export_control",
    label="China suspends magnet export licences",
    help="No licences for magnets or Dy/Tb leave China (grant rate 0).",
)
def _suspend_magnets(model: MagnetDiplomacyModel, p: Params) -> str:
    model.china.suspend_magnet_licences()
    return "Magnet and Dy/Tb export licences suspended"


class RestrictParams(Params):
    grant_rate: float = Field(0.3, ge=0, le=1)


@action(
    "china_restrict_malaysia",
    actor="China",
    target="Malaysia",
    kind="export_control",
    label="China restricts licences to Malaysia",
    help="Dy/Tb and NdPr licences to Malaysia are cut.",
    params=RestrictParams,
)
def _restrict_malaysia(model: MagnetDiplomacyModel, p: RestrictParams) -> str:
    model.china.restrict_malaysia(p.grant_rate)
    return f"Licences to Malaysia cut to {p.grant_rate:.0%}"


@action(
    "china_lift_malaysia_restriction",
    actor="China",
    target="Malaysia",
    kind="export_control",
    label="China lifts its restriction on Malaysia",
    help="Ends China's Malaysia-specific licence restriction.",
)
def _lift_malaysia(model: MagnetDiplomacyModel, p: Params) -> str:
    model.china.lift_malaysia_restriction()
    return "Malaysia-specific restriction lifted"


@action(
    "china_imports_under_quota",
    actor="China",
    target="Imported rare-earth ore",
    kind="quota",
    label="Imported ore under quota",
    help="China's separation of imported ore counts against its separation quota.",
    live=False,
)
def _imports_under_quota(model: MagnetDiplomacyModel, p: Params) -> str:
    # The quota that year was not published (E031); we assume it made room for the imports.
    room = model.import_capacity_t_yr()
    model.china.count_imports_under_quota(room)
    return f"Imported ore now counts against China's separation quota (raised by {room:,.0f} t to cover it)"


@action(
    "china_offer_jv",
    actor="China",
    target="Malaysia",
    kind="partnership",
    label="China offers a refinery joint venture",
    help="China offers Malaysia a refinery JV (technology for access to ore); Malaysia decides.",
)
def _offer_jv(model: MagnetDiplomacyModel, p: Params) -> str:
    model.china.offer_jv()
    return "China offers a refinery joint venture with technology transfer"
