"""The words of a scenario discovery (:mod:`.discovery`): the finding in plain language and
``summary.md``."""

from __future__ import annotations

from typing import Any

import pandas as pd

# plain language


def _num(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def condition_text(row: pd.Series) -> str:
    """``A is above a``, ``A is below b`` or ``A is between a and b``."""
    name = f"`{row['parameter']}`"
    if row["lower_restricted"] and row["upper_restricted"]:
        return f"{name} is between {_num(row['lower'])} and {_num(row['upper'])}"
    if row["lower_restricted"]:
        return f"{name} is above {_num(row['lower'])}"
    return f"{name} is below {_num(row['upper'])}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def summary_text(result: Any) -> str:
    """The finding in plain language (Markdown), as in ``summary.md``."""
    what = result.label or f"`{result.outcome}`"
    share = f"{what} in {result.share:.1%} of the {result.runs:,} runs ({result.cases:,} runs)"
    if result.cases == 0:
        return (
            f"{share}: it never happens in this sweep, so there are no conditions to find. Within these "
            "ranges the model does not produce it; widen the ranges, add parameters or loosen the outcome."
        )
    if result.cases == result.runs:
        return (
            f"{share}: it happens in every run, whatever the levers and uncertainties do within these "
            "ranges, so no condition is needed for it."
        )
    stats = result.stats
    if result.limits.empty:
        return f"{share}. PRIM found no box that concentrates it: it is spread over the whole space."
    conditions = _join([condition_text(r) for _, r in result.limits.iterrows()])
    text = (
        f"{share}. When {conditions}, it happens in {stats['density']:.0%} of runs (density), and these "
        f"conditions hold in {stats['coverage']:.0%} of all runs where it happens (coverage); they take in "
        f"{stats['mass']:.1%} of all runs (mass)."
    )
    if not result.meets_threshold:
        text += (
            f" No box on the peeling trajectory with coverage of at least {result.min_coverage:.0%} reaches the "
            f"density threshold of {result.threshold:.0%}: the conditions make it more likely, not sure."
        )
    return text


def markdown_lines(result: Any, manifest: dict, method: dict[str, float]) -> list[str]:
    """``summary.md``: the finding, the chosen box and the trajectory's best steps."""
    lines = [
        f"# Scenario discovery: {result.label or result.outcome.text}",
        "",
        f"Sweep `{manifest['sweep']}` ({result.folder}, fingerprint {manifest['fingerprint']}), "
        f"{result.runs:,} runs; outcome `{result.outcome}`. PRIM (EMA Workbench"
        + (", constrained to subsets of the significant parameters" if result.constrained else "")
        + f"), peel alpha {method['peel_alpha']}, "
        f"minimum mass {result.mass_min}; the box reported is the highest-density one on the peeling trajectory "
        f"with coverage >= {result.min_coverage:.0%}"
        + (f" and at most {result.max_dims} restricted parameters" if result.max_dims else "")
        + f", then its limits with a quasi-p value above "
        f"{method['qp_alpha']} lifted one by one while the box keeps {method['density_kept']:.0%} of its density "
        f"(density threshold {result.threshold:.0%}).",
        "",
        result.summary,
        "",
    ]
    if result.chosen is None:
        return lines
    stats = result.stats
    traj = result.trajectory
    peeled = int((traj["phase"] == "peel").sum())
    selected = result.selected if result.selected is not None else result.chosen
    lifted = int(result.chosen) - peeled + 1 if result.chosen >= peeled else 0
    dropped = sorted(set(traj["restricted"].iloc[selected].split("; ")) - set(result.limits["parameter"]) - {""})
    lines += [
        f"Chosen box: peeling step {int(traj['step'].iloc[selected])} of {peeled - 1}"
        + (f", then {lifted} insignificant limit(s) lifted" if lifted else "")
        + (f" (parameters freed: {', '.join(dropped)})" if dropped else "")
        + f"; coverage {stats['coverage']:.3f}, density {stats['density']:.3f}, mass {stats['mass']:.3f}, "
        f"{int(stats['res_dim'])} restricted parameter(s).",
        "",
    ]
    if not result.limits.empty:
        lines += ["| parameter | lower | upper | sweep range | quasi-p (lower, upper) |", "|---|---|---|---|---|"]
        for _, r in result.limits.iterrows():
            qps = ", ".join("-" if q != q else f"{q:.2g}" for q in (r["qp_lower"], r["qp_upper"]))
            lines.append(
                f"| `{r['parameter']}` | {_num(r['lower'])} | {_num(r['upper'])} | "
                f"{_num(r['sweep_lo'])} - {_num(r['sweep_hi'])} | {qps} |"
            )
        lines.append("")
    lines += ["Peeling trajectory (every step in trajectory.csv, plot in tradeoff.png):", ""]
    lines += ["| step | coverage | density | mass | restricted |", "|---|---|---|---|---|"]
    show = sorted(set(range(0, peeled, max(1, peeled // 8))) | {peeled - 1, selected, result.chosen})
    for i in show:
        r = traj.iloc[i]
        mark = " **(chosen)**" if i == result.chosen else (" (selected, before dropping)" if i == selected else "")
        lines.append(
            f"| {int(r['step'])}{mark} | {r['coverage']:.3f} | {r['density']:.3f} | {r['mass']:.3f} "
            f"| {int(r['res_dim'])} |"
        )
    return lines
