"""The stored posterior and the posterior ensembles of ``run``, ``compare``, ``validate`` and sweeps.

A small posterior is written in each test with :func:`write_posterior` (the shipped one,
``configs/posterior``, comes from a calibration run); runs are short (to mid-2021, few buyers).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bad_inputs import BadInput, check, run_case
from magnetdiplomacy.inference.ensemble import DEFAULT_DRAWS, compare_draws, plan_draws, run_draws
from magnetdiplomacy.inference.posterior import (
    GENERATIONS,
    META,
    PARTICLES,
    draw_seed,
    load_posterior,
    write_posterior,
)
from magnetdiplomacy.scenario import ScenarioError, prepare

PARAMETERS = ("market.price_adjustment", "market.scarcity_exponent", "demand.shock_depth")
SHORT = ("--end", "2021-06", "--set", "buyers.count=10")


def make_posterior(folder: Path, n: int = 40, seed: int = 0, weights=None, **columns) -> Path:
    """A posterior of ``n`` particles over three free parameters (inside their declared ranges)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "market.price_adjustment": rng.uniform(0.2, 0.9, n),
            "market.scarcity_exponent": rng.uniform(1.0, 3.5, n),
            "demand.shock_depth": rng.uniform(0.0, 0.3, n),
            "weight": rng.uniform(0.1, 1.0, n) if weights is None else weights,
            "distance": rng.uniform(0.0, 1.0, n),
            **columns,
        }
    )
    generations = pd.DataFrame(
        {"generation": [0, 1], "epsilon": [2.0, 1.0], "particles": [n, n], "simulations": [3 * n, 5 * n]}
    )
    meta = {"method": "abc-smc", "seed": seed, "generations": 2, "complete": True, "priors": {}}
    meta["priors"] = {"market.price_adjustment": [0.1, 1.0], "demand.shock_depth": [0.0, 0.3]}
    write_posterior(folder, frame, generations, meta)
    return folder


@pytest.fixture(scope="module")
def posterior_dir(tmp_path_factory) -> Path:
    return make_posterior(tmp_path_factory.mktemp("posterior") / "post")


def short_baseline():
    return prepare("baseline", end="2021-06", overrides={"buyers.count": 10})


# --------------------------------------------------------------------------------------------
# the stored posterior


def test_written_posterior_reads_back_normalised(posterior_dir):
    loaded = load_posterior(posterior_dir)
    assert loaded.parameters == list(PARAMETERS)
    assert math.isclose(loaded.frame["weight"].sum(), 1.0)
    assert loaded.meta["format"] == 1 and loaded.meta["particles"] == 40 and loaded.meta["method"] == "abc-smc"
    assert list(loaded.generations["epsilon"]) == [2.0, 1.0]
    assert {p.name for p in posterior_dir.iterdir()} == {META, PARTICLES, GENERATIONS}  # no temporary files
    summary = loaded.summary()
    assert list(summary.index) == list(PARAMETERS)
    assert (summary["q05"] <= summary["median"]).all() and (summary["median"] <= summary["q95"]).all()


def test_draws_nest_and_are_deterministic(posterior_dir):
    loaded = load_posterior(posterior_dir)
    many = loaded.draws(50, seed=7)
    assert loaded.draws(5, seed=7) == many[:5]
    assert load_posterior(posterior_dir).draws(50, seed=7) == many
    assert loaded.draws(50, seed=8) != many
    assert draw_seed(7, 3) == draw_seed(7, 3) != draw_seed(7, 4)


def test_weighted_resampling_follows_the_weights(tmp_path):
    folder = make_posterior(tmp_path / "p", n=4, weights=[0.6, 0.3, 0.1, 0.0])
    loaded = load_posterior(folder)
    counts = np.bincount(loaded.indices(20_000, seed=1), minlength=4) / 20_000
    assert counts[3] == 0.0  # a particle of weight 0 is never drawn
    assert np.allclose(counts[:3], [0.6, 0.3, 0.1], atol=0.015)
    first = loaded.frame.iloc[0]
    draws = loaded.draws(200, seed=1)
    assert sum(d["market.price_adjustment"] == first["market.price_adjustment"] for d in draws) > 90


