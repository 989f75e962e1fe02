"""Running a scenario and writing its run folder.

A run folder holds ``timeseries.parquet`` (one row per month), ``agents.parquet`` (the agent
table), ``events.parquet`` (the event log), ``alignment_attribution.parquet`` (each month's change
in Malaysia's alignment by tie, trade and concessions), ``scorecard.csv`` (Malaysia's scorecard,
:func:`magnetdiplomacy.targets.scorecard`, for 2030 or, if the run does not cover all of 2030, the
last whole calendar year it covers; see :func:`scorecard_year`), ``manifest.json`` and, with
``csv=True``, CSV copies.
Folders are written to a hidden staging sibling (``.<folder>.staging-<pid>-<host>-<hex>``) and renamed
into place, so a failed run leaves nothing half-written behind: the staging folder is removed on any
exit Python sees (an error, Ctrl-C, SIGTERM, SIGHUP), and one left by a process killed outright
(``kill -9``) is removed the next time a folder is written beside it. Output folders are checked
before any work starts (:func:`check_out_folder`), and every run checks the model's invariants each
month (:class:`InvariantError` names the first broken one).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

from .model import MagnetDiplomacyModel
from .outputs import EVENT_COLUMNS, format_value, in_view
from .parameters import Scenario
from .parameters.inputs import check_output_folder, make_staging, remove_stale_staging
from .scenario import PROJECT_ROOT, ScenarioError, default_folder, load_scenario, prepare
from .targets import TARGET_YEAR, scorecard
from .version import package_version

__all__ = [
    "InvariantError",
    "RunResult",
    "ScenarioError",
    "check_out_folder",
    "default_folder",
    "prepare",
    "run",
    "simulate",
    "write_folder",
]

TABLES = ("timeseries", "agents", "events", "alignment_attribution")


@dataclass
class RunResult:
    """Everything one run produced."""

    scenario: Scenario
    seed: int
    model_df: pd.DataFrame
    agents_df: pd.DataFrame
    events_df: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    model: MagnetDiplomacyModel | None = field(default=None, repr=False)
    attribution_df: pd.DataFrame | None = None  # why alignment moved (see attribution_table)

    def summary(self, years: Iterable[int] = (2020, 2025, 2030, 2035)) -> pd.DataFrame:
        """Headline outputs by year (see :func:`summarise`)."""
        return summarise(self.model_df, years)

    def scorecard(self) -> tuple[int, pd.DataFrame] | None:
        """Malaysia's scorecard and its year (see :func:`run_scorecard`)."""
        return run_scorecard(self.model_df)


def summarise(model_df: pd.DataFrame, years: Iterable[int] = (2020, 2025, 2030, 2035)) -> pd.DataFrame:
    """Headline outputs (those declared for the ``summary`` view) for the given years the run
    covers, each aggregated over the year as declared: December's value for levels, the year's
    mean for shares and prices, its total for flows."""
    df = model_df.copy()
    df["year"] = pd.to_datetime(df["date"]).dt.year
    present = [y for y in years if (df["year"] == y).any()]
    table = {}
    for output in in_view("summary"):
        cells = []
        for year in present:
            column = df.loc[df["year"] == year, output.name]
            value = column.iloc[-1] if output.year == "last" else getattr(column, output.year)()
            cells.append(format_value(output, float(value)))
        table[output.label] = cells
    return pd.DataFrame(table, index=[str(y) for y in present]).T


def complete_years(model_df: pd.DataFrame) -> list[int]:
    """The calendar years a run's monthly table covers whole (all twelve months), in order."""
    dates = pd.to_datetime(model_df["date"])
    months = pd.DataFrame({"year": dates.dt.year, "month": dates.dt.month}).drop_duplicates()
    counts = months.groupby("year")["month"].nunique()
    return [int(year) for year, n in counts.items() if n == 12]


def scorecard_year(model_df: pd.DataFrame) -> int | None:
    """The year Malaysia's scorecard is read for: 2030 (the targets' year) when the run covers it
    whole, else the last whole calendar year the run covers; None when it covers none."""
    years = complete_years(model_df)
    if TARGET_YEAR in years:
        return TARGET_YEAR
    return years[-1] if years else None


def run_scorecard(model_df: pd.DataFrame) -> tuple[int, pd.DataFrame] | None:
    """The scorecard year (:func:`scorecard_year`) and Malaysia's scorecard for it, or None when
    the run covers no whole year."""
    year = scorecard_year(model_df)
    return None if year is None else (year, scorecard(model_df, year))


