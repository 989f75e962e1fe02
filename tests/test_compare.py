"""``magnetdiplomacy compare``: paired runs of two scenarios over the same seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from magnetdiplomacy.cli import app
from magnetdiplomacy.compare import DIFFERENCE_COLUMNS, HEADLINE, compare, paired_statistics
from magnetdiplomacy.outputs import OUTPUTS
from magnetdiplomacy.runs import prepare
from magnetdiplomacy.targets import TARGETS

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_paired_statistics():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    stats = paired_statistics(a, a + np.array([0.9, 1.1, 1.0, 1.0]))
    assert stats["mean_diff"] == pytest.approx(1.0)
    assert stats["ci_low"] < 1.0 < stats["ci_high"] and stats["ci_low"] > 0.8
    assert stats["share_b_greater"] == 1.0 and stats["seeds"] == 4
    same = paired_statistics(a, a.copy())
    assert same["mean_diff"] == same["ci_low"] == same["ci_high"] == 0.0 and same["share_b_greater"] == 0.0


def test_a_scenario_compared_with_itself_differs_by_nothing():
    """Same seeds, same draws: a change that touches nothing (the agent table) gives zero differences."""
    a = prepare("no_history", end="2022-12")
    b = prepare("no_history", end="2022-12", overrides={"outputs.agent_table": False})
    result = compare(a, b, [1, 2])
    assert (result.differences["mean_diff"] == 0).all() and (result.differences["ci_high"] == 0).all()
    assert (result.monthly[list(HEADLINE)] == 0).all().all()


def test_compare_writes_one_row_per_outcome(tmp_path):
    out = tmp_path / "cmp"
    result = invoke(
        "compare", "baseline", "us_pressure", "--seeds", 2, "--end", "2027-12", "--workers", 0, "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "paired over 2 seeds" in result.output
    table = pd.read_csv(out / "differences.csv")
    assert tuple(table.columns) == DIFFERENCE_COLUMNS
    assert set(table["outcome"]) == {n for n, o in OUTPUTS.items() if o.kind not in ("tick", "date")}
    tariff = table.set_index("outcome").loc["us_tariff_malaysia"]
    assert tariff["mean_diff"] == pytest.approx(0.4 - tariff["mean_a"]) and tariff["share_b_greater"] == 1.0
    assert (out / "differences_over_time.png").stat().st_size > 10_000
    assert len(pd.read_csv(out / "paired.csv")) == 2 * len(table)
    scorecard = pd.read_csv(out / "scorecard.csv")  # Malaysia's scorecard in A and in B (test_scorecard.py)
    assert {"mean_a", "mean_b", "share_met_a", "share_met_b"} <= set(scorecard.columns)
    assert list(scorecard["key"]) == [target.key for target in TARGETS]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("baseline",), "give scenario B or at least one --set"),
        (("baseline", "--set", "china.nope=1"), "china.nope"),
        (("baseline", "nowhere"), "nowhere"),
        (("baseline", "us_pressure", "--year", "1999"), "--year 1999"),
        (("baseline", "us_pressure", "--end", "2030-13"), "--end"),
    ],
)
def test_compare_mistakes_are_one_line_with_exit_code_2(tmp_path, args, words):
    result = invoke("compare", *args, "--seeds", 2, "--out", tmp_path / "cmp")
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "cmp").exists()


def test_compare_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "x").write_text("keep")
    result = invoke("compare", "baseline", "us_pressure", "--seeds", 2, "--out", tmp_path / "cmp")
    assert result.exit_code == 2 and "not empty" in result.output
