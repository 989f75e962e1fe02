"""Sweeps across processes: kill -9 and Ctrl-C then resume, and identical results on every executor.

The sweeps here are small (40-60 runs of 36 months with 30 buyers); the interrupted ones run the
real command in a child process, which is killed as soon as its first part is on disk. Each test
that runs the sweep takes tens of seconds on two cores and is marked ``slow``; the unreachable
scheduler's error stays in the quick suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from magnetdiplomacy.cli import app
from magnetdiplomacy.sweeps import load_sweep, read_scalars, read_series, run_sweep

runner = CliRunner()

SWEEP = {
    "name": "procs",
    "base": "baseline",
    "set": {"run.end": "2022-12", "buyers.count": 30},
    "parameters": {
        "china.licence_grant_rate": {},
        "market.price_adjustment": {"range": [0.1, 0.9]},
        "buyers.cost_sensitivity": {"range": [2, 30]},
    },
    "design": {"kind": "lhs", "samples": 30},
    "replications": 2,
    "seed": 99,
    "outcomes": {
        "series": ["malaysia_alignment", "malaysia_magnet_share_nonchina"],
        "scalars": {
            "price_2022": {"column": "price_ndpr_exchina_usd_kg", "stat": "mean", "from": "2022-01"},
            "alignment_end": {"column": "malaysia_alignment", "stat": "last"},
        },
    },
}


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweeps") / "procs.yaml"
    path.write_text(yaml.safe_dump(SWEEP, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def reference(sweep_file, tmp_path_factory) -> Path:
    """The uninterrupted sweep, run in the test process."""
    folder = tmp_path_factory.mktemp("ref") / "whole"
    report = run_sweep(load_sweep(sweep_file), folder, workers=0)
    assert report.complete and report.done_now == 60
    return folder


def assert_same_results(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(read_scalars(a), read_scalars(b))
    pd.testing.assert_frame_equal(read_series(a), read_series(b))


def children_of(pid: int) -> set[int]:
    """All descendants of ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def start_and_interrupt(sweep_file: Path, out: Path, sig: int) -> tuple[subprocess.Popen, set[int], str]:
    """Start the sweep command with 2 workers; send ``sig`` once its first part is committed."""
    command = [
        sys.executable,
        "-m",
        "magnetdiplomacy.cli",
        "sweep",
        str(sweep_file),
        "--workers",
        "2",
        "--batch",
        "1",
        "--flush",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    log = out.parent / f"{out.name}.stderr"
    with open(log, "w") as stderr_file:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr_file, text=True)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        workers |= children_of(proc.pid)
        if (out / "scalars").is_dir() and any(p.name.startswith("part-") for p in (out / "scalars").iterdir()):
            workers |= children_of(proc.pid)
            proc.send_signal(sig)
            break
        time.sleep(0.01)
    else:
        proc.kill()
        pytest.fail("the sweep wrote no part within 120 s")
    proc.wait(timeout=60)
    return proc, workers, log.read_text()


