"""What ``run`` guarantees beyond refusing bad input (tests/test_bad_inputs_run.py does that):

- a run killed with ``kill -9`` while it writes leaves its hidden staging folder, and the next run
  beside it removes it before simulating; SIGTERM while writing removes it at once;
- the model's invariants are checked every month of every run: a broken one ends the command with
  exit code 1 and one line naming it, and nothing is written;
- every command works from any working folder: scenario names resolve against the project's
  configs, and the default run folder is ``runs/`` in the working folder;
- files in UTF-16 or UTF-32 with a byte-order mark are read; names the actions accept are the ones
  the model knows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from magnetdiplomacy.cli import app
from magnetdiplomacy.parameters.inputs import HOST, ScenarioError, check_output_folder, remove_stale_staging
from magnetdiplomacy.scenario import load_scenario, prepare

runner = CliRunner()
ENV = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}

# Runs the command line with writing paused after the first table: prints WRITING, then sleeps.
PAUSED_WRITE = r"""
import sys, time
import pandas as pd
original = pd.DataFrame.to_parquet
def paused(self, path, *args, **kwargs):
    original(self, path, *args, **kwargs)
    print("WRITING", flush=True)
    time.sleep(120)
pd.DataFrame.to_parquet = paused
sys.argv = ["magnetdiplomacy", *sys.argv[1:]]
from magnetdiplomacy.cli import main
main()
"""


def staging_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name)


def start_paused_run(cwd: Path, out: str) -> subprocess.Popen:
    """A ``run`` that stops in the middle of writing its folder (returns once it is there)."""
    args = [sys.executable, "-c", PAUSED_WRITE, "run", "baseline", "--end", "2020-06", "--quiet", "--out", out]
    proc = subprocess.Popen(args, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "WRITING", proc.stderr.read() if proc.stderr else line
    return proc


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "magnetdiplomacy.cli", *args], cwd=cwd, env=ENV, capture_output=True, text=True
    )


def test_kill_9_while_writing_leaves_no_staging_folder_after_the_next_start(tmp_path):
    runs = tmp_path / "runs"
    proc = start_paused_run(tmp_path, "runs/first")
    left = staging_folders(runs)
    assert len(left) == 1 and left[0].startswith(".first.staging-")  # the half-written folder
    proc.kill()  # SIGKILL: no Python code runs
    proc.wait(timeout=30)
    assert staging_folders(runs) == left and not (runs / "first").exists()
    done = cli("run", "baseline", "--end", "2020-02", "--quiet", "--out", "runs/second", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert staging_folders(runs) == [] and sorted(p.name for p in runs.iterdir()) == ["second"]


def test_sigterm_while_writing_removes_the_staging_folder(tmp_path):
    proc = start_paused_run(tmp_path, "out")
    assert staging_folders(tmp_path)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert staging_folders(tmp_path) == [] and not (tmp_path / "out").exists()


def test_a_live_process_keeps_its_staging_folder(tmp_path):
    """Only folders of this machine's processes that are gone, or very old ones, are removed."""
    live = tmp_path / f".run.staging-{os.getppid()}-{HOST}-abcdef"  # a process that runs (pytest's parent)
    dead = tmp_path / f".run.staging-999999999-{HOST}-abcdef"
    elsewhere = tmp_path / ".run.staging-999999999-00000000-abcdef"  # another machine's: its pid says nothing here
    other = tmp_path / ".run.tmp123"
    for folder in (live, dead, elsewhere, other):
        folder.mkdir()
    assert remove_stale_staging(tmp_path) == [dead]
    os.utime(live, (time.time() - 7 * 3600,) * 2)
    assert remove_stale_staging(tmp_path) == [live] and elsewhere.exists() and other.exists()


