"""Firms: Lynas, JS Link and the other producers (MP Materials, Japanese and other magnet makers,
rest-of-world miners and separators, and new non-China projects).

Firms own plants (see :mod:`magnetdiplomacy.mechanisms.chain`). Monthly output is set by the
month's production and market rules from capacity, licences, feed and orders; a firm's ``step``
makes the slower decisions: expansions, relocation, offtake ties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..mechanisms.chain import NEVER, Plant
from ..mechanisms.development import sanction_hazard, site_margin_usd_kg
from ..mechanisms.offers import EXPANSION_BUILD_MONTHS, PARTNERSHIP_LEAD_MONTHS
from ..mechanisms.production import review_operations
from .base import Seated, invest_if_tight

if TYPE_CHECKING:  # pragma: no cover
    from ..model import MagnetDiplomacyModel

# Lynas expands Kuantan only with this many years of licence left, at this utilisation and at
# least this many months after its last expansion (and when the expected price covers the
# expansion's full cost, see :func:`expansion_full_cost`).
LYNAS_EXPANSION_RULE = {"licence_years": 5.0, "utilisation": 0.85, "spacing_months": 36}
# The ramp after an expansion's first output.
EXPANSION_RAMP_MONTHS = 12
RELOCATION_RAMP_MONTHS = 12
# JS Link's ramp: at 10 % local know-how it takes the configured months, faster with more.
JSLINK_RAMP_KNOW_HOW = (1.2, 1.1)
# JS Link expands after this many months in a row above this utilisation.
JSLINK_FULL = (0.9, 12)


def expansion_full_cost(cash_cost_usd_kg: float, capex_usd_m: float, t_yr: float, capital_recovery: float) -> float:
    """Full cost of new capacity (USD/kg): cash cost plus the yearly capital recovery on its capex
    spread over its annual output."""
    return cash_cost_usd_kg + capex_usd_m * 1e6 * capital_recovery / (t_yr * 1000.0) if t_yr > 0 else float("inf")


def lynas_may_expand(
    years_left: float,
    months_since_last: int,
    expected_price_usd_kg: float,
    full_cost_usd_kg: float,
    cash_usd_m: float,
    capex_usd_m: float,
    utilisation: float,
) -> bool:
    """Lynas' expansion rule: a long licence, an expected price above the expansion's full cost,
    cash, and a full plant."""
    rule = LYNAS_EXPANSION_RULE
    if years_left < rule["licence_years"] or months_since_last < rule["spacing_months"]:
        return False
    return not (
        expected_price_usd_kg < full_cost_usd_kg or cash_usd_m < capex_usd_m or utilisation < rule["utilisation"]
    )


def jslink_ramp_months(base_months: float, capability: float) -> float:
    """Months JS Link takes to reach nameplate at this level of local know-how."""
    offset, scale = JSLINK_RAMP_KNOW_HOW
    return base_months * (offset - capability) / scale


class Firm(Seated):
    """A producer owning one or more plants."""

    name = "firm"

    def __init__(self, model, name: str, plants: list[str]) -> None:
        super().__init__(model)
        self.name = name
        self.plant_names = plants
        self.cash_usd_m = 0.0

    @property
    def plants(self) -> list[Plant]:
        plants = self.model.chain.plants
        return [plants[name] for name in self.plant_names if name in plants]

    def step(self) -> None:
        """Market producers invest when their magnet plants run tight; separators mothball after
        sustained losses and restart when prices recover."""
        for plant in self.plants:
            if plant.stage == "magnet":
                invest_if_tight(self.model, plant)
        self.review_separation()

    def review_separation(self) -> None:
        """Mothball or restart this firm's separation plants at the NdPr price each expects."""
        model = self.model
        separators = [p for p in self.plants if p.stage == "separation" and (p.nameplate_t_yr > 0 or p.additions)]
        if not separators:
            return
        offers = model.ndpr_offers()
        for plant in separators:
            change = review_operations(plant, offers[plant.name], model.config.costs)
            if change:
                self.log(plant.name, "investment", change)


