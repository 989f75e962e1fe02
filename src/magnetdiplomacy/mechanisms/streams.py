"""Named random streams, for common random numbers across scenarios.

Every kind of random decision draws from its own stream (``"china.escalation"``,
``"malaysia.offer.china_jv"``, ``"buyers.review"``, ...), and each stream is derived afresh every
month from the run's seed, the stream's name and the month
(``numpy.random.SeedSequence(seed, spawn_key=(crc32(name), month))``). So a draw depends only on
the seed, what it is for and when it is made: two scenarios run with the same seed share every draw
that their difference does not touch, however many draws the other streams made before (the
standard variance-reduction practice for simulation experiments). Within a month, successive draws
of one stream continue the same sequence.

The names are stable strings (``crc32`` is the same in every process, unlike ``hash``), so a
config and a seed give bit-identical results anywhere.
"""

from __future__ import annotations

import random
import zlib

import numpy as np

# Draws made while the model is being built (the buyer population) use this month index.
SETUP_MONTH = -1


def stream_key(name: str) -> int:
    """A stable non-negative integer for a stream's name."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """The named random streams of one run."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self.month = SETUP_MONTH
        self._live: dict[str, np.random.Generator] = {}
        # (month, stream, n-th draw of the stream that month, value), kept only when a caller asks
        self.log: list[tuple[int, str, int, float]] | None = None
        self._counts: dict[str, int] = {}

    def begin_month(self, month: int) -> None:
        """Start a new month: every stream is derived afresh for it."""
        self.month = month
        self._live.clear()
        self._counts.clear()

    def _sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(stream_key(name), self.month - SETUP_MONTH))

    def generator(self, name: str) -> np.random.Generator:
        """This month's numpy generator for stream ``name`` (for vector draws)."""
        live = self._live.get(name)
        if live is None:
            live = np.random.Generator(np.random.PCG64(self._sequence(name)))
            self._live[name] = live
        return live

    def _record(self, name: str, value: float) -> float:
        if self.log is not None:
            n = self._counts.get(name, 0)
            self._counts[name] = n + 1
            self.log.append((self.month, name, n, value))
        return value

    def uniform(self, name: str) -> float:
        """A draw from U[0, 1) on stream ``name``."""
        return self._record(name, float(self.generator(name).random()))

    def gauss(self, name: str, mean: float, sd: float) -> float:
        """A normal draw on stream ``name`` (``sd`` 0 gives the mean without drawing)."""
        if sd <= 0:
            return mean
        return self._record(name, mean + sd * float(self.generator(name).standard_normal()))

    def chance(self, name: str, probability: float) -> bool:
        """True with the given probability (one uniform draw on stream ``name``)."""
        return self.uniform(name) < probability

    def python_random(self, name: str) -> random.Random:
        """A :class:`random.Random` for this month on stream ``name`` (for Mesa's ``shuffle_do``)."""
        return random.Random(int(self._sequence(name).generate_state(2, np.uint64)[0]))
