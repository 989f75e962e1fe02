"""Command line: ``magnetdiplomacy run | compare | scenarios | describe | sweep | analyze | validate | calibrate``.

User mistakes (bad files, keys, values, options) print one line on stderr and exit with code 2;
nothing is written.

Importing this module stays light (typer and rich's console and tables): every command imports
what it needs when it runs, so ``--help`` loads no scenario code, ``scenarios`` and ``describe``
only the scenario files' parser (pydantic and PyYAML), and only the commands that simulate or
analyse load Mesa, pandas and numpy. ``tests/test_cli_light.py`` checks it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .handouts import handouts_command
from .validation.commands import calibrate_command, validate_command

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Agent-based model of the rare-earth magnet race around Malaysia."
)
console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command("run")
def run_command(
    config: str = typer.Argument(
        "configs/baseline.yaml", help="Scenario file or name (see `magnetdiplomacy scenarios`)."
    ),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Random seed (default: the scenario's run.seed)."),
    end: str | None = typer.Option(
        None, "--end", help="Last month to simulate, YYYY-MM (default: the scenario's run.end)."
    ),
    set_: list[str] = typer.Option([], "--set", help="Override a parameter: key.path=value (repeatable)."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default: runs/<scenario>_<time>_s<seed>)."),
    csv: bool = typer.Option(False, "--csv", help="Also write CSV copies of the tables."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the run folder's path."),
) -> None:
    """Run a scenario, print a summary and Malaysia's scorecard, and write a run folder (Parquet, scorecard.csv,
    manifest.json)."""
    from .runs import check_out_folder, default_folder, prepare, simulate, write_folder
    from .scenario import ScenarioError

    try:
        scenario = prepare(config, seed=seed, end=end, overrides=set_)
        folder = out or default_folder(scenario, scenario.run.seed)
        check_out_folder(folder)
    except ScenarioError as err:
        fail(str(err))
    result = simulate(scenario) if quiet else _simulate_with_progress(scenario)
    try:
        write_folder(result, folder, csv=csv)
    except ScenarioError as err:
        fail(str(err))
    if quiet:
        print(folder)
        return
    _print_summary(result, folder)


@app.command("compare")
def compare_command(
    a: str = typer.Argument(..., help="Scenario A (file or name): the reference."),
    b: str | None = typer.Argument(None, help="Scenario B (file or name); without it, B is A with the --set changes."),
    seeds: int = typer.Option(30, "--seeds", min=2, help="Seeds 1..N, the same in both scenarios."),
    end: str | None = typer.Option(None, "--end", help="Last month to simulate, YYYY-MM (default: each scenario's)."),
    year: int | None = typer.Option(None, "--year", help="Year of the outcomes (default: the last year simulated)."),
    set_: list[str] = typer.Option([], "--set", help="Change B: key.path=value (repeatable)."),
    out: Path = typer.Option(..., "--out", help="Folder for differences.csv, paired.csv, scorecard.csv and the plot."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=0, help="Worker processes (default: one per core; 0 runs in this process)."
    ),
) -> None:
    """Paired runs of two scenarios over N seeds: each outcome's mean difference B - A with its 95% interval."""
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .compare import b_from_changes, compare, describe, describe_scorecard, write
    from .runs import check_out_folder, prepare
    from .scenario import ScenarioError

    if b is None and not set_:
        fail("compare: give scenario B or at least one --set change for B")
    try:
        first = prepare(a, end=end)
        second = prepare(b, end=end, overrides=set_) if b is not None else b_from_changes(first, set_)
        check_out_folder(out)
        last = int(min(first.run.end, second.run.end)[:4])
        if year is not None and not int(first.run.start[:4]) <= year <= last:
            raise ScenarioError(f"--year {year}: outside the runs ({first.run.start[:4]} to {last})")
        if first.run.start != second.run.start:
            raise ScenarioError(f"{a} and {b}: the scenarios start in different months; pair scenarios with one start")
    except ScenarioError as err:
        fail(str(err))
    count = (os.cpu_count() or 1) if workers is None else workers
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"{second.name} vs {first.name}: seed pairs", total=seeds)
        pairs = list(range(1, seeds + 1))

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done)

        result = compare(first, second, pairs, year=year, workers=min(count, seeds), progress=advance)
    write(result, out)
    title = f"{second.name} minus {first.name}, {result.year}, paired over {seeds} seeds"
    caption = "difference: mean of B - A over the seeds [95% interval]"
    _print_table(title, ("outcome", "A", "B", "difference", "seeds with B > A"), describe(result), caption)
    _print_table(
        f"Malaysia's scorecard {result.year}: {second.name} (B) against {first.name} (A)",
        ("target", "goal", "A", "B", "difference", "met in A", "met in B"),
        describe_scorecard(result),
        "A, B: means over the seeds; met: share of seeds meeting the goal (– for an indicator)",
        "llrrrrr",
    )
    console.print(
        f"wrote differences.csv (every outcome), paired.csv, scorecard.csv and a plot to [bold]{out}[/]",
        highlight=False,
    )


