"""Policy controls as explicit objects, and the book that answers "what applies now?".

A control has an actor, a target, a start tick, an optional end tick and parameters, so the same
object can come from ``events.csv``, from an agent's decision or from a person mid-run. The
:class:`ControlBook` only stores controls and answers queries; it never changes model state.
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
    "origin_rule",  # US: defence buyers may not buy magnets from target
)

# Elements that decide which material flows a licensing control covers.
LIGHT_MAGNET_ELEMENTS = frozenset({"Nd", "Pr"})
HEAVY_MAGNET_ELEMENTS = frozenset({"Dy", "Tb"})
# The flows the model distinguishes: separated NdPr, Dy/Tb, magnets needing Dy/Tb, other magnets.
FLOWS = ("ndpr", "heavy", "magnet_heavy", "magnet_light")


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
            return bool(elements & LIGHT_MAGNET_ELEMENTS) and bool(products & {"oxides", "metals", "compounds", "alloys"})
        if flow == "heavy":
            return bool(elements & HEAVY_MAGNET_ELEMENTS) and bool(products & {"oxides", "metals", "compounds", "alloys"})
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


@dataclass
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

    def add(self, control: Control) -> Control:
        control.id = len(self.controls)
        self.controls.append(control)
        return control

    def end(self, kind: str, tick: int, *, actor: str | None = None, target: str | None = None) -> list[Control]:
        """End every control of ``kind`` (optionally by actor/target) at ``tick``; return those ended."""
        ended = []
        for control in self.controls:
            if control.kind != kind or (actor and control.actor != actor) or (target and control.target != target):
                continue
            if control.end is None or control.end > tick:
                control.end = max(tick, control.start)
                ended.append(control)
        return ended

    def in_force(self, kind: str, tick: int) -> list[Control]:
        return [c for c in self.controls if c.kind == kind and c.active(tick)]

    def latest(self, kind: str, tick: int, *, actor: str | None = None, target: str | None = None) -> Control | None:
        """The most recently started control of ``kind`` in force (later additions win ties)."""
        best = None
        for control in self.controls:
            if control.kind != kind or not control.active(tick):
                continue
            if (actor and control.actor != actor) or (target and control.target != target):
                continue
            if best is None or control.start >= best.start:
                best = control
        return best

    # ---- queries the model uses ---------------------------------------------------------

    def tariff(self, actor: str, target: str, tick: int) -> float:
        control = self.latest("tariff", tick, actor=actor, target=target)
        return float(control.params["rate"]) if control else 0.0

    def licence_availability(self, flow: str, destination: str, tick: int) -> float:
        """Share of Chinese exports of ``flow`` to ``destination`` that may leave China this month."""
        availability = 1.0
        for control in self.controls:
            if control.kind not in ("export_licensing", "extraterritorial") or not control.active(tick):
                continue
            if control.covers(flow):
                availability = min(availability, control.grant_rate(tick, destination))
        return availability

    def tech_ban(self, tick: int) -> bool:
        return bool(self.in_force("tech_ban", tick))

    def equipment_control(self, tick: int) -> bool:
        return bool(self.in_force("equipment_control", tick))

    def raw_ore_ban(self, tick: int) -> bool:
        return bool(self.in_force("raw_ore_ban", tick))

    def price_floor(self, beneficiary: str, tick: int) -> float:
        floors = [float(c.params["floor_usd_kg"]) for c in self.in_force("price_floor", tick) if c.target == beneficiary]
        return max(floors, default=0.0)

    def origin_rule(self, tick: int, origin: str) -> bool:
        return any(c.target == origin for c in self.in_force("origin_rule", tick))

    def plant_licence(self, plant: str, tick: int) -> LicenceState:
        """Licence state of ``plant``; with no licence on record the plant may not operate."""
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
            if str(control.params.get("announcement", "")) in announcements and (control.end is None or control.end > tick):
                control.suspended_until = until
                suspended.append(control)
        return suspended

    def active_list(self, tick: int) -> list[Control]:
        return [c for c in self.controls if c.active(tick)]
