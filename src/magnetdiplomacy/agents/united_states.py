"""The United States: tariffs, price floors, sourcing rules and offers to Malaysia."""

from __future__ import annotations

from ..mechanisms.chain import NEVER
from ..mechanisms.controls import Control
from ..parameters import USSettings
from .base import State

# Months between two reviews of the tariff on Malaysia.
TARIFF_REVIEW_MONTHS = 6
# Highest tariff the US puts on China by counter-leverage.
CHINA_TARIFF_CAP = 2.0
# A tariff rise on China worsens US-China relations by this much per unit of tariff.
RELATIONS_PER_TARIFF = -2.0
# An offer of the same kind is not repeated within this many months.
OFFER_SPACING_MONTHS = 24


def tariff_review(alignment: float, current: float, cfg: USSettings) -> tuple[float, str] | None:
    """New US tariff on Malaysia after a review and why, or ``None`` to keep it.

    Up one step (to at most ``tariff_max``) while Malaysia's alignment is below the pressure
    threshold; down one step (to at least ``tariff_floor``) while it is above the reward threshold."""
    if alignment < cfg.pressure_threshold and current < cfg.tariff_max:
        return min(cfg.tariff_max, current + cfg.tariff_step), "Pressure: Malaysia leans to China"
    if alignment > cfg.reward_threshold and current > cfg.tariff_floor:
        return max(cfg.tariff_floor, current - cfg.tariff_step), "Reward: Malaysia leans to the US"
    return None


