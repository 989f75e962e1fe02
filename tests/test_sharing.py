"""Shared history in sweeps: runs started from a copy of another run equal runs started from scratch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from magnetdiplomacy import MagnetDiplomacyModel, load_scenario
from magnetdiplomacy.mechanisms.chain import Chain, Plant
from magnetdiplomacy.sweeps import load_sweep, read_scalars, read_series, run_sweep
from magnetdiplomacy.sweeps.runner import sharing_plan
from magnetdiplomacy.sweeps.sharing import ReadTracker, SharedRunner, first_reads, leaves
from magnetdiplomacy.sweeps.worker import recorded, recording_model, simulate_columns

COLUMNS = ["malaysia_alignment", "malaysia_magnet_share_nonchina", "price_ndpr_exchina_usd_kg", "china_magnet_share"]
# 2020-01 to 2027-12 with few buyers: long enough for values first read in 2026-04 (agents take
# over from the replay) and 2027-01 (JS Link opens) to matter, short enough for a test.
SHORT = {"run.end": "2027-12", "buyers.count": 24}


def scenario(**values):
    return load_scenario("baseline", {**SHORT, **values})


def test_tracker_records_the_month_of_the_first_read_and_build_time_reads_as_minus_one():
    config = scenario()
    tracker = ReadTracker()
    tracker.watch(config, ["china.escalation_propensity", "us.tariff_malaysia_initial", "jslink.capacity_t_yr"])
    model = MagnetDiplomacyModel(config, rng=3)
    while model.running:
        tracker.tick = model.tick
        model.step()
    assert tracker.first["us.tariff_malaysia_initial"] == -1  # a control built with the model
    assert tracker.first["china.escalation_propensity"] == model.tick_at("2026-04")  # agents take over
    # when agents take over, Malaysia values the joint venture's know-how against the plant to come
    assert tracker.first["jslink.capacity_t_yr"] == model.tick_at("2026-04")
    assert config.china.escalation_propensity == load_scenario("baseline").china.escalation_propensity


def test_watching_changes_no_result():
    plain = simulate_columns(scenario(), 5, COLUMNS)
    config = scenario()
    ReadTracker().watch(config, [p for p in leaves(config) if "." in p and not p.startswith("replay")])
    assert np.array_equal(plain, simulate_columns(config, 5, COLUMNS))


def test_a_plant_opening_later_reads_its_nameplate_when_it_opens():
    class Section:
        reads = 0

        @property
        def size(self):
            Section.reads += 1
            return 1200.0

    plant = Plant("p", "o", "x", "magnet", "exchina", 0.0, start=10, ramp_months=0)
    chain = Chain({"p": plant}, [plant], pending={"p": (Section(), ("size",), None)})
    chain.open_due(9)
    assert plant.capacity_t_yr(9) == 0.0 and Section.reads == 0
    chain.open_due(10)
    assert plant.capacity_t_yr(10) == 1200.0 and Section.reads == 1
    chain.open_due(30)
    assert plant.capacity_t_yr(30) == 1200.0 and Section.reads == 1
    later = Plant("q", "o", "x", "magnet", "exchina", 0.0, start=10)
    other = Chain({"q": later}, [later], pending={"q": (Section(), ("size",), None)})
    assert other.nameplate("q") == 1200.0  # investment planning may need it before the opening


@pytest.mark.parametrize(
    "path, values",
    [
        ("jslink.capacity_t_yr", [1500.0, 5000.0]),  # first read 2027-01
        ("malaysia.hedging.tariff_incidence", [0.0, 1.0]),  # 2026-04
        ("china.licence_grant_rate", [0.2, 0.8]),  # from the first month: nothing to share
        ("us.tariff_malaysia_initial", [0.0, 0.3]),  # at model build: nothing to share
    ],
)
def test_a_run_started_from_a_copy_equals_the_run_from_scratch(path, values):
    ticks = sorted(set(range(6, 96, 6)))
    runner = SharedRunner(lambda s, seed: recording_model(s, seed, COLUMNS), ticks, [path])
    reference = recorded(runner.run(scenario(**{path: values[0]}), 9))
    follower = recorded(runner.run(scenario(**{path: values[1]}), 9))
    assert np.array_equal(reference, simulate_columns(scenario(**{path: values[0]}), 9, COLUMNS))
    assert np.array_equal(follower, simulate_columns(scenario(**{path: values[1]}), 9, COLUMNS))
    assert not np.array_equal(reference, follower)
    first = first_reads(scenario(**{path: values[0]}), [path], 9)[path]
    if first >= 6:
        assert runner.months_shared == max(t for t in ticks if t <= first)
    else:
        assert runner.months_shared == 0


def test_runs_with_other_seeds_never_share():
    runner = SharedRunner(lambda s, seed: recording_model(s, seed, COLUMNS), [60, 84], ["jslink.capacity_t_yr"])
    runner.run(scenario(), 1)
    other = recorded(runner.run(scenario(**{"jslink.capacity_t_yr": 5000.0}), 2))
    assert runner.months_shared == 0
    assert np.array_equal(other, simulate_columns(scenario(**{"jslink.capacity_t_yr": 5000.0}), 2, COLUMNS))


SWEEP = {
    "name": "shared",
    "base": "baseline",
    "set": SHORT,
    "parameters": {
        "us.tariff_malaysia_initial": [0.0, 0.25],
        "malaysia.hedging.tariff_incidence": [0.0, 1.0],
        "jslink.capacity_t_yr": [1500.0, 3000.0, 5000.0],
    },
    "design": {"kind": "factorial"},
    "replications": 2,
    "seed": 21,
    "outcomes": {
        "series": ["malaysia_alignment", "malaysia_magnet_share_nonchina"],
        "scalars": {
            "share_2027": {"column": "malaysia_magnet_share_nonchina", "stat": "mean", "from": "2027-01"},
            "align_end": {"column": "malaysia_alignment", "stat": "last"},
        },
    },
}


def _sweep(tmp_path: Path):
    import yaml

    path = tmp_path / "shared.yaml"
    path.write_text(yaml.safe_dump(SWEEP, sort_keys=False))
    return load_sweep(path)


def test_the_driver_learns_when_values_are_first_read_and_orders_runs_to_share(tmp_path):
    sweep = _sweep(tmp_path)
    plan = sharing_plan(sweep, 21)
    assert plan.first_read["us.tariff_malaysia_initial"] == -1
    # tariff_incidence and JS Link's capacity are read when agents take over (offers are valued)
    assert plan.first_read["jslink.capacity_t_yr"] == 75
    assert plan.snapshot_ticks == (75,)
    reads = first_reads(sweep.base, ["jslink.capacity_t_yr", "market.price_adjustment"], 21)
    assert reads["market.price_adjustment"] < reads["jslink.capacity_t_yr"]


@pytest.mark.slow
def test_a_sweep_with_shared_history_equals_one_without_and_resumes_the_same(tmp_path):
    sweep = _sweep(tmp_path)
    plain = run_sweep(sweep, tmp_path / "plain", workers=0, share_history=False)
    shared = run_sweep(sweep, tmp_path / "shared", workers=0, batch=12)
    run_sweep(sweep, tmp_path / "resumed", workers=0, batch=5, limit=7)
    resumed = run_sweep(sweep, tmp_path / "resumed", workers=0, batch=5)
    assert plain.complete and shared.complete and resumed.complete
    for folder in ("shared", "resumed"):
        pd.testing.assert_frame_equal(read_scalars(tmp_path / "plain"), read_scalars(tmp_path / folder))
        pd.testing.assert_frame_equal(read_series(tmp_path / "plain"), read_series(tmp_path / folder))
    sessions = json.loads((tmp_path / "shared" / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["months_shared"] > 0.3  # most runs start in 2026 or 2027
    assert json.loads((tmp_path / "plain" / "manifest.json").read_text())["sessions"][-1]["months_shared"] == 0.0
