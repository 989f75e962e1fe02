"""A sweep folder: the plan, the manifest and results streamed to Parquet parts.

Layout of ``runs/NAME/``::

    manifest.json          design, seeds, outcomes, package version, git commit, sessions, status
    sweep.yaml             the sweep file as given
    design.parquet         one row per design point (point, parameter values)
    plan.parquet           one row per run (run_id, point, rep, seed, parameter values)
    scalars/part-NNNNNN.parquet   end-of-run scalars, one row per run (with point, rep, seed, values)
    series/part-NNNNNN.parquet    per-month series, one row per run and month
    analysis/              written by `magnetdiplomacy analyze`

How nothing is lost or duplicated:

* A part is written to a hidden temporary file (``.tmp-...``), flushed to disk and renamed into
  place; a reader never sees half a file. Parquet readers skip hidden files.
* The series part is committed first, the scalars part second: a run is complete exactly when it
  appears in a committed scalars part. A series part without its scalars part (the process died
  between the two renames) is an orphan; resuming deletes it before running anything.
* Resuming reads the run ids of the committed scalars parts and runs only the others. One process
  at a time writes a folder (an advisory lock, released by the OS even after ``kill -9``).
* The folder itself is created by renaming a fully written staging folder, so it either holds a
  complete plan and manifest or does not exist; a staging folder left by a process killed while
  writing it is removed at the next start.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..parameters.inputs import make_staging, remove_stale_staging
from ..timeline import tick_date
from .manifest import FORMAT, MANIFEST, check_plan_files, read_manifest
from .spec import Sweep, SweepError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "SweepStore",
    "finished_sweep",
    "is_folder",
    "read_manifest",
    "read_scalars",
    "read_series",
]

PART_RE = re.compile(r"^part-(\d{6,})\.parquet$")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, writer) -> None:
    """Write ``path`` through ``writer(tmp_path)`` to a hidden temporary file, fsync, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8"))


def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = PART_RE.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def committed_parts(folder: Path) -> list[tuple[Path, Path | None]]:
    """(scalars part, series part or None) for every committed part, in order."""
    scalars, series = _parts(Path(folder) / "scalars"), _parts(Path(folder) / "series")
    return [(path, series.get(number)) for number, path in scalars.items()]


