"""The complete scenario (:class:`Scenario`), its smaller sections, and reading the
declarations back (:func:`iter_parameters`, :func:`parameter_table`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_origin

from pydantic import BaseModel, PrivateAttr, field_validator, model_validator

from .base import Section, YearMonth, _check_month, param
from .costs import CostSettings, StockpileSettings
from .demand import BuyerSettings, DemandSettings, ReplaySettings, RunSettings
from .development import DevelopmentSettings
from .makers import JSLinkSettings, LynasSettings, MagnetSettings
from .markets import MarketSettings
from .states import ChinaSettings, MalaysiaSettings, USSettings
from .supply import MineSettings, SeparationSettings


class EconomicsSettings(Section):
    ladder_position: float = param(
        0.5,
        0.0,
        1.0,
        unit="fraction",
        desc="Where in each value-ladder band Malaysian products sit (0 low end, 1 high end)",
        source="DESIGN",
        flag="DESIGN",
    )
    ore_usd_kg: tuple[float, float] = param(
        (2.0, 4.0), unit="USD/kg", desc="Value-ladder band: raw ore", source="DESIGN", flag="DESIGN", sweep=False
    )
    oxide_usd_kg: tuple[float, float] = param(
        (15.0, 30.0),
        unit="USD/kg",
        desc="Value-ladder band: separated oxide",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )
    magnet_usd_kg: tuple[float, float] = param(
        (80.0, 150.0), unit="USD/kg", desc="Value-ladder band: magnets", source="DESIGN", flag="DESIGN", sweep=False
    )
    component_usd_kg: tuple[float, float] = param(
        (200.0, 500.0),
        unit="USD/kg",
        desc="Value-ladder band: integrated components",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )
    employment_multipliers: tuple[float, float, float, float] = param(
        (1.0, 3.0, 8.0, 12.0),
        unit="x",
        desc="Direct jobs per tonne at each rung relative to raw ore",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )
    indirect_jobs_per_direct: float = param(
        3.2, 0.0, 6.0, unit="jobs", desc="Indirect jobs per direct job", source="DESIGN", flag="DESIGN"
    )

    @field_validator("ore_usd_kg", "oxide_usd_kg", "magnet_usd_kg", "component_usd_kg")
    @classmethod
    def _band(cls, band: tuple[float, float]) -> tuple[float, float]:
        low, high = band
        if low < 0:
            raise ValueError(f"[{low:g}, {high:g}]: a price band cannot be negative")
        if low > high:
            raise ValueError(f"[{low:g}, {high:g}]: the low end is above the high end")
        return band

    @field_validator("employment_multipliers")
    @classmethod
    def _multipliers(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if min(values) < 0:
            raise ValueError(f"{list(values)}: job multipliers cannot be negative")
        return values


class PartnerSettings(Section):
    korea_offer_rate_per_year: float = param(
        0.3,
        0.0,
        2.0,
        unit="offers per year",
        desc="How often Korea offers JS Link technology and a second line once its plant is near",
        source="assumption",
        flag="ASSUMPTION",
    )
    australia_offer_rate_per_year: float = param(
        0.2,
        0.0,
        2.0,
        unit="offers per year",
        desc="How often Australia offers a critical-minerals partnership (feed and heavy rare earths at Kuantan)",
        source="assumption",
        flag="ASSUMPTION",
    )
    australia_mrec_t_yr: float = param(
        3_000,
        0,
        10_000,
        unit="t NdPr-eq/yr",
        desc="Extra Kalgoorlie MREC feed for Kuantan under the Australian partnership",
        source="assumption",
        flag="ASSUMPTION",
    )
    australia_heavy_share: float = param(
        0.5,
        0.0,
        2.0,
        unit="fraction",
        desc="Extra heavy rare-earth capacity at Kuantan under the Australian partnership (share of the plant)",
        source="assumption",
        flag="ASSUMPTION",
    )
    ask_spacing_months: float = param(
        12,
        0,
        60,
        unit="months",
        desc=(
            "Months after its home government's last offer to Malaysia before a firm's seat may ask it for another "
            "(JS Link asking Korea for finance)"
        ),
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,  # acts only when a seat chooses it
    )


Controller = Literal["agent", "player"]


class ControllerSettings(Section):
    """Who decides for each seat: the agent's rule, or a person (play-as and class sessions)."""

    united_states: Controller = param(
        "agent",
        unit="agent or player",
        desc="Who decides for the United States",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )
    china: Controller = param(
        "agent",
        unit="agent or player",
        desc="Who decides for China (quotas stay automatic)",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )
    malaysia: Controller = param(
        "agent", unit="agent or player", desc="Who decides for Malaysia", source="DESIGN", flag="DESIGN", sweep=False
    )
    lynas: Controller = param(
        "agent", unit="agent or player", desc="Who decides for Lynas", source="DESIGN", flag="DESIGN", sweep=False
    )
    jslink: Controller = param(
        "agent", unit="agent or player", desc="Who decides for JS Link", source="DESIGN", flag="DESIGN", sweep=False
    )
    buyers: Controller = param(
        "agent",
        unit="agent or player",
        desc="Who acts for the buyers' association (each buyer still follows its rule)",
        source="DESIGN",
        flag="DESIGN",
        sweep=False,
    )