def test_weighted_summary_of_a_known_sample(tmp_path):
    weights = [0.0, 0.0, 1.0] + [0.0] * 3
    folder = make_posterior(tmp_path / "p", n=6, weights=weights)
    loaded = load_posterior(folder)
    value = loaded.frame.loc[2, "demand.shock_depth"]
    row = loaded.summary().loc["demand.shock_depth"]
    assert row["median"] == pytest.approx(value) and row["q05"] == pytest.approx(value)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        ("no folder", ("no such folder",)),
        ("no json", (META, "missing")),
        ("unknown parameter", ("market.no_such_knob", "not a parameter")),
        ("outside range", ("demand.shock_depth", "declared range")),
        ("negative weight", ("weight", ">= 0")),
        ("nan weight", ("weight", "nan")),
        ("bad format", ("format",)),
        ("bad prior", ("priors.demand.shock_depth",)),
    ],
)
def test_a_bad_posterior_is_one_line_naming_file_and_key(tmp_path, damage, words):
    folder = make_posterior(tmp_path / "p")
    meta = json.loads((folder / META).read_text())
    frame = pd.read_parquet(folder / PARTICLES)
    if damage == "no folder":
        folder = tmp_path / "absent"
    elif damage == "no json":
        (folder / META).unlink()
    elif damage == "unknown parameter":
        meta["parameters"][0] = "market.no_such_knob"
    elif damage == "outside range":
        frame.loc[3, "demand.shock_depth"] = 0.95
    elif damage in ("negative weight", "nan weight"):
        frame.loc[1, "weight"] = -0.5 if damage == "negative weight" else float("nan")
    elif damage == "bad format":
        meta["format"] = 99
    elif damage == "bad prior":
        meta["priors"]["demand.shock_depth"] = [0.0, 5.0]
    if (folder / META).exists():
        (folder / META).write_text(json.dumps(meta))
    if folder.exists():
        frame.to_parquet(folder / PARTICLES, index=False)
    with pytest.raises(ScenarioError) as err:
        load_posterior(folder)
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word.lower() in message.lower(), message


def test_write_posterior_refuses_bad_weights_and_writes_nothing(tmp_path):
    for weights in ([1.0, -1.0, 1.0], [1.0, float("nan"), 1.0], [0.0, 0.0, 0.0]):
        folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        with pytest.raises(ScenarioError, match="weight"):
            make_posterior(folder, n=3, weights=weights)
        assert not folder.exists() or not any(folder.iterdir())


def test_draws_default_and_limits(posterior_dir):
    assert len(plan_draws(posterior_dir, None, seed=1).values) == DEFAULT_DRAWS
    for bad in (0, -3, 10**9):
        with pytest.raises(ScenarioError, match="--draws"):
            plan_draws(posterior_dir, bad, seed=1)


# --------------------------------------------------------------------------------------------
# the command line: bad inputs are one line, exit 2, nothing written


