"""Third states that court Malaysia: Korea (JS Link's home) and Australia (Lynas' home)."""

from __future__ import annotations

from .base import State

OFFER_SPACING_MONTHS = 24


class Partner(State):
    """A third state that courts Malaysia with one kind of offer.

    It makes its offer at its yearly rate while its conditions hold; Malaysia answers it like any
    other offer. Partners have no seat: the model always plays them.
    """

    offer_kind = ""
    offer_action = ""

    @property
    def table_type(self) -> str:
        return "Partner"

    def step(self) -> None:
        model = self.model
        offers = model.offers
        if (
            model.replaying
            or offers.has_open(self.offer_kind)
            or offers.months_since(self.offer_kind, model.tick) < OFFER_SPACING_MONTHS
        ):
            return
        rate = self.offer_rate()
        if self.ready() and self.chance(rate, f"offer.{self.offer_kind}"):
            model.act(self.offer_action, source="agent")

    def offer_rate(self) -> float:
        """Offers per year while the partner is ready to make one."""
        raise NotImplementedError

    def ready(self) -> bool:
        """The conditions for making the offer hold this month."""
        raise NotImplementedError

    def offer(self) -> None:
        """Make Malaysia the offer (it answers from next month)."""
        self.model.offers.make(self.name, "Malaysia", self.offer_kind, self.model.tick)


class Korea(Partner):
    """Korea offers magnet technology and finance for a second JS Link line once the plant is near."""

    name = "Korea"
    offer_kind = "korea_partnership"
    offer_action = "korea_offer_partnership"

    def offer_rate(self) -> float:
        return self.model.config.partners.korea_offer_rate_per_year

    def ready(self) -> bool:
        model = self.model
        near = model.tick >= model.chain.plants["jslink_magnets"].start - 12
        return near and not model.partnerships.has("Korea", "JS Link", "technology")


class Australia(Partner):
    """Australia offers more Kalgoorlie feed and heavy rare-earth co-investment at Kuantan."""

    name = "Australia"
    offer_kind = "australia_partnership"
    offer_action = "australia_offer_partnership"

    def offer_rate(self) -> float:
        return self.model.config.partners.australia_offer_rate_per_year

    def ready(self) -> bool:
        model = self.model
        return model.licence.valid and not model.partnerships.has("Australia", "Malaysia", "supply")
