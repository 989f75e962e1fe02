"""Typed partnerships between actors, kept as a networkx multigraph.

Ties are ``supply`` (supply or offtake), ``technology`` (technology transfer), ``investment``
(investment or joint venture), ``security`` (defence or security supply) and ``mou`` (government
memorandum or agreement). Each node has a ``bloc`` in [-1, +1] (-1 China, +1 United States, allies
in between) and a ``malaysian`` flag; the ties that touch a Malaysian node and reach across to a
bloc are what reveals Malaysia's alignment.

Ties live and fade. A tie's strength starts at 1 when it is formed or renewed (forming a tie that
exists renews it) and halves every ``half_life`` years of its type, unless it is acted on: a supply
tie between two firms carries their trade every month and keeps its strength until it is broken.
A tie whose strength falls below ``lapse_strength`` lapses. What a tie reveals is its type's weight
times its strength.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..parameters import Scenario

TIE_TYPES = ("supply", "technology", "investment", "security", "mou")

# How strongly one tie of each type signals which side Malaysia is on (alignment units).
TIE_WEIGHTS = {"supply": 0.15, "technology": 0.2, "investment": 0.3, "security": 0.3, "mou": 0.3}


def tie_strength(age_months: float, half_life_years: float) -> float:
    """Strength of a tie ``age_months`` after it was formed or last renewed."""
    if half_life_years <= 0:
        return 0.0
    return 0.5 ** (max(0.0, age_months) / (12.0 * half_life_years))


def tie_label(a: str, b: str, kind: str) -> str:
    """How a tie is named in the alignment attribution (``"mou: Malaysia - United States"``)."""
    first, second = sorted((a, b))
    return f"{kind}: {first} - {second}"


@dataclass(frozen=True)
class Actor:
    name: str
    bloc: float
    malaysian: bool = False
    kind: str = "firm"


# Actors that can hold ties. Bloc positions: the US and China at the poles, their close partners
# in between (Australia, Japan, Korea lean to the US side; Chinese state firms sit with China).
ACTORS = (
    Actor("United States", 1.0, kind="state"),
    Actor("China", -1.0, kind="state"),
    Actor("Malaysia", 0.0, True, kind="state"),
    Actor("Lynas", 0.5),
    Actor("JS Link", 0.0, True),
    Actor("MP Materials", 1.0),
    Actor("Japanese magnet makers", 0.5),
    Actor("US buyers", 1.0, kind="buyers"),
    Actor("China Rare Earth Group", -1.0),
    Actor("Khazanah Nasional", 0.0, True, kind="state"),
    Actor("Kelantan MB Inc", 0.0, True, kind="state"),
    Actor("Perak state", 0.0, True, kind="state"),
    Actor("Korea", 0.5, kind="state"),
    Actor("Australia", 0.5, kind="state"),
)


def tie_half_lives(config: Scenario) -> dict[str, float]:
    """Half-life (years) of each fading tie type, from ``malaysia.hedging``."""
    hedging = config.malaysia.hedging
    return {
        "mou": hedging.mou_half_life_years,
        "investment": hedging.investment_half_life_years,
        "technology": hedging.technology_half_life_years,
        "supply": hedging.supply_half_life_years,
        "security": hedging.supply_half_life_years,
    }


class PartnershipGraph:
    """The partnership network of one run: who is tied to whom, how, and since when."""

    def __init__(self, actors=ACTORS, half_lives: dict[str, float] | None = None, lapse_strength: float = 0.0) -> None:
        import networkx as nx  # here, not at the top: commands that only read scenarios need no networkx

        self.graph = nx.MultiGraph()
        for actor in actors:
            self.graph.add_node(actor.name, bloc=actor.bloc, malaysian=actor.malaysian, kind=actor.kind)
        self.history: list[dict] = []
        self._memo: dict[tuple, Any] = {}  # answers that hold until the next tie changes
        self._keys: set[tuple[frozenset[str], str]] = set()  # the ties in force, for quick look-ups
        self.half_lives = dict(half_lives or {})  # years per tie type; a type not listed does not fade
        self.lapse_strength = lapse_strength
        self.tick = 0

    def _check(self, a: str, b: str, kind: str) -> None:
        if kind not in TIE_TYPES:
            raise ValueError(f"unknown tie type '{kind}' (allowed: {', '.join(TIE_TYPES)})")
        for name in (a, b):
            if name not in self.graph:
                raise ValueError(f"unknown actor '{name}'")

    def has(self, a: str, b: str, kind: str) -> bool:
        """Is there a tie of type ``kind`` between ``a`` and ``b``?"""
        return (frozenset((a, b)), kind) in self._keys

    def form(self, a: str, b: str, kind: str, tick: int, **attrs) -> bool:
        """Create a tie; returns False if it already exists (it is then renewed: full strength again)."""
        self._check(a, b, kind)
        if self.has(a, b, kind):
            self.graph.edges[a, b, kind]["renewed"] = tick
            self.history.append({"tick": tick, "a": a, "b": b, "kind": kind, "change": "renewed"})
            return False
        self.graph.add_edge(a, b, key=kind, kind=kind, since=tick, renewed=tick, **attrs)
        self._keys.add((frozenset((a, b)), kind))
        self.history.append({"tick": tick, "a": a, "b": b, "kind": kind, "change": "formed"})
        self._memo.clear()
        return True

    def dissolve(self, a: str, b: str, kind: str, tick: int) -> bool:
        """Remove a tie; returns False if there was none."""
        if not self.has(a, b, kind):
            return False
        self.graph.remove_edge(a, b, key=kind)
        self._keys.discard((frozenset((a, b)), kind))
        self.history.append({"tick": tick, "a": a, "b": b, "kind": kind, "change": "broken"})
        self._memo.clear()
        return True

    def ties(self) -> list[tuple[str, str, str, dict]]:
        """(a, b, type, attributes) of every tie in force."""
        return [(a, b, key, data) for a, b, key, data in self.graph.edges(keys=True, data=True)]

    def fades(self, a: str, b: str, kind: str) -> bool:
        """Does this tie fade? Not a supply tie between two firms: it is acted on by their trade."""
        if kind == "supply" and all(self.graph.nodes[n]["kind"] in ("firm", "buyers") for n in (a, b)):
            return False
        return kind in self.half_lives

    def strength(self, a: str, b: str, kind: str, tick: int | None = None) -> float:
        """Strength (0-1) of a tie in force at ``tick`` (default: the graph's month)."""
        if not self.has(a, b, kind):
            return 0.0
        if not self.fades(a, b, kind):
            return 1.0
        renewed = self.graph.edges[a, b, kind].get("renewed", 0)
        return tie_strength((self.tick if tick is None else tick) - renewed, self.half_lives[kind])

    def advance(self, tick: int) -> list[tuple[str, str, str]]:
        """Move to month ``tick``: ties whose strength fell below the lapse strength end (returned)."""
        self.tick = tick
        lapsed = [
            (a, b, kind)
            for a, b, kind in list(self.graph.edges(keys=True))
            if self.fades(a, b, kind) and self.strength(a, b, kind) < self.lapse_strength
        ]
        for a, b, kind in lapsed:
            self.dissolve(a, b, kind, tick)
            self.history[-1]["change"] = "lapsed"
        return lapsed

    def count(self) -> int:
        """Number of ties in force."""
        return len(self._keys)

    def _cross_ties(self) -> list[tuple[str, str, str, dict]]:
        """(a, b, tie type, foreign node) of every tie linking a Malaysian actor to a foreign one."""
        known = self._memo.get(("cross",))
        if known is None:
            known = []
            for a, b, key in self.graph.edges(keys=True):
                node_a, node_b = self.graph.nodes[a], self.graph.nodes[b]
                if node_a["malaysian"] == node_b["malaysian"]:
                    continue
                known.append((a, b, key, node_b if node_a["malaysian"] else node_a))
            self._memo[("cross",)] = known
        return known

    def malaysia_tilts(self) -> dict[str, float]:
        """What each tie linking a Malaysian actor to a foreign one reveals: weight x strength x the
        foreign actor's bloc (+ US side), by tie (see :func:`tie_label`)."""
        return {
            tie_label(a, b, key): TIE_WEIGHTS[key] * self.strength(a, b, key) * foreign["bloc"]
            for a, b, key, foreign in self._cross_ties()
            if foreign["bloc"] != 0
        }

    def bloc_ties(self) -> tuple[float, float]:
        """Weighted ties of Malaysian actors with the US side and with the China side (both >= 0)."""
        us_ties = china_ties = 0.0
        for a, b, key, foreign in self._cross_ties():
            bloc = foreign["bloc"]
            weight = TIE_WEIGHTS[key] * self.strength(a, b, key)
            if bloc > 0:
                us_ties += weight * bloc
            elif bloc < 0:
                china_ties += weight * -bloc
        return us_ties, china_ties

    def malaysian_ore_to_lynas(self) -> bool:
        """May Malaysian ore go to Lynas' Kuantan plant (a Malaysian state has a supply tie with Lynas)?"""
        return self.has("Kelantan MB Inc", "Lynas", "supply") or self.has("Perak state", "Lynas", "supply")

    def technology_ties(self, chinese_tech_ban: bool) -> int:
        """Technology ties bringing know-how into Malaysia; Chinese ones count only without
        China's technology-export ban."""
        count = 0
        for _, _, key, foreign in self._cross_ties():
            if key != "technology" or (foreign["bloc"] < 0 and chinese_tech_ban):
                continue
            count += 1
        return count
