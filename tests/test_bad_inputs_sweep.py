"""Bad inputs to ``sweep``, ``analyze`` and ``validate``, the way a careless or hostile user would give
them: each is refused before any work starts with one line on stderr that names the file, key or
value at fault, exit code 2, no traceback, and nothing written (see tests/bad_inputs.py).

Sweep files that are not UTF-8, binary, empty, nested too deeply or with duplicate keys; NaN,
infinity and true/false in ranges, values, levels, sample counts, replications and seeds; ranges
turned upside down; unknown parameters; sweep names that would escape ``runs/`` (``.``, ``..``,
separators); designs too large to plan; output folders in /proc, /sys, /dev, on a file or under
one; hand-edited manifests (bad JSON, wrong types, missing keys, a design that no longer matches)
and deleted or damaged ``design.parquet`` and ``plan.parquet`` when resuming or analysing;
``analyze`` on folders that are not sweeps; bad patterns files and options of ``validate``, which
runs here outside the project's folder (as every case does: each runs in its own temporary folder).

The cases run in parallel (one fresh process each), in a fixture shared by the parametrised test.
Cases about an existing sweep folder start from a copy of one tiny finished sweep, edited first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bad_inputs import BadInput, Outcome, check, run_case

F = "w.yaml"  # the sweep file of a case
SW = "sw"  # a copy of a finished tiny sweep (cases that need one)
P = "p.yaml"  # a patterns file
RUN = ("--workers", "0", "--out", "o")  # in the driver, into ./o, should a case ever be accepted
PARAM = "  china.licence_grant_rate: {}\n"
DESIGN = "{kind: lhs, samples: 2}"


def sweep_text(
    parameters: str = PARAM, design: str = DESIGN, extra: str = "", name: str = "name: tiny\n", set_: str = ""
) -> str:
    """A tiny sweep file (2 runs of 3 months, 20 buyers) with one part replaced."""
    fixed = "{run.end: 2020-03, buyers.count: 20" + set_ + "}"
    return f"{name}base: baseline\nset: {fixed}\nparameters:\n{parameters}design: {design}\nseed: 3\n{extra}"


TINY = sweep_text()


def sweep(id: str, content: str | bytes, *names: str, args: tuple[str, ...] = RUN, file: bool = True) -> BadInput:
    """``sweep w.yaml`` with ``content`` as the file (names: what the error line must hold, and the
    file unless ``file`` is false: an option's error names the option)."""
    return BadInput(id, ("sweep", F, *args), {F: content}, (F, *names) if file else names)


def option(id: str, *args: str) -> BadInput:
    """``sweep w.yaml`` (a good file) with options; the error names the first option given."""
    return sweep(id, TINY, next(a for a in args if a.startswith("--")), args=args, file=False)


def param(id: str, entry: str, *names: str, design: str = DESIGN) -> BadInput:
    """A sweep whose parameter ``china.licence_grant_rate`` is given as ``entry``."""
    text = sweep_text(f"  china.licence_grant_rate: {entry}\n", design)
    return sweep(id, text, "china.licence_grant_rate", *names)


def named(id: str, name: str, *names: str) -> BadInput:
    """A sweep named ``name``, run without --out (its folder would be runs/<name>)."""
    return sweep(id, sweep_text(name=f"name: {name}\n"), "name", *names, args=("--workers", "0"))


def deep_list(levels: int) -> str:
    return "parameters: " + "[" * levels + "]" * levels + "\n"


def deep_block(levels: int) -> str:
    return "".join("  " * i + "a:\n" for i in range(levels)) + "  " * levels + "b: 1\n"


LONG = "x" * 300
UNDECLARED = "china.licence_grant_rat"

FILES = [
    sweep("latin-1 sweep file", TINY.replace("name: tiny", "name: tiny\ndescription: caf\u00e9").encode("latin-1")),
    sweep("latin-1 comment", b"# r\xe9sum\xe9\n" + TINY.encode()),
    sweep("utf-16 sweep file", TINY.replace("licence_grant_rate", "licence_grant_rat").encode("utf-16")),
    sweep("binary sweep file", bytes(range(256)) * 4),
    sweep("png as sweep file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
    sweep("NUL byte in sweep file", TINY.encode() + b"\x00\n"),
    sweep("empty sweep file", "", "empty"),
    sweep("only comments", "# nothing here\n", "empty"),
    sweep("top level list", "- a\n- b\n", "mapping"),
    sweep("top level text", "hello\n", "mapping"),
    sweep("malformed yaml", "parameters: [oops\n", "malformed"),
    sweep("deep list nesting", deep_list(20_000)),
    sweep("deep block nesting", deep_block(3_000)),
    sweep("duplicate top-level key", TINY + "seed: 4\n", "seed"),
    sweep("duplicate parameter", sweep_text(PARAM + PARAM), "china.licence_grant_rate"),
    BadInput("missing sweep file", ("sweep", "nope.yaml", *RUN), {}, ("nope.yaml",)),
    BadInput("sweep file is a folder", ("sweep", "d", *RUN), {"d/x.txt": "x"}, ("d",)),
    BadInput("sweep file path too long", ("sweep", "y" * 5000 + ".yaml", *RUN), {}, ("yyyy",)),
]

DIMENSIONS = [
    param("range with NaN", "{range: [.nan, 0.5]}", "range[0]"),
    param("range with infinity", "{range: [0.1, .inf]}", "range[1]"),
    param("range with minus infinity", "{range: [-.inf, 0.5]}", "range[0]"),
    param("range with true", "{range: [true, 0.5]}", "range[0]", "true"),
    param("range with a word", "{range: [low, 0.5]}", "range[0]", "low"),
    param("range low above high", "{range: [0.9, 0.1]}", "range", "0.9"),
    param("range of one point", "{range: [0.5, 0.5]}", "range"),
    param("range of three numbers", "{range: [0.1, 0.5, 0.9]}", "range"),
    param("range as text", "{range: '0.1-0.5'}", "range"),
    param("range outside declared", "{range: [0.1, 1.5]}", "range[1]", "1.5"),
    param("values with NaN", "[0.1, .nan]", "values[1]", design="{kind: factorial}"),
    param("values true and false", "[true, false]", "values[0]", design="{kind: factorial}"),
    param("values with infinity", "[0.1, .inf]", "values[1]", design="{kind: factorial}"),
    param("values empty", "{values: []}", "values", design="{kind: factorial}"),
    param("values repeat", "[0.2, 0.2]", "values", design="{kind: factorial}"),
    param("values outside declared", "[0.2, -3]", "values", "-3", design="{kind: factorial}"),
    param("levels one", "{levels: 1}", "levels", design="{kind: factorial}"),
    param("levels true", "{levels: true}", "levels", design="{kind: factorial}"),
    param("levels fractional", "{levels: 2.5}", "levels", design="{kind: factorial}"),
    param("entry unknown key", "{rnage: [0.1, 0.5]}", "rnage"),
    param("entry a number", "0.5"),
    sweep("unknown parameter", sweep_text(f"  {UNDECLARED}: {{}}\n"), UNDECLARED, "unknown parameter"),
    sweep("parameter path ends in a dot", sweep_text("  'china.': {}\n"), "china."),
    sweep("not a sweep dimension", sweep_text("  run.start: {}\n"), "run.start"),
    sweep("no parameters", sweep_text(""), "parameters"),
    sweep("parameters a list", sweep_text("  - china.licence_grant_rate\n"), "parameters"),
    sweep("fixed and varied", sweep_text(set_=", china.licence_grant_rate: 0.3"), "china.licence_grant_rate"),
]

DESIGNS = [
    sweep("samples zero", sweep_text(design="{kind: lhs, samples: 0}"), "design.samples"),
    sweep("samples negative", sweep_text(design="{kind: lhs, samples: -4}"), "design.samples"),
    sweep("samples true", sweep_text(design="{kind: lhs, samples: true}"), "design.samples"),
    sweep("samples fractional", sweep_text(design="{kind: lhs, samples: 4.5}"), "design.samples"),
    sweep("samples NaN", sweep_text(design="{kind: lhs, samples: .nan}"), "design.samples"),
    sweep("design kind missing", sweep_text(design="{samples: 4}"), "design.kind"),
    sweep("design as text", sweep_text(design="lhs"), "design"),
    sweep("design kind unknown", sweep_text(design="{kind: montecarlo, samples: 4}"), "design.kind"),
    sweep("sobol samples not a power of 2", sweep_text(design="{kind: sobol, samples: 6}"), "design.samples"),
    sweep("morris levels one", sweep_text(design="{kind: morris, samples: 2, levels: 1}"), "design.levels"),
    sweep(
        "ten million runs",
        sweep_text(design="{kind: lhs, samples: 10000000}"),
        "10,000,000",
        "--max-runs",
        args=(*RUN, "--limit", "0"),
    ),
    sweep(
        "a billion factorial points",
        sweep_text(
            "  china.licence_grant_rate: {levels: 1000}\n  demand.growth_per_year: {levels: 1000}\n"
            "  market.price_adjustment: {levels: 1000}\n",
            design="{kind: factorial}",
        ),
        "1,000,000,000",
        args=(*RUN, "--limit", "0"),
    ),
    sweep("runs above --max-runs", TINY, "2 runs", "limit of 1", args=(*RUN, "--max-runs", "1")),
    option("--max-runs zero", "--max-runs", "0", *RUN),
    sweep("replications zero", TINY + "replications: 0\n", "replications"),
    sweep("replications negative", TINY + "replications: -1\n", "replications"),
    sweep("replications true", TINY + "replications: true\n", "replications"),
    sweep("replications fractional", TINY + "replications: 1.5\n", "replications"),
    sweep("seed negative", sweep_text().replace("seed: 3", "seed: -1"), "seed"),
    sweep("seed too large", sweep_text().replace("seed: 3", "seed: 1099511627776"), "seed"),
    sweep("seed true", sweep_text().replace("seed: 3", "seed: true"), "seed"),
    sweep("seed fractional", sweep_text().replace("seed: 3", "seed: 1.5"), "seed"),
    sweep("seed NaN", sweep_text().replace("seed: 3", "seed: .nan"), "seed"),
    sweep("seeding unknown", TINY + "seeding: random\n", "seeding"),
    sweep("batch zero", TINY + "batch: 0\n", "batch"),
    sweep("set NaN", sweep_text(set_=", china.truce_grant_rate: .nan"), "china.truce_grant_rate"),
    sweep("set true for a rate", sweep_text(set_=", china.truce_grant_rate: true"), "china.truce_grant_rate"),
    sweep("set unknown key", sweep_text(set_=", buyers.cont: 3"), "buyers.cont"),
    sweep("set end 2021-02-31", sweep_text().replace("2020-03", "2021-02-31"), "2021-02-31"),
    sweep(
        "threshold NaN",
        TINY + "outcomes: {scalars: {x: {column: malaysia_alignment, stat: ever_above, threshold: .nan}}}\n",
        "threshold",
    ),  # fmt: skip
    sweep(
        "band with NaN",
        TINY + "outcomes: {scalars: {x: {column: malaysia_alignment, stat: ever_outside, band: [.nan, 1]}}}\n",
        "band",
    ),  # fmt: skip
    sweep(
        "band upside down",
        TINY + "outcomes: {scalars: {x: {column: malaysia_alignment, stat: ever_outside, band: [0.5, 0.1]}}}\n",
        "band",
    ),  # fmt: skip
    sweep("series as text", TINY + "outcomes: {series: malaysia_alignment}\n", "outcomes.series"),
    sweep("no outcomes", TINY + "outcomes: {series: [], scalars: {}}\n", "outcomes"),
    sweep("base not UTF-8", TINY.replace("base: baseline", "base: b.yaml"), "b.yaml"),
]
# the base scenario of the last case, next to the sweep file
DESIGNS[-1] = BadInput(DESIGNS[-1].id, DESIGNS[-1].args, {**DESIGNS[-1].files, "b.yaml": b"name: b\xe9\n"}, (F,))

NAMES = [
    named("name dot", "'.'"),
    named("name dot dot", "'..'"),
    named("name with a slash", "a/b"),
    named("name escaping runs", "../escape"),
    named("absolute name", "/tmp/hb_sweep_abs"),
    named("hidden name", ".hidden"),
    named("name like an option", "-rf"),
    named("name with a backslash", "'a\\\\b'"),
    named("name too long", LONG),
    named("empty name", "''"),
    named("name a number", "12"),
    BadInput("file named ..yaml", ("sweep", "..yaml", "--workers", "0"), {"..yaml": sweep_text(name="")}, ("name",)),
]

OUT_FOLDERS = [
    option("sweep --out /proc", "--out", "/proc/hb_sweep", "--workers", "0"),
    option("sweep --out /sys", "--out", "/sys/hb_sweep", "--workers", "0"),
    option("sweep --out /dev/null", "--out", "/dev/null", "--workers", "0"),
    BadInput(
        "sweep --out a file", ("sweep", F, "--workers", "0", "--out", "f.txt"), {F: TINY, "f.txt": "x"}, ("f.txt",)
    ),
    BadInput(
        "sweep --out under a file",
        ("sweep", F, "--workers", "0", "--out", "f.txt/o"),
        {F: TINY, "f.txt": "x"},
        ("f.txt",),
    ),  # fmt: skip
    option("sweep --out name too long", "--out", LONG, "--workers", "0"),
    option("sweep --workers huge", "--workers", "100000", "--out", "o"),
    option("sweep --dask-local huge", "--dask-local", "100000", "--out", "o"),
    option("sweep --limit negative", "--limit", "-1", *RUN),
    option("sweep --flush zero", "--flush", "0", *RUN),
    option("sweep --workers a word", "--workers", "many", "--out", "o"),
    option("sweep --batch zero", "--batch", "0", *RUN),
    option("sweep --scheduler and --dask-local", "--scheduler", "tcp://127.0.0.1:1", "--dask-local", "2", "--out", "o"),
]


# ---- an existing sweep folder, edited first -----------------------------------------------------------


def _manifest(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / SW / "manifest.json"
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))

    return edit


def _write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / SW / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content == "<folder>":
            path.mkdir()
        else:
            path.write_text(content)

    return edit


def _delete(*names: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for name in names:
            for path in (folder / SW).glob(name):
                path.unlink()

    return edit


def _small_design(folder: Path) -> None:
    import pandas as pd

    pd.DataFrame({"point": [0, 1, 2], "china.licence_grant_rate": [0.1, 0.2, 0.3]}).to_parquet(
        folder / SW / "design.parquet", index=False
    )


EDITS: dict[str, Callable[[Path], None]] = {
    "manifest not JSON": _write("manifest.json", "{oops"),
    "manifest a JSON list": _write("manifest.json", "[1, 2]"),
    "manifest latin-1": _write("manifest.json", b'{"format": "caf\xe9"}'),
    "manifest empty": _write("manifest.json", ""),
    "manifest deeply nested": _write("manifest.json", "[" * 100_000 + "]" * 100_000),
    "manifest a folder": _write("manifest.json", "<folder>"),
    "manifest format changed": _manifest(lambda m: m.update(format="something/2")),
    "manifest runs a word": _manifest(lambda m: m["design"].update(runs="many")),
    "manifest runs NaN": _manifest(lambda m: m["design"].update(runs=float("nan"))),
    "manifest runs fewer": _manifest(lambda m: m["design"].update(runs=1)),
    "manifest without design": _manifest(lambda m: m.pop("design")),
    "manifest without outcomes": _manifest(lambda m: m.pop("outcomes")),
    "manifest scalars a mapping": _manifest(lambda m: m["outcomes"].update(scalars={"a": 1})),
    "manifest design kind changed": _manifest(lambda m: m["design"].update(kind="morris")),
    "manifest parameter renamed": _manifest(lambda m: m["design"]["parameters"][0].update(path="china.other")),
    "manifest fingerprint changed": _manifest(lambda m: m.update(fingerprint="0123456789abcdef")),
    "design.parquet deleted": _delete("design.parquet"),
    "design.parquet damaged": _write("design.parquet", b"PAR1 not really parquet"),
    "design.parquet of another design": _small_design,
    "plan.parquet deleted": _delete("plan.parquet"),
    "a scalars part deleted": _delete("scalars/part-*.parquet"),
    "resume: design.parquet deleted": _delete("design.parquet"),
    "resume: plan.parquet deleted": _delete("plan.parquet"),
    "resume: plan.parquet damaged": _write("plan.parquet", bytes(100)),
    "resume: manifest not JSON": _write("manifest.json", "{oops"),
    "resume: replications a word": _manifest(lambda m: m["design"].update(replications="two")),
    "resume: manifest without definition": _manifest(lambda m: m.pop("definition")),
}
NAMED = {  # what the error line must hold, besides the file
    "manifest runs a word": "design.runs",
    "manifest runs NaN": "design.runs",
    "manifest runs fewer": "design.runs",
    "manifest without design": "design",
    "manifest without outcomes": "outcomes",
    "manifest scalars a mapping": "outcomes.scalars",
    "manifest design kind changed": "design.kind",
    "manifest parameter renamed": "design.parameters",
    "manifest fingerprint changed": "fingerprint",
    "resume: replications a word": "design.replications",
    "resume: manifest without definition": "definition",
    "a scalars part deleted": "incomplete",
}


def _folder_case(id: str) -> BadInput:
    file = next((n for n in ("design.parquet", "plan.parquet") if n in id), "manifest.json")
    names = (file, NAMED[id]) if id in NAMED and "scalars part" not in id else (NAMED.get(id, file),)
    if id.startswith("resume: "):
        return BadInput(id, ("sweep", F, "--workers", "0", "--out", SW), {F: TINY}, names)
    return BadInput(id, ("analyze", SW, "--no-plots"), {}, names)


FOLDERS = [_folder_case(id) for id in EDITS]

ANALYZE = [
    BadInput("analyze --out /proc", ("analyze", SW, "--out", "/proc/hb_analysis"), {}, ("/proc",)),
    BadInput("analyze --out /sys", ("analyze", SW, "--out", "/sys/hb_analysis"), {}, ("/sys",)),
    BadInput("analyze --out /dev/null", ("analyze", SW, "--out", "/dev/null"), {}, ("/dev/null",)),
    BadInput("analyze --out a file", ("analyze", SW, "--out", "f.txt"), {"f.txt": "x"}, ("f.txt",)),
    BadInput("analyze --out under a file", ("analyze", SW, "--out", "f.txt/a"), {"f.txt": "x"}, ("f.txt",)),
    BadInput("analyze --out name too long", ("analyze", SW, "--out", LONG), {}, ("--out",)),
    BadInput("analyze an empty folder", ("analyze", "e"), {"e/.keep": ""}, ("e", "not a sweep folder")),
    BadInput("analyze a run folder", ("analyze", "r"), {"r/timeseries.csv": "a\n1\n"}, ("not a sweep folder",)),
    BadInput("analyze a file", ("analyze", "f.txt"), {"f.txt": "x"}, ("f.txt",)),
    BadInput("analyze a missing folder", ("analyze", "nowhere"), {}, ("nowhere",)),
    BadInput("analyze a path too long", ("analyze", "z" * 5000), {}, ("zzzz",)),
]
NEEDS_SWEEP = {case.id for case in FOLDERS} | {case.id for case in ANALYZE[:6]}

# ---- validate, outside the project's folder ---------------------------------------------------------

PATTERNS = """experiments:
  e: {scenario: baseline, overrides: {run.end: 2020-03}, seeds: 1}
patterns:
  - id: X1
    description: China's mine share in 2020
    experiment: e
    basis: earned
    metric: {kind: annual_mean, column: china_mine_share}
    years: [2020]
    test: {kind: within, observed: {2020: 0.6}, tolerance: 0.5}
"""


def validate(id: str, content: str | bytes | None, *names: str, args: tuple[str, ...] = ()) -> BadInput:
    """``validate`` with ``content`` as its patterns file (None: the project's own patterns)."""
    files = {P: content} if content is not None else {}
    patterns = ("--patterns", P) if content is not None else ()
    return BadInput(id, ("validate", *patterns, "--seeds", "1", "--workers", "1", *args), files, names)


VALIDATE = [
    validate("patterns latin-1", PATTERNS.replace("China's", "Chine caf\u00e9").encode("latin-1"), P),
    validate("patterns binary", bytes(range(256)) * 4, P),
    validate("patterns empty", "", P, "empty"),
    validate("patterns deeply nested", deep_list(20_000), P),
    validate("patterns duplicate key", PATTERNS + "experiments: {}\n", P, "experiments"),
    BadInput("patterns missing", ("validate", "--patterns", "nope.yaml"), {}, ("nope.yaml",)),
    BadInput("patterns a folder", ("validate", "--patterns", "d"), {"d/x": "x"}, ("d",)),
    validate("experiment unknown scenario", PATTERNS.replace("scenario: baseline", "scenario: atlantis"), "atlantis"),
    validate("experiment seeds zero", PATTERNS.replace("seeds: 1", "seeds: 0"), "seeds"),
    validate("experiment seeds true", PATTERNS.replace("seeds: 1", "seeds: true"), "seeds"),
    validate("tolerance NaN", PATTERNS.replace("tolerance: 0.5", "tolerance: .nan"), "tolerance"),
    validate("observed infinity", PATTERNS.replace("2020: 0.6", "2020: .inf"), "observed"),
    validate(
        "range test upside down",
        PATTERNS.replace("{kind: within, observed: {2020: 0.6}, tolerance: 0.5}", "{kind: range, lo: 0.9, hi: 0.1}"),
        "range",
    ),
    validate("override NaN", PATTERNS.replace("run.end: 2020-03", "china.truce_grant_rate: .nan"), "truce"),
    BadInput("validate --seeds 0", ("validate", "--seeds", "0"), {}, ("--seeds",)),
    BadInput("validate --seeds negative", ("validate", "--seeds", "-1"), {}, ("--seeds",)),
    BadInput("validate --seeds huge", ("validate", "--seeds", "100000", "--out", "/proc/x"), {}, ("--seeds",)),
    BadInput("validate --workers 0", ("validate", "--workers", "0"), {}, ("--workers",)),
    BadInput("validate --seeds a word", ("validate", "--seeds", "many"), {}, ("--seeds",)),
    validate("validate --set NaN", None, "china.truce_grant_rate", args=("--set", "china.truce_grant_rate=nan")),
    validate("validate --set without =", None, "--set", args=("--set", "nonsense")),
    validate("validate --set unknown", None, "china.nope", args=("--set", "china.nope=1")),
    validate("validate --out /proc", None, "/proc", args=("--out", "/proc/hb_validation")),
    validate("validate --out /sys", None, "/sys", args=("--out", "/sys/hb_validation")),
    validate("validate --out /dev/null", None, "/dev/null", args=("--out", "/dev/null")),
    BadInput("validate --out a file", ("validate", "--seeds", "1", "--out", "f.txt"), {"f.txt": "x"}, ("f.txt",)),
    BadInput(
        "validate --out under a file", ("validate", "--seeds", "1", "--out", "f.txt/v"), {"f.txt": "x"}, ("f.txt",)
    ),  # fmt: skip
]

CASES = FILES + DIMENSIONS + DESIGNS + NAMES + OUT_FOLDERS + FOLDERS + ANALYZE + VALIDATE
# The quick suite runs these (the examples, a few of each kind); the others are marked slow.
QUICK = {
    *("latin-1 sweep file", "utf-16 sweep file", "binary sweep file", "empty sweep file", "deep list nesting"),
    *("duplicate top-level key", "sweep file path too long", "range with NaN", "range with infinity"),
    *("range with true", "range low above high", "values with NaN", "values true and false", "unknown parameter"),
    *("samples zero", "samples negative", "ten million runs", "runs above --max-runs", "replications true"),
    *("seed negative", "seed true", "set NaN", "set true for a rate", "band with NaN", "base not UTF-8"),
    *("name dot", "name dot dot", "name with a slash", "name escaping runs", "file named ..yaml"),
    *("sweep --out /proc", "sweep --out /sys", "sweep --out /dev/null", "sweep --out a file"),
    *("sweep --out under a file", "sweep --workers a word", "manifest not JSON", "manifest runs a word"),
    *("manifest without design", "manifest design kind changed", "design.parquet deleted"),
    *("resume: design.parquet deleted", "resume: manifest not JSON", "resume: replications a word"),
    *("analyze --out /proc", "analyze --out /sys", "analyze --out /dev/null", "analyze --out a file"),
    *("analyze --out under a file", "analyze an empty folder", "analyze a missing folder", "patterns latin-1"),
    *("patterns duplicate key", "tolerance NaN", "validate --seeds 0", "validate --workers 0"),
    *("validate --out /proc", "validate --out /dev/null", "validate --out a file", "validate --out under a file"),
    "validate --set NaN",
}


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(CASES) >= 150 and len(QUICK) >= 60
    assert len({case.id for case in CASES}) == len(CASES)
    assert QUICK <= {case.id for case in CASES}


def finished_sweep(folder: Path) -> Path:
    """A tiny finished sweep (2 runs of 3 months) in ``folder/sw``, run by the command line."""
    (folder / F).write_text(TINY)
    command = [sys.executable, "-m", "magnetdiplomacy.cli", "sweep", F, "--workers", "0", "--out", SW, "-q"]
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=300)
    return folder / SW


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> dict[str, Outcome]:
    """Run the selected cases, in parallel (each in a fresh process and folder)."""
    selected = _selected(request)
    template = finished_sweep(tmp_path_factory.mktemp("template")) if NEEDS_SWEEP & {c.id for c in selected} else None
    folders = {case.id: tmp_path_factory.mktemp("bad") for case in selected}
    for case in selected:
        if case.id in NEEDS_SWEEP:
            assert template is not None
            shutil.copytree(template, folders[case.id] / SW)
            if case.id in EDITS:
                EDITS[case.id](folders[case.id])
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(pool.map(lambda case: (case.id, run_case(case, folders[case.id])), selected))


def _selected(request) -> list[BadInput]:
    chosen = set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("case"), BadInput):
            chosen.add(id(callspec.params["case"]))
    return [case for case in CASES if id(case) in chosen]


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.id, marks=() if case.id in QUICK else pytest.mark.slow) for case in CASES]
)
def test_bad_input_is_refused_with_one_line(case: BadInput, outcomes: dict[str, Outcome]):
    check(case, outcomes[case.id])


