"""Sweeps: sweep files, designs, seeds, streamed results, resume, analysis and CLI errors.

Everything runs tiny designs on short horizons (2020-01 to 2020-12 or 2021-06, 20-30 buyers); the
runs go through the same worker code as a real sweep, in the test process (``--workers 0``)
unless a test is about worker processes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from magnetdiplomacy import load_scenario
from magnetdiplomacy.cli import app
from magnetdiplomacy.parameters import parameter_table
from magnetdiplomacy.runs import simulate
from magnetdiplomacy.sweeps import SweepError, analyze, load_sweep, read_scalars, read_series, run_sweep
from magnetdiplomacy.sweeps.designs import build_design, run_plan
from magnetdiplomacy.sweeps.storage import SweepStore
from magnetdiplomacy.sweeps.worker import compute_scalars, simulate_columns

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"

# Two parameters that move prices and demand from the first months on, so outcomes vary.
BASE = {
    "name": "tiny",
    "base": "baseline",
    "set": {"run.end": "2020-12", "buyers.count": 20},
    "seed": 11,
    "outcomes": {
        "series": ["malaysia_alignment", "price_ndpr_exchina_usd_kg"],
        "scalars": {
            "price_mean": {"column": "price_ndpr_exchina_usd_kg", "stat": "mean"},
            "demand_end": {"column": "magnet_demand_t", "stat": "last"},
            "pricey": {"column": "price_ndpr_exchina_usd_kg", "stat": "ever_above", "threshold": 49.5},
        },
    },
}
PARAMS = {"market.price_adjustment": {"range": [0.1, 0.9]}, "demand.growth_per_year": {}}


def sweep_dict(**changes) -> dict:
    data = json.loads(json.dumps(BASE))
    data["parameters"] = json.loads(json.dumps(PARAMS))
    data.update(changes)
    return data


def write(tmp_path: Path, data: dict, name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def frames(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_scalars(folder), read_series(folder)


def assert_same_results(a: Path, b: Path) -> None:
    sa, ta = frames(a)
    sb, tb = frames(b)
    pd.testing.assert_frame_equal(sa, sb)
    pd.testing.assert_frame_equal(ta, tb)


# ---- designs --------------------------------------------------------------------------------

DESIGNS = {
    # kind: (design, parameters, replications, expected runs)
    "factorial": (
        {"kind": "factorial"},
        {"market.price_adjustment": [0.1, 0.5], "demand.growth_per_year": {"levels": 3}},
        2,
        2 * 3 * 2,
    ),
    "lhs": ({"kind": "lhs", "samples": 5}, PARAMS, 2, 5 * 2),
    "sobol": ({"kind": "sobol", "samples": 4}, PARAMS, 1, 4 * (2 + 2)),
    "morris": ({"kind": "morris", "samples": 3, "levels": 4}, PARAMS, 1, 3 * (2 + 1)),
}


@pytest.mark.parametrize("kind", sorted(DESIGNS))
def test_each_design_finishes_with_the_right_number_of_unique_runs(tmp_path, kind):
    design, params, reps, expected = DESIGNS[kind]
    sweep = load_sweep(sweep_dict(design=design, parameters=params, replications=reps))
    assert sweep.n_runs == expected
    report = run_sweep(sweep, tmp_path / kind, workers=0)
    assert report.complete and report.done_now == expected and not report.errors
    scalars, series = frames(tmp_path / kind)
    assert len(scalars) == expected and scalars["run_id"].is_unique
    assert not scalars.duplicated(["point", "rep"]).any()
    assert sorted(scalars["run_id"]) == list(range(expected))
    assert len(series) == expected * 12 and not series.duplicated(["run_id", "tick"]).any()
    plan = pd.read_parquet(tmp_path / kind / "plan.parquet")
    pd.testing.assert_frame_equal(scalars[plan.columns], plan)
    for spec in sweep.params:
        assert scalars[spec.path].between(spec.lo, spec.hi).all()
    manifest = json.loads((tmp_path / kind / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["completed_runs"] == expected
    assert manifest["design"]["kind"] == kind and manifest["design"]["runs"] == expected
    assert manifest["version"] and manifest["git_commit"] and manifest["fingerprint"] == sweep.fingerprint()
    assert len(manifest["replication_seeds"]) == reps and manifest["sessions"][-1]["runs_done"] == expected


def test_factorial_values_and_declared_ranges():
    sweep = load_sweep(
        sweep_dict(
            design={"kind": "factorial", "levels": 2},
            parameters={"china.licence_grant_rate": None, "us.tariff_step": [0.0, 0.1, 0.3]},
        )
    )
    table = parameter_table()
    assert sweep.params[0].values == (table["china.licence_grant_rate"].lo, table["china.licence_grant_rate"].hi)
    X = build_design(sweep).X
    assert X.shape == (6, 2) and len({tuple(row) for row in X}) == 6


def test_seeds_derive_from_the_master_seed():
    common = run_plan(load_sweep(sweep_dict(design={"kind": "lhs", "samples": 4}, replications=3)))
    again = run_plan(load_sweep(sweep_dict(design={"kind": "lhs", "samples": 4}, replications=3)))
    pd.testing.assert_frame_equal(common, again)
    assert common.groupby("rep")["seed"].nunique().eq(1).all() and common["seed"].nunique() == 3
    independent = run_plan(
        load_sweep(sweep_dict(design={"kind": "lhs", "samples": 4}, replications=3, seeding="independent"))
    )
    assert independent["seed"].is_unique
    other = run_plan(load_sweep(sweep_dict(design={"kind": "lhs", "samples": 4}, replications=3, seed=12)))
    assert not np.allclose(other["market.price_adjustment"], common["market.price_adjustment"])
    assert set(other["seed"]).isdisjoint(common["seed"])
    assert (common["seed"] < 2**31).all() and (common["seed"] >= 0).all()


# ---- workers compute what the model computes ------------------------------------------------


def test_worker_records_the_same_columns_as_the_models_datacollector():
    scenario = load_scenario("baseline", {"run.end": "2021-06", "buyers.count": 30, "outputs.agent_table": False})
    columns = ("malaysia_alignment", "price_ndpr_exchina_usd_kg", "magnet_demand_t", "us_tariff_malaysia", "replaying")
    lean = simulate_columns(scenario, 5, columns)
    full = simulate(scenario, seed=5).model_df[list(columns)].to_numpy(dtype=float)
    np.testing.assert_array_equal(lean, full)


def test_sweep_results_equal_direct_model_runs(tmp_path):
    sweep = load_sweep(sweep_dict(design={"kind": "lhs", "samples": 3}, replications=2))
    run_sweep(sweep, tmp_path / "s", workers=0)
    scalars, series = frames(tmp_path / "s")
    row = scalars.iloc[3]
    scenario = load_scenario(
        "baseline",
        {
            **sweep.fixed,
            "market.price_adjustment": row["market.price_adjustment"],
            "demand.growth_per_year": row["demand.growth_per_year"],
        },
    )
    direct = simulate(scenario, seed=int(row["seed"])).model_df
    mine = series[series["run_id"] == row["run_id"]]
    np.testing.assert_array_equal(
        mine["price_ndpr_exchina_usd_kg"].to_numpy(), direct["price_ndpr_exchina_usd_kg"].to_numpy()
    )
    assert row["price_mean"] == pytest.approx(direct["price_ndpr_exchina_usd_kg"].mean(), rel=1e-12)
    assert row["demand_end"] == direct["magnet_demand_t"].iloc[-1]
    assert list(mine["date"].dt.strftime("%Y-%m")) == list(direct["date"].dt.strftime("%Y-%m"))


def test_scalar_statistics():
    from magnetdiplomacy.sweeps.spec import Scalar

    data = np.array([[0.1], [0.3], [-0.4], [0.2], [0.0]])
    specs = [
        Scalar("a", "x", "last", 0, 4),
        Scalar("b", "x", "mean", 1, 2),
        Scalar("c", "x", "max_abs", 0, 4),
        Scalar("d", "x", "at", 0, 4, at_tick=1),
        Scalar("e", "x", "frac_outside", 0, 4, band=(-0.25, 0.25)),
        Scalar("f", "x", "ever_above", 3, 4, threshold=0.25),
        Scalar("g", "x", "ever_below", 0, 4, threshold=-0.25),
        Scalar("h", "x", "sum", 0, 1),
        Scalar("i", "x", "min", 0, 4),
        Scalar("j", "x", "first", 2, 4),
    ]
    out = compute_scalars(data, ["x"], specs)
    np.testing.assert_allclose(out, [0.0, -0.05, 0.4, 0.3, 0.4, 0.0, 1.0, 0.4, -0.4, -0.4])


# ---- resume -----------------------------------------------------------------------------------


def test_limited_then_resumed_sweep_equals_an_uninterrupted_one(tmp_path):
    path = write(tmp_path, sweep_dict(design={"kind": "sobol", "samples": 4}, replications=2, batch=2))
    whole = invoke("sweep", path, "--workers", 0, "--out", tmp_path / "whole", "--quiet")
    assert whole.exit_code == 0, whole.output
    first = invoke("sweep", path, "--workers", 0, "--out", tmp_path / "parts", "--limit", 5)
    assert first.exit_code == 0, first.output
    assert "5 of 32 done" in first.output and "27 runs left" in first.output
    assert json.loads((tmp_path / "parts" / "manifest.json").read_text())["status"] == "incomplete"
    second = invoke("sweep", path, "--workers", 0, "--out", tmp_path / "parts")
    assert second.exit_code == 0, second.output
    assert "resuming: 5 done before" in " ".join(second.output.split()) and "27 runs" in second.output
    assert_same_results(tmp_path / "whole", tmp_path / "parts")
    manifest = json.loads((tmp_path / "parts" / "manifest.json").read_text())
    assert [s["runs_done"] for s in manifest["sessions"]] == [5, 27] and manifest["status"] == "complete"
    third = invoke("sweep", path, "--workers", 0, "--out", tmp_path / "parts")
    assert third.exit_code == 0 and "already done" in third.output


def test_torn_and_orphaned_parts_are_never_read_as_complete(tmp_path):
    sweep = load_sweep(sweep_dict(design={"kind": "lhs", "samples": 6}))
    run_sweep(sweep, tmp_path / "whole", workers=0)
    run_sweep(sweep, tmp_path / "cut", workers=0, limit=2, flush_runs=1)
    cut = tmp_path / "cut"
    # a half-written part left by a killed writer, and a series part whose scalars part never landed
    (cut / "scalars" / ".tmp-part-000009.parquet.x1").write_bytes(b"PAR1 half a file")
    shutil.copy(cut / "series" / "part-000001.parquet", cut / "series" / "part-000007.parquet")
    assert len(read_scalars(cut)) == 2 and read_series(cut)["run_id"].nunique() == 2
    report = run_sweep(sweep, cut, workers=0)
    assert report.done_before == 2 and report.done_now == 4
    assert not (cut / "series" / "part-000007.parquet").exists()
    assert not list((cut / "scalars").glob(".tmp-*"))
    assert_same_results(tmp_path / "whole", cut)


def test_a_corrupt_committed_part_is_set_aside_and_its_runs_redone(tmp_path):
    sweep = load_sweep(sweep_dict(design={"kind": "lhs", "samples": 4}))
    run_sweep(sweep, tmp_path / "whole", workers=0)
    run_sweep(sweep, tmp_path / "bad", workers=0, flush_runs=2)
    part = tmp_path / "bad" / "scalars" / "part-000001.parquet"
    part.write_bytes(b"not parquet at all")
    report = run_sweep(sweep, tmp_path / "bad", workers=0)
    assert report.done_now == 2 and report.complete
    assert (tmp_path / "bad" / "scalars" / ".corrupt-part-000001.parquet").exists()
    assert_same_results(tmp_path / "whole", tmp_path / "bad")


def test_one_writer_per_folder(tmp_path):
    sweep = load_sweep(sweep_dict(design={"kind": "lhs", "samples": 2}))
    run_sweep(sweep, tmp_path / "s", workers=0)
    with SweepStore(tmp_path / "s").lock():
        with pytest.raises(SweepError, match="another sweep process"):
            run_sweep(sweep, tmp_path / "s", workers=0)


def test_a_folder_holding_another_sweep_is_refused(tmp_path):
    run_sweep(load_sweep(sweep_dict(design={"kind": "lhs", "samples": 2})), tmp_path / "s", workers=0)
    path = write(tmp_path, sweep_dict(design={"kind": "lhs", "samples": 3}))
    result = invoke("sweep", path, "--workers", 0, "--out", tmp_path / "s")
    assert result.exit_code == 2 and "holds a different sweep" in result.output
    assert len(read_scalars(tmp_path / "s")) == 2


# ---- analysis ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, design, columns",
    [
        pytest.param(
            "sobol", {"kind": "sobol", "samples": 16}, ["S1", "S1_conf", "ST", "ST_conf"], marks=pytest.mark.slow
        ),  # 64 runs
        ("morris", {"kind": "morris", "samples": 6, "levels": 4}, ["mu", "mu_star", "sigma", "mu_star_conf"]),
    ],
)
def test_analyze_writes_indices_and_plots(tmp_path, kind, design, columns):
    path = write(tmp_path, sweep_dict(design=design))
    assert invoke("sweep", path, "--workers", 0, "--out", tmp_path / kind, "--quiet").exit_code == 0
    result = invoke("analyze", tmp_path / kind)
    assert result.exit_code == 0, result.output
    out = tmp_path / kind / "analysis"
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["outcome"]) == {"price_mean", "demand_end", "pricey"}
    assert set(indices["parameter"]) == {"market.price_adjustment", "demand.growth_per_year"}
    assert set(columns) <= set(indices.columns)
    varied = indices[indices["outcome"] == "demand_end"].set_index("parameter")
    assert np.isfinite(varied[columns].to_numpy()).all()
    if kind == "sobol":
        assert varied.loc["demand.growth_per_year", "ST"] > varied.loc["market.price_adjustment", "ST"]
    else:
        assert varied.loc["demand.growth_per_year", "mu_star"] > varied.loc["market.price_adjustment", "mu_star"]
    for name in (
        "distributions.png",
        "scatter_price_mean.png",
        "indices_demand_end.png",
        "fan_malaysia_alignment.png",
        "fan_price_ndpr_exchina_usd_kg.png",
    ):
        assert (out / name).read_bytes()[:8] == PNG, name
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["outcome"]) == ["price_mean", "demand_end", "pricey"]
    assert (out / "report.md").read_text().startswith("# Sweep `tiny`")
    assert (out / "conditions_pricey.csv").exists() and (out / "indices_price_mean.csv").exists()
    assert "ranked by" in result.output


@pytest.mark.parametrize(
    "design, method, column",
    [({"kind": "lhs", "samples": 30}, "rbd_fast", "S1"), ({"kind": "factorial"}, "main_effects", "eta2")],
)
def test_analyze_lhs_and_factorial(tmp_path, design, method, column):
    params = (
        PARAMS
        if design["kind"] == "lhs"
        else {"market.price_adjustment": [0.1, 0.8], "demand.growth_per_year": [0.0, 0.07, 0.15]}
    )
    sweep = load_sweep(sweep_dict(design=design, parameters=params, replications=2))
    run_sweep(sweep, tmp_path / "s", workers=0)
    result = analyze(tmp_path / "s", plots=False)
    assert result.method == method
    demand = result.indices[result.indices["outcome"] == "demand_end"].set_index("parameter")
    assert demand.loc["demand.growth_per_year", column] > demand.loc["market.price_adjustment", column]
    assert demand.loc["demand.growth_per_year", "spearman"] > 0.8
    assert (result.out / "indices.csv").exists() and not (result.out / "fan_malaysia_alignment.png").exists()


def test_analyze_refuses_incomplete_and_foreign_folders(tmp_path):
    sweep = load_sweep(sweep_dict(design={"kind": "lhs", "samples": 4}))
    run_sweep(sweep, tmp_path / "half", workers=0, limit=1)
    result = invoke("analyze", tmp_path / "half")
    assert result.exit_code == 2 and "sweep incomplete (1 of 4 runs)" in result.output
    assert len(result.output.strip().splitlines()) == 1
    (tmp_path / "other").mkdir()
    result = invoke("analyze", tmp_path / "other")
    assert result.exit_code == 2 and "not a sweep folder" in result.output
    result = invoke("analyze", tmp_path / "missing")
    assert result.exit_code == 2 and "no such sweep folder" in result.output


# ---- malformed sweep files and options: one line naming the key, exit code 2 ---------------------

GOOD = (
    "name: bad\nbase: baseline\nset: {run.end: 2020-06, buyers.count: 20}\n"
    "parameters:\n  china.licence_grant_rate: {}\ndesign: {kind: lhs, samples: 4}\n"
)
BAD_SWEEPS = {
    "yaml": ("parameters: [oops\n", "malformed YAML"),
    "list": ("- a\n- b\n", "must be a mapping"),
    "empty": ("", "empty"),
    "topkey": (GOOD + "replicatoins: 3\n", "replicatoins: unknown key"),
    "unknown_param": (
        GOOD.replace("china.licence_grant_rate", "china.licence_grant_rat"),
        "parameters.china.licence_grant_rat: unknown parameter",
    ),
    "range": (
        GOOD.replace("{}", "{range: [0.1, 1.5]}"),
        "parameters.china.licence_grant_rate.range[1]: 1.5 is out of the declared range [0, 1]",
    ),
    "range_order": (
        GOOD.replace("{}", "{range: [0.8, 0.2]}"),
        "parameters.china.licence_grant_rate.range: low end 0.8 must be below",
    ),
    "values": (
        GOOD.replace("{}", "[0.2, 7]").replace("kind: lhs, samples: 4", "kind: factorial"),
        "parameters.china.licence_grant_rate.values: 7 is out of the declared range",
    ),
    "values_lhs": (
        GOOD.replace("{}", "[0.2, 0.4]"),
        "parameters.china.licence_grant_rate.values: explicit values need design kind factorial",
    ),
    "not_sweep": (
        GOOD.replace("china.licence_grant_rate: {}", "buyers.count: {}"),
        "parameters.buyers.count: not a sweep dimension",
    ),
    "kind": (GOOD.replace("kind: lhs", "kind: montecarlo"), "design.kind"),
    "samples": (GOOD.replace("kind: lhs, samples: 4", "kind: lhs"), "design.samples: required for lhs designs"),
    "sobol_pow2": (
        GOOD.replace("kind: lhs, samples: 4", "kind: sobol, samples: 10"),
        "design.samples: 10 is not a power of 2",
    ),
    "negative_reps": (GOOD + "replications: 0\n", "replications: Input should be greater than or equal to 1"),
    "base": (GOOD.replace("base: baseline", "base: nowhere"), "base: nowhere: no scenario file or named scenario"),
    "set_key": (GOOD.replace("buyers.count: 20", "buyers.cont: 20"), "set.buyers.cont: unknown parameter"),
    "set_value": (
        GOOD.replace("buyers.count: 20", "china.truce_grant_rate: 3"),
        "set.china.truce_grant_rate: 3 is out of range",
    ),
    "set_seed": (
        GOOD.replace("buyers.count: 20", "run.seed: 4"),
        "set.run.seed: runs take their seeds from the sweep's seed",
    ),
    "both": (
        GOOD.replace("buyers.count: 20", "china.licence_grant_rate: 0.3"),
        "parameters.china.licence_grant_rate: also fixed under set",
    ),
    "series": (
        GOOD + "outcomes: {series: [malaysia_alignmen]}\n",
        "outcomes.series[0]: unknown model column 'malaysia_alignmen'",
    ),
    "scalar_col": (
        GOOD + "outcomes: {scalars: {x: {column: nope}}}\n",
        "outcomes.scalars.x.column: unknown model column 'nope'",
    ),
    "scalar_stat": (
        GOOD + "outcomes: {scalars: {x: {column: malaysia_alignment, stat: median}}}\n",
        "outcomes.scalars.x.stat",
    ),
    "scalar_window": (
        GOOD + "outcomes: {scalars: {x: {column: malaysia_alignment, stat: mean, from: 2030-01}}}\n",
        "outcomes.scalars.x.from: 2030-01 is outside the runs (2020-01 to 2020-06)",
    ),
    "scalar_band": (
        GOOD + "outcomes: {scalars: {x: {column: malaysia_alignment, stat: ever_outside}}}\n",
        "outcomes.scalars.x.band: stat 'ever_outside' needs a band",
    ),
    "scalar_name": (
        GOOD + "outcomes: {scalars: {seed: {column: malaysia_alignment}}}\n",
        "outcomes.scalars.seed: name is reserved",
    ),
    "seeding": (GOOD + "seeding: random\n", "seeding"),
}


@pytest.mark.parametrize("name", sorted(BAD_SWEEPS))
def test_malformed_sweep_files_give_one_line_naming_the_key_and_exit_2(tmp_path, name):
    text, expected = BAD_SWEEPS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    out = tmp_path / "never"
    result = invoke("sweep", path, "--workers", 0, "--out", out)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert result.output.startswith("error:") and len(result.output.strip().splitlines()) <= 2, result.output
    assert expected in message and str(path.name) in message, message
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--workers", -1), "--workers -1: must be 0 or more"),
        (("--dask-local", 0), "--dask-local 0: must be 1 or more"),
        (("--dask-local", 2, "--scheduler", "tcp://127.0.0.1:8786"), "exclude each other"),
        (("--dask-local", 2, "--workers", 2), "--workers is for local processes"),
        (("--batch", 0), "--batch 0: must be 1 or more"),
    ],
)
def test_bad_sweep_options_exit_2(tmp_path, args, expected):
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD)
    result = invoke("sweep", path, "--out", tmp_path / "never", *args)
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()) and not (tmp_path / "never").exists()


def test_missing_sweep_file_and_non_sweep_folder(tmp_path):
    result = invoke("sweep", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "no such sweep file" in result.output
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep")
    result = invoke("sweep", path, "--workers", 0, "--out", tmp_path / "busy")
    assert result.exit_code == 2 and "is not a sweep folder" in result.output
    assert sorted(p.name for p in (tmp_path / "busy").iterdir()) == ["mine.txt"]


def test_example_sweep_files_are_valid():
    folder = Path(__file__).resolve().parents[1] / "configs" / "sweeps"
    files = sorted(folder.glob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        sweep = load_sweep(path)
        assert sweep.name == path.stem and sweep.n_runs >= 100 and sweep.description


def test_the_sweep_files_in_the_docs_are_valid():
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "sweeps.md").read_text()
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    assert len(blocks) >= 2
    full = load_sweep(blocks[0])
    assert full.design.kind == "sobol" and full.n_runs == 64 * (3 + 2) * 2
    factorial = load_sweep({"name": "f", **blocks[1]})
    assert factorial.n_points == 36
