"""Speed and memory of the model against Mesa's own BoltzmannWealth example, measured side by side.

    uv run python benchmarks/bench_model.py [--repeats 3] [--sizes 300 3000 30000]

For each agent count the baseline (192 months) and BoltzmannWealth (192 steps, grid sized to one
agent per cell as in the example's default of 100 agents on 10x10) run in fresh subprocesses, so each
peak memory figure is that run's alone. Reported: wall time of the run (model construction plus
steps, best of the repeats), microseconds per agent-step, their ratio, and peak resident memory.
Timings on shared machines are noisy: read the ratios, which are measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

TICKS = 192


def child(kind: str, agents: int) -> None:
    """Run one case in this process and print its measurements as JSON."""
    if kind == "magnetdiplomacy":
        from magnetdiplomacy import MagnetDiplomacyModel, load_scenario

        scenario = load_scenario("baseline", {"buyers.count": agents})
        started = time.perf_counter()
        model = MagnetDiplomacyModel(scenario)
        while model.running:
            model.step()
        steps = model.n_ticks
    else:
        from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

        side = max(10, math.isqrt(agents))
        started = time.perf_counter()
        model = BoltzmannWealth(BoltzmannScenario(n=agents, width=side, height=side, rng=1))
        for _ in range(TICKS):
            model.step()
        steps = TICKS
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"seconds": seconds, "steps": steps, "peak_mib": peak_mib}))


def measure(kind: str, agents: int, repeats: int) -> dict:
    best = None
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(agents)], check=True, capture_output=True, text=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    best["us_per_agent_step"] = best["seconds"] / (agents * best["steps"]) * 1e6
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3_000, 30_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    console = Console()
    table = Table(
        title=f"{TICKS} steps, best of {args.repeats}; model = magnetdiplomacy baseline, reference = Mesa BoltzmannWealth"
    )
    for column in (
        "agents",
        "model s",
        "model us/agent-step",
        "model peak MiB",
        "Boltzmann s",
        "Boltzmann us/agent-step",
        "Boltzmann peak MiB",
        "Boltzmann / model per agent-step",
    ):
        table.add_column(column, justify="right")
    rows = []
    for agents in args.sizes:
        ours = measure("magnetdiplomacy", agents, args.repeats)
        ref = measure("boltzmann", agents, args.repeats)
        ratio = ref["us_per_agent_step"] / ours["us_per_agent_step"]
        rows.append({"agents": agents, "model": ours, "boltzmann": ref, "ratio": ratio})
        table.add_row(
            f"{agents:,}",
            f"{ours['seconds']:.2f}",
            f"{ours['us_per_agent_step']:.3f}",
            f"{ours['peak_mib']:.0f}",
            f"{ref['seconds']:.2f}",
            f"{ref['us_per_agent_step']:.3f}",
            f"{ref['peak_mib']:.0f}",
            f"{ratio:.1f}x",
        )
    console.print(table)
    default = next((r for r in rows if r["agents"] == 300), None)
    if default:
        console.print(f"baseline at the default 300 buyers: {default['model']['seconds']:.2f} s for {TICKS} months")
    console.print_json(json.dumps(rows))


if __name__ == "__main__":
    main()
