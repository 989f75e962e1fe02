"""The decisions of the firms' and buyers' seats (Lynas, JS Link, the buyers' association), built
from the world as it stands; the states' are in :mod:`.seat_menus`."""

from __future__ import annotations

from collections.abc import Sequence

from ..agents.firms import EXPANSION_BUILD_MONTHS
from ..model import MagnetDiplomacyModel
from .choices import Choice, Decision, keep, pct
from .world import month_name


def set_level(
    key: str,
    title: str,
    now: str,
    why: str,
    kept: str,
    current: float,
    options: Sequence[tuple[float, Choice]],
    shown_within: float,
) -> Decision:
    """A decision that sets one level: keep the current one, or pick another of ``options`` (value,
    choice). An option within ``shown_within`` of the current level reads the same as it (the status
    rounds to that), so it is not offered."""
    return Decision(key, title, now, why, (keep(kept), *[c for v, c in options if abs(v - current) >= shown_within]))


def _feed_status(model: MagnetDiplomacyModel) -> str:
    """The feedstock contract between Lynas and JS Link, in words."""
    share = model.config.lynas.jslink_supply_share
    if model.partnerships.has("Lynas", "JS Link", "supply"):
        return f"Lynas sells JS Link {pct(share)} of its NdPr and Dy/Tb under contract."
    lynas, jslink = model.lynas, model.jslink
    if not lynas.supplies_jslink and not jslink.buys_from_lynas:
        return "Neither Lynas nor JS Link wants a feedstock contract: JS Link buys on the market."
    if not jslink.buys_from_lynas:
        return "JS Link buys its NdPr and Dy/Tb on the market, not from Lynas."
    if not lynas.supplies_jslink:
        return "Lynas sells all its oxide on the market; JS Link would take a contract."
    return "No feedstock contract runs (Kuantan has no valid licence)."


def _expansion(model: MagnetDiplomacyModel) -> Decision:
    """Where Lynas adds NdPr capacity: Kuantan, or beside Kalgoorlie in Australia (one project at a
    time at each)."""
    lynas, cfg = model.lynas, model.config.lynas
    licence = model.licence
    if not licence.valid:
        held = "Kuantan has no valid licence"
    elif licence.until is None:
        held = "Kuantan's licence is valid"
    else:  # a date, not years left: the dashboard's tile shows last month's years
        held = f"Kuantan's licence runs until {month_name(model.label_of(licence.until))}"
    status = f"Cash US${lynas.cash_usd_m:,.0f} m; {held}."
    extra = f"{cfg.expansion_t_yr:,.0f} t/yr of NdPr"
    choices: list[Choice] = [keep("Not now")]
    for abroad, where in ((False, "at Kuantan"), (True, "in Australia")):
        ready = (lynas.last_abroad if abroad else lynas.last_expansion) + EXPANSION_BUILD_MONTHS
        if lynas.under_way(abroad):
            status += f" An expansion {where} is being built (ready {month_name(model.label_of(ready))})."
    if not lynas.under_way() and model.licence.valid and lynas.cash_usd_m >= cfg.expansion_capex_usd_m:
        label = f"Expand Kuantan by {extra} (US${cfg.expansion_capex_usd_m:,.0f} m, ready in two years)"
        choices.append(Choice("expand", label, "lynas_expand"))
    if not lynas.under_way(abroad=True) and lynas.cash_usd_m >= cfg.abroad_expansion_capex_usd_m:
        label = (
            f"Build {extra} in Australia beside Kalgoorlie (US${cfg.abroad_expansion_capex_usd_m:,.0f} m, ready in "
            "two years; beyond Malaysia's licence)"
        )
        choices.append(Choice("abroad", label, "lynas_expand_abroad"))
    if len(choices) == 1:
        choices = [keep("Not possible now: a project is being built, or not enough cash or licence")]
    return Decision(
        "expand",
        "Add NdPr capacity",
        status,
        "More oxide outside China. Kuantan is cheaper and brings Malaysian jobs, but its licence can be "
        "shortened or revoked; Australia costs more and runs only while prices cover a new plant's cost. One "
        "project at a time at each site.",
        tuple(choices),
    )


