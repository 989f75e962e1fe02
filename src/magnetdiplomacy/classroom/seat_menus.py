"""Each seat's decisions, built from the world as it stands (see :mod:`.menus`)."""

from __future__ import annotations

from ..mechanisms.offers import OFFER_KINDS
from ..model import MagnetDiplomacyModel
from . import seat_menus_firms
from .choices import Choice, Decision, keep, pct
from .seat_menus_firms import set_level
from .world import month_name

# Who offers what, in the words of the offer kinds' one declaration.
OFFER_NAMES = {kind.name: (kind.offered_by, kind.pitch) for kind in OFFER_KINDS.values()}


def _ore_ban(model: MagnetDiplomacyModel) -> Decision:
    """Export of raw ore: ban or allow."""
    tick = model.tick
    banned = model.controls.raw_ore_ban(tick)
    return Decision(
        "ore_ban",
        "Raw rare-earth ore exports",
        "Exports of raw ore are banned." if banned else "Raw ore may be exported.",
        "The ban keeps ore at home for refining in Malaysia and draws refinery investment (China can only reach "
        "Malaysian ore through a refinery here). The US agreement of October 2025 bars export restrictions: a new "
        "ban breaks that tie, lifting the ban renews it.",
        (
            keep("Keep the ban") if banned else keep("Keep exports open"),
            Choice("lift", "Lift the ban", "malaysia_raw_ore_ban", {"on": False})
            if banned
            else Choice("ban", "Ban raw-ore exports", "malaysia_raw_ore_ban", {"on": True}),
        ),
    )


def _licence(model: MagnetDiplomacyModel) -> Decision:
    """Lynas' licence: renew, tighten or revoke it (or grant a new one)."""
    licence = model.licence
    if licence.valid:
        # whole years: the dashboard's tile shows the years left at the end of last month
        left = f"about {licence.years_left:.0f} more years" if licence.years_left >= 1 else "less than a year"
        until = f" (until {month_name(model.label_of(licence.until))})" if licence.until is not None else ""
        status = f"Lynas' licence is valid for {left}{until}."
        choices: tuple[Choice, ...] = (
            keep("Leave the licence as it is"),
            Choice("renew", "Renew for 10 years from now", "malaysia_renew_lynas_licence"),
            Choice(
                "tighten",
                "Tighten: 3 years, no concentrate imports or cracking in Malaysia",
                "malaysia_tighten_lynas_licence",
            ),
            Choice("revoke", "Revoke the licence: Kuantan must stop", "malaysia_revoke_lynas_licence"),
        )
    else:
        status = "Lynas has no valid licence: Kuantan is shut."
        choices = (
            keep("Keep Kuantan shut"),
            Choice("renew", "Grant a new 10-year licence", "malaysia_renew_lynas_licence"),
        )
    return Decision(
        "licence",
        "Lynas' operating licence",
        status,
        "Kuantan is the largest rare-earth separation plant outside China. Its waste worries voters; its jobs and "
        "exports matter to the targets.",
        choices,
    )


def _offers(model: MagnetDiplomacyModel) -> list[Decision]:
    """An answer to each open offer to Malaysia."""
    out: list[Decision] = []
    for offer in model.offers.open_for("Malaysia", model.tick):
        sender, what = OFFER_NAMES.get(offer.kind, (offer.sender, offer.kind.replace("_", " ")))
        out.append(
            Decision(
                f"offer:{offer.kind}",
                f"Offer from {offer.sender}",
                f"{sender[0].upper() + sender[1:]} offers {what}. It lapses in "
                f"{month_name(model.label_of(offer.expires))} if you do not answer.",
                "Accepting creates ties (supply, technology, investment) that others read as taking a side.",
                (
                    keep("Leave it open for now"),
                    Choice("accept", "Accept", "malaysia_accept_offer", {"offer": offer.kind}),
                    Choice("decline", "Decline", "malaysia_decline_offer", {"offer": offer.kind}),
                ),
            )
        )
    return out