# ---- what still works ------------------------------------------------------------------------------


def test_validate_works_outside_the_project(tmp_path, monkeypatch):
    """From a folder that is not the project's, the experiments' scenario files given as paths
    (configs/validation/stress_2010.yaml) are found in the project, and the report is written where asked."""
    from magnetdiplomacy.validation import load_patterns
    from magnetdiplomacy.validation.runner import experiment_scenarios

    monkeypatch.chdir(tmp_path)
    assert experiment_scenarios(load_patterns())["stress_2010"].name == "stress_2010"
    patterns = PATTERNS.replace("scenario: baseline", "scenario: configs/validation/stress_2010.yaml")
    (tmp_path / P).write_text(
        patterns.replace("run.end: 2020-03", "outputs.agent_table: false").replace("2020", "2012")
    )
    command = [sys.executable, "-m", "magnetdiplomacy.cli", "validate", "--patterns", P, "--workers", "1", "--out", "v"]
    proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1) and "error" not in proc.stderr, proc.stderr[-2000:]
    assert (tmp_path / "v" / "report.md").is_file()


def test_the_limit_on_runs_is_declared_and_can_be_raised():
    import yaml

    from magnetdiplomacy.sweeps import SweepError, load_sweep
    from magnetdiplomacy.sweeps.schema import MAX_RUNS

    data = yaml.safe_load(TINY) | {"design": {"kind": "lhs", "samples": 2 * MAX_RUNS}}
    with pytest.raises(SweepError, match="--max-runs raises it"):
        load_sweep(data)
    assert load_sweep(data, max_runs=3 * MAX_RUNS).n_runs == 2 * MAX_RUNS


def test_a_staging_folder_left_by_a_killed_sweep_is_removed_at_the_next_start(tmp_path):
    import yaml

    from magnetdiplomacy.sweeps import SweepStore, load_sweep
    from magnetdiplomacy.sweeps.designs import build_design, design_table, run_plan
    from magnetdiplomacy.sweeps.runner import sweep_manifest

    # a staging folder made by a process that has ended since (as if killed while writing the plan)
    code = "import sys; from pathlib import Path; from magnetdiplomacy.parameters.inputs import make_staging; "
    subprocess.run([sys.executable, "-c", code + "make_staging(Path(sys.argv[1]))", tmp_path / "tiny"], check=True)
    assert len(list(tmp_path.iterdir())) == 1
    sweep = load_sweep(yaml.safe_load(TINY))
    design = build_design(sweep)
    plan = run_plan(sweep, design)
    assert SweepStore(tmp_path / "tiny").prepare(
        sweep, sweep_manifest(sweep, len(plan)), design_table(sweep, design), plan
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]
    assert {p.name for p in (tmp_path / "tiny").iterdir()} >= {"manifest.json", "design.parquet", "plan.parquet"}
