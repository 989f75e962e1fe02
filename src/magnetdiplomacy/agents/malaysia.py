"""Malaysia: licences, the raw-ore ban, answers to offers from both sides, know-how, and how far to
lean. Its alignment is revealed by what it does (see :mod:`magnetdiplomacy.mechanisms.alignment`),
not chosen."""

from __future__ import annotations

import math

from ..mechanisms.accounts import TradeMemory
from ..mechanisms.alignment import (
    attribute,
    concession_fade,
    revealed_alignment,
    settle_line,
    update_alignment,
)
from ..mechanisms.controls import Control
from ..mechanisms.development import china_know_how_left, fund_learning
from ..mechanisms.economics import ladder_value, value_and_jobs
from ..mechanisms.offers import OFFER_KINDS, offer_named, offer_push, offer_rungs
from ..mechanisms.valuation import (
    Pressure,
    Valuation,
    best_stance,
    investment_usd,
    know_how_saving_usd_yr,
    value_offer,
)
from ..mechanisms.valuation import Prices as ValuePrices
from ..parameters import HedgingRule
from .malaysia_development import Development
from .malaysia_reviews import US_CLAUSE_TIE, Reviews

# Know-how from a technology tie, relative to a year of full magnet output.
TECH_TIE_LEARNING = 0.5
# Under China's technology-export ban, the joint venture passes on this share of the know-how.
JV_KNOW_HOW_UNDER_BAN = 0.5
# A tightened licence runs this many years.
TIGHT_LICENCE_YEARS = 3


def learning(
    capability: float, learning_per_year: float, magnet_utilisation: float, technology_ties: int, boost: float = 0.0
) -> float:
    """Next month's local know-how (0-1): learning by doing (raised by ``boost``, the talent
    programme) plus technology ties."""
    gain = learning_per_year / 12.0 * (magnet_utilisation * (1.0 + boost) + TECH_TIE_LEARNING * technology_ties)
    return min(1.0, capability + gain)