class Lynas(Firm):
    """Mt Weld, Kalgoorlie and Kuantan: output within its licence, expansion, relocation, offtake."""

    seat = "lynas"

    def __init__(self, model) -> None:
        super().__init__(model, "Lynas", ["mt_weld", "lynas_malaysia", "lynas_heavy", "lynas_relocated"])
        self.cash_usd_m = model.config.lynas.cash_initial_usd_m
        self.relocating_since: int | None = None
        self.last_expansion = -NEVER  # at Kuantan
        self.last_abroad = -NEVER
        self.raised_equity = False
        self.supplies_jslink = True  # willing to sell JS Link its feedstock under contract (the seat may stop)

    def step(self) -> None:
        model = self.model
        cfg = model.config.lynas
        kuantan = model.chain.plants["lynas_malaysia"]
        if not model.licence.valid:
            self._licence_lost()
        elif self.relocating_since is not None and kuantan.closed_from is not None:
            kuantan.reopen()
            self.log("Lynas Malaysia", "licence", "Licence restored: Kuantan restarts")
        if not self.raised_equity and model.tick >= model.tick_at(cfg.equity_raise):
            self.raised_equity = True
            self.cash_usd_m += cfg.equity_raise_usd_m
        self.review_separation()
        if model.replaying or self.player:
            return
        self._expand()
        self._offtake_with_jslink()

    def _licence_lost(self) -> None:
        model = self.model
        plant = model.chain.plants["lynas_malaysia"]
        capacity = plant.planned_t_yr(model.tick)
        if plant.closed_from is None:
            plant.close(model.tick)
            for partner in ("JS Link", "Kelantan MB Inc"):
                model.break_tie(self.name, partner, "supply")
            self.log("Lynas Malaysia", "licence", "No valid licence: Kuantan separation stops")
        if self.relocation_possible and self.relocating_since is None:
            self.relocating_since = model.tick
            relocated = model.chain.plants["lynas_relocated"]
            opening = model.tick + int(round(model.config.lynas.relocation_years * 12))
            if relocated.start < NEVER // 2:  # already built abroad by the seat: Kuantan's capacity joins it
                relocated.add_capacity(opening, capacity, RELOCATION_RAMP_MONTHS)
            else:
                relocated.open_at(opening, capacity, RELOCATION_RAMP_MONTHS)
            self.log(
                "Lynas",
                "investment",
                f"Lynas starts rebuilding separation outside Malaysia (online {model.label_of(opening)})",
            )

    @property
    def relocation_possible(self) -> bool:
        return self.cash_usd_m > 0

    def _expand(self) -> None:
        """Expand Kuantan when the licence is long, margins are fat, feed is there and cash allows."""
        model = self.model
        licence = model.licence
        if not licence.valid:
            return
        rule = LYNAS_EXPANSION_RULE
        if licence.years_left < rule["licence_years"] or model.tick - self.last_expansion < rule["spacing_months"]:
            return
        price = max(
            model.market.price_average("ndpr_exchina", 12), model.controls.price_floor("Lynas Malaysia", model.tick)
        )
        plant = model.chain.plants["lynas_malaysia"]
        cfg = model.config
        full_cost = expansion_full_cost(
            plant.cash_cost_usd_kg,
            cfg.lynas.expansion_capex_usd_m,
            cfg.lynas.expansion_t_yr,
            cfg.costs.capital_recovery,
        )
        if lynas_may_expand(
            licence.years_left,
            model.tick - self.last_expansion,
            price,
            full_cost,
            self.cash_usd_m,
            cfg.lynas.expansion_capex_usd_m,
            plant.utilisation,
        ):
            self.expand()

    def expand(self) -> str:
        """Add ``lynas.expansion_t_yr`` NdPr at Kuantan (with Mt Weld and Kalgoorlie) in two years, paid from cash."""
        model = self.model
        cfg = model.config.lynas
        if not model.licence.valid:
            return "Lynas cannot expand Kuantan without a valid licence"
        capex = cfg.expansion_capex_usd_m
        if self.cash_usd_m < capex:
            return f"Lynas lacks the cash to expand (USD {self.cash_usd_m:,.0f} m of {capex:,.0f} m)"
        extra = cfg.expansion_t_yr
        when = model.tick + EXPANSION_BUILD_MONTHS
        self.last_expansion = model.tick
        self.cash_usd_m -= capex
        model.chain.plants["lynas_malaysia"].add_capacity(when, extra, EXPANSION_RAMP_MONTHS)
        self._add_feed(when, extra)
        text = f"Lynas expands Kuantan by {extra:,.0f} t/yr NdPr (online {model.label_of(when)})"
        if not self.player:
            self.log("Lynas Malaysia", "investment", text)
        return text

    def _add_feed(self, when: int, ndpr_t_yr: float) -> None:
        """Mt Weld mining and Kalgoorlie cracking for ``ndpr_t_yr`` more NdPr from ``when``."""
        plants = self.model.chain.plants
        mine = plants["mt_weld"]
        mine.add_capacity(when, ndpr_t_yr / (mine.grade * self.model.config.separation.recovery), EXPANSION_RAMP_MONTHS)
        plants["kalgoorlie"].add_capacity(when, ndpr_t_yr, EXPANSION_RAMP_MONTHS)

    def under_way(self, abroad: bool = False) -> bool:
        """An expansion at Kuantan (or abroad) decided less than two years ago is still being built."""
        return self.model.tick - (self.last_abroad if abroad else self.last_expansion) < EXPANSION_BUILD_MONTHS

    def expand_abroad(self) -> str:
        """Add ``lynas.expansion_t_yr`` NdPr of separation outside Malaysia (the plant beside Kalgoorlie,
        with Mt Weld and cracking) in two years, paid from cash (``lynas.abroad_expansion_capex_usd_m``):
        out of reach of Malaysia's licence, at a new build's cost. The Lynas seat's choice only."""
        model = self.model
        capex = model.config.lynas.abroad_expansion_capex_usd_m
        if self.cash_usd_m < capex:
            return f"Lynas lacks the cash to build abroad (USD {self.cash_usd_m:,.0f} m of {capex:,.0f} m)"
        extra = model.config.lynas.expansion_t_yr
        when = model.tick + EXPANSION_BUILD_MONTHS
        self.last_abroad = model.tick
        self.cash_usd_m -= capex
        abroad = model.chain.plants["lynas_relocated"]
        if abroad.start < NEVER // 2:
            abroad.add_capacity(when, extra, EXPANSION_RAMP_MONTHS)
        else:  # the first separation Lynas builds outside Malaysia opens with this expansion
            abroad.open_at(when, extra, EXPANSION_RAMP_MONTHS)
        self._add_feed(when, extra)
        return f"Lynas builds {extra:,.0f} t/yr of NdPr separation in Australia (online {model.label_of(when)})"

    def supply_jslink(self, on: bool) -> str:
        """Offer (``on``) or stop selling JS Link its NdPr and Dy/Tb under contract; the contract
        runs while JS Link also wants it and Kuantan holds a licence (see :func:`feed_contract`)."""
        self.supplies_jslink = on
        return feed_contract(self.model)

    def take_australian_partnership(self) -> None:
        """More Kalgoorlie MREC for Kuantan and a larger heavy circuit, a year after the deal."""
        model = self.model
        cfg = model.config.partners
        when = model.tick + PARTNERSHIP_LEAD_MONTHS
        plants = model.chain.plants
        plants["kalgoorlie"].add_capacity(when, cfg.australia_mrec_t_yr, 12)
        heavy = plants["lynas_heavy"]
        heavy.add_capacity(when, model.chain.nameplate("lynas_heavy") * cfg.australia_heavy_share, 12)

    def _offtake_with_jslink(self) -> None:
        model = self.model
        jslink = model.chain.plants["jslink_magnets"]
        if (
            model.licence.valid
            and model.tick >= jslink.start - 12
            and not model.partnerships.has(self.name, "JS Link", "supply")
            and model.jslink.buys_from_lynas
        ):
            model.form_tie(self.name, "JS Link", "supply", note="Lynas supplies NdPr and Dy/Tb to JS Link")
            self.log("JS Link", "partnership", "Lynas and JS Link sign a feedstock offtake")

    def account(self) -> None:
        """Monthly cash: NdPr sales at the prices realised, minus the cash cost of what was made."""
        plants = self.model.chain.plants
        for name in ("lynas_malaysia", "lynas_relocated"):
            plant = plants[name]
            self.cash_usd_m += (plant.revenue_usd - plant.output_t * 1000.0 * plant.cash_cost_usd_kg) / 1e6


