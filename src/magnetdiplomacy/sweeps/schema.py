"""The sweep file's schema (pydantic models of the YAML as written) and the names it allows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..parameters import YearMonth

DESIGNS = ("factorial", "lhs", "sobol", "morris")
DESIGN_ALIASES = {
    "full_factorial": "factorial",
    "grid": "factorial",
    "latin": "lhs",
    "latin_hypercube": "lhs",
    "saltelli": "sobol",
}
STATS = (
    "last",
    "first",
    "mean",
    "min",
    "max",
    "sum",
    "std",
    "at",
    "max_abs",
    "frac_above",
    "frac_below",
    "frac_outside",
    "ever_above",
    "ever_below",
    "ever_outside",
)
THRESHOLD_STATS = ("frac_above", "frac_below", "ever_above", "ever_below")
BAND_STATS = ("frac_outside", "ever_outside")
RESERVED = ("run_id", "point", "rep", "seed", "tick", "date")
DEFAULT_SERIES = ("malaysia_alignment", "malaysia_magnet_share_nonchina", "malaysia_oxide_share_global")
MAX_RUNS = 10_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamEntry(_Strict):
    values: list[float] | None = None
    range: tuple[float, float] | None = None
    levels: int | None = Field(None, ge=2, le=1000)


class DesignSpec(_Strict):
    kind: Literal["factorial", "lhs", "sobol", "morris"]
    samples: int | None = Field(None, ge=1, le=MAX_RUNS)
    levels: int | None = Field(None, ge=2, le=1000)
    second_order: bool = False

    @field_validator("kind", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        return DESIGN_ALIASES.get(value, value) if isinstance(value, str) else value


class ScalarSpec(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    column: str
    stat: Literal[STATS] = "last"  # type: ignore[valid-type]
    start: YearMonth | None = Field(None, alias="from")
    to: YearMonth | None = None
    at: YearMonth | None = None
    threshold: float | None = None
    band: tuple[float, float] | None = None


class OutcomeSpec(_Strict):
    series: list[str] = list(DEFAULT_SERIES)
    scalars: dict[str, ScalarSpec] | None = None


class SweepFile(_Strict):
    name: str | None = None
    description: str = ""
    base: str = "baseline"
    set: dict[str, Any] = {}
    parameters: dict[str, ParamEntry]
    design: DesignSpec
    replications: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    seeding: Literal["common", "independent"] = "common"
    outcomes: OutcomeSpec = OutcomeSpec()
    batch: int | None = Field(None, ge=1, le=10_000)

    @field_validator("parameters", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, entry in value.items():
            if entry is None:
                entry = {}
            elif isinstance(entry, (list, tuple)):
                entry = {"values": list(entry)}
            out[key] = entry
        return out