def test_a_broken_invariant_ends_the_run_with_exit_1_naming_it(tmp_path, monkeypatch):
    from magnetdiplomacy.model import MagnetDiplomacyModel

    real = MagnetDiplomacyModel.check_invariants

    def broken(self, tolerance=1e-6):
        return ["price ndpr_china = nan", "mass balance off by 3 t"] if self.tick >= 3 else real(self, tolerance)

    monkeypatch.setattr(MagnetDiplomacyModel, "check_invariants", broken)
    out = tmp_path / "never"
    result = runner.invoke(app, ["run", "baseline", "--end", "2020-12", "--quiet", "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "invariant broken: price ndpr_china = nan (and 1 more)" in lines[0] and "2020-03" in lines[0]
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_broken_invariant_ends_compare_with_exit_1(tmp_path, monkeypatch):
    from magnetdiplomacy.model import MagnetDiplomacyModel

    monkeypatch.setattr(MagnetDiplomacyModel, "check_invariants", lambda self, tolerance=1e-6: ["alignment 1.5"])
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "us_pressure", "--seeds", "2", "--workers", "0", "--end", "2020-06"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 1 and "invariant broken: alignment 1.5" in result.output, result.output
    assert not out.exists()


def test_the_invariants_are_checked_every_month(monkeypatch):
    from magnetdiplomacy.model import MagnetDiplomacyModel
    from magnetdiplomacy.runs import simulate

    months = []
    real = MagnetDiplomacyModel.check_invariants

    def counting(self, tolerance=1e-6):
        months.append(self.tick)
        return real(self, tolerance)

    monkeypatch.setattr(MagnetDiplomacyModel, "check_invariants", counting)
    simulate(prepare("baseline", end="2020-12", overrides=["buyers.count=20"]))
    assert months == list(range(1, 13))


def test_run_and_describe_work_from_any_folder(tmp_path):
    """Named scenarios come from the project's configs; the run folder goes to ./runs."""
    (tmp_path / "mine.yaml").write_text("extends: baseline\nchina:\n  licence_grant_rate: 0.4\n")
    done = cli("run", "mine.yaml", "--end", "2020-02", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / done.stdout.strip()
    assert folder.parent == tmp_path / "runs" and folder.name.startswith("mine_")  # named after the file
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenario"] == "mine" and manifest["parameters"]["china"]["licence_grant_rate"] == 0.4
    described = cli("describe", "us_pressure", "--grep", "tariff", cwd=tmp_path)
    assert described.returncode == 0 and "us_pressure" in described.stdout, described.stderr
    listed = cli("scenarios", cwd=tmp_path)
    assert listed.returncode == 0 and "configs/scenarios/no_history.yaml" in listed.stdout


def test_describe_works_from_a_deleted_folder(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import os, sys; os.rmdir(sys.argv[1]); from magnetdiplomacy.cli import main; "
         "sys.argv = ['magnetdiplomacy', 'describe', 'baseline', '--grep', 'seed']; main()", str(gone)],
        cwd=gone, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "run.seed" in stdout, stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_files_with_a_byte_order_mark_are_read(tmp_path, encoding):
    path = tmp_path / "marked.yaml"
    path.write_bytes("name: marked\nextends: baseline\nchina:\n  licence_grant_rate: 0.45\n".encode(encoding))
    assert load_scenario(path).china.licence_grant_rate == 0.45


def test_end_leaves_out_the_interventions_after_it():
    """``--end`` shortens a run: interventions after it never fire, so they are left out (and a
    scenario's own run.end, or --set run.end, may not leave one out)."""
    assert [i.date for i in prepare("china_reescalates").interventions] == ["2026-11", "2027-05"]
    assert [i.date for i in prepare("china_reescalates", end="2027-01").interventions] == ["2026-11"]
    with pytest.raises(ScenarioError, match=r"interventions\[1\]: date 2027-05 is outside the run"):
        prepare("china_reescalates", overrides=["run.end=2027-01"])


def test_output_folder_checks_create_nothing(tmp_path):
    (tmp_path / "file").write_text("x")
    for bad in ("file", "file/sub", "/proc/x", "/dev/null", ".", ""):
        with pytest.raises(ScenarioError):
            check_output_folder(Path(bad) if bad.startswith("/") else tmp_path / bad if bad else Path(bad))
    fresh = tmp_path / "a" / "b" / "c"
    assert check_output_folder(fresh) == fresh and not (tmp_path / "a").exists()


def test_the_names_actions_accept_are_the_models_own():
    from magnetdiplomacy.interventions.registry import DESTINATIONS, FLOOR_BENEFICIARY
    from magnetdiplomacy.mechanisms.trade import MAKER_DESTINATION
    from magnetdiplomacy.world import build_chain

    assert set(MAKER_DESTINATION.values()) <= set(DESTINATIONS)
    plants = build_chain(load_scenario("baseline"))
    assert set(FLOOR_BENEFICIARY) <= set(plants.plants)


def test_every_replayed_event_passes_the_action_checks():
    """The replay's actions go through the same checks as a scenario's (names, months, numbers)."""
    from magnetdiplomacy import history
    from magnetdiplomacy.interventions import validate_action

    actions = history.schedule("2009-01", "2030-12") + history.opening_actions("2020-01")
    assert actions
    for item in actions:
        validate_action(item.name, dict(item.params))
