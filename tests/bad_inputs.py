"""Running a command on a bad input, the way a careless or hostile user would, and what must hold.

Shared by the corpus tests (``tests/test_bad_inputs_*.py``): every case runs the installed command
line in a fresh process, in its own temporary working folder, and must end with exit code 2, exactly
one line on stderr that names the file, key or value at fault, no traceback, and nothing written
(no run or sweep folder, no staging folder, no output file).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BadInput:
    """One bad input: the command's arguments, files to write first, and words the error must name."""

    id: str
    args: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)  # relative path -> content
    names: tuple[str, ...] = ()  # each must appear in the error line (case-insensitive)
    code: int = 2


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    written: list[str]  # files or folders created by the command (besides the case's own files)


def run_case(case: BadInput, folder: Path, timeout: float = 120.0) -> Outcome:
    """Write the case's files in ``folder`` and run ``magnetdiplomacy <args>`` there."""
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    before = {p for p in folder.rglob("*")}
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "magnetdiplomacy.cli", *case.args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p not in before)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, written)


def check(case: BadInput, outcome: Outcome) -> None:
    """The contract for a bad input (assertions with the case's id in every message)."""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert "Traceback" not in outcome.stderr + outcome.stdout, f"{case.id}: traceback\n{outcome.stderr[-2000:]}"
    assert outcome.code == case.code, f"{case.id}: exit {outcome.code}, stderr: {outcome.stderr[-600:]}"
    assert len(lines) == 1, f"{case.id}: {len(lines)} lines on stderr:\n{outcome.stderr[-1500:]}"
    for name in case.names:
        assert name.lower() in lines[0].lower(), f"{case.id}: error does not name {name!r}: {lines[0]}"
    assert not outcome.written, f"{case.id}: wrote {outcome.written[:5]}"
