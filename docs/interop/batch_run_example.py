"""Drive the model with Mesa's own ``mesa.batch_run`` (a full-factorial grid, results in memory).

    uv run python docs/interop/batch_run_example.py

``magnetdiplomacy.runs.BatchModel`` (the model, built from plain keyword parameters) takes ``__``
for the dots of a parameter path (``china__licence_grant_rate=0.3``) and ``rng``, so ``batch_run``
drives it unchanged. Fixed
settings go into the grid as single values. ``batch_run`` returns a list of dicts (one per run
with ``data_collection_period=-1``, one per run and month with ``1``), all held in memory; for
thousands of runs, other designs, streaming to Parquet and resume use ``magnetdiplomacy sweep``
(docs/sweeps.md). To reproduce a sweep's runs here, pass its replication seeds:
``magnetdiplomacy.sweeps.designs.replication_seeds(load_sweep(FILE))`` (sweeps use common random
numbers by default, so replication *r* of every point has the same seed, as with ``batch_run``).
"""

from __future__ import annotations

import mesa
import pandas as pd

from magnetdiplomacy.runs import BatchModel

GRID = {
    "china__licence_grant_rate": [0.2, 0.5, 0.8],
    "us__tariff_malaysia_initial": [0.0, 0.25],
}
KEEP = ["malaysia_alignment", "malaysia_magnet_share_nonchina", "malaysia_oxide_share_global"]


def main(end: str = "2030-12", buyers: int = 100, seeds: tuple[int, ...] = (1, 2), processes: int = 1) -> pd.DataFrame:
    """Run the grid with every seed; return one row per run with the final month's indicators."""
    results = mesa.batch_run(
        BatchModel,
        parameters={**GRID, "run__end": end, "buyers__count": buyers, "outputs__agent_table": False},
        rng=list(seeds),
        max_steps=10_000,
        number_processes=processes,
        data_collection_period=-1,  # the last month only; 1 keeps every month
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    return frame[["RunId", "iteration", "rng", *GRID, "date", *KEEP]]


if __name__ == "__main__":
    runs = main()
    print(runs.to_string(index=False))
    print()
    print("mean over seeds of the last month:")
    print(runs.groupby(list(GRID))[KEEP].mean().round(3).to_string())
