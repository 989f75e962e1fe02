"""China (the state and its industry): quotas, export licensing, technology bans, relations with
the US, and offers to Malaysia."""

from __future__ import annotations

from ..mechanisms.controls import ALL_PRODUCTS, HEAVY_AND_TRACE_ELEMENTS, Control
from ..mechanisms.production import balanced_china_quota, import_capacity_t_yr
from .base import State, invest_if_tight

# Quotas change by at most this much a year (published quotas grew by up to 25 % a year in
# 2017-2024, C062-C073; the industry also held output flat and consolidated to defend prices).
QUOTA_GROWTH_BAND = (-0.1, 0.3)
# US-China relations drift back to this level; their month-to-month noise.
RELATIONS_NORMAL = -0.1
RELATIONS_NOISE_SD = 0.02
# How much a truce improves relations, and an escalation worsens them.
TRUCE_RELATIONS = 0.5
ESCALATION_RELATIONS = -0.2
HIGHEST_ESCALATION = 3
# China lifts its restriction on Malaysia once alignment falls this far below the threshold.
RETALIATION_HYSTERESIS = 0.15
# China offers its joint venture only while Malaysia's alignment is below this.
JV_OFFER_ALIGNMENT = 0.2
OFFER_SPACING_MONTHS = 24


def quota_growth(offtake_growth: float, price_ratio: float, price_response: float) -> float:
    """Yearly quota growth: the growth of the NdPr China's market takes up, more when its price
    is above the price China defends (``price_ratio`` > 1), less, down to a cut, below it; within
    ``QUOTA_GROWTH_BAND``."""
    low, high = QUOTA_GROWTH_BAND
    return max(low, min(high, offtake_growth + price_response * (price_ratio - 1.0)))


def escalation_gain_usd_bn(gain_at_worst_usd_bn: float, relations_us: float) -> float:
    """What one more step of controls is worth to China a year: its value at the worst relations
    with the US, times hostility."""
    return gain_at_worst_usd_bn * max(0.0, -relations_us)


def counter_threat_usd_bn(counter_step: float, exports_to_us_usd_bn: float, incidence: float) -> float:
    """What the US's answer to one step (its tariff on China up ``counter_step``) costs China a year."""
    return counter_step * exports_to_us_usd_bn * incidence


def escalation_chance(propensity: float, relations_us: float, gain_usd_bn: float, threat_usd_bn: float) -> float:
    """Monthly chance of escalating export controls: propensity times hostility, times the share of
    the gain the US's counter-threat leaves (none when the threat outweighs the gain: deterred)."""
    if gain_usd_bn <= 0:
        return 0.0
    return propensity * max(0.0, -relations_us) * max(0.0, 1.0 - threat_usd_bn / gain_usd_bn)


def easing_chance(
    recovery: float, relations_us: float, propensity: float, gain_usd_bn: float, threat_usd_bn: float
) -> float:
    """Monthly chance of easing controls: once relations are better than normal, and sooner while
    the US's counter-threat outweighs what the controls are worth to China."""
    friendly = recovery * max(0.0, relations_us - RELATIONS_NORMAL)
    if threat_usd_bn <= gain_usd_bn:
        return friendly
    outweighed = 1.0 - gain_usd_bn / threat_usd_bn
    return min(1.0, friendly + propensity * outweighed)


