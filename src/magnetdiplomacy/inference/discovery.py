"""Scenario discovery with PRIM on a finished sweep: where in the space of levers and
uncertainties does an outcome of interest happen?

``discover(folder, "malaysia_alignment_2030 < -0.25")`` reads a complete sweep folder
(:mod:`magnetdiplomacy.sweeps.storage`), marks every run where the outcome expression holds
(:mod:`.outcome`), and runs the Patient Rule Induction Method of the EMA Workbench
(:class:`ema_workbench.analysis.prim.Prim`, the lenient objective, peel and paste alpha 0.05,
minimum mass 0.05) with the sweep's varied parameters as ``x`` and the 0/1 outcome as ``y``.

Replications: every run is one case. A design point run ``r`` times enters ``r`` times with the
same ``x`` and its own ``y``, so a box's density is the share of *runs* inside it where the outcome
happens: the chance of the outcome given the conditions, seed noise included.

PRIM peels the box step by step; every step is a box on the *peeling trajectory* with its
coverage (share of all runs with the outcome that lie inside it), density (share of the runs
inside it that have the outcome) and mass (share of all runs inside it). The box reported is
chosen by a stated rule: **the box of highest density among those whose coverage is at least
``min_coverage``** (ties: higher coverage, then fewer restricted parameters). PRIM's lenient
peeling also trims parameters that hardly matter, so limits whose quasi-p value (Bryant and
Lempert 2010) is above 0.05 and without which the box keeps 95 % of its density are then lifted
from that box one at a time, the least significant first; the box left is the one reported. If
its density is below ``threshold`` the summary says that no box reaches it.

Written to ``folder/discovery/<slug>/`` (or ``out``): ``box.csv`` (limits of the chosen box on
each restricted parameter, with quasi-p values), ``trajectory.csv`` (the peeling trajectory,
the chosen step flagged), ``tradeoff.png``, ``box_limits.png``, ``summary.md`` and
``discovery.json``. Everything is checked before anything is written.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..sweeps.inputs import check_output_folder
from ..sweeps.schema import SweepError
from ..sweeps.storage import finished_sweep, now, write_atomic, write_json
from .discovery_report import markdown_lines, summary_text
from .outcome import Outcome, parse_outcome

PEEL_ALPHA = 0.05  # share of the remaining runs PRIM peels off per step (EMA Workbench default)
PASTE_ALPHA = 0.05
MASS_MIN = 0.05  # PRIM stops peeling when a box would hold less than 5 % of the runs (--mass-min)
THRESHOLD = 0.8  # density a box must reach to count as a scenario (default of --threshold)
MIN_COVERAGE = 0.5  # coverage the chosen box must keep (default of --min-coverage)
QP_ALPHA = 0.05  # a limit of the chosen box with a quasi-p value above this is not significant ...
DENSITY_KEPT = 0.95  # ... and is lifted if the box without it keeps 95 % of its density
MAX_SUBSET_DIMS = 10  # --constrained runs PRIM on every subset of up to this many parameters
METHOD = {
    "peel_alpha": PEEL_ALPHA,
    "paste_alpha": PASTE_ALPHA,
    "mass_min": MASS_MIN,
    "qp_alpha": QP_ALPHA,
    "density_kept": DENSITY_KEPT,
}


@dataclass
class Discovery:
    """What :func:`discover` found and wrote."""

    folder: Path
    out: Path
    outcome: Outcome
    label: str
    runs: int
    cases: int
    threshold: float
    min_coverage: float
    trajectory: pd.DataFrame  # one row per peeling step: coverage, density, mass, res_dim, ...
    chosen: int | None  # row of the chosen box in the trajectory (None: outcome never or always)
    limits: pd.DataFrame  # the chosen box: one row per restricted parameter
    mass_min: float = MASS_MIN  # PRIM's smallest box, as a share of all runs
    max_dims: int | None = None  # most restricted parameters the chosen box may have (None: any)
    constrained: bool = False  # PRIM on subsets of the significant parameters (Kwakkel 2019)
    selected: int | None = None  # the peeling step the rule chose, before insignificant limits were dropped
    summary: str = ""
    files: list[Path] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Share of all runs in which the outcome happens."""
        return self.cases / self.runs if self.runs else float("nan")

    @property
    def stats(self) -> dict[str, float]:
        """Coverage, density, mass and restricted dimensions of the chosen box (empty if none)."""
        if self.chosen is None:
            return {}
        row = self.trajectory.iloc[self.chosen]
        return {k: float(row[k]) for k in ("coverage", "density", "mass", "res_dim")}

    @property
    def meets_threshold(self) -> bool:
        """Whether the chosen box's density reaches the threshold."""
        return bool(self.stats) and self.stats["density"] >= self.threshold


