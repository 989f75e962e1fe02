"""Sweep throughput, parallel efficiency, a side-by-side with mesa.batch_run, and memory at scale.

    uv run python benchmarks/bench_sweeps.py                 # about 20 minutes on an idle 2-core machine
    uv run python benchmarks/bench_sweeps.py --runs 200 --mem-runs 500 2000   # a quick look

What is measured, each case in a fresh process (so timings include start-up and peak memory is
that case's alone), for two 1,000-run baseline sweeps (192 months, 300 buyers; a full factorial
of 5 x 4 x 5 = 100 points, 10 replications; three per-month series and three end-of-run scalars
kept):

- design ``history``: China's licence grant rate (part of China's leverage over Malaysia from the
  first month) x the 2020 US tariff on Malaysia (built with the model) x JS Link's capacity (read
  when the plant opens in 2027);
- design ``levers``: three of the agents' policy levers, all first read when the agents take over
  from the replayed history in 2026-04 (the weight Malaysia gives its industry targets, the US
  offtake offer rate, China's retaliation threshold).

1. ``magnetdiplomacy sweep`` with 2 workers (and, for the first design, with 1 worker: parallel
   efficiency ``T1 / (2 * T2)``), and with ``--no-share-history`` to show what shared history
   contributes; wall time of the whole command, CPU seconds, share of months started from a copy.
2. ``mesa.batch_run`` on the same design: the same 100 points (a grid), the same 10 seeds (the
   sweep's replication seeds: sweeps use common random numbers, replication r of every point has
   one seed, which is what ``batch_run(rng=[...])`` does), the same fixed settings
   (``outputs__agent_table=False``), ``number_processes=2`` and ``data_collection_period=1`` because
   the sweep keeps per-month series. ``batch_run`` returns every month of every run as a dict of
   all ~65 model columns, in memory; to end with what the sweep ends with (the kept series and
   scalars in Parquet) the script then builds the same tables from that list and writes them.
   Both the bare ``batch_run`` call and the end-to-end time are reported; the throughput ratio
   uses end-to-end times. The script checks that both give identical outcome values. It also
   compares CPU seconds per run (driver plus workers, user plus system), which other programs
   sharing the machine do not distort the way they distort wall time.
3. Peak memory of the sweep driver and of its workers for a 1,000-run and a 10,000-run sweep of
   short runs (2020-01 to 2021-12, 30 buyers) with 2 workers, to show that memory does not grow
   with the number of runs (short runs keep this part to a few minutes).

Timings on a shared 2-core machine are noisy: the cases run back to back in one invocation and
the load average is printed with each.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

DESIGNS = {
    # Two values that act from 2020 (a tariff built with the model, a licence rate in China's
    # leverage from the first month) and one that acts when JS Link opens in 2027.
    "history": {
        "china.licence_grant_rate": [0.1, 0.3, 0.5, 0.7, 0.9],
        "us.tariff_malaysia_initial": [0.0, 0.1, 0.25, 0.4],
        "jslink.capacity_t_yr": [1000.0, 2000.0, 3000.0, 4500.0, 6000.0],
    },
    # Policy levers of the agents, who decide for themselves after the replayed history (2026-04):
    # under which responses does Malaysia's alignment leave the neutral band?
    "levers": {
        "malaysia.hedging.economic_weight": [0.0, 0.25, 0.5, 0.75, 1.0],
        "us.offtake_offer_rate_per_year": [0.0, 0.33, 0.67, 1.0],
        "china.retaliation_threshold": [0.2, 0.4, 0.6, 0.8, 1.0],
    },
}
SERIES = ["malaysia_alignment", "malaysia_magnet_share_nonchina", "malaysia_oxide_share_global"]
SCALARS = {
    "share_nonchina_2030": {
        "column": "malaysia_magnet_share_nonchina",
        "stat": "mean",
        "from": "2030-01",
        "to": "2030-12",
    },
    "alignment_end": {"column": "malaysia_alignment", "stat": "last"},
    "leaves_band": {"column": "malaysia_alignment", "stat": "ever_outside", "band": [-0.25, 0.25], "from": "2026-04"},
}


def sweep_file(folder: Path, name: str, replications: int, short: bool = False, design: str = "history") -> Path:
    grid = DESIGNS[design]
    data = {
        "name": name,
        "description": "benchmark sweep",
        "base": "baseline",
        "set": {"run.end": "2021-12", "buyers.count": 30} if short else {},
        "parameters": {path: values for path, values in grid.items()},
        "design": {"kind": "factorial"},
        "replications": replications,
        "seed": 4,
        "outcomes": {"series": SERIES, "scalars": {} if short else SCALARS}
        if not short
        else {"series": SERIES[:2], "scalars": {"alignment_end": SCALARS["alignment_end"]}},
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_sweep_case(path: Path, out: Path, workers: int, *options: str) -> dict:
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "magnetdiplomacy.cli",
        "sweep",
        str(path),
        "--workers",
        str(workers),
        "--out",
        str(out),
        "--quiet",
        *options,
    ]
    subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text())
    session = manifest["sessions"][-1]
    cpu = session["cpu_s"]["driver"] + session["cpu_s"]["workers"]
    return {
        "wall_s": wall,
        "session_s": session["seconds"],
        "runs": session["runs_done"],
        "cpu_s": cpu,
        "peak_rss_mib": session["peak_rss_mib"],
        "months_shared": session.get("months_shared", 0.0),
        "load": load(),
    }


# ---- mesa.batch_run side -----------------------------------------------------------------------


def batch_run_child(replications: int, processes: int, out: str, design: str) -> None:
    """Run mesa.batch_run on the benchmark design and write the same outcomes; print JSON."""
    import mesa
    import pandas as pd

    from magnetdiplomacy import MagnetDiplomacyModel
    from magnetdiplomacy.sweeps import load_sweep
    from magnetdiplomacy.sweeps.designs import replication_seeds

    seeds = replication_seeds(load_sweep(sweep_file(Path(out), "seeds", replications, design=design)))
    (Path(out) / "seeds.yaml").unlink()
    parameters = {path.replace(".", "__"): values for path, values in DESIGNS[design].items()}
    started = time.perf_counter()
    results = mesa.batch_run(
        MagnetDiplomacyModel,
        parameters={**parameters, "outputs__agent_table": False},
        rng=seeds,
        max_steps=100_000,
        number_processes=processes,
        data_collection_period=1,
        display_progress=False,
    )
    called = time.perf_counter() - started
    frame = pd.DataFrame(results)
    frame["date"] = pd.to_datetime(frame["date"])
    series = frame[["RunId", "iteration", "rng", *parameters, "Step", "date", *SERIES]].sort_values(
        ["RunId", "Step"], kind="stable"
    )
    groups = series.groupby("RunId", sort=True)
    year = series["date"].dt.year
    scalars = groups[[*parameters, "iteration", "rng"]].first()
    scalars["share_nonchina_2030"] = series[year == 2030].groupby("RunId")["malaysia_magnet_share_nonchina"].mean()
    scalars["alignment_end"] = groups["malaysia_alignment"].last()
    late = series[series["date"] >= "2026-04-01"]
    scalars["leaves_band"] = (
        late.assign(out=(late["malaysia_alignment"].abs() > 0.25)).groupby("RunId")["out"].any().astype(float)
    )
    series.to_parquet(Path(out) / "batch_run_series.parquet", index=False)
    scalars.reset_index().to_parquet(Path(out) / "batch_run_scalars.parquet", index=False)
    total = time.perf_counter() - started
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    print(
        json.dumps(
            {
                "call_s": called,
                "wall_s": total,
                "runs": int(frame["RunId"].nunique()),
                "rows": len(frame),
                "cpu_s": cpu,
                "peak_rss_mib": {"driver": own.ru_maxrss / 1024.0, "workers_max": kids.ru_maxrss / 1024.0},
                "load": load(),
            }
        )
    )


def run_batch_case(replications: int, processes: int, out: Path, design: str) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--batch-run-child", str(replications), str(processes), str(out), design],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - started
    return result


def same_outcomes(sweep_folder: Path, batch_folder: Path, design: str) -> bool:
    import numpy as np
    import pandas as pd

    from magnetdiplomacy.sweeps import read_scalars

    mine = read_scalars(sweep_folder).rename(columns=lambda c: c.replace(".", "__"))
    manifest = json.loads((sweep_folder / "manifest.json").read_text())
    mine["rng"] = [manifest["replication_seeds"][r] for r in mine["rep"]]
    theirs = pd.read_parquet(batch_folder / "batch_run_scalars.parquet")
    keys = [path.replace(".", "__") for path in DESIGNS[design]] + ["rng"]
    merged = theirs.merge(mine, on=keys, suffixes=("_b", "_s"))
    if len(merged) != len(mine):
        return False
    return all(np.allclose(merged[f"{name}_b"], merged[f"{name}_s"], rtol=1e-12, atol=0) for name in SCALARS)


# ---- main ----------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs of the baseline sweep (a multiple of 100)")
    parser.add_argument(
        "--designs",
        nargs="+",
        default=list(DESIGNS),
        choices=list(DESIGNS),
        help="designs compared with mesa.batch_run",
    )
    parser.add_argument(
        "--mem-runs", type=int, nargs=2, default=[1000, 10000], help="sizes of the two short-run sweeps for memory"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["one-worker", "batch-run", "no-sharing", "memory"],
        help="leave out cases",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="run the 2-worker sweep and batch_run this many times, alternating, and keep the fastest of each",
    )
    parser.add_argument("--batch-run-child", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args()


def _design_cases(args: argparse.Namespace, tmp: Path, design: str, reps: int, console: Any) -> dict:
    """Cases 1-2 for one design: the sweep with 2 workers (and 1), and mesa.batch_run on the same runs."""
    runs = reps * 100
    path = sweep_file(tmp, f"bench_{design}", reps, design=design)
    console.print(
        f"[bold]1-2. {runs:,}-run baseline sweep, design '{design}'[/] ({', '.join(DESIGNS[design])}; 192 "
        "months, 300 buyers) with 2 workers, and mesa.batch_run on the same design (2 processes, "
        f"data_collection_period=1); load {load()}"
    )
    sweeps, batches = [], []
    for attempt in range(max(1, args.repeats)):
        folder = tmp / f"{design}_w2_{attempt}"
        sweeps.append(run_sweep_case(path, folder, 2))
        console.print(
            f"   sweep, 2 workers: {sweeps[-1]['wall_s']:.1f} s ({runs / sweeps[-1]['wall_s']:.2f} runs/s), "
            f"{sweeps[-1]['cpu_s'] / runs:.3f} CPU s/run, {sweeps[-1]['months_shared']:.0%} of months shared, "
            f"load {sweeps[-1]['load']}"
        )
        if "batch-run" not in args.skip:
            batch_dir = tmp / f"{design}_batch_{attempt}"
            batch_dir.mkdir()
            batch = run_batch_case(reps, 2, batch_dir, design)
            batch["same_outcomes_as_sweep"] = same_outcomes(folder, batch_dir, design)
            batches.append(batch)
            console.print(
                f"   batch_run: call {batch['call_s']:.1f} s, whole process {batch['process_wall_s']:.1f} s, "
                f"{batch['cpu_s'] / runs:.3f} CPU s/run; identical outcomes: "
                f"{batch['same_outcomes_as_sweep']}; load {batch['load']}"
            )
    part: dict = {
        "sweep_2_all": sweeps,
        "batch_run_2_all": batches,
        "sweep_2": min(sweeps, key=lambda r: r["wall_s"]),
    }
    if batches:
        part["batch_run_2"] = min(batches, key=lambda r: r["process_wall_s"])
        part["batch_run_2"]["same_outcomes_as_sweep"] = all(b["same_outcomes_as_sweep"] for b in batches)
    if "no-sharing" not in args.skip:
        part["sweep_2_no_sharing"] = run_sweep_case(path, tmp / f"{design}_w2_plain", 2, "--no-share-history")
        console.print(
            f"   sweep, 2 workers, --no-share-history: {part['sweep_2_no_sharing']['wall_s']:.1f} s, load "
            f"{part['sweep_2_no_sharing']['load']}"
        )
    if design == args.designs[0] and "one-worker" not in args.skip:
        part["sweep_1"] = one = run_sweep_case(path, tmp / f"{design}_w1", 1)
        console.print(f"   1 worker: {one['wall_s']:.1f} s ({runs / one['wall_s']:.2f} runs/s), load {one['load']}")
    return part


def _memory_cases(args: argparse.Namespace, tmp: Path, results: dict, console: Any) -> None:
    """Case 3: peak memory of two sweeps of short runs, a small and a large one."""
    if "memory" not in args.skip:
        console.print("[bold]3. memory[/]: short runs (2020-01 to 2021-12, 30 buyers), 2 workers")
        for size in args.mem_runs:
            reps_m = max(1, size // 100)
            mem_path = sweep_file(tmp, f"mem{size}", reps_m, short=True)
            case = run_sweep_case(mem_path, tmp / f"mem{size}", 2)
            results[f"memory_{reps_m * 100}"] = case
            console.print(
                f"   {reps_m * 100:,} runs: {case['wall_s']:.1f} s, driver peak "
                f"{case['peak_rss_mib']['driver']:.0f} MiB, worker peak {case['peak_rss_mib']['workers_max']:.0f} "
                f"MiB, load {case['load']}"
            )


def _row(table: Any, label: str, value: str, target: str, ok: bool | None) -> None:
    table.add_row(label, value, target, "" if ok is None else ("yes" if ok else "NO"))


def _design_rows(table: Any, part: dict, design: str, runs: int) -> None:
    """The table's rows of one design (and the derived ratios, kept in ``part``)."""
    two = part["sweep_2"]
    _row(
        table,
        f"[bold]design '{design}'[/]: {runs:,} runs, 2 workers (wall, whole command)",
        f"{two['wall_s']:.1f} s",
        "< 180 s" if runs == 1000 else "",
        two["wall_s"] < 180 if runs == 1000 else None,
    )
    _row(table, "  months started from a shared copy", f"{two['months_shared']:.0%}", "", None)
    if "sweep_2_no_sharing" in part:
        plain = part["sweep_2_no_sharing"]
        _row(
            table,
            "  same with --no-share-history",
            f"{plain['wall_s']:.1f} s ({plain['wall_s'] / two['wall_s']:.2f}x slower)",
            "",
            None,
        )
    if "sweep_1" in part:
        one = part["sweep_1"]
        efficiency = one["wall_s"] / (2 * two["wall_s"])
        part["parallel_efficiency"] = efficiency
        part["parallel_efficiency_cpu"] = one["cpu_s"] / two["cpu_s"]
        _row(table, "  1 worker (wall)", f"{one['wall_s']:.1f} s", "", None)
        _row(table, "  parallel efficiency T1 / (2 T2)", f"{efficiency:.1%}", ">= 85%", efficiency >= 0.85)
    if "batch_run_2" in part:
        _batch_rows(table, part, two, runs)


