"""How a parameter is declared: :func:`param` (default, range, unit, description, source, flag)
on the fields of a :class:`Section`; months are :data:`YearMonth`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..timeline import parse_month

FLAGS = ("OK", "2nd", "VINTAGE", "UNCERTAIN", "GAP", "ASSUMPTION", "DESIGN")


def _check_month(value: str) -> str:
    year, month = parse_month(value)
    if not 1990 <= year <= 2100:
        raise ValueError(f"year {year} is outside 1990-2100")
    return f"{year:04d}-{month:02d}"


YearMonth = Annotated[str, AfterValidator(_check_month)]


def param(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str,
    desc: str,
    source: str,
    flag: str = "OK",
    sweep: bool = True,
) -> Any:
    """Declare one parameter (a pydantic ``Field`` carrying unit, source and flag)."""
    if flag not in FLAGS:
        raise ValueError(f"unknown flag {flag!r} (known: {', '.join(FLAGS)})")
    extra: dict[str, Any] = {"unit": unit, "source": source, "flag": flag, "sweep": sweep}
    return Field(default, ge=lo, le=hi, description=desc, json_schema_extra=extra)


class Section(BaseModel):
    """A group of parameters; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
