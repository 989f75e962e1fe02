"""The three states: United States, China and Malaysia.

Each ``step`` is a short list of decisions. While the events replay covers a policy domain the
state leaves it to history; afterwards it decides by the rules documented in docs/ODD.md. All
changes go through the model's actions (:mod:`magnetdiplomacy.interventions`) or controls, so they
appear in the event log.
"""

from __future__ import annotations

import math

import mesa

from ..interventions import apply_action
from ..mechanisms.alignment import Pulls, best_lean, offer_utility
from ..mechanisms.controls import Control
from ..mechanisms.partnerships import TIE_WEIGHTS


class State(mesa.Agent):
    """A state actor with a name and a seat a person can take (``controllers.<seat>: player``)."""

    name = "state"
    seat = ""

    @property
    def player(self) -> bool:
        """True when a person, not this agent's rule, makes its discretionary decisions."""
        return bool(self.seat) and self.model.player_controls(self.seat)

    def chance(self, rate_per_year: float) -> bool:
        """A random event with the given yearly rate happens this month."""
        return self.model.random.random() < 1.0 - math.exp(-rate_per_year / 12.0)


class UnitedStates(State):
    """Tariffs, price floors, sourcing rules and offers to Malaysia."""

    name = "United States"
    seat = "united_states"

    def __init__(self, model) -> None:
        super().__init__(model)
        cfg = model.config.us
        self.last_tariff_review = -12
        self.china_level_seen = 0
        model.controls.add(Control("tariff", self.name, "Malaysia", -(10**6), params={"rate": cfg.tariff_malaysia_initial}, label="2020 tariff", source="us.tariff_malaysia_initial"))
        model.controls.add(Control("tariff", self.name, "China", -(10**6), params={"rate": cfg.tariff_china_initial}, label="2020 tariff", source="us.tariff_china_initial"))

    # ---- instruments ------------------------------------------------------------------

    def set_tariff(self, target: str, rate: float) -> None:
        model = self.model
        before = model.controls.tariff(self.name, target, model.tick)
        model.controls.add(Control("tariff", self.name, target, model.tick, params={"rate": rate}, label=f"US tariff on {target}"))
        if target == "China" and rate > before:
            model.china.shock_relations(-2.0 * (rate - before))

    def grant_floor(self, beneficiary: str, floor: float | None, years: float | None) -> str:
        model = self.model
        cfg = model.config.us
        floor = cfg.price_floor_usd_kg if floor is None else floor
        years = cfg.price_floor_years if years is None else years
        model.controls.add(Control("price_floor", self.name, beneficiary, model.tick, model.tick + int(round(years * 12)), params={"floor_usd_kg": floor}, label=f"NdPr floor for {beneficiary}"))
        return f"NdPr price floor of {floor:.0f} USD/kg for {beneficiary} for {years:g} years"

    # ---- decisions --------------------------------------------------------------------

    def step(self) -> None:
        model = self.model
        if model.replaying or self.player:
            return
        self._review_tariffs()
        self._make_offers()

    def _review_tariffs(self) -> None:
        """Every six months: pressure Malaysia if it leans to China, reward it if it leans to the US;
        answer a Chinese escalation with a tariff rise on China."""
        model = self.model
        cfg = model.config.us
        china_level = model.china.escalation_level
        if china_level > self.china_level_seen:
            current = model.controls.tariff(self.name, "China", model.tick)
            apply_action(model, "us_set_tariff", {"target": "China", "rate": min(2.0, current + cfg.counter_leverage_step)}, source="agent", description="Counter-leverage after China's escalation")
        self.china_level_seen = china_level
        if model.tick - self.last_tariff_review < 6:
            return
        self.last_tariff_review = model.tick
        alignment = model.malaysia.alignment
        current = model.controls.tariff(self.name, "Malaysia", model.tick)
        if alignment < cfg.pressure_threshold and current < cfg.tariff_max:
            rate = min(cfg.tariff_max, current + cfg.tariff_step)
            apply_action(model, "us_set_tariff", {"target": "Malaysia", "rate": rate}, source="agent", description=f"Pressure: Malaysia leans to China (alignment {alignment:+.2f}); tariff {rate:.0%}")
        elif alignment > cfg.reward_threshold and current > cfg.tariff_floor:
            rate = max(cfg.tariff_floor, current - cfg.tariff_step)
            apply_action(model, "us_set_tariff", {"target": "Malaysia", "rate": rate}, source="agent", description=f"Reward: Malaysia leans to the US (alignment {alignment:+.2f}); tariff {rate:.0%}")

    def _make_offers(self) -> None:
        model = self.model
        cfg = model.config.us
        malaysia = model.malaysia
        if malaysia.alignment >= 0.0 and malaysia.lean >= 0.0 and not model.controls.price_floor("Lynas Malaysia", model.tick) and not model.has_offer("us_floor") and model.months_since_offer("us_floor") >= 24 and model.licence.valid and self.chance(cfg.floor_offer_rate_per_year):
            apply_action(model, "us_offer_price_floor", source="agent")
        jslink = model.plants["jslink_magnets"]
        near_start = model.tick >= jslink.start - 12
        if near_start and malaysia.alignment >= -0.1 and not model.partnerships.has("US buyers", "JS Link", "supply") and not model.has_offer("us_offtake") and model.months_since_offer("us_offtake") >= 24 and self.chance(cfg.offtake_offer_rate_per_year):
            apply_action(model, "us_offer_offtake", source="agent")