def _batch_rows(table: Any, part: dict, two: dict, runs: int) -> None:
    """The rows comparing the 2-worker sweep with mesa.batch_run (and the ratios, kept in ``part``)."""
    batch = part["batch_run_2"]
    ratio = batch["process_wall_s"] / two["wall_s"]
    part["throughput_vs_batch_run"] = ratio
    part["throughput_vs_batch_run_call_only"] = batch["call_s"] / two["wall_s"]
    cpu_ratio = batch["cpu_s"] / two["cpu_s"]
    part["cpu_per_run_ratio_batch_run_over_sweep"] = cpu_ratio
    _row(
        table,
        "  mesa.batch_run, 2 processes: whole process (bare call)",
        f"{batch['process_wall_s']:.1f} s ({batch['call_s']:.1f} s)",
        "",
        None,
    )
    _row(
        table,
        "  sweep throughput / batch_run throughput (whole processes)",
        f"{ratio:.2f}x",
        ">= 1.5x",
        ratio >= 1.5,
    )
    _row(
        table,
        "  CPU seconds per run: sweep / batch_run",
        f"{two['cpu_s'] / runs:.3f} / {batch['cpu_s'] / runs:.3f} ({cpu_ratio:.2f}x)",
        "",
        None,
    )
    _row(
        table,
        "  driver peak memory: sweep / batch_run",
        f"{two['peak_rss_mib']['driver']:.0f} / {batch['peak_rss_mib']['driver']:.0f} MiB",
        "",
        None,
    )
    _row(
        table,
        "  identical outcome values",
        str(batch["same_outcomes_as_sweep"]),
        "True",
        batch["same_outcomes_as_sweep"],
    )


