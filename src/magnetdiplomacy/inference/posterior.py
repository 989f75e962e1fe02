"""A stored posterior of the model's free parameters: one folder, written once, read by every
command that draws parameter sets from it (``run``, ``compare``, ``validate`` and sweeps with
``--posterior DIR --draws N``).

The folder holds::

    posterior.json       {"format": 1, "parameters": [...], "priors": {name: [lo, hi]}, "calibration": ...,
                          "patterns": ..., "seed": int, "generations": int, "particles": int,
                          "complete": bool, "method": "abc-smc", "created": iso time}
    posterior.parquet    the last generation: a column per parameter (dotted name), "weight", "distance"
    generations.parquet  generation, epsilon, particles, simulations, acceptance_rate, ess, wall_s

Draws are weighted resampling of the particles with a generator seeded from the caller's seed,
so the same posterior and seed give the same parameter sets in any process, and draw ``i`` is the
same whatever the number of draws asked for (ensembles nest).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..parameters import parameter_table
from ..parameters.inputs import ScenarioError

FORMAT = 1
META = "posterior.json"
PARTICLES = "posterior.parquet"
GENERATIONS = "generations.parquet"
RESERVED = ("weight", "distance")
MAX_DRAWS = 100_000  # far beyond any useful ensemble; a larger number is a typo
# Mixed into every draw's seed so posterior draws never share a stream with a model run of the same seed.
DRAW_STREAM = 0x9057
GENERATION_COLUMNS = ("generation", "epsilon", "particles", "simulations", "acceptance_rate", "ess", "wall_s")


# --------------------------------------------------------------------------------------------
# writing


def _atomic(path: Path, writer: Callable[[Path], object]) -> None:
    """Write ``path`` through ``writer(tmp)`` to a hidden temporary file in its folder, then rename,
    so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def normalised_weights(weights: Any, where: str) -> np.ndarray:
    """Weights as floats summing to 1; refuses NaN, infinite or negative weights and a zero sum."""
    values = np.asarray(weights, dtype=float)
    if values.size == 0:
        raise ScenarioError(f"{where}: no particles")
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        raise ScenarioError(
            f"{where}: weight of row {int(bad[0])} is {values[bad[0]]!r}; weights must be finite and >= 0"
        )
    total = float(values.sum())
    if not total > 0:
        raise ScenarioError(f"{where}: weights sum to 0; at least one must be > 0")
    return values / total