@pytest.mark.slow
def test_sweep_killed_mid_way_resumes_to_the_uninterrupted_result(sweep_file, reference, tmp_path):
    out = tmp_path / "killed"
    proc, workers, _ = start_and_interrupt(sweep_file, out, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    done = len(read_scalars(out))
    assert 0 < done < 60, done  # killed mid-way, with some runs on disk
    assert workers, "the sweep had worker processes"
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "worker processes outlived their killed driver"
    result = runner.invoke(app, ["sweep", str(sweep_file), "--workers", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"resuming: {done} done before" in " ".join(result.output.split())
    assert_same_results(reference, out)
    assert read_scalars(out)["run_id"].is_unique and len(read_scalars(out)) == 60


@pytest.mark.slow
def test_ctrl_c_saves_finished_runs_and_the_rerun_completes(sweep_file, reference, tmp_path):
    out = tmp_path / "ctrlc"
    proc, _, stderr = start_and_interrupt(sweep_file, out, signal.SIGINT)
    assert proc.returncode == 130, stderr
    assert "interrupted:" in stderr and "rerun the same command to resume" in stderr and "Traceback" not in stderr
    done = len(read_scalars(out))
    assert 0 < done < 60
    manifest = pd.read_json(out / "manifest.json", typ="series")
    assert manifest["status"] == "incomplete" and manifest["sessions"][-1]["status"] == "interrupted"
    assert manifest["sessions"][-1]["runs_done"] == done
    report = run_sweep(load_sweep(sweep_file), out, workers=1)
    assert report.done_before == done and report.complete
    assert_same_results(reference, out)


@pytest.mark.slow
def test_dask_localcluster_and_local_processes_give_identical_results(sweep_file, reference, tmp_path):
    local = runner.invoke(
        app, ["sweep", str(sweep_file), "--workers", "2", "--out", str(tmp_path / "local"), "--quiet"]
    )
    assert local.exit_code == 0, local.output
    dask = runner.invoke(
        app, ["sweep", str(sweep_file), "--dask-local", "2", "--batch", "4", "--out", str(tmp_path / "dask")]
    )
    assert dask.exit_code == 0, dask.output
    assert "Dask LocalCluster of 2 worker processes" in " ".join(dask.output.split())
    assert_same_results(tmp_path / "local", tmp_path / "dask")
    assert_same_results(reference, tmp_path / "local")
    manifest = pd.read_json(tmp_path / "dask" / "manifest.json", typ="series")
    assert manifest["sessions"][-1]["executor"] == "dask" and manifest["sessions"][-1]["peak_rss_mib"]["workers"] == 2


@pytest.mark.slow
def test_existing_dask_cluster_by_scheduler_address(sweep_file, reference, tmp_path):
    """--scheduler tcp://HOST:PORT: here a one-worker cluster on the loopback interface."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        result = runner.invoke(
            app, ["sweep", str(sweep_file), "--scheduler", address, "--limit", "12", "--out", str(tmp_path / "remote")]
        )
        assert result.exit_code == 0, result.output
    assert f"Dask cluster at {address} (1 worker thread)" in " ".join(result.output.split())
    mine = read_scalars(tmp_path / "remote")
    assert len(mine) == 12
    pd.testing.assert_frame_equal(mine, read_scalars(reference).iloc[:12])


def test_unreachable_dask_scheduler_is_one_line_exit_2(sweep_file, tmp_path):
    import socket

    with socket.socket() as sock:  # a free local port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from magnetdiplomacy.sweeps import executors

    original = executors.DaskExecutor.__init__

    def quick(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "connect_timeout": 2.0})

    executors.DaskExecutor.__init__ = quick
    try:
        result = runner.invoke(
            app, ["sweep", str(sweep_file), "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "x")]
        )
    finally:
        executors.DaskExecutor.__init__ = original
    assert result.exit_code == 2, result.output
    assert f"--scheduler tcp://127.0.0.1:{port}: cannot connect" in " ".join(result.output.split())
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_a_lost_worker_is_replaced_and_its_batches_rerun(sweep_file, reference, tmp_path):
    """kill -9 of one worker process mid-sweep: the pool is rebuilt and nothing is lost."""
    from magnetdiplomacy.sweeps.executors import LocalExecutor

    class Killing(LocalExecutor):
        killed = False

        def imap_unordered(self, tasks):
            for result in super().imap_unordered(tasks):
                if not self.killed and self.pool is not None:
                    victim = next(iter(self.pool._processes.values()))
                    os.kill(victim.pid, signal.SIGKILL)
                    Killing.killed = True
                yield result

    executor = Killing(2)
    report = run_sweep(load_sweep(sweep_file), tmp_path / "lost", executor=executor, batch=3)
    assert Killing.killed and executor.restarts >= 1
    assert report.complete and not report.errors
    assert_same_results(reference, tmp_path / "lost")