# --------------------------------------------------------------------------------------------
# reading the sweep


def sweep_cases(folder: Path) -> tuple[dict, pd.DataFrame]:
    """The manifest and one row per run (parameters and scalar outcomes) of a finished sweep."""
    return finished_sweep(folder)


def parameter_names(manifest: dict) -> list[str]:
    """The sweep's varied parameters (dotted paths), in the design's order."""
    return [p["path"] for p in manifest["design"]["parameters"]]


def outcome_names(manifest: dict) -> list[str]:
    """The sweep's scalar outcomes."""
    return [s["name"] for s in manifest["outcomes"]["scalars"]]


# --------------------------------------------------------------------------------------------
# PRIM


def run_prim(x: pd.DataFrame, y: np.ndarray, mass_min: float = MASS_MIN, constrained: bool = False) -> Any:
    """One PRIM box (``ema_workbench.analysis.prim.PrimBox``) with its whole peeling trajectory.

    ``constrained``: the workbench's ``run_constrained_prim`` (Kwakkel 2019): PRIM again on every
    subset of the parameters with a significant limit (quasi-p <= 0.1) anywhere on the first
    trajectory, keeping the boxes on the coverage-density-dimensions Pareto front, sorted by the
    number of restricted parameters. Simpler boxes; refused above 2^MAX_SUBSET_DIMS - 1 runs."""
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns at import that altair is missing
        from ema_workbench.analysis.prim import Prim, run_constrained_prim
        from ema_workbench.analysis.prim_util import determine_dimres

        logging.getLogger("EMA").setLevel(logging.WARNING)
        cases, outcome = x.astype(float).reset_index(drop=True), np.asarray(y, dtype=int)
        settings = {"peel_alpha": PEEL_ALPHA, "paste_alpha": PASTE_ALPHA, "mass_min": mass_min}
        box = Prim(cases, outcome, **settings).find_box()
        if not constrained:
            return box
        dims = determine_dimres(box, issignificant=True)
        if len(dims) > MAX_SUBSET_DIMS:
            raise SweepError(
                f"--constrained: {len(dims)} parameters have significant limits, {2 ** len(dims) - 1:,} PRIM runs "
                f"(at most {2**MAX_SUBSET_DIMS - 1}); run without --constrained or with fewer parameters"
            )
        return run_constrained_prim(cases, outcome, issignificant=True, **settings)


def restricted(box_lim: pd.DataFrame, box_init: pd.DataFrame) -> list[str]:
    """Parameters whose limits in ``box_lim`` differ from the whole data's."""
    return [c for c in box_init.columns if not np.array_equal(box_lim[c].to_numpy(), box_init[c].to_numpy())]


def trajectory_table(box: Any, peeled: int) -> pd.DataFrame:
    """The peeling trajectory: step, coverage, density, mass, restricted dimensions (count and names),
    runs inside and runs with the outcome inside, and the phase: ``peel`` for PRIM's own ``peeled``
    steps (peeling and pasting), ``drop`` for the steps of :func:`prune`."""
    traj = box.peeling_trajectory
    init = box.prim.box_init
    table = pd.DataFrame(
        {
            "step": traj["id"].astype(int).to_numpy(),
            "coverage": traj["coverage"].astype(float).to_numpy(),
            "density": traj["density"].astype(float).to_numpy(),
            "mass": traj["mass"].astype(float).to_numpy(),
            "res_dim": traj["res_dim"].astype(int).to_numpy(),
            "runs_inside": traj["n"].astype(int).to_numpy(),
            "cases_inside": traj["k"].astype(int).to_numpy(),
        }
    )
    table["restricted"] = ["; ".join(restricted(lim, init)) for lim in box.box_lims]
    table["phase"] = ["peel"] * peeled + ["drop"] * (len(table) - peeled)
    return table