def write_posterior(folder: str | Path, particles: pd.DataFrame, generations: pd.DataFrame, meta: dict) -> None:
    """Write a posterior folder (created if missing): the particles (a column per parameter,
    ``weight``, ``distance``), the per-generation table and ``posterior.json``. Weights are checked
    (finite, >= 0, sum > 0) and normalised. Each file is written to a temporary name and renamed,
    ``posterior.json`` last, so its presence means the tables beside it are whole."""
    folder = Path(folder)
    names = list(meta.get("parameters") or [c for c in particles.columns if c not in RESERVED])
    missing = [name for name in names if name not in particles.columns]
    if missing:
        raise ScenarioError(f"{folder / PARTICLES}: no column for parameter {missing[0]!r}")
    frame = pd.DataFrame({name: particles[name].astype(float).to_numpy() for name in names})
    frame["weight"] = normalised_weights(particles["weight"], f"{folder / PARTICLES}: weight")
    frame["distance"] = (
        particles["distance"].astype(float).to_numpy() if "distance" in particles else np.full(len(frame), np.nan)
    )
    table = generations.reset_index(drop=True)
    folder.mkdir(parents=True, exist_ok=True)
    info = {"format": FORMAT, **{k: v for k, v in meta.items() if k != "format"}, "parameters": names}
    info.setdefault("particles", len(frame))
    _atomic(folder / PARTICLES, lambda tmp: frame.to_parquet(tmp, index=False))
    _atomic(folder / GENERATIONS, lambda tmp: table.to_parquet(tmp, index=False))
    text = json.dumps(info, indent=2, default=str) + "\n"
    _atomic(folder / META, lambda tmp: tmp.write_text(text, encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# reading


@dataclass
class Posterior:
    """A loaded posterior: ``parameters`` (dotted names), ``frame`` (a column per parameter plus
    ``weight`` summing to 1 and ``distance``), ``meta`` (posterior.json) and ``digest`` (a hash of
    the folder's content, for sweeps' fingerprints)."""

    folder: Path
    parameters: list[str]
    frame: pd.DataFrame
    meta: dict
    digest: str
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def generations(self) -> pd.DataFrame:
        """The per-generation table (empty if the folder has none)."""
        path = self.folder / GENERATIONS
        return pd.read_parquet(path) if path.is_file() else pd.DataFrame(columns=list(GENERATION_COLUMNS))

    def indices(self, n: int, seed: int) -> np.ndarray:
        """Rows of ``frame`` drawn with probability proportional to their weight: ``n`` uniform
        numbers from one generator, looked up in the weights' cumulative sum, so the first ``k``
        rows are the same for every ``n >= k``."""
        check_draws(n)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), DRAW_STREAM])))
        cumulative = np.cumsum(self.frame["weight"].to_numpy(dtype=float))
        cumulative /= cumulative[-1]
        found = np.searchsorted(cumulative, rng.random(n), side="right")
        return np.minimum(found, len(cumulative) - 1)

    def draws(self, n: int, seed: int) -> list[dict[str, float]]:
        """``n`` parameter sets drawn from the posterior (weighted resampling), deterministic in
        ``seed``; integer parameters are rounded to whole numbers."""
        rows = self.frame.iloc[self.indices(n, seed)]
        out = []
        for _, row in rows.iterrows():
            out.append({name: _typed(row[name], self.kinds.get(name, "float")) for name in self.parameters})
        return out

    def summary(self) -> pd.DataFrame:
        """Weighted median, 5 % and 95 % quantiles and mean of every parameter (one row each)."""
        weights = self.frame["weight"].to_numpy(dtype=float)
        rows = []
        for name in self.parameters:
            values = self.frame[name].to_numpy(dtype=float)
            q05, median, q95 = weighted_quantiles(values, weights, (0.05, 0.5, 0.95))
            rows.append({"parameter": name, "median": median, "q05": q05, "q95": q95, "mean": values @ weights})
        return pd.DataFrame(rows).set_index("parameter")


def draw_seed(seed: int, draw: int) -> int:
    """The model seed of draw ``draw`` of an ensemble whose run seed is ``seed`` (an int in [0, 2**31))."""
    state = np.random.SeedSequence([int(seed), int(draw), DRAW_STREAM]).generate_state(1, np.uint32)
    return int(state[0] >> 1)


def _typed(value: Any, kind: str) -> float:
    return int(round(float(value))) if kind == "int" else float(value)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Quantiles of a weighted sample: each value sits at the middle of its weight's share of the
    cumulative distribution, and quantiles are interpolated between them."""
    keep = weights > 0  # a particle of weight 0 is not part of the distribution
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    total = w.sum()
    mid = (np.cumsum(w) - 0.5 * w) / total
    return [float(np.interp(q, mid, v)) for q in qs]


def check_draws(n: Any, option: str = "--draws") -> int:
    """The number of draws as an int from 1 to :data:`MAX_DRAWS`, else a one-line error."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= int(n) <= MAX_DRAWS:
        raise ScenarioError(
            f"{option} {n!r}: the number of posterior draws must be a whole number from 1 to {MAX_DRAWS:,}"
        )
    return int(n)


