"""Typed partnerships between actors, kept as a networkx multigraph.

Ties are ``supply`` (supply or offtake), ``technology`` (technology transfer), ``investment``
(investment or joint venture) and ``mou`` (government memorandum or agreement). Each node has a
``bloc`` in [-1, +1] (-1 China, +1 United States, allies in between) and a ``malaysian`` flag; the
ties that touch a Malaysian node and reach across to a bloc are what reveals Malaysia's alignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TIE_TYPES = ("supply", "technology", "investment", "mou")

# How strongly one tie of each type signals which side Malaysia is on (alignment units).
TIE_WEIGHTS = {"supply": 0.15, "technology": 0.2, "investment": 0.3, "mou": 0.3}


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


class PartnershipGraph:
    """The partnership network of one run: who is tied to whom, how, and since when."""

    def __init__(self, actors=ACTORS) -> None:
        import networkx as nx  # here, not at the top: commands that only read scenarios need no networkx

        self.graph = nx.MultiGraph()
        for actor in actors:
            self.graph.add_node(actor.name, bloc=actor.bloc, malaysian=actor.malaysian, kind=actor.kind)
        self.history: list[dict] = []
        self._memo: dict[tuple, Any] = {}  # answers that hold until the next tie changes
        self._keys: set[tuple[frozenset[str], str]] = set()  # the ties in force, for quick look-ups

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
        """Create a tie; returns False if it already exists."""
        self._check(a, b, kind)
        if self.has(a, b, kind):
            return False
        self.graph.add_edge(a, b, key=kind, kind=kind, since=tick, **attrs)
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

    def count(self) -> int:
        """Number of ties in force."""
        return len(self._keys)

    def _cross_ties(self) -> list[tuple[str, dict]]:
        """(tie type, foreign node) of every tie linking a Malaysian actor to a foreign one."""
        known = self._memo.get(("cross",))
        if known is None:
            known = []
            for a, b, key in self.graph.edges(keys=True):
                node_a, node_b = self.graph.nodes[a], self.graph.nodes[b]
                if node_a["malaysian"] == node_b["malaysian"]:
                    continue
                known.append((key, node_b if node_a["malaysian"] else node_a))
            self._memo[("cross",)] = known
        return known

    def malaysia_tilt(self) -> float:
        """Signed sum of the ties linking a Malaysian actor to a non-Malaysian one (+ US side)."""
        tilt = 0.0
        for key, foreign in self._cross_ties():
            tilt += TIE_WEIGHTS[key] * foreign["bloc"]
        return tilt

    def bloc_ties(self) -> tuple[float, float]:
        """Weighted ties of Malaysian actors with the US side and with the China side (both >= 0)."""
        us_ties = china_ties = 0.0
        for key, foreign in self._cross_ties():
            bloc = foreign["bloc"]
            if bloc > 0:
                us_ties += TIE_WEIGHTS[key] * bloc
            elif bloc < 0:
                china_ties += TIE_WEIGHTS[key] * -bloc
        return us_ties, china_ties

    def technology_ties(self, chinese_tech_ban: bool) -> int:
        """Technology ties bringing know-how into Malaysia; Chinese ones count only without
        China's technology-export ban."""
        count = 0
        for key, foreign in self._cross_ties():
            if key != "technology" or (foreign["bloc"] < 0 and chinese_tech_ban):
                continue
            count += 1
        return count
