"""The ``discover`` command (registered in :mod:`magnetdiplomacy.cli`): scenario discovery with
PRIM on a finished sweep. See :mod:`.discovery` and docs/discovery.md.

Imported by the command line on every call, so it stays light: pandas, the EMA Workbench and
matplotlib are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console()
errors = Console(stderr=True)

SweepDir = Annotated[
    Path, typer.Argument(metavar="SWEEP_DIR", help="Finished sweep folder written by `magnetdiplomacy sweep`.")
]
OutcomeExpr = Annotated[
    str,
    typer.Option(
        "--outcome",
        help="Which runs count: clauses 'scalar OP number' (OP: < <= > >= == !=) joined by 'and'/'or', "
        "e.g. 'malaysia_alignment_2030 < -0.25'.",
    ),
]
Threshold = Annotated[float, typer.Option("--threshold", help="Density (0-1] a box must reach to count as a scenario.")]
MinCoverage = Annotated[
    float,
    typer.Option("--min-coverage", help="The box chosen is the densest with at least this coverage (0-1)."),
]
Out = Annotated[Path | None, typer.Option("--out", help="Output folder (default SWEEP_DIR/discovery/<outcome>).")]
MassMin = Annotated[
    float,
    typer.Option(
        "--mass-min", help="Smallest box PRIM may find, as a share of all runs (0-0.5]; lower for rare outcomes."
    ),
]
MaxDims = Annotated[
    int | None,
    typer.Option("--max-dims", help="Choose only among boxes restricting at most this many parameters."),
]
Constrained = Annotated[
    bool,
    typer.Option(
        "--constrained", help="PRIM on every subset of the parameters with significant limits (simpler boxes)."
    ),
]
Label = Annotated[str, typer.Option("--label", help="The outcome in words, for the summary.")]
NoPlots = Annotated[bool, typer.Option("--no-plots", help="Write the tables and summary only.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output folder.")]


def _fail(message: str) -> NoReturn:
    """One line on stderr, the message printed as it is (never read as markup), and exit code 2."""
    errors.print(Text.assemble(("error:", "bold red"), " ", " ".join(message.splitlines())), soft_wrap=True)
    raise typer.Exit(2)


def discover_command(
    folder: SweepDir,
    outcome: OutcomeExpr,
    threshold: Threshold = 0.8,
    min_coverage: MinCoverage = 0.5,
    mass_min: MassMin = 0.05,
    max_dims: MaxDims = None,
    constrained: Constrained = False,
    out: Out = None,
    label: Label = "",
    no_plots: NoPlots = False,
    quiet: Quiet = False,
) -> None:
    """Scenario discovery (PRIM): the ranges of levers and uncertainties where an outcome happens."""
    from ..scenario import ScenarioError
    from .outcome import parse_outcome

    try:
        parse_outcome(outcome, None)  # the expression's grammar, before pandas and the sweep load
        from .discovery import check_options, discover

        check_options(threshold, min_coverage, mass_min, max_dims)
        result = discover(
            folder,
            outcome,
            threshold=threshold,
            min_coverage=min_coverage,
            out=out,
            label=label,
            plots=not no_plots,
            mass_min=mass_min,
            max_dims=max_dims,
            constrained=constrained,
        )
    except ScenarioError as err:
        _fail(str(err))
    if quiet:
        print(result.out)
        return
    _print(result)


def _print(result) -> None:
    """The box's limits as a table, then the plain-language summary and the files written."""
    from .discovery_report import _num

    stats = result.stats
    if stats and not result.limits.empty:
        table = Table(
            title=f"{result.outcome}: chosen box (coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, "
            f"mass {stats['mass']:.2f})"
        )
        for column in ("parameter", "lower", "upper", "sweep range", "quasi-p"):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for _, row in result.limits.iterrows():
            qps = ", ".join("-" if q != q else f"{q:.2g}" for q in (row["qp_lower"], row["qp_upper"]))
            table.add_row(
                row["parameter"],
                _num(row["lower"]),
                _num(row["upper"]),
                f"{_num(row['sweep_lo'])} - {_num(row['sweep_hi'])}",
                qps,
            )
        console.print(table)
    console.print(Text(result.summary.replace("`", "")), soft_wrap=False)
    console.print(f"wrote {len(result.files)} files to [bold]{result.out}[/]", highlight=False)