class UnitedStates(State):
    """Tariffs, price floors, sourcing rules and offers to Malaysia."""

    name = "United States"
    seat = "united_states"

    def __init__(self, model) -> None:
        super().__init__(model)
        cfg = model.config.us
        self.last_tariff_review = -12
        self.china_level_seen = 0
        controls = model.controls
        controls.add(
            Control(
                "tariff",
                self.name,
                "Malaysia",
                -NEVER,
                params={"rate": cfg.tariff_malaysia_initial},
                label="2020 tariff",
                source="us.tariff_malaysia_initial",
            )
        )
        controls.add(
            Control(
                "tariff",
                self.name,
                "China",
                -NEVER,
                params={"rate": cfg.tariff_china_initial},
                label="2020 tariff",
                source="us.tariff_china_initial",
            )
        )

    # ---- instruments ------------------------------------------------------------------

    def set_tariff(self, target: str, rate: float) -> None:
        """A new US import tariff on ``target``; raising China's sours US-China relations."""
        model = self.model
        before = model.controls.tariff(self.name, target, model.tick)
        model.controls.add(
            Control("tariff", self.name, target, model.tick, params={"rate": rate}, label=f"US tariff on {target}")
        )
        if target == "China" and rate > before:
            model.china.shock_relations(RELATIONS_PER_TARIFF * (rate - before))
        elif target == "Malaysia" and rate > before:
            model.offers.pressed(self.name, model.tick)

    def grant_floor(self, beneficiary: str, floor: float | None, years: float | None) -> str:
        """Guarantee ``beneficiary`` a minimum NdPr price for some years (defaults from the scenario)."""
        model = self.model
        cfg = model.config.us
        floor = cfg.price_floor_usd_kg if floor is None else floor
        years = cfg.price_floor_years if years is None else years
        end = model.tick + int(round(years * 12))
        model.controls.add(
            Control(
                "price_floor",
                self.name,
                beneficiary,
                model.tick,
                end,
                params={"floor_usd_kg": floor},
                label=f"NdPr floor for {beneficiary}",
            )
        )
        return f"NdPr price floor of {floor:.0f} USD/kg for {beneficiary} for {years:g} years"

    def bar_chinese_magnets_from_defence(self) -> None:
        """US defence buyers may no longer buy China-origin magnets."""
        model = self.model
        model.controls.add(Control("origin_rule", self.name, "china", model.tick, label="Defence sourcing rule"))

    def exclude_malaysia(self, on: bool) -> str:
        """Exclude Malaysian material from US defence and subsidy-eligible supply chains (``on``:
        US defence buyers may not buy it and US price floors stop covering it), or readmit it."""
        model = self.model
        excluded = model.controls.origin_rule(model.tick, "malaysia")
        if on and not excluded:
            label = "Malaysian material excluded from US defence and subsidy chains"
            model.controls.add(Control("origin_rule", self.name, "malaysia", model.tick, label=label))
            model.offers.pressed(self.name, model.tick)
            return label
        if not on and excluded:
            model.controls.end("origin_rule", model.tick, target="malaysia")
            return "Malaysian material readmitted to US defence and subsidy chains"
        return "No change to US sourcing rules for Malaysia"

    def offer(self, kind: str) -> None:
        """Make Malaysia an offer (it answers from next month)."""
        self.model.offers.make(self.name, "Malaysia", kind, self.model.tick)

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
            rate = min(CHINA_TARIFF_CAP, current + cfg.counter_leverage_step)
            model.act(
                "us_set_tariff",
                {"target": "China", "rate": rate},
                source="agent",
                description="Counter-leverage after China's escalation",
            )
        self.china_level_seen = china_level
        if model.tick - self.last_tariff_review < TARIFF_REVIEW_MONTHS:
            return
        self.last_tariff_review = model.tick
        alignment = model.malaysia.alignment
        current = model.controls.tariff(self.name, "Malaysia", model.tick)
        self._review_exclusion(alignment, current)
        decision = tariff_review(alignment, current, cfg)
        if decision is None:
            return
        rate, why = decision
        model.act(
            "us_set_tariff",
            {"target": "Malaysia", "rate": rate},
            source="agent",
            description=f"{why} (alignment {alignment:+.2f}); tariff {rate:.0%}",
        )

    def _review_exclusion(self, alignment: float, tariff: float) -> None:
        """The next rung of pressure once the tariff is at its highest: exclusion from defence and
        subsidy chains while Malaysia stays below the pressure threshold; readmission above it."""
        model = self.model
        cfg = model.config.us
        excluded = model.controls.origin_rule(model.tick, "malaysia")
        if not excluded and alignment < cfg.pressure_threshold and tariff >= cfg.tariff_max:
            why = f"Pressure: Malaysia leans to China with the tariff at its highest (alignment {alignment:+.2f})"
            model.act("us_exclude_malaysia", {"on": True}, source="agent", description=why)
        elif excluded and alignment >= cfg.pressure_threshold:
            model.act("us_exclude_malaysia", {"on": False}, source="agent")

    def _may_offer(self, kind: str) -> bool:
        offers = self.model.offers
        return not offers.has_open(kind) and offers.months_since(kind, self.model.tick) >= OFFER_SPACING_MONTHS

    def _make_offers(self) -> None:
        model = self.model
        cfg = model.config.us
        malaysia = model.malaysia
        # competition: a Chinese offer to or pressure on Malaysia in the past year makes the US likelier to offer
        boost = cfg.rival_offer_boost if model.offers.rival_moved(self.name, model.tick) else 1.0
        floor_wanted = (
            malaysia.alignment >= 0.0
            and malaysia.lean >= 0.0
            and not model.controls.price_floor("Lynas Malaysia", model.tick)
            and self._may_offer("us_floor")
            and model.licence.valid
        )
        if floor_wanted and self.chance(boost * cfg.floor_offer_rate_per_year, "offer.us_floor"):
            model.act("us_offer_price_floor", source="agent")
        near_start = model.tick >= model.chain.plants["jslink_magnets"].start - 12
        offtake_wanted = (
            near_start
            and malaysia.alignment >= -0.1
            and not model.partnerships.has("US buyers", "JS Link", "supply")
            and self._may_offer("us_offtake")
        )
        if offtake_wanted and self.chance(boost * cfg.offtake_offer_rate_per_year, "offer.us_offtake"):
            model.act("us_offer_offtake", source="agent")