class JSLink(Firm):
    """The Kuantan magnet plant: ramp with Malaysia's know-how, feedstock, expansion with a partner."""

    seat = "jslink"

    def __init__(self, model) -> None:
        super().__init__(model, "JS Link", ["jslink_magnets"])
        self.expanded = False
        self.full_months = 0
        self.buys_from_lynas = True  # wants Lynas' feedstock under contract (the seat may buy on the market)
        self.licensed = False  # licenses Japanese know-how for a royalty on sales (the seat's choice)

    def step(self) -> None:
        model = self.model
        plant = model.chain.plants["jslink_magnets"]
        if model.tick < plant.start - 1:
            return  # the ramp matters from the month the plant opens: set it from the month before
        plant.set_ramp(jslink_ramp_months(model.config.jslink.ramp_months, model.malaysia.capability))
        if plant.capacity_t(model.tick) <= 0:
            return
        level, months = JSLINK_FULL
        self.full_months = self.full_months + 1 if plant.utilisation > level else 0
        cfg = model.config.jslink
        extra = cfg.expansion_t_yr
        capex = cfg.capex_usd_m * extra / cfg.capacity_t_yr
        ready = (
            not self.expanded
            and extra > 0
            and self.full_months >= months
            and (self.financed or self.cash_usd_m >= capex)
        )
        if ready and not model.replaying and not self.player:
            self.log("JS Link Kuantan plant", "investment", self.expand())

    @property
    def financed(self) -> bool:
        """A partner has committed to finance an expansion (US, Korean or Chinese investment)."""
        ties = self.model.partnerships
        return (
            ties.has("United States", "JS Link", "investment")
            or ties.has("Korea", "Malaysia", "investment")
            or ties.has("China", "Malaysia", "investment")
        )

    def expand(self) -> str:
        """Add a second line (jslink.expansion_t_yr) in two years, with partner finance or own cash."""
        model = self.model
        cfg = model.config.jslink
        extra = cfg.expansion_t_yr
        capex = cfg.capex_usd_m * extra / cfg.capacity_t_yr
        if self.expanded:
            return "JS Link has already added its second line"
        if not self.financed and self.cash_usd_m < capex:
            cash = f"cash USD {self.cash_usd_m:,.0f} m of {capex:,.0f} m"
            return f"JS Link lacks finance for a second line ({cash}, no partner)"
        self.expanded = True
        if not self.financed:
            self.cash_usd_m -= capex
        when = model.tick + EXPANSION_BUILD_MONTHS
        model.chain.plants["jslink_magnets"].add_capacity(when, extra, EXPANSION_RAMP_MONTHS)
        funding = "partner finance" if self.financed else "its own cash"
        return f"JS Link expands by {extra:,.0f} t/yr with {funding} (online {model.label_of(when)})"

    def buy_from_lynas(self, on: bool) -> str:
        """Take (``on``) or give up Lynas' feedstock under contract and buy on the market instead;
        the contract runs while Lynas also wants it (see :func:`feed_contract`)."""
        self.buys_from_lynas = on
        return feed_contract(self.model)

    def seek_finance(self) -> str:
        """Ask Korea, JS Link's home, to finance a second line: Korea makes Malaysia its offer of
        technology and finance (Malaysia decides), unless one is open, was made in the last
        ``partners.ask_spacing_months`` or was taken up."""
        model = self.model
        kind = model.korea.offer_kind
        if model.partnerships.has("Korea", "Malaysia", "investment"):
            return "Korean finance for a second line is already agreed"
        if model.offers.has_open(kind):
            return "Korea's offer is already waiting for Malaysia's answer"
        if model.offers.months_since(kind, model.tick) < model.config.partners.ask_spacing_months:
            return "Korea made Malaysia an offer less than a year ago"
        model.korea.offer()
        return "JS Link asks Korea for finance: Korea offers Malaysia technology and finance for a second line"

    def license_technology(self) -> str:
        """License sintering know-how from a Japanese magnet maker: conversion cost falls by
        ``jslink.technology_cost_cut`` at once, a royalty of ``jslink.technology_royalty_share`` of
        sales is paid, and the technology tie reaches Malaysia's know-how and its alignment."""
        model, cfg = self.model, self.model.config.jslink
        if self.licensed:
            return "JS Link already licenses Japanese know-how"
        self.licensed = True
        model.chain.plants["jslink_magnets"].cost_factor *= 1.0 - cfg.technology_cost_cut
        model.form_tie("Japanese magnet makers", "JS Link", "technology", note="Japanese know-how for JS Link")
        cut, royalty = cfg.technology_cost_cut, cfg.technology_royalty_share
        return (
            f"JS Link licenses Japanese sintering know-how: conversion cost -{cut:.0%}, royalty {royalty:.0%} of sales"
        )

    def delay(self, months: int) -> str:
        """The plant's opening slips ``months``."""
        plant = self.model.chain.plants["jslink_magnets"]
        plant.delay(months)
        return f"JS Link start moved to {self.model.label_of(plant.start)}"

    def account(self, sold_t: float, price_usd_kg: float, unit_cost_usd_kg: float) -> None:
        """Monthly cash from magnet sales, less any royalty on licensed know-how: the plant's own
        investment is financed separately."""
        if self.licensed:
            price_usd_kg *= 1.0 - self.model.config.jslink.technology_royalty_share
        self.cash_usd_m += sold_t * 1000.0 * (price_usd_kg - unit_cost_usd_kg) / 1e6


