"""Offers to Malaysia: every kind declared once, and the book of offers made in a run.

An offer is made by one side, waits for Malaysia's answer for a number of months, and is accepted,
declined, replaced by a newer offer of the same kind, or expires. :data:`OFFER_KINDS` declares each
kind once: who makes it, a plain-language label, the ties accepting it forms, the tonnes a year it
brings to Malaysia's industry (what Malaysia values it at, see :func:`offer_rungs`) and how far
accepting it moves revealed alignment. The agents, the action vocabulary, the app and the
classroom read it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..parameters import Scenario
from .chain import NEVER
from .economics import RungOutput
from .partnerships import TIE_WEIGHTS

TieSpec = tuple[str, str, str, str]  # (actor a, actor b, tie type, note)

# Months from a decision to expand a plant (Kuantan, JS Link's second line) to first output.
EXPANSION_BUILD_MONTHS = 24
# Months from a partnership deal to the extra feed it brings (Australia's MREC for Kuantan).
PARTNERSHIP_LEAD_MONTHS = 12
# A great power answers the other's offers to Malaysia for this many months.
RIVAL_MEMORY_MONTHS = 12


def _lynas_floor_rungs(config: Scenario) -> RungOutput:
    # the floor would underwrite one Kuantan expansion
    ndpr = config.lynas.expansion_t_yr / 12.0
    feed = ndpr / (config.mines.mt_weld_ndpr_grade * config.separation.recovery)
    return RungOutput(oxide_t=ndpr, coproduct_t=feed * config.separation.recovery - ndpr, oxide_feed_t=feed)


def _jv_rungs(config: Scenario) -> RungOutput:
    feed = config.china.jv_feed_t_yr / 12.0
    ndpr = config.china.jv_capacity_t_yr / 12.0
    coproduct = max(0.0, feed * config.separation.recovery - ndpr)
    return RungOutput(ore_t=feed, oxide_t=ndpr, coproduct_t=coproduct, oxide_feed_t=feed)


def _magnet_line_rungs(config: Scenario) -> RungOutput:
    magnets = config.jslink.expansion_t_yr / 12.0
    ndpr = magnets * config.magnets.ndpr_share
    return RungOutput(magnet_t=magnets, magnet_ndpr_t=ndpr, component_t=magnets * config.malaysia.component_share)


def _australia_rungs(config: Scenario) -> RungOutput:
    ndpr = config.partners.australia_mrec_t_yr / 12.0
    feed = ndpr / (config.mines.mt_weld_ndpr_grade * config.separation.recovery)
    return RungOutput(oxide_t=ndpr, coproduct_t=feed * config.separation.recovery - ndpr, oxide_feed_t=feed)


@dataclass(frozen=True)
class OfferKind:
    """One kind of offer to Malaysia."""

    name: str
    sender: str  # the state that makes it
    label: str  # plain words, for people
    accepted: str  # what accepting it means, in plain words
    ties: tuple[TieSpec, ...]  # formed on acceptance (the floor's tie comes with the floor itself)
    rungs: Callable[[Scenario], RungOutput]  # monthly tonnes it adds to Malaysia's industry
    tie_shift: float  # revealed-alignment units per unit of ties_weight (sign: + US side)
    pitch: str  # what is on offer, as the one making it would put it
    concession: float = 0.0  # concession it implies (revealed-alignment units per concessions_weight)
    delay_months: Callable[[Scenario], float] = lambda config: EXPANSION_BUILD_MONTHS  # until its output starts

    @property
    def offered_by(self) -> str:
        """The sender as a sentence names it ("the United States")."""
        return "the United States" if self.sender == "United States" else self.sender

    @property
    def named(self) -> str:
        """The offer as a sentence names it: "the offer from China (Chinese refinery joint venture)"."""
        return f"the offer from {self.offered_by} ({self.label})"


OFFER_KINDS: dict[str, OfferKind] = {
    kind.name: kind
    for kind in (
        OfferKind(
            name="china_jv",
            sender="China",
            label="Chinese refinery joint venture",
            accepted="Malaysia accepts a Chinese refinery joint venture",
            ties=(
                ("China", "Malaysia", "investment", "Refinery joint venture"),
                ("China Rare Earth Group", "Khazanah Nasional", "technology", "Separation technology for the JV"),
            ),
            rungs=_jv_rungs,
            tie_shift=-(TIE_WEIGHTS["investment"] + TIE_WEIGHTS["technology"]),
            pitch="a refinery joint venture: Chinese technology for access to Malaysian ore",
            concession=-0.1,
            delay_months=lambda config: config.china.jv_build_months,
        ),
        OfferKind(
            name="us_floor",
            sender="United States",
            label="US price floor and offtake for Malaysian oxide",
            accepted="Malaysia accepts the US price floor for Lynas Malaysia's NdPr",
            ties=(),
            rungs=_lynas_floor_rungs,
            tie_shift=TIE_WEIGHTS["supply"],
            pitch="its NdPr price floor and offtake for Lynas Malaysia's oxide",
        ),
        OfferKind(
            name="us_offtake",
            sender="United States",
            label="US offtake and finance for JS Link",
            accepted="Malaysia accepts US offtake and finance for JS Link",
            ties=(
                ("US buyers", "JS Link", "supply", "US offtake of JS Link magnets"),
                ("United States", "JS Link", "investment", "US finance for a JS Link expansion"),
            ),
            rungs=_magnet_line_rungs,
            tie_shift=TIE_WEIGHTS["supply"],
            pitch="offtake and finance for JS Link's magnets",
        ),
        OfferKind(
            name="korea_partnership",
            sender="Korea",
            label="Korean magnet technology and a second JS Link line",
            accepted="Malaysia accepts Korea's technology and investment package for JS Link",
            ties=(
                ("Korea", "JS Link", "technology", "Korean magnet technology for JS Link"),
                ("Korea", "Malaysia", "investment", "Korean finance for a second JS Link line"),
            ),
            rungs=_magnet_line_rungs,
            tie_shift=0.5 * (TIE_WEIGHTS["technology"] + TIE_WEIGHTS["investment"]),
            pitch="magnet technology and finance for a second JS Link line",
        ),
        OfferKind(
            name="australia_partnership",
            sender="Australia",
            label="Australian critical-minerals partnership",
            accepted="Malaysia accepts Australia's critical-minerals partnership",
            ties=(
                (
                    "Australia",
                    "Malaysia",
                    "supply",
                    "Australian MREC feed and heavy rare-earth co-investment at Kuantan",
                ),
            ),
            rungs=_australia_rungs,
            tie_shift=0.5 * TIE_WEIGHTS["supply"],
            pitch="more Kalgoorlie feed and co-investment in heavy rare earths at Kuantan",
            delay_months=lambda config: PARTNERSHIP_LEAD_MONTHS,
        ),
    )
}


def offer_named(kind: str) -> str:
    """An offer of ``kind`` as a sentence names it (see :attr:`OfferKind.named`)."""
    spec = OFFER_KINDS.get(kind)
    return spec.named if spec is not None else f"the {kind.replace('_', ' ')} offer"


def offer_rungs(kind: str, config: Scenario) -> RungOutput:
    """Monthly tonnes an accepted offer of ``kind`` adds at each rung of Malaysia's industry."""
    return OFFER_KINDS[kind].rungs(config)