def choose(table: pd.DataFrame, min_coverage: float, max_dims: int | None = None) -> int:
    """Row of the highest-density step with coverage >= ``min_coverage`` and at most ``max_dims``
    restricted parameters (ties: higher coverage, then fewer restricted parameters, then the earlier
    step). Step 0, the whole space, always qualifies (coverage 1, nothing restricted)."""
    ok = table[(table["coverage"] >= min_coverage - 1e-12) & (table["res_dim"] <= (max_dims or len(table) + 10**6))]
    ranked = ok.sort_values(["density", "coverage", "res_dim", "step"], ascending=[False, False, True, True])
    return int(ranked.index[0])


def _inside(box: Any, lim: pd.DataFrame) -> np.ndarray:
    """Indices of the cases inside the limits ``lim`` (rows 0 and 1: lower and upper)."""
    x = box.prim.x
    inside = np.ones(len(x), dtype=bool)
    for name in restricted(lim, box.prim.box_init):
        values = x[name].to_numpy(dtype=float)
        inside &= (values >= float(lim[name].iloc[0])) & (values <= float(lim[name].iloc[1]))
    return np.flatnonzero(inside)


def _lifted(box: Any, row: int, dim: str, side: int) -> pd.DataFrame:
    """Step ``row``'s limits with the ``side`` (0 lower, 1 upper) limit of ``dim`` lifted to the data's."""
    lim = box.box_lims[row].copy()
    lim.iloc[side, lim.columns.get_loc(dim)] = box.prim.box_init[dim].iloc[side]
    return lim


def _sides(box: Any, row: int) -> list[tuple[float, str, int]]:
    """(quasi-p value, parameter, side) of every restricted limit of step ``row``."""
    qp = box.p_values[row]
    found = []
    for dim in restricted(box.box_lims[row], box.prim.box_init):
        for side, value in enumerate((list(qp.get(dim, [])) + [-1, -1])[:2]):
            lim, init = box.box_lims[row][dim].iloc[side], box.prim.box_init[dim].iloc[side]
            if lim != init:
                found.append((float(value) if value is not None and value >= 0 else 1.0, dim, side))
    return found


def prune(box: Any, row: int, alpha: float = QP_ALPHA, keep: float = DENSITY_KEPT) -> int:
    """Lift, one at a time, limits of step ``row`` that neither are significant (quasi-p value
    above ``alpha``: the binomial test of Bryant and Lempert 2010 of whether a limit raises the
    density) nor matter (the box without it keeps at least ``keep`` of step ``row``'s density),
    the least significant first. PRIM's lenient peeling also trims parameters that do not matter;
    this takes them out again. Each lift is a new step on the box's trajectory (the workbench's
    ``PrimBox.update``, as its ``drop_restriction`` does); returns the row of the last one."""
    current = row
    y = np.asarray(box.prim.y)
    floor = keep * float(box.peeling_trajectory["density"].iloc[row])
    while True:
        sides = sorted(_sides(box, current), key=lambda t: (-t[0], t[1], t[2]))
        lifted = None
        for qp, dim, side in sides:
            if qp <= alpha or len(sides) <= 1:
                break
            lim = _lifted(box, current, dim, side)
            indices = _inside(box, lim)
            if len(indices) and y[indices].mean() >= floor:
                lifted = (lim, indices)
                break
        if lifted is None:
            return current
        box.update(*lifted)
        current = len(box.box_lims) - 1