class SweepStore:
    """Reads and writes one sweep folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.scalars_dir = self.folder / "scalars"
        self.series_dir = self.folder / "series"
        self._lock_handle: IO[str] | None = None
        self._next_part = 1
        self._dates: np.ndarray | None = None

    # ---- creating or reopening -------------------------------------------------------------

    def check(self, manifest: dict) -> bool:
        """True if the folder already holds this sweep, False if it is free; raises if it holds anything else."""
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise SweepError(f"{folder}: exists and is not a folder")
        if not folder.is_dir() or not any(folder.iterdir()):
            return False
        if not (folder / MANIFEST).is_file():
            raise SweepError(f"{folder}: exists and is not a sweep folder (choose another --out)")
        existing = read_manifest(folder)
        if existing.get("fingerprint") != manifest["fingerprint"]:
            raise SweepError(
                f"{folder}: holds a different sweep ({existing.get('sweep')}, fingerprint "
                f"{existing.get('fingerprint')}; "
                f"this one is {manifest['fingerprint']}): the sweep file or its base scenario changed; choose another "
                "--out"
            )
        check_plan_files(folder, existing)
        return True

    def prepare(self, sweep: Sweep, manifest: dict, design: pd.DataFrame, plan: pd.DataFrame) -> bool:
        """Create the folder for ``sweep``, or check that it holds the same sweep. True if it was created."""
        folder = self.folder
        if self.check(manifest):
            return False
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(folder.parent)  # what a process killed while writing its plan left
        staging = make_staging(folder)
        try:
            (staging / "scalars").mkdir()
            (staging / "series").mkdir()
            design.to_parquet(staging / "design.parquet", index=False)
            plan.to_parquet(staging / "plan.parquet", index=False)
            if sweep.text:
                (staging / "sweep.yaml").write_text(sweep.text, encoding="utf-8")
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
            if folder.exists():
                folder.rmdir()  # an empty folder the user made
            os.replace(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_dir(folder.parent)
        return True

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock (one sweep process per folder)."""
        path = self.folder / ".lock"
        handle = open(path, "a+")
        try:
            try:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover - Windows: no advisory lock
                pass
            except OSError:
                raise SweepError(f"{self.folder}: another sweep process is writing to this folder") from None
            self._lock_handle = handle
            yield
        finally:
            self._lock_handle = None
            handle.close()

    def recover(self) -> set[int]:
        """Tidy after an interruption; return the ids of the runs that are complete.

        Deletes hidden temporary files and orphaned series parts; a scalars part that cannot be read
        is set aside (renamed ``.corrupt-...``) and its runs count as missing.
        """
        for sub in (self.scalars_dir, self.series_dir):
            sub.mkdir(exist_ok=True)
            for path in sub.iterdir():
                if path.name.startswith(".tmp-"):
                    path.unlink(missing_ok=True)
        scalars, series = _parts(self.scalars_dir), _parts(self.series_dir)
        done: set[int] = set()
        for number, path in scalars.items():
            try:
                ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_numpy()
            except (OSError, pa.ArrowException):
                path.rename(path.with_name(f".corrupt-{path.name}"))
                if number in series:
                    series[number].unlink(missing_ok=True)
                continue
            overlap = done.intersection(ids.tolist())
            if overlap:
                raise SweepError(
                    f"{path}: runs {sorted(overlap)[:5]} are already in another part (the folder was edited by hand?)"
                )
            done.update(ids.tolist())
        for number, path in series.items():
            if number not in scalars or not scalars[number].exists():
                path.unlink(missing_ok=True)
        numbers = list(_parts(self.scalars_dir)) + list(_parts(self.series_dir)) + [0]
        self._next_part = max(numbers) + 1
        return done

    # ---- writing results ---------------------------------------------------------------------

    def _tick_dates(self, sweep: Sweep) -> np.ndarray:
        if self._dates is None or len(self._dates) != sweep.n_ticks:
            start = sweep.base.run.start
            self._dates = np.array([tick_date(start, t) for t in range(sweep.n_ticks)], dtype="datetime64[D]").astype(
                "datetime64[ms]"
            )
        return self._dates

    def write_part(self, sweep: Sweep, outcomes: Sequence) -> int:
        """Commit one part holding ``outcomes`` (worker RunOutcome objects); return its number."""
        if not outcomes:
            return 0
        outcomes = sorted(outcomes, key=lambda o: o.run_id)
        number = self._next_part
        name = f"part-{number:06d}.parquet"
        ids = np.array([o.run_id for o in outcomes], dtype=np.int64)
        if sweep.series:
            ticks = sweep.n_ticks
            data = np.concatenate([o.series for o in outcomes], axis=0)
            columns = {
                "run_id": pa.array(np.repeat(ids, ticks)),
                "tick": pa.array(np.tile(np.arange(ticks, dtype=np.int32), len(outcomes))),
                "date": pa.array(np.tile(self._tick_dates(sweep), len(outcomes))),
            }
            for j, column in enumerate(sweep.series):
                columns[column] = pa.array(data[:, j])
            series_table = pa.table(columns)
            write_atomic(self.series_dir / name, lambda tmp: pq.write_table(series_table, tmp))
        values = np.array([o.values for o in outcomes], dtype=float).reshape(len(outcomes), len(sweep.params))
        columns = {
            "run_id": pa.array(ids),
            "point": pa.array(np.array([o.point for o in outcomes], dtype=np.int64)),
            "rep": pa.array(np.array([o.rep for o in outcomes], dtype=np.int32)),
            "seed": pa.array(np.array([o.seed for o in outcomes], dtype=np.int64)),
        }
        for j, path in enumerate(sweep.paths):
            columns[path] = pa.array(values[:, j])
        if sweep.scalars:
            stats = np.array([o.scalars for o in outcomes], dtype=float).reshape(len(outcomes), len(sweep.scalars))
            for j, spec in enumerate(sweep.scalars):
                columns[spec.name] = pa.array(stats[:, j])
        scalars_table = pa.table(columns)
        write_atomic(self.scalars_dir / name, lambda tmp: pq.write_table(scalars_table, tmp))  # the commit
        self._next_part = number + 1
        return number

    # ---- manifest -------------------------------------------------------------------------

    def manifest(self) -> dict:
        return read_manifest(self.folder)

    def update_manifest(self, **changes: Any) -> dict:
        data = self.manifest()
        data.update(changes)
        data["updated"] = now()
        write_json(self.folder / MANIFEST, data)
        return data


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# reading results