def _sales(model: MagnetDiplomacyModel) -> Decision:
    """Lynas' feedstock contract with JS Link."""
    action = "lynas_supply_jslink"
    if model.partnerships.has("Lynas", "JS Link", "supply"):
        change = Choice("stop", "Sell all Kuantan's oxide on the open market instead", action, {"on": False})
    elif not model.lynas.supplies_jslink:
        change = Choice("supply", "Offer JS Link a feedstock contract (JS Link must want it too)", action, {"on": True})
    elif model.jslink.buys_from_lynas and model.licence.valid:
        change = Choice("supply", "Sign the feedstock contract with JS Link again", action, {"on": True})
    else:
        change = Choice("stop", "Withdraw the offer of a contract", action, {"on": False})
    return Decision(
        "jslink",
        "Sales to JS Link",
        _feed_status(model),
        "A contract sells part of Kuantan's output first and ties Lynas to Malaysia's magnet plant (a tie others "
        "read as Malaysia leaning to the US side); the open market pays the same price but is less sure.",
        (keep(), change),
    )


def lynas(model: MagnetDiplomacyModel) -> list[Decision]:
    """Lynas: where to add capacity, and whom to sell to."""
    return [_expansion(model), _sales(model)]


def _second_line(model: MagnetDiplomacyModel) -> Decision:
    """JS Link's second line, with its own cash, a partner's finance, or Korea's if it asks."""
    js = model.jslink
    plant = model.chain.plants["jslink_magnets"]
    started = model.tick >= plant.start
    status = (
        f"{'Running' if started else 'Starts ' + month_name(model.label_of(plant.start))}; cash "
        f"US${js.cash_usd_m:,.0f} m; {'a partner finances an expansion' if js.financed else 'no partner finance'}."
    )
    cfg = model.config.jslink
    capex = cfg.capex_usd_m * cfg.expansion_t_yr / cfg.capacity_t_yr
    if js.expanded:
        return Decision("expand", "Second magnet line", status, "", (keep("The second line is built or under way"),))
    choices: list[Choice] = [keep("Not now")]
    if js.financed or js.cash_usd_m >= capex:
        choices.append(Choice("expand", "Add a second magnet line (ready in two years)", "jslink_expand"))
    if not js.financed and _korea_may_be_asked(model):
        label = "Ask Korea to finance a second line (Korea makes Malaysia an offer; Malaysia decides)"
        choices.append(Choice("ask_korea", label, "jslink_seek_finance"))
    if len(choices) == 1:
        why = (
            "Korea's offer waits for Malaysia's answer" if model.offers.has_open("korea_partnership") else "no finance"
        )
        choices = [keep(f"Not possible now: {why} (needs a partner or US${capex:,.0f} m)")]
    return Decision(
        "expand",
        "Second magnet line",
        status,
        "Needs partner finance (US, Korean or Chinese) or enough cash of your own; whoever finances it is a tie "
        "others read.",
        tuple(choices),
    )


def _korea_may_be_asked(model: MagnetDiplomacyModel) -> bool:
    """May JS Link ask Korea for finance now (see :meth:`~magnetdiplomacy.agents.firms.JSLink.seek_finance`)?"""
    offers = model.offers
    return (
        not model.partnerships.has("Korea", "Malaysia", "investment")
        and not offers.has_open("korea_partnership")
        and offers.months_since("korea_partnership", model.tick) >= model.config.partners.ask_spacing_months
    )


def _feedstock(model: MagnetDiplomacyModel) -> Decision:
    """Where JS Link buys its NdPr and Dy/Tb."""
    if model.jslink.buys_from_lynas:
        change = Choice("market", "Buy on the open market instead", "jslink_buy_from_lynas", {"on": False})
    else:
        change = Choice(
            "lynas",
            "Take Lynas' feedstock under contract (Lynas must want it too)",
            "jslink_buy_from_lynas",
            {"on": True},
        )
    return Decision(
        "feed",
        "Feedstock for the magnets",
        _feed_status(model),
        "Lynas' contract covers most of your NdPr and Dy/Tb from outside China (audited supply that ESG-minded buyers "
        "prefer, and safe from China's licences); on the market your Dy/Tb comes mostly from China.",
        (keep(), change),
    )