class China(State):
    """Quotas, export licensing, technology bans, relations with the US, offers to Malaysia."""

    name = "China"
    seat = "china"
    RELATIONS_NORMAL = -0.1

    def __init__(self, model) -> None:
        super().__init__(model)
        cfg = model.config
        self.mining_quota_t_yr = model.balanced_china_quota() if cfg.mines.china_quota_balanced else cfg.mines.china_quota_t_yr
        self.separation_quota_t_yr = self.mining_quota_t_yr * cfg.china.separation_to_mining_quota
        self.scripted_quota_years: set[int] = set()
        self.relations_us = self.RELATIONS_NORMAL
        self.escalation_level = 0
        self.imports_under_quota = False
        self.suspension_ends: int | None = None
        self.restricting_malaysia = False

    # ---- instruments ------------------------------------------------------------------

    def set_quota(self, mining_t: float, separation_t: float | None, scripted: bool = False) -> None:
        self.mining_quota_t_yr = mining_t
        ratio = self.model.config.china.separation_to_mining_quota
        self.separation_quota_t_yr = separation_t if separation_t is not None else mining_t * ratio
        if scripted:
            self.scripted_quota_years.add(self.model.year)

    def shock_relations(self, change: float) -> None:
        self.relations_us = max(-1.0, min(1.0, self.relations_us + change))

    def truce(self, grant_rate: float) -> None:
        """Relations improve; licensing regimes stay but grant more."""
        model = self.model
        for control in model.controls.in_force("export_licensing", model.tick):
            if control.target == "World" and control.params.get("grant_rate", 1.0) < grant_rate:
                control.params["grant_rate"] = grant_rate
        self.shock_relations(0.5)
        self.escalation_level = max(0, self.escalation_level - 1)

    def escalate(self, grant_rate: float | None = None) -> str:
        """One step up: licensing of Dy/Tb and magnets, then suspended controls return, then NdPr too."""
        model = self.model
        rate = model.config.china.licence_grant_rate if grant_rate is None else grant_rate
        tick = model.tick
        revived = [c for c in model.controls.controls if c.suspended_until is not None and c.suspended_until > tick and (c.end is None or c.end > tick)]
        for control in revived:
            control.suspended_until = tick
        licensing = [c for c in model.controls.in_force("export_licensing", tick) if c.target == "World"]
        for control in licensing:
            control.params["grant_rate"] = min(control.params.get("grant_rate", 1.0), rate)
            control.params.pop("destinations", None)
        steps = []
        if revived:
            steps.append(f"{len(revived)} suspended controls back in force")
        if not any(c.covers("magnet_heavy") for c in licensing):
            model.controls.add(Control("export_licensing", self.name, "World", tick, params={"announcement": "escalation", "elements": ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"], "products": ["metals", "oxides", "alloys", "compounds", "magnets"], "grant_rate": rate, "delay_months": model.config.china.licence_delay_months}, label="Escalation: Dy/Tb and magnet licensing"))
            steps.append("Dy/Tb and magnet licensing")
        elif self.escalation_level >= 1 and not any(c.covers("ndpr") for c in licensing):
            model.controls.add(Control("export_licensing", self.name, "World", tick, params={"announcement": "escalation-ndpr", "elements": ["Nd", "Pr"], "products": ["metals", "oxides", "alloys", "compounds", "magnets"], "grant_rate": rate, "delay_months": model.config.china.licence_delay_months}, label="Escalation: NdPr licensing"))
            steps.append("NdPr licensing")
        self.escalation_level = min(3, self.escalation_level + 1)
        self.shock_relations(-0.2)
        return "Escalation: " + (", ".join(steps) or "tighter grants") + f"; grant rate {rate:.0%}"

    # ---- decisions --------------------------------------------------------------------

    def step(self) -> None:
        model = self.model
        cfg = model.config.china
        if model.month == 1 and model.year not in self.scripted_quota_years and model.tick > 0:
            self._set_quota_from_market()
        self.relations_us += cfg.relations_recovery * (self.RELATIONS_NORMAL - self.relations_us) + model.random.gauss(0.0, 0.02)
        self.relations_us = max(-1.0, min(1.0, self.relations_us))
        self._invest_in_magnets()
        if model.replaying or self.player:
            return
        self._export_controls()
        self._malaysia_policy()

    def _set_quota_from_market(self) -> None:
        """Quotas grow with the NdPr China's market takes up, a little faster when its price is high.

        Quotas rise by at most 30% and fall by at most 10% a year (published quotas only grew in
        2017-2024, C062-C073, while China's offtake grew too). Once imported ore counts against the separation quota, the separation quota makes room for
        what the ore-exporting mines can ship.
        """
        model = self.model
        cfg = model.config.china
        price_ratio = model.price_average("ndpr_china", 12) / model.config.market.ndpr_price_usd_kg
        offtake = model.china_offtake_growth()
        growth = max(-0.1, min(0.3, offtake + cfg.quota_price_response * (price_ratio - 1.0)))
        mining = self.mining_quota_t_yr * (1.0 + growth)
        separation = mining * cfg.separation_to_mining_quota + (model.import_capacity_t_yr() if self.imports_under_quota else 0.0)
        apply_action(model, "china_set_quota", {"mining_t": mining, "separation_t": separation}, source="agent", description=f"Quota for {model.year}: {growth:+.1%} (NdPr offtake {offtake:+.1%}, price x{price_ratio:.2f} of 2020)")
        self.scripted_quota_years.discard(model.year)

    def _invest_in_magnets(self) -> None:
        self.model.invest_if_tight(self.model.plants["china_magnets"])

    def _export_controls(self) -> None:
        model = self.model
        cfg = model.config.china
        tick = model.tick
        if self.suspension_ends is not None and tick == self.suspension_ends:
            if self.relations_us >= self.RELATIONS_NORMAL:
                until = model.label_of(tick + 12)
                suspended = {str(c.params.get("announcement")) for c in model.controls.controls if c.suspended_until == tick}
                if suspended:
                    apply_action(model, "china_suspend_controls", {"announcements": sorted(suspended), "until": until}, source="agent", description=f"Truce holds: suspension extended to {until}")
            else:
                model.log_event(self.name, "World", "export_control", "Suspension lapses: suspended controls return", source="agent")
                self.escalation_level = max(self.escalation_level, 2)
        hostility = max(0.0, -self.relations_us)
        if self.escalation_level < 3 and model.random.random() < cfg.escalation_propensity * hostility:
            apply_action(model, "china_escalate", source="agent")
        elif self.escalation_level > 0 and model.random.random() < cfg.relations_recovery * max(0.0, self.relations_us - self.RELATIONS_NORMAL):
            apply_action(model, "us_china_truce", source="agent", description="China eases: more licences granted")

    def _malaysia_policy(self) -> None:
        model = self.model
        cfg = model.config.china
        alignment = model.malaysia.alignment
        if alignment > cfg.retaliation_threshold and not self.restricting_malaysia:
            apply_action(model, "china_restrict_malaysia", source="agent", description=f"Retaliation: Malaysia leans to the US (alignment {alignment:+.2f})")
        elif self.restricting_malaysia and alignment < cfg.retaliation_threshold - 0.15:
            apply_action(model, "china_lift_malaysia_restriction", source="agent")
        has_jv = model.partnerships.has("China", "Malaysia", "investment")
        if not has_jv and alignment < 0.2 and not model.has_offer("china_jv") and model.months_since_offer("china_jv") >= 24 and self.chance(cfg.jv_offer_rate_per_year):
            apply_action(model, "china_offer_jv", source="agent")


class Malaysia(State):
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
        self.pulls = Pulls(0.0, 0.0, 0.0, 0.0)
        self.jobs = 0.0
        self.direct_jobs = 0.0
        self.value_added_usd = 0.0
        self.export_revenue_usd = 0.0
        self.decisions: dict[str, str] = {}

    # ---- instruments ------------------------------------------------------------------

    def set_licence(self, term_years=None, term_months=None, start=None, until=None, cracking_allowed_until=None, concentrate_import_ban_from=None) -> str:
        """Renew or amend Lynas Malaysia's licence; conditions not given carry over."""
        model = self.model
        previous = model.controls.latest("plant_licence", model.tick, target="Lynas Malaysia")
        params = dict(previous.params) if previous else {}
        begin = model.tick_at(start) if start else model.tick
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
            previous.end = max(previous.start, begin)
        model.controls.add(Control("plant_licence", self.name, "Lynas Malaysia", begin, end, params=params, label="Lynas operating licence"))
        years = f"{(end - begin) / 12:.1f} years" if end is not None else "no end date"
        return f"Lynas licence from {model.label_of(begin)} ({years})"

    def revoke_licence(self) -> str:
        model = self.model
        model.controls.end("plant_licence", model.tick, target="Lynas Malaysia")
        return "Lynas Malaysia's licence revoked"

    def set_ore_ban(self, on: bool) -> str:
        model = self.model
        if on and not model.controls.raw_ore_ban(model.tick):
            model.controls.add(Control("raw_ore_ban", self.name, "Raw rare-earth exports", model.tick, label="Raw-ore export ban"))
            return "Raw rare-earth export ban in force"
        if not on:
            model.controls.end("raw_ore_ban", model.tick)
            return "Raw rare-earth export ban lifted"
        return "Raw rare-earth export ban stays"

    def accept(self, offer_kind: str) -> str:
        """Take up an offer (whether or not one is pending): the ties and plants it brings are created."""
        model = self.model
        model.close_offer(offer_kind, "accepted")
        if offer_kind == "china_jv":
            model.form_tie("China", "Malaysia", "investment", note="Refinery joint venture")
            model.form_tie("China Rare Earth Group", "Khazanah Nasional", "technology", note="Separation technology for the JV")
            model.build_jv_refinery()
            # Under China's technology-export ban the joint venture passes on half the know-how.
            gain = model.config.china.jv_capability_gain * (0.5 if model.controls.tech_ban(model.tick) else 1.0)
            self.capability = min(1.0, self.capability + gain)
            self.concessions -= 0.1
            if model.controls.raw_ore_ban(model.tick):
                model.log_event(self.name, "China", "export_ban", "Ore ban kept: the JV refines Malaysian ore in Malaysia", source="agent")
            return "Malaysia accepts a Chinese refinery joint venture"
        if offer_kind == "us_floor":
            return apply_action(model, "us_extend_price_floor_malaysia", source="agent")
        if offer_kind == "us_offtake":
            model.form_tie("US buyers", "JS Link", "supply", note="US offtake of JS Link magnets")
            model.form_tie("United States", "JS Link", "investment", note="US finance for a JS Link expansion")
            return "Malaysia accepts US offtake and finance for JS Link"
        if offer_kind == "korea_partnership":
            model.form_tie("Korea", "JS Link", "technology", note="Korean magnet technology for JS Link")
            model.form_tie("Korea", "Malaysia", "investment", note="Korean finance for a second JS Link line")
            return "Malaysia accepts Korea's technology and investment package for JS Link"
        if offer_kind == "australia_partnership":
            model.form_tie("Australia", "Malaysia", "supply", note="Australian MREC feed and heavy rare-earth co-investment at Kuantan")
            model.strengthen_lynas_with_australia()
            return "Malaysia accepts Australia's critical-minerals partnership"
        raise ValueError(f"unknown offer '{offer_kind}'")

    def decline(self, offer_kind: str) -> str:
        """Turn an open offer down."""
        self.model.close_offer(offer_kind, "declined")
        return f"Malaysia declines the {offer_kind.replace('_', ' ')} offer"

    def tighten_licence(self) -> str:
        """A shorter licence (three years from now) with no concentrate imports or cracking in Malaysia."""
        model = self.model
        if not model.licence.valid:
            return "No licence in force to tighten"
        now = model.label_of(model.tick)
        return self.set_licence(term_years=3, cracking_allowed_until=now, concentrate_import_ban_from=now) + "; no concentrate imports or cracking in Malaysia"

    # ---- decisions --------------------------------------------------------------------

    def step(self) -> None:
        model = self.model
        cfg = model.config.malaysia
        self.pulls = model.hedging_pulls()
        advised = best_lean(self.pulls, cfg.hedging.neutrality_cost, cfg.hedging.exposure_weight)
        self.lean = self.player_lean if self.player else advised
        # A lean shows in gestures (statements, votes, visits) that add up as concessions; old
        # concessions fade with time.
        fade = 0.5 ** (1.0 / (12.0 * cfg.hedging.concession_half_life_years))
        self.concessions = self.concessions * fade + cfg.hedging.lean_concessions_per_year / 12.0 * self.lean
        # Know-how grows by doing (magnet output) and from technology ties.
        jslink = model.plants["jslink_magnets"]
        doing = jslink.utilisation if jslink.capacity_t(model.tick) > 0 else 0.0
        self.capability = min(1.0, self.capability + cfg.learning_per_year / 12.0 * (doing + 0.5 * model.technology_ties()))
        if model.replaying or self.player:
            return
        self._answer_offers()
        self._licence_decision()

    def offer_shift(self, offer_kind: str) -> float:
        """How far accepting an offer would move revealed alignment (tie weight times bloc, through tanh)."""
        cfg = self.model.config.malaysia.hedging
        raw = {"china_jv": -(TIE_WEIGHTS["investment"] + TIE_WEIGHTS["technology"]) * cfg.ties_weight - 0.1 * cfg.concessions_weight,
               "us_floor": TIE_WEIGHTS["supply"] * cfg.ties_weight,
               "us_offtake": TIE_WEIGHTS["supply"] * cfg.ties_weight,
               "korea_partnership": 0.5 * (TIE_WEIGHTS["technology"] + TIE_WEIGHTS["investment"]) * cfg.ties_weight,
               "australia_partnership": 0.5 * TIE_WEIGHTS["supply"] * cfg.ties_weight}[offer_kind]
        return raw * (1.0 - self.revealed**2)

    def _answer_offers(self) -> None:
        model = self.model
        hedging = model.config.malaysia.hedging
        for offer in model.open_offers("Malaysia"):
            value = hedging.economic_weight * model.offer_value(offer.kind)
            shift = self.offer_shift(offer.kind)
            noise = model.random.gauss(0.0, hedging.offer_noise)
            utility = offer_utility(value, self.alignment, shift, self.pulls, hedging.neutrality_cost, hedging.exposure_weight, noise)
            if utility > 0:
                text = self.accept(offer.kind)
                model.log_event(self.name, offer.sender, "partnership", f"{text} (utility {utility:+.2f})", source="agent")
            else:
                model.close_offer(offer.kind, "declined")
                model.log_event(self.name, offer.sender, "partnership", f"Malaysia declines the {offer.kind.replace('_', ' ')} offer (utility {utility:+.2f})", source="agent")

    def _licence_decision(self) -> None:
        """When Lynas' licence is about to lapse: renew long, renew short with tighter terms, or let it go."""
        model = self.model
        cfg = model.config.malaysia
        licence = model.licence
        if not licence.valid or licence.until is None or model.tick != licence.until - 1:
            return
        pressure = model.random.gauss(cfg.licence_pressure_mean, cfg.licence_pressure_sd)
        utility = model.offer_value("lynas_licence") - pressure
        if utility > 0.25:
            apply_action(model, "malaysia_lynas_licence", {"term_years": 10, "start": model.label_of(licence.until)}, source="agent", description=f"Lynas licence renewed for 10 years (utility {utility:+.2f})")
        elif utility > 0:
            apply_action(model, "malaysia_lynas_licence", {"term_years": 3, "start": model.label_of(licence.until)}, source="agent", description=f"Lynas licence renewed for 3 years only, conditions kept (utility {utility:+.2f})")
        else:
            model.log_event(self.name, "Lynas Malaysia", "licence", f"Malaysia lets Lynas' licence lapse (utility {utility:+.2f})", source="agent")


class Partner(State):
    """A third state that courts Malaysia: Korea (JS Link's home) or Australia (Lynas' home).

    It makes one kind of offer at its yearly rate while its conditions hold; Malaysia answers it
    like any other offer. Partners have no seat: the model always plays them.
    """

    def __init__(self, model, name: str, offer: str) -> None:
        super().__init__(model)
        self.name = name
        self.offer = offer

    def step(self) -> None:
        model = self.model
        if model.replaying or model.has_offer(self.offer) or model.months_since_offer(self.offer) < 24:
            return
        cfg = model.config.partners
        if self.offer == "korea_partnership":
            ready = model.tick >= model.plants["jslink_magnets"].start - 12 and not model.partnerships.has("Korea", "JS Link", "technology")
            rate = cfg.korea_offer_rate_per_year
        else:
            ready = model.licence.valid and not model.partnerships.has("Australia", "Malaysia", "supply")
            rate = cfg.australia_offer_rate_per_year
        if ready and self.chance(rate):
            apply_action(model, f"{self.name.lower()}_offer_partnership", source="agent")
