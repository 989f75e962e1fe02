"""A sweep folder's manifest and plan files, checked before they are used.

``analyze`` and a resumed ``sweep`` trust a folder only if its ``manifest.json`` has every key
with the right type, agrees with the definition it carries (the fingerprint is the hash of that
definition, so an edit by hand shows), and its ``design.parquet`` and ``plan.parquet`` are present
and hold the design's points and runs. Anything else is a :class:`SweepError` with one line
naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from .inputs import describe_validation
from .schema import SweepError

MANIFEST = "manifest.json"
FORMAT = "magnetdiplomacy-sweep/1"
EDITED = "was it edited by hand? run the sweep again into a new --out"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Parameter(_Open):
    path: str
    lo: float = Field(allow_inf_nan=False)
    hi: float = Field(allow_inf_nan=False)
    values: list[float] | None = None


class _Design(_Open):
    kind: Literal["factorial", "lhs", "sobol", "morris"]
    samples: StrictInt | None = None
    levels: StrictInt | None = None
    second_order: StrictBool = False
    points: StrictInt = Field(ge=1)
    replications: StrictInt = Field(ge=1)
    runs: StrictInt = Field(ge=1)
    parameters: list[_Parameter] = Field(min_length=1)
    design_seed: StrictInt = Field(ge=0)


class _Scalar(_Open):
    name: str
    column: str
    stat: str


class _Outcomes(_Open):
    series: list[str]
    scalars: list[_Scalar]


class _Base(_Open):
    scenario: str
    set: dict[str, Any]
    start: str
    end: str
    months: StrictInt = Field(ge=1)
    buyers: StrictInt = Field(ge=1)


class _Manifest(_Open):
    sweep: str
    description: str = ""
    fingerprint: str
    version: str
    git_commit: str | None
    base: _Base
    design: _Design
    seed: StrictInt = Field(ge=0)
    seeding: Literal["common", "independent"]
    outcomes: _Outcomes
    definition: dict[str, Any]
    sessions: list[Any] = []


def _points(kind: str, samples: int | None, second_order: bool, parameters: list[dict]) -> int:
    """Points of a design (as :attr:`Sweep.n_points`), from the manifest's definition."""
    d, n = len(parameters), samples or 0
    if kind == "factorial":
        return math.prod(len(p.get("values") or ()) for p in parameters)
    if kind == "lhs":
        return n
    if kind == "sobol":
        return n * (2 * d + 2 if second_order else d + 2)
    return n * (d + 1)


def _agrees(data: dict, path: Path) -> None:
    """The manifest's summary agrees with its definition, and the definition with its fingerprint."""
    definition = data["definition"]
    blob = json.dumps(definition, sort_keys=True, default=str).encode()
    if hashlib.sha256(blob).hexdigest()[:16] != data["fingerprint"]:
        raise SweepError(f"{path}: definition: does not match the fingerprint {data['fingerprint']!r}; {EDITED}")
    design, wanted = data["design"], definition.get("design") or {}
    pairs = {
        "design.kind": (design["kind"], wanted.get("kind")),
        "design.samples": (design.get("samples"), wanted.get("samples")),
        "design.levels": (design.get("levels"), wanted.get("levels")),
        "design.second_order": (design.get("second_order", False), wanted.get("second_order")),
        "design.parameters": (design["parameters"], definition.get("parameters")),
        "design.replications": (design["replications"], definition.get("replications")),
        "seed": (data["seed"], definition.get("seed")),
        "seeding": (data["seeding"], definition.get("seeding")),
        "outcomes.series": (data["outcomes"]["series"], definition.get("series")),
        "outcomes.scalars": (data["outcomes"]["scalars"], definition.get("scalars")),
    }
    for key, (found, expected) in pairs.items():
        if found != expected:
            raise SweepError(f"{path}: {key}: does not match the sweep's definition in the same manifest; {EDITED}")
    points = _points(design["kind"], design.get("samples"), design.get("second_order", False), design["parameters"])
    if design["points"] != points:
        raise SweepError(f"{path}: design.points: {design['points']!r}, the design has {points:,}; {EDITED}")
    if design["runs"] != points * design["replications"]:
        raise SweepError(
            f"{path}: design.runs: {design['runs']!r}, the design has {points * design['replications']:,}; {EDITED}"
        )


def check_manifest(data: Any, path: Path) -> dict:
    """``data`` (a manifest as read from JSON) if it is a complete, consistent sweep manifest."""
    if not isinstance(data, dict):
        raise SweepError(f"{path}: not a sweep manifest (a JSON object is expected, not {type(data).__name__})")
    if data.get("format") != FORMAT:
        raise SweepError(f"{path}: not a sweep manifest (format {str(data.get('format'))[:40]!r}, expected {FORMAT})")
    try:
        _Manifest.model_validate(data)
    except ValidationError as err:
        raise SweepError(f"{describe_validation(err, str(path))}; {EDITED}") from None
    _agrees(data, path)
    return data


def read_manifest(folder: Path) -> dict:
    """The checked manifest of a sweep folder."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{folder}: not a sweep folder (no {MANIFEST})") from None
    except (OSError, ValueError, RecursionError) as err:
        problem = "nested too deeply" if isinstance(err, RecursionError) else str(err).splitlines()[0][:120]
        raise SweepError(f"{path}: unreadable ({problem}); {EDITED}") from None
    return check_manifest(data, path)


def check_plan_files(folder: Path, manifest: dict) -> None:
    """``design.parquet`` and ``plan.parquet`` are present, readable and hold the manifest's design
    (their footers only are read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    design = manifest["design"]
    params = [p["path"] for p in design["parameters"]]
    files = {
        "design.parquet": (design["points"], ["point", *params]),
        "plan.parquet": (design["runs"], ["run_id", "point", "rep", "seed", *params]),
    }
    for name, (rows, columns) in files.items():
        path = Path(folder) / name
        if not path.is_file():
            raise SweepError(f"{path}: missing from the sweep folder; run the sweep again into a new --out")
        try:
            found = pq.read_metadata(path).num_rows
            names = pq.read_schema(path).names
        except (OSError, pa.ArrowException) as err:
            problem = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
            raise SweepError(f"{path}: unreadable ({problem}); run the sweep again into a new --out") from None
        if found != rows:
            raise SweepError(f"{path}: {found:,} rows, the manifest's design has {rows:,}; {EDITED}")
        missing = [c for c in columns if c not in names]
        if missing:
            raise SweepError(f"{path}: no column {missing[0]!r} (the manifest's design has it); {EDITED}")