def find_box(
    x: pd.DataFrame,
    y: np.ndarray,
    min_coverage: float,
    ranges: dict[str, tuple[float, float]] | None = None,
    mass_min: float = MASS_MIN,
    max_dims: int | None = None,
    constrained: bool = False,
) -> tuple[pd.DataFrame, int, int, pd.DataFrame]:
    """PRIM on cases ``x`` (one column per parameter) and 0/1 outcomes ``y``, the box chosen by the
    rule (:func:`choose`) and pruned (:func:`prune`). Returns (trajectory with a ``chosen`` column,
    row selected by the rule, row of the pruned box, its limits). ``ranges``: each parameter's
    sweep range, for the table (default: the data's). ``mass_min``: PRIM's smallest box (share of
    runs); ``max_dims``: see :func:`choose`; ``constrained``: see :func:`run_prim`."""
    box = run_prim(x, y, mass_min, constrained)
    peeled = len(box.box_lims)
    selected = choose(trajectory_table(box, peeled), min_coverage, max_dims)
    chosen = prune(box, selected)
    trajectory = trajectory_table(box, peeled)
    trajectory["chosen"] = trajectory.index == chosen
    if ranges is None:
        ranges = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    return trajectory, selected, chosen, box_limits(box, chosen, ranges)


def box_limits(box: Any, row: int, declared: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """The box of step ``row``: for each restricted parameter its lower and upper limit, its sweep
    range (``declared``) and PRIM's quasi-p values of each limit (NaN where that side is not restricted)."""
    lim, init = box.box_lims[row], box.prim.box_init
    qp = box.p_values[row] if row < len(box.p_values) else {}
    rows = []
    for name in restricted(lim, init):
        low, high = float(lim[name].iloc[0]), float(lim[name].iloc[1])
        lo_qp, hi_qp = (list(qp.get(name, [-1, -1])) + [-1, -1])[:2]
        rows.append(
            {
                "parameter": name,
                "lower": low,
                "upper": high,
                "lower_restricted": bool(low > float(init[name].iloc[0])),
                "upper_restricted": bool(high < float(init[name].iloc[1])),
                "sweep_lo": float(declared[name][0]),
                "sweep_hi": float(declared[name][1]),
                "qp_lower": float(lo_qp) if lo_qp >= 0 else float("nan"),
                "qp_upper": float(hi_qp) if hi_qp >= 0 else float("nan"),
            }
        )
    columns = ["parameter", "lower", "upper", "lower_restricted", "upper_restricted", "sweep_lo", "sweep_hi"]
    return pd.DataFrame(rows, columns=[*columns, "qp_lower", "qp_upper"])


# --------------------------------------------------------------------------------------------
# the whole discovery


def check_options(
    threshold: float, min_coverage: float, mass_min: float = MASS_MIN, max_dims: int | None = None
) -> None:
    """``--threshold``, ``--min-coverage`` and ``--mass-min`` are shares in (0, 1], [0, 1] and (0, 0.5]."""
    if not 0 < threshold <= 1:
        raise SweepError(f"--threshold {threshold}: must be a density above 0 and at most 1")
    if not 0 <= min_coverage <= 1:
        raise SweepError(f"--min-coverage {min_coverage}: must be a coverage from 0 to 1")
    if not 0 < mass_min <= 0.5:
        raise SweepError(f"--mass-min {mass_min}: must be a share of runs above 0 and at most 0.5")
    if max_dims is not None and max_dims < 1:
        raise SweepError(f"--max-dims {max_dims}: must be 1 or more")


def prepare(
    folder: str | Path, expression: str, out: str | Path | None = None
) -> tuple[dict, pd.DataFrame, Outcome, Path]:
    """Check everything before any work: the sweep folder (finished), the expression against its
    scalar outcomes, and the output folder. Returns (manifest, runs, outcome, output folder)."""
    folder = Path(folder)
    if out is not None:
        check_output_folder(Path(out))
    manifest, runs = sweep_cases(folder)
    names = outcome_names(manifest)
    outcome = parse_outcome(expression, names)
    missing = [c for c in [*parameter_names(manifest), *outcome.columns] if c not in runs.columns]
    if missing:
        raise SweepError(f"{folder / 'scalars'}: no column {missing[0]!r}; was the folder edited by hand?")
    target = Path(out) if out is not None else folder / "discovery" / outcome.slug
    check_output_folder(target, "--out" if out is not None else "")
    return manifest, runs, outcome, target


def discover(
    folder: str | Path,
    expression: str,
    *,
    threshold: float = THRESHOLD,
    min_coverage: float = MIN_COVERAGE,
    out: str | Path | None = None,
    label: str = "",
    plots: bool = True,
    mass_min: float = MASS_MIN,
    max_dims: int | None = None,
    constrained: bool = False,
) -> Discovery:
    """Scenario discovery with PRIM for ``expression`` on the finished sweep in ``folder``;
    writes the results (see the module's docstring) and returns them."""
    check_options(threshold, min_coverage, mass_min, max_dims)
    manifest, runs, outcome, target = prepare(folder, expression, out)
    params = parameter_names(manifest)
    y = outcome.evaluate(runs)
    cases = int(y.sum())
    result = Discovery(
        Path(folder),
        target,
        outcome,
        label,
        len(runs),
        cases,
        threshold,
        min_coverage,
        pd.DataFrame(),
        None,
        box_limits_empty(),
    )
    if 0 < cases < len(runs):
        ranges = {p["path"]: (p["lo"], p["hi"]) for p in manifest["design"]["parameters"]}
        found = find_box(runs[params], y, min_coverage, ranges, mass_min, max_dims, constrained)
        result.trajectory, result.selected, result.chosen, result.limits = found
    result.mass_min, result.max_dims, result.constrained = mass_min, max_dims, constrained
    result.summary = summary_text(result)
    target.mkdir(parents=True, exist_ok=True)
    write_results(result, manifest, plots)
    return result


def box_limits_empty() -> pd.DataFrame:
    """An empty box table (the outcome never or always happens)."""
    return pd.DataFrame(columns=["parameter", "lower", "upper", "lower_restricted", "upper_restricted"])


def _csv(path: Path, frame: pd.DataFrame, files: list[Path]) -> None:
    write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, float_format="%.6g"))
    files.append(path)