RUN = ("run", "baseline", *SHORT, "--out", "out")
POST = "POSTERIOR"  # replaced by the test posterior's folder
BAD_OPTIONS = [
    BadInput("missing folder", (*RUN, "--posterior", "nowhere"), names=("nowhere",)),
    BadInput("draws alone", (*RUN, "--draws", "5"), names=("--posterior",)),
    BadInput("no posterior.json", (*RUN, "--posterior", "empty"), {"empty/x.txt": "x"}, names=("posterior.json",)),
    BadInput("draws zero", (*RUN, "--posterior", POST, "--draws", "0"), names=("--draws",)),
    BadInput("draws huge", (*RUN, "--posterior", POST, "--draws", "99999999"), names=("--draws",)),
    BadInput(
        "compare draws zero",
        ("compare", "baseline", "--set", "buyers.count=12", "--out", "c", "--posterior", POST, "--draws", "0"),
        names=("--draws",),
    ),
    BadInput("validate missing", ("validate", "--out", "v", "--posterior", "nowhere"), names=("nowhere",)),
]


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if i >= 2 else []) for i, c in enumerate(BAD_OPTIONS)]
)
def test_bad_posterior_options_are_refused_with_one_line(tmp_path, posterior_dir, case):
    args = tuple(str(posterior_dir) if arg == POST else arg for arg in case.args)
    case = BadInput(case.id, args, case.files, case.names)
    check(case, run_case(case, tmp_path))


@pytest.mark.slow
def test_a_posterior_with_an_unknown_parameter_is_refused_by_run(tmp_path):
    folder = make_posterior(tmp_path / "p")
    meta = json.loads((folder / META).read_text())
    meta["parameters"][1] = "market.no_such_knob"
    (folder / META).write_text(json.dumps(meta))
    case = BadInput(
        "unknown", ("run", "baseline", *SHORT, "--out", "out", "--posterior", str(folder)), names=("no_such",)
    )
    work = tmp_path / "work"
    work.mkdir()
    check(case, run_case(case, work))


# --------------------------------------------------------------------------------------------
# ensembles