class OutputSettings(Section):
    agent_table: bool = param(
        True,
        unit="bool",
        desc="Record the agent table (sweeps that keep only time series turn it off)",
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )
    buyer_snapshot_months: int = param(
        12,
        1,
        120,
        unit="months",
        desc="Interval between rows for each buyer in the agent table (first and last month always kept)",
        source="assumption",
        flag="ASSUMPTION",
        sweep=False,
    )


class Intervention(Section):
    """A dated action fired into a run (same vocabulary as the app's live interventions)."""

    date: YearMonth
    action: str
    params: dict[str, Any] = {}
    note: str = ""
    # the action's parameters once validated where the scenario was loaded (see scenario.py)
    _checked: Any = PrivateAttr(default=None)

    @property
    def checked(self) -> Any:
        """The validated action parameters, or ``None`` if the scenario was not loaded by
        :func:`magnetdiplomacy.scenario.build_scenario`."""
        return self._checked

    def set_checked(self, params: Any) -> None:
        """Remember the validated action parameters."""
        self._checked = params


class Scenario(Section):
    """A complete, validated scenario: every parameter of one run."""

    name: str = "baseline"
    description: str = ""
    extends: str | None = None
    run: RunSettings = RunSettings()
    replay: ReplaySettings = ReplaySettings()
    demand: DemandSettings = DemandSettings()
    buyers: BuyerSettings = BuyerSettings()
    mines: MineSettings = MineSettings()
    separation: SeparationSettings = SeparationSettings()
    magnets: MagnetSettings = MagnetSettings()
    jslink: JSLinkSettings = JSLinkSettings()
    lynas: LynasSettings = LynasSettings()
    market: MarketSettings = MarketSettings()
    costs: CostSettings = CostSettings()
    stockpiles: StockpileSettings = StockpileSettings()
    china: ChinaSettings = ChinaSettings()
    us: USSettings = USSettings()
    malaysia: MalaysiaSettings = MalaysiaSettings()
    development: DevelopmentSettings = DevelopmentSettings()
    economics: EconomicsSettings = EconomicsSettings()
    partners: PartnerSettings = PartnerSettings()
    controllers: ControllerSettings = ControllerSettings()
    outputs: OutputSettings = OutputSettings()
    interventions: list[Intervention] = []

    @model_validator(mode="after")
    def _end_after_start(self) -> Scenario:
        from ..timeline import months_between

        if months_between(self.run.start, self.run.end) < 0:
            raise ValueError(f"run.end ({self.run.end}) is before run.start ({self.run.start})")
        return self


# --------------------------------------------------------------------------------------------
# reading the declarations back


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter, as the CLI, the app and the sweeps see it."""

    path: str
    default: Any
    lo: float | None
    hi: float | None
    unit: str
    description: str
    source: str
    flag: str
    sweep: bool
    kind: str

    @property
    def numeric(self) -> bool:
        return self.kind in ("float", "int")


def _bounds(field) -> tuple[float | None, float | None]:
    lo = next((item.ge for item in field.metadata if getattr(item, "ge", None) is not None), None)
    hi = next((item.le for item in field.metadata if getattr(item, "le", None) is not None), None)
    return lo, hi


def _kind(field) -> str:
    if any(getattr(item, "func", None) is _check_month for item in field.metadata):
        return "month"
    annotation = field.annotation
    if annotation in (bool, int, float, str):
        return annotation.__name__
    if get_origin(annotation) is Literal:
        return "choice"
    return "list"


def iter_parameters(model: type[BaseModel] | BaseModel = Scenario, prefix: str = "") -> Iterator[ParamSpec]:
    """Yield every declared parameter with its dotted path; values come from ``model`` if it is an instance."""
    cls = model if isinstance(model, type) else type(model)
    for name, field in cls.model_fields.items():
        value = getattr(model, name) if not isinstance(model, type) else field.default
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from iter_parameters(value, prefix=path + ".")
            continue
        extra = field.json_schema_extra
        if not isinstance(extra, dict) or "unit" not in extra:
            continue
        lo, hi = _bounds(field)
        yield ParamSpec(
            path=path,
            default=value,
            lo=lo,
            hi=hi,
            unit=str(extra["unit"]),
            description=field.description or "",
            source=str(extra["source"]),
            flag=str(extra["flag"]),
            sweep=bool(extra["sweep"]) and _kind(field) in ("float", "int"),
            kind=_kind(field),
        )


def parameter_table(model: BaseModel | None = None) -> dict[str, ParamSpec]:
    """All parameters keyed by dotted path (defaults, or the values of ``model``)."""
    return {spec.path: spec for spec in iter_parameters(model or Scenario())}
