"""The command line: the README commands, and one clear line with exit code 2 for every user mistake."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from magnetdiplomacy.cli import app
from magnetdiplomacy.model import CONTRACT_COLUMNS

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_run_writes_folder_with_contract_and_summary(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "configs/baseline.yaml", "--out", out, "--csv", "--end", "2030-12")
    assert result.exit_code == 0, result.output
    for year in ("2020", "2025", "2030"):
        assert year in result.output
    assert "alignment" in result.output and "run folder" in result.output
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(CONTRACT_COLUMNS) <= set(ts.columns) and len(ts) == 132
    assert {"tick", "actor", "target", "kind", "description"} <= set(pd.read_parquet(out / "events.parquet").columns)
    agents = pd.read_parquet(out / "agents.parquet")
    assert {"Buyer", "China", "Malaysia", "UnitedStates", "Lynas", "JSLink"} <= set(agents["agent_type"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"] == "baseline" and manifest["seed"] == 20200101
    assert manifest["version"] and manifest["git_commit"] and manifest["timings_s"]["simulate"] > 0
    assert (out / "timeseries.csv").exists() and (out / "events.csv").exists()
    assert "scorecard.csv" in manifest["files"] and "Malaysia's scorecard 2030" in result.output


def test_seed_set_and_quiet(tmp_path):
    out = tmp_path / "q"
    result = invoke(
        "run",
        "jslink_slips",
        "--seed",
        5,
        "--set",
        "china.licence_grant_rate=0.2",
        "--set",
        "buyers.count=50",
        "--quiet",
        "--out",
        out,
        "--end",
        "2027-06",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (
        manifest["seed"] == 5
        and manifest["parameters"]["china"]["licence_grant_rate"] == 0.2
        and manifest["buyers"] == 50
    )


def test_scenarios_and_describe():
    listing = invoke("scenarios")
    assert listing.exit_code == 0
    for name in (
        "baseline",
        "china_reescalates",
        "lynas_no_renewal",
        "malaysia_china_jv",
        "us_courts_malaysia",
        "jslink_slips",
    ):
        assert name in listing.output
    described = invoke("describe", "jslink_slips")
    assert described.exit_code == 0
    assert "jslink.start" in described.output and "C104" in described.output and "GAP" in described.output
    changed = invoke("describe", "us_courts_malaysia", "--changed")
    assert "us.tariff_floor" in changed.output and "demand.initial_t_yr" not in changed.output


BAD_FILES = {
    "malformed.yaml": ("run: [2020-01\nbuyers: {count: 3", "malformed YAML"),
    "unknown.yaml": ("china:\n  licence_grant_rat: 0.3\n", "china.licence_grant_rat"),
    "range.yaml": ("china:\n  licence_grant_rate: 1.5\n", "china.licence_grant_rate: 1.5 is out of range [0, 1]"),
    "type.yaml": ("buyers:\n  count: many\n", "buyers.count"),
    "month.yaml": ("run:\n  end: 2035-13\n", "run.end"),
    "order.yaml": ("run:\n  start: 2020-01\n  end: 2019-01\n", "before run.start"),
    "action.yaml": (
        "interventions:\n  - {date: 2027-01, action: invade}\n",
        "interventions[0]: unknown action 'invade'",
    ),
    "actionparams.yaml": (
        "interventions:\n  - {date: 2027-01, action: us_set_tariff, params: {rate: 7}}\n",
        "interventions[0]: action 'us_set_tariff': rate",
    ),
    "list.yaml": ("- just\n- a list\n", "must be a mapping"),
    "extends.yaml": ("extends: no_such_scenario\n", "no_such_scenario"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_one_line_and_exit_2(tmp_path, name):
    text, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "never"
    result = invoke("run", path, "--out", out)
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert message.startswith("error:") and len(message.splitlines()) == 1, message
    assert expected in message and (name in message or name == "extends.yaml")
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (("run", "does/not/exist.yaml"), "does/not/exist.yaml: no such scenario file"),
        (("run", "nonesuch"), "nonesuch: no scenario file or named scenario"),
        (("run", "baseline", "--set", "china.licence_grant_rate"), "expected key.path=value"),
        (("run", "baseline", "--set", "china.nope=1"), "china.nope: unknown key 'nope' under china"),
        (("run", "baseline", "--set", "china.licence_grant_rate=2"), "china.licence_grant_rate: 2 is out of range"),
        (("run", "baseline", "--set", "buyers.count=[1"), "is not valid YAML"),
        (("run", "baseline", "--end", "2019-05"), "before the scenario's start"),
        (("run", "baseline", "--end", "soon"), "--end soon"),
        (("describe", "nonesuch"), "nonesuch"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args, expected):
    out = tmp_path / "never"
    result = invoke(*args, *(("--out", out) if args[0] == "run" else ()))
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_existing_output_folder_is_refused(tmp_path):
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = invoke("run", "baseline", "--out", out, "--end", "2020-06")
    assert result.exit_code == 2 and "not empty" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


@pytest.mark.slow  # a fresh interpreter imports the whole package; the in-process tests above check the same messages
def test_real_process_exit_code_and_stderr(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("market:\n  ndpr_price_usd_kg: -3\n")
    proc = subprocess.run(
        [sys.executable, "-m", "magnetdiplomacy.cli", "run", str(bad), "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert "market.ndpr_price_usd_kg: -3 is out of range [30, 120] USD/kg" in proc.stderr
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x.*"))