def _read_meta(folder: Path) -> dict:
    path = folder / META
    if not path.is_file():
        raise ScenarioError(f"{path}: missing; a posterior folder holds {META}, {PARTICLES} and {GENERATIONS}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ScenarioError(f"{path}: not readable JSON ({' '.join(str(err).split())[:120]})") from None
    if not isinstance(meta, dict):
        raise ScenarioError(f"{path}: expected a JSON object")
    if meta.get("format") != FORMAT:
        raise ScenarioError(f"{path}: format: {meta.get('format')!r}; this version reads format {FORMAT}")
    names = meta.get("parameters")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ScenarioError(f"{path}: parameters: expected a non-empty list of dotted parameter names")
    if len(set(names)) != len(names):
        raise ScenarioError(f"{path}: parameters: a name appears twice")
    return meta


def _check_parameters(path: Path, names: list[str], priors: Any) -> dict[str, str]:
    """Every name a declared numeric parameter; priors (if any) pairs inside its declared range."""
    table = parameter_table()
    for name in names:
        spec = table.get(name)
        if spec is None or not spec.numeric:
            what = "not a numeric parameter" if spec is not None else "not a parameter of the model"
            raise ScenarioError(f"{path}: parameters: {name!r} is {what} (see `magnetdiplomacy describe`)")
    if priors is None:
        return {name: table[name].kind for name in names}
    if not isinstance(priors, dict):
        raise ScenarioError(f"{path}: priors: expected a mapping of parameter name to [lo, hi]")
    for name, bounds in priors.items():
        ok = isinstance(bounds, list) and len(bounds) == 2 and all(_number(b) for b in bounds)
        if name not in names or not ok or not bounds[0] <= bounds[1]:
            raise ScenarioError(f"{path}: priors.{name}: expected [lo, hi] with lo <= hi for a listed parameter")
        _in_range(path, f"priors.{name}", np.asarray(bounds, dtype=float), table[name])
    return {name: table[name].kind for name in names}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _in_range(path: Path, key: str, values: np.ndarray, spec) -> None:
    bad = ~np.isfinite(values)
    if spec.lo is not None:
        bad |= values < spec.lo
    if spec.hi is not None:
        bad |= values > spec.hi
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        bounds = f"[{spec.lo if spec.lo is not None else '-inf'} .. {spec.hi if spec.hi is not None else 'inf'}]"
        raise ScenarioError(
            f"{path}: {key}: value {values[row]!r} (row {row}) outside {spec.path}'s declared range {bounds}"
        )


def _read_particles(folder: Path, names: list[str]) -> pd.DataFrame:
    path = folder / PARTICLES
    if not path.is_file():
        raise ScenarioError(f"{path}: missing; a posterior folder holds {META}, {PARTICLES} and {GENERATIONS}")
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise ScenarioError(f"{path}: not a readable Parquet file ({' '.join(str(err).split())[:120]})") from None
    for column in (*names, "weight"):
        if column not in frame.columns:
            raise ScenarioError(f"{path}: no column {column!r} (posterior.json lists it)")
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise ScenarioError(f"{path}: column {column!r}: expected numbers")
    out = frame[names].astype(float).reset_index(drop=True)
    out["weight"] = normalised_weights(frame["weight"], f"{path}: weight")
    out["distance"] = frame["distance"].astype(float).to_numpy() if "distance" in frame else np.nan
    return out


def content_digest(folder: Path) -> str:
    """SHA-256 over the posterior's metadata and particles (what a draw depends on)."""
    digest = hashlib.sha256()
    for name in (META, PARTICLES):
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def load_posterior(folder: str | Path) -> Posterior:
    """Read and check a posterior folder: ``posterior.json`` (format, parameters, priors) and
    ``posterior.parquet`` (a numeric column per parameter, inside the parameter's declared range,
    and finite non-negative weights). Any problem is a one-line :class:`ScenarioError` naming the
    file and the key."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise ScenarioError(f"--posterior {folder}: {what}; give a folder written by `magnetdiplomacy calibrate`")
    meta = _read_meta(folder)
    names = list(meta["parameters"])
    kinds = _check_parameters(folder / META, names, meta.get("priors"))
    frame = _read_particles(folder, names)
    table = parameter_table()
    for name in names:
        _in_range(folder / PARTICLES, name, frame[name].to_numpy(dtype=float), table[name])
    return Posterior(folder, names, frame, meta, content_digest(folder), kinds)
