"""Speed and memory of the model, measured side by side in one run against two references:

1. an earlier commit of this project (default: the last commit before the core was restructured),
   running the same baseline scenario, so the ratio says how much faster or slower the current
   model is than it was;
2. Mesa's own BoltzmannWealth example, per agent-step, at several agent counts;

and the wall time of the commands that need no simulation (``--help``, ``scenarios``).

    uv run python benchmarks/bench_model.py [--repeats 5] [--against COMMIT] [--sizes 300 3000 30000]

Each case runs in a fresh subprocess (so each peak-memory figure is that run's alone), and the
two sides of a comparison alternate, so both see the same load. Timings on shared machines are
noisy: read the ratios, which are measured in the same run, and take the best of the repeats.
The model time is CPU time of building the model and running its 192 months (``process_time``),
which a busy neighbour disturbs less than wall time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

TICKS = 192
ROOT = Path(__file__).resolve().parents[1]
# The last commit before the core was restructured (model.py of 1,149 lines).
BEFORE = "7b9233d"


def child(kind: str, agents: int) -> None:
    """Run one case in this process and print its measurements as JSON."""
    if kind == "magnetdiplomacy":
        from magnetdiplomacy import load_scenario

        try:  # the current package takes a validated Scenario
            from magnetdiplomacy.model import MagnetDiplomacyModel
        except ImportError:  # pragma: no cover - very old trees
            from magnetdiplomacy import MagnetDiplomacyModel

        scenario = load_scenario("baseline", {"buyers.count": agents})
        started, cpu = time.perf_counter(), time.process_time()
        model = MagnetDiplomacyModel(scenario)
        while model.running:
            model.step()
        steps = model.n_ticks
    else:
        from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

        side = max(10, math.isqrt(agents))
        started, cpu = time.perf_counter(), time.process_time()
        model = BoltzmannWealth(BoltzmannScenario(n=agents, width=side, height=side, rng=1))
        for _ in range(TICKS):
            model.step()
        steps = TICKS
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "steps": steps, "peak_mib": peak_mib}))


def run_child(kind: str, agents: int, src: Path | None = None) -> dict:
    """One case in a fresh interpreter; ``src`` runs another tree's package (from its own folder)."""
    env = dict(os.environ)
    cwd = None
    if src is not None:
        env["PYTHONPATH"] = str(src / "src")
        cwd = src
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(agents)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=cwd)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(results: list[dict], key: str = "cpu_seconds") -> dict:
    return min(results, key=lambda r: r[key])


def checkout(commit: str, folder: Path) -> Path:
    """The package and configs of ``commit`` in ``folder`` (git archive; nothing is installed)."""
    archive = subprocess.run(["git", "archive", commit, "src", "configs"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def against_commit(commit: str, repeats: int) -> dict:
    """The baseline's model time now and at ``commit``, alternating."""
    with tempfile.TemporaryDirectory(prefix="bench_before_") as tmp:
        before_tree = checkout(commit, Path(tmp))
        now, before = [], []
        for _ in range(repeats):
            now.append(run_child("magnetdiplomacy", 300))
            before.append(run_child("magnetdiplomacy", 300, before_tree))
    a, b = best(now), best(before)
    return {
        "commit": commit,
        "now_cpu_s": a["cpu_seconds"],
        "before_cpu_s": b["cpu_seconds"],
        "now_wall_s": best(now, "seconds")["seconds"],
        "before_wall_s": best(before, "seconds")["seconds"],
        "speedup_cpu": b["cpu_seconds"] / a["cpu_seconds"],
        "speedup_wall": best(before, "seconds")["seconds"] / best(now, "seconds")["seconds"],
        "now_peak_mib": a["peak_mib"],
        "before_peak_mib": b["peak_mib"],
    }


def command_times(repeats: int) -> dict[str, float]:
    """Best wall time of the commands that need no simulation, in a fresh interpreter each."""
    times = {}
    for args in (["--help"], ["scenarios"], ["describe", "baseline"]):
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "magnetdiplomacy.cli", *args], check=True, capture_output=True, cwd=ROOT
            )
            samples.append(time.perf_counter() - started)
        times[" ".join(args)] = min(samples)
    return times


def against_boltzmann(sizes: list[int], repeats: int) -> list[dict]:
    rows = []
    for agents in sizes:
        ours = best([run_child("magnetdiplomacy", agents) for _ in range(repeats)], "seconds")
        ref = best([run_child("boltzmann", agents) for _ in range(repeats)], "seconds")
        for case in (ours, ref):
            case["us_per_agent_step"] = case["seconds"] / (agents * case["steps"]) * 1e6
        rows.append({"agents": agents, "model": ours, "boltzmann": ref,
                     "ratio": ref["us_per_agent_step"] / ours["us_per_agent_step"]})  # fmt: skip
    return rows


def report(console: Console, commit: dict, commands: dict[str, float], rows: list[dict]) -> None:
    table = Table(title=f"baseline, 300 buyers, {TICKS} months: now against {commit['commit']} (best of the repeats)")
    for column in ("", "CPU s", "wall s", "peak MiB"):
        table.add_column(column, justify="right")
    table.add_row("now", f"{commit['now_cpu_s']:.3f}", f"{commit['now_wall_s']:.3f}", f"{commit['now_peak_mib']:.0f}")
    table.add_row(
        commit["commit"],
        f"{commit['before_cpu_s']:.3f}",
        f"{commit['before_wall_s']:.3f}",
        f"{commit['before_peak_mib']:.0f}",
    )
    table.add_row("speed-up", f"{commit['speedup_cpu']:.2f}x", f"{commit['speedup_wall']:.2f}x", "")
    console.print(table)
    cmds = Table(title="commands that need no simulation (wall time, fresh interpreter, best of the repeats)")
    cmds.add_column("command")
    cmds.add_column("s", justify="right")
    for name, seconds in commands.items():
        cmds.add_row(f"magnetdiplomacy {name}", f"{seconds:.2f}")
    console.print(cmds)
    if not rows:
        return
    table = Table(title=f"{TICKS} steps; model = magnetdiplomacy baseline, reference = Mesa BoltzmannWealth")
    for column in ("agents", "model s", "model us/agent-step", "model MiB", "Boltzmann s", "Boltzmann us/agent-step",
                   "Boltzmann MiB", "Boltzmann / model"):  # fmt: skip
        table.add_column(column, justify="right")
    for row in rows:
        ours, ref = row["model"], row["boltzmann"]
        table.add_row(f"{row['agents']:,}", f"{ours['seconds']:.2f}", f"{ours['us_per_agent_step']:.3f}",
                      f"{ours['peak_mib']:.0f}", f"{ref['seconds']:.2f}", f"{ref['us_per_agent_step']:.3f}",
                      f"{ref['peak_mib']:.0f}", f"{row['ratio']:.1f}x")  # fmt: skip
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[300, 3_000, 30_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--against", default=BEFORE, help="Commit to compare the baseline's model time with.")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    console = Console()
    commit = against_commit(args.against, args.repeats)
    commands = command_times(args.repeats)
    rows = against_boltzmann(args.sizes, max(1, args.repeats // 2))
    report(console, commit, commands, rows)
    console.print_json(json.dumps({"against_commit": commit, "commands_s": commands, "boltzmann": rows}))


if __name__ == "__main__":
    main()
