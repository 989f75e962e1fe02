"""Commands that need no simulation stay light: ``--help``, ``scenarios`` and ``describe`` load no Mesa,
pandas, numpy, networkx, ... and none of the model's own machinery.

Each command runs in a fresh interpreter (this test process has long since imported everything).
The child records, for every heavy module it imports, the project line that imported it, so a
failure names the import to make lazy. No timings here: they are too noisy to test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = (
    "mesa", "pandas", "numpy", "scipy", "networkx", "matplotlib", "solara", "dask", "distributed", "SALib", "pyarrow",
    "magnetdiplomacy.model", "magnetdiplomacy.runs", "magnetdiplomacy.agents", "magnetdiplomacy.sweeps",
    "magnetdiplomacy.validation.runner", "magnetdiplomacy.validation.report", "magnetdiplomacy.validation.calibrate",
    "magnetdiplomacy.validation.metrics", "magnetdiplomacy.ui", "magnetdiplomacy.classroom",
)  # fmt: skip

# Runs the command line's main() as the console script would, then reports on stderr (after a marker)
# the heavy modules loaded and, for each, the innermost project line (file:line) of its first import.
CHILD = r"""
import json, sys, traceback

HEAVY = tuple(json.loads(sys.argv[1]))
culprits = {}

class Spy:
    def find_spec(self, name, path=None, target=None):
        for heavy in HEAVY:
            if (name == heavy or name.startswith(heavy + ".")) and heavy not in culprits:
                frames = [f for f in traceback.extract_stack()[:-1] if "magnetdiplomacy" in f.filename]
                culprits[heavy] = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        return None

sys.meta_path.insert(0, Spy())
sys.argv = ["magnetdiplomacy", *sys.argv[2:]]
from magnetdiplomacy.cli import main
code = 0
try:
    main()
except SystemExit as stop:
    code = stop.code or 0
loaded = [name for name in HEAVY if name in sys.modules]
sys.stdout.flush()
report = {"code": code, "loaded": loaded, "culprits": {k: culprits.get(k, "?") for k in loaded}}
print("\n@@light@@" + json.dumps(report), file=sys.stderr)
sys.exit(code)
"""


def run_cli(*args: str, heavy: tuple[str, ...] = HEAVY) -> tuple[int, str, str, dict]:
    env = {**os.environ, "COLUMNS": "200"}  # no wrapping in rich's tables
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(heavy), *args], capture_output=True, text=True, timeout=120, env=env
    )
    stderr, marker, report = proc.stderr.rpartition("\n@@light@@")
    assert marker, f"the child did not finish: exit {proc.returncode}\n{proc.stderr}"
    return proc.returncode, proc.stdout, stderr, json.loads(report)


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--help",), ["scenarios", "describe", "run", "sweep", "analyze", "validate", "calibrate"]),
        (("scenarios",), ["baseline", "no_history", "jslink_slips", "configs/scenarios/no_history.yaml"]),
        (("describe", "baseline"), ["baseline", "china.licence_grant_rate", "differs from the default"]),
        (("describe", "us_courts_malaysia", "--changed"), ["us.tariff_floor"]),
        (("describe", "baseline", "--grep", "tariff"), ["tariff"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else None,
)
def test_light_commands_import_nothing_heavy(args, expected):
    returncode, stdout, stderr, report = run_cli(*args)
    assert returncode == 0 and report["code"] == 0, stderr
    assert stderr == "", stderr
    for text in expected:
        assert text in stdout, f"{text!r} missing from the output of {' '.join(args)}"
    assert not report["loaded"], (
        f"{' '.join(args)} imported heavy modules (module: the project line that imported it): {report['culprits']}"
    )


def test_help_loads_no_scenario_code():
    returncode, stdout, _, report = run_cli(
        "--help", heavy=(*HEAVY, "pydantic", "yaml", "magnetdiplomacy.scenario", "magnetdiplomacy.parameters")
    )
    assert returncode == 0 and "Usage" in stdout
    assert not report["loaded"], report["culprits"]


def test_user_mistake_stays_one_line_on_stderr_and_light():
    returncode, stdout, stderr, report = run_cli("describe", "nonesuch")
    assert returncode == 2 and report["code"] == 2
    assert stdout == "" and stderr.startswith("error:") and "nonesuch" in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not report["loaded"], report["culprits"]


def test_package_names_load_lazily():
    code = (
        "import sys, magnetdiplomacy\n"
        "assert not [m for m in ('magnetdiplomacy.model', 'magnetdiplomacy.runs', 'mesa', 'pandas', 'numpy') if m in"
        " sys.modules], sys.modules.keys()\n"
        "from magnetdiplomacy import MagnetDiplomacyModel, RunResult, ScenarioError, list_scenarios, load_scenario,"
        " run, __version__\n"
        "from magnetdiplomacy.model import MagnetDiplomacyModel as M\n"
        "from magnetdiplomacy.validation import DEFAULT_PATTERNS, evaluate_all, load_patterns, loss, run_experiments\n"
        "assert MagnetDiplomacyModel is M and callable(run) and __version__ == magnetdiplomacy.__version__\n"
        "assert set(magnetdiplomacy.__all__) <= set(dir(magnetdiplomacy))\n"
        "try:\n    magnetdiplomacy.nonesuch\nexcept AttributeError:\n    pass\nelse:\n    raise AssertionError('no"
        " AttributeError')\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.parametrize(
    "text, first",
    [
        (
            "Counterfactual: nothing after 2019 is replayed; from January 2020 every state decides. More here.",
            "Counterfactual: nothing after 2019 is replayed; from January 2020 every state decides",
        ),
        (
            "JS Link's plant starts two years late (2029 instead of 2027).",
            "JS Link's plant starts two years late (2029 instead of 2027)",
        ),
        ("Folded\n  over lines, e.g. this one. Second sentence.", "Folded over lines, e.g. this one"),
        ("  ", ""),
    ],
)
def test_first_sentence(text, first):
    from magnetdiplomacy.cli import first_sentence

    assert first_sentence(text) == first