def write_results(result: Discovery, manifest: dict, plots: bool) -> None:
    """box.csv, trajectory.csv, the plots, summary.md and discovery.json into ``result.out``."""
    out, files = result.out, result.files
    _csv(out / "box.csv", result.limits, files)
    _csv(out / "trajectory.csv", result.trajectory, files)
    if plots and result.chosen is not None:
        from .discovery_plots import plot_box_limits, plot_tradeoff

        files.append(plot_tradeoff(result, out / "tradeoff.png"))
        if not result.limits.empty:
            files.append(plot_box_limits(result, out / "box_limits.png"))
    text = "\n".join(markdown_lines(result, manifest, METHOD)) + "\n"
    write_atomic(out / "summary.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    files.append(out / "summary.md")
    payload = {
        "sweep": manifest["sweep"],
        "fingerprint": manifest["fingerprint"],
        "outcome": result.outcome.text,
        "label": result.label,
        "runs": result.runs,
        "cases": result.cases,
        "share": result.share,
        "method": {
            "algorithm": "PRIM (ema_workbench)",
            **METHOD,
            "mass_min": result.mass_min,
            "max_dims": result.max_dims,
            "constrained": result.constrained,
            "rule": "highest density with coverage >= min_coverage, then insignificant limits lifted",
        },
        "selected_step": None if result.selected is None else int(result.trajectory["step"].iloc[result.selected]),
        "threshold": result.threshold,
        "min_coverage": result.min_coverage,
        "chosen_step": None if result.chosen is None else int(result.trajectory["step"].iloc[result.chosen]),
        "stats": result.stats,
        "meets_threshold": result.meets_threshold,
        "box": json.loads(result.limits.to_json(orient="records")),
        "summary": result.summary,
        "created": now(),
    }
    write_json(out / "discovery.json", payload)
    files.append(out / "discovery.json")
