"""``magnetdiplomacy calibrate --method abc``: Morris screening, then ABC-SMC, into one folder.

Called by :func:`magnetdiplomacy.validation.commands.calibrate_command`; every input is checked
before any work starts (one-line errors, exit code 2, nothing written).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console

from ..scenario import ScenarioError


def calibrate_abc(
    console: Console,
    fail: Callable[[str], NoReturn],
    method: str,
    config: Path | None,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    dask_local: int | None,
    writer: Callable[[dict[str, float], str], None] | None = None,
) -> None:
    """Screen, fit and write the posterior folder (``runs/abc`` unless ``--out``); rerunning the
    same command into the same folder continues from the last complete generation. ``writer``
    (``--write-baseline``) receives the posterior medians and a note for configs/baseline.yaml."""
    if method != "abc":
        fail(f"--method {method}: use search or abc")
    from ..sweeps.executors import make_executor
    from ..sweeps.inputs import check_output_folder
    from .abc_config import check_resumable, load_abc_settings

    folder = out or Path("runs") / "abc"
    try:
        settings = load_abc_settings(config)
        check_output_folder(folder, "--out" if out else "")
        executor = make_executor(workers, scheduler, dask_local)  # checks the options; Dask starts below
        check_resumable(folder, settings)
    except ScenarioError as err:
        fail(str(err))
    started = time.perf_counter()
    try:
        result, screened = _screen_and_fit(console, settings, folder, executor)
    except ScenarioError as err:
        fail(str(err))
    _log_run(folder, executor.describe(), screened, time.perf_counter() - started)
    state = "complete" if result.complete else "not complete"
    console.print(
        f"posterior {state} ({result.stopped or 'stopped'}); {len(result.generations)} generations, "
        f"{int(result.generations['simulations'].sum())} simulations; report [bold]{folder / 'report.md'}[/]",
        highlight=False,
    )
    if writer is not None:
        _write_baseline(console, settings, folder, result, writer)


def _screen_and_fit(console: Console, settings: Any, folder: Path, executor: Any) -> tuple[Any, float]:
    """The Morris screening, then ABC-SMC, on the executor's resources; returns the ABC result
    and the screening's seconds."""
    from ..sweeps.executors import DaskExecutor
    from .abc import ModelSimulator, run_abc
    from .screening import run_screening, select_parameters

    simulator = ModelSimulator.build(settings)
    dask = isinstance(executor, DaskExecutor)
    local = 1 if dask else max(1, getattr(executor, "workers", 1))
    with executor if dask else nullcontext(executor):
        client = executor.client if dask else None
        console.print(f"ABC calibration on {executor.describe()}; folder [bold]{folder}[/]", highlight=False)
        screened = time.perf_counter()
        table = run_screening(
            settings,
            folder,
            simulator,
            workers=local,
            client=client,
            progress=lambda d, n: console.print(f"  Morris screening: {d}/{n} points", highlight=False),
        )
        screened = time.perf_counter() - screened
        fitted = select_parameters(settings, table)
        if fitted.all_priors:
            console.print(
                f"  fitting the {len(fitted.priors)} most influential: {', '.join(fitted.priors)}", highlight=False
            )
        result = run_abc(
            fitted,
            folder,
            simulator,
            workers=local,
            client=client,
            on_generation=lambda r: _generation_line(console, r),
        )
    return result, screened


def _generation_line(console: Console, result: Any) -> None:
    row = result.generations.iloc[-1]
    eps = "inf (prior)" if row["epsilon"] >= 1e11 else f"{row['epsilon']:.3g}"
    console.print(
        f"  generation {int(row['generation'])}: epsilon {eps}, acceptance {row['acceptance_rate']:.3f}, "
        f"effective sample size {row['ess']:.1f}, {int(row['simulations'])} simulations, {row['wall_s']:.0f} s",
        highlight=False,
    )


def _log_run(folder: Path, where: str, screening_s: float, total_s: float) -> None:
    """One line per invocation in ``runs.jsonl``: what a resumed calibration cost, run by run."""
    line = {
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "executor": where,
        "screening_s": round(screening_s, 1),
        "total_s": round(total_s, 1),
    }
    with (folder / "runs.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def _write_baseline(
    console: Console, settings: Any, folder: Path, result: Any, writer: Callable[[dict[str, float], str], None]
) -> None:
    """Write the posterior medians into configs/baseline.yaml (only from a complete posterior)."""
    from ..runs import git_commit
    from .abc_plots import posterior_summary

    if not result.complete:
        console.print("the posterior is not complete: baseline.yaml left as it is", highlight=False)
        return
    summary = posterior_summary(settings, result.particles)
    values = {row.parameter: float(f"{row.median:.4g}") for row in summary.itertuples()}
    note = (
        f"uv run magnetdiplomacy calibrate --method abc, {dt.date.today():%Y-%m-%d}, commit {git_commit()[:12]}, "
        f"posterior medians of {folder}"
    )
    writer(values, note)
    console.print("wrote the posterior medians into configs/baseline.yaml", highlight=False)


__all__ = ["calibrate_abc"]
