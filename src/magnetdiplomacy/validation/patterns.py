"""The patterns file: experiments to run and patterns to test, validated into typed objects.

See ``configs/validation/patterns.yaml`` and docs/validation.md for the metric and test kinds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, model_validator

from ..scenario import PROJECT_ROOT, ScenarioError
from ..sweeps.schema import Number  # finite numbers only: no NaN, infinity or true read as 1.0

DEFAULT_PATTERNS = PROJECT_ROOT / "configs" / "validation" / "patterns.yaml"

METRIC_KINDS = (
    "annual_mean",
    "annual_sum",
    "annual_growth",
    "annual_share",
    "ever",
    "value_at",
    "events",
    "peak_ratio",
    "months_until_below",
    "max_annual_increase",
    "drift",
)
TEST_KINDS = ("within", "within_relative", "range", "at_least", "at_most", "increasing", "share_of_runs")
# Where a pattern's agreement comes from: the agents and markets (earned), a replayed event
# (replayed), or an input set to the observed value (construction).
BASES = ("earned", "replayed", "construction")
BASIS_WORDS = {
    "earned": "earned (emerges from agents and markets)",
    "replayed": "replayed (follows from a replayed event)",
    "construction": "by construction (an input set to the observed value)",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Experiment(Strict):
    description: str = ""
    scenario: str
    overrides: dict[str, Any] = {}
    seeds: StrictInt = Field(20, ge=1, le=1000)


class Metric(Strict):
    """How one run becomes numbers: per year (annual_*) or one per run (the others)."""

    kind: Literal[METRIC_KINDS]  # type: ignore[valid-type]
    column: str | None = None
    expression: str | None = None
    of: str | None = None  # annual_share: denominator column
    start: str | None = None
    end: str | None = None
    date: str | None = None
    base: tuple[str, str] | None = None  # peak_ratio, months_until_below: pre-shock window
    window: tuple[str, str] | None = None  # peak_ratio: where to look for the peak
    after: str | None = None  # months_until_below: the shock month
    factor: Number = 2.0
    event_kind: str | None = None
    source: str | None = None
    contains: str | None = None

    @model_validator(mode="after")
    def _needs(self) -> Metric:
        if self.kind == "events":
            return self
        if not (self.column or self.expression):
            raise ValueError("needs a column or an expression")
        required = {
            "annual_share": ("of",),
            "value_at": ("date",),
            "peak_ratio": ("base", "window"),
            "months_until_below": ("base", "after"),
        }
        for name in required.get(self.kind, ()):
            if getattr(self, name) is None:
                raise ValueError(f"metric '{self.kind}' needs '{name}'")
        return self

    @property
    def per_year(self) -> bool:
        return self.kind.startswith("annual_")


class Test(Strict):
    kind: Literal[TEST_KINDS]  # type: ignore[valid-type]
    observed: dict[int, Number] | None = None
    tolerance: Number | None = Field(None, ge=0)
    lo: Number | None = None
    hi: Number | None = None
    by_year: dict[int, tuple[Number, Number]] | None = None
    value: Number | None = None
    at_least: Number | None = None
    at_most: Number | None = None

    @model_validator(mode="after")
    def _needs(self) -> Test:
        needs = {
            "within": ("observed", "tolerance"),
            "within_relative": ("observed", "tolerance"),
            "at_least": ("value",),
            "at_most": ("value",),
        }
        for name in needs.get(self.kind, ()):
            if getattr(self, name) is None:
                raise ValueError(f"test '{self.kind}' needs '{name}'")
        if self.kind == "range" and self.by_year is None and (self.lo is None or self.hi is None):
            raise ValueError("test 'range' needs lo and hi, or by_year")
        bands = [(self.lo, self.hi), *(self.by_year or {}).values()]
        if any(lo is not None and hi is not None and lo > hi for lo, hi in bands):
            raise ValueError("a range's low end is above its high end")
        if self.kind == "share_of_runs" and self.at_least is None and self.at_most is None:
            raise ValueError("test 'share_of_runs' needs at_least or at_most")
        return self

    # The validator above makes sure each kind of test has what it needs; these read it typed.

    def number(self, name: Literal["tolerance", "value"]) -> float:
        """``tolerance`` (within tests) or ``value`` (at_least, at_most)."""
        value = self.tolerance if name == "tolerance" else self.value
        if value is None:
            raise ValueError(f"test '{self.kind}' needs '{name}'")
        return value

    def observed_at(self, year: int | None) -> float:
        """The observed value in ``year`` (within tests)."""
        if self.observed is None or year is None:
            raise KeyError(year)
        return self.observed[year]

    def bounds(self, year: int | None = None) -> tuple[float, float]:
        """The band of a range test: ``by_year``'s for ``year`` where it has one, else (lo, hi)."""
        if self.by_year and year is not None and year in self.by_year:
            return self.by_year[year]
        if self.lo is None or self.hi is None:
            raise ValueError(f"test 'range' has no band for {year}")
        return self.lo, self.hi

    def threshold(self) -> float:
        """The share a share_of_runs test compares with: ``at_least``, else ``at_most``."""
        line = self.at_least if self.at_least is not None else self.at_most
        if line is None:
            raise ValueError("test 'share_of_runs' needs at_least or at_most")
        return line


class Pattern(Strict):
    id: str
    description: str
    experiment: str
    metric: Metric
    test: Test
    years: list[StrictInt] | None = None
    soft: StrictBool = False
    basis: Literal[BASES]  # type: ignore[valid-type]
    why: str = ""  # what makes it earned, replayed or set by construction
    sources: list[str] = []

    def test_years(self) -> list[int]:
        """Years a per-year test looks at."""
        if self.years:
            return list(self.years)
        for mapping in (self.test.observed, self.test.by_year):
            if mapping:
                return sorted(mapping)
        return []


class PatternFile(Strict):
    experiments: dict[str, Experiment]
    patterns: list[Pattern]

    @model_validator(mode="after")
    def _consistent(self) -> PatternFile:
        ids = [p.id for p in self.patterns]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate pattern ids: {', '.join(duplicates)}")
        for i, pattern in enumerate(self.patterns):
            if pattern.experiment not in self.experiments:
                raise ValueError(f"patterns[{i}] ({pattern.id}): unknown experiment '{pattern.experiment}'")
            if pattern.metric.per_year and pattern.test.kind != "share_of_runs" and not pattern.test_years():
                raise ValueError(f"patterns[{i}] ({pattern.id}): a per-year test needs years")
        return self


def scenario_source(name: str) -> str | Path:
    """An experiment's scenario: a name, or a file path relative to the working folder or else to
    the project (``configs/validation/stress_2010.yaml`` works from any working folder)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and not path.is_absolute() and not path.is_file():
        if (PROJECT_ROOT / path).is_file():
            return PROJECT_ROOT / path
    return name


def load_patterns(path: str | Path | None = None) -> PatternFile:
    """Read and validate a patterns file; any problem is a one-line :class:`ScenarioError`."""
    from ..sweeps.inputs import read_yaml_file

    path = Path(path) if path else DEFAULT_PATTERNS
    data, _ = read_yaml_file(path, "patterns file")
    try:
        return PatternFile.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"{path}: {validation_message(err)}") from None


def validation_message(err: ValidationError) -> str:
    """``key.path: problem`` for the first error of a pydantic validation."""
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "file"
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"
