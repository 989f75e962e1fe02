"""Scenario discovery (``magnetdiplomacy discover``): PRIM finds a planted box, the outcome
expressions parse or fail in one line, and the command works end to end on a sweep folder written
in the sweep storage format (the plan by the sweep machinery, the runs' outcomes synthetic, so no
model run is needed).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from magnetdiplomacy.cli import app
from magnetdiplomacy.inference.discovery import choose, discover, find_box
from magnetdiplomacy.inference.outcome import parse_outcome
from magnetdiplomacy.scenario import ScenarioError
from magnetdiplomacy.sweeps import load_sweep
from magnetdiplomacy.sweeps.designs import build_design, design_table, run_plan
from magnetdiplomacy.sweeps.runner import sweep_manifest
from magnetdiplomacy.sweeps.storage import SweepStore
from magnetdiplomacy.sweeps.worker import RunOutcome

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


def planted(n: int = 1500, noise: float = 0.05, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """x uniform on [0, 1]^4; y = 1 iff a > 0.7 and b < 0.3, each label flipped with chance ``noise``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    x = pd.DataFrame(rng.random((n, 4)), columns=["a", "b", "c", "d"])
    y = ((x["a"] > 0.7) & (x["b"] < 0.3)).to_numpy()
    flip = rng.random(n) < noise
    return x, np.where(flip, ~y, y).astype(int)


# ---- PRIM ---------------------------------------------------------------------------------------


def test_prim_finds_the_planted_box():
    x, y = planted()
    trajectory, selected, chosen, limits = find_box(x, y, min_coverage=0.5)
    box = limits.set_index("parameter")
    assert set(box.index) == {"a", "b"}, limits  # the noise parameters c and d are not restricted
    assert box.loc["a", "lower"] == pytest.approx(0.7, abs=0.05) and box.loc["a", "upper"] > 0.95
    assert box.loc["b", "upper"] == pytest.approx(0.3, abs=0.05) and box.loc["b", "lower"] < 0.05
    row = trajectory.iloc[chosen]
    assert row["density"] > 0.8 and row["coverage"] >= 0.5
    assert trajectory["chosen"].sum() == 1 and trajectory["chosen"].iloc[chosen]
    assert trajectory.iloc[0]["mass"] == 1.0 and trajectory.iloc[0]["res_dim"] == 0  # step 0: all runs


def test_constrained_prim_keeps_to_the_planted_parameters():
    x, y = planted(n=800)
    trajectory, _, chosen, limits = find_box(x, y, min_coverage=0.5, constrained=True)
    assert set(limits["parameter"]) == {"a", "b"}
    assert set(trajectory["restricted"].fillna("").str.split("; ").sum()) <= {"", "a", "b"}
    assert trajectory.iloc[chosen]["density"] > 0.8


def test_prim_is_deterministic():
    x, y = planted(n=600)
    first, second = find_box(x, y, 0.5), find_box(x, y, 0.5)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[3], second[3])


def test_choose_takes_the_densest_box_with_enough_coverage():
    table = pd.DataFrame(
        {
            "step": [0, 1, 2, 3],
            "coverage": [1.0, 0.9, 0.6, 0.3],
            "density": [0.1, 0.4, 0.7, 0.95],
            "res_dim": [0, 1, 2, 2],
        }
    )
    assert choose(table, 0.5) == 2
    assert choose(table, 0.2) == 3
    assert choose(table, 1.0) == 0
    assert choose(table, 0.2, max_dims=1) == 1


# ---- outcome expressions --------------------------------------------------------------------


