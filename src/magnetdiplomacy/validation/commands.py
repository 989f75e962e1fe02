"""The ``validate`` and ``calibrate`` commands (registered in :mod:`magnetdiplomacy.cli`).

Imported by the command line on every call, so it stays light: the scenario parser, the model,
pandas, matplotlib and rich's progress bars are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.progress import Progress

console = Console()
errors = Console(stderr=True)
MARKER = "# --- calibrated values"


def _baseline() -> Path:
    """configs/baseline.yaml of the project (what ``write_calibrated_baseline`` rewrites)."""
    from ..scenario import PROJECT_ROOT

    return PROJECT_ROOT / "configs" / "baseline.yaml"


def __getattr__(name: str):
    # ``BASELINE`` is computed on first use: importing the scenario module here would load pydantic
    # and every parameter model for ``magnetdiplomacy --help``.
    if name == "BASELINE":
        return _baseline()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _fail(message: str) -> NoReturn:
    """One line on stderr, the message printed as it is (never read as markup), and exit code 2."""
    errors.print(Text.assemble(("error:", "bold red"), " ", " ".join(message.splitlines())), soft_wrap=True)
    raise typer.Exit(2)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _print_results(results) -> None:
    from .report import basis_split, results_table

    table = Table(title="Patterns")
    draws = any(r.draw_share is not None for r in results)
    for column in ("pattern", "basis", "result", "margin", "simulated (median)", "observed"):
        table.add_column(column, overflow="fold")
    if draws:  # posterior-predictive check: the share of posterior draws meeting the pattern
        table.add_column("draws meeting it", justify="right")
    for row in results_table(results).itertuples():
        style = "green" if row.status == "pass" else ("yellow" if row.status == "soft fail" else "red")
        cells = [row.pattern, row.basis, f"[{style}]{row.status}[/]", f"{row.margin:.3g}", row.simulated, row.observed]
        table.add_row(*cells, *([f"{row.draw_share:.0%}"] if draws else []))
    console.print(table)
    console.print("What the model earns, what is replayed, what is set by construction:", highlight=False)
    for line in basis_split(results):
        console.print(line, highlight=False, soft_wrap=True)


def _validate_inputs(patterns_file, seeds, workers, set_, out, posterior, draws):
    """The patterns, the ``--set`` overrides and the posterior draws of ``validate`` (None without
    --posterior), every input checked before any run (one line and exit 2 otherwise)."""
    from ..scenario import ScenarioError, parse_assignment
    from ..sweeps.inputs import check_output_folder
    from . import load_patterns

    try:
        for option, value, most in (("--seeds", seeds, 1000), ("--workers", workers, 256)):
            if value is not None and not 1 <= value <= most:
                raise ScenarioError(f"{option} {value}: must be 1 to {most}")
        patterns = load_patterns(patterns_file)
        extra = dict(parse_assignment(text) for text in set_)
        from .runner import experiment_scenarios

        scenarios = experiment_scenarios(patterns, extra)  # fail fast on bad scenarios or overrides
        check_output_folder(out)
        from ..inference.ensemble import prepare

        return patterns, extra, prepare(posterior, draws, *scenarios.values())
    except ScenarioError as err:
        _fail(str(err))


def validate_command(
    patterns_file: Path | None = typer.Option(
        None, "--patterns", help="Patterns file (default configs/validation/patterns.yaml)."
    ),
    seeds: int | None = typer.Option(None, "--seeds", help="Seeds per experiment (default: the patterns file's)."),
    out: Path = typer.Option(Path("runs/validation"), "--out", help="Folder for report.md and the plots."),
    workers: int = typer.Option(2, "--workers", help="Worker processes."),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a parameter in every experiment: key.path=value (repeatable)."
    ),
    posterior: Path | None = typer.Option(
        None, "--posterior", help="Posterior folder: posterior-predictive checks over its draws (docs/validation.md)."
    ),
    draws: int | None = typer.Option(
        None,
        "--draws",
        help="Parameter sets drawn from --posterior (default 20); --seeds is then per draw (default 1).",
    ),
) -> None:
    """Replay history with many seeds and test the model against the historical patterns; with --posterior,
    every draw runs every experiment and each pattern reports the share of draws meeting it."""
    patterns, extra, plan = _validate_inputs(patterns_file, seeds, workers, set_, out, posterior, draws)
    if plan is not None and seeds is None:
        seeds = 1  # one run per draw and experiment: the draws carry the seed noise too
    from . import evaluate_all, run_experiments
    from .report import write_report

    started = time.perf_counter()
    with _progress() as bar:
        task = bar.add_task("validation runs", total=None)
        outputs = run_experiments(
            patterns,
            seeds=seeds,
            extra=extra,
            workers=workers,
            progress=lambda d, n: bar.update(task, completed=d, total=n),
            draws=plan.values if plan is not None else None,
        )
    results = evaluate_all(patterns, outputs)
    report = write_report(
        patterns,
        results,
        outputs,
        out,
        pattern_file=patterns_file or Path("configs/validation/patterns.yaml"),
        seconds=time.perf_counter() - started,
        extra=extra,
        posterior=plan.describe() if plan is not None else None,
    )
    if plan is not None:
        plan.table().to_csv(out / "draws.csv", index=False)
    _print_results(results)
    hard = [r for r in results if not r.pattern.soft]
    console.print(
        f"{sum(r.passed for r in hard)} of {len(hard)} hard patterns pass; report: [bold]{report}[/]", highlight=False
    )
    if not all(r.passed for r in hard):
        raise typer.Exit(1)


def write_calibrated_baseline(values: dict[str, float], note: str, path: Path | None = None) -> None:
    """Write ``values`` into the calibrated block at the end of baseline.yaml (``path``, default the
    project's), nested by section; values an earlier calibration of other parameters wrote stay."""
    import yaml

    from ..scenario import ScenarioError

    path = _baseline() if path is None else path
    text = path.read_text(encoding="utf-8")
    head, _, old_block = text.partition(MARKER)
    head = head.rstrip() + "\n\n"
    kept = yaml.safe_load(old_block.partition("\n")[2]) or {} if old_block else {}
    merged = {f"{section}.{key}": value for section, fields in kept.items() for key, value in fields.items()}
    merged.update(values)
    tree: dict = {}
    for key, value in sorted(merged.items()):
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    clashes = set(tree) & set(yaml.safe_load(head) or {})
    if clashes:
        raise ScenarioError(
            f"{path}: calibrated sections {', '.join(sorted(clashes))} are also set by hand above the calibrated block"
        )
    block = yaml.safe_dump(tree, sort_keys=True, default_flow_style=False)
    warning = (
        "# Fitted to the hard patterns only (H1-H8 and the 2020-2022 prices, P1); see docs/validation.md.\n"
        "# Do not edit by hand: rerun the calibration."
    )
    path.write_text(f"{head}{MARKER} ({note}).\n{warning}\n{block}", encoding="utf-8")


# Options of `calibrate`, declared apart so the command reads as one screen.
CalibrationFile = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Calibration file (default configs/validation/calibration.yaml; abc: configs/validation/abc.yaml).",
    ),
]
CalibrationMethod = Annotated[
    str,
    typer.Option(
        "--method",
        help="search: Latin-hypercube rounds for the best candidate; abc: Morris screening, then an ABC-SMC posterior "
        "(docs/calibration.md).",
    ),
]
CalibrationWorkers = Annotated[
    int | None, typer.Option("--workers", help="Local worker processes (default: one per core).")
]
CalibrationScheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run the candidates on an existing Dask cluster, e.g. tcp://HOST:8786."),
]
CalibrationDaskLocal = Annotated[
    int | None, typer.Option("--dask-local", help="Run the candidates on a Dask LocalCluster of N workers.")
]
CalibrationOut = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Calibration folder (default runs/calibration; runs/abc with --method abc). Rerunning into it resumes.",
    ),
]
WriteBaseline = Annotated[
    bool,
    typer.Option(
        "--write-baseline", help="Write the best values (abc: the posterior medians) into configs/baseline.yaml."
    ),
]