MET_MARKS = {True: "✓", False: "✗", None: "–"}  # met, not met, an indicator (never scored)


def scorecard_rows(card: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    """A scorecard as text for a table: target, value, goal, met (✓, ✗ or – for an indicator), source."""
    return [
        (row.label, row.shown, row.goal_text, MET_MARKS[None if row.met is None else bool(row.met)], row.source)
        for row in card.itertuples()
    ]


def git_commit() -> str:
    """Commit of the source tree (with ``+dirty`` if it has uncommitted changes), or ``unknown``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance() -> dict[str, Any]:
    """The software behind a run and when it was made (part of every manifest)."""
    return {
        "package": "magnetdiplomacy",
        "version": package_version(),
        "mesa_version": mesa.__version__,
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def agent_table(model: MagnetDiplomacyModel) -> pd.DataFrame:
    """The agent table: states and plants every month, buyers at the configured interval."""
    records = model.agent_records
    if not records:
        return pd.DataFrame(columns=["tick", "date", "agent_id", "agent_type", "name"])
    blocks = [pd.DataFrame(records.state_rows), pd.DataFrame(records.plant_columns())]
    blocks += [pd.DataFrame(block) for block in records.buyer_blocks]
    table = pd.concat([b for b in blocks if not b.empty], ignore_index=True, sort=False)
    table["date"] = pd.to_datetime(table["date"])
    return table.sort_values(["tick", "agent_id"], kind="stable").reset_index(drop=True)


ATTRIBUTION_COLUMNS = ("tick", "date", "source", "kind", "change")


def attribution_table(model: MagnetDiplomacyModel) -> pd.DataFrame:
    """Why alignment moved: one row per month and source (a tie, ``trade`` or ``concessions``)
    with the change in alignment it made; a month's changes sum to the change in alignment."""
    rows = [
        (tick, model.label_of(tick), source, "tie" if ":" in source else source, change)
        for tick, source, change in model.alignment_attribution
    ]
    table = pd.DataFrame(rows, columns=list(ATTRIBUTION_COLUMNS))
    table["date"] = pd.to_datetime(table["date"])
    return table


def top_movers(attribution: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """The ``count`` sources that moved alignment most in each year (by the size of their net
    change over the year): year, rank, source, change."""
    if attribution.empty:
        return pd.DataFrame(columns=["year", "rank", "source", "change"])
    yearly = attribution.assign(year=attribution["date"].dt.year).groupby(["year", "source"])["change"].sum()
    rows = []
    for year, group in yearly.groupby(level="year"):
        ranked = group.droplevel("year").sort_values(key=abs, ascending=False).head(count)
        ranked = ranked[ranked.abs() >= 0.0005]  # what rounds to +0.000 moved nothing worth naming
        rows += [(year, rank, source, change) for rank, (source, change) in enumerate(ranked.items(), start=1)]
    return pd.DataFrame(rows, columns=["year", "rank", "source", "change"])


def tables(model: MagnetDiplomacyModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The time series and the event log of a model as it stands (any month of a run)."""
    model_df = model.datacollector.get_model_vars_dataframe()
    model_df["date"] = pd.to_datetime(model_df["date"])
    events_df = pd.DataFrame(model.event_log, columns=list(EVENT_COLUMNS))
    events_df["date"] = pd.to_datetime(events_df["date"])
    return model_df, events_df


class InvariantError(RuntimeError):
    """A month of a run broke one of the model's invariants (a bug, not the user's mistake)."""


def checking(model: MagnetDiplomacyModel, progress: Callable[[int, int], None] | None) -> Callable[[int, int], None]:
    """A progress callback that first checks the model's invariants for the month just simulated."""

    def step_done(done: int, total: int) -> None:
        problems = model.check_invariants()
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise InvariantError(
                f"{model.config.name}, seed {model.seed}, {model.label_of(done - 1)}: "
                f"invariant broken: {problems[0]}{more}"
            )
        if progress is not None:
            progress(done, total)

    return step_done


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    check: bool = True,
) -> RunResult:
    """Run a validated scenario to its end and collect its tables (no files written); with
    ``check``, the model's invariants are checked every month (:class:`InvariantError`)."""
    seed = scenario.run.seed if seed is None else seed
    started = time.perf_counter()
    model = MagnetDiplomacyModel(scenario, rng=seed)
    built = time.perf_counter()
    model.run(progress=checking(model, progress) if check else progress)
    finished = time.perf_counter()
    model_df, events_df = tables(model)
    manifest = {
        "scenario": scenario.name,
        "description": scenario.description,
        "seed": int(seed),
        "start": scenario.run.start,
        "end": scenario.run.end,
        "ticks": model.n_ticks,
        "buyers": scenario.buyers.count,
        **provenance(),
        "timings_s": {"build": round(built - started, 4), "simulate": round(finished - built, 4)},
        "parameters": scenario.model_dump(mode="json"),
    }
    return RunResult(
        scenario,
        int(seed),
        model_df,
        agent_table(model),
        events_df,
        manifest,
        model=model,
        attribution_df=attribution_table(model),
    )


class BatchModel(MagnetDiplomacyModel):
    """The model with plain keyword parameters, for ``mesa.batch_run``.

    ``BatchModel(config="baseline", rng=1, china__licence_grant_rate=0.3)`` loads the scenario
    (a name, a file or a :class:`Scenario`), applies the overrides (dotted paths, or ``__`` for
    the dots) and builds the model.
    """

    def __init__(self, config: str | Path | Scenario = "baseline", *, rng: Any = None, **parameters: Any) -> None:
        super().__init__(load_scenario(config, parameters or None), rng=rng)


def check_out_folder(folder: Path, option: str = "--out") -> Path:
    """Refuse an output folder before any work starts: one that exists and is not empty, is a
    file or lies under one, sits in /proc, /sys or /dev, is too long, or cannot be written
    (:func:`magnetdiplomacy.parameters.inputs.check_output_folder`); removes staging folders that
    killed runs left beside it. Returns the folder."""
    return check_output_folder(Path(folder), option)


def _leave(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through staged_folder, which removes its staging folder


@contextlib.contextmanager
def _exit_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit inside the block (Python's default kills outright)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """Write an output folder atomically: the caller fills the yielded staging sibling, which is
    renamed into place when the block ends and removed on any exit Python sees. Staging folders
    left beside it by killed processes are removed first. Refuses a folder :func:`check_out_folder` refuses."""
    folder = check_out_folder(Path(folder))
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(folder.parent)
    with _exit_on_signals():
        staging = make_staging(folder)
        try:
            yield staging
            if folder.exists():
                folder.rmdir()
            os.replace(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def write_folder(result: RunResult, folder: Path, csv: bool = False) -> Path:
    """Write the run folder atomically; refuses to overwrite a non-empty folder."""
    folder = Path(folder)
    started = time.perf_counter()
    with staged_folder(folder) as staging:
        tables = {"timeseries": result.model_df, "agents": result.agents_df, "events": result.events_df}
        if result.attribution_df is not None:
            tables["alignment_attribution"] = result.attribution_df
        for name, table in tables.items():
            table.to_parquet(staging / f"{name}.parquet", index=False)
            if csv:
                table.to_csv(staging / f"{name}.csv", index=False)
        card = run_scorecard(result.model_df)
        if card is not None:
            card[1].to_csv(staging / "scorecard.csv", index=False)
        result.manifest["scorecard_year"] = None if card is None else card[0]
        result.manifest["timings_s"]["write"] = round(time.perf_counter() - started, 4)
        result.manifest["files"] = sorted(p.name for p in staging.iterdir()) + ["manifest.json"]
        (staging / "manifest.json").write_text(
            json.dumps(result.manifest, indent=2, default=str) + "\n", encoding="utf-8"
        )
    result.folder = folder
    return folder


def run(
    scenario: str | Path | Scenario = "baseline",
    *,
    seed: int | None = None,
    end: str | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    out: str | Path | bool | None = None,
    csv: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run a scenario; write a run folder when ``out`` is a path (or ``True`` for ``runs/<name>_<time>_s<seed>``).

    >>> result = run("baseline", end="2021-12")   # doctest: +SKIP
    >>> result.model_df[["date", "malaysia_alignment"]].tail(1)   # doctest: +SKIP
    """
    prepared = prepare(scenario, seed=seed, end=end, overrides=overrides)
    folder: Path | None = None
    if out is True:
        folder = default_folder(prepared, prepared.run.seed)
    elif out:
        folder = Path(out)
    if folder is not None:
        check_out_folder(folder)
    result = simulate(prepared, progress=progress)
    if folder is not None:
        write_folder(result, folder, csv=csv)
    return result
