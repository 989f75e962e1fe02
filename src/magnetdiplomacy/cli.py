"""Command line: ``magnetdiplomacy run | compare | scenarios | describe | sweep | analyze | validate | calibrate |
discover | handouts``.

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
from rich.markup import escape
from rich.table import Table

from .handouts import handouts_command
from .inference.commands import discover_command
from .validation.commands import calibrate_command, validate_command

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Agent-based model of the rare-earth magnet race around Malaysia."
)
console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """One line on stderr (the message as it is, never read as markup), then exit."""
    errors.print(f"[bold red]error:[/] {escape(' '.join(message.splitlines()))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


# Options of `run` and `compare` that draw parameter sets from a stored posterior (docs/validation.md).
PosteriorDir = Annotated[
    Path | None, typer.Option("--posterior", help="Posterior folder (e.g. configs/posterior): run one draw per set.")
]
Draws = Annotated[int | None, typer.Option("--draws", help="Parameter sets drawn from --posterior (default 20).")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", "-w", help="Local worker processes (default: one per core; 0 runs in this process)."),
]


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
    posterior: PosteriorDir = None,
    draws: Draws = None,
    workers: Workers = None,
) -> None:
    """Run a scenario, print a summary and Malaysia's scorecard, and write a run folder (Parquet, scorecard.csv,
    manifest.json). Inputs are checked before the model loads, and the model's invariants every month.
    With --posterior, also one run per posterior draw: bands of the key outputs in FOLDER/posterior."""
    from .parameters.inputs import check_output_folder
    from .scenario import ScenarioError, default_folder, prepare

    try:
        scenario = prepare(config, seed=seed, end=end, overrides=set_)
        folder = check_output_folder(out if out is not None else default_folder(scenario, scenario.run.seed))
        plan = _draw_plan(posterior, draws, workers, scenario, pins=[set_])
    except ScenarioError as err:
        fail(str(err))
    from .runs import InvariantError, simulate, write_folder

    try:
        result = simulate(scenario) if quiet else _simulate_with_progress(scenario)
        frames = _run_draws(scenario, plan, workers, quiet, set_) if plan is not None else []
        write_folder(result, folder, csv=csv)
        if plan is not None:
            from .inference.ensemble import write_run_ensemble

            bands_table = write_run_ensemble(folder, plan, frames, csv=csv)
    except InvariantError as err:
        fail(str(err), 1)
    except ScenarioError as err:
        fail(str(err))
    if quiet:
        print(folder)
        return
    _print_summary(result, folder)
    if plan is not None:
        _print_table(*bands_table)


@app.command("compare")
def compare_command(
    a: str = typer.Argument(..., help="Scenario A (file or name): the reference."),
    b: str | None = typer.Argument(None, help="Scenario B (file or name); without it, B is A with the --set changes."),
    seeds: int = typer.Option(30, "--seeds", min=2, help="Seeds 1..N, the same in both scenarios."),
    end: str | None = typer.Option(None, "--end", help="Last month to simulate, YYYY-MM (default: each scenario's)."),
    year: int | None = typer.Option(None, "--year", help="Year of the outcomes (default: the last year simulated)."),
    set_: list[str] = typer.Option([], "--set", help="Change B: key.path=value (repeatable)."),
    out: Path = typer.Option(..., "--out", help="Folder for differences.csv, paired.csv, scorecard.csv and the plot."),
    workers: Workers = None,
    posterior: PosteriorDir = None,
    draws: Draws = None,
) -> None:
    """Paired runs of two scenarios over N seeds: each outcome's mean difference B - A with its 95% interval.
    With --posterior, one pair per posterior draw (same draws and seeds in A and B)."""
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    first, second = _compare_inputs(a, b, end, year, set_, out)
    plan = _draw_plan(posterior, draws, workers, first, second, pins=[[], set_])
    seeds = len(plan.seeds) if plan is not None else seeds
    from .compare import describe, describe_scorecard, write
    from .inference.ensemble import compare_draw_files, compare_pairs, draws_table
    from .runs import InvariantError

    count = (os.cpu_count() or 1) if workers is None else workers
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"{second.name} vs {first.name}: seed pairs", total=seeds)
        pairs = list(range(1, seeds + 1))

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done)

        try:
            result = compare_pairs(
                first, second, plan, pairs, set_, year=year, workers=min(count, seeds), progress=advance
            )
        except InvariantError as err:
            fail(str(err), 1)
    write(result, out, extras=compare_draw_files(plan) if plan is not None else None)
    if plan is not None:
        _print_table(*draws_table(result))
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


def _draw_plan(posterior: Path | None, draws: int | None, workers: int | None, *scenarios, pins=()):
    """The posterior draws of ``run``/``compare`` (None without --posterior), checked before any run."""
    from .inference.ensemble import pinned, prepare
    from .scenario import ScenarioError

    try:
        if workers is not None and not 0 <= workers <= 256:
            raise ScenarioError(f"--workers {workers}: must be 0 to 256")
        return prepare(posterior, draws, *scenarios, pins=[pinned(p) for p in pins])
    except ScenarioError as err:
        fail(str(err))


def _run_draws(scenario, plan, workers: int | None, quiet: bool, changes: list[str]):
    """One run per posterior draw (with a progress bar unless quiet)."""
    import os

    from rich.progress import Progress

    from .inference.ensemble import pinned, run_draws

    count = (os.cpu_count() or 1) if workers is None else workers
    with Progress(console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task(f"{scenario.name}: posterior draws", total=len(plan.seeds))
        advance = lambda done, total: bar.update(task, completed=done)  # noqa: E731
        return run_draws(scenario, plan, count, advance, pinned(changes))


def _compare_inputs(a: str, b: str | None, end: str | None, year: int | None, changes: list[str], out: Path):
    """Scenarios A and B of ``compare`` (B is A with the changes when not given), every input
    checked before any work starts (one line and exit 2 otherwise)."""
    from .parameters.inputs import check_output_folder
    from .scenario import ScenarioError, prepare

    if b is None and not changes:
        fail("compare: give scenario B or at least one --set change for B")
    try:
        first = prepare(a, end=end)
        second = prepare(b, end=end, overrides=changes) if b is not None else prepare(first, overrides=changes)
        check_output_folder(out)
        last = int(min(first.run.end, second.run.end)[:4])
        if year is not None and not int(first.run.start[:4]) <= year <= last:
            raise ScenarioError(f"--year {year}: outside the runs ({first.run.start[:4]} to {last})")
        if first.run.start != second.run.start:
            raise ScenarioError(f"{a} and {b}: the scenarios start in different months; pair scenarios with one start")
    except ScenarioError as err:
        fail(str(err))
    from .compare import b_from_changes

    return first, b_from_changes(first, changes) if b is None else second  # B named after its changes


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
    from .scenario import ScenarioError, list_scenarios, load_scenario, shown_path

    table = Table(title="Scenarios (run one with: magnetdiplomacy run NAME)")
    table.add_column("name")
    table.add_column("description")
    table.add_column("file")
    for name, path in sorted(list_scenarios().items(), key=lambda item: (item[0] != "baseline", item[0])):
        try:
            description = first_sentence(load_scenario(path).description)
        except ScenarioError as err:
            description = f"(invalid: {err})"
        table.add_row(name, description, shown_path(path))
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
MaxRuns = Annotated[
    int | None, typer.Option("--max-runs", help="Refuse a design of more runs than this (default 1,000,000).")
]
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
    max_runs: MaxRuns = None,
) -> None:
    """Run a parameter sweep, streaming results to Parquet; rerun the same command to resume."""
    from .progress import SweepBar
    from .scenario import ScenarioError
    from .sweeps import command

    counts = {"--batch": (batch, 1), "--limit": (limit, 0), "--dask-local": (dask_local, 1), "--workers": (workers, 0)}
    options = (workers, scheduler, dask_local)
    sweep, folder, executor = command.load(file, out, counts | {"--flush": (flush, 1)}, options, max_runs)
    from .sweeps import run_sweep
    from .sweeps.runner import SweepInterrupted

    try:
        report = run_sweep(
            sweep,
            folder,
            executor=executor,
            batch=batch,
            limit=limit,
            flush_runs=flush,
            progress=None if quiet else SweepBar(console),
            on_ready=None if quiet else command.announce(console, sweep, folder),
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
        command.refuse(str(err))
    command.finish(console, report, quiet)


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
    from .sweeps import command

    result = command.analyze_folder(folder, out, plots=not no_plots)
    if quiet:
        print(result.out)
        return
    command.print_analysis(console, folder, result)


app.command("validate")(validate_command)
app.command("calibrate")(calibrate_command)
app.command("handouts")(handouts_command)
app.command("discover")(discover_command)


def main() -> None:
    """Entry point of the ``magnetdiplomacy`` console script. A mistake on the command line itself (an
    unknown command or option, a value of the wrong type) is one line too, with exit code 2."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError  # typer's own copy of click

    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError:
        app()  # the help, as typer prints it; exits
        return
    except ClickException as err:
        context = getattr(err, "ctx", None)
        where = f"{context.command_path}: " if context is not None else ""
        errors.print(f"[bold red]error:[/] {escape(where + err.format_message())} (see --help)", soft_wrap=True)
        code = err.exit_code
    except (typer.Abort, KeyboardInterrupt):
        errors.print("interrupted")
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
