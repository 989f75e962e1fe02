"""Decisions of the firms' and buyers' seats beyond expansion: where Lynas builds, the feedstock
contract between Lynas and JS Link, JS Link's finance and know-how, the buyers' association's
sourcing. None of them is taken by an agent's rule: they happen only when a person chooses them
(a class seat, a play-as session or a scenario file), so runs without people are unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from .registry import Params, SwitchParams, action

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel


@action(
    "lynas_expand_abroad",
    actor="Lynas",
    target="Lynas Kalgoorlie",
    kind="investment",
    label="Lynas builds separation in Australia",
    help="The same expansion as at Kuantan (lynas.expansion_t_yr) built beside Kalgoorlie instead, in two years: "
    "out of reach of Malaysia's licence, at a new build's cost (lynas.abroad_expansion_capex_usd_m).",
    live=False,
)
def _lynas_abroad(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.lynas.expand_abroad()


@action(
    "lynas_supply_jslink",
    actor="Lynas",
    target="JS Link",
    kind="partnership",
    label="Lynas' feedstock contract with JS Link",
    help="Lynas offers (on) or stops (off) selling JS Link its NdPr and Dy/Tb under contract; the contract runs "
    "while JS Link wants it too.",
    params=SwitchParams,
    live=False,
)
def _lynas_supply(model: MagnetDiplomacyModel, p: SwitchParams) -> str:
    return model.lynas.supply_jslink(p.on)


@action(
    "jslink_buy_from_lynas",
    actor="JS Link",
    target="Lynas",
    kind="partnership",
    label="JS Link's feedstock from Lynas",
    help="JS Link takes (on) or gives up (off) Lynas' NdPr and Dy/Tb under contract and buys on the market; the "
    "contract runs while Lynas wants it too.",
    params=SwitchParams,
    live=False,
)
def _jslink_feed(model: MagnetDiplomacyModel, p: SwitchParams) -> str:
    return model.jslink.buy_from_lynas(p.on)


@action(
    "jslink_seek_finance",
    actor="JS Link",
    target="Korea",
    kind="partnership",
    label="JS Link asks Korea for finance",
    help="Korea, JS Link's home, offers Malaysia technology and finance for a second JS Link line; Malaysia decides.",
    live=False,
)
def _jslink_finance(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.jslink.seek_finance()


@action(
    "jslink_license_technology",
    actor="JS Link",
    target="Japanese magnet makers",
    kind="partnership",
    label="JS Link licenses Japanese know-how",
    help="Conversion cost falls by jslink.technology_cost_cut for a royalty of jslink.technology_royalty_share of "
    "sales; a technology tie with a Japanese maker.",
    live=False,
)
def _jslink_technology(model: MagnetDiplomacyModel, p: Params) -> str:
    return model.jslink.license_technology()


class PremiumParams(Params):
    premium: float = Field(0.05, ge=0, le=0.3, description="Premium for audited supply, fraction of price")


@action(
    "buyers_esg_premium",
    actor="Buyers' association",
    target="Magnet suppliers",
    kind="decision",
    label="Buyers set the premium for audited supply",
    help="What buyers who pay for responsible sourcing give audited non-China supply (fraction of price).",
    params=PremiumParams,
    live=False,
)
def _esg(model: MagnetDiplomacyModel, p: PremiumParams) -> str:
    model.buyer_population.set_esg_premium(p.premium)
    return f"Buyers outside China pay a premium of {p.premium:.0%} for audited supply"


class ContractParams(Params):
    share: float = Field(0.0, ge=0, le=0.6, description="Share of orders under long-term contracts")


@action(
    "buyers_long_term_contracts",
    actor="Buyers' association",
    target="Magnet makers outside China",
    kind="decision",
    label="Buyers sign long-term contracts outside China",
    help="Buyers outside China place this share of their orders under long-term contracts with makers outside China.",
    params=ContractParams,
    live=False,
)
def _contracts(model: MagnetDiplomacyModel, p: ContractParams) -> str:
    model.buyer_population.set_contract_share(p.share)
    return f"Buyers outside China place {p.share:.0%} of their orders under long-term contracts outside China"
