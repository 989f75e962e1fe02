"""Shared history: runs of a sweep that start from a copy of another run instead of from scratch.

Two runs with the same seed execute the same code on the same state with the same random numbers,
month by month, until the model first *reads* a scenario value in which they differ. Up to that
month they are the same run. A sweep that varies, say, JS Link's capacity (first read when the
plant opens in 2027) and the chance of Chinese escalation (first read when agents take over from
the replayed history in 2026-04) therefore computes 2020-2026 once per seed and combination of
the values read earlier, not once per run.

How it stays exact:

- :class:`ReadTracker` watches chosen scenario values of a *reference* run and records the month
  (``tick``; -1 while the model is built) in which each is first read. It replaces the class of
  the section holding a watched value by a subclass whose property notes the read; nothing else
  about the scenario changes.
- The reference keeps copies of itself (``copy.deepcopy``, random number generators included) at
  the start of some months.
- A run that differs from the reference only in values first read in month ``k`` or later starts
  from the reference's latest copy taken at or before ``k``, with its own values written into the
  copy's scenario, and runs on from there. Values read before ``k`` are equal in both runs, so the
  copy *is* the state this run would have reached; a value read at model build (``-1``) never
  allows sharing.

The results are bit-identical to running every run from scratch (tests compare whole sweeps run
both ways). The approach relies on the model reading scenario values only by attribute access
during a run (never ``model_dump``, iteration or ``__dict__``), which holds for
:class:`~magnetdiplomacy.model.MagnetDiplomacyModel`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..model import MagnetDiplomacyModel
from ..parameters import Scenario

NEVER_READ = math.inf


def leaves(section: BaseModel, prefix: str = "") -> dict[str, Any]:
    """Every value of a scenario by dotted path, read without triggering a :class:`ReadTracker`."""
    out: dict[str, Any] = {}
    for name, value in section.__dict__.items():
        if isinstance(value, BaseModel):
            out.update(leaves(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def _owner(scenario: BaseModel, path: str) -> tuple[BaseModel, str]:
    *head, name = path.split(".")
    owner = scenario
    for part in head:
        owner = owner.__dict__[part]
    return owner, name


class ReadTracker:
    """Records the month in which each watched scenario value is first read."""

    def __init__(self) -> None:
        self.tick = -1
        self.first: dict[str, int] = {}
        self.active = True

    def watch(self, scenario: BaseModel, paths: Iterable[str]) -> None:
        """Watch the values at ``paths`` (dotted) of ``scenario``; changes the sections' classes."""
        watched: dict[int, type] = {}
        for path in paths:
            owner, name = _owner(scenario, path)
            cls = watched.get(id(owner))
            if cls is None:
                cls = watched[id(owner)] = type(
                    f"Watched{type(owner).__name__}", (type(owner),), {"__module__": __name__}
                )
                object.__setattr__(owner, "__class__", cls)
            type.__setattr__(cls, name, self._property(path, name))

    def _property(self, path: str, name: str) -> property:
        def read(section: BaseModel) -> Any:
            if self.active and path not in self.first:
                self.first[path] = self.tick
            return section.__dict__[name]

        def write(section: BaseModel, value: Any) -> None:
            read(section)
            section.__dict__[name] = value

        return property(read, write)

    def first_read(self, path: str) -> float:
        """Month of the first read of ``path`` (``inf`` if it was never read)."""
        return self.first.get(path, NEVER_READ)


@dataclass
class Reference:
    """A run that was tracked and copied; later runs with the same seed may start from its copies."""

    seed: int
    values: dict[str, Any]
    tracker: ReadTracker
    snapshots: dict[int, MagnetDiplomacyModel] = field(default_factory=dict)

    def start_for(self, values: dict[str, Any], varied: Sequence[str]) -> tuple[int, list[str]]:
        """The latest month a run with ``values`` can start from, and the paths that differ."""
        differ = [path for path in varied if not same_value(values[path], self.values[path])]
        limit = min((self.tracker.first_read(path) for path in differ), default=NEVER_READ)
        usable = [tick for tick in self.snapshots if tick <= limit]
        return (max(usable) if usable else -1), differ