def _incentive(model: MagnetDiplomacyModel) -> Decision:
    """The incentive the government pays JS Link."""
    level = float(model.malaysia.incentive_level)
    options = [
        (
            x,
            Choice(
                f"level_{int(x * 100)}", f"Set it to {pct(x)} of the maximum", "malaysia_magnet_incentive", {"level": x}
            ),
        )
        for x in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    return set_level(
        "incentive",
        "Incentive for the magnet plant",
        f"The government pays {pct(level)} of the maximum incentive to JS Link.",
        "Paying part of JS Link's conversion cost makes Malaysian magnets cheaper, at a cost to the budget.",
        f"Keep it at {pct(level)}",
        level,
        options,
        0.005,
    )


def _policing(model: MagnetDiplomacyModel) -> Decision:
    """How much Malaysia spends policing illegal mining and ore smuggling."""
    spend = float(model.malaysia.development.enforcement_usd_m_yr)
    options = [
        (x, Choice(f"policing_{int(x)}", f"Spend US${x:,.0f} m a year", "malaysia_ore_policing", {"usd_m_yr": x}))
        for x in (0.0, 10.0, 25.0, 50.0, 100.0)
    ]
    return set_level(
        "policing",
        "Policing illegal mining and ore exports",
        f"Malaysia spends US${spend:,.0f} m a year policing illegal mining and smuggling.",
        "More policing keeps more ore at home for Malaysia's refiners, at a cost to the budget.",
        f"Keep it at US${spend:,.0f} m a year",
        spend,
        options,
        0.5,
    )


def _lean(model: MagnetDiplomacyModel) -> Decision:
    """How far Malaysia leans to either side."""
    lean = float(model.malaysia.player_lean if model.malaysia.player else model.malaysia.lean)
    leans = [
        (-1.0, "Side firmly with China"),
        (-0.5, "Lean towards China"),
        (-0.25, "Lean a little towards China"),
        (0.0, "Lean to neither side"),
        (0.25, "Lean a little towards the US"),
        (0.5, "Lean towards the US"),
        (1.0, "Side firmly with the US"),
    ]
    return set_level(
        "lean",
        "How far to lean",
        f"Malaysia's statements, votes and visits lean {_lean_words(lean)}.",
        "Gestures add up over time: each side rewards friends and pressures those who lean the other way.",
        "Keep the same line",
        lean,
        [(v, Choice(_lean_key(v), label, "malaysia_set_lean", {"lean": v})) for v, label in leans],
        LEAN_SHOWN_WITHIN,
    )


def _malaysia(model: MagnetDiplomacyModel) -> list[Decision]:
    return [_ore_ban(model), _policing(model), _licence(model), *_offers(model), _incentive(model), _lean(model)]


def _tariff_malaysia(model: MagnetDiplomacyModel) -> Decision:
    """The US tariff on Malaysian goods."""
    tick = model.tick
    rate = model.controls.tariff("United States", "Malaysia", tick)
    return set_level(
        "tariff_malaysia",
        "Tariff on Malaysian goods",
        f"The US tariff on Malaysia is {pct(rate)}.",
        "A tariff pressures Malaysia and makes its magnets dearer for US buyers.",
        f"Keep it at {pct(rate)}",
        rate,
        [
            (
                r,
                Choice(
                    f"rate_{int(r * 100)}", f"Set it to {pct(r)}", "us_set_tariff", {"target": "Malaysia", "rate": r}
                ),
            )
            for r in (0.0, 0.1, 0.19, 0.25, 0.4)
        ],
        0.005,
    )


def _tariff_china(model: MagnetDiplomacyModel) -> Decision:
    """The US tariff on Chinese goods."""
    tick = model.tick
    china_rate = model.controls.tariff("United States", "China", tick)
    return Decision(
        "tariff_china",
        "Tariff on Chinese goods",
        f"The US tariff on China is {pct(china_rate)}.",
        "Raising it hurts relations with China, which may answer with export controls.",
        (
            keep(f"Keep it at {pct(china_rate)}"),
            Choice("cut_10", "Cut it by 10 points", "us_set_tariff", {"target": "China", "change": -0.1}),
            Choice("raise_10", "Raise it by 10 points", "us_set_tariff", {"target": "China", "change": 0.1}),
            Choice("raise_25", "Raise it by 25 points", "us_set_tariff", {"target": "China", "change": 0.25}),
        ),
    )


def _floor(model: MagnetDiplomacyModel) -> Decision:
    """The US price floor for Lynas Malaysia's oxide."""
    tick = model.tick
    floored = model.controls.price_floor("Lynas Malaysia", tick) > 0
    if floored:
        status = "Lynas Malaysia's oxide already has the US price floor."
        choices: tuple[Choice, ...] = (keep(),)
    elif model.offers.has_open("us_floor"):
        status = "Your price-floor offer to Malaysia is waiting for an answer."
        choices = (
            keep("Wait for Malaysia's answer"),
            Choice("extend", "Extend the floor to Malaysian oxide anyway", "us_extend_price_floor_malaysia"),
        )
    else:
        status = "Malaysian oxide sells at market prices."
        choices = (
            keep(),
            Choice("offer", "Offer Malaysia the price floor (Malaysia decides)", "us_offer_price_floor"),
            Choice("extend", "Extend the floor to Malaysian oxide now", "us_extend_price_floor_malaysia"),
        )
    return Decision(
        "floor",
        "NdPr price floor for Lynas Malaysia",
        status,
        "A guaranteed minimum price for oxide, as the US gave MP Materials in 2025.",
        choices,
    )


def _offtake(model: MagnetDiplomacyModel) -> Decision:
    """US offtake and finance for JS Link."""
    if model.partnerships.has("US buyers", "JS Link", "supply"):
        return Decision("offtake", "Offtake for JS Link", "US buyers already take JS Link's magnets.", "", (keep(),))
    elif model.offers.has_open("us_offtake"):
        return Decision(
            "offtake", "Offtake for JS Link", "Your offtake offer is waiting for Malaysia's answer.", "", (keep(),)
        )
    else:
        return Decision(
            "offtake",
            "Offtake for JS Link",
            "JS Link sells its magnets on the open market.",
            "US buyers would take JS Link's magnets and finance a second line.",
            (keep(), Choice("offer", "Offer JS Link offtake and finance (Malaysia decides)", "us_offer_offtake")),
        )


def _exclusion(model: MagnetDiplomacyModel) -> Decision:
    """Malaysian material in US defence and subsidy-eligible supply chains."""
    excluded = model.controls.origin_rule(model.tick, "malaysia")
    action = "us_exclude_malaysia"
    return Decision(
        "exclusion",
        "Malaysia in US defence and subsidy chains",
        "Malaysian material is excluded." if excluded else "Malaysian material qualifies.",
        "Exclusion is the next step of pressure after tariffs: US defence buyers lose a supplier outside China, "
        "and Malaysian oxide loses any US price floor.",
        (
            keep("Keep it excluded") if excluded else keep("Keep it eligible"),
            Choice("readmit", "Readmit Malaysian material", action, {"on": False})
            if excluded
            else Choice("exclude", "Exclude Malaysian material", action, {"on": True}),
        ),
    )


def _united_states(model: MagnetDiplomacyModel) -> list[Decision]:
    return [_tariff_malaysia(model), _tariff_china(model), _floor(model), _offtake(model), _exclusion(model)]


def _export_controls(model: MagnetDiplomacyModel) -> Decision:
    """China's export controls on rare earths and magnets."""
    china = model.china
    level = int(china.escalation_level)
    rate = float(model.indicators.get("china_export_licence_rate", 1.0)) if model.indicators else 1.0
    words = ["no escalation", "first step", "second step", "the highest step"][max(0, min(3, level))]
    controls = [
        keep("Keep controls as they are"),
        Choice("escalate", "Escalate: tighter licences, suspended controls return", "china_escalate"),
    ]
    if level > 0:
        controls.append(Choice("truce", "Offer a truce: grant more licences", "us_china_truce"))
    controls.append(
        Choice("suspend_magnets", "Suspend all magnet and Dy/Tb export licences", "china_suspend_magnet_licences")
    )
    controls.append(
        Choice("lift_all", "Lift export licensing altogether", "china_lift_export_licensing", {"announcement": "all"})
    )
    return Decision(
        "controls",
        "Export controls",
        f"Escalation: {words}; {rate:.0%} of licence requests are granted.",
        "Controls squeeze supply outside China; they also push buyers to look elsewhere.",
        tuple(controls),
    )


def _licences_to_malaysia(model: MagnetDiplomacyModel) -> Decision:
    """China's export licences to Malaysia."""
    china = model.china
    if china.restricting_malaysia:
        return Decision(
            "malaysia",
            "Licences to Malaysia",
            "Licences to Malaysia are restricted.",
            "",
            (
                keep("Keep the restriction"),
                Choice("lift", "Lift the restriction on Malaysia", "china_lift_malaysia_restriction"),
            ),
        )
    else:
        return Decision(
            "malaysia",
            "Licences to Malaysia",
            "Malaysia gets licences like everyone else.",
            "Cutting Malaysia's licences punishes a tilt towards the US.",
            (
                keep(),
                Choice("restrict", "Cut Malaysia's licences to 30%", "china_restrict_malaysia", {"grant_rate": 0.3}),
                Choice(
                    "restrict_hard",
                    "Cut Malaysia's licences to 10%",
                    "china_restrict_malaysia",
                    {"grant_rate": 0.1},
                ),
            ),
        )


def _joint_venture(model: MagnetDiplomacyModel) -> Decision:
    """China's refinery joint venture with Malaysia."""
    if model.partnerships.has("China", "Malaysia", "investment"):
        return Decision("jv", "Refinery joint venture", "The joint venture with Malaysia is under way.", "", (keep(),))
    elif model.offers.has_open("china_jv"):
        return Decision("jv", "Refinery joint venture", "Your offer is waiting for Malaysia's answer.", "", (keep(),))
    else:
        return Decision(
            "jv",
            "Refinery joint venture",
            "No offer on the table.",
            "Chinese refining technology in exchange for access to Malaysian ore.",
            (keep(), Choice("offer", "Offer Malaysia a refinery joint venture", "china_offer_jv")),
        )


def _china(model: MagnetDiplomacyModel) -> list[Decision]:
    return [_export_controls(model), _licences_to_malaysia(model), _joint_venture(model)]


def _lean_key(value: float) -> str:
    """lean_us50, lean_china25, lean_none: keys that read well and survive as CSS class names."""
    if abs(value) < 1e-9:
        return "lean_none"
    return f"lean_{'us' if value > 0 else 'china'}{abs(round(value * 100))}"


# The status reads a lean in whole per cent and anything within 1% of zero as "to neither side"
# (see _lean_words): a choice that close to the current lean is the current lean.
LEAN_SHOWN_WITHIN = 0.01


def _lean_words(lean: float) -> str:
    if abs(lean) < LEAN_SHOWN_WITHIN:
        return "to neither side"
    side = "the US" if lean > 0 else "China"
    return f"{abs(lean):.0%} towards {side}"


BUILDERS = {
    "malaysia": _malaysia,
    "united_states": _united_states,
    "china": _china,
    "lynas": seat_menus_firms.lynas,
    "jslink": seat_menus_firms.jslink,
    "buyers": seat_menus_firms.buyers,
}
