"""Metrics: turn one run's time series (and event log) into the numbers a pattern tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .patterns import Metric


def _series(df: pd.DataFrame, metric: Metric, column: str | None = None) -> pd.Series:
    if column:
        return df[column].astype(float)
    if metric.expression:
        return df.eval(metric.expression).astype(float)
    return df[metric.column].astype(float)


def _between(df: pd.DataFrame, start: str | None, end: str | None) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    if start:
        mask &= df["date"] >= pd.Timestamp(start)
    if end:
        mask &= df["date"] <= pd.Timestamp(end)
    return df[mask]


def _window(window: tuple[str, str] | None, name: str) -> tuple[str, str]:
    """A metric's (start, end) window, which its validator made sure is there."""
    if window is None:
        raise ValueError(f"metric needs '{name}'")
    return window


def _events(metric: Metric, events: pd.DataFrame | None) -> float:
    """How many logged events of the metric's kind, source and text fall in its window."""
    if events is None or events.empty:
        return 0.0
    window = _between(events, metric.start, metric.end)
    if metric.event_kind:
        window = window[window["kind"] == metric.event_kind]
    if metric.source:
        window = window[window["source"].str.startswith(metric.source)]
    if metric.contains:
        window = window[window["description"].str.contains(metric.contains, case=False, regex=True)]
    return float(len(window))


def _months_until_below(metric: Metric, df: pd.DataFrame) -> float:
    """Months from the shock until the series is back within ``factor`` times its pre-shock level."""
    base = _series(_between(df, *_window(metric.base, "base")), metric).mean()
    after = _between(df, metric.after, None)
    values = _series(after, metric).to_numpy()
    above = np.nonzero(values > metric.factor * base)[0]
    if len(above) == 0:
        return 0.0  # never rose above the band: no recovery to wait for
    back = np.nonzero(values[above[0] :] <= metric.factor * base)[0]
    return float(above[0] + back[0]) if len(back) else float(len(values) + 1)


def evaluate(metric: Metric, timeseries: pd.DataFrame, events: pd.DataFrame | None = None) -> dict[int, float] | float:
    """Per-year values ({year: value}) for ``annual_*`` metrics, else one number for the run."""
    df = timeseries
    years = df["date"].dt.year
    kind = metric.kind
    if kind == "annual_mean":
        return _series(df, metric).groupby(years).mean().to_dict()
    if kind == "annual_sum":
        return _series(df, metric).groupby(years).sum().to_dict()
    if kind == "annual_growth":
        totals = _series(df, metric).groupby(years).sum()
        counts = years.value_counts().sort_index()
        totals = totals[counts[totals.index] == 12]  # whole years only
        return totals.pct_change().dropna().to_dict()
    if kind == "annual_share":
        part = _series(df, metric).groupby(years).sum()
        whole = df[metric.of].astype(float).groupby(years).sum()
        return (part / whole).to_dict()
    if kind == "ever":
        window = _between(df, metric.start, metric.end)
        return float(bool(_series(window, metric).astype(bool).any()))
    if kind == "value_at":
        row = df[df["date"] == pd.Timestamp(metric.date)]
        if row.empty:
            return math.nan
        return float(_series(row, metric).iloc[0])
    if kind == "events":
        return _events(metric, events)
    if kind == "peak_ratio":
        base = _series(_between(df, *_window(metric.base, "base")), metric).mean()
        peak = _series(_between(df, *_window(metric.window, "window")), metric).max()
        return float(peak / base) if base > 0 else math.nan
    if kind == "months_until_below":
        return _months_until_below(metric, df)
    if kind == "drift":
        window = _series(_between(df, metric.start, metric.end), metric).to_numpy()
        if len(window) == 0 or window[0] <= 0:
            return math.nan
        return float(np.max(np.abs(np.log(window / window[0]))))
    if kind == "max_annual_increase":
        annual = _series(df, metric).groupby(years).last()
        start = float(_series(df, metric).iloc[0])
        steps = np.diff(np.concatenate([[start], annual.to_numpy()]))
        return float(steps.max()) if len(steps) else 0.0
    raise ValueError(f"unknown metric kind {kind}")
