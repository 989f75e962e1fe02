"""Policy controls as explicit objects, and the book that answers "what applies now?".

A control has an actor, a target, a start tick, an optional end tick and parameters, so the same
object can come from ``events.csv``, from an agent's decision or from a person mid-run. The
:class:`ControlBook` stores controls, answers queries about what applies in a month, and makes the
amendments actors decide (end, suspend, revive, grant more or fewer licences): controls are changed
only through the book, which is how it can remember answers within a month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "export_licensing",  # China: licences by element and product, grant rate and delay
    "extraterritorial",  # China: foreign items with Chinese rare earths need a licence
    "tech_ban",  # China: ban on exporting rare-earth technology
    "equipment_control",  # China: controls on rare-earth equipment
    "raw_ore_ban",  # Malaysia: ban on raw rare-earth exports
    "tariff",  # import tariff of actor on goods from target
    "price_floor",  # US: guaranteed NdPr price to a producer
    "plant_licence",  # Malaysia: Lynas operating licence and its conditions
    "origin_rule",  # US: defence buyers (and for Malaysia, subsidy-eligible chains) may not buy from target
)

# Elements that decide which material flows a licensing control covers.
LIGHT_MAGNET_ELEMENTS = frozenset({"Nd", "Pr"})
HEAVY_MAGNET_ELEMENTS = frozenset({"Dy", "Tb"})
# The flows the model distinguishes: separated NdPr, Dy/Tb, magnets needing Dy/Tb, other magnets.
FLOWS = ("ndpr", "heavy", "magnet_heavy", "magnet_light")
# Element and product lists of China's licensing announcements.
HEAVY_AND_TRACE_ELEMENTS = ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")  # April 2025 (Announcement 18)
MAGNET_ELEMENTS = ("Dy", "Tb", "Nd", "Pr")
ALL_PRODUCTS = ("metals", "oxides", "alloys", "compounds", "magnets")


@dataclass
class Control:
    """One policy measure in force from ``start`` (tick) until ``end`` (tick, exclusive) or forever."""

    kind: str
    actor: str
    target: str
    start: int
    end: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    source: str = ""
    suspended_until: int | None = None
    id: int = -1

    def active(self, tick: int) -> bool:
        """True while the control is in force and not suspended."""
        if tick < self.start or (self.end is not None and tick >= self.end):
            return False
        return self.suspended_until is None or tick >= self.suspended_until

    def covers(self, flow: str) -> bool:
        """Does this licensing control cover a material flow?"""
        if self.kind == "extraterritorial":
            return True
        elements = set(self.params.get("elements", ()))
        products = set(self.params.get("products", ()))
        if flow == "ndpr":
            return bool(elements & LIGHT_MAGNET_ELEMENTS) and bool(
                products & {"oxides", "metals", "compounds", "alloys"}
            )
        if flow == "heavy":
            return bool(elements & HEAVY_MAGNET_ELEMENTS) and bool(
                products & {"oxides", "metals", "compounds", "alloys"}
            )
        if "magnets" not in products:
            return False
        if flow == "magnet_heavy":
            return bool(elements & (HEAVY_MAGNET_ELEMENTS | LIGHT_MAGNET_ELEMENTS))
        return bool(elements & LIGHT_MAGNET_ELEMENTS)

    def grant_rate(self, tick: int, destination: str) -> float:
        """Share of licence applications granted for ``destination`` in month ``tick``.

        A new regime grants nothing at first; grants then ramp linearly to the regime's rate over
        ``delay_months`` (the processing time of the first applications).
        """
        rate = float(self.params.get("grant_rate", 1.0))
        rate = float(self.params.get("destinations", {}).get(destination, rate))
        delay = float(self.params.get("delay_months", 0.0))
        if delay > 0:
            rate *= min(1.0, (tick - self.start) / delay)
        return max(0.0, min(1.0, rate))


@dataclass(frozen=True)
class LicenceState:
    """Lynas Malaysia's operating licence as the plant sees it in one month."""

    valid: bool
    until: int | None
    cracking_allowed: bool
    concentrate_import_allowed: bool
    years_left: float