class China(State):
    """Quotas, export licensing, technology bans, relations with the US, offers to Malaysia."""

    name = "China"
    seat = "china"
    RELATIONS_NORMAL = RELATIONS_NORMAL

    def __init__(self, model) -> None:
        super().__init__(model)
        cfg = model.config
        if cfg.mines.china_quota_balanced:
            self.mining_quota_t_yr = balanced_china_quota(model.chain.plants, cfg)
        else:
            self.mining_quota_t_yr = cfg.mines.china_quota_t_yr
        self.separation_quota_t_yr = self.mining_quota_t_yr * cfg.china.separation_to_mining_quota
        self.scripted_quota_years: set[int] = set()
        self.relations_us = RELATIONS_NORMAL
        self.escalation_level = 0
        self.imports_under_quota = False
        self.suspension_ends: int | None = None
        self.restricting_malaysia = False

    # ---- instruments ------------------------------------------------------------------

    def set_quota(self, mining_t: float, separation_t: float | None, scripted: bool = False) -> None:
        """This year's mining and separation quotas (t REO); the separation quota follows the
        mining quota when not given."""
        self.mining_quota_t_yr = mining_t
        ratio = self.model.config.china.separation_to_mining_quota
        self.separation_quota_t_yr = separation_t if separation_t is not None else mining_t * ratio
        if scripted:
            self.scripted_quota_years.add(self.model.year)

    def count_imports_under_quota(self, room_t_yr: float) -> None:
        """Imported ore counts against the separation quota from now on, which grows by ``room_t_yr``."""
        self.imports_under_quota = True
        self.separation_quota_t_yr += room_t_yr

    def shock_relations(self, change: float) -> None:
        """US-China relations move by ``change`` (within -1..1)."""
        self.relations_us = max(-1.0, min(1.0, self.relations_us + change))

    def truce(self, grant_rate: float) -> None:
        """Relations improve; licensing regimes stay but grant more."""
        self.model.controls.relax_grants(grant_rate, self.model.tick)
        self.shock_relations(TRUCE_RELATIONS)
        self.escalation_level = max(0, self.escalation_level - 1)

    def escalate(self, grant_rate: float | None = None) -> str:
        """One step up: licensing of Dy/Tb and magnets, then suspended controls return, then NdPr too."""
        model = self.model
        rate = model.config.china.licence_grant_rate if grant_rate is None else grant_rate
        tick = model.tick
        revived = model.controls.revive_suspended(tick)
        licensing = model.controls.tighten_world_licensing(rate, tick)
        steps = []
        if revived:
            steps.append(f"{len(revived)} suspended controls back in force")
        if not any(c.covers("magnet_heavy") for c in licensing):
            self._license(list(HEAVY_AND_TRACE_ELEMENTS), "escalation", rate, "Escalation: Dy/Tb and magnet licensing")
            steps.append("Dy/Tb and magnet licensing")
        elif self.escalation_level >= 1 and not any(c.covers("ndpr") for c in licensing):
            self._license(["Nd", "Pr"], "escalation-ndpr", rate, "Escalation: NdPr licensing")
            steps.append("NdPr licensing")
        self.escalation_level = min(HIGHEST_ESCALATION, self.escalation_level + 1)
        self.shock_relations(ESCALATION_RELATIONS)
        return "Escalation: " + (", ".join(steps) or "tighter grants") + f"; grant rate {rate:.0%}"

    def _license(self, elements: list[str], announcement: str, rate: float, label: str) -> None:
        model = self.model
        params = {
            "announcement": announcement,
            "elements": elements,
            "products": list(ALL_PRODUCTS),
            "grant_rate": rate,
            "delay_months": model.config.china.licence_delay_months,
        }
        model.controls.add(Control("export_licensing", self.name, "World", model.tick, params=params, label=label))

    def require_licences(
        self, announcement: str, elements: list[str], products: list[str], rate: float, delay: float
    ) -> None:
        """Export licences for the listed elements and products, granted at ``rate`` after ``delay`` months."""
        model = self.model
        params = {
            "announcement": announcement,
            "elements": list(elements),
            "products": list(products),
            "grant_rate": rate,
            "delay_months": delay,
        }
        model.controls.add(
            Control(
                "export_licensing",
                self.name,
                "World",
                model.tick,
                params=params,
                label=f"Export licensing ({announcement})",
            )
        )

    def extraterritorial(self, announcement: str, start: int, rate: float) -> None:
        """Foreign items containing Chinese rare earths need a Chinese licence from ``start``."""
        model = self.model
        params = {
            "announcement": announcement,
            "grant_rate": rate,
            "delay_months": model.config.china.licence_delay_months,
        }
        model.controls.add(
            Control(
                "extraterritorial",
                self.name,
                "World",
                start,
                params=params,
                label=f"Extraterritorial rule ({announcement})",
            )
        )

    def ban_technology(self, announcement: str, scope: list[str]) -> None:
        """Ban on exporting rare-earth technology (separation, magnet production)."""
        model = self.model
        params = {"announcement": announcement, "scope": list(scope)}
        model.controls.add(
            Control("tech_ban", self.name, "World", model.tick, params=params, label="Technology export ban")
        )

    def control_equipment(self, announcement: str) -> None:
        """Controls on exports of rare-earth processing equipment."""
        model = self.model
        params = {"announcement": announcement}
        model.controls.add(
            Control("equipment_control", self.name, "World", model.tick, params=params, label="Equipment controls")
        )

    def lift_licensing(self, announcement: str) -> int:
        """End the licensing regimes of one announcement (``agent`` or ``all``: every one); one
        step down the escalation ladder if any ended. Returns how many ended."""
        model = self.model
        controls = model.controls
        in_force = controls.in_force("export_licensing", model.tick) + controls.in_force("extraterritorial", model.tick)
        ended = [
            c for c in in_force if announcement in ("agent", "all") or str(c.params.get("announcement")) == announcement
        ]
        controls.end_controls(ended, model.tick)
        if ended:
            self.escalation_level = max(0, self.escalation_level - 1)
        return len(ended)

    def suspend_controls(self, announcements: list[str], until: int) -> int:
        """Suspend the controls of the listed announcements until ``until``; returns how many."""
        suspended = self.model.controls.suspend(set(announcements), until, self.model.tick)
        self.suspension_ends = until
        return len(suspended)

    def grant_general_licences(self, destination: str, rate: float) -> None:
        """General licences for one destination: its grant rate under every regime rises to ``rate``."""
        self.model.controls.set_destination_rate(destination, rate, self.model.tick)

    def suspend_magnet_licences(self) -> None:
        """No licences for magnets, NdPr or Dy/Tb: the top of the escalation ladder."""
        model = self.model
        params = {
            "announcement": "magnet-suspension",
            "elements": ["Dy", "Tb", "Nd", "Pr"],
            "products": ["magnets", "oxides", "metals", "alloys", "compounds"],
            "grant_rate": 0.0,
            "delay_months": 0.0,
        }
        model.controls.add(
            Control(
                "export_licensing", self.name, "World", model.tick, params=params, label="Magnet licences suspended"
            )
        )
        self.escalation_level = HIGHEST_ESCALATION

    def restrict_malaysia(self, rate: float) -> None:
        """Dy/Tb and NdPr licences to Malaysia are granted at ``rate`` only."""
        model = self.model
        params = {
            "announcement": "malaysia",
            "elements": ["Dy", "Tb", "Nd", "Pr"],
            "products": ["oxides", "metals", "alloys", "compounds", "magnets"],
            "grant_rate": 1.0,
            "destinations": {"malaysia": rate},
            "delay_months": 0.0,
        }
        model.controls.add(
            Control(
                "export_licensing", self.name, "Malaysia", model.tick, params=params, label="Restriction on Malaysia"
            )
        )
        self.restricting_malaysia = True
        model.offers.pressed(self.name, model.tick)

    def lift_malaysia_restriction(self) -> None:
        """End the Malaysia-specific restriction."""
        model = self.model
        ended = [c for c in model.controls.in_force("export_licensing", model.tick) if c.target == "Malaysia"]
        model.controls.end_controls(ended, model.tick)
        self.restricting_malaysia = False

    def offer_jv(self) -> None:
        """Offer Malaysia a refinery joint venture (it answers from next month)."""
        self.model.offers.make(self.name, "Malaysia", "china_jv", self.model.tick)

    # ---- decisions --------------------------------------------------------------------

    def step(self) -> None:
        model = self.model
        cfg = model.config.china
        if model.month == 1 and model.year not in self.scripted_quota_years and model.tick > 0:
            self._set_quota_from_market()
        if model.month == 1 and model.tick > 0:
            self._expand_heavy_supply()
        drift = cfg.relations_recovery * (RELATIONS_NORMAL - self.relations_us)
        self.relations_us += drift + model.streams.gauss("china.relations", 0.0, RELATIONS_NOISE_SD)
        self.relations_us = max(-1.0, min(1.0, self.relations_us))
        invest_if_tight(model, model.chain.plants["china_magnets"])
        if model.replaying or self.player:
            return
        self._export_controls()
        self._malaysia_policy()

    def _set_quota_from_market(self) -> None:
        """Quotas follow the NdPr China's market takes up, faster when the past year's price was above
        the price China defends (its separators' full cost plus ``china.defended_margin``), slower
        or cut below it.

        Once imported ore counts against the separation quota, the separation quota makes room for
        what the ore-exporting mines can ship.
        """
        model = self.model
        cfg = model.config.china
        separators = model.chain.plants["china_separation"]
        defended = separators.full_cost_usd_kg * (1.0 + cfg.defended_margin)
        price_ratio = model.market.price_average("ndpr_china", 12) / defended
        offtake = model.market.china_offtake_growth(model.config.demand.growth_per_year)
        growth = quota_growth(offtake, price_ratio, cfg.quota_price_response)
        mining = self.mining_quota_t_yr * (1.0 + growth)
        separation = mining * cfg.separation_to_mining_quota + (
            import_capacity_t_yr(model.chain.plants, model.tick) if self.imports_under_quota else 0.0
        )
        model.act(
            "china_set_quota",
            {"mining_t": mining, "separation_t": separation},
            source="agent",
            description=(
                f"Quota for {model.year}: {growth:+.1%} (NdPr offtake {offtake:+.1%}, "
                f"price x{price_ratio:.2f} of the price defended)"
            ),
        )
        self.scripted_quota_years.discard(model.year)

    def _expand_heavy_supply(self) -> None:
        """China's industry adds Dy and Tb supply when the past year's Dy price stayed above its
        full cost; it arrives after ``china.clay_lead_months``."""
        model = self.model
        cfg = model.config
        if model.market.price_average("dy_china", 12) < cfg.market.dy_price_usd_kg:
            return
        share = cfg.china.clay_expansion_per_year
        if share <= 0:
            return
        first = model.tick + int(round(cfg.china.clay_lead_months))
        model.market.heavy_additions.append((first, share))
        self.log(
            "World",
            "investment",
            f"China adds Dy and Tb supply: +{share:.0%} of its clay feed from {model.label_of(first)}",
        )

    def _export_controls(self) -> None:
        model = self.model
        cfg = model.config.china
        tick = model.tick
        if self.suspension_ends is not None and tick == self.suspension_ends:
            if self.relations_us >= RELATIONS_NORMAL:
                until = model.label_of(tick + 12)
                suspended = model.controls.suspended_announcements(tick)
                if suspended:
                    model.act(
                        "china_suspend_controls",
                        {"announcements": sorted(suspended), "until": until},
                        source="agent",
                        description=f"Truce holds: suspension extended to {until}",
                    )
            else:
                self.log("World", "export_control", "Suspension lapses: suspended controls return")
                self.escalation_level = max(self.escalation_level, 2)
        gain = escalation_gain_usd_bn(cfg.escalation_gain_usd_bn_yr, self.relations_us)
        us = model.config.us
        threat = counter_threat_usd_bn(us.counter_leverage_step, cfg.exports_to_us_usd_bn, cfg.us_tariff_incidence)
        if self.escalation_level < HIGHEST_ESCALATION and model.streams.uniform("china.escalation") < escalation_chance(
            cfg.escalation_propensity, self.relations_us, gain, threat
        ):
            model.act("china_escalate", source="agent")
        elif self.escalation_level > 0 and model.streams.uniform("china.easing") < easing_chance(
            cfg.relations_recovery, self.relations_us, cfg.escalation_propensity, gain, threat
        ):
            why = "the US's counter-tariffs outweigh the controls' worth" if threat > gain else "relations improve"
            model.act("us_china_truce", source="agent", description=f"China eases ({why}): more licences granted")

    def jv_offer_rate(self, ore_ban: bool | None = None) -> float:
        """Yearly rate of joint-venture offers to Malaysia: lower while Malaysian ore may leave raw
        (China can buy the ore instead of refining it in Malaysia)."""
        model = self.model
        cfg = model.config.china
        banned = model.controls.raw_ore_ban(model.tick) if ore_ban is None else ore_ban
        return cfg.jv_offer_rate_per_year * (1.0 if banned else cfg.jv_offer_share_without_ore_ban)

    def _malaysia_policy(self) -> None:
        model = self.model
        cfg = model.config.china
        alignment = model.malaysia.alignment
        if alignment > cfg.retaliation_threshold and not self.restricting_malaysia:
            model.act(
                "china_restrict_malaysia",
                {"grant_rate": cfg.retaliation_grant_rate},
                source="agent",
                description=f"Retaliation: Malaysia leans to the US (alignment {alignment:+.2f})",
            )
        elif self.restricting_malaysia and alignment < cfg.retaliation_threshold - RETALIATION_HYSTERESIS:
            model.act("china_lift_malaysia_restriction", source="agent")
        has_jv = model.partnerships.has("China", "Malaysia", "investment")
        offers = model.offers
        wanted = (
            not has_jv
            and alignment < JV_OFFER_ALIGNMENT
            and not offers.has_open("china_jv")
            and offers.months_since("china_jv", model.tick) >= OFFER_SPACING_MONTHS
        )
        # competition: a US offer to or pressure on Malaysia in the past year makes China likelier to offer
        boost = cfg.rival_offer_boost if offers.rival_moved(self.name, model.tick) else 1.0
        if wanted and self.chance(boost * self.jv_offer_rate(), "offer.china_jv"):
            model.act("china_offer_jv", source="agent")
