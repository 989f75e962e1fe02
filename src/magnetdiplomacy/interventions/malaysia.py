"""Actions of Malaysia: the Lynas licence, the raw-ore ban, answers to offers, incentives, its lean."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..mechanisms.offers import OFFER_KINDS
from .registry import Params, SwitchParams, action

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


class LicenceParams(Params):
    term_years: float | None = Field(None, ge=0, le=30)
    term_months: float | None = Field(None, ge=0, le=360)
    start: str | None = None
    until: str | None = None
    cracking_allowed_until: str | None = None
    concentrate_import_ban_from: str | None = None


@action(
    "malaysia_lynas_licence",
    actor="Malaysia",
    target="Lynas Malaysia",
    kind="licence",
    label="Malaysia sets Lynas' licence",
    help=(
        "Renew or amend Lynas Malaysia's operating licence (term, cracking-and-leaching and concentrate-import "
        "conditions)."
    ),
    params=LicenceParams,
    live=False,
)
def _licence(model: MagnetDiplomacyModel, p: LicenceParams) -> str:
    return model.malaysia.set_licence(**p.model_dump())


@action(
    "malaysia_revoke_lynas_licence",
    actor="Malaysia",
    target="Lynas Malaysia",
    kind="licence",
    label="Malaysia revokes Lynas' licence",
    help="Lynas Malaysia must stop; Lynas relocates separation abroad over several years.",
)
def _revoke(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.malaysia.revoke_licence()


@action(
    "malaysia_renew_lynas_licence",
    actor="Malaysia",
    target="Lynas Malaysia",
    kind="licence",
    label="Malaysia renews Lynas' licence for 10 years",
    help="A 10-year renewal from now, keeping current conditions.",
)
def _renew(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.malaysia.set_licence(term_years=10)


@action(
    "malaysia_raw_ore_ban",
    actor="Malaysia",
    target="Raw rare-earth exports",
    kind="export_ban",
    label="Malaysia bans raw rare-earth exports",
    help="Raw rare-earth ore may not leave Malaysia (on) or may again (off).",
    params=SwitchParams,
)
def _ore_ban(model: MagnetDiplomacyModel, p: SwitchParams) -> str:
    return model.malaysia.set_ore_ban(p.on)


@action(
    "malaysia_accept_china_jv",
    actor="Malaysia",
    target="China",
    kind="partnership",
    label="Malaysia accepts the Chinese refinery JV",
    help=(
        "A Chinese joint-venture refinery is built in Malaysia with Chinese technology; its oxide goes mostly to China."
    ),
)
def _accept_jv(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.malaysia.accept("china_jv")


@action(
    "malaysia_accept_us_floor",
    actor="Malaysia",
    target="United States",
    kind="partnership",
    label="Malaysia accepts the US price floor",
    help="Lynas Malaysia sells under the US floor and offtake.",
    live=False,
)
def _accept_floor(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.malaysia.accept("us_floor")


@action(
    "malaysia_accept_us_offtake",
    actor="Malaysia",
    target="United States",
    kind="partnership",
    label="Malaysia accepts US offtake for JS Link",
    help="US buyers take JS Link's magnets and finance its expansion.",
)
def _accept_offtake(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.malaysia.accept("us_offtake")


# The offer kinds as a type, from their one declaration (forms offer them as a choice).
OfferKind = Literal[tuple(OFFER_KINDS)]  # type: ignore[valid-type]


class OfferParams(Params):
    offer: OfferKind  # type: ignore[valid-type]


@action(
    "malaysia_decline_offer",
    actor="Malaysia",
    target="",
    kind="partnership",
    label="Malaysia declines an offer",
    help="Turn an open offer down; the other side may offer again later.",
    params=OfferParams,
)
def _decline(model: MagnetDiplomacyModel, p: OfferParams) -> str:
    return model.malaysia.decline(p.offer)


@action(
    "malaysia_tighten_lynas_licence",
    actor="Malaysia",
    target="Lynas Malaysia",
    kind="licence",
    label="Malaysia tightens Lynas' licence",
    help=(
        "A three-year licence from now with no concentrate imports or cracking and leaching in Malaysia: "
        "Kuantan runs only on Kalgoorlie's feed and Lynas will not expand."
    ),
)
def _tighten(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.malaysia.tighten_licence()


class LevelParams(Params):
    level: float = Field(0.5, ge=0, le=1, description="0 none, 1 the most generous")


@action(
    "malaysia_magnet_incentive",
    actor="Malaysia",
    target="JS Link",
    kind="investment",
    label="Malaysia sets a magnet-plant incentive",
    help="The government pays part of JS Link's conversion cost: cheaper Malaysian magnets, at a fiscal cost.",
    params=LevelParams,
)
def _incentive(model: MagnetDiplomacyModel, p: LevelParams) -> str:
    model.malaysia.set_incentive(p.level)
    cut = model.config.malaysia.incentive_cost_cut * p.level
    return f"Magnet-plant incentive set to {p.level:.0%} of the maximum ({cut:.0%} of conversion cost)"


class PolicingParams(Params):
    usd_m_yr: float = Field(
        10.0, ge=0, le=200, description="US$ m a year spent policing illegal mining and ore exports"
    )


@action(
    "malaysia_ore_policing",
    actor="Malaysia",
    target="Raw rare-earth exports",
    kind="export_ban",
    label="Malaysia sets its policing of illegal mining and ore exports",
    help=(
        "Spending on policing illegal mining and ore smuggling: more spending, less ore leaving the country "
        "(development.ore_leak). Malaysia's own rule reviews it each January unless a person plays Malaysia."
    ),
    params=PolicingParams,
)
def _policing(model: MagnetDiplomacyModel, p: PolicingParams) -> str:
    before = model.malaysia.development.enforcement_usd_m_yr
    model.malaysia.development.enforcement_usd_m_yr = p.usd_m_yr
    return f"Policing of illegal mining and ore exports: US${before:,.0f} m -> US${p.usd_m_yr:,.0f} m a year"


class LeanParams(Params):
    lean: float = Field(0.0, ge=-1, le=1, description="-1 towards China, +1 towards the US")


@action(
    "malaysia_set_lean",
    actor="Malaysia",
    target="",
    kind="decision",
    label="Malaysia chooses how far to lean",
    help="Statements, votes and visits that lean towards one side; they add up as concessions over time.",
    params=LeanParams,
    live=False,
)
def _lean(model: MagnetDiplomacyModel, p: LeanParams) -> str:
    model.malaysia.choose_lean(p.lean)
    if abs(p.lean) < 0.005:
        return "Malaysia leans to neither side"
    return f"Malaysia leans {abs(p.lean):.0%} towards {'the US' if p.lean > 0 else 'China'}"


@action(
    "korea_offer_partnership",
    actor="Korea",
    target="Malaysia",
    kind="partnership",
    label="Korea offers JS Link technology and finance",
    help="Korea offers magnet technology for JS Link and finance for a second line; Malaysia decides.",
)
def _korea_offer(model: MagnetDiplomacyModel, p: Params) -> str:
    model.korea.offer()
    return "Korea offers magnet technology and finance for a second JS Link line"


@action(
    "australia_offer_partnership",
    actor="Australia",
    target="Malaysia",
    kind="partnership",
    label="Australia offers a critical-minerals partnership",
    help=(
        "Australia offers more Kalgoorlie feed for Kuantan and co-investment in its heavy rare-earth circuit; Malaysia "
        "decides."
    ),
)
def _australia_offer(model: MagnetDiplomacyModel, p: Params) -> str:
    model.australia.offer()
    return "Australia offers more MREC feed and heavy rare-earth co-investment at Kuantan"


@action(
    "malaysia_accept_offer",
    actor="Malaysia",
    target="",
    kind="partnership",
    label="Malaysia accepts an offer",
    help="Take up an offer: its ties, plants and finance follow.",
    params=OfferParams,
    live=False,
)
def _accept_offer(model: MagnetDiplomacyModel, p: OfferParams) -> str:
    return model.malaysia.accept(p.offer)


@action(
    "lynas_expand",
    actor="Lynas",
    target="Lynas Malaysia",
    kind="investment",
    label="Lynas expands Kuantan",
    help="More NdPr capacity (lynas.expansion_t_yr) in two years, paid from Lynas' cash; needs a valid licence.",
    live=False,
)
def _lynas_expand(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.lynas.expand()


@action(
    "jslink_expand",
    actor="JS Link",
    target="JS Link Kuantan plant",
    kind="investment",
    label="JS Link adds a second line",
    help="A second magnet line in two years, financed by a partner or JS Link's own cash.",
    live=False,
)
def _jslink_expand(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.jslink.expand()


@action(
    "buyers_diversify",
    actor="Buyers' association",
    target="Magnet suppliers",
    kind="decision",
    label="Buyers weigh supply security more",
    help="Buyers outside China count supply risk more heavily when choosing suppliers (1 = twice as much).",
    params=LevelParams,
)
def _diversify(model: MagnetDiplomacyModel, p: LevelParams) -> str:
    model.buyer_population.set_security_weight(1.0 + p.level)
    return f"Buyers outside China weigh supply risk ×{1.0 + p.level:.1f}"


class ConcessionParams(Params):
    value: float = Field(..., ge=-1, le=1)
    what: str = ""


@action(
    "malaysia_concession",
    actor="Malaysia",
    target="United States",
    kind="tariff",
    label="Malaysia makes a concession",
    help="A concession to one side (+ towards the US, - towards China).",
    params=ConcessionParams,
    live=False,
)
def _concession(model: MagnetDiplomacyModel, p: ConcessionParams) -> str:
    model.malaysia.concede(p.value)
    return p.what or f"Concession worth {p.value:+.2f}"


@action(
    "perak_pilot_start",
    actor="Malaysia (Perak state)",
    target="Perak NR-REE pilot",
    kind="licence",
    label="Perak pilot mining starts",
    help="Non-radioactive rare-earth pilot mining in Perak.",
    live=False,
)
def _perak(model: MagnetDiplomacyModel, p: Params) -> str:
    model.malaysia.start_perak_pilot()
    return "Perak non-radioactive rare-earth pilot mining starts"
