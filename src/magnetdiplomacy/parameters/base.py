"""How a parameter is declared: :func:`param` (default, range, unit, description, source, flag)
on the fields of a :class:`Section`; months are :data:`YearMonth`.

Numbers are strict where they enter: NaN and infinity are refused, and so are ``true`` and
``false`` where a number belongs (pydantic would read them as 1 and 0): see :func:`refuse_bool`.
"""

from __future__ import annotations

import functools
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..timeline import parse_month
from .inputs import real_day

FLAGS = ("OK", "2nd", "VINTAGE", "UNCERTAIN", "GAP", "ASSUMPTION", "DESIGN")


def _check_month(value: str) -> str:
    real_day(value)
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


@functools.cache
def takes_numbers(annotation: Any) -> bool:
    """True for a field of numbers: ``float``, ``int``, optional ones, tuples and lists of them."""
    if annotation in (float, int):
        return True
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, tuple, list):
        return any(takes_numbers(arg) for arg in get_args(annotation) if arg is not Ellipsis)
    return False


def refuse_bool(model: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """``value`` unchanged, unless it is (or holds) true or false for a field of numbers."""
    kind = type(value)
    if kind is not bool and not (kind in (list, tuple) and any(type(item) is bool for item in value)):
        return value  # the usual case, kept cheap: this runs for every field of every scenario loaded
    field = model.__pydantic_fields__.get(info.field_name or "")
    annotation: Any = None if field is None else field.annotation
    if annotation is not None and takes_numbers(annotation):
        shown = str(value).lower() if isinstance(value, bool) else value
        raise ValueError(f"{shown} is true/false, not a number (write 1 or 0 if a number is meant)")
    return value


class Section(BaseModel):
    """A group of parameters; unknown keys, NaN, infinity and true/false for numbers are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_bool(cls, value, info)
