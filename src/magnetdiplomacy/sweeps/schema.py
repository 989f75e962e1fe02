"""The sweep file's schema (pydantic models of the YAML as written) and the names it allows."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, field_validator

from ..parameters import YearMonth
from ..scenario import ScenarioError

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


class SweepError(ScenarioError):
    """A sweep file, option or folder that cannot be used; the message is one line for the user
    (line breaks in it, from a key or value quoted, become spaces)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).splitlines()))


# The default limit on a sweep's runs (``sweep --max-runs`` raises it): the plan of every run is
# written before the first runs, about 44 bytes a run, and a million runs take days of CPU.
MAX_RUNS = 1_000_000
# No design may exceed this, whatever the limit.
HARD_MAX_RUNS = 100_000_000


def _finite(value: Any) -> Any:
    """A finite number: no booleans (YAML's true is not 1.0), no NaN or infinity, no words."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ValueError("must be a number") from None
        if not math.isfinite(number):
            raise ValueError("must be a finite number")
        return number
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Number = Annotated[float, BeforeValidator(_finite)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamEntry(_Strict):
    values: list[Number] | None = None
    range: tuple[Number, Number] | None = None
    levels: StrictInt | None = Field(None, ge=2, le=1000)


class DesignSpec(_Strict):
    kind: Literal["factorial", "lhs", "sobol", "morris"]
    samples: StrictInt | None = Field(None, ge=1, le=HARD_MAX_RUNS)
    levels: StrictInt | None = Field(None, ge=2, le=1000)
    second_order: StrictBool = False

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
    threshold: Number | None = None
    band: tuple[Number, Number] | None = None


class OutcomeSpec(_Strict):
    series: list[str] = list(DEFAULT_SERIES)
    scalars: dict[str, ScalarSpec] | None = None


class PosteriorSpec(_Strict):
    folder: str = Field(min_length=1)  # a posterior folder (docs/validation.md), e.g. configs/posterior
    draws: StrictInt = Field(ge=1, le=100_000)


class SweepFile(_Strict):
    name: str | None = Field(None, min_length=1)
    description: str = ""
    base: str = "baseline"
    set: dict[str, Any] = {}
    parameters: dict[str, ParamEntry]
    design: DesignSpec
    replications: StrictInt = Field(1, ge=1, le=100_000)
    seed: StrictInt = Field(0, ge=0, le=2**32 - 1)
    seeding: Literal["common", "independent"] = "common"
    outcomes: OutcomeSpec = OutcomeSpec()
    batch: StrictInt | None = Field(None, ge=1, le=10_000)
    posterior: PosteriorSpec | None = None  # draws replicate every point (inference/sweep_draws.py)

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