class ControlBook:
    """All controls of a run, and queries over the ones in force."""

    def __init__(self) -> None:
        self.controls: list[Control] = []
        self._by_kind: dict[str, list[Control]] = {kind: [] for kind in KINDS}
        # answers to queries, valid until the next change or the next month
        self._memo: dict[tuple, Any] = {}
        self._memo_tick: int | None = None

    def _changed(self) -> None:
        self._memo.clear()

    def _recall(self, key: tuple, tick: int) -> Any:
        if self._memo_tick != tick:
            self._memo.clear()
            self._memo_tick = tick
            return None
        return self._memo.get(key)

    def add(self, control: Control) -> Control:
        """File a new control (its kind must be one of :data:`KINDS`)."""
        if control.kind not in self._by_kind:
            raise ValueError(f"unknown kind of control '{control.kind}' (known: {', '.join(KINDS)})")
        control.id = len(self.controls)
        self.controls.append(control)
        self._by_kind[control.kind].append(control)
        self._changed()
        return control

    # ---- amendments -----------------------------------------------------------------------

    def end_control(self, control: Control, tick: int) -> None:
        """End one control at ``tick`` exactly."""
        control.end = tick
        self._changed()

    def end_controls(self, controls: list[Control], tick: int) -> None:
        """End several controls at ``tick`` exactly."""
        for control in controls:
            control.end = tick
        self._changed()

    def relax_grants(self, rate: float, tick: int) -> None:
        """Licensing regimes aimed at the world grant at least ``rate`` (a truce)."""
        for control in self.in_force("export_licensing", tick):
            if control.target == "World" and control.params.get("grant_rate", 1.0) < rate:
                control.params["grant_rate"] = rate
        self._changed()

    def revive_suspended(self, tick: int) -> list[Control]:
        """Suspended controls that have not ended come back into force now."""
        revived = [
            c
            for c in self.controls
            if c.suspended_until is not None and c.suspended_until > tick and (c.end is None or c.end > tick)
        ]
        for control in revived:
            control.suspended_until = tick
        self._changed()
        return revived

    def tighten_world_licensing(self, rate: float, tick: int) -> list[Control]:
        """Licensing regimes aimed at the world grant at most ``rate``, with no destination
        exceptions; returns those regimes."""
        licensing = [c for c in self.in_force("export_licensing", tick) if c.target == "World"]
        for control in licensing:
            control.params["grant_rate"] = min(control.params.get("grant_rate", 1.0), rate)
            control.params.pop("destinations", None)
        self._changed()
        return licensing

    def set_destination_rate(self, destination: str, rate: float, tick: int) -> None:
        """Every licensing regime in force grants ``rate`` to ``destination`` (general licences)."""
        for control in self.in_force("export_licensing", tick):
            control.params.setdefault("destinations", {})[destination] = rate
        self._changed()

    def suspended_announcements(self, tick: int) -> set[str]:
        """Announcements whose suspension ends this month."""
        return {str(c.params.get("announcement")) for c in self.controls if c.suspended_until == tick}

    def end(self, kind: str, tick: int, *, actor: str | None = None, target: str | None = None) -> list[Control]:
        """End every control of ``kind`` (optionally by actor/target) at ``tick``; return those ended."""
        ended = []
        for control in self._by_kind[kind]:
            if (actor and control.actor != actor) or (target and control.target != target):
                continue
            if control.end is None or control.end > tick:
                control.end = max(tick, control.start)
                ended.append(control)
        self._changed()
        return ended

    def in_force(self, kind: str, tick: int) -> list[Control]:
        """Controls of ``kind`` in force at ``tick``, in the order they were filed."""
        return [c for c in self._by_kind[kind] if c.active(tick)]

    def latest(self, kind: str, tick: int, *, actor: str | None = None, target: str | None = None) -> Control | None:
        """The most recently started control of ``kind`` in force (later additions win ties)."""
        best = None
        for control in self._by_kind[kind]:
            if not control.active(tick):
                continue
            if (actor and control.actor != actor) or (target and control.target != target):
                continue
            if best is None or control.start >= best.start:
                best = control
        return best

    # ---- queries the model uses ---------------------------------------------------------

    def tariff(self, actor: str, target: str, tick: int) -> float:
        """Import tariff of ``actor`` on goods from ``target`` (0 without one)."""
        key = ("tariff", actor, target)
        known = self._recall(key, tick)
        if known is None:
            control = self.latest("tariff", tick, actor=actor, target=target)
            known = self._memo[key] = float(control.params["rate"]) if control else 0.0
        return known

    def licence_availability(self, flow: str, destination: str, tick: int) -> float:
        """Share of Chinese exports of ``flow`` to ``destination`` that may leave China this month."""
        key = ("licence", flow, destination)
        known = self._recall(key, tick)
        if known is None:
            known = self._memo[key] = self._availability(flow, destination, tick)
        return known

    def _availability(self, flow: str, destination: str, tick: int) -> float:
        availability = 1.0
        for control in self._licensing_in_force(flow, tick):
            availability = min(availability, control.grant_rate(tick, destination))
        return availability

    def _licensing_in_force(self, flow: str, tick: int) -> list[Control]:
        """Licensing controls in force that cover ``flow``."""
        key = ("licensing", flow)
        known = self._recall(key, tick)
        if known is None:
            regimes = self.in_force("export_licensing", tick) + self.in_force("extraterritorial", tick)
            known = self._memo[key] = [c for c in regimes if c.covers(flow)]
        return known

    def _any_in_force(self, kind: str, tick: int) -> bool:
        key = ("any", kind)
        known = self._recall(key, tick)
        if known is None:
            known = self._memo[key] = bool(self.in_force(kind, tick))
        return known

    def tech_ban(self, tick: int) -> bool:
        return self._any_in_force("tech_ban", tick)

    def equipment_control(self, tick: int) -> bool:
        return self._any_in_force("equipment_control", tick)

    def raw_ore_ban(self, tick: int) -> bool:
        return self._any_in_force("raw_ore_ban", tick)

    def price_floor(self, beneficiary: str, tick: int) -> float:
        """The highest NdPr price floor ``beneficiary`` is guaranteed this month (0 without one)."""
        return self.price_floors(tick).get(beneficiary, 0.0)

    def price_floors(self, tick: int) -> dict[str, float]:
        """The highest NdPr price floor of every beneficiary that has one this month."""
        key = ("floors",)
        known = self._recall(key, tick)
        if known is None:
            known = {}
            for control in self.in_force("price_floor", tick):
                known[control.target] = max(known.get(control.target, 0.0), float(control.params["floor_usd_kg"]))
            self._memo[key] = known
        return known

    def origin_rule(self, tick: int, origin: str) -> bool:
        key = ("origin", origin)
        known = self._recall(key, tick)
        if known is None:
            known = self._memo[key] = any(c.target == origin for c in self.in_force("origin_rule", tick))
        return known

    def plant_licence(self, plant: str, tick: int) -> LicenceState:
        """Licence state of ``plant``; with no licence on record the plant may not operate."""
        key = ("licence_state", plant)
        known = self._recall(key, tick)
        if known is None:
            known = self._memo[key] = self._plant_licence(plant, tick)
        return known

    def _plant_licence(self, plant: str, tick: int) -> LicenceState:
        control = self.latest("plant_licence", tick, target=plant)
        if control is None:
            return LicenceState(False, None, False, False, 0.0)
        params = control.params
        until = control.end
        cracking_until = params.get("cracking_allowed_until")
        import_ban_from = params.get("concentrate_import_ban_from")
        return LicenceState(
            valid=True,
            until=until,
            cracking_allowed=cracking_until is None or tick < cracking_until,
            concentrate_import_allowed=import_ban_from is None or tick < import_ban_from,
            years_left=((until - tick) / 12.0) if until is not None else 99.0,
        )

    def suspend(self, announcements: set[str], until: int, tick: int) -> list[Control]:
        """Suspend China's controls issued under the listed announcements until ``until``."""
        suspended = []
        for control in self.controls:
            if str(control.params.get("announcement", "")) in announcements and (
                control.end is None or control.end > tick
            ):
                control.suspended_until = until
                suspended.append(control)
        self._changed()
        return suspended
