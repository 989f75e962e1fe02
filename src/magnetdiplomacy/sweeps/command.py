"""What the ``sweep`` and ``analyze`` commands print and check (the commands are in :mod:`magnetdiplomacy.cli`).

Imported when one of those commands runs; light until it is asked for the sweep machinery, so a
bad option, file or folder is refused in one line before numpy, pandas and the model load.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..scenario import ScenarioError
from .inputs import check_output_folder
from .schema import HARD_MAX_RUNS, MAX_RUNS


def refuse(message: str, code: int = 2) -> NoReturn:
    """One line on stderr (``error: ...``, the message printed as it is, never as markup), then exit."""
    Console(stderr=True).print(
        Text.assemble(("error:", "bold red"), " ", " ".join(message.splitlines())), soft_wrap=True
    )
    raise typer.Exit(code)


def load(file: Path, out: Path | None, counts: dict[str, tuple[int | None, int]], executor_options: tuple, max_runs):
    """The sweep file, its folder and the executor for the options, or one line and exit 2."""
    from .spec import load_sweep

    try:
        for option, (value, low) in counts.items():
            if value is not None and value < low:
                raise ScenarioError(f"{option} {value}: must be {low} or more")
        if max_runs is not None and not 1 <= max_runs <= HARD_MAX_RUNS:
            raise ScenarioError(f"--max-runs {max_runs}: must be 1 to {HARD_MAX_RUNS:,}")
        if out is not None:
            check_output_folder(out)
        sweep = load_sweep(file, max_runs=MAX_RUNS if max_runs is None else max_runs)
        folder = out or Path("runs") / sweep.name
        check_output_folder(folder, "--out" if out is not None else "")
        from .executors import make_executor  # loads the model: only once the inputs are known to be good

        executor = make_executor(*executor_options)
    except ScenarioError as err:
        refuse(str(err))
    return sweep, folder, executor


def announce(console: Console, sweep, folder: Path):
    """What the sweep will do, printed once its plan is ready."""

    def ready(report) -> None:
        plural = "s" if sweep.replications != 1 else ""
        resumed = f", resuming: {report.done_before:,} done before" if report.done_before else ""
        console.print(
            f"sweep [bold]{sweep.name}[/]: {sweep.design.kind} design, {report.total:,} runs "
            f"({sweep.n_points:,} points x {sweep.replications} replication{plural}){resumed}; "
            f"{report.executor}; results in {folder}",
            highlight=False,
        )

    return ready


def finish(console: Console, report, quiet: bool) -> None:
    """Report a sweep's end: failed runs (exit 1), what was done, and what to do next."""
    if report.errors:
        run_id, message = report.errors[0]
        refuse(
            f"{len(report.errors)} run(s) failed, first run {run_id}: {message}; "
            f"{report.completed:,} of {report.total:,} runs saved in {report.folder} "
            "(plan.parquet lists each run's parameters); rerun to retry",
            code=1,
        )
    if quiet:
        print(report.folder)
        return
    if report.done_now == 0 and report.complete:
        console.print(
            f"all {report.total:,} runs were already done in {report.folder}; nothing to run", highlight=False
        )
    else:
        rate = report.done_now / report.seconds if report.seconds else 0.0
        console.print(
            f"{report.done_now:,} runs in {report.seconds:.1f} s ({rate:.1f} runs/s); "
            f"{report.completed:,} of {report.total:,} done",
            highlight=False,
        )
    if report.complete:
        console.print(f"next: [bold]magnetdiplomacy analyze {report.folder}[/]", highlight=False)
    else:
        console.print(
            f"{report.total - report.completed:,} runs left; rerun the same command to continue", highlight=False
        )


def analyze_folder(folder: Path, out: Path | None, plots: bool):
    """``analyze``'s work: the folder and ``--out`` checked first, then the analysis; or one line and exit 2."""
    from .manifest import read_manifest

    try:
        if out is not None:
            check_output_folder(out)
        if not _is_dir(folder):
            raise ScenarioError(f"{folder}: no such sweep folder")
        read_manifest(folder)  # a folder that is not a sweep, or a manifest edited by hand, before numpy loads
        from .analysis import analyze

        return analyze(folder, out, plots=plots)
    except ScenarioError as err:
        refuse(str(err))


def _is_dir(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except OSError:  # a name too long, say
        return False


def print_analysis(console: Console, folder: Path, result) -> None:
    """The outcomes over all runs, then each outcome's parameters ranked, then the files written."""
    from .analysis import RANK_BY

    summary = Table(title=f"{folder}: outcomes over all runs")
    for column in ("outcome", "mean", "p5", "median", "p95", "noise share"):
        summary.add_column(column, justify="left" if column == "outcome" else "right")
    for _, row in result.summary.iterrows():
        summary.add_row(
            row["outcome"],
            *(f"{row[c]:.3g}" if row[c] == row[c] else "-" for c in ("mean", "p5", "median", "p95", "noise_share")),
        )
    console.print(summary)
    key = RANK_BY[result.method]
    for name in result.summary["outcome"]:
        top = result.top(name)
        table = Table(title=f"{name}: parameters ranked by {key} ({result.method})")
        table.add_column("parameter")
        metrics = [c for c in top.columns if c not in ("outcome", "method", "parameter")]
        for column in metrics:
            table.add_column(column, justify="right")
        for _, row in top.iterrows():
            table.add_row(row["parameter"], *(f"{row[c]:.3g}" if row[c] == row[c] else "-" for c in metrics))
        console.print(table)
    console.print(
        f"wrote {len(result.files)} files to [bold]{result.out}[/] (report.md, indices.csv, summary.csv, PNG plots)",
        highlight=False,
    )