def same_value(a: Any, b: Any) -> bool:
    """Equal scenario values (two NaNs count as equal)."""
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def start_from(snapshot: MagnetDiplomacyModel, values: dict[str, Any], differ: Iterable[str]) -> MagnetDiplomacyModel:
    """A copy of ``snapshot`` with the scenario values at ``differ`` set from ``values``."""
    model = copy.deepcopy(snapshot)
    for path in differ:
        owner, name = _owner(model.config, path)
        owner.__dict__[name] = copy.deepcopy(values[path])
    return model


@dataclass
class SharedRunner:
    """Runs many (scenario, seed) pairs, starting each from the best copy of an earlier run.

    ``build(scenario, seed)`` makes a model ready to step (the worker installs its recorder there);
    ``snapshot_ticks`` are the months at which reference runs keep copies of themselves;
    ``varied`` are the dotted paths whose values may differ between the runs.
    """

    build: Callable[[Scenario, int], MagnetDiplomacyModel]
    snapshot_ticks: Sequence[int]
    varied: Sequence[str]
    keep: int = 4
    references: list[Reference] = field(default_factory=list)
    months_shared: int = 0

    def run(self, scenario: Scenario, seed: int, values: dict[str, Any] | None = None) -> MagnetDiplomacyModel:
        """Run one scenario with one seed to its end; return the finished model.

        ``values`` are the scenario's :func:`leaves`, if the caller has them already."""
        values = leaves(scenario) if values is None else values
        best: tuple[int, Reference | None, list[str]] = (0, None, [])
        for reference in self.references:
            if reference.seed != seed:
                continue
            tick, differ = reference.start_for(values, self.varied)
            if tick > best[0]:
                best = (tick, reference, differ)
        tick, chosen, differ = best
        if chosen is not None:
            model = start_from(chosen.snapshots[tick], values, differ)
            self.months_shared += tick
            _finish(model)
            return model
        return self._reference(scenario, seed, values)

    def _reference(self, scenario: Scenario, seed: int, values: dict[str, Any]) -> MagnetDiplomacyModel:
        model, tracker, snapshots = tracked_run(scenario, seed, self.varied, self.build, self.snapshot_ticks)
        if snapshots:
            self.references.append(Reference(seed, values, tracker, snapshots))
            del self.references[: -self.keep]
        return model


def _finish(model: MagnetDiplomacyModel) -> None:
    model.run()


def tracked_run(
    scenario: Scenario,
    seed: int,
    paths: Sequence[str],
    build: Callable[[Scenario, int], MagnetDiplomacyModel],
    snapshot_ticks: Sequence[int] = (),
) -> tuple[MagnetDiplomacyModel, ReadTracker, dict[int, MagnetDiplomacyModel]]:
    """Run ``scenario`` to its end with the values at ``paths`` watched; return the finished model,
    the tracker and copies of the model taken at the start of ``snapshot_ticks`` (only while some
    watched value is still unread: a later copy is of no use)."""
    scenario = scenario.model_copy(deep=True)  # the tracker changes section classes
    tracker = ReadTracker()
    tracker.watch(scenario, paths)
    model = build(scenario, seed)
    snapshots: dict[int, MagnetDiplomacyModel] = {}
    wanted = {t for t in snapshot_ticks if 0 < t < model.n_ticks}
    while model.running:  # month by month: the tracker must know the month before it is run
        tick = model.tick
        if tick in wanted and any(path not in tracker.first for path in paths):
            snapshots[tick] = copy.deepcopy(model)
        tracker.tick = tick
        model.step()
    tracker.active = False
    return model, tracker, snapshots


def first_reads(scenario: Scenario, paths: Sequence[str], seed: int) -> dict[str, float]:
    """Run ``scenario`` once and return the month each of ``paths`` is first read (``inf``: never)."""
    _, tracker, _ = tracked_run(scenario, seed, paths, lambda s, r: MagnetDiplomacyModel(s, rng=r))
    return {path: tracker.first_read(path) for path in paths}