def calibrate_command(
    config: CalibrationFile = None,
    workers: CalibrationWorkers = None,
    scheduler: CalibrationScheduler = None,
    dask_local: CalibrationDaskLocal = None,
    out: CalibrationOut = None,
    write_baseline: WriteBaseline = False,
    method: CalibrationMethod = "search",
) -> None:
    """Fit the free parameters to the patterns: Latin-hypercube search for the best, or an ABC-SMC posterior."""
    if method != "search":  # checked and run by the ABC command (docs/calibration.md)
        from ..inference.abc_cli import calibrate_abc

        writer = write_calibrated_baseline if write_baseline else None
        return calibrate_abc(console, _fail, method, config, out, workers, scheduler, dask_local, writer)
    from ..progress import SweepBar
    from ..scenario import PROJECT_ROOT, ScenarioError
    from ..sweeps.inputs import check_output_folder
    from . import load_patterns
    from .calibrate import calibrate, load_calibration

    folder = out or Path("runs") / "calibration"
    try:
        spec = load_calibration(config)
        patterns = load_patterns(PROJECT_ROOT / spec.patterns)
        check_output_folder(folder, "--out" if out else "")
    except ScenarioError as err:
        _fail(str(err))
    started = time.perf_counter()
    try:
        candidates = calibrate(
            spec,
            folder,
            workers=workers,
            scheduler=scheduler,
            dask_local=dask_local,
            progress_factory=lambda: SweepBar(console, transient=True),
        )
    except ScenarioError as err:
        _fail(str(err))
    candidates.to_csv(folder / "candidates.csv", index=False)
    summary = _recheck_best(spec, patterns, candidates, folder, workers, started)
    summary["config"] = str(config or "configs/validation/calibration.yaml")
    (folder / "best.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    console.print(
        f"best of {len(candidates)} candidates: loss {summary['best_loss_screening']:.3f} with "
        f"{spec.seeds_per_candidate} seeds, {summary['best_loss_full_seeds']:.3f} with every seed; "
        f"folder [bold]{folder}[/]",
        highlight=False,
    )
    if write_baseline:
        note = (
            f"uv run magnetdiplomacy calibrate, {dt.date.today():%Y-%m-%d}, commit {summary['commit'][:12]}, "
            f"loss {summary['best_loss_full_seeds']:.3f}"
        )
        write_calibrated_baseline(summary["best"], note)
        from ..scenario import PROJECT_ROOT

        console.print(f"wrote the calibrated values into {_baseline().relative_to(PROJECT_ROOT)}")


def _recheck_best(spec, patterns, candidates, folder: Path, workers: int | None, started: float) -> dict:
    """Run the best candidate with every seed, write its validation report and print its results."""
    from ..runs import git_commit
    from . import evaluate_all, loss, run_experiments
    from .calibrate import best_values
    from .report import write_report

    best = best_values(candidates, list(spec.parameters))
    with _progress() as bar:
        task = bar.add_task("re-checking the best with every seed", total=None)
        outputs = run_experiments(
            patterns, extra=best, workers=workers or 2, progress=lambda d, n: bar.update(task, completed=d, total=n)
        )
    results = evaluate_all(patterns, outputs)
    seconds = time.perf_counter() - started
    write_report(
        patterns, results, outputs, folder / "validation", pattern_file=Path(spec.patterns), seconds=seconds, extra=best
    )
    _print_results(results)
    return {
        "commit": git_commit(),
        "candidates": len(candidates),
        "best_loss_screening": float(candidates["loss"].iloc[0]),
        "best_loss_full_seeds": loss(results),
        "best": best,
        "seconds": round(time.perf_counter() - started, 1),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


__all__ = ["validate_command", "calibrate_command", "write_calibrated_baseline"]