def feed_contract(model: MagnetDiplomacyModel) -> str:
    """Form or end Lynas' feedstock contract with JS Link: it runs while both want it and Kuantan
    holds a valid licence (a contract needs both sides)."""
    lynas, jslink = model.lynas, model.jslink
    tied = model.partnerships.has("Lynas", "JS Link", "supply")
    if lynas.supplies_jslink and jslink.buys_from_lynas:
        if tied:
            return "Lynas keeps supplying JS Link under contract"
        if not model.licence.valid:
            return "Lynas cannot supply JS Link without a valid licence for Kuantan"
        model.form_tie("Lynas", "JS Link", "supply", note="Lynas supplies NdPr and Dy/Tb to JS Link")
        return "Lynas and JS Link sign a feedstock contract"
    if tied:  # ended quietly: the action that ends it says so in the log
        model.partnerships.dissolve("Lynas", "JS Link", "supply", model.tick)
    who = "JS Link buys" if not jslink.buys_from_lynas else "Lynas sells"
    return f"{who} on the open market: no feedstock contract between Lynas and JS Link"


class ForeignMakers(Firm):
    """Japanese and Swiss magnet multinationals deciding where their next plant goes: Malaysia or home.

    Each January (once history is no longer replayed), when the ex-China magnet market pays for
    new capacity, they compare the expected margin of a plant in Malaysia (its costs with
    Malaysia's incentive, the US tariff on Malaysia on the part sold in the US, and the chance one
    side sanctions Malaysia) with a plant at home, and build ``development.foreign_makers.
    expansion_t_yr`` in Malaysia when Malaysia wins and covers the capital charge."""

    def __init__(self, model) -> None:
        super().__init__(model, "Foreign magnet makers in Malaysia", ["foreign_malaysia_magnets"])
        self.last_expansion = -NEVER

    def site_margins(self) -> tuple[float, float]:
        """Expected margin (USD/kg) of new capacity in Malaysia and at home (Japan)."""
        model = self.model
        plants = model.chain.plants
        malaysia, home = plants["foreign_malaysia_magnets"], plants["japan_magnets"]
        price = model.market.margins["exchina"] * model.magnet_unit_cost(home) + model.magnet_unit_cost(home)
        by_region = model.buyer_population.demand_by_region()
        us_share = by_region["united_states"] / max(sum(v for k, v in by_region.items() if k != "china"), 1e-9)
        cfg = model.config
        hazard = sanction_hazard(
            model.malaysia.alignment,
            cfg.china.retaliation_threshold,
            cfg.us.pressure_threshold,
            cfg.development.foreign_makers.stability_band,
            model.china.restricting_malaysia,
            model.controls.origin_rule(model.tick, "malaysia"),
        )
        tariff = model.controls.tariff("United States", "Malaysia", model.tick)
        risk = cfg.development.foreign_makers.site_risk_share
        return (
            site_margin_usd_kg(price, model.magnet_unit_cost(malaysia), us_share, tariff, hazard, risk),
            site_margin_usd_kg(price, model.magnet_unit_cost(home), us_share, 0.0, 0.0, risk),
        )

    def step(self) -> None:
        model = self.model
        cfg = model.config.development.foreign_makers
        if model.month != 1 or model.replaying or cfg.expansion_t_yr <= 0:
            return
        if model.tick - self.last_expansion < cfg.spacing_months:
            return
        in_malaysia, at_home = self.site_margins()
        charge = model.config.magnets.capital_charge_usd_kg
        if in_malaysia < charge or in_malaysia < at_home:
            return
        lead = int(round(model.config.magnets.capacity_lead_months))
        model.chain.plants["foreign_malaysia_magnets"].add_capacity(model.tick + lead, cfg.expansion_t_yr, 12)
        self.last_expansion = model.tick
        text = (
            f"Foreign magnet makers build {cfg.expansion_t_yr:,.0f} t/yr in Malaysia from "
            f"{model.label_of(model.tick + lead)} (expected margin US${in_malaysia:,.1f}/kg against "
            f"US${at_home:,.1f}/kg at home)"
        )
        self.log("Malaysia", "investment", text)