def _print_table(title: str, columns, rows, caption: str | None = None, justify: str = "") -> None:
    """A table of text rows; ``justify`` has one letter per column (l, r, c; default: the first column
    left, the others right)."""
    table = Table(title=title, caption=caption)
    for i, column in enumerate(columns):
        letter = justify[i] if justify else "l" if i == 0 else "r"
        table.add_column(column, justify="left" if letter == "l" else "right" if letter == "r" else "center")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _simulate_with_progress(scenario):
    """Run a scenario with a progress bar of months."""
    from rich import progress as rp

    from .runs import simulate

    columns: tuple[rp.ProgressColumn, ...] = (rp.TextColumn("[bold]{task.description}"), rp.BarColumn())
    columns += (rp.MofNCompleteColumn(), rp.TextColumn("months"), rp.TimeElapsedColumn(), rp.TimeRemainingColumn())
    with rp.Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"{scenario.name} (seed {scenario.run.seed})", total=None)
        return simulate(scenario, progress=lambda done, total: bar.update(task, completed=done, total=total))


def _print_summary(result, folder: Path) -> None:
    """The run's headline outputs by year, its timing and its folder."""
    run = result.scenario.run
    title = f"{result.scenario.name}: {run.start} to {run.end}, seed {run.seed}, {result.scenario.buyers.count} buyers"
    caption = "one seed; levels in December, shares and prices averaged over the year, flows summed"
    summary = result.summary()
    rows = [(label, *row.tolist()) for label, row in summary.iterrows()]
    _print_table(title, ("indicator", *summary.columns), rows, caption)
    _print_movers(result)
    _print_scorecard(result)
    seconds = result.manifest["timings_s"]
    console.print(f"simulated {result.manifest['ticks']} months in {seconds['simulate']:.2f} s")
    console.print(f"run folder: [bold]{folder}[/]", highlight=False)


def _print_movers(result) -> None:
    """The three ties, trade or concessions that moved Malaysia's alignment most each year."""
    from .runs import top_movers

    if result.attribution_df is None or result.attribution_df.empty:
        return
    rows = []
    for year, group in top_movers(result.attribution_df).groupby("year"):
        cells = [f"{row.source} ({row.change:+.3f})" for row in group.itertuples()]
        rows.append((str(year), *cells, *[""] * (3 - len(cells))))
    _print_table(
        "What moved Malaysia's alignment (net change over the year, + towards the US)",
        ("year", "#1", "#2", "#3"),
        rows,
        "alignment_attribution.parquet in the run folder has every source, month by month",
        "llll",
    )