def test_a_posterior_run_is_reproducible_in_a_fresh_process(tmp_path, posterior_dir):
    """The CLI's bands (a fresh process) equal the bands of the same draws run here."""
    out = tmp_path / "run"
    args = ["run", "baseline", *SHORT, "--posterior", str(posterior_dir), "--draws", "3", "-w", "0", "-q", "--out"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-m", "magnetdiplomacy.cli", *args, str(out)], capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode()[-1000:]
    written = pd.read_parquet(out / "posterior" / "draws.parquet")
    scenario = short_baseline()
    plan = plan_draws(posterior_dir, 3, scenario.run.seed)
    pd.testing.assert_frame_equal(written, plan.table())
    frames = run_draws(scenario, plan)
    from magnetdiplomacy.inference.ensemble import bands

    stored = pd.read_parquet(out / "posterior" / "bands.parquet")
    here = bands(frames)
    np.testing.assert_array_equal(stored[["p05", "p50", "p95"]].to_numpy(), here[["p05", "p50", "p95"]].to_numpy())
    info = json.loads((out / "posterior" / "posterior.json").read_text())
    assert info["digest"] == load_posterior(posterior_dir).digest and info["draws"] == 3
    assert (out / "timeseries.parquet").is_file() and (out / "posterior" / "bands.png").stat().st_size > 1000


def test_the_draws_change_the_runs(posterior_dir):
    """Parameter uncertainty shows: draws with the same seed differ where the parameters differ."""
    scenario = short_baseline()
    plan = plan_draws(posterior_dir, 3, scenario.run.seed)
    plan.seeds = [plan.seeds[0]] * 3  # one seed: only the parameters differ
    frames = run_draws(scenario, plan)
    prices = [frame["price_ndpr_exchina_usd_kg"].iloc[-1] for frame in frames]
    assert len(set(prices)) == 3


def test_compare_uses_the_same_draws_and_seeds_on_both_sides(posterior_dir):
    scenario = short_baseline()
    plan = plan_draws(posterior_dir, 3, scenario.run.seed)
    same = compare_draws(scenario, scenario, plan)
    assert (same.paired["a"] == same.paired["b"]).all()  # same draws, same seeds: no difference at all
    assert same.seeds == plan.seeds and sorted(set(same.paired["draw"])) == [0, 1, 2]
    table = same.differences.set_index("outcome")
    assert (table[["diff_median", "diff_q05", "diff_q95"]] == 0).all().all()
    # B's own change is kept over the draws (pinned); A takes every draw's value
    b = prepare(scenario, overrides={"market.price_adjustment": 0.95})
    changed = compare_draws(scenario, b, plan, pinned_b={"market.price_adjustment"})
    prices = changed.differences.set_index("outcome").loc["price_ndpr_exchina_usd_kg"]
    assert prices["diff_q05"] <= prices["diff_median"] <= prices["diff_q95"]
    assert (changed.paired["a"] != changed.paired["b"]).any()


def test_validate_reports_the_share_of_draws_meeting_each_pattern(tmp_path):
    """Four draws whose runs sit at 1, 2, 3 and 4: half of them meet ``at least 2.5``."""
    from magnetdiplomacy.validation.patterns import PatternFile
    from magnetdiplomacy.validation.report import results_table
    from magnetdiplomacy.validation.runner import RunOutput, evaluate_all

    patterns = PatternFile.model_validate(
        {
            "experiments": {"e": {"scenario": "baseline"}},
            "patterns": [
                {
                    "id": "X",
                    "description": "x",
                    "experiment": "e",
                    "basis": "earned",
                    "metric": {"kind": "annual_mean", "column": "x"},
                    "years": [2021],
                    "test": {"kind": "at_least", "value": 2.5},
                }
            ],
        }
    )
    dates = pd.date_range("2021-01-01", periods=12, freq="MS")
    runs = [
        RunOutput("e", seed, pd.DataFrame({"date": dates, "x": float(draw + 1)}), pd.DataFrame(), draw)
        for draw in range(4)
        for seed in (1, 2)
    ]
    [result] = evaluate_all(patterns, {"e": runs})
    assert result.draw_share == 0.5
    assert results_table([result])["draw_share"].tolist() == [0.5]
    [plain] = evaluate_all(patterns, {"e": [RunOutput(r.experiment, r.seed, r.timeseries, r.events) for r in runs]})
    assert plain.draw_share is None


@pytest.mark.slow
def test_validate_command_with_a_posterior(tmp_path, posterior_dir):
    patterns = tmp_path / "patterns.yaml"
    patterns.write_text(
        """
experiments:
  short: {scenario: baseline, overrides: {run.end: 2021-12, buyers.count: 10, outputs.agent_table: false}, seeds: 3}
patterns:
  - {id: EASY, description: always, experiment: short, basis: earned, years: [2021],
     metric: {kind: annual_mean, column: price_ndpr_china_usd_kg}, test: {kind: at_least, value: 0}}
  - {id: NEVER, description: never, experiment: short, basis: earned, soft: true, years: [2021],
     metric: {kind: annual_mean, column: price_ndpr_china_usd_kg}, test: {kind: at_least, value: 1.0e9}}
"""
    )
    out = tmp_path / "v"
    args = ["validate", "--patterns", str(patterns), "--out", str(out), "--workers", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "magnetdiplomacy.cli", *args, "--posterior", str(posterior_dir), "--draws", "3"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr[-1000:]
    assert "draws meeting it" in done.stdout
    shares = pd.read_csv(out / "predictive.csv").set_index("pattern")["draw_share"]
    assert shares.to_dict() == {"EASY": 1.0, "NEVER": 0.0}
    report = (out / "report.md").read_text()
    assert "## Posterior-predictive checks" in report and "| EASY | earned | 100% | pass |" in report
    assert len(pd.read_csv(out / "draws.csv")) == 3


# --------------------------------------------------------------------------------------------
# sweeps


def _sweep_file(tmp_path: Path, posterior: Path, draws: int = 3) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"""
name: drawn
base: baseline
set: {{buyers.count: 10, run.end: 2021-06}}
parameters:
  us.tariff_step: {{}}
design: {{kind: lhs, samples: 2}}
replications: 2
seed: 5
posterior: {{folder: {posterior}, draws: {draws}}}
outcomes:
  series: [malaysia_alignment]
  scalars:
    price: {{column: price_ndpr_exchina_usd_kg, stat: last}}
"""
    )
    return path


def test_a_sweep_with_a_posterior_runs_and_resumes(tmp_path, posterior_dir):
    from magnetdiplomacy.sweeps import load_sweep, run_sweep
    from magnetdiplomacy.sweeps.storage import read_scalars

    sweep = load_sweep(_sweep_file(tmp_path, posterior_dir))
    assert sweep.n_runs == 2 * 3 * 2  # points x draws x replications per draw
    out = tmp_path / "out"
    first = run_sweep(sweep, out, workers=0, limit=5)
    assert first.completed == 5 and not first.complete
    again = run_sweep(load_sweep(_sweep_file(tmp_path, posterior_dir)), out, workers=0)
    assert again.complete and again.completed == 12
    plan = pd.read_parquet(out / "plan.parquet")
    assert list(plan["draw"]) == [0, 0, 1, 1, 2, 2] * 2
    drawn = load_posterior(posterior_dir).draws(3, seed=5)
    for name in PARAMETERS:
        assert list(plan[name]) == [drawn[d][name] for d in plan["draw"]]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["posterior"]["digest"] == load_posterior(posterior_dir).digest
    # a run's result is the base scenario with its draw and its design values, at its seed
    scalars = read_scalars(out).merge(plan[["run_id", "draw"]], on="run_id")
    row = scalars.iloc[7]
    from magnetdiplomacy.runs import simulate
    from magnetdiplomacy.scenario import load_scenario

    scenario = load_scenario(sweep.base, {**drawn[int(row["draw"])], "us.tariff_step": float(row["us.tariff_step"])})
    price = simulate(scenario, seed=int(row["seed"])).model_df["price_ndpr_exchina_usd_kg"].iloc[-1]
    assert price == pytest.approx(row["price"], rel=1e-12)


def test_a_sweep_refuses_to_resume_with_another_posterior(tmp_path, posterior_dir):
    from magnetdiplomacy.sweeps import load_sweep, run_sweep
    from magnetdiplomacy.sweeps.schema import SweepError

    out = tmp_path / "out"
    run_sweep(load_sweep(_sweep_file(tmp_path, posterior_dir)), out, workers=0, limit=1)
    other = make_posterior(tmp_path / "other", seed=99)
    with pytest.raises(SweepError, match="different sweep"):
        run_sweep(load_sweep(_sweep_file(tmp_path, other)), out, workers=0)


def test_sweep_posterior_errors_name_the_key(tmp_path, posterior_dir):
    from magnetdiplomacy.sweeps import load_sweep
    from magnetdiplomacy.sweeps.schema import SweepError

    with pytest.raises(SweepError, match=r"posterior: .*no such folder"):
        load_sweep(_sweep_file(tmp_path, tmp_path / "nowhere"))
    with pytest.raises(SweepError, match="posterior.draws"):
        load_sweep(_sweep_file(tmp_path, posterior_dir, draws=0))
    text = _sweep_file(tmp_path, posterior_dir).read_text().replace("us.tariff_step", "demand.shock_depth")
    (tmp_path / "both.yaml").write_text(text)
    with pytest.raises(SweepError, match="drawn from the posterior and varied"):
        load_sweep(tmp_path / "both.yaml")


@pytest.mark.slow
def test_a_posterior_sweep_gives_the_same_results_in_worker_processes(tmp_path, posterior_dir):
    from magnetdiplomacy.sweeps import load_sweep, run_sweep
    from magnetdiplomacy.sweeps.storage import read_scalars

    file = _sweep_file(tmp_path, posterior_dir)
    run_sweep(load_sweep(file), tmp_path / "inline", workers=0)
    run_sweep(load_sweep(file), tmp_path / "processes", workers=2)
    pd.testing.assert_frame_equal(read_scalars(tmp_path / "inline"), read_scalars(tmp_path / "processes"))