def test_outcome_expressions_parse_and_evaluate():
    frame = pd.DataFrame({"x": [-0.5, -0.1, 0.3, np.nan], "s": [0.2, 0.1, 0.16, 0.5]})
    outcome = parse_outcome("x < -0.25", ["x", "s"])
    assert outcome.evaluate(frame).tolist() == [True, False, False, False]  # NaN meets no clause
    assert outcome.slug == "x_lt_-0.25"
    assert parse_outcome("s>=0.15", ["x", "s"]).evaluate(frame).tolist() == [True, False, True, True]
    # 'and' binds tighter than 'or'
    both = parse_outcome("x < -0.25 or s >= 0.15 and x > 0", ["x", "s"])
    assert both.evaluate(frame).tolist() == [True, False, True, False]
    assert both.columns == ["x", "s"]
    assert parse_outcome("x != 0.3", None).evaluate(frame).tolist() == [True, True, False, False]
    assert parse_outcome("s == 1e-1", None).evaluate(frame).tolist() == [False, True, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("x <", "expected 'column OP number'"),
        ("x < y", "expected 'column OP number'"),
        ("x = 1", "cannot read"),
        ("x < 1 and", "nothing after 'and'"),
        ("x < 1 y > 2", "expected 'and' or 'or'"),
        ("__import__('os') < 1", "cannot read"),
        ("x < 1; y > 2", "cannot read"),
        ("x < 1e999", "not a finite number"),
        ("nope < 1", "unknown column 'nope'; the sweep's scalar outcomes are x, s"),
    ],
)
def test_bad_outcome_expressions_fail_in_one_line(text, expected):
    with pytest.raises(ScenarioError) as err:
        parse_outcome(text, ["x", "s"])
    message = str(err.value)
    assert expected in message and message.startswith("--outcome") and "\n" not in message


# ---- the command on a sweep folder -------------------------------------------------------------

SWEEP = {
    "name": "planted",
    "base": "baseline",
    "set": {"run.end": "2020-03", "buyers.count": 10},
    "parameters": {
        "china.licence_grant_rate": {},  # 0-1
        "market.know_how_cost_penalty": {},  # 0-1
        "us.floor_offer_rate_per_year": {},  # 0-2, plays no part in the outcome
    },
    "design": {"kind": "lhs", "samples": 500},
    "replications": 2,
    "seed": 3,
    "outcomes": {
        "series": ["malaysia_alignment"],
        "scalars": {
            "tilt": {"column": "malaysia_alignment", "stat": "last"},
            "share": {"column": "malaysia_magnet_share_nonchina", "stat": "last"},
        },
    },
}


def write_sweep(folder: Path, runs: int | None = None) -> Path:
    """A sweep folder as `magnetdiplomacy sweep` writes it, with synthetic outcomes: ``tilt`` is
    -0.5 where grant rate > 0.7 and know-how penalty < 0.3, else +0.1, except in 2 % of the runs
    (the other way round); ``share`` is 0.05 everywhere. ``runs``: write only the first ones."""
    sweep = load_sweep(SWEEP)
    design = build_design(sweep)
    plan = run_plan(sweep, design)
    store = SweepStore(folder)
    store.prepare(sweep, sweep_manifest(sweep, len(plan)), design_table(sweep, design), plan)
    outcomes = []
    for row in plan.head(runs).itertuples(index=False):
        values = tuple(float(getattr(row, f"_{4 + j}")) for j in range(len(sweep.paths)))
        inside = values[0] > 0.7 and values[1] < 0.3
        noisy = (row.run_id * 7919) % 50 == 0  # a deterministic 2 % of runs go the other way
        tilt = -0.5 if inside != noisy else 0.1
        outcomes.append(
            RunOutcome(row.run_id, row.point, row.rep, row.seed, values, np.array([tilt, 0.05]), np.zeros((3, 1)), 0.0)
        )
    store.recover()
    store.write_part(sweep, outcomes)
    return folder


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("discovery") / "planted")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_discover_command_end_to_end(sweep_folder):
    result = invoke("discover", sweep_folder, "--outcome", "tilt < -0.25", "--label", "Malaysia tips")
    assert result.exit_code == 0, result.output
    out = sweep_folder / "discovery" / "tilt_lt_-0.25"
    names = {p.name for p in out.iterdir()}
    assert {"box.csv", "trajectory.csv", "tradeoff.png", "box_limits.png", "summary.md", "discovery.json"} <= names
    assert (out / "tradeoff.png").read_bytes().startswith(PNG)
    box = pd.read_csv(out / "box.csv").set_index("parameter")
    assert set(box.index) == {"china.licence_grant_rate", "market.know_how_cost_penalty"}
    assert box.loc["china.licence_grant_rate", "lower"] == pytest.approx(0.7, abs=0.05)
    assert box.loc["market.know_how_cost_penalty", "upper"] == pytest.approx(0.3, abs=0.05)
    meta = json.loads((out / "discovery.json").read_text())
    assert meta["runs"] == 1000 and meta["stats"]["density"] > 0.8 and meta["meets_threshold"]
    assert 0.05 < meta["share"] < 0.2
    summary = (out / "summary.md").read_text()
    assert "Malaysia tips in" in summary and "(density)" in summary and "(coverage)" in summary
    assert "is above 0.7" in " ".join(result.output.split())
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert {"coverage", "density", "mass", "res_dim", "restricted", "chosen"} <= set(trajectory.columns)


