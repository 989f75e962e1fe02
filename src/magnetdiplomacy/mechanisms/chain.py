"""The physical chain: plants, ore parcels and the two transformations (separation, magnet making).

Ore and concentrate travel as :class:`Parcel` (tonnes of rare-earth oxide and the NdPr inside it),
so grades mix correctly when ore from several mines meets in one feed stock. Every transformation
returns what it produced *and* what it lost, so the model can check mass balance each month:

* separation: REO in = NdPr out + co-product oxides out + loss (``1 - recovery``);
* magnet making: NdPr in = NdPr in finished magnets + scrap NdPr recovered to oxide + scrap lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

STAGES = ("mine", "separation", "magnet", "heavy")

# A tick no run reaches: "never" for start dates and last-offer months.
NEVER = 10**6


@dataclass
class Parcel:
    """Rare-earth oxide (t REO) carrying ``ndpr_t`` tonnes of NdPr."""

    reo_t: float = 0.0
    ndpr_t: float = 0.0

    @property
    def grade(self) -> float:
        return self.ndpr_t / self.reo_t if self.reo_t > 1e-12 else 0.0

    def add(self, other: Parcel) -> None:
        self.reo_t += other.reo_t
        self.ndpr_t += other.ndpr_t

    def take(self, reo_t: float) -> Parcel:
        """Remove up to ``reo_t`` tonnes (at the parcel's grade) and return them."""
        reo_t = max(0.0, min(reo_t, self.reo_t))
        if reo_t <= 0.0:
            return Parcel()
        share = reo_t / self.reo_t
        taken = Parcel(reo_t, self.ndpr_t * share)
        self.reo_t -= taken.reo_t
        self.ndpr_t -= taken.ndpr_t
        if self.reo_t < 1e-9:  # keep float dust from accumulating
            self.reo_t = self.ndpr_t = 0.0
        return taken


@dataclass(frozen=True)
class SeparationResult:
    ndpr_t: float
    coproduct_t: float
    loss_t: float


def separate(feed: Parcel, recovery: float) -> SeparationResult:
    """Separate a feed parcel: NdPr and co-product oxides recovered, the rest lost."""
    ndpr = feed.ndpr_t * recovery
    coproduct = (feed.reo_t - feed.ndpr_t) * recovery
    return SeparationResult(ndpr, coproduct, feed.reo_t - ndpr - coproduct)


@dataclass(frozen=True)
class MagnetResult:
    magnet_t: float
    ndpr_in_magnets_t: float
    scrap_recovered_t: float
    scrap_lost_t: float


def ndpr_per_magnet(ndpr_share: float, finishing_yield: float, scrap_recovery: float) -> float:
    """Net NdPr consumed per tonne of finished magnet once scrap is recycled."""
    gross = ndpr_share / finishing_yield
    return gross - (gross - ndpr_share) * scrap_recovery


def make_magnets(ndpr_used_t: float, ndpr_share: float, finishing_yield: float, scrap_recovery: float) -> MagnetResult:
    """Turn ``ndpr_used_t`` of NdPr into finished magnets; scrap is partly recovered to oxide."""
    blanks_ndpr = ndpr_used_t
    magnets = blanks_ndpr * finishing_yield / ndpr_share
    in_magnets = magnets * ndpr_share
    scrap = blanks_ndpr - in_magnets
    return MagnetResult(magnets, in_magnets, scrap * scrap_recovery, scrap * (1.0 - scrap_recovery))


def ramp_factor(tick: int, start: int, ramp_months: float) -> float:
    """Share of nameplate available ``tick`` months into a linear ramp starting at ``start``."""
    if tick < start:
        return 0.0
    if ramp_months <= 0:
        return 1.0
    return min(1.0, (tick - start + 1) / ramp_months)


@dataclass(eq=False)
class Plant:
    """A mine, separation plant, magnet plant or heavy rare-earth circuit.

    ``nameplate_t_yr`` is in t REO/yr for mines, t NdPr/yr for separation, t NdFeB/yr for magnet
    plants and t Dy+Tb/yr for heavy circuits. ``additions`` are planned capacity changes
    ``(tick, extra t/yr, ramp months)``: expansions decided by the owner or set by the data.
    Owners change a plant only through its methods (``open_at``, ``set_start``, ``set_nameplate``,
    ``close``, ``reopen``, ``delay``, ``set_ramp``, ``add_capacity``), so that capacity can be
    remembered within a month.
    """

    name: str
    owner: str
    country: str
    stage: str
    pool: str  # "china" or "exchina": which oxide / magnet market the plant sells into
    nameplate_t_yr: float
    start: int = -NEVER
    ramp_months: float = 0.0
    grade: float = 0.0  # NdPr share of REO, for mines
    cost_factor: float = 1.0  # conversion cost relative to the benchmark, for magnet plants
    growth_per_year: float = 0.0  # compound growth of the nameplate from its start (rest-of-world mines)
    additions: list[tuple[int, float, float]] = field(default_factory=list)
    closed_from: int | None = None
    utilisation: float = 1.0
    # costs (USD per kg of product; separation plants) and how long the price has been below or above them
    cash_cost_usd_kg: float = 0.0
    capital_usd_kg: float = 0.0
    months_below_cash: int = 0
    months_above_full: int = 0
    mothballed: bool = False
    realised_usd_kg: float = 0.0  # what this month's sales fetched per kg (separation)
    revenue_usd: float = 0.0
    # recorded interruptions: (first tick, months, share of capacity available)
    outages: list[tuple[int, int, float]] = field(default_factory=list)
    # stocks
    ore: Parcel = field(default_factory=Parcel)  # mines: unsold ore; separation: feed waiting
    product_t: float = 0.0  # separation: NdPr; magnet: finished magnets; heavy: Dy+Tb
    input_t: float = 0.0  # magnet plants: NdPr waiting to be used
    heavy_t: float = 0.0  # magnet plants: Dy+Tb waiting to be used
    # this month's flows
    output_t: float = 0.0
    coproduct_t: float = 0.0
    feed_used: Parcel = field(default_factory=Parcel)
    input_used_t: float = 0.0
    sold_t: float = 0.0
    sold_to_china_t: float = 0.0  # separation plants outside China: part of sales that went to China
    orders_t: float = 0.0  # magnet plants: tonnes buyers asked for this month
    effective_capacity_t: float = 0.0  # magnet plants: capacity usable given Dy/Tb supply
    history_orders: list[float] = field(default_factory=list)
    # Capacity is asked for many times a month: remember the last answer. Every change of what it
    # depends on goes through the methods below, which count it in ``_version``.
    _version: int = field(default=0, repr=False)
    _capacity_memo: tuple[int, int, float] | None = field(default=None, repr=False)

    def capacity_t_yr(self, tick: int) -> float:
        """Nameplate in force at ``tick`` after ramps and planned additions."""
        memo = self._capacity_memo
        if memo is not None and memo[0] == tick and memo[1] == self._version:
            return memo[2]
        value = self._capacity_t_yr(tick)
        self._capacity_memo = (tick, self._version, value)
        return value

    @property
    def full_cost_usd_kg(self) -> float:
        """Cash cost plus capital charge: what keeps the plant in business."""
        return self.cash_cost_usd_kg + self.capital_usd_kg

    def _capacity_t_yr(self, tick: int) -> float:
        if (self.closed_from is not None and tick >= self.closed_from) or self.mothballed:
            return 0.0
        total = self.nameplate_t_yr * ramp_factor(tick, self.start, self.ramp_months)
        if self.growth_per_year:
            total *= (1.0 + self.growth_per_year) ** (max(0, tick - max(self.start, 0)) / 12.0)
        for when, extra, ramp in self.additions:
            total += extra * ramp_factor(tick, when, ramp)
        for first, months, available in self.outages:
            if first <= tick < first + months:
                total *= available
        return max(0.0, total)

    def capacity_t(self, tick: int) -> float:
        """Monthly capacity at ``tick``."""
        memo = self._capacity_memo
        if memo is not None and memo[0] == tick and memo[1] == self._version:
            return memo[2] / 12.0
        return self.capacity_t_yr(tick) / 12.0

    def planned_t_yr(self, tick: int) -> float:
        """Capacity once every planned addition has ramped up (for investment decisions)."""
        if self.closed_from is not None and tick >= self.closed_from:
            return 0.0
        return self.nameplate_t_yr + sum(extra for _, extra, _ in self.additions)

    def add_capacity(self, when: int, extra_t_yr: float, ramp_months: float = 12.0) -> None:
        """Plan ``extra_t_yr`` more capacity from ``when``, reached over ``ramp_months``."""
        self.additions.append((when, extra_t_yr, ramp_months))
        self._version += 1

    def open_at(self, start: int, nameplate_t_yr: float, ramp_months: float | None = None) -> None:
        """(Re)plan the plant to open at ``start`` with ``nameplate_t_yr``."""
        self.start = start
        self.nameplate_t_yr = nameplate_t_yr
        if ramp_months is not None:
            self.ramp_months = ramp_months
        self._version += 1

    def set_nameplate(self, nameplate_t_yr: float) -> None:
        """The nameplate (t/yr) the plant ramps up to."""
        self.nameplate_t_yr = nameplate_t_yr
        self._version += 1

    def set_start(self, start: int) -> None:
        """The month the plant opens."""
        self.start = start
        self._version += 1

    def delay(self, months: int) -> None:
        """Move the opening ``months`` later."""
        self.start += months
        self._version += 1

    def set_ramp(self, months: float) -> None:
        """Months from opening to nameplate."""
        if months != self.ramp_months:
            self.ramp_months = months
            self._version += 1

    def close(self, tick: int) -> None:
        """Stop the plant from ``tick`` (no capacity until it reopens)."""
        self.closed_from = tick
        self._version += 1

    def reopen(self) -> None:
        """Lift a closure."""
        self.closed_from = None
        self._version += 1

    def mothball(self) -> None:
        """Stop producing after sustained losses (capacity kept for a restart)."""
        self.mothballed = True
        self._version += 1

    def restart(self) -> None:
        """Produce again after a mothball."""
        self.mothballed = False
        self.months_below_cash = 0
        self._version += 1

    def reset_flows(self) -> None:
        """Zero this month's flows (stocks stay)."""
        self.output_t = self.coproduct_t = self.input_used_t = self.sold_t = self.sold_to_china_t = 0.0
        self.feed_used = Parcel()


FlowKey = tuple[str, str, str, str]  # (from stage, from country, to stage, to country)


@dataclass
class Stockpile:
    """NdPr a state holds outside the market (t) and what it bought and released this month."""

    owner: str
    pool: str
    held_t: float = 0.0
    bought_t: float = 0.0
    released_t: float = 0.0


@dataclass(eq=False)
class Chain:
    """The physical state of a run: plants, cumulative tonnages and this month's flows.

    ``pending`` names plants that open after the first month and take their numbers from the
    scenario only when they open: a scenario section, the fields whose product is the nameplate,
    and the field of the ramp months (or ``None``). Until then those values have not influenced the
    run, so sweeps can share the months before it between runs that differ only in them (see
    magnetdiplomacy.sweeps.sharing).
    """

    plants: dict[str, Plant]
    magnet_plants: list[Plant]  # the magnet suppliers, in the order buyers see them
    pending: dict[str, tuple[Any, tuple[str, ...], str | None]] = field(default_factory=dict)
    totals: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    edges: defaultdict[FlowKey, float] = field(default_factory=lambda: defaultdict(float))
    flows: dict[str, Any] = field(default_factory=dict)
    stockpiles: dict[str, Stockpile] = field(
        default_factory=lambda: {
            "china_reserve": Stockpile("China", "china"),
            "allied": Stockpile("United States and allies", "exchina"),
        }
    )

    def open_due(self, tick: int) -> None:
        """Give plants opening this month (or earlier) their nameplate (and ramp) from the scenario."""
        for name in [n for n in self.pending if self.plants[n].start <= tick]:
            section, _, ramp = self.pending[name]
            plant = self.plants[name]
            plant.set_nameplate(self.nameplate(name))
            if ramp is not None:
                plant.set_ramp(float(getattr(section, ramp)))
            del self.pending[name]

    def nameplate(self, name: str) -> float:
        """A plant's nameplate, read from the scenario if the plant has not opened yet."""
        if name not in self.pending:
            return self.plants[name].nameplate_t_yr
        section, fields, _ = self.pending[name]
        value = getattr(section, fields[0])
        for other in fields[1:]:
            value = value * getattr(section, other)
        return float(value)

    def start_plant(self, name: str, tick: int) -> None:
        """Open a planned plant now (its nameplate is read if it was still pending)."""
        self.plants[name].set_start(tick)
        self.open_due(tick)

    def new_month(self) -> None:
        """Zero this month's flows before production."""
        for plant in self.plants.values():
            plant.reset_flows()
        self.edges = defaultdict(float)
