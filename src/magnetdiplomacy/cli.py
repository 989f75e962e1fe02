"""Command line: ``magnetdiplomacy run | scenarios | describe``.

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
from .scenario import ScenarioError, find_scenario, list_scenarios, load_scenario

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


def main() -> None:
    """Entry point of the ``magnetdiplomacy`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