def test_discover_reproduces_its_files(sweep_folder, tmp_path):
    a = discover(sweep_folder, "tilt < -0.25", out=tmp_path / "a", plots=False)
    b = discover(sweep_folder, "tilt < -0.25", out=tmp_path / "b", plots=False)
    for name in ("box.csv", "trajectory.csv"):
        assert (a.out / name).read_bytes() == (b.out / name).read_bytes()


def test_discover_an_outcome_that_never_happens(sweep_folder, tmp_path):
    result = invoke("discover", sweep_folder, "--outcome", "share >= 0.15", "--out", tmp_path / "never")
    assert result.exit_code == 0, result.output
    summary = (tmp_path / "never" / "summary.md").read_text()
    assert "in 0.0% of the 1,000 runs" in summary and "never happens" in summary
    assert not (tmp_path / "never" / "tradeoff.png").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--outcome", "nope < 1"], "unknown column 'nope'; the sweep's scalar outcomes are tilt, share"),
        (["--outcome", "tilt <"], "expected 'column OP number'"),
        (["--outcome", "tilt < 1", "--threshold", "0"], "--threshold 0.0: must be a density above 0"),
        (["--outcome", "tilt < 1", "--min-coverage", "1.5"], "--min-coverage 1.5: must be a coverage from 0 to 1"),
        (["--outcome", "tilt < 1", "--out", "/proc/x"], "a system folder"),
        (["--outcome", "tilt < 1", "--mass-min", "0"], "--mass-min 0.0: must be a share of runs above 0"),
        (["--outcome", "tilt < 1", "--max-dims", "0"], "--max-dims 0: must be 1 or more"),
    ],
)
def test_bad_inputs_exit_2_in_one_line(sweep_folder, args, expected):
    before = sorted(p.name for p in sweep_folder.rglob("*"))
    result = invoke("discover", sweep_folder, *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error:") and len(result.output.strip().splitlines()) == 1, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in sweep_folder.rglob("*")) == before  # nothing written


def test_missing_unfinished_or_foreign_folders_exit_2(tmp_path):
    result = invoke("discover", tmp_path / "missing", "--outcome", "tilt < 1")
    assert result.exit_code == 2 and "no such sweep folder" in result.output
    (tmp_path / "other").mkdir()
    result = invoke("discover", tmp_path / "other", "--outcome", "tilt < 1")
    assert result.exit_code == 2 and "not a sweep folder" in result.output
    half = write_sweep(tmp_path / "half", runs=10)
    result = invoke("discover", half, "--outcome", "tilt < 1")
    assert result.exit_code == 2 and "sweep incomplete (10 of 1,000 runs)" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (half / "discovery").exists()