class NewProjects(Firm):
    """New non-China mines and separation, started when the ex-China price stays high."""

    def __init__(self, model) -> None:
        super().__init__(model, "New non-China projects", ["new_mines", "new_separation"])

    def step(self) -> None:
        """Once a year, new mine-and-separation projects start when the past year's ex-China price
        (or a floor they would hold) reached the price new supply needs; they produce after the lead time."""
        model = self.model
        self.review_separation()
        cfg = model.config.mines
        if model.month != 1 or model.tick == 0:
            return
        if model.market.price_average("ndpr_exchina", 12) < model.config.costs.new_supply_incentive_usd_kg:
            return
        lag = int(round(cfg.new_supply_lag_years * 12)) + (12 if model.controls.equipment_control(model.tick) else 0)
        extra_ndpr = cfg.new_supply_share_per_year * model.market.world_oxide_t_yr
        if extra_ndpr <= 0:
            return
        plants = model.chain.plants
        separation, mine = plants["new_separation"], plants["new_mines"]
        separation.add_capacity(model.tick + lag, extra_ndpr, 24)
        mine.add_capacity(model.tick + lag, extra_ndpr / (mine.grade * model.config.separation.recovery), 24)
        when = model.label_of(model.tick + lag)
        text = f"New non-China mine and separation projects: +{extra_ndpr:,.0f} t/yr NdPr from {when}"
        self.log("World", "investment", text)
