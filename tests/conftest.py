"""Shared fixtures: runs are cached per session so each scenario is simulated once."""

from __future__ import annotations

import functools

import pytest

from magnetdiplomacy import run


@functools.lru_cache(maxsize=None)
def cached_run(scenario: str = "baseline", **overrides):
    """Run a scenario once per test session (overrides as dotted-path keyword pairs)."""
    return run(scenario, overrides={k.replace("__", "."): v for k, v in overrides.items()} or None)


@pytest.fixture(scope="session")
def baseline():
    return cached_run("baseline")


def window(df, start: str, end: str):
    """Rows of a time series between two dates (inclusive)."""
    return df[(df["date"] >= start) & (df["date"] <= end)]