def _print_scorecard(result) -> None:
    """Malaysia's scorecard for 2030 (or the run's last whole year): value, goal, met, source."""
    from .runs import scorecard_rows

    found = result.scorecard()
    if found is None:
        console.print("Malaysia's scorecard: the run covers no whole calendar year", highlight=False)
        return
    year, card = found
    caption = "✓ met, ✗ not met, – an indicator (never scored); scorecard.csv in the run folder has every column"
    rows = scorecard_rows(card)
    _print_table(f"Malaysia's scorecard {year}", ("target", "value", "goal", "met", "source"), rows, caption, "lrlcl")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` without its full stop (colons and semicolons do not end it)."""
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0].rstrip(".")


@app.command("scenarios")
def scenarios_command() -> None:
    """List the named scenarios with one-line descriptions."""
    from .scenario import ScenarioError, list_scenarios, load_scenario

    table = Table(title="Scenarios (run one with: magnetdiplomacy run NAME)")
    table.add_column("name")
    table.add_column("description")
    table.add_column("file")
    for name, path in sorted(list_scenarios().items(), key=lambda item: (item[0] != "baseline", item[0])):
        try:
            description = first_sentence(load_scenario(path).description)
        except ScenarioError as err:
            description = f"(invalid: {err})"
        table.add_row(
            name, description, str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
        )
    console.print(table)


@app.command("describe")
def describe_command(
    scenario: str = typer.Argument("baseline", help="Scenario file or name."),
    changed: bool = typer.Option(False, "--changed", help="Only parameters that differ from the defaults."),
    search: str | None = typer.Option(
        None, "--grep", help="Only parameters whose path or description contains this text."
    ),
) -> None:
    """Every parameter of a scenario with its value, unit, range, data source and flag."""
    from .parameters import iter_parameters
    from .scenario import ScenarioError, find_scenario, load_scenario

    try:
        loaded = load_scenario(find_scenario(scenario))
    except ScenarioError as err:
        fail(str(err))
    defaults = {spec.path: spec.default for spec in iter_parameters()}
    with console:  # buffered: one write for the ~400 lines instead of one per line
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
            source = f"[dim]({spec.source}; {spec.flag})[/]"
            console.print(
                f"  [cyan]{spec.path}[/] = {spec.default} {spec.unit}{bounds}{marker}  {source}", highlight=False
            )
            console.print(f"      {spec.description}", highlight=False, style="dim")
        if loaded.interventions:
            console.print("\n[bold underline]interventions[/]")
            for item in loaded.interventions:
                console.print(f"  {item.date}  {item.action} {item.params or ''}  {item.note}", highlight=False)
        console.print("\n* differs from the default; sources are rows of calibration.csv (C...) and events.csv (E...)")


# --------------------------------------------------------------------------------------------
# sweeps (see docs/sweeps.md)


# Options of `sweep`, declared apart so the command reads as one screen.
SweepFile = Annotated[Path, typer.Argument(metavar="FILE", help="Sweep file, e.g. configs/sweeps/share_drivers.yaml.")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", "-w", help="Local worker processes (default: one per core; 0 runs in this process)."),
]
SweepOut = Annotated[
    Path | None,
    typer.Option("--out", help="Sweep folder (default runs/<sweep name>). Rerunning into the same folder resumes."),
]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="Run on an existing Dask cluster, e.g. tcp://HOST:8786.")
]
DaskLocal = Annotated[
    int | None, typer.Option("--dask-local", help="Run on a Dask LocalCluster of N worker processes.")
]
Batch = Annotated[int | None, typer.Option("--batch", help="Runs per task sent to a worker (default: automatic).")]
Limit = Annotated[
    int | None, typer.Option("--limit", help="Do at most N runs now and leave the rest for a later call.")
]
Flush = Annotated[
    int, typer.Option("--flush", help="Write finished runs to disk every N runs (and at least every 10 s).")
]
SweepQuiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; print only the sweep folder.")]
ShareHistory = Annotated[
    bool,
    typer.Option(
        "--share-history/--no-share-history",
        help=(
            "Start runs that share a seed from a copy of an earlier run where they have not yet diverged "
            "(same results, less work)."
        ),
    ),
]


@app.command("sweep")
def sweep_command(
    file: SweepFile,
    workers: Workers = None,
    out: SweepOut = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    batch: Batch = None,
    limit: Limit = None,
    flush: Flush = 500,
    quiet: SweepQuiet = False,
    share_history: ShareHistory = True,
) -> None:
    """Run a parameter sweep, streaming results to Parquet; rerun the same command to resume."""
    from .progress import SweepBar
    from .scenario import ScenarioError
    from .sweeps import run_sweep
    from .sweeps.runner import SweepInterrupted

    counts = {"--batch": (batch, 1), "--limit": (limit, 0), "--dask-local": (dask_local, 1), "--workers": (workers, 0)}
    sweep, executor = _load_sweep(file, counts | {"--flush": (flush, 1)}, workers, scheduler, dask_local)
    folder = out or Path("runs") / sweep.name
    try:
        report = run_sweep(
            sweep,
            folder,
            executor=executor,
            batch=batch,
            limit=limit,
            flush_runs=flush,
            progress=None if quiet else SweepBar(console),
            on_ready=None if quiet else _announce(sweep, folder),
            share_history=share_history,
        )
    except SweepInterrupted as stop:
        report = stop.report
        errors.print(
            f"interrupted: {report.completed:,} of {report.total:,} runs saved in {report.folder}; "
            "rerun the same command to resume",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    except ScenarioError as err:
        fail(str(err))
    _finish_sweep(report, quiet)


def _load_sweep(file: Path, counts: dict[str, tuple[int | None, int]], workers, scheduler, dask_local):
    """The sweep file and the executor, or one line and exit 2 for a user's mistake."""
    from .scenario import ScenarioError
    from .sweeps import load_sweep
    from .sweeps.executors import make_executor

    try:
        for option, (value, low) in counts.items():
            if value is not None and value < low:
                raise ScenarioError(f"{option} {value}: must be {low} or more")
        return load_sweep(file), make_executor(workers, scheduler, dask_local)
    except ScenarioError as err:
        fail(str(err))
        raise  # unreachable: fail exits


def _announce(sweep, folder: Path):
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


def _finish_sweep(report, quiet: bool) -> None:
    """Report a sweep's end: failed runs (exit 1), what was done, and what to do next."""
    if report.errors:
        run_id, message = report.errors[0]
        errors.print(
            f"[bold red]error:[/] {len(report.errors)} run(s) failed, first run {run_id}: {message}; "
            f"{report.completed:,} of {report.total:,} runs saved in {report.folder} "
            "(plan.parquet lists each run's parameters); rerun to retry",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
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


@app.command("analyze")
def analyze_command(
    folder: Path = typer.Argument(
        ..., help="Sweep folder written by `magnetdiplomacy sweep` (e.g. runs/share_drivers)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Where to write tables and plots (default FOLDER/analysis)."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Tables only."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the analysis folder."),
) -> None:
    """Sobol or Morris indices per outcome (SALib), summary tables and PNG plots of a finished sweep."""
    from .scenario import ScenarioError
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
        summary.add_row(
            row["outcome"],
            *(f"{row[c]:.3g}" if row[c] == row[c] else "-" for c in ("mean", "p5", "median", "p95", "noise_share")),
        )
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
    console.print(
        f"wrote {len(result.files)} files to [bold]{result.out}[/] (report.md, indices.csv, summary.csv, PNG plots)",
        highlight=False,
    )


app.command("validate")(validate_command)
app.command("calibrate")(calibrate_command)
app.command("handouts")(handouts_command)


def main() -> None:
    """Entry point of the ``magnetdiplomacy`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