def offer_push(kind: str, ties_weight: float, concessions_weight: float) -> float:
    """How far accepting an offer would push revealed alignment, inside its tanh (ties and concession)."""
    spec = OFFER_KINDS[kind]
    return spec.tie_shift * ties_weight + spec.concession * concessions_weight


@dataclass
class Offer:
    """One offer made in a run."""

    kind: str
    sender: str
    receiver: str
    tick: int
    expires: int
    status: str = "open"


class OfferBook:
    """Every offer of a run, and the questions agents ask about them."""

    def __init__(self) -> None:
        self.offers: list[Offer] = []
        self.pressures: list[tuple[str, str, int]] = []  # (sender, receiver, tick) of pressure put on a state

    def make(self, sender: str, receiver: str, kind: str, tick: int, months: int = 12) -> None:
        """A new offer replaces an open one of the same kind."""
        self.close(kind, "replaced")
        self.offers.append(Offer(kind, sender, receiver, tick, tick + months))

    def months_since(self, kind: str, tick: int) -> int:
        """Months since an offer of this kind was last made (a large number if never)."""
        ticks = [o.tick for o in self.offers if o.kind == kind]
        return tick - max(ticks) if ticks else NEVER

    def has_open(self, kind: str) -> bool:
        return any(o.kind == kind and o.status == "open" for o in self.offers)

    def pressed(self, sender: str, tick: int, receiver: str = "Malaysia") -> None:
        """``sender`` put pressure on ``receiver`` this month (a tariff rise, an exclusion, a licence cut)."""
        self.pressures.append((sender, receiver, tick))

    def rival_moved(self, sender: str, tick: int, receiver: str = "Malaysia") -> bool:
        """Has the other great power than ``sender`` made ``receiver`` an offer or put pressure on
        it in the past :data:`RIVAL_MEMORY_MONTHS` (whatever became of it)? Either opens a door
        for ``sender``: an offer to match, or a pressured partner to court."""
        rival = {"United States": "China", "China": "United States"}.get(sender)
        recent = [(o.sender, o.receiver, o.tick) for o in self.offers] + self.pressures
        return any(s == rival and r == receiver and tick - t < RIVAL_MEMORY_MONTHS for s, r, t in recent)

    def open_for(self, receiver: str, tick: int) -> list[Offer]:
        """Open offers to ``receiver`` made before this month (an offer waits a month at least)."""
        return [o for o in self.offers if o.receiver == receiver and o.status == "open" and o.tick < tick]

    def close(self, kind: str, status: str) -> None:
        for offer in self.offers:
            if offer.kind == kind and offer.status == "open":
                offer.status = status

    def expire(self, tick: int) -> list[Offer]:
        """Offers whose time ran out this month (their status becomes ``expired``)."""
        expired = []
        for offer in self.offers:
            if offer.status == "open" and tick >= offer.expires:
                offer.status = "expired"
                expired.append(offer)
        return expired
