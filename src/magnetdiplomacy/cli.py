"""Command line: ``magnetdiplomacy run | scenarios | describe | sweep | analyze``.

User mistakes (bad files, keys, values, options) print one line on stderr and exit with code 2;
nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .parameters import iter_parameters
from .progress import SweepBar
from .scenario import ScenarioError, find_scenario, list_scenarios, load_scenario
from .validation.commands import calibrate_command, validate_command

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Agent-based model of the rare-earth magnet race around Malaysia.")
console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command("run")
def run_command(
    config: str = typer.Argument("configs/baseline.yaml", help="Scenario file or name (see `magnetdiplomacy scenarios`)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Random seed (default: the scenario's run.seed)."),
    end: Optional[str] = typer.Option(None, "--end", help="Last month to simulate, YYYY-MM (default: the scenario's run.end)."),
    set_: list[str] = typer.Option([], "--set", help="Override a parameter: key.path=value (repeatable)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run folder (default: runs/<scenario>_<time>_s<seed>)."),
    csv: bool = typer.Option(False, "--csv", help="Also write CSV copies of the tables."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the run folder's path."),
) -> None:
    """Run a scenario, print a summary table and write a run folder (Parquet + manifest.json)."""
    from .runs import default_folder, prepare, simulate, write_folder

    try:
        scenario = prepare(config, seed=seed, end=end, overrides=set_)
        folder = out or default_folder(scenario, scenario.run.seed)
        if folder.exists() and any(folder.iterdir()):
            raise ScenarioError(f"{folder}: output folder exists and is not empty (choose another --out)")
    except ScenarioError as err:
        fail(str(err))
    if quiet:
        result = simulate(scenario)
    else:
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("months"), TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(f"{scenario.name} (seed {scenario.run.seed})", total=None)
            result = simulate(scenario, progress=lambda done, total: bar.update(task, completed=done, total=total))
    try:
        write_folder(result, folder, csv=csv)
    except ScenarioError as err:
        fail(str(err))
    if quiet:
        print(folder)
        return
    table = Table(title=f"{scenario.name}: {scenario.run.start} to {scenario.run.end}, seed {scenario.run.seed}, {scenario.buyers.count} buyers")
    summary = result.summary()
    table.add_column("indicator")
    for year in summary.columns:
        table.add_column(year, justify="right")
    for label, row in summary.iterrows():
        table.add_row(label, *row.tolist())
    console.print(table)
    seconds = result.manifest["timings_s"]
    console.print(f"simulated {result.manifest['ticks']} months in {seconds['simulate']:.2f} s")
    console.print(f"run folder: [bold]{folder}[/]", highlight=False)


@app.command("scenarios")
def scenarios_command() -> None:
    """List the named scenarios with one-line descriptions."""
    table = Table(title="Scenarios (run one with: magnetdiplomacy run NAME)")
    table.add_column("name")
    table.add_column("description")
    table.add_column("file")
    for name, path in sorted(list_scenarios().items(), key=lambda item: (item[0] != "baseline", item[0])):
        try:
            description = load_scenario(path).description.strip().split(": ")[0].split(". ")[0].rstrip(".")
        except (ScenarioError, IndexError) as err:
            description = f"(invalid: {err})" if isinstance(err, ScenarioError) else ""
        table.add_row(name, description, str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path))
    console.print(table)


@app.command("describe")
def describe_command(
    scenario: str = typer.Argument("baseline", help="Scenario file or name."),
    changed: bool = typer.Option(False, "--changed", help="Only parameters that differ from the defaults."),
    search: Optional[str] = typer.Option(None, "--grep", help="Only parameters whose path or description contains this text."),
) -> None:
    """Every parameter of a scenario with its value, unit, range, data source and flag."""
    try:
        loaded = load_scenario(find_scenario(scenario))
    except ScenarioError as err:
        fail(str(err))
    defaults = {spec.path: spec.default for spec in iter_parameters()}
    title = loaded.description.strip()
    console.print(f"[bold]{loaded.name}[/]: {title}", highlight=False)
    section = None
    for spec in iter_parameters(loaded):
        if changed and spec.default == defaults.get(spec.path):
            continue
        if search and search.lower() not in (spec.path + spec.description).lower():
            continue
        top = spec.path.split(".")[0]
        if top != section:
            section = top
            console.print(f"\n[bold underline]{section}[/]")
        bounds = f"  [{spec.lo:g} .. {spec.hi:g}]" if spec.lo is not None and spec.hi is not None else ""
        marker = " [bold yellow]*[/]" if spec.default != defaults.get(spec.path) else ""
        console.print(f"  [cyan]{spec.path}[/] = {spec.default} {spec.unit}{bounds}{marker}  [dim]({spec.source}; {spec.flag})[/]", highlight=False)
        console.print(f"      {spec.description}", highlight=False, style="dim")
    if loaded.interventions:
        console.print("\n[bold underline]interventions[/]")
        for item in loaded.interventions:
            console.print(f"  {item.date}  {item.action} {item.params or ''}  {item.note}", highlight=False)
    console.print("\n* differs from the default; sources are rows of calibration.csv (C...) and events.csv (E...)")


# --------------------------------------------------------------------------------------------
# sweeps (see docs/sweeps.md)


@app.command("sweep")
def sweep_command(
    file: Path = typer.Argument(..., help="Sweep file, e.g. configs/sweeps/share_drivers.yaml."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Local worker processes (default: one per core; 0 runs in this process)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Sweep folder (default runs/<sweep name>). Rerunning into the same folder resumes."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on an existing Dask cluster, e.g. tcp://HOST:8786."),
    dask_local: Optional[int] = typer.Option(None, "--dask-local", help="Run on a Dask LocalCluster of N worker processes."),
    batch: Optional[int] = typer.Option(None, "--batch", help="Runs per task sent to a worker (default: automatic)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Do at most N runs now and leave the rest for a later call."),
    flush: int = typer.Option(500, "--flush", help="Write finished runs to disk every N runs (and at least every 10 s)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; print only the sweep folder."),
    share_history: bool = typer.Option(True, "--share-history/--no-share-history", help="Start runs that share a seed from a copy of an earlier run where they have not yet diverged (same results, less work)."),
) -> None:
    """Run a parameter sweep, streaming results to Parquet; rerun the same command to resume."""
    from .sweeps import load_sweep, run_sweep
    from .sweeps.executors import make_executor
    from .sweeps.runner import SweepInterrupted

    try:
        for option, value, low in (("--batch", batch, 1), ("--limit", limit, 0), ("--dask-local", dask_local, 1), ("--workers", workers, 0), ("--flush", flush, 1)):
            if value is not None and value < low:
                raise ScenarioError(f"{option} {value}: must be {low} or more")
        sweep = load_sweep(file)
        executor = make_executor(workers, scheduler, dask_local)
    except ScenarioError as err:
        fail(str(err))
    folder = out or Path("runs") / sweep.name

    def ready(report) -> None:
        if not quiet:
            resumed = f", resuming: {report.done_before:,} done before" if report.done_before else ""
            console.print(f"sweep [bold]{sweep.name}[/]: {sweep.design.kind} design, {report.total:,} runs ({sweep.n_points:,} points x {sweep.replications} replication{'s' if sweep.replications != 1 else ''}){resumed}; {report.executor}; results in {folder}", highlight=False)

    try:
        report = run_sweep(sweep, folder, executor=executor, batch=batch, limit=limit, flush_runs=flush, progress=None if quiet else SweepBar(console), on_ready=ready, share_history=share_history)
    except SweepInterrupted as stop:
        report = stop.report
        errors.print(f"interrupted: {report.completed:,} of {report.total:,} runs saved in {report.folder}; rerun the same command to resume", highlight=False, soft_wrap=True)
        raise typer.Exit(130)
    except ScenarioError as err:
        fail(str(err))
    if report.errors:
        run_id, message = report.errors[0]
        errors.print(
            f"[bold red]error:[/] {len(report.errors)} run(s) failed, first run {run_id}: {message}; {report.completed:,} of {report.total:,} runs saved in {report.folder} (plan.parquet lists each run's parameters); rerun to retry",
            highlight=False, soft_wrap=True,
        )
        raise typer.Exit(1)
    if quiet:
        print(report.folder)
        return
    if report.done_now == 0 and report.complete:
        console.print(f"all {report.total:,} runs were already done in {report.folder}; nothing to run", highlight=False)
    else:
        rate = report.done_now / report.seconds if report.seconds else 0.0
        console.print(f"{report.done_now:,} runs in {report.seconds:.1f} s ({rate:.1f} runs/s); {report.completed:,} of {report.total:,} done", highlight=False)
    if report.complete:
        console.print(f"next: [bold]magnetdiplomacy analyze {report.folder}[/]", highlight=False)
    else:
        console.print(f"{report.total - report.completed:,} runs left; rerun the same command to continue", highlight=False)


@app.command("analyze")
def analyze_command(
    folder: Path = typer.Argument(..., help="Sweep folder written by `magnetdiplomacy sweep` (e.g. runs/share_drivers)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write tables and plots (default FOLDER/analysis)."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Tables only."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the analysis folder."),
) -> None:
    """Sobol or Morris indices per outcome (SALib), summary tables and PNG plots of a finished sweep."""
    from .sweeps import analyze

    try:
        result = analyze(folder, out, plots=not no_plots)
    except ScenarioError as err:
        fail(str(err))
    if quiet:
        print(result.out)
        return
    summary = Table(title=f"{folder}: outcomes over all runs")
    for column in ("outcome", "mean", "p5", "median", "p95", "noise share"):
        summary.add_column(column, justify="left" if column == "outcome" else "right")
    for _, row in result.summary.iterrows():
        summary.add_row(row["outcome"], *(f"{row[c]:.3g}" if row[c] == row[c] else "-" for c in ("mean", "p5", "median", "p95", "noise_share")))
    console.print(summary)
    from .sweeps.analysis import RANK_BY

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
    console.print(f"wrote {len(result.files)} files to [bold]{result.out}[/] (report.md, indices.csv, summary.csv, PNG plots)", highlight=False)


app.command("validate")(validate_command)
app.command("calibrate")(calibrate_command)


def main() -> None:
    """Entry point of the ``magnetdiplomacy`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