def completed_run_ids(folder: str | Path) -> set[int]:
    """Ids of the runs in committed scalars parts (an unreadable part counts as not done)."""
    done: set[int] = set()
    for path, _ in committed_parts(Path(folder)):
        try:
            done.update(pq.read_table(path, columns=["run_id"]).column("run_id").to_numpy().tolist())
        except (OSError, pa.ArrowException):
            continue
    return done


def _read(path: Path, columns: list[str] | None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as err:
        raise SweepError(
            f"{path}: unreadable ({str(err).splitlines()[0]}); rerun the sweep command to repair the folder"
        ) from None


def read_scalars(folder: str | Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """End-of-run scalars of every completed run, sorted by run id."""
    parts = [path for path, _ in committed_parts(Path(folder))]
    if not parts:
        plan = pd.read_parquet(Path(folder) / "plan.parquet")
        return plan.iloc[0:0]
    cols = None if columns is None else list(dict.fromkeys(["run_id", *columns]))
    table = pa.concat_tables([_read(p, cols) for p in parts])
    return table.to_pandas().sort_values("run_id", kind="stable").reset_index(drop=True)


def read_series(folder: str | Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Per-month series of every completed run, sorted by run id and tick (orphan parts ignored)."""
    parts = [series for _, series in committed_parts(Path(folder)) if series is not None]
    if not parts:
        return pd.DataFrame(columns=["run_id", "tick", "date", *(columns or [])])
    cols = None if columns is None else list(dict.fromkeys(["run_id", "tick", "date", *columns]))
    table = pa.concat_tables([_read(p, cols) for p in parts])
    return table.to_pandas().sort_values(["run_id", "tick"], kind="stable").reset_index(drop=True)


def is_folder(folder: Path) -> bool:
    """Whether ``folder`` is a folder (False, not an error, for a name the system refuses)."""
    try:
        return folder.is_dir()
    except OSError:  # a name too long, say
        return False


def finished_sweep(folder: Path) -> tuple[dict, pd.DataFrame]:
    """The manifest and scalars (one row per run) of a sweep folder whose runs have all finished;
    a missing, unfinished or hand-edited folder is a one-line :class:`SweepError`."""
    if not is_folder(folder):
        raise SweepError(f"{folder}: no such sweep folder")
    manifest = read_manifest(folder)
    check_plan_files(folder, manifest)
    total = int(manifest["design"]["runs"])
    scalars = read_scalars(folder)
    if len(scalars) < total:
        raise SweepError(
            f"{folder}: sweep incomplete ({len(scalars):,} of {total:,} runs); rerun `magnetdiplomacy sweep` with the "
            "same file and --out to finish it"
        )
    columns = [p["path"] for p in manifest["design"]["parameters"]] + [
        s["name"] for s in manifest["outcomes"]["scalars"]
    ]
    missing = [c for c in ["point", *columns] if c not in scalars.columns]
    if len(scalars) > total or scalars["run_id"].duplicated().any() or missing:
        problem = f"no column {missing[0]!r}" if missing else f"{len(scalars):,} runs for a design of {total:,}"
        raise SweepError(f"{folder / 'scalars'}: {problem}; was the folder edited by hand? run the sweep again")
    return manifest, scalars
