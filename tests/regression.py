"""Digests of a run's full outputs (time series, event log, agent table) for regression checks.

``tests/data/output_hashes.json`` holds the digests of every named scenario with two seeds, recorded
from the code before a change that must not alter results. Re-record them only for a deliberate
change of what the model computes, and say so in the commit message:

    uv run python tests/regression.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pandas as pd

HASHES = Path(__file__).parent / "data" / "output_hashes.json"
SEEDS = (1, 2)


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 over column names, dtypes and every value's bits (row order included)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(c) for c in frame.columns], [str(t) for t in frame.dtypes]]).encode())
    digest.update(str(len(frame)).encode())
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def run_digests(scenario: str, seed: int) -> dict[str, str]:
    """Digests of one run's three tables."""
    from magnetdiplomacy import run

    result = run(scenario, seed=seed)
    return {
        "timeseries": frame_digest(result.model_df),
        "events": frame_digest(result.events_df),
        "agents": frame_digest(result.agents_df),
    }


def all_digests() -> dict[str, dict[str, str]]:
    """Digests of every named scenario with each seed of :data:`SEEDS`."""
    from magnetdiplomacy import list_scenarios

    return {f"{name}/s{seed}": run_digests(name, seed) for name in sorted(list_scenarios()) for seed in SEEDS}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="Record the current code's digests.")
    args = parser.parse_args()
    digests = all_digests()
    if args.write:
        HASHES.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(digests)} digests to {HASHES}")
    else:
        print(json.dumps(digests, indent=1, sort_keys=True))