class Malaysia(Reviews):
    """Licences, the raw-ore ban, offers from both sides, know-how; alignment is revealed, not chosen."""

    name = "Malaysia"
    seat = "malaysia"

    def __init__(self, model) -> None:
        super().__init__(model)
        self.alignment = 0.0
        self.lean = 0.0
        self.player_lean = 0.0  # the lean a person chose, when Malaysia is played
        self.incentive_level = 0.0  # magnet-plant incentive, 0 (none) to 1 (most generous)
        self.revealed = 0.0
        self.capability = model.config.malaysia.capability_initial
        self.concessions = 0.0
        self.ties_and_trade = 0.0  # what ties and trade reveal (inside the tanh), as of last month
        self.jobs = 0.0
        self.direct_jobs = 0.0
        self.value_added_usd = 0.0
        self.export_revenue_usd = 0.0
        self.magnet_price_usd_kg = 0.0
        self.trade_memory = TradeMemory()  # the last year of rare-earth sales by bloc
        self.alignment_parts: dict[str, float] = {}  # each tie's, trade's and concessions' part of alignment
        self.moved: dict[str, float] = {}  # this month's change in alignment by source
        self.development = Development(model)

    # ---- instruments ------------------------------------------------------------------

    def set_licence(
        self,
        term_years=None,
        term_months=None,
        start=None,
        until=None,
        cracking_allowed_until=None,
        concentrate_import_ban_from=None,
    ) -> str:
        """Renew or amend Lynas Malaysia's licence; conditions not given carry over."""
        model = self.model
        controls = model.controls
        previous = controls.latest("plant_licence", model.tick, target="Lynas Malaysia")
        params = dict(previous.params) if previous else {}
        begin = model.tick_at(start) if start else model.tick
        end: int | None
        if until:
            end = model.tick_at(until)
        elif term_years or term_months:
            end = begin + int(round((term_years or 0) * 12 + (term_months or 0)))
        else:
            end = previous.end if previous else None
        if cracking_allowed_until:
            params["cracking_allowed_until"] = model.tick_at(cracking_allowed_until)
        if concentrate_import_ban_from:
            params["concentrate_import_ban_from"] = model.tick_at(concentrate_import_ban_from)
        if previous is not None and (previous.end is None or previous.end > begin):
            controls.end_control(previous, max(previous.start, begin))
        controls.add(
            Control(
                "plant_licence", self.name, "Lynas Malaysia", begin, end, params=params, label="Lynas operating licence"
            )
        )
        years = f"{(end - begin) / 12:.1f} years" if end is not None else "no end date"
        return f"Lynas licence from {model.label_of(begin)} ({years})"

    def revoke_licence(self) -> str:
        """Lynas Malaysia must stop now."""
        model = self.model
        model.controls.end("plant_licence", model.tick, target="Lynas Malaysia")
        return "Lynas Malaysia's licence revoked"

    def tighten_licence(self) -> str:
        """A shorter licence (three years from now) with no concentrate imports or cracking in Malaysia."""
        model = self.model
        if not model.licence.valid:
            return "No licence in force to tighten"
        now = model.label_of(model.tick)
        text = self.set_licence(
            term_years=TIGHT_LICENCE_YEARS, cracking_allowed_until=now, concentrate_import_ban_from=now
        )
        return text + "; no concentrate imports or cracking in Malaysia"

    def set_ore_ban(self, on: bool) -> str:
        """Ban raw rare-earth exports (``on``) or lift the ban. While the 2025 US agreement's clause
        against export restrictions is in force (E051), a new ban breaks its tie and lifting the
        ban renews it (the clause honoured)."""
        model = self.model
        banned = model.controls.raw_ore_ban(model.tick)
        clause = model.partnerships.has(*US_CLAUSE_TIE)
        if on and not banned:
            model.controls.add(
                Control("raw_ore_ban", self.name, "Raw rare-earth exports", model.tick, label="Raw-ore export ban")
            )
            if clause:
                model.break_tie(*US_CLAUSE_TIE)
                return "Raw rare-earth export ban in force, against the US agreement's clause"
            return "Raw rare-earth export ban in force"
        if not on:
            model.controls.end("raw_ore_ban", model.tick)
            if clause and banned:
                model.form_tie(*US_CLAUSE_TIE, note="Export-restriction clause honoured: raw-ore ban lifted")
                return "Raw rare-earth export ban lifted, honouring the US agreement's clause"
            return "Raw rare-earth export ban lifted"
        return "Raw rare-earth export ban stays"

    def set_incentive(self, level: float) -> None:
        """The magnet-plant incentive: the government pays a share of JS Link's conversion cost."""
        self.incentive_level = level

    def choose_lean(self, lean: float) -> None:
        """The lean a person playing Malaysia chose (-1 China, +1 US)."""
        self.player_lean = lean

    def concede(self, value: float) -> None:
        """A concession to one side (+ towards the US, - towards China)."""
        self.concessions += value

    def start_perak_pilot(self) -> None:
        """Perak's non-radioactive rare-earth pilot mine starts now."""
        self.model.chain.start_plant("perak_pilot", self.model.tick)

    def accept(self, offer_kind: str) -> str:
        """Take up an offer (whether or not one is pending): the ties and plants it brings are created."""
        model = self.model
        if offer_kind not in OFFER_KINDS:
            raise ValueError(f"unknown offer '{offer_kind}'")
        model.offers.close(offer_kind, "accepted")
        if offer_kind == "us_floor":
            return model.act("us_extend_price_floor_malaysia", source="agent")
        spec = OFFER_KINDS[offer_kind]
        for a, b, kind, note in spec.ties:
            model.form_tie(a, b, kind, note=note)
        if offer_kind == "china_jv":
            self._accept_jv()
        elif offer_kind == "australia_partnership":
            model.lynas.take_australian_partnership()
        return spec.accepted

    def _accept_jv(self) -> None:
        model = self.model
        cfg = model.config.china
        opening = model.tick + int(round(cfg.jv_build_months))
        refinery, mine = model.chain.plants["jv_refinery"], model.chain.plants["jv_mine"]
        if refinery.start > opening:
            refinery.open_at(opening, cfg.jv_capacity_t_yr)
            mine.open_at(opening, cfg.jv_feed_t_yr)
        share = JV_KNOW_HOW_UNDER_BAN if model.controls.tech_ban(model.tick) else 1.0
        gain = min(1.0 - self.capability, cfg.jv_capability_gain * share)
        self.capability += gain
        self.development.china_know_how += gain
        self.concessions += OFFER_KINDS["china_jv"].concession
        if model.controls.raw_ore_ban(model.tick):
            self.log("China", "export_ban", "Ore ban kept: the JV refines Malaysian ore in Malaysia")

    def decline(self, offer_kind: str) -> str:
        """Turn an open offer down."""
        self.model.offers.close(offer_kind, "declined")
        return f"Malaysia declines {offer_named(offer_kind)}"

    # ---- what the accounts reveal -----------------------------------------------------

    def record_economy(self, value_added_usd: float, direct_jobs: float, jobs: float, magnet_usd_kg: float) -> None:
        """This month's rare-earth value added and jobs, and the price JS Link's magnets fetched."""
        self.value_added_usd = value_added_usd
        self.magnet_price_usd_kg = magnet_usd_kg
        self.direct_jobs = direct_jobs
        self.jobs = jobs

    def reveal(self, tie_tilts: dict[str, float], trade: float, hedging: HedgingRule, first_month: bool) -> None:
        """Alignment moves a share ``hedging.inertia`` of the way to what Malaysia's ties, trade
        and concessions reveal (in the first month it starts there); :attr:`moved` says how much
        of the change each of them made (see :func:`~magnetdiplomacy.mechanisms.alignment.attribute`)."""
        revealed = revealed_alignment(
            sum(tie_tilts.values()),
            trade,
            self.concessions,
            hedging.ties_weight,
            hedging.trade_weight,
            hedging.concessions_weight,
        )
        contributions = {label: hedging.ties_weight * tilt for label, tilt in tie_tilts.items()}
        contributions["trade"] = hedging.trade_weight * trade
        self.ties_and_trade = sum(contributions.values())
        contributions["concessions"] = hedging.concessions_weight * self.concessions
        self.revealed = revealed
        self.alignment = revealed if first_month else update_alignment(self.alignment, revealed, hedging.inertia)
        self.alignment_parts, self.moved = attribute(
            self.alignment_parts, contributions, revealed, hedging.inertia, first_month
        )

    # ---- decisions --------------------------------------------------------------------

    def stance(self, push: float = 0.0, pressure: Pressure | None = None) -> tuple[float, float, float]:
        """Malaysia's best lean, the alignment it leads to over the stance horizon and its yearly
        value (US$), were its ties and trade to reveal ``push`` more, under ``pressure`` (default:
        :meth:`pressure_view`; see :func:`~magnetdiplomacy.mechanisms.valuation.best_stance`)."""
        hedging = self.model.config.malaysia.hedging
        intercept, slope = settle_line(
            self.ties_and_trade + push,
            self.concessions,
            hedging.lean_concessions_per_year,
            hedging.concession_half_life_years,
            hedging.concessions_weight,
            hedging.stance_horizon_months,
        )
        return best_stance(
            lambda lean: math.tanh(intercept + slope * lean),
            pressure or self.pressure_view(),
            hedging.neutrality_value_usd_m_yr * 1e6,
        )

    def step(self) -> None:
        model = self.model
        cfg = model.config.malaysia
        self.lean = self.player_lean if self.player else self.stance()[0]
        # A lean shows in gestures (statements, votes, visits) that add up as concessions; old
        # concessions fade with time.
        fade = concession_fade(cfg.hedging.concession_half_life_years)
        self.concessions = self.concessions * fade + cfg.hedging.lean_concessions_per_year / 12.0 * self.lean
        self._learn()
        if model.replaying or self.player:
            return
        self._answer_offers()
        self._licence_decision()
        if model.month == 1:
            self._review_ore_ban()
            text = self.development.review_enforcement(self.market_prices().ore)
            if text:
                self.log("Raw rare-earth exports", "export_ban", text)

    def _learn(self) -> None:
        """Know-how grows by doing (JS Link's output, more with the talent programme), from
        technology ties and the innovation fund's joint R&D with foreign makers in Malaysia; know-how
        from China stops being usable while China's technology ban binds. Local content and patents
        follow."""
        model = self.model
        cfg, development = model.config.malaysia, self.development
        know_how = model.config.development.know_how
        jslink = model.chain.plants["jslink_magnets"]
        doing = jslink.utilisation if jslink.capacity_t(model.tick) > 0 else 0.0
        banned = model.controls.tech_ban(model.tick)
        ties = model.partnerships.technology_ties(banned)
        before = self.capability
        self.capability = learning(before, cfg.learning_per_year, doing, ties, development.talent_boost())
        if not banned:
            chinese = model.partnerships.technology_ties(False) - model.partnerships.technology_ties(True)
            development.china_know_how += cfg.learning_per_year / 12.0 * TECH_TIE_LEARNING * chinese
        foreign = model.chain.plants["foreign_malaysia_magnets"].capacity_t(model.tick) > 0
        fund = fund_learning(development.fund_usd_m_yr(), know_how.fund_learning_per_usd_100m, foreign)
        left = china_know_how_left(development.china_know_how, know_how.china_know_how_decay_per_year, banned)
        lost, development.china_know_how = development.china_know_how - left, left
        self.capability = max(0.0, min(1.0, self.capability + fund - lost))
        development.follow_know_how(self.capability)

    def offer_value(self, kind: str) -> Valuation:
        """What accepting an offer is worth to Malaysia now, in US$ million of present value
        (see :mod:`magnetdiplomacy.mechanisms.valuation`), from today's prices and plants and the
        other sides' rules."""
        model = self.model
        config = model.config
        hedging = config.malaysia.hedging
        # the floor underwrites the expansion's oxide
        market = self.market_prices(config.us.price_floor_usd_kg if kind == "us_floor" else 0.0)
        rungs = offer_rungs(kind, config)
        weights = config.development.weights
        _, _, jobs = value_and_jobs(rungs, config)
        push = offer_push(kind, hedging.ties_weight, hedging.concessions_weight)
        pressure = self.pressure_view()
        return value_offer(
            rungs,
            jobs,
            market,
            pressure,
            self.stance(0.0, pressure)[1],
            self.stance(push, pressure)[1],
            delay_months=OFFER_KINDS[kind].delay_months(config),
            horizon_years=hedging.offer_horizon_years,
            discount_rate=hedging.discount_rate,
            job_value_usd_yr=hedging.job_value_usd_yr,
            neutrality_value_usd_yr=hedging.neutrality_value_usd_m_yr * 1e6,
            know_how_usd_yr=self.know_how_value_usd_yr(kind),
            export_weight=weights.export_weight,
            investment_usd=investment_usd(rungs, *self.development.capex_usd_per_t_yr()),
            investment_weight=weights.investment_weight,
        )

    def market_prices(self, oxide_floor_usd_kg: float = 0.0) -> ValuePrices:
        """Today's prices for Malaysia's output: oxide at the ex-China price (at least
        ``oxide_floor_usd_kg``), magnets at what JS Link fetched, the rest on the value ladder."""
        model = self.model
        config = model.config
        ladder = config.economics
        prices = model.market.traded or model.market.prices
        return ValuePrices(
            ore=ladder_value(ladder.ore_usd_kg, ladder.ladder_position),
            oxide=max(prices["ndpr_exchina"], oxide_floor_usd_kg),
            magnet=self.magnet_price_usd_kg or ladder_value(ladder.magnet_usd_kg, ladder.ladder_position),
            component=ladder_value(ladder.component_usd_kg, ladder.ladder_position),
            coproduct=config.market.coproduct_price_usd_kg,
        )

    def know_how_gain(self, kind: str) -> float:
        """Local know-how an offer brings: the joint venture's transfer (halved under China's
        technology-export ban) plus its technology ties' learning, averaged over the horizon."""
        model = self.model
        config = model.config
        banned = model.controls.tech_ban(model.tick)
        gain = 0.0
        if kind == "china_jv":
            gain += config.china.jv_capability_gain * (JV_KNOW_HOW_UNDER_BAN if banned else 1.0)
        sender_is_china = OFFER_KINDS[kind].sender == "China"
        tech_ties = sum(1 for tie in OFFER_KINDS[kind].ties if tie[2] == "technology")
        if tech_ties and not (sender_is_china and banned):
            years = config.malaysia.hedging.offer_horizon_years
            gain += tech_ties * TECH_TIE_LEARNING * config.malaysia.learning_per_year * years / 2.0
        return min(gain, 1.0 - self.capability)

    def know_how_value_usd_yr(self, kind: str) -> float:
        """Conversion cost the offer's know-how saves Malaysia's magnet plant a year."""
        model = self.model
        config = model.config
        jslink = model.chain.plants["jslink_magnets"]
        capacity = max(jslink.planned_t_yr(model.tick), model.chain.nameplate("jslink_magnets"))
        conversion = config.market.magnet_conversion_cost_usd_kg * jslink.cost_factor
        return know_how_saving_usd_yr(
            self.know_how_gain(kind), capacity, conversion, config.market.know_how_cost_penalty
        )

    def pressure_view(self) -> Pressure:
        """The other sides' rules as Malaysia reads them, and what they would cost it."""
        model = self.model
        config = model.config
        us = config.us
        withheld = 1.0 - config.china.retaliation_grant_rate
        return Pressure(
            current_tariff=model.controls.tariff("United States", "Malaysia", model.tick),
            tariff_max=us.tariff_max,
            tariff_floor=us.tariff_floor,
            pressure_threshold=us.pressure_threshold,
            reward_threshold=us.reward_threshold,
            exports_to_us_usd=config.malaysia.hedging.exports_to_us_usd_bn * 1e9,
            tariff_incidence=config.malaysia.hedging.tariff_incidence,
            retaliation_threshold=config.china.retaliation_threshold,
            value_at_risk_usd=12.0 * max(0.0, self.value_added_usd) * withheld,
            exclusion_usd=self.floor_support_usd_yr(),
        )

    def floor_support_usd_yr(self) -> float:
        """What a US price floor adds a year to Lynas Malaysia's oxide sales at today's price."""
        model = self.model
        floor = model.controls.price_floors(model.tick).get("Lynas Malaysia", 0.0)
        gap = max(0.0, floor - model.market.prices["ndpr_exchina"])
        return gap * 1000.0 * 12.0 * model.chain.plants["lynas_malaysia"].output_t

    def _answer_offers(self) -> None:
        model = self.model
        hedging = model.config.malaysia.hedging
        for offer in model.offers.open_for("Malaysia", model.tick):
            value = self.offer_value(offer.kind)
            noise = model.streams.gauss(f"malaysia.offer.{offer.kind}", 0.0, hedging.offer_noise_usd_m)
            net = value.net_usd_m + noise
            why = (
                f"US${net:+,.0f} m: value added {value.value_added_usd_m:+,.0f}, jobs {value.jobs_usd_m:+,.0f}, "
                f"pressure {-value.pressure_usd_m:+,.0f}, taking sides {-value.sides_usd_m:+,.0f}, "
                f"exports and investment targets {value.targets_usd_m:+,.0f}, "
                f"politics {noise:+,.0f}"
            )
            if net > 0:
                text = self.accept(offer.kind)
                model.log_event(self.name, offer.sender, "partnership", f"{text} ({why})", source="agent")
            else:
                model.offers.close(offer.kind, "declined")
                text = f"Malaysia declines {offer_named(offer.kind)} ({why})"
                model.log_event(self.name, offer.sender, "partnership", text, source="agent")