def _memory_rows(table: Any, results: dict) -> None:
    """The table's rows on memory (and the ratios, kept in ``results``)."""
    mem = [results[k] for k in results if k.startswith("memory_")]
    if len(mem) == 2:
        small, large = mem
        ratio_driver = large["peak_rss_mib"]["driver"] / small["peak_rss_mib"]["driver"]
        ratio_workers = large["peak_rss_mib"]["workers_max"] / small["peak_rss_mib"]["workers_max"]
        results["memory_ratio_driver"], results["memory_ratio_workers"] = ratio_driver, ratio_workers
        labels = [k for k in results if k.startswith("memory_")][:2]
        _row(
            table,
            f"driver peak memory, {labels[1][7:]} vs {labels[0][7:]} short runs",
            f"{large['peak_rss_mib']['driver']:.0f} vs {small['peak_rss_mib']['driver']:.0f} MiB "
            f"({ratio_driver - 1:+.1%})",
            "within 20%",
            ratio_driver <= 1.2,
        )
        _row(
            table,
            "worker peak memory, same comparison",
            f"{large['peak_rss_mib']['workers_max']:.0f} vs {small['peak_rss_mib']['workers_max']:.0f} MiB "
            f"({ratio_workers - 1:+.1%})",
            "within 20%",
            ratio_workers <= 1.2,
        )


def main() -> None:
    args = _arguments()
    if args.batch_run_child:
        batch_run_child(
            int(args.batch_run_child[0]), int(args.batch_run_child[1]), args.batch_run_child[2], args.batch_run_child[3]
        )
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    reps = max(1, args.runs // 100)
    runs = reps * 100
    results: dict = {"runs": runs, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-sweeps-") as tmp_name:
        tmp = Path(tmp_name)
        for design in args.designs:
            results[design] = _design_cases(args, tmp, design, reps, console)
        _memory_cases(args, tmp, results, console)

    table = Table(
        title=(
            f"Sweep benchmark ({runs:,}-run baseline sweeps; {os.cpu_count()} CPUs; fastest of {max(1, args.repeats)} "
            "for sweep and batch_run)"
        )
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met", justify="center")
    for design in args.designs:
        _design_rows(table, results[design], design, runs)
    _memory_rows(table, results)
    console.print(table)
    console.print_json(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