def _technology(model: MagnetDiplomacyModel) -> Decision:
    """A licence of Japanese sintering know-how."""
    cfg = model.config.jslink
    if model.jslink.licensed:
        status = f"JS Link licenses Japanese sintering know-how (royalty {pct(cfg.technology_royalty_share)} of sales)."
        choices: tuple[Choice, ...] = (keep(),)
    else:
        status = "JS Link uses its own know-how, learnt by Malaysian staff on the job."
        label = (
            f"License sintering know-how from a Japanese maker (conversion cost -{pct(cfg.technology_cost_cut)}, "
            f"royalty {pct(cfg.technology_royalty_share)} of sales)"
        )
        choices = (keep(), Choice("license", label, "jslink_license_technology"))
    return Decision(
        "technology",
        "Magnet know-how",
        status,
        "Licensed know-how cuts cost (and so the price buyers see) and speeds up Malaysian learning; the royalty comes "
        "out of your margin, and a tie with a Japanese maker reads as a step towards the US side.",
        choices,
    )


def jslink(model: MagnetDiplomacyModel) -> list[Decision]:
    """JS Link: its second line and its finance, its feedstock, its know-how."""
    return [_second_line(model), _feedstock(model), _technology(model)]


def _security(model: MagnetDiplomacyModel) -> Decision:
    weight = float(model.buyer_population.security_multiplier) - 1.0
    levels = [
        (0.0, "Buy on price alone"),
        (0.25, "Weigh supply security a little more"),
        (0.5, "Weigh supply security half as much again"),
        (1.0, "Weigh supply security twice as much"),
    ]
    return set_level(
        "security",
        "How much buyers pay for secure supply",
        f"Buyers outside China weigh supply risk ×{1 + weight:.2f}.",
        "Paying for security moves orders away from China, at a higher price.",
        "No change",
        weight,
        [(v, Choice(f"level_{int(v * 100)}", label, "buyers_diversify", {"level": v})) for v, label in levels],
        0.005,
    )


def _esg(model: MagnetDiplomacyModel) -> Decision:
    premium = float(model.buyer_population.esg_premium)
    return set_level(
        "esg",
        "Premium for audited supply",
        f"Buyers who pay for responsible sourcing give audited non-China supply a premium of {pct(premium)} of price.",
        "A premium rewards makers whose rare earths are audited and from outside China (US makers, JS Link with "
        "Lynas' feedstock); it raises what buyers pay.",
        f"Keep it at {pct(premium)}",
        premium,
        [
            (x, Choice(f"esg_{int(x * 100)}", f"Pay a premium of {pct(x)}", "buyers_esg_premium", {"premium": x}))
            for x in (0.0, 0.05, 0.1, 0.2)
        ],
        0.005,
    )


def _contracts(model: MagnetDiplomacyModel) -> Decision:
    share = float(model.buyer_population.contract_share)
    return set_level(
        "contracts",
        "Long-term contracts outside China",
        f"Buyers outside China place {pct(share)} of their orders under long-term contracts with makers outside China.",
        "Contracts give makers outside China a sure order book to invest on (qualifying a supplier still takes "
        "time); their magnets cost more, and the more you commit the more prices rise.",
        f"Keep it at {pct(share)}",
        share,
        [
            (
                x,
                Choice(
                    f"contracts_{int(x * 100)}",
                    f"Contract {pct(x)} of orders" if x else "End the contracts",
                    "buyers_long_term_contracts",
                    {"share": x},
                ),
            )
            for x in (0.0, 0.1, 0.2, 0.3)
        ],
        0.005,
    )


def buyers(model: MagnetDiplomacyModel) -> list[Decision]:
    """The buyers' association: supply security, the premium for audited supply, long-term contracts."""
    return [_security(model), _esg(model), _contracts(model)]
