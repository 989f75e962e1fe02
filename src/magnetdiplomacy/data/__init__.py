"""Sourced calibration data and the policy timeline (copies of the project's shared data files).

``calibration.csv`` rows are cited by id (``C083``) in every parameter's ``source``;
``events.csv`` rows (``E060``) drive the history replay. See SOURCE_README.md for the columns.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def calibration_rows() -> dict[str, dict[str, str]]:
    """Every row of calibration.csv keyed by id."""
    text = resources.files(__name__).joinpath("calibration.csv").read_bytes().decode("utf-8")
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def calibration_value(row_id: str) -> float:
    """The number of a calibration row: its value, or the middle of its low-high range."""
    row = calibration_rows()[row_id]
    if row["value"]:
        return float(row["value"])
    if row["low"] and row["high"]:
        return (float(row["low"]) + float(row["high"])) / 2.0
    raise ValueError(f"{row_id} ({row['quantity']}) has no number: flag {row['flag']}")
