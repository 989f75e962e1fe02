"""Calibration by ABC-SMC and Morris screening (``calibrate --method abc``), on toy models whose
answer is known, plus resumption after ``kill -9`` and the checks of the ABC calibration file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from magnetdiplomacy.inference.abc import model_seeds, pattern_distance, run_abc
from magnetdiplomacy.inference.abc_config import AbcSettings
from magnetdiplomacy.inference.abc_plots import posterior_summary
from magnetdiplomacy.inference.posterior import load_posterior

KNOWN = "market.price_adjustment"  # prior [0.1, 1.0]; the toy's data come from TRUE
NUISANCE = "market.scarcity_exponent"  # prior [0.5, 4.0]; the toy ignores it
TRUE = 0.4


@dataclass
class Toy:
    """A noisy measurement of KNOWN (sd 0.02), observed at TRUE with a tolerance of 0.05; the
    noise is seeded from the parameter values, as the model simulator seeds its runs."""

    seed: int = 11
    pause_s: float = 0.0

    pattern_ids = ["T1"]

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        if self.pause_s:
            time.sleep(self.pause_s)
        rng = np.random.default_rng(model_seeds(self.seed, values, 1)[0])
        simulated = values[KNOWN] + rng.normal(0.0, 0.02)
        return {"T1": abs(simulated - TRUE) / 0.05}


def toy_settings(**changes) -> AbcSettings:
    settings = AbcSettings(
        priors={KNOWN: (0.1, 1.0), NUISANCE: (0.5, 4.0)},
        patterns="configs/validation/patterns.yaml",
        seed=5,
        population_size=30,
        max_generations=4,
        minimum_epsilon=0.5,
        max_total_simulations=5000,
        screening_trajectories=0,
        source="toy",
        kinds={KNOWN: "float", NUISANCE: "float"},
    )
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def test_abc_recovers_a_known_parameter_within_its_90_percent_interval(tmp_path):
    result = run_abc(toy_settings(), tmp_path, Toy(), workers=1)
    assert result.complete
    summary = posterior_summary(toy_settings(), result.particles).set_index("parameter")
    known, nuisance = summary.loc[KNOWN], summary.loc[NUISANCE]
    assert known.q05 <= TRUE <= known.q95
    assert known.width_share < 0.25  # the data narrow the parameter they inform ...
    assert nuisance.width_share > 0.5  # ... and not the one they do not
    # the stored posterior is the shared format: loadable, weights summing to 1, complete
    posterior = load_posterior(tmp_path)
    assert posterior.parameters == [KNOWN, NUISANCE] and posterior.meta["complete"] is True
    assert posterior.frame["weight"].sum() == pytest.approx(1.0)
    generations = pd.read_parquet(tmp_path / "generations.parquet")
    assert list(generations["generation"]) == list(range(len(generations)))
    assert (np.diff(generations["epsilon"]) < 0).all()  # thresholds fall generation by generation
    assert (tmp_path / "plots" / "marginals.png").stat().st_size > 1000
    assert (tmp_path / "plots" / "pairs.png").stat().st_size > 1000
    assert "## Posterior" in (tmp_path / "report.md").read_text()


def test_a_finished_calibration_can_be_extended_but_not_changed(tmp_path):
    from magnetdiplomacy.scenario import ScenarioError

    first = run_abc(toy_settings(max_generations=2, minimum_epsilon=0.0, population_size=15), tmp_path, Toy())
    assert len(first.generations) == 2 and first.complete
    again = run_abc(toy_settings(max_generations=3, minimum_epsilon=0.0, population_size=15), tmp_path, Toy())
    assert list(again.generations["generation"]) == [0, 1, 2]
    pd.testing.assert_frame_equal(again.generations.iloc[:2], first.generations)  # stored generations kept
    with pytest.raises(ScenarioError, match="population_size differs"):
        run_abc(toy_settings(population_size=16), tmp_path, Toy())


RESUME_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_abc import Toy, toy_settings
from magnetdiplomacy.inference.abc import run_abc
run_abc(toy_settings(max_generations=4, minimum_epsilon=0.0), Path({folder!r}), Toy(pause_s={pause}), workers=1)
"""


def _script(folder: Path, pause: float) -> list[str]:
    code = RESUME_SCRIPT.format(tests=str(Path(__file__).parent), folder=str(folder), pause=pause)
    return [sys.executable, "-c", code]


@pytest.mark.slow
def test_calibration_resumes_after_kill_9(tmp_path):
    """Killed mid-generation, the calibration continues from its last complete generation and
    ends with the same posterior as a run that was never interrupted (one process: reproducible)."""
    folder = tmp_path / "killed"
    process = subprocess.Popen(_script(folder, 0.03), start_new_session=True)
    deadline = time.monotonic() + 120
    meta = folder / "posterior.json"
    while time.monotonic() < deadline and not (meta.is_file() and json.loads(meta.read_text())["generations"] >= 2):
        assert process.poll() is None, "the calibration ended before it could be killed"
        time.sleep(0.05)
    time.sleep(0.3)  # into the next generation
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    stopped = json.loads(meta.read_text())
    assert stopped["complete"] is False and 2 <= stopped["generations"] < 4
    subprocess.run(_script(folder, 0.0), check=True, timeout=300)
    resumed = json.loads(meta.read_text())
    assert resumed["complete"] is True and resumed["generations"] == 4
    generations = pd.read_parquet(folder / "generations.parquet")
    assert list(generations["generation"]) == [0, 1, 2, 3]
    straight = tmp_path / "straight"
    subprocess.run(_script(straight, 0.0), check=True, timeout=300)
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder / "posterior.parquet"), pd.read_parquet(straight / "posterior.parquet")
    )


