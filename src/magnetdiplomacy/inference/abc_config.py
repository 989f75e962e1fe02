"""The ABC calibration file (``configs/validation/abc.yaml``), validated strictly.

Priors are uniform over ranges: either the ``priors`` mapping of the file itself, or the
``parameters`` of the calibration file it points to (the same free parameters and ranges as
``calibrate --method search``). Every problem is a one-line :class:`ScenarioError` naming the file,
the key and what is allowed; nothing heavier than pydantic is imported here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from ..scenario import PROJECT_ROOT, ScenarioError
from ..sweeps.inputs import describe_validation, read_yaml_file
from ..sweeps.schema import Number

DEFAULT_ABC = PROJECT_ROOT / "configs" / "validation" / "abc.yaml"


class Screening(BaseModel):
    """Morris screening before the fit: ``trajectories`` (0 skips it) on a grid of ``levels``; with
    ``keep`` > 0 ABC fits only that many parameters, the most influential on the ABC distance."""

    model_config = ConfigDict(extra="forbid")
    trajectories: StrictInt = Field(6, ge=0, le=1000)
    levels: StrictInt = Field(4, ge=2, le=20)
    keep: StrictInt = Field(0, ge=0, le=1000)  # fit only the `keep` most influential (0: fit all)


class AbcFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    calibration: str | None = "configs/validation/calibration.yaml"
    priors: dict[str, tuple[Number, Number]] | None = None
    patterns: str | None = None
    seed: StrictInt = Field(0, ge=0, le=2**32 - 1)
    population_size: StrictInt = Field(100, ge=5, le=100_000)
    max_generations: StrictInt = Field(5, ge=1, le=100)
    minimum_epsilon: Number = Field(1.0, ge=0, le=1e6)
    epsilon_quantile: Number = Field(0.5, gt=0, lt=1)
    max_total_simulations: StrictInt = Field(100_000, ge=1, le=10_000_000)
    seeds_per_simulation: StrictInt = Field(1, ge=1, le=100)
    screening: Screening = Screening()


@dataclass
class AbcSettings:
    """A checked ABC calibration: uniform priors ``{name: (lo, hi)}`` and the run's settings."""

    priors: dict[str, tuple[float, float]]
    patterns: str
    seed: int = 0
    population_size: int = 100
    max_generations: int = 5
    minimum_epsilon: float = 1.0
    epsilon_quantile: float = 0.5
    max_total_simulations: int = 100_000
    seeds_per_simulation: int = 1
    screening_trajectories: int = 6
    screening_levels: int = 4
    screening_keep: int = 0
    source: str = ""
    kinds: dict[str, str] = field(default_factory=dict)
    all_priors: dict[str, tuple[float, float]] | None = None  # before the screening kept the influential ones

    def fingerprint(self) -> dict[str, Any]:
        """What a stored run depends on; the stopping rules are left out, so a finished run can be
        extended by raising ``max_generations`` or lowering ``minimum_epsilon``."""
        return {
            "priors": {k: list(v) for k, v in sorted((self.all_priors or self.priors).items())},
            "screening": [self.screening_trajectories, self.screening_levels, self.screening_keep],
            "patterns": self.patterns,
            "patterns_sha256": _file_digest(self.patterns),
            "seed": self.seed,
            "population_size": self.population_size,
            "epsilon_quantile": self.epsilon_quantile,
            "seeds_per_simulation": self.seeds_per_simulation,
        }


def _file_digest(path: str) -> str:
    file = resolve(path)
    return hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else ""


def resolve(path: str) -> Path:
    """A path in a calibration file: relative to the project (as the search calibration reads them)."""
    return Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path


def load_abc_settings(path: str | Path | None = None) -> AbcSettings:
    """Read and check an ABC calibration file (default ``configs/validation/abc.yaml``)."""
    from ..validation.calibrate import check_priors, load_calibration
    from ..validation.patterns import load_patterns

    config_given = bool(path)
    path = Path(path) if path else DEFAULT_ABC
    data = read_yaml_file(path, "ABC calibration file")[0]
    try:
        spec = AbcFile.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(describe_validation(err, str(path))) from None
    patterns = spec.patterns
    if spec.priors is not None:
        priors, key = dict(spec.priors), "priors"
    elif spec.calibration:
        calibration = load_calibration(resolve(spec.calibration))
        priors, key = dict(calibration.parameters), "calibration"
        patterns = patterns or calibration.patterns
    else:
        raise ScenarioError(f"{path}: priors: required when calibration is not given (name: [lo, hi] per parameter)")
    priors = {name: (float(lo), float(hi)) for name, (lo, hi) in priors.items()}
    kinds = check_priors(str(path), key, priors)
    if spec.screening.keep and not spec.screening.trajectories:
        raise ScenarioError(f"{path}: screening.keep: needs screening.trajectories of 1 or more to rank the parameters")
    patterns = patterns or "configs/validation/patterns.yaml"
    if not resolve(patterns).is_file():
        raise ScenarioError(f"{path}: patterns: {patterns}: no such patterns file")
    load_patterns(resolve(patterns))  # fail now, not after the screening
    return AbcSettings(
        priors=priors,
        patterns=patterns,
        seed=spec.seed,
        population_size=spec.population_size,
        max_generations=spec.max_generations,
        minimum_epsilon=float(spec.minimum_epsilon),
        epsilon_quantile=float(spec.epsilon_quantile),
        max_total_simulations=spec.max_total_simulations,
        seeds_per_simulation=spec.seeds_per_simulation,
        screening_trajectories=spec.screening.trajectories,
        screening_levels=spec.screening.levels,
        screening_keep=spec.screening.keep,
        source=str(path) if config_given else "configs/validation/abc.yaml",  # as the user would type it
        kinds=kinds,
    )


def check_resumable(folder: Path, settings: AbcSettings) -> None:
    """Refuse to continue a stored run whose priors, patterns, seed or sizes differ from these."""
    path = folder / "abc_settings.json"
    mine = settings.fingerprint()
    if not path.is_file():
        return
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise ScenarioError(f"{path}: not readable; remove the folder or use another --out") from None
    for key, value in mine.items():
        if stored.get(key) != value:
            raise ScenarioError(
                f"{path}: {key} differs from {settings.source or 'the calibration file'}; the folder holds another "
                "calibration: use another --out (only max_generations, minimum_epsilon and max_total_simulations "
                "may change on a resume)"
            )


def record_settings(folder: Path, settings: AbcSettings) -> None:
    """Store what the run depends on, so that a resume can check it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "abc_settings.json"
    if not path.is_file():
        path.write_text(json.dumps(settings.fingerprint(), indent=2) + "\n", encoding="utf-8")


__all__ = ["AbcSettings", "check_resumable", "load_abc_settings", "record_settings"]