def test_morris_ranks_the_influential_parameter_first(tmp_path):
    from magnetdiplomacy.inference.screening import run_screening

    settings = toy_settings(screening_trajectories=8)
    table = run_screening(settings, tmp_path, Toy(), workers=1)
    assert table is not None
    total = table[table["output"] == "distance"].set_index("parameter")
    assert total.loc[KNOWN, "rank"] == 1
    assert total.loc[KNOWN, "mu_star"] > 10 * total.loc[NUISANCE, "mu_star"]
    assert set(table["output"]) == {"distance", "T1"}
    # evaluated points are kept: a rerun of the same design evaluates nothing new
    runs = pd.read_parquet(tmp_path / "screening_runs.parquet")
    assert len(runs) == 8 * 3  # trajectories x (parameters + 1)

    # screening.keep: ABC then fits only the most influential parameter, and a resume still
    # recognises the calibration by the priors it was configured with
    from magnetdiplomacy.inference.abc_config import check_resumable, record_settings
    from magnetdiplomacy.inference.screening import select_parameters

    kept = select_parameters(toy_settings(screening_trajectories=8, screening_keep=1), table)
    assert list(kept.priors) == [KNOWN] and kept.all_priors == settings.priors
    record_settings(tmp_path, kept)
    check_resumable(tmp_path, toy_settings(screening_trajectories=8, screening_keep=1))
    assert select_parameters(settings, table).priors == settings.priors  # keep 0: all of them

    def refuse(_values):
        raise AssertionError("a stored point was simulated again")

    again = run_screening(settings, tmp_path, refuse, workers=1)
    pd.testing.assert_frame_equal(again, table)


def test_pattern_distance_is_in_tolerance_units_and_informative_inside():
    """0 on target, 1 at the edge of the tolerance, as validate decides pass and fail."""
    from magnetdiplomacy.validation.patterns import Pattern
    from magnetdiplomacy.validation.runner import RunOutput

    def runs(values: list[float]) -> list[RunOutput]:
        dates = pd.date_range("2021-01-01", periods=12, freq="MS")
        return [
            RunOutput("replay", i, pd.DataFrame({"date": dates, "x": v}), pd.DataFrame()) for i, v in enumerate(values)
        ]

    def pattern(test: dict) -> Pattern:
        return Pattern.model_validate(
            {"id": "X", "description": "", "experiment": "replay", "basis": "earned",
             "metric": {"kind": "annual_mean", "column": "x"}, "years": [2021], "test": test}
        )  # fmt: skip

    within = pattern({"kind": "within", "observed": {2021: 1.0}, "tolerance": 0.2})
    assert pattern_distance(within, runs([1.0])) == pytest.approx(0.0)
    assert pattern_distance(within, runs([1.1])) == pytest.approx(0.5)
    assert pattern_distance(within, runs([0.6])) == pytest.approx(2.0)
    assert pattern_distance(within, runs([0.9, 1.1, 1.3])) == pytest.approx(0.5)  # the median across runs
    band = pattern({"kind": "range", "lo": 0.0, "hi": 1.0})
    assert pattern_distance(band, runs([0.5])) == pytest.approx(0.0)
    assert pattern_distance(band, runs([1.0])) == pytest.approx(1.0)
    floor = pattern({"kind": "at_least", "value": 1.0})  # one-sided: 1 at the bound, 0 a search scale inside
    assert pattern_distance(floor, runs([1.0])) == pytest.approx(1.0)
    assert pattern_distance(floor, runs([1.05])) == pytest.approx(0.5)
    assert pattern_distance(floor, runs([2.0])) == pytest.approx(0.0)
    assert pattern_distance(floor, runs([0.9])) == pytest.approx(2.0)


BAD_FILES = [
    ("population_size: 2\n", "population_size"),
    ("wobble: 1\n", "wobble: unknown key"),
    ("priors: {nonsense.name: [0, 1]}\n", "priors.nonsense.name: unknown parameter"),
    ("priors: {demand.shock_depth: [0.0, 0.9]}\n", "priors.demand.shock_depth: range [0, 0.9]"),
    ("priors: {demand.shock_depth: [0.2, 0.1]}\n", "priors.demand.shock_depth"),
    ("minimum_epsilon: -1\n", "minimum_epsilon"),
    ("epsilon_quantile: 1.5\n", "epsilon_quantile"),
    ("screening: {trajectories: -1}\n", "screening.trajectories"),
    ("screening: {trajectories: 0, keep: 3}\n", "screening.keep: needs screening.trajectories"),
    ("calibration: null\n", "priors: required"),
    ("patterns: nowhere.yaml\npriors: {demand.shock_depth: [0.1, 0.2]}\n", "no such patterns file"),
    ("seed: 1.5\n", "seed"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES, ids=[e for _, e in BAD_FILES])
def test_bad_abc_files_give_one_line_errors_and_write_nothing(tmp_path, text, expected):
    from typer.testing import CliRunner

    from magnetdiplomacy.cli import app

    config = tmp_path / "abc.yaml"
    config.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["calibrate", "--method", "abc", "--config", str(config), "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0], result.output
    assert str(config) in lines[0] and "Traceback" not in result.output
    assert not out.exists()


def test_bad_method_and_options_give_one_line_errors(tmp_path):
    from typer.testing import CliRunner

    from magnetdiplomacy.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    method = runner.invoke(app, ["calibrate", "--method", "mcmc", "--out", str(out)])
    assert method.exit_code == 2 and "--method mcmc: use search or abc" in method.output
    both = runner.invoke(
        app, ["calibrate", "--method", "abc", "--dask-local", "2", "--scheduler", "tcp://x:1", "--out", str(out)]
    )
    assert both.exit_code == 2 and "exclude each other" in both.output and len(both.output.strip().splitlines()) == 1
    assert not out.exists()
